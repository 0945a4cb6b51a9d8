/* Neighbor lists: periodic ghost atoms + linked cells (counting sort) + Verlet list with skin.
 *
 * Ghosts: every periodic image of a local atom that lies within gcut = cutoff + skin of the box is
 * appended as a ghost (as LAMMPS' comm/ghost atoms on one process), so the force loops need no
 * minimum-image arithmetic and boxes smaller than 2 gcut work (several images of one atom). The list
 * holds pairs closer than gcut. HALF lists keep each pair once: local-local pairs with j > i, and a
 * local-ghost pair only when the ghost lies "above" the local atom (z, then y, then x), which picks
 * exactly one of the two mirror pairs (i, j') and (j, i'') (LAMMPS' half/bin/newton rule). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md.h"
#include "md_simd.h"

#if MD_SIMD_X86
#include <immintrin.h>
#endif

#ifdef _OPENMP
#include <omp.h>
#endif

struct md_nlist_priv {
    double *xhold;    /* local positions at the last build [3n] */
    double lenhold[3];/* box at the last build */
    int nimg[3];      /* image range used for ghosts */
    int *cellstart;   /* [ncell+1] */
    int *cellatoms;   /* atoms sorted by cell [ntot] */
    int *atomcell;    /* cell of each atom [ntot] */
    double *xcell;    /* positions in cellatoms order, one array per axis [3][ntot_cap] (contiguous runs) */
    double *inside;   /* distance-test flags (1 or 0) of one run of cells [inside_cap]; double, as the positions:
                       * the SSE2 baseline vectorises the test only with flags as wide as the compared values */
    size_t inside_cap;
    long ncell_cap;
    int ntot_cap, nhold_cap;
    size_t neigh_cap;
    int first_cap;
    /* blocks 1..T-1 of a threaded build: their lists, distance flags, capacities (block 0 uses the above) */
    int *bneigh[MD_MAX_THREADS];
    size_t bneigh_cap[MD_MAX_THREADS], bused[MD_MAX_THREADS];
    double *binside[MD_MAX_THREADS];
    size_t binside_cap[MD_MAX_THREADS];
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
    nl->every = 1;
    nl->check = 1;
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
        free(nl->priv->xcell);
        free(nl->priv->inside);
        for (int b = 0; b < MD_MAX_THREADS; b++) {
            free(nl->priv->bneigh[b]);
            free(nl->priv->binside[b]);
        }
        free(nl->priv);
    }
    free(nl->first);
    free(nl->num);
    free(nl->neigh);
    free(nl->perm);
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

/* Cell grid: cells of edge >= gcut/2 that tile the box exactly (nb cells across it), extended by enough
 * cells to hold the ghosts. Because the grid is commensurate with the box, a ghost sits in its owner's
 * cell shifted by nb: cell offsets between the two atoms of a pair and of its periodic mirror are exact
 * negatives, so a half stencil (offsets lexicographically > 0, plus the home cell with a tie rule) lists
 * every pair exactly once (as LAMMPS' half/bin/newton). */
#define CELL_DIV 2

/* Reorder local atoms by cell (x fastest) so that neighbours are close in memory (as LAMMPS' atom
 * sorting). The permutation is kept in nl->perm (new index -> old index) for owners of per-atom data. */
