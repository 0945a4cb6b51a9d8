/* Tests of the CNT pipeline glue (seed_cnt.h): slab marking, block averages, interface velocity,
 * f+ recovery from synthetic random walks, rate assembly and unit handling on a hand case, the campaign
 * file reader, and a tiny direct-coexistence run far below / far above T_m. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netcdf.h>
#include <cmocka.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#include <gsl/gsl_randist.h>

#include "seeding/seed_cnt.h"
#include "common/sr_rng.h"
#include "io/io.h"

/* The n/2 lowest-z atoms, whole (001) planes: 4 x 3 x 6 fcc cells = 288 atoms, 12 planes of 24. */
static void test_slab_mark_half(void **st)
{
    (void)st;
    md_system *s;
    assert_int_equal(md_lattice_build(MD_LATTICE_FCC, 1.0953, 4, 3, 6, MD_UNITS_LJ, &s), 0);
    unsigned char *lower = malloc((size_t)s->n);
    int nl = 0;
    assert_int_equal(seed_slab_mark(s, lower, &nl), 0);
    assert_int_equal(s->n, 288);
    assert_int_equal(nl, 144);
    int cnt = 0;
    double zmax_low = -1e9, zmin_up = 1e9;
    for (int i = 0; i < s->n; i++) {
        const double z = s->x[3 * i + 2] - s->box.lo[2];
        cnt += lower[i];
        if (lower[i] && z > zmax_low) zmax_low = z;
        if (!lower[i] && z < zmin_up) zmin_up = z;
    }
    assert_int_equal(cnt, 144);
    /* a clean cut between lattice planes: a gap of one plane spacing a/2 */
    const double a = 1.0953 * sqrt(2.0);
    assert_true(zmin_up - zmax_low > 0.4 * a);
    assert_true(fabs(zmax_low - (s->box.len[2] / 2 - a / 2)) < 0.3 * a);
    free(lower);
    md_system_free(s);
}

static void test_slab_mark_errors(void **st)
{
    (void)st;
    unsigned char m[2];
    int nl;
    assert_int_equal(seed_slab_mark(NULL, m, &nl), SR_EINVAL);
}

/* Four blocks with means 1.25, 2.5, 3.75, 5: mean 3.125, se = sd/2 with sd = 1.25 sqrt(5/3). */
static void test_block_average_analytic(void **st)
{
    (void)st;
    double x[12];
    const double bm[4] = {1.25, 2.5, 3.75, 5.0};
    for (int b = 0; b < 4; b++) {
        x[3 * b] = bm[b] - 0.3;
        x[3 * b + 1] = bm[b] + 0.1;
        x[3 * b + 2] = bm[b] + 0.2;
    }
    double m, se;
    assert_int_equal(seed_block_average(x, 12, 4, &m, &se), 0);
    assert_float_equal(m, 3.125, 1e-12);
    assert_float_equal(se, 1.25 * sqrt(5.0 / 3.0) / 2.0, 1e-12);
    assert_int_equal(seed_block_average(x, 12, 1, &m, &se), SR_EINVAL);
    assert_int_equal(seed_block_average(x, 3, 4, &m, &se), SR_EINVAL);
}

/* v = n (df/dt) / (2 A rho_s): 1200 atoms, slope 0.013/tau, A = 30.25, rho 1.0385 */
static void test_coex_velocity(void **st)
{
    (void)st;
    assert_float_equal(seed_coex_velocity(1200, 0.013, 30.25, 1.0385), 1200 * 0.013 / (2 * 30.25 * 1.0385), 1e-15);
    assert_true(seed_coex_velocity(1200, -0.02, 30.25, 1.0385) < 0);
}

