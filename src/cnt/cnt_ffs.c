/* Forward flux sampling statistics: basin/trial bookkeeping, the rate estimate with its analytic variance, the
 * bootstrap over first-interface configurations and the adaptive interface rule. Pure functions (see cnt.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_sort.h>

#include "cnt.h"
#include "../common/sr_error.h"

void cnt_ffs_basin_init(cnt_ffs_basin *b, double lambda_A, double lambda_0, double lambda_B)
{
    b->lambda_A = lambda_A;
    b->lambda_0 = lambda_0;
    b->lambda_B = lambda_B;
    b->armed = 0; /* armed by the first observation in A: a run that starts outside A has not come from A */
}

int cnt_ffs_basin_observe(cnt_ffs_basin *b, double lambda)
{
    if (lambda >= b->lambda_B) return CNT_FFS_REACHED_B;
    if (lambda < b->lambda_A) {
        b->armed = 1;
        return CNT_FFS_NONE;
    }
    if (lambda >= b->lambda_0 && b->armed) {
        b->armed = 0;
        return CNT_FFS_CROSSED;
    }
    return CNT_FFS_NONE;
}

int cnt_ffs_trial_observe(double lambda, double lambda_A, double lambda_next)
{
    if (lambda >= lambda_next) return CNT_FFS_SUCCESS;
    if (lambda < lambda_A) return CNT_FFS_FAILURE;
    return CNT_FFS_NONE;
}

int cnt_ffs_check_interfaces(double lambda_A, const double *lambda, int n, char *msg, size_t len)
{
    if (!lambda || n < 2) {
        snprintf(msg, len, "needs at least two interfaces (lambda_0 and the last one, lambda_B), got %d", n);
        return SR_EINVAL;
    }
    if (!isfinite(lambda_A)) {
        snprintf(msg, len, "lambda_A = %g is not a number", lambda_A);
        return SR_EINVAL;
    }
    for (int i = 0; i < n; i++) {
        if (!isfinite(lambda[i])) {
            snprintf(msg, len, "interface %d (%g) is not a number", i, lambda[i]);
            return SR_EINVAL;
        }
        const double prev = i ? lambda[i - 1] : lambda_A;
        if (!(lambda[i] > prev)) {
            if (i == 0)
                snprintf(msg, len, "lambda_0 = %g must be above lambda_A = %g (the basin is lambda < lambda_A)",
                         lambda[0], lambda_A);
            else
                snprintf(msg, len, "interfaces must increase: lambda_%d = %g is not above lambda_%d = %g", i,
                         lambda[i], i - 1, prev);
            return SR_EINVAL;
        }
    }
    return SR_OK;
}

int cnt_ffs_estimate(long n_cross, double t_basin, int n_stages, const long *trials, const long *success,
                     cnt_ffs_result *out)
{
    if (!out || (n_stages > 0 && (!trials || !success)))
        return SR_ERROR(SR_EINVAL, "cnt_ffs_estimate: NULL argument");
    if (n_stages < 1 || n_cross < 0 || !(t_basin > 0))
        return SR_ERROR(SR_EINVAL, "cnt_ffs_estimate: n_stages = %d must be >= 1, crossings %ld >= 0, basin time %g > 0",
                        n_stages, n_cross, t_basin);
    out->flux = (double)n_cross / t_basin;
    out->prob = 1.0;
    out->k_upper95 = NAN;
    out->stages_done = 0;
    double rv = n_cross > 0 ? 1.0 / (double)n_cross : NAN;
    double bound = n_cross > 0 ? out->flux : 3.0 / t_basin; /* rule of three for a Poisson count of zero */
    int zero = n_cross == 0;
    for (int i = 0; i < n_stages; i++) {
        if (trials[i] < 0 || success[i] < 0 || success[i] > trials[i])
            return SR_ERROR(SR_EINVAL, "cnt_ffs_estimate: stage %d: %ld successes of %ld trials", i, success[i],
                            trials[i]);
        if (trials[i] == 0) {
            if (!zero)
                return SR_ERROR(SR_EINVAL, "cnt_ffs_estimate: stage %d has no trials but the stages before succeeded",
                                i);
            continue;
        }
        out->stages_done++;
        const double p = (double)success[i] / (double)trials[i];
        if (zero) continue;
        if (success[i] == 0) {
            zero = 1;
            bound *= 3.0 / (double)trials[i]; /* P_i < 3/M_i (95%); later stages bounded by 1 */
            continue;
        }
        out->prob *= p;
        bound *= p;
        rv += (1.0 - p) / (p * (double)trials[i]);
    }
    if (zero) {
        out->prob = 0;
        out->k = 0;
        out->rel_var = NAN;
        out->k_lo68 = out->k_lo95 = 0;
        out->k_hi68 = out->k_hi95 = NAN;
        out->k_upper95 = bound;
        return SR_OK;
    }
    out->k = out->flux * out->prob;
    out->rel_var = rv;
    /* log-normal: ln k +- z sqrt(ln(1 + Var/k^2)) */
    const double s = sqrt(log1p(rv));
    out->k_lo68 = out->k * exp(-s);
    out->k_hi68 = out->k * exp(s);
    out->k_lo95 = out->k * exp(-2 * s);
    out->k_hi95 = out->k * exp(2 * s);
    return SR_OK;
}

