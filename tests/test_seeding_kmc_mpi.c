/* test_seeding_kmc_mpi.c - the kMC driver over 2 MPI ranks (seed_kmc.h): the summed first-passage times
 * of trajectories split over the ranks equal the serial sums bit for bit; the kMC MFPT rate equals the
 * exact Becker-Doring flux within its statistical error; the Zeldovich rate of a tabulated chain; the
 * table and PREFIX.rates.nc readers and their errors. Run with mpirun -np 2 (ctest does). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_math.h>

#include "cnt/cnt.h"
#include "common/sr_error.h"
#include "seeding/seed_comm.h"
#include "kmc/kmc.h"
#include "seeding/seed_kmc.h"
#include "io/io.h"
#include "tu_mpi.h"

#define assert_close(a, b, tol)                                                                  \
    do {                                                                                         \
        double a_ = (a), b_ = (b), t_ = (tol);                                                   \
        if (!(fabs(a_ - b_) <= t_)) fail_msg("%s = %.12g, expected %.12g +- %.3g", #a, a_, b_, t_); \
    } while (0)

/* CNT chain with N_c = 30, |dmu| = 0.5 kT: beta dG* = 7.5 (the chain of test_cnt_kmc.c). */
static cnt_bd_model *model30(size_t n_max)
{
    double n_c = 30, dmu = -0.5, rho_s = 1.0;
    double gamma = cbrt(3 * n_c * 0.125 * rho_s * rho_s / (32 * M_PI));
    cnt_bd_model *m = NULL;
    assert_int_equal(cnt_bd_create_cnt(gamma, dmu, rho_s, 0.9, 5.0, 1.0, n_max, &m), SR_OK);
    return m;
}

static void expect_error(int rc, int code, const char *fragment)
{
    assert_int_equal(rc, code);
    if (!strstr(sr_error_message(), fragment)) fail_msg("message '%s' lacks '%s'", sr_error_message(), fragment);
    sr_error_clear();
}

/* 2 ranks, 203 trajectories in tasks of 7 (the last one short): the sums equal, bit for bit, the serial
 * sums taken task by task in task order on one process; they equal one plain serial accumulation of all
 * trajectories to round-off; every task ran exactly once over the two ranks. */
static void test_split_sums_equal_serial(void **state)
{
    (void)state;
    enum { NMAX = 60, NTRAJ = 203, CHUNK = 7 };
    cnt_bd_model *m = model30(NMAX);
    seed_kmc_params p = {.n_traj = NTRAJ, .chunk = CHUNK, .n0 = 1, .seed = 77, .max_steps = 100000000};
    double s1[NMAX + 1], s2[NMAX + 1];
    long tasks = -1;
    assert_int_equal(seed_kmc_sums(m, &p, s1, s2, &tasks), SR_OK);
    long all = tasks;
    assert_int_equal(seed_comm_allreduce_sum_long(&all, 1), SR_OK);
    assert_int_equal(all, (NTRAJ + CHUNK - 1) / CHUNK);
    print_message("rank %d ran %ld of %ld tasks\n", seed_comm_rank(), tasks, all);

    double r1[NMAX + 1] = {0}, r2[NMAX + 1] = {0}, plain1[NMAX + 1] = {0}, plain2[NMAX + 1] = {0};
    for (size_t first = 0; first < NTRAJ; first += CHUNK) {
        double t1[NMAX + 1] = {0}, t2[NMAX + 1] = {0};
        size_t last = first + CHUNK < NTRAJ ? first + CHUNK : NTRAJ;
        assert_int_equal(kmc_bd_mfpt_accumulate(m->n_max, m->f_plus, m->f_minus, 1, 77, first, last, 100000000, t1, t2), SR_OK);
        for (int n = 0; n <= NMAX; n++) {
            r1[n] += t1[n];
            r2[n] += t2[n];
        }
    }
    assert_memory_equal(s1, r1, sizeof s1);
    assert_memory_equal(s2, r2, sizeof s2);
    assert_int_equal(kmc_bd_mfpt_accumulate(m->n_max, m->f_plus, m->f_minus, 1, 77, 0, NTRAJ, 100000000, plain1, plain2), SR_OK);
    for (int n = 2; n <= NMAX; n++) {
        assert_true(s1[n] > 0);
        assert_close(s1[n], plain1[n], 1e-12 * plain1[n]);
        assert_close(s2[n], plain2[n], 1e-12 * plain2[n]);
    }
    /* a different seed gives different sums: the streams really depend on it */
    p.seed = 78;
    double o1[NMAX + 1], o2[NMAX + 1];
    assert_int_equal(seed_kmc_sums(m, &p, o1, o2, NULL), SR_OK);
    assert_true(o1[NMAX] != s1[NMAX]);
    cnt_bd_free(m);
}