/* Gaussian random walks with <dN^2> = 2 f t, f = 3.7: the fitted f+ must recover it. */
static void test_attach_recovers_fplus(void **st)
{
    (void)st;
    const size_t nrep = 200, nt = 41;
    const double f = 3.7, dt = 0.1;
    double *N = malloc(nrep * nt * sizeof *N), t[41];
    gsl_rng *r = sr_rng_create(2024, 3, SR_RNG_USER);
    for (size_t j = 0; j < nt; j++) t[j] = j * dt;
    for (size_t k = 0; k < nrep; k++) {
        N[k * nt] = 100.0;
        for (size_t j = 1; j < nt; j++) N[k * nt + j] = N[k * nt + j - 1] + gsl_ran_gaussian(r, sqrt(2 * f * dt));
    }
    seed_attach_out o;
    assert_int_equal(seed_attach_analyse(nrep, nt, t, N, 0, 0, 0.0, 400, 5, &o), 0);
    assert_float_equal(o.fit.t0, t[1], 1e-12);
    assert_float_equal(o.fit.t1, t[40], 1e-12); /* no barrier-top width given: to the end of the data */
    /* a barrier top of half-width 3 (var_top 9 = 2 f t at t ~ 1.2): the window stops where the variance has
     * grown by 9 beyond its value at t0 */
    seed_attach_out o2;
    assert_int_equal(seed_attach_analyse(nrep, nt, t, N, 0, 0, 9.0, 0, 5, &o2), 0);
    assert_true(o2.fit.t1 > 0.8 && o2.fit.t1 < 1.9);
    assert_true(o.boot_ok);
    assert_true(o.boot.lo95 < f && f < o.boot.hi95);
    assert_true(fabs(o.fit.f_plus - f) < 0.15 * f);
    assert_int_equal(seed_attach_analyse(1, nt, t, N, 0, 0, 0.0, 10, 5, &o), SR_EINVAL);
    gsl_rng_free(r);
    free(N);
}

/* Hand case: N_c = 100, dmu = -0.3, rho_s = 1.05, rho_l = 0.95, f+ = 500, T = 0.8 (lj). */
static void test_rate_assemble_hand(void **st)
{
    (void)st;
    seed_rate_inputs in = {.units = MD_UNITS_LJ, .T = 0.8, .k_B = 1.0, .n_c = {.value = 100}, .dmu = {.value = -0.3},
                           .rho_s = {.value = 1.05}, .rho_l = {.value = 0.95}, .f_plus = {.value = 500},
                           .n_draw = 200, .seed = 3};
    seed_rate_output o;
    assert_int_equal(seed_rate_assemble(&in, &o), 0);
    const double gamma = cbrt(3 * 100 * 0.027 * 1.05 * 1.05 / (32 * M_PI));
    const double Z = sqrt(0.3 / (6 * M_PI * 0.8 * 100));
    const double lJ = log10(0.95 * Z * 500) - 15.0 / 0.8 / log(10.0);
    assert_float_equal(o.central.gamma, gamma, 1e-12);
    assert_float_equal(o.central.dG_star, 15.0, 1e-12);
    assert_float_equal(o.central.log10_J, lJ, 1e-10);
    /* no uncertainty: every draw equals the central value */
    assert_float_equal(o.mc.log10_J.lo68, lJ, 1e-10);
    assert_float_equal(o.mc.log10_J.hi95, lJ, 1e-10);
    /* lj without a reference substance: no SI numbers */
    assert_true(isnan(o.log10_J_si));
    /* argon: J_SI = J / (sigma^3 tau), tau = sigma sqrt(m/epsilon) (SI constants) */
    in.lj_sigma_A = 3.405;
    in.lj_epsilon_eV = 119.8 * 8.617333262e-5;
    in.lj_mass_gmol = 39.948;
    assert_int_equal(seed_rate_assemble(&in, &o), 0);
    const double sig = 3.405e-10, m = 39.948e-3 / 6.02214076e23, eps = 119.8 * 1.380649e-23;
    const double tau = sig * sqrt(m / eps);
    assert_float_equal(o.log10_J_si, lJ - log10(sig * sig * sig * tau), 1e-6);
    assert_float_equal(o.gamma_si, gamma * eps / (sig * sig), 1e-6 * gamma * eps / (sig * sig));
    /* metal units: A^-3 ps^-1 -> m^-3 s^-1 is exactly 10^42 */
    in.units = MD_UNITS_METAL;
    in.k_B = 8.617333262e-5;
    in.T = 0.8 / in.k_B;
    assert_int_equal(seed_rate_assemble(&in, &o), 0);
    assert_float_equal(o.log10_J_si, o.central.log10_J + 42.0, 1e-10);
    /* uncertain inputs: the 68% interval brackets the central value */
    in.units = MD_UNITS_LJ;
    in.k_B = 1;
    in.T = 0.8;
    in.n_c.sd = 10;
    in.dmu.sd = 0.01;
    in.f_plus.sd = 50;
    in.n_draw = 4000;
    assert_int_equal(seed_rate_assemble(&in, &o), 0);
    assert_true(o.mc.log10_J.lo68 < lJ && lJ < o.mc.log10_J.hi68);
    assert_true(o.mc.log10_J.lo95 < o.mc.log10_J.lo68);
}

