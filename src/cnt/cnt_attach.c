/* cnt_attach.c - attachment rate f+ from the diffusion of the cluster size at the top of the barrier.
 * Auer & Frenkel, Nature 409, 1020 (2001): at N_c the size performs a random walk with
 *     <(N(t) - N(0))^2> = 2 f+ t    (for t short compared with the time to leave the barrier top),
 * so f+ = slope/2 of a straight line through the MSD in a window [t0, t1] chosen by the caller. */
#include "cnt/cnt.h"
#include "common/sr_error.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_fit.h>

/* msd[j] for j in [j0, j1] over the replicas listed in idx[0..m-1] (repeats allowed, as in a
 * bootstrap resample); N has rows of n_t times. */
static void msd_of(size_t m, const size_t *idx, size_t n_t, size_t j0, size_t j1, const double *N,
                   double *msd)
{
    for (size_t j = j0; j <= j1; j++) msd[j] = 0;
    for (size_t r = 0; r < m; r++) {
        const double *row = N + idx[r] * n_t;
        for (size_t j = j0; j <= j1; j++) {
            double d = row[j] - row[0];
            msd[j] += d * d;
        }
    }
    for (size_t j = j0; j <= j1; j++) msd[j] /= m;
}

static int attach_validate(size_t n_rep, size_t n_t, const double *t, const double *N)
{
    if (!t || !N) return SR_ERROR(SR_EINVAL, "f+ fit: NULL data");
    if (n_rep == 0 || n_t == 0) return SR_ERROR(SR_EINVAL, "f+ fit: empty data (%zu replicas x %zu times)", n_rep, n_t);
    for (size_t j = 0; j < n_t; j++) {
        if (!isfinite(t[j])) return SR_ERROR(SR_EINVAL, "f+ fit: t[%zu] is not finite", j);
        if (j && !(t[j] > t[j - 1]))
            return SR_ERROR(SR_EINVAL, "f+ fit: times must increase, t[%zu]=%g after t[%zu]=%g", j, t[j], j - 1,
                            t[j - 1]);
    }
    for (size_t i = 0; i < n_rep * n_t; i++)
        if (!isfinite(N[i]))
            return SR_ERROR(SR_EINVAL, "f+ fit: N of replica %zu at time index %zu is not finite", i / n_t, i % n_t);
    return SR_OK;
}

/* window [j0, j1] of grid points inside [t0, t1] */
static int attach_window(size_t n_t, const double *t, double t0, double t1, size_t *j0, size_t *j1)
{
    size_t a = n_t, b = 0, cnt = 0;
    for (size_t j = 0; j < n_t; j++)
        if (t[j] >= t0 && t[j] <= t1) {
            if (a == n_t) a = j;
            b = j;
            cnt++;
        }
    if (cnt < 3)
        return SR_ERROR(SR_EINVAL, "f+ fit: window [%g, %g] holds %zu time points, need >= 3 (data span %g..%g)",
                        t0, t1, cnt, t[0], t[n_t - 1]);
    *j0 = a;
    *j1 = b;
    return SR_OK;
}

int cnt_attach_msd(size_t n_rep, size_t n_t, const double *N, double *msd)
{
    if (!N || !msd) return SR_ERROR(SR_EINVAL, "cnt_attach_msd: NULL argument");
    if (n_rep == 0 || n_t == 0) return SR_ERROR(SR_EINVAL, "cnt_attach_msd: empty data");
    size_t *idx = malloc(n_rep * sizeof *idx);
    if (!idx) return SR_ERROR(SR_ENOMEM, "cnt_attach_msd: out of memory");
    for (size_t r = 0; r < n_rep; r++) idx[r] = r;
    msd_of(n_rep, idx, n_t, 0, n_t - 1, N, msd);
    free(idx);
    return SR_OK;
}

