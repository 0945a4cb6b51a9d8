/* ml_descriptor.c - Behler-Parrinello atom-centred symmetry functions.
 *
 * J. Behler, J. Chem. Phys. 134, 074106 (2011), eqs. (4), (6), (8)-(9) (numbering of that paper):
 *   cutoff    f_c(r) = 0.5 [cos(pi r / r_c) + 1]                         (r < r_c, else 0)
 *   radial    G2_i(b) = sum_{j in b} exp(-eta (r_ij - r_s)^2) f_c(r_ij)
 *   angular   G4_i(b,c) = 2^(1-zeta) sum_{j<k} (1 + lambda cos t_ijk)^zeta
 *                        exp(-eta (r_ij^2 + r_ik^2 + r_jk^2)) f_c(r_ij) f_c(r_ik) f_c(r_jk)
 *             G5_i(b,c) = same without the r_jk factors
 * element resolved: one radial block per neighbour element b, one angular block per unordered pair
 * of neighbour elements (b, c). Each unordered pair of neighbours (j, k) is counted once.
 * Everything is a function of the displacements d_j = r_j - r_i, and dG/dd_j is returned.
 *
 * Cost: G5 (zeta <= 8) is evaluated by moments over neighbours, O(n), not by the pair loop, O(n^2) (below);
 * G4 and larger zeta take the pair loop. Force evaluation in MD keeps a tape from the pass that forms G, so the
 * descriptor is evaluated once per step (ml_model.c). exp and the cutoff are ml_simd.h's inline versions, so
 * that the loops over neighbours and functions vectorise; the hot loops have AVX2/AVX-512 copies (ML_CLONES). */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "ml.h"
#include "ml_simd.h"

static int npairs_of(int nelem) { return nelem * (nelem + 1) / 2; }

/* index of the unordered element pair (b, c) */
static inline int pair_index(int nelem, int b, int c)
{
    if (b > c) {
        int t = b;
        b = c;
        c = t;
    }
    return b * nelem - b * (b - 1) / 2 + (c - b);
}

static int bp_n_features(const void *params)
{
    const ml_sf_params *p = params;
    return p->nelem * p->n_radial + npairs_of(p->nelem) * p->n_angular;
}

static double bp_cutoff(const void *params)
{
    const ml_sf_params *p = params;
    return p->rc > p->rc_angular ? p->rc : p->rc_angular;
}

/* ---- G5 by moments ---------------------------------------------------------------------------
 * G5 factorises over neighbours (the r_jk factor of G4 does not). With c_jk = u_j . u_k (unit vectors)
 * and integer zeta, (1 + l c)^z = sum_p C(z,p) l^p c^p and c_jk^p = sum_{|a|=p} (p!/a!) u_j^a u_k^a
 * (multinomial theorem; a = (a_x, a_y, a_z) a multi-index of rank p), so with the moments
 *   T^b_{e,a} = sum_{j in b} R_e(r_j) u_j^a
 * the pair sums are Q^{bc}_{e,p} = sum_{j in b, k in c} c^p R_e(r_j) R_e(r_k) = sum_{|a|=p} (p!/a!) T^b_a T^c_a
 * for b != c, and half of that minus sum_{j in b} R_e(r_j)^2 for b = c (the j = k terms, c_jj = 1). Then
 *   G_m = 2^(1-z) sum_{p <= z} C(z,p) l^p Q^{bc}_{e(m),p}:
 * the same functions as the pair loop below, at O(n) cost instead of O(n^2) (the idea of moment-tensor
 * and ACE descriptors; for G5 it is only the multinomial expansion). Used for G5 with zeta <= MOM_PMAX.
 * Derivatives: with u^a = d^a / r^p, d/dd_q [R(r) u^a] = (dR/dr / r - p R / r^2) u^a d_q + (R / r) a_q u^(a - e_q).
 * Multi-indices of rank p are ordered by k = p - a_x (0..p), then a_z (0..k): index off(p) + k (k + 1)/2 + a_z,
 * off(p) = p (p + 1)(p + 2)/6; every array over multi-indices is flat in that order. */
#define MOM_PMAX 8
#define MOM_NCMAX 168 /* multi-indices of rank 0..MOM_PMAX (165), padded to a multiple of 8 (zero weights) */

static inline int mom_off(int p) { return p * (p + 1) * (p + 2) / 6; }

/* tables over the multi-indices up to MOM_PMAX, built once */
static struct {
    int rank[MOM_NCMAX];
    int ex[MOM_NCMAX][3];   /* a_x, a_y, a_z */
    double w[MOM_NCMAX];    /* p! / a! */
    int up[MOM_NCMAX][3];   /* index of a + e_q (rank p + 1; for p < MOM_PMAX) */
    double zc[MOM_PMAX + 1][MOM_PMAX + 1]; /* 2^(1-z) C(z,p) */
} mom_tab;
static pthread_once_t mom_tab_once = PTHREAD_ONCE_INIT;

static int mom_index(int ax, int ay, int az)
{
    const int p = ax + ay + az, k = p - ax;
    (void)ay;
    return mom_off(p) + k * (k + 1) / 2 + az;
}

static void mom_tab_build(void)
{
    static const double fact[MOM_PMAX + 2] = {1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880};
    for (int z = 0; z <= MOM_PMAX; z++)
        for (int p = 0; p <= MOM_PMAX; p++)
            mom_tab.zc[z][p] = p <= z ? ldexp(fact[z] / (fact[p] * fact[z - p]), 1 - z) : 0.0;
    for (int p = 0; p <= MOM_PMAX; p++)
        for (int k = 0; k <= p; k++)
            for (int c = 0; c <= k; c++) {
                const int i = mom_off(p) + k * (k + 1) / 2 + c, ax = p - k, ay = k - c, az = c;
                mom_tab.rank[i] = p;
                mom_tab.ex[i][0] = ax;
                mom_tab.ex[i][1] = ay;
                mom_tab.ex[i][2] = az;
                mom_tab.w[i] = fact[p] / (fact[ax] * fact[ay] * fact[az]);
                if (p < MOM_PMAX) {
                    mom_tab.up[i][0] = mom_index(ax + 1, ay, az);
                    mom_tab.up[i][1] = mom_index(ax, ay + 1, az);
                    mom_tab.up[i][2] = mom_index(ax, ay, az + 1);
                }
            }
}

typedef struct mom_layout {
    int use, P, ne;                 /* ne distinct angular Gaussians */
    int nreal, ncomp;               /* multi-indices of rank 0..P, and that padded to a multiple of 8 (the
                                     * stride of every array over them; padding entries are zero) */
    int eidx[ML_MAX_ANGULAR];       /* function m -> Gaussian e */
    int mfirst[ML_MAX_ANGULAR];     /* Gaussian e -> first function with it */
} mom_layout;

static void mom_layout_of(const ml_sf_params *p, mom_layout *L)
{
    L->use = 0;
    L->P = 0;
    L->ne = 0;
    L->ncomp = L->nreal = 0;
    /* the distinct Gaussians (every kind: the angular tables are per Gaussian) */
    for (int m = 0; m < p->n_angular; m++) {
        if ((int)p->zeta[m] > L->P) L->P = (int)p->zeta[m];
        if (m > 0 && p->eta_a[m] == p->eta_a[m - 1]) { /* ml_sf_generate's order */
            L->eidx[m] = L->eidx[m - 1];
            continue;
        }
        int e = 0;
        while (e < L->ne && p->eta_a[L->mfirst[e]] != p->eta_a[m]) e++;
        if (e == L->ne) L->mfirst[L->ne++] = m;
        L->eidx[m] = e;
    }
    if (p->angular_kind != ML_ANGULAR_G5 || p->n_angular < 1) return;
    L->use = L->P <= MOM_PMAX;
    L->nreal = mom_off(L->P + 1);
    L->ncomp = (L->nreal + 7) / 8 * 8;
    if (L->use) pthread_once(&mom_tab_once, mom_tab_build);
}

