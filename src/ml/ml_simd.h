/* ml_simd.h - private to src/ml: one portable binary with AVX2 and AVX-512 copies of the network potential's
 * hot loops. ML_CLONES on a function makes GCC emit a baseline, an AVX2 and an AVX-512 copy and pick one when
 * the program is loaded (target_clones, an ifunc). The loops keep their operation order in every copy (no
 * reassociation, no contraction into FMA under -std=c11; reductions are written as 8 explicit lanes summed in
 * a fixed order), so every copy gives the same bits. Other compilers and architectures: the baseline only. */
#ifndef ML_SIMD_H
#define ML_SIMD_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define ML_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
#ifndef ML_CLONES
#define ML_CLONES
#endif

#include <stdint.h>
#include <string.h>

/* Branch-free exp and cosine cutoff (inline, so that loops over neighbours or functions calling them
 * vectorise; libm's are a call per element). Only integer operations decide (a floating-point compare in a
 * loop keeps GCC from vectorising it under the default -ftrapping-math). Accuracy: a few ulp (test_ml_net). */
static inline uint64_t ml_bits(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static inline double ml_from_bits(uint64_t b)
{
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* x = k ln2 + r, |r| <= ln2/2, for |x| <= 708 (Cody-Waite: ln2 split as in fdlibm, the high part with trailing
 * zero bits so that k ln2_hi is exact); returns k */
static inline int ml_reduce_ln2(double x, double *r)
{
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    const double inv_ln2 = 1.44269504088896338700e+00;
    const int k = (int)(x * inv_ln2 + 1024.5) - 1024; /* nearest integer (the truncated argument is positive) */
    *r = (x - k * ln2_hi) - k * ln2_lo;
    return k;
}

/* expm1(r) for |r| <= ln2/2: the Taylor series to r^13 (remainder < 2e-17 relative) */
static inline double ml_expm1_reduced(double r)
{
    double p = 1.0 / 6227020800.0;
    p = 1.0 / 479001600.0 + r * p;
    p = 1.0 / 39916800.0 + r * p;
    p = 1.0 / 3628800.0 + r * p;
    p = 1.0 / 362880.0 + r * p;
    p = 1.0 / 40320.0 + r * p;
    p = 1.0 / 5040.0 + r * p;
    p = 1.0 / 720.0 + r * p;
    p = 1.0 / 120.0 + r * p;
    p = 1.0 / 24.0 + r * p;
    p = 1.0 / 6.0 + r * p;
    p = 0.5 + r * p;
    return r + r * (r * p);
}

/* 2^k, -1022 <= k <= 1023, from the exponent bits */
static inline double ml_pow2i(int k) { return ml_from_bits((uint64_t)(k + 1023) << 52); }

/* exp(x) for x <= 708 (every use here has x <= 0): 2^k (1 + expm1(r)); x < -708 gives 0 (exp(-708) = 3e-308),
 * NaN gives NaN */
static inline double ml_exp(double x)
{
    const uint64_t xb = ml_bits(x), sign = xb & 0x8000000000000000u, ab = xb ^ sign;
    const uint64_t cap = 0x4086200000000000u; /* 708.0 */
    const uint64_t cb = ab < cap ? ab : cap;
    double r;
    const int k = ml_reduce_ln2(ml_from_bits(cb | sign), &r);
    const double scale = ml_pow2i(k);
    const uint64_t eb = ml_bits(scale + scale * ml_expm1_reduced(r));
    const uint64_t under = (uint64_t)0 - (uint64_t)((sign != 0) & (ab > cap));
    const uint64_t nan_mask = (uint64_t)0 - (uint64_t)(ab > 0x7ff0000000000000u);
    const uint64_t rb = eb & ~under;
    return ml_from_bits(rb ^ ((rb ^ xb) & nan_mask));
}

/* the cosine cutoff f_c(r) = [cos(pi r / rc) + 1]/2 = sin^2(t), t = pi (rc - r) / (2 rc) in [0, pi/2], and
 * df_c/dr = -(pi / rc) sin t cos t; 0 and 0 for r >= rc (r >= 0). sin t and cos t by their Taylor series to
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
    const uint64_t inside = (uint64_t)0 - (uint64_t)(ml_bits(r) < ml_bits(rc)); /* r, rc >= 0 */
    *fc = ml_from_bits(ml_bits(s * s) & inside);
    *dfc = ml_from_bits(ml_bits(-a * s * c) & inside);
}

#endif