/* OLS line through msd[j0..j1]; slope/2 and its SE */
static void attach_line(const double *t, const double *msd, size_t j0, size_t j1, cnt_attach_fit *out)
{
    double c0, c1, c00, c01, c11, chisq;
    size_t m = j1 - j0 + 1;
    gsl_fit_linear(t + j0, 1, msd + j0, 1, m, &c0, &c1, &c00, &c01, &c11, &chisq);
    out->f_plus = 0.5 * c1;
    out->se_f_plus = 0.5 * sqrt(c11);
    out->intercept = c0;
    out->t0 = t[j0];
    out->t1 = t[j1];
    out->n_points = m;
}

int cnt_attach_fit_msd(size_t n_rep, size_t n_t, const double *t, const double *N,
                       double t0, double t1, cnt_attach_fit *out)
{
    if (!out) return SR_ERROR(SR_EINVAL, "cnt_attach_fit_msd: NULL output");
    SR_TRY(attach_validate(n_rep, n_t, t, N));
    size_t j0 = 0, j1 = 0;
    SR_TRY(attach_window(n_t, t, t0, t1, &j0, &j1));
    double *msd = malloc(n_t * sizeof *msd);
    if (!msd) return SR_ERROR(SR_ENOMEM, "cnt_attach_fit_msd: out of memory");
    int rc = cnt_attach_msd(n_rep, n_t, N, msd);
    if (!rc) attach_line(t, msd, j0, j1, out);
    free(msd);
    if (!rc && !(out->f_plus > 0))
        rc = SR_ERROR(SR_ENUMERIC, "f+ fit: MSD slope %g <= 0 in window [%g, %g]; no size diffusion (all "
                      "replicas frozen?)", 2 * out->f_plus, out->t0, out->t1);
    return rc;
}


/* ---- drift-free f+ : variance of the displacement about its replica mean ---- */

/* var[j] and mean[j] of dN_r(j) = N_r(j) - N_r(0) for j in [j0, j1] over the replicas idx[0..m-1] (m >= 2) */
static void var_of(size_t m, const size_t *idx, size_t n_t, size_t j0, size_t j1, const double *N, double *var,
                   double *mean)
{
    for (size_t j = j0; j <= j1; j++) {
        double s = 0, s2 = 0;
        for (size_t r = 0; r < m; r++) {
            const double *row = N + idx[r] * n_t;
            const double d = row[j] - row[0];
            s += d;
            s2 += d * d;
        }
        const double mu = s / m;
        double v = (s2 - m * mu * mu) / (double)(m - 1);
        var[j] = v > 0 ? v : 0.0;
        if (mean) mean[j] = mu;
    }
}

int cnt_attach_var(size_t n_rep, size_t n_t, const double *N, double *var)
{
    if (!N || !var) return SR_ERROR(SR_EINVAL, "cnt_attach_var: NULL argument");
    if (n_rep < 2 || n_t == 0)
        return SR_ERROR(SR_EINVAL, "cnt_attach_var: need >= 2 replicas and >= 1 time (%zu x %zu)", n_rep, n_t);
    size_t *idx = malloc(n_rep * sizeof *idx);
    if (!idx) return SR_ERROR(SR_ENOMEM, "cnt_attach_var: out of memory");
    for (size_t r = 0; r < n_rep; r++) idx[r] = r;
    var_of(n_rep, idx, n_t, 0, n_t - 1, N, var, NULL);
    free(idx);
    return SR_OK;
}

