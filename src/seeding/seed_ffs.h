/* seed_ffs.h - nucleation rates by direct forward flux sampling (Allen, Frenkel & ten Wolde, JCP 124, 024102
 * (2006)) on lambda = N_max, the largest crystalline cluster of the job's classifier (as `seedrate brute`).
 *
 *  0. One liquid is prepared as for `seedrate brute` (lattice at 0.85 x the crystal density, melted, NPT at
 *     (T, p)); basin_frames frames of it give the basin's typical N_max: lambda_0 must lie above its 90th
 *     percentile and lambda_A above its median, else the input is refused (nothing is written).
 *  1. Flux: flux_runs basin runs (task f: fresh velocities from the stream (seed, f)) of flux_steps each. A
 *     first crossing of lambda_0 (N_max >= lambda_0 after a visit to A = {N_max < lambda_A}) is counted and its
 *     configuration stored; a run that reaches the last interface (nucleated) ends there. Phi_0 = N_0 / T_A.
 *  2. Stage i = 0 .. n-1: `trials` runs from the configurations at lambda_i (trial t starts from configuration
 *     t mod N_i, round robin, with fresh Maxwell-Boltzmann velocities from the stream (seed, 10^7 (i+1) + t))
 *     until N_max >= lambda_{i+1} (success: configuration stored for stage i+1) or N_max < lambda_A (failure);
 *     a trial still undecided after trial_max_steps counts as a failure (reported).
 *     Adaptive placement (p_target > 0; `interfaces` = lambda_0 and the last one): before stage i, pilot_trials
 *     pilot runs from lambda_i (streams (seed, 10^7 (i+1) + 5 10^6 + t)) go until A or the last interface; lambda_{i+1}
 *     = the largest N_max that a fraction >= p_target of them reached (cnt_ffs_next_interface), so P_i ~ p_target.
 *  3. J = Phi_0 prod P_i / <V>, <V> the mean volume of the basin runs; the analytic variance and the bootstrap
 *     over basin runs and first-interface trees of cnt_ffs_* (cnt.h). PREFIX.ffs.nc.
 * Every task is an index on the MPI work queue; its random streams depend only on the index, so the numbers do not
 * depend on the number of ranks. Finished tasks are journaled (PREFIX.ffs.cnt.journal) and configurations are kept
 * as PREFIX.ffs.iI.*.ckpt, so a killed run resumes where it stopped with the same results. */
#ifndef SEED_FFS_H
#define SEED_FFS_H

#include <stdio.h>

#include "../common/sr_input.h"

typedef struct seed_ffs_config {
    sr_reals interfaces; /* lambda_0 < ... < lambda_n (atoms) */
    double lambda_A;
    int flux_runs;
    long flux_steps;
    int trials;
    long analyze_every, trial_max_steps;
    sr_reals liquid_cells;
    double liquid_density, melt_temperature, cluster_cutoff;
    long melt_steps, equil_steps;
    int basin_frames;
    int nboot;
    double p_target;  /* > 0: interfaces placed adaptively */
    int pilot_trials;
    int trial_velocities; /* 0: the stored configuration's own velocities, 1: fresh Maxwell-Boltzmann per trial */
    int commit_runs;      /* runs from the last interface that test its commitment (0: none) */
    double commit_factor; /* a commit run succeeds at N_max >= commit_factor x the last interface */
} seed_ffs_config;

extern const sr_keyword seed_ffs_keywords[];
void seed_ffs_print_keys(FILE *out);

/* Run (or resume) the FFS job of `file` on all MPI ranks (call seed_comm_init first); rank 0 prints progress and
 * results and writes PREFIX.ffs.nc. Returns 0 on success (every rank). */
int seed_ffs_run(const char *file);

#endif
