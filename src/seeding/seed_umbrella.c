/* Umbrella sampling of N_max over MPI ranks (see seed_umbrella.h): input, the liquid, the windows' starting
 * configurations, the hybrid Monte Carlo chains (one task per window), the journal, WHAM + bootstrap (cnt_wham_*,
 * cnt.h) and PREFIX.umbrella.nc. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "seed_umbrella.h"
#include "seed.h"
#include "seed_cnt.h"
#include "seed_comm.h"
#include "../cnt/cnt.h"
#include "../common/sr_rng.h"
#include "../io/io.h"

/* ================================================================================================
 * Input
 * ============================================================================================== */

const sr_keyword seed_umbrella_keywords[] = {
    {"centres", SR_KW_REALS, offsetof(seed_umbrella_config, centres), "atoms", "0", 0, 1e7, NULL,
     "window centres c_i of the bias (kappa/2)(N_max - c_i)^2 kT, increasing; 0 (alone): every round(2/sqrt(kappa)) "
     "atoms up to n_last (neighbouring windows then overlap at one standard deviation)"},
    {"kappa", SR_KW_REAL, offsetof(seed_umbrella_config, kappa), "kT/atom^2", "0.15", -1e9, 1e9, NULL,
     "spring constant of every window's bias (> 0); a window's N_max spread is ~1/sqrt(kappa)"},
    {"kappas", SR_KW_REALS, offsetof(seed_umbrella_config, kappas), "kT/atom^2", "0", 0, 1e9, NULL,
     "one spring constant per centre (> 0), overriding kappa (0 alone: kappa for every window): stiffer springs "
     "where dG(n) is steep (small n, where a strict classifier makes N_max jump from 0)"},
    {"start", SR_KW_CHOICE, offsetof(seed_umbrella_config, start), "", "shrunk", 0, 0, "grown|shrunk|seeded",
     "how the windows start. A ladder (rank 0) passes one configuration from window to window, grow_sweeps trials of "
     "each window's bias, each window starting from its neighbour's last configuration (Auer & Frenkel 2004): grown "
     "climbs from the liquid in order of centre (needs a classifier under which the liquid has small clusters); "
     "shrunk descends from one crystal seed of seed_factor x the largest centre (for a strict classifier, under "
     "which the liquid's N_max is 0 and the bias cannot pull it up). seeded: a seed of seed_factor x the centre in "
     "every window (not equilibrated: the seed's strained surface relaxes during the chain)"},
    {"grow_sweeps", SR_KW_INT, offsetof(seed_umbrella_config, grow_sweeps), "", "100", 1, 1e7, NULL,
     "start = grown or shrunk: trials of each window's bias in the ladder"},
    {"n_last", SR_KW_REAL, offsetof(seed_umbrella_config, n_last), "atoms", "0", 0, 1e7, NULL,
     "last centre of the default spacing (used when centres = 0)"},
    {"unbiased", SR_KW_BOOL, offsetof(seed_umbrella_config, unbiased), "", "yes", 0, 1, NULL,
     "window 0 samples the liquid without bias (its own N_max histogram: the low-n part of dG(n))"},
    {"md_steps", SR_KW_LONG, offsetof(seed_umbrella_config, md_steps), "steps", "10", 1, 1e9, NULL,
     "MD steps of each hybrid Monte Carlo trial (fresh velocities, then accepted or rejected on the bias and the "
     "integrator's effective-energy error)"},
    {"sweeps", SR_KW_INT, offsetof(seed_umbrella_config, sweeps), "", "500", 2, 1e7, NULL,
     "trials per window whose N_max are the window's samples"},
    {"equil_sweeps", SR_KW_INT, offsetof(seed_umbrella_config, equil_sweeps), "", "100", 0, 1e7, NULL,
     "trials per window discarded first (the start relaxes into the window)"},
    {"blocks", SR_KW_INT, offsetof(seed_umbrella_config, blocks), "", "10", 2, 1e6, NULL,
     "blocks of each window's series for the block bootstrap (longer than the correlation time)"},
    {"bootstrap", SR_KW_INT, offsetof(seed_umbrella_config, nboot), "", "200", 0, 1e7, NULL,
     "bootstrap resamples of the free energy (0: no errors)"},
    {"wham_tol", SR_KW_REAL, offsetof(seed_umbrella_config, wham_tol), "kT", "1e-8", 1e-14, 1, NULL,
     "WHAM converged when no window free energy changes by more than this"},
    {"liquid_cells", SR_KW_REALS, offsetof(seed_umbrella_config, liquid_cells), "", "8 8 8", 1, 1000, NULL,
     "unit cells of the [structure] lattice that is melted to make the liquid"},
    {"liquid_density", SR_KW_REAL, offsetof(seed_umbrella_config, liquid_density), "length^-3", "0", 0, 1e6, NULL,
     "number density of the lattice that is melted (0: 0.85 x the crystal density); NPT then sets the density"},
    {"melt_temperature", SR_KW_REAL, offsetof(seed_umbrella_config, melt_temperature), "temperature", "0", 0, 1e7,
     NULL, "temperature at which the lattice is melted (0: 2 T)"},
    {"melt_steps", SR_KW_LONG, offsetof(seed_umbrella_config, melt_steps), "steps", "2000", 0, 1e12, NULL,
     "steps of melting (NVT at melt_temperature)"},
    {"equil_steps", SR_KW_LONG, offsetof(seed_umbrella_config, equil_steps), "steps", "1000", 0, 1e12, NULL,
     "NPT equilibration of the liquid at (T, p)"},
    {"relax_steps", SR_KW_LONG, offsetof(seed_umbrella_config, relax_steps), "steps", "100", 0, 1e12, NULL,
     "NVT relaxation of a window's seeded start with the seed frozen"},
    {"seed_factor", SR_KW_REAL, offsetof(seed_umbrella_config, seed_factor), "", "1.5", 1, 10, NULL,
     "a biased window starts from a crystal seed of seed_factor x its centre atoms (the classifier labels fewer: a "
     "fresh seed's surface atoms do not count), relaxed, then pulled into the window by the equilibration trials"},
    {"cluster_cutoff", SR_KW_REAL, offsetof(seed_umbrella_config, cluster_cutoff), "length", "0", 0, 1e3, NULL,
     "solid atoms closer than this belong to one cluster (0: the classifier's neighbor cutoff)"},
    {"dmu", SR_KW_REAL, offsetof(seed_umbrella_config, dmu), "energy", "0", -1e9, 1e9, NULL,
     "optional: chemical potential difference mu_s - mu_l per particle (|dmu| is used) for the CNT curve"},
    {"rho_s", SR_KW_REAL, offsetof(seed_umbrella_config, rho_s), "length^-3", "0", 0, 1e9, NULL,
     "optional: number density of the crystal for the CNT curve"},
    {"gamma", SR_KW_REAL, offsetof(seed_umbrella_config, gamma), "energy/length^2", "0", 0, 1e9, NULL,
     "optional: interfacial free energy for the CNT curve (with dmu and rho_s; e.g. seeding's gamma)"},
    {"attachment_rate", SR_KW_REAL, offsetof(seed_umbrella_config, f_plus), "1/time", "0", 0, 1e30, NULL,
     "optional: attachment rate f+ at the top of the barrier (e.g. seeding's f+ at this temperature from seedrate "
     "cnt); with it J = rho_l Z f+ exp(-dG*/kT), Z from the curvature of dG(n) at n* (0: no J)"},
    {"top_half_width", SR_KW_INT, offsetof(seed_umbrella_config, top_half_width), "atoms", "20", 2, 1e6, NULL,
     "the parabola giving n*, dG* and Z is fitted to dG(n) within this many atoms of its highest bin (wide enough "
     "that dG drops by ~1 kT at the edges: a flat top's curvature is lost in the noise of a narrow window)"},
    {"attach_runs", SR_KW_INT, offsetof(seed_umbrella_config, attach_runs), "", "0", 0, 100000, NULL,
     "optional: measure f+ at the top (Auer & Frenkel 2001): every biased window keeps this many configurations, "
     "evenly spaced over its production trials (PREFIX.umbrella.wW.sK.ckpt); after WHAM, one unbiased MD run of "
     "attach_steps from each configuration of the window whose centre is nearest the fitted n* (fresh "
     "Maxwell-Boltzmann velocities), f+ = var(N(t) - N(0))/(2t) about the runs' mean drift in the barrier-top window "
     "(as seeding's f+), bootstrap over runs; J then uses it (attachment_rate, if given, overrides it). >= 2"},
    {"attach_steps", SR_KW_LONG, offsetof(seed_umbrella_config, attach_steps), "steps", "1000", 1, 1e12, NULL,
     "length of each f+ run"},
    {"attach_every", SR_KW_LONG, offsetof(seed_umbrella_config, attach_every), "steps", "10", 1, 1e12, NULL,
     "steps between the N_max frames of an f+ run"},
    {"attach_centre", SR_KW_REAL, offsetof(seed_umbrella_config, attach_centre), "atoms", "0", 0, 1e7, NULL,
     "the f+ runs start from the configurations of the biased window nearest this centre (0: nearest the fitted n*; "
     "without a parabola at the top there is then no f+)"},
    {"attach_skip_steps", SR_KW_LONG, offsetof(seed_umbrella_config, attach_skip_steps), "steps", "0", 0, 1e12, NULL,
     "the f+ fit starts this many steps into the runs (0: at the first frame): skips the decorrelation of the "
     "classifier's label noise, whose variance enters var(N(t) - N(0)) as a plateau, not as diffusion"},
    SR_KW_END};

static const sr_keyword umb_run_keywords[] = {
    {"units", SR_KW_CHOICE, offsetof(seed_run_config, units), "", "lj", 0, 0, "lj|metal",
     "unit style (lj reduced; metal: angstrom, eV, ps, g/mol, K, bar)"},
    {"seed", SR_KW_LONG, offsetof(seed_run_config, seed), "", "2016", 0, 9.2e18, NULL,
     "run seed: every random stream derives from it and the window index"},
    SR_KW_END};

static const sr_keyword umb_output_keywords[] = {
    {"prefix", SR_KW_STRING, offsetof(seed_output_config, prefix), "", "umbrella", 0, 0, NULL,
     "output prefix: PREFIX.umbrella.nc (results), PREFIX.liquid.ckpt, PREFIX.umbrella.cnt.journal (finished "
     "windows)"},
    SR_KW_END};

static const char *const umb_sections[] = {"run", "structure", "potential", "ensemble", "order", "umbrella", "output",
                                           NULL};

