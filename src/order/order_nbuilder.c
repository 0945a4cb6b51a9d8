/* order_nbuilder.c - neighbor candidates from md's cell/Verlet list (FULL kind, no skin), built on a
 * private copy of the system so that the caller's positions are never wrapped or extended with
 * ghosts. Periodic images (ghosts at indices >= n) are mapped back to their owners through
 * ghost_owner[], and the displacement vector keeps the image, so boxes smaller than twice the
 * cutoff work too (an atom can then appear several times as its own images). */
#include "order.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct order_nbuilder {
    double cutoff;
    md_system *copy;
    md_nlist *nl;
};

order_nbuilder *order_nbuilder_create(double cutoff)
{
    if (!(cutoff > 0) || !isfinite(cutoff)) {
        SR_ERROR(SR_EINVAL, "order_nbuilder_create: cutoff %g must be > 0", cutoff);
        return NULL;
    }
    order_nbuilder *b = calloc(1, sizeof *b);
    if (!b) {
        SR_ERROR(SR_ENOMEM, "order_nbuilder_create: out of memory");
        return NULL;
    }
    b->cutoff = cutoff;
    b->nl = md_nlist_create(cutoff, 0.0, MD_NLIST_FULL);
    if (!b->nl) {
        free(b);
        return NULL;
    }
    return b;
}

void order_nbuilder_free(order_nbuilder *b)
{
    if (!b) return;
    md_system_free(b->copy);
    md_nlist_free(b->nl);
    free(b);
}

int order_nbuilder_build(order_nbuilder *b, const md_system *s, order_neighbors *nb)
{
    if (!b || !s || !nb) return SR_ERROR(SR_EINVAL, "order_nbuilder_build: NULL argument");
    if (!b->copy || b->copy->n != s->n) {
        md_system_free(b->copy);
        b->copy = md_system_copy(s);
        if (!b->copy) return SR_ERROR(SR_ENOMEM, "order_nbuilder_build: cannot copy %d atoms", s->n);
    } else {
        memcpy(b->copy->x, s->x, 3 * (size_t)s->n * sizeof *s->x);
        SR_TRY(md_system_set_box(b->copy, s->box.lo, s->box.len));
    }
    md_system *c = b->copy;
    SR_TRY(md_nlist_build(b->nl, c));
    const int n = c->n;
    long total = 0;
    for (int i = 0; i < n; i++) total += b->nl->num[i];
    SR_TRY(order_neighbors_reserve(nb, n, total));
    nb->n = n;
    nb->cutoff = b->cutoff;
    const double rc2 = b->cutoff * b->cutoff;
    long k = 0;
    for (int i = 0; i < n; i++) {
        nb->first[i] = (int)k;
        const double *xi = c->x + 3 * (size_t)i;
        const int *ng = b->nl->neigh + b->nl->first[i];
        for (int m = 0; m < b->nl->num[i]; m++) {
            const int g = ng[m];
            const double *xg = c->x + 3 * (size_t)g;
            const double d0 = xg[0] - xi[0], d1 = xg[1] - xi[1], d2 = xg[2] - xi[2];
            const double r2 = d0 * d0 + d1 * d1 + d2 * d2;
            if (r2 >= rc2) continue;
            nb->j[k] = g < n ? g : c->ghost_owner[g - n];
            nb->vec[3 * k] = d0;
            nb->vec[3 * k + 1] = d1;
            nb->vec[3 * k + 2] = d2;
            nb->dist[k] = sqrt(r2);
            k++;
        }
    }
    nb->first[n] = (int)k;
    nb->cur = n > 0 ? n - 1 : 0;
    order_neighbors_finish(nb);
    return SR_OK;
}
