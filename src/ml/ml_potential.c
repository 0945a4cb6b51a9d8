/* ml_potential.c - the neural-network potential as md potential style "nn".
 *
 * [potential]
 * style = nn
 * model = water.nc      # model file written by `seedrate train`, relative to the input file
 * member = 0            # of a committee file: 0 = all members (means), N = member N alone
 *
 * Uses md's FULL neighbour list with ghost atoms: for each local atom i the neighbours within the
 * model cutoff give displacements d_j = x_j - x_i, E_i = N(G_i), and the force -dE_i/dd_j is put on j
 * (local or ghost) and +dE_i/dd_j on i. md_compute folds ghost forces onto their owners and forms
 * the virial sum_k x_k (x) f_k, which equals -sum d (x) dE/dd (Thompson et al., JCP 131, 154107
 * (2009), for many-body potentials with ghost atoms).
 *
 * A committee file (K networks, ml.h) evaluates every member into its own force array; the forces on
 * locals and ghosts, the energy and the per-atom energies are the member means (so the virial md_compute
 * forms is the mean virial), and each member's forces, folded onto the owners, give the model deviation
 * (md_uncertainty, the optional `uncertainty` hook). A committee of one runs the single-network path,
 * bit for bit, and reports no uncertainty. */
#include <math.h>
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
    double *f;    /* private force accumulators of the members [frows] (threads > 0 only) */
    size_t frows;
    double e[ML_MAX_MEMBERS]; /* member energies of this thread's atoms */
} nn_scratch;

#define NN_MAX_THREADS 256

typedef struct nn_state {
    ml_committee *com;
    ml_model *model;      /* member 0 (cutoff, description) */
    int ntypes;
    /* committee scratch: member forces [k][3 rows], member per-atom energies [k][rows], deviation [n] */
    double *fm, *em, *dev;
    size_t fm_rows, dev_n;
    md_uncertainty unc;   /* of the last compute with forces */
    int have_unc;
    int map[64];          /* md type -> model element */
    nn_scratch scr[NN_MAX_THREADS];
    int threads;          /* md_potential_set_threads; 0 (not set: a state built directly): omp_get_max_threads() */
    int member;           /* [potential] member (0: the whole committee) */
    char path[SR_KW_STRLEN + 1024];
} nn_state;

static const sr_keyword nn_keywords[] = {
    {"model", SR_KW_STRING, offsetof(ml_potential_config, model), "", NULL, 0, 0, NULL,
     "neural-network model file (netCDF, written by `seedrate train`), relative to the input file"},
    {"member", SR_KW_INT, offsetof(ml_potential_config, member), "", "0", 0, ML_MAX_MEMBERS, NULL,
     "of a committee file: 0 = every member (forces and energy are the member means, model deviation logged); "
     "N = member N alone (1 = the first), as one network: a job per member gives the committee's spread of a "
     "result (e.g. of log10 J)"},
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
    ml_committee_free(s->com);
    free(s->fm);
    free(s->em);
    free(s->dev);
    for (int t = 0; t < NN_MAX_THREADS; t++) scratch_free(&s->scr[t]);
    free(s);
}

