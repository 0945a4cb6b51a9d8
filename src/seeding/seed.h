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
#include "../order/order.h"

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

/* ------------------------------------------------------------------------------------------------
 * Seeds (seed_insert.c)
 * ---------------------------------------------------------------------------------------------- */
/* The n0 crystal atoms nearest to the atom closest to the box centre: a compact, nearly spherical seed
 * of exactly n0 atoms, positions relative to that centre atom. *radius = distance of the farthest. */
int seed_cut_sphere(const md_system *xtal, int n0, md_system **seed, double *radius);
/* The largest spherical seed that seed_cut_sphere can cut from the lattice crystal of sc (its [structure] cells):
 * (pi/6) rho L_min^3 atoms, L_min the shortest box edge; 0 when sc is a file or has no density. Lets an input be
 * rejected before any MD (a cnt job used to find out after its coexistence and bulk stages). */
double seed_sphere_max_atoms(const seed_structure_config *sc);
/* One error in el when a seed size is at or above seed_sphere_max_atoms (file names the input). */
void seed_sizes_check(const seed_structure_config *sc, const sr_reals *sizes, const char *file, sr_errlist *el);
/* Put the seed (relative positions) at `centre` in the liquid; liquid atoms closer than `overlap` to a
 * seed atom are removed. Seed atoms are appended last; (*is_seed)[i] marks them (caller frees). */
int seed_insert(md_system *liq, const md_system *seed, const double centre[3], double overlap,
                unsigned char **is_seed, int *nremoved);

/* ------------------------------------------------------------------------------------------------
 * Small shared pieces (seed_replica.c)
 * ---------------------------------------------------------------------------------------------- */
/* `steps` of MD with ip (thermostat stream sr_rng_create(seed, stream, SR_RNG_THERMOSTAT)); atoms with
 * frozen[i] != 0 are held fixed (NULL: none). steps <= 0 does nothing. */
int seed_run_steps(md_system *s, md_potential *pot, const md_integrator_params *ip, long steps, uint64_t seed,
                   uint64_t stream, const unsigned char *frozen);
/* Monotonic wall clock [s]. */
double seed_now_s(void);
/* Median of the finite values of v[0..n-1] (NaN when there is none); v is not modified. */
double seed_median_finite(const double *v, size_t n);

/* The [structure] lattice as the start of a liquid: `cells` of it at `liquid_density` (0: 0.85 x the crystal's
 * density), velocities at T_melt when built. */
seed_structure_config seed_liquid_lattice(const seed_structure_config *sc, const sr_reals *cells, double liquid_density,
                                          double T_melt);
/* Melt (NVT Bussi at T_melt, melt_steps, stream + 1000) then equilibrate with ip (equil_steps, stream + 2000). */
int seed_liquid_melt(md_system *liq, md_potential *pot, const md_integrator_params *ip, double T_melt, long melt_steps,
                     long equil_steps, uint64_t seed, uint64_t stream);

/* The seed's own cluster, followed from frame to frame (seed_replica.c): at the first frame the largest cluster
 * (the inserted seed); then the cluster of the new frame that holds most of the atoms (persistent ids) of the one
 * followed before (ties: the larger). A crystallite that nucleates elsewhere in the box is not mistaken for the
 * seed's growth; once no atom of the followed cluster is crystalline the seed is gone and its size stays 0. */
typedef struct seed_track {
    int on, nid, cap;
    unsigned char *in; /* [nid]: atom id-1 belongs to the followed cluster */
    int *overlap;      /* [cap] per cluster of the current frame */
} seed_track;
/* on = 0: a no-op tracker. ids are the system's persistent 1-based atom ids. */
int seed_track_init(seed_track *t, int on, const int64_t *id, int n);
void seed_track_free(seed_track *t);
/* One frame: ci[i] cluster index of atom i (-1: not crystalline), sizes[nclusters], largest = the largest
 * cluster's index (used at the first frame). *size = the followed cluster's size (0 once it is gone). */
int seed_track_frame(seed_track *t, const int64_t *id, const int *ci, int n, const int *sizes, int nclusters,
                     int largest, int first, int *size);

/* ------------------------------------------------------------------------------------------------
 * One replica (seed_replica.c)
 * ---------------------------------------------------------------------------------------------- */
enum seed_outcome { SEED_MELTED = 0, SEED_GROWN = 1, SEED_UNDECIDED = 2, SEED_FAILED = 3 };

