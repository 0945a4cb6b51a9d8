/* test_ml_committee_learn.c - `seedrate learn` (issue 18 item 2) on a tiny mW system with the in-process
 * teacher (data/mW.sw): 11 initial labelled frames, 31 held-out ones, a committee of 2, two iterations.
 * Over the iterations the held-out force RMSE goes down and so does the fraction of explored samples above
 * sigma_hi; every labelled frame carries the teacher's own energy and forces of its positions; a rerun of a
 * finished job changes nothing, one with the last journal line removed redoes that iteration identically
 * (deterministic streams, threads = 1); bad input stops with file:line and writes nothing. File exchange
 * ([teacher] style = file): the run stops with a request file, labels computed by a stand-in (mW through the C
 * API) come back with identical energies and forces, and answers without forces, with an atom missing or with a
 * NaN force are refused (file:line) without changing the journal or the data. Needs the
 * seedrate executable (SEEDRATE_EXE, set by ctest). About 17 s of CPU. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "test_ml_util.h"
#include "io/io.h"
#include "tu_tmpdir.h"

TU_TMPDIR_FIXTURES("sr_ml_learn")

static const char *exe;

static int run(const char *args, const char *log)
{
    char cmd[2000];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s > '%s' 2>&1", dir, exe, args, log);
    return system(cmd);
}

static char *slurp_text(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = calloc((size_t)n + 1, 1);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return b;
}

/* `seedrate learn INI` stops with an error whose log holds `msg` */
static void learn_refused(const char *ini, const char *msg)
{
    char args[300], log[300], p[400];
    snprintf(args, sizeof args, "learn %s", ini);
    snprintf(log, sizeof log, "%s.log", ini);
    assert_int_not_equal(run(args, log), 0);
    snprintf(p, sizeof p, "%s/%s", dir, log);
    char *text = slurp_text(p);
    assert_non_null(text);
    if (!strstr(text, msg)) printf("expected '%s' in:\n%s", msg, text);
    assert_non_null(strstr(text, msg));
    free(text);
}

/* mW MD writing labelled frames (energy, forces) every `every` steps */
static void gen_frames(const char *name, long steps, long seed, double t0, double t, long every)
{
    char ini[300], log[300];
    snprintf(ini, sizeof ini, "%s/%s.ini", dir, name);
    FILE *f = fopen(ini, "w");
    assert_non_null(f);
    fprintf(f, "[run]\nunits = metal\nsteps = %ld\nseed = %ld\n\n[structure]\nlattice = diamond\ndensity = 0.0334284\n"
               "cells = 2 2 2\nmass = 18.015\nelement = mW\ntemperature = %g\n\n[potential]\nstyle = sw\n"
               "file = %s/data/mW.sw\n\n[ensemble]\nensemble = nvt\ntemperature = %g\ntau_t = 0.1\ndt = 0.005\n"
               "skin = 1.0\n\n[output]\nprefix = %s\nthermo_every = 1000\nextxyz_every = %ld\nrestart = no\n",
            steps, seed, t0, SEEDRATE_SOURCE_DIR, t, name, every);
    fclose(f);
    char args[400];
    snprintf(args, sizeof args, "md %s.ini", name);
    snprintf(log, sizeof log, "%s.log", name);
    assert_int_equal(run(args, log), 0);
}

static void write_learn_ini(const char *name, double sigma_hi, const char *prefix)
{
    char ini[300];
    snprintf(ini, sizeof ini, "%s/%s", dir, name);
    FILE *f = fopen(ini, "w");
    assert_non_null(f);
    fprintf(f, "[run]\nseed = 5\n\n[teacher]\nstyle = sw\nfile = %s/data/mW.sw\n\n"
               "[structure]\nlattice = diamond\ndensity = 0.0334284\ncells = 2 2 2\nmass = 18.015\nelement = mW\n\n"
               "[ensemble]\nensemble = nvt\ntemperature = 300\ntau_t = 0.1\ndt = 0.005\nskin = 1.0\n\n"
               "[data]\ninitial = init.extxyz\nvalidation = val.extxyz\n\n"
               "[learn]\niterations = 2\ntemperatures = 260 320\nsteps = 400\nsample_every = 20\nsigma_lo = 0.1\n"
               "sigma_hi = %g\nmax_select = 15\n\n"
               "[descriptor]\nrc = 4.5\nrc_angular = 4.5\nn_radial = 8\nr_min = 1.7\neta_angular = 0.05 0.3\n"
               "zeta = 1 2 4\n\n[network]\nhidden = 16 16\n\n"
               "[training]\nsteps = 4000\neval_every = 500\ndecay_steps = 100\nlr_start = 3e-3\nlr_stop = 3e-5\n"
               "threads = 1\ncommittee = 2\n\n[output]\nprefix = %s\n",
            SEEDRATE_SOURCE_DIR, sigma_hi, prefix);
    fclose(f);
}

