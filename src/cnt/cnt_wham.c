/* Umbrella sampling statistics on an integer order parameter (n = N_max): the harmonic bias, the hybrid Monte Carlo
 * acceptance, window checks, WHAM (= MBAR for one bin per integer value) with a block bootstrap, the barrier, and the
 * CNT curve. Pure numbers: no md, no MPI (see cnt.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_multifit.h>
#include <gsl/gsl_randist.h>

#include "cnt.h"
#include "../common/sr_error.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

double cnt_umbrella_bias(double kappa, double centre, double n)
{
    const double d = n - centre;
    return 0.5 * kappa * d * d;
}

int cnt_hmc_accept(double beta_dH, double beta_dw, double u)
{
    /* min(1, exp(-x)): a NaN energy (numerical failure) is rejected */
    const double x = beta_dH + beta_dw;
    if (!isfinite(x)) return x == -INFINITY;
    return x <= 0 || u < exp(-x);
}

int cnt_umbrella_check_windows(const double *c, int n, double kappa, char *msg, size_t len)
{
    if (!(kappa > 0) || !isfinite(kappa)) {
        snprintf(msg, len, "kappa = %g must be > 0 (kT per atom^2)", kappa);
        return 1;
    }
    if (n < 1) {
        snprintf(msg, len, "no window: give centres or n_last");
        return 1;
    }
    for (int i = 0; i < n; i++) {
        if (!(c[i] >= 0) || !isfinite(c[i])) {
            snprintf(msg, len, "centre %d = %g must be >= 0 (atoms)", i + 1, c[i]);
            return 1;
        }
        if (i > 0 && !(c[i] > c[i - 1])) {
            snprintf(msg, len, "centres must increase: centre %d = %g is not above centre %d = %g", i + 1, c[i], i,
                     c[i - 1]);
            return 1;
        }
    }
    return 0;
}

int cnt_umbrella_default_centres(double kappa, double n_last, double *c, int cap)
{
    if (!(kappa > 0)) return 0;
    double sp = floor(2.0 / sqrt(kappa) + 0.5);
    if (sp < 1) sp = 1;
    int n = 0;
    for (double x = sp; x <= n_last + 1e-9 && n < cap; x += sp) c[n++] = x;
    return n;
}

static double log_sum_exp(const double *a, int n)
{
    double m = -INFINITY;
    for (int i = 0; i < n; i++)
        if (a[i] > m) m = a[i];
    if (!isfinite(m)) return m;
    double s = 0;
    for (int i = 0; i < n; i++) s += exp(a[i] - m);
    return m + log(s);
}

int cnt_wham_solve(int nwin, int nbins, const double *hist, const double *bias, const cnt_wham_opts *o, double *F,
                   double *f, int warm, int *iters)
{
    if (nwin < 1 || nbins < 1 || !hist || !bias || !F || !o || !(o->tol > 0) || o->max_iter < 1)
        return SR_ERROR(SR_EINVAL, "WHAM: need windows, bins, histograms, biases and tol > 0");
    double *N = calloc((size_t)nwin, sizeof *N), *H = calloc((size_t)nbins, sizeof *H);
    double *fw = calloc((size_t)nwin, sizeof *fw), *tmp = malloc((size_t)(nwin > nbins ? nwin : nbins) * sizeof *tmp);
    double *lnP = malloc((size_t)nbins * sizeof *lnP);
    if (!N || !H || !fw || !tmp || !lnP) {
        free(N), free(H), free(fw), free(tmp), free(lnP);
        return SR_ERROR(SR_ENOMEM, "out of memory");
    }
    for (int i = 0; i < nwin; i++)
        for (int n = 0; n < nbins; n++) {
            N[i] += hist[(size_t)i * nbins + n];
            H[n] += hist[(size_t)i * nbins + n];
        }
    int rc = SR_OK;
    for (int i = 0; i < nwin; i++)
        if (!(N[i] > 0)) rc = SR_ERROR(SR_EINVAL, "WHAM: window %d has no samples", i);
    if (warm && f)
        for (int i = 0; i < nwin; i++) fw[i] = f[i] - f[0];
    int it = 0;
    for (; !rc && it < o->max_iter; it++) {
        /* ln P(n) = ln H(n) - ln sum_i N_i exp(f_i - w_i(n)) */
        for (int n = 0; n < nbins; n++) {
            if (!(H[n] > 0)) {
                lnP[n] = -INFINITY;
                continue;
            }
            for (int i = 0; i < nwin; i++) tmp[i] = log(N[i]) + fw[i] - bias[(size_t)i * nbins + n];
            lnP[n] = log(H[n]) - log_sum_exp(tmp, nwin);
        }
        /* f_i = -ln sum_n P(n) exp(-w_i(n)), shifted so that f_0 = 0 */
        double delta = 0, f0 = 0;
        for (int i = 0; i < nwin; i++) {
            for (int n = 0; n < nbins; n++) tmp[n] = lnP[n] - bias[(size_t)i * nbins + n];
            double fi = -log_sum_exp(tmp, nbins);
            if (i == 0) f0 = fi;
            fi -= f0;
            if (fabs(fi - fw[i]) > delta) delta = fabs(fi - fw[i]);
            fw[i] = fi;
        }
        if (!isfinite(delta)) rc = SR_ERROR(SR_EFAILED, "WHAM: the window free energies are not finite");
        else if (delta < o->tol) {
            it++;
            break;
        }
    }
    if (!rc && it >= o->max_iter)
        rc = SR_ERROR(SR_EFAILED, "WHAM: no convergence to %g kT in %d iterations (windows overlap too little?)",
                      o->tol, o->max_iter);
    if (!rc) {
        const double norm = log_sum_exp(lnP, nbins);
        for (int n = 0; n < nbins; n++) F[n] = isfinite(lnP[n]) ? norm - lnP[n] : INFINITY;
        if (f)
            for (int i = 0; i < nwin; i++) f[i] = fw[i];
        if (iters) *iters = it;
    }
    free(N), free(H), free(fw), free(tmp), free(lnP);
    return rc;
}

