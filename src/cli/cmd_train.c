/* cmd_train.c - `seedrate train`: fit a neural-network potential to DFT energies and forces.
 *
 *   seedrate train FILE                     train from a sectioned input file (see --help)
 *   seedrate train --test MODEL DATA...     RMSE of a model on DeePMD-kit npy systems or extxyz files
 *   seedrate train --bench MODEL DATA [N]   time N force evaluations of DATA's first frame through
 *                                           md (FULL list + md_compute), report us per atom-step
 *   seedrate train --upgrade OLD NEW        check a format-1 model file (no completeness checksum) and
 *                                           write it as format 2
 *   seedrate train --committee OUT IN...    one committee file of the networks of IN... (single networks or
 *                                           committees of one architecture), e.g. trained separately */
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "../common/sr_rng.h"
#include "../ml/ml.h"

typedef struct data_cfg {
    char train[SR_KW_STRLEN];
    char validation[SR_KW_STRLEN];
} data_cfg;

typedef cli_desc_cfg desc_cfg;
typedef cli_net_cfg net_cfg;

typedef struct out_cfg {
    char model[SR_KW_STRLEN];
    char checkpoint[SR_KW_STRLEN];
    char curve[SR_KW_STRLEN];
} out_cfg;

static const sr_keyword data_keys[] = {
    {"train", SR_KW_STRING, offsetof(data_cfg, train), "", NULL, 0, 0, NULL,
     "training data: DeePMD-kit npy system directories or extxyz files (*.xyz, *.extxyz), space separated"},
    {"validation", SR_KW_STRING, offsetof(data_cfg, validation), "", "", 0, 0, NULL,
     "held-out system directories; empty: [training] val_fraction of the training frames"},
    SR_KW_END};

static const sr_keyword desc_keys[] = {
    {"rc", SR_KW_REAL, offsetof(desc_cfg, rc), "length", "6.0", 1.0, 20.0, NULL,
     "radial cutoff of the symmetry functions"},
    {"rc_angular", SR_KW_REAL, offsetof(desc_cfg, rc_angular), "length", "4.5", 1.0, 20.0, NULL,
     "cutoff of the angular functions (<= rc)"},
    {"n_radial", SR_KW_INT, offsetof(desc_cfg, n_radial), "", "12", 1, ML_MAX_RADIAL, NULL,
     "radial Gaussians per neighbour element, centres evenly spaced on [r_min, rc)"},
    {"r_min", SR_KW_REAL, offsetof(desc_cfg, r_min), "length", "0.5", 0.0, 10.0, NULL,
     "first radial centre"},
    {"angular", SR_KW_CHOICE, offsetof(desc_cfg, angular), "", "g5", 0, 0, "g4|g5",
     "angular symmetry function: g4 (with r_jk terms) or g5 (Behler 2011)"},
    {"eta_angular", SR_KW_REALS, offsetof(desc_cfg, eta_angular), "1/length^2", "0.01 0.05", 0, 100,
     NULL, "Gaussian widths of the angular functions"},
    {"zeta", SR_KW_REALS, offsetof(desc_cfg, zeta), "", "1 2 4 16", 1, 64, NULL,
     "angular exponents (integers); each is used with lambda = +1 and -1"},
    SR_KW_END};

static const sr_keyword net_keys[] = {
    {"hidden", SR_KW_REALS, offsetof(net_cfg, hidden), "", "32 32", 1, 4096, NULL,
     "widths of the hidden layers (one net per element)"},
    {"activation", SR_KW_CHOICE, offsetof(net_cfg, activation), "", "tanh", 0, 0, "tanh|silu",
     "activation of the hidden layers"},
    SR_KW_END};