int cnt_ffs_bootstrap(int n_runs, const long *run_cross, const double *run_time, long n_roots, int n_stages,
                      const long *n_trials, const long *const *root, const unsigned char *const *success,
                      size_t n_boot, gsl_rng *rng, cnt_interval *k)
{
    if (!run_cross || !run_time || !n_trials || !root || !success || !rng || !k)
        return SR_ERROR(SR_EINVAL, "cnt_ffs_bootstrap: NULL argument");
    if (n_runs < 1 || n_roots < 1 || n_stages < 1 || n_boot < 2)
        return SR_ERROR(SR_EINVAL, "cnt_ffs_bootstrap: %d runs, %ld roots, %d stages, %zu resamples (need >= 1, 1, 1, 2)",
                        n_runs, n_roots, n_stages, n_boot);
    for (int i = 0; i < n_stages; i++)
        for (long t = 0; t < n_trials[i]; t++)
            if (root[i][t] < 0 || root[i][t] >= n_roots)
                return SR_ERROR(SR_EINVAL, "cnt_ffs_bootstrap: stage %d trial %ld has root %ld outside [0, %ld)", i, t,
                                root[i][t], n_roots);
    double *ks = malloc(n_boot * sizeof *ks);
    long *w = malloc((size_t)n_roots * sizeof *w);
    if (!ks || !w) {
        free(ks);
        free(w);
        return SR_ERROR(SR_ENOMEM, "cnt_ffs_bootstrap: out of memory");
    }
    size_t nonzero = 0;
    for (size_t b = 0; b < n_boot; b++) {
        double c = 0, t = 0;
        for (int r = 0; r < n_runs; r++) {
            const int j = (int)gsl_rng_uniform_int(rng, (unsigned long)n_runs);
            c += (double)run_cross[j];
            t += run_time[j];
        }
        for (long r = 0; r < n_roots; r++) w[r] = 0;
        for (long r = 0; r < n_roots; r++) w[gsl_rng_uniform_int(rng, (unsigned long)n_roots)]++;
        double kb = t > 0 ? c / t : 0;
        for (int i = 0; i < n_stages && kb > 0; i++) {
            double ns = 0, nt = 0;
            for (long q = 0; q < n_trials[i]; q++) {
                const long m = w[root[i][q]];
                nt += (double)m;
                ns += success[i][q] ? (double)m : 0.0;
            }
            kb *= nt > 0 ? ns / nt : 0.0;
        }
        ks[b] = kb;
        nonzero += kb > 0;
    }
    int rc = nonzero ? cnt_percentile_interval(ks, n_boot, k)
                     : SR_ERROR(SR_EFAILED, "cnt_ffs_bootstrap: every resample has k = 0");
    free(ks);
    free(w);
    return rc;
}

double cnt_ffs_next_interface(const double *lambda_max, int m, double lambda_i, double lambda_B, double p_target,
                              double step)
{
    if (!lambda_max || m < 1 || !(p_target > 0 && p_target <= 1) || !(step > 0)) return NAN;
    double *v = malloc((size_t)m * sizeof *v);
    if (!v) return NAN;
    for (int j = 0; j < m; j++) v[j] = lambda_max[j];
    gsl_sort(v, 1, (size_t)m); /* ascending: the k-th largest is v[m - k] */
    int kth = (int)ceil(p_target * m - 1e-9);
    if (kth < 1) kth = 1;
    double L = v[m - kth];
    free(v);
    L = floor(L / step + 1e-9) * step; /* a fraction >= p_target reached every multiple of step up to here */
    if (L < lambda_i + step) L = lambda_i + step;
    if (L > lambda_B) L = lambda_B;
    return L;
}