typedef struct mom_ws {
    double *T;    /* moments [nelem][ne][ncomp] */
    double *A;    /* adjoints dE/dT (p!/a! included) [nelem][ne][ncomp] */
    double *pA;   /* rank x A [nelem][ne][ncomp] */
    double *DA;   /* (a_q + 1) A_{a + e_q} [nelem][ne][3][ncomp] */
    double *u;    /* u^a of one neighbour [ncomp] */
    double *Q;    /* pair sums [nelem][nelem][ne][P+1] */
    double *h;    /* dE/dQ [nelem][nelem][ne][P+1] */
    double *coef; /* 2^(1-z) C(z,p) l^p [na][P+1] */
    double *S2;   /* sum_{j in b} R_e(r_j)^2 [nelem][ne] */
    /* neighbours MOM_LANES at a time, one per vector lane (mom_chunk) */
    double *U;    /* u^a [ncomp][lanes] */
    double *ld;   /* d_x, d_y, d_z, 1/r [4][lanes] */
    double *lR;   /* R_e, dRr_e [2][ne][lanes] */
} mom_ws;
#define MOM_LANES 8

static size_t mom_doubles_of(const ml_sf_params *p, const mom_layout *L)
{
    if (!L->use) return 0;
    const size_t ne = (size_t)L->ne, nc = (size_t)L->ncomp, nel = (size_t)p->nelem, P1 = (size_t)L->P + 1;
    return 6 * nel * ne * nc + nc + 2 * nel * nel * ne * P1 + (size_t)p->n_angular * P1 + nel * ne +
           MOM_LANES * (nc + 4 + 2 * ne);
}

static size_t mom_doubles(const ml_sf_params *p)
{
    mom_layout L;
    mom_layout_of(p, &L);
    return mom_doubles_of(p, &L);
}

static mom_ws mom_ws_at(const ml_sf_params *p, const mom_layout *L, double *base)
{
    const size_t ne = (size_t)L->ne, nc = (size_t)L->ncomp, nel = (size_t)p->nelem, P1 = (size_t)L->P + 1;
    mom_ws w;
    w.T = base;
    w.A = w.T + nel * ne * nc;
    w.pA = w.A + nel * ne * nc;
    w.DA = w.pA + nel * ne * nc;
    w.u = w.DA + 3 * nel * ne * nc;
    w.Q = w.u + nc;
    w.h = w.Q + nel * nel * ne * P1;
    w.coef = w.h + nel * nel * ne * P1;
    w.S2 = w.coef + (size_t)p->n_angular * P1;
    w.U = w.S2 + nel * ne;
    w.ld = w.U + MOM_LANES * nc;
    w.lR = w.ld + MOM_LANES * 4;
    return w;
}

/* u^a of nl unit vectors (ux, uy, uz [nl]) for every multi-index up to rank P, into U [i][nl], rank by rank: the
 * entries of rank p with a_x > 0 are u_x times all of rank p - 1 in the same order, the rest (a_x = 0) u_y or u_z
 * times the last row of rank p - 1. nl = 1 (one neighbour) and nl = MOM_LANES (a chunk) are inlined separately. */
ML_INLINE void mom_monomials(int P, int nl, const double *ux, const double *uy, const double *uz, double *U)
{
    for (int l = 0; l < nl; l++) U[l] = 1.0;
    for (int p = 1; p <= P; p++) {
        const int o = mom_off(p), o1 = mom_off(p - 1), row = (p - 1) * p / 2, nlo = o - o1;
        double *restrict up = U + (size_t)o * nl;
        const double *restrict lo = U + (size_t)o1 * nl;
        for (int t = 0; t < nlo; t++)
            for (int l = 0; l < nl; l++) up[t * nl + l] = ux[l] * lo[t * nl + l];
        for (int c = 0; c < p; c++)
            for (int l = 0; l < nl; l++) up[(nlo + c) * nl + l] = uy[l] * lo[(row + c) * nl + l];
        for (int l = 0; l < nl; l++) up[(nlo + p) * nl + l] = uz[l] * lo[(row + p - 1) * nl + l];
    }
}

/* u^a of the unit vector d / r of one neighbour into u [ncomp] (zero beyond nreal) */
ML_INLINE void mom_unit_monomials(int P, int nreal, int nc, const double *d, double rinv, double *u)
{
    const double ux = d[0] * rinv, uy = d[1] * rinv, uz = d[2] * rinv;
    mom_monomials(P, 1, &ux, &uy, &uz, u);
    for (int i = nreal; i < nc; i++) u[i] = 0.0;
}

/* the next up to MOM_LANES neighbours of element b inside rc_angular from *j0 on, into lanes: ld = d_x, d_y, d_z,
 * 1/r [4][lanes], lR = R_e, dRr_e [2][ne][lanes] (empty lanes: d = 0, R = dRr = 0, so that they add nothing);
 * their indices into idx; returns how many */
ML_INLINE int mom_chunk(const ml_sf_params *p, const mom_layout *L, double *ld, double *lR, const ml_env *env,
                            int b, int *j0, const double *Rn, const double *dRn, size_t jstride, const size_t *eoff,
                            int *idx)
{
    const double rca2 = p->rc_angular * p->rc_angular;
    const int ne = L->ne;
    double *dx = ld, *dy = dx + MOM_LANES, *dz = dy + MOM_LANES, *ri = dz + MOM_LANES;
    double *ldR = lR + (size_t)ne * MOM_LANES;
    int cnt = 0, j = *j0;
    for (; j < env->n && cnt < MOM_LANES; j++) {
        if (env->ntype[j] != b) continue;
        const double *d = env->d + 3 * j;
        const double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
        if (r2 >= rca2) continue;
        dx[cnt] = d[0];
        dy[cnt] = d[1];
        dz[cnt] = d[2];
        ri[cnt] = 1.0 / sqrt(r2);
        for (int e = 0; e < ne; e++) {
            lR[e * MOM_LANES + cnt] = Rn[(size_t)j * jstride + eoff[e]];
            ldR[e * MOM_LANES + cnt] = dRn[(size_t)j * jstride + eoff[e]];
        }
        idx[cnt++] = j;
    }
    *j0 = j;
    for (int l = cnt; l < MOM_LANES; l++) {
        dx[l] = dy[l] = dz[l] = ri[l] = 0.0;
        for (int e = 0; e < ne; e++) lR[e * MOM_LANES + l] = ldR[e * MOM_LANES + l] = 0.0;
    }
    return cnt;
}

/* u^a of the chunk's unit vectors (ld as mom_chunk's), lane by lane, into U [i][lane] */
ML_INLINE void mom_lane_monomials(const mom_layout *L, const double *ld, double *U)
{
    const double *dx = ld, *dy = dx + MOM_LANES, *dz = dy + MOM_LANES, *ri = dz + MOM_LANES;
    double ux[MOM_LANES], uy[MOM_LANES], uz[MOM_LANES];
    for (int l = 0; l < MOM_LANES; l++) {
        ux[l] = dx[l] * ri[l];
        uy[l] = dy[l] * ri[l];
        uz[l] = dz[l] * ri[l];
    }
    mom_monomials(L->P, MOM_LANES, ux, uy, uz, U);
}

/* The contraction's loop over multi-indices with neighbours in lanes: s*[l] = sum_i c*_i U[i][l] for five
 * coefficient vectors. With GCC the lanes are one vector variable (vector extension), so the accumulators stay
 * in registers; each lane's arithmetic is the same either way. */
#if defined(__GNUC__) && MOM_LANES == 8
typedef double mom_v8 __attribute__((vector_size(64)));

ML_INLINE void mom_dot5(int nr, const double *c1, const double *c2, const double *cx, const double *cy,
                            const double *cz, const double *U, double *s1, double *s2, double *sx, double *sy,
                            double *sz)
{
    mom_v8 a1 = {0}, a2 = {0}, ax = {0}, ay = {0}, az = {0};
    for (int i = 0; i < nr; i++) {
        mom_v8 u;
        memcpy(&u, U + (size_t)i * MOM_LANES, sizeof u);
        a1 += c1[i] * u;
        a2 += c2[i] * u;
        ax += cx[i] * u;
        ay += cy[i] * u;
        az += cz[i] * u;
    }
    memcpy(s1, &a1, sizeof a1);
    memcpy(s2, &a2, sizeof a2);
    memcpy(sx, &ax, sizeof ax);
    memcpy(sy, &ay, sizeof ay);
    memcpy(sz, &az, sizeof az);
}