int cnt_wham_bootstrap(int nwin, int nbins, const int *const *x, const long *len, const double *bias, int blocks,
                       size_t nboot, gsl_rng *r, const cnt_wham_opts *o, double *sd, double *F_all)
{
    if (nwin < 1 || nbins < 1 || !x || !len || !bias || blocks < 1 || nboot < 2 || !r || !sd)
        return SR_ERROR(SR_EINVAL, "WHAM bootstrap: need windows, series, blocks >= 1, nboot >= 2, a stream");
    for (int i = 0; i < nwin; i++)
        if (len[i] < blocks) return SR_ERROR(SR_EINVAL, "WHAM bootstrap: window %d has %ld samples < %d blocks", i, len[i], blocks);
    double *hist = calloc((size_t)nwin * nbins, sizeof *hist), *F = malloc((size_t)nbins * sizeof *F);
    double *f = calloc((size_t)nwin, sizeof *f), *s1 = calloc((size_t)nbins, sizeof *s1);
    double *s2 = calloc((size_t)nbins, sizeof *s2);
    long *cnt = calloc((size_t)nbins, sizeof *cnt);
    int rc = (!hist || !F || !f || !s1 || !s2 || !cnt) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    /* warm start from the full data's window free energies */
    for (int i = 0; !rc && i < nwin; i++)
        for (long t = 0; t < len[i]; t++) {
            const int b = x[i][t];
            if (b >= 0 && b < nbins) hist[(size_t)i * nbins + b] += 1;
        }
    if (!rc) rc = cnt_wham_solve(nwin, nbins, hist, bias, o, F, f, 0, NULL);
    for (size_t k = 0; !rc && k < nboot; k++) {
        memset(hist, 0, (size_t)nwin * nbins * sizeof *hist);
        for (int i = 0; i < nwin; i++) {
            const long bl = len[i] / blocks; /* the last block takes the remainder */
            for (int b = 0; b < blocks; b++) {
                const int pick = (int)gsl_rng_uniform_int(r, (unsigned long)blocks);
                const long t0 = pick * bl, t1 = pick == blocks - 1 ? len[i] : t0 + bl;
                for (long t = t0; t < t1; t++) {
                    const int v = x[i][t];
                    if (v >= 0 && v < nbins) hist[(size_t)i * nbins + v] += 1;
                }
            }
        }
        double *fk = malloc((size_t)nwin * sizeof *fk);
        if (!fk) {
            rc = SR_ERROR(SR_ENOMEM, "out of memory");
            break;
        }
        memcpy(fk, f, (size_t)nwin * sizeof *fk);
        rc = cnt_wham_solve(nwin, nbins, hist, bias, o, F, fk, 1, NULL);
        free(fk);
        if (rc) break;
        for (int n = 0; n < nbins; n++) {
            if (F_all) F_all[k * nbins + n] = F[n];
            if (!isfinite(F[n])) continue;
            s1[n] += F[n];
            s2[n] += F[n] * F[n];
            cnt[n]++;
        }
    }
    for (int n = 0; !rc && n < nbins; n++) {
        if (cnt[n] < 2 || 2 * (size_t)cnt[n] < nboot) {
            sd[n] = NAN;
            continue;
        }
        const double m = s1[n] / cnt[n], v = (s2[n] - cnt[n] * m * m) / (cnt[n] - 1);
        sd[n] = sqrt(v > 0 ? v : 0);
    }
    free(hist), free(F), free(f), free(s1), free(s2), free(cnt);
    return rc;
}

int cnt_umbrella_barrier(int nbins, const double *F, int *n_basin, int *n_star)
{
    int lo = -1;
    for (int n = 0; n < nbins; n++)
        if (isfinite(F[n]) && (lo < 0 || F[n] < F[lo])) lo = n;
    int hi = -1;
    for (int n = lo + 1; lo >= 0 && n < nbins; n++)
        if (isfinite(F[n]) && (hi < 0 || F[n] > F[hi])) hi = n;
    if (lo < 0 || hi < 0) return SR_ERROR(SR_EFAILED, "free energy: no sampled bin above the basin's minimum");
    *n_basin = lo;
    *n_star = hi;
    return SR_OK;
}