void seed_umbrella_print_keys(FILE *out) { seed_job_print_keys(out, umb_run_keywords, "umbrella", seed_umbrella_keywords, umb_output_keywords); }

enum { NHEAD = 5 }; /* per window: accepted (production), accepted (equilibration), N_max at the start, trials
                       with a numerical failure (rejected), sum of |beta dH~| */

typedef struct umb {
    seed_job job;
    seed_umbrella_config uc;
    int nwin;
    double centre[SR_KW_MAXLIST + 1], kap[SR_KW_MAXLIST + 1]; /* per window (kap 0: unbiased) */
    uint64_t hash;
    char jprefix[4300];
    double kT;
    double *val; /* [nwin * (NHEAD + sweeps)] */
    int natoms;
    double rho_liquid; /* number density of the prepared liquid */
} umb;

static int key_line(const sr_section *s, const char *key)
{
    for (int i = 0; s && i < s->n; i++)
        if (strcmp(s->entries[i].key, key) == 0) return s->entries[i].line;
    return s ? s->line : 0;
}

static int umb_parse(umb *U, const char *file, sr_errlist *el)
{
    const seed_job_section own[] = {{"umbrella", seed_umbrella_keywords, &U->uc, 1, 0}};
    const seed_job_spec spec = {.sections = umb_sections, .run_keywords = umb_run_keywords,
                                .output_keywords = umb_output_keywords, .own = own, .nown = 1, .min_ensemble = 1,
                                .ensemble_need = "umbrella sampling needs ensemble = npt or nvt"};
    SR_TRY(seed_job_parse(&U->job, file, &spec, el));
    seed_job_ensemble(&U->job, &spec, el);
    const seed_umbrella_config *uc = &U->uc;
    const sr_section *sec = sr_input_section(U->job.in, "umbrella");
    double c[SR_KW_MAXLIST];
    int nc = (uc->centres.n == 1 && uc->centres.v[0] == 0) ? 0 : uc->centres.n; /* "0" alone: none given */
    for (int i = 0; i < nc; i++) c[i] = uc->centres.v[i];
    const int nk = (uc->kappas.n == 1 && uc->kappas.v[0] == 0) ? 0 : uc->kappas.n;
    const char *key = "centres";
    if (nc == 0) {
        key = "n_last";
        nc = cnt_umbrella_default_centres(uc->kappa, uc->n_last, c, SR_KW_MAXLIST);
    }
    char msg[512];
    if (!(uc->kappa > 0))
        sr_errlist_add(el, "%s:%d: [umbrella] kappa = %g must be > 0 (kT per atom^2)", file, key_line(sec, "kappa"),
                       uc->kappa);
    else if (nc == 0 && !uc->unbiased)
        sr_errlist_add(el, "%s:%d: [umbrella] no window: give centres (or n_last for the default spacing)", file,
                       key_line(sec, key));
    else if (nc > 0 && cnt_umbrella_check_windows(c, nc, uc->kappa, msg, sizeof msg))
        sr_errlist_add(el, "%s:%d: [umbrella] %s: %s", file, key_line(sec, key), key, msg);
    if (nk > 0 && nk != nc)
        sr_errlist_add(el, "%s:%d: [umbrella] kappas has %d values for %d centres (one per centre)", file,
                       key_line(sec, "kappas"), nk, nc);
    for (int i = 0; nk == nc && i < nk; i++)
        if (!(uc->kappas.v[i] > 0)) {
            sr_errlist_add(el, "%s:%d: [umbrella] kappas: item %d = %g must be > 0 (kT per atom^2)", file,
                           key_line(sec, "kappas"), i + 1, uc->kappas.v[i]);
            break;
        }
    if (uc->liquid_cells.n != 3) sr_errlist_add(el, "%s: [umbrella] liquid_cells needs 3 integers", file);
    if (U->job.sc.file[0])
        sr_errlist_add(el, "%s: [structure] file is not supported by umbrella: give a lattice (it is melted)", file);
    if (uc->nboot == 1) sr_errlist_add(el, "%s: [umbrella] bootstrap = 1: use 0 (none) or >= 2 resamples", file);
    if (uc->sweeps < uc->blocks)
        sr_errlist_add(el, "%s:%d: [umbrella] sweeps = %d is fewer than blocks = %d", file, key_line(sec, "sweeps"),
                       uc->sweeps, uc->blocks);
    if (uc->attach_runs == 1 || uc->attach_runs > uc->sweeps)
        sr_errlist_add(el, "%s:%d: [umbrella] attach_runs = %d: use 0 (no f+) or 2 .. sweeps (%d) runs", file,
                       key_line(sec, "attach_runs"), uc->attach_runs, uc->sweeps);
    if (uc->attach_runs > 0 && uc->attach_steps / uc->attach_every < 5)
        sr_errlist_add(el, "%s:%d: [umbrella] attach_steps = %ld is fewer than 5 frames of attach_every = %ld", file,
                       key_line(sec, "attach_steps"), uc->attach_steps, uc->attach_every);
    const int ncnt = (uc->dmu != 0) + (uc->rho_s > 0) + (uc->gamma > 0);
    if (ncnt != 0 && ncnt != 3)
        sr_errlist_add(el, "%s: [umbrella] the CNT curve needs all of dmu, rho_s and gamma (or none)", file);
    U->nwin = 0;
    if (uc->unbiased) {
        U->centre[0] = 0;
        U->kap[0] = 0;
        U->nwin = 1;
    }
    for (int i = 0; i < nc; i++, U->nwin++) {
        U->centre[U->nwin] = c[i];
        U->kap[U->nwin] = nk == nc && nk > 0 ? uc->kappas.v[i] : uc->kappa;
    }
    snprintf(U->jprefix, sizeof U->jprefix, "%s.umbrella", U->job.oc.prefix);
    uint64_t h = 0;
    static const char *const skip[] = {"bootstrap", "blocks", "wham_tol", "dmu", "rho_s", "gamma", "attachment_rate",
                                       "top_half_width", "attach_steps", "attach_every", "attach_skip_steps", "attach_centre", NULL};
    static const char *const sections[] = {"run", "structure", "potential", "ensemble", "order", "umbrella", NULL};
    for (int k = 0; sections[k]; k++)
        h = seed_input_hash(h, sr_input_section(U->job.in, sections[k]), strcmp(sections[k], "umbrella") ? NULL : skip);
    U->hash = h;
    U->kT = md_units_get(U->job.run.units)->boltz * U->job.ip.temperature;
    return el->n ? SR_EINVAL : SR_OK;
}

/* ================================================================================================
 * The liquid (rank 0) and the windows' starts
 * ============================================================================================== */

static const uint64_t LIQ_STREAM = 1000000000ull; /* above every window index */

static int prepare_liquid(umb *U, md_system **out)
{
    const seed_job *j = &U->job;
    const uint64_t seed = (uint64_t)j->run.seed;
    const double T = j->ip.temperature;
    char where[4300];
    snprintf(where, sizeof where, "%s: [structure]", j->file);
    const double Tmelt = U->uc.melt_temperature > 0 ? U->uc.melt_temperature : 2.0 * T;
    seed_structure_config lc = seed_liquid_lattice(&j->sc, &U->uc.liquid_cells, U->uc.liquid_density, Tmelt);
    gsl_rng *rv = sr_rng_create(seed, LIQ_STREAM, SR_RNG_VELOCITIES);
    md_system *liq = NULL;
    int rc = rv ? seed_structure_build(&lc, j->run.units, j->basedir, where, rv, &liq)
                : SR_ERROR(SR_ENOMEM, "out of memory");
    gsl_rng_free(rv);
    const double cmax = U->centre[U->nwin - 1];
    const sr_section *sec = sr_input_section(j->in, "umbrella");
    if (!rc && cmax > liq->n / 4)
        rc = SR_ERROR(SR_EINVAL, "%s:%d: [umbrella] the last centre (%g) is more than a quarter of the %d atoms of the "
                                 "liquid: a nucleus that size feels its periodic images. Raise liquid_cells",
                      j->file, key_line(sec, U->uc.centres.n > 1 || U->uc.centres.v[0] != 0 ? "centres" : "n_last"),
                      cmax, liq->n);
    if (!rc) rc = seed_liquid_melt(liq, j->pot, &j->ip, Tmelt, U->uc.melt_steps, U->uc.equil_steps, seed, LIQ_STREAM);
    if (rc) {
        md_system_free(liq);
        return rc;
    }
    for (int i = 0; i < 3 * liq->n; i++) liq->v[i] = 0.0;
    liq->step = 0;
    liq->time = 0;
    *out = liq;
    return SR_OK;
}

/* Put a spherical crystal seed of n0 atoms at the box centre and remove the n0 liquid atoms closest to it (same N:
 * every window samples one system); *dmin = the closest remaining liquid-seed distance. The interface is relaxed with
 * the seed frozen (NVT, relax_steps at a fifth of the time step: the closest pairs repel strongly). */
