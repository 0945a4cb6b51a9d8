/* test_io_amber.c - AMBER NetCDF trajectories: write -> read round trip (positions, box, types,
 * velocities, extra variables, id order), convention attributes/dims/format, LJ units, append,
 * atomic commit/abort, error paths.
 *
 * `test_io_amber --write-sample DIR` writes DIR/traj.nc, DIR/top.xyz and DIR/expected.txt for
 * tests/test_io_amber_python.sh (netCDF4 + MDAnalysis conformance). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/io.h"

#include "tu_tmpdir.h"

TU_TMPDIR_FIXTURES("sr_io_amber")

#define NAT 7

/* Atoms stored in a scrambled local order: local i has id perm[i]; its position depends on the id
 * and the frame, so a reader can check both the values and the id ordering. */
static const int perm[NAT] = {4, 1, 7, 3, 6, 2, 5};

static double coord(int id, int d, int frame) { return 0.731 * id + 1.913 * d - 0.377 * frame + 0.0123 * id * d; }
static double veloc(int id, int d) { return -2.5 + 0.417 * id - 0.093 * d; }

static md_system *make_system(int units, int frame)
{
    md_system *s = md_system_create(NAT, 2, units);
    assert_non_null(s);
    const double lo[3] = {0, 0, 0}, len[3] = {12.25, 13.5 + frame, 14.75};
    const double mass[2] = {39.948, 83.798};
    const char *names[2] = {"Ar", "Kr"};
    assert_int_equal(md_system_set_box(s, lo, len), 0);
    assert_int_equal(md_system_set_types(s, 2, mass, names), 0);
    for (int i = 0; i < NAT; i++) {
        s->id[i] = perm[i];
        s->type[i] = perm[i] % 2;
        for (int d = 0; d < 3; d++) {
            s->x[3 * i + d] = coord(perm[i], d, frame);
            s->v[3 * i + d] = veloc(perm[i], d);
        }
    }
    return s;
}

static const io_amber_extra extras[2] = {
    {"label", 1, "1", "solid-like label (1 solid, 0 liquid)"},
    {"q6bar", 0, "1", "averaged Steinhardt q6 (Lechner-Dellago)"},
};

static void extra_values(const md_system *s, int frame, int *label, double *q6)
{
    for (int i = 0; i < NAT; i++) {
        label[i] = (int)((s->id[i] + frame) % 3);
        q6[i] = 0.1 * (double)s->id[i] + 0.01 * frame;
    }
}

static void write_traj(const char *path, int units, int nframes)
{
    io_amber_writer *w;
    assert_int_equal(io_amber_create(path, NAT, units, 1, extras, 2, &w), 0);
    for (int k = 0; k < nframes; k++) {
        md_system *s = make_system(units, k);
        int label[NAT];
        double q6[NAT];
        extra_values(s, k, label, q6);
        const void *data[2] = {label, q6};
        assert_int_equal(io_amber_write_frame(w, s, 0.5 * k + 0.125, data), 0);
        md_system_free(s);
    }
    assert_int_equal(io_amber_writer_nframes(w), nframes);
    assert_int_equal(io_amber_close(w, 1), 0);
}

static void test_round_trip_positions_box_types_extras(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "rt.nc");
    write_traj(path, MD_UNITS_METAL, 3);

    io_amber_reader *r;
    assert_int_equal(io_amber_open(path, &r), 0);
    assert_int_equal(io_amber_nframes(r), 3);
    assert_int_equal(io_amber_natoms(r), NAT);
    md_system *s = md_system_create(NAT, 2, MD_UNITS_METAL);
    for (long k = 0; k < 3; k++) {
        double t;
        assert_int_equal(io_amber_read_frame(r, k, s, &t), 0);
        assert_float_equal(t, 0.5 * k + 0.125, 0.0);
        assert_float_equal(s->box.len[1], 13.5 + k, 0.0);
        assert_float_equal(s->box.len[2], 14.75, 0.0);
        double label[NAT], q6[NAT];
        assert_int_equal(io_amber_read_extra(r, "label", k, label), 0);
        assert_int_equal(io_amber_read_extra(r, "q6bar", k, q6), 0);
        for (int a = 0; a < NAT; a++) {
            const int id = a + 1; /* file order = id order */
            assert_int_equal(s->id[a], id);
            assert_int_equal(s->type[a], id % 2);
            for (int d = 0; d < 3; d++) {
                /* stored as float: relative error <= 2^-24 */
                const double x = coord(id, d, (int)k), v = veloc(id, d);
                assert_true(fabs(s->x[3 * a + d] - x) <= 6e-8 * fabs(x));
                assert_true(fabs(s->v[3 * a + d] - v) <= 6e-8 * fabs(v));
            }
            assert_float_equal(label[a], (double)((id + k) % 3), 0.0);
            assert_true(fabs(q6[a] - (0.1 * id + 0.01 * k)) <= 6e-8 * q6[a]);
        }
    }
    md_system_free(s);
    io_amber_reader_free(r);
}