static void test_rate_assemble_errors(void **st)
{
    (void)st;
    seed_rate_inputs in = {.units = MD_UNITS_LJ, .T = 0.0, .k_B = 1.0, .n_c = {.value = 100}, .dmu = {.value = -0.3},
                           .rho_s = {.value = 1.05}, .rho_l = {.value = 0.95}, .f_plus = {.value = 500}, .n_draw = 20};
    seed_rate_output o;
    assert_int_equal(seed_rate_assemble(&in, &o), SR_EINVAL);
    in.T = 0.8;
    in.f_plus.value = -1; /* cnt_compute rejects f+ <= 0 */
    assert_int_equal(seed_rate_assemble(&in, &o), SR_EINVAL);
}

/* A fake campaign file (the variables seedrate cnt reads) written with io_ncfile and read back. */
static void test_campaign_file_roundtrip(void **st)
{
    (void)st;
    char path[256];
    snprintf(path, sizeof path, "%s/test_seeding_cnt_fake.nc", SEEDRATE_BINARY_DIR);
    io_ncfile *f;
    assert_int_equal(io_ncfile_create(path, &f), 0);
    const char *dp[] = {"point"};
    assert_int_equal(io_ncfile_def_dim(f, "point", 3), 0);
    assert_int_equal(io_ncfile_def_var(f, "n_c", IO_NC_DOUBLE, 0, NULL, "atoms", "N_c"), 0);
    assert_int_equal(io_ncfile_def_var(f, "n_decided", IO_NC_INT, 1, dp, "1", "decided"), 0);
    assert_int_equal(io_ncfile_put_att_text(f, NULL, "units_style", "lj"), 0);
    const double nc = 87.25;
    const int dec[3] = {6, 5, 7};
    assert_int_equal(io_ncfile_put_double(f, "n_c", NULL, NULL, &nc), 0);
    assert_int_equal(io_ncfile_put_int(f, "n_decided", NULL, NULL, dec), 0);
    assert_int_equal(io_ncfile_commit(f), 0);
    double *v;
    size_t n;
    assert_int_equal(seed_nc_read(path, "n_c", &v, &n), 0);
    assert_int_equal(n, 1);
    assert_float_equal(v[0], 87.25, 0);
    free(v);
    assert_int_equal(seed_nc_read(path, "n_decided", &v, &n), 0);
    assert_int_equal(n, 3);
    assert_float_equal(v[0] + v[1] + v[2], 18, 0);
    free(v);
    char buf[16];
    assert_int_equal(seed_nc_read_att(path, NULL, "units_style", buf, sizeof buf), 0);
    assert_string_equal(buf, "lj");
    assert_int_equal(seed_nc_read(path, "no_such_variable", &v, &n), SR_ENETCDF);
    assert_int_equal(seed_nc_read_att(path, NULL, "no_such_att", buf, sizeof buf), SR_ENETCDF);
    assert_int_equal(seed_nc_read("/nonexistent/x.nc", "n_c", &v, &n), SR_ENETCDF);
    /* issue #19: cut short (the last int reads back as 0) or without the checksum: refused, naming the file */
    FILE *fp = fopen(path, "r+");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    assert_int_equal(ftruncate(fileno(fp), ftell(fp) - 4), 0);
    fclose(fp);
    v = NULL;
    assert_int_equal(seed_nc_read(path, "n_c", &v, &n), SR_EPARSE);
    assert_null(v);
    assert_non_null(strstr(sr_error_message(), "test_seeding_cnt_fake.nc: damaged"));
    assert_int_equal(seed_nc_read_att(path, NULL, "units_style", buf, sizeof buf), SR_EPARSE);
    int ncid, dim, var;
    assert_int_equal(nc_create(path, NC_CLOBBER | NC_64BIT_OFFSET, &ncid), NC_NOERR);
    assert_int_equal(nc_def_dim(ncid, "point", 1, &dim), NC_NOERR);
    assert_int_equal(nc_def_var(ncid, "n_c", NC_DOUBLE, 0, NULL, &var), NC_NOERR);
    assert_int_equal(nc_enddef(ncid), NC_NOERR);
    assert_int_equal(nc_put_var_double(ncid, var, &nc), NC_NOERR);
    assert_int_equal(nc_close(ncid), NC_NOERR);
    assert_int_equal(seed_nc_read(path, "n_c", &v, &n), SR_EPARSE);
    assert_non_null(strstr(sr_error_message(), "test_seeding_cnt_fake.nc: no completeness checksum"));
    unlink(path);
}