typedef struct row {
    int iter, labels, selected;
    double rmse_e, rmse_f, frac_lo, frac_win, frac_hi, dev;
    long samples;
} row;

static int read_curve(const char *path, row *rows, int max)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f) && n < max) {
        if (line[0] == '#') continue;
        row *r = &rows[n];
        assert_int_equal(sscanf(line, "%d %d %lf %lf %ld %lf %lf %lf %lf %d", &r->iter, &r->labels, &r->rmse_e,
                                &r->rmse_f, &r->samples, &r->frac_lo, &r->frac_win, &r->frac_hi, &r->dev,
                                &r->selected), 10);
        n++;
    }
    fclose(f);
    return n;
}

/* the largest atomic force of a data set (eV/A) */
static double ds_fmax(const ml_dataset *ds)
{
    double m = 0;
    for (int k = 0; k < ds->nframes; k++)
        for (int i = 0; ds->frames[k].force && i < ds->frames[k].n; i++) {
            const double *v = ds->frames[k].force + 3 * i;
            m = fmax(m, sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]));
        }
    return m;
}

/* the label limit a learn log states ("label limit: atomic forces above X eV/A"); fails when absent */
static double logged_limit(const char *log)
{
    const char *key = "label limit: atomic forces above ";
    const char *at = strstr(log, key);
    assert_non_null(at);
    return strtod(at + strlen(key), NULL);
}

/* the teacher (mW) energy, forces and virial of a labelled frame */
static void check_teacher_labels(const ml_frame *fr)
{
    md_system *s = md_system_create(fr->n, 1, MD_UNITS_METAL);
    const double mass = 18.015;
    const char *names[1] = {"mW"};
    assert_int_equal(md_system_set_types(s, 1, &mass, names), 0);
    assert_int_equal(md_system_set_box(s, (double[3]){0, 0, 0}, fr->box), 0);
    memcpy(s->x, fr->x, sizeof(double) * 3 * fr->n);
    sr_section *sec = sr_section_create("potential");
    sr_section_set(sec, "style", "sw");
    char sw[400];
    snprintf(sw, sizeof sw, "%.300s/data/mW.sw", SEEDRATE_SOURCE_DIR);
    sr_section_set(sec, "file", sw);
    sr_errlist el = {0};
    md_potential *pot = NULL;
    assert_int_equal(md_potential_from_section(sec, s, NULL, &pot, &el), 0);
    md_nlist *nl = md_nlist_create(md_potential_cutoff(pot), 0.5, MD_NLIST_FULL);
    assert_int_equal(md_nlist_build(nl, s), 0);
    md_result res = {0};
    assert_int_equal(md_compute(pot, s, nl, MD_WANT_FORCE | MD_WANT_ENERGY | MD_WANT_VIRIAL, &res), 0);
    assert_true(fabs(res.energy - fr->energy) <= 1e-11 * fabs(res.energy));
    assert_int_equal(fr->has_virial, 1);
    double wbig = 0;
    for (int q = 0; q < 6; q++) wbig = fmax(wbig, fabs(res.virial[q]));
    assert_true(wbig > 0.1);
    for (int q = 0; q < 6; q++) assert_true(fabs(res.virial[q] - fr->virial[q]) <= 1e-10 * wbig);
    double fbig = 0;
    for (int i = 0; i < s->n; i++)
        for (int q = 0; q < 3; q++) {
            const int a = (int)s->id[i] - 1;
            fbig = fmax(fbig, fabs(fr->force[3 * a + q]));
            assert_true(fabs(s->f[3 * i + q] - fr->force[3 * a + q]) <= 1e-10);
        }
    assert_true(fbig > 0.1);
    md_nlist_free(nl);
    md_potential_free(pot);
    sr_errlist_clear(&el);
    sr_section_free(sec);
    md_system_free(s);
}

