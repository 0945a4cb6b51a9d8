/* cmd_ising.c - `seedrate ising`: nucleation rates of the 2D/3D Ising model by brute force and by seeding +
 * CNT, plus equilibrium magnetisation, as a cross-check of the seeding machinery on a model whose answers are
 * known. The lattice runs are src/kmc's; every number derived from them goes through the same cnt functions as
 * the MD pipeline: first passages -> cnt_brute_mle_fit (+ lag, bootstrap) and the tau(n) fit cnt_brute_mfpt_fit
 * (as `seedrate brute`), grow/melt counts -> cnt_pgrow_fit / cnt_pgrow_bracket / cnt_pgrow_bootstrap (as
 * `seedrate campaign`), cluster-size traces -> cnt_attach_fit_drift with cnt_attach_window_rule (the accuracy
 * protocol's drift-free f+), rates -> cnt_compute_dim. Replicas run serially on one rank.
 * Units: J = k_B = 1, time in MC sweeps (one attempted flip per site), rates per site per sweep. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>

#include "cli/cli.h"
#include "cnt/cnt.h"
#include "kmc/kmc.h"
#include "common/sr_error.h"
#include "common/sr_rng.h"

#define MAX_SIZES 64

typedef struct {
    int dim, L;
    double T, h;
    const char *mode;
    long replicas;
    unsigned long long seed;
    double t_equil, t_max, check, t_prod;
    long threshold;
    double sizes[MAX_SIZES];
    int nsizes;
    const char *shape;
    long grow, melt;
    long msd_replicas, msd_samples;
    double msd_dt, attach_skip;
    long fit_min, bootstrap;
    const char *dynamics;
    int start_up;
    double interfaces[MAX_SIZES];
    int ninterfaces;
    double lambda_a, flux_time;
    long flux_runs, trials;
} ising_opts;

static void usage(FILE *f)
{
    fprintf(f,
"usage: seedrate ising [options]\n"
"  Ising-model nucleation testbed (J = k_B = 1; time unit = 1 MC sweep = one attempted flip per site;\n"
"  rates per lattice site per sweep). n-fold-way kMC, periodic lattice, start all down in a field h > 0.\n"
"  The statistics are the MD pipeline's (cnt): censored-exponential MLE and tau(n) fit as `seedrate brute`,\n"
"  P_grow fit as `seedrate campaign`, drift-free f+ with the window rule, CNT rate in d dimensions.\n"
"  --dim 2|3            lattice dimension (square / simple cubic)              [2]\n"
"  --L N                sites per edge                                          [64 (2D), 24 (3D)]\n"
"  --T x                temperature, units of J/k_B                             [1.5]\n"
"  --h x                field, units of J (up favoured for h > 0)                [0.15]\n"
"  --mode M             bruteforce | seeding | magnetisation                    [bruteforce]\n"
"  --replicas N         bruteforce runs, or seeding trials per droplet size     [100]\n"
"  --dynamics D         glauber (heat bath) | metropolis                        [glauber]\n"
"  --seed S             campaign seed (streams: seed, replica, kMC)             [12345]\n"
"  --bootstrap N        resamples over replicas for the intervals (>= 2)       [1000]\n"
"  --t-equil x          sweeps of relaxation from all down before timing        [10]\n"
"  --t-max x            sweeps; later first passages are censored (bruteforce) [1e5 / 200]\n"
"                       or trials counted undecided (seeding; keep << MFPT)\n"
"  --check x            sweeps between cluster analyses (0 = every flip)        [0.5]\n"
"  bruteforce:\n"
"  --threshold N        largest-cluster size that counts as nucleated          [3 N*_CNT (2D), required 3D]\n"
"  --fit-min N          smallest size in the tau(n) fit (to --threshold)        [1]\n"
"  seeding:\n"
"  --sizes a,b,...      droplet sizes (spins)                                   [0.5..1.6 N*_CNT (2D), required 3D]\n"
"  --shape round|square circle/sphere or square/cube droplets                  [round]\n"
"  --grow N / --melt N  outcome thresholds on the largest cluster              [2n+20 / auto: max(n/4,\n"
"                       1.5 x largest background cluster + 1)]\n"
"  --msd-replicas N     droplets inserted at N_c for f+ (cluster-size traces)   [200]\n"
"  --msd-dt x           sweeps between trace samples                            [0.2]\n"
"  --msd-samples N      samples per trace (t = 0 included)                      [51]\n"
"  --attach-skip x      t_skip of the f+ window rule, sweeps                    [3 t_relax of the\n"
"                       (f+ = slope/2 of the replica variance of N(t) - N(0)    thermalised-size fit]\n"
"                       from t_skip until it exceeds 1/(pi Z^2))\n"
"  ffs (direct forward flux sampling on the largest up-cluster, cnt_ffs_* as `seedrate ffs`):\n"
"  --interfaces a,b,... lambda_0 < ... < lambda_n (spins); the last is the nucleated state  [required]\n"
"  --lambda-a x         basin A: largest cluster < x (crossings of lambda_0 count after A) [required]\n"
"  --flux-runs N        basin runs for the flux through lambda_0 (reset after reaching B)  [8]\n"
"  --flux-time x        sweeps per basin run (after --t-equil)                   [200]\n"
"  --trials N           trials from each interface (round robin over its configurations)  [100]\n"
"                       (a trial still undecided after --t-max sweeps counts as failed)\n"
"  magnetisation:\n"
"  --t-prod x           sweeps of averaging after --t-equil                     [2000]\n"
"  --start up|down      initial state                                           [down]\n"
"  --help               this text\n");
}

static int parse_double(const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !isfinite(v))
        return SR_ERROR(SR_EINVAL, "option %s: expected a number, got '%s'", opt, s);
    *out = v;
    return SR_OK;
}

static int parse_long(const char *opt, const char *s, long lo, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < lo)
        return SR_ERROR(SR_EINVAL, "option %s: expected an integer >= %ld, got '%s'", opt, lo, s);
    *out = v;
    return SR_OK;
}

static int parse_sizes(const char *s, ising_opts *o)
{
    char buf[1024];
    if (strlen(s) >= sizeof buf) return SR_ERROR(SR_EINVAL, "option --sizes: list too long");
    strcpy(buf, s);
    o->nsizes = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        long v = 0;
        if (o->nsizes == MAX_SIZES) return SR_ERROR(SR_EINVAL, "option --sizes: at most %d sizes", MAX_SIZES);
        SR_TRY(parse_long("--sizes", tok, 1, &v));
        o->sizes[o->nsizes++] = (double)v;
    }
    if (o->nsizes < 2) return SR_ERROR(SR_EINVAL, "option --sizes: need at least 2 sizes, got '%s'", s);
    return SR_OK;
}

static int parse_args(int argc, char **argv, ising_opts *o, int *help)
{
    *help = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            *help = 1;
            return SR_OK;
        }
        if (i + 1 >= argc) return SR_ERROR(SR_EINVAL, "option %s: missing value (see --help)", a);
        const char *v = argv[++i];
        long l = 0;
        double d = 0.0;
        if (!strcmp(a, "--dim")) {
            SR_TRY(parse_long(a, v, 2, &l));
            if (l != 2 && l != 3) return SR_ERROR(SR_EINVAL, "option --dim: expected 2 or 3, got %ld", l);
            o->dim = (int)l;
        } else if (!strcmp(a, "--L")) {
            SR_TRY(parse_long(a, v, 2, &l));
            o->L = (int)l;
        } else if (!strcmp(a, "--T")) {
            SR_TRY(parse_double(a, v, &o->T));
        } else if (!strcmp(a, "--h")) {
            SR_TRY(parse_double(a, v, &o->h));
        } else if (!strcmp(a, "--mode")) {
            if (strcmp(v, "bruteforce") && strcmp(v, "seeding") && strcmp(v, "ffs") && strcmp(v, "magnetisation") &&
                strcmp(v, "magnetization"))
                return SR_ERROR(SR_EINVAL, "option --mode: expected bruteforce, seeding, ffs or magnetisation, got '%s'",
                                v);
            o->mode = v;
        } else if (!strcmp(a, "--replicas")) {
            SR_TRY(parse_long(a, v, 1, &o->replicas));
        } else if (!strcmp(a, "--seed")) {
            SR_TRY(parse_long(a, v, 0, &l));
            o->seed = (unsigned long long)l;
        } else if (!strcmp(a, "--t-equil")) {
            SR_TRY(parse_double(a, v, &o->t_equil));
        } else if (!strcmp(a, "--t-max")) {
            SR_TRY(parse_double(a, v, &o->t_max));
            if (o->t_max == 0.0) o->t_max = -1.0; /* an explicit 0 is an error, not "default" */
        } else if (!strcmp(a, "--check")) {
            SR_TRY(parse_double(a, v, &o->check));
        } else if (!strcmp(a, "--t-prod")) {
            SR_TRY(parse_double(a, v, &o->t_prod));
        } else if (!strcmp(a, "--threshold")) {
            SR_TRY(parse_long(a, v, 1, &o->threshold));
        } else if (!strcmp(a, "--sizes")) {
            SR_TRY(parse_sizes(v, o));
        } else if (!strcmp(a, "--shape")) {
            if (strcmp(v, "round") && strcmp(v, "square"))
                return SR_ERROR(SR_EINVAL, "option --shape: expected round or square, got '%s'", v);
            o->shape = v;
        } else if (!strcmp(a, "--grow")) {
            SR_TRY(parse_long(a, v, 2, &o->grow));
        } else if (!strcmp(a, "--melt")) {
            SR_TRY(parse_long(a, v, 1, &o->melt));
        } else if (!strcmp(a, "--msd-replicas")) {
            SR_TRY(parse_long(a, v, 2, &o->msd_replicas));
        } else if (!strcmp(a, "--msd-samples")) {
            SR_TRY(parse_long(a, v, 4, &o->msd_samples));
        } else if (!strcmp(a, "--msd-dt")) {
            SR_TRY(parse_double(a, v, &d));
            o->msd_dt = d;
        } else if (!strcmp(a, "--attach-skip")) {
            SR_TRY(parse_double(a, v, &o->attach_skip));
            if (o->attach_skip < 0) return SR_ERROR(SR_EINVAL, "option --attach-skip: expected >= 0 sweeps, got %s", v);
        } else if (!strcmp(a, "--fit-min")) {
            SR_TRY(parse_long(a, v, 1, &o->fit_min));
        } else if (!strcmp(a, "--bootstrap")) {
            SR_TRY(parse_long(a, v, 2, &o->bootstrap));
        } else if (!strcmp(a, "--dynamics")) {
            if (strcmp(v, "glauber") && strcmp(v, "metropolis"))
                return SR_ERROR(SR_EINVAL, "option --dynamics: expected glauber or metropolis, got '%s'", v);
            o->dynamics = v;
        } else if (!strcmp(a, "--interfaces")) {
            char buf[1024];
            if (strlen(v) >= sizeof buf) return SR_ERROR(SR_EINVAL, "option --interfaces: list too long");
            strcpy(buf, v);
            o->ninterfaces = 0;
            for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
                if (o->ninterfaces == MAX_SIZES)
                    return SR_ERROR(SR_EINVAL, "option --interfaces: at most %d interfaces", MAX_SIZES);
                SR_TRY(parse_double(a, tok, &o->interfaces[o->ninterfaces++]));
            }
        } else if (!strcmp(a, "--lambda-a")) {
            SR_TRY(parse_double(a, v, &o->lambda_a));
        } else if (!strcmp(a, "--flux-time")) {
            SR_TRY(parse_double(a, v, &o->flux_time));
            if (!(o->flux_time > 0)) return SR_ERROR(SR_EINVAL, "option --flux-time: expected > 0 sweeps, got %s", v);
        } else if (!strcmp(a, "--flux-runs")) {
            SR_TRY(parse_long(a, v, 1, &o->flux_runs));
        } else if (!strcmp(a, "--trials")) {
            SR_TRY(parse_long(a, v, 1, &o->trials));
        } else if (!strcmp(a, "--start")) {
            if (strcmp(v, "up") && strcmp(v, "down"))
                return SR_ERROR(SR_EINVAL, "option --start: expected up or down, got '%s'", v);
            o->start_up = !strcmp(v, "up");
        } else {
            return SR_ERROR(SR_EINVAL, "unknown option '%s' (see seedrate ising --help)", a);
        }
    }
    if (o->t_max == 0.0) o->t_max = !strcmp(o->mode, "seeding") ? 200.0 : 1e5; /* not given: mode default */
    if (!(o->T > 0.0)) return SR_ERROR(SR_EINVAL, "option --T: temperature must be > 0 (units of J), got %g", o->T);
    if (!(o->t_max > 0.0) || o->t_equil < 0.0 || o->check < 0.0 || !(o->t_prod > 0.0) || !(o->msd_dt > 0.0))
        return SR_ERROR(SR_EINVAL, "times must be positive sweeps (t-max %g, t-equil %g, check %g, t-prod %g, "
                                   "msd-dt %g)", o->t_max, o->t_equil, o->check, o->t_prod, o->msd_dt);
    return SR_OK;
}