/* 4000 trajectories over 2 ranks: the rate S/tau_J of the WSR fit equals the exact J_BD within 3
 * statistical standard errors plus the erf-form bias that the same fit shows on the exact MFPT curve;
 * the kMC MFPT to n_max equals the exact one within 4 standard errors; both ranks hold the same numbers. */
static void test_kmc_rate_equals_bd_flux(void **state)
{
    (void)state;
    enum { NMAX = 80 };
    cnt_bd_model *m = model30(NMAX);
    seed_kmc_params p = {.n_traj = 4000, .chunk = 0, .n0 = 1, .seed = 2026, .max_steps = 100000000};
    seed_kmc_result r;
    assert_int_equal(seed_kmc_run(m, &p, &r), SR_OK);
    double J;
    assert_int_equal(cnt_bd_steady_flux(m, &J), SR_OK);
    assert_close(r.J_bd, J, 0);
    double bias = fabs(r.S / r.fit_exact.tau_J / J - 1);
    print_message("J_kMC/J_BD = %.4f +- %.4f (erf-form bias on the exact curve %.4f)\n", r.J_kmc / J, r.J_kmc_se / J,
                  bias);
    assert_true(r.J_kmc_se > 0 && r.J_kmc_se < 0.05 * r.J_kmc);
    assert_close(r.J_kmc / J, 1.0, 3 * r.J_kmc_se / J + bias);
    assert_close(r.tau[NMAX], r.tau_exact[NMAX], 4 * r.se[NMAX]);
    assert_close(r.fit.n_star, 30, 2);
    double v[2] = {r.J_kmc, r.J_kmc_se}, v0[2] = {r.J_kmc, r.J_kmc_se};
    assert_int_equal(seed_comm_bcast_bytes(v0, sizeof v0), SR_OK);
    assert_memory_equal(v, v0, sizeof v);
    seed_kmc_result_clear(&r);
    seed_kmc_result_clear(NULL);
    cnt_bd_free(m);
}

/* Zeldovich rate of a tabulated chain: exact for a parabolic top (vertex 20.3, beta dG'' = -0.02 ->
 * Z = sqrt(0.02 / (2 pi))), and within 0.5% of cnt_compute for the CNT sphere with N_c = 30. */
