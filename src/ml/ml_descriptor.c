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
 * Everything is a function of the displacements d_j = r_j - r_i, and dG/dd_j is returned. */
#include <math.h>
#include <string.h>

#include "ml.h"

#define ML_PI 3.14159265358979323846

static inline void cutoff_fn(double r, double rc, double *fc, double *dfc)
{
    if (r >= rc) {
        *fc = 0.0;
        *dfc = 0.0;
        return;
    }
    const double a = ML_PI / rc;
    *fc = 0.5 * (cos(a * r) + 1.0);
    *dfc = -0.5 * a * sin(a * r);
}

static inline double ipow(double x, int n)
{
    double r = 1.0;
    while (n > 0) {
        if (n & 1) r *= x;
        x *= x;
        n >>= 1;
    }
    return r;
}

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

/* per-neighbour tables (doubles) and the neighbour index list */
static size_t bp_tables_size(const ml_sf_params *p, int nneigh)
{
    return sizeof(double) * (size_t)nneigh * (size_t)(6 + 2 * p->n_angular) +
           sizeof(double) * (size_t)(nneigh / 2 + 1);
}

/* tables, then room for G (used by bp_contract) */
static size_t bp_work_size(const void *params, int nneigh)
{
    return bp_tables_size(params, nneigh) + sizeof(double) * (size_t)bp_n_features(params);
}

/* G always; dG (dense) when non-NULL; with gw != NULL instead the contraction
 * dEdd_j = sum_f gw_f dG_f/dd_j (no dense derivative is formed: the MD path) */
