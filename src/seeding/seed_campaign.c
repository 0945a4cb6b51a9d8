/* Seeding campaigns: preparation of the seeded configurations, replicas over MPI ranks through a shared
 * task counter, a per-rank journal that makes the campaign resumable, campaign.nc and the P_grow fit.
 *
 * Protocol (Espinosa, Vega, Valeriani & Sanz, JCP 144, 034501, 2016; Sanz et al., JACS 135, 15008, 2013):
 * equilibrate bulk crystal and liquid at (T, p) in NPT; cut a spherical seed of N atoms from the crystal;
 * insert it into the liquid removing overlapping liquid atoms; relax the interface with the seed frozen;
 * then M replicas with independent Maxwell-Boltzmann velocities (streams from campaign seed + replica
 * index) run NPT until N_max passes grow_factor N_0 (grown), falls below melt_fraction N_0 (melted), or
 * t_max (undecided). P_grow(N) or P_grow(T) is fitted by maximum binomial likelihood. */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "seed.h"
#include "seed_comm.h"
#include "../cnt/cnt.h"
#include "../common/sr_hash.h"
#include "../common/sr_rng.h"
#include "../io/io.h"

const sr_keyword seed_campaign_keywords[] = {
    {"mode", SR_KW_CHOICE, offsetof(seed_campaign_config, mode), "", "sizes", 0, 0, "sizes|temperatures",
     "sizes: several seed sizes at one T -> N_c; temperatures: one seed at several T -> T_c"},
    {"seed_sizes", SR_KW_REALS, offsetof(seed_campaign_config, sizes), "atoms", "40 80 120", 1, 1e7, NULL,
     "seed sizes (number of crystal atoms cut from the crystal); mode temperatures uses the first"},
    {"temperatures", SR_KW_REALS, offsetof(seed_campaign_config, temperatures), "temperature", "0", 0, 1e7, NULL,
     "temperatures of mode temperatures (mode sizes uses [ensemble] temperature)"},
    {"replicas", SR_KW_INT, offsetof(seed_campaign_config, replicas), "", "10", 1, 1e6, NULL,
     "replicas per seed size (or temperature)"},
    {"analyze_every", SR_KW_LONG, offsetof(seed_campaign_config, analyze_every), "steps", "100", 1, 1e9, NULL,
     "steps between N_max analyses"},
    {"max_steps", SR_KW_LONG, offsetof(seed_campaign_config, max_steps), "steps", "20000", 1, 1e12, NULL,
     "t_max of a replica: undecided after this many steps"},
    {"grow_factor", SR_KW_REAL, offsetof(seed_campaign_config, grow_factor), "", "2.0", 1.01, 1e3, NULL,
     "grown when N_max >= grow_factor * N_ref (N_ref: N_max at frame settle_frames)"},
    {"melt_fraction", SR_KW_REAL, offsetof(seed_campaign_config, melt_fraction), "", "0.25", 0, 0.99, NULL,
     "melted when N_max <= melt_fraction * N_ref (N_ref: N_max at frame settle_frames)"},
    {"liquid_cells", SR_KW_REALS, offsetof(seed_campaign_config, liquid_cells), "", "10 10 10", 1, 1000, NULL,
     "unit cells of the lattice that is melted to make the liquid"},
    {"liquid_density", SR_KW_REAL, offsetof(seed_campaign_config, liquid_density), "length^-3", "0", 0, 1e6, NULL,
     "number density of the lattice that is melted (0: 0.85 x the crystal density); NPT then sets the density"},
    {"melt_temperature", SR_KW_REAL, offsetof(seed_campaign_config, melt_temperature), "temperature", "0", 0,
     1e7, NULL, "temperature at which the liquid is melted first (0: 2 T)"},
    {"melt_steps", SR_KW_LONG, offsetof(seed_campaign_config, melt_steps), "steps", "2000", 0, 1e12, NULL,
     "steps of melting (NVT at melt_temperature)"},
    {"equil_steps", SR_KW_LONG, offsetof(seed_campaign_config, equil_steps), "steps", "2000", 0, 1e12, NULL,
     "NPT equilibration of the bulk crystal and liquid at (T, p)"},
    {"relax_steps", SR_KW_LONG, offsetof(seed_campaign_config, relax_steps), "steps", "200", 0, 1e12, NULL,
     "interface relaxation with the seed atoms frozen (NVT)"},
    {"overlap", SR_KW_REAL, offsetof(seed_campaign_config, overlap), "length", "0", 0, 1e3, NULL,
     "liquid atoms closer than this to a seed atom are removed (0: 0.85 x crystal nearest-neighbour distance)"},
    {"cluster_cutoff", SR_KW_REAL, offsetof(seed_campaign_config, cluster_cutoff), "length", "0", 0, 1e3, NULL,
     "solid atoms closer than this belong to one cluster (0: the classifier's neighbor cutoff)"},
    {"bootstrap", SR_KW_INT, offsetof(seed_campaign_config, nboot), "", "1000", 0, 1e7, NULL,
     "bootstrap resamples over replicas for the N_c interval"},
    {"calibrate", SR_KW_CHOICE, offsetof(seed_campaign_config, calibrate), "", "state_point", 0, 0, "state_point|none",
     "state_point: the [order] threshold (xi_c for bonds, the qbar threshold) is chosen where the mislabelled fractions "
     "of the campaign's own bulk liquid and crystal at (T, p) are equal (Espinosa et al. 2016), and its neighbours "
     "(xi_c -+ 1) give the classifier systematic; none: the [order] threshold as given"},
    {"calibrate_frames", SR_KW_INT, offsetof(seed_campaign_config, calibrate_frames), "", "5", 1, 1000, NULL,
     "frames of the bulk liquid and of the bulk crystal (analyze_every steps apart) for the calibration"},
    {"thermal_frames", SR_KW_INT, offsetof(seed_campaign_config, thermal_frames), "", "12", 5, 100000, NULL,
     "first frames of each replica used for the thermalised seed size (fit of the interface relaxation)"},
    {"settle_frames", SR_KW_INT, offsetof(seed_campaign_config, settle_frames), "", "2", 0, 100000, NULL,
     "grown/melted are decided relative to N_max at this analysis frame, after the inserted seed's interface has "
     "relabelled (0: relative to N_max(0), the frozen seed); no decision before it"},
    {"track", SR_KW_CHOICE, offsetof(seed_campaign_config, track), "", "seed", 0, 0, "seed|largest",
     "seed: a replica's size is that of the inserted seed's own cluster, followed from frame to frame by the atoms it "
     "shares with the cluster followed before (a crystallite that nucleates elsewhere in the box does not count as "
     "the seed growing); largest: N_max, the largest crystalline cluster in the box"},
    {"model_dev_threshold", SR_KW_REAL, offsetof(seed_campaign_config, model_dev_threshold), "force", "0", 0, 1e6, NULL,
     "a replica whose largest model deviation at its analysed frames (a committee potential's max over atoms of the "
     "force standard deviation, DP-GEN) passes this is flagged in the campaign file and the summary; flagged replicas "
     "stay in the P_grow fit (0: off; DP-GEN practice for water 0.15-0.3 eV/angstrom)"},
    SR_KW_END};

const sr_keyword seed_output_keywords[] = {
    {"prefix", SR_KW_STRING, offsetof(seed_output_config, prefix), "", "campaign", 0, 0, NULL,
     "output prefix: PREFIX.nc (campaign), PREFIX.journal.RANK, PREFIX.state*.ckpt (prepared crystal and liquid per "
     "temperature), PREFIX.point*.ckpt (seeded configurations)"},
    SR_KW_END};

/* [cnt] belongs to `seedrate cnt`, which runs the campaign from the same file */
static const char *const campaign_sections[] = {"run", "structure", "potential", "ensemble", "order",
                                                "campaign", "output", "cnt", "order_alt", NULL};

/* read by seedrate cnt after the campaign's own parse */
static const char *const campaign_bound_later[] = {"cnt", "order_alt", NULL};

static const sr_keyword campaign_run_keywords[] = {
    {"units", SR_KW_CHOICE, offsetof(seed_run_config, units), "", "lj", 0, 0, "lj|metal",
     "unit style (lj reduced; metal: angstrom, eV, ps, g/mol, K, bar)"},
    {"seed", SR_KW_LONG, offsetof(seed_run_config, seed), "", "2016", 0, 9.2e18, NULL,
     "campaign seed: every random stream derives from it and the replica index"},
    SR_KW_END};

void seed_campaign_print_keys(FILE *out)
{
    sr_keywords_print(campaign_run_keywords, "run", out);
    sr_keywords_print(seed_structure_keywords, "structure", out);
    sr_keywords_print(seed_ensemble_keywords, "ensemble", out);
    fprintf(out, "[order]\n  style              classifier: %s (then its keys; see seedrate order keys)\n",
            order_classifier_names());
    sr_keywords_print(seed_campaign_keywords, "campaign", out);
    sr_keywords_print(seed_output_keywords, "output", out);
}

/* ---- job state ---- */
typedef struct campaign {
    seed_job job;  /* [run], [structure], [ensemble], [potential], [order], [output] (seed_job.c) */
    seed_campaign_config cc;
    int npoints;
    double *T;     /* per point */
    int *size;     /* per point */
    md_system **start; /* seeded configuration per point */
    int nstates;       /* prepared states: one bulk crystal + liquid per temperature (issue #17) */
    int *state_of;     /* [npoints] state of each point */
    int *state_first;  /* [nstates] first point of each state (its streams make the state) */
    unsigned char **state_bytes; /* [nstates] PREFIX.state<K>.ckpt as bytes, on every rank (NULL: not needed) */
    long *state_len;
    int max_frames;
    long ntot;     /* replicas in all */
    /* results (indexed by global replica index) */
    long *outcome1;  /* outcome + 1; 0 = not done */
    long *n0;
    long *nframes;
    double *t_end;
    long *nmax1;     /* [ntot * max_frames], value + 1; 0 = none */
    const seed_campaign_override *ov; /* NULL: the file as it is */
    long *n0alt;     /* N_max(0) with ov->alt (+1; 0 = none) */
    int bracketed;   /* N_c from the bracket of separated outcomes, not from a fit */
    /* state-point calibration (issue #14) */
    int calibrated;  /* 1: threshold chosen at (T, p); 0: the [order] threshold as given; -1: not applicable */
    order_statepoint sp;
    double user_threshold;    /* the [order] threshold before calibration */
    int bulk_nmax, bulk_nsolid; /* largest cluster and solid-labelled atoms in the bulk liquid frames (max) */
    long bulk_natoms;
    order_classifier *cls_nb[2]; /* neighbouring settings (NULL: none) */
    int nbf;                 /* frames kept per replica for the neighbour traces */
    long *nb1[2];            /* [ntot * nbf], N_max + 1 with cls_nb[k]; 0 = none */
    double *model_dev;       /* [ntot] replica's largest model deviation (0: no committee; NaN: journal without it) */
} campaign;

static void campaign_free(campaign *c)
{
    if (c->start)
        for (int p = 0; p < c->npoints; p++) md_system_free(c->start[p]);
    free(c->start);
    for (int k = 0; c->state_bytes && k < c->nstates; k++) free(c->state_bytes[k]);
    free(c->state_bytes);
    free(c->state_len);
    free(c->state_of);
    free(c->state_first);
    free(c->T);
    free(c->size);
    free(c->outcome1);
    free(c->n0);
    free(c->nframes);
    free(c->t_end);
    free(c->nmax1);
    free(c->n0alt);
    free(c->model_dev);
    for (int k = 0; k < 2; k++) {
        free(c->nb1[k]);
        order_classifier_free(c->cls_nb[k]);
    }
    seed_job_free(&c->job);
}

/* ---- parse and validate the whole input (every rank; only rank 0 prints) ---- */
static int campaign_parse(campaign *c, const char *file, sr_errlist *el)
{
    const seed_job_section own[] = {{"campaign", seed_campaign_keywords, &c->cc, 1, 0}};
    const seed_job_spec spec = {.sections = campaign_sections, .run_keywords = campaign_run_keywords,
                                .output_keywords = seed_output_keywords, .own = own, .nown = 1, .min_ensemble = 1,
                                .ensemble_need = "a campaign needs ensemble = npt or nvt",
                                .bound_later = campaign_bound_later};
    SR_TRY(seed_job_parse(&c->job, file, &spec, el));
    const seed_campaign_config *cc = &c->cc;
    seed_job_ensemble(&c->job, &spec, el);
    const seed_campaign_override *ov = c->ov;
    if (ov && ov->temperature > 0) c->job.ip.temperature = ov->temperature;
    if (ov && ov->nsizes > 0) {
        if (ov->nsizes > SR_KW_MAXLIST) return SR_ERROR(SR_EINVAL, "too many seed sizes (%d)", ov->nsizes);
        c->cc.sizes.n = ov->nsizes;
        for (int k = 0; k < ov->nsizes; k++) c->cc.sizes.v[k] = ov->sizes[k];
    }
    if (ov && ov->prefix) snprintf(c->job.oc.prefix, sizeof c->job.oc.prefix, "%s", ov->prefix);
    if (ov && (ov->temperature > 0 || ov->nsizes > 0) && cc->mode != 0)
        sr_errlist_add(el, "%s: [campaign] temperatures and sizes are set by seedrate cnt: needs mode = sizes", c->job.file);
    if (cc->mode == 0) {
        c->npoints = cc->sizes.n;
        if (cc->sizes.n < 1) sr_errlist_add(el, "%s: [campaign] seed_sizes is empty", c->job.file);
        seed_sizes_check(&c->job.sc, &cc->sizes, c->job.file, el);
    } else {
        c->npoints = cc->temperatures.n;
        if (cc->temperatures.n < 1 || cc->temperatures.v[0] <= 0)
            sr_errlist_add(el, "%s: [campaign] mode = temperatures needs temperatures > 0", c->job.file);
    }
    if (cc->liquid_cells.n != 3) sr_errlist_add(el, "%s: [campaign] liquid_cells needs 3 integers", c->job.file);
    if (el->n) return SR_EINVAL;
    c->T = calloc((size_t)c->npoints, sizeof *c->T);
    c->size = calloc((size_t)c->npoints, sizeof *c->size);
    c->start = calloc((size_t)c->npoints, sizeof *c->start);
    if (!c->T || !c->size || !c->start) return SR_ERROR(SR_ENOMEM, "out of memory");
    for (int p = 0; p < c->npoints; p++) {
        c->T[p] = cc->mode == 0 ? c->job.ip.temperature : cc->temperatures.v[p];
        c->size[p] = (int)(cc->mode == 0 ? cc->sizes.v[p] : cc->sizes.v[0]);
        if (c->size[p] < 1) sr_errlist_add(el, "%s: [campaign] seed size %d must be >= 1", c->job.file, c->size[p]);
    }
    /* points at the same temperature share a prepared state (in order of first appearance, so points appended on
     * a rerun keep the states, and their checkpoints, of the points before them) */
    c->state_of = calloc((size_t)c->npoints, sizeof *c->state_of);
    c->state_first = calloc((size_t)c->npoints, sizeof *c->state_first);
    if (!c->state_of || !c->state_first) return SR_ERROR(SR_ENOMEM, "out of memory");
    for (int p = 0; p < c->npoints; p++) {
        int k = 0;
        while (k < c->nstates && c->T[c->state_first[k]] != c->T[p]) k++;
        if (k == c->nstates) c->state_first[c->nstates++] = p;
        c->state_of[p] = k;
    }
    c->state_bytes = calloc((size_t)c->nstates, sizeof *c->state_bytes);
    c->state_len = calloc((size_t)c->nstates, sizeof *c->state_len);
    if (!c->state_bytes || !c->state_len) return SR_ERROR(SR_ENOMEM, "out of memory");
    c->max_frames = (int)(cc->max_steps / cc->analyze_every) + 2;
    c->ntot = (long)c->npoints * cc->replicas;
    if ((double)c->ntot * c->max_frames > 2e8)
        sr_errlist_add(el, "%s: [campaign] %ld replicas x %d frames is too much to keep (raise analyze_every)",
                       c->job.file, c->ntot, c->max_frames);
    return el->n ? SR_EINVAL : SR_OK;
}

