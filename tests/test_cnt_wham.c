/* test_cnt_wham.c - umbrella sampling statistics (cnt_wham.c, cnt.h), the layer under `seedrate umbrella`:
 *  - WHAM on synthetic biased samples drawn exactly from a known CNT-shaped free energy
 *        beta dG(n) = -a n + b n^(2/3)   (a = 0.55, b = 2.85: n* = (2b/3a)^3 ~ 40, beta dG* ~ 7.4)
 *    in an unbiased window plus harmonic windows: the estimate recovers F(n) = -ln P(n) within its block-bootstrap
 *    error (the +-1 sd interval covers the truth in >= 60% of bins x repeats, and in <= 85%: the errors are not
 *    inflated), n* and the barrier come out right, and a landscape 1.5x steeper is rejected;
 *  - the hybrid Monte Carlo rule min(1, exp(-beta dH - beta dw)) leaves the biased Boltzmann distribution invariant
 *    for a 1-D double well sampled with coarse leapfrog segments (dt large enough that dH matters), and leaving out
 *    dH (accepting on the bias alone) visibly does not - the check can fail;
 *  - the parabola fitted to the barrier top (cnt_umbrella_top_fit) recovers n*, dG* and the Zeldovich factor of the
 *    CNT landscape, and on noisy bins its dG* is unbiased where the highest bin is biased upward; J from it;
 *  - the interval of log10 J when f+ is measured (cnt_umbrella_rate_interval): for independent errors of the barrier
 *    part and of log10 f+ it matches the percentile interval of their sum (a linear sum of the widths would not);
 *  - window checks and the error paths. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include "cnt/cnt.h"
#include "common/sr_error.h"
#include "common/sr_rng.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

enum { NB = 71 };
static double true_F(int n) { return -0.55 * n + 2.85 * pow(n, 2.0 / 3.0); }


static void test_wham_recovers_known_landscape(void **state)
{
    (void)state;
    const double kappa = 0.2;
    double centres[16];
    const int nc = cnt_umbrella_default_centres(kappa, 64, centres, 16);
    assert_true(nc >= 10);
    assert_float_equal(centres[0], 4.0, 0); /* 2 / sqrt(0.2) = 4.47 -> 4 */
    const int nwin = nc + 1; /* window 0 unbiased */
    double *bias = calloc((size_t)nwin * NB, sizeof *bias);
    double Ft[NB];
    for (int n = 0; n < NB; n++) Ft[n] = true_F(n);
    /* normalised truth: -ln(exp(-F)/Z) */
    double Z = 0;
    for (int n = 0; n < NB; n++) Z += exp(-Ft[n]);
    for (int n = 0; n < NB; n++) Ft[n] += log(Z);
    for (int i = 1; i < nwin; i++)
        for (int n = 0; n < NB; n++) bias[(size_t)i * NB + n] = cnt_umbrella_bias(kappa, centres[i - 1], n);
    gsl_ran_discrete_t **pick = calloc((size_t)nwin, sizeof *pick);
    for (int i = 0; i < nwin; i++) {
        double p[NB];
        for (int n = 0; n < NB; n++) p[n] = exp(-Ft[n] - bias[(size_t)i * NB + n]);
        pick[i] = gsl_ran_discrete_preproc(NB, p);
    }
    const long M = 400;
    int **x = calloc((size_t)nwin, sizeof *x);
    long len[32];
    for (int i = 0; i < nwin; i++) {
        x[i] = malloc((size_t)M * sizeof **x);
        len[i] = M;
    }
    double *hist = malloc((size_t)nwin * NB * sizeof *hist);
    const cnt_wham_opts o = {.tol = 1e-6, .max_iter = 100000};
    const int R = 16;
    long cover = 0, cover_off = 0, total = 0;
    double sum_nstar = 0, sum_bar = 0;
    for (int rep = 0; rep < R; rep++) {
        gsl_rng *r = sr_rng_create(2385, (uint64_t)rep, SR_RNG_USER);
        memset(hist, 0, (size_t)nwin * NB * sizeof *hist);
        for (int i = 0; i < nwin; i++)
            for (long t = 0; t < M; t++) {
                x[i][t] = (int)gsl_ran_discrete(r, pick[i]);
                hist[(size_t)i * NB + x[i][t]] += 1;
            }
        double F[NB], sd[NB], f[32];
        int it = 0;
        assert_int_equal(cnt_wham_solve(nwin, NB, hist, bias, &o, F, f, 0, &it), SR_OK);
        if (rep == 0) printf("WHAM converged in %d iterations\n", it);
        assert_int_equal(cnt_wham_bootstrap(nwin, NB, (const int *const *)x, len, bias, 20, 60, r, &o, sd, NULL),
                         SR_OK);
        for (int n = 0; n < NB; n++) {
            if (!isfinite(F[n]) || !isfinite(sd[n])) continue;
            total++;
            cover += fabs(F[n] - Ft[n]) <= sd[n];
            /* the same landscape 1.5x steeper (renormalised) must not be covered as often */
            cover_off += fabs(F[n] - (1.5 * (Ft[n] - Ft[0]) + Ft[0])) <= sd[n];
        }
        int nb = 0, ns = 0;
        assert_int_equal(cnt_umbrella_barrier(NB, F, &nb, &ns), SR_OK);
        sum_nstar += ns;
        sum_bar += F[ns] - F[nb];
        gsl_rng_free(r);
    }
    int tb = 0, ts = 0;
    assert_int_equal(cnt_umbrella_barrier(NB, Ft, &tb, &ts), SR_OK);
    const double frac = (double)cover / total, frac_off = (double)cover_off / total;
    printf("WHAM: %d windows (kappa %g) x %ld samples, %d repeats: +-1 sd covers the truth in %.1f%% of %ld bins, "
           "a 1.5x steeper landscape in %.1f%%; n* %.1f (true %d), barrier %.2f kT (true %.2f)\n", nwin, kappa, M, R,
           100 * frac, total, 100 * frac_off, sum_nstar / R, ts, sum_bar / R, Ft[ts] - Ft[tb]);
    assert_true(total > R * NB * 0.9);
    assert_true(frac >= 0.60 && frac <= 0.85);
    assert_true(frac_off < 0.3);
    assert_true(fabs(sum_nstar / R - ts) <= 3.0);
    assert_true(fabs(sum_bar / R - (Ft[ts] - Ft[tb])) <= 0.3);
    for (int i = 0; i < nwin; i++) {
        gsl_ran_discrete_free(pick[i]);
        free(x[i]);
    }
    free(pick), free(x), free(hist), free(bias);
}

