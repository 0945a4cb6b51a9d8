/* `seedrate cnt FILE`: the nucleation rate from the model itself (Espinosa, Vega, Valeriani & Sanz,
 * JCP 144, 034501 (2016), "seeding"):
 *   1. T_m by direct coexistence on a temperature grid (seed_melt.c)
 *   2. bulk liquid and crystal h(T), rho(T) (seed_bulk.c) -> Dh(T) fit -> dmu(T) by Gibbs-Helmholtz from T_m
 *   3. the seeding campaign at [ensemble] temperature -> N_c with its bootstrap interval (seed_campaign_run)
 *   4. f+ from replicas started at N_c (seed_attach.c)
 *   5. gamma = (3 N_c |dmu|^3 rho_s^2/(32 pi))^(1/3), dG* = N_c |dmu|/2, Z = sqrt(|dmu|/(6 pi kT N_c)),
 *      J = rho_l Z f+ exp(-dG* / kT) (cnt_compute) with Monte-Carlo errors (cnt_propagate)
 * Tasks of steps 1+2 and the f+ replicas are spread over the MPI ranks by the shared counter
 * (seed_queue_fetch_add on counter 0), results summed with seed_comm_allreduce_sum_double; rank 0 writes
 * PREFIX.rates.nc atomically (io_ncfile_*). */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <netcdf.h>

#include "seed_cnt.h"
#include "seed_comm.h"
#include "../common/sr_rng.h"
#include "../io/io.h"

/* ---- [cnt] keywords ---- */
typedef struct cnt_job_config {
    sr_reals tm_temperatures, tm_cells;
    double tm_melt_temperature;
    long tm_xtal_steps, tm_melt_steps, tm_cool_steps, tm_steps, tm_analyze_every;
    sr_reals bulk_temperatures, bulk_cells;
    double liquid_density, melt_temperature;
    long melt_steps, bulk_equil_steps, bulk_steps, sample_every;
    int blocks, dh_degree;
    int attach_replicas;
    long attach_steps, attach_every, attach_relax_steps, attach_skip_steps;
    double attach_t0, attach_t1, attach_size;
    sr_reals attach_cells;
    int bootstrap;
    long draws;
    double lj_sigma, lj_epsilon, lj_mass;
} cnt_job_config;

static const sr_keyword cnt_job_keywords[] = {
    {"tm_temperatures", SR_KW_REALS, offsetof(cnt_job_config, tm_temperatures), "temperature", NULL, 1e-9, 1e7, NULL,
     "direct-coexistence temperatures (one slab run each; must bracket T_m)"},
    {"tm_cells", SR_KW_REALS, offsetof(cnt_job_config, tm_cells), "", "5 5 12", 1, 1000, NULL,
     "unit cells of the coexistence slab (elongated along z; even nz)"},
    {"tm_melt_temperature", SR_KW_REAL, offsetof(cnt_job_config, tm_melt_temperature), "temperature", "0", 0, 1e7,
     NULL, "the upper half of the slab is melted here (0: melt_temperature)"},
    {"tm_xtal_steps", SR_KW_LONG, offsetof(cnt_job_config, tm_xtal_steps), "steps", "500", 0, 1e12, NULL,
     "NPT of the slab crystal at T before melting its upper half"},
    {"tm_melt_steps", SR_KW_LONG, offsetof(cnt_job_config, tm_melt_steps), "steps", "1000", 1, 1e12, NULL,
     "NVT melting of the upper half (lower half frozen)"},
    {"tm_cool_steps", SR_KW_LONG, offsetof(cnt_job_config, tm_cool_steps), "steps", "300", 0, 1e12, NULL,
     "NVT at T with the lower half still frozen"},
    {"tm_steps", SR_KW_LONG, offsetof(cnt_job_config, tm_steps), "steps", "4000", 1, 1e12, NULL,
     "free NpzAT coexistence run (stops early once the slab is all crystal or all liquid)"},
    {"tm_analyze_every", SR_KW_LONG, offsetof(cnt_job_config, tm_analyze_every), "steps", "200", 1, 1e9, NULL,
     "steps between crystalline-fraction measurements"},
    {"bulk_temperatures", SR_KW_REALS, offsetof(cnt_job_config, bulk_temperatures), "temperature", NULL, 1e-9, 1e7,
     NULL, "bulk NPT temperatures for h(T) and rho(T) (>= dh_degree + 2 of them, around T and T_m)"},
    {"bulk_cells", SR_KW_REALS, offsetof(cnt_job_config, bulk_cells), "", "5 5 5", 1, 1000, NULL,
     "unit cells of the bulk systems"},
    {"liquid_density", SR_KW_REAL, offsetof(cnt_job_config, liquid_density), "length^-3", "0", 0, 1e6, NULL,
     "lattice density from which liquids are melted (0: [structure] density); lower melts faster"},
    {"melt_temperature", SR_KW_REAL, offsetof(cnt_job_config, melt_temperature), "temperature", NULL, 1e-9, 1e7,
     NULL, "liquids are made by NVT at this temperature (check the report's solid fractions)"},
    {"melt_steps", SR_KW_LONG, offsetof(cnt_job_config, melt_steps), "steps", "1000", 1, 1e12, NULL,
     "NVT melting steps of bulk liquids and of the f+ liquid"},
    {"bulk_equil_steps", SR_KW_LONG, offsetof(cnt_job_config, bulk_equil_steps), "steps", "1000", 0, 1e12, NULL,
     "NPT equilibration of each bulk run"},
    {"bulk_steps", SR_KW_LONG, offsetof(cnt_job_config, bulk_steps), "steps", "3000", 1, 1e12, NULL,
     "NPT production of each bulk run"},
    {"sample_every", SR_KW_LONG, offsetof(cnt_job_config, sample_every), "steps", "10", 1, 1e9, NULL,
     "steps between enthalpy/volume samples"},
    {"blocks", SR_KW_INT, offsetof(cnt_job_config, blocks), "", "5", 2, 1e6, NULL, "blocks for block-average errors"},
    {"dh_degree", SR_KW_INT, offsetof(cnt_job_config, dh_degree), "", "1", 0, 3, NULL,
     "polynomial degree of Dh(T) = h_liq - h_sol"},
    {"attach_replicas", SR_KW_INT, offsetof(cnt_job_config, attach_replicas), "", "8", 2, 1e6, NULL,
     "f+ replicas started at the critical size"},
    {"attach_steps", SR_KW_LONG, offsetof(cnt_job_config, attach_steps), "steps", "1000", 4, 1e12, NULL,
     "length of each f+ replica"},
    {"attach_every", SR_KW_LONG, offsetof(cnt_job_config, attach_every), "steps", "20", 1, 1e9, NULL,
     "steps between N_max analyses of the f+ replicas"},
    {"attach_relax_steps", SR_KW_LONG, offsetof(cnt_job_config, attach_relax_steps), "steps", "100", 0, 1e12, NULL,
     "interface relaxation of the f+ start with the seed frozen"},
    {"attach_skip_steps", SR_KW_LONG, offsetof(cnt_job_config, attach_skip_steps), "steps", "0", 0, 1e12, NULL,
     "initial steps of each f+ replica left out of <dN^2>(t): N(0) is taken after them (the freshly inserted seed "
     "first loses its surface labels)"},
    {"attach_t0", SR_KW_REAL, offsetof(cnt_job_config, attach_t0), "time", "0", 0, 1e12, NULL,
     "start of the diffusive window of <dN^2>(t) (0: the first analysis)"},
    {"attach_t1", SR_KW_REAL, offsetof(cnt_job_config, attach_t1), "time", "0", 0, 1e12, NULL,
     "end of the diffusive window (0: half of the replica length)"},
    {"attach_size", SR_KW_REAL, offsetof(cnt_job_config, attach_size), "atoms", "0", 0, 1e7, NULL,
     "seed size of the f+ runs (0: N_c of the campaign)"},
    {"attach_cells", SR_KW_REALS, offsetof(cnt_job_config, attach_cells), "", "0", 0, 1000, NULL,
     "liquid cells of the f+ runs (0: [campaign] liquid_cells)"},
    {"bootstrap", SR_KW_INT, offsetof(cnt_job_config, bootstrap), "", "1000", 10, 1e7, NULL,
     "bootstrap resamples over f+ replicas"},
    {"draws", SR_KW_LONG, offsetof(cnt_job_config, draws), "", "20000", 100, 1e8, NULL,
     "Monte-Carlo draws for the propagation of errors into gamma, dG*, log10 J"},
    {"lj_sigma", SR_KW_REAL, offsetof(cnt_job_config, lj_sigma), "angstrom", "0", 0, 1e3, NULL,
     "lj units only: sigma of a reference substance for SI rates (argon 3.405; 0: none)"},
    {"lj_epsilon", SR_KW_REAL, offsetof(cnt_job_config, lj_epsilon), "K", "119.8", 0, 1e6, NULL,
     "lj units only: epsilon/k_B of the reference substance"},
    {"lj_mass", SR_KW_REAL, offsetof(cnt_job_config, lj_mass), "g/mol", "39.948", 0, 1e6, NULL,
     "lj units only: mass of the reference substance"},
    SR_KW_END};

