/* order_classifier.c - classifier registry and the two Steinhardt-family classes:
 *   "bonds": ten Wolde, Ruiz-Montero, Frenkel (JCP 104, 9932, 1996): an atom is solid when at least
 *            xi_c of its neighbors j have d_l(i,j) = Re[q_l(i).q_l(j)*]/(|q_l(i)||q_l(j)|) > d_c.
 *   "qbar":  Lechner & Dellago (JCP 129, 114707, 2008): an atom is solid when qbar_l(i) >= threshold.
 * Both use labels 0 = liquid, 1 = solid. Workspaces live in the state and only grow, so classify()
 * does not allocate once the system size is stable. */
#include "order.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------------
 * Keywords
 * ---------------------------------------------------------------------------------------------- */
#define CFG(m) offsetof(order_steinhardt_config, m)

const sr_keyword order_style_keywords[] = {
    {"style", SR_KW_STRING, 0, "", "bonds", 0, 0, NULL,
     "solid/liquid classifier class (bonds: ten Wolde solid bonds; qbar: Lechner-Dellago qbar_l)"},
    SR_KW_END};

#define COMMON_KEYWORDS                                                                             \
    {"l", SR_KW_INT, CFG(l), "", "6", 1, ORDER_LMAX, NULL, "spherical-harmonic degree l of q_lm"},    \
    {"neighbors", SR_KW_CHOICE, CFG(neighbors), "", "cutoff", 0, 0, ORDER_NEIGH_CHOICES,             \
     "which neighbors enter q_lm: all within cutoff, the N nearest, or SANN (van Meel 2012)"},       \
    {"cutoff", SR_KW_REAL, CFG(cutoff), "length", NULL, 1e-6, 1e6, NULL,                            \
     "neighbor cutoff (cutoff mode) or candidate search radius (nearest, sann); LJ fcc: ~1.5 sigma"}, \
    {"nearest", SR_KW_INT, CFG(nnearest), "", "12", 1, 64, NULL, "N for neighbors = nearest"}

static const sr_keyword bonds_keywords[] = {
    COMMON_KEYWORDS,
    {"bond_threshold", SR_KW_REAL, CFG(bond_threshold), "", "0.5", -1, 1, NULL,
     "d_c: a bond is solid when d_l(i,j) > d_c"},
    {"min_bonds", SR_KW_INT, CFG(min_bonds), "", "7", 0, 64, NULL,
     "xi_c: an atom is solid with at least this many solid bonds"},
    SR_KW_END};

static const sr_keyword qbar_keywords[] = {
    COMMON_KEYWORDS,
    {"threshold", SR_KW_REAL, CFG(qbar_threshold), "", "0.3", 0, 1, NULL,
     "an atom is solid when qbar_l >= threshold (choose it with `seedrate order calibrate`)"},
    SR_KW_END};

/* ------------------------------------------------------------------------------------------------
 * Steinhardt state
 * ---------------------------------------------------------------------------------------------- */
enum { KIND_BONDS = 0, KIND_QBAR = 1 };

typedef struct steinhardt {
    order_steinhardt_config cfg;
    int kind;
    int cap;      /* atoms the workspace holds */
    int *nsel;    /* selected neighbors per atom */
    double *qlm;  /* n * 2(l+1) */
    double *qbar; /* n * 2(l+1) (qbar) */
    int *nbonds;  /* (bonds) */
    double *score;
} steinhardt;

static void steinhardt_destroy(void *state)
{
    steinhardt *st = state;
    if (!st) return;
    free(st->nsel);
    free(st->qlm);
    free(st->qbar);
    free(st->nbonds);
    free(st->score);
    free(st);
}

