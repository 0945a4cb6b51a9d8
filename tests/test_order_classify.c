/* test_order_classify.c - classifiers on whole systems: perfect lattices, an fcc nucleus embedded in
 * a disordered environment (also across the periodic boundary), invariance under rotation and
 * permutation, neighbor selection modes, md neighbor-list builder against brute force, input
 * parsing and error paths. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
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

static order_steinhardt_config bonds_config(double cutoff)
{
    order_steinhardt_config c;
    assert_int_equal(order_config_defaults(&order_classifier_bonds, &c), SR_OK);
    c.cutoff = cutoff;
    return c;
}

/* ------------------------------------------------------------------------------------------------ */
static void check_lattice(int kind, int nx, int ny, int nz, int mode, int nnear, double cutoff,
                          double q6_expected, int nsel_expected)
{
    md_system *s = NULL;
    assert_int_equal(md_lattice_build(kind, 1.0, nx, ny, nz, MD_UNITS_LJ, &s), SR_OK);
    order_nbuilder *b = order_nbuilder_create(cutoff);
    order_neighbors *nb = order_neighbors_create();
    assert_non_null(b);
    assert_int_equal(order_nbuilder_build(b, s, nb), SR_OK);
    const int n = s->n;
    int *nsel = malloc((size_t)n * sizeof *nsel), *labels = malloc((size_t)n * sizeof *labels);
    double *qlm = malloc((size_t)n * 14 * sizeof *qlm);
    assert_int_equal(order_neighbors_select(nb, mode, cutoff, nnear, nsel), SR_OK);
    assert_int_equal(order_qlm_atoms(nb, nsel, 6, qlm), SR_OK);
    for (int i = 0; i < n; i++) {
        assert_int_equal(nsel[i], nsel_expected);
        assert_double_equal(order_ql_from_qlm(6, qlm + 14 * i), q6_expected, 1e-5);
    }
    /* both classes label every atom solid */
    const order_classifier_class *cls[2] = {&order_classifier_bonds, &order_classifier_qbar};
    for (int c = 0; c < 2; c++) {
        order_steinhardt_config cfg = bonds_config(cutoff);
        cfg.neighbors = mode;
        cfg.nnearest = nnear;
        order_classifier *oc = NULL;
        assert_int_equal(order_classifier_create(cls[c], &cfg, &oc), SR_OK);
        for (int i = 0; i < n; i++) labels[i] = -7;
        assert_int_equal(order_classify(oc, s, nb, labels), SR_OK);
        for (int i = 0; i < n; i++) assert_int_equal(labels[i], 1);
        order_classifier_free(oc);
    }
    free(nsel);
    free(labels);
    free(qlm);
    order_neighbors_free(nb);
    order_nbuilder_free(b);
    md_system_free(s);
}

static void test_fcc_all_solid(void **st)
{
    (void)st;
    check_lattice(MD_LATTICE_FCC, 5, 5, 5, ORDER_NEIGH_CUTOFF, 12, 1.2, 0.57452, 12);
    check_lattice(MD_LATTICE_FCC, 4, 4, 4, ORDER_NEIGH_SANN, 12, 1.6, 0.57452, 12);
}

static void test_hcp_all_solid(void **st)
{
    (void)st;
    check_lattice(MD_LATTICE_HCP, 6, 4, 4, ORDER_NEIGH_CUTOFF, 12, 1.2, 0.48476, 12);
    check_lattice(MD_LATTICE_HCP, 6, 4, 4, ORDER_NEIGH_NEAREST, 12, 1.2, 0.48476, 12);
}

static void test_bcc_all_solid(void **st)
{
    (void)st;
    /* 8 nearest neighbors: the reference value; the 14-atom (8 + 6) shell: SANN picks it */
    check_lattice(MD_LATTICE_BCC, 6, 6, 6, ORDER_NEIGH_NEAREST, 8, 1.3, 0.62854, 8);
    check_lattice(MD_LATTICE_BCC, 6, 6, 6, ORDER_NEIGH_SANN, 8, 1.8, 0.51069, 14);
}

/* A small box (2x2x2 fcc cells, edge 2.83 < 2 x cutoff): neighbors come as periodic images. */
static void test_small_box_images(void **st)
{
    (void)st;
    check_lattice(MD_LATTICE_FCC, 2, 2, 2, ORDER_NEIGH_CUTOFF, 12, 1.2, 0.57452, 12);
}

