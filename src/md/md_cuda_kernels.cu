/* CUDA back end of the batched MD driver (md_cuda.h, md_cuda.c): one thread per atom or cell, one block per
 * replica for the reductions, each calling the MD_HOSTDEVICE function of md_cuda_kernel.h that the host back end
 * calls in its loops. Reached only through md_cuda_device_ops() and md_cuda_device_probe() (plain C). */
#include <cmath>
#include <cstdio>
#include <cstring>

#include <cuda_runtime.h>

#include "md_cuda_kernel.h"
extern "C" {
#include "../common/sr_error.h"
}

namespace {

const int kThreads = 128;

int blocks_for(int n) { return (n + kThreads - 1) / kThreads; }

int check(cudaError_t e, const char *what)
{
    if (e == cudaSuccess) return SR_OK;
    return SR_ERROR(SR_EFAILED, "md_cuda: %s: %s", what, cudaGetErrorString(e));
}

/* launch errors (bad configuration, no kernel image) surface at once; execution errors at the next copy */
int launched(const char *what) { return check(cudaGetLastError(), what); }

__global__ void k_kick_drift(mdk_batch b)
{
    const int g = blockIdx.x * blockDim.x + threadIdx.x;
    if (g < b.ntot) mdk_kick_drift_atom(&b, g);
}
__global__ void k_cell_clear(mdk_batch b)
{
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c < b.ncells) mdk_cell_clear(&b, c);
}
__global__ void k_bin(mdk_batch b)
{
    const int g = blockIdx.x * blockDim.x + threadIdx.x;
    if (g < b.ntot) mdk_bin_atom(&b, g);
}
__global__ void k_cell_sort(mdk_batch b)
{
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c < b.ncells) mdk_cell_sort(&b, c);
}
__global__ void k_nlist(mdk_batch b)
{
    const int g = blockIdx.x * blockDim.x + threadIdx.x;
    if (g < b.ntot) mdk_nlist_atom(&b, g);
}
template <int WANT_EV, int SINGLE>
__global__ void k_force(mdk_batch b)
{
    const int g = blockIdx.x * blockDim.x + threadIdx.x;
    if (g < b.ntot) mdk_lj_force_atom_impl(&b, g, WANT_EV, SINGLE);
}
__global__ void k_scale(mdk_batch b)
{
    const int g = blockIdx.x * blockDim.x + threadIdx.x;
    if (g < b.ntot) mdk_scale_atom(&b, g);
}

/* the host back end's tree (md_cuda.c host_tree), across a block */
__device__ double block_tree(double *buf)
{
    for (int s = MDK_RED_THREADS / 2; s > 0; s >>= 1) {
        __syncthreads();
        if ((int)threadIdx.x < s) buf[threadIdx.x] += buf[threadIdx.x + s];
    }
    __syncthreads();
    return buf[0];
}

/* chunk level of the kinetic reduction (with the second half kick unless START): one block per chunk */
__global__ void __launch_bounds__(MDK_RED_THREADS) k_chunk_kinetic(mdk_batch b, int mode)
{
    __shared__ double buf[MDK_RED_THREADS];
    const int ch = blockIdx.x;
    buf[threadIdx.x] = mdk_kinetic_item(&b, ch, threadIdx.x, mode);
    const double sum = block_tree(buf);
    if (threadIdx.x == 0) b.part[MDK_RED_VALUES * (size_t)ch] = sum;
}

/* replica level, then the thermostat: one block per replica */
__global__ void __launch_bounds__(MDK_RED_THREADS) k_replica(mdk_batch b, int mode, long step)
{
    __shared__ double buf[MDK_RED_THREADS];
    const int r = blockIdx.x;
    buf[threadIdx.x] = mdk_replica_item(&b, r, threadIdx.x, 0);
    const double sum = block_tree(buf);
    if (threadIdx.x == 0) mdk_replica_finish(&b, r, sum, mode, step);
}

__global__ void __launch_bounds__(MDK_RED_THREADS) k_chunk_ev(mdk_batch b)
{
    __shared__ double buf[MDK_RED_VALUES][MDK_RED_THREADS];
    const int ch = blockIdx.x;
    double item[MDK_RED_VALUES];
    mdk_ev_item(&b, ch, threadIdx.x, item);
    for (int q = 0; q < MDK_RED_VALUES; q++) buf[q][threadIdx.x] = item[q];
    for (int q = 0; q < MDK_RED_VALUES; q++) {
        const double sum = block_tree(buf[q]);
        if (threadIdx.x == 0) b.part[MDK_RED_VALUES * (size_t)ch + q] = sum;
    }
}

__global__ void __launch_bounds__(MDK_RED_THREADS) k_reduce_ev(mdk_batch b)
{
    __shared__ double buf[MDK_RED_VALUES][MDK_RED_THREADS];
    const int r = blockIdx.x;
    for (int q = 0; q < MDK_RED_VALUES; q++) buf[q][threadIdx.x] = mdk_replica_item(&b, r, threadIdx.x, q);
    for (int q = 0; q < MDK_RED_VALUES; q++) {
        const double sum = block_tree(buf[q]);
        if (threadIdx.x == 0) {
            if (q == 0) b.pe[r] = sum;
            else b.virial[6 * r + q - 1] = sum;
        }
    }
}

