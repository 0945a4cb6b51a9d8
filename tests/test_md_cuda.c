/* The batched MD path (md_cuda.h) through its host back end: the per-atom and per-replica functions that the
 * CUDA kernels run, driven by the same driver, on any machine (tests/test_md_cuda_device.c runs the same checks
 * on a GPU). Forces, energy and virial equal md_lj's; a batch of 8 equals batches of 1 bit for bit; NVE follows
 * md_integrator and conserves energy; Bussi NVT samples the target temperature; the random numbers (Philox,
 * gamma, Bussi resampling) have the right moments; capacities regrow; bad inputs are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "md_cuda_testutil.h"
#include "md/md_cuda_kernel.h"

static void test_forces_match_md_lj(void **state)
{
    (void)state;
    tc_forces_match_cpu(1e-12);
}

static void test_batch_of_8_equals_batches_of_1(void **state)
{
    (void)state;
    tc_batch_equals_single(100);
}

static void test_nve_follows_cpu_integrator(void **state)
{
    (void)state;
    tc_nve_vs_cpu(100, 600, 1e-9);
}

static void test_nvt_bussi_temperature(void **state)
{
    (void)state;
    tc_nvt_bussi(1000);
}

static void test_capacity_regrowth(void **state)
{
    (void)state;
    tc_capacity_regrowth();
}

static void test_errors(void **state)
{
    (void)state;
    tc_errors();
}

/* Philox-4x32-10 known-answer vectors (Random123's kat_vectors: counter, key -> output). */
static void test_philox_known_answers(void **state)
{
    (void)state;
    const mdk_u4 zero = {{0, 0, 0, 0}};
    mdk_u4 o = mdk_philox(zero, 0, 0);
    assert_int_equal(o.v[0], 0x6627e8d5u);
    assert_int_equal(o.v[1], 0xe169c58du);
    assert_int_equal(o.v[2], 0xbc57ac4cu);
    assert_int_equal(o.v[3], 0x9b00dbd8u);
    const mdk_u4 ones = {{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}};
    o = mdk_philox(ones, 0xffffffffu, 0xffffffffu);
    assert_int_equal(o.v[0], 0x408f276du);
    assert_int_equal(o.v[1], 0x41c83b0eu);
    assert_int_equal(o.v[2], 0xa20bc7c6u);
    assert_int_equal(o.v[3], 0x6d5451fdu);
    const mdk_u4 pi = {{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}};
    o = mdk_philox(pi, 0xa4093822u, 0x299f31d0u);
    assert_int_equal(o.v[0], 0xd16cfe09u);
    assert_int_equal(o.v[1], 0x94fdccebu);
    assert_int_equal(o.v[2], 0x5001e420u);
    assert_int_equal(o.v[3], 0x24126ea1u);
}

/* chi^2 deviates 2 Gamma(k/2) (the Bussi thermostat's sum of k squared normals): mean k, variance 2k, also
 * for k < 2 (shape < 1); the resampled kinetic energy at tau -> 0 is Kt chi^2_ndeg / ndeg. */
