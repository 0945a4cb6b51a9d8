/* test_kmc_ising.c - Ising nucleation testbed: detailed balance of the n-fold-way kMC (exact enumeration,
 * independent heat-bath runs, Onsager), bookkeeping, clusters vs flood fill, droplets, first passage,
 * fits and CNT formulas. Every random number is seeded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>

#include "kmc/kmc.h"
#include "common/sr_error.h"
#include "common/sr_rng.h"

/* ---- independent reference helpers (written without the library's neighbour table) ---------------- */

static size_t nsites_of(int dim, int L) { return (size_t)L * L * (dim == 3 ? L : 1); }

/* neighbour k (0..2d-1) of site i: +x, -x, +y, -y, +z, -z */
static size_t ref_neighbour(int dim, int L, size_t i, int k)
{
    long c[3] = {(long)(i % L), (long)((i / L) % L), (long)(i / ((size_t)L * L))};
    int d = k / 2;
    (void)dim;
    c[d] = (c[d] + (k % 2 ? L - 1 : 1)) % L;
    return (size_t)(c[0] + L * (c[1] + L * c[2]));
}

static double ref_energy(int dim, int L, double h, const signed char *s)
{
    size_t n = nsites_of(dim, L);
    double e = 0.0;
    for (size_t i = 0; i < n; i++) {
        for (int d = 0; d < dim; d++) e -= s[i] * s[ref_neighbour(dim, L, i, 2 * d)];
        e -= h * s[i];
    }
    return e;
}

static double ref_rate(double T, double h, int dim, int L, const signed char *s, size_t i)
{
    int sum = 0;
    for (int k = 0; k < 2 * dim; k++) sum += s[ref_neighbour(dim, L, i, k)];
    double dE = 2.0 * s[i] * (sum + h);
    return 1.0 / (1.0 + exp(dE / T));
}

/* flood fill (explicit stack): label = smallest site index of the component, -1 for down */
static size_t ref_flood(int dim, int L, const signed char *s, int *label)
{
    size_t n = nsites_of(dim, L), best = 0;
    size_t *stack = malloc(n * sizeof *stack), *members = malloc(n * sizeof *members);
    for (size_t i = 0; i < n; i++) label[i] = -2;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0) { label[i] = -1; continue; }
        if (label[i] != -2) continue;
        size_t top = 0, nm = 0, minidx = i;
        stack[top++] = i;
        label[i] = -3;
        while (top) {
            size_t a = stack[--top];
            members[nm++] = a;
            if (a < minidx) minidx = a;
            for (int k = 0; k < 2 * dim; k++) {
                size_t b = ref_neighbour(dim, L, a, k);
                if (s[b] > 0 && label[b] == -2) { label[b] = -3; stack[top++] = b; }
            }
        }
        for (size_t k = 0; k < nm; k++) label[members[k]] = (int)minidx;
        if (nm > best) best = nm;
    }
    free(stack);
    free(members);
    return best;
}

/* ---- lifecycle and error paths ----------------------------------------------------------------------- */

static void test_create_rejects_bad_input(void **state)
{
    (void)state;
    assert_null(kmc_ising_create(4, 8, 2.0, 0.1));
    assert_int_equal(sr_error_status(), SR_EINVAL);
    assert_null(kmc_ising_create(2, 1, 2.0, 0.1));
    assert_int_equal(sr_error_status(), SR_EINVAL);
    assert_null(kmc_ising_create(3, 4, 0.0, 0.1));
    assert_int_equal(sr_error_status(), SR_EINVAL);
    assert_null(kmc_ising_create(2, 4, 1.5, NAN));
    assert_int_equal(sr_error_status(), SR_EINVAL);
    kmc_ising_free(NULL);

    kmc_ising *m = kmc_ising_create(2, 5, 1.7, 0.2);
    assert_non_null(m);
    assert_int_equal(kmc_ising_fill(m, 0), SR_EINVAL);
    signed char bad[25];
    memset(bad, 1, sizeof bad);
    bad[13] = 0;
    assert_int_equal(kmc_ising_set_spins(m, bad), SR_EINVAL);
    assert_int_equal(kmc_ising_flip(m, 25), SR_ERANGE);
    assert_int_equal(kmc_ising_insert_droplet(m, 26, KMC_ISING_ROUND), SR_ERANGE);
    assert_int_equal(kmc_ising_insert_droplet(m, 3, (enum kmc_ising_shape)7), SR_EINVAL);
    kmc_ising_averages av;
    gsl_rng *rng = sr_rng_create(11, 0, SR_RNG_KMC);
    assert_int_equal(kmc_ising_equilibrium(m, rng, 1.0, 10.0, 1, &av), SR_EINVAL);
    kmc_ising_free(m);

    /* frozen lattice: all down in h > 0 at T = 1e-3 has every rate underflow to 0 */
    m = kmc_ising_create(2, 4, 1e-3, 0.5);
    assert_int_equal(kmc_ising_step(m, rng, NULL), SR_ENUMERIC);
    kmc_ising_free(m);
    gsl_rng_free(rng);

    kmc_ising_params p = {.dim = 2, .L = 6, .T = 1.5, .h = 0.4, .seed = 3, .t_equil = 0, .check_interval = 0,
                          .t_max = 10};
    double tfp[2 * 38];
    int outcome[2];
    assert_int_equal(kmc_ising_first_passage(&p, 37, 0, 2, tfp), SR_ERANGE);
    assert_int_equal(kmc_ising_first_passage(&p, 5, 2, 1, tfp), SR_EINVAL);
    assert_int_equal(kmc_ising_seed_trials(&p, KMC_ISING_ROUND, 5, 5, 1, 0, 2, outcome), SR_EINVAL);
    p.dynamics = (enum kmc_ising_dynamics)5;
    assert_int_equal(kmc_ising_first_passage(&p, 5, 0, 2, tfp), SR_EINVAL);
    p.dynamics = KMC_ISING_GLAUBER;
    p.t_max = 0.0;
    assert_int_equal(kmc_ising_first_passage(&p, 5, 0, 2, tfp), SR_EINVAL);
}

