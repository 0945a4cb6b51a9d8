/* test_ml_forces.c - analytic forces and virial of the network potential against central finite
 * differences of the energy (F = -dE/dx, W_ab = -dE/d eps_ab), for G4/G5 and tanh/SiLU, in a box
 * smaller than twice the cutoff (several images of one atom in range); and the md "nn" style
 * (FULL list, ghosts, md_compute) reproduces the frame evaluation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "test_ml_util.h"

static double frame_energy(const ml_model *m, const ml_frame *fr)
{
    double e;
    assert_int_equal(ml_model_frame(m, fr, &e, NULL, NULL), 0);
    return e;
}

static void check_forces(int kind, int act)
{
    gsl_rng *r = sr_rng_create(41, (uint64_t)(kind * 10 + act), SR_RNG_USER);
    ml_model *m = tml_random_model(r, kind, act, 3.9);
    assert_non_null(m);
    ml_frame fr;
    tml_random_frame(r, 17, (double[3]){6.1, 5.7, 6.6}, 1.1, &fr); /* box < 2 rc */
    double E, *F = malloc(sizeof(double) * 3 * fr.n), W[6];
    assert_int_equal(ml_model_frame(m, &fr, &E, F, W), 0);
    const double h = 1e-5;
    double fmax = 0, err = 0;
    for (int k = 0; k < 3 * fr.n; k++) {
        const double keep = fr.x[k];
        fr.x[k] = keep + h;
        const double ep = frame_energy(m, &fr);
        fr.x[k] = keep - h;
        const double em = frame_energy(m, &fr);
        fr.x[k] = keep;
        const double fd = -(ep - em) / (2 * h);
        if (fabs(F[k]) > fmax) fmax = fabs(F[k]);
        if (fabs(fd - F[k]) > err) err = fabs(fd - F[k]);
    }
    assert_true(fmax > 1e-2);
    assert_true(err <= 1e-6 * fmax);
    /* virial, diagonal: uniform strain of box and positions, W_aa = -dE/d eps_aa */
    double wmax = 0;
    for (int k = 0; k < 6; k++) wmax = fabs(W[k]) > wmax ? fabs(W[k]) : wmax;
    for (int a = 0; a < 3; a++) {
        double e[2];
        for (int s = 0; s < 2; s++) {
            const double eps = s ? -h : h;
            ml_frame g = fr;
            g.x = malloc(sizeof(double) * 3 * fr.n);
            for (int i = 0; i < fr.n; i++)
                for (int q = 0; q < 3; q++) g.x[3 * i + q] = fr.x[3 * i + q] * (q == a ? 1 + eps : 1);
            g.box[a] *= 1 + eps;
            e[s] = frame_energy(m, &g);
            free(g.x);
        }
        const double fd = -(e[0] - e[1]) / (2 * h);
        assert_true(fabs(fd - W[a]) <= 1e-6 * wmax);
    }
    assert_true(wmax > 1e-2);
    free(F);
    tml_frame_free(&fr);
    ml_model_free(m);
    gsl_rng_free(r);
}

static void test_forces_g5_tanh(void **st) { (void)st; check_forces(ML_ANGULAR_G5, ML_ACT_TANH); }
static void test_forces_g4_silu(void **st) { (void)st; check_forces(ML_ANGULAR_G4, ML_ACT_SILU); }

