/* Lennard-Jones 12-6 pair potential with cutoff, optional shift, per-type parameters and mixing.
 * E = 4 eps [(sig/r)^12 - (sig/r)^6] - E_shift, as LAMMPS pair_style lj/cut (+ pair_modify shift yes). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "md.h"
#include "md_lj_kernel.h"
#include "md_simd.h"

typedef struct lj_state {
    md_lj_params p;
    int nt;
    /* per type pair, flattened [a*nt+b] */
    double cutsq[MD_LJ_MAXTYPES * MD_LJ_MAXTYPES];
    double lj1[MD_LJ_MAXTYPES * MD_LJ_MAXTYPES]; /* 48 eps sig^12 */
    double lj2[MD_LJ_MAXTYPES * MD_LJ_MAXTYPES]; /* 24 eps sig^6 */
    double lj3[MD_LJ_MAXTYPES * MD_LJ_MAXTYPES]; /* 4 eps sig^12 */
    double lj4[MD_LJ_MAXTYPES * MD_LJ_MAXTYPES]; /* 4 eps sig^6 */
    double offset[MD_LJ_MAXTYPES * MD_LJ_MAXTYPES];
    int kernel; /* md_kernel: which force loop runs (MD_KERNEL_AUTO resolved at set-up) */
    int threads;               /* blocks of a force call (md_threads); 0 or 1: the serial loop */
    md_thread_scratch scratch; /* per-block force arrays */
} lj_state;

static int lj_setup(lj_state *st, const md_lj_params *p)
{
    if (p->ntypes < 1 || p->ntypes > MD_LJ_MAXTYPES)
        return SR_ERROR(SR_EINVAL, "lj: number of types %d out of range [1, %d]", p->ntypes, MD_LJ_MAXTYPES);
    if (!(p->cutoff > 0) || !isfinite(p->cutoff))
        return SR_ERROR(SR_EINVAL, "lj: cutoff must be positive (got %g)", p->cutoff);
    for (int a = 0; a < p->ntypes; a++)
        if (!(p->epsilon[a] >= 0) || !(p->sigma[a] > 0))
            return SR_ERROR(SR_EINVAL, "lj: type %d needs epsilon >= 0 and sigma > 0 (got %g, %g)", a + 1,
                            p->epsilon[a], p->sigma[a]);
    st->p = *p;
    st->nt = p->ntypes;
    SR_TRY(md_kernel_resolve(MD_KERNEL_AUTO, &st->kernel));
    for (int a = 0; a < st->nt; a++)
        for (int b = 0; b < st->nt; b++) {
            const md_lj_coeff c = md_lj_pair_coeff(p->epsilon[a], p->sigma[a], p->epsilon[b], p->sigma[b],
                                                   p->cutoff, p->shift, p->mixing);
            const int k = a * st->nt + b;
            st->cutsq[k] = c.cutsq;
            st->lj1[k] = c.lj1;
            st->lj2[k] = c.lj2;
            st->lj3[k] = c.lj3;
            st->lj4[k] = c.lj4;
            st->offset[k] = c.offset;
        }
    return SR_OK;
}

typedef struct lj_config {
    sr_reals epsilon, sigma;
    double cutoff;
    int shift;
    int mixing;
} lj_config;

static const sr_keyword lj_keywords[] = {
    {"epsilon", SR_KW_REALS, offsetof(lj_config, epsilon), "energy", "1.0", 0, 1e10, NULL,
     "well depth per atom type"},
    {"sigma", SR_KW_REALS, offsetof(lj_config, sigma), "length", "1.0", 1e-6, 1e10, NULL,
     "size parameter per atom type"},
    {"cutoff", SR_KW_REAL, offsetof(lj_config, cutoff), "length", "2.5", 1e-6, 1e10, NULL,
     "interaction cutoff (global)"},
    {"shift", SR_KW_BOOL, offsetof(lj_config, shift), "", "no", 0, 1, NULL,
     "shift the energy to zero at the cutoff (LAMMPS pair_modify shift yes)"},
    {"mixing", SR_KW_CHOICE, offsetof(lj_config, mixing), "", "geometric", 0, 0, "geometric|arithmetic",
     "mixing rule for unlike pairs"},
    SR_KW_END};

