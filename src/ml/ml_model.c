/* ml_model.c - a neural-network potential: descriptor + one net per element + normalisation +
 * reference energies (E = sum_i [N_t(i)((G_i - mu_t)/sigma_t) + e_ref(t(i))], Behler & Parrinello,
 * PRL 98, 146401 (2007)), its evaluation on neighbourhoods and frames, and its netCDF file. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netcdf.h>

#include "ml.h"
#include "../io/io.h"

ml_model *ml_model_create(int nelem, const char *const *type_map, const ml_sf_params *sf,
                          int nhidden, const int *hidden, int activation)
{
    if (nelem < 1 || nelem > ML_MAX_ELEMENTS || sf->nelem != nelem) {
        SR_ERROR(SR_ERANGE, "model: %d elements (descriptor has %d), expected 1..%d", nelem,
                 sf->nelem, ML_MAX_ELEMENTS);
        return NULL;
    }
    ml_model *m = calloc(1, sizeof *m);
    if (!m) {
        SR_ERROR(SR_ENOMEM, "model: out of memory");
        return NULL;
    }
    m->nelem = nelem;
    m->desc = &ml_descriptor_bp;
    m->sf = *sf;
    m->nf = m->desc->n_features(&m->sf);
    for (int e = 0; e < nelem; e++) {
        if (!type_map[e] || !*type_map[e] || strlen(type_map[e]) >= ML_NAME_LEN) {
            SR_ERROR(SR_EINVAL, "model: element name %d empty or longer than %d characters", e,
                     ML_NAME_LEN - 1);
            ml_model_free(m);
            return NULL;
        }
        strcpy(m->type_map[e], type_map[e]);
    }
    m->g_mean = calloc((size_t)nelem * m->nf, sizeof(double));
    m->g_std = calloc((size_t)nelem * m->nf, sizeof(double));
    if (!m->g_mean || !m->g_std) {
        SR_ERROR(SR_ENOMEM, "model: out of memory");
        ml_model_free(m);
        return NULL;
    }
    for (int k = 0; k < nelem * m->nf; k++) m->g_std[k] = 1.0;
    for (int e = 0; e < nelem; e++) {
        m->net[e] = ml_net_create(m->nf, nhidden, hidden, activation);
        if (!m->net[e]) {
            ml_model_free(m);
            return NULL;
        }
    }
    return m;
}

void ml_model_free(ml_model *m)
{
    if (!m) return;
    for (int e = 0; e < ML_MAX_ELEMENTS; e++) ml_net_free(m->net[e]);
    free(m->g_mean);
    free(m->g_std);
    free(m);
}

int ml_model_nparams(const ml_model *m)
{
    int n = 0;
    for (int e = 0; e < m->nelem; e++) n += m->net[e]->nparams;
    return n;
}

void ml_model_get_params(const ml_model *m, double *p)
{
    for (int e = 0; e < m->nelem; e++) {
        memcpy(p, m->net[e]->param, sizeof(double) * (size_t)m->net[e]->nparams);
        p += m->net[e]->nparams;
    }
}

void ml_model_set_params(ml_model *m, const double *p)
{
    for (int e = 0; e < m->nelem; e++) {
        memcpy(m->net[e]->param, p, sizeof(double) * (size_t)m->net[e]->nparams);
        p += m->net[e]->nparams;
    }
}

int ml_model_element(const ml_model *m, const char *name)
{
    for (int e = 0; e < m->nelem; e++)
        if (!strcmp(m->type_map[e], name)) return e;
    return -1;
}

static size_t net_work_max(const ml_model *m)
{
    size_t w = 0;
    for (int e = 0; e < m->nelem; e++) {
        size_t k = ml_net_work_size(m->net[e]);
        if (k > w) w = k;
    }
    return w;
}

/* Force path. The descriptor's tape (ml.h) holds what dE/dd needs once dE/dG is known: with it the
 * descriptor is evaluated once per atom and force, and dE/dd = tape . dE/dG costs a few operations per
 * neighbour pair. Neighbourhoods whose tape would pass ML_TAPE_MAX bytes (per thread; it stays in the
 * caches) take two passes instead: G -> net -> g = dE/dG, then the descriptor contracts its own
 * derivatives with g, recomputing them (no dense dG/dd is formed; LAMMPS pair styles for
 * Behler-Parrinello nets, e.g. n2p2, evaluate forces the same way). */
static size_t tape_bytes(const ml_model *m, int nneigh)
{
    if (!m->desc->tape_size) return 0;
    const size_t b = m->desc->tape_size(&m->sf, nneigh);
    return b <= ML_TAPE_MAX ? b : 0;
}