static const sr_keyword train_keys[] = {
    {"seed", SR_KW_LONG, offsetof(ml_train_params, seed), "", "20240601", 0, 9e18, NULL,
     "seed of the initial weights, split and minibatch order"},
    {"steps", SR_KW_LONG, offsetof(ml_train_params, steps), "", "20000", 1, 1e9, NULL,
     "Adam steps (one minibatch each)"},
    {"batch", SR_KW_INT, offsetof(ml_train_params, batch), "", "2", 1, 1024, NULL,
     "frames per minibatch"},
    {"lr_start", SR_KW_REAL, offsetof(ml_train_params, lr_start), "", "1e-3", 1e-9, 1, NULL,
     "initial learning rate"},
    {"lr_stop", SR_KW_REAL, offsetof(ml_train_params, lr_stop), "", "1e-5", 1e-12, 1, NULL,
     "learning rate reached at the last step (exponential decay)"},
    {"decay_steps", SR_KW_LONG, offsetof(ml_train_params, decay_steps), "", "500", 1, 1e9, NULL,
     "the learning rate changes every decay_steps steps"},
    {"pe_start", SR_KW_REAL, offsetof(ml_train_params, pe_start), "", "4", 0, 1e9, NULL,
     "energy prefactor at the start (loss term (dE/N)^2)"},
    {"pe_limit", SR_KW_REAL, offsetof(ml_train_params, pe_limit), "", "200", 0, 1e9, NULL,
     "energy prefactor as lr -> 0"},
    {"pf_start", SR_KW_REAL, offsetof(ml_train_params, pf_start), "", "1000", 0, 1e9, NULL,
     "force prefactor at the start (loss term |dF|^2/(3N))"},
    {"pf_limit", SR_KW_REAL, offsetof(ml_train_params, pf_limit), "", "1", 0, 1e9, NULL,
     "force prefactor as lr -> 0"},
    {"pv_start", SR_KW_REAL, offsetof(ml_train_params, pv_start), "", "0", 0, 1e9, NULL,
     "virial prefactor at the start (loss term |dW|^2/(9 N^2), on frames with a reference virial; 0 with "
     "pv_limit 0: virials not trained on)"},
    {"pv_limit", SR_KW_REAL, offsetof(ml_train_params, pv_limit), "", "0", 0, 1e9, NULL,
     "virial prefactor as lr -> 0"},
    {"val_fraction", SR_KW_REAL, offsetof(ml_train_params, val_fraction), "", "0.1", 0, 0.9, NULL,
     "fraction of training frames held out when [data] validation is empty"},
    {"eval_every", SR_KW_LONG, offsetof(ml_train_params, eval_every), "", "500", 1, 1e9, NULL,
     "steps between learning-curve points (and checkpoints)"},
    {"patience", SR_KW_INT, offsetof(ml_train_params, patience), "", "0", 0, 1e6, NULL,
     "stop after this many learning-curve points without validation improvement (0 = never)"},
    {"max_minutes", SR_KW_REAL, offsetof(ml_train_params, max_minutes), "", "0", 0, 1e6, NULL,
     "wall-time budget in minutes (0 = none); the best model so far is kept"},
    {"ema_decay", SR_KW_REAL, offsetof(ml_train_params, ema_decay), "", "0", 0, 0.9999, NULL,
     "0: off; d: the learning curve, the kept model and its checkpoints use the exponential moving average of the "
     "parameters (theta_ema <- d theta_ema + (1 - d) theta after each step; MACE's training examples use "
     "--ema --ema_decay=0.99)"},
    {"threads", SR_KW_INT, offsetof(ml_train_params, threads), "", "0", 0, 1024, NULL,
     "OpenMP threads (0 = OMP_NUM_THREADS or all cores)"},
    {"committee", SR_KW_INT, offsetof(ml_train_params, committee), "", "4", 1, ML_MAX_MEMBERS, NULL,
     "networks K trained into the model file (different initial weights and minibatch orders, streams from seed "
     "and member); MD uses their mean and logs their force deviation (model_dev); 1 = a single network"},
    SR_KW_END};

static const sr_keyword out_keys[] = {
    {"model", SR_KW_STRING, offsetof(out_cfg, model), "", "model.nc", 0, 0, NULL,
     "model file to write (netCDF)"},
    {"checkpoint", SR_KW_STRING, offsetof(out_cfg, checkpoint), "", "", 0, 0, NULL,
     "model file rewritten at every new best validation point (empty = none)"},
    {"curve", SR_KW_STRING, offsetof(out_cfg, curve), "", "learning_curve", 0, 0, NULL,
     "learning-curve prefix: PREFIX.nc, PREFIX.dat, PREFIX.gp and PREFIX.png (gnuplot)"},
    SR_KW_END};

