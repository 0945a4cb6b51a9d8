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
        if (p->rc_angular == p->rc) {
            fca[j] = fc[j];
            dfca[j] = dfc[j];
        } else {
            cutoff_fn(r[j], p->rc_angular, &fca[j], &dfca[j]);
        }
        if (r[j] < p->rc_angular && na > 0) {
            ang[nang++] = j;
            double *Rj = R + (size_t)j * na, *dRj = dRr + (size_t)j * na;
            for (int m = 0; m < na; m++) {
                if (m > 0 && p->eta_a[m] == p->eta_a[m - 1]) { /* same Gaussian (ml_sf_generate order) */
                    Rj[m] = Rj[m - 1];
                    dRj[m] = dRj[m - 1];
                    continue;
                }
                const double e = exp(-p->eta_a[m] * r[j] * r[j]);
                Rj[m] = e * fca[j];
                dRj[m] = e * (dfca[j] - 2.0 * p->eta_a[m] * r[j] * fca[j]) * rinv[j];
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

    /* angular G4 / G5. Per triplet: the powers (1 +- c)^z for z = 0..zmax once, then every
     * function m as a branch-free loop over contiguous per-m arrays (vectorisable):
     *   P_m = 2^(1-z_m) (1 + l_m c)^z_m, dP_m/dc = 2^(1-z_m) z_m l_m (1 + l_m c)^(z_m - 1),
     *   G_m += P_m R_m(r_j) R_m(r_k) S_m(r_jk) with S = 1 (G5) or exp(-eta r_jk^2) f_c(r_jk) (G4). */
    if (nang < 2) return;
    const int g4 = p->angular_kind == ML_ANGULAR_G4;
    const int deriv = dG || gw;
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
                cutoff_fn(dist, p->rc_angular, &S0, &dS0);
                for (int m = 0; m < na; m++) {
                    if (m > 0 && p->eta_a[m] == p->eta_a[m - 1]) {
                        S[m] = S[m - 1];
                        Cs[m] = Cs[m - 1];
                        continue;
                    }
                    const double e = exp(-p->eta_a[m] * dist * dist);
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
            for (int m = 0; m < na; m++) {
                const double pw = powt[pidx[m]];
                P[m] = pre[m] * pw * (1.0 + lam[m] * c);
                dP[m] = dpre[m] * pw;
                Gp[m] += P[m] * Rj[m] * Rk[m] * S[m];
            }
            if (!deriv) continue;
            double dcdu[3], dcdw[3];
            for (int q = 0; q < 3; q++) {
                dcdu[q] = w[q] * iab - c * u[q] * ia * ia;
                dcdw[q] = u[q] * iab - c * w[q] * ib * ib;
            }
            /* dR/dr = exp(-eta r^2) (dfc - 2 eta r fc); the 1/r of d r/d d = d/r is in dRr */
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