/* 1-D double well beta U(x) = 3 (x^2 - 1)^2 (mass 1, kT 1), harmonic umbrella at c = 0.4 with kappa = 2: HMC with
 * leapfrog segments of L steps at dt and fresh N(0, 1) momenta; samples histogrammed on [-2, 2]. Returns the largest
 * relative deviation |observed - expected| / expected over the bins that hold >= 1% of the samples. */
static double hmc_toy(int use_dH, double dt, int L, long nsamp, uint64_t seed, double *acc)
{
    const double kappa = 2.0, c = 0.4;
    enum { NBIN = 40 };
    double h[NBIN] = {0}, e[NBIN] = {0};
    gsl_rng *r = sr_rng_create(seed, 1, SR_RNG_USER);
    double x = 1.0;
    long nacc = 0;
    for (long s = 0; s < nsamp; s++) {
        double p = gsl_ran_gaussian_ziggurat(r, 1.0), y = x;
        const double H0 = 0.5 * p * p + 3 * (y * y - 1) * (y * y - 1);
        double F = -12 * y * (y * y - 1);
        for (int k = 0; k < L; k++) {
            p += 0.5 * dt * F;
            y += dt * p;
            F = -12 * y * (y * y - 1);
            p += 0.5 * dt * F;
        }
        const double H1 = 0.5 * p * p + 3 * (y * y - 1) * (y * y - 1);
        const double dw = cnt_umbrella_bias(kappa, c, y) - cnt_umbrella_bias(kappa, c, x);
        if (cnt_hmc_accept(use_dH ? H1 - H0 : 0.0, dw, gsl_rng_uniform(r))) {
            x = y;
            nacc++;
        }
        const int b = (int)floor((x + 2.0) / 4.0 * NBIN);
        if (b >= 0 && b < NBIN) h[b]++;
    }
    /* expected counts by quadrature of exp(-U - w) over each bin */
    double Z = 0;
    for (int b = 0; b < NBIN; b++) {
        for (int q = 0; q < 50; q++) {
            const double y = -2.0 + (b + (q + 0.5) / 50.0) * 4.0 / NBIN;
            e[b] += exp(-3 * (y * y - 1) * (y * y - 1) - cnt_umbrella_bias(kappa, c, y));
        }
        Z += e[b];
    }
    double worst = 0;
    for (int b = 0; b < NBIN; b++) {
        const double ex = e[b] / Z * nsamp;
        if (ex < 0.01 * nsamp) continue;
        const double d = fabs(h[b] - ex) / ex;
        if (d > worst) worst = d;
    }
    gsl_rng_free(r);
    *acc = (double)nacc / nsamp;
    return worst;
}