/* Classify one configuration with the campaign's classifier (phase checks during preparation). */
static int analyze_once(const campaign *c, const md_system *s, order_cluster_result *cr)
{
    order_analyzer *an = NULL;
    int rc = order_analyzer_create(c->job.cls, c->cc.cluster_cutoff, &an);
    if (!rc) rc = order_analyze_frame(an, s, cr);
    order_analyzer_free(an);
    return rc;
}

/* The bulk crystal of [structure] at (T, p): built and equilibrated equil_steps (stream). */
static int crystal_build(const campaign *c, const seed_structure_config *sc, const md_integrator_params *ip,
                         uint64_t seed, uint64_t stream, gsl_rng *rv, md_system **out)
{
    char where[4300];
    snprintf(where, sizeof where, "%s: [structure]", c->job.file);
    md_system *xtal = NULL;
    int rc = seed_structure_build(sc, c->job.run.units, c->job.basedir, where, rv, &xtal);
    if (!rc) rc = seed_run_steps(xtal, c->job.pot, ip, c->cc.equil_steps, seed, stream, NULL);
    if (rc) {
        md_system_free(xtal);
        xtal = NULL;
    }
    *out = xtal;
    return rc;
}

/* The equilibrated crystal must still be one with the campaign's classifier (>= 50 % crystalline); k >= 0 names
 * the prepared state in the messages and prints its line. */
static int crystal_check(const campaign *c, const md_system *xtal, double T, int k)
{
    char who[32] = "";
    if (k >= 0) snprintf(who, sizeof who, "state %d: ", k);
    order_cluster_result cr;
    SR_TRY(analyze_once(c, xtal, &cr));
    if (cr.n_solid < 0.5 * xtal->n)
        return SR_ERROR(SR_EFAILED,
                        "%sthe bulk crystal melted during its NPT equilibration at T = %g (only %d of %d atoms "
                        "crystalline): T is above the melting temperature at this pressure, so no seed can grow",
                        who, T, cr.n_solid, xtal->n);
    if (k >= 0)
        printf("[campaign] state %d: crystal at T = %g: %d atoms, rho %.5g, %.1f%% crystalline\n", k, T, xtal->n,
               xtal->n / md_system_volume(xtal), 100.0 * cr.n_solid / xtal->n);
    return SR_OK;
}

/* ---- prepared states (issue #17): the points of a campaign that share a temperature (all of them in sizes mode;
 * the pressure is the campaign's) share one equilibrated bulk crystal and one equilibrated liquid, made once with
 * the streams of the state's first point (so that point's seeded configuration is the one a campaign that prepared
 * every point by itself made) and kept in PREFIX.state<K>.ckpt; each point then cuts its own seed, inserts it and
 * relaxes the interface with its own streams. ---- */

/* Streams of point p's preparation: above every replica index (shifted by the override's offset). */
static uint64_t point_stream(const campaign *c, int p)
{
    return 1000000000ull + (uint64_t)p + (c->ov ? (uint64_t)c->ov->stream_offset : 0);
}

/* State k: the [structure] crystal and a melted lattice of liquid_cells, both equilibrated in NPT at (T, p) (checked
 * by check_state once the classifier is calibrated). */
static int prepare_state(campaign *c, int k, md_system **xtal_out, md_system **liq_out)
{
    const int p0 = c->state_first[k];
    const uint64_t seed = (uint64_t)c->job.run.seed, stream = point_stream(c, p0);
    const double T = c->T[p0];
    md_integrator_params ip = c->job.ip;
    ip.temperature = T;
    char where[4300];
    snprintf(where, sizeof where, "%s: [structure]", c->job.file);
    gsl_rng *rv = sr_rng_create(seed, stream, SR_RNG_VELOCITIES);
    md_system *xtal = NULL, *liq = NULL;
    seed_structure_config sc = c->job.sc;
    sc.temperature = T;
    int rc = rv ? crystal_build(c, &sc, &ip, seed, stream, rv, &xtal) : SR_ERROR(SR_ENOMEM, "out of memory");
    /* liquid: the same lattice in liquid_cells, melted, then equilibrated at (T, p) */
    const double Tmelt = c->cc.melt_temperature > 0 ? c->cc.melt_temperature : 2.0 * T;
    seed_structure_config lc = seed_liquid_lattice(&c->job.sc, &c->cc.liquid_cells, c->cc.liquid_density, Tmelt);
    if (!rc && c->job.sc.file[0]) {
        rc = SR_ERROR(SR_EINVAL, "%s: [structure] file is not supported in campaigns yet: build the crystal from a lattice",
                      c->job.file);
    }
    if (!rc) rc = seed_structure_build(&lc, c->job.run.units, c->job.basedir, where, rv, &liq);
    if (!rc) rc = seed_liquid_melt(liq, c->job.pot, &ip, Tmelt, c->cc.melt_steps, c->cc.equil_steps, seed, stream);
    gsl_rng_free(rv);
    if (rc) {
        md_system_free(xtal);
        md_system_free(liq);
        return rc;
    }
    printf("[campaign] state %d: crystal (%d atoms) and liquid (%d atoms, melted at T = %g) prepared at T = %g\n", k,
           xtal->n, liq->n, Tmelt, T);
    *xtal_out = xtal;
    *liq_out = liq;
    return SR_OK;
}

/* State k with the campaign's (calibrated) classifier: the crystal must be one, the liquid must be liquid (no
 * crystalline cluster of a size comparable to the seeds). Prints both. */
static int check_state(const campaign *c, int k, const md_system *xtal, const md_system *liq)
{
    const double T = c->T[c->state_first[k]];
    SR_TRY(crystal_check(c, xtal, T, k));
    order_cluster_result cr;
    SR_TRY(analyze_once(c, liq, &cr));
    int maxsize = 0;
    for (int p = 0; p < c->npoints; p++)
        if (c->size[p] > maxsize) maxsize = c->size[p];
    if (cr.nmax > 2 * maxsize || cr.n_solid > 0.3 * liq->n)
        return SR_ERROR(SR_EFAILED,
                        "state %d: the prepared liquid at T = %g (%d atoms, rho %.4g) already holds a crystalline "
                        "cluster of %d atoms (%d solid-labelled): it crystallized or never melted. Raise "
                        "melt_temperature/melt_steps, lower liquid_density, or check the [order] thresholds "
                        "(seedrate order calibrate)", k, T, liq->n, liq->n / md_system_volume(liq), cr.nmax, cr.n_solid);
    for (int p = 0; p < c->npoints; p++)
        if (c->state_of[p] == k && cr.nmax > c->size[p] / 2)
            printf("[campaign] warning: point %d: the liquid already holds a crystalline cluster of %d atoms, more "
                   "than half the seed (%d): this seed size is too small to tell apart\n", p, cr.nmax, c->size[p]);
    printf("[campaign] state %d: liquid at T = %g: %d atoms, rho %.5g, largest crystalline cluster %d (%d "
           "solid-labelled)\n", k, T, liq->n, liq->n / md_system_volume(liq), cr.nmax, cr.n_solid);
    return SR_OK;
}

/* Point p from its prepared state (not modified): the seed of size[p] cut from the crystal and inserted at the
 * centre of a copy of the liquid, the interface relaxed (NVT, seed frozen) with the point's own stream. */
static int seed_point(const campaign *c, int p, const md_system *xtal, const md_system *liq_state, md_system **out)
{
    const uint64_t seed = (uint64_t)c->job.run.seed, stream = point_stream(c, p);
    const double T = c->T[p];
    md_system *liq = md_system_copy(liq_state), *seedsys = NULL;
    unsigned char *is_seed = NULL;
    double radius = 0;
    int rc = liq ? seed_cut_sphere(xtal, c->size[p], &seedsys, &radius) : SR_ERROR(SR_ENOMEM, "out of memory");
    if (!rc) {
        double nn = md_lattice_nn_for_density(c->job.sc.lattice, xtal->n / md_system_volume(xtal));
        double overlap = c->cc.overlap > 0 ? c->cc.overlap : 0.85 * nn;
        double centre[3];
        for (int k = 0; k < 3; k++) centre[k] = liq->box.lo[k] + 0.5 * liq->box.len[k];
        int removed = 0;
        rc = seed_insert(liq, seedsys, centre, overlap, &is_seed, &removed);
        if (!rc)
            printf("[campaign] point %d: T = %g, seed %d atoms (radius %.3g), %d liquid atoms removed (overlap %.3g), "
                   "%d atoms\n", p, T, c->size[p], radius, removed, overlap, liq->n);
    }
    if (!rc) {
        md_integrator_params rp = c->job.ip;
        rp.temperature = T;
        rp.barostat = MD_BARO_NONE;
        rc = seed_run_steps(liq, c->job.pot, &rp, c->cc.relax_steps, seed, stream + 3000, is_seed);
    }
    free(is_seed);
    md_system_free(seedsys);
    if (rc) {
        md_system_free(liq);
        return rc;
    }
    for (int i = 0; i < liq->n; i++) liq->v[3 * i] = liq->v[3 * i + 1] = liq->v[3 * i + 2] = 0.0;
    liq->step = 0;
    liq->time = 0;
    *out = liq;
    return SR_OK;
}

/* PREFIX.state<K>.ckpt: "SRSTATE1", T, p (doubles), the liquid cells (3 int32), the byte lengths of the crystal's
 * and of the liquid's md checkpoint (2 int64), those two checkpoints (exact: positions, velocities, box, images,
 * ids), FNV-1a of everything before. Written to .tmp, fsync'ed, renamed. */
static const char state_magic[8] = {'S', 'R', 'S', 'T', 'A', 'T', 'E', '1'};
enum { STATE_HDR = 8 + 2 * 8 + 3 * 4 + 2 * 8 };

static void state_path(const char *prefix, int k, char *buf, size_t n)
{
    snprintf(buf, n, "%s.state%d.ckpt", prefix, k);
}

static int file_bytes(const char *path, unsigned char **buf, long *len)
{
    *buf = NULL;
    *len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) return SR_ERROR(SR_EIO, "%s: cannot open: %s", path, strerror(errno));
    long n = (fseek(fp, 0, SEEK_END) == 0) ? ftell(fp) : -1;
    rewind(fp);
    unsigned char *b = n > 0 ? malloc((size_t)n) : NULL;
    int rc = (n > 0 && b && fread(b, 1, (size_t)n, fp) == (size_t)n) ? SR_OK : SR_ERROR(SR_EIO, "%s: cannot read", path);
    fclose(fp);
    if (rc) {
        free(b);
        return rc;
    }
    *buf = b;
    *len = n;
    return SR_OK;
}

/* Encode a state and write it to `path` atomically; *buf, *len: the file's bytes. */
static int state_write(const char *path, double T, double p, const sr_reals *cells, const md_system *xtal,
                       const md_system *liq, unsigned char **buf, long *len)
{
    char part[4500];
    unsigned char *b[2] = {NULL, NULL};
    long n[2] = {0, 0};
    int rc = SR_OK;
    for (int k = 0; k < 2 && !rc; k++) { /* the md checkpoints, through a scratch file each */
        snprintf(part, sizeof part, "%s.part%d", path, k);
        rc = md_checkpoint_write(part, k ? liq : xtal, NULL);
        if (!rc) rc = file_bytes(part, &b[k], &n[k]);
        remove(part);
    }
    const long total = STATE_HDR + n[0] + n[1] + 8;
    unsigned char *out = rc ? NULL : malloc((size_t)total);
    if (!rc && !out) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    if (!rc) {
        const double tp[2] = {T, p};
        const int32_t nc[3] = {(int32_t)cells->v[0], (int32_t)cells->v[1], (int32_t)cells->v[2]};
        const int64_t ln[2] = {n[0], n[1]};
        unsigned char *q = out;
        memcpy(q, state_magic, 8);
        memcpy(q += 8, tp, sizeof tp);
        memcpy(q += sizeof tp, nc, sizeof nc);
        memcpy(q += sizeof nc, ln, sizeof ln);
        memcpy(q += sizeof ln, b[0], (size_t)n[0]);
        memcpy(q += n[0], b[1], (size_t)n[1]);
        q += n[1];
        const uint64_t h = sr_fnv1a64(SR_FNV1A64_INIT, out, (size_t)(q - out));
        memcpy(q, &h, 8);
        char tmp[4500];
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        FILE *fp = fopen(tmp, "wb");
        if (!fp || fwrite(out, 1, (size_t)total, fp) != (size_t)total || fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
            rc = SR_ERROR(SR_EIO, "%s: cannot write the prepared state: %s", tmp, strerror(errno));
        }
        if (fp && fclose(fp) != 0 && !rc) rc = SR_ERROR(SR_EIO, "%s: cannot write: %s", tmp, strerror(errno));
        if (!rc && rename(tmp, path) != 0) rc = SR_ERROR(SR_EIO, "%s: cannot rename: %s", path, strerror(errno));
        if (rc) remove(tmp);
    }
    free(b[0]);
    free(b[1]);
    if (rc) {
        free(out);
        return rc;
    }
    *buf = out;
    *len = total;
    return SR_OK;
}

/* Header of a state's bytes (T, p, cells); SR_EPARSE when they are not a whole state file. */
static int state_header(const unsigned char *b, long len, const char *path, double tp[2], int32_t nc[3], int64_t ln[2])
{
    if (len < STATE_HDR + 8 || memcmp(b, state_magic, 8) != 0)
        return SR_ERROR(SR_EPARSE, "%s: not a seedrate prepared-state file", path);
    memcpy(tp, b + 8, 2 * sizeof(double));
    memcpy(nc, b + 24, 3 * sizeof(int32_t));
    memcpy(ln, b + 36, 2 * sizeof(int64_t));
    uint64_t h;
    memcpy(&h, b + len - 8, 8);
    if (ln[0] < 0 || ln[1] < 0 || STATE_HDR + ln[0] + ln[1] + 8 != len ||
        sr_fnv1a64(SR_FNV1A64_INIT, b, (size_t)(len - 8)) != h)
        return SR_ERROR(SR_EPARSE, "%s: damaged or truncated prepared-state file (%ld bytes)", path, len);
    return SR_OK;
}

/* The crystal and the liquid back from a state's bytes. */
static int state_decode(const unsigned char *b, long len, const char *path, md_system **xtal, md_system **liq)
{
    double tp[2];
    int32_t nc[3];
    int64_t ln[2];
    *xtal = *liq = NULL;
    SR_TRY(state_header(b, len, path, tp, nc, ln));
    SR_TRY(md_checkpoint_read_buffer(b + STATE_HDR, (size_t)ln[0], path, xtal, NULL));
    int rc = md_checkpoint_read_buffer(b + STATE_HDR + ln[0], (size_t)ln[1], path, liq, NULL);
    if (rc) {
        md_system_free(*xtal);
        *xtal = NULL;
    }
    return rc;
}