#else
ML_INLINE void mom_dot5(int nr, const double *c1, const double *c2, const double *cx, const double *cy,
                            const double *cz, const double *U, double *s1, double *s2, double *sx, double *sy,
                            double *sz)
{
    for (int l = 0; l < MOM_LANES; l++) s1[l] = s2[l] = sx[l] = sy[l] = sz[l] = 0.0;
    for (int i = 0; i < nr; i++)
        for (int l = 0; l < MOM_LANES; l++) {
            const double u = U[(size_t)i * MOM_LANES + l];
            s1[l] += c1[i] * u;
            s2[l] += c2[i] * u;
            sx[l] += cx[i] * u;
            sy[l] += cy[i] * u;
            sz[l] += cz[i] * u;
        }
}

#endif

/* pA and DA from A (for all elements and Gaussians) */
ML_INLINE void mom_adjoint_derived(const ml_sf_params *p, const mom_layout *L, const mom_ws *w)
{
    const int nc = L->ncomp, nlow = mom_off(L->P); /* DA runs over ranks 0..P-1 */
    for (int be = 0; be < p->nelem * L->ne; be++) {
        const double *A = w->A + (size_t)be * nc;
        double *pA = w->pA + (size_t)be * nc, *DA = w->DA + (size_t)be * 3 * nc;
        for (int i = 0; i < nc; i++) pA[i] = mom_tab.rank[i] * A[i];
        for (int q = 0; q < 3; q++) {
            double *D = DA + (size_t)q * nc;
            for (int i = 0; i < nlow; i++) D[i] = (mom_tab.ex[i][q] + 1) * A[mom_tab.up[i][q]];
            for (int i = nlow; i < nc; i++) D[i] = 0.0;
        }
    }
}

/* doubles of one cached chunk: element, count, indices [lanes], ld [4][lanes], lR [2][ne][lanes], U [ncomp][lanes] */
static size_t mom_chunk_doubles(const mom_layout *L)
{
    return 2 + (size_t)MOM_LANES * (1 + 4 + 2 * (size_t)L->ne + (size_t)L->ncomp);
}

/* the parts of a cached chunk record r (layout above) */
static inline void mom_chunk_parts(double *r, int ne, double **ld, double **lR, double **U)
{
    *ld = r + 2 + MOM_LANES;
    *lR = *ld + 4 * MOM_LANES;
    *U = *lR + (size_t)2 * ne * MOM_LANES;
}

/* chunks a neighbourhood can have: sum over elements of ceil(n_b / lanes) */
static size_t mom_chunks_max(const ml_sf_params *p, int n) { return (size_t)n / MOM_LANES + (size_t)p->nelem + 1; }

/* the next chunk of element b's neighbours from *j0 on (mom_chunk) with its u^a (mom_lane_monomials): in record nch
 * of the chunk cache when there is one (mom_forward filling the tape's), else in the scratch of w; *ld, *lR, *U point at it.
 * Returns how many neighbours it holds (0: none left). */
ML_INLINE int mom_next_chunk(const ml_sf_params *p, const mom_layout *L, const mom_ws *w, const ml_env *env, int b,
                             int *j0, const double *Rn, const double *dRn, size_t jstride, const size_t *eoff,
                             double *cache, int nch, double **ld, double **lR, double **U, int *idx)
{
    double *r = cache ? cache + 2 + (size_t)nch * mom_chunk_doubles(L) : NULL;
    *ld = w->ld;
    *lR = w->lR;
    *U = w->U;
    if (r) mom_chunk_parts(r, L->ne, ld, lR, U);
    const int cnt = mom_chunk(p, L, *ld, *lR, env, b, j0, Rn, dRn, jstride, eoff, idx);
    if (!cnt) return 0;
    mom_lane_monomials(L, *ld, *U);
    if (r) {
        r[0] = b;
        r[1] = cnt;
        for (int l = 0; l < MOM_LANES; l++) r[2 + l] = l < cnt ? idx[l] : 0;
    }
    return cnt;
}

/* one chunk's dE/dd (ws->A, pA, DA, h as set up by mom_contract) added to dEdd */
ML_INLINE void mom_chunk_force(const ml_sf_params *p, const mom_layout *L, const mom_ws *w, int b, int cnt,
                                   const int *idx, const double *ld, const double *lR, const double *U, double *dEdd)
{
    const int nel = p->nelem, ne = L->ne, P1 = L->P + 1, nc = L->ncomp, nr = L->nreal;
    const double *dx = ld, *dy = dx + MOM_LANES, *dz = dy + MOM_LANES, *ri = dz + MOM_LANES;
    const double *ldR = lR + (size_t)ne * MOM_LANES;
    double ax[MOM_LANES] = {0}, ay[MOM_LANES] = {0}, az[MOM_LANES] = {0};
    for (int e = 0; e < ne; e++) {
        const size_t be = (size_t)b * ne + e;
        const double *A = w->A + be * nc, *pA = w->pA + be * nc, *Dx = w->DA + be * 3 * nc, *Dy = Dx + nc,
                     *Dz = Dy + nc;
        double s1[MOM_LANES], s2[MOM_LANES], sx[MOM_LANES], sy[MOM_LANES], sz[MOM_LANES];
        mom_dot5(nr, A, pA, Dx, Dy, Dz, U, s1, s2, sx, sy, sz);
        const double *he = w->h + (((size_t)b * nel + b) * ne + e) * P1;
        double self = 0.0;
        for (int q = 0; q < P1; q++) self += he[q];
        const double *Re = lR + (size_t)e * MOM_LANES, *dRe = ldR + (size_t)e * MOM_LANES;
        for (int l = 0; l < MOM_LANES; l++) {
            const double radial = dRe[l] * s1[l] - Re[l] * ri[l] * ri[l] * s2[l] - self * Re[l] * dRe[l];
            const double tang = Re[l] * ri[l];
            ax[l] += radial * dx[l] + tang * sx[l];
            ay[l] += radial * dy[l] + tang * sy[l];
            az[l] += radial * dz[l] + tang * sz[l];
        }
    }
    for (int l = 0; l < cnt; l++) {
        dEdd[3 * idx[l]] += ax[l];
        dEdd[3 * idx[l] + 1] += ay[l];
        dEdd[3 * idx[l] + 2] += az[l];
    }
}

/* dEdd_j += sum_f gw_f dG_f/dd_j for the angular (moment) features: ws->T and ws->coef as left by mom_forward;
 * R_e(r_j) = Rn[j * jstride + eoff[e]] (likewise dRr), neighbours beyond rc_angular skipped; cache: NULL (the
 * two-pass path), or the tape's chunk cache as mom_forward filled it (cache[0] = 1) */
ML_CLONES static void mom_contract(const ml_sf_params *p, const mom_layout *L, const mom_ws *w, const ml_env *env,
                         const double *Rn, const double *dRn, size_t jstride, const size_t *eoff, const double *gw,
                         double *dEdd, double *cache)
{
    const int nel = p->nelem, ne = L->ne, P1 = L->P + 1, nc = L->ncomp, na = p->n_angular;
    const int off_ang = nel * p->n_radial;
    memset(w->h, 0, sizeof(double) * (size_t)nel * nel * ne * P1);
    for (int b = 0; b < nel; b++)
        for (int c = b; c < nel; c++) {
            const double *gp = gw + off_ang + pair_index(nel, b, c) * na;
            double *hbc = w->h + ((size_t)b * nel + c) * ne * P1;
            for (int m = 0; m < na; m++) {
                const int z = (int)p->zeta[m];
                for (int q = 0; q <= z; q++) hbc[L->eidx[m] * P1 + q] += gp[m] * w->coef[m * P1 + q];
            }
            if (c != b) memcpy(w->h + ((size_t)c * nel + b) * ne * P1, hbc, sizeof(double) * (size_t)ne * P1);
        }
    /* A^b_{e,a} = (p!/a!) sum_c h^{bc}_{e,|a|} T^c_{e,a} */
    for (int b = 0; b < nel; b++)
        for (int e = 0; e < ne; e++) {
            double *Ab = w->A + ((size_t)b * ne + e) * nc;
            const int nr = L->nreal;
            for (int i = 0; i < nc; i++) Ab[i] = 0.0; /* the padding beyond nreal stays 0 */
            for (int c = 0; c < nel; c++) {
                const double *hc = w->h + (((size_t)b * nel + c) * ne + e) * P1, *Tc = w->T + ((size_t)c * ne + e) * nc;
                for (int i = 0; i < nr; i++) Ab[i] += hc[mom_tab.rank[i]] * Tc[i];
            }
            for (int i = 0; i < nr; i++) Ab[i] *= mom_tab.w[i];
        }
    mom_adjoint_derived(p, L, w);
    /* neighbours of element b, MOM_LANES at a time (one per vector lane: no horizontal sums). The chunks (lane data
     * and u^a, the same for every member of a committee) are read from the tape's cache, which mom_forward filled;
     * without one (the two-pass path) they are formed in w's scratch. */
    if (cache && cache[0] == 1.0) {
        const size_t rec = mom_chunk_doubles(L);
        for (int c = 0; c < (int)cache[1]; c++) {
            double *r = cache + 2 + (size_t)c * rec, *ld, *lR, *U;
            mom_chunk_parts(r, ne, &ld, &lR, &U);
            int idx[MOM_LANES];
            for (int l = 0; l < MOM_LANES; l++) idx[l] = (int)r[2 + l];
            mom_chunk_force(p, L, w, (int)r[0], (int)r[1], idx, ld, lR, U, dEdd);
        }
        return;
    }
    for (int b = 0; b < nel; b++)
        for (int j0 = 0;;) {
            double *ld, *lR, *U;
            int idx[MOM_LANES];
            const int cnt = mom_next_chunk(p, L, w, env, b, &j0, Rn, dRn, jstride, eoff, NULL, 0, &ld, &lR, &U, idx);
            if (!cnt) break;
            mom_chunk_force(p, L, w, b, cnt, idx, ld, lR, U, dEdd);
        }
}

