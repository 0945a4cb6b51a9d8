/* Replica-batched MD driver (md_cuda.h): one sequence of back-end operations for the host loops below and the
 * CUDA kernels (md_cuda_kernels.cu); the per-atom and per-replica work itself is md_cuda_kernel.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md_cuda.h"
#include "md_cuda_kernel.h"

/* ------------------------------------------------------------------------------------------------
 * Host back end: plain loops over the MD_HOSTDEVICE functions (the reference of the device kernels)
 * ---------------------------------------------------------------------------------------------- */
static int host_alloc(void **p, size_t bytes)
{
    *p = calloc(1, bytes ? bytes : 1);
    return *p ? SR_OK : SR_ERROR(SR_ENOMEM, "out of memory (%zu bytes)", bytes);
}
static void host_release(void *p) { free(p); }
static int host_copy(void *dst, const void *src, size_t bytes)
{
    if (bytes) memmove(dst, src, bytes);
    return SR_OK;
}
static int host_kick_drift(const mdk_batch *b)
{
    for (int g = 0; g < b->ntot; g++) mdk_kick_drift_atom(b, g);
    return SR_OK;
}
static int host_rebuild(const mdk_batch *b)
{
    for (int c = 0; c < b->ncells; c++) mdk_cell_clear(b, c);
    for (int g = 0; g < b->ntot; g++) mdk_bin_atom(b, g);
    for (int c = 0; c < b->ncells; c++) mdk_cell_sort(b, c);
    for (int g = 0; g < b->ntot; g++) mdk_nlist_atom(b, g);
    return SR_OK;
}
static int host_force(const mdk_batch *b, int want_ev)
{
    for (int g = 0; g < b->ntot; g++) mdk_lj_force_atom(b, g, want_ev);
    return SR_OK;
}
/* the device's block tree (md_cuda_kernels.cu block_tree), in the same order */
static double host_tree(double *buf)
{
    for (int s = MDK_RED_THREADS / 2; s > 0; s >>= 1)
        for (int t = 0; t < s; t++) buf[t] += buf[t + s];
    return buf[0];
}
/* replica level of a reduction: value q of replica r from its chunk partials */
static double host_replica_sum(const mdk_batch *b, int r, int q)
{
    double buf[MDK_RED_THREADS];
    for (int t = 0; t < MDK_RED_THREADS; t++) buf[t] = mdk_replica_item(b, r, t, q);
    return host_tree(buf);
}
static int host_replica(const mdk_batch *b, int mode, long step)
{
    double buf[MDK_RED_THREADS];
    for (int ch = 0; ch < b->nchunks; ch++) {
        for (int t = 0; t < MDK_RED_THREADS; t++) buf[t] = mdk_kinetic_item(b, ch, t, mode);
        b->part[MDK_RED_VALUES * (size_t)ch] = host_tree(buf);
    }
    for (int r = 0; r < b->nrep; r++) mdk_replica_finish(b, r, host_replica_sum(b, r, 0), mode, step);
    return SR_OK;
}
static int host_scale(const mdk_batch *b)
{
    for (int g = 0; g < b->ntot; g++) mdk_scale_atom(b, g);
    return SR_OK;
}
static int host_reduce_ev(const mdk_batch *b)
{
    double buf[MDK_RED_VALUES][MDK_RED_THREADS], item[MDK_RED_VALUES];
    for (int ch = 0; ch < b->nchunks; ch++) {
        for (int t = 0; t < MDK_RED_THREADS; t++) {
            mdk_ev_item(b, ch, t, item);
            for (int q = 0; q < MDK_RED_VALUES; q++) buf[q][t] = item[q];
        }
        for (int q = 0; q < MDK_RED_VALUES; q++) b->part[MDK_RED_VALUES * (size_t)ch + q] = host_tree(buf[q]);
    }
    for (int r = 0; r < b->nrep; r++) {
        b->pe[r] = host_replica_sum(b, r, 0);
        for (int q = 0; q < 6; q++) b->virial[6 * r + q] = host_replica_sum(b, r, 1 + q);
    }
    return SR_OK;
}

static const mdk_ops host_ops = {
    .name = "host",
    .alloc = host_alloc,
    .release = host_release,
    .put = host_copy,
    .get = host_copy,
    .copy = host_copy,
    .kick_drift = host_kick_drift,
    .rebuild = host_rebuild,
    .force = host_force,
    .replica = host_replica,
    .scale = host_scale,
    .reduce_ev = host_reduce_ev,
};

/* ------------------------------------------------------------------------------------------------
 * Availability
 * ---------------------------------------------------------------------------------------------- */
static void say(char *why, size_t len, const char *msg)
{
    if (why && len) snprintf(why, len, "%s", msg);
}