static int seeded_start(const umb *U, long w, int n0, md_system *s, double *dmin)
{
    const seed_job *j = &U->job;
    char where[4300];
    snprintf(where, sizeof where, "%s: [structure]", j->file);
    seed_structure_config sc = j->sc;
    sc.temperature = 0;
    md_system *xtal = NULL, *seedsys = NULL;
    double radius = 0;
    int rc = seed_structure_build(&sc, j->run.units, j->basedir, where, NULL, &xtal);
    if (!rc && xtal->n < 2 * n0)
        rc = SR_ERROR(SR_EINVAL, "%s: the [structure] crystal (%d atoms) is too small to cut a seed of %d atoms: raise "
                                 "cells", j->file, xtal->n, n0);
    if (!rc) rc = seed_cut_sphere(xtal, n0, &seedsys, &radius);
    double centre[3];
    for (int k = 0; k < 3; k++) centre[k] = s->box.lo[k] + 0.5 * s->box.len[k];
    /* each liquid atom's distance to the nearest seed atom; the n0 closest go */
    double *d2 = rc ? NULL : malloc((size_t)s->n * sizeof *d2);
    double *sorted = rc ? NULL : malloc((size_t)s->n * sizeof *sorted);
    unsigned char *keep = rc ? NULL : malloc((size_t)s->n + 1);
    if (!rc && (!d2 || !sorted || !keep)) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    if (!rc) {
        for (int i = 0; i < s->n; i++) {
            double best = INFINITY;
            for (int q = 0; q < seedsys->n; q++) {
                double d[3];
                for (int k = 0; k < 3; k++) d[k] = s->x[3 * i + k] - centre[k] - seedsys->x[3 * q + k];
                md_box_minimum_image(&s->box, d);
                const double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                if (r2 < best) best = r2;
            }
            sorted[i] = d2[i] = best;
        }
        gsl_sort(sorted, 1, (size_t)s->n);
        const double cut = sorted[n0 - 1];
        int removed = 0;
        for (int i = 0; i < s->n; i++) {
            keep[i] = !(d2[i] <= cut && removed < n0);
            removed += !keep[i];
        }
        if (dmin) *dmin = sqrt(sorted[n0]);
        rc = md_system_filter(s, keep);
    }
    if (!rc) {
        seedsys->box = s->box;
        for (int q = 0; q < seedsys->n; q++) {
            for (int k = 0; k < 3; k++) {
                seedsys->x[3 * q + k] += centre[k];
                seedsys->v[3 * q + k] = 0;
            }
        }
        md_system_wrap(seedsys);
        rc = md_system_append(s, seedsys);
    }
    unsigned char *frozen = rc ? NULL : calloc((size_t)s->n + 1, 1);
    if (!rc && !frozen) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    if (!rc) {
        for (int i = s->n - n0; i < s->n; i++) frozen[i] = 1;
        md_integrator_params rp = j->ip;
        rp.barostat = MD_BARO_NONE;
        rp.dt = 0.2 * j->ip.dt;
        gsl_rng *rv = sr_rng_create((uint64_t)j->run.seed, 2000000000ull + (uint64_t)w, SR_RNG_VELOCITIES);
        rc = rv ? md_velocity_create(s, j->ip.temperature, rv) : SR_ERROR(SR_ENOMEM, "out of memory");
        gsl_rng_free(rv);
        if (!rc) rc = seed_run_steps(s, j->pot, &rp, U->uc.relax_steps, (uint64_t)j->run.seed,
                                     2000000000ull + (uint64_t)w, frozen);
    }
    free(frozen);
    free(d2);
    free(sorted);
    free(keep);
    md_system_free(xtal);
    md_system_free(seedsys);
    return rc;
}

/* Maxwell-Boltzmann velocities at T with zero total momentum, NOT rescaled to T exactly (the HMC momentum refresh must
 * draw from the canonical distribution; md_velocity_create rescales). */
static void mb_velocities(md_system *s, double T, gsl_rng *r)
{
    const md_units *u = md_units_get(s->units);
    double p[3] = {0, 0, 0}, mtot = 0;
    for (int i = 0; i < s->n; i++) {
        const double m = s->mass[s->type[i]], sd = sqrt(u->boltz * T / (m * u->mvv2e));
        for (int k = 0; k < 3; k++) {
            s->v[3 * i + k] = gsl_ran_gaussian_ziggurat(r, sd);
            p[k] += m * s->v[3 * i + k];
        }
        mtot += m;
    }
    for (int i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++) s->v[3 * i + k] -= p[k] / mtot;
}

/* ================================================================================================
 * One window: the hybrid Monte Carlo chain
 * ============================================================================================== */

/* One trial from `cur`: fresh velocities, md_steps of dynamics. *trial receives the end configuration (NULL after a
 * numerical failure), *beta_dH the change of the effective energy / kT. */
static int hmc_segment(const umb *U, const md_system *cur, gsl_rng *rv, gsl_rng *rt, md_system **trial,
                       double *beta_dH)
{
    const seed_job *j = &U->job;
    md_system *s = md_system_copy(cur);
    if (!s) return SR_ERROR(SR_ENOMEM, "out of memory");
    s->step = 0;
    s->time = 0;
    mb_velocities(s, j->ip.temperature, rv);
    md_integrator *in = md_integrator_create(&j->ip, s, j->pot, rt);
    int rc = in ? SR_OK : (sr_error_status() ? sr_error_status() : SR_EINVAL);
    md_thermo t0, t1;
    if (!rc) rc = md_integrator_setup(in);
    if (!rc) rc = md_integrator_thermo(in, &t0);
    if (!rc) rc = md_integrator_run(in, U->uc.md_steps);
    if (!rc) rc = md_integrator_thermo(in, &t1);
    md_integrator_free(in);
    if (rc || !isfinite(t1.conserved)) {
        md_system_free(s);
        *trial = NULL;
        *beta_dH = NAN;
        sr_error_clear();
        return SR_OK;
    }
    *trial = s;
    *beta_dH = (t1.conserved - t0.conserved) / U->kT;
    return SR_OK;
}

/* ntrials hybrid Monte Carlo trials of window w's bias from *cur (N_max *ncur), streams rv (velocities), rt
 * (thermostat/barostat), ru (acceptance). A rejected trial leaves *cur and *ncur as they were: the trial runs on a
 * copy with its own integrator, neighbour list and forces (set up afresh from the positions and box), and the
 * thermostat/barostat carry no state between trials (the effective-energy change is taken within one trial).
 * v (may be NULL): v[0] += accepted, v[3] += failed trials, v[4] += |beta dH~|; series (may be NULL): N_max after
 * each trial. */
static int hmc_chain(const umb *U, long w, order_analyzer *an, md_system **cur, double *ncur, int ntrials, gsl_rng *rv,
                     gsl_rng *rt, gsl_rng *ru, double *v, double *series)
{
    int rc = SR_OK;
    for (int k = 0; !rc && k < ntrials; k++) {
        md_system *trial = NULL;
        double bdH = NAN;
        order_cluster_result cr;
        rc = hmc_segment(U, *cur, rv, rt, &trial, &bdH);
        double nnew = *ncur;
        if (!rc && trial) {
            rc = order_analyze_frame(an, trial, &cr);
            nnew = cr.nmax;
        }
        const double u = gsl_rng_uniform(ru); /* drawn every trial: the stream does not depend on the outcomes */
        if (rc) {
            md_system_free(trial);
            break;
        }
        const double dw = cnt_umbrella_bias(U->kap[w], U->centre[w], nnew) -
                          cnt_umbrella_bias(U->kap[w], U->centre[w], *ncur);
        const int acc = trial && cnt_hmc_accept(bdH, dw, u);
        if (v && !trial) v[3] += 1;
        else if (v) v[4] += fabs(bdH);
        if (acc) {
            md_system_free(*cur);
            *cur = trial;
            *ncur = nnew;
            if (v) v[0] += 1;
        } else {
            md_system_free(trial);
        }
        if (series) series[k] = *ncur;
    }
    return rc;
}

static const uint64_t LADDER_STREAM = 3000000000ull; /* + window index: the ladder's own streams */

/* start = grown / shrunk (rank 0): the ladder. One configuration passes from window to window in order of centre
 * (grown: up from the liquid; shrunk: down from one seed of seed_factor x the largest centre, inserted and relaxed as
 * for start = seeded), grow_sweeps trials of each window's bias, so that every window starts from its neighbour's
 * equilibrated configuration (Auer & Frenkel, JCP 120, 3015 (2004)) instead of from a fresh seed with a strained
 * surface. starts[w] = NULL for the unbiased window (it starts from the liquid). */
static int grow_starts(const umb *U, const md_system *liq, order_analyzer *an, md_system **starts)
{
    const uint64_t seed = (uint64_t)U->job.run.seed;
    const int down = U->uc.start == 1;
    md_system *cur = md_system_copy(liq);
    if (!cur) return SR_ERROR(SR_ENOMEM, "out of memory");
    for (int w = 0; w < U->nwin; w++) starts[w] = NULL;
    int rc = SR_OK;
    if (down) {
        const int last = U->nwin - 1;
        const int n0 = (int)floor(U->uc.seed_factor * U->centre[last] + 0.5);
        double dmin = NAN;
        rc = n0 >= 5 ? seeded_start(U, last, n0, cur, &dmin) : SR_OK;
        if (!rc && n0 >= 5)
            printf("[umbrella] ladder starts from a seed of %d atoms in place of the %d liquid atoms closest to it "
                   "(closest remaining pair %.3g)\n", n0, n0, dmin);
    }
    order_cluster_result cr;
    if (!rc) rc = order_analyze_frame(an, cur, &cr);
    double ncur = rc ? 0 : cr.nmax;
    const double t0 = seed_now_s();
    for (int k = 0; !rc && k < U->nwin; k++) {
        const int w = down ? U->nwin - 1 - k : k;
        if (!(U->kap[w] > 0)) continue;
        gsl_rng *rv = sr_rng_create(seed, LADDER_STREAM + (uint64_t)w, SR_RNG_VELOCITIES);
        gsl_rng *rt = sr_rng_create(seed, LADDER_STREAM + (uint64_t)w, SR_RNG_THERMOSTAT);
        gsl_rng *ru = sr_rng_create(seed, LADDER_STREAM + (uint64_t)w, SR_RNG_USER + 1);
        double v[NHEAD] = {0};
        const double n0 = ncur;
        rc = (rv && rt && ru) ? hmc_chain(U, w, an, &cur, &ncur, U->uc.grow_sweeps, rv, rt, ru, v, NULL)
                              : SR_ERROR(SR_ENOMEM, "out of memory");
        gsl_rng_free(rv);
        gsl_rng_free(rt);
        gsl_rng_free(ru);
        if (!rc && !(starts[w] = md_system_copy(cur))) rc = SR_ERROR(SR_ENOMEM, "out of memory");
        if (!rc)
            printf("[umbrella] ladder: window %d (centre %g, kappa %g): N_max %g -> %g in %d trials, acceptance %.2f "
                   "(%.0f s)\n", w, U->centre[w], U->kap[w], n0, ncur, U->uc.grow_sweeps,
                   v[0] / U->uc.grow_sweeps, seed_now_s() - t0);
        fflush(stdout);
    }
    md_system_free(cur);
    return rc;
}

/* Configuration a of window w's production (attach_runs > 0). */
static void snapshot_path(const umb *U, long w, int a, char *path, size_t len)
{
    snprintf(path, len, "%s.w%ld.s%d.ckpt", U->jprefix, w, a);
}

/* Window w: v = NHEAD header values, then N_max after each production trial. start: the grown start (NULL: the
 * liquid, with a seed inserted for start = seeded and centres >= 5). */