typedef struct seed_replica_params {
    md_integrator_params ip; /* NPT (or NVT) settings; ip.temperature also sets the velocities */
    long max_steps;          /* t_max */
    long analyze_every;      /* steps between N_max analyses */
    int max_frames;          /* capacity of result->nmax */
    double grow_factor;      /* grown when N_max >= grow_factor * N_ref */
    double melt_fraction;    /* melted when N_max <= melt_fraction * N_ref */
    int settle_frames;       /* N_ref = N_max at this frame (0: N_max(0)); no decision before it */
    int min_ref;             /* N_max <= min_ref at the settle frame: melted (twice the bulk liquid's largest cluster) */
    uint64_t seed;           /* campaign seed */
    long replica;            /* global replica index: selects the random streams */
    order_analyzer *an_alt;  /* optional second classifier (threshold systematic): N_max also measured with it */
    order_analyzer *an_nb[2]; /* optional neighbouring classifier settings (state-point calibration): N_max also
                                 measured with them on the first nb_frames frames (the thermalisation window) */
    int nb_frames;
    int track_seed;          /* 1: follow the seed's own cluster (by atom overlap from frame to frame) instead of the
                                largest cluster in the box; the sizes below are then that cluster's */
} seed_replica_params;

typedef struct seed_replica_result {
    int outcome;   /* enum seed_outcome */
    int n0;        /* N_max before any dynamics */
    int n0_alt;    /* the same with p->an_alt (-1 without) */
    int nframes;
    int *nmax;     /* [max_frames], caller-owned: N_max, or the seed's own cluster with p->track_seed */
    int *nmax_alt; /* optional [max_frames], caller-owned: every frame with p->an_alt (needs an_alt) */
    int *nmax_nb[2]; /* optional [nb_frames], caller-owned: frames 0 .. min(nframes, nb_frames)-1 with an_nb[k] */
    double t_end;  /* time of the last frame */
    double model_dev_max; /* largest model deviation (md_uncertainty force_dev_max, force units) the potential reported
                           * at the analysed frames; 0 for a potential without a committee */
    char message[512]; /* why it failed */
} seed_replica_result;

/* Run one replica from `start` (not modified). Numerical failures give outcome SEED_FAILED with a
 * message; the return value is non-zero only for programming errors. */
int seed_replica_run(const md_system *start, md_potential *pot, order_analyzer *an, const seed_replica_params *p,
                     seed_replica_result *r);

/* ------------------------------------------------------------------------------------------------
 * Campaigns (seed_campaign.c)
 * ---------------------------------------------------------------------------------------------- */
typedef struct seed_campaign_config {
    int mode;               /* 0 sizes, 1 temperatures */
    sr_reals sizes;         /* seed sizes (atoms) */
    sr_reals temperatures;  /* mode temperatures */
    int replicas;
    long analyze_every, max_steps, melt_steps, equil_steps, relax_steps;
    double grow_factor, melt_fraction;
    sr_reals liquid_cells;
    double melt_temperature, overlap, cluster_cutoff, liquid_density;
    int nboot;
    int track;              /* 0 seed (the seed's own cluster, followed by atom overlap), 1 largest (N_max in the box) */
    int calibrate;          /* 0 state_point (threshold by the mislabelling criterion at (T, p)), 1 none */
    int calibrate_frames;   /* frames of each bulk phase sampled for the calibration */
    int thermal_frames;     /* frames of each replica in the thermalised-size fit */
    int settle_frames;      /* grow/melt decided relative to N_max at this frame (0: N_max(0)) */
    double model_dev_threshold; /* replicas whose model_dev_max passes it are flagged (force units; 0: off) */
} seed_campaign_config;

typedef struct seed_output_config {
    char prefix[SR_KW_STRLEN];
} seed_output_config;

extern const sr_keyword seed_campaign_keywords[];
extern const sr_keyword seed_output_keywords[];
void seed_campaign_print_keys(FILE *out);

#define SEED_SUMMARY_MAX 4096
typedef struct seed_campaign_summary {
    long ntot;
    int outcome[SEED_SUMMARY_MAX];
} seed_campaign_summary;

/* Run (or resume) the campaign described by `file` on all MPI ranks (call seed_comm_init first).
 * Rank 0 prints progress and results and writes PREFIX.nc; summary (may be NULL) is filled on rank 0. */
int seed_campaign_run(const char *file, seed_campaign_summary *summary);

/* What `seedrate cnt` changes in a campaign input (fields left 0/NULL keep the file's values). */
typedef struct seed_campaign_override {
    double temperature;       /* > 0: the temperature of the campaign (sizes mode) instead of [ensemble] */
    const double *sizes;      /* nsizes > 0: seed sizes instead of [campaign] seed_sizes */
    int nsizes;
    const char *prefix;       /* non-NULL: output prefix instead of [output] prefix */
    order_classifier *alt;    /* non-NULL: N_max(0) of every replica is also measured with this classifier and
                                 P_grow is fitted on it too (n0_alt, n_c_alt in PREFIX.nc): the threshold systematic */
    long stream_offset;       /* added to every replica and point stream index (independent campaigns per T) */
} seed_campaign_override;
int seed_campaign_run_ex(const char *file, const seed_campaign_override *ov, seed_campaign_summary *summary);
/* The bulk crystal and liquid a campaign prepared at (T, p) from a lattice of `liquid_cells` (PREFIX.state<K>.ckpt,
 * one per temperature of the campaign, issue #17), on every rank: rank 0 reads the file, every rank decodes the same
 * bytes. *xtal and *liq are NULL (and SR_OK returned) when the prefix holds no such state; an unreadable or damaged
 * state file is an error. Call on every rank. */
