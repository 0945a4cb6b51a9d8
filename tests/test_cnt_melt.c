/* test_cnt_melt.c - melting temperature by bracketing and by interface velocities. */
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

/* Hand case, unsorted input: grew at 0.60, 0.62, 0.64; melted at 0.66, 0.70 -> 0.65 +- 0.01/sqrt(3). */
static void test_bracket_hand_case(void **state)
{
    (void)state;
    double T[5] = {0.66, 0.60, 0.70, 0.64, 0.62};
    int grew[5] = {0, 1, 0, 1, 1};
    double tm, s, lo, hi;
    assert_int_equal(cnt_tm_bracket(5, T, grew, &tm, &s, &lo, &hi), SR_OK);
    assert_close(tm, 0.65, 1e-15);
    assert_close(s, 0.01 / sqrt(3.0), 1e-15);
    assert_close(lo, 0.64, 0);
    assert_close(hi, 0.66, 0);
}

/* Synthetic direct-coexistence campaigns on a grid with a random offset: the truth lies uniformly
 * inside the bracket, so |T_m - truth| <= sigma = half-width/sqrt(3) in 1/sqrt(3) = 57.7% of them,
 * and always inside the bracket. */
static void test_bracket_sigma_is_uniform_sd(void **state)
{
    (void)state;
    const double truth = 0.6543;
    gsl_rng *r = sr_rng_create(3, 0, SR_RNG_USER);
    const int sets = 400;
    int covered = 0;
    for (int s = 0; s < sets; s++) {
        double off = gsl_rng_uniform(r) * 0.025, T[9];
        int grew[9];
        for (int i = 0; i < 9; i++) {
            T[i] = 0.55 + off + 0.025 * i;
            grew[i] = T[i] < truth;
        }
        double tm, sg, lo, hi;
        assert_int_equal(cnt_tm_bracket(9, T, grew, &tm, &sg, &lo, &hi), SR_OK);
        assert_true(lo < truth && truth < hi);
        covered += fabs(tm - truth) <= sg;
    }
    double p = 1 / sqrt(3.0), sd = sqrt(sets * p * (1 - p));
    print_message("bracket T_m +- sigma coverage %d/%d (expected %.0f)\n", covered, sets, p * sets);
    if (fabs(covered - p * sets) > 3.5 * sd) fail_msg("coverage %d/%d, expected %.0f", covered, sets, p * sets);
    gsl_rng_free(r);
}

/* v(T) = 2.31 (T_m - T) + noise: the root of the weighted fit recovers T_m, and T_m +- sigma covers
 * the truth at ~68% over 400 synthetic data sets. */
static void test_velocity_fit_recovers_tm(void **state)
{
    (void)state;
    const double truth = 0.6543, k = 2.31;
    double T[7], v[7], sv[7];
    gsl_rng *r = sr_rng_create(4, 0, SR_RNG_USER);
    const int sets = 400;
    int covered = 0;
    for (int s = 0; s < sets; s++) {
        for (int i = 0; i < 7; i++) {
            T[i] = 0.60 + 0.02 * i;
            sv[i] = 0.01 + 0.004 * i; /* unequal errors */
            v[i] = k * (truth - T[i]) + gsl_ran_gaussian(r, sv[i]);
        }
        double tm, stm;
        cnt_linfit line;
        assert_int_equal(cnt_tm_velocity(7, T, v, sv, &tm, &stm, &line), SR_OK);
        if (s == 0) {
            assert_close(tm, truth, 4 * stm);
            assert_close(line.b, -k, 4 * sqrt(line.cov[1][1]));
        }
        covered += fabs(tm - truth) <= stm;
    }
    double p = 0.6827, sd = sqrt(sets * p * (1 - p));
    print_message("v(T) T_m +- sigma coverage %d/%d (expected %.0f)\n", covered, sets, p * sets);
    if (fabs(covered - p * sets) > 3.5 * sd) fail_msg("coverage %d/%d, expected %.0f", covered, sets, p * sets);
    gsl_rng_free(r);
}

static void expect_error(int rc, int code, const char *fragment)
{
    assert_int_equal(rc, code);
    if (!strstr(sr_error_message(), fragment)) fail_msg("message '%s' lacks '%s'", sr_error_message(), fragment);
    sr_error_clear();
}

