/* test_io_extxyz.c - extended XYZ (ASE convention): exact write -> read round trip, reading an
 * ASE-style file with extra columns skipped by width, type maps, and every parse error with its
 * file:line message (truncated, wrong counts, non-numeric, missing/triclinic Lattice, huge and
 * negative counts, NaN, unclosed quotes, non-periodic pbc). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/io.h"

#ifndef SEEDRATE_SOURCE_DIR
#define SEEDRATE_SOURCE_DIR "."
#endif

#include "tu_tmpdir.h"

TU_TMPDIR_FIXTURES("sr_io_xyz")

static double *dup3(int n, double (*fn)(int, int, int), int seed)
{
    double *a = malloc(3 * (size_t)n * sizeof *a);
    for (int i = 0; i < n; i++)
        for (int d = 0; d < 3; d++) a[3 * i + d] = fn(i, d, seed);
    return a;
}

/* high-entropy values over many orders of magnitude, some outside the box (unwrapped) */
static double val(int i, int d, int seed) { return (sin(1.7 * i + 2.3 * d + seed) * 13.7 - 2.1) * pow(10.0, (i % 5) - 2); }

static void test_round_trip_is_exact(void **state)
{
    (void)state;
    io_typemap tm;
    io_typemap_init(&tm);
    int t;
    assert_int_equal(io_typemap_add(&tm, "Ar", &t), 0);
    assert_int_equal(io_typemap_add(&tm, "Kr", &t), 0);
    io_frame fr[2];
    memset(fr, 0, sizeof fr);
    const int n[2] = {9, 5};
    for (int k = 0; k < 2; k++) {
        fr[k].n = n[k];
        fr[k].type = malloc((size_t)n[k] * sizeof(int));
        for (int i = 0; i < n[k]; i++) fr[k].type[i] = (i * 7 + k) % 2;
        fr[k].x = dup3(n[k], val, k);
        fr[k].len[0] = 10.123456789012345;
        fr[k].len[1] = 11.5 + k;
        fr[k].len[2] = 3.0e-3 * (k + 1);
    }
    fr[0].f = dup3(n[0], val, 7);
    fr[0].energy = -1234.5678901234567;
    fr[1].v = dup3(n[1], val, 9);
    fr[1].energy = NAN;
    fr[1].lo[0] = -2.75; /* an Origin */
    char path[128];
    snprintf(path, sizeof path, "%s/rt.xyz", dir);
    assert_int_equal(io_extxyz_write(path, fr, 2, &tm), 0);
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_not_equal(access(tmp, F_OK), 0);

    io_typemap tm2;
    io_typemap_init(&tm2);
    io_frame *got;
    int nf;
    assert_int_equal(io_extxyz_read(path, &tm2, &got, &nf), 0);
    assert_int_equal(nf, 2);
    /* first-seen order: frame 0 atom 0 has type 0 (Ar) */
    assert_int_equal(tm2.ntypes, 2);
    assert_string_equal(tm2.name[0], "Ar");
    assert_string_equal(tm2.name[1], "Kr");
    for (int k = 0; k < 2; k++) {
        assert_int_equal(got[k].n, n[k]);
        for (int d = 0; d < 3; d++) {
            assert_true(got[k].len[d] == fr[k].len[d]);
            assert_true(got[k].lo[d] == fr[k].lo[d]);
        }
        for (int i = 0; i < n[k]; i++) {
            assert_int_equal(got[k].type[i], fr[k].type[i]);
            for (int d = 0; d < 3; d++) {
                const double a = fr[k].x[3 * i + d], b = got[k].x[3 * i + d];
                assert_true(fabs(a - b) <= 1e-12 * fabs(a));
            }
        }
    }
    assert_non_null(got[0].f);
    assert_null(got[0].v);
    assert_null(got[1].f);
    assert_non_null(got[1].v);
    for (int i = 0; i < 3 * n[0]; i++) assert_true(fabs(got[0].f[i] - fr[0].f[i]) <= 1e-12 * fabs(fr[0].f[i]));
    for (int i = 0; i < 3 * n[1]; i++) assert_true(fabs(got[1].v[i] - fr[1].v[i]) <= 1e-12 * fabs(fr[1].v[i]));
    assert_true(got[0].energy == fr[0].energy);
    assert_true(isnan(got[1].energy));
    io_frames_free(got, nf);
    io_frame_free(&fr[0]);
    io_frame_free(&fr[1]);
}

