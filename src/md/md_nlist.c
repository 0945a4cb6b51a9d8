/* Neighbor lists: periodic ghost atoms + linked cells (counting sort) + Verlet list with skin.
 *
 * Ghosts: every periodic image of a local atom that lies within gcut = cutoff + skin of the box is
 * appended as a ghost (as LAMMPS' comm/ghost atoms on one process), so the force loops need no
 * minimum-image arithmetic and boxes smaller than 2 gcut work (several images of one atom). The list
 * holds pairs closer than gcut. HALF lists keep each pair once: local-local pairs with j > i, and a
 * local-ghost pair only when the ghost lies "above" the local atom (z, then y, then x), which picks
 * exactly one of the two mirror pairs (i, j') and (j, i'') (LAMMPS' half/bin/newton rule). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "md.h"

struct md_nlist_priv {
    double *xhold;    /* local positions at the last build [3n] */
    double lenhold[3];/* box at the last build */
    int nimg[3];      /* image range used for ghosts */
    int *cellstart;   /* [ncell+1] */
    int *cellatoms;   /* atoms sorted by cell [ntot] */
    int *atomcell;    /* cell of each atom [ntot] */
    long ncell_cap;
    int ntot_cap, nhold_cap;
    size_t neigh_cap;
    int first_cap;
};

md_nlist *md_nlist_create(double cutoff, double skin, int kind)
{
    if (!(cutoff > 0) || !(skin >= 0) || !isfinite(cutoff + skin) ||
        (kind != MD_NLIST_HALF && kind != MD_NLIST_FULL)) {
        SR_ERROR(SR_EINVAL, "neighbor list: invalid cutoff %g / skin %g / kind %d", cutoff, skin, kind);
        return NULL;
    }
    md_nlist *nl = calloc(1, sizeof *nl);
    if (!nl) return NULL;
    nl->priv = calloc(1, sizeof *nl->priv);
    if (!nl->priv) {
        free(nl);
        return NULL;
    }
    nl->cutoff = cutoff;
    nl->skin = skin;
    nl->kind = kind;
    return nl;
}

void md_nlist_free(md_nlist *nl)
{
    if (!nl) return;
    if (nl->priv) {
        free(nl->priv->xhold);
        free(nl->priv->cellstart);
        free(nl->priv->cellatoms);
        free(nl->priv->atomcell);
        free(nl->priv);
    }
    free(nl->first);
    free(nl->num);
    free(nl->neigh);
    free(nl);
}

void md_ghosts_update(md_system *s)
{
    const double *L = s->box.len;
    const int n = s->n;
    double *restrict x = s->x;
    for (int g = 0; g < s->nghost; g++) {
        const int o = s->ghost_owner[g];
        const int *sh = &s->ghost_shift[3 * g];
        double *xg = &x[3 * (n + g)];
        xg[0] = x[3 * o + 0] + sh[0] * L[0];
        xg[1] = x[3 * o + 1] + sh[1] * L[1];
        xg[2] = x[3 * o + 2] + sh[2] * L[2];
    }
}

void md_ghosts_fold_forces(md_system *s)
{
    const int n = s->n;
    double *restrict f = s->f;
    for (int g = 0; g < s->nghost; g++) {
        const int o = s->ghost_owner[g];
        f[3 * o + 0] += f[3 * (n + g) + 0];
        f[3 * o + 1] += f[3 * (n + g) + 1];
        f[3 * o + 2] += f[3 * (n + g) + 2];
    }
}

