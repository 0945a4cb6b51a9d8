/* cnt_melt.c - melting temperature from direct-coexistence runs. */
#include "cnt/cnt.h"
#include "common/sr_error.h"

#include <math.h>

int cnt_tm_bracket(size_t n, const double *T, const int *grew, double *T_m, double *sigma,
                   double *T_low, double *T_high)
{
    if (!T || !grew || !T_m || !sigma) return SR_ERROR(SR_EINVAL, "cnt_tm_bracket: NULL argument");
    if (n == 0) return SR_ERROR(SR_EINVAL, "cnt_tm_bracket: no coexistence runs (empty data)");
    double lo = -INFINITY, hi = INFINITY; /* highest T that grew, lowest T that melted */
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(T[i])) return SR_ERROR(SR_EINVAL, "cnt_tm_bracket: T[%zu] is not finite", i);
        if (grew[i] != 0 && grew[i] != 1)
            return SR_ERROR(SR_EINVAL, "cnt_tm_bracket: outcome[%zu] = %d, expected 1 (grew) or 0 (melted)", i,
                            grew[i]);
        if (grew[i]) lo = fmax(lo, T[i]);
        else hi = fmin(hi, T[i]);
    }
    if (isinf(lo))
        return SR_ERROR(SR_EINVAL, "cnt_tm_bracket: the crystal melted in all %zu runs; T_m is below %g, add "
                        "lower temperatures", n, hi);
    if (isinf(hi))
        return SR_ERROR(SR_EINVAL, "cnt_tm_bracket: the crystal grew in all %zu runs; T_m is above %g, add "
                        "higher temperatures", n, lo);
    if (lo >= hi)
        return SR_ERROR(SR_EINVAL, "cnt_tm_bracket: contradictory outcomes: crystal grew at T=%g but melted at "
                        "T=%g <= %g (runs too short or system too small?)", lo, hi, lo);
    *T_m = 0.5 * (lo + hi);
    /* standard deviation of a uniform distribution on [lo, hi] = half-width / sqrt(3) */
    *sigma = 0.5 * (hi - lo) / sqrt(3.0);
    if (T_low) *T_low = lo;
    if (T_high) *T_high = hi;
    return SR_OK;
}

int cnt_tm_outcomes(size_t n, const double *v, const double *sigma_v, double z, int *outcome)
{
    if (!v || !sigma_v || !outcome) {
        SR_ERROR(SR_EINVAL, "cnt_tm_outcomes: NULL argument");
        return -1;
    }
    int stalled = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]) || !(sigma_v[i] > 0) || !isfinite(sigma_v[i])) {
            SR_ERROR(SR_EINVAL, "cnt_tm_outcomes: run %zu: v = %g +- %g (expected finite, standard error > 0)", i,
                     v[i], sigma_v[i]);
            return -1;
        }
        outcome[i] = v[i] >= z * sigma_v[i] ? 1 : v[i] <= -z * sigma_v[i] ? 0 : -1;
        stalled += outcome[i] < 0;
    }
    return stalled;
}

int cnt_tm_velocity(size_t n, const double *T, const double *v, const double *sigma_v,
                    double *T_m, double *sigma_T_m, cnt_linfit *line)
{
    if (!T || !v || !sigma_v || !T_m || !sigma_T_m)
        return SR_ERROR(SR_EINVAL, "cnt_tm_velocity: NULL argument");
    cnt_linfit f;
    SR_TRY(cnt_linear_fit(n, T, v, sigma_v, &f));
    if (!(f.b < 0))
        return SR_ERROR(SR_EINVAL, "cnt_tm_velocity: interface velocity does not decrease with T (slope %g); "
                        "contradictory data: the crystal must grow below T_m and melt above it", f.b);
    /* T_m = -a/b; gradient (dT_m/da, dT_m/db) = (-1/b, a/b^2) */
    double ga = -1.0 / f.b, gb = f.a / (f.b * f.b);
    double var = ga * ga * f.cov[0][0] + 2.0 * ga * gb * f.cov[0][1] + gb * gb * f.cov[1][1];
    *T_m = -f.a / f.b;
    *sigma_T_m = sqrt(var > 0 ? var : 0);
    if (line) *line = f;
    return SR_OK;
}