static void get_text_att(int ncid, int varid, const char *name, char *buf, size_t size)
{
    size_t len;
    assert_int_equal(nc_inq_attlen(ncid, varid, name, &len), NC_NOERR);
    assert_true(len < size);
    assert_int_equal(nc_get_att_text(ncid, varid, name, buf), NC_NOERR);
    buf[len] = '\0';
}

static void test_convention_attributes_dims_and_format(void **state)
{
    (void)state;
    char path[128], buf[128];
    path_of(path, sizeof path, "conv.nc");
    write_traj(path, MD_UNITS_METAL, 2);
    int ncid, fmt, varid, dimid;
    size_t len;
    assert_int_equal(nc_open(path, NC_NOWRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_format(ncid, &fmt), NC_NOERR);
    assert_int_equal(fmt, NC_FORMAT_64BIT_OFFSET);
    get_text_att(ncid, NC_GLOBAL, "Conventions", buf, sizeof buf);
    assert_string_equal(buf, "AMBER");
    get_text_att(ncid, NC_GLOBAL, "ConventionVersion", buf, sizeof buf);
    assert_string_equal(buf, "1.0");
    get_text_att(ncid, NC_GLOBAL, "program", buf, sizeof buf);
    assert_string_equal(buf, "seedrate");
    get_text_att(ncid, NC_GLOBAL, "programVersion", buf, sizeof buf);
    const char *dims[] = {"spatial", "cell_spatial", "cell_angular", "label", "atom", "frame"};
    const size_t lens[] = {3, 3, 3, 5, NAT, 2};
    for (int k = 0; k < 6; k++) {
        assert_int_equal(nc_inq_dimid(ncid, dims[k], &dimid), NC_NOERR);
        assert_int_equal(nc_inq_dimlen(ncid, dimid, &len), NC_NOERR);
        assert_int_equal(len, lens[k]);
    }
    int unlim;
    assert_int_equal(nc_inq_unlimdim(ncid, &unlim), NC_NOERR);
    assert_int_equal(nc_inq_dimid(ncid, "frame", &dimid), NC_NOERR);
    assert_int_equal(unlim, dimid);
    const char *vars[] = {"time", "coordinates", "velocities", "cell_lengths", "cell_angles"};
    const char *units[] = {"picosecond", "angstrom", "angstrom/picosecond", "angstrom", "degree"};
    const nc_type types[] = {NC_FLOAT, NC_FLOAT, NC_FLOAT, NC_DOUBLE, NC_DOUBLE};
    for (int k = 0; k < 5; k++) {
        nc_type t;
        assert_int_equal(nc_inq_varid(ncid, vars[k], &varid), NC_NOERR);
        get_text_att(ncid, varid, "units", buf, sizeof buf);
        assert_string_equal(buf, units[k]);
        assert_int_equal(nc_inq_vartype(ncid, varid, &t), NC_NOERR);
        assert_int_equal(t, types[k]);
    }
    char labels[16] = {0};
    assert_int_equal(nc_inq_varid(ncid, "spatial", &varid), NC_NOERR);
    assert_int_equal(nc_get_var_text(ncid, varid, labels), NC_NOERR);
    assert_memory_equal(labels, "xyz", 3);
    assert_int_equal(nc_inq_varid(ncid, "cell_angular", &varid), NC_NOERR);
    assert_int_equal(nc_get_var_text(ncid, varid, labels), NC_NOERR);
    assert_memory_equal(labels, "alphabeta gamma", 15);
    double ang[3];
    size_t st[2] = {1, 0}, ct[2] = {1, 3};
    assert_int_equal(nc_inq_varid(ncid, "cell_angles", &varid), NC_NOERR);
    assert_int_equal(nc_get_vara_double(ncid, varid, st, ct, ang), NC_NOERR);
    assert_true(ang[0] == 90.0 && ang[1] == 90.0 && ang[2] == 90.0);
    nc_close(ncid);
}

static void test_lj_units_say_reduced(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "lj.nc");
    write_traj(path, MD_UNITS_LJ, 1);
    io_amber_reader *r;
    assert_int_equal(io_amber_open(path, &r), 0);
    assert_string_equal(io_amber_units(r, "time"), "tau");
    assert_string_equal(io_amber_units(r, "coordinates"), "sigma");
    assert_string_equal(io_amber_units(r, "q6bar"), "1");
    assert_string_equal(io_amber_units(r, "nonexistent"), "");
    assert_true(io_amber_has_var(r, "label"));
    assert_false(io_amber_has_var(r, "forces"));
    io_amber_reader_free(r);
    /* issue #19: the units attributes are the AMBER labels (MDAnalysis refuses anything else); the reduced
     * meaning is in units_style and seedrate_units */
    int ncid, v;
    char buf[256];
    size_t len;
    assert_int_equal(nc_open(path, NC_NOWRITE, &ncid), NC_NOERR);
    const char *want[][3] = {{"time", "picosecond", "tau"}, {"coordinates", "angstrom", "sigma"},
                             {"cell_lengths", "angstrom", "sigma"}, {"velocities", "angstrom/picosecond", "sigma/tau"}};
    for (int k = 0; k < 4; k++) {
        assert_int_equal(nc_inq_varid(ncid, want[k][0], &v), NC_NOERR);
        for (int a = 0; a < 2; a++) {
            const char *att = a == 0 ? "units" : "seedrate_units";
            assert_int_equal(nc_inq_attlen(ncid, v, att, &len), NC_NOERR);
            assert_int_equal(nc_get_att_text(ncid, v, att, buf), NC_NOERR);
            buf[len] = '\0';
            assert_string_equal(buf, want[k][1 + a]);
        }
    }
    assert_int_equal(nc_inq_attlen(ncid, NC_GLOBAL, "units_style", &len), NC_NOERR);
    assert_int_equal(nc_get_att_text(ncid, NC_GLOBAL, "units_style", buf), NC_NOERR);
    buf[len] = '\0';
    assert_string_equal(buf, "lj");
    nc_close(ncid);
}

