/* md_simd.h - private to src/md: instruction-set targets for the vectorised force loops (md_kernel).
 * A loop is written once as an always_inline function and instantiated in functions carrying these target
 * attributes (GCC/Clang function-level targets), so one portable binary holds AVX2 and AVX-512 code and
 * md_kernel_resolve picks by __builtin_cpu_supports. Other compilers/architectures: only the baseline copy. */
#ifndef MD_SIMD_H
#define MD_SIMD_H

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MD_SIMD_X86 1
#define MD_TARGET_AVX2 __attribute__((target("avx2,fma")))
#if defined(__clang__) /* Clang ignores the whole attribute when it names prefer-vector-width */
#define MD_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma")))
#else
#define MD_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma,prefer-vector-width=512")))
#endif
#else
#define MD_SIMD_X86 0
#endif

#endif
