/* test_seeding_brute.c - the maths of brute-force MD rates (seed_brute_first_passage and the cnt_brute_*
 * statistics it feeds) on synthetic first-passage data: first-passage times from N_max(t), the
 * censored-exponential MLE (recovery, coverage, no-event bound, bootstrap), the mean first-passage curve and
 * its Wedekind-Strey-Reguera fit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

#include "common/sr_error.h"
#include "common/sr_rng.h"
#include "seeding/seed_brute.h"

#define assert_close(a, b, tol)                                                                  \
    do {                                                                                         \
        double a_ = (a), b_ = (b), t_ = (tol);                                                   \
        if (!(fabs(a_ - b_) <= t_)) fail_msg("%s = %.12g, expected %.12g +- %.3g", #a, a_, b_, t_); \
    } while (0)

/* Exponential waiting times of rate k, censored at t_max: t = min(T, t_max), reached = T <= t_max. */
static void draw_censored(gsl_rng *r, size_t n, double k, double t_max, double *t, int *reached)
{
    for (size_t i = 0; i < n; i++) {
        double T = gsl_ran_exponential(r, 1.0 / k);
        reached[i] = T <= t_max;
        t[i] = reached[i] ? T : t_max;
    }
}

/* N_max = 3 2 7 5 12 9 every 0.25: sizes 1-3 at t = 0, 4-7 at 0.5, 8-10 at 1.0; 13 never. */
static void test_first_passage_from_nmax(void **state)
{
    (void)state;
    const int nmax[] = {3, 2, 7, 5, 12, 9};
    double tfp[14];
    assert_int_equal(seed_brute_first_passage(6, nmax, 0.25, 13, tfp), SR_OK);
    assert_close(tfp[0], 0.0, 0);
    for (int n = 1; n <= 3; n++) assert_close(tfp[n], 0.0, 0);
    for (int n = 4; n <= 7; n++) assert_close(tfp[n], 0.5, 0);
    for (int n = 8; n <= 12; n++) assert_close(tfp[n], 1.0, 0);
    assert_true(isnan(tfp[13]));
}

static void test_first_passage_errors(void **state)
{
    (void)state;
    const int nmax[] = {1, 2};
    double tfp[4];
    assert_int_equal(seed_brute_first_passage(0, nmax, 0.1, 3, tfp), SR_EINVAL);
    assert_int_equal(seed_brute_first_passage(2, nmax, 0.1, 0, tfp), SR_EINVAL);
    assert_int_equal(seed_brute_first_passage(2, nmax, 0.0, 3, tfp), SR_EINVAL);
    assert_int_equal(seed_brute_first_passage(2, NULL, 0.1, 3, tfp), SR_EINVAL);
    sr_error_clear();
}

/* 600 data sets of 64 replicas, k = 0.0317, censored at t_max = 40 (~72% reach): the mean MLE is within 4%
 * of k (its O(1/n_r) bias is ~2%) and |k_hat - k| <= k_err in 68.3% +- 5.7% (3 binomial sigma) of the sets.
 * Ignoring the censored time (n_r / sum of the passage times only) is off by far more than that. */
static void test_mle_recovers_rate_with_coverage(void **state)
{
    (void)state;
    const double k = 0.0317, t_max = 40.0;
    const size_t n = 64, nsets = 600;
    double t[64];
    int reached[64];
    double sum_k = 0, sum_naive = 0;
    size_t covered = 0;
    for (size_t d = 0; d < nsets; d++) {
        gsl_rng *r = sr_rng_create(2385, d, SR_RNG_USER);
        draw_censored(r, n, k, t_max, t, reached);
        gsl_rng_free(r);
        cnt_brute_mle m;
        assert_int_equal(cnt_brute_mle_fit(n, t, reached, &m), SR_OK);
        assert_int_equal(m.n_total, n);
        assert_true(m.n_reached > 0 && m.n_reached < n);
        assert_true(isnan(m.k_upper95));
        sum_k += m.k;
        covered += fabs(m.k - k) <= m.k_err;
        double ts = 0;
        for (size_t i = 0; i < n; i++) ts += reached[i] ? t[i] : 0;
        sum_naive += m.n_reached / ts;
    }
    const double mean_k = sum_k / nsets, cover = (double)covered / nsets;
    assert_close(mean_k / k, 1.0, 0.04);
    assert_close(cover, 0.6827, 3 * sqrt(0.6827 * 0.3173 / nsets));
    assert_true(sum_naive / nsets / k > 1.5);
}

