/* seed_brute.h - nucleation rates from brute-force MD: many unseeded replicas of one supercooled liquid,
 * each run until its largest crystalline cluster first reaches n_stop (well above N_c) or is censored at
 * t_max. No CNT is needed: the rate follows from the first-passage times alone.
 *
 *  1. Censored-exponential maximum likelihood at n_stop. With waiting times t_i ~ k exp(-k t) and replicas
 *     that did not reach n_stop by t_max censored there, the log-likelihood is
 *         ln L(k) = n_r ln k - k sum_i t_i      (t_i = passage or censoring time)
 *     so k = n_r / sum_i t_i with Fisher error k / sqrt(n_r); J = k / <V> in a box of mean volume <V>.
 *     With n_r = 0 only an upper bound exists: k < -ln(0.05) / sum_i t_i (95%).
 *  2. Mean first-passage time tau(n) of the largest cluster (mean over the replicas that reached n) and the
 *     fit of Wedekind, Strey & Reguera, JCP 126, 134103 (2007):
 *         tau(n) = (tau_J / 2) (1 + erf(c (n - n*))),   J = 1 / (tau_J <V>),   Z = c / sqrt(pi)
 *     (cnt_mfpt_fit_wsr, unweighted: see its comment in cnt.h). tau(n) is unbiased only when (nearly) all
 *     replicas reached n: otherwise the slow ones are missing from the mean.
 *
 * The pure functions below take plain arrays (tests: tests/test_seeding_brute.c); seed_brute_run is the
 * MPI driver behind `seedrate brute FILE`. */
#ifndef SEED_BRUTE_H
#define SEED_BRUTE_H

#include <stddef.h>
#include <stdio.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>

#include "../cnt/cnt.h"
#include "../common/sr_input.h"

/* First-passage times of one replica: tfp[n] (n = 0 .. n_stop) = time of the first frame f with
 * nmax[f] >= n, i.e. f * frame_time; NaN when no frame reaches n. tfp[0] = 0.
 * SR_EINVAL for nframes < 1, n_stop < 1 or frame_time <= 0. */
int seed_brute_first_passage(int nframes, const int *nmax, double frame_time, int n_stop, double *tfp);

/* Censored-exponential maximum likelihood of a first-passage rate (see the top of this file). */
typedef struct seed_brute_mle {
    size_t n_total, n_reached;
    double t_sum;     /* sum of passage and censoring times [time] */
    double k, k_err;  /* n_reached / t_sum and k / sqrt(n_reached) [1/time]; 0 and NaN when n_reached = 0 */
    double k_upper95; /* one-sided 95% upper bound -ln(0.05) / t_sum when n_reached = 0, else NaN */
} seed_brute_mle;

/* t[i]: passage time (reached[i] != 0) or censoring time (reached[i] == 0) of replica i, all >= 0.
 * SR_EINVAL for n = 0, a negative or non-finite time, or t_sum = 0. */
int seed_brute_mle_fit(size_t n, const double *t, const int *reached, seed_brute_mle *out);

/* Shifted exponential t = t_lag + Exp(k): Poisson waiting after an induction time t_lag (growth from n* to
 * n_stop, relaxation of the fresh velocities), which the plain MLE above counts as waiting and so biases k low
 * by about 1/(1 + k t_lag). MLE: t_lag = earliest passage time, k = n_r / sum_i (t_i - t_lag) over all replicas
 * (censored ones at their censoring time); reported with the (n_r - 1) correction that makes 1/k unbiased
 * without censoring (Johnson, Kotz & Balakrishnan, Continuous Univariate Distributions vol. 1, ch. 19),
 * k = (n_r - 1) / sum_i (t_i - t_lag), error k / sqrt(n_r - 1). SR_EINVAL as seed_brute_mle_fit, and
 * SR_EFAILED when fewer than 2 replicas reached. out->k_upper95 is NaN. */
int seed_brute_mle_fit_lag(size_t n, const double *t, const int *reached, seed_brute_mle *out, double *t_lag);

/* Percentile bootstrap of k over replicas (n_boot resamples with replacement, draws from rng); a resample
 * with no passage gives k = 0. SR_EINVAL if n_boot < 2 or the inputs are invalid. */
int seed_brute_mle_bootstrap(size_t n, const double *t, const int *reached, size_t n_boot, gsl_rng *rng,
                             cnt_interval *k_interval);

/* Mean first-passage curve from tfp[r * (n_stop + 1) + n] (NaN: replica r never reached n):
 * tau[n] = mean over the count[n] replicas that reached n (NaN when none), n = 0 .. n_stop. */
int seed_brute_mfpt_curve(size_t nrep, int n_stop, const double *tfp, double *tau, int *count);

/* Wedekind-Strey-Reguera fit of tau[n_lo .. n_hi] (all finite), unweighted, with Z = c / sqrt(pi). */
typedef struct seed_brute_mfpt {
    cnt_mfpt_fit fit; /* tau_J [time], c [1/atoms], n_star [atoms], errors (points taken independent) */
    double Z, se_Z;   /* Zeldovich factor c / sqrt(pi) */
    int n_lo, n_hi;
} seed_brute_mfpt;

int seed_brute_mfpt_fit(const double *tau, int n_lo, int n_hi, seed_brute_mfpt *out);

/* Percentile bootstrap of the fit over replicas: resample replicas, rebuild tau(n) from the resampled
 * tfp rows, refit on [n_lo, n_hi]. Resamples in which some n in the range was reached by nobody, or the
 * fit fails, are skipped (*n_skipped). tau_J, n* and Z intervals (any may be NULL). SR_EFAILED when fewer
 * than 2 resamples succeed. */
int seed_brute_mfpt_bootstrap(size_t nrep, int n_stop, const double *tfp, int n_lo, int n_hi, size_t n_boot,
                              gsl_rng *rng, cnt_interval *tau_J, cnt_interval *n_star, cnt_interval *Z,
                              size_t *n_skipped);

/* [brute] keys and the whole-input key listing (`seedrate brute --keys`). */
typedef struct seed_brute_config {
    int replicas;
    int n_stop;
    long max_steps, analyze_every, melt_steps, equil_steps;
    sr_reals liquid_cells;
    double liquid_density, melt_temperature, cluster_cutoff;
    int fit_min_size;
    int nboot;
} seed_brute_config;

extern const sr_keyword seed_brute_keywords[];
void seed_brute_print_keys(FILE *out);

/* Run the brute-force job described by `file` on all MPI ranks (call seed_comm_init first): prepare the
 * liquid on rank 0 (written to PREFIX.liquid.ckpt and broadcast), spread the replicas over the ranks by a
 * shared counter, analyse on rank 0 and write PREFIX.brute.nc. The numbers do not depend on the number of
 * ranks. Returns 0 on success (every rank), non-zero after printing the error on rank 0. */
int seed_brute_run(const char *file);

#endif