int md_cuda_available(char *why, size_t len)
{
#if defined(SEEDRATE_HAVE_CUDA)
    if (getenv("SEEDRATE_NO_CUDA") && *getenv("SEEDRATE_NO_CUDA")) {
        say(why, len, "CUDA disabled by the environment (SEEDRATE_NO_CUDA is set)");
        return 0;
    }
    return md_cuda_device_probe(why, len);
#else
    say(why, len, "this seedrate was built without CUDA (SEEDRATE_CUDA=OFF, or no nvcc at configure time)");
    return 0;
#endif
}

const char *md_cuda_backend_name(int backend)
{
    return backend == MD_CUDA_DEVICE ? "cuda" : backend == MD_CUDA_HOST ? "host" : "?";
}

/* ------------------------------------------------------------------------------------------------
 * The batch
 * ---------------------------------------------------------------------------------------------- */
struct md_cuda_batch {
    const mdk_ops *ops;
    int backend;
    md_cuda_params p;
    int units;
    double cutoff, skin;
    long step;
    double time;
    int have_ev;       /* pe and virial match the current positions */
    mdk_batch k;       /* back-end pointers */
    /* host copies of small per-replica data */
    int *atom0, *natoms, *ncell, *cell0;
    double *lo, *len, *kt;
    int *ndeg;
    /* the chunk snapshot (back end), for redoing a chunk after an overflow */
    double *snap_x, *snap_v, *snap_heat;
    int *snap_img;
    long regrowths;
    size_t bytes;
    /* back-end allocations, freed together */
    void *mem[56];
    int nmem;
};

static int balloc(md_cuda_batch *b, void **p, size_t bytes)
{
    if (b->nmem >= (int)(sizeof b->mem / sizeof b->mem[0])) return SR_ERROR(SR_ENOMEM, "md_cuda: too many arrays");
    SR_TRY(b->ops->alloc(p, bytes));
    b->mem[b->nmem++] = *p;
    b->bytes += bytes;
    return SR_OK;
}

static void bfree(md_cuda_batch *b, void *p)
{
    for (int i = 0; i < b->nmem; i++)
        if (b->mem[i] == p) {
            b->ops->release(p);
            b->mem[i] = b->mem[--b->nmem];
            return;
        }
}

void md_cuda_batch_free(md_cuda_batch *b)
{
    if (!b) return;
    if (b->ops)
        for (int i = 0; i < b->nmem; i++) b->ops->release(b->mem[i]);
    free(b->atom0);
    free(b->natoms);
    free(b->ncell);
    free(b->cell0);
    free(b->lo);
    free(b->len);
    free(b->kt);
    free(b->ndeg);
    free(b);
}

int md_cuda_batch_nreplicas(const md_cuda_batch *b) { return b->k.nrep; }

/* Cells per axis for a box edge: as many as fit at edge >= cutoff + skin, at least 3. */
static int cells_for(double L, double reach, int *nc)
{
    const int n = (int)floor(L / reach);
    *nc = n;
    return n >= 3;
}

/* (Re)allocate cells and lists at the current capacities. */
static int alloc_lists(md_cuda_batch *b)
{
    mdk_batch *k = &b->k;
    if (k->cell_atoms) bfree(b, k->cell_atoms);
    if (k->nl) bfree(b, k->nl);
    k->cell_atoms = NULL;
    k->nl = NULL;
    SR_TRY(balloc(b, (void **)&k->cell_atoms, (size_t)k->ncells * k->cell_cap * sizeof(int)));
    SR_TRY(balloc(b, (void **)&k->nl, (size_t)k->ntot * k->nl_cap * sizeof(int)));
    return SR_OK;
}

static int mark_all(md_cuda_batch *b)
{
    int *ones = malloc((size_t)b->k.nrep * sizeof(int));
    if (!ones) return SR_ERROR(SR_ENOMEM, "out of memory");
    for (int r = 0; r < b->k.nrep; r++) ones[r] = 1;
    int rc = b->ops->put(b->k.rebuild, ones, (size_t)b->k.nrep * sizeof(int));
    free(ones);
    return rc;
}

/* Read the overflow counters; on overflow grow the capacities (x 1.25 over what was needed) and return 1. */
static int check_overflow(md_cuda_batch *b, int *grown)
{
    int ov[2];
    *grown = 0;
    SR_TRY(b->ops->get(ov, b->k.overflow, sizeof ov));
    if (!ov[0] && !ov[1]) return SR_OK;
    if (ov[0]) b->k.cell_cap = ov[0] + ov[0] / 4 + 4;
    if (ov[1]) b->k.nl_cap = ov[1] + ov[1] / 4 + 8;
    const int zero[2] = {0, 0};
    SR_TRY(b->ops->put(b->k.overflow, zero, sizeof zero));
    SR_TRY(alloc_lists(b));
    b->regrowths++;
    *grown = 1;
    return SR_OK;
}

