/* cnt.h - classical nucleation theory and the statistics of the seeding method.
 *
 * Pure functions of numbers (GSL only; no md, no MPI): grow-probability fits, CNT quantities,
 * Delta-mu(T) by Gibbs-Helmholtz, melting points, the attachment rate f+, Monte-Carlo error
 * propagation, temperature models of the rate, and Becker-Doring / kinetic Monte Carlo checks.
 *
 * Units: every function works in ANY consistent unit set (LAMMPS `lj` reduced or `metal`:
 * energy eV, length Angstrom, time ps, temperature K). Where an energy scale per temperature is
 * needed the caller passes kT (energy) or k_B (energy/temperature: 1 in lj, CNT_KB_EV_PER_K in metal).
 * Conversions between lj, metal and SI are in the "units" section.
 *
 * Sign convention (throughout): dmu = mu_solid - mu_liquid per particle, NEGATIVE below T_m
 * (the crystal is stable). CNT formulas use |dmu|.
 *
 * Status: every int function returns SR_OK (0) or an SR_E* code recorded with SR_ERROR
 * (sr_error_message() holds the text). Outputs are never NaN on success. Random numbers come only
 * from a gsl_rng passed in by the caller (seed it with sr_rng_create(seed, replica, purpose)). */
#ifndef CNT_H
#define CNT_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

/* ================================================================================================
 * Statistics helpers
 * ============================================================================================== */

/* Median and percentile intervals of a sample (central 68.27% and 95.45%, i.e. +-1 and +-2 sigma
 * for a normal distribution). */
typedef struct {
    double median;
    double lo68, hi68; /* 15.865th and 84.135th percentiles */
    double lo95, hi95; /* 2.275th and 97.725th percentiles */
    size_t n;          /* number of samples used */
} cnt_interval;

/* Sorts `samples` in place and fills `out` (gsl_stats_quantile_from_sorted_data, linear
 * interpolation between order statistics). SR_EINVAL if n < 2 or any sample is NaN/Inf. */
int cnt_percentile_interval(double *samples, size_t n, cnt_interval *out);

/* Straight line y = a + b x with covariance of (a, b). */
typedef struct {
    double a, b;       /* intercept [y], slope [y/x] */
    double cov[2][2];  /* covariance of (a, b) */
    double chisq;      /* weighted sum of squared residuals */
    size_t n;          /* points used */
} cnt_linfit;

/* Weighted least squares y = a + b x with known standard deviations sigma_y (> 0); covariance
 * from the weights alone (sigmas taken as known, gsl_fit_wlinear). If sigma_y == NULL, ordinary
 * least squares with covariance scaled by the residual variance (needs n >= 3). */
int cnt_linear_fit(size_t n, const double *x, const double *y, const double *sigma_y,
                   cnt_linfit *out);
/* y(x) and its standard error sqrt(g^T C g), g = (1, x); valid for extrapolation too. */
void cnt_linfit_eval(const cnt_linfit *fit, double x, double *y, double *se);

/* ================================================================================================
 * 1. Grow probability (Espinosa, Vega, Valeriani & Sanz, JCP 144, 034501 (2016))
 *    P_grow(x) = 1 / (1 + exp(-(x - x_c)/w)),  x = seed size N (N-mode) or temperature (T-mode).
 * ============================================================================================== */

typedef struct {
    double x_c;       /* midpoint, P_grow(x_c) = 1/2 [units of x] */
    double w;         /* width [units of x]; < 0 when P_grow falls with x (T-mode) */
    double cov[2][2]; /* covariance of (x_c, w) = inverse observed Fisher information at the MLE */
    double se_x_c, se_w;
    double loglik;    /* binomial log-likelihood at the MLE (with the log binomial coefficients) */
    int iterations;   /* Newton iterations used */
    int converged;    /* 1 if |gradient| < grad_tol within max_iter */
} cnt_logistic_fit;

/* Maximum binomial likelihood of groups (x[i], n_grow[i] of n_total[i] replicas grew).
 * Newton-Raphson with step halving on the exact gradient/Hessian in the natural parameters
 * (a, b), z = a + b x (the log-likelihood is concave there), then x_c = -a/b, w = 1/b; the
 * covariance is transformed with the Jacobian (exact at the MLE).
 * grad_tol: convergence on the max-norm of the gradient in the scaled natural parameters
 * (dimensionless, e.g. 1e-10); max_iter e.g. 100.
 * Errors: SR_EINVAL for n == 0, n_grow > n_total, n_total == 0, NaN/Inf x;
 *         SR_EINVAL if fewer than 2 distinct x values (one group);
 *         SR_ENUMERIC if all replicas grew, all melted, or outcomes are (quasi-)separated by x
 *         (the MLE has w -> 0 or |x_c| -> infinity and does not exist);
 *         SR_ENUMERIC if Newton did not converge (out->converged = 0, out holds the last iterate). */
int cnt_pgrow_fit(size_t n, const double *x, const unsigned *n_grow, const unsigned *n_total,
                  double grad_tol, int max_iter, cnt_logistic_fit *out);

/* P_grow(x) of a fit. */
double cnt_pgrow_eval(const cnt_logistic_fit *fit, double x);

/* Nonparametric bootstrap of x_c: each resample draws n_total[i] replicas with replacement
 * within each group i (n_grow* ~ Binomial(n_total[i], n_grow[i]/n_total[i])) and refits.
 * A separated resample (every grow at or above every melt) has no finite MLE, but a step anywhere in its
 * bracket (cnt_pgrow_bracket) fits it exactly: its x_c is placed uniformly in the bracket (a Weyl sequence
 * in the resample index, so the rng stream is unchanged). Leaving such resamples out (before 2026-12-07)
 * made the bootstrap refuse campaign-sized data (5 sizes x 5 replicas) whenever more than half of them were
 * separated: 46 of 331 fittable synthetic sets (test_bootstrap_sparse_coverage; 68 % coverage 0.656 on the
 * rest, 0.755 on all 331 now). Resamples with no bracket (all one outcome,
 * P_grow falling) are skipped and counted in *n_skipped (may be NULL); SR_ENUMERIC if more than half are
 * skipped. The original data must fit. x_c_interval receives median and 68%/95% percentile intervals of
 * x_c; w_interval (may be NULL) the same for w over the fitted (not separated) resamples. */
int cnt_pgrow_bootstrap(size_t n, const double *x, const unsigned *n_grow, const unsigned *n_total,
                        size_t n_boot, gsl_rng *rng, double grad_tol, int max_iter,
                        cnt_interval *x_c_interval, cnt_interval *w_interval, size_t *n_skipped);

