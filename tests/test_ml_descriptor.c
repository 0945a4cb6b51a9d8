/* test_ml_descriptor.c - Behler-Parrinello symmetry functions: analytic values, G5 by moments and by the
 * pair loop against the definition's pair sum, derivatives against central finite differences, invariance
 * of descriptors and energies under rotation, translation and permutation of like atoms, and parameter
 * validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "test_ml_util.h"

static void make_sf(int kind, ml_sf_params *sf)
{
    const double eta_a[2] = {0.05, 0.4}, zeta[3] = {1, 2, 5};
    assert_int_equal(ml_sf_generate(2, 4.1, 3.7, 6, 0.7, kind, 2, eta_a, 3, zeta, sf), 0);
}

/* one neighbour of element 1 at distance r: G2 block of element 1 = exp(-eta (r-rs)^2) fc(r),
 * block of element 0 zero; two neighbours at angle theta: G5 closed form */
static void test_analytic_values(void **st)
{
    (void)st;
    ml_sf_params sf;
    make_sf(ML_ANGULAR_G5, &sf);
    const int nf = ml_descriptor_bp.n_features(&sf);
    assert_int_equal(nf, 2 * 6 + 3 * 12);
    double G[64], work[4096];
    const double r = 2.385, th = 1.9113;
    const double d[6] = {r, 0, 0, r * cos(th), r * sin(th), 0};
    const int nt[2] = {1, 1};
    ml_env env = {0, 1, nt, d};
    ml_descriptor_bp.compute(&sf, &env, G, NULL, work);
    const double fc = 0.5 * (cos(3.14159265358979323846 * r / sf.rc) + 1);
    for (int k = 0; k < 6; k++) {
        assert_true(G[k] == 0.0);
        const double ref = exp(-sf.eta_r[k] * (r - sf.rs[k]) * (r - sf.rs[k])) * fc;
        assert_true(fabs(G[6 + k] - ref) < 1e-14);
    }
    env.n = 2;
    ml_descriptor_bp.compute(&sf, &env, G, NULL, work);
    const double fca = 0.5 * (cos(3.14159265358979323846 * r / sf.rc_angular) + 1);
    const int pair_hh = 2; /* pairs (0,0), (0,1), (1,1) */
    for (int m = 0; m < sf.n_angular; m++) {
        const double ref = pow(2.0, 1 - sf.zeta[m]) * pow(1 + sf.lambda[m] * cos(th), sf.zeta[m]) *
                           exp(-2 * sf.eta_a[m] * r * r) * fca * fca;
        assert_true(fabs(G[12 + pair_hh * sf.n_angular + m] - ref) < 1e-14 * (1 + fabs(ref)));
        assert_true(G[12 + m] == 0.0); /* pair (O,O) untouched */
    }
}

/* zeta = 1, 2, 5: G5 by moments; with zeta 9 (> 8) the pair loop */
static void check_derivatives(int kind, int zeta_high)
{
    gsl_rng *r = sr_rng_create(31, 1, SR_RNG_USER);
    ml_sf_params sf;
    const double eta_a[2] = {0.05, 0.4}, zeta[3] = {1, 2, zeta_high};
    assert_int_equal(ml_sf_generate(2, 4.1, 3.7, 6, 0.7, kind, 2, eta_a, 3, zeta, &sf), 0);
    const int nf = ml_descriptor_bp.n_features(&sf), n = 9;
    double d[27], G[64], Gp[64], Gm[64], *dG = malloc(sizeof(double) * n * 3 * nf);
    int nt[9];
    void *work = malloc(ml_descriptor_bp.work_size(&sf, n));
    for (int j = 0; j < n; j++) {
        nt[j] = j % 2;
        double len;
        do {
            for (int q = 0; q < 3; q++) d[3 * j + q] = 7.0 * (gsl_rng_uniform(r) - 0.5);
            len = sqrt(d[3 * j] * d[3 * j] + d[3 * j + 1] * d[3 * j + 1] + d[3 * j + 2] * d[3 * j + 2]);
        } while (len > 4.0 || len < 0.8);
    }
    ml_env env = {1, n, nt, d};
    ml_descriptor_bp.compute(&sf, &env, G, dG, work);
    double maxd = 0, maxerr = 0;
    const double h = 1e-5;
    for (int j = 0; j < n; j++)
        for (int q = 0; q < 3; q++) {
            const double keep = d[3 * j + q];
            d[3 * j + q] = keep + h;
            ml_descriptor_bp.compute(&sf, &env, Gp, NULL, work);
            d[3 * j + q] = keep - h;
            ml_descriptor_bp.compute(&sf, &env, Gm, NULL, work);
            d[3 * j + q] = keep;
            for (int f = 0; f < nf; f++) {
                const double fd = (Gp[f] - Gm[f]) / (2 * h), an = dG[(j * 3 + q) * nf + f];
                if (fabs(an) > maxd) maxd = fabs(an);
                if (fabs(fd - an) > maxerr) maxerr = fabs(fd - an);
            }
        }
    assert_true(maxd > 1e-2); /* the check is not vacuous */
    assert_true(maxerr <= 1e-6 * maxd);
    free(dG);
    free(work);
    gsl_rng_free(r);
}