static enum kmc_ising_dynamics dynamics_of(const ising_opts *o)
{
    return strcmp(o->dynamics, "metropolis") ? KMC_ISING_GLAUBER : KMC_ISING_METROPOLIS;
}

/* Δμ = 2 h m_s: 2D exact (Yang); 3D measured at h = 0 from an all-up start on the same lattice. */
static int stable_magnetisation(const ising_opts *o, double *m_s)
{
    if (o->dim == 2) {
        *m_s = kmc_ising_spontaneous_m_2d(o->T);
        if (*m_s <= 0.0) return SR_ERROR(SR_EINVAL, "--T %g is not below T_c = %.6f: no nucleation", o->T,
                                         KMC_ISING_TC_2D);
        return SR_OK;
    }
    kmc_ising *m = kmc_ising_create(3, o->L, o->T, 0.0);
    if (!m) return sr_error_status();
    gsl_rng *rng = sr_rng_create(o->seed, 0xA11u, SR_RNG_KMC);
    kmc_ising_fill(m, 1);
    kmc_ising_averages av;
    int rc = rng ? kmc_ising_equilibrium(m, rng, 50.0, 200.0, 10, &av) : SR_ERROR(SR_ENOMEM, "no memory");
    if (rc == SR_OK) {
        *m_s = av.m;
        printf("measured m_s(T=%g, h=0) = %.5f +- %.5f (3D, L=%d, all-up start, 200 sweeps)\n", o->T, av.m,
               av.m_err, o->L);
        if (av.m < 0.5) rc = SR_ERROR(SR_EINVAL, "3D m_s = %.3f at T = %g: too close to or above T_c ~ 4.51",
                                      av.m, o->T);
    }
    gsl_rng_free(rng);
    kmc_ising_free(m);
    return rc;
}

