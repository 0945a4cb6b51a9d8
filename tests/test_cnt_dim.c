/* test_cnt_dim.c - CNT in two and three dimensions (cnt_compute_dim): against the analytic 2D formulas
 * (dG* = N_c |dmu|, Z = sqrt(|dmu|/(4 pi kT N_c)), gamma = |dmu| sqrt(N_c rho_s/pi)), against a numerical
 * barrier dG(N) = -|dmu| N + a N^((d-1)/d) (stationary point, curvature -> Z), and d = 3 equal to cnt_compute. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <gsl/gsl_math.h>

#include "cnt/cnt.h"
#include "common/sr_error.h"

static void test_2d_matches_analytic_formulas(void **state)
{
    (void)state;
    /* the 2D Ising point h = 0.2, T = 1.5: dmu = 2 h m_s, one site per unit area */
    cnt_inputs in = {.n_c = 38.3, .dmu = -2 * 0.2 * 0.986504, .rho_s = 1.0, .rho_l = 1.0, .f_plus = 9.4, .kT = 1.5};
    cnt_result r;
    assert_int_equal(cnt_compute_dim(2, &in, &r), SR_OK);
    double adm = 0.4 * 0.986504;
    assert_true(fabs(r.dG_star - 38.3 * adm) < 1e-12);
    assert_true(fabs(r.beta_dG - 38.3 * adm / 1.5) < 1e-12);
    assert_true(fabs(r.zeldovich - sqrt(adm / (4 * M_PI * 1.5 * 38.3))) < 1e-15);
    assert_true(fabs(r.gamma - adm * sqrt(38.3 / M_PI)) < 1e-12);
    double lj = log10(r.zeldovich * 9.4) - r.beta_dG / M_LN10;
    assert_true(fabs(r.log10_J - lj) < 1e-12);
    assert_true(fabs(r.J / pow(10.0, lj) - 1) < 1e-12);
    /* the old private Ising result at this point (validation/ising README): log10 J = -5.03 */
    assert_true(fabs(r.log10_J - (-5.03)) < 0.01);
    /* a line tension that reproduces N_c: N_c = pi gamma^2 / (rho_s dmu^2), with rho_s = 0.73 too */
    in.rho_s = 0.73;
    assert_int_equal(cnt_compute_dim(2, &in, &r), SR_OK);
    assert_true(fabs(M_PI * r.gamma * r.gamma / (0.73 * adm * adm) - 38.3) < 1e-10);
}

static void test_barrier_stationary_and_curvature(void **state)
{
    (void)state;
    for (int d = 2; d <= 3; d++) {
        double kT = 1.43, dmu = 0.271, n_c = 83.7, rho = 1.17;
        double q = (d - 1.0) / d;
        double a = dmu / q * pow(n_c, 1.0 - q); /* makes N_c the stationary point */
        cnt_inputs in = {.n_c = n_c, .dmu = -dmu, .rho_s = rho, .rho_l = 0.61, .f_plus = 12.9, .kT = kT};
        cnt_result c;
        assert_int_equal(cnt_compute_dim(d, &in, &c), SR_OK);
#define DG(N) (-dmu * (N) + a * pow((N), q))
        double hs = 1e-2, g0 = DG(n_c), gp = DG(n_c + hs), gm = DG(n_c - hs);
        assert_true(fabs(c.dG_star - g0) < 1e-10 * g0);
        assert_true(fabs(gp - gm) / (2 * hs) < 1e-8); /* stationary */
        double curv = -(gp - 2 * g0 + gm) / (hs * hs);
        assert_true(fabs(c.zeldovich - sqrt(curv / (2 * M_PI * kT))) < 1e-5 * c.zeldovich);
        assert_true(fabs(c.J - 0.61 * c.zeldovich * 12.9 * exp(-g0 / kT)) < 1e-11 * c.J);
        /* gamma reproduces the same barrier through the disc / sphere surface term */
        double surf = d == 2 ? 2.0 * sqrt(M_PI * n_c / rho) * c.gamma
                             : cbrt(36.0 * M_PI) * pow(n_c / rho, 2.0 / 3.0) * c.gamma;
        assert_true(fabs(-dmu * n_c + surf - g0) < 1e-9 * g0);
#undef DG
        if (d == 3) { /* identical to cnt_compute */
            cnt_result r3;
            assert_int_equal(cnt_compute(&in, &r3), SR_OK);
            assert_true(c.log10_J == r3.log10_J && c.gamma == r3.gamma && c.zeldovich == r3.zeldovich);
        }
    }
}

static void test_errors(void **state)
{
    (void)state;
    cnt_inputs in = {.n_c = 10, .dmu = -0.1, .rho_s = 1, .rho_l = 1, .f_plus = 1, .kT = 1};
    cnt_result r;
    assert_int_equal(cnt_compute_dim(4, &in, &r), SR_EINVAL);
    sr_error_clear();
    assert_int_equal(cnt_compute_dim(1, &in, &r), SR_EINVAL);
    sr_error_clear();
    in.f_plus = 0;
    assert_int_equal(cnt_compute_dim(2, &in, &r), SR_EINVAL);
    sr_error_clear();
    in.f_plus = 1;
    in.dmu = 0;
    assert_int_equal(cnt_compute_dim(2, &in, &r), SR_EINVAL);
    sr_error_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_2d_matches_analytic_formulas),
        cmocka_unit_test(test_barrier_stationary_and_curvature),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
