/* Shared helpers for md tests: random dense LJ configurations. */
#ifndef MD_TESTUTIL_H
#define MD_TESTUTIL_H

#include <math.h>

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

#endif
