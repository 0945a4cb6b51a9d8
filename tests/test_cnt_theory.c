/* test_cnt_theory.c - CNT quantities of a spherical nucleus and lj/metal/SI unit conversions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>
#include <gsl/gsl_math.h>

#include "cnt/cnt.h"
#include "common/sr_error.h"

#define assert_close(a, b, tol)                                                                  \
    do {                                                                                         \
        double a_ = (a), b_ = (b), t_ = (tol);                                                   \
        if (!(fabs(a_ - b_) <= t_)) fail_msg("%s = %.12g, expected %.12g +- %.3g", #a, a_, b_, t_); \
    } while (0)

/* Hand case (reduced units): N_c = 250, dmu = -0.31, rho_s = 1.02, rho_l = 0.93, f+ = 47.5, kT = 0.92.
 * gamma = (3*250*0.31^3*1.02^2/(32 pi))^(1/3) = 0.6137840697140083
 * dG* = 250*0.31/2 = 38.75;  Z = sqrt(0.31/(6 pi 0.92 250)) = 0.008456027124036779
 * J = 0.93 Z 47.5 exp(-38.75/0.92) = 1.905672081313284e-19, log10 J = -18.71995182852893 */
static const cnt_inputs hand = {250, -0.31, 1.02, 0.93, 47.5, 0.92};

static void test_cnt_hand_values(void **state)
{
    (void)state;
    cnt_result r;
    assert_int_equal(cnt_compute(&hand, &r), SR_OK);
    assert_close(r.gamma, 0.6137840697140083, 1e-14);
    assert_close(r.dG_star, 38.75, 1e-12);
    assert_close(r.beta_dG, 38.75 / 0.92, 1e-12);
    assert_close(r.zeldovich, 0.008456027124036779, 1e-16);
    assert_close(r.J / 1.905672081313284e-19, 1.0, 1e-12);
    assert_close(r.log10_J, -18.71995182852893, 1e-12);
    /* the sign of dmu does not matter */
    cnt_inputs pos = hand;
    pos.dmu = 0.31;
    cnt_result r2;
    assert_int_equal(cnt_compute(&pos, &r2), SR_OK);
    assert_close(r2.log10_J, r.log10_J, 0);
}

/* log10 J stays finite where J itself underflows (huge barrier). */
static void test_log10_rate_without_underflow(void **state)
{
    (void)state;
    cnt_inputs in = hand;
    in.n_c = 20000; /* dG* / kT = 3370 */
    cnt_result r;
    assert_int_equal(cnt_compute(&in, &r), SR_OK);
    assert_true(r.J == 0.0);
    double expect = log10(in.rho_l * r.zeldovich * in.f_plus) - r.beta_dG / log(10.0);
    assert_close(r.log10_J, expect, 1e-9);
    assert_true(r.log10_J < -1400);
}

/* gamma -> N_c, dG* (cnt_critical_size) inverts cnt_compute and gives the same barrier. */
static void test_critical_size_inverts_gamma(void **state)
{
    (void)state;
    cnt_result r;
    assert_int_equal(cnt_compute(&hand, &r), SR_OK);
    double n_c, dG;
    assert_int_equal(cnt_critical_size(r.gamma, hand.dmu, hand.rho_s, &n_c, &dG), SR_OK);
    assert_close(n_c, 250.0, 1e-10);
    assert_close(dG, r.dG_star, 1e-10);
}

/* Physics: the CNT free energy dG(n) = n dmu + gamma A(n) of the Becker-Doring chain has its maximum
 * dG* at N_c, and Z = sqrt(-dG''(N_c)/(2 pi kT)) (Zeldovich) agrees with the closed form. */
static void test_zeldovich_is_barrier_curvature(void **state)
{
    (void)state;
    cnt_result r;
    assert_int_equal(cnt_compute(&hand, &r), SR_OK);
    cnt_bd_model *m;
    assert_int_equal(cnt_bd_create_cnt(r.gamma, hand.dmu, hand.rho_s, hand.rho_l, hand.f_plus, hand.kT, 600, &m),
                     SR_OK);
    assert_int_equal(cnt_bd_top(m), 250);
    assert_close(m->dG[250], r.dG_star, 1e-10 * r.dG_star);
    double curv = m->dG[251] - 2 * m->dG[250] + m->dG[249];
    assert_close(sqrt(-curv / (2 * M_PI * hand.kT)), r.zeldovich, 1e-4 * r.zeldovich);
    cnt_bd_free(m);
}

