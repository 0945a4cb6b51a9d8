/* tu_mpi.h - cmocka tests over MPI ranks: an assertion that fails on one rank only must end the whole job at
 * once (issue #19 item 4). Without this, the failing rank goes on to the next test while the others wait in a
 * collective of the failed one, and the job hangs until the ctest timeout.
 *
 * Use TU_MPI_TEST(fn) in the CMUnitTest table instead of cmocka_unit_test(fn) and pass tu_mpi_group_teardown
 * to cmocka_run_group_tests. A test that did not reach its end is noted by its teardown; cmocka then prints
 * its message (the assertion, file and line) and the next test's setup (or the group teardown) prints
 * "rank R: TEST failed" and aborts every rank (seed_comm_abort). */
#ifndef TU_MPI_H
#define TU_MPI_H

#include <stdio.h>

#include "seeding/seed_comm.h"

typedef void (*tu_mpi_fn)(void **state);

typedef struct tu_mpi_case {
    tu_mpi_fn fn;
    const char *name;
    int finished;
} tu_mpi_case;

/* state: the tu_mpi_case of the test (cmocka's initial_state) */
static void tu_mpi_run(void **state)
{
    tu_mpi_case *c = *state;
    c->finished = 0;
    void *inner = NULL;
    c->fn(&inner);
    c->finished = 1;
}

static const char *tu_mpi_failed; /* name of the test that failed on this rank */

static void tu_mpi_abort_if_failed(void)
{
    if (!tu_mpi_failed) return;
    fflush(stdout);
    fprintf(stderr, "rank %d: %s failed: aborting every rank (MPI_Abort)\n", seed_comm_rank(), tu_mpi_failed);
    fflush(stderr);
    seed_comm_abort(1);
}

static int tu_mpi_setup(void **state)
{
    (void)state;
    tu_mpi_abort_if_failed();
    return 0;
}

static int tu_mpi_teardown(void **state)
{
    tu_mpi_case *c = *state;
    if (!c->finished) tu_mpi_failed = c->name;
    return 0;
}

static int tu_mpi_group_teardown(void **state)
{
    (void)state;
    tu_mpi_abort_if_failed();
    return 0;
}

#define TU_MPI_TEST(f)                                                                           \
    {                                                                                            \
        #f, tu_mpi_run, tu_mpi_setup, tu_mpi_teardown, &(tu_mpi_case) { f, #f, 0 }               \
    }

#endif