/* When the outcomes are (quasi-)separated (every grow at or above every melt, so the likelihood has no
 * finite width and cnt_pgrow_fit fails), x_c is only bracketed: *lo = the largest x at which every decided
 * replica melted, *hi = the smallest x at which every one grew. Points with n_total = 0 are ignored.
 * SR_EFAILED unless both exist and lo < hi (e.g. P_grow falling with x). */
int cnt_pgrow_bracket(size_t n, const double *x, const unsigned *n_grow, const unsigned *n_total, double *lo,
                      double *hi);

/* Decision boundaries of a seeding replica: grown at grow_factor * N_ref, melted at melt_fraction * N_ref. A seed at
 * the barrier top moves diffusively over a range ~1/(sqrt(pi) Z) around N_c; boundaries inside that range decide by
 * where they are, not by the free energy: a driftless walk from N_ref reaches the grow boundary first with
 * probability (1 - m) / ((g - 1) + (1 - m)) (gambler's ruin). Returns that probability (0.5 for symmetric
 * boundaries, g - 1 = 1 - m); the P_grow midpoint is unbiased only when it is 0.5. NaN for g <= 1 or m >= 1. */
double cnt_pgrow_top_bias(double grow_factor, double melt_fraction);

/* ================================================================================================
 * 2. CNT quantities for a spherical nucleus (Espinosa et al. 2016, eqs. 1-6; Kelton, Solid State
 *    Phys. 45, 75 (1991))
 * ============================================================================================== */

typedef struct {
    double n_c;    /* critical cluster size [particles] */
    double dmu;    /* mu_solid - mu_liquid per particle [energy], sign ignored (|dmu| used) */
    double rho_s;  /* solid number density [1/length^3] */
    double rho_l;  /* liquid number density [1/length^3] */
    double f_plus; /* attachment rate at N_c [1/time] */
    double kT;     /* thermal energy [energy] */
} cnt_inputs;

typedef struct {
    double gamma;     /* gamma = (3 N_c |dmu|^3 rho_s^2 / (32 pi))^(1/3) [energy/length^2] */
    double dG_star;   /* dG* = N_c |dmu| / 2 [energy] */
    double beta_dG;   /* dG* /kT [-] */
    double zeldovich; /* Z = sqrt(|dmu| / (6 pi kT N_c)) [-] */
    double J;         /* J = rho_l Z f+ exp(-dG* /kT) [1/(length^3 time)]; may underflow to 0 */
    double log10_J;   /* log10 of J in the same units, computed without underflow */
} cnt_result;

/* SR_EINVAL unless all inputs are finite and n_c, |dmu|, rho_s, rho_l, f_plus, kT > 0. */
int cnt_compute(const cnt_inputs *in, cnt_result *out);

/* Critical size and barrier from gamma instead of N_c (inverse of cnt_compute's gamma):
 * N_c = 32 pi gamma^3 / (3 rho_s^2 |dmu|^3), dG* = 16 pi gamma^3 / (3 rho_s^2 dmu^2). */
int cnt_critical_size(double gamma, double dmu, double rho_s, double *n_c, double *dG_star);

/* ================================================================================================
 * Units: lj (reduced) <-> metal (A, eV, ps, g/mol, K) <-> SI. Constants are CODATA 2018 exact.
 * ============================================================================================== */

#define CNT_KB_EV_PER_K  8.617333262e-5   /* Boltzmann constant [eV/K] */
#define CNT_EV_IN_J      1.602176634e-19  /* [J] */
#define CNT_AVOGADRO     6.02214076e23    /* [1/mol] */
#define CNT_KB_J_PER_K   1.380649e-23     /* [J/K] */

/* One LJ reduced unit system expressed in metal units. */
typedef struct {
    double sigma_A;    /* length unit [Angstrom] */
    double epsilon_eV; /* energy unit [eV] */
    double mass_gmol;  /* mass unit [g/mol] */
    double tau_ps;     /* time unit tau = sigma sqrt(m / epsilon) [ps] */
} cnt_lj_units;

/* Fills u (tau from the others). SR_EINVAL unless all three are finite and > 0.
 * Example: argon sigma = 3.405 A, epsilon = 119.8 K * k_B, m = 39.948 g/mol -> tau = 2.156 ps. */
int cnt_lj_units_init(double sigma_A, double epsilon_eV, double mass_gmol, cnt_lj_units *u);

double cnt_lj_to_metal_energy(const cnt_lj_units *u, double e);      /* epsilon -> eV */
double cnt_lj_to_metal_temperature(const cnt_lj_units *u, double T); /* epsilon/k_B -> K */
double cnt_lj_to_metal_time(const cnt_lj_units *u, double t);        /* tau -> ps */
double cnt_lj_to_metal_density(const cnt_lj_units *u, double rho);   /* sigma^-3 -> A^-3 */
double cnt_lj_to_metal_rate(const cnt_lj_units *u, double J);        /* sigma^-3 tau^-1 -> A^-3 ps^-1 */
double cnt_metal_to_lj_rate(const cnt_lj_units *u, double J);        /* inverse of the above */
double cnt_metal_to_lj_energy(const cnt_lj_units *u, double e);      /* eV -> epsilon */
double cnt_metal_to_lj_temperature(const cnt_lj_units *u, double T); /* K -> epsilon/k_B */
double cnt_metal_to_lj_time(const cnt_lj_units *u, double t);        /* ps -> tau */
double cnt_metal_to_lj_density(const cnt_lj_units *u, double rho);   /* A^-3 -> sigma^-3 */
double cnt_lj_to_metal_tension(const cnt_lj_units *u, double g);     /* epsilon sigma^-2 -> eV A^-2 */
double cnt_metal_to_si_rate(double J);   /* A^-3 ps^-1 -> m^-3 s^-1 (x 1e42) */
double cnt_si_to_metal_rate(double J);   /* m^-3 s^-1 -> A^-3 ps^-1 */
double cnt_metal_to_si_log10_rate(double log10_J); /* + 42 */
double cnt_metal_to_si_tension(double g);/* eV A^-2 -> J m^-2 (= N/m) */

/* ================================================================================================
 * 3. Delta-mu(T) by Gibbs-Helmholtz (e.g. Espinosa et al. 2016 eq. 9; Kofke-type integration)
 *    d(dmu/T)/dT = Dh/T^2 with Dh = h_liq - h_sol (per particle enthalpy) and dmu(T_m) = 0:
 *        dmu(T) = mu_s - mu_l = -T * Integral_T^{T_m} Dh(T') / T'^2 dT'     (< 0 below T_m)
 *    i.e. |dmu|/kT = Integral_T^{T_m} Dh/(k T'^2) dT'. k_B cancels: any temperature unit works.
 * ============================================================================================== */

