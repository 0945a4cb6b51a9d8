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
    long attach_steps, attach_every, attach_relax_steps, attach_skip_steps, attach_start_steps;
    int attach_starts;
    double attach_t0, attach_t1, attach_size;
    sr_reals attach_cells;
    int bootstrap;
    long draws;
    double lj_sigma, lj_epsilon, lj_mass;
    sr_reals extra_temperatures, curve_temperatures, extra_seed_factors;
    int curve_points;
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
     "NVT melting of the upper half (lower half frozen); repeated until at most 10 % of the middle of the upper half is "
     "crystalline, at most 11 times"},
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
     "NVT melting steps of bulk liquids and of an f+ liquid of its own (attach_cells other than the campaign's)"},
    {"bulk_equil_steps", SR_KW_LONG, offsetof(cnt_job_config, bulk_equil_steps), "steps", "1000", 0, 1e12, NULL,
     "NPT equilibration of each bulk run"},
    {"bulk_steps", SR_KW_LONG, offsetof(cnt_job_config, bulk_steps), "steps", "3000", 1, 1e12, NULL,
     "NPT production of each bulk run"},
    {"sample_every", SR_KW_LONG, offsetof(cnt_job_config, sample_every), "steps", "10", 1, 1e9, NULL,
     "steps between enthalpy/volume samples"},
    {"blocks", SR_KW_INT, offsetof(cnt_job_config, blocks), "", "5", 2, 1e6, NULL, "blocks for block-average errors"},
    {"dh_degree", SR_KW_INT, offsetof(cnt_job_config, dh_degree), "", "1", 0, 3, NULL,
     "polynomial degree of Dh(T) = h_liq - h_sol"},
    {"attach_replicas", SR_KW_INT, offsetof(cnt_job_config, attach_replicas), "", "16", 2, 1e6, NULL,
     "f+ replicas started at the critical size (f+ is a variance over them: relative error ~sqrt(2/(n-1)), 37 % at 16)"},
    {"attach_steps", SR_KW_LONG, offsetof(cnt_job_config, attach_steps), "steps", "1000", 4, 1e12, NULL,
     "length of each f+ replica"},
    {"attach_every", SR_KW_LONG, offsetof(cnt_job_config, attach_every), "steps", "20", 1, 1e9, NULL,
     "steps between N_max analyses of the f+ replicas"},
    {"attach_relax_steps", SR_KW_LONG, offsetof(cnt_job_config, attach_relax_steps), "steps", "100", 0, 1e12, NULL,
     "interface relaxation of the f+ start with the seed frozen"},
    {"attach_starts", SR_KW_INT, offsetof(cnt_job_config, attach_starts), "", "4", 0, 1e4, NULL,
     "relaxed critical clusters the f+ replicas start from: each is the inserted seed run (NpT, its own stream) until, "
     "after attach_skip_steps, N_max first lies within 1/(2 sqrt(pi) Z) of N_c (the barrier top within kT/4); replica k "
     "starts from start k mod attach_starts with fresh velocities and var(N(t) - N(0)) is pooled within starts. 0: the "
     "inserted seed itself, with N(0) taken after attach_skip_steps (the protocol before this key: its interface is "
     "still relaxing then)"},
    {"attach_start_steps", SR_KW_LONG, offsetof(cnt_job_config, attach_start_steps), "steps", "4000", 1, 1e12, NULL,
     "longest run looking for one relaxed critical cluster (8 tries with other streams before the job stops)"},
    {"attach_skip_steps", SR_KW_LONG, offsetof(cnt_job_config, attach_skip_steps), "steps", "0", 0, 1e12, NULL,
     "relaxation of the freshly inserted f+ seed (it first loses its surface labels): with attach_starts > 0 no start "
     "is taken before it; with attach_starts = 0, N(0) of <dN^2>(t) is taken after it. The larger of this and "
     "3 t_relax of the campaign's seeds"},
    {"attach_t0", SR_KW_REAL, offsetof(cnt_job_config, attach_t0), "time", "0", 0, 1e12, NULL,
     "start of the diffusive window of <dN^2>(t) (0: the first analysis)"},
    {"attach_t1", SR_KW_REAL, offsetof(cnt_job_config, attach_t1), "time", "0", 0, 1e12, NULL,
     "end of the diffusive window (0: half of the replica length)"},
    {"attach_size", SR_KW_REAL, offsetof(cnt_job_config, attach_size), "atoms", "0", 0, 1e7, NULL,
     "seed size of the f+ runs (0: N_c of the campaign)"},
    {"attach_cells", SR_KW_REALS, offsetof(cnt_job_config, attach_cells), "", "0", 0, 1000, NULL,
     "liquid cells of the f+ runs (0: [campaign] liquid_cells; with those the f+ seed goes into the campaign's prepared "
     "liquid at T, PREFIX.state<K>.ckpt, else a liquid is melted for the f+ runs)"},
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
    {"extra_temperatures", SR_KW_REALS, offsetof(cnt_job_config, extra_temperatures), "temperature", "0", 0, 1e7,
     NULL, "further temperatures of the rate (0: none): each gets its own campaign (seed sizes scaled from the first "
     "by CNT at constant gamma, N_c ~ 1/(rho_s^2 |dmu|^3)) and f+ runs; then gamma(T) is fitted as a line and "
     "J(T) is given with a band"},
    {"extra_seed_factors", SR_KW_REALS, offsetof(cnt_job_config, extra_seed_factors), "", "0", 0, 100, NULL,
     "seed sizes at the extra temperatures as multiples of the CNT estimate of N_c there, e.g. '0.6 0.8 1 1.25 1.6' "
     "(0: the first campaign's sizes scaled by N_c(T)/N_c(T_0))"},
    {"curve_temperatures", SR_KW_REALS, offsetof(cnt_job_config, curve_temperatures), "temperature", "0", 0, 1e7,
     NULL, "range 'lo hi' of the J(T) curve (0: from the lowest bulk or rate temperature to half-way between the "
     "highest rate temperature and T_m)"},
    {"curve_points", SR_KW_INT, offsetof(cnt_job_config, curve_points), "", "41", 2, 10000, NULL,
     "temperatures on the J(T) curve"},
    SR_KW_END};

static const sr_keyword rate_run_keywords[] = {
    {"units", SR_KW_CHOICE, offsetof(seed_run_config, units), "", "lj", 0, 0, "lj|metal", "unit style"},
    {"seed", SR_KW_LONG, offsetof(seed_run_config, seed), "", "2016", 0, 9.2e18, NULL, "job seed"},
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
    return io_nc_read_double(path, var, v, n);
}

int seed_nc_read_att(const char *path, const char *var, const char *att, char *buf, size_t len)
{
    return io_nc_read_att_text(path, var, att, buf, len);
}

/* ================================================================================================
 * The pipeline
 * ============================================================================================== */
typedef struct job {
    seed_job job; /* [run], [structure], [ensemble], [potential], [order], [output] (seed_job.c) */
    seed_campaign_config cc;
    cnt_job_config jc;
    order_classifier *alt; /* [order_alt]: second threshold setting for the systematic (NULL: none) */
} job;

static void job_free(job *j)
{
    order_classifier_free(j->alt);
    seed_job_free(&j->job);
}

static const char *const rate_sections[] = {"run", "structure", "potential", "ensemble", "order", "campaign",
                                            "output", "cnt", "order_alt", NULL};

static int job_parse(job *j, const char *file, sr_errlist *el)
{
    /* [campaign] is bound again by the campaign itself (seed_campaign_run_ex); [cnt] after [output] */
    const seed_job_section own[] = {{"campaign", seed_campaign_keywords, &j->cc, 0, 0},
                                    {"cnt", cnt_job_keywords, &j->jc, 1, 1}};
    const seed_job_spec spec = {.sections = rate_sections, .run_keywords = rate_run_keywords,
                                .output_keywords = seed_output_keywords, .own = own, .nown = 2, .min_ensemble = 2,
                                .ensemble_need = "cnt needs ensemble = npt"};
    int rc = seed_job_parse(&j->job, file, &spec, el);
    if (rc && !el->n) return rc;
    sr_input *in = j->job.in;
    if (sr_input_section(in, "order_alt"))
        order_classifier_from_section(sr_input_section(in, "order_alt"), &j->alt, el);
    if (el->n) return SR_EINVAL;
    const cnt_job_config *c = &j->jc;
    if (c->extra_temperatures.n == 1 && c->extra_temperatures.v[0] == 0) j->jc.extra_temperatures.n = 0;
    for (int k = 0; k < c->extra_temperatures.n; k++)
        if (!(c->extra_temperatures.v[k] > 0) || c->extra_temperatures.v[k] == j->job.ec.temperature)
            sr_errlist_add(el, "%s: [cnt] extra_temperatures must be > 0 and differ from [ensemble] temperature", j->job.file);
    if (c->extra_temperatures.n + 1 > 16) sr_errlist_add(el, "%s: [cnt] at most 15 extra_temperatures", j->job.file);
    if (c->curve_temperatures.n == 1 && c->curve_temperatures.v[0] == 0) j->jc.curve_temperatures.n = 0;
    if (c->extra_seed_factors.n == 1 && c->extra_seed_factors.v[0] == 0) j->jc.extra_seed_factors.n = 0;
    for (int k = 0; k < c->extra_seed_factors.n; k++)
        if (!(c->extra_seed_factors.v[k] > 0)) sr_errlist_add(el, "%s: [cnt] extra_seed_factors must be > 0", j->job.file);
    if (c->curve_temperatures.n != 0 &&
        (c->curve_temperatures.n != 2 || !(c->curve_temperatures.v[0] > 0) ||
         !(c->curve_temperatures.v[1] > c->curve_temperatures.v[0])))
        sr_errlist_add(el, "%s: [cnt] curve_temperatures needs 'lo hi' with 0 < lo < hi", j->job.file);
    seed_job_ensemble(&j->job, &spec, el);
    if (j->cc.mode != 0) sr_errlist_add(el, "%s: [campaign] cnt needs mode = sizes (N_c at one T)", j->job.file);
    else seed_sizes_check(&j->job.sc, &j->cc.sizes, j->job.file, el);
    if (c->tm_temperatures.n < 2) sr_errlist_add(el, "%s: [cnt] tm_temperatures needs >= 2 values", j->job.file);
    if (c->tm_cells.n != 3) sr_errlist_add(el, "%s: [cnt] tm_cells needs 3 integers", j->job.file);
    if (c->bulk_cells.n != 3) sr_errlist_add(el, "%s: [cnt] bulk_cells needs 3 integers", j->job.file);
    if (c->bulk_temperatures.n < c->dh_degree + 2)
        sr_errlist_add(el, "%s: [cnt] bulk_temperatures needs >= dh_degree + 2 = %d values", j->job.file, c->dh_degree + 2);
    if (c->bulk_steps < c->sample_every * c->blocks)
        sr_errlist_add(el, "%s: [cnt] bulk_steps must be >= blocks x sample_every", j->job.file);
    if (c->attach_cells.n != 3 && !(c->attach_cells.n == 1 && c->attach_cells.v[0] == 0))
        sr_errlist_add(el, "%s: [cnt] attach_cells needs 3 integers (or 0)", j->job.file);
    if (c->attach_starts == 0 && (c->attach_steps - c->attach_skip_steps) / c->attach_every < 4)
        sr_errlist_add(el, "%s: [cnt] (attach_steps - attach_skip_steps)/attach_every must be >= 4", j->job.file);
    if (c->attach_starts > 0 && c->attach_steps / c->attach_every < 4)
        sr_errlist_add(el, "%s: [cnt] attach_steps/attach_every must be >= 4", j->job.file);
    if (c->attach_starts > 0 && c->attach_replicas < 2 * c->attach_starts)
        sr_errlist_add(el, "%s: [cnt] attach_replicas = %d: need >= 2 x attach_starts = %d (the variance is pooled "
                       "within starts)", j->job.file, c->attach_replicas, 2 * c->attach_starts);
    if (j->job.sc.file[0]) sr_errlist_add(el, "%s: [structure] cnt builds its systems from a lattice: remove file", j->job.file);
    return el->n ? SR_EINVAL : SR_OK;
}

