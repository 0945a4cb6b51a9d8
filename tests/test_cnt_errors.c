/* test_cnt_errors.c - Monte-Carlo error propagation, percentile intervals, gamma(T) fits and the
 * log10 J(T) band of a temperature model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "cnt/cnt.h"
#include "common/sr_error.h"
#include "common/sr_rng.h"

#define assert_close(a, b, tol)                                                                  \
    do {                                                                                         \
        double a_ = (a), b_ = (b), t_ = (tol);                                                   \
        if (!(fabs(a_ - b_) <= t_)) fail_msg("%s = %.12g, expected %.12g +- %.3g", #a, a_, b_, t_); \
    } while (0)

static double gamma_of(double n_c, double dmu, double rho_s)
{
    cnt_inputs in = {n_c, dmu, rho_s, 1.0, 1.0, 1.0};
    cnt_result r;
    cnt_compute(&in, &r);
    return r.gamma;
}

/* Percentiles of 0..100 (101 values, linear interpolation): median 50, 15.865th = 15.865. */
static void test_percentile_interval_hand_case(void **state)
{
    (void)state;
    double v[101];
    for (int i = 0; i < 101; i++) v[i] = (i * 37) % 101; /* a permutation of 0..100 */
    cnt_interval I;
    assert_int_equal(cnt_percentile_interval(v, 101, &I), SR_OK);
    assert_close(I.median, 50.0, 1e-12);
    assert_close(I.lo68, 15.865525393145705, 1e-9);
    assert_close(I.hi68, 84.134474606854295, 1e-9);
    assert_close(I.lo95, 2.2750131948179195, 1e-9);
    assert_close(I.hi95, 97.72498680518208, 1e-9);
    assert_int_equal(I.n, 101);
}

/* No uncertainty: every draw gives the cnt_compute values. */
static void test_propagate_without_uncertainty(void **state)
{
    (void)state;
    cnt_dist nc = {250, 0, NULL, 0}, dmu = {-0.31, 0, NULL, 0}, rs = {1.02, 0, NULL, 0}, rl = {0.93, 0, NULL, 0},
             fp = {47.5, 0, NULL, 0};
    gsl_rng *r = sr_rng_create(1, 0, SR_RNG_BOOTSTRAP);
    cnt_propagated p;
    assert_int_equal(cnt_propagate(&nc, &dmu, &rs, &rl, &fp, 0.92, 50, r, &p), SR_OK);
    assert_close(p.gamma.lo95, 0.6137840697140083, 1e-14);
    assert_close(p.gamma.hi95, 0.6137840697140083, 1e-14);
    assert_close(p.log10_J.median, -18.71995182852893, 1e-12);
    assert_int_equal(p.n_rejected, 0);
    gsl_rng_free(r);
}

/* Only N_c uncertain (normal 250 +- 12): gamma and dG* are increasing functions of N_c, so their
 * percentiles are the images of N_c's (250 -+ 12 for 68%, -+ 24 for 95%), and log10 J (decreasing)
 * maps the 68% ends the other way round. */
static void test_propagate_monotone_images(void **state)
{
    (void)state;
    cnt_dist nc = {250, 12, NULL, 0}, dmu = {-0.31, 0, NULL, 0}, rs = {1.02, 0, NULL, 0}, rl = {0.93, 0, NULL, 0},
             fp = {47.5, 0, NULL, 0};
    gsl_rng *r = sr_rng_create(2, 0, SR_RNG_BOOTSTRAP);
    cnt_propagated p;
    assert_int_equal(cnt_propagate(&nc, &dmu, &rs, &rl, &fp, 0.92, 200000, r, &p), SR_OK);
    double tol = 0.15; /* in N_c units: quantile sampling noise ~ 12 * 1.5 / sqrt(2e5) = 0.04 */
    assert_close(p.dG_star.lo68, 0.155 * 238, 0.155 * tol);
    assert_close(p.dG_star.hi68, 0.155 * 262, 0.155 * tol);
    assert_close(p.dG_star.lo95, 0.155 * 226, 0.155 * 2 * tol);
    assert_close(p.gamma.hi68, gamma_of(262, -0.31, 1.02), gamma_of(250, -0.31, 1.02) / (3 * 250) * tol);
    cnt_inputs in = {262, -0.31, 1.02, 0.93, 47.5, 0.92};
    cnt_result hi;
    cnt_compute(&in, &hi);
    assert_close(p.log10_J.lo68, hi.log10_J, 0.155 / 0.92 / log(10) * tol);
    gsl_rng_free(r);
}