/* Rebuild every replica's lists and compute forces (energy, virial), growing capacities until they fit. */
static int full_compute(md_cuda_batch *b)
{
    for (;;) {
        SR_TRY(mark_all(b));
        SR_TRY(b->ops->rebuild(&b->k));
        int grown;
        SR_TRY(check_overflow(b, &grown));
        if (!grown) break;
    }
    SR_TRY(b->ops->force(&b->k, 1));
    SR_TRY(b->ops->reduce_ev(&b->k));
    b->have_ev = 1;
    return SR_OK;
}

int md_cuda_batch_compute(md_cuda_batch *b) { return full_compute(b); }

static int replica_box(const md_cuda_batch *b, int r, const md_system *s, int *nc)
{
    const double reach = b->cutoff + b->skin;
    for (int d = 0; d < 3; d++) {
        if (s->box.tilt[d] != 0.0) return SR_ERROR(SR_EINVAL, "md_cuda: replica %d: triclinic boxes are not supported", r);
        if (!cells_for(s->box.len[d], reach, &nc[d]))
            return SR_ERROR(SR_EINVAL,
                            "md_cuda: replica %d: box edge %c = %g holds fewer than 3 list cells of cutoff + skin = %g "
                            "(edge >= %g needed; the CPU engine has no such limit)",
                            r, "xyz"[d], s->box.len[d], reach, 3.0 * reach);
    }
    return SR_OK;
}

/* Wrapped positions and image counters of s (a copy: s is not touched). */
static void wrapped(const md_system *s, double *x, int *img)
{
    for (int i = 0; i < s->n; i++)
        for (int d = 0; d < 3; d++) {
            const double lo = s->box.lo[d], L = s->box.len[d];
            double xd = s->x[3 * i + d];
            int m = s->image ? s->image[3 * i + d] : 0;
            const double sh = floor((xd - lo) / L);
            xd -= sh * L;
            m += (int)sh;
            if (xd >= lo + L) { /* rounding at the upper edge */
                xd -= L;
                m++;
            }
            if (xd < lo) xd = lo;
            x[3 * i + d] = xd;
            img[3 * i + d] = m;
        }
}

