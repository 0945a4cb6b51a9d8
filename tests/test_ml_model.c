/* test_ml_model.c - the model file: save -> load gives bit-identical predictions and parameters;
 * unknown format versions, foreign files and missing files are refused with a message naming the
 * problem; the "nn" potential refuses systems with an element the model lacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include <netcdf.h>

#include "test_ml_util.h"
#include "io/io.h"

static void tmp_path(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%.150s/%s", SEEDRATE_BINARY_DIR, name);
}

static void test_roundtrip_bit_identical(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(61, 0, SR_RNG_USER);
    for (int kind = 4; kind <= 5; kind++) {
        ml_model *m = tml_random_model(r, kind, kind == 4 ? ML_ACT_SILU : ML_ACT_TANH, 4.2);
        snprintf(m->provenance, sizeof m->provenance, "unit test, kind %d", kind);
        char path[256];
        tmp_path(path, sizeof path, "test_ml_model_rt.nc");
        assert_int_equal(ml_model_write(m, path), 0);
        ml_model *b = NULL;
        assert_int_equal(ml_model_read(path, &b), 0);
        assert_non_null(b);
        assert_string_equal(b->type_map[1], "H");
        assert_string_equal(b->provenance, m->provenance);
        assert_int_equal(b->nf, m->nf);
        assert_true(b->sf.rc == m->sf.rc && b->sf.rc_angular == m->sf.rc_angular);
        assert_int_equal(b->sf.angular_kind, m->sf.angular_kind);
        assert_memory_equal(b->sf.rs, m->sf.rs, sizeof m->sf.rs);
        assert_memory_equal(b->sf.eta_r, m->sf.eta_r, sizeof m->sf.eta_r);
        assert_memory_equal(b->sf.zeta, m->sf.zeta, sizeof m->sf.zeta);
        assert_memory_equal(b->sf.lambda, m->sf.lambda, sizeof m->sf.lambda);
        ml_frame fr;
        tml_random_frame(r, 19, (double[3]){7.1, 6.8, 7.5}, 1.0, &fr);
        double e1, e2, f1[57], f2[57], w1[6], w2[6];
        assert_int_equal(ml_model_frame(m, &fr, &e1, f1, w1), 0);
        assert_int_equal(ml_model_frame(b, &fr, &e2, f2, w2), 0);
        assert_memory_equal(&e1, &e2, sizeof e1);
        assert_memory_equal(f1, f2, sizeof f1);
        assert_memory_equal(w1, w2, sizeof w1);
        tml_frame_free(&fr);
        ml_model_free(m);
        ml_model_free(b);
        remove(path);
    }
    gsl_rng_free(r);
}

/* rewrite one global integer attribute of a model file; checksum: 1 = write a new completeness checksum
 * (as a writer of that version would), 0 = remove it (a version-1 file, written before the checksum) */
static void set_version(const char *path, int version, int checksum)
{
    int ncid;
    assert_int_equal(nc_open(path, NC_WRITE, &ncid), NC_NOERR);
    assert_int_equal(nc_redef(ncid), NC_NOERR);
    assert_int_equal(nc_put_att_int(ncid, NC_GLOBAL, "format_version", NC_INT, 1, &version), NC_NOERR);
    if (checksum) {
        assert_int_equal(io_nc_put_checksum(ncid, path), 0);
    } else {
        assert_int_equal(nc_del_att(ncid, NC_GLOBAL, IO_NC_CHECKSUM_ATT), NC_NOERR);
    }
    assert_int_equal(nc_close(ncid), NC_NOERR);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    *len = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *b = malloc(*len);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, *len, fp), *len);
    fclose(fp);
    return b;
}

static void spit(const char *path, const unsigned char *b, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(b, 1, len, fp), len);
    fclose(fp);
}

/* issue #19: a model file cut short or with a changed byte is refused naming the file (netCDF-C reads the
 * missing bytes as zeros: without the checksum the weights would silently be zero); the from-memory reader
 * gives the same model and the same verdicts. */
