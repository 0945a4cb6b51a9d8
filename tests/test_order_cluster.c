/* test_order_cluster.c - union-find clustering against a brute-force flood fill, periodic centre and
 * radius of gyration, percolation flag, error paths. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_rng.h>

#include "common/sr_rng.h"
#include "order/order.h"

#define assert_double_equal(a, b, tol)                                                               \
    do {                                                                                           \
        const double a_ = (a), b_ = (b);                                                           \
        if (!(fabs(a_ - b_) <= (tol))) fail_msg("%s = %.12g, expected %.12g (tol %g)", #a, a_, b_, (double)(tol)); \
    } while (0)

static double mi_dist2(const md_box *b, const double *x, int i, int j)
{
    double d[3] = {x[3 * j] - x[3 * i], x[3 * j + 1] - x[3 * i + 1], x[3 * j + 2] - x[3 * i + 2]};
    md_box_minimum_image(b, d);
    return d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
}

/* Reference: flood fill with an explicit stack over all pairs (minimum image). */
static int flood_fill(const double *x, int n, const md_box *b, const unsigned char *mask, double rc,
                      int *comp)
{
    int *stack = malloc((size_t)n * sizeof *stack), nc = 0;
    for (int i = 0; i < n; i++) comp[i] = -1;
    for (int s = 0; s < n; s++) {
        if (!mask[s] || comp[s] >= 0) continue;
        int top = 0;
        stack[top++] = s;
        comp[s] = nc;
        while (top) {
            const int i = stack[--top];
            for (int j = 0; j < n; j++)
                if (mask[j] && comp[j] < 0 && mi_dist2(b, x, i, j) < rc * rc) {
                    comp[j] = nc;
                    stack[top++] = j;
                }
        }
        nc++;
    }
    free(stack);
    return nc;
}

static void test_union_find_equals_flood_fill(void **st)
{
    (void)st;
    gsl_rng *rng = sr_rng_create(2385, 0, SR_RNG_USER);
    const int n = 1500;
    md_box box = {{-1.3, 0.7, 2.1}, {11.7, 9.3, 10.4}, {0, 0, 0}};
    double *x = malloc(3 * (size_t)n * sizeof *x);
    unsigned char *mask = malloc((size_t)n);
    int *ref = malloc((size_t)n * sizeof *ref), *map = malloc((size_t)n * sizeof *map);
    order_neighbors *nb = order_neighbors_create();
    order_cluster_ws *ws = order_cluster_ws_create(10); /* grows on demand */
    const double rc = 1.05;
    int straddling = 0;
    for (int trial = 0; trial < 6; trial++) {
        for (int i = 0; i < n; i++)
            for (int d = 0; d < 3; d++) x[3 * i + d] = box.lo[d] + box.len[d] * gsl_rng_uniform(rng);
        const double p = 0.3 + 0.1 * trial; /* from many small clusters to one spanning cluster */
        for (int i = 0; i < n; i++) mask[i] = gsl_rng_uniform(rng) < p;
        assert_int_equal(order_neighbors_build_brute(nb, x, n, &box, 1.4), SR_OK);
        order_cluster_result res;
        assert_int_equal(order_clusters_find(ws, nb, x, &box, mask, rc, &res), SR_OK);
        const int nref = flood_fill(x, n, &box, mask, rc, ref);
        assert_int_equal(res.n_clusters, nref);
        /* identical partitions: the map cluster -> reference component is a bijection */
        const int *idx = order_cluster_index(ws);
        for (int c = 0; c < n; c++) map[c] = -1;
        int nsolid = 0, maxsize = 0;
        for (int i = 0; i < n; i++) {
            if (!mask[i]) {
                assert_int_equal(idx[i], -1);
                continue;
            }
            nsolid++;
            if (map[idx[i]] < 0) map[idx[i]] = ref[i];
            assert_int_equal(map[idx[i]], ref[i]);
        }
        for (int c = 0; c < res.n_clusters; c++)
            if (order_cluster_sizes(ws)[c] > maxsize) maxsize = order_cluster_sizes(ws)[c];
        assert_int_equal(res.n_solid, nsolid);
        assert_int_equal(res.nmax, maxsize);
        /* count clusters that really cross a box face (a bond shorter with minimum image) */
        for (int i = 0; i < n; i++)
            for (int k = nb->first[i]; k < nb->first[i + 1]; k++) {
                const int j = nb->j[k];
                if (mask[i] && mask[j] && nb->dist[k] < rc && fabs(x[3 * j] - x[3 * i]) > box.len[0] / 2)
                    straddling++;
            }
    }
    assert_true(straddling > 0); /* the boundary was exercised */
    order_cluster_ws_free(ws);
    order_neighbors_free(nb);
    free(x);
    free(mask);
    free(ref);
    free(map);
    gsl_rng_free(rng);
}