/* ---- n-fold-way bookkeeping ---------------------------------------------------------------------------- */

static void check_bookkeeping_run(int dim, int L, double T, double h, int nevents, uint64_t seed)
{
    kmc_ising *m = kmc_ising_create(dim, L, T, h);
    assert_non_null(m);
    gsl_rng *rng = sr_rng_create(seed, 0, SR_RNG_KMC);
    size_t n = nsites_of(dim, L);
    int z = 2 * dim;
    size_t count[2][7];
    for (int ev = 0; ev < nevents; ev++) {
        assert_int_equal(kmc_ising_step(m, rng, NULL), SR_OK);
        const signed char *s = kmc_ising_spins(m);
        memset(count, 0, sizeof count);
        double R = 0.0;
        long M = 0;
        for (size_t i = 0; i < n; i++) {
            int up = 0;
            for (int k = 0; k < z; k++) up += s[ref_neighbour(dim, L, i, k)] > 0;
            count[s[i] > 0][up]++;
            R += ref_rate(T, h, dim, L, s, i);
            M += s[i];
        }
        for (int sp = 0; sp < 2; sp++)
            for (int up = 0; up <= z; up++)
                assert_int_equal(kmc_ising_class_count(m, sp ? 1 : -1, up), count[sp][up]);
        assert_true(fabs(kmc_ising_total_rate(m) - R) <= 1e-10 * R);
        assert_int_equal(kmc_ising_total_spin(m), M);
        assert_true(fabs(kmc_ising_energy(m) - ref_energy(dim, L, h, s)) < 1e-9 * n);
        assert_int_equal(kmc_ising_check(m, 1e-10), SR_OK);
    }
    gsl_rng_free(rng);
    kmc_ising_free(m);
}

static void test_class_counts_and_rates_after_every_flip(void **state)
{
    (void)state;
    check_bookkeeping_run(2, 7, 2.13, 0.37, 3000, 101);
    check_bookkeeping_run(3, 5, 3.31, -0.29, 2000, 102);
    check_bookkeeping_run(2, 2, 1.93, 0.11, 500, 103); /* L = 2: doubled bonds */
}

static void test_class_rates_are_glauber(void **state)
{
    (void)state;
    double T = 1.83, h = 0.217;
    kmc_ising *m = kmc_ising_create(3, 3, T, h);
    for (int sp = -1; sp <= 1; sp += 2)
        for (int up = 0; up <= 6; up++) {
            double dE = 2.0 * sp * ((2 * up - 6) + h);
            /* heat-bath detailed balance: w(s)/w(-s) = exp(-ΔE/T) */
            double w = kmc_ising_class_rate(m, sp, up), wr = kmc_ising_class_rate(m, -sp, up);
            assert_true(fabs(w - 1.0 / (1.0 + exp(dE / T))) < 1e-15);
            assert_true(fabs(w / wr - exp(-dE / T)) < 1e-12 * exp(-dE / T));
        }
    assert_true(kmc_ising_class_rate(m, 1, 7) == 0.0);
    assert_true(kmc_ising_class_rate(m, 0, 2) == 0.0);
    kmc_ising_free(m);
}

