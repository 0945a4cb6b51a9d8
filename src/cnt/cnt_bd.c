/* cnt_bd.c - Becker-Doring chain, exact steady flux and MFPT, the statistics of kMC first-passage sums, and
 * the Wedekind-Strey-Reguera fit of a mean-first-passage-time curve (the Gillespie kMC itself is
 * kmc_bd_mfpt_accumulate in src/kmc).
 *
 * Chain: n -> n+1 at f+(n), n -> n-1 at f-(n); detailed balance with rho_eq(n) = rho_l e^{-beta dG(n)}:
 *     f-(n+1) rho_eq(n+1) = f+(n) rho_eq(n)   =>   f-(n+1) = f+(n) exp(beta [dG(n+1) - dG(n)])
 * (detachment is faster than attachment where dG rises; note the sign: exp(beta [dG(n) - dG(n+1)])
 * would violate detailed balance and make the barrier a well).
 * Steady flux with rho(1) = rho_eq(1), rho(n_max) = 0 (Becker & Doring 1935; Kelton 1991, eq. 39):
 *     1/J_BD = sum_{n=1}^{n_max-1} 1/(f+(n) rho_eq(n)).
 * MFPT of a birth-death chain with a reflecting wall at n = 1 (Gardiner, Handbook of Stochastic
 * Methods, sec. 7.4; van Kampen ch. XII): the mean time to step from n to n+1 for the first time is
 *     tau(n+1) - tau(n) = P(n) / (f+(n) rho_eq(n)),  P(n) = sum_{m=1}^{n} rho_eq(m).
 * Hence tau across the barrier = S / J_BD with S = P(n*): one tagged cluster represents the
 * population S per volume of sub-critical clusters, and J = S / tau_J (see cnt.h). */
#include "cnt/cnt.h"
#include "common/sr_error.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_multifit_nlinear.h>

void cnt_bd_free(cnt_bd_model *m)
{
    if (!m) return;
    free(m->dG);
    free(m->f_plus);
    free(m->f_minus);
    free(m);
}

static int bd_alloc(size_t n_max, double kT, double rho_l, cnt_bd_model **out)
{
    if (n_max < 3) return SR_ERROR(SR_EINVAL, "Becker-Doring chain: n_max=%zu, need >= 3", n_max);
    if (!isfinite(kT) || !(kT > 0) || !isfinite(rho_l) || !(rho_l > 0))
        return SR_ERROR(SR_EINVAL, "Becker-Doring chain: kT=%g and rho_l=%g must be finite and > 0", kT, rho_l);
    cnt_bd_model *m = calloc(1, sizeof *m);
    if (!m) return SR_ERROR(SR_ENOMEM, "Becker-Doring chain: out of memory");
    m->n_max = n_max;
    m->beta = 1.0 / kT;
    m->rho_l = rho_l;
    m->dG = calloc(n_max + 1, sizeof *m->dG);
    m->f_plus = calloc(n_max + 1, sizeof *m->f_plus);
    m->f_minus = calloc(n_max + 1, sizeof *m->f_minus);
    if (!m->dG || !m->f_plus || !m->f_minus) {
        cnt_bd_free(m);
        return SR_ERROR(SR_ENOMEM, "Becker-Doring chain: out of memory (n_max=%zu)", n_max);
    }
    *out = m;
    return SR_OK;
}

/* f-(n+1) from detailed balance; f-(1) = 0 */
static void bd_detachment(cnt_bd_model *m)
{
    m->f_minus[1] = 0.0;
    for (size_t n = 1; n < m->n_max; n++)
        m->f_minus[n + 1] = m->f_plus[n] * exp(m->beta * (m->dG[n + 1] - m->dG[n]));
}

