/* The vectorised Stillinger-Weber force loops (md_kernel: simd, avx2, avx512, whichever this CPU runs) give the
 * forces, energy, per-atom energies and virial of the scalar reference loop to 1e-12 relative (by design they
 * are bit-identical with GCC's ISO C default -ffp-contract=off; printed, and asserted bit for bit when GCC
 * builds the test): random jittered mW water (liquid and compressed, a box smaller
 * than twice the cutoff with several images of one atom, lists longer than one chunk of the vector loop) and a
 * two-element SW file whose (i,j,k) entries all differ and whose p, q are not 4, 0 (the pow path). Each
 * configuration is also evaluated with energies off (MD_WANT_FORCE only): the same forces. The kernel choice
 * follows md_potential_set_kernel and the potential's description names the loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "md_testutil.h"

extern const md_potential_class md_potential_sw;

#define MW_FILE SEEDRATE_SOURCE_DIR "/data/mW.sw"
#define MW_MASS 18.015
#define AVOGADRO_CM3_A3 0.602214076 /* N_A * 1e-24: g/cm^3 -> (g/mol)/A^3 */

/* Two invented elements (as tests/test_md_sw.c): symmetric two-body entries, three-body entries that differ
 * per centre element, p and q not 4 and 0 for the unlike and the Bb pairs. */
static const char *two_elem_sw =
    "Aa Aa Aa 0.30 2.30 1.80 21.0 1.20 -0.333333333333333 7.05 0.60 4.0 0.0 0.0\n"
    "Bb Bb Bb 0.21 2.50 1.75 25.0 1.10 -0.30 6.90 0.55 4.5 0.5 0.0\n"
    "Aa Bb Bb 0.25 2.40 1.78 19.0 1.15 -0.35 7.00 0.58 4.2 0.2 0.0\n"
    "Bb Aa Aa 0.25 2.40 1.78 17.0 1.25 -0.32 7.00 0.58 4.2 0.2 0.0\n"
    "Aa Aa Bb 0.27 2.35 1.79 22.0 1.30 -0.40 0 0 0 0 0.0\n"
    "Aa Bb Aa 0.27 2.20 1.60 22.0 1.00 -0.40 0 0 0 0 0.0\n"
    "Bb Aa Bb 0.22 2.45 1.77 24.0 1.05 -0.25 0 0 0 0 0.0\n"
    "Bb Bb Aa 0.22 2.10 1.50 24.0 1.40 -0.25 0 0 0 0 0.0\n";

static md_potential *make_sw(const char *file, md_system *s)
{
    assert_int_equal(md_potential_register(&md_potential_sw), 0);
    sr_section *sec = sr_section_create("potential");
    sr_section_set(sec, "style", "sw");
    sr_section_set(sec, "file", file);
    sr_errlist el = {0};
    md_potential *p = NULL;
    const int rc = md_potential_from_section(sec, s, NULL, &p, &el);
    if (rc) print_message("error: %s\n", el.n ? el.msg[0] : sr_error_message());
    assert_int_equal(rc, 0);
    sr_errlist_clear(&el);
    sr_section_free(sec);
    return p;
}

/* Diamond lattice (mW ice oxygens) at rho g/cm^3, displaced randomly by up to `jitter` A per coordinate. */
static md_system *mw_config(int nc, double rho_gcm3, double jitter, unsigned long seed)
{
    const double n = rho_gcm3 * AVOGADRO_CM3_A3 / MW_MASS;
    md_system *s = NULL;
    assert_int_equal(md_lattice_build(MD_LATTICE_DIAMOND, md_lattice_nn_for_density(MD_LATTICE_DIAMOND, n), nc,
                                      nc, nc, MD_UNITS_METAL, &s),
                     0);
    const double m = MW_MASS;
    assert_int_equal(md_system_set_types(s, 1, &m, NULL), 0);
    gsl_rng *r = sr_rng_create(seed, 0, SR_RNG_STRUCTURE);
    for (int i = 0; i < 3 * s->n; i++) s->x[i] += jitter * (2.0 * gsl_rng_uniform(r) - 1.0);
    gsl_rng_free(r);
    return s;
}

