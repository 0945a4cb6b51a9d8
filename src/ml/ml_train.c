/* ml_train.c - fitting a network potential to energies and forces.
 *
 * Loss of one frame with N atoms (Wang et al., CPC 228, 178 (2018), eq. 11):
 *     L = p_e (dE/N)^2 + p_f |dF|^2 / (3N) + p_v |dW|^2 / (9 N^2),
 *     dE = E_model - E_ref,  dF = F_model - F_ref,  dW = W_model - W_ref (the 3 x 3 virial),
 * the virial term per atom like the energy's (frames without a reference virial, or p_v = 0: no term)
 * averaged over a minibatch, with prefactors that move from energy to forces as the learning rate
 * decays: p(t) = p_limit + (p_start - p_limit) lr(t)/lr(0); lr(t) = lr0 (lr_stop/lr0)^(t_d/steps),
 * t_d = t rounded down to a multiple of decay_steps; Adam (Kingma & Ba, ICLR 2015).
 *
 * Exact force-loss gradient: with g_i = dE_i/dG_i and D_ij = dG_i/dd_j (d_j = r_j - r_i),
 *     F_j = -sum_i g_i . D_ij (j != i),  F_i += sum_j g_i . D_ij,
 * so sum_k dF_k . F_k = sum_i g_i . u_i with u_i = sum_j (dF_i - dF_j) . D_ij, and
 *     dL/dtheta = sum_i [2 p_e dE/N^2 dE_i/dtheta + 2 p_f/(3N) d(u_i . g_i)/dtheta],
 * the second term by double back-propagation through the net (ml_net_param_grad).
 * Virial: W_ab = -sum_i sum_j d_j,a (g_i . D_ij,b) (= sum r_a f_b, md's convention), so
 *     sum_ab dW_ab dW_ab/dtheta = sum_i d(w_i . g_i)/dtheta,  w_i = -sum_j sum_b (sum_a dW_ab d_j,a) D_ij,b,
 * the same contraction as u_i with another weight per neighbour and component: one pass serves both.
 *
 * Descriptors and their derivatives are computed once per frame (the "cache"; derivatives stored
 * in single precision to halve the memory), so a training step costs two contractions of D with
 * vectors plus the network passes. Frames of a minibatch are spread over OpenMP threads, each with
 * its own gradient buffer, reduced at the end. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_multifit.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "../common/sr_rng.h"
#include "ml.h"

typedef float ml_dreal; /* storage precision of descriptor derivatives */

/* sparsity runs of the descriptor derivatives per neighbour code (element * 2 + inside angular cutoff) */
typedef struct runtab {
    int n[2 * ML_MAX_ELEMENTS];
    int start[2 * ML_MAX_ELEMENTS][ML_MAX_RUNS];
    int len[2 * ML_MAX_ELEMENTS][ML_MAX_RUNS];
    int tot[2 * ML_MAX_ELEMENTS];
} runtab;

typedef struct cframe {
    int n;
    const int *type;
    double energy;
    const double *force;
    int *first;          /* [n+1] */
    int *j;              /* owner of each neighbour entry */
    unsigned char *code; /* run-table code of each entry */
    double *G;           /* [n][nf] */
    ml_dreal *D;         /* per entry [3][runs concatenated]: the non-zero part of dG_i/dd_j */
    double *d;           /* frames with a reference virial: per entry, d_j = r_j - r_i (3); else NULL */
    double virial[9];    /* the reference W_ab, 3 x 3 row-major (eV), when d is set */
} cframe;

struct ml_cache {
    int nframes, nf, nmax; /* nmax: largest atom count */
    cframe *fr;
    runtab rt;
    size_t bytes;
};

void ml_cache_free(ml_cache *c)
{
    if (!c) return;
    for (int k = 0; k < c->nframes; k++) {
        free(c->fr[k].first);
        free(c->fr[k].j);
        free(c->fr[k].code);
        free(c->fr[k].G);
        free(c->fr[k].D);
        free(c->fr[k].d);
    }
    free(c->fr);
    free(c);
}

static void runtab_build(const ml_model *m, runtab *rt)
{
    for (int b = 0; b < m->nelem; b++)
        for (int a = 0; a < 2; a++) {
            /* a representative distance: inside (a = 1) or outside (a = 0) the angular cutoff */
            const double r = a ? 0.0 : m->sf.rc_angular;
            const int c = 2 * b + a;
            rt->n[c] = m->desc->runs(&m->sf, b, r, rt->start[c], rt->len[c]);
            rt->tot[c] = 0;
            for (int k = 0; k < rt->n[c]; k++) rt->tot[c] += rt->len[c][k];
        }
}

