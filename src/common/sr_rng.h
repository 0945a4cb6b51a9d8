/* sr_rng.h - reproducible random streams.
 * Every stream is derived from (campaign seed, replica index, purpose) by a SplitMix64 hash, so the
 * same input gives the same numbers on any number of MPI ranks, and streams never overlap by design. */
#ifndef SR_RNG_H
#define SR_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

/* Purposes: one named stream per use, so adding a new use never shifts an old one. */
enum sr_rng_purpose {
    SR_RNG_VELOCITIES = 1,
    SR_RNG_THERMOSTAT = 2,
    SR_RNG_BAROSTAT = 3,
    SR_RNG_STRUCTURE = 4, /* liquid builder, seed placement */
    SR_RNG_BOOTSTRAP = 5,
    SR_RNG_KMC = 6,
    SR_RNG_TRAINING = 7,
    SR_RNG_USER = 100
};

uint64_t sr_splitmix64(uint64_t *state);
uint64_t sr_seed_mix(uint64_t campaign_seed, uint64_t replica, uint64_t purpose);
/* A gsl_rng (mt19937) seeded from the mixed seed; NULL on allocation failure. Free with gsl_rng_free. */
gsl_rng *sr_rng_create(uint64_t campaign_seed, uint64_t replica, uint64_t purpose);

#endif