#define CNT_POLY_MAX_DEGREE 3

typedef struct {
    int degree;   /* 0..3 */
    double c[CNT_POLY_MAX_DEGREE + 1];   /* Dh(T) = sum_k c[k] T^k [energy / temperature^k] */
    double cov[CNT_POLY_MAX_DEGREE + 1][CNT_POLY_MAX_DEGREE + 1];
    double chisq; /* sum of squared residuals [energy^2] */
    size_t n;
} cnt_poly_fit;

/* Least-squares polynomial Dh(T) = h_liq - h_sol from n >= degree + 2 state points (T, h_l, h_s)
 * (gsl_multifit_linear; covariance scaled by the residual variance chisq/(n - degree - 1)).
 * Errors: SR_EINVAL for degree outside 0..3, too few points, NaN/Inf input, T <= 0. */
int cnt_dh_fit(size_t n, const double *T, const double *h_liq, const double *h_sol, int degree,
               cnt_poly_fit *out);
/* Dh(T) and its standard error. */
void cnt_dh_eval(const cnt_poly_fit *dh, double T, double *value, double *se);

/* dmu(T) = mu_s - mu_l from the fitted polynomial, analytic integral (terms: c0/T, c1 ln T,
 * c2 T, c3 T^2/2); se from the coefficient covariance (dmu is linear in c). se may be NULL.
 * SR_EINVAL for T <= 0, T_m <= 0, NaN. */
int cnt_dmu_gibbs_helmholtz(const cnt_poly_fit *dh, double T_m, double T, double *dmu, double *se);

/* Linear approximation (Turnbull): dmu ~ -Dh_m (1 - T/T_m), Dh_m = Dh(T_m) [energy]. */
double cnt_dmu_linear(double dh_m, double T_m, double T);

/* ================================================================================================
 * 4. Melting point from direct coexistence
 * ============================================================================================== */

/* (a) Bracketing: grew[i] = 1 if the crystal grew at T[i] (T < T_m), 0 if it melted (T > T_m).
 * T_low = highest T that grew, T_high = lowest T that melted; T_m = (T_low + T_high)/2 and
 * sigma = (T_high - T_low)/(2 sqrt 3): standard deviation of a uniform distribution over the
 * bracket (T_m is only known to lie somewhere inside it).
 * Errors: SR_EINVAL if no run grew or none melted (no bracket), NaN T, or contradictory data
 * (a run grew at or above a temperature where another melted). */
int cnt_tm_bracket(size_t n, const double *T, const int *grew, double *T_m, double *sigma,
                   double *T_low, double *T_high);

/* (a') Outcome of a coexistence run from its interface velocity v and standard error sigma_v (> 0):
 * outcome[i] = 1 (grew) if v >= z sigma_v, 0 (melted) if v <= -z sigma_v, -1 (stalled) in between: the front
 * moved less than its own noise, so the run neither bounds T_m from below nor from above and belongs only in
 * the v(T) fit. The bracket of the direct-coexistence method takes only the runs that clearly grew or melted
 * (Garcia Fernandez, Abascal, Vega, J. Chem. Phys. 124, 144506 (2006)); z = 2 is the two-sided 95 % level.
 * Returns the number of stalled runs, or -1 with SR_EINVAL for NULL, NaN or sigma_v <= 0. */
int cnt_tm_outcomes(size_t n, const double *v, const double *sigma_v, double z, int *outcome);

/* (b) Interface velocities v(T) (> 0 growth) with standard errors sigma_v (> 0): weighted linear
 * fit v = a + b T, T_m = -a/b, sigma_T_m by first-order propagation of the (a, b) covariance.
 * Errors: SR_EINVAL for n < 2, bad sigmas, NaN; SR_EINVAL if the slope b >= 0 (contradictory:
 * crystals must grow slower when heated). `line` may be NULL. */
int cnt_tm_velocity(size_t n, const double *T, const double *v, const double *sigma_v,
                    double *T_m, double *sigma_T_m, cnt_linfit *line);

/* ================================================================================================
 * 5. Attachment rate (Auer & Frenkel, Nature 409, 1020 (2001)): f+ = <(N(t) - N(0))^2> / (2 t)
 * ============================================================================================== */

/* msd[j] = mean over replicas r of (N[r*n_t + j] - N[r*n_t + 0])^2. N is row-major
 * [replica][time], all replicas on one time grid starting at the moment the seed is at N_c. */
int cnt_attach_msd(size_t n_rep, size_t n_t, const double *N, double *msd);

typedef struct {
    double f_plus;      /* slope/2 [1/time] */
    double se_f_plus;   /* from the OLS fit (residual scatter; ignores time correlation) */
    double intercept;   /* MSD intercept [particles^2] */
    double t0, t1;      /* window actually used: first and last grid times inside [t0, t1] */
    size_t n_points;    /* grid points in the window */
    double drift;       /* mean drift of N in the window [particles/time] (drift-free fit only; 0 otherwise) */
} cnt_attach_fit;

/* Ordinary least-squares line through MSD(t) for t0 <= t <= t1 (needs >= 3 points).
 * Errors: SR_EINVAL for empty data, t not increasing, NaN, a window with < 3 points;
 * SR_ENUMERIC if the slope is <= 0 (no diffusion in the window). */
int cnt_attach_fit_msd(size_t n_rep, size_t n_t, const double *t, const double *N,
                       double t0, double t1, cnt_attach_fit *out);

/* Bootstrap over replicas (resample n_rep traces with replacement, refit in the same window):
 * percentile interval of f+. Needs n_rep >= 2. Resamples with slope <= 0 are skipped (counted
 * in *n_skipped, may be NULL); SR_ENUMERIC if more than half are skipped. The percentile interval
 * of this variance-like statistic undercovers slightly for few replicas (measured on random walks:
 * 60 replicas -> 67% / 92.6% for the nominal 68% / 95%; 200 replicas -> 69% / 95%). */
int cnt_attach_bootstrap(size_t n_rep, size_t n_t, const double *t, const double *N,
                         double t0, double t1, size_t n_boot, gsl_rng *rng,
                         cnt_interval *f_plus, size_t *n_skipped);

/* Drift-free f+ (the accuracy protocol; issue #14). A seed that is not exactly critical drifts:
 * N_r(t) - N_r(0) = v t + sqrt(2 D) W_r(t) (drift-diffusion at the barrier top, D = f+). The MSD
 * above then grows as 2 D t + v^2 t^2 and overestimates f+; the variance of the displacement about its
 * replica mean removes the common drift:
 *     var(t) = 1/(m-1) sum_r (dN_r(t) - <dN(t)>)^2 = 2 f+ t.
 * f+ = slope/2 of the OLS line through var(t) on [t0, t1]; out->drift = slope of <dN(t)> on the
 * same window [particles/time]. Needs n_rep >= 2. Errors as cnt_attach_fit_msd. */
