/* md_cuda_kernel.h - private to src/md: the per-atom, per-cell and per-replica work of the batched MD driver
 * (md_cuda.h), written once as MD_HOSTDEVICE functions. The host back end (md_cuda.c) calls them in loops; the
 * CUDA back end (md_cuda_kernels.cu) calls them from one thread each (per-replica reductions from one block per
 * replica, in the same tree order as the host loop). The driver's sequence of steps, its capacity checks and
 * its bookkeeping live once in md_cuda.c, behind the table of back-end operations mdk_ops.
 *
 * Layout: the atoms of all replicas concatenated (replica r owns global atoms atom0[r] .. atom0[r]+natoms[r]-1),
 * positions interleaved x[3g+d] as md_system; the neighbours k of atom g at nl[k*ntot + g] (coalesced for one
 * thread per atom); cells of all replicas concatenated (replica r owns cells cell0[r] ..), the atoms of cell c
 * at cell_atoms[c*cell_cap ..]. This header must stay valid C11 and C++ (nvcc). */
#ifndef MD_CUDA_KERNEL_H
#define MD_CUDA_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "md_lj_kernel.h"

/* Reductions over a replica's atoms (kinetic energy, energy, virial) go in two levels, each a binary tree over
 * MDK_RED_THREADS values: a "chunk" of MDK_RED_THREADS consecutive atoms of one replica (one block each on the
 * device, all of the batch's chunks in one launch), then the chunks of one replica (one block per replica). The
 * host back end adds in the same order, and the order depends on the replica alone, not on its batch. */
#define MDK_RED_THREADS 256
#define MDK_RED_VALUES 7 /* values per chunk partial: kinetic (slot 0) or energy + 6 virial components */

/* The batch as raw back-end pointers (device pointers on the device), passed by value to every kernel. */
typedef struct mdk_batch {
    int nrep, ntot, ntypes;
    int single_type;         /* 1: one atom type (the pair coefficients are uniform) */
    /* per atom */
    const int *rep;          /* replica of atom g */
    const int *type;
    double *x, *v, *f;       /* [3*ntot] */
    int *img;                /* image counters [3*ntot] */
    double *xbuild;          /* positions at the replica's last list build [3*ntot] */
    double *eatom;           /* per-atom energy (half of each pair) */
    double *vatom;           /* per-atom virial (half of each pair) [6*ntot] */
    /* per replica */
    const int *atom0, *natoms;
    const double *lo, *len;  /* box [3*nrep] */
    const int *ncell;        /* cells per axis [3*nrep] */
    const int *cell0;        /* first cell of the replica */
    int *rebuild;            /* 1: this replica's cells and lists are rebuilt at this step */
    int *nbuilds;            /* list builds so far */
    double *ke;              /* kinetic energy after the last replica kernel */
    double *alpha;           /* velocity scale pending from the thermostat, applied by the next kick */
    double *heat;            /* energy removed by the thermostat */
    double *pe;              /* potential energy (after an energy evaluation) */
    double *virial;          /* [6*nrep] */
    const double *kt;        /* target k_B T */
    const int *ndeg;         /* degrees of freedom */
    const uint64_t *stream;  /* random stream */
    /* reduction chunks */
    int nchunks;
    const int *chunk_rep;    /* replica of chunk ch [nchunks] */
    const int *chunk0;       /* first chunk of replica r [nrep] */
    double *part;            /* chunk partial sums [MDK_RED_VALUES*nchunks] */
    /* cells: all replicas */
    int ncells;
    const int *cell_rep;     /* replica of cell c */
    int cell_cap;
    int *cell_count, *cell_atoms;
    /* neighbour lists */
    int nl_cap;
    int *nl_num, *nl;
    int *overflow;           /* [2]: the largest cell count and list length that did not fit (0: none) */
    /* model, shared */
    const md_lj_coeff *coeff;/* [ntypes*ntypes] */
    const double *mass;      /* [ntypes] */
    double list_cut2;        /* (cutoff + skin)^2 */
    double half_skin2;       /* (skin/2)^2 */
    double dt, ftm2v, mvv2e;
    double tau_half;         /* thermostat time in units of dt/2; 0: no thermostat */
    uint64_t seed;
} mdk_batch;

