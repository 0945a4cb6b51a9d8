/* test_ml_util.h - shared fixtures of the ml tests: random periodic frames and small random models. */
#ifndef TEST_ML_UTIL_H
#define TEST_ML_UTIL_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "common/sr_rng.h"
#include "ml/ml.h"

/* n atoms of 2 elements at random in an orthorhombic box, no pair closer than dmin (minimum image) */
static inline void tml_random_frame(gsl_rng *r, int n, const double box[3], double dmin, ml_frame *fr)
{
    memset(fr, 0, sizeof *fr); /* no reference virial */
    fr->n = n;
    fr->type = malloc(sizeof(int) * (size_t)n);
    fr->x = malloc(sizeof(double) * 3 * (size_t)n);
    fr->force = NULL;
    fr->energy = NAN;
    memcpy(fr->box, box, sizeof(double) * 3);
    for (int i = 0; i < n; i++) {
        fr->type[i] = i % 3 == 0 ? 0 : 1;
        for (int tries = 0;; tries++) {
            for (int q = 0; q < 3; q++) fr->x[3 * i + q] = box[q] * gsl_rng_uniform(r);
            int ok = 1;
            for (int j = 0; j < i && ok; j++) {
                double d2 = 0;
                for (int q = 0; q < 3; q++) {
                    double d = fr->x[3 * j + q] - fr->x[3 * i + q];
                    d -= box[q] * nearbyint(d / box[q]);
                    d2 += d * d;
                }
                ok = d2 > dmin * dmin;
            }
            if (ok || tries > 10000) break;
        }
    }
}

static inline void tml_frame_free(ml_frame *fr)
{
    free(fr->type);
    free(fr->x);
    free(fr->force);
}

/* a 2-element model (O, H) with small nets, random weights and a random but plausible normalisation;
 * angular exponents zeta = 1 and zeta_high */
static inline ml_model *tml_random_model_z(gsl_rng *r, int angular_kind, int activation, double rc, double zeta_high)
{
    static const char *const names[2] = {"O", "H"};
    const double eta_a[2] = {0.05, 0.4}, zeta[2] = {1, zeta_high};
    ml_sf_params sf;
    if (ml_sf_generate(2, rc, rc - 0.4, 5, 0.6, angular_kind, 2, eta_a, 2, zeta, &sf)) return NULL;
    const int hidden[2] = {9, 7};
    ml_model *m = ml_model_create(2, names, &sf, 2, hidden, activation);
    if (!m) return NULL;
    for (int e = 0; e < 2; e++) ml_net_init(m->net[e], r);
    /* a plausible scale of the features (G2 ~ a few, G5 ~ 0.1-1) */
    for (int k = 0; k < 2 * m->nf; k++) {
        m->g_mean[k] = 0.3 + 0.1 * gsl_rng_uniform(r);
        m->g_std[k] = 0.5 + gsl_rng_uniform(r);
    }
    m->e_ref[0] = -2.385;
    m->e_ref[1] = -0.731;
    return m;
}

/* the same with zeta = 1, 4 */
static inline ml_model *tml_random_model(gsl_rng *r, int angular_kind, int activation, double rc)
{
    return tml_random_model_z(r, angular_kind, activation, rc, 4);
}

#endif
