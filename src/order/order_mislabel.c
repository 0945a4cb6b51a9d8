/* order_mislabel.c - threshold choice by the mislabeling criterion (Espinosa, Vega, Valeriani, Sanz,
 * JCP 144, 034501, 2016): the threshold t at which the fraction of bulk-liquid atoms labelled solid,
 * P_liq(score >= t), equals the fraction of bulk-crystal atoms labelled liquid, P_xtal(score < t).
 * The first decreases and the second increases with t, so the crossing is unique. */
#include "order.h"

#include <math.h>

#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Empirical CDF with plotting positions: F(s_k) = (k + 1/2)/n at the sorted samples s_k, linear in
 * between, 0 below s_0 and 1 above s_{n-1}. For samples placed at the quantiles (k+1/2)/n of a
 * distribution this reproduces its CDF at every sample. */
static double ecdf(const double *s, size_t n, double t)
{
    if (t < s[0]) return 0.0;
    if (t >= s[n - 1]) return 1.0;
    size_t lo = 0, hi = n - 1; /* s[lo] <= t < s[hi] */
    while (hi - lo > 1) {
        const size_t mid = (lo + hi) / 2;
        if (s[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    const double f0 = (lo + 0.5) / n, f1 = (hi + 0.5) / n;
    const double w = s[hi] > s[lo] ? (t - s[lo]) / (s[hi] - s[lo]) : 0.0;
    return f0 + w * (f1 - f0);
}

static int sorted_copy(const double *v, size_t n, double **out, const char *what)
{
    *out = NULL;
    if (!v || n == 0) return SR_ERROR(SR_EINVAL, "order_mislabel: no %s scores", what);
    double *s = malloc(n * sizeof *s);
    if (!s) return SR_ERROR(SR_ENOMEM, "order_mislabel: out of memory for %zu scores", n);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) {
            free(s);
            return SR_ERROR(SR_EINVAL, "order_mislabel: %s score %zu is not finite", what, i);
        }
        s[i] = v[i];
    }
    qsort(s, n, sizeof *s, cmp_double);
    *out = s;
    return SR_OK;
}

int order_mislabel_crossing(const double *liq, size_t nliq, const double *xtal, size_t nxtal,
                            double tol, order_mislabel *out)
{
    if (!out) return SR_ERROR(SR_EINVAL, "order_mislabel_crossing: NULL result");
    if (!(tol > 0)) return SR_ERROR(SR_EINVAL, "order_mislabel_crossing: tolerance %g must be > 0", tol);
    double *L = NULL, *X = NULL;
    int rc = sorted_copy(liq, nliq, &L, "liquid");
    if (!rc) rc = sorted_copy(xtal, nxtal, &X, "crystal");
    if (rc) {
        free(L);
        return rc;
    }
    /* h(t) = P_liq(score >= t) - P_xtal(score < t), non-increasing, from +1 to -1. When the sets do
     * not overlap h vanishes on a whole interval: take its midpoint (bisect for both ends). */
    double lo = fmin(L[0], X[0]), hi = fmax(L[nliq - 1], X[nxtal - 1]);
    lo -= 1e-9 * (fabs(lo) + 1);
    hi += 1e-9 * (fabs(hi) + 1);
    double ends[2];
    for (int side = 0; side < 2; side++) {
        double a = lo, b = hi;
        while (b - a > tol) {
            const double t = 0.5 * (a + b);
            const double h = (1.0 - ecdf(L, nliq, t)) - ecdf(X, nxtal, t);
            if (side == 0 ? h > 0 : h >= 0)
                a = t;
            else
                b = t;
        }
        ends[side] = 0.5 * (a + b);
    }
    double t = 0.5 * (ends[0] + ends[1]);
    out->extrapolated = 0;
    if (ends[1] - ends[0] > 4 * tol) {
        /* The sampled sets do not overlap: every t in [ends] mislabels nobody, and the midpoint of that gap is set by
         * the two most extreme samples, so it drifts as more frames are sampled. Apply the criterion to normal
         * distributions with the samples' means and standard deviations instead (equal tail probabilities:
         * (t - mu_l)/s_l = (mu_x - t)/s_x), which converges with the sample size, kept inside the empty gap. */
        const double ml = gsl_stats_mean(L, 1, nliq), mx = gsl_stats_mean(X, 1, nxtal);
        const double sl = nliq > 1 ? gsl_stats_sd_m(L, 1, nliq, ml) : 0, sx = nxtal > 1 ? gsl_stats_sd_m(X, 1, nxtal, mx) : 0;
        if (sl + sx > 0 && mx > ml) {
            const double tz = (ml * sx + mx * sl) / (sl + sx);
            t = fmin(fmax(tz, ends[0]), ends[1]);
            out->extrapolated = 1;
        }
    }
    out->threshold = t;
    out->liquid_as_solid = 1.0 - ecdf(L, nliq, t);
    out->solid_as_liquid = ecdf(X, nxtal, t);
    out->fraction = 0.5 * (out->liquid_as_solid + out->solid_as_liquid);
    free(L);
    free(X);
    return SR_OK;
}

int order_mislabel_integer(const int *liq, size_t nliq, const int *xtal, size_t nxtal,
                           order_mislabel *out)
{
    if (!out || !liq || !xtal || nliq == 0 || nxtal == 0)
        return SR_ERROR(SR_EINVAL, "order_mislabel_integer: empty score set or NULL argument");
    int lo = liq[0], hi = liq[0];
    for (size_t i = 0; i < nliq; i++) {
        if (liq[i] < lo) lo = liq[i];
        if (liq[i] > hi) hi = liq[i];
    }
    for (size_t i = 0; i < nxtal; i++) {
        if (xtal[i] < lo) lo = xtal[i];
        if (xtal[i] > hi) hi = xtal[i];
    }
    if ((long)hi - lo > 1000000)
        return SR_ERROR(SR_ERANGE, "order_mislabel_integer: score range %d..%d too wide", lo, hi);
    /* histograms over lo..hi+1; threshold t labels score >= t solid */
    const int nb = hi - lo + 2;
    long *hl = calloc((size_t)nb, sizeof *hl), *hx = calloc((size_t)nb, sizeof *hx);
    if (!hl || !hx) {
        free(hl);
        free(hx);
        return SR_ERROR(SR_ENOMEM, "order_mislabel_integer: out of memory");
    }
    for (size_t i = 0; i < nliq; i++) hl[liq[i] - lo]++;
    for (size_t i = 0; i < nxtal; i++) hx[xtal[i] - lo]++;
    out->extrapolated = 0;
    long liq_ge = (long)nliq, xtal_lt = 0; /* at t = lo */
    double best = 2.0, best_mean = 2.0;
    for (int k = 0; k < nb; k++) {
        const double fl = (double)liq_ge / nliq, fx = (double)xtal_lt / nxtal;
        const double diff = fabs(fl - fx), mean = 0.5 * (fl + fx);
        if (diff < best - 1e-15 || (diff < best + 1e-15 && mean < best_mean)) {
            best = diff;
            best_mean = mean;
            out->threshold = lo + k;
            out->liquid_as_solid = fl;
            out->solid_as_liquid = fx;
            out->fraction = mean;
        }
        liq_ge -= hl[k];
        xtal_lt += hx[k];
    }
    free(hl);
    free(hx);
    return SR_OK;
}
