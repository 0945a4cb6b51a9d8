/* Brute-force MD nucleation rates: first-passage statistics of unseeded replicas (see seed_brute.h).
 *
 * Protocol: one liquid is prepared deterministically on rank 0 (a lattice at 0.85 x the crystal density,
 * melted NVT at melt_temperature, equilibrated NPT at (T, p)) and refused if it already holds a cluster
 * larger than n_stop / 2. Every replica r starts from it with fresh Maxwell-Boltzmann velocities from the
 * stream (seed, r), runs NPT and records N_max every analyze_every steps until N_max >= n_stop or
 * max_steps. Rates: censored-exponential maximum likelihood at n_stop, and the mean first-passage time
 * curve tau(n) with the Wedekind-Strey-Reguera fit (JCP 126, 134103, 2007). */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "seed_brute.h"
#include "seed.h"
#include "seed_comm.h"
#include "../common/sr_rng.h"
#include "../io/io.h"

/* ================================================================================================
 * Pure functions of the first-passage data
 * ============================================================================================== */

int seed_brute_first_passage(int nframes, const int *nmax, double frame_time, int n_stop, double *tfp)
{
    if (!nmax || !tfp) return SR_ERROR(SR_EINVAL, "seed_brute_first_passage: NULL argument");
    if (nframes < 1 || n_stop < 1 || !(frame_time > 0))
        return SR_ERROR(SR_EINVAL, "seed_brute_first_passage: nframes = %d, n_stop = %d must be >= 1 and "
                                   "frame_time = %g > 0", nframes, n_stop, frame_time);
    for (int n = 0; n <= n_stop; n++) tfp[n] = NAN;
    tfp[0] = 0.0;
    /* the running maximum of N_max sweeps the sizes it passes for the first time */
    int reached = 0;
    for (int f = 0; f < nframes && reached < n_stop; f++) {
        int m = nmax[f] < n_stop ? nmax[f] : n_stop;
        for (int n = reached + 1; n <= m; n++) tfp[n] = f * frame_time;
        if (m > reached) reached = m;
    }
    return SR_OK;
}


/* ================================================================================================
 * Input
 * ============================================================================================== */

const sr_keyword seed_brute_keywords[] = {
    {"replicas", SR_KW_INT, offsetof(seed_brute_config, replicas), "", "16", 1, 1e6, NULL,
     "independent replicas of the liquid (fresh velocities from the stream (seed, replica))"},
    {"n_stop", SR_KW_INT, offsetof(seed_brute_config, n_stop), "atoms", NULL, 2, 1e7, NULL,
     "first-passage target: a replica stops when its largest crystalline cluster reaches this size; choose it "
     "well above the critical size"},
    {"max_steps", SR_KW_LONG, offsetof(seed_brute_config, max_steps), "steps", "20000", 1, 1e12, NULL,
     "censoring time: a replica that has not reached n_stop after this many steps is censored"},
    {"analyze_every", SR_KW_LONG, offsetof(seed_brute_config, analyze_every), "steps", "100", 1, 1e9, NULL,
     "steps between N_max analyses (the time resolution of the first-passage times)"},
    {"liquid_cells", SR_KW_REALS, offsetof(seed_brute_config, liquid_cells), "", "10 10 10", 1, 1000, NULL,
     "unit cells of the [structure] lattice that is melted to make the liquid"},
    {"liquid_density", SR_KW_REAL, offsetof(seed_brute_config, liquid_density), "length^-3", "0", 0, 1e6, NULL,
     "number density of the lattice that is melted (0: 0.85 x the crystal density); NPT then sets the density"},
    {"melt_temperature", SR_KW_REAL, offsetof(seed_brute_config, melt_temperature), "temperature", "0", 0, 1e7,
     NULL, "temperature at which the lattice is melted (0: 2 T)"},
    {"melt_steps", SR_KW_LONG, offsetof(seed_brute_config, melt_steps), "steps", "2000", 0, 1e12, NULL,
     "steps of melting (NVT at melt_temperature)"},
    {"equil_steps", SR_KW_LONG, offsetof(seed_brute_config, equil_steps), "steps", "1000", 0, 1e12, NULL,
     "NPT equilibration of the liquid at (T, p); keep it well below the nucleation time"},
    {"cluster_cutoff", SR_KW_REAL, offsetof(seed_brute_config, cluster_cutoff), "length", "0", 0, 1e3, NULL,
     "solid atoms closer than this belong to one cluster (0: the classifier's neighbor cutoff)"},
    {"fit_min_size", SR_KW_INT, offsetof(seed_brute_config, fit_min_size), "atoms", "1", 0, 1e7, NULL,
     "smallest cluster size in the fit of tau(n) (the fit runs from here to n_stop)"},
    {"bootstrap", SR_KW_INT, offsetof(seed_brute_config, nboot), "", "1000", 0, 1e7, NULL,
     "bootstrap resamples over replicas for the rate intervals (0: none)"},
    SR_KW_END};

static const sr_keyword brute_run_keywords[] = {
    {"units", SR_KW_CHOICE, offsetof(seed_run_config, units), "", "lj", 0, 0, "lj|metal",
     "unit style (lj reduced; metal: angstrom, eV, ps, g/mol, K, bar)"},
    {"seed", SR_KW_LONG, offsetof(seed_run_config, seed), "", "2016", 0, 9.2e18, NULL,
     "run seed: every random stream derives from it and the replica index"},
    SR_KW_END};

