/* seed_comm.h - the only interface to MPI (implemented in seed_comm.c).
 * Replicas are independent tasks; ranks take the next task index from a shared counter (MPI one-sided
 * fetch-and-add on rank 0's window), so fast ranks take more tasks and no rank is a pure coordinator. */
#ifndef SEED_COMM_H
#define SEED_COMM_H

#include <stddef.h>

int seed_comm_init(int *argc, char ***argv);
int seed_comm_finalize(void);
int seed_comm_rank(void);
int seed_comm_size(void);
void seed_comm_barrier(void);
/* Abort every rank (after a rank-local fatal error). */
void seed_comm_abort(int code);

/* Broadcast bytes from rank 0 / from `root` (len must be equal on all ranks; send it with
 * seed_comm_bcast_long first). */
int seed_comm_bcast_bytes(void *buf, size_t len);
int seed_comm_bcast_long(long *v);
int seed_comm_bcast_bytes_from(void *buf, size_t len, int root);
int seed_comm_bcast_long_from(long *v, int root);
/* Element-wise sum over ranks, result on every rank. */
int seed_comm_allreduce_sum_long(long *v, int n);
int seed_comm_allreduce_sum_double(double *v, int n);
/* Logical OR of a status: returns non-zero on every rank if any rank passed non-zero. */
int seed_comm_any(int flag);

/* Shared task counters: counter 0 hands out task indices; others are free for statistics. */
typedef struct seed_queue seed_queue;
int seed_queue_create(int ncounters, seed_queue **out);
void seed_queue_free(seed_queue *q);
/* Atomically add `inc` to counter k and return its previous value. */
long seed_queue_fetch_add(seed_queue *q, int k, long inc);
/* Read counter k. */
long seed_queue_read(seed_queue *q, int k);

#endif