/* ------------------------------------------------------------------------------------------------
 * An fcc nucleus (sites within radius R of a lattice site, nn = 1.09) in a random non-overlapping
 * environment (minimum distance 0.85, density ~0.7). */
typedef struct embedded {
    int n, ncluster; /* cluster atoms are 0..ncluster-1 */
    double *x;
    md_box box;
    double centre[3];
} embedded;

static void wrap_into(const md_box *b, double *p)
{
    for (int d = 0; d < 3; d++) {
        double u = fmod(p[d] - b->lo[d], b->len[d]);
        p[d] = b->lo[d] + (u < 0 ? u + b->len[d] : u);
    }
}

static void build_embedded(embedded *e, const double centre[3], uint64_t seed)
{
    const double nn = 1.09, a = nn * sqrt(2.0), R = 3.6, dmin = 0.85, L = 16.0;
    const int ntarget_liquid = (int)(0.7 * L * L * L);
    e->box = (md_box){{-2.0, 1.0, 0.0}, {L, L, L}, {0, 0, 0}};
    memcpy(e->centre, centre, sizeof e->centre);
    e->x = malloc(3 * (size_t)(ntarget_liquid + 400) * sizeof *e->x);
    int n = 0;
    const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    for (int i = -4; i <= 4; i++)
        for (int j = -4; j <= 4; j++)
            for (int k = -4; k <= 4; k++)
                for (int bb = 0; bb < 4; bb++) {
                    double p[3] = {(i + basis[bb][0]) * a, (j + basis[bb][1]) * a, (k + basis[bb][2]) * a};
                    if (p[0] * p[0] + p[1] * p[1] + p[2] * p[2] > R * R) continue;
                    for (int d = 0; d < 3; d++) p[d] += centre[d];
                    wrap_into(&e->box, p);
                    memcpy(e->x + 3 * n++, p, sizeof p);
                }
    e->ncluster = n;
    gsl_rng *rng = sr_rng_create(seed, 0, SR_RNG_STRUCTURE);
    int tries = 0;
    while (n < e->ncluster + ntarget_liquid && tries < 2000000) {
        tries++;
        double p[3];
        for (int d = 0; d < 3; d++) p[d] = e->box.lo[d] + L * gsl_rng_uniform(rng);
        double dc[3] = {p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]};
        md_box_minimum_image(&e->box, dc);
        if (dc[0] * dc[0] + dc[1] * dc[1] + dc[2] * dc[2] < (R + 0.3) * (R + 0.3)) continue;
        int ok = 1;
        for (int m = 0; m < n && ok; m++) {
            double d[3] = {e->x[3 * m] - p[0], e->x[3 * m + 1] - p[1], e->x[3 * m + 2] - p[2]};
            md_box_minimum_image(&e->box, d);
            ok = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] >= dmin * dmin;
        }
        if (ok) memcpy(e->x + 3 * n++, p, sizeof p);
    }
    e->n = n;
    gsl_rng_free(rng);
}

/* Classify, cluster and return the result; labels/qbar (optional) receive per-atom values. */
static void analyse(const embedded *e, const order_classifier_class *cls, int *labels, double *score,
                    order_cluster_result *res)
{
    order_neighbors *nb = order_neighbors_create();
    assert_int_equal(order_neighbors_build_brute(nb, e->x, e->n, &e->box, 1.45), SR_OK);
    /* xi_c = 6: the nucleus is cut as a hard sphere next to a dilute random environment, so its
     * surface atoms keep as few as 6 nucleus neighbors */
    order_steinhardt_config cfg = bonds_config(1.45);
    cfg.min_bonds = 6;
    cfg.qbar_threshold = 0.30;
    order_classifier *oc = NULL;
    assert_int_equal(order_classifier_create(cls, &cfg, &oc), SR_OK);
    assert_int_equal(order_classify(oc, NULL, nb, labels), SR_OK);
    if (score) memcpy(score, oc->cls->score(oc->state, NULL), (size_t)e->n * sizeof *score);
    unsigned char *mask = malloc((size_t)e->n);
    order_classifier_mask(oc, e->n, labels, mask);
    order_cluster_ws *ws = order_cluster_ws_create(e->n);
    assert_int_equal(order_clusters_find(ws, nb, e->x, &e->box, mask, 1.45, res), SR_OK);
    order_cluster_ws_free(ws);
    free(mask);
    order_classifier_free(oc);
    order_neighbors_free(nb);
}

