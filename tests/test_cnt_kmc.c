/* test_cnt_kmc.c - Becker-Doring chain: detailed balance, steady flux, exact MFPT, the statistics of kMC
 * first-passage sums, and the Wedekind-Strey-Reguera fit (the Gillespie kMC itself: test_kmc_bd.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_math.h>

#include "cnt/cnt.h"
#include "common/sr_error.h"

#define assert_close(a, b, tol)                                                                  \
    do {                                                                                         \
        double a_ = (a), b_ = (b), t_ = (tol);                                                   \
        if (!(fabs(a_ - b_) <= t_)) fail_msg("%s = %.12g, expected %.12g +- %.3g", #a, a_, b_, t_); \
    } while (0)

/* CNT chain with N_c = 30, |dmu| = 0.5 kT: beta dG* = 7.5, beta dG(1) = 1.83 (reduced units). */
static cnt_bd_model *model30(size_t n_max)
{
    double n_c = 30, dmu = -0.5, rho_s = 1.0;
    double gamma = cbrt(3 * n_c * 0.125 * rho_s * rho_s / (32 * M_PI));
    cnt_bd_model *m = NULL;
    assert_int_equal(cnt_bd_create_cnt(gamma, dmu, rho_s, 0.9, 5.0, 1.0, n_max, &m), SR_OK);
    return m;
}

/* f-(n+1) rho_eq(n+1) = f+(n) rho_eq(n) for every n, and the CNT chain's maximum is dG* at N_c. */
static void test_detailed_balance(void **state)
{
    (void)state;
    cnt_bd_model *m = model30(80);
    assert_int_equal(cnt_bd_top(m), 30);
    assert_close(m->dG[30], 7.5, 1e-12);
    assert_close(m->f_plus[30], 5.0, 1e-12);
    assert_close(m->f_minus[1], 0.0, 0);
    for (size_t n = 1; n < m->n_max; n++) {
        double fwd = m->f_plus[n] * exp(-m->beta * m->dG[n]), bwd = m->f_minus[n + 1] * exp(-m->beta * m->dG[n + 1]);
        assert_close(bwd / fwd, 1.0, 1e-12);
    }
    assert_true(m->f_minus[20] > m->f_plus[20]); /* uphill: detachment wins */
    assert_true(m->f_minus[50] < m->f_plus[50]); /* downhill: attachment wins */
    cnt_bd_free(m);
}

/* Flat landscape, constant f: J_BD = rho_l f / (n_max - 1) and the MFPT of the reflected symmetric
 * walk from 1 is tau(M) = M (M - 1) / (2 f) (hand formulas). */
static void test_flat_landscape_hand_values(void **state)
{
    (void)state;
    enum { M = 25 };
    double dG[M + 1] = {0}, fp[M + 1];
    for (int n = 0; n <= M; n++) fp[n] = 2.7;
    cnt_bd_model *m;
    assert_int_equal(cnt_bd_create_table(M, dG, fp, 0.83, 0.61, &m), SR_OK);
    double J, tau[M + 1];
    assert_int_equal(cnt_bd_steady_flux(m, &J), SR_OK);
    assert_close(J, 0.61 * 2.7 / (M - 1), 1e-14);
    assert_int_equal(cnt_bd_mfpt_exact(m, 1, tau), SR_OK);
    for (int n = 1; n <= M; n++) assert_close(tau[n], n * (n - 1) / (2 * 2.7), 1e-11 * n * n);
    cnt_bd_free(m);
}

/* J_BD approaches the CNT (Zeldovich) rate as the barrier grows, with a relative error below 1/N_c. */
static void test_bd_flux_approaches_cnt(void **state)
{
    (void)state;
    const double ncs[3] = {100, 300, 1000};
    double prev = 1;
    for (int i = 0; i < 3; i++) {
        cnt_inputs in = {ncs[i], -0.4, 1.05, 0.95, 37.0, 0.8};
        cnt_result r;
        assert_int_equal(cnt_compute(&in, &r), SR_OK);
        cnt_bd_model *m;
        assert_int_equal(cnt_bd_create_cnt(r.gamma, in.dmu, in.rho_s, in.rho_l, in.f_plus, in.kT,
                                           (size_t)(3 * ncs[i]), &m), SR_OK);
        double J;
        assert_int_equal(cnt_bd_steady_flux(m, &J), SR_OK);
        double err = fabs(J / r.J - 1);
        assert_true(err < 1.0 / ncs[i]);
        assert_true(err < prev);
        prev = err;
        cnt_bd_free(m);
    }
}

