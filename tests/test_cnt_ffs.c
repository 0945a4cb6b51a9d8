/* test_cnt_ffs.c - forward flux sampling statistics (cnt_ffs_*, cnt.h), the layer under `seedrate ffs`:
 * bookkeeping of basin crossings and trials on hand-made lambda sequences, interface validation, the estimate
 * and its analytic variance on hand-made counts, the bootstrap on a synthetic tree, the adaptive interface rule,
 * and physics: direct FFS of overdamped Langevin dynamics over a 1-D double-well barrier (4 kT), whose rate
 * 1/tau_MFPT follows by quadrature (the mean first-passage time of a 1-D diffusion; Gardiner, Handbook of
 * Stochastic Methods, sec. 5.2.7):
 *     tau(x0 -> b) = (1/D) int_{x0}^{b} dy exp(beta U(y)) int_{-inf}^{y} dz exp(-beta U(z)).
 * 100 independent FFS runs: the analytic 68% interval must contain the exact rate in >= 60% of them (and the
 * bootstrap's too), the mean of k must sit within 3 standard errors of k_exact, and a rate 1.5x off must be
 * covered in fewer than 60% (the check can fail). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "cnt/cnt.h"
#include "common/sr_error.h"
#include "common/sr_rng.h"

static void test_basin_and_trial_bookkeeping(void **state)
{
    (void)state;
    cnt_ffs_basin b;
    cnt_ffs_basin_init(&b, 3.5, 7.25, 40.0);
    /* in A, up through lambda_0 (counted), stays above (not again), drops between (not re-armed), above again (no),
     * back into A, up again (counted), then B */
    const double lam[] = {1, 2, 8, 9, 5, 7.5, 3.4, 7.25, 39.9, 40.0};
    const int want[] = {0, 0, CNT_FFS_CROSSED, 0, 0, 0, 0, CNT_FFS_CROSSED, 0, CNT_FFS_REACHED_B};
    for (int k = 0; k < 10; k++) assert_int_equal(cnt_ffs_basin_observe(&b, lam[k]), want[k]);
    /* a run that starts outside A (a relaxed state that already holds a cluster) has not come from A: its first
     * crossing does not count until it has been seen in A (without this rule the Ising testbed's flux of short basin
     * runs was 11% high) */
    cnt_ffs_basin_init(&b, 3.5, 7.25, 40.0);
    assert_int_equal(cnt_ffs_basin_observe(&b, 5.0), CNT_FFS_NONE);
    assert_int_equal(cnt_ffs_basin_observe(&b, 8.0), CNT_FFS_NONE);
    assert_int_equal(cnt_ffs_basin_observe(&b, 3.0), CNT_FFS_NONE);
    assert_int_equal(cnt_ffs_basin_observe(&b, 8.0), CNT_FFS_CROSSED);
    assert_int_equal(cnt_ffs_trial_observe(11.0, 3.5, 11.0), CNT_FFS_SUCCESS);
    assert_int_equal(cnt_ffs_trial_observe(10.9, 3.5, 11.0), CNT_FFS_NONE);
    assert_int_equal(cnt_ffs_trial_observe(3.5, 3.5, 11.0), CNT_FFS_NONE); /* A is lambda < lambda_A */
    assert_int_equal(cnt_ffs_trial_observe(3.49, 3.5, 11.0), CNT_FFS_FAILURE);
}

static void test_check_interfaces(void **state)
{
    (void)state;
    char msg[256];
    const double ok[] = {12, 20, 35, 60};
    assert_int_equal(cnt_ffs_check_interfaces(8, ok, 4, msg, sizeof msg), SR_OK);
    const double down[] = {12, 20, 18, 60};
    assert_int_equal(cnt_ffs_check_interfaces(8, down, 4, msg, sizeof msg), SR_EINVAL);
    assert_non_null(strstr(msg, "lambda_2 = 18 is not above lambda_1 = 20"));
    const double equal[] = {12, 20, 20};
    assert_int_equal(cnt_ffs_check_interfaces(8, equal, 3, msg, sizeof msg), SR_EINVAL);
    assert_non_null(strstr(msg, "lambda_2 = 20 is not above"));
    assert_int_equal(cnt_ffs_check_interfaces(12, ok, 4, msg, sizeof msg), SR_EINVAL);
    assert_non_null(strstr(msg, "lambda_0 = 12 must be above lambda_A = 12"));
    assert_int_equal(cnt_ffs_check_interfaces(8, ok, 1, msg, sizeof msg), SR_EINVAL);
    const double nan_[] = {12, NAN};
    assert_int_equal(cnt_ffs_check_interfaces(8, nan_, 2, msg, sizeof msg), SR_EINVAL);
}

