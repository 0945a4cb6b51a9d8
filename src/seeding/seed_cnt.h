/* seed_cnt.h - CNT ingredients measured with the model itself, and the rate pipeline (`seedrate cnt`).
 *
 *   seed_melt.c   T_m by direct coexistence: crystal-liquid slab, NpzAT runs on a temperature grid,
 *                 crystalline fraction vs time -> interface velocity v(T), grow/melt -> T_m +- sigma
 *   seed_bulk.c   NPT bulk liquid and crystal: H/N and number density with block-average errors
 *   seed_attach.c f+ from N_max(t) of replicas started at the critical size (Auer & Frenkel 2001)
 *   seed_rate.c   the pipeline: T_m -> Dh(T), dmu(T) -> seeding campaign (N_c) -> f+ -> gamma, dG*, Z, J
 *                 with Monte-Carlo errors (cnt_propagate); writes PREFIX.rates.nc
 * All numerical pieces (fits, CNT formulas, bootstrap, unit conversions) come from cnt.h. */
#ifndef SEED_CNT_H
#define SEED_CNT_H

#include <stddef.h>
#include <stdint.h>

#include "seed.h"
#include "../cnt/cnt.h"

/* ------------------------------------------------------------------------------------------------
 * Statistics helper
 * ---------------------------------------------------------------------------------------------- */
/* Mean of x[0..n-1] and its standard error from nblocks contiguous blocks (Flyvbjerg & Petersen,
 * JCP 91, 461 (1989)): se = sd(block means)/sqrt(nblocks). The last n % nblocks samples are dropped.
 * SR_EINVAL unless 2 <= nblocks <= n. */
int seed_block_average(const double *x, size_t n, size_t nblocks, double *mean, double *se);

/* ------------------------------------------------------------------------------------------------
 * Direct coexistence (seed_melt.c)
 * ---------------------------------------------------------------------------------------------- */
/* Mark the crystal half of a slab: lower[i] = 1 for the n/2 atoms with the smallest z (ties by index),
 * i.e. whole lattice planes when the number of planes along z is even. *nlower = n/2. */
int seed_slab_mark(const md_system *s, unsigned char *lower, int *nlower);

typedef struct seed_coex_params {
    md_integrator_params ip; /* thermostat, pressure, dt of the job; barostat is forced to MD_BARO_Z */
    double T;                /* coexistence temperature */
    long xtal_steps;         /* NPT (isotropic) of the whole crystal at T first: lateral lattice constant at (T, p) */
    double T_melt;           /* the upper half is melted here (NVT, lower half frozen) */
    long melt_steps;         /* melting of the upper half, repeated until <= 10 % of its middle is crystalline */
    long cool_steps;         /* NVT at T, lower half still frozen */
    long steps;              /* free NpzAT run at T */
    long analyze_every;      /* steps between crystalline-fraction measurements */
    uint64_t seed;           /* job seed */
    long task;               /* stream index */
} seed_coex_params;

typedef struct seed_coex_result {
    int nframes;
    double *t;        /* [max_frames], caller-owned: time since the release */
    double *frac;     /* [max_frames], caller-owned: crystalline fraction n_solid / n */
    double area;      /* interface area L_x L_y [length^2] */
    double rho_s;     /* crystal number density of the slab's crystal half [length^-3] */
    double slope, slope_se; /* d frac/dt in the window where 0.05 < frac < 0.95 [1/time] */
    double velocity, velocity_se; /* v = n slope / (2 A rho_s) (two interfaces), > 0: growth [length/time] */
    int grew;         /* 1 crystal grew (slope > 0), 0 melted */
    int melt_rounds;  /* melt stages of melt_steps it took to melt the upper half */
    double upper_solid; /* crystalline fraction of the middle half of the upper half after them */
    char message[256];
} seed_coex_result;

/* Melt stages (of melt_steps each) after which an upper half whose middle is still > 10 % crystalline is an error. */
#define SEED_COEX_MELT_ROUNDS 10