static void test_hmc_rule_keeps_biased_boltzmann(void **state)
{
    (void)state;
    double acc_ok = 0, acc_bad = 0, acc_fine = 0;
    const double ok = hmc_toy(1, 0.2, 8, 400000, 11, &acc_ok);
    const double bad = hmc_toy(0, 0.2, 8, 400000, 11, &acc_bad);
    /* fine integration: dH -> 0 and the bias-only rule is right too */
    const double fine = hmc_toy(0, 0.02, 80, 200000, 12, &acc_fine);
    printf("HMC toy (double well, umbrella at 0.4): worst relative bin deviation with dH in the acceptance %.3f "
           "(acceptance %.2f), bias only %.3f (acceptance %.2f); dt = 0.02, bias only %.3f (acceptance %.2f)\n", ok,
           acc_ok, bad, acc_bad, fine, acc_fine);
    assert_true(ok < 0.06);
    assert_true(bad > 4 * ok && bad > 0.2);
    assert_true(fine < 0.06);
}

static void test_acceptance_and_windows(void **state)
{
    (void)state;
    assert_int_equal(cnt_hmc_accept(-0.3, 0.1, 0.999), 1);
    assert_int_equal(cnt_hmc_accept(0.5, 0.2, exp(-0.7) - 1e-9), 1);
    assert_int_equal(cnt_hmc_accept(0.5, 0.2, exp(-0.7) + 1e-9), 0);
    assert_int_equal(cnt_hmc_accept(NAN, 0.0, 0.0), 0);
    assert_int_equal(cnt_hmc_accept(INFINITY, 0.0, 0.0), 0);
    assert_float_equal(cnt_umbrella_bias(0.3, 20, 25), 3.75, 1e-12);
    char msg[256];
    const double good[] = {5, 10, 15.5}, dec[] = {5, 15, 10}, neg[] = {-1, 5};
    assert_int_equal(cnt_umbrella_check_windows(good, 3, 0.2, msg, sizeof msg), 0);
    assert_int_equal(cnt_umbrella_check_windows(dec, 3, 0.2, msg, sizeof msg), 1);
    assert_non_null(strstr(msg, "centres must increase: centre 3 = 10 is not above centre 2 = 15"));
    assert_int_equal(cnt_umbrella_check_windows(neg, 2, 0.2, msg, sizeof msg), 1);
    assert_non_null(strstr(msg, "centre 1 = -1 must be >= 0"));
    assert_int_equal(cnt_umbrella_check_windows(good, 3, 0.0, msg, sizeof msg), 1);
    assert_non_null(strstr(msg, "kappa = 0 must be > 0"));
    /* WHAM error paths: a window without samples, bad tolerance */
    double hist[2 * 3] = {1, 2, 3, 0, 0, 0}, bias[2 * 3] = {0}, F[3];
    const cnt_wham_opts o = {.tol = 1e-8, .max_iter = 1000}, bad = {.tol = 0, .max_iter = 10};
    assert_int_equal(cnt_wham_solve(2, 3, hist, bias, &o, F, NULL, 0, NULL), SR_EINVAL);
    assert_int_equal(cnt_wham_solve(1, 3, hist, bias, &bad, F, NULL, 0, NULL), SR_EINVAL);
    /* one unbiased window: F = -ln(h / N) exactly; an empty bin is infinite */
    double h1[4] = {2.385, 1.0, 0.0, 4.1}, b1[4] = {0}, F1[4];
    assert_int_equal(cnt_wham_solve(1, 4, h1, b1, &o, F1, NULL, 0, NULL), SR_OK);
    assert_float_equal(F1[0], -log(2.385 / 7.485), 1e-12);
    assert_true(isinf(F1[2]));
    /* CNT curve: maximum at n* = 32 pi gamma^3 / (3 rho_s^2 |dmu|^3) */
    double nc = 0, dg = 0;
    assert_int_equal(cnt_critical_size(0.35, -0.4, 1.1, &nc, &dg), SR_OK);
    const double kT = 0.7;
    assert_float_equal(cnt_umbrella_cnt_curve(nc, -0.4, 1.1, 0.35, kT), dg / kT, 1e-9);
    assert_true(cnt_umbrella_cnt_curve(nc * 1.05, -0.4, 1.1, 0.35, kT) < dg / kT);
    sr_error_clear();
}