static void usage(FILE *out)
{
    fprintf(out, "usage: seedrate train FILE\n"
                 "       seedrate train --test MODEL DATA...   (DATA: npy system directory or .xyz/.extxyz file)\n"
                 "       seedrate train --bench MODEL DATA [REPEATS]\n"
                 "       seedrate train --upgrade OLD.nc NEW.nc   (format-1 model, written before model files had a\n"
                 "                                                completeness checksum: checked, written as format 2)\n"
                 "       seedrate train --committee OUT.nc IN.nc...  (one committee of the networks of IN...: same\n"
                 "                                                elements, descriptor and architecture)\n\n"
                 "Fits a Behler-Parrinello neural-network potential (units metal), a committee of [training]\n"
                 "committee networks (default 4; 1 = a single network), to DeePMD-kit npy\n"
                 "systems (type.raw, type_map.raw, set.*/{box,coord,energy,force}.npy).\n"
                 "Relative paths in FILE are relative to FILE's directory. Keys:\n\n");
    sr_keywords_print(data_keys, "data", out);
    cli_train_keys_print(out);
    sr_keywords_print(out_keys, "output", out);
}

void cli_train_keys_print(FILE *out)
{
    sr_keywords_print(desc_keys, "descriptor", out);
    sr_keywords_print(net_keys, "network", out);
    sr_keywords_print(train_keys, "training", out);
}

void cli_train_bind(sr_input *in, const char *file, cli_desc_cfg *de, cli_net_cfg *nc, ml_train_params *tp,
                    sr_errlist *el)
{
    ml_train_defaults(tp);
    sr_section *sde = sr_input_section(in, "descriptor"), *sn = sr_input_section(in, "network"),
               *st = sr_input_section(in, "training");
    sr_section_bind(sde, desc_keys, de, el, "descriptor");
    sr_section_bind(sn, net_keys, nc, el, "network");
    sr_section_bind(st, train_keys, tp, el, "training");
    if (de->rc_angular > de->rc)
        sr_errlist_add(el, "%s: [descriptor] rc_angular = %g must not exceed rc = %g", file, de->rc_angular, de->rc);
    if (nc->hidden.n + 1 > ML_MAX_LAYERS)
        sr_errlist_add(el, "%s: [network] hidden: at most %d layers", file, ML_MAX_LAYERS - 1);
    for (int k = 0; k < nc->hidden.n; k++)
        if (nc->hidden.v[k] != floor(nc->hidden.v[k]))
            sr_errlist_add(el, "%s: [network] hidden = %g: widths must be integers", file, nc->hidden.v[k]);
}

ml_model *cli_train_model(const cli_desc_cfg *de, const cli_net_cfg *nc, int nelem, const char *const *type_map)
{
    ml_sf_params sf;
    if (ml_sf_generate(nelem, de->rc, de->rc_angular, de->n_radial, de->r_min,
                       de->angular ? ML_ANGULAR_G5 : ML_ANGULAR_G4, de->eta_angular.n, de->eta_angular.v,
                       de->zeta.n, de->zeta.v, &sf))
        return NULL;
    int hidden[ML_MAX_LAYERS];
    for (int k = 0; k < nc->hidden.n; k++) hidden[k] = (int)nc->hidden.v[k];
    return ml_model_create(nelem, type_map, &sf, nc->hidden.n, hidden, nc->activation ? ML_ACT_SILU : ML_ACT_TANH);
}

static void resolve(const char *base, const char *name, char *out, size_t cap)
{
    if (name[0] == '/' || !base || !*base) snprintf(out, cap, "%s", name);
    else snprintf(out, cap, "%s/%s", base, name);
}

/* read every whitespace-separated directory of `list` into ds; names appended to `prov` */
static int read_systems(const char *base, const char *list, ml_dataset *ds, char *prov, size_t cap)
{
    char buf[SR_KW_STRLEN], path[4096];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *tok = strtok_r(buf, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
        resolve(base, tok, path, sizeof path);
        const int before = ds->nframes;
        const size_t len = strlen(path);
        if ((len > 4 && !strcmp(path + len - 4, ".xyz")) || (len > 7 && !strcmp(path + len - 7, ".extxyz")))
            SR_TRY(ml_dataset_read_extxyz(ds, path));
        else
            SR_TRY(ml_dataset_read_deepmd(ds, path));
        printf("  %s: %d frames\n", path, ds->nframes - before);
        if (prov) {
            strncat(prov, " ", cap - strlen(prov) - 1);
            strncat(prov, path, cap - strlen(prov) - 1);
        }
    }
    return SR_OK;
}

