/* order_chill.c - the CHILL+ classifier for water (Nguyen & Molinero, J. Phys. Chem. B 119, 9369, 2015),
 * an extension of CHILL (Moore, Nielsen, Molinero, PCCP 12, 4124, 2010). Input: oxygen (or mW) positions.
 *
 * 1. Neighbours: the 4 nearest molecules closer than `cutoff` (3.5 A for water oxygens / mW), as in
 *    CHILL (Moore et al. 2010: q_3m over the four nearest neighbours). `coordination = exact` instead
 *    takes every molecule within the cutoff and classifies only molecules with exactly 4 of them (the
 *    variant of OVITO's Chill+ modifier; it labels fewer 5-coordinated liquid molecules as ice).
 * 2. q_3m(i) = 1/N_b sum_{j in nb(i)} Y_3m(r_ij) (order_qlm_one, l = 3; the normalisation cancels).
 * 3. Bond correlation c(i,j) = Re[sum_{m=-3..3} q_3m(i) q_3m(j)*] / (|q_3(i)| |q_3(j)|)
 *    (order_bond_correlation with l = 3) for each of the 4 bonds of i. A bond is
 *        eclipsed  when -0.35 <= c <= 0.25,
 *        staggered when c <= -0.8.
 * 4. Labels from the numbers of staggered (n_s) and eclipsed (n_e) bonds of a molecule with 4
 *    neighbours (Table 1 of the paper; also how OVITO's Chill+ modifier documents it):
 *        ice Ic (cubic)            n_s = 4
 *        ice Ih (hexagonal)        n_s = 3 and n_e = 1
 *        interfacial ice           n_s = 2 or 3, not Ih (i.e. n_s = 2 with any n_e, n_s = 3 with n_e = 0)
 *        clathrate hydrate         n_e = 4
 *        interfacial clathrate     n_e = 3
 *        liquid ("other")          everything else, and every molecule with fewer than 4 neighbours
 *    The rules do not overlap (n_s + n_e <= 4), so the order of the tests does not matter.
 * 5. Crystalline (for clustering, N_max): Ih + Ic + interfacial ice. Interfacial ice belongs to the
 *    surface of an ice nucleus (Nguyen & Molinero count it with the ice embryo), so leaving it out
 *    would make every nucleus look smaller by about one molecular layer. Clathrate labels can be
 *    added with `clathrate_crystalline = yes` (guest-free mW does not form hydrates). */
#include "order.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

extern const order_classifier_class order_classifier_chillplus;

enum chill_label {
    CHILL_LIQUID = 0,
    CHILL_ICE_IH = 1,
    CHILL_ICE_IC = 2,
    CHILL_INTERFACIAL_ICE = 3,
    CHILL_CLATHRATE = 4,
    CHILL_INTERFACIAL_CLATHRATE = 5,
    CHILL_NLABELS
};

#define CHILL_NB 4 /* bonds of a tetrahedral molecule */
#define CHILL_L 3
#define CHILL_STRIDE (2 * (CHILL_L + 1))

typedef struct chill_config {
    double cutoff;
    double eclipsed_min, eclipsed_max;
    double staggered_max;
    int interfacial_crystalline;
    int clathrate_crystalline;
    int exact; /* coordination = exact */
} chill_config;

#define CFG(m) offsetof(chill_config, m)
static const sr_keyword chill_keywords[] = {
    {"cutoff", SR_KW_REAL, CFG(cutoff), "length", "3.5", 1e-6, 1e6, NULL,
     "neighbours: the 4 nearest closer than this (3.5 A for water oxygens and mW)"},
    {"eclipsed_min", SR_KW_REAL, CFG(eclipsed_min), "", "-0.35", -1, 1, NULL,
     "a bond is eclipsed when eclipsed_min <= c(i,j) <= eclipsed_max (Nguyen & Molinero 2015)"},
    {"eclipsed_max", SR_KW_REAL, CFG(eclipsed_max), "", "0.25", -1, 1, NULL, "upper end of the eclipsed range"},
    {"staggered_max", SR_KW_REAL, CFG(staggered_max), "", "-0.8", -1, 1, NULL,
     "a bond is staggered when c(i,j) <= staggered_max"},
    {"interfacial_crystalline", SR_KW_BOOL, CFG(interfacial_crystalline), "", "yes", 0, 1, NULL,
     "count interfacial ice with ice Ih and Ic in clusters (N_max)"},
    {"clathrate_crystalline", SR_KW_BOOL, CFG(clathrate_crystalline), "", "no", 0, 1, NULL,
     "count clathrate and interfacial clathrate in clusters"},
    {"coordination", SR_KW_CHOICE, CFG(exact), "", "nearest", 0, 0, "nearest|exact",
     "nearest: the 4 nearest within the cutoff (CHILL/CHILL+); exact: all within the cutoff, and only "
     "4-coordinated molecules can be ice or clathrate (OVITO's variant)"},
    SR_KW_END};