int md_cuda_batch_create(int backend, const md_cuda_params *p, int nrep, const md_cuda_replica *reps,
                         md_cuda_batch **out)
{
    *out = NULL;
    const mdk_ops *ops = NULL;
    if (backend == MD_CUDA_HOST) {
        ops = &host_ops;
    } else if (backend == MD_CUDA_DEVICE) {
        char why[256];
        if (!md_cuda_available(why, sizeof why))
            return SR_ERROR(SR_EUNSUPPORTED, "md_cuda: no usable GPU: %s", why);
#if defined(SEEDRATE_HAVE_CUDA)
        ops = md_cuda_device_ops();
#endif
    } else {
        return SR_ERROR(SR_EINVAL, "md_cuda: unknown back end %d", backend);
    }
    if (nrep < 1 || !reps) return SR_ERROR(SR_EINVAL, "md_cuda: a batch needs at least one replica (got %d)", nrep);
    if (!(p->dt > 0) || !isfinite(p->dt)) return SR_ERROR(SR_EINVAL, "md_cuda: timestep must be positive (got %g)", p->dt);
    if (p->thermostat != MD_THERMO_NONE && p->thermostat != MD_THERMO_BUSSI)
        return SR_ERROR(SR_EUNSUPPORTED, "md_cuda: only the Bussi thermostat (or none) runs on the batch path");
    if (p->thermostat == MD_THERMO_BUSSI && !(p->tau_t > 0))
        return SR_ERROR(SR_EINVAL, "md_cuda: thermostat needs tau_t > 0 (got %g)", p->tau_t);
    if (p->lj.ntypes < 1 || p->lj.ntypes > MD_LJ_MAXTYPES)
        return SR_ERROR(SR_EINVAL, "md_cuda: lj: number of types %d out of range [1, %d]", p->lj.ntypes, MD_LJ_MAXTYPES);
    if (!(p->lj.cutoff > 0) || !isfinite(p->lj.cutoff))
        return SR_ERROR(SR_EINVAL, "md_cuda: lj: cutoff must be positive (got %g)", p->lj.cutoff);
    const md_system *s0 = reps[0].system;
    for (int r = 0; r < nrep; r++) {
        const md_system *s = reps[r].system;
        if (!s || s->n < 2) return SR_ERROR(SR_EINVAL, "md_cuda: replica %d has no system or fewer than 2 atoms", r);
        if (s->units != s0->units || s->ntypes != s0->ntypes)
            return SR_ERROR(SR_EINVAL, "md_cuda: replica %d: units and type count must be those of replica 0", r);
        if (s->ntypes > p->lj.ntypes)
            return SR_ERROR(SR_EINVAL, "md_cuda: replica %d has %d atom types, the LJ model %d", r, s->ntypes,
                            p->lj.ntypes);
        if (p->thermostat == MD_THERMO_BUSSI && !(reps[r].temperature > 0))
            return SR_ERROR(SR_EINVAL, "md_cuda: replica %d: thermostat needs temperature > 0 (got %g)", r,
                            reps[r].temperature);
    }

    md_cuda_batch *b = calloc(1, sizeof *b);
    if (!b) return SR_ERROR(SR_ENOMEM, "out of memory");
    b->ops = ops;
    b->backend = backend;
    b->p = *p;
    b->units = s0->units;
    b->cutoff = p->lj.cutoff;
    b->skin = p->skin > 0 ? p->skin : (s0->units == MD_UNITS_LJ ? 0.3 : 1.0);
    b->step = s0->step;
    b->time = s0->time;
    if (b->p.check_every <= 0) b->p.check_every = 50;
    mdk_batch *k = &b->k;
    k->nrep = nrep;
    k->ntypes = p->lj.ntypes;
    int rc = SR_OK;
    b->atom0 = malloc(nrep * sizeof(int));
    b->natoms = malloc(nrep * sizeof(int));
    b->ncell = malloc(3 * nrep * sizeof(int));
    b->cell0 = malloc(nrep * sizeof(int));
    b->lo = malloc(3 * nrep * sizeof(double));
    b->len = malloc(3 * nrep * sizeof(double));
    b->kt = malloc(nrep * sizeof(double));
    b->ndeg = malloc(nrep * sizeof(int));
    if (!b->atom0 || !b->natoms || !b->ncell || !b->cell0 || !b->lo || !b->len || !b->kt || !b->ndeg) {
        md_cuda_batch_free(b);
        return SR_ERROR(SR_ENOMEM, "out of memory");
    }
    const md_units *u = md_units_get(b->units);
    long ntot = 0, ncells = 0;
    double max_density = 0.0;
    for (int r = 0; r < nrep; r++) {
        const md_system *s = reps[r].system;
        if ((rc = replica_box(b, r, s, b->ncell + 3 * r))) goto fail;
        b->atom0[r] = (int)ntot;
        b->natoms[r] = s->n;
        b->cell0[r] = (int)ncells;
        ntot += s->n;
        ncells += (long)b->ncell[3 * r] * b->ncell[3 * r + 1] * b->ncell[3 * r + 2];
        for (int d = 0; d < 3; d++) {
            b->lo[3 * r + d] = s->box.lo[d];
            b->len[3 * r + d] = s->box.len[d];
        }
        b->kt[r] = u->boltz * reps[r].temperature;
        b->ndeg[r] = reps[r].dof > 0 ? reps[r].dof : 3 * s->n - 3;
        const double rho = s->n / md_system_volume(s);
        if (rho > max_density) max_density = rho;
    }
    if (ntot > 0x7fffffffL / 8 || ncells > 0x7fffffffL / 64) {
        rc = SR_ERROR(SR_EINVAL, "md_cuda: batch too large (%ld atoms, %ld cells)", ntot, ncells);
        goto fail;
    }
    k->ntot = (int)ntot;
    k->ncells = (int)ncells;
    int nchunks = 0;
    for (int r = 0; r < nrep; r++) nchunks += (b->natoms[r] + MDK_RED_THREADS - 1) / MDK_RED_THREADS;
    k->nchunks = nchunks;
    const double reach = b->cutoff + b->skin;
    /* capacities: twice the mean cell occupancy of the densest replica, 1.5 x its mean list length (the
     * chunk checks grow them when a fluctuation needs more) */
    double vcell_max = 0.0;
    for (int r = 0; r < nrep; r++) {
        double v = 1.0;
        for (int d = 0; d < 3; d++) v *= b->len[3 * r + d] / b->ncell[3 * r + d];
        if (v > vcell_max) vcell_max = v;
    }
    k->cell_cap = p->cell_capacity > 0 ? p->cell_capacity : (int)ceil(2.0 * max_density * vcell_max) + 8;
    k->nl_cap = p->list_capacity > 0 ? p->list_capacity
                                     : (int)ceil(1.5 * max_density * 4.18879020478639 * reach * reach * reach) + 16;
    k->list_cut2 = reach * reach;
    k->half_skin2 = 0.25 * b->skin * b->skin;
    k->dt = p->dt;
    k->ftm2v = u->ftm2v;
    k->mvv2e = u->mvv2e;
    k->tau_half = p->thermostat == MD_THERMO_BUSSI ? p->tau_t / (0.5 * p->dt) : 0.0;
    k->seed = p->seed;

    /* back-end arrays */
    const size_t N = (size_t)ntot, R = (size_t)nrep, C = (size_t)ncells, nt = (size_t)p->lj.ntypes;
#define BA(ptr, bytes)                                                    \
    do {                                                                  \
        void *tmp_;                                                       \
        if ((rc = balloc(b, &tmp_, (bytes)))) goto fail;                  \
        *(void **)&(ptr) = tmp_;                                          \
    } while (0)
    BA(k->rep, N * sizeof(int));
    BA(k->type, N * sizeof(int));
    BA(k->x, 3 * N * sizeof(double));
    BA(k->v, 3 * N * sizeof(double));
    BA(k->f, 3 * N * sizeof(double));
    BA(k->img, 3 * N * sizeof(int));
    BA(k->xbuild, 3 * N * sizeof(double));
    BA(k->eatom, N * sizeof(double));
    BA(k->vatom, 6 * N * sizeof(double));
    BA(k->atom0, R * sizeof(int));
    BA(k->natoms, R * sizeof(int));
    BA(k->lo, 3 * R * sizeof(double));
    BA(k->len, 3 * R * sizeof(double));
    BA(k->ncell, 3 * R * sizeof(int));
    BA(k->cell0, R * sizeof(int));
    BA(k->rebuild, R * sizeof(int));
    BA(k->nbuilds, R * sizeof(int));
    BA(k->ke, R * sizeof(double));
    BA(k->alpha, R * sizeof(double));
    BA(k->heat, R * sizeof(double));
    BA(k->pe, R * sizeof(double));
    BA(k->virial, 6 * R * sizeof(double));
    BA(k->kt, R * sizeof(double));
    BA(k->ndeg, R * sizeof(int));
    BA(k->stream, R * sizeof(uint64_t));
    BA(k->chunk_rep, (size_t)nchunks * sizeof(int));
    BA(k->chunk0, R * sizeof(int));
    BA(k->part, (size_t)nchunks * MDK_RED_VALUES * sizeof(double));
    BA(k->cell_rep, C * sizeof(int));
    BA(k->cell_count, C * sizeof(int));
    BA(k->nl_num, N * sizeof(int));
    BA(k->overflow, 2 * sizeof(int));
    BA(k->coeff, nt * nt * sizeof(md_lj_coeff));
    BA(k->mass, nt * sizeof(double));
    BA(b->snap_x, 3 * N * sizeof(double));
    BA(b->snap_v, 3 * N * sizeof(double));
    BA(b->snap_img, 3 * N * sizeof(int));
    BA(b->snap_heat, R * sizeof(double));
#undef BA
    if ((rc = alloc_lists(b))) goto fail;

    /* host images of the per-atom and per-replica inputs, then one upload each */
    {
        double *hx = malloc(3 * N * sizeof(double)), *hv = malloc(3 * N * sizeof(double));
        int *himg = malloc(3 * N * sizeof(int)), *hrep = malloc(N * sizeof(int)), *htype = malloc(N * sizeof(int));
        int *hcrep = malloc((C ? C : 1) * sizeof(int));
        uint64_t *hstream = malloc(R * sizeof(uint64_t));
        int *hchrep = malloc((size_t)nchunks * sizeof(int)), *hch0 = malloc(R * sizeof(int));
        double *halpha = malloc(R * sizeof(double));
        md_lj_coeff coeff[MD_LJ_MAXTYPES * MD_LJ_MAXTYPES];
        double mass[MD_LJ_MAXTYPES];
        if (!hx || !hv || !himg || !hrep || !htype || !hcrep || !hstream || !halpha || !hchrep || !hch0) {
            rc = SR_ERROR(SR_ENOMEM, "out of memory");
        } else {
            for (int r = 0; r < nrep; r++) {
                const md_system *s = reps[r].system;
                const size_t a0 = (size_t)b->atom0[r];
                wrapped(s, hx + 3 * a0, himg + 3 * a0);
                memcpy(hv + 3 * a0, s->v, 3 * (size_t)s->n * sizeof(double));
                for (int i = 0; i < s->n; i++) {
                    hrep[a0 + i] = r;
                    htype[a0 + i] = s->type[i];
                }
                const int nc = b->ncell[3 * r] * b->ncell[3 * r + 1] * b->ncell[3 * r + 2];
                for (int c = 0; c < nc; c++) hcrep[b->cell0[r] + c] = r;
                hstream[r] = reps[r].stream;
                halpha[r] = 1.0;
                hch0[r] = r ? hch0[r - 1] + (b->natoms[r - 1] + MDK_RED_THREADS - 1) / MDK_RED_THREADS : 0;
                for (int c = 0; c < (s->n + MDK_RED_THREADS - 1) / MDK_RED_THREADS; c++) hchrep[hch0[r] + c] = r;
            }
            for (int a = 0; a < p->lj.ntypes; a++) {
                mass[a] = a < s0->ntypes ? s0->mass[a] : 1.0;
                for (int c = 0; c < p->lj.ntypes; c++)
                    coeff[a * p->lj.ntypes + c] = md_lj_pair_coeff(p->lj.epsilon[a], p->lj.sigma[a], p->lj.epsilon[c],
                                                                   p->lj.sigma[c], p->lj.cutoff, p->lj.shift,
                                                                   p->lj.mixing);
            }
            for (int a = 0; a < s0->ntypes; a++)
                if (!(mass[a] > 0)) rc = SR_ERROR(SR_EINVAL, "md_cuda: type %d has no positive mass", a + 1);
            k->single_type = p->lj.ntypes == 1;
            const mdk_ops *o = b->ops;
            if (!rc) rc = o->put(k->x, hx, 3 * N * sizeof(double));
            if (!rc) rc = o->put(k->v, hv, 3 * N * sizeof(double));
            if (!rc) rc = o->put(k->img, himg, 3 * N * sizeof(int));
            if (!rc) rc = o->put((void *)k->rep, hrep, N * sizeof(int));
            if (!rc) rc = o->put((void *)k->type, htype, N * sizeof(int));
            if (!rc) rc = o->put((void *)k->atom0, b->atom0, R * sizeof(int));
            if (!rc) rc = o->put((void *)k->natoms, b->natoms, R * sizeof(int));
            if (!rc) rc = o->put((void *)k->lo, b->lo, 3 * R * sizeof(double));
            if (!rc) rc = o->put((void *)k->len, b->len, 3 * R * sizeof(double));
            if (!rc) rc = o->put((void *)k->ncell, b->ncell, 3 * R * sizeof(int));
            if (!rc) rc = o->put((void *)k->cell0, b->cell0, R * sizeof(int));
            if (!rc) rc = o->put((void *)k->kt, b->kt, R * sizeof(double));
            if (!rc) rc = o->put((void *)k->ndeg, b->ndeg, R * sizeof(int));
            if (!rc) rc = o->put((void *)k->stream, hstream, R * sizeof(uint64_t));
            if (!rc) rc = o->put(k->alpha, halpha, R * sizeof(double));
            if (!rc) rc = o->put((void *)k->cell_rep, hcrep, C * sizeof(int));
            if (!rc) rc = o->put((void *)k->chunk_rep, hchrep, (size_t)nchunks * sizeof(int));
            if (!rc) rc = o->put((void *)k->chunk0, hch0, R * sizeof(int));
            if (!rc) rc = o->put((void *)k->coeff, coeff, nt * nt * sizeof(md_lj_coeff));
            if (!rc) rc = o->put((void *)k->mass, mass, nt * sizeof(double));
        }
        free(hx);
        free(hv);
        free(himg);
        free(hrep);
        free(htype);
        free(hcrep);
        free(hstream);
        free(halpha);
        free(hchrep);
        free(hch0);
        if (rc) goto fail;
    }
    if ((rc = full_compute(b))) goto fail;
    *out = b;
    return SR_OK;
fail:
    md_cuda_batch_free(b);
    return rc;
}

