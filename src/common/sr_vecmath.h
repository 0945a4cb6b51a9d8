/* sr_vecmath.h - exp for loops that must vectorise (the network potential's kernels, src/ml).
 *
 * libm's exp is a call per element, so a loop that calls it stays scalar. These are inline and branch-free:
 * only integer operations on the bits decide (a floating-point compare in a loop keeps GCC from vectorising it
 * under the default -ftrapping-math), so the loops over neighbours, functions and neurons that use them
 * vectorise. Accuracy: a few ulp of libm's (tests/test_ml_simd.c). The same function in every copy of a loop
 * (baseline, AVX2, AVX-512) gives the same bits in each. The polynomial costs more per element than glibc's
 * table-driven exp: it pays only in wide loops. Tried in the Stillinger-Weber legs loop (with -fno-math-errno
 * for sqrt): mW MD 8 % slower in blocks of 4 legs, 1 % slower in blocks of 8, so md keeps libm's exp (2026-12-07). */
#ifndef SR_VECMATH_H
#define SR_VECMATH_H

#include <stdint.h>
#include <string.h>

static inline uint64_t sr_bits(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static inline double sr_from_bits(uint64_t b)
{
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* the bits of a result, or those of the argument when the argument is NaN (NaN in, the same NaN out) */
static inline uint64_t sr_nan_through(uint64_t result, uint64_t arg)
{
    const uint64_t nan_mask = (uint64_t)0 - (uint64_t)((arg & 0x7fffffffffffffffu) > 0x7ff0000000000000u);
    return result ^ ((result ^ arg) & nan_mask);
}

/* x = k ln2 + r, |r| <= ln2/2, for |x| <= 708 (Cody-Waite: ln2 split as in fdlibm, the high part with trailing
 * zero bits so that k ln2_hi is exact); returns k */
static inline int sr_reduce_ln2(double x, double *r)
{
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    const double inv_ln2 = 1.44269504088896338700e+00;
    const int k = (int)(x * inv_ln2 + 1024.5) - 1024; /* nearest integer (the truncated argument is positive) */
    *r = (x - k * ln2_hi) - k * ln2_lo;
    return k;
}

/* expm1(r) for |r| <= ln2/2: the Taylor series to r^13 (remainder < 2e-17 relative) */
static inline double sr_expm1_reduced(double r)
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
static inline double sr_pow2i(int k) { return sr_from_bits((uint64_t)(k + 1023) << 52); }

/* exp(x) for x <= 708 (the kernels' arguments are <= 0): 2^k (1 + expm1(r)); x < -708 gives 0
 * (exp(-708) = 3e-308, and -inf gives 0), NaN gives NaN */
static inline double sr_exp(double x)
{
    const uint64_t xb = sr_bits(x), sign = xb & 0x8000000000000000u, ab = xb ^ sign;
    const uint64_t cap = 0x4086200000000000u; /* 708.0 */
    const uint64_t cb = ab < cap ? ab : cap;
    double r;
    const int k = sr_reduce_ln2(sr_from_bits(cb | sign), &r);
    const double scale = sr_pow2i(k);
    const uint64_t eb = sr_bits(scale + scale * sr_expm1_reduced(r));
    const uint64_t under = (uint64_t)0 - (uint64_t)((sign != 0) & (ab > cap));
    return sr_from_bits(sr_nan_through(eb & ~under, xb));
}

#endif