typedef struct rate_run_config {
    int units;
    long seed;
} rate_run_config;
static const sr_keyword rate_run_keywords[] = {
    {"units", SR_KW_CHOICE, offsetof(rate_run_config, units), "", "lj", 0, 0, "lj|metal", "unit style"},
    {"seed", SR_KW_LONG, offsetof(rate_run_config, seed), "", "2016", 0, 9.2e18, NULL, "job seed"},
    SR_KW_END};

void seed_rate_print_keys(FILE *out)
{
    seed_campaign_print_keys(out);
    sr_keywords_print(cnt_job_keywords, "cnt", out);
}

/* ================================================================================================
 * Assembly (pure)
 * ============================================================================================== */
int seed_rate_assemble(const seed_rate_inputs *in, seed_rate_output *out)
{
    if (!in || !out || !(in->T > 0) || !(in->k_B > 0) || in->n_draw < 2)
        return SR_ERROR(SR_EINVAL, "rate assembly: need T > 0, k_B > 0 and >= 2 draws");
    memset(out, 0, sizeof *out);
    const double kT = in->k_B * in->T;
    cnt_inputs ci = {.n_c = in->n_c.value, .dmu = in->dmu.value, .rho_s = in->rho_s.value,
                     .rho_l = in->rho_l.value, .f_plus = in->f_plus.value, .kT = kT};
    SR_TRY(cnt_compute(&ci, &out->central));
    gsl_rng *r = sr_rng_create(in->seed, 0, SR_RNG_BOOTSTRAP + 10);
    if (!r) return SR_ERROR(SR_ENOMEM, "out of memory");
    int rc = cnt_propagate(&in->n_c, &in->dmu, &in->rho_s, &in->rho_l, &in->f_plus, kT, in->n_draw, r, &out->mc);
    gsl_rng_free(r);
    if (rc) return rc;
    out->log10_J_si = NAN;
    out->gamma_si = NAN;
    cnt_interval *si = &out->log10_J_si_interval;
    *si = out->mc.log10_J;
    double shift = NAN, gfac = NAN;
    if (in->units == MD_UNITS_METAL) {
        shift = cnt_metal_to_si_log10_rate(0.0);
        gfac = cnt_metal_to_si_tension(1.0);
    } else if (in->lj_sigma_A > 0) {
        cnt_lj_units u;
        SR_TRY(cnt_lj_units_init(in->lj_sigma_A, in->lj_epsilon_eV, in->lj_mass_gmol, &u));
        /* J_metal = J_lj * factor; log10 shifts by log10(factor) */
        shift = log10(cnt_lj_to_metal_rate(&u, 1.0)) + cnt_metal_to_si_log10_rate(0.0);
        gfac = cnt_metal_to_si_tension(cnt_lj_to_metal_tension(&u, 1.0));
    }
    if (isfinite(shift)) {
        out->log10_J_si = out->central.log10_J + shift;
        out->gamma_si = out->central.gamma * gfac;
        si->median += shift;
        si->lo68 += shift;
        si->hi68 += shift;
        si->lo95 += shift;
        si->hi95 += shift;
    } else {
        memset(si, 0, sizeof *si);
        si->median = si->lo68 = si->hi68 = si->lo95 = si->hi95 = NAN;
    }
    return SR_OK;
}

/* ================================================================================================
 * netCDF reading (small helper; the io module has writers only so far)
 * ============================================================================================== */
int seed_nc_read(const char *path, const char *var, double **v, size_t *n)
{
    int id, vid, nd, dims[NC_MAX_VAR_DIMS];
    IO_NC(nc_open(path, NC_NOWRITE, &id), var, path);
    int st = nc_inq_varid(id, var, &vid);
    if (!st) st = nc_inq_varndims(id, vid, &nd);
    if (!st) st = nc_inq_vardimid(id, vid, dims);
    size_t len = 1;
    for (int k = 0; !st && k < nd; k++) {
        size_t l;
        st = nc_inq_dimlen(id, dims[k], &l);
        len *= l;
    }
    double *buf = NULL;
    if (!st) {
        buf = malloc((len ? len : 1) * sizeof *buf);
        if (!buf) {
            nc_close(id);
            return SR_ERROR(SR_ENOMEM, "out of memory");
        }
        st = nc_get_var_double(id, vid, buf);
    }
    nc_close(id);
    if (st) {
        free(buf);
        return io_nc_fail(st, "nc_get_var_double", var, path, __FILE__, __LINE__);
    }
    *v = buf;
    *n = len;
    return SR_OK;
}

int seed_nc_read_att(const char *path, const char *var, const char *att, char *buf, size_t len)
{
    int id, vid = NC_GLOBAL;
    size_t l = 0;
    IO_NC(nc_open(path, NC_NOWRITE, &id), var, path);
    int st = var ? nc_inq_varid(id, var, &vid) : 0;
    if (!st) st = nc_inq_attlen(id, vid, att, &l);
    if (!st && l + 1 > len) st = NC_ERANGE;
    if (!st) st = nc_get_att_text(id, vid, att, buf);
    nc_close(id);
    if (st) return io_nc_fail(st, "nc_get_att_text", att, path, __FILE__, __LINE__);
    buf[l] = '\0';
    return SR_OK;
}

/* ================================================================================================
 * The pipeline
 * ============================================================================================== */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

typedef struct job {
    const char *file;
    sr_input *in;
    rate_run_config run;
    seed_structure_config sc;
    seed_ensemble_config ec;
    seed_campaign_config cc;
    seed_output_config oc;
    cnt_job_config jc;
    md_integrator_params ip;
    md_potential *pot;
    order_classifier *cls;
} job;

static void job_free(job *j)
{
    md_potential_free(j->pot);
    order_classifier_free(j->cls);
    sr_input_free(j->in);
}

static const char *const rate_sections[] = {"run", "structure", "potential", "ensemble", "order", "campaign",
                                            "output", "cnt", NULL};

