/* ml_simd.h - private to src/ml: one portable binary with AVX2 and AVX-512 copies of the network potential's
 * hot loops. ML_CLONES on a function makes GCC emit a baseline, an AVX2 and an AVX-512 copy and pick one when
 * the program is loaded (target_clones, an ifunc). The loops keep their operation order in every copy (no
 * reassociation, no contraction into FMA under -std=c11; reductions are written as 8 explicit lanes summed in
 * a fixed order), so every copy gives the same bits. Other compilers and architectures: the baseline only. */
#ifndef ML_SIMD_H
#define ML_SIMD_H

#include <stdint.h> /* (defines __GLIBC__ on glibc systems) */

/* target_clones needs ifunc, i.e. GNU/Linux with glibc */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__) && defined(__GLIBC__) && \
    defined(__has_attribute)
#if __has_attribute(target_clones)
#define ML_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef ML_CLONES
#define ML_CLONES
#endif
/* helpers of ML_CLONES functions must be inlined into each copy: one GCC leaves out of line is built for the
 * baseline only (no AVX-512 inside) */
#if defined(__GNUC__)
#define ML_INLINE static inline __attribute__((always_inline))
#else
#define ML_INLINE static inline
#endif

#include "../common/sr_vecmath.h" /* sr_exp, sr_bits, sr_nan_through */

/* the cosine cutoff f_c(r) = [cos(pi r / rc) + 1]/2 = sin^2(t), t = pi (rc - r) / (2 rc) in [0, pi/2], and
 * df_c/dr = -(pi / rc) sin t cos t; 0 and 0 for r >= rc (r >= 0), NaN for NaN. sin t and cos t by their Taylor series to
 * t^21 and t^22 (remainders < 2e-18 at pi/2). */
static inline void ml_cutoff(double r, double rc, double *fc, double *dfc)
{
    const double pi = 3.14159265358979323846, a = pi / rc;
    const double t = 0.5 * a * (rc - r), t2 = t * t;
    double s = 1.0 / 51090942171709440000.0; /* 1/21! */
    s = -1.0 / 121645100408832000.0 + t2 * s;
    s = 1.0 / 355687428096000.0 + t2 * s;
    s = -1.0 / 1307674368000.0 + t2 * s;
    s = 1.0 / 6227020800.0 + t2 * s;
    s = -1.0 / 39916800.0 + t2 * s;
    s = 1.0 / 362880.0 + t2 * s;
    s = -1.0 / 5040.0 + t2 * s;
    s = 1.0 / 120.0 + t2 * s;
    s = -1.0 / 6.0 + t2 * s;
    s = t + t * (t2 * s); /* sin t */
    double c = -1.0 / 1124000727777607680000.0; /* -1/22! */
    c = 1.0 / 2432902008176640000.0 + t2 * c;
    c = -1.0 / 6402373705728000.0 + t2 * c;
    c = 1.0 / 20922789888000.0 + t2 * c;
    c = -1.0 / 87178291200.0 + t2 * c;
    c = 1.0 / 479001600.0 + t2 * c;
    c = -1.0 / 3628800.0 + t2 * c;
    c = 1.0 / 40320.0 + t2 * c;
    c = -1.0 / 720.0 + t2 * c;
    c = 1.0 / 24.0 + t2 * c;
    c = -0.5 + t2 * c;
    c = 1.0 + t2 * c; /* cos t */
    const uint64_t rb = sr_bits(r), inside = (uint64_t)0 - (uint64_t)(rb < sr_bits(rc)); /* r, rc >= 0 */
    *fc = sr_from_bits(sr_nan_through(sr_bits(s * s) & inside, rb)); /* NaN in, NaN out: it must reach E */
    *dfc = sr_from_bits(sr_nan_through(sr_bits(-a * s * c) & inside, rb));
}

#endif
