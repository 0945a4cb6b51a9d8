/* test_io_lammps.c - LAMMPS data files (atom_style atomic): write -> read round trip, reading a
 * write_data-style file (Pair Coeffs skipped, atoms sorted by id, velocities matched by id, type
 * names from Masses comments), conversion to md_system, and every parse error with file:line.
 *
 * `test_io_lammps --write-sample PATH` writes a data file for tests/test_io_lammps_lmp.sh. */
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

TU_TMPDIR_FIXTURES("sr_io_lmp")

#define NAT 11
static const int perm[NAT] = {5, 9, 1, 11, 3, 7, 2, 10, 4, 8, 6};

static double coord(int id, int d) { return fmod(1.37 * id * id + 2.91 * d + 0.123456789, 9.5) + 0.5; }

static md_system *make_system(void)
{
    md_system *s = md_system_create(NAT, 2, MD_UNITS_METAL);
    assert_non_null(s);
    const double lo[3] = {-1.25, 0.5, 2.0}, len[3] = {10.5, 11.125, 12.75};
    const double mass[2] = {39.948, 83.798};
    const char *names[2] = {"Ar", "Kr"};
    assert_int_equal(md_system_set_box(s, lo, len), 0);
    assert_int_equal(md_system_set_types(s, 2, mass, names), 0);
    for (int i = 0; i < NAT; i++) {
        const int id = perm[i];
        s->id[i] = id;
        s->type[i] = id % 2;
        for (int d = 0; d < 3; d++) {
            s->x[3 * i + d] = lo[d] + coord(id, d);
            s->v[3 * i + d] = 0.1 * id - 0.37 * d;
            s->image[3 * i + d] = (id % 3) - 1;
        }
    }
    return s;
}

static void test_round_trip(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/rt.data", dir);
    md_system *s = make_system();
    assert_int_equal(io_lammps_data_write(path, s, "round trip"), 0);
    io_frame fr;
    io_typemap tm;
    assert_int_equal(io_lammps_data_read(path, &fr, &tm), 0);
    assert_int_equal(fr.n, NAT);
    assert_int_equal(tm.ntypes, 2);
    assert_string_equal(tm.name[0], "Ar");
    assert_string_equal(tm.name[1], "Kr");
    assert_true(tm.mass[1] == 83.798);
    for (int d = 0; d < 3; d++) {
        assert_true(fr.lo[d] == s->box.lo[d]);
        assert_true(fabs(fr.len[d] - s->box.len[d]) <= 1e-14 * s->box.len[d]);
    }
    assert_non_null(fr.v);
    assert_non_null(fr.image);
    for (int a = 0; a < NAT; a++) {
        const int id = a + 1;
        int i = 0;
        while (perm[i] != id) i++;
        assert_int_equal(fr.id[a], id);
        assert_int_equal(fr.type[a], id % 2);
        for (int d = 0; d < 3; d++) {
            assert_true(fr.x[3 * a + d] == s->x[3 * i + d]);
            assert_true(fr.v[3 * a + d] == s->v[3 * i + d]);
            assert_int_equal(fr.image[3 * a + d], s->image[3 * i + d]);
        }
    }
    io_frame_free(&fr);
    md_system_free(s);
}

