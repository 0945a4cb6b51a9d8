/* kmc.h - simulators that are not molecular dynamics (kinetic Monte Carlo): the Ising n-fold-way lattice and
 * the Becker-Doring Gillespie chain. Their outputs are plain arrays (grow/melt outcomes, first-passage times,
 * cluster-size traces) that go through cnt's fits exactly like MD's: P_grow by cnt_pgrow_fit, first passages
 * by cnt_brute_mle_fit / the tau(n) fit, f+ by cnt_attach_fit_drift, rates by cnt_compute_dim.
 * Uses common (errors, random streams) and GSL only: nothing of md, order, seeding or cnt.
 *
 * ---- Ising lattice ----
 * Model: square (d = 2, z = 4) or simple-cubic (d = 3, z = 6) lattice of L^d spins s = ±1 with periodic
 * boundaries,  E = -J Σ_<ij> s_i s_j - h Σ_i s_i,  J = 1, k_B = 1.  Dynamics: single spin flips at rate
 * w = 1 / (1 + exp(ΔE/T)) (Glauber, heat bath; the default) or w = min(1, exp(-ΔE/T)) (Metropolis) per site per
 * unit time; one unit of time is one Monte Carlo sweep (L^d attempts), so rates are "per site per MC sweep".
 *
 * Integrator: rejection-free n-fold way (Bortz, Kalos & Lebowitz, J. Comput. Phys. 17, 10 (1975)). A spin's
 * rate depends only on its class c = (s, number of up neighbours n) - 2(z+1) classes. Each class keeps a list
 * of its sites with O(1) insertion/removal; an event picks a class with probability count_c w_c / R, then a
 * uniform member, and advances time by -ln(u)/R, R = Σ_c count_c w_c.
 *
 * Nucleation: start all down in a field h > 0 (up is stable). Brute force = first passages of the largest
 * up-cluster (union-find, periodic) past every size up to a threshold well above critical. Seeding = insert
 * a compact up droplet of n spins and count grow/melt; the cluster-size traces of droplets inserted at N_c give
 * f+. Replicas are indexed [first, last) so a caller can spread them over MPI ranks; replica r of every task
 * draws from sr_rng_create(seed, stream(task, n, r), SR_RNG_KMC), so the numbers do not depend on the split.
 */
#ifndef KMC_H
#define KMC_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

typedef struct kmc_ising kmc_ising;

enum kmc_ising_dynamics {
    KMC_ISING_GLAUBER = 0,   /* heat bath 1/(1 + e^{ΔE/T}) */
    KMC_ISING_METROPOLIS = 1 /* min(1, e^{-ΔE/T}) */
};

enum kmc_ising_shape {
    KMC_ISING_ROUND = 0, /* circle (2D) / sphere (3D): the n sites nearest the centre (Euclidean) */
    KMC_ISING_SQUARE = 1 /* square (2D) / cube (3D): an a^d box, a = floor(n^(1/d)), grown face by face */
};

/* ---- lattice and n-fold-way kMC ------------------------------------------------------------------ */

/* dim 2 or 3, L >= 2, T > 0 (units of J). All spins start down, time 0. NULL on failure (error recorded).
 * With L = 2 a site's +x and -x neighbours coincide; both bonds are counted, consistently everywhere. */
kmc_ising *kmc_ising_create(int dim, int L, double T, double h);
void kmc_ising_free(kmc_ising *m);
/* Glauber unless set; changes the class rates, keeps the spins and the clock. SR_EINVAL for an unknown value. */
int kmc_ising_set_dynamics(kmc_ising *m, enum kmc_ising_dynamics dynamics);
enum kmc_ising_dynamics kmc_ising_get_dynamics(const kmc_ising *m);

