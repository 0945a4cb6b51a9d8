/* seed.h - seeding: structures for jobs, seed insertion, replica runs, campaigns over MPI.
 *
 * Flow of a campaign (see DESIGN.md): structures (lattice builders, extxyz, LAMMPS data) -> md system +
 * potential + integrator -> every k steps: classifier -> clusters -> N_max(t), outcome -> gathered on
 * rank 0 -> cnt fits. Only seed_comm.c talks MPI. */
#ifndef SEED_H
#define SEED_H

#include <stdint.h>

#include "../common/sr_error.h"
#include "../common/sr_input.h"
#include "../md/md.h"

/* ------------------------------------------------------------------------------------------------
 * [structure]: where the atoms come from
 * ---------------------------------------------------------------------------------------------- */
typedef struct seed_structure_config {
    char file[SR_KW_STRLEN];    /* extxyz (.xyz/.extxyz) or LAMMPS data (.data/.lmp); empty = lattice */
    int lattice;                /* md_lattice_kind */
    double density;             /* number density (length^-3); 0 = use nn */
    double nn;                  /* nearest-neighbour distance (length) */
    sr_reals cells;             /* nx ny nz */
    sr_reals mass;              /* per type */
    char element[SR_KW_STRLEN]; /* type name for lattices */
    double temperature;         /* initial Maxwell-Boltzmann velocities; 0 = keep/zero */
    double min_distance;        /* closer pairs are an input error */
} seed_structure_config;

extern const sr_keyword seed_structure_keywords[];

/* Build the system described by a bound [structure] config. `where` names the section for messages
 * ("file.ini:12"); relative file names are resolved against basedir. Velocities are drawn from rng
 * when temperature > 0. */
int seed_structure_build(const seed_structure_config *c, int units, const char *basedir, const char *where,
                         gsl_rng *rng, md_system **out);

/* Reject configurations with two atoms closer than dmin (names both ids and the distance). */
int seed_check_overlaps(const md_system *s, double dmin, const char *where);

/* ------------------------------------------------------------------------------------------------
 * [ensemble]: integrator settings with unit-aware defaults
 * ---------------------------------------------------------------------------------------------- */
typedef struct seed_ensemble_config {
    int ensemble;    /* 0 nve, 1 nvt, 2 npt */
    int thermostat;  /* 0 bussi, 1 langevin */
    int barostat;    /* 0 iso, 1 aniso, 2 z */
    double temperature, tau_t, pressure, tau_p, compressibility, dt, skin;
    int neigh_every, neigh_check;
} seed_ensemble_config;

extern const sr_keyword seed_ensemble_keywords[];
/* Fill integrator parameters from the config (defaults: dt from units, tau_t = 100 dt, tau_p = 1000 dt,
 * compressibility 0.1 (lj) / 4.5e-5 bar^-1 (metal)). */
int seed_ensemble_params(const seed_ensemble_config *c, int units, md_integrator_params *p);

#endif