static void test_reads_ase_file_skipping_columns(void **state)
{
    (void)state;
    io_typemap tm;
    io_typemap_init(&tm);
    io_frame *fr;
    int nf;
    assert_int_equal(io_extxyz_read(SEEDRATE_SOURCE_DIR "/tests/data/io/ase_sample.xyz", &tm, &fr, &nf), 0);
    assert_int_equal(nf, 2);
    assert_int_equal(tm.ntypes, 3); /* Si, O, H in first-seen order */
    assert_string_equal(tm.name[0], "Si");
    assert_string_equal(tm.name[1], "O");
    assert_string_equal(tm.name[2], "H");
    assert_int_equal(fr[0].n, 4);
    assert_float_equal(fr[0].energy, -12.375, 0.0);
    assert_float_equal(fr[0].len[1], 8.5, 0.0);
    assert_int_equal(fr[0].type[3], 2);
    /* forces come after Z (I:1) and magmoms (R:3): columns 9..11 */
    assert_float_equal(fr[0].f[3 * 1 + 0], -0.5, 0.0);
    assert_float_equal(fr[0].f[3 * 3 + 2], -0.0625, 0.0);
    /* coordinates outside the box are kept as written */
    assert_float_equal(fr[0].x[3 * 1 + 1], -0.75, 0.0);
    assert_float_equal(fr[0].x[3 * 1 + 2], 9.8, 0.0);
    assert_null(fr[0].v);
    assert_null(fr[1].f);
    assert_float_equal(fr[1].energy, -2.5, 0.0); /* energy=, not free_energy= */
    assert_int_equal(fr[1].type[0], 2);
    assert_int_equal(fr[1].type[1], 0);
    io_frames_free(fr, nf);
}

static void test_given_type_map_is_used(void **state)
{
    (void)state;
    io_typemap tm;
    io_typemap_init(&tm);
    int t;
    assert_int_equal(io_typemap_add(&tm, "H", &t), 0);
    assert_int_equal(io_typemap_add(&tm, "O", &t), 0);
    assert_int_equal(io_typemap_add(&tm, "Si", &t), 0);
    tm.fixed = 1;
    io_frame *fr;
    int nf;
    assert_int_equal(io_extxyz_read(SEEDRATE_SOURCE_DIR "/tests/data/io/ase_sample.xyz", &tm, &fr, &nf), 0);
    assert_int_equal(fr[0].type[0], 2);
    assert_int_equal(fr[0].type[1], 1);
    assert_int_equal(fr[0].type[3], 0);
    io_frames_free(fr, nf);

    /* a species not in the fixed map */
    const char *buf = "1\nLattice=\"5 0 0 0 5 0 0 0 5\"\nC 1 2 3\n";
    assert_int_equal(io_extxyz_read_buffer(buf, strlen(buf), "fixed.xyz", &tm, &fr, &nf), SR_EPARSE);
    assert_string_equal(sr_error_message(), "fixed.xyz:3: expected a species of the type map, got 'C'");
    assert_null(fr);
    assert_int_equal(nf, 0);
    assert_int_equal(tm.ntypes, 3);
}

/* Parse `text` (from memory) and check the status and the exact one-line message. */
static void expect_error(const char *text, const char *message)
{
    io_typemap tm;
    io_typemap_init(&tm);
    io_frame *fr = (io_frame *)0x1;
    int nf = -1;
    int rc = io_extxyz_read_buffer(text, strlen(text), "bad.xyz", &tm, &fr, &nf);
    assert_int_equal(rc, SR_EPARSE);
    assert_null(fr);
    assert_int_equal(nf, 0);
    assert_int_equal(tm.ntypes, 0); /* the type map is restored on failure */
    if (strcmp(sr_error_message(), message) != 0) fail_msg("got message: %s\nexpected: %s", sr_error_message(), message);
}

#define LAT "Lattice=\"5 0 0 0 6 0 0 0 7\""

static void test_truncated_file(void **state)
{
    (void)state;
    expect_error("3\n" LAT "\nAr 0 0 0\nAr 1 1 1\n", "bad.xyz:4: expected atom line 3 of 3, got end of file");
    expect_error("2\n", "bad.xyz:1: expected an atom count that fits in the remaining 0 bytes, got '2'");
    expect_error("1\n", "bad.xyz:1: expected an atom count that fits in the remaining 0 bytes, got '1'");
    expect_error("1\n" LAT "\nAr 1 2", "bad.xyz:3: expected 4 columns (Properties=species:S:1:pos:R:3), got 'Ar 1 2'");
    expect_error("", "bad.xyz:0: expected at least one frame (an atom count line), got end of file");
}