size_t ml_model_work_size(const ml_model *m, int nneigh)
{
    /* room for the tape of any neighbourhood up to nneigh (tape_bytes is 0 above the limit, so
     * reserve min(tape_size(nneigh), limit), not tape_bytes(nneigh)) */
    size_t tape = m->desc->tape_size ? m->desc->tape_size(&m->sf, nneigh) : 0;
    if (tape > ML_TAPE_MAX) tape = ML_TAPE_MAX;
    return sizeof(double) * (3 * (size_t)m->nf + net_work_max(m)) + m->desc->work_size(&m->sf, nneigh) + tape +
           64;
}

/* one network on a computed descriptor G (and its tape, or NULL for the two-pass path): E_i and dE_i/dd */
static double net_on_descriptor(const ml_model *m, const ml_env *env, const double *G, double *tape,
                                double *dEdd, double *x, double *g, double *nw, void *dw)
{
    const int nf = m->nf, t = env->type;
    const double *mu = m->g_mean + (size_t)t * nf, *sd = m->g_std + (size_t)t * nf;
    for (int f = 0; f < nf; f++) x[f] = (G[f] - mu[f]) / sd[f];
    const double e = ml_net_eval(m->net[t], x, dEdd ? g : NULL, nw) + m->e_ref[t];
    if (dEdd) {
        /* dE/dd_j = sum_f dN/dx_f / sigma_f * dG_f/dd_j */
        for (int f = 0; f < nf; f++) g[f] /= sd[f];
        if (tape)
            m->desc->contract_tape(&m->sf, env, tape, g, dEdd);
        else
            m->desc->contract(&m->sf, env, g, dEdd, dw);
    }
    return e;
}

/* G of the neighbourhood, with the tape when forces are wanted and it fits (returned; else NULL) */
static double *descriptor_of(const ml_model *m, const ml_env *env, int want_d, double *G, void *dw)
{
    const size_t tb = want_d ? tape_bytes(m, env->n) : 0;
    if (!tb) {
        m->desc->compute(&m->sf, env, G, NULL, dw);
        return NULL;
    }
    double *tape = (double *)((char *)dw + m->desc->work_size(&m->sf, env->n));
    m->desc->compute_tape(&m->sf, env, G, tape, dw);
    return tape;
}

double ml_model_atom(const ml_model *m, const ml_env *env, double *dEdd, void *work)
{
    const int nf = m->nf;
    double *G = work, *x = G + nf, *g = x + nf, *nw = g + nf;
    void *dw = nw + net_work_max(m);
    double *tape = descriptor_of(m, env, dEdd != NULL, G, dw);
    return net_on_descriptor(m, env, G, tape, dEdd, x, g, nw, dw);
}

void ml_committee_atom(const ml_committee *c, const ml_env *env, double *e, double *dEdd, size_t stride, void *work)
{
    const ml_model *m = c->member[0];
    const int nf = m->nf;
    double *G = work, *x = G + nf, *g = x + nf, *nw = g + nf;
    void *dw = nw + net_work_max(m);
    /* the members share the descriptor and its tape: computed once */
    double *tape = descriptor_of(m, env, dEdd != NULL, G, dw);
    for (int q = 0; q < c->k; q++)
        e[q] = net_on_descriptor(c->member[q], env, G, tape, dEdd ? dEdd + (size_t)q * stride : NULL, x, g, nw, dw);
}

/* ------------------------------------------------------------------------------------------------
 * Periodic neighbourhoods of a frame (all images within rc; O(N^2 * images), used for datasets)
 * ---------------------------------------------------------------------------------------------- */
static int neigh_push(ml_neigh *nb, int j, int type, const double d[3])
{
    const int k = nb->first[nb->n];
    if (k >= nb->cap) {
        int cap = nb->cap ? 2 * nb->cap : 1024;
        int *nj = realloc(nb->j, sizeof(int) * (size_t)cap);
        if (nj) nb->j = nj;
        int *nt = realloc(nb->type, sizeof(int) * (size_t)cap);
        if (nt) nb->type = nt;
        double *nd = realloc(nb->d, sizeof(double) * 3 * (size_t)cap);
        if (nd) nb->d = nd;
        if (!nj || !nt || !nd) return SR_ERROR(SR_ENOMEM, "neighbour list: out of memory");
        nb->cap = cap;
    }
    nb->j[k] = j;
    nb->type[k] = type;
    memcpy(nb->d + 3 * k, d, sizeof(double) * 3);
    nb->first[nb->n]++;
    return SR_OK;
}

