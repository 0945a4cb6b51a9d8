/* cnt_ising.h - Ising-lattice nucleation testbed for the seeding/CNT machinery.
 *
 * Model: square (d = 2, z = 4) or simple-cubic (d = 3, z = 6) lattice of L^d spins s = ±1 with periodic
 * boundaries,  E = -J Σ_<ij> s_i s_j - h Σ_i s_i,  J = 1, k_B = 1.  Dynamics: Glauber (heat-bath) single
 * spin flips, rate w = 1 / (1 + exp(ΔE/T)) per site per unit time; one unit of time is one Monte Carlo
 * sweep (L^d attempts), so rates below are "per site per MC sweep".
 *
 * Integrator: rejection-free n-fold way (Bortz, Kalos & Lebowitz, J. Comput. Phys. 17, 10 (1975)). A spin's
 * rate depends only on its class c = (s, number of up neighbours n) - 2(z+1) classes. Each class keeps a list
 * of its sites with O(1) insertion/removal; an event picks a class with probability count_c w_c / R, then a
 * uniform member, and advances time by -ln(u)/R, R = Σ_c count_c w_c.
 *
 * Nucleation: start all down in a field h > 0 (up is stable). Brute force = first passage of the largest
 * up-cluster (union-find, periodic) past a threshold well above critical, I = 1/(<τ> L^d). Seeding = insert
 * a compact up droplet of n spins, count grow/melt, logistic fit of P_grow(n) -> N_c, f+ from the MSD of the
 * cluster size, J = Z f+ exp(-ΔG* / T) (per site per sweep). Replicas are indexed [first, last) so a caller can
 * spread them over MPI ranks; replica r of every task draws from sr_rng_create(seed, stream(r), SR_RNG_KMC).
 *
 * Pure C + GSL; no md, no MPI. */
#ifndef CNT_ISING_H
#define CNT_ISING_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

typedef struct cnt_ising cnt_ising;

enum cnt_ising_shape {
    CNT_ISING_ROUND = 0, /* circle (2D) / sphere (3D): the n sites nearest the centre (Euclidean) */
    CNT_ISING_SQUARE = 1 /* square (2D) / cube (3D): an a^d box, a = floor(n^(1/d)), grown face by face */
};

/* ---- lattice and n-fold-way kMC ------------------------------------------------------------------ */

/* dim 2 or 3, L >= 2, T > 0 (units of J). All spins start down, time 0. NULL on failure (error recorded).
 * With L = 2 a site's +x and -x neighbours coincide; both bonds are counted, consistently everywhere. */
cnt_ising *cnt_ising_create(int dim, int L, double T, double h);
void cnt_ising_free(cnt_ising *m);

size_t cnt_ising_nsites(const cnt_ising *m);
int cnt_ising_dim(const cnt_ising *m);
int cnt_ising_coordination(const cnt_ising *m);          /* z = 2 d */
const signed char *cnt_ising_spins(const cnt_ising *m);  /* site index = x + L (y + L z) */
double cnt_ising_time(const cnt_ising *m);               /* MC sweeps since create / set_time */
void cnt_ising_set_time(cnt_ising *m, double t);
long cnt_ising_total_spin(const cnt_ising *m);           /* Σ s_i, kept incrementally */
double cnt_ising_energy(const cnt_ising *m);             /* E in units of J, kept incrementally */
double cnt_ising_total_rate(const cnt_ising *m);         /* R = Σ_c count_c w_c, per sweep */
/* Size and per-site rate of class (spin, n_up); 0 for an invalid class. */
size_t cnt_ising_class_count(const cnt_ising *m, int spin, int n_up);
double cnt_ising_class_rate(const cnt_ising *m, int spin, int n_up);

/* Set every spin to `spin` (±1), or copy a whole configuration (values ±1); rebuilds the classes. */
int cnt_ising_fill(cnt_ising *m, int spin);
int cnt_ising_set_spins(cnt_ising *m, const signed char *spins);
/* Flip one spin and update classes, energy and magnetisation (no time advance). */
int cnt_ising_flip(cnt_ising *m, size_t site);
/* One n-fold-way event: flip a spin chosen ∝ its Glauber rate; time += -ln(u)/R. If `dt` is not NULL it
 * receives the residence time of the state before the flip (weight for time averages). */
