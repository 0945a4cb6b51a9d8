/* Potential registry and the generic force driver (zero, evaluate, virial by f.r, fold ghosts, check). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "md.h"

#define MAX_STYLES 32
static const md_potential_class *registry[MAX_STYLES] = {&md_potential_lj, &md_potential_sw, &md_potential_lammps};
static int nregistry = 3;

int md_potential_register(const md_potential_class *cls)
{
    for (int i = 0; i < nregistry; i++)
        if (strcmp(registry[i]->name, cls->name) == 0) return SR_OK; /* idempotent */
    if (nregistry == MAX_STYLES) return SR_ERROR(SR_ERANGE, "too many potential styles");
    registry[nregistry++] = cls;
    return SR_OK;
}

const md_potential_class *md_potential_find(const char *name)
{
    for (int i = 0; i < nregistry; i++)
        if (strcmp(registry[i]->name, name) == 0) return registry[i];
    return NULL;
}

typedef struct style_cfg {
    char style[SR_KW_STRLEN];
    int threads;
} style_cfg;

static const sr_keyword style_keywords[] = {
    {"style", SR_KW_STRING, offsetof(style_cfg, style), "", NULL, 0, 0, NULL,
     "potential style: lj, sw, nn, lammps (see `seedrate help potential`)"},
    {"threads", SR_KW_INT, offsetof(style_cfg, threads), "", "0", 0, MD_MAX_THREADS, NULL,
     "OpenMP threads of the force loop in each process (replica): 0 = OMP_NUM_THREADS if set, else 1. Results are "
     "reproducible for a fixed count and differ between counts by rounding (lj, sw, nn; others: 1)"},
    SR_KW_END};

int md_potential_from_section(sr_section *sec, const md_system *s, const char *basedir,
                              md_potential **out, sr_errlist *el)
{
    *out = NULL;
    style_cfg sc;
    if (sr_section_bind(sec, style_keywords, &sc, el, "potential")) return SR_EINVAL;
    const md_potential_class *cls = md_potential_find(sc.style);
    if (!cls) {
        char list[256] = "";
        for (int i = 0; i < nregistry; i++) {
            strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
            strncat(list, registry[i]->name, sizeof list - strlen(list) - 1);
        }
        int line = 0;
        for (int i = 0; sec && i < sec->n; i++)
            if (strcmp(sec->entries[i].key, "style") == 0) line = sec->entries[i].line;
        sr_errlist_add(el, "%s:%d: [potential] style = '%s' is unknown (expected one of: %s)",
                       sec && sec->file ? sec->file : "<input>", line, sc.style, list);
        return SR_EINVAL;
    }
    void *cfg = calloc(1, cls->config_size ? cls->config_size : 1);
    if (!cfg) return SR_ERROR(SR_ENOMEM, "out of memory");
    int bad = sr_section_bind(sec, cls->keywords, cfg, el, "potential");
    if (bad) {
        free(cfg);
        return SR_EINVAL;
    }
    void *state = NULL;
    int rc = cls->create(&state, cfg, s, basedir);
    free(cfg);
    if (rc) {
        sr_errlist_add(el, "%s", sr_error_message());
        return rc;
    }
    rc = md_potential_wrap(cls, state, out);
    if (rc) {
        cls->destroy(state);
        return rc;
    }
    rc = md_potential_set_threads(*out, sc.threads);
    if (rc) {
        int line = sec ? sec->line : 0;
        for (int i = 0; sec && i < sec->n; i++)
            if (strcmp(sec->entries[i].key, "threads") == 0) line = sec->entries[i].line;
        sr_errlist_add(el, "%s:%d: [potential] %s", sec && sec->file ? sec->file : "<input>", line, sr_error_message());
        md_potential_free(*out);
        *out = NULL;
    }
    return rc;
}

int md_potential_wrap(const md_potential_class *cls, void *state, md_potential **out)
{
    md_potential *p = calloc(1, sizeof *p);
    if (!p) return SR_ERROR(SR_ENOMEM, "out of memory");
    p->cls = cls;
    p->state = state;
    p->threads = 1;
    *out = p;
    return SR_OK;
}

void md_potential_free(md_potential *p)
{
    if (!p) return;
    if (p->cls && p->cls->destroy) p->cls->destroy(p->state);
    free(p);
}

double md_potential_cutoff(const md_potential *p)
{
    return p->cls->cutoff(p->state);
}

int md_potential_uncertainty(const md_potential *p, md_uncertainty *u)
{
    memset(u, 0, sizeof *u);
    if (p && p->cls->uncertainty && p->cls->uncertainty(p->state, u)) return 1;
    memset(u, 0, sizeof *u);
    u->force_dev_max = u->force_dev_mean = u->energy_dev = NAN;
    return 0;
}

int md_compute(md_potential *p, md_system *s, md_nlist *nl, unsigned want, md_result *r)
{
    const int ntot = s->n + s->nghost;
    memset(s->f, 0, 3 * (size_t)ntot * sizeof(double));
    r->energy = 0.0;
    for (int k = 0; k < 6; k++) r->virial[k] = 0.0;
    if ((want & MD_WANT_EATOM) && r->eatom) memset(r->eatom, 0, (size_t)ntot * sizeof(double));
    SR_TRY(p->cls->compute(p->state, s, nl, want, r));
    if ((want & MD_WANT_VIRIAL) && !p->cls->own_virial) {
        /* W_ab = sum over locals and ghosts of x_a f_b: equals sum over interactions of r_ij f_ij */
        double w[6] = {0, 0, 0, 0, 0, 0};
        const double *x = s->x, *f = s->f;
        for (int i = 0; i < ntot; i++) {
            w[0] += x[3 * i] * f[3 * i];
            w[1] += x[3 * i + 1] * f[3 * i + 1];
            w[2] += x[3 * i + 2] * f[3 * i + 2];
            w[3] += x[3 * i] * f[3 * i + 1];
            w[4] += x[3 * i] * f[3 * i + 2];
            w[5] += x[3 * i + 1] * f[3 * i + 2];
        }
        for (int k = 0; k < 6; k++) r->virial[k] = w[k];
    }
    md_ghosts_fold_forces(s);
    if ((want & MD_WANT_EATOM) && r->eatom)
        for (int g = 0; g < s->nghost; g++) r->eatom[s->ghost_owner[g]] += r->eatom[s->n + g];
    if ((want & MD_WANT_ENERGY) && !isfinite(r->energy))
        return SR_ERROR(SR_ENUMERIC, "potential energy is %g at step %ld (atoms overlapping or exploding)",
                        r->energy, s->step);
    if (want & MD_WANT_FORCE) {
        for (int i = 0; i < s->n; i++) {
            const double *fi = &s->f[3 * i];
            if (!isfinite(fi[0] + fi[1] + fi[2]))
                return SR_ERROR(SR_ENUMERIC,
                                "force on atom %lld is not finite at step %ld (position %g %g %g): "
                                "atoms overlapping or the run exploded",
                                (long long)s->id[i], s->step, s->x[3 * i], s->x[3 * i + 1], s->x[3 * i + 2]);
        }
    }
    return SR_OK;
}
