/* cnt_dmu.c - Delta-h(T) polynomial and Delta-mu(T) by Gibbs-Helmholtz.
 *
 * Gibbs-Helmholtz per particle: d(mu/T)/dT = -h/T^2. With dmu = mu_s - mu_l and Dh = h_l - h_s,
 *     d(dmu/T)/dT = Dh/T^2,  dmu(T_m) = 0   =>   dmu(T) = -T Int_T^{T_m} Dh(T')/T'^2 dT'.
 * For Dh(T) = sum_k c_k T^k the integrals I_k = Int_T^{T_m} T'^(k-2) dT' are
 *     I_0 = 1/T - 1/T_m,  I_1 = ln(T_m/T),  I_2 = T_m - T,  I_3 = (T_m^2 - T^2)/2,
 * so dmu = sum_k g_k c_k with g_k = -T I_k, and var(dmu) = g^T Cov(c) g.
 * (Espinosa et al., JCP 144, 034501 (2016); Frenkel & Smit, Understanding Molecular Simulation.) */
#include "cnt/cnt.h"
#include "common/sr_error.h"

#include <math.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_multifit.h>

int cnt_dh_fit(size_t n, const double *T, const double *h_liq, const double *h_sol, int degree,
               cnt_poly_fit *out)
{
    if (!T || !h_liq || !h_sol || !out) return SR_ERROR(SR_EINVAL, "cnt_dh_fit: NULL argument");
    if (degree < 0 || degree > CNT_POLY_MAX_DEGREE)
        return SR_ERROR(SR_EINVAL, "cnt_dh_fit: degree=%d, expected 0..%d", degree, CNT_POLY_MAX_DEGREE);
    size_t p = (size_t)degree + 1;
    if (n < p + 1)
        return SR_ERROR(SR_EINVAL, "cnt_dh_fit: %zu state points for a degree-%d polynomial, need >= %zu "
                        "(one more than the coefficients, for the error estimate)", n, degree, p + 1);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(T[i]) || !(T[i] > 0))
            return SR_ERROR(SR_EINVAL, "cnt_dh_fit: T[%zu] = %g, expected a finite temperature > 0", i, T[i]);
        if (!isfinite(h_liq[i]) || !isfinite(h_sol[i]))
            return SR_ERROR(SR_EINVAL, "cnt_dh_fit: enthalpy at point %zu (T=%g) is not finite", i, T[i]);
    }
    gsl_matrix *X = gsl_matrix_alloc(n, p), *C = gsl_matrix_alloc(p, p);
    gsl_vector *y = gsl_vector_alloc(n), *c = gsl_vector_alloc(p);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(n, p);
    int rc = SR_OK;
    if (!X || !C || !y || !c || !ws) {
        rc = SR_ERROR(SR_ENOMEM, "cnt_dh_fit: out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        double tk = 1;
        for (size_t k = 0; k < p; k++, tk *= T[i]) gsl_matrix_set(X, i, k, tk);
        gsl_vector_set(y, i, h_liq[i] - h_sol[i]);
    }
    double chisq;
    if (gsl_multifit_linear(X, y, c, C, &chisq, ws)) {
        rc = SR_ERROR(SR_ENUMERIC, "cnt_dh_fit: linear least squares failed (temperatures too few/equal?)");
        goto done;
    }
    *out = (cnt_poly_fit){0};
    out->degree = degree;
    out->n = n;
    out->chisq = chisq;
    for (size_t k = 0; k < p; k++) {
        out->c[k] = gsl_vector_get(c, k);
        for (size_t l = 0; l < p; l++) out->cov[k][l] = gsl_matrix_get(C, k, l);
    }
    for (size_t k = 0; k < p; k++)
        if (!isfinite(out->c[k])) rc = SR_ERROR(SR_ENUMERIC, "cnt_dh_fit: coefficient %zu is not finite", k);
done:
    gsl_matrix_free(X);
    gsl_matrix_free(C);
    gsl_vector_free(y);
    gsl_vector_free(c);
    if (ws) gsl_multifit_linear_free(ws);
    return rc;
}

/* sqrt(g^T C g) over the fitted coefficients */
static double quad_form_se(const cnt_poly_fit *f, const double *g)
{
    double v = 0;
    for (int k = 0; k <= f->degree; k++)
        for (int l = 0; l <= f->degree; l++) v += g[k] * f->cov[k][l] * g[l];
    return sqrt(v > 0 ? v : 0);
}

void cnt_dh_eval(const cnt_poly_fit *dh, double T, double *value, double *se)
{
    double g[CNT_POLY_MAX_DEGREE + 1], v = 0, tk = 1;
    for (int k = 0; k <= dh->degree; k++, tk *= T) {
        g[k] = tk;
        v += dh->c[k] * tk;
    }
    if (value) *value = v;
    if (se) *se = quad_form_se(dh, g);
}

int cnt_dmu_gibbs_helmholtz(const cnt_poly_fit *dh, double T_m, double T, double *dmu, double *se)
{
    if (!dh || !dmu) return SR_ERROR(SR_EINVAL, "cnt_dmu_gibbs_helmholtz: NULL argument");
    if (!isfinite(T) || !isfinite(T_m) || !(T > 0) || !(T_m > 0))
        return SR_ERROR(SR_EINVAL, "cnt_dmu_gibbs_helmholtz: T=%g and T_m=%g must be finite and > 0", T, T_m);
    if (dh->degree < 0 || dh->degree > CNT_POLY_MAX_DEGREE)
        return SR_ERROR(SR_EINVAL, "cnt_dmu_gibbs_helmholtz: polynomial degree %d outside 0..%d", dh->degree,
                        CNT_POLY_MAX_DEGREE);
    const double I[CNT_POLY_MAX_DEGREE + 1] = {1.0 / T - 1.0 / T_m, log(T_m / T), T_m - T,
                                               0.5 * (T_m * T_m - T * T)};
    double g[CNT_POLY_MAX_DEGREE + 1], v = 0;
    for (int k = 0; k <= dh->degree; k++) {
        g[k] = -T * I[k];
        v += g[k] * dh->c[k];
    }
    *dmu = v;
    if (se) *se = quad_form_se(dh, g);
    return SR_OK;
}

double cnt_dmu_linear(double dh_m, double T_m, double T) { return -dh_m * (1.0 - T / T_m); }

int cnt_dmu_model_eval(void *ctx, double T, double *value, double *sd)
{
    const cnt_dmu_model *m = ctx;
    double se = 0;
    SR_TRY(cnt_dmu_gibbs_helmholtz(m->dh, m->T_m, T, value, &se));
    if (sd) {
        double dhm;
        cnt_dh_eval(m->dh, m->T_m, &dhm, NULL);
        double d_dTm = -T * dhm / (m->T_m * m->T_m); /* d(dmu)/dT_m */
        *sd = hypot(se, d_dTm * m->sigma_T_m);
    }
    return SR_OK;
}
