/* The vectorised LJ force loops (md_kernel: simd, avx2, avx512, whichever this CPU runs) give the forces,
 * energy, per-atom energies and virial of the scalar reference loop to 1e-12 relative (by design they are
 * bit-identical with GCC's ISO C default -ffp-contract=off; printed, not asserted): one type and two
 * types (arithmetic mixing, shifted and not), a big box, a box smaller than twice the cutoff (several
 * images of one atom among the ghosts) and a long cutoff whose lists exceed one chunk of the vector loop.
 * Kernel choice: unavailable kernels and bad SEEDRATE_KERNEL values are refused with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "md_testutil.h"

static const unsigned WANT_ALL = MD_WANT_FORCE | MD_WANT_ENERGY | MD_WANT_VIRIAL | MD_WANT_EATOM;

/* Every available vectorised kernel against the reference on the same system and list. */
static void compare_kernels(md_system *s, const md_lj_params *lp, double skin, const char *what)
{
    md_potential *p;
    assert_int_equal(md_lj_create(lp, &p), 0);
    md_nlist *nl = md_nlist_create(lp->cutoff, skin, MD_NLIST_HALF);
    assert_non_null(nl);
    assert_int_equal(md_nlist_build(nl, s), 0);
    long pairs = 0;
    int longest = 0;
    for (int i = 0; i < nl->n; i++) {
        pairs += nl->num[i];
        longest = nl->num[i] > longest ? nl->num[i] : longest;
    }
    assert_int_equal(md_potential_set_kernel(p, MD_KERNEL_REFERENCE), 0);
    tu_eval ref;
    tu_evaluate(p, s, nl, WANT_ALL, &ref);
    const double fscale = tu_max_abs(ref.f, 3 * s->n), escale = tu_max_abs(ref.eatom, s->n);
    const double wscale = tu_max_abs(ref.virial, 3);
    print_message("%s: %d atoms, %d ghosts, %ld pairs (longest list %d), E %.12g, max |f| %.4g\n", what, s->n,
                  s->nghost, pairs, longest, ref.energy, fscale);
    assert_true(fscale > 0 && wscale > 0 && escale > 0);
    int tested = 0;
    for (int k = MD_KERNEL_SIMD; k < MD_KERNEL_NKINDS; k++) {
        if (!md_kernel_available(k)) {
            print_message("  %-7s skipped: not supported by this CPU\n", md_kernel_name(k));
            continue;
        }
        assert_int_equal(md_potential_set_kernel(p, k), 0);
        tu_eval v;
        tu_evaluate(p, s, nl, WANT_ALL, &v);
        double df = 0.0, de = 0.0, dw = 0.0;
        for (int i = 0; i < 3 * s->n; i++) df = fmax(df, fabs(v.f[i] - ref.f[i]));
        for (int i = 0; i < s->n; i++) de = fmax(de, fabs(v.eatom[i] - ref.eatom[i]));
        for (int c = 0; c < 6; c++) dw = fmax(dw, fabs(v.virial[c] - ref.virial[c]));
        const double rf = df / fscale, rea = de / escale, rw = dw / wscale;
        const double re = fabs(v.energy - ref.energy) / fabs(ref.energy);
        const int same = memcmp(v.f, ref.f, 3 * (size_t)s->n * sizeof(double)) == 0 && v.energy == ref.energy;
        print_message("  %-7s relative differences: forces %.2g, energy %.2g, per-atom energy %.2g, virial %.2g%s\n",
                      md_kernel_name(k), rf, re, rea, rw, same ? " (forces and energy bit-identical)" : "");
        assert_true(rf < 1e-12);
        assert_true(re < 1e-12);
        assert_true(rea < 1e-12);
        assert_true(rw < 1e-12);
        free(v.f);
        free(v.eatom);
        tested++;
    }
    assert_true(tested >= 1); /* the baseline simd loop always runs */
    free(ref.f);
    free(ref.eatom);
    md_nlist_free(nl);
    md_potential_free(p);
}

