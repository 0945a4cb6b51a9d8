/* test_order_statepoint.c - state-point threshold choice by the mislabelling criterion (issue #14) on
 * synthetic score distributions with a known crossing, the neighbouring settings, the "cannot be told apart"
 * stop, and the classifier copy with a new threshold. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "order/order.h"
#include "common/sr_error.h"
#include "common/sr_rng.h"

/* Bond counts: liquid ~ Binomial(12, 0.25), crystal ~ Binomial(12, 0.92). P_liq(n >= x) falls and
 * P_xtal(n < x) rises with x; the integer threshold where they are closest is computed from the exact
 * binomial tails (x = 8: P_liq = 0.0028, P_xtal = 0.0016) and must be what the sampled scores give. */
static void test_bonds_crossing(void **state)
{
    (void)state;
    const size_t n = 200000;
    double *l = malloc(n * sizeof *l), *x = malloc(n * sizeof *x);
    gsl_rng *r = sr_rng_create(5, 0, SR_RNG_USER);
    for (size_t i = 0; i < n; i++) {
        l[i] = gsl_ran_binomial(r, 0.25, 12);
        x[i] = gsl_ran_binomial(r, 0.92, 12);
    }
    /* exact binomial tails for the expected choice */
    double pl[14] = {0}, px[14] = {0};
    for (int k = 12; k >= 0; k--) pl[k] = pl[k + 1] + gsl_ran_binomial_pdf(k, 0.25, 12);
    for (int k = 1; k <= 13; k++) px[k] = px[k - 1] + gsl_ran_binomial_pdf(k - 1, 0.92, 12);
    int best = 0;
    for (int k = 0; k <= 13; k++)
        if (fabs(pl[k] - px[k]) < fabs(pl[best] - px[best])) best = k;
    order_statepoint sp;
    assert_int_equal(order_statepoint_choose(ORDER_CALIB_BONDS, l, n, x, n, 0.02, &sp), SR_OK);
    print_message("xi_c = %g (exact binomials: %d), liquid->solid %.4f (%.4f), crystal->liquid %.4f (%.4f)\n",
                  sp.threshold, best, sp.liquid_as_solid, pl[best], sp.solid_as_liquid, px[best]);
    assert_int_equal((int)sp.threshold, best);
    assert_int_equal(best, 8);
    assert_true(fabs(sp.liquid_as_solid - pl[best]) < 0.001);
    assert_true(fabs(sp.solid_as_liquid - px[best]) < 0.001);
    assert_true(sp.neighbour[0] == best - 1 && sp.neighbour[1] == best + 1);
    /* stricter bound than the overlap allows: a clear stop naming both fractions */
    assert_int_equal(order_statepoint_choose(ORDER_CALIB_BONDS, l, n, x, n, 0.002, &sp), SR_EFAILED);
    assert_non_null(strstr(sr_error_message(), "cannot be told apart"));
    free(l), free(x);
    gsl_rng_free(r);
}

/* qbar: liquid ~ N(0.20, 0.04), crystal ~ N(0.46, 0.04): the crossing is the midpoint 0.33 by symmetry,
 * both fractions Phi(-3.25) = 5.8e-4; neighbours -+ 0.1 x 0.26. */
static void test_qbar_crossing(void **state)
{
    (void)state;
    const size_t n = 100000;
    double *l = malloc(n * sizeof *l), *x = malloc(n * sizeof *x);
    gsl_rng *r = sr_rng_create(6, 0, SR_RNG_USER);
    for (size_t i = 0; i < n; i++) {
        l[i] = 0.20 + gsl_ran_gaussian(r, 0.04);
        x[i] = 0.46 + gsl_ran_gaussian(r, 0.04);
    }
    order_statepoint sp;
    assert_int_equal(order_statepoint_choose(ORDER_CALIB_QBAR, l, n, x, n, 0.01, &sp), SR_OK);
    print_message("qbar threshold %.4f (0.33), fractions %.2e %.2e (5.8e-4)\n", sp.threshold, sp.liquid_as_solid,
                  sp.solid_as_liquid);
    assert_true(fabs(sp.threshold - 0.33) < 0.004);
    assert_true(fabs(sp.liquid_as_solid - 5.8e-4) < 2.5e-4);
    assert_true(fabs(sp.neighbour[1] - sp.threshold - 0.026) < 0.001);
    /* overlapping phases (a state point near the spinodal): refused */
    for (size_t i = 0; i < n; i++) x[i] = 0.26 + gsl_ran_gaussian(r, 0.04);
    assert_int_equal(order_statepoint_choose(ORDER_CALIB_QBAR, l, n, x, n, 0.01, &sp), SR_EFAILED);
    free(l), free(x);
    gsl_rng_free(r);
}

static void test_classifier_with_threshold(void **state)
{
    (void)state;
    order_classifier *base = NULL, *c = NULL;
    order_steinhardt_config cfg;
    assert_int_equal(order_config_defaults(&order_classifier_bonds, &cfg), SR_OK);
    cfg.cutoff = 1.4;
    cfg.min_bonds = 7;
    assert_int_equal(order_classifier_create(&order_classifier_bonds, &cfg, &base), SR_OK);
    assert_int_equal(order_classifier_with_threshold(base, 9.0, &c), SR_OK);
    const order_steinhardt_config *cc = order_steinhardt_get_config(c);
    assert_int_equal(cc->min_bonds, 9);
    assert_true(cc->bond_threshold == cfg.bond_threshold && cc->cutoff == cfg.cutoff);
    order_classifier_free(c);
    order_classifier_free(base);
    assert_int_equal(order_statepoint_choose(ORDER_CALIB_BONDS, NULL, 0, NULL, 0, 0.01, &(order_statepoint){0}),
                     SR_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bonds_crossing),
        cmocka_unit_test(test_qbar_crossing),
        cmocka_unit_test(test_classifier_with_threshold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