/* Inputs given as samples (e.g. bootstrap replicates) are drawn from the sample. */
static void test_propagate_from_samples(void **state)
{
    (void)state;
    const double ncs[3] = {240, 250, 260};
    cnt_dist nc = {0, 0, ncs, 3}, dmu = {-0.31, 0, NULL, 0}, rs = {1.02, 0, NULL, 0}, rl = {0.93, 0, NULL, 0},
             fp = {47.5, 0, NULL, 0};
    gsl_rng *r = sr_rng_create(3, 0, SR_RNG_BOOTSTRAP);
    cnt_propagated p;
    assert_int_equal(cnt_propagate(&nc, &dmu, &rs, &rl, &fp, 0.92, 3000, r, &p), SR_OK);
    assert_close(p.dG_star.median, 0.155 * 250, 1e-12);
    assert_close(p.dG_star.lo95, 0.155 * 240, 1e-12);
    assert_close(p.dG_star.hi95, 0.155 * 260, 1e-12);
    gsl_rng_free(r);
}

/* Weighted gamma(T) = a + b T recovers a known line; the standard error of the prediction is
 * smallest inside the data and grows when extrapolating. */
static void test_gamma_linear_fit(void **state)
{
    (void)state;
    double T[6], g[6], sg[6];
    gsl_rng *r = sr_rng_create(5, 0, SR_RNG_USER);
    for (int i = 0; i < 6; i++) {
        T[i] = 0.5 + 0.03 * i;
        sg[i] = 0.004;
        g[i] = 0.3127 + 0.5219 * T[i] + gsl_ran_gaussian(r, sg[i]);
    }
    cnt_linfit f;
    assert_int_equal(cnt_linear_fit(6, T, g, sg, &f), SR_OK);
    assert_close(f.b, 0.5219, 4 * sqrt(f.cov[1][1]));
    double y, se_in, se_out;
    cnt_linfit_eval(&f, 0.575, &y, &se_in);
    assert_close(y, 0.3127 + 0.5219 * 0.575, 4 * se_in);
    cnt_linfit_eval(&f, 0.3, &y, &se_out);
    assert_true(se_out > 3 * se_in);
    /* the mean of 6 equally weighted points has se 0.004/sqrt(6) at the centroid */
    assert_close(se_in, 0.004 / sqrt(6.0), 1e-12);
    gsl_rng_free(r);
}

/* Table model: linear interpolation and end-segment extrapolation (hand values). */
static void test_table_model(void **state)
{
    (void)state;
    const double T[3] = {0.5, 0.6, 0.8}, v[3] = {1.0, 2.0, 3.0}, sd[3] = {0.1, 0.2, 0.4};
    cnt_table_model tab = {3, T, v, sd};
    double y, s;
    assert_int_equal(cnt_table_model_eval(&tab, 0.55, &y, &s), SR_OK);
    assert_close(y, 1.5, 1e-14);
    assert_close(s, 0.15, 1e-14);
    assert_int_equal(cnt_table_model_eval(&tab, 0.9, &y, &s), SR_OK);
    assert_close(y, 3.5, 1e-14);
    assert_int_equal(cnt_table_model_eval(&tab, 0.4, &y, &s), SR_OK);
    assert_close(y, 0.0, 1e-14);
}

/* log10 J(T) from models: the central value equals cnt_compute with N_c from gamma; with only gamma
 * uncertain the band is the monotone image of gamma -+ sd (J falls with gamma), also at a T outside
 * the table (extrapolation). */
static void test_rate_model_band(void **state)
{
    (void)state;
    const double Tt[2] = {0.5, 0.6};
    const double dmu_v[2] = {-0.35, -0.25}, rs_v[2] = {1.05, 1.03}, rl_v[2] = {0.95, 0.93}, fp_v[2] = {40, 60};
    cnt_table_model tdmu = {2, Tt, dmu_v, NULL}, trs = {2, Tt, rs_v, NULL}, trl = {2, Tt, rl_v, NULL},
                    tfp = {2, Tt, fp_v, NULL};
    cnt_linfit gfit = {0.31, 0.52, {{0, 0}, {0, 0}}, 0, 0};
    gfit.cov[0][0] = 0.006 * 0.006; /* gamma sd = 0.006 at every T */
    cnt_rate_model m = {{cnt_linfit_model_eval, &gfit}, {cnt_table_model_eval, &tdmu},
                        {cnt_table_model_eval, &trs}, {cnt_table_model_eval, &trl},
                        {cnt_table_model_eval, &tfp}, 1.0};
    const double Ts[2] = {0.53, 0.45};
    for (int k = 0; k < 2; k++) {
        double T = Ts[k], dmu, rs, rl, fp;
        cnt_table_model_eval(&tdmu, T, &dmu, NULL);
        cnt_table_model_eval(&trs, T, &rs, NULL);
        cnt_table_model_eval(&trl, T, &rl, NULL);
        cnt_table_model_eval(&tfp, T, &fp, NULL);
        double g = 0.31 + 0.52 * T, lj[3];
        for (int s = -1; s <= 1; s++) {
            double n_c;
            assert_int_equal(cnt_critical_size(g + s * 0.006, dmu, rs, &n_c, NULL), SR_OK);
            cnt_inputs in = {n_c, dmu, rs, rl, fp, T};
            cnt_result r;
            assert_int_equal(cnt_compute(&in, &r), SR_OK);
            lj[s + 1] = r.log10_J;
        }
        gsl_rng *rng = sr_rng_create(6, k, SR_RNG_BOOTSTRAP);
        double central;
        cnt_interval band;
        size_t rej;
        assert_int_equal(cnt_rate_at(&m, T, 100000, rng, &central, &band, &rej), SR_OK);
        assert_close(central, lj[1], 1e-12);
        double tol = 0.02 * (lj[0] - lj[2]); /* quantile noise, in units of the 1-sigma span */
        assert_close(band.lo68, lj[2], tol);
        assert_close(band.hi68, lj[0], tol);
        assert_close(band.median, lj[1], tol);
        assert_int_equal(rej, 0);
        gsl_rng_free(rng);
    }
}