int cnt_ising_step(cnt_ising *m, gsl_rng *rng, double *dt);
/* Advance by events until time >= t_end (the last event may overshoot, as in any kMC). */
int cnt_ising_advance(cnt_ising *m, gsl_rng *rng, double t_end);

/* Recompute neighbour counts, class membership/counts and R from the spins alone; SR_ENUMERIC if any
 * incremental bookkeeping disagrees (relative tolerance rel_tol on R, E). */
int cnt_ising_check(const cnt_ising *m, double rel_tol);

/* ---- clusters and droplets ------------------------------------------------------------------------ */

/* Size of the largest nearest-neighbour-connected cluster of up spins (union-find, periodic). */
size_t cnt_ising_largest_cluster(cnt_ising *m);
/* label[i] = smallest site index in i's up-cluster, -1 for a down spin. Returns number of clusters via
 * *nclusters (may be NULL). */
int cnt_ising_cluster_labels(cnt_ising *m, int *label, size_t *nclusters);
/* Set a compact droplet of n sites around site (L/2, L/2[, L/2]) up; other spins are not touched (so from
 * all-down exactly n spins are up). Ties are broken by site index: the result is reproducible. */
int cnt_ising_insert_droplet(cnt_ising *m, size_t n, enum cnt_ising_shape shape);

/* ---- equilibrium averages -------------------------------------------------------------------------- */

typedef struct {
    double m, m_err;       /* <Σs>/N, time-weighted, error from block averages */
    double abs_m, abs_m_err;
    double e, e_err;       /* <E>/N in units of J */
    size_t events;
} cnt_ising_averages;

/* Run t_equil sweeps, then average over t_prod sweeps split into nblocks (>= 2) blocks. */
int cnt_ising_equilibrium(cnt_ising *m, gsl_rng *rng, double t_equil, double t_prod, int nblocks,
                          cnt_ising_averages *out);

/* ---- nucleation tasks (replicas [first, last)) ------------------------------------------------------ */

typedef struct {
    int dim, L;
    double T, h;
    uint64_t seed;
    double t_equil;        /* sweeps from all-down before timing/insertion (metastable relaxation) */
    double check_interval; /* sweeps between cluster analyses; 0 = after every event */
    double t_max;          /* sweeps; replicas not decided by then are censored / undecided */
} cnt_ising_params;

/* Brute force: tau[r - first] = first time (sweeps after t_equil) the largest up-cluster reaches
 * n_threshold; reached[r - first] = 1, or 0 with tau = t_max when censored. */
int cnt_ising_bruteforce(const cnt_ising_params *p, size_t n_threshold, size_t first, size_t last,
                         double *tau, int *reached);

typedef struct {
    size_t n_total, n_reached;
    double mfpt, mfpt_err;            /* censored-exponential MLE: Σ τ / n_reached, ± mfpt/sqrt(n_reached) */
    double rate, rate_err;            /* I = 1/(mfpt N), per site per sweep */
    double surv_rate, surv_rate_err;  /* from ln S(t) = -k (t - t_lag), S in [0.1, 0.9]: I = k/N;
                                       * error k/(N sqrt(events in the window)) */
    double surv_lag;                  /* sweeps */
    int surv_ok;                      /* 0 when too few points for the survival fit */
} cnt_ising_fpt_result;

int cnt_ising_fpt_analysis(const double *tau, const int *reached, size_t n, size_t nsites,
                           cnt_ising_fpt_result *out);

/* Seeding: outcome[r - first] = +1 grew (largest cluster >= n_grow), 0 melted (<= n_melt),
 * -1 undecided by t_max. Droplet inserted after t_equil into the relaxed metastable state. n_melt = 0:
 * automatic per trial, max(n/4, 1.5 B + 1) capped at n - 1, B = largest background cluster before insertion.
 * Keep t_max well below the brute-force MFPT, or spontaneous nucleation elsewhere counts as growth. */
