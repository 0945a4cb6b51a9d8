/* Structures for jobs: lattices or files, initial velocities, overlap checks. */
#include <math.h>
#include <string.h>

#include "seed.h"
#include "../io/io.h"

const sr_keyword seed_structure_keywords[] = {
    {"file", SR_KW_STRING, offsetof(seed_structure_config, file), "", "", 0, 0, NULL,
     "structure file: extended XYZ (.xyz/.extxyz) or LAMMPS data (.data/.lmp); empty = build a lattice"},
    {"lattice", SR_KW_CHOICE, offsetof(seed_structure_config, lattice), "", "fcc", 0, 0,
     "sc|bcc|fcc|hcp|diamond|hexdiamond", "lattice to build (hexdiamond = ice Ih, diamond = ice Ic oxygens)"},
    {"density", SR_KW_REAL, offsetof(seed_structure_config, density), "length^-3", "0", 0, 1e6, NULL,
     "number density of the lattice (0: use nn)"},
    {"nn", SR_KW_REAL, offsetof(seed_structure_config, nn), "length", "0", 0, 1e6, NULL,
     "nearest-neighbour distance of the lattice (used when density = 0)"},
    {"cells", SR_KW_REALS, offsetof(seed_structure_config, cells), "", "6 6 6", 1, 1000, NULL,
     "unit cells along x y z"},
    {"mass", SR_KW_REALS, offsetof(seed_structure_config, mass), "mass", "1.0", 1e-9, 1e9, NULL,
     "mass per atom type"},
    {"element", SR_KW_STRING, offsetof(seed_structure_config, element), "", "X", 0, 0, NULL,
     "type name for lattice atoms"},
    {"temperature", SR_KW_REAL, offsetof(seed_structure_config, temperature), "temperature", "0", 0, 1e7,
     NULL, "initial Maxwell-Boltzmann velocities at this temperature (0: keep the file's or zero)"},
    {"min_distance", SR_KW_REAL, offsetof(seed_structure_config, min_distance), "length", "0.5", 0, 1e3,
     NULL, "two atoms closer than this are an input error"},
    SR_KW_END};