static int snapshot(md_cuda_batch *b, int restore)
{
    const size_t N = (size_t)b->k.ntot, R = (size_t)b->k.nrep;
    const mdk_ops *o = b->ops;
    if (!restore) {
        SR_TRY(o->copy(b->snap_x, b->k.x, 3 * N * sizeof(double)));
        SR_TRY(o->copy(b->snap_v, b->k.v, 3 * N * sizeof(double)));
        SR_TRY(o->copy(b->snap_img, b->k.img, 3 * N * sizeof(int)));
        return o->copy(b->snap_heat, b->k.heat, R * sizeof(double));
    }
    SR_TRY(o->copy(b->k.x, b->snap_x, 3 * N * sizeof(double)));
    SR_TRY(o->copy(b->k.v, b->snap_v, 3 * N * sizeof(double)));
    SR_TRY(o->copy(b->k.img, b->snap_img, 3 * N * sizeof(int)));
    return o->copy(b->k.heat, b->snap_heat, R * sizeof(double));
}

/* One chunk of steps: the CPU integrator's step (md_integrate.c one_step) for every replica, the two
 * thermostat half steps between consecutive steps done by one replica kernel. */
static int chunk(md_cuda_batch *b, long nsteps, int want_ev_last)
{
    const mdk_ops *o = b->ops;
    const mdk_batch *k = &b->k;
    SR_TRY(o->replica(k, MDK_REPLICA_START, b->step));
    for (long s = 0; s < nsteps; s++) {
        const long step = b->step + s;
        const int last = s == nsteps - 1;
        SR_TRY(o->kick_drift(k));
        SR_TRY(o->rebuild(k));
        SR_TRY(o->force(k, last && want_ev_last));
        SR_TRY(o->replica(k, last ? MDK_REPLICA_LAST : MDK_REPLICA_STEP, step));
    }
    return o->scale(k);
}