/* T_b[e][i] += sum_k R_e[k] U[i][k] for one chunk (U [i][lanes] as mom_lane_monomials leaves it, rows i < nr; lR
 * R_e [ne][lanes]; k < cnt), the terms of each T entry added for k = 0, 1, ... as a loop over neighbours would:
 * eight rows of U are transposed in registers, so that eight T entries take one neighbour per vector operation */
ML_INLINE void mom_accumulate(int nr, int nc, int ne, int cnt, const double *restrict lR, const double *restrict U,
                              double *restrict Tb)
{
#if defined(__GNUC__) && !defined(__clang__) && MOM_LANES == 8
    typedef double v8 __attribute__((vector_size(64)));
    typedef long long m8 __attribute__((vector_size(64)));
    const m8 ev = {0, 8, 2, 10, 4, 12, 6, 14}, od = {1, 9, 3, 11, 5, 13, 7, 15};
    const m8 lo2 = {0, 1, 8, 9, 4, 5, 12, 13}, hi2 = {2, 3, 10, 11, 6, 7, 14, 15};
    const m8 lo4 = {0, 1, 2, 3, 8, 9, 10, 11}, hi4 = {4, 5, 6, 7, 12, 13, 14, 15};
    for (int i0 = 0; i0 < nc; i0 += 8) {
        v8 a[8], b[8], c[8];
        for (int t = 0; t < 8; t++) {
            if (i0 + t < nr) memcpy(&a[t], U + (size_t)(i0 + t) * MOM_LANES, sizeof a[t]);
            else a[t] = (v8){0, 0, 0, 0, 0, 0, 0, 0};
        }
        /* transpose: c[k][t] = a[t][k] */
        for (int t = 0; t < 8; t += 2) {
            b[t] = __builtin_shuffle(a[t], a[t + 1], ev);
            b[t + 1] = __builtin_shuffle(a[t], a[t + 1], od);
        }
        for (int q = 0; q < 8; q += 4)
            for (int h = 0; h < 2; h++) {
                a[q + h] = __builtin_shuffle(b[q + h], b[q + h + 2], lo2);
                a[q + h + 2] = __builtin_shuffle(b[q + h], b[q + h + 2], hi2);
            }
        for (int k = 0; k < 4; k++) {
            c[k] = __builtin_shuffle(a[k], a[k + 4], lo4);
            c[k + 4] = __builtin_shuffle(a[k], a[k + 4], hi4);
        }
        for (int e = 0; e < ne; e++) {
            double *T = Tb + (size_t)e * nc + i0;
            const double *Re = lR + (size_t)e * MOM_LANES;
            v8 acc;
            memcpy(&acc, T, sizeof acc);
            for (int k = 0; k < cnt; k++) acc += Re[k] * c[k];
            memcpy(T, &acc, sizeof acc);
        }
    }
#else
    for (int e = 0; e < ne; e++)
        for (int i = 0; i < nr; i++) {
            double t = Tb[(size_t)e * nc + i];
            for (int k = 0; k < cnt; k++) t += lR[(size_t)e * MOM_LANES + k] * U[(size_t)i * MOM_LANES + k];
            Tb[(size_t)e * nc + i] = t;
        }
#endif
}

/* moments T, S2 and the angular G; with dG != NULL also the dense derivatives; coefficients into ws->coef */
ML_CLONES static void mom_forward(const ml_sf_params *p, const mom_layout *L, const mom_ws *w, const ml_env *env,
                        const int *ang, int nang, const double *R, const double *dRr, const double *rinv, double *G,
                        double *dG, double *cache)
{
    const int nel = p->nelem, ne = L->ne, P1 = L->P + 1, nc = L->ncomp, na = p->n_angular;
    const int off_ang = nel * p->n_radial, nf = off_ang + nel * (nel + 1) / 2 * na;
    size_t eoff[ML_MAX_ANGULAR]; /* R, dRr: [ne][n] */
    for (int e = 0; e < ne; e++) eoff[e] = (size_t)e * (size_t)env->n;
    for (int m = 0; m < na; m++) {
        const double *zc = mom_tab.zc[(int)p->zeta[m]];
        double lp = 1.0;
        for (int q = 0; q < P1; q++) {
            w->coef[m * P1 + q] = zc[q] * lp; /* 2^(1-z) C(z,q) l^q */
            lp *= p->lambda[m];
        }
    }
    /* T and S2 by chunks, the neighbours of element b MOM_LANES at a time as mom_contract takes them (mom_chunk,
     * u^a of a chunk in vector lanes); each T and S2 entry receives its terms one neighbour at a time in list
     * order, as a loop over single neighbours would add them. With a cache (the tape's) the chunks are kept
     * there, and the contraction (every member of a committee) reads them instead of forming them again. */
    memset(w->T, 0, sizeof(double) * (size_t)nel * ne * nc);
    memset(w->S2, 0, sizeof(double) * (size_t)nel * ne);
    int nch = 0;
    for (int b = 0; b < nel; b++)
        for (int j0 = 0;;) {
            double *ld, *lR, *U;
            int idx[MOM_LANES];
            const int cnt = mom_next_chunk(p, L, w, env, b, &j0, R, dRr, 1, eoff, cache, nch, &ld, &lR, &U, idx);
            if (!cnt) break;
            nch++;
            for (int e = 0; e < ne; e++) {
                double s2 = w->S2[b * ne + e];
                for (int k = 0; k < cnt; k++) s2 += lR[e * MOM_LANES + k] * lR[e * MOM_LANES + k];
                w->S2[b * ne + e] = s2;
            }
            mom_accumulate(L->nreal, nc, ne, cnt, lR, U, w->T + (size_t)b * ne * nc);
        }
    if (cache) {
        cache[0] = 1.0;
        cache[1] = nch;
    }
    for (int b = 0; b < nel; b++)
        for (int c = b; c < nel; c++) {
            double *Qbc = w->Q + ((size_t)b * nel + c) * ne * P1;
            for (int e = 0; e < ne; e++) {
                const double *Tb = w->T + ((size_t)b * ne + e) * nc, *Tc = w->T + ((size_t)c * ne + e) * nc;
                for (int pp = 0; pp < P1; pp++) {
                    double sum = 0.0;
                    for (int i = mom_off(pp); i < mom_off(pp + 1); i++) sum += mom_tab.w[i] * Tb[i] * Tc[i];
                    Qbc[e * P1 + pp] = b == c ? 0.5 * (sum - w->S2[b * ne + e]) : sum;
                }
            }
            double *Gp = G + off_ang + pair_index(nel, b, c) * na;
            for (int m = 0; m < na; m++) {
                double g = 0.0;
                for (int pp = 0; pp <= (int)p->zeta[m]; pp++) g += w->coef[m * P1 + pp] * Qbc[L->eidx[m] * P1 + pp];
                Gp[m] += g;
            }
        }
    if (!dG) return;
    /* dense: for j in b and every c, dQ^{bc}_{e,p}/dd_j = sum_{|a|=p} (p!/a!) T^c_a d(R u^a)/dd_j - [b = c] R dRr d */
    for (size_t i = 0; i < (size_t)nel * ne * nc; i++) w->A[i] = mom_tab.w[i % nc] * w->T[i];
    mom_adjoint_derived(p, L, w);
    double V[MOM_PMAX + 1][3];
    for (int jj = 0; jj < nang; jj++) {
        const int j = ang[jj], b = env->ntype[j];
        const double *d = env->d + 3 * j, ri = rinv[j];
        mom_unit_monomials(L->P, L->nreal, nc, d, ri, w->u);
        for (int c = 0; c < nel; c++) {
            const int f0 = off_ang + pair_index(nel, b, c) * na;
            for (int e = 0; e < ne; e++) {
                const size_t ce = (size_t)c * ne + e;
                const double *A = w->A + ce * nc, *DA = w->DA + ce * 3 * nc;
                const double Re = R[eoff[e] + (size_t)j], dRe = dRr[eoff[e] + (size_t)j];
                for (int pp = 0; pp < P1; pp++) {
                    double sv = 0.0, g[3] = {0.0, 0.0, 0.0};
                    for (int i = mom_off(pp); i < mom_off(pp + 1); i++) sv += A[i] * w->u[i];
                    if (pp > 0)
                        for (int q = 0; q < 3; q++)
                            for (int i = mom_off(pp - 1); i < mom_off(pp); i++) g[q] += DA[(size_t)q * nc + i] * w->u[i];
                    const double radial = (dRe - pp * Re * ri * ri) * sv - (b == c ? Re * dRe : 0.0);
                    for (int q = 0; q < 3; q++) V[pp][q] = radial * d[q] + Re * ri * g[q];
                }
                for (int m = 0; m < na; m++) {
                    if (L->eidx[m] != e) continue;
                    for (int q = 0; q < 3; q++) {
                        double v = 0.0;
                        for (int pp = 0; pp <= (int)p->zeta[m]; pp++) v += w->coef[m * P1 + pp] * V[pp][q];
                        dG[((size_t)j * 3 + q) * nf + f0 + m] += v;
                    }
                }
            }
        }
    }
}