static int write_plot(const char *prefix, const ml_train_report *r)
{
    char dat[4200], gp[4200], png[4200];
    snprintf(dat, sizeof dat, "%s.dat", prefix);
    snprintf(gp, sizeof gp, "%s.gp", prefix);
    snprintf(png, sizeof png, "%s.png", prefix);
    FILE *f = fopen(dat, "w");
    if (!f) return SR_ERROR(SR_EIO, "%s: cannot create", dat);
    fprintf(f, "# step lr rmse_E_train(meV/atom) rmse_F_train(meV/A) rmse_E_val(meV/atom) rmse_F_val(meV/A)\n");
    for (int p = 0; p < r->npoints; p++)
        fprintf(f, "%ld %.6e %.6f %.6f %.6f %.6f\n", r->step[p], r->lr[p], 1e3 * r->rmse_e_train[p],
                1e3 * r->rmse_f_train[p], 1e3 * r->rmse_e_val[p], 1e3 * r->rmse_f_val[p]);
    fclose(f);
    f = fopen(gp, "w");
    if (!f) return SR_ERROR(SR_EIO, "%s: cannot create", gp);
    char *dcopy = strdup(dat), *pcopy = strdup(png);
    fprintf(f, "set terminal pngcairo size 1000,420 noenhanced\nset output '%s'\n"
               "set multiplot layout 1,2 title 'seedrate train: learning curve'\n"
               "set logscale y\nset xlabel 'step'\nset grid\nset key top right\n"
               "set ylabel 'energy RMSE (meV/atom)'\n"
               "plot '%s' u 1:3 w lp t 'train', '' u 1:5 w lp t 'validation'\n"
               "set ylabel 'force RMSE (meV/A)'\n"
               "plot '%s' u 1:4 w lp t 'train', '' u 1:6 w lp t 'validation'\n"
               "unset multiplot\n", basename(pcopy), basename(dcopy), basename(dcopy));
    fclose(f);
    free(pcopy);
    free(dcopy);
    if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
        printf("notice: gnuplot not found; %s not drawn (script %s kept)\n", png, gp);
        return SR_OK;
    }
    char cmd[8192], *dir = strdup(gp), *gcopy = strdup(gp);
    snprintf(cmd, sizeof cmd, "cd '%s' && gnuplot '%s'", dirname(dir), basename(gcopy));
    const int st = system(cmd);
    free(dir);
    free(gcopy);
    if (st != 0) printf("notice: gnuplot failed on %s; PNG not drawn\n", gp);
    else printf("learning curve: %s\n", png);
    return SR_OK;
}

/* RMSE of the committee mean (E per atom, force components) and the mean over frames of the model
 * deviation max_i sigma_i; any output may be NULL */
static int committee_rmse(const ml_committee *c, const ml_dataset *ds, double *rmse_e, double *rmse_f,
                          double *dev_mean)
{
    double se = 0.0, sf = 0.0, sd = 0.0;
    long nc = 0;
    for (int k = 0; k < ds->nframes; k++) {
        const ml_frame *fr = &ds->frames[k];
        double E, dev, *F = malloc(sizeof(double) * 3 * (size_t)fr->n + 1);
        if (!F) return SR_ERROR(SR_ENOMEM, "train: out of memory");
        int rc = ml_committee_frame(c, fr, &E, F, NULL, &dev, NULL);
        if (rc) {
            free(F);
            return rc;
        }
        se += (E - fr->energy) * (E - fr->energy) / ((double)fr->n * fr->n);
        sd += dev;
        if (fr->force) {
            for (int q = 0; q < 3 * fr->n; q++) sf += (F[q] - fr->force[q]) * (F[q] - fr->force[q]);
            nc += 3 * fr->n;
        }
        free(F);
    }
    if (rmse_e) *rmse_e = ds->nframes ? sqrt(se / ds->nframes) : NAN;
    if (rmse_f) *rmse_f = nc ? sqrt(sf / nc) : NAN;
    if (dev_mean) *dev_mean = ds->nframes ? sd / ds->nframes : NAN;
    return SR_OK;
}

/* RMSE of the virial per atom (its 9 components, off-diagonals twice; eV/atom) on the frames with a reference
 * virial, of the member means; *nv = their number (0: *rmse_v NAN) */
