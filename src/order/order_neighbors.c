/* order_neighbors.c - neighbor candidates sorted by distance, and the selection rules (cutoff, N
 * nearest, SANN) that decide which of them enter q_lm. */
#include "order.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

order_neighbors *order_neighbors_create(void)
{
    order_neighbors *nb = calloc(1, sizeof *nb);
    if (!nb) SR_ERROR(SR_ENOMEM, "order_neighbors_create: out of memory");
    return nb;
}

void order_neighbors_free(order_neighbors *nb)
{
    if (!nb) return;
    free(nb->first);
    free(nb->j);
    free(nb->vec);
    free(nb->dist);
    free(nb);
}

static int grow_pairs(order_neighbors *nb, long npairs)
{
    if (npairs <= nb->cap) return SR_OK;
    long cap = nb->cap ? nb->cap : 1024;
    while (cap < npairs) cap *= 2;
    int *j = realloc(nb->j, (size_t)cap * sizeof *j);
    if (!j) return SR_ERROR(SR_ENOMEM, "order_neighbors: out of memory for %ld pairs", cap);
    nb->j = j;
    double *v = realloc(nb->vec, 3 * (size_t)cap * sizeof *v);
    if (!v) return SR_ERROR(SR_ENOMEM, "order_neighbors: out of memory for %ld pairs", cap);
    nb->vec = v;
    double *d = realloc(nb->dist, (size_t)cap * sizeof *d);
    if (!d) return SR_ERROR(SR_ENOMEM, "order_neighbors: out of memory for %ld pairs", cap);
    nb->dist = d;
    nb->cap = cap;
    return SR_OK;
}

int order_neighbors_reserve(order_neighbors *nb, int n, long npairs)
{
    if (!nb || n < 0 || npairs < 0) return SR_ERROR(SR_EINVAL, "order_neighbors_reserve: bad arguments");
    if (n + 1 > nb->natoms_alloc) {
        int *f = realloc(nb->first, (size_t)(n + 1) * sizeof *f);
        if (!f) return SR_ERROR(SR_ENOMEM, "order_neighbors: out of memory for %d atoms", n);
        nb->first = f;
        nb->natoms_alloc = n + 1;
    }
    return grow_pairs(nb, npairs);
}

int order_neighbors_begin(order_neighbors *nb, int n, double cutoff)
{
    SR_TRY(order_neighbors_reserve(nb, n, 0));
    nb->n = n;
    nb->cutoff = cutoff;
    nb->cur = 0;
    nb->first[0] = 0;
    if (n > 0) nb->first[1] = 0;
    return SR_OK;
}

/* Entries are appended atom by atom; first[cur+1] is the running total of the atom being filled. */
int order_neighbors_add(order_neighbors *nb, int i, int j, const double vec[3])
{
    if (i < 0 || i >= nb->n || j < 0 || j >= nb->n)
        return SR_ERROR(SR_EINVAL, "order_neighbors_add: pair (%d, %d) outside 0..%d", i, j, nb->n - 1);
    if (i < nb->cur)
        return SR_ERROR(SR_EINVAL, "order_neighbors_add: atom %d added after atom %d", i, nb->cur);
    for (; nb->cur < i; nb->cur++) nb->first[nb->cur + 2] = nb->first[nb->cur + 1];
    const long k = nb->first[i + 1];
    SR_TRY(grow_pairs(nb, k + 1));
    nb->j[k] = j;
    nb->vec[3 * k] = vec[0];
    nb->vec[3 * k + 1] = vec[1];
    nb->vec[3 * k + 2] = vec[2];
    nb->dist[k] = sqrt(vec[0] * vec[0] + vec[1] * vec[1] + vec[2] * vec[2]);
    nb->first[i + 1] = (int)(k + 1);
    return SR_OK;
}

/* Insertion sort of one atom's entries by (distance, index) (lists are short; no allocation). */
static void sort_atom(order_neighbors *nb, int i)
{
    for (int k = nb->first[i] + 1; k < nb->first[i + 1]; k++) {
        const double d = nb->dist[k];
        const int j = nb->j[k];
        const double v0 = nb->vec[3 * k], v1 = nb->vec[3 * k + 1], v2 = nb->vec[3 * k + 2];
        int m = k - 1;
        while (m >= nb->first[i] && (nb->dist[m] > d || (nb->dist[m] == d && nb->j[m] > j))) {
            nb->dist[m + 1] = nb->dist[m];
            nb->j[m + 1] = nb->j[m];
            memcpy(&nb->vec[3 * (m + 1)], &nb->vec[3 * m], 3 * sizeof(double));
            m--;
        }
        nb->dist[m + 1] = d;
        nb->j[m + 1] = j;
        nb->vec[3 * (m + 1)] = v0;
        nb->vec[3 * (m + 1) + 1] = v1;
        nb->vec[3 * (m + 1) + 2] = v2;
    }
}