static void test_learn_loop(void **st)
{
    (void)st;
    exe = getenv("SEEDRATE_EXE");
    if (!exe || !*exe) skip();
    gen_frames("init", 400, 11, 700, 300, 40); /* 11 frames: lattice, then disordering at 300 K */
    gen_frames("val", 3000, 12, 700, 280, 100); /* 31 held-out frames of another trajectory */
    write_learn_ini("learn.ini", 0.6, "out/run");
    assert_int_equal(run("learn learn.ini", "learn.log"), 0);
    char p[400];
    snprintf(p, sizeof p, "%s/out/run.curve.dat", dir);
    row rows[8];
    assert_int_equal(read_curve(p, rows, 8), 3);
    char gp[400];
    snprintf(gp, sizeof gp, "%s/out/run.curve.gp", dir); /* the plot script (drawn when gnuplot is there) */
    assert_int_equal(access(gp, R_OK), 0);
    for (int k = 0; k < 3; k++) {
        printf("model %d: %d labels, held-out F RMSE %.1f meV/A, above sigma_hi %.3f, in window %.3f\n", k,
               rows[k].labels, rows[k].rmse_f, rows[k].frac_hi, rows[k].frac_win);
        assert_int_equal(rows[k].iter, k);
        assert_int_equal(rows[k].samples, 2 * 400 / 20);
        assert_true(fabs(rows[k].frac_lo + rows[k].frac_win + rows[k].frac_hi - 1) < 1e-12);
    }
    assert_int_equal(rows[0].labels, 11);
    assert_int_equal(rows[1].labels, 11 + rows[0].selected);
    assert_int_equal(rows[2].labels, rows[1].labels + rows[1].selected);
    assert_true(rows[0].selected > 0 && rows[2].selected == 0);
    /* the point of it: better held-out forces and fewer explored samples outside the trust window */
    assert_true(rows[2].rmse_f < 0.85 * rows[0].rmse_f);
    assert_true(rows[2].frac_hi < 0.5 * rows[0].frac_hi);
    /* every model is a committee of 2; the last data set holds the teacher's labels */
    for (int k = 0; k < 3; k++) {
        snprintf(p, sizeof p, "%s/out/run.model-%d.nc", dir, k);
        ml_committee *c = NULL;
        assert_int_equal(ml_committee_read(p, &c), 0);
        assert_int_equal(c->k, 2);
        ml_committee_free(c);
    }
    ml_dataset ds = {0};
    snprintf(p, sizeof p, "%s/out/run.data-2.extxyz", dir);
    assert_int_equal(ml_dataset_read_extxyz(&ds, p), 0);
    assert_int_equal(ds.nframes, rows[2].labels);
    check_teacher_labels(&ds.frames[11]);              /* the first frame learn labelled */
    check_teacher_labels(&ds.frames[ds.nframes - 1]); /* the last */
    ml_dataset_free(&ds);
    /* learn --label: the initial frames relabelled by the same teacher (energy, forces, virial) */
    assert_int_equal(run("learn --label learn.ini init.extxyz relabelled.extxyz", "label.log"), 0);
    snprintf(p, sizeof p, "%s/relabelled.extxyz", dir);
    assert_int_equal(ml_dataset_read_extxyz(&ds, p), 0);
    assert_int_equal(ds.nframes, 11);
    check_teacher_labels(&ds.frames[5]); /* frame 0 is the perfect lattice, without forces */
    check_teacher_labels(&ds.frames[10]);
    ml_dataset_free(&ds);
    assert_int_not_equal(run("learn --label learn.ini missing.extxyz x.extxyz", "label-bad.log"), 0);
    snprintf(p, sizeof p, "%s/x.extxyz", dir);
    assert_int_not_equal(access(p, F_OK), 0); /* nothing written */
    /* a frame the teacher cannot label (two atoms on one spot: the energy is not finite) after good ones: an error
     * naming the frame, and an existing OUT left as it was */
    snprintf(p, sizeof p, "%s/init.extxyz", dir);
    assert_int_equal(ml_dataset_read_extxyz(&ds, p), 0);
    ml_frame *bad = &ds.frames[ds.nframes - 1];
    memcpy(bad->x + 3, bad->x, 3 * sizeof(double));
    snprintf(p, sizeof p, "%s/overlap.extxyz", dir);
    assert_int_equal(ml_dataset_write_extxyz(&ds, p), 0);
    ml_dataset_free(&ds);
    snprintf(p, sizeof p, "%s/keep.extxyz", dir);
    FILE *kf = fopen(p, "w");
    fputs("untouched\n", kf);
    fclose(kf);
    assert_int_not_equal(run("learn --label learn.ini overlap.extxyz keep.extxyz", "label-overlap.log"), 0);
    char *kept = slurp_text(p);
    assert_string_equal(kept, "untouched\n");
    free(kept);
    snprintf(p, sizeof p, "%s/label-overlap.log", dir);
    kept = slurp_text(p);
    assert_non_null(strstr(kept, "overlap.extxyz frame 11"));
    free(kept);

    /* resume: a finished job is left alone; the last iteration redone from the journal gives the same row */
    char jp[400];
    snprintf(jp, sizeof jp, "%s/out/run.journal", dir);
    char *journal = slurp_text(jp);
    assert_non_null(journal);
    assert_int_equal(run("learn learn.ini", "again.log"), 0);
    snprintf(p, sizeof p, "%s/again.log", dir);
    char *log = slurp_text(p);
    assert_non_null(strstr(log, "all 2 iterations done"));
    free(log);
    char *same = slurp_text(jp);
    assert_string_equal(journal, same);
    free(same);
    char *cut = strdup(journal);
    char *last = strstr(cut, "iteration 2 ");
    assert_non_null(last);
    *last = '\0';
    FILE *f = fopen(jp, "w");
    fputs(cut, f);
    fclose(f);
    free(cut);
    assert_int_equal(run("learn learn.ini", "resume.log"), 0);
    snprintf(p, sizeof p, "%s/resume.log", dir);
    log = slurp_text(p);
    assert_non_null(strstr(log, "resuming"));
    assert_null(strstr(log, "model 0:")); /* models 0 and 1 were not redone */
    free(log);
    same = slurp_text(jp);
    assert_string_equal(journal, same);
    free(same);
    free(journal);

    /* the label limit of a rerun comes from the [data] initial frames (10 x their largest force), as the first run's,
     * not from the data set it resumes with: with one label's forces scaled 10 x in the finished job's data, the
     * rerun (which reads that data, says all iterations are done and changes nothing) states the same limit */
    snprintf(p, sizeof p, "%s/learn.log", dir);
    log = slurp_text(p);
    const double lim_first = logged_limit(log);
    free(log);
    ml_dataset init = {0}, labels = {0};
    snprintf(p, sizeof p, "%s/init.extxyz", dir);
    assert_int_equal(ml_dataset_read_extxyz(&init, p), 0);
    const double fi = ds_fmax(&init);
    ml_dataset_free(&init);
    snprintf(p, sizeof p, "%s/out/run.data-2.extxyz", dir);
    assert_int_equal(ml_dataset_read_extxyz(&labels, p), 0);
    ml_frame *big = &labels.frames[labels.nframes - 1];
    for (int q = 0; q < 3 * big->n; q++) big->force[q] *= 10;
    const double fl = ds_fmax(&labels);
    assert_int_equal(ml_dataset_write_extxyz(&labels, p), 0);
    ml_dataset_free(&labels);
    assert_int_equal(run("learn learn.ini", "rerun.log"), 0);
    snprintf(p, sizeof p, "%s/rerun.log", dir);
    log = slurp_text(p);
    assert_non_null(strstr(log, "all 2 iterations done"));
    const double lim_rerun = logged_limit(log);
    free(log);
    print_message("label limit: first run %.4g, rerun %.4g eV/A; largest force: initial %.4g, rerun's data %.4g eV/A\n",
                  lim_first, lim_rerun, fi, fl);
    assert_true(fl > 2 * fi); /* the data's would give another limit */
    assert_true(fabs(lim_first - 10 * fi) <= 1e-3 * 10 * fi); /* %.4g in the log */
    assert_true(lim_rerun == lim_first);
}