int dev_alloc(void **p, size_t bytes)
{
    *p = nullptr;
    SR_TRY(check(cudaMalloc(p, bytes ? bytes : 1), "cudaMalloc"));
    return check(cudaMemset(*p, 0, bytes ? bytes : 1), "cudaMemset");
}
void dev_release(void *p) { cudaFree(p); }
int dev_put(void *dst, const void *src, size_t bytes)
{
    return bytes ? check(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice), "copy to the device") : SR_OK;
}
int dev_get(void *dst, const void *src, size_t bytes)
{
    return bytes ? check(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost), "copy from the device") : SR_OK;
}
int dev_copy(void *dst, const void *src, size_t bytes)
{
    return bytes ? check(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToDevice), "copy on the device") : SR_OK;
}
int dev_kick_drift(const mdk_batch *b)
{
    k_kick_drift<<<blocks_for(b->ntot), kThreads>>>(*b);
    return launched("kick/drift kernel");
}
int dev_rebuild(const mdk_batch *b)
{
    k_cell_clear<<<blocks_for(b->ncells), kThreads>>>(*b);
    k_bin<<<blocks_for(b->ntot), kThreads>>>(*b);
    k_cell_sort<<<blocks_for(b->ncells), kThreads>>>(*b);
    k_nlist<<<blocks_for(b->ntot), kThreads>>>(*b);
    return launched("cell/list kernels");
}
int dev_force(const mdk_batch *b, int want_ev)
{
    const int nb = blocks_for(b->ntot);
    if (b->single_type) {
        if (want_ev) k_force<1, 1><<<nb, kThreads>>>(*b);
        else k_force<0, 1><<<nb, kThreads>>>(*b);
    } else {
        if (want_ev) k_force<1, 0><<<nb, kThreads>>>(*b);
        else k_force<0, 0><<<nb, kThreads>>>(*b);
    }
    return launched("LJ force kernel");
}
int dev_replica(const mdk_batch *b, int mode, long step)
{
    k_chunk_kinetic<<<b->nchunks, MDK_RED_THREADS>>>(*b, mode);
    k_replica<<<b->nrep, MDK_RED_THREADS>>>(*b, mode, step);
    return launched("kick/kinetic/thermostat kernels");
}
int dev_scale(const mdk_batch *b)
{
    k_scale<<<blocks_for(b->ntot), kThreads>>>(*b);
    return launched("velocity scale kernel");
}
int dev_reduce_ev(const mdk_batch *b)
{
    k_chunk_ev<<<b->nchunks, MDK_RED_THREADS>>>(*b);
    k_reduce_ev<<<b->nrep, MDK_RED_THREADS>>>(*b);
    return launched("energy/virial kernel");
}

const mdk_ops device_ops = {
    "cuda", dev_alloc, dev_release, dev_put, dev_get, dev_copy, dev_kick_drift,
    dev_rebuild, dev_force, dev_replica, dev_scale, dev_reduce_ev,
};

} // namespace

extern "C" const mdk_ops *md_cuda_device_ops(void) { return &device_ops; }

extern "C" int md_cuda_device_probe(char *why, size_t len)
{
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        int rt = 0;
        cudaRuntimeGetVersion(&rt);
        if (why && len)
            snprintf(why, len, "no usable CUDA device: %s (no NVIDIA driver, no GPU, or a driver older than this "
                     "build's CUDA %d.%d runtime)", cudaGetErrorString(e), rt / 1000, rt % 1000 / 10);
        cudaGetLastError(); /* reset the runtime's last-error state */
        return 0;
    }
    if (n < 1) {
        if (why && len) snprintf(why, len, "no CUDA device present");
        return 0;
    }
    int dev = 0;
    cudaDeviceProp prop;
    if (cudaGetDevice(&dev) != cudaSuccess || cudaGetDeviceProperties(&prop, dev) != cudaSuccess) {
        if (why && len) snprintf(why, len, "CUDA device properties unavailable");
        cudaGetLastError();
        return 0;
    }
    /* a kernel image for this architecture (the build's CMAKE_CUDA_ARCHITECTURES) must exist */
    cudaFuncAttributes attr;
    e = cudaFuncGetAttributes(&attr, k_force<0, 1>);
    if (e != cudaSuccess) {
        if (why && len)
            snprintf(why, len, "%s (sm_%d%d): %s - rebuild with CMAKE_CUDA_ARCHITECTURES including %d%d", prop.name,
                     prop.major, prop.minor, cudaGetErrorString(e), prop.major, prop.minor);
        cudaGetLastError();
        return 0;
    }
    if (why && len)
        snprintf(why, len, "%s (sm_%d%d, %.1f GiB, kernels built for sm_%d)", prop.name, prop.major, prop.minor,
                 prop.totalGlobalMem / 1073741824.0, attr.binaryVersion);
    return 1;
}