static void test_gamma_and_bussi_moments(void **state)
{
    (void)state;
    const double ks[3] = {0.6, 5.0, 2071.0};
    const int n = 200000;
    for (int q = 0; q < 3; q++) {
        double s = 0, s2 = 0;
        for (int i = 0; i < n; i++) {
            mdk_rng r = mdk_rng_at(77, 5 + q, i, 1);
            const double x = 2.0 * mdk_gamma(&r, 0.5 * ks[q]);
            s += x;
            s2 += x * x;
        }
        const double mean = s / n, var = s2 / n - mean * mean;
        print_message("chi2(%g): mean %.5g (%g), variance %.5g (%g)\n", ks[q], mean, ks[q], var, 2 * ks[q]);
        assert_true(fabs(mean - ks[q]) < 5.0 * sqrt(2.0 * ks[q] / n));
        assert_true(fabs(var / (2 * ks[q]) - 1.0) < 0.03);
    }
    /* Bussi at tau -> 0: Kn = Kt chi2_ndeg / ndeg whatever K was */
    const int ndeg = 30;
    const double Kt = 2.385;
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        mdk_rng r = mdk_rng_at(91, 2, i, 0);
        const double r1 = mdk_gaussian(&r), sumsq = 2.0 * mdk_gamma(&r, 0.5 * (ndeg - 1));
        const double Kn = mdk_bussi_resample(7.3, Kt, ndeg, 0.0, r1, sumsq);
        s += Kn;
        s2 += Kn * Kn;
    }
    const double mean = s / n, var = s2 / n - mean * mean;
    print_message("Bussi tau 0: <Kn> %.5g (%g), var %.5g (%g)\n", mean, Kt, var, 2 * Kt * Kt / ndeg);
    assert_true(fabs(mean - Kt) < 5.0 * Kt * sqrt(2.0 / ndeg / n));
    assert_true(fabs(var / (2 * Kt * Kt / ndeg) - 1.0) < 0.03);
    /* streams and steps give different numbers; the same counter the same */
    mdk_rng a = mdk_rng_at(1, 2, 3, 0), b = mdk_rng_at(1, 2, 3, 0), c = mdk_rng_at(1, 3, 3, 0), d = mdk_rng_at(1, 2, 4, 0);
    const double ga = mdk_gaussian(&a);
    assert_true(ga == mdk_gaussian(&b));
    assert_true(ga != mdk_gaussian(&c));
    assert_true(ga != mdk_gaussian(&d));
}

/* On the device, atomics fill a cell in any order; the per-cell sort restores index order (the host back end
 * bins in order, so only this direct check sees the sort work), and lists and force sums follow from it. */
static void test_cell_sort_restores_index_order(void **state)
{
    (void)state;
    enum { N = 37 };
    int atoms[N], count = N, rebuild = 1, cell_rep = 0;
    for (int i = 0; i < N; i++) atoms[i] = (i * 23 + 5) % N * 3 + 1; /* a permutation of 1, 4, ..., 109 */
    mdk_batch b;
    memset(&b, 0, sizeof b);
    b.ncells = 1;
    b.cell_rep = &cell_rep;
    b.rebuild = &rebuild;
    b.cell_cap = N;
    b.cell_count = &count;
    b.cell_atoms = atoms;
    mdk_cell_sort(&b, 0);
    for (int i = 0; i < N; i++) assert_int_equal(atoms[i], 3 * i + 1);
    /* a replica not marked for a rebuild keeps its cells as they are */
    atoms[0] = 99;
    atoms[1] = 2;
    rebuild = 0;
    mdk_cell_sort(&b, 0);
    assert_int_equal(atoms[0], 99);
}

static void test_availability_answers(void **state)
{
    (void)state;
    char why[256] = "";
    const int ok = md_cuda_available(why, sizeof why);
    print_message("md_cuda_available: %d (%s)\n", ok, why);
    assert_true(ok == 0 || ok == 1);
    assert_true(why[0] != '\0');
    assert_int_equal(md_cuda_available(NULL, 0), ok);
#if !defined(SEEDRATE_HAVE_CUDA)
    assert_int_equal(ok, 0);
    assert_non_null(strstr(why, "without CUDA"));
#endif
    if (!ok) {
        md_system *s = tc_system(6, 0.95, 0.0, 1.0, 1, 1);
        md_cuda_params p = tc_params(tc_lj_single(), MD_THERMO_NONE);
        md_cuda_replica rep = {.system = s};
        md_cuda_batch *b;
        assert_int_equal(md_cuda_batch_create(MD_CUDA_DEVICE, &p, 1, &rep, &b), SR_EUNSUPPORTED);
        assert_null(b);
        md_system_free(s);
    }
}

int main(void)
{
    tc_backend = MD_CUDA_HOST;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forces_match_md_lj),
        cmocka_unit_test(test_batch_of_8_equals_batches_of_1),
        cmocka_unit_test(test_nve_follows_cpu_integrator),
        cmocka_unit_test(test_nvt_bussi_temperature),
        cmocka_unit_test(test_capacity_regrowth),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_philox_known_answers),
        cmocka_unit_test(test_gamma_and_bussi_moments),
        cmocka_unit_test(test_cell_sort_restores_index_order),
        cmocka_unit_test(test_availability_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
