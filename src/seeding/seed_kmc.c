/* Becker-Doring kinetic Monte Carlo over MPI ranks (see seed_kmc.h), the Zeldovich rate of a tabulated
 * chain, and the readers of the chain table and of PREFIX.rates.nc. */
#include "seed_kmc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <gsl/gsl_math.h>

#include "seed.h"
#include "seed_comm.h"
#include "../common/sr_error.h"
#include "../io/io.h"
#include "../kmc/kmc.h"

size_t seed_kmc_default_chunk(size_t n_traj)
{
    size_t c = (n_traj + 255) / 256;
    return c ? c : 1;
}

int seed_kmc_sums(const cnt_bd_model *m, const seed_kmc_params *p, double *sum_t, double *sum_t2,
                  long *tasks_local)
{
    if (!m || !p || !sum_t || !sum_t2) return SR_ERROR(SR_EINVAL, "seed_kmc_sums: NULL argument");
    if (p->n_traj < 2) return SR_ERROR(SR_EINVAL, "seed_kmc_sums: n_traj=%zu, expected >= 2", p->n_traj);
    if (p->n0 < 1 || p->n0 >= m->n_max)
        return SR_ERROR(SR_EINVAL, "seed_kmc_sums: n0=%zu outside 1..%zu", p->n0, m->n_max - 1);
    const size_t chunk = p->chunk ? p->chunk : seed_kmc_default_chunk(p->n_traj);
    const size_t ntask = (p->n_traj + chunk - 1) / chunk, w = m->n_max + 1;
    if ((double)ntask * w * 2 > 2e9)
        return SR_ERROR(SR_EINVAL, "seed_kmc_sums: %zu tasks x %zu sizes is too much to keep (raise the chunk)",
                        ntask, w);
    /* part[2 k w + n]: sum of t over task k; part[(2 k + 1) w + n]: sum of t^2 */
    double *part = calloc(2 * ntask * w, sizeof *part);
    if (!part) return SR_ERROR(SR_ENOMEM, "seed_kmc_sums: out of memory for %zu task sums", ntask);
    seed_queue *q = NULL;
    int rc = seed_queue_create(1, &q);
    long done = 0;
    while (!rc) {
        long k = seed_queue_fetch_add(q, 0, 1);
        if (k < 0 || (size_t)k >= ntask) break;
        size_t first = (size_t)k * chunk, last = first + chunk < p->n_traj ? first + chunk : p->n_traj;
        rc = kmc_bd_mfpt_accumulate(m->n_max, m->f_plus, m->f_minus, p->n0, p->seed, first, last, p->max_steps,
                                    part + 2 * (size_t)k * w, part + (2 * (size_t)k + 1) * w);
        done++;
    }
    if (seed_comm_any(rc)) {
        seed_queue_free(q);
        free(part);
        if (!rc) rc = SR_ERROR(SR_EFAILED, "seed_kmc_sums: a kMC trajectory failed on another rank");
        return rc;
    }
    seed_queue_free(q);
    /* exact reduction: each task's entries are non-zero on one rank only */
    const size_t total = 2 * ntask * w, maxc = 1u << 28;
    for (size_t off = 0; !rc && off < total; off += maxc)
        rc = seed_comm_allreduce_sum_double(part + off, (int)(total - off < maxc ? total - off : maxc));
    if (!rc) {
        for (size_t n = 0; n < w; n++) sum_t[n] = sum_t2[n] = 0;
        for (size_t k = 0; k < ntask; k++)
            for (size_t n = 0; n < w; n++) {
                sum_t[n] += part[2 * k * w + n];
                sum_t2[n] += part[(2 * k + 1) * w + n];
            }
    }
    free(part);
    if (tasks_local) *tasks_local = done;
    return rc;
}

void seed_kmc_result_clear(seed_kmc_result *r)
{
    if (!r) return;
    free(r->tau);
    free(r->se);
    free(r->tau_exact);
    memset(r, 0, sizeof *r);
}