static void test_refuses_damaged_file(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(64, 0, SR_RNG_USER);
    ml_model *m = tml_random_model(r, 5, ML_ACT_TANH, 4.0), *b = NULL;
    char path[256], cut[256];
    tmp_path(path, sizeof path, "test_ml_model_damaged.nc");
    tmp_path(cut, sizeof cut, "test_ml_model_cut.nc");
    assert_int_equal(ml_model_write(m, path), 0);
    size_t len;
    unsigned char *bytes = slurp(path, &len);
    assert_int_equal(ml_model_read_buffer(bytes, len, "mem.nc", &b), 0);
    assert_non_null(b);
    assert_int_equal(b->nf, m->nf);
    assert_memory_equal(b->net[1]->param, m->net[1]->param, sizeof(double) * (size_t)m->net[1]->nparams);
    ml_model_free(b);
    b = NULL;
    spit(cut, bytes, len - 24); /* the last three weights */
    assert_int_equal(ml_model_read(cut, &b), SR_EPARSE);
    assert_null(b);
    assert_non_null(strstr(sr_error_message(), "test_ml_model_cut.nc: damaged"));
    assert_int_equal(ml_model_read_buffer(bytes, len - 24, "mem-cut.nc", &b), SR_EPARSE);
    assert_non_null(strstr(sr_error_message(), "mem-cut.nc: damaged"));
    bytes[len - 5] ^= 0x10; /* one bit of the last weight */
    assert_int_equal(ml_model_read_buffer(bytes, len, "mem-flip.nc", &b), SR_EPARSE);
    assert_non_null(strstr(sr_error_message(), "mem-flip.nc: damaged"));
    assert_null(b);
    free(bytes);
    remove(path);
    remove(cut);
    ml_model_free(m);
    gsl_rng_free(r);
}

/* A version-1 file (no checksum) is refused with the way out; ml_model_upgrade writes version 2 with the same
 * model. */
static void test_version1_upgrade(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(65, 0, SR_RNG_USER);
    ml_model *m = tml_random_model(r, 4, ML_ACT_SILU, 4.4), *b = NULL;
    char path[256], up[256];
    tmp_path(path, sizeof path, "test_ml_model_v1.nc");
    tmp_path(up, sizeof up, "test_ml_model_v2.nc");
    assert_int_equal(ml_model_write(m, path), 0);
    set_version(path, 1, 0);
    assert_int_equal(ml_model_read(path, &b), SR_EUNSUPPORTED);
    assert_null(b);
    assert_non_null(strstr(sr_error_message(), "test_ml_model_v1.nc: model format version 1 has no completeness"));
    assert_non_null(strstr(sr_error_message(), "seedrate train --upgrade"));
    assert_int_equal(ml_model_upgrade(path, up), 0);
    assert_int_equal(ml_model_read(up, &b), 0);
    assert_memory_equal(b->net[0]->param, m->net[0]->param, sizeof(double) * (size_t)m->net[0]->nparams);
    assert_memory_equal(b->g_std, m->g_std, sizeof(double) * (size_t)(m->nelem * m->nf));
    ml_model_free(b);
    /* a version-2 file whose checksum went missing is unfinished, not old */
    set_version(up, ML_MODEL_VERSION, 0);
    b = NULL;
    assert_int_equal(ml_model_read(up, &b), SR_EPARSE);
    assert_non_null(strstr(sr_error_message(), "no completeness checksum"));
    remove(path);
    remove(up);
    ml_model_free(m);
    gsl_rng_free(r);
}

static void test_refuses_unknown_version(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(62, 0, SR_RNG_USER);
    ml_model *m = tml_random_model(r, 5, ML_ACT_TANH, 4.0), *b = NULL;
    char path[256];
    tmp_path(path, sizeof path, "test_ml_model_version.nc");
    assert_int_equal(ml_model_write(m, path), 0);
    set_version(path, ML_MODEL_VERSION + 1, 1);
    assert_int_equal(ml_model_read(path, &b), SR_EUNSUPPORTED);
    assert_null(b);
    assert_non_null(strstr(sr_error_message(), "version 2"));
    remove(path);
    ml_model_free(m);
    gsl_rng_free(r);
}

static void test_refuses_foreign_and_missing_files(void **st)
{
    (void)st;
    ml_model *b = NULL;
    char path[256];
    tmp_path(path, sizeof path, "test_ml_model_foreign.nc");
    int ncid;
    assert_int_equal(nc_create(path, NC_CLOBBER, &ncid), NC_NOERR);
    assert_int_equal(nc_put_att_text(ncid, NC_GLOBAL, "format", 5, "AMBER"), NC_NOERR);
    assert_int_equal(nc_close(ncid), NC_NOERR);
    assert_int_equal(ml_model_read(path, &b), SR_EPARSE);
    assert_non_null(strstr(sr_error_message(), "not a seedrate model"));
    remove(path);
    assert_int_equal(ml_model_read("/nonexistent/model.nc", &b), SR_ENETCDF);
    assert_non_null(strstr(sr_error_message(), "/nonexistent/model.nc"));
    assert_null(b);
}