static void test_zeldovich_table(void **state)
{
    (void)state;
    enum { M = 40 };
    double dG[M + 1], fp[M + 1];
    for (int n = 0; n <= M; n++) {
        dG[n] = 2.0 * (6.0 - 0.01 * (n - 20.3) * (n - 20.3)); /* kT = 2 */
        fp[n] = 0.5 + 0.1 * n;
    }
    cnt_bd_model *m;
    assert_int_equal(cnt_bd_create_table(M, dG, fp, 2.0, 0.7, &m), SR_OK);
    double ns, bdg, Z, Jc;
    assert_int_equal(seed_kmc_zeldovich_table(m, &ns, &bdg, &Z, &Jc), SR_OK);
    assert_close(ns, 20.3, 1e-10);
    assert_close(bdg, 6.0, 1e-10);
    assert_close(Z, sqrt(0.02 / (2 * M_PI)), 1e-12);
    assert_close(Jc, 0.7 * Z * (0.5 + 0.1 * 20.3) * exp(-6.0), 1e-12 * Jc);
    cnt_bd_free(m);

    m = model30(90);
    cnt_inputs in = {30, -0.5, 1.0, 0.9, 5.0, 1.0};
    cnt_result cr;
    assert_int_equal(cnt_compute(&in, &cr), SR_OK);
    assert_int_equal(seed_kmc_zeldovich_table(m, &ns, &bdg, &Z, &Jc), SR_OK);
    assert_close(ns, 30, 0.05);
    assert_close(bdg, cr.beta_dG, 1e-3);
    assert_close(Jc / cr.J, 1.0, 5e-3);
    cnt_bd_free(m);

    /* a chain that only rises has no top to expand around */
    for (int n = 0; n <= M; n++) dG[n] = n;
    assert_int_equal(cnt_bd_create_table(M, dG, fp, 1.0, 1.0, &m), SR_OK);
    expect_error(seed_kmc_zeldovich_table(m, NULL, NULL, NULL, NULL), SR_EINVAL, "at n = 39, an end of the chain");
    cnt_bd_free(m);
    /* nor one that only falls (top at the monomer) */
    for (int n = 0; n <= M; n++) dG[n] = -n;
    assert_int_equal(cnt_bd_create_table(M, dG, fp, 1.0, 1.0, &m), SR_OK);
    expect_error(seed_kmc_zeldovich_table(m, NULL, NULL, NULL, NULL), SR_EINVAL, "at n = 1, an end");
    cnt_bd_free(m);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Table reader: values, f+ from the n^(2/3) law about the top when the column is absent, and every
 * error with path:line. */
static void test_read_table(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "kmc_table_%d_%d.txt", (int)getpid(), seed_comm_rank());
    write_file(path, "# n dG f+\n1 0.5 1.0\n2 1.0 2.0 # comment\n\n3 1.2 3.0\n4 1.1 4.0\n5 0.0 5.0\n");
    cnt_bd_model *m;
    assert_int_equal(seed_kmc_read_table(path, 0.5, 0.8, 0, &m), SR_OK);
    assert_int_equal(m->n_max, 5);
    assert_close(m->dG[3], 1.2, 0);
    assert_close(m->f_plus[4], 4.0, 0);
    assert_close(m->beta, 2.0, 1e-15);
    assert_close(m->rho_l, 0.8, 0);
    cnt_bd_free(m);
    write_file(path, "1 0.5\n2 1.0\n3 1.2\n4 1.1\n5 0.0\n");
    assert_int_equal(seed_kmc_read_table(path, 1.0, 1.0, 2.0, &m), SR_OK);
    assert_close(m->f_plus[3], 2.0, 1e-15);
    assert_close(m->f_plus[1], 2.0 * pow(1.0 / 3.0, 2.0 / 3.0), 1e-15);
    cnt_bd_free(m);
    expect_error(seed_kmc_read_table(path, 1.0, 1.0, 0, &m), SR_EINVAL, "--f-plus");
    assert_null(m);
    expect_error(seed_kmc_read_table(path, 0.0, 1.0, 2.0, &m), SR_EINVAL, "kT = 0");
    write_file(path, "1 0.5 1\n2 x 1\n");
    expect_error(seed_kmc_read_table(path, 1.0, 1.0, 0, &m), SR_EPARSE, ":2: column 2");
    write_file(path, "1 0.5 1\n3 0.6 1\n");
    expect_error(seed_kmc_read_table(path, 1.0, 1.0, 0, &m), SR_EPARSE, ":2: n = 3, expected 2");
    write_file(path, "1 0.5 1\n2 0.6\n");
    expect_error(seed_kmc_read_table(path, 1.0, 1.0, 0, &m), SR_EPARSE, ":2: 2 columns, but the first row had 3");
    write_file(path, "1 0.5 1 7 8\n");
    expect_error(seed_kmc_read_table(path, 1.0, 1.0, 0, &m), SR_EPARSE, ":1: 4 columns");
    write_file(path, "1 0.5 -1\n");
    expect_error(seed_kmc_read_table(path, 1.0, 1.0, 0, &m), SR_EPARSE, ":1: f+ = -1");
    write_file(path, "1 0.5 1\n2 0.5 1\n");
    expect_error(seed_kmc_read_table(path, 1.0, 1.0, 0, &m), SR_EPARSE, "2 rows");
    remove(path);
    expect_error(seed_kmc_read_table(path, 1.0, 1.0, 0, &m), SR_EIO, "cannot open");
}