static void bp_core(const void *params, const ml_env *env, double *G, double *dG, const double *gw,
                    double *dEdd, void *work)
{
    const ml_sf_params *p = params;
    const int nf = bp_n_features(p), n = env->n, nr = p->n_radial, na = p->n_angular;
    const int off_ang = p->nelem * nr;
    memset(G, 0, sizeof(double) * (size_t)nf);
    if (dG) memset(dG, 0, sizeof(double) * (size_t)n * 3 * (size_t)nf);
    if (gw) memset(dEdd, 0, sizeof(double) * 3 * (size_t)n);

    double *r = work;             /* |d_j| */
    double *rinv = r + n;         /* 1/|d_j| */
    double *fc = rinv + n, *dfc = fc + n;
    double *fca = dfc + n, *dfca = fca + n; /* angular cutoff */
    double *dRr = dfca + n;       /* (dR_m/dr)/r, R_m(r) = exp(-eta_m r^2) fca(r)  [n][na] */
    double *R = dRr + (size_t)n * na; /* R_m(r_j)  [n][na] */
    int *ang = (int *)(R + (size_t)n * na); /* neighbours inside the angular cutoff */
    int nang = 0;

    for (int j = 0; j < n; j++) {
        const double *dj = env->d + 3 * j;
        r[j] = sqrt(dj[0] * dj[0] + dj[1] * dj[1] + dj[2] * dj[2]);
        rinv[j] = 1.0 / r[j];
        cutoff_fn(r[j], p->rc, &fc[j], &dfc[j]);
        cutoff_fn(r[j], p->rc_angular, &fca[j], &dfca[j]);
        if (r[j] < p->rc_angular && na > 0) {
            ang[nang++] = j;
            for (int m = 0; m < na; m++) {
                const double e = exp(-p->eta_a[m] * r[j] * r[j]);
                R[(size_t)j * na + m] = e * fca[j];
                dRr[(size_t)j * na + m] = e * (dfca[j] - 2.0 * p->eta_a[m] * r[j] * fca[j]) / r[j];
            }
        }
        if (r[j] >= p->rc) continue;
        /* radial G2 */
        const int b = env->ntype[j];
        for (int k = 0; k < nr; k++) {
            const double x = r[j] - p->rs[k];
            const double e = exp(-p->eta_r[k] * x * x);
            const int f = b * nr + k;
            G[f] += e * fc[j];
            if (dG || gw) {
                const double dr = e * (dfc[j] - 2.0 * p->eta_r[k] * x * fc[j]) / r[j];
                if (gw)
                    for (int a = 0; a < 3; a++) dEdd[3 * j + a] += gw[f] * dr * dj[a];
                else
                    for (int a = 0; a < 3; a++) dG[((size_t)j * 3 + a) * nf + f] += dr * dj[a];
            }
        }
    }

    /* angular G4 / G5 */
    const int g4 = p->angular_kind == ML_ANGULAR_G4;
    double pre2[ML_MAX_ANGULAR]; /* 2^(1-zeta) */
    int zi[ML_MAX_ANGULAR];
    for (int m = 0; m < na; m++) {
        zi[m] = (int)p->zeta[m];
        pre2[m] = ldexp(1.0, 1 - zi[m]);
    }
    const int deriv = dG || gw;
    for (int jj = 0; jj < nang; jj++) {
        const int j = ang[jj];
        const double *u = env->d + 3 * j;
        for (int kk = jj + 1; kk < nang; kk++) {
            const int k = ang[kk];
            const double *w = env->d + 3 * k;
            const double uw = u[0] * w[0] + u[1] * w[1] + u[2] * w[2];
            const double ia = rinv[j], ib = rinv[k], iab = ia * ib;
            const double c = uw * iab;
            double dcdu[3] = {0, 0, 0}, dcdw[3] = {0, 0, 0}, dv[3] = {0, 0, 0}, dist = 0, S0 = 1,
                   dS0 = 0;
            if (deriv)
                for (int q = 0; q < 3; q++) {
                    dcdu[q] = w[q] * iab - c * u[q] * ia * ia;
                    dcdw[q] = u[q] * iab - c * w[q] * ib * ib;
                }
            if (g4) {
                for (int q = 0; q < 3; q++) dv[q] = w[q] - u[q];
                dist = sqrt(dv[0] * dv[0] + dv[1] * dv[1] + dv[2] * dv[2]);
                if (dist >= p->rc_angular) continue;
                cutoff_fn(dist, p->rc_angular, &S0, &dS0);
            }
            const int f0 = off_ang + pair_index(p->nelem, env->ntype[j], env->ntype[k]) * na;
            double SA = 0, SBu = 0, SBw = 0, SC = 0; /* contracted with gw */
            double *restrict Gp = G + f0;
            for (int m = 0; m < na; m++) {
                const double eta = p->eta_a[m];
                const int zeta = zi[m];
                const double lam = p->lambda[m];
                const double base = 1.0 + lam * c;
                const double pw = ipow(base, zeta - 1);
                const double pre = pre2[m];
                const double P = pre * pw * base, dP = pre * zeta * lam * pw;
                const double Rj = R[(size_t)j * na + m], Rk = R[(size_t)k * na + m];
                double S = 1.0, dS = 0.0;
                if (g4) {
                    const double e = exp(-eta * dist * dist);
                    S = e * S0;
                    dS = e * (dS0 - 2.0 * eta * dist * S0);
                }
                const int f = f0 + m;
                Gp[m] += P * Rj * Rk * S;
                if (!deriv) continue;
                /* dR/dr = exp(-eta r^2) (dfc - 2 eta r fc); the 1/r of d r/d d = d/r is in dRr */
                const double dRj = dRr[(size_t)j * na + m], dRk = dRr[(size_t)k * na + m];
                const double A = dP * Rj * Rk * S;
                const double Bu = P * Rk * dRj * S, Bw = P * Rj * dRk * S;
                const double Cs = g4 ? P * Rj * Rk * dS / dist : 0.0;
                if (gw) {
                    SA += gw[f] * A;
                    SBu += gw[f] * Bu;
                    SBw += gw[f] * Bw;
                    SC += gw[f] * Cs;
                    continue;
                }
                for (int q = 0; q < 3; q++) {
                    dG[((size_t)j * 3 + q) * nf + f] += A * dcdu[q] + Bu * u[q] - Cs * dv[q];
                    dG[((size_t)k * 3 + q) * nf + f] += A * dcdw[q] + Bw * w[q] + Cs * dv[q];
                }
            }
            if (gw)
                for (int q = 0; q < 3; q++) {
                    dEdd[3 * j + q] += SA * dcdu[q] + SBu * u[q] - SC * dv[q];
                    dEdd[3 * k + q] += SA * dcdw[q] + SBw * w[q] + SC * dv[q];
                }
        }
    }
}

static void bp_compute(const void *params, const ml_env *env, double *G, double *dG, void *work)
{
    bp_core(params, env, G, dG, NULL, NULL, work);
}

static void bp_contract(const void *params, const ml_env *env, const double *gw, double *dEdd,
                        void *work)
{
    /* G is recomputed into the scratch behind the per-neighbour tables */
    double *G = (double *)((char *)work + bp_tables_size(params, env->n));
    bp_core(params, env, G, NULL, gw, dEdd, work);
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
