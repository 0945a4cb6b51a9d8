/* Stillinger-Weber potential (two- and three-body), parameters from a LAMMPS `.sw` file.
 *
 * Stillinger & Weber, PRB 31, 5262 (1985), in the generalised form of LAMMPS pair_style sw:
 *     E = sum_i sum_{j>i} phi2(r_ij) + sum_i sum_{j<k, j,k != i} phi3(r_ij, r_ik, theta_jik)
 *     phi2(r) = A_ij eps_ij [B_ij (sig_ij/r)^p_ij - (sig_ij/r)^q_ij] exp(sig_ij / (r - a_ij sig_ij))
 *     phi3    = lambda_ijk eps_ijk (cos theta_jik - cos theta0_ijk)^2
 *               exp(gamma_ij sig_ij / (r_ij - a_ij sig_ij)) exp(gamma_ik sig_ik / (r_ik - a_ik sig_ik))
 * for r < a sig. As in LAMMPS, the two-body parameters and the radial factor of the i-j leg come from
 * the file entry (i, j, j), the angular ones from (i, j, k). A positive `tol` shortens the cutoff to
 * a sig + min(gamma, 1) sig / ln(min(tol, 0.01)) (the terms beyond it are dropped, as LAMMPS does).
 * mW water (Molinero & Moore, JPCB 113, 4008, 2009) is this form with one element: data/mW.sw.
 *
 * File format (LAMMPS): '#' starts a comment; each entry is 14 whitespace-separated fields, possibly
 * spread over several lines: elem1 elem2 elem3 epsilon sigma a lambda gamma costheta0 A B p q tol.
 * Entries naming elements that no system type uses are ignored; every triplet of used elements needs
 * exactly one entry. Numbers are in the system's units (metal: eV, Angstrom). Two checks LAMMPS does not
 * make: (i,j,j) and (j,i,i) share their two-body parameters, and (i,j,k), (i,k,j) their lambda epsilon
 * and cos theta0 (otherwise LAMMPS's result depends on the order of the neighbour list).
 *
 * Evaluation: FULL neighbor list. For each local atom i, a short list of the neighbours inside the
 * (i,j,j) cutoff is built once, with the per-leg pieces (unit-free displacement, 1/r, the radial
 * factor g_ij = exp(gamma sig/(r - a sig)) and its log-derivative); the three-body double loop over
 * j < k then needs only a dot product and a few multiplications. Each pair appears in the lists of
 * both partners, so the two-body term is applied with weight 1/2 and Newton's third law on both atoms
 * (that keeps md_compute's virial sum_x.f exact with periodic images). Per-atom energies: 1/2 of each
 * pair term and the whole triplet term go to the central atom i. Force loops (md_kernel): the scalar reference
 * sw_loop and a vectorised sw_loop_simd compiled for the baseline, AVX2 and AVX-512 and picked at run time; they
 * share the physics (sw_leg_r, sw_leg_exp, sw_pair, sw_triplet) and give the same bits. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/sr_vecmath.h"
#include "md.h"
#include "md_simd.h"

extern const md_potential_class md_potential_sw;

#define SW_MAXELEM 8
#define SW_NAMELEN 16
#define SW_NFIELDS 14
/* Lanes of a block of the SIMD loops (one AVX2 vector): short lists are short (mW: ~9 legs, triplet rows of ~4
 * partners), and blocks of 4 measured 5-10 % faster than blocks of 8 (one AVX-512 vector) with every copy. */
#define SW_PAD 4
#define SW_WORK_NREAL 26 /* arrays of the SIMD loops' short list (enum W_* below) */
#define SW_WORK_NINT 3

typedef struct sw_param {
    double epsilon, sigma, a, lambda, gamma, costheta0, biga, bigb, p, q, tol;
    double cut;   /* a sigma: the singular point of exp(sigma/(r - cut)) */
    double cutsq; /* inclusion cutoff squared (shortened by tol) */
    double sigma_gamma, lambda_epsilon;
    double ae_b_sp; /* A eps B sigma^p */
    double ae_sq;   /* A eps sigma^q */
    int p4, q0;     /* fast paths: p == 4, q == 0 (mW, Si) */
    int line;       /* line of the file where the entry starts */
    int present;
} sw_param;

typedef struct sw_neigh { /* one entry of the short list of atom i */
    double ux, uy, uz;    /* r_j - r_i */
    double rinv, rinvsq;
    double g;             /* exp(gamma sig / (r - a sig)) of the (i,j,j) entry */
    double dlng;          /* (d ln g / dr) / r = -gamma sig / (r - a sig)^2 / r */
    double fx, fy, fz;    /* force accumulated on j while i is processed */
    int j, tj;
} sw_neigh;

typedef struct sw_work {   /* workspace of one block of atoms (all of them without threads) */
    sw_neigh *shortl;      /* the reference loop's short list, grows */
    double *work_real;     /* the SIMD loops': SW_WORK_NREAL arrays, shortcap each */
    int *work_int;         /* SW_WORK_NINT arrays */
    int shortcap;
} sw_work;

typedef struct sw_state {
    char path[1024];
    int nelem;                          /* elements used by the system types */
    char elem[SW_MAXELEM][SW_NAMELEN];
    int ntypes;
    int type_elem[SW_MAXELEM];          /* system type -> element */
    sw_param param[SW_MAXELEM * SW_MAXELEM * SW_MAXELEM]; /* [(ei*ne + ej)*ne + ek] */
    double cutmax;
    int single;                         /* one element: parameters hoisted */
    sw_work work[MD_MAX_THREADS];       /* the loops' workspace, one per block of a threaded call */
    int kernel;                         /* md_kernel: which force loop runs (AUTO resolved at set-up) */
    int threads;                        /* blocks of a force call (md_threads); 0 or 1: the serial loop */
    md_thread_scratch scratch;          /* per-block force arrays */
    /* parameters as plain arrays over the element triplet [(ei*ne + ej)*ne + ek] (two-body ones at ek = ej),
     * what the vector loops read per lane */
    double t_cutsq[SW_MAXELEM * SW_MAXELEM * SW_MAXELEM], t_cut[SW_MAXELEM * SW_MAXELEM * SW_MAXELEM];
    double t_aeb[SW_MAXELEM * SW_MAXELEM * SW_MAXELEM];
    double t_aeq[SW_MAXELEM * SW_MAXELEM * SW_MAXELEM], t_p[SW_MAXELEM * SW_MAXELEM * SW_MAXELEM];
    double t_q[SW_MAXELEM * SW_MAXELEM * SW_MAXELEM], t_sig[SW_MAXELEM * SW_MAXELEM * SW_MAXELEM];
    double t_sg[SW_MAXELEM * SW_MAXELEM * SW_MAXELEM], t_le[SW_MAXELEM * SW_MAXELEM * SW_MAXELEM];
    double t_c0[SW_MAXELEM * SW_MAXELEM * SW_MAXELEM];
} sw_state;

