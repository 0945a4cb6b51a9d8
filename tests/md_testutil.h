/* Shared helpers for md tests: random dense LJ configurations; one force evaluation kept for comparison (needs
 * cmocka.h included before this header, as every md test does). */
#ifndef MD_TESTUTIL_H
#define MD_TESTUTIL_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "md/md.h"
#include "common/sr_rng.h"

/* fcc lattice at density rho, displaced randomly by up to `jitter` (per coordinate), shuffled ids. */
static inline md_system *tu_jittered_fcc(int nc, double rho, double jitter, unsigned long seed)
{
    md_system *s = NULL;
    if (md_lattice_build(MD_LATTICE_FCC, md_lattice_nn_for_density(MD_LATTICE_FCC, rho), nc, nc, nc,
                         MD_UNITS_LJ, &s))
        return NULL;
    gsl_rng *r = sr_rng_create(seed, 0, SR_RNG_STRUCTURE);
    for (int i = 0; i < 3 * s->n; i++) s->x[i] += jitter * (2.0 * gsl_rng_uniform(r) - 1.0);
    gsl_rng_free(r);
    return s;
}

/* The forces of the locals, per-atom energies (locals and ghosts), energy and virial of one md_compute. */
typedef struct tu_eval {
    double *f, *eatom;
    double energy, virial[6];
} tu_eval;

static inline void tu_evaluate(md_potential *p, md_system *s, md_nlist *nl, unsigned want, tu_eval *out)
{
    const int rows = s->n + s->nghost;
    md_result r = {0};
    r.eatom = calloc((size_t)rows, sizeof(double));
    assert_non_null(r.eatom);
    assert_int_equal(md_compute(p, s, nl, want, &r), 0);
    out->f = malloc(3 * (size_t)s->n * sizeof(double));
    assert_non_null(out->f);
    memcpy(out->f, s->f, 3 * (size_t)s->n * sizeof(double));
    out->eatom = r.eatom;
    out->energy = r.energy;
    memcpy(out->virial, r.virial, sizeof r.virial);
}

static inline void tu_eval_free(tu_eval *e)
{
    free(e->f);
    free(e->eatom);
}

/* max |a[i]| (NaN entries are skipped) */
static inline double tu_max_abs(const double *a, int n)
{
    double m = 0.0;
    for (int i = 0; i < n; i++) m = fabs(a[i]) > m ? fabs(a[i]) : m;
    return m;
}

#endif
