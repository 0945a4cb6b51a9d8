/* cmd_kmc.c - `seedrate kmc`: the exact Becker-Doring steady-state flux J_BD of a cluster-size chain
 * next to the CNT/Zeldovich rate J_CNT (how good the Zeldovich approximation is) and the rate from
 * kinetic Monte Carlo mean first-passage times (Wedekind, Strey & Reguera, JCP 126, 134103 (2007)),
 * with the trajectories spread over MPI ranks (identical numbers for any number of ranks). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_math.h>

#include "cli/cli.h"
#include "cnt/cnt.h"
#include "common/sr_error.h"
#include "common/sr_input.h"
#include "seeding/seed_comm.h"
#include "seeding/seed_kmc.h"

typedef struct {
    double gamma, n_c, dmu, rho_s, rho_l, f_plus, kT;
    double n_max; /* 0: default */
    const char *table, *campaign;
    double n_traj, seed, n0, max_steps;
    int metal;
    int have_units;
} kmc_opts;

static void usage(FILE *f)
{
    fprintf(f,
"usage: [mpirun -np N] seedrate kmc [options]\n"
"  Becker-Doring chain of cluster sizes n = 1..n_max with attachment f+(n) and detachment by detailed\n"
"  balance, absorbing at n_max. Prints, with units and as ratios to J_BD:\n"
"    J_BD   exact steady-state flux [sum_n 1/(f+(n) rho_eq(n))]^-1, rho_eq(n) = rho_l exp(-dG(n)/kT)\n"
"    J_CNT  CNT/Zeldovich rate rho_l Z f+(N_c) exp(-dG*/kT)  (J_CNT/J_BD = error of the Zeldovich approx.)\n"
"    J_kMC  S/tau_J from the WSR fit of the kMC mean first-passage times (error: spread of the first-\n"
"           passage times), S = sum_{n<=N_c} rho_eq(n)\n"
"  Results are identical for any number of MPI ranks. Units: any consistent set (lj: sigma, tau, epsilon).\n"
"  chain from CNT (sphere: dG(n) = -n|dmu| + gamma (36 pi)^(1/3) (n/rho_s)^(2/3), f+(n) = f+ (n/N_c)^(2/3)):\n"
"  --gamma x | --n-c x  interfacial free energy [energy/length^2], or the critical size N_c [particles]\n"
"  --dmu x              mu_solid - mu_liquid per particle [energy] (sign ignored)\n"
"  --rho-s x            crystal number density [length^-3]\n"
"  --rho-l x            liquid number density [length^-3]\n"
"  --f-plus x           attachment rate at N_c [time^-1]\n"
"  --kT x               thermal energy [energy]\n"
"  --n-max N            absorbing size                                           [ceil(3 N_c)]\n"
"  chain from a table:\n"
"  --table FILE         rows `n dG(n) [f+(n)]`, n = 1..n_max in order, dG [energy], f+ [time^-1];\n"
"                       needs --kT and --rho-l, and --f-plus (at the top of dG) when f+ is absent\n"
"                       (then f+(n) = f+ (n/n*)^(2/3)); J_CNT from a parabola through the top\n"
"  chain from `seedrate cnt` output:\n"
"  --campaign PREFIX    gamma, dmu, rho_s, rho_l, f_plus, temperature, units_style of PREFIX.rates.nc\n"
"                       (other options given on the command line override them)\n"
"  kinetic Monte Carlo:\n"
"  --trajectories N     Gillespie trajectories from n0 to n_max (0: no kMC)     [2000]\n"
"  --seed S             seed of the streams sr_rng(S, trajectory, kMC)          [2026]\n"
"  --n0 N               start size                                              [1]\n"
"  --max-steps N        bound on the steps of one trajectory                    [1e9]\n"
"  --units lj|metal     unit labels (lj: sigma, tau, epsilon; metal: A, ps, eV) [lj]\n"
"  --help               this text\n"
"  example: seedrate kmc --n-c 30 --dmu -0.5 --rho-s 1 --rho-l 0.9 --f-plus 5 --kT 1 --n-max 80\n");
}

static void get_number(sr_errlist *el, const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !isfinite(v)) sr_errlist_add(el, "kmc: option %s: expected a number, got '%s'", opt, s);
    else *out = v;
}

static int is_count(double v, double lo) { return v >= lo && v <= 9.0e15 && v == floor(v); }