typedef struct sw_config {
    char file[SR_KW_STRLEN];
    char elements[SR_KW_STRLEN];
} sw_config;

static const sr_keyword sw_keywords[] = {
    {"file", SR_KW_STRING, offsetof(sw_config, file), "", NULL, 0, 0, NULL,
     "Stillinger-Weber parameter file in LAMMPS .sw format (relative to the input file), e.g. mW.sw"},
    {"elements", SR_KW_STRING, offsetof(sw_config, elements), "", "", 0, 0, NULL,
     "file element of each system type, in type order (as LAMMPS pair_coeff * * file.sw E1 E2 ...); "
     "empty: the type names, or the only element of a one-element file"},
    SR_KW_END};

static inline sw_param *sw_par(sw_state *st, int i, int j, int k)
{
    return &st->param[(i * st->nelem + j) * st->nelem + k];
}

static int sw_elem_index(const sw_state *st, const char *name)
{
    for (int e = 0; e < st->nelem; e++)
        if (strcmp(st->elem[e], name) == 0) return e;
    return -1;
}

/* Split a string into whitespace-separated words (in place); returns the count. */
static int sw_split(char *text, char **words, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r(text, " \t\r\n,", &save); w; w = strtok_r(NULL, " \t\r\n,", &save)) {
        if (n == max) return max + 1;
        words[n++] = w;
    }
    return n;
}

/* Derived constants and the LAMMPS parameter checks for one entry. */
static int sw_param_finish(sw_param *p, const char *path)
{
    if (p->epsilon < 0 || p->sigma <= 0 || p->a < 0 || p->lambda < 0 || p->gamma < 0 || p->biga < 0 ||
        p->bigb < 0 || p->p < 0 || p->q < 0 || p->tol < 0)
        return SR_ERROR(SR_ERANGE,
                        "%s:%d: Stillinger-Weber parameters must be >= 0 (sigma > 0): epsilon %g sigma %g "
                        "a %g lambda %g gamma %g A %g B %g p %g q %g tol %g",
                        path, p->line, p->epsilon, p->sigma, p->a, p->lambda, p->gamma, p->biga, p->bigb,
                        p->p, p->q, p->tol);
    p->cut = p->a * p->sigma;
    double rc = p->cut;
    if (p->tol > 0) {
        const double tol = p->tol > 0.01 ? 0.01 : p->tol;
        rc += (p->gamma < 1.0 ? p->gamma : 1.0) * p->sigma / log(tol);
    }
    p->cutsq = rc > 0 ? rc * rc : 0.0;
    /* r^2 < cutsq must give r = sqrt(r^2) < a sig: r rounded onto a sig would make dr = 1/(r - a sig) = +inf
     * (and exp(sig dr) huge) instead of the limit exp(-inf) = 0; only possible when tol = 0 (cutsq = (a sig)^2) */
    while (p->cutsq > 0 && sqrt(p->cutsq) >= p->cut) p->cutsq = nextafter(p->cutsq, 0.0);
    p->sigma_gamma = p->sigma * p->gamma;
    p->lambda_epsilon = p->lambda * p->epsilon;
    p->ae_b_sp = p->biga * p->epsilon * p->bigb * pow(p->sigma, p->p);
    p->ae_sq = p->biga * p->epsilon * pow(p->sigma, p->q);
    p->p4 = p->p == 4.0;
    p->q0 = p->q == 0.0;
    return SR_OK;
}

