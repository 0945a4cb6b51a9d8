/* order_ylm.c - spherical harmonics and the Steinhardt / Lechner-Dellago / ten Wolde quantities.
 *
 * Y_lm(theta, phi) = Pbar_l^m(cos theta) e^{i m phi} with the orthonormal associated Legendre functions
 *     Pbar_l^m(x) = sqrt((2l+1)/(4 pi) (l-m)!/(l+m)!) P_l^m(x)     (no Condon-Shortley phase).
 * Writing Pbar_l^m(x) = sin^m(theta) R_l^m(x), the factor sin^m(theta) e^{i m phi} = ((x + i y)/r)^m
 * needs no trigonometry, and R_l^m follows the stable upward recursion in l of the fully normalized
 * functions (e.g. Holmes & Featherstone, J. Geodesy 76, 279, 2002, Eqs. 11-13 without sin^m):
 *     R_0^0 = 1/sqrt(4 pi),  R_m^m = sqrt((2m+1)/(2m)) R_{m-1}^{m-1},  R_{m+1}^m = sqrt(2m+3) x R_m^m,
 *     R_l^m = a_lm (x R_{l-1}^m - b_lm R_{l-2}^m),
 *     a_lm = sqrt((4l^2-1)/(l^2-m^2)),  b_lm = sqrt(((l-1)^2-m^2)/(4(l-1)^2-1)).
 * With this normalization sum_{m=-l..l} |Y_lm|^2 = (2l+1)/(4 pi) (addition theorem), so q_l = 1 for a
 * single bond and the tabulated lattice values (Steinhardt et al. 1983; Mickel et al. JCP 138,
 * 044501, 2013) are reproduced. */
#include "order.h"

#include <math.h>
#include <string.h>

/* Recursion coefficients for one l, computed once per call (O(l^2) square roots). */
typedef struct ylm_coefs {
    int l;
    double rmm[ORDER_LMAX + 1];                  /* R_m^m */
    double a[ORDER_LMAX + 1][ORDER_LMAX + 1];    /* a[l'][m] */
    double b[ORDER_LMAX + 1][ORDER_LMAX + 1];    /* b[l'][m] */
} ylm_coefs;

static void ylm_coefs_init(ylm_coefs *c, int l)
{
    c->l = l;
    c->rmm[0] = 1.0 / sqrt(4.0 * ORDER_PI);
    for (int m = 1; m <= l; m++) c->rmm[m] = c->rmm[m - 1] * sqrt((2.0 * m + 1.0) / (2.0 * m));
    for (int m = 0; m <= l; m++)
        for (int lp = m + 2; lp <= l; lp++) {
            const double l2 = (double)lp * lp, m2 = (double)m * m, lm1 = lp - 1.0;
            c->a[lp][m] = sqrt((4.0 * l2 - 1.0) / (l2 - m2));
            c->b[lp][m] = sqrt((lm1 * lm1 - m2) / (4.0 * lm1 * lm1 - 1.0));
        }
}

/* Add w * Y_lm(u) for m = 0..l to acc[2(l+1)]; u is a unit vector. */
static inline void ylm_accumulate(const ylm_coefs *c, const double u[3], double w, double *acc)
{
    const int l = c->l;
    const double x = u[2];
    double pr = 1.0, pi = 0.0; /* (u_x + i u_y)^m */
    for (int m = 0; m <= l; m++) {
        double r;
        if (m == l) {
            r = c->rmm[m];
        } else {
            double rm2 = c->rmm[m];                    /* R_m^m */
            double rm1 = sqrt(2.0 * m + 3.0) * x * rm2; /* R_{m+1}^m */
            for (int lp = m + 2; lp <= l; lp++) {
                const double rn = c->a[lp][m] * (x * rm1 - c->b[lp][m] * rm2);
                rm2 = rm1;
                rm1 = rn;
            }
            r = rm1;
        }
        acc[2 * m] += w * r * pr;
        acc[2 * m + 1] += w * r * pi;
        const double nr = pr * u[0] - pi * u[1];
        pi = pr * u[1] + pi * u[0];
        pr = nr;
    }
}

void order_ylm(int l, const double r[3], double *y)
{
    ylm_coefs c;
    ylm_coefs_init(&c, l);
    const double d = sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
    const double u[3] = {r[0] / d, r[1] / d, r[2] / d};
    memset(y, 0, 2 * (size_t)(l + 1) * sizeof *y);
    ylm_accumulate(&c, u, 1.0, y);
}

static void qlm_from_vectors(const ylm_coefs *c, const double *vec, const double *dist, int nvec,
                             double *qlm)
{
    const int l = c->l;
    memset(qlm, 0, 2 * (size_t)(l + 1) * sizeof *qlm);
    if (nvec <= 0) return;
    for (int k = 0; k < nvec; k++) {
        const double *v = vec + 3 * k;
        const double d = dist ? dist[k] : sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        const double inv = 1.0 / d;
        const double u[3] = {v[0] * inv, v[1] * inv, v[2] * inv};
        ylm_accumulate(c, u, 1.0, qlm);
    }
    const double s = 1.0 / nvec;
    for (int m = 0; m < 2 * (l + 1); m++) qlm[m] *= s;
}