/* Shifted exponential t = 23.7 + Exp(k = 0.0412) censored at t_max = 80 (~90% reach), 600 sets of 64: the lag fit
 * recovers k (mean within 4%), t_lag (within 1/(n k) of 23.7, its known bias) and covers k with k_err in
 * 68.3% +- 5.7% of the sets, while the plain MLE, which counts the lag as waiting, is low by ~1/(1 + k t_lag). */
static void test_mle_lag_recovers_rate_and_lag(void **state)
{
    (void)state;
    const double k = 0.0412, lag = 23.7, t_max = 80.0;
    const size_t n = 64, nsets = 600;
    double t[64];
    int reached[64];
    double sum_k = 0, sum_lag = 0, sum_plain = 0;
    size_t covered = 0;
    for (size_t d = 0; d < nsets; d++) {
        gsl_rng *r = sr_rng_create(4711, d, SR_RNG_USER);
        for (size_t i = 0; i < n; i++) {
            double T = lag + gsl_ran_exponential(r, 1.0 / k);
            reached[i] = T <= t_max;
            t[i] = reached[i] ? T : t_max;
        }
        gsl_rng_free(r);
        cnt_brute_mle m, p;
        double t_lag = -1;
        assert_int_equal(cnt_brute_mle_fit_lag(n, t, reached, &m, &t_lag), SR_OK);
        assert_int_equal(cnt_brute_mle_fit(n, t, reached, &p), SR_OK);
        sum_k += m.k;
        sum_lag += t_lag;
        sum_plain += p.k;
        covered += fabs(m.k - k) <= m.k_err;
    }
    assert_close(sum_k / nsets / k, 1.0, 0.04);
    assert_close(sum_lag / nsets, lag + 1.0 / (n * k), 0.1);
    assert_close((double)covered / nsets, 0.6827, 3 * sqrt(0.6827 * 0.3173 / nsets));
    assert_close(sum_plain / nsets / k, 1.0 / (1.0 + k * lag), 0.06);
}

static void test_mle_lag_errors(void **state)
{
    (void)state;
    double t[3] = {5.0, 7.5, 9.0};
    int one[3] = {1, 0, 0}, same[3] = {1, 1, 0};
    double tt[3] = {5.0, 5.0, 5.0};
    cnt_brute_mle m;
    double lag;
    assert_int_equal(cnt_brute_mle_fit_lag(3, t, one, &m, &lag), SR_EFAILED);
    int all[3] = {1, 1, 1};
    assert_int_equal(cnt_brute_mle_fit_lag(3, tt, all, &m, &lag), SR_EFAILED);
    assert_int_equal(cnt_brute_mle_fit_lag(3, t, same, &m, NULL), SR_EINVAL);
    assert_int_equal(cnt_brute_mle_fit_lag(0, t, same, &m, &lag), SR_EINVAL);
    /* analytic: passages 5.0 and 7.5, one censored at 9.0: t_lag 5, k = 1 / (0 + 2.5 + 4.0) */
    assert_int_equal(cnt_brute_mle_fit_lag(3, t, same, &m, &lag), SR_OK);
    assert_close(lag, 5.0, 0);
    assert_close(m.k, 1.0 / 6.5, 1e-15);
    assert_close(m.k_err, 1.0 / 6.5, 1e-15);
    sr_error_clear();
}

/* No passage in 20 replicas censored at 12.5: k = 0, k_err NaN, 95% bound -ln(0.05)/250 = 0.011983. */
static void test_mle_no_event_bound(void **state)
{
    (void)state;
    double t[20];
    int reached[20];
    for (int i = 0; i < 20; i++) {
        t[i] = 12.5;
        reached[i] = 0;
    }
    cnt_brute_mle m;
    assert_int_equal(cnt_brute_mle_fit(20, t, reached, &m), SR_OK);
    assert_int_equal(m.n_reached, 0);
    assert_close(m.k, 0.0, 0);
    assert_true(isnan(m.k_err));
    assert_close(m.k_upper95, -log(0.05) / 250.0, 1e-15);
    /* the bound is a 95% bound: with true k equal to it, P(no event in 250) = 0.05 */
    assert_close(exp(-m.k_upper95 * 250.0), 0.05, 1e-12);
}

