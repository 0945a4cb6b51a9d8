/* test_order_chill.c - CHILL+ (order_chill.c): perfect ice Ih and Ic lattices get their own labels,
 * thermalised mW ice Ih at 230 K stays ice-like, supercooled mW liquid at 230 K is not; the labels do
 * not depend on a rotation of the lattice; input parsing and error paths. The MD runs use the mW
 * Stillinger-Weber potential (data/mW.sw) and Bussi NVT, 10 fs steps. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/sr_rng.h"
#include "order/order.h"

extern const order_classifier_class order_classifier_chillplus;
extern const md_potential_class md_potential_sw;

#define MW_FILE SEEDRATE_SOURCE_DIR "/data/mW.sw"
#define MW_MASS 18.015
#define AVOGADRO_CM3_A3 0.602214076 /* g/cm^3 -> (g/mol)/A^3 */

enum { LIQ = 0, IH = 1, IC = 2, INTERFACIAL = 3 };

/* Number density (1/A^3) of water at rho (g/cm^3). */
static double water_n(double rho_gcm3)
{
    return rho_gcm3 * AVOGADRO_CM3_A3 / MW_MASS;
}

/* mW ice oxygens: nearest-neighbour distance from the density (ice Ih of mW: 0.978 g/cm^3). */
static md_system *ice(int kind, int nx, int ny, int nz, double rho_gcm3)
{
    md_system *s = NULL;
    const double nn = md_lattice_nn_for_density(kind, water_n(rho_gcm3));
    assert_int_equal(md_lattice_build(kind, nn, nx, ny, nz, MD_UNITS_METAL, &s), SR_OK);
    const double m = MW_MASS;
    const char *name[1] = {"mW"};
    assert_int_equal(md_system_set_types(s, 1, &m, name), SR_OK);
    return s;
}

static order_classifier *chillplus_with(const char *key, const char *value)
{
    assert_int_equal(order_classifier_register(&order_classifier_chillplus), SR_OK);
    sr_section *sec = sr_section_create("order");
    sr_section_set(sec, "style", "chillplus");
    if (key) sr_section_set(sec, key, value);
    order_classifier *c = NULL;
    sr_errlist el = {0};
    assert_int_equal(order_classifier_from_section(sec, &c, &el), SR_OK);
    sr_errlist_clear(&el);
    sr_section_free(sec);
    return c;
}

static order_classifier *chillplus(void)
{
    return chillplus_with(NULL, NULL);
}

/* Fractions of each label 0..5, the crystalline fraction and the largest cluster. */
typedef struct census {
    double frac[6];
    double crystalline;
    int nmax;
} census;

static census classify(order_classifier *c, const md_system *s)
{
    order_analyzer *a = NULL;
    assert_int_equal(order_analyzer_create(c, 0.0, &a), SR_OK);
    order_cluster_result res;
    assert_int_equal(order_analyze_frame(a, s, &res), SR_OK);
    const int *lab = order_analyzer_labels(a);
    census k = {{0}, 0, res.nmax};
    for (int i = 0; i < s->n; i++) {
        assert_true(lab[i] >= 0 && lab[i] < 6);
        k.frac[lab[i]] += 1.0 / s->n;
    }
    k.crystalline = (double)res.n_solid / s->n;
    print_message("N = %d: liquid %.4f Ih %.4f Ic %.4f interfacial %.4f clathrate %.4f/%.4f; crystalline "
                  "%.4f, largest cluster %d\n",
                  s->n, k.frac[0], k.frac[1], k.frac[2], k.frac[3], k.frac[4], k.frac[5], k.crystalline, k.nmax);
    order_analyzer_free(a);
    return k;
}

static void test_perfect_ice_ih(void **state)
{
    (void)state;
    order_classifier *c = chillplus();
    md_system *s = ice(MD_LATTICE_HEXDIAMOND, 7, 4, 4, 0.978);
    /* the recommended cells 7 4 4 give a near-cubic box at the mW ice density, with every molecule
     * tetrahedrally bonded at nn and the next shell at sqrt(8/3) nn */
    const double nn = md_lattice_nn_for_density(MD_LATTICE_HEXDIAMOND, water_n(0.978));
    double lmin = 1e30, lmax = 0;
    for (int a = 0; a < 3; a++) {
        lmin = fmin(lmin, s->box.len[a]);
        lmax = fmax(lmax, s->box.len[a]);
    }
    print_message("ice Ih 7 4 4: nn %.4f A, box %.2f x %.2f x %.2f A, max/min %.3f, %.4f g/cm^3\n", nn,
                  s->box.len[0], s->box.len[1], s->box.len[2], lmax / lmin,
                  s->n * MW_MASS / AVOGADRO_CM3_A3 / md_system_volume(s));
    assert_true(lmax / lmin < 1.08);
    assert_true(fabs(s->n * MW_MASS / AVOGADRO_CM3_A3 / md_system_volume(s) - 0.978) < 1e-12);
    order_neighbors *nb = order_neighbors_create();
    assert_int_equal(order_neighbors_build_brute(nb, s->x, s->n, &s->box, 4.6), SR_OK);
    for (int i = 0; i < s->n; i++) {
        const double *d = nb->dist + nb->first[i];
        assert_true(nb->first[i + 1] - nb->first[i] > 4);
        assert_true(fabs(d[0] - nn) < 1e-9 && fabs(d[3] - nn) < 1e-9);
        assert_true(d[4] > sqrt(8.0 / 3.0) * nn - 1e-9);
    }
    order_neighbors_free(nb);
    census k = classify(c, s);
    assert_true(k.frac[IH] >= 0.99);
    assert_int_equal(k.nmax, s->n);
    order_classifier *ce = chillplus_with("coordination", "exact");
    assert_true(classify(ce, s).frac[IH] >= 0.99);
    order_classifier_free(ce);
    md_system_free(s);
    order_classifier_free(c);
}