/* PREFIX.rates.nc as seedrate writes it (io_ncfile: checksum at commit), or with raw = 1 through plain
 * netCDF-C (no checksum: an unfinished file or one from a seedrate before the checksum). */
static void write_rates(const char *prefix, const char *units, int skip_f_plus, int raw)
{
    char path[300];
    snprintf(path, sizeof path, "%s.rates.nc", prefix);
    const char *names[] = {"gamma", "dmu", "rho_s", "rho_l", "f_plus", "n_c", "temperature"};
    const double vals[] = {0.0315, -0.0172, 0.0462, 0.0448, 7.5e3, 160, 215.0};
    if (raw) {
        int nc, ids[7];
        assert_int_equal(nc_create(path, NC_CLOBBER | NC_64BIT_OFFSET, &nc), NC_NOERR);
        assert_int_equal(nc_put_att_text(nc, NC_GLOBAL, "units_style", strlen(units), units), NC_NOERR);
        for (int k = 0; k < 7; k++) assert_int_equal(nc_def_var(nc, names[k], NC_DOUBLE, 0, NULL, &ids[k]), NC_NOERR);
        assert_int_equal(nc_enddef(nc), NC_NOERR);
        for (int k = 0; k < 7; k++) assert_int_equal(nc_put_var_double(nc, ids[k], &vals[k]), NC_NOERR);
        assert_int_equal(nc_close(nc), NC_NOERR);
        return;
    }
    io_ncfile *f;
    assert_int_equal(io_ncfile_create(path, &f), SR_OK);
    assert_int_equal(io_ncfile_put_att_text(f, NULL, "units_style", units), SR_OK);
    for (int k = 0; k < 7; k++)
        if (!(skip_f_plus && k == 4)) assert_int_equal(io_ncfile_def_var(f, names[k], IO_NC_DOUBLE, 0, NULL, "1", names[k]), SR_OK);
    for (int k = 0; k < 7; k++)
        if (!(skip_f_plus && k == 4)) assert_int_equal(io_ncfile_put_double(f, names[k], NULL, NULL, &vals[k]), SR_OK);
    assert_int_equal(io_ncfile_commit(f), SR_OK);
}

/* Keep the first `keep` bytes of a file (a copy cut short). */
static void truncate_file(const char *path, long keep)
{
    FILE *fp = fopen(path, "r+");
    assert_non_null(fp);
    assert_int_equal(ftruncate(fileno(fp), keep), 0);
    fclose(fp);
}

