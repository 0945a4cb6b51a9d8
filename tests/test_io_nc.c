/* test_io_nc.c - the netCDF output helper: atomic commit, abort, mandatory attributes, error
 * messages that name call/variable/file, append of records to an existing file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netcdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/io.h"

#include "tu_tmpdir.h"

TU_TMPDIR_FIXTURES("sr_io_nc")

static int exists(const char *path) { return access(path, F_OK) == 0; }


/* A small file: dim record (unlimited) x col(2), variable rate(record, col). */
static void define_rates(io_ncfile *f)
{
    const char *dims[] = {"record", "col"};
    assert_int_equal(io_ncfile_def_dim(f, "record", 0), 0);
    assert_int_equal(io_ncfile_def_dim(f, "col", 2), 0);
    assert_int_equal(io_ncfile_def_var(f, "rate", IO_NC_DOUBLE, 2, dims, "m-3 s-1", "nucleation rate"), 0);
    assert_int_equal(io_ncfile_put_att_text(f, NULL, "title", "test"), 0);
}

static void put_record(io_ncfile *f, size_t rec, double a, double b)
{
    size_t start[2] = {rec, 0}, count[2] = {1, 2};
    double v[2] = {a, b};
    assert_int_equal(io_ncfile_put_double(f, "rate", start, count, v), 0);
}

static void test_commit_renames_only_at_the_end(void **state)
{
    (void)state;
    char path[128], tmp[160];
    path_of(path, sizeof path, "commit.nc");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    io_ncfile *f;
    assert_int_equal(io_ncfile_create(path, &f), 0);
    define_rates(f);
    put_record(f, 0, 1.25e12, 3.5);
    assert_int_equal(io_ncfile_sync(f), 0);
    assert_true(exists(tmp));
    assert_false(exists(path)); /* nothing at the final path before commit */
    assert_int_equal(io_ncfile_commit(f), 0);
    assert_true(exists(path));
    assert_false(exists(tmp));

    int ncid, varid, fmt;
    char units[32] = {0}, long_name[64] = {0};
    double v[2];
    assert_int_equal(nc_open(path, NC_NOWRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_format(ncid, &fmt), NC_NOERR);
    assert_int_equal(fmt, NC_FORMAT_64BIT_OFFSET);
    assert_int_equal(nc_inq_varid(ncid, "rate", &varid), NC_NOERR);
    assert_int_equal(nc_get_att_text(ncid, varid, "units", units), NC_NOERR);
    assert_int_equal(nc_get_att_text(ncid, varid, "long_name", long_name), NC_NOERR);
    assert_string_equal(units, "m-3 s-1");
    assert_string_equal(long_name, "nucleation rate");
    assert_int_equal(nc_get_var_double(ncid, varid, v), NC_NOERR);
    assert_true(v[0] == 1.25e12 && v[1] == 3.5);
    nc_close(ncid);
}

static void test_abort_leaves_no_file(void **state)
{
    (void)state;
    char path[128], tmp[160];
    path_of(path, sizeof path, "abort.nc");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    io_ncfile *f;
    assert_int_equal(io_ncfile_create(path, &f), 0);
    define_rates(f);
    put_record(f, 0, 1.0, 2.0);
    io_ncfile_abort(f);
    assert_false(exists(path));
    assert_false(exists(tmp));
    io_ncfile_abort(NULL); /* accepts NULL */
}

static void test_units_and_long_name_are_mandatory(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "nounits.nc");
    io_ncfile *f;
    const char *dims[] = {"record"};
    assert_int_equal(io_ncfile_create(path, &f), 0);
    assert_int_equal(io_ncfile_def_dim(f, "record", 0), 0);
    assert_int_equal(io_ncfile_def_var(f, "x", IO_NC_DOUBLE, 1, dims, NULL, "x"), SR_EINVAL);
    assert_int_equal(io_ncfile_def_var(f, "x", IO_NC_DOUBLE, 1, dims, "1", NULL), SR_EINVAL);
    assert_non_null(strstr(sr_error_message(), "units and long_name are mandatory"));
    io_ncfile_abort(f);
    assert_false(exists(path));
}