static int run_magnetisation(const ising_opts *o)
{
    kmc_ising *m = kmc_ising_create(o->dim, o->L, o->T, o->h);
    if (!m) return sr_error_status();
    kmc_ising_set_dynamics(m, dynamics_of(o));
    gsl_rng *rng = sr_rng_create(o->seed, 0, SR_RNG_KMC);
    if (o->start_up) kmc_ising_fill(m, 1);
    kmc_ising_averages av;
    int rc = kmc_ising_equilibrium(m, rng, o->t_equil, o->t_prod, 20, &av);
    if (rc == SR_OK) {
        printf("equilibrium averages (time-weighted, 20 blocks), %zu kMC events:\n", av.events);
        printf("  <m>      = %.6f +- %.6f   (per spin)\n", av.m, av.m_err);
        printf("  <|m|>    = %.6f +- %.6f   (per spin)\n", av.abs_m, av.abs_m_err);
        printf("  <E>/N    = %.6f +- %.6f J (per spin)\n", av.e, av.e_err);
        if (o->dim == 2 && o->h == 0.0)
            printf("  exact (infinite lattice, Onsager/Yang): E/N = %.6f J, m_s = %.6f\n", kmc_ising_energy_2d(o->T),
                   kmc_ising_spontaneous_m_2d(o->T));
    }
    gsl_rng_free(rng);
    kmc_ising_free(m);
    return rc;
}

static void print_log_interval(const char *what, double v, const cnt_interval *iv, double scale)
{
    printf("  %-22s = %.5g per site per sweep (log10 %.3f; bootstrap 68%% [%.3f, %.3f], 95%% [%.3f, %.3f])\n", what,
           v, log10(v), log10(iv->lo68 * scale), log10(iv->hi68 * scale), log10(iv->lo95 * scale),
           log10(iv->hi95 * scale));
}

/* Brute force exactly as `seedrate brute` analyses MD replicas: first-passage rows tfp[r][n] of the largest
 * cluster, the censored-exponential MLE at the threshold (plain and lag-corrected, bootstrap over replicas),
 * and the Wedekind-Strey-Reguera fit of the MFPT curve tau(n). Rates per site: divide by the number of sites. */
