/* cnt_brute.c - rates from first-passage times without CNT (brute force; see cnt.h, "Brute force"):
 * censored-exponential maximum likelihood (plain and with an induction lag), its bootstrap over replicas, the
 * mean first-passage curve tau(n) and its Wedekind-Strey-Reguera fit with a bootstrap. Pure functions of
 * numbers, shared by `seedrate brute` (MD) and `seedrate ising` (lattice kMC). */
#include "cnt/cnt.h"
#include "common/sr_error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_math.h>

static int check_times(size_t n, const double *t, const int *reached, const char *who)
{
    if (!t || !reached) return SR_ERROR(SR_EINVAL, "%s: NULL argument", who);
    if (n == 0) return SR_ERROR(SR_EINVAL, "%s: no replicas", who);
    for (size_t i = 0; i < n; i++)
        if (!(t[i] >= 0) || !isfinite(t[i]))
            return SR_ERROR(SR_EINVAL, "%s: time %zu is %g, expected finite and >= 0", who, i, t[i]);
    return SR_OK;
}

int cnt_brute_mle_fit(size_t n, const double *t, const int *reached, cnt_brute_mle *out)
{
    SR_TRY(check_times(n, t, reached, "cnt_brute_mle_fit"));
    memset(out, 0, sizeof *out);
    out->n_total = n;
    for (size_t i = 0; i < n; i++) {
        out->t_sum += t[i];
        out->n_reached += reached[i] != 0;
    }
    if (!(out->t_sum > 0)) return SR_ERROR(SR_EINVAL, "cnt_brute_mle_fit: total observed time is 0");
    /* d ln L / dk = n_r / k - sum t = 0  ->  k = n_r / sum t;  -d2 ln L / dk2 = n_r / k^2 */
    out->k = (double)out->n_reached / out->t_sum;
    out->k_err = out->n_reached ? out->k / sqrt((double)out->n_reached) : NAN;
    /* no event: P(0 events | k) = exp(-k sum t) = 0.05 bounds k from above */
    out->k_upper95 = out->n_reached ? NAN : -log(0.05) / out->t_sum;
    return SR_OK;
}

int cnt_brute_mle_fit_lag(size_t n, const double *t, const int *reached, cnt_brute_mle *out, double *t_lag)
{
    SR_TRY(check_times(n, t, reached, "cnt_brute_mle_fit_lag"));
    if (!out || !t_lag) return SR_ERROR(SR_EINVAL, "cnt_brute_mle_fit_lag: NULL argument");
    memset(out, 0, sizeof *out);
    out->n_total = n;
    double t0 = INFINITY;
    for (size_t i = 0; i < n; i++)
        if (reached[i]) {
            out->n_reached++;
            if (t[i] < t0) t0 = t[i];
        }
    if (out->n_reached < 2)
        return SR_ERROR(SR_EFAILED, "cnt_brute_mle_fit_lag: %zu passage(s): the lag fit needs at least 2",
                        out->n_reached);
    /* ln L(k, t0) = n_r ln k - k sum_i (t_i - t0) for t0 <= min t_i (passages): increasing in t0, so t0 = the
     * earliest passage; then k = n_r / sum (t_i - t0). Censored times exceed every passage time. */
    for (size_t i = 0; i < n; i++) out->t_sum += (t[i] > t0 ? t[i] - t0 : 0.0);
    if (!(out->t_sum > 0))
        return SR_ERROR(SR_EFAILED, "cnt_brute_mle_fit_lag: every passage happened at the same time %g", t0);
    const double m = (double)out->n_reached - 1.0;
    out->k = m / out->t_sum;
    out->k_err = out->k / sqrt(m);
    out->k_upper95 = NAN;
    *t_lag = t0;
    return SR_OK;
}

int cnt_brute_mle_bootstrap(size_t n, const double *t, const int *reached, size_t n_boot, gsl_rng *rng,
                             cnt_interval *k_interval)
{
    SR_TRY(check_times(n, t, reached, "cnt_brute_mle_bootstrap"));
    if (n_boot < 2 || !rng || !k_interval)
        return SR_ERROR(SR_EINVAL, "cnt_brute_mle_bootstrap: n_boot = %zu must be >= 2 (and rng, out given)", n_boot);
    double *k = malloc(n_boot * sizeof *k);
    if (!k) return SR_ERROR(SR_ENOMEM, "cnt_brute_mle_bootstrap: out of memory");
    size_t used = 0;
    for (size_t b = 0; b < n_boot; b++) {
        double ts = 0;
        size_t nr = 0;
        for (size_t i = 0; i < n; i++) {
            size_t j = (size_t)gsl_rng_uniform_int(rng, n);
            ts += t[j];
            nr += reached[j] != 0;
        }
        if (ts > 0) k[used++] = (double)nr / ts;
    }
    int rc = used >= 2 ? cnt_percentile_interval(k, used, k_interval)
                       : SR_ERROR(SR_EFAILED, "cnt_brute_mle_bootstrap: every resample had zero observed time");
    free(k);
    return rc;
}