static int cache_frame(const ml_model *m, const runtab *rt, const ml_frame *f, int want_virial, cframe *cf)
{
    ml_neigh nb = {0};
    SR_TRY(ml_neigh_build(f, m->desc->cutoff(&m->sf), &nb));
    const int nf = m->nf, ne = nb.first[f->n];
    int nmax = 0;
    size_t nstore = 0;
    cf->code = malloc((size_t)(ne ? ne : 1));
    for (int i = 0; i < f->n; i++)
        if (nb.first[i + 1] - nb.first[i] > nmax) nmax = nb.first[i + 1] - nb.first[i];
    for (int a = 0; a < ne && cf->code; a++) {
        const double *d = nb.d + 3 * (size_t)a;
        const int inside = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] < m->sf.rc_angular * m->sf.rc_angular;
        cf->code[a] = (unsigned char)(2 * nb.type[a] + inside);
        nstore += 3 * (size_t)rt->tot[cf->code[a]];
    }
    cf->n = f->n;
    cf->type = f->type;
    cf->energy = f->energy;
    cf->force = f->force;
    const int vir = want_virial && f->has_virial; /* d: 24 bytes per entry, against D's 12 per feature and entry */
    if (vir) {
        md_virial_to_matrix(f->virial, cf->virial);
        cf->d = malloc(sizeof(double) * 3 * (size_t)(ne ? ne : 1));
        if (cf->d && ne) memcpy(cf->d, nb.d, sizeof(double) * 3 * (size_t)ne);
    }
    cf->G = malloc(sizeof(double) * (size_t)f->n * nf);
    cf->D = malloc(sizeof(ml_dreal) * (nstore ? nstore : 1));
    double *dG = malloc(sizeof(double) * ((size_t)nmax * 3 * nf + 1));
    void *work = malloc(m->desc->work_size(&m->sf, nmax) + 64);
    int rc = SR_OK;
    if (!cf->code || !cf->G || !cf->D || !dG || !work || (vir && !cf->d)) {
        rc = SR_ERROR(SR_ENOMEM, "training cache: out of memory (%zu bytes per frame of derivatives)",
                      sizeof(ml_dreal) * nstore);
    } else {
        ml_dreal *dst = cf->D;
        for (int i = 0; i < f->n; i++) {
            ml_env env = ml_neigh_env(&nb, f, i);
            m->desc->compute(&m->sf, &env, cf->G + (size_t)i * nf, dG, work);
            for (int k = 0; k < env.n; k++) {
                const int c = cf->code[nb.first[i] + k];
                for (int q = 0; q < 3; q++)
                    for (int r = 0; r < rt->n[c]; r++) {
                        const double *src = dG + ((size_t)k * 3 + q) * nf + rt->start[c][r];
                        for (int f2 = 0; f2 < rt->len[c][r]; f2++) *dst++ = (ml_dreal)src[f2];
                    }
            }
        }
    }
    free(dG);
    free(work);
    cf->first = nb.first; /* keep the list: owner indices of the derivative rows */
    cf->j = nb.j;
    nb.first = NULL;
    nb.j = NULL;
    ml_neigh_free(&nb);
    return rc;
}

/* the cache; want_virial: keep the displacements the virial term needs (frames with a reference virial) */
static int cache_create(const ml_model *m, const ml_dataset *ds, int want_virial, ml_cache **out)
{
    *out = NULL;
    ml_cache *c = calloc(1, sizeof *c);
    if (!c) return SR_ERROR(SR_ENOMEM, "training cache: out of memory");
    c->fr = calloc((size_t)(ds->nframes ? ds->nframes : 1), sizeof(cframe));
    if (!c->fr) {
        free(c);
        return SR_ERROR(SR_ENOMEM, "training cache: out of memory");
    }
    c->nframes = ds->nframes;
    c->nf = m->nf;
    runtab_build(m, &c->rt);
    int rc = SR_OK;
#pragma omp parallel for schedule(dynamic)
    for (int k = 0; k < ds->nframes; k++) {
        int r = (rc == SR_OK) ? cache_frame(m, &c->rt, &ds->frames[k], want_virial, &c->fr[k]) : SR_OK;
        if (r) {
#pragma omp critical
            rc = r;
        }
    }
    for (int k = 0; k < ds->nframes && !rc; k++) {
        if (ds->frames[k].n > c->nmax) c->nmax = ds->frames[k].n;
        for (int a = 0; a < c->fr[k].first[c->fr[k].n]; a++)
            c->bytes += sizeof(ml_dreal) * 3 * (size_t)c->rt.tot[c->fr[k].code[a]] + (c->fr[k].d ? 3 * sizeof(double) : 0);
    }
    if (rc) {
        ml_cache_free(c);
        return rc;
    }
    *out = c;
    return SR_OK;
}

int ml_cache_create(const ml_model *m, const ml_dataset *ds, ml_cache **out)
{
    return cache_create(m, ds, 1, out);
}

/* per-thread scratch for one frame */
typedef struct tbuf {
    double *g;  /* [n][nf] dE_i/dG_i */
    double *x;  /* [nf] */
    double *v;  /* [nf] */
    double *F;  /* [3n] */
    double *dF; /* [3n] */
    double *nw; /* net work */
    double *grad;
    int want_W;  /* frame_predict: also the virial (frames with cf->d) */
    double W[9]; /* its 3 x 3 virial */
} tbuf;

static size_t net_work(const ml_model *m)
{
    size_t w = 0;
    for (int e = 0; e < m->nelem; e++)
        if (ml_net_work_size(m->net[e]) > w) w = ml_net_work_size(m->net[e]);
    return w;
}