static int window_task(umb *U, long w, const md_system *liq, const md_system *start, order_analyzer *an, double *v)
{
    const seed_job *j = &U->job;
    const uint64_t seed = (uint64_t)j->run.seed;
    md_system *cur = md_system_copy(start ? start : liq);
    if (!cur) return SR_ERROR(SR_ENOMEM, "out of memory");
    const int n0 = !start && U->uc.start == 2 && U->centre[w] >= 5
                       ? (int)floor(U->uc.seed_factor * U->centre[w] + 0.5) : 0;
    double dmin = NAN;
    int rc = n0 >= 5 ? seeded_start(U, w, n0, cur, &dmin) : SR_OK;
    gsl_rng *rv = sr_rng_create(seed, (uint64_t)w, SR_RNG_VELOCITIES);
    gsl_rng *rt = sr_rng_create(seed, (uint64_t)w, SR_RNG_THERMOSTAT);
    gsl_rng *ru = sr_rng_create(seed, (uint64_t)w, SR_RNG_USER + 1);
    if (!rc && (!rv || !rt || !ru)) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    order_cluster_result cr;
    if (!rc) rc = order_analyze_frame(an, cur, &cr);
    double ncur = rc ? 0 : cr.nmax;
    if (!rc && n0 >= 5)
        printf("[umbrella] window %ld: seed of %d atoms in place of the %d liquid atoms closest to it (closest "
               "remaining pair %.3g); N_max after the relaxation %g\n", w, n0, n0, dmin, ncur);
    for (int k = 0; k < NHEAD; k++) v[k] = 0;
    v[2] = ncur;
    const int ne = U->uc.equil_sweeps, ns = U->uc.sweeps;
    double ve[NHEAD] = {0};
    if (!rc) rc = hmc_chain(U, w, an, &cur, &ncur, ne, rv, rt, ru, ve, NULL);
    v[1] = ve[0];
    v[3] = ve[3];
    v[4] = ve[4];
    /* production in chunks: with attach_runs, a configuration after each chunk of ns/attach_runs trials (the chain
     * is the same as in one call: its state is (cur, ncur) and the streams) */
    const int na = U->kap[w] > 0 ? U->uc.attach_runs : 0;
    for (int a = 0, done = 0; !rc && a < (na > 0 ? na : 1); a++) {
        const int upto = na > 0 ? (int)((long)ns * (a + 1) / na) : ns;
        rc = hmc_chain(U, w, an, &cur, &ncur, upto - done, rv, rt, ru, v, v + NHEAD + done);
        done = upto;
        if (!rc && na > 0) {
            char path[4400];
            snapshot_path(U, w, a, path, sizeof path);
            rc = md_checkpoint_write(path, cur, NULL);
        }
    }
    md_system_free(cur);
    gsl_rng_free(rv);
    gsl_rng_free(rt);
    gsl_rng_free(ru);
    return rc;
}

/* Windows over the ranks (journal first); U->val on every rank afterwards. */
static int run_windows(umb *U, const md_system *liq, md_system *const *starts, order_analyzer *an)
{
    const int rank = seed_comm_rank();
    const long ntask = U->nwin;
    const size_t nv = (size_t)NHEAD + (size_t)U->uc.sweeps;
    double *values = U->val;
    unsigned char *have = calloc((size_t)ntask, 1);
    double *hv = calloc((size_t)ntask, sizeof *hv);
    long *todo = malloc((size_t)ntask * sizeof *todo);
    int rc = (!have || !hv || !todo) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    for (size_t k = 0; !rc && k < ntask * nv; k++) values[k] = 0;
    if (!rc && rank == 0) {
        long n = seed_journal_load(U->jprefix, "umb-window", U->hash, ntask, nv, values, have);
        if (n) printf("[umbrella] resuming: %ld of %ld windows already finished (journal)\n", n, ntask);
        for (long k = 0; k < ntask; k++) hv[k] = have[k];
    }
    if (!rc) rc = seed_comm_allreduce_sum_double(hv, (int)ntask);
    long ntodo = 0;
    for (long k = 0; !rc && k < ntask; k++)
        if (hv[k] == 0) todo[ntodo++] = k;
    seed_queue *q = NULL;
    if (!seed_comm_any(rc)) rc = seed_queue_create(2, &q);
    const double t0 = seed_now_s();
    double *v = malloc(nv * sizeof *v);
    if (!v && !rc) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    while (!rc && q) {
        long k = seed_queue_fetch_add(q, 0, 1);
        if (k >= ntodo) break;
        const long idx = todo[k];
        rc = window_task(U, idx, liq, starts ? starts[idx] : NULL, an, v);
        if (rc) break;
        memcpy(values + idx * nv, v, nv * sizeof *v);
        rc = seed_journal_append(U->jprefix, "umb-window", U->hash, idx, v, nv);
        const long ndone = seed_queue_fetch_add(q, 1, 1) + 1;
        /* every rank reports its own windows (rank 0 may be busy with a long one) */
        const double el = seed_now_s() - t0, eta = el / ndone * (ntodo - ndone);
        printf("[umbrella] window %ld (centre %g): acceptance %.2f, mean N_max %.1f | %ld/%ld windows done, %.0f s, "
               "ETA %.0f s\n", idx, U->centre[idx], v[0] / U->uc.sweeps,
               gsl_stats_mean(v + NHEAD, 1, (size_t)U->uc.sweeps), ndone, ntodo, el, eta);
        fflush(stdout);
    }
    free(v);
    int any = seed_comm_any(rc);
    if (q) seed_queue_free(q);
    if (!any) any = seed_comm_allreduce_sum_double(values, (int)(ntask * nv));
    if (any && rc) fprintf(stderr, "seedrate: error (rank %d): %s\n", rank, sr_error_message());
    free(have);
    free(hv);
    free(todo);
    return any ? (rc ? rc : SR_EFAILED) : SR_OK;
}

/* ================================================================================================
 * Free energy and PREFIX.umbrella.nc (rank 0)
 * ============================================================================================== */

typedef struct umb_results {
    int nbins;
    double *hist, *bias, *F, *sd, *fwin, *dg, *cntc, *overlap;
    int n_basin, n_star, have_barrier;
    double dg_star, dg_star_err, barrier, barrier_err, n_star_sd, n_star_lo, n_star_hi;
    double cnt_n_star, cnt_dg_star, mean_abs_bdH;
    double fit_n_star, fit_dg_star, fit_curv, zeldovich, log10_j; /* parabola at the top, J (NaN: none) */
    double fit_n_star_sd, fit_dg_star_sd, zeldovich_sd, log10_j_sd, log10_j_lo, log10_j_hi;
    /* log10(rho_l Z exp(-dG*)) = log10 J for f+ = 1 (time^-1), its bootstrap sd and 68% interval */
    double log10_ju, log10_ju_sd, log10_ju_lo, log10_ju_hi;
    double f_plus;     /* f+ in J: attachment_rate if given, else the measured one (NaN: none) */
    /* measured f+ (attach_runs > 0): runs from the configurations of window att_window */
    int att_window, att_nrep, att_ok;
    size_t att_nt;
    double att_var_top, att_n0_mean, att_n0_sd;
    double *att_t, *att_N; /* [att_nt], [att_nrep * att_nt] */
    seed_attach_out att;
    char att_msg[256];
    int wham_iters;
    long nfailed;
    int boot_ok;
} umb_results;

static void results_free(umb_results *R)
{
    free(R->hist), free(R->bias), free(R->F), free(R->sd), free(R->fwin), free(R->dg), free(R->cntc);
    free(R->overlap);
    free(R->att_t), free(R->att_N);
}

