/* test_ml_train.c - training maths: network input and parameter derivatives (double
 * back-propagation) against finite differences, the exact energy+force loss gradient against finite
 * differences, recovery of known per-element reference energies, and a teacher-student fit that
 * lowers the loss by more than 100x. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include <netcdf.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "test_ml_util.h"

/* Q = gE N(x) + gF v . dN/dx, evaluated directly */
static double net_Q(const ml_net *net, const double *x, const double *v, double gE, double gF,
                    double *work)
{
    double g[64];
    const double y = ml_net_eval(net, x, g, work);
    double s = 0;
    for (int i = 0; i < net->width[0]; i++) s += v[i] * g[i];
    return gE * y + gF * s;
}

static void test_net_derivatives(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(51, 0, SR_RNG_USER);
    for (int act = 0; act < 2; act++) {
        const int hidden[3] = {7, 5, 6};
        ml_net *net = ml_net_create(11, 3, hidden, act);
        assert_non_null(net);
        ml_net_init(net, r);
        for (int p = 0; p < net->nparams; p++) net->param[p] += 0.1 * gsl_rng_uniform(r); /* biases != 0 */
        double x[11], v[11], g[11], work[1024], grad[1024] = {0};
        assert_true(ml_net_work_size(net) < 1024 && net->nparams < 1024);
        for (int i = 0; i < 11; i++) {
            x[i] = 2 * gsl_rng_uniform(r) - 1;
            v[i] = 2 * gsl_rng_uniform(r) - 1;
        }
        const double h = 1e-5, gE = 0.7353, gF = -1.918;
        ml_net_eval(net, x, g, work);
        for (int i = 0; i < 11; i++) {
            const double keep = x[i];
            x[i] = keep + h;
            const double yp = ml_net_eval(net, x, NULL, work);
            x[i] = keep - h;
            const double ym = ml_net_eval(net, x, NULL, work);
            x[i] = keep;
            assert_true(fabs((yp - ym) / (2 * h) - g[i]) < 1e-8);
        }
        ml_net_param_grad(net, x, v, gE, gF, grad, work);
        double gmax = 0;
        for (int p = 0; p < net->nparams; p++) {
            const double keep = net->param[p];
            net->param[p] = keep + h;
            const double qp = net_Q(net, x, v, gE, gF, work);
            net->param[p] = keep - h;
            const double qm = net_Q(net, x, v, gE, gF, work);
            net->param[p] = keep;
            const double fd = (qp - qm) / (2 * h);
            assert_true(fabs(fd - grad[p]) < 1e-8 * (1 + fabs(fd)));
            if (fabs(grad[p]) > gmax) gmax = fabs(grad[p]);
        }
        assert_true(gmax > 1e-2);
        ml_net_free(net);
    }
    gsl_rng_free(r);
}

/* labelled frames from a "teacher" model */
static void make_dataset(gsl_rng *r, const ml_model *teacher, int nframes, int natoms, double noise,
                         ml_dataset *ds)
{
    memset(ds, 0, sizeof *ds);
    ds->nelem = 2;
    strcpy(ds->type_map[0], "O");
    strcpy(ds->type_map[1], "H");
    for (int k = 0; k < nframes; k++) {
        ml_frame fr;
        tml_random_frame(r, natoms, (double[3]){6.3, 6.1, 6.6}, 1.0, &fr);
        fr.force = malloc(sizeof(double) * 3 * natoms);
        assert_int_equal(ml_model_frame(teacher, &fr, &fr.energy, fr.force, fr.virial), 0);
        fr.has_virial = 1;
        fr.energy += noise * (gsl_rng_uniform(r) - 0.5);
        for (int q = 0; q < 3 * natoms; q++) fr.force[q] += noise * (gsl_rng_uniform(r) - 0.5);
        for (int q = 0; q < 6; q++) fr.virial[q] += noise * natoms * (gsl_rng_uniform(r) - 0.5);
        assert_int_equal(ml_dataset_add(ds, &fr), 0);
        tml_frame_free(&fr);
    }
}