static void test_potential_refuses_missing_element(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(63, 0, SR_RNG_USER);
    ml_model *m = tml_random_model(r, 5, ML_ACT_TANH, 4.0);
    char path[256];
    tmp_path(path, sizeof path, "test_ml_model_elem.nc");
    assert_int_equal(ml_model_write(m, path), 0);
    md_system *s = md_system_create(4, 2, MD_UNITS_METAL);
    const double mass[2] = {1.008, 12.011};
    const char *names[2] = {"H", "C"};
    assert_int_equal(md_system_set_types(s, 2, mass, names), 0);
    ml_potential_config cfg = {0};
    snprintf(cfg.model, sizeof cfg.model, "%s", path);
    void *state = NULL;
    assert_int_equal(ml_potential_nn.create(&state, &cfg, s, NULL), SR_EINVAL);
    assert_null(state);
    assert_non_null(strstr(sr_error_message(), "'C'"));
    /* relative names resolve against basedir */
    const char *slash = strrchr(path, '/');
    char dir[256];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    snprintf(cfg.model, sizeof cfg.model, "%s", slash + 1);
    names[1] = "O";
    assert_int_equal(md_system_set_types(s, 2, mass, names), 0);
    assert_int_equal(ml_potential_nn.create(&state, &cfg, s, dir), 0);
    assert_true(fabs(ml_potential_nn.cutoff(state) - 4.0) < 1e-15);
    ml_potential_nn.destroy(state);
    /* wrong unit style */
    md_system *lj = md_system_create(4, 2, MD_UNITS_LJ);
    assert_int_equal(md_system_set_types(lj, 2, mass, names), 0);
    assert_int_equal(ml_potential_nn.create(&state, &cfg, lj, dir), SR_EINVAL);
    md_system_free(lj);
    md_system_free(s);
    remove(path);
    ml_model_free(m);
    gsl_rng_free(r);
}

/* ml_register makes "nn" known to md; a [potential] section with style = nn, model = FILE builds it */
static void test_register_and_section(void **st)
{
    (void)st;
    gsl_rng *r = sr_rng_create(64, 0, SR_RNG_USER);
    ml_model *m = tml_random_model(r, 5, ML_ACT_TANH, 4.0);
    char path[256];
    tmp_path(path, sizeof path, "test_ml_model_sec.nc");
    assert_int_equal(ml_model_write(m, path), 0);
    assert_int_equal(ml_register(), 0);
    assert_int_equal(ml_register(), 0); /* idempotent */
    assert_ptr_equal(md_potential_find("nn"), &ml_potential_nn);
    md_system *s = md_system_create(2, 2, MD_UNITS_METAL);
    const double mass[2] = {15.999, 1.008};
    const char *names[2] = {"O", "H"};
    assert_int_equal(md_system_set_types(s, 2, mass, names), 0);
    sr_section *sec = sr_section_create("potential");
    sr_section_set(sec, "style", "nn");
    sr_section_set(sec, "model", path);
    sr_errlist el = {0};
    md_potential *pot = NULL;
    assert_int_equal(md_potential_from_section(sec, s, NULL, &pot, &el), 0);
    assert_int_equal(el.n, 0);
    assert_true(fabs(md_potential_cutoff(pot) - 4.0) < 1e-15);
    md_potential_free(pot);
    /* an unknown key of the nn style is reported */
    sr_section_set(sec, "modle", "x.nc");
    pot = NULL;
    md_potential_from_section(sec, s, NULL, &pot, &el);
    sr_section_check_unused(sec, &el);
    assert_true(el.n >= 1);
    assert_non_null(strstr(el.msg[el.n - 1], "modle"));
    md_potential_free(pot);
    sr_errlist_clear(&el);
    sr_section_free(sec);
    md_system_free(s);
    remove(path);
    ml_model_free(m);
    gsl_rng_free(r);
}

static void test_create_rejects(void **st)
{
    (void)st;
    int hidden[ML_MAX_LAYERS + 1];
    for (int k = 0; k <= ML_MAX_LAYERS; k++) hidden[k] = 4;
    assert_null(ml_net_create(5, ML_MAX_LAYERS, hidden, ML_ACT_TANH));
    hidden[0] = 0;
    assert_null(ml_net_create(5, 1, hidden, ML_ACT_TANH));
    int a;
    assert_int_equal(ml_activation_parse("relu", &a), SR_EINVAL);
    assert_int_equal(ml_activation_parse("silu", &a), 0);
    assert_int_equal(a, ML_ACT_SILU);
    ml_sf_params sf;
    const double eta[1] = {0.1}, zeta[1] = {1};
    assert_int_equal(ml_sf_generate(2, 5.0, 4.0, 4, 0.5, 5, 1, eta, 1, zeta, &sf), 0);
    const char *bad[2] = {"O", "ThisNameIsFarTooLong"};
    hidden[0] = 4;
    assert_null(ml_model_create(2, bad, &sf, 1, hidden, ML_ACT_TANH));
    assert_null(ml_model_create(3, bad, &sf, 1, hidden, ML_ACT_TANH)); /* descriptor has 2 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_bit_identical),
        cmocka_unit_test(test_refuses_unknown_version),
        cmocka_unit_test(test_refuses_damaged_file),
        cmocka_unit_test(test_version1_upgrade),
        cmocka_unit_test(test_refuses_foreign_and_missing_files),
        cmocka_unit_test(test_potential_refuses_missing_element),
        cmocka_unit_test(test_register_and_section),
        cmocka_unit_test(test_create_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