int ml_neigh_build(const ml_frame *fr, double rc, ml_neigh *nb)
{
    int nimg[3];
    for (int q = 0; q < 3; q++) {
        if (!(fr->box[q] > 0))
            return SR_ERROR(SR_EINVAL, "frame: box edge %d is %g, expected > 0", q, fr->box[q]);
        /* with L >= 2 rc only the minimum image can be in range */
        nimg[q] = fr->box[q] >= 2.0 * rc ? 0 : (int)ceil(rc / fr->box[q]);
    }
    free(nb->first);
    nb->first = calloc((size_t)fr->n + 1, sizeof(int));
    if (!nb->first) return SR_ERROR(SR_ENOMEM, "neighbour list: out of memory");
    const double rc2 = rc * rc;
    for (int i = 0; i < fr->n; i++) {
        /* neigh_push appends at first[nb->n] and increments it: row i ends at first[i+1] */
        nb->first[i + 1] = nb->first[i];
        nb->n = i + 1;
        for (int j = 0; j < fr->n; j++) {
            double d0[3];
            for (int q = 0; q < 3; q++) {
                d0[q] = fr->x[3 * j + q] - fr->x[3 * i + q];
                d0[q] -= fr->box[q] * nearbyint(d0[q] / fr->box[q]);
            }
            for (int a = -nimg[0]; a <= nimg[0]; a++)
                for (int b = -nimg[1]; b <= nimg[1]; b++)
                    for (int c = -nimg[2]; c <= nimg[2]; c++) {
                        if (i == j && !a && !b && !c) continue;
                        const double d[3] = {d0[0] + a * fr->box[0], d0[1] + b * fr->box[1],
                                             d0[2] + c * fr->box[2]};
                        if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] >= rc2) continue;
                        SR_TRY(neigh_push(nb, j, fr->type[j], d));
                    }
        }
    }
    nb->n = fr->n;
    return SR_OK;
}

void ml_neigh_free(ml_neigh *nb)
{
    if (!nb) return;
    free(nb->first);
    free(nb->j);
    free(nb->type);
    free(nb->d);
    memset(nb, 0, sizeof *nb);
}

ml_env ml_neigh_env(const ml_neigh *nb, const ml_frame *fr, int i)
{
    ml_env env = {fr->type[i], nb->first[i + 1] - nb->first[i], nb->type + nb->first[i],
                  nb->d + 3 * (size_t)nb->first[i]};
    return env;
}

int ml_model_frame(const ml_model *m, const ml_frame *fr, double *energy, double *force,
                   double *virial)
{
    ml_neigh nb = {0};
    SR_TRY(ml_neigh_build(fr, m->desc->cutoff(&m->sf), &nb));
    int nmax = 0;
    for (int i = 0; i < fr->n; i++)
        if (nb.first[i + 1] - nb.first[i] > nmax) nmax = nb.first[i + 1] - nb.first[i];
    void *work = malloc(ml_model_work_size(m, nmax));
    double *dEdd = malloc(sizeof(double) * 3 * (size_t)(nmax + 1));
    if (!work || !dEdd) {
        free(work);
        free(dEdd);
        ml_neigh_free(&nb);
        return SR_ERROR(SR_ENOMEM, "model evaluation: out of memory");
    }
    double e = 0.0, W[6] = {0};
    if (force) memset(force, 0, sizeof(double) * 3 * (size_t)fr->n);
    const int want_d = force || virial;
    for (int i = 0; i < fr->n; i++) {
        ml_env env = ml_neigh_env(&nb, fr, i);
        e += ml_model_atom(m, &env, want_d ? dEdd : NULL, work);
        if (!want_d) continue;
        for (int k = 0; k < env.n; k++) {
            const int j = nb.j[nb.first[i] + k];
            const double *g = dEdd + 3 * k, *d = env.d + 3 * k;
            if (force)
                for (int q = 0; q < 3; q++) {
                    force[3 * j + q] -= g[q];
                    force[3 * i + q] += g[q];
                }
            /* W_ab = sum_pairs d_a f_b with f on j = -dE/dd_j */
            W[0] -= d[0] * g[0];
            W[1] -= d[1] * g[1];
            W[2] -= d[2] * g[2];
            W[3] -= d[0] * g[1];
            W[4] -= d[0] * g[2];
            W[5] -= d[1] * g[2];
        }
    }
    if (energy) *energy = e;
    if (virial) memcpy(virial, W, sizeof W);
    free(work);
    free(dEdd);
    ml_neigh_free(&nb);
    return SR_OK;
}

void ml_model_describe(const ml_model *m, FILE *out)
{
    fprintf(out, "nn: Behler-Parrinello network potential, units metal, %d elements (", m->nelem);
    for (int e = 0; e < m->nelem; e++) fprintf(out, "%s%s", e ? " " : "", m->type_map[e]);
    fprintf(out, ")\n  descriptor %s: rc = %g A (angular %g A, G%d), %d radial per element, %d "
            "angular per element pair, %d features\n", m->desc->name, m->sf.rc, m->sf.rc_angular,
            m->sf.angular_kind, m->sf.n_radial, m->sf.n_angular, m->nf);
    const ml_net *n0 = m->net[0];
    fprintf(out, "  nets: %d", n0->width[0]);
    for (int l = 1; l <= n0->nlayers; l++) fprintf(out, "-%d", n0->width[l]);
    fprintf(out, " (%s), %d parameters in all\n  e_ref:", ml_activation_name(n0->activation),
            ml_model_nparams(m));
    for (int e = 0; e < m->nelem; e++) fprintf(out, " %s %.6f eV", m->type_map[e], m->e_ref[e]);
    fprintf(out, "\n");
}

