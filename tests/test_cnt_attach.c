/* test_cnt_attach.c - attachment rate f+ = MSD slope / 2 (Auer & Frenkel 2001) and its bootstrap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cnt/cnt.h"
#include "common/sr_error.h"
#include "common/sr_rng.h"

#define assert_close(a, b, tol)                                                                  \
    do {                                                                                         \
        double a_ = (a), b_ = (b), t_ = (tol);                                                   \
        if (!(fabs(a_ - b_) <= t_)) fail_msg("%s = %.12g, expected %.12g +- %.3g", #a, a_, b_, t_); \
    } while (0)

/* Discrete random walk of the cluster size: per step dt, +1 with probability p, -1 with p, so
 * <dN^2> = 2 p t/dt = 2 f+ t with f+ = p/dt. Starts at N_c = 137. */
static void walk(gsl_rng *r, size_t n_rep, size_t n_t, double p, double dt, double *t, double *N)
{
    for (size_t j = 0; j < n_t; j++) t[j] = j * dt;
    for (size_t i = 0; i < n_rep; i++) {
        double n = 137;
        for (size_t j = 0; j < n_t; j++) {
            N[i * n_t + j] = n;
            double u = gsl_rng_uniform(r);
            n += u < p ? 1 : (u < 2 * p ? -1 : 0);
        }
    }
}

/* Four starts, each with its own drift (-3, -1, +1, +3 per unit time) and the same diffusion f+ = 2.6: the variance
 * pooled within starts recovers f+, the variance about the common mean does not (it grows as 2 f+ t + var(v) t^2), and
 * the hand case of two starts with two replicas each is exact. */
static void test_within_groups(void **state)
{
    (void)state;
    double Nh[8] = {10, 12, 20, 20, 5, 9, 7, 7}, out[8], var[2];
    const int gh[4] = {0, 0, 1, 1};
    assert_int_equal(cnt_attach_within_groups(4, 2, Nh, gh, 2, out), SR_OK);
    /* dN at j=1: 2, 0 (start 0, mean 1) and 4, 0 (start 1, mean 2): residuals +-1, +-2; c = sqrt(3/2) */
    assert_int_equal(cnt_attach_var(4, 2, out, var), SR_OK);
    assert_close(var[1], (1.0 + 1.0 + 4.0 + 4.0) / 2.0, 1e-12);
    assert_close(out[1], sqrt(1.5), 1e-12);
    assert_close(var[0], 0.0, 0);

    const size_t n_g = 4, per = 100, n_rep = n_g * per, n_t = 201;
    const double p = 0.13, dt = 0.05, fp = p / dt;
    double *t = malloc(n_t * sizeof *t), *N = malloc(n_rep * n_t * sizeof *N), *R = malloc(n_rep * n_t * sizeof *R);
    int *g = malloc(n_rep * sizeof *g);
    gsl_rng *r = sr_rng_create(12, 0, SR_RNG_USER);
    walk(r, n_rep, n_t, p, dt, t, N);
    for (size_t i = 0; i < n_rep; i++) {
        g[i] = (int)(i % n_g);
        const double v = -3.0 + 2.0 * g[i];
        for (size_t j = 0; j < n_t; j++) N[i * n_t + j] += v * t[j];
    }
    cnt_attach_fit plain, pooled;
    assert_int_equal(cnt_attach_fit_drift(n_rep, n_t, t, N, 0.05, 10.0, &plain), SR_OK);
    assert_int_equal(cnt_attach_within_groups(n_rep, n_t, N, g, (int)n_g, R), SR_OK);
    assert_int_equal(cnt_attach_fit_drift(n_rep, n_t, t, R, 0.05, 10.0, &pooled), SR_OK);
    /* relative error of a variance from 396 dof over the window ~ 0.1 */
    assert_close(pooled.f_plus, fp, 0.15 * fp);
    if (!(plain.f_plus > 3 * fp)) fail_msg("the plain variance should see the drifts: %g vs f+ %g", plain.f_plus, fp);
    /* bad input: a start index out of range, as many starts as replicas */
    g[3] = 7;
    assert_int_not_equal(cnt_attach_within_groups(n_rep, n_t, N, g, (int)n_g, R), SR_OK);
    assert_int_not_equal(cnt_attach_within_groups(4, 2, Nh, gh, 4, out), SR_OK);
    sr_error_clear();
    gsl_rng_free(r);
    free(t);
    free(N);
    free(R);
    free(g);
}

static void test_msd_hand_case(void **state)
{
    (void)state;
    double N[6] = {10, 11, 13, 10, 9, 10}, msd[3];
    assert_int_equal(cnt_attach_msd(2, 3, N, msd), SR_OK);
    assert_close(msd[0], 0.0, 0);
    assert_close(msd[1], 1.0, 1e-15);
    assert_close(msd[2], 4.5, 1e-15);
}

/* 400 walkers, f+ = 0.13/0.05 = 2.6: fit and bootstrap recover f+; the window reported is the
 * grid points inside the requested one. */
