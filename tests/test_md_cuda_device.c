/* The batched MD path (md_cuda.h) on a GPU: the checks of tests/test_md_cuda.c through the CUDA back end, plus
 * device against host back end (same functions, same order of sums: equal up to the device's fused
 * multiply-adds). Without a CUDA build or a usable GPU it prints why and exits 77 (ctest: skipped). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "md_cuda_testutil.h"

/* MD_CUDA_TEST_SHORT=1: a few hundred steps per check instead of 10^4 (runs under compute-sanitizer, whose
 * per-launch cost would make the long runs take many minutes) */
static long tc_long(long n)
{
    const char *e = getenv("MD_CUDA_TEST_SHORT");
    return e && *e && *e != '0' ? (n > 400 ? 400 : n) : n;
}

static void test_forces_match_md_lj(void **state)
{
    (void)state;
    tc_forces_match_cpu(1e-12);
}

static void test_batch_of_8_equals_batches_of_1(void **state)
{
    (void)state;
    tc_batch_equals_single(tc_long(500));
}

static void test_nve_follows_cpu_integrator(void **state)
{
    (void)state;
    tc_nve_vs_cpu(100, tc_long(10000), 1e-9);
}

static void test_nvt_bussi_temperature(void **state)
{
    (void)state;
    tc_nvt_bussi(tc_long(10000));
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

/* A batch of 3 replicas: device forces and a 200-step Bussi NVT trajectory against the host back end. */
static void test_device_matches_host(void **state)
{
    (void)state;
    enum { R = 3 };
    md_system *sys[R];
    md_cuda_replica reps[R];
    for (int r = 0; r < R; r++) {
        sys[r] = tc_system(7, 0.93 + 0.02 * r, 0.06, 0.9, 2, 300 + r);
        reps[r] = (md_cuda_replica){.system = sys[r], .temperature = 0.8, .stream = 11 + r};
    }
    md_cuda_params p = tc_params(tc_lj_binary(), MD_THERMO_BUSSI);
    md_cuda_batch *dev, *host;
    TC_OK(md_cuda_batch_create(MD_CUDA_DEVICE, &p, R, reps, &dev));
    TC_OK(md_cuda_batch_create(MD_CUDA_HOST, &p, R, reps, &host));
    md_system *a = md_system_copy(sys[0]), *c = md_system_copy(sys[0]);
    for (long steps = 0; steps <= 200; steps += 200) {
        if (steps) {
            TC_OK(md_cuda_batch_run(dev, steps));
            TC_OK(md_cuda_batch_run(host, steps));
        }
        for (int r = 0; r < R; r++) {
            TC_OK(md_cuda_batch_get(dev, r, a));
            TC_OK(md_cuda_batch_get(host, r, c));
            md_cuda_thermo td, th;
            TC_OK(md_cuda_batch_thermo(dev, r, &td));
            TC_OK(md_cuda_batch_thermo(host, r, &th));
            const double ef = tc_rel(a->f, c->f, 3 * a->n), ex = tc_rel(a->x, c->x, 3 * a->n);
            print_message("step %ld replica %d: device vs host forces %.3g, positions %.3g, pe %.3g, heat %.3g\n",
                          steps, r, ef, ex, fabs(td.pe - th.pe) / fabs(th.pe), fabs(td.heat - th.heat));
            assert_true(ef < (steps ? 1e-8 : 1e-12));
            assert_true(ex < 1e-10);
            assert_true(fabs(td.pe - th.pe) < 1e-10 * fabs(th.pe));
        }
    }
    md_system_free(a);
    md_system_free(c);
    md_cuda_batch_free(dev);
    md_cuda_batch_free(host);
    for (int r = 0; r < R; r++) md_system_free(sys[r]);
}

int main(void)
{
    char why[256];
    if (!md_cuda_available(why, sizeof why)) {
        printf("SKIP test_md_cuda_device: %s\n", why);
        return 77;
    }
    printf("test_md_cuda_device: %s\n", why);
    tc_backend = MD_CUDA_DEVICE;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forces_match_md_lj),
        cmocka_unit_test(test_device_matches_host),
        cmocka_unit_test(test_batch_of_8_equals_batches_of_1),
        cmocka_unit_test(test_nve_follows_cpu_integrator),
        cmocka_unit_test(test_nvt_bussi_temperature),
        cmocka_unit_test(test_capacity_regrowth),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