static int job_parse(job *j, sr_errlist *el)
{
    SR_TRY(sr_input_parse_file(j->file, &j->in));
    sr_input *in = j->in;
    sr_input_check_sections(in, rate_sections, el);
    sr_section_bind(sr_input_section(in, "run"), rate_run_keywords, &j->run, el, "run");
    sr_section_bind(sr_input_section(in, "structure"), seed_structure_keywords, &j->sc, el, "structure");
    sr_section_bind(sr_input_section(in, "ensemble"), seed_ensemble_keywords, &j->ec, el, "ensemble");
    sr_section_bind(sr_input_section(in, "campaign"), seed_campaign_keywords, &j->cc, el, "campaign");
    sr_section_bind(sr_input_section(in, "output"), seed_output_keywords, &j->oc, el, "output");
    if (!sr_input_section(in, "cnt")) sr_errlist_add(el, "%s: missing section [cnt]", j->file);
    sr_section_bind(sr_input_section(in, "cnt"), cnt_job_keywords, &j->jc, el, "cnt");
    order_classifier_from_section(sr_input_section(in, "order"), &j->cls, el);
    if (el->n) return SR_EINVAL;
    const cnt_job_config *c = &j->jc;
    if (j->ec.ensemble != 2) sr_errlist_add(el, "%s: [ensemble] cnt needs ensemble = npt", j->file);
    if (seed_ensemble_params(&j->ec, j->run.units, &j->ip)) sr_errlist_add(el, "%s: %s", j->file, sr_error_message());
    if (j->cc.mode != 0) sr_errlist_add(el, "%s: [campaign] cnt needs mode = sizes (N_c at one T)", j->file);
    if (c->tm_temperatures.n < 2) sr_errlist_add(el, "%s: [cnt] tm_temperatures needs >= 2 values", j->file);
    if (c->tm_cells.n != 3) sr_errlist_add(el, "%s: [cnt] tm_cells needs 3 integers", j->file);
    if (c->bulk_cells.n != 3) sr_errlist_add(el, "%s: [cnt] bulk_cells needs 3 integers", j->file);
    if (c->bulk_temperatures.n < c->dh_degree + 2)
        sr_errlist_add(el, "%s: [cnt] bulk_temperatures needs >= dh_degree + 2 = %d values", j->file, c->dh_degree + 2);
    if (c->bulk_steps < c->sample_every * c->blocks)
        sr_errlist_add(el, "%s: [cnt] bulk_steps must be >= blocks x sample_every", j->file);
    if (c->attach_cells.n != 3 && !(c->attach_cells.n == 1 && c->attach_cells.v[0] == 0))
        sr_errlist_add(el, "%s: [cnt] attach_cells needs 3 integers (or 0)", j->file);
    if ((c->attach_steps - c->attach_skip_steps) / c->attach_every < 4)
        sr_errlist_add(el, "%s: [cnt] (attach_steps - attach_skip_steps)/attach_every must be >= 4", j->file);
    if (j->sc.file[0]) sr_errlist_add(el, "%s: [structure] cnt builds its systems from a lattice: remove file", j->file);
    return el->n ? SR_EINVAL : SR_OK;
}

/* The campaign input: the job file without its [cnt] section (seed_campaign_run rejects unknown sections). */
/* Build a lattice system from [structure] with other cells (and optionally another density). */
static int build_lattice(const job *j, const sr_reals *cells, double density, md_system **out)
{
    seed_structure_config sc = j->sc;
    sc.cells = *cells;
    sc.temperature = 0;
    if (density > 0) {
        sc.density = density;
        sc.nn = 0;
    }
    return seed_structure_build(&sc, j->run.units, ".", "[structure]", NULL, out);
}

/* Results of steps 1-2 (indexed by task; summed over ranks). */
typedef struct stage1 {
    int ntm, nbulk, maxf;
    double *tm_v, *tm_vse, *tm_grew, *tm_nf, *tm_t, *tm_frac; /* tm_t, tm_frac: [ntm * maxf] */
    double *b[2][5]; /* [phase 0 liquid, 1 crystal][h, h_se, rho, rho_se, solid_fraction] per bulk T */
    double *fail;    /* per task: 1 if it failed */
} stage1;

typedef struct results {
    double T, p, kB;
    double T_m, T_m_se, T_low, T_high, T_m_bracket, T_m_bracket_se, T_m_vel, T_m_vel_se;
    int tm_bracket_ok, tm_vel_ok;
    cnt_poly_fit dh;
    double dmu, dmu_se, dmu_lin, dh_m;
    double rho_s, rho_s_se, rho_l, rho_l_se;
    double n_c, n_c_se, n_c_lo68, n_c_hi68, n_c_lo95, n_c_hi95;
    int n_c_replicas;
    int attach_size, attach_removed, attach_n0;
    size_t attach_nt, attach_skip;
    double *attach_t, *attach_N, *attach_msd;
    seed_attach_out fp;
    seed_rate_output rate;
} results;

