/* Threads inside a replica (md.h "Threads inside one replica", md_threads.c) for the LJ and SW force loops:
 *   - T blocks give the serial forces, energy, per-atom energies and virial to 1e-12 relative, and the forces
 *     still sum to zero (Newton's third law, momentum conservation) to rounding;
 *   - T = 1 set explicitly is the serial loop bit for bit;
 *   - the result depends on T only: the same bits when the T blocks run on T threads, on one thread (nested
 *     parallelism off) and when repeated;
 *   - the blocks cover the atoms once and split the pair count evenly;
 *   - thread counts: [potential] threads, OMP_NUM_THREADS, and bad values refused with a message.
 * Every kernel this CPU has (reference and vectorised) is checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "md_testutil.h"

#define MW_FILE SEEDRATE_SOURCE_DIR "/data/mW.sw"
#define MW_MASS 18.015
#define AVOGADRO_CM3_A3 0.602214076 /* N_A * 1e-24: g/cm^3 -> (g/mol)/A^3 */

static const unsigned WANT_ALL = MD_WANT_FORCE | MD_WANT_ENERGY | MD_WANT_VIRIAL | MD_WANT_EATOM;

static int same_bits(const tu_eval *a, const tu_eval *b, int n)
{
    return memcmp(a->f, b->f, 3 * (size_t)n * sizeof(double)) == 0 &&
           memcmp(a->eatom, b->eatom, (size_t)n * sizeof(double)) == 0 &&
           memcmp(&a->energy, &b->energy, sizeof a->energy) == 0 && memcmp(a->virial, b->virial, sizeof a->virial) == 0;
}

/* T = 1, 2, 3, 5, 8 blocks against the serial loop, for every kernel this CPU runs. */
static void compare_threads(md_potential *p, md_system *s, int kind, double skin, const char *what)
{
    md_nlist *nl = md_nlist_create(md_potential_cutoff(p), skin, kind);
    assert_non_null(nl);
    assert_int_equal(md_nlist_build(nl, s), 0);
    for (int k = MD_KERNEL_REFERENCE; k < MD_KERNEL_NKINDS; k++) {
        if (!md_kernel_available(k)) continue;
        assert_int_equal(md_potential_set_kernel(p, k), 0);
        assert_int_equal(md_potential_set_threads(p, 1), 0);
        tu_eval ref;
        tu_evaluate(p, s, nl, WANT_ALL, &ref);
        const double fscale = tu_max_abs(ref.f, 3 * s->n), escale = tu_max_abs(ref.eatom, s->n);
        const double wscale = tu_max_abs(ref.virial, 3);
        assert_true(fscale > 0 && escale > 0 && wscale > 0);
        const int counts[] = {2, 3, 5, 8};
        for (int c = 0; c < 4; c++) {
            const int T = counts[c];
            if (T > 1 && !md_threads_available()) break;
            assert_int_equal(md_potential_set_threads(p, T), 0);
            assert_int_equal(p->threads, T);
            tu_eval v, again, forces_only;
            tu_evaluate(p, s, nl, WANT_ALL, &v);
            tu_evaluate(p, s, nl, WANT_ALL, &again);
            tu_evaluate(p, s, nl, MD_WANT_FORCE, &forces_only);
            double df = 0.0, de = 0.0, dw = 0.0, sum[3] = {0, 0, 0};
            for (int i = 0; i < 3 * s->n; i++) {
                df = fmax(df, fabs(v.f[i] - ref.f[i]));
                sum[i % 3] += v.f[i];
            }
            for (int i = 0; i < s->n; i++) de = fmax(de, fabs(v.eatom[i] - ref.eatom[i]));
            for (int q = 0; q < 6; q++) dw = fmax(dw, fabs(v.virial[q] - ref.virial[q]));
            const double re = fabs(v.energy - ref.energy) / fabs(ref.energy);
            const double momentum = fmax(fabs(sum[0]), fmax(fabs(sum[1]), fabs(sum[2]))) / fscale;
            print_message("%s, %s, %d blocks: rel. diff forces %.2e energy %.2e per-atom %.2e virial %.2e; "
                          "|sum f| / max |f| %.2e\n",
                          what, md_kernel_name(k), T, df / fscale, re, de / escale, dw / wscale, momentum);
            assert_true(df / fscale < 1e-12);
            assert_true(re < 1e-12);
            assert_true(de / escale < 1e-12);
            assert_true(dw / wscale < 1e-12);
            assert_true(momentum < 1e-11 * s->n);
            /* repeatable, and forces alone are the same forces */
            assert_true(same_bits(&v, &again, s->n));
            assert_memory_equal(v.f, forces_only.f, 3 * (size_t)s->n * sizeof(double));
#ifdef _OPENMP
            /* the blocks on one thread: the same bits (the result depends on T, not on who runs the blocks) */
            const int levels = omp_get_max_active_levels();
            omp_set_max_active_levels(0);
            tu_eval serial_blocks;
            tu_evaluate(p, s, nl, WANT_ALL, &serial_blocks);
            omp_set_max_active_levels(levels);
            assert_true(same_bits(&v, &serial_blocks, s->n));
            tu_eval_free(&serial_blocks);
#endif
            tu_eval_free(&v);
            tu_eval_free(&again);
            tu_eval_free(&forces_only);
        }
        /* back to one thread: the serial loop bit for bit */
        assert_int_equal(md_potential_set_threads(p, 1), 0);
        tu_eval one;
        tu_evaluate(p, s, nl, WANT_ALL, &one);
        assert_true(same_bits(&one, &ref, s->n));
        tu_eval_free(&one);
        tu_eval_free(&ref);
    }
    md_nlist_free(nl);
}