/* PREFIX.rates.nc: the CNT scalars, kT = k_B T in metal units; a missing variable is named. */
static void test_read_campaign(void **state)
{
    (void)state;
    char prefix[256], path[300];
    snprintf(prefix, sizeof prefix, "kmc_campaign_%d_%d", (int)getpid(), seed_comm_rank());
    snprintf(path, sizeof path, "%s.rates.nc", prefix);
    write_rates(prefix, "metal", 0, 0);
    seed_kmc_campaign c;
    assert_int_equal(seed_kmc_read_campaign(prefix, &c), SR_OK);
    assert_int_equal(c.metal, 1);
    assert_close(c.gamma, 0.0315, 0);
    assert_close(c.dmu, -0.0172, 0);
    assert_close(c.f_plus, 7.5e3, 0);
    assert_close(c.kT, 215.0 * CNT_KB_EV_PER_K, 1e-18);
    write_rates(prefix, "lj", 0, 0);
    assert_int_equal(seed_kmc_read_campaign(prefix, &c), SR_OK);
    assert_int_equal(c.metal, 0);
    assert_close(c.kT, 215.0, 0);
    write_rates(prefix, "real", 0, 0);
    expect_error(seed_kmc_read_campaign(prefix, &c), SR_EINVAL, "units_style = 'real'");
    write_rates(prefix, "lj", 1, 0);
    expect_error(seed_kmc_read_campaign(prefix, &c), SR_ENETCDF, "f_plus");
    /* issue #19: a file without the completeness checksum, and one cut short, are refused naming the file */
    write_rates(prefix, "lj", 0, 1);
    expect_error(seed_kmc_read_campaign(prefix, &c), SR_EPARSE, "no completeness checksum");
    write_rates(prefix, "lj", 0, 0);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    const long size = ftell(fp);
    fclose(fp);
    truncate_file(path, size - 16); /* the last two doubles (n_c, temperature) read back as zeros */
    expect_error(seed_kmc_read_campaign(prefix, &c), SR_EPARSE, ".rates.nc: damaged");
    remove(path);
    expect_error(seed_kmc_read_campaign(prefix, &c), SR_ENETCDF, ".rates.nc: cannot open");
}

/* Driver errors: bad arguments on every rank; a trajectory over max_steps fails every rank. */
static void test_driver_errors(void **state)
{
    (void)state;
    cnt_bd_model *m = model30(80);
    double s1[81], s2[81];
    seed_kmc_params p = {.n_traj = 1, .n0 = 1, .seed = 1, .max_steps = 1000};
    expect_error(seed_kmc_sums(m, &p, s1, s2, NULL), SR_EINVAL, "n_traj=1");
    p.n_traj = 10;
    p.n0 = 80;
    expect_error(seed_kmc_sums(m, &p, s1, s2, NULL), SR_EINVAL, "n0=80");
    p.n0 = 1;
    p.max_steps = 50;
    assert_int_equal(seed_kmc_sums(m, &p, s1, s2, NULL), SR_EFAILED);
    assert_true(strstr(sr_error_message(), "within 50 steps") || strstr(sr_error_message(), "another rank"));
    sr_error_clear();
    seed_kmc_result r;
    assert_int_equal(seed_kmc_run(m, &p, &r), SR_EFAILED);
    assert_null(r.tau);
    sr_error_clear();
    expect_error(seed_kmc_run(NULL, &p, &r), SR_EINVAL, "NULL");
    assert_int_equal(seed_kmc_default_chunk(1), 1);
    assert_int_equal(seed_kmc_default_chunk(256), 1);
    assert_int_equal(seed_kmc_default_chunk(257), 2);
    cnt_bd_free(m);
}

/* SEEDRATE_TEST_FAIL_RANK=R: an assertion fails on rank R only, then the ranks meet in a collective; the job
 * must end at once with the assertion's message (tests/test_cli_mpi_abort.sh), not hang. Passes otherwise. */
static void test_fails_on_one_rank_on_request(void **state)
{
    (void)state;
    const char *r = getenv("SEEDRATE_TEST_FAIL_RANK");
    if (r && atoi(r) == seed_comm_rank()) assert_int_equal(seed_comm_rank() + 40, 2);
    seed_comm_barrier();
}

int main(int argc, char **argv)
{
    if (seed_comm_init(&argc, &argv)) return 1;
    const struct CMUnitTest tests[] = {
        TU_MPI_TEST(test_split_sums_equal_serial),
        TU_MPI_TEST(test_kmc_rate_equals_bd_flux),
        TU_MPI_TEST(test_zeldovich_table),
        TU_MPI_TEST(test_read_table),
        TU_MPI_TEST(test_read_campaign),
        TU_MPI_TEST(test_driver_errors),
        TU_MPI_TEST(test_fails_on_one_rank_on_request),
    };
    int rc = cmocka_run_group_tests(tests, NULL, tu_mpi_group_teardown);
    int any = seed_comm_any(rc);
    seed_comm_finalize();
    return any ? 1 : 0;
}