int seed_campaign_state_load(const char *prefix, double T, double p, const sr_reals *cells, md_system **xtal,
                             md_system **liq)
{
    *xtal = *liq = NULL;
    unsigned char *b = NULL;
    long len = 0;
    int rc = SR_OK;
    char path[4400] = "";
    if (seed_comm_rank() == 0) {
        for (int k = 0; !rc; k++) {
            state_path(prefix, k, path, sizeof path);
            if (access(path, R_OK) != 0) break;
            double tp[2];
            int32_t nc[3];
            int64_t ln[2];
            rc = file_bytes(path, &b, &len);
            if (!rc) rc = state_header(b, len, path, tp, nc, ln);
            if (!rc && tp[0] == T && tp[1] == p && cells->n == 3 && nc[0] == (int32_t)cells->v[0] &&
                nc[1] == (int32_t)cells->v[1] && nc[2] == (int32_t)cells->v[2])
                break;
            free(b);
            b = NULL;
            len = 0;
        }
    }
    if (seed_comm_any(rc)) {
        free(b);
        return rc ? rc : SR_EFAILED;
    }
    rc = seed_comm_bcast_long(&len);
    if (!rc && len > 0) rc = seed_comm_bcast_bytes(path, sizeof path);
    if (!rc && len > 0 && seed_comm_rank() != 0 && !(b = malloc((size_t)len))) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    if (seed_comm_any(rc)) {
        free(b);
        return rc ? rc : SR_EFAILED;
    }
    if (len > 0) rc = seed_comm_bcast_bytes(b, (size_t)len);
    if (!rc && len > 0) rc = state_decode(b, len, path, xtal, liq);
    free(b);
    return rc;
}

/* ---- state-point calibration (rank 0): bulk crystal and bulk liquid at (T, p) made as for the points (own
 * streams), calibrate_frames frames of each analyze_every steps apart, threshold by the mislabelling criterion
 * (order_statepoint_calibrate). out[]: status, threshold, neighbour lo, hi, liquid->solid, solid->liquid,
 * bulk N_max, bulk solid-labelled, atoms sampled (liquid), (crystal), d_c, kind, liquid atoms. */
enum { CAL_N = 14 };
static int calibrate_run(campaign *c, double T, double *out)
{
    const uint64_t seed = (uint64_t)c->job.run.seed;
    const uint64_t stream = 2000000000ull + (c->ov ? (uint64_t)c->ov->stream_offset : 0);
    md_integrator_params ip = c->job.ip;
    ip.temperature = T;
    char where[4300];
    snprintf(where, sizeof where, "%s: [structure]", c->job.file);
    const int nf = c->cc.calibrate_frames;
    md_system **fl = calloc((size_t)nf, sizeof *fl), **fx = calloc((size_t)nf, sizeof *fx);
    gsl_rng *rv = sr_rng_create(seed, stream, SR_RNG_VELOCITIES);
    md_system *xtal = NULL, *liq = NULL;
    int rc = (!fl || !fx || !rv) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    seed_structure_config sc = c->job.sc;
    sc.temperature = T;
    if (!rc) rc = crystal_build(c, &sc, &ip, seed, stream, rv, &xtal);
    if (!rc) rc = crystal_check(c, xtal, T, -1);
    for (int f = 0; !rc && f < nf; f++) {
        rc = seed_run_steps(xtal, c->job.pot, &ip, c->cc.analyze_every, seed, stream + 10 + f, NULL);
        if (!rc && !(fx[f] = md_system_copy(xtal))) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    }
    const double Tmelt = c->cc.melt_temperature > 0 ? c->cc.melt_temperature : 2.0 * T;
    seed_structure_config lc = seed_liquid_lattice(&c->job.sc, &c->cc.liquid_cells, c->cc.liquid_density, Tmelt);
    if (!rc) rc = seed_structure_build(&lc, c->job.run.units, c->job.basedir, where, rv, &liq);
    if (!rc) rc = seed_liquid_melt(liq, c->job.pot, &ip, Tmelt, c->cc.melt_steps, c->cc.equil_steps, seed, stream);
    for (int f = 0; !rc && f < nf; f++) {
        rc = seed_run_steps(liq, c->job.pot, &ip, c->cc.analyze_every, seed, stream + 100 + f, NULL);
        if (!rc && !(fl[f] = md_system_copy(liq))) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    }
    order_statepoint sp;
    memset(&sp, 0, sizeof sp);
    /* calibrate = none keeps the user's threshold: the overlap of the phases is then reported, not a stop */
    if (!rc)
        rc = order_statepoint_calibrate(c->job.cls, fl, nf, fx, nf, c->cc.calibrate == 0 ? ORDER_STATEPOINT_MAX_MISLABEL : 1.0,
                                        &sp);
    /* the bulk liquid's largest cluster with the chosen (or given) threshold */
    order_classifier *chosen = NULL;
    int bn = 0, bs = 0;
    if (!rc) rc = order_classifier_with_threshold(c->job.cls, c->cc.calibrate == 0 ? sp.threshold : c->user_threshold,
                                                  &chosen);
    order_analyzer *an = NULL;
    if (!rc) rc = order_analyzer_create(chosen, c->cc.cluster_cutoff, &an);
    for (int f = 0; !rc && f < nf; f++) {
        order_cluster_result cr;
        rc = order_analyze_frame(an, fl[f], &cr);
        if (!rc && cr.nmax > bn) bn = cr.nmax;
        if (!rc && cr.n_solid > bs) bs = cr.n_solid;
    }
    order_analyzer_free(an);
    order_classifier_free(chosen);
    out[0] = rc;
    out[1] = sp.threshold;
    out[2] = sp.neighbour[0];
    out[3] = sp.neighbour[1];
    out[4] = sp.liquid_as_solid;
    out[5] = sp.solid_as_liquid;
    out[6] = bn;
    out[7] = bs;
    out[8] = (double)sp.n_liquid;
    out[9] = (double)sp.n_crystal;
    out[10] = sp.bond_threshold;
    out[11] = sp.kind;
    out[12] = liq ? liq->n : 0;
    out[13] = sp.extrapolated;
    for (int f = 0; f < nf; f++) {
        if (fl) md_system_free(fl[f]);
        if (fx) md_system_free(fx[f]);
    }
    free(fl);
    free(fx);
    md_system_free(xtal);
    md_system_free(liq);
    gsl_rng_free(rv);
    return rc;
}

/* PREFIX.calibration: the calibration's out[] for this campaign (the first line of PREFIX.campaign.sig, i.e. the
 * hash of its inputs, and T), so that a resumed campaign, or the same campaign with sizes appended (seedrate cnt's
 * bracketing rounds), classifies its new replicas with the threshold its journaled ones were classified with. Before
 * this file, each run calibrated again: a resumed EAM campaign through LAMMPS got 0.3717 instead of 0.3780 (the MD
 * of the calibration is not bit-reproducible there), and its new replicas were measured with another classifier. */
static void calibration_key(const campaign *c, double T, char *key, size_t n)
{
    char path[4400], sig[64] = "";
    snprintf(path, sizeof path, "%s.campaign.sig", c->job.oc.prefix);
    FILE *fp = fopen(path, "r");
    if (fp) {
        if (!fgets(sig, sizeof sig, fp)) sig[0] = '\0';
        fclose(fp);
    }
    sig[strcspn(sig, "\n")] = '\0';
    snprintf(key, n, "%s T=%.17g", sig, T);
}

static int calibration_load(const campaign *c, double T, double *out)
{
    char path[4400], key[128], line[256];
    snprintf(path, sizeof path, "%s.calibration", c->job.oc.prefix);
    calibration_key(c, T, key, sizeof key);
    FILE *fp = fopen(path, "r");
    if (!fp) return 0;
    int ok = fgets(line, sizeof line, fp) != NULL;
    line[strcspn(line, "\n")] = '\0';
    ok = ok && strlen(key) > 20 && !strcmp(line, key);
    for (int k = 0; k < CAL_N && ok; k++) ok = fscanf(fp, "%lg", &out[k]) == 1;
    fclose(fp);
    return ok && out[0] == 0;
}

static void calibration_save(const campaign *c, double T, const double *out)
{
    char path[4400], tmp[4500], key[128];
    snprintf(path, sizeof path, "%s.calibration", c->job.oc.prefix);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    calibration_key(c, T, key, sizeof key);
    FILE *fp = fopen(tmp, "w");
    if (!fp) return; /* not fatal: the next run calibrates again */
    int bad = fprintf(fp, "%s\n", key) < 0;
    for (int k = 0; k < CAL_N; k++) bad |= fprintf(fp, "%.17g\n", out[k]) < 0;
    if (fclose(fp) != 0 || bad || rename(tmp, path) != 0) remove(tmp);
}

/* All ranks: whether the classifier has a threshold to calibrate (then the [order] value is kept in
 * c->user_threshold); otherwise c->calibrated = -1 and rank 0 says so. */
static int calibration_wanted(campaign *c)
{
    const order_steinhardt_config *cfg = order_steinhardt_get_config(c->job.cls);
    if (!cfg) {
        c->calibrated = -1;
        if (seed_comm_rank() == 0)
            printf("[campaign] classifier %s: fixed definitions, no threshold to calibrate at the state point "
                   "(no classifier systematic)\n", c->job.cls->cls->name);
        return 0;
    }
    c->user_threshold = c->job.cls->cls == &order_classifier_qbar ? cfg->qbar_threshold : cfg->min_bonds;
    return 1;
}

/* The calibration's temperature: the mean of the points' (a mode = temperatures campaign is calibrated once). */
static double calibration_T(const campaign *c)
{
    int same = 1;
    for (int p = 1; p < c->npoints; p++) same = same && c->T[p] == c->T[0];
    if (same) return c->T[0]; /* exactly: the mean of n equal values is not always that value (PREFIX.calibration's key) */
    double T = 0;
    for (int p = 0; p < c->npoints; p++) T += c->T[p] / c->npoints;
    return T;
}

/* All ranks: the calibration that rank `root` ran (calibrate_run's out[], its error message) chooses the campaign's
 * classifier threshold at its state point and the neighbouring settings. */
static int calibrate_state_point(campaign *c, double *out, char *msg, size_t msglen, int root)
{
    const int qbar = c->job.cls->cls == &order_classifier_qbar;
    const double T = calibration_T(c);
    SR_TRY(seed_comm_bcast_bytes_from(out, CAL_N * sizeof *out, root));
    SR_TRY(seed_comm_bcast_bytes_from(msg, msglen, root));
    if (out[0] != 0) return SR_ERROR((int)out[0], "state-point calibration at T = %g: %s", T, msg);
    order_statepoint *sp = &c->sp;
    sp->threshold = out[1];
    sp->neighbour[0] = out[2];
    sp->neighbour[1] = out[3];
    sp->liquid_as_solid = out[4];
    sp->solid_as_liquid = out[5];
    c->bulk_nmax = (int)out[6];
    c->bulk_nsolid = (int)out[7];
    sp->n_liquid = (long)out[8];
    sp->n_crystal = (long)out[9];
    sp->bond_threshold = out[10];
    sp->kind = (int)out[11];
    c->bulk_natoms = (long)out[12];
    sp->extrapolated = (int)out[13];
    c->calibrated = c->cc.calibrate == 0;
    const double use = c->calibrated ? sp->threshold : c->user_threshold;
    const double step = c->calibrated ? 0.5 * (sp->neighbour[1] - sp->neighbour[0]) : (qbar ? 0.5 * (sp->neighbour[1] - sp->neighbour[0]) : 1.0);
    order_classifier *chosen = NULL;
    SR_TRY(order_classifier_with_threshold(c->job.cls, use, &chosen));
    order_classifier_free(c->job.cls);
    c->job.cls = chosen;
    for (int k = 0; k < 2; k++) SR_TRY(order_classifier_with_threshold(c->job.cls, use + (k ? step : -step), &c->cls_nb[k]));
    if (seed_comm_rank() == 0) {
        const char *tn = qbar ? "qbar threshold" : "xi_c (min_bonds)";
        printf("[campaign] state point T = %g: %s by the mislabelling criterion = %g (liquid labelled solid %.3g%%, "
               "crystal labelled liquid %.3g%%; %ld + %ld atoms in %d + %d bulk frames)%s\n", T, tn, sp->threshold,
               100 * sp->liquid_as_solid, 100 * sp->solid_as_liquid, sp->n_liquid, sp->n_crystal, c->cc.calibrate_frames,
               c->cc.calibrate_frames,
               sp->extrapolated ? "; the sampled phases do not overlap: threshold where normal fits of the two are "
                                  "mislabelled equally" : "");
        if (c->calibrated)
            printf("[campaign] classifier threshold %s = %g replaces the [order] value %g (calibrate = none keeps it); "
                   "neighbours %g and %g give the classifier systematic\n", tn, use, c->user_threshold, use - step,
                   use + step);
        else
            printf("[campaign] calibrate = none: the [order] %s = %g is used (the state point's choice would be %g); "
                   "neighbours %g and %g give the classifier systematic\n", tn, use, sp->threshold, use - step, use + step);
        printf("[campaign] bulk liquid at the state point: largest crystalline cluster %d atoms, %d solid-labelled of %ld\n",
               c->bulk_nmax, c->bulk_nsolid, c->bulk_natoms);
        int smin = c->size[0];
        for (int p = 1; p < c->npoints; p++)
            if (c->size[p] < smin) smin = c->size[p];
        if (c->cc.mode == 0 && c->bulk_nmax > 0.05 * smin)
            printf("[campaign] WARNING: the bulk liquid holds a crystalline cluster of %d atoms, more than 5%% of the "
                   "smallest seed (%d): the seeds are measured against that background\n", c->bulk_nmax, smin);
        fflush(stdout);
    }
    return SR_OK;
}

/* All ranks, before any seed is made: the state-point calibration (issue #14) and the prepared states that points
 * without their seeded configuration need (issue #17) are one set of tasks over the ranks (task 0 the calibration,
 * task 1 + k state k), so the calibration's bulk runs and the states' run side by side; a state is made once, or
 * reloaded from PREFIX.state<K>.ckpt. Then every rank gets the calibration and every state's bytes from the rank
 * that made them (every point is made from the same bytes whatever the number of ranks and whether the state was
 * made now or reloaded), and rank 0 checks the states with the calibrated classifier. Errors are printed here;
 * non-zero on every rank when one failed. */
static int prepare_shared(campaign *c)
{
    const int rank = seed_comm_rank(), ns = c->nstates;
    const int cal = calibration_wanted(c);
    double out[CAL_N] = {0};
    char msg[2048] = "";
    /* [k]: rank + 1 that holds state k; [ns + k]: its bytes; [2 ns]: rank + 1 that ran the calibration */
    long *own = calloc(2 * (size_t)ns + 1, sizeof(long));
    int rc = own ? SR_OK : SR_ERROR(SR_ENOMEM, "out of memory");
    seed_queue *sq = NULL;
    if (!rc) rc = seed_queue_create(1, &sq);
    while (!rc) {
        const long t = seed_queue_fetch_add(sq, 0, 1);
        if (t > ns) break;
        if (t == 0) { /* a failed calibration is reported by every rank after the broadcast below */
            if (!cal) continue;
            own[2 * ns] = rank + 1;
            const double Tc = calibration_T(c);
            if (calibration_load(c, Tc, out)) {
                printf("[campaign] state-point calibration at T = %g reloaded from %s.calibration\n", Tc,
                       c->job.oc.prefix);
                continue;
            }
            if (calibrate_run(c, Tc, out) == 0) {
                calibration_save(c, Tc, out);
                continue;
            }
            snprintf(msg, sizeof msg, "%s", sr_error_message());
            break; /* no state is needed any more */
        }
        const long k = t - 1;
        own[k] = rank + 1;
        int need = 0; /* a state whose points all have their seeded configuration is not needed */
        for (int p = 0; p < c->npoints && !need; p++) {
            char ck[4300];
            snprintf(ck, sizeof ck, "%s.point%d.ckpt", c->job.oc.prefix, p);
            need = c->state_of[p] == k && access(ck, R_OK) != 0;
        }
        if (!need) continue;
        char path[4400];
        state_path(c->job.oc.prefix, (int)k, path, sizeof path);
        const double T = c->T[c->state_first[k]], pr = c->job.ip.pressure;
        if (access(path, R_OK) == 0) {
            double tp[2];
            int32_t nc[3];
            int64_t ln[2];
            rc = file_bytes(path, &c->state_bytes[k], &c->state_len[k]);
            if (!rc) rc = state_header(c->state_bytes[k], c->state_len[k], path, tp, nc, ln);
            if (!rc && (tp[0] != T || tp[1] != pr))
                rc = SR_ERROR(SR_EINVAL, "%s holds a state at T = %g, p = %g, not at T = %g, p = %g: delete it", path,
                              tp[0], tp[1], T, pr);
            if (!rc) printf("[campaign] state %ld (T = %g): crystal and liquid reloaded from %s\n", k, T, path);
        } else {
            md_system *x = NULL, *l = NULL;
            rc = prepare_state(c, (int)k, &x, &l);
            if (!rc) rc = state_write(path, T, pr, &c->cc.liquid_cells, x, l, &c->state_bytes[k], &c->state_len[k]);
            md_system_free(x);
            md_system_free(l);
        }
        own[ns + k] = c->state_len[k];
        fflush(stdout);
    }
    if (sq) seed_queue_free(sq);
    if (rc) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
    if (seed_comm_any(rc)) {
        free(own);
        return rc ? rc : SR_EFAILED;
    }
    rc = seed_comm_allreduce_sum_long(own, 2 * ns + 1);
    if (!rc && cal) {
        rc = calibrate_state_point(c, out, msg, sizeof msg, (int)own[2 * ns] - 1);
        if (rc && rank == 0) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
    }
    for (int k = 0; k < ns && !rc; k++) {
        if (own[ns + k] <= 0) continue;
        if (rank + 1 != own[k] && !(c->state_bytes[k] = malloc((size_t)own[ns + k]))) rc = SR_ERROR(SR_ENOMEM, "out of memory");
        if (seed_comm_any(rc)) break;
        c->state_len[k] = own[ns + k];
        rc = seed_comm_bcast_bytes_from(c->state_bytes[k], (size_t)own[ns + k], (int)own[k] - 1);
    }
    free(own);
    if (rc) return rc; /* the same on every rank */
    for (int k = 0; k < ns && !rc && rank == 0; k++) {
        if (!c->state_bytes[k]) continue;
        char path[4400];
        state_path(c->job.oc.prefix, k, path, sizeof path);
        md_system *x = NULL, *l = NULL;
        rc = state_decode(c->state_bytes[k], c->state_len[k], path, &x, &l);
        if (!rc) rc = check_state(c, k, x, l);
        md_system_free(x);
        md_system_free(l);
        if (rc) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
    }
    fflush(stdout);
    return seed_comm_any(rc) ? (rc ? rc : SR_EFAILED) : SR_OK;
}