static void test_reads_write_data_style_file(void **state)
{
    (void)state;
    io_frame fr;
    io_typemap tm;
    assert_int_equal(io_lammps_data_read(SEEDRATE_SOURCE_DIR "/tests/data/io/lammps_sample.data", &fr, &tm), 0);
    assert_int_equal(fr.n, 5);
    const int64_t ids[5] = {2, 3, 5, 7, 11};
    const int types[5] = {0, 1, 0, 1, 0};
    for (int a = 0; a < 5; a++) {
        assert_int_equal(fr.id[a], ids[a]);
        assert_int_equal(fr.type[a], types[a]);
    }
    /* atom 2 line: "2 1 9.9 0.125 12.5 1 0 -1", its velocity "2 1.0 2.0 3.0" */
    assert_float_equal(fr.x[0], 9.9, 0.0);
    assert_float_equal(fr.x[2], 12.5, 0.0);
    assert_int_equal(fr.image[0], 1);
    assert_int_equal(fr.image[2], -1);
    assert_float_equal(fr.v[1], 2.0, 0.0);
    /* atom 11 (last after sorting): velocity -1.5 0 0.75 */
    assert_float_equal(fr.v[3 * 4 + 0], -1.5, 0.0);
    assert_float_equal(fr.v[3 * 4 + 2], 0.75, 0.0);
    assert_float_equal(fr.lo[0], -0.25, 0.0);
    assert_float_equal(fr.len[0], 10.75, 0.0);
    assert_float_equal(fr.len[2], 11.5, 0.0);
    assert_string_equal(tm.name[0], "Ar");
    assert_float_equal(tm.mass[1], 83.798, 0.0);

    md_system *s;
    assert_int_equal(io_frame_to_system(&fr, &tm, MD_UNITS_METAL, &s), 0);
    assert_int_equal(s->n, 5);
    assert_int_equal(s->ntypes, 2);
    assert_string_equal(s->type_name[1], "Kr");
    assert_float_equal(s->mass[0], 39.948, 0.0);
    assert_int_equal(s->id[4], 5);
    assert_float_equal(s->x[3 * 4 + 0], 8.0, 0.0);
    assert_float_equal(s->v[3 * 4 + 0], -1.5, 0.0);
    assert_int_equal(s->image[3 * 4 + 2], 1);
    assert_float_equal(s->box.lo[2], 1.5, 0.0);
    md_system_free(s);

    tm.mass[1] = NAN;
    assert_int_equal(io_frame_to_system(&fr, &tm, MD_UNITS_METAL, &s), SR_EINVAL);
    assert_non_null(strstr(sr_error_message(), "mass of type 2 ('Kr')"));
    assert_null(s);
    io_frame_free(&fr);
}

static void expect_error(const char *text, const char *message)
{
    io_frame fr;
    io_typemap tm;
    io_typemap_init(&tm);
    int rc = io_lammps_data_read_buffer(text, strlen(text), "bad.data", &fr, &tm);
    assert_int_equal(rc, SR_EPARSE);
    assert_null(fr.x);
    assert_null(fr.type);
    assert_int_equal(tm.ntypes, 0);
    if (strcmp(sr_error_message(), message) != 0) fail_msg("got message: %s\nexpected: %s", sr_error_message(), message);
}

#define HEAD "title\n\n2 atoms\n1 atom types\n0 5 xlo xhi\n0 5 ylo yhi\n0 5 zlo zhi\n"

static void test_header_errors(void **state)
{
    (void)state;
    expect_error(HEAD "0 0 0 xy xz yz\n", "bad.data:8: expected an orthorhombic box (triclinic 'xy xz yz' boxes are not "
                                          "supported yet), got '0 0 0 xy xz yz'");
    expect_error("t\n\n1 atom types\n\nAtoms\n\n1 1 0 0 0\n", "bad.data:5: expected an 'N atoms' header line, got 'Atoms'");
    expect_error("t\n\n1 atoms\n\nAtoms\n\n1 1 0 0 0\n", "bad.data:5: expected an 'N atom types' header line, got 'Atoms'");
    expect_error("t\n-4 atoms\n", "bad.data:2: expected a number of atoms in 0..2147483647, got '-4'");
    expect_error("t\n123456789 atoms\n1 atom types\n",
                 "bad.data:2: expected a number of atoms that fits in the remaining 13 bytes, got '123456789'");
    expect_error("t\n1 atoms\n0 atom types\n", "bad.data:3: expected a number of atom types in 1..64, got '0'");
    expect_error(HEAD "3 bonds\n", "bad.data:8: expected 0 bonds (atom_style atomic has no topology), got '3 bonds'");
    expect_error(HEAD "5 0 xlo xhi\n", "bad.data:8: expected 'xlo xhi' with finite xlo < xhi, got '5 0 xlo xhi'");
    expect_error(HEAD "nonsense here\n", "bad.data:8: expected a header line (N atoms, N atom types, xlo xhi, ylo yhi, "
                                         "zlo zhi) or a section (Masses, Atoms, Velocities, Pair Coeffs), got "
                                         "'nonsense here'");
    expect_error("", "bad.data:0: expected a LAMMPS data file (title line), got end of file");
}

