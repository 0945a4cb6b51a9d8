/* ml_potential.c - the neural-network potential as md potential style "nn".
 *
 * [potential]
 * style = nn
 * model = water.nc      # model file written by `seedrate train`, relative to the input file
 *
 * Uses md's FULL neighbour list with ghost atoms: for each local atom i the neighbours within the
 * model cutoff give displacements d_j = x_j - x_i, E_i = N(G_i), and the force -dE_i/dd_j is put on j
 * (local or ghost) and +dE_i/dd_j on i. md_compute folds ghost forces onto their owners and forms
 * the virial sum_k x_k (x) f_k, which equals -sum d (x) dE/dd (Thompson et al., JCP 131, 154107
 * (2009), for many-body potentials with ghost atoms). */
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "ml.h"

/* per-thread scratch of one neighbourhood */
typedef struct nn_scratch {
    int cap; /* neighbour capacity */
    int *ntype, *idx;
    double *d, *dEdd;
    void *work;
    double *f;    /* private force accumulator [3*frows] (threads > 0 only) */
    int frows;
} nn_scratch;

#define NN_MAX_THREADS 256

typedef struct nn_state {
    ml_model *model;
    int ntypes;
    int map[64];          /* md type -> model element */
    nn_scratch scr[NN_MAX_THREADS];
    char path[SR_KW_STRLEN + 1024];
} nn_state;

static const sr_keyword nn_keywords[] = {
    {"model", SR_KW_STRING, offsetof(ml_potential_config, model), "", NULL, 0, 0, NULL,
     "neural-network model file (netCDF, written by `seedrate train`), relative to the input file"},
    SR_KW_END};

static void scratch_free(nn_scratch *c)
{
    free(c->ntype);
    free(c->idx);
    free(c->d);
    free(c->dEdd);
    free(c->work);
    free(c->f);
    memset(c, 0, sizeof *c);
}

static void nn_destroy(void *st)
{
    nn_state *s = st;
    if (!s) return;
    ml_model_free(s->model);
    for (int t = 0; t < NN_MAX_THREADS; t++) scratch_free(&s->scr[t]);
    free(s);
}

static int scratch_reserve(const ml_model *m, nn_scratch *c, int n)
{
    if (n <= c->cap) return SR_OK;
    const int cap = n + n / 2 + 16;
    free(c->ntype);
    free(c->idx);
    free(c->d);
    free(c->dEdd);
    free(c->work);
    c->ntype = malloc(sizeof(int) * (size_t)cap);
    c->idx = malloc(sizeof(int) * (size_t)cap);
    c->d = malloc(sizeof(double) * 3 * (size_t)cap);
    c->dEdd = malloc(sizeof(double) * 3 * (size_t)cap);
    c->work = malloc(ml_model_work_size(m, cap));
    c->cap = (c->ntype && c->idx && c->d && c->dEdd && c->work) ? cap : 0;
    return c->cap ? SR_OK : SR_ERROR(SR_ENOMEM, "nn: out of memory for %d neighbours", n);
}

static int nn_create(void **out, const void *config, const md_system *sys, const char *basedir)
{
    const ml_potential_config *cfg = config;
    *out = NULL;
    nn_state *s = calloc(1, sizeof *s);
    if (!s) return SR_ERROR(SR_ENOMEM, "nn: out of memory");
    if (cfg->model[0] == '/' || !basedir || !*basedir)
        snprintf(s->path, sizeof s->path, "%s", cfg->model);
    else
        snprintf(s->path, sizeof s->path, "%s/%s", basedir, cfg->model);
    int rc = ml_model_read(s->path, &s->model);
    if (rc) {
        nn_destroy(s);
        return rc;
    }
    if (sys->units != MD_UNITS_METAL) {
        rc = SR_ERROR(SR_EINVAL, "nn: model %s is in metal units; the system uses another unit "
                      "style (set units = metal)", s->path);
        nn_destroy(s);
        return rc;
    }
    if (sys->ntypes > 64) {
        nn_destroy(s);
        return SR_ERROR(SR_ERANGE, "nn: at most 64 atom types");
    }
    s->ntypes = sys->ntypes;
    for (int t = 0; t < sys->ntypes; t++) {
        const char *name = sys->type_name ? sys->type_name[t] : "";
        s->map[t] = ml_model_element(s->model, name);
        if (s->map[t] < 0) {
            char have[256] = "";
            for (int e = 0; e < s->model->nelem; e++) {
                strncat(have, e ? ", " : "", sizeof have - strlen(have) - 1);
                strncat(have, s->model->type_map[e], sizeof have - strlen(have) - 1);
            }
            rc = SR_ERROR(SR_EINVAL, "nn: atom type %d ('%s') of the system is not an element of "
                          "model %s (which has: %s); name the types by element", t + 1, name,
                          s->path, have);
            nn_destroy(s);
            return rc;
        }
    }
    *out = s;
    return SR_OK;
}