static void test_mle_errors(void **state)
{
    (void)state;
    double t[3] = {1.5, -0.2, 3.0};
    int reached[3] = {1, 1, 0};
    cnt_brute_mle m;
    assert_int_equal(cnt_brute_mle_fit(0, t, reached, &m), SR_EINVAL);
    assert_int_equal(cnt_brute_mle_fit(3, t, reached, &m), SR_EINVAL);
    t[1] = NAN;
    assert_int_equal(cnt_brute_mle_fit(3, t, reached, &m), SR_EINVAL);
    double z[2] = {0, 0};
    assert_int_equal(cnt_brute_mle_fit(2, z, reached, &m), SR_EINVAL);
    assert_int_equal(cnt_brute_mle_fit(3, NULL, reached, &m), SR_EINVAL);
    double good[2] = {1.0, 2.0};
    cnt_interval iv;
    gsl_rng *r = sr_rng_create(1, 0, SR_RNG_BOOTSTRAP);
    assert_int_equal(cnt_brute_mle_bootstrap(2, good, reached, 1, r, &iv), SR_EINVAL);
    assert_int_equal(cnt_brute_mle_bootstrap(2, good, reached, 100, NULL, &iv), SR_EINVAL);
    gsl_rng_free(r);
    sr_error_clear();
}

/* 400 replicas: the bootstrap 68% interval of k brackets the MLE and is as wide as +- the Fisher error
 * k / sqrt(n_r) (within 20%). */
static void test_mle_bootstrap_matches_fisher(void **state)
{
    (void)state;
    const size_t n = 400;
    double *t = malloc(n * sizeof *t);
    int *reached = malloc(n * sizeof *reached);
    gsl_rng *r = sr_rng_create(77, 3, SR_RNG_USER);
    draw_censored(r, n, 0.213, 6.0, t, reached);
    gsl_rng_free(r);
    cnt_brute_mle m;
    assert_int_equal(cnt_brute_mle_fit(n, t, reached, &m), SR_OK);
    cnt_interval iv;
    gsl_rng *rb = sr_rng_create(77, 0, SR_RNG_BOOTSTRAP);
    assert_int_equal(cnt_brute_mle_bootstrap(n, t, reached, 2000, rb, &iv), SR_OK);
    gsl_rng_free(rb);
    assert_true(iv.lo68 < m.k && m.k < iv.hi68);
    assert_close(0.5 * (iv.hi68 - iv.lo68) / m.k_err, 1.0, 0.2);
    free(t);
    free(reached);
}

static double wsr(double tau_J, double c, double n_star, double n)
{
    return 0.5 * tau_J * (1.0 + erf(c * (n - n_star)));
}

/* tau(n) = (83.7/2)(1 + erf(0.0913 (n - 47.3))) + 1% noise, n = 0..150: the fit returns tau_J, n*, and
 * Z = c / sqrt(pi) within 3 standard errors, and those errors are below 2%. */
static void test_mfpt_fit_recovers_erf_parameters(void **state)
{
    (void)state;
    const double tau_J = 83.7, c = 0.0913, n_star = 47.3;
    double tau[151];
    gsl_rng *r = sr_rng_create(5, 0, SR_RNG_USER);
    for (int n = 0; n <= 150; n++) tau[n] = wsr(tau_J, c, n_star, n) + gsl_ran_gaussian(r, 0.01 * tau_J);
    gsl_rng_free(r);
    cnt_brute_mfpt f;
    assert_int_equal(cnt_brute_mfpt_fit(tau, 0, 150, &f), SR_OK);
    assert_close(f.fit.tau_J, tau_J, 3 * f.fit.se_tau_J);
    assert_close(f.fit.n_star, n_star, 3 * f.fit.se_n_star);
    assert_close(f.Z, c / sqrt(M_PI), 3 * f.se_Z);
    assert_true(f.fit.se_tau_J < 0.02 * tau_J && f.se_Z < 0.02 * f.Z);
    assert_int_equal(f.n_lo, 0);
    assert_int_equal(f.n_hi, 150);
}

/* Synthetic replicas whose first-passage curves are t_r(n) = T_r (1 + erf(c (n - n*)))/2 with exponential
 * T_r (mean 120): tau(n) is their mean, the fit gives tau_J = mean T_r, the true n* and Z, and the bootstrap
 * of tau_J has the spread of the replicas' plateau times, sd(T) / sqrt(M) (within 25%). Replicas that stop
 * below n = 90 are left out of tau(n) above their last size (count[n]). */