/* mW energy and forces of a frame (the stand-in for a DFT code in the file-exchange test) */
static void mw_label(io_frame *fr, const io_typemap *tm)
{
    md_system *s = NULL;
    assert_int_equal(io_frame_to_system(fr, tm, MD_UNITS_METAL, &s), 0);
    sr_section *sec = sr_section_create("potential");
    sr_section_set(sec, "style", "sw");
    char sw[400];
    snprintf(sw, sizeof sw, "%.300s/data/mW.sw", SEEDRATE_SOURCE_DIR);
    sr_section_set(sec, "file", sw);
    sr_errlist el = {0};
    md_potential *pot = NULL;
    assert_int_equal(md_potential_from_section(sec, s, NULL, &pot, &el), 0);
    md_nlist *nl = md_nlist_create(md_potential_cutoff(pot), 0.5, MD_NLIST_FULL);
    assert_int_equal(md_nlist_build(nl, s), 0);
    md_result res = {0};
    assert_int_equal(md_compute(pot, s, nl, MD_WANT_FORCE | MD_WANT_ENERGY | MD_WANT_VIRIAL, &res), 0);
    fr->energy = res.energy;
    fr->has_virial = 1; /* as a DFT code's stress would give it */
    memcpy(fr->virial, res.virial, sizeof fr->virial);
    free(fr->f); /* labelled twice in the test: the second label replaces the first */
    fr->f = malloc(sizeof(double) * 3 * fr->n);
    for (int i = 0; i < s->n; i++) memcpy(fr->f + 3 * (s->id[i] - 1), s->f + 3 * i, sizeof(double) * 3);
    md_nlist_free(nl);
    md_potential_free(pot);
    sr_errlist_clear(&el);
    sr_section_free(sec);
    md_system_free(s);
}

