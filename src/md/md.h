/* md.h - the molecular-dynamics engine: system, units, box, neighbor lists, potentials, integrators.
 *
 * Layout: one atom layout (contiguous per-property arrays, positions interleaved x[3*i+d]), double
 * precision throughout. Local atoms are 0..n-1; periodic images ("ghosts", LAMMPS-style) are appended
 * at n..n+nghost-1 by the neighbor list so that force loops need no minimum-image arithmetic and boxes
 * smaller than twice the cutoff work. Potentials write forces on ghosts too; md_compute() folds them
 * back onto their owners and computes the virial as sum_i x_i (x) f_i over locals and ghosts.
 *
 * Units follow LAMMPS `units lj` and `units metal` (Å, eV, ps, g/mol, K, bar). Internal = input units;
 * conversions happen only at I/O. md uses GSL (random numbers) and the common layer, nothing else. */
#ifndef MD_H
#define MD_H

#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "../common/sr_error.h"
#include "../common/sr_input.h"

/* ------------------------------------------------------------------------------------------------
 * Units
 * ---------------------------------------------------------------------------------------------- */
enum md_units_style { MD_UNITS_LJ = 0, MD_UNITS_METAL = 1 };

typedef struct md_units {
    int style;
    const char *name;  /* "lj" or "metal" */
    double boltz;      /* k_B in energy/temperature */
    double mvv2e;      /* mass*velocity^2 -> energy */
    double ftm2v;      /* force/mass*time -> velocity (= 1/mvv2e) */
    double nktv2p;     /* energy/volume -> pressure */
    double dt_default; /* default timestep */
    /* unit names, for netCDF `units` attributes and logs */
    const char *length, *energy, *time, *mass, *temperature, *pressure, *velocity, *force, *density;
} md_units;

const md_units *md_units_get(int style);
/* "lj" / "metal" -> style; SR_EINVAL otherwise. */
int md_units_parse(const char *name, int *style);

/* ------------------------------------------------------------------------------------------------
 * Box and system
 * ---------------------------------------------------------------------------------------------- */
typedef struct md_box {
    double lo[3];  /* lower corner */
    double len[3]; /* edge lengths; orthorhombic for now */
    double tilt[3];/* xy, xz, yz: reserved for triclinic boxes, must be 0 */
} md_box;

typedef struct md_system {
    int n;        /* local (owned) atoms */
    int nghost;   /* periodic images at n .. n+nghost-1 (managed by md_nlist) */
    int capacity; /* rows allocated for locals + ghosts */
    double *x;    /* positions [3*capacity] */
    double *v;    /* velocities [3*capacity] (locals) */
    double *f;    /* forces [3*capacity] */
    int *type;    /* 0-based type index [capacity] */
    int64_t *id;  /* persistent atom ids, 1-based [capacity] */
    int *image;   /* image counters of locals [3*capacity]: unwrapped = x + image*len */
    int *ghost_owner; /* local index owning each ghost [capacity] (index g-n) */
    int *ghost_shift; /* image shift of each ghost [3*capacity] (index 3*(g-n)+d) */
    int ntypes;
    double *mass;       /* per type [ntypes] */
    char (*type_name)[16]; /* per type label, e.g. "Ar", "O", "1" */
    md_box box;
    int units; /* md_units_style */
    long step;
    double time;
} md_system;

md_system *md_system_create(int n, int ntypes, int units);
void md_system_free(md_system *s);
/* Deep copy of the local atoms (no ghosts). */
md_system *md_system_copy(const md_system *s);
/* Change the number of local atoms (keeps the first min(n, old) rows; drops ghosts). */
int md_system_resize(md_system *s, int n);
/* Make room for n + nghost rows (ghost arrays included). */
int md_system_reserve(md_system *s, int rows);
/* Reorder locals: new index i takes old index perm[i] (all per-atom arrays; ghosts dropped). */
int md_system_permute(md_system *s, const int *perm);
/* Keep only locals with keep[i] != 0 (order preserved; ghosts dropped). */
int md_system_filter(md_system *s, const unsigned char *keep);
/* Append the locals of `other` (same units; types mapped by index). */
int md_system_append(md_system *s, const md_system *other);
int md_system_set_box(md_system *s, const double lo[3], const double len[3]);
double md_system_volume(const md_system *s);
/* Wrap local atoms into the box, updating image counters. */
void md_system_wrap(md_system *s);
/* Minimum-image displacement in an orthorhombic box (in place). */
static inline void md_box_minimum_image(const md_box *b, double d[3])
{
    for (int k = 0; k < 3; k++) {
        const double L = b->len[k];
        while (d[k] > 0.5 * L) d[k] -= L;
        while (d[k] < -0.5 * L) d[k] += L;
    }
}
/* Set the type table: masses (and optional names, NULL = "1", "2", ...). */
int md_system_set_types(md_system *s, int ntypes, const double *mass, const char *const *names);
/* Smallest pair distance among local atoms (minimum image), and the ids of that pair; O(N) with cells. */
int md_system_min_distance(const md_system *s, double *dmin, int64_t *id_a, int64_t *id_b);

