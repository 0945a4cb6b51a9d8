/* test_ml_simd.c - the kernels' own elementary functions (sr_vecmath.h, ml_simd.h, ml_net.c), written so that
 * loops over neighbours and neurons vectorise: exp, the cosine cutoff and tanh agree with libm's to a few ulp
 * over their whole range, give exact values where the functions have them (exp 0 = 1, f_c = 0 at and beyond
 * rc, tanh 0 = 0, tanh = +-1 far out, oddness), and NaN in gives NaN out (an exploding run must still be
 * caught by its energy). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "ml/ml.h"
#include "ml/ml_simd.h"

#define ULP 1.1102230246251565e-16 /* 2^-53 */

static void test_exp(void **st)
{
    (void)st;
    double worst = 0.0;
    for (long i = 0; i <= 2000000; i++) { /* -708 .. 0 (the features) and 0 .. 40 */
        const double x = -707.9 * i / 2000000.0 * (1.0 + 1e-9 * (i % 7));
        worst = fmax(worst, fabs(sr_exp(x) - exp(x)) / exp(x));
        const double y = 40.0 * i / 2000000.0 + 1e-7 * (i % 5);
        worst = fmax(worst, fabs(sr_exp(y) - exp(y)) / exp(y));
    }
    print_message("sr_exp: largest relative difference from libm %.3g (%.2f ulp)\n", worst, worst / ULP);
    assert_true(worst <= 4 * ULP);
    assert_true(sr_exp(0.0) == 1.0);
    assert_true(sr_exp(-709.0) == 0.0 && sr_exp(-1e300) == 0.0 && sr_exp(-INFINITY) == 0.0);
    assert_true(isnan(sr_exp(NAN)) && isnan(sr_exp(-NAN)));
    /* 2^k exactly where x = k ln2 rounds to the same double as the reduction's product (k = -1000 .. 1000 by 7) */
    for (int k = -1000; k <= 1000; k += 7) {
        const double x = k * 0.69314718055994530942, e = sr_exp(x), ref = exp(x);
        assert_true(fabs(e - ref) <= 4 * ULP * ref);
    }
}

static void test_cutoff(void **st)
{
    (void)st;
    const double rc = 4.5, pi = 3.14159265358979323846;
    double worst_f = 0.0, worst_d = 0.0, fc, dfc;
    for (long i = 0; i < 1000000; i++) {
        const double r = rc * i / 1000000.0;
        ml_cutoff(r, rc, &fc, &dfc);
        worst_f = fmax(worst_f, fabs(fc - 0.5 * (cos(pi * r / rc) + 1.0)));
        worst_d = fmax(worst_d, fabs(dfc + 0.5 * pi / rc * sin(pi * r / rc)));
    }
    print_message("ml_cutoff: largest absolute difference %.3g (f_c), %.3g (df_c/dr, of max %.3g)\n", worst_f,
                  worst_d, 0.5 * pi / rc);
    assert_true(worst_f <= 8 * ULP);
    assert_true(worst_d <= 8 * ULP * pi / rc);
    ml_cutoff(0.0, rc, &fc, &dfc);
    assert_true(fabs(fc - 1.0) <= 2 * ULP && fabs(dfc) <= 4 * ULP);
    for (double r = rc; r < 3 * rc; r += 0.37) {
        ml_cutoff(r, rc, &fc, &dfc);
        assert_true(fc == 0.0 && dfc == 0.0);
    }
    ml_cutoff(NAN, rc, &fc, &dfc);
    assert_true(isnan(fc) && isnan(dfc));
    /* continuous to zero at rc from below */
    ml_cutoff(nextafter(rc, 0.0), rc, &fc, &dfc);
    assert_true(fc < 1e-30 && fabs(dfc) < 1e-14);
}

static void test_tanh(void **st)
{
    (void)st;
    double worst = 0.0;
    for (long i = -2000000; i <= 2000000; i++) {
        const double x = 25.0 * i / 2000000.0 * (1.0 + 1e-9 * (i % 11));
        if (x == 0.0) continue;
        worst = fmax(worst, fabs(ml_tanh(x) - tanh(x)) / fabs(tanh(x)));
        assert_true(ml_tanh(-x) == -ml_tanh(x));
    }
    for (int k = -1070; k < 0; k++) { /* small arguments: relative accuracy, not only absolute */
        const double x = ldexp(1.37, k);
        worst = fmax(worst, fabs(ml_tanh(x) - tanh(x)) / tanh(x));
    }
    print_message("ml_tanh: largest relative difference from libm %.3g (%.2f ulp)\n", worst, worst / ULP);
    assert_true(worst <= 8 * ULP);
    assert_true(ml_tanh(0.0) == 0.0);
    assert_true(ml_tanh(20.5) == 1.0 && ml_tanh(-1e300) == -1.0 && ml_tanh(INFINITY) == 1.0);
    assert_true(isnan(ml_tanh(NAN)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exp),
        cmocka_unit_test(test_cutoff),
        cmocka_unit_test(test_tanh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
