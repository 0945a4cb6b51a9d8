/* test_order_calibrate.c - order_calibrate on md_system frames: a disordered (random,
 * non-overlapping) "liquid" and a thermally displaced fcc "crystal". The chosen thresholds must
 * reproduce, when the classifier is run with them, exactly the mislabeled fractions reported. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "common/sr_rng.h"
#include "order/order.h"

#define assert_double_equal(a, b, tol)                                                               \
    do {                                                                                           \
        const double a_ = (a), b_ = (b);                                                           \
        if (!(fabs(a_ - b_) <= (tol))) fail_msg("%s = %.12g, expected %.12g (tol %g)", #a, a_, b_, (double)(tol)); \
    } while (0)

/* fcc 5x5x5 (500 atoms, nn 1.09) with Gaussian displacements of rms `sigma` per axis. */
static md_system *crystal(double sigma, gsl_rng *rng)
{
    md_system *s = NULL;
    assert_int_equal(md_lattice_build(MD_LATTICE_FCC, 1.09, 5, 5, 5, MD_UNITS_LJ, &s), SR_OK);
    for (int i = 0; i < 3 * s->n; i++) s->x[i] += gsl_ran_gaussian(rng, sigma);
    return s;
}

/* Random sequential addition in the same box: no two atoms closer than 0.88. */
static md_system *liquid(const md_box *box, int n, gsl_rng *rng)
{
    md_system *s = md_system_create(n, 1, MD_UNITS_LJ);
    assert_non_null(s);
    assert_int_equal(md_system_set_box(s, box->lo, box->len), SR_OK);
    int k = 0;
    while (k < n) {
        double p[3];
        for (int d = 0; d < 3; d++) p[d] = box->lo[d] + box->len[d] * gsl_rng_uniform(rng);
        int ok = 1;
        for (int m = 0; m < k && ok; m++) {
            double r[3] = {s->x[3 * m] - p[0], s->x[3 * m + 1] - p[1], s->x[3 * m + 2] - p[2]};
            md_box_minimum_image(box, r);
            ok = r[0] * r[0] + r[1] * r[1] + r[2] * r[2] > 0.88 * 0.88;
        }
        if (ok) memcpy(s->x + 3 * k++, p, sizeof p);
    }
    return s;
}

static void make_frames(md_system **liq, md_system **xtal, int nf)
{
    gsl_rng *rng = sr_rng_create(2385, 0, SR_RNG_STRUCTURE);
    for (int f = 0; f < nf; f++) {
        xtal[f] = crystal(0.11, rng);
        liq[f] = liquid(&xtal[f]->box, 400, rng);
    }
    gsl_rng_free(rng);
}

/* Fractions obtained by running the classifier with the calibrated parameters. */
static void measured_fractions(const order_classifier_class *cls, const order_steinhardt_config *cfg,
                               md_system **frames, int nf, double *solid_fraction)
{
    order_classifier *oc = NULL;
    assert_int_equal(order_classifier_create(cls, cfg, &oc), SR_OK);
    order_nbuilder *b = order_nbuilder_create(cfg->cutoff);
    order_neighbors *nb = order_neighbors_create();
    long solid = 0, total = 0;
    for (int f = 0; f < nf; f++) {
        int *labels = malloc((size_t)frames[f]->n * sizeof *labels);
        assert_int_equal(order_nbuilder_build(b, frames[f], nb), SR_OK);
        assert_int_equal(order_classify(oc, frames[f], nb, labels), SR_OK);
        for (int i = 0; i < frames[f]->n; i++) solid += labels[i] > 0;
        total += frames[f]->n;
        free(labels);
    }
    *solid_fraction = (double)solid / total;
    order_neighbors_free(nb);
    order_nbuilder_free(b);
    order_classifier_free(oc);
}