static int run_bruteforce(const ising_opts *o, const kmc_ising_params *p, double m_s)
{
    const double nsites = (double)o->L * o->L * (o->dim == 3 ? o->L : 1);
    size_t thr = (size_t)o->threshold;
    if (o->threshold <= 0) {
        if (o->dim == 3) return SR_ERROR(SR_EINVAL, "3D bruteforce needs --threshold (cluster size well above N_c)");
        double dmu = 2.0 * o->h * m_s, nstar = kmc_ising_wulff_area(o->T) / (dmu * dmu);
        thr = (size_t)fmax(30.0, ceil(3.0 * nstar));
        printf("threshold = %zu spins (3 x CNT N* = %.1f, exact Wulff σ)\n", thr, nstar);
    }
    if ((size_t)o->fit_min + 3 > thr)
        return SR_ERROR(SR_EINVAL, "--fit-min %ld leaves fewer than 4 sizes below the threshold %zu", o->fit_min, thr);
    const size_t n = (size_t)o->replicas, w = thr + 1;
    double *tfp = malloc(n * w * sizeof *tfp), *t = malloc(n * sizeof *t), *tau = malloc(w * sizeof *tau);
    int *reached = malloc(n * sizeof *reached), *count = malloc(w * sizeof *count);
    gsl_rng *rb = sr_rng_create(o->seed, 0, SR_RNG_BOOTSTRAP);
    int rc = tfp && t && tau && reached && count && rb ? SR_OK : SR_ERROR(SR_ENOMEM, "out of memory for %zu replicas", n);
    if (rc == SR_OK) rc = kmc_ising_first_passage(p, thr, 0, n, tfp);
    for (size_t r = 0; rc == SR_OK && r < n; r++) {
        reached[r] = isfinite(tfp[r * w + thr]);
        t[r] = reached[r] ? tfp[r * w + thr] : o->t_max; /* censored at t_max */
    }
    cnt_brute_mle mle, lag;
    double t_lag = 0;
    if (rc == SR_OK) rc = cnt_brute_mle_fit(n, t, reached, &mle);
    if (rc == SR_OK && mle.n_reached == 0)
        rc = SR_ERROR(SR_EFAILED, "none of %zu replicas nucleated before t_max = %g sweeps (rate < %.3g per site per "
                                  "sweep, 95%%); raise --t-max or the field", n, o->t_max, mle.k_upper95 / nsites);
    if (rc == SR_OK) {
        printf("brute force: %zu of %zu replicas reached N_max >= %zu within %g sweeps\n", mle.n_reached,
               mle.n_total, thr, o->t_max);
        printf("  MFPT <tau> = 1/k      = %.5g +- %.2g sweeps (censored-exponential MLE, cnt_brute_mle_fit)\n",
               1.0 / mle.k, 1.0 / mle.k / sqrt((double)mle.n_reached));
        printf("  rate I = k/N          = %.5g +- %.2g per site per sweep (log10 %.3f)\n", mle.k / nsites,
               mle.k_err / nsites, log10(mle.k / nsites));
        cnt_interval kb;
        if (o->bootstrap >= 2 && cnt_brute_mle_bootstrap(n, t, reached, (size_t)o->bootstrap, rb, &kb) == SR_OK)
            print_log_interval("I (MLE)", mle.k / nsites, &kb, 1.0 / nsites);
        sr_error_clear();
        if (cnt_brute_mle_fit_lag(n, t, reached, &lag, &t_lag) == SR_OK)
            printf("  lag-corrected MLE     = %.5g +- %.2g per site per sweep (log10 %.3f), lag %.3g sweeps\n",
                   lag.k / nsites, lag.k_err / nsites, log10(lag.k / nsites), t_lag);
        else
            printf("  lag-corrected MLE     : %s\n", sr_error_message());
        sr_error_clear();
        /* tau(n) and its WSR fit; unbiased only where (nearly) all replicas reached n */
        rc = cnt_brute_mfpt_curve(n, (int)thr, tfp, tau, count);
        cnt_brute_mfpt mf;
        if (rc == SR_OK && count[thr] == (int)n && cnt_brute_mfpt_fit(tau, (int)o->fit_min, (int)thr, &mf) == SR_OK) {
            printf("  MFPT curve fit (WSR) on n = %ld..%zu: tau_J = %.5g sweeps, n* = %.2f, Z = %.4f\n", o->fit_min, thr,
                   mf.fit.tau_J, mf.fit.n_star, mf.Z);
            printf("  rate I = 1/(tau_J N)  = %.5g per site per sweep (log10 %.3f)\n", 1.0 / (mf.fit.tau_J * nsites),
                   -log10(mf.fit.tau_J * nsites));
            cnt_interval it, ins, iz;
            size_t skipped = 0;
            if (o->bootstrap >= 2 &&
                cnt_brute_mfpt_bootstrap(n, (int)thr, tfp, (int)o->fit_min, (int)thr, (size_t)o->bootstrap, rb, &it,
                                         &ins, &iz, &skipped) == SR_OK)
                printf("    bootstrap 68%%: log10 I [%.3f, %.3f], n* [%.2f, %.2f], Z [%.4f, %.4f] (%zu resamples "
                       "skipped)\n", -log10(it.hi68 * nsites), -log10(it.lo68 * nsites), ins.lo68, ins.hi68, iz.lo68,
                       iz.hi68, skipped);
        } else if (rc == SR_OK) {
            printf("  MFPT curve fit        : %s\n", count[thr] < (int)n ? "skipped (censored replicas bias tau(n))"
                                                                      : sr_error_message());
        }
        sr_error_clear();
    }
    free(tfp);
    free(t);
    free(tau);
    free(reached);
    free(count);
    gsl_rng_free(rb);
    return rc;
}

static void print_cnt(const char *title, int dim, const cnt_inputs *in, const cnt_result *c, double sd_log10)
{
    printf("%s\n", title);
    printf("  Δμ = 2 h m_s         = %.6f J per spin\n", fabs(in->dmu));
    printf("  N_c                  = %.2f spins\n", in->n_c);
    printf("  ΔG*                  = %.4f J = %.3f k_B T\n", c->dG_star, c->beta_dG);
    printf("  Zeldovich Z          = %.5f\n", c->zeldovich);
    printf("  f+                   = %.4g per sweep\n", in->f_plus);
    printf("  γ implied by N_c     = %.4f J per lattice spacing%s\n", c->gamma, dim == 2 ? "" : "²");
    printf("  J = Z f+ exp(-ΔG* / T) = %.5g per site per sweep (log10 %.3f", c->J, c->log10_J);
    if (sd_log10 > 0) printf(" +- %.3f", sd_log10);
    printf(")\n");
}

/* Grow/melt counts at each droplet size, fitted as a campaign's: cnt_pgrow_fit, or the bracket when the outcomes
 * are separated; interval by cnt_pgrow_bootstrap. *n_c_sd is the 68% half-width (bracket: uniform sd). */
static int fit_pgrow(const ising_opts *o, int nsizes, const double *sizes, const unsigned *ngrow,
                     const unsigned *ntotal, gsl_rng *rb, double *n_c, double *n_c_lo, double *n_c_hi)
{
    cnt_logistic_fit fit;
    int rc = cnt_pgrow_fit((size_t)nsizes, sizes, ngrow, ntotal, 1e-10, 100, &fit);
    if (rc == SR_OK) {
        *n_c = fit.x_c;
        *n_c_lo = fit.x_c - fit.se_x_c;
        *n_c_hi = fit.x_c + fit.se_x_c;
        printf("P_grow fit (cnt_pgrow_fit) 1/(1 + exp(-(n - N_c)/w)): N_c = %.2f +- %.2f spins (Fisher), w = %.2f spins\n",
               fit.x_c, fit.se_x_c, fit.w);
        cnt_interval iv;
        size_t skipped = 0;
        if (o->bootstrap >= 2 && cnt_pgrow_bootstrap((size_t)nsizes, sizes, ngrow, ntotal, (size_t)o->bootstrap, rb,
                                                     1e-10, 100, &iv, NULL, &skipped) == SR_OK) {
            printf("  bootstrap over replicas: N_c median %.2f, 68%% [%.2f, %.2f], 95%% [%.2f, %.2f] (%zu skipped)\n",
                   iv.median, iv.lo68, iv.hi68, iv.lo95, iv.hi95, skipped);
            *n_c_lo = iv.lo68;
            *n_c_hi = iv.hi68;
        }
        sr_error_clear();
        return SR_OK;
    }
    double lo, hi;
    if (rc != SR_ENUMERIC || cnt_pgrow_bracket((size_t)nsizes, sizes, ngrow, ntotal, &lo, &hi) != SR_OK) return rc;
    sr_error_clear();
    *n_c = 0.5 * (lo + hi);
    double sd = (hi - lo) / sqrt(12.0);
    *n_c_lo = *n_c - sd;
    *n_c_hi = *n_c + sd;
    printf("P_grow: outcomes separated, N_c BRACKETED (cnt_pgrow_bracket) in [%g, %g]: N_c = %.2f +- %.2f (uniform sd)\n",
           lo, hi, *n_c, sd);
    return SR_OK;
}

