/* cnt_stats.c - percentile intervals, straight-line fits and draws of uncertain inputs. */
#include "cnt/cnt.h"
#include "common/sr_error.h"

#include <math.h>
#include <gsl/gsl_math.h>
#include <stdlib.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

/* Central 68.27% and 95.45% probabilities of a normal distribution: Phi(-1), Phi(-2). */
#define CNT_P_1SIGMA 0.15865525393145705
#define CNT_P_2SIGMA 0.022750131948179195

int cnt_percentile_interval(double *samples, size_t n, cnt_interval *out)
{
    if (!samples || !out) return SR_ERROR(SR_EINVAL, "cnt_percentile_interval: NULL argument");
    if (n < 2) return SR_ERROR(SR_EINVAL, "cnt_percentile_interval: need at least 2 samples, got %zu", n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(samples[i]))
            return SR_ERROR(SR_EINVAL, "cnt_percentile_interval: sample %zu is not finite", i);
    gsl_sort(samples, 1, n);
    out->median = gsl_stats_quantile_from_sorted_data(samples, 1, n, 0.5);
    out->lo68 = gsl_stats_quantile_from_sorted_data(samples, 1, n, CNT_P_1SIGMA);
    out->hi68 = gsl_stats_quantile_from_sorted_data(samples, 1, n, 1.0 - CNT_P_1SIGMA);
    out->lo95 = gsl_stats_quantile_from_sorted_data(samples, 1, n, CNT_P_2SIGMA);
    out->hi95 = gsl_stats_quantile_from_sorted_data(samples, 1, n, 1.0 - CNT_P_2SIGMA);
    out->n = n;
    return SR_OK;
}

int cnt_linear_fit(size_t n, const double *x, const double *y, const double *sigma_y,
                   cnt_linfit *out)
{
    if (!x || !y || !out) return SR_ERROR(SR_EINVAL, "cnt_linear_fit: NULL argument");
    size_t nmin = sigma_y ? 2 : 3;
    if (n < nmin)
        return SR_ERROR(SR_EINVAL, "cnt_linear_fit: need at least %zu points (%s), got %zu", nmin,
                        sigma_y ? "weighted" : "unweighted", n);
    int distinct = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return SR_ERROR(SR_EINVAL, "cnt_linear_fit: point %zu is not finite (x=%g, y=%g)", i, x[i], y[i]);
        if (sigma_y && !(sigma_y[i] > 0 && isfinite(sigma_y[i])))
            return SR_ERROR(SR_EINVAL, "cnt_linear_fit: sigma_y[%zu] = %g, expected a finite value > 0", i,
                            sigma_y[i]);
        if (x[i] != x[0]) distinct = 1;
    }
    if (!distinct) return SR_ERROR(SR_EINVAL, "cnt_linear_fit: all %zu x values are equal (%g)", n, x[0]);
    double c0, c1, c00, c01, c11, chisq;
    if (sigma_y) {
        double *w = malloc(n * sizeof *w);
        if (!w) return SR_ERROR(SR_ENOMEM, "cnt_linear_fit: out of memory");
        for (size_t i = 0; i < n; i++) w[i] = 1.0 / (sigma_y[i] * sigma_y[i]);
        gsl_fit_wlinear(x, 1, w, 1, y, 1, n, &c0, &c1, &c00, &c01, &c11, &chisq);
        free(w);
    } else {
        gsl_fit_linear(x, 1, y, 1, n, &c0, &c1, &c00, &c01, &c11, &chisq);
    }
    out->a = c0;
    out->b = c1;
    out->cov[0][0] = c00;
    out->cov[0][1] = out->cov[1][0] = c01;
    out->cov[1][1] = c11;
    out->chisq = chisq;
    out->n = n;
    return SR_OK;
}

void cnt_linfit_eval(const cnt_linfit *fit, double x, double *y, double *se)
{
    if (y) *y = fit->a + fit->b * x;
    if (se) {
        double v = fit->cov[0][0] + 2.0 * x * fit->cov[0][1] + x * x * fit->cov[1][1];
        *se = sqrt(v > 0 ? v : 0);
    }
}

double cnt_dist_draw(const cnt_dist *d, gsl_rng *rng)
{
    if (d->samples && d->n_samples > 0)
        return d->samples[gsl_rng_uniform_int(rng, d->n_samples)];
    if (d->sd > 0) return d->value + gsl_ran_gaussian(rng, d->sd);
    return d->value;
}