static int write_umbrella_nc(const umb *U, const umb_results *R)
{
    char path[4300];
    snprintf(path, sizeof path, "%s.umbrella.nc", U->job.oc.prefix);
    const md_units *u = md_units_get(U->job.run.units);
    const int nw = U->nwin, nb = R->nbins, M = U->uc.sweeps;
    const size_t nv = (size_t)NHEAD + (size_t)M;
    char dmu_u[64], rho_u[64], gam_u[96];
    snprintf(dmu_u, sizeof dmu_u, "%s", u->energy);
    snprintf(rho_u, sizeof rho_u, "%s^-3", u->length);
    snprintf(gam_u, sizeof gam_u, "%s/%s^2", u->energy, u->length);
    char att_u[64], j_u[128], drift_u[80];
    snprintf(att_u, sizeof att_u, "%s^-1", u->time);
    snprintf(drift_u, sizeof drift_u, "atoms %s^-1", u->time);
    snprintf(j_u, sizeof j_u, "log10(%s^-3 %s^-1)", u->length, u->time);
    io_ncfile *f;
    SR_TRY(io_ncfile_create(path, &f));
    int rc = SR_OK;
#define TRY(e) do { if (!rc) rc = (e); } while (0)
    const char *d_w[] = {"window"}, *d_n[] = {"n"}, *d_wn[] = {"window", "n"}, *d_ws[] = {"window", "sample"};
    TRY(io_ncfile_put_att_text(f, NULL, "title", "seedrate umbrella sampling of the largest crystalline cluster"));
    TRY(io_ncfile_put_att_text(f, NULL, "units_style", u->name));
    TRY(io_ncfile_put_att_text(f, NULL, "method",
                               "bias w_i(n) = (kappa/2)(n - c_i)^2 kT on n = N_max; hybrid Monte Carlo with MD trial "
                               "segments accepted with min(1, exp(-beta dH_eff - beta dw)) (ten Wolde, Ruiz-Montero & "
                               "Frenkel 1996; Auer & Frenkel 2001; Bussi & Parrinello 2007); WHAM over integer bins "
                               "(Kumar et al. 1992; = MBAR); block bootstrap errors"));
    TRY(io_ncfile_put_att_text(f, NULL, "free_energy_definition",
                               "F(n) = -ln P(N_max = n); dG(n)/kT = -ln(P(N_max = n)/N_atoms), the formation free "
                               "energy of an n-cluster where one such cluster dominates (n above the liquid's typical "
                               "N_max)"));
    TRY(io_ncfile_def_dim(f, "window", (size_t)nw));
    TRY(io_ncfile_def_dim(f, "n", (size_t)nb));
    TRY(io_ncfile_def_dim(f, "sample", (size_t)M));
    TRY(io_ncfile_def_var(f, "centre", IO_NC_DOUBLE, 1, d_w, "atoms", "window centre c_i"));
    TRY(io_ncfile_def_var(f, "kappa", IO_NC_DOUBLE, 1, d_w, "kT atom^-2", "window spring constant (0: unbiased)"));
    TRY(io_ncfile_def_var(f, "acceptance", IO_NC_DOUBLE, 1, d_w, "1", "accepted fraction of the production trials"));
    TRY(io_ncfile_def_var(f, "acceptance_equil", IO_NC_DOUBLE, 1, d_w, "1",
                          "accepted fraction of the equilibration trials"));
    TRY(io_ncfile_def_var(f, "n_max_start", IO_NC_INT, 1, d_w, "atoms", "N_max of the window's start"));
    TRY(io_ncfile_def_var(f, "n_max_mean", IO_NC_DOUBLE, 1, d_w, "atoms", "mean N_max of the window's samples"));
    TRY(io_ncfile_def_var(f, "failed_trials", IO_NC_INT, 1, d_w, "1", "trials stopped by a numerical failure "
                                                                          "(rejected)"));
    TRY(io_ncfile_def_var(f, "mean_abs_beta_dh", IO_NC_DOUBLE, 1, d_w, "1",
                          "mean |change of the integrator's effective energy| / kT per trial (time-step error)"));
    TRY(io_ncfile_def_var(f, "window_free_energy", IO_NC_DOUBLE, 1, d_w, "kT", "WHAM f_i (f_0 = 0)"));
    TRY(io_ncfile_def_var(f, "overlap_next", IO_NC_DOUBLE, 1, d_w, "1",
                          "overlap sum_n min(p_i(n), p_i+1(n)) of the window's N_max histogram with the next "
                          "window's (NaN for the last)"));
    TRY(io_ncfile_def_var(f, "n_max_series", IO_NC_INT, 2, d_ws, "atoms", "N_max after each production trial"));
    TRY(io_ncfile_def_var(f, "histogram", IO_NC_INT, 2, d_wn, "1", "samples of each window at N_max = n"));
    TRY(io_ncfile_def_var(f, "n", IO_NC_INT, 1, d_n, "atoms", "largest cluster size"));
    TRY(io_ncfile_def_var(f, "free_energy_nmax", IO_NC_DOUBLE, 1, d_n, "kT",
                          "F(n) = -ln P(N_max = n), minimum 0 (NaN: not sampled)"));
    TRY(io_ncfile_def_var(f, "dg", IO_NC_DOUBLE, 1, d_n, "kT", "dG(n)/kT = -ln(P(N_max = n)/N_atoms)"));
    TRY(io_ncfile_def_var(f, "dg_err", IO_NC_DOUBLE, 1, d_n, "kT", "bootstrap standard deviation of dG(n)"));
    TRY(io_ncfile_def_var(f, "dg_cnt", IO_NC_DOUBLE, 1, d_n, "kT",
                          "CNT: (-n |dmu| + (36 pi)^(1/3) rho_s^(-2/3) gamma n^(2/3)) / kT (NaN without dmu, rho_s, "
                          "gamma)"));
    struct { const char *name, *unit, *ln; } sc[] = {
        {"temperature", u->temperature, "temperature"},
        {"pressure", u->pressure, "pressure (NPT target)"},
        {"n_atoms", "atoms", "atoms in the system"},
        {"md_steps", "steps", "MD steps per trial"},
        {"n_basin", "atoms", "N_max at the minimum of F (the liquid basin)"},
        {"n_star", "atoms", "n*: maximum of dG(n) above the basin"},
        {"n_star_sd", "atoms", "bootstrap standard deviation of n*"},
        {"n_star_lo68", "atoms", "bootstrap 68% interval of n*, low"},
        {"n_star_hi68", "atoms", "bootstrap 68% interval of n*, high"},
        {"dg_star", "kT", "dG*/kT = dG(n*)/kT"},
        {"dg_star_err", "kT", "bootstrap standard deviation of dG* (each resample's own maximum)"},
        {"barrier_nmax", "kT", "F(n*) - F(n_basin): the barrier of the N_max free energy"},
        {"barrier_nmax_err", "kT", "bootstrap standard deviation of barrier_nmax"},
        {"dmu", dmu_u, "dmu of the CNT curve (NaN: none)"},
        {"rho_s", rho_u, "rho_s of the CNT curve (NaN: none)"},
        {"gamma", gam_u, "gamma of the CNT curve (NaN: none)"},
        {"cnt_n_star", "atoms", "CNT n* = 32 pi gamma^3 / (3 rho_s^2 |dmu|^3) (NaN: none)"},
        {"cnt_dg_star", "kT", "CNT dG*/kT = 16 pi gamma^3 / (3 rho_s^2 dmu^2 kT) (NaN: none)"},
        {"top_n_star", "atoms", "n* of the parabola fitted to dG(n) within top_half_width of the highest bin"},
        {"top_n_star_sd", "atoms", "bootstrap standard deviation of top_n_star"},
        {"top_dg_star", "kT", "dG*/kT of the parabola fitted to the top"},
        {"top_dg_star_sd", "kT", "bootstrap standard deviation of top_dg_star"},
        {"top_curvature", "kT atom^-2", "d2(dG/kT)/dn2 of the fitted parabola"},
        {"zeldovich", "1", "Zeldovich factor sqrt(-top_curvature / (2 pi))"},
        {"zeldovich_sd", "1", "bootstrap standard deviation of the Zeldovich factor"},
        {"rho_liquid", rho_u, "number density of the prepared liquid"},
        {"attachment_rate", att_u, "f+ used in J: the input's attachment_rate, else attachment_rate_measured (NaN: "
                                   "none)"},
        {"attachment_rate_measured", att_u, "f+ = var(N(t) - N(0))/(2t) about the mean drift of the attach runs from "
                                            "the window nearest n* (NaN: not measured)"},
        {"attachment_rate_lo68", att_u, "bootstrap (over attach runs) 68% interval of attachment_rate_measured, low"},
        {"attachment_rate_hi68", att_u, "bootstrap 68% interval of attachment_rate_measured, high"},
        {"attachment_rate_lo95", att_u, "bootstrap 95% interval of attachment_rate_measured, low"},
        {"attachment_rate_hi95", att_u, "bootstrap 95% interval of attachment_rate_measured, high"},
        {"attach_window_centre", "atoms", "centre of the window whose configurations started the attach runs"},
        {"attach_n_max_start_mean", "atoms", "mean N_max at the start of the attach runs"},
        {"attach_fit_t0", u->time, "f+ fit window, first time"},
        {"attach_fit_t1", u->time, "f+ fit window, last time (the barrier-top rule with attach_var_top)"},
        {"attach_drift", drift_u, "mean drift of N_max in the f+ fit window"},
        {"attach_var_top", "atoms^2", "1/(pi Z^2): growth of var(N(t) - N(0)) that ends the f+ fit window"},
        {"log10_j_per_fplus", "1", "log10(rho_liquid zeldovich exp(-top_dg_star)) = log10 J for f+ = 1 time^-1"},
        {"log10_j", j_u, "log10 J, J = rho_liquid zeldovich attachment_rate exp(-top_dg_star) (NaN: no f+)"},
        {"log10_j_sd", "1", "standard deviation of log10 J: WHAM bootstrap and (measured f+) the f+ bootstrap's 68% "
                            "half-width in quadrature"},
        {"log10_j_lo68", "1", "68% interval of log10 J, low (WHAM bootstrap percentile and, for a measured f+, the f+ "
                              "bootstrap's in quadrature)"},
        {"log10_j_hi68", "1", "68% interval of log10 J, high"},
    };
    const int nsc = (int)(sizeof sc / sizeof *sc);
    for (int k = 0; k < nsc; k++) TRY(io_ncfile_def_var(f, sc[k].name, IO_NC_DOUBLE, 0, NULL, sc[k].unit, sc[k].ln));
    const int has_att = R->att_window >= 0 && R->att_N && R->att_t;
    const char *d_af[] = {"attach_frame"}, *d_ar[] = {"attach_run", "attach_frame"};
    if (has_att) {
        TRY(io_ncfile_def_dim(f, "attach_run", (size_t)R->att_nrep));
        TRY(io_ncfile_def_dim(f, "attach_frame", R->att_nt));
        TRY(io_ncfile_def_var(f, "attach_time", IO_NC_DOUBLE, 1, d_af, u->time, "time of the attach runs' frames"));
        TRY(io_ncfile_def_var(f, "attach_n_max", IO_NC_DOUBLE, 2, d_ar, "atoms",
                              "N_max(t) of each unbiased attach run (f+)"));
    }
    const int hc = U->uc.dmu != 0;
    const double val[] = {U->job.ip.temperature, U->job.ip.pressure, U->natoms, (double)U->uc.md_steps,
                          R->have_barrier ? R->n_basin : NAN, R->have_barrier ? R->n_star : NAN, R->n_star_sd,
                          R->n_star_lo, R->n_star_hi, R->dg_star, R->dg_star_err, R->barrier, R->barrier_err,
                          hc ? U->uc.dmu : NAN, hc ? U->uc.rho_s : NAN, hc ? U->uc.gamma : NAN, R->cnt_n_star,
                          R->cnt_dg_star, R->fit_n_star, R->fit_n_star_sd, R->fit_dg_star, R->fit_dg_star_sd,
                          R->fit_curv, R->zeldovich, R->zeldovich_sd, U->rho_liquid,
                          R->f_plus, R->att_ok ? R->att.fit.f_plus : NAN,
                          R->att_ok && R->att.boot_ok ? R->att.boot.lo68 : NAN,
                          R->att_ok && R->att.boot_ok ? R->att.boot.hi68 : NAN,
                          R->att_ok && R->att.boot_ok ? R->att.boot.lo95 : NAN,
                          R->att_ok && R->att.boot_ok ? R->att.boot.hi95 : NAN,
                          R->att_window >= 0 ? U->centre[R->att_window] : NAN, R->att_n0_mean,
                          R->att_ok ? R->att.fit.t0 : NAN, R->att_ok ? R->att.fit.t1 : NAN,
                          R->att_ok ? R->att.fit.drift : NAN, R->att_window >= 0 ? R->att_var_top : NAN, R->log10_ju,
                          R->log10_j, R->log10_j_sd, R->log10_j_lo, R->log10_j_hi};
    const size_t nbuf = (size_t)nw * (M > nb ? M : nb) + 16;
    int *ib = malloc(nbuf * sizeof *ib);
    double *db = malloc(nbuf * sizeof *db);
    if (!ib || !db) rc = rc ? rc : SR_ERROR(SR_ENOMEM, "out of memory");
    if (!rc) {
        TRY(io_ncfile_put_double(f, "centre", NULL, NULL, U->centre));
        TRY(io_ncfile_put_double(f, "kappa", NULL, NULL, U->kap));
        for (int w = 0; w < nw; w++) db[w] = U->val[w * nv] / M;
        TRY(io_ncfile_put_double(f, "acceptance", NULL, NULL, db));
        for (int w = 0; w < nw; w++) db[w] = U->uc.equil_sweeps ? U->val[w * nv + 1] / U->uc.equil_sweeps : NAN;
        TRY(io_ncfile_put_double(f, "acceptance_equil", NULL, NULL, db));
        for (int w = 0; w < nw; w++) ib[w] = (int)U->val[w * nv + 2];
        TRY(io_ncfile_put_int(f, "n_max_start", NULL, NULL, ib));
        for (int w = 0; w < nw; w++) db[w] = gsl_stats_mean(U->val + w * nv + NHEAD, 1, (size_t)M);
        TRY(io_ncfile_put_double(f, "n_max_mean", NULL, NULL, db));
        for (int w = 0; w < nw; w++) ib[w] = (int)U->val[w * nv + 3];
        TRY(io_ncfile_put_int(f, "failed_trials", NULL, NULL, ib));
        for (int w = 0; w < nw; w++) {
            const double ok = U->uc.equil_sweeps + M - U->val[w * nv + 3];
            db[w] = ok > 0 ? U->val[w * nv + 4] / ok : NAN;
        }
        TRY(io_ncfile_put_double(f, "mean_abs_beta_dh", NULL, NULL, db));
        TRY(io_ncfile_put_double(f, "window_free_energy", NULL, NULL, R->fwin));
        TRY(io_ncfile_put_double(f, "overlap_next", NULL, NULL, R->overlap));
        for (int w = 0; w < nw; w++)
            for (int t = 0; t < M; t++) ib[w * M + t] = (int)U->val[w * nv + NHEAD + t];
        TRY(io_ncfile_put_int(f, "n_max_series", NULL, NULL, ib));
        for (size_t k = 0; k < (size_t)nw * nb; k++) ib[k] = (int)R->hist[k];
        TRY(io_ncfile_put_int(f, "histogram", NULL, NULL, ib));
        for (int n = 0; n < nb; n++) ib[n] = n;
        TRY(io_ncfile_put_int(f, "n", NULL, NULL, ib));
        const double Fmin = R->have_barrier ? R->F[R->n_basin] : 0;
        for (int n = 0; n < nb; n++) db[n] = isfinite(R->F[n]) ? R->F[n] - Fmin : NAN;
        TRY(io_ncfile_put_double(f, "free_energy_nmax", NULL, NULL, db));
        for (int n = 0; n < nb; n++) db[n] = isfinite(R->dg[n]) ? R->dg[n] : NAN;
        TRY(io_ncfile_put_double(f, "dg", NULL, NULL, db));
        TRY(io_ncfile_put_double(f, "dg_err", NULL, NULL, R->sd));
        TRY(io_ncfile_put_double(f, "dg_cnt", NULL, NULL, R->cntc));
        for (int k = 0; k < nsc; k++) TRY(io_ncfile_put_double(f, sc[k].name, NULL, NULL, &val[k]));
        if (has_att) {
            TRY(io_ncfile_put_double(f, "attach_time", NULL, NULL, R->att_t));
            TRY(io_ncfile_put_double(f, "attach_n_max", NULL, NULL, R->att_N));
        }
    }
    free(ib);
    free(db);
#undef TRY
    if (rc) {
        io_ncfile_abort(f);
        return rc;
    }
    return io_ncfile_commit(f);
}