static void check_nucleus(const embedded *e, const order_cluster_result *res, int max_missing)
{
    /* one cluster of the nucleus' size: a few surface atoms may go either way */
    if (res->nmax > e->ncluster + 6 || res->nmax < e->ncluster - max_missing)
        fail_msg("N_max = %d, nucleus has %d atoms", res->nmax, e->ncluster);
    double dc[3] = {res->centre[0] - e->centre[0], res->centre[1] - e->centre[1],
                    res->centre[2] - e->centre[2]};
    md_box_minimum_image(&e->box, dc);
    assert_true(sqrt(dc[0] * dc[0] + dc[1] * dc[1] + dc[2] * dc[2]) < 0.3);
    assert_int_equal(res->percolating, 0);
}

static void test_embedded_nucleus(void **st)
{
    (void)st;
    const double inside[3] = {5.3, 8.7, 7.1};     /* well inside the box */
    const double corner[3] = {-1.6, 16.6, 15.8};  /* straddling three faces */
    const double *centres[2] = {inside, corner};
    const order_classifier_class *cls[2] = {&order_classifier_bonds, &order_classifier_qbar};
    for (int c = 0; c < 2; c++) {
        embedded e;
        build_embedded(&e, centres[c], 2385);
        assert_true(e.ncluster > 190 && e.ncluster < 215);
        assert_true(e.n > e.ncluster + 2500);
        int *labels = malloc((size_t)e.n * sizeof *labels);
        for (int k = 0; k < 2; k++) {
            order_cluster_result res;
            analyse(&e, cls[k], labels, NULL, &res);
            /* solid bonds: 200 +- a few; qbar_6 averages surface atoms with their liquid neighbors
             * and loses part of the outer shell (~15%) */
            check_nucleus(&e, &res, k == 0 ? 6 : e.ncluster / 6);
            /* the environment is liquid: few isolated false positives */
            int false_solid = 0;
            for (int i = e.ncluster; i < e.n; i++) false_solid += labels[i] != 0;
            assert_true(false_solid < 0.01 * (e.n - e.ncluster));
        }
        free(labels);
        free(e.x);
    }
}

/* Rotating an isolated droplet (nucleus + random shell, far from the box faces) about an arbitrary
 * axis leaves q_6 bond counts, qbar_6 and labels unchanged. */
static void test_rotation_of_system(void **st)
{
    (void)st;
    embedded e;
    const double c0[3] = {6.0, 9.0, 8.0};
    build_embedded(&e, c0, 77);
    /* keep atoms within 6 of the centre, put them in a big box */
    embedded d = e;
    d.x = malloc(3 * (size_t)e.n * sizeof *d.x);
    d.n = 0;
    for (int i = 0; i < e.n; i++) {
        double r[3] = {e.x[3 * i] - c0[0], e.x[3 * i + 1] - c0[1], e.x[3 * i + 2] - c0[2]};
        md_box_minimum_image(&e.box, r);
        if (r[0] * r[0] + r[1] * r[1] + r[2] * r[2] > 36) continue;
        memcpy(d.x + 3 * d.n++, r, sizeof r);
    }
    d.box = (md_box){{-20, -20, -20}, {40, 40, 40}, {0, 0, 0}};
    embedded rot = d;
    rot.x = malloc(3 * (size_t)d.n * sizeof *rot.x);
    const double th = 0.7391, u[3] = {0.36, -0.48, 0.8}; /* unit axis */
    const double c = cos(th), s = sin(th);
    const double Rm[3][3] = {
        {c + u[0] * u[0] * (1 - c), u[0] * u[1] * (1 - c) - u[2] * s, u[0] * u[2] * (1 - c) + u[1] * s},
        {u[1] * u[0] * (1 - c) + u[2] * s, c + u[1] * u[1] * (1 - c), u[1] * u[2] * (1 - c) - u[0] * s},
        {u[2] * u[0] * (1 - c) - u[1] * s, u[2] * u[1] * (1 - c) + u[0] * s, c + u[2] * u[2] * (1 - c)}};
    for (int i = 0; i < d.n; i++)
        for (int a = 0; a < 3; a++)
            rot.x[3 * i + a] = Rm[a][0] * d.x[3 * i] + Rm[a][1] * d.x[3 * i + 1] + Rm[a][2] * d.x[3 * i + 2];
    int *l0 = malloc((size_t)d.n * sizeof *l0), *l1 = malloc((size_t)d.n * sizeof *l1);
    double *s0 = malloc((size_t)d.n * sizeof *s0), *s1 = malloc((size_t)d.n * sizeof *s1);
    const order_classifier_class *cls[2] = {&order_classifier_bonds, &order_classifier_qbar};
    for (int k = 0; k < 2; k++) {
        order_cluster_result r0, r1;
        analyse(&d, cls[k], l0, s0, &r0);
        analyse(&rot, cls[k], l1, s1, &r1);
        int nsolid = 0;
        for (int i = 0; i < d.n; i++) {
            assert_int_equal(l0[i], l1[i]);
            assert_double_equal(s0[i], s1[i], 1e-10);
            nsolid += l0[i];
        }
        assert_true(nsolid > 150); /* the nucleus is there */
        assert_int_equal(r0.nmax, r1.nmax);
        assert_double_equal(r0.rg, r1.rg, 1e-9);
    }
    free(l0);
    free(l1);
    free(s0);
    free(s1);
    free(rot.x);
    free(d.x);
    free(e.x);
}