void order_neighbors_finish(order_neighbors *nb)
{
    if (nb->n > 0)
        for (; nb->cur < nb->n - 1; nb->cur++) nb->first[nb->cur + 2] = nb->first[nb->cur + 1];
    for (int i = 0; i < nb->n; i++) sort_atom(nb, i);
}

int order_neighbors_build_brute(order_neighbors *nb, const double *x, int n, const md_box *box,
                                double cutoff)
{
    if (!nb || (!x && n > 0) || !box || n < 0 || !(cutoff > 0))
        return SR_ERROR(SR_EINVAL, "order_neighbors_build_brute: bad arguments (n=%d, cutoff=%g)", n,
                        cutoff);
    for (int d = 0; d < 3; d++)
        if (!(cutoff < 0.5 * box->len[d]))
            return SR_ERROR(SR_ERANGE,
                            "order_neighbors_build_brute: cutoff %g must be below half the box edge "
                            "%g along axis %d",
                            cutoff, box->len[d], d);
    SR_TRY(order_neighbors_begin(nb, n, cutoff));
    const double rc2 = cutoff * cutoff;
    long k = 0;
    for (int i = 0; i < n; i++) {
        nb->first[i] = (int)k;
        for (int j = 0; j < n; j++) {
            if (j == i) continue;
            double d[3] = {x[3 * j] - x[3 * i], x[3 * j + 1] - x[3 * i + 1], x[3 * j + 2] - x[3 * i + 2]};
            md_box_minimum_image(box, d);
            const double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            if (r2 >= rc2) continue;
            SR_TRY(grow_pairs(nb, k + 1));
            nb->j[k] = j;
            memcpy(&nb->vec[3 * k], d, sizeof d);
            nb->dist[k] = sqrt(r2);
            k++;
        }
    }
    nb->first[n] = (int)k;
    nb->cur = n > 0 ? n - 1 : 0;
    order_neighbors_finish(nb);
    return SR_OK;
}

int order_neighbors_select(const order_neighbors *nb, int mode, double cutoff, int nnearest, int *nsel)
{
    if (!nb || !nsel) return SR_ERROR(SR_EINVAL, "order_neighbors_select: NULL argument");
    for (int i = 0; i < nb->n; i++) {
        const int k0 = nb->first[i], ncand = nb->first[i + 1] - k0;
        const double *r = nb->dist + k0;
        int m = 0;
        switch (mode) {
        case ORDER_NEIGH_CUTOFF:
            while (m < ncand && r[m] < cutoff) m++;
            break;
        case ORDER_NEIGH_NEAREST:
            if (nnearest < 1) return SR_ERROR(SR_EINVAL, "order: nearest = %d must be >= 1", nnearest);
            if (ncand < nnearest)
                return SR_ERROR(SR_ERANGE,
                                "order: atom %d has only %d neighbor candidates within %g, fewer than "
                                "nearest = %d; raise the cutoff (search radius)",
                                i, ncand, nb->cutoff, nnearest);
            m = nnearest;
            break;
        case ORDER_NEIGH_SANN: {
            /* van Meel et al. (2012), Eq. 4: the smallest m >= 3 with
             * R_i^(m) = sum_{j<=m} r_ij / (m - 2) < r_i,m+1 */
            double sum = 0;
            m = 0;
            for (; m < 3 && m < ncand; m++) sum += r[m];
            for (;;) {
                if (m >= ncand)
                    return SR_ERROR(SR_ERANGE,
                                    "order: SANN for atom %d did not converge within the %d candidates "
                                    "inside %g; raise the cutoff (search radius)",
                                    i, ncand, nb->cutoff);
                if (sum / (m - 2) < r[m]) break;
                sum += r[m];
                m++;
            }
            break;
        }
        default:
            return SR_ERROR(SR_EINVAL, "order: unknown neighbor mode %d", mode);
        }
        nsel[i] = m;
    }
    return SR_OK;
}