static void test_lj_threads(void **state)
{
    (void)state;
    md_system *s = tu_jittered_fcc(6, 0.9, 0.08, 71);
    double m[2] = {1.0, 2.385};
    assert_int_equal(md_system_set_types(s, 2, m, NULL), 0);
    for (int i = 0; i < s->n; i++) s->type[i] = (i * 7) % 5 < 2;
    md_lj_params lp = {.ntypes = 2, .epsilon = {1.0, 0.731}, .sigma = {1.0, 1.113}, .cutoff = 2.5, .shift = 1,
                       .mixing = 1};
    md_potential *p;
    assert_int_equal(md_lj_create(&lp, &p), 0);
    assert_int_equal(p->threads, 1);
    compare_threads(p, s, MD_NLIST_HALF, 0.3, "lj, 864 atoms, two types");
    md_potential_free(p);
    md_system_free(s);
    /* fewer atoms than blocks: empty blocks are fine */
    s = tu_jittered_fcc(1, 0.9, 0.05, 72);
    lp.ntypes = 1;
    assert_int_equal(md_lj_create(&lp, &p), 0);
    compare_threads(p, s, MD_NLIST_HALF, 0.3, "lj, 4 atoms");
    md_potential_free(p);
    md_system_free(s);
}

static md_potential *potential_from(const char *style, const char *file, const char *threads, md_system *s,
                                    sr_errlist *el)
{
    sr_section *sec = sr_section_create("potential");
    sr_section_set(sec, "style", style);
    if (file) sr_section_set(sec, "file", file);
    if (threads) sr_section_set(sec, "threads", threads);
    md_potential *p = NULL;
    const int rc = md_potential_from_section(sec, s, NULL, &p, el);
    sr_section_free(sec);
    assert_int_equal(rc != 0, p == NULL);
    return p;
}

/* Diamond lattice (mW ice) at 1 g/cm^3 with nc^3 cells, displaced randomly by up to `jitter` A per coordinate. */
static md_system *mw_system(int nc, double jitter, unsigned long seed)
{
    const double n = 1.0 * AVOGADRO_CM3_A3 / MW_MASS;
    md_system *s = NULL;
    assert_int_equal(md_lattice_build(MD_LATTICE_DIAMOND, md_lattice_nn_for_density(MD_LATTICE_DIAMOND, n), nc, nc,
                                      nc, MD_UNITS_METAL, &s),
                     0);
    const double m = MW_MASS;
    assert_int_equal(md_system_set_types(s, 1, &m, NULL), 0);
    gsl_rng *r = sr_rng_create(seed, 0, SR_RNG_STRUCTURE);
    for (int i = 0; i < 3 * s->n; i++) s->x[i] += jitter * (2.0 * gsl_rng_uniform(r) - 1.0);
    gsl_rng_free(r);
    return s;
}