/* the file-exchange input (label_f_factor as given) */
static void write_fx_ini(const char *ini, double factor)
{
    FILE *f = fopen(ini, "w");
    assert_non_null(f);
    fprintf(f, "[teacher]\nstyle = file\n\n[structure]\nlattice = diamond\ndensity = 0.0334284\ncells = 2 2 2\n"
               "mass = 18.015\nelement = mW\n\n[ensemble]\nensemble = nvt\ntemperature = 300\ntau_t = 0.1\n"
               "dt = 0.005\n\n[data]\ninitial = init.extxyz\nvalidation = val.extxyz\n\n[learn]\niterations = 1\n"
               "temperatures = 280\nsteps = 200\nsample_every = 20\nsigma_lo = 0\nsigma_hi = 1000\nmax_select = 4\n"
               "label_f_factor = %.17g\n\n"
               "[descriptor]\nrc = 4.5\nrc_angular = 4.5\nn_radial = 6\nr_min = 1.7\neta_angular = 0.05\nzeta = 1 4\n\n"
               "[network]\nhidden = 8\n\n[training]\nsteps = 200\neval_every = 100\nthreads = 1\ncommittee = 2\n\n"
               "[output]\nprefix = fx/run\n", factor);
    fclose(f);
}

/* the largest atomic force of an io frame (eV/A) */
static double io_fmax(const io_frame *fr)
{
    double m = 0;
    for (int i = 0; i < fr->n; i++) {
        const double *v = fr->f + 3 * i;
        m = fmax(m, sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]));
    }
    return m;
}

/* file exchange: the run stops with a request file; labels come back (bad ones are refused and change nothing) */
static void test_learn_file_exchange(void **st)
{
    (void)st;
    exe = getenv("SEEDRATE_EXE");
    if (!exe || !*exe) skip();
    char p[400];
    snprintf(p, sizeof p, "%s/init.extxyz", dir);
    if (access(p, R_OK)) {
        gen_frames("init", 400, 11, 700, 300, 40);
        gen_frames("val", 3000, 12, 700, 280, 100);
    }
    char ini[300];
    snprintf(ini, sizeof ini, "%s/fx.ini", dir);
    write_fx_ini(ini, 0);
    assert_int_equal(run("learn fx.ini", "fx1.log"), 0);
    snprintf(p, sizeof p, "%s/fx1.log", dir);
    char *log = slurp_text(p);
    assert_non_null(strstr(log, "iteration 0 waits for labels"));
    free(log);
    char req[400], lab[400], jp[400], d1[400];
    snprintf(req, sizeof req, "%s/fx/run.label-0.extxyz", dir);
    snprintf(lab, sizeof lab, "%s/fx/run.labelled-0.extxyz", dir);
    snprintf(jp, sizeof jp, "%s/fx/run.journal", dir);
    snprintf(d1, sizeof d1, "%s/fx/run.data-1.extxyz", dir);
    char *journal = slurp_text(jp);
    assert_non_null(strstr(journal, "pending iteration 0"));
    io_typemap tm;
    io_typemap_init(&tm);
    io_frame *fr = NULL;
    int nf = 0;
    assert_int_equal(io_extxyz_read(req, &tm, &fr, &nf), 0);
    assert_int_equal(nf, 4);
    for (int k = 0; k < nf; k++) assert_true(isnan(fr[k].energy) && fr[k].f == NULL); /* unlabelled */
    tm.mass[0] = 18.015;
    for (int k = 0; k < nf; k++) mw_label(&fr[k], &tm);
    /* bad answers: no forces, an atom missing, a NaN force: refused with file:line, nothing changes */
    static const char *const why[3] = {"has no forces", "has 63 atoms; the request has 64", "finite force"};
    for (int bad = 0; bad < 3; bad++) {
        double *keep = fr[1].f;
        const int n1 = fr[1].n;
        if (bad == 0) fr[1].f = NULL;
        if (bad == 1) fr[1].n = n1 - 1;
        if (bad == 2) keep[3 * 7 + 1] = NAN;
        assert_int_equal(io_extxyz_write(lab, fr, nf, &tm), 0);
        fr[1].f = keep;
        fr[1].n = n1;
        if (bad == 2) keep[3 * 7 + 1] = 0.25;
        assert_int_not_equal(run("learn fx.ini", "fxbad.log"), 0);
        snprintf(p, sizeof p, "%s/fxbad.log", dir);
        log = slurp_text(p);
        char *msg = strstr(log, "error");
        assert_non_null(msg);
        printf("%.*s\n", (int)strcspn(msg, "\n"), msg);
        assert_non_null(strstr(log, "run.labelled-0.extxyz:"));
        assert_non_null(strstr(log, why[bad]));
        free(log);
        char *same = slurp_text(jp);
        assert_string_equal(journal, same);
        free(same);
        assert_int_not_equal(access(d1, F_OK), 0);
    }
    /* the answer, labelled by the stand-in: read back with identical energies and forces, the loop goes on; frame 2
     * comes back with forces 100 x the largest of the others, beyond the limit, which lies at 2 x that largest
     * force (label_f_factor relative to the initial frames' largest, 1.1 eV/A; the 200-step committee explores
     * near-overlaps with forces of 1e4 eV/A, which the default factor 10 would set aside): frame 2 is set aside,
     * not trained on, and kept in run.aside-0.extxyz as it came */
    for (int k = 0; k < nf; k++) mw_label(&fr[k], &tm); /* fresh labels (the NaN test touched frame 1) */
    double fo = 0, fi = 0;
    for (int k = 0; k < nf; k++)
        if (k != 2) fo = fmax(fo, io_fmax(&fr[k]));
    io_typemap ti;
    io_typemap_init(&ti);
    io_frame *fin = NULL;
    int nin = 0;
    snprintf(p, sizeof p, "%s/init.extxyz", dir);
    assert_int_equal(io_extxyz_read(p, &ti, &fin, &nin), 0);
    for (int k = 0; k < nin; k++) fi = fmax(fi, io_fmax(&fin[k]));
    io_frames_free(fin, nin);
    write_fx_ini(ini, 2 * fo / fi);
    const double scale = 100 * fo / io_fmax(&fr[2]);
    for (int q = 0; q < 3 * fr[2].n; q++) fr[2].f[q] *= scale;
    assert_int_equal(io_extxyz_write(lab, fr, nf, &tm), 0);
    assert_int_equal(run("learn fx.ini", "fx2.log"), 0);
    snprintf(p, sizeof p, "%s/fx2.log", dir);
    log = slurp_text(p);
    assert_non_null(strstr(log, "1 labels set aside"));
    free(log);
    ml_dataset ds = {0};
    assert_int_equal(ml_dataset_read_extxyz(&ds, d1), 0);
    assert_int_equal(ds.nframes, 11 + 3);
    for (int k = 0, a = 11; k < nf; k++) {
        if (k == 2) continue;
        assert_true(ds.frames[a].energy == fr[k].energy);
        assert_memory_equal(ds.frames[a].force, fr[k].f, sizeof(double) * 3 * fr[k].n);
        assert_int_equal(ds.frames[a].has_virial, 1); /* the labeller's virial, kept */
        assert_memory_equal(ds.frames[a].virial, fr[k].virial, sizeof fr[k].virial);
        a++;
    }
    ml_dataset_free(&ds);
    snprintf(p, sizeof p, "%s/fx/run.aside-0.extxyz", dir);
    assert_int_equal(ml_dataset_read_extxyz(&ds, p), 0);
    assert_int_equal(ds.nframes, 1);
    assert_true(ds.frames[0].energy == fr[2].energy);
    assert_memory_equal(ds.frames[0].force, fr[2].f, sizeof(double) * 3 * fr[2].n);
    ml_dataset_free(&ds);
    char *done = slurp_text(jp);
    assert_null(strstr(done, "pending"));
    assert_non_null(strstr(done, "iteration 1 labels 14"));
    free(done);
    free(journal);
    io_frames_free(fr, nf);
}

