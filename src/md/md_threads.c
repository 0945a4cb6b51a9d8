/* Threads inside one replica (md.h, "Threads inside one replica"): the thread count, the split of the atoms
 * into blocks of equal work, and the per-block force arrays with their fixed-order sum. The force loops of
 * md_lj.c and md_sw.c use these; the network potential (src/ml) has its own blocks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "md.h"

#ifdef _OPENMP
#include <omp.h>
#endif

int md_threads_available(void)
{
#ifdef _OPENMP
    return 1;
#else
    return 0;
#endif
}

int md_threads_resolve(int requested, int *out)
{
    int t = requested;
    if (t < 0 || t > MD_MAX_THREADS)
        return SR_ERROR(SR_EINVAL, "threads = %d: expected 0 (OMP_NUM_THREADS, else 1) to %d", t, MD_MAX_THREADS);
    if (t == 0) {
        t = 1;
        const char *env = getenv("OMP_NUM_THREADS");
        if (env && *env) {
            char *end;
            errno = 0;
            const long v = strtol(env, &end, 10); /* "4" or "4,2" (nested levels: the first one counts) */
            if (errno || end == env || (*end && *end != ',') || v < 1 || v > MD_MAX_THREADS)
                return SR_ERROR(SR_EINVAL, "OMP_NUM_THREADS=%s: expected a thread count from 1 to %d", env,
                                MD_MAX_THREADS);
            t = (int)v;
        }
    }
    if (t > 1 && !md_threads_available()) {
        if (requested == 0) t = 1; /* OMP_NUM_THREADS is for other programs too: one thread, not an error */
        else return SR_ERROR(SR_EINVAL, "%d threads asked for, but this seedrate was built without OpenMP (1 only)", t);
    }
    *out = t;
    return SR_OK;
}

int md_potential_set_threads(md_potential *p, int threads)
{
    if (!p->cls->set_threads) { /* one thread; OMP_NUM_THREADS (threads = 0) is not an error here */
        if (threads > 1)
            return SR_ERROR(SR_EINVAL, "threads = %d: potential %s runs on one thread", threads, p->cls->name);
        p->threads = 1;
        return SR_OK;
    }
    int t = 1;
    SR_TRY(md_threads_resolve(threads, &t));
    SR_TRY(p->cls->set_threads(p->state, t));
    p->threads = t;
    return SR_OK;
}

void md_thread_blocks(const md_nlist *nl, int nblocks, int *bounds)
{
    const int n = nl->n;
    long total = 0;
    for (int i = 0; i < n; i++) total += nl->num[i];
    bounds[0] = 0;
    long acc = 0;
    int i = 0;
    for (int b = 1; b < nblocks; b++) {
        /* the first atom at which the pairs before it reach b/T of the total (an empty list counts as one pair,
         * so that atoms without neighbours are spread too) */
        const long want = (total + n) * b / nblocks;
        while (i < n && acc + nl->num[i] + 1 <= want) acc += nl->num[i++] + 1;
        bounds[b] = i;
    }
    bounds[nblocks] = n;
}

static int grow(double **a, size_t *cap, size_t need)
{
    if (*cap >= need) return SR_OK;
    free(*a);
    *a = malloc(need * sizeof **a);
    *cap = *a ? need : 0;
    return *a ? SR_OK : SR_ERROR(SR_ENOMEM, "out of memory for per-thread force arrays (%zu doubles)", need);
}

/* dst[k] += blocks[1][k] + ... + blocks[T-1][k], in block order; called inside a parallel region, whose threads
 * share the k */
static void add_blocks(double *dst, double *const *blocks, int nblocks, long n)
{
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
    for (long k = 0; k < n; k++) {
        double sum = dst[k];
        for (int b = 1; b < nblocks; b++) sum += blocks[b][k];
        dst[k] = sum;
    }
}

int md_thread_blocks_run(md_thread_scratch *ts, const md_nlist *nl, int nblocks, size_t rows, double *f,
                         double *eatom, md_block_fn fn, void *ctx, double *energy)
{
    if (nblocks > MD_MAX_THREADS) return SR_ERROR(SR_EINVAL, "%d threads: at most %d", nblocks, MD_MAX_THREADS);
    for (int b = 1; b < nblocks; b++) {
        SR_TRY(grow(&ts->f[b], &ts->frows[b], 3 * rows));
        if (eatom) SR_TRY(grow(&ts->eatom[b], &ts->erows[b], rows));
    }
    int bounds[MD_MAX_THREADS + 1];
    double eb[MD_MAX_THREADS];
    md_thread_blocks(nl, nblocks, bounds);
#ifdef _OPENMP
#pragma omp parallel for schedule(static, 1) num_threads(nblocks)
#endif
    for (int b = 0; b < nblocks; b++) {
        double *fb = f, *eb_atom = eatom;
        if (b > 0) { /* each block zeroes its own arrays, on its own thread */
            fb = ts->f[b];
            memset(fb, 0, 3 * rows * sizeof(double));
            if (eatom) {
                eb_atom = ts->eatom[b];
                memset(eb_atom, 0, rows * sizeof(double));
            }
        }
        eb[b] = fn(ctx, b, bounds[b], bounds[b + 1], fb, eb_atom);
    }
#ifdef _OPENMP
#pragma omp parallel num_threads(nblocks)
#endif
    {
        add_blocks(f, ts->f, nblocks, (long)(3 * rows));
        if (eatom) add_blocks(eatom, ts->eatom, nblocks, (long)rows);
    }
    double e = 0.0;
    for (int b = 0; b < nblocks; b++) e += eb[b];
    *energy = e;
    return SR_OK;
}

void md_thread_scratch_free(md_thread_scratch *ts)
{
    for (int b = 0; b < MD_MAX_THREADS; b++) {
        free(ts->f[b]);
        free(ts->eatom[b]);
        ts->f[b] = ts->eatom[b] = NULL;
        ts->frows[b] = ts->erows[b] = 0;
    }
}
