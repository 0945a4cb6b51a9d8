/* test_cnt_pgrow.c - maximum-likelihood fit of P_grow(x) = 1/(1+exp(-(x-x_c)/w)) and its bootstrap. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "cnt/cnt.h"
#include "common/sr_error.h"
#include "common/sr_rng.h"

#define assert_close(a, b, tol)                                                                  \
    do {                                                                                         \
        double a_ = (a), b_ = (b), t_ = (tol);                                                   \
        if (!(fabs(a_ - b_) <= t_)) fail_msg("%s = %.10g, expected %.10g +- %.3g", #a, a_, b_, t_); \
    } while (0)

#define GTOL 1e-12
#define MAXIT 100
#define NG 6

/* Synthetic groups: n_rep replicas at each x, outcomes drawn from the true logistic. */
static void synth(gsl_rng *r, double xc, double w, const double *x, size_t n, unsigned n_rep, unsigned *k,
                  unsigned *nt)
{
    for (size_t i = 0; i < n; i++) {
        nt[i] = n_rep;
        k[i] = gsl_ran_binomial(r, 1.0 / (1.0 + exp(-(x[i] - xc) / w)), n_rep);
    }
}

/* Log-likelihood written independently of the library (direct p, not softplus), for derivatives. */
static double loglik(size_t n, const double *x, const unsigned *k, const unsigned *nt, double xc, double w)
{
    double ll = 0;
    for (size_t i = 0; i < n; i++) {
        double p = 1.0 / (1.0 + exp(-(x[i] - xc) / w));
        ll += k[i] * log(p) + (nt[i] - k[i]) * log(1 - p);
    }
    return ll;
}

/* Large data set: the MLE is close to the truth (N-mode, w > 0). */
static void test_recovers_x_c_and_w(void **state)
{
    (void)state;
    const double xc = 123.7, w = 8.35;
    double x[NG] = {100, 110, 118, 126, 135, 150};
    unsigned k[NG], nt[NG];
    gsl_rng *r = sr_rng_create(20261125, 0, SR_RNG_USER);
    synth(r, xc, w, x, NG, 4000, k, nt);
    cnt_logistic_fit f;
    assert_int_equal(cnt_pgrow_fit(NG, x, k, nt, GTOL, MAXIT, &f), SR_OK);
    assert_true(f.converged);
    assert_true(f.se_x_c > 0 && f.se_x_c < 0.5);
    assert_close(f.x_c, xc, 4 * f.se_x_c);
    assert_close(f.w, w, 4 * f.se_w);
    assert_close(cnt_pgrow_eval(&f, f.x_c), 0.5, 1e-15);
    gsl_rng_free(r);
}

/* T-mode: P_grow falls with temperature, so w < 0. */
static void test_negative_width_T_mode(void **state)
{
    (void)state;
    const double Tc = 0.5837, w = -0.0123;
    double T[NG] = {0.56, 0.57, 0.58, 0.59, 0.60, 0.61};
    unsigned k[NG], nt[NG];
    gsl_rng *r = sr_rng_create(7, 1, SR_RNG_USER);
    synth(r, Tc, w, T, NG, 3000, k, nt);
    cnt_logistic_fit f;
    assert_int_equal(cnt_pgrow_fit(NG, T, k, nt, GTOL, MAXIT, &f), SR_OK);
    assert_true(f.w < 0);
    assert_close(f.x_c, Tc, 4 * f.se_x_c);
    assert_close(f.w, w, 4 * f.se_w);
    gsl_rng_free(r);
}

/* At the MLE the gradient of ln L vanishes and the covariance is the inverse of the negative
 * Hessian: both checked by central finite differences of an independent ln L. */