static void test_derivatives_g5(void **st) { (void)st; check_derivatives(ML_ANGULAR_G5, 5); }
static void test_derivatives_g5_pairs(void **st) { (void)st; check_derivatives(ML_ANGULAR_G5, 9); }
static void test_derivatives_g4(void **st) { (void)st; check_derivatives(ML_ANGULAR_G4, 5); }

/* G5 as its definition says, a sum over unordered pairs of neighbours (libm's exp and cos) */
static void g5_by_pairs(const ml_sf_params *sf, const ml_env *env, double *G)
{
    const double pi = 3.14159265358979323846;
    const int nf = ml_descriptor_bp.n_features(sf), off = sf->nelem * sf->n_radial;
    for (int f = off; f < nf; f++) G[f] = 0.0;
    for (int j = 0; j < env->n; j++)
        for (int k = j + 1; k < env->n; k++) {
            const double *u = env->d + 3 * j, *w = env->d + 3 * k;
            const double ru = sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
            const double rw = sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
            if (ru >= sf->rc_angular || rw >= sf->rc_angular) continue;
            const double c = (u[0] * w[0] + u[1] * w[1] + u[2] * w[2]) / (ru * rw);
            const double fu = 0.5 * (cos(pi * ru / sf->rc_angular) + 1), fw = 0.5 * (cos(pi * rw / sf->rc_angular) + 1);
            int b = env->ntype[j], e = env->ntype[k];
            if (b > e) {
                const int t = b;
                b = e;
                e = t;
            }
            const int pair = b * sf->nelem - b * (b - 1) / 2 + (e - b);
            for (int m = 0; m < sf->n_angular; m++)
                G[off + pair * sf->n_angular + m] += pow(2.0, 1 - sf->zeta[m]) *
                                                     pow(1 + sf->lambda[m] * c, sf->zeta[m]) *
                                                     exp(-sf->eta_a[m] * (ru * ru + rw * rw)) * fu * fw;
        }
}

/* the moment evaluation of G5 (zeta <= 8) and the pair loop (zeta 9) both equal the pair sum of the
 * definition, for two elements and neighbours inside and beyond the angular cutoff */