static void test_sw_threads(void **state)
{
    (void)state;
    md_system *s = mw_system(4, 0.35, 73);
    sr_errlist el = {0};
    md_potential *p = potential_from("sw", MW_FILE, "1", s, &el);
    assert_non_null(p);
    compare_threads(p, s, MD_NLIST_FULL, 1.0, "mW, 512 molecules");
    md_potential_free(p);
    sr_errlist_clear(&el);
    md_system_free(s);
}

/* The blocks: cover 0..n-1 in order, and each holds about 1/T of pairs + atoms. */
static void test_blocks(void **state)
{
    (void)state;
    enum { N = 1000 };
    int num[N], first[N];
    long total = 0;
    for (int i = 0; i < N; i++) {
        num[i] = (i * 37) % 91 + (i > 700 ? 60 : 0); /* uneven: heavier atoms at the end */
        first[i] = (int)total;
        total += num[i];
    }
    md_nlist nl = {0};
    nl.n = N;
    nl.num = num;
    nl.first = first;
    for (int T = 1; T <= 16; T++) {
        int b[17];
        md_thread_blocks(&nl, T, b);
        assert_int_equal(b[0], 0);
        assert_int_equal(b[T], N);
        for (int k = 0; k < T; k++) {
            assert_true(b[k] <= b[k + 1]);
            long w = 0;
            for (int i = b[k]; i < b[k + 1]; i++) w += num[i] + 1;
            const double ideal = (double)(total + N) / T;
            assert_true(fabs((double)w - ideal) <= 151.0 + 1.0); /* one atom's weight at most (num + 1 <= 151) */
        }
    }
    /* no atoms */
    nl.n = 0;
    int b[4];
    md_thread_blocks(&nl, 3, b);
    assert_true(b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0);
}

/* A threaded neighbour-list build gives the serial lists: the same neighbours in the same order, laid out in the
 * same memory order (first[] equal), for half and full lists, also after atoms moved and the box changed. */
static void compare_builds(md_system *s, double cutoff, double skin, int kind)
{
    md_nlist *ref = md_nlist_create(cutoff, skin, kind);
    assert_non_null(ref);
    assert_int_equal(md_nlist_build(ref, s), 0);
    const int n = ref->n, total = ref->first[n - 1] + ref->num[n - 1];
    const int counts[] = {2, 3, 7};
    for (int c = 0; c < 3; c++) {
        md_nlist *nl = md_nlist_create(cutoff, skin, kind);
        assert_non_null(nl);
        nl->threads = counts[c];
        assert_int_equal(md_nlist_build(nl, s), 0);
        assert_int_equal(nl->n, n);
        assert_memory_equal(nl->first, ref->first, (size_t)n * sizeof(int));
        assert_memory_equal(nl->num, ref->num, (size_t)n * sizeof(int));
        assert_memory_equal(nl->neigh, ref->neigh, (size_t)total * sizeof(int));
        md_nlist_free(nl);
    }
    print_message("%s list, %d atoms, %d entries: threaded builds (2, 3, 7) identical to the serial one\n",
                  kind == MD_NLIST_HALF ? "half" : "full", n, total);
    md_nlist_free(ref);
}

static void test_nlist_threads(void **state)
{
    (void)state;
    if (!md_threads_available()) skip();
    md_system *s = tu_jittered_fcc(8, 0.85, 0.1, 75);
    compare_builds(s, 2.5, 0.3, MD_NLIST_HALF);
    compare_builds(s, 2.5, 0.3, MD_NLIST_FULL);
    /* move atoms and shrink the box a little: new cells, new ghosts */
    for (int i = 0; i < 3 * s->n; i++) s->x[i] *= 0.98;
    for (int k = 0; k < 3; k++) s->box.len[k] *= 0.98;
    compare_builds(s, 2.5, 0.3, MD_NLIST_HALF);
    md_system_free(s);
    s = mw_system(4, 0.3, 76);
    compare_builds(s, 4.32, 1.0, MD_NLIST_FULL);
    md_system_free(s);
}