/* per-neighbour tables (doubles), the neighbour index list, then the moment scratch */
static size_t bp_tables_size(const ml_sf_params *p, int nneigh)
{
    return sizeof(double) * (size_t)nneigh * (size_t)(6 + 2 * p->n_angular) +
           sizeof(double) * (size_t)(nneigh / 2 + 1) + sizeof(double) * mom_doubles(p);
}

/* tables, then room for G (used by bp_contract) */
static size_t bp_work_size(const void *params, int nneigh)
{
    return bp_tables_size(params, nneigh) + sizeof(double) * (size_t)bp_n_features(params);
}

/* The tape (the MD force path): what dE/dd needs once dE/dG is known, kept from the pass that forms G,
 * so that the descriptor is evaluated once and no dense dG/dd is formed. Layout (doubles):
 *   [0]                      number of stored neighbour pairs, or -1 for G5 by moments
 *   [1 .. 1 + n nr)          radial: (dG2_k/dr)/r of neighbour j, [j][k] (0 beyond rc)
 *   pair loop: one record per pair (j, k) inside the angular cutoff, TAPE_REC(na, g4) fields:
 *     j, k, f0 (first feature of the pair's angular block), dc/du[3], dc/dw[3], A[na], Bu[na], Bw[na],
 *     and for G4 also Cs[na] (u = d_j, w = d_k, c = cos t_jik; the coefficients as in bp_core); the records
 *     in blocks of TAPE_LANES pairs, field f of pair q at block q / TAPE_LANES, [f][q % TAPE_LANES], so that
 *     the contraction takes eight pairs per vector operation; the last block's empty lanes are zero;
 *   moments: the moment scratch (mom_ws: T and the coefficients kept, the rest reused by the contraction),
 *     R_e and dRr_e [ne][n], then the chunk cache (filled by mom_forward, read by the contraction of every
 *     member of a committee). */
#define TAPE_REC(na, g4) (9 + (size_t)(na) * ((g4) ? 4 : 3))
#define TAPE_LANES 8

static size_t bp_tape_size(const void *params, int nneigh)
{
    const ml_sf_params *p = params;
    const size_t n = (size_t)nneigh, npair = n > 1 && p->n_angular > 0 ? n * (n - 1) / 2 : 0;
    mom_layout L;
    mom_layout_of(p, &L);
    if (L.use) /* G5 by moments: the moment scratch (T and the coefficients kept), R_e and dRr_e [ne][n] */
        return sizeof(double) * (1 + n * (size_t)p->n_radial + mom_doubles_of(p, &L) + 2 * n * (size_t)L.ne + 2 +
                                 mom_chunks_max(p, nneigh) * mom_chunk_doubles(&L));
    return sizeof(double) * (1 + n * (size_t)p->n_radial +
                             (npair + TAPE_LANES - 1) / TAPE_LANES * TAPE_LANES *
                                 TAPE_REC(p->n_angular, p->angular_kind == ML_ANGULAR_G4));
}

/* G always; dG (dense) when non-NULL; with gw != NULL instead the contraction
 * dEdd_j = sum_f gw_f dG_f/dd_j (no dense derivative is formed); with tape != NULL the tape above,
 * to be contracted by bp_contract_tape */