/* ---- small portable helpers ------------------------------------------------------------------------ */
MD_HOSTDEVICE int mdk_atomic_inc(int *p)
{
#if defined(__CUDA_ARCH__)
    return atomicAdd(p, 1);
#else
    return (*p)++;
#endif
}
MD_HOSTDEVICE void mdk_atomic_max(int *p, int v)
{
#if defined(__CUDA_ARCH__)
    atomicMax(p, v);
#else
    if (v > *p) *p = v;
#endif
}

/* Minimum image of one component in a box edge L, for |d| < L (both atoms wrapped into the box). */
MD_HOSTDEVICE double mdk_min_image(double d, double L)
{
    if (d > 0.5 * L) return d - L;
    if (d < -0.5 * L) return d + L;
    return d;
}

/* Cell coordinate of position xd on an axis of nc cells from lo over L (clamped: x == lo + L after rounding). */
MD_HOSTDEVICE int mdk_cell_coord(double xd, double lo, double L, int nc)
{
    int c = (int)((xd - lo) / L * nc);
    return c < 0 ? 0 : (c >= nc ? nc - 1 : c);
}

/* ---- random numbers: Philox-4x32-10 (Salmon, Moraes, Dror, Shaw, SC'11), counter-based ------------------ */
typedef struct mdk_u4 {
    uint32_t v[4];
} mdk_u4;

MD_HOSTDEVICE uint32_t mdk_mulhi32(uint32_t a, uint32_t b)
{
    return (uint32_t)(((uint64_t)a * b) >> 32);
}

MD_HOSTDEVICE mdk_u4 mdk_philox(mdk_u4 c, uint32_t k0, uint32_t k1)
{
    for (int round = 0; round < 10; round++) {
        const uint32_t hi0 = mdk_mulhi32(0xD2511F53u, c.v[0]), lo0 = 0xD2511F53u * c.v[0];
        const uint32_t hi1 = mdk_mulhi32(0xCD9E8D57u, c.v[2]), lo1 = 0xCD9E8D57u * c.v[2];
        mdk_u4 n;
        n.v[0] = hi1 ^ c.v[1] ^ k0;
        n.v[1] = lo1;
        n.v[2] = hi0 ^ c.v[3] ^ k1;
        n.v[3] = lo0;
        c = n;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return c;
}

/* One random stream position: (batch seed, replica stream) is the key, (step, phase, draw) the counter. */
typedef struct mdk_rng {
    uint32_t k0, k1;
    mdk_u4 ctr;
} mdk_rng;

MD_HOSTDEVICE mdk_rng mdk_rng_at(uint64_t seed, uint64_t stream, long step, int phase)
{
    mdk_rng r;
    r.k0 = (uint32_t)seed;
    r.k1 = (uint32_t)(seed >> 32) ^ (uint32_t)(stream >> 32);
    r.ctr.v[0] = 0; /* draw counter */
    r.ctr.v[1] = (uint32_t)(uint64_t)step;
    r.ctr.v[2] = (uint32_t)((uint64_t)step >> 32) * 4u + (uint32_t)phase;
    r.ctr.v[3] = (uint32_t)stream;
    return r;
}

/* Two uniforms in (0, 1) (53 bits each) from the next counter value. */
MD_HOSTDEVICE void mdk_uniform2(mdk_rng *r, double *u0, double *u1)
{
    const mdk_u4 o = mdk_philox(r->ctr, r->k0, r->k1);
    r->ctr.v[0]++;
    const uint64_t a = (((uint64_t)o.v[0] << 32) | o.v[1]) >> 11, b = (((uint64_t)o.v[2] << 32) | o.v[3]) >> 11;
    const double two53 = 9007199254740992.0;
    *u0 = ((double)a + 0.5) / two53;
    *u1 = ((double)b + 0.5) / two53;
}

/* A standard normal deviate (Box-Muller; the second deviate of each pair is not kept). */
MD_HOSTDEVICE double mdk_gaussian(mdk_rng *r)
{
    double u0, u1;
    mdk_uniform2(r, &u0, &u1);
    return sqrt(-2.0 * log(u0)) * cos(6.283185307179586 * u1);
}

/* Gamma(shape a, scale 1) by Marsaglia & Tsang (ACM TOMS 26, 363, 2000); a < 1 through Gamma(a+1) U^(1/a). */
MD_HOSTDEVICE double mdk_gamma(mdk_rng *r, double a)
{
    double boost = 1.0;
    if (a < 1.0) {
        double u, unused;
        mdk_uniform2(r, &u, &unused);
        boost = pow(u, 1.0 / a);
        a += 1.0;
    }
    const double d = a - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = mdk_gaussian(r);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u, unused;
        mdk_uniform2(r, &u, &unused);
        if (u < 1.0 - 0.0331 * x * x * x * x) return boost * d * v;
        if (log(u) < 0.5 * x * x + d * (1.0 - v + log(v))) return boost * d * v;
    }
}