/* The campaign input: the job file without its [cnt] section (seed_campaign_run rejects unknown sections). */
/* Build a lattice system from [structure] with other cells (and optionally another density). */
static int build_lattice(const job *j, const sr_reals *cells, double density, md_system **out)
{
    seed_structure_config sc = j->job.sc;
    sc.cells = *cells;
    sc.temperature = 0;
    if (density > 0) {
        sc.density = density;
        sc.nn = 0;
    }
    return seed_structure_build(&sc, j->job.run.units, ".", "[structure]", NULL, out);
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
    cnt_linfit fit_rho_l, fit_rho_s; /* rho(T) lines of the bulk runs */
    int it;                          /* index of the temperature (0: [ensemble] temperature) */
    char prefix[4200];               /* its campaign prefix */
    /* threshold systematic ([order_alt]) */
    int has_alt, alt_ok;
    double n_c_alt, n_c_alt_lo68, n_c_alt_hi68;
    double *attach_N_alt;
    seed_attach_out fp_alt;
    seed_rate_output rate_alt;
    double n_c, n_c_se, n_c_lo68, n_c_hi68, n_c_lo95, n_c_hi95;
    int n_c_replicas;
    int n_model_dev_flagged;        /* campaign replicas whose committee model deviation passed the threshold */
    double model_dev_threshold, model_dev_max; /* that threshold (0: off) and the campaign's largest deviation */
    /* the accuracy protocol (issue #14): N_c on the thermalised seed, the classifier at the state point, the
     * systematics that go into the headline interval */
    double n_c_n0, n_c_nb[2];       /* N_c with N_max(0), and with the neighbouring classifier settings (NaN: none) */
    double n_c_set;                 /* N_c on the settled size (second thermalised convention) */
    double n_c_dec;                 /* N_c of the traces re-decided with the narrower boundaries (decision rule) */
    double order_threshold, order_threshold_nb[2], mislabel_liq, mislabel_xtal;
    int order_calibrated, bulk_nmax;
    double t_relax;                 /* median interface relaxation time of the campaign's points */
    int npts;
    double pt_size[64], pt_xth[64]; /* seed size -> thermalised size of the campaign's points */
    double var_top;                 /* squared half-width of the barrier top, 1/(pi Z^2) */
    int n0_ok, nb_ok[2];
    seed_rate_output rate_n0, rate_nb[2];
    double sys_classifier, sys_n0, sys_alt, sys_dec; /* |d log10 J| of each systematic (NaN: not available) */
    int dec_ok;
    double dec_top;                     /* barrier-top half-width 1/(sqrt(pi) Z) of the central rate (atoms) */
    double dec_margin, dec_margin_half; /* nearest decision boundary / dec_top: the rule's and the halfway one's */
    seed_rate_output rate_dec;
    cnt_interval log10_J_total;     /* statistics + systematics */
    int attach_size, attach_removed, attach_n0;
    size_t attach_nt, attach_skip;
    double *attach_t, *attach_N, *attach_msd;
    seed_attach_out fp;
    seed_rate_output rate;
} results;

struct rate_curve;
static int write_rates_nc_T(io_ncfile *f, const job *j, const results *Rt, int nTr, const cnt_linfit *gfit,
                            const struct rate_curve *cv);