/* A campaign whose P_grow falls with the seed size (logistic width < 0) has no N_c a rate may use: seedrate cnt
 * must leave that temperature out (not quote a rate from the noise midpoint); a rising one is used. */
static void write_fake_campaign(const char *path, double nc, double w)
{
    io_ncfile *f;
    assert_int_equal(io_ncfile_create(path, &f), 0);
    const char *dp[] = {"point"};
    assert_int_equal(io_ncfile_def_dim(f, "point", 5), 0);
    assert_int_equal(io_ncfile_def_var(f, "n_c", IO_NC_DOUBLE, 0, NULL, "atoms", "N_c"), 0);
    assert_int_equal(io_ncfile_def_var(f, "width", IO_NC_DOUBLE, 0, NULL, "atoms", "logistic width"), 0);
    assert_int_equal(io_ncfile_def_var(f, "n_decided", IO_NC_INT, 1, dp, "1", "decided"), 0);
    const int dec[5] = {5, 5, 5, 5, 5};
    assert_int_equal(io_ncfile_put_double(f, "n_c", NULL, NULL, &nc), 0);
    assert_int_equal(io_ncfile_put_double(f, "width", NULL, NULL, &w), 0);
    assert_int_equal(io_ncfile_put_int(f, "n_decided", NULL, NULL, dec), 0);
    assert_int_equal(io_ncfile_commit(f), 0);
}

static void test_campaign_nc_usable(void **st)
{
    (void)st;
    char path[256];
    snprintf(path, sizeof path, "%s/test_seeding_cnt_usable.nc", SEEDRATE_BINARY_DIR);
    write_fake_campaign(path, 83.05, 27.9); /* the default job's T* = 0.77 campaign */
    assert_int_equal(seed_campaign_nc_usable(path), SR_OK);
    write_fake_campaign(path, 32.68, -17.0); /* its T* = 0.74 campaign: P_grow 3/5, 2/5, 3/5, 0/5, 2/5 */
    assert_int_equal(seed_campaign_nc_usable(path), SR_EFAILED);
    assert_non_null(strstr(sr_error_message(), "N_c not resolved"));
    assert_non_null(strstr(sr_error_message(), "25 decided replicas"));
    sr_error_clear();
    write_fake_campaign(path, NAN, 10.0);
    assert_int_equal(seed_campaign_nc_usable(path), SR_EFAILED);
    assert_non_null(strstr(sr_error_message(), "no N_c"));
    sr_error_clear();
    unlink(path);
}

/* The coexistence runs' dynamics: dt 0.005, Bussi tau 0.1, p* = 5.68, cell rescaling tau_P 1, beta_T 0.02. */
static md_integrator_params lj_npt_568(void)
{
    md_integrator_params ip = {.dt = 0.005, .thermostat = MD_THERMO_BUSSI, .tau_t = 0.1, .pressure = 5.68, .tau_p = 1.0,
                               .compressibility = 0.02};
    return ip;
}