/* Prepare the slab from `xtal` (not modified; the lower half is crystal), melt the upper half, release
 * and record the crystalline fraction. an classifies the atoms (its classifier's solid labels). */
int seed_coex_run(const md_system *xtal, md_potential *pot, order_analyzer *an, const seed_coex_params *p,
                  int max_frames, seed_coex_result *r);

/* From the slope of frac(t): v = n slope / (2 A rho_s). Pure helper (tested). */
double seed_coex_velocity(int n, double slope, double area, double rho_s);

/* ------------------------------------------------------------------------------------------------
 * Bulk phases (seed_bulk.c)
 * ---------------------------------------------------------------------------------------------- */
typedef struct seed_bulk_params {
    md_integrator_params ip; /* NPT (barostat forced to ISO), ip.temperature = T */
    double T_melt;           /* > 0: melt first (NVT at T_melt) -> liquid; 0: keep the crystal */
    long melt_steps, equil_steps, prod_steps, sample_every;
    int nblocks;
    uint64_t seed;
    long task;
} seed_bulk_params;

typedef struct seed_bulk_result {
    double h, h_se;       /* enthalpy per particle H/N [energy] */
    double rho, rho_se;   /* number density [length^-3] */
    double solid_fraction;/* crystalline fraction at the end (phase check) */
    long nsamples;
} seed_bulk_result;

int seed_bulk_run(const md_system *start, md_potential *pot, order_analyzer *an, const seed_bulk_params *p,
                  seed_bulk_result *r);

/* ------------------------------------------------------------------------------------------------
 * Attachment rate (seed_attach.c)
 * ---------------------------------------------------------------------------------------------- */
/* Seeded configuration at (T, p): NPT crystal and liquid (melted at T_melt), a spherical seed of n_seed
 * atoms inserted in the liquid centre, interface relaxed with the seed frozen. Deterministic for a
 * given seed (every rank can build the same start). */
typedef struct seed_seeded_params {
    seed_structure_config sc; /* crystal lattice (and density) */
    sr_reals liquid_cells;
    int units;
    md_integrator_params ip;  /* NPT at (T, p) */
    double T_melt;
    long melt_steps, equil_steps, relax_steps;
    double liquid_density;    /* lattice density of the liquid before melting (0: that of sc) */
    int n_seed;
    uint64_t seed;
    long stream;
} seed_seeded_params;
int seed_seeded_build(md_potential *pot, const seed_seeded_params *p, md_system **out, int *nremoved);
/* The same seed inserted into a liquid prepared elsewhere (the campaign's state at this T, issue #17): n_seed atoms
 * cut from xtal, put at the centre of a copy of liq, relaxed with the seed frozen (relax_steps, the stream of p);
 * sc, ip, n_seed, relax_steps, seed and stream of p are used. xtal and liq are not modified. */
int seed_seeded_from_state(md_potential *pot, const seed_seeded_params *p, const md_system *xtal, const md_system *liq,
                           md_system **out, int *nremoved);

/* A relaxed critical cluster for the f+ replicas (Auer & Frenkel, Nature 409, 1020 (2001): f+ from runs that start
 * at the top of the barrier). MD of s in place (fresh velocities from `stream`, ip), N_max every analyze_every steps;
 * from min_steps on (the inserted seed's interface has relaxed), the first frame with lo <= N_max <= hi stops the run:
 * r->found = 1 and s holds that frame. N_max outside [abort_lo, abort_hi] after min_steps (the cluster has left the
 * barrier top for good) or max_steps without a hit: r->found = 0 (s is then that frame). A numerical failure is an
 * error. */
typedef struct seed_attach_start_params {
    md_integrator_params ip;
    long analyze_every, min_steps, max_steps;
    double lo, hi, abort_lo, abort_hi;
    uint64_t seed, stream;
} seed_attach_start_params;
typedef struct seed_attach_start_result {
    int found;
    int nmax;   /* N_max at the last frame */
    long steps; /* steps run */
} seed_attach_start_result;
int seed_attach_start_run(md_system *s, md_potential *pot, order_analyzer *an, const seed_attach_start_params *p,
                          seed_attach_start_result *r);

