/* cnt_pgrow.c - maximum-likelihood fit of the grow probability and its bootstrap.
 *
 * Model (Espinosa, Vega, Valeriani & Sanz, JCP 144, 034501 (2016)):
 *     P_grow(x) = 1 / (1 + exp(-(x - x_c)/w)).
 * Group i has n_total[i] independent replicas at x[i], of which n_grow[i] grew, so
 *     ln L = sum_i [ ln C(n_i, k_i) + k_i ln p_i + (n_i - k_i) ln(1 - p_i) ].
 * In the natural parameters z = a + b u, u = (x - xbar)/s (centred and scaled for conditioning),
 * ln L is concave (logistic regression), so Newton with step halving converges whenever the MLE
 * exists, i.e. whenever the outcomes are not (quasi-)separated by x (Albert & Anderson,
 * Biometrika 71, 1 (1984)). Then x_c = xbar - s a/b and w = s/b. */
#include "cnt/cnt.h"
#include "common/sr_error.h"

#include <float.h>
#include <math.h>
#include <gsl/gsl_math.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

enum { FIT_OK = 0, FIT_ALL_GROW, FIT_ALL_MELT, FIT_SEPARATED, FIT_ONE_X, FIT_NOCONV };

/* ln(1 + e^u) without overflow. */
static double softplus(double u) { return u > 0 ? u + log1p(exp(-u)) : log1p(exp(u)); }

/* Does a finite MLE exist? Classifies the degenerate cases. */
static int pgrow_check_data(size_t n, const double *x, const unsigned *k, const unsigned *nt)
{
    double min_grow = INFINITY, max_grow = -INFINITY, min_melt = INFINITY, max_melt = -INFINITY;
    int distinct = 0;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != x[0]) distinct = 1;
        if (k[i] > 0) {
            if (x[i] < min_grow) min_grow = x[i];
            if (x[i] > max_grow) max_grow = x[i];
        }
        if (nt[i] > k[i]) {
            if (x[i] < min_melt) min_melt = x[i];
            if (x[i] > max_melt) max_melt = x[i];
        }
    }
    if (isinf(min_melt)) return FIT_ALL_GROW;
    if (isinf(min_grow)) return FIT_ALL_MELT;
    if (!distinct) return FIT_ONE_X;
    /* quasi-complete separation: a threshold puts every grow on one side, every melt on the other */
    if (min_grow >= max_melt || max_grow <= min_melt) return FIT_SEPARATED;
    return FIT_OK;
}

static double pgrow_loglik(size_t n, const double *u, const unsigned *k, const unsigned *nt, double a,
                           double b)
{
    double ll = 0;
    for (size_t i = 0; i < n; i++) {
        double z = a + b * u[i];
        /* ln p = -softplus(-z), ln(1-p) = -softplus(z) */
        ll -= k[i] * softplus(-z) + (double)(nt[i] - k[i]) * softplus(z);
    }
    return ll;
}

/* Newton-Raphson in (a, b). u: scaled x. Returns FIT_OK or FIT_NOCONV; fills a, b, the inverse
 * of the negative Hessian (covariance of a, b), iterations. Assumes the data passed the check. */
static int pgrow_newton(size_t n, const double *u, const unsigned *k, const unsigned *nt, double grad_tol,
                        int max_iter, double *a_out, double *b_out, double cab[2][2], int *iter_out)
{
    double a = 0, b = 0, ntot = 0;
    for (size_t i = 0; i < n; i++) ntot += nt[i];
    double ll = pgrow_loglik(n, u, k, nt, a, b);
    int it, conv = 0;
    double h00 = 0, h01 = 0, h11 = 0;
    for (it = 0; it <= max_iter; it++) {
        double g0 = 0, g1 = 0;
        h00 = h01 = h11 = 0;
        for (size_t i = 0; i < n; i++) {
            double p = 1.0 / (1.0 + exp(-(a + b * u[i])));
            double r = k[i] - nt[i] * p, wt = nt[i] * p * (1.0 - p);
            g0 += r;
            g1 += r * u[i];
            h00 += wt;
            h01 += wt * u[i];
            h11 += wt * u[i] * u[i];
        }
        if (fmax(fabs(g0), fabs(g1)) / ntot < grad_tol) {
            conv = 1;
            break;
        }
        if (it == max_iter) break;
        double det = h00 * h11 - h01 * h01;
        if (!(det > 0)) break;
        /* Newton step on the concave ln L: delta = (-H)^-1 g */
        double da = (h11 * g0 - h01 * g1) / det, db = (h00 * g1 - h01 * g0) / det;
        /* Step halving while ln L decreases, unless the predicted gain (half the Newton decrement
         * g.delta) is below the rounding error of ln L itself, where the comparison means nothing. */
        double gain = 0.5 * (g0 * da + g1 * db);
        double noise = 16.0 * DBL_EPSILON * (fabs(ll) + ntot);
        double step = 1.0, ll_new = ll;
        for (int half = 0; half < 60; half++) {
            ll_new = pgrow_loglik(n, u, k, nt, a + step * da, b + step * db);
            if (ll_new >= ll || gain < noise) break;
            step *= 0.5;
        }
        a += step * da;
        b += step * db;
        ll = ll_new;
    }
    double det = h00 * h11 - h01 * h01;
    *a_out = a;
    *b_out = b;
    *iter_out = it;
    if (!conv || !(det > 0) || b == 0) return FIT_NOCONV;
    cab[0][0] = h11 / det;
    cab[1][1] = h00 / det;
    cab[0][1] = cab[1][0] = -h01 / det;
    return FIT_OK;
}