static void test_mle_gradient_and_fisher_covariance(void **state)
{
    (void)state;
    double x[NG] = {90, 104, 113, 121, 133, 147};
    unsigned k[NG] = {1, 5, 9, 14, 19, 23}, nt[NG] = {24, 25, 23, 24, 25, 24};
    cnt_logistic_fit f;
    assert_int_equal(cnt_pgrow_fit(NG, x, k, nt, GTOL, MAXIT, &f), SR_OK);
    double h[2] = {1e-3 * f.se_x_c, 1e-3 * f.se_w}, p[2] = {f.x_c, f.w};
    double H[2][2];
    for (int a = 0; a < 2; a++) {
        double pp[2] = {p[0], p[1]}, pm[2] = {p[0], p[1]};
        pp[a] += h[a];
        pm[a] -= h[a];
        double g = (loglik(NG, x, k, nt, pp[0], pp[1]) - loglik(NG, x, k, nt, pm[0], pm[1])) / (2 * h[a]);
        assert_close(g * h[a], 0.0, 1e-9); /* gradient times the step: no change of ln L to first order */
        for (int b = 0; b < 2; b++) {
            double s[4][2];
            int sg[4][2] = {{1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
            double v[4];
            for (int q = 0; q < 4; q++) {
                s[q][0] = p[0];
                s[q][1] = p[1];
                s[q][a] += sg[q][0] * 10 * h[a];
                s[q][b] += sg[q][1] * 10 * h[b];
                v[q] = loglik(NG, x, k, nt, s[q][0], s[q][1]);
            }
            H[a][b] = (v[0] - v[1] - v[2] + v[3]) / (4 * 100 * h[a] * h[b]);
        }
    }
    double det = H[0][0] * H[1][1] - H[0][1] * H[1][0];
    double C[2][2] = {{-H[1][1] / det, H[0][1] / det}, {H[1][0] / det, -H[0][0] / det}};
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++)
            assert_close(f.cov[a][b], C[a][b], 1e-4 * sqrt(fabs(C[a][a] * C[b][b])));
    /* loglik includes the binomial coefficients: compare with gsl's binomial pdf */
    double ll = 0;
    for (int i = 0; i < NG; i++) ll += log(gsl_ran_binomial_pdf(k[i], cnt_pgrow_eval(&f, x[i]), nt[i]));
    assert_close(f.loglik, ll, 1e-9 * fabs(ll));
}

/* x_c +- se (Fisher) covers the truth in ~68.27% of 400 synthetic campaigns (binomial 3.5 sigma). */
static void test_fisher_interval_coverage(void **state)
{
    (void)state;
    const double xc = 61.3, w = 4.7;
    double x[NG] = {50, 55, 59, 63, 67, 73};
    unsigned k[NG], nt[NG];
    gsl_rng *r = sr_rng_create(99, 2, SR_RNG_USER);
    const int sets = 400;
    int covered = 0, done = 0;
    for (int s = 0; s < sets; s++) {
        synth(r, xc, w, x, NG, 40, k, nt);
        cnt_logistic_fit f;
        if (cnt_pgrow_fit(NG, x, k, nt, GTOL, MAXIT, &f)) { print_message("%s\n", sr_error_message()); continue; }
        done++;
        covered += fabs(f.x_c - xc) <= f.se_x_c;
    }
    assert_true(done >= sets - 2);
    double p = 0.6827, mean = p * done, sd = sqrt(done * p * (1 - p));
    print_message("Fisher x_c +- se coverage %d/%d (expected %.0f +- %.0f)\n", covered, done, mean, sd);
    if (fabs(covered - mean) > 3.5 * sd) fail_msg("Fisher 68%% coverage %d/%d, expected %.0f +- %.0f", covered, done, mean, 3.5 * sd);
    gsl_rng_free(r);
}

/* The bootstrap 68% and 95% percentile intervals of x_c cover the truth at the nominal rates. */
static void test_bootstrap_interval_coverage(void **state)
{
    (void)state;
    const double xc = 61.3, w = 4.7;
    double x[NG] = {50, 55, 59, 63, 67, 73};
    unsigned k[NG], nt[NG];
    gsl_rng *r = sr_rng_create(1234, 3, SR_RNG_USER);
    gsl_rng *rb = sr_rng_create(1234, 3, SR_RNG_BOOTSTRAP);
    const int sets = 400;
    int c68 = 0, c95 = 0, done = 0;
    for (int s = 0; s < sets; s++) {
        synth(r, xc, w, x, NG, 40, k, nt);
        cnt_interval xi;
        size_t skipped;
        if (cnt_pgrow_bootstrap(NG, x, k, nt, 250, rb, 1e-10, MAXIT, &xi, NULL, &skipped)) continue;
        done++;
        c68 += xi.lo68 <= xc && xc <= xi.hi68;
        c95 += xi.lo95 <= xc && xc <= xi.hi95;
    }
    assert_true(done >= sets - 2);
    double sd68 = sqrt(done * 0.6827 * 0.3173), sd95 = sqrt(done * 0.9545 * 0.0455);
    print_message("bootstrap x_c coverage: 68%%: %d/%d, 95%%: %d/%d\n", c68, done, c95, done);
    if (fabs(c68 - 0.6827 * done) > 3.5 * sd68) fail_msg("bootstrap 68%% coverage %d/%d", c68, done);
    if (fabs(c95 - 0.9545 * done) > 3.5 * sd95) fail_msg("bootstrap 95%% coverage %d/%d", c95, done);
    gsl_rng_free(r);
    gsl_rng_free(rb);
}

/* Campaign-sized data (5 sizes 10 atoms apart, 5 replicas each, a transition ~4 atoms wide, as the LJ default job's
 * extra temperatures): many resamples are separated. Among the data sets that have an MLE, the 68 % interval must
 * still cover the truth at about the nominal rate (measured: 250/331 = 0.755, slightly conservative). The bootstrap
 * before 2026-12-07 left the separated resamples out: it refused 46 of these 331 data sets (more than half of their
 * resamples separated) and covered 187/285 = 0.656 of the rest. */
static void test_bootstrap_sparse_coverage(void **state)
{
    (void)state;
    const double xc = 61.3, w = 4.0;
    double x[5] = {40, 50, 60, 70, 80};
    unsigned k[5], nt[5];
    gsl_rng *r = sr_rng_create(4321, 3, SR_RNG_USER);
    gsl_rng *rb = sr_rng_create(4321, 3, SR_RNG_BOOTSTRAP);
    int c68 = 0, done = 0;
    for (int s = 0; s < 600; s++) {
        synth(r, xc, w, x, 5, 5, k, nt);
        cnt_interval xi;
        size_t skipped;
        if (cnt_pgrow_bootstrap(5, x, k, nt, 250, rb, 1e-10, MAXIT, &xi, NULL, &skipped)) {
            sr_error_clear();
            continue;
        }
        done++;
        c68 += xi.lo68 <= xc && xc <= xi.hi68;
    }
    const double sd68 = sqrt(done * 0.6827 * 0.3173);
    print_message("sparse bootstrap x_c coverage: 68%%: %d/%d = %.3f\n", c68, done, (double)c68 / done);
    assert_true(done >= 200);
    if (fabs(c68 - 0.6827 * done) > 3.5 * sd68) fail_msg("sparse bootstrap 68%% coverage %d/%d", c68, done);
    gsl_rng_free(r);
    gsl_rng_free(rb);
}

/* Same seed, same interval: the bootstrap only uses the rng it is given. */
static void test_bootstrap_reproducible(void **state)
{
    (void)state;
    double x[NG] = {90, 104, 113, 121, 133, 147};
    unsigned k[NG] = {1, 5, 9, 14, 19, 23}, nt[NG] = {24, 25, 23, 24, 25, 24};
    cnt_interval a, b, wa;
    for (int rep = 0; rep < 2; rep++) {
        gsl_rng *r = sr_rng_create(5, 0, SR_RNG_BOOTSTRAP);
        assert_int_equal(cnt_pgrow_bootstrap(NG, x, k, nt, 300, r, 1e-10, MAXIT, rep ? &b : &a, &wa, NULL), SR_OK);
        gsl_rng_free(r);
    }
    assert_memory_equal(&a, &b, sizeof a);
    assert_true(a.lo95 < a.lo68 && a.lo68 < a.median && a.median < a.hi68 && a.hi68 < a.hi95);
    assert_true(wa.median > 0);
}

static void expect_error(int rc, int code, const char *fragment)
{
    assert_int_equal(rc, code);
    if (!strstr(sr_error_message(), fragment)) fail_msg("message '%s' lacks '%s'", sr_error_message(), fragment);
    sr_error_clear();
}

static void test_error_paths(void **state)
{
    (void)state;
    cnt_logistic_fit f;
    double x[3] = {10, 20, 30};
    unsigned nt[3] = {10, 10, 10};
    expect_error(cnt_pgrow_fit(0, x, nt, nt, GTOL, MAXIT, &f), SR_EINVAL, "empty");
    unsigned all[3] = {10, 10, 10}, none[3] = {0, 0, 0}, sep[3] = {0, 0, 10}, sepneg[3] = {10, 3, 0};
    unsigned big[3] = {11, 1, 1};
    expect_error(cnt_pgrow_fit(3, x, all, nt, GTOL, MAXIT, &f), SR_ENUMERIC, "all replicas grew");
    expect_error(cnt_pgrow_fit(3, x, none, nt, GTOL, MAXIT, &f), SR_ENUMERIC, "all replicas melted");
    expect_error(cnt_pgrow_fit(3, x, sep, nt, GTOL, MAXIT, &f), SR_ENUMERIC, "separated");
    expect_error(cnt_pgrow_fit(3, x, sepneg, nt, GTOL, MAXIT, &f), SR_ENUMERIC, "separated"); /* quasi, w < 0 */
    expect_error(cnt_pgrow_fit(3, x, big, nt, GTOL, MAXIT, &f), SR_EINVAL, "n_grow=11 > n_total=10");
    unsigned mixed[1] = {4};
    expect_error(cnt_pgrow_fit(1, x, mixed, nt, GTOL, MAXIT, &f), SR_EINVAL, "2 distinct x");
    double xn[3] = {10, NAN, 30};
    unsigned ok[3] = {2, 5, 8};
    expect_error(cnt_pgrow_fit(3, xn, ok, nt, GTOL, MAXIT, &f), SR_EINVAL, "not finite");
    unsigned zero[3] = {10, 0, 10};
    expect_error(cnt_pgrow_fit(3, x, ok, zero, GTOL, MAXIT, &f), SR_EINVAL, "no replicas");
    expect_error(cnt_pgrow_fit(3, x, ok, nt, GTOL, 0, &f), SR_EINVAL, "max_iter");
    /* non-convergence is reported, not silently returned */
    expect_error(cnt_pgrow_fit(3, x, ok, nt, 1e-300, 1, &f), SR_ENUMERIC, "did not converge");
    assert_false(f.converged);
    gsl_rng *r = sr_rng_create(1, 0, SR_RNG_BOOTSTRAP);
    cnt_interval xi;
    expect_error(cnt_pgrow_bootstrap(3, x, ok, nt, 1, r, GTOL, MAXIT, &xi, NULL, NULL), SR_EINVAL, "n_boot");
    /* a barely-overlapping data set: many resamples are separated. Those with a bracket place x_c inside it
     * (k2 = 0 and k3 < 10, ~23 %: no all-grown size, skipped); the interval stays inside the bracket [10, 30] */
    unsigned edge[3] = {0, 1, 9};
    size_t skipped = 0;
    assert_int_equal(cnt_pgrow_bootstrap(3, x, edge, nt, 400, r, GTOL, MAXIT, &xi, NULL, &skipped), SR_OK);
    assert_true(skipped > 40 && skipped < 150);
    assert_true(xi.lo95 >= 10 && xi.hi95 <= 30 && xi.lo68 < xi.hi68);
    gsl_rng_free(r);
}

/* Separated outcomes: the fit refuses (no finite width) and the bracket is [largest all-melted size,
 * smallest all-grown size]; mixed points inside it do not move it; no bracket when P_grow falls. */
static void test_bracket_of_separated_outcomes(void **state)
{
    (void)state;
    const double x[5] = {38, 201, 284, 294, 371};
    const unsigned g[5] = {0, 0, 2, 2, 3}, t[5] = {5, 3, 3, 2, 3};
    cnt_logistic_fit fit;
    assert_int_not_equal(cnt_pgrow_fit(5, x, g, t, 1e-10, 200, &fit), SR_OK); /* w -> 0 */
    double lo, hi;
    assert_int_equal(cnt_pgrow_bracket(5, x, g, t, &lo, &hi), SR_OK);
    assert_true(lo == 201 && hi == 294);
    /* a point with no decided replica is ignored */
    const unsigned t2[5] = {5, 3, 3, 0, 3}, g2[5] = {0, 0, 2, 0, 3};
    assert_int_equal(cnt_pgrow_bracket(5, x, g2, t2, &lo, &hi), SR_OK);
    assert_true(lo == 201 && hi == 371);
    /* P_grow falling with size: no bracket */
    const unsigned g3[5] = {5, 3, 1, 0, 0};
    assert_int_equal(cnt_pgrow_bracket(5, x, g3, (const unsigned[]){5, 3, 3, 2, 3}, &lo, &hi), SR_EFAILED);
    /* no all-grown point */
    const unsigned g4[5] = {0, 0, 1, 1, 2};
    assert_int_equal(cnt_pgrow_bracket(5, x, g4, t, &lo, &hi), SR_EFAILED);
}

/* Decision boundaries: walkers started at N_ref = n* of a CNT barrier dG(n) = -D n + b n^(2/3) (n* = 40, dG* = 10 kT,
 * barrier-top range 1/(sqrt(pi) Z) = 22 atoms), moving +-1 with probabilities from dG (detailed balance), absorbed
 * at grow_factor * N_ref or melt_fraction * N_ref. On a flat landscape the fraction absorbed above is the
 * gambler's-ruin value cnt_pgrow_top_bias returns; on the barrier, symmetric boundaries (1.5, 0.5) give ~0.5 at n*
 * while the old LJ inputs' (1.3, 0.5) give a fraction well above it, i.e. they move the P_grow midpoint below n*. */
static double walk_fraction_from(gsl_rng *r, int n0, double g, double m, int flat, int nwalk)
{
    const double ns = 40.0, b = 30.0 / pow(ns, 2.0 / 3.0), D = 2.0 * b / (3.0 * cbrt(ns));
    const int up = (int)ceil(g * n0), lo = (int)floor(m * n0);
    int hits = 0;
    for (int w = 0; w < nwalk; w++) {
        int n = n0;
        while (n > lo && n < up) {
            double p = 0.5;
            if (!flat) {
                const double g0 = -D * n + b * pow(n, 2.0 / 3.0);
                const double gu = -D * (n + 1) + b * pow(n + 1, 2.0 / 3.0), gd = -D * (n - 1) + b * pow(n - 1, 2.0 / 3.0);
                const double ru = exp(-(gu - g0) / 2), rd = exp(-(gd - g0) / 2);
                p = ru / (ru + rd);
            }
            n += gsl_rng_uniform(r) < p ? 1 : -1;
        }
        hits += n >= up;
    }
    return (double)hits / nwalk;
}

static double walk_fraction(gsl_rng *r, double g, double m, int flat, int nwalk)
{
    return walk_fraction_from(r, 40, g, m, flat, nwalk);
}

/* Boundaries inside the barrier top decide by diffusion: on the same CNT barrier (top half-width 22 atoms), seeds
 * started 8 atoms below and above n* are told apart by the 1.5 / 0.5 rule (nearest boundary 16-24 atoms away, 0.7-1.1
 * half-widths) and by a wide 3.0 / 0.1 rule (committor-like) much better than by the halfway rule 1.25 / 0.75 (8-12
 * atoms, ~0.5 half-widths) that seedrate cnt leaves out of the headline when it lies inside the top: its P_grow is
 * flattened towards 1/2, so its midpoint is set by noise. */
static void test_decision_inside_top(void **state)
{
    (void)state;
    gsl_rng *r = sr_rng_create(32, 0, SR_RNG_USER);
    const int nw = 4000;
    double d[3];
    const double g[3] = {1.25, 1.5, 3.0}, m[3] = {0.75, 0.5, 0.1};
    for (int k = 0; k < 3; k++)
        d[k] = walk_fraction_from(r, 48, g[k], m[k], 0, nw) - walk_fraction_from(r, 32, g[k], m[k], 0, nw);
    print_message("P_grow(n* + 8) - P_grow(n* - 8): halfway 1.25/0.75 %.3f, rule 1.5/0.5 %.3f, wide 3.0/0.1 %.3f\n", d[0],
                  d[1], d[2]);
    /* binomial sd of each difference ~ 0.011 */
    assert_true(d[1] > d[0] + 0.08);
    assert_true(d[2] > d[0] + 0.08);
    assert_true(d[0] > 0);
    gsl_rng_free(r);
}

static void test_decision_boundary_bias(void **state)
{
    (void)state;
    gsl_rng *r = sr_rng_create(31, 0, SR_RNG_USER);
    const int nw = 4000;
    const double sig = 0.5 / sqrt((double)nw); /* binomial sd at p ~ 0.5 */
    assert_true(fabs(cnt_pgrow_top_bias(1.5, 0.5) - 0.5) < 1e-15);
    assert_true(fabs(cnt_pgrow_top_bias(1.3, 0.5) - 0.625) < 1e-15);
    assert_true(isnan(cnt_pgrow_top_bias(1.0, 0.5)) && isnan(cnt_pgrow_top_bias(1.5, 1.0)));
    const double flat = walk_fraction(r, 1.3, 0.5, 1, nw);
    const double asym = walk_fraction(r, 1.3, 0.5, 0, nw), sym = walk_fraction(r, 1.5, 0.5, 0, nw);
    print_message("flat 1.3/0.5: %.3f (gambler's ruin %.3f); CNT barrier from n*: 1.3/0.5 %.3f, 1.5/0.5 %.3f\n", flat,
                  cnt_pgrow_top_bias(1.3, 0.5), asym, sym);
    assert_true(fabs(flat - 0.625) < 3.5 * sig);
    assert_true(fabs(sym - 0.5) < 0.04);
    assert_true(asym - sym > 0.06);
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recovers_x_c_and_w),
        cmocka_unit_test(test_negative_width_T_mode),
        cmocka_unit_test(test_mle_gradient_and_fisher_covariance),
        cmocka_unit_test(test_fisher_interval_coverage),
        cmocka_unit_test(test_bootstrap_interval_coverage),
        cmocka_unit_test(test_bootstrap_sparse_coverage),
        cmocka_unit_test(test_bootstrap_reproducible),
        cmocka_unit_test(test_error_paths),
        cmocka_unit_test(test_bracket_of_separated_outcomes),
        cmocka_unit_test(test_decision_boundary_bias),
        cmocka_unit_test(test_decision_inside_top),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
