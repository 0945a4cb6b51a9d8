/* test_ml_npy.c - the .npy reader on tiny files written here (float32 and float64, format 1.0 and
 * 2.0), rejection of malformed headers (each with its own message), and the DeePMD-kit system
 * reader (type mapping, frame layout, refusal of triclinic cells and bad type indices). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "io/io.h"
#include "test_ml_util.h"

/* an .npy image: header dict text padded to 16 bytes, then data bytes */
static size_t make_npy(unsigned char *buf, int major, const char *dict, const void *data, size_t nbytes)
{
    const size_t pre = major == 1 ? 10 : 12;
    size_t hl = strlen(dict) + 1;
    hl += (16 - (pre + hl) % 16) % 16;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)major;
    buf[7] = 0;
    buf[8] = (unsigned char)(hl & 255);
    buf[9] = (unsigned char)(hl >> 8);
    if (major > 1) buf[10] = buf[11] = 0;
    memset(buf + pre, ' ', hl);
    memcpy(buf + pre, dict, strlen(dict));
    buf[pre + hl - 1] = '\n';
    memcpy(buf + pre + hl, data, nbytes);
    return pre + hl + nbytes;
}

static void test_float32_and_float64(void **st)
{
    (void)st;
    unsigned char buf[512];
    const float f4[6] = {1.5f, -2.25f, 3.0e-3f, 7.0f, -0.0f, 12.444661f};
    size_t n = make_npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f4, sizeof f4);
    ml_npy a;
    assert_int_equal(ml_npy_parse(buf, n, "f4", &a), 0);
    assert_int_equal(a.ndim, 2);
    assert_int_equal(a.shape[0], 2);
    assert_int_equal(a.shape[1], 3);
    for (int k = 0; k < 6; k++) assert_true(a.data[k] == (double)f4[k]);
    ml_npy_free(&a);
    const double f8[3] = {-29944.123456789, 2.385e-7, 1e300};
    n = make_npy(buf, 2, "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (3,)}", f8, sizeof f8);
    assert_int_equal(ml_npy_parse(buf, n, "f8", &a), 0);
    assert_int_equal(a.ndim, 1);
    assert_int_equal(a.count, 3);
    assert_memory_equal(a.data, f8, sizeof f8);
    ml_npy_free(&a);
    /* the writer and the file reader agree */
    char path[256];
    snprintf(path, sizeof path, "%.150s/test_ml_npy_rt.npy", SEEDRATE_BINARY_DIR);
    const long shape[2] = {1, 3};
    assert_int_equal(ml_npy_write(path, 2, shape, f8), 0);
    assert_int_equal(ml_npy_read(path, &a), 0);
    assert_int_equal(a.shape[1], 3);
    assert_memory_equal(a.data, f8, sizeof f8);
    ml_npy_free(&a);
    remove(path);
}

typedef struct bad_case {
    const char *dict;
    int major;
    size_t nbytes;
    int status;
    const char *msg;
} bad_case;