static void test_g5_equals_definition(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(33, 1, SR_RNG_USER);
    const double eta_a[2] = {0.05, 0.4}, zeta_m[4] = {1, 2, 5, 8}, zeta_p[2] = {3, 9};
    for (int variant = 0; variant < 2; variant++) {
        ml_sf_params sf;
        assert_int_equal(ml_sf_generate(2, 4.1, 3.7, 6, 0.7, ML_ANGULAR_G5, 2, eta_a, variant ? 2 : 4,
                                        variant ? zeta_p : zeta_m, &sf), 0);
        const int nf = ml_descriptor_bp.n_features(&sf), n = 17;
        double d[3 * 17], G[128], ref[128];
        int nt[17];
        for (int j = 0; j < n; j++) {
            nt[j] = (int)gsl_rng_uniform_int(r, 2);
            double len;
            do {
                for (int q = 0; q < 3; q++) d[3 * j + q] = 8.4 * (gsl_rng_uniform(r) - 0.5);
                len = sqrt(d[3 * j] * d[3 * j] + d[3 * j + 1] * d[3 * j + 1] + d[3 * j + 2] * d[3 * j + 2]);
            } while (len > 4.1 || len < 0.8);
        }
        const ml_env env = {0, n, nt, d};
        void *work = malloc(ml_descriptor_bp.work_size(&sf, n));
        ml_descriptor_bp.compute(&sf, &env, G, NULL, work);
        g5_by_pairs(&sf, &env, ref);
        double gmax = 0.0, err = 0.0;
        for (int f = sf.nelem * sf.n_radial; f < nf; f++) {
            gmax = fmax(gmax, fabs(ref[f]));
            err = fmax(err, fabs(G[f] - ref[f]));
        }
        print_message("G5 (%s): max |G - definition| %.3g of max |G| %.3g\n", variant ? "pair loop" : "moments", err,
                      gmax);
        assert_true(gmax > 0.1); /* neighbours inside the angular cutoff, every block filled */
        assert_true(err <= 1e-13 * gmax);
        free(work);
    }
    gsl_rng_free(r);
}

/* descriptors of every atom of a frame */
static double *frame_descriptors(const ml_model *m, const ml_frame *fr)
{
    ml_neigh nb = {0};
    assert_int_equal(ml_neigh_build(fr, m->desc->cutoff(&m->sf), &nb), 0);
    double *G = malloc(sizeof(double) * fr->n * m->nf);
    void *work = malloc(m->desc->work_size(&m->sf, 4096));
    for (int i = 0; i < fr->n; i++) {
        ml_env env = ml_neigh_env(&nb, fr, i);
        m->desc->compute(&m->sf, &env, G + (size_t)i * m->nf, NULL, work);
    }
    free(work);
    ml_neigh_free(&nb);
    return G;
}

/* rotation of an isolated cluster, translation and like-atom permutation of a periodic frame leave
 * every atom's descriptor and the total energy unchanged */