int cnt_attach_within_groups(size_t n_rep, size_t n_t, const double *N, const int *group, int n_groups, double *out)
{
    if (!N || !group || !out) return SR_ERROR(SR_EINVAL, "cnt_attach_within_groups: NULL argument");
    if (n_groups < 1 || n_rep <= (size_t)n_groups || n_t == 0)
        return SR_ERROR(SR_EINVAL, "f+ starts: need more replicas (%zu) than starts (%d) and >= 1 time", n_rep, n_groups);
    for (size_t r = 0; r < n_rep; r++)
        if (group[r] < 0 || group[r] >= n_groups)
            return SR_ERROR(SR_EINVAL, "f+ starts: replica %zu has start %d, not in [0, %d)", r, group[r], n_groups);
    double *sum = calloc((size_t)n_groups, sizeof *sum);
    size_t *cnt = calloc((size_t)n_groups, sizeof *cnt);
    if (!sum || !cnt) {
        free(sum);
        free(cnt);
        return SR_ERROR(SR_ENOMEM, "cnt_attach_within_groups: out of memory");
    }
    for (size_t r = 0; r < n_rep; r++) cnt[group[r]]++;
    const double c = sqrt((double)(n_rep - 1) / (double)(n_rep - (size_t)n_groups));
    for (size_t j = 0; j < n_t; j++) {
        for (int g = 0; g < n_groups; g++) sum[g] = 0;
        for (size_t r = 0; r < n_rep; r++) sum[group[r]] += N[r * n_t + j] - N[r * n_t];
        for (size_t r = 0; r < n_rep; r++) {
            const int g = group[r];
            out[r * n_t + j] = c * (N[r * n_t + j] - N[r * n_t] - sum[g] / (double)cnt[g]);
        }
    }
    free(sum);
    free(cnt);
    return SR_OK;
}

static void drift_line(const double *t, const double *mean, size_t j0, size_t j1, double *v)
{
    double c0, c1, c00, c01, c11, chisq;
    gsl_fit_linear(t + j0, 1, mean + j0, 1, j1 - j0 + 1, &c0, &c1, &c00, &c01, &c11, &chisq);
    *v = c1;
}

int cnt_attach_fit_drift(size_t n_rep, size_t n_t, const double *t, const double *N,
                         double t0, double t1, cnt_attach_fit *out)
{
    if (!out) return SR_ERROR(SR_EINVAL, "cnt_attach_fit_drift: NULL output");
    SR_TRY(attach_validate(n_rep, n_t, t, N));
    if (n_rep < 2) return SR_ERROR(SR_EINVAL, "f+ fit (drift-free): need >= 2 replicas, got %zu", n_rep);
    size_t j0 = 0, j1 = 0;
    SR_TRY(attach_window(n_t, t, t0, t1, &j0, &j1));
    double *var = malloc(n_t * sizeof *var), *mean = malloc(n_t * sizeof *mean);
    size_t *idx = malloc(n_rep * sizeof *idx);
    if (!var || !mean || !idx) {
        free(var), free(mean), free(idx);
        return SR_ERROR(SR_ENOMEM, "cnt_attach_fit_drift: out of memory");
    }
    for (size_t r = 0; r < n_rep; r++) idx[r] = r;
    var_of(n_rep, idx, n_t, j0, j1, N, var, mean);
    attach_line(t, var, j0, j1, out);
    drift_line(t, mean, j0, j1, &out->drift);
    free(var), free(mean), free(idx);
    if (!(out->f_plus > 0))
        return SR_ERROR(SR_ENUMERIC, "f+ fit (drift-free): variance slope %g <= 0 in window [%g, %g]; no size "
                        "diffusion (all replicas frozen?)", 2 * out->f_plus, out->t0, out->t1);
    return SR_OK;
}


int cnt_attach_window_rule(size_t n_t, const double *t, const double *var, double t_skip, double var_top,
                           size_t min_points, double *t0, double *t1)
{
    if (!t || !var || !t0 || !t1) return SR_ERROR(SR_EINVAL, "cnt_attach_window_rule: NULL argument");
    if (min_points < 3) min_points = 3;
    if (!isfinite(t_skip)) return SR_ERROR(SR_EINVAL, "cnt_attach_window_rule: t_skip %g is not finite", t_skip);
    size_t j0 = n_t;
    for (size_t j = 0; j < n_t; j++)
        if (t[j] >= t_skip) {
            j0 = j;
            break;
        }
    if (j0 == n_t || n_t - j0 < min_points)
        return SR_ERROR(SR_EINVAL, "f+ window: %zu time points at or after t_skip = %g (data end %g), need >= %zu",
                        j0 == n_t ? (size_t)0 : n_t - j0, t_skip, n_t ? t[n_t - 1] : 0.0, min_points);
    size_t j1 = n_t - 1;
    if (var_top > 0 && isfinite(var_top))
        for (size_t j = j0 + 1; j < n_t; j++)
            if (var[j] - var[j0] > var_top) {
                j1 = j - 1;
                break;
            }
    if (j1 + 1 < j0 + min_points) j1 = j0 + min_points - 1;
    *t0 = t[j0];
    *t1 = t[j1];
    return SR_OK;
}