static void test_one_type_big_box(void **state)
{
    (void)state;
    md_system *s = tu_jittered_fcc(7, 0.8442, 0.19, 31);
    md_lj_params lp = {.ntypes = 1, .epsilon = {1.137}, .sigma = {0.973}, .cutoff = 2.5, .shift = 0};
    compare_kernels(s, &lp, 0.3, "one type, 7^3 fcc cells");
    lp.shift = 1;
    compare_kernels(s, &lp, 0.3, "one type, shifted");
    md_system_free(s);
}

static void two_types(md_system *s)
{
    double m[2] = {1.0, 2.385};
    assert_int_equal(md_system_set_types(s, 2, m, NULL), 0);
    for (int i = 0; i < s->n; i++) s->type[i] = (i * 7) % 5 < 2;
}

static void test_two_types_small_box(void **state)
{
    (void)state;
    /* 2x2x2 cells at rho 0.9: box ~2.6 < 2 (rc + skin), several images of one atom in a list */
    md_system *s = tu_jittered_fcc(2, 0.9, 0.07, 32);
    two_types(s);
    md_lj_params lp = {.ntypes = 2, .epsilon = {1.0, 0.731}, .sigma = {1.0, 1.113}, .cutoff = 2.5,
                       .shift = 1, .mixing = 1};
    compare_kernels(s, &lp, 0.4, "two types, box smaller than 2 rc");
    md_system_free(s);
}

static void test_two_types_long_lists(void **state)
{
    (void)state;
    /* cutoff 3.7 at rho 0.95: ~110 half-list neighbours per atom, more than one 64-pair chunk */
    md_system *s = tu_jittered_fcc(6, 0.95, 0.11, 33);
    two_types(s);
    md_lj_params lp = {.ntypes = 2, .epsilon = {0.853, 1.21}, .sigma = {1.04, 0.917}, .cutoff = 3.7,
                       .shift = 0, .mixing = 0};
    compare_kernels(s, &lp, 0.3, "two types, lists longer than a chunk");
    md_system_free(s);
}

static void test_kernel_choice(void **state)
{
    (void)state;
    md_lj_params lp = {.ntypes = 1, .epsilon = {1.0}, .sigma = {1.0}, .cutoff = 2.5};
    md_potential *p;
    assert_int_equal(md_lj_create(&lp, &p), 0);
    for (int k = MD_KERNEL_REFERENCE; k < MD_KERNEL_NKINDS; k++)
        assert_int_equal(md_potential_set_kernel(p, k) == 0, md_kernel_available(k));
    assert_int_not_equal(md_potential_set_kernel(p, MD_KERNEL_NKINDS), 0);
    int k = -1;
    assert_int_equal(setenv("SEEDRATE_KERNEL", "reference", 1), 0);
    assert_int_equal(md_kernel_resolve(MD_KERNEL_AUTO, &k), 0);
    assert_int_equal(k, MD_KERNEL_REFERENCE);
    assert_int_equal(setenv("SEEDRATE_KERNEL", "avx1024", 1), 0);
    assert_int_not_equal(md_kernel_resolve(MD_KERNEL_AUTO, &k), 0);
    assert_non_null(strstr(sr_error_message(), "SEEDRATE_KERNEL=avx1024"));
    assert_int_not_equal(md_potential_set_kernel(p, MD_KERNEL_AUTO), 0);
    assert_int_equal(unsetenv("SEEDRATE_KERNEL"), 0);
    assert_int_equal(md_kernel_resolve(MD_KERNEL_AUTO, &k), 0);
    assert_true(k >= MD_KERNEL_SIMD && md_kernel_available(k));
    print_message("AUTO picks %s on this CPU\n", md_kernel_name(k));
    md_potential_free(p);
}

int main(void)
{
    unsetenv("SEEDRATE_KERNEL");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_type_big_box),
        cmocka_unit_test(test_two_types_small_box),
        cmocka_unit_test(test_two_types_long_lists),
        cmocka_unit_test(test_kernel_choice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