int cnt_ising_seed_trials(const cnt_ising_params *p, enum cnt_ising_shape shape, size_t n, size_t n_grow,
                          size_t n_melt, size_t first, size_t last, int *outcome);

/* Cluster-size MSD after inserting n spins: msd_sum[k] += (N(k dt) - N(0))^2 and, when mean_sum is not NULL,
 * mean_sum[k] += N(k dt) - N(0), for k = 1..nsamples-1 (k = 0 is left alone: zero by definition), summed over
 * replicas [first, last) (sums so ranks can be reduced; divide by the replica count). N = largest up-cluster. */
int cnt_ising_size_msd(const cnt_ising_params *p, enum cnt_ising_shape shape, size_t n, double dt,
                       size_t nsamples, size_t first, size_t last, double *msd_sum, double *mean_sum);

/* ---- fits and CNT (private versions; see report) --------------------------------------------------- */

typedef struct {
    double a, b;          /* P_grow(n) = 1 / (1 + exp(-(a + b n))) */
    double cov[2][2];
    double n_c, n_c_err;  /* n_c = -a/b, delta-method error */
    double width;         /* 1/b */
    int iterations;
} cnt_ising_logistic;

/* Binomial maximum likelihood (Newton-Raphson / IRLS) from ngrow[i] successes of ntrial[i] at size n[i].
 * SR_ENUMERIC when the data do not bracket P = 1/2 well enough for the fit to converge within max_iter. */
int cnt_ising_logistic_fit(const double *n, const int *ngrow, const int *ntrial, size_t m, double tol,
                           int max_iter, cnt_ising_logistic *fit);

typedef struct {
    double dmu;      /* bulk free-energy gain per spin flipped up, 2 h m_s */
    double n_c;
    double dG;       /* ΔG* in units of J */
    double zeldovich;
    double f_plus;   /* per sweep */
    double rate;     /* J = Z f+ exp(-ΔG* / T), per site per sweep */
    double gamma_eff;/* surface tension implied by n_c: 2D σ = Δμ sqrt(n_c/π); 3D γ = (3 n_c Δμ³/(32π))^(1/3) */
} cnt_ising_cnt;

/* CNT with ΔG(N) = -Δμ N + a N^((d-1)/d): ΔG* = Δμ N_c/(d-1), Z = sqrt(Δμ/(2π d T N_c)). */
int cnt_ising_cnt_rate(int dim, double T, double dmu, double n_c, double f_plus, cnt_ising_cnt *out);

/* f+ = slope/2 of a straight-line fit of msd[k] vs k dt over k in [k_lo, k_hi]. */
int cnt_ising_attachment_rate(const double *msd, double dt, size_t k_lo, size_t k_hi, double *f_plus,
                              double *f_plus_err);

/* ---- exact 2D square-lattice results (J = 1) -------------------------------------------------------- */

#define CNT_ISING_TC_2D 2.269185314213022 /* 2/ln(1+√2), Onsager 1944 */

/* Interface tension along a lattice axis, σ = 2J - T ln coth(J/T) (Onsager 1944), per lattice spacing. */
double cnt_ising_onsager_sigma(double T);
/* Area W of the exact Wulff shape cosh(x/T) + cosh(y/T) <= cosh(2/T) coth(2/T) (Rottman & Wortis 1981;
 * Avron, van Beijeren, Schulman & Zia 1982). A droplet of area A has surface free energy 2 sqrt(W A), i.e.
 * effective circular σ_eff = sqrt(W/π). 0 for T >= T_c. */
double cnt_ising_wulff_area(double T);
/* Spontaneous magnetisation (1 - sinh(2/T)^-4)^(1/8) (Yang 1952); 0 for T >= T_c. */
double cnt_ising_spontaneous_m_2d(double T);
/* Internal energy per spin of the infinite lattice at h = 0 (Onsager 1944):
 * u = -coth(2K) [1 + (2/π)(2 tanh²(2K) - 1) K(k)], k = 2 sinh(2K)/cosh²(2K), K = 1/T. */
double cnt_ising_energy_2d(double T);

#endif