/* Relabelling atoms by a random permutation permutes labels and scores. */
static void test_permutation_invariance(void **st)
{
    (void)st;
    embedded e;
    const double c0[3] = {1.0, 2.0, 3.0};
    build_embedded(&e, c0, 99);
    gsl_rng *rng = sr_rng_create(2385, 3, SR_RNG_USER);
    int *perm = malloc((size_t)e.n * sizeof *perm);
    for (int i = 0; i < e.n; i++) perm[i] = i;
    gsl_ran_shuffle(rng, perm, (size_t)e.n, sizeof *perm);
    embedded p = e;
    p.x = malloc(3 * (size_t)e.n * sizeof *p.x);
    for (int i = 0; i < e.n; i++) memcpy(p.x + 3 * perm[i], e.x + 3 * i, 3 * sizeof(double));
    int *l0 = malloc((size_t)e.n * sizeof *l0), *l1 = malloc((size_t)e.n * sizeof *l1);
    double *s0 = malloc((size_t)e.n * sizeof *s0), *s1 = malloc((size_t)e.n * sizeof *s1);
    const order_classifier_class *cls[2] = {&order_classifier_bonds, &order_classifier_qbar};
    for (int k = 0; k < 2; k++) {
        order_cluster_result r0, r1;
        analyse(&e, cls[k], l0, s0, &r0);
        analyse(&p, cls[k], l1, s1, &r1);
        for (int i = 0; i < e.n; i++) {
            assert_int_equal(l0[i], l1[perm[i]]);
            assert_double_equal(s0[i], s1[perm[i]], 1e-12);
        }
        assert_int_equal(r0.nmax, r1.nmax);
        assert_int_equal(r0.n_clusters, r1.n_clusters);
        assert_double_equal(r0.rg, r1.rg, 1e-9);
    }
    free(l0);
    free(l1);
    free(s0);
    free(s1);
    free(perm);
    free(p.x);
    free(e.x);
    gsl_rng_free(rng);
}

/* The same nucleus through order_analyze_frame on an md_system (md cell list end to end): result
 * identical to the brute-force path, the caller's system untouched, and a second frame with the
 * nucleus moved across the boundary is followed. */