static int sort_locals(md_nlist *nl, md_system *s, const int nb[3], const double inv[3])
{
    const int n = s->n;
    long nbox = (long)nb[0] * nb[1] * nb[2];
    int *key = malloc((size_t)n * sizeof(int)), *count = calloc((size_t)nbox + 1, sizeof(int));
    int *perm = realloc(nl->perm, (size_t)(n > 0 ? n : 1) * sizeof(int));
    if (!key || !count || !perm) {
        free(key);
        free(count);
        if (perm) nl->perm = perm;
        return SR_ERROR(SR_ENOMEM, "neighbor list: out of memory");
    }
    nl->perm = perm;
    for (int i = 0; i < n; i++) {
        int c[3];
        for (int k = 0; k < 3; k++) {
            c[k] = (int)floor((s->x[3 * i + k] - s->box.lo[k]) * inv[k]);
            if (c[k] < 0) c[k] = 0;
            if (c[k] >= nb[k]) c[k] = nb[k] - 1;
        }
        key[i] = (c[2] * nb[1] + c[1]) * nb[0] + c[0];
        count[key[i] + 1]++;
    }
    for (long c = 0; c < nbox; c++) count[c + 1] += count[c];
    for (int i = 0; i < n; i++) perm[count[key[i]]++] = i;
    free(key);
    free(count);
    int rc = md_system_permute(s, perm);
    if (rc) return rc;
    nl->nsorts++;
    return SR_OK;
}

/* The per-atom part of a build: the lists of atoms lo..hi-1 (each list's content and order fixed by the cells and
 * the stencil runs), written from (*out)[0] on, growing *out; first[i] is relative to *out, num[i] set. */
typedef struct nl_walk {
    const double *x, *xc, *yc, *zc;
    const int *cs_start, *cat, *cidx, *run_first, *run_cells;
    int nrun;
    long ncell;
    int n, full;
    double gcut2;
    size_t bound, inside_len;
    int avx512; /* the runs of cells through nl_run_avx512 */
} nl_walk;

#if MD_SIMD_X86
/* One run of m candidates (positions xc, yc, zc, indices cat) against atom (xi, yi, zi): the indices of those
 * closer than sqrt(gcut2), in order, to out; returns their number. AVX-512: eight candidates per step, the test
 * as the baseline loop's (the same differences, products and sums, in the same order, without FMA: the same
 * lists), and the indices compacted by one compress-store instead of a scalar loop over every candidate. */
static inline MD_TARGET_AVX512 int nl_run_avx512(const double *xc, const double *yc, const double *zc, const int *cat, int m,
                                          double xi, double yi, double zi, double gcut2, int *out)
{
    const __m512d vx = _mm512_set1_pd(xi), vy = _mm512_set1_pd(yi), vz = _mm512_set1_pd(zi);
    const __m512d vc = _mm512_set1_pd(gcut2);
    int k = 0;
    for (int q = 0; q < m; q += 8) {
        const __mmask8 live = m - q >= 8 ? (__mmask8)0xff : (__mmask8)((1u << (m - q)) - 1u);
        const __m512d dx = _mm512_sub_pd(_mm512_maskz_loadu_pd(live, xc + q), vx);
        const __m512d dy = _mm512_sub_pd(_mm512_maskz_loadu_pd(live, yc + q), vy);
        const __m512d dz = _mm512_sub_pd(_mm512_maskz_loadu_pd(live, zc + q), vz);
        const __m512d d2 = _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(dx, dx), _mm512_mul_pd(dy, dy)),
                                         _mm512_mul_pd(dz, dz));
        const __mmask8 in = _mm512_mask_cmp_pd_mask(live, d2, vc, _CMP_LT_OQ);
        _mm256_mask_compressstoreu_epi32(out + k, in, _mm256_maskz_loadu_epi32(live, cat + q));
        k += __builtin_popcount((unsigned)in);
    }
    return k;
}
#endif