static void test_perfect_ice_ic(void **state)
{
    (void)state;
    order_classifier *c = chillplus();
    md_system *s = ice(MD_LATTICE_DIAMOND, 4, 4, 4, 0.978);
    census k = classify(c, s);
    assert_true(k.frac[IC] >= 0.99);
    assert_int_equal(k.nmax, s->n);
    md_system_free(s);
    order_classifier_free(c);
}

/* Ih lattice rotated about an arbitrary axis inside a large box with vacuum around it: the interior
 * molecules keep label Ih (q_3m correlations are rotation invariant); surface ones have < 4 bonds. */
static void test_rotated_ice_ih(void **state)
{
    (void)state;
    order_classifier *c = chillplus();
    md_system *s = ice(MD_LATTICE_HEXDIAMOND, 5, 4, 4, 0.978);
    const double ax[3] = {0.48, -0.64, 0.6}, th = 0.7; /* unit axis, angle in rad */
    const double ct = cos(th), st = sin(th);
    double R[3][3];
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            R[a][b] = (a == b ? ct : 0) + (1 - ct) * ax[a] * ax[b];
    R[0][1] -= st * ax[2]; R[0][2] += st * ax[1];
    R[1][0] += st * ax[2]; R[1][2] -= st * ax[0];
    R[2][0] -= st * ax[1]; R[2][1] += st * ax[0];
    const double L = 60.0;
    for (int i = 0; i < s->n; i++) {
        double y[3];
        for (int a = 0; a < 3; a++) y[a] = 0.5 * L;
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) y[a] += R[a][b] * (s->x[3 * i + b] - 0.5 * s->box.len[b]);
        for (int a = 0; a < 3; a++) s->x[3 * i + a] = y[a];
    }
    /* count the molecules with 4 neighbours in the periodic lattice that stay 4-coordinated: compare
     * labels of the rotated cluster with a brute-force coordination count */
    const double lo[3] = {0, 0, 0}, len[3] = {L, L, L};
    md_system_set_box(s, lo, len);
    order_neighbors *nb = order_neighbors_create();
    assert_int_equal(order_neighbors_build_brute(nb, s->x, s->n, &s->box, 3.5), SR_OK);
    int *lab = calloc((size_t)s->n, sizeof *lab);
    assert_int_equal(order_classify(c, s, nb, lab), SR_OK);
    int ncore = 0, nih = 0;
    for (int i = 0; i < s->n; i++) {
        /* core: every neighbour of i also has 4 neighbours */
        int core = nb->first[i + 1] - nb->first[i] == 4;
        for (int k = nb->first[i]; core && k < nb->first[i + 1]; k++) {
            const int j = nb->j[k];
            core = nb->first[j + 1] - nb->first[j] == 4;
        }
        ncore += core;
        nih += core && lab[i] == IH;
        if (nb->first[i + 1] - nb->first[i] < 4) assert_int_equal(lab[i], LIQ);
    }
    print_message("rotated cluster: %d of %d core molecules labelled Ih\n", nih, ncore);
    assert_true(ncore > 50);
    assert_int_equal(nih, ncore);
    free(lab);
    order_neighbors_free(nb);
    md_system_free(s);
    order_classifier_free(c);
}

/* NVT (Bussi) with mW for `steps` of 10 fs at T, after Maxwell-Boltzmann velocities at T0. */
static void run_mw(md_system *s, double T0, double T, long steps, unsigned long seed)
{
    assert_int_equal(md_potential_register(&md_potential_sw), SR_OK);
    sr_section *sec = sr_section_create("potential");
    sr_section_set(sec, "style", "sw");
    sr_section_set(sec, "file", MW_FILE);
    md_potential *pot = NULL;
    sr_errlist el = {0};
    assert_int_equal(md_potential_from_section(sec, s, NULL, &pot, &el), SR_OK);
    sr_errlist_clear(&el);
    sr_section_free(sec);
    gsl_rng *rv = sr_rng_create(seed, 0, SR_RNG_VELOCITIES), *rt = sr_rng_create(seed, 0, SR_RNG_THERMOSTAT);
    assert_int_equal(md_velocity_create(s, T0, rv), SR_OK);
    md_integrator_params p = {.dt = 0.010, .thermostat = MD_THERMO_BUSSI, .temperature = T, .tau_t = 0.2,
                              .skin = 1.0};
    md_integrator *in = md_integrator_create(&p, s, pot, rt);
    assert_non_null(in);
    assert_int_equal(md_integrator_setup(in), SR_OK);
    assert_int_equal(md_integrator_run(in, steps), SR_OK);
    md_thermo th;
    md_integrator_thermo(in, &th);
    print_message("after %ld steps: T = %.1f K, PE = %.4f eV/molecule (%.3f kcal/mol)\n", steps, th.temperature,
                  th.pe / s->n, th.pe / s->n * 23.060548);
    md_integrator_free(in);
    md_potential_free(pot);
    gsl_rng_free(rv);
    gsl_rng_free(rt);
}