static void test_invariance(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(32, 1, SR_RNG_USER);
    for (int kind = 4; kind <= 5; kind++) {
        ml_model *m = tml_random_model(r, kind, ML_ACT_TANH, 4.0);
        assert_non_null(m);
        /* cluster of 14 atoms inside a 40 A box: no periodic images within rc */
        const double big[3] = {40, 40, 40}, small[3] = {7.3, 6.9, 7.7};
        ml_frame cl, pb;
        tml_random_frame(r, 14, (double[3]){6, 6, 6}, 1.0, &cl);
        memcpy(cl.box, big, sizeof big);
        tml_random_frame(r, 21, small, 1.0, &pb);
        double *G0 = frame_descriptors(m, &cl), E0, E1;
        assert_int_equal(ml_model_frame(m, &cl, &E0, NULL, NULL), 0);
        /* rotation: axis-angle (Rodrigues) about a random axis, around the centre of the box */
        double ax[3] = {0.3, -0.8, 0.52}, an = 1.234, nrm = sqrt(0.09 + 0.64 + 0.2704);
        for (int q = 0; q < 3; q++) ax[q] /= nrm;
        for (int i = 0; i < cl.n; i++) {
            double *x = cl.x + 3 * i, v[3] = {x[0] - 3, x[1] - 3, x[2] - 3}, c[3];
            c[0] = ax[1] * v[2] - ax[2] * v[1];
            c[1] = ax[2] * v[0] - ax[0] * v[2];
            c[2] = ax[0] * v[1] - ax[1] * v[0];
            const double dot = ax[0] * v[0] + ax[1] * v[1] + ax[2] * v[2];
            for (int q = 0; q < 3; q++)
                x[q] = 20 + v[q] * cos(an) + c[q] * sin(an) + ax[q] * dot * (1 - cos(an));
        }
        double *G1 = frame_descriptors(m, &cl);
        assert_int_equal(ml_model_frame(m, &cl, &E1, NULL, NULL), 0);
        for (int k = 0; k < cl.n * m->nf; k++) assert_true(fabs(G0[k] - G1[k]) < 1e-11 * (1 + fabs(G0[k])));
        assert_true(fabs(E0 - E1) < 1e-11 * fabs(E0));
        free(G0);
        free(G1);
        /* periodic translation (atoms leave the box: images must take over) */
        G0 = frame_descriptors(m, &pb);
        assert_int_equal(ml_model_frame(m, &pb, &E0, NULL, NULL), 0);
        for (int i = 0; i < pb.n; i++)
            for (int q = 0; q < 3; q++) pb.x[3 * i + q] += (q + 1) * 2.171;
        G1 = frame_descriptors(m, &pb);
        assert_int_equal(ml_model_frame(m, &pb, &E1, NULL, NULL), 0);
        for (int k = 0; k < pb.n * m->nf; k++) assert_true(fabs(G0[k] - G1[k]) < 1e-11 * (1 + fabs(G0[k])));
        assert_true(fabs(E0 - E1) < 1e-11 * fabs(E0));
        /* permutation of two like atoms (1 and 2 are both element 1) */
        assert_int_equal(pb.type[1], pb.type[2]);
        for (int q = 0; q < 3; q++) {
            double t = pb.x[3 + q];
            pb.x[3 + q] = pb.x[6 + q];
            pb.x[6 + q] = t;
        }
        double *G2 = frame_descriptors(m, &pb);
        assert_int_equal(ml_model_frame(m, &pb, &E1, NULL, NULL), 0);
        for (int f = 0; f < m->nf; f++) {
            assert_true(fabs(G2[m->nf + f] - G1[2 * m->nf + f]) < 1e-12 * (1 + fabs(G1[2 * m->nf + f])));
            assert_true(fabs(G2[2 * m->nf + f] - G1[m->nf + f]) < 1e-12 * (1 + fabs(G1[m->nf + f])));
        }
        assert_true(fabs(E0 - E1) < 1e-11 * fabs(E0));
        /* and the descriptors do depend on the geometry (the checks above are not vacuous) */
        double diff = 0;
        for (int f = 0; f < m->nf; f++) diff += fabs(G1[f] - G1[m->nf + f]);
        assert_true(diff > 1e-3);
        free(G0);
        free(G1);
        free(G2);
        tml_frame_free(&cl);
        tml_frame_free(&pb);
        ml_model_free(m);
    }
    gsl_rng_free(r);
}

static void test_generate_rejects(void **st)
{
    (void)st;
    ml_sf_params sf;
    const double eta[1] = {0.1}, zbad[1] = {1.5}, zok[1] = {2};
    assert_int_equal(ml_sf_generate(2, 6.0, 6.5, 8, 0.5, 5, 1, eta, 1, zok, &sf), SR_ERANGE);
    assert_int_equal(ml_sf_generate(2, 6.0, 5.0, 8, 0.5, 5, 1, eta, 1, zbad, &sf), SR_ERANGE);
    assert_int_equal(ml_sf_generate(2, 6.0, 5.0, 0, 0.5, 5, 1, eta, 1, zok, &sf), SR_ERANGE);
    assert_int_equal(ml_sf_generate(0, 6.0, 5.0, 8, 0.5, 5, 1, eta, 1, zok, &sf), SR_ERANGE);
    assert_int_equal(ml_sf_generate(2, 6.0, 5.0, 8, 0.5, 3, 1, eta, 1, zok, &sf), SR_EINVAL);
    assert_int_equal(ml_sf_generate(2, 6.0, 5.0, 8, 0.5, 5, 1, eta, 1, zok, &sf), 0);
    assert_int_equal(sf.n_angular, 2);
    /* systematic grid: evenly spaced centres, width from the spacing */
    assert_true(fabs(sf.rs[1] - sf.rs[0] - 5.5 / 8) < 1e-14);
    assert_true(fabs(sf.eta_r[3] - 1.0 / (2 * (5.5 / 8) * (5.5 / 8))) < 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_analytic_values),
        cmocka_unit_test(test_derivatives_g5),
        cmocka_unit_test(test_derivatives_g5_pairs),
        cmocka_unit_test(test_derivatives_g4),
        cmocka_unit_test(test_g5_equals_definition),
        cmocka_unit_test(test_invariance),
        cmocka_unit_test(test_generate_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