/* A 3x3x3 cube of solid atoms (spacing a) centred on a box corner: its centre must come out at the
 * corner (modulo the box) and R_g^2 = 3 * (2/3) a^2 = 2 a^2. Other atoms are liquid. */
static void test_centre_across_boundary(void **st)
{
    (void)st;
    const double a = 1.1;
    md_box box = {{-3.0, 2.0, 0.5}, {12.0, 13.0, 14.0}, {0, 0, 0}};
    const double c0[3] = {box.lo[0] + 0.2, box.lo[1] + box.len[1] - 0.35, box.lo[2] + 7.0};
    double x[3 * 40];
    unsigned char mask[40];
    int n = 0;
    for (int i = -1; i <= 1; i++)
        for (int j = -1; j <= 1; j++)
            for (int k = -1; k <= 1; k++) {
                const double p[3] = {c0[0] + i * a, c0[1] + j * a, c0[2] + k * a};
                for (int d = 0; d < 3; d++) {
                    double u = fmod(p[d] - box.lo[d], box.len[d]);
                    x[3 * n + d] = box.lo[d] + (u < 0 ? u + box.len[d] : u);
                }
                mask[n++] = 1;
            }
    /* a few liquid atoms right next to the cube, and a separate 2-atom solid cluster */
    const double extra[5][3] = {{2.0, 5.0, 3.0}, {2.0, 5.0, 4.0}, {5.0, 8.0, 10.0}, {-2.9, 2.1, 0.6}, {8.5, 14.0, 1.5}};
    const unsigned char emask[5] = {1, 1, 0, 0, 0};
    for (int e = 0; e < 5; e++) {
        memcpy(x + 3 * n, extra[e], sizeof extra[e]);
        mask[n++] = emask[e];
    }
    order_neighbors *nb = order_neighbors_create();
    order_cluster_ws *ws = order_cluster_ws_create(n);
    assert_int_equal(order_neighbors_build_brute(nb, x, n, &box, 1.5), SR_OK);
    order_cluster_result res;
    assert_int_equal(order_clusters_find(ws, nb, x, &box, mask, 1.2, &res), SR_OK);
    assert_int_equal(res.n_clusters, 2);
    assert_int_equal(res.nmax, 27);
    assert_int_equal(res.percolating, 0);
    for (int d = 0; d < 3; d++) {
        double dc[3] = {0, 0, 0};
        dc[d] = res.centre[d] - c0[d];
        md_box_minimum_image(&box, dc);
        assert_double_equal(dc[d], 0.0, 1e-12);
        assert_true(res.centre[d] >= box.lo[d] && res.centre[d] < box.lo[d] + box.len[d]);
    }
    assert_double_equal(res.rg, sqrt(2.0) * a, 1e-12);
    order_cluster_ws_free(ws);
    order_neighbors_free(nb);
}

/* A chain of atoms along x through the whole box connects to its own image. */
static void test_percolating_chain(void **st)
{
    (void)st;
    md_box box = {{0, 0, 0}, {10.0, 6.0, 6.0}, {0, 0, 0}};
    double x[3 * 10];
    unsigned char mask[10];
    for (int i = 0; i < 10; i++) {
        x[3 * i] = i + 0.5;
        x[3 * i + 1] = 3.0;
        x[3 * i + 2] = 3.0;
        mask[i] = 1;
    }
    order_neighbors *nb = order_neighbors_create();
    order_cluster_ws *ws = order_cluster_ws_create(10);
    assert_int_equal(order_neighbors_build_brute(nb, x, 10, &box, 1.5), SR_OK);
    order_cluster_result res;
    assert_int_equal(order_clusters_find(ws, nb, x, &box, mask, 1.2, &res), SR_OK);
    assert_int_equal(res.nmax, 10);
    assert_int_equal(res.percolating, 1);
    /* break one bond: no longer percolating, centre in the middle of the open chain */
    mask[0] = 0;
    assert_int_equal(order_clusters_find(ws, nb, x, &box, mask, 1.2, &res), SR_OK);
    assert_int_equal(res.nmax, 9);
    assert_int_equal(res.percolating, 0);
    assert_double_equal(res.centre[0], 5.5, 1e-12);
    order_cluster_ws_free(ws);
    order_neighbors_free(nb);
}