static int write_rates_nc(const job *j, const stage1 *s1, const results *R)
{
    char path[4400];
    snprintf(path, sizeof path, "%s.rates.nc", j->oc.prefix);
    const md_units *u = md_units_get(j->run.units);
    char rate_u[128], tens_u[128], dens_u[64], inv_t[64];
    snprintf(rate_u, sizeof rate_u, "%s^-3 %s^-1", u->length, u->time);
    snprintf(tens_u, sizeof tens_u, "%s %s^-2", u->energy, u->length);
    snprintf(dens_u, sizeof dens_u, "%s", u->density);
    snprintf(inv_t, sizeof inv_t, "%s^-1", u->time);
    char log_u[160];
    snprintf(log_u, sizeof log_u, "log10(%s)", rate_u);
    io_ncfile *f;
    SR_TRY(io_ncfile_create(path, &f));
    int rc = SR_OK;
#define TRY(e) do { if (!rc) rc = (e); } while (0)
    const int nT = j->jc.tm_temperatures.n, nB = j->jc.bulk_temperatures.n;
    const int nrep = j->jc.attach_replicas;
    /* scalars: name, units, long_name, value, replicas behind it (0: none / not applicable) */
    struct sc {
        const char *name, *units, *ln;
        double v, nrep;
    } S[] = {
        {"temperature", u->temperature, "temperature of the rate", R->T, 0},
        {"pressure", u->pressure, "pressure", R->p, 0},
        {"T_m", u->temperature, "melting temperature used (direct coexistence)", R->T_m, nT},
        {"T_m_se", u->temperature, "standard error of T_m", R->T_m_se, nT},
        {"T_m_bracket", u->temperature, "T_m from the grow/melt bracket (midpoint)", R->T_m_bracket, nT},
        {"T_m_bracket_se", u->temperature, "sigma of the bracket (uniform over it)", R->T_m_bracket_se, nT},
        {"T_m_velocity", u->temperature, "T_m from the root of v(T) = a + b T", R->T_m_vel, nT},
        {"T_m_velocity_se", u->temperature, "standard error of the v(T) root", R->T_m_vel_se, nT},
        {"dmu", u->energy, "mu_solid - mu_liquid per particle at T (Gibbs-Helmholtz)", R->dmu, 2 * nB},
        {"dmu_se", u->energy, "standard error of dmu (Dh fit and T_m)", R->dmu_se, 2 * nB},
        {"dmu_linear", u->energy, "Turnbull approximation -Dh(T_m)(1 - T/T_m)", R->dmu_lin, 2 * nB},
        {"dh_m", u->energy, "h_liq - h_sol at T_m", R->dh_m, 2 * nB},
        {"rho_s", dens_u, "crystal number density at T", R->rho_s, nB},
        {"rho_s_se", dens_u, "standard error of rho_s", R->rho_s_se, nB},
        {"rho_l", dens_u, "liquid number density at T", R->rho_l, nB},
        {"rho_l_se", dens_u, "standard error of rho_l", R->rho_l_se, nB},
        {"n_c", "atoms", "critical nucleus size (P_grow fit of the campaign)", R->n_c, R->n_c_replicas},
        {"n_c_se", "atoms", "standard error of N_c (Fisher)", R->n_c_se, R->n_c_replicas},
        {"n_c_lo68", "atoms", "N_c bootstrap 68% low", R->n_c_lo68, R->n_c_replicas},
        {"n_c_hi68", "atoms", "N_c bootstrap 68% high", R->n_c_hi68, R->n_c_replicas},
        {"n_c_lo95", "atoms", "N_c bootstrap 95% low", R->n_c_lo95, R->n_c_replicas},
        {"n_c_hi95", "atoms", "N_c bootstrap 95% high", R->n_c_hi95, R->n_c_replicas},
        {"attach_seed_size", "atoms", "seed size of the f+ replicas", R->attach_size, nrep},
        {"attach_n0", "atoms", "N_max of the relaxed f+ start", R->attach_n0, nrep},
        {"f_plus", inv_t, "attachment rate f+ = <dN^2>/(2t) (OLS slope/2)", R->fp.fit.f_plus, nrep},
        {"f_plus_se", inv_t, "OLS standard error of f+", R->fp.fit.se_f_plus, nrep},
        {"f_plus_lo68", inv_t, "f+ bootstrap 68% low", R->fp.boot.lo68, nrep},
        {"f_plus_hi68", inv_t, "f+ bootstrap 68% high", R->fp.boot.hi68, nrep},
        {"f_plus_lo95", inv_t, "f+ bootstrap 95% low", R->fp.boot.lo95, nrep},
        {"f_plus_hi95", inv_t, "f+ bootstrap 95% high", R->fp.boot.hi95, nrep},
        {"attach_t_skip", u->time, "transient left out: N(0) of <dN^2> is N(t_skip); window times count from it", R->attach_skip * j->jc.attach_every * j->ip.dt, nrep},
        {"attach_t0", u->time, "start of the diffusive window (after t_skip)", R->fp.fit.t0, nrep},
        {"attach_t1", u->time, "end of the diffusive window", R->fp.fit.t1, nrep},
        {"attach_msd_intercept", "atoms^2", "intercept of the <dN^2>(t) line in the window", R->fp.fit.intercept, nrep},
        {"gamma", tens_u, "interfacial free energy (CNT, central values)", R->rate.central.gamma, 0},
        {"gamma_lo68", tens_u, "gamma 68% low (Monte Carlo)", R->rate.mc.gamma.lo68, 0},
        {"gamma_hi68", tens_u, "gamma 68% high", R->rate.mc.gamma.hi68, 0},
        {"gamma_lo95", tens_u, "gamma 95% low", R->rate.mc.gamma.lo95, 0},
        {"gamma_hi95", tens_u, "gamma 95% high", R->rate.mc.gamma.hi95, 0},
        {"dG_star", u->energy, "nucleation barrier N_c |dmu| / 2", R->rate.central.dG_star, 0},
        {"dG_star_lo68", u->energy, "dG* 68% low", R->rate.mc.dG_star.lo68, 0},
        {"dG_star_hi68", u->energy, "dG* 68% high", R->rate.mc.dG_star.hi68, 0},
        {"beta_dG_star", "1", "dG* / kT", R->rate.central.beta_dG, 0},
        {"zeldovich", "1", "Zeldovich factor", R->rate.central.zeldovich, 0},
        {"log10_J", log_u, "log10 of the nucleation rate J", R->rate.central.log10_J, 0},
        {"log10_J_lo68", log_u, "log10 J 68% low (Monte Carlo)", R->rate.mc.log10_J.lo68, 0},
        {"log10_J_hi68", log_u, "log10 J 68% high", R->rate.mc.log10_J.hi68, 0},
        {"log10_J_lo95", log_u, "log10 J 95% low", R->rate.mc.log10_J.lo95, 0},
        {"log10_J_hi95", log_u, "log10 J 95% high", R->rate.mc.log10_J.hi95, 0},
        {"log10_J_si", "log10(m^-3 s^-1)", "log10 J in SI (metal units, or lj with a reference substance)",
         R->rate.log10_J_si, 0},
        {"log10_J_si_lo68", "log10(m^-3 s^-1)", "log10 J SI 68% low", R->rate.log10_J_si_interval.lo68, 0},
        {"log10_J_si_hi68", "log10(m^-3 s^-1)", "log10 J SI 68% high", R->rate.log10_J_si_interval.hi68, 0},
        {"gamma_si", "J m^-2", "gamma in SI", R->rate.gamma_si, 0},
    };
    const int nS = (int)(sizeof S / sizeof S[0]);
    TRY(io_ncfile_put_att_text(f, NULL, "title", "seedrate nucleation rate from CNT + seeding"));
    TRY(io_ncfile_put_att_text(f, NULL, "units_style", u->name));
    TRY(io_ncfile_put_att_text(f, NULL, "input", j->file));
    TRY(io_ncfile_put_att_text(f, NULL, "campaign_file", j->oc.prefix));
    TRY(io_ncfile_def_dim(f, "tm_point", (size_t)nT));
    TRY(io_ncfile_def_dim(f, "tm_frame", (size_t)s1->maxf));
    TRY(io_ncfile_def_dim(f, "bulk_point", (size_t)nB));
    TRY(io_ncfile_def_dim(f, "attach_replica", (size_t)nrep));
    TRY(io_ncfile_def_dim(f, "attach_frame", R->attach_nt));
    /* dmu(T) on a grid from the lowest temperature used to T_m, for plots */
    enum { NCURVE = 41 };
    double cT[NCURVE], cd[NCURVE], cse[NCURVE], clin[NCURVE];
    double tlo = R->T;
    for (int b = 0; b < nB; b++)
        if (j->jc.bulk_temperatures.v[b] < tlo) tlo = j->jc.bulk_temperatures.v[b];
    cnt_dmu_model dm = {.dh = &R->dh, .T_m = R->T_m, .sigma_T_m = R->T_m_se};
    for (int k = 0; k < NCURVE; k++) {
        cT[k] = tlo + (R->T_m - tlo) * k / (NCURVE - 1.0);
        if (cnt_dmu_model_eval(&dm, cT[k], &cd[k], &cse[k])) cd[k] = cse[k] = NAN;
        clin[k] = cnt_dmu_linear(R->dh_m, R->T_m, cT[k]);
    }
    sr_error_clear();
    TRY(io_ncfile_def_dim(f, "dmu_point", NCURVE));
    for (int k = 0; k < nS; k++) {
        TRY(io_ncfile_def_var(f, S[k].name, IO_NC_DOUBLE, 0, NULL, S[k].units, S[k].ln));
        if (S[k].nrep > 0) TRY(io_ncfile_put_att_double(f, S[k].name, "replicas", S[k].nrep));
    }
    const char *d_tm[] = {"tm_point"}, *d_tmf[] = {"tm_point", "tm_frame"}, *d_b[] = {"bulk_point"},
               *d_af[] = {"attach_frame"}, *d_arf[] = {"attach_replica", "attach_frame"}, *d_dm[] = {"dmu_point"};
    struct ar {
        const char *name, *units, *ln;
        int nd;
        const char *const *dims;
        const double *v;
    } A[] = {
        {"tm_temperature", u->temperature, "coexistence temperatures", 1, d_tm, j->jc.tm_temperatures.v},
        {"tm_velocity", u->velocity, "interface velocity (> 0 growth)", 1, d_tm, s1->tm_v},
        {"tm_velocity_se", u->velocity, "standard error of the interface velocity", 1, d_tm, s1->tm_vse},
        {"tm_grew", "1", "1 crystal grew, 0 melted", 1, d_tm, s1->tm_grew},
        {"tm_time", u->time, "time since the release of the slab (NaN: no frame)", 2, d_tmf, s1->tm_t},
        {"tm_fraction", "1", "crystalline fraction of the slab (NaN: no frame)", 2, d_tmf, s1->tm_frac},
        {"bulk_temperature", u->temperature, "bulk NPT temperatures", 1, d_b, j->jc.bulk_temperatures.v},
        {"h_liq", u->energy, "liquid enthalpy per particle", 1, d_b, s1->b[0][0]},
        {"h_liq_se", u->energy, "block-average error of h_liq", 1, d_b, s1->b[0][1]},
        {"rho_liq", dens_u, "liquid number density", 1, d_b, s1->b[0][2]},
        {"rho_liq_se", dens_u, "block-average error of rho_liq", 1, d_b, s1->b[0][3]},
        {"solid_fraction_liq", "1", "crystalline fraction at the end of the liquid run", 1, d_b, s1->b[0][4]},
        {"h_sol", u->energy, "crystal enthalpy per particle", 1, d_b, s1->b[1][0]},
        {"h_sol_se", u->energy, "block-average error of h_sol", 1, d_b, s1->b[1][1]},
        {"rho_sol", dens_u, "crystal number density", 1, d_b, s1->b[1][2]},
        {"rho_sol_se", dens_u, "block-average error of rho_sol", 1, d_b, s1->b[1][3]},
        {"solid_fraction_sol", "1", "crystalline fraction at the end of the crystal run", 1, d_b, s1->b[1][4]},
        {"attach_time", u->time, "time of the f+ replicas", 1, d_af, R->attach_t},
        {"attach_n_max", "atoms", "N_max(t) of the f+ replicas", 2, d_arf, R->attach_N},
        {"attach_msd", "atoms^2", "<(N(t) - N(t_skip))^2> over the f+ replicas at time attach_time - t_skip (NaN before t_skip)", 1, d_af, R->attach_msd},
        {"dmu_curve_temperature", u->temperature, "temperatures of the dmu(T) curve", 1, d_dm, cT},
        {"dmu_curve", u->energy, "dmu(T) by Gibbs-Helmholtz", 1, d_dm, cd},
        {"dmu_curve_se", u->energy, "standard error of dmu(T) (Dh fit and T_m)", 1, d_dm, cse},
        {"dmu_curve_linear", u->energy, "Turnbull approximation of dmu(T)", 1, d_dm, clin},
    };
    const int nA = (int)(sizeof A / sizeof A[0]);
    for (int k = 0; k < nA; k++) TRY(io_ncfile_def_var(f, A[k].name, IO_NC_DOUBLE, A[k].nd, A[k].dims, A[k].units, A[k].ln));
    double dh[8] = {0};
    for (int k = 0; k <= R->dh.degree; k++) dh[k] = R->dh.c[k];
    TRY(io_ncfile_def_var(f, "dh_coefficients", IO_NC_DOUBLE, 0, NULL, u->energy, "Dh(T) = sum_k c_k T^k (see attributes)"));
    for (int k = 0; k <= R->dh.degree; k++) {
        char an[16];
        snprintf(an, sizeof an, "c%d", k);
        TRY(io_ncfile_put_att_double(f, "dh_coefficients", an, dh[k]));
    }
    for (int k = 0; k < nS; k++) TRY(io_ncfile_put_double(f, S[k].name, NULL, NULL, &S[k].v));
    for (int k = 0; k < nA; k++) TRY(io_ncfile_put_double(f, A[k].name, NULL, NULL, A[k].v));
    TRY(io_ncfile_put_double(f, "dh_coefficients", NULL, NULL, &dh[0]));
#undef TRY
    if (rc) {
        io_ncfile_abort(f);
        return rc;
    }
    return io_ncfile_commit(f);
}