static int make_ghosts(md_system *s, double gcut, int nimg[3])
{
    const double *lo = s->box.lo, *L = s->box.len;
    for (int k = 0; k < 3; k++) {
        nimg[k] = (int)ceil(gcut / L[k]);
        if (nimg[k] > 64) return SR_ERROR(SR_EINVAL,
                "box edge %c = %g is far smaller than the neighbor cutoff %g (more than 64 images)",
                'x' + k, L[k], gcut);
    }
    s->nghost = 0;
    int ng = 0;
    for (int i = 0; i < s->n; i++) {
        int sh[3][130], ns[3];
        for (int k = 0; k < 3; k++) {
            ns[k] = 0;
            for (int a = -nimg[k]; a <= nimg[k]; a++) {
                double xa = s->x[3 * i + k] + a * L[k];
                if (xa >= lo[k] - gcut && xa < lo[k] + L[k] + gcut) sh[k][ns[k]++] = a;
            }
        }
        for (int c = 0; c < ns[2]; c++)
            for (int b = 0; b < ns[1]; b++)
                for (int a = 0; a < ns[0]; a++) {
                    if (sh[0][a] == 0 && sh[1][b] == 0 && sh[2][c] == 0) continue;
                    int row = s->n + ng;
                    if (row >= s->capacity) SR_TRY(md_system_reserve(s, row + 1));
                    s->ghost_owner[ng] = i;
                    s->ghost_shift[3 * ng + 0] = sh[0][a];
                    s->ghost_shift[3 * ng + 1] = sh[1][b];
                    s->ghost_shift[3 * ng + 2] = sh[2][c];
                    s->type[row] = s->type[i];
                    s->id[row] = s->id[i];
                    for (int k = 0; k < 3; k++) s->v[3 * row + k] = 0.0;
                    ng++;
                }
    }
    s->nghost = ng;
    md_ghosts_update(s);
    return SR_OK;
}

static int ensure(void **p, size_t elem, size_t need, size_t *cap)
{
    if (need <= *cap) return SR_OK;
    size_t c = need + need / 4 + 64;
    void *q = realloc(*p, c * elem);
    if (!q) return SR_ERROR(SR_ENOMEM, "neighbor list: out of memory (%zu entries)", need);
    *p = q;
    *cap = c;
    return SR_OK;
}