static void test_analyzer_frames(void **st)
{
    (void)st;
    const double c1[3] = {5.3, 8.7, 7.1}, c2[3] = {-1.6, 16.6, 15.8};
    const double *cs[2] = {c1, c2};
    order_steinhardt_config cfg = bonds_config(1.45);
    cfg.min_bonds = 6;
    order_classifier *oc = NULL;
    order_analyzer *an = NULL;
    assert_int_equal(order_classifier_create(&order_classifier_bonds, &cfg, &oc), SR_OK);
    assert_int_equal(order_analyzer_create(oc, 0.0, &an), SR_OK);
    assert_double_equal(order_analyzer_cluster_cutoff(an), 1.45, 0);
    for (int f = 0; f < 2; f++) {
        embedded e;
        build_embedded(&e, cs[f], 2385);
        md_system *s = md_system_create(e.n, 1, MD_UNITS_LJ);
        assert_int_equal(md_system_set_box(s, e.box.lo, e.box.len), SR_OK);
        memcpy(s->x, e.x, 3 * (size_t)e.n * sizeof *s->x);
        order_cluster_result res, ref;
        assert_int_equal(order_analyze_frame(an, s, &res), SR_OK);
        int *labels = malloc((size_t)e.n * sizeof *labels);
        analyse(&e, &order_classifier_bonds, labels, NULL, &ref);
        assert_int_equal(res.nmax, ref.nmax);
        assert_int_equal(res.n_clusters, ref.n_clusters);
        assert_double_equal(res.rg, ref.rg, 1e-9);
        check_nucleus(&e, &res, 6);
        const int *idx = order_analyzer_cluster_index(an), *lab = order_analyzer_labels(an);
        int in_largest = 0;
        for (int i = 0; i < e.n; i++) {
            assert_int_equal(lab[i], labels[i]);
            in_largest += idx[i] == res.largest;
        }
        assert_int_equal(in_largest, res.nmax);
        const char *name = NULL;
        assert_non_null(order_analyzer_score(an, &name));
        assert_string_equal(name, "solid_bonds");
        assert_int_equal(s->nghost, 0);
        free(labels);
        md_system_free(s);
        free(e.x);
    }
    order_analyzer_free(an);
    order_classifier_free(oc);
}

/* The md cell/Verlet builder gives exactly the brute-force candidate lists. */
static void test_nbuilder_matches_brute(void **st)
{
    (void)st;
    embedded e;
    const double c0[3] = {3.0, 4.0, 5.0};
    build_embedded(&e, c0, 5);
    md_system *s = md_system_create(e.n, 1, MD_UNITS_LJ);
    assert_non_null(s);
    assert_int_equal(md_system_set_box(s, e.box.lo, e.box.len), SR_OK);
    memcpy(s->x, e.x, 3 * (size_t)e.n * sizeof *s->x);
    order_neighbors *a = order_neighbors_create(), *b = order_neighbors_create();
    order_nbuilder *nbld = order_nbuilder_create(1.7);
    assert_int_equal(order_neighbors_build_brute(a, e.x, e.n, &e.box, 1.7), SR_OK);
    for (int rep = 0; rep < 2; rep++) { /* the second build reuses the private copy */
        assert_int_equal(order_nbuilder_build(nbld, s, b), SR_OK);
        assert_int_equal(a->n, b->n);
        for (int i = 0; i < e.n; i++) {
            assert_int_equal(a->first[i + 1] - a->first[i], b->first[i + 1] - b->first[i]);
            /* same entries (equidistant lattice neighbors may come in another order) */
            for (int k = a->first[i]; k < a->first[i + 1]; k++) {
                int found = 0;
                for (int kb = b->first[i]; kb < b->first[i + 1]; kb++) {
                    double dv = 0;
                    for (int d = 0; d < 3; d++) dv += fabs(a->vec[3 * k + d] - b->vec[3 * kb + d]);
                    if (a->j[k] == b->j[kb] && dv < 1e-12) found++;
                }
                assert_int_equal(found, 1);
                if (k > a->first[i]) assert_true(b->dist[b->first[i] + k - a->first[i]] >=
                                                 b->dist[b->first[i] + k - a->first[i] - 1]);
            }
        }
    }
    /* the caller's system is untouched (no ghosts, positions unwrapped as given) */
    assert_int_equal(s->nghost, 0);
    assert_double_equal(s->x[0], e.x[0], 0);
    order_nbuilder_free(nbld);
    order_neighbors_free(a);
    order_neighbors_free(b);
    md_system_free(s);
    free(e.x);
}