int seed_check_overlaps(const md_system *s, double dmin, const char *where)
{
    double d;
    int64_t a, b;
    SR_TRY(md_system_min_distance(s, &d, &a, &b));
    if (d < dmin)
        return SR_ERROR(SR_EINVAL, "%s: atoms %lld and %lld are %.4g apart, closer than min_distance = %g",
                        where, (long long)a, (long long)b, d, dmin);
    return SR_OK;
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

int seed_structure_build(const seed_structure_config *c, int units, const char *basedir, const char *where,
                         gsl_rng *rng, md_system **out)
{
    *out = NULL;
    md_system *s = NULL;
    if (c->file[0]) {
        char path[2 * SR_KW_STRLEN + 8];
        if (c->file[0] == '/' || !basedir || !*basedir)
            snprintf(path, sizeof path, "%s", c->file);
        else
            snprintf(path, sizeof path, "%s/%s", basedir, c->file);
        io_typemap tm;
        io_typemap_init(&tm);
        io_frame fr = {0};
        int rc;
        if (ends_with(path, ".data") || ends_with(path, ".lmp") || strstr(path, "data.")) {
            rc = io_lammps_data_read(path, &fr, &tm);
        } else {
            io_frame *frames = NULL;
            int nf = 0;
            rc = io_extxyz_read(path, &tm, &frames, &nf);
            if (!rc && nf < 1) rc = SR_ERROR(SR_EPARSE, "%s: no frame in file", path);
            if (!rc) {
                fr = frames[nf - 1]; /* the last frame */
                memset(&frames[nf - 1], 0, sizeof frames[nf - 1]);
            }
            io_frames_free(frames, nf);
        }
        if (rc) return SR_ERROR(rc, "%s: cannot read structure: %s", where, sr_error_message());
        for (int t = 0; t < tm.ntypes; t++)
            if (isnan(tm.mass[t])) tm.mass[t] = c->mass.v[t < c->mass.n ? t : c->mass.n - 1];
        rc = io_frame_to_system(&fr, &tm, units, &s);
        io_frame_free(&fr);
        if (rc) return rc;
    } else {
        if (c->cells.n != 3)
            return SR_ERROR(SR_EINVAL, "%s: cells needs 3 integers (got %d values)", where, c->cells.n);
        int nc[3];
        for (int k = 0; k < 3; k++) {
            nc[k] = (int)c->cells.v[k];
            if (nc[k] != c->cells.v[k])
                return SR_ERROR(SR_EINVAL, "%s: cells must be integers (got %g)", where, c->cells.v[k]);
        }
        double nn = c->density > 0 ? md_lattice_nn_for_density(c->lattice, c->density) : c->nn;
        if (!(nn > 0))
            return SR_ERROR(SR_EINVAL, "%s: a lattice needs density > 0 or nn > 0", where);
        SR_TRY(md_lattice_build(c->lattice, nn, nc[0], nc[1], nc[2], units, &s));
        const char *names[1] = {c->element};
        int rc = md_system_set_types(s, 1, c->mass.v, names);
        if (rc) {
            md_system_free(s);
            return rc;
        }
    }
    int rc = seed_check_overlaps(s, c->min_distance, where);
    if (!rc && c->temperature > 0) {
        if (!rng)
            rc = SR_ERROR(SR_EINVAL, "%s: velocities need a random stream", where);
        else
            rc = md_velocity_create(s, c->temperature, rng);
    }
    if (rc) {
        md_system_free(s);
        return rc;
    }
    *out = s;
    return SR_OK;
}

/* ---- [ensemble] ---- */

const sr_keyword seed_ensemble_keywords[] = {
    {"ensemble", SR_KW_CHOICE, offsetof(seed_ensemble_config, ensemble), "", "nvt", 0, 0, "nve|nvt|npt",
     "statistical ensemble"},
    {"thermostat", SR_KW_CHOICE, offsetof(seed_ensemble_config, thermostat), "", "bussi", 0, 0,
     "bussi|langevin", "stochastic velocity rescaling (Bussi-Donadio-Parrinello) or Langevin"},
    {"barostat", SR_KW_CHOICE, offsetof(seed_ensemble_config, barostat), "", "iso", 0, 0, "iso|aniso|z",
     "stochastic cell rescaling: isotropic, each axis, or z only (NpzAT)"},
    {"temperature", SR_KW_REAL, offsetof(seed_ensemble_config, temperature), "temperature", "0", 0, 1e7, NULL,
     "target temperature (nvt, npt)"},
    {"tau_t", SR_KW_REAL, offsetof(seed_ensemble_config, tau_t), "time", "0", 0, 1e9, NULL,
     "thermostat time (0: 100 dt)"},
    {"pressure", SR_KW_REAL, offsetof(seed_ensemble_config, pressure), "pressure", "0", -1e9, 1e9, NULL,
     "target pressure (npt)"},
    {"tau_p", SR_KW_REAL, offsetof(seed_ensemble_config, tau_p), "time", "0", 0, 1e9, NULL,
     "barostat relaxation time (0: 1000 dt)"},
    {"compressibility", SR_KW_REAL, offsetof(seed_ensemble_config, compressibility), "1/pressure", "0", 0,
     1e9, NULL, "isothermal compressibility guess for the barostat (0: 0.1 lj, 4.5e-5/bar metal)"},
    {"dt", SR_KW_REAL, offsetof(seed_ensemble_config, dt), "time", "0", 0, 1e3, NULL,
     "timestep (0: 0.005 tau in lj, 0.001 ps in metal)"},
    {"skin", SR_KW_REAL, offsetof(seed_ensemble_config, skin), "length", "0", 0, 1e3, NULL,
     "neighbor-list skin (0: 0.3 sigma lj, 1.0 angstrom metal)"},
    {"neigh_every", SR_KW_INT, offsetof(seed_ensemble_config, neigh_every), "steps", "1", 1, 1e6, NULL,
     "consider a neighbor-list rebuild every this many steps (LAMMPS neigh_modify every)"},
    {"neigh_check", SR_KW_BOOL, offsetof(seed_ensemble_config, neigh_check), "", "yes", 0, 1, NULL,
     "rebuild only when an atom moved more than skin/2 (no: always, as LAMMPS check no; unsafe)"},
    SR_KW_END};

int seed_ensemble_params(const seed_ensemble_config *c, int units, md_integrator_params *p)
{
    memset(p, 0, sizeof *p);
    const md_units *u = md_units_get(units);
    p->dt = c->dt > 0 ? c->dt : u->dt_default;
    p->skin = c->skin;
    p->neigh_every = c->neigh_every;
    p->neigh_nocheck = !c->neigh_check;
    if (c->ensemble >= 1) {
        if (!(c->temperature > 0))
            return SR_ERROR(SR_EINVAL, "[ensemble] %s needs temperature > 0", c->ensemble == 1 ? "nvt" : "npt");
        p->thermostat = c->thermostat == 0 ? MD_THERMO_BUSSI : MD_THERMO_LANGEVIN;
        p->temperature = c->temperature;
        p->tau_t = c->tau_t > 0 ? c->tau_t : 100 * p->dt;
    }
    if (c->ensemble == 2) {
        p->barostat = c->barostat == 0 ? MD_BARO_ISO : c->barostat == 1 ? MD_BARO_ANISO : MD_BARO_Z;
        p->pressure = c->pressure;
        p->tau_p = c->tau_p > 0 ? c->tau_p : 1000 * p->dt;
        p->compressibility = c->compressibility > 0 ? c->compressibility : (units == MD_UNITS_LJ ? 0.1 : 4.5e-5);
    }
    return SR_OK;
}