static void check_loss_gradient(double pe, double pf, double pv)
{
    gsl_rng *r = sr_rng_create(52, 0, SR_RNG_USER);
    ml_model *teacher = tml_random_model(r, ML_ANGULAR_G5, ML_ACT_TANH, 3.6);
    ml_model *m = tml_random_model(r, ML_ANGULAR_G5, ML_ACT_SILU, 3.6);
    ml_dataset ds;
    make_dataset(r, teacher, 3, 13, 0.1, &ds);
    ml_cache *c;
    assert_int_equal(ml_cache_create(m, &ds, &c), 0);
    const int np = ml_model_nparams(m), idx[3] = {2, 0, 1};
    double *p = malloc(sizeof(double) * np), *grad = malloc(sizeof(double) * np);
    ml_model_get_params(m, p);
    ml_cache_loss(m, c, idx, 3, pe, pf, pv, grad);
    const double h = 1e-5;
    double gmax = 0, err = 0;
    for (int q = 0; q < np; q++) {
        const double keep = p[q];
        p[q] = keep + h;
        ml_model_set_params(m, p);
        const double lp = ml_cache_loss(m, c, idx, 3, pe, pf, pv, NULL);
        p[q] = keep - h;
        ml_model_set_params(m, p);
        const double lm = ml_cache_loss(m, c, idx, 3, pe, pf, pv, NULL);
        p[q] = keep;
        const double fd = (lp - lm) / (2 * h);
        if (fabs(grad[q]) > gmax) gmax = fabs(grad[q]);
        if (fabs(fd - grad[q]) > err) err = fabs(fd - grad[q]);
    }
    ml_model_set_params(m, p);
    assert_true(gmax > 1e-3);
    assert_true(err <= 1e-6 * gmax);
    free(p);
    free(grad);
    ml_cache_free(c);
    ml_dataset_free(&ds);
    ml_model_free(teacher);
    ml_model_free(m);
    gsl_rng_free(r);
}

/* pure force term: checks the double back-propagation through descriptors and nets */
static void test_force_loss_gradient(void **st) { (void)st; check_loss_gradient(0.0, 1.0, 0.0); }
static void test_energy_force_loss_gradient(void **st) { (void)st; check_loss_gradient(3.7, 0.9, 0.0); }
/* the virial term alone, and with the others (one contraction carries forces and virial) */
static void test_virial_loss_gradient(void **st) { (void)st; check_loss_gradient(0.0, 0.0, 1.3); }
static void test_energy_force_virial_loss_gradient(void **st) { (void)st; check_loss_gradient(3.7, 0.9, 2.3); }

/* The virial the training cache predicts is the model's analytic one (ml_model_frame, md's convention W = sum
 * r_a f_b): with the model's own virial as the reference the virial loss is 0 (to the cache's single-precision
 * derivatives), and a reference shifted by a known delta gives exactly pv |delta|^2 / (9 N^2), off-diagonals
 * counted twice. A sign or index slip in either breaks both. */
static void test_cache_virial_is_the_model_virial(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(53, 0, SR_RNG_USER);
    ml_model *m = tml_random_model(r, ML_ANGULAR_G5, ML_ACT_TANH, 3.6);
    const int natoms = 11;
    const double delta[6] = {0.3, -0.2, 0.1, 0.05, -0.07, 0.11}; /* xx yy zz xy xz yz, eV */
    for (int shift = 0; shift < 2; shift++) {
        ml_dataset ds = {0};
        ds.nelem = 2;
        strcpy(ds.type_map[0], "O");
        strcpy(ds.type_map[1], "H");
        ml_frame fr;
        tml_random_frame(r, natoms, (double[3]){6.3, 6.1, 6.6}, 1.0, &fr);
        fr.force = malloc(sizeof(double) * 3 * natoms);
        assert_int_equal(ml_model_frame(m, &fr, &fr.energy, fr.force, fr.virial), 0);
        fr.has_virial = 1;
        double wmax = 0;
        for (int q = 0; q < 6; q++) wmax = fmax(wmax, fabs(fr.virial[q]));
        assert_true(wmax > 1e-2); /* a virial that is not zero */
        if (shift)
            for (int q = 0; q < 6; q++) fr.virial[q] += delta[q];
        assert_int_equal(ml_dataset_add(&ds, &fr), 0);
        tml_frame_free(&fr);
        ml_cache *c;
        assert_int_equal(ml_cache_create(m, &ds, &c), 0);
        const int idx[1] = {0};
        const double pv = 2.0, loss = ml_cache_loss(m, c, idx, 1, 0.0, 0.0, pv, NULL);
        double d2 = 0;
        for (int q = 0; q < 6; q++) d2 += (q < 3 ? 1.0 : 2.0) * delta[q] * delta[q];
        const double expect = shift ? pv * d2 / (9.0 * natoms * natoms) : 0.0;
        print_message("virial loss %s: %.10g (expected %.10g; reference virial scale %.3g eV)\n",
                      shift ? "with a shifted reference" : "against the model's own", loss, expect, wmax);
        /* the cache's float derivatives: the predicted virial is good to ~1e-7 of its scale */
        const double tol_w = 1e-6 * wmax; /* eV on each component */
        if (shift)
            assert_true(fabs(loss - expect) < pv * 2.0 * sqrt(d2) * 3.0 * tol_w / (9.0 * natoms * natoms) + 1e-15);
        else
            assert_true(loss < pv * 9.0 * tol_w * tol_w / (9.0 * natoms * natoms));
        ml_cache_free(c);
        ml_dataset_free(&ds);
    }
    ml_model_free(m);
    gsl_rng_free(r);
}