static void test_class_rates_are_metropolis(void **state)
{
    (void)state;
    double T = 2.41, h = -0.173;
    kmc_ising *m = kmc_ising_create(2, 4, T, h);
    assert_int_equal(kmc_ising_set_dynamics(m, KMC_ISING_METROPOLIS), SR_OK);
    assert_int_equal(kmc_ising_get_dynamics(m), KMC_ISING_METROPOLIS);
    for (int sp = -1; sp <= 1; sp += 2)
        for (int up = 0; up <= 4; up++) {
            double dE = 2.0 * sp * ((2 * up - 4) + h);
            double w = kmc_ising_class_rate(m, sp, up), wr = kmc_ising_class_rate(m, -sp, up);
            assert_true(fabs(w - fmin(1.0, exp(-dE / T))) < 1e-15);
            assert_true(fabs(w / wr - exp(-dE / T)) < 1e-12 * exp(-dE / T));
        }
    /* switching back restores the heat-bath table, and an unknown value is refused */
    assert_int_equal(kmc_ising_set_dynamics(m, KMC_ISING_GLAUBER), SR_OK);
    assert_true(fabs(kmc_ising_class_rate(m, -1, 4) - 1.0 / (1.0 + exp(-2.0 * (4 + h) / T))) < 1e-15);
    assert_int_equal(kmc_ising_set_dynamics(m, (enum kmc_ising_dynamics)2), SR_EINVAL);
    sr_error_clear();
    kmc_ising_free(m);
}

/* ---- detailed balance: exact enumeration --------------------------------------------------------------- */

static void exact_averages(int dim, int L, double T, double h, double *m_exact, double *e_exact)
{
    size_t n = nsites_of(dim, L);
    signed char s[16];
    double Z = 0, sm = 0, se = 0;
    for (unsigned long cfg = 0; cfg < (1ul << n); cfg++) {
        long M = 0;
        for (size_t i = 0; i < n; i++) {
            s[i] = (cfg >> i) & 1 ? 1 : -1;
            M += s[i];
        }
        double E = ref_energy(dim, L, h, s);
        double w = exp(-E / T);
        Z += w;
        sm += w * M;
        se += w * E;
    }
    *m_exact = sm / Z / n;
    *e_exact = se / Z / n;
}

static void check_enumeration(int dim, int L, double T, double h, uint64_t seed, enum kmc_ising_dynamics dyn)
{
    double m_ex, e_ex;
    exact_averages(dim, L, T, h, &m_ex, &e_ex);
    kmc_ising *m = kmc_ising_create(dim, L, T, h);
    assert_int_equal(kmc_ising_set_dynamics(m, dyn), SR_OK);
    gsl_rng *rng = sr_rng_create(seed, 0, SR_RNG_KMC);
    kmc_ising_averages av;
    assert_int_equal(kmc_ising_equilibrium(m, rng, 100.0, 1.0e6, 40, &av), SR_OK);
    print_message("%s d=%d L=%d T=%g h=%g: <m> kMC %.5f +- %.5f exact %.5f; <E>/N kMC %.5f +- %.5f exact %.5f\n",
                  dyn == KMC_ISING_METROPOLIS ? "Metropolis" : "Glauber", dim, L, T, h, av.m, av.m_err, m_ex, av.e,
                  av.e_err, e_ex);
    assert_true(av.m_err > 0 && av.m_err < 0.015 && av.e_err < 0.005);
    assert_true(fabs(av.m - m_ex) < 4.0 * av.m_err);
    assert_true(fabs(av.e - e_ex) < 4.0 * av.e_err);
    gsl_rng_free(rng);
    kmc_ising_free(m);
}

static void test_equilibrium_matches_exact_enumeration_4x4(void **state)
{
    (void)state;
    check_enumeration(2, 4, 2.71, 0.31, 201, KMC_ISING_GLAUBER);
    check_enumeration(2, 4, 2.37, -0.13, 202, KMC_ISING_GLAUBER);
    check_enumeration(2, 4, 2.71, 0.31, 204, KMC_ISING_METROPOLIS);
}

static void test_equilibrium_matches_exact_enumeration_2x2x2(void **state)
{
    (void)state;
    check_enumeration(3, 2, 4.13, 0.23, 203, KMC_ISING_GLAUBER);
    check_enumeration(3, 2, 3.87, -0.19, 205, KMC_ISING_METROPOLIS);
}

/* ---- detailed balance: h = 0, T > T_c vs a plain heat-bath run and Onsager ----------------------------- */

/* Random-sequential heat-bath Metropolis-free sampler: pick a site, set it up with probability
 * 1/(1 + exp(-2 H_loc/T)). Block averages per sweep. */