/* Read the file; keep the entries whose three elements are all in st->elem. */
static int sw_read_file(sw_state *st, const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return SR_ERROR(SR_EIO, "sw: cannot open the parameter file '%s'", path);
    char line[4096];
    char tok[SW_NFIELDS][64];
    int ntok = 0, lineno = 0, start_line = 0, rc = SR_OK;
    while (rc == SR_OK && fgets(line, sizeof line, fp)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *save = NULL;
        for (char *w = strtok_r(line, " \t\r\n", &save); w && rc == SR_OK; w = strtok_r(NULL, " \t\r\n", &save)) {
            if (ntok == 0) start_line = lineno;
            if (strlen(w) >= sizeof tok[0]) {
                rc = SR_ERROR(SR_EPARSE, "%s:%d: field '%.20s...' too long", path, lineno, w);
                break;
            }
            strcpy(tok[ntok++], w);
            if (ntok < SW_NFIELDS) continue;
            ntok = 0;
            int e[3];
            for (int k = 0; k < 3; k++) e[k] = sw_elem_index(st, tok[k]);
            double v[11];
            for (int k = 0; k < 11; k++) {
                char *end = NULL;
                v[k] = strtod(tok[3 + k], &end);
                if (end == tok[3 + k] || *end || !isfinite(v[k])) {
                    rc = SR_ERROR(SR_EPARSE,
                                  "%s:%d: entry %s %s %s: field %d ('%s') is not a number (expected: "
                                  "elem1 elem2 elem3 epsilon sigma a lambda gamma costheta0 A B p q tol)",
                                  path, start_line, tok[0], tok[1], tok[2], 4 + k, tok[3 + k]);
                    break;
                }
            }
            if (rc || e[0] < 0 || e[1] < 0 || e[2] < 0) continue; /* unused elements: skipped */
            sw_param *p = sw_par(st, e[0], e[1], e[2]);
            if (p->present) {
                rc = SR_ERROR(SR_EPARSE, "%s:%d: duplicate entry for %s %s %s (first at line %d)", path,
                              start_line, tok[0], tok[1], tok[2], p->line);
                break;
            }
            *p = (sw_param){.epsilon = v[0], .sigma = v[1], .a = v[2], .lambda = v[3], .gamma = v[4],
                            .costheta0 = v[5], .biga = v[6], .bigb = v[7], .p = v[8], .q = v[9],
                            .tol = v[10], .line = start_line, .present = 1};
            rc = sw_param_finish(p, path);
        }
    }
    fclose(fp);
    if (rc) return rc;
    if (ntok != 0)
        return SR_ERROR(SR_EPARSE, "%s:%d: incomplete entry at the end of the file (%d of %d fields)", path,
                        start_line, ntok, SW_NFIELDS);
    for (int i = 0; i < st->nelem; i++)
        for (int j = 0; j < st->nelem; j++)
            for (int k = 0; k < st->nelem; k++)
                if (!sw_par(st, i, j, k)->present)
                    return SR_ERROR(SR_EPARSE, "%s: no entry for the element triplet %s %s %s", path,
                                    st->elem[i], st->elem[j], st->elem[k]);
    /* The pair term is summed symmetrically (1/2 from each side): (i,j,j) and (j,i,i) must agree. */
    for (int i = 0; i < st->nelem; i++)
        for (int j = i + 1; j < st->nelem; j++) {
            const sw_param *a = sw_par(st, i, j, j), *b = sw_par(st, j, i, i);
            if (a->epsilon != b->epsilon || a->sigma != b->sigma || a->a != b->a || a->biga != b->biga ||
                a->bigb != b->bigb || a->p != b->p || a->q != b->q || a->tol != b->tol)
                return SR_ERROR(SR_EPARSE,
                                "%s:%d/%d: two-body parameters of %s %s %s and %s %s %s differ (epsilon, "
                                "sigma, a, A, B, p, q, tol must be equal: the pair term is symmetric)",
                                path, a->line, b->line, st->elem[i], st->elem[j], st->elem[j], st->elem[j],
                                st->elem[i], st->elem[i]);
        }
    /* Each triplet is evaluated once, with (i,j,k) for the j met first in the list: the angular
     * parameters of (i,j,k) and (i,k,j) must agree or the energy would depend on neighbour order. */
    for (int i = 0; i < st->nelem; i++)
        for (int j = 0; j < st->nelem; j++)
            for (int k = j + 1; k < st->nelem; k++) {
                const sw_param *a = sw_par(st, i, j, k), *b = sw_par(st, i, k, j);
                if (a->lambda_epsilon != b->lambda_epsilon || a->costheta0 != b->costheta0)
                    return SR_ERROR(SR_EPARSE,
                                    "%s:%d/%d: three-body parameters of %s %s %s and %s %s %s differ (lambda "
                                    "epsilon and costheta0 must be equal: the triplet term is symmetric in j, k)",
                                    path, a->line, b->line, st->elem[i], st->elem[j], st->elem[k], st->elem[i],
                                    st->elem[k], st->elem[j]);
            }
    st->cutmax = 0;
    for (int m = 0; m < st->nelem * st->nelem * st->nelem; m++)
        if (st->param[m].cutsq > st->cutmax * st->cutmax) st->cutmax = sqrt(st->param[m].cutsq);
    return SR_OK;
}

/* First whitespace-separated word of an entry's first line: the element list of the file. */
static int sw_file_single_element(const char *path, char *name)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return SR_ERROR(SR_EIO, "sw: cannot open the parameter file '%s'", path);
    char line[4096];
    int nfound = 0, rc = SR_OK;
    char first[SW_NAMELEN] = "";
    int ntok = 0;
    while (fgets(line, sizeof line, fp)) {
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *save = NULL;
        for (char *w = strtok_r(line, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
            if (ntok < 3) {
                if (nfound == 0) {
                    snprintf(first, sizeof first, "%s", w);
                    nfound = 1;
                } else if (strcmp(first, w) != 0)
                    nfound = 2;
            }
            ntok = (ntok + 1) % SW_NFIELDS;
        }
    }
    fclose(fp);
    if (nfound == 0) rc = SR_ERROR(SR_EPARSE, "%s: no Stillinger-Weber entry in the file", path);
    else if (nfound == 2)
        rc = SR_ERROR(SR_EINVAL, "%s: the file has several elements: say which one each type is "
                                 "with `elements = ...` in [potential]", path);
    else
        strcpy(name, first);
    return rc;
}

static void sw_destroy(void *state)
{
    sw_state *st = state;
    if (!st) return;
    for (int b = 0; b < MD_MAX_THREADS; b++) {
        free(st->work[b].shortl);
        free(st->work[b].work_real);
        free(st->work[b].work_int);
    }
    md_thread_scratch_free(&st->scratch);
    free(st);
}

/* Build the state for `ntypes` system types whose elements are names[t]. */
static int sw_setup(const char *path, int ntypes, char names[][SW_NAMELEN], sw_state **out)
{
    *out = NULL;
    if (ntypes < 1 || ntypes > SW_MAXELEM)
        return SR_ERROR(SR_ERANGE, "sw: number of atom types %d out of range [1, %d]", ntypes, SW_MAXELEM);
    sw_state *st = calloc(1, sizeof *st);
    if (!st) return SR_ERROR(SR_ENOMEM, "out of memory");
    snprintf(st->path, sizeof st->path, "%s", path);
    st->ntypes = ntypes;
    for (int t = 0; t < ntypes; t++) {
        int e = sw_elem_index(st, names[t]);
        if (e < 0) {
            e = st->nelem++;
            memcpy(st->elem[e], names[t], SW_NAMELEN);
            st->elem[e][SW_NAMELEN - 1] = 0;
        }
        st->type_elem[t] = e;
    }
    int rc = sw_read_file(st, path);
    if (rc) {
        sw_destroy(st);
        return rc;
    }
    st->single = st->nelem == 1;
    for (int m = 0; m < st->nelem * st->nelem * st->nelem; m++) {
        const sw_param *p = &st->param[m];
        st->t_cutsq[m] = p->cutsq;
        st->t_cut[m] = p->cut;
        st->t_aeb[m] = p->ae_b_sp;
        st->t_aeq[m] = p->ae_sq;
        st->t_p[m] = p->p;
        st->t_q[m] = p->q;
        st->t_sig[m] = p->sigma;
        st->t_sg[m] = p->sigma_gamma;
        st->t_le[m] = p->lambda_epsilon;
        st->t_c0[m] = p->costheta0;
    }
    rc = md_kernel_resolve(MD_KERNEL_AUTO, &st->kernel);
    if (rc) {
        sw_destroy(st);
        return rc;
    }
    *out = st;
    return SR_OK;
}