/* WHAM, the barrier, the parabola at the top and the bootstrap (rank 0); *out owns the arrays. */
static int analyse(umb *U, umb_results *out)
{
    const int nw = U->nwin, M = U->uc.sweeps;
    const size_t nv = (size_t)NHEAD + (size_t)M;
    umb_results R;
    memset(&R, 0, sizeof R);
    int nmax = 0;
    for (int w = 0; w < nw; w++)
        for (int t = 0; t < M; t++)
            if (U->val[w * nv + NHEAD + t] > nmax) nmax = (int)U->val[w * nv + NHEAD + t];
    const int nb = R.nbins = nmax + 1;
    R.hist = calloc((size_t)nw * nb, sizeof *R.hist);
    R.bias = calloc((size_t)nw * nb, sizeof *R.bias);
    R.F = malloc((size_t)nb * sizeof *R.F);
    R.sd = malloc((size_t)nb * sizeof *R.sd);
    R.dg = malloc((size_t)nb * sizeof *R.dg);
    R.cntc = malloc((size_t)nb * sizeof *R.cntc);
    R.fwin = calloc((size_t)nw, sizeof *R.fwin);
    int **x = calloc((size_t)nw, sizeof *x);
    long *len = calloc((size_t)nw, sizeof *len);
    const size_t nboot = (size_t)U->uc.nboot;
    double *Fall = nboot ? malloc(nboot * nb * sizeof *Fall) : NULL;
    int rc = (!R.hist || !R.bias || !R.F || !R.sd || !R.dg || !R.cntc || !R.fwin || !x || !len || (nboot && !Fall))
                 ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    for (int w = 0; !rc && w < nw; w++) {
        x[w] = malloc((size_t)M * sizeof **x);
        if (!x[w]) {
            rc = SR_ERROR(SR_ENOMEM, "out of memory");
            break;
        }
        len[w] = M;
        for (int t = 0; t < M; t++) {
            x[w][t] = (int)U->val[w * nv + NHEAD + t];
            R.hist[(size_t)w * nb + x[w][t]] += 1;
        }
        for (int n = 0; n < nb; n++) R.bias[(size_t)w * nb + n] = cnt_umbrella_bias(U->kap[w], U->centre[w], n);
        R.nfailed += (long)U->val[w * nv + 3];
    }
    /* overlap of neighbouring windows' histograms (windows in order of centre, the unbiased one first) */
    R.overlap = malloc((size_t)nw * sizeof *R.overlap);
    if (!rc && !R.overlap) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    for (int w = 0; !rc && w < nw; w++) {
        R.overlap[w] = NAN;
        if (w + 1 == nw) break;
        double o = 0;
        for (int n = 0; n < nb; n++) {
            const double a = R.hist[(size_t)w * nb + n] / M, b = R.hist[(size_t)(w + 1) * nb + n] / M;
            o += a < b ? a : b;
        }
        R.overlap[w] = o;
    }
    const cnt_wham_opts o = {.tol = U->uc.wham_tol, .max_iter = 1000000};
    int iters = 0;
    if (!rc) rc = cnt_wham_solve(nw, nb, R.hist, R.bias, &o, R.F, R.fwin, 0, &iters);
    R.wham_iters = iters;
    if (rc) goto out;
    const double lnN = log((double)U->natoms);
    for (int n = 0; n < nb; n++) {
        R.dg[n] = R.F[n] + lnN;
        R.sd[n] = NAN;
        R.cntc[n] = U->uc.dmu != 0 ? cnt_umbrella_cnt_curve(n, U->uc.dmu, U->uc.rho_s, U->uc.gamma, U->kT) : NAN;
    }
    R.have_barrier = cnt_umbrella_barrier(nb, R.F, &R.n_basin, &R.n_star) == SR_OK;
    sr_error_clear();
    R.dg_star = R.barrier = R.dg_star_err = R.barrier_err = R.n_star_sd = R.n_star_lo = R.n_star_hi = NAN;
    R.cnt_n_star = R.cnt_dg_star = NAN;
    if (U->uc.dmu != 0 && cnt_critical_size(U->uc.gamma, -fabs(U->uc.dmu), U->uc.rho_s, &R.cnt_n_star,
                                            &R.cnt_dg_star) == SR_OK)
        R.cnt_dg_star /= U->kT;
    sr_error_clear();
    R.fit_n_star = R.fit_dg_star = R.fit_curv = R.zeldovich = R.log10_j = NAN;
    R.fit_n_star_sd = R.fit_dg_star_sd = R.zeldovich_sd = R.log10_j_sd = R.log10_j_lo = R.log10_j_hi = NAN;
    R.log10_ju = R.log10_ju_sd = R.log10_ju_lo = R.log10_ju_hi = R.f_plus = NAN;
    R.att_window = -1;
    R.att_var_top = R.att_n0_mean = R.att_n0_sd = NAN;
    const double clast = U->centre[nw - 1]; /* a top must lie within the windows, not in the last one's outer tail */
    if (R.have_barrier) {
        R.dg_star = R.dg[R.n_star];
        R.barrier = R.F[R.n_star] - R.F[R.n_basin];
        if (R.n_star > clast)
            printf("[umbrella] warning: no top: the highest bin (N_max = %d) lies beyond the last window's centre (%g), "
                   "dG(n) still rises where the windows end - no parabola, no Z, no J; add centres beyond %d\n",
                   R.n_star, clast, R.n_star);
        else if (cnt_umbrella_top_fit(nb, R.dg, R.n_star, U->uc.top_half_width, &R.fit_n_star, &R.fit_dg_star, &R.fit_curv,
                                 &R.zeldovich) == SR_OK)
            R.log10_ju = cnt_umbrella_log10_rate(U->rho_liquid, R.zeldovich, 1.0, R.fit_dg_star);
        else
            printf("[umbrella] warning: no parabola at the top (%s)\n", sr_error_message());
        sr_error_clear();
    }
    if (nboot >= 2) {
        gsl_rng *rb = sr_rng_create((uint64_t)U->job.run.seed, 0, SR_RNG_BOOTSTRAP);
        R.boot_ok = rb && cnt_wham_bootstrap(nw, nb, (const int *const *)x, len, R.bias, U->uc.blocks, nboot, rb, &o,
                                             R.sd, Fall) == SR_OK;
        gsl_rng_free(rb);
        if (!R.boot_ok) printf("[umbrella] warning: bootstrap failed (%s): no errors\n", sr_error_message());
        sr_error_clear();
    }
    if (R.boot_ok && R.have_barrier) {
        double *ns = malloc(nboot * sizeof *ns), *gs = malloc(nboot * sizeof *gs), *bs = malloc(nboot * sizeof *bs);
        double *tn = malloc(nboot * sizeof *tn), *tg = malloc(nboot * sizeof *tg), *tz = malloc(nboot * sizeof *tz);
        double *tj = malloc(nboot * sizeof *tj), *dgk = malloc((size_t)nb * sizeof *dgk);
        size_t m = 0, mt = 0, mj = 0;
        for (size_t k = 0; ns && gs && bs && tn && tg && tz && tj && dgk && k < nboot; k++) {
            int b0, b1;
            if (cnt_umbrella_barrier(nb, Fall + k * nb, &b0, &b1) != SR_OK) continue;
            ns[m] = b1;
            gs[m] = Fall[k * nb + b1] + lnN;
            bs[m] = Fall[k * nb + b1] - Fall[k * nb + b0];
            m++;
            for (int n = 0; n < nb; n++) dgk[n] = Fall[k * nb + n] + lnN;
            double c;
            if (!isfinite(R.fit_dg_star) || b1 > clast) continue;
            if (cnt_umbrella_top_fit(nb, dgk, b1, U->uc.top_half_width, &tn[mt], &tg[mt], &c, &tz[mt]) != SR_OK)
                continue;
            const double lj = cnt_umbrella_log10_rate(U->rho_liquid, tz[mt], 1.0, tg[mt]);
            mt++;
            if (isfinite(lj)) tj[mj++] = lj;
        }
        sr_error_clear();
        if (mt >= 2) {
            R.fit_n_star_sd = gsl_stats_sd(tn, 1, mt);
            R.fit_dg_star_sd = gsl_stats_sd(tg, 1, mt);
            R.zeldovich_sd = gsl_stats_sd(tz, 1, mt);
        }
        if (mj >= 2) {
            R.log10_ju_sd = gsl_stats_sd(tj, 1, mj);
            gsl_sort(tj, 1, mj);
            R.log10_ju_lo = gsl_stats_quantile_from_sorted_data(tj, 1, mj, 0.16);
            R.log10_ju_hi = gsl_stats_quantile_from_sorted_data(tj, 1, mj, 0.84);
        }
        free(tn), free(tg), free(tz), free(tj), free(dgk);
        if (m >= 2) {
            R.n_star_sd = gsl_stats_sd(ns, 1, m);
            R.dg_star_err = gsl_stats_sd(gs, 1, m);
            R.barrier_err = gsl_stats_sd(bs, 1, m);
            gsl_sort(ns, 1, m);
            R.n_star_lo = gsl_stats_quantile_from_sorted_data(ns, 1, m, 0.16);
            R.n_star_hi = gsl_stats_quantile_from_sorted_data(ns, 1, m, 0.84);
        }
        free(ns), free(gs), free(bs);
    }
out:
    for (int w = 0; x && w < nw; w++) free(x[w]);
    free(x);
    free(len);
    free(Fall);
    if (rc) results_free(&R);
    else *out = R;
    return rc;
}

