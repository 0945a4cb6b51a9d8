/* test_seeding_track.c - following the seed's own cluster (issue #14): on hand-made cluster labellings, the
 * tracker follows the inserted seed by its atoms (persistent ids, whatever the atom order), ignores a larger
 * crystallite that appears elsewhere, follows the seed through a merger, and reports 0 for good once the seed's
 * atoms are all liquid - where N_max (the largest cluster in the box) would report the other crystallite. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "seeding/seed.h"

enum { N = 10 };

/* one frame: atom i has id[i] and cluster ci[i]; sizes from ci; largest = biggest (lowest index on ties) */
static int frame(seed_track *t, const int64_t *id, const int *ci, int first, int *nmax)
{
    int sizes[N] = {0}, nc = 0, largest = -1;
    for (int i = 0; i < N; i++)
        if (ci[i] >= 0) {
            sizes[ci[i]]++;
            if (ci[i] + 1 > nc) nc = ci[i] + 1;
        }
    *nmax = 0;
    for (int c = 0; c < nc; c++)
        if (sizes[c] > *nmax) *nmax = sizes[c], largest = c;
    int size = -1;
    assert_int_equal(seed_track_frame(t, id, ci, N, sizes, nc, largest, first, &size), SR_OK);
    return size;
}

static void test_follow_seed(void **st)
{
    (void)st;
    const int64_t id0[N] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    /* the atoms are re-sorted between frames (as the MD's spatial sort does): ids in another order */
    const int64_t idp[N] = {7, 3, 10, 1, 9, 5, 2, 8, 6, 4};
    seed_track t;
    assert_int_equal(seed_track_init(&t, 1, id0, N), SR_OK);
    int nmax = 0;
    /* frame 0: the seed {1,2,3,4} (cluster 0) and a small cluster {5,6} */
    const int c0[N] = {0, 0, 0, 0, 1, 1, -1, -1, -1, -1};
    assert_int_equal(frame(&t, id0, c0, 1, &nmax), 4);
    /* frame 1 (permuted): the seed shrinks to {1,2} (cluster 1) while {5,6,7,8,9} (cluster 0) nucleates */
    int c1[N];
    for (int i = 0; i < N; i++) {
        const int64_t a = idp[i];
        c1[i] = (a == 1 || a == 2) ? 1 : (a >= 5 && a <= 9) ? 0 : -1;
    }
    assert_int_equal(frame(&t, idp, c1, 0, &nmax), 2);
    assert_int_equal(nmax, 5); /* N_max would call this growth */
    /* frame 2: the seed {2,3,10} (cluster 0, 3 atoms, one shared), the other {5..9} (cluster 1) */
    const int c2[N] = {-1, 0, 0, -1, 1, 1, 1, 1, 1, 0};
    assert_int_equal(frame(&t, id0, c2, 0, &nmax), 3);
    /* frame 3: the two merge: {2,3,5,...,10} is the seed's cluster now */
    const int c3[N] = {-1, 0, 0, -1, 0, 0, 0, 0, 0, 0};
    assert_int_equal(frame(&t, id0, c3, 0, &nmax), 8);
    /* frame 4: it splits; the piece holding most of the followed atoms wins: {5,6,7,8,9} (5) over {2,3,10} (3) */
    const int c4[N] = {-1, 1, 1, -1, 0, 0, 0, 0, 0, 1};
    assert_int_equal(frame(&t, id0, c4, 0, &nmax), 5);
    /* frame 5: nothing crystalline: the seed is gone */
    const int c5[N] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
    assert_int_equal(frame(&t, id0, c5, 0, &nmax), 0);
    /* frame 6: a new cluster made of former seed atoms is not the seed coming back */
    const int c6[N] = {0, 0, 0, 0, 0, -1, -1, -1, -1, -1};
    assert_int_equal(frame(&t, id0, c6, 0, &nmax), 0);
    assert_int_equal(nmax, 5);
    seed_track_free(&t);
}

/* equal overlap with two clusters: the larger one is followed */
static void test_tie_larger(void **st)
{
    (void)st;
    const int64_t id[N] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    seed_track t;
    assert_int_equal(seed_track_init(&t, 1, id, N), SR_OK);
    int nmax = 0;
    const int c0[N] = {0, 0, -1, -1, -1, -1, -1, -1, -1, -1};
    assert_int_equal(frame(&t, id, c0, 1, &nmax), 2);
    const int c1[N] = {0, 1, -1, -1, -1, -1, 1, 1, -1, -1}; /* atom 1 alone, atom 2 with 7 and 8 */
    assert_int_equal(frame(&t, id, c1, 0, &nmax), 3);
    seed_track_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_follow_seed),
        cmocka_unit_test(test_tie_larger),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
