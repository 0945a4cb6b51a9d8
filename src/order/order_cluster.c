/* order_cluster.c - clusters of crystalline atoms: union-find with path compression over the
 * neighbor candidates (periodic images already resolved into displacement vectors), then the largest
 * cluster's size, centre and radius of gyration. The centre is computed on the cluster unwrapped
 * along its own bonds (breadth-first walk adding bond vectors), so clusters straddling the periodic
 * boundary, and elongated ones, come out whole; a bond that closes on an image of an already placed
 * atom marks the cluster as percolating (its centre is then not meaningful). */
#include "order.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct order_cluster_ws {
    int cap;
    int *parent; /* union-find forest */
    int *rank;
    int *index;  /* compact cluster index per atom, -1 if not crystalline */
    int *sizes;  /* per cluster */
    int *queue;  /* BFS */
    double *pos; /* unwrapped positions of the largest cluster */
};

static void ws_release(order_cluster_ws *ws)
{
    free(ws->parent);
    free(ws->rank);
    free(ws->index);
    free(ws->sizes);
    free(ws->queue);
    free(ws->pos);
}

static int ws_grow(order_cluster_ws *ws, int n)
{
    if (n <= ws->cap) return SR_OK;
    ws_release(ws);
    memset(ws, 0, sizeof *ws);
    const size_t m = (size_t)(n > 0 ? n : 1);
    ws->parent = malloc(m * sizeof(int));
    ws->rank = malloc(m * sizeof(int));
    ws->index = malloc(m * sizeof(int));
    ws->sizes = malloc(m * sizeof(int));
    ws->queue = malloc(m * sizeof(int));
    ws->pos = malloc(3 * m * sizeof(double));
    if (!ws->parent || !ws->rank || !ws->index || !ws->sizes || !ws->queue || !ws->pos) {
        ws_release(ws);
        memset(ws, 0, sizeof *ws);
        return SR_ERROR(SR_ENOMEM, "order_cluster: out of memory for %d atoms", n);
    }
    ws->cap = n;
    return SR_OK;
}

order_cluster_ws *order_cluster_ws_create(int n)
{
    order_cluster_ws *ws = calloc(1, sizeof *ws);
    if (!ws) {
        SR_ERROR(SR_ENOMEM, "order_cluster_ws_create: out of memory");
        return NULL;
    }
    if (ws_grow(ws, n)) {
        free(ws);
        return NULL;
    }
    return ws;
}

void order_cluster_ws_free(order_cluster_ws *ws)
{
    if (!ws) return;
    ws_release(ws);
    free(ws);
}

/* Path halving: every visited node is re-pointed to its grandparent. */
static inline int uf_find(int *parent, int i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static inline void uf_union(int *parent, int *rank, int a, int b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a == b) return;
    if (rank[a] < rank[b]) {
        int t = a;
        a = b;
        b = t;
    }
    parent[b] = a;
    if (rank[a] == rank[b]) rank[a]++;
}

const int *order_cluster_index(const order_cluster_ws *ws) { return ws ? ws->index : NULL; }
const int *order_cluster_sizes(const order_cluster_ws *ws) { return ws ? ws->sizes : NULL; }