int cnt_attach_var(size_t n_rep, size_t n_t, const double *N, double *var);
int cnt_attach_fit_drift(size_t n_rep, size_t n_t, const double *t, const double *N,
                         double t0, double t1, cnt_attach_fit *out);
/* f+ replicas in groups that share a start configuration (replica r from start group[r], 0 <= group[r] < n_groups):
 * each start's own drift (its cluster's shape and size) is not diffusion, so the variance is pooled within starts,
 *     var(t) = 1/(m - K) sum_r (dN_r(t) - <dN(t)>_{group(r)})^2,
 * the unbiased within-group estimate (K groups, m replicas). out[r*n_t + j] = c (dN_r(j) - <dN(j)>_{group(r)}),
 * c = sqrt((m - 1)/(m - K)), so that cnt_attach_var / _fit_drift / _fit_barrier on out give exactly this pooled
 * variance (out has zero mean at every j). n_groups = 1 is the plain variance about the replica mean. Needs
 * m > n_groups >= 1. */
int cnt_attach_within_groups(size_t n_rep, size_t n_t, const double *N, const int *group, int n_groups, double *out);
/* Bootstrap over replicas of cnt_attach_fit_drift (as cnt_attach_bootstrap). */
int cnt_attach_bootstrap_drift(size_t n_rep, size_t n_t, const double *t, const double *N,
                               double t0, double t1, size_t n_boot, gsl_rng *rng,
                               cnt_interval *f_plus, size_t *n_skipped);

/* The drift-free f+ on a parabolic barrier top (beta dG = beta dG* - pi Z^2 (n - N_c)^2): the size drifts away from
 * N_c at the rate kappa (n - N_c), kappa = 2 pi Z^2 f+, so the variance about the replica mean is
 *     var(t) = (var(t0) + V/2) exp(4 f+ (t - t0) / V) - V/2,   V = var_top = 1/(pi Z^2),
 * which is var(t0) + 2 f+ (t - t0) only at t - t0 << V/(4 f+); a straight line through it over the barrier-top window
 * overestimates f+ (by ~1.8x when the window ends where var has grown by V). Least squares over [t0, t1] with var(t0)
 * free (golden section in ln f, var(t0) in closed form). var_top <= 0 or Inf: the straight line
 * (cnt_attach_fit_drift).
 * out->se_f_plus is the line's relative error applied to the barrier fit. */
int cnt_attach_fit_barrier(size_t n_rep, size_t n_t, const double *t, const double *N, double t0, double t1,
                           double var_top, cnt_attach_fit *out);
int cnt_attach_bootstrap_barrier(size_t n_rep, size_t n_t, const double *t, const double *N, double t0, double t1,
                                 double var_top, size_t n_boot, gsl_rng *rng, cnt_interval *f_plus, size_t *n_skipped);

/* The fit window of the drift-free f+, by rule (documented in README "Accuracy protocol"):
 *   t0 = the first grid time >= t_skip (the seed's interface has relaxed: t_skip = 3 t_relax of
 *        cnt_thermalised_size);
 *   t1 = the last grid time before var(t) - var(t0) first exceeds var_top, where var_top =
 *        1/(pi Z^2) is the squared half-width of the barrier top within kT of dG* (for the CNT barrier
 *        dG* - dG(n) = pi kT Z^2 (n - N_c)^2), i.e. while the seeds still diffuse on the flat top;
 *        var_top <= 0 or Inf: to the end of the data;
 *   at least min_points (>= 3) grid points: t1 is extended when the rule gives fewer.
 * var[] is cnt_attach_var's output. SR_EINVAL when fewer than min_points grid points lie at or after
 * t_skip. */
int cnt_attach_window_rule(size_t n_t, const double *t, const double *var, double t_skip, double var_top,
                           size_t min_points, double *t0, double *t1);

/* ================================================================================================
 * 5b. Thermalised seed size (the accuracy protocol; issue #14)
 *    A freshly inserted seed relabels its interface within a few tau / ps; N_max(0) counts the perfect
 *    frozen seed. The mean trace of a point's replicas is fitted by
 *        N(t) = N_th + (N(0) - N_th) exp(-t/t_relax) + v t
 *    (fast interface relaxation + slow growth/melting drift v): N_th is the thermalised size of the
 *    seed as inserted (the relaxed plateau with the drift separated out) and t_relax its relaxation
 *    time. For each t_relax of a log grid the model is linear in (N_th, v) (least squares); the
 *    t_relax of smallest squared residual is kept (golden-section refinement between grid points).
 * ============================================================================================== */
typedef struct {
    double n_th;     /* thermalised size [particles] */
    double t_relax;  /* interface relaxation time [time] */
    double drift;    /* v [particles/time] */
    double rms;      /* rms residual of the fit [particles] */
    size_t n_points; /* trace points used */
} cnt_thermal_fit;

/* t[0..n_t-1] increasing with t[0] = 0 (the inserted seed), trace[0] = N(0). Needs n_t >= 4.
 * t_relax is searched in [t[1]/4, t[n_t-1]/2]. SR_EINVAL for bad input. */
int cnt_thermalised_size(size_t n_t, const double *t, const double *trace, cnt_thermal_fit *out);

/* ================================================================================================
 * 5c. Headline interval with the systematics (issue #14)
 *    total 68% interval = median -+ sqrt((median - lo68)^2 + sum_k s_k^2) (and for hi68), where s_k is
 *    the largest |value_alt - central| of systematic k (e.g. neighbouring classifier settings, N_0
 *    conventions), taken as a one-standard-deviation half width; 95%: 2 s_k in quadrature with the
 *    95% half widths.
 * ============================================================================================== */
int cnt_total_interval(const cnt_interval *stat, size_t n_sys, const double *s, cnt_interval *total);

/* ================================================================================================
 * 6. Monte-Carlo error propagation
 * ============================================================================================== */

/* An uncertain input: if samples != NULL, draws pick a sample uniformly at random (e.g. bootstrap
 * replicates); otherwise draws are normal(value, sd) (sd = 0: fixed). */
typedef struct {
    double value, sd;
    const double *samples;
    size_t n_samples;
} cnt_dist;

typedef struct {
    cnt_interval gamma, dG_star, log10_J;
    size_t n_rejected; /* draws with a non-physical value (N_c, rho, f+ <= 0 or dmu of the wrong sign) */
} cnt_propagated;