static void test_wrong_counts(void **state)
{
    (void)state;
    /* more atom lines than the count: the extra line is read as the next frame's count */
    expect_error("1\n" LAT "\nAr 0 0 0\nAr 1 1 1\n",
                 "bad.xyz:4: expected the number of atoms of a frame (a positive integer), got 'Ar 1 1 1'");
    expect_error("-3\n" LAT "\nAr 0 0 0\n",
                 "bad.xyz:1: expected the number of atoms of a frame (a positive integer), got '-3'");
    expect_error("99999999999999999999\n" LAT "\n",
                 "bad.xyz:1: expected the number of atoms of a frame (a positive integer), got '99999999999999999999'");
    expect_error("2000000000\n" LAT "\nAr 0 0 0\n",
                 "bad.xyz:1: expected an atom count that fits in the remaining 37 bytes, got '2000000000'");
    expect_error("1\n" LAT " Properties=species:S:1:pos:R:3:forces:R:3\nAr 0 0 0 1 2\n",
                 "bad.xyz:3: expected 7 columns (Properties=species:S:1:pos:R:3:forces:R:3), got 'Ar 0 0 0 1 2'");
}

static void test_non_numeric_and_nan(void **state)
{
    (void)state;
    expect_error("1\n" LAT "\nAr 0 zero 0\n", "bad.xyz:3: expected a finite position component, got 'zero'");
    expect_error("1\n" LAT "\nAr 0 nan 0\n", "bad.xyz:3: expected a finite position component, got 'nan'");
    expect_error("1\n" LAT "\nAr 0 1e999 0\n", "bad.xyz:3: expected a finite position component, got '1e999'");
    expect_error("1\n" LAT " Properties=species:S:1:pos:R:3:forces:R:3\nAr 0 0 0 1 x 2\n",
                 "bad.xyz:3: expected a finite force component, got 'x'");
    expect_error("1\n" LAT " energy=abc\nAr 0 0 0\n", "bad.xyz:2: expected a finite number after energy=, got 'abc'");
    expect_error("1\nLattice=\"5 0 0 0 NaN 0 0 0 5\"\nAr 0 0 0\n",
                 "bad.xyz:2: expected 9 finite numbers in Lattice=\"...\", got 'NaN'");
}

/* virial= (ASE: 3 x 3, eV) is read as W = sum r_a f_b (xx yy zz xy xz yz), written back exactly; stress= (9, or
 * 6 in Voigt order xx yy zz yz xz xy; eV/A^3) becomes -stress x volume; virial= wins over stress=; bad values
 * stop with file:line. */
