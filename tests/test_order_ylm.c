/* test_order_ylm.c - spherical harmonics and Steinhardt q_l against analytic values.
 * Reference values: Steinhardt, Nelson, Ronchetti, PRB 28, 784 (1983), Table I; Mickel, Kapfer,
 * Schroeder-Turk, Mecke, JCP 138, 044501 (2013). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_legendre.h>

#include "common/sr_rng.h"
#include "order/order.h"

/* cmocka 1.1.5 has no double comparison. */
#define assert_double_equal(a, b, tol)                                                               \
    do {                                                                                           \
        const double a_ = (a), b_ = (b);                                                           \
        if (!(fabs(a_ - b_) <= (tol))) fail_msg("%s = %.12g, expected %.12g (tol %g)", #a, a_, b_, (double)(tol)); \
    } while (0)

/* First shells (unit-free directions). */
static int shell_fcc(double *v)
{
    int k = 0;
    for (int a = 0; a < 3; a++)
        for (int s1 = -1; s1 <= 1; s1 += 2)
            for (int s2 = -1; s2 <= 1; s2 += 2) {
                double r[3] = {0, 0, 0};
                r[a] = s1;
                r[(a + 1) % 3] = s2;
                memcpy(v + 3 * k++, r, sizeof r);
            }
    return k;
}

static int shell_hcp(double *v)
{
    int k = 0;
    for (int j = 0; j < 6; j++) {
        v[3 * k] = cos(j * ORDER_PI / 3);
        v[3 * k + 1] = sin(j * ORDER_PI / 3);
        v[3 * k + 2] = 0;
        k++;
    }
    /* same-xy triangles above and below (eclipsed: hcp, not fcc) */
    for (int s = -1; s <= 1; s += 2)
        for (int j = 0; j < 3; j++) {
            const double ph = ORDER_PI / 6 + 2 * ORDER_PI * j / 3;
            v[3 * k] = cos(ph) / sqrt(3.0);
            v[3 * k + 1] = sin(ph) / sqrt(3.0);
            v[3 * k + 2] = s * sqrt(2.0 / 3.0);
            k++;
        }
    return k;
}

static int shell_bcc(double *v)
{
    int k = 0;
    for (int a = -1; a <= 1; a += 2)
        for (int b = -1; b <= 1; b += 2)
            for (int c = -1; c <= 1; c += 2) {
                v[3 * k] = a;
                v[3 * k + 1] = b;
                v[3 * k + 2] = c;
                k++;
            }
    return k;
}

static int shell_sc(double *v)
{
    int k = 0;
    for (int a = 0; a < 3; a++)
        for (int s = -1; s <= 1; s += 2) {
            double r[3] = {0, 0, 0};
            r[a] = s;
            memcpy(v + 3 * k++, r, sizeof r);
        }
    return k;
}

static int shell_ico(double *v)
{
    const double phi = 0.5 * (1 + sqrt(5.0));
    int k = 0;
    for (int a = 0; a < 3; a++)
        for (int s1 = -1; s1 <= 1; s1 += 2)
            for (int s2 = -1; s2 <= 1; s2 += 2) {
                double r[3] = {0, 0, 0};
                r[(a + 1) % 3] = s1;
                r[(a + 2) % 3] = s2 * phi;
                memcpy(v + 3 * k++, r, sizeof r);
            }
    return k;
}

static double ql_of(int l, const double *v, int n)
{
    double qlm[2 * (ORDER_LMAX + 1)];
    order_qlm_one(l, v, n, qlm);
    return order_ql_from_qlm(l, qlm);
}

static void test_lattice_reference_values(void **st)
{
    (void)st;
    double v[3 * 12];
    int n = shell_fcc(v);
    assert_int_equal(n, 12);
    assert_double_equal(ql_of(4, v, n), 0.19094, 1e-5);
    assert_double_equal(ql_of(6, v, n), 0.57452, 1e-5);
    n = shell_hcp(v);
    assert_double_equal(ql_of(4, v, n), 0.09722, 1e-5);
    assert_double_equal(ql_of(6, v, n), 0.48476, 1e-5);
    n = shell_bcc(v);
    assert_double_equal(ql_of(4, v, n), 0.50918, 1e-5);
    assert_double_equal(ql_of(6, v, n), 0.62854, 1e-5);
    n = shell_sc(v);
    assert_double_equal(ql_of(4, v, n), 0.76376, 1e-5);
    assert_double_equal(ql_of(6, v, n), 0.35355, 1e-5);
    n = shell_ico(v);
    assert_double_equal(ql_of(6, v, n), 0.66332, 1e-5);
    assert_double_equal(ql_of(4, v, n), 0.0, 1e-12); /* icosahedral symmetry kills l = 4 */
}

/* Addition theorem: sum_m |Y_lm(u)|^2 = (2l+1)/(4 pi) for any direction, so q_l = 1 for one bond. */
static void test_single_bond_is_one(void **st)
{
    (void)st;
    const double dirs[4][3] = {{0.3, -1.7, 0.25}, {0, 0, 2.1}, {0, 0, -0.4}, {-1.2, 0.8, -3.3}};
    for (int l = 0; l <= ORDER_LMAX; l++)
        for (int d = 0; d < 4; d++) assert_double_equal(ql_of(l, dirs[d], 1), 1.0, 1e-12);
}

/* Y_lm against closed forms: Y_20 = sqrt(5/16pi)(3cos^2-1), |Y_33| = sqrt(35/64pi) sin^3,
 * Y_11 phase e^{i phi}. */
static void test_ylm_closed_forms(void **st)
{
    (void)st;
    const double th = 0.8137, ph = 2.385;
    const double r[3] = {sin(th) * cos(ph), sin(th) * sin(ph), cos(th)};
    double y[2 * 7];
    order_ylm(2, r, y);
    assert_double_equal(y[0], sqrt(5 / (16 * ORDER_PI)) * (3 * cos(th) * cos(th) - 1), 1e-13);
    assert_double_equal(y[1], 0.0, 1e-15);
    order_ylm(3, r, y);
    assert_double_equal(hypot(y[6], y[7]), sqrt(35 / (64 * ORDER_PI)) * pow(sin(th), 3), 1e-13);
    assert_double_equal(atan2(y[7], y[6]), atan2(sin(3 * ph), cos(3 * ph)), 1e-12);
    order_ylm(6, r, y);
    /* Y_60 = sqrt(13/pi)/32 (231x^6 - 315x^4 + 105x^2 - 5) */
    const double x = cos(th);
    assert_double_equal(y[0], sqrt(13 / ORDER_PI) / 32 *
                                  (231 * pow(x, 6) - 315 * pow(x, 4) + 105 * x * x - 5), 1e-13);
}

/* Addition theorem, independent of any Y_lm code: sum_m q_lm(a) q_lm(b)* =
 * (2l+1)/(4 pi) / (N_a N_b) sum_{j in a, k in b} P_l(u_j . u_k); hence q_l^2 = mean P_l(cos gamma_jk).
 * Checked for every l <= ORDER_LMAX on random environments, and q_3 of a tetrahedron:
 * q_3^2 = (4 + 12 P_3(-1/3))/16 = 5/9. */
static void test_addition_theorem_all_l(void **st)
{
    (void)st;
    const double tet[12] = {1, 1, 1, 1, -1, -1, -1, 1, -1, -1, -1, 1};
    assert_double_equal(ql_of(3, tet, 4), sqrt(5.0 / 9.0), 1e-12);
    assert_double_equal(sqrt(5.0 / 9.0), 0.74536, 1e-5);
    gsl_rng *rng = sr_rng_create(2385, 2, SR_RNG_USER);
    double va[3 * 13], vb[3 * 7];
    for (int k = 0; k < 3 * 13; k++) va[k] = 2 * gsl_rng_uniform(rng) - 1;
    for (int k = 0; k < 3 * 7; k++) vb[k] = 2 * gsl_rng_uniform(rng) - 1;
    for (int l = 0; l <= ORDER_LMAX; l++) {
        double qa[2 * (ORDER_LMAX + 1)], qb[2 * (ORDER_LMAX + 1)], sum_ab = 0, sum_aa = 0;
        order_qlm_one(l, va, 13, qa);
        order_qlm_one(l, vb, 7, qb);
        for (int j = 0; j < 13; j++) {
            const double *u = va + 3 * j;
            for (int k = 0; k < 13; k++) {
                const double *w = va + 3 * k;
                sum_aa += gsl_sf_legendre_Pl(l, (u[0] * w[0] + u[1] * w[1] + u[2] * w[2]) /
                                                    sqrt((u[0] * u[0] + u[1] * u[1] + u[2] * u[2]) *
                                                         (w[0] * w[0] + w[1] * w[1] + w[2] * w[2])));
            }
            for (int k = 0; k < 7; k++) {
                const double *w = vb + 3 * k;
                sum_ab += gsl_sf_legendre_Pl(l, (u[0] * w[0] + u[1] * w[1] + u[2] * w[2]) /
                                                    sqrt((u[0] * u[0] + u[1] * u[1] + u[2] * u[2]) *
                                                         (w[0] * w[0] + w[1] * w[1] + w[2] * w[2])));
            }
        }
        const double pref = (2 * l + 1) / (4 * ORDER_PI);
        assert_double_equal(order_qlm_dot(l, qa, qb), pref * sum_ab / (13 * 7), 1e-12);
        assert_double_equal(order_ql_from_qlm(l, qa), sqrt(sum_aa / (13 * 13)), 1e-12);
    }
    gsl_rng_free(rng);
}

static void random_rotation(gsl_rng *rng, double R[9])
{
    /* uniform random unit quaternion (Shoemake) */
    const double u1 = gsl_rng_uniform(rng), u2 = 2 * ORDER_PI * gsl_rng_uniform(rng),
                 u3 = 2 * ORDER_PI * gsl_rng_uniform(rng);
    const double a = sqrt(1 - u1) * sin(u2), b = sqrt(1 - u1) * cos(u2), c = sqrt(u1) * sin(u3),
                 w = sqrt(u1) * cos(u3);
    R[0] = 1 - 2 * (b * b + c * c); R[1] = 2 * (a * b - c * w);     R[2] = 2 * (a * c + b * w);
    R[3] = 2 * (a * b + c * w);     R[4] = 1 - 2 * (a * a + c * c); R[5] = 2 * (b * c - a * w);
    R[6] = 2 * (a * c - b * w);     R[7] = 2 * (b * c + a * w);     R[8] = 1 - 2 * (a * a + b * b);
}

static void rotate(const double R[9], const double *in, double *out, int n)
{
    for (int k = 0; k < n; k++)
        for (int a = 0; a < 3; a++)
            out[3 * k + a] = R[3 * a] * in[3 * k] + R[3 * a + 1] * in[3 * k + 1] + R[3 * a + 2] * in[3 * k + 2];
}

/* q_l and the bond correlation d_l are rotation invariants; a random, irregular environment is
 * used so that the check is not satisfied by symmetry alone. */
static void test_rotation_invariance(void **st)
{
    (void)st;
    gsl_rng *rng = sr_rng_create(2385, 0, SR_RNG_USER);
    double va[3 * 11], vb[3 * 9], ra[3 * 11], rb[3 * 9], R[9];
    for (int k = 0; k < 3 * 11; k++) va[k] = gsl_rng_uniform(rng) * 2 - 1;
    for (int k = 0; k < 3 * 9; k++) vb[k] = gsl_rng_uniform(rng) * 2 - 1;
    for (int trial = 0; trial < 5; trial++) {
        random_rotation(rng, R);
        rotate(R, va, ra, 11);
        rotate(R, vb, rb, 9);
        for (int l = 3; l <= 6; l++) {
            double qa[14], qb[14], qra[14], qrb[14];
            order_qlm_one(l, va, 11, qa);
            order_qlm_one(l, vb, 9, qb);
            order_qlm_one(l, ra, 11, qra);
            order_qlm_one(l, rb, 9, qrb);
            assert_double_equal(order_ql_from_qlm(l, qa), order_ql_from_qlm(l, qra), 1e-12);
            assert_double_equal(order_bond_correlation(l, qa, qb), order_bond_correlation(l, qra, qrb),
                                1e-12);
        }
    }
    gsl_rng_free(rng);
}

/* d_l(i,i) = 1 and d_l is symmetric; two atoms with rotated environments have d_l < 1. */
static void test_bond_correlation_bounds(void **st)
{
    (void)st;
    double v[36], w[36], R[9], qa[14], qb[14];
    int n = shell_fcc(v);
    gsl_rng *rng = sr_rng_create(2385, 1, SR_RNG_USER);
    random_rotation(rng, R);
    rotate(R, v, w, n);
    order_qlm_one(6, v, n, qa);
    order_qlm_one(6, w, n, qb);
    assert_double_equal(order_bond_correlation(6, qa, qa), 1.0, 1e-12);
    assert_double_equal(order_bond_correlation(6, qa, qb), order_bond_correlation(6, qb, qa), 1e-14);
    assert_true(order_bond_correlation(6, qa, qb) < 0.99);
    double zero[14] = {0};
    assert_double_equal(order_bond_correlation(6, qa, zero), 0.0, 0.0);
    gsl_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lattice_reference_values),
        cmocka_unit_test(test_single_bond_is_one),
        cmocka_unit_test(test_ylm_closed_forms),
        cmocka_unit_test(test_addition_theorem_all_l),
        cmocka_unit_test(test_rotation_invariance),
        cmocka_unit_test(test_bond_correlation_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
