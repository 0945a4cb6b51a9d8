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

/* The statistics of the first-passage data (censored-exponential MLE, lag MLE, bootstrap, tau(n) curve and its
 * Wedekind-Strey-Reguera fit) are pure functions in cnt (cnt_brute_*, cnt.h), shared with `seedrate ising`. */

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