static int lj_create(void **state, const void *config, const md_system *s, const char *basedir)
{
    (void)basedir;
    const lj_config *c = config;
    md_lj_params p = {0};
    p.ntypes = s ? s->ntypes : c->epsilon.n;
    if (p.ntypes > MD_LJ_MAXTYPES)
        return SR_ERROR(SR_EINVAL, "lj: at most %d atom types (system has %d)", MD_LJ_MAXTYPES, p.ntypes);
    for (int t = 0; t < p.ntypes; t++) {
        /* one value applies to all types; otherwise one per type */
        if (c->epsilon.n != 1 && c->epsilon.n != p.ntypes)
            return SR_ERROR(SR_EINVAL, "lj: epsilon needs 1 or %d values (got %d)", p.ntypes, c->epsilon.n);
        if (c->sigma.n != 1 && c->sigma.n != p.ntypes)
            return SR_ERROR(SR_EINVAL, "lj: sigma needs 1 or %d values (got %d)", p.ntypes, c->sigma.n);
        p.epsilon[t] = c->epsilon.v[c->epsilon.n == 1 ? 0 : t];
        p.sigma[t] = c->sigma.v[c->sigma.n == 1 ? 0 : t];
    }
    p.cutoff = c->cutoff;
    p.shift = c->shift;
    p.mixing = c->mixing;
    lj_state *st = calloc(1, sizeof *st);
    if (!st) return SR_ERROR(SR_ENOMEM, "out of memory");
    int rc = lj_setup(st, &p);
    if (rc) {
        free(st);
        return rc;
    }
    *state = st;
    return SR_OK;
}

/* Pair physics (md_lj_kernel.h), written once for every kernel below and for the CUDA batch kernels: for
 * r^2 = r2 inside the cutoff, the force factor fpair = -(dE/dr)/r (so f_i += d fpair with d = x_i - x_j) and
 * the pair energy. */
/* The reference loop: scalar, one pair at a time, a branch for the cutoff. `single` = 1 lets the compiler
 * hoist the (only) type pair's parameters. Kept as the readable definition and as the yardstick of the
 * vectorised kernels (tests/test_md_lj_simd.c). */
static inline __attribute__((always_inline)) double lj_loop(const lj_state *st, const md_system *s,
                                                            const md_nlist *nl, int lo, int hi, double *restrict f,
                                                            int want_e, double *eatom, const int single)
{
    const int nt = st->nt;
    const double *restrict x = s->x;
    const int *restrict type = s->type;
    const int *restrict neigh = nl->neigh;
    const double c0 = st->cutsq[0], a0 = st->lj1[0], b0 = st->lj2[0], e0 = st->lj3[0], g0 = st->lj4[0],
                 o0 = st->offset[0];
    double energy = 0.0;
    for (int i = lo; i < hi; i++) {
        const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
        const int ti = single ? 0 : type[i] * nt;
        double fxi = 0, fyi = 0, fzi = 0;
        const int *jl = neigh + nl->first[i];
        const int jn = nl->num[i];
        for (int q = 0; q < jn; q++) {
            const int j = jl[q];
            const double dx = xi - x[3 * j], dy = yi - x[3 * j + 1], dz = zi - x[3 * j + 2];
            const double r2 = dx * dx + dy * dy + dz * dz;
            const int k = single ? 0 : ti + type[j];
            const double cutsq = single ? c0 : st->cutsq[k];
            if (r2 >= cutsq) continue;
            const double lj1 = single ? a0 : st->lj1[k], lj2 = single ? b0 : st->lj2[k];
            const double r2i = 1.0 / r2, r6i = r2i * r2i * r2i;
            const double fpair = md_lj_fpair(r2i, r6i, lj1, lj2);
            fxi += dx * fpair;
            fyi += dy * fpair;
            fzi += dz * fpair;
            f[3 * j] -= dx * fpair;
            f[3 * j + 1] -= dy * fpair;
            f[3 * j + 2] -= dz * fpair;
            if (want_e) {
                const double lj3 = single ? e0 : st->lj3[k], lj4 = single ? g0 : st->lj4[k];
                const double e = md_lj_epair(r6i, lj3, lj4, single ? o0 : st->offset[k]);
                energy += e;
                if (eatom) {
                    eatom[i] += 0.5 * e;
                    eatom[j] += 0.5 * e;
                }
            }
        }
        f[3 * i] += fxi;
        f[3 * i + 1] += fyi;
        f[3 * i + 2] += fzi;
    }
    return energy;
}

