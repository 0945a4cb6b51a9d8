/* seedrate report PREFIX: Markdown report (PREFIX.report.md) of a campaign (PREFIX.nc) and, when present,
 * of its rate (PREFIX.rates.nc), with PNG plots made by gnuplot (data + .gp scripts in PREFIX.report/;
 * without gnuplot the scripts are kept and the report says the plots are missing). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "../cnt/cnt.h"
#include "../io/io.h"
#include "../md/md.h"
#include "../seeding/seed_cnt.h"

typedef struct ncvar {
    double *v;
    size_t n;
} ncvar;

/* The files of this report, each opened once with its completeness checksum verified (io_ncin_open):
 * a file cut short or never finished is refused before anything is written. */
static struct opened_file {
    char *path;
    io_ncin *r;
} opened[16];
static int nopened;

static io_ncin *file_of(const char *path)
{
    for (int i = 0; i < nopened; i++)
        if (!strcmp(opened[i].path, path)) return opened[i].r;
    if (nopened == (int)(sizeof opened / sizeof *opened)) {
        SR_ERROR(SR_EINVAL, "report: too many files");
        return NULL;
    }
    io_ncin *r = NULL;
    char *copy = malloc(strlen(path) + 1);
    if (!copy) {
        SR_ERROR(SR_ENOMEM, "out of memory");
        return NULL;
    }
    strcpy(copy, path);
    if (io_ncin_open(path, IO_NCIN_VERIFY, &r)) {
        free(copy);
        return NULL;
    }
    opened[nopened].path = copy;
    opened[nopened++].r = r;
    return r;
}

static void close_files(void)
{
    for (int i = 0; i < nopened; i++) {
        io_ncin_close(opened[i].r);
        free(opened[i].path);
    }
    nopened = 0;
}

static int get(const char *path, const char *name, ncvar *out)
{
    out->v = NULL;
    out->n = 0;
    io_ncin *r = file_of(path);
    int rc = r ? io_ncin_read_double(r, name, &out->v, &out->n) : SR_EIO;
    if (rc) sr_error_clear();
    return rc;
}

static double get1(const char *path, const char *name)
{
    ncvar x;
    if (get(path, name, &x)) return NAN;
    double v = x.n ? x.v[0] : NAN;
    free(x.v);
    return v;
}