/* The ten Wolde solid-bond classifier of the LJ tests (d_c 0.5, xi_c 7, neighbours within 1.4 sigma). */
static order_classifier *ten_wolde_bonds(sr_section **sec)
{
    sr_errlist el = {0};
    order_classifier *c = NULL;
    *sec = sr_section_create("order");
    sr_section_set(*sec, "style", "bonds");
    sr_section_set(*sec, "cutoff", "1.4");
    sr_section_set(*sec, "bond_threshold", "0.5");
    sr_section_set(*sec, "min_bonds", "7");
    assert_int_equal(order_classifier_from_section(*sec, &c, &el), 0);
    return c;
}

/* Tiny LJ slab (p* = 5.68, T_m ~ 1.07): T = 0.7 grows, T = 1.6 melts. */
static void test_coexistence_grow_and_melt(void **st)
{
    (void)st;
    md_system *x;
    assert_int_equal(md_lattice_build(MD_LATTICE_FCC, md_lattice_nn_for_density(MD_LATTICE_FCC, 1.07), 4, 4, 8,
                                      MD_UNITS_LJ, &x), 0);
    md_lj_params lp = {.ntypes = 1, .epsilon = {1}, .sigma = {1}, .cutoff = 2.5, .shift = 1};
    md_potential *pot;
    assert_int_equal(md_lj_create(&lp, &pot), 0);
    sr_section *sec;
    order_classifier *c = ten_wolde_bonds(&sec);
    order_analyzer *an;
    assert_int_equal(order_analyzer_create(c, 0, &an), 0);
    const double Ts[2] = {0.7, 1.6};
    for (int k = 0; k < 2; k++) {
        seed_coex_params cp = {.T = Ts[k], .T_melt = 3.0, .xtal_steps = 200, .melt_steps = 400, .cool_steps = 100,
                               .steps = 1200, .analyze_every = 100, .seed = 11, .task = k};
        cp.ip = lj_npt_568();
        double t[20], fr[20];
        seed_coex_result r = {.t = t, .frac = fr};
        assert_int_equal(seed_coex_run(x, pot, an, &cp, 20, &r), 0);
        assert_true(r.melt_rounds >= 1 && r.melt_rounds <= SEED_COEX_MELT_ROUNDS + 1 && r.upper_solid <= 0.1);
        assert_true(fr[0] > 0.3 && fr[0] < 0.75); /* half melted at the release */
        assert_int_equal(r.grew, k == 0);
        if (k == 0) assert_true(fr[r.nframes - 1] > fr[0] + 0.1);
        else assert_true(fr[r.nframes - 1] < fr[0] - 0.1);
        assert_true(r.velocity_se > 0);
    }
    /* a "melt" below T_m never melts the upper half: an error naming the keys, not a half-crystalline release */
    {
        seed_coex_params cold = {.T = 0.7, .T_melt = 0.7, .xtal_steps = 20, .melt_steps = 20, .cool_steps = 10,
                                 .steps = 200, .analyze_every = 50, .seed = 11, .task = 0};
        cold.ip = lj_npt_568();
        double t[8], fr[8];
        seed_coex_result r = {.t = t, .frac = fr};
        assert_int_equal(seed_coex_run(x, pot, an, &cold, 8, &r), SR_EFAILED);
        assert_non_null(strstr(r.message, "tm_melt_temperature"));
        assert_int_equal(r.melt_rounds, SEED_COEX_MELT_ROUNDS + 1);
        assert_int_equal(r.nframes, 0);
        sr_error_clear();
    }
    seed_coex_params bad = {.T = 0};
    double t[4], fr[4];
    seed_coex_result r = {.t = t, .frac = fr};
    assert_int_equal(seed_coex_run(x, pot, an, &bad, 4, &r), SR_EINVAL);
    order_analyzer_free(an);
    order_classifier_free(c);
    sr_section_free(sec);
    md_potential_free(pot);
    md_system_free(x);
}