int cnt_bd_create_cnt(double gamma, double dmu, double rho_s, double rho_l, double f_plus_nc,
                      double kT, size_t n_max, cnt_bd_model **out)
{
    if (!out) return SR_ERROR(SR_EINVAL, "cnt_bd_create_cnt: NULL output");
    *out = NULL;
    double n_c;
    SR_TRY(cnt_critical_size(gamma, dmu, rho_s, &n_c, NULL));
    if (!isfinite(f_plus_nc) || !(f_plus_nc > 0))
        return SR_ERROR(SR_EINVAL, "cnt_bd_create_cnt: f+(N_c)=%g, expected > 0", f_plus_nc);
    cnt_bd_model *m;
    SR_TRY(bd_alloc(n_max, kT, rho_l, &m));
    /* surface of a sphere of volume n/rho_s: A = (36 pi)^(1/3) (n/rho_s)^(2/3) */
    const double a1 = cbrt(36.0 * M_PI) * pow(rho_s, -2.0 / 3.0);
    for (size_t n = 1; n <= n_max; n++) {
        double n23 = pow((double)n, 2.0 / 3.0);
        m->dG[n] = -(double)n * fabs(dmu) + gamma * a1 * n23;
        m->f_plus[n] = f_plus_nc * n23 / pow(n_c, 2.0 / 3.0);
    }
    bd_detachment(m);
    *out = m;
    return SR_OK;
}

int cnt_bd_create_table(size_t n_max, const double *dG, const double *f_plus, double kT,
                        double rho_l, cnt_bd_model **out)
{
    if (!out || !dG || !f_plus) return SR_ERROR(SR_EINVAL, "cnt_bd_create_table: NULL argument");
    *out = NULL;
    for (size_t n = 1; n <= n_max; n++) {
        if (!isfinite(dG[n])) return SR_ERROR(SR_EINVAL, "cnt_bd_create_table: dG[%zu] is not finite", n);
        if (!isfinite(f_plus[n]) || !(f_plus[n] > 0))
            return SR_ERROR(SR_EINVAL, "cnt_bd_create_table: f_plus[%zu] = %g, expected > 0", n, f_plus[n]);
    }
    cnt_bd_model *m;
    SR_TRY(bd_alloc(n_max, kT, rho_l, &m));
    for (size_t n = 1; n <= n_max; n++) {
        m->dG[n] = dG[n];
        m->f_plus[n] = f_plus[n];
    }
    bd_detachment(m);
    *out = m;
    return SR_OK;
}

int cnt_bd_steady_flux(const cnt_bd_model *m, double *J)
{
    if (!m || !J) return SR_ERROR(SR_EINVAL, "cnt_bd_steady_flux: NULL argument");
    /* 1/J = (1/rho_l) sum exp(beta dG(n) - ln f+(n)); log-sum-exp about the largest term */
    double lmax = -INFINITY;
    for (size_t n = 1; n < m->n_max; n++) lmax = fmax(lmax, m->beta * m->dG[n] - log(m->f_plus[n]));
    double s = 0;
    for (size_t n = 1; n < m->n_max; n++) s += exp(m->beta * m->dG[n] - log(m->f_plus[n]) - lmax);
    *J = m->rho_l * exp(-lmax) / s;
    if (!isfinite(*J)) return SR_ERROR(SR_ENUMERIC, "cnt_bd_steady_flux: flux overflows (beta dG range too wide)");
    return SR_OK;
}

size_t cnt_bd_top(const cnt_bd_model *m)
{
    size_t top = 1;
    for (size_t n = 2; n < m->n_max; n++)
        if (m->dG[n] > m->dG[top]) top = n;
    return top;
}

int cnt_bd_population(const cnt_bd_model *m, double *S)
{
    if (!m || !S) return SR_ERROR(SR_EINVAL, "cnt_bd_population: NULL argument");
    size_t top = cnt_bd_top(m);
    double s = 0;
    for (size_t n = 1; n <= top; n++) s += m->rho_l * exp(-m->beta * m->dG[n]);
    if (!isfinite(s) || !(s > 0)) return SR_ERROR(SR_ENUMERIC, "cnt_bd_population: S=%g not finite", s);
    *S = s;
    return SR_OK;
}