static int have_gnuplot(void)
{
    return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

static int plot(const char *dir, const char *name, const char *script, int gp, FILE *md, const char *caption)
{
    char path[8300];
    snprintf(path, sizeof path, "%s/%s.gp", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) return SR_ERROR(SR_EIO, "%s: cannot write: %s", path, strerror(errno));
    fprintf(f, "set terminal pngcairo size 800,560\nset output '%s/%s.png'\n%s", dir, name, script);
    fclose(f);
    int ok = 0;
    if (gp) {
        char cmd[8400];
        snprintf(cmd, sizeof cmd, "gnuplot '%s' 2>'%s/%s.gp.log'", path, dir, name);
        ok = system(cmd) == 0;
    }
    /* links relative to the report, which sits next to the plot folder */
    const char *slash = strrchr(dir, '/');
    if (ok) fprintf(md, "![%s](%s/%s.png)\n\n*%s*\n\n", caption, slash ? slash + 1 : dir, name, caption);
    else fprintf(md, "*%s: no PNG (%s); script %s*\n\n", caption, gp ? "gnuplot failed" : "gnuplot not found", path);
    return SR_OK;
}

/* One rate from an independent route for the rate plots and the comparison table: brute force (seedrate brute:
 * log10 J_MLE with its bootstrap 68% interval, log10 J_lag of the shifted exponential) or forward flux sampling
 * (seedrate ffs: log10 J with its bootstrap 68% interval, the analytic one when there is no bootstrap). */
enum { ROUTE_BRUTE, ROUTE_FFS };
typedef struct brute_pt {
    int route;
    double T, lj, lo, hi, lag;
    char path[1024];
} brute_pt;

static int read_brute(const char *path, brute_pt *b)
{
    b->route = ROUTE_BRUTE;
    snprintf(b->path, sizeof b->path, "%s", path);
    if (!file_of(path)) return sr_error_status() ? sr_error_status() : SR_EIO;
    b->T = get1(path, "temperature");
    const double j = get1(path, "j_mle"), lo = get1(path, "j_mle_boot_lo68"), hi = get1(path, "j_mle_boot_hi68");
    const double lag = get1(path, "j_lag");
    if (!(isfinite(b->T) && j > 0)) return SR_ERROR(SR_EINVAL, "%s: not a seedrate brute-force file with a rate", path);
    b->lj = log10(j);
    b->lo = lo > 0 ? log10(lo) : b->lj;
    b->hi = hi > 0 ? log10(hi) : b->lj;
    b->lag = lag > 0 ? log10(lag) : NAN;
    return SR_OK;
}

static int read_ffs(const char *path, brute_pt *b)
{
    b->route = ROUTE_FFS;
    snprintf(b->path, sizeof b->path, "%s", path);
    if (!file_of(path)) return sr_error_status() ? sr_error_status() : SR_EIO;
    b->T = get1(path, "temperature");
    const double j = get1(path, "j");
    double lo = get1(path, "j_boot_lo68"), hi = get1(path, "j_boot_hi68");
    if (!(lo > 0 && hi > 0)) {
        lo = get1(path, "j_lo68");
        hi = get1(path, "j_hi68");
    }
    if (!(isfinite(b->T) && j > 0 && isfinite(get1(path, "committed_fraction"))))
        return SR_ERROR(SR_EINVAL, "%s: not a seedrate forward-flux file with a rate", path);
    b->lj = log10(j);
    b->lo = lo > 0 ? log10(lo) : b->lj;
    b->hi = hi > 0 ? log10(hi) : b->lj;
    b->lag = NAN;
    return SR_OK;
}

/* An umbrella-sampling free-energy profile (seedrate umbrella) for the dG(n) plot against the CNT curve. */
typedef struct umb_pt {
    double T;
    double lj, lo, hi; /* its log10 J and 68% interval (NaN: no f+, no rate) */
    char path[1024];
} umb_pt;

static int read_umbrella(const char *path, umb_pt *u)
{
    snprintf(u->path, sizeof u->path, "%s", path);
    if (!file_of(path)) return sr_error_status() ? sr_error_status() : SR_EIO;
    u->T = get1(path, "temperature");
    u->lj = get1(path, "log10_j");
    u->lo = get1(path, "log10_j_lo68");
    u->hi = get1(path, "log10_j_hi68");
    sr_error_clear(); /* files without a rate are fine */
    ncvar n, dg;
    const int e1 = get(path, "n", &n), e2 = get(path, "dg", &dg);
    const int bad = e1 || e2 || n.n < 2 || dg.n != n.n || !isfinite(u->T);
    free(n.v);
    free(dg.v);
    if (bad) return SR_ERROR(SR_EINVAL, "%s: not a seedrate umbrella-sampling file with a dG(n) profile", path);
    return SR_OK;
}

/* Seeding + CNT at temperature T from the rates file R (NULL: none): dmu and gamma of the rate temperature T,
 * rho_s interpolated linearly in the bulk runs' temperatures, N_c with its 68% interval. 0 when T is not a rate
 * temperature of the job. */
typedef struct cnt_at {
    double dmu, gamma, rho_s, kT, n_c, n_c_lo, n_c_hi;
} cnt_at;

static int seeding_at(const char *R, double T, cnt_at *c)
{
    if (!R) return 0;
    ncvar rT, rd, rg, rn, rl, rh, bT, rs, rr;
    get(R, "rate_temperature", &rT);
    get(R, "rate_rho_s", &rr);
    get(R, "rate_dmu", &rd);
    get(R, "rate_gamma", &rg);
    get(R, "rate_n_c", &rn);
    get(R, "rate_n_c_lo68", &rl);
    get(R, "rate_n_c_hi68", &rh);
    get(R, "bulk_temperature", &bT);
    get(R, "rho_sol", &rs);
    int found = 0;
    c->rho_s = NAN;
    for (size_t k = 0; k < rT.n && k < rd.n && k < rg.n && k < rn.n && k < rl.n && k < rh.n; k++)
        if (fabs(rT.v[k] - T) < 1e-9 * (1 + fabs(T))) {
            c->dmu = rd.v[k];
            c->gamma = rg.v[k];
            c->n_c = rn.v[k];
            c->n_c_lo = rl.v[k];
            c->n_c_hi = rh.v[k];
            c->rho_s = k < rr.n ? rr.v[k] : NAN;
            found = 1;
        }
    if (found && !isfinite(c->rho_s) && bT.n >= 2 && rs.n == bT.n) { /* rates files before rate_rho_s */
        size_t k = 0; /* bulk temperatures are increasing (cnt checks it) */
        while (k + 2 < bT.n && bT.v[k + 1] < T) k++;
        const double t = (T - bT.v[k]) / (bT.v[k + 1] - bT.v[k]);
        c->rho_s = rs.v[k] + t * (rs.v[k + 1] - rs.v[k]);
    }
    char units[64] = "lj";
    if (io_ncin_read_att_text(file_of(R), NULL, "units_style", units, sizeof units)) sr_error_clear();
    int style = MD_UNITS_LJ;
    if (md_units_parse(units, &style)) sr_error_clear();
    c->kT = md_units_get(style)->boltz * T;
    free(rT.v); free(rd.v); free(rg.v); free(rn.v); free(rl.v); free(rh.v); free(bT.v); free(rs.v); free(rr.v);
    sr_error_clear();
    return found && isfinite(c->rho_s) && c->rho_s > 0 && c->dmu < 0 && c->gamma > 0;
}

/* Umbrella sampling's dG(N_max) against the CNT curve of this job's seeding gamma at the same temperature,
 * beta dG(n) = (n dmu + (36 pi)^(1/3) rho_s^(-2/3) gamma n^(2/3)) / kT, and n* against the seeding N_c. */
static void umbrella_section(FILE *md, const char *dir, int gp, const char *R, const umb_pt *up, int nup)
{
    fprintf(md, "## Umbrella sampling vs seeding + CNT\n\ndG(n)/kT = -ln P(N_max = n) + const from `seedrate umbrella` "
                "(WHAM over the windows, bootstrap errors) against the CNT curve of this job's seeding at the same "
                "temperature: beta dG(n) = (n dmu + (36 pi)^(1/3) rho_s^(-2/3) gamma n^(2/3)) / kT, gamma from the "
                "seeding N_c. The two use the same classifier only if the umbrella input's [order] is the campaign's "
                "(the threshold calibrated at this state point).\n\n"
                "| umbrella file | T | n* (68%%) | dG*/kT (sd) | seeding N_c (68%%) | CNT n* | CNT dG*/kT |\n"
                "|---|---|---|---|---|---|---|\n");
    char s[8000], series[6000] = "";
    size_t used = 0;
    for (int q = 0; q < nup; q++) {
        const umb_pt *u = &up[q];
        ncvar n, dg, de;
        get(u->path, "n", &n);
        get(u->path, "dg", &dg);
        get(u->path, "dg_err", &de);
        cnt_at c;
        double ns = NAN, gs = NAN; /* CNT n* and dG* (energy) of the seeding gamma */
        int have = seeding_at(R, u->T, &c);
        if (have && cnt_critical_size(c.gamma, c.dmu, c.rho_s, &ns, &gs) != SR_OK) {
            sr_error_clear();
            have = 0;
        }
        if (have) gs /= c.kT;
        fprintf(md, "| `%s` | %.4g | %.4g [%.4g, %.4g] | %.3g (%.2g) | ", u->path, u->T, get1(u->path, "n_star"),
                get1(u->path, "n_star_lo68"), get1(u->path, "n_star_hi68"), get1(u->path, "dg_star"),
                get1(u->path, "dg_star_err"));
        if (have)
            fprintf(md, "%.4g [%.4g, %.4g] | %.4g | %.3g |\n", c.n_c, c.n_c_lo, c.n_c_hi, ns, gs);
        else
            fprintf(md, "(T not a rate temperature of this job) | | |\n");
        char p[4300];
        snprintf(p, sizeof p, "%s/umbrella%d.dat", dir, q);
        FILE *f = fopen(p, "w");
        if (f) {
            for (size_t k = 0; k < n.n && k < dg.n; k++) {
                const double x = n.v[k];
                fprintf(f, "%g %g %g %g\n", x, dg.v[k], k < de.n ? de.v[k] : 0,
                        have ? cnt_umbrella_cnt_curve(x, c.dmu, c.rho_s, c.gamma, c.kT) : NAN);
            }
            fclose(f);
        }
        const int w = snprintf(series + used, sizeof series - used,
                               "%s'%s' u 1:2:3 w yerrorbars pt 7 ps 0.6 t 'umbrella T = %g', '' u 1:4 w l lw 2 dt %d "
                               "t 'CNT, seeding {/Symbol g} (T = %g)'", q ? ", " : "", p, u->T, q + 1, u->T);
        if (w > 0 && (size_t)w < sizeof series - used) used += (size_t)w;
        free(n.v); free(dg.v); free(de.v);
    }
    fprintf(md, "\n");
    snprintf(s, sizeof s, "set xlabel 'N_{max} (atoms)'\nset ylabel '{/Symbol D}G / kT'\nset key top left\nplot %s\n",
             series);
    plot(dir, "umbrella", s, gp, md, "umbrella-sampling dG(N_max) (68% bootstrap bars) and the CNT curve of the seeding "
                                     "gamma at the same temperature");
}

/* gnuplot series of the independent routes' points (brute.dat, ffs.dat), appended to a rate plot */
static void routes_plot(char *buf, size_t len, const char *dir, int nbrute, int nffs)
{
    int n = 0;
    buf[0] = 0;
    if (nbrute)
        n = snprintf(buf, len, ", '%s/brute.dat' u 1:2:3:4 w yerrorbars pt 5 ps 1.3 lc rgb 'red' t 'brute force "
                               "(J_{MLE}, 68%%)', '' u 1:5 w p pt 4 ps 1.3 lc rgb 'red' t 'brute force (J_{lag})'", dir);
    if (nffs && n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ", '%s/ffs.dat' u 1:2:3:4 w yerrorbars pt 9 ps 1.5 lc rgb '#008000' "
                                           "t 'forward flux (68%%)'", dir);
}

static int report(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        FILE *o = argc < 2 ? stderr : stdout;
        fprintf(o, "usage: seedrate report PREFIX [--brute FILE.brute.nc ...] [--ffs FILE.ffs.nc ...]\n"
                   "                      [--umbrella FILE.umbrella.nc ...]\n"
                   "  Markdown report PREFIX.report.md with PNG plots (gnuplot) of PREFIX.nc (campaign) and\n"
                   "  PREFIX.rates.nc (seedrate cnt), if present. --brute and --ffs (repeatable, up to 8 together):\n"
                   "  brute-force (seedrate brute) and forward-flux (seedrate ffs) rates drawn on the J(T) plots and\n"
                   "  compared with seeding + CNT in a table. --umbrella (repeatable, up to 4): dG(N_max) of seedrate\n"
                   "  umbrella against the CNT curve -n|dmu| + (36 pi)^(1/3) rho_s^(-2/3) gamma n^(2/3) of this job's\n"
                   "  seeding gamma at the same temperature, and its n* against the seeding N_c\n");
        return argc < 2 ? 2 : 0;
    }
    const char *prefix = argv[1];
    brute_pt bp[8];
    umb_pt up[4];
    int nbp = 0, nup = 0, nbrute = 0, nffs = 0;
    for (int a = 2; a < argc; a++) {
        const int is_brute = !strcmp(argv[a], "--brute"), is_ffs = !strcmp(argv[a], "--ffs");
        if ((is_brute || is_ffs) && a + 1 < argc) {
            if (nbp == 8) {
                fprintf(stderr, "seedrate: error: report: at most 8 --brute and --ffs files together\n");
                return 2;
            }
            if (access(argv[a + 1], R_OK) != 0 ||
                (is_brute ? read_brute(argv[a + 1], &bp[nbp]) : read_ffs(argv[a + 1], &bp[nbp])) != 0) {
                fprintf(stderr, "seedrate: error: report: %s %s: %s\n", argv[a], argv[a + 1],
                        access(argv[a + 1], R_OK) != 0 ? strerror(errno) : sr_error_message());
                return 2;
            }
            nbrute += is_brute;
            nffs += is_ffs;
            nbp++;
            a++;
        } else if (!strcmp(argv[a], "--umbrella") && a + 1 < argc) {
            if (nup == 4) {
                fprintf(stderr, "seedrate: error: report: at most 4 --umbrella files\n");
                return 2;
            }
            if (access(argv[a + 1], R_OK) != 0 || read_umbrella(argv[a + 1], &up[nup]) != 0) {
                fprintf(stderr, "seedrate: error: report: --umbrella %s: %s\n", argv[a + 1],
                        access(argv[a + 1], R_OK) != 0 ? strerror(errno) : sr_error_message());
                return 2;
            }
            nup++;
            a++;
        } else {
            fprintf(stderr, "seedrate: error: report: unknown or incomplete option '%s'\n", argv[a]);
            return 2;
        }
    }

    char cpath[4200], rpath[4200], mdpath[4200], dir[4200];
    snprintf(cpath, sizeof cpath, "%s.nc", prefix);
    snprintf(rpath, sizeof rpath, "%s.rates.nc", prefix);
    snprintf(mdpath, sizeof mdpath, "%s.report.md", prefix);
    snprintf(dir, sizeof dir, "%s.report", prefix);
    if (access(cpath, R_OK) != 0) {
        fprintf(stderr, "seedrate: error: %s: cannot read the campaign file (%s)\n", cpath, strerror(errno));
        return 1;
    }
    const int have_rates = access(rpath, R_OK) == 0;
    /* damaged, unfinished or older files: refused with the file's name, before any output exists */
    if (!file_of(cpath) || (have_rates && !file_of(rpath))) {
        fprintf(stderr, "seedrate: error: report: %s\n", sr_error_message());
        return 1;
    }
    if (mkdir(dir, 0755) && errno != EEXIST) {
        fprintf(stderr, "seedrate: error: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    ncvar nmax, time, outcome, x, ng, nd, nu, nfail;
    if (get(cpath, "n_max", &nmax) || get(cpath, "time", &time) || get(cpath, "outcome", &outcome) ||
        get(cpath, "x", &x) || get(cpath, "n_grown", &ng) || get(cpath, "n_decided", &nd) ||
        get(cpath, "n_undecided", &nu) || get(cpath, "n_failed", &nfail)) {
        fprintf(stderr, "seedrate: error: %s is not a seedrate campaign file (sizes mode)\n", cpath);
        return 1;
    }
    char units[64] = "?";
    if (io_ncin_read_att_text(file_of(cpath), NULL, "units_style", units, sizeof units)) sr_error_clear();
    const double n_c = get1(cpath, "n_c"), w = get1(cpath, "width");
    const int gp = have_gnuplot();
    char mdtmp[4300];
    snprintf(mdtmp, sizeof mdtmp, "%s.tmp", mdpath);
    FILE *md = fopen(mdtmp, "w"); /* renamed to mdpath when complete */
    if (!md) {
        fprintf(stderr, "seedrate: error: %s: cannot write: %s\n", mdtmp, strerror(errno));
        return 1;
    }
    fprintf(md, "# seedrate report: %s\n\nCampaign `%s`, rates `%s`, units `%s`.%s\n\n", prefix, cpath,
            have_rates ? rpath : "(none)", units, gp ? "" : " **gnuplot not found: no PNG plots.**");
    /* ---- campaign table ---- */
    unsigned tot = 0;
    double ndec = 0;
    ncvar ssz, xn0, trl;
    const int proto = get(cpath, "x_n0", &xn0) == 0;
    if (!proto) sr_error_clear();
    if (get(cpath, "seed_size", &ssz)) sr_error_clear();
    if (get(cpath, "t_relax", &trl)) sr_error_clear();
    fprintf(md, "## Seeding campaign\n\nN_c is counted on the **thermalised** seed: per point, the mean over replicas "
                "of N_max averaged over the frames around the settle frame (after the interface relabelling; no decision "
                "before it), and P_grow is fitted against it (N_th). t_relax: relaxation time of the interface labels, "
                "from the fit N_th + (N(0) - N_th) exp(-t/t_relax) + v t of the mean trace. N_max(0), the frozen perfect "
                "seed, is kept for reference only.\n\n"
                "| point | seed | <N_max(0)> | N_th | t_relax | grown | decided | undecided | failed | P_grow |\n"
                "|---|---|---|---|---|---|---|---|---|---|\n");
    char p1[8300];
    snprintf(p1, sizeof p1, "%s/pgrow.dat", dir);
    FILE *f = fopen(p1, "w");
    for (size_t p = 0; p < x.n; p++) {
        const double P = nd.v[p] > 0 ? ng.v[p] / nd.v[p] : NAN;
        /* binomial standard error of the observed fraction */
        const double se = nd.v[p] > 0 ? sqrt(P * (1 - P) / nd.v[p]) : NAN;
        fprintf(md, "| %zu | %.0f | %.1f | %.1f | %.3g | %.0f | %.0f | %.0f | %.0f | %.2f |\n", p,
                p < ssz.n ? ssz.v[p] : NAN, proto && p < xn0.n ? xn0.v[p] : x.v[p], x.v[p],
                p < trl.n ? trl.v[p] : NAN, ng.v[p], nd.v[p], nu.v[p], nfail.v[p], P);
        if (f && nd.v[p] > 0) fprintf(f, "%g %g %g\n", x.v[p], P, se);
        tot += (unsigned)(nd.v[p] + nu.v[p] + nfail.v[p]);
        ndec += nd.v[p];
    }
    if (f) fclose(f);
    fprintf(md, "\nN_c = %.4g +- %.2g atoms (Fisher standard error), bootstrap 68%% [%.4g, %.4g], 95%% [%.4g, %.4g]; "
                "logistic width w = %.3g; from %u replicas (%.0f decided).\n\n", n_c, get1(cpath, "n_c_se"),
            get1(cpath, "boot_lo68"), get1(cpath, "boot_hi68"), get1(cpath, "boot_lo95"), get1(cpath, "boot_hi95"), w,
            tot, ndec);
    if (get1(cpath, "n_model_dev_flagged") > 0) fprintf(md, "**WARNING: %.0f replicas passed the committee model-deviation threshold %g (model_dev_flag); N_c above includes them.**\n\n", get1(cpath, "n_model_dev_flagged"), get1(cpath, "model_dev_threshold"));
    /* the classifier at the state point and the other conventions of the same replicas */
    const double th = get1(cpath, "order_threshold");
    const int calib = (int)get1(cpath, "order_calibrated");
    if (isfinite(th)) {
        ncvar thn;
        if (get(cpath, "order_threshold_nb", &thn)) sr_error_clear();
        fprintf(md, "Classifier threshold **%g** (%s; Espinosa et al., JCP 144, 034501 (2016)): at the state point's "
                    "own equal-mislabelling threshold %g, %.3g%% of the bulk liquid's atoms are labelled solid and %.3g%% of "
                    "the bulk crystal's liquid; the bulk liquid's largest crystalline cluster has %.0f atoms. Neighbouring "
                    "thresholds %g and %g give the classifier systematic.\n\n", th,
                calib == 1 ? "chosen at the state point by the mislabelling criterion" : "as given in [order]",
                get1(cpath, "order_threshold_statepoint"), 100 * get1(cpath, "mislabel_liquid"),
                100 * get1(cpath, "mislabel_crystal"), get1(cpath, "bulk_liquid_nmax"), thn.n == 2 ? thn.v[0] : NAN,
                thn.n == 2 ? thn.v[1] : NAN);
        free(thn.v);
    }
    if (proto) {
        ncvar ncb;
        if (get(cpath, "n_c_nb", &ncb)) sr_error_clear();
        fprintf(md, "Other conventions, same replicas and outcomes: N_c on the relaxation fit at 3 t_relax = %.4g; with the neighbouring classifier thresholds N_c = %.4g and %.4g (thermalised). "
                    "These enter the headline interval of J below. For reference only (the frozen, perfect seed, not a "
                    "thermalised size): N_c on N_max(0) = %.4g.\n\n", get1(cpath, "n_c_fit"),
                ncb.n == 2 ? ncb.v[0] : NAN, ncb.n == 2 ? ncb.v[1] : NAN, get1(cpath, "n_c_n0"));
        free(ncb.v);
    }
    free(ssz.v);
    free(xn0.v);
    free(trl.v);
    char s[40000];
    if (isfinite(w))
        snprintf(s, sizeof s,
                 "set xlabel 'thermalised seed size N_{th} (atoms)'\nset ylabel 'P_{grow}'\nset yrange [-0.05:1.05]\nset key left\n"
                 "plot '%s/pgrow.dat' u 1:2:3 w yerrorbars pt 7 t 'replicas (binomial se)', "
                 "1/(1+exp(-(x-(%g))/(%g))) lw 2 t 'maximum-likelihood fit, N_c = %.3g'\n", dir, n_c, w, n_c);
    else /* separated outcomes: N_c bracketed, no logistic width */
        snprintf(s, sizeof s,
                 "set xlabel 'seed size N (atoms)'\nset ylabel 'P_{grow}'\nset yrange [-0.05:1.05]\nset key left\n"
                 "set arrow from %g, graph 0 to %g, graph 1 nohead lw 2\n"
                 "plot '%s/pgrow.dat' u 1:2:3 w yerrorbars pt 7 t 'replicas (binomial se); line: N_c = %.3g (bracket)'\n",
                 n_c, n_c, dir, n_c);
    plot(dir, "pgrow", s, gp && isfinite(n_c), md, "P_grow vs seed size with the logistic fit");
    /* N_max traces coloured by outcome */
    const size_t nrep = outcome.n, nfr = nrep ? nmax.n / nrep : 0;
    const char *oname[4] = {"melted", "grown", "undecided", "failed"};
    for (int o = 0; o < 4; o++) {
        snprintf(p1, sizeof p1, "%s/nmax_%s.dat", dir, oname[o]);
        f = fopen(p1, "w");
        if (!f) continue;
        fprintf(f, "# time N_max\n0 NaN\n\n");
        for (size_t r = 0; r < nrep; r++) {
            if ((int)outcome.v[r] != o) continue;
            for (size_t k = 0; k < nfr; k++)
                if (nmax.v[r * nfr + k] >= 0) fprintf(f, "%g %g\n", time.v[k], nmax.v[r * nfr + k]);
            fprintf(f, "\n");
        }
        fclose(f);
    }
    snprintf(s, sizeof s,
             "set xlabel 'time'\nset ylabel 'N_{max} (atoms)'\nset key left\n"
             "plot '%s/nmax_grown.dat' w l lc rgb 'blue' t 'grown', '%s/nmax_melted.dat' w l lc rgb 'red' t 'melted', "
             "'%s/nmax_undecided.dat' w l lc rgb 'gray' t 'undecided'\n", dir, dir, dir);
    plot(dir, "nmax", s, gp, md, "N_max(t) of every campaign replica, coloured by outcome");
    /* ---- rates ---- */
    if (have_rates) {
        const char *R = rpath;
        fprintf(md, "## Nucleation rate (CNT + seeding)\n\nErrors: 68%% intervals unless noted; intervals of gamma, dG* "
                    "and log10 J are Monte-Carlo propagations (cnt_propagate) of all inputs.\n\n");
        fprintf(md, "| quantity | value | error | replicas / runs behind it |\n|---|---|---|---|\n");
        ncvar tmT, bT, arep;
        get(R, "tm_temperature", &tmT);
        get(R, "bulk_temperature", &bT);
        get(R, "attach_n0", &arep);
        ncvar an;
        get(R, "attach_n_max", &an);
        ncvar at;
        get(R, "attach_time", &at);
        const size_t nrf = at.n, nar = nrf ? an.n / nrf : 0;
        fprintf(md, "| T | %.4g | | |\n| p | %.4g | | |\n", get1(R, "temperature"), get1(R, "pressure"));
        fprintf(md, "| T_m | %.4g | +- %.2g | %zu coexistence runs (bracket %.4g +- %.2g; v(T) root %.4g +- %.2g) |\n",
                get1(R, "T_m"), get1(R, "T_m_se"), tmT.n, get1(R, "T_m_bracket"), get1(R, "T_m_bracket_se"),
                get1(R, "T_m_velocity"), get1(R, "T_m_velocity_se"));
        fprintf(md, "| dmu (Gibbs-Helmholtz) | %.4g | +- %.2g | %zu liquid + %zu crystal NPT runs |\n", get1(R, "dmu"),
                get1(R, "dmu_se"), bT.n, bT.n);
        fprintf(md, "| dmu (linear, Turnbull) | %.4g | | same |\n", get1(R, "dmu_linear"));
        fprintf(md, "| rho_s | %.4g | +- %.2g | %zu crystal runs |\n| rho_l | %.4g | +- %.2g | %zu liquid runs |\n",
                get1(R, "rho_s"), get1(R, "rho_s_se"), bT.n, get1(R, "rho_l"), get1(R, "rho_l_se"), bT.n);
        fprintf(md, "| N_c | %.4g | 68%% [%.4g, %.4g], 95%% [%.4g, %.4g] | %u campaign replicas |\n", get1(R, "n_c"),
                get1(R, "n_c_lo68"), get1(R, "n_c_hi68"), get1(R, "n_c_lo95"), get1(R, "n_c_hi95"), tot);
        fprintf(md, "| f+ | %.4g | 68%% [%.4g, %.4g], 95%% [%.4g, %.4g] (bootstrap); OLS se %.2g | %zu replicas "
                    "(seed %.0f atoms, N_max(0) %.0f), transient %g skipped, diffusive window t in [%g, %g] after it |\n",
                get1(R, "f_plus"), get1(R, "f_plus_lo68"), get1(R, "f_plus_hi68"), get1(R, "f_plus_lo95"),
                get1(R, "f_plus_hi95"), get1(R, "f_plus_se"), nar, get1(R, "attach_seed_size"), get1(R, "attach_n0"),
                get1(R, "attach_t_skip"), get1(R, "attach_t0"), get1(R, "attach_t1"));
        fprintf(md, "| gamma | %.4g | 68%% [%.4g, %.4g], 95%% [%.4g, %.4g] | all of the above |\n", get1(R, "gamma"),
                get1(R, "gamma_lo68"), get1(R, "gamma_hi68"), get1(R, "gamma_lo95"), get1(R, "gamma_hi95"));
        fprintf(md, "| dG* | %.4g (%.3g kT) | 68%% [%.4g, %.4g] | |\n| Zeldovich Z | %.3g | | |\n", get1(R, "dG_star"),
                get1(R, "beta_dG_star"), get1(R, "dG_star_lo68"), get1(R, "dG_star_hi68"), get1(R, "zeldovich"));
        fprintf(md, "| log10 J | %.3f | 68%% [%.3f, %.3f], 95%% [%.3f, %.3f] | all of the above |\n", get1(R, "log10_J"),
                get1(R, "log10_J_lo68"), get1(R, "log10_J_hi68"), get1(R, "log10_J_lo95"), get1(R, "log10_J_hi95"));
        const double jsi = get1(R, "log10_J_si");
        if (isfinite(jsi))
            fprintf(md, "| log10 J [m^-3 s^-1] | %.2f | 68%% [%.2f, %.2f] | (reference substance / metal units) |\n"
                        "| gamma [J m^-2] | %.4g | | |\n", jsi, get1(R, "log10_J_si_lo68"), get1(R, "log10_J_si_hi68"),
                    get1(R, "gamma_si"));
        {
            ncvar tl, th2, sc, sn, sa;
            get(R, "rate_log10_J_total_lo68", &tl);
            get(R, "rate_log10_J_total_hi68", &th2);
            get(R, "rate_log10_J_sys_classifier", &sc);
            get(R, "rate_log10_J_sys_n0", &sn);
            get(R, "rate_log10_J_sys_alt", &sa);
            sr_error_clear();
            if (tl.n && th2.n && sc.n && sn.n)
                fprintf(md, "| **log10 J, headline** | **%.3f** | **68%% [%.3f, %.3f]: statistics + systematics** "
                            "(classifier neighbours %.2f, N_0 convention %.2f%s) | the systematics are the largest "
                            "|d log10 J| of each, added in quadrature to the statistical half-widths |\n",
                        get1(R, "log10_J"), tl.v[0], th2.v[0], sc.v[0], sn.v[0],
                        sa.n && isfinite(sa.v[0]) ? ", [order_alt] included" : "");
            free(tl.v); free(th2.v); free(sc.v); free(sn.v); free(sa.v);
        }
        const double sysJ = get1(R, "log10_J_systematic");
        if (isfinite(sysJ)) {
            ncvar nca, ga, ja, fa;
            get(R, "rate_n_c_alt", &nca);
            get(R, "rate_gamma_alt", &ga);
            get(R, "rate_log10_J_alt", &ja);
            get(R, "rate_f_plus_alt", &fa);
            fprintf(md, "| threshold systematic ([order_alt], same replicas relabelled) | N_c %.4g, f+ %.4g, gamma %.4g, "
                        "log10 J %.3f | spread: gamma %.3g, log10 J %.2f | same replicas |\n",
                    nca.n ? nca.v[0] : NAN, fa.n ? fa.v[0] : NAN, ga.n ? ga.v[0] : NAN, ja.n ? ja.v[0] : NAN,
                    get1(R, "gamma_systematic"), sysJ);
            free(nca.v); free(ga.v); free(ja.v); free(fa.v);
        }
        fprintf(md, "\n");
        /* across temperatures */
        ncvar rT, rd, rn, rnl, rnh, rnr, rf, rfl, rfh, rg, rgl, rgh, rb, rj, rjl, rjh, rjs, rna, rja;
        get(R, "rate_temperature", &rT);
        get(R, "rate_dmu", &rd);
        get(R, "rate_n_c", &rn);
        get(R, "rate_n_c_lo68", &rnl);
        get(R, "rate_n_c_hi68", &rnh);
        get(R, "rate_n_c_replicas", &rnr);
        get(R, "rate_f_plus", &rf);
        get(R, "rate_f_plus_lo68", &rfl);
        get(R, "rate_f_plus_hi68", &rfh);
        get(R, "rate_gamma", &rg);
        get(R, "rate_gamma_lo68", &rgl);
        get(R, "rate_gamma_hi68", &rgh);
        get(R, "rate_beta_dG_star", &rb);
        get(R, "rate_log10_J", &rj);
        get(R, "rate_log10_J_lo68", &rjl);
        get(R, "rate_log10_J_hi68", &rjh);
        get(R, "rate_log10_J_si", &rjs);
        get(R, "rate_n_c_alt", &rna);
        get(R, "rate_log10_J_alt", &rja);
        ncvar rtl, rth;
        get(R, "rate_log10_J_total_lo68", &rtl);
        get(R, "rate_log10_J_total_hi68", &rth);
        sr_error_clear();
        const size_t nTr = rT.n;
        /* brute-force points for the J(T) plots and the comparison table */
        for (int route = ROUTE_BRUTE; route <= ROUTE_FFS; route++) {
            snprintf(p1, sizeof p1, "%s/%s.dat", dir, route == ROUTE_BRUTE ? "brute" : "ffs");
            if ((route == ROUTE_BRUTE ? nbrute : nffs) && (f = fopen(p1, "w"))) {
                for (int q = 0; q < nbp; q++)
                    if (bp[q].route == route)
                        fprintf(f, "%g %g %g %g %g\n", bp[q].T, bp[q].lj, bp[q].lo, bp[q].hi, bp[q].lag);
                fclose(f);
            }
        }
        int numb_j = 0; /* umbrella files with a rate (f+ measured or given) */
        for (int q = 0; q < nup; q++) numb_j += isfinite(up[q].lj);
        if (nbp || numb_j) {
            fprintf(md, "## Independent routes vs seeding + CNT\n\nBrute force: J_MLE of the censored exponential "
                        "at n_stop (bootstrap 68%%) and J_lag of the shifted exponential. Forward flux sampling: J = "
                        "Phi_0 prod P_i / <V> (bootstrap 68%%). Both count arrivals at their last size, with their own "
                        "classifier: compare them at temperatures where that size is past the barrier. Umbrella "
                        "sampling: J = rho_l Z f+ exp(-dG*/kT) at the top of its own dG(N_max) (68%%: WHAM and f+ "
                        "bootstraps in quadrature).\n\n"
                        "| route | file | T | log10 J (68%%) | log10 J_lag | seeding + CNT at the same T: log10 J "
                        "(total 68%%) | difference |\n|---|---|---|---|---|---|---|\n");
            for (int q = 0; q < nbp + nup; q++) {
                const int umb = q >= nbp;
                const char *path = umb ? up[q - nbp].path : bp[q].path;
                const double T = umb ? up[q - nbp].T : bp[q].T;
                const double lj = umb ? up[q - nbp].lj : bp[q].lj;
                const double lo = umb ? up[q - nbp].lo : bp[q].lo;
                const double hi = umb ? up[q - nbp].hi : bp[q].hi;
                if (!isfinite(lj)) continue;
                double sj = NAN, slo = NAN, shi = NAN;
                for (size_t k = 0; k < nTr; k++)
                    if (fabs(rT.v[k] - T) < 1e-9 * (1 + fabs(T))) {
                        sj = rj.v[k];
                        slo = k < rtl.n ? rtl.v[k] : NAN;
                        shi = k < rth.n ? rth.v[k] : NAN;
                    }
                if (nTr == 0 && fabs(get1(R, "temperature") - T) < 1e-9 * (1 + fabs(T))) sj = get1(R, "log10_J");
                fprintf(md, "| %s | `%s` | %.4g | %.2f [%.2f, %.2f] | %.2f | %.2f [%.2f, %.2f] | %+.2f |\n",
                        umb ? "umbrella sampling" : bp[q].route == ROUTE_BRUTE ? "brute force" : "forward flux", path, T,
                        lj, lo, hi, umb ? NAN : bp[q].lag, sj, slo, shi, sj - lj);
            }
            fprintf(md, "\n(nan: that temperature is not one of the rate temperatures of this job)\n\n");
        }
        const int ok_arrays = nTr > 0 && rd.n == nTr && rn.n == nTr && rnl.n == nTr && rnh.n == nTr && rnr.n == nTr &&
                              rf.n == nTr && rfl.n == nTr && rfh.n == nTr && rg.n == nTr && rgl.n == nTr &&
                              rgh.n == nTr && rb.n == nTr && rj.n == nTr && rjl.n == nTr && rjh.n == nTr &&
                              rjs.n == nTr && rna.n == nTr && rja.n == nTr;
        const double ga = get1(R, "gamma_fit_intercept"), gb = get1(R, "gamma_fit_slope");
        if (ok_arrays && nTr >= 2) {
            fprintf(md, "## Across temperatures\n\nEach temperature has its own seeding campaign (`%s-T<T>.nc`, seed "
                        "sizes scaled from the first by CNT) and its own f+ runs; T_m, dmu(T) and rho(T) are shared.\n\n",
                    prefix);
            fprintf(md, "| T | dmu | N_c (68%%) | decided replicas | f+ (68%%) | gamma (68%%) | dG*/kT | log10 J (stat. 68%%) | "
                        "log10 J total 68%% | log10 J [m^-3 s^-1] | N_c, log10 J with [order_alt] |\n"
                        "|---|---|---|---|---|---|---|---|---|---|---|\n");
            snprintf(p1, sizeof p1, "%s/gamma_T.dat", dir);
            FILE *g = fopen(p1, "w");
            for (size_t k = 0; k < nTr; k++) {
                const double tlo = k < rtl.n ? rtl.v[k] : NAN, thi = k < rth.n ? rth.v[k] : NAN;
                fprintf(md, "| %.4g | %.4g | %.4g [%.4g, %.4g] | %.0f | %.4g [%.4g, %.4g] | %.4g [%.4g, %.4g] | %.3g | "
                            "%.3f [%.3f, %.3f] | [%.2f, %.2f] | %.2f | %.4g, %.3f |\n", rT.v[k], rd.v[k], rn.v[k], rnl.v[k],
                        rnh.v[k], rnr.v[k], rf.v[k], rfl.v[k], rfh.v[k], rg.v[k], rgl.v[k], rgh.v[k], rb.v[k], rj.v[k],
                        rjl.v[k], rjh.v[k], tlo, thi, rjs.v[k], rna.v[k], rja.v[k]);
                if (g)
                    fprintf(g, "%g %g %g %g %g %g %g %g %g\n", rT.v[k], rg.v[k], rgl.v[k], rgh.v[k], rj.v[k], rjl.v[k],
                            rjh.v[k], isfinite(tlo) ? tlo : rjl.v[k], isfinite(thi) ? thi : rjh.v[k]);
            }
            if (g) fclose(g);
            fprintf(md, "\ngamma(T) = a + b T (weighted least squares over the %zu temperatures): a = %.5g +- %.2g, "
                        "b = %.5g +- %.2g.\n\n", nTr, ga, get1(R, "gamma_fit_intercept_se"), gb,
                    get1(R, "gamma_fit_slope_se"));
            ncvar cT2, cj, cjl, cjh, cjl9, cjh9, cg, cgs;
            get(R, "curve_temperature", &cT2);
            get(R, "curve_log10_J", &cj);
            get(R, "curve_log10_J_lo68", &cjl);
            get(R, "curve_log10_J_hi68", &cjh);
            get(R, "curve_log10_J_lo95", &cjl9);
            get(R, "curve_log10_J_hi95", &cjh9);
            get(R, "curve_gamma", &cg);
            get(R, "curve_gamma_se", &cgs);
            snprintf(p1, sizeof p1, "%s/curve.dat", dir);
            if ((g = fopen(p1, "w"))) {
                for (size_t k = 0; k < cT2.n && k < cj.n && k < cjl.n && k < cjh.n && k < cjl9.n && k < cjh9.n &&
                                   k < cg.n && k < cgs.n; k++)
                    fprintf(g, "%g %g %g %g %g %g %g %g\n", cT2.v[k], cj.v[k], cjl.v[k], cjh.v[k], cjl9.v[k], cjh9.v[k],
                            cg.v[k], cgs.v[k]);
                fclose(g);
            }
            snprintf(s, sizeof s, "set xlabel 'T'\nset ylabel '{/Symbol g}'\nset key left\n"
                                  "plot '%s/curve.dat' u 1:($7-$8):($7+$8) w filledcurves lc rgb '#ccddff' t 'line +-1 se', "
                                  "'' u 1:7 w l lw 2 t '{/Symbol g}(T) = a + b T', "
                                  "'%s/gamma_T.dat' u 1:2:3:4 w yerrorbars pt 7 lw 2 t 'seeding (68%%)'\n", dir, dir);
            plot(dir, "gamma_T", s, gp, md, "gamma(T): seeding points and the fitted line");
            char brute_plot[8800];
            routes_plot(brute_plot, sizeof brute_plot, dir, nbrute, nffs);
            /* y range from the measured points (seeding with its total interval, brute force): an extrapolated
             * curve must not squeeze them into a line */
            double ylo = INFINITY, yhi = -INFINITY;
            for (size_t k = 0; k < nTr; k++) {
                const double a = k < rtl.n && isfinite(rtl.v[k]) ? rtl.v[k] : rjl.v[k];
                const double b = k < rth.n && isfinite(rth.v[k]) ? rth.v[k] : rjh.v[k];
                if (a < ylo) ylo = a;
                if (b > yhi) yhi = b;
            }
            for (int q = 0; q < nbp; q++) {
                if (bp[q].lo < ylo) ylo = bp[q].lo;
                if (bp[q].hi > yhi) yhi = bp[q].hi;
            }
            char yr[128] = "";
            if (isfinite(ylo) && isfinite(yhi)) snprintf(yr, sizeof yr, "set yrange [%g:%g]\n", floor(ylo - 3), ceil(yhi + 3));
            snprintf(s, sizeof s, "set xlabel 'T'\nset ylabel 'log_{10} J'\nset key bottom left\n%s"
                                  "plot '%s/curve.dat' u 1:5:6 w filledcurves lc rgb '#e0e8ff' t '95%%', "
                                  "'' u 1:3:4 w filledcurves lc rgb '#b0c4ff' t '68%%', '' u 1:2 w l lw 2 lc rgb 'blue' t 'J(T) from {/Symbol g}(T)', "
                                  "'%s/gamma_T.dat' u 1:5:8:9 w yerrorbars pt 6 lw 1 lc rgb 'gray40' t 'seeding, total 68%% (with systematics)', "
                                  "'%s/gamma_T.dat' u 1:5:6:7 w yerrorbars pt 7 lw 2 lc rgb 'black' t 'seeding (statistical 68%%)'%s\n",
                     yr, dir, dir, dir, brute_plot);
            plot(dir, "rate_T", s, gp, md,
                 "log10 J(T) with its Monte-Carlo band (gamma(T) line, dmu(T), rho(T), ln f+ interpolated in T; outside the "
                 "simulated temperatures it is an extrapolation)");
            free(cT2.v); free(cj.v); free(cjl.v); free(cjh.v); free(cjl9.v); free(cjh9.v); free(cg.v); free(cgs.v);
        }
        free(rT.v); free(rd.v); free(rn.v); free(rnl.v); free(rnh.v); free(rnr.v); free(rf.v); free(rfl.v); free(rfh.v);
        free(rg.v); free(rgl.v); free(rgh.v); free(rb.v); free(rj.v); free(rjl.v); free(rjh.v); free(rjs.v); free(rna.v);
        free(rja.v);
        free(rtl.v);
        free(rth.v);
        /* coexistence */
        ncvar v, vse;
        get(R, "tm_velocity", &v);
        get(R, "tm_velocity_se", &vse);
        snprintf(p1, sizeof p1, "%s/tm.dat", dir);
        if ((f = fopen(p1, "w"))) {
            for (size_t k = 0; k < v.n && k < tmT.n; k++) fprintf(f, "%g %g %g\n", tmT.v[k], v.v[k], vse.v[k]);
            fclose(f);
        }
        snprintf(s, sizeof s, "set xlabel 'T'\nset ylabel 'interface velocity v (>0 growth)'\nset xzeroaxis\n"
                              "set arrow from %g, graph 0 to %g, graph 1 nohead dt 2\n"
                              "plot '%s/tm.dat' u 1:2:3 w yerrorbars pt 7 t 'direct coexistence'\n",
                 get1(R, "T_m"), get1(R, "T_m"), dir);
        plot(dir, "tm", s, gp, md, "interface velocity v(T) from the coexistence slabs; dashed: T_m");
        /* msd and f+ fit */
        ncvar msd;
        get(R, "attach_msd", &msd);
        snprintf(p1, sizeof p1, "%s/msd.dat", dir);
        if ((f = fopen(p1, "w"))) {
            const double tskip = isfinite(get1(R, "attach_t_skip")) ? get1(R, "attach_t_skip") : 0;
            for (size_t k = 0; k < msd.n && k < at.n; k++)
                if (isfinite(msd.v[k])) fprintf(f, "%g %g\n", at.v[k] - tskip, msd.v[k]);
            fclose(f);
        }
        snprintf(p1, sizeof p1, "%s/attach_traces.dat", dir);
        if ((f = fopen(p1, "w"))) {
            for (size_t r = 0; r < nar; r++) {
                for (size_t k = 0; k < nrf; k++) fprintf(f, "%g %g\n", at.v[k], an.v[r * nrf + k]);
                fprintf(f, "\n");
            }
            fclose(f);
        }
        const double t0 = get1(R, "attach_t0"), t1 = get1(R, "attach_t1");
        snprintf(s, sizeof s, "set xlabel 'time since t_{skip}'\nset ylabel 'var(N(t)-N(0)) (atoms^2)'\nset key left\n"
                              "set arrow from %g, graph 0 to %g, graph 1 nohead dt 3\nset arrow from %g, graph 0 to %g, graph 1 nohead dt 3\n"
                              "plot '%s/msd.dat' w lp pt 7 ps 0.6 t '%zu replicas', %g + 2*%g*x lw 2 t 'initial slope 2 f+, f+ = %.3g (window dotted)'\n",
                 t0, t0, t1, t1, dir, nar, get1(R, "attach_msd_intercept"), get1(R, "f_plus"), get1(R, "f_plus"));
        plot(dir, "msd", s, gp, md, "variance of the size displacement about its replica mean (drift removed) at the thermalised critical size, with the f+ fit");
        snprintf(s, sizeof s, "set xlabel 'time'\nset ylabel 'N_{max} (atoms)'\nplot '%s/attach_traces.dat' w l t 'f+ replicas'\n", dir);
        plot(dir, "attach", s, gp, md, "N_max(t) of the f+ replicas (started at N_c)");
        /* dmu(T) */
        ncvar cT, cd, cse, cl;
        get(R, "dmu_curve_temperature", &cT);
        get(R, "dmu_curve", &cd);
        get(R, "dmu_curve_se", &cse);
        get(R, "dmu_curve_linear", &cl);
        snprintf(p1, sizeof p1, "%s/dmu.dat", dir);
        if ((f = fopen(p1, "w"))) {
            for (size_t k = 0; k < cT.n && k < cd.n && k < cse.n && k < cl.n; k++)
                fprintf(f, "%g %g %g %g\n", cT.v[k], cd.v[k], cse.v[k], cl.v[k]);
            fclose(f);
        }
        snprintf(s, sizeof s, "set xlabel 'T'\nset ylabel '{/Symbol D}{/Symbol m} = {/Symbol m}_s - {/Symbol m}_l'\nset key left\n"
                              "plot '%s/dmu.dat' u 1:($2-$3):($2+$3) w filledcurves lc rgb '#bbccff' t '+-1 se', "
                              "'' u 1:2 w l lw 2 t 'Gibbs-Helmholtz', '' u 1:4 w l dt 2 t 'linear (Turnbull)', "
                              "'-' w p pt 7 t 'T of the rate'\n%g %g\ne\n", dir, get1(R, "temperature"), get1(R, "dmu"));
        plot(dir, "dmu", s, gp, md, "dmu(T) from the bulk enthalpies and T_m");
        /* log10 J(T) */
        snprintf(p1, sizeof p1, "%s/rate.dat", dir);
        if ((f = fopen(p1, "w"))) {
            fprintf(f, "%g %g %g %g %g %g\n", get1(R, "temperature"), get1(R, "log10_J"), get1(R, "log10_J_lo68"),
                    get1(R, "log10_J_hi68"), get1(R, "log10_J_lo95"), get1(R, "log10_J_hi95"));
            fclose(f);
        }
        char bpl[8800];
        routes_plot(bpl, sizeof bpl, dir, nbrute, nffs);
        snprintf(s, sizeof s, "set xlabel 'T'\nset ylabel 'log_{10} J'\nset offsets 0.05,0.05,1,1\n"
                              "plot '%s/rate.dat' u 1:2:5:6 w yerrorbars lw 1 t '95%% (statistical)', '' u 1:2:3:4 w yerrorbars lw 3 pt 7 "
                              "t '68%% (statistical)'%s\n", dir, bpl);
        plot(dir, "rate", s, gp, md, "log10 J(T) with its Monte-Carlo band (one temperature: one point)");
        free(tmT.v); free(bT.v); free(arep.v); free(an.v); free(at.v); free(v.v); free(vse.v); free(msd.v);
        free(cT.v); free(cd.v); free(cse.v); free(cl.v);
    } else {
        fprintf(md, "No rates file (%s): run `seedrate cnt` for T_m, dmu, f+ and J.\n", rpath);
    }
    if (nup) umbrella_section(md, dir, gp, have_rates ? rpath : NULL, up, nup);
    if (fclose(md) != 0 || rename(mdtmp, mdpath) != 0) {
        fprintf(stderr, "seedrate: error: %s: cannot write: %s\n", mdpath, strerror(errno));
        unlink(mdtmp);
        return 1;
    }
    free(nmax.v); free(time.v); free(outcome.v); free(x.v); free(ng.v); free(nd.v); free(nu.v); free(nfail.v);
    printf("seedrate report: wrote %s (plots in %s/)\n", mdpath, dir);
    return 0;
}

int cmd_report(int argc, char **argv)
{
    const int rc = report(argc, argv);
    close_files();
    return rc;
}