/* ---- drift-free f+ on a parabolic barrier top ---- */
/* On the barrier top beta dG(n) = beta dG* - pi Z^2 (n - N_c)^2, so the size follows dn = kappa (n - N_c) dt +
 * sqrt(2 f+) dW with kappa = 2 pi Z^2 f+ = 2 f+ / V (V = var_top = 1/(pi Z^2)), and the variance about the replica mean
 * obeys d var/dt = 2 kappa var + 2 f+: from the window start t0,
 *     var(t) = (var(t0) + V/2) exp(4 f+ (t - t0) / V) - V/2,
 * i.e. var(t0) + 2 f+ (t - t0) only for t - t0 << V/(4 f+). Least squares over the window with var(t0) free (closed
 * form for each f), minimised over ln f by golden section. Returns the residual sum of squares; a = var(t0). */
static double barrier_rss(const double *t, const double *var, size_t j0, size_t j1, double V, double f, double *a)
{
    double sgg = 0, syg = 0;
    for (size_t j = j0; j <= j1; j++) {
        const double g = exp(4 * f * (t[j] - t[j0]) / V);
        sgg += g * g;
        syg += (var[j] + 0.5 * V) * g;
    }
    const double c = syg / sgg; /* = var(t0) + V/2 */
    *a = c - 0.5 * V;
    double rss = 0;
    for (size_t j = j0; j <= j1; j++) {
        const double r = var[j] - (c * exp(4 * f * (t[j] - t[j0]) / V) - 0.5 * V);
        rss += r * r;
    }
    return rss;
}

static double barrier_fit(const double *t, const double *var, size_t j0, size_t j1, double V, double f_guess,
                          double *a_out)
{
    double lo = log(fmax(f_guess, 1e-300)) - 5, hi = log(fmax(f_guess, 1e-300)) + 3;
    const double gr = 0.5 * (sqrt(5.0) - 1);
    double a;
    for (int it = 0; it < 200 && hi - lo > 1e-10; it++) {
        const double x1 = hi - gr * (hi - lo), x2 = lo + gr * (hi - lo);
        if (barrier_rss(t, var, j0, j1, V, exp(x1), &a) < barrier_rss(t, var, j0, j1, V, exp(x2), &a))
            hi = x2;
        else
            lo = x1;
    }
    const double f = exp(0.5 * (lo + hi));
    barrier_rss(t, var, j0, j1, V, f, a_out);
    return f;
}

int cnt_attach_fit_barrier(size_t n_rep, size_t n_t, const double *t, const double *N, double t0, double t1,
                           double var_top, cnt_attach_fit *out)
{
    SR_TRY(cnt_attach_fit_drift(n_rep, n_t, t, N, t0, t1, out));
    if (!(var_top > 0) || !isfinite(var_top)) return SR_OK;
    double *var = malloc(n_t * sizeof *var);
    if (!var) return SR_ERROR(SR_ENOMEM, "cnt_attach_fit_barrier: out of memory");
    size_t j0 = 0, j1 = 0;
    int rc = attach_window(n_t, t, t0, t1, &j0, &j1);
    if (!rc) rc = cnt_attach_var(n_rep, n_t, N, var);
    if (!rc) {
        double a;
        const double f = barrier_fit(t, var, j0, j1, var_top, out->f_plus, &a);
        out->se_f_plus *= f / out->f_plus; /* the line's relative error */
        out->f_plus = f;
        out->intercept = a;
    }
    free(var);
    return rc;
}

/* ---- bootstrap over replicas, one loop for the three estimators ---- */
enum { BOOT_MSD = 0, BOOT_VAR = 1, BOOT_BARRIER = 2 };