/* Kinetic energy (energy units) and instantaneous temperature for `dof` degrees of freedom
 * (dof <= 0 means 3N - 3). */
double md_kinetic_energy(const md_system *s);
double md_temperature(const md_system *s, int dof);
int md_default_dof(const md_system *s);
void md_total_momentum(const md_system *s, double p[3]);
/* Maxwell-Boltzmann velocities at temperature T, zero total momentum, rescaled exactly to T. */
int md_velocity_create(md_system *s, double T, gsl_rng *rng);

/* ------------------------------------------------------------------------------------------------
 * Lattices and liquids
 * ---------------------------------------------------------------------------------------------- */
enum md_lattice_kind {
    MD_LATTICE_SC = 0,
    MD_LATTICE_BCC,
    MD_LATTICE_FCC,
    MD_LATTICE_HCP,          /* ideal c/a; orthorhombic cell a x sqrt(3)a x c, 4 atoms */
    MD_LATTICE_DIAMOND,      /* cubic diamond = ice Ic oxygens, 8 atoms per cubic cell */
    MD_LATTICE_HEXDIAMOND,   /* hexagonal diamond (lonsdaleite) = ice Ih oxygens, orthorhombic 8-atom cell */
    MD_LATTICE_NKINDS
};
/* "sc|bcc|fcc|hcp|diamond|hexdiamond" */
int md_lattice_parse(const char *name, int *kind);
const char *md_lattice_name(int kind);
/* Atoms per orthorhombic unit cell and the cell edge lengths for nearest-neighbour distance 1. */
int md_lattice_cell(int kind, double cell[3], int *natoms);
/* Nearest-neighbour distance for a number density rho (atoms per volume). */
double md_lattice_nn_for_density(int kind, double rho);
/* Build nx*ny*nz cells with nearest-neighbour distance `nn` into a new system of one type (mass 1). */
int md_lattice_build(int kind, double nn, int nx, int ny, int nz, int units, md_system **out);

/* ------------------------------------------------------------------------------------------------
 * Neighbor lists (linked cells + Verlet list with skin)
 * ---------------------------------------------------------------------------------------------- */
enum md_nlist_kind {
    MD_NLIST_HALF = 0, /* each pair once (Newton's third law); pair potentials */
    MD_NLIST_FULL = 1  /* each pair from both sides; many-body potentials, order parameters */
};

typedef struct md_nlist {
    double cutoff; /* interaction cutoff */
    double skin;   /* Verlet skin */
    int kind;
    /* the list: neighbors of local atom i are neigh[first[i] .. first[i]+num[i]-1],
     * indices into the system arrays (may be ghosts, >= n) */
    int n;
    int *first;
    int *num;
    int *neigh;
    long nbuilds; /* statistics */
    /* Spatial sorting of local atoms every `sort_every` builds (0 = never, the default). After a sort,
     * nsorts is incremented and perm[new] = old index: owners of per-atom arrays permute them too. */
    int sort_every;
    long nsorts;
    /* Rebuild policy, as LAMMPS neigh_modify: consider a rebuild every `every` steps (<= 1: each step);
     * with check = 1 (default) only when an atom moved more than skin/2, with check = 0 always. */
    int every;
    int check;
    int since_build;
    long ndangerous; /* rebuilds (check = 0) where an atom had moved more than skin/2: pairs may be missed */
    /* OpenMP threads of a build (0 or 1: one). The lists do not depend on it: the same content and memory order. */
    int threads;
    int *perm;
    struct md_nlist_priv *priv;
} md_nlist;