static void test_mfpt_curve_and_bootstrap_from_replicas(void **state)
{
    (void)state;
    const int M = 300, n_stop = 100;
    const double c = 0.15, n_star = 38.6;
    const int w = n_stop + 1;
    double *tfp = malloc((size_t)M * w * sizeof *tfp), *T = malloc(M * sizeof *T);
    double tau[101];
    int count[101];
    gsl_rng *r = sr_rng_create(11, 0, SR_RNG_USER);
    for (int k = 0; k < M; k++) {
        T[k] = gsl_ran_exponential(r, 120.0);
        for (int n = 0; n < w; n++) tfp[k * w + n] = wsr(T[k], c, n_star, n);
    }
    gsl_rng_free(r);
    assert_int_equal(cnt_brute_mfpt_curve(M, n_stop, tfp, tau, count), SR_OK);
    const double meanT = gsl_stats_mean(T, 1, M), sdT = gsl_stats_sd(T, 1, M);
    assert_close(tau[n_stop], 0.5 * meanT * (1 + erf(c * (n_stop - n_star))), 1e-9 * meanT);
    cnt_brute_mfpt f;
    assert_int_equal(cnt_brute_mfpt_fit(tau, 1, n_stop, &f), SR_OK);
    assert_close(f.fit.tau_J / meanT, 1.0, 1e-6);
    assert_close(f.fit.n_star, n_star, 1e-4);
    assert_close(f.Z, c / sqrt(M_PI), 1e-6);
    cnt_interval iv_tau, iv_n, iv_z;
    size_t skipped = 99;
    gsl_rng *rb = sr_rng_create(11, 0, SR_RNG_BOOTSTRAP);
    assert_int_equal(cnt_brute_mfpt_bootstrap(M, n_stop, tfp, 1, n_stop, 400, rb, &iv_tau, &iv_n, &iv_z, &skipped),
                     SR_OK);
    gsl_rng_free(rb);
    assert_int_equal(skipped, 0);
    assert_close(0.5 * (iv_tau.hi68 - iv_tau.lo68) / (sdT / sqrt(M)), 1.0, 0.25);
    assert_true(iv_n.lo68 <= n_star + 1e-3 && n_star - 1e-3 <= iv_n.hi68);
    /* replica 0 stops at 89: counts drop above it, the mean is over the others */
    for (int n = 90; n < w; n++) tfp[n] = NAN;
    assert_int_equal(cnt_brute_mfpt_curve(M, n_stop, tfp, tau, count), SR_OK);
    assert_int_equal(count[89], M);
    assert_int_equal(count[90], M - 1);
    assert_close(tau[n_stop], (meanT * M - T[0]) / (M - 1) * 0.5 * (1 + erf(c * (n_stop - n_star))), 1e-9 * meanT);
    free(tfp);
    free(T);
}

static void test_mfpt_errors(void **state)
{
    (void)state;
    double tau[10] = {0, 1, 2, 3, NAN, 5, 6, 7, 8, 9};
    int count[10];
    cnt_brute_mfpt f;
    assert_int_equal(cnt_brute_mfpt_fit(tau, 5, 7, &f), SR_EINVAL);     /* 3 points */
    assert_int_equal(cnt_brute_mfpt_fit(tau, 0, 9, &f), SR_EINVAL);     /* NaN inside the range */
    assert_int_equal(cnt_brute_mfpt_curve(0, 9, tau, tau, count), SR_EINVAL);
    assert_int_equal(cnt_brute_mfpt_curve(1, 0, tau, tau, count), SR_EINVAL);
    gsl_rng *r = sr_rng_create(1, 0, SR_RNG_BOOTSTRAP);
    assert_int_equal(cnt_brute_mfpt_bootstrap(1, 9, tau, 0, 12, 10, r, NULL, NULL, NULL, NULL), SR_EINVAL);
    /* a single replica that never passes size 4: every resample lacks sizes 4..9 */
    assert_int_equal(cnt_brute_mfpt_bootstrap(1, 9, tau, 0, 9, 10, r, NULL, NULL, NULL, NULL), SR_EFAILED);
    gsl_rng_free(r);
    sr_error_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_passage_from_nmax),
        cmocka_unit_test(test_first_passage_errors),
        cmocka_unit_test(test_mle_recovers_rate_with_coverage),
        cmocka_unit_test(test_mle_lag_recovers_rate_and_lag),
        cmocka_unit_test(test_mle_lag_errors),
        cmocka_unit_test(test_mle_no_event_bound),
        cmocka_unit_test(test_mle_errors),
        cmocka_unit_test(test_mle_bootstrap_matches_fisher),
        cmocka_unit_test(test_mfpt_fit_recovers_erf_parameters),
        cmocka_unit_test(test_mfpt_curve_and_bootstrap_from_replicas),
        cmocka_unit_test(test_mfpt_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