static void parse(int argc, char **argv, kmc_opts *o, sr_errlist *el)
{
    struct {
        const char *name;
        double *dst;
    } num[] = {{"--gamma", &o->gamma},   {"--n-c", &o->n_c},         {"--dmu", &o->dmu},
               {"--rho-s", &o->rho_s},   {"--rho-l", &o->rho_l},     {"--f-plus", &o->f_plus},
               {"--kT", &o->kT},         {"--n-max", &o->n_max},     {"--trajectories", &o->n_traj},
               {"--seed", &o->seed},     {"--n0", &o->n0},           {"--max-steps", &o->max_steps}};
    const int nnum = (int)(sizeof num / sizeof num[0]);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) {
            sr_errlist_add(el, "kmc: option %s: missing value (see seedrate kmc --help)", a);
            break;
        }
        const char *v = argv[++i];
        int k;
        for (k = 0; k < nnum; k++)
            if (!strcmp(a, num[k].name)) break;
        if (k < nnum) {
            get_number(el, a, v, num[k].dst);
        } else if (!strcmp(a, "--table")) o->table = v;
        else if (!strcmp(a, "--campaign")) o->campaign = v;
        else if (!strcmp(a, "--units")) {
            if (!strcmp(v, "lj")) o->metal = 0;
            else if (!strcmp(v, "metal")) o->metal = 1;
            else sr_errlist_add(el, "kmc: option --units: expected lj or metal, got '%s'", v);
            o->have_units = 1;
        } else {
            sr_errlist_add(el, "kmc: unknown option '%s' (see seedrate kmc --help)", a);
            if (!strncmp(v, "--", 2)) i--; /* no value followed: the next word is an option */
        }
    }
}

/* Fill unset CNT inputs (NaN) from PREFIX.rates.nc. */
static int apply_campaign(kmc_opts *o)
{
    seed_kmc_campaign c;
    SR_TRY(seed_kmc_read_campaign(o->campaign, &c));
    if (isnan(o->gamma) && isnan(o->n_c)) o->gamma = c.gamma;
    if (isnan(o->dmu)) o->dmu = c.dmu;
    if (isnan(o->rho_s)) o->rho_s = c.rho_s;
    if (isnan(o->rho_l)) o->rho_l = c.rho_l;
    if (isnan(o->f_plus)) o->f_plus = c.f_plus;
    if (isnan(o->kT)) o->kT = c.kT;
    if (!o->have_units) o->metal = c.metal;
    return SR_OK;
}