size_t kmc_ising_nsites(const kmc_ising *m);
int kmc_ising_dim(const kmc_ising *m);
int kmc_ising_coordination(const kmc_ising *m);          /* z = 2 d */
const signed char *kmc_ising_spins(const kmc_ising *m);  /* site index = x + L (y + L z) */
double kmc_ising_time(const kmc_ising *m);               /* MC sweeps since create / set_time */
void kmc_ising_set_time(kmc_ising *m, double t);
long kmc_ising_total_spin(const kmc_ising *m);           /* Σ s_i, kept incrementally */
double kmc_ising_energy(const kmc_ising *m);             /* E in units of J, kept incrementally */
double kmc_ising_total_rate(const kmc_ising *m);         /* R = Σ_c count_c w_c, per sweep */
/* Size and per-site rate of class (spin, n_up); 0 for an invalid class. */
size_t kmc_ising_class_count(const kmc_ising *m, int spin, int n_up);
double kmc_ising_class_rate(const kmc_ising *m, int spin, int n_up);

/* Set every spin to `spin` (±1), or copy a whole configuration (values ±1); rebuilds the classes. */
int kmc_ising_fill(kmc_ising *m, int spin);
int kmc_ising_set_spins(kmc_ising *m, const signed char *spins);
/* Flip one spin and update classes, energy and magnetisation (no time advance). */
int kmc_ising_flip(kmc_ising *m, size_t site);
/* One n-fold-way event: flip a spin chosen ∝ its rate; time += -ln(u)/R. If `dt` is not NULL it
 * receives the residence time of the state before the flip (weight for time averages). */
int kmc_ising_step(kmc_ising *m, gsl_rng *rng, double *dt);
/* Advance by events until time >= t_end (the last event may overshoot, as in any kMC). */
int kmc_ising_advance(kmc_ising *m, gsl_rng *rng, double t_end);

/* Recompute neighbour counts, class membership/counts and R from the spins alone; SR_ENUMERIC if any
 * incremental bookkeeping disagrees (relative tolerance rel_tol on R, E). */
int kmc_ising_check(const kmc_ising *m, double rel_tol);

/* ---- clusters and droplets ------------------------------------------------------------------------ */

/* Size of the largest nearest-neighbour-connected cluster of up spins (union-find, periodic). */
size_t kmc_ising_largest_cluster(kmc_ising *m);
/* label[i] = smallest site index in i's up-cluster, -1 for a down spin. Returns number of clusters via
 * *nclusters (may be NULL). */
int kmc_ising_cluster_labels(kmc_ising *m, int *label, size_t *nclusters);
/* Set a compact droplet of n sites around site (L/2, L/2[, L/2]) up; other spins are not touched (so from
 * all-down exactly n spins are up). Ties are broken by site index: the result is reproducible. */
int kmc_ising_insert_droplet(kmc_ising *m, size_t n, enum kmc_ising_shape shape);

/* ---- equilibrium averages -------------------------------------------------------------------------- */

typedef struct {
    double m, m_err;       /* <Σs>/N, time-weighted, error from block averages */
    double abs_m, abs_m_err;
    double e, e_err;       /* <E>/N in units of J */
    size_t events;
} kmc_ising_averages;

/* Run t_equil sweeps, then average over t_prod sweeps split into nblocks (>= 2) blocks. */
int kmc_ising_equilibrium(kmc_ising *m, gsl_rng *rng, double t_equil, double t_prod, int nblocks,
                          kmc_ising_averages *out);

/* ---- nucleation tasks (replicas [first, last)) ------------------------------------------------------ */

typedef struct {
    int dim, L;
    double T, h;
    enum kmc_ising_dynamics dynamics; /* 0 = Glauber */
    uint64_t seed;
    double t_equil;        /* sweeps from all-down before timing/insertion (metastable relaxation) */
    double check_interval; /* sweeps between cluster analyses; 0 = after every event */
    double t_max;          /* sweeps; replicas not decided by then are censored / undecided */
} kmc_ising_params;

/* Brute force: first passages of the largest up-cluster. Row r - first of tfp (n_stop + 1 entries per replica)
 * receives tfp[n] = time (sweeps after t_equil) of the first cluster analysis at which the largest cluster was
 * >= n, for n = 0 .. n_stop (tfp[0] = 0); NaN for the sizes not reached by t_max (censored). The replica stops
 * at n_stop. This is the layout of cnt_brute_mfpt_curve; the passage time at n_stop (or t_max, censored) feeds
 * cnt_brute_mle_fit. SR_ERANGE unless 1 <= n_stop <= L^d. */