static inline __attribute__((always_inline)) int nl_walk_body(const nl_walk *w, md_nlist *nl, int lo, int hi,
                                                              int **outp, size_t *outcap, double **insidep,
                                                              size_t *insidecap, size_t *usedp, const int use512)
{
    SR_TRY(ensure((void **)insidep, sizeof(double), w->inside_len, insidecap));
    double *restrict inside = *insidep;
    const double *restrict xc = w->xc, *restrict yc = w->yc, *restrict zc = w->zc;
    const int *cs_start = w->cs_start, *cat = w->cat, *cidx = w->cidx, *run_first = w->run_first,
              *run_cells = w->run_cells;
    const int nrun = w->nrun, n = w->n, full = w->full;
    const long ncell = w->ncell;
    const double gcut2 = w->gcut2;
    const size_t bound = w->bound;
    size_t used = 0;
    const double *x = w->x;

    /* visit locals in index order, so that the lists lie in memory in the order the force loops read them
     * (a stream the hardware prefetches; cell order made every list start a jump once atoms had moved
     * since the last spatial sort). Each list's content and order do not depend on this. */
    for (int i = lo; i < hi; i++) {
        const int ci = cidx[i];
        if (used + bound > *outcap) SR_TRY(ensure((void **)outp, sizeof(int), used + bound, outcap));
        int *restrict out = *outp;
        const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
        nl->first[i] = (int)used;
        /* home cell */
        for (int q = cs_start[ci]; q < cs_start[ci + 1]; q++) {
            const int j = cat[q];
            if (j == i) continue;
            const double dx = xc[q] - xi, dy = yc[q] - yi, dz = zc[q] - zi;
            if (!full) {
                if (j < n) {
                    if (j < i) continue;
                } else if (!(dz > 0 || (dz == 0 && (dy > 0 || (dy == 0 && dx > 0))))) {
                    continue;
                }
            }
            if (dx * dx + dy * dy + dz * dz < gcut2) out[used++] = j;
        }
        for (int t = 0; t < nrun; t++) {
            long c0 = ci + run_first[t], c1 = c0 + run_cells[t]; /* cells [c0, c1), clipped to the grid */
            if (c0 < 0) c0 = 0;
            if (c1 > ncell) c1 = ncell;
            if (c0 >= c1) continue;
            const int q0 = cs_start[c0], m = cs_start[c1] - q0;
#if MD_SIMD_X86
            if (use512) {
                used += (size_t)nl_run_avx512(xc + q0, yc + q0, zc + q0, cat + q0, m, xi, yi, zi, gcut2, out + used);
                continue;
            }
#endif
            /* baseline SSE2 only: runs are ~12 candidates (LJ, rc + skin = 2.8), and AVX2 / AVX-512 copies of
             * this walk measured slower (11.5 / 13.4 ms vs 10.8 ms per 32k-atom half list); no aligned()
             * clause (clang 14 + UBSan, see md_lj.c) */
#pragma omp simd
            for (int q = 0; q < m; q++) {
                const double dx = xc[q0 + q] - xi, dy = yc[q0 + q] - yi, dz = zc[q0 + q] - zi;
                inside[q] = dx * dx + dy * dy + dz * dz < gcut2 ? 1.0 : 0.0;
            }
            for (int q = 0; q < m; q++) { /* branch-free: write always, advance when inside */
                out[used] = cat[q0 + q];
                used += inside[q] != 0.0;
            }
        }
        nl->num[i] = (int)(used - (size_t)nl->first[i]);
    }
    *usedp = used;
    return SR_OK;
}

/* the walk compiled for the baseline and (x86-64) for AVX-512, whose runs of cells are then inlined */
static int nl_walk_base(const nl_walk *w, md_nlist *nl, int lo, int hi, int **outp, size_t *outcap, double **insidep,
                        size_t *insidecap, size_t *usedp)
{
    return nl_walk_body(w, nl, lo, hi, outp, outcap, insidep, insidecap, usedp, 0);
}
#if MD_SIMD_X86
static MD_TARGET_AVX512 int nl_walk_512(const nl_walk *w, md_nlist *nl, int lo, int hi, int **outp, size_t *outcap,
                                        double **insidep, size_t *insidecap, size_t *usedp)
{
    return nl_walk_body(w, nl, lo, hi, outp, outcap, insidep, insidecap, usedp, 1);
}
#endif