static void heatbath_run(int dim, int L, double T, double h, int sweeps, int equil, uint64_t seed, double *e,
                         double *e_err, double *am, double *am_err)
{
    size_t n = nsites_of(dim, L);
    signed char *s = malloc(n);
    for (size_t i = 0; i < n; i++) s[i] = -1;
    gsl_rng *rng = sr_rng_create(seed, 1, SR_RNG_USER);
    int nb = 40, per = sweeps / nb;
    double be[40] = {0}, bm[40] = {0};
    double E = ref_energy(dim, L, h, s);
    long M = -(long)n;
    for (int sw = 0; sw < equil + sweeps; sw++) {
        for (size_t a = 0; a < n; a++) {
            size_t i = gsl_rng_uniform_int(rng, n);
            int sum = 0;
            for (int k = 0; k < 2 * dim; k++) sum += s[ref_neighbour(dim, L, i, k)];
            double hloc = sum + h;
            int new_s = gsl_rng_uniform(rng) < 1.0 / (1.0 + exp(-2.0 * hloc / T)) ? 1 : -1;
            if (new_s != s[i]) {
                E += 2.0 * s[i] * hloc;
                M += 2 * new_s;
                s[i] = (signed char)new_s;
            }
        }
        if (sw >= equil) {
            int b = (sw - equil) / per;
            if (b < nb) {
                be[b] += E / n / per;
                bm[b] += fabs((double)M / n) / per;
            }
        }
    }
    double s1 = 0, s2 = 0, t1 = 0, t2 = 0;
    for (int b = 0; b < nb; b++) {
        s1 += be[b]; s2 += be[b] * be[b];
        t1 += bm[b]; t2 += bm[b] * bm[b];
    }
    *e = s1 / nb;
    *e_err = sqrt((s2 / nb - *e * *e) / (nb - 1));
    *am = t1 / nb;
    *am_err = sqrt((t2 / nb - *am * *am) / (nb - 1));
    gsl_rng_free(rng);
    free(s);
}

static void test_high_temperature_h0_matches_heatbath_and_onsager(void **state)
{
    (void)state;
    int L = 32;
    double T = 3.05;
    kmc_ising *m = kmc_ising_create(2, L, T, 0.0);
    gsl_rng *rng = sr_rng_create(301, 0, SR_RNG_KMC);
    kmc_ising_averages av;
    assert_int_equal(kmc_ising_equilibrium(m, rng, 200.0, 8000.0, 40, &av), SR_OK);
    double e_hb, e_hb_err, am_hb, am_hb_err;
    heatbath_run(2, L, T, 0.0, 8000, 200, 302, &e_hb, &e_hb_err, &am_hb, &am_hb_err);
    double u = kmc_ising_energy_2d(T);
    print_message("2D L=%d T=%g h=0: E/N kMC %.5f +- %.5f, heat-bath %.5f +- %.5f, Onsager %.5f; "
                  "<|m|> kMC %.4f +- %.4f, heat-bath %.4f +- %.4f; <m> kMC %.4f +- %.4f\n",
                  L, T, av.e, av.e_err, e_hb, e_hb_err, u, av.abs_m, av.abs_m_err, am_hb, am_hb_err, av.m,
                  av.m_err);
    double comb = sqrt(av.e_err * av.e_err + e_hb_err * e_hb_err);
    assert_true(fabs(av.e - e_hb) < 4.0 * comb);
    /* at T = 1.34 T_c the correlation length is ~2 sites: L = 32 finite-size effects are far below 1e-4 */
    assert_true(fabs(av.e - u) < 4.0 * av.e_err + 1e-4);
    double comb_m = sqrt(av.abs_m_err * av.abs_m_err + am_hb_err * am_hb_err);
    assert_true(fabs(av.abs_m - am_hb) < 4.0 * comb_m);
    assert_true(av.abs_m < 0.1);                       /* paramagnet: <|m|> ~ sqrt(χ T / N) -> 0 */
    assert_true(fabs(av.m) < 4.0 * av.m_err + 1e-3);   /* symmetric at h = 0 */
    gsl_rng_free(rng);
    kmc_ising_free(m);
}

static void test_3d_h0_above_tc_matches_heatbath(void **state)
{
    (void)state;
    int L = 8;
    double T = 5.7; /* T_c(3D) ≈ 4.5115 */
    kmc_ising *m = kmc_ising_create(3, L, T, 0.0);
    gsl_rng *rng = sr_rng_create(311, 0, SR_RNG_KMC);
    kmc_ising_averages av;
    assert_int_equal(kmc_ising_equilibrium(m, rng, 100.0, 4000.0, 40, &av), SR_OK);
    double e_hb, e_hb_err, am_hb, am_hb_err;
    heatbath_run(3, L, T, 0.0, 4000, 100, 312, &e_hb, &e_hb_err, &am_hb, &am_hb_err);
    print_message("3D L=%d T=%g: E/N kMC %.5f +- %.5f heat-bath %.5f +- %.5f; <|m|> %.4f vs %.4f\n", L, T,
                  av.e, av.e_err, e_hb, e_hb_err, av.abs_m, am_hb);
    assert_true(fabs(av.e - e_hb) < 4.0 * sqrt(av.e_err * av.e_err + e_hb_err * e_hb_err));
    assert_true(fabs(av.abs_m - am_hb) < 4.0 * sqrt(av.abs_m_err * av.abs_m_err + am_hb_err * am_hb_err));
    gsl_rng_free(rng);
    kmc_ising_free(m);
}

