/* kmc_bd.c - Gillespie kinetic Monte Carlo of one tagged cluster on a Becker-Doring chain (see kmc.h).
 * The chain (attachment f+(n), detachment f-(n) by detailed balance) and its exact steady flux and mean
 * first-passage times are pure numbers in cnt_bd.c; this file only simulates it. */
#include "kmc/kmc.h"

#include <gsl/gsl_randist.h>

#include "common/sr_error.h"
#include "common/sr_rng.h"

int kmc_bd_mfpt_accumulate(size_t n_max, const double *f_plus, const double *f_minus, size_t n0, uint64_t seed,
                           size_t first, size_t last, uint64_t max_steps, double *sum_t, double *sum_t2)
{
    if (!f_plus || !f_minus || !sum_t || !sum_t2) return SR_ERROR(SR_EINVAL, "kmc_bd_mfpt_accumulate: NULL argument");
    if (n0 < 1 || n0 >= n_max)
        return SR_ERROR(SR_EINVAL, "kmc_bd_mfpt_accumulate: n0=%zu outside 1..%zu", n0, n_max - 1);
    if (last < first) return SR_ERROR(SR_EINVAL, "kmc_bd_mfpt_accumulate: range [%zu, %zu) reversed", first, last);
    for (size_t k = first; k < last; k++) {
        gsl_rng *rng = sr_rng_create(seed, k, SR_RNG_KMC);
        if (!rng) return SR_ERROR(SR_ENOMEM, "kmc_bd_mfpt_accumulate: cannot allocate stream %zu", k);
        size_t n = n0, reached = n0;
        double t = 0;
        uint64_t steps = 0;
        while (reached < n_max) {
            if (++steps > max_steps) {
                gsl_rng_free(rng);
                return SR_ERROR(SR_EFAILED, "kMC trajectory %zu did not reach n_max=%zu within %llu steps "
                                "(reached %zu); barrier too high for kMC", k, n_max,
                                (unsigned long long)max_steps, reached);
            }
            /* Gillespie: waiting time ~ Exp(total rate), then pick the event */
            double up = f_plus[n], down = f_minus[n], total = up + down;
            t += gsl_ran_exponential(rng, 1.0 / total);
            if (gsl_rng_uniform(rng) * total < up) {
                n++;
                if (n > reached) {
                    reached = n;
                    sum_t[n] += t;
                    sum_t2[n] += t * t;
                }
            } else {
                n--;
            }
        }
        gsl_rng_free(rng);
    }
    return SR_OK;
}
