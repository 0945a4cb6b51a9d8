/* Resume journal of `seedrate cnt` (seed_journal.c): values come back bit for bit, lines of other inputs
 * (hash), other tags, wrong lengths and a line cut by a crash are ignored; the input hash changes with a
 * kept key and not with a skipped one. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "seeding/seed_cnt.h"
#include "tu_tmpdir.h"

TU_TMPDIR_FIXTURES("sr_journal")

static void test_round_trip_exact(void **state)
{
    (void)state;
    char prefix[128];
    path_of(prefix, sizeof prefix, "a");
    const double v0[3] = {0.1, -1.0 / 3.0, 6.02214076e23}, v2[3] = {NAN, 1e-300, -0.0};
    assert_int_equal(seed_journal_append(prefix, "TM", 0x1234, 0, v0, 3), 0);
    assert_int_equal(seed_journal_append(prefix, "TM", 0x1234, 2, v2, 3), 0);
    double vals[9] = {0};
    unsigned char have[3] = {0};
    assert_int_equal(seed_journal_load(prefix, "TM", 0x1234, 3, 3, vals, have), 2);
    assert_true(have[0] && !have[1] && have[2]);
    assert_memory_equal(vals, v0, sizeof v0); /* %.17g round trip: bit-identical */
    assert_true(isnan(vals[6]));
    assert_memory_equal(vals + 7, v2 + 1, 2 * sizeof(double));
}

static void test_foreign_lines_ignored(void **state)
{
    (void)state;
    char prefix[128], path[160];
    path_of(prefix, sizeof prefix, "b");
    const double v[2] = {1.5, 2.5};
    assert_int_equal(seed_journal_append(prefix, "BULK", 0xaaaa, 0, v, 2), 0); /* other inputs */
    assert_int_equal(seed_journal_append(prefix, "TM", 0xbbbb, 1, v, 2), 0);   /* other tag */
    assert_int_equal(seed_journal_append(prefix, "BULK", 0xbbbb, 2, v, 1), 0); /* other length */
    assert_int_equal(seed_journal_append(prefix, "BULK", 0xbbbb, 9, v, 2), 0); /* index out of range */
    assert_int_equal(seed_journal_append(prefix, "BULKX", 0xbbbb, 0, v, 2), 0); /* tag prefix only */
    assert_int_equal(seed_journal_append(prefix, "BULK", 0xbbbb, 3, v, 2), 0); /* the good one */
    /* a crash in the middle of a line: no newline at the end */
    snprintf(path, sizeof path, "%s.cnt.journal", prefix);
    FILE *fp = fopen(path, "a");
    assert_non_null(fp);
    fprintf(fp, "BULK %016llx 1 2 7.0 8", 0xbbbbull);
    fclose(fp);
    double vals[8];
    for (int k = 0; k < 8; k++) vals[k] = -7;
    unsigned char have[4] = {0};
    assert_int_equal(seed_journal_load(prefix, "BULK", 0xbbbb, 4, 2, vals, have), 1);
    assert_true(!have[0] && !have[1] && !have[2] && have[3]);
    assert_true(vals[6] == 1.5 && vals[7] == 2.5);
    assert_true(vals[2] == -7 && vals[3] == -7); /* untouched */
    /* no journal at all */
    char other[128];
    path_of(other, sizeof other, "none");
    assert_int_equal(seed_journal_load(other, "BULK", 0xbbbb, 4, 2, vals, have), 0);
}

static void test_first_entry_wins(void **state)
{
    (void)state;
    char prefix[128];
    path_of(prefix, sizeof prefix, "c");
    const double a = 1, b = 2;
    assert_int_equal(seed_journal_append(prefix, "AT0", 7, 0, &a, 1), 0);
    assert_int_equal(seed_journal_append(prefix, "AT0", 7, 0, &b, 1), 0);
    double v = 0;
    unsigned char have = 0;
    assert_int_equal(seed_journal_load(prefix, "AT0", 7, 1, 1, &v, &have), 1);
    assert_true(v == 1);
}

static void test_input_hash(void **state)
{
    (void)state;
    sr_input *a = NULL, *b = NULL, *c = NULL;
    assert_int_equal(sr_input_parse_string("[cnt]\ntm_steps = 10\nattach_steps = 5\n", "a", &a), 0);
    assert_int_equal(sr_input_parse_string("[cnt]\ntm_steps = 10\nattach_steps = 6\n", "b", &b), 0);
    assert_int_equal(sr_input_parse_string("[cnt]\ntm_steps = 11\nattach_steps = 5\n", "c", &c), 0);
    const char *const skip[] = {"attach_*", NULL};
    const uint64_t ha = seed_input_hash(0, sr_input_section(a, "cnt"), skip);
    assert_true(ha == seed_input_hash(0, sr_input_section(b, "cnt"), skip)); /* skipped key changed */
    assert_true(ha != seed_input_hash(0, sr_input_section(c, "cnt"), skip)); /* kept key changed */
    assert_true(seed_input_hash(0, sr_input_section(a, "cnt"), NULL) != seed_input_hash(0, sr_input_section(b, "cnt"), NULL));
    assert_true(ha != seed_input_hash(0, NULL, skip)); /* absent section */
    sr_input_free(a);
    sr_input_free(b);
    sr_input_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_exact),
        cmocka_unit_test(test_foreign_lines_ignored),
        cmocka_unit_test(test_first_entry_wins),
        cmocka_unit_test(test_input_hash),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
