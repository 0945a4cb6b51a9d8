/* test_kmc_bd.c - Gillespie kMC of one cluster on a Becker-Doring chain (kmc_bd_mfpt_accumulate): the mean
 * first-passage times of 4000 trajectories equal the exact MFPT of the birth-death chain, computed here
 * independently from the rates alone; replica ranges compose; error paths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/sr_error.h"
#include "kmc/kmc.h"

enum { NMAX = 60 };

/* A chain with a barrier: dG(n)/kT = -0.5 n + 2.4 n^(2/3) (top at n* = 32.8, dG* - dG(1) = 6.3 kT),
 * f+(n) = 3.1 n^(2/3), f-(n+1) = f+(n) exp(dG(n+1) - dG(n)) (detailed balance), f-(1) = 0. */
static void chain(double *fp, double *fm)
{
    double dG[NMAX + 2];
    for (int n = 1; n <= NMAX + 1; n++) dG[n] = -0.5 * n + 2.4 * pow(n, 2.0 / 3.0);
    fm[0] = fp[0] = 0.0;
    fm[1] = 0.0;
    for (int n = 1; n <= NMAX; n++) {
        fp[n] = 3.1 * pow(n, 2.0 / 3.0);
        if (n < NMAX) fm[n + 1] = fp[n] * exp(dG[n + 1] - dG[n]);
    }
}

/* Exact MFPT from n = 1 of a birth-death chain with a reflecting wall at 1 (Gardiner sec. 7.4):
 * pi(1) = 1, pi(n+1) = pi(n) f+(n)/f-(n+1);  tau(n+1) - tau(n) = sum_{m<=n} pi(m) / (f+(n) pi(n)). */
static void exact_mfpt(const double *fp, const double *fm, double *tau)
{
    double pi[NMAX + 1], P = 0.0;
    pi[1] = 1.0;
    for (int n = 1; n < NMAX; n++) pi[n + 1] = pi[n] * fp[n] / fm[n + 1];
    tau[0] = tau[1] = 0.0;
    for (int n = 1; n < NMAX; n++) {
        P += pi[n];
        tau[n + 1] = tau[n] + P / (fp[n] * pi[n]);
    }
}

static void test_gillespie_mfpt_equals_exact_chain(void **state)
{
    (void)state;
    enum { NTRAJ = 4000 };
    double fp[NMAX + 1], fm[NMAX + 1], ex[NMAX + 1];
    chain(fp, fm);
    exact_mfpt(fp, fm, ex);
    double s1[NMAX + 1] = {0}, s2[NMAX + 1] = {0}, b1[NMAX + 1] = {0}, b2[NMAX + 1] = {0};
    assert_int_equal(kmc_bd_mfpt_accumulate(NMAX, fp, fm, 1, 2026, 0, NTRAJ / 2, 100000000, s1, s2), SR_OK);
    double a1[NMAX + 1];
    memcpy(a1, s1, sizeof a1);
    assert_int_equal(kmc_bd_mfpt_accumulate(NMAX, fp, fm, 1, 2026, NTRAJ / 2, NTRAJ, 100000000, s1, s2), SR_OK);
    /* the second range alone adds up to the same totals (ranks can split the trajectories) */
    assert_int_equal(kmc_bd_mfpt_accumulate(NMAX, fp, fm, 1, 2026, NTRAJ / 2, NTRAJ, 100000000, b1, b2), SR_OK);
    int far = 0;
    for (int n = 2; n <= NMAX; n++) {
        assert_true(fabs(a1[n] + b1[n] - s1[n]) <= 1e-12 * s1[n]);
        double mean = s1[n] / NTRAJ, var = (s2[n] - NTRAJ * mean * mean) / (NTRAJ - 1), se = sqrt(var / NTRAJ);
        if (fabs(mean - ex[n]) > 3.0 * se) far++;
        if (fabs(mean - ex[n]) > 4.5 * se)
            fail_msg("tau(%d) = %.5g +- %.2g, exact %.5g", n, mean, se, ex[n]);
    }
    double mean = s1[NMAX] / NTRAJ;
    print_message("tau(%d): kMC %.5g, exact %.5g (%d of %d sizes beyond 3 se)\n", NMAX, mean, ex[NMAX], far, NMAX - 1);
    assert_true(far <= 3);
    /* the barrier dominates: most of tau(n_max) is spent below the top (a chain with the detailed-balance sign
     * reversed, f- = f+ exp(dG(n) - dG(n+1)), has tau(60) = 41.6 instead of 1179, far outside the errors) */
    assert_true(ex[NMAX] > 1000.0 && ex[NMAX] > 30.0 * ex[10]);
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
    double fp[NMAX + 1], fm[NMAX + 1], s1[NMAX + 1] = {0}, s2[NMAX + 1] = {0};
    chain(fp, fm);
    expect_error(kmc_bd_mfpt_accumulate(NMAX, fp, fm, 1, 1, 0, 3, 50, s1, s2), SR_EFAILED, "within 50 steps");
    expect_error(kmc_bd_mfpt_accumulate(NMAX, fp, fm, NMAX, 1, 0, 3, 50, s1, s2), SR_EINVAL, "n0=60");
    expect_error(kmc_bd_mfpt_accumulate(NMAX, fp, fm, 1, 1, 3, 2, 50, s1, s2), SR_EINVAL, "reversed");
    expect_error(kmc_bd_mfpt_accumulate(NMAX, NULL, fm, 1, 1, 0, 3, 50, s1, s2), SR_EINVAL, "NULL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gillespie_mfpt_equals_exact_chain),
        cmocka_unit_test(test_error_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