static int sw_create(void **state, const void *config, const md_system *s, const char *basedir)
{
    const sw_config *c = config;
    char path[1024];
    if (c->file[0] == '/' || !basedir || !*basedir)
        snprintf(path, sizeof path, "%s", c->file);
    else
        snprintf(path, sizeof path, "%s/%s", basedir, c->file);
    const int ntypes = s ? s->ntypes : 1;
    char names[SW_MAXELEM][SW_NAMELEN];
    if (ntypes < 1 || ntypes > SW_MAXELEM)
        return SR_ERROR(SR_ERANGE, "sw: number of atom types %d out of range [1, %d]", ntypes, SW_MAXELEM);
    char buf[SR_KW_STRLEN];
    snprintf(buf, sizeof buf, "%s", c->elements);
    char *words[SW_MAXELEM + 1];
    const int nw = sw_split(buf, words, SW_MAXELEM);
    if (nw > 0) {
        if (nw != ntypes)
            return SR_ERROR(SR_EINVAL, "sw: `elements` lists %d name(s) but the system has %d atom type(s)",
                            nw > SW_MAXELEM ? SW_MAXELEM + 1 : nw, ntypes);
        for (int t = 0; t < ntypes; t++) {
            if (strlen(words[t]) >= SW_NAMELEN)
                return SR_ERROR(SR_EINVAL, "sw: element name '%s' too long", words[t]);
            strcpy(names[t], words[t]);
        }
    } else {
        char only[SW_NAMELEN];
        int rc = sw_file_single_element(path, only);
        if (rc == SR_OK) {
            for (int t = 0; t < ntypes; t++) strcpy(names[t], only);
        } else if (rc == SR_EINVAL && s && s->type_name) {
            for (int t = 0; t < ntypes; t++) snprintf(names[t], SW_NAMELEN, "%s", s->type_name[t]);
        } else
            return rc;
    }
    sw_state *st = NULL;
    SR_TRY(sw_setup(path, ntypes, names, &st));
    *state = st;
    return SR_OK;
}

static int sw_reserve(sw_work *st, int n)
{
    if (n + 2 * SW_PAD <= st->shortcap) return SR_OK;
    int cap = st->shortcap ? st->shortcap : 32;
    while (cap < n + 2 * SW_PAD) cap *= 2;
    sw_neigh *p = realloc(st->shortl, (size_t)cap * sizeof *p);
    if (!p) return SR_ERROR(SR_ENOMEM, "sw: out of memory for a short neighbour list of %d", n);
    st->shortl = p;
    /* the SIMD kernels' short list: SW_WORK_NREAL arrays of doubles and SW_WORK_NINT of ints, `cap` each */
    double *wr = realloc(st->work_real, (size_t)cap * SW_WORK_NREAL * sizeof *wr);
    if (!wr) return SR_ERROR(SR_ENOMEM, "sw: out of memory for a short neighbour list of %d", n);
    st->work_real = wr;
    int *wi = realloc(st->work_int, (size_t)cap * SW_WORK_NINT * sizeof *wi);
    if (!wi) return SR_ERROR(SR_ENOMEM, "sw: out of memory for a short neighbour list of %d", n);
    st->work_int = wi;
    st->shortcap = cap;
    return SR_OK;
}

/* ---- the physics, written once for every force loop below -------------------------------------------
 * One leg i-j inside the (i,j,j) cutoff: r, 1/r, 1/r^2, dr = 1/(r - a sig) (sw_leg_r), then rp = (sig-free)
 * 1/r^p, rq = 1/r^q, ex = exp(sig dr) (pair term) and g = exp(gamma sig dr) (radial factor of the triplets)
 * (sw_leg_exp). exp is sr_exp (common/sr_vecmath.h: inline, branch-free, a few ulp of libm's), so that the
 * SIMD loop's legs vectorise and every copy of every loop gives the same bits; pow (p != 4, q != 0) is libm's and
 * scalar. Since 2026-12-07 (libm's exp before) mW trajectories differ from earlier builds' by rounding. */
static inline __attribute__((always_inline)) void sw_leg_r(double cut, double rsq, double *r, double *rinv,
                                                           double *rinvsq, double *dr)
{
    *r = sqrt(rsq);
    *rinv = 1.0 / *r;
    *rinvsq = *rinv * *rinv;
    *dr = 1.0 / (*r - cut);
}
static inline __attribute__((always_inline)) void sw_leg_exp(const sw_param *p, double rinv, double rinvsq,
                                                             double dr, double *rp, double *rq, double *ex,
                                                             double *g)
{
    *rp = p->p4 ? rinvsq * rinvsq : pow(rinv, p->p);
    *rq = p->q0 ? 1.0 : pow(rinv, p->q);
    *ex = sr_exp(p->sigma * dr);
    *g = sr_exp(p->sigma_gamma * dr);
}

/* Pair term from the leg's pieces: phi2(r)/2 and (dphi2/dr)/(2r) (the pair is met once from each side),
 * and (d ln g / dr) / r = -gamma sig / (r - a sig)^2 / r.
 * dphi2/dr = ex [(-p bp + q cq)/r - (bp - cq) sigma/(r - a sigma)^2], bp = A eps B (sig/r)^p, cq = A eps (sig/r)^q */
static inline __attribute__((always_inline)) void sw_pair(double ae_b_sp, double ae_sq, double pp, double qq,
                                                          double sigma, double sg, double rinv, double rp,
                                                          double rq, double dr, double ex, double *e_half,
                                                          double *fr_half, double *dlng)
{
    const double bp = ae_b_sp * rp, cq = ae_sq * rq;
    const double dphi = ex * ((-pp * bp + qq * cq) * rinv - (bp - cq) * sigma * dr * dr);
    *e_half = 0.5 * (bp - cq) * ex;
    *fr_half = 0.5 * dphi * rinv;
    *dlng = -sg * dr * dr * rinv;
}

/* Triplet term phi3 of the angle j-i-k (legs a = i->j, b = i->k, u = r_leg - r_i) and its gradients
 * dE/du_a = e3 dlng_a u_a + dE/dcos (u_b/(|a||b|) - cos u_a/|a|^2), and a <-> b. Returns phi3. */