md_nlist *md_nlist_create(double cutoff, double skin, int kind);
void md_nlist_free(md_nlist *nl);
/* Wrap atoms, (re)create ghosts covering cutoff + skin, bin them and build the list. */
int md_nlist_build(md_nlist *nl, md_system *s);
/* Once per step after positions change: rebuild if any atom moved more than skin/2 since the last
 * build (box changes counted), otherwise just refresh ghost positions. *rebuilt (may be NULL) = 1 if
 * rebuilt. */
int md_nlist_update(md_nlist *nl, md_system *s, int *rebuilt);
/* Refresh ghost positions from their owners (after positions changed without a rebuild). */
void md_ghosts_update(md_system *s);
/* Add ghost forces onto their owners. */
void md_ghosts_fold_forces(md_system *s);

/* ------------------------------------------------------------------------------------------------
 * Potentials
 * ---------------------------------------------------------------------------------------------- */
enum md_want {
    MD_WANT_FORCE = 1,
    MD_WANT_ENERGY = 2,
    MD_WANT_VIRIAL = 4,   /* md_compute derives the virial from forces (fdotr) */
    MD_WANT_EATOM = 8     /* per-atom energies into result->eatom (locals) */
};

typedef struct md_result {
    double energy;     /* potential energy (energy units) */
    double virial[6];  /* W_ab = sum r_a f_b: xx yy zz xy xz yz (energy units) */
    double *eatom;     /* optional per-atom energy [capacity] (caller-owned) */
} md_result;

/* A virial in md's six components (xx yy zz xy xz yz) as the symmetric 3 x 3 matrix m (row-major), and back: the
 * symmetric part of m (off-diagonal pairs averaged; exact for a symmetric m). Files (extxyz, npy) hold 3 x 3. */
static inline void md_virial_to_matrix(const double v6[6], double m[9])
{
    const double w[9] = {v6[0], v6[3], v6[4], v6[3], v6[1], v6[5], v6[4], v6[5], v6[2]};
    for (int k = 0; k < 9; k++) m[k] = w[k];
}
static inline void md_virial_from_matrix(const double m[9], double v6[6])
{
    const double w[6] = {m[0], m[4], m[8], 0.5 * (m[1] + m[3]), 0.5 * (m[2] + m[6]), 0.5 * (m[5] + m[7])};
    for (int k = 0; k < 6; k++) v6[k] = w[k];
}

/* Model uncertainty of the last force evaluation of a potential that has one (a committee of networks): the
 * per-atom force deviation of DP-GEN, sigma_i = sqrt(<|F_i^m - <F_i>|^2>_m) over the K members m (Zhang et al.,
 * Comput. Phys. Commun. 253, 107206 (2020), eq. 6), and its maximum over the atoms ("model deviation"). */
typedef struct md_uncertainty {
    int members;            /* committee size K */
    long step;              /* s->step of the evaluation */
    double force_dev_max;   /* max_i sigma_i (force units) */
    double force_dev_mean;  /* mean_i sigma_i (force units) */
    double energy_dev;      /* standard deviation of the members' potential energies (energy units) */
    int64_t atom_id;        /* id of the atom with the largest sigma_i */
    int n;                  /* local atoms of that evaluation */
    const double *force_dev;/* sigma_i [n] in the local order of that evaluation (owned by the potential,
                             * valid until its next compute; an atom sort afterwards does not reorder it) */
} md_uncertainty;

struct md_integrator_params;
/* One segment of dynamics run by the force engine instead of seedrate's integrator (md_potential_class.integrate):
 * in: the integrator's parameters, its frozen atoms, its random stream (the seeds of the engine's stochastic parts),
 * an identity (the engine keeps its thermostat/barostat state between segments of the same integrator and
 * starts afresh for another), the steps. The engine advances x, v, image, box, step and time of the system, leaves
 * the forces of the last step in s->f (0 on frozen atoms) and the energy and virial of the last step in r. */
typedef struct md_engine_segment {
    const struct md_integrator_params *p;
    const unsigned char *frozen; /* by local index, NULL: none */
    gsl_rng *rng;                /* may be NULL when p needs no random numbers */
    unsigned long owner;         /* integrator identity (never 0) */
    long nsteps;
    double heat;                 /* out: energy the thermostat/barostat took from the system during the segment
                                  * (as md_integrator's `heat`: conserved = E + P0 V + heat) */
} md_engine_segment;