/* dmu model from Dh and T_m: value = Gibbs-Helmholtz, sd includes sigma_T_m via -T Dh_m/T_m^2. */
static void test_dmu_model_includes_tm_error(void **state)
{
    (void)state;
    cnt_poly_fit dh = {0};
    dh.degree = 0;
    dh.c[0] = 1.1;
    cnt_dmu_model m = {&dh, 0.7, 0.005};
    double v, sd;
    assert_int_equal(cnt_dmu_model_eval(&m, 0.56, &v, &sd), SR_OK);
    assert_close(v, -1.1 * (1 - 0.56 / 0.7), 1e-14);
    assert_close(sd, 0.56 * 1.1 / (0.7 * 0.7) * 0.005, 1e-14);
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
    double v[3] = {1, NAN, 2};
    cnt_interval I;
    expect_error(cnt_percentile_interval(v, 3, &I), SR_EINVAL, "sample 1 is not finite");
    expect_error(cnt_percentile_interval(v, 1, &I), SR_EINVAL, "at least 2");
    gsl_rng *r = sr_rng_create(9, 0, SR_RNG_BOOTSTRAP);
    cnt_dist nc = {250, 0, NULL, 0}, dmu = {-0.01, 0.05, NULL, 0}, rs = {0.02, 0.05, NULL, 0},
             rl = {0.93, 0, NULL, 0}, fp = {47.5, 0, NULL, 0};
    cnt_propagated p;
    /* ~42% of dmu draws change sign and ~34% of rho_s draws are negative: > half rejected */
    expect_error(cnt_propagate(&nc, &dmu, &rs, &rl, &fp, 0.92, 1000, r, &p), SR_ENUMERIC, "changed sign");
    rs.value = 1.02;
    rs.sd = 0;
    cnt_dist nan_nc = {NAN, 1, NULL, 0};
    dmu.value = -0.31;
    expect_error(cnt_propagate(&nan_nc, &dmu, &rs, &rl, &fp, 0.92, 1000, r, &p), SR_EINVAL, "N_c");
    expect_error(cnt_propagate(&nc, &dmu, &rs, &rl, &fp, -1.0, 1000, r, &p), SR_EINVAL, "kT");
    /* rate model: a missing model, and a non-physical point (gamma(T) < 0 when extrapolated) */
    const double Tt[2] = {0.5, 0.6}, dv[2] = {-0.1, -0.2}, one[2] = {1, 1};
    cnt_table_model td = {2, Tt, dv, NULL}, t1 = {2, Tt, one, NULL};
    cnt_linfit g = {0.3, 1.0, {{0, 0}, {0, 0}}, 0, 0};
    cnt_rate_model m = {{cnt_linfit_model_eval, &g}, {cnt_table_model_eval, &td}, {cnt_table_model_eval, &t1},
                        {cnt_table_model_eval, &t1}, {NULL, NULL}, 1.0};
    double lj;
    cnt_interval band;
    expect_error(cnt_rate_at(&m, 0.55, 100, r, &lj, &band, NULL), SR_EINVAL, "f+ has no eval");
    m.f_plus.eval = cnt_table_model_eval;
    m.f_plus.ctx = &t1;
    assert_int_equal(cnt_rate_at(&m, 0.55, 100, r, &lj, &band, NULL), SR_OK);
    g.b = -1.0; /* gamma(0.55) = -0.25 */
    expect_error(cnt_rate_at(&m, 0.55, 100, r, &lj, &band, NULL), SR_EINVAL, "non-physical point");
    gsl_rng_free(r);
    double x[2] = {1, 1}, y[2] = {1, 2}, s[2] = {1, 1};
    cnt_linfit f;
    expect_error(cnt_linear_fit(2, x, y, s, &f), SR_EINVAL, "all 2 x values are equal");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentile_interval_hand_case),
        cmocka_unit_test(test_propagate_without_uncertainty),
        cmocka_unit_test(test_propagate_monotone_images),
        cmocka_unit_test(test_propagate_from_samples),
        cmocka_unit_test(test_gamma_linear_fit),
        cmocka_unit_test(test_table_model),
        cmocka_unit_test(test_rate_model_band),
        cmocka_unit_test(test_dmu_model_includes_tm_error),
        cmocka_unit_test(test_error_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