static const unsigned WANT_ALL = MD_WANT_FORCE | MD_WANT_ENERGY | MD_WANT_VIRIAL | MD_WANT_EATOM;

/* Every available vectorised kernel against the reference on the same system and list. */
static void compare_kernels(md_potential *p, md_system *s, double skin, const char *what)
{
    md_nlist *nl = md_nlist_create(md_potential_cutoff(p), skin, MD_NLIST_FULL);
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
    print_message("%s: %d atoms, %d ghosts, %ld list entries (longest list %d), E %.12g, max |f| %.4g\n", what,
                  s->n, s->nghost, pairs, longest, ref.energy, fscale);
    assert_true(fscale > 0 && wscale > 0 && escale > 0);
    int tested = 0;
    for (int k = MD_KERNEL_SIMD; k < MD_KERNEL_NKINDS; k++) {
        if (!md_kernel_available(k)) {
            print_message("  %-7s skipped: not supported by this CPU\n", md_kernel_name(k));
            continue;
        }
        assert_int_equal(md_potential_set_kernel(p, k), 0);
        tu_eval v, vf;
        tu_evaluate(p, s, nl, WANT_ALL, &v);
        tu_evaluate(p, s, nl, MD_WANT_FORCE, &vf);
        double df = 0.0, de = 0.0, dw = 0.0, dff = 0.0;
        for (int i = 0; i < 3 * s->n; i++) {
            df = fmax(df, fabs(v.f[i] - ref.f[i]));
            dff = fmax(dff, fabs(vf.f[i] - ref.f[i]));
        }
        for (int i = 0; i < s->n; i++) de = fmax(de, fabs(v.eatom[i] - ref.eatom[i]));
        for (int c = 0; c < 6; c++) dw = fmax(dw, fabs(v.virial[c] - ref.virial[c]));
        const double rf = df / fscale, rff = dff / fscale, rea = de / escale, rw = dw / wscale;
        const double re = fabs(v.energy - ref.energy) / fabs(ref.energy);
        const int same = memcmp(v.f, ref.f, 3 * (size_t)s->n * sizeof(double)) == 0 &&
                         memcmp(vf.f, ref.f, 3 * (size_t)s->n * sizeof(double)) == 0 && v.energy == ref.energy &&
                         memcmp(v.eatom, ref.eatom, (size_t)s->n * sizeof(double)) == 0;
        print_message("  %-7s relative differences: forces %.2g (forces only: %.2g), energy %.2g, per-atom energy "
                      "%.2g, virial %.2g%s\n",
                      md_kernel_name(k), rf, rff, re, rea, rw,
                      same ? " (forces, energy, per-atom energies bit-identical)" : "");
        assert_true(rf < 1e-12);
        assert_true(rff < 1e-12);
        assert_true(re < 1e-12);
        assert_true(rea < 1e-12);
        assert_true(rw < 1e-12);
#if defined(__GNUC__) && !defined(__clang__)
        /* GCC in ISO C mode (-std=c11: -ffp-contract=off) builds md_sw.c too: the loops promise the reference's
         * bits (Clang contracts a*b+c into FMA inside the AVX2/AVX-512 copies: only the tolerance there) */
        assert_true(same);
#endif
        free(v.f);
        free(v.eatom);
        free(vf.f);
        free(vf.eatom);
        tested++;
    }
    assert_true(tested >= 1); /* the baseline simd loop always runs */
    free(ref.f);
    free(ref.eatom);
    md_nlist_free(nl);
}

static void test_mw_liquid(void **state)
{
    (void)state;
    /* 4^3 diamond cells = 512 molecules at 1.00 g/cm^3, jitter 0.45 A: a disordered liquid-like sample */
    md_system *s = mw_config(4, 1.00, 0.45, 41);
    md_potential *p = make_sw(MW_FILE, s);
    compare_kernels(p, s, 1.0, "mW, 512 molecules, 1.00 g/cm^3");
    md_potential_free(p);
    md_system_free(s);
}