int seed_kmc_run(const cnt_bd_model *m, const seed_kmc_params *p, seed_kmc_result *out)
{
    if (!m || !p || !out) return SR_ERROR(SR_EINVAL, "seed_kmc_run: NULL argument");
    memset(out, 0, sizeof *out);
    const size_t w = m->n_max + 1;
    out->n_max = m->n_max;
    out->n_traj = p->n_traj;
    out->n0 = p->n0;
    out->tau = calloc(w, sizeof(double));
    out->se = calloc(w, sizeof(double));
    out->tau_exact = calloc(w, sizeof(double));
    double *s1 = calloc(w, sizeof(double)), *s2 = calloc(w, sizeof(double));
    int rc = out->tau && out->se && out->tau_exact && s1 && s2 ? SR_OK : SR_ERROR(SR_ENOMEM, "seed_kmc_run: out of memory");
    double t0 = seed_now_s();
    if (!rc) rc = seed_kmc_sums(m, p, s1, s2, &out->tasks_local);
    out->wall_s = seed_now_s() - t0; /* this rank's; the sums end in a collective, so ranks finish together */
    if (!rc) rc = cnt_kmc_mfpt_finish(m->n_max, p->n_traj, s1, s2, out->tau, out->se);
    if (!rc) rc = cnt_bd_mfpt_exact(m, p->n0, out->tau_exact);
    if (!rc) rc = cnt_bd_steady_flux(m, &out->J_bd);
    if (!rc) rc = cnt_bd_population(m, &out->S);
    if (!rc) rc = cnt_mfpt_fit_wsr(p->n0 + 1, m->n_max, out->tau, NULL, 1e-10, 1e-10, 200, &out->fit);
    if (!rc) rc = cnt_mfpt_fit_wsr(p->n0 + 1, m->n_max, out->tau_exact, NULL, 1e-10, 1e-10, 200, &out->fit_exact);
    if (!rc) {
        /* J = S / tau_J (cnt_bd_population); the trajectories are independent, so the spread of the
         * first-passage times to n_max gives the honest relative error of tau_J (cnt.h, WSR fit notes) */
        out->J_kmc = out->S / out->fit.tau_J;
        out->J_kmc_se = out->J_kmc * out->se[m->n_max] / out->tau[m->n_max];
    }
    free(s1);
    free(s2);
    if (rc) {
        int keep = rc;
        seed_kmc_result_clear(out);
        rc = keep;
    }
    return rc;
}

int seed_kmc_zeldovich_table(const cnt_bd_model *m, double *n_star, double *beta_dG_star, double *Z,
                             double *J_cnt)
{
    if (!m) return SR_ERROR(SR_EINVAL, "seed_kmc_zeldovich_table: NULL model");
    size_t t = cnt_bd_top(m);
    /* t is the first maximum over 1..n_max-1, so dG[t-1] < dG[t]; an interior top also needs
     * dG[t+1] < dG[t] (then the parabola below is curved downwards) */
    if (t < 2 || !(m->dG[t + 1] < m->dG[t]))
        return SR_ERROR(SR_EINVAL, "the maximum of dG(n) is at n = %zu, an end of the chain 1..%zu: no barrier top "
                        "to expand around (extend the table)", t, m->n_max);
    /* parabola y = a + b x + c x^2 through x = -1, 0, 1 around t */
    double ym = m->beta * m->dG[t - 1], y0 = m->beta * m->dG[t], yp = m->beta * m->dG[t + 1];
    double c = 0.5 * (yp + ym) - y0, b = 0.5 * (yp - ym);
    double xv = -b / (2 * c), bdg = y0 - b * b / (4 * c);
    double zz = sqrt(-2 * c / (2 * M_PI));
    double fp = xv >= 0 ? m->f_plus[t] + xv * (m->f_plus[t + 1] - m->f_plus[t])
                        : m->f_plus[t] + xv * (m->f_plus[t] - m->f_plus[t - 1]);
    if (n_star) *n_star = (double)t + xv;
    if (beta_dG_star) *beta_dG_star = bdg;
    if (Z) *Z = zz;
    if (J_cnt) *J_cnt = m->rho_l * zz * fp * exp(-bdg);
    return SR_OK;
}