int order_clusters_find(order_cluster_ws *ws, const order_neighbors *nb, const double *x,
                        const md_box *box, const unsigned char *mask, double rcut,
                        order_cluster_result *res)
{
    if (!ws || !nb || !x || !box || !mask || !res)
        return SR_ERROR(SR_EINVAL, "order_clusters_find: NULL argument");
    if (!(rcut > 0) || rcut > nb->cutoff * (1 + 1e-12))
        return SR_ERROR(SR_ERANGE,
                        "order_clusters_find: cluster cutoff %g must be > 0 and not exceed the neighbor "
                        "radius %g",
                        rcut, nb->cutoff);
    const int n = nb->n;
    SR_TRY(ws_grow(ws, n));
    memset(res, 0, sizeof *res);
    res->largest = -1;

    for (int i = 0; i < n; i++) {
        ws->parent[i] = i;
        ws->rank[i] = 0;
    }
    for (int i = 0; i < n; i++) {
        if (!mask[i]) continue;
        for (int k = nb->first[i]; k < nb->first[i + 1] && nb->dist[k] < rcut; k++) {
            const int j = nb->j[k];
            if (j != i && mask[j]) uf_union(ws->parent, ws->rank, i, j); /* also one-sided lists */
        }
    }
    /* compact indices in order of each cluster's lowest atom; ws->rank is reused as root -> index */
    int nc = 0;
    for (int i = 0; i < n; i++) ws->rank[i] = -1;
    for (int i = 0; i < n; i++) {
        if (!mask[i]) {
            ws->index[i] = -1;
            continue;
        }
        const int r = uf_find(ws->parent, i);
        if (ws->rank[r] < 0) {
            ws->rank[r] = nc;
            ws->sizes[nc++] = 0;
        }
        ws->index[i] = ws->rank[r];
        ws->sizes[ws->index[i]]++;
        res->n_solid++;
    }
    res->n_clusters = nc;
    for (int c = 0; c < nc; c++)
        if (ws->sizes[c] > res->nmax) {
            res->nmax = ws->sizes[c];
            res->largest = c;
        }
    if (nc == 0) return SR_OK;

    /* unwrap the largest cluster along its bonds */
    int start = 0;
    while (ws->index[start] != res->largest) start++;
    double minlen = box->len[0];
    for (int d = 1; d < 3; d++)
        if (box->len[d] < minlen) minlen = box->len[d];
    const double tol2 = 0.0625 * minlen * minlen; /* an image differs by at least one box edge */
    for (int i = 0; i < n; i++) ws->rank[i] = 0; /* visited flags */
    int head = 0, tail = 0;
    ws->queue[tail++] = start;
    ws->rank[start] = 1;
    memcpy(ws->pos + 3 * (size_t)start, x + 3 * (size_t)start, 3 * sizeof(double));
    double sum[3] = {0, 0, 0};
    while (head < tail) {
        const int i = ws->queue[head++];
        const double *pi = ws->pos + 3 * (size_t)i;
        for (int d = 0; d < 3; d++) sum[d] += pi[d];
        for (int k = nb->first[i]; k < nb->first[i + 1] && nb->dist[k] < rcut; k++) {
            const int j = nb->j[k];
            if (ws->index[j] != res->largest) continue;
            const double pj[3] = {pi[0] + nb->vec[3 * k], pi[1] + nb->vec[3 * k + 1],
                                  pi[2] + nb->vec[3 * k + 2]};
            double *qj = ws->pos + 3 * (size_t)j;
            if (!ws->rank[j]) {
                ws->rank[j] = 1;
                memcpy(qj, pj, sizeof pj);
                ws->queue[tail++] = j;
            } else {
                const double dx = pj[0] - qj[0], dy = pj[1] - qj[1], dz = pj[2] - qj[2];
                if (dx * dx + dy * dy + dz * dz > tol2) res->percolating = 1;
            }
        }
    }
    const double inv = 1.0 / tail;
    double c[3] = {sum[0] * inv, sum[1] * inv, sum[2] * inv};
    double rg2 = 0;
    for (int t = 0; t < tail; t++) {
        const double *p = ws->pos + 3 * (size_t)ws->queue[t];
        for (int d = 0; d < 3; d++) rg2 += (p[d] - c[d]) * (p[d] - c[d]);
    }
    res->rg = sqrt(rg2 * inv);
    for (int d = 0; d < 3; d++) {
        double u = fmod(c[d] - box->lo[d], box->len[d]);
        if (u < 0) u += box->len[d];
        res->centre[d] = box->lo[d] + u;
    }
    return SR_OK;
}