static void test_estimate_by_hand(void **state)
{
    (void)state;
    const long trials[] = {200, 150, 80}, success[] = {37, 61, 59};
    cnt_ffs_result r;
    assert_int_equal(cnt_ffs_estimate(113, 2.875e3, 3, trials, success, &r), SR_OK);
    const double p0 = 37.0 / 200, p1 = 61.0 / 150, p2 = 59.0 / 80, flux = 113 / 2.875e3;
    assert_float_equal(r.flux, flux, 1e-15);
    assert_float_equal(r.prob, p0 * p1 * p2, 1e-15);
    assert_float_equal(r.k, flux * p0 * p1 * p2, 1e-18);
    const double rv = 1.0 / 113 + (1 - p0) / (p0 * 200) + (1 - p1) / (p1 * 150) + (1 - p2) / (p2 * 80);
    assert_float_equal(r.rel_var, rv, 1e-14);
    assert_float_equal(r.k_hi68 / r.k, exp(sqrt(log1p(rv))), 1e-12);
    assert_float_equal(r.k_lo68 * r.k_hi68, r.k * r.k, 1e-20);
    assert_true(isnan(r.k_upper95));
    /* a stage without success: k = 0, bound with P < 3/M */
    const long s0[] = {37, 0, 0}, t0[] = {200, 150, 0};
    assert_int_equal(cnt_ffs_estimate(113, 2.875e3, 3, t0, s0, &r), SR_OK);
    assert_true(r.k == 0 && isnan(r.rel_var));
    assert_float_equal(r.k_upper95, flux * p0 * 3.0 / 150, 1e-18);
    /* bad counts */
    const long bad[] = {201, 61, 59};
    assert_int_equal(cnt_ffs_estimate(113, 2.875e3, 3, trials, bad, &r), SR_EINVAL);
    assert_int_equal(cnt_ffs_estimate(113, 0, 3, trials, success, &r), SR_EINVAL);
    sr_error_clear();
}

static void test_next_interface(void **state)
{
    (void)state;
    const double mx[] = {14, 9, 22, 11, 31, 12, 10, 17, 13, 9.5};
    /* sorted: 9 9.5 10 11 12 13 14 17 22 31; p = 0.3 -> the 3rd largest = 17 */
    assert_float_equal(cnt_ffs_next_interface(mx, 10, 8, 100, 0.3, 1), 17, 0);
    assert_float_equal(cnt_ffs_next_interface(mx, 10, 8, 15, 0.3, 1), 15, 0);  /* capped at lambda_B */
    assert_float_equal(cnt_ffs_next_interface(mx, 10, 16.5, 100, 1.0, 1), 17.5, 0); /* at least lambda_i + step */
    assert_true(isnan(cnt_ffs_next_interface(mx, 10, 8, 100, 0, 1)));
}

static void test_bootstrap_synthetic_tree(void **state)
{
    (void)state;
    /* 6 basin runs, 40 roots; stage 0: 4 trials per root, success iff the root is "good" (index % 4 == 0, the
     * landscape variance the analytic formula neglects); stage 1: 30 trials from the successes, half succeed */
    const int nruns = 6;
    const long cross[] = {7, 6, 8, 5, 7, 7};
    const double time[] = {10.5, 9.7, 11.2, 8.9, 10.1, 10.3};
    const long nroots = 40, n0 = 160, n1 = 30;
    long *r0 = malloc(n0 * sizeof *r0), *r1 = malloc(n1 * sizeof *r1);
    unsigned char *s0 = malloc(n0), *s1 = malloc(n1);
    long succ0 = 0;
    for (long t = 0; t < n0; t++) {
        r0[t] = t % nroots;
        s0[t] = r0[t] % 4 == 0;
        succ0 += s0[t];
    }
    for (long t = 0; t < n1; t++) {
        r1[t] = 4 * (t % 10); /* descendants of the good roots */
        s1[t] = t % 2;
    }
    const long *root[] = {r0, r1};
    const unsigned char *succ[] = {s0, s1};
    const long ntr[] = {n0, n1}, nsu[] = {succ0, 15};
    cnt_ffs_result r;
    assert_int_equal(cnt_ffs_estimate(40, 60.7, 2, ntr, nsu, &r), SR_OK);
    gsl_rng *rng = sr_rng_create(4242, 0, SR_RNG_BOOTSTRAP);
    cnt_interval ci;
    assert_int_equal(cnt_ffs_bootstrap(nruns, cross, time, nroots, 2, ntr, root, succ, 2000, rng, &ci), SR_OK);
    print_message("k = %.4g, analytic 68%% [%.4g, %.4g], bootstrap median %.4g 68%% [%.4g, %.4g]\n", r.k, r.k_lo68,
                  r.k_hi68, ci.median, ci.lo68, ci.hi68);
    assert_true(ci.lo68 < r.k && r.k < ci.hi68);
    assert_true(fabs(ci.median / r.k - 1) < 0.1);
    /* the tree: stage 0's successes all come from 10 roots, so the bootstrap is wider than the binomial formula */
    assert_true(ci.hi68 / ci.lo68 > r.k_hi68 / r.k_lo68);
    /* errors */
    long badroot = 40;
    const long *rb[] = {&badroot};
    const long one[] = {1};
    assert_int_equal(cnt_ffs_bootstrap(nruns, cross, time, nroots, 1, one, rb, succ, 100, rng, &ci), SR_EINVAL);
    assert_int_equal(cnt_ffs_bootstrap(nruns, cross, time, nroots, 2, ntr, root, succ, 1, rng, &ci), SR_EINVAL);
    sr_error_clear();
    gsl_rng_free(rng);
    free(r0);
    free(r1);
    free(s0);
    free(s1);
}