void order_qlm_one(int l, const double *vec, int nvec, double *qlm)
{
    ylm_coefs c;
    ylm_coefs_init(&c, l);
    qlm_from_vectors(&c, vec, NULL, nvec, qlm);
}

/* sum_{m=-l..l} a_lm b_lm* = a_l0 b_l0 + 2 Re sum_{m>0} a_lm b_lm*, since the m < 0 terms are the
 * complex conjugates of the m > 0 terms (Y_{l,-m} = (-1)^m Y_lm* up to a phase common to a and b). */
double order_qlm_dot(int l, const double *a, const double *b)
{
    double s = a[0] * b[0] + a[1] * b[1];
    double t = 0;
    for (int m = 1; m <= l; m++) t += a[2 * m] * b[2 * m] + a[2 * m + 1] * b[2 * m + 1];
    return s + 2.0 * t;
}

double order_ql_from_qlm(int l, const double *qlm)
{
    const double s = order_qlm_dot(l, qlm, qlm);
    return sqrt(4.0 * ORDER_PI / (2.0 * l + 1.0) * (s > 0 ? s : 0));
}

double order_bond_correlation(int l, const double *a, const double *b)
{
    const double na = order_qlm_dot(l, a, a), nb = order_qlm_dot(l, b, b);
    if (!(na > 0) || !(nb > 0)) return 0.0;
    return order_qlm_dot(l, a, b) / sqrt(na * nb);
}

static int check_l(int l, const order_neighbors *nb)
{
    if (!nb) return SR_ERROR(SR_EINVAL, "order: NULL neighbor list");
    if (l < 0 || l > ORDER_LMAX)
        return SR_ERROR(SR_ERANGE, "order: l = %d outside 0..%d", l, ORDER_LMAX);
    return SR_OK;
}

static inline int nsel_of(const order_neighbors *nb, const int *nsel, int i)
{
    return nsel ? nsel[i] : nb->first[i + 1] - nb->first[i];
}

int order_qlm_atoms(const order_neighbors *nb, const int *nsel, int l, double *qlm)
{
    SR_TRY(check_l(l, nb));
    ylm_coefs c;
    ylm_coefs_init(&c, l);
    const size_t stride = 2 * (size_t)(l + 1);
    for (int i = 0; i < nb->n; i++) {
        const int k0 = nb->first[i], m = nsel_of(nb, nsel, i);
        for (int k = k0; k < k0 + m; k++)
            if (!(nb->dist[k] > 0))
                return SR_ERROR(SR_ENUMERIC, "order: atoms %d and %d (0-based) are at distance %g", i,
                                nb->j[k], nb->dist[k]);
        qlm_from_vectors(&c, nb->vec + 3 * (size_t)k0, nb->dist + k0, nsel_of(nb, nsel, i),
                         qlm + stride * i);
    }
    return SR_OK;
}

void order_ql_atoms(int n, int l, const double *qlm, double *ql)
{
    const size_t stride = 2 * (size_t)(l + 1);
    for (int i = 0; i < n; i++) ql[i] = order_ql_from_qlm(l, qlm + stride * i);
}

/* Lechner & Dellago (2008), Eq. 6: qbar_lm(i) = 1/(N_b(i)+1) sum_{k=0}^{N_b(i)} q_lm(k), k = 0 being
 * i itself. */
int order_qlm_average(const order_neighbors *nb, const int *nsel, int l, const double *qlm,
                      double *qbar_lm)
{
    SR_TRY(check_l(l, nb));
    const size_t stride = 2 * (size_t)(l + 1);
    for (int i = 0; i < nb->n; i++) {
        double *out = qbar_lm + stride * i;
        memcpy(out, qlm + stride * i, stride * sizeof *out);
        const int k0 = nb->first[i], m = nsel_of(nb, nsel, i);
        for (int k = k0; k < k0 + m; k++) {
            const double *q = qlm + stride * nb->j[k];
            for (size_t c = 0; c < stride; c++) out[c] += q[c];
        }
        const double s = 1.0 / (m + 1);
        for (size_t c = 0; c < stride; c++) out[c] *= s;
    }
    return SR_OK;
}

/* ten Wolde, Ruiz-Montero, Frenkel (1996): bond i-j solid when d_l(i,j) > d_c. */
int order_solid_bonds(const order_neighbors *nb, const int *nsel, int l, const double *qlm, double dc,
                      int *nbonds)
{
    SR_TRY(check_l(l, nb));
    const size_t stride = 2 * (size_t)(l + 1);
    for (int i = 0; i < nb->n; i++) {
        const int k0 = nb->first[i], m = nsel_of(nb, nsel, i);
        const double *qi = qlm + stride * i;
        const double ni = order_qlm_dot(l, qi, qi);
        int count = 0;
        if (ni > 0)
            for (int k = k0; k < k0 + m; k++) {
                const double *qj = qlm + stride * nb->j[k];
                const double nj = order_qlm_dot(l, qj, qj);
                if (nj > 0 && order_qlm_dot(l, qi, qj) > dc * sqrt(ni * nj)) count++;
            }
        nbonds[i] = count;
    }
    return SR_OK;
}