static int alloc_d(double **p, size_t n)
{
    *p = calloc(n ? n : 1, sizeof(double));
    return *p ? SR_OK : SR_ERROR(SR_ENOMEM, "out of memory");
}

/* Steps 1 + 2 over the ranks: tasks 0..ntm-1 coexistence, then 2*nbulk bulk runs. */
static int run_stage1(job *j, order_analyzer *an, stage1 *s1)
{
    const cnt_job_config *c = &j->jc;
    s1->ntm = c->tm_temperatures.n;
    s1->nbulk = c->bulk_temperatures.n;
    s1->maxf = (int)(c->tm_steps / c->tm_analyze_every) + 2;
    const int ntask = s1->ntm + 2 * s1->nbulk;
    SR_TRY(alloc_d(&s1->tm_v, s1->ntm));
    SR_TRY(alloc_d(&s1->tm_vse, s1->ntm));
    SR_TRY(alloc_d(&s1->tm_grew, s1->ntm));
    SR_TRY(alloc_d(&s1->tm_nf, s1->ntm));
    SR_TRY(alloc_d(&s1->tm_t, (size_t)s1->ntm * s1->maxf));
    SR_TRY(alloc_d(&s1->tm_frac, (size_t)s1->ntm * s1->maxf));
    for (int ph = 0; ph < 2; ph++)
        for (int q = 0; q < 5; q++) SR_TRY(alloc_d(&s1->b[ph][q], s1->nbulk));
    SR_TRY(alloc_d(&s1->fail, ntask));
    md_system *slab = NULL, *bxtal = NULL, *bliq = NULL;
    int rc = build_lattice(j, &c->tm_cells, 0, &slab);
    if (!rc) rc = build_lattice(j, &c->bulk_cells, 0, &bxtal);
    if (!rc) rc = build_lattice(j, &c->bulk_cells, c->liquid_density, &bliq);
    seed_queue *q = NULL;
    if (!rc) rc = seed_queue_create(2, &q);
    const double Tmelt_slab = c->tm_melt_temperature > 0 ? c->tm_melt_temperature : c->melt_temperature;
    while (!rc) {
        long k = seed_queue_fetch_add(q, 0, 1);
        if (k >= ntask) break;
        int trc;
        double t0 = now_s();
        if (k < s1->ntm) {
            seed_coex_params cp = {.ip = j->ip, .T = c->tm_temperatures.v[k], .xtal_steps = c->tm_xtal_steps,
                                   .T_melt = Tmelt_slab, .melt_steps = c->tm_melt_steps, .cool_steps = c->tm_cool_steps,
                                   .steps = c->tm_steps, .analyze_every = c->tm_analyze_every,
                                   .seed = (uint64_t)j->run.seed, .task = k};
            seed_coex_result r = {.t = s1->tm_t + k * s1->maxf, .frac = s1->tm_frac + k * s1->maxf};
            trc = seed_coex_run(slab, j->pot, an, &cp, s1->maxf, &r);
            if (!trc) {
                s1->tm_v[k] = r.velocity;
                s1->tm_vse[k] = r.velocity_se;
                s1->tm_grew[k] = r.grew;
                s1->tm_nf[k] = r.nframes;
                for (int fr = r.nframes; fr < s1->maxf; fr++) s1->tm_t[k * s1->maxf + fr] = s1->tm_frac[k * s1->maxf + fr] = NAN;
                printf("[cnt] coexistence T = %g: %s, v = %.4g +- %.2g %s, crystalline fraction %.2f -> %.2f in %d "
                       "frames (rank %d, %.1f s)\n", cp.T, r.grew ? "grew" : "melted", r.velocity, r.velocity_se,
                       md_units_get(j->run.units)->velocity, r.frac[0], r.frac[r.nframes - 1], r.nframes,
                       seed_comm_rank(), now_s() - t0);
            }
        } else {
            const int b = (int)((k - s1->ntm) / 2), ph = (int)((k - s1->ntm) % 2); /* ph 0 liquid, 1 crystal */
            seed_bulk_params bp = {.ip = j->ip, .T_melt = ph == 0 ? c->melt_temperature : 0, .melt_steps = c->melt_steps,
                                   .equil_steps = c->bulk_equil_steps, .prod_steps = c->bulk_steps,
                                   .sample_every = c->sample_every, .nblocks = c->blocks,
                                   .seed = (uint64_t)j->run.seed, .task = k};
            bp.ip.temperature = c->bulk_temperatures.v[b];
            seed_bulk_result r;
            trc = seed_bulk_run(ph == 0 ? bliq : bxtal, j->pot, an, &bp, &r);
            if (!trc) {
                s1->b[ph][0][b] = r.h;
                s1->b[ph][1][b] = r.h_se;
                s1->b[ph][2][b] = r.rho;
                s1->b[ph][3][b] = r.rho_se;
                s1->b[ph][4][b] = r.solid_fraction;
                printf("[cnt] bulk %s T = %g: h = %.5g +- %.2g, rho = %.5g +- %.2g, crystalline fraction %.2f "
                       "(rank %d, %.1f s)\n", ph == 0 ? "liquid " : "crystal", bp.ip.temperature, r.h, r.h_se, r.rho,
                       r.rho_se, r.solid_fraction, seed_comm_rank(), now_s() - t0);
            }
        }
        fflush(stdout);
        if (trc) {
            fprintf(stderr, "[cnt] warning: task %ld failed: %s\n", k, sr_error_message());
            s1->fail[k] = 1;
            sr_error_clear();
        }
    }
    seed_queue_free(q);
    md_system_free(slab);
    md_system_free(bxtal);
    md_system_free(bliq);
    if (seed_comm_any(rc)) return rc ? rc : SR_EFAILED;
    /* gather: every entry was written by exactly one rank, others hold zeros (NaN padding only by the owner) */
    for (int k = 0; k < s1->ntm; k++)
        if (s1->tm_nf[k] == 0)
            for (int fr = 0; fr < s1->maxf; fr++) s1->tm_t[k * s1->maxf + fr] = s1->tm_frac[k * s1->maxf + fr] = 0;
    double *arrs[] = {s1->tm_v, s1->tm_vse, s1->tm_grew, s1->tm_nf, s1->fail};
    int lens[] = {s1->ntm, s1->ntm, s1->ntm, s1->ntm, ntask};
    for (int a = 0; a < 5 && !rc; a++) rc = seed_comm_allreduce_sum_double(arrs[a], lens[a]);
    for (int k = 0; k < s1->ntm * s1->maxf; k++) { /* NaN is not summable: use 0 and restore below */
        if (isnan(s1->tm_t[k])) s1->tm_t[k] = 0;
        if (isnan(s1->tm_frac[k])) s1->tm_frac[k] = 0;
    }
    if (!rc) rc = seed_comm_allreduce_sum_double(s1->tm_t, s1->ntm * s1->maxf);
    if (!rc) rc = seed_comm_allreduce_sum_double(s1->tm_frac, s1->ntm * s1->maxf);
    for (int k = 0; k < s1->ntm; k++)
        for (int fr = (int)s1->tm_nf[k]; fr < s1->maxf; fr++) s1->tm_t[k * s1->maxf + fr] = s1->tm_frac[k * s1->maxf + fr] = NAN;
    for (int ph = 0; ph < 2; ph++)
        for (int qq = 0; qq < 5 && !rc; qq++) rc = seed_comm_allreduce_sum_double(s1->b[ph][qq], s1->nbulk);
    return rc;
}