/* The fit without recording errors (used by the bootstrap). */
static int pgrow_fit_core(size_t n, const double *x, const unsigned *k, const unsigned *nt, double *u,
                          double grad_tol, int max_iter, cnt_logistic_fit *out)
{
    int c = pgrow_check_data(n, x, k, nt);
    if (c != FIT_OK) return c;
    double mean = 0, var = 0;
    for (size_t i = 0; i < n; i++) mean += x[i];
    mean /= n;
    for (size_t i = 0; i < n; i++) var += (x[i] - mean) * (x[i] - mean);
    double s = sqrt(var / n);
    for (size_t i = 0; i < n; i++) u[i] = (x[i] - mean) / s;
    double a, b, cab[2][2];
    int it;
    c = pgrow_newton(n, u, k, nt, grad_tol, max_iter, &a, &b, cab, &it);
    out->iterations = it;
    out->converged = (c == FIT_OK);
    if (b == 0) { /* flat last iterate: report the data centre and an infinite width, never NaN */
        out->x_c = mean;
        out->w = INFINITY;
        return FIT_NOCONV;
    }
    out->x_c = mean - s * a / b;
    out->w = s / b;
    if (c != FIT_OK) return c;
    /* Jacobian of (x_c, w) with respect to (a, b) */
    double J[2][2] = {{-s / b, s * a / (b * b)}, {0.0, -s / (b * b)}};
    for (int p = 0; p < 2; p++)
        for (int q = 0; q < 2; q++) {
            double v = 0;
            for (int r = 0; r < 2; r++)
                for (int t = 0; t < 2; t++) v += J[p][r] * cab[r][t] * J[q][t];
            out->cov[p][q] = v;
        }
    out->se_x_c = sqrt(out->cov[0][0]);
    out->se_w = sqrt(out->cov[1][1]);
    double ll = pgrow_loglik(n, u, k, nt, a, b);
    for (size_t i = 0; i < n; i++) ll += gsl_sf_lnchoose(nt[i], k[i]);
    out->loglik = ll;
    return FIT_OK;
}

static int pgrow_validate(const char *who, size_t n, const double *x, const unsigned *k, const unsigned *nt)
{
    if (!x || !k || !nt) return SR_ERROR(SR_EINVAL, "%s: NULL data array", who);
    if (n == 0) return SR_ERROR(SR_EINVAL, "%s: no groups (empty data)", who);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) return SR_ERROR(SR_EINVAL, "%s: x[%zu] is not finite", who, i);
        if (nt[i] == 0) return SR_ERROR(SR_EINVAL, "%s: group %zu (x=%g) has no replicas", who, i, x[i]);
        if (k[i] > nt[i])
            return SR_ERROR(SR_EINVAL, "%s: group %zu (x=%g) has n_grow=%u > n_total=%u", who, i, x[i], k[i],
                            nt[i]);
    }
    return SR_OK;
}

static int pgrow_report(int c, size_t n, const cnt_logistic_fit *out)
{
    switch (c) {
    case FIT_OK: return SR_OK;
    case FIT_ALL_GROW:
        return SR_ERROR(SR_ENUMERIC, "P_grow fit: all replicas grew in all %zu groups; no melting outcome, "
                        "so x_c lies below the data: add smaller seeds / higher T", n);
    case FIT_ALL_MELT:
        return SR_ERROR(SR_ENUMERIC, "P_grow fit: all replicas melted in all %zu groups; no growth outcome, "
                        "so x_c lies above the data: add larger seeds / lower T", n);
    case FIT_ONE_X:
        return SR_ERROR(SR_EINVAL, "P_grow fit: all groups are at the same x; need at least 2 distinct x "
                        "values to fit x_c and w");
    case FIT_SEPARATED:
        return SR_ERROR(SR_ENUMERIC, "P_grow fit: outcomes are separated by x (every grow on one side of "
                        "every melt), the maximum-likelihood width is w -> 0; add points inside the transition");
    default:
        return SR_ERROR(SR_ENUMERIC, "P_grow fit: Newton did not converge in %d iterations (x_c=%g, w=%g)",
                        out->iterations, out->x_c, out->w);
    }
}