/* Kinetic energies of all replicas (host) for the blow-up check. */
static int check_replicas(md_cuda_batch *b)
{
    const int R = b->k.nrep;
    double *ke = malloc((size_t)R * sizeof(double));
    if (!ke) return SR_ERROR(SR_ENOMEM, "out of memory");
    int rc = b->ops->get(ke, b->k.ke, (size_t)R * sizeof(double));
    const double boltz = md_units_get(b->units)->boltz;
    for (int r = 0; !rc && r < R; r++) {
        const double T = 2.0 * ke[r] / (b->ndeg[r] * boltz);
        const double Tref = b->kt[r] > 0 ? b->kt[r] / boltz : 1.0;
        if (!isfinite(T) || T > 1e3 * Tref + 1e4)
            rc = SR_ERROR(SR_ENUMERIC, "md_cuda: replica %d: temperature exploded to %g by step %ld", r, T, b->step);
    }
    free(ke);
    return rc;
}

int md_cuda_batch_run(md_cuda_batch *b, long nsteps)
{
    if (nsteps < 0) return SR_ERROR(SR_EINVAL, "md_cuda: negative step count %ld", nsteps);
    long done = 0;
    while (done < nsteps) {
        const long n = nsteps - done < b->p.check_every ? nsteps - done : b->p.check_every;
        const int last_chunk = done + n == nsteps;
        SR_TRY(snapshot(b, 0));
        SR_TRY(chunk(b, n, last_chunk));
        int grown;
        SR_TRY(check_overflow(b, &grown));
        if (grown) {
            /* a cell or list was too small somewhere in this chunk: redo it from its start (same random
             * counters, so the same noise) with the larger capacities */
            SR_TRY(snapshot(b, 1));
            SR_TRY(full_compute(b));
            continue;
        }
        b->step += n;
        b->time += n * b->p.dt;
        done += n;
        SR_TRY(check_replicas(b));
    }
    if (nsteps > 0) {
        SR_TRY(b->ops->reduce_ev(&b->k));
        b->have_ev = 1;
    }
    return SR_OK;
}