/* Bussi resampling of the kinetic energy K for ndeg degrees of freedom, target Kt, relaxation time tau in units
 * of the interval between calls (Bussi, Donadio, Parrinello, JCP 126, 014101, 2007, appendix; the CPU
 * integrator's resample_kinetic): r1 a standard normal deviate, sumsq a chi^2 deviate of ndeg - 1 degrees. */
MD_HOSTDEVICE double mdk_bussi_resample(double K, double Kt, int ndeg, double tau, double r1, double sumsq)
{
    const double c = tau > 0.1 ? exp(-1.0 / tau) : 0.0;
    return K + (1.0 - c) * (Kt * (sumsq + r1 * r1) / ndeg - K) + 2.0 * r1 * sqrt(K * Kt / ndeg * (1.0 - c) * c);
}

/* ---- per atom: integration ------------------------------------------------------------------------- */
/* The thermostat's pending scale, half kick, drift, wrap into the box, and the skin check that marks the
 * replica's lists for a rebuild (benign race on the device: every writer stores 1). */
MD_HOSTDEVICE void mdk_kick_drift_atom(const mdk_batch *b, int g)
{
    const int r = b->rep[g];
    const double a = b->alpha[r], c = 0.5 * b->dt * b->ftm2v / b->mass[b->type[g]];
    double moved2 = 0.0;
    for (int d = 0; d < 3; d++) {
        const int q = 3 * g + d;
        double v = b->v[q];
        v *= a;
        v += c * b->f[q];
        b->v[q] = v;
        double x = b->x[q] + b->dt * v;
        const double lo = b->lo[3 * r + d], L = b->len[3 * r + d];
        if (x >= lo + L) {
            x -= L;
            b->img[q]++;
        } else if (x < lo) {
            x += L;
            b->img[q]--;
        }
        b->x[q] = x;
        const double dd = mdk_min_image(x - b->xbuild[q], L);
        moved2 += dd * dd;
    }
    if (moved2 > b->half_skin2) b->rebuild[r] = 1;
}

/* The second half kick; returns m v^2 of the atom (mass units x velocity^2) for the kinetic energy. */
MD_HOSTDEVICE double mdk_kick_atom(const mdk_batch *b, int g)
{
    const double m = b->mass[b->type[g]], c = 0.5 * b->dt * b->ftm2v / m;
    double mv2 = 0.0;
    for (int d = 0; d < 3; d++) {
        const int q = 3 * g + d;
        const double v = b->v[q] + c * b->f[q];
        b->v[q] = v;
        mv2 += v * v;
    }
    return m * mv2;
}

MD_HOSTDEVICE double mdk_mv2_atom(const mdk_batch *b, int g)
{
    const double *v = b->v + 3 * g;
    return b->mass[b->type[g]] * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
}

MD_HOSTDEVICE void mdk_scale_atom(const mdk_batch *b, int g)
{
    const double a = b->alpha[b->rep[g]];
    for (int d = 0; d < 3; d++) b->v[3 * g + d] *= a;
}

/* ---- cells and neighbour lists (only replicas marked for a rebuild) ----------------------------------- */
MD_HOSTDEVICE void mdk_cell_clear(const mdk_batch *b, int c)
{
    if (b->rebuild[b->cell_rep[c]]) b->cell_count[c] = 0;
}