/* f+ of droplets inserted at N_c, by the accuracy protocol of the MD pipeline: replica variance of N(t) - N(0)
 * (drift-free, fitted with the barrier-top form of cnt_attach_fit_barrier), window from cnt_attach_window_rule (t_skip = 3 t_relax of cnt_thermalised_size of the mean
 * trace unless --attach-skip; t1 where the variance leaves the barrier top, var_top = 1/(pi Z^2)). */
static int attachment(const ising_opts *o, const kmc_ising_params *p, enum kmc_ising_shape shape, const cnt_inputs *in,
                      gsl_rng *rb, double *f_plus, cnt_interval *f_iv, int *have_iv)
{
    const size_t nc = (size_t)fmax(1.0, round(in->n_c)), ns = (size_t)o->msd_samples, R = (size_t)o->msd_replicas;
    double *N = malloc(R * ns * sizeof *N), *t = malloc(ns * sizeof *t), *var = malloc(ns * sizeof *var);
    double *mean = calloc(ns, sizeof *mean);
    int rc = N && t && var && mean ? SR_OK : SR_ERROR(SR_ENOMEM, "out of memory");
    if (rc == SR_OK) rc = kmc_ising_size_traces(p, shape, nc, o->msd_dt, ns, 0, R, N);
    for (size_t k = 0; rc == SR_OK && k < ns; k++) {
        t[k] = (double)k * o->msd_dt;
        for (size_t r = 0; r < R; r++) mean[k] += N[r * ns + k] / (double)R;
    }
    if (rc == SR_OK) rc = cnt_attach_var(R, ns, N, var);
    double t_skip = o->attach_skip, t0 = 0, t1 = 0;
    if (rc == SR_OK && t_skip < 0) {
        cnt_thermal_fit th;
        int ok = cnt_thermalised_size(ns, t, mean, &th) == SR_OK;
        if (ok) printf("thermalised droplet (cnt_thermalised_size of the mean trace): N_th = %.2f, t_relax = %.3g sweeps, "
                       "drift %.3g per sweep\n", th.n_th, th.t_relax, th.drift);
        else printf("thermalised-size fit failed: %s\n", sr_error_message());
        /* t_relax at the top of its search range [t1/4, t_end/2]: no relaxation is resolved within the traces (a
         * round droplet at N_c keeps its size on average) and 3 t_relax would leave no window */
        if (ok && th.t_relax < 0.499 * t[ns - 1]) {
            t_skip = 3.0 * th.t_relax;
            printf("  t_skip = 3 t_relax = %.3g sweeps\n", t_skip);
        } else {
            t_skip = 1.0;
            printf("  relaxation not resolved: t_skip = 1 sweep (--attach-skip to choose)\n");
        }
        sr_error_clear();
    }
    cnt_result z;
    cnt_inputs zin = *in;
    zin.f_plus = 1.0; /* Z does not depend on f+ */
    if (rc == SR_OK) rc = cnt_compute_dim(o->dim, &zin, &z);
    const double var_top = 1.0 / (M_PI * z.zeldovich * z.zeldovich);
    if (rc == SR_OK) rc = cnt_attach_window_rule(ns, t, var, t_skip, var_top, 3, &t0, &t1);
    cnt_attach_fit af, am;
    if (rc == SR_OK) rc = cnt_attach_fit_barrier(R, ns, t, N, t0, t1, var_top, &af);
    if (rc == SR_OK) {
        *f_plus = af.f_plus;
        printf("cluster-size traces at n = %zu (%zu runs, %zu samples every %g sweeps): Var(ΔN) = %.2f at %.2f sweeps, "
               "mean ΔN = %.2f\n", nc, R, ns, o->msd_dt, var[ns - 1], t[ns - 1], mean[ns - 1] - mean[0]);
        printf("  window rule: [%.3g, %.3g] sweeps (%zu points; var_top = 1/(π Z²) = %.3g)\n", af.t0, af.t1,
               af.n_points, var_top);
        printf("  f+ from Var(ΔN) on the barrier top (cnt_attach_fit_barrier) = %.4g +- %.2g per sweep, drift %.3g per sweep\n",
               af.f_plus, af.se_f_plus, af.drift);
        size_t skipped = 0;
        *have_iv = o->bootstrap >= 2 && cnt_attach_bootstrap_barrier(R, ns, t, N, t0, t1, var_top, (size_t)o->bootstrap,
                                                                     rb, f_iv, &skipped) == SR_OK;
        if (*have_iv)
            printf("  bootstrap over replicas: f+ 68%% [%.4g, %.4g], 95%% [%.4g, %.4g]\n", f_iv->lo68, f_iv->hi68,
                   f_iv->lo95, f_iv->hi95);
        sr_error_clear();
        /* the plain MSD estimator on the same window (diagnostic: it includes the drift^2 t^2 term) */
        if (cnt_attach_fit_msd(R, ns, t, N, t0, t1, &am) == SR_OK)
            printf("  (diagnostic) MSD <ΔN²> on the same window (cnt_attach_fit_msd): f+ = %.4g per sweep\n", am.f_plus);
        sr_error_clear();
    }
    free(N);
    free(t);
    free(var);
    free(mean);
    return rc;
}