static const sr_keyword brute_output_keywords[] = {
    {"prefix", SR_KW_STRING, offsetof(seed_output_config, prefix), "", "brute", 0, 0, NULL,
     "output prefix: PREFIX.brute.nc (results), PREFIX.liquid.ckpt (the prepared liquid)"},
    SR_KW_END};

static const char *const brute_sections[] = {"run", "structure", "potential", "ensemble", "order", "brute",
                                             "output", NULL};

void seed_brute_print_keys(FILE *out) { seed_job_print_keys(out, brute_run_keywords, "brute", seed_brute_keywords, brute_output_keywords); }

/* ---- job state ---- */
typedef struct brute {
    seed_job job; /* [run], [structure], [ensemble], [potential], [order], [output] (seed_job.c) */
    seed_brute_config bc;
    int max_frames;
    int natoms;
    double frame_time; /* analyze_every * dt */
    long nrep;
    /* per replica (sums over ranks of disjoint contributions) */
    long *status1;  /* 0 not run, 1 finished, 2 failed */
    long *nframes;
    long *nmax1;    /* [nrep * max_frames], N_max + 1; 0 = no frame */
    double *vol_sum; /* sum of the volume over the frames before the passage */
    long *vol_n;
} brute;

static void brute_free(brute *b)
{
    free(b->status1);
    free(b->nframes);
    free(b->nmax1);
    free(b->vol_sum);
    free(b->vol_n);
    seed_job_free(&b->job);
}

static int brute_parse(brute *b, const char *file, sr_errlist *el)
{
    const seed_job_section own[] = {{"brute", seed_brute_keywords, &b->bc, 1, 0}};
    const seed_job_spec spec = {.sections = brute_sections, .run_keywords = brute_run_keywords,
                                .output_keywords = brute_output_keywords, .own = own, .nown = 1, .min_ensemble = 1,
                                .ensemble_need = "brute-force runs need ensemble = npt or nvt"};
    SR_TRY(seed_job_parse(&b->job, file, &spec, el));
    const seed_brute_config *bc = &b->bc;
    seed_job_ensemble(&b->job, &spec, el);
    if (bc->liquid_cells.n != 3) sr_errlist_add(el, "%s: [brute] liquid_cells needs 3 integers", b->job.file);
    if (b->job.sc.file[0])
        sr_errlist_add(el, "%s: [structure] file is not supported by brute yet: give a lattice (it is melted)", b->job.file);
    if (bc->analyze_every > bc->max_steps)
        sr_errlist_add(el, "%s: [brute] analyze_every = %ld exceeds max_steps = %ld", b->job.file, bc->analyze_every,
                       bc->max_steps);
    if (bc->fit_min_size > bc->n_stop - 3)
        sr_errlist_add(el, "%s: [brute] fit_min_size = %d leaves fewer than 4 sizes below n_stop = %d", b->job.file,
                       bc->fit_min_size, bc->n_stop);
    if (bc->nboot == 1) sr_errlist_add(el, "%s: [brute] bootstrap = 1: use 0 (none) or >= 2 resamples", b->job.file);
    b->nrep = bc->replicas;
    b->max_frames = (int)((bc->max_steps + bc->analyze_every - 1) / bc->analyze_every) + 1;
    b->frame_time = (double)bc->analyze_every * b->job.ip.dt;
    if ((double)b->nrep * b->max_frames > 2e8)
        sr_errlist_add(el, "%s: [brute] %ld replicas x %d frames is too much to keep (raise analyze_every)", b->job.file,
                       b->nrep, b->max_frames);
    return el->n ? SR_EINVAL : SR_OK;
}

/* ================================================================================================
 * The liquid (rank 0)
 * ============================================================================================== */