static void test_virial_and_stress(void **state)
{
    (void)state;
    io_typemap tm;
    io_typemap_init(&tm);
    io_frame *fr;
    int nf;
    const char *text = "1\n" LAT " virial=\"1.5 0.25 -0.5 0.25 2 0.125 -0.5 0.125 -3\"\nAr 0 0 0\n"
                       "1\n" LAT " stress=\"0.01 0.02 0.03 0.04 0.05 0.06\"\nAr 0 0 0\n"
                       "1\n" LAT " stress=\"1 2 3 2 4 5 3 5 6\" virial=\"1 0 0 0 1 0 0 0 1\"\nAr 0 0 0\n"
                       "1\n" LAT "\nAr 0 0 0\n"
                       "1\n" LAT " stress=\"0.5 0.125 0 0.125 -1 0.25 0 0.25 2\"\nAr 0 0 0\n"
                       "1\n" LAT " virial=\"1 0 0 0 2 0 0 0 3\" stress=\"1 1 1 1 1 1\"\nAr 0 0 0\n";
    assert_int_equal(io_extxyz_read_buffer(text, strlen(text), "v.xyz", &tm, &fr, &nf), 0);
    assert_int_equal(nf, 6);
    const double w0[6] = {1.5, 2, -3, 0.25, -0.5, 0.125};
    assert_int_equal(fr[0].has_virial, 1);
    for (int q = 0; q < 6; q++) assert_float_equal(fr[0].virial[q], w0[q], 0.0);
    /* Voigt xx yy zz yz xz xy -> virial = -stress * V, V = 5 * 6 * 7 = 210 */
    const double w1[6] = {-0.01 * 210, -0.02 * 210, -0.03 * 210, -0.06 * 210, -0.05 * 210, -0.04 * 210};
    assert_int_equal(fr[1].has_virial, 1);
    for (int q = 0; q < 6; q++) assert_float_equal(fr[1].virial[q], w1[q], 1e-12);
    assert_int_equal(fr[2].has_virial, 1);
    assert_float_equal(fr[2].virial[0], 1.0, 0.0); /* the virial, not -stress V */
    assert_float_equal(fr[2].virial[3], 0.0, 0.0);
    assert_int_equal(fr[3].has_virial, 0);
    /* 3 x 3 stress: -stress V, off-diagonals from the symmetric matrix */
    const double w4[6] = {-0.5 * 210, 1.0 * 210, -2.0 * 210, -0.125 * 210, 0.0, -0.25 * 210};
    assert_int_equal(fr[4].has_virial, 1);
    for (int q = 0; q < 6; q++) assert_float_equal(fr[4].virial[q], w4[q], 1e-12);
    /* virial= first, stress= after: the virial */
    assert_float_equal(fr[5].virial[2], 3.0, 0.0);
    assert_float_equal(fr[5].virial[3], 0.0, 0.0);
    /* written as virial= and read back bit for bit */
    char path[4096];
    path_of(path, sizeof path, "v.xyz");
    assert_int_equal(io_extxyz_write(path, fr, nf, &tm), 0);
    io_frame *back;
    int nb;
    assert_int_equal(io_extxyz_read(path, &tm, &back, &nb), 0);
    assert_int_equal(nb, nf);
    for (int k = 0; k < nf; k++) {
        assert_int_equal(back[k].has_virial, fr[k].has_virial);
        assert_memory_equal(back[k].virial, fr[k].virial, sizeof fr[k].virial);
    }
    io_frames_free(back, nb);
    io_frames_free(fr, nf);
    expect_error("1\n" LAT " virial=\"1 2 3\"\nAr 0 0 0\n", "bad.xyz:2: expected exactly 9 numbers in virial=\"...\", got 'virial'");
    expect_error("1\n" LAT " virial=\"1 0 0 0 nan 0 0 0 1\"\nAr 0 0 0\n",
                 "bad.xyz:2: expected 9 finite numbers in virial=\"...\", got 'nan'");
    expect_error("1\n" LAT " stress=\"1 2 3 4\"\nAr 0 0 0\n",
                 "bad.xyz:2: expected 9 numbers (3 x 3) or 6 (Voigt xx yy zz yz xz xy) in stress=\"...\", got 'stress'");
    expect_error("1\n" LAT " stress=\"1 2 x 4 5 6\"\nAr 0 0 0\n", "bad.xyz:2: expected finite numbers in stress=\"...\", got 'x'");
    /* a bad stress= is refused even when a virial= before it is what is used */
    expect_error("1\n" LAT " virial=\"1 0 0 0 1 0 0 0 1\" stress=\"1 2\"\nAr 0 0 0\n",
                 "bad.xyz:2: expected 9 numbers (3 x 3) or 6 (Voigt xx yy zz yz xz xy) in stress=\"...\", got 'stress'");
}

static void test_lattice_problems(void **state)
{
    (void)state;
    expect_error("1\nProperties=species:S:1:pos:R:3\nAr 0 0 0\n",
                 "bad.xyz:2: expected Lattice=\"ax ay az bx by bz cx cy cz\" in the comment line, got "
                 "'Properties=species:S:1:pos:R:3'");
    expect_error("1\nLattice=\"5 0 0 1.5 6 0 0 0 7\"\nAr 0 0 0\n",
                 "bad.xyz:2: expected an orthorhombic Lattice (off-diagonal components 0; triclinic cells are not "
                 "supported yet), got '5 0 0 1.5 6 0 0 0 7'");
    expect_error("1\nLattice=\"5 0 0 0 6 0 0 0\"\nAr 0 0 0\n",
                 "bad.xyz:2: expected exactly 9 numbers in Lattice=\"...\", got 'Lattice'");
    expect_error("1\nLattice=\"5 0 0 0 6 0 0 0 7\nAr 0 0 0\n",
                 "bad.xyz:2: expected a closing \" for the value of Lattice, got 'Lattice'");
    expect_error("1\nLattice=\"5 0 0 0 -6 0 0 0 7\"\nAr 0 0 0\n",
                 "bad.xyz:2: expected positive diagonal Lattice components, got 'Lattice'");
    expect_error("1\n" LAT " pbc=\"T T F\"\nAr 0 0 0\n",
                 "bad.xyz:2: expected pbc=\"T T T\" (only fully periodic systems are supported), got 'F'");
}