static int run_seeding(const ising_opts *o, const kmc_ising_params *p, double m_s)
{
    enum kmc_ising_shape shape = strcmp(o->shape, "square") ? KMC_ISING_ROUND : KMC_ISING_SQUARE;
    double dmu = 2.0 * o->h * m_s;
    double W = o->dim == 2 ? kmc_ising_wulff_area(o->T) : 0.0;
    ising_opts so = *o;
    if (so.nsizes == 0) {
        if (o->dim == 3) return SR_ERROR(SR_EINVAL, "3D seeding needs --sizes a,b,... (droplet sizes around N_c)");
        double nstar = W / (dmu * dmu);
        so.nsizes = 8;
        for (int i = 0; i < so.nsizes; i++) so.sizes[i] = fmax(2.0, round(nstar * (0.5 + i * 1.1 / 7.0)));
    }
    unsigned ngrow[MAX_SIZES], ntotal[MAX_SIZES];
    int *outcome = malloc((size_t)o->replicas * sizeof *outcome);
    gsl_rng *rb = sr_rng_create(o->seed, 1, SR_RNG_BOOTSTRAP);
    if (!outcome || !rb) {
        free(outcome);
        gsl_rng_free(rb);
        return SR_ERROR(SR_ENOMEM, "out of memory");
    }
    printf("seeding: %ld trials per size, outcome = largest cluster >= grow or <= melt\n", o->replicas);
    printf("  %8s %8s %8s %8s %8s %8s   (melt<= 0: automatic)\n", "n", "grow>=", "melt<=", "grown", "melted",
           "undec.");
    int rc = SR_OK;
    for (int i = 0; i < so.nsizes && rc == SR_OK; i++) {
        size_t n = (size_t)so.sizes[i];
        size_t g = o->grow > 0 ? (size_t)o->grow : 2 * n + 20;
        size_t mlt = o->melt > 0 ? (size_t)o->melt : 0; /* 0: automatic, above the background clusters */
        if (mlt >= n) mlt = n - 1;
        rc = kmc_ising_seed_trials(p, shape, n, g, mlt, 0, (size_t)o->replicas, outcome);
        unsigned gr = 0, me = 0, un = 0;
        for (long r = 0; r < o->replicas && rc == SR_OK; r++) {
            gr += outcome[r] == 1;
            me += outcome[r] == 0;
            un += outcome[r] == -1;
        }
        ngrow[i] = gr;
        ntotal[i] = gr + me; /* undecided trials carry no outcome (as in a campaign) */
        if (rc == SR_OK) printf("  %8zu %8zu %8zu %8u %8u %8u\n", n, g, mlt, gr, me, un);
        fflush(stdout); /* progress of long runs shows up in redirected output */
    }
    free(outcome);
    double n_c = 0, n_lo = 0, n_hi = 0, f_plus = 0;
    if (rc == SR_OK) rc = fit_pgrow(o, so.nsizes, so.sizes, ngrow, ntotal, rb, &n_c, &n_lo, &n_hi);
    cnt_inputs in = {.n_c = n_c, .dmu = -dmu, .rho_s = 1.0, .rho_l = 1.0, .f_plus = 1.0, .kT = o->T};
    cnt_interval f_iv;
    int have_f_iv = 0;
    if (rc == SR_OK) rc = attachment(o, p, shape, &in, rb, &f_plus, &f_iv, &have_f_iv);
    gsl_rng_free(rb);
    SR_TRY(rc);

    in.f_plus = f_plus;
    cnt_result c, clo, chi;
    SR_TRY(cnt_compute_dim(o->dim, &in, &c));
    /* J falls monotonically with N_c, so the N_c interval maps onto a log10 J interval; the f+ interval adds in
     * quadrature (independent runs) */
    double sd_n = 0, sd_f = 0;
    cnt_inputs e = in;
    e.n_c = n_lo;
    if (n_lo > 0 && cnt_compute_dim(o->dim, &e, &clo) == SR_OK) {
        e.n_c = n_hi;
        if (cnt_compute_dim(o->dim, &e, &chi) == SR_OK) sd_n = 0.5 * fabs(clo.log10_J - chi.log10_J);
    }
    sr_error_clear();
    if (have_f_iv && f_iv.lo68 > 0) sd_f = 0.5 * log10(f_iv.hi68 / f_iv.lo68);
    print_cnt("seeding CNT (cnt_compute_dim; N_c from P_grow, γ implied by N_c):", o->dim, &in, &c,
              sqrt(sd_n * sd_n + sd_f * sd_f));
    printf("  error of log10 J: %.3f from N_c, %.3f from f+\n", sd_n, sd_f);
    if (o->dim == 2) {
        printf("  exact Wulff σ_eff = %.4f, Onsager σ(0) = %.4f\n", sqrt(W / M_PI), kmc_ising_onsager_sigma(o->T));
        cnt_inputs we = in;
        we.n_c = W / (dmu * dmu);
        SR_TRY(cnt_compute_dim(2, &we, &c));
        print_cnt("CNT with the exact 2D surface free energy 2 sqrt(W N) (Wulff; f+ as measured at N_c):", 2, &we, &c,
                  0.0);
    }
    return SR_OK;
}

/* ---- direct forward flux sampling (as `seedrate ffs`: cnt_ffs_* for the bookkeeping and the statistics) ---- */

/* One state of a run: the spins at a crossing, and the index of its ancestor at lambda_0. */
typedef struct ffs_store {
    signed char *spins; /* [n * nsites] */
    long *root;
    long n, cap;
} ffs_store;

static int ffs_store_add(ffs_store *st, const signed char *spins, size_t nsites, long root)
{
    if (st->n == st->cap) {
        long cap = st->cap ? 2 * st->cap : 64;
        signed char *s = realloc(st->spins, (size_t)cap * nsites);
        if (!s) return SR_ERROR(SR_ENOMEM, "ffs: out of memory for %ld configurations", cap);
        st->spins = s;
        long *r = realloc(st->root, (size_t)cap * sizeof *r);
        if (!r) return SR_ERROR(SR_ENOMEM, "ffs: out of memory for %ld configurations", cap);
        st->root = r;
        st->cap = cap;
    }
    memcpy(st->spins + (size_t)st->n * nsites, spins, nsites);
    st->root[st->n++] = root;
    return SR_OK;
}

/* All down, t_equil sweeps of relaxation in the metastable phase (not counted), clock 0. */
static int ffs_relax(kmc_ising *m, gsl_rng *rng, double t_equil)
{
    kmc_ising_fill(m, -1);
    kmc_ising_set_time(m, 0.0);
    int rc = kmc_ising_advance(m, rng, t_equil);
    kmc_ising_set_time(m, 0.0);
    return rc;
}

/* Direct FFS on lambda = the largest up-cluster, analysed every --check sweeps (as the brute-force first passages):
 * basin runs r (stream (seed, 0xF4 << 56 | r)) count first crossings of lambda_0 after a visit to A and restart
 * from the relaxed metastable state when they reach the last interface (so Phi_0 prod P_i estimates
 * 1/MFPT of brute force); trial t of stage i (stream (seed, 0xF5 << 56 | (i+1) << 32 | t)) from configuration
 * t mod N_i until it reaches lambda_{i+1} or falls back into A. Rates per site: divide by the number of sites. */