static const uint64_t ATTACH_STREAM = 5000000000ull; /* + run index: the f+ runs' streams (above the ladder's) */

/* f+ at the top (all ranks): run r (a task on the MPI queue) starts from configuration r of window w
 * (PREFIX.umbrella.wW.sR.ckpt, saved during its production), fresh Maxwell-Boltzmann velocities, attach_steps of
 * unbiased [ensemble] dynamics with N_max every attach_every steps: seed_replica_run with decisions that are never
 * reached (as seeding's f+ replicas), its streams from the run seed and ATTACH_STREAM + r (-np 1 = -np N). On rank 0
 * (R != NULL) the traces go to seed_attach_analyse: var(N(t) - N(0)) about the runs' mean drift, window from the
 * first frame to where var has grown by var_top (the barrier top; <= 0: all frames), bootstrap over runs. */
static int attach_stage(umb *U, order_analyzer *an, int w, double var_top, umb_results *R)
{
    const int nrep = U->uc.attach_runs;
    const long every = U->uc.attach_every;
    const size_t nt = (size_t)(U->uc.attach_steps / every) + 1;
    double *N = calloc((size_t)nrep * nt, sizeof *N);
    int *nm = malloc(nt * sizeof *nm);
    int rc = (!N || !nm) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    seed_queue *q = NULL;
    if (!seed_comm_any(rc)) rc = seed_queue_create(1, &q);
    while (!rc && q) {
        const long k = seed_queue_fetch_add(q, 0, 1);
        if (k >= nrep) break;
        char path[4400];
        snapshot_path(U, w, (int)k, path, sizeof path);
        md_system *s = NULL;
        rc = md_checkpoint_read(path, &s, NULL);
        if (rc) {
            rc = SR_ERROR(rc, "f+: configuration %ld of window %d is missing (%s): the windows were journaled by a run "
                              "without attach_runs; run with a fresh [output] prefix", k, w, sr_error_message());
            break;
        }
        seed_replica_params p = {.ip = U->job.ip, .max_steps = U->uc.attach_steps, .analyze_every = every,
                                 .max_frames = (int)nt, .grow_factor = INFINITY, .melt_fraction = -1,
                                 .settle_frames = 0, .min_ref = -1, .seed = (uint64_t)U->job.run.seed,
                                 .replica = (long)(ATTACH_STREAM + (uint64_t)k)};
        seed_replica_result r;
        memset(&r, 0, sizeof r);
        r.nmax = nm;
        rc = seed_replica_run(s, U->job.pot, an, &p, &r);
        md_system_free(s);
        if (!rc && r.outcome == SEED_FAILED) rc = SR_ERROR(SR_EFAILED, "f+ run %ld: %s", k, r.message);
        if (!rc && (size_t)r.nframes != nt)
            rc = SR_ERROR(SR_EFAILED, "f+ run %ld stopped after %d of %zu frames", k, r.nframes, nt);
        for (size_t f = 0; !rc && f < nt; f++) N[(size_t)k * nt + f] = nm[f];
    }
    int any = seed_comm_any(rc);
    if (q) seed_queue_free(q);
    if (!any) any = seed_comm_allreduce_sum_double(N, (int)((size_t)nrep * nt));
    if (any && rc) fprintf(stderr, "seedrate: error (rank %d): %s\n", seed_comm_rank(), sr_error_message());
    free(nm);
    if (any) {
        free(N);
        return rc ? rc : SR_EFAILED;
    }
    if (!R) {
        free(N);
        return SR_OK;
    }
    R->att_window = w;
    R->att_nrep = nrep;
    R->att_nt = nt;
    R->att_var_top = var_top;
    R->att_N = N;
    R->att_t = malloc(nt * sizeof *R->att_t);
    if (!R->att_t) return SR_ERROR(SR_ENOMEM, "out of memory");
    for (size_t f = 0; f < nt; f++) R->att_t[f] = (double)f * (double)every * U->job.ip.dt;
    double *n0 = malloc((size_t)nrep * sizeof *n0);
    if (!n0) return SR_ERROR(SR_ENOMEM, "out of memory");
    for (int k = 0; k < nrep; k++) n0[k] = N[(size_t)k * nt];
    R->att_n0_mean = gsl_stats_mean(n0, 1, (size_t)nrep);
    R->att_n0_sd = gsl_stats_sd(n0, 1, (size_t)nrep);
    free(n0);
    const double t_skip = (double)U->uc.attach_skip_steps * U->job.ip.dt;
    R->att_ok = seed_attach_analyse((size_t)nrep, nt, R->att_t, N, t_skip, 0, var_top, (size_t)U->uc.nboot,
                                    (uint64_t)U->job.run.seed, &R->att) == SR_OK;
    if (!R->att_ok) snprintf(R->att_msg, sizeof R->att_msg, "%s", sr_error_message());
    sr_error_clear();
    return SR_OK;
}

/* J from the top and f+ (rank 0): f+ = attachment_rate when given, else the measured one. The interval of log10 J
 * combines the WHAM bootstrap's (of log10(rho_l Z e^{-dG*})) with the f+ bootstrap's 68% interval in quadrature, side
 * by side: the two are resampled from independent data (the windows' chains; the f+ runs). */
static void rate(const umb *U, umb_results *R)
{
    const int measured = R->att_ok && R->att.fit.f_plus > 0;
    R->f_plus = U->uc.f_plus > 0 ? U->uc.f_plus : measured ? R->att.fit.f_plus : NAN;
    const int fboot = !(U->uc.f_plus > 0) && measured && R->att.boot_ok;
    double o[4];
    cnt_umbrella_rate_interval(R->log10_ju, R->log10_ju_sd, R->log10_ju_lo, R->log10_ju_hi, R->f_plus,
                               fboot ? R->att.boot.lo68 : R->f_plus, fboot ? R->att.boot.hi68 : R->f_plus, o);
    R->log10_j = o[0];
    R->log10_j_sd = o[1];
    R->log10_j_lo = o[2];
    R->log10_j_hi = o[3];
}