int seed_campaign_state_load(const char *prefix, double T, double p, const sr_reals *liquid_cells, md_system **xtal,
                             md_system **liq);

/* ------------------------------------------------------------------------------------------------
 * One job description (seed_job.c): every MPI command (campaign, cnt, brute, ffs) parses its input through it.
 * The shared sections are bound into seed_job; the command's own sections ([campaign], [brute], [cnt], [ffs])
 * into its own structs, named in a seed_job_spec. Order of binding (and so of the messages): [run], [structure],
 * [ensemble], the own sections that are not `late`, [output], "missing section" for [potential] and the required
 * own sections, the `late` own sections, [order].
 * ---------------------------------------------------------------------------------------------- */
typedef struct seed_run_config {
    int units;  /* md_units kind (lj | metal) */
    long seed;  /* every random stream derives from it and a task index */
} seed_run_config;

typedef struct seed_job_section {
    const char *name;            /* section name */
    const sr_keyword *keywords;  /* its table */
    void *target;                /* the command's struct the table binds into */
    int required;                /* 1: "FILE: missing section [name]" when absent */
    int late;                    /* 1: bound after [output] and the missing-section checks */
} seed_job_section;

typedef struct seed_job_spec {
    const char *const *sections;       /* every section the command accepts (NULL-terminated) */
    const sr_keyword *run_keywords;    /* [run] table (units, seed) into seed_run_config */
    const sr_keyword *output_keywords; /* [output] table (prefix) into seed_output_config */
    const seed_job_section *own;       /* the command's own sections */
    int nown;
    int min_ensemble;                  /* [ensemble] ensemble must be >= this (1: nvt or npt, 2: npt) */
    const char *ensemble_need;         /* message after "FILE: [ensemble] " otherwise */
    const char *const *bound_later;    /* sections another parser reads later: not checked for unused keys */
} seed_job_spec;

typedef struct seed_job {
    const char *file;
    char basedir[4096];   /* directory of the input file: relative file names are resolved against it */
    sr_input *in;
    seed_run_config run;
    seed_structure_config sc;
    seed_ensemble_config ec;
    seed_output_config oc;
    md_integrator_params ip; /* from [ensemble] (seed_job_ensemble) */
    md_potential *pot;       /* from [potential] (seed_job_potential) */
    order_classifier *cls;   /* from [order] */
} seed_job;

/* Parse `file` and bind the shared and the command's sections (j zeroed by the caller). Returns the parser's
 * status when the file cannot be read (el empty), SR_EINVAL when el holds problems, else 0. */
int seed_job_parse(seed_job *j, const char *file, const seed_job_spec *spec, sr_errlist *el);
/* "    log10 WHAT = x  [lo, hi] (length^-3 time^-1)", plus the SI value in metal units; lo/hi NaN: no interval. */
void seed_job_print_log_rate(const seed_job *j, const char *what, double J, double lo, double hi);
/* `--keys` of a command with the shared sections: [run] (run_kw), [structure], [potential], [ensemble], [order],
 * the command's own section `own` (own_kw), [output] (out_kw). */
void seed_job_print_keys(FILE *out, const sr_keyword *run_kw, const char *own, const sr_keyword *own_kw,
                         const sr_keyword *out_kw);
/* [ensemble] -> j->ip; adds "FILE: [ensemble] <ensemble_need>" below spec->min_ensemble. */
int seed_job_ensemble(seed_job *j, const seed_job_spec *spec, sr_errlist *el);
/* [potential] -> j->pot (built for the types of the [structure] system), then the unused-key check of every
 * section except those in bound_later (NULL-terminated; NULL: none). Non-zero when el holds problems or the build failed. */
int seed_job_potential(seed_job *j, const char *const *bound_later, sr_errlist *el);
/* Rank 0 prints el (or, when it is empty, the last error for rc != 0); clears el. Returns SR_EINVAL when el held
 * problems, else rc. */
int seed_job_fail(sr_errlist *el, int rc);
/* mkdir of the directory of [output] prefix (call on rank 0). */
int seed_job_make_outdir(const seed_job *j);
/* Rank 0 writes `s` (made there; rc_prep its status) to the checkpoint `path`; every rank, rank 0 included, restores
 * it from the same bytes into *out, so all tasks start from an identical system whatever the number of ranks.
 * Non-zero on every rank when rc_prep was (nothing is written then). */
int seed_share_system(const char *path, int rc_prep, const md_system *s, md_system **out);
/* The same from rank `root`, which writes the checkpoint and holds s. */
int seed_share_system_from(const char *path, int rc_prep, const md_system *s, md_system **out, int root);
void seed_job_free(seed_job *j);

/* PREFIX.campaign.sig holds a hash of the campaign's inputs: a rerun with the same prefix and different inputs
 * is refused (its checkpoints and journals would be reused) with a message that says what to do. */

#endif