int cnt_pgrow_fit(size_t n, const double *x, const unsigned *n_grow, const unsigned *n_total,
                  double grad_tol, int max_iter, cnt_logistic_fit *out)
{
    if (!out) return SR_ERROR(SR_EINVAL, "cnt_pgrow_fit: NULL output");
    SR_TRY(pgrow_validate("cnt_pgrow_fit", n, x, n_grow, n_total));
    if (!(grad_tol > 0) || max_iter < 1)
        return SR_ERROR(SR_EINVAL, "cnt_pgrow_fit: grad_tol=%g must be > 0 and max_iter=%d >= 1", grad_tol,
                        max_iter);
    double *u = malloc(n * sizeof *u);
    if (!u) return SR_ERROR(SR_ENOMEM, "cnt_pgrow_fit: out of memory");
    *out = (cnt_logistic_fit){0};
    int c = pgrow_fit_core(n, x, n_grow, n_total, u, grad_tol, max_iter, out);
    free(u);
    return pgrow_report(c, n, out);
}

double cnt_pgrow_eval(const cnt_logistic_fit *fit, double x)
{
    return 1.0 / (1.0 + exp(-(x - fit->x_c) / fit->w));
}

int cnt_pgrow_bootstrap(size_t n, const double *x, const unsigned *n_grow, const unsigned *n_total,
                        size_t n_boot, gsl_rng *rng, double grad_tol, int max_iter,
                        cnt_interval *x_c_interval, cnt_interval *w_interval, size_t *n_skipped)
{
    if (!rng || !x_c_interval) return SR_ERROR(SR_EINVAL, "cnt_pgrow_bootstrap: NULL rng or output");
    if (n_boot < 2) return SR_ERROR(SR_EINVAL, "cnt_pgrow_bootstrap: n_boot=%zu, need >= 2", n_boot);
    cnt_logistic_fit fit;
    SR_TRY(cnt_pgrow_fit(n, x, n_grow, n_total, grad_tol, max_iter, &fit));
    double *u = malloc(n * sizeof *u), *xc = malloc(n_boot * sizeof *xc), *w = malloc(n_boot * sizeof *w);
    unsigned *k = malloc(n * sizeof *k);
    if (!u || !xc || !w || !k) {
        free(u), free(xc), free(w), free(k);
        return SR_ERROR(SR_ENOMEM, "cnt_pgrow_bootstrap: out of memory");
    }
    size_t good = 0, nw = 0, skipped = 0;
    for (size_t b = 0; b < n_boot; b++) {
        /* resampling n_total[i] replicas with replacement = one binomial draw per group */
        for (size_t i = 0; i < n; i++)
            k[i] = gsl_ran_binomial(rng, (double)n_grow[i] / n_total[i], n_total[i]);
        const int c = pgrow_fit_core(n, x, k, n_total, u, grad_tol, max_iter, &fit);
        double lo, hi;
        if (c == FIT_OK) {
            xc[good++] = fit.x_c;
            w[nw++] = fit.w;
        } else if (c == FIT_SEPARATED && cnt_pgrow_bracket(n, x, k, n_total, &lo, &hi) == SR_OK) {
            /* a step anywhere in the bracket fits these outcomes exactly (the likelihood is flat there): x_c
             * uniform in it. The position is a Weyl sequence in b, not a draw, so the rng's stream (and every
             * other resample) is that of a bootstrap without this case */
            const double q = fmod(0.6180339887498949 * (double)(b + 1), 1.0);
            xc[good++] = lo + q * (hi - lo);
        } else {
            sr_error_clear();
            skipped++;
        }
    }
    int rc = SR_OK;
    if (n_skipped) *n_skipped = skipped;
    if (skipped * 2 > n_boot)
        rc = SR_ERROR(SR_ENUMERIC, "cnt_pgrow_bootstrap: %zu of %zu resamples had no finite MLE "
                      "(all one outcome, or P_grow falling); add replicas or groups inside the transition", skipped,
                      n_boot);
    if (!rc) rc = cnt_percentile_interval(xc, good, x_c_interval);
    if (!rc && w_interval) rc = nw ? cnt_percentile_interval(w, nw, w_interval)
                                   : SR_ERROR(SR_ENUMERIC, "cnt_pgrow_bootstrap: every resample was separated (no width)");
    free(u), free(xc), free(w), free(k);
    return rc;
}

int cnt_pgrow_bracket(size_t n, const double *x, const unsigned *n_grow, const unsigned *n_total, double *lo,
                      double *hi)
{
    if (!x || !n_grow || !n_total || !lo || !hi) return SR_ERROR(SR_EINVAL, "cnt_pgrow_bracket: NULL argument");
    double b_lo = -INFINITY, b_hi = INFINITY;
    for (size_t q = 0; q < n; q++) {
        if (n_total[q] == 0) continue;
        if (n_grow[q] == 0 && x[q] > b_lo) b_lo = x[q];
        if (n_grow[q] == n_total[q] && x[q] < b_hi) b_hi = x[q];
    }
    if (!isfinite(b_lo) || !isfinite(b_hi) || !(b_hi > b_lo))
        return SR_ERROR(SR_EFAILED, "P_grow bracket: no size where all melted below one where all grew (lo %g, hi %g)",
                        b_lo, b_hi);
    *lo = b_lo;
    *hi = b_hi;
    return SR_OK;
}

double cnt_pgrow_top_bias(double grow_factor, double melt_fraction)
{
    const double up = grow_factor - 1.0, down = 1.0 - melt_fraction;
    if (!(up > 0) || !(down > 0)) return NAN;
    return down / (up + down);
}