/* ---- clusters ------------------------------------------------------------------------------------------ */

static void check_labels(int dim, int L, double p_up, uint64_t seed)
{
    size_t n = nsites_of(dim, L);
    signed char *s = malloc(n);
    int *lab = malloc(n * sizeof *lab), *ref = malloc(n * sizeof *ref);
    gsl_rng *rng = sr_rng_create(seed, 0, SR_RNG_USER);
    for (size_t i = 0; i < n; i++) s[i] = gsl_rng_uniform(rng) < p_up ? 1 : -1;
    kmc_ising *m = kmc_ising_create(dim, L, 2.0, 0.0);
    assert_int_equal(kmc_ising_set_spins(m, s), SR_OK);
    size_t nc;
    assert_int_equal(kmc_ising_cluster_labels(m, lab, &nc), SR_OK);
    size_t best = ref_flood(dim, L, s, ref);
    size_t ref_nc = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(lab[i], ref[i]);
        ref_nc += ref[i] == (int)i;
    }
    assert_int_equal(nc, ref_nc);
    assert_int_equal(kmc_ising_largest_cluster(m), best);
    gsl_rng_free(rng);
    kmc_ising_free(m);
    free(s); free(lab); free(ref);
}

static void test_cluster_labels_equal_flood_fill(void **state)
{
    (void)state;
    check_labels(2, 17, 0.23, 401);
    check_labels(2, 17, 0.57, 402); /* above site percolation (0.593 nearby): spanning, wrapping clusters */
    check_labels(2, 16, 0.71, 403);
    check_labels(3, 7, 0.19, 404);
    check_labels(3, 7, 0.33, 405);
    check_labels(3, 6, 0.61, 406);
}

static void test_cluster_wraps_periodic_boundary(void **state)
{
    (void)state;
    int L = 9;
    kmc_ising *m = kmc_ising_create(2, L, 2.0, 0.0);
    /* a row y = 4 minus the middle: one cluster only through the x boundary */
    for (int x = 0; x < L; x++)
        if (x != 4) kmc_ising_flip(m, (size_t)(x + L * 4));
    assert_int_equal(kmc_ising_largest_cluster(m), L - 1);
    kmc_ising_flip(m, 0); /* (0,0) and (8,0) are neighbours only through the x boundary */
    kmc_ising_flip(m, 8);
    assert_int_equal(kmc_ising_largest_cluster(m), L - 1);
    int lab[81];
    size_t nc;
    kmc_ising_cluster_labels(m, lab, &nc);
    assert_int_equal(nc, 2);
    assert_int_equal(lab[8], 0);
    kmc_ising_free(m);
}

/* ---- droplets ------------------------------------------------------------------------------------------ */

static void test_droplet_has_exactly_n_up_spins(void **state)
{
    (void)state;
    size_t sizes[] = {1, 7, 50, 113, 288};
    for (int dim = 2; dim <= 3; dim++)
        for (int shape = 0; shape <= 1; shape++)
            for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
                int L = dim == 2 ? 24 : 12;
                kmc_ising *m = kmc_ising_create(dim, L, 1.5, 0.1);
                assert_int_equal(kmc_ising_insert_droplet(m, sizes[k], (enum kmc_ising_shape)shape), SR_OK);
                long n_up = (kmc_ising_total_spin(m) + (long)kmc_ising_nsites(m)) / 2;
                assert_int_equal(n_up, sizes[k]);
                assert_int_equal(kmc_ising_largest_cluster(m), sizes[k]); /* compact: one cluster */
                assert_int_equal(kmc_ising_check(m, 1e-12), SR_OK);
                kmc_ising_free(m);
            }
}