int md_nlist_build(md_nlist *nl, md_system *s)
{
    struct md_nlist_priv *P = nl->priv;
    const double gcut = nl->cutoff + nl->skin, gcut2 = gcut * gcut;
    md_system_wrap(s);
    SR_TRY(make_ghosts(s, gcut, P->nimg));
    const int n = s->n, ntot = s->n + s->nghost;

    /* cells over the extended region [lo - gcut, lo + L + gcut) */
    int nc[3];
    double elo[3], inv[3];
    for (int k = 0; k < 3; k++) {
        double elen = s->box.len[k] + 2 * gcut;
        nc[k] = (int)(elen / gcut);
        if (nc[k] < 1) nc[k] = 1;
        if (nc[k] > 1024) nc[k] = 1024;
        elo[k] = s->box.lo[k] - gcut;
        inv[k] = nc[k] / elen;
    }
    long ncell = (long)nc[0] * nc[1] * nc[2];
    size_t cap;
    cap = (size_t)P->ncell_cap;
    SR_TRY(ensure((void **)&P->cellstart, sizeof(int), (size_t)ncell + 1, &cap));
    P->ncell_cap = (long)cap;
    cap = (size_t)P->ntot_cap;
    size_t cap2 = cap;
    SR_TRY(ensure((void **)&P->cellatoms, sizeof(int), (size_t)ntot, &cap));
    SR_TRY(ensure((void **)&P->atomcell, sizeof(int), (size_t)ntot, &cap2));
    P->ntot_cap = (int)(cap < cap2 ? cap : cap2);

    memset(P->cellstart, 0, (size_t)(ncell + 1) * sizeof(int));
    for (int i = 0; i < ntot; i++) {
        int c[3];
        for (int k = 0; k < 3; k++) {
            c[k] = (int)((s->x[3 * i + k] - elo[k]) * inv[k]);
            if (c[k] < 0) c[k] = 0;
            if (c[k] >= nc[k]) c[k] = nc[k] - 1;
        }
        int ci = (c[2] * nc[1] + c[1]) * nc[0] + c[0];
        P->atomcell[i] = ci;
        P->cellstart[ci + 1]++;
    }
    for (long c = 0; c < ncell; c++) P->cellstart[c + 1] += P->cellstart[c];
    {
        /* stable fill: reuse cellstart as cursor then restore */
        for (int i = 0; i < ntot; i++) P->cellatoms[P->cellstart[P->atomcell[i]]++] = i;
        for (long c = ncell; c > 0; c--) P->cellstart[c] = P->cellstart[c - 1];
        P->cellstart[0] = 0;
    }

    /* the Verlet list */
    if (n > P->first_cap) {
        int *a = realloc(nl->first, (size_t)n * sizeof(int)), *b;
        if (!a) return SR_ERROR(SR_ENOMEM, "neighbor list: out of memory");
        nl->first = a;
        b = realloc(nl->num, (size_t)n * sizeof(int));
        if (!b) return SR_ERROR(SR_ENOMEM, "neighbor list: out of memory");
        nl->num = b;
        P->first_cap = n;
    }
    size_t used = 0;
    const double *x = s->x;
    const int full = nl->kind == MD_NLIST_FULL;
    for (int i = 0; i < n; i++) {
        const int ci = P->atomcell[i];
        const int cx = ci % nc[0], cy = (ci / nc[0]) % nc[1], cz = ci / (nc[0] * nc[1]);
        const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
        /* worst case for this atom: every atom of the 27 cells */
        size_t bound = 0;
        for (int dz = -1; dz <= 1; dz++)
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int ox = cx + dx, oy = cy + dy, oz = cz + dz;
                    if (ox < 0 || oy < 0 || oz < 0 || ox >= nc[0] || oy >= nc[1] || oz >= nc[2]) continue;
                    int cj = (oz * nc[1] + oy) * nc[0] + ox;
                    bound += (size_t)(P->cellstart[cj + 1] - P->cellstart[cj]);
                }
        SR_TRY(ensure((void **)&nl->neigh, sizeof(int), used + bound, &P->neigh_cap));
        nl->first[i] = (int)used;
        for (int dz = -1; dz <= 1; dz++)
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int ox = cx + dx, oy = cy + dy, oz = cz + dz;
                    if (ox < 0 || oy < 0 || oz < 0 || ox >= nc[0] || oy >= nc[1] || oz >= nc[2]) continue;
                    int cj = (oz * nc[1] + oy) * nc[0] + ox;
                    for (int q = P->cellstart[cj]; q < P->cellstart[cj + 1]; q++) {
                        const int j = P->cellatoms[q];
                        if (j == i) continue;
                        const double ddx = x[3 * j] - xi, ddy = x[3 * j + 1] - yi, ddz = x[3 * j + 2] - zi;
                        if (!full) {
                            if (j < n) {
                                if (j < i) continue;
                            } else if (!(ddz > 0 || (ddz == 0 && (ddy > 0 || (ddy == 0 && ddx > 0))))) {
                                continue;
                            }
                        }
                        if (ddx * ddx + ddy * ddy + ddz * ddz < gcut2) nl->neigh[used++] = j;
                    }
                }
        nl->num[i] = (int)(used - (size_t)nl->first[i]);
    }
    nl->n = n;

    /* remember positions for the displacement check */
    if (n > P->nhold_cap) {
        double *h = realloc(P->xhold, 3 * (size_t)n * sizeof(double));
        if (!h) return SR_ERROR(SR_ENOMEM, "neighbor list: out of memory");
        P->xhold = h;
        P->nhold_cap = n;
    }
    memcpy(P->xhold, s->x, 3 * (size_t)n * sizeof(double));
    for (int k = 0; k < 3; k++) P->lenhold[k] = s->box.len[k];
    nl->nbuilds++;
    return SR_OK;
}

int md_nlist_update(md_nlist *nl, md_system *s, int *rebuilt)
{
    struct md_nlist_priv *P = nl->priv;
    int need = (nl->n != s->n) || nl->nbuilds == 0;
    if (!need) {
        double dmax2 = 0.0;
        const double *x = s->x, *h = P->xhold;
        for (int i = 0; i < s->n; i++) {
            double dx = x[3 * i] - h[3 * i], dy = x[3 * i + 1] - h[3 * i + 1], dz = x[3 * i + 2] - h[3 * i + 2];
            double d2 = dx * dx + dy * dy + dz * dz;
            if (d2 > dmax2) dmax2 = d2;
        }
        /* a pair distance changes by at most 2 dmax + sum_k nimg_k |dL_k| (ghost shifts scale with L) */
        double dbox = 0.0;
        for (int k = 0; k < 3; k++) dbox += P->nimg[k] * fabs(s->box.len[k] - P->lenhold[k]);
        need = 2.0 * sqrt(dmax2) + dbox > nl->skin;
    }
    if (rebuilt) *rebuilt = need;
    if (need) return md_nlist_build(nl, s);
    md_ghosts_update(s);
    return SR_OK;
}