/* ---- 1-D overdamped Langevin: U = h (x^2 - 1)^2, beta = D = 1; A: x < lambda_A, B: x >= lambda_B ---- */
#define H_BARRIER 4.0
static double U(double x) { return H_BARRIER * (x * x - 1) * (x * x - 1); }
static double force(double x) { return -4.0 * H_BARRIER * x * (x * x - 1); }

/* tau(x0 -> b) by the trapezoid rule on a fine grid (reflecting far left at -3, where exp(-U) ~ e^-256) */
static double mfpt_exact(double x0, double b)
{
    const int n = 400000;
    const double lo = -3.0, h = (b - lo) / n;
    double inner = 0, tau = 0, prev_in = 0, prev_out = 0;
    for (int i = 0; i <= n; i++) {
        const double y = lo + i * h;
        if (i > 0) inner += 0.5 * h * (exp(-U(y - h)) + exp(-U(y)));
        const double out = y >= x0 ? exp(U(y)) * inner : 0;
        if (i > 0 && y - h >= x0) tau += 0.5 * h * (prev_out + out);
        prev_in = inner;
        prev_out = out;
    }
    (void)prev_in;
    return tau;
}

typedef struct lv { double dt, sq; gsl_rng *rng; } lv;
static double lv_step(lv *m, double x) { return x + force(x) * m->dt + m->sq * gsl_ran_gaussian_ziggurat(m->rng, 1.0); }