static int nl_walk_atoms(const nl_walk *w, md_nlist *nl, int lo, int hi, int **outp, size_t *outcap, double **insidep,
                         size_t *insidecap, size_t *usedp)
{
#if MD_SIMD_X86
    if (w->avx512) return nl_walk_512(w, nl, lo, hi, outp, outcap, insidep, insidecap, usedp);
#endif
    return nl_walk_base(w, nl, lo, hi, outp, outcap, insidep, insidecap, usedp);
}

/* The AVX-512 runs where the force loops would use AVX-512 (md_kernel_resolve: the CPU, SEEDRATE_KERNEL) */
static int nl_use_avx512(void)
{
    int k = MD_KERNEL_SIMD;
    if (md_kernel_resolve(MD_KERNEL_AUTO, &k)) return 0;
    return MD_SIMD_X86 && k == MD_KERNEL_AVX512;
}

int md_nlist_build(md_nlist *nl, md_system *s)
{
    struct md_nlist_priv *P = nl->priv;
    const double gcut = nl->cutoff + nl->skin, gcut2 = gcut * gcut;
    md_system_wrap(s);
    s->nghost = 0;
    const int n = s->n;
    const int full = nl->kind == MD_NLIST_FULL;

    int nb[3], ext[3], nc[3];
    double cs[3], inv[3];
    for (int k = 0; k < 3; k++) {
        nb[k] = (int)(s->box.len[k] * CELL_DIV / gcut);
        if (nb[k] < 1) nb[k] = 1;
        if (nb[k] > 512) nb[k] = 512;
        cs[k] = s->box.len[k] / nb[k];
        inv[k] = 1.0 / cs[k];
        ext[k] = (int)ceil(gcut / cs[k]);
        nc[k] = nb[k] + 2 * ext[k];
    }
    const long ncell = (long)nc[0] * nc[1] * nc[2];
    size_t cap;
    if (nl->sort_every > 0 && nl->nbuilds % nl->sort_every == 0) SR_TRY(sort_locals(nl, s, nb, inv));
    SR_TRY(make_ghosts(s, gcut, P->nimg));
    const int ntot = s->n + s->nghost;
    cap = (size_t)P->ncell_cap;
    SR_TRY(ensure((void **)&P->cellstart, sizeof(int), (size_t)ncell + 1, &cap));
    P->ncell_cap = (long)cap;
    cap = (size_t)P->ntot_cap;
    size_t cap2 = cap;
    size_t cap3 = cap;
    SR_TRY(ensure((void **)&P->cellatoms, sizeof(int), (size_t)ntot, &cap));
    SR_TRY(ensure((void **)&P->atomcell, sizeof(int), (size_t)ntot, &cap2));
    SR_TRY(ensure((void **)&P->xcell, 3 * sizeof(double), (size_t)ntot, &cap3));
    P->ntot_cap = (int)(cap < cap2 ? (cap < cap3 ? cap : cap3) : (cap2 < cap3 ? cap2 : cap3));

    /* bin locals by position, ghosts by their owner's cell shifted by nb (exactly commensurate) */
    memset(P->cellstart, 0, (size_t)(ncell + 1) * sizeof(int));
    int *cidx = P->atomcell; /* temporarily: per-axis cells packed into the flat index */
    for (int i = 0; i < n; i++) {
        int c[3];
        for (int k = 0; k < 3; k++) {
            c[k] = (int)floor((s->x[3 * i + k] - s->box.lo[k]) * inv[k]);
            if (c[k] < 0) c[k] = 0;
            if (c[k] >= nb[k]) c[k] = nb[k] - 1;
            c[k] += ext[k];
        }
        cidx[i] = (c[2] * nc[1] + c[1]) * nc[0] + c[0];
    }
    for (int g = 0; g < s->nghost; g++) {
        const int o = s->ghost_owner[g];
        int co = cidx[o], c[3];
        c[0] = co % nc[0];
        c[1] = (co / nc[0]) % nc[1];
        c[2] = co / (nc[0] * nc[1]);
        int inside = 1;
        for (int k = 0; k < 3; k++) {
            c[k] += s->ghost_shift[3 * g + k] * nb[k];
            if (c[k] < 0 || c[k] >= nc[k]) inside = 0;
        }
        cidx[n + g] = inside ? (c[2] * nc[1] + c[1]) * nc[0] + c[0] : -1;
    }
    for (int i = 0; i < ntot; i++)
        if (cidx[i] >= 0) P->cellstart[cidx[i] + 1]++;
    int maxcell = 0;
    for (long c = 0; c < ncell; c++) {
        if (P->cellstart[c + 1] > maxcell) maxcell = P->cellstart[c + 1];
        P->cellstart[c + 1] += P->cellstart[c];
    }
    for (int i = 0; i < ntot; i++)
        if (cidx[i] >= 0) P->cellatoms[P->cellstart[cidx[i]]++] = i;
    for (long c = ncell; c > 0; c--) P->cellstart[c] = P->cellstart[c - 1];
    P->cellstart[0] = 0;

    /* stencil: cell offsets whose closest approach is below gcut; half lists keep offsets > 0 */
    int stencil[1024], nst = 0;
    int R[3];
    for (int k = 0; k < 3; k++) R[k] = ext[k];
    for (int dz = -R[2]; dz <= R[2]; dz++)
        for (int dy = -R[1]; dy <= R[1]; dy++)
            for (int dx = -R[0]; dx <= R[0]; dx++) {
                if (dx == 0 && dy == 0 && dz == 0) continue;
                if (!full && !(dz > 0 || (dz == 0 && (dy > 0 || (dy == 0 && dx > 0))))) continue;
                double mx = (abs(dx) > 0 ? abs(dx) - 1 : 0) * cs[0], my = (abs(dy) > 0 ? abs(dy) - 1 : 0) * cs[1],
                       mz = (abs(dz) > 0 ? abs(dz) - 1 : 0) * cs[2];
                if (mx * mx + my * my + mz * mz >= gcut2) continue;
                if (nst == 1024) return SR_ERROR(SR_ERANGE, "neighbor list: stencil too large");
                stencil[nst++] = (dz * nc[1] + dy) * nc[0] + dx;
            }

    if (n > P->first_cap) {
        int *a = realloc(nl->first, (size_t)n * sizeof(int)), *b;
        if (!a) return SR_ERROR(SR_ENOMEM, "neighbor list: out of memory");
        nl->first = a;
        b = realloc(nl->num, (size_t)n * sizeof(int));
        if (!b) return SR_ERROR(SR_ENOMEM, "neighbor list: out of memory");
        nl->num = b;
        P->first_cap = n;
    }
    /* Stencil cells that follow each other along x are neighbours in the flat cell index, and their atoms
     * neighbours in cellatoms: one run of cells = one contiguous run of candidates, whose distances are tested
     * in a vector loop on positions stored in the same order (xcell), then compacted in order. The runs keep
     * the stencil's order, so each list's content and order are those of a cell-by-cell walk. */
    int run_first[1024], run_cells[1024], nrun = 0, maxrun = 0;
    for (int t = 0; t < nst; t++) {
        if (nrun > 0 && stencil[t] == run_first[nrun - 1] + run_cells[nrun - 1]) {
            run_cells[nrun - 1]++;
        } else {
            run_first[nrun] = stencil[t];
            run_cells[nrun++] = 1;
        }
        if (run_cells[nrun - 1] > maxrun) maxrun = run_cells[nrun - 1];
    }
    const size_t xstride = (size_t)P->ntot_cap;
    double *restrict xc = P->xcell, *restrict yc = P->xcell + xstride, *restrict zc = P->xcell + 2 * xstride;
    const int *cs_start = P->cellstart, *cat = P->cellatoms;
    const int nbinned = cs_start[ncell];
    for (int q = 0; q < nbinned; q++) {
        const int j = cat[q];
        xc[q] = s->x[3 * j];
        yc[q] = s->x[3 * j + 1];
        zc[q] = s->x[3 * j + 2];
    }
    const size_t bound = (size_t)(nst + 1) * (size_t)maxcell;
    const nl_walk w = {.x = s->x, .xc = xc, .yc = yc, .zc = zc, .cs_start = cs_start, .cat = cat, .cidx = cidx,
                       .run_first = run_first, .run_cells = run_cells, .nrun = nrun, .ncell = ncell, .n = n,
                       .full = full, .gcut2 = gcut2, .bound = bound, .inside_len = (size_t)maxrun * (size_t)maxcell + 1,
                       .avx512 = nl_use_avx512()};
    const int nt = nl->threads < MD_MAX_THREADS ? nl->threads : MD_MAX_THREADS;
    const int T = nt > 1 && n >= 64 * nt ? nt : 1;
    if (T == 1) {
        size_t used = 0;
        SR_TRY(nl_walk_atoms(&w, nl, 0, n, &nl->neigh, &P->neigh_cap, &P->inside, &P->inside_cap, &used));
    } else {
        /* blocks of atoms by index: block b walks its atoms into its own array (block 0 into nl->neigh), then the
         * arrays are joined in block order - the same lists, in the same memory order, as one walk */
        int bounds[MD_MAX_THREADS + 1];
        for (int b = 0; b <= T; b++) bounds[b] = (int)((long)n * b / T);
        int rc = SR_OK;
        char msg[512] = ""; /* the error text is per thread (sr_error.c): carried to this thread */
#ifdef _OPENMP
#pragma omp parallel for schedule(static, 1) num_threads(T)
#endif
        for (int b = 0; b < T; b++) {
            P->bused[b] = 0;
            const int my = b == 0 ? nl_walk_atoms(&w, nl, bounds[0], bounds[1], &nl->neigh, &P->neigh_cap, &P->inside,
                                                  &P->inside_cap, &P->bused[0])
                                  : nl_walk_atoms(&w, nl, bounds[b], bounds[b + 1], &P->bneigh[b], &P->bneigh_cap[b],
                                                  &P->binside[b], &P->binside_cap[b], &P->bused[b]);
            if (my) {
#ifdef _OPENMP
#pragma omp critical(md_nlist_error)
#endif
                {
                    rc = my;
                    snprintf(msg, sizeof msg, "%s", sr_error_message());
                }
            }
        }
        if (rc) return SR_ERROR(rc, "%s", msg);
        size_t total = 0;
        for (int b = 0; b < T; b++) total += P->bused[b];
        SR_TRY(ensure((void **)&nl->neigh, sizeof(int), total, &P->neigh_cap));
        size_t off = P->bused[0];
        for (int b = 1; b < T; b++) {
            memcpy(nl->neigh + off, P->bneigh[b], P->bused[b] * sizeof(int));
            for (int i = bounds[b]; i < bounds[b + 1]; i++) nl->first[i] += (int)off;
            off += P->bused[b];
        }
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
    nl->since_build = 0;
    return SR_OK;
}

int md_nlist_update(md_nlist *nl, md_system *s, int *rebuilt)
{
    struct md_nlist_priv *P = nl->priv;
    int need = (nl->n != s->n) || nl->nbuilds == 0;
    nl->since_build++;
    if (!need && nl->since_build < nl->every) {
        if (rebuilt) *rebuilt = 0;
        md_ghosts_update(s);
        return SR_OK;
    }
    if (!need && !nl->check) {
        need = 1;
        double dmax2 = 0.0;
        for (int i = 0; i < s->n; i++) {
            double d2 = 0;
            for (int k = 0; k < 3; k++) {
                double d = s->x[3 * i + k] - P->xhold[3 * i + k];
                d2 += d * d;
            }
            if (d2 > dmax2) dmax2 = d2;
        }
        if (2.0 * sqrt(dmax2) > nl->skin) nl->ndangerous++;
    } else if (!need) {
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