/* a learn input for test_learn_sources / test_learn_energy_window: the trust-window lines, then the sections */
static const char *const sources_common =
        "[run]\nseed = 9\n\n[teacher]\nstyle = sw\nfile = %s/data/mW.sw\n\n"
        "[ensemble]\nensemble = nvt\ntemperature = 300\ntau_t = 0.1\ndt = 0.005\nskin = 1.0\n\n"
        "[data]\ninitial = init2.extxyz\nvalidation = val2.extxyz\n\n"
        "[learn]\niterations = 1\ntemperatures = 260\nsteps = 200\nsample_every = 20\n%s"
        "max_select = 3\ndedup = 0\n\n"
        "[descriptor]\nrc = 4.5\nrc_angular = 4.5\nn_radial = 4\nr_min = 1.7\neta_angular = 0.3\nzeta = 1\n\n"
        "[network]\nhidden = 4\n\n[training]\nsteps = 50\neval_every = 50\nthreads = 1\ncommittee = 2\n\n"
        "[output]\nprefix = src/run\n\n";

/* write sources_common (teacher from the source tree, the given window) and `rest` into dir/name */
static FILE *sources_ini(const char *name, const char *window)
{
    char ini[400];
    snprintf(ini, sizeof ini, "%s/%s", dir, name);
    FILE *f = fopen(ini, "w");
    assert_non_null(f);
    fprintf(f, sources_common, SEEDRATE_SOURCE_DIR, window);
    return f;
}

/* the sources tests' initial frames (made by the first of them that runs) */
static const char *path_of_init2(void)
{
    static char p[400];
    snprintf(p, sizeof p, "%s/init2.extxyz", dir);
    return p;
}

/* the sources tests' initial and held-out frames, made once by whichever of them runs first */
static void init2_frames(void)
{
    if (access(path_of_init2(), F_OK)) {
        gen_frames("init2", 200, 21, 700, 300, 40);
        gen_frames("val2", 200, 22, 700, 280, 100);
    }
}

/* box volume of a frame */
static double frame_volume(const ml_frame *fr)
{
    return fr->box[0] * fr->box[1] * fr->box[2];
}