int cnt_bd_mfpt_exact(const cnt_bd_model *m, size_t n0, double *tau)
{
    if (!m || !tau) return SR_ERROR(SR_EINVAL, "cnt_bd_mfpt_exact: NULL argument");
    if (n0 < 1 || n0 >= m->n_max)
        return SR_ERROR(SR_EINVAL, "cnt_bd_mfpt_exact: n0=%zu outside 1..%zu", n0, m->n_max - 1);
    /* R(n) = P(n)/rho_eq(n) = 1 + exp(beta [dG(n) - dG(n-1)]) R(n-1), R(1) = 1 */
    double R = 1.0;
    for (size_t n = 0; n <= n0; n++) tau[n] = 0;
    for (size_t n = 1; n < m->n_max; n++) {
        if (n > 1) R = 1.0 + exp(m->beta * (m->dG[n] - m->dG[n - 1])) * R;
        if (n >= n0) tau[n + 1] = tau[n] + R / m->f_plus[n];
    }
    if (!isfinite(tau[m->n_max])) return SR_ERROR(SR_ENUMERIC, "cnt_bd_mfpt_exact: MFPT overflows");
    return SR_OK;
}

int cnt_kmc_mfpt_finish(size_t n_max, size_t n_traj, const double *sum_t, const double *sum_t2,
                        double *tau, double *se)
{
    if (!sum_t || !sum_t2 || !tau) return SR_ERROR(SR_EINVAL, "cnt_kmc_mfpt_finish: NULL argument");
    if (n_traj < 2) return SR_ERROR(SR_EINVAL, "cnt_kmc_mfpt_finish: n_traj=%zu, need >= 2", n_traj);
    for (size_t n = 0; n <= n_max; n++) {
        double mean = sum_t[n] / n_traj;
        double var = (sum_t2[n] - n_traj * mean * mean) / (n_traj - 1);
        tau[n] = mean;
        if (se) se[n] = sqrt(var > 0 ? var / n_traj : 0);
    }
    return SR_OK;
}

/* ---- Wedekind-Strey-Reguera fit ----------------------------------------------------------------- */

typedef struct {
    size_t n_lo, m;
    const double *tau, *se;
} wsr_data;

static int wsr_f(const gsl_vector *p, void *ctx, gsl_vector *f)
{
    const wsr_data *d = ctx;
    double tj = gsl_vector_get(p, 0), c = gsl_vector_get(p, 1), ns = gsl_vector_get(p, 2);
    for (size_t i = 0; i < d->m; i++) {
        double n = (double)(d->n_lo + i);
        double w = d->se ? d->se[d->n_lo + i] : 1.0;
        gsl_vector_set(f, i, (0.5 * tj * (1.0 + gsl_sf_erf(c * (n - ns))) - d->tau[d->n_lo + i]) / w);
    }
    return GSL_SUCCESS;
}

static int wsr_df(const gsl_vector *p, void *ctx, gsl_matrix *J)
{
    const wsr_data *d = ctx;
    double tj = gsl_vector_get(p, 0), c = gsl_vector_get(p, 1), ns = gsl_vector_get(p, 2);
    for (size_t i = 0; i < d->m; i++) {
        double n = (double)(d->n_lo + i), u = c * (n - ns);
        double w = d->se ? d->se[d->n_lo + i] : 1.0;
        double g = tj / sqrt(M_PI) * exp(-u * u); /* d/du of (tj/2)(1 + erf u) */
        gsl_matrix_set(J, i, 0, 0.5 * (1.0 + gsl_sf_erf(u)) / w);
        gsl_matrix_set(J, i, 1, g * (n - ns) / w);
        gsl_matrix_set(J, i, 2, -g * c / w);
    }
    return GSL_SUCCESS;
}

double cnt_mfpt_wsr_eval(const cnt_mfpt_fit *fit, double n)
{
    return 0.5 * fit->tau_J * (1.0 + erf(fit->c * (n - fit->n_star)));
}