int seed_kmc_read_table(const char *path, double kT, double rho_l, double f_plus_top, cnt_bd_model **out)
{
    if (!path || !out) return SR_ERROR(SR_EINVAL, "seed_kmc_read_table: NULL argument");
    *out = NULL;
    FILE *fp = fopen(path, "r");
    if (!fp) return SR_ERROR(SR_EIO, "%s: cannot open the dG table: %s", path, strerror(errno));
    size_t cap = 256, n = 0;
    double *dG = malloc(cap * sizeof *dG), *fpl = malloc(cap * sizeof *fpl);
    int rc = dG && fpl ? SR_OK : SR_ERROR(SR_ENOMEM, "%s: out of memory", path);
    int have_f = -1; /* -1 unknown, 0 no f+ column, 1 f+ column */
    char line[4096];
    long ln = 0;
    dG[0] = fpl[0] = 0;
    while (!rc && fgets(line, sizeof line, fp)) {
        ln++;
        char *h = strchr(line, '#');
        if (h) *h = '\0';
        char *s = line;
        while (isspace((unsigned char)*s)) s++;
        if (!*s) continue;
        double v[4];
        int k = 0;
        char *e = s;
        while (k < 4) {
            while (isspace((unsigned char)*e)) e++;
            if (!*e) break;
            char *end;
            errno = 0;
            v[k] = strtod(e, &end);
            if (end == e || !isfinite(v[k]) || (*end && !isspace((unsigned char)*end))) {
                rc = SR_ERROR(SR_EPARSE, "%s:%ld: column %d is not a finite number (expected: n dG(n) [f+(n)])",
                              path, ln, k + 1);
                break;
            }
            e = end;
            k++;
        }
        if (rc) break;
        if (k < 2 || k > 3) {
            rc = SR_ERROR(SR_EPARSE, "%s:%ld: %d columns, expected 2 or 3 (n dG(n) [f+(n)])", path, ln, k);
            break;
        }
        if (v[0] != (double)(n + 1)) {
            rc = SR_ERROR(SR_EPARSE, "%s:%ld: n = %g, expected %zu (rows n = 1, 2, ... in order)", path, ln, v[0], n + 1);
            break;
        }
        if (have_f < 0) have_f = k == 3;
        if (have_f != (k == 3)) {
            rc = SR_ERROR(SR_EPARSE, "%s:%ld: %d columns, but the first row had %d (f+ for every row or none)", path,
                          ln, k, have_f ? 3 : 2);
            break;
        }
        if (k == 3 && !(v[2] > 0)) {
            rc = SR_ERROR(SR_EPARSE, "%s:%ld: f+ = %g, expected > 0", path, ln, v[2]);
            break;
        }
        if (n + 2 > cap) {
            cap *= 2;
            double *a = realloc(dG, cap * sizeof *a);
            if (a) dG = a;
            double *b = a ? realloc(fpl, cap * sizeof *b) : NULL;
            if (b) fpl = b;
            if (!a || !b) {
                rc = SR_ERROR(SR_ENOMEM, "%s: out of memory", path);
                break;
            }
        }
        n++;
        dG[n] = v[1];
        fpl[n] = k == 3 ? v[2] : 0;
    }
    fclose(fp);
    if (!rc && n < 3) rc = SR_ERROR(SR_EPARSE, "%s: %zu rows, expected at least 3 (n = 1 .. n_max)", path, n);
    if (!rc && !have_f) {
        if (!(f_plus_top > 0))
            rc = SR_ERROR(SR_EINVAL, "%s: the table has no f+ column: give --f-plus (f+ at the top of dG) > 0", path);
        size_t t = 1;
        for (size_t i = 2; i < n; i++)
            if (dG[i] > dG[t]) t = i;
        for (size_t i = 1; !rc && i <= n; i++) fpl[i] = f_plus_top * pow((double)i / (double)t, 2.0 / 3.0);
    }
    if (!rc && !(kT > 0 && isfinite(kT))) rc = SR_ERROR(SR_EINVAL, "kT = %g, expected > 0 (energy)", kT);
    if (!rc && !(rho_l > 0 && isfinite(rho_l))) rc = SR_ERROR(SR_EINVAL, "rho_l = %g, expected > 0 (length^-3)", rho_l);
    if (!rc) rc = cnt_bd_create_table(n, dG, fpl, kT, rho_l, out);
    free(dG);
    free(fpl);
    return rc;
}

static int nc_scalar(const char *path, const char *name, double *v)
{
    double *x = NULL;
    size_t n = 0;
    SR_TRY(io_nc_read_double(path, name, &x, &n));
    *v = n == 1 ? x[0] : NAN;
    free(x);
    if (n != 1) return SR_ERROR(SR_EINVAL, "%s: variable %s has %zu values, expected a scalar", path, name, n);
    if (!isfinite(*v)) return SR_ERROR(SR_EINVAL, "%s: variable %s = %g is not finite", path, name, *v);
    return SR_OK;
}

int seed_kmc_read_campaign(const char *prefix, seed_kmc_campaign *out)
{
    if (!prefix || !out) return SR_ERROR(SR_EINVAL, "seed_kmc_read_campaign: NULL argument");
    memset(out, 0, sizeof *out);
    char path[4200];
    snprintf(path, sizeof path, "%s.rates.nc", prefix);
    if (access(path, R_OK) != 0)
        return SR_ERROR(SR_ENETCDF, "%s: cannot open (%s); it is written by `seedrate cnt` with [output] prefix = PREFIX",
                        path, strerror(errno));
    const char *names[] = {"gamma", "dmu", "rho_s", "rho_l", "f_plus", "n_c", "temperature"};
    double *dst[] = {&out->gamma, &out->dmu, &out->rho_s, &out->rho_l, &out->f_plus, &out->n_c, &out->temperature};
    int rc = SR_OK;
    for (int k = 0; !rc && k < 7; k++) rc = nc_scalar(path, names[k], dst[k]);
    char us[64] = "lj";
    if (!rc && io_nc_read_att_text(path, NULL, "units_style", us, sizeof us)) {
        snprintf(us, sizeof us, "lj"); /* files without the attribute are lj */
        sr_error_clear();
    }
    if (rc) return rc;
    if (!strcmp(us, "metal")) out->metal = 1;
    else if (strcmp(us, "lj"))
        return SR_ERROR(SR_EINVAL, "%s: units_style = '%s', expected lj or metal", path, us);
    out->kT = out->temperature * (out->metal ? CNT_KB_EV_PER_K : 1.0);
    if (!(out->kT > 0)) return SR_ERROR(SR_EINVAL, "%s: temperature = %g, expected > 0", path, out->temperature);
    return SR_OK;
}