static int write_rates_nc(const job *j, const stage1 *s1, const results *Rt, int nTr, const cnt_linfit *gfit,
                          const struct rate_curve *cv)
{
    const results *R = &Rt[0];
    char path[4400];
    snprintf(path, sizeof path, "%s.rates.nc", j->job.oc.prefix);
    const md_units *u = md_units_get(j->job.run.units);
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
        {"f_plus", inv_t, "attachment rate f+: var(N(t) - N(t_skip)) about the replica mean fitted by (V/2)(exp(4 f+ t/V) - 1), V = 1/(pi Z^2) (drift-free, barrier top)", R->fp.fit.f_plus, nrep},
        {"f_plus_se", inv_t, "OLS standard error of f+", R->fp.fit.se_f_plus, nrep},
        {"f_plus_lo68", inv_t, "f+ bootstrap 68% low", R->fp.boot.lo68, nrep},
        {"f_plus_hi68", inv_t, "f+ bootstrap 68% high", R->fp.boot.hi68, nrep},
        {"f_plus_lo95", inv_t, "f+ bootstrap 95% low", R->fp.boot.lo95, nrep},
        {"f_plus_hi95", inv_t, "f+ bootstrap 95% high", R->fp.boot.hi95, nrep},
        {"attach_t_skip", u->time, "transient left out: N(0) of <dN^2> is N(t_skip); window times count from it", R->attach_skip * j->jc.attach_every * j->job.ip.dt, nrep},
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
    TRY(io_ncfile_put_att_text(f, NULL, "input", j->job.file));
    TRY(io_ncfile_put_att_text(f, NULL, "campaign_file", j->job.oc.prefix));
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
        {"attach_msd", "atoms^2", "variance of N(t) - N(t_skip) about the replica mean, over the f+ replicas at time attach_time - t_skip (NaN before t_skip)", 1, d_af, R->attach_msd},
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
    TRY(write_rates_nc_T(f, j, Rt, nTr, gfit, cv));
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

/* What stage 1 depends on: every section but [campaign]/[output], without the temperature of the rate
 * and the [cnt] keys of later steps (the potential file's contents are not hashed: change the prefix). */
static uint64_t stage1_hash(const job *j)
{
    static const char *const ens_skip[] = {"temperature", NULL};
    static const char *const cnt_skip[] = {"attach_*", "extra_*", "curve_*", "bootstrap", "draws", "lj_*",
                                           NULL};
    uint64_t h = 0;
    h = seed_input_hash(h, sr_input_section(j->job.in, "run"), NULL);
    h = seed_input_hash(h, sr_input_section(j->job.in, "structure"), NULL);
    h = seed_input_hash(h, sr_input_section(j->job.in, "potential"), NULL);
    h = seed_input_hash(h, sr_input_section(j->job.in, "ensemble"), ens_skip);
    h = seed_input_hash(h, sr_input_section(j->job.in, "order"), NULL);
    h = seed_input_hash(h, sr_input_section(j->job.in, "cnt"), cnt_skip);
    return h;
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
    /* resume: tasks finished by an earlier run of the same stage-1 inputs (rank 0 reads, all skip them) */
    const uint64_t h1 = stage1_hash(j);
    const size_t ntmv = 4 + 2 * (size_t)s1->maxf;
    unsigned char *have = calloc((size_t)ntask, 1);
    double *tmv = malloc(sizeof(double) * ntmv * (size_t)s1->ntm + 8), *bv = malloc(sizeof(double) * 5 * (size_t)ntask + 8);
    if (!have || !tmv || !bv) rc = rc ? rc : SR_ERROR(SR_ENOMEM, "out of memory");
    if (!rc && seed_comm_rank() == 0) {
        long nl = seed_journal_load(j->job.oc.prefix, "TM", h1, s1->ntm, ntmv, tmv, have);
        for (int k = 0; k < s1->ntm; k++)
            if (have[k]) {
                const double *v = tmv + (size_t)k * ntmv;
                s1->tm_v[k] = v[0];
                s1->tm_vse[k] = v[1];
                s1->tm_grew[k] = v[2];
                s1->tm_nf[k] = v[3];
                memcpy(s1->tm_t + (size_t)k * s1->maxf, v + 4, sizeof(double) * s1->maxf);
                memcpy(s1->tm_frac + (size_t)k * s1->maxf, v + 4 + s1->maxf, sizeof(double) * s1->maxf);
            }
        nl += seed_journal_load(j->job.oc.prefix, "BULK", h1, 2 * s1->nbulk, 5, bv, have + s1->ntm);
        for (int t = 0; t < 2 * s1->nbulk; t++)
            if (have[s1->ntm + t])
                for (int qq = 0; qq < 5; qq++) s1->b[t % 2][qq][t / 2] = bv[5 * t + qq];
        if (nl) printf("[cnt] resuming: %ld of %d coexistence/bulk runs read from %s.cnt.journal\n", nl, ntask,
                       j->job.oc.prefix);
    }
    if (!rc) rc = seed_comm_bcast_bytes(have, (size_t)ntask);
    while (!rc) {
        long k = seed_queue_fetch_add(q, 0, 1);
        if (k >= ntask) break;
        if (have[k]) continue;
        int trc;
        double t0 = seed_now_s();
        if (k < s1->ntm) {
            seed_coex_params cp = {.ip = j->job.ip, .T = c->tm_temperatures.v[k], .xtal_steps = c->tm_xtal_steps,
                                   .T_melt = Tmelt_slab, .melt_steps = c->tm_melt_steps, .cool_steps = c->tm_cool_steps,
                                   .steps = c->tm_steps, .analyze_every = c->tm_analyze_every,
                                   .seed = (uint64_t)j->job.run.seed, .task = k};
            seed_coex_result r = {.t = s1->tm_t + k * s1->maxf, .frac = s1->tm_frac + k * s1->maxf};
            trc = seed_coex_run(slab, j->job.pot, an, &cp, s1->maxf, &r);
            if (!trc) {
                s1->tm_v[k] = r.velocity;
                s1->tm_vse[k] = r.velocity_se;
                s1->tm_grew[k] = r.grew;
                s1->tm_nf[k] = r.nframes;
                for (int fr = r.nframes; fr < s1->maxf; fr++) s1->tm_t[k * s1->maxf + fr] = s1->tm_frac[k * s1->maxf + fr] = NAN;
                printf("[cnt] coexistence T = %g: %s, v = %.4g +- %.2g %s, crystalline fraction %.2f -> %.2f in %d "
                       "frames; upper half melted in %d x %ld steps (rank %d, %.1f s)\n", cp.T, r.grew ? "grew" : "melted",
                       r.velocity, r.velocity_se, md_units_get(j->job.run.units)->velocity, r.frac[0],
                       r.frac[r.nframes - 1], r.nframes, r.melt_rounds, cp.melt_steps, seed_comm_rank(),
                       seed_now_s() - t0);
                double *v = tmv + (size_t)k * ntmv;
                v[0] = r.velocity;
                v[1] = r.velocity_se;
                v[2] = r.grew;
                v[3] = r.nframes;
                memcpy(v + 4, s1->tm_t + (size_t)k * s1->maxf, sizeof(double) * s1->maxf);
                memcpy(v + 4 + s1->maxf, s1->tm_frac + (size_t)k * s1->maxf, sizeof(double) * s1->maxf);
                trc = seed_journal_append(j->job.oc.prefix, "TM", h1, k, v, ntmv);
            }
        } else {
            const int b = (int)((k - s1->ntm) / 2), ph = (int)((k - s1->ntm) % 2); /* ph 0 liquid, 1 crystal */
            seed_bulk_params bp = {.ip = j->job.ip, .T_melt = ph == 0 ? c->melt_temperature : 0, .melt_steps = c->melt_steps,
                                   .equil_steps = c->bulk_equil_steps, .prod_steps = c->bulk_steps,
                                   .sample_every = c->sample_every, .nblocks = c->blocks,
                                   .seed = (uint64_t)j->job.run.seed, .task = k};
            bp.ip.temperature = c->bulk_temperatures.v[b];
            seed_bulk_result r;
            trc = seed_bulk_run(ph == 0 ? bliq : bxtal, j->job.pot, an, &bp, &r);
            if (!trc) {
                s1->b[ph][0][b] = r.h;
                s1->b[ph][1][b] = r.h_se;
                s1->b[ph][2][b] = r.rho;
                s1->b[ph][3][b] = r.rho_se;
                s1->b[ph][4][b] = r.solid_fraction;
                printf("[cnt] bulk %s T = %g: h = %.5g +- %.2g, rho = %.5g +- %.2g, crystalline fraction %.2f "
                       "(rank %d, %.1f s)\n", ph == 0 ? "liquid " : "crystal", bp.ip.temperature, r.h, r.h_se, r.rho,
                       r.rho_se, r.solid_fraction, seed_comm_rank(), seed_now_s() - t0);
                const double bvals[5] = {r.h, r.h_se, r.rho, r.rho_se, r.solid_fraction};
                trc = seed_journal_append(j->job.oc.prefix, "BULK", h1, k - s1->ntm, bvals, 5);
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
    free(have);
    free(tmv);
    free(bv);
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
static int analyse_stage1(job *j, const stage1 *s1, results *R, int verbose)
{
    const cnt_job_config *c = &j->jc;
    const int nT = s1->ntm, nB = s1->nbulk;
    double *T = malloc(sizeof(double) * (nT + nB + 1)), *v = malloc(sizeof(double) * (nT + 1)),
           *sv = malloc(sizeof(double) * (nT + 1));
    int *grew = malloc(sizeof(int) * (nT + 1)); /* the bracket's runs' outcomes (cnt_tm_outcomes) */
    int rc = (!T || !v || !sv || !grew) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    size_t n = 0;
    for (int k = 0; !rc && k < nT; k++)
        if (!s1->fail[k]) {
            T[n] = c->tm_temperatures.v[k];
            v[n] = s1->tm_v[k];
            sv[n] = s1->tm_vse[k];
            n++;
        }
    R->T_m_bracket = R->T_m_vel = R->T_m_bracket_se = R->T_m_vel_se = R->T_low = R->T_high = NAN;
    if (!rc) {
        /* the bracket from the runs whose front clearly moved (|v| >= 2 standard errors); a stalled run is
         * evidence for neither side and enters the v(T) fit only (cnt_tm_outcomes) */
        int *out = malloc(sizeof(int) * (n + 1));
        double *Td = malloc(sizeof(double) * (n + 1));
        size_t nd = 0;
        const int nstall = out && Td ? cnt_tm_outcomes(n, v, sv, 2.0, out) : -1;
        for (size_t k = 0; nstall >= 0 && k < n; k++)
            if (out[k] >= 0) {
                Td[nd] = T[k];
                grew[nd++] = out[k];
            } else if (verbose)
                printf("[cnt] coexistence T = %g: stalled (v = %.4g +- %.2g, under 2 standard errors): not used for "
                       "the bracket\n", T[k], v[k], sv[k]);
        R->tm_bracket_ok = nstall >= 0 && nd > 0 &&
                           cnt_tm_bracket(nd, Td, grew, &R->T_m_bracket, &R->T_m_bracket_se, &R->T_low, &R->T_high) == 0;
        free(out);
        free(Td);
        if (!R->tm_bracket_ok && verbose) printf("[cnt] T_m bracket: %s\n", sr_error_message());
        cnt_linfit line;
        R->tm_vel_ok = cnt_tm_velocity(n, T, v, sv, &R->T_m_vel, &R->T_m_vel_se, &line) == 0;
        /* v(T) is straight only near T_m: when the points scatter more than their errors allow
         * (chi^2/dof > 1), scale the error by the Birge ratio sqrt(chi^2/dof) */
        if (R->tm_vel_ok && n > 2 && line.chisq / (double)(n - 2) > 1.0) R->T_m_vel_se *= sqrt(line.chisq / (double)(n - 2));
        if (!R->tm_vel_ok && verbose) printf("[cnt] T_m from v(T): %s\n", sr_error_message());
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
                          "decreasing v(T); widen [cnt] tm_temperatures", j->job.file);
        }
    }
    /* Dh(T) and dmu */
    double *hl = malloc(sizeof(double) * nB), *hs = malloc(sizeof(double) * nB), *rl = malloc(sizeof(double) * nB),
           *rs = malloc(sizeof(double) * nB), *rle = malloc(sizeof(double) * nB), *rse = malloc(sizeof(double) * nB);
    size_t m = 0;
    if (!rc && (!hl || !hs || !rl || !rs || !rle || !rse)) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    for (int b = 0; !rc && b < nB; b++) {
        if (s1->fail[nT + 2 * b] || s1->fail[nT + 2 * b + 1]) continue;
        if (s1->b[0][4][b] > 0.3 && verbose)
            printf("[cnt] warning: the liquid at T = %g is %.0f%% crystalline (dropped from the fits)\n",
                   c->bulk_temperatures.v[b], 100 * s1->b[0][4][b]);
        if (s1->b[1][4][b] < 0.5 && verbose)
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
        R->fit_rho_l = fl;
        R->fit_rho_s = fs;
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

static uint64_t mix_double(uint64_t h, double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return (h ^ b) * 0x100000001b3ull;
}

static double attach_seed_size(const results *R);

/* The relaxed critical starts of the f+ replicas (see the attach_starts key): start q is made on rank q mod size from
 * a copy of the inserted seed `start` (tries with other streams when the cluster leaves the barrier top), then every
 * rank gets the same bytes (PREFIX.attach<it>.start<q>.ckpt). */
#define ATTACH_START_TRIES 8
static int attach_starts_make(job *j, order_analyzer *an, results *R, const md_integrator_params *ip,
                              const md_system *start, long skip_steps, md_system **starts)
{
    const cnt_job_config *c = &j->jc;
    const int nstart = c->attach_starts, me = seed_comm_rank(), np = seed_comm_size();
    /* within kT/4 of the top: |n - N_c| < 1/(2 sqrt(pi) Z) = sqrt(V)/2; it has left the top for good beyond 4x that */
    const double half = R->var_top > 0 ? fmax(1.0, 0.5 * sqrt(R->var_top)) : fmax(1.0, 0.1 * R->n_c);
    seed_attach_start_params sp = {.ip = *ip, .analyze_every = c->attach_every, .min_steps = skip_steps,
                                   .max_steps = skip_steps + c->attach_start_steps, .lo = R->n_c - half,
                                   .hi = R->n_c + half, .abort_lo = R->n_c - 4 * half, .abort_hi = R->n_c + 4 * half,
                                   .seed = (uint64_t)j->job.run.seed};
    md_system **mine = calloc((size_t)nstart, sizeof *mine);
    int *rcs = calloc((size_t)nstart, sizeof *rcs);
    if (!mine || !rcs) {
        free(mine);
        free(rcs);
        return SR_ERROR(SR_ENOMEM, "out of memory");
    }
    double t0 = seed_now_s();
    for (int q = me; q < nstart; q += np) {
        seed_attach_start_result sr = {0};
        int rc = SR_OK, tr = 0;
        char ends[256] = "";
        for (; tr < ATTACH_START_TRIES && !rc && !sr.found; tr++) {
            md_system_free(mine[q]);
            mine[q] = md_system_copy(start);
            if (!mine[q]) {
                rc = SR_ERROR(SR_ENOMEM, "out of memory");
                break;
            }
            sp.stream = 6000000000ull + 100000ull * (uint64_t)R->it + 100ull * (uint64_t)q + (uint64_t)tr;
            rc = seed_attach_start_run(mine[q], j->job.pot, an, &sp, &sr);
            if (!rc && !sr.found && strlen(ends) < sizeof ends - 16)
                snprintf(ends + strlen(ends), sizeof ends - strlen(ends), "%s%d", tr ? ", " : "", sr.nmax);
        }
        if (!rc && !sr.found)
            rc = SR_ERROR(SR_EFAILED, "f+ at T = %g: no relaxed critical cluster (N_max in [%.1f, %.1f] after %ld steps) "
                          "in %d runs of up to %ld steps from the inserted seed of %d atoms (N_max at their ends: %s); "
                          "N_c = %.4g may be off (more campaign replicas), or raise [cnt] attach_start_steps",
                          R->T, sp.lo, sp.hi, skip_steps, ATTACH_START_TRIES, sp.max_steps, R->attach_size, ends,
                          R->n_c);
        if (!rc) {
            printf("[cnt] f+ start %d at T = %g: N_max %d after %ld steps (try %d; top [%.1f, %.1f]; rank %d, %.0f s)\n",
                   q, R->T, sr.nmax, sr.steps, tr, sp.lo, sp.hi, me, seed_now_s() - t0);
            fflush(stdout);
        }
        rcs[q] = rc;
        if (rc) {
            for (int q2 = q + np; q2 < nstart; q2 += np) rcs[q2] = rc; /* this rank makes no more starts */
            break;
        }
    }
    int rc = SR_OK;
    for (int q = 0; q < nstart && !rc; q++) {
        char path[SR_KW_STRLEN + 64];
        snprintf(path, sizeof path, "%s.attach%d.start%d.ckpt", j->job.oc.prefix, R->it, q);
        rc = seed_share_system_from(path, q % np == me ? rcs[q] : SR_OK, mine[q], &starts[q], q % np);
    }
    for (int q = 0; q < nstart; q++) md_system_free(mine[q]);
    free(mine);
    free(rcs);
    return rc;
}

/* Step 4: f+ replicas over the ranks. R->it selects the random streams (0: those of a one-temperature job);
 * finished replicas go to the journal (tag AT<it>) keyed by the inputs, T and the seed size. */
static int run_attach(job *j, order_analyzer *an, order_analyzer *an_alt, results *R)
{
    const cnt_job_config *c = &j->jc;
    const int nrep = c->attach_replicas;
    const size_t nt = (size_t)(c->attach_steps / c->attach_every) + 1;
    const int alt = an_alt != NULL;
    R->attach_nt = nt;
    SR_TRY(alloc_d(&R->attach_t, nt));
    SR_TRY(alloc_d(&R->attach_N, nt * nrep));
    SR_TRY(alloc_d(&R->attach_msd, nt));
    if (alt) SR_TRY(alloc_d(&R->attach_N_alt, nt * nrep));
    /* f+ starts from the seed whose THERMALISED size is N_c (the campaign's size map), unless given */
    R->attach_size = (int)lround(R->it == 0 && c->attach_size > 0 ? c->attach_size : attach_seed_size(R));
    if (R->attach_size < 1) R->attach_size = 1;
    seed_seeded_params sp = {.sc = j->job.sc, .liquid_cells = c->attach_cells.n == 3 ? c->attach_cells : j->cc.liquid_cells,
                             .units = j->job.run.units, .ip = j->job.ip, .T_melt = c->melt_temperature,
                             .melt_steps = c->melt_steps, .equil_steps = c->bulk_equil_steps,
                             .relax_steps = c->attach_relax_steps, .liquid_density = c->liquid_density,
                             .n_seed = R->attach_size, .seed = (uint64_t)j->job.run.seed, .stream = 1 + 1000L * R->it};
    sp.ip.temperature = R->T;
    /* the campaign's prepared crystal and liquid at this T (PREFIX.state<K>.ckpt, issue #17) when the f+ liquid has the
     * campaign's geometry: the seed goes into that liquid instead of a liquid melted again for the f+ runs */
    md_system *st_x = NULL, *st_l = NULL;
    SR_TRY(seed_campaign_state_load(R->prefix, R->T, R->p, &sp.liquid_cells, &st_x, &st_l));
    const int from_state = st_x && st_l;
    /* resume */
    static const char *const cnt_skip[] = {"extra_*", "curve_*", "bootstrap", "draws", "lj_*", NULL};
    uint64_t h = seed_input_hash(stage1_hash(j), sr_input_section(j->job.in, "cnt"), cnt_skip);
    h = seed_input_hash(h, sr_input_section(j->job.in, "campaign"), NULL);
    h = mix_double(mix_double(mix_double(h, R->T), R->attach_size), alt ? 1.0 : 0.0);
    h = mix_double(h, 10.0 + j->cc.track); /* the size followed (seed's own cluster / N_max) */
    if (c->attach_starts > 0) /* relaxed critical starts: their number, length and the barrier top they aim at */
        h = mix_double(mix_double(mix_double(h, 30.0 + c->attach_starts), (double)c->attach_start_steps), R->n_c);
    h = seed_input_hash(h, alt ? sr_input_section(j->job.in, "order_alt") : NULL, NULL);
    if (from_state) h = mix_double(h, 17.0); /* another start than the f+ runs' own liquid */
    const size_t nv = 1 + nt * (alt ? 2 : 1);
    char tag[32];
    snprintf(tag, sizeof tag, "AT%d", R->it);
    unsigned char *have = calloc((size_t)nrep, 1);
    double *vals = malloc(sizeof(double) * nv * (size_t)nrep);
    double *n0 = calloc((size_t)nrep, sizeof(double));
    int *nm = malloc(nt * sizeof(int)), *nma = malloc(nt * sizeof(int));
    int rc = (!have || !vals || !n0 || !nm || !nma) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    long nloaded = 0;
    if (!rc && seed_comm_rank() == 0) {
        nloaded = seed_journal_load(j->job.oc.prefix, tag, h, nrep, nv, vals, have);
        for (int k = 0; k < nrep; k++)
            if (have[k]) {
                const double *v = vals + (size_t)k * nv;
                n0[k] = v[0];
                for (size_t f = 0; f < nt; f++) {
                    R->attach_N[k * nt + f] = v[1 + f];
                    if (alt) R->attach_N_alt[k * nt + f] = v[1 + nt + f];
                }
            }
    }
    if (!rc) rc = seed_comm_bcast_bytes(have, (size_t)nrep);
    if (!rc) rc = seed_comm_bcast_long(&nloaded);
    md_system *start = NULL;
    /* every rank builds the same start (same streams), so nothing has to be broadcast */
    if (!rc && nloaded < nrep)
        rc = from_state ? seed_seeded_from_state(j->job.pot, &sp, st_x, st_l, &start, &R->attach_removed)
                        : seed_seeded_build(j->job.pot, &sp, &start, &R->attach_removed);
    md_system_free(st_x);
    md_system_free(st_l);
    /* the barrier top: dG* - dG(n) < kT for |n - N_c| < 1/(sqrt(pi) Z), Z = sqrt(|dmu| / (6 pi kT N_c)) */
    const double Zc = sqrt(fabs(R->dmu) / (6 * 3.14159265358979323846 * R->kB * R->T * R->n_c));
    R->var_top = isfinite(Zc) && Zc > 0 ? 1.0 / (3.14159265358979323846 * Zc * Zc) : 0.0;
    /* the interface relaxation of the inserted seed: the larger of attach_skip_steps and 3 t_relax of the campaign's
     * seeds */
    long skip_steps = c->attach_skip_steps;
    if (isfinite(R->t_relax) && R->t_relax > 0) {
        const long k3 = c->attach_every * (long)ceil(3.0 * R->t_relax / (c->attach_every * j->job.ip.dt));
        if (k3 > skip_steps) skip_steps = k3;
    }
    const int nstart = c->attach_starts;
    md_system **starts = NULL;
    if (!rc && nstart > 0 && nloaded < nrep) {
        starts = calloc((size_t)nstart, sizeof *starts);
        if (!starts) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    }
    if (!rc && seed_comm_rank() == 0) {
        if (start)
            printf("[cnt] f+ start at T = %g: seed of %d atoms in %d atoms (%d liquid atoms removed), %d replicas x %ld "
                   "steps; liquid and crystal: %s\n", R->T, R->attach_size, start->n, R->attach_removed, nrep,
                   c->attach_steps, from_state ? "the campaign's prepared state at this T" : "melted for the f+ runs");
        if (nloaded) printf("[cnt] resuming: %ld of %d f+ replicas at T = %g read from %s.cnt.journal\n", nloaded, nrep,
                            R->T, j->job.oc.prefix);
        fflush(stdout);
    }
    if (!rc && starts) rc = attach_starts_make(j, an, R, &sp.ip, start, skip_steps, starts);
    seed_queue *q = NULL;
    if (!rc) rc = seed_queue_create(2, &q);
    while (!rc) {
        long k = seed_queue_fetch_add(q, 0, 1);
        if (k >= nrep) break;
        if (have[k]) continue;
        /* fixed-length replicas: thresholds that are never reached */
        seed_replica_params rp = {.ip = sp.ip, .max_steps = c->attach_steps, .analyze_every = c->attach_every,
                                  .max_frames = (int)nt, .grow_factor = 1e30, .melt_fraction = -1.0,
                                  .seed = (uint64_t)j->job.run.seed, .replica = 500000000L + 100000L * R->it + k,
                                  .an_alt = an_alt, .track_seed = j->cc.track == 0};
        seed_replica_result rr = {.nmax = nm, .nmax_alt = alt ? nma : NULL};
        rc = seed_replica_run(starts ? starts[k % nstart] : start, j->job.pot, an, &rp, &rr);
        if (!rc && (rr.outcome == SEED_FAILED || rr.nframes != (int)nt))
            rc = SR_ERROR(SR_EFAILED, "f+ replica %ld: %s", k, rr.outcome == SEED_FAILED ? rr.message : "short trace");
        if (rc) break;
        double *v = vals + (size_t)k * nv;
        v[0] = n0[k] = rr.n0;
        for (size_t f = 0; f < nt; f++) {
            v[1 + f] = R->attach_N[k * nt + f] = nm[f];
            if (alt) v[1 + nt + f] = R->attach_N_alt[k * nt + f] = nma[f];
        }
        rc = seed_journal_append(j->job.oc.prefix, tag, h, k, v, nv);
        printf("[cnt] f+ replica %ld at T = %g: N_max %d -> %d (rank %d)\n", k, R->T, nm[0], nm[nt - 1], seed_comm_rank());
        fflush(stdout);
    }
    free(nm);
    free(nma);
    free(have);
    free(vals);
    seed_queue_free(q);
    md_system_free(start);
    for (int q = 0; starts && q < nstart; q++) md_system_free(starts[q]);
    free(starts);
    if (seed_comm_any(rc)) {
        free(n0);
        return rc ? rc : SR_EFAILED;
    }
    rc = seed_comm_allreduce_sum_double(R->attach_N, (int)(nt * nrep));
    if (!rc && alt) rc = seed_comm_allreduce_sum_double(R->attach_N_alt, (int)(nt * nrep));
    if (!rc) rc = seed_comm_allreduce_sum_double(n0, nrep);
    double s0 = 0;
    for (int k = 0; k < nrep; k++) s0 += n0[k];
    R->attach_n0 = (int)lround(s0 / nrep);
    free(n0);
    for (size_t f = 0; f < nt; f++) R->attach_t[f] = (double)f * c->attach_every * j->job.ip.dt;
    /* var(dN)(t): from relaxed critical starts (attach_starts > 0), pooled within starts, from the first frame; from
     * the inserted seed itself (attach_starts = 0), from the frame after its interface relaxation (t and N re-zeroed
     * there, at most half of the run) */
    size_t ks = nstart > 0 ? 0 : (size_t)(skip_steps / c->attach_every);
    if (ks > nt / 2) ks = nt / 2;
    const size_t nt2 = nt - ks;
    R->attach_skip = ks;
    double *N2 = malloc(nt2 * nrep * sizeof *N2 + 8), *t2 = malloc(nt2 * sizeof *t2 + 8),
           *G2 = malloc(nt2 * nrep * sizeof *G2 + 8);
    int *grp = malloc((size_t)nrep * sizeof *grp);
    if (!N2 || !t2 || !G2 || !grp) rc = rc ? rc : SR_ERROR(SR_ENOMEM, "out of memory");
    for (int k = 0; grp && k < nrep; k++) grp[k] = nstart > 0 ? k % nstart : 0;
    for (size_t f = 0; f < nt; f++) R->attach_msd[f] = NAN;
    for (int pass = 0; pass < (alt ? 2 : 1) && !rc; pass++) {
        const double *NN = pass == 0 ? R->attach_N : R->attach_N_alt;
        for (size_t f = 0; f < nt2; f++) {
            t2[f] = R->attach_t[ks + f] - R->attach_t[ks];
            for (int k = 0; k < nrep; k++) N2[k * nt2 + f] = NN[k * nt + ks + f];
        }
        /* with starts, the drift reported is the raw traces' (the within-start residuals have none) */
        cnt_attach_fit raw;
        const int have_drift =
            nstart > 0 && cnt_attach_fit_drift((size_t)nrep, nt2, t2, N2, t2[1], t2[nt2 - 1], &raw) == SR_OK;
        sr_error_clear();
        /* the protocol without starts keeps its traces as they are (its variance about the common mean, bit for bit) */
        const double *NX = nstart > 0 ? G2 : N2;
        if (nstart > 0) rc = cnt_attach_within_groups((size_t)nrep, nt2, N2, grp, nstart, G2);
        if (!rc && pass == 0) rc = cnt_attach_var((size_t)nrep, nt2, NX, R->attach_msd + ks);
        seed_attach_out *fo = pass == 0 ? &R->fp : &R->fp_alt;
        if (!rc) rc = seed_attach_analyse((size_t)nrep, nt2, t2, NX, c->attach_t0, c->attach_t1, R->var_top,
                                          (size_t)c->bootstrap, (uint64_t)j->job.run.seed, fo);
        if (!rc && nstart > 0) fo->fit.drift = have_drift ? raw.drift : NAN;
    }
    free(N2);
    free(t2);
    free(G2);
    free(grp);
    return rc;
}

/* the checks of seed_campaign_nc_usable on an open campaign file */
static int campaign_usable(io_ncin *cf, const char *path)
{
    double nc = NAN, w = NAN, ndec = 0;
    double *v = NULL;
    size_t n = 0;
    SR_TRY(io_ncin_read_double(cf, "n_c", &v, &n));
    if (n == 1) nc = v[0];
    free(v);
    v = NULL;
    if (io_ncin_read_double(cf, "n_decided", &v, &n) == 0)
        for (size_t q = 0; q < n; q++) ndec += v[q];
    free(v);
    v = NULL;
    if (io_ncin_read_double(cf, "width", &v, &n) == 0 && n == 1) w = v[0]; /* absent in older files */
    free(v);
    sr_error_clear();
    if (!(isfinite(nc) && nc > 0))
        return SR_ERROR(SR_EFAILED, "%s: the campaign has no N_c (P_grow fit failed): adjust [campaign] seed_sizes", path);
    /* a P_grow that falls with the seed size has no critical size: its "midpoint" is noise (the campaign prints
     * "do not use this N_c"), and a rate from it would be a number with an interval that means nothing */
    if (w < 0)
        return SR_ERROR(SR_EFAILED, "%s: N_c not resolved: P_grow falls with the seed size (logistic width %.3g < 0, "
                        "midpoint %.4g atoms from %.0f decided replicas); add replicas or seed sizes at this "
                        "temperature", path, w, nc, ndec);
    return SR_OK;
}

int seed_campaign_nc_usable(const char *path)
{
    io_ncin *cf = NULL;
    SR_TRY(io_ncin_open(path, IO_NCIN_VERIFY, &cf));
    const int rc = campaign_usable(cf, path);
    io_ncin_close(cf);
    return rc;
}

/* N_c and its bootstrap interval from the campaign file (rank 0 reads, all receive). */
static int read_campaign(const char *prefix, results *R)
{
    double buf[14] = {0};
    /* the accuracy protocol's variables (absent in temperature-mode or older files: NaN) */
    struct {
        double scalar[8];            /* the names in `pn` below, in that order */
        double n_c_nb[2], thr_nb[2]; /* per neighbouring classifier setting */
        double npts, t_relax_median;
        double size[64], xth[64];    /* seed size and thermalised size of each point */
        double md_flagged, md_threshold, md_max; /* committee model deviation (absent in older files: 0, 0, NaN) */
    } ext;
    memset(&ext, 0, sizeof ext);
    int rc = SR_OK;
    if (seed_comm_rank() == 0) {
        char path[4400];
        snprintf(path, sizeof path, "%s.nc", prefix);
        /* one open (and one checksum verification) for every variable below */
        io_ncin *cf = NULL;
        rc = io_ncin_open(path, IO_NCIN_VERIFY, &cf);
        const char *names[] = {"n_c", "n_c_se", "boot_lo68", "boot_hi68", "boot_lo95", "boot_hi95", "n_decided"};
        for (int k = 0; k < 7 && !rc; k++) {
            double *v = NULL;
            size_t n = 0;
            rc = io_ncin_read_double(cf, names[k], &v, &n);
            if (!rc) {
                if (k < 6) buf[k] = v[0];
                else
                    for (size_t q = 0; q < n; q++) buf[6] += v[q];
            }
            free(v);
        }
        if (!rc) rc = campaign_usable(cf, path);
        /* threshold systematic (present when the job has [order_alt]) */
        const char *alt[] = {"n_c_alt", "n_c_alt_lo68", "n_c_alt_hi68"};
        buf[10] = 1;
        for (int k = 0; k < 3 && !rc; k++) {
            double *v = NULL;
            size_t n = 0;
            if (io_ncin_read_double(cf, alt[k], &v, &n) == 0 && n == 1) buf[11 + k] = v[0];
            else buf[10] = 0;
            free(v);
        }
        if (!rc) sr_error_clear(); /* the optional variables' absence; keep a real failure's message */
        buf[9] = rc;
        const char *pn[8] = {"n_c_n0", "order_threshold", "mislabel_liquid", "mislabel_crystal", "order_calibrated",
                             "bulk_liquid_nmax", "n_c_fit", "n_c_dec"};
        for (int k = 0; k < 8 && !rc; k++) {
            double *v = NULL;
            size_t n = 0;
            ext.scalar[k] = (io_ncin_read_double(cf, pn[k], &v, &n) == 0 && n == 1) ? v[0] : NAN;
            free(v);
        }
        const char *pv[] = {"n_c_nb", "order_threshold_nb"};
        for (int k = 0; k < 2 && !rc; k++) {
            double *v = NULL;
            size_t n = 0;
            const int ok = io_ncin_read_double(cf, pv[k], &v, &n) == 0 && n == 2;
            double *dst = k == 0 ? ext.n_c_nb : ext.thr_nb;
            dst[0] = ok ? v[0] : NAN;
            dst[1] = ok ? v[1] : NAN;
            free(v);
        }
        double *sz = NULL, *xt = NULL, *tr = NULL;
        size_t nsz = 0, nxt = 0, ntr = 0;
        ext.t_relax_median = NAN;
        if (!rc && io_ncin_read_double(cf, "seed_size", &sz, &nsz) == 0 && io_ncin_read_double(cf, "x", &xt, &nxt) == 0 &&
            io_ncin_read_double(cf, "t_relax", &tr, &ntr) == 0 && nsz == nxt && nsz == ntr && nsz <= 64) {
            ext.npts = (double)nsz;
            memcpy(ext.size, sz, nsz * sizeof *sz);
            memcpy(ext.xth, xt, nsz * sizeof *xt);
            ext.t_relax_median = seed_median_finite(tr, nsz);
        }
        free(sz);
        free(xt);
        free(tr);
        /* replicas flagged by the committee's model deviation (issue 18) */
        double *mv = NULL;
        size_t nmv = 0;
        ext.md_max = NAN;
        if (!rc && io_ncin_read_double(cf, "n_model_dev_flagged", &mv, &nmv) == 0 && nmv == 1) ext.md_flagged = mv[0];
        free(mv);
        mv = NULL;
        if (!rc && io_ncin_read_double(cf, "model_dev_threshold", &mv, &nmv) == 0 && nmv == 1) ext.md_threshold = mv[0];
        free(mv);
        mv = NULL;
        if (!rc && io_ncin_read_double(cf, "model_dev_max", &mv, &nmv) == 0)
            for (size_t q = 0; q < nmv; q++)
                if (isfinite(mv[q]) && !(mv[q] <= ext.md_max)) ext.md_max = mv[q];
        free(mv);
        io_ncin_close(cf);
        sr_error_clear();
    }
    int r2 = seed_comm_bcast_bytes(buf, sizeof buf);
    if (!r2) r2 = seed_comm_bcast_bytes(&ext, sizeof ext);
    if (r2) return r2;
    if (buf[9] != 0) return rc ? rc : SR_EFAILED;
    R->n_c = buf[0];
    R->n_c_se = buf[1];
    R->n_c_lo68 = buf[2];
    R->n_c_hi68 = buf[3];
    R->n_c_lo95 = buf[4];
    R->n_c_hi95 = buf[5];
    R->n_c_replicas = (int)buf[6];
    R->has_alt = buf[10] != 0;
    R->n_c_alt = buf[11];
    R->n_c_alt_lo68 = buf[12];
    R->n_c_alt_hi68 = buf[13];
    R->n_c_n0 = ext.scalar[0];
    R->order_threshold = ext.scalar[1];
    R->mislabel_liq = ext.scalar[2];
    R->mislabel_xtal = ext.scalar[3];
    R->order_calibrated = isfinite(ext.scalar[4]) ? (int)ext.scalar[4] : -1;
    R->bulk_nmax = isfinite(ext.scalar[5]) ? (int)ext.scalar[5] : -1;
    R->n_c_set = ext.scalar[6];
    R->n_c_dec = ext.scalar[7];
    for (int k = 0; k < 2; k++) {
        R->n_c_nb[k] = ext.n_c_nb[k];
        R->order_threshold_nb[k] = ext.thr_nb[k];
    }
    R->npts = (int)ext.npts;
    R->n_model_dev_flagged = (int)ext.md_flagged;
    R->model_dev_threshold = ext.md_threshold;
    R->model_dev_max = ext.md_max;
    R->t_relax = ext.t_relax_median;
    memcpy(R->pt_size, ext.size, sizeof ext.size);
    memcpy(R->pt_xth, ext.xth, sizeof ext.xth);
    return SR_OK;
}

/* The seed size whose thermalised size is N_c: linear interpolation of (thermalised size -> seed size) over the
 * campaign's points (sorted by seed size), extrapolated from the nearest segment; N_c itself without points. */
static double attach_seed_size(const results *R)
{
    double xs[64], ss[64];
    int m = 0;
    for (int q = 0; q < R->npts; q++)
        if (isfinite(R->pt_xth[q]) && R->pt_xth[q] > 0) {
            int k = m++;
            for (; k > 0 && ss[k - 1] > R->pt_size[q]; k--) {
                ss[k] = ss[k - 1];
                xs[k] = xs[k - 1];
            }
            ss[k] = R->pt_size[q];
            xs[k] = R->pt_xth[q];
        }
    if (m == 0) return R->n_c;
    if (m == 1) return R->n_c * ss[0] / xs[0];
    int a = 0;
    while (a < m - 2 && xs[a + 1] < R->n_c) a++;
    if (!(xs[a + 1] != xs[a])) return R->n_c * ss[a] / xs[a];
    const double s = ss[a] + (R->n_c - xs[a]) * (ss[a + 1] - ss[a]) / (xs[a + 1] - xs[a]);
    return s > 1 ? s : R->n_c;
}

/* CNT at one temperature from its ingredients (central values + Monte-Carlo intervals); the [order_alt]
 * twin when the campaign and the f+ runs carry the second classifier's sizes. */
static int assemble_one(const job *j, const results *Q, double n_c, double n_c_sd, const seed_attach_out *fp,
                        seed_rate_output *out)
{
    seed_rate_inputs ri = {
        .units = j->job.run.units, .T = Q->T, .k_B = Q->kB,
        .n_c = {.value = n_c, .sd = n_c_sd},
        .dmu = {.value = Q->dmu, .sd = Q->dmu_se},
        .rho_s = {.value = Q->rho_s, .sd = Q->rho_s_se},
        .rho_l = {.value = Q->rho_l, .sd = Q->rho_l_se},
        .f_plus = {.value = fp->fit.f_plus, .sd = fp->boot_ok ? 0.5 * (fp->boot.hi68 - fp->boot.lo68) : fp->fit.se_f_plus},
        .n_draw = (size_t)j->jc.draws, .seed = (uint64_t)j->job.run.seed + (uint64_t)Q->it,
        .lj_sigma_A = j->job.run.units == MD_UNITS_LJ ? j->jc.lj_sigma : 0,
        .lj_epsilon_eV = j->jc.lj_epsilon * CNT_KB_EV_PER_K, .lj_mass_gmol = j->jc.lj_mass};
    return seed_rate_assemble(&ri, out);
}

static int assemble_rate(const job *j, results *Q)
{
    const double nsd = 0.5 * (Q->n_c_hi68 - Q->n_c_lo68);
    SR_TRY(assemble_one(j, Q, Q->n_c, isfinite(nsd) && nsd > 0 ? nsd : Q->n_c_se, &Q->fp, &Q->rate));
    Q->alt_ok = 0;
    if (Q->has_alt && isfinite(Q->n_c_alt) && Q->n_c_alt > 0 && Q->fp_alt.fit.f_plus > 0) {
        const double asd = 0.5 * (Q->n_c_alt_hi68 - Q->n_c_alt_lo68);
        Q->alt_ok = assemble_one(j, Q, Q->n_c_alt, isfinite(asd) && asd > 0 ? asd : 0.1 * Q->n_c_alt, &Q->fp_alt,
                                 &Q->rate_alt) == 0;
        sr_error_clear();
    }
    /* systematics of the same replicas: the N_c of another convention (N_max(0)) or of a neighbouring classifier
     * setting, with f+ scaled as N^(2/3) (attachment through the surface); only the central log10 J is used */
    const double J0 = Q->rate.central.log10_J;
    Q->sys_classifier = Q->sys_n0 = Q->sys_alt = Q->sys_dec = NAN;
    Q->n0_ok = Q->nb_ok[0] = Q->nb_ok[1] = Q->dec_ok = 0;
    for (int k = -2; k < 2; k++) {
        const double n = k == -2 ? Q->n_c_dec : k < 0 ? Q->n_c_set : Q->n_c_nb[k];
        if (!(isfinite(n) && n > 0)) continue;
        seed_attach_out fs = Q->fp;
        const double sc = pow(n / Q->n_c, 2.0 / 3.0);
        fs.fit.f_plus *= sc;
        fs.fit.se_f_plus *= sc;
        fs.boot.lo68 *= sc;
        fs.boot.hi68 *= sc;
        seed_rate_output *o = k == -2 ? &Q->rate_dec : k < 0 ? &Q->rate_n0 : &Q->rate_nb[k];
        const int ok = assemble_one(j, Q, n, 0.05 * n, &fs, o) == 0;
        sr_error_clear();
        if (!ok) continue;
        const double d = fabs(o->central.log10_J - J0);
        if (k == -2) {
            Q->dec_ok = 1;
            Q->sys_dec = d;
        } else if (k < 0) {
            Q->n0_ok = 1;
            Q->sys_n0 = d;
        } else {
            Q->nb_ok[k] = 1;
            Q->sys_classifier = isfinite(Q->sys_classifier) ? fmax(Q->sys_classifier, d) : d;
        }
    }
    if (Q->alt_ok) Q->sys_alt = fabs(Q->rate_alt.central.log10_J - J0);
    /* A decision rule tests commitment only with its boundaries beyond the barrier top: within 1/(sqrt(pi) Z) of N_c,
     * beta dG is within 1 kT of its maximum and a seed reaches the nearer boundary by diffusion (gambler's ruin), so
     * P_grow flattens towards 1/2 whatever the size and its midpoint is set by the noise. The margins below are the
     * nearer boundary's distance from N_c for a seed settled at N_c, in units of that half-width. The halfway rule's
     * N_c enters the headline only when its boundaries are beyond the top too; inside it, it is printed but is not an
     * estimate of N_c (LJ, validation/lj-accuracy: the halfway boundaries lie at 0.5-0.65 of the half-width and their
     * N_c scatters by 2x, while widening the rule to 3.0 / 0.1 moved N_c by ~1 atom). */
    Q->dec_top = Q->rate.central.zeldovich > 0 ? 1.0 / (sqrt(3.14159265358979323846) * Q->rate.central.zeldovich) : NAN;
    const double near = fmin(j->cc.grow_factor - 1.0, 1.0 - j->cc.melt_fraction) * Q->n_c;
    Q->dec_margin = near / Q->dec_top;
    Q->dec_margin_half = 0.5 * near / Q->dec_top;
    double sv[4];
    size_t ns = 0;
    if (isfinite(Q->sys_dec) && !(Q->dec_margin_half < 1.0)) sv[ns++] = Q->sys_dec; /* NaN margin (no Z): kept */
    if (isfinite(Q->sys_classifier)) sv[ns++] = Q->sys_classifier;
    if (isfinite(Q->sys_n0)) sv[ns++] = Q->sys_n0;
    if (isfinite(Q->sys_alt)) sv[ns++] = Q->sys_alt;
    /* one centre: the central log10 J (printed as the value) with the Monte-Carlo half-widths around it */
    cnt_interval st = Q->rate.mc.log10_J;
    const double shift = J0 - st.median;
    st.median += shift;
    st.lo68 += shift;
    st.hi68 += shift;
    st.lo95 += shift;
    st.hi95 += shift;
    SR_TRY(cnt_total_interval(&st, ns, sv, &Q->log10_J_total));
    return SR_OK;
}

static void print_rate(const job *j, const results *Q)
{
    const seed_rate_output *o = &Q->rate;
    printf("\n[cnt] T = %g: f+ = %.4g (drift-free; OLS se %.2g; bootstrap 68%% [%.4g, %.4g]) from %d replicas, window [%g, %g] "
           "(%zu points)\n", Q->T, Q->fp.fit.f_plus, Q->fp.fit.se_f_plus, Q->fp.boot.lo68, Q->fp.boot.hi68,
           j->jc.attach_replicas, Q->fp.fit.t0, Q->fp.fit.t1, Q->fp.fit.n_points);
    printf("[cnt] T = %g: N_c = %.4g (68%% [%.4g, %.4g], %d decided replicas)\n", Q->T, Q->n_c, Q->n_c_lo68,
           Q->n_c_hi68, Q->n_c_replicas);
    if (Q->n_model_dev_flagged > 0)
        printf("[cnt] T = %g: WARNING: %d campaign replicas have a committee model deviation above %g %s (largest %.4g): "
               "the potential extrapolates there, and N_c, and the rate, INCLUDE them\n", Q->T, Q->n_model_dev_flagged,
               Q->model_dev_threshold, md_units_get(j->job.run.units)->force, Q->model_dev_max);
    printf("[cnt] T = %g: gamma = %.4g (68%% [%.4g, %.4g]), dG* = %.4g (%.3g kT), Z = %.3g\n", Q->T, o->central.gamma,
           o->mc.gamma.lo68, o->mc.gamma.hi68, o->central.dG_star, o->central.beta_dG, o->central.zeldovich);
    printf("[cnt] T = %g: log10 J = %.3f (68%% [%.3f, %.3f], 95%% [%.3f, %.3f])", Q->T, o->central.log10_J,
           o->mc.log10_J.lo68, o->mc.log10_J.hi68, o->mc.log10_J.lo95, o->mc.log10_J.hi95);
    if (isfinite(o->log10_J_si))
        printf("; SI: log10 J = %.2f m^-3 s^-1 (68%% [%.2f, %.2f])", o->log10_J_si, o->log10_J_si_interval.lo68,
               o->log10_J_si_interval.hi68);
    printf("\n");
    if (Q->order_calibrated >= 0 && isfinite(Q->order_threshold))
        printf("[cnt] T = %g: classifier threshold %g (%s; mislabelled at the state point: liquid %.3g%%, crystal "
               "%.3g%%; bulk liquid's largest cluster %d), f+ seed %d atoms, interface relaxation %.3g, skip %zu frames, "
               "drift %.3g per unit time\n", Q->T, Q->order_threshold,
               Q->order_calibrated ? "chosen at the state point" : "as given", 100 * Q->mislabel_liq,
               100 * Q->mislabel_xtal, Q->bulk_nmax, Q->attach_size, Q->t_relax, Q->attach_skip, Q->fp.fit.drift);
    printf("[cnt] T = %g: systematics of log10 J: N_c with the neighbouring classifier thresholds %.4g / %.4g, "
           "N_c on the relaxation-fit size %.4g (N_max(0), reference only: %.4g)", Q->T, Q->n_c_nb[0], Q->n_c_nb[1], Q->n_c_set,
           Q->n_c_n0);
    if (isfinite(Q->sys_classifier)) printf("; |d| classifier %.2f", Q->sys_classifier);
    if (isfinite(Q->sys_n0)) printf("; |d| N_0 convention %.2f", Q->sys_n0);
    if (isfinite(Q->sys_dec))
        printf("; N_c with decision boundaries halfway to the settled size %.4g, |d| decision rule %.2f%s", Q->n_c_dec,
               Q->sys_dec, !(Q->dec_margin_half < 1.0) ? "" : " (not in the total: the halfway boundaries lie inside "
                                                            "the barrier top)");
    if (isfinite(Q->dec_margin))
        printf("; nearest decision boundary %.2f x the barrier-top half-width 1/(sqrt(pi) Z) (halfway rule %.2f)",
               Q->dec_margin, Q->dec_margin_half);
    if (isfinite(Q->sys_alt)) printf("; |d| [order_alt] %.2f", Q->sys_alt);
    if (Q->dec_margin < 1.0)
        printf("\n[cnt] T = %g: WARNING: the decision boundaries ([campaign] grow_factor %g, melt_fraction %g) lie inside "
               "the barrier top (%.2f x its half-width 1/(sqrt(pi) Z) = %.3g atoms from N_c): seeds reach them by "
               "diffusion, so P_grow measures that and not commitment; widen them", Q->T, j->cc.grow_factor,
               j->cc.melt_fraction, Q->dec_margin, Q->dec_top);
    printf("\n[cnt] T = %g: HEADLINE log10 J = %.2f, 68%% [%.2f, %.2f] statistics + systematics (statistics only "
           "[%.2f, %.2f]); 95%% [%.2f, %.2f]\n", Q->T, o->central.log10_J, Q->log10_J_total.lo68, Q->log10_J_total.hi68,
           o->mc.log10_J.lo68, o->mc.log10_J.hi68, Q->log10_J_total.lo95, Q->log10_J_total.hi95);
    if (Q->alt_ok)
        printf("[cnt] T = %g, [order_alt] labels: N_c = %.4g, f+ = %.4g, gamma = %.4g, log10 J = %.3f "
               "(threshold systematic: |d gamma| = %.3g, |d log10 J| = %.2f)\n", Q->T, Q->n_c_alt, Q->fp_alt.fit.f_plus,
               Q->rate_alt.central.gamma, Q->rate_alt.central.log10_J,
               fabs(Q->rate_alt.central.gamma - o->central.gamma),
               fabs(Q->rate_alt.central.log10_J - o->central.log10_J));
    fflush(stdout);
}

/* Seed sizes at temperature it > 0: thermalised sizes of the first campaign's points times N_c(T)/N_c(T_0) (inserted
 * sizes from the fitted shell loss N_th ~ s - c s^(2/3)), with the CNT estimate
 * N_c = 32 pi gamma^3 / (3 rho_s^2 |dmu|^3) at gamma(T) from a line through the temperatures already done
 * (constant gamma after one). Deterministic, so every rank gets the same sizes. */
static int scaled_sizes(const job *j, const results *Rt, int it, double *sizes, int *n)
{
    const results *R0 = &Rt[0], *Q = &Rt[it];
    double g = R0->rate.central.gamma;
    if (it >= 2) {
        double x[16], y[16], sd[16];
        for (int k = 0; k < it; k++) {
            x[k] = Rt[k].T;
            y[k] = Rt[k].rate.central.gamma;
            sd[k] = 0.5 * (Rt[k].rate.mc.gamma.hi68 - Rt[k].rate.mc.gamma.lo68);
            if (!(sd[k] > 0)) sd[k] = 0.05 * y[k];
        }
        cnt_linfit lf;
        double gl, se;
        if (cnt_linear_fit((size_t)it, x, y, sd, &lf) == 0) {
            cnt_linfit_eval(&lf, Q->T, &gl, &se);
            if (gl > 0) g = gl;
        }
        sr_error_clear();
    }
    double est, dg;
    SR_TRY(cnt_critical_size(g, Q->dmu, Q->rho_s, &est, &dg));
    const double ratio = est / R0->n_c;
    const sr_reals *f = &j->jc.extra_seed_factors;
    *n = f->n > 0 ? f->n : j->cc.sizes.n;
    /* N_c is counted in thermalised labels, which a freshly inserted seed of s atoms keeps only partly: its interface
     * shell relabels, N_th ~ s - c s^(2/3). c is fitted (least squares) on the first campaign's points, and the seed
     * sizes are chosen so that their THERMALISED sizes scale with N_c (inserted sizes scaled linearly come out too
     * small at deeper undercooling, where the shell is a larger part of the seed) */
    double num = 0, den = 0;
    for (int q = 0; q < R0->npts; q++)
        if (isfinite(R0->pt_xth[q]) && R0->pt_size[q] > 0) {
            const double s23 = pow(R0->pt_size[q], 2.0 / 3.0);
            num += (R0->pt_size[q] - R0->pt_xth[q]) * s23;
            den += s23 * s23;
        }
    const double c = den > 0 ? num / den : 0;
    for (int k = 0; k < *n; k++) {
        double target; /* thermalised size wanted */
        if (f->n > 0) target = f->v[k] * est;
        else if (c > 0 && k < R0->npts && isfinite(R0->pt_xth[k])) target = R0->pt_xth[k] * ratio;
        else target = -1;
        if (target > 0 && c > 0) {
            /* s - c s^(2/3) = target, increasing in s for s > (2c/3)^3: bisection */
            double lo = fmax(target, pow(2 * c / 3, 3)), hi = lo + 1;
            while (hi - c * pow(hi, 2.0 / 3.0) < target && hi < 1e8) hi *= 2;
            for (int it2 = 0; it2 < 100; it2++) {
                const double mid = 0.5 * (lo + hi);
                if (mid - c * pow(mid, 2.0 / 3.0) < target) lo = mid;
                else hi = mid;
            }
            sizes[k] = lround(0.5 * (lo + hi));
        } else {
            sizes[k] = f->n > 0 ? lround(f->v[k] * est) : lround(j->cc.sizes.v[k] * ratio);
        }
        if (sizes[k] < 2) sizes[k] = 2;
    }
    return SR_OK;
}

/* The campaign at one temperature, with sizes added until they bracket N_c. A P_grow fit needs sizes on both sides
 * of the critical size (Espinosa, Vega, Valeriani & Sanz, JCP 144, 034501 (2016) choose them so that P_grow goes
 * from 0 to 1): when most replicas melted at every size, two larger sizes (1.4 and 2 x the largest) are appended;
 * when most grew at every size, two smaller ones (0.7 and 0.5 x the smallest); at most two such rounds. The campaign
 * resumes, so the finished replicas are kept. When the sizes bracket N_c but the outcomes are separated (every grown
 * replica at or above every melted one, so P_grow has no finite width), two sizes at the thirds between the largest
 * mostly-melted and the smallest mostly-grown size are appended the same way. Extra temperatures are where this matters: their sizes come from an
 * extrapolated gamma(T) (scaled_sizes), which two noisy points can send far from N_c. At the job's own temperature
 * (it = 0) the input's seed_sizes are extended the same way. sizes has room for SR_KW_MAXLIST values. */
static int bracketed_campaign(const job *j, int it, double T, double *sizes, int *nsizes, seed_campaign_override *ov)
{
    const int rank = seed_comm_rank();
    seed_campaign_summary *sm = calloc(1, sizeof *sm);
    if (!sm) return SR_ERROR(SR_ENOMEM, "out of memory");
    int rc = SR_OK;
    for (int round = 0;; round++) {
        if (it == 0 && round == 0) ov->sizes = NULL; /* the input's own seed_sizes, as before */
        sm->ntot = 0;
        rc = seed_campaign_run_ex(j->job.file, ov, sm);
        const int np = ov->sizes ? ov->nsizes : j->cc.sizes.n;
        double add[3] = {0, 0, 0}; /* 0: none, 1: larger sizes (all melted), 2: smaller (all grew); the two sizes */
        if (rank == 0 && round < 2 && sm->ntot == (long)np * j->cc.replicas && sm->ntot <= SEED_SUMMARY_MAX) {
            int any_grew = 0, any_melted = 0;
            double smin = INFINITY, smax = 0;
            /* for separated outcomes: the smallest size with a grown replica, the largest with a melted one, and the
             * largest mostly-melted / smallest mostly-grown sizes around the step */
            double g_min = INFINITY, m_max = -INFINITY, lo = -INFINITY, hi = INFINITY;
            for (int p = 0; p < np; p++) {
                int g = 0, d = 0;
                for (int r = 0; r < j->cc.replicas; r++) {
                    const int o = sm->outcome[(long)p * j->cc.replicas + r];
                    g += o == SEED_GROWN;
                    d += o == SEED_GROWN || o == SEED_MELTED;
                }
                const double s = ov->sizes ? ov->sizes[p] : j->cc.sizes.v[p];
                if (s < smin) smin = s;
                if (s > smax) smax = s;
                if (d > 0 && 2 * g >= d) any_grew = 1;
                if (d > 0 && 2 * g <= d) any_melted = 1;
                if (g > 0 && s < g_min) g_min = s;
                if (d - g > 0 && s > m_max) m_max = s;
                if (d > 0 && 2 * g < d && s > lo) lo = s;
                if (d > 0 && 2 * g > d && s < hi) hi = s;
            }
            if (!any_grew) add[0] = 1, add[1] = lround(1.4 * smax), add[2] = lround(2.0 * smax);
            else if (!any_melted && smin >= 8) add[0] = 2, add[1] = lround(0.7 * smin), add[2] = lround(0.5 * smin);
            /* the campaign's P_grow fit failed with every grow at or above every melt (no finite width) while the
             * sizes bracket the step: two sizes inside it, at its thirds (the fit is on the replicas' thermalised
             * sizes, so sizes that look separated here may still fit: only a failed campaign adds them) */
            else if (rc != 0 && g_min >= m_max && isfinite(lo) && isfinite(hi) && hi - lo >= 3)
                add[0] = 3, add[1] = lround(lo + (hi - lo) / 3.0), add[2] = lround(lo + 2.0 * (hi - lo) / 3.0);
            if (add[0] != 0 && np + 2 > SR_KW_MAXLIST) add[0] = 0;
        }
        const int rb = seed_comm_bcast_bytes(add, sizeof add);
        if (rb) {
            rc = rc ? rc : rb;
            break;
        }
        if (add[0] == 0) break;
        if (!ov->sizes) { /* it = 0: start from the input's sizes */
            for (int p = 0; p < np; p++) sizes[p] = j->cc.sizes.v[p];
            *nsizes = np;
            ov->sizes = sizes;
        }
        if (rank == 0) {
            if (add[0] == 3)
                printf("\n[cnt] T = %g: P_grow steps from melted to grown with no size in between (every grown replica "
                       "at or above every melted one: no finite width to fit): adding sizes %.0f %.0f inside the step "
                       "and resuming the campaign (round %d of at most 2)\n", T, add[1], add[2], round + 1);
            else
                printf("\n[cnt] T = %g: the sizes do not bracket N_c (%s in most replicas at every size): adding sizes "
                       "%.0f %.0f and resuming the campaign (round %d of at most 2)\n", T,
                       add[0] == 1 ? "melted" : "grew", add[1], add[2], round + 1);
            fflush(stdout);
        }
        sizes[(*nsizes)++] = add[1];
        sizes[(*nsizes)++] = add[2];
        ov->nsizes = *nsizes;
        sr_error_clear();
    }
    free(sm);
    return rc;
}

/* gamma(T) line and the J(T) curve with its Monte-Carlo band (cnt_rate_at). */
typedef struct rate_curve {
    int n;
    double *T, *log10_J, *lo68, *hi68, *lo95, *hi95, *gamma, *gamma_se;
} rate_curve;

static void rate_curve_free(rate_curve *c)
{
    free(c->T);
    memset(c, 0, sizeof *c);
}

/* f+(T) from a table of ln f+ (piecewise linear in T, linear extrapolation): f+ = exp(ln f+), sd = f+ sd(ln f+). */
static int log_table_eval(void *table, double T, double *value, double *sd)
{
    double lv, ls;
    SR_TRY(cnt_table_model_eval(table, T, &lv, &ls));
    *value = exp(lv);
    *sd = *value * ls;
    return SR_OK;
}

static int gamma_curve(const job *j, const results *Rt, int nTr, cnt_linfit *gfit, rate_curve *cv)
{
    double x[16], y[16], sd[16], fp[16], fsd[16];
    int order[16];
    for (int k = 0; k < nTr; k++) order[k] = k;
    for (int a = 1; a < nTr; a++) /* by temperature, for the f+ table */
        for (int b = a; b > 0 && Rt[order[b]].T < Rt[order[b - 1]].T; b--) {
            int t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    for (int q = 0; q < nTr; q++) {
        const results *Q = &Rt[order[q]];
        x[q] = Q->T;
        y[q] = Q->rate.central.gamma;
        sd[q] = 0.5 * (Q->rate.mc.gamma.hi68 - Q->rate.mc.gamma.lo68);
        if (!(sd[q] > 0)) sd[q] = 0.05 * y[q];
        /* ln f+ and its sd (f+ > 0: interpolated and extrapolated in ln f+, Arrhenius-like, never negative) */
        const double f = Q->fp.fit.f_plus;
        const double fs = Q->fp.boot_ok ? 0.5 * (Q->fp.boot.hi68 - Q->fp.boot.lo68) : Q->fp.fit.se_f_plus;
        fp[q] = f > 0 ? log(f) : NAN;
        fsd[q] = f > 0 ? fs / f : NAN;
    }
    SR_TRY(cnt_linear_fit((size_t)nTr, x, y, sd, gfit));
    const results *R0 = &Rt[0];
    double lo = x[0], hi = x[nTr - 1] + 0.5 * (R0->T_m - x[nTr - 1]);
    for (int b = 0; b < j->jc.bulk_temperatures.n; b++)
        if (j->jc.bulk_temperatures.v[b] < lo) lo = j->jc.bulk_temperatures.v[b];
    if (j->jc.curve_temperatures.n == 2) {
        lo = j->jc.curve_temperatures.v[0];
        hi = j->jc.curve_temperatures.v[1];
    }
    const int n = j->jc.curve_points;
    cv->n = n;
    cv->T = malloc(sizeof(double) * 8 * (size_t)n);
    if (!cv->T) return SR_ERROR(SR_ENOMEM, "out of memory");
    cv->log10_J = cv->T + n;
    cv->lo68 = cv->T + 2 * n;
    cv->hi68 = cv->T + 3 * n;
    cv->lo95 = cv->T + 4 * n;
    cv->hi95 = cv->T + 5 * n;
    cv->gamma = cv->T + 6 * n;
    cv->gamma_se = cv->T + 7 * n;
    cnt_dmu_model dm = {.dh = &R0->dh, .T_m = R0->T_m, .sigma_T_m = R0->T_m_se};
    cnt_table_model tab = {.n = (size_t)nTr, .T = x, .value = fp, .sd = fsd};
    cnt_rate_model m = {.gamma = {cnt_linfit_model_eval, gfit},
                        .dmu = {cnt_dmu_model_eval, &dm},
                        .rho_s = {cnt_linfit_model_eval, (void *)&R0->fit_rho_s},
                        .rho_l = {cnt_linfit_model_eval, (void *)&R0->fit_rho_l},
                        .f_plus = {log_table_eval, &tab},
                        .k_B = R0->kB};
    gsl_rng *rng = sr_rng_create((uint64_t)j->job.run.seed, 77, SR_RNG_BOOTSTRAP);
    if (!rng) return SR_ERROR(SR_ENOMEM, "out of memory");
    const size_t nd = (size_t)(j->jc.draws < 4000 ? j->jc.draws : 4000);
    for (int q = 0; q < n; q++) {
        const double T = lo + (hi - lo) * q / (n - 1.0);
        cv->T[q] = T;
        cnt_linfit_eval(gfit, T, &cv->gamma[q], &cv->gamma_se[q]);
        cnt_interval band;
        size_t nrej = 0;
        if (cnt_rate_at(&m, T, nd, rng, &cv->log10_J[q], &band, &nrej) == 0) {
            cv->lo68[q] = band.lo68;
            cv->hi68[q] = band.hi68;
            cv->lo95[q] = band.lo95;
            cv->hi95[q] = band.hi95;
        } else {
            cv->log10_J[q] = cv->lo68[q] = cv->hi68[q] = cv->lo95[q] = cv->hi95[q] = NAN;
            sr_error_clear();
        }
    }
    gsl_rng_free(rng);
    return SR_OK;
}

static void print_summary(const job *j, const results *Rt, int nTr, const cnt_linfit *gfit, const rate_curve *cv)
{
    const md_units *u = md_units_get(j->job.run.units);
    printf("\n[cnt] summary (%s units: gamma in %s/%s^2, J in %s^-3 %s^-1; intervals 68%%)\n", u->name, u->energy,
           u->length, u->length, u->time);
    printf("  N_c on the thermalised seed; log10 J: statistical 68%% interval, then the TOTAL one (statistics + "
           "classifier-neighbour, N_0-convention and decision-rule systematics)\n");
    printf("  %9s %9s %22s %10s %22s %8s %24s %18s\n", "T", "dmu", "N_c", "f+", "gamma", "dG*/kT", "log10 J (stat)",
           "total 68%");
    for (int k = 0; k < nTr; k++) {
        const results *Q = &Rt[k];
        const seed_rate_output *o = &Q->rate;
        printf("  %9.4g %9.4g %8.4g [%5.4g,%5.4g] %10.4g %8.4g [%5.4g,%5.4g] %8.3g %8.3f [%6.2f,%6.2f] [%7.2f,%7.2f]\n",
               Q->T, Q->dmu, Q->n_c, Q->n_c_lo68, Q->n_c_hi68, Q->fp.fit.f_plus, o->central.gamma, o->mc.gamma.lo68,
               o->mc.gamma.hi68, o->central.beta_dG, o->central.log10_J, o->mc.log10_J.lo68, o->mc.log10_J.hi68,
               Q->log10_J_total.lo68, Q->log10_J_total.hi68);
    }
    for (int k = 0; k < nTr; k++)
        if (Rt[k].alt_ok)
            printf("  threshold systematic at T = %g ([order_alt]): N_c %.4g -> %.4g, gamma %.4g -> %.4g, log10 J %.3f -> "
                   "%.3f\n", Rt[k].T, Rt[k].n_c, Rt[k].n_c_alt, Rt[k].rate.central.gamma, Rt[k].rate_alt.central.gamma,
                   Rt[k].rate.central.log10_J, Rt[k].rate_alt.central.log10_J);
    if (nTr >= 2) {
        printf("  gamma(T) = %.5g + %.5g T (se %.2g, %.2g; chi^2 %.3g, %d temperatures)\n", gfit->a, gfit->b,
               sqrt(gfit->cov[0][0]), sqrt(gfit->cov[1][1]), gfit->chisq, nTr);
        printf("  J(T) curve (log10 J, 68%% band): ");
        for (int q = 0; q < cv->n; q += (cv->n > 5 ? (cv->n - 1) / 4 : 1))
            printf("T %.4g: %.2f [%.2f, %.2f]  ", cv->T[q], cv->log10_J[q], cv->lo68[q], cv->hi68[q]);
        printf("\n");
    } else {
        printf("  one temperature: add [cnt] extra_temperatures for gamma(T) and a J(T) band\n");
    }
    fflush(stdout);
}

/* The part of PREFIX.rates.nc that spans temperatures: per-temperature results, the threshold
 * systematic, the gamma(T) line and the J(T) curve. Called inside write_rates_nc (define mode). */
static int write_rates_nc_T(io_ncfile *f, const job *j, const results *Rt, int nTr, const cnt_linfit *gfit,
                            const rate_curve *cv)
{
    const md_units *u = md_units_get(j->job.run.units);
    char rate_u[128], tens_u[128], log_u[160], inv_t[64], slope_u[160];
    snprintf(rate_u, sizeof rate_u, "%s^-3 %s^-1", u->length, u->time);
    snprintf(tens_u, sizeof tens_u, "%s %s^-2", u->energy, u->length);
    snprintf(log_u, sizeof log_u, "log10(%s)", rate_u);
    snprintf(inv_t, sizeof inv_t, "%s^-1", u->time);
    snprintf(slope_u, sizeof slope_u, "%s %s^-2 %s^-1", u->energy, u->length, u->temperature);
    enum { NV = 46 };
    double *buf = malloc(sizeof(double) * NV * (size_t)nTr);
    if (!buf) return SR_ERROR(SR_ENOMEM, "out of memory");
    struct tv {
        const char *name, *units, *ln;
    } V[NV] = {
        {"rate_temperature", u->temperature, "temperatures of the rate (first: [ensemble] temperature)"},
        {"rate_dmu", u->energy, "dmu at each temperature (Gibbs-Helmholtz)"},
        {"rate_n_c", "atoms", "N_c at each temperature"},
        {"rate_n_c_lo68", "atoms", "N_c bootstrap 68% low"},
        {"rate_n_c_hi68", "atoms", "N_c bootstrap 68% high"},
        {"rate_n_c_replicas", "1", "decided replicas behind N_c"},
        {"rate_f_plus", inv_t, "f+ at each temperature"},
        {"rate_f_plus_lo68", inv_t, "f+ bootstrap 68% low"},
        {"rate_f_plus_hi68", inv_t, "f+ bootstrap 68% high"},
        {"rate_gamma", tens_u, "gamma at each temperature"},
        {"rate_gamma_lo68", tens_u, "gamma 68% low"},
        {"rate_gamma_hi68", tens_u, "gamma 68% high"},
        {"rate_beta_dG_star", "1", "dG*/kT at each temperature"},
        {"rate_log10_J", log_u, "log10 J at each temperature"},
        {"rate_log10_J_lo68", log_u, "log10 J 68% low"},
        {"rate_log10_J_hi68", log_u, "log10 J 68% high"},
        {"rate_log10_J_si", "log10(m^-3 s^-1)", "log10 J in SI at each temperature (NaN: not convertible)"},
        {"rate_n_c_alt", "atoms", "N_c with the [order_alt] classifier (threshold systematic; NaN: none)"},
        {"rate_f_plus_alt", inv_t, "f+ with the [order_alt] classifier"},
        {"rate_gamma_alt", tens_u, "gamma with the [order_alt] classifier"},
        {"rate_log10_J_alt", log_u, "log10 J with the [order_alt] classifier"},
        {"rate_log10_J_total_lo68", log_u, "log10 J 68% low, statistics + systematics (the headline interval)"},
        {"rate_log10_J_total_hi68", log_u, "log10 J 68% high, statistics + systematics (the headline interval)"},
        {"rate_log10_J_total_lo95", log_u, "log10 J 95% low, statistics + systematics"},
        {"rate_log10_J_total_hi95", log_u, "log10 J 95% high, statistics + systematics"},
        {"rate_log10_J_sys_classifier", "1", "largest |d log10 J| over the neighbouring classifier settings (NaN: none)"},
        {"rate_log10_J_sys_n0", "1", "|d log10 J| of the N_0 convention (N_c on the relaxation fit at 3 t_relax instead of the settled window)"},
        {"rate_log10_J_sys_alt", "1", "|d log10 J| of [order_alt] (NaN: none)"},
        {"rate_log10_J_sys_decision", "1", "|d log10 J| of the decision rule (the same traces re-decided with boundaries halfway to the settled size; NaN: none)"},
        {"rate_n_c_dec", "atoms", "N_c of the traces re-decided with boundaries halfway to the settled size"},
        {"rate_decision_margin", "1", "nearest decision boundary's distance from N_c over the barrier-top half-width "
                                      "1/(sqrt(pi) Z) (< 1: the rule decides inside the top)"},
        {"rate_decision_margin_half", "1", "the same for the halfway boundaries (< 1: rate_log10_J_sys_decision is "
                                           "left out of the total)"},
        {"rate_n_c_n0", "atoms", "N_c on N_max(0), the frozen perfect seed (reference only, not in the interval)"},
        {"rate_n_c_fit", "atoms", "N_c on the relaxation-fit size (second thermalised convention: the N_0 systematic)"},
        {"rate_n_c_nb_lo", "atoms", "N_c with the lower neighbouring classifier threshold"},
        {"rate_n_c_nb_hi", "atoms", "N_c with the higher neighbouring classifier threshold"},
        {"rate_log10_J_n0", log_u, "log10 J with N_c on the relaxation fit (second thermalised convention)"},
        {"rate_log10_J_nb_lo", log_u, "log10 J with the lower neighbouring classifier threshold"},
        {"rate_log10_J_nb_hi", log_u, "log10 J with the higher neighbouring classifier threshold"},
        {"rate_order_threshold", "1", "classifier threshold used (xi_c or qbar threshold; NaN: n/a)"},
        {"rate_mislabel_liquid", "1", "bulk-liquid atoms labelled solid at the state point's threshold"},
        {"rate_mislabel_crystal", "1", "bulk-crystal atoms labelled liquid at the state point's threshold"},
        {"rate_bulk_liquid_nmax", "atoms", "largest crystalline cluster in the bulk liquid at the state point"},
        {"rate_t_relax", u->time, "median interface relaxation time of the seeds (thermalisation fit)"},
        {"rate_rho_s", "", "crystal number density at each temperature (the rho_s(T) line of the bulk runs)"},
        {"rate_n_model_dev_flagged", "1", "campaign replicas whose committee model deviation passed [campaign] "
                                          "model_dev_threshold (they are in N_c and J)"},
    };
    char dens_u[64];
    snprintf(dens_u, sizeof dens_u, "%s^-3", u->length);
    V[NV - 2].units = dens_u;
    for (int k = 0; k < nTr; k++) {
        const results *Q = &Rt[k];
        const seed_rate_output *o = &Q->rate;
        const double v[NV] = {Q->T, Q->dmu, Q->n_c, Q->n_c_lo68, Q->n_c_hi68, Q->n_c_replicas, Q->fp.fit.f_plus,
                              Q->fp.boot.lo68, Q->fp.boot.hi68, o->central.gamma, o->mc.gamma.lo68, o->mc.gamma.hi68,
                              o->central.beta_dG, o->central.log10_J, o->mc.log10_J.lo68, o->mc.log10_J.hi68,
                              o->log10_J_si, Q->alt_ok ? Q->n_c_alt : NAN, Q->alt_ok ? Q->fp_alt.fit.f_plus : NAN,
                              Q->alt_ok ? Q->rate_alt.central.gamma : NAN, Q->alt_ok ? Q->rate_alt.central.log10_J : NAN,
                              Q->log10_J_total.lo68, Q->log10_J_total.hi68, Q->log10_J_total.lo95, Q->log10_J_total.hi95,
                              Q->sys_classifier, Q->sys_n0, Q->sys_alt, Q->sys_dec, Q->n_c_dec, Q->dec_margin, Q->dec_margin_half, Q->n_c_n0, Q->n_c_set, Q->n_c_nb[0], Q->n_c_nb[1],
                              Q->n0_ok ? Q->rate_n0.central.log10_J : NAN, Q->nb_ok[0] ? Q->rate_nb[0].central.log10_J : NAN,
                              Q->nb_ok[1] ? Q->rate_nb[1].central.log10_J : NAN, Q->order_threshold, Q->mislabel_liq,
                              Q->mislabel_xtal, (double)Q->bulk_nmax, Q->t_relax, Q->rho_s,
                              (double)Q->n_model_dev_flagged};
        for (int q = 0; q < NV; q++) buf[q * nTr + k] = v[q];
    }
    int rc = io_ncfile_def_dim(f, "rate_point", (size_t)nTr);
    const char *d_r[] = {"rate_point"}, *d_c[] = {"curve_point"};
    for (int q = 0; q < NV && !rc; q++) rc = io_ncfile_def_var(f, V[q].name, IO_NC_DOUBLE, 1, d_r, V[q].units, V[q].ln);
    const char *sys_names[2] = {"log10_J_systematic", "gamma_systematic"};
    double sys[2] = {NAN, NAN};
    if (Rt[0].alt_ok) {
        sys[0] = fabs(Rt[0].rate_alt.central.log10_J - Rt[0].rate.central.log10_J);
        sys[1] = fabs(Rt[0].rate_alt.central.gamma - Rt[0].rate.central.gamma);
    }
    if (!rc) rc = io_ncfile_def_var(f, sys_names[0], IO_NC_DOUBLE, 0, NULL, "1",
                                    "|log10 J([order_alt]) - log10 J| at T: order-parameter threshold systematic (NaN: no [order_alt])");
    if (!rc) rc = io_ncfile_def_var(f, sys_names[1], IO_NC_DOUBLE, 0, NULL, tens_u,
                                    "|gamma([order_alt]) - gamma| at T (NaN: no [order_alt])");
    double gl[5] = {NAN, NAN, NAN, NAN, NAN};
    const char *gnames[5] = {"gamma_fit_intercept", "gamma_fit_slope", "gamma_fit_cov_ab", "gamma_fit_intercept_se",
                             "gamma_fit_slope_se"};
    if (gfit) {
        gl[0] = gfit->a;
        gl[1] = gfit->b;
        gl[2] = gfit->cov[0][1];
        gl[3] = sqrt(gfit->cov[0][0]);
        gl[4] = sqrt(gfit->cov[1][1]);
        char cov_u[320];
        snprintf(cov_u, sizeof cov_u, "(%s) (%s)", tens_u, slope_u);
        if (!rc) rc = io_ncfile_def_var(f, gnames[0], IO_NC_DOUBLE, 0, NULL, tens_u, "gamma(T) = a + b T: a");
        if (!rc) rc = io_ncfile_def_var(f, gnames[1], IO_NC_DOUBLE, 0, NULL, slope_u, "gamma(T) = a + b T: b");
        if (!rc) rc = io_ncfile_def_var(f, gnames[2], IO_NC_DOUBLE, 0, NULL, cov_u, "covariance of a and b");
        if (!rc) rc = io_ncfile_def_var(f, gnames[3], IO_NC_DOUBLE, 0, NULL, tens_u, "standard error of a");
        if (!rc) rc = io_ncfile_def_var(f, gnames[4], IO_NC_DOUBLE, 0, NULL, slope_u, "standard error of b");
        if (!rc) rc = io_ncfile_def_dim(f, "curve_point", (size_t)cv->n);
        const char *cn[8] = {"curve_temperature", "curve_log10_J", "curve_log10_J_lo68", "curve_log10_J_hi68",
                             "curve_log10_J_lo95", "curve_log10_J_hi95", "curve_gamma", "curve_gamma_se"};
        const char *cu[8] = {u->temperature, log_u, log_u, log_u, log_u, log_u, tens_u, tens_u};
        const char *cl[8] = {"temperatures of the J(T) curve (extrapolated outside the rate temperatures)",
                             "log10 J(T) from gamma(T), dmu(T), rho(T) and f+(T) (ln f+ interpolated linearly in T)",
                             "log10 J(T) Monte-Carlo 68% low", "log10 J(T) 68% high", "log10 J(T) 95% low",
                             "log10 J(T) 95% high", "gamma(T) line", "standard error of the gamma(T) line"};
        for (int q = 0; q < 8 && !rc; q++) rc = io_ncfile_def_var(f, cn[q], IO_NC_DOUBLE, 1, d_c, cu[q], cl[q]);
        const double *cd[8] = {cv->T, cv->log10_J, cv->lo68, cv->hi68, cv->lo95, cv->hi95, cv->gamma, cv->gamma_se};
        for (int q = 0; q < 8 && !rc; q++) rc = io_ncfile_put_double(f, cn[q], NULL, NULL, cd[q]);
        for (int q = 0; q < 5 && !rc; q++) rc = io_ncfile_put_double(f, gnames[q], NULL, NULL, &gl[q]);
    }
    for (int q = 0; q < NV && !rc; q++) rc = io_ncfile_put_double(f, V[q].name, NULL, NULL, buf + q * nTr);
    for (int q = 0; q < 2 && !rc; q++) rc = io_ncfile_put_double(f, sys_names[q], NULL, NULL, &sys[q]);
    free(buf);
    return rc;
}

int seed_rate_run(const char *file)
{
    job J;
    memset(&J, 0, sizeof J);
    const int rank = seed_comm_rank();
    const double t0 = seed_now_s();
    sr_errlist el = {0};
    int rc = job_parse(&J, file, &el);
    if (!rc && !el.n) rc = seed_job_potential(&J.job, NULL, &el);
    if ((rc = seed_job_fail(&el, rc))) {
        job_free(&J);
        return rc;
    }
    results R;
    memset(&R, 0, sizeof R);
    R.T = J.job.ip.temperature;
    R.p = J.job.ip.pressure;
    R.kB = md_units_get(J.job.run.units)->boltz;
    if (rank == 0) {
        rc = seed_job_make_outdir(&J.job);
        printf("seedrate cnt: %s on %d rank(s): T = %g, p = %g (%s units)\n", file, seed_comm_size(), R.T, R.p,
               md_units_get(J.job.run.units)->name);
        fflush(stdout);
    }
    if (seed_comm_any(rc)) {
        job_free(&J);
        return rc ? rc : SR_EFAILED;
    }
    order_analyzer *an = NULL;
    rc = order_analyzer_create(J.job.cls, J.cc.cluster_cutoff, &an);
    stage1 S1;
    memset(&S1, 0, sizeof S1);
    /* 1 + 2 */
    if (!rc) rc = run_stage1(&J, an, &S1);
    if (!rc) rc = analyse_stage1(&J, &S1, &R, rank == 0);
    if (!rc && rank == 0) {
        printf("\n[cnt] T_m = %.4g +- %.2g (bracket [%g, %g] -> %.4g +- %.2g; v(T) root %.4g +- %.2g)\n", R.T_m,
               R.T_m_se, R.T_low, R.T_high, R.T_m_bracket, R.T_m_bracket_se, R.T_m_vel, R.T_m_vel_se);
        printf("[cnt] at T = %g: dmu = %.4g +- %.2g (Gibbs-Helmholtz; linear %.4g), rho_s = %.4g +- %.2g, "
               "rho_l = %.4g +- %.2g; T/T_m = %.3f\n\n", R.T, R.dmu, R.dmu_se, R.dmu_lin, R.rho_s, R.rho_s_se, R.rho_l,
               R.rho_l_se, R.T / R.T_m);
        fflush(stdout);
    }
    /* 3-5 at every temperature of the rate: campaign -> N_c, f+ -> CNT */
    int nTr = 1 + J.jc.extra_temperatures.n;
    results *Rt = calloc((size_t)nTr, sizeof *Rt);
    order_analyzer *an_alt = NULL;
    if (!Rt) rc = rc ? rc : SR_ERROR(SR_ENOMEM, "out of memory");
    if (!rc && J.alt) rc = order_analyzer_create(J.alt, J.cc.cluster_cutoff, &an_alt);
    int nok = 0; /* temperatures with a rate; Rt[0..nok-1] */
    for (int it = 0; it < nTr && !rc; it++) {
        results *Q = &Rt[nok];
        if (it == 0) {
            *Q = R;
        } else {
            Q->T = J.jc.extra_temperatures.v[it - 1];
            Q->p = R.p;
            Q->kB = R.kB;
            rc = analyse_stage1(&J, &S1, Q, 0);
        }
        Q->it = it;
        if (it == 0) snprintf(Q->prefix, sizeof Q->prefix, "%s", J.job.oc.prefix);
        else snprintf(Q->prefix, sizeof Q->prefix, "%s-T%g", J.job.oc.prefix, Q->T);
        double sizes[SR_KW_MAXLIST];
        int nsizes = 0;
        if (!rc && it > 0) rc = scaled_sizes(&J, Rt, nok, sizes, &nsizes);
        if (!rc && rank == 0 && it > 0) {
            printf("\n[cnt] temperature %d of %d: T = %g, dmu = %.4g +- %.2g, seed sizes", it + 1, nTr, Q->T, Q->dmu,
                   Q->dmu_se);
            for (int q = 0; q < nsizes; q++) printf(" %.0f", sizes[q]);
            printf(" (thermalised sizes scaled from the first campaign by CNT)\n");
            fflush(stdout);
        }
        seed_campaign_override ov = {.temperature = Q->T, .sizes = sizes, .nsizes = nsizes, .prefix = Q->prefix,
                                     .alt = J.alt, .stream_offset = 10000000L * it};
        if (!rc) rc = bracketed_campaign(&J, it, Q->T, sizes, &nsizes, &ov);
        if (seed_comm_any(rc)) rc = rc ? rc : SR_EFAILED;
        if (!rc) rc = read_campaign(Q->prefix, Q);
        /* the f+ runs label with the campaign's classifier (threshold chosen at this state point) */
        order_classifier *cq = NULL;
        order_analyzer *aq = NULL;
        if (!rc && Q->order_calibrated >= 0 && isfinite(Q->order_threshold))
            rc = order_classifier_with_threshold(J.job.cls, Q->order_threshold, &cq);
        if (!rc && cq) rc = order_analyzer_create(cq, J.cc.cluster_cutoff, &aq);
        if (!rc) rc = run_attach(&J, aq ? aq : an, Q->has_alt ? an_alt : NULL, Q);
        order_analyzer_free(aq);
        order_classifier_free(cq);
        /* every rank assembles (same draws, same numbers): the next temperature's sizes need gamma */
        if (!rc) rc = assemble_rate(&J, Q);
        if (!rc && rank == 0) print_rate(&J, Q);
        if (!rc) {
            nok++;
            continue;
        }
        if (it == 0) break; /* the rate at [ensemble] temperature is the job */
        /* an extra temperature that fails (e.g. no P_grow fit) is reported and left out; the errors above are
         * collective (seed_comm_any / broadcasts) or deterministic, so every rank takes this branch */
        if (rank == 0)
            printf("\n[cnt] WARNING: T = %g left out of gamma(T) and J(T): %s\n", Q->T, sr_error_message());
        sr_error_clear();
        free(Q->attach_t);
        free(Q->attach_N);
        free(Q->attach_msd);
        free(Q->attach_N_alt);
        memset(Q, 0, sizeof *Q);
        rc = SR_OK;
    }
    const int nTr_all = nTr;
    nTr = nok;
    cnt_linfit gfit;
    memset(&gfit, 0, sizeof gfit);
    rate_curve cv;
    memset(&cv, 0, sizeof cv);
    if (!rc && nTr >= 2) rc = gamma_curve(&J, Rt, nTr, &gfit, &cv);
    if (!rc && rank == 0) {
        print_summary(&J, Rt, nTr, &gfit, &cv);
        rc = write_rates_nc(&J, &S1, Rt, nTr, nTr >= 2 ? &gfit : NULL, &cv);
        if (!rc) printf("[cnt] wrote %s.rates.nc; wall time %.1f s\n", J.job.oc.prefix, seed_now_s() - t0);
    }
    for (int it = 0; Rt && it < nTr_all; it++) {
        free(Rt[it].attach_t);
        free(Rt[it].attach_N);
        free(Rt[it].attach_msd);
        free(Rt[it].attach_N_alt);
    }
    free(Rt);
    rate_curve_free(&cv);
    order_analyzer_free(an_alt);
    if (seed_comm_any(rc)) rc = rc ? rc : SR_EFAILED;
    if (rc && rank == 0) fprintf(stderr, "seedrate: error: %s\n", sr_error_message());
    stage1_free(&S1);
    order_analyzer_free(an);
    job_free(&J);
    return rc;
}