/* Draws n_draw independent sets (N_c, dmu, rho_s, rho_l, f+) and runs cnt_compute on each.
 * dmu draws whose sign differs from the sign of dmu->value (or of its first sample) are rejected,
 * as are non-positive N_c, rho, f+. SR_ENUMERIC if more than half are rejected; SR_EINVAL for
 * n_draw < 2 or kT <= 0. Allocates 3 n_draw doubles. */
int cnt_propagate(const cnt_dist *n_c, const cnt_dist *dmu, const cnt_dist *rho_s,
                  const cnt_dist *rho_l, const cnt_dist *f_plus, double kT, size_t n_draw,
                  gsl_rng *rng, cnt_propagated *out);

/* One draw of a cnt_dist. */
double cnt_dist_draw(const cnt_dist *d, gsl_rng *rng);

/* ================================================================================================
 * 7. Across temperatures: gamma(T) = a + b T and log10 J(T) with a confidence band
 * ============================================================================================== */

/* A quantity as a function of temperature with its standard error: eval(ctx, T, &value, &sd). */
typedef struct {
    int (*eval)(void *ctx, double T, double *value, double *sd);
    void *ctx;
} cnt_model;

/* Tabulated model: piecewise-linear interpolation of value and sd in T (sorted ascending, n >= 2),
 * linear extrapolation from the end segments outside the table. Use with cnt_table_model_eval. */
typedef struct {
    size_t n;
    const double *T, *value, *sd; /* sd may be NULL (= 0) */
} cnt_table_model;
int cnt_table_model_eval(void *table, double T, double *value, double *sd);

/* dmu(T) model from a Dh polynomial and T_m (cnt_dmu_gibbs_helmholtz); sd adds sigma_T_m in
 * quadrature through d(dmu)/dT_m = -T Dh(T_m)/T_m^2. Use with cnt_dmu_model_eval. */
typedef struct {
    const cnt_poly_fit *dh;
    double T_m, sigma_T_m;
} cnt_dmu_model;
int cnt_dmu_model_eval(void *dmu_model, double T, double *value, double *sd);

/* Linear model from a cnt_linfit (value a + b T, sd from the covariance). */
int cnt_linfit_model_eval(void *linfit, double T, double *value, double *sd);

/* All ingredients of J(T): N_c follows from gamma, dmu, rho_s (cnt_critical_size). */
typedef struct {
    cnt_model gamma, dmu, rho_s, rho_l, f_plus;
    double k_B; /* [energy/temperature]: 1 in lj units, CNT_KB_EV_PER_K in metal */
} cnt_rate_model;

/* log10 J at temperature T: central value from the model values, and a Monte-Carlo band from
 * n_draw independent normal draws of each ingredient at that T (correlations between ingredients
 * are neglected). Works for any T where the models evaluate (extrapolation included).
 * Allocates n_draw doubles. */
int cnt_rate_at(const cnt_rate_model *m, double T, size_t n_draw, gsl_rng *rng,
                double *log10_J, cnt_interval *band, size_t *n_rejected);

/* ================================================================================================
 * 8. Becker-Doring chain and kinetic Monte Carlo of one cluster
 *    Attachment f+(n): n -> n+1; detachment by detailed balance
 *        f-(n+1) = f+(n) rho_eq(n)/rho_eq(n+1) = f+(n) exp(beta [dG(n+1) - dG(n)]),
 *        f-(1) = 0 (reflecting at the monomer).
 *    Equilibrium cluster densities rho_eq(n) = rho_l exp(-beta dG(n)).
 * ============================================================================================== */

typedef struct {
    size_t n_max;     /* absorbing size; clusters n = 1 .. n_max */
    double beta;      /* 1/kT [1/energy] */
    double rho_l;     /* number density of the liquid [1/length^3] */
    double *dG;       /* [n_max + 1], dG[n] [energy], dG[0] unused */
    double *f_plus;   /* [n_max + 1], f+(n) [1/time] */
    double *f_minus;  /* [n_max + 1], f-(n) [1/time], f_minus[1] = 0 */
} cnt_bd_model;

/* CNT chain: dG(n) = -n |dmu| + gamma (36 pi)^(1/3) (n / rho_s)^(2/3) (sphere of volume n/rho_s),
 * maximum at n* = N_c (cnt_critical_size); f+(n) = f_plus_nc (n / N_c)^(2/3).
 * SR_EINVAL for non-positive inputs or n_max < 3. */
int cnt_bd_create_cnt(double gamma, double dmu, double rho_s, double rho_l, double f_plus_nc,
                      double kT, size_t n_max, cnt_bd_model **out);
/* Tabulated chain: dG[n], f_plus[n] for n = 1..n_max (index 0 ignored). */
int cnt_bd_create_table(size_t n_max, const double *dG, const double *f_plus, double kT,
                        double rho_l, cnt_bd_model **out);
void cnt_bd_free(cnt_bd_model *m);

/* Exact steady-state flux with rho(1) = rho_eq(1) and an absorbing wall rho(n_max) = 0:
 *   J_BD = [ sum_{n=1}^{n_max - 1} 1 / (f+(n) rho_eq(n)) ]^-1    [1/(length^3 time)]
 * (Becker & Doring, Ann. Phys. 24, 719 (1935); Kelton 1991 eq. 39). Computed in log space. */
int cnt_bd_steady_flux(const cnt_bd_model *m, double *J);

/* Index n* of the maximum of dG(n), 1 <= n* < n_max. */
size_t cnt_bd_top(const cnt_bd_model *m);

/* Population per volume the single tagged cluster stands for: S = sum_{m=1}^{n*} rho_eq(m).
 * Exact mean first-passage time from n0 = 1 of the chain (see cnt_bd_mfpt_exact):
 *   tau(M) = sum_{n=1}^{M-1} P(n) / (f+(n) rho_eq(n)),  P(n) = sum_{m<=n} rho_eq(m),
 * and across the barrier P(n) ~ P(n*) = S, so tau_J = S / J_BD, i.e. J = S / tau_J converts
 * a single-cluster MFPT into a rate per volume that is comparable with J_BD (the neglected part
 * is of relative order exp(-beta [dG* - dG(1)]) times the barrier width). */
int cnt_bd_population(const cnt_bd_model *m, double *S);

/* Exact MFPT tau[n] (n0 <= n <= n_max; tau[n0] = 0, entries below n0 set to 0) of the chain
 * started at n0 with the reflecting monomer wall: tau[n+1] - tau[n] = P(n)/(f+(n) rho_eq(n)).
 * tau has n_max + 1 entries. */
int cnt_bd_mfpt_exact(const cnt_bd_model *m, size_t n0, double *tau);

/* Mean and standard error of tau(n) from the first-passage sums of n_traj Gillespie trajectories
 * (kmc_bd_mfpt_accumulate in src/kmc/kmc.h; se may be NULL). */