ML_CLONES static void bp_core(const void *params, const ml_env *env, double *G, double *dG, const double *gw,
                    double *dEdd, double *tape, void *work)
{
    const ml_sf_params *p = params;
    const int nf = bp_n_features(p), n = env->n, nr = p->n_radial, na = p->n_angular;
    const int off_ang = p->nelem * nr;
    memset(G, 0, sizeof(double) * (size_t)nf);
    if (dG) memset(dG, 0, sizeof(double) * (size_t)n * 3 * (size_t)nf);
    if (gw) memset(dEdd, 0, sizeof(double) * 3 * (size_t)n);
    double *tr = tape ? tape + 1 : NULL;                       /* radial tape [n][nr] */
    double *tp = tape ? tape + 1 + (size_t)n * (size_t)nr : NULL; /* the pair records' blocks */
    if (tape) {
        tape[0] = 0.0;
        memset(tr, 0, sizeof(double) * (size_t)n * (size_t)nr);
    }

    double *r = work;             /* |d_j| */
    double *rinv = r + n;         /* 1/|d_j| */
    double *fc = rinv + n, *dfc = fc + n;
    double *fca = dfc + n, *dfca = fca + n; /* angular cutoff (fc itself when rc_angular = rc) */
    double *dRr = dfca + n;       /* (dR_m/dr)/r, R_m(r) = exp(-eta_m r^2) fca(r)  [n][na] */
    double *R = dRr + (size_t)n * na; /* R_m(r_j)  [n][na] */
    int *ang = (int *)(R + (size_t)n * na); /* neighbours inside the angular cutoff */
    int nang = 0;

    /* per neighbour, in passes that vectorise (ml_simd.h: inline exp and cutoff) */
    for (int j = 0; j < n; j++) {
        const double *dj = env->d + 3 * j;
        r[j] = sqrt(dj[0] * dj[0] + dj[1] * dj[1] + dj[2] * dj[2]);
        rinv[j] = 1.0 / r[j];
    }
    for (int j = 0; j < n; j++) ml_cutoff(r[j], p->rc, &fc[j], &dfc[j]);
    if (p->rc_angular == p->rc) {
        fca = fc;
        dfca = dfc;
    } else {
        for (int j = 0; j < n; j++) ml_cutoff(r[j], p->rc_angular, &fca[j], &dfca[j]);
    }
    /* R and dRr once per distinct Gaussian e: for moments [e][n] (a pass over neighbours per Gaussian, which
     * vectorises; zero beyond rc_angular, where fca is); for the pair loop [n][na] with copies for the
     * functions that share a Gaussian */
    mom_layout L;
    mom_layout_of(p, &L);
    if (L.use) {
        if (tape) { /* straight into the tape's copies ([ne][n], after the moment scratch) */
            R = tape + 1 + (size_t)n * nr + mom_doubles_of(p, &L);
            dRr = R + (size_t)n * L.ne;
        }
        for (int e = 0; e < L.ne; e++) {
            const double eta = p->eta_a[L.mfirst[e]];
            double *restrict Re = R + (size_t)e * n, *restrict dRe = dRr + (size_t)e * n;
            for (int j = 0; j < n; j++) {
                const double x = sr_exp(-eta * r[j] * r[j]);
                Re[j] = x * fca[j];
                dRe[j] = x * (dfca[j] - 2.0 * eta * r[j] * fca[j]) * rinv[j];
            }
        }
        for (int j = 0; j < n; j++)
            if (!(r[j] >= p->rc_angular)) ang[nang++] = j; /* NaN included */
    } else if (na > 0)
        for (int j = 0; j < n; j++) {
            if (r[j] >= p->rc_angular) continue; /* (NaN stays in: it must reach E) */
            ang[nang++] = j;
            double *Rj = R + (size_t)j * na, *dRj = dRr + (size_t)j * na;
            for (int e = 0; e < L.ne; e++) {
                const int m = L.mfirst[e];
                const double x = sr_exp(-p->eta_a[m] * r[j] * r[j]);
                Rj[m] = x * fca[j];
                dRj[m] = x * (dfca[j] - 2.0 * p->eta_a[m] * r[j] * fca[j]) * rinv[j];
            }
            for (int m = 0; m < na; m++) {
                Rj[m] = Rj[L.mfirst[L.eidx[m]]];
                dRj[m] = dRj[L.mfirst[L.eidx[m]]];
            }
        }
    const int deriv_r = dG || gw || tape;
    for (int j = 0; j < n; j++) {
        if (r[j] >= p->rc) continue; /* (NaN stays in: it must reach E) */
        /* radial G2 */
        const int b = env->ntype[j];
        const double *dj = env->d + 3 * j, rj = r[j], fj = fc[j], dfj = dfc[j], ij = rinv[j];
        double *restrict Gb = G + b * nr;
        double drbuf[ML_MAX_RADIAL], *restrict dr = tape ? tr + (size_t)j * nr : drbuf; /* the tape's row itself */
        for (int k = 0; k < nr; k++) {
            const double x = rj - p->rs[k];
            const double e = sr_exp(-p->eta_r[k] * x * x);
            Gb[k] += e * fj;
            dr[k] = e * (dfj - 2.0 * p->eta_r[k] * x * fj) * ij;
        }
        if (!deriv_r || tape) continue;
        if (gw)
            for (int k = 0; k < nr; k++)
                for (int a = 0; a < 3; a++) dEdd[3 * j + a] += gw[b * nr + k] * dr[k] * dj[a];
        else
            for (int k = 0; k < nr; k++)
                for (int a = 0; a < 3; a++) dG[((size_t)j * 3 + a) * nf + b * nr + k] += dr[k] * dj[a];
    }

    /* angular G4 / G5. Per triplet: the powers (1 +- c)^z for z = 0..zmax once, then every
     * function m as a branch-free loop over contiguous per-m arrays (vectorisable):
     *   P_m = 2^(1-z_m) (1 + l_m c)^z_m, dP_m/dc = 2^(1-z_m) z_m l_m (1 + l_m c)^(z_m - 1),
     *   G_m += P_m R_m(r_j) R_m(r_k) S_m(r_jk) with S = 1 (G5) or exp(-eta r_jk^2) f_c(r_jk) (G4). */
    if (nang < 2) return;
    if (L.use) {
        double *mbase = tape ? tape + 1 + (size_t)n * nr : (double *)work + (size_t)n * (6 + 2 * na) + (size_t)(n / 2 + 1);
        const mom_ws w = mom_ws_at(p, &L, mbase);
        /* with a tape: R and dRr are the tape's [ne][n] (zero beyond rc_angular, where f_c is), written above,
         * and the chunk cache follows them */
        mom_forward(p, &L, &w, env, ang, nang, R, dRr, rinv, G, dG, tape ? dRr + (size_t)n * L.ne : NULL);
        size_t eoff[ML_MAX_ANGULAR];
        for (int e = 0; e < L.ne; e++) eoff[e] = (size_t)e * (size_t)n;
        if (gw) mom_contract(p, &L, &w, env, R, dRr, 1, eoff, gw, dEdd, NULL);
        if (tape) tape[0] = -1.0; /* moments, not pair records */
        return;
    }
    const int g4 = p->angular_kind == ML_ANGULAR_G4;
    const int deriv = dG || gw || tape;
    double pre[ML_MAX_ANGULAR], dpre[ML_MAX_ANGULAR], lam[ML_MAX_ANGULAR];
    int pidx[ML_MAX_ANGULAR], zmax = 1;
    for (int m = 0; m < na; m++) {
        const int z = (int)p->zeta[m];
        if (z > zmax) zmax = z;
        pre[m] = ldexp(1.0, 1 - z);
        dpre[m] = pre[m] * z * p->lambda[m];
        lam[m] = p->lambda[m];
    }
    /* pidx: index of (1 + l c)^(z-1) in powt = [(1+c)^0..(1+c)^zmax, (1-c)^0..(1-c)^zmax] */
    for (int m = 0; m < na; m++) pidx[m] = (p->lambda[m] > 0 ? 0 : zmax + 1) + (int)p->zeta[m] - 1;
    double powt[2 * (64 + 1)];
    double P[ML_MAX_ANGULAR], dP[ML_MAX_ANGULAR], S[ML_MAX_ANGULAR], Cs[ML_MAX_ANGULAR];
    double A[ML_MAX_ANGULAR], Bu[ML_MAX_ANGULAR], Bw[ML_MAX_ANGULAR];
    for (int m = 0; m < na; m++) {
        S[m] = 1.0;
        Cs[m] = 0.0;
    }
    for (int jj = 0; jj < nang; jj++) {
        const int j = ang[jj];
        const double *u = env->d + 3 * j;
        const double *restrict Rj = R + (size_t)j * na, *restrict dRj = dRr + (size_t)j * na;
        for (int kk = jj + 1; kk < nang; kk++) {
            const int k = ang[kk];
            const double *w = env->d + 3 * k;
            const double *restrict Rk = R + (size_t)k * na, *restrict dRk = dRr + (size_t)k * na;
            const double uw = u[0] * w[0] + u[1] * w[1] + u[2] * w[2];
            const double ia = rinv[j], ib = rinv[k], iab = ia * ib;
            const double c = uw * iab;
            double dv[3] = {0, 0, 0}, dist = 1.0;
            if (g4) {
                for (int q = 0; q < 3; q++) dv[q] = w[q] - u[q];
                dist = sqrt(dv[0] * dv[0] + dv[1] * dv[1] + dv[2] * dv[2]);
                if (dist >= p->rc_angular) continue;
                double S0, dS0;
                ml_cutoff(dist, p->rc_angular, &S0, &dS0);
                for (int m = 0; m < na; m++) {
                    if (m > 0 && p->eta_a[m] == p->eta_a[m - 1]) {
                        S[m] = S[m - 1];
                        Cs[m] = Cs[m - 1];
                        continue;
                    }
                    const double e = sr_exp(-p->eta_a[m] * dist * dist);
                    S[m] = e * S0;
                    Cs[m] = e * (dS0 - 2.0 * p->eta_a[m] * dist * S0) / dist; /* (dS/dr_jk)/r_jk */
                }
            }
            {
                /* running products in registers (a recurrence through powt[] stalls on
                 * store-to-load forwarding) */
                double ap = 1.0, am = 1.0;
                const double cp = 1.0 + c, cm = 1.0 - c;
                for (int z = 0; z <= zmax; z++) {
                    powt[z] = ap;
                    powt[zmax + 1 + z] = am;
                    ap *= cp;
                    am *= cm;
                }
            }
            const int f0 = off_ang + pair_index(p->nelem, env->ntype[j], env->ntype[k]) * na;
            double *restrict Gp = G + f0;
            /* G5: S = 1 exactly, and x * 1 = x, so its loops leave the factor out (same bits, fewer products) */
            if (g4)
                for (int m = 0; m < na; m++) {
                    const double pw = powt[pidx[m]];
                    P[m] = pre[m] * pw * (1.0 + lam[m] * c);
                    dP[m] = dpre[m] * pw;
                    Gp[m] += P[m] * Rj[m] * Rk[m] * S[m];
                }
            else
                for (int m = 0; m < na; m++) {
                    const double pw = powt[pidx[m]];
                    P[m] = pre[m] * pw * (1.0 + lam[m] * c);
                    dP[m] = dpre[m] * pw;
                    Gp[m] += P[m] * Rj[m] * Rk[m];
                }
            if (!deriv) continue;
            double dcdu[3], dcdw[3];
            for (int q = 0; q < 3; q++) {
                dcdu[q] = w[q] * iab - c * u[q] * ia * ia;
                dcdw[q] = u[q] * iab - c * w[q] * ib * ib;
            }
            /* dR/dr = exp(-eta r^2) (dfc - 2 eta r fc); the 1/r of d r/d d = d/r is in dRr */
            if (tape) {
                const long q = (long)tape[0];
                const size_t rec = TAPE_REC(na, g4), L8 = TAPE_LANES;
                double *restrict tb = tp + (size_t)(q / TAPE_LANES) * L8 * rec + (size_t)(q % TAPE_LANES);
                tb[0] = j;
                tb[L8] = k;
                tb[2 * L8] = f0;
                for (int a = 0; a < 3; a++) {
                    tb[(3 + a) * L8] = dcdu[a];
                    tb[(6 + a) * L8] = dcdw[a];
                }
                double *restrict tA = tb + 9 * L8, *restrict tBu = tA + na * L8, *restrict tBw = tBu + na * L8;
                if (g4)
                    for (int m = 0; m < na; m++) {
                        const double RR = Rj[m] * Rk[m];
                        tA[m * L8] = dP[m] * RR * S[m];
                        tBu[m * L8] = P[m] * Rk[m] * dRj[m] * S[m];
                        tBw[m * L8] = P[m] * Rj[m] * dRk[m] * S[m];
                    }
                else
                    for (int m = 0; m < na; m++) {
                        tA[m * L8] = dP[m] * (Rj[m] * Rk[m]);
                        tBu[m * L8] = P[m] * Rk[m] * dRj[m];
                        tBw[m * L8] = P[m] * Rj[m] * dRk[m];
                    }
                if (g4) {
                    double *restrict tC = tBw + na * L8;
                    for (int m = 0; m < na; m++) tC[m * L8] = P[m] * Rj[m] * Rk[m] * Cs[m];
                }
                tape[0] += 1.0;
                continue;
            }
            for (int m = 0; m < na; m++) {
                const double RR = Rj[m] * Rk[m];
                A[m] = dP[m] * RR * S[m];
                Bu[m] = P[m] * Rk[m] * dRj[m] * S[m];
                Bw[m] = P[m] * Rj[m] * dRk[m] * S[m];
                Cs[m] = g4 ? P[m] * RR * Cs[m] : 0.0; /* overwritten per triplet when g4 */
            }
            if (gw) {
                const double *restrict gp = gw + f0;
                double SA = 0, SBu = 0, SBw = 0, SC = 0;
                for (int m = 0; m < na; m++) {
                    SA += gp[m] * A[m];
                    SBu += gp[m] * Bu[m];
                    SBw += gp[m] * Bw[m];
                    SC += gp[m] * Cs[m];
                }
                for (int q = 0; q < 3; q++) {
                    dEdd[3 * j + q] += SA * dcdu[q] + SBu * u[q] - SC * dv[q];
                    dEdd[3 * k + q] += SA * dcdw[q] + SBw * w[q] + SC * dv[q];
                }
                continue;
            }
            for (int q = 0; q < 3; q++) {
                double *restrict dj = dG + ((size_t)j * 3 + q) * nf + f0;
                double *restrict dk = dG + ((size_t)k * 3 + q) * nf + f0;
                const double au = dcdu[q], aw = dcdw[q], uq = u[q], wq = w[q], vq = dv[q];
                for (int m = 0; m < na; m++) {
                    dj[m] += A[m] * au + Bu[m] * uq - Cs[m] * vq;
                    dk[m] += A[m] * aw + Bw[m] * wq + Cs[m] * vq;
                }
            }
        }
    }
    if (tape) { /* the last block's empty lanes: zero (their sums are formed and not used) */
        const long q = (long)tape[0];
        const size_t rec = TAPE_REC(na, g4);
        if (q % TAPE_LANES) {
            double *tb = tp + (size_t)(q / TAPE_LANES) * TAPE_LANES * rec;
            const int l0 = (int)(q % TAPE_LANES);
#if defined(__GNUC__) && TAPE_LANES == 8
            typedef double v8 __attribute__((vector_size(64)));
            typedef long long m8 __attribute__((vector_size(64)));
            m8 keep;
            for (int l = 0; l < 8; l++) keep[l] = l < l0 ? -1 : 0;
            for (size_t f = 0; f < rec; f++) { /* a row of eight lanes: the filled ones kept, the rest zero */
                v8 row;
                memcpy(&row, tb + f * 8, sizeof row);
                row = (v8)((m8)row & keep);
                memcpy(tb + f * 8, &row, sizeof row);
            }
#else
            for (size_t f = 0; f < rec; f++)
                for (int l = l0; l < TAPE_LANES; l++) tb[f * TAPE_LANES + (size_t)l] = 0.0;
#endif
        }
    }
}