/* Argon (sigma 3.405 A, eps/kB = 119.8 K, m = 39.948 g/mol): tau = sigma sqrt(m/eps) = 2.15635 ps. */
static void test_argon_time_unit(void **state)
{
    (void)state;
    cnt_lj_units u;
    assert_int_equal(cnt_lj_units_init(3.405, 119.8 * CNT_KB_EV_PER_K, 39.948, &u), SR_OK);
    assert_close(u.tau_ps, 2.1563494148484486, 1e-10);
    assert_close(cnt_lj_to_metal_temperature(&u, 1.0), 119.8, 1e-10);
    assert_close(cnt_lj_to_metal_energy(&u, 2.0), 2 * 0.010323565247875999, 1e-15);
    assert_close(cnt_lj_to_metal_time(&u, 1000.0), 2156.3494148484486, 1e-7); /* k_B in eV/K is rounded at 1e-11 */
    assert_close(cnt_lj_to_metal_density(&u, 0.844), 0.844 / (3.405 * 3.405 * 3.405), 1e-15);
    /* tension eps/sigma^2 -> eV/A^2 -> J/m^2: 1 eV/A^2 = 16.02176634 J/m^2 */
    assert_close(cnt_metal_to_si_tension(1.0), 16.02176634, 1e-9);
    assert_close(cnt_lj_to_metal_tension(&u, 1.0), 0.010323565247875999 / (3.405 * 3.405), 1e-15);
}

/* Rates: sigma^-3 tau^-1 -> A^-3 ps^-1 -> m^-3 s^-1 and back. Hand value for argon:
 * J* = 1e-10 -> 1e-10 / (3.405^3 * 2.15635) A^-3 ps^-1 = 1.174707e-12 -> 1.174707e30 m^-3 s^-1. */
static void test_rate_conversions_round_trip(void **state)
{
    (void)state;
    cnt_lj_units u;
    assert_int_equal(cnt_lj_units_init(3.405, 119.8 * CNT_KB_EV_PER_K, 39.948, &u), SR_OK);
    double Jm = cnt_lj_to_metal_rate(&u, 1e-10);
    assert_close(Jm, 1.1747068898286964e-12, 1e-9 * Jm);
    double Jsi = cnt_metal_to_si_rate(Jm);
    assert_close(Jsi / 1e30, 1e-10 / (3.405 * 3.405 * 3.405 * 2.1563494148484486) * 1e12, 1e-6);
    assert_close(cnt_si_to_metal_rate(Jsi) / Jm, 1.0, 1e-15);
    assert_close(cnt_metal_to_lj_rate(&u, Jm) / 1e-10, 1.0, 1e-15);
    assert_close(cnt_metal_to_si_log10_rate(log10(Jm)), log10(Jsi), 1e-12);
}

/* Every lj -> metal conversion is undone by its metal -> lj partner (high-entropy values). */
static void test_lj_metal_round_trips(void **state)
{
    (void)state;
    cnt_lj_units u;
    assert_int_equal(cnt_lj_units_init(2.0951, 0.2683, 28.0855, &u), SR_OK); /* Si-like scales */
    const double v = 0.73914;
    assert_close(cnt_metal_to_lj_energy(&u, cnt_lj_to_metal_energy(&u, v)), v, 1e-15);
    assert_close(cnt_metal_to_lj_temperature(&u, cnt_lj_to_metal_temperature(&u, v)), v, 1e-15);
    assert_close(cnt_metal_to_lj_time(&u, cnt_lj_to_metal_time(&u, v)), v, 1e-15);
    assert_close(cnt_metal_to_lj_density(&u, cnt_lj_to_metal_density(&u, v)), v, 1e-15);
    assert_close(cnt_metal_to_lj_rate(&u, cnt_lj_to_metal_rate(&u, v)), v, 1e-15);
    assert_close(cnt_si_to_metal_rate(cnt_metal_to_si_rate(v)), v, 1e-15);
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
    cnt_result r;
    cnt_inputs in = hand;
    in.n_c = NAN;
    expect_error(cnt_compute(&in, &r), SR_EINVAL, "N_c");
    in = hand;
    in.dmu = 0;
    expect_error(cnt_compute(&in, &r), SR_EINVAL, "|dmu|");
    in = hand;
    in.rho_l = -0.9;
    expect_error(cnt_compute(&in, &r), SR_EINVAL, "rho_l");
    in = hand;
    in.kT = INFINITY;
    expect_error(cnt_compute(&in, &r), SR_EINVAL, "kT");
    expect_error(cnt_critical_size(0.6, 0.0, 1.0, NULL, NULL), SR_EINVAL, "|dmu|=0");
    cnt_lj_units u;
    expect_error(cnt_lj_units_init(-3.4, 0.01, 39.9, &u), SR_EINVAL, "sigma=-3.4");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cnt_hand_values),
        cmocka_unit_test(test_log10_rate_without_underflow),
        cmocka_unit_test(test_critical_size_inverts_gamma),
        cmocka_unit_test(test_zeldovich_is_barrier_curvature),
        cmocka_unit_test(test_argon_time_unit),
        cmocka_unit_test(test_rate_conversions_round_trip),
        cmocka_unit_test(test_lj_metal_round_trips),
        cmocka_unit_test(test_error_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