typedef struct md_potential_class {
    const char *name;              /* style name in the input, e.g. "lj", "sw", "nn" */
    const sr_keyword *keywords;    /* keys of the [potential] section this style reads */
    size_t config_size;            /* size of the struct the keywords bind into */
    /* Create the state from a bound config; `basedir` resolves relative file names. */
    int (*create)(void **state, const void *config, const md_system *s, const char *basedir);
    /* Forces on locals and ghosts (ghost forces are folded by md_compute), energy if asked.
     * Forces are accumulated: f has been zeroed by the caller. */
    int (*compute)(void *state, md_system *s, const md_nlist *nl, unsigned want, md_result *r);
    double (*cutoff)(const void *state);
    int nlist_kind;                /* MD_NLIST_HALF or MD_NLIST_FULL */
    void (*describe)(const void *state, FILE *out);
    void (*destroy)(void *state);
    /* Optional: switch the force loop (md_kernel); NULL for styles with one loop. */
    int (*set_kernel)(void *state, int kernel);
    /* Optional: the model uncertainty of the last compute() with forces (md_uncertainty); returns 1 and fills
     * *u when this state has one, 0 otherwise (a single network, a committee of one). NULL for styles without. */
    int (*uncertainty)(const void *state, md_uncertainty *u);
    /* 1: compute() fills r->virial itself and md_compute keeps it (a style whose periodic images live outside
     * seedrate's system, as the LAMMPS engine); 0: md_compute derives it from forces (sum x f). */
    int own_virial;
    /* Optional (NULL: seedrate always integrates): a style that can run the dynamics itself (LAMMPS with
     * integrate = lammps). integrates() says whether it takes the segments of an integrator with these parameters
     * and restraints (tethered: harmonic restraints, k > 0; frozen atoms are the segment's mask); integrate() then
     * runs one segment (md_engine_segment). Called by md_integrator_run only. */
    int (*integrates)(void *state, const struct md_integrator_params *p, int tethered);
    int (*integrate)(void *state, md_system *s, struct md_engine_segment *seg, md_result *r);
    /* Optional (NULL: one thread): run compute() on `threads` OpenMP threads (md_threads). */
    int (*set_threads)(void *state, int threads);
} md_potential_class;

typedef struct md_potential {
    const md_potential_class *cls;
    void *state;
    int threads; /* OpenMP threads of compute() (md_potential_set_threads); 1 unless set */
} md_potential;

/* Registry (LAMMPS PairStyle-like): md's own styles plus those registered at start-up (ml's "nn"). */
int md_potential_register(const md_potential_class *cls);
const md_potential_class *md_potential_find(const char *name);
/* Parse the [potential] section (key `style` chooses the class), create it. Problems go to el. */
int md_potential_from_section(sr_section *sec, const md_system *s, const char *basedir,
                              md_potential **out, sr_errlist *el);
/* Wrap an existing state (for programmatic construction). */
int md_potential_wrap(const md_potential_class *cls, void *state, md_potential **out);
void md_potential_free(md_potential *p);
double md_potential_cutoff(const md_potential *p);
/* 1 and *u filled when the potential reports a model uncertainty (md_uncertainty), else 0 and *u zeroed with
 * force_dev_max = energy_dev = NAN: seeding and logs call it for any potential. */
int md_potential_uncertainty(const md_potential *p, md_uncertainty *u);

/* Force-loop variants of the LJ and SW styles: the scalar reference loop, or one vectorised loop compiled for
 * the baseline instruction set (SSE2 on x86-64), AVX2 + FMA and AVX-512, picked at run time so that the
 * default portable build uses the widest SIMD unit the CPU has. Same pairs (triplets), same arithmetic, sums
 * in the reference's order: bit-identical with GCC, agreement to rounding where a compiler contracts a*b+c
 * into FMA (tests/test_md_lj_simd.c, tests/test_md_sw_simd.c). MD_KERNEL_AUTO = the environment variable
 * SEEDRATE_KERNEL (reference|simd|avx2|avx512) if set, else the widest available. */