MD_HOSTDEVICE int mdk_cell_of(const mdk_batch *b, int r, const double *x)
{
    const int *nc = b->ncell + 3 * r;
    const int cx = mdk_cell_coord(x[0], b->lo[3 * r], b->len[3 * r], nc[0]);
    const int cy = mdk_cell_coord(x[1], b->lo[3 * r + 1], b->len[3 * r + 1], nc[1]);
    const int cz = mdk_cell_coord(x[2], b->lo[3 * r + 2], b->len[3 * r + 2], nc[2]);
    return b->cell0[r] + (cz * nc[1] + cy) * nc[0] + cx;
}

MD_HOSTDEVICE void mdk_bin_atom(const mdk_batch *b, int g)
{
    const int r = b->rep[g];
    if (!b->rebuild[r]) return;
    const int c = mdk_cell_of(b, r, b->x + 3 * g);
    const int slot = mdk_atomic_inc(&b->cell_count[c]);
    if (slot < b->cell_cap)
        b->cell_atoms[(size_t)c * b->cell_cap + slot] = g;
    else
        mdk_atomic_max(&b->overflow[0], slot + 1);
}

/* Atom order inside a cell = index order, whatever order the (atomic) binning gave: lists, and so force sums,
 * are then a function of the replica's own positions alone. */
MD_HOSTDEVICE void mdk_cell_sort(const mdk_batch *b, int c)
{
    if (!b->rebuild[b->cell_rep[c]]) return;
    int *a = b->cell_atoms + (size_t)c * b->cell_cap;
    const int n = b->cell_count[c] < b->cell_cap ? b->cell_count[c] : b->cell_cap;
    for (int i = 1; i < n; i++) {
        const int key = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > key) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = key;
    }
}

/* The full Verlet list of atom g (cutoff + skin) from the 27 cells around its own, in a fixed cell order. */
MD_HOSTDEVICE void mdk_nlist_atom(const mdk_batch *b, int g)
{
    const int r = b->rep[g];
    if (!b->rebuild[r]) return;
    const int *nc = b->ncell + 3 * r;
    const double *L = b->len + 3 * r, *lo = b->lo + 3 * r;
    const double xi = b->x[3 * g], yi = b->x[3 * g + 1], zi = b->x[3 * g + 2];
    const int cx = mdk_cell_coord(xi, lo[0], L[0], nc[0]), cy = mdk_cell_coord(yi, lo[1], L[1], nc[1]),
              cz = mdk_cell_coord(zi, lo[2], L[2], nc[2]);
    int k = 0;
    for (int dz = -1; dz <= 1; dz++) {
        const int z = (cz + dz + nc[2]) % nc[2];
        for (int dy = -1; dy <= 1; dy++) {
            const int y = (cy + dy + nc[1]) % nc[1];
            for (int dx = -1; dx <= 1; dx++) {
                const int x = (cx + dx + nc[0]) % nc[0];
                const int c = b->cell0[r] + (z * nc[1] + y) * nc[0] + x;
                const int *a = b->cell_atoms + (size_t)c * b->cell_cap;
                const int n = b->cell_count[c] < b->cell_cap ? b->cell_count[c] : b->cell_cap;
                for (int q = 0; q < n; q++) {
                    const int j = a[q];
                    if (j == g) continue;
                    const double ddx = mdk_min_image(xi - b->x[3 * j], L[0]);
                    const double ddy = mdk_min_image(yi - b->x[3 * j + 1], L[1]);
                    const double ddz = mdk_min_image(zi - b->x[3 * j + 2], L[2]);
                    if (ddx * ddx + ddy * ddy + ddz * ddz >= b->list_cut2) continue;
                    if (k < b->nl_cap) b->nl[(size_t)k * b->ntot + g] = j;
                    k++;
                }
            }
        }
    }
    if (k > b->nl_cap) mdk_atomic_max(&b->overflow[1], k);
    b->nl_num[g] = k < b->nl_cap ? k : b->nl_cap;
    for (int d = 0; d < 3; d++) b->xbuild[3 * g + d] = b->x[3 * g + d];
}