static void test_thermalised_ice_ih_230K(void **state)
{
    (void)state;
    order_classifier *c = chillplus();
    md_system *s = ice(MD_LATTICE_HEXDIAMOND, 7, 4, 4, 0.978); /* 896 molecules */
    run_mw(s, 230.0, 230.0, 300, 17);                           /* 3 ps */
    census k = classify(c, s);
    assert_true(k.crystalline >= 0.95);
    assert_true(k.frac[IH] >= 0.80); /* most of it is still recognised as hexagonal */
    md_system_free(s);
    order_classifier_free(c);
}

static void test_supercooled_liquid_230K(void **state)
{
    (void)state;
    order_classifier *c = chillplus();
    /* ice Ic oxygens at liquid density 1.00 g/cm^3 melt at 1000 K (3 ps; mW ice superheats: 400 K is
     * not enough in a few ps), then supercool at 230 K (5 ps) */
    md_system *s = ice(MD_LATTICE_DIAMOND, 5, 5, 5, 1.00); /* 1000 molecules */
    run_mw(s, 1000.0, 1000.0, 300, 23);
    census hot = classify(c, s);
    assert_true(hot.crystalline <= 0.05);
    run_mw(s, 230.0, 230.0, 500, 24);
    census k = classify(c, s);
    assert_true(k.crystalline <= 0.05);
    assert_true(k.nmax <= 20);
    order_classifier *ce = chillplus_with("coordination", "exact");
    census ke = classify(ce, s);
    assert_true(ke.crystalline <= 0.05);
    order_classifier_free(ce);
    md_system_free(s);
    order_classifier_free(c);
}

static void test_config_errors(void **state)
{
    (void)state;
    assert_int_equal(order_classifier_register(&order_classifier_chillplus), SR_OK);
    const char *bad[][2] = {{"staggered_max", "-0.2"}, /* overlaps the eclipsed range */
                            {"eclipsed_min", "0.3"},   /* empty eclipsed range */
                            {"cutoff", "-1"},          /* out of range */
                            {"no_such_key", "1"}};
    for (size_t t = 0; t < sizeof bad / sizeof *bad; t++) {
        sr_section *sec = sr_section_create("order");
        sr_section_set(sec, "style", "chillplus");
        sr_section_set(sec, bad[t][0], bad[t][1]);
        order_classifier *c = NULL;
        sr_errlist el = {0};
        assert_int_not_equal(order_classifier_from_section(sec, &c, &el), SR_OK);
        assert_null(c);
        assert_true(el.n > 0);
        print_message("%s = %s: %s\n", bad[t][0], bad[t][1], el.msg[0]);
        sr_errlist_clear(&el);
        sr_section_free(sec);
    }
    /* a neighbour list shorter than the cutoff, and one for another system size */
    order_classifier *c = chillplus();
    md_system *s = ice(MD_LATTICE_DIAMOND, 2, 2, 2, 0.978);
    order_neighbors *nb = order_neighbors_create();
    assert_int_equal(order_neighbors_build_brute(nb, s->x, s->n, &s->box, 3.0), SR_OK);
    int lab[64];
    assert_int_not_equal(order_classify(c, s, nb, lab), SR_OK);
    assert_int_equal(order_neighbors_build_brute(nb, s->x, s->n - 1, &s->box, 3.5), SR_OK);
    assert_int_not_equal(order_classify(c, s, nb, lab), SR_OK);
    /* crystalline labels and names */
    const order_classifier_class *cls = c->cls;
    assert_true(cls->is_crystalline(c->state, IH) && cls->is_crystalline(c->state, IC) &&
                cls->is_crystalline(c->state, INTERFACIAL));
    assert_false(cls->is_crystalline(c->state, LIQ) || cls->is_crystalline(c->state, 4) ||
                 cls->is_crystalline(c->state, 5));
    assert_string_equal(cls->label_name(c->state, IH), "ice_Ih");
    assert_string_equal(cls->label_name(c->state, 5), "interfacial_clathrate");
    assert_string_equal(cls->label_name(c->state, 9), "unknown");
    order_neighbors_free(nb);
    md_system_free(s);
    order_classifier_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_perfect_ice_ih),
        cmocka_unit_test(test_perfect_ice_ic),
        cmocka_unit_test(test_rotated_ice_ih),
        cmocka_unit_test(test_thermalised_ice_ih_230K),
        cmocka_unit_test(test_supercooled_liquid_230K),
        cmocka_unit_test(test_config_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