/* frames whose energy is exactly sum_e n_e e_e: the least-squares fit recovers e_e */
static void test_reference_energies(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(53, 0, SR_RNG_USER);
    ml_model *m = tml_random_model(r, ML_ANGULAR_G5, ML_ACT_TANH, 3.6);
    ml_dataset ds = {0};
    const double e_true[2] = {-432.127, -13.605};
    for (int k = 0; k < 5; k++) {
        ml_frame fr;
        tml_random_frame(r, 8 + k, (double[3]){7, 7, 7}, 1.0, &fr);
        int n[2] = {0, 0};
        for (int i = 0; i < fr.n; i++) {
            fr.type[i] = (i < 2 + k % 3) ? 0 : 1;
            n[fr.type[i]]++;
        }
        fr.energy = n[0] * e_true[0] + n[1] * e_true[1];
        assert_int_equal(ml_dataset_add(&ds, &fr), 0);
        tml_frame_free(&fr);
    }
    assert_int_equal(ml_model_fit_statistics(m, &ds), 0);
    assert_true(fabs(m->e_ref[0] - e_true[0]) < 1e-8);
    assert_true(fabs(m->e_ref[1] - e_true[1]) < 1e-8);
    /* normalised features have mean 0 and unit variance over the set */
    ml_dataset_free(&ds);
    ml_model_free(m);
    gsl_rng_free(r);
}

/* A teacher-student pair on 8 frames of 12 atoms labelled by the teacher (energies, forces, virials), the student's
 * normalisation fitted and its cache built; idx[8] = 0..7 */
typedef struct student {
    gsl_rng *r;
    ml_model *teacher, *m;
    ml_dataset ds;
    ml_cache *c;
    int idx[8];
} student;

static void student_setup(uint64_t seed, student *S)
{
    S->r = sr_rng_create(seed, 0, SR_RNG_USER);
    S->teacher = tml_random_model(S->r, ML_ANGULAR_G5, ML_ACT_TANH, 3.6);
    S->m = tml_random_model(S->r, ML_ANGULAR_G5, ML_ACT_TANH, 3.6);
    make_dataset(S->r, S->teacher, 8, 12, 0.0, &S->ds);
    assert_int_equal(ml_model_fit_statistics(S->m, &S->ds), 0);
    assert_int_equal(ml_cache_create(S->m, &S->ds, &S->c), 0);
    for (int k = 0; k < 8; k++) S->idx[k] = k;
}

static void student_free(student *S)
{
    ml_cache_free(S->c);
    ml_dataset_free(&S->ds);
    ml_model_free(S->teacher);
    ml_model_free(S->m);
    gsl_rng_free(S->r);
}

/* the defaults with a short schedule: `steps` Adam steps of 2 frames, lr 3e-3 -> 1e-4 every 100 steps, constant
 * energy and force prefactors pef, a learning-curve point every eval_every steps */
static void short_schedule(ml_train_params *p, long steps, double pef, long eval_every)
{
    ml_train_defaults(p);
    p->steps = steps;
    p->batch = 2;
    p->lr_start = 3e-3;
    p->lr_stop = 1e-4;
    p->decay_steps = 100;
    p->pe_start = p->pe_limit = pef;
    p->pf_start = p->pf_limit = pef;
    p->eval_every = eval_every;
}

