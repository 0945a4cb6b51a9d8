/* cnt_thermal.c - thermalised size of an inserted seed and the headline interval with systematics
 * (the accuracy protocol of issue #14; see cnt.h sections 5b and 5c). */
#include "cnt/cnt.h"
#include "common/sr_error.h"

#include <math.h>
#include <stdlib.h>

/* For fixed tau: least squares of y(t) = trace(t) - N0 e^{-t/tau} = a (1 - e^{-t/tau}) + v t over j >= 1
 * (the j = 0 point is exact by construction). Returns the residual sum of squares; a, v out. */
static double fit_fixed_tau(size_t n_t, const double *t, const double *trace, double tau, double *a, double *v)
{
    const double n0 = trace[0];
    double s11 = 0, s12 = 0, s22 = 0, b1 = 0, b2 = 0;
    for (size_t j = 1; j < n_t; j++) {
        const double e = exp(-t[j] / tau), g1 = 1 - e, g2 = t[j], y = trace[j] - n0 * e;
        s11 += g1 * g1;
        s12 += g1 * g2;
        s22 += g2 * g2;
        b1 += g1 * y;
        b2 += g2 * y;
    }
    const double det = s11 * s22 - s12 * s12;
    if (!(fabs(det) > 1e-300)) {
        *a = b1 / s11;
        *v = 0;
    } else {
        *a = (b1 * s22 - b2 * s12) / det;
        *v = (s11 * b2 - s12 * b1) / det;
    }
    double rss = 0;
    for (size_t j = 1; j < n_t; j++) {
        const double e = exp(-t[j] / tau);
        const double r = trace[j] - (*a + (n0 - *a) * e + *v * t[j]);
        rss += r * r;
    }
    return rss;
}

int cnt_thermalised_size(size_t n_t, const double *t, const double *trace, cnt_thermal_fit *out)
{
    if (!t || !trace || !out) return SR_ERROR(SR_EINVAL, "cnt_thermalised_size: NULL argument");
    if (n_t < 4) return SR_ERROR(SR_EINVAL, "cnt_thermalised_size: %zu trace points, need >= 4", n_t);
    for (size_t j = 0; j < n_t; j++) {
        if (!isfinite(t[j]) || !isfinite(trace[j]))
            return SR_ERROR(SR_EINVAL, "cnt_thermalised_size: point %zu is not finite", j);
        if (j && !(t[j] > t[j - 1])) return SR_ERROR(SR_EINVAL, "cnt_thermalised_size: times must increase");
    }
    if (t[0] != 0) return SR_ERROR(SR_EINVAL, "cnt_thermalised_size: t[0] = %g, expected 0 (the inserted seed)", t[0]);
    /* log grid of tau in [t1/4, t_end/2], 48 points, then golden-section refinement around the best */
    const double lo = 0.25 * t[1], hi = 0.5 * t[n_t - 1];
    const int ng = 48;
    double best = INFINITY, best_tau = lo;
    for (int g = 0; g < ng; g++) {
        const double tau = lo * pow(hi / lo, (double)g / (ng - 1));
        double a, v;
        const double rss = fit_fixed_tau(n_t, t, trace, tau, &a, &v);
        if (rss < best) {
            best = rss;
            best_tau = tau;
        }
    }
    const double step = pow(hi / lo, 1.0 / (ng - 1));
    double x0 = log(fmax(lo, best_tau / step)), x3 = log(fmin(hi, best_tau * step));
    const double gr = 0.5 * (sqrt(5.0) - 1);
    for (int it = 0; it < 60 && x3 - x0 > 1e-9; it++) {
        const double x1 = x3 - gr * (x3 - x0), x2 = x0 + gr * (x3 - x0);
        double a, v;
        const double f1 = fit_fixed_tau(n_t, t, trace, exp(x1), &a, &v);
        const double f2 = fit_fixed_tau(n_t, t, trace, exp(x2), &a, &v);
        if (f1 < f2)
            x3 = x2;
        else
            x0 = x1;
    }
    double tau = exp(0.5 * (x0 + x3)), a, v;
    double rss = fit_fixed_tau(n_t, t, trace, tau, &a, &v);
    if (rss > best) { /* keep the grid optimum if the refinement wandered */
        tau = best_tau;
        rss = fit_fixed_tau(n_t, t, trace, tau, &a, &v);
    }
    out->n_th = a;
    out->t_relax = tau;
    out->drift = v;
    out->rms = sqrt(rss / (double)(n_t - 1));
    out->n_points = n_t;
    if (!isfinite(a) || !isfinite(v))
        return SR_ERROR(SR_ENUMERIC, "cnt_thermalised_size: the relaxation fit gave a non-finite plateau");
    return SR_OK;
}

int cnt_total_interval(const cnt_interval *stat, size_t n_sys, const double *s, cnt_interval *total)
{
    if (!stat || !total || (n_sys && !s)) return SR_ERROR(SR_EINVAL, "cnt_total_interval: NULL argument");
    double q = 0;
    for (size_t k = 0; k < n_sys; k++) {
        if (!isfinite(s[k]) || s[k] < 0)
            return SR_ERROR(SR_EINVAL, "cnt_total_interval: systematic %zu = %g, expected finite >= 0", k, s[k]);
        q += s[k] * s[k];
    }
    const double m = stat->median;
    *total = *stat;
    total->lo68 = m - sqrt(pow(m - stat->lo68, 2) + q);
    total->hi68 = m + sqrt(pow(stat->hi68 - m, 2) + q);
    total->lo95 = m - sqrt(pow(m - stat->lo95, 2) + 4 * q);
    total->hi95 = m + sqrt(pow(stat->hi95 - m, 2) + 4 * q);
    return SR_OK;
}