int md_cuda_batch_get(const md_cuda_batch *b, int r, md_system *s)
{
    if (r < 0 || r >= b->k.nrep) return SR_ERROR(SR_EINVAL, "md_cuda: no replica %d (batch of %d)", r, b->k.nrep);
    if (s->n != b->natoms[r])
        return SR_ERROR(SR_EINVAL, "md_cuda: replica %d has %d atoms, the system %d", r, b->natoms[r], s->n);
    const size_t a0 = (size_t)b->atom0[r], n = (size_t)s->n;
    const mdk_ops *o = b->ops;
    SR_TRY(o->get(s->x, b->k.x + 3 * a0, 3 * n * sizeof(double)));
    SR_TRY(o->get(s->v, b->k.v + 3 * a0, 3 * n * sizeof(double)));
    SR_TRY(o->get(s->f, b->k.f + 3 * a0, 3 * n * sizeof(double)));
    SR_TRY(o->get(s->image, b->k.img + 3 * a0, 3 * n * sizeof(int)));
    s->nghost = 0;
    for (int d = 0; d < 3; d++) {
        s->box.lo[d] = b->lo[3 * r + d];
        s->box.len[d] = b->len[3 * r + d];
    }
    s->step = b->step;
    s->time = b->time;
    return SR_OK;
}