/* atoms lo..hi-1 into force array f (sys->f or a private copy); returns the energy */
static int nn_atoms(nn_state *s, nn_scratch *c, md_system *sys, const md_nlist *nl, unsigned want,
                    md_result *r, int lo, int hi, double *f, double *energy)
{
    const ml_model *m = s->model;
    const double rc = m->desc->cutoff(&m->sf), rc2 = rc * rc;
    const int wantf = (want & (MD_WANT_FORCE | MD_WANT_VIRIAL)) != 0;
    double etot = 0.0;
    for (int i = lo; i < hi; i++) {
        const int nn = nl->num[i];
        SR_TRY(scratch_reserve(m, c, nn));
        const int *nb = nl->neigh + nl->first[i];
        const double *xi = sys->x + 3 * i;
        int k = 0;
        for (int a = 0; a < nn; a++) {
            const int j = nb[a];
            const double *xj = sys->x + 3 * j;
            const double d[3] = {xj[0] - xi[0], xj[1] - xi[1], xj[2] - xi[2]};
            if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] >= rc2) continue;
            memcpy(c->d + 3 * k, d, sizeof d);
            c->ntype[k] = s->map[sys->type[j]];
            c->idx[k++] = j;
        }
        const ml_env env = {s->map[sys->type[i]], k, c->ntype, c->d};
        const double ei = ml_model_atom(m, &env, wantf ? c->dEdd : NULL, c->work);
        etot += ei;
        if ((want & MD_WANT_EATOM) && r && r->eatom) r->eatom[i] = ei;
        if (!wantf) continue;
        double *fi = f + 3 * i;
        for (int a = 0; a < k; a++) {
            double *fj = f + 3 * (size_t)c->idx[a];
            const double *g = c->dEdd + 3 * a;
            for (int q = 0; q < 3; q++) {
                fj[q] -= g[q];
                fi[q] += g[q];
            }
        }
    }
    *energy = etot;
    return SR_OK;
}

static int nn_compute(void *st, md_system *sys, const md_nlist *nl, unsigned want, md_result *r)
{
    nn_state *s = st;
    int nth = 1;
#ifdef _OPENMP
    nth = omp_get_max_threads();
    if (nth > NN_MAX_THREADS) nth = NN_MAX_THREADS;
    if (sys->n < 64 * nth) nth = sys->n / 64 > 1 ? sys->n / 64 : 1;
#endif
    double etot = 0.0;
    if (nth == 1) {
        SR_TRY(nn_atoms(s, &s->scr[0], sys, nl, want, r, 0, sys->n, sys->f, &etot));
        if (r) r->energy = etot;
        return SR_OK;
    }
    /* threads over atoms, each with its own force array (locals and ghosts), summed at the end */
    const int rows = sys->n + sys->nghost;
    int rc = SR_OK;
#ifdef _OPENMP
#pragma omp parallel num_threads(nth) reduction(+ : etot)
    {
        const int t = omp_get_thread_num(), nt = omp_get_num_threads();
        nn_scratch *c = &s->scr[t];
        int my = SR_OK;
        if (c->frows < rows) {
            free(c->f);
            c->f = malloc(sizeof(double) * 3 * (size_t)rows);
            c->frows = c->f ? rows : 0;
        }
        if (!c->f) my = SR_ERROR(SR_ENOMEM, "nn: out of memory for thread forces");
        if (!my) {
            memset(c->f, 0, sizeof(double) * 3 * (size_t)rows);
            const int lo = (int)((long)sys->n * t / nt), hi = (int)((long)sys->n * (t + 1) / nt);
            double e = 0.0;
            my = nn_atoms(s, c, sys, nl, want, r, lo, hi, c->f, &e);
            etot += e;
        }
        if (my) {
#pragma omp critical
            rc = my;
        }
#pragma omp barrier
        if (!rc) {
#pragma omp for
            for (int k = 0; k < 3 * rows; k++) {
                double sum = 0.0;
                for (int u = 0; u < nt; u++) sum += s->scr[u].f[k];
                sys->f[k] += sum;
            }
        }
    }
#endif
    if (rc) return rc;
    if (r) r->energy = etot;
    return SR_OK;
}

static double nn_cutoff(const void *st)
{
    const nn_state *s = st;
    return s->model->desc->cutoff(&s->model->sf);
}

static void nn_describe(const void *st, FILE *out)
{
    const nn_state *s = st;
    fprintf(out, "model file %s\n", s->path);
    ml_model_describe(s->model, out);
    if (s->model->provenance[0]) fprintf(out, "  provenance: %s\n", s->model->provenance);
}

const md_potential_class ml_potential_nn = {
    .name = "nn",
    .keywords = nn_keywords,
    .config_size = sizeof(ml_potential_config),
    .create = nn_create,
    .compute = nn_compute,
    .cutoff = nn_cutoff,
    .nlist_kind = MD_NLIST_FULL,
    .describe = nn_describe,
    .destroy = nn_destroy,
};