double cnt_umbrella_cnt_curve(double n, double dmu, double rho_s, double gamma, double kT)
{
    return (-n * fabs(dmu) + cbrt(36.0 * M_PI) * pow(rho_s, -2.0 / 3.0) * gamma * pow(n, 2.0 / 3.0)) / kT;
}

int cnt_umbrella_top_fit(int nbins, const double *dg, int n_peak, int half_width, double *n_star, double *dg_star,
                         double *curv, double *z)
{
    if (nbins < 1 || !dg || n_peak < 0 || n_peak >= nbins || half_width < 2 || !n_star || !dg_star || !curv)
        return SR_ERROR(SR_EINVAL, "barrier top fit: need dG(n), a peak bin inside it and half_width >= 2");
    const int lo = n_peak - half_width < 0 ? 0 : n_peak - half_width;
    const int hi = n_peak + half_width >= nbins ? nbins - 1 : n_peak + half_width;
    int m = 0;
    for (int n = lo; n <= hi; n++) m += isfinite(dg[n]) != 0;
    if (m < 5)
        return SR_ERROR(SR_EFAILED, "barrier top fit: %d finite bins within %d +- %d (need 5)", m, n_peak, half_width);
    gsl_matrix *X = gsl_matrix_alloc((size_t)m, 3), *cov = gsl_matrix_alloc(3, 3);
    gsl_vector *y = gsl_vector_alloc((size_t)m), *c = gsl_vector_alloc(3);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc((size_t)m, 3);
    int rc = (!X || !cov || !y || !c || !ws) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    if (!rc) {
        size_t i = 0;
        for (int n = lo; n <= hi; n++) {
            if (!isfinite(dg[n])) continue;
            const double x = n - n_peak; /* centred: a well-conditioned design */
            gsl_matrix_set(X, i, 0, 1.0);
            gsl_matrix_set(X, i, 1, x);
            gsl_matrix_set(X, i, 2, x * x);
            gsl_vector_set(y, i, dg[n]);
            i++;
        }
        double chisq;
        if (gsl_multifit_linear(X, y, c, cov, &chisq, ws)) rc = SR_ERROR(SR_EFAILED, "barrier top fit: GSL failed");
    }
    if (!rc) {
        const double a0 = gsl_vector_get(c, 0), a1 = gsl_vector_get(c, 1), a2 = gsl_vector_get(c, 2);
        if (!(a2 < 0) || fabs(a1 / (2 * a2)) > half_width) {
            rc = SR_ERROR(SR_EFAILED, "barrier top fit: no maximum of the parabola within %d +- %d", n_peak,
                          half_width);
        } else {
            const double x0 = -a1 / (2 * a2);
            *n_star = n_peak + x0;
            *dg_star = a0 - a1 * a1 / (4 * a2);
            *curv = 2 * a2;
            if (z) *z = sqrt(-*curv / (2 * M_PI));
        }
    }
    gsl_matrix_free(X), gsl_matrix_free(cov), gsl_vector_free(y), gsl_vector_free(c);
    gsl_multifit_linear_free(ws);
    return rc;
}

double cnt_umbrella_log10_rate(double rho_l, double z, double f_plus, double dg_star)
{
    if (!(rho_l > 0) || !(z > 0) || !(f_plus > 0) || !isfinite(dg_star)) return NAN;
    return log10(rho_l) + log10(z) + log10(f_plus) - dg_star / M_LN10;
}

void cnt_umbrella_rate_interval(double u, double u_sd, double u_lo, double u_hi, double f, double f_lo, double f_hi,
                                double out[4])
{
    out[0] = out[1] = out[2] = out[3] = NAN;
    if (!(f > 0) || !isfinite(u)) return;
    const double lf = log10(f);
    double dlo = 0, dhi = 0, sdf = 0; /* f+'s 68% half-widths in log10 (0: exact) */
    if (f_lo > 0 && f_hi > 0 && isfinite(f_lo) && isfinite(f_hi)) {
        dlo = fmax(0.0, lf - log10(f_lo));
        dhi = fmax(0.0, log10(f_hi) - lf);
        sdf = 0.5 * (log10(f_hi) - log10(f_lo));
    }
    out[0] = u + lf;
    if (isfinite(u_sd)) out[1] = sqrt(u_sd * u_sd + sdf * sdf);
    if (isfinite(u_lo) && isfinite(u_hi)) {
        const double ulo = fmax(0.0, u - u_lo), uhi = fmax(0.0, u_hi - u);
        out[2] = out[0] - sqrt(ulo * ulo + dlo * dlo);
        out[3] = out[0] + sqrt(uhi * uhi + dhi * dhi);
    }
}