static void test_droplet_shapes_are_compact(void **state)
{
    (void)state;
    /* a 2D round droplet of 49 spins lies within radius sqrt(49/π)+1 of the centre; a square of 49 is 7x7 */
    int L = 20;
    kmc_ising *m = kmc_ising_create(2, L, 1.5, 0.1);
    kmc_ising_insert_droplet(m, 49, KMC_ISING_SQUARE);
    const signed char *s = kmc_ising_spins(m);
    for (int y = 0; y < L; y++)
        for (int x = 0; x < L; x++) assert_int_equal(s[x + L * y] > 0, abs(x - 10) <= 3 && abs(y - 10) <= 3);
    /* 20 = 4 x 4 box plus one face of 4: exactly a 5 x 4 rectangle (its bounding box has area 20) */
    kmc_ising_fill(m, -1);
    kmc_ising_insert_droplet(m, 20, KMC_ISING_SQUARE);
    int x0 = L, x1 = -1, y0 = L, y1 = -1;
    for (int y = 0; y < L; y++)
        for (int x = 0; x < L; x++)
            if (s[x + L * y] > 0) {
                x0 = x < x0 ? x : x0; x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0; y1 = y > y1 ? y : y1;
            }
    assert_int_equal((x1 - x0 + 1) * (y1 - y0 + 1), 20);
    /* a 3D cube of 64 spins is 4 x 4 x 4 */
    kmc_ising *m3 = kmc_ising_create(3, 10, 1.5, 0.1);
    kmc_ising_insert_droplet(m3, 64, KMC_ISING_SQUARE);
    const signed char *s3 = kmc_ising_spins(m3);
    int lo3[3] = {10, 10, 10}, hi3[3] = {-1, -1, -1};
    for (int i = 0; i < 1000; i++)
        if (s3[i] > 0) {
            int c3[3] = {i % 10, (i / 10) % 10, i / 100};
            for (int d = 0; d < 3; d++) {
                lo3[d] = c3[d] < lo3[d] ? c3[d] : lo3[d];
                hi3[d] = c3[d] > hi3[d] ? c3[d] : hi3[d];
            }
        }
    for (int d = 0; d < 3; d++) assert_int_equal(hi3[d] - lo3[d] + 1, 4);
    kmc_ising_free(m3);
    kmc_ising_fill(m, -1);
    kmc_ising_insert_droplet(m, 49, KMC_ISING_ROUND);
    double rmax = sqrt(49.0 / M_PI) + 1.0;
    for (int y = 0; y < L; y++)
        for (int x = 0; x < L; x++)
            if (s[x + L * y] > 0) assert_true(hypot(x - 10, y - 10) <= rmax);
    kmc_ising_free(m);
}

/* ---- first passage ------------------------------------------------------------------------------------- */

/* Direct random-sequential heat-bath: one attempt = 1/N sweep; the n-fold way is its uniformisation, so the
 * mean first-passage times agree exactly in expectation. */
static double direct_first_passage(int L, double T, double h, size_t thr, gsl_rng *rng)
{
    size_t n = nsites_of(2, L);
    signed char s[64];
    int lab[64];
    for (size_t i = 0; i < n; i++) s[i] = -1;
    for (long att = 1;; att++) {
        size_t i = gsl_rng_uniform_int(rng, n);
        int sum = 0;
        for (int k = 0; k < 4; k++) sum += s[ref_neighbour(2, L, i, k)];
        int new_s = gsl_rng_uniform(rng) < 1.0 / (1.0 + exp(-2.0 * (sum + h) / T)) ? 1 : -1;
        if (new_s == s[i]) continue;
        s[i] = (signed char)new_s;
        if (new_s > 0 && ref_flood(2, L, s, lab) >= thr) return (double)att / n;
    }
}

