/* sr_vecmath.h - exp for loops that must vectorise (the network potential's kernels, src/ml; the
 * Stillinger-Weber legs, src/md).
 *
 * libm's exp is a call per element, so a loop that calls it stays scalar. These are inline and branch-free:
 * only integer operations on the bits decide (a floating-point compare in a loop keeps GCC from vectorising it
 * under the default -ftrapping-math), so the loops over neighbours, functions and neurons that use them
 * vectorise. Every integer is a 64-bit lane (no 32-bit k, no unsigned compare: AVX2 has signed 64-bit compares
 * only), so GCC vectorises them at the loop's full width, 4-lane loops included. Accuracy: a few ulp of libm's
 * (tests/test_ml_simd.c). The same function in every copy of a loop (baseline, AVX2, AVX-512) gives the same
 * bits in each. The polynomial costs more per element than glibc's table-driven exp: it pays only in loops that
 * vectorise (a scalar copy in the Stillinger-Weber legs was slower than libm; vectorised, mW MD 14 % faster). */
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

/* all ones when a > b, else zero, for bit patterns below 2^63 (|x| as integers): a signed 64-bit compare, which
 * AVX2 has (it has no unsigned one) */
static inline uint64_t sr_mask_gt(uint64_t a, uint64_t b) { return (uint64_t)0 - (uint64_t)((int64_t)a > (int64_t)b); }

/* the bits of a result, or those of the argument when the argument is NaN (NaN in, the same NaN out) */
static inline uint64_t sr_nan_through(uint64_t result, uint64_t arg)
{
    const uint64_t nan_mask = sr_mask_gt(arg & 0x7fffffffffffffffu, 0x7ff0000000000000u);
    return result ^ ((result ^ arg) & nan_mask);
}

/* x = k ln2 + r, |r| <= ln2/2, for |x| <= 708 (Cody-Waite: ln2 split as in fdlibm, the high part with trailing
 * zero bits so that k ln2_hi is exact); returns 2^k. k, the nearest integer to x/ln2, comes from the "shifter":
 * t = x/ln2 + 1.5 2^52 holds k in its low bits, so (bits(t) + 1023) << 52 is the exponent field of 2^k (the
 * shift drops the shifter's own bits). */
static inline double sr_reduce_ln2(double x, double *r)
{
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    const double inv_ln2 = 1.44269504088896338700e+00, shifter = 0x1.8p52;
    const double t = x * inv_ln2 + shifter, k = t - shifter;
    *r = (x - k * ln2_hi) - k * ln2_lo;
    return sr_from_bits((sr_bits(t) + 1023u) << 52);
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

/* the smaller of two bit patterns below 2^63 (|x| as integers) */
static inline uint64_t sr_min_abs_bits(uint64_t a, uint64_t b)
{
    const uint64_t over = sr_mask_gt(a, b);
    return (a & ~over) | (b & over);
}

/* exp(x) for x <= 708 (the kernels' arguments are <= 0): 2^k (1 + expm1(r)); x < -708 gives 0
 * (exp(-708) = 3e-308, and -inf gives 0), NaN gives NaN */
static inline double sr_exp(double x)
{
    const uint64_t xb = sr_bits(x), sign = xb & 0x8000000000000000u, ab = xb ^ sign;
    const uint64_t cap = 0x4086200000000000u; /* 708.0 */
    double r;
    const double scale = sr_reduce_ln2(sr_from_bits(sr_min_abs_bits(ab, cap) | sign), &r);
    const uint64_t eb = sr_bits(scale + scale * sr_expm1_reduced(r));
    const uint64_t under = ((uint64_t)0 - (sign >> 63)) & sr_mask_gt(ab, cap); /* x < -708 (or -NaN) */
    return sr_from_bits(sr_nan_through(eb & ~under, xb));
}

#endif
