/* test_seeding_model_dev.c - a campaign with a committee potential flags the replicas whose model deviation passes
 * [campaign] model_dev_threshold (issue 18 item 1). A committee of two is made from validation/nn-mW/mW-nn.nc and a
 * copy with perturbed weights; a tiny mW-like campaign runs through `seedrate campaign`.
 *  - model_dev_max > 0 for every replica; with threshold 0 nothing is flagged;
 *  - rerun on the same prefix with a threshold between the replicas' deviations (the threshold is not part of the
 *    signature: the replicas come back from the journal, bit for bit): flags = (model_dev_max > threshold), the
 *    count matches, the summary says the fit includes them;
 *  - a journal from before (lines without the " D value" block) still resumes: model_dev_max NaN, flag -1;
 *  - the replica runner's model_dev_max is the largest deviation the potential itself reported at the analysed
 *    frames (a recording wrapper around the nn class);
 *  - an LJ campaign has model_dev_max = 0 and no flags. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <gsl/gsl_randist.h>

#include "common/sr_rng.h"
#include "ml/ml.h"
#include "seeding/seed.h"
#include "seeding/seed_cnt.h"
#include "tu_tmpdir.h"

TU_TMPDIR_FIXTURES("sr_model_dev")

static const char *exe(void)
{
    const char *e = getenv("SEEDRATE_EXE");
    return e ? e : SEEDRATE_BINARY_DIR "/seedrate";
}

/* the committee: mW-nn.nc and a copy with every parameter scaled by 1 + 0.03 N(0,1) */
static void make_committee(const char *out)
{
    ml_model *a = NULL, *b = NULL;
    assert_int_equal(ml_model_read(SEEDRATE_SOURCE_DIR "/validation/nn-mW/mW-nn.nc", &a), 0);
    assert_int_equal(ml_model_read(SEEDRATE_SOURCE_DIR "/validation/nn-mW/mW-nn.nc", &b), 0);
    const int np = ml_model_nparams(b);
    double *p = malloc((size_t)np * sizeof *p);
    assert_non_null(p);
    ml_model_get_params(b, p);
    gsl_rng *r = sr_rng_create(2385, 7, SR_RNG_VELOCITIES);
    for (int i = 0; i < np; i++) p[i] *= 1 + 0.03 * gsl_ran_gaussian(r, 1.0);
    gsl_rng_free(r);
    ml_model_set_params(b, p);
    free(p);
    ml_committee *c = ml_committee_create();
    assert_non_null(c);
    assert_int_equal(ml_committee_add(c, a), 0);
    assert_int_equal(ml_committee_add(c, b), 0);
    assert_int_equal(ml_committee_write(c, out), 0);
    ml_committee_free(c);
}

static void write_ini(const char *path, const char *model, const char *prefix, double threshold)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    if (model)
        fprintf(f, "[run]\nunits = metal\nseed = 2385\n[structure]\nlattice = hexdiamond\ndensity = 0.0326931\n"
                   "cells = 4 3 3\nmass = 18.015\nelement = mW\n[potential]\nstyle = nn\nmodel = %s\n"
                   "[ensemble]\nensemble = npt\nbarostat = iso\ntemperature = 210\ntau_t = 0.5\npressure = 1.0\n"
                   "tau_p = 5.0\ncompressibility = 5.0e-5\ndt = 0.010\nskin = 1.0\n[order]\nstyle = chillplus\n"
                   "cutoff = 3.5\n[campaign]\ncalibrate = none\nseed_sizes = 20 30\nreplicas = 3\n"
                   "analyze_every = 20\nmax_steps = 120\nliquid_cells = 4 3 3\nliquid_density = 0.0334284\n"
                   "melt_temperature = 900\nmelt_steps = 300\nequil_steps = 60\nrelax_steps = 20\n"
                   "cluster_cutoff = 3.5\nbootstrap = 0\nmodel_dev_threshold = %.17g\n[output]\nprefix = %s\n",
                model, threshold, prefix);
    else
        fprintf(f, "[run]\nunits = lj\nseed = 77\n[structure]\nlattice = fcc\ndensity = 1.07\ncells = 4 4 4\n"
                   "[potential]\nstyle = lj\ncutoff = 2.5\nshift = yes\n[ensemble]\nensemble = npt\ntemperature = 0.45\n"
                   "pressure = 5.68\ntau_t = 0.1\ntau_p = 1.0\ncompressibility = 0.02\n[order]\nstyle = bonds\n"
                   "cutoff = 1.4\nmin_bonds = 7\nbond_threshold = 0.5\n[campaign]\ncalibrate = none\n"
                   "seed_sizes = 60 90\nreplicas = 2\nliquid_cells = 7 7 7\nmelt_temperature = 2.0\nmelt_steps = 400\n"
                   "equil_steps = 200\nrelax_steps = 20\nanalyze_every = 50\nmax_steps = 300\nbootstrap = 0\n"
                   "model_dev_threshold = %.17g\n[output]\nprefix = %s\n", threshold, prefix);
    fclose(f);
}