/* The relaxed critical start of the f+ replicas (seed_attach_start_run): a seed of 80 atoms in a 6^3-cell liquid at
 * T = 0.45 (deep: it grows). The stop rule is exact: (1) a window that every size satisfies stops at the first frame
 * at or after min_steps, and the size it reports is the one a fresh analysis of the returned configuration gives;
 * (2) a window never reached runs to max_steps, found = 0; (3) sizes beyond the abort bound stop at the first frame
 * at or after min_steps, found = 0. */
static void test_attach_start_run(void **st)
{
    (void)st;
    md_lj_params lp = {.ntypes = 1, .epsilon = {1}, .sigma = {1}, .cutoff = 2.5, .shift = 1};
    md_potential *pot;
    assert_int_equal(md_lj_create(&lp, &pot), 0);
    sr_section *sec;
    order_classifier *c = ten_wolde_bonds(&sec);
    order_analyzer *an, *an2;
    assert_int_equal(order_analyzer_create(c, 0, &an), 0);
    assert_int_equal(order_analyzer_create(c, 0, &an2), 0);
    seed_seeded_params sp = {.sc = {.lattice = MD_LATTICE_FCC, .density = 1.07, .cells = {.n = 3, .v = {4, 4, 4}}, .mass = {.n = 1, .v = {1}}},
                             .liquid_cells = {.n = 3, .v = {6, 6, 6}}, .units = MD_UNITS_LJ, .T_melt = 2.0,
                             .melt_steps = 200, .equil_steps = 100, .relax_steps = 20, .n_seed = 80, .seed = 5,
                             .stream = 1};
    sp.ip = lj_npt_568();
    sp.ip.temperature = 0.45;
    md_system *start;
    assert_int_equal(seed_seeded_build(pot, &sp, &start, NULL), 0);
    seed_attach_start_params p = {.ip = sp.ip, .analyze_every = 20, .min_steps = 50, .max_steps = 200, .lo = 0,
                                  .hi = 1e9, .abort_lo = -1, .abort_hi = 1e9, .seed = 5, .stream = 9};
    seed_attach_start_result r;
    /* (1) */
    md_system *s = md_system_copy(start);
    assert_int_equal(seed_attach_start_run(s, pot, an, &p, &r), 0);
    assert_int_equal(r.found, 1);
    assert_int_equal(r.steps, 60);
    order_cluster_result cr;
    assert_int_equal(order_analyze_frame(an2, s, &cr), 0);
    assert_int_equal(cr.nmax, r.nmax);
    assert_true(r.nmax > 20);
    md_system_free(s);
    /* (2) */
    s = md_system_copy(start);
    p.lo = p.hi = 1e8;
    assert_int_equal(seed_attach_start_run(s, pot, an, &p, &r), 0);
    assert_int_equal(r.found, 0);
    assert_int_equal(r.steps, 200);
    md_system_free(s);
    /* (3) */
    s = md_system_copy(start);
    p.abort_hi = 1;
    assert_int_equal(seed_attach_start_run(s, pot, an, &p, &r), 0);
    assert_int_equal(r.found, 0);
    assert_int_equal(r.steps, 60);
    md_system_free(s);
    md_system_free(start);
    order_analyzer_free(an);
    order_analyzer_free(an2);
    order_classifier_free(c);
    sr_section_free(sec);
    md_potential_free(pot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slab_mark_half),
        cmocka_unit_test(test_slab_mark_errors),
        cmocka_unit_test(test_block_average_analytic),
        cmocka_unit_test(test_coex_velocity),
        cmocka_unit_test(test_attach_recovers_fplus),
        cmocka_unit_test(test_rate_assemble_hand),
        cmocka_unit_test(test_rate_assemble_errors),
        cmocka_unit_test(test_campaign_file_roundtrip),
        cmocka_unit_test(test_campaign_nc_usable),
        cmocka_unit_test(test_coexistence_grow_and_melt),
        cmocka_unit_test(test_attach_start_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