/* ------------------------------------------------------------------------------------------------ */
static void test_selection_errors(void **st)
{
    (void)st;
    md_box box = {{0, 0, 0}, {10, 10, 10}, {0, 0, 0}};
    const double x[9] = {1, 1, 1, 2, 1, 1, 1, 2, 1};
    order_neighbors *nb = order_neighbors_create();
    int nsel[3];
    assert_int_equal(order_neighbors_build_brute(nb, x, 3, &box, 2.0), SR_OK);
    assert_int_equal(order_neighbors_select(nb, ORDER_NEIGH_NEAREST, 2.0, 2, nsel), SR_OK);
    assert_int_equal(order_neighbors_select(nb, ORDER_NEIGH_NEAREST, 2.0, 3, nsel), SR_ERANGE);
    assert_int_equal(order_neighbors_select(nb, ORDER_NEIGH_SANN, 2.0, 0, nsel), SR_ERANGE);
    assert_int_equal(order_neighbors_select(nb, 7, 2.0, 0, nsel), SR_EINVAL);
    assert_int_equal(order_neighbors_select(nb, ORDER_NEIGH_CUTOFF, 1.2, 0, nsel), SR_OK);
    assert_int_equal(nsel[0], 2);
    assert_int_equal(nsel[1], 1);
    /* explicit filling, out of order */
    const double v[3] = {1, 0, 0};
    assert_int_equal(order_neighbors_begin(nb, 3, 2.0), SR_OK);
    assert_int_equal(order_neighbors_add(nb, 1, 0, v), SR_OK);
    assert_int_equal(order_neighbors_add(nb, 0, 1, v), SR_EINVAL);
    assert_int_equal(order_neighbors_add(nb, 2, 5, v), SR_EINVAL);
    order_neighbors_finish(nb);
    assert_int_equal(nb->first[1], 0);
    assert_int_equal(nb->first[3], 1);
    /* two atoms on top of each other: an error, not NaN */
    const double zero[3] = {0, 0, 0};
    double qlm[3 * 14];
    assert_int_equal(order_neighbors_begin(nb, 3, 2.0), SR_OK);
    assert_int_equal(order_neighbors_add(nb, 0, 2, zero), SR_OK);
    order_neighbors_finish(nb);
    assert_int_equal(order_qlm_atoms(nb, NULL, 6, qlm), SR_ENUMERIC);
    assert_int_equal(order_qlm_atoms(nb, NULL, ORDER_LMAX + 1, qlm), SR_ERANGE);
    order_neighbors_free(nb);
}

static void test_classifier_errors(void **st)
{
    (void)st;
    order_steinhardt_config cfg = bonds_config(1.4);
    order_classifier *oc = NULL;
    cfg.l = ORDER_LMAX + 1;
    assert_int_equal(order_classifier_create(&order_classifier_bonds, &cfg, &oc), SR_ERANGE);
    assert_null(oc);
    cfg = bonds_config(-1.0);
    assert_int_equal(order_classifier_create(&order_classifier_qbar, &cfg, &oc), SR_ERANGE);
    /* neighbor list shorter than the classifier cutoff */
    cfg = bonds_config(1.4);
    assert_int_equal(order_classifier_create(&order_classifier_bonds, &cfg, &oc), SR_OK);
    md_box box = {{0, 0, 0}, {10, 10, 10}, {0, 0, 0}};
    const double x[6] = {1, 1, 1, 2, 1, 1};
    order_neighbors *nb = order_neighbors_create();
    int labels[2];
    assert_int_equal(order_neighbors_build_brute(nb, x, 2, &box, 1.2), SR_OK);
    assert_int_equal(order_classify(oc, NULL, nb, labels), SR_ERANGE);
    assert_double_equal(order_classifier_cutoff(oc), 1.4, 0);
    order_classifier_free(oc);
    order_classifier_free(NULL);
    order_neighbors_free(nb);
}