static void test_section_errors(void **state)
{
    (void)state;
    expect_error(HEAD "\nAtoms # full\n\n1 1 0 0 0\n", "bad.data:9: expected atom style 'atomic' after 'Atoms #', got 'full'");
    /* count says 2, one line given: the next section name is read as an atom line */
    expect_error(HEAD "\nAtoms\n\n1 1 0 0 0\n\nVelocities\n\n1 0 0 0\n",
                 "bad.data:13: expected 'id type x y z [ix iy iz]' (Atoms line 2 of 2), got 'Velocities'");
    expect_error(HEAD "\nAtoms\n\n1 1 0 0 0\n", "bad.data:11: expected Atoms line 2 of 2, got end of file");
    expect_error(HEAD "\nAtoms\n\n1 2 0 0 0\n2 1 0 0 0\n", "bad.data:11: expected an atom type in 1..1, got '2'");
    expect_error(HEAD "\nAtoms\n\n1 1 0 0 0\n1 1 1 1 1\n", "bad.data:12: expected unique atom ids in the Atoms section, "
                                                           "got '1'");
    expect_error(HEAD "\nAtoms\n\n1 1 0 x 0\n2 1 0 0 0\n", "bad.data:11: expected a finite coordinate, got 'x'");
    expect_error(HEAD "\nAtoms\n\n1 1 0 nan 0\n2 1 0 0 0\n", "bad.data:11: expected a finite coordinate, got 'nan'");
    expect_error(HEAD "\nAtoms\n\n1 1 0 0 0 0 0 0\n2 1 0 0 0\n",
                 "bad.data:12: expected image flags on all Atoms lines or on none, got '2 1 0 0 0'");
    expect_error(HEAD "\nAtoms\n\n1 1 0 0 0\n2 1 0 0 0\n\nVelocities\n\n1 0 0 0\n9 0 0 0\n",
                 "bad.data:17: expected an atom id of the Atoms section, once, got '9'");
    expect_error(HEAD "\nVelocities\n\n1 0 0 0\n2 0 0 0\n",
                 "bad.data:9: expected the Atoms section before Velocities, got 'Velocities'");
    expect_error(HEAD "\nMasses\n\n1 -2.0\n", "bad.data:11: expected a positive mass, got '-2.0'");
    expect_error(HEAD "\nMasses\n\n1 1.0\n\nBonds\n\n1 1 1 2\n", "bad.data:13: expected a section name (Masses, Atoms, "
                                                            "Velocities, Pair Coeffs, PairIJ Coeffs, Atom Type Labels), "
                                                            "got 'Bonds'");
    expect_error(HEAD "\nAtoms\n\n1 1 0 0 0\n2 1 0 0 0\n\nAtoms\n\n1 1 0 0 0\n2 1 0 0 0\n",
                 "bad.data:14: expected each section once, got 'Atoms'");
    expect_error(HEAD "\nMasses\n\n1 1.0\n", "bad.data:11: expected an Atoms section with 2 atoms, got end of file");
}

static void test_atom_type_labels_name_types(void **state)
{
    (void)state;
    const char *text = HEAD "\nAtom Type Labels\n\n1 Ow\n\nAtoms # atomic\n\n2 1 1 2 3\n1 1 4 5 6\n";
    io_frame fr;
    io_typemap tm;
    assert_int_equal(io_lammps_data_read_buffer(text, strlen(text), "labels.data", &fr, &tm), 0);
    assert_string_equal(tm.name[0], "Ow");
    assert_true(isnan(tm.mass[0])); /* no Masses section */
    assert_int_equal(fr.id[0], 1);
    assert_float_equal(fr.x[0], 4.0, 0.0);
    assert_null(fr.v);
    assert_null(fr.image);
    io_frame_free(&fr);
    expect_error(HEAD "\nAtom Type Labels\n\n3 Ow\n", "bad.data:11: expected 'type label' with type in 1..1 and a label "
                                                      "of at most 15 characters, got '3 Ow'");
}

static void test_write_rejects_bad_ids_without_output(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/badids.data", dir);
    md_system *s = make_system();
    s->id[2] = s->id[0];
    assert_int_equal(io_lammps_data_write(path, s, NULL), SR_EINVAL);
    assert_int_not_equal(access(path, F_OK), 0);
    s->id[2] = perm[2];
    assert_int_equal(io_lammps_data_write("/nonexistent/dir/x.data", s, NULL), SR_EIO);
    io_frame fr;
    assert_int_equal(io_lammps_data_read("/nonexistent/dir/x.data", &fr, NULL), SR_EIO);
    assert_null(fr.x);
    md_system_free(s);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-sample") == 0) {
        md_system *s = make_system();
        int rc = io_lammps_data_write(argv[2], s, "sample for lmp");
        md_system_free(s);
        if (rc) fprintf(stderr, "%s\n", sr_error_message());
        return rc ? 1 : 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_reads_write_data_style_file),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_section_errors),
        cmocka_unit_test(test_atom_type_labels_name_types),
        cmocka_unit_test(test_write_rejects_bad_ids_without_output),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
