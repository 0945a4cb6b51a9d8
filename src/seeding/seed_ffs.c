/* Direct forward flux sampling on lambda = N_max over MPI ranks (see seed_ffs.h): the liquid, the basin runs for
 * the flux through lambda_0, the trial runs from each interface, the journal that makes it resumable, and
 * PREFIX.ffs.nc. The statistics are cnt_ffs_* (cnt.h; Allen, Frenkel & ten Wolde, JCP 124, 024102 (2006);
 * errors: Allen, Valeriani & ten Wolde, J. Phys.: Condens. Matter 21, 463102 (2009)). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "seed_ffs.h"
#include "seed.h"
#include "seed_cnt.h"
#include "seed_comm.h"
#include "../cnt/cnt.h"
#include "../common/sr_rng.h"
#include "../io/io.h"

/* ================================================================================================
 * Input
 * ============================================================================================== */

const sr_keyword seed_ffs_keywords[] = {
    {"interfaces", SR_KW_REALS, offsetof(seed_ffs_config, interfaces), "atoms", NULL, 0, 1e7, NULL,
     "lambda_0 lambda_1 ... lambda_n: increasing N_max interfaces; lambda_0 above the liquid's own fluctuations (its "
     "90th percentile of N_max), the last one (B) past the critical size (tested by commit_runs: p_B near 1)"},
    {"lambda_A", SR_KW_REAL, offsetof(seed_ffs_config, lambda_A), "atoms", NULL, 0, 1e7, NULL,
     "the liquid basin A is N_max < lambda_A (above the liquid's median N_max): a crossing of lambda_0 counts only "
     "after a visit to A, and a trial that falls back into A fails"},
    {"flux_runs", SR_KW_INT, offsetof(seed_ffs_config, flux_runs), "", "8", 1, 1e6, NULL,
     "independent basin runs (fresh velocities from the stream (seed, run)) for the flux through lambda_0"},
    {"flux_steps", SR_KW_LONG, offsetof(seed_ffs_config, flux_steps), "steps", "20000", 1, 1e12, NULL,
     "length of each basin run (a run that nucleates, N_max >= the last interface, ends there)"},
    {"trials", SR_KW_INT, offsetof(seed_ffs_config, trials), "", "100", 1, 1e6, NULL,
     "trial runs from each interface (round robin over its stored configurations, velocities: trial_velocities)"},
    {"analyze_every", SR_KW_LONG, offsetof(seed_ffs_config, analyze_every), "steps", "20", 1, 1e9, NULL,
     "steps between N_max analyses: the resolution at which crossings are seen"},
    {"trial_max_steps", SR_KW_LONG, offsetof(seed_ffs_config, trial_max_steps), "steps", "50000", 1, 1e12, NULL,
     "a trial neither back in A nor at the next interface after this many steps counts as failed (reported)"},
    {"liquid_cells", SR_KW_REALS, offsetof(seed_ffs_config, liquid_cells), "", "10 10 10", 1, 1000, NULL,
     "unit cells of the [structure] lattice that is melted to make the liquid"},
    {"liquid_density", SR_KW_REAL, offsetof(seed_ffs_config, liquid_density), "length^-3", "0", 0, 1e6, NULL,
     "number density of the lattice that is melted (0: 0.85 x the crystal density); NPT then sets the density"},
    {"melt_temperature", SR_KW_REAL, offsetof(seed_ffs_config, melt_temperature), "temperature", "0", 0, 1e7, NULL,
     "temperature at which the lattice is melted (0: 2 T)"},
    {"melt_steps", SR_KW_LONG, offsetof(seed_ffs_config, melt_steps), "steps", "2000", 0, 1e12, NULL,
     "steps of melting (NVT at melt_temperature)"},
    {"equil_steps", SR_KW_LONG, offsetof(seed_ffs_config, equil_steps), "steps", "1000", 0, 1e12, NULL,
     "NPT equilibration of the liquid at (T, p)"},
    {"cluster_cutoff", SR_KW_REAL, offsetof(seed_ffs_config, cluster_cutoff), "length", "0", 0, 1e3, NULL,
     "solid atoms closer than this belong to one cluster (0: the classifier's neighbor cutoff)"},
    {"basin_frames", SR_KW_INT, offsetof(seed_ffs_config, basin_frames), "", "20", 2, 1e6, NULL,
     "frames of the prepared liquid (analyze_every steps apart) that give its typical N_max (checks lambda_A, "
     "lambda_0)"},
    {"bootstrap", SR_KW_INT, offsetof(seed_ffs_config, nboot), "", "1000", 0, 1e7, NULL,
     "bootstrap resamples over basin runs and first-interface configurations (0: none)"},
    {"p_target", SR_KW_REAL, offsetof(seed_ffs_config, p_target), "", "0", 0, 0.9, NULL,
     "0: the interfaces as given; > 0: adaptive placement - `interfaces` gives lambda_0 and the last one only, and "
     "each next interface is the largest N_max that a fraction >= p_target of pilot_trials pilot runs from the "
     "current one reached before falling back into A (so P_i ~ p_target; cnt_ffs_next_interface)"},
    {"pilot_trials", SR_KW_INT, offsetof(seed_ffs_config, pilot_trials), "", "50", 2, 1e6, NULL,
     "pilot runs per interface for the adaptive placement (run until A or the last interface; then discarded)"},
    {"trial_velocities", SR_KW_CHOICE, offsetof(seed_ffs_config, trial_velocities), "", "kept", 0, 0, "kept|fresh",
     "velocities of a trial (and pilot) run at its start: kept = the stored configuration's own at its crossing, the "
     "trials then differing by the thermostat's and barostat's noise (the dynamics of brute force, as FFS requires: "
     "Allen, Valeriani & ten Wolde 2009); fresh = drawn from Maxwell-Boltzmann at T, which perturbs the dynamics at "
     "every interface (LJ, T* = 0.70: P_i lower at 6 of 7 interfaces, J 0.42 decades below kept and brute force, "
     "validation/lj-ffs)"},
    {"commit_runs", SR_KW_INT, offsetof(seed_ffs_config, commit_runs), "", "20", 0, 1e6, NULL,
     "after the last stage: runs from the configurations at the last interface B (round robin, the trials' "
     "velocities rule), each until N_max >= commit_factor x lambda_B or back in A (at most trial_max_steps). The "
     "fraction that go on estimates the committor p_B of B, which FFS assumes is ~1 (B past the barrier); "
     "J is not changed by them (0: no test)"},
    {"commit_factor", SR_KW_REAL, offsetof(seed_ffs_config, commit_factor), "", "1.5", 1.01, 100, NULL,
     "a commit run succeeds when N_max reaches commit_factor x the last interface"},
    SR_KW_END};

static const sr_keyword ffs_run_keywords[] = {
    {"units", SR_KW_CHOICE, offsetof(seed_run_config, units), "", "lj", 0, 0, "lj|metal",
     "unit style (lj reduced; metal: angstrom, eV, ps, g/mol, K, bar)"},
    {"seed", SR_KW_LONG, offsetof(seed_run_config, seed), "", "2016", 0, 9.2e18, NULL,
     "run seed: every random stream derives from it and the task index"},
    SR_KW_END};

static const sr_keyword ffs_output_keywords[] = {
    {"prefix", SR_KW_STRING, offsetof(seed_output_config, prefix), "", "ffs", 0, 0, NULL,
     "output prefix: PREFIX.ffs.nc (results), PREFIX.liquid.ckpt, PREFIX.ffs.i*.ckpt (interface configurations), "
     "PREFIX.ffs.cnt.journal (finished tasks)"},
    SR_KW_END};

static const char *const ffs_sections[] = {"run", "structure", "potential", "ensemble", "order", "ffs", "output",
                                           NULL};

void seed_ffs_print_keys(FILE *out) { seed_job_print_keys(out, ffs_run_keywords, "ffs", seed_ffs_keywords, ffs_output_keywords); }