int cnt_brute_mfpt_curve(size_t nrep, int n_stop, const double *tfp, double *tau, int *count)
{
    if (!tfp || !tau || !count) return SR_ERROR(SR_EINVAL, "cnt_brute_mfpt_curve: NULL argument");
    if (nrep == 0 || n_stop < 1)
        return SR_ERROR(SR_EINVAL, "cnt_brute_mfpt_curve: nrep = %zu, n_stop = %d must be >= 1", nrep, n_stop);
    const size_t w = (size_t)n_stop + 1;
    for (size_t n = 0; n < w; n++) {
        double s = 0;
        int c = 0;
        for (size_t r = 0; r < nrep; r++) {
            double v = tfp[r * w + n];
            if (isfinite(v)) {
                s += v;
                c++;
            }
        }
        count[n] = c;
        tau[n] = c ? s / c : NAN;
    }
    return SR_OK;
}

int cnt_brute_mfpt_fit(const double *tau, int n_lo, int n_hi, cnt_brute_mfpt *out)
{
    if (!tau || !out) return SR_ERROR(SR_EINVAL, "cnt_brute_mfpt_fit: NULL argument");
    if (n_lo < 0 || n_hi < n_lo + 3)
        return SR_ERROR(SR_EINVAL, "cnt_brute_mfpt_fit: size range [%d, %d] has fewer than 4 points", n_lo, n_hi);
    memset(out, 0, sizeof *out);
    out->n_lo = n_lo;
    out->n_hi = n_hi;
    /* unweighted: the tau(n) share their trajectories, see cnt_mfpt_fit_wsr in cnt.h */
    SR_TRY(cnt_mfpt_fit_wsr((size_t)n_lo, (size_t)n_hi, tau, NULL, 1e-10, 1e-10, 500, &out->fit));
    out->Z = out->fit.c / sqrt(M_PI);
    out->se_Z = out->fit.se_c / sqrt(M_PI);
    return SR_OK;
}

int cnt_brute_mfpt_bootstrap(size_t nrep, int n_stop, const double *tfp, int n_lo, int n_hi, size_t n_boot,
                              gsl_rng *rng, cnt_interval *tau_J, cnt_interval *n_star, cnt_interval *Z,
                              size_t *n_skipped)
{
    if (!tfp || !rng) return SR_ERROR(SR_EINVAL, "cnt_brute_mfpt_bootstrap: NULL argument");
    if (nrep == 0 || n_stop < 1 || n_lo < 0 || n_hi > n_stop || n_hi < n_lo + 3 || n_boot < 2)
        return SR_ERROR(SR_EINVAL, "cnt_brute_mfpt_bootstrap: nrep = %zu, range [%d, %d] of [0, %d], n_boot = %zu",
                        nrep, n_lo, n_hi, n_stop, n_boot);
    const size_t w = (size_t)n_stop + 1;
    double *rows = malloc(nrep * w * sizeof *rows), *tau = malloc(w * sizeof *tau);
    double *s_tau = malloc(n_boot * sizeof *s_tau), *s_n = malloc(n_boot * sizeof *s_n), *s_z = malloc(n_boot * sizeof *s_z);
    int *count = malloc(w * sizeof *count);
    int rc = (!rows || !tau || !s_tau || !s_n || !s_z || !count) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    size_t used = 0, skipped = 0;
    for (size_t b = 0; !rc && b < n_boot; b++) {
        for (size_t r = 0; r < nrep; r++) {
            size_t j = (size_t)gsl_rng_uniform_int(rng, nrep);
            memcpy(rows + r * w, tfp + j * w, w * sizeof *rows);
        }
        rc = cnt_brute_mfpt_curve(nrep, n_stop, rows, tau, count);
        if (rc) break;
        int ok = 1;
        for (int n = n_lo; n <= n_hi && ok; n++) ok = count[n] > 0;
        cnt_brute_mfpt fit;
        if (ok && cnt_brute_mfpt_fit(tau, n_lo, n_hi, &fit) == SR_OK) {
            s_tau[used] = fit.fit.tau_J;
            s_n[used] = fit.fit.n_star;
            s_z[used] = fit.Z;
            used++;
        } else {
            sr_error_clear();
            skipped++;
        }
    }
    if (!rc && used < 2)
        rc = SR_ERROR(SR_EFAILED, "cnt_brute_mfpt_bootstrap: only %zu of %zu resamples could be fitted", used, n_boot);
    if (!rc && tau_J) rc = cnt_percentile_interval(s_tau, used, tau_J);
    if (!rc && n_star) rc = cnt_percentile_interval(s_n, used, n_star);
    if (!rc && Z) rc = cnt_percentile_interval(s_z, used, Z);
    if (n_skipped) *n_skipped = skipped;
    free(rows);
    free(tau);
    free(s_tau);
    free(s_n);
    free(s_z);
    free(count);
    return rc;
}