/* several start structures ([explore.NAME]): each is explored at its own temperatures and volume factors, the
 * selection takes candidates from the structures in turn, and a labelled frame from a scaled box carries the
 * scaled volume and the teacher's labels of it. Mixing [structure] with [explore.NAME], or an unknown key in one,
 * stops with file:line. */
static void test_learn_sources(void **st)
{
    (void)st;
    exe = getenv("SEEDRATE_EXE");
    if (!exe || !*exe) skip();
    gen_frames("init2", 200, 21, 700, 300, 40); /* 6 frames */
    gen_frames("val2", 200, 22, 700, 280, 100); /* 3 frames */
    const char *lattice = "lattice = diamond\ndensity = 0.0334284\ncells = 2 2 2\nmass = 18.015\nelement = mW\n";
    FILE *f = sources_ini("sources.ini", "sigma_lo = 0\nsigma_hi = 1e6\nlabel_f_factor = 0\n");
    /* two runs from the lattice at its density (260 K from [learn], and 400 K), one from the box 1.3x larger */
    fprintf(f, "[explore.dense]\n%stemperatures = 260 400\n\n[explore.sparse]\n%svolume_scales = 1.3\n", lattice, lattice);
    fclose(f);
    const int status = run("learn sources.ini", "sources.log");
    char p[400];
    if (status) {
        snprintf(p, sizeof p, "cat '%s/sources.log'", dir);
        assert_int_equal(system(p), 0);
    }
    assert_int_equal(status, 0);
    snprintf(p, sizeof p, "%s/src/run.curve.dat", dir);
    row rows[4];
    assert_int_equal(read_curve(p, rows, 4), 2);
    assert_int_equal(rows[0].samples, 3 * 200 / 20); /* 3 runs */
    assert_true(rows[0].frac_win == 1.0);
    assert_int_equal(rows[0].selected, 3);
    snprintf(p, sizeof p, "%s/sources.log", dir);
    char *log = slurp_text(p);
    assert_non_null(strstr(log, "explore.dense"));
    assert_non_null(strstr(log, "explore.sparse"));
    free(log);
    /* the three labels: dense, sparse, dense (turns), volumes V0, 1.3 V0, V0 */
    ml_dataset ds = {0};
    snprintf(p, sizeof p, "%s/src/run.data-1.extxyz", dir);
    assert_int_equal(ml_dataset_read_extxyz(&ds, p), 0);
    assert_int_equal(ds.nframes, 6 + 3);
    const double v0 = 64 / 0.0334284;
    assert_true(fabs(frame_volume(&ds.frames[6]) / v0 - 1) < 1e-9);
    assert_true(fabs(frame_volume(&ds.frames[7]) / v0 - 1.3) < 1e-9);
    assert_true(fabs(frame_volume(&ds.frames[8]) / v0 - 1) < 1e-9);
    check_teacher_labels(&ds.frames[7]);
    ml_dataset_free(&ds);

    /* [structure] together with [explore.NAME]; an unknown key in [explore.NAME] */
    f = sources_ini("sources-bad.ini", "sigma_lo = 0\nsigma_hi = 1e6\n");
    fprintf(f, "[structure]\n%s\n[explore.a]\n%s", lattice, lattice); /* [structure] at line 49 */
    fclose(f);
    learn_refused("sources-bad.ini", "sources-bad.ini:49: [structure] and [explore.NAME]");
    f = sources_ini("sources-bad.ini", "sigma_lo = 0\nsigma_hi = 1e6\n");
    fprintf(f, "[explore.a]\n%svolume = 2\n", lattice); /* volume at line 55 */
    fclose(f);
    learn_refused("sources-bad.ini", "sources-bad.ini:55: unknown key 'volume' in [explore.a]");
    snprintf(p, sizeof p, "%s/src/run.data-1.extxyz", dir);
    assert_int_equal(access(p, F_OK), 0); /* the earlier run's output is still there */
}

/* the energy trust window: with forces always below sigma_lo, samples become candidates through the committee's
 * energy spread per atom (window [0, 1e6] eV/atom: all of them) or are all unreliable (upper edge 1e-12 eV/atom);
 * an upper edge not above the lower one, or a lower edge alone, stops with file:line */
