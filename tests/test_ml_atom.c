/* test_ml_atom.c - the per-atom evaluation ml_model_atom used by md: its force paths (one pass that keeps
 * the descriptor's tape, for G5 by moments and for G4 by pair records; two passes with the descriptor's own
 * contraction when the tape would pass ML_TAPE_MAX) give dE_i/dd_j = the central finite difference of E_i,
 * and the tape path equals the two-pass contraction to rounding; a model file whose angular exponent is
 * outside what the descriptor tabulates is rejected on reading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include <netcdf.h>

#include "io/io.h"
#include "test_ml_util.h"

#define RC 3.9

/* n neighbours at random in the shell 0.9 < r < 0.97 rc, random elements */
static void random_env(gsl_rng *r, int n, int *ntype, double *d)
{
    for (int j = 0; j < n; j++) {
        double v[3], rr;
        do {
            for (int q = 0; q < 3; q++) v[q] = RC * (2 * gsl_rng_uniform(r) - 1);
            rr = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        } while (rr < 0.9 || rr > 0.97 * RC);
        memcpy(d + 3 * j, v, sizeof v);
        ntype[j] = (int)gsl_rng_uniform_int(r, 2);
    }
}

/* max |dE/dd analytic - central difference| relative to max |dE/dd| */
static double fd_error(const ml_model *m, int n, uint64_t stream)
{
    gsl_rng *r = sr_rng_create(77, stream, SR_RNG_USER);
    int *ntype = malloc(sizeof(int) * (size_t)n);
    double *d = malloc(sizeof(double) * 3 * (size_t)n), *g = malloc(sizeof(double) * 3 * (size_t)n);
    void *work = malloc(ml_model_work_size(m, n));
    random_env(r, n, ntype, d);
    const ml_env env = {0, n, ntype, d};
    const double e0 = ml_model_atom(m, &env, g, work);
    assert_true(e0 == ml_model_atom(m, &env, NULL, work)); /* energy independent of the path */
    const double h = 1e-5;
    double gmax = 0, err = 0;
    for (int k = 0; k < 3 * n; k++) {
        const double keep = d[k];
        d[k] = keep + h;
        const double ep = ml_model_atom(m, &env, NULL, work);
        d[k] = keep - h;
        const double em = ml_model_atom(m, &env, NULL, work);
        d[k] = keep;
        const double fd = (ep - em) / (2 * h);
        gmax = fmax(gmax, fabs(g[k]));
        err = fmax(err, fabs(fd - g[k]));
    }
    assert_true(gmax > 1e-3);
    free(ntype);
    free(d);
    free(g);
    free(work);
    gsl_rng_free(r);
    return err / gmax;
}

/* 12 neighbours, G5: the moment tape */
static void test_tape_path_fd(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(71, 0, SR_RNG_USER);
    ml_model *m = tml_random_model(r, ML_ANGULAR_G5, ML_ACT_TANH, RC);
    assert_non_null(m);
    assert_int_equal(m->nf, 34);
    assert_true(m->desc->tape_size(&m->sf, 12) <= ML_TAPE_MAX);
    assert_true(fd_error(m, 12, 1) < 1e-7);
    ml_model_free(m);
    gsl_rng_free(r);
}

/* 40 neighbours, G4: the tape of pair records */
static void test_tape_path_g4_fd(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(75, 0, SR_RNG_USER);
    ml_model *m = tml_random_model(r, ML_ANGULAR_G4, ML_ACT_TANH, RC);
    assert_non_null(m);
    assert_true(m->desc->tape_size(&m->sf, 40) <= ML_TAPE_MAX);
    assert_true(fd_error(m, 40, 3) < 1e-7);
    ml_model_free(m);
    gsl_rng_free(r);
}

/* 14 neighbours, G5 with zeta 9 (beyond the moments' 8): the tape of pair records; 130: two passes */
static void test_g5_pairs_fd(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(77, 0, SR_RNG_USER);
    ml_model *m = tml_random_model_z(r, ML_ANGULAR_G5, ML_ACT_SILU, RC, 9);
    assert_non_null(m);
    assert_true(m->desc->tape_size(&m->sf, 14) <= ML_TAPE_MAX && m->desc->tape_size(&m->sf, 130) > ML_TAPE_MAX);
    assert_true(fd_error(m, 14, 4) < 1e-7);
    assert_true(fd_error(m, 130, 5) < 1e-7);
    ml_model_free(m);
    gsl_rng_free(r);
}

/* 120 neighbours, G4: 7140 pair records of 41 doubles, above ML_TAPE_MAX: the two-pass contraction */
static void test_two_pass_path_fd(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(72, 0, SR_RNG_USER);
    ml_model *m = tml_random_model(r, ML_ANGULAR_G4, ML_ACT_SILU, RC);
    assert_non_null(m);
    assert_true(m->desc->tape_size(&m->sf, 120) > ML_TAPE_MAX);
    assert_true(fd_error(m, 120, 2) < 1e-7);
    ml_model_free(m);
    gsl_rng_free(r);
}