/* The exact MFPT across the barrier equals S / J_BD (the normalisation that turns tau_J into a rate
 * per volume), up to the part of P(n) above the barrier, here 0.1%. */
static void test_mfpt_population_normalisation(void **state)
{
    (void)state;
    cnt_bd_model *m = model30(80);
    double J, S, tau[81];
    assert_int_equal(cnt_bd_steady_flux(m, &J), SR_OK);
    assert_int_equal(cnt_bd_population(m, &S), SR_OK);
    assert_int_equal(cnt_bd_mfpt_exact(m, 1, tau), SR_OK);
    assert_close(tau[80] * J / S, 1.0, 2e-3);
    cnt_bd_free(m);
}

/* tau(n) and its standard error from first-passage sums, by hand: three trajectories with passage times
 * (1, 2, 4) at n = 2 give mean 7/3 and se = sd/sqrt(3), sd^2 = (sum t^2 - 3 mean^2)/2. (The Gillespie kMC that
 * produces the sums is tested against the exact chain in test_kmc_bd.c.) */
static void test_mfpt_finish_hand_values(void **state)
{
    (void)state;
    double s1[4] = {0, 0, 7.0, 3.3}, s2[4] = {0, 0, 21.0, 3.63}, tau[4], se[4];
    assert_int_equal(cnt_kmc_mfpt_finish(3, 3, s1, s2, tau, se), SR_OK);
    assert_close(tau[2], 7.0 / 3.0, 1e-14);
    assert_close(se[2], sqrt((21.0 - 3.0 * 49.0 / 9.0) / 2.0 / 3.0), 1e-14);
    assert_close(tau[3], 1.1, 1e-14);
    assert_close(se[3], 0.0, 1e-7);
    assert_int_equal(cnt_kmc_mfpt_finish(3, 1, s1, s2, tau, se), SR_EINVAL);
    sr_error_clear();
}

/* The WSR fit recovers known parameters from a noise-free erf curve. */
static void test_wsr_fit_recovers_parameters(void **state)
{
    (void)state;
    cnt_mfpt_fit truth = {.tau_J = 1234.5, .c = 0.0731, .n_star = 47.3};
    double tau[121];
    for (int n = 0; n <= 120; n++) tau[n] = cnt_mfpt_wsr_eval(&truth, n);
    cnt_mfpt_fit f;
    assert_int_equal(cnt_mfpt_fit_wsr(5, 120, tau, NULL, 1e-12, 1e-12, 200, &f), SR_OK);
    assert_close(f.tau_J, 1234.5, 1e-6);
    assert_close(f.c, 0.0731, 1e-9);
    assert_close(f.n_star, 47.3, 1e-7);
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
    cnt_bd_model *m = NULL;
    expect_error(cnt_bd_create_cnt(0.5, 0.0, 1.0, 0.9, 5.0, 1.0, 80, &m), SR_EINVAL, "|dmu|=0");
    assert_null(m);
    expect_error(cnt_bd_create_cnt(0.5, -0.5, 1.0, 0.9, 5.0, 1.0, 2, &m), SR_EINVAL, "n_max=2");
    double dG[5] = {0, 0, NAN, 0, 0}, fp[5] = {1, 1, 1, 1, 1};
    expect_error(cnt_bd_create_table(4, dG, fp, 1.0, 1.0, &m), SR_EINVAL, "dG[2]");
    m = model30(80);
    double tau[81] = {0};
    expect_error(cnt_mfpt_fit_wsr(10, 11, tau, NULL, 1e-10, 1e-10, 100, &(cnt_mfpt_fit){0}), SR_EINVAL,
                 "fewer than 4");
    double se[81] = {0};
    expect_error(cnt_mfpt_fit_wsr(2, 80, tau, se, 1e-10, 1e-10, 100, &(cnt_mfpt_fit){0}), SR_EINVAL, "se[2]");
    cnt_bd_free(m);
    cnt_bd_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detailed_balance),
        cmocka_unit_test(test_flat_landscape_hand_values),
        cmocka_unit_test(test_bd_flux_approaches_cnt),
        cmocka_unit_test(test_mfpt_population_normalisation),
        cmocka_unit_test(test_mfpt_finish_hand_values),
        cmocka_unit_test(test_wsr_fit_recovers_parameters),
        cmocka_unit_test(test_error_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