static double lj_reference(const lj_state *st, const md_system *s, const md_nlist *nl, int lo, int hi, double *f,
                           int want_e, double *eatom)
{
    if (st->nt == 1)
        return want_e ? lj_loop(st, s, nl, lo, hi, f, 1, eatom, 1) : lj_loop(st, s, nl, lo, hi, f, 0, NULL, 1);
    return lj_loop(st, s, nl, lo, hi, f, want_e, eatom, 0);
}

/* The vectorised loop: the same pairs with the same arithmetic per pair, and every sum taken in the
 * reference's order, so forces, energies and per-atom energies are bit-identical to lj_loop (with the
 * compiler's default -ffp-contract=off of ISO C; tests/test_md_lj_simd.c) and trajectories do not change.
 * The neighbours of atom i go in chunks through three loops:
 *   pack:    their positions (and type-pair rows) copied to contiguous arrays - plain loads, as x86 gather
 *            instructions are no faster;
 *   compute: the pair terms, vectorised (#pragma omp simd; check with -fopt-info-vec-optimized): no branch
 *            (the cutoff is a 0/1 weight; pairs beyond it contribute exact zeros), blocks of one AVX-512
 *            vector with the chunk padded by partners beyond the cutoff, so no scalar remainder;
 *   apply:   the per-pair forces summed onto i and subtracted from j in list order (a scatter, scalar: the
 *            j of one list are distinct, but x86 scatters are slow and the order fixes the rounding). */
