/* test_cnt_dmu.c - Dh(T) polynomial fit and dmu(T) by Gibbs-Helmholtz. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>

#include "cnt/cnt.h"
#include "common/sr_error.h"
#include "common/sr_rng.h"

#define assert_close(a, b, tol)                                                                  \
    do {                                                                                         \
        double a_ = (a), b_ = (b), t_ = (tol);                                                   \
        if (!(fabs(a_ - b_) <= t_)) fail_msg("%s = %.12g, expected %.12g +- %.3g", #a, a_, b_, t_); \
    } while (0)

static const double C3[4] = {0.7413, 0.6521, -0.3127, 0.1219}; /* Dh(T), reduced units */
static const double TM = 0.617;

static double dh_true(double T, void *p)
{
    (void)p;
    return C3[0] + T * (C3[1] + T * (C3[2] + T * C3[3]));
}
static double integrand(double T, void *p) { return dh_true(T, p) / (T * T); }

static cnt_poly_fit exact_cubic(void)
{
    cnt_poly_fit f = {0};
    f.degree = 3;
    memcpy(f.c, C3, sizeof C3);
    return f;
}

/* Analytic Gibbs-Helmholtz integral equals an independent adaptive quadrature (QAGS) of
 * dmu = -T Int_T^Tm Dh/T'^2, below and above T_m. */
static void test_gibbs_helmholtz_matches_quadrature(void **state)
{
    (void)state;
    cnt_poly_fit f = exact_cubic();
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    gsl_function F = {integrand, NULL};
    const double Ts[4] = {0.3127, 0.48, 0.6, 0.7311};
    for (int i = 0; i < 4; i++) {
        double I, err, dmu;
        gsl_integration_qags(&F, Ts[i], TM, 0, 1e-13, 1000, w, &I, &err);
        assert_int_equal(cnt_dmu_gibbs_helmholtz(&f, TM, Ts[i], &dmu, NULL), SR_OK);
        assert_close(dmu, -Ts[i] * I, 1e-12);
        if (Ts[i] < TM) assert_true(dmu < 0); /* crystal stable below T_m */
        else assert_true(dmu > 0);
    }
    gsl_integration_workspace_free(w);
}

/* dmu(T_m) = 0 and d dmu/dT at T_m = Dh(T_m)/T_m (entropy of fusion), by central differences; the
 * linear approximation shares value and slope at T_m, so its error is O((T_m - T)^2). */
static void test_melting_point_slope_and_linear_approximation(void **state)
{
    (void)state;
    cnt_poly_fit f = exact_cubic();
    double d0, dp, dm, h = 1e-5;
    assert_int_equal(cnt_dmu_gibbs_helmholtz(&f, TM, TM, &d0, NULL), SR_OK);
    assert_close(d0, 0.0, 1e-15);
    cnt_dmu_gibbs_helmholtz(&f, TM, TM + h, &dp, NULL);
    cnt_dmu_gibbs_helmholtz(&f, TM, TM - h, &dm, NULL);
    double dhm = dh_true(TM, NULL);
    assert_close((dp - dm) / (2 * h), dhm / TM, 1e-8);
    double e1, e2, g1, g2;
    cnt_dmu_gibbs_helmholtz(&f, TM, TM - 0.02, &g1, NULL);
    cnt_dmu_gibbs_helmholtz(&f, TM, TM - 0.01, &g2, NULL);
    e1 = g1 - cnt_dmu_linear(dhm, TM, TM - 0.02);
    e2 = g2 - cnt_dmu_linear(dhm, TM, TM - 0.01);
    assert_close(e1 / e2, 4.0, 0.1); /* second order */
}

/* For constant Dh the linear (Turnbull) approximation is exact: -T Dh (1/T - 1/T_m) = -Dh (1 - T/T_m). */
static void test_constant_dh_linear_is_exact(void **state)
{
    (void)state;
    cnt_poly_fit f = {0};
    f.degree = 0;
    f.c[0] = 1.2873;
    double dmu;
    assert_int_equal(cnt_dmu_gibbs_helmholtz(&f, 1.113, 0.8127, &dmu, NULL), SR_OK);
    assert_close(dmu, cnt_dmu_linear(1.2873, 1.113, 0.8127), 1e-14);
}