static void test_top_fit_zeldovich(void **state)
{
    (void)state;
    /* exact: n* = (2b/3a)^3, dG* = a n* / 2, d2(beta dG)/dn2 = -(2/9) b n*^(-4/3) */
    const double a = 0.55, b = 2.85, ns = pow(2 * b / (3 * a), 3), gs = a * ns / 2;
    const double curv = -2.0 / 9.0 * b * pow(ns, -4.0 / 3.0), Z = sqrt(-curv / (2 * M_PI));
    enum { NBF = 90 };
    double dg[NBF];
    for (int n = 0; n < NBF; n++) dg[n] = true_F(n);
    int b0, peak;
    assert_int_equal(cnt_umbrella_barrier(NBF, dg, &b0, &peak), SR_OK);
    double n_fit, g_fit, c_fit, z_fit;
    /* +-20 atoms: the top of this barrier is flat (beta dG drops by only 0.3 over +-12), so a narrower window leaves
     * the curvature to the noise below; the asymmetry of the CNT curve shifts the vertex by ~1.4 atoms */
    assert_int_equal(cnt_umbrella_top_fit(NBF, dg, peak, 20, &n_fit, &g_fit, &c_fit, &z_fit), SR_OK);
    assert_true(fabs(n_fit - ns) < 2.0);
    assert_true(fabs(g_fit - gs) < 0.02);
    assert_true(fabs(z_fit / Z - 1) < 0.05);
    /* noisy bins (sd 0.3 kT, as a WHAM estimate of a flat top): the fit is unbiased, the highest bin is not */
    gsl_rng *r = sr_rng_create(2385, 3, SR_RNG_USER);
    double sum_fit = 0, sum_max = 0, sum_z = 0;
    const int reps = 400;
    for (int k = 0; k < reps; k++) {
        double noisy[NBF];
        for (int n = 0; n < NBF; n++) noisy[n] = true_F(n) + gsl_ran_gaussian(r, 0.3);
        assert_int_equal(cnt_umbrella_barrier(NBF, noisy, &b0, &peak), SR_OK);
        sum_max += noisy[peak];
        assert_int_equal(cnt_umbrella_top_fit(NBF, noisy, peak, 20, &n_fit, &g_fit, &c_fit, &z_fit), SR_OK);
        sum_fit += g_fit;
        sum_z += z_fit;
    }
    gsl_rng_free(r);
    printf("    dG* %.3f: fitted parabola %.3f, highest bin %.3f (mean of %d noisy landscapes); Z %.4f, fit %.4f\n",
           gs, sum_fit / reps, sum_max / reps, reps, Z, sum_z / reps);
    assert_true(fabs(sum_fit / reps - gs) < 0.1);
    assert_true(sum_max / reps - gs > 0.3);
    assert_true(fabs(sum_z / reps / Z - 1) < 0.1);
    /* J = rho_l Z f+ exp(-dG*) */
    assert_float_equal(cnt_umbrella_log10_rate(0.99, 0.026, 18.2, 12.0), log10(0.99 * 0.026 * 18.2) - 12.0 / log(10),
                       1e-12);
    assert_true(isnan(cnt_umbrella_log10_rate(0.99, 0.026, 0, 12.0)));
    /* errors: a valley (no maximum), too few bins, a peak outside */
    double valley[20];
    for (int n = 0; n < 20; n++) valley[n] = 0.1 * (n - 10) * (n - 10);
    assert_int_equal(cnt_umbrella_top_fit(20, valley, 10, 5, &n_fit, &g_fit, &c_fit, NULL), SR_EFAILED);
    double few[20];
    for (int n = 0; n < 20; n++) few[n] = n >= 8 && n <= 10 ? 1.0 : INFINITY;
    assert_int_equal(cnt_umbrella_top_fit(20, few, 9, 5, &n_fit, &g_fit, &c_fit, NULL), SR_EFAILED);
    assert_int_equal(cnt_umbrella_top_fit(20, few, 25, 5, &n_fit, &g_fit, &c_fit, NULL), SR_EINVAL);
    sr_error_clear();
}