static int virial_rmse(const ml_committee *c, const ml_dataset *ds, double *rmse_v, int *nv)
{
    double sv = 0.0;
    *nv = 0;
    for (int k = 0; k < ds->nframes; k++) {
        const ml_frame *fr = &ds->frames[k];
        if (!fr->has_virial) continue;
        double E, W[6];
        SR_TRY(ml_committee_frame(c, fr, &E, NULL, W, NULL, NULL));
        for (int q = 0; q < 6; q++)
            sv += (q < 3 ? 1.0 : 2.0) * (W[q] - fr->virial[q]) * (W[q] - fr->virial[q]) / ((double)fr->n * fr->n);
        (*nv)++;
    }
    *rmse_v = *nv ? sqrt(sv / (9.0 * *nv)) : NAN;
    return SR_OK;
}

static int run_training(const char *file)
{
    sr_input *in = NULL;
    if (sr_input_parse_file(file, &in)) {
        cli_report_error(file);
        return 1;
    }
    data_cfg dc;
    desc_cfg de;
    net_cfg nc;
    ml_train_params tp;
    out_cfg oc;
    sr_errlist el = {0};
    sr_section *sd = sr_input_section(in, "data"), *sde = sr_input_section(in, "descriptor"),
               *sn = sr_input_section(in, "network"), *st = sr_input_section(in, "training"),
               *so = sr_input_section(in, "output");
    sr_section_bind(sd, data_keys, &dc, &el, "data");
    cli_train_bind(in, file, &de, &nc, &tp, &el);
    sr_section_bind(so, out_keys, &oc, &el, "output");
    static const char *const known[] = {"data", "descriptor", "network", "training", "output", NULL};
    sr_input_check_sections(in, known, &el);
    sr_section *secs[5] = {sd, sde, sn, st, so};
    for (int k = 0; k < 5; k++)
        if (secs[k]) sr_section_check_unused(secs[k], &el);
    if (el.n) {
        sr_errlist_print(&el, stderr);
        sr_errlist_clear(&el);
        sr_input_free(in);
        return 1;
    }
    char *fcopy = strdup(file);
    char base[2048];
    snprintf(base, sizeof base, "%s", dirname(fcopy));
    free(fcopy);
    tp.verbose = 1;

    ml_dataset train = {0}, val = {0};
    ml_model *m = NULL;
    ml_committee *com = NULL;
    ml_train_report rep = {0}, *reps = NULL;
    char prov_train[1500] = "", prov_val[1000] = "", path[4096];
    int rc = 0;
    printf("seedrate train %s\nreading training data:\n", file);
    if ((rc = read_systems(base, dc.train, &train, prov_train, sizeof prov_train))) goto fail;
    if (dc.validation[0]) {
        /* validation elements must map onto the training type map */
        val.nelem = train.nelem;
        memcpy(val.type_map, train.type_map, sizeof val.type_map);
        printf("reading validation data:\n");
        if ((rc = read_systems(base, dc.validation, &val, prov_val, sizeof prov_val))) goto fail;
        if (val.nelem != train.nelem) {
            rc = SR_ERROR(SR_EINVAL, "validation data contain elements absent from the training data");
            goto fail;
        }
    }
    const char *tm[ML_MAX_ELEMENTS];
    for (int e = 0; e < train.nelem; e++) tm[e] = train.type_map[e];
    m = cli_train_model(&de, &nc, train.nelem, tm);
    if (!m) {
        rc = sr_error_status() ? sr_error_status() : SR_EINVAL;
        goto fail;
    }
    ml_model_describe(m, stdout);
    printf("training: %ld Adam steps of %d frames, lr %g -> %g (every %ld steps), p_e %g -> %g, "
           "p_f %g -> %g, p_v %g -> %g, learning-curve point every %ld steps, patience %d, max %g min, threads %d "
           "(0 = default), seed %ld, committee of %d network%s\n", tp.steps, tp.batch, tp.lr_start, tp.lr_stop,
           tp.decay_steps, tp.pe_start, tp.pe_limit, tp.pf_start, tp.pf_limit, tp.pv_start, tp.pv_limit, tp.eval_every, tp.patience,
           tp.max_minutes, tp.threads, tp.seed, tp.committee, tp.committee > 1 ? "s" : "");
    if (tp.ema_decay > 0)
        printf("training: learning curve and kept model from the moving average of the parameters, decay %g\n",
               tp.ema_decay);
    char ckpt[4096] = "";
    if (oc.checkpoint[0]) resolve(base, oc.checkpoint, ckpt, sizeof ckpt);
    if (ckpt[0] && tp.committee > 1)
        printf("notice: [output] checkpoint is written for a single network only (committee = %d): none written\n",
               tp.committee);
    com = ml_committee_create();
    reps = calloc((size_t)tp.committee, sizeof *reps);
    if (!com || !reps) {
        rc = SR_ERROR(SR_ENOMEM, "train: out of memory");
        goto fail;
    }
    if (tp.committee == 1) {
        /* a single network: today's streams and checkpoint */
        gsl_rng *r = sr_rng_create((uint64_t)tp.seed, 1, SR_RNG_TRAINING);
        for (int e = 0; e < m->nelem; e++) ml_net_init(m->net[e], r);
        gsl_rng_free(r);
        if ((rc = ml_train(m, &train, val.nframes ? &val : NULL, &tp, ckpt[0] ? ckpt : NULL, &reps[0]))) goto fail;
        rc = ml_committee_add(com, m);
        m = NULL;
        if (rc) goto fail;
    } else if ((rc = ml_train_committee(com, m, &train, val.nframes ? &val : NULL, &tp, reps))) {
        goto fail;
    }
    rep = reps[0];
    /* final errors in double precision through the same code path as MD */
    double et, ft, ev = NAN, fv = NAN;
    if ((rc = committee_rmse(com, &train, &et, &ft, NULL))) goto fail;
    if (val.nframes && (rc = committee_rmse(com, &val, &ev, &fv, NULL))) goto fail;
    double train_s = 0;
    for (int q = 0; q < com->k; q++) {
        train_s += reps[q].seconds;
        if (com->k > 1) {
            double a, b, c = NAN, d = NAN;
            if ((rc = ml_model_rmse(com->member[q], &train, &a, &b))) goto fail;
            if (val.nframes && (rc = ml_model_rmse(com->member[q], &val, &c, &d))) goto fail;
            printf("member %d: best step %ld, %.1f s; RMSE training E %.3f meV/atom F %.1f meV/A", q + 1,
                   reps[q].best_step, reps[q].seconds, 1e3 * a, 1e3 * b);
            if (val.nframes) printf(", validation E %.3f meV/atom F %.1f meV/A", 1e3 * c, 1e3 * d);
            printf("\n");
        }
    }
    if (com->k > 1) {
        double dm;
        if ((rc = committee_rmse(com, val.nframes ? &val : &train, NULL, NULL, &dm))) goto fail;
        printf("committee of %d (member means below); model deviation on the %s frames: mean of max_i sigma_i %.1f "
               "meV/A\n", com->k, val.nframes ? "validation" : "training", 1e3 * dm);
    }
    printf("best step %ld; training time %.1f s\n", rep.best_step, train_s);
    if (val.nframes)
        printf("RMSE training   (%d frames): E %.3f meV/atom, F %.1f meV/A\n", train.nframes, 1e3 * et, 1e3 * ft);
    else
        printf("RMSE on all %d frames of [data] train (including the held-out %.0f %%; see the learning "
               "curve for validation alone): E %.3f meV/atom, F %.1f meV/A\n", train.nframes,
               100 * tp.val_fraction, 1e3 * et, 1e3 * ft);
    if (val.nframes)
        printf("RMSE validation (%d frames): E %.3f meV/atom, F %.1f meV/A\n", val.nframes, 1e3 * ev, 1e3 * fv);
    char date[64];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    char cinfo[64] = "";
    if (com->k > 1) snprintf(cinfo, sizeof cinfo, "committee of %d (member means); ", com->k);
    /* without [data] validation the split is made inside training: its size, and the best point's errors (member
     * 1, from the learning curve; the member means were never evaluated on that split alone) */
    char vinfo[4200];
    if (val.nframes)
        snprintf(vinfo, sizeof vinfo, "validation data:%.4000s (%d frames)", prov_val, val.nframes);
    else
        snprintf(vinfo, sizeof vinfo, "validation data: %.0f %% of the training frames held out (%d frames)",
                 100 * tp.val_fraction, train.nframes >= 2 ? ml_train_heldout(train.nframes, tp.val_fraction) : 0);
    if (!val.nframes) {
        ev = rep.best_e_val;
        fv = rep.best_f_val;
    }
    for (int q = 0; q < com->k; q++)
        snprintf(com->member[q]->provenance, sizeof com->member[q]->provenance,
                 "seedrate train %s (%s); training data:%s (%d frames); %.2000s; "
                 "%ssteps %ld (best %ld), %.0f s; RMSE train E %.4f meV/atom F %.2f meV/A%s; RMSE validation "
                 "E %.4f meV/atom F %.2f meV/A%s", file, date, prov_train, train.nframes, vinfo, cinfo,
                 rep.npoints ? rep.step[rep.npoints - 1] : 0L, rep.best_step, train_s, 1e3 * et,
                 1e3 * ft, val.nframes ? "" : " (all frames, held-out included)", 1e3 * ev, 1e3 * fv,
                 val.nframes || com->k == 1 ? "" : " (member 1 at its best point)");
    resolve(base, oc.model, path, sizeof path);
    if ((rc = ml_committee_write(com, path))) goto fail;
    printf("model: %s\n", path);
    if (oc.curve[0]) {
        /* member 1's learning curve at PREFIX, member m's (committees) at PREFIX.memberM */
        for (int q = 0; q < com->k && !rc; q++) {
            char cp[4000], cq[4100], cnc[4200];
            resolve(base, oc.curve, cp, sizeof cp);
            if (q) snprintf(cq, sizeof cq, "%s.member%d", cp, q + 1);
            else snprintf(cq, sizeof cq, "%s", cp);
            snprintf(cnc, sizeof cnc, "%s.nc", cq);
            if ((rc = ml_train_report_write(&reps[q], cnc)) || (rc = write_plot(cq, &reps[q]))) goto fail;
        }
    }
fail:
    if (rc) cli_report_error("train");
    for (int q = 0; reps && q < tp.committee; q++) ml_train_report_free(&reps[q]);
    free(reps);
    ml_committee_free(com);
    ml_model_free(m);
    ml_dataset_free(&train);
    ml_dataset_free(&val);
    sr_input_free(in);
    return rc ? 1 : 0;
}