static int scratch_reserve(const nn_state *s, nn_scratch *c, int n)
{
    if (n <= c->cap) return SR_OK;
    const ml_model *m = s->model;
    const int cap = n + n / 2 + 16;
    free(c->ntype);
    free(c->idx);
    free(c->d);
    free(c->dEdd);
    free(c->work);
    c->ntype = malloc(sizeof(int) * (size_t)cap);
    c->idx = malloc(sizeof(int) * (size_t)cap);
    c->d = malloc(sizeof(double) * 3 * (size_t)cap);
    c->dEdd = malloc(sizeof(double) * 3 * (size_t)cap * (size_t)s->com->k); /* one block per member */
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
    int rc = ml_committee_read(s->path, &s->com);
    if (rc) {
        nn_destroy(s);
        return rc;
    }
    if (cfg->member > s->com->k) {
        rc = SR_ERROR(SR_EINVAL, "nn: member = %d, but model %s has %d network%s", cfg->member, s->path, s->com->k,
                      s->com->k == 1 ? "" : "s");
        nn_destroy(s);
        return rc;
    }
    if (cfg->member > 0) { /* that member alone: a committee of one, the single-network path */
        ml_model *keep = s->com->member[cfg->member - 1];
        for (int q = 0; q < s->com->k; q++)
            if (q != cfg->member - 1) ml_model_free(s->com->member[q]);
        s->com->member[0] = keep;
        s->com->k = 1;
        s->member = cfg->member;
    }
    s->model = s->com->member[0];
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

/* atoms lo..hi-1 of every member q of the committee (one network: K = 1) into force array f + 3 rows q (sys->f or
 * a private copy; rows = n + nghost) and per-atom energies eatom + rows q (eatom may be NULL); member energies into
 * energy[q]. The descriptor of a neighbourhood is computed once for all members (ml_committee_atom). */
static int nn_atoms(nn_state *s, nn_scratch *c, md_system *sys, const md_nlist *nl, unsigned want, double *eatom,
                    int lo, int hi, double *f, double *energy)
{
    const ml_committee *com = s->com;
    const ml_model *m = s->model;
    const int K = com->k;
    const size_t rows = (size_t)sys->n + (size_t)sys->nghost;
    const double rc = m->desc->cutoff(&m->sf), rc2 = rc * rc;
    const int wantf = (want & (MD_WANT_FORCE | MD_WANT_VIRIAL)) != 0;
    double etot[ML_MAX_MEMBERS] = {0}, ei[ML_MAX_MEMBERS];
    for (int i = lo; i < hi; i++) {
        const int nn = nl->num[i];
        SR_TRY(scratch_reserve(s, c, nn));
        const int *nb = nl->neigh + nl->first[i];
        const double *xi = sys->x + 3 * i;
        int k = 0;
        /* branch-free compaction (about half of the list's neighbours are beyond rc: a branch per neighbour
         * is mispredicted half the time); scratch_reserve gave room for all nn */
        for (int a = 0; a < nn; a++) {
            const int j = nb[a];
            const double *xj = sys->x + 3 * j;
            const double d[3] = {xj[0] - xi[0], xj[1] - xi[1], xj[2] - xi[2]};
            memcpy(c->d + 3 * k, d, sizeof d);
            c->ntype[k] = s->map[sys->type[j]];
            c->idx[k] = j;
            k += !(d[0] * d[0] + d[1] * d[1] + d[2] * d[2] >= rc2); /* NaN kept, as before: it must reach E */
        }
        const ml_env env = {s->map[sys->type[i]], k, c->ntype, c->d};
        const size_t dstride = 3 * (size_t)c->cap;
        if (K == 1) ei[0] = ml_model_atom(m, &env, wantf ? c->dEdd : NULL, c->work);
        else ml_committee_atom(com, &env, ei, wantf ? c->dEdd : NULL, dstride, c->work);
        for (int q = 0; q < K; q++) {
            etot[q] += ei[q];
            if (eatom) eatom[(size_t)q * rows + (size_t)i] = ei[q];
            if (!wantf) continue;
            double *fq = f + (size_t)q * 3 * rows, *fi = fq + 3 * i;
            const double *dq = c->dEdd + (size_t)q * dstride;
            for (int a = 0; a < k; a++) {
                double *fj = fq + 3 * (size_t)c->idx[a];
                const double *g = dq + 3 * a;
                for (int r = 0; r < 3; r++) {
                    fj[r] -= g[r];
                    fi[r] += g[r];
                }
            }
        }
    }
    for (int q = 0; q < K; q++) energy[q] = etot[q];
    return SR_OK;
}

/* all members: forces accumulated into f (K blocks of 3 (n + nghost)), per-atom energies into eatom (K blocks of
 * n + nghost, may be NULL), member energies into energy[K] */
static int nn_network(nn_state *s, md_system *sys, const md_nlist *nl, unsigned want, double *eatom, double *f,
                      double *energy)
{
    const int K = s->com->k;
    int nth = 1;
#ifdef _OPENMP
    nth = s->threads > 0 ? s->threads : omp_get_max_threads();
    if (nth > NN_MAX_THREADS) nth = NN_MAX_THREADS;
    if (sys->n < 64 * nth) nth = sys->n / 64 > 1 ? sys->n / 64 : 1;
#endif
    if (nth == 1) return nn_atoms(s, &s->scr[0], sys, nl, want, eatom, 0, sys->n, f, energy);
    /* threads over atoms, each with its own force arrays (locals and ghosts), summed at the end */
    const size_t rows = (size_t)sys->n + (size_t)sys->nghost, nf3 = 3 * rows * (size_t)K;
    int rc = SR_OK;
#ifdef _OPENMP
    /* nth blocks of atoms, each with its own arrays, summed in block order: the result depends on nth only, not on
     * how many threads OpenMP actually runs the blocks on (md.h, "Threads inside one replica") */
    char msg[512] = "";
#pragma omp parallel num_threads(nth)
    {
#pragma omp for schedule(static, 1)
        for (int t = 0; t < nth; t++) {
            nn_scratch *c = &s->scr[t];
            int my = SR_OK;
            if (c->frows < nf3) {
                free(c->f);
                c->f = malloc(sizeof(double) * nf3);
                c->frows = c->f ? nf3 : 0;
            }
            if (!c->f) my = SR_ERROR(SR_ENOMEM, "nn: out of memory for thread forces");
            if (!my) {
                memset(c->f, 0, sizeof(double) * nf3);
                const int lo = (int)((long)sys->n * t / nth), hi = (int)((long)sys->n * (t + 1) / nth);
                my = nn_atoms(s, c, sys, nl, want, eatom, lo, hi, c->f, c->e);
            }
            if (my) {
#pragma omp critical
                {
                    rc = my;
                    snprintf(msg, sizeof msg, "%s", sr_error_message()); /* per-thread text (sr_error.c) */
                }
            }
        }
        if (!rc) {
#pragma omp for
            for (size_t k = 0; k < nf3; k++) {
                double sum = 0.0;
                for (int u = 0; u < nth; u++) sum += s->scr[u].f[k];
                f[k] += sum;
            }
#pragma omp single
            for (int q = 0; q < K; q++) {
                double e = 0.0;
                for (int u = 0; u < nth; u++) e += s->scr[u].e[q];
                energy[q] = e;
            }
        }
    }
    if (rc) return SR_ERROR(rc, "%s", msg);
#endif
    return rc;
}

static int committee_reserve(nn_state *s, int k, size_t rows, size_t n)
{
    if (rows > s->fm_rows) {
        free(s->fm);
        free(s->em);
        s->fm = malloc(sizeof(double) * 3 * rows * (size_t)k);
        s->em = malloc(sizeof(double) * rows * (size_t)k);
        s->fm_rows = (s->fm && s->em) ? rows : 0;
        if (!s->fm_rows) return SR_ERROR(SR_ENOMEM, "nn: out of memory for %d committee force arrays", k);
    }
    if (n > s->dev_n) {
        free(s->dev);
        s->dev = malloc(sizeof(double) * n);
        s->dev_n = s->dev ? n : 0;
        if (!s->dev) return SR_ERROR(SR_ENOMEM, "nn: out of memory for the model deviation");
    }
    return SR_OK;
}

static int nn_compute(void *st, md_system *sys, const md_nlist *nl, unsigned want, md_result *r)
{
    nn_state *s = st;
    double *eatom = ((want & MD_WANT_EATOM) && r) ? r->eatom : NULL;
    const int k = s->com->k;
    if (k == 1) {
        double e;
        SR_TRY(nn_network(s, sys, nl, want, eatom, sys->f, &e));
        if (r) r->energy = e;
        return SR_OK;
    }
    const size_t rows = (size_t)sys->n + (size_t)sys->nghost, n3 = 3 * rows;
    const int wantf = (want & (MD_WANT_FORCE | MD_WANT_VIRIAL)) != 0;
    SR_TRY(committee_reserve(s, k, rows > 0 ? rows : 1, sys->n > 0 ? (size_t)sys->n : 1));
    double em[ML_MAX_MEMBERS];
    if (wantf) memset(s->fm, 0, sizeof(double) * n3 * (size_t)k);
    SR_TRY(nn_network(s, sys, nl, want, eatom ? s->em : NULL, s->fm, em));
    const double emean = ml_committee_mean(k, em, 1);
    if (r) r->energy = emean;
    if (eatom)
        for (int i = 0; i < sys->n; i++) eatom[i] = ml_committee_mean(k, s->em + i, rows);
    if (!wantf) return SR_OK;
    for (size_t j = 0; j < n3; j++) sys->f[j] += ml_committee_mean(k, s->fm + j, n3);
    /* deviation from each member's forces folded onto the owners (locals 0..n-1 of each member array) */
    for (int q = 0; q < k; q++) {
        double *fq = s->fm + (size_t)q * n3;
        for (int g = 0; g < sys->nghost; g++) {
            const int o = sys->ghost_owner[g];
            for (int d = 0; d < 3; d++) fq[3 * (size_t)o + d] += fq[3 * ((size_t)sys->n + g) + d];
        }
    }
    /* ml_force_deviation reads member blocks of 3n: pack the locals of each member contiguously (in place:
     * block q moves from offset q*3*rows to q*3*n, which never overtakes a block still to be read) */
    for (int q = 1; q < k; q++)
        memmove(s->fm + (size_t)q * 3 * (size_t)sys->n, s->fm + (size_t)q * n3, sizeof(double) * 3 * (size_t)sys->n);
    int imax = 0;
    const double dmax = ml_force_deviation(k, sys->n, s->fm, s->dev, &imax);
    double dsum = 0.0;
    for (int i = 0; i < sys->n; i++) dsum += s->dev[i];
    double evar = 0.0;
    for (int q = 0; q < k; q++) evar += (em[q] - emean) * (em[q] - emean) / k;
    s->unc = (md_uncertainty){.members = k,
                              .step = sys->step,
                              .force_dev_max = dmax,
                              .force_dev_mean = sys->n ? dsum / sys->n : 0.0,
                              .energy_dev = evar > 0 ? sqrt(evar) : 0.0,
                              .atom_id = sys->n ? sys->id[imax] : 0,
                              .n = sys->n,
                              .force_dev = s->dev};
    s->have_unc = 1;
    return SR_OK;
}

static int nn_set_threads(void *st, int threads)
{
    ((nn_state *)st)->threads = threads;
    return SR_OK;
}

static int nn_uncertainty(const void *st, md_uncertainty *u)
{
    const nn_state *s = st;
    if (s->com->k < 2 || !s->have_unc) return 0;
    *u = s->unc;
    return 1;
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
    if (s->member) fprintf(out, "  member %d of the committee, alone\n", s->member);
    ml_model_describe(s->model, out);
    if (s->com->k > 1)
        fprintf(out, "  committee of %d networks: energy, forces and virial are member means; model deviation "
                "(max over atoms of the force standard deviation) in the thermo log column model_dev\n",
                s->com->k);
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
    .uncertainty = nn_uncertainty,
    .set_threads = nn_set_threads,
};
