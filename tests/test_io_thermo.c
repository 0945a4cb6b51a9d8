/* test_io_thermo.c - thermo log: text table (header with units, values read back) and the netCDF
 * twin (dimension record, one variable per column with units and long_name), abort semantics. */
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

TU_TMPDIR_FIXTURES("sr_io_thermo")

static md_thermo record(int k)
{
    md_thermo t = {0};
    t.step = 100 * k;
    t.time = 0.2 * k;
    t.temperature = 87.3 + 0.61 * k;
    t.pressure = 1.013 - 2.7 * k;
    t.pe = -1234.5678 + k;
    t.ke = 45.678 - 0.3 * k;
    t.etotal = t.pe + t.ke;
    t.volume = 27543.21 + 3.3 * k;
    t.enthalpy = t.etotal + 0.001 * t.volume;
    t.conserved = t.etotal + 0.0042 * k;
    return t;
}

static void test_text_and_netcdf_columns(void **state)
{
    (void)state;
    char txt[128], nc[128];
    snprintf(txt, sizeof txt, "%s/thermo.txt", dir);
    snprintf(nc, sizeof nc, "%s/thermo.nc", dir);
    io_thermo_writer *w;
    assert_int_equal(io_thermo_create(txt, nc, MD_UNITS_METAL, &w), 0);
    for (int k = 0; k < 4; k++) {
        md_thermo t = record(k);
        assert_int_equal(io_thermo_write(w, &t), 0);
    }
    assert_int_equal(io_thermo_sync(w), 0);
    assert_int_equal(io_thermo_close(w, 1), 0);

    /* text: header names every column with its unit; rows give the values back to 10 digits */
    FILE *f = fopen(txt, "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(strstr(line, "# step[1] time[picosecond] temperature[K] pressure[bar] pe[eV]"));
    assert_non_null(strstr(line, "volume[angstrom^3] enthalpy[eV] conserved[eV]"));
    for (int k = 0; k < 4; k++) {
        md_thermo t = record(k);
        long step;
        double v[9];
        assert_non_null(fgets(line, sizeof line, f));
        assert_int_equal(sscanf(line, "%ld %lf %lf %lf %lf %lf %lf %lf %lf %lf", &step, &v[0], &v[1], &v[2], &v[3],
                                &v[4], &v[5], &v[6], &v[7], &v[8]),
                         10);
        assert_int_equal(step, t.step);
        const double e[9] = {t.time, t.temperature, t.pressure, t.pe, t.ke, t.etotal, t.volume, t.enthalpy, t.conserved};
        for (int c = 0; c < 9; c++) assert_true(fabs(v[c] - e[c]) <= 1e-9 * fmax(1.0, fabs(e[c])));
    }
    assert_null(fgets(line, sizeof line, f));
    fclose(f);

    /* netCDF: record dimension, variables with units/long_name, exact doubles */
    int ncid, varid, dimid;
    size_t n;
    assert_int_equal(nc_open(nc, NC_NOWRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_inq_dimid(ncid, "record", &dimid), NC_NOERR);
    assert_int_equal(nc_inq_dimlen(ncid, dimid, &n), NC_NOERR);
    assert_int_equal(n, 4);
    const char *names[] = {"step", "time", "temperature", "pressure", "pe", "ke", "etotal", "volume", "enthalpy",
                           "conserved"};
    const char *units[] = {"1", "picosecond", "K", "bar", "eV", "eV", "eV", "angstrom^3", "eV", "eV"};
    for (int c = 0; c < 10; c++) {
        char u[64] = {0};
        size_t len;
        assert_int_equal(nc_inq_varid(ncid, names[c], &varid), NC_NOERR);
        assert_int_equal(nc_get_att_text(ncid, varid, "units", u), NC_NOERR);
        assert_string_equal(u, units[c]);
        assert_int_equal(nc_inq_attlen(ncid, varid, "long_name", &len), NC_NOERR);
        assert_true(len > 3);
    }
    double pe[4];
    int steps[4];
    assert_int_equal(nc_inq_varid(ncid, "pe", &varid), NC_NOERR);
    assert_int_equal(nc_get_var_double(ncid, varid, pe), NC_NOERR);
    assert_int_equal(nc_inq_varid(ncid, "step", &varid), NC_NOERR);
    assert_int_equal(nc_get_var_int(ncid, varid, steps), NC_NOERR);
    for (int k = 0; k < 4; k++) {
        assert_true(pe[k] == record(k).pe);
        assert_int_equal(steps[k], 100 * k);
    }
    nc_close(ncid);
}

static void test_lj_header_units(void **state)
{
    (void)state;
    char buf[512];
    assert_int_equal(io_thermo_header(MD_UNITS_LJ, buf, sizeof buf), 0);
    assert_non_null(strstr(buf, "time[tau]"));
    assert_non_null(strstr(buf, "pe[epsilon]"));
    char small[20];
    assert_int_equal(io_thermo_header(MD_UNITS_LJ, small, sizeof small), SR_ERANGE);
}

static void test_abort_discards_netcdf_keeps_text(void **state)
{
    (void)state;
    char txt[128], nc[128], tmp[160];
    snprintf(txt, sizeof txt, "%s/ab.txt", dir);
    snprintf(nc, sizeof nc, "%s/ab.nc", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", nc);
    io_thermo_writer *w;
    assert_int_equal(io_thermo_create(txt, nc, MD_UNITS_LJ, &w), 0);
    md_thermo t = record(1);
    assert_int_equal(io_thermo_write(w, &t), 0);
    assert_int_equal(io_thermo_close(w, 0), 0);
    assert_int_not_equal(access(nc, F_OK), 0);
    assert_int_not_equal(access(tmp, F_OK), 0);
    assert_int_equal(access(txt, F_OK), 0);
    assert_int_equal(io_thermo_close(NULL, 1), 0);
}

static void test_errors(void **state)
{
    (void)state;
    char bad[160];
    snprintf(bad, sizeof bad, "%s/missing/dir/t.txt", dir);
    io_thermo_writer *w = (io_thermo_writer *)0x1;
    assert_int_equal(io_thermo_create(bad, NULL, MD_UNITS_METAL, &w), SR_EIO);
    assert_null(w);
    assert_non_null(strstr(sr_error_message(), "t.txt"));
    assert_int_equal(io_thermo_create(NULL, bad, MD_UNITS_METAL, &w), SR_ENETCDF);
    assert_int_equal(io_thermo_create(NULL, NULL, 7, &w), SR_EINVAL);
    /* a step beyond the int range of the netCDF variable */
    char nc[128];
    snprintf(nc, sizeof nc, "%s/big.nc", dir);
    assert_int_equal(io_thermo_create(NULL, nc, MD_UNITS_METAL, &w), 0);
    md_thermo t = record(2);
    t.step = 3000000000L;
    assert_int_equal(io_thermo_write(w, &t), SR_ERANGE);
    assert_int_equal(io_thermo_close(w, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_and_netcdf_columns),
        cmocka_unit_test(test_lj_header_units),
        cmocka_unit_test(test_abort_discards_netcdf_keeps_text),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
