/* test_io_fuzz.c - seeded mutation smoke-fuzz of the text parsers (extxyz, LAMMPS data) from memory.
 *
 * Each input is a mutated copy of a valid file placed in an exact-size heap block (no terminating
 * NUL), so an over-read is caught under SEEDRATE_SANITIZE=ON. Properties checked on every input:
 * the status is 0 or SR_EPARSE; a failure returns no frames and a one-line "name:line: expected
 * ..., got ..." message; a success returns frames whose atoms have finite positions, types inside
 * the type map and positive box lengths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sr_rng.h"
#include "io/io.h"

#ifndef NITER
#define NITER 4000
#endif

static const char xyz_seed[] =
    "3\n"
    "Lattice=\"7.25 0 0 0 8.5 0 0 0 9.75\" Properties=species:S:1:pos:R:3:Z:I:1:forces:R:3 energy=-12.375 "
    "pbc=\"T T T\"\n"
    "Si 0.125 0.25 0.375 14 0.01 -0.02 0.03\n"
    "O 1.5 -0.75 9.8 8 -0.5 0.25 0.125\n"
    "Si 7.4 8.1 3.0 14 1 2 3\n"
    "2\n"
    "Lattice=\"6 0 0 0 6.5 0 0 0 7\" energy=-2.5\n"
    "H 0.5 0.5 0.5\n"
    "Si 1 2 3\n";

static const char lmp_seed[] =
    "LAMMPS data file\n\n3 atoms\n2 atom types\n\n-0.25 10.5 xlo xhi\n0 11.25 ylo yhi\n1.5 13 zlo zhi\n\n"
    "Masses\n\n1 39.948 # Ar\n2 83.798 # Kr\n\nPair Coeffs # lj/cut\n\n1 0.0104 3.4\n2 0.014 3.6\n\n"
    "Atoms # atomic\n\n7 2 1.25 2.5 3.75 0 0 0\n2 1 9.9 0.125 12.5 1 0 -1\n5 1 4 5 6 0 -2 0\n\n"
    "Velocities\n\n5 0.5 -0.5 0.25\n2 1 2 3\n7 0 0 0\n";

static const char *const snippets[] = {"99999999999999999999", "-1", "0", "nan", "inf", "1e400", "\"", "=", "{",
                                       ":", "\n", " ", "\t", "#", "\r\n", "Lattice=", "Properties=species:S:1:pos:R:3",
                                       "Atoms", "Velocities", "xy xz yz", "2147483647", "\0", "é"};

/* Apply 1..6 random edits to `src` into a new exact-size buffer. */
static char *mutate(gsl_rng *r, const char *src, size_t srclen, size_t *outlen)
{
    size_t cap = srclen + 512, len = srclen;
    char *b = malloc(cap);
    memcpy(b, src, srclen);
    int nedit = 1 + (int)gsl_rng_uniform_int(r, 6);
    for (int e = 0; e < nedit; e++) {
        size_t pos = len ? gsl_rng_uniform_int(r, len) : 0;
        switch (gsl_rng_uniform_int(r, 5)) {
        case 0: /* flip a byte */
            if (len) b[pos] = (char)gsl_rng_uniform_int(r, 256);
            break;
        case 1: { /* delete a range */
            size_t n = gsl_rng_uniform_int(r, 16) + 1;
            if (pos + n > len) n = len - pos;
            memmove(b + pos, b + pos + n, len - pos - n);
            len -= n;
            break;
        }
        case 2: { /* insert a snippet */
            const char *s = snippets[gsl_rng_uniform_int(r, sizeof snippets / sizeof *snippets)];
            size_t n = strlen(s) ? strlen(s) : 1;
            if (len + n > cap) break;
            memmove(b + pos + n, b + pos, len - pos);
            memcpy(b + pos, s, n);
            len += n;
            break;
        }
        case 3: /* truncate */
            len = pos;
            break;
        default: /* replace a digit */
            if (len && b[pos] >= '0' && b[pos] <= '9') b[pos] = (char)('0' + gsl_rng_uniform_int(r, 10));
            break;
        }
    }
    char *exact = malloc(len ? len : 1);
    memcpy(exact, b, len);
    free(b);
    *outlen = len;
    return exact;
}

static void check_message(const char *name)
{
    const char *m = sr_error_message();
    assert_int_equal(strncmp(m, name, strlen(name)), 0);
    assert_non_null(strstr(m, ": expected "));
    assert_non_null(strstr(m, ", got "));
    assert_null(strchr(m, '\n'));
}

static void check_frame(const io_frame *fr, const io_typemap *tm)
{
    assert_true(fr->n >= 0);
    for (int d = 0; d < 3; d++) assert_true(fr->len[d] > 0.0 && isfinite(fr->len[d]));
    for (int i = 0; i < fr->n; i++) {
        assert_true(fr->type[i] >= 0 && fr->type[i] < tm->ntypes);
        for (int d = 0; d < 3; d++) assert_true(isfinite(fr->x[3 * i + d]));
    }
}

static void test_extxyz_mutations(void **state)
{
    (void)state;
    gsl_rng *r = sr_rng_create(20261125, 0, SR_RNG_USER + 1);
    int nok = 0;
    for (int it = 0; it < NITER; it++) {
        size_t len;
        char *buf = mutate(r, xyz_seed, sizeof xyz_seed - 1, &len);
        io_typemap tm;
        io_typemap_init(&tm);
        io_frame *fr = NULL;
        int nf = -1;
        int rc = io_extxyz_read_buffer(buf, len, "fuzz.xyz", &tm, &fr, &nf);
        if (rc == 0) {
            nok++;
            assert_true(nf >= 1);
            for (int k = 0; k < nf; k++) check_frame(&fr[k], &tm);
            io_frames_free(fr, nf);
        } else {
            if (rc != SR_EPARSE) fail_msg("status %d: %s", rc, sr_error_message());
            assert_null(fr);
            assert_int_equal(nf, 0);
            check_message("fuzz.xyz:");
        }
        free(buf);
    }
    /* the mutations must leave some inputs valid and break others, or the test proves nothing */
    assert_true(nok > NITER / 50 && nok < NITER - NITER / 50);
    gsl_rng_free(r);
}

static void test_lammps_mutations(void **state)
{
    (void)state;
    gsl_rng *r = sr_rng_create(20261125, 1, SR_RNG_USER + 1);
    int nok = 0;
    for (int it = 0; it < NITER; it++) {
        size_t len;
        char *buf = mutate(r, lmp_seed, sizeof lmp_seed - 1, &len);
        io_typemap tm;
        io_frame fr;
        int rc = io_lammps_data_read_buffer(buf, len, "fuzz.data", &fr, &tm);
        if (rc == 0) {
            nok++;
            check_frame(&fr, &tm);
            io_frame_free(&fr);
        } else {
            if (rc != SR_EPARSE) fail_msg("status %d: %s", rc, sr_error_message());
            assert_null(fr.x);
            check_message("fuzz.data:");
        }
        free(buf);
    }
    assert_true(nok > NITER / 50 && nok < NITER - NITER / 50);
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extxyz_mutations),
        cmocka_unit_test(test_lammps_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