static void test_malformed_rejected(void **st)
{
    (void)st;
    const double d[4] = {1, 2, 3, 4};
    const bad_case cases[] = {
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }", 1, 16, SR_EUNSUPPORTED, "dtype"},
        {"{'descr': '>f8', 'fortran_order': False, 'shape': (4,), }", 1, 32, SR_EUNSUPPORTED, "dtype"},
        {"{'descr': '<f8', 'fortran_order': True, 'shape': (4,), }", 1, 32, SR_EUNSUPPORTED, "Fortran"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }", 1, 32, SR_EPARSE, "bytes"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 1, 32, SR_EPARSE, "bytes"},
        {"{'descr': '<f8', 'fortran_order': False, }", 1, 32, SR_EPARSE, "lacks"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (4,), 'extra': 1}", 1, 32, SR_EPARSE, "unexpected key"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1, 1, 4), }", 1, 32, SR_EPARSE, "at most 4"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (4,", 1, 32, SR_EPARSE, "shape"},
        {"{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (4,), }", 1, 32, SR_EPARSE, "structured"},
        {"{'descr': '<f8', 'fortran_order': Maybe, 'shape': (4,), }", 1, 32, SR_EPARSE, "True/False"},
        {"'descr': '<f8'", 1, 32, SR_EPARSE, "not a dict"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", 4, 32, SR_EUNSUPPORTED, "version"},
    };
    unsigned char buf[512];
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        size_t n = make_npy(buf, cases[k].major == 4 ? 1 : cases[k].major, cases[k].dict, d, cases[k].nbytes);
        if (cases[k].major == 4) buf[6] = 4;
        ml_npy a;
        const int rc = ml_npy_parse(buf, n, "bad", &a);
        if (rc != cases[k].status || !strstr(sr_error_message(), cases[k].msg))
            fail_msg("case %zu: status %d, message '%s'", k, rc, sr_error_message());
        assert_null(a.data);
    }
    /* bad magic, header length past the end, file too short */
    size_t n = make_npy(buf, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", d, 32);
    ml_npy a;
    buf[1] = 'X';
    assert_int_equal(ml_npy_parse(buf, n, "magic", &a), SR_EPARSE);
    buf[1] = 'N';
    buf[9] = 0x7f;
    assert_int_equal(ml_npy_parse(buf, n, "hlen", &a), SR_EPARSE);
    assert_non_null(strstr(sr_error_message(), "header length"));
    assert_int_equal(ml_npy_parse(buf, 7, "short", &a), SR_EPARSE);
    assert_int_equal(ml_npy_read("/nonexistent/x.npy", &a), SR_EIO);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void make_system(const char *dir, const double *box)
{
    char p[512];
    mkdir(dir, 0755);
    snprintf(p, sizeof p, "%s/type_map.raw", dir);
    write_text(p, "H\nO\n");
    snprintf(p, sizeof p, "%s/type.raw", dir);
    write_text(p, "1\n0\n0\n");
    snprintf(p, sizeof p, "%s/set.000", dir);
    mkdir(p, 0755);
    const double coord[18] = {0, 0, 0, 0.96, 0, 0, -0.24, 0.93, 0, 5, 5, 5, 5.96, 5, 5, 4.76, 5.93, 5};
    const double force[18] = {0.1, 0.2, 0.3, -0.1, -0.2, -0.3, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    const double energy[2] = {-467.25, -467.5};
    double boxes[18];
    memcpy(boxes, box, 9 * sizeof(double));
    memcpy(boxes + 9, box, 9 * sizeof(double));
    const long s2x9[2] = {2, 9}, s2[1] = {2};
    snprintf(p, sizeof p, "%s/set.000/box.npy", dir);
    assert_int_equal(ml_npy_write(p, 2, s2x9, boxes), 0);
    snprintf(p, sizeof p, "%s/set.000/coord.npy", dir);
    assert_int_equal(ml_npy_write(p, 2, s2x9, coord), 0);
    snprintf(p, sizeof p, "%s/set.000/force.npy", dir);
    assert_int_equal(ml_npy_write(p, 2, s2x9, force), 0);
    snprintf(p, sizeof p, "%s/set.000/energy.npy", dir);
    assert_int_equal(ml_npy_write(p, 1, s2, energy), 0);
}

static void test_deepmd_system(void **st)
{
    (void)st;
    char dir[256];
    snprintf(dir, sizeof dir, "%.150s/test_ml_npy_sys", SEEDRATE_BINARY_DIR);
    const double box[9] = {10, 0, 0, 0, 11, 0, 0, 0, 12};
    make_system(dir, box);
    ml_dataset ds = {0};
    ds.nelem = 1;
    strcpy(ds.type_map[0], "O"); /* file says H=0, O=1: must be remapped */
    assert_int_equal(ml_dataset_read_deepmd(&ds, dir), 0);
    assert_int_equal(ds.nframes, 2);
    assert_int_equal(ds.nelem, 2);
    assert_string_equal(ds.type_map[1], "H");
    assert_int_equal(ds.frames[0].type[0], 0); /* file type 1 = O -> 0 */
    assert_int_equal(ds.frames[0].type[1], 1);
    assert_true(ds.frames[1].energy == -467.5);
    assert_true(ds.frames[1].x[3] == 5.96);
    assert_true(ds.frames[1].force[8] == 9);
    assert_true(ds.frames[0].box[2] == 12);
    assert_int_equal(ds.frames[0].has_virial, 0); /* no virial.npy */
    ml_dataset_free(&ds);
    /* virial.npy (9 per frame, eV): the symmetric part as xx yy zz xy xz yz; a wrong count or a NaN is refused */
    char vp[512];
    snprintf(vp, sizeof vp, "%s/set.000/virial.npy", dir);
    double vir[18] = {1, 2, 3, 2, 4, 5, 3, 5, 6, -1, 0.5, 0.25, 0.5, -2, 0.125, 0.25, 0.125, -3};
    const long v2x9[2] = {2, 9}, v1x9[2] = {1, 9};
    assert_int_equal(ml_npy_write(vp, 2, v2x9, vir), 0);
    assert_int_equal(ml_dataset_read_deepmd(&ds, dir), 0);
    assert_int_equal(ds.frames[0].has_virial, 1);
    const double w1[6] = {-1, -2, -3, 0.5, 0.25, 0.125};
    for (int q = 0; q < 6; q++) assert_true(ds.frames[1].virial[q] == w1[q]);
    assert_true(ds.frames[0].virial[3] == 2 && ds.frames[0].virial[5] == 5);
    ml_dataset_free(&ds);
    assert_int_equal(ml_npy_write(vp, 2, v1x9, vir), 0);
    assert_int_equal(ml_dataset_read_deepmd(&ds, dir), SR_EPARSE);
    assert_non_null(strstr(sr_error_message(), "virial 9"));
    ml_dataset_free(&ds);
    vir[4] = NAN;
    assert_int_equal(ml_npy_write(vp, 2, v2x9, vir), 0);
    assert_int_equal(ml_dataset_read_deepmd(&ds, dir), SR_ENUMERIC);
    assert_non_null(strstr(sr_error_message(), "virial.npy frame 0"));
    ml_dataset_free(&ds);
    unlink(vp);
    /* triclinic cell refused */
    const double tric[9] = {10, 0, 0, 1.5, 11, 0, 0, 0, 12};
    make_system(dir, tric);
    assert_int_equal(ml_dataset_read_deepmd(&ds, dir), SR_EUNSUPPORTED);
    assert_non_null(strstr(sr_error_message(), "orthorhombic"));
    ml_dataset_free(&ds);
    /* type index beyond type_map */
    char p[512];
    make_system(dir, box);
    snprintf(p, sizeof p, "%s/type.raw", dir);
    write_text(p, "1\n2\n0\n");
    assert_int_equal(ml_dataset_read_deepmd(&ds, dir), SR_EPARSE);
    assert_non_null(strstr(sr_error_message(), "type 2"));
    ml_dataset_free(&ds);
    /* atom count that does not match coord.npy */
    write_text(p, "1\n0\n");
    assert_int_equal(ml_dataset_read_deepmd(&ds, dir), SR_EPARSE);
    assert_non_null(strstr(sr_error_message(), "inconsistent"));
    ml_dataset_free(&ds);
}

/* extended XYZ written by the io module is read back into frames with mapped element names */
static void test_extxyz(void **st)
{
    (void)st;
    io_typemap tm;
    io_typemap_init(&tm);
    int ih, io;
    assert_int_equal(io_typemap_add(&tm, "H", &ih), 0);
    assert_int_equal(io_typemap_add(&tm, "O", &io), 0);
    int type[3] = {io, ih, ih};
    double x[9] = {0.1, 0.2, 0.3, 1.05, 0.2, 0.3, -0.15, 1.13, 0.3};
    double f[9] = {0.5, -0.25, 0.125, 1, 2, 3, -1.5, -1.75, -3.125};
    io_frame fr = {0};
    fr.n = 3;
    fr.type = type;
    fr.x = x;
    fr.f = f;
    fr.energy = -471.3857;
    fr.len[0] = 9.5;
    fr.len[1] = 10.25;
    fr.len[2] = 11.0;
    char path[256];
    snprintf(path, sizeof path, "%.150s/test_ml_npy.extxyz", SEEDRATE_BINARY_DIR);
    assert_int_equal(io_extxyz_write(path, &fr, 1, &tm), 0);
    ml_dataset ds = {0};
    ds.nelem = 1;
    strcpy(ds.type_map[0], "O");
    assert_int_equal(ml_dataset_read_extxyz(&ds, path), 0);
    assert_int_equal(ds.nframes, 1);
    assert_int_equal(ds.nelem, 2);
    assert_string_equal(ds.type_map[1], "H");
    assert_int_equal(ds.frames[0].type[0], 0);
    assert_int_equal(ds.frames[0].type[2], 1);
    assert_true(ds.frames[0].energy == fr.energy);
    assert_memory_equal(ds.frames[0].force, f, sizeof f);
    assert_true(ds.frames[0].box[1] == 10.25);
    ml_dataset_free(&ds);
    /* no energy: refused */
    fr.energy = NAN;
    assert_int_equal(io_extxyz_write(path, &fr, 1, &tm), 0);
    assert_int_equal(ml_dataset_read_extxyz(&ds, path), SR_EPARSE);
    assert_non_null(strstr(sr_error_message(), "energy"));
    ml_dataset_free(&ds);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_float32_and_float64),
        cmocka_unit_test(test_malformed_rejected),
        cmocka_unit_test(test_deepmd_system),
        cmocka_unit_test(test_extxyz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