/* ---- per atom: LJ forces (and energy, virial: half of each pair to each side) ---------------------------- */
MD_HOSTDEVICE void mdk_lj_force_atom_impl(const mdk_batch *b, int g, const int want_ev, const int single)
{
    const int r = b->rep[g];
    const double Lx = b->len[3 * r], Ly = b->len[3 * r + 1], Lz = b->len[3 * r + 2];
    const double xi = b->x[3 * g], yi = b->x[3 * g + 1], zi = b->x[3 * g + 2];
    const int ti = single ? 0 : b->type[g] * b->ntypes;
    const md_lj_coeff c0 = b->coeff[0];
    double fx = 0, fy = 0, fz = 0, e = 0, w0 = 0, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0;
    const int n = b->nl_num[g];
    for (int k = 0; k < n; k++) {
        const int j = b->nl[(size_t)k * b->ntot + g];
        const double dx = mdk_min_image(xi - b->x[3 * j], Lx);
        const double dy = mdk_min_image(yi - b->x[3 * j + 1], Ly);
        const double dz = mdk_min_image(zi - b->x[3 * j + 2], Lz);
        const double r2 = dx * dx + dy * dy + dz * dz;
        const md_lj_coeff *c = single ? &c0 : &b->coeff[ti + b->type[j]];
        if (r2 >= c->cutsq) continue;
        const double r2i = 1.0 / r2, r6i = r2i * r2i * r2i;
        const double fpair = md_lj_fpair(r2i, r6i, c->lj1, c->lj2);
        fx += dx * fpair;
        fy += dy * fpair;
        fz += dz * fpair;
        if (want_ev) {
            e += 0.5 * md_lj_epair(r6i, c->lj3, c->lj4, c->offset);
            const double h = 0.5 * fpair;
            w0 += h * dx * dx;
            w1 += h * dy * dy;
            w2 += h * dz * dz;
            w3 += h * dx * dy;
            w4 += h * dx * dz;
            w5 += h * dy * dz;
        }
    }
    b->f[3 * g] = fx;
    b->f[3 * g + 1] = fy;
    b->f[3 * g + 2] = fz;
    if (want_ev) {
        b->eatom[g] = e;
        double *w = b->vatom + 6 * (size_t)g;
        w[0] = w0;
        w[1] = w1;
        w[2] = w2;
        w[3] = w3;
        w[4] = w4;
        w[5] = w5;
    }
}

/* The four specialisations the back ends instantiate (constant flags: no branches in the pair loop). */
MD_HOSTDEVICE void mdk_lj_force_atom(const mdk_batch *b, int g, int want_ev)
{
    if (b->single_type) {
        if (want_ev) mdk_lj_force_atom_impl(b, g, 1, 1);
        else mdk_lj_force_atom_impl(b, g, 0, 1);
    } else {
        if (want_ev) mdk_lj_force_atom_impl(b, g, 1, 0);
        else mdk_lj_force_atom_impl(b, g, 0, 0);
    }
}

/* ---- per replica -------------------------------------------------------------------------------------- */
/* What the per-replica kernel does to the atoms before its reduction. */
enum mdk_replica_mode {
    MDK_REPLICA_START = 0, /* kinetic energy only; then one thermostat half step (run start) */
    MDK_REPLICA_STEP = 1,  /* second half kick; then the half step ending this step and the one starting the next */
    MDK_REPLICA_LAST = 2   /* second half kick; then the half step ending the run */
};

/* Global atom of thread t in reduction chunk ch, or -1 past the replica's last atom. */
MD_HOSTDEVICE int mdk_chunk_atom(const mdk_batch *b, int ch, int t)
{
    const int r = b->chunk_rep[ch];
    const int i = (ch - b->chunk0[r]) * MDK_RED_THREADS + t;
    return i < b->natoms[r] ? b->atom0[r] + i : -1;
}

/* Chunk level, one value per atom: m v^2 (START), or the second half kick and then m v^2 (STEP, LAST). */
MD_HOSTDEVICE double mdk_kinetic_item(const mdk_batch *b, int ch, int t, int mode)
{
    const int g = mdk_chunk_atom(b, ch, t);
    if (g < 0) return 0.0;
    return mode == MDK_REPLICA_START ? mdk_mv2_atom(b, g) : mdk_kick_atom(b, g);
}