static void test_registry_and_section(void **st)
{
    (void)st;
    assert_ptr_equal(order_classifier_find("bonds"), &order_classifier_bonds);
    assert_ptr_equal(order_classifier_find("qbar"), &order_classifier_qbar);
    assert_ptr_equal(order_classifier_find("chillplus"), &order_classifier_chillplus); /* water, built in */
    assert_null(order_classifier_find("chill_plus_typo"));
    assert_int_equal(order_classifier_register(&order_classifier_qbar), SR_OK); /* same: no-op */
    order_classifier_class clash = order_classifier_qbar;                     /* same name */
    assert_int_equal(order_classifier_register(&clash), SR_EINVAL);
    clash.name = "qbar_copy";
    clash.classify = NULL;
    assert_int_equal(order_classifier_register(&clash), SR_EINVAL);

    sr_input *in = NULL;
    sr_errlist el = {0};
    order_classifier *oc = NULL;
    assert_int_equal(sr_input_parse_string("[order]\nstyle = qbar\nl = 4\nneighbors = nearest\n"
                                           "nearest = 10\ncutoff = 1.6\nthreshold = 0.41\n",
                                           "ok.ini", &in),
                     SR_OK);
    assert_int_equal(order_classifier_from_section(sr_input_section(in, "order"), &oc, &el), SR_OK);
    assert_int_equal(el.n, 0);
    assert_ptr_equal(oc->cls, &order_classifier_qbar);
    const order_steinhardt_config *c = oc->state; /* first member of the state */
    assert_int_equal(c->l, 4);
    assert_int_equal(c->neighbors, ORDER_NEIGH_NEAREST);
    assert_int_equal(c->nnearest, 10);
    assert_double_equal(c->qbar_threshold, 0.41, 0);
    assert_double_equal(order_classifier_cutoff(oc), 1.6, 0);
    order_classifier_free(oc);
    sr_input_free(in);

    /* all problems at once: unknown key, out-of-range l, missing cutoff */
    assert_int_equal(sr_input_parse_string("[order]\nstyle = bonds\nl = 40\nbogus = 1\n", "bad.ini", &in),
                     SR_OK);
    assert_int_equal(order_classifier_from_section(sr_input_section(in, "order"), &oc, &el), SR_EINVAL);
    assert_null(oc);
    assert_int_equal(el.n, 3);
    int saw_line = 0;
    for (int i = 0; i < el.n; i++) saw_line |= strstr(el.msg[i], "bad.ini:4") != NULL;
    assert_true(saw_line); /* the unknown key names its file:line */
    sr_errlist_clear(&el);
    sr_input_free(in);

    assert_int_equal(sr_input_parse_string("[order]\nstyle = chill\ncutoff = 1\n", "style.ini", &in), SR_OK);
    assert_int_equal(order_classifier_from_section(sr_input_section(in, "order"), &oc, &el), SR_EINVAL);
    assert_int_equal(el.n, 1);
    assert_non_null(strstr(el.msg[0], "style.ini:2"));
    sr_errlist_clear(&el);
    sr_input_free(in);
}

/* Options override the --input file; options that are not classifier keys are left alone. */
static void test_from_args(void **st)
{
    (void)st;
    const char *path = SEEDRATE_BINARY_DIR "/test_order_classify_args.ini";
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "[order]\nstyle = bonds\ncutoff = 1.45\nmin_bonds = 8\n");
    fclose(f);
    char *argv[] = {"calibrate", "--input", (char *)path, "--min-bonds", "6", "--stride", "3",
                    "--bond-threshold", "0.55", "liq.nc"};
    const int argc = (int)(sizeof argv / sizeof *argv);
    unsigned char used[16] = {0};
    sr_errlist el = {0};
    order_classifier *oc = NULL;
    assert_int_equal(order_classifier_from_args(argc, argv, used, &oc, &el), SR_OK);
    const order_steinhardt_config *c = order_steinhardt_get_config(oc);
    assert_non_null(c);
    assert_int_equal(c->min_bonds, 6);
    assert_double_equal(c->bond_threshold, 0.55, 0);
    assert_double_equal(c->cutoff, 1.45, 0);
    const unsigned char expect[10] = {0, 1, 1, 1, 1, 0, 0, 1, 1, 0};
    for (int i = 0; i < argc; i++) assert_int_equal(used[i], expect[i]);
    order_classifier_free(oc);

    /* a qbar key given to the bonds class is not consumed; a bad value is reported */
    char *argv2[] = {"x", "--style", "qbar", "--cutoff", "-3", "--min-bonds", "4"};
    memset(used, 0, sizeof used);
    assert_int_equal(order_classifier_from_args(7, argv2, used, &oc, &el), SR_EINVAL);
    assert_null(oc);
    assert_int_equal(el.n, 1); /* cutoff out of range */
    assert_int_equal(used[5], 0);
    sr_errlist_clear(&el);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fcc_all_solid),
        cmocka_unit_test(test_hcp_all_solid),
        cmocka_unit_test(test_bcc_all_solid),
        cmocka_unit_test(test_small_box_images),
        cmocka_unit_test(test_embedded_nucleus),
        cmocka_unit_test(test_rotation_of_system),
        cmocka_unit_test(test_permutation_invariance),
        cmocka_unit_test(test_nbuilder_matches_brute),
        cmocka_unit_test(test_analyzer_frames),
        cmocka_unit_test(test_selection_errors),
        cmocka_unit_test(test_classifier_errors),
        cmocka_unit_test(test_registry_and_section),
        cmocka_unit_test(test_from_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