/* Drift-free f+ from n_rep traces N[rep*n_t + j] on the time grid t[j] (cnt_attach_fit_drift): window from
 * t0 (<= 0: t[1]) to t1; t1 <= 0: by cnt_attach_window_rule with var_top (the squared half-width of the
 * barrier top, 1/(pi Z^2); <= 0: to the end of the data), at least 5 points. Bootstrap over replicas
 * (n_boot > 0; stream sr_rng_create(seed, 7, SR_RNG_BOOTSTRAP)). */
typedef struct seed_attach_out {
    cnt_attach_fit fit;
    cnt_interval boot;
    size_t n_skipped;
    int boot_ok;
} seed_attach_out;
int seed_attach_analyse(size_t n_rep, size_t n_t, const double *t, const double *N, double t0, double t1,
                        double var_top, size_t n_boot, uint64_t seed, seed_attach_out *out);

/* ------------------------------------------------------------------------------------------------
 * Assembly of the rate (seed_rate.c): pure glue over cnt_compute / cnt_propagate
 * ---------------------------------------------------------------------------------------------- */
typedef struct seed_rate_inputs {
    int units;        /* MD_UNITS_LJ or MD_UNITS_METAL */
    double T, k_B;    /* temperature and Boltzmann constant [energy/temperature] */
    cnt_dist n_c, dmu, rho_s, rho_l, f_plus;
    size_t n_draw;
    uint64_t seed;
    /* LJ -> SI through a reference substance (lj units only; sigma_A <= 0: none) */
    double lj_sigma_A, lj_epsilon_eV, lj_mass_gmol;
} seed_rate_inputs;

typedef struct seed_rate_output {
    cnt_result central;     /* from the central values */
    cnt_propagated mc;      /* Monte-Carlo intervals of gamma, dG*, log10 J */
    double log10_J_si;      /* log10 J [m^-3 s^-1]; NAN when not convertible (lj without reference) */
    cnt_interval log10_J_si_interval;
    double gamma_si;        /* J m^-2, NAN when not convertible */
} seed_rate_output;

int seed_rate_assemble(const seed_rate_inputs *in, seed_rate_output *out);

/* Read a 1-D or scalar double/int variable of a netCDF file into a new array (*n elements). */
int seed_nc_read(const char *path, const char *var, double **v, size_t *n);
/* A text attribute (var NULL = global) into buf; SR_EIO when absent. */
int seed_nc_read_att(const char *path, const char *var, const char *att, char *buf, size_t len);
/* Whether a campaign file (sizes mode) has an N_c a rate may use: SR_OK, or SR_EFAILED with the reason when there
 * is no N_c or P_grow falls with the seed size (logistic width < 0: the midpoint is noise). */
int seed_campaign_nc_usable(const char *path);

/* ------------------------------------------------------------------------------------------------
 * Resume journal (seed_journal.c): PREFIX.cnt.journal
 * ---------------------------------------------------------------------------------------------- */
/* FNV-1a hash of a section's "key=value" lines in file order, keys in `skip` (NULL-terminated; a
 * trailing '*' matches a prefix) left out; chain sections by passing the previous hash (0 to start).
 * A NULL section hashes as absent. */
uint64_t seed_input_hash(uint64_t h, const sr_section *s, const char *const *skip);
/* Append "TAG HASH INDEX N v..." (one write, O_APPEND, fsync). */
int seed_journal_append(const char *prefix, const char *tag, uint64_t hash, long index, const double *v, size_t n);
/* Fill values[k*n .. k*n+n-1] and have[k] = 1 for every line with this tag and hash, 0 <= k < nindex,
 * N == n and have[k] still 0. Returns the number of entries loaded (0 when there is no journal). */
long seed_journal_load(const char *prefix, const char *tag, uint64_t hash, long nindex, size_t n, double *values,
                       unsigned char *have);

/* The whole pipeline (call seed_comm_init first). Rank 0 writes PREFIX.rates.nc. */
int seed_rate_run(const char *file);
void seed_rate_print_keys(FILE *out);

#endif