static void test_append_continues_frames(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "app.nc");
    write_traj(path, MD_UNITS_METAL, 2);
    io_amber_writer *w;
    assert_int_equal(io_amber_open_append(path, NAT, extras, 2, &w), 0);
    assert_int_equal(io_amber_writer_nframes(w), 2);
    md_system *s = make_system(MD_UNITS_METAL, 2);
    int label[NAT];
    double q6[NAT];
    extra_values(s, 2, label, q6);
    const void *data[2] = {label, q6};
    assert_int_equal(io_amber_write_frame(w, s, 1.125, data), 0);
    assert_int_equal(io_amber_sync(w), 0);
    assert_int_equal(io_amber_close(w, 1), 0);

    io_amber_reader *r;
    md_system *t = md_system_create(NAT, 2, MD_UNITS_METAL);
    double time;
    assert_int_equal(io_amber_open(path, &r), 0);
    assert_int_equal(io_amber_nframes(r), 3);
    assert_int_equal(io_amber_read_frame(r, 2, t, &time), 0);
    assert_float_equal(time, 1.125, 0.0);
    assert_true(fabs(t->x[3 * 4 + 1] - coord(5, 1, 2)) < 1e-5);
    io_amber_reader_free(r);

    /* wrong atom count / missing extra */
    const io_amber_extra other = {"chill", 1, "1", "CHILL+ label"};
    assert_int_equal(io_amber_open_append(path, NAT + 1, extras, 2, &w), SR_EINVAL);
    assert_null(w);
    assert_int_equal(io_amber_open_append(path, NAT, &other, 1, &w), SR_EINVAL);
    assert_non_null(strstr(sr_error_message(), "chill"));
    md_system_free(s);
    md_system_free(t);
}