static int prepare_liquid(brute *b, md_system **out)
{
    const uint64_t seed = (uint64_t)b->job.run.seed;
    const uint64_t stream = 1000000000ull; /* above every replica index */
    const double T = b->job.ip.temperature;
    char where[4300];
    snprintf(where, sizeof where, "%s: [structure]", b->job.file);
    const double Tmelt = b->bc.melt_temperature > 0 ? b->bc.melt_temperature : 2.0 * T;
    seed_structure_config lc = seed_liquid_lattice(&b->job.sc, &b->bc.liquid_cells, b->bc.liquid_density, Tmelt);
    gsl_rng *rv = sr_rng_create(seed, stream, SR_RNG_VELOCITIES);
    md_system *liq = NULL;
    int rc = rv ? seed_structure_build(&lc, b->job.run.units, b->job.basedir, where, rv, &liq) : SR_ERROR(SR_ENOMEM, "out of memory");
    gsl_rng_free(rv);
    if (!rc && b->bc.n_stop > liq->n / 2)
        rc = SR_ERROR(SR_EINVAL, "%s: [brute] n_stop = %d is more than half the %d atoms of the liquid: a nucleus that "
                                 "size feels its periodic images. Raise liquid_cells or lower n_stop",
                      b->job.file, b->bc.n_stop, liq->n);
    if (!rc) rc = seed_liquid_melt(liq, b->job.pot, &b->job.ip, Tmelt, b->bc.melt_steps, b->bc.equil_steps, seed, stream);
    order_cluster_result cr;
    order_analyzer *an = NULL;
    if (!rc) rc = order_analyzer_create(b->job.cls, b->bc.cluster_cutoff, &an);
    if (!rc) rc = order_analyze_frame(an, liq, &cr);
    order_analyzer_free(an);
    if (!rc && 2 * cr.nmax > b->bc.n_stop)
        rc = SR_ERROR(SR_EFAILED,
                      "%s: the prepared liquid (%d atoms at T = %g, rho %.4g) already holds a crystalline cluster of %d "
                      "atoms, more than n_stop/2 = %d: it crystallised during equil_steps = %ld or never melted. Lower "
                      "equil_steps, raise melt_temperature/melt_steps or T, or check the [order] thresholds",
                      b->job.file, liq->n, T, liq->n / md_system_volume(liq), cr.nmax, b->bc.n_stop / 2, b->bc.equil_steps);
    if (!rc)
        printf("[brute] liquid at T = %g: %d atoms, rho %.5g, largest crystalline cluster %d (%d solid-labelled)\n", T,
               liq->n, liq->n / md_system_volume(liq), cr.nmax, cr.n_solid);
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
 * One replica
 * ============================================================================================== */

/* Fresh velocities from (seed, r), NPT, N_max every analyze_every steps until N_max >= n_stop or max_steps.
 * Fills nmax[0 .. *nframes-1] and the volume sum over the frames before the passage. */
static int run_replica(const brute *b, const md_system *liq, order_analyzer *an, long r, int *nmax, int *nframes,
                       double *vol_sum, long *vol_n)
{
    *nframes = 0;
    *vol_sum = 0;
    *vol_n = 0;
    md_system *s = md_system_copy(liq);
    gsl_rng *rv = sr_rng_create((uint64_t)b->job.run.seed, (uint64_t)r, SR_RNG_VELOCITIES);
    gsl_rng *rt = sr_rng_create((uint64_t)b->job.run.seed, (uint64_t)r, SR_RNG_THERMOSTAT);
    md_integrator *in = NULL;
    int rc = (!s || !rv || !rt) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    if (!rc) {
        s->step = 0;
        s->time = 0;
        rc = md_velocity_create(s, b->job.ip.temperature, rv);
    }
    if (!rc) {
        in = md_integrator_create(&b->job.ip, s, b->job.pot, rt);
        if (!in) rc = sr_error_status() ? sr_error_status() : SR_EINVAL;
    }
    if (!rc) rc = md_integrator_setup(in);
    order_cluster_result cr;
    for (long step = 0; !rc; step += b->bc.analyze_every) {
        if (step > 0) rc = md_integrator_run(in, b->bc.analyze_every);
        if (!rc) rc = order_analyze_frame(an, s, &cr);
        if (rc) break;
        nmax[(*nframes)++] = cr.nmax;
        if (cr.nmax >= b->bc.n_stop || step >= b->bc.max_steps || *nframes >= b->max_frames) break;
        *vol_sum += md_system_volume(s);
        (*vol_n)++;
    }
    md_integrator_free(in);
    md_system_free(s);
    gsl_rng_free(rv);
    gsl_rng_free(rt);
    return rc;
}

/* ================================================================================================
 * Analysis and output (rank 0)
 * ============================================================================================== */

typedef struct brute_results {
    size_t nok, nfailed;
    double vmean;          /* mean volume of the metastable liquid */
    double *tfp;           /* [nok * (n_stop + 1)] first-passage times of the finished replicas */
    long *ok_index;        /* replica index of each row */
    double *t_end;         /* [nrep] passage or censoring time (NaN: failed) */
    int *reached;          /* [nrep] */
    double *tau;           /* [n_stop + 1] */
    int *count;            /* [n_stop + 1] */
    cnt_brute_mle mle;
    cnt_brute_mle lag; /* shifted exponential */
    double t_lag;
    int lag_ok;
    cnt_interval k_boot;
    int k_boot_ok;
    cnt_brute_mfpt mf;
    int fit_ok;
    cnt_interval tauJ_boot, nstar_boot, z_boot;
    size_t fit_skipped;
    int fit_boot_ok;
} brute_results;

static void results_free(brute_results *R)
{
    free(R->tfp);
    free(R->ok_index);
    free(R->t_end);
    free(R->reached);
    free(R->tau);
    free(R->count);
}

static int write_brute_nc(const brute *b, const brute_results *R)
{
    char path[4300];
    snprintf(path, sizeof path, "%s.brute.nc", b->job.oc.prefix);
    const md_units *u = md_units_get(b->job.run.units);
    const int w = b->bc.n_stop + 1;
    char rate_u[128], k_u[64], vol_u[64], inv_u[64];
    snprintf(rate_u, sizeof rate_u, "%s^-3 %s^-1", u->length, u->time);
    snprintf(k_u, sizeof k_u, "%s^-1", u->time);
    snprintf(vol_u, sizeof vol_u, "%s^3", u->length);
    snprintf(inv_u, sizeof inv_u, "atoms^-1");
    io_ncfile *f;
    SR_TRY(io_ncfile_create(path, &f));
    int rc = SR_OK;
    const char *d_rep[] = {"replica"}, *d_rf[] = {"replica", "frame"}, *d_fr[] = {"frame"}, *d_sz[] = {"size"},
               *d_rs[] = {"replica", "size"};
#define TRY(e) do { if (!rc) rc = (e); } while (0)
    TRY(io_ncfile_put_att_text(f, NULL, "title", "seedrate brute-force MD nucleation rate (first-passage times)"));
    TRY(io_ncfile_put_att_text(f, NULL, "units_style", u->name));
    TRY(io_ncfile_put_att_text(f, NULL, "method",
                               "censored-exponential MLE k = n_reached / sum(t) at n_stop, J = k/<V>; mean first-passage "
                               "time tau(n) fitted by (tau_J/2)(1+erf(c(n-n*))) (Wedekind, Strey & Reguera, JCP 126, "
                               "134103, 2007), J_fit = 1/(tau_J <V>), Z = c/sqrt(pi)"));
    TRY(io_ncfile_def_dim(f, "replica", (size_t)b->nrep));
    TRY(io_ncfile_def_dim(f, "frame", (size_t)b->max_frames));
    TRY(io_ncfile_def_dim(f, "size", (size_t)w));
    TRY(io_ncfile_def_var(f, "n_max", IO_NC_INT, 2, d_rf, "atoms", "size of the largest crystalline cluster (-1: no frame)"));
    TRY(io_ncfile_def_var(f, "time", IO_NC_DOUBLE, 1, d_fr, u->time, "time since the start of the replica"));
    TRY(io_ncfile_def_var(f, "size", IO_NC_INT, 1, d_sz, "atoms", "cluster size n"));
    TRY(io_ncfile_def_var(f, "first_passage_time", IO_NC_DOUBLE, 2, d_rs, u->time,
                          "first time the largest cluster reached size n (NaN: never, or replica failed)"));
    TRY(io_ncfile_def_var(f, "reached", IO_NC_INT, 1, d_rep, "1", "1: the replica reached n_stop, 0: censored or failed"));
    TRY(io_ncfile_def_var(f, "failed", IO_NC_INT, 1, d_rep, "1", "1: the replica stopped by a numerical failure (not analysed)"));
    TRY(io_ncfile_def_var(f, "t_end", IO_NC_DOUBLE, 1, d_rep, u->time, "first-passage time at n_stop, or the censoring time"));
    TRY(io_ncfile_def_var(f, "volume", IO_NC_DOUBLE, 1, d_rep, vol_u, "mean box volume before the passage"));
    TRY(io_ncfile_def_var(f, "mfpt", IO_NC_DOUBLE, 1, d_sz, u->time,
                          "mean first-passage time tau(n) over the replicas that reached n"));
    TRY(io_ncfile_def_var(f, "mfpt_count", IO_NC_INT, 1, d_sz, "1", "replicas that reached n"));
    TRY(io_ncfile_def_var(f, "mfpt_model", IO_NC_DOUBLE, 1, d_sz, u->time, "fitted (tau_J/2)(1+erf(c(n-n*)))"));
    struct { const char *name, *unit, *ln; } sc[] = {
        {"temperature", u->temperature, "temperature"},
        {"pressure", u->pressure, "pressure (NPT target)"},
        {"n_stop", "atoms", "first-passage target size"},
        {"volume_mean", vol_u, "mean volume of the metastable liquid <V>"},
        {"fraction_reached", "1", "fraction of the analysed replicas that reached n_stop"},
        {"k_mle", k_u, "first-passage rate at n_stop, censored-exponential MLE n_reached/sum(t)"},
        {"k_mle_se", k_u, "standard error k/sqrt(n_reached)"},
        {"j_mle", rate_u, "nucleation rate J = k/<V>"},
        {"j_mle_se", rate_u, "standard error of J (J/sqrt(n_reached))"},
        {"j_mle_upper95", rate_u, "95% upper bound on J when no replica reached n_stop (else NaN)"},
        {"j_mle_boot_lo68", rate_u, "bootstrap over replicas, 68% interval, low"},
        {"j_mle_boot_hi68", rate_u, "bootstrap over replicas, 68% interval, high"},
        {"j_mle_boot_lo95", rate_u, "bootstrap over replicas, 95% interval, low"},
        {"j_mle_boot_hi95", rate_u, "bootstrap over replicas, 95% interval, high"},
        {"t_lag", u->time, "induction lag of the shifted-exponential fit (earliest passage time)"},
        {"j_lag", rate_u, "nucleation rate of the shifted-exponential fit, (n_reached-1)/sum(t - t_lag)/<V>"},
        {"j_lag_se", rate_u, "standard error of j_lag (j_lag/sqrt(n_reached-1))"},
        {"tau_j", u->time, "nucleation time tau_J of the MFPT fit"},
        {"tau_j_se", u->time, "standard error of tau_J (fit points taken independent)"},
        {"n_star", "atoms", "critical size n* of the MFPT fit"},
        {"n_star_se", "atoms", "standard error of n* (fit points taken independent)"},
        {"zeldovich", "1", "Zeldovich factor Z = c/sqrt(pi) of the MFPT fit"},
        {"zeldovich_se", "1", "standard error of Z (fit points taken independent)"},
        {"j_fit", rate_u, "nucleation rate 1/(tau_J <V>) of the MFPT fit"},
        {"j_fit_boot_lo68", rate_u, "bootstrap over replicas of J_fit, 68% interval, low"},
        {"j_fit_boot_hi68", rate_u, "bootstrap over replicas of J_fit, 68% interval, high"},
        {"n_star_boot_lo68", "atoms", "bootstrap over replicas of n*, 68% interval, low"},
        {"n_star_boot_hi68", "atoms", "bootstrap over replicas of n*, 68% interval, high"},
        {"zeldovich_boot_lo68", "1", "bootstrap over replicas of Z, 68% interval, low"},
        {"zeldovich_boot_hi68", "1", "bootstrap over replicas of Z, 68% interval, high"},
    };
    const int nsc = (int)(sizeof sc / sizeof *sc);
    for (int k = 0; k < nsc; k++) TRY(io_ncfile_def_var(f, sc[k].name, IO_NC_DOUBLE, 0, NULL, sc[k].unit, sc[k].ln));
    const double V = R->vmean, tot = (double)(R->nok ? R->nok : 1);
    const int fo = R->fit_ok, fb = R->fit_boot_ok, kb = R->k_boot_ok;
    const double val[] = {
        b->job.ip.temperature, b->job.ip.pressure, (double)b->bc.n_stop, V, (double)R->mle.n_reached / tot,
        R->mle.k, R->mle.k_err, R->mle.k / V, R->mle.k_err / V, R->mle.k_upper95 / V,
        kb ? R->k_boot.lo68 / V : NAN, kb ? R->k_boot.hi68 / V : NAN, kb ? R->k_boot.lo95 / V : NAN,
        kb ? R->k_boot.hi95 / V : NAN,
        R->lag_ok ? R->t_lag : NAN, R->lag_ok ? R->lag.k / V : NAN, R->lag_ok ? R->lag.k_err / V : NAN,
        fo ? R->mf.fit.tau_J : NAN, fo ? R->mf.fit.se_tau_J : NAN, fo ? R->mf.fit.n_star : NAN,
        fo ? R->mf.fit.se_n_star : NAN, fo ? R->mf.Z : NAN, fo ? R->mf.se_Z : NAN, fo ? 1.0 / (R->mf.fit.tau_J * V) : NAN,
        fb ? 1.0 / (R->tauJ_boot.hi68 * V) : NAN, fb ? 1.0 / (R->tauJ_boot.lo68 * V) : NAN,
        fb ? R->nstar_boot.lo68 : NAN, fb ? R->nstar_boot.hi68 : NAN, fb ? R->z_boot.lo68 : NAN,
        fb ? R->z_boot.hi68 : NAN};
    int *ibuf = malloc(((size_t)b->nrep * b->max_frames + (size_t)w + 16) * sizeof(int));
    double *dbuf = malloc(((size_t)b->nrep * w + (size_t)b->max_frames + 16) * sizeof(double));
    if (!ibuf || !dbuf) rc = rc ? rc : SR_ERROR(SR_ENOMEM, "out of memory");
    if (!rc) {
        for (long q = 0; q < b->nrep * b->max_frames; q++) ibuf[q] = (int)b->nmax1[q] - 1;
        TRY(io_ncfile_put_int(f, "n_max", NULL, NULL, ibuf));
        for (int q = 0; q < b->max_frames; q++) dbuf[q] = q * b->frame_time;
        TRY(io_ncfile_put_double(f, "time", NULL, NULL, dbuf));
        for (int n = 0; n < w; n++) ibuf[n] = n;
        TRY(io_ncfile_put_int(f, "size", NULL, NULL, ibuf));
        for (size_t q = 0; q < (size_t)b->nrep * w; q++) dbuf[q] = NAN;
        for (size_t i = 0; i < R->nok; i++)
            memcpy(dbuf + (size_t)R->ok_index[i] * w, R->tfp + i * w, (size_t)w * sizeof *dbuf);
        TRY(io_ncfile_put_double(f, "first_passage_time", NULL, NULL, dbuf));
        TRY(io_ncfile_put_int(f, "reached", NULL, NULL, R->reached));
        for (long r = 0; r < b->nrep; r++) ibuf[r] = b->status1[r] != 1;
        TRY(io_ncfile_put_int(f, "failed", NULL, NULL, ibuf));
        TRY(io_ncfile_put_double(f, "t_end", NULL, NULL, R->t_end));
        for (long r = 0; r < b->nrep; r++) dbuf[r] = b->vol_n[r] ? b->vol_sum[r] / b->vol_n[r] : NAN;
        TRY(io_ncfile_put_double(f, "volume", NULL, NULL, dbuf));
        TRY(io_ncfile_put_double(f, "mfpt", NULL, NULL, R->tau));
        TRY(io_ncfile_put_int(f, "mfpt_count", NULL, NULL, R->count));
        for (int n = 0; n < w; n++) dbuf[n] = fo ? cnt_mfpt_wsr_eval(&R->mf.fit, n) : NAN;
        TRY(io_ncfile_put_double(f, "mfpt_model", NULL, NULL, dbuf));
        for (int k = 0; k < nsc; k++) TRY(io_ncfile_put_double(f, sc[k].name, NULL, NULL, &val[k]));
        if (fo) {
            TRY(io_ncfile_put_att_double(f, "tau_j", "fit_min_size", R->mf.n_lo));
            TRY(io_ncfile_put_att_double(f, "tau_j", "fit_max_size", R->mf.n_hi));
        }
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

static int finish(brute *b, double wall)
{
    const int w = b->bc.n_stop + 1;
    const long nrep = b->nrep;
    const md_units *u = md_units_get(b->job.run.units);
    brute_results R;
    memset(&R, 0, sizeof R);
    R.tfp = malloc((size_t)nrep * w * sizeof *R.tfp);
    R.ok_index = malloc((size_t)nrep * sizeof *R.ok_index);
    R.t_end = malloc((size_t)nrep * sizeof *R.t_end);
    R.reached = calloc((size_t)nrep, sizeof *R.reached);
    R.tau = malloc((size_t)w * sizeof *R.tau);
    R.count = malloc((size_t)w * sizeof *R.count);
    int *nm = malloc((size_t)b->max_frames * sizeof *nm);
    double *t_ok = malloc((size_t)nrep * sizeof *t_ok);
    int *reached_ok = malloc((size_t)nrep * sizeof *reached_ok);
    int rc = (!R.tfp || !R.ok_index || !R.t_end || !R.reached || !R.tau || !R.count || !nm || !t_ok || !reached_ok)
                 ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    double vs = 0;
    long vn = 0;
    for (long r = 0; !rc && r < nrep; r++) {
        R.t_end[r] = NAN;
        if (b->status1[r] != 1) {
            R.nfailed++;
            continue;
        }
        const int nf = (int)b->nframes[r];
        for (int f = 0; f < nf; f++) nm[f] = (int)b->nmax1[r * b->max_frames + f] - 1;
        double *row = R.tfp + R.nok * w;
        rc = seed_brute_first_passage(nf, nm, b->frame_time, b->bc.n_stop, row);
        if (rc) break;
        R.reached[r] = isfinite(row[b->bc.n_stop]);
        R.t_end[r] = R.reached[r] ? row[b->bc.n_stop] : (nf - 1) * b->frame_time;
        t_ok[R.nok] = R.t_end[r];
        reached_ok[R.nok] = R.reached[r];
        R.ok_index[R.nok++] = r;
        vs += b->vol_sum[r];
        vn += b->vol_n[r];
    }
    if (!rc && R.nok == 0) rc = SR_ERROR(SR_EFAILED, "every replica failed: nothing to analyse (see the warnings above)");
    if (!rc) {
        R.vmean = vs / (double)(vn ? vn : 1);
        rc = cnt_brute_mle_fit(R.nok, t_ok, reached_ok, &R.mle);
    }
    if (!rc) rc = cnt_brute_mfpt_curve(R.nok, b->bc.n_stop, R.tfp, R.tau, R.count);
    if (rc) {
        results_free(&R);
        free(nm);
        free(t_ok);
        free(reached_ok);
        return rc;
    }
    gsl_rng *rb = sr_rng_create((uint64_t)b->job.run.seed, 0, SR_RNG_BOOTSTRAP);
    if (b->bc.nboot >= 2 && rb && R.mle.n_reached > 0)
        R.k_boot_ok = cnt_brute_mle_bootstrap(R.nok, t_ok, reached_ok, (size_t)b->bc.nboot, rb, &R.k_boot) == SR_OK;
    sr_error_clear();
    const double V = R.vmean, frac = (double)R.mle.n_reached / R.nok;

    printf("\n[brute] results: %zu replicas analysed (%zu failed), %zu reached n_stop = %d (fraction %.3f)\n", R.nok,
           R.nfailed, R.mle.n_reached, b->bc.n_stop, frac);
    printf("  mean liquid volume <V> = %.6g %s^3 (number density %.5g %s^-3)\n", V, u->length, b->natoms / V,
           u->length);
    printf("  1. censored-exponential MLE at n_stop: k = %zu / %.6g %s = %.5g %s^-1 +- %.2g\n", R.mle.n_reached,
           R.mle.t_sum, u->time, R.mle.k, u->time, R.mle.k_err);
    if (R.mle.n_reached > 0) {
        printf("    J = k/<V> = %.5g +- %.2g %s^-3 %s^-1 (standard error J/sqrt(n_reached))\n", R.mle.k / V,
               R.mle.k_err / V, u->length, u->time);
        if (R.k_boot_ok)
            printf("    bootstrap over replicas (%d resamples): 68%% [%.5g, %.5g], 95%% [%.5g, %.5g]\n", b->bc.nboot,
                   R.k_boot.lo68 / V, R.k_boot.hi68 / V, R.k_boot.lo95 / V, R.k_boot.hi95 / V);
        seed_job_print_log_rate(&b->job, "J_MLE", R.mle.k / V, R.k_boot_ok ? R.k_boot.lo68 / V : (R.mle.k - R.mle.k_err) / V,
                       R.k_boot_ok ? R.k_boot.hi68 / V : (R.mle.k + R.mle.k_err) / V);
    } else {
        printf("    no replica reached n_stop: J < %.5g %s^-3 %s^-1 (95%% upper bound)\n", R.mle.k_upper95 / V,
               u->length, u->time);
        seed_job_print_log_rate(&b->job, "J_upper95", R.mle.k_upper95 / V, NAN, NAN);
    }
    /* is the waiting exponential? an induction lag shows as passage times bunched after a delay */
    if (R.mle.n_reached >= 2) {
        double *tr = malloc(R.mle.n_reached * sizeof *tr);
        size_t m = 0;
        for (size_t i = 0; tr && i < R.nok; i++)
            if (reached_ok[i]) tr[m++] = t_ok[i];
        if (tr) {
            gsl_sort(tr, 1, m);
            const double mean = gsl_stats_mean(tr, 1, m), sd = gsl_stats_sd(tr, 1, m);
            printf("    passage times at n_stop: min %.4g, median %.4g, mean %.4g, max %.4g %s", tr[0],
                   gsl_stats_median_from_sorted_data(tr, 1, m), mean, tr[m - 1], u->time);
            if (m == R.nok)
                printf("; sd/mean = %.2f (1 for exponential waiting%s)", sd / mean,
                       sd / mean < 0.6 ? ": these are bunched, an induction lag is not negligible" : "");
            printf("\n");
        }
        free(tr);
        R.lag_ok = cnt_brute_mle_fit_lag(R.nok, t_ok, reached_ok, &R.lag, &R.t_lag) == SR_OK;
        sr_error_clear();
        if (R.lag_ok) {
            printf("    shifted exponential (lag t_lag = earliest passage = %.4g %s): k = %zu-1 / %.6g = %.5g %s^-1,\n"
                   "    J_lag = %.5g +- %.2g %s^-3 %s^-1\n", R.t_lag, u->time, R.lag.n_reached, R.lag.t_sum, R.lag.k,
                   u->time, R.lag.k / V, R.lag.k_err / V, u->length, u->time);
            seed_job_print_log_rate(&b->job, "J_lag", R.lag.k / V, (R.lag.k - R.lag.k_err) / V, (R.lag.k + R.lag.k_err) / V);
            printf("    (J_MLE counts the growth from n* to n_stop as waiting time, which biases it low; J_lag takes the\n"
                   "     earliest passage as pure lag, which biases it high when the waiting is short)\n");
        }
    }
    /* MFPT fit */
    const int nlo = b->bc.fit_min_size, nhi = b->bc.n_stop;
    printf("  2. mean first-passage time tau(n) (mean over the replicas that reached n) and the Wedekind fit:\n");
    if (R.count[nhi] == 0) {
        printf("    no replica reached n_stop: no fit\n");
    } else {
        R.fit_ok = cnt_brute_mfpt_fit(R.tau, nlo, nhi, &R.mf) == SR_OK;
        if (!R.fit_ok) printf("    fit failed: %s\n", sr_error_message());
        sr_error_clear();
    }
    if (R.fit_ok) {
        if (b->bc.nboot >= 2 && rb)
            R.fit_boot_ok = cnt_brute_mfpt_bootstrap(R.nok, b->bc.n_stop, R.tfp, nlo, nhi, (size_t)b->bc.nboot, rb,
                                                      &R.tauJ_boot, &R.nstar_boot, &R.z_boot, &R.fit_skipped) == SR_OK;
        sr_error_clear();
        const cnt_mfpt_fit *F = &R.mf.fit;
        printf("    fit on n = %d .. %d: tau_J = %.5g +- %.2g %s, n* = %.1f +- %.1f atoms, Z = c/sqrt(pi) = %.4g +- %.2g\n",
               nlo, nhi, F->tau_J, F->se_tau_J, u->time, F->n_star, F->se_n_star, R.mf.Z, R.mf.se_Z);
        printf("    J_fit = 1/(tau_J <V>) = %.5g %s^-3 %s^-1\n", 1.0 / (F->tau_J * V), u->length, u->time);
        if (R.fit_boot_ok)
            printf("    bootstrap over replicas (%d resamples, %zu skipped), 68%%: J_fit [%.5g, %.5g], n* [%.1f, %.1f], "
                   "Z [%.4g, %.4g]\n", b->bc.nboot, R.fit_skipped, 1.0 / (R.tauJ_boot.hi68 * V),
                   1.0 / (R.tauJ_boot.lo68 * V), R.nstar_boot.lo68, R.nstar_boot.hi68, R.z_boot.lo68, R.z_boot.hi68);
        seed_job_print_log_rate(&b->job, "J_fit", 1.0 / (F->tau_J * V), R.fit_boot_ok ? 1.0 / (R.tauJ_boot.hi68 * V) : NAN,
                       R.fit_boot_ok ? 1.0 / (R.tauJ_boot.lo68 * V) : NAN);
        printf("    the standard errors of the fit take the tau(n) as independent; the bootstrap is the honest error\n");
        if (frac < 0.9)
            printf("    WARNING: only %.0f%% of the replicas reached n_stop: tau(n) averages the fast ones only and\n"
                   "    underestimates tau_J (overestimates J_fit). Trust the MLE, or raise max_steps.\n", 100 * frac);
        if (F->n_star + 2.0 / R.mf.fit.c > nhi)
            printf("    WARNING: n* + 2/c = %.0f exceeds n_stop = %d: the plateau of tau(n) is not reached; raise n_stop\n",
                   F->n_star + 2.0 / F->c, nhi);
    }
    gsl_rng_free(rb);
    printf("    tau(n) at n = ");
    for (int k = 1; k <= 8; k++) {
        int n = (int)lround((double)nhi * k / 8);
        printf("%s%d: %.4g (%d)", k > 1 ? ", " : "", n, R.tau[n], R.count[n]);
    }
    printf(" [%s (replicas)]\n", u->time);
    rc = write_brute_nc(b, &R);
    printf("  wall time %.1f s; results in %s.brute.nc\n", wall, b->job.oc.prefix);
    results_free(&R);
    free(nm);
    free(t_ok);
    free(reached_ok);
    return rc;
}

/* ================================================================================================
 * Driver
 * ============================================================================================== */

int seed_brute_run(const char *file)
{
    brute B;
    memset(&B, 0, sizeof B);
    const int rank = seed_comm_rank(), size = seed_comm_size();
    sr_errlist el = {0};
    int rc = brute_parse(&B, file, &el);
    if (!rc) rc = seed_job_potential(&B.job, NULL, &el);
    if ((rc = seed_job_fail(&el, rc))) {
        brute_free(&B);
        return rc;
    }
    const double t0 = seed_now_s();
    if (rank == 0) rc = seed_job_make_outdir(&B.job);
    B.status1 = calloc((size_t)B.nrep, sizeof(long));
    B.nframes = calloc((size_t)B.nrep, sizeof(long));
    B.nmax1 = calloc((size_t)B.nrep * B.max_frames, sizeof(long));
    B.vol_sum = calloc((size_t)B.nrep, sizeof(double));
    B.vol_n = calloc((size_t)B.nrep, sizeof(long));
    if (!B.status1 || !B.nframes || !B.nmax1 || !B.vol_sum || !B.vol_n) rc = SR_ERROR(SR_ENOMEM, "out of memory");

    /* 1. the liquid, prepared on rank 0 and shared */
    md_system *prepared = NULL, *liq = NULL;
    if (rank == 0 && !rc) {
        const md_units *u = md_units_get(B.job.run.units);
        printf("seedrate brute: %s on %d rank%s\n", file, size, size > 1 ? "s" : "");
        printf("  %d replicas, T = %g %s, p = %g %s, dt %g %s; N_max every %ld steps (%g %s); stop at N_max >= %d or "
               "after %ld steps (%g %s)\n", B.bc.replicas, B.job.ip.temperature, u->temperature, B.job.ip.pressure,
               u->pressure, B.job.ip.dt, u->time, B.bc.analyze_every, B.frame_time, u->time, B.bc.n_stop,
               B.bc.max_steps, B.bc.max_steps * B.job.ip.dt, u->time);
        printf("  ");
        B.job.pot->cls->describe(B.job.pot->state, stdout);
        printf("  classifier: ");
        B.job.cls->cls->describe(B.job.cls->state, stdout);
        fflush(stdout);
        rc = prepare_liquid(&B, &prepared);
        fflush(stdout);
    }
    if (rank == 0 && rc) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
    const int rc_prep = rc;
    char lpath[4300];
    snprintf(lpath, sizeof lpath, "%s.liquid.ckpt", B.job.oc.prefix);
    rc = seed_share_system(lpath, rc, prepared, &liq);
    md_system_free(prepared);
    if (rc) {
        if (rank == 0 && !rc_prep) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
        brute_free(&B);
        return rc;
    }
    B.natoms = liq->n;

    /* 2. replicas through the shared counter */
    order_analyzer *an = NULL;
    rc = order_analyzer_create(B.job.cls, B.bc.cluster_cutoff, &an);
    seed_queue *q = NULL;
    if (!rc) rc = seed_queue_create(3, &q);
    int *nmax = malloc((size_t)B.max_frames * sizeof(int));
    if (!nmax && !rc) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    const double tloop = seed_now_s();
    while (!rc) {
        long r = seed_queue_fetch_add(q, 0, 1);
        if (r >= B.nrep) break;
        int nf = 0;
        double vs = 0;
        long vn = 0;
        int rrc = run_replica(&B, liq, an, r, nmax, &nf, &vs, &vn);
        if (rrc) {
            fprintf(stderr, "[brute] warning: replica %ld failed and is left out: %s\n", r, sr_error_message());
            sr_error_clear();
            B.status1[r] = 2;
            seed_queue_fetch_add(q, 2, 1);
        } else {
            B.status1[r] = 1;
            B.nframes[r] = nf;
            for (int f = 0; f < nf; f++) B.nmax1[r * B.max_frames + f] = nmax[f] + 1;
            B.vol_sum[r] = vs;
            B.vol_n[r] = vn;
            if (nmax[nf - 1] >= B.bc.n_stop) seed_queue_fetch_add(q, 1, 1);
        }
        {
            double el_t = seed_now_s() - tloop;
            printf("[brute] rank %d, replica %ld: %s after %d frames (%.4g %s) | reached %ld, failed %ld | %.0f s\n", rank, r,
                   rrc ? "failed" : (nmax[nf - 1] >= B.bc.n_stop ? "reached n_stop" : "censored"), nf,
                   (nf - 1) * B.frame_time, md_units_get(B.job.run.units)->time, seed_queue_read(q, 1),
                   seed_queue_read(q, 2), el_t);
            fflush(stdout);
        }
    }
    free(nmax);
    int any = seed_comm_any(rc);
    seed_queue_free(q);
    order_analyzer_free(an);
    md_system_free(liq);
    if (any) {
        fprintf(stderr, "seedrate: error (rank %d): %s\n", rank, rc ? sr_error_message() : "another rank failed");
        brute_free(&B);
        return rc ? rc : SR_EFAILED;
    }
    /* 3. gather (sums of disjoint contributions) */
    rc = seed_comm_allreduce_sum_long(B.status1, (int)B.nrep);
    if (!rc) rc = seed_comm_allreduce_sum_long(B.nframes, (int)B.nrep);
    if (!rc) rc = seed_comm_allreduce_sum_long(B.vol_n, (int)B.nrep);
    if (!rc) rc = seed_comm_allreduce_sum_double(B.vol_sum, (int)B.nrep);
    for (long off = 0; !rc && off < B.nrep * B.max_frames; off += 1 << 24) {
        long cnt = B.nrep * B.max_frames - off;
        if (cnt > 1 << 24) cnt = 1 << 24;
        rc = seed_comm_allreduce_sum_long(B.nmax1 + off, (int)cnt);
    }
    int status = rc;
    if (!rc && rank == 0) {
        status = finish(&B, seed_now_s() - t0);
        if (status) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
    }
    brute_free(&B);
    return status;
}