static int run_ffs(const ising_opts *o, const kmc_ising_params *p)
{
    const int nl = o->ninterfaces, ns = nl - 1;
    const double *lam = o->interfaces;
    char msg[256];
    if (nl < 2) return SR_ERROR(SR_EINVAL, "mode ffs needs --interfaces lambda_0,...,lambda_n (at least two)");
    if (!isfinite(o->lambda_a)) return SR_ERROR(SR_EINVAL, "mode ffs needs --lambda-a (the basin: largest cluster < x)");
    if (cnt_ffs_check_interfaces(o->lambda_a, lam, nl, msg, sizeof msg))
        return SR_ERROR(SR_EINVAL, "option --interfaces: %s", msg);
    const size_t nsites = (size_t)o->L * o->L * (o->dim == 3 ? o->L : 1);
    if (lam[nl - 1] > (double)nsites / 2)
        return SR_ERROR(SR_EINVAL, "option --interfaces: the last one (%g) is more than half the %zu sites", lam[nl - 1],
                        nsites);
    kmc_ising *m = kmc_ising_create(o->dim, o->L, o->T, o->h);
    if (!m) return sr_error_status();
    int rc = kmc_ising_set_dynamics(m, p->dynamics);
    const int R = (int)o->flux_runs;
    const long M = o->trials;
    ffs_store cur = {0}, next = {0};
    long *run_cross = calloc((size_t)R, sizeof *run_cross), trials[MAX_SIZES] = {0}, succ[MAX_SIZES] = {0},
         undecided[MAX_SIZES] = {0}, nconf[MAX_SIZES] = {0};
    double *run_time = calloc((size_t)R, sizeof *run_time);
    long *troot[MAX_SIZES] = {0};
    unsigned char *tsucc[MAX_SIZES] = {0};
    for (int i = 0; i < ns && rc == SR_OK; i++) {
        troot[i] = malloc((size_t)M * sizeof(long));
        tsucc[i] = calloc((size_t)M, 1);
        if (!troot[i] || !tsucc[i]) rc = SR_ERROR(SR_ENOMEM, "ffs: out of memory");
    }
    if (!run_cross || !run_time) rc = rc ? rc : SR_ERROR(SR_ENOMEM, "ffs: out of memory");
    printf("ffs: basin A = largest cluster < %g; interfaces", o->lambda_a);
    for (int i = 0; i < nl; i++) printf(" %g", lam[i]);
    printf("; %d basin runs x %g sweeps, %ld trials per interface\n", R, o->flux_time, M);
    long nreset = 0;
    for (int r = 0; r < R && rc == SR_OK; r++) {
        gsl_rng *rng = sr_rng_create(o->seed, ((uint64_t)0xF4 << 56) | (uint64_t)r, SR_RNG_KMC);
        if (!rng) rc = SR_ERROR(SR_ENOMEM, "ffs: cannot allocate a random stream");
        cnt_ffs_basin b;
        cnt_ffs_basin_init(&b, o->lambda_a, lam[0], lam[nl - 1]);
        double done = 0.0, next_check = 0.0; /* A-state time of the finished segments */
        if (rc == SR_OK) rc = ffs_relax(m, rng, o->t_equil);
        while (rc == SR_OK && done + kmc_ising_time(m) < o->flux_time) {
            if (kmc_ising_time(m) >= next_check) {
                const int ev = cnt_ffs_basin_observe(&b, (double)kmc_ising_largest_cluster(m));
                if (ev == CNT_FFS_CROSSED) {
                    rc = ffs_store_add(&cur, kmc_ising_spins(m), nsites, cur.n);
                    run_cross[r]++;
                } else if (ev == CNT_FFS_REACHED_B) {
                    done += kmc_ising_time(m);
                    nreset++;
                    cnt_ffs_basin_init(&b, o->lambda_a, lam[0], lam[nl - 1]);
                    rc = ffs_relax(m, rng, o->t_equil);
                    next_check = 0.0;
                    continue;
                }
                next_check = o->check > 0 ? next_check + o->check * floor((kmc_ising_time(m) - next_check) / o->check + 1.0)
                                          : kmc_ising_time(m);
            }
            if (rc == SR_OK) rc = kmc_ising_step(m, rng, NULL);
        }
        run_time[r] = done + kmc_ising_time(m);
        gsl_rng_free(rng);
    }
    long ncross = 0;
    double tA = 0;
    for (int r = 0; r < R; r++) ncross += run_cross[r], tA += run_time[r];
    nconf[0] = cur.n;
    if (rc == SR_OK)
        printf("  flux: N_0 = %ld first crossings of lambda_0 = %g in T_A = %.6g sweeps (%ld restarts after reaching "
               "the last interface): Phi_0 = %.5g per sweep per lattice\n", ncross, lam[0], tA, nreset, ncross / tA);
    const long nroots = cur.n;
    for (int i = 0; i < ns && rc == SR_OK && cur.n > 0; i++) {
        next.n = 0;
        for (long t = 0; t < M && rc == SR_OK; t++) {
            const long c = t % cur.n;
            gsl_rng *rng = sr_rng_create(o->seed, ((uint64_t)0xF5 << 56) | ((uint64_t)(i + 1) << 32) | (uint64_t)t,
                                         SR_RNG_KMC);
            if (!rng) rc = SR_ERROR(SR_ENOMEM, "ffs: cannot allocate a random stream");
            if (rc == SR_OK) rc = kmc_ising_set_spins(m, cur.spins + (size_t)c * nsites);
            kmc_ising_set_time(m, 0.0);
            int ev = CNT_FFS_NONE;
            double next_check = 0.0;
            while (rc == SR_OK) {
                if (kmc_ising_time(m) >= next_check) {
                    ev = cnt_ffs_trial_observe((double)kmc_ising_largest_cluster(m), o->lambda_a, lam[i + 1]);
                    if (ev != CNT_FFS_NONE) break;
                    next_check = o->check > 0 ? next_check + o->check * floor((kmc_ising_time(m) - next_check) / o->check + 1.0)
                                              : kmc_ising_time(m);
                }
                if (kmc_ising_time(m) >= o->t_max) break;
                rc = kmc_ising_step(m, rng, NULL);
            }
            gsl_rng_free(rng);
            troot[i][t] = cur.root[c];
            trials[i]++;
            if (ev == CNT_FFS_SUCCESS) {
                succ[i]++;
                tsucc[i][t] = 1;
                if (rc == SR_OK && i + 1 < ns) rc = ffs_store_add(&next, kmc_ising_spins(m), nsites, cur.root[c]);
            } else if (ev == CNT_FFS_NONE) {
                undecided[i]++;
            }
        }
        if (rc == SR_OK) {
            printf("  stage %d: lambda %g -> %g: %ld configurations, %ld trials, %ld successes (%ld undecided at --t-max), "
                   "P = %.5g\n", i, lam[i], lam[i + 1], cur.n, trials[i], succ[i], undecided[i],
                   (double)succ[i] / trials[i]);
            fflush(stdout);
        }
        ffs_store tmp = cur;
        cur = next;
        next = tmp;
        if (i + 1 < ns) nconf[i + 1] = cur.n;
    }
    cnt_ffs_result res;
    if (rc == SR_OK && !(tA > 0)) rc = SR_ERROR(SR_EFAILED, "ffs: the basin runs have no time");
    if (rc == SR_OK) rc = cnt_ffs_estimate(ncross, tA, ns, trials, succ, &res);
    if (rc == SR_OK && res.k > 0) {
        const double N = (double)nsites;
        printf("  k = Phi_0 prod P_i = %.5g per sweep per lattice; MFPT 1/k = %.5g sweeps; relative variance %.3g\n",
               res.k, 1.0 / res.k, res.rel_var);
        printf("  rate I = k/N          = %.5g per site per sweep (log10 %.3f; analytic 68%% [%.3f, %.3f], 95%% [%.3f, "
               "%.3f])\n", res.k / N, log10(res.k / N), log10(res.k_lo68 / N), log10(res.k_hi68 / N),
               log10(res.k_lo95 / N), log10(res.k_hi95 / N));
        gsl_rng *rb = sr_rng_create(o->seed, 0, SR_RNG_BOOTSTRAP);
        cnt_interval bi;
        if (o->bootstrap >= 2 && rb &&
            cnt_ffs_bootstrap(R, run_cross, run_time, nroots, ns, trials, (const long *const *)troot,
                              (const unsigned char *const *)tsucc, (size_t)o->bootstrap, rb, &bi) == SR_OK &&
            bi.lo68 > 0)
            print_log_interval("I (FFS)", res.k / N, &bi, 1.0 / N);
        sr_error_clear();
        gsl_rng_free(rb);
        printf("  P of the last stage = %.3f (the committor of the last-but-one interface, not a test of the last "
               "one)\n", (double)succ[ns - 1] / trials[ns - 1]);
    } else if (rc == SR_OK) {
        printf("  no path reached the last interface: I < %.5g per site per sweep (95%% upper bound)\n",
               res.k_upper95 / (double)nsites);
    }
    (void)nconf;
    for (int i = 0; i < ns; i++) {
        free(troot[i]);
        free(tsucc[i]);
    }
    free(cur.spins);
    free(cur.root);
    free(next.spins);
    free(next.root);
    free(run_cross);
    free(run_time);
    kmc_ising_free(m);
    return rc;
}