int cnt_mfpt_fit_wsr(size_t n_lo, size_t n_hi, const double *tau, const double *se, double xtol,
                     double gtol, int max_iter, cnt_mfpt_fit *out)
{
    if (!tau || !out) return SR_ERROR(SR_EINVAL, "cnt_mfpt_fit_wsr: NULL argument");
    if (n_hi < n_lo + 3)
        return SR_ERROR(SR_EINVAL, "cnt_mfpt_fit_wsr: range [%zu, %zu] has fewer than 4 points", n_lo, n_hi);
    if (!(xtol > 0) || !(gtol > 0) || max_iter < 1)
        return SR_ERROR(SR_EINVAL, "cnt_mfpt_fit_wsr: xtol=%g, gtol=%g must be > 0, max_iter=%d >= 1", xtol, gtol,
                        max_iter);
    size_t m = n_hi - n_lo + 1;
    for (size_t n = n_lo; n <= n_hi; n++) {
        if (!isfinite(tau[n])) return SR_ERROR(SR_EINVAL, "cnt_mfpt_fit_wsr: tau[%zu] is not finite", n);
        if (se && !(se[n] > 0 && isfinite(se[n])))
            return SR_ERROR(SR_EINVAL, "cnt_mfpt_fit_wsr: se[%zu] = %g, expected > 0 (drop n with zero spread)", n,
                            se[n]);
    }
    /* initial guess: plateau, half-height crossing, slope there (d tau/dn = tau_J c / sqrt(pi)) */
    double tj0 = tau[n_hi];
    size_t nh = n_lo;
    while (nh < n_hi && tau[nh] < 0.5 * tj0) nh++;
    double slope = nh > n_lo ? tau[nh] - tau[nh - 1] : (tau[nh + 1] - tau[nh]);
    double c0 = slope > 0 && tj0 > 0 ? sqrt(M_PI) * slope / tj0 : 0.1;
    double p0[3] = {tj0, c0, (double)nh};
    wsr_data d = {n_lo, m, tau, se};
    gsl_multifit_nlinear_fdf fdf = {.f = wsr_f, .df = wsr_df, .fvv = NULL, .n = m, .p = 3, .params = &d};
    gsl_multifit_nlinear_parameters prm = gsl_multifit_nlinear_default_parameters();
    gsl_multifit_nlinear_workspace *w = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &prm, m, 3);
    gsl_matrix *C = gsl_matrix_alloc(3, 3);
    if (!w || !C) {
        if (w) gsl_multifit_nlinear_free(w);
        gsl_matrix_free(C);
        return SR_ERROR(SR_ENOMEM, "cnt_mfpt_fit_wsr: out of memory");
    }
    gsl_vector_view x0 = gsl_vector_view_array(p0, 3);
    gsl_multifit_nlinear_init(&x0.vector, &fdf, w);
    int info = 0;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int status = gsl_multifit_nlinear_driver((size_t)max_iter, xtol, gtol, 0.0, NULL, NULL, &info, w);
    gsl_set_error_handler(old);
    int rc = SR_OK;
    *out = (cnt_mfpt_fit){0};
    gsl_vector *p = gsl_multifit_nlinear_position(w);
    out->tau_J = gsl_vector_get(p, 0);
    out->c = fabs(gsl_vector_get(p, 1)); /* erf is odd: (c, n*) and (-c, n*) differ; report c > 0 */
    out->n_star = gsl_vector_get(p, 2);
    gsl_vector *f = gsl_multifit_nlinear_residual(w);
    double chisq = 0;
    for (size_t i = 0; i < m; i++) chisq += gsl_vector_get(f, i) * gsl_vector_get(f, i);
    out->chisq = chisq;
    gsl_matrix *Jm = gsl_multifit_nlinear_jac(w);
    gsl_multifit_nlinear_covar(Jm, 0.0, C);
    double scale = se ? 1.0 : chisq / (double)(m > 3 ? m - 3 : 1);
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) out->cov[a][b] = scale * gsl_matrix_get(C, a, b);
    out->se_tau_J = sqrt(out->cov[0][0]);
    out->se_c = sqrt(out->cov[1][1]);
    out->se_n_star = sqrt(out->cov[2][2]);
    out->converged = (status == GSL_SUCCESS);
    if (status != GSL_SUCCESS || !isfinite(out->tau_J) || !isfinite(out->n_star) || !isfinite(out->se_tau_J) ||
        !(out->tau_J > 0))
        rc = SR_ERROR(SR_ENUMERIC, "cnt_mfpt_fit_wsr: fit failed (%s; tau_J=%g, c=%g, n*=%g)",
                      gsl_strerror(status), out->tau_J, out->c, out->n_star);
    gsl_multifit_nlinear_free(w);
    gsl_matrix_free(C);
    return rc;
}