/* The AVX-512 walk (compress-store of the runs of cells) gives the baseline walk's lists, entry for entry. */
static void test_nlist_avx512_walk(void **state)
{
    (void)state;
    if (!md_kernel_available(MD_KERNEL_AVX512)) skip();
    md_system *s = tu_jittered_fcc(8, 0.85, 0.1, 77);
    const int kinds[2] = {MD_NLIST_HALF, MD_NLIST_FULL};
    for (int k = 0; k < 2; k++) {
        assert_int_equal(setenv("SEEDRATE_KERNEL", "simd", 1), 0);
        md_nlist *ref = md_nlist_create(2.5, 0.3, kinds[k]);
        assert_int_equal(md_nlist_build(ref, s), 0);
        assert_int_equal(unsetenv("SEEDRATE_KERNEL"), 0);
        md_nlist *nl = md_nlist_create(2.5, 0.3, kinds[k]);
        assert_int_equal(md_nlist_build(nl, s), 0);
        const int n = ref->n, total = ref->first[n - 1] + ref->num[n - 1];
        assert_int_equal(nl->n, n);
        assert_memory_equal(nl->first, ref->first, (size_t)n * sizeof(int));
        assert_memory_equal(nl->num, ref->num, (size_t)n * sizeof(int));
        assert_memory_equal(nl->neigh, ref->neigh, (size_t)total * sizeof(int));
        md_nlist_free(nl);
        md_nlist_free(ref);
    }
    md_system_free(s);
}

static void test_thread_counts(void **state)
{
    (void)state;
    int t = -1;
    assert_int_equal(unsetenv("OMP_NUM_THREADS"), 0);
    assert_int_equal(md_threads_resolve(0, &t), 0);
    assert_int_equal(t, 1); /* not OpenMP's "all cores": the default does not depend on the machine */
    if (md_threads_available()) {
        assert_int_equal(setenv("OMP_NUM_THREADS", "3", 1), 0);
        assert_int_equal(md_threads_resolve(0, &t), 0);
        assert_int_equal(t, 3);
        assert_int_equal(setenv("OMP_NUM_THREADS", "4,2", 1), 0);
        assert_int_equal(md_threads_resolve(0, &t), 0);
        assert_int_equal(t, 4);
        assert_int_equal(md_threads_resolve(2, &t), 0); /* an explicit count wins */
        assert_int_equal(t, 2);
    } else {
        assert_int_not_equal(md_threads_resolve(2, &t), 0);
        assert_non_null(strstr(sr_error_message(), "without OpenMP"));
    }
    const char *bad[] = {"0", "-2", "two", "3x"};
    for (int k = 0; k < 4; k++) {
        assert_int_equal(setenv("OMP_NUM_THREADS", bad[k], 1), 0);
        assert_int_not_equal(md_threads_resolve(0, &t), 0);
        assert_non_null(strstr(sr_error_message(), "OMP_NUM_THREADS"));
    }
    assert_int_equal(unsetenv("OMP_NUM_THREADS"), 0);
    assert_int_not_equal(md_threads_resolve(MD_MAX_THREADS + 1, &t), 0);
    assert_int_not_equal(md_threads_resolve(-1, &t), 0);

    /* [potential] threads */
    md_system *s = mw_system(2, 0.1, 74);
    sr_errlist el = {0};
    md_potential *p = potential_from("sw", MW_FILE, NULL, s, &el);
    assert_non_null(p);
    assert_int_equal(p->threads, 1);
    md_potential_free(p);
    if (md_threads_available()) {
        p = potential_from("sw", MW_FILE, "2", s, &el);
        assert_non_null(p);
        assert_int_equal(p->threads, 2);
        md_potential_free(p);
        assert_int_equal(setenv("OMP_NUM_THREADS", "3", 1), 0);
        p = potential_from("sw", MW_FILE, "0", s, &el);
        assert_non_null(p);
        assert_int_equal(p->threads, 3);
        md_potential_free(p);
        assert_int_equal(unsetenv("OMP_NUM_THREADS"), 0);
    }
    sr_errlist_clear(&el);
    p = potential_from("sw", MW_FILE, "-1", s, &el);
    assert_null(p);
    assert_true(el.n > 0);
    print_message("threads = -1: %s\n", el.msg[0]);
    assert_non_null(strstr(el.msg[0], "threads"));
    sr_errlist_clear(&el);
    md_system_free(s);
}

int main(void)
{
    unsetenv("SEEDRATE_KERNEL");
    unsetenv("OMP_NUM_THREADS");
    assert_int_equal(md_potential_register(&md_potential_sw), 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lj_threads),
        cmocka_unit_test(test_sw_threads),
        cmocka_unit_test(test_blocks),
        cmocka_unit_test(test_nlist_threads),
        cmocka_unit_test(test_nlist_avx512_walk),
        cmocka_unit_test(test_thread_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