static void test_learn_energy_window(void **st)
{
    (void)st;
    exe = getenv("SEEDRATE_EXE");
    if (!exe || !*exe) skip();
    init2_frames();
    const char *lattice = "[structure]\nlattice = diamond\ndensity = 0.0334284\ncells = 2 2 2\nmass = 18.015\n"
                          "element = mW\n";
    static const struct {
        const char *window;
        double win, hi;
        int selected;
    } cases[] = {
        {"sigma_lo = 1e5\nsigma_hi = 1e6\n", 0, 0, 0},                                  /* forces alone: all learned */
        {"sigma_lo = 1e5\nsigma_hi = 1e6\ne_sigma_lo = 0\ne_sigma_hi = 1e6\nlabel_f_factor = 0\n", 1, 0, 3}, /* all */
        {"sigma_lo = 1e5\nsigma_hi = 1e6\ne_sigma_lo = 1e-13\ne_sigma_hi = 1e-12\n", 0, 1, 0}, /* all unreliable */
    };
    char p[400];
    for (int c = 0; c < 3; c++) {
        FILE *f = sources_ini("energy.ini", cases[c].window);
        fputs(lattice, f);
        fclose(f);
        snprintf(p, sizeof p, "rm -rf '%s/src'", dir);
        assert_int_equal(system(p), 0);
        assert_int_equal(run("learn energy.ini", "energy.log"), 0);
        snprintf(p, sizeof p, "%s/src/run.curve.dat", dir);
        row rows[4];
        assert_int_equal(read_curve(p, rows, 4), 2);
        assert_int_equal(rows[0].samples, 200 / 20);
        assert_true(rows[0].frac_win == cases[c].win);
        assert_true(rows[0].frac_hi == cases[c].hi);
        assert_true(rows[0].frac_lo == 1 - cases[c].win - cases[c].hi);
        assert_int_equal(rows[0].selected, cases[c].selected);
    }
    FILE *f = sources_ini("energy-bad.ini", "sigma_lo = 0.1\nsigma_hi = 1\ne_sigma_lo = 0.01\ne_sigma_hi = 0.01\n");
    fputs(lattice, f);
    fclose(f);
    learn_refused("energy-bad.ini", "energy-bad.ini:27: [learn] e_sigma_hi = 0.01 eV/atom must exceed");
    f = sources_ini("energy-bad.ini", "sigma_lo = 0.1\nsigma_hi = 1\ne_sigma_lo = 0.01\n");
    fputs(lattice, f);
    fclose(f);
    learn_refused("energy-bad.ini", "energy-bad.ini:26: [learn] e_sigma_lo = 0.01 eV/atom without e_sigma_hi");
}

/* the label limit with the in-process teacher: label_f_factor 1e-6 puts every label beyond it, so each of the 10
 * candidates is labelled, set aside (with the teacher's own labels, in run.aside-0.extxyz) and none is trained on;
 * without a limit the same run labels 3 (test_learn_energy_window, case 2) */
static void test_learn_label_limit(void **st)
{
    (void)st;
    exe = getenv("SEEDRATE_EXE");
    if (!exe || !*exe) skip();
    init2_frames();
    FILE *f = sources_ini("limit.ini", "sigma_lo = 0\nsigma_hi = 1e6\nlabel_f_factor = 1e-6\n");
    fputs("[structure]\nlattice = diamond\ndensity = 0.0334284\ncells = 2 2 2\nmass = 18.015\nelement = mW\n", f);
    fclose(f);
    char p[400];
    snprintf(p, sizeof p, "rm -rf '%s/src'", dir);
    assert_int_equal(system(p), 0);
    assert_int_equal(run("learn limit.ini", "limit.log"), 0);
    snprintf(p, sizeof p, "%s/src/run.curve.dat", dir);
    row rows[4];
    assert_int_equal(read_curve(p, rows, 4), 2);
    assert_int_equal(rows[0].samples, 10);
    assert_true(rows[0].frac_win == 1.0);
    assert_int_equal(rows[0].selected, 0);
    assert_int_equal(rows[1].labels, 6);
    snprintf(p, sizeof p, "%s/limit.log", dir);
    char *log = slurp_text(p);
    assert_non_null(strstr(log, "10 labels set aside"));
    free(log);
    ml_dataset ds = {0};
    snprintf(p, sizeof p, "%s/src/run.aside-0.extxyz", dir);
    assert_int_equal(ml_dataset_read_extxyz(&ds, p), 0);
    assert_int_equal(ds.nframes, 10);
    check_teacher_labels(&ds.frames[0]);
    check_teacher_labels(&ds.frames[9]);
    ml_dataset_free(&ds);
}

static void test_learn_bad_input(void **st)
{
    (void)st;
    exe = getenv("SEEDRATE_EXE");
    if (!exe || !*exe) skip();
    write_learn_ini("bad.ini", 0.05, "badout/run"); /* sigma_hi below sigma_lo = 0.1, at line 32 */
    learn_refused("bad.ini", "bad.ini:32: [learn] sigma_hi");
    char p[400];
    snprintf(p, sizeof p, "%s/badout", dir);
    assert_int_not_equal(access(p, F_OK), 0); /* nothing written */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_learn_bad_input),
        cmocka_unit_test(test_learn_loop),
        cmocka_unit_test(test_learn_file_exchange),
        cmocka_unit_test(test_learn_sources),
        cmocka_unit_test(test_learn_energy_window),
        cmocka_unit_test(test_learn_label_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
