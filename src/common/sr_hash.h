/* sr_hash.h - FNV-1a, 64 bit (Fowler, Noll & Vo): the one non-cryptographic hash of the project
 * (checkpoint checksums, campaign signatures, the completeness checksum of netCDF result files). */
#ifndef SR_HASH_H
#define SR_HASH_H

#include <stddef.h>
#include <stdint.h>

#define SR_FNV1A64_INIT 0xcbf29ce484222325ull

/* h updated with n bytes of p; start from SR_FNV1A64_INIT. */
static inline uint64_t sr_fnv1a64(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = (const unsigned char *)p;
    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

#endif