static void test_properties_problems(void **state)
{
    (void)state;
    expect_error("1\n" LAT " Properties=species:S:1:pos:R\nAr 0 0 0\n",
                 "bad.xyz:2: expected Properties=name:type:width triples with type S, R, I or L, got "
                 "'species:S:1:pos:R'");
    expect_error("1\n" LAT " Properties=species:S:1:pos:R:3:q:R:-4\nAr 0 0 0\n",
                 "bad.xyz:2: expected a column width in 1..4096 for property 'q', got '-4'");
    expect_error("1\n" LAT " Properties=species:S:1:pos:R:3:q:R:99999999999\nAr 0 0 0\n",
                 "bad.xyz:2: expected a column width in 1..4096 for property 'q', got '99999999999'");
    expect_error("1\n" LAT " Properties=pos:R:3\n0 0 0\n",
                 "bad.xyz:2: expected Properties with species:S:1 and pos:R:3, got 'pos:R:3'");
    expect_error("1\n" LAT " Properties=species:S:1:pos:R:2\nAr 0 0\n", "bad.xyz:2: expected pos:R:3 in Properties, "
                                                                          "got 'species:S:1:pos:R:2'");
}

static void test_write_rejects_unknown_type(void **state)
{
    (void)state;
    io_typemap tm;
    io_typemap_init(&tm);
    int t;
    assert_int_equal(io_typemap_add(&tm, "Ar", &t), 0);
    int type[1] = {3};
    double x[3] = {0, 0, 0};
    io_frame fr = {.n = 1, .type = type, .x = x, .len = {1, 1, 1}, .energy = NAN};
    char path[128];
    snprintf(path, sizeof path, "%s/bad_out.xyz", dir);
    assert_int_equal(io_extxyz_write(path, &fr, 1, &tm), SR_EINVAL);
    assert_int_not_equal(access(path, F_OK), 0); /* no partial output */
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_not_equal(access(tmp, F_OK), 0);
}

static void test_missing_file_and_null_typemap(void **state)
{
    (void)state;
    io_frame *fr = (io_frame *)0x1;
    int nf = -1;
    assert_int_equal(io_extxyz_read("/nonexistent/dir/x.xyz", NULL, &fr, &nf), SR_EIO);
    assert_null(fr);
    assert_int_equal(nf, 0);
    assert_non_null(strstr(sr_error_message(), "/nonexistent/dir/x.xyz"));
    const char *buf = "2\n" LAT "\nKr 0 0 0\nAr 1 1 1\n";
    assert_int_equal(io_extxyz_read_buffer(buf, strlen(buf), "ok.xyz", NULL, &fr, &nf), 0);
    assert_int_equal(fr[0].type[0], 0);
    assert_int_equal(fr[0].type[1], 1);
    io_frames_free(fr, nf);
}

static void test_typemap_limits(void **state)
{
    (void)state;
    io_typemap tm;
    io_typemap_init(&tm);
    int t;
    assert_int_equal(io_typemap_add(&tm, "ThisNameIsTooLongForUs", &t), SR_EINVAL);
    assert_int_equal(io_typemap_add(&tm, "", &t), SR_EINVAL);
    char name[8];
    for (int k = 0; k < IO_MAXTYPES; k++) {
        snprintf(name, sizeof name, "T%d", k);
        assert_int_equal(io_typemap_add(&tm, name, &t), 0);
        assert_int_equal(t, k);
    }
    assert_int_equal(io_typemap_add(&tm, "X", &t), SR_ERANGE);
    assert_int_equal(io_typemap_find(&tm, "T17"), 17);
    assert_int_equal(io_typemap_find(&tm, "X"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_is_exact),
        cmocka_unit_test(test_reads_ase_file_skipping_columns),
        cmocka_unit_test(test_given_type_map_is_used),
        cmocka_unit_test(test_truncated_file),
        cmocka_unit_test(test_wrong_counts),
        cmocka_unit_test(test_non_numeric_and_nan),
        cmocka_unit_test(test_virial_and_stress),
        cmocka_unit_test(test_lattice_problems),
        cmocka_unit_test(test_properties_problems),
        cmocka_unit_test(test_write_rejects_unknown_type),
        cmocka_unit_test(test_missing_file_and_null_typemap),
        cmocka_unit_test(test_typemap_limits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