static int boot_core(int kind, double var_top, size_t n_rep, size_t n_t, const double *t, const double *N, double t0,
                     double t1, size_t n_boot, gsl_rng *rng, cnt_interval *f_plus, size_t *n_skipped, const char *who)
{
    if (!rng || !f_plus) return SR_ERROR(SR_EINVAL, "%s: NULL rng or output", who);
    SR_TRY(attach_validate(n_rep, n_t, t, N));
    if (n_rep < 2) return SR_ERROR(SR_EINVAL, "%s: need >= 2 replicas, got %zu", who, n_rep);
    if (n_boot < 2) return SR_ERROR(SR_EINVAL, "%s: n_boot=%zu, need >= 2", who, n_boot);
    size_t j0 = 0, j1 = 0;
    SR_TRY(attach_window(n_t, t, t0, t1, &j0, &j1));
    size_t *idx = malloc(n_rep * sizeof *idx);
    double *y = malloc(n_t * sizeof *y), *fp = malloc(n_boot * sizeof *fp);
    if (!idx || !y || !fp) {
        free(idx), free(y), free(fp);
        return SR_ERROR(SR_ENOMEM, "%s: out of memory", who);
    }
    size_t good = 0, skipped = 0;
    /* only the window matters: the statistic is computed on [j0, j1] */
    for (size_t b = 0; b < n_boot; b++) {
        for (size_t r = 0; r < n_rep; r++) idx[r] = gsl_rng_uniform_int(rng, n_rep);
        if (kind == BOOT_MSD)
            msd_of(n_rep, idx, n_t, j0, j1, N, y);
        else
            var_of(n_rep, idx, n_t, j0, j1, N, y, NULL);
        cnt_attach_fit f;
        attach_line(t, y, j0, j1, &f);
        if (!(f.f_plus > 0)) {
            skipped++;
            continue;
        }
        double a;
        fp[good++] = kind == BOOT_BARRIER ? barrier_fit(t, y, j0, j1, var_top, f.f_plus, &a) : f.f_plus;
    }
    int rc = SR_OK;
    if (n_skipped) *n_skipped = skipped;
    if (skipped * 2 > n_boot)
        rc = SR_ERROR(SR_ENUMERIC, "%s: %zu of %zu resamples had %s slope <= 0", who, skipped, n_boot,
                      kind == BOOT_MSD ? "MSD" : "variance");
    if (!rc) rc = cnt_percentile_interval(fp, good, f_plus);
    free(idx), free(y), free(fp);
    return rc;
}

int cnt_attach_bootstrap(size_t n_rep, size_t n_t, const double *t, const double *N, double t0, double t1,
                         size_t n_boot, gsl_rng *rng, cnt_interval *f_plus, size_t *n_skipped)
{
    return boot_core(BOOT_MSD, 0, n_rep, n_t, t, N, t0, t1, n_boot, rng, f_plus, n_skipped, "cnt_attach_bootstrap");
}

int cnt_attach_bootstrap_drift(size_t n_rep, size_t n_t, const double *t, const double *N, double t0, double t1,
                               size_t n_boot, gsl_rng *rng, cnt_interval *f_plus, size_t *n_skipped)
{
    return boot_core(BOOT_VAR, 0, n_rep, n_t, t, N, t0, t1, n_boot, rng, f_plus, n_skipped,
                     "cnt_attach_bootstrap_drift");
}

int cnt_attach_bootstrap_barrier(size_t n_rep, size_t n_t, const double *t, const double *N, double t0, double t1,
                                 double var_top, size_t n_boot, gsl_rng *rng, cnt_interval *f_plus, size_t *n_skipped)
{
    const int barrier = var_top > 0 && isfinite(var_top);
    return boot_core(barrier ? BOOT_BARRIER : BOOT_VAR, var_top, n_rep, n_t, t, N, t0, t1, n_boot, rng, f_plus,
                     n_skipped, "cnt_attach_bootstrap_barrier");
}