static void stage1_free(stage1 *s1)
{
    free(s1->tm_v);
    free(s1->tm_vse);
    free(s1->tm_grew);
    free(s1->tm_nf);
    free(s1->tm_t);
    free(s1->tm_frac);
    for (int ph = 0; ph < 2; ph++)
        for (int q = 0; q < 5; q++) free(s1->b[ph][q]);
    free(s1->fail);
}

/* T_m, Dh fit, dmu(T), rho(T) from stage 1 (every rank computes the same numbers). */
static int analyse_stage1(job *j, const stage1 *s1, results *R)
{
    const cnt_job_config *c = &j->jc;
    const int nT = s1->ntm, nB = s1->nbulk;
    double *T = malloc(sizeof(double) * (nT + nB + 1)), *v = malloc(sizeof(double) * (nT + 1)),
           *sv = malloc(sizeof(double) * (nT + 1));
    int *grew = malloc(sizeof(int) * (nT + 1));
    int rc = (!T || !v || !sv || !grew) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    size_t n = 0;
    for (int k = 0; !rc && k < nT; k++)
        if (!s1->fail[k]) {
            T[n] = c->tm_temperatures.v[k];
            v[n] = s1->tm_v[k];
            sv[n] = s1->tm_vse[k];
            grew[n] = (int)s1->tm_grew[k];
            n++;
        }
    R->T_m_bracket = R->T_m_vel = R->T_m_bracket_se = R->T_m_vel_se = R->T_low = R->T_high = NAN;
    if (!rc) {
        R->tm_bracket_ok = cnt_tm_bracket(n, T, grew, &R->T_m_bracket, &R->T_m_bracket_se, &R->T_low, &R->T_high) == 0;
        if (!R->tm_bracket_ok) printf("[cnt] T_m bracket: %s\n", sr_error_message());
        cnt_linfit line;
        R->tm_vel_ok = cnt_tm_velocity(n, T, v, sv, &R->T_m_vel, &R->T_m_vel_se, &line) == 0;
        /* v(T) is straight only near T_m: when the points scatter more than their errors allow
         * (chi^2/dof > 1), scale the error by the Birge ratio sqrt(chi^2/dof) */
        if (R->tm_vel_ok && n > 2 && line.chisq / (double)(n - 2) > 1.0) R->T_m_vel_se *= sqrt(line.chisq / (double)(n - 2));
        if (!R->tm_vel_ok) printf("[cnt] T_m from v(T): %s\n", sr_error_message());
        sr_error_clear();
        /* the bracket is model-free; the v(T) root assumes a straight line over the whole grid. Use the
         * bracket when it exists and the line root lies outside it (curvature), else the line root. */
        if (R->tm_vel_ok && (!R->tm_bracket_ok || (R->T_m_vel > R->T_low && R->T_m_vel < R->T_high))) {
            R->T_m = R->T_m_vel;
            R->T_m_se = R->T_m_vel_se;
        } else if (R->tm_bracket_ok) {
            R->T_m = R->T_m_bracket;
            R->T_m_se = R->T_m_bracket_se;
        } else {
            rc = SR_ERROR(SR_EFAILED, "%s: no melting point: the coexistence runs neither bracket T_m nor give a "
                          "decreasing v(T); widen [cnt] tm_temperatures", j->file);
        }
    }
    /* Dh(T) and dmu */
    double *hl = malloc(sizeof(double) * nB), *hs = malloc(sizeof(double) * nB), *rl = malloc(sizeof(double) * nB),
           *rs = malloc(sizeof(double) * nB), *rle = malloc(sizeof(double) * nB), *rse = malloc(sizeof(double) * nB);
    size_t m = 0;
    if (!rc && (!hl || !hs || !rl || !rs || !rle || !rse)) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    for (int b = 0; !rc && b < nB; b++) {
        if (s1->fail[nT + 2 * b] || s1->fail[nT + 2 * b + 1]) continue;
        if (s1->b[0][4][b] > 0.3)
            printf("[cnt] warning: the liquid at T = %g is %.0f%% crystalline (dropped from the fits)\n",
                   c->bulk_temperatures.v[b], 100 * s1->b[0][4][b]);
        if (s1->b[1][4][b] < 0.5)
            printf("[cnt] warning: the crystal at T = %g is only %.0f%% crystalline (dropped from the fits)\n",
                   c->bulk_temperatures.v[b], 100 * s1->b[1][4][b]);
        if (s1->b[0][4][b] > 0.3 || s1->b[1][4][b] < 0.5) continue;
        T[m] = c->bulk_temperatures.v[b];
        hl[m] = s1->b[0][0][b];
        hs[m] = s1->b[1][0][b];
        rl[m] = s1->b[0][2][b];
        rle[m] = s1->b[0][3][b] > 0 ? s1->b[0][3][b] : 1e-6;
        rs[m] = s1->b[1][2][b];
        rse[m] = s1->b[1][3][b] > 0 ? s1->b[1][3][b] : 1e-6;
        m++;
    }
    if (!rc) rc = cnt_dh_fit(m, T, hl, hs, c->dh_degree, &R->dh);
    if (!rc) {
        cnt_dmu_model dm = {.dh = &R->dh, .T_m = R->T_m, .sigma_T_m = R->T_m_se};
        rc = cnt_dmu_model_eval(&dm, R->T, &R->dmu, &R->dmu_se);
        double se;
        cnt_dh_eval(&R->dh, R->T_m, &R->dh_m, &se);
        R->dmu_lin = cnt_dmu_linear(R->dh_m, R->T_m, R->T);
    }
    cnt_linfit fl, fs;
    if (!rc) rc = cnt_linear_fit(m, T, rl, rle, &fl);
    if (!rc) rc = cnt_linear_fit(m, T, rs, rse, &fs);
    if (!rc) {
        cnt_linfit_eval(&fl, R->T, &R->rho_l, &R->rho_l_se);
        cnt_linfit_eval(&fs, R->T, &R->rho_s, &R->rho_s_se);
    }
    if (!rc && !(R->dmu < 0))
        rc = SR_ERROR(SR_EFAILED, "dmu(T = %g) = %g is not negative: T is not below T_m = %g", R->T, R->dmu, R->T_m);
    free(T);
    free(v);
    free(sv);
    free(grew);
    free(hl);
    free(hs);
    free(rl);
    free(rs);
    free(rle);
    free(rse);
    return rc;
}