static void test_calibrate_bonds(void **st)
{
    (void)st;
    enum { NF = 2 };
    md_system *liq[NF], *xtal[NF];
    make_frames(liq, xtal, NF);
    order_steinhardt_config cfg;
    assert_int_equal(order_config_defaults(&order_classifier_bonds, &cfg), SR_OK);
    cfg.cutoff = 1.35;
    order_calibration cal;
    const double grid[4] = {0.4, 0.5, 0.6, 0.7};
    assert_int_equal(order_calibrate(&cfg, ORDER_CALIB_BONDS, liq, NF, xtal, NF, grid, 4, &cal), SR_OK);
    assert_int_equal(cal.n_liquid, NF * 400);
    assert_int_equal(cal.n_crystal, NF * 500);
    assert_true(cal.result.fraction < 0.05); /* the two phases are well separated */
    cfg.bond_threshold = cal.bond_threshold;
    cfg.min_bonds = cal.min_bonds;
    double fl, fx;
    measured_fractions(&order_classifier_bonds, &cfg, liq, NF, &fl);
    measured_fractions(&order_classifier_bonds, &cfg, xtal, NF, &fx);
    assert_double_equal(fl, cal.result.liquid_as_solid, 1e-15);
    assert_double_equal(1 - fx, cal.result.solid_as_liquid, 1e-15);
    for (int f = 0; f < NF; f++) {
        md_system_free(liq[f]);
        md_system_free(xtal[f]);
    }
}

static void test_calibrate_qbar(void **st)
{
    (void)st;
    enum { NF = 2 };
    md_system *liq[NF], *xtal[NF];
    make_frames(liq, xtal, NF);
    order_steinhardt_config cfg;
    assert_int_equal(order_config_defaults(&order_classifier_qbar, &cfg), SR_OK);
    cfg.cutoff = 1.35;
    order_calibration cal;
    assert_int_equal(order_calibrate(&cfg, ORDER_CALIB_QBAR, liq, NF, xtal, NF, NULL, 0, &cal), SR_OK);
    assert_true(cal.qbar_threshold > 0.1 && cal.qbar_threshold < 0.5);
    cfg.qbar_threshold = cal.qbar_threshold;
    double fl, fx;
    measured_fractions(&order_classifier_qbar, &cfg, liq, NF, &fl);
    measured_fractions(&order_classifier_qbar, &cfg, xtal, NF, &fx);
    /* interpolated empirical CDFs: equal to the counts within one atom */
    assert_double_equal(fl, cal.result.liquid_as_solid, 1.0 / cal.n_liquid);
    assert_double_equal(1 - fx, cal.result.solid_as_liquid, 1.0 / cal.n_crystal);
    assert_double_equal(cal.result.liquid_as_solid, cal.result.solid_as_liquid, 1e-6);
    for (int f = 0; f < NF; f++) {
        md_system_free(liq[f]);
        md_system_free(xtal[f]);
    }
}

static void test_calibrate_errors(void **st)
{
    (void)st;
    order_steinhardt_config cfg;
    assert_int_equal(order_config_defaults(&order_classifier_qbar, &cfg), SR_OK);
    cfg.cutoff = 1.35;
    order_calibration cal;
    md_system *one[1] = {NULL};
    assert_int_equal(order_calibrate(&cfg, ORDER_CALIB_QBAR, one, 0, one, 1, NULL, 0, &cal), SR_EINVAL);
    gsl_rng *rng = sr_rng_create(1, 0, SR_RNG_STRUCTURE);
    one[0] = crystal(0.0, rng);
    assert_int_equal(order_calibrate(&cfg, 9, one, 1, one, 1, NULL, 0, &cal), SR_EINVAL);
    cfg.l = 0;
    assert_int_equal(order_calibrate(&cfg, ORDER_CALIB_QBAR, one, 1, one, 1, NULL, 0, &cal), SR_ERANGE);
    /* nearest mode with too short a search radius fails naming the atom */
    cfg.l = 6;
    cfg.neighbors = ORDER_NEIGH_NEAREST;
    cfg.nnearest = 14;
    assert_int_equal(order_calibrate(&cfg, ORDER_CALIB_QBAR, one, 1, one, 1, NULL, 0, &cal), SR_ERANGE);
    md_system_free(one[0]);
    gsl_rng_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calibrate_bonds),
        cmocka_unit_test(test_calibrate_qbar),
        cmocka_unit_test(test_calibrate_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