/* run `seedrate campaign ini` (its fit may fail on so few replicas: only the file matters), stdout to log */
static void run_campaign(const char *ini, const char *log)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "'%s' campaign '%s' > '%s' 2>&1", exe(), ini, log);
    (void)!system(cmd);
    if (getenv("SR_MODEL_DEV_VERBOSE")) {
        snprintf(cmd, sizeof cmd, "tail -n 25 '%s'", log);
        (void)!system(cmd);
    }
}

static size_t read_var(const char *nc, const char *var, double **v)
{
    size_t n = 0;
    *v = NULL;
    assert_int_equal(seed_nc_read(nc, var, v, &n), 0);
    return n;
}

static double read1(const char *nc, const char *var)
{
    double *v;
    assert_int_equal(read_var(nc, var, &v), 1);
    const double x = v[0];
    free(v);
    return x;
}

static int file_has(const char *path, const char *text)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[4096];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) found = strstr(line, text) != NULL;
    fclose(f);
    return found;
}

/* ---- the recording wrapper: the deviation the nn potential reports after each evaluation, by step ---- */
static const md_potential_class *inner;
static md_potential_class recorder;
static const md_system *rec_sys;
static double rec_dev[4096];
static int rec_compute(void *state, md_system *s, const md_nlist *nl, unsigned want, md_result *r)
{
    int rc = inner->compute(state, s, nl, want, r);
    md_uncertainty u;
    if (!rc && inner->uncertainty(state, &u) && s->step >= 0 && s->step < 4096) rec_dev[s->step] = u.force_dev_max;
    rec_sys = s;
    return rc;
}