static inline __attribute__((always_inline)) double sw_triplet(double le, double c0, double uax, double uay,
                                                               double uaz, double ra, double ra2, double ga,
                                                               double la, double ubx, double uby, double ubz,
                                                               double rb, double rb2, double gb, double lb,
                                                               double *dax, double *day, double *daz,
                                                               double *dbx, double *dby, double *dbz)
{
    const double rab = ra * rb;
    const double cs = (uax * ubx + uay * uby + uaz * ubz) * rab;
    const double d = cs - c0;
    const double gg = le * ga * gb;
    const double e3 = gg * d * d;
    const double ang = 2.0 * gg * d; /* dE/dcos */
    const double caa = e3 * la - ang * cs * ra2, cab = ang * rab;
    const double cbb = e3 * lb - ang * cs * rb2;
    *dax = caa * uax + cab * ubx;
    *day = caa * uay + cab * uby;
    *daz = caa * uaz + cab * ubz;
    *dbx = cbb * ubx + cab * uax;
    *dby = cbb * uby + cab * uay;
    *dbz = cbb * ubz + cab * uaz;
    return e3;
}

/* The reference loop over atoms: scalar, one neighbour (one triplet) at a time; `single` = 1 hoists the one
 * element's parameters. Kept as the readable definition and the yardstick of the vectorised kernels
 * (tests/test_md_sw_simd.c). */
static inline __attribute__((always_inline)) double sw_loop(const sw_state *st, sw_work *w, const md_system *s,
                                                            const md_nlist *nl, const int lo, const int hi,
                                                            double *restrict f, const int want_e, double *eatom,
                                                            const int single)
{
    const double *restrict x = s->x;
    const int *restrict type = s->type;
    const int ne = st->nelem;
    const sw_param *p0 = &st->param[0];
    const double cutsq0 = p0->cutsq, le0 = p0->lambda_epsilon, ct0 = p0->costheta0;
    sw_neigh *restrict sl = w->shortl;
    double energy = 0.0;
    for (int i = lo; i < hi; i++) {
        const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
        const int ei = single ? 0 : st->type_elem[type[i]];
        const int *jl = nl->neigh + nl->first[i];
        const int jn = nl->num[i];
        double fxi = 0, fyi = 0, fzi = 0, ei_energy = 0;
        int ns = 0;
        /* short list + two-body */
        for (int q = 0; q < jn; q++) {
            const int j = jl[q];
            const double ux = x[3 * j] - xi, uy = x[3 * j + 1] - yi, uz = x[3 * j + 2] - zi;
            const double rsq = ux * ux + uy * uy + uz * uz;
            const int ej = single ? 0 : st->type_elem[type[j]];
            const sw_param *pij = single ? p0 : &st->param[(ei * ne + ej) * ne + ej];
            if (rsq >= (single ? cutsq0 : pij->cutsq)) continue;
            double r, rinv, rinvsq, dr, rp, rq, ex, g, e2, fr, dlng;
            sw_leg_r(pij->cut, rsq, &r, &rinv, &rinvsq, &dr);
            sw_leg_exp(pij, rinv, rinvsq, dr, &rp, &rq, &ex, &g);
            sw_pair(pij->ae_b_sp, pij->ae_sq, pij->p, pij->q, pij->sigma, pij->sigma_gamma, rinv, rp, rq, dr, ex,
                    &e2, &fr, &dlng);
            /* force on i = +dphi/dr u/r (u points from i to j), on j the opposite; weight 1/2 in fr */
            sw_neigh *nb = &sl[ns++];
            nb->ux = ux;
            nb->uy = uy;
            nb->uz = uz;
            nb->rinv = rinv;
            nb->rinvsq = rinvsq;
            nb->g = g;
            nb->dlng = dlng;
            nb->fx = -fr * ux;
            nb->fy = -fr * uy;
            nb->fz = -fr * uz;
            nb->j = j;
            nb->tj = ej;
            fxi += fr * ux;
            fyi += fr * uy;
            fzi += fr * uz;
            if (want_e) ei_energy += e2;
        }
        /* three-body: all pairs j < k of the short list */
        for (int a = 0; a < ns - 1; a++) {
            sw_neigh *restrict na = &sl[a];
            const int ea = na->tj;
            double fax = 0, fay = 0, faz = 0;
            for (int b = a + 1; b < ns; b++) {
                sw_neigh *restrict nbk = &sl[b];
                const sw_param *pijk = single ? p0 : &st->param[(ei * ne + ea) * ne + nbk->tj];
                double dax, day, daz, dbx, dby, dbz;
                const double e3 = sw_triplet(single ? le0 : pijk->lambda_epsilon, single ? ct0 : pijk->costheta0,
                                             na->ux, na->uy, na->uz, na->rinv, na->rinvsq, na->g, na->dlng,
                                             nbk->ux, nbk->uy, nbk->uz, nbk->rinv, nbk->rinvsq, nbk->g, nbk->dlng,
                                             &dax, &day, &daz, &dbx, &dby, &dbz);
                fax -= dax;
                fay -= day;
                faz -= daz;
                nbk->fx -= dbx;
                nbk->fy -= dby;
                nbk->fz -= dbz;
                fxi += dax + dbx;
                fyi += day + dby;
                fzi += daz + dbz;
                if (want_e) ei_energy += e3;
            }
            na->fx += fax;
            na->fy += fay;
            na->fz += faz;
        }
        for (int a = 0; a < ns; a++) {
            const int j = sl[a].j;
            f[3 * j] += sl[a].fx;
            f[3 * j + 1] += sl[a].fy;
            f[3 * j + 2] += sl[a].fz;
        }
        f[3 * i] += fxi;
        f[3 * i + 1] += fyi;
        f[3 * i + 2] += fzi;
        if (want_e) {
            energy += ei_energy;
            if (eatom) eatom[i] += ei_energy;
        }
    }
    return energy;
}

static double sw_reference(const sw_state *st, sw_work *w, const md_system *s, const md_nlist *nl, int lo, int hi,
                           double *f, int want_e, double *eatom)
{
    if (st->single)
        return want_e ? sw_loop(st, w, s, nl, lo, hi, f, 1, eatom, 1) : sw_loop(st, w, s, nl, lo, hi, f, 0, NULL, 1);
    return sw_loop(st, w, s, nl, lo, hi, f, want_e, eatom, 0);
}