/* A half list (each pair once, from the higher index) gives the same clusters as the full list. */
static void test_half_list_same_clusters(void **st)
{
    (void)st;
    gsl_rng *rng = sr_rng_create(2385, 5, SR_RNG_USER);
    const int n = 600;
    md_box box = {{0, 0, 0}, {8.3, 8.9, 9.1}, {0, 0, 0}};
    double *x = malloc(3 * (size_t)n * sizeof *x);
    unsigned char *mask = malloc((size_t)n);
    for (int i = 0; i < n; i++) {
        for (int d = 0; d < 3; d++) x[3 * i + d] = box.len[d] * gsl_rng_uniform(rng);
        mask[i] = gsl_rng_uniform(rng) < 0.45;
    }
    order_neighbors *full = order_neighbors_create(), *half = order_neighbors_create();
    assert_int_equal(order_neighbors_build_brute(full, x, n, &box, 1.2), SR_OK);
    assert_int_equal(order_neighbors_begin(half, n, 1.2), SR_OK);
    for (int i = 0; i < n; i++)
        for (int k = full->first[i]; k < full->first[i + 1]; k++)
            if (full->j[k] < i) assert_int_equal(order_neighbors_add(half, i, full->j[k], full->vec + 3 * k), SR_OK);
    order_neighbors_finish(half);
    order_cluster_ws *ws = order_cluster_ws_create(n);
    order_cluster_result a, b;
    assert_int_equal(order_clusters_find(ws, full, x, &box, mask, 1.1, &a), SR_OK);
    int *ia = malloc((size_t)n * sizeof *ia);
    memcpy(ia, order_cluster_index(ws), (size_t)n * sizeof *ia);
    assert_int_equal(order_clusters_find(ws, half, x, &box, mask, 1.1, &b), SR_OK);
    assert_true(a.n_clusters > 10);
    assert_int_equal(a.n_clusters, b.n_clusters);
    assert_int_equal(a.nmax, b.nmax);
    for (int i = 0; i < n; i++) assert_int_equal(ia[i], order_cluster_index(ws)[i]);
    free(ia);
    order_cluster_ws_free(ws);
    order_neighbors_free(full);
    order_neighbors_free(half);
    free(x);
    free(mask);
    gsl_rng_free(rng);
}

static void test_no_solid_atoms(void **st)
{
    (void)st;
    md_box box = {{0, 0, 0}, {5.0, 5.0, 5.0}, {0, 0, 0}};
    const double x[6] = {1, 1, 1, 1.5, 1, 1};
    const unsigned char mask[2] = {0, 0};
    order_neighbors *nb = order_neighbors_create();
    order_cluster_ws *ws = order_cluster_ws_create(2);
    assert_int_equal(order_neighbors_build_brute(nb, x, 2, &box, 1.0), SR_OK);
    order_cluster_result res;
    assert_int_equal(order_clusters_find(ws, nb, x, &box, mask, 1.0, &res), SR_OK);
    assert_int_equal(res.nmax, 0);
    assert_int_equal(res.n_clusters, 0);
    assert_int_equal(res.largest, -1);
    order_cluster_ws_free(ws);
    order_neighbors_free(nb);
}

static void test_error_paths(void **st)
{
    (void)st;
    md_box box = {{0, 0, 0}, {5.0, 5.0, 5.0}, {0, 0, 0}};
    const double x[6] = {1, 1, 1, 1.5, 1, 1};
    const unsigned char mask[2] = {1, 1};
    order_neighbors *nb = order_neighbors_create();
    order_cluster_ws *ws = order_cluster_ws_create(2);
    order_cluster_result res;
    /* neighbor cutoff must be below half the box */
    assert_int_equal(order_neighbors_build_brute(nb, x, 2, &box, 2.6), SR_ERANGE);
    assert_int_equal(order_neighbors_build_brute(nb, x, 2, &box, 1.0), SR_OK);
    /* cluster cutoff beyond the neighbor radius */
    assert_int_equal(order_clusters_find(ws, nb, x, &box, mask, 1.3, &res), SR_ERANGE);
    assert_int_equal(order_clusters_find(ws, nb, x, &box, mask, 0.0, &res), SR_ERANGE);
    assert_int_equal(order_clusters_find(ws, nb, NULL, &box, mask, 1.0, &res), SR_EINVAL);
    assert_int_equal(order_clusters_find(NULL, nb, x, &box, mask, 1.0, &res), SR_EINVAL);
    order_cluster_ws_free(NULL);
    order_cluster_ws_free(ws);
    order_neighbors_free(nb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_union_find_equals_flood_fill),
        cmocka_unit_test(test_centre_across_boundary),
        cmocka_unit_test(test_percolating_chain),
        cmocka_unit_test(test_half_list_same_clusters),
        cmocka_unit_test(test_no_solid_atoms),
        cmocka_unit_test(test_error_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