int kmc_ising_first_passage(const kmc_ising_params *p, size_t n_stop, size_t first, size_t last, double *tfp);

/* Seeding: outcome[r - first] = +1 grew (largest cluster >= n_grow), 0 melted (<= n_melt),
 * -1 undecided by t_max. Droplet inserted after t_equil into the relaxed metastable state. n_melt = 0:
 * automatic per trial, max(n/4, 1.5 B + 1) capped at n - 1, B = largest background cluster before insertion.
 * Keep t_max well below the brute-force MFPT, or spontaneous nucleation elsewhere counts as growth. */
int kmc_ising_seed_trials(const kmc_ising_params *p, enum kmc_ising_shape shape, size_t n, size_t n_grow,
                          size_t n_melt, size_t first, size_t last, int *outcome);

/* Cluster-size traces after inserting n spins: trace[(r - first) * nsamples + k] = largest up-cluster at time
 * k dt after the insertion (k = 0: the inserted droplet), row-major [replica][time] as cnt_attach_* expect. */
int kmc_ising_size_traces(const kmc_ising_params *p, enum kmc_ising_shape shape, size_t n, double dt,
                          size_t nsamples, size_t first, size_t last, double *trace);

/* ---- exact 2D square-lattice results (J = 1) -------------------------------------------------------- */

#define KMC_ISING_TC_2D 2.269185314213022 /* 2/ln(1+√2), Onsager 1944 */

/* Interface tension along a lattice axis, σ = 2J - T ln coth(J/T) (Onsager 1944), per lattice spacing. */
double kmc_ising_onsager_sigma(double T);
/* Area W of the exact Wulff shape cosh(x/T) + cosh(y/T) <= cosh(2/T) coth(2/T) (Rottman & Wortis 1981;
 * Avron, van Beijeren, Schulman & Zia 1982). A droplet of area A has surface free energy 2 sqrt(W A), i.e.
 * effective circular σ_eff = sqrt(W/π). 0 for T >= T_c. */
double kmc_ising_wulff_area(double T);
/* Spontaneous magnetisation (1 - sinh(2/T)^-4)^(1/8) (Yang 1952); 0 for T >= T_c. */
double kmc_ising_spontaneous_m_2d(double T);
/* Internal energy per spin of the infinite lattice at h = 0 (Onsager 1944):
 * u = -coth(2K) [1 + (2/π)(2 tanh²(2K) - 1) K(k)], k = 2 sinh(2K)/cosh²(2K), K = 1/T. */
double kmc_ising_energy_2d(double T);

/* ==================================================================================================
 * Becker-Doring chain: Gillespie kMC of one tagged cluster
 *    n -> n+1 at f_plus[n], n -> n-1 at f_minus[n] (f_minus[1] = 0: reflecting monomer); the chain itself,
 *    its exact flux and MFPT are pure numbers in cnt (cnt_bd_model: pass m->n_max, m->f_plus, m->f_minus).
 * ================================================================================================ */

/* Trajectories first .. last-1: trajectory k uses its own stream sr_rng_create(seed, k, SR_RNG_KMC), starts at
 * n0 (1 <= n0 < n_max) and runs until it first reaches n_max. The first-passage time t_k(n) of every n in
 * (n0, n_max] is ADDED to sum_t[n] and its square to sum_t2[n] (arrays of n_max + 1, caller-zeroed), so ranks can
 * split [0, n_traj) and sum (cnt_kmc_mfpt_finish turns the sums into tau(n) and its error).
 * max_steps bounds each trajectory: SR_EFAILED if exceeded. SR_ENOMEM if a stream fails. */
int kmc_bd_mfpt_accumulate(size_t n_max, const double *f_plus, const double *f_minus, size_t n0, uint64_t seed,
                           size_t first, size_t last, uint64_t max_steps, double *sum_t, double *sum_t2);

#endif
