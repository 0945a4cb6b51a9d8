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
 * pair term and the whole triplet term go to the central atom i. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "md.h"

extern const md_potential_class md_potential_sw;

#define SW_MAXELEM 8
#define SW_NAMELEN 16
#define SW_NFIELDS 14

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

typedef struct sw_state {
    char path[1024];
    int nelem;                          /* elements used by the system types */
    char elem[SW_MAXELEM][SW_NAMELEN];
    int ntypes;
    int type_elem[SW_MAXELEM];          /* system type -> element */
    sw_param param[SW_MAXELEM * SW_MAXELEM * SW_MAXELEM]; /* [(ei*ne + ej)*ne + ek] */
    double cutmax;
    int single;                         /* one element: parameters hoisted */
    sw_neigh *shortl;                   /* workspace, grows */
    int shortcap;
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
    free(st->shortl);
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

static int sw_reserve(sw_state *st, int n)
{
    if (n <= st->shortcap) return SR_OK;
    int cap = st->shortcap ? st->shortcap : 32;
    while (cap < n) cap *= 2;
    sw_neigh *p = realloc(st->shortl, (size_t)cap * sizeof *p);
    if (!p) return SR_ERROR(SR_ENOMEM, "sw: out of memory for a short neighbour list of %d", n);
    st->shortl = p;
    st->shortcap = cap;
    return SR_OK;
}

/* phi2(r)/2 and (dphi2/dr)/(2r) for one pair (the pair is met once from each side). */
static inline void sw_pair(const sw_param *p, double r, double rinv, double rinvsq, double *e_half,
                           double *fr_half)
{
    const double rp = p->p4 ? rinvsq * rinvsq : pow(rinv, p->p);
    const double rq = p->q0 ? 1.0 : pow(rinv, p->q);
    const double dr = 1.0 / (r - p->cut);
    const double ex = exp(p->sigma * dr);
    const double bp = p->ae_b_sp * rp, cq = p->ae_sq * rq;
    /* dphi2/dr = ex [(-p bp + q cq)/r - (bp - cq) sigma/(r - a sigma)^2] */
    const double dphi = ex * ((-p->p * bp + p->q * cq) * rinv - (bp - cq) * p->sigma * dr * dr);
    *e_half = 0.5 * (bp - cq) * ex;
    *fr_half = 0.5 * dphi * rinv;
}

/* The loop over atoms, written once; `single` = 1 hoists the one element's parameters. */
static inline __attribute__((always_inline)) double sw_loop(sw_state *st, md_system *s, const md_nlist *nl,
                                                            const int want_e, double *eatom, const int single)
{
    const double *restrict x = s->x;
    double *restrict f = s->f;
    const int *restrict type = s->type;
    const int ne = st->nelem;
    const sw_param *p0 = &st->param[0];
    const double cutsq0 = p0->cutsq, cut0 = p0->cut, sg0 = p0->sigma_gamma, le0 = p0->lambda_epsilon,
                 ct0 = p0->costheta0;
    sw_neigh *restrict sl = st->shortl;
    double energy = 0.0;
    for (int i = 0; i < nl->n; i++) {
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
            const double r = sqrt(rsq), rinv = 1.0 / r, rinvsq = rinv * rinv;
            double e2, fr;
            sw_pair(pij, r, rinv, rinvsq, &e2, &fr);
            /* force on i = +dphi/dr u/r (u points from i to j), on j the opposite; weight 1/2 in fr */
            const double dr = 1.0 / (r - (single ? cut0 : pij->cut));
            const double sg = single ? sg0 : pij->sigma_gamma;
            sw_neigh *nb = &sl[ns++];
            nb->ux = ux;
            nb->uy = uy;
            nb->uz = uz;
            nb->rinv = rinv;
            nb->rinvsq = rinvsq;
            nb->g = exp(sg * dr);
            nb->dlng = -sg * dr * dr * rinv;
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
            const double uax = na->ux, uay = na->uy, uaz = na->uz, ra = na->rinv, ra2 = na->rinvsq, ga = na->g,
                         la = na->dlng;
            const int ea = na->tj;
            double fax = 0, fay = 0, faz = 0;
            for (int b = a + 1; b < ns; b++) {
                sw_neigh *restrict nbk = &sl[b];
                const sw_param *pijk = single ? p0 : &st->param[(ei * ne + ea) * ne + nbk->tj];
                const double le = single ? le0 : pijk->lambda_epsilon;
                const double c0 = single ? ct0 : pijk->costheta0;
                const double rab = ra * nbk->rinv;
                const double cs = (uax * nbk->ux + uay * nbk->uy + uaz * nbk->uz) * rab;
                const double d = cs - c0;
                const double gg = le * ga * nbk->g;
                const double e3 = gg * d * d;
                const double ang = 2.0 * gg * d; /* dE/dcos */
                /* dE/du_a = e3 dlng_a u_a + ang (u_b/(|a||b|) - cs u_a/|a|^2), and a <-> b */
                const double caa = e3 * la - ang * cs * ra2, cab = ang * rab;
                const double cbb = e3 * nbk->dlng - ang * cs * nbk->rinvsq;
                const double dax = caa * uax + cab * nbk->ux, day = caa * uay + cab * nbk->uy,
                             daz = caa * uaz + cab * nbk->uz;
                const double dbx = cbb * nbk->ux + cab * uax, dby = cbb * nbk->uy + cab * uay,
                             dbz = cbb * nbk->uz + cab * uaz;
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
    SR_TRY(sw_reserve(st, maxn));
    const int want_e = (want & (MD_WANT_ENERGY | MD_WANT_EATOM)) != 0;
    double *eatom = (want & MD_WANT_EATOM) ? r->eatom : NULL;
    double e;
    if (st->single)
        e = want_e ? sw_loop(st, s, nl, 1, eatom, 1) : sw_loop(st, s, nl, 0, NULL, 1);
    else
        e = sw_loop(st, s, nl, want_e, eatom, 0);
    r->energy += e;
    return SR_OK;
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
    fprintf(out, "\n");
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
};