/* log10 J = u + log10 f+, u and f+ from independent bootstraps: the quadrature rule must reproduce the 68% interval
 * of the sum of independent draws (u normal, log10 f+ normal with a different width), and differ from the linear sum
 * of the two half-widths (which would overstate it by 0.14 decades here). */
static void test_rate_interval_quadrature(void **state)
{
    (void)state;
    enum { ND = 200000 };
    double *u = malloc(ND * sizeof *u), *lf = malloc(ND * sizeof *lf), *sum = malloc(ND * sizeof *sum);
    assert_non_null(u);
    assert_non_null(lf);
    assert_non_null(sum);
    gsl_rng *r = sr_rng_create(77, 5, SR_RNG_USER);
    const double u0 = -7.4, su = 0.30, f0 = 250.0, sf = 0.20;
    for (int k = 0; k < ND; k++) {
        u[k] = u0 + gsl_ran_gaussian(r, su);
        lf[k] = log10(f0) + gsl_ran_gaussian(r, sf);
        sum[k] = u[k] + lf[k];
    }
    gsl_rng_free(r);
    cnt_interval iu, il, is;
    assert_int_equal(cnt_percentile_interval(u, ND, &iu), SR_OK);
    assert_int_equal(cnt_percentile_interval(lf, ND, &il), SR_OK);
    assert_int_equal(cnt_percentile_interval(sum, ND, &is), SR_OK);
    double o[4];
    cnt_umbrella_rate_interval(u0, su, iu.lo68, iu.hi68, f0, pow(10, il.lo68), pow(10, il.hi68), o);
    printf("    log10 J %.3f: quadrature [%.3f, %.3f], sd %.3f; draws of the sum [%.3f, %.3f]; linear sum [%.3f, %.3f]\n",
           o[0], o[2], o[3], o[1], is.lo68, is.hi68, o[0] - (u0 - iu.lo68) - (log10(f0) - il.lo68),
           o[0] + (iu.hi68 - u0) + (il.hi68 - log10(f0)));
    assert_float_equal(o[0], u0 + log10(f0), 1e-12);
    assert_true(fabs(o[2] - is.lo68) < 0.01);
    assert_true(fabs(o[3] - is.hi68) < 0.01);
    assert_true(fabs(o[1] - sqrt(su * su + sf * sf)) < 0.01);
    /* the linear sum of the widths is visibly wider: the check can tell the two rules apart */
    assert_true(fabs((o[0] - (u0 - iu.lo68) - (log10(f0) - il.lo68)) - is.lo68) > 0.1);
    /* f+ exact (the input's attachment_rate): the interval is the barrier part's, shifted by log10 f+ */
    cnt_umbrella_rate_interval(u0, su, -7.8, -7.1, 18.2, 18.2, 18.2, o);
    assert_float_equal(o[2], -7.8 + log10(18.2), 1e-12);
    assert_float_equal(o[3], -7.1 + log10(18.2), 1e-12);
    assert_float_equal(o[1], su, 1e-12);
    /* no f+ or no barrier: no J */
    cnt_umbrella_rate_interval(u0, su, -7.8, -7.1, 0, 0, 0, o);
    assert_true(isnan(o[0]) && isnan(o[2]));
    cnt_umbrella_rate_interval(NAN, su, -7.8, -7.1, 18.2, 10, 20, o);
    assert_true(isnan(o[0]) && isnan(o[3]));
    free(u), free(lf), free(sum);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acceptance_and_windows),
        cmocka_unit_test(test_wham_recovers_known_landscape),
        cmocka_unit_test(test_hmc_rule_keeps_biased_boltzmann),
        cmocka_unit_test(test_top_fit_zeldovich),
        cmocka_unit_test(test_rate_interval_quadrature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
