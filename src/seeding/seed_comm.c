/* MPI for seedrate: the one file that calls MPI (CoMD parallel.c style). */
#include "seed_comm.h"

#include <mpi.h>
#include <stdlib.h>
#include <time.h>

#include "../common/sr_error.h"

static int comm_inited_here;

int seed_comm_init(int *argc, char ***argv)
{
    int inited = 0;
    MPI_Initialized(&inited);
    if (inited) return SR_OK;
    if (MPI_Init(argc, argv) != MPI_SUCCESS) return SR_ERROR(SR_EMPI, "MPI_Init failed");
    comm_inited_here = 1;
    return SR_OK;
}

int seed_comm_finalize(void)
{
    int fin = 0;
    MPI_Finalized(&fin);
    if (comm_inited_here && !fin) MPI_Finalize();
    return SR_OK;
}

int seed_comm_rank(void)
{
    int r = 0, inited = 0;
    MPI_Initialized(&inited);
    if (inited) MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int seed_comm_size(void)
{
    int s = 1, inited = 0;
    MPI_Initialized(&inited);
    if (inited) MPI_Comm_size(MPI_COMM_WORLD, &s);
    return s;
}

/* Wait for a non-blocking collective without holding a core: a rank that has run out of replicas waits here for
 * the others, often for minutes, and Open MPI's blocking collectives poll at full speed (yield_when_idle is off
 * unless it sees the node oversubscribed, which it does not when two jobs of 2 ranks share 2 cores). Poll tightly
 * for the first ~1000 tests (short waits stay fast), then every 0.5 ms; MPI_Test keeps progressing the one-sided
 * replica counter, whose window lives on rank 0. Results are unchanged: only the waiting is. */
static int idle_wait(MPI_Request *r)
{
    int done = 0;
    for (long k = 0;; k++) {
        if (MPI_Test(r, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) return MPI_ERR_OTHER;
        if (done) return MPI_SUCCESS;
        if (k >= 1000) {
            struct timespec ts = {0, 500000};
            nanosleep(&ts, NULL);
        }
    }
}

void seed_comm_barrier(void)
{
    MPI_Request r;
    if (MPI_Ibarrier(MPI_COMM_WORLD, &r) == MPI_SUCCESS) idle_wait(&r);
}
void seed_comm_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

int seed_comm_bcast_bytes(void *buf, size_t len) { return seed_comm_bcast_bytes_from(buf, len, 0); }
int seed_comm_bcast_long(long *v) { return seed_comm_bcast_long_from(v, 0); }

int seed_comm_bcast_bytes_from(void *buf, size_t len, int root)
{
    char *p = buf;
    while (len > 0) {
        int chunk = len > (1u << 30) ? (1 << 30) : (int)len;
        MPI_Request r;
        if (MPI_Ibcast(p, chunk, MPI_BYTE, root, MPI_COMM_WORLD, &r) != MPI_SUCCESS || idle_wait(&r) != MPI_SUCCESS)
            return SR_ERROR(SR_EMPI, "MPI_Bcast of %d bytes failed", chunk);
        p += chunk;
        len -= (size_t)chunk;
    }
    return SR_OK;
}

int seed_comm_bcast_long_from(long *v, int root)
{
    MPI_Request r;
    if (MPI_Ibcast(v, 1, MPI_LONG, root, MPI_COMM_WORLD, &r) != MPI_SUCCESS || idle_wait(&r) != MPI_SUCCESS)
        return SR_ERROR(SR_EMPI, "MPI_Bcast failed");
    return SR_OK;
}

int seed_comm_allreduce_sum_long(long *v, int n)
{
    MPI_Request r;
    if (MPI_Iallreduce(MPI_IN_PLACE, v, n, MPI_LONG, MPI_SUM, MPI_COMM_WORLD, &r) != MPI_SUCCESS ||
        idle_wait(&r) != MPI_SUCCESS)
        return SR_ERROR(SR_EMPI, "MPI_Allreduce failed");
    return SR_OK;
}

int seed_comm_allreduce_sum_double(double *v, int n)
{
    MPI_Request r;
    if (MPI_Iallreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, &r) != MPI_SUCCESS ||
        idle_wait(&r) != MPI_SUCCESS)
        return SR_ERROR(SR_EMPI, "MPI_Allreduce failed");
    return SR_OK;
}

int seed_comm_any(int flag)
{
    int in = flag != 0, out = 0;
    MPI_Request r;
    if (MPI_Iallreduce(&in, &out, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD, &r) == MPI_SUCCESS) idle_wait(&r);
    return out;
}

struct seed_queue {
    MPI_Win win;
    long *base;
    int n;
};

int seed_queue_create(int ncounters, seed_queue **out)
{
    *out = NULL;
    seed_queue *q = calloc(1, sizeof *q);
    if (!q) return SR_ERROR(SR_ENOMEM, "out of memory");
    q->n = ncounters;
    MPI_Aint size = seed_comm_rank() == 0 ? (MPI_Aint)(ncounters * sizeof(long)) : 0;
    /* A window over ranks on several nodes needs a one-sided component that reaches them: Open MPI 4.1 picks
     * osc/rdma, which fails over plain TCP (every rank gets MPI_ERR_WIN). Return the error (collective: all ranks
     * get it) with the way out instead of the default abort. */
    MPI_Errhandler eh;
    MPI_Comm_get_errhandler(MPI_COMM_WORLD, &eh);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    const int wrc = MPI_Win_allocate(size, sizeof(long), MPI_INFO_NULL, MPI_COMM_WORLD, &q->base, &q->win);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, eh);
    MPI_Errhandler_free(&eh);
    if (wrc != MPI_SUCCESS) {
        free(q);
        char msg[MPI_MAX_ERROR_STRING];
        int len = 0;
        MPI_Error_string(wrc, msg, &len);
        return SR_ERROR(SR_EMPI, "MPI_Win_allocate (the replica counter, one-sided MPI over all ranks) failed: %s; "
                        "across nodes without InfiniBand/UCX, Open MPI 4.1 needs OMPI_MCA_osc=^rdma (README: "
                        "\"Beyond one machine\")", msg);
    }
    if (seed_comm_rank() == 0) {
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, q->win);
        for (int k = 0; k < ncounters; k++) q->base[k] = 0;
        MPI_Win_unlock(0, q->win);
    }
    seed_comm_barrier();
    *out = q;
    return SR_OK;
}

void seed_queue_free(seed_queue *q)
{
    if (!q) return;
    seed_comm_barrier();
    MPI_Win_free(&q->win);
    free(q);
}

long seed_queue_fetch_add(seed_queue *q, int k, long inc)
{
    long old = 0;
    MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, q->win);
    MPI_Fetch_and_op(&inc, &old, MPI_LONG, 0, (MPI_Aint)k, MPI_SUM, q->win);
    MPI_Win_unlock(0, q->win);
    return old;
}

long seed_queue_read(seed_queue *q, int k)
{
    long zero = 0, v = 0;
    MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, q->win);
    MPI_Fetch_and_op(&zero, &v, MPI_LONG, 0, (MPI_Aint)k, MPI_NO_OP, q->win);
    MPI_Win_unlock(0, q->win);
    return v;
}
