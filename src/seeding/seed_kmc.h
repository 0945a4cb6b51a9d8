/* seed_kmc.h - Becker-Doring kinetic Monte Carlo over MPI ranks, and the comparison of the exact
 * steady-state flux J_BD with the CNT (Zeldovich) rate and the kMC mean-first-passage-time rate.
 *
 * The trajectories [0, n_traj) are cut into tasks of `chunk` consecutive trajectories; ranks take task
 * indices from the shared counter (seed_queue_fetch_add), each task's first-passage-time sums are kept
 * apart and, after one allreduce (every entry is non-zero on exactly one rank, so the reduction adds
 * only zeros and is exact), added up in task order on every rank. Trajectory k always uses
 * sr_rng_create(seed, k, SR_RNG_KMC). Hence the sums, and everything derived from them, are
 * bit-for-bit the same for any number of ranks and any scheduling. The chunk depends only on n_traj.
 *
 * Needs MPI initialised (seed_comm_init), also on one rank. */
#ifndef SEED_KMC_H
#define SEED_KMC_H

#include <stddef.h>
#include <stdint.h>

#include "../cnt/cnt.h"

typedef struct seed_kmc_params {
    size_t n_traj;      /* trajectories in all (>= 2) */
    size_t chunk;       /* trajectories per task; 0: seed_kmc_default_chunk(n_traj) */
    size_t n0;          /* start size of every trajectory, 1 <= n0 < n_max */
    uint64_t seed;      /* campaign seed of the SR_RNG_KMC streams */
    uint64_t max_steps; /* bound on the Gillespie steps of one trajectory (SR_EFAILED beyond) */
} seed_kmc_params;

typedef struct seed_kmc_result {
    size_t n_max, n_traj, n0;
    double *tau, *se;        /* [n_max + 1] kMC MFPT tau(n) [time] and its standard error */
    double *tau_exact;       /* [n_max + 1] exact MFPT of the chain from n0 (cnt_bd_mfpt_exact) */
    double J_bd;             /* exact BD steady-state flux [1/(length^3 time)] */
    double S;                /* population the tagged cluster stands for (cnt_bd_population) */
    cnt_mfpt_fit fit;        /* WSR erf fit of the kMC tau(n), n0 < n <= n_max, unweighted */
    cnt_mfpt_fit fit_exact;  /* the same fit of the exact curve: bias of the erf form without noise */
    double J_kmc, J_kmc_se;  /* S / tau_J(fit) and its statistical error J_kmc se(n_max)/tau(n_max) */
    long tasks_local;        /* tasks this rank ran (diagnostic only) */
    double wall_s;           /* wall time of the trajectories (this rank; ranks finish together) [s] */
} seed_kmc_result;

/* ceil(n_traj / 256), at least 1: at most 256 tasks whatever the number of ranks. */
size_t seed_kmc_default_chunk(size_t n_traj);

/* Collective. sum_t, sum_t2 (n_max + 1 each, overwritten) receive the first-passage-time sums of all
 * n_traj trajectories, identical on every rank. tasks_local (may be NULL): tasks this rank ran.
 * If a trajectory fails on any rank, every rank returns SR_EFAILED (the failing rank with the
 * message of kmc_bd_mfpt_accumulate). */
int seed_kmc_sums(const cnt_bd_model *m, const seed_kmc_params *p, double *sum_t, double *sum_t2,
                  long *tasks_local);

/* Collective: seed_kmc_sums, cnt_kmc_mfpt_finish, the WSR fit and J_kmc = S / tau_J.
 * out is zeroed first; free its arrays with seed_kmc_result_clear. */
int seed_kmc_run(const cnt_bd_model *m, const seed_kmc_params *p, seed_kmc_result *out);
void seed_kmc_result_clear(seed_kmc_result *r);

/* Exact BD flux and the Zeldovich (CNT) rate of the same chain, for chains given as a table:
 * parabola through dG at n*-1, n*, n*+1 (n* = cnt_bd_top) gives the vertex n_v, dG*_v and the
 * curvature dG''; Z = sqrt(beta |dG''| / (2 pi)), J_CNT = rho_l Z f+(n_v) exp(-beta dG*_v), f+ linearly
 * interpolated (Kelton, Solid State Phys. 45, 75 (1991) eqs. 39-41). SR_EINVAL if n* is at an end of
 * the chain or the top is not a maximum. Outputs may be NULL. */
int seed_kmc_zeldovich_table(const cnt_bd_model *m, double *n_star, double *beta_dG_star, double *Z,
                             double *J_cnt);

/* Chain from a text table: one row per n = 1, 2, ..., n_max in order, columns `n dG(n) [f+(n)]`
 * ('#' starts a comment; blank lines ignored). dG in energy units (same as kT). Rows without f+ need
 * f_plus_top > 0: then f+(n) = f_plus_top (n / n*)^(2/3), n* = argmax dG. Either every row has f+ or
 * none. Errors name path:line. */
int seed_kmc_read_table(const char *path, double kT, double rho_l, double f_plus_top, cnt_bd_model **out);

/* Inputs of `seedrate cnt` from PREFIX.rates.nc: scalars gamma, dmu, rho_s, rho_l, f_plus, n_c,
 * temperature, and the global attribute units_style (lj or metal; kT = k_B T). */
typedef struct seed_kmc_campaign {
    double gamma, dmu, rho_s, rho_l, f_plus, n_c, temperature, kT;
    int metal; /* 1 if units_style = metal */
} seed_kmc_campaign;
int seed_kmc_read_campaign(const char *prefix, seed_kmc_campaign *out);

#endif