static int tbuf_alloc(tbuf *t, const ml_model *m, int nmax, int want_grad)
{
    memset(t, 0, sizeof *t);
    const size_t nf = (size_t)m->nf;
    t->g = malloc(sizeof(double) * (size_t)nmax * nf);
    t->x = malloc(sizeof(double) * nf);
    t->v = malloc(sizeof(double) * nf);
    t->F = malloc(sizeof(double) * 3 * (size_t)nmax);
    t->dF = malloc(sizeof(double) * 3 * (size_t)nmax);
    t->nw = malloc(sizeof(double) * net_work(m));
    t->grad = want_grad ? calloc((size_t)ml_model_nparams(m), sizeof(double)) : NULL;
    if (!t->g || !t->x || !t->v || !t->F || !t->dF || !t->nw || (want_grad && !t->grad))
        return SR_ERROR(SR_ENOMEM, "training: out of memory");
    return SR_OK;
}

static void tbuf_free(tbuf *t)
{
    free(t->g);
    free(t->x);
    free(t->v);
    free(t->F);
    free(t->dF);
    free(t->nw);
    free(t->grad);
}

/* offsets of each element's net in the flat parameter vector */
static void param_offsets(const ml_model *m, int *off)
{
    off[0] = 0;
    for (int e = 0; e < m->nelem; e++) off[e + 1] = off[e] + m->net[e]->nparams;
}

/* Predict E and F of a cached frame (g_i kept in t->g), and W with t->want_W when the frame has d; returns E. */
static double frame_predict(const ml_model *m, const runtab *rt, const cframe *cf, tbuf *t)
{
    const int nf = m->nf;
    const ml_dreal *D = cf->D;
    const double *dd = t->want_W ? cf->d : NULL;
    double E = 0.0;
    memset(t->F, 0, sizeof(double) * 3 * (size_t)cf->n);
    memset(t->W, 0, sizeof t->W);
    for (int i = 0; i < cf->n; i++) {
        const int e = cf->type[i];
        const double *G = cf->G + (size_t)i * nf, *mu = m->g_mean + (size_t)e * nf,
                     *sd = m->g_std + (size_t)e * nf;
        double *g = t->g + (size_t)i * nf;
        for (int f = 0; f < nf; f++) t->x[f] = (G[f] - mu[f]) / sd[f];
        E += ml_net_eval(m->net[e], t->x, g, t->nw) + m->e_ref[e];
        for (int f = 0; f < nf; f++) g[f] /= sd[f];
        for (int a = cf->first[i]; a < cf->first[i + 1]; a++) {
            const int j = cf->j[a], c = cf->code[a];
            for (int q = 0; q < 3; q++) {
                double s = 0.0;
                for (int r = 0; r < rt->n[c]; r++) {
                    const double *gr = g + rt->start[c][r];
                    for (int f = 0; f < rt->len[c][r]; f++) s += gr[f] * D[f];
                    D += rt->len[c][r];
                }
                t->F[3 * j + q] -= s;
                t->F[3 * i + q] += s;
                if (dd)
                    for (int a2 = 0; a2 < 3; a2++) t->W[3 * a2 + q] -= dd[3 * (size_t)a + a2] * s;
            }
        }
    }
    return E;
}

/* loss of one frame; accumulates its parameter gradient (scaled by `scale`) into t->grad */
static double frame_loss(const ml_model *m, const runtab *rt, const cframe *cf, double pe,
                         double pf, double pv, tbuf *t, double scale, const int *poff)
{
    const int nf = m->nf, n = cf->n;
    const ml_dreal *D = cf->D;
    const int vir = cf->d && pv > 0; /* the virial term */
    t->want_W = vir;
    const double E = frame_predict(m, rt, cf, t);
    t->want_W = 0;
    const double dE = E - cf->energy;
    double sf = 0.0, sv = 0.0, dW[9] = {0};
    for (int q = 0; q < 3 * n; q++) {
        t->dF[q] = cf->force ? t->F[q] - cf->force[q] : 0.0;
        sf += t->dF[q] * t->dF[q];
    }
    if (vir)
        for (int c = 0; c < 9; c++) {
            dW[c] = t->W[c] - cf->virial[c];
            sv += dW[c] * dW[c];
        }
    double loss = pe * (dE / n) * (dE / n) + (cf->force ? pf * sf / (3.0 * n) : 0.0);
    if (vir) loss += pv * sv / (9.0 * n * n);
    if (!t->grad) return loss;
    const double gE = scale * 2.0 * pe * dE / ((double)n * n);
    const double gF = cf->force ? scale * 2.0 * pf / (3.0 * n) : 0.0;
    const double gV = vir ? scale * 2.0 * pv / (9.0 * n * n) : 0.0;
    for (int i = 0; i < n; i++) {
        const int e = cf->type[i];
        const double *G = cf->G + (size_t)i * nf, *mu = m->g_mean + (size_t)e * nf,
                     *sd = m->g_std + (size_t)e * nf;
        for (int f = 0; f < nf; f++) {
            t->x[f] = (G[f] - mu[f]) / sd[f];
            t->v[f] = 0.0;
        }
        if (gF != 0.0 || gV != 0.0) {
            /* u_i = sum_j (dF_i - dF_j) . D_ij, then into x-space: v = u / sigma; with the virial term
             * v = (gF u_i + gV w_i) / sigma and the net's gF argument 1 */
            for (int a = cf->first[i]; a < cf->first[i + 1]; a++) {
                const int j = cf->j[a], c = cf->code[a];
                const double *da = vir ? cf->d + 3 * (size_t)a : NULL;
                for (int q = 0; q < 3; q++) {
                    double w = t->dF[3 * i + q] - t->dF[3 * j + q];
                    if (vir) w = gF * w - gV * (dW[q] * da[0] + dW[3 + q] * da[1] + dW[6 + q] * da[2]);
                    for (int r = 0; r < rt->n[c]; r++) {
                        double *vr = t->v + rt->start[c][r];
                        for (int f = 0; f < rt->len[c][r]; f++) vr[f] += w * D[f];
                        D += rt->len[c][r];
                    }
                }
            }
            for (int f = 0; f < nf; f++) t->v[f] /= sd[f];
        }
        ml_net_param_grad(m->net[e], t->x, t->v, gE, vir ? 1.0 : gF, t->grad + poff[e], t->nw);
    }
    return loss;
}