int cmd_ising(int argc, char **argv)
{
    ising_opts o = {.dim = 2, .L = 0, .T = 1.5, .h = 0.15, .mode = "bruteforce", .replicas = 100,
                    .seed = 12345, .t_equil = 10.0, .t_max = 0.0, .check = 0.5, .t_prod = 2000.0,
                    .threshold = 0, .nsizes = 0, .shape = "round", .grow = 0, .melt = 0,
                    .msd_replicas = 200, .msd_samples = 51, .msd_dt = 0.2, .attach_skip = -1.0, .fit_min = 1,
                    .bootstrap = 1000, .dynamics = "glauber", .start_up = 0,
                    .lambda_a = NAN, .flux_time = 200.0, .flux_runs = 8, .trials = 100};
    int help;
    int rc = parse_args(argc, argv, &o, &help);
    if (rc == SR_OK && help) {
        usage(stdout);
        return 0;
    }
    if (rc == SR_OK && o.L == 0) o.L = o.dim == 2 ? 64 : 24;
    if (rc != SR_OK) {
        fprintf(stderr, "seedrate ising: error: %s\n", sr_error_message());
        return 1;
    }
    printf("seedrate ising: d=%d L=%d (%ld sites) T=%g J/k_B h=%g J, %s n-fold-way kMC, mode %s, seed %llu\n",
           o.dim, o.L, (long)o.L * o.L * (o.dim == 3 ? o.L : 1), o.T, o.h,
           strcmp(o.dynamics, "metropolis") ? "Glauber" : "Metropolis", o.mode, o.seed);
    printf("  time unit: MC sweep (1 attempted flip per site); t_equil %g, t_max %g, cluster check every %g sweeps\n",
           o.t_equil, o.t_max, o.check);
    if (!strncmp(o.mode, "magnet", 6)) {
        rc = run_magnetisation(&o);
    } else {
        double m_s = 0.0;
        if (!(o.h > 0.0)) rc = SR_ERROR(SR_EINVAL, "--h must be > 0 for nucleation of up from all down (got %g)", o.h);
        if (rc == SR_OK && o.dim == 3 && !strcmp(o.mode, "seeding") && o.nsizes == 0)
            rc = SR_ERROR(SR_EINVAL, "3D seeding needs --sizes a,b,... (droplet sizes around N_c)");
        if (rc == SR_OK && o.dim == 3 && !strcmp(o.mode, "bruteforce") && o.threshold <= 0)
            rc = SR_ERROR(SR_EINVAL, "3D bruteforce needs --threshold (cluster size well above N_c)");
        if (rc == SR_OK) rc = stable_magnetisation(&o, &m_s);
        if (rc == SR_OK && o.dim == 2) {
            double W = kmc_ising_wulff_area(o.T), dmu = 2.0 * o.h * m_s;
            printf("exact 2D: m_s = %.6f, σ(0) = %.5f J, Wulff W = %.5f, σ_eff = %.5f; CNT N* = W/Δμ² = %.1f, "
                   "ΔG*/T = W/(Δμ T) = %.2f\n", m_s, kmc_ising_onsager_sigma(o.T), W, sqrt(W / M_PI),
                   W / (dmu * dmu), W / (dmu * o.T));
        }
        kmc_ising_params p = {.dim = o.dim, .L = o.L, .T = o.T, .h = o.h, .dynamics = dynamics_of(&o),
                              .seed = o.seed, .t_equil = o.t_equil, .check_interval = o.check, .t_max = o.t_max};
        if (rc == SR_OK)
            rc = !strcmp(o.mode, "bruteforce") ? run_bruteforce(&o, &p, m_s)
                 : !strcmp(o.mode, "ffs")      ? run_ffs(&o, &p)
                                               : run_seeding(&o, &p, m_s);
    }
    if (rc != SR_OK) {
        fprintf(stderr, "seedrate ising: error: %s\n", sr_error_message());
        return 1;
    }
    return 0;
}