/* Chunk level for energy and virial: MDK_RED_VALUES values per atom. */
MD_HOSTDEVICE void mdk_ev_item(const mdk_batch *b, int ch, int t, double out[MDK_RED_VALUES])
{
    const int g = mdk_chunk_atom(b, ch, t);
    for (int q = 0; q < MDK_RED_VALUES; q++) out[q] = 0.0;
    if (g < 0) return;
    out[0] = b->eatom[g];
    for (int q = 0; q < 6; q++) out[1 + q] = b->vatom[6 * (size_t)g + q];
}

/* Replica level: thread t's sum of value q over the chunks t, t + MDK_RED_THREADS, ... of replica r. */
MD_HOSTDEVICE double mdk_replica_item(const mdk_batch *b, int r, int t, int q)
{
    const int c0 = b->chunk0[r];
    const int nch = (b->natoms[r] + MDK_RED_THREADS - 1) / MDK_RED_THREADS;
    double s = 0.0;
    for (int c = t; c < nch; c += MDK_RED_THREADS) s += b->part[MDK_RED_VALUES * (size_t)(c0 + c) + q];
    return s;
}

/* After the kinetic reduction: kinetic energy from sum m v^2, thermostat half steps (one, or two back to back whose
 * velocity scales multiply), the pending scale for the next kick (or the end-of-run scale), list flag reset.
 * The random counter phase: 0 = the half step that starts step `step`, 1 = the one that ends it. */
MD_HOSTDEVICE void mdk_replica_finish(const mdk_batch *b, int r, double sum_mv2, int mode, long step)
{
    double K = 0.5 * b->mvv2e * sum_mv2;
    double a = 1.0;
    if (b->tau_half > 0.0 && K > 0.0) {
        const double Kt = 0.5 * b->ndeg[r] * b->kt[r];
        const int halves = mode == MDK_REPLICA_STEP ? 2 : 1;
        for (int h = 0; h < halves; h++) {
            /* START: the half step opening `step`; STEP/LAST: first the one closing `step`, then (STEP) the one
             * opening step + 1 */
            const long st = mode == MDK_REPLICA_START ? step : step + h;
            const int phase = mode == MDK_REPLICA_START ? 0 : (h == 0 ? 1 : 0);
            mdk_rng rng = mdk_rng_at(b->seed, b->stream[r], st, phase);
            const double r1 = mdk_gaussian(&rng);
            const int nd = b->ndeg[r];
            const double sumsq = nd > 1 ? 2.0 * mdk_gamma(&rng, 0.5 * (nd - 1)) : 0.0;
            const double Kn = mdk_bussi_resample(K, Kt, nd, b->tau_half, r1, sumsq);
            a *= sqrt(Kn / K);
            b->heat[r] += K - Kn;
            K = Kn;
        }
    }
    b->alpha[r] = a;
    b->ke[r] = K;
    if (b->rebuild[r]) {
        b->nbuilds[r]++;
        b->rebuild[r] = 0;
    }
}

/* ---- the back-end operations (md_cuda.c drives them in this order; md_cuda.c has the host loops,
 * md_cuda_kernels.cu the device launches) ---------------------------------------------------------------- */
typedef struct mdk_ops {
    const char *name;
    int (*alloc)(void **p, size_t bytes);         /* zeroed */
    void (*release)(void *p);
    int (*put)(void *dst, const void *src, size_t bytes);  /* host -> back end */
    int (*get)(void *dst, const void *src, size_t bytes);  /* back end -> host (synchronises) */
    int (*copy)(void *dst, const void *src, size_t bytes); /* back end -> back end */
    int (*kick_drift)(const mdk_batch *b);
    int (*rebuild)(const mdk_batch *b);           /* clear, bin, sort cells; lists (flagged replicas) */
    int (*force)(const mdk_batch *b, int want_ev);
    int (*replica)(const mdk_batch *b, int mode, long step);
    int (*scale)(const mdk_batch *b);
    int (*reduce_ev)(const mdk_batch *b);
} mdk_ops;

#ifdef __cplusplus
extern "C" {
#endif
/* md_cuda_kernels.cu (CUDA builds only) */
const mdk_ops *md_cuda_device_ops(void);
int md_cuda_device_probe(char *why, size_t len);
#ifdef __cplusplus
}
#endif

#endif