#define LJ_CHUNK 64
#define LJ_PAD 8 /* doubles in the widest vector (AVX-512) */
static inline __attribute__((always_inline)) double lj_loop_simd(const lj_state *st, const md_system *s,
                                                                 const md_nlist *nl, const int lo, const int hi,
                                                                 double *restrict f, const int want_e,
                                                                 double *eatom, const int per_atom,
                                                                 const int single)
{
    const int nt = st->nt;
    const double *restrict x = s->x;
    const int *restrict type = s->type;
    const int *restrict neigh = nl->neigh;
    const double c0 = st->cutsq[0], a0 = st->lj1[0], b0 = st->lj2[0], e0 = st->lj3[0], g0 = st->lj4[0],
                 o0 = st->offset[0];
    const double pad_distance = 2.0 * st->p.cutoff;
    double energy = 0.0;
    double px[LJ_CHUNK] __attribute__((aligned(64))), py[LJ_CHUNK] __attribute__((aligned(64)));
    double pz[LJ_CHUNK] __attribute__((aligned(64)));
    double tx[LJ_CHUNK] __attribute__((aligned(64))), ty[LJ_CHUNK] __attribute__((aligned(64)));
    double tz[LJ_CHUNK] __attribute__((aligned(64))), te[LJ_CHUNK] __attribute__((aligned(64)));
    int pk[LJ_CHUNK] __attribute__((aligned(64)));
    for (int i = lo; i < hi; i++) {
        const double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
        const int ti = single ? 0 : type[i] * nt;
        double fxi = 0, fyi = 0, fzi = 0;
        const int *jl = neigh + nl->first[i];
        const int jn = nl->num[i];
        for (int q0 = 0; q0 < jn; q0 += LJ_CHUNK) {
            const int m = jn - q0 < LJ_CHUNK ? jn - q0 : LJ_CHUNK;
            const int *restrict jc = jl + q0;
            for (int q = 0; q < m; q++) {
                const int j = jc[q];
                px[q] = x[3 * j];
                py[q] = x[3 * j + 1];
                pz[q] = x[3 * j + 2];
                if (!single) pk[q] = ti + type[j];
            }
            const int mpad = (m + LJ_PAD - 1) / LJ_PAD * LJ_PAD;
            for (int q = m; q < mpad; q++) {
                px[q] = xi + pad_distance;
                py[q] = yi;
                pz[q] = zi;
                pk[q] = 0;
            }
            for (int b = 0; b < mpad; b += LJ_PAD) {
/* no aligned() clause: clang 14 with -fsanitize=undefined crashes on it (the fuzz build); the arrays are
                 * declared aligned(64) above, which GCC sees anyway */
#pragma omp simd
                for (int l = 0; l < LJ_PAD; l++) {
                    const int q = b + l;
                    const double dx = xi - px[q], dy = yi - py[q], dz = zi - pz[q];
                    const double r2 = dx * dx + dy * dy + dz * dz;
                    const int k = single ? 0 : pk[q];
                    /* a select between constants is branch-free on every ISA; `inside ? arithmetic : 0`
                     * stays a branch (the arithmetic might trap) and blocks vectorisation without AVX-512 */
                    const double inside = r2 < (single ? c0 : st->cutsq[k]) ? 1.0 : 0.0;
                    const double r2i = 1.0 / r2, r6i = r2i * r2i * r2i;
                    const double fpair =
                        inside * md_lj_fpair(r2i, r6i, single ? a0 : st->lj1[k], single ? b0 : st->lj2[k]);
                    tx[q] = dx * fpair;
                    ty[q] = dy * fpair;
                    tz[q] = dz * fpair;
                    if (want_e)
                        te[q] = inside * md_lj_epair(r6i, single ? e0 : st->lj3[k], single ? g0 : st->lj4[k],
                                                  single ? o0 : st->offset[k]);
                }
            }
            for (int q = 0; q < m; q++) {
                const int j = jc[q];
                fxi += tx[q];
                fyi += ty[q];
                fzi += tz[q];
                f[3 * j] -= tx[q];
                f[3 * j + 1] -= ty[q];
                f[3 * j + 2] -= tz[q];
                if (want_e) {
                    energy += te[q];
                    if (per_atom) {
                        eatom[i] += 0.5 * te[q];
                        eatom[j] += 0.5 * te[q];
                    }
                }
            }
        }
        f[3 * i] += fxi;
        f[3 * i + 1] += fyi;
        f[3 * i + 2] += fzi;
    }
    return energy;
}

/* One copy of the vectorised loop per instruction set; the CPU picks at run time (lj_kernel_pick), so the
 * default portable build reaches AVX2/AVX-512 without -march=native. */
#define LJ_SIMD_VARIANT(NAME, ATTR)                                                                       \
    static ATTR double NAME(const lj_state *st, const md_system *s, const md_nlist *nl, int lo, int hi,    \
                            double *f, int want_e, double *eatom)                                         \
    {                                                                                                     \
        if (st->nt == 1) {                                                                                \
            if (!want_e) return lj_loop_simd(st, s, nl, lo, hi, f, 0, NULL, 0, 1);                        \
            return eatom ? lj_loop_simd(st, s, nl, lo, hi, f, 1, eatom, 1, 1)                             \
                         : lj_loop_simd(st, s, nl, lo, hi, f, 1, NULL, 0, 1);                             \
        }                                                                                                 \
        if (!want_e) return lj_loop_simd(st, s, nl, lo, hi, f, 0, NULL, 0, 0);                            \
        return eatom ? lj_loop_simd(st, s, nl, lo, hi, f, 1, eatom, 1, 0)                                 \
                     : lj_loop_simd(st, s, nl, lo, hi, f, 1, NULL, 0, 0);                                 \
    }
LJ_SIMD_VARIANT(lj_simd_default, )
#if MD_SIMD_X86
LJ_SIMD_VARIANT(lj_simd_avx2, MD_TARGET_AVX2)
LJ_SIMD_VARIANT(lj_simd_avx512, MD_TARGET_AVX512)
#endif

