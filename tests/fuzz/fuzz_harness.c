/* fuzz_harness.c - the parser harnesses behind the libFuzzer executables and the corpus replay.
 * See fuzz_harness.h for the contract each one checks. */
#include "fuzz_harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sr_error.h"
#include "common/sr_input.h"
#include "io/io.h"
#include "md/md.h"
#include "ml/ml.h"
#include "seeding/seed.h"

static const char *fuzz_label = "<fuzz input>";

void fuzz_set_label(const char *label) { fuzz_label = label ? label : "<fuzz input>"; }

static void violated(const char *target, const char *what)
{
    fprintf(stderr, "fuzz[%s]: property violated on %s: %s\n", target, fuzz_label, what);
    fprintf(stderr, "fuzz[%s]: last error: '%s' (%s)\n", target, sr_error_message(), sr_error_where());
    abort();
}

#define REQUIRE(target, cond)                  \
    do {                                       \
        if (!(cond)) violated((target), #cond); \
    } while (0)

/* A user-facing message: non-empty and one line. */
static int one_line(const char *m) { return m && m[0] != '\0' && strchr(m, '\n') == NULL; }

static void check_failure_message(const char *target, int rc)
{
    REQUIRE(target, rc > 0 && rc < SR_NSTATUS);
    REQUIRE(target, one_line(sr_error_message()));
}

static void check_errlist(const char *target, const sr_errlist *el)
{
    for (int i = 0; i < el->n; i++) REQUIRE(target, one_line(el->msg[i]));
}

/* ---- sectioned input: parse, then bind [structure], [ensemble], [potential] (and the others) ---- */
int fuzz_input(const uint8_t *data, size_t size)
{
    static const char T[] = "input";
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    sr_error_clear();
    sr_input *in = (sr_input *)0x1; /* must be reset to NULL on failure */
    int rc = sr_input_parse_string(text, "fuzz.ini", &in);
    free(text);
    if (rc) {
        check_failure_message(T, rc);
        REQUIRE(T, in == NULL);
        return rc;
    }
    REQUIRE(T, in != NULL && in->n >= 0 && in->file != NULL);
    for (int i = 0; i < in->n; i++) {
        const sr_section *s = in->sections[i];
        REQUIRE(T, s != NULL && s->name != NULL && s->line >= 1 && s->n >= 0);
        for (int j = 0; j < s->n; j++) {
            REQUIRE(T, s->entries[j].key != NULL && s->entries[j].key[0] != '\0');
            REQUIRE(T, s->entries[j].value != NULL && s->entries[j].line >= s->line);
        }
    }

    /* Bind as `seedrate md` does. Unknown sections: message format only ([run] and [output] belong to the CLI and are not bound here). */
    static const char *const known[] = {"run", "structure", "potential", "ensemble", "output", NULL};
    sr_errlist el = {0};
    sr_input_check_sections(in, known, &el);
    check_errlist(T, &el);
    sr_errlist_clear(&el);
    seed_structure_config sc;
    seed_ensemble_config ec;
    sr_section_bind(sr_input_section(in, "structure"), seed_structure_keywords, &sc, &el, "structure");
    int ens_bad = sr_section_bind(sr_input_section(in, "ensemble"), seed_ensemble_keywords, &ec, &el, "ensemble");
    if (!ens_bad) {
        md_integrator_params ip;
        for (int units = MD_UNITS_LJ; units <= MD_UNITS_METAL; units++) {
            sr_error_clear();
            int prc = seed_ensemble_params(&ec, units, &ip);
            if (prc)
                check_failure_message(T, prc);
            else
                REQUIRE(T, ip.dt > 0 && isfinite(ip.dt) && ip.temperature >= 0);
        }
    }
    /* [potential]: lj (and a missing or unknown style, which fails before any file is opened) goes
     * through md_potential_from_section; other styles (sw, nn read files) are only bound. */
    sr_section *pot = sr_input_section(in, "potential");
    const char *style = pot ? sr_section_get(pot, "style") : NULL;
    const md_potential_class *cls = style ? md_potential_find(style) : NULL;
    if (pot && (!cls || cls == &md_potential_lj)) {
        md_system *s = md_system_create(2, 2, MD_UNITS_LJ);
        md_potential *p = NULL;
        if (s) {
            sr_error_clear();
            if (md_potential_from_section(pot, s, "/nonexistent", &p, &el) == 0) {
                REQUIRE(T, p != NULL);
                double rc_cut = md_potential_cutoff(p);
                REQUIRE(T, rc_cut > 0 && isfinite(rc_cut));
            } else {
                REQUIRE(T, p == NULL);
            }
        }
        md_potential_free(p);
        md_system_free(s);
    } else if (pot && cls->keywords) {
        for (int j = 0; j < pot->n; j++)
            if (strcmp(pot->entries[j].key, "style") == 0) pot->entries[j].used = 1;
        void *cfg = calloc(1, cls->config_size ? cls->config_size : 1);
        if (cfg) sr_section_bind(pot, cls->keywords, cfg, &el, "potential");
        free(cfg);
    }
    static const char *const bound[] = {"structure", "ensemble", "potential"};
    for (int i = 0; i < 3; i++) {
        const sr_section *sec = sr_input_section(in, bound[i]);
        if (sec) sr_section_check_unused(sec, &el);
    }
    check_errlist(T, &el);
    if (el.n) {
        sr_error_clear();
        REQUIRE(T, sr_errlist_status(&el) == SR_EINVAL);
        REQUIRE(T, one_line(sr_error_message()));
    }
    int bad = el.n ? SR_EINVAL : SR_OK;
    sr_errlist_clear(&el);
    sr_input_free(in);
    return bad;
}

/* ---- frames shared by extxyz and LAMMPS data ---- */
static void check_frame(const char *T, const io_frame *fr, int ntypes)
{
    REQUIRE(T, fr->n >= 0);
    REQUIRE(T, fr->n == 0 || (fr->type != NULL && fr->x != NULL));
    for (int d = 0; d < 3; d++) REQUIRE(T, isfinite(fr->len[d]) && fr->len[d] > 0 && isfinite(fr->lo[d]));
    for (int i = 0; i < fr->n; i++) {
        REQUIRE(T, fr->type[i] >= 0 && fr->type[i] < ntypes);
        for (int d = 0; d < 3; d++) {
            REQUIRE(T, isfinite(fr->x[3 * i + d]));
            if (fr->v) REQUIRE(T, isfinite(fr->v[3 * i + d]));
            if (fr->f) REQUIRE(T, isfinite(fr->f[3 * i + d]));
        }
        if (fr->id && i > 0) REQUIRE(T, fr->id[i] > fr->id[i - 1]);
    }
}

int fuzz_extxyz(const uint8_t *data, size_t size)
{
    static const char T[] = "extxyz";
    io_typemap tm;
    io_typemap_init(&tm);
    io_frame *frames = NULL;
    int nframes = -1;
    sr_error_clear();
    int rc = io_extxyz_read_buffer((const char *)data, size, "fuzz.xyz", &tm, &frames, &nframes);
    if (rc) {
        check_failure_message(T, rc);
        REQUIRE(T, frames == NULL);
        REQUIRE(T, tm.ntypes == 0); /* "on failure tm is left unchanged" */
        return rc;
    }
    REQUIRE(T, nframes >= 0 && (nframes == 0 || frames != NULL));
    REQUIRE(T, tm.ntypes >= 0 && tm.ntypes <= IO_MAXTYPES);
    for (int k = 0; k < nframes; k++) check_frame(T, &frames[k], tm.ntypes);
    io_frames_free(frames, nframes);
    return 0;
}

int fuzz_lammps(const uint8_t *data, size_t size)
{
    static const char T[] = "lammps";
    io_typemap tm;
    io_typemap_init(&tm);
    io_frame fr;
    memset(&fr, 0, sizeof fr);
    sr_error_clear();
    int rc = io_lammps_data_read_buffer((const char *)data, size, "fuzz.data", &fr, &tm);
    if (rc) {
        check_failure_message(T, rc);
        REQUIRE(T, fr.n == 0 && fr.x == NULL && fr.type == NULL && fr.id == NULL);
        return rc;
    }
    REQUIRE(T, tm.ntypes >= 1 && tm.ntypes <= IO_MAXTYPES);
    check_frame(T, &fr, tm.ntypes);
    for (int t = 0; t < tm.ntypes; t++) REQUIRE(T, memchr(tm.name[t], '\0', IO_NAMELEN) != NULL);
    io_frame_free(&fr);
    return 0;
}

int fuzz_checkpoint(const uint8_t *data, size_t size)
{
    static const char T[] = "checkpoint";
    md_system *s = (md_system *)0x1;
    sr_error_clear();
    int rc = md_checkpoint_read_buffer(data, size, "fuzz.ckpt", &s, NULL);
    if (rc) {
        check_failure_message(T, rc);
        REQUIRE(T, s == NULL);
        return rc;
    }
    REQUIRE(T, s != NULL && s->n >= 0 && s->ntypes >= 1 && s->nghost == 0);
    REQUIRE(T, s->units == MD_UNITS_LJ || s->units == MD_UNITS_METAL);
    for (int d = 0; d < 3; d++) REQUIRE(T, isfinite(s->box.len[d]) && s->box.len[d] > 0);
    for (int t = 0; t < s->ntypes; t++) REQUIRE(T, memchr(s->type_name[t], '\0', 16) != NULL);
    for (int i = 0; i < s->n; i++) {
        REQUIRE(T, s->type[i] >= 0 && s->type[i] < s->ntypes);
        for (int d = 0; d < 3; d++) REQUIRE(T, isfinite(s->x[3 * i + d]) && isfinite(s->v[3 * i + d]));
    }
    md_system_free(s);
    return 0;
}

int fuzz_npy(const uint8_t *data, size_t size)
{
    static const char T[] = "npy";
    ml_npy a;
    memset(&a, 0, sizeof a);
    sr_error_clear();
    int rc = ml_npy_parse(data, size, "fuzz.npy", &a);
    if (rc) {
        check_failure_message(T, rc);
        REQUIRE(T, a.data == NULL);
        return rc;
    }
    REQUIRE(T, a.ndim >= 0 && a.ndim <= 4);
    long count = 1;
    for (int d = 0; d < a.ndim; d++) {
        REQUIRE(T, a.shape[d] >= 0);
        count *= a.shape[d];
    }
    REQUIRE(T, a.count == count);
    REQUIRE(T, a.count == 0 || a.data != NULL);
    /* every element was converted (the file may hold NaN, but reading them must be defined) */
    volatile double sum = 0;
    for (long i = 0; i < a.count; i++) sum += a.data[i];
    (void)sum;
    ml_npy_free(&a);
    return 0;
}

/* ---- LAMMPS .sw parameter files (md_sw.c reads only from a path: the input goes through a temp file) ---- */

static char sw_path[64];

static void sw_path_remove(void)
{
    if (sw_path[0]) unlink(sw_path);
}

int fuzz_sw(const uint8_t *data, size_t size)
{
    static const char T[] = "sw";
    if (!sw_path[0]) {
        snprintf(sw_path, sizeof sw_path, "/tmp/seedrate-fuzz-sw-XXXXXX");
        int fd = mkstemp(sw_path);
        if (fd < 0) {
            sw_path[0] = '\0';
            return 0;
        }
        close(fd);
        atexit(sw_path_remove);
    }
    FILE *fp = fopen(sw_path, "wb");
    if (!fp) return 0;
    size_t put = fwrite(data, 1, size, fp);
    if (fclose(fp) != 0 || put != size) return 0;

    /* two types named Si and O: a one-element file maps both onto its element, a several-element file
     * needs entries for every Si/O triplet */
    const double mass[2] = {28.0855, 15.999};
    const char *const names[2] = {"Si", "O"};
    md_system *s = md_system_create(2, 2, MD_UNITS_METAL);
    sr_section *sec = sr_section_create("potential");
    void *cfg = calloc(1, md_potential_sw.config_size ? md_potential_sw.config_size : 1);
    sr_errlist el = {0};
    int rc = SR_OK;
    if (!s || !sec || !cfg || md_system_set_types(s, 2, mass, names) || sr_section_set(sec, "file", sw_path) ||
        sr_section_bind(sec, md_potential_sw.keywords, cfg, &el, "potential")) {
        REQUIRE(T, el.n == 0); /* a programmatic section must bind */
        goto done;
    }
    void *state = NULL;
    sr_error_clear();
    rc = md_potential_sw.create(&state, cfg, s, NULL);
    if (rc) {
        check_failure_message(T, rc);
        REQUIRE(T, state == NULL);
    } else {
        REQUIRE(T, state != NULL);
        const double cut = md_potential_sw.cutoff(state);
        REQUIRE(T, isfinite(cut) && cut >= 0);
        FILE *devnull = fopen("/dev/null", "w");
        if (devnull) {
            md_potential_sw.describe(state, devnull);
            fclose(devnull);
        }
        md_potential_sw.destroy(state);
    }
done:
    sr_errlist_clear(&el);
    free(cfg);
    sr_section_free(sec);
    md_system_free(s);
    return rc;
}

/* ---- netCDF files of seedrate (issue #19): the checked reader and the network model file, from memory ---- */

/* A successful read holds no fill value and its size is the product of its dimensions (io_ncin's contract). */
int fuzz_ncfile(const uint8_t *data, size_t size)
{
    static const char T[] = "ncfile";
    io_ncin *r = (io_ncin *)0x1;
    sr_error_clear();
    int rc = io_ncin_open_buffer(data, size, "fuzz.nc", IO_NCIN_VERIFY, &r);
    if (rc) {
        check_failure_message(T, rc);
        REQUIRE(T, r == NULL);
        return rc;
    }
    REQUIRE(T, r != NULL);
    /* the variables the report, kmc --campaign and cnt read from campaign and rates files */
    static const char *const vars[] = {"n_max", "time", "outcome", "x", "n_grown", "n_decided", "n_undecided",
                                       "n_failed", "n_c", "n_c_se", "temperature", "gamma", "dmu", "f_plus",
                                       "log10_J", "seed_size", "t_relax", NULL};
    for (int k = 0; vars[k]; k++) {
        double *v = (double *)0x1;
        size_t n = 99;
        sr_error_clear();
        int vrc = io_ncin_read_double(r, vars[k], &v, &n);
        if (vrc) {
            check_failure_message(T, vrc);
            REQUIRE(T, v == NULL && n == 0);
            continue;
        }
        REQUIRE(T, n == 0 || v != NULL);
        for (size_t i = 0; i < n; i++) REQUIRE(T, v[i] != 9.9692099683868690e+36);
        free(v);
    }
    char units[64];
    if (io_ncin_read_att_text(r, NULL, "units_style", units, sizeof units) == 0)
        REQUIRE(T, memchr(units, '\0', sizeof units) != NULL);
    io_ncin_close(r);
    return 0;
}

int fuzz_model(const uint8_t *data, size_t size)
{
    static const char T[] = "model";
    ml_model *m = (ml_model *)0x1;
    sr_error_clear();
    int rc = ml_model_read_buffer(data, size, "fuzz-model.nc", &m);
    if (rc) {
        check_failure_message(T, rc);
        REQUIRE(T, m == NULL);
        return rc;
    }
    REQUIRE(T, m != NULL && m->nelem >= 1 && m->nelem <= ML_MAX_ELEMENTS && m->nf >= 1);
    for (int e = 0; e < m->nelem; e++) {
        REQUIRE(T, memchr(m->type_map[e], '\0', ML_NAME_LEN) != NULL);
        REQUIRE(T, m->net[e] != NULL && m->net[e]->width[0] == m->nf);
        for (int k = 0; k < m->net[e]->nparams; k++) REQUIRE(T, isfinite(m->net[e]->param[k]));
    }
    for (int k = 0; k < m->nelem * m->nf; k++) REQUIRE(T, m->g_std[k] > 0 && isfinite(m->g_mean[k]));
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull) {
        ml_model_describe(m, devnull);
        fclose(devnull);
    }
    ml_model_free(m);
    return 0;
}

const fuzz_target fuzz_targets[] = {
    {"input", fuzz_input, "sr_input_parse_string + sr_section_bind([structure] [ensemble] [potential])"},
    {"extxyz", fuzz_extxyz, "io_extxyz_read_buffer"},
    {"lammps", fuzz_lammps, "io_lammps_data_read_buffer"},
    {"checkpoint", fuzz_checkpoint, "md_checkpoint_read_buffer"},
    {"npy", fuzz_npy, "ml_npy_parse"},
    {"sw", fuzz_sw, "md_potential_sw.create (LAMMPS .sw file, via a temp file)"},
    {"ncfile", fuzz_ncfile, "io_ncin_open_buffer (checksum) + io_ncin_read_double (campaign/rates files)"},
    {"model", fuzz_model, "ml_model_read_buffer (network model file)"},
    {NULL, NULL, NULL}};

const fuzz_target *fuzz_target_find(const char *name)
{
    for (const fuzz_target *t = fuzz_targets; t->name; t++)
        if (strcmp(t->name, name) == 0) return t;
    return NULL;
}
