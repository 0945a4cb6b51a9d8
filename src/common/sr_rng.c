#include "sr_rng.h"

uint64_t sr_splitmix64(uint64_t *state)
{
    /* Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014. */
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t sr_seed_mix(uint64_t campaign_seed, uint64_t replica, uint64_t purpose)
{
    uint64_t s = campaign_seed;
    uint64_t a = sr_splitmix64(&s);
    s = a ^ (replica * 0xD1B54A32D192ED03ull);
    uint64_t b = sr_splitmix64(&s);
    s = b ^ (purpose * 0x8CB92BA72F3D8DD7ull);
    return sr_splitmix64(&s);
}

gsl_rng *sr_rng_create(uint64_t campaign_seed, uint64_t replica, uint64_t purpose)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r) return NULL;
    uint64_t s = sr_seed_mix(campaign_seed, replica, purpose);
    unsigned long seed = (unsigned long)(s ^ (s >> 32));
    if (seed == 0) seed = 4357; /* mt19937 treats 0 specially */
    gsl_rng_set(r, seed);
    return r;
}