enum md_kernel {
    MD_KERNEL_AUTO = 0,
    MD_KERNEL_REFERENCE,
    MD_KERNEL_SIMD,
    MD_KERNEL_AVX2,
    MD_KERNEL_AVX512,
    MD_KERNEL_NKINDS
};
const char *md_kernel_name(int kernel);
/* 1 if this CPU (and this build) runs `kernel`. */
int md_kernel_available(int kernel);
/* AUTO -> a concrete kernel (SEEDRATE_KERNEL, else the widest available); others unchanged. SR_EINVAL
 * (message) for an unknown SEEDRATE_KERNEL value or a kernel this CPU lacks. */
int md_kernel_resolve(int kernel, int *out);
/* Choose the force loop of a potential (SR_EINVAL for a style with one loop, other than REFERENCE/AUTO). */
int md_potential_set_kernel(md_potential *p, int kernel);

/* Threads inside one replica (OpenMP; md_threads.c). A force call with T threads splits the atoms into T
 * blocks of about equal pair count (md_thread_blocks), each with its own force (and per-atom energy) array,
 * summed block by block in block order at the end: the result depends on T only - not on how many threads
 * actually run the blocks, nor on scheduling - so a run is reproducible for a fixed T, and T = 1 is the
 * serial loop bit for bit. Different T give trajectories that differ by rounding. [potential] threads = T
 * (md_potential_from_section); 0 = the environment variable OMP_NUM_THREADS if set, else 1 (as LAMMPS' omp
 * package). */
#define MD_MAX_THREADS 256
/* requested 0 -> OMP_NUM_THREADS or 1; SR_EINVAL (message) above MD_MAX_THREADS, for a bad OMP_NUM_THREADS, or
 * for T > 1 in a build without OpenMP. */
int md_threads_resolve(int requested, int *out);
/* 1 when this build has OpenMP (threads > 1 possible). */
int md_threads_available(void);
/* Set the threads of a potential's force loop (md_threads_resolve; styles without set_threads: 1, and SR_EINVAL
 * for an explicit threads > 1). */
int md_potential_set_threads(md_potential *p, int threads);
/* The T blocks of the atoms 0..nl->n-1: block b is [bounds[b], bounds[b + 1]) (bounds has T + 1 entries), cut
 * where the cumulative count of pairs plus atoms (nl->num + 1) passes b/T of the total. */
void md_thread_blocks(const md_nlist *nl, int nblocks, int *bounds);
/* Per-block force and per-atom energy arrays of blocks 1..T-1 of a threaded force call (block 0 writes into the
 * caller's arrays); they grow as needed and are freed with md_thread_scratch_free. */
typedef struct md_thread_scratch {
    double *f[MD_MAX_THREADS];
    double *eatom[MD_MAX_THREADS];
    size_t frows[MD_MAX_THREADS], erows[MD_MAX_THREADS];
} md_thread_scratch;
void md_thread_scratch_free(md_thread_scratch *ts);
/* One force loop over the atoms of block b: [lo, hi), forces accumulated into f (rows of 3), per-atom energies into
 * eatom (NULL: none); returns the block's energy. */
typedef double (*md_block_fn)(void *ctx, int b, int lo, int hi, double *f, double *eatom);
/* A force call on T > 1 threads: the T blocks of md_thread_blocks run fn in parallel, block 0 into f and eatom, the
 * others into zeroed arrays of ts (rows = locals + ghosts), which are then added to f and eatom in block order;
 * *energy = the sum of the blocks' energies in block order. */
int md_thread_blocks_run(md_thread_scratch *ts, const md_nlist *nl, int nblocks, size_t rows, double *f,
                         double *eatom, md_block_fn fn, void *ctx, double *energy);

/* Zero forces, evaluate, fold ghost forces, compute virial (if asked), check energy and forces for
 * NaN/Inf (an error names the atom id and step). */
int md_compute(md_potential *p, md_system *s, md_nlist *nl, unsigned want, md_result *r);

/* Lennard-Jones 12-6: E = 4 eps [(sig/r)^12 - (sig/r)^6] (- E(rc) when shifted), per type pair. */
#define MD_LJ_MAXTYPES 8
typedef struct md_lj_params {
    int ntypes;
    double epsilon[MD_LJ_MAXTYPES];  /* per type */
    double sigma[MD_LJ_MAXTYPES];
    double cutoff;                   /* in units of length (global) */
    int shift;                       /* shift energy to zero at the cutoff */
    int mixing;                      /* 0 geometric (LAMMPS default), 1 arithmetic (Lorentz-Berthelot) */
} md_lj_params;
extern const md_potential_class md_potential_lj;
/* Stillinger-Weber (two + three body) from a LAMMPS .sw file (md_sw.c); mW water is data/mW.sw. */
extern const md_potential_class md_potential_sw;
int md_lj_create(const md_lj_params *p, md_potential **out);
/* LAMMPS as the force engine (md_lammps.c): the model given as LAMMPS commands, run by the LAMMPS library on
 * MPI_COMM_SELF; in a build without LAMMPS its create() says so (SR_EUNSUPPORTED). */