static int steinhardt_create(void **state, const void *config, int kind)
{
    const order_steinhardt_config *c = config;
    if (!state || !c) return SR_ERROR(SR_EINVAL, "order: NULL classifier config");
    if (c->l < 1 || c->l > ORDER_LMAX)
        return SR_ERROR(SR_ERANGE, "order: l = %d outside 1..%d", c->l, ORDER_LMAX);
    if (!(c->cutoff > 0)) return SR_ERROR(SR_ERANGE, "order: cutoff = %g must be > 0", c->cutoff);
    if (c->neighbors < ORDER_NEIGH_CUTOFF || c->neighbors > ORDER_NEIGH_SANN)
        return SR_ERROR(SR_EINVAL, "order: unknown neighbor mode %d", c->neighbors);
    if (c->neighbors == ORDER_NEIGH_NEAREST && c->nnearest < 1)
        return SR_ERROR(SR_ERANGE, "order: nearest = %d must be >= 1", c->nnearest);
    steinhardt *st = calloc(1, sizeof *st);
    if (!st) return SR_ERROR(SR_ENOMEM, "order: out of memory");
    st->cfg = *c;
    st->kind = kind;
    *state = st;
    return SR_OK;
}

static int bonds_create(void **state, const void *config)
{
    return steinhardt_create(state, config, KIND_BONDS);
}
static int qbar_create(void **state, const void *config)
{
    return steinhardt_create(state, config, KIND_QBAR);
}

static int steinhardt_reserve(steinhardt *st, int n)
{
    if (n <= st->cap) return SR_OK;
    const size_t stride = 2 * (size_t)(st->cfg.l + 1);
    int *nsel = realloc(st->nsel, (size_t)n * sizeof *nsel);
    if (nsel) st->nsel = nsel;
    double *qlm = realloc(st->qlm, (size_t)n * stride * sizeof *qlm);
    if (qlm) st->qlm = qlm;
    double *qbar = realloc(st->qbar, (size_t)n * stride * sizeof *qbar);
    if (qbar) st->qbar = qbar;
    int *nbonds = realloc(st->nbonds, (size_t)n * sizeof *nbonds);
    if (nbonds) st->nbonds = nbonds;
    double *score = realloc(st->score, (size_t)n * sizeof *score);
    if (score) st->score = score;
    if (!nsel || !qlm || !qbar || !nbonds || !score)
        return SR_ERROR(SR_ENOMEM, "order: out of memory for %d atoms", n);
    st->cap = n;
    return SR_OK;
}

static int steinhardt_classify(void *state, const md_system *s, const order_neighbors *nb, int *labels)
{
    steinhardt *st = state;
    if (!st || !nb || !labels) return SR_ERROR(SR_EINVAL, "order: NULL argument to classify");
    if (s && s->n != nb->n)
        return SR_ERROR(SR_EINVAL, "order: neighbor list has %d atoms, the system %d", nb->n, s->n);
    const order_steinhardt_config *c = &st->cfg;
    if (c->neighbors == ORDER_NEIGH_CUTOFF && nb->cutoff < c->cutoff * (1 - 1e-12))
        return SR_ERROR(SR_ERANGE, "order: neighbor list radius %g is below the classifier cutoff %g",
                        nb->cutoff, c->cutoff);
    const int n = nb->n;
    SR_TRY(steinhardt_reserve(st, n));
    SR_TRY(order_neighbors_select(nb, c->neighbors, c->cutoff, c->nnearest, st->nsel));
    SR_TRY(order_qlm_atoms(nb, st->nsel, c->l, st->qlm));
    if (st->kind == KIND_BONDS) {
        SR_TRY(order_solid_bonds(nb, st->nsel, c->l, st->qlm, c->bond_threshold, st->nbonds));
        for (int i = 0; i < n; i++) {
            st->score[i] = st->nbonds[i];
            labels[i] = st->nbonds[i] >= c->min_bonds;
        }
    } else {
        SR_TRY(order_qlm_average(nb, st->nsel, c->l, st->qlm, st->qbar));
        order_ql_atoms(n, c->l, st->qbar, st->score);
        for (int i = 0; i < n; i++) labels[i] = st->score[i] >= c->qbar_threshold;
    }
    return SR_OK;
}

static double steinhardt_cutoff(const void *state) { return ((const steinhardt *)state)->cfg.cutoff; }

static int steinhardt_is_crystalline(const void *state, int label)
{
    (void)state;
    return label > 0;
}