typedef struct chill_state {
    chill_config cfg;
    int cap;
    int *nsel;
    double *qlm;
    double *score; /* number of staggered bonds */
} chill_state;

static void chill_destroy(void *state)
{
    chill_state *st = state;
    if (!st) return;
    free(st->nsel);
    free(st->qlm);
    free(st->score);
    free(st);
}

static int chill_create(void **state, const void *config)
{
    const chill_config *c = config;
    if (!state || !c) return SR_ERROR(SR_EINVAL, "chillplus: NULL classifier config");
    if (!(c->cutoff > 0)) return SR_ERROR(SR_ERANGE, "chillplus: cutoff = %g must be > 0", c->cutoff);
    if (!(c->eclipsed_min <= c->eclipsed_max))
        return SR_ERROR(SR_ERANGE, "chillplus: eclipsed range [%g, %g] is empty", c->eclipsed_min,
                        c->eclipsed_max);
    if (!(c->staggered_max < c->eclipsed_min))
        return SR_ERROR(SR_ERANGE, "chillplus: staggered_max = %g must be below eclipsed_min = %g",
                        c->staggered_max, c->eclipsed_min);
    chill_state *st = calloc(1, sizeof *st);
    if (!st) return SR_ERROR(SR_ENOMEM, "chillplus: out of memory");
    st->cfg = *c;
    *state = st;
    return SR_OK;
}

static int chill_reserve(chill_state *st, int n)
{
    if (n <= st->cap) return SR_OK;
    int *nsel = realloc(st->nsel, (size_t)n * sizeof *nsel);
    if (nsel) st->nsel = nsel;
    double *qlm = realloc(st->qlm, (size_t)n * CHILL_STRIDE * sizeof *qlm);
    if (qlm) st->qlm = qlm;
    double *score = realloc(st->score, (size_t)n * sizeof *score);
    if (score) st->score = score;
    if (!nsel || !qlm || !score) return SR_ERROR(SR_ENOMEM, "chillplus: out of memory for %d atoms", n);
    st->cap = n;
    return SR_OK;
}

/* Table 1 of Nguyen & Molinero (2015) for a molecule with 4 bonds. */
static int chill_label_from_counts(int ns, int ne)
{
    if (ns == 4) return CHILL_ICE_IC;
    if (ns == 3 && ne == 1) return CHILL_ICE_IH;
    if (ns == 2 || ns == 3) return CHILL_INTERFACIAL_ICE;
    if (ne == 4) return CHILL_CLATHRATE;
    if (ne == 3) return CHILL_INTERFACIAL_CLATHRATE;
    return CHILL_LIQUID;
}