/* The vectorised loop: the same legs and triplets with the same arithmetic (sw_leg_r, sw_leg_exp, sw_pair,
 * sw_triplet) and
 * every sum in the reference's order, so forces, energy and per-atom energies are bit-identical to sw_loop
 * (GCC's ISO C default -ffp-contract=off; tests/test_md_sw_simd.c) and trajectories do not change. Per atom i:
 *   candidates: the full list in chunks: pack the positions (plain loads), r^2 and the cutoff test vectorised,
 *               the indices of those inside compacted branch-free, then the short list copied into arrays (one
 *               per quantity, the layout the vector loops read contiguously), padded with SW_PAD harmless
 *               entries (ex = g = 0: zero terms);
 *   legs:       sqrt, divisions, exp per short-list entry, vectorised (sw_leg_r, sr_exp) when one element
 *               has p = 4 and q = 0, else scalar with pow (sw_leg_exp); then the pair terms vectorised (sw_pair);
 *   triplets:   for each a, the partners b > a in blocks of SW_PAD lanes (blocks start at a + 1 and may run
 *               into the padding), the force on b updated lane-wise; the sums over b onto
 *               a, onto i and into the energy are then taken in order, scalar (they fix the rounding);
 *   apply:      forces onto the j in short-list order, then onto i. */
#define SW_CHUNK 64
enum { /* arrays of the SIMD short list (sw_state.work_real / work_int), each shortcap long */
    W_UX, W_UY, W_UZ, W_RSQ, W_RINV, W_RINVSQ, W_DR, W_RP, W_RQ, W_EX, W_G, W_DLNG, W_FX, W_FY, W_FZ,
    W_FIX, W_FIY, W_FIZ, W_E2, W_DAX, W_DAY, W_DAZ, W_DSX, W_DSY, W_DSZ, W_E3, SW_WORK_NREAL_
};
enum { W_J, W_EL, W_K2, SW_WORK_NINT_ };
_Static_assert(SW_WORK_NREAL_ == SW_WORK_NREAL && SW_WORK_NINT_ == SW_WORK_NINT, "sw work arrays");