/* ---- job state ---- */
enum { NFV = 7 }; /* per basin run: crossings, time, volume sum, volume frames, reached B, lambda max, failed */
enum { NTV = 3 }; /* per trial: outcome, steps, lambda max */
enum { T_FAIL = 0, T_SUCCESS = 1, T_UNDECIDED = 2, T_BROKEN = 3 };

typedef struct ffs {
    seed_job job;
    seed_ffs_config fc;
    int nl, ns;        /* interfaces, stages (nl - 1); grow with the adaptive placement */
    int cap;           /* interfaces the arrays hold */
    double lam[SR_KW_MAXLIST]; /* lambda_0 .. lambda_{nl-1} */
    double lamB;       /* the last interface (the nucleated state B) */
    int adaptive;
    uint64_t hash;     /* journal lines of other inputs are ignored */
    char jprefix[4300];
    double *flux;      /* [flux_runs * NFV] */
    double *commit;    /* [commit_runs * NTV] runs from B (commit test) */
    int commit_state;  /* 0 not run, 1 run, -1 the configurations at B were not kept (older journal) */
    double *trial;     /* [ns * trials * NTV] (NaN outcome: not run) */
    long *nconf;       /* [nl] configurations at interface i */
    long **ca, **cb;   /* [nl][nconf]: (run, crossing) at i = 0, (trial, -1) above */
    long **root;       /* [nl][nconf]: index of the ancestor at lambda_0 */
    int basin_median, basin_q90, basin_max;
} ffs;

static void ffs_free(ffs *F)
{
    free(F->flux);
    free(F->trial);
    free(F->commit);
    for (int i = 0; F->ca && i < F->cap; i++) {
        free(F->ca[i]);
        free(F->cb[i]);
        free(F->root[i]);
    }
    free(F->ca);
    free(F->cb);
    free(F->root);
    free(F->nconf);
    seed_job_free(&F->job);
}

static int key_line(const sr_section *s, const char *key)
{
    for (int i = 0; s && i < s->n; i++)
        if (strcmp(s->entries[i].key, key) == 0) return s->entries[i].line;
    return s ? s->line : 0;
}

static int ffs_parse(ffs *F, const char *file, sr_errlist *el)
{
    const seed_job_section own[] = {{"ffs", seed_ffs_keywords, &F->fc, 1, 0}};
    const seed_job_spec spec = {.sections = ffs_sections, .run_keywords = ffs_run_keywords,
                                .output_keywords = ffs_output_keywords, .own = own, .nown = 1, .min_ensemble = 1,
                                .ensemble_need = "FFS runs need ensemble = npt or nvt"};
    SR_TRY(seed_job_parse(&F->job, file, &spec, el));
    seed_job_ensemble(&F->job, &spec, el);
    const seed_ffs_config *fc = &F->fc;
    const sr_section *sec = sr_input_section(F->job.in, "ffs");
    char msg[512];
    if (cnt_ffs_check_interfaces(fc->lambda_A, fc->interfaces.v, fc->interfaces.n, msg, sizeof msg))
        sr_errlist_add(el, "%s:%d: [ffs] interfaces: %s", file, key_line(sec, "interfaces"), msg);
    if (fc->liquid_cells.n != 3) sr_errlist_add(el, "%s: [ffs] liquid_cells needs 3 integers", file);
    if (F->job.sc.file[0])
        sr_errlist_add(el, "%s: [structure] file is not supported by ffs yet: give a lattice (it is melted)", file);
    if (fc->analyze_every > fc->flux_steps || fc->analyze_every > fc->trial_max_steps)
        sr_errlist_add(el, "%s: [ffs] analyze_every = %ld exceeds flux_steps or trial_max_steps", file,
                       fc->analyze_every);
    if (fc->nboot == 1) sr_errlist_add(el, "%s: [ffs] bootstrap = 1: use 0 (none) or >= 2 resamples", file);
    F->adaptive = fc->p_target > 0;
    if (F->adaptive && fc->interfaces.n != 2)
        sr_errlist_add(el, "%s:%d: [ffs] interfaces: with p_target > 0 give lambda_0 and the last interface only (the "
                       "others are placed adaptively), got %d values", file, key_line(sec, "interfaces"),
                       fc->interfaces.n);
    F->nl = F->adaptive ? 1 : fc->interfaces.n;
    F->ns = F->nl - 1;
    F->cap = F->adaptive ? SR_KW_MAXLIST : fc->interfaces.n;
    for (int i = 0; i < fc->interfaces.n; i++) F->lam[i] = fc->interfaces.v[i];
    F->lamB = fc->interfaces.n ? fc->interfaces.v[fc->interfaces.n - 1] : 0;
    snprintf(F->jprefix, sizeof F->jprefix, "%s.ffs", F->job.oc.prefix);
    uint64_t h = 0;
    static const char *const skip[] = {"bootstrap", "commit_runs", "commit_factor", NULL}; /* not the trials' */
    static const char *const sections[] = {"run", "structure", "potential", "ensemble", "order", "ffs", NULL};
    for (int k = 0; sections[k]; k++)
        h = seed_input_hash(h, sr_input_section(F->job.in, sections[k]), strcmp(sections[k], "ffs") ? NULL : skip);
    F->hash = h;
    return el->n ? SR_EINVAL : SR_OK;
}

/* ================================================================================================
 * The liquid (rank 0) and the basin check
 * ============================================================================================== */