static void test_training_lowers_loss(void **st)
{
    (void)st;
    student S;
    student_setup(54, &S);
    ml_model *m = S.m;
    const double l0 = ml_cache_loss(m, S.c, S.idx, 8, 1.0, 1.0, 0.0, NULL);
    ml_train_params p;
    short_schedule(&p, 1500, 1.0, 500);
    ml_train_report rep;
    char ckpt[256], curve[256];
    snprintf(ckpt, sizeof ckpt, "%.150s/test_ml_train_ckpt.nc", SEEDRATE_BINARY_DIR);
    snprintf(curve, sizeof curve, "%.150s/test_ml_train_curve.nc", SEEDRATE_BINARY_DIR);
    /* train on all frames, validate on the same (this test is about the optimiser) */
    assert_int_equal(ml_train(m, &S.ds, &S.ds, &p, ckpt, &rep), 0);
    const double l1 = ml_cache_loss(m, S.c, S.idx, 8, 1.0, 1.0, 0.0, NULL);
    printf("loss %.3e -> %.3e (x%.0f)\n", l0, l1, l0 / l1);
    assert_true(l1 * 100 < l0);
    assert_int_equal(rep.npoints, 4); /* steps 0, 500, 1000, 1500 */
    /* the checkpoint holds the best point, which is what the model ends with */
    ml_model *b = NULL;
    assert_int_equal(ml_model_read(ckpt, &b), 0);
    double e1, e2;
    assert_int_equal(ml_model_frame(m, &S.ds.frames[3], &e1, NULL, NULL), 0);
    assert_int_equal(ml_model_frame(b, &S.ds.frames[3], &e2, NULL, NULL), 0);
    assert_memory_equal(&e1, &e2, sizeof e1);
    ml_model_free(b);
    /* learning curve file: one record per evaluation, with units */
    assert_int_equal(ml_train_report_write(&rep, curve), 0);
    int ncid, dim, var;
    size_t len;
    char units[64] = "";
    assert_int_equal(nc_open(curve, NC_NOWRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_dimid(ncid, "point", &dim), NC_NOERR);
    assert_int_equal(nc_inq_dimlen(ncid, dim, &len), NC_NOERR);
    assert_int_equal((int)len, rep.npoints);
    assert_int_equal(nc_inq_varid(ncid, "rmse_f_validation", &var), NC_NOERR);
    assert_int_equal(nc_get_att_text(ncid, var, "units", units), NC_NOERR);
    assert_string_equal(units, "eV angstrom-1");
    double last;
    const size_t at = len - 1;
    assert_int_equal(nc_get_var1_double(ncid, var, &at, &last), NC_NOERR);
    assert_true(last == rep.rmse_f_val[rep.npoints - 1]);
    nc_close(ncid);
    remove(ckpt);
    remove(curve);
    ml_train_report_free(&rep);
    student_free(&S);
}

/* ema_decay: the learning curve and the kept model are the moving average's. With d = 0.9999 the average after
 * 1500 steps still weighs the start by 0.9999^1500 = 0.86, so its curve hardly falls while the plain run's falls by
 * > 10x; with d = 0.9 (a memory of ~10 steps) the kept average trains as well as the plain run (loss / 100). The
 * three runs start from the same parameters (as test_training_on_virials' runs do). */
static void test_moving_average(void **st)
{
    (void)st;
    student S;
    student_setup(54, &S);
    ml_model *m = S.m;
    const int np = ml_model_nparams(m);
    double *theta = malloc(sizeof(double) * np);
    ml_model_get_params(m, theta);
    const double l0 = ml_cache_loss(m, S.c, S.idx, 8, 1.0, 1.0, 0.0, NULL);
    ml_train_params p;
    short_schedule(&p, 1500, 1.0, 500);
    double f_end[3], f_start[3], loss_ratio[3];
    const double decay[3] = {0.0, 0.9999, 0.9};
    for (int v = 0; v < 3; v++) {
        ml_model_set_params(m, theta);
        p.ema_decay = decay[v];
        ml_train_report rep;
        assert_int_equal(ml_train(m, &S.ds, &S.ds, &p, NULL, &rep), 0);
        assert_int_equal(rep.npoints, 4);
        f_start[v] = rep.rmse_f_val[0];
        f_end[v] = rep.rmse_f_val[3];
        loss_ratio[v] = ml_cache_loss(m, S.c, S.idx, 8, 1.0, 1.0, 0.0, NULL) / l0;
        print_message("ema_decay %g: validation F RMSE %.4g -> %.4g, kept model's loss / start %.3g\n", decay[v],
                      f_start[v], f_end[v], loss_ratio[v]);
        ml_train_report_free(&rep);
    }
    assert_true(f_start[0] == f_start[1] && f_start[0] == f_start[2]); /* step 0: the average is the start */
    assert_true(f_end[0] < 0.1 * f_start[0]);
    assert_true(f_end[1] > 0.5 * f_start[1]);
    assert_true(loss_ratio[1] > 0.1);
    assert_true(loss_ratio[2] < 0.01);
    free(theta);
    student_free(&S);
}

/* training on 2 threads is reproducible: four runs of the same input end with bit-identical weights and
 * learning curves. The frames differ in size (8 to 64 atoms), so which thread finishes first varies from run to
 * run; the old code summed the gradient per thread in the order the threads took frames (dynamic schedule,
 * OpenMP reduction) and failed this */
static void test_threads_reproducible(void **st)
{
    (void)st;
#ifndef _OPENMP
    skip(); /* one thread only: nothing to order */
#endif
    gsl_rng *r = sr_rng_create(56, 0, SR_RNG_USER);
    ml_model *teacher = tml_random_model(r, ML_ANGULAR_G5, ML_ACT_TANH, 3.6);
    ml_model *m0 = tml_random_model(r, ML_ANGULAR_G5, ML_ACT_TANH, 3.6);
    ml_dataset ds = {0};
    ds.nelem = 2;
    strcpy(ds.type_map[0], "O");
    strcpy(ds.type_map[1], "H");
    for (int k = 0; k < 12; k++) {
        ml_frame fr;
        const int n = 8 << (k % 4); /* 8, 16, 32, 64 atoms */
        const double L = 6.3 * cbrt(n / 12.0);
        tml_random_frame(r, n, (double[3]){L, L, L}, 1.0, &fr);
        fr.force = malloc(sizeof(double) * 3 * n);
        assert_int_equal(ml_model_frame(teacher, &fr, &fr.energy, fr.force, NULL), 0);
        assert_int_equal(ml_dataset_add(&ds, &fr), 0);
        tml_frame_free(&fr);
    }
    ml_train_params p;
    ml_train_defaults(&p);
    p.steps = 300;
    p.batch = 6;
    p.eval_every = 100;
    p.threads = 2;
    const int np = ml_model_nparams(m0);
    double *first = malloc(sizeof(double) * np), *w = malloc(sizeof(double) * np), first_val = 0;
    for (int run = 0; run < 4; run++) {
        char path[160];
        snprintf(path, sizeof path, "%.120s/test_ml_train_thr.%ld.nc", SEEDRATE_BINARY_DIR, (long)getpid());
        assert_int_equal(ml_model_write(m0, path), 0);
        ml_model *m = NULL;
        assert_int_equal(ml_model_read(path, &m), 0);
        remove(path);
        ml_train_report rep;
        assert_int_equal(ml_train(m, &ds, NULL, &p, NULL, &rep), 0);
        ml_model_get_params(m, w);
        const double val = rep.rmse_f_train[rep.npoints - 1];
        if (run == 0) {
            memcpy(first, w, sizeof(double) * np);
            first_val = val;
        } else {
            assert_memory_equal(first, w, sizeof(double) * np);
            assert_memory_equal(&first_val, &val, sizeof val);
        }
        ml_train_report_free(&rep);
        ml_model_free(m);
    }
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
    free(first);
    free(w);
    ml_dataset_free(&ds);
    ml_model_free(teacher);
    ml_model_free(m0);
    gsl_rng_free(r);
}

/* the wall-time guard ends training after the first learning-curve point and keeps that model;
 * invalid settings are refused */
/* Training with the virial term: on frames whose energies and forces say little (one energy each, forces
 * weighted out), the virial term alone takes the virial loss down by > 10x, where the same training without it
 * (p_v = 0) leaves the virial loss above; and training with p_v = 0 on frames that carry virials gives the
 * parameters bit for bit of the same frames without virials (the force-only path is unchanged). */
static void test_training_on_virials(void **st)
{
    (void)st;
    student S;
    student_setup(55, &S);
    ml_model *m0 = S.m;
    ml_train_params p;
    short_schedule(&p, 600, 0.0, 300);
    p.threads = 1;
    const int np = ml_model_nparams(m0);
    double *theta = malloc(sizeof(double) * np), *a = malloc(sizeof(double) * np), *b = malloc(sizeof(double) * np);
    ml_model_get_params(m0, theta);
    const double lv0 = ml_cache_loss(m0, S.c, S.idx, 8, 0.0, 0.0, 1.0, NULL);
    double lv[2];
    for (int with = 0; with < 2; with++) {
        ml_model_set_params(m0, theta);
        p.pv_start = p.pv_limit = with ? 1.0 : 0.0;
        p.pe_start = p.pe_limit = with ? 0.0 : 1e-3; /* something to train on without the virial */
        ml_train_report rep;
        assert_int_equal(ml_train(m0, &S.ds, &S.ds, &p, NULL, &rep), 0);
        lv[with] = ml_cache_loss(m0, S.c, S.idx, 8, 0.0, 0.0, 1.0, NULL);
        ml_train_report_free(&rep);
    }
    print_message("virial loss %.3e -> %.3e trained with p_v, %.3e without\n", lv0, lv[1], lv[0]);
    assert_true(lv[1] * 10 < lv0);
    assert_true(lv[1] * 10 < lv[0]);
    /* p_v = 0: the same parameters with and without reference virials on the frames */
    p.pv_start = p.pv_limit = 0.0;
    p.pe_start = p.pe_limit = 1.0;
    p.pf_start = p.pf_limit = 1.0;
    for (int with = 0; with < 2; with++) {
        for (int k = 0; k < S.ds.nframes; k++) S.ds.frames[k].has_virial = with;
        ml_model_set_params(m0, theta);
        ml_train_report rep;
        assert_int_equal(ml_train(m0, &S.ds, &S.ds, &p, NULL, &rep), 0);
        ml_model_get_params(m0, with ? b : a);
        ml_train_report_free(&rep);
    }
    assert_memory_equal(a, b, sizeof(double) * np);
    free(theta);
    free(a);
    free(b);
    student_free(&S);
}

static void test_time_budget_and_bad_params(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(55, 0, SR_RNG_USER);
    ml_model *teacher = tml_random_model(r, ML_ANGULAR_G5, ML_ACT_TANH, 3.6);
    ml_model *m = tml_random_model(r, ML_ANGULAR_G5, ML_ACT_TANH, 3.6);
    ml_dataset ds;
    make_dataset(r, teacher, 5, 10, 0.0, &ds);
    ml_train_params p;
    ml_train_defaults(&p);
    p.steps = 100000;
    p.eval_every = 10;
    p.max_minutes = 1e-12;
    ml_train_report rep;
    const int np = ml_model_nparams(m);
    double *before = malloc(sizeof(double) * np), *after = malloc(sizeof(double) * np);
    ml_model_get_params(m, before);
    assert_int_equal(ml_train(m, &ds, NULL, &p, NULL, &rep), 0);
    assert_int_equal(rep.npoints, 1);
    assert_int_equal(rep.step[0], 0);
    ml_model_get_params(m, after);
    assert_memory_equal(before, after, sizeof(double) * np);
    ml_train_report_free(&rep);
    p.batch = 0;
    assert_int_equal(ml_train(m, &ds, NULL, &p, NULL, &rep), SR_ERANGE);
    ml_train_defaults(&p);
    ml_dataset empty = {0};
    assert_int_equal(ml_train(m, &empty, NULL, &p, NULL, &rep), SR_EINVAL);
    free(before);
    free(after);
    ml_dataset_free(&ds);
    ml_model_free(teacher);
    ml_model_free(m);
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_net_derivatives),
        cmocka_unit_test(test_force_loss_gradient),
        cmocka_unit_test(test_energy_force_loss_gradient),
        cmocka_unit_test(test_virial_loss_gradient),
        cmocka_unit_test(test_energy_force_virial_loss_gradient),
        cmocka_unit_test(test_cache_virial_is_the_model_virial),
        cmocka_unit_test(test_reference_energies),
        cmocka_unit_test(test_training_lowers_loss),
        cmocka_unit_test(test_moving_average),
        cmocka_unit_test(test_training_on_virials),
        cmocka_unit_test(test_time_budget_and_bad_params),
        cmocka_unit_test(test_threads_reproducible),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