/* ---- broadcast of a system from `root` (pack as doubles) ---- */
static int bcast_system(md_system **s, int root)
{
    long hdr[3] = {0, 0, 0};
    if (seed_comm_rank() == root) {
        hdr[0] = (*s)->n;
        hdr[1] = (*s)->ntypes;
        hdr[2] = (*s)->units;
    }
    for (int k = 0; k < 3; k++) SR_TRY(seed_comm_bcast_long_from(&hdr[k], root));
    size_t len = 6 + (size_t)hdr[1] + 4 * (size_t)hdr[0];
    double *buf = calloc(len, sizeof(double));
    if (!buf) return SR_ERROR(SR_ENOMEM, "out of memory");
    if (seed_comm_rank() == root) {
        md_system *t = *s;
        for (int k = 0; k < 3; k++) {
            buf[k] = t->box.lo[k];
            buf[3 + k] = t->box.len[k];
        }
        for (int a = 0; a < t->ntypes; a++) buf[6 + a] = t->mass[a];
        double *p = buf + 6 + t->ntypes;
        for (int i = 0; i < t->n; i++) {
            for (int k = 0; k < 3; k++) p[4 * i + k] = t->x[3 * i + k];
            p[4 * i + 3] = t->type[i];
        }
    }
    int rc = seed_comm_bcast_bytes_from(buf, len * sizeof(double), root);
    if (!rc && seed_comm_rank() != root) {
        md_system *t = md_system_create((int)hdr[0], (int)hdr[1], (int)hdr[2]);
        if (!t) rc = SR_ERROR(SR_ENOMEM, "out of memory");
        if (!rc) rc = md_system_set_box(t, buf, buf + 3);
        if (!rc) rc = md_system_set_types(t, (int)hdr[1], buf + 6, NULL);
        const double *p = buf + 6 + hdr[1];
        for (int i = 0; !rc && i < t->n; i++) {
            for (int k = 0; k < 3; k++) t->x[3 * i + k] = p[4 * i + k];
            t->type[i] = (int)p[4 * i + 3];
        }
        if (rc) md_system_free(t);
        else *s = t;
    }
    free(buf);
    return rc;
}

/* ---- PREFIX.campaign.sig: a hash of everything the replicas depend on ---- */
static uint64_t hash_str(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return h;
}

/* The file holds the hash of every input but the point list, then one line per point ("size T"). A rerun
 * must have the same hash and keep the old points in front (points may be appended: their indices, streams,
 * journal entries and checkpoints stay valid), else it is refused. */
static int check_signature(const campaign *c)
{
    uint64_t h = 0xcbf29ce484222325ull;
    const char *secs[] = {"run", "structure", "potential", "ensemble", "order", "campaign"};
    for (int i = 0; i < 6; i++) {
        const sr_section *s = sr_input_section(c->job.in, secs[i]);
        h = hash_str(h, secs[i]);
        for (int k = 0; s && k < s->n; k++) {
            if (i == 3 && !strcmp(s->entries[k].key, "temperature")) continue; /* in the point list */
            if (i == 5 && (!strcmp(s->entries[k].key, "seed_sizes") || !strcmp(s->entries[k].key, "temperatures") ||
                           !strcmp(s->entries[k].key, "model_dev_threshold")))
                continue; /* the point list; the flagging threshold (read at the end, replicas do not depend on it) */
            h = hash_str(h, s->entries[k].key);
            h = hash_str(h, "=");
            h = hash_str(h, s->entries[k].value);
            h = hash_str(h, ";");
        }
    }
    char buf[256];
    /* the protocol (issue #14) and its effective settings, defaults included: a prefix made by an older protocol or
     * other settings is refused instead of mixing replicas decided by different rules */
    snprintf(buf, sizeof buf, "protocol=3;calibrate=%d;calibrate_frames=%d;settle_frames=%d;thermal_frames=%d;grow=%.17g;"
             "melt=%.17g;track=%d;", c->cc.calibrate, c->cc.calibrate_frames, c->cc.settle_frames, c->cc.thermal_frames,
             c->cc.grow_factor, c->cc.melt_fraction, c->cc.track);
    h = hash_str(h, buf);
    if (c->ov && c->ov->stream_offset) {
        snprintf(buf, sizeof buf, "off=%ld;", c->ov->stream_offset);
        h = hash_str(h, buf);
    }
    /* threads of the force loop change the replicas' bits (md_threads); the count may come from OMP_NUM_THREADS,
     * which the sections above do not hold (one thread adds nothing: older prefixes keep their hash) */
    if (c->job.pot && c->job.pot->threads > 1) {
        snprintf(buf, sizeof buf, "threads=%d;", c->job.pot->threads);
        h = hash_str(h, buf);
    }
    const size_t cap = 64 + 64 * (size_t)c->npoints;
    char *want = malloc(cap), *have = malloc(cap);
    if (!want || !have) {
        free(want);
        free(have);
        return SR_ERROR(SR_ENOMEM, "out of memory");
    }
    size_t len = (size_t)snprintf(want, cap, "%016llx\n", (unsigned long long)h);
    for (int p = 0; p < c->npoints; p++) len += (size_t)snprintf(want + len, cap - len, "%d %.17g\n", c->size[p], c->T[p]);
    char path[4400];
    snprintf(path, sizeof path, "%s.campaign.sig", c->job.oc.prefix);
    FILE *fp = fopen(path, "r");
    int rc = SR_OK;
    if (fp) {
        size_t n = fread(have, 1, cap - 1, fp);
        have[n] = '\0';
        fclose(fp);
        /* the old file must be a prefix of the new one (same inputs, points appended at most) */
        if (strncmp(have, want, strlen(have)) != 0 || strlen(have) < 17)
            rc = SR_ERROR(SR_EINVAL,
                          "%s: the output prefix %s already holds a campaign of other inputs (temperature, potential, "
                          "threads or OMP_NUM_THREADS, replicas, ... or other seed sizes than the first ones; new sizes may only be appended); its "
                          "checkpoints and journals cannot be reused: delete %s.* or set another [output] prefix",
                          c->job.file, c->job.oc.prefix, c->job.oc.prefix);
    }
    if (!rc) { /* (re)write: records appended points */
        char tmp[4500];
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        fp = fopen(tmp, "w");
        if (!fp || fputs(want, fp) < 0 || fclose(fp) != 0 || rename(tmp, path) != 0)
            rc = SR_ERROR(SR_EIO, "%s: cannot write: %s", path, strerror(errno));
    }
    free(want);
    free(have);
    return rc;
}

/* ---- journal: one line per finished replica, fsync'ed, one file per rank ---- */
static int journal_path(const campaign *c, int rank, char *buf, size_t n)
{
    return snprintf(buf, n, "%s.journal.%d", c->job.oc.prefix, rank) >= (int)n ? SR_EINVAL : SR_OK;
}

static int journal_append(FILE *fp, long g, const seed_replica_result *r, int nbf)
{
    fprintf(fp, "R %ld %d %d %d %.17g", g, r->outcome, r->n0, r->nframes, r->t_end);
    for (int f = 0; f < r->nframes; f++) fprintf(fp, " %d", r->nmax[f]);
    if (nbf > 0 && r->nmax_nb[0] && r->nmax_nb[1]) {
        const int m = r->nframes < nbf ? r->nframes : nbf;
        fprintf(fp, " B %d", m);
        for (int k = 0; k < 2; k++)
            for (int f = 0; f < m; f++) fprintf(fp, " %d", r->nmax_nb[k][f]);
    }
    fprintf(fp, " D %.17g\n", r->model_dev_max); /* model deviation; journals from before lack it */
    if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) return SR_ERROR(SR_EIO, "cannot write the journal: %s", strerror(errno));
    return SR_OK;
}

static void store_nb(campaign *c, long g, int m, int *const nb[2])
{
    for (int k = 0; k < 2; k++)
        if (c->nb1[k] && nb[k])
            for (int f = 0; f < m && f < c->nbf; f++) c->nb1[k][g * c->nbf + f] = nb[k][f] + 1;
}

static void store_result(campaign *c, long g, int outcome, int n0, int nframes, double t_end, const int *nmax,
                         double model_dev)
{
    c->outcome1[g] = outcome + 1;
    c->model_dev[g] = model_dev;
    c->n0[g] = n0;
    c->nframes[g] = nframes;
    c->t_end[g] = t_end;
    for (int f = 0; f < nframes && f < c->max_frames; f++) c->nmax1[g * c->max_frames + f] = nmax[f] + 1;
}