static void test_failing_call_names_call_variable_and_file(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "bad.nc");
    io_ncfile *f;
    const char *dims[] = {"nosuchdim"};
    assert_int_equal(io_ncfile_create(path, &f), 0);
    assert_int_equal(io_ncfile_def_var(f, "energy", IO_NC_DOUBLE, 1, dims, "eV", "energy"), SR_ENETCDF);
    const char *msg = sr_error_message();
    assert_non_null(strstr(msg, "nc_inq_dimid"));
    assert_non_null(strstr(msg, "nosuchdim"));
    assert_non_null(strstr(msg, "bad.nc"));
    /* writing a variable that does not exist */
    assert_int_equal(io_ncfile_def_dim(f, "record", 0), 0);
    size_t st[1] = {0}, ct[1] = {1};
    double v = 1.0;
    assert_int_equal(io_ncfile_put_double(f, "missing", st, ct, &v), SR_ENETCDF);
    assert_non_null(strstr(sr_error_message(), "nc_inq_varid on variable 'missing'"));
    io_ncfile_abort(f);
    assert_false(exists(path));
}

static void test_create_in_missing_directory_fails_cleanly(void **state)
{
    (void)state;
    char path[160];
    path_of(path, sizeof path, "no/such/dir/x.nc");
    io_ncfile *f = (io_ncfile *)0x1;
    assert_int_equal(io_ncfile_create(path, &f), SR_ENETCDF);
    assert_null(f);
    assert_non_null(strstr(sr_error_message(), "nc_create"));
    assert_non_null(strstr(sr_error_message(), "x.nc.tmp"));
}

static void test_append_adds_records(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "append.nc");
    io_ncfile *f;
    assert_int_equal(io_ncfile_create(path, &f), 0);
    define_rates(f);
    put_record(f, 0, 0.5, 1.5);
    put_record(f, 1, 2.5, 3.5);
    assert_int_equal(io_ncfile_commit(f), 0);

    size_t nrec = 0;
    assert_int_equal(io_ncfile_open_append(path, &f), 0);
    assert_int_equal(io_ncfile_dim_len(f, "record", &nrec), 0);
    assert_int_equal(nrec, 2);
    put_record(f, nrec, 4.75, 5.125);
    assert_int_equal(io_ncfile_commit(f), 0);

    int ncid, varid, dimid;
    size_t len;
    double v[6];
    assert_int_equal(nc_open(path, NC_NOWRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_dimid(ncid, "record", &dimid), NC_NOERR);
    assert_int_equal(nc_inq_dimlen(ncid, dimid, &len), NC_NOERR);
    assert_int_equal(len, 3);
    assert_int_equal(nc_inq_varid(ncid, "rate", &varid), NC_NOERR);
    assert_int_equal(nc_get_var_double(ncid, varid, v), NC_NOERR);
    assert_true(v[0] == 0.5 && v[3] == 3.5 && v[4] == 4.75 && v[5] == 5.125);
    nc_close(ncid);

    /* appending to a file that does not exist */
    char missing[128];
    path_of(missing, sizeof missing, "missing.nc");
    assert_int_equal(io_ncfile_open_append(missing, &f), SR_ENETCDF);
    assert_non_null(strstr(sr_error_message(), "missing.nc"));
}

/* the checked reader's header walk (io_ncin): a committed file whose record variables have no record yet (a thermo
 * file before its first step: the file ends where the first record variable begins) and one with records open;
 * a header that names an attribute with 300 characters (netCDF-C 4.9 copies such a name into the caller's
 * NC_MAX_NAME + 1 bytes) is refused as damaged, also when the name lies beyond the first MiB of the file */