static const char *steinhardt_label_name(const void *state, int label)
{
    (void)state;
    return label == 0 ? "liquid" : label == 1 ? "solid" : "unknown";
}

static const double *steinhardt_score(const void *state, const char **name)
{
    const steinhardt *st = state;
    if (name) {
        static const char *qbar_names[ORDER_LMAX + 1] = {"qbar0", "qbar1", "qbar2", "qbar3", "qbar4",
                                                          "qbar5", "qbar6", "qbar7", "qbar8", "qbar9",
                                                          "qbar10", "qbar11", "qbar12"};
        *name = st->kind == KIND_BONDS ? "solid_bonds" : qbar_names[st->cfg.l];
    }
    return st->score;
}

static void steinhardt_describe(const void *state, FILE *out)
{
    const steinhardt *st = state;
    const order_steinhardt_config *c = &st->cfg;
    static const char *modes[] = {"cutoff", "nearest", "sann"};
    fprintf(out, "classifier %s: l = %d, neighbors = %s", st->kind == KIND_BONDS ? "bonds" : "qbar",
            c->l, modes[c->neighbors]);
    if (c->neighbors == ORDER_NEIGH_NEAREST) fprintf(out, " (N = %d)", c->nnearest);
    fprintf(out, ", %s = %g", c->neighbors == ORDER_NEIGH_CUTOFF ? "cutoff" : "search radius",
            c->cutoff);
    if (st->kind == KIND_BONDS)
        fprintf(out, ", solid bond d_%d > %g, solid atom with >= %d bonds (ten Wolde et al. 1996)\n",
                c->l, c->bond_threshold, c->min_bonds);
    else
        fprintf(out, ", solid atom with qbar_%d >= %g (Lechner & Dellago 2008)\n", c->l,
                c->qbar_threshold);
}

const order_classifier_class order_classifier_bonds = {
    .name = "bonds",
    .doc = "ten Wolde-Ruiz-Montero-Frenkel solid bonds on q_l",
    .keywords = bonds_keywords,
    .config_size = sizeof(order_steinhardt_config),
    .create = bonds_create,
    .classify = steinhardt_classify,
    .cutoff = steinhardt_cutoff,
    .is_crystalline = steinhardt_is_crystalline,
    .label_name = steinhardt_label_name,
    .score = steinhardt_score,
    .describe = steinhardt_describe,
    .destroy = steinhardt_destroy,
};

const order_classifier_class order_classifier_qbar = {
    .name = "qbar",
    .doc = "Lechner-Dellago averaged qbar_l above a threshold",
    .keywords = qbar_keywords,
    .config_size = sizeof(order_steinhardt_config),
    .create = qbar_create,
    .classify = steinhardt_classify,
    .cutoff = steinhardt_cutoff,
    .is_crystalline = steinhardt_is_crystalline,
    .label_name = steinhardt_label_name,
    .score = steinhardt_score,
    .describe = steinhardt_describe,
    .destroy = steinhardt_destroy,
};

/* ------------------------------------------------------------------------------------------------
 * Registry
 * ---------------------------------------------------------------------------------------------- */
#define MAX_EXTRA 16
static const order_classifier_class *builtin[] = {&order_classifier_bonds, &order_classifier_qbar,
                                                   &order_classifier_chillplus};
static const order_classifier_class *extra[MAX_EXTRA];
static int nextra;

const order_classifier_class *order_classifier_find(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++)
        if (strcmp(builtin[i]->name, name) == 0) return builtin[i];
    for (int i = 0; i < nextra; i++)
        if (strcmp(extra[i]->name, name) == 0) return extra[i];
    return NULL;
}

int order_classifier_register(const order_classifier_class *cls)
{
    if (!cls || !cls->name || !cls->create || !cls->classify || !cls->cutoff || !cls->is_crystalline ||
        !cls->destroy)
        return SR_ERROR(SR_EINVAL, "order_classifier_register: incomplete class");
    const order_classifier_class *old = order_classifier_find(cls->name);
    if (old == cls) return SR_OK;
    if (old) return SR_ERROR(SR_EINVAL, "order_classifier_register: '%s' already registered", cls->name);
    if (nextra >= MAX_EXTRA)
        return SR_ERROR(SR_ERANGE, "order_classifier_register: more than %d classes", MAX_EXTRA);
    extra[nextra++] = cls;
    return SR_OK;
}