/* A stalled run does not bound T_m: the velocities of a real slab series (a network water model, 255-295 K, A/ps;
 * validation/nn-committee, member 1) have 275 K at v = 0.0046 +- 0.0028, 1.6 standard errors. Counted as grown it
 * makes the bracket [275, 285] and T_m 280, outside which the v(T) root (about 273) lies; as stalled (z = 2) the
 * bracket is [265, 285]. The threshold is inclusive, and the classes follow the sign. */
static void test_stalled_run_leaves_the_bracket(void **state)
{
    (void)state;
    const double T[5] = {255, 265, 275, 285, 295};
    const double v[5] = {0.0969, 0.03169, 0.0046, -0.06536, -0.1166}, sv[5] = {0.0075, 0.0029, 0.0028, 0.0032, 0.0055};
    int out[5];
    assert_int_equal(cnt_tm_outcomes(5, v, sv, 2.0, out), 1);
    const int want[5] = {1, 1, -1, 0, 0};
    assert_memory_equal(out, want, sizeof want);
    double Td[5], tm, s, lo, hi;
    int grew[5];
    size_t nd = 0;
    for (int k = 0; k < 5; k++)
        if (out[k] >= 0) {
            Td[nd] = T[k];
            grew[nd++] = out[k];
        }
    assert_int_equal(cnt_tm_bracket(nd, Td, grew, &tm, &s, &lo, &hi), SR_OK);
    assert_close(lo, 265, 0);
    assert_close(hi, 285, 0);
    assert_close(tm, 275, 1e-12);
    /* z = 0: every run decided by its sign, the old rule */
    assert_int_equal(cnt_tm_outcomes(5, v, sv, 0.0, out), 0);
    assert_int_equal(out[2], 1);
    /* exactly at the threshold: decided */
    const double ve[2] = {0.02, -0.02}, se[2] = {0.01, 0.01};
    assert_int_equal(cnt_tm_outcomes(2, ve, se, 2.0, out), 0);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 0);
    const double bad[1] = {NAN}, s0[1] = {0.0};
    assert_int_equal(cnt_tm_outcomes(1, bad, se, 2.0, out), -1);
    assert_int_equal(cnt_tm_outcomes(1, ve, s0, 2.0, out), -1);
}

static void test_error_paths(void **state)
{
    (void)state;
    double T[4] = {0.60, 0.62, 0.64, 0.66}, tm, s;
    int all[4] = {1, 1, 1, 1}, none[4] = {0, 0, 0, 0}, contra[4] = {1, 0, 1, 0}, bad[4] = {1, 2, 0, 0};
    expect_error(cnt_tm_bracket(0, T, all, &tm, &s, NULL, NULL), SR_EINVAL, "empty");
    expect_error(cnt_tm_bracket(4, T, all, &tm, &s, NULL, NULL), SR_EINVAL, "grew in all");
    expect_error(cnt_tm_bracket(4, T, none, &tm, &s, NULL, NULL), SR_EINVAL, "melted in all");
    expect_error(cnt_tm_bracket(4, T, contra, &tm, &s, NULL, NULL), SR_EINVAL, "contradictory");
    expect_error(cnt_tm_bracket(4, T, bad, &tm, &s, NULL, NULL), SR_EINVAL, "outcome[1] = 2");
    double Tn[4] = {0.60, NAN, 0.64, 0.66};
    int ok[4] = {1, 1, 0, 0};
    expect_error(cnt_tm_bracket(4, Tn, ok, &tm, &s, NULL, NULL), SR_EINVAL, "not finite");
    double vup[4] = {-0.1, 0.0, 0.1, 0.2}, sv[4] = {0.01, 0.01, 0.01, 0.01};
    expect_error(cnt_tm_velocity(4, T, vup, sv, &tm, &s, NULL), SR_EINVAL, "contradictory");
    expect_error(cnt_tm_velocity(1, T, vup, sv, &tm, &s, NULL), SR_EINVAL, "at least 2");
    double sv0[4] = {0.01, 0.0, 0.01, 0.01};
    expect_error(cnt_tm_velocity(4, T, vup, sv0, &tm, &s, NULL), SR_EINVAL, "sigma_y[1]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bracket_hand_case),
        cmocka_unit_test(test_bracket_sigma_is_uniform_sd),
        cmocka_unit_test(test_velocity_fit_recovers_tm),
        cmocka_unit_test(test_stalled_run_leaves_the_bracket),
        cmocka_unit_test(test_error_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
