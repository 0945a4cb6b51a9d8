/* Run-time choice of the force-loop variant (md_kernel, md.h). */
#include <stdlib.h>
#include <string.h>

#include "md.h"
#include "md_simd.h"

static const char *const kernel_names[MD_KERNEL_NKINDS] = {"auto", "reference", "simd", "avx2", "avx512"};

const char *md_kernel_name(int kernel)
{
    return kernel >= 0 && kernel < MD_KERNEL_NKINDS ? kernel_names[kernel] : "?";
}

int md_kernel_available(int kernel)
{
    switch (kernel) {
    case MD_KERNEL_AUTO:
    case MD_KERNEL_REFERENCE:
    case MD_KERNEL_SIMD: return 1;
#if MD_SIMD_X86
    case MD_KERNEL_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case MD_KERNEL_AVX512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512dq") && md_kernel_available(MD_KERNEL_AVX2);
#endif
    default: return 0;
    }
}

int md_kernel_resolve(int kernel, int *out)
{
    if (kernel == MD_KERNEL_AUTO) {
        const char *env = getenv("SEEDRATE_KERNEL");
        if (env && *env && strcmp(env, "auto") != 0) {
            int k;
            for (k = 1; k < MD_KERNEL_NKINDS; k++)
                if (strcmp(env, kernel_names[k]) == 0) break;
            if (k == MD_KERNEL_NKINDS)
                return SR_ERROR(SR_EINVAL, "SEEDRATE_KERNEL=%s: expected auto, reference, simd, avx2 or avx512", env);
            kernel = k;
        } else {
            kernel = md_kernel_available(MD_KERNEL_AVX512) ? MD_KERNEL_AVX512
                     : md_kernel_available(MD_KERNEL_AVX2) ? MD_KERNEL_AVX2
                                                           : MD_KERNEL_SIMD;
        }
    }
    if (kernel <= MD_KERNEL_AUTO || kernel >= MD_KERNEL_NKINDS)
        return SR_ERROR(SR_EINVAL, "force kernel %d out of range", kernel);
    if (!md_kernel_available(kernel))
        return SR_ERROR(SR_EINVAL, "force kernel %s: not supported by this CPU or build", md_kernel_name(kernel));
    *out = kernel;
    return SR_OK;
}

int md_potential_set_kernel(md_potential *p, int kernel)
{
    if (p->cls->set_kernel) return p->cls->set_kernel(p->state, kernel);
    if (kernel == MD_KERNEL_AUTO || kernel == MD_KERNEL_REFERENCE) return SR_OK;
    return SR_ERROR(SR_EINVAL, "potential %s has one force loop (no %s kernel)", p->cls->name, md_kernel_name(kernel));
}