static void bp_compute(const void *params, const ml_env *env, double *G, double *dG, void *work)
{
    bp_core(params, env, G, dG, NULL, NULL, NULL, work);
}

static void bp_compute_tape(const void *params, const ml_env *env, double *G, double *tape, void *work)
{
    bp_core(params, env, G, NULL, NULL, NULL, tape, work);
}

/* lane l of a block of pair records: its contribution to dEdd_j and dEdd_k, from its sums over the functions.
 * dEdd_j is carried in aj[3] while consecutive pairs share j (*cj; the pairs come as (j, k > j) in runs of one j,
 * and no k of a run is its j), written back when j changes: the same additions in the same order as through
 * memory, without a store-to-load round trip per pair. *cj = -1 before the first pair; flush with j = -1. */
static inline void pair_apply(const ml_env *env, const double *tb, int l, double SA, double SBu, double SBw, double SC,
                              double *dEdd, int *cj, double *aj)
{
    const int j = (int)tb[l], k = (int)tb[TAPE_LANES + l];
    if (j != *cj) {
        if (*cj >= 0) memcpy(dEdd + 3 * *cj, aj, 3 * sizeof(double));
        memcpy(aj, dEdd + 3 * j, 3 * sizeof(double));
        *cj = j;
    }
    const double *u = env->d + 3 * j, *w = env->d + 3 * k;
    for (int a = 0; a < 3; a++) {
        const double dv = w[a] - u[a];
        aj[a] += SA * tb[(3 + a) * TAPE_LANES + l] + SBu * u[a] - SC * dv;
        dEdd[3 * k + a] += SA * tb[(6 + a) * TAPE_LANES + l] + SBw * w[a] + SC * dv;
    }
}

/* the sums over the functions of the eight pairs of a block, one pair per lane: SA = sum_m g_m A_m and likewise
 * SBu, SBw, SC (G4), each over m in order as for a single pair (g_m = gw[f0 + m], f0 the pair's block of features) */
ML_INLINE void pair_block_sums(int na, int g4, const double *restrict tb, const double *restrict gw, double *SA,
                               double *SBu, double *SBw, double *SC)
{
    int f0[TAPE_LANES], uniform = 1;
    for (int l = 0; l < TAPE_LANES; l++) {
        f0[l] = (int)tb[2 * TAPE_LANES + l];
        uniform &= f0[l] == f0[0];
    }
    const double *tA = tb + 9 * TAPE_LANES, *tBu = tA + na * TAPE_LANES, *tBw = tBu + na * TAPE_LANES,
                 *tC = tBw + na * TAPE_LANES;
#if defined(__GNUC__) && TAPE_LANES == 8
    typedef double v8 __attribute__((vector_size(64)));
    v8 a = {0, 0, 0, 0, 0, 0, 0, 0}, bu = a, bw = a, cc = a, g = a, x;
    for (int m = 0; m < na; m++) {
        if (uniform) {
            const double gv = gw[f0[0] + m];
            g = (v8){gv, gv, gv, gv, gv, gv, gv, gv};
        } else
            for (int l = 0; l < 8; l++) g[l] = gw[f0[l] + m];
        memcpy(&x, tA + m * 8, sizeof x);
        a += g * x;
        memcpy(&x, tBu + m * 8, sizeof x);
        bu += g * x;
        memcpy(&x, tBw + m * 8, sizeof x);
        bw += g * x;
        if (g4) {
            memcpy(&x, tC + m * 8, sizeof x);
            cc += g * x;
        }
    }
    memcpy(SA, &a, sizeof a);
    memcpy(SBu, &bu, sizeof bu);
    memcpy(SBw, &bw, sizeof bw);
    memcpy(SC, &cc, sizeof cc);
#else
    (void)uniform;
    for (int l = 0; l < TAPE_LANES; l++) {
        SA[l] = SBu[l] = SBw[l] = SC[l] = 0.0;
        for (int m = 0; m < na; m++) {
            const double gm = gw[f0[l] + m];
            SA[l] += gm * tA[m * TAPE_LANES + l];
            SBu[l] += gm * tBu[m * TAPE_LANES + l];
            SBw[l] += gm * tBw[m * TAPE_LANES + l];
            if (g4) SC[l] += gm * tC[m * TAPE_LANES + l];
        }
    }
#endif
}