static int nthreads_max(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/* first index of block b of nth over n items (block b is [block_start(b), block_start(b + 1))) */
static int block_start(int n, int b, int nth) { return (int)((long)n * b / nth); }

/* Mean loss (and gradient) over frames idx[]; tb[] holds one buffer per block.
 * Reproducible sums: the frames go in nth fixed blocks of consecutive indices, block b into buffer b in frame
 * order, and the blocks are added in block order; so the result depends on nth only, never on which thread runs
 * which block or when (an OpenMP reduction or dynamic schedule combines in completion order, and two runs of
 * the same input trained different networks: validation/nn-committee, learn-360L). One block = the serial sum. */
static double batch_loss(const ml_model *m, const ml_cache *c, const int *idx, int nidx, double pe,
                         double pf, double pv, double *grad, tbuf *tb, int nth)
{
    int poff[ML_MAX_ELEMENTS + 1];
    param_offsets(m, poff);
    const int np = poff[m->nelem];
    double part[nth > 0 ? nth : 1];
    if (grad)
        for (int k = 0; k < nth; k++) memset(tb[k].grad, 0, sizeof(double) * (size_t)np);
#pragma omp parallel for schedule(static, 1) num_threads(nth)
    for (int b = 0; b < nth; b++) {
        tbuf *t = &tb[b];
        double *keep = t->grad, l = 0.0;
        if (!grad) t->grad = NULL;
        for (int k = block_start(nidx, b, nth); k < block_start(nidx, b + 1, nth); k++)
            l += frame_loss(m, &c->rt, &c->fr[idx[k]], pe, pf, pv, t, 1.0 / nidx, poff);
        t->grad = keep;
        part[b] = l;
    }
    double loss = 0.0;
    for (int b = 0; b < nth; b++) loss += part[b];
    if (grad) {
        memset(grad, 0, sizeof(double) * (size_t)np);
        for (int k = 0; k < nth; k++)
            for (int p = 0; p < np; p++) grad[p] += tb[k].grad[p];
    }
    return loss / nidx;
}

double ml_cache_loss(const ml_model *m, const ml_cache *c, const int *idx, int nidx, double pe,
                     double pf, double pv, double *grad)
{
    const int nth = nthreads_max();
    tbuf *tb = calloc((size_t)nth, sizeof(tbuf));
    double loss = NAN;
    int ok = tb != NULL;
    for (int k = 0; ok && k < nth; k++) ok = !tbuf_alloc(&tb[k], m, c->nmax, 1);
    if (ok) loss = batch_loss(m, c, idx, nidx, pe, pf, pv, grad, tb, nth);
    for (int k = 0; tb && k < nth; k++) tbuf_free(&tb[k]);
    free(tb);
    return loss;
}

/* RMSE of E/atom and force components on cached frames, and of the virial per atom (its 9 components, eV/atom)
 * on the frames with a reference virial (rv may be NULL; NAN without such frames) */
static void cache_rmse(const ml_model *m, const ml_cache *c, tbuf *tb, int nth, double *re,
                       double *rf, double *rv)
{
    /* blocks as in batch_loss: the sums depend on nth only */
    double pe_[nth > 0 ? nth : 1], pf_[nth > 0 ? nth : 1], pv_[nth > 0 ? nth : 1];
    long pn_[nth > 0 ? nth : 1], pw_[nth > 0 ? nth : 1];
#pragma omp parallel for schedule(static, 1) num_threads(nth)
    for (int b = 0; b < nth; b++) {
        tbuf *t = &tb[b];
        double se = 0.0, sf = 0.0, sv = 0.0;
        long nc = 0, nw = 0;
        for (int k = block_start(c->nframes, b, nth); k < block_start(c->nframes, b + 1, nth); k++) {
            const cframe *cf = &c->fr[k];
            t->want_W = rv && cf->d;
            const double E = frame_predict(m, &c->rt, cf, t);
            se += (E - cf->energy) * (E - cf->energy) / ((double)cf->n * cf->n);
            if (cf->force) {
                for (int q = 0; q < 3 * cf->n; q++) sf += (t->F[q] - cf->force[q]) * (t->F[q] - cf->force[q]);
                nc += 3 * cf->n;
            }
            if (t->want_W) {
                for (int q = 0; q < 9; q++)
                    sv += (t->W[q] - cf->virial[q]) * (t->W[q] - cf->virial[q]) / ((double)cf->n * cf->n);
                nw += 9;
            }
            t->want_W = 0;
        }
        pe_[b] = se;
        pf_[b] = sf;
        pv_[b] = sv;
        pn_[b] = nc;
        pw_[b] = nw;
    }
    double se = 0.0, sf = 0.0, sv = 0.0;
    long nc = 0, nw = 0;
    for (int b = 0; b < nth; b++) {
        se += pe_[b];
        sf += pf_[b];
        sv += pv_[b];
        nc += pn_[b];
        nw += pw_[b];
    }
    *re = c->nframes ? sqrt(se / c->nframes) : NAN;
    *rf = nc ? sqrt(sf / nc) : NAN;
    if (rv) *rv = nw ? sqrt(sv / nw) : NAN;
}

/* ------------------------------------------------------------------------------------------------
 * Statistics: normalisation and reference energies
 * ---------------------------------------------------------------------------------------------- */
static int fit_statistics_cache(ml_model *m, const ml_cache *c)
{
    const int nf = m->nf, ne = m->nelem;
    double *s1 = calloc((size_t)ne * nf, sizeof(double)), *s2 = calloc((size_t)ne * nf, sizeof(double));
    long cnt[ML_MAX_ELEMENTS] = {0};
    if (!s1 || !s2) {
        free(s1);
        free(s2);
        return SR_ERROR(SR_ENOMEM, "statistics: out of memory");
    }
    for (int k = 0; k < c->nframes; k++)
        for (int i = 0; i < c->fr[k].n; i++) {
            const int e = c->fr[k].type[i];
            const double *G = c->fr[k].G + (size_t)i * nf;
            cnt[e]++;
            for (int f = 0; f < nf; f++) {
                s1[e * nf + f] += G[f];
                s2[e * nf + f] += G[f] * G[f];
            }
        }
    for (int e = 0; e < ne; e++)
        for (int f = 0; f < nf; f++) {
            const int k = e * nf + f;
            if (!cnt[e]) {
                m->g_mean[k] = 0.0;
                m->g_std[k] = 1.0;
                continue;
            }
            const double mu = s1[k] / cnt[e], var = s2[k] / cnt[e] - mu * mu;
            m->g_mean[k] = mu;
            /* features that never vary (e.g. an element pair absent from the data) keep unit scale */
            m->g_std[k] = var > 1e-12 * (1.0 + mu * mu) ? sqrt(var) : 1.0;
        }
    free(s1);
    free(s2);

    /* reference energies: E_k ~ sum_e n_ke e_ref_e by truncated-SVD least squares, which gives the
     * minimum-norm solution when compositions do not separate the elements (GSL manual, "Linear
     * least-squares fitting", gsl_multifit_linear_tsvd) */
    if (c->nframes < 1) return SR_ERROR(SR_EINVAL, "statistics: empty training set");
    gsl_matrix *X = gsl_matrix_calloc((size_t)c->nframes, (size_t)ne);
    gsl_vector *y = gsl_vector_alloc((size_t)c->nframes), *b = gsl_vector_alloc((size_t)ne);
    gsl_matrix *cov = gsl_matrix_alloc((size_t)ne, (size_t)ne);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc((size_t)c->nframes, (size_t)ne);
    int rc = SR_OK;
    if (!X || !y || !b || !cov || !w) {
        rc = SR_ERROR(SR_ENOMEM, "statistics: out of memory");
    } else {
        for (int k = 0; k < c->nframes; k++) {
            for (int i = 0; i < c->fr[k].n; i++)
                gsl_matrix_set(X, (size_t)k, (size_t)c->fr[k].type[i],
                               gsl_matrix_get(X, (size_t)k, (size_t)c->fr[k].type[i]) + 1.0);
            gsl_vector_set(y, (size_t)k, c->fr[k].energy);
        }
        double chisq;
        size_t rank;
        if (gsl_multifit_linear_tsvd(X, y, 1e-10, b, cov, &chisq, &rank, w))
            rc = SR_ERROR(SR_ENUMERIC, "statistics: reference-energy fit failed");
        for (int e = 0; e < ne && !rc; e++) m->e_ref[e] = gsl_vector_get(b, (size_t)e);
    }
    gsl_matrix_free(X);
    gsl_vector_free(y);
    gsl_vector_free(b);
    gsl_matrix_free(cov);
    gsl_multifit_linear_free(w);
    return rc;
}

int ml_model_fit_statistics(ml_model *m, const ml_dataset *ds)
{
    ml_cache *c;
    SR_TRY(cache_create(m, ds, 0, &c));
    int rc = fit_statistics_cache(m, c);
    ml_cache_free(c);
    return rc;
}

int ml_model_rmse(const ml_model *m, const ml_dataset *ds, double *rmse_e_atom, double *rmse_f)
{
    /* per-frame terms summed in frame order: the same for any thread count */
    const int nfr = ds->nframes;
    double *te = malloc(sizeof(double) * (size_t)(2 * nfr + 1));
    if (!te) return SR_ERROR(SR_ENOMEM, "rmse: out of memory");
    int rc = SR_OK;
#pragma omp parallel for schedule(dynamic)
    for (int k = 0; k < nfr; k++) {
        const ml_frame *fr = &ds->frames[k];
        double E, *F = malloc(sizeof(double) * 3 * (size_t)fr->n);
        int r = F ? ml_model_frame(m, fr, &E, F, NULL) : SR_ENOMEM;
        te[2 * k] = te[2 * k + 1] = 0.0;
        if (r) {
#pragma omp critical
            rc = r;
        } else {
            te[2 * k] = (E - fr->energy) * (E - fr->energy) / ((double)fr->n * fr->n);
            if (fr->force)
                for (int q = 0; q < 3 * fr->n; q++) te[2 * k + 1] += (F[q] - fr->force[q]) * (F[q] - fr->force[q]);
        }
        free(F);
    }
    double se = 0.0, sf = 0.0;
    long nc = 0;
    for (int k = 0; k < nfr; k++) {
        se += te[2 * k];
        sf += te[2 * k + 1];
        if (ds->frames[k].force) nc += 3 * ds->frames[k].n;
    }
    free(te);
    if (rc) return rc;
    *rmse_e_atom = ds->nframes ? sqrt(se / ds->nframes) : NAN;
    *rmse_f = nc ? sqrt(sf / nc) : NAN;
    return SR_OK;
}

/* ------------------------------------------------------------------------------------------------
 * Training loop
 * ---------------------------------------------------------------------------------------------- */
void ml_train_defaults(ml_train_params *p)
{
    memset(p, 0, sizeof *p);
    p->seed = 20240601;
    p->steps = 20000;
    p->batch = 2;
    p->lr_start = 1e-3;
    p->lr_stop = 1e-5;
    p->decay_steps = 500;
    /* DeePMD-kit's water example uses 0.02 -> 1 on dE^2/N; our energy term is (dE/N)^2, so the
     * same balance for ~200 atoms is about 200 times larger */
    p->pe_start = 4.0;
    p->pe_limit = 200.0;
    p->pf_start = 1000.0;
    p->pf_limit = 1.0;
    p->pv_start = 0.0; /* no virial term unless asked for */
    p->pv_limit = 0.0;
    p->val_fraction = 0.1;
    p->eval_every = 500;
    p->patience = 0;
    p->max_minutes = 0;
}

int ml_train_heldout(int n, double fraction)
{
    int nv = (int)lround(fraction * n);
    if (nv < 1) nv = 1;
    if (nv >= n) nv = n - 1;
    return nv;
}

void ml_train_report_free(ml_train_report *r)
{
    if (!r) return;
    free(r->step);
    free(r->lr);
    free(r->rmse_e_train);
    free(r->rmse_f_train);
    free(r->rmse_e_val);
    free(r->rmse_f_val);
    memset(r, 0, sizeof *r);
}

static int report_push(ml_train_report *r, long step, double lr, double et, double ft, double ev,
                       double fv)
{
    const int n = r->npoints + 1;
    long *s = realloc(r->step, sizeof(long) * (size_t)n);
    if (s) r->step = s;
    double **arr[5] = {&r->lr, &r->rmse_e_train, &r->rmse_f_train, &r->rmse_e_val, &r->rmse_f_val};
    const double val[5] = {lr, et, ft, ev, fv};
    int ok = s != NULL;
    for (int k = 0; k < 5; k++) {
        double *a = realloc(*arr[k], sizeof(double) * (size_t)n);
        if (a) {
            *arr[k] = a;
            a[n - 1] = val[k];
        } else {
            ok = 0;
        }
    }
    if (!ok) return SR_ERROR(SR_ENOMEM, "learning curve: out of memory");
    r->step[n - 1] = step;
    r->npoints = n;
    return SR_OK;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int ml_train(ml_model *m, const ml_dataset *train, const ml_dataset *val, const ml_train_params *p,
             const char *checkpoint, ml_train_report *rep)
{
    memset(rep, 0, sizeof *rep);
    if (p->steps < 1 || p->batch < 1 || !(p->lr_start > 0) || !(p->lr_stop > 0) || p->decay_steps < 1 ||
        p->eval_every < 1)
        return SR_ERROR(SR_ERANGE, "training: steps, batch, decay_steps, eval_every must be >= 1 and "
                        "learning rates > 0");
    if (train->nframes < 1) return SR_ERROR(SR_EINVAL, "training: no training frames");
    const double t0 = now_seconds();
    int rc = SR_OK;
#ifdef _OPENMP
    if (p->threads > 0) omp_set_num_threads(p->threads);
#endif
    /* the validation split always comes from stream 0; the minibatch order too for member 0 (a single
     * network), from stream 2 m for committee member m */
    gsl_rng *rng = sr_rng_create((uint64_t)p->seed, 0, SR_RNG_TRAINING);
    gsl_rng *orng = p->member > 0 ? sr_rng_create((uint64_t)p->seed, 2 * (uint64_t)p->member, SR_RNG_TRAINING) : rng;
    ml_cache *ctr = NULL, *cva = NULL;
    ml_dataset split_tr = {0}, split_va = {0};
    const ml_dataset *dtr = train, *dva = val;
    if (!rng || !orng) {
        if (orng != rng) gsl_rng_free(orng);
        gsl_rng_free(rng);
        return SR_ERROR(SR_ENOMEM, "training: out of memory");
    }
    if (!val && p->val_fraction > 0 && train->nframes >= 2) {
        /* hold out a random fraction of the training frames */
        int *perm = malloc(sizeof(int) * (size_t)train->nframes);
        if (!perm) {
            if (orng != rng) gsl_rng_free(orng);
            gsl_rng_free(rng);
            return SR_ERROR(SR_ENOMEM, "training: out of memory");
        }
        for (int k = 0; k < train->nframes; k++) perm[k] = k;
        gsl_ran_shuffle(rng, perm, (size_t)train->nframes, sizeof(int));
        const int nv = ml_train_heldout(train->nframes, p->val_fraction);
        for (int k = 0; k < train->nframes && !rc; k++)
            rc = ml_dataset_add(k < nv ? &split_va : &split_tr, &train->frames[perm[k]]);
        free(perm);
        dtr = &split_tr;
        dva = &split_va;
    }
    /* the virial term when asked for (the displacements it needs are cached only then) */
    const int want_vir = p->pv_start > 0 || p->pv_limit > 0;
    if (!rc) rc = cache_create(m, dtr, want_vir, &ctr);
    if (!rc && dva && dva->nframes) rc = cache_create(m, dva, want_vir, &cva);
    if (!rc) rc = fit_statistics_cache(m, ctr);
    if (rc) goto out;
    if (p->verbose)
        printf("training: %d frames (%.1f MB of descriptor derivatives), validation %d frames, %d "
               "parameters, %.1f s to build descriptors\n", ctr->nframes, ctr->bytes / 1e6,
               cva ? cva->nframes : 0, ml_model_nparams(m), now_seconds() - t0);

    const int np = ml_model_nparams(m), nth = nthreads_max();
    double *theta = malloc(sizeof(double) * (size_t)np), *best = malloc(sizeof(double) * (size_t)np);
    double *grad = malloc(sizeof(double) * (size_t)np), *m1 = calloc((size_t)np, sizeof(double));
    double *m2 = calloc((size_t)np, sizeof(double));
    const int ema_on = p->ema_decay > 0 && p->ema_decay < 1;
    double *ema = ema_on ? malloc(sizeof(double) * (size_t)np) : NULL;
    int *order = malloc(sizeof(int) * (size_t)ctr->nframes);
    tbuf *tb = calloc((size_t)nth, sizeof(tbuf));
    int nmax = ctr->nmax;
    if (cva && cva->nmax > nmax) nmax = cva->nmax;
    if (!theta || !best || !grad || !m1 || !m2 || !order || !tb || (ema_on && !ema))
        rc = SR_ERROR(SR_ENOMEM, "training: out of memory");
    for (int k = 0; k < nth && !rc; k++) rc = tbuf_alloc(&tb[k], m, nmax, 1);
    if (rc) goto free_all;
    ml_model_get_params(m, theta);
    memcpy(best, theta, sizeof(double) * (size_t)np);
    if (ema_on) memcpy(ema, theta, sizeof(double) * (size_t)np);
    for (int k = 0; k < ctr->nframes; k++) order[k] = k;
    int pos = ctr->nframes; /* reshuffle at the start */
    /* the virial term: asked for, and some training frame has a reference virial */
    int virial = 0, nvir = 0;
    for (int k = 0; k < ctr->nframes; k++) nvir += ctr->fr[k].d != NULL;
    virial = nvir > 0;
    if (virial && p->verbose)
        printf("training on virials too: p_v %g -> %g, %d of %d training frames have a reference virial\n", p->pv_start,
               p->pv_limit, nvir, ctr->nframes);
    else if (!virial && want_vir)
        printf("WARNING: p_v %g -> %g but no training frame has a reference virial (extxyz virial= or stress=, npy "
               "virial.npy): no virial term\n", p->pv_start, p->pv_limit);
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    double best_score = INFINITY;
    int since_best = 0;
    rep->best_step = 0;
    for (long t = 0; t <= p->steps; t++) {
        const double frac = (double)(t / p->decay_steps * p->decay_steps) / (double)p->steps;
        const double lr = p->lr_start * pow(p->lr_stop / p->lr_start, frac);
        const double pe = p->pe_limit + (p->pe_start - p->pe_limit) * lr / p->lr_start;
        const double pf = p->pf_limit + (p->pf_start - p->pf_limit) * lr / p->lr_start;
        const double pv = p->pv_limit + (p->pv_start - p->pv_limit) * lr / p->lr_start;
        const int last = t == p->steps ||
                         (p->max_minutes > 0 && now_seconds() - t0 > 60.0 * p->max_minutes);
        if (t % p->eval_every == 0 || last) {
            double et, ft, ev = NAN, fv = NAN, vt = NAN, vv = NAN;
            /* the point is the averaged parameters' when ema_decay is on (set back to theta below) */
            if (ema_on) ml_model_set_params(m, ema);
            cache_rmse(m, ctr, tb, nth, &et, &ft, virial ? &vt : NULL);
            if (cva) cache_rmse(m, cva, tb, nth, &ev, &fv, virial ? &vv : NULL);
            if ((rc = report_push(rep, t, lr, et, ft, ev, fv))) goto free_all;
            /* selection score: the final (limit) loss on validation, or on training without one (the virial's
             * term only when it is trained on) */
            const double se = cva ? ev : et, sf = cva ? fv : ft, sv = cva ? vv : vt;
            const double score = p->pe_limit * se * se + p->pf_limit * (isnan(sf) ? 0 : sf * sf) +
                                 (p->pv_limit > 0 && isfinite(sv) ? p->pv_limit * sv * sv : 0.0);
            if (score < best_score) {
                best_score = score;
                memcpy(best, ema_on ? ema : theta, sizeof(double) * (size_t)np);
                rep->best_step = t;
                rep->best_e_val = se;
                rep->best_f_val = sf;
                since_best = 0;
                if (checkpoint && (rc = ml_model_write(m, checkpoint))) goto free_all;
            } else {
                since_best++;
            }
            if (p->verbose) {
                if (virial)
                    printf("step %7ld  lr %.2e  pe %.3g pf %.3g pv %.3g  rmse train E %.3f meV/atom F %.1f meV/A "
                           "W %.3f meV/atom  val E %.3f F %.1f W %.3f  (%.0f s)\n", t, lr, pe, pf, pv, 1e3 * et,
                           1e3 * ft, 1e3 * vt, 1e3 * ev, 1e3 * fv, 1e3 * vv, now_seconds() - t0);
                else
                    printf("step %7ld  lr %.2e  pe %.3g pf %.3g  rmse train E %.3f meV/atom F %.1f "
                           "meV/A  val E %.3f F %.1f  (%.0f s)\n", t, lr, pe, pf, 1e3 * et, 1e3 * ft,
                           1e3 * ev, 1e3 * fv, now_seconds() - t0);
                fflush(stdout);
            }
            if (ema_on) ml_model_set_params(m, theta);
            if (p->patience > 0 && since_best >= p->patience) {
                if (p->verbose) printf("early stop: no validation improvement in %d evaluations\n",
                                       p->patience);
                break;
            }
        }
        if (last) break;
        /* minibatch */
        int idx[1024];
        const int nb = p->batch < 1024 ? p->batch : 1024;
        for (int k = 0; k < nb; k++) {
            if (pos >= ctr->nframes) {
                gsl_ran_shuffle(orng, order, (size_t)ctr->nframes, sizeof(int));
                pos = 0;
            }
            idx[k] = order[pos++];
        }
        const double loss = batch_loss(m, ctr, idx, nb, pe, pf, virial ? pv : 0.0, grad, tb, nth);
        if (!isfinite(loss)) {
            rc = SR_ERROR(SR_ENUMERIC, "training: loss became %g at step %ld (lower lr_start)", loss, t);
            goto free_all;
        }
        /* Adam update with bias correction */
        const double c1 = 1.0 - pow(b1, (double)(t + 1)), c2 = 1.0 - pow(b2, (double)(t + 1));
        for (int q = 0; q < np; q++) {
            m1[q] = b1 * m1[q] + (1 - b1) * grad[q];
            m2[q] = b2 * m2[q] + (1 - b2) * grad[q] * grad[q];
            theta[q] -= lr * (m1[q] / c1) / (sqrt(m2[q] / c2) + eps);
        }
        if (ema_on)
            for (int q = 0; q < np; q++) ema[q] = p->ema_decay * ema[q] + (1.0 - p->ema_decay) * theta[q];
        ml_model_set_params(m, theta);
    }
    ml_model_set_params(m, best);
    rep->seconds = now_seconds() - t0;
free_all:
    for (int k = 0; tb && k < nth; k++) tbuf_free(&tb[k]);
    free(tb);
    free(theta);
    free(best);
    free(grad);
    free(m1);
    free(m2);
    free(ema);
    free(order);
out:
    ml_cache_free(ctr);
    ml_cache_free(cva);
    ml_dataset_free(&split_tr);
    ml_dataset_free(&split_va);
    if (orng != rng) gsl_rng_free(orng);
    gsl_rng_free(rng);
    return rc;
}

int ml_train_committee(ml_committee *c, const ml_model *tm, const ml_dataset *train, const ml_dataset *val,
                       const ml_train_params *p, ml_train_report *rep)
{
    if (c->k != 0) return SR_ERROR(SR_EINVAL, "training: the committee to train must be empty");
    if (p->committee < 1 || p->committee > ML_MAX_MEMBERS)
        return SR_ERROR(SR_ERANGE, "training: committee = %d networks, expected 1..%d", p->committee, ML_MAX_MEMBERS);
    const ml_net *n0 = tm->net[0];
    int hidden[ML_MAX_LAYERS];
    for (int l = 1; l < n0->nlayers; l++) hidden[l - 1] = n0->width[l];
    const char *names[ML_MAX_ELEMENTS];
    for (int e = 0; e < tm->nelem; e++) names[e] = tm->type_map[e];
    for (int q = 0; q < p->committee; q++) memset(&rep[q], 0, sizeof rep[q]);
    for (int q = 0; q < p->committee; q++) {
        ml_model *m = ml_model_create(tm->nelem, names, &tm->sf, n0->nlayers - 1, hidden, n0->activation);
        if (!m) return sr_error_status() ? sr_error_status() : SR_ENOMEM;
        /* initial weights: stream 2q + 1 (1 for a single network, as `seedrate train` always drew them) */
        gsl_rng *r = sr_rng_create((uint64_t)p->seed, 2 * (uint64_t)q + 1, SR_RNG_TRAINING);
        if (!r) {
            ml_model_free(m);
            return SR_ERROR(SR_ENOMEM, "training: out of memory");
        }
        for (int e = 0; e < m->nelem; e++) ml_net_init(m->net[e], r);
        gsl_rng_free(r);
        memcpy(m->provenance, tm->provenance, sizeof m->provenance);
        ml_train_params pq = *p;
        pq.member = q;
        if (p->verbose && p->committee > 1) printf("committee member %d of %d\n", q + 1, p->committee);
        int rc = ml_train(m, train, val, &pq, NULL, &rep[q]);
        if (rc) {
            ml_model_free(m);
            return rc;
        }
        SR_TRY(ml_committee_add(c, m));
    }
    return SR_OK;
}