int cnt_kmc_mfpt_finish(size_t n_max, size_t n_traj, const double *sum_t, const double *sum_t2,
                        double *tau, double *se);

/* Wedekind, Strey & Reguera, JCP 126, 134103 (2007): tau(n) = (tau_J/2)(1 + erf(c (n - n*))). */
typedef struct {
    double tau_J;     /* nucleation time [time]: J = 1/(tau_J V) in a volume V, or S/tau_J here */
    double c;         /* [1/particles]; Z = c/sqrt(pi) */
    double n_star;    /* critical size [particles] */
    double cov[3][3]; /* covariance of (tau_J, c, n_star) (se-weighted points taken independent) */
    double se_tau_J, se_c, se_n_star;
    double chisq;
    int converged;
} cnt_mfpt_fit;

/* Nonlinear least squares (gsl_multifit_nlinear, trust region) of tau[n] for n in [n_lo, n_hi]
 * with weights 1/se[n]^2 (se == NULL: unweighted, covariance scaled by chisq/dof).
 * Prefer se == NULL for MFPT curves from trajectories: the tau(n) share the same trajectories
 * (strongly correlated) and se(n) is tiny at small n, where the erf form fits worst, so weighting
 * biases tau_J (measured on the kMC test chain: -22% weighted vs -2% unweighted). Even on the exact
 * curve the erf form gives tau_J ~1.5% below the plateau tau(n_max) for that chain. The fit's se_tau_J
 * treats points as independent: use the spread of tau(n_max) over trajectories as the honest error.
 * xtol, gtol: GSL convergence tolerances (e.g. 1e-10); max_iter e.g. 200.
 * Errors: SR_EINVAL for fewer than 4 points or se <= 0; SR_ENUMERIC if the fit fails. */
int cnt_mfpt_fit_wsr(size_t n_lo, size_t n_hi, const double *tau, const double *se, double xtol,
                     double gtol, int max_iter, cnt_mfpt_fit *out);
double cnt_mfpt_wsr_eval(const cnt_mfpt_fit *fit, double n);

/* ================================================================================================
 * 9. (issue #16, kmc module) Brute-force first-passage statistics and dimension-aware CNT.
 *    Shared by `seedrate brute` (MD replicas) and `seedrate ising` (lattice kMC replicas).
 * ============================================================================================== */

/* Censored-exponential maximum likelihood of a first-passage rate. With waiting times t_i ~ k exp(-k t) and
 * replicas that did not arrive by their censoring time counted there,
 *     ln L(k) = n_r ln k - k sum_i t_i      (t_i = passage or censoring time)
 * so k = n_r / sum_i t_i with Fisher error k / sqrt(n_r); J = k / V for a volume (or number of sites) V.
 * With n_r = 0 only an upper bound exists: k < -ln(0.05) / sum_i t_i (95%). */
typedef struct {
    size_t n_total, n_reached;
    double t_sum;     /* sum of passage and censoring times [time] */
    double k, k_err;  /* n_reached / t_sum and k / sqrt(n_reached) [1/time]; 0 and NaN when n_reached = 0 */
    double k_upper95; /* one-sided 95% upper bound -ln(0.05) / t_sum when n_reached = 0, else NaN */
} cnt_brute_mle;

/* t[i]: passage time (reached[i] != 0) or censoring time (reached[i] == 0) of replica i, all >= 0.
 * SR_EINVAL for n = 0, a negative or non-finite time, or t_sum = 0. */
int cnt_brute_mle_fit(size_t n, const double *t, const int *reached, cnt_brute_mle *out);

/* Shifted exponential t = t_lag + Exp(k): Poisson waiting after an induction time t_lag (growth from n* to the
 * threshold, relaxation of the start), which the plain MLE counts as waiting and so biases k low by about
 * 1/(1 + k t_lag). MLE: t_lag = earliest passage time, k = (n_r - 1) / sum_i (t_i - t_lag) (the (n_r - 1)
 * correction makes 1/k unbiased without censoring; Johnson, Kotz & Balakrishnan, Continuous Univariate
 * Distributions vol. 1, ch. 19), error k / sqrt(n_r - 1). SR_EINVAL as cnt_brute_mle_fit, SR_EFAILED when
 * fewer than 2 replicas arrived or all at the same time. out->k_upper95 is NaN. */
int cnt_brute_mle_fit_lag(size_t n, const double *t, const int *reached, cnt_brute_mle *out, double *t_lag);

/* Percentile bootstrap of k over replicas (n_boot resamples with replacement, draws from rng); a resample
 * with no passage gives k = 0. SR_EINVAL if n_boot < 2 or the inputs are invalid. */
int cnt_brute_mle_bootstrap(size_t n, const double *t, const int *reached, size_t n_boot, gsl_rng *rng,
                            cnt_interval *k_interval);

/* Mean first-passage curve from tfp[r * (n_stop + 1) + n] (NaN: replica r never reached n):
 * tau[n] = mean over the count[n] replicas that reached n (NaN when none), n = 0 .. n_stop. tau(n) is unbiased
 * only where (nearly) all replicas reached n. */
int cnt_brute_mfpt_curve(size_t nrep, int n_stop, const double *tfp, double *tau, int *count);

/* Wedekind-Strey-Reguera fit (cnt_mfpt_fit_wsr, unweighted, xtol = gtol = 1e-10, 500 iterations) of
 * tau[n_lo .. n_hi] (all finite) with Z = c / sqrt(pi). SR_EINVAL for fewer than 4 points. */
typedef struct {
    cnt_mfpt_fit fit; /* tau_J [time], c [1/particles], n_star [particles], errors (points taken independent) */
    double Z, se_Z;   /* Zeldovich factor c / sqrt(pi) */
    int n_lo, n_hi;
} cnt_brute_mfpt;
int cnt_brute_mfpt_fit(const double *tau, int n_lo, int n_hi, cnt_brute_mfpt *out);

/* Percentile bootstrap of that fit over replicas: resample tfp rows, rebuild tau(n), refit on [n_lo, n_hi].
 * Resamples in which some n in the range was reached by nobody, or the fit fails, are skipped (*n_skipped,
 * may be NULL). tau_J, n* and Z intervals (any may be NULL). SR_EFAILED when fewer than 2 resamples succeed. */
int cnt_brute_mfpt_bootstrap(size_t nrep, int n_stop, const double *tfp, int n_lo, int n_hi, size_t n_boot,
                             gsl_rng *rng, cnt_interval *tau_J, cnt_interval *n_star, cnt_interval *Z,
                             size_t *n_skipped);