/* off-diagonal virial of an isolated cluster: shear x += eps y changes E by -W_yx eps (W symmetric) */
static void test_virial_shear(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(42, 0, SR_RNG_USER);
    ml_model *m = tml_random_model(r, ML_ANGULAR_G5, ML_ACT_TANH, 3.9);
    ml_frame fr;
    tml_random_frame(r, 12, (double[3]){5, 5, 5}, 1.1, &fr);
    fr.box[0] = fr.box[1] = fr.box[2] = 30.0;
    double E, W[6];
    assert_int_equal(ml_model_frame(m, &fr, &E, NULL, W), 0);
    const int pa[3] = {0, 0, 1}, pb[3] = {1, 2, 2}; /* xy xz yz */
    const double h = 1e-5;
    for (int c = 0; c < 3; c++) {
        double e[2];
        for (int s = 0; s < 2; s++) {
            ml_frame g = fr;
            g.x = malloc(sizeof(double) * 3 * fr.n);
            memcpy(g.x, fr.x, sizeof(double) * 3 * fr.n);
            for (int i = 0; i < fr.n; i++) g.x[3 * i + pa[c]] += (s ? -h : h) * fr.x[3 * i + pb[c]];
            e[s] = frame_energy(m, &g);
            free(g.x);
        }
        const double fd = -(e[0] - e[1]) / (2 * h);
        assert_true(fabs(W[3 + c]) > 1e-3);
        assert_true(fabs(fd - W[3 + c]) <= 1e-6 * (fabs(W[0]) + fabs(W[1]) + fabs(W[2])));
    }
    tml_frame_free(&fr);
    ml_model_free(m);
    gsl_rng_free(r);
}

/* the md potential style: same energy, forces (after ghost folding) and virial */
static void test_md_style(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(43, 0, SR_RNG_USER);
    ml_model *m = tml_random_model(r, ML_ANGULAR_G5, ML_ACT_TANH, 3.9);
    ml_frame fr;
    tml_random_frame(r, 200, (double[3]){12.3, 12.9, 12.1}, 1.0, &fr);
    char path[200];
    snprintf(path, sizeof path, "%.150s/test_ml_forces_model.nc", SEEDRATE_BINARY_DIR);
    assert_int_equal(ml_model_write(m, path), 0);
    double E, *F = malloc(sizeof(double) * 3 * fr.n), W[6];
    assert_int_equal(ml_model_frame(m, &fr, &E, F, W), 0);
    md_system *s = md_system_create(fr.n, 2, MD_UNITS_METAL);
    assert_non_null(s);
    const double mass[2] = {15.999, 1.008};
    const char *names[2] = {"H", "O"}; /* reversed order on purpose: mapped by name */
    assert_int_equal(md_system_set_types(s, 2, mass, names), 0);
    assert_int_equal(md_system_set_box(s, (double[3]){0, 0, 0}, fr.box), 0);
    for (int i = 0; i < fr.n; i++) {
        memcpy(s->x + 3 * i, fr.x + 3 * i, sizeof(double) * 3);
        s->type[i] = fr.type[i] == 0 ? 1 : 0;
    }
    ml_potential_config cfg = {0};
    snprintf(cfg.model, sizeof cfg.model, "%s", path);
    void *state = NULL;
    assert_int_equal(ml_potential_nn.create(&state, &cfg, s, NULL), 0);
    md_potential *pot;
    assert_int_equal(md_potential_wrap(&ml_potential_nn, state, &pot), 0);
    md_nlist *nl = md_nlist_create(md_potential_cutoff(pot), 0.3, MD_NLIST_FULL);
    assert_int_equal(md_nlist_build(nl, s), 0);
    /* serial and threaded (private force arrays per thread) evaluations agree with the frame code */
    for (int threads = 1; threads <= 3; threads += 2) {
#ifdef _OPENMP
        omp_set_num_threads(threads);
#endif
        md_result res = {0};
        assert_int_equal(md_compute(pot, s, nl, MD_WANT_FORCE | MD_WANT_ENERGY | MD_WANT_VIRIAL, &res), 0);
        assert_true(fabs(res.energy - E) < 1e-10 * fabs(E));
        for (int i = 0; i < fr.n; i++) {
            const int k = (int)s->id[i] - 1; /* match by id in case md reorders */
            for (int q = 0; q < 3; q++) assert_true(fabs(s->f[3 * i + q] - F[3 * k + q]) < 1e-10);
        }
        for (int c = 0; c < 6; c++) assert_true(fabs(res.virial[c] - W[c]) < 1e-9 * (1 + fabs(W[c])));
    }
    md_nlist_free(nl);
    md_potential_free(pot);
    md_system_free(s);
    free(F);
    tml_frame_free(&fr);
    ml_model_free(m);
    gsl_rng_free(r);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forces_g5_tanh),
        cmocka_unit_test(test_forces_g4_silu),
        cmocka_unit_test(test_virial_shear),
        cmocka_unit_test(test_md_style),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
