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

int md_thread_scratch_prepare(md_thread_scratch *ts, int nblocks, size_t rows, int want_eatom)
{
    if (nblocks > MD_MAX_THREADS) return SR_ERROR(SR_EINVAL, "%d threads: at most %d", nblocks, MD_MAX_THREADS);
    for (int b = 1; b < nblocks; b++) {
        SR_TRY(grow(&ts->f[b], &ts->frows[b], 3 * rows));
        if (want_eatom) SR_TRY(grow(&ts->eatom[b], &ts->erows[b], rows));
    }
    return SR_OK;
}

double *md_thread_scratch_zero(md_thread_scratch *ts, int b, size_t rows, double **eatom)
{
    memset(ts->f[b], 0, 3 * rows * sizeof(double));
    if (*eatom) {
        memset(ts->eatom[b], 0, rows * sizeof(double));
        *eatom = ts->eatom[b];
    }
    return ts->f[b];
}

void md_thread_scratch_reduce(const md_thread_scratch *ts, int nblocks, size_t rows, double *f, double *eatom)
{
    const long n3 = (long)(3 * rows), ne = (long)rows;
#ifdef _OPENMP
#pragma omp parallel num_threads(nblocks)
#endif
    {
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (long k = 0; k < n3; k++) {
            double sum = f[k];
            for (int b = 1; b < nblocks; b++) sum += ts->f[b][k];
            f[k] = sum;
        }
        if (eatom) {
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
            for (long k = 0; k < ne; k++) {
                double sum = eatom[k];
                for (int b = 1; b < nblocks; b++) sum += ts->eatom[b][k];
                eatom[k] = sum;
            }
        }
    }
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