/* ================================================================================================
 * Forward flux sampling statistics (cnt_ffs.c): pure functions of the counts, shared by `seedrate ffs` (MD) and
 * the tests. Direct FFS (Allen, Frenkel & ten Wolde, JCP 124, 024102 (2006); review: Allen, Valeriani &
 * ten Wolde, J. Phys.: Condens. Matter 21, 463102 (2009)) on an order parameter lambda with the basin
 * A = {lambda < lambda_A} and interfaces lambda_A < lambda_0 < lambda_1 < ... < lambda_n (lambda_n = B):
 *     k_AB = Phi_0 prod_{i=0}^{n-1} P(lambda_{i+1} | lambda_i),   Phi_0 = N_0 / T_A,
 * N_0 the first crossings of lambda_0 counted in basin runs of total length T_A (a crossing counts only when the
 * run has been back in A since the last one), P_i = successes / trials of the runs started from the
 * configurations stored at lambda_i (success: lambda >= lambda_{i+1} before lambda < lambda_A).
 * ============================================================================================== */
enum cnt_ffs_event { CNT_FFS_NONE = 0, CNT_FFS_CROSSED = 1, CNT_FFS_REACHED_B = 2, CNT_FFS_SUCCESS = 3,
                     CNT_FFS_FAILURE = 4 };

/* The state of one basin (flux) run. */
typedef struct cnt_ffs_basin {
    double lambda_A, lambda_0, lambda_B;
    int armed; /* 1: the run has been in A since the last counted crossing (0 at the start) */
} cnt_ffs_basin;
/* Start a basin run: not armed until lambda < lambda_A is observed (a run that starts outside A, e.g. from a
 * relaxed state that already holds a cluster, has not come from A: counting its first crossing biases the flux
 * toward paths on their way up; measured on the Ising testbed: +11% with short basin runs). */
void cnt_ffs_basin_init(cnt_ffs_basin *b, double lambda_A, double lambda_0, double lambda_B);
/* One observation of lambda in a basin run: CNT_FFS_REACHED_B when lambda >= lambda_B (the run ends there);
 * CNT_FFS_CROSSED when lambda >= lambda_0 and the run was armed (store the configuration; disarms);
 * lambda < lambda_A re-arms. Otherwise CNT_FFS_NONE. */
int cnt_ffs_basin_observe(cnt_ffs_basin *b, double lambda);
/* One observation in a trial from lambda_i: CNT_FFS_SUCCESS when lambda >= lambda_next, CNT_FFS_FAILURE when
 * lambda < lambda_A (back in the basin), else CNT_FFS_NONE (keep running). */
int cnt_ffs_trial_observe(double lambda, double lambda_A, double lambda_next);

/* Interfaces: lambda_A < lambda_0 < ... < lambda_{n} strictly, n >= 1, all finite. On failure returns SR_EINVAL
 * and writes one sentence naming the first offending pair into msg (len bytes). */
int cnt_ffs_check_interfaces(double lambda_A, const double *lambda, int n_interfaces, char *msg, size_t len);

/* The estimate from the counts: n_stages = n_interfaces - 1 stages, trials[i] and success[i] from lambda_i.
 * Relative variance (Allen, Frenkel & ten Wolde, JCP 124, 194111 (2006), summarised in Allen, Valeriani &
 * ten Wolde 2009, section on the efficiency of FFS), neglecting the "landscape variance" (the spread of the
 * success probability over the configurations at one interface; the bootstrap below keeps it):
 *     Var(k)/k^2 = 1/N_0 + sum_i (1 - P_i) / (P_i M_i)
 * with 1/N_0 the Poisson variance of the flux. Interval log-normal: k exp(+-z s), s^2 = ln(1 + Var/k^2). A stage with
 * no success gives k = 0 and an upper bound from the rule of three: P_i < 3/M_i (95%) in place of P_i. */
typedef struct cnt_ffs_result {
    double flux;        /* Phi_0 = N_0 / T_A [1/time] (per system) */
    double prob;        /* prod P_i */
    double k;           /* Phi_0 prod P_i [1/time] */
    double rel_var;     /* Var(k)/k^2 (NaN when k = 0) */
    double k_lo68, k_hi68, k_lo95, k_hi95;
    double k_upper95;   /* when k = 0: the bound with the first failed stage's P < 3/M (else NaN) */
    int stages_done;    /* stages with trials */
} cnt_ffs_result;
int cnt_ffs_estimate(long n_cross, double t_basin, int n_stages, const long *trials, const long *success,
                     cnt_ffs_result *out);

/* Bootstrap (percentile) of k: each resample draws the basin runs with replacement (Phi_0* = sum of their
 * crossings / sum of their times) and, independently, the configurations at lambda_0 with replacement, each with
 * the whole tree of trials that descends from it (P_i* = successes / trials over the drawn trees). The tree keeps
 * the correlation of the trials that share an ancestor, so the interval includes the landscape variance.
 *   n_runs, run_cross[n_runs], run_time[n_runs]: the basin runs
 *   n_roots: configurations at lambda_0; n_trials[i], root[i][t] (ancestor at lambda_0 of trial t of stage i),
 *   success[i][t] (0/1).
 * Resamples with k* = 0 are kept (they sit at the low end). The interval is of k (median, 68%, 95%).
 * SR_EINVAL for empty data, SR_EFAILED when every resample has k* = 0. */
int cnt_ffs_bootstrap(int n_runs, const long *run_cross, const double *run_time, long n_roots, int n_stages,
                      const long *n_trials, const long *const *root, const unsigned char *const *success,
                      size_t n_boot, gsl_rng *rng, cnt_interval *k);

/* Adaptive placement (interfaces = auto): from the largest lambda reached by each of m pilot runs started at
 * lambda_i (each run until it falls back to A or reaches lambda_B), the next interface is the largest integer
 * lambda in (lambda_i, lambda_B] that a fraction >= p_target of the pilots reached (so P_i is about p_target);
 * at least lambda_i + step, at most lambda_B; lambda_B when (at least) that fraction reached lambda_B. */
double cnt_ffs_next_interface(const double *lambda_max, int m, double lambda_i, double lambda_B, double p_target,
                              double step);

/* CNT in d = 2 or 3 dimensions (cnt_dim.c). dim = 3 is cnt_compute. dim = 2 (a disc of area N/rho_s with
 * line tension gamma): dG(N) = -N |dmu| + 2 gamma sqrt(pi N / rho_s), so
 *     N_c = pi gamma^2 / (rho_s dmu^2)  <=>  gamma = |dmu| sqrt(N_c rho_s / pi)   [energy/length]
 *     dG* = N_c |dmu|,   Z = sqrt(|dmu| / (4 pi kT N_c)),   J = rho_l Z f+ exp(-dG* /kT)  [1/(length^2 time)]
 * (general d: dG* = N_c |dmu| / (d - 1), Z = sqrt(|dmu| / (2 pi d kT N_c))). rho_s, rho_l are areal densities
 * in 2D (1 per site on a lattice). SR_EINVAL for another dim or the inputs cnt_compute rejects. */
