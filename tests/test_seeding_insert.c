/* Seed insertion: the seed keeps exactly its atoms, no pair ends up closer than the overlap limit, and it
 * works when the seed straddles the periodic boundary; oversized seeds are refused clearly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "seeding/seed.h"
#include "md_testutil.h"

static md_system *random_liquid(int n, double rho, unsigned long seed)
{
    md_system *s = md_system_create(n, 1, MD_UNITS_LJ);
    double L = cbrt(n / rho), lo[3] = {0, 0, 0}, len[3] = {L, L, L};
    md_system_set_box(s, lo, len);
    gsl_rng *r = sr_rng_create(seed, 0, SR_RNG_STRUCTURE);
    for (int i = 0; i < 3 * n; i++) s->x[i] = L * gsl_rng_uniform(r);
    gsl_rng_free(r);
    return s;
}

static void check_insertion(const double centre_frac[3])
{
    md_system *x = tu_jittered_fcc(6, 1.0, 0.0, 1);
    md_system *seed = NULL;
    double radius;
    const int n0 = 87;
    assert_int_equal(seed_cut_sphere(x, n0, &seed, &radius), 0);
    assert_int_equal(seed->n, n0);
    md_system *liq = random_liquid(3000, 0.85, 7);
    const int nliq0 = liq->n;
    double centre[3];
    for (int k = 0; k < 3; k++) centre[k] = centre_frac[k] * liq->box.len[k];
    unsigned char *is_seed = NULL;
    int removed = -1;
    const double overlap = 0.9;
    assert_int_equal(seed_insert(liq, seed, centre, overlap, &is_seed, &removed), 0);
    int nseed = 0;
    for (int i = 0; i < liq->n; i++) nseed += is_seed[i];
    assert_int_equal(nseed, n0);
    assert_int_equal(liq->n, nliq0 - removed + n0);
    assert_true(removed > 0);
    /* every seed atom sits at its crystal position relative to the centre (modulo the box) */
    for (int i = 0, q = 0; i < liq->n; i++) {
        if (!is_seed[i]) continue;
        double d[3];
        for (int k = 0; k < 3; k++) d[k] = liq->x[3 * i + k] - (centre[k] + seed->x[3 * q + k]);
        md_box_minimum_image(&liq->box, d);
        assert_true(fabs(d[0]) + fabs(d[1]) + fabs(d[2]) < 1e-9);
        q++;
    }
    /* no liquid atom closer than the overlap to any seed atom */
    double dmin = INFINITY;
    for (int i = 0; i < liq->n; i++) {
        if (is_seed[i]) continue;
        for (int j = 0; j < liq->n; j++) {
            if (!is_seed[j]) continue;
            double d[3];
            for (int k = 0; k < 3; k++) d[k] = liq->x[3 * i + k] - liq->x[3 * j + k];
            md_box_minimum_image(&liq->box, d);
            double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
            if (r < dmin) dmin = r;
        }
    }
    print_message("centre (%.2f %.2f %.2f): %d liquid atoms removed, closest liquid-seed pair %.4f\n", centre_frac[0],
                  centre_frac[1], centre_frac[2], removed, dmin);
    assert_true(dmin >= overlap);
    free(is_seed);
    md_system_free(liq);
    md_system_free(seed);
    md_system_free(x);
}

static void test_insert_inside(void **state)
{
    (void)state;
    const double c[3] = {0.5, 0.5, 0.5};
    check_insertion(c);
}

static void test_insert_straddling_corner(void **state)
{
    (void)state;
    const double c[3] = {0.01, 0.99, 0.0};
    check_insertion(c);
}

static void test_seed_is_compact(void **state)
{
    (void)state;
    md_system *x = tu_jittered_fcc(6, 1.0, 0.0, 1);
    md_system *seed = NULL;
    double radius;
    assert_int_equal(seed_cut_sphere(x, 201, &seed, &radius), 0);
    /* a sphere of 201 atoms at density 1 has radius (3*201/(4 pi))^(1/3) = 3.63 */
    print_message("201-atom seed radius %.3f\n", radius);
    assert_true(radius > 3.2 && radius < 4.2);
    md_system_free(seed);
    md_system_free(x);
}

static void test_oversized_seed_refused(void **state)
{
    (void)state;
    md_system *x = tu_jittered_fcc(6, 1.0, 0.0, 1);
    md_system *seed = NULL;
    double radius;
    assert_int_equal(seed_cut_sphere(x, 5000, &seed, &radius), SR_EINVAL);
    assert_int_equal(seed_cut_sphere(x, 300, &seed, &radius), 0);
    md_system *liq = random_liquid(500, 0.85, 3);
    unsigned char *is_seed = NULL;
    double c[3] = {1, 1, 1};
    assert_int_equal(seed_insert(liq, seed, c, 0.9, &is_seed, NULL), SR_EINVAL);
    assert_non_null(strstr(sr_error_message(), "larger than the liquid box"));
    assert_null(is_seed);
    md_system_free(liq);
    md_system_free(seed);
    md_system_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_inside),
        cmocka_unit_test(test_insert_straddling_corner),
        cmocka_unit_test(test_seed_is_compact),
        cmocka_unit_test(test_oversized_seed_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