/* one data source: an extxyz file (*.xyz, *.extxyz) or a DeePMD-kit npy system directory */
static int read_one(ml_dataset *ds, const char *path)
{
    const size_t len = strlen(path);
    if ((len > 4 && !strcmp(path + len - 4, ".xyz")) || (len > 7 && !strcmp(path + len - 7, ".extxyz")))
        return ml_dataset_read_extxyz(ds, path);
    return ml_dataset_read_deepmd(ds, path);
}

static int run_test(int argc, char **argv)
{
    ml_committee *c;
    if (ml_committee_read(argv[0], &c)) {
        cli_report_error("train --test");
        return 1;
    }
    const ml_model *m = c->member[0];
    if (c->k > 1) printf("%s: a committee of %d networks; RMSE of the member means\n", argv[0], c->k);
    int rc = 0;
    for (int k = 1; k < argc && !rc; k++) {
        ml_dataset ds = {0};
        ds.nelem = m->nelem;
        memcpy(ds.type_map, m->type_map, sizeof ds.type_map);
        double e, f;
        rc = read_one(&ds, argv[k]);
        if (!rc && ds.nelem != m->nelem)
            rc = SR_ERROR(SR_EINVAL, "%s: contains elements that model %s lacks", argv[k], argv[0]);
        double dev = 0;
        if (!rc) rc = c->k == 1 ? ml_model_rmse(m, &ds, &e, &f) : committee_rmse(c, &ds, &e, &f, &dev);
        if (!rc && c->k == 1)
            printf("%s: %d frames, RMSE E %.4f meV/atom, F %.2f meV/A\n", argv[k], ds.nframes,
                   1e3 * e, 1e3 * f);
        else if (!rc)
            printf("%s: %d frames, RMSE E %.4f meV/atom, F %.2f meV/A, mean model deviation %.2f meV/A\n", argv[k],
                   ds.nframes, 1e3 * e, 1e3 * f, 1e3 * dev);
        double v;
        int nv = 0;
        if (!rc) rc = virial_rmse(c, &ds, &v, &nv);
        if (!rc && nv) printf("%s: %d frames with a reference virial, RMSE W %.4f meV/atom\n", argv[k], nv, 1e3 * v);
        ml_dataset_free(&ds);
    }
    if (rc) cli_report_error("train --test");
    ml_committee_free(c);
    return rc ? 1 : 0;
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int run_bench(int argc, char **argv)
{
    const int reps = argc > 2 ? atoi(argv[2]) : 20;
    ml_dataset ds = {0};
    md_system *s = NULL;
    md_nlist *nl = NULL;
    md_potential *pot = NULL;
    void *state = NULL;
    int rc = read_one(&ds, argv[1]);
    if (!rc && reps < 1) rc = SR_ERROR(SR_EINVAL, "REPEATS must be >= 1");
    if (rc) goto done;
    const ml_frame *fr = &ds.frames[0];
    s = md_system_create(fr->n, ds.nelem, MD_UNITS_METAL);
    if (!s) {
        rc = SR_ENOMEM;
        goto done;
    }
    double mass[ML_MAX_ELEMENTS];
    const char *names[ML_MAX_ELEMENTS];
    for (int e = 0; e < ds.nelem; e++) {
        mass[e] = 1.0;
        names[e] = ds.type_map[e];
    }
    if ((rc = md_system_set_types(s, ds.nelem, mass, names)) ||
        (rc = md_system_set_box(s, (double[3]){0, 0, 0}, fr->box)))
        goto done;
    memcpy(s->x, fr->x, sizeof(double) * 3 * (size_t)fr->n);
    memcpy(s->type, fr->type, sizeof(int) * (size_t)fr->n);
    ml_potential_config cfg = {0};
    snprintf(cfg.model, sizeof cfg.model, "%s", argv[0]);
    if ((rc = ml_potential_nn.create(&state, &cfg, s, NULL))) goto done;
    if ((rc = md_potential_wrap(&ml_potential_nn, state, &pot))) {
        ml_potential_nn.destroy(state);
        goto done;
    }
    nl = md_nlist_create(md_potential_cutoff(pot), 1.0, MD_NLIST_FULL);
    if (!nl || (rc = md_nlist_build(nl, s))) {
        rc = rc ? rc : SR_ENOMEM;
        goto done;
    }
    md_result res = {0};
    rc = md_compute(pot, s, nl, MD_WANT_FORCE | MD_WANT_ENERGY | MD_WANT_VIRIAL, &res);
    const double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (int k = 0; k < reps && !rc; k++)
        rc = md_compute(pot, s, nl, MD_WANT_FORCE | MD_WANT_ENERGY | MD_WANT_VIRIAL, &res);
    const double dt = clock_s(CLOCK_MONOTONIC) - t0, dc = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    if (!rc)
        printf("%d atoms, %d evaluations: %.1f us per atom-step wall, %.1f us CPU (all threads) "
               "(energy %.6f eV, reference %.6f eV)\n", s->n, reps, 1e6 * dt / ((double)reps * s->n),
               1e6 * dc / ((double)reps * s->n), res.energy, fr->energy);
done:
    if (rc) cli_report_error("train --bench");
    md_nlist_free(nl);
    md_potential_free(pot);
    md_system_free(s);
    ml_dataset_free(&ds);
    return rc ? 1 : 0;
}

static int run_merge(int argc, char **argv)
{
    ml_committee *out = ml_committee_create();
    int rc = out ? SR_OK : SR_ENOMEM;
    for (int k = 1; k < argc && !rc; k++) {
        ml_committee *c = NULL;
        if ((rc = ml_committee_read(argv[k], &c))) break;
        for (int q = 0; q < c->k && !rc; q++) {
            rc = ml_committee_add(out, c->member[q]);
            c->member[q] = NULL;
        }
        for (int q = 0; q < c->k; q++) ml_model_free(c->member[q]);
        c->k = 0;
        ml_committee_free(c);
        if (rc) rc = SR_ERROR(rc, "%s: %s", argv[k], sr_error_message());
    }
    if (!rc) rc = ml_committee_write(out, argv[0]);
    if (rc) cli_report_error("train --committee");
    else printf("seedrate train --committee: wrote %s, a committee of %d networks\n", argv[0], out->k);
    ml_committee_free(out);
    return rc ? 1 : 0;
}

int cmd_train(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc >= 4 && !strcmp(argv[1], "--test")) return run_test(argc - 2, argv + 2);
    if (argc >= 4 && !strcmp(argv[1], "--bench")) return run_bench(argc - 2, argv + 2);
    if (argc >= 4 && !strcmp(argv[1], "--committee")) return run_merge(argc - 2, argv + 2);
    if (argc == 4 && !strcmp(argv[1], "--upgrade")) {
        if (ml_model_upgrade(argv[2], argv[3])) {
            cli_report_error("train --upgrade");
            return 1;
        }
        printf("seedrate train --upgrade: wrote %s (model format %d) from %s\n", argv[3], ML_MODEL_VERSION, argv[2]);
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-') {
        usage(stderr);
        return 1;
    }
    return run_training(argv[1]);
}