extern const md_potential_class md_potential_lammps;

/* ------------------------------------------------------------------------------------------------
 * Integrators, thermostats, barostats
 * ---------------------------------------------------------------------------------------------- */
enum md_thermostat { MD_THERMO_NONE = 0, MD_THERMO_BUSSI, MD_THERMO_LANGEVIN };
enum md_barostat {
    MD_BARO_NONE = 0,
    MD_BARO_ISO,    /* stochastic cell rescaling, isotropic (Bernetti & Bussi, JCP 153, 114107, 2020) */
    MD_BARO_ANISO,  /* per-axis cell rescaling, each axis coupled to its own P_aa */
    MD_BARO_Z       /* only z rescaled by P_zz (NpzAT, for coexistence slabs) */
};

typedef struct md_integrator_params {
    double dt;            /* timestep (time units) */
    int thermostat;       /* md_thermostat */
    double temperature;   /* target T */
    double tau_t;         /* thermostat time (time units) */
    int barostat;         /* md_barostat */
    double pressure;      /* target P (pressure units) */
    double tau_p;         /* barostat relaxation time */
    double compressibility; /* isothermal compressibility beta_T (1/pressure units) */
    int dof;              /* degrees of freedom for T (0: 3N-3, or 3N with Langevin) */
    double skin;          /* neighbor-list skin (0: 0.3 in lj, 1.0 angstrom in metal) */
    int neigh_every;      /* consider a list rebuild every this many steps (0 or 1: every step) */
    int neigh_nocheck;    /* 1: rebuild every neigh_every steps without the displacement check (LAMMPS
                           * "check no": faster, unsafe if atoms move more than skin/2 meanwhile) */
} md_integrator_params;

typedef struct md_thermo {
    long step;
    double time;
    double temperature;
    double pressure;   /* virial + kinetic, scalar */
    double ptensor[6];
    double pe, ke, etotal;
    double volume;
    double enthalpy;   /* etotal + P_target V (pressure units converted) */
    double conserved;  /* total energy + thermostat/barostat work: constant for exact dynamics */
    int has_model_dev; /* 1: the potential reports a model uncertainty (a committee), model_dev is set */
    double model_dev;  /* its md_uncertainty force_dev_max (force units); NAN when it has none */
} md_thermo;

typedef struct md_integrator md_integrator;

/* Restraint: atoms with restrain[i] (by local index at set-up time; ids are tracked) are tethered to
 * their current positions by a harmonic spring k (energy/length^2), or frozen when k < 0. */
md_integrator *md_integrator_create(const md_integrator_params *p, md_system *s, md_potential *pot,
                                    gsl_rng *rng);
void md_integrator_free(md_integrator *in);
/* Build the neighbor list and compute initial forces. */
int md_integrator_setup(md_integrator *in);
/* Advance n steps. */
int md_integrator_run(md_integrator *in, long nsteps);
int md_integrator_thermo(md_integrator *in, md_thermo *out);
int md_integrator_restrain(md_integrator *in, const unsigned char *mask, double k);
md_nlist *md_integrator_nlist(md_integrator *in);
const md_integrator_params *md_integrator_get_params(const md_integrator *in);

/* Checkpoint: binary, versioned, exact (positions, velocities, box, images, ids, types, step/time,
 * integrator state and RNG state). Written to path.tmp then renamed. */
int md_checkpoint_write(const char *path, const md_system *s, const md_integrator *in);
/* s (may be NULL) receives a new system; in (may be NULL) gets its thermostat/barostat energy integral
 * and its random stream state back (create the integrator on the restored system first). */
int md_checkpoint_read(const char *path, md_system **s, md_integrator *in);
/* From memory (fuzzing); `path` names the source in messages. *s always receives the system. */
int md_checkpoint_read_buffer(const void *data, size_t len, const char *path, md_system **s,
                              md_integrator *in);

#endif