int cnt_compute_dim(int dim, const cnt_inputs *in, cnt_result *out);


/* ------------------------------------------------------------------------------------------------
 * Umbrella sampling on an integer order parameter (cnt_wham.c): pure functions of histograms, shared by
 * `seedrate umbrella` (MD, n = N_max) and the synthetic tests. Bias energies are in units of kT.
 * ---------------------------------------------------------------------------------------------- */
/* Harmonic umbrella w(n)/kT = (kappa/2) (n - centre)^2 (kappa in kT per unit of n squared). */
double cnt_umbrella_bias(double kappa, double centre, double n);
/* Metropolis test of a hybrid Monte Carlo trial: accept (1) when u < exp(-beta_dH - beta_dw), u uniform in [0, 1);
 * beta_dH = change of the integrator's effective (conserved) energy over the MD segment / kT (0 for exact
 * dynamics), beta_dw = change of the bias / kT. See seed_umbrella.h for why both terms are there. */
int cnt_hmc_accept(double beta_dH, double beta_dw, double u);
/* Window centres: increasing and >= 0 (kappa > 0). msg gets the first problem ("centres must increase: ...");
 * returns 0 when fine. */
int cnt_umbrella_check_windows(const double *centres, int n, double kappa, char *msg, size_t len);
/* Default centres: 0 < spacing, 2 spacing, ... <= n_last with spacing = max(1, round(2 / sqrt(kappa))) (neighbouring
 * windows, each of standard deviation 1/sqrt(kappa) in a flat landscape, then overlap at one sd). Returns the count
 * (<= cap). */
int cnt_umbrella_default_centres(double kappa, double n_last, double *centres, int cap);

/* WHAM on integer bins n = 0 .. nbins-1 (Kumar et al., J. Comput. Chem. 13, 1011 (1992); for a discrete order
 * parameter with one bin per value it has no binning error and coincides with MBAR, Shirts & Chodera, JCP 129,
 * 124105 (2008)): hist[i*nbins + n] samples of window i in bin n, bias[i*nbins + n] = w_i(n)/kT. Solves
 *     P(n) = sum_i h_i(n) / sum_i N_i exp(f_i - w_i(n)),   exp(-f_i) = sum_n P(n) exp(-w_i(n))
 * self-consistently in log space (f_0 = 0) until max_i |change of f_i| < tol (at most max_iter sweeps).
 * F[n] = -ln P(n) with sum_n P(n) = 1 (INFINITY where no window sampled n); f[nwin] (may be NULL).
 * Warm start: f holds a guess when warm != 0. */
typedef struct cnt_wham_opts {
    double tol;   /* convergence of the window free energies (kT) */
    int max_iter;
} cnt_wham_opts;
int cnt_wham_solve(int nwin, int nbins, const double *hist, const double *bias, const cnt_wham_opts *o, double *F,
                   double *f, int warm, int *iters);
/* Block bootstrap of the WHAM free energy: window i's series x_i[0..len_i-1] (bin indices) is cut into `blocks`
 * consecutive blocks, which are resampled with replacement within each window (correlated samples: blocks much longer
 * than the correlation time). sd[n] = standard deviation of F[n] over the nboot resamples where finite (NaN where
 * fewer than half the resamples had n sampled). F_all[nboot * nbins] (may be NULL) receives each resample's F. */
int cnt_wham_bootstrap(int nwin, int nbins, const int *const *x, const long *len, const double *bias, int blocks,
                       size_t nboot, gsl_rng *r, const cnt_wham_opts *o, double *sd, double *F_all);
/* Barrier of F over bins: the basin n_basin = the global minimum of F, n* = the maximum of F over the finite bins
 * above n_basin. Returns SR_EFAILED when no finite bin lies above the minimum. */
int cnt_umbrella_barrier(int nbins, const double *F, int *n_basin, int *n_star);
/* Top of the barrier by a parabola dG(n)/kT = dg_star + (curv/2)(n - n_star)^2 fitted (least squares, GSL) to the
 * finite bins of dg within n_peak +- half_width (n_peak: the bin maximum, e.g. from cnt_umbrella_barrier). The fit
 * smooths the bin-to-bin noise of a flat top, whose highest bin is biased upward; curv = d^2(beta dG)/dn^2 < 0 gives
 * the Zeldovich factor Z = sqrt(-curv / (2 pi)) (Auer & Frenkel, Nature 409, 1020 (2001)). *z may be NULL.
 * SR_EINVAL for bad arguments, SR_EFAILED with fewer than 5 finite bins or curv >= 0 (no maximum). */
int cnt_umbrella_top_fit(int nbins, const double *dg, int n_peak, int half_width, double *n_star, double *dg_star,
                         double *curv, double *z);
/* Nucleation rate J = rho_l Z f+ exp(-dg_star) from the umbrella barrier (rho_l liquid number density, f+ attachment
 * rate at the top, dg_star = beta dG*): log10 J in the units of rho_l f+. NaN unless rho_l, z, f_plus > 0. */
double cnt_umbrella_log10_rate(double rho_l, double z, double f_plus, double dg_star);
/* The interval of log10 J = u + log10 f+ where u = log10(rho_l Z exp(-beta dG*)) comes from the WHAM bootstrap (point
 * u, sd u_sd, 68% interval [u_lo, u_hi]) and f+ from independent data (its 68% interval [f_lo, f_hi]; f_lo = f_hi = f:
 * f+ exact, e.g. given in the input). Independent errors add in quadrature, on each side separately (the f+ interval
 * is asymmetric in log10): out[0] = log10 J, out[1] = sqrt(u_sd^2 + ((log10 f_hi - log10 f_lo)/2)^2),
 * out[2] = out[0] - sqrt((u - u_lo)^2 + (log10 f - log10 f_lo)^2), out[3] likewise above. NaN where an input is
 * missing (f <= 0 or u not finite: all four). */
void cnt_umbrella_rate_interval(double u, double u_sd, double u_lo, double u_hi, double f, double f_lo, double f_hi,
                                double out[4]);
/* CNT free energy of a spherical cluster of n particles / kT: -n |dmu| + (36 pi)^(1/3) rho_s^(-2/3) gamma n^(2/3),
 * all divided by kT (dmu energy, rho_s length^-3, gamma energy/length^2). */
double cnt_umbrella_cnt_curve(double n, double dmu, double rho_s, double gamma, double kT);

#endif