static void test_mw_dense_long_lists(void **state)
{
    (void)state;
    /* compressed (1.35 g/cm^3) with skin 2.9 A: full lists of ~70 candidates (more than one 64-entry chunk),
     * short lists of ~15 (triplet rows longer than one vector) */
    md_system *s = mw_config(3, 1.35, 0.37, 42);
    md_potential *p = make_sw(MW_FILE, s);
    compare_kernels(p, s, 2.9, "mW, 216 molecules, 1.35 g/cm^3, long lists");
    md_potential_free(p);
    md_system_free(s);
}

static void test_mw_small_box(void **state)
{
    (void)state;
    /* 2^3 cells: box ~12.4 A < 2 (cutoff + skin), several images of one molecule in a list */
    md_system *s = mw_config(2, 0.97, 0.29, 43);
    md_potential *p = make_sw(MW_FILE, s);
    compare_kernels(p, s, 1.7, "mW, 64 molecules, box smaller than 2 (rc + skin)");
    md_potential_free(p);
    md_system_free(s);
}

static void test_two_elements(void **state)
{
    (void)state;
    char path[] = "/tmp/sr_swsimd_XXXXXX";
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    fputs(two_elem_sw, fp);
    fclose(fp);
    md_system *s = mw_config(3, 1.02, 0.41, 44);
    const double m[2] = {18.0, 30.0};
    const char *names[2] = {"Aa", "Bb"};
    assert_int_equal(md_system_set_types(s, 2, m, names), 0);
    gsl_rng *r = sr_rng_create(44, 1, SR_RNG_STRUCTURE);
    int nb = 0;
    for (int i = 0; i < s->n; i++) {
        s->type[i] = gsl_rng_uniform(r) < 0.4; /* ~40 % Bb */
        nb += s->type[i];
    }
    gsl_rng_free(r);
    assert_true(nb > 0 && nb < s->n);
    md_potential *p = make_sw(path, s);
    compare_kernels(p, s, 1.3, "two elements (pow path), 216 atoms");
    md_potential_free(p);
    md_system_free(s);
    unlink(path);
}

static void test_kernel_choice(void **state)
{
    (void)state;
    md_system *s = mw_config(2, 1.0, 0.1, 45);
    md_potential *p = make_sw(MW_FILE, s);
    for (int k = MD_KERNEL_REFERENCE; k < MD_KERNEL_NKINDS; k++) {
        assert_int_equal(md_potential_set_kernel(p, k) == 0, md_kernel_available(k));
        if (!md_kernel_available(k)) continue;
        char buf[4096] = "";
        FILE *mem = fmemopen(buf, sizeof buf - 1, "w");
        assert_non_null(mem);
        p->cls->describe(p->state, mem);
        fclose(mem);
        char expect[64];
        snprintf(expect, sizeof expect, "force loop %s\n", md_kernel_name(k));
        assert_non_null(strstr(buf, expect));
    }
    assert_int_not_equal(md_potential_set_kernel(p, MD_KERNEL_NKINDS), 0);
    assert_int_equal(setenv("SEEDRATE_KERNEL", "avx1024", 1), 0);
    assert_int_not_equal(md_potential_set_kernel(p, MD_KERNEL_AUTO), 0);
    assert_non_null(strstr(sr_error_message(), "SEEDRATE_KERNEL=avx1024"));
    assert_int_equal(unsetenv("SEEDRATE_KERNEL"), 0);
    md_potential_free(p);
    md_system_free(s);
}

int main(void)
{
    unsetenv("SEEDRATE_KERNEL");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mw_liquid),
        cmocka_unit_test(test_mw_dense_long_lists),
        cmocka_unit_test(test_mw_small_box),
        cmocka_unit_test(test_two_elements),
        cmocka_unit_test(test_kernel_choice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