static int prepare_liquid(ffs *F, md_system **out)
{
    const seed_job *j = &F->job;
    const uint64_t seed = (uint64_t)j->run.seed;
    const uint64_t stream = 1000000000ull; /* above every task index */
    const double T = j->ip.temperature;
    char where[4300];
    snprintf(where, sizeof where, "%s: [structure]", j->file);
    const double Tmelt = F->fc.melt_temperature > 0 ? F->fc.melt_temperature : 2.0 * T;
    seed_structure_config lc = seed_liquid_lattice(&j->sc, &F->fc.liquid_cells, F->fc.liquid_density, Tmelt);
    gsl_rng *rv = sr_rng_create(seed, stream, SR_RNG_VELOCITIES);
    md_system *liq = NULL;
    int rc = rv ? seed_structure_build(&lc, j->run.units, j->basedir, where, rv, &liq)
                : SR_ERROR(SR_ENOMEM, "out of memory");
    gsl_rng_free(rv);
    if (!rc && F->lamB > liq->n / 2)
        rc = SR_ERROR(SR_EINVAL, "%s:%d: [ffs] interfaces: the last one (%g) is more than half the %d atoms of the "
                                 "liquid: a nucleus that size feels its periodic images. Raise liquid_cells",
                      j->file, key_line(sr_input_section(j->in, "ffs"), "interfaces"), F->lamB, liq->n);
    if (!rc) rc = seed_liquid_melt(liq, j->pot, &j->ip, Tmelt, F->fc.melt_steps, F->fc.equil_steps, seed, stream);
    /* the basin's own fluctuations: basin_frames frames of a copy (its own thermostat stream) */
    int *nm = malloc((size_t)F->fc.basin_frames * sizeof *nm);
    double *dm = malloc((size_t)F->fc.basin_frames * sizeof *dm);
    order_analyzer *an = NULL;
    md_system *s = rc ? NULL : md_system_copy(liq);
    gsl_rng *rt = sr_rng_create(seed, stream + 7, SR_RNG_THERMOSTAT);
    md_integrator *in = NULL;
    if (!rc && (!nm || !dm || !s || !rt)) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    if (!rc) rc = order_analyzer_create(j->cls, F->fc.cluster_cutoff, &an);
    if (!rc && !(in = md_integrator_create(&j->ip, s, j->pot, rt))) rc = sr_error_status() ? sr_error_status() : SR_EINVAL;
    if (!rc) rc = md_integrator_setup(in);
    int nsolid = 0;
    for (int f = 0; !rc && f < F->fc.basin_frames; f++) {
        order_cluster_result cr;
        if (f > 0) rc = md_integrator_run(in, F->fc.analyze_every);
        if (!rc) rc = order_analyze_frame(an, s, &cr);
        if (!rc) {
            nm[f] = cr.nmax;
            dm[f] = cr.nmax;
            if (cr.n_solid > nsolid) nsolid = cr.n_solid;
        }
    }
    if (!rc) {
        gsl_sort(dm, 1, (size_t)F->fc.basin_frames);
        F->basin_median = (int)ceil(gsl_stats_quantile_from_sorted_data(dm, 1, (size_t)F->fc.basin_frames, 0.5));
        F->basin_q90 = (int)ceil(gsl_stats_quantile_from_sorted_data(dm, 1, (size_t)F->fc.basin_frames, 0.9));
        F->basin_max = (int)dm[F->fc.basin_frames - 1];
        printf("[ffs] liquid at T = %g: %d atoms, rho %.5g; N_max over %d frames: median %d, 90th percentile %d, max %d "
               "(up to %d solid-labelled)\n", T, liq->n, liq->n / md_system_volume(liq), F->fc.basin_frames,
               F->basin_median, F->basin_q90, F->basin_max, nsolid);
        const int line = key_line(sr_input_section(j->in, "ffs"), "interfaces");
        if (!(F->lam[0] > F->basin_q90))
            rc = SR_ERROR(SR_EINVAL,
                          "%s:%d: [ffs] interfaces: lambda_0 = %g is inside the liquid basin's own fluctuations "
                          "(N_max of the prepared liquid over %d frames: median %d, 90th percentile %d, max %d): its "
                          "crossings would not be rare steps toward a nucleus. Raise lambda_0 above %d (or check "
                          "the [order] thresholds)",
                          j->file, line, F->lam[0], F->fc.basin_frames, F->basin_median, F->basin_q90, F->basin_max,
                          F->basin_q90);
        else if (!(F->fc.lambda_A > F->basin_median))
            rc = SR_ERROR(SR_EINVAL,
                          "%s:%d: [ffs] lambda_A = %g is not above the liquid's median N_max (%d over %d frames): "
                          "the liquid would rarely be 'in A' and few crossings would count. Raise lambda_A",
                          j->file, key_line(sr_input_section(j->in, "ffs"), "lambda_A"), F->fc.lambda_A,
                          F->basin_median, F->fc.basin_frames);
    }
    (void)nm;
    md_integrator_free(in);
    md_system_free(s);
    gsl_rng_free(rt);
    order_analyzer_free(an);
    free(nm);
    free(dm);
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

/* ================================================================================================
 * Tasks
 * ============================================================================================== */

static void conf_path(const ffs *F, int i, long a, long b, char *buf, size_t n)
{
    if (i == 0) snprintf(buf, n, "%s.ffs.i0.f%ld.c%ld.ckpt", F->job.oc.prefix, a, b);
    else snprintf(buf, n, "%s.ffs.i%d.t%ld.ckpt", F->job.oc.prefix, i, a);
}

/* MD from s (with fresh velocities from `stream` if `fresh`, else s's own); calls observe(lambda) every
 * analyze_every steps (frame 0 included) until it returns non-zero or max_steps; *steps = steps run. A numerical
 * failure returns non-zero. */
typedef struct run_ctx {
    ffs *F;
    order_analyzer *an;
    md_system *s;
    double lmax;
} run_ctx;

static int run_md(run_ctx *c, uint64_t stream, int fresh, long max_steps,
                  int (*observe)(run_ctx *, double, void *), void *arg, long *steps, int *stopped)
{
    const seed_job *j = &c->F->job;
    gsl_rng *rv = sr_rng_create((uint64_t)j->run.seed, stream, SR_RNG_VELOCITIES);
    gsl_rng *rt = sr_rng_create((uint64_t)j->run.seed, stream, SR_RNG_THERMOSTAT);
    md_integrator *in = NULL;
    int rc = (!rv || !rt) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    c->s->step = 0;
    c->s->time = 0;
    if (!rc && fresh) rc = md_velocity_create(c->s, j->ip.temperature, rv);
    if (!rc && !(in = md_integrator_create(&j->ip, c->s, j->pot, rt)))
        rc = sr_error_status() ? sr_error_status() : SR_EINVAL;
    if (!rc) rc = md_integrator_setup(in);
    *stopped = 0;
    c->lmax = 0;
    long step = 0;
    for (; !rc; step += c->F->fc.analyze_every) {
        order_cluster_result cr;
        if (step > 0) rc = md_integrator_run(in, c->F->fc.analyze_every);
        if (!rc) rc = order_analyze_frame(c->an, c->s, &cr);
        if (rc) break;
        if (cr.nmax > c->lmax) c->lmax = cr.nmax;
        if ((*stopped = observe(c, (double)cr.nmax, arg)) != 0) break;
        if (step >= max_steps) break;
    }
    *steps = step;
    md_integrator_free(in);
    gsl_rng_free(rv);
    gsl_rng_free(rt);
    return rc;
}

typedef struct flux_arg {
    cnt_ffs_basin b;
    long f, ncross;
    double vsum;
    long vn;
    int err;
} flux_arg;

static int flux_observe(run_ctx *c, double lambda, void *arg)
{
    flux_arg *a = arg;
    const int ev = cnt_ffs_basin_observe(&a->b, lambda);
    if (ev == CNT_FFS_REACHED_B) return 1;
    if (ev == CNT_FFS_CROSSED) {
        char path[4400];
        conf_path(c->F, 0, a->f, a->ncross, path, sizeof path);
        if ((a->err = md_checkpoint_write(path, c->s, NULL))) return 1;
        a->ncross++;
    }
    a->vsum += md_system_volume(c->s);
    a->vn++;
    return 0;
}

/* Basin run f: v = crossings, time, volume sum, volume frames, reached B, lambda max, failed. */
static int flux_task(ffs *F, int stage, long f, const md_system *liq, order_analyzer *an, double *v)
{
    (void)stage;
    run_ctx c = {.F = F, .an = an, .s = md_system_copy(liq)};
    if (!c.s) return SR_ERROR(SR_ENOMEM, "out of memory");
    flux_arg a = {.f = f};
    cnt_ffs_basin_init(&a.b, F->fc.lambda_A, F->lam[0], F->lamB);
    long steps = 0;
    int stopped = 0;
    int rc = run_md(&c, (uint64_t)f, 1, F->fc.flux_steps, flux_observe, &a, &steps, &stopped);
    md_system_free(c.s);
    if (a.err) return a.err;
    if (rc) {
        fprintf(stderr, "[ffs] warning: basin run %ld stopped by a numerical failure at step %ld (its crossings and "
                        "time so far are kept): %s\n", f, steps, sr_error_message());
        sr_error_clear();
    }
    const double vals[NFV] = {(double)a.ncross, steps * F->job.ip.dt, a.vsum, (double)a.vn,
                              stopped && !a.err ? 1.0 : 0.0, c.lmax, rc ? 1.0 : 0.0};
    memcpy(v, vals, sizeof vals);
    return SR_OK;
}

typedef struct trial_arg {
    int i;
    long t;
    int outcome, err;
} trial_arg;

static int trial_observe(run_ctx *c, double lambda, void *arg)
{
    trial_arg *a = arg;
    const int ev = cnt_ffs_trial_observe(lambda, c->F->fc.lambda_A, c->F->lam[a->i + 1]);
    if (ev == CNT_FFS_FAILURE) {
        a->outcome = T_FAIL;
        return 1;
    }
    if (ev == CNT_FFS_SUCCESS) {
        a->outcome = T_SUCCESS;
        if (c->F->lam[a->i + 1] < c->F->lamB || c->F->fc.commit_runs > 0) { /* at B only for the commit test */
            char path[4400];
            conf_path(c->F, a->i + 1, a->t, -1, path, sizeof path);
            a->err = md_checkpoint_write(path, c->s, NULL);
        }
        return 1;
    }
    return 0;
}

/* Trial t of stage i from configuration t mod N_i: v = outcome, steps, lambda max. */
static int trial_task(ffs *F, int i, long t, const md_system *liq, order_analyzer *an, double *v)
{
    (void)liq;
    const long c0 = t % F->nconf[i];
    char path[4400];
    conf_path(F, i, F->ca[i][c0], F->cb[i][c0], path, sizeof path);
    run_ctx c = {.F = F, .an = an};
    SR_TRY(md_checkpoint_read(path, &c.s, NULL));
    trial_arg a = {.i = i, .t = t, .outcome = T_UNDECIDED};
    long steps = 0;
    int stopped = 0;
    int rc = run_md(&c, 10000000ull * (uint64_t)(i + 1) + (uint64_t)t, F->fc.trial_velocities == 1,
                    F->fc.trial_max_steps, trial_observe, &a, &steps, &stopped);
    md_system_free(c.s);
    if (a.err) return a.err;
    if (rc) {
        fprintf(stderr, "[ffs] warning: trial %ld of stage %d failed numerically and is left out: %s\n", t, i,
                sr_error_message());
        sr_error_clear();
        a.outcome = T_BROKEN;
    }
    v[0] = a.outcome;
    v[1] = (double)steps;
    v[2] = c.lmax;
    return SR_OK;
}

static int pilot_observe(run_ctx *c, double lambda, void *arg)
{
    int *outcome = arg;
    const int ev = cnt_ffs_trial_observe(lambda, c->F->fc.lambda_A, c->F->lamB);
    if (ev == CNT_FFS_NONE) return 0;
    *outcome = ev == CNT_FFS_SUCCESS ? T_SUCCESS : T_FAIL;
    return 1;
}

/* N_max at which a commit run from the last interface B counts as having gone on */
static double commit_lambda(const ffs *F) { return F->fc.commit_factor * F->lamB; }

static int commit_observe(run_ctx *c, double lambda, void *arg)
{
    int *outcome = arg;
    const int ev = cnt_ffs_trial_observe(lambda, c->F->fc.lambda_A, commit_lambda(c->F));
    if (ev == CNT_FFS_NONE) return 0;
    *outcome = ev == CNT_FFS_SUCCESS ? T_SUCCESS : T_FAIL;
    return 1;
}

/* Run t from configuration t mod N_i of interface i until `observe` decides (nothing is stored): the pilots and
 * the commit runs. v = outcome, steps, lambda max. */
static int probe_run(ffs *F, int i, long t, uint64_t stream, int (*observe)(run_ctx *, double, void *),
                     const char *what, order_analyzer *an, double *v)
{
    const long c0 = t % F->nconf[i];
    char path[4400];
    conf_path(F, i, F->ca[i][c0], F->cb[i][c0], path, sizeof path);
    run_ctx c = {.F = F, .an = an};
    SR_TRY(md_checkpoint_read(path, &c.s, NULL));
    int outcome = T_UNDECIDED, stopped = 0;
    long steps = 0;
    int rc = run_md(&c, stream, F->fc.trial_velocities == 1, F->fc.trial_max_steps, observe, &outcome, &steps,
                    &stopped);
    md_system_free(c.s);
    if (rc) {
        fprintf(stderr, "[ffs] warning: %s %ld from interface %d failed numerically and is left out: %s\n", what, t, i,
                sr_error_message());
        sr_error_clear();
        outcome = T_BROKEN;
    }
    v[0] = outcome;
    v[1] = (double)steps;
    v[2] = c.lmax;
    return SR_OK;
}

/* Pilot t of interface i (adaptive placement): from configuration t mod N_i until A or the last interface. */
static int pilot_task(ffs *F, int i, long t, const md_system *liq, order_analyzer *an, double *v)
{
    (void)liq;
    return probe_run(F, i, t, 10000000ull * (uint64_t)(i + 1) + 5000000ull + (uint64_t)t, pilot_observe, "pilot", an,
                     v);
}

/* Commit run t from configuration t mod N_B at the last interface B (index b): until N_max >= commit_factor x
 * lambda_B (success) or back in A. */
static int commit_task(ffs *F, int b, long t, const md_system *liq, order_analyzer *an, double *v)
{
    (void)liq;
    return probe_run(F, b, t, 10000000ull * (uint64_t)(b + 1) + 7000000ull + (uint64_t)t, commit_observe,
                     "commit run", an, v);
}

typedef int (*task_fn)(ffs *F, int stage, long index, const md_system *liq, order_analyzer *an, double *v);
enum { TASK_FLUX = 0, TASK_TRIAL = 1, TASK_PILOT = 2, TASK_COMMIT = 3 };

/* Tasks 0..ntask-1 of one stage over the ranks (journal first), values[ntask * nv] on every rank afterwards. */
static int run_tasks(ffs *F, int kind, int stage, long ntask, size_t nv, double *values, task_fn fn,
                     const md_system *liq, order_analyzer *an)
{
    const int rank = seed_comm_rank();
    char tag[32], what[96];
    if (kind == TASK_FLUX) {
        snprintf(tag, sizeof tag, "ffs-flux");
        snprintf(what, sizeof what, "basin runs (flux through lambda_0 = %g)", F->lam[0]);
    } else if (kind == TASK_PILOT) {
        snprintf(tag, sizeof tag, "ffs-pilot%d", stage);
        snprintf(what, sizeof what, "pilots from lambda_%d = %g", stage, F->lam[stage]);
    } else if (kind == TASK_COMMIT) { /* the factor in the tag: the journal's hash does not cover it */
        snprintf(tag, sizeof tag, "ffs-commit-x%g", F->fc.commit_factor);
        snprintf(what, sizeof what, "commit runs from lambda_B = %g to %g", F->lamB, commit_lambda(F));
    } else {
        snprintf(tag, sizeof tag, "ffs-stage%d", stage);
        snprintf(what, sizeof what, "stage %d trials (lambda %g -> %g)", stage, F->lam[stage], F->lam[stage + 1]);
    }
    unsigned char *have = calloc((size_t)ntask, 1);
    double *hv = calloc((size_t)ntask, sizeof *hv);
    long *todo = malloc((size_t)ntask * sizeof *todo);
    int rc = (!have || !hv || !todo) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    for (long k = 0; !rc && k < ntask * (long)nv; k++) values[k] = 0;
    if (!rc && rank == 0) {
        long n = seed_journal_load(F->jprefix, tag, F->hash, ntask, nv, values, have);
        if (n) printf("[ffs] resuming: %ld of %ld %s already finished (journal)\n", n, ntask, what);
        for (long k = 0; k < ntask; k++) hv[k] = have[k];
    }
    if (!rc) rc = seed_comm_allreduce_sum_double(hv, (int)ntask);
    long ntodo = 0;
    for (long k = 0; !rc && k < ntask; k++)
        if (hv[k] == 0) todo[ntodo++] = k;
    seed_queue *q = NULL;
    if (!seed_comm_any(rc)) rc = seed_queue_create(3, &q);
    const double t0 = seed_now_s();
    double last_print = -1e30; /* progress: every tenth of the tasks or 30 s, and the last one */
    const long every = ntodo >= 10 ? ntodo / 10 : 1;
    double *v = malloc(nv * sizeof *v);
    if (!v && !rc) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    while (!rc && q) {
        long k = seed_queue_fetch_add(q, 0, 1);
        if (k >= ntodo) break;
        const long idx = todo[k];
        rc = fn(F, stage, idx, liq, an, v);
        if (rc) break;
        memcpy(values + idx * (long)nv, v, nv * sizeof *v);
        rc = seed_journal_append(F->jprefix, tag, F->hash, idx, v, nv);
        const long ndone = seed_queue_fetch_add(q, 1, 1) + 1;
        seed_queue_fetch_add(q, 2, kind == TASK_FLUX ? (long)v[0] : (v[0] == T_SUCCESS));
        const double el = seed_now_s() - t0;
        if (rank == 0 && (ndone == ntodo || ndone % every == 0 || el - last_print >= 30)) {
            const double eta = el / ndone * (ntodo - ndone);
            last_print = el;
            printf("[ffs] %s: %ld/%ld done, %s %ld | %.0f s, ETA %.0f s\n", what, ndone, ntodo,
                   kind == TASK_FLUX ? "crossings" : kind == TASK_PILOT ? "reached the last interface"
                                                   : kind == TASK_COMMIT ? "went on" : "successes",
                   seed_queue_read(q, 2), el, eta);
            fflush(stdout);
        }
    }
    free(v);
    int any = seed_comm_any(rc);
    if (q) seed_queue_free(q);
    if (!any) any = seed_comm_allreduce_sum_double(values, (int)(ntask * (long)nv));
    if (any && rc) fprintf(stderr, "seedrate: error (rank %d): %s\n", rank, sr_error_message());
    free(have);
    free(hv);
    free(todo);
    return any ? (rc ? rc : SR_EFAILED) : SR_OK;
}

/* The configurations at interface i + 1 from the outcomes of stage i (or at 0 from the basin runs: i = -1). */
static int collect_configs(ffs *F, int i)
{
    const int to = i + 1;
    long n = 0, cap = i < 0 ? 0 : F->fc.trials;
    if (i < 0)
        for (int f = 0; f < F->fc.flux_runs; f++) cap += (long)F->flux[f * NFV];
    F->ca[to] = malloc((size_t)(cap + 1) * sizeof(long));
    F->cb[to] = malloc((size_t)(cap + 1) * sizeof(long));
    F->root[to] = malloc((size_t)(cap + 1) * sizeof(long));
    if (!F->ca[to] || !F->cb[to] || !F->root[to]) return SR_ERROR(SR_ENOMEM, "out of memory");
    if (i < 0) {
        for (int f = 0; f < F->fc.flux_runs; f++)
            for (long k = 0; k < (long)F->flux[f * NFV]; k++) {
                F->ca[0][n] = f;
                F->cb[0][n] = k;
                F->root[0][n] = n;
                n++;
            }
    } else {
        const double *tv = F->trial + (size_t)i * F->fc.trials * NTV;
        for (long t = 0; t < F->fc.trials; t++)
            if (tv[t * NTV] == T_SUCCESS) {
                F->ca[to][n] = t;
                F->cb[to][n] = -1;
                F->root[to][n] = F->root[i][t % F->nconf[i]];
                n++;
            }
    }
    F->nconf[to] = n;
    return SR_OK;
}

/* ================================================================================================
 * Results (rank 0)
 * ============================================================================================== */

typedef struct ffs_results {
    long ncross;
    double t_basin, vmean;
    long *trials, *succ, *undecided, *broken;
    cnt_ffs_result est;
    cnt_interval boot;
    int boot_ok;
    double committed; /* P of the last stage */
    long cm_on, cm_back, cm_und; /* commit runs: went on, fell back into A, undecided */
    double cm_p;      /* committor of the last interface from them (NaN: not tested) */
} ffs_results;

static int write_ffs_nc(const ffs *F, const ffs_results *R)
{
    char path[4300];
    snprintf(path, sizeof path, "%s.ffs.nc", F->job.oc.prefix);
    const md_units *u = md_units_get(F->job.run.units);
    char rate_u[128], k_u[64], vol_u[64];
    snprintf(rate_u, sizeof rate_u, "%s^-3 %s^-1", u->length, u->time);
    snprintf(k_u, sizeof k_u, "%s^-1", u->time);
    snprintf(vol_u, sizeof vol_u, "%s^3", u->length);
    const int nl = F->nl, ns = F->ns, nf = F->fc.flux_runs, M = F->fc.trials;
    io_ncfile *f;
    SR_TRY(io_ncfile_create(path, &f));
    int rc = SR_OK;
#define TRY(e) do { if (!rc) rc = (e); } while (0)
    const char *d_if[] = {"interface"}, *d_st[] = {"stage"}, *d_fl[] = {"flux_run"}, *d_tr[] = {"stage", "trial"};
    TRY(io_ncfile_put_att_text(f, NULL, "title", "seedrate forward flux sampling nucleation rate"));
    TRY(io_ncfile_put_att_text(f, NULL, "units_style", u->name));
    TRY(io_ncfile_put_att_text(f, NULL, "method",
                               "direct FFS on lambda = N_max (Allen, Frenkel & ten Wolde, JCP 124, 024102, 2006): "
                               "J = Phi_0 prod P_i / <V>; Var(k)/k^2 = 1/N_0 + sum (1-P_i)/(P_i M_i) (Allen, "
                               "Valeriani & ten Wolde, JPCM 21, 463102, 2009); bootstrap over basin runs and "
                               "first-interface trees"));
    TRY(io_ncfile_put_att_text(f, NULL, "trial_outcome_codes", "0 failed (back in A), 1 reached the next interface, "
                                                                "2 undecided at trial_max_steps (counted as failed), "
                                                                "3 numerical failure (left out), -1 not run"));
    char place[256];
    if (F->adaptive)
        snprintf(place, sizeof place, "adaptive: each next interface the largest N_max reached by a fraction >= %g of "
                                      "%d pilot runs (p_target, pilot_trials)", F->fc.p_target, F->fc.pilot_trials);
    else
        snprintf(place, sizeof place, "given ([ffs] interfaces)");
    TRY(io_ncfile_put_att_text(f, NULL, "interfaces_placement", place));
    TRY(io_ncfile_def_dim(f, "interface", (size_t)nl));
    TRY(io_ncfile_def_dim(f, "stage", (size_t)ns));
    TRY(io_ncfile_def_dim(f, "flux_run", (size_t)nf));
    TRY(io_ncfile_def_dim(f, "trial", (size_t)M));
    TRY(io_ncfile_def_var(f, "lambda", IO_NC_DOUBLE, 1, d_if, "atoms", "interface lambda_i (N_max)"));
    TRY(io_ncfile_def_var(f, "configurations", IO_NC_INT, 1, d_if, "1",
                          "configurations stored at lambda_i (i = 0: first crossings in the basin runs)"));
    TRY(io_ncfile_def_var(f, "committor", IO_NC_DOUBLE, 1, d_if, "1",
                          "prod_{k >= i} P_k: probability to reach the last interface from lambda_i before A"));
    TRY(io_ncfile_def_var(f, "trials", IO_NC_INT, 1, d_st, "1", "trials from lambda_i (numerical failures left out)"));
    TRY(io_ncfile_def_var(f, "successes", IO_NC_INT, 1, d_st, "1", "trials that reached lambda_{i+1} before A"));
    TRY(io_ncfile_def_var(f, "undecided", IO_NC_INT, 1, d_st, "1", "trials stopped at trial_max_steps (in trials, "
                                                                      "not successes)"));
    TRY(io_ncfile_def_var(f, "p", IO_NC_DOUBLE, 1, d_st, "1", "P(lambda_{i+1} | lambda_i) = successes / trials"));
    TRY(io_ncfile_def_var(f, "p_se", IO_NC_DOUBLE, 1, d_st, "1", "binomial standard error sqrt(P (1-P) / trials)"));
    TRY(io_ncfile_def_var(f, "trial_outcome", IO_NC_INT, 2, d_tr, "1", "outcome of each trial (trial_outcome_codes)"));
    TRY(io_ncfile_def_var(f, "trial_root", IO_NC_INT, 2, d_tr, "1",
                          "index of the trial's ancestor configuration at lambda_0 (-1: not run)"));
    TRY(io_ncfile_def_var(f, "trial_lambda_max", IO_NC_DOUBLE, 2, d_tr, "atoms", "largest N_max of the trial"));
    TRY(io_ncfile_def_var(f, "trial_steps", IO_NC_INT, 2, d_tr, "steps", "MD steps of the trial"));
    TRY(io_ncfile_def_var(f, "flux_crossings", IO_NC_INT, 1, d_fl, "1", "first crossings of lambda_0 in the run"));
    TRY(io_ncfile_def_var(f, "flux_time", IO_NC_DOUBLE, 1, d_fl, u->time, "simulated time of the basin run"));
    TRY(io_ncfile_def_var(f, "flux_reached_b", IO_NC_INT, 1, d_fl, "1", "1: the run reached the last interface"));
    TRY(io_ncfile_def_var(f, "flux_lambda_max", IO_NC_DOUBLE, 1, d_fl, "atoms", "largest N_max of the basin run"));
    struct { const char *name, *unit, *ln; } sc[] = {
        {"temperature", u->temperature, "temperature"},
        {"pressure", u->pressure, "pressure (NPT target)"},
        {"lambda_a", "atoms", "the basin A is N_max < lambda_A"},
        {"basin_n_max_median", "atoms", "median N_max of the prepared liquid"},
        {"basin_n_max_q90", "atoms", "90th percentile of N_max of the prepared liquid"},
        {"n_crossings", "1", "N_0: first crossings of lambda_0 in all basin runs"},
        {"basin_time", u->time, "T_A: total simulated time of the basin runs"},
        {"volume_mean", vol_u, "mean volume <V> of the basin runs"},
        {"flux", k_u, "Phi_0 = N_0 / T_A, per system"},
        {"flux_density", rate_u, "Phi_0 / <V>"},
        {"probability", "1", "prod P_i"},
        {"k", k_u, "rate per system k = Phi_0 prod P_i"},
        {"rel_var", "1", "analytic relative variance Var(k)/k^2 = 1/N_0 + sum (1-P_i)/(P_i M_i)"},
        {"j", rate_u, "nucleation rate J = k / <V>"},
        {"j_lo68", rate_u, "analytic (log-normal) 68% interval, low"},
        {"j_hi68", rate_u, "analytic (log-normal) 68% interval, high"},
        {"j_lo95", rate_u, "analytic (log-normal) 95% interval, low"},
        {"j_hi95", rate_u, "analytic (log-normal) 95% interval, high"},
        {"j_upper95", rate_u, "95% upper bound when a stage had no success (else NaN)"},
        {"j_boot_median", rate_u, "bootstrap median"},
        {"j_boot_lo68", rate_u, "bootstrap 68% interval, low"},
        {"j_boot_hi68", rate_u, "bootstrap 68% interval, high"},
        {"j_boot_lo95", rate_u, "bootstrap 95% interval, low"},
        {"j_boot_hi95", rate_u, "bootstrap 95% interval, high"},
        {"committed_fraction", "1",
         "P of the last stage: the fraction of trials from the last-but-one interface that reached the last one "
         "before A (the committor of the last-but-one interface; whether the last one is committed: commit_p_b)"},
        {"commit_lambda", "atoms", "a commit run from the last interface B went on when N_max reached this "
                                   "(commit_factor x lambda_B)"},
        {"commit_went_on", "1", "commit runs from B that reached commit_lambda before A"},
        {"commit_fell_back", "1", "commit runs from B that fell back into A first"},
        {"commit_undecided", "1", "commit runs from B stopped at trial_max_steps"},
        {"commit_p_b", "1", "committor of the last interface, went_on / (went_on + fell_back); FFS assumes ~1 "
                            "(NaN: not tested)"},
    };
    const int nsc = (int)(sizeof sc / sizeof *sc);
    for (int k = 0; k < nsc; k++) TRY(io_ncfile_def_var(f, sc[k].name, IO_NC_DOUBLE, 0, NULL, sc[k].unit, sc[k].ln));
    const double V = R->vmean, bo = R->boot_ok;
    const double val[] = {F->job.ip.temperature, F->job.ip.pressure, F->fc.lambda_A, F->basin_median, F->basin_q90,
                          (double)R->ncross, R->t_basin, V, R->est.flux, R->est.flux / V, R->est.prob, R->est.k,
                          R->est.rel_var, R->est.k / V, R->est.k_lo68 / V, R->est.k_hi68 / V, R->est.k_lo95 / V,
                          R->est.k_hi95 / V, R->est.k_upper95 / V, bo ? R->boot.median / V : NAN,
                          bo ? R->boot.lo68 / V : NAN, bo ? R->boot.hi68 / V : NAN, bo ? R->boot.lo95 / V : NAN,
                          bo ? R->boot.hi95 / V : NAN, R->committed, commit_lambda(F),
                          (double)R->cm_on, (double)R->cm_back, (double)R->cm_und, R->cm_p};
    const size_t nbuf = (size_t)(ns > 0 ? ns : 1) * M + nl + nf + 16;
    int *ib = malloc(nbuf * sizeof *ib);
    double *db = malloc(nbuf * sizeof *db);
    if (!ib || !db) rc = rc ? rc : SR_ERROR(SR_ENOMEM, "out of memory");
    if (!rc) {
        TRY(io_ncfile_put_double(f, "lambda", NULL, NULL, F->lam));
        for (int i = 0; i < nl; i++) ib[i] = (int)F->nconf[i];
        TRY(io_ncfile_put_int(f, "configurations", NULL, NULL, ib));
        for (int i = nl - 1; i >= 0; i--) db[i] = i == nl - 1 ? 1.0 : db[i + 1] * (R->trials[i] ? (double)R->succ[i] / R->trials[i] : NAN);
        TRY(io_ncfile_put_double(f, "committor", NULL, NULL, db));
        for (int i = 0; i < ns; i++) ib[i] = (int)R->trials[i];
        TRY(io_ncfile_put_int(f, "trials", NULL, NULL, ib));
        for (int i = 0; i < ns; i++) ib[i] = (int)R->succ[i];
        TRY(io_ncfile_put_int(f, "successes", NULL, NULL, ib));
        for (int i = 0; i < ns; i++) ib[i] = (int)R->undecided[i];
        TRY(io_ncfile_put_int(f, "undecided", NULL, NULL, ib));
        for (int i = 0; i < ns; i++) db[i] = R->trials[i] ? (double)R->succ[i] / R->trials[i] : NAN;
        TRY(io_ncfile_put_double(f, "p", NULL, NULL, db));
        for (int i = 0; i < ns; i++) db[i] = R->trials[i] ? sqrt(db[i] * (1 - db[i]) / R->trials[i]) : NAN;
        TRY(io_ncfile_put_double(f, "p_se", NULL, NULL, db));
        for (int i = 0; i < ns; i++)
            for (int t = 0; t < M; t++) {
                const double *tv = F->trial + ((size_t)i * M + t) * NTV;
                const int run = F->nconf[i] > 0;
                ib[i * M + t] = run ? (int)tv[0] : -1;
            }
        TRY(io_ncfile_put_int(f, "trial_outcome", NULL, NULL, ib));
        for (int i = 0; i < ns; i++)
            for (int t = 0; t < M; t++) ib[i * M + t] = F->nconf[i] > 0 ? (int)F->root[i][t % F->nconf[i]] : -1;
        TRY(io_ncfile_put_int(f, "trial_root", NULL, NULL, ib));
        for (int i = 0; i < ns; i++)
            for (int t = 0; t < M; t++) db[i * M + t] = F->nconf[i] > 0 ? F->trial[((size_t)i * M + t) * NTV + 2] : NAN;
        TRY(io_ncfile_put_double(f, "trial_lambda_max", NULL, NULL, db));
        for (int i = 0; i < ns; i++)
            for (int t = 0; t < M; t++) ib[i * M + t] = F->nconf[i] > 0 ? (int)F->trial[((size_t)i * M + t) * NTV + 1] : 0;
        TRY(io_ncfile_put_int(f, "trial_steps", NULL, NULL, ib));
        for (int r = 0; r < nf; r++) ib[r] = (int)F->flux[r * NFV];
        TRY(io_ncfile_put_int(f, "flux_crossings", NULL, NULL, ib));
        for (int r = 0; r < nf; r++) db[r] = F->flux[r * NFV + 1];
        TRY(io_ncfile_put_double(f, "flux_time", NULL, NULL, db));
        for (int r = 0; r < nf; r++) ib[r] = (int)F->flux[r * NFV + 4];
        TRY(io_ncfile_put_int(f, "flux_reached_b", NULL, NULL, ib));
        for (int r = 0; r < nf; r++) db[r] = F->flux[r * NFV + 5];
        TRY(io_ncfile_put_double(f, "flux_lambda_max", NULL, NULL, db));
        for (int k = 0; k < nsc; k++) TRY(io_ncfile_put_double(f, sc[k].name, NULL, NULL, &val[k]));
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

static int finish(ffs *F, double wall)
{
    const md_units *u = md_units_get(F->job.run.units);
    const int ns = F->ns, M = F->fc.trials, nf = F->fc.flux_runs;
    ffs_results R;
    memset(&R, 0, sizeof R);
    R.trials = calloc((size_t)ns, sizeof(long));
    R.succ = calloc((size_t)ns, sizeof(long));
    R.undecided = calloc((size_t)ns, sizeof(long));
    R.broken = calloc((size_t)ns, sizeof(long));
    long *run_cross = malloc((size_t)nf * sizeof(long));
    double *run_time = malloc((size_t)nf * sizeof(double));
    long **troot = calloc((size_t)ns, sizeof(long *));
    unsigned char **tsucc = calloc((size_t)ns, sizeof(unsigned char *));
    int rc = (!R.trials || !R.succ || !R.undecided || !R.broken || !run_cross || !run_time || !troot || !tsucc)
                 ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    double vs = 0, vn = 0;
    long nfailed_runs = 0, nreached = 0;
    for (int r = 0; !rc && r < nf; r++) {
        const double *v = F->flux + r * NFV;
        run_cross[r] = (long)v[0];
        run_time[r] = v[1];
        R.ncross += (long)v[0];
        R.t_basin += v[1];
        vs += v[2];
        vn += v[3];
        nreached += v[4] != 0;
        nfailed_runs += v[6] != 0;
    }
    R.vmean = vn > 0 ? vs / vn : NAN;
    for (int i = 0; !rc && i < ns; i++) {
        troot[i] = malloc((size_t)M * sizeof(long));
        tsucc[i] = malloc((size_t)M);
        if (!troot[i] || !tsucc[i]) {
            rc = SR_ERROR(SR_ENOMEM, "out of memory");
            break;
        }
        if (F->nconf[i] == 0) continue;
        long m = 0;
        for (int t = 0; t < M; t++) {
            const int o = (int)F->trial[((size_t)i * M + t) * NTV];
            if (o == T_BROKEN) {
                R.broken[i]++;
                continue;
            }
            R.trials[i]++;
            R.succ[i] += o == T_SUCCESS;
            R.undecided[i] += o == T_UNDECIDED;
            troot[i][m] = F->root[i][t % F->nconf[i]];
            tsucc[i][m++] = o == T_SUCCESS;
        }
    }
    if (!rc && !(R.t_basin > 0)) rc = SR_ERROR(SR_EFAILED, "the basin runs have no simulated time");
    if (!rc) rc = cnt_ffs_estimate(R.ncross, R.t_basin, ns, R.trials, R.succ, &R.est);
    if (rc) goto out;
    R.committed = R.trials[ns - 1] ? (double)R.succ[ns - 1] / R.trials[ns - 1] : NAN;
    R.cm_p = NAN;
    for (long t = 0; F->commit_state == 1 && t < F->fc.commit_runs; t++) {
        const int o = (int)F->commit[t * NTV];
        R.cm_on += o == T_SUCCESS;
        R.cm_back += o == T_FAIL;
        R.cm_und += o == T_UNDECIDED;
    }
    if (R.cm_on + R.cm_back > 0) R.cm_p = (double)R.cm_on / (double)(R.cm_on + R.cm_back);
    if (F->fc.nboot >= 2 && R.est.k > 0) {
        gsl_rng *rb = sr_rng_create((uint64_t)F->job.run.seed, 0, SR_RNG_BOOTSTRAP);
        R.boot_ok = rb && cnt_ffs_bootstrap(nf, run_cross, run_time, F->nconf[0], ns, R.trials,
                                            (const long *const *)troot, (const unsigned char *const *)tsucc,
                                            (size_t)F->fc.nboot, rb, &R.boot) == SR_OK;
        gsl_rng_free(rb);
        sr_error_clear();
    }
    const double V = R.vmean;
    printf("\n[ffs] results: flux through lambda_0 = %g from %d basin runs: N_0 = %ld crossings in T_A = %.6g %s "
           "(%ld runs reached the last interface, %ld stopped by a numerical failure)\n", F->lam[0], nf, R.ncross,
           R.t_basin, u->time, nreached, nfailed_runs);
    printf("  <V> = %.6g %s^3; Phi_0 = %.5g %s^-1 per system = %.5g %s^-3 %s^-1\n", V, u->length, R.est.flux,
           u->time, R.est.flux / V, u->length, u->time);
    printf("  stage  lambda_i -> lambda_i+1   configs   trials  success  undecided      P_i      +-\n");
    for (int i = 0; i < ns; i++) {
        const double p = R.trials[i] ? (double)R.succ[i] / R.trials[i] : NAN;
        printf("  %5d  %8g -> %-10g %9ld %8ld %8ld %10ld %8.4g %7.2g\n", i, F->lam[i], F->lam[i + 1], F->nconf[i],
               R.trials[i], R.succ[i], R.undecided[i], p, R.trials[i] ? sqrt(p * (1 - p) / R.trials[i]) : NAN);
    }
    if (R.est.k > 0) {
        printf("  prod P_i = %.5g; k = Phi_0 prod P_i = %.5g %s^-1 per system; relative variance %.3g\n", R.est.prob,
               R.est.k, u->time, R.est.rel_var);
        printf("  J = k/<V> = %.5g %s^-3 %s^-1, analytic 68%% [%.5g, %.5g], 95%% [%.5g, %.5g]\n", R.est.k / V,
               u->length, u->time, R.est.k_lo68 / V, R.est.k_hi68 / V, R.est.k_lo95 / V, R.est.k_hi95 / V);
        if (R.boot_ok)
            printf("  bootstrap over basin runs and first-interface trees (%d resamples): median %.5g, 68%% [%.5g, "
                   "%.5g], 95%% [%.5g, %.5g]\n", F->fc.nboot, R.boot.median / V, R.boot.lo68 / V, R.boot.hi68 / V,
                   R.boot.lo95 / V, R.boot.hi95 / V);
        seed_job_print_log_rate(&F->job, "J_FFS", R.est.k / V, R.boot_ok ? R.boot.lo68 / V : R.est.k_lo68 / V,
                       R.boot_ok ? R.boot.hi68 / V : R.est.k_hi68 / V);
        printf("  P of the last stage (lambda_%d = %g -> %g) = %.3f: the committor of lambda_%d, not of the last "
               "interface\n", ns - 1, F->lam[ns - 1], F->lamB, R.committed, ns - 1);
        if (R.cm_on + R.cm_back > 0) {
            const double n = (double)(R.cm_on + R.cm_back);
            printf("  commitment of the last interface: of %d runs from lambda_B = %g, %ld went on to %g, %ld fell "
                   "back into A, %ld undecided: p_B = %.3f +- %.2g%s\n", F->fc.commit_runs, F->lamB, R.cm_on,
                   commit_lambda(F), R.cm_back, R.cm_und, R.cm_p, sqrt(R.cm_p * (1 - R.cm_p) / n),
                   R.cm_p < 0.9 ? ": WARNING the last interface is not past the barrier (FFS counts the paths that "
                                  "reach it as nucleated): move it further out" : "");
        } else if (F->commit_state == 1) {
            printf("  commitment of the last interface: all %ld runs undecided at trial_max_steps: not tested\n",
                   R.cm_und);
        } else {
            printf("  commitment of the last interface: not tested (%s)\n",
                   F->commit_state < 0 ? "its configurations were not kept" : "commit_runs = 0");
        }
    } else {
        printf("  no path reached the last interface: J < %.5g %s^-3 %s^-1 (95%% upper bound)\n", R.est.k_upper95 / V,
               u->length, u->time);
    }
    for (int i = 0; i < ns; i++)
        if (R.undecided[i] > 0.05 * R.trials[i])
            printf("  WARNING: stage %d: %ld of %ld trials undecided at trial_max_steps (counted as failed): raise it\n",
                   i, R.undecided[i], R.trials[i]);
    rc = write_ffs_nc(F, &R);
    printf("  wall time %.1f s; results in %s.ffs.nc\n", wall, F->job.oc.prefix);
out:
    for (int i = 0; troot && tsucc && i < ns; i++) {
        free(troot[i]);
        free(tsucc[i]);
    }
    free(troot);
    free(tsucc);
    free(run_cross);
    free(run_time);
    free(R.trials);
    free(R.succ);
    free(R.undecided);
    free(R.broken);
    return rc;
}

/* ================================================================================================
 * Driver
 * ============================================================================================== */

int seed_ffs_run(const char *file)
{
    ffs F;
    memset(&F, 0, sizeof F);
    const int rank = seed_comm_rank(), size = seed_comm_size();
    sr_errlist el = {0};
    int rc = ffs_parse(&F, file, &el);
    if (!rc) rc = seed_job_potential(&F.job, NULL, &el);
    if ((rc = seed_job_fail(&el, rc))) {
        ffs_free(&F);
        return rc;
    }
    const double t0 = seed_now_s();
    if (rank == 0) rc = seed_job_make_outdir(&F.job);
    F.nconf = calloc((size_t)F.cap, sizeof(long));
    F.ca = calloc((size_t)F.cap, sizeof(long *));
    F.cb = calloc((size_t)F.cap, sizeof(long *));
    F.root = calloc((size_t)F.cap, sizeof(long *));
    F.flux = calloc((size_t)F.fc.flux_runs * NFV, sizeof(double));
    F.trial = calloc((size_t)(F.cap - 1) * F.fc.trials * NTV, sizeof(double));
    double *pilot = F.adaptive ? calloc((size_t)F.fc.pilot_trials * NTV, sizeof(double)) : NULL;
    double *pmax = F.adaptive ? calloc((size_t)F.fc.pilot_trials, sizeof(double)) : NULL;
    if (!F.nconf || !F.ca || !F.cb || !F.root || !F.flux || !F.trial || (F.adaptive && (!pilot || !pmax)))
        rc = SR_ERROR(SR_ENOMEM, "out of memory");

    /* 1. the liquid, prepared and checked on rank 0, shared */
    md_system *prepared = NULL, *liq = NULL;
    if (rank == 0 && !rc) {
        const md_units *u = md_units_get(F.job.run.units);
        printf("seedrate ffs: %s on %d rank%s\n", file, size, size > 1 ? "s" : "");
        printf("  T = %g %s, p = %g %s, dt %g %s; N_max every %ld steps; basin A: N_max < %g; interfaces",
               F.job.ip.temperature, u->temperature, F.job.ip.pressure, u->pressure, F.job.ip.dt, u->time,
               F.fc.analyze_every, F.fc.lambda_A);
        for (int i = 0; i < F.fc.interfaces.n; i++) printf(" %g", F.fc.interfaces.v[i]);
        if (F.adaptive)
            printf(" (the ones between placed adaptively: P_i ~ %g from %d pilots each)", F.fc.p_target,
                   F.fc.pilot_trials);
        printf("\n  %d basin runs x %ld steps, %d trials per interface (at most %ld steps each)\n", F.fc.flux_runs,
               F.fc.flux_steps, F.fc.trials, F.fc.trial_max_steps);
        printf("  ");
        F.job.pot->cls->describe(F.job.pot->state, stdout);
        printf("  classifier: ");
        F.job.cls->cls->describe(F.job.cls->state, stdout);
        fflush(stdout);
        rc = prepare_liquid(&F, &prepared);
        fflush(stdout);
        if (rc) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
    }
    const int rc_prep = rc;
    {
        char lpath[4300];
        snprintf(lpath, sizeof lpath, "%s.liquid.ckpt", F.job.oc.prefix);
        rc = seed_share_system(lpath, rc, prepared, &liq);
    }
    md_system_free(prepared);
    if (rc) {
        if (rank == 0 && !rc_prep) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
        ffs_free(&F);
        return rc;
    }
    order_analyzer *an = NULL;
    rc = order_analyzer_create(F.job.cls, F.fc.cluster_cutoff, &an);
    /* 2. the flux through lambda_0 */
    if (!seed_comm_any(rc)) rc = run_tasks(&F, TASK_FLUX, -1, F.fc.flux_runs, NFV, F.flux, flux_task, liq, an);
    if (!rc) rc = collect_configs(&F, -1);
    /* 3. the stages (adaptive: first the pilots that place the next interface) */
    for (int i = 0; !rc; i++) {
        if (F.adaptive) {
            if (F.lam[i] >= F.lamB) break;
            if (i + 2 > F.cap) {
                rc = SR_ERROR(SR_EINVAL, "%s: [ffs] the adaptive placement needs more than %d interfaces: raise "
                                         "p_target", file, F.cap);
                if (rank == 0) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
                break;
            }
            double next = F.lamB;
            if (F.nconf[i] > 0) {
                rc = run_tasks(&F, TASK_PILOT, i, F.fc.pilot_trials, NTV, pilot, pilot_task, liq, an);
                int m = 0;
                for (long t = 0; !rc && t < F.fc.pilot_trials; t++)
                    if (pilot[t * NTV] != T_BROKEN) pmax[m++] = pilot[t * NTV + 2];
                if (!rc && m > 0) next = cnt_ffs_next_interface(pmax, m, F.lam[i], F.lamB, F.fc.p_target, 1.0);
            }
            if (rc) break;
            F.lam[i + 1] = next;
            F.nl = i + 2;
            F.ns = i + 1;
            if (rank == 0 && F.nconf[i] > 0) {
                printf("[ffs] adaptive: lambda_%d = %g (the largest N_max that >= %g of the %d pilots from lambda_%d = %g "
                       "reached)\n", i + 1, next, F.fc.p_target, F.fc.pilot_trials, i, F.lam[i]);
                fflush(stdout);
            }
        } else if (i >= F.ns) {
            break;
        }
        if (F.nconf[i] == 0) {
            if (rank == 0)
                printf("[ffs] no configuration at lambda_%d = %g: the stages from here are not run\n", i, F.lam[i]);
            if (F.adaptive) { /* one empty stage to the last interface: the estimate is an upper bound */
                F.lam[i + 1] = F.lamB;
                F.nl = i + 2;
                F.ns = i + 1;
            }
            for (int k = i; k < F.nl; k++) F.nconf[k] = 0;
            break;
        }
        rc = run_tasks(&F, TASK_TRIAL, i, F.fc.trials, NTV, F.trial + (size_t)i * F.fc.trials * NTV, trial_task, liq,
                       an);
        if (!rc) rc = collect_configs(&F, i);
    }
    /* 4. the commitment of the last interface (does not enter J) */
    if (!rc && F.fc.commit_runs > 0 && F.ns >= 1 && F.lam[F.ns] >= F.lamB && F.nconf[F.ns] > 0) {
        const int b = F.ns;
        const long nchk = F.nconf[b] < F.fc.commit_runs ? F.nconf[b] : F.fc.commit_runs;
        int kept = 1;
        for (long t = 0; t < nchk && kept; t++) { /* a journal of a run before the test has none */
            char path[4400];
            conf_path(&F, b, F.ca[b][t], F.cb[b][t], path, sizeof path);
            kept = access(path, R_OK) == 0;
        }
        if (!kept) {
            F.commit_state = -1;
            if (rank == 0)
                printf("[ffs] the configurations at the last interface were not kept (the journal of an older run): "
                       "no commit test. Remove the journal's ffs-stage%d lines to run the last stage again\n", b - 1);
        } else if (!(F.commit = calloc((size_t)F.fc.commit_runs * NTV, sizeof(double)))) {
            rc = SR_ERROR(SR_ENOMEM, "out of memory");
        } else {
            rc = run_tasks(&F, TASK_COMMIT, b, F.fc.commit_runs, NTV, F.commit, commit_task, liq, an);
            if (!rc) F.commit_state = 1;
        }
    }
    free(pilot);
    free(pmax);
    order_analyzer_free(an);
    md_system_free(liq);
    int status = seed_comm_any(rc) ? (rc ? rc : SR_EFAILED) : SR_OK;
    if (!status && rank == 0) {
        status = finish(&F, seed_now_s() - t0);
        if (status) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
    }
    ffs_free(&F);
    return status;
}