typedef double (*lj_kernel_fn)(const lj_state *, const md_system *, const md_nlist *, int, int, double *, int,
                               double *);
static const lj_kernel_fn lj_kernels[MD_KERNEL_NKINDS] = {
    [MD_KERNEL_REFERENCE] = lj_reference,
    [MD_KERNEL_SIMD] = lj_simd_default,
#if MD_SIMD_X86
    [MD_KERNEL_AVX2] = lj_simd_avx2,
    [MD_KERNEL_AVX512] = lj_simd_avx512,
#endif
};

typedef struct lj_block_ctx {
    const lj_state *st;
    const md_system *s;
    const md_nlist *nl;
    lj_kernel_fn kern;
    int want_e;
} lj_block_ctx;

static double lj_block(void *ctx, int b, int lo, int hi, double *f, double *eatom)
{
    (void)b;
    const lj_block_ctx *c = ctx;
    return c->kern(c->st, c->s, c->nl, lo, hi, f, c->want_e, eatom);
}

static int lj_compute(void *state, md_system *s, const md_nlist *nl, unsigned want, md_result *r)
{
    lj_state *st = state;
    const int want_e = (want & MD_WANT_ENERGY) != 0;
    double *eatom = (want & MD_WANT_EATOM) ? r->eatom : NULL;
    const lj_kernel_fn kern = lj_kernels[st->kernel];
    const int T = st->threads;
    if (T <= 1) {
        r->energy += kern(st, s, nl, 0, nl->n, s->f, want_e, eatom);
        return SR_OK;
    }
    /* T blocks of atoms (md_thread_blocks_run) */
    lj_block_ctx ctx = {st, s, nl, kern, want_e};
    double e;
    SR_TRY(md_thread_blocks_run(&st->scratch, nl, T, (size_t)s->n + (size_t)s->nghost, s->f, eatom, lj_block, &ctx,
                                &e));
    if (want_e) r->energy += e;
    return SR_OK;
}

static int lj_set_threads(void *state, int threads)
{
    ((lj_state *)state)->threads = threads;
    return SR_OK;
}

static int lj_set_kernel(void *state, int kernel)
{
    return md_kernel_resolve(kernel, &((lj_state *)state)->kernel);
}

static double lj_cutoff(const void *state)
{
    return ((const lj_state *)state)->p.cutoff;
}

static void lj_describe(const void *state, FILE *out)
{
    const lj_state *st = state;
    fprintf(out, "lj: Lennard-Jones 12-6, cutoff %g, %s, %s mixing, %d type(s):", st->p.cutoff,
            st->p.shift ? "energy shifted to 0 at cutoff" : "not shifted",
            st->p.mixing ? "arithmetic" : "geometric", st->nt);
    for (int t = 0; t < st->nt; t++) fprintf(out, " [eps %g sigma %g]", st->p.epsilon[t], st->p.sigma[t]);
    fprintf(out, "; force loop %s", md_kernel_name(st->kernel));
    if (st->threads > 1) fprintf(out, ", %d threads", st->threads);
    fputc('\n', out);
}

static void lj_destroy(void *state)
{
    if (state) md_thread_scratch_free(&((lj_state *)state)->scratch);
    free(state);
}

const md_potential_class md_potential_lj = {
    .name = "lj",
    .keywords = lj_keywords,
    .config_size = sizeof(lj_config),
    .create = lj_create,
    .compute = lj_compute,
    .cutoff = lj_cutoff,
    .nlist_kind = MD_NLIST_HALF,
    .describe = lj_describe,
    .destroy = lj_destroy,
    .set_kernel = lj_set_kernel,
    .set_threads = lj_set_threads,
};

int md_lj_create(const md_lj_params *p, md_potential **out)
{
    *out = NULL;
    lj_state *st = calloc(1, sizeof *st);
    if (!st) return SR_ERROR(SR_ENOMEM, "out of memory");
    int rc = lj_setup(st, p);
    if (!rc) rc = md_potential_wrap(&md_potential_lj, st, out);
    if (rc) free(st);
    return rc;
}