/* Noise-free state points of a cubic Dh are fitted exactly by the degree-3 polynomial. */
static void test_fit_recovers_polynomial(void **state)
{
    (void)state;
    double T[9], hl[9], hs[9];
    for (int i = 0; i < 9; i++) {
        T[i] = 0.42 + 0.031 * i;
        hs[i] = -6.1 + 2.3 * T[i];
        hl[i] = hs[i] + dh_true(T[i], NULL);
    }
    cnt_poly_fit f;
    assert_int_equal(cnt_dh_fit(9, T, hl, hs, 3, &f), SR_OK);
    for (int k = 0; k < 4; k++) assert_close(f.c[k], C3[k], 1e-7 * (1 + fabs(C3[k])));
    double v, se;
    cnt_dh_eval(&f, 0.5, &v, &se);
    assert_close(v, dh_true(0.5, NULL), 1e-10);
    assert_true(se < 1e-10);
}

/* With noisy enthalpies (sd 0.004) the interval dmu +- se covers the true dmu(T) at ~68%
 * over 300 synthetic data sets (degree 2 fit of a quadratic Dh, 20 points). */
static void test_dmu_standard_error_coverage(void **state)
{
    (void)state;
    const double q[3] = {0.9312, -0.211, 0.187}, Tm = 0.7, T0 = 0.56;
    cnt_poly_fit truth = {0};
    truth.degree = 2;
    memcpy(truth.c, q, sizeof q);
    double dmu_true;
    cnt_dmu_gibbs_helmholtz(&truth, Tm, T0, &dmu_true, NULL);
    gsl_rng *r = sr_rng_create(42, 0, SR_RNG_USER);
    int covered = 0;
    const int sets = 300;
    for (int s = 0; s < sets; s++) {
        double T[20], hl[20], hs[20];
        for (int i = 0; i < 20; i++) {
            T[i] = 0.5 + 0.012 * i;
            hs[i] = -5.0 + 2.0 * T[i] + gsl_ran_gaussian(r, 0.004 / M_SQRT2);
            hl[i] = -5.0 + 2.0 * T[i] + q[0] + q[1] * T[i] + q[2] * T[i] * T[i] + gsl_ran_gaussian(r, 0.004 / M_SQRT2);
        }
        cnt_poly_fit f;
        assert_int_equal(cnt_dh_fit(20, T, hl, hs, 2, &f), SR_OK);
        double dmu, se;
        assert_int_equal(cnt_dmu_gibbs_helmholtz(&f, Tm, T0, &dmu, &se), SR_OK);
        covered += fabs(dmu - dmu_true) <= se;
    }
    /* 17 degrees of freedom: P(|t| < 1) = 0.669 */
    double p = 0.669, sd = sqrt(sets * p * (1 - p));
    print_message("dmu +- se coverage %d/%d (expected %.0f +- %.0f)\n", covered, sets, p * sets, sd);
    if (fabs(covered - p * sets) > 3.5 * sd) fail_msg("coverage %d/%d", covered, sets);
    gsl_rng_free(r);
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
    double T[4] = {0.5, 0.55, 0.6, 0.65}, hl[4] = {1, 1.1, 1.2, 1.3}, hs[4] = {0, 0.05, 0.1, 0.15};
    cnt_poly_fit f;
    expect_error(cnt_dh_fit(4, T, hl, hs, 4, &f), SR_EINVAL, "degree=4");
    expect_error(cnt_dh_fit(4, T, hl, hs, 3, &f), SR_EINVAL, "need >= 5");
    expect_error(cnt_dh_fit(0, T, hl, hs, 0, &f), SR_EINVAL, "0 state points");
    double hn[4] = {1, NAN, 1.2, 1.3};
    expect_error(cnt_dh_fit(4, T, hn, hs, 1, &f), SR_EINVAL, "not finite");
    double Tneg[4] = {0.5, -0.55, 0.6, 0.65};
    expect_error(cnt_dh_fit(4, Tneg, hl, hs, 1, &f), SR_EINVAL, "T[1]");
    assert_int_equal(cnt_dh_fit(4, T, hl, hs, 1, &f), SR_OK);
    double dmu;
    expect_error(cnt_dmu_gibbs_helmholtz(&f, 0.6, 0.0, &dmu, NULL), SR_EINVAL, "T=0");
    expect_error(cnt_dmu_gibbs_helmholtz(&f, NAN, 0.5, &dmu, NULL), SR_EINVAL, "T_m=nan");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gibbs_helmholtz_matches_quadrature),
        cmocka_unit_test(test_melting_point_slope_and_linear_approximation),
        cmocka_unit_test(test_constant_dh_linear_is_exact),
        cmocka_unit_test(test_fit_recovers_polynomial),
        cmocka_unit_test(test_dmu_standard_error_coverage),
        cmocka_unit_test(test_error_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