const char *order_classifier_names(void)
{
    static char buf[512];
    buf[0] = 0;
    for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++) {
        if (i) strcat(buf, "|");
        strcat(buf, builtin[i]->name);
    }
    for (int i = 0; i < nextra; i++)
        if (strlen(buf) + strlen(extra[i]->name) + 2 < sizeof buf) {
            strcat(buf, "|");
            strcat(buf, extra[i]->name);
        }
    return buf;
}

int order_config_defaults(const order_classifier_class *cls, void *config)
{
    if (!cls || !config) return SR_ERROR(SR_EINVAL, "order_config_defaults: NULL argument");
    memset(config, 0, cls->config_size);
    return cls->keywords ? sr_keywords_defaults(cls->keywords, config) : SR_OK;
}

int order_classifier_create(const order_classifier_class *cls, const void *config,
                            order_classifier **out)
{
    if (!cls || !out) return SR_ERROR(SR_EINVAL, "order_classifier_create: NULL argument");
    *out = NULL;
    order_classifier *c = calloc(1, sizeof *c);
    if (!c) return SR_ERROR(SR_ENOMEM, "order_classifier_create: out of memory");
    c->cls = cls;
    int rc = cls->create(&c->state, config);
    if (rc) {
        free(c);
        return rc;
    }
    *out = c;
    return SR_OK;
}

void order_classifier_free(order_classifier *c)
{
    if (!c) return;
    if (c->cls && c->state) c->cls->destroy(c->state);
    free(c);
}

int order_classifier_from_section(sr_section *sec, order_classifier **out, sr_errlist *el)
{
    if (!out || !el) return SR_ERROR(SR_EINVAL, "order_classifier_from_section: NULL argument");
    *out = NULL;
    const int nerr0 = el->n;
    char style[SR_KW_STRLEN] = {0};
    sr_section_bind(sec, order_style_keywords, style, el, "order");
    const order_classifier_class *cls = order_classifier_find(style);
    if (!cls) {
        int line = 0;
        if (sec)
            for (int i = 0; i < sec->n; i++)
                if (strcmp(sec->entries[i].key, "style") == 0) line = sec->entries[i].line;
        sr_errlist_add(el, "%s:%d: [order] style = '%s': expected one of %s",
                       sec && sec->file ? sec->file : "<input>", line, style, order_classifier_names());
        return sr_errlist_status(el);
    }
    void *config = calloc(1, cls->config_size ? cls->config_size : 1);
    if (!config) return SR_ERROR(SR_ENOMEM, "order: out of memory");
    if (cls->keywords) sr_section_bind(sec, cls->keywords, config, el, "order");
    if (sec) sr_section_check_unused(sec, el);
    int rc = SR_OK;
    if (el->n > nerr0) {
        rc = SR_EINVAL;
        SR_ERROR(rc, "%s", el->msg[nerr0]);
    } else {
        rc = order_classifier_create(cls, config, out);
        if (rc) sr_errlist_add(el, "[order] style %s: %s", cls->name, sr_error_message());
    }
    free(config);
    return rc;
}

int order_classify(order_classifier *c, const md_system *s, const order_neighbors *nb, int *labels)
{
    if (!c) return SR_ERROR(SR_EINVAL, "order_classify: NULL classifier");
    return c->cls->classify(c->state, s, nb, labels);
}

double order_classifier_cutoff(const order_classifier *c) { return c->cls->cutoff(c->state); }

void order_classifier_mask(const order_classifier *c, int n, const int *labels, unsigned char *mask)
{
    for (int i = 0; i < n; i++) mask[i] = (unsigned char)(c->cls->is_crystalline(c->state, labels[i]) != 0);
}