static void test_abort_leaves_no_file(void **state)
{
    (void)state;
    char path[128], tmp[160];
    path_of(path, sizeof path, "aborted.nc");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    io_amber_writer *w;
    assert_int_equal(io_amber_create(path, NAT, MD_UNITS_METAL, 0, NULL, 0, &w), 0);
    md_system *s = make_system(MD_UNITS_METAL, 0);
    assert_int_equal(io_amber_write_frame(w, s, 0.0, NULL), 0);
    assert_int_equal(access(tmp, F_OK), 0);
    assert_int_equal(io_amber_close(w, 0), 0);
    assert_int_not_equal(access(path, F_OK), 0);
    assert_int_not_equal(access(tmp, F_OK), 0);
    md_system_free(s);
}

static void test_bad_ids_and_counts_are_rejected(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "badids.nc");
    io_amber_writer *w;
    assert_int_equal(io_amber_create(path, NAT, MD_UNITS_METAL, 0, NULL, 0, &w), 0);
    md_system *s = make_system(MD_UNITS_METAL, 0);
    s->id[3] = s->id[0]; /* duplicate id */
    assert_int_equal(io_amber_write_frame(w, s, 0.0, NULL), SR_EINVAL);
    assert_non_null(strstr(sr_error_message(), "repeated"));
    s->id[3] = 99; /* outside 1..n */
    assert_int_equal(io_amber_write_frame(w, s, 0.0, NULL), SR_EINVAL);
    assert_non_null(strstr(sr_error_message(), "out of range"));
    s->n = NAT - 1;
    assert_int_equal(io_amber_write_frame(w, s, 0.0, NULL), SR_EINVAL);
    assert_int_equal(io_amber_close(w, 0), 0);
    assert_int_equal(io_amber_create(path, 0, MD_UNITS_METAL, 0, NULL, 0, &w), SR_EINVAL);
    md_system_free(s);
}

static void test_reader_rejects_non_amber_and_bad_frames(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "plain.nc");
    io_ncfile *f;
    const char *dims[] = {"atom"};
    assert_int_equal(io_ncfile_create(path, &f), 0);
    assert_int_equal(io_ncfile_def_dim(f, "atom", 4), 0);
    assert_int_equal(io_ncfile_def_var(f, "x", IO_NC_DOUBLE, 1, dims, "1", "x"), 0);
    assert_int_equal(io_ncfile_commit(f), 0);
    io_amber_reader *r = (io_amber_reader *)0x1;
    assert_int_equal(io_amber_open(path, &r), SR_EPARSE);
    assert_null(r);
    assert_non_null(strstr(sr_error_message(), "expected an AMBER NetCDF trajectory"));
    assert_non_null(strstr(sr_error_message(), "plain.nc"));

    /* a text file is not netCDF at all */
    char txt[128];
    path_of(txt, sizeof txt, "notnc.nc");
    FILE *fp = fopen(txt, "w");
    fputs("hello\n", fp);
    fclose(fp);
    assert_int_equal(io_amber_open(txt, &r), SR_ENETCDF);
    assert_non_null(strstr(sr_error_message(), "notnc.nc"));

    /* frame index out of range; system of the wrong size; type beyond the system's table */
    path_of(path, sizeof path, "frames.nc");
    write_traj(path, MD_UNITS_METAL, 1);
    assert_int_equal(io_amber_open(path, &r), 0);
    md_system *s = md_system_create(NAT, 2, MD_UNITS_METAL), *small = md_system_create(NAT - 2, 1, MD_UNITS_METAL);
    md_system *onetype = md_system_create(NAT, 1, MD_UNITS_METAL);
    assert_int_equal(io_amber_read_frame(r, 1, s, NULL), SR_ERANGE);
    assert_int_equal(io_amber_read_frame(r, -1, s, NULL), SR_ERANGE);
    assert_int_equal(io_amber_read_frame(r, 0, small, NULL), SR_EINVAL);
    assert_int_equal(io_amber_read_frame(r, 0, onetype, NULL), SR_EPARSE);
    assert_non_null(strstr(sr_error_message(), "atom_types"));
    double buf[NAT];
    assert_int_equal(io_amber_read_extra(r, "nosuch", 0, buf), SR_EINVAL);
    assert_int_equal(io_amber_read_extra(r, "coordinates", 0, buf), SR_EPARSE); /* not per-atom scalar */
    io_amber_reader_free(r);
    md_system_free(s);
    md_system_free(small);
    md_system_free(onetype);
}