static void test_bruteforce_mfpt_matches_direct_simulation(void **state)
{
    (void)state;
    int L = 4;
    double T = 1.37, h = 0.83;
    size_t thr = 5, nrep = 3000, w = thr + 1;
    kmc_ising_params p = {.dim = 2, .L = L, .T = T, .h = h, .seed = 501, .t_equil = 0.0, .check_interval = 0.0,
                          .t_max = 1e7};
    double *tfp = malloc(nrep * w * sizeof *tfp);
    /* two calls over [0, k) and [k, n): replica ranges must compose */
    assert_int_equal(kmc_ising_first_passage(&p, thr, 0, 1000, tfp), SR_OK);
    assert_int_equal(kmc_ising_first_passage(&p, thr, 1000, nrep, tfp + 1000 * w), SR_OK);
    double s1 = 0, s2 = 0;
    for (size_t r = 0; r < nrep; r++) {
        const double *row = tfp + r * w;
        assert_true(row[0] == 0.0);
        for (size_t n = 1; n <= thr; n++) assert_true(isfinite(row[n]) && row[n] >= row[n - 1]); /* monotone */
        s1 += row[thr];
        s2 += row[thr] * row[thr];
    }
    double mean = s1 / nrep, err = sqrt((s2 / nrep - mean * mean) / (nrep - 1));
    gsl_rng *rng = sr_rng_create(502, 0, SR_RNG_USER);
    double d1 = 0, d2 = 0;
    for (size_t r = 0; r < nrep; r++) {
        double t = direct_first_passage(L, T, h, thr, rng);
        d1 += t;
        d2 += t * t;
    }
    double dmean = d1 / nrep, derr = sqrt((d2 / nrep - dmean * dmean) / (nrep - 1));
    print_message("MFPT (L=%d T=%g h=%g, N>=%zu): n-fold way %.4f +- %.4f, direct %.4f +- %.4f sweeps\n", L, T, h,
                  thr, mean, err, dmean, derr);
    assert_true(fabs(mean - dmean) < 4.0 * sqrt(err * err + derr * derr));
    /* a size-1 first passage is the first up flip: exponential with rate N w(-1, 0) exactly, so the mean of
     * tfp[1] is 1/(16 w0) (Metropolis: w0 = exp(-2 (4 - h)/T)) */
    for (int dyn = 0; dyn < 2; dyn++) {
        p.dynamics = dyn ? KMC_ISING_METROPOLIS : KMC_ISING_GLAUBER;
        double x = 2.0 * (4.0 - h) / T;
        double w0 = dyn ? exp(-x) : 1.0 / (1.0 + exp(x));
        assert_int_equal(kmc_ising_first_passage(&p, 1, 0, nrep, tfp), SR_OK);
        double t1 = 0;
        for (size_t r = 0; r < nrep; r++) t1 += tfp[2 * r + 1];
        double k = (double)nrep / t1 / 16.0;
        print_message("%s first up flip: rate %.5g +- %.2g, exact w(-1,0) = %.5g per site per sweep\n",
                      dyn ? "Metropolis" : "Glauber", k, k / sqrt((double)nrep), w0);
        assert_true(fabs(k - w0) < 4.0 * k / sqrt((double)nrep));
    }
    /* censoring: nothing reaches 16 up spins in 1 sweep at this field; the sizes not reached are NaN */
    p.t_max = 1.0;
    assert_int_equal(kmc_ising_first_passage(&p, 16, 0, 3, tfp), SR_OK);
    for (size_t r = 0; r < 3; r++) assert_true(isnan(tfp[r * 17 + 16]));
    free(tfp);
    gsl_rng_free(rng);
}

/* ---- seeding ------------------------------------------------------------------------------------------- */

static void test_seed_outcomes_follow_droplet_size(void **state)
{
    (void)state;
    /* T = 1.5, h = 0.3: CNT with the Wulff σ gives N* = W/(2 h m_s)^2 ≈ 12 */
    kmc_ising_params p = {.dim = 2, .L = 24, .T = 1.5, .h = 0.3, .seed = 701, .t_equil = 5.0,
                          .check_interval = 0.25, .t_max = 200.0};
    int small[40], large[40];
    assert_int_equal(kmc_ising_seed_trials(&p, KMC_ISING_ROUND, 3, 60, 1, 0, 40, small), SR_OK);
    assert_int_equal(kmc_ising_seed_trials(&p, KMC_ISING_ROUND, 60, 150, 15, 0, 40, large), SR_OK);
    int g_small = 0, g_large = 0;
    for (int r = 0; r < 40; r++) {
        g_small += small[r] == 1;
        g_large += large[r] == 1;
    }
    print_message("grown: n=3 %d/40, n=60 %d/40\n", g_small, g_large);
    assert_true(g_small <= 4);
    assert_true(g_large >= 36);
}

static void test_size_traces_compose_and_wander(void **state)
{
    (void)state;
    kmc_ising_params p = {.dim = 2, .L = 20, .T = 1.5, .h = 0.3, .seed = 751, .t_equil = 3.0,
                          .check_interval = 0.5, .t_max = 50.0};
    enum { NR = 30, NS = 9 };
    double all[NR * NS], part[NR * NS];
    assert_int_equal(kmc_ising_size_traces(&p, KMC_ISING_ROUND, 12, 0.5, NS, 0, NR, all), SR_OK);
    assert_int_equal(kmc_ising_size_traces(&p, KMC_ISING_ROUND, 12, 0.5, NS, 0, 11, part), SR_OK);
    assert_int_equal(kmc_ising_size_traces(&p, KMC_ISING_ROUND, 12, 0.5, NS, 11, NR, part + 11 * NS), SR_OK);
    double msd_first = 0, msd_last = 0;
    for (int i = 0; i < NR * NS; i++) assert_true(all[i] == part[i]); /* replica ranges are independent */
    for (int r = 0; r < NR; r++) {
        assert_true(all[r * NS] >= 12.0); /* the inserted droplet (plus any background cluster it touches) */
        msd_first += (all[r * NS + 1] - all[r * NS]) * (all[r * NS + 1] - all[r * NS]);
        msd_last += (all[r * NS + NS - 1] - all[r * NS]) * (all[r * NS + NS - 1] - all[r * NS]);
    }
    assert_true(msd_last > msd_first && msd_first > 0.0); /* the size wanders */
    assert_int_equal(kmc_ising_size_traces(&p, KMC_ISING_ROUND, 12, 0.0, NS, 0, 3, all), SR_EINVAL);
    assert_int_equal(kmc_ising_size_traces(&p, KMC_ISING_ROUND, 12, 0.5, 1, 0, 3, all), SR_EINVAL);
    sr_error_clear();
}

