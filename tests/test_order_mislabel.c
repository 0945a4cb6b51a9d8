/* test_order_mislabel.c - the mislabeling criterion (Espinosa et al., JCP 144, 034501, 2016) on
 * synthetic score distributions whose crossing point is known in closed form. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "common/sr_rng.h"
#include "order/order.h"

#define assert_double_equal(a, b, tol)                                                               \
    do {                                                                                           \
        const double a_ = (a), b_ = (b);                                                           \
        if (!(fabs(a_ - b_) <= (tol))) fail_msg("%s = %.12g, expected %.12g (tol %g)", #a, a_, b_, (double)(tol)); \
    } while (0)

/* Scores at the quantiles (k + 1/2)/n of a Gaussian, in a shuffled order. */
static double *gaussian_quantiles(size_t n, double mu, double sigma, gsl_rng *rng)
{
    double *v = malloc(n * sizeof *v);
    for (size_t k = 0; k < n; k++) v[k] = mu + gsl_cdf_gaussian_Pinv((k + 0.5) / n, sigma);
    gsl_ran_shuffle(rng, v, n, sizeof *v);
    return v;
}

/* Two Gaussians N(mu1, s1) (liquid) and N(mu2, s2) (crystal): P(liq >= t) = P(xtal < t) when
 * (t - mu1)/s1 = (mu2 - t)/s2, i.e. t* = (mu1 s2 + mu2 s1)/(s1 + s2), with mislabeled fraction
 * Q((mu2 - mu1)/(s1 + s2)). */
static void test_gaussian_crossing(void **st)
{
    (void)st;
    gsl_rng *rng = sr_rng_create(2385, 0, SR_RNG_USER);
    const double mu1 = 0.2137, s1 = 0.0481, mu2 = 0.4419, s2 = 0.0733;
    const size_t nl = 20000, nx = 13000; /* unequal sample sizes on purpose */
    double *L = gaussian_quantiles(nl, mu1, s1, rng), *X = gaussian_quantiles(nx, mu2, s2, rng);
    order_mislabel m;
    assert_int_equal(order_mislabel_crossing(L, nl, X, nx, 1e-12, &m), SR_OK);
    const double t = (mu1 * s2 + mu2 * s1) / (s1 + s2);
    const double f = gsl_cdf_ugaussian_Q((mu2 - mu1) / (s1 + s2));
    assert_double_equal(m.threshold, t, 1e-5);
    assert_double_equal(m.liquid_as_solid, f, 1e-5);
    assert_double_equal(m.solid_as_liquid, f, 1e-5);
    assert_double_equal(m.fraction, f, 1e-5);
    free(L);
    free(X);
    gsl_rng_free(rng);
}

/* Disjoint distributions: no atom mislabeled, threshold in the gap. */
static void test_separated_sets(void **st)
{
    (void)st;
    const double L[4] = {0.11, 0.23, 0.18, 0.3}, X[3] = {0.61, 0.52, 0.77};
    order_mislabel m;
    assert_int_equal(order_mislabel_crossing(L, 4, X, 3, 1e-12, &m), SR_OK);
    assert_true(m.threshold > 0.3 && m.threshold <= 0.52);
    assert_double_equal(m.fraction, 0.0, 1e-12);
}

/* Disjoint samples of two normals with very different widths (as q-bar_6 of a supercooled LJ liquid and its fcc
 * crystal): the threshold is the equal-tail point of the normal fits, t* = (mu1 s2 + mu2 s1)/(s1 + s2), whatever
 * the sample size; the midpoint of the empty gap would move with the extreme samples (0.394 at n = 2000, 0.400
 * at n = 20000) and is not what is returned. */
static void test_separated_normals(void **st)
{
    (void)st;
    gsl_rng *rng = sr_rng_create(77, 0, SR_RNG_USER);
    const double mu1 = 0.175, s1 = 0.043, mu2 = 0.515, s2 = 0.015;
    const double t = (mu1 * s2 + mu2 * s1) / (s1 + s2);
    const size_t ns[2] = {2000, 20000};
    for (int k = 0; k < 2; k++) {
        double *L = gaussian_quantiles(ns[k], mu1, s1, rng), *X = gaussian_quantiles(ns[k], mu2, s2, rng);
        order_mislabel m;
        assert_int_equal(order_mislabel_crossing(L, ns[k], X, ns[k], 1e-12, &m), SR_OK);
        double lmax = L[0], xmin = X[0];
        for (size_t i = 0; i < ns[k]; i++) {
            lmax = fmax(lmax, L[i]);
            xmin = fmin(xmin, X[i]);
        }
        print_message("n = %zu: threshold %.5f (normal fits %.5f, gap [%.4f, %.4f], midpoint %.4f)\n", ns[k],
                      m.threshold, t, lmax, xmin, 0.5 * (lmax + xmin));
        assert_true(lmax < xmin); /* really disjoint */
        assert_int_equal(m.extrapolated, 1);
        assert_double_equal(m.threshold, t, 1.5e-3);
        assert_true(fabs(m.threshold - 0.5 * (lmax + xmin)) > 0.02);
        assert_double_equal(m.fraction, 0.0, 1e-12);
        free(L);
        free(X);
    }
    gsl_rng_free(rng);
}

/* Integer scores (solid-bond counts): liquid uniform on 0..9, crystal uniform on 5..14.
 * At t = 7: P(liq >= 7) = 3/10 and P(xtal < 7) = 2/10; at t = 8: 2/10 and 3/10 - equal distance,
 * equal mean 1/4, so the smaller threshold wins the tie. Shift the crystal to 6..15 and t = 8 gives
 * exactly 2/10 on both sides. */
static void test_integer_crossing(void **st)
{
    (void)st;
    int L[1000], X[1000];
    for (int i = 0; i < 1000; i++) {
        L[i] = i % 10;
        X[i] = 6 + i % 10;
    }
    order_mislabel m;
    assert_int_equal(order_mislabel_integer(L, 1000, X, 1000, &m), SR_OK);
    assert_double_equal(m.threshold, 8, 0);
    assert_double_equal(m.liquid_as_solid, 0.2, 1e-15);
    assert_double_equal(m.solid_as_liquid, 0.2, 1e-15);
    for (int i = 0; i < 1000; i++) X[i] = 5 + i % 10;
    assert_int_equal(order_mislabel_integer(L, 1000, X, 1000, &m), SR_OK);
    assert_double_equal(m.threshold, 7, 0);
    assert_double_equal(m.fraction, 0.25, 1e-15);
}

static void test_error_paths(void **st)
{
    (void)st;
    const double L[2] = {0.1, NAN}, X[2] = {0.5, 0.6};
    const int iL[1] = {3};
    order_mislabel m;
    assert_int_equal(order_mislabel_crossing(L, 2, X, 2, 1e-9, &m), SR_EINVAL); /* NaN */
    assert_int_equal(order_mislabel_crossing(L, 0, X, 2, 1e-9, &m), SR_EINVAL); /* empty */
    assert_int_equal(order_mislabel_crossing(X, 2, X, 2, 0.0, &m), SR_EINVAL);  /* tolerance */
    assert_int_equal(order_mislabel_integer(iL, 1, NULL, 0, &m), SR_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gaussian_crossing),
        cmocka_unit_test(test_separated_sets),
        cmocka_unit_test(test_separated_normals),
        cmocka_unit_test(test_integer_crossing),
        cmocka_unit_test(test_error_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