/* ------------------------------------------------------------------------------------------------
 * netCDF model file
 * ---------------------------------------------------------------------------------------------- */
#define ML_MODEL_FORMAT "seedrate-nn-model"

static int nc_fail(int st, const char *call, const char *var, const char *path)
{
    return SR_ERROR(SR_ENETCDF, "%s: %s (%s): %s", path, call, var, nc_strerror(st));
}

#define NC(call, var)                                  \
    do {                                               \
        int st_ = (call);                              \
        if (st_ != NC_NOERR) {                         \
            rc = nc_fail(st_, #call, (var), path);     \
            goto done;                                 \
        }                                              \
    } while (0)

static int put_text(int ncid, int varid, const char *name, const char *text, const char *path)
{
    int st = nc_put_att_text(ncid, varid, name, strlen(text), text);
    return st ? nc_fail(st, "nc_put_att_text", name, path) : SR_OK;
}

/* member-major copy of one per-network array of k members (n doubles each) */
static double *gather(const ml_model *const *mem, int k, size_t n, const double *(*get)(const ml_model *, int),
                      int arg)
{
    double *buf = malloc(sizeof(double) * (n * (size_t)k + 1));
    if (!buf) return NULL;
    for (int q = 0; q < k; q++) memcpy(buf + (size_t)q * n, get(mem[q], arg), sizeof(double) * n);
    return buf;
}
static const double *get_e_ref(const ml_model *m, int arg) { (void)arg; return m->e_ref; }
static const double *get_mean(const ml_model *m, int arg) { (void)arg; return m->g_mean; }
static const double *get_std(const ml_model *m, int arg) { (void)arg; return m->g_std; }
static const double *get_weights(const ml_model *m, int e) { return m->net[e]->param; }

/* k = 1: format ML_MODEL_VERSION, the single-network layout; k >= 2: ML_COMMITTEE_VERSION with the
 * per-network variables over (member, ...) */
static int members_write(const ml_model *const *mem, int k, const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return SR_ERROR(SR_EINVAL, "model file name too long: %s", path);
    const ml_model *m = mem[0];
    int rc = SR_OK, ncid = -1, d_el, d_len, d_feat, d_rad, d_ang = -1, d_lay, d_mem = -1, v;
    const int km = k > 1; /* leading member dimension */
    double *buf = NULL;
    const ml_net *n0 = m->net[0];
    NC(nc_create(tmp, NC_CLOBBER | NC_64BIT_OFFSET, &ncid), tmp);
    /* self-description */
    if ((rc = put_text(ncid, NC_GLOBAL, "title", "seedrate neural-network interatomic potential", tmp)))
        goto done;
    if ((rc = put_text(ncid, NC_GLOBAL, "format", ML_MODEL_FORMAT, tmp))) goto done;
    int version = km ? ML_COMMITTEE_VERSION : ML_MODEL_VERSION;
    NC(nc_put_att_int(ncid, NC_GLOBAL, "format_version", NC_INT, 1, &version), "format_version");
    if (km) NC(nc_put_att_int(ncid, NC_GLOBAL, "committee_size", NC_INT, 1, &k), "committee_size");
    if ((rc = put_text(ncid, NC_GLOBAL, "units", "metal", tmp))) goto done;
    if ((rc = put_text(ncid, NC_GLOBAL, "descriptor", m->desc->name, tmp))) goto done;
    if ((rc = put_text(ncid, NC_GLOBAL, "activation", ml_activation_name(n0->activation), tmp)))
        goto done;
    int ak = m->sf.angular_kind, na = m->sf.n_angular;
    NC(nc_put_att_int(ncid, NC_GLOBAL, "angular_kind", NC_INT, 1, &ak), "angular_kind");
    NC(nc_put_att_int(ncid, NC_GLOBAL, "n_angular", NC_INT, 1, &na), "n_angular");
    NC(nc_put_att_double(ncid, NC_GLOBAL, "cutoff", NC_DOUBLE, 1, &m->sf.rc), "cutoff");
    NC(nc_put_att_double(ncid, NC_GLOBAL, "cutoff_angular", NC_DOUBLE, 1, &m->sf.rc_angular),
       "cutoff_angular");
    char date[64];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    if ((rc = put_text(ncid, NC_GLOBAL, "date_written", date, tmp))) goto done;
    if ((rc = put_text(ncid, NC_GLOBAL, "provenance", m->provenance[0] ? m->provenance : "none",
                       tmp)))
        goto done;
    if (km) NC(nc_def_dim(ncid, "member", (size_t)k, &d_mem), "member");
    NC(nc_def_dim(ncid, "element", (size_t)m->nelem, &d_el), "element");
    NC(nc_def_dim(ncid, "name_len", ML_NAME_LEN, &d_len), "name_len");
    NC(nc_def_dim(ncid, "feature", (size_t)m->nf, &d_feat), "feature");
    NC(nc_def_dim(ncid, "radial", (size_t)m->sf.n_radial, &d_rad), "radial");
    if (na > 0) NC(nc_def_dim(ncid, "angular", (size_t)na, &d_ang), "angular");
    NC(nc_def_dim(ncid, "layer", (size_t)n0->nlayers + 1, &d_lay), "layer");
    int dims[2] = {d_el, d_len};
    NC(nc_def_var(ncid, "type_map", NC_CHAR, 2, dims, &v), "type_map");
    if ((rc = put_text(ncid, v, "long_name", "element name of each model type", tmp))) goto done;
    NC(nc_def_var(ncid, "radial_center", NC_DOUBLE, 1, &d_rad, &v), "radial_center");
    if ((rc = put_text(ncid, v, "units", "angstrom", tmp))) goto done;
    NC(nc_def_var(ncid, "radial_eta", NC_DOUBLE, 1, &d_rad, &v), "radial_eta");
    if ((rc = put_text(ncid, v, "units", "angstrom-2", tmp))) goto done;
    if (na > 0) {
        NC(nc_def_var(ncid, "angular_eta", NC_DOUBLE, 1, &d_ang, &v), "angular_eta");
        if ((rc = put_text(ncid, v, "units", "angstrom-2", tmp))) goto done;
        NC(nc_def_var(ncid, "angular_zeta", NC_DOUBLE, 1, &d_ang, &v), "angular_zeta");
        if ((rc = put_text(ncid, v, "units", "1", tmp))) goto done;
        NC(nc_def_var(ncid, "angular_lambda", NC_DOUBLE, 1, &d_ang, &v), "angular_lambda");
        if ((rc = put_text(ncid, v, "units", "1", tmp))) goto done;
    }
    int ed[2] = {d_mem, d_el};
    NC(nc_def_var(ncid, "e_ref", NC_DOUBLE, 1 + km, ed + 1 - km, &v), "e_ref");
    if ((rc = put_text(ncid, v, "units", "eV", tmp))) goto done;
    if ((rc = put_text(ncid, v, "long_name", "per-element reference energy", tmp))) goto done;
    int fd[3] = {d_mem, d_el, d_feat};
    NC(nc_def_var(ncid, "feature_mean", NC_DOUBLE, 2 + km, fd + 1 - km, &v), "feature_mean");
    if ((rc = put_text(ncid, v, "units", "1", tmp))) goto done;
    NC(nc_def_var(ncid, "feature_std", NC_DOUBLE, 2 + km, fd + 1 - km, &v), "feature_std");
    if ((rc = put_text(ncid, v, "units", "1", tmp))) goto done;
    NC(nc_def_var(ncid, "layer_width", NC_INT, 1, &d_lay, &v), "layer_width");
    for (int e = 0; e < m->nelem; e++) {
        char dn[64], vn[64];
        snprintf(dn, sizeof dn, "param_%d", e);
        snprintf(vn, sizeof vn, "weights_%d", e);
        int dp[2] = {d_mem, -1};
        NC(nc_def_dim(ncid, dn, (size_t)m->net[e]->nparams, &dp[1]), dn);
        NC(nc_def_var(ncid, vn, NC_DOUBLE, 1 + km, dp + 1 - km, &v), vn);
        if ((rc = put_text(ncid, v, "element", m->type_map[e], tmp))) goto done;
        if ((rc = put_text(ncid, v, "layout", "per layer: W[out][in] row-major, then b[out]", tmp)))
            goto done;
        if ((rc = put_text(ncid, v, "units", "eV (output layer)", tmp))) goto done;
    }
    NC(nc__enddef(ncid, 128, 4, 0, 4), tmp); /* header room for the checksum attribute */
    char names[ML_MAX_ELEMENTS][ML_NAME_LEN];
    memset(names, 0, sizeof names);
    for (int e = 0; e < m->nelem; e++) strncpy(names[e], m->type_map[e], ML_NAME_LEN - 1);
    NC(nc_inq_varid(ncid, "type_map", &v), "type_map");
    NC(nc_put_var_text(ncid, v, &names[0][0]), "type_map");
#define PUTD(name, ptr)                               \
    NC(nc_inq_varid(ncid, name, &v), name);           \
    NC(nc_put_var_double(ncid, v, ptr), name)
    PUTD("radial_center", m->sf.rs);
    PUTD("radial_eta", m->sf.eta_r);
    if (na > 0) {
        PUTD("angular_eta", m->sf.eta_a);
        PUTD("angular_zeta", m->sf.zeta);
        PUTD("angular_lambda", m->sf.lambda);
    }
#define PUTM(name, n, get, arg)                                                     \
    buf = gather(mem, k, (n), get, arg);                                           \
    if (!buf) {                                                                    \
        rc = SR_ERROR(SR_ENOMEM, "%s: out of memory", tmp);                        \
        goto done;                                                                 \
    }                                                                              \
    PUTD(name, buf);                                                               \
    free(buf);                                                                     \
    buf = NULL
    const size_t nfe = (size_t)m->nelem * (size_t)m->nf;
    PUTM("e_ref", (size_t)m->nelem, get_e_ref, 0);
    PUTM("feature_mean", nfe, get_mean, 0);
    PUTM("feature_std", nfe, get_std, 0);
    NC(nc_inq_varid(ncid, "layer_width", &v), "layer_width");
    NC(nc_put_var_int(ncid, v, n0->width), "layer_width");
    for (int e = 0; e < m->nelem; e++) {
        char vn[64];
        snprintf(vn, sizeof vn, "weights_%d", e);
        PUTM(vn, (size_t)m->net[e]->nparams, get_weights, e);
    }
#undef PUTM
#undef PUTD
    /* the completeness checksum is the last write, before the close and the rename */
    if ((rc = io_nc_put_checksum(ncid, tmp))) goto done;
    NC(nc_close(ncid), tmp);
    ncid = -1;
    if (rename(tmp, path)) rc = SR_ERROR(SR_EIO, "%s: cannot rename to %s", tmp, path);
done:
    free(buf);
    if (ncid >= 0) nc_close(ncid);
    return rc;
}

int ml_model_write(const ml_model *m, const char *path) { return members_write(&m, 1, path); }

static int get_text_att(io_ncin *r, const char *name, char *buf, size_t cap)
{
    char tmp[4096];
    SR_TRY(io_ncin_read_att_text(r, NULL, name, tmp, sizeof tmp));
    snprintf(buf, cap, "%s", tmp);
    return SR_OK;
}

static int all_finite(const char *path, const char *name, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return SR_ERROR(SR_EPARSE, "%s: %s[%zu] = %g, expected a finite number", path, name, i, v[i]);
    return SR_OK;
}

/* The committee in an open, checked file (format 2: a committee of one). legacy != 0 accepts format version 1
 * (no completeness checksum). */
static int committee_from(io_ncin *r, int legacy, ml_committee **out)
{
    *out = NULL;
    const char *path = io_ncin_path(r);
    int rc = SR_OK;
    ml_committee *c = NULL;
    double *vals = NULL;
    char buf[4096];
    if (get_text_att(r, "format", buf, sizeof buf) || strcmp(buf, ML_MODEL_FORMAT)) {
        sr_error_clear();
        return SR_ERROR(SR_EPARSE, "%s: not a seedrate model file (global attribute format = '%s' expected)", path,
                        ML_MODEL_FORMAT);
    }
    int version = -1;
    SR_TRY(io_ncin_get_att_int(r, "format_version", &version));
    if (version == 1 && !legacy)
        return SR_ERROR(SR_EUNSUPPORTED, "%s: model format version 1 has no completeness checksum (written before "
                        "seedrate checked its files); check and convert it once with `seedrate train --upgrade %s "
                        "NEW.nc`", path, path);
    if (version != ML_MODEL_VERSION && version != ML_COMMITTEE_VERSION && !(legacy && version == 1))
        return SR_ERROR(SR_EUNSUPPORTED, "%s: model format version %d; this seedrate reads versions %d and %d "
                        "(committees) and converts version 1 with `seedrate train --upgrade`", path, version,
                        ML_MODEL_VERSION, ML_COMMITTEE_VERSION);
    size_t kk = 1;
    if (version == ML_COMMITTEE_VERSION) {
        int ks = -1;
        if (io_ncin_dim_len(r, "member", &kk) || io_ncin_get_att_int(r, "committee_size", &ks)) {
            sr_error_clear();
            return SR_ERROR(SR_EUNSUPPORTED, "%s: model format version %d without a committee (dimension member, "
                            "attribute committee_size); this seedrate reads version %d and committees in version %d",
                            path, version, ML_MODEL_VERSION, ML_COMMITTEE_VERSION);
        }
        if (kk < 2 || kk > ML_MAX_MEMBERS || (size_t)ks != kk)
            return SR_ERROR(SR_EPARSE, "%s: committee of %zu networks (attribute committee_size %d); expected 2..%d, "
                            "equal", path, kk, ks, ML_MAX_MEMBERS);
    }
    const int k = (int)kk;
    /* version 2: the checksum is mandatory (io_ncin_open checked it when present) */
    if (version >= 2) SR_TRY(io_nc_verify_checksum(io_ncin_ncid(r), path, IO_NCIN_VERIFY));
    SR_TRY(get_text_att(r, "units", buf, sizeof buf));
    if (strcmp(buf, "metal")) return SR_ERROR(SR_EUNSUPPORTED, "%s: model units '%s', expected metal", path, buf);
    SR_TRY(get_text_att(r, "descriptor", buf, sizeof buf));
    if (strcmp(buf, ml_descriptor_bp.name))
        return SR_ERROR(SR_EUNSUPPORTED, "%s: unknown descriptor '%s' (known: %s)", path, buf, ml_descriptor_bp.name);
    SR_TRY(get_text_att(r, "activation", buf, sizeof buf));
    int act;
    SR_TRY(ml_activation_parse(buf, &act));
    size_t nel, nf, nrad, nlay, namelen;
    SR_TRY(io_ncin_dim_len(r, "element", &nel));
    SR_TRY(io_ncin_dim_len(r, "feature", &nf));
    SR_TRY(io_ncin_dim_len(r, "radial", &nrad));
    SR_TRY(io_ncin_dim_len(r, "layer", &nlay));
    SR_TRY(io_ncin_dim_len(r, "name_len", &namelen));
    int ak, na;
    SR_TRY(io_ncin_get_att_int(r, "angular_kind", &ak));
    SR_TRY(io_ncin_get_att_int(r, "n_angular", &na));
    if (nel < 1 || nel > ML_MAX_ELEMENTS || nrad < 1 || nrad > ML_MAX_RADIAL || na < 0 || na > ML_MAX_ANGULAR ||
        nlay < 2 || nlay > ML_MAX_LAYERS + 1 || namelen != ML_NAME_LEN || (ak != ML_ANGULAR_G4 && ak != ML_ANGULAR_G5))
        return SR_ERROR(SR_EPARSE, "%s: inconsistent model sizes (elements %zu, radial %zu, angular %d, layers %zu, "
                        "angular kind %d)", path, nel, nrad, na, nlay, ak);
    ml_sf_params sf;
    memset(&sf, 0, sizeof sf);
    sf.nelem = (int)nel;
    sf.n_radial = (int)nrad;
    sf.n_angular = na;
    sf.angular_kind = ak;
    SR_TRY(io_ncin_get_att_double(r, "cutoff", &sf.rc));
    SR_TRY(io_ncin_get_att_double(r, "cutoff_angular", &sf.rc_angular));
    if (!(sf.rc > 0 && sf.rc < 100 && sf.rc_angular > 0 && sf.rc_angular <= sf.rc))
        return SR_ERROR(SR_EPARSE, "%s: cutoff %g A, angular cutoff %g A; expected 0 < angular <= cutoff < 100", path,
                        sf.rc, sf.rc_angular);
    /* every variable is read with its exact size (a variable defined over other dimensions is refused) */
    SR_TRY(io_ncin_get_double(r, "radial_center", nrad, sf.rs));
    SR_TRY(io_ncin_get_double(r, "radial_eta", nrad, sf.eta_r));
    SR_TRY(all_finite(path, "radial_center", sf.rs, nrad));
    SR_TRY(all_finite(path, "radial_eta", sf.eta_r, nrad));
    if (na > 0) {
        SR_TRY(io_ncin_get_double(r, "angular_eta", (size_t)na, sf.eta_a));
        SR_TRY(io_ncin_get_double(r, "angular_zeta", (size_t)na, sf.zeta));
        SR_TRY(io_ncin_get_double(r, "angular_lambda", (size_t)na, sf.lambda));
        SR_TRY(all_finite(path, "angular_eta", sf.eta_a, (size_t)na));
        /* the descriptor tabulates (1 +- c)^z for z <= 64 (ml_sf_generate's limits) */
        for (int m2 = 0; m2 < na; m2++)
            if (!(sf.zeta[m2] >= 1 && sf.zeta[m2] <= 64 && sf.zeta[m2] == floor(sf.zeta[m2])) ||
                !(sf.lambda[m2] == 1.0 || sf.lambda[m2] == -1.0))
                return SR_ERROR(SR_EPARSE, "%s: angular function %d has zeta = %g, lambda = %g; expected an integer "
                                "zeta in 1..64 and lambda = +1 or -1", path, m2 + 1, sf.zeta[m2], sf.lambda[m2]);
    }
    int width[ML_MAX_LAYERS + 1];
    SR_TRY(io_ncin_get_int(r, "layer_width", nlay, width));
    char names[ML_MAX_ELEMENTS][ML_NAME_LEN];
    SR_TRY(io_ncin_get_text(r, "type_map", nel * ML_NAME_LEN, &names[0][0]));
    const char *tm[ML_MAX_ELEMENTS];
    for (size_t e = 0; e < nel; e++) {
        names[e][ML_NAME_LEN - 1] = 0;
        tm[e] = names[e];
    }
    c = ml_committee_create();
    if (!c) return SR_ERROR(SR_ENOMEM, "%s: out of memory", path);
    for (int q = 0; q < k; q++) {
        ml_model *mq = ml_model_create((int)nel, tm, &sf, (int)nlay - 2, width + 1, act);
        if (!mq) {
            rc = sr_error_status() ? sr_error_status() : SR_EINVAL;
            goto done;
        }
        if ((rc = ml_committee_add(c, mq))) goto done;
    }
    const ml_model *m = c->member[0];
    if ((size_t)m->nf != nf || width[0] != m->nf || width[nlay - 1] != 1) {
        rc = SR_ERROR(SR_EPARSE, "%s: %zu features stored (layer widths %d ... %d), descriptor parameters give %d",
                      path, nf, width[0], width[nlay - 1], m->nf);
        goto done;
    }
    const size_t nfe = (size_t)m->nelem * (size_t)m->nf;
    size_t nmax = nfe > nel ? nfe : nel;
    for (int e = 0; e < m->nelem; e++)
        if ((size_t)m->net[e]->nparams > nmax) nmax = (size_t)m->net[e]->nparams;
    vals = malloc(sizeof(double) * nmax * kk);
    if (!vals) {
        rc = SR_ERROR(SR_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    /* each per-network variable holds k blocks of n values, member-major */
#define GETM(name, n, dst)                                                               \
    if ((rc = io_ncin_get_double(r, name, (n) * kk, vals)) || (rc = all_finite(path, name, vals, (n) * kk))) \
        goto done;                                                                       \
    for (int q = 0; q < k; q++) memcpy((dst), vals + (size_t)q * (n), sizeof(double) * (n))
    GETM("e_ref", nel, c->member[q]->e_ref);
    GETM("feature_mean", nfe, c->member[q]->g_mean);
    GETM("feature_std", nfe, c->member[q]->g_std);
    for (size_t q = 0; q < nfe * kk; q++)
        if (!(vals[q] > 0)) {
            rc = SR_ERROR(SR_EPARSE, "%s: feature_std[%zu] = %g, expected > 0", path, q, vals[q]);
            goto done;
        }
    for (int e = 0; e < m->nelem; e++) {
        char vn[64];
        snprintf(vn, sizeof vn, "weights_%d", e);
        GETM(vn, (size_t)m->net[e]->nparams, c->member[q]->net[e]->param);
    }
#undef GETM
    char prov[sizeof m->provenance];
    if (get_text_att(r, "provenance", prov, sizeof prov)) {
        sr_error_clear();
        prov[0] = 0;
    }
    for (int q = 0; q < k; q++) memcpy(c->member[q]->provenance, prov, sizeof prov);
    *out = c;
    c = NULL;
done:
    free(vals);
    ml_committee_free(c);
    return rc;
}

/* a committee of one as a model (ml_model_read and its callers) */
static int single_from(io_ncin *r, int legacy, ml_model **out)
{
    ml_committee *c;
    *out = NULL;
    SR_TRY(committee_from(r, legacy, &c));
    if (c->k != 1) {
        int k = c->k;
        ml_committee_free(c);
        return SR_ERROR(SR_EUNSUPPORTED, "%s: a committee of %d networks; read it as a committee (the nn potential "
                        "and `seedrate train --test` do)", io_ncin_path(r), k);
    }
    *out = c->member[0];
    c->member[0] = NULL;
    c->k = 0;
    ml_committee_free(c);
    return SR_OK;
}

static int model_read_file(const char *path, int legacy, ml_model **out)
{
    *out = NULL;
    io_ncin *r;
    SR_TRY(io_ncin_open(path, IO_NCIN_LEGACY, &r)); /* the checksum is checked when present; model_from wants it */
    int rc = single_from(r, legacy, out);
    io_ncin_close(r);
    return rc;
}

int ml_model_read(const char *path, ml_model **out) { return model_read_file(path, 0, out); }

int ml_model_read_buffer(const void *buf, size_t len, const char *name, ml_model **out)
{
    *out = NULL;
    io_ncin *r;
    SR_TRY(io_ncin_open_buffer(buf, len, name, IO_NCIN_LEGACY, &r));
    int rc = single_from(r, 0, out);
    io_ncin_close(r);
    return rc;
}

int ml_committee_read(const char *path, ml_committee **out)
{
    *out = NULL;
    io_ncin *r;
    SR_TRY(io_ncin_open(path, IO_NCIN_LEGACY, &r)); /* checked when present; committee_from demands it */
    int rc = committee_from(r, 0, out);
    io_ncin_close(r);
    return rc;
}

int ml_committee_read_buffer(const void *buf, size_t len, const char *name, ml_committee **out)
{
    *out = NULL;
    io_ncin *r;
    SR_TRY(io_ncin_open_buffer(buf, len, name, IO_NCIN_LEGACY, &r));
    int rc = committee_from(r, 0, out);
    io_ncin_close(r);
    return rc;
}

int ml_committee_write(const ml_committee *c, const char *path)
{
    if (!c || c->k < 1) return SR_ERROR(SR_EINVAL, "%s: an empty committee", path);
    return members_write((const ml_model *const *)c->member, c->k, path);
}

int ml_model_upgrade(const char *old_path, const char *new_path)
{
    ml_model *m;
    SR_TRY(model_read_file(old_path, 1, &m));
    int rc = ml_model_write(m, new_path);
    ml_model_free(m);
    return rc;
}