/* Step 4: f+ replicas over the ranks. */
static int run_attach(job *j, order_analyzer *an, results *R)
{
    const cnt_job_config *c = &j->jc;
    const int nrep = c->attach_replicas;
    const size_t nt = (size_t)(c->attach_steps / c->attach_every) + 1;
    R->attach_nt = nt;
    SR_TRY(alloc_d(&R->attach_t, nt));
    SR_TRY(alloc_d(&R->attach_N, nt * nrep));
    SR_TRY(alloc_d(&R->attach_msd, nt));
    R->attach_size = (int)lround(c->attach_size > 0 ? c->attach_size : R->n_c);
    if (R->attach_size < 1) R->attach_size = 1;
    seed_seeded_params sp = {.sc = j->sc, .liquid_cells = c->attach_cells.n == 3 ? c->attach_cells : j->cc.liquid_cells,
                             .units = j->run.units, .ip = j->ip, .T_melt = c->melt_temperature,
                             .melt_steps = c->melt_steps, .equil_steps = c->bulk_equil_steps,
                             .relax_steps = c->attach_relax_steps, .liquid_density = c->liquid_density,
                             .n_seed = R->attach_size, .seed = (uint64_t)j->run.seed, .stream = 1};
    sp.ip.temperature = R->T;
    md_system *start = NULL;
    /* every rank builds the same start (same streams), so nothing has to be broadcast */
    int rc = seed_seeded_build(j->pot, &sp, &start, &R->attach_removed);
    if (!rc && seed_comm_rank() == 0)
        printf("[cnt] f+ start: seed of %d atoms in %d atoms (%d liquid atoms removed), %d replicas x %ld steps\n",
               R->attach_size, start->n, R->attach_removed, nrep, c->attach_steps);
    seed_queue *q = NULL;
    if (!rc) rc = seed_queue_create(2, &q);
    int *nm = malloc(nt * sizeof(int));
    if (!nm) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    double *n0 = calloc((size_t)nrep, sizeof(double));
    while (!rc && n0) {
        long k = seed_queue_fetch_add(q, 0, 1);
        if (k >= nrep) break;
        /* fixed-length replicas: thresholds that are never reached */
        seed_replica_params rp = {.ip = sp.ip, .max_steps = c->attach_steps, .analyze_every = c->attach_every,
                                  .max_frames = (int)nt, .grow_factor = 1e30, .melt_fraction = -1.0,
                                  .seed = (uint64_t)j->run.seed, .replica = 500000000L + k};
        seed_replica_result rr = {.nmax = nm};
        rc = seed_replica_run(start, j->pot, an, &rp, &rr);
        if (!rc && (rr.outcome == SEED_FAILED || rr.nframes != (int)nt))
            rc = SR_ERROR(SR_EFAILED, "f+ replica %ld: %s", k, rr.outcome == SEED_FAILED ? rr.message : "short trace");
        for (size_t f = 0; !rc && f < nt; f++) R->attach_N[k * nt + f] = nm[f];
        if (!rc) {
            n0[k] = rr.n0;
            printf("[cnt] f+ replica %ld: N_max %d -> %d (rank %d)\n", k, nm[0], nm[nt - 1], seed_comm_rank());
            fflush(stdout);
        }
    }
    free(nm);
    seed_queue_free(q);
    md_system_free(start);
    if (seed_comm_any(rc)) {
        free(n0);
        return rc ? rc : SR_EFAILED;
    }
    rc = seed_comm_allreduce_sum_double(R->attach_N, (int)(nt * nrep));
    if (!rc && n0) rc = seed_comm_allreduce_sum_double(n0, nrep);
    if (n0) {
        double s = 0;
        for (int k = 0; k < nrep; k++) s += n0[k];
        R->attach_n0 = (int)lround(s / nrep);
    }
    free(n0);
    for (size_t f = 0; f < nt; f++) R->attach_t[f] = (double)f * c->attach_every * j->ip.dt;
    /* <dN^2>(t) from the frame after the skipped transient: t and N re-zeroed there */
    const size_t ks = (size_t)(c->attach_skip_steps / c->attach_every), nt2 = nt - ks;
    R->attach_skip = ks;
    double *N2 = malloc(nt2 * nrep * sizeof *N2 + 8), *t2 = malloc(nt2 * sizeof *t2 + 8);
    if (!N2 || !t2) rc = rc ? rc : SR_ERROR(SR_ENOMEM, "out of memory");
    for (size_t f = 0; !rc && f < nt2; f++) {
        t2[f] = R->attach_t[ks + f] - R->attach_t[ks];
        for (int k = 0; k < nrep; k++) N2[k * nt2 + f] = R->attach_N[k * nt + ks + f];
    }
    for (size_t f = 0; f < nt; f++) R->attach_msd[f] = NAN;
    if (!rc) rc = cnt_attach_msd((size_t)nrep, nt2, N2, R->attach_msd + ks);
    if (!rc) rc = seed_attach_analyse((size_t)nrep, nt2, t2, N2, c->attach_t0, c->attach_t1, (size_t)c->bootstrap,
                                      (uint64_t)j->run.seed, &R->fp);
    free(N2);
    free(t2);
    return rc;
}

/* N_c and its bootstrap interval from the campaign file (rank 0 reads, all receive). */
static int read_campaign(const char *prefix, results *R)
{
    double buf[10] = {0};
    int rc = SR_OK;
    if (seed_comm_rank() == 0) {
        char path[4400];
        snprintf(path, sizeof path, "%s.nc", prefix);
        const char *names[] = {"n_c", "n_c_se", "boot_lo68", "boot_hi68", "boot_lo95", "boot_hi95", "n_decided"};
        for (int k = 0; k < 7 && !rc; k++) {
            double *v = NULL;
            size_t n = 0;
            rc = seed_nc_read(path, names[k], &v, &n);
            if (!rc) {
                if (k < 6) buf[k] = v[0];
                else
                    for (size_t q = 0; q < n; q++) buf[6] += v[q];
            }
            free(v);
        }
        if (!rc && !(isfinite(buf[0]) && buf[0] > 0))
            rc = SR_ERROR(SR_EFAILED, "%s: the campaign has no N_c (P_grow fit failed): adjust [campaign] seed_sizes",
                          path);
        buf[9] = rc;
    }
    int r2 = seed_comm_bcast_bytes(buf, sizeof buf);
    if (r2) return r2;
    if (buf[9] != 0) return rc ? rc : SR_EFAILED;
    R->n_c = buf[0];
    R->n_c_se = buf[1];
    R->n_c_lo68 = buf[2];
    R->n_c_hi68 = buf[3];
    R->n_c_lo95 = buf[4];
    R->n_c_hi95 = buf[5];
    R->n_c_replicas = (int)buf[6];
    return SR_OK;
}