static void committee_campaign(void **state)
{
    (void)state;
    char model[160], ini[160], log[160], nc[160], prefix[160];
    path_of(model, sizeof model, "committee.nc");
    path_of(ini, sizeof ini, "nn.ini");
    path_of(log, sizeof log, "nn.log");
    path_of(prefix, sizeof prefix, "nn");
    path_of(nc, sizeof nc, "nn.nc");
    make_committee(model);

    /* 1. threshold 0: deviations recorded, nothing flagged */
    write_ini(ini, model, prefix, 0);
    run_campaign(ini, log);
    double *md0, *fl;
    const size_t nrep = read_var(nc, "model_dev_max", &md0);
    assert_int_equal(nrep, 6);
    double lo = INFINITY, hi = 0;
    for (size_t g = 0; g < nrep; g++) {
        assert_true(md0[g] > 0 && isfinite(md0[g]));
        lo = fmin(lo, md0[g]);
        hi = fmax(hi, md0[g]);
    }
    assert_true(hi > lo); /* replicas differ: a threshold between them splits them */
    assert_int_equal(read_var(nc, "model_dev_flag", &fl), nrep);
    for (size_t g = 0; g < nrep; g++) assert_true(fl[g] == 0);
    free(fl);
    assert_true(read1(nc, "n_model_dev_flagged") == 0);
    assert_true(read1(nc, "model_dev_threshold") == 0);
    assert_true(file_has(log, "model deviation (committee): largest"));

    /* 2. a threshold between the deviations, same prefix: resumed from the journal, flags = (max > threshold) */
    const double thr = 0.5 * (lo + hi);
    write_ini(ini, model, prefix, thr);
    run_campaign(ini, log);
    assert_true(file_has(log, "resuming: 6 of 6 replicas"));
    double *md1;
    assert_int_equal(read_var(nc, "model_dev_max", &md1), nrep);
    assert_int_equal(read_var(nc, "model_dev_flag", &fl), nrep);
    int nflag = 0;
    for (size_t g = 0; g < nrep; g++) {
        assert_memory_equal(&md1[g], &md0[g], sizeof(double)); /* the journal keeps it exactly */
        assert_true(fl[g] == (md1[g] > thr ? 1 : 0));
        nflag += md1[g] > thr;
    }
    assert_true(nflag > 0 && nflag < (int)nrep);
    assert_true(read1(nc, "n_model_dev_flagged") == nflag);
    assert_true(read1(nc, "model_dev_threshold") == thr);
    assert_true(file_has(log, "the P_grow fit INCLUDES them"));
    assert_true(file_has(log, "WARNING:") && file_has(log, "replicas have a model deviation above model_dev_threshold"));
    free(fl);
    free(md1);

    /* 3. a journal from before (no " D value"): still resumes, the deviation is not known (NaN, flag -1) */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "sed -i 's/ D [^ ]*$//' '%s'.journal.* && rm -f '%s'", prefix, nc);
    assert_int_equal(system(cmd), 0);
    run_campaign(ini, log);
    assert_true(file_has(log, "resuming: 6 of 6 replicas"));
    assert_int_equal(read_var(nc, "model_dev_max", &md1), nrep);
    assert_int_equal(read_var(nc, "model_dev_flag", &fl), nrep);
    for (size_t g = 0; g < nrep; g++) {
        assert_true(isnan(md1[g]));
        assert_true(fl[g] == -1);
    }
    assert_true(read1(nc, "n_model_dev_flagged") == 0);
    assert_true(file_has(log, "6 replicas without a recorded deviation"));
    free(fl);
    free(md1);

    /* 4. the runner's maximum is the largest deviation the potential reported at the analysed frames */
    char ck[200];
    snprintf(ck, sizeof ck, "%s.point0.ckpt", prefix);
    md_system *start = NULL;
    assert_int_equal(md_checkpoint_read(ck, &start, NULL), 0);
    ml_potential_config cfg = {0};
    snprintf(cfg.model, sizeof cfg.model, "%s", model);
    void *pst = NULL;
    assert_int_equal(ml_potential_nn.create(&pst, &cfg, start, NULL), 0);
    inner = &ml_potential_nn;
    recorder = ml_potential_nn;
    recorder.compute = rec_compute;
    md_potential *pot;
    assert_int_equal(md_potential_wrap(&recorder, pst, &pot), 0);
    char *argv[] = {"--style", "chillplus", "--cutoff", "3.5"};
    unsigned char used[4] = {0, 0, 0, 0};
    order_classifier *cls = NULL;
    sr_errlist el = {0};
    int crc = order_classifier_from_args(4, argv, used, &cls, &el);
    if (crc) sr_errlist_print(&el, stderr);
    assert_int_equal(crc, 0);
    order_analyzer *an = NULL;
    assert_int_equal(order_analyzer_create(cls, 3.5, &an), 0);
    for (int i = 0; i < 4096; i++) rec_dev[i] = NAN;
    seed_replica_params rp = {.ip = {.dt = 0.01, .thermostat = MD_THERMO_BUSSI, .temperature = 210, .tau_t = 0.5,
                                     .barostat = MD_BARO_NONE, .skin = 1.0},
                              .max_steps = 200, .analyze_every = 20, .max_frames = 11, .grow_factor = 100,
                              .melt_fraction = 0.0, .settle_frames = 2, .seed = 2385, .replica = 3};
    int nmax[11];
    seed_replica_result rr = {.nmax = nmax};
    assert_int_equal(seed_replica_run(start, pot, an, &rp, &rr), 0);
    assert_int_not_equal(rr.outcome, SEED_FAILED);
    double want = 0;
    const long last = (long)(rr.nframes - 1) * rp.analyze_every;
    for (long s = 0; s <= last; s += rp.analyze_every) {
        assert_false(isnan(rec_dev[s]));
        if (rec_dev[s] > want) want = rec_dev[s];
    }
    /* steps in between were evaluated too, but are not frames: the runner reads the deviation at frames only */
    assert_true(want > 0);
    assert_memory_equal(&rr.model_dev_max, &want, sizeof want);
    order_analyzer_free(an);
    order_classifier_free(cls);
    md_potential_free(pot);
    md_system_free(start);
    free(md0);
}

static void lj_campaign(void **state)
{
    (void)state;
    char ini[160], log[160], nc[160], prefix[160];
    path_of(ini, sizeof ini, "lj.ini");
    path_of(log, sizeof log, "lj.log");
    path_of(prefix, sizeof prefix, "lj");
    path_of(nc, sizeof nc, "lj.nc");
    write_ini(ini, NULL, prefix, 0.1);
    run_campaign(ini, log);
    double *md, *fl;
    const size_t n = read_var(nc, "model_dev_max", &md);
    assert_int_equal(n, 4);
    assert_int_equal(read_var(nc, "model_dev_flag", &fl), n);
    for (size_t g = 0; g < n; g++) {
        assert_true(md[g] == 0);
        assert_true(fl[g] == 0);
    }
    assert_true(read1(nc, "n_model_dev_flagged") == 0);
    assert_false(file_has(log, "model deviation (committee)"));
    assert_true(file_has(log, "model deviation above 0.1 epsilon/sigma: 0 of 4 replicas flagged"));
    free(md);
    free(fl);
}

int main(void)
{
    assert_int_equal(ml_register(), 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(committee_campaign),
        cmocka_unit_test(lj_campaign),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