static int chill_classify(void *state, const md_system *s, const order_neighbors *nb, int *labels)
{
    chill_state *st = state;
    if (!st || !nb || !labels) return SR_ERROR(SR_EINVAL, "chillplus: NULL argument to classify");
    if (s && s->n != nb->n)
        return SR_ERROR(SR_EINVAL, "chillplus: neighbor list has %d atoms, the system %d", nb->n, s->n);
    const chill_config *c = &st->cfg;
    if (nb->cutoff < c->cutoff * (1 - 1e-12))
        return SR_ERROR(SR_ERANGE, "chillplus: neighbor list radius %g is below the classifier cutoff %g",
                        nb->cutoff, c->cutoff);
    const int n = nb->n;
    SR_TRY(chill_reserve(st, n));
    /* the (at most) 4 nearest within the cutoff; candidates are sorted by distance */
    for (int i = 0; i < n; i++) {
        const int k0 = nb->first[i], ncand = nb->first[i + 1] - k0;
        int m = 0;
        while (m < ncand && (c->exact || m < CHILL_NB) && nb->dist[k0 + m] < c->cutoff) m++;
        st->nsel[i] = m;
        order_qlm_one(CHILL_L, nb->vec + 3 * (size_t)k0, m, st->qlm + (size_t)i * CHILL_STRIDE);
    }
    for (int i = 0; i < n; i++) {
        int ns = 0, ne = 0;
        const int k0 = nb->first[i];
        if (st->nsel[i] == CHILL_NB) {
            const double *qi = st->qlm + (size_t)i * CHILL_STRIDE;
            for (int k = 0; k < CHILL_NB; k++) {
                const int j = nb->j[k0 + k];
                const double cij = order_bond_correlation(CHILL_L, qi, st->qlm + (size_t)j * CHILL_STRIDE);
                if (cij <= c->staggered_max)
                    ns++;
                else if (cij >= c->eclipsed_min && cij <= c->eclipsed_max)
                    ne++;
            }
            labels[i] = chill_label_from_counts(ns, ne);
        } else
            labels[i] = CHILL_LIQUID;
        st->score[i] = ns;
    }
    return SR_OK;
}

static double chill_cutoff(const void *state)
{
    return ((const chill_state *)state)->cfg.cutoff;
}

static int chill_is_crystalline(const void *state, int label)
{
    const chill_state *st = state;
    switch (label) {
    case CHILL_ICE_IH:
    case CHILL_ICE_IC: return 1;
    case CHILL_INTERFACIAL_ICE: return st->cfg.interfacial_crystalline;
    case CHILL_CLATHRATE:
    case CHILL_INTERFACIAL_CLATHRATE: return st->cfg.clathrate_crystalline;
    default: return 0;
    }
}

static const char *chill_label_name(const void *state, int label)
{
    (void)state;
    static const char *names[CHILL_NLABELS] = {"liquid", "ice_Ih", "ice_Ic", "interfacial_ice", "clathrate",
                                               "interfacial_clathrate"};
    return label >= 0 && label < CHILL_NLABELS ? names[label] : "unknown";
}

static const double *chill_score(const void *state, const char **name)
{
    if (name) *name = "staggered_bonds";
    return ((const chill_state *)state)->score;
}

static void chill_describe(const void *state, FILE *out)
{
    const chill_config *c = &((const chill_state *)state)->cfg;
    fprintf(out,
            "classifier chillplus (Nguyen & Molinero, JPCB 119, 9369, 2015): %s within %g, "
            "q_3m bond correlation c; eclipsed %g <= c <= %g, staggered c <= %g; labels 1 Ih (3 st + 1 ecl), "
            "2 Ic (4 st), 3 interfacial ice (2-3 st), 4 clathrate (4 ecl), 5 interfacial clathrate (3 ecl); "
            "crystalline: Ih, Ic%s%s\n",
            c->exact ? "all neighbours (exactly 4 needed)" : "4 nearest neighbours", c->cutoff, c->eclipsed_min, c->eclipsed_max, c->staggered_max,
            c->interfacial_crystalline ? ", interfacial ice" : "",
            c->clathrate_crystalline ? ", clathrates" : "");
}

const order_classifier_class order_classifier_chillplus = {
    .name = "chillplus",
    .doc = "CHILL+ (Nguyen & Molinero 2015): ice Ih, ice Ic, interfacial ice, clathrates from q_3 bonds",
    .keywords = chill_keywords,
    .config_size = sizeof(chill_config),
    .create = chill_create,
    .classify = chill_classify,
    .cutoff = chill_cutoff,
    .is_crystalline = chill_is_crystalline,
    .label_name = chill_label_name,
    .score = chill_score,
    .describe = chill_describe,
    .destroy = chill_destroy,
};