/* Read every PREFIX.journal.* (rank 0). Malformed or foreign lines (a line cut by a crash) are skipped. */
static long journal_load(campaign *c)
{
    char dirb[4096], baseb[4096];
    snprintf(dirb, sizeof dirb, "%s", c->job.oc.prefix);
    snprintf(baseb, sizeof baseb, "%s", c->job.oc.prefix);
    const char *dir = dirname(dirb), *base = basename(baseb);
    char stem[4200];
    snprintf(stem, sizeof stem, "%s.journal.", base);
    DIR *d = opendir(dir);
    if (!d) return 0;
    long loaded = 0;
    int *nm = malloc((size_t)c->max_frames * sizeof(int));
    int *nbv[2] = {malloc(((size_t)c->nbf + 1) * sizeof(int)), malloc(((size_t)c->nbf + 1) * sizeof(int))};
    struct dirent *e;
    while (nm && nbv[0] && nbv[1] && (e = readdir(d))) {
        if (strncmp(e->d_name, stem, strlen(stem)) != 0) continue;
        char path[8400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *fp = fopen(path, "r");
        if (!fp) continue;
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while ((len = getline(&line, &cap, fp)) > 0) {
            if (line[len - 1] != '\n') break; /* cut by a crash */
            long g;
            int oc, n0, nf, used;
            double te;
            if (sscanf(line, "R %ld %d %d %d %lf%n", &g, &oc, &n0, &nf, &te, &used) != 5) continue;
            if (g < 0 || g >= c->ntot || oc < 0 || oc > 3 || nf < 0 || nf > c->max_frames) continue;
            char *p = line + used;
            int ok = 1;
            for (int f = 0; f < nf && ok; f++) {
                char *end;
                long v = strtol(p, &end, 10);
                if (end == p) ok = 0;
                nm[f] = (int)v;
                p = end;
            }
            if (!ok || c->outcome1[g]) continue;
            /* optional neighbour-classifier block: " B m" then 2 x m values */
            int mb = 0, u2 = 0;
            if (sscanf(p, " B %d%n", &mb, &u2) == 1 && mb >= 0 && mb <= c->nbf) {
                p += u2;
                for (int k = 0; k < 2 && ok; k++)
                    for (int f = 0; f < mb && ok; f++) {
                        char *end;
                        long v = strtol(p, &end, 10);
                        if (end == p) ok = 0;
                        nbv[k][f] = (int)v;
                        p = end;
                    }
                if (!ok) continue;
            } else {
                mb = 0;
            }
            /* optional model deviation: " D value" (a journal from before has none: NaN) */
            double md = NAN;
            if (sscanf(p, " D %lf", &md) != 1) md = NAN;
            store_result(c, g, oc, n0, nf, te, nm, md);
            store_nb(c, g, mb, nbv);
            loaded++;
        }
        free(line);
        fclose(fp);
    }
    free(nm);
    free(nbv[0]);
    free(nbv[1]);
    closedir(d);
    return loaded;
}

/* ---- committee model deviation (issue 18) ---- */
/* 1: replica g's largest model deviation passes [campaign] model_dev_threshold (> 0); -1: not known (a journal line
 * from before the deviation was recorded) while a threshold is set; 0: otherwise */
static int model_dev_flag(const campaign *c, long g)
{
    if (!(c->cc.model_dev_threshold > 0) || !c->outcome1[g]) return 0;
    if (isnan(c->model_dev[g])) return -1;
    return c->model_dev[g] > c->cc.model_dev_threshold;
}

/* ---- campaign.nc ---- */
/* The P_grow fit against the sizes of the second classifier (threshold systematic). */
typedef struct pg_result {
    cnt_logistic_fit fit;
    cnt_interval boot;
    int fit_ok, boot_ok, bracketed;
    size_t skipped;
    double b_lo, b_hi;
    char why[512];
} pg_result;

/* the extra fits of a sizes campaign (all NaN when absent) */
typedef struct extra_fits {
    int present;         /* sizes mode with thermalisation */
    double *x_n0;        /* [np] mean N_max(0) per point */
    double *t_relax, *drift;
    double *x_nb[2];     /* [np] thermalised size with the neighbouring classifiers */
    double t_relax_median; /* median t_relax of the points with a relaxation fit */
    double *x_set;       /* [np] settled-window size: the protocol's thermalised size (primary) */
    double *x_fit;       /* [np] relaxation fit at 3 t_relax (second convention) */
    pg_result set;       /* P_grow fit on x_fit (the second thermalised convention) */
    unsigned char scaled[1024]; /* 1: no relaxation fit for this point: x_fit = the settled-window size */
    pg_result n0, nb[2]; /* P_grow fits on them */
    pg_result dec;       /* P_grow fit of the same traces re-decided with the narrower boundaries (decision systematic) */
    double dec_grow, dec_melt; /* those boundaries */
} extra_fits;

typedef struct alt_fit {
    int present, fit_ok, boot_ok;
    double x[1024]; /* mean N_max(0) of each point with the second classifier */
    cnt_logistic_fit fit;
    cnt_interval boot;
} alt_fit;

static int write_campaign_nc(const campaign *c, const double *x, const unsigned *ng, const unsigned *nt,
                             const unsigned *nund, const unsigned *nfail, const cnt_logistic_fit *fit, int fit_ok,
                             const cnt_interval *boot, int boot_ok, const alt_fit *af, const extra_fits *ex)
{
    char path[4200];
    snprintf(path, sizeof path, "%s.nc", c->job.oc.prefix);
    const md_units *u = md_units_get(c->job.run.units);
    io_ncfile *f;
    SR_TRY(io_ncfile_create(path, &f));
    int rc = SR_OK;
    const char *d_rep[] = {"replica"}, *d_rf[] = {"replica", "frame"}, *d_fr[] = {"frame"}, *d_pt[] = {"point"};
    const char *xunit = c->cc.mode == 0 ? "atoms" : u->temperature;
#define TRY(e) do { if (!rc) rc = (e); } while (0)
    TRY(io_ncfile_put_att_text(f, NULL, "title", "seedrate seeding campaign"));
    TRY(io_ncfile_put_att_text(f, NULL, "mode", c->cc.mode == 0 ? "sizes" : "temperatures"));
    TRY(io_ncfile_put_att_text(f, NULL, "units_style", u->name));
    TRY(io_ncfile_put_att_text(f, NULL, "outcome_codes", "0 melted, 1 grown, 2 undecided, 3 failed"));
    TRY(io_ncfile_put_att_text(f, NULL, "n_c_method",
                               c->bracketed ? "bracket: midpoint of [largest all-melted size, smallest all-grown size], "
                                              "sd = width/sqrt(12), 95% = the bracket (outcomes separated)"
                                            : "maximum binomial likelihood logistic fit, bootstrap over replicas"));
    TRY(io_ncfile_def_dim(f, "replica", (size_t)c->ntot));
    TRY(io_ncfile_def_dim(f, "frame", (size_t)c->max_frames));
    TRY(io_ncfile_def_dim(f, "point", (size_t)c->npoints));
    TRY(io_ncfile_def_var(f, "n_max", IO_NC_INT, 2, d_rf, "atoms", "size of the largest crystalline cluster (-1: no frame)"));
    TRY(io_ncfile_def_var(f, "time", IO_NC_DOUBLE, 1, d_fr, u->time, "time since the start of the replica"));
    TRY(io_ncfile_def_var(f, "outcome", IO_NC_INT, 1, d_rep, "1", "0 melted, 1 grown, 2 undecided, 3 failed"));
    TRY(io_ncfile_def_var(f, "point", IO_NC_INT, 1, d_rep, "1", "campaign point (seed size or temperature) of the replica"));
    TRY(io_ncfile_def_var(f, "n0", IO_NC_INT, 1, d_rep, "atoms", "N_max before any dynamics"));
    TRY(io_ncfile_def_var(f, "t_end", IO_NC_DOUBLE, 1, d_rep, u->time, "time of the last analysed frame"));
    TRY(io_ncfile_def_var(f, "seed_size", IO_NC_INT, 1, d_pt, "atoms", "requested seed size (atoms cut from the crystal)"));
    TRY(io_ncfile_def_var(f, "x", IO_NC_DOUBLE, 1, d_pt, xunit,
                          c->cc.mode == 0 ? "mean initial cluster size of the point" : "temperature of the point"));
    TRY(io_ncfile_def_var(f, "temperature", IO_NC_DOUBLE, 1, d_pt, u->temperature, "temperature"));
    TRY(io_ncfile_def_var(f, "pressure", IO_NC_DOUBLE, 0, NULL, u->pressure, "pressure"));
    TRY(io_ncfile_def_var(f, "n_grown", IO_NC_INT, 1, d_pt, "1", "replicas that grew"));
    TRY(io_ncfile_def_var(f, "n_decided", IO_NC_INT, 1, d_pt, "1", "replicas that grew or melted"));
    TRY(io_ncfile_def_var(f, "n_undecided", IO_NC_INT, 1, d_pt, "1", "replicas undecided at t_max"));
    TRY(io_ncfile_def_var(f, "n_failed", IO_NC_INT, 1, d_pt, "1", "replicas stopped by a numerical failure"));
    const char *crit = c->cc.mode == 0 ? "critical" : "temperature_critical";
    char nm[64];
    snprintf(nm, sizeof nm, "%s", c->cc.mode == 0 ? "n_c" : "t_c");
    TRY(io_ncfile_def_var(f, nm, IO_NC_DOUBLE, 0, NULL, xunit, c->cc.mode == 0 ? "critical nucleus size N_c (P_grow = 1/2)" : "temperature at which the seed is critical"));
    snprintf(nm, sizeof nm, "%s_se", c->cc.mode == 0 ? "n_c" : "t_c");
    TRY(io_ncfile_def_var(f, nm, IO_NC_DOUBLE, 0, NULL, xunit, "standard error (inverse Fisher information)"));
    TRY(io_ncfile_def_var(f, "width", IO_NC_DOUBLE, 0, NULL, xunit, "logistic width w of P_grow"));
    TRY(io_ncfile_def_var(f, "width_se", IO_NC_DOUBLE, 0, NULL, xunit, "standard error of w"));
    TRY(io_ncfile_def_var(f, "boot_lo68", IO_NC_DOUBLE, 0, NULL, xunit, "bootstrap 68% interval, low"));
    TRY(io_ncfile_def_var(f, "boot_hi68", IO_NC_DOUBLE, 0, NULL, xunit, "bootstrap 68% interval, high"));
    TRY(io_ncfile_def_var(f, "boot_lo95", IO_NC_DOUBLE, 0, NULL, xunit, "bootstrap 95% interval, low"));
    TRY(io_ncfile_def_var(f, "boot_hi95", IO_NC_DOUBLE, 0, NULL, xunit, "bootstrap 95% interval, high"));
    (void)crit;
    const char *alt_names[5] = {"n_c_alt", "n_c_alt_se", "n_c_alt_lo68", "n_c_alt_hi68", "x_alt"};
    if (af->present) {
        TRY(io_ncfile_def_var(f, "n0_alt", IO_NC_INT, 1, d_rep, "atoms", "N_max before any dynamics, [order_alt] classifier (-1: none)"));
        TRY(io_ncfile_def_var(f, alt_names[0], IO_NC_DOUBLE, 0, NULL, "atoms", "N_c fitted on the [order_alt] sizes (threshold systematic)"));
        TRY(io_ncfile_def_var(f, alt_names[1], IO_NC_DOUBLE, 0, NULL, "atoms", "standard error of n_c_alt"));
        TRY(io_ncfile_def_var(f, alt_names[2], IO_NC_DOUBLE, 0, NULL, "atoms", "n_c_alt bootstrap 68% low"));
        TRY(io_ncfile_def_var(f, alt_names[3], IO_NC_DOUBLE, 0, NULL, "atoms", "n_c_alt bootstrap 68% high"));
        TRY(io_ncfile_def_var(f, alt_names[4], IO_NC_DOUBLE, 1, d_pt, "atoms", "mean initial cluster size of the point, [order_alt]"));
    }
    /* the accuracy protocol (issue #14): N_c convention, classifier at the state point, systematics */
    const char *d_nb[] = {"neighbour"}, *d_nbp[] = {"neighbour", "point"};
    TRY(io_ncfile_def_dim(f, "neighbour", 2));
    if (ex->present) {
        TRY(io_ncfile_put_att_text(f, NULL, "n_c_convention",
                                   "thermalised seed size x: per point, the mean over replicas of N_max averaged over the "
                                   "frames settle_frames-1..settle_frames+1 (no decision before settle_frames); N_c = P_grow "
                                   "midpoint against x. n_c_fit: against the relaxation fit N_th + (N(0) - N_th) "
                                   "exp(-t/t_relax) + v t evaluated at 3 t_relax (second convention); n_c_n0: against "
                                   "N_max(0) (reference only)"));
        TRY(io_ncfile_def_var(f, "x_n0", IO_NC_DOUBLE, 1, d_pt, "atoms", "mean N_max(0) of the point (frozen, perfect seed)"));
        TRY(io_ncfile_def_var(f, "t_relax", IO_NC_DOUBLE, 1, d_pt, u->time, "relaxation time of the seed's interface labels"));
        TRY(io_ncfile_def_var(f, "drift", IO_NC_DOUBLE, 1, d_pt, "atoms/time", "growth (> 0) or melting drift of the point's mean N_max after relaxation"));
        TRY(io_ncfile_def_var(f, "x_nb", IO_NC_DOUBLE, 2, d_nbp, "atoms", "thermalised seed size with the neighbouring classifier settings"));
        TRY(io_ncfile_def_var(f, "x_fit", IO_NC_DOUBLE, 1, d_pt, "atoms", "thermalised size from the relaxation fit at 3 t_relax (second convention)"));
        TRY(io_ncfile_def_var(f, "n_c_fit", IO_NC_DOUBLE, 0, NULL, "atoms", "N_c against x_fit (second thermalised convention: the N_0-convention systematic)"));
        TRY(io_ncfile_def_var(f, "n_c_n0", IO_NC_DOUBLE, 0, NULL, "atoms", "N_c against N_max(0), the frozen perfect seed (reference only)"));
        TRY(io_ncfile_def_var(f, "n_c_n0_lo68", IO_NC_DOUBLE, 0, NULL, "atoms", "n_c_n0 bootstrap 68% low"));
        TRY(io_ncfile_def_var(f, "n_c_n0_hi68", IO_NC_DOUBLE, 0, NULL, "atoms", "n_c_n0 bootstrap 68% high"));
        TRY(io_ncfile_def_var(f, "n_c_nb", IO_NC_DOUBLE, 1, d_nb, "atoms", "N_c with the neighbouring classifier settings (classifier systematic; NaN: none)"));
        TRY(io_ncfile_def_var(f, "n_c_dec", IO_NC_DOUBLE, 0, NULL, "atoms", "N_c of the same traces re-decided with boundaries halfway to the settled size (decision-rule systematic; NaN: none)"));
        TRY(io_ncfile_def_var(f, "dec_boundaries", IO_NC_DOUBLE, 1, d_nb, "1", "grow and melt factors of that re-decision"));
    }
    TRY(io_ncfile_def_var(f, "order_calibrated", IO_NC_INT, 0, NULL, "1", "1: classifier threshold chosen at the state point by the mislabelling criterion; 0: as given in [order]; -1: not applicable"));
    TRY(io_ncfile_def_var(f, "order_threshold", IO_NC_DOUBLE, 0, NULL, "1", "classifier threshold used (xi_c for bonds, qbar threshold for qbar; NaN: none)"));
    TRY(io_ncfile_def_var(f, "order_threshold_nb", IO_NC_DOUBLE, 1, d_nb, "1", "neighbouring thresholds (classifier systematic)"));
    TRY(io_ncfile_def_var(f, "order_threshold_statepoint", IO_NC_DOUBLE, 0, NULL, "1", "threshold of equal mislabelled fractions at the state point"));
    TRY(io_ncfile_def_var(f, "mislabel_liquid", IO_NC_DOUBLE, 0, NULL, "1", "fraction of bulk-liquid atoms labelled solid at order_threshold_statepoint"));
    TRY(io_ncfile_def_var(f, "mislabel_crystal", IO_NC_DOUBLE, 0, NULL, "1", "fraction of bulk-crystal atoms labelled liquid at order_threshold_statepoint"));
    TRY(io_ncfile_def_var(f, "bulk_liquid_nmax", IO_NC_INT, 0, NULL, "atoms", "largest crystalline cluster in the bulk liquid frames at the state point (order_threshold)"));
    TRY(io_ncfile_def_var(f, "bulk_liquid_nsolid", IO_NC_INT, 0, NULL, "atoms", "solid-labelled atoms in the bulk liquid frames (largest), of bulk_liquid_natoms"));
    TRY(io_ncfile_def_var(f, "bulk_liquid_natoms", IO_NC_INT, 0, NULL, "atoms", "atoms of the bulk liquid"));
    TRY(io_ncfile_def_var(f, "model_dev_max", IO_NC_DOUBLE, 1, d_rep, u->force,
                          "largest model deviation of the replica's analysed frames: max over atoms of the committee's "
                          "force standard deviation (DP-GEN); 0: potential without a committee; NaN: not recorded"));
    TRY(io_ncfile_def_var(f, "model_dev_flag", IO_NC_INT, 1, d_rep, "1",
                          "1: model_dev_max above model_dev_threshold (the replica is still in the P_grow fit); 0: not "
                          "(or no threshold); -1: not recorded"));
    TRY(io_ncfile_def_var(f, "model_dev_threshold", IO_NC_DOUBLE, 0, NULL, u->force,
                          "[campaign] model_dev_threshold (0: flagging off)"));
    TRY(io_ncfile_def_var(f, "n_model_dev_flagged", IO_NC_INT, 0, NULL, "1",
                          "replicas with model_dev_flag = 1 (all of them are in the P_grow fit)"));
    int *ibuf = malloc((size_t)c->ntot * c->max_frames * sizeof(int) + 16);
    double *dbuf = malloc((size_t)(c->max_frames + c->ntot + 2 * c->npoints) * sizeof(double) + 16);
    if (!ibuf || !dbuf) rc = rc ? rc : SR_ERROR(SR_ENOMEM, "out of memory");
    if (!rc) {
        for (long q = 0; q < c->ntot * c->max_frames; q++) ibuf[q] = (int)c->nmax1[q] - 1;
        TRY(io_ncfile_put_int(f, "n_max", NULL, NULL, ibuf));
        for (int q = 0; q < c->max_frames; q++) dbuf[q] = q * c->cc.analyze_every * c->job.ip.dt;
        TRY(io_ncfile_put_double(f, "time", NULL, NULL, dbuf));
        for (long g = 0; g < c->ntot; g++) ibuf[g] = (int)c->outcome1[g] - 1;
        TRY(io_ncfile_put_int(f, "outcome", NULL, NULL, ibuf));
        for (long g = 0; g < c->ntot; g++) ibuf[g] = (int)(g / c->cc.replicas);
        TRY(io_ncfile_put_int(f, "point", NULL, NULL, ibuf));
        for (long g = 0; g < c->ntot; g++) ibuf[g] = (int)c->n0[g];
        TRY(io_ncfile_put_int(f, "n0", NULL, NULL, ibuf));
        TRY(io_ncfile_put_double(f, "t_end", NULL, NULL, c->t_end));
        TRY(io_ncfile_put_int(f, "seed_size", NULL, NULL, c->size));
        TRY(io_ncfile_put_double(f, "x", NULL, NULL, x));
        TRY(io_ncfile_put_double(f, "temperature", NULL, NULL, c->T));
        TRY(io_ncfile_put_double(f, "pressure", NULL, NULL, &c->job.ip.pressure));
        int tmp[4][1024];
        for (int p = 0; p < c->npoints && p < 1024; p++) {
            tmp[0][p] = (int)ng[p];
            tmp[1][p] = (int)nt[p];
            tmp[2][p] = (int)nund[p];
            tmp[3][p] = (int)nfail[p];
        }
        TRY(io_ncfile_put_int(f, "n_grown", NULL, NULL, tmp[0]));
        TRY(io_ncfile_put_int(f, "n_decided", NULL, NULL, tmp[1]));
        TRY(io_ncfile_put_int(f, "n_undecided", NULL, NULL, tmp[2]));
        TRY(io_ncfile_put_int(f, "n_failed", NULL, NULL, tmp[3]));
        double v[8] = {fit_ok ? fit->x_c : NAN, fit_ok ? fit->se_x_c : NAN, fit_ok ? fit->w : NAN,
                       fit_ok ? fit->se_w : NAN, boot_ok ? boot->lo68 : NAN, boot_ok ? boot->hi68 : NAN,
                       boot_ok ? boot->lo95 : NAN, boot_ok ? boot->hi95 : NAN};
        const char *names[8] = {c->cc.mode == 0 ? "n_c" : "t_c", c->cc.mode == 0 ? "n_c_se" : "t_c_se", "width",
                                "width_se", "boot_lo68", "boot_hi68", "boot_lo95", "boot_hi95"};
        for (int k = 0; k < 8; k++) TRY(io_ncfile_put_double(f, names[k], NULL, NULL, &v[k]));
        if (af->present) {
            for (long g = 0; g < c->ntot; g++) ibuf[g] = (int)c->n0alt[g] - 1;
            TRY(io_ncfile_put_int(f, "n0_alt", NULL, NULL, ibuf));
            double va[4] = {af->fit_ok ? af->fit.x_c : NAN, af->fit_ok ? af->fit.se_x_c : NAN,
                            af->boot_ok ? af->boot.lo68 : NAN, af->boot_ok ? af->boot.hi68 : NAN};
            for (int k = 0; k < 4; k++) TRY(io_ncfile_put_double(f, alt_names[k], NULL, NULL, &va[k]));
            TRY(io_ncfile_put_double(f, alt_names[4], NULL, NULL, af->x));
        }
        if (ex->present) {
            TRY(io_ncfile_put_double(f, "x_n0", NULL, NULL, ex->x_n0));
            TRY(io_ncfile_put_double(f, "x_fit", NULL, NULL, ex->x_fit));
            double vs = ex->set.fit_ok ? ex->set.fit.x_c : NAN;
            TRY(io_ncfile_put_double(f, "n_c_fit", NULL, NULL, &vs));
            TRY(io_ncfile_put_double(f, "t_relax", NULL, NULL, ex->t_relax));
            TRY(io_ncfile_put_double(f, "drift", NULL, NULL, ex->drift));
            for (int k = 0; k < 2; k++)
                for (int p = 0; p < c->npoints; p++) dbuf[k * c->npoints + p] = ex->x_nb[k][p];
            TRY(io_ncfile_put_double(f, "x_nb", NULL, NULL, dbuf));
            double vn[3] = {ex->n0.fit_ok ? ex->n0.fit.x_c : NAN, ex->n0.boot_ok ? ex->n0.boot.lo68 : NAN,
                            ex->n0.boot_ok ? ex->n0.boot.hi68 : NAN};
            TRY(io_ncfile_put_double(f, "n_c_n0", NULL, NULL, &vn[0]));
            TRY(io_ncfile_put_double(f, "n_c_n0_lo68", NULL, NULL, &vn[1]));
            TRY(io_ncfile_put_double(f, "n_c_n0_hi68", NULL, NULL, &vn[2]));
            double vb[2] = {ex->nb[0].fit_ok ? ex->nb[0].fit.x_c : NAN, ex->nb[1].fit_ok ? ex->nb[1].fit.x_c : NAN};
            TRY(io_ncfile_put_double(f, "n_c_nb", NULL, NULL, vb));
            double vd = ex->dec.fit_ok ? ex->dec.fit.x_c : NAN, db[2] = {ex->dec_grow, ex->dec_melt};
            TRY(io_ncfile_put_double(f, "n_c_dec", NULL, NULL, &vd));
            TRY(io_ncfile_put_double(f, "dec_boundaries", NULL, NULL, db));
        }
        int cal = c->calibrated;
        TRY(io_ncfile_put_int(f, "order_calibrated", NULL, NULL, &cal));
        double th = NAN, thn[2] = {NAN, NAN};
        if (c->calibrated >= 0) {
            const order_steinhardt_config *cf = order_steinhardt_get_config(c->job.cls);
            const int qb = c->job.cls->cls == &order_classifier_qbar;
            th = qb ? cf->qbar_threshold : cf->min_bonds;
            for (int k = 0; k < 2; k++) {
                const order_steinhardt_config *cn = order_steinhardt_get_config(c->cls_nb[k]);
                thn[k] = qb ? cn->qbar_threshold : cn->min_bonds;
            }
        }
        TRY(io_ncfile_put_double(f, "order_threshold", NULL, NULL, &th));
        TRY(io_ncfile_put_double(f, "order_threshold_nb", NULL, NULL, thn));
        double spv[3] = {c->calibrated >= 0 ? c->sp.threshold : NAN, c->calibrated >= 0 ? c->sp.liquid_as_solid : NAN,
                         c->calibrated >= 0 ? c->sp.solid_as_liquid : NAN};
        TRY(io_ncfile_put_double(f, "order_threshold_statepoint", NULL, NULL, &spv[0]));
        TRY(io_ncfile_put_double(f, "mislabel_liquid", NULL, NULL, &spv[1]));
        TRY(io_ncfile_put_double(f, "mislabel_crystal", NULL, NULL, &spv[2]));
        int bl[3] = {c->calibrated >= 0 ? c->bulk_nmax : -1, c->calibrated >= 0 ? c->bulk_nsolid : -1,
                     (int)c->bulk_natoms};
        TRY(io_ncfile_put_int(f, "bulk_liquid_nmax", NULL, NULL, &bl[0]));
        TRY(io_ncfile_put_int(f, "bulk_liquid_nsolid", NULL, NULL, &bl[1]));
        TRY(io_ncfile_put_int(f, "bulk_liquid_natoms", NULL, NULL, &bl[2]));
        TRY(io_ncfile_put_double(f, "model_dev_max", NULL, NULL, c->model_dev));
        int nflag = 0;
        for (long g = 0; g < c->ntot; g++) {
            ibuf[g] = model_dev_flag(c, g);
            nflag += ibuf[g] == 1;
        }
        TRY(io_ncfile_put_int(f, "model_dev_flag", NULL, NULL, ibuf));
        TRY(io_ncfile_put_double(f, "model_dev_threshold", NULL, NULL, &c->cc.model_dev_threshold));
        TRY(io_ncfile_put_int(f, "n_model_dev_flagged", NULL, NULL, &nflag));
    }
    free(ibuf);
    free(dbuf);
#undef TRY
    if (rc) {
        io_ncfile_abort(f);
        return rc;
    }
    return io_ncfile_commit(f);
}

/* ---- the fit and the summary (rank 0) ---- */

/* P_grow fit of the decided replicas against per-point sizes x (points with no decided replica or a non-finite x
 * are left out); in sizes mode, separated outcomes give a bracketed N_c (uniform over the bracket). */

static int pgrow_on(const campaign *c, int np, const double *x, const unsigned *ng, const unsigned *nt, pg_result *o)
{
    memset(o, 0, sizeof *o);
    o->b_lo = o->b_hi = NAN;
    double fx[1024];
    unsigned fg[1024], ft[1024];
    size_t m = 0;
    for (int p = 0; p < np && m < 1024; p++)
        if (nt[p] > 0 && isfinite(x[p])) {
            fx[m] = x[p];
            fg[m] = ng[p];
            ft[m] = nt[p];
            m++;
        }
    int rc = m >= 2 ? cnt_pgrow_fit(m, fx, fg, ft, 1e-10, 200, &o->fit) : SR_ERROR(SR_EINVAL, "fewer than 2 points");
    if (rc) {
        snprintf(o->why, sizeof o->why, "%s", sr_error_message());
        sr_error_clear();
        if (c->cc.mode == 0 && m >= 2 && cnt_pgrow_bracket(m, fx, fg, ft, &o->b_lo, &o->b_hi) == 0) {
            memset(&o->fit, 0, sizeof o->fit);
            o->fit.x_c = 0.5 * (o->b_lo + o->b_hi);
            o->fit.se_x_c = (o->b_hi - o->b_lo) / sqrt(12.0);
            o->fit.w = o->fit.se_w = NAN;
            o->fit_ok = o->boot_ok = o->bracketed = 1;
            o->boot.lo68 = o->fit.x_c - o->fit.se_x_c;
            o->boot.hi68 = o->fit.x_c + o->fit.se_x_c;
            o->boot.lo95 = o->b_lo;
            o->boot.hi95 = o->b_hi;
            o->boot.median = o->fit.x_c;
            return SR_OK;
        }
        sr_error_clear();
        return SR_EFAILED;
    }
    o->fit_ok = 1;
    gsl_rng *rb = sr_rng_create((uint64_t)c->job.run.seed, 0, SR_RNG_BOOTSTRAP);
    if (c->cc.nboot > 0 && cnt_pgrow_bootstrap(m, fx, fg, ft, (size_t)c->cc.nboot, rb, 1e-10, 200, &o->boot, NULL,
                                               &o->skipped) == 0)
        o->boot_ok = 1;
    sr_error_clear();
    gsl_rng_free(rb);
    return SR_OK;
}

/* A replica that finished and did not fail: its N_max trace enters the thermalised sizes. */
static int replica_counts(const campaign *c, long g)
{
    return c->outcome1[g] != 0 && (int)c->outcome1[g] - 1 != SEED_FAILED;
}

/* Thermalised size of each point (sizes mode): the mean trace over the point's replicas on the frames every
 * (non-failed) replica still has, at most thermal_frames (at least 4: fewer common frames fall back to the mean of
 * the replicas that have each frame), fitted by cnt_thermalised_size. trace1 = nmax1 or nb1[k] with row stride
 * `stride` and `cap` frames. x[p] = N_th (NaN when the fit fails), t_relax[p], drift[p]. */
static void thermalise(const campaign *c, const long *trace1, int stride, int cap, double *x, double *t_relax,
                       double *drift)
{
    const int R = c->cc.replicas;
    double *t = malloc((size_t)cap * sizeof *t), *mean = malloc((size_t)cap * sizeof *mean);
    for (int p = 0; p < c->npoints; p++) {
        x[p] = t_relax[p] = drift[p] = NAN;
        if (!t || !mean) continue;
        int common = cap;
        for (int r = 0; r < R; r++) {
            const long g = (long)p * R + r;
            if (!replica_counts(c, g)) continue;
            int nf = (int)c->nframes[g];
            if (nf > cap) nf = cap;
            /* frames actually present in this trace */
            int have = 0;
            while (have < nf && trace1[g * stride + have] > 0) have++;
            if (have < common) common = have;
        }
        const int use = common; /* frames every replica has: no survivor bias */
        if (use < 5) continue;
        for (int f = 0; f < use; f++) {
            double s = 0;
            int k = 0;
            for (int r = 0; r < R; r++) {
                const long g = (long)p * R + r;
                if (!replica_counts(c, g)) continue;
                const long v = trace1[g * stride + f];
                if (v > 0) {
                    s += (double)(v - 1);
                    k++;
                }
            }
            t[f] = f * c->cc.analyze_every * c->job.ip.dt;
            mean[f] = k ? s / k : NAN;
        }
        cnt_thermal_fit tf;
        double lo = INFINITY;
        for (int f = 1; f < use; f++)
            if (mean[f] < lo) lo = mean[f];
        /* a plateau outside [min of the trace / 2, N(0)] is a failed fit (relaxation and drift not separable) */
        /* the fitted model after the relaxation (t = 3 t_relax), where the drift has acted for as long as the interface
         * took to relabel; a value outside [min of the trace / 2, N(0)] is a failed fit */
        const int fit_ok = cnt_thermalised_size((size_t)use, t, mean, &tf) == 0;
        const double at3 = fit_ok ? tf.n_th + (mean[0] - tf.n_th) * exp(-3.0) + 3.0 * tf.t_relax * tf.drift : NAN;
        if (fit_ok && at3 >= 0.5 * lo && at3 <= mean[0]) {
            x[p] = at3;
            t_relax[p] = tf.t_relax;
            drift[p] = tf.drift;
        }
        sr_error_clear();
    }
    free(t);
    free(mean);
}

/* The thermalised size of each point by the protocol's primary rule: the mean over its replicas of N_max averaged over
 * the frames settle_frames - 1 .. settle_frames + 1 (no decision is taken before settle_frames, so every replica has
 * them: no survivor bias; frame 0, the frozen seed, is never used). trace1 with row stride `stride`, `cap` frames. */
static void settled_window(const campaign *c, const long *trace1, int stride, int cap, double *x)
{
    const int R = c->cc.replicas, s0 = c->cc.settle_frames;
    for (int p = 0; p < c->npoints; p++) {
        double s = 0;
        int m = 0;
        for (int r = 0; r < R; r++) {
            const long g = (long)p * R + r;
            if (!replica_counts(c, g)) continue;
            double sr = 0;
            int k = 0;
            for (int f = s0 - 1; f <= s0 + 1; f++) {
                if (f < 1 || f >= cap || f >= (int)c->nframes[g]) continue;
                const long v = trace1[g * stride + f];
                if (v > 0) {
                    sr += (double)(v - 1);
                    k++;
                }
            }
            if (k) {
                s += sr / k;
                m++;
            }
        }
        x[p] = m ? s / m : NAN;
    }
}

static const char *outcome_name(int o)
{
    static const char *n[] = {"melted", "grown", "undecided", "failed"};
    return (o >= 0 && o < 4) ? n[o] : "?";
}

/* Decision-rule systematic: every trace re-decided with boundaries halfway between the settled size and the run's
 * own (grow at 1 + (g - 1)/2, melt at 1 - (1 - m)/2 times the size at frame settle_frames). Those are reached
 * before the run's boundaries, so the recorded traces decide them; the P_grow fit against the same thermalised
 * sizes x gives N_c of that rule. */
static void redecide(const campaign *c, const double *x, extra_fits *ex)
{
    const int np = c->npoints, sf = c->cc.settle_frames > 0 ? c->cc.settle_frames : 0;
    const double g = 1.0 + 0.5 * (c->cc.grow_factor - 1.0), m = 1.0 - 0.5 * (1.0 - c->cc.melt_fraction);
    const int min_ref = c->calibrated >= 0 ? 2 * c->bulk_nmax : 0;
    ex->dec_grow = g;
    ex->dec_melt = m;
    unsigned *ng = calloc((size_t)np, sizeof *ng), *nt = calloc((size_t)np, sizeof *nt);
    if (!ng || !nt) {
        free(ng), free(nt);
        return;
    }
    for (int p = 0; p < np; p++)
        for (int r = 0; r < c->cc.replicas; r++) {
            const long gi = (long)p * c->cc.replicas + r;
            const int o = (int)c->outcome1[gi] - 1;
            const long nf = c->nframes[gi] < c->max_frames ? c->nframes[gi] : c->max_frames;
            const long *tr = c->nmax1 + gi * c->max_frames;
            if (o == SEED_FAILED || o < 0 || nf <= sf || tr[sf] == 0) continue;
            const double ref = (double)(tr[sf] - 1);
            int out = SEED_UNDECIDED;
            if (sf > 0 && ref <= min_ref) out = SEED_MELTED;
            for (long f = sf + 1; out == SEED_UNDECIDED && f < nf && tr[f] > 0; f++) {
                const double v = (double)(tr[f] - 1);
                if (v >= g * (ref > 0 ? ref : 1)) out = SEED_GROWN;
                else if (v <= m * ref) out = SEED_MELTED;
            }
            if (out == SEED_GROWN) ng[p]++;
            if (out == SEED_GROWN || out == SEED_MELTED) nt[p]++;
        }
    if (pgrow_on(c, np, x, ng, nt, &ex->dec) == 0)
        printf("    decision rule (grown at %g x, melted at %g x the settled size, same traces): N_c (thermalised) = "
               "%.4g atoms%s\n", g, m, ex->dec.fit.x_c, ex->dec.bracketed ? " (bracketed)" : "");
    else
        printf("    decision rule (grown at %g x, melted at %g x): no N_c (%s)\n", g, m, ex->dec.why);
    free(ng);
    free(nt);
}

/* The committee's model deviation in the summary: the largest one, and the flagged replicas per point (they are kept
 * in the fit: the line says so). Nothing for a potential without a committee and no threshold. */
static void model_dev_summary(const campaign *c, const md_units *u)
{
    double mx = 0;
    long nflag = 0, nunk = 0, ndone = 0;
    for (long g = 0; g < c->ntot; g++) {
        if (!c->outcome1[g]) continue;
        ndone++;
        if (c->model_dev[g] > mx) mx = c->model_dev[g];
        const int fl = model_dev_flag(c, g);
        nflag += fl == 1;
        nunk += fl == -1;
    }
    if (mx > 0)
        printf("    model deviation (committee): largest %.4g %s over the replicas' analysed frames\n", mx, u->force);
    if (!(c->cc.model_dev_threshold > 0)) return;
    printf("    model deviation above %g %s: %ld of %ld replicas flagged", c->cc.model_dev_threshold, u->force, nflag,
           ndone);
    if (nflag) {
        printf(" (points:");
        for (int p = 0; p < c->npoints; p++) {
            int k = 0;
            for (int r = 0; r < c->cc.replicas; r++) k += model_dev_flag(c, (long)p * c->cc.replicas + r) == 1;
            if (k) printf(" %d: %d", p, k);
        }
        printf("); the P_grow fit INCLUDES them (the potential is extrapolating there: check the committee)");
    }
    if (nunk) printf("; %ld replicas without a recorded deviation (journal from before)", nunk);
    printf("\n");
    if (nflag) printf("  WARNING: %ld replicas have a model deviation above model_dev_threshold; N_c uses them\n", nflag);
}

static int finish(campaign *c, double wall)
{
    const int np = c->npoints;
    double *x = calloc((size_t)np, sizeof *x), *x0 = calloc((size_t)np, sizeof *x0);
    unsigned *ng = calloc((size_t)np, sizeof *ng), *nt = calloc((size_t)np, sizeof *nt),
             *nu = calloc((size_t)np, sizeof *nu), *nf = calloc((size_t)np, sizeof *nf);
    extra_fits ex;
    memset(&ex, 0, sizeof ex);
    ex.dec_grow = ex.dec_melt = NAN;
    ex.present = c->cc.mode == 0;
    ex.t_relax = calloc((size_t)np, sizeof(double));
    ex.drift = calloc((size_t)np, sizeof(double));
    ex.x_nb[0] = calloc((size_t)np, sizeof(double));
    ex.x_nb[1] = calloc((size_t)np, sizeof(double));
    ex.x_n0 = x0;
    ex.x_set = calloc((size_t)np, sizeof(double));
    ex.x_fit = calloc((size_t)np, sizeof(double));
    if (!ex.x_set || !ex.x_fit) return SR_ERROR(SR_ENOMEM, "out of memory");
    if (c->cc.settle_frames >= 1) settled_window(c, c->nmax1, c->max_frames, c->max_frames, ex.x_set);
    else
        for (int p = 0; p < np; p++) ex.x_set[p] = x0[p];
    if (!x || !x0 || !ng || !nt || !nu || !nf || !ex.t_relax || !ex.drift || !ex.x_nb[0] || !ex.x_nb[1])
        return SR_ERROR(SR_ENOMEM, "out of memory");
    const md_units *u = md_units_get(c->job.run.units);
    for (int p = 0; p < np; p++) {
        double s0 = 0;
        int m = 0;
        for (int r = 0; r < c->cc.replicas; r++) {
            long g = (long)p * c->cc.replicas + r;
            int o = (int)c->outcome1[g] - 1;
            if (o == SEED_GROWN) ng[p]++;
            if (o == SEED_GROWN || o == SEED_MELTED) nt[p]++;
            if (o == SEED_UNDECIDED) nu[p]++;
            if (o == SEED_FAILED) nf[p]++;
            if (o != SEED_FAILED) {
                s0 += (double)c->n0[g];
                m++;
            }
        }
        x0[p] = c->cc.mode == 0 ? (m ? s0 / m : c->size[p]) : c->T[p];
    }
    /* the accuracy protocol: N_c on the thermalised seed (sizes mode). Primary: the settled-window size (x_set); second
     * convention: the relaxation fit evaluated at 3 t_relax (x_fit, kept in ex.x_fit; the settled size where it fails) */
    if (ex.present) {
        thermalise(c, c->nmax1, c->max_frames, c->cc.thermal_frames < c->max_frames ? c->cc.thermal_frames : c->max_frames,
                   ex.x_fit, ex.t_relax, ex.drift);
        ex.t_relax_median = seed_median_finite(ex.t_relax, (size_t)np);
        for (int p = 0; p < np; p++) {
            x[p] = ex.x_set[p];
            if (!isfinite(ex.x_fit[p])) {
                ex.x_fit[p] = ex.x_set[p];
                ex.scaled[p] = 1;
            }
        }
        for (int k = 0; k < 2; k++) {
            if (c->nbf > 0 && c->cc.settle_frames >= 1) settled_window(c, c->nb1[k], c->nbf, c->nbf, ex.x_nb[k]);
            else
                for (int p = 0; p < np; p++) ex.x_nb[k][p] = NAN;
        }
    } else {
        for (int p = 0; p < np; p++) {
            x[p] = x0[p];
            ex.t_relax[p] = ex.drift[p] = ex.x_nb[0][p] = ex.x_nb[1][p] = ex.x_fit[p] = NAN;
        }
    }
    printf("\n[campaign] results (%s mode, %d replicas per point)\n", c->cc.mode == 0 ? "sizes" : "temperatures",
           c->cc.replicas);
    if (c->cc.mode == 0)
        printf("  %5s %10s %8s %10s %10s %10s %9s %8s %8s %10s %8s\n", "point", "T", "seed", "<N_max(0)>", "N_therm",
               "N_fit", "t_relax", "grown", "melted", "undecided", "failed");
    else
        printf("  %5s %10s %12s %8s %8s %10s %8s\n", "point", "T", "seed", "grown", "melted", "undecided", "failed");
    for (int p = 0; p < np; p++) {
        if (c->cc.mode == 0)
            printf("  %5d %10.5g %8d %10.5g %10.5g %9.5g%s %9.3g %8u %8u %10u %8u\n", p, c->T[p], c->size[p], x0[p], x[p],
                   ex.x_fit[p], p < 1024 && ex.scaled[p] ? "*" : " ", ex.t_relax[p], ng[p], nt[p] - ng[p], nu[p], nf[p]);
        else
            printf("  %5d %10.5g %12d %8u %8u %10u %8u\n", p, c->T[p], c->size[p], ng[p], nt[p] - ng[p], nu[p], nf[p]);
    }
    if (ex.present) {
        const double t_set = c->cc.settle_frames * c->cc.analyze_every * c->job.ip.dt;
        printf("  N_therm: thermalised seed size = mean N_max over frames %d..%d (around the settle frame, t = %g); N_fit: "
               "relaxation fit N_th + (N(0) - N_th) exp(-t/t_relax) + v t at t = 3 t_relax (* no fit: N_therm); median "
               "t_relax %.3g\n", c->cc.settle_frames - 1, c->cc.settle_frames + 1, t_set, ex.t_relax_median);
        if (isfinite(ex.t_relax_median) && t_set < 3 * ex.t_relax_median)
            printf("  WARNING: the settle frame (t = %g) comes before 3 t_relax = %.3g: raise [campaign] settle_frames\n",
                   t_set, 3 * ex.t_relax_median);
    }
    unsigned tot_g = 0, tot_t = 0;
    for (int p = 0; p < np; p++) {
        tot_g += ng[p];
        tot_t += nt[p];
    }
    pg_result pr;
    memset(&pr, 0, sizeof pr);
    int status = SR_OK;
    const char *xn = c->cc.mode == 0 ? "N_c" : "T_c";
    const char *xu = c->cc.mode == 0 ? "atoms" : u->temperature;
    if (tot_t == 0) {
        status = SR_ERROR(SR_EFAILED, "no replica grew or melted within max_steps: raise [campaign] max_steps");
    } else if (tot_g == 0) {
        status = SR_ERROR(SR_EFAILED,
                          c->cc.mode == 0
                              ? "no seed grew at any size: the temperature may be above the melting point, or the "
                                "seeds are too small (try larger seed_sizes)"
                              : "no seed grew at any temperature: all temperatures may be above the one where this seed is critical");
    } else if (tot_g == tot_t) {
        status = SR_ERROR(SR_EFAILED, c->cc.mode == 0 ? "every seed grew: try smaller seed_sizes (N_c is below them)"
                                                      : "the seed grew at every temperature: try higher temperatures");
    } else if (pgrow_on(c, np, x, ng, nt, &pr) != 0) {
        status = SR_ERROR(SR_EFAILED, "P_grow fit failed: %s (add points between the melted and grown ones)", pr.why);
    } else if (pr.bracketed) {
        c->bracketed = 1;
        printf("\n  P_grow fit: %s\n  -> N_c is only BRACKETED (no finite logistic width): between %.4g (all melted) and "
               "%.4g (all grew); add sizes inside the bracket or replicas to narrow it\n", pr.why, pr.b_lo, pr.b_hi);
        printf("    N_c = %.4g +- %.2g %s (bracket midpoint; sd of a uniform distribution over the bracket)\n", pr.fit.x_c,
               pr.fit.se_x_c, xu);
    } else {
        const cnt_logistic_fit *fit = &pr.fit;
        printf("\n  P_grow fit (maximum binomial likelihood, %u decided replicas%s):\n", tot_t,
               c->cc.mode == 0 ? ", against the thermalised seed size" : "");
        printf("    %s = %.4g +- %.2g %s (standard error), width w = %.3g +- %.2g\n", xn, fit->x_c, fit->se_x_c, xu,
               fit->w, fit->se_w);
        if ((c->cc.mode == 0 && fit->w < 0) || (c->cc.mode == 1 && fit->w > 0))
            printf("    WARNING: P_grow %s with %s, which is unphysical: small seeds 'grow' by spontaneous\n"
                   "    nucleation or mislabeled liquid clusters, or the statistics are too thin. Drop the smallest\n"
                   "    seeds, add replicas, or raise the temperature. Do not use this %s.\n",
                   fit->w < 0 ? "falls" : "rises", c->cc.mode == 0 ? "seed size" : "temperature", xn);
        if (pr.boot_ok)
            printf("    bootstrap over replicas (%d resamples, %zu skipped): 68%% [%.4g, %.4g], 95%% [%.4g, %.4g] %s\n",
                   c->cc.nboot, pr.skipped, pr.boot.lo68, pr.boot.hi68, pr.boot.lo95, pr.boot.hi95, xu);
    }
    unsigned totu = 0, totf = 0;
    for (int p = 0; p < np; p++) {
        totu += nu[p];
        totf += nf[p];
    }
    if (totu || totf) printf("    not in the fit: %u undecided, %u failed replicas (listed above)\n", totu, totf);
    model_dev_summary(c, u);
    /* the systematics of the same replicas: N_0 convention (N_max(0)) and the neighbouring classifier settings */
    if (ex.present && pr.fit_ok) {
        if (pgrow_on(c, np, ex.x_fit, ng, nt, &ex.set) == 0)
            printf("    N_0 convention: N_c on the relaxation fit at 3 t_relax = %.4g atoms%s\n", ex.set.fit.x_c,
                   ex.set.bracketed ? " (bracketed)" : "");
        if (pgrow_on(c, np, x0, ng, nt, &ex.n0) == 0)
            printf("    (for reference, not a convention of the protocol: N_c on N_max(0), the frozen perfect seed = %.4g "
                   "atoms%s)\n", ex.n0.fit.x_c, ex.n0.bracketed ? " (bracketed)" : "");
        for (int k = 0; k < 2 && c->nbf > 0; k++) {
            const order_steinhardt_config *cf = order_steinhardt_get_config(c->cls_nb[k]);
            const double th = c->cls_nb[k]->cls == &order_classifier_qbar ? cf->qbar_threshold : cf->min_bonds;
            if (pgrow_on(c, np, ex.x_nb[k], ng, nt, &ex.nb[k]) == 0)
                printf("    classifier neighbour (threshold %g): N_c (thermalised) = %.4g atoms%s\n", th, ex.nb[k].fit.x_c,
                       ex.nb[k].bracketed ? " (bracketed)" : "");
            else
                printf("    classifier neighbour (threshold %g): no N_c (%s)\n", th, ex.nb[k].why);
        }
        redecide(c, x, &ex);
    }
    /* threshold systematic of [order_alt] ([cnt] jobs): the same outcomes against N_max(0) with the second classifier */
    alt_fit af;
    memset(&af, 0, sizeof af);
    af.present = c->ov && c->ov->alt && c->cc.mode == 0;
    if (af.present && pr.fit_ok) {
        double xa[1024];
        for (int p = 0; p < np && p < 1024; p++) {
            double s0 = 0;
            int k = 0;
            for (int r = 0; r < c->cc.replicas; r++) {
                long g = (long)p * c->cc.replicas + r;
                if ((int)c->outcome1[g] - 1 != SEED_FAILED && c->n0alt[g] > 0) {
                    s0 += (double)(c->n0alt[g] - 1);
                    k++;
                }
            }
            af.x[p] = xa[p] = k ? s0 / k : NAN;
        }
        pg_result ar;
        if (pgrow_on(c, np, xa, ng, nt, &ar) == 0 && !ar.bracketed) {
            af.fit = ar.fit;
            af.fit_ok = 1;
            af.boot = ar.boot;
            af.boot_ok = ar.boot_ok;
            printf("    threshold systematic ([order_alt] labels of the same replicas): N_c = %.4g +- %.2g atoms", af.fit.x_c,
                   af.fit.se_x_c);
            if (af.boot_ok) printf(" (68%% [%.4g, %.4g])", af.boot.lo68, af.boot.hi68);
            printf("\n");
        } else {
            printf("    threshold systematic: the P_grow fit on the [order_alt] sizes failed\n");
        }
    }
    int wrc = write_campaign_nc(c, x, ng, nt, nu, nf, &pr.fit, pr.fit_ok, &pr.boot, pr.boot_ok, &af, &ex);
    printf("  wall time %.1f s; campaign file %s.nc\n", wall, c->job.oc.prefix);
    free(x);
    free(x0);
    free(ng);
    free(nt);
    free(nu);
    free(nf);
    free(ex.t_relax);
    free(ex.drift);
    free(ex.x_set);
    free(ex.x_fit);
    free(ex.x_nb[0]);
    free(ex.x_nb[1]);
    if (wrc) return wrc;
    return status;
}

int seed_campaign_run(const char *file, seed_campaign_summary *summary)
{
    return seed_campaign_run_ex(file, NULL, summary);
}

int seed_campaign_run_ex(const char *file, const seed_campaign_override *ov, seed_campaign_summary *summary)
{
    campaign C;
    memset(&C, 0, sizeof C);
    C.ov = ov;
    const int rank = seed_comm_rank(), size = seed_comm_size();
    sr_errlist el = {0};
    int rc = campaign_parse(&C, file, &el);
    if (!rc) rc = seed_job_potential(&C.job, campaign_bound_later, &el);
    if ((rc = seed_job_fail(&el, rc))) {
        campaign_free(&C);
        return rc;
    }
    /* resources: what the result arrays and the files will need, checked before any work starts */
    if (rank == 0 && !rc) {
        double natoms = 0;
        for (int k = 0; k < 3; k++) natoms = (k == 0 ? 1 : natoms) * C.cc.liquid_cells.v[k];
        natoms *= 8; /* at most 8 atoms per lattice cell */
        const double mem = (double)C.ntot * C.max_frames * sizeof(long) * 2 + /* results + reduction copy */
                           C.npoints * natoms * 200.0 * 2;                      /* systems, ghosts, lists */
        const double disk = (double)C.ntot * C.max_frames * 12.0 + (double)(C.npoints + 2 * C.nstates) * natoms * 80.0;
        long pages = sysconf(_SC_AVPHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
        double avail = (pages > 0 && psize > 0) ? (double)pages * psize : 0;
        printf("[campaign] resources: about %.0f MiB of memory per rank, %.1f MiB of output files\n", mem / 1048576.0,
               disk / 1048576.0);
        if (avail > 0 && mem * size > avail)
            rc = SR_ERROR(SR_ERANGE, "%s: the campaign needs about %.0f MiB of memory on %d ranks, %.0f MiB are available",
                          file, mem * size / 1048576.0, size, avail / 1048576.0);
        char d[4096];
        snprintf(d, sizeof d, "%s", C.job.oc.prefix);
        struct statvfs vfs;
        if (!rc && statvfs(dirname(d), &vfs) == 0 && (double)vfs.f_bavail * vfs.f_frsize < disk)
            rc = SR_ERROR(SR_ERANGE, "%s: the campaign writes about %.1f MiB but only %.1f MiB are free under %s", file,
                          disk / 1048576.0, (double)vfs.f_bavail * vfs.f_frsize / 1048576.0, C.job.oc.prefix);
    }
    /* output directory */
    if (rank == 0 && !rc) {
        rc = seed_job_make_outdir(&C.job);
        if (!rc) rc = check_signature(&C);
    }
    if (rc) fprintf(stderr, "seedrate: error: %s\n", sr_error_message()); /* resources, output directory, signature */
    const double t0 = seed_now_s();
    /* results */
    C.outcome1 = calloc((size_t)C.ntot, sizeof(long));
    C.n0 = calloc((size_t)C.ntot, sizeof(long));
    C.nframes = calloc((size_t)C.ntot, sizeof(long));
    C.t_end = calloc((size_t)C.ntot, sizeof(double));
    C.nmax1 = calloc((size_t)C.ntot * C.max_frames, sizeof(long));
    C.n0alt = calloc((size_t)C.ntot, sizeof(long));
    C.model_dev = calloc((size_t)C.ntot, sizeof(double));
    if (!C.outcome1 || !C.n0 || !C.nframes || !C.t_end || !C.nmax1 || !C.n0alt || !C.model_dev) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    /* 0. the classifier threshold at the state point (issue #14), every rank gets the same classifiers; and the
     * prepared states (issue #17): one bulk crystal and liquid per temperature, on every rank */
    if (!seed_comm_any(rc)) rc = prepare_shared(&C);
    else if (!rc) rc = SR_EFAILED;
    if (!rc && C.cls_nb[0] && C.cls_nb[1] && C.cc.mode == 0) {
        C.nbf = C.cc.thermal_frames < C.max_frames ? C.cc.thermal_frames : C.max_frames;
        for (int k = 0; k < 2 && !rc; k++)
            if (!(C.nb1[k] = calloc((size_t)C.ntot * C.nbf, sizeof(long)))) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    }

    /* 1. seeded configurations from the prepared states: the points are spread over the ranks like replicas (each
     * point's streams depend only on its index, so the result does not depend on which rank prepares it); every
     * rank then receives every point from the rank that made it */
    if (rank == 0 && !rc) {
        const md_units *u = md_units_get(C.job.run.units);
        printf("seedrate campaign: %s on %d rank%s\n", file, size, size > 1 ? "s" : "");
        printf("  %s mode, %d point(s) on %d prepared state(s) x %d replicas, NPT at p = %g %s, dt %g %s, analysis every %ld steps, "
               "t_max %ld steps\n", C.cc.mode == 0 ? "sizes" : "temperatures", C.npoints, C.nstates, C.cc.replicas,
               C.job.ip.pressure, u->pressure, C.job.ip.dt, u->time, C.cc.analyze_every, C.cc.max_steps);
        printf("  ");
        C.job.pot->cls->describe(C.job.pot->state, stdout);
        printf("  classifier: ");
        C.job.cls->cls->describe(C.job.cls->state, stdout);
        const double pb = cnt_pgrow_top_bias(C.cc.grow_factor, C.cc.melt_fraction);
        printf("  decisions: grown at %g x, melted at %g x the size at frame %d", C.cc.grow_factor, C.cc.melt_fraction,
               C.cc.settle_frames);
        if (C.cc.mode == 0 && isfinite(pb) && fabs(pb - 0.5) > 0.05)
            printf("\n  WARNING: asymmetric decision boundaries: a seed diffusing at the barrier top reaches the grow "
                   "boundary first with probability %.2f, not 0.5, which shifts the P_grow midpoint (N_c) %s; use "
                   "grow_factor - 1 = 1 - melt_fraction (e.g. 1.5 and 0.5)", pb, pb > 0.5 ? "down" : "up");
        printf("\n");
        fflush(stdout);
    }
    long *owner = calloc((size_t)C.npoints, sizeof(long));
    if (!owner && !rc) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    if (!seed_comm_any(rc)) {
        seed_queue *pq = NULL;
        rc = seed_queue_create(1, &pq);
        while (!rc) {
            long p = seed_queue_fetch_add(pq, 0, 1);
            if (p >= C.npoints) break;
            char ck[4300];
            snprintf(ck, sizeof ck, "%s.point%ld.ckpt", C.job.oc.prefix, p);
            if (access(ck, R_OK) == 0) {
                rc = md_checkpoint_read(ck, &C.start[p], NULL);
                if (!rc) printf("[campaign] point %ld: seeded configuration reloaded from %s\n", p, ck);
            } else {
                const int k = C.state_of[p];
                md_system *sx = NULL, *sl = NULL;
                char sp[4400];
                state_path(C.job.oc.prefix, k, sp, sizeof sp);
                rc = C.state_bytes[k] ? state_decode(C.state_bytes[k], C.state_len[k], sp, &sx, &sl)
                                      : SR_ERROR(SR_EFAILED, "point %ld: its prepared state %d is missing", p, k);
                if (!rc) rc = seed_point(&C, (int)p, sx, sl, &C.start[p]);
                md_system_free(sx);
                md_system_free(sl);
                if (!rc) rc = md_checkpoint_write(ck, C.start[p], NULL);
            }
            owner[p] = rank + 1;
            fflush(stdout);
        }
        if (pq) seed_queue_free(pq);
        if (rc) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
    }
    if (rank == 0 && !rc) {
        long n = journal_load(&C);
        if (n) printf("[campaign] resuming: %ld of %ld replicas already finished (journal)\n", n, C.ntot);
        fflush(stdout);
    }
    if (seed_comm_any(rc)) {
        free(owner);
        campaign_free(&C);
        return rc ? rc : SR_EFAILED;
    }
    rc = seed_comm_allreduce_sum_long(owner, C.npoints);
    for (int p = 0; p < C.npoints && !rc; p++) rc = bcast_system(&C.start[p], (int)owner[p] - 1);
    free(owner);
    for (int k = 0; k < C.nstates; k++) { /* the replicas start from the points */
        free(C.state_bytes[k]);
        C.state_bytes[k] = NULL;
    }
    /* the finished set */
    long *done = calloc((size_t)C.ntot, sizeof(long));
    if (!done) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    if (!rc && rank == 0)
        for (long g = 0; g < C.ntot; g++) done[g] = C.outcome1[g] != 0;
    if (!rc) rc = seed_comm_allreduce_sum_long(done, (int)C.ntot);
    /* the order the ranks take the replicas in: points of larger seeds first (stable, then by replica). The
     * shared counter hands out replicas in this order, so the last ones taken decide how long the other ranks
     * wait at the end; larger seeds, which grow to grow_factor times their size or run to max_steps near N_c,
     * tend to run longest, and the short ones then fill the tail (longest first, Graham, SIAM J. Appl. Math. 17,
     * 416 (1969)). Each replica's streams depend on its index only: the results do not depend on this order. */
    long *todo = malloc((size_t)C.ntot * sizeof(long) + 8);
    int *po = malloc((size_t)C.npoints * sizeof(int) + 8);
    long ntodo = 0;
    if ((!todo || !po) && !rc) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    for (int p = 0; po && p < C.npoints; p++) { /* insertion sort: few points */
        int i = p;
        for (; i > 0 && C.size[po[i - 1]] < C.size[p]; i--) po[i] = po[i - 1];
        po[i] = p;
    }
    for (int i = 0; todo && po && done && i < C.npoints; i++)
        for (int r = 0; r < C.cc.replicas; r++) {
            const long g = (long)po[i] * C.cc.replicas + r;
            if (!done[g]) todo[ntodo++] = g;
        }
    free(po);
    free(done);

    /* 2. replicas through the shared counter */
    order_analyzer *an = NULL, *an_alt = NULL, *an_nb[2] = {NULL, NULL};
    if (!rc) rc = order_analyzer_create(C.job.cls, C.cc.cluster_cutoff, &an);
    for (int k = 0; k < 2 && !rc && C.nbf > 0; k++) rc = order_analyzer_create(C.cls_nb[k], C.cc.cluster_cutoff, &an_nb[k]);
    if (!rc && ov && ov->alt) rc = order_analyzer_create(ov->alt, C.cc.cluster_cutoff, &an_alt);
    /* threshold systematic: N_max(0) is measured before any dynamics, so it is the same for every replica of
     * a point: label each seeded configuration once with the second classifier */
    for (int p = 0; !rc && an_alt && p < C.npoints; p++) {
        order_cluster_result ca;
        rc = order_analyze_frame(an_alt, C.start[p], &ca);
        for (int r = 0; !rc && r < C.cc.replicas; r++) C.n0alt[(long)p * C.cc.replicas + r] = ca.nmax + 1;
    }
    seed_queue *q = NULL;
    if (!rc) rc = seed_queue_create(6, &q);
    FILE *jf = NULL;
    if (!rc && ntodo > 0) {
        char jp[4300];
        journal_path(&C, rank, jp, sizeof jp);
        jf = fopen(jp, "a");
        if (!jf) rc = SR_ERROR(SR_EIO, "%s: cannot open the journal: %s", jp, strerror(errno));
    }
    int *nmax = malloc((size_t)C.max_frames * sizeof(int));
    int *nmnb[2] = {malloc(((size_t)C.nbf + 1) * sizeof(int)), malloc(((size_t)C.nbf + 1) * sizeof(int))};
    if (!nmax || !nmnb[0] || !nmnb[1]) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    double tloop = seed_now_s();
    /* this process's replicas (journal entries excluded): their simulated time and atoms x time, for the throughput */
    double run_stats[3] = {0.0, 0.0, 0.0}; /* time, atoms x time, CPU seconds (filled after the loop) */
    while (!rc && q) {
        long k = seed_queue_fetch_add(q, 0, 1);
        if (k >= ntodo) break;
        long g = todo[k];
        int p = (int)(g / C.cc.replicas);
        seed_replica_params rp = {.ip = C.job.ip, .max_steps = C.cc.max_steps, .analyze_every = C.cc.analyze_every,
                                  .max_frames = C.max_frames, .grow_factor = C.cc.grow_factor,
                                  .settle_frames = C.cc.settle_frames,
                                  .min_ref = C.calibrated >= 0 ? 2 * C.bulk_nmax : 0,
                                  .melt_fraction = C.cc.melt_fraction, .seed = (uint64_t)C.job.run.seed,
                                  .replica = g + (ov ? ov->stream_offset : 0),
                                  .an_nb = {an_nb[0], an_nb[1]}, .nb_frames = C.nbf,
                                  .track_seed = C.cc.track == 0};
        rp.ip.temperature = C.T[p];
        seed_replica_result rr = {.nmax = nmax, .nmax_nb = {C.nbf ? nmnb[0] : NULL, C.nbf ? nmnb[1] : NULL}};
        rc = seed_replica_run(C.start[p], C.job.pot, an, &rp, &rr);
        if (rc) break;
        store_result(&C, g, rr.outcome, rr.n0, rr.nframes, rr.t_end, rr.nmax, rr.model_dev_max);
        run_stats[0] += rr.t_end;
        run_stats[1] += rr.t_end * C.start[p]->n;
        store_nb(&C, g, rr.nframes < C.nbf ? rr.nframes : C.nbf, rr.nmax_nb);
        rc = journal_append(jf, g, &rr, C.nbf);
        if (rr.outcome == SEED_FAILED) fprintf(stderr, "[campaign] warning: %s (counted as failed)\n", rr.message);
        long ndone = seed_queue_fetch_add(q, 1, 1) + 1;
        seed_queue_fetch_add(q, 2 + rr.outcome, 1);
        if (rank == 0) {
            long started = seed_queue_read(q, 0);
            long running = (started < ntodo ? started : ntodo) - ndone;
            double el_t = seed_now_s() - tloop, eta = ndone > 0 ? el_t / ndone * (ntodo - ndone) : 0;
            printf("[campaign] %ld/%ld done, %ld running, %ld left | grown %ld melted %ld undecided %ld failed %ld | "
                   "ETA %.0f s\n", ndone, ntodo, running < 0 ? 0 : running, ntodo - ndone - (running < 0 ? 0 : running),
                   seed_queue_read(q, 2 + SEED_GROWN), seed_queue_read(q, 2 + SEED_MELTED),
                   seed_queue_read(q, 2 + SEED_UNDECIDED), seed_queue_read(q, 2 + SEED_FAILED), eta);
            fflush(stdout);
        }
    }
    free(nmax);
    free(nmnb[0]);
    free(nmnb[1]);
    if (jf) fclose(jf);
    int any = seed_comm_any(rc);
    seed_queue_free(q);
    order_analyzer_free(an);
    order_analyzer_free(an_alt);
    order_analyzer_free(an_nb[0]);
    order_analyzer_free(an_nb[1]);
    free(todo);
    if (any) {
        fprintf(stderr, "seedrate: error (rank %d): %s\n", rank, rc ? sr_error_message() : "another rank failed");
        campaign_free(&C);
        return rc ? rc : SR_EFAILED;
    }
    /* 3. gather on rank 0 (sum of disjoint contributions) */
    rc = seed_comm_allreduce_sum_long(C.outcome1, (int)C.ntot);
    if (!rc) rc = seed_comm_allreduce_sum_long(C.n0, (int)C.ntot);
    if (!rc) rc = seed_comm_allreduce_sum_long(C.nframes, (int)C.ntot);
    if (!rc) rc = seed_comm_allreduce_sum_double(C.t_end, (int)C.ntot);
    if (!rc) rc = seed_comm_allreduce_sum_double(C.model_dev, (int)C.ntot);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) /* the whole process: preparation, replicas, analysis, threads */
        run_stats[2] = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec +
                       1e-6 * (double)ru.ru_stime.tv_usec;
    if (!rc) rc = seed_comm_allreduce_sum_double(run_stats, 3);
    for (long off = 0; !rc && off < C.ntot * C.max_frames; off += 1 << 24) {
        long cnt = C.ntot * C.max_frames - off;
        if (cnt > 1 << 24) cnt = 1 << 24;
        rc = seed_comm_allreduce_sum_long(C.nmax1 + off, (int)cnt);
    }
    for (int k = 0; k < 2 && C.nbf > 0; k++)
        for (long off = 0; !rc && off < C.ntot * C.nbf; off += 1 << 24) {
            long cnt = C.ntot * C.nbf - off;
            if (cnt > 1 << 24) cnt = 1 << 24;
            rc = seed_comm_allreduce_sum_long(C.nb1[k] + off, (int)cnt);
        }
    /* entries that rank 0 loaded from the journal were counted once (only rank 0 holds them) */
    int status = rc;
    if (!rc && rank == 0) {
        status = finish(&C, seed_now_s() - t0);
        if (status) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
        if (run_stats[0] > 0 && run_stats[2] > 0) { /* printed whether or not the fit worked */
            const char *tu = md_units_get(C.job.run.units)->time;
            printf("  throughput: this run's replicas simulated %.4g %s (%.4g atoms x %s) in %.4g core-s of CPU on %d "
                   "rank(s), preparation and analysis included: %.4g core-s per %s of %.0f atoms, %.4g core-us per "
                   "atom x %s\n",
                   run_stats[0], tu, run_stats[1], tu, run_stats[2], seed_comm_size(), run_stats[2] / run_stats[0],
                   tu, run_stats[1] / run_stats[0], 1e6 * run_stats[2] / run_stats[1], tu);
        }
        if (summary) {
            summary->ntot = C.ntot;
            for (long g = 0; g < C.ntot && g < SEED_SUMMARY_MAX; g++) summary->outcome[g] = (int)C.outcome1[g] - 1;
        }
    }
    (void)outcome_name;
    campaign_free(&C);
    return status;
}