static void test_fit_recovers_diffusion_constant(void **state)
{
    (void)state;
    const size_t n_rep = 400, n_t = 301;
    const double p = 0.13, dt = 0.05, fp = p / dt;
    double *t = malloc(n_t * sizeof *t), *N = malloc(n_rep * n_t * sizeof *N);
    gsl_rng *r = sr_rng_create(11, 0, SR_RNG_USER);
    walk(r, n_rep, n_t, p, dt, t, N);
    cnt_attach_fit f;
    assert_int_equal(cnt_attach_fit_msd(n_rep, n_t, t, N, 0.12, 12.0, &f), SR_OK);
    assert_close(f.t0, 0.15, 1e-12);
    assert_close(f.t1, 12.0, 1e-12);
    assert_int_equal(f.n_points, 238);
    gsl_rng *rb = sr_rng_create(11, 0, SR_RNG_BOOTSTRAP);
    cnt_interval b;
    assert_int_equal(cnt_attach_bootstrap(n_rep, n_t, t, N, 0.12, 12.0, 300, rb, &b, NULL), SR_OK);
    double sd = 0.5 * (b.hi68 - b.lo68);
    assert_true(sd > 0 && sd < 0.1 * fp);
    assert_close(f.f_plus, fp, 4 * sd);
    assert_close(b.median, f.f_plus, sd);
    gsl_rng_free(r);
    gsl_rng_free(rb);
    free(t);
    free(N);
}

/* The bootstrap-over-replicas 68% and 95% intervals cover the true f+ at the nominal rates
 * over 200 synthetic campaigns of 200 walkers (with 60 walkers the percentile interval
 * undercovers slightly: 67% and 92.6% measured over 1000 campaigns). */
static void test_bootstrap_coverage(void **state)
{
    (void)state;
    const size_t n_rep = 200, n_t = 81;
    const double p = 0.21, dt = 0.1, fp = p / dt;
    double *t = malloc(n_t * sizeof *t), *N = malloc(n_rep * n_t * sizeof *N);
    gsl_rng *r = sr_rng_create(12, 0, SR_RNG_USER), *rb = sr_rng_create(12, 0, SR_RNG_BOOTSTRAP);
    const int sets = 200;
    int c68 = 0, c95 = 0;
    for (int s = 0; s < sets; s++) {
        walk(r, n_rep, n_t, p, dt, t, N);
        cnt_interval b;
        assert_int_equal(cnt_attach_bootstrap(n_rep, n_t, t, N, 0.0, 8.0, 200, rb, &b, NULL), SR_OK);
        c68 += b.lo68 <= fp && fp <= b.hi68;
        c95 += b.lo95 <= fp && fp <= b.hi95;
    }
    double sd68 = sqrt(sets * 0.6827 * 0.3173), sd95 = sqrt(sets * 0.9545 * 0.0455);
    print_message("f+ bootstrap coverage: 68%%: %d/%d, 95%%: %d/%d\n", c68, sets, c95, sets);
    if (fabs(c68 - 0.6827 * sets) > 3.5 * sd68) fail_msg("68%% coverage %d/%d", c68, sets);
    if (fabs(c95 - 0.9545 * sets) > 3.5 * sd95) fail_msg("95%% coverage %d/%d", c95, sets);
    gsl_rng_free(r);
    gsl_rng_free(rb);
    free(t);
    free(N);
}

static void expect_error(int rc, int code, const char *fragment)
{
    assert_int_equal(rc, code);
    if (!strstr(sr_error_message(), fragment)) fail_msg("message '%s' lacks '%s'", sr_error_message(), fragment);
    sr_error_clear();
}

static void test_error_paths(void **state)
{
    (void)state;
    double t[4] = {0, 1, 2, 3}, N[8] = {5, 6, 7, 6, 5, 4, 5, 6};
    cnt_attach_fit f;
    expect_error(cnt_attach_fit_msd(0, 4, t, N, 0, 3, &f), SR_EINVAL, "empty");
    expect_error(cnt_attach_fit_msd(2, 4, t, N, 2.5, 3, &f), SR_EINVAL, "holds 1 time points");
    double Nn[8] = {5, 6, NAN, 6, 5, 4, 5, 6};
    expect_error(cnt_attach_fit_msd(2, 4, t, Nn, 0, 3, &f), SR_EINVAL, "replica 0 at time index 2");
    double tb[4] = {0, 1, 1, 3};
    expect_error(cnt_attach_fit_msd(2, 4, tb, N, 0, 3, &f), SR_EINVAL, "times must increase");
    double frozen[8] = {5, 5, 5, 5, 7, 7, 7, 7};
    expect_error(cnt_attach_fit_msd(2, 4, t, frozen, 0, 3, &f), SR_ENUMERIC, "no size diffusion");
    gsl_rng *r = sr_rng_create(1, 0, SR_RNG_BOOTSTRAP);
    cnt_interval b;
    expect_error(cnt_attach_bootstrap(1, 4, t, N, 0, 3, 100, r, &b, NULL), SR_EINVAL, ">= 2 replicas");
    expect_error(cnt_attach_bootstrap(2, 4, t, frozen, 0, 3, 100, r, &b, NULL), SR_ENUMERIC, "slope <= 0");
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_msd_hand_case),
        cmocka_unit_test(test_within_groups),
        cmocka_unit_test(test_fit_recovers_diffusion_constant),
        cmocka_unit_test(test_bootstrap_coverage),
        cmocka_unit_test(test_error_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