/* dEdd_j = sum_f gw_f dG_f/dd_j from the tape of the same neighbourhood */
ML_CLONES static void bp_contract_tape(const void *params, const ml_env *env, double *tape, const double *gw,
                                       double *dEdd)
{
    const ml_sf_params *p = params;
    const int n = env->n, nr = p->n_radial, na = p->n_angular, g4 = p->angular_kind == ML_ANGULAR_G4;
    const double *tr = tape + 1;
    for (int j = 0; j < n; j++) {
        const double *restrict gb = gw + env->ntype[j] * nr, *restrict dr = tr + (size_t)j * nr;
        double s = 0.0;
        for (int k = 0; k < nr; k++) s += gb[k] * dr[k];
        for (int a = 0; a < 3; a++) dEdd[3 * j + a] = s * env->d[3 * j + a];
    }
    if (tape[0] < 0) { /* G5 by moments (the tape's moment scratch is reused) */
        mom_layout L;
        mom_layout_of(p, &L);
        double *mbase = tape + 1 + (size_t)n * nr;
        const mom_ws w = mom_ws_at(p, &L, mbase);
        double *tR = mbase + mom_doubles_of(p, &L), *tdR = tR + (size_t)n * L.ne;
        size_t eoff[ML_MAX_ANGULAR];
        for (int e = 0; e < L.ne; e++) eoff[e] = (size_t)e * (size_t)n;
        mom_contract(p, &L, &w, env, tR, tdR, 1, eoff, gw, dEdd, tdR + (size_t)n * L.ne);
        return;
    }
    const long npair = (long)tape[0];
    const size_t rec = TAPE_REC(na, g4);
    const double *tb = tr + (size_t)n * nr;
    /* eight records per vector operation, the pairs then applied in tape order: the sums over m run in order per
     * pair and dEdd takes the pairs in turn, as with one record at a time, bit for bit */
    int cj = -1;
    double aj[3] = {0, 0, 0};
    for (long q0 = 0; q0 < npair; q0 += TAPE_LANES, tb += TAPE_LANES * rec) {
        const int cnt = npair - q0 < TAPE_LANES ? (int)(npair - q0) : TAPE_LANES;
        double SA[TAPE_LANES], SBu[TAPE_LANES], SBw[TAPE_LANES], SC[TAPE_LANES];
        pair_block_sums(na, g4, tb, gw, SA, SBu, SBw, SC);
        for (int l = 0; l < cnt; l++) pair_apply(env, tb, l, SA[l], SBu[l], SBw[l], SC[l], dEdd, &cj, aj);
    }
    if (cj >= 0) memcpy(dEdd + 3 * cj, aj, 3 * sizeof(double));
}

static void bp_contract(const void *params, const ml_env *env, const double *gw, double *dEdd,
                        void *work)
{
    /* G is recomputed into the scratch behind the per-neighbour tables */
    double *G = (double *)((char *)work + bp_tables_size(params, env->n));
    bp_core(params, env, G, NULL, gw, dEdd, NULL, work);
}

/* a neighbour of element b enters its radial block and, inside the angular cutoff, the angular
 * blocks of every element pair (b, c) */
static int bp_runs(const void *params, int b, double r, int *start, int *len)
{
    const ml_sf_params *p = params;
    int n = 0;
    if (r < p->rc) {
        start[n] = b * p->n_radial;
        len[n++] = p->n_radial;
    }
    if (r < p->rc_angular && p->n_angular > 0)
        for (int c = 0; c < p->nelem; c++) {
            start[n] = p->nelem * p->n_radial + pair_index(p->nelem, b, c) * p->n_angular;
            len[n++] = p->n_angular;
        }
    return n;
}

const ml_descriptor_class ml_descriptor_bp = {
    .name = "behler-parrinello",
    .n_features = bp_n_features,
    .cutoff = bp_cutoff,
    .work_size = bp_work_size,
    .compute = bp_compute,
    .contract = bp_contract,
    .tape_size = bp_tape_size,
    .compute_tape = bp_compute_tape,
    .contract_tape = bp_contract_tape,
    .runs = bp_runs,
};

int ml_sf_generate(int nelem, double rc, double rc_angular, int n_radial, double r_min,
                   int angular_kind, int n_eta_a, const double *eta_a, int n_zeta,
                   const double *zeta, ml_sf_params *out)
{
    memset(out, 0, sizeof *out);
    if (nelem < 1 || nelem > ML_MAX_ELEMENTS)
        return SR_ERROR(SR_ERANGE, "symmetry functions: %d elements, expected 1..%d", nelem,
                        ML_MAX_ELEMENTS);
    if (!(rc > 0) || !(rc_angular > 0) || rc_angular > rc)
        return SR_ERROR(SR_ERANGE, "symmetry functions: cutoffs rc = %g, rc_angular = %g; expected "
                        "0 < rc_angular <= rc", rc, rc_angular);
    if (n_radial < 1 || n_radial > ML_MAX_RADIAL || !(r_min >= 0) || r_min >= rc)
        return SR_ERROR(SR_ERANGE, "symmetry functions: n_radial = %d (1..%d), r_min = %g (0..rc)",
                        n_radial, ML_MAX_RADIAL, r_min);
    if (angular_kind != ML_ANGULAR_G4 && angular_kind != ML_ANGULAR_G5)
        return SR_ERROR(SR_EINVAL, "symmetry functions: angular kind %d, expected 4 or 5",
                        angular_kind);
    if (2 * n_eta_a * n_zeta > ML_MAX_ANGULAR || n_eta_a < 0 || n_zeta < 0)
        return SR_ERROR(SR_ERANGE, "symmetry functions: %d eta x %d zeta x 2 lambda angular "
                        "functions, at most %d", n_eta_a, n_zeta, ML_MAX_ANGULAR);
    out->nelem = nelem;
    out->rc = rc;
    out->rc_angular = rc_angular;
    out->n_radial = n_radial;
    /* shifted Gaussians: centres evenly spaced, width tied to the spacing (Gastegger et al.,
     * JCP 148, 241709 (2018) use the same construction) */
    const double dr = (rc - r_min) / n_radial;
    for (int k = 0; k < n_radial; k++) {
        out->rs[k] = r_min + k * dr;
        out->eta_r[k] = 1.0 / (2.0 * dr * dr);
    }
    out->angular_kind = angular_kind;
    int m = 0;
    for (int e = 0; e < n_eta_a; e++)
        for (int z = 0; z < n_zeta; z++) {
            if (!(zeta[z] >= 1) || zeta[z] != floor(zeta[z]) || zeta[z] > 64)
                return SR_ERROR(SR_ERANGE, "symmetry functions: zeta = %g, expected an integer in "
                                "1..64", zeta[z]);
            if (!(eta_a[e] >= 0))
                return SR_ERROR(SR_ERANGE, "symmetry functions: eta_angular = %g, expected >= 0",
                                eta_a[e]);
            for (int l = 0; l < 2; l++) {
                out->eta_a[m] = eta_a[e];
                out->zeta[m] = zeta[z];
                out->lambda[m] = l ? -1.0 : 1.0;
                m++;
            }
        }
    out->n_angular = m;
    return SR_OK;
}