/* Print the results and write PREFIX.umbrella.nc (rank 0). */
static int report(umb *U, umb_results *R, double wall)
{
    const int nw = U->nwin, M = U->uc.sweeps, nb = R->nbins;
    const size_t nv = (size_t)NHEAD + (size_t)M;
    printf("\n[umbrella] results: %d windows x %d samples (after %d discarded), %ld MD steps per trial; WHAM over "
           "N_max = 0..%d converged in %d iterations\n", nw, M, U->uc.equil_sweeps, U->uc.md_steps, nb - 1, R->wham_iters);
    printf("  window  centre   kappa  acceptance  <N_max>  start  failed  <|beta dH|>   f_i (kT)  overlap(next)\n");
    for (int w = 0; w < nw; w++) {
        const double *v = U->val + w * nv;
        const double ok = U->uc.equil_sweeps + M - v[3];
        printf("  %6d  %6g  %6g  %10.3f  %7.2f  %5d  %6d  %11.3g  %9.3f  %13.3f\n", w, U->centre[w], U->kap[w],
               v[0] / M,
               gsl_stats_mean(v + NHEAD, 1, (size_t)M), (int)v[2], (int)v[3], ok > 0 ? v[4] / ok : NAN, R->fwin[w],
               R->overlap[w]);
    }
    printf("  dG(n)/kT = -ln(P(N_max = n)/N), N = %d atoms:\n      n    dG/kT       +-", U->natoms);
    if (U->uc.dmu != 0) printf("   CNT");
    printf("\n");
    const int step = nb > 40 ? nb / 40 + 1 : 1;
    for (int n = 0; n < nb; n += step) {
        printf("  %5d  %7.3f  %7.3f", n, R->dg[n], R->sd[n]);
        if (U->uc.dmu != 0) printf("  %7.3f", R->cntc[n]);
        printf("\n");
    }
    if (R->have_barrier) {
        printf("  basin at N_max = %d; n* = %d", R->n_basin, R->n_star);
        if (isfinite(R->n_star_sd)) printf(" +- %.1f (68%% [%g, %g])", R->n_star_sd, R->n_star_lo, R->n_star_hi);
        printf("; dG*/kT = %.3f +- %.3f; N_max barrier F(n*) - F(basin) = %.3f +- %.3f kT\n", R->dg_star,
               R->dg_star_err, R->barrier, R->barrier_err);
        if (R->n_star >= nb - 2)
            printf("  WARNING: the maximum is at the last sampled N_max: the windows do not reach past the top; add "
                   "centres beyond %d\n", R->n_star);
    }
    if (isfinite(R->fit_dg_star)) {
        printf("  parabola at the top (n* +- %d): n* = %.1f +- %.1f, dG*/kT = %.3f +- %.3f, d2(dG/kT)/dn2 = %.4g, "
               "Z = %.4f +- %.4f\n", U->uc.top_half_width, R->fit_n_star, R->fit_n_star_sd, R->fit_dg_star,
               R->fit_dg_star_sd, R->fit_curv, R->zeldovich, R->zeldovich_sd);
    }
    if (R->att_window >= 0) {
        printf("  f+ at the top: %d unbiased MD runs of %ld steps from window %d's configurations (centre %g, N_max at "
               "the start %.1f +- %.1f)", R->att_nrep, U->uc.attach_steps, R->att_window, U->centre[R->att_window],
               R->att_n0_mean, R->att_n0_sd);
        if (R->att_ok) {
            printf(": f+ = var(N(t) - N(0))/(2t) = %.4g %s^-1 (68%% [%.4g, %.4g]; fit window %.3g-%.3g, %zu frames, "
                   "drift %.3g atoms per time, var_top %.4g)\n", R->att.fit.f_plus, md_units_get(U->job.run.units)->time,
                   R->att.boot.lo68, R->att.boot.hi68, R->att.fit.t0, R->att.fit.t1, R->att.fit.n_points,
                   R->att.fit.drift, R->att_var_top);
            if (U->uc.f_plus > 0) printf("  (attachment_rate = %g in the input overrides it in J)\n", U->uc.f_plus);
        } else {
            printf(": no f+ (%s)\n", R->att_msg);
        }
    }
    if (isfinite(R->log10_j))
        printf("  J = rho_l Z f+ exp(-dG*/kT) with rho_l = %.5g, Z = %.4g, f+ = %.4g (%s), dG*/kT = %.3f: log10 J = %.3f "
               "+- %.3f (68%% [%.3f, %.3f], %s)\n", U->rho_liquid, R->zeldovich, R->f_plus,
               U->uc.f_plus > 0 ? "input attachment_rate" : "measured", R->fit_dg_star, R->log10_j, R->log10_j_sd,
               R->log10_j_lo, R->log10_j_hi,
               U->uc.f_plus > 0 ? "f+ taken as exact" : "WHAM and f+ bootstrap intervals in quadrature");
    if (U->uc.dmu != 0)
        printf("  CNT (dmu %g, rho_s %g, gamma %g): n* = %.1f, dG*/kT = %.3f\n", U->uc.dmu, U->uc.rho_s, U->uc.gamma,
               R->cnt_n_star, R->cnt_dg_star);
    if (R->nfailed) printf("  %ld trials stopped by a numerical failure (rejected)\n", R->nfailed);
    const int rc = write_umbrella_nc(U, R);
    printf("  wall time %.1f s; results in %s.umbrella.nc\n", wall, U->job.oc.prefix);
    return rc;
}

/* start = grown: rank 0 grows the starts (grow_starts), every rank receives them (PREFIX.umbrella.startW.ckpt). */
static int share_starts(const umb *U, const md_system *liq, order_analyzer *an, md_system ***out)
{
    md_system **mine = calloc((size_t)U->nwin, sizeof *mine), **starts = calloc((size_t)U->nwin, sizeof *starts);
    int rc = (!mine || !starts) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    if (!rc && seed_comm_rank() == 0) {
        printf("[umbrella] ladder of the windows' starts, %s (%d trials per window, rank 0)\n",
               U->uc.start == 1 ? "down from a seed at the largest centre" : "up from the liquid", U->uc.grow_sweeps);
        rc = grow_starts(U, liq, an, mine);
        if (rc) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
    }
    for (int w = 0; w < U->nwin; w++) {
        if (!(U->kap[w] > 0)) continue;
        char path[4400];
        snprintf(path, sizeof path, "%s.start%d.ckpt", U->jprefix, w);
        rc = seed_share_system(path, rc, mine ? mine[w] : NULL, starts ? &starts[w] : NULL);
        if (rc) break;
    }
    for (int w = 0; mine && w < U->nwin; w++) md_system_free(mine[w]);
    free(mine);
    *out = starts;
    return rc;
}

/* ================================================================================================
 * Driver
 * ============================================================================================== */

int seed_umbrella_run(const char *file)
{
    umb *U = calloc(1, sizeof *U);
    if (!U) return SR_ERROR(SR_ENOMEM, "out of memory");
    const int rank = seed_comm_rank(), size = seed_comm_size();
    sr_errlist el = {0};
    int rc = umb_parse(U, file, &el);
    if (!rc) rc = seed_job_potential(&U->job, NULL, &el);
    if ((rc = seed_job_fail(&el, rc))) {
        seed_job_free(&U->job);
        free(U);
        return rc;
    }
    const double t0 = seed_now_s();
    if (rank == 0) rc = seed_job_make_outdir(&U->job);
    U->val = calloc((size_t)U->nwin * ((size_t)NHEAD + (size_t)U->uc.sweeps), sizeof *U->val);
    if (!U->val) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    md_system *prepared = NULL, *liq = NULL;
    if (rank == 0 && !rc) {
        const md_units *u = md_units_get(U->job.run.units);
        printf("seedrate umbrella: %s on %d rank%s\n", file, size, size > 1 ? "s" : "");
        printf("  T = %g %s, p = %g %s, dt %g %s; %d windows (bias (kappa/2)(N_max - c)^2 kT, kappa = %g):", 
               U->job.ip.temperature, u->temperature, U->job.ip.pressure, u->pressure, U->job.ip.dt, u->time,
               U->nwin, U->uc.kappa);
        for (int w = 0; w < U->nwin; w++) {
            if (!(U->kap[w] > 0)) printf(" unbiased");
            else if (U->kap[w] != U->uc.kappa) printf(" %g (kappa %g)", U->centre[w], U->kap[w]);
            else printf(" %g", U->centre[w]);
        }
        printf("\n  hybrid Monte Carlo: %d + %d trials of %ld MD steps per window, fresh velocities each, accepted "
               "with min(1, exp(-beta dH_eff - beta dw))\n", U->uc.equil_sweeps, U->uc.sweeps, U->uc.md_steps);
        printf("  ");
        U->job.pot->cls->describe(U->job.pot->state, stdout);
        printf("  classifier: ");
        U->job.cls->cls->describe(U->job.cls->state, stdout);
        fflush(stdout);
        rc = prepare_liquid(U, &prepared);
        if (!rc) printf("[umbrella] liquid at T = %g: %d atoms, rho %.5g\n", U->job.ip.temperature, prepared->n,
                        prepared->n / md_system_volume(prepared));
        fflush(stdout);
        if (rc) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
    }
    const int rc_prep = rc;
    {
        char lpath[4300];
        snprintf(lpath, sizeof lpath, "%s.liquid.ckpt", U->job.oc.prefix);
        rc = seed_share_system(lpath, rc, prepared, &liq);
    }
    md_system_free(prepared);
    if (rc) {
        if (rank == 0 && !rc_prep) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
        free(U->val);
        seed_job_free(&U->job);
        free(U);
        return rc;
    }
    U->natoms = liq->n;
    U->rho_liquid = liq->n / md_system_volume(liq);
    order_analyzer *an = NULL;
    rc = order_analyzer_create(U->job.cls, U->uc.cluster_cutoff, &an);
    md_system **starts = NULL;
    double need_ladder = 0; /* a resumed run with every window in the journal skips the ladder */
    if (rank == 0 && !rc && U->uc.start != 2) {
        unsigned char *have = calloc((size_t)U->nwin, 1);
        const size_t nv = (size_t)NHEAD + (size_t)U->uc.sweeps;
        need_ladder = !have ||
                      seed_journal_load(U->jprefix, "umb-window", U->hash, U->nwin, nv, U->val, have) < U->nwin;
        free(have);
    }
    if (!seed_comm_any(rc)) rc = seed_comm_allreduce_sum_double(&need_ladder, 1);
    if (!seed_comm_any(rc) && need_ladder > 0) rc = share_starts(U, liq, an, &starts);
    if (!seed_comm_any(rc)) rc = run_windows(U, liq, starts, an);
    for (int w = 0; starts && w < U->nwin; w++) md_system_free(starts[w]);
    free(starts);
    md_system_free(liq);
    int status = seed_comm_any(rc) ? (rc ? rc : SR_EFAILED) : SR_OK;
    umb_results R;
    memset(&R, 0, sizeof R);
    int have_R = 0;
    if (!status && rank == 0) {
        status = analyse(U, &R);
        have_R = !status;
        if (status) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
    }
    if (seed_comm_any(status)) status = status ? status : SR_EFAILED;
    if (!status && U->uc.attach_runs > 0) {
        double tgt[2] = {0, 0}; /* window + 1 (0: none), var_top: from rank 0 */
        if (rank == 0) {
            const double ns = U->uc.attach_centre > 0 ? U->uc.attach_centre : isfinite(R.fit_n_star) ? R.fit_n_star : NAN;
            int best = -1;
            for (int w = 0; isfinite(ns) && w < U->nwin; w++)
                if (U->kap[w] > 0 && (best < 0 || fabs(U->centre[w] - ns) < fabs(U->centre[best] - ns))) best = w;
            tgt[0] = best + 1;
            tgt[1] = R.zeldovich > 0 ? 1.0 / (3.14159265358979323846 * R.zeldovich * R.zeldovich) : 0;
            if (best < 0) printf("[umbrella] no f+: no parabola at the top, so no n* to start the runs from\n");
            else printf("[umbrella] f+: %d runs of %ld steps from window %d (centre %g, nearest %s %.1f)\n",
                        U->uc.attach_runs, U->uc.attach_steps, best, U->centre[best],
                        U->uc.attach_centre > 0 ? "attach_centre" : "the fitted n*", ns);
            fflush(stdout);
        }
        status = seed_comm_allreduce_sum_double(tgt, 2);
        if (!status && tgt[0] > 0)
            status = attach_stage(U, an, (int)tgt[0] - 1, tgt[1], rank == 0 ? &R : NULL);
    }
    order_analyzer_free(an);
    if (!status && rank == 0) {
        rate(U, &R);
        status = report(U, &R, seed_now_s() - t0);
        if (status) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
    }
    if (have_R) results_free(&R);
    free(U->val);
    seed_job_free(&U->job);
    free(U);
    return status;
}