int seed_rate_run(const char *file)
{
    job J;
    memset(&J, 0, sizeof J);
    J.file = file;
    const int rank = seed_comm_rank();
    const double t0 = now_s();
    sr_errlist el = {0};
    int rc = job_parse(&J, &el);
    md_system *probe = NULL;
    if (!rc && !el.n) {
        seed_structure_config sc = J.sc;
        sc.temperature = 0;
        rc = seed_structure_build(&sc, J.run.units, ".", "[structure]", NULL, &probe);
        if (rc) sr_errlist_add(&el, "%s", sr_error_message());
        char d[4096];
        snprintf(d, sizeof d, "%s", file);
        if (!rc) rc = md_potential_from_section(sr_input_section(J.in, "potential"), probe, dirname(d), &J.pot, &el);
        for (int i = 0; J.in && i < J.in->n; i++) sr_section_check_unused(J.in->sections[i], &el);
    }
    md_system_free(probe);
    if (el.n || rc) {
        if (rank == 0) {
            if (el.n) sr_errlist_print(&el, stderr);
            else fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
        }
        sr_errlist_clear(&el);
        job_free(&J);
        return rc ? rc : SR_EINVAL;
    }
    results R;
    memset(&R, 0, sizeof R);
    R.T = J.ip.temperature;
    R.p = J.ip.pressure;
    R.kB = md_units_get(J.run.units)->boltz;
    if (rank == 0) {
        char d[4096];
        snprintf(d, sizeof d, "%s", J.oc.prefix);
        const char *dn = dirname(d);
        if (strcmp(dn, ".") && mkdir(dn, 0755) && errno != EEXIST)
            rc = SR_ERROR(SR_EIO, "cannot create output directory %s: %s", dn, strerror(errno));
        printf("seedrate cnt: %s on %d rank(s): T = %g, p = %g (%s units)\n", file, seed_comm_size(), R.T, R.p,
               md_units_get(J.run.units)->name);
        fflush(stdout);
    }
    if (seed_comm_any(rc)) {
        job_free(&J);
        return rc ? rc : SR_EFAILED;
    }
    order_analyzer *an = NULL;
    rc = order_analyzer_create(J.cls, J.cc.cluster_cutoff, &an);
    stage1 S1;
    memset(&S1, 0, sizeof S1);
    /* 1 + 2 */
    if (!rc) rc = run_stage1(&J, an, &S1);
    if (!rc) rc = analyse_stage1(&J, &S1, &R);
    if (!rc && rank == 0) {
        printf("\n[cnt] T_m = %.4g +- %.2g (bracket [%g, %g] -> %.4g +- %.2g; v(T) root %.4g +- %.2g)\n", R.T_m,
               R.T_m_se, R.T_low, R.T_high, R.T_m_bracket, R.T_m_bracket_se, R.T_m_vel, R.T_m_vel_se);
        printf("[cnt] at T = %g: dmu = %.4g +- %.2g (Gibbs-Helmholtz; linear %.4g), rho_s = %.4g +- %.2g, "
               "rho_l = %.4g +- %.2g; T/T_m = %.3f\n\n", R.T, R.dmu, R.dmu_se, R.dmu_lin, R.rho_s, R.rho_s_se, R.rho_l,
               R.rho_l_se, R.T / R.T_m);
        fflush(stdout);
    }
    /* 3: the seeding campaign, from the same input file (the campaign ignores [cnt]) */
    if (!rc) rc = seed_campaign_run(J.file, NULL);
    if (seed_comm_any(rc)) rc = rc ? rc : SR_EFAILED;
    if (!rc) rc = read_campaign(J.oc.prefix, &R);
    /* 4: f+ */
    if (!rc) rc = run_attach(&J, an, &R);
    /* 5: CNT */
    if (!rc && rank == 0) {
        const double nsd = 0.5 * (R.n_c_hi68 - R.n_c_lo68);
        seed_rate_inputs ri = {
            .units = J.run.units, .T = R.T, .k_B = R.kB,
            .n_c = {.value = R.n_c, .sd = isfinite(nsd) && nsd > 0 ? nsd : R.n_c_se},
            .dmu = {.value = R.dmu, .sd = R.dmu_se},
            .rho_s = {.value = R.rho_s, .sd = R.rho_s_se},
            .rho_l = {.value = R.rho_l, .sd = R.rho_l_se},
            .f_plus = {.value = R.fp.fit.f_plus,
                       .sd = R.fp.boot_ok ? 0.5 * (R.fp.boot.hi68 - R.fp.boot.lo68) : R.fp.fit.se_f_plus},
            .n_draw = (size_t)J.jc.draws, .seed = (uint64_t)J.run.seed,
            .lj_sigma_A = J.run.units == MD_UNITS_LJ ? J.jc.lj_sigma : 0,
            .lj_epsilon_eV = J.jc.lj_epsilon * CNT_KB_EV_PER_K, .lj_mass_gmol = J.jc.lj_mass};
        rc = seed_rate_assemble(&ri, &R.rate);
        if (!rc) {
            const seed_rate_output *o = &R.rate;
            printf("\n[cnt] f+ = %.4g (OLS se %.2g; bootstrap 68%% [%.4g, %.4g]) from %d replicas, window [%g, %g] "
                   "(%zu points)\n", R.fp.fit.f_plus, R.fp.fit.se_f_plus, R.fp.boot.lo68, R.fp.boot.hi68,
                   J.jc.attach_replicas, R.fp.fit.t0, R.fp.fit.t1, R.fp.fit.n_points);
            printf("[cnt] N_c = %.4g (68%% [%.4g, %.4g], %d decided replicas)\n", R.n_c, R.n_c_lo68, R.n_c_hi68,
                   R.n_c_replicas);
            printf("[cnt] gamma = %.4g (68%% [%.4g, %.4g]), dG* = %.4g (%.3g kT), Z = %.3g\n", o->central.gamma,
                   o->mc.gamma.lo68, o->mc.gamma.hi68, o->central.dG_star, o->central.beta_dG, o->central.zeldovich);
            printf("[cnt] log10 J = %.3f (68%% [%.3f, %.3f], 95%% [%.3f, %.3f])", o->central.log10_J,
                   o->mc.log10_J.lo68, o->mc.log10_J.hi68, o->mc.log10_J.lo95, o->mc.log10_J.hi95);
            if (isfinite(o->log10_J_si))
                printf("; SI: log10 J = %.2f m^-3 s^-1 (68%% [%.2f, %.2f])", o->log10_J_si,
                       o->log10_J_si_interval.lo68, o->log10_J_si_interval.hi68);
            printf("\n");
            rc = write_rates_nc(&J, &S1, &R);
            if (!rc) printf("[cnt] wrote %s.rates.nc; wall time %.1f s\n", J.oc.prefix, now_s() - t0);
        }
    }
    if (seed_comm_any(rc)) rc = rc ? rc : SR_EFAILED;
    if (rc && rank == 0) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
    stage1_free(&S1);
    free(R.attach_t);
    free(R.attach_N);
    free(R.attach_msd);
    order_analyzer_free(an);
    job_free(&J);
    return rc;
}