/* the tape path equals G -> net -> descriptor contraction done by hand, to rounding (G5: moments; G4: pairs) */
static void check_tape_equals_contraction(int kind)
{
    gsl_rng *r = sr_rng_create(73, (uint64_t)kind, SR_RNG_USER);
    ml_model *m = tml_random_model(r, kind, ML_ACT_TANH, RC);
    const int n = 15, nf = m->nf;
    int ntype[15];
    double d[45], g_tape[45], g_two[45];
    random_env(r, n, ntype, d);
    const ml_env env = {1, n, ntype, d};
    void *work = malloc(ml_model_work_size(m, n));
    const double e = ml_model_atom(m, &env, g_tape, work);
    /* by hand: x = (G - mu)/sigma, dE/dG = dN/dx / sigma, contract */
    double *G = malloc(sizeof(double) * (size_t)nf), *x = malloc(sizeof(double) * (size_t)nf),
           *gw = malloc(sizeof(double) * (size_t)nf);
    double *nw = malloc(sizeof(double) * ml_net_work_size(m->net[1]));
    void *dw = malloc(m->desc->work_size(&m->sf, n));
    m->desc->compute(&m->sf, &env, G, NULL, dw);
    const double *mu = m->g_mean + nf, *sd = m->g_std + nf;
    for (int f = 0; f < nf; f++) x[f] = (G[f] - mu[f]) / sd[f];
    const double e2 = ml_net_eval(m->net[1], x, gw, nw) + m->e_ref[1];
    for (int f = 0; f < nf; f++) gw[f] /= sd[f];
    m->desc->contract(&m->sf, &env, gw, g_two, dw);
    assert_true(fabs(e - e2) <= 1e-14 * fabs(e));
    double gmax = 0, err = 0;
    for (int k = 0; k < 3 * n; k++) {
        gmax = fmax(gmax, fabs(g_two[k]));
        err = fmax(err, fabs(g_tape[k] - g_two[k]));
    }
    assert_true(gmax > 1e-3);
    assert_true(err <= 1e-12 * gmax);
    free(G);
    free(x);
    free(gw);
    free(nw);
    free(dw);
    free(work);
    ml_model_free(m);
    gsl_rng_free(r);
}

static void test_tape_equals_g5(void **st) { (void)st; check_tape_equals_contraction(ML_ANGULAR_G5); }
static void test_tape_equals_g4(void **st) { (void)st; check_tape_equals_contraction(ML_ANGULAR_G4); }

/* a NaN displacement (an exploding run) gives a NaN energy and NaN forces, on every path: G5 by moments, G4 pairs,
 * two passes (an atom must not silently lose the neighbour) */
static void test_nan_reaches_energy(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(76, 0, SR_RNG_USER);
    const int kinds[3] = {ML_ANGULAR_G5, ML_ANGULAR_G4, ML_ANGULAR_G4}, ns[3] = {12, 12, 120};
    for (int c = 0; c < 3; c++) {
        ml_model *m = tml_random_model(r, kinds[c], ML_ACT_TANH, RC);
        const int n = ns[c];
        int *ntype = malloc(sizeof(int) * (size_t)n);
        double *d = malloc(sizeof(double) * 3 * (size_t)n), *g = malloc(sizeof(double) * 3 * (size_t)n);
        void *work = malloc(ml_model_work_size(m, n));
        random_env(r, n, ntype, d);
        const ml_env env = {0, n, ntype, d};
        assert_true(isfinite(ml_model_atom(m, &env, g, work)));
        d[3 * 4 + 1] = NAN;
        assert_true(isnan(ml_model_atom(m, &env, NULL, work)));
        assert_true(isnan(ml_model_atom(m, &env, g, work)));
        int nan_forces = 0;
        for (int k = 0; k < 3 * n; k++) nan_forces += isnan(g[k]);
        assert_true(nan_forces > 3);
        free(ntype);
        free(d);
        free(g);
        free(work);
        ml_model_free(m);
    }
    gsl_rng_free(r);
}

/* angular_zeta = 100 (> 64) written into a valid model file: ml_model_read refuses it */
static void test_read_rejects_large_zeta(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(74, 0, SR_RNG_USER);
    ml_model *m = tml_random_model(r, ML_ANGULAR_G5, ML_ACT_TANH, RC);
    char path[200];
    snprintf(path, sizeof path, "%.150s/test_ml_atom_model.nc", SEEDRATE_BINARY_DIR);
    assert_int_equal(ml_model_write(m, path), 0);
    ml_model *back = NULL;
    assert_int_equal(ml_model_read(path, &back), 0); /* the untouched file reads */
    ml_model_free(back);
    back = NULL;
    int ncid, v;
    assert_int_equal(nc_open(path, NC_WRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_varid(ncid, "angular_zeta", &v), NC_NOERR);
    const size_t idx = 1;
    const double big = 100.0;
    assert_int_equal(nc_put_var1_double(ncid, v, &idx, &big), NC_NOERR);
    assert_int_equal(io_nc_put_checksum(ncid, path), 0); /* as a writer of such a file would: not a damaged file */
    assert_int_equal(nc_close(ncid), NC_NOERR);
    assert_int_equal(ml_model_read(path, &back), SR_EPARSE);
    assert_null(back);
    assert_non_null(strstr(sr_error_message(), "zeta = 100"));
    remove(path);
    ml_model_free(m);
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tape_path_fd),
        cmocka_unit_test(test_tape_path_g4_fd),
        cmocka_unit_test(test_two_pass_path_fd),
        cmocka_unit_test(test_g5_pairs_fd),
        cmocka_unit_test(test_tape_equals_g5),
        cmocka_unit_test(test_tape_equals_g4),
        cmocka_unit_test(test_nan_reaches_energy),
        cmocka_unit_test(test_read_rejects_large_zeta),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
