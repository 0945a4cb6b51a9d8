/* md_lj_kernel.h - private to src/md: the Lennard-Jones pair physics, written once for the CPU force loops
 * (md_lj.c: scalar reference and vectorised variants) and the CUDA batch kernels (md_cuda_kernels.cu, through
 * md_cuda_kernel.h), as HOOMD's evaluator headers (shared/STYLE.md section 4).
 *
 * E(r) = 4 eps [(sig/r)^12 - (sig/r)^6] - E_shift, as LAMMPS pair_style lj/cut (+ pair_modify shift yes).
 * Per type pair a, b the coefficients are lj1 = 48 eps sig^12, lj2 = 24 eps sig^6 (force), lj3 = 4 eps sig^12,
 * lj4 = 4 eps sig^6 (energy), offset = E(rc) when shifted, with eps = sqrt(eps_a eps_b) and sig = sqrt(sig_a
 * sig_b) (geometric, LAMMPS's default) or (sig_a + sig_b)/2 (arithmetic, Lorentz-Berthelot).
 *
 * MD_HOSTDEVICE marks a function that nvcc compiles for both host and device and a C compiler as a plain
 * always-inlined static function: the same source line gives the CPU loops and the GPU kernels their
 * arithmetic. (Later families - SW, the network - use the same macro.) */
#ifndef MD_LJ_KERNEL_H
#define MD_LJ_KERNEL_H

#include <math.h>

#ifndef MD_HOSTDEVICE
#if defined(__CUDACC__)
#define MD_HOSTDEVICE static __host__ __device__ __forceinline__
#elif defined(__GNUC__) || defined(__clang__)
#define MD_HOSTDEVICE static inline __attribute__((always_inline))
#else
#define MD_HOSTDEVICE static inline
#endif
#endif

/* Coefficients of one type pair (a flattened [a*nt+b] table of these is what every LJ loop reads). */
typedef struct md_lj_coeff {
    double cutsq;  /* rc^2 */
    double lj1;    /* 48 eps sig^12 */
    double lj2;    /* 24 eps sig^6 */
    double lj3;    /* 4 eps sig^12 */
    double lj4;    /* 4 eps sig^6 */
    double offset; /* E(rc) when shifted, else 0 */
} md_lj_coeff;

/* The coefficients of the pair (eps_a, sig_a), (eps_b, sig_b); mixing 0 geometric, 1 arithmetic. */
MD_HOSTDEVICE md_lj_coeff md_lj_pair_coeff(double eps_a, double sig_a, double eps_b, double sig_b, double cutoff,
                                           int shift, int mixing)
{
    md_lj_coeff c;
    const double eps = sqrt(eps_a * eps_b);
    const double sig = mixing ? 0.5 * (sig_a + sig_b) : sqrt(sig_a * sig_b);
    const double s6 = pow(sig, 6.0), s12 = s6 * s6;
    c.cutsq = cutoff * cutoff;
    c.lj1 = 48.0 * eps * s12;
    c.lj2 = 24.0 * eps * s6;
    c.lj3 = 4.0 * eps * s12;
    c.lj4 = 4.0 * eps * s6;
    const double rc6 = pow(cutoff, 6.0);
    c.offset = shift ? 4.0 * eps * (s12 / (rc6 * rc6) - s6 / rc6) : 0.0;
    return c;
}

/* For r^2 inside the cutoff, with r2i = 1/r^2 and r6i = r2i^3: the force factor fpair = -(dE/dr)/r (so
 * f_i += d fpair with d = x_i - x_j) and the pair energy. */
MD_HOSTDEVICE double md_lj_fpair(double r2i, double r6i, double lj1, double lj2)
{
    return r6i * (lj1 * r6i - lj2) * r2i;
}
MD_HOSTDEVICE double md_lj_epair(double r6i, double lj3, double lj4, double offset)
{
    return r6i * (lj3 * r6i - lj4) - offset;
}

#endif