static void need_positive(sr_errlist *el, const char *opt, double v, const char *unit)
{
    if (isnan(v)) sr_errlist_add(el, "kmc: %s is required (%s)", opt, unit);
    else if (!(v > 0)) sr_errlist_add(el, "kmc: %s = %g, expected > 0 (%s)", opt, v, unit);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int run(kmc_opts *o, int rank)
{
    const double t_start = now_s();
    sr_errlist el = {0};
    if (o->campaign && apply_campaign(o)) {
        if (rank == 0) cli_report_error("kmc: --campaign");
        return SR_EINVAL;
    }
    if (o->table && o->campaign) sr_errlist_add(&el, "kmc: give either --table or --campaign, not both");
    if (!o->table && !isnan(o->gamma) && !isnan(o->n_c)) sr_errlist_add(&el, "kmc: give either --gamma or --n-c, not both");
    const char *E = o->metal ? "eV" : "epsilon", *L = o->metal ? "A" : "sigma", *T = o->metal ? "ps" : "tau";
    char u_e[32], u_rho[32], u_f[32], u_g[48], u_J[48];
    snprintf(u_e, sizeof u_e, "%s", E);
    snprintf(u_rho, sizeof u_rho, "%s^-3", L);
    snprintf(u_f, sizeof u_f, "%s^-1", T);
    snprintf(u_g, sizeof u_g, "%s %s^-2", E, L);
    snprintf(u_J, sizeof u_J, "%s^-3 %s^-1", L, T);
    need_positive(&el, "--kT", o->kT, u_e);
    need_positive(&el, "--rho-l", o->rho_l, u_rho);
    if (!o->table) {
        if (isnan(o->gamma) && isnan(o->n_c)) sr_errlist_add(&el, "kmc: --gamma or --n-c (or --table, --campaign) is required");
        else if (!isnan(o->gamma)) need_positive(&el, "--gamma", o->gamma, u_g);
        else need_positive(&el, "--n-c", o->n_c, "particles");
        if (isnan(o->dmu)) sr_errlist_add(&el, "kmc: --dmu is required (%s)", u_e);
        else if (!(fabs(o->dmu) > 0)) sr_errlist_add(&el, "kmc: --dmu = 0: no driving force, no nucleation");
        need_positive(&el, "--rho-s", o->rho_s, u_rho);
        need_positive(&el, "--f-plus", o->f_plus, u_f);
    } else if (!isnan(o->f_plus) && !(o->f_plus > 0))
        sr_errlist_add(&el, "kmc: --f-plus = %g, expected > 0 (%s)", o->f_plus, u_f);
    if (!is_count(o->n_traj, 0) || o->n_traj == 1)
        sr_errlist_add(&el, "kmc: --trajectories = %g, expected 0 (no kMC) or an integer >= 2", o->n_traj);
    if (!is_count(o->seed, 0)) sr_errlist_add(&el, "kmc: --seed = %g, expected an integer >= 0", o->seed);
    if (!is_count(o->n0, 1)) sr_errlist_add(&el, "kmc: --n0 = %g, expected an integer >= 1", o->n0);
    if (!is_count(o->max_steps, 1)) sr_errlist_add(&el, "kmc: --max-steps = %g, expected an integer >= 1", o->max_steps);
    if (o->n_max != 0 && !is_count(o->n_max, 3)) sr_errlist_add(&el, "kmc: --n-max = %g, expected an integer >= 3", o->n_max);
    if (el.n) {
        if (rank == 0) sr_errlist_print(&el, stderr);
        sr_errlist_clear(&el);
        return SR_EINVAL;
    }

    cnt_bd_model *m = NULL;
    double J_cnt = 0, n_star = 0, bdg = 0, Z = 0, gamma = o->gamma;
    char no_top[512] = "";
    int rc = SR_OK;
    if (o->table) {
        rc = seed_kmc_read_table(o->table, o->kT, o->rho_l, isnan(o->f_plus) ? 0 : o->f_plus, &m);
        if (!rc && seed_kmc_zeldovich_table(m, &n_star, &bdg, &Z, &J_cnt)) {
            /* no barrier top: J_BD (and kMC) still make sense, the Zeldovich rate does not */
            snprintf(no_top, sizeof no_top, "%s", sr_error_message());
            sr_error_clear();
            J_cnt = n_star = bdg = Z = NAN;
        }
    } else {
        double dmu = -fabs(o->dmu);
        if (isnan(gamma)) gamma = cbrt(3 * o->n_c * pow(fabs(dmu), 3) * o->rho_s * o->rho_s / (32 * M_PI));
        double dG_star = 0;
        rc = cnt_critical_size(gamma, dmu, o->rho_s, &n_star, &dG_star);
        cnt_result cr;
        cnt_inputs in = {n_star, dmu, o->rho_s, o->rho_l, o->f_plus, o->kT};
        if (!rc) rc = cnt_compute(&in, &cr);
        if (!rc) {
            J_cnt = cr.J;
            bdg = cr.beta_dG;
            Z = cr.zeldovich;
            size_t nm = o->n_max > 0 ? (size_t)o->n_max : (size_t)ceil(3 * n_star);
            if (nm < 3) nm = 3;
            if ((double)nm <= n_star + 1)
                rc = SR_ERROR(SR_EINVAL, "kmc: --n-max = %zu is not beyond the critical size N_c = %.1f", nm, n_star);
            if (!rc) rc = cnt_bd_create_cnt(gamma, dmu, o->rho_s, o->rho_l, o->f_plus, o->kT, nm, &m);
        }
    }
    if (rc) {
        if (rank == 0) cli_report_error("kmc");
        cnt_bd_free(m);
        return rc;
    }
    if (!rc && (size_t)o->n0 >= m->n_max) {
        rc = SR_ERROR(SR_EINVAL, "kmc: --n0 = %g must be below n_max = %zu", o->n0, m->n_max);
        if (rank == 0) cli_report_error("kmc");
        cnt_bd_free(m);
        return rc;
    }
    double J_bd = 0, S = 0;
    rc = cnt_bd_steady_flux(m, &J_bd);
    if (!rc) rc = cnt_bd_population(m, &S);
    seed_kmc_result r = {0};
    const size_t ntraj = (size_t)o->n_traj;
    if (!rc && ntraj >= 2 && !*no_top) { /* S/tau_J needs a barrier top (cnt_bd_population) */
        seed_kmc_params p = {.n_traj = ntraj, .chunk = 0, .n0 = (size_t)o->n0, .seed = (uint64_t)o->seed,
                             .max_steps = (uint64_t)o->max_steps};
        rc = seed_kmc_run(m, &p, &r);
    }
    if (rc) {
        if (rank == 0) cli_report_error("kmc");
        cnt_bd_free(m);
        seed_kmc_result_clear(&r);
        return rc;
    }
    if (rank == 0) {
        printf("seedrate kmc: Becker-Doring chain n = 1..%zu (absorbing at n_max), ", m->n_max);
        if (o->table) printf("dG(n) from table %s\n", o->table);
        else printf("CNT sphere%s%s%s\n", o->campaign ? " from " : "", o->campaign ? o->campaign : "",
                    o->campaign ? ".rates.nc" : "");
        if (!o->table)
            printf("  gamma = %.6g %s, |dmu| = %.6g %s (|dmu|/kT = %.4g), rho_s = %.6g %s, rho_l = %.6g %s,\n"
                   "  f+(N_c) = %.6g %s, kT = %.6g %s\n",
                   gamma, u_g, fabs(o->dmu), u_e, fabs(o->dmu) / o->kT, o->rho_s, u_rho, o->rho_l, u_rho, o->f_plus, u_f,
                   o->kT, u_e);
        else
            printf("  rho_l = %.6g %s, kT = %.6g %s, f+ %s\n", o->rho_l, u_rho, o->kT, u_e,
                   isnan(o->f_plus) ? "from the table" : "= f+ (n/n*)^(2/3)");
        if (*no_top) printf("  no Zeldovich rate: %s\n", no_top);
        else
            printf("  N_c = %.2f particles (top of dG at n = %zu), dG*/kT = %.4f, Zeldovich Z = %.5g\n", n_star,
                   cnt_bd_top(m), bdg, Z);
        printf("  %-32s %-14s %-10s %-18s %s\n", "rate", "value", "+- (stat)", "unit", "ratio to J_BD");
        printf("  %-32s %-14.6e %-10s %-18s %.6f\n", "J_BD  exact Becker-Doring", J_bd, "exact", u_J, 1.0);
        if (*no_top) printf("  %-32s (no barrier top)\n", "J_CNT Zeldovich (CNT) undefined");
        else printf("  %-32s %-14.6e %-10s %-18s %.6f\n", "J_CNT Zeldovich (CNT)", J_cnt, "exact", u_J, J_cnt / J_bd);
        if (*no_top) printf("  %-32s (the MFPT rate S/tau_J needs a barrier top)\n", "J_kMC not run");
        else if (ntraj >= 2) {
            printf("  %-32s %-14.6e %-10.2e %-18s %.4f +- %.4f\n", "J_kMC MFPT, WSR fit", r.J_kmc, r.J_kmc_se, u_J,
                   r.J_kmc / J_bd, r.J_kmc_se / J_bd);
            printf("  kMC: %zu trajectories from n0 = %zu, seed %.0f; tau_J = %.6g %s, n* = %.2f, "
                   "Z_fit = c/sqrt(pi) = %.4g;\n"
                   "       tau(n_max) = %.6g +- %.3g %s (exact %.6g); WSR fit of the exact MFPT curve: S/tau_J / J_BD "
                   "= %.4f (bias of the erf form); S = %.6g %s\n",
                   ntraj, (size_t)o->n0, o->seed, r.fit.tau_J, T,
                   r.fit.n_star, r.fit.c / sqrt(M_PI), r.tau[m->n_max], r.se[m->n_max], T, r.tau_exact[m->n_max],
                   S / r.fit_exact.tau_J / J_bd, S, u_rho);
        } else
            printf("  %-32s (--trajectories 0)\n", "J_kMC not run");
        printf("  wall time %.2f s on %d MPI rank%s\n", now_s() - t_start, seed_comm_size(), seed_comm_size() > 1 ? "s" : "");
        fflush(stdout);
    }
    cnt_bd_free(m);
    seed_kmc_result_clear(&r);
    return SR_OK;
}

int cmd_kmc(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
    kmc_opts o = {.gamma = NAN, .n_c = NAN, .dmu = NAN, .rho_s = NAN, .rho_l = NAN, .f_plus = NAN, .kT = NAN,
                  .n_max = 0, .n_traj = 2000, .seed = 2026, .n0 = 1, .max_steps = 1e9};
    sr_errlist el = {0};
    parse(argc, argv, &o, &el);
    if (el.n) { /* before MPI: every rank would print, so stay quiet unless rank 0 or serial */
        const char *r = getenv("OMPI_COMM_WORLD_RANK");
        if (!r || !strcmp(r, "0")) sr_errlist_print(&el, stderr);
        sr_errlist_clear(&el);
        return 2;
    }
    if (seed_comm_init(&argc, &argv)) {
        cli_report_error("MPI");
        return 1;
    }
    int rc = run(&o, seed_comm_rank());
    seed_comm_finalize();
    return rc ? 1 : 0;
}