/* An AMBER-labelled file whose coordinates have the wrong shape, and one without a version. */
static void test_reader_rejects_malformed_amber(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "shape.nc");
    io_ncfile *f;
    const char *dims[] = {"frame", "atom"};
    assert_int_equal(io_ncfile_create(path, &f), 0);
    assert_int_equal(io_ncfile_put_att_text(f, NULL, "Conventions", "AMBER"), 0);
    assert_int_equal(io_ncfile_put_att_text(f, NULL, "ConventionVersion", "1.0"), 0);
    assert_int_equal(io_ncfile_def_dim(f, "frame", 0), 0);
    assert_int_equal(io_ncfile_def_dim(f, "spatial", 3), 0);
    assert_int_equal(io_ncfile_def_dim(f, "atom", 4), 0);
    assert_int_equal(io_ncfile_def_var(f, "coordinates", IO_NC_FLOAT, 2, dims, "angstrom", "wrong shape"), 0);
    size_t st[2] = {0, 0}, ct[2] = {1, 4};
    const double x[4] = {1, 2, 3, 4};
    assert_int_equal(io_ncfile_put_double(f, "coordinates", st, ct, x), 0);
    assert_int_equal(io_ncfile_commit(f), 0);
    io_amber_reader *r;
    assert_int_equal(io_amber_open(path, &r), 0);
    assert_int_equal(io_amber_nframes(r), 1);
    md_system *s = md_system_create(4, 1, MD_UNITS_METAL);
    assert_int_equal(io_amber_read_frame(r, 0, s, NULL), SR_EPARSE);
    assert_non_null(strstr(sr_error_message(), "expected variable 'coordinates' with 3 dimensions, got 2"));
    io_amber_reader_free(r);
    md_system_free(s);

    path_of(path, sizeof path, "noversion.nc");
    assert_int_equal(io_ncfile_create(path, &f), 0);
    assert_int_equal(io_ncfile_put_att_text(f, NULL, "Conventions", "AMBER"), 0);
    assert_int_equal(io_ncfile_def_dim(f, "atom", 4), 0);
    assert_int_equal(io_ncfile_commit(f), 0);
    assert_int_equal(io_amber_open(path, &r), SR_EPARSE);
    assert_non_null(strstr(sr_error_message(), "expected ConventionVersion=\"1.0\""));
}

/* For the python conformance script: trajectory, an XYZ topology, expected positions (id order). */
static int write_sample(const char *outdir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/traj.nc", outdir);
    io_amber_writer *w;
    if (io_amber_create(path, NAT, MD_UNITS_METAL, 1, extras, 2, &w)) return 1;
    snprintf(path, sizeof path, "%s/expected.txt", outdir);
    FILE *exp = fopen(path, "w");
    if (!exp) return 1;
    for (int k = 0; k < 2; k++) {
        md_system *s = make_system(MD_UNITS_METAL, k);
        int label[NAT];
        double q6[NAT];
        extra_values(s, k, label, q6);
        const void *data[2] = {label, q6};
        if (io_amber_write_frame(w, s, 0.5 * k + 0.125, data)) return 1;
        fprintf(exp, "%d %.9g %.9g %.9g %.9g\n", k, 0.5 * k + 0.125, s->box.len[0], s->box.len[1], s->box.len[2]);
        for (int id = 1; id <= NAT; id++)
            fprintf(exp, "%.9g %.9g %.9g %d\n", coord(id, 0, k), coord(id, 1, k), coord(id, 2, k), id % 2);
        if (k == 0) {
            io_frame fr;
            io_typemap tm;
            snprintf(path, sizeof path, "%s/top.xyz", outdir);
            if (io_frame_from_system(s, 0, &fr, &tm) || io_extxyz_write(path, &fr, 1, &tm)) return 1;
            io_frame_free(&fr);
        }
        md_system_free(s);
    }
    fclose(exp);
    return io_amber_close(w, 1) ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-sample") == 0) {
        int rc = write_sample(argv[2]);
        if (rc) fprintf(stderr, "write-sample failed: %s\n", sr_error_message());
        return rc;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_positions_box_types_extras),
        cmocka_unit_test(test_convention_attributes_dims_and_format),
        cmocka_unit_test(test_lj_units_say_reduced),
        cmocka_unit_test(test_append_continues_frames),
        cmocka_unit_test(test_abort_leaves_no_file),
        cmocka_unit_test(test_bad_ids_and_counts_are_rejected),
        cmocka_unit_test(test_reader_rejects_non_amber_and_bad_frames),
        cmocka_unit_test(test_reader_rejects_malformed_amber),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