int md_cuda_batch_set(md_cuda_batch *b, int r, const md_system *s)
{
    if (r < 0 || r >= b->k.nrep) return SR_ERROR(SR_EINVAL, "md_cuda: no replica %d (batch of %d)", r, b->k.nrep);
    if (s->n != b->natoms[r])
        return SR_ERROR(SR_EINVAL, "md_cuda: replica %d has %d atoms, the system %d", r, b->natoms[r], s->n);
    int nc[3];
    SR_TRY(replica_box(b, r, s, nc));
    if (nc[0] * nc[1] * nc[2] > b->ncell[3 * r] * b->ncell[3 * r + 1] * b->ncell[3 * r + 2])
        return SR_ERROR(SR_EINVAL, "md_cuda: replica %d: the new box needs more cells than the batch holds for it", r);
    const size_t a0 = (size_t)b->atom0[r], n = (size_t)s->n;
    double *x = malloc(3 * n * sizeof(double));
    int *img = malloc(3 * n * sizeof(int)), *type = malloc(n * sizeof(int));
    int rc = (!x || !img || !type) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    if (!rc) {
        wrapped(s, x, img);
        memcpy(type, s->type, n * sizeof(int));
        for (size_t i = 0; i < n && !rc; i++)
            if (type[i] < 0 || type[i] >= b->k.ntypes) rc = SR_ERROR(SR_EINVAL, "md_cuda: replica %d: bad atom type", r);
    }
    const mdk_ops *o = b->ops;
    if (!rc) rc = o->put(b->k.x + 3 * a0, x, 3 * n * sizeof(double));
    if (!rc) rc = o->put(b->k.v + 3 * a0, s->v, 3 * n * sizeof(double));
    if (!rc) rc = o->put(b->k.img + 3 * a0, img, 3 * n * sizeof(int));
    if (!rc) rc = o->put((void *)(b->k.type + a0), type, n * sizeof(int));
    if (!rc) {
        for (int d = 0; d < 3; d++) {
            b->lo[3 * r + d] = s->box.lo[d];
            b->len[3 * r + d] = s->box.len[d];
            b->ncell[3 * r + d] = nc[d];
        }
        rc = o->put((void *)(b->k.lo + 3 * r), b->lo + 3 * r, 3 * sizeof(double));
        if (!rc) rc = o->put((void *)(b->k.len + 3 * r), b->len + 3 * r, 3 * sizeof(double));
        if (!rc) rc = o->put((void *)(b->k.ncell + 3 * r), b->ncell + 3 * r, 3 * sizeof(int));
    }
    free(x);
    free(img);
    free(type);
    if (rc) return rc;
    return full_compute(b);
}

int md_cuda_batch_thermo(md_cuda_batch *b, int r, md_cuda_thermo *t)
{
    if (r < 0 || r >= b->k.nrep) return SR_ERROR(SR_EINVAL, "md_cuda: no replica %d (batch of %d)", r, b->k.nrep);
    if (!b->have_ev) SR_TRY(full_compute(b));
    const md_units *u = md_units_get(b->units);
    double pe, heat, w[6];
    const size_t a0 = (size_t)b->atom0[r], n = (size_t)b->natoms[r];
    double *v = malloc(3 * n * sizeof(double));
    int *type = malloc(n * sizeof(int));
    double mass[MD_LJ_MAXTYPES];
    int rc = (!v || !type) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    const mdk_ops *o = b->ops;
    if (!rc) rc = o->get(&pe, b->k.pe + r, sizeof pe);
    if (!rc) rc = o->get(&heat, b->k.heat + r, sizeof heat);
    if (!rc) rc = o->get(w, b->k.virial + 6 * r, sizeof w);
    if (!rc) rc = o->get(v, b->k.v + 3 * a0, 3 * n * sizeof(double));
    if (!rc) rc = o->get(type, b->k.type + a0, n * sizeof(int));
    if (!rc) rc = o->get(mass, b->k.mass, (size_t)b->k.ntypes * sizeof(double));
    if (!rc) {
        double mv2 = 0.0;
        for (size_t i = 0; i < n; i++)
            mv2 += mass[type[i]] * (v[3 * i] * v[3 * i] + v[3 * i + 1] * v[3 * i + 1] + v[3 * i + 2] * v[3 * i + 2]);
        memset(t, 0, sizeof *t);
        t->step = b->step;
        t->time = b->time;
        t->pe = pe;
        t->ke = 0.5 * u->mvv2e * mv2;
        t->etotal = t->pe + t->ke;
        t->temperature = 2.0 * t->ke / (b->ndeg[r] * u->boltz);
        memcpy(t->virial, w, sizeof w);
        const double V = b->len[3 * r] * b->len[3 * r + 1] * b->len[3 * r + 2];
        t->pressure = (2.0 * t->ke / 3.0 + (w[0] + w[1] + w[2]) / 3.0) / V * u->nktv2p;
        t->heat = heat;
        t->conserved = t->etotal + heat;
    }
    free(v);
    free(type);
    return rc;
}

void md_cuda_batch_stats(const md_cuda_batch *b, md_cuda_stats *st)
{
    memset(st, 0, sizeof *st);
    st->steps = b->step;
    st->regrowths = b->regrowths;
    st->cell_capacity = b->k.cell_cap;
    st->list_capacity = b->k.nl_cap;
    st->bytes = b->bytes;
    int *nb = malloc((size_t)b->k.nrep * sizeof(int));
    if (nb && !b->ops->get(nb, b->k.nbuilds, (size_t)b->k.nrep * sizeof(int)))
        for (int r = 0; r < b->k.nrep; r++) st->list_builds += nb[r];
    free(nb);
}