static inline __attribute__((always_inline)) double sw_loop_simd(const sw_state *st, sw_work *w,
                                                                 const md_system *s, const md_nlist *nl,
                                                                 const int lo, const int hi, double *restrict f,
                                                                 const int want_e, double *eatom, const int single)
{
    const double *restrict x = s->x;
    const int *restrict type = s->type;
    const int ne = st->nelem;
    const sw_param *p0 = &st->param[0];
    const double cutsq0 = p0->cutsq, cut0 = p0->cut, le0 = p0->lambda_epsilon, ct0 = p0->costheta0, aeb0 = p0->ae_b_sp,
                 aeq0 = p0->ae_sq, pp0 = p0->p, qq0 = p0->q, sig0 = p0->sigma, sg0 = p0->sigma_gamma;
    const double *restrict t_cutsq = st->t_cutsq, *restrict t_cut = st->t_cut, *restrict t_aeb = st->t_aeb, *restrict t_aeq = st->t_aeq,
                           *restrict t_p = st->t_p, *restrict t_q = st->t_q, *restrict t_sig = st->t_sig,
                           *restrict t_sg = st->t_sg, *restrict t_le = st->t_le, *restrict t_c0 = st->t_c0;
    const size_t cap = (size_t)w->shortcap;
    double *const wr = w->work_real;
    double *restrict sux = wr + W_UX * cap, *restrict suy = wr + W_UY * cap, *restrict suz = wr + W_UZ * cap;
    double *restrict srsq = wr + W_RSQ * cap, *restrict srinv = wr + W_RINV * cap;
    double *restrict srinvsq = wr + W_RINVSQ * cap, *restrict sdr = wr + W_DR * cap, *restrict srp = wr + W_RP * cap;
    double *restrict srq = wr + W_RQ * cap, *restrict sex = wr + W_EX * cap, *restrict sg = wr + W_G * cap;
    double *restrict sdlng = wr + W_DLNG * cap;
    double *restrict sfx = wr + W_FX * cap, *restrict sfy = wr + W_FY * cap, *restrict sfz = wr + W_FZ * cap;
    double *restrict sfix = wr + W_FIX * cap, *restrict sfiy = wr + W_FIY * cap, *restrict sfiz = wr + W_FIZ * cap;
    double *restrict se2 = wr + W_E2 * cap;
    double *restrict tdax = wr + W_DAX * cap, *restrict tday = wr + W_DAY * cap, *restrict tdaz = wr + W_DAZ * cap;
    double *restrict tdsx = wr + W_DSX * cap, *restrict tdsy = wr + W_DSY * cap, *restrict tdsz = wr + W_DSZ * cap;
    double *restrict te3 = wr + W_E3 * cap;
    int *restrict sj = w->work_int + W_J * cap, *restrict sel = w->work_int + W_EL * cap;
    int *restrict sk2 = w->work_int + W_K2 * cap;
    const double pad_distance = 2.0 * st->cutmax + 1.0;
    double px[SW_CHUNK] __attribute__((aligned(64))), py[SW_CHUNK] __attribute__((aligned(64)));
    double pz[SW_CHUNK] __attribute__((aligned(64)));
    double cux[SW_CHUNK] __attribute__((aligned(64))), cuy[SW_CHUNK] __attribute__((aligned(64)));
    double cuz[SW_CHUNK] __attribute__((aligned(64))), crsq[SW_CHUNK] __attribute__((aligned(64)));
    int pk[SW_CHUNK] __attribute__((aligned(64)));
    /* cutoff flags as doubles (1 or 0): the SSE2 copy vectorises the test only with flags as wide as the values */
    double pin[SW_CHUNK] __attribute__((aligned(64)));
    int pidx[SW_CHUNK];
    double energy = 0.0;
    for (int i = lo; i < hi; i++) {
        const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
        const int ei = single ? 0 : st->type_elem[type[i]];
        const int *jl = nl->neigh + nl->first[i];
        const int jn = nl->num[i];
        double fxi = 0, fyi = 0, fzi = 0, ei_energy = 0;
        int ns = 0;
        /* candidates -> short list */
        for (int q0 = 0; q0 < jn; q0 += SW_CHUNK) {
            const int m = jn - q0 < SW_CHUNK ? jn - q0 : SW_CHUNK;
            const int *restrict jc = jl + q0;
            for (int q = 0; q < m; q++) {
                const int j = jc[q];
                px[q] = x[3 * j];
                py[q] = x[3 * j + 1];
                pz[q] = x[3 * j + 2];
                if (!single) pk[q] = (ei * ne + st->type_elem[type[j]]) * ne + st->type_elem[type[j]];
            }
            const int mpad = (m + SW_PAD - 1) / SW_PAD * SW_PAD;
            for (int q = m; q < mpad; q++) {
                px[q] = xi + pad_distance;
                py[q] = yi;
                pz[q] = zi;
                pk[q] = 0;
            }
            for (int b = 0; b < mpad; b += SW_PAD) {
                /* no aligned() clause: clang 14 with -fsanitize=undefined crashes on it (see md_lj.c) */
#pragma omp simd
                for (int l = 0; l < SW_PAD; l++) {
                    const int q = b + l;
                    const double ux = px[q] - xi, uy = py[q] - yi, uz = pz[q] - zi;
                    const double rsq = ux * ux + uy * uy + uz * uz;
                    cux[q] = ux;
                    cuy[q] = uy;
                    cuz[q] = uz;
                    crsq[q] = rsq;
                    pin[q] = rsq < (single ? cutsq0 : t_cutsq[pk[q]]) ? 1.0 : 0.0;
                }
            }
            int nin = 0;
            for (int q = 0; q < m; q++) { /* branch-free compaction: write always, advance when inside */
                pidx[nin] = q;
                nin += pin[q] != 0.0;
            }
            for (int t = 0; t < nin; t++, ns++) {
                const int q = pidx[t];
                sux[ns] = cux[q];
                suy[ns] = cuy[q];
                suz[ns] = cuz[q];
                srsq[ns] = crsq[q];
                sj[ns] = jc[q];
                if (!single) {
                    sk2[ns] = pk[q];
                    sel[ns] = st->type_elem[type[jc[q]]];
                }
            }
        }
        if (ns == 0) continue;
        const int npad = (ns + SW_PAD - 1) / SW_PAD * SW_PAD;
        for (int q = ns; q < ns + SW_PAD; q++) { /* harmless lanes: ex = g = 0 give zero terms */
            sux[q] = suy[q] = suz[q] = 0.0;
            srsq[q] = srinv[q] = srinvsq[q] = sdr[q] = srp[q] = srq[q] = 1.0;
            sex[q] = sg[q] = 0.0;
            sj[q] = sel[q] = sk2[q] = 0;
        }
        /* legs: vectorised for one element with p = 4, q = 0 (mW, Si; sqrt inline: md_sw.c has -fno-math-errno),
         * else scalar */
        if (single && p0->p4 && p0->q0) {
            for (int b = 0; b < npad; b += SW_PAD) {
#pragma omp simd
                for (int l = 0; l < SW_PAD; l++) {
                    const int q = b + l;
                    double r, rinv, rinvsq, dr;
                    sw_leg_r(cut0, srsq[q], &r, &rinv, &rinvsq, &dr);
                    /* sw_leg_exp with p = 4, q = 0 spelled out (its branch on p4 and q0 keeps the loop scalar) */
                    const double rp = rinvsq * rinvsq, rq = 1.0, ex = sr_exp(sig0 * dr), g = sr_exp(sg0 * dr);
                    srinv[q] = rinv;
                    srinvsq[q] = rinvsq;
                    sdr[q] = dr;
                    srp[q] = rp;
                    srq[q] = rq;
                    sex[q] = ex;
                    sg[q] = g;
                }
            }
            for (int q = ns; q < npad; q++) { /* the padding again (r = 1 gave its rinv, rp, rq) */
                sdr[q] = 1.0;
                sex[q] = sg[q] = 0.0;
            }
        } else {
            for (int q = 0; q < ns; q++) {
                double r;
                sw_leg_r(single ? cut0 : t_cut[sk2[q]], srsq[q], &r, &srinv[q], &srinvsq[q], &sdr[q]);
                sw_leg_exp(single ? p0 : &st->param[sk2[q]], srinv[q], srinvsq[q], sdr[q], &srp[q], &srq[q],
                           &sex[q], &sg[q]);
            }
        }
        /* pair terms, vectorised */
        for (int b = 0; b < npad; b += SW_PAD) {
#pragma omp simd
            for (int l = 0; l < SW_PAD; l++) {
                const int q = b + l;
                const int k = single ? 0 : sk2[q];
                double e2, fr, dlng;
                sw_pair(single ? aeb0 : t_aeb[k], single ? aeq0 : t_aeq[k], single ? pp0 : t_p[k],
                        single ? qq0 : t_q[k], single ? sig0 : t_sig[k], single ? sg0 : t_sg[k], srinv[q], srp[q],
                        srq[q], sdr[q], sex[q], &e2, &fr, &dlng);
                sdlng[q] = dlng;
                sfx[q] = -fr * sux[q];
                sfy[q] = -fr * suy[q];
                sfz[q] = -fr * suz[q];
                sfix[q] = fr * sux[q];
                sfiy[q] = fr * suy[q];
                sfiz[q] = fr * suz[q];
                se2[q] = e2;
            }
        }
        for (int q = 0; q < ns; q++) {
            fxi += sfix[q];
            fyi += sfiy[q];
            fzi += sfiz[q];
            if (want_e) ei_energy += se2[q];
        }
        /* triplets a < b */
        for (int a = 0; a < ns - 1; a++) {
            const double uax = sux[a], uay = suy[a], uaz = suz[a], ra = srinv[a], ra2 = srinvsq[a], ga = sg[a],
                         la = sdlng[a];
            const int base = single ? 0 : (ei * ne + sel[a]) * ne;
            for (int b0 = a + 1; b0 < ns; b0 += SW_PAD) {
#pragma omp simd
                for (int l = 0; l < SW_PAD; l++) {
                    const int b = b0 + l;
                    const int k = single ? 0 : base + sel[b];
                    double dax, day, daz, dbx, dby, dbz;
                    const double e3 = sw_triplet(single ? le0 : t_le[k], single ? ct0 : t_c0[k], uax, uay, uaz, ra,
                                                 ra2, ga, la, sux[b], suy[b], suz[b], srinv[b], srinvsq[b], sg[b],
                                                 sdlng[b], &dax, &day, &daz, &dbx, &dby, &dbz);
                    sfx[b] -= dbx;
                    sfy[b] -= dby;
                    sfz[b] -= dbz;
                    tdax[b] = dax;
                    tday[b] = day;
                    tdaz[b] = daz;
                    tdsx[b] = dax + dbx;
                    tdsy[b] = day + dby;
                    tdsz[b] = daz + dbz;
                    te3[b] = e3;
                }
            }
            double fax = 0, fay = 0, faz = 0;
            for (int b = a + 1; b < ns; b++) {
                fax -= tdax[b];
                fay -= tday[b];
                faz -= tdaz[b];
                fxi += tdsx[b];
                fyi += tdsy[b];
                fzi += tdsz[b];
                if (want_e) ei_energy += te3[b];
            }
            sfx[a] += fax;
            sfy[a] += fay;
            sfz[a] += faz;
        }
        for (int q = 0; q < ns; q++) {
            const int j = sj[q];
            f[3 * j] += sfx[q];
            f[3 * j + 1] += sfy[q];
            f[3 * j + 2] += sfz[q];
        }
        f[3 * i] += fxi;
        f[3 * i + 1] += fyi;
        f[3 * i + 2] += fzi;
        if (want_e) {
            energy += ei_energy;
            if (eatom) eatom[i] += ei_energy;
        }
    }
    return energy;
}