/* ---- exact 2D formulas --------------------------------------------------------------------------------- */

static void test_onsager_and_wulff(void **state)
{
    (void)state;
    /* Wulff area by an independent route: polar radius by bisection, area = 1/2 ∫ r^2 dθ */
    double temps[] = {0.6, 1.5, 2.0};
    for (int t = 0; t < 3; t++) {
        double T = temps[t], c = cosh(2.0 / T) / tanh(2.0 / T), area = 0.0;
        int nth = 20000;
        for (int k = 0; k < nth; k++) {
            double th = 2.0 * M_PI * (k + 0.5) / nth, lo = 0.0, hi = 10.0;
            for (int it = 0; it < 80; it++) {
                double mid = 0.5 * (lo + hi);
                if (cosh(mid * cos(th) / T) + cosh(mid * sin(th) / T) < c) lo = mid;
                else hi = mid;
            }
            area += 0.5 * lo * lo * 2.0 * M_PI / nth;
        }
        double W = kmc_ising_wulff_area(T);
        print_message("T=%g: sigma(0) %.6f, W %.6f (polar %.6f), sigma_eff %.6f, m_s %.6f\n", T,
                      kmc_ising_onsager_sigma(T), W, area, sqrt(W / M_PI), kmc_ising_spontaneous_m_2d(T));
        assert_true(fabs(W - area) < 1e-5 * area);
        /* Wulff shape lies between the inscribed circle (σ(0)) and the circumscribed square */
        double s0 = kmc_ising_onsager_sigma(T);
        assert_true(W > M_PI * s0 * s0 && W < 4.0 * s0 * s0);
    }
    /* T -> 0: a square of side 2 σ(0) = 4 J whose corners are rounded on the scale T: deficit ∝ T^2 */
    double d1 = 16.0 - kmc_ising_wulff_area(0.05), d2 = 16.0 - kmc_ising_wulff_area(0.1);
    assert_true(d1 > 0.0 && d1 < 0.02);
    assert_true(fabs(d2 / d1 - 4.0) < 0.2);
    assert_true(kmc_ising_wulff_area(2.3) == 0.0 && kmc_ising_onsager_sigma(2.3) == 0.0);
    /* Yang: m_s(T = 2) = (1 - sinh(1)^-4)^(1/8) */
    assert_true(fabs(kmc_ising_spontaneous_m_2d(2.0) - pow(1.0 - pow(sinh(1.0), -4.0), 0.125)) < 1e-14);
    /* Onsager energy: -sqrt(2) at T_c and continuous through it; high-T limit -2 tanh(1/T) */
    assert_true(fabs(kmc_ising_energy_2d(KMC_ISING_TC_2D * (1 + 1e-7)) + sqrt(2.0)) < 1e-3);
    assert_true(fabs(kmc_ising_energy_2d(KMC_ISING_TC_2D * (1 - 1e-7)) + sqrt(2.0)) < 1e-3);
    assert_true(fabs(kmc_ising_energy_2d(50.0) + 2.0 * tanh(1.0 / 50.0)) < 1e-4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_rejects_bad_input),
        cmocka_unit_test(test_class_counts_and_rates_after_every_flip),
        cmocka_unit_test(test_class_rates_are_glauber),
        cmocka_unit_test(test_class_rates_are_metropolis),
        cmocka_unit_test(test_equilibrium_matches_exact_enumeration_4x4),
        cmocka_unit_test(test_equilibrium_matches_exact_enumeration_2x2x2),
        cmocka_unit_test(test_high_temperature_h0_matches_heatbath_and_onsager),
        cmocka_unit_test(test_3d_h0_above_tc_matches_heatbath),
        cmocka_unit_test(test_cluster_labels_equal_flood_fill),
        cmocka_unit_test(test_cluster_wraps_periodic_boundary),
        cmocka_unit_test(test_droplet_has_exactly_n_up_spins),
        cmocka_unit_test(test_droplet_shapes_are_compact),
        cmocka_unit_test(test_bruteforce_mfpt_matches_direct_simulation),
        cmocka_unit_test(test_seed_outcomes_follow_droplet_size),
        cmocka_unit_test(test_size_traces_compose_and_wander),
        cmocka_unit_test(test_onsager_and_wulff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