/* One direct FFS run; returns the estimate and the bootstrap interval */
static void ffs_1d(uint64_t seed, const double *lam, int nl, double lambda_A, int nruns, long run_steps, int M,
                   cnt_ffs_result *res, cnt_interval *boot)
{
    lv m = {.dt = 5e-5, .rng = sr_rng_create(seed, 0, SR_RNG_USER)};
    m.sq = sqrt(2.0 * m.dt);
    const int ns = nl - 1;
    /* configurations per interface (positions) and their roots */
    int cap = 4096;
    double *conf = malloc((size_t)cap * sizeof *conf), *next = malloc((size_t)cap * sizeof *next);
    long *croot = malloc((size_t)cap * sizeof *croot), *nroot = malloc((size_t)cap * sizeof *nroot);
    long rc_[64];
    double rt_[64];
    long nconf = 0;
    for (int r = 0; r < nruns; r++) {
        cnt_ffs_basin b;
        cnt_ffs_basin_init(&b, lambda_A, lam[0], lam[nl - 1]);
        double x = -1.0;
        rc_[r] = 0;
        rt_[r] = run_steps * m.dt;
        for (long s = 0; s < run_steps; s++) {
            x = lv_step(&m, x);
            const int ev = cnt_ffs_basin_observe(&b, x);
            if (ev == CNT_FFS_CROSSED && nconf < cap) {
                croot[nconf] = nconf;
                conf[nconf++] = x;
                rc_[r]++;
            } else if (ev == CNT_FFS_REACHED_B) {
                x = -1.0; /* back to A: the run stays in the basin's overall state */
                cnt_ffs_basin_init(&b, lambda_A, lam[0], lam[nl - 1]);
            }
        }
    }
    long ncross = 0;
    double tA = 0;
    for (int r = 0; r < nruns; r++) ncross += rc_[r], tA += rt_[r];
    const long nroots = nconf;
    long trials[16] = {0}, succ[16] = {0};
    long *troot[16];
    unsigned char *tsucc[16];
    for (int i = 0; i < ns; i++) {
        troot[i] = malloc((size_t)M * sizeof(long));
        tsucc[i] = calloc((size_t)M, 1);
    }
    for (int i = 0; i < ns && nconf > 0; i++) {
        long nn = 0;
        for (int t = 0; t < M; t++) {
            const long c = t % nconf; /* round robin over the stored configurations */
            double x = conf[c];
            int ev;
            while ((ev = cnt_ffs_trial_observe(x = lv_step(&m, x), lambda_A, lam[i + 1])) == CNT_FFS_NONE) {
            }
            troot[i][t] = croot[c];
            trials[i]++;
            if (ev == CNT_FFS_SUCCESS) {
                tsucc[i][t] = 1;
                succ[i]++;
                if (nn < cap) {
                    next[nn] = x;
                    nroot[nn++] = croot[c];
                }
            }
        }
        memcpy(conf, next, (size_t)nn * sizeof *conf);
        memcpy(croot, nroot, (size_t)nn * sizeof *croot);
        nconf = nn;
    }
    assert_int_equal(cnt_ffs_estimate(ncross, tA, ns, trials, succ, res), SR_OK);
    gsl_rng *rb = sr_rng_create(seed, 1, SR_RNG_BOOTSTRAP);
    const long *cr[16];
    const unsigned char *cs[16];
    for (int i = 0; i < ns; i++) cr[i] = troot[i], cs[i] = tsucc[i];
    if (cnt_ffs_bootstrap(nruns, rc_, rt_, nroots, ns, trials, cr, cs, 400, rb, boot)) {
        boot->lo68 = boot->hi68 = NAN;
        sr_error_clear();
    }
    gsl_rng_free(rb);
    for (int i = 0; i < ns; i++) {
        free(troot[i]);
        free(tsucc[i]);
    }
    free(conf);
    free(next);
    free(croot);
    free(nroot);
    gsl_rng_free(m.rng);
}

static void test_langevin_barrier_rate(void **state)
{
    (void)state;
    const double lam[] = {-0.6, -0.35, -0.1, 0.15, 0.6}, lambda_A = -0.8;
    const int nl = 5, R = 100;
    const double k_exact = 1.0 / mfpt_exact(-1.0, lam[nl - 1]);
    int cover = 0, cover_boot = 0, cover_wrong = 0;
    double sum = 0, sum2 = 0, ks = 0, ks2 = 0;
    for (int r = 0; r < R; r++) {
        cnt_ffs_result res;
        cnt_interval ci;
        ffs_1d(9000 + (uint64_t)r, lam, nl, lambda_A, 4, 80000, 250, &res, &ci);
        assert_true(res.k > 0);
        cover += res.k_lo68 <= k_exact && k_exact <= res.k_hi68;
        cover_boot += ci.lo68 <= k_exact && k_exact <= ci.hi68;
        cover_wrong += res.k_lo68 <= 1.5 * k_exact && 1.5 * k_exact <= res.k_hi68;
        sum += log(res.k);
        sum2 += log(res.k) * log(res.k);
        ks += res.k;
        ks2 += res.k * res.k;
    }
    const double kmean = ks / R, ksd = sqrt((ks2 - R * kmean * kmean) / (R - 1));
    const double mean = sum / R, sd = sqrt((sum2 - R * mean * mean) / (R - 1));
    print_message("1-D barrier 4 kT: k_exact = 1/tau_MFPT = %.5g; FFS mean k = %.5g +- %.2g (sd %.2g), mean ln k = "
                  "%.4f (sd %.3f); 68%% coverage: analytic %d/%d, bootstrap %d/%d; a rate 1.5x off: %d/%d\n", k_exact,
                  kmean, ksd / sqrt(R), ksd, mean, sd, cover, R, cover_boot, R, cover_wrong, R);
    assert_true(cover >= 0.6 * R);
    assert_true(cover_boot >= 0.6 * R);
    assert_true(fabs(kmean - k_exact) < 3 * ksd / sqrt(R)); /* the estimator of k is unbiased */
    assert_true(cover_wrong < 0.6 * R);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basin_and_trial_bookkeeping),
        cmocka_unit_test(test_check_interfaces),
        cmocka_unit_test(test_estimate_by_hand),
        cmocka_unit_test(test_next_interface),
        cmocka_unit_test(test_bootstrap_synthetic_tree),
        cmocka_unit_test(test_langevin_barrier_rate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