/* One copy of the vectorised loop per instruction set, picked at run time (md_kernel_resolve), as md_lj.c. */
#define SW_SIMD_VARIANT(NAME, ATTR)                                                                         \
    static ATTR double NAME(const sw_state *st, sw_work *w, const md_system *s, const md_nlist *nl, int lo,   \
                            int hi, double *f, int want_e, double *eatom)                                   \
    {                                                                                                       \
        if (st->single)                                                                                     \
            return want_e ? sw_loop_simd(st, w, s, nl, lo, hi, f, 1, eatom, 1)                              \
                          : sw_loop_simd(st, w, s, nl, lo, hi, f, 0, NULL, 1);                              \
        return want_e ? sw_loop_simd(st, w, s, nl, lo, hi, f, 1, eatom, 0)                                  \
                      : sw_loop_simd(st, w, s, nl, lo, hi, f, 0, NULL, 0);                                  \
    }
SW_SIMD_VARIANT(sw_simd_default, )
#if MD_SIMD_X86
SW_SIMD_VARIANT(sw_simd_avx2, MD_TARGET_AVX2)
SW_SIMD_VARIANT(sw_simd_avx512, MD_TARGET_AVX512)
#endif

typedef double (*sw_kernel_fn)(const sw_state *, sw_work *, const md_system *, const md_nlist *, int, int, double *,
                               int, double *);
static const sw_kernel_fn sw_kernels[MD_KERNEL_NKINDS] = {
    [MD_KERNEL_REFERENCE] = sw_reference,
    [MD_KERNEL_SIMD] = sw_simd_default,
#if MD_SIMD_X86
    [MD_KERNEL_AVX2] = sw_simd_avx2,
    [MD_KERNEL_AVX512] = sw_simd_avx512,
#endif
};

typedef struct sw_block_ctx {
    sw_state *st;
    const md_system *s;
    const md_nlist *nl;
    sw_kernel_fn kern;
    int want_e;
} sw_block_ctx;

static double sw_block(void *ctx, int b, int lo, int hi, double *f, double *eatom)
{
    const sw_block_ctx *c = ctx;
    return c->kern(c->st, &c->st->work[b], c->s, c->nl, lo, hi, f, c->want_e, eatom);
}

static int sw_compute(void *state, md_system *s, const md_nlist *nl, unsigned want, md_result *r)
{
    sw_state *st = state;
    if (nl->kind != MD_NLIST_FULL) return SR_ERROR(SR_EINVAL, "sw: needs a FULL neighbor list");
    if (s->ntypes > st->ntypes)
        return SR_ERROR(SR_EINVAL, "sw: the system has %d atom types, the potential was set up for %d",
                        s->ntypes, st->ntypes);
    int maxn = 0;
    for (int i = 0; i < nl->n; i++)
        if (nl->num[i] > maxn) maxn = nl->num[i];
    const int T = st->threads > 1 ? st->threads : 1;
    for (int b = 0; b < T; b++) SR_TRY(sw_reserve(&st->work[b], maxn));
    const int want_e = (want & (MD_WANT_ENERGY | MD_WANT_EATOM)) != 0;
    double *eatom = (want & MD_WANT_EATOM) ? r->eatom : NULL;
    const sw_kernel_fn kern = sw_kernels[st->kernel];
    if (T == 1) {
        r->energy += kern(st, &st->work[0], s, nl, 0, nl->n, s->f, want_e, eatom);
        return SR_OK;
    }
    /* T blocks of atoms (md_thread_blocks_run), each with its own workspace */
    sw_block_ctx ctx = {st, s, nl, kern, want_e};
    double e;
    SR_TRY(md_thread_blocks_run(&st->scratch, nl, T, (size_t)s->n + (size_t)s->nghost, s->f, eatom, sw_block, &ctx,
                                &e));
    r->energy += e;
    return SR_OK;
}

static int sw_set_threads(void *state, int threads)
{
    ((sw_state *)state)->threads = threads;
    return SR_OK;
}

static int sw_set_kernel(void *state, int kernel)
{
    return md_kernel_resolve(kernel, &((sw_state *)state)->kernel);
}

static double sw_cutoff(const void *state)
{
    return ((const sw_state *)state)->cutmax;
}

static void sw_describe(const void *state, FILE *out)
{
    const sw_state *st = state;
    fprintf(out, "sw: Stillinger-Weber (Stillinger & Weber, PRB 31, 5262, 1985; LAMMPS pair_style sw form), "
                 "file %s, cutoff %g, types ->", st->path, st->cutmax);
    for (int t = 0; t < st->ntypes; t++) fprintf(out, " %d:%s", t + 1, st->elem[st->type_elem[t]]);
    fprintf(out, "; force loop %s", md_kernel_name(st->kernel));
    if (st->threads > 1) fprintf(out, ", %d threads", st->threads);
    fputc('\n', out);
    for (int i = 0; i < st->nelem; i++)
        for (int j = 0; j < st->nelem; j++)
            for (int k = 0; k < st->nelem; k++) {
                const sw_param *p = &st->param[(i * st->nelem + j) * st->nelem + k];
                fprintf(out,
                        "  %s %s %s: epsilon %.10g sigma %.10g a %g lambda %g gamma %g cos(theta0) %.10g A %.10g "
                        "B %.10g p %g q %g tol %g\n",
                        st->elem[i], st->elem[j], st->elem[k], p->epsilon, p->sigma, p->a, p->lambda, p->gamma,
                        p->costheta0, p->biga, p->bigb, p->p, p->q, p->tol);
            }
}

const md_potential_class md_potential_sw = {
    .name = "sw",
    .keywords = sw_keywords,
    .config_size = sizeof(sw_config),
    .create = sw_create,
    .compute = sw_compute,
    .cutoff = sw_cutoff,
    .nlist_kind = MD_NLIST_FULL,
    .describe = sw_describe,
    .destroy = sw_destroy,
    .set_kernel = sw_set_kernel,
    .set_threads = sw_set_threads,
};