static void test_reader_header_walk(void **state)
{
    (void)state;
    for (int nrec = 0; nrec <= 2; nrec += 2) {
        char path[128];
        path_of(path, sizeof path, nrec ? "rec2.nc" : "rec0.nc");
        io_ncfile *f;
        assert_int_equal(io_ncfile_create(path, &f), 0);
        const char *dims[] = {"record", "atom"};
        assert_int_equal(io_ncfile_def_dim(f, "record", 0), 0);
        assert_int_equal(io_ncfile_def_dim(f, "atom", 2000), 0);
        assert_int_equal(io_ncfile_def_var(f, "a", IO_NC_DOUBLE, 2, dims, "1", "first"), 0);
        assert_int_equal(io_ncfile_def_var(f, "b", IO_NC_DOUBLE, 2, dims, "1", "second"), 0);
        assert_int_equal(io_ncfile_def_var(f, "c", IO_NC_DOUBLE, 1, dims, "1", "third"), 0);
        static double v[2000];
        for (int r = 0; r < nrec; r++) {
            size_t start[2] = {(size_t)r, 0}, count[2] = {1, 2000};
            assert_int_equal(io_ncfile_put_double(f, "a", start, count, v), 0);
            assert_int_equal(io_ncfile_put_double(f, "b", start, count, v), 0);
            assert_int_equal(io_ncfile_put_double(f, "c", start, count, v), 0);
        }
        assert_int_equal(io_ncfile_commit(f), 0);
        io_ncin *r = NULL;
        const int rc = io_ncin_open(path, IO_NCIN_VERIFY, &r);
        if (rc) printf("%s\n", sr_error_message());
        assert_int_equal(rc, 0);
        io_ncin_close(r);
    }
    /* CDF-1 by hand: global attributes [pad (0 or 2 MiB of text)], a 300-character name, the checksum attribute */
    for (int big = 0; big <= 1; big++) {
        const size_t padlen = big ? (size_t)2 << 20 : 0;
        unsigned char *b = calloc(padlen + 8192, 1); /* the header (< padlen + 1000 bytes), then 4096 zeros */
        size_t n = 0;
#define U32(x) (b[n] = (unsigned char)((x) >> 24), b[n + 1] = (unsigned char)((x) >> 16), \
                b[n + 2] = (unsigned char)((x) >> 8), b[n + 3] = (unsigned char)(x), n += 4)
        memcpy(b, "CDF\001", 4);
        n = 4;
        U32(0u);                  /* numrecs */
        U32(0u), U32(0u);         /* no dimensions */
        U32(0x0Cu), U32(big ? 3u : 2u); /* NC_ATTRIBUTE, count */
        if (big) {
            U32(3u), memcpy(b + n, "pad", 3), n += 4;
            U32(2u), U32((unsigned)padlen), memset(b + n, 'x', padlen), n += padlen;
        }
        U32(300u), memset(b + n, 'a', 300), n += 300;
        U32(2u), U32(1u), b[n] = 'x', n += 4;
        U32(17u), memcpy(b + n, "seedrate_checksum", 17), n += 20;
        U32(2u), U32(24u), memcpy(b + n, "fnv1a64:0000000000000000", 24), n += 24;
        U32(0u), U32(0u); /* no variables */
#undef U32
        char path[128];
        path_of(path, sizeof path, "longname.nc");
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        assert_int_equal(fwrite(b, 1, n + 4096, fp), n + 4096); /* zeros after the header */
        fclose(fp);
        free(b);
        io_ncin *r = (io_ncin *)0x1;
        assert_int_equal(io_ncin_open(path, IO_NCIN_VERIFY, &r), SR_EPARSE);
        assert_null(r);
        assert_non_null(strstr(sr_error_message(), "header declares more data"));
    }
}

static void test_io_units_names(void **state)
{
    (void)state;
    assert_string_equal(io_units(MD_UNITS_METAL)->length, "angstrom");
    assert_string_equal(io_units(MD_UNITS_METAL)->time, "picosecond");
    assert_string_equal(io_units(MD_UNITS_LJ)->time, "tau");
    assert_string_equal(io_units(MD_UNITS_LJ)->length, "sigma");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_renames_only_at_the_end),
        cmocka_unit_test(test_abort_leaves_no_file),
        cmocka_unit_test(test_units_and_long_name_are_mandatory),
        cmocka_unit_test(test_failing_call_names_call_variable_and_file),
        cmocka_unit_test(test_create_in_missing_directory_fails_cleanly),
        cmocka_unit_test(test_append_adds_records),
        cmocka_unit_test(test_io_units_names),
        cmocka_unit_test(test_reader_header_walk),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
