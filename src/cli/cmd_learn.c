/* cmd_learn.c - `seedrate learn FILE`: active learning of a network committee against a teacher
 * (issue 18 item 2; the loop of DP-GEN, Zhang et al., Comput. Phys. Commun. 253, 107206 (2020)).
 *
 *   model 0 = committee trained on [data] initial
 *   for i = 0, 1, ..., iterations:
 *       held-out RMSE of model i on [data] validation (labelled by the teacher)
 *       explore: MD with model i from [structure] at every [learn] temperatures, or from every [explore.NAME]
 *                structure at its temperatures and volume factors (the [ensemble] section, NPT by default), a
 *                sample every sample_every steps; each sample's model deviation sigma = max_i sigma_i
 *                (md_uncertainty) puts it below sigma_lo (learned), inside the trust window [sigma_lo, sigma_hi]
 *                (a candidate) or above sigma_hi (unreliable: too far from the data to be a useful label; a run
 *                that fails counts its remaining samples here). With e_sigma_hi > 0 the committee's energy spread
 *                per atom has its own window: learned = both below their lower edges, unreliable = either above
 *                its upper edge, candidate = the rest (DP-GEN 2's frame classes)
 *       i < iterations: select up to max_select candidates at random (the structures taking turns), skipping
 *                near-duplicates (descriptor fingerprint distance < dedup to a frame already chosen or in the
 *                data), label them with the teacher (an in-process seedrate potential, [teacher] as a [potential]
 *                section), add them, train model i+1 from scratch on all labels. A label whose largest atomic force
 *                passes label_f_factor x the largest of the initial frames is set aside (PREFIX.aside-I.extxyz)
 *                and the next candidate taken: one near-overlap label (a 1040 eV/A force among labels below
 *                5 eV/A, validation/nn-committee) dominates the squared force loss and broke a committee
 *
 * File exchange ([teacher] style = file, e.g. DFT): the selected configurations are written to
 * PREFIX.label-I.extxyz, the journal gets a `pending` line and the run stops; a later run reads
 * PREFIX.labelled-I.extxyz (energy, forces and, when given, the virial: ASE conventions, virial= or stress=),
 * checks every frame against the request (atom count, species and order, positions up to a lattice translation, box, finite
 * energy and forces; a bad file stops with file:line and changes nothing) and continues.
 *
 * Output PREFIX.journal (one line per finished iteration; a rerun resumes after the last one),
 * PREFIX.model-I.nc, PREFIX.data-I.extxyz (the labels model I was trained on) and PREFIX.curve.md / .dat / .gp
 * / .png (gnuplot): labels vs held-out RMSE vs the fraction of explored samples above sigma_hi. Every file is written to a
 * temporary name and renamed. Random streams: exploration velocities and thermostat from (seed, 1000 i + t),
 * selection from (seed, 1000 i + 999); training from [training] seed (the same for every model, so a
 * resumed run repeats an uninterrupted one with threads = 1). */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>

#include "cli.h"
#include "../common/sr_rng.h"
#include "../io/io.h"
#include "../seeding/seed.h"

#define LEARN_MAX_T 32

typedef struct run_cfg {
    long seed;
} run_cfg;

typedef struct data_cfg {
    char initial[SR_KW_STRLEN];
    char validation[SR_KW_STRLEN];
} data_cfg;

typedef struct learn_cfg {
    int iterations;
    sr_reals temperatures;
    long steps, sample_every;
    double sigma_lo, sigma_hi, dedup;
    double e_sigma_lo, e_sigma_hi; /* eV/atom; both 0: forces alone */
    double label_f_factor;         /* labels above this times the initial data's largest force are set aside */
    int max_select;
} learn_cfg;

/* one exploration source: [explore.NAME] = a [structure] section plus the runs made from it */
typedef struct explore_cfg {
    sr_reals temperatures; /* K; "0" = [learn] temperatures */
    sr_reals volume_scales;
} explore_cfg;

#define LEARN_MAX_SRC 32
#define LEARN_MAX_RUNS 998 /* run r of iteration i draws streams (seed, 1000 i + r); 999 is the selection */

typedef struct explore_src {
    char name[64];
    seed_structure_config sc;
    explore_cfg ex;
    md_system *start; /* built once, velocities zero */
    io_typemap tm;    /* its type index -> element name */
} explore_src;

typedef struct out_cfg {
    char prefix[SR_KW_STRLEN];
    int restart;
} out_cfg;

static const sr_keyword run_keys[] = {
    {"seed", SR_KW_LONG, offsetof(run_cfg, seed), "", "20261206", 0, 9e18, NULL,
     "seed of the exploration (velocities, thermostat) and selection streams"},
    SR_KW_END};

static const sr_keyword data_keys[] = {
    {"initial", SR_KW_STRING, offsetof(data_cfg, initial), "", "", 0, 0, NULL,
     "labelled extxyz files (energy and forces, ASE conventions) that model 0 is trained on, space separated"},
    {"validation", SR_KW_STRING, offsetof(data_cfg, validation), "", "", 0, 0, NULL,
     "held-out labelled extxyz files for the learning curve (never trained on)"},
    SR_KW_END};

static const sr_keyword learn_keys[] = {
    {"iterations", SR_KW_INT, offsetof(learn_cfg, iterations), "", "4", 0, 1000, NULL,
     "explore-select-label-retrain cycles (models 0 .. iterations)"},
    {"temperatures", SR_KW_REALS, offsetof(learn_cfg, temperatures), "K", "250", 1, 1e5, NULL,
     "exploration temperatures (one MD run each per iteration, [ensemble] with this temperature)"},
    {"steps", SR_KW_LONG, offsetof(learn_cfg, steps), "steps", "2000", 1, 1e9, NULL,
     "MD steps of one exploration run"},
    {"sample_every", SR_KW_LONG, offsetof(learn_cfg, sample_every), "steps", "20", 1, 1e9, NULL,
     "steps between samples of an exploration run"},
    {"sigma_lo", SR_KW_REAL, offsetof(learn_cfg, sigma_lo), "eV/angstrom", "0.05", 0, 1e6, NULL,
     "lower edge of the trust window: samples with a smaller model deviation count as learned"},
    {"sigma_hi", SR_KW_REAL, offsetof(learn_cfg, sigma_hi), "eV/angstrom", "0.25", 0, 1e6, NULL,
     "upper edge of the trust window: samples above it count as unreliable and are not labelled"},
    {"e_sigma_lo", SR_KW_REAL, offsetof(learn_cfg, e_sigma_lo), "eV/atom", "0", 0, 1e6, NULL,
     "energy trust window, lower edge: the committee's energy spread per atom (standard deviation of the members' "
     "energies / atoms). With e_sigma_hi > 0 a sample is a candidate when either spread reaches its lower edge and "
     "neither passes its upper edge (the force window alone: both 0)"},
    {"e_sigma_hi", SR_KW_REAL, offsetof(learn_cfg, e_sigma_hi), "eV/atom", "0", 0, 1e6, NULL,
     "energy trust window, upper edge: samples whose energy spread per atom passes it count as unreliable"},
    {"label_f_factor", SR_KW_REAL, offsetof(learn_cfg, label_f_factor), "", "10", 0, 1e6, NULL,
     "a label whose largest atomic force passes this many times the largest of the [data] initial frames is set "
     "aside (PREFIX.aside-I.extxyz) and not trained on: a near-overlap or a failed reference calculation, whose "
     "squared force error would outweigh every other label (0: no limit). A resumed run reads the [data] initial "
     "frames again for the limit"},
    {"max_select", SR_KW_INT, offsetof(learn_cfg, max_select), "", "20", 1, 1e6, NULL,
     "candidates labelled per iteration at most"},
    {"dedup", SR_KW_REAL, offsetof(learn_cfg, dedup), "", "0.01", 0, 1e6, NULL,
     "a candidate closer than this to a chosen or labelled frame (RMS difference of the per-element mean "
     "descriptor in feature_std units) is a duplicate"},
    SR_KW_END};

static const sr_keyword explore_keys[] = {
    {"temperatures", SR_KW_REALS, offsetof(explore_cfg, temperatures), "K", "0", 0, 1e5, NULL,
     "exploration temperatures of this structure (0: the [learn] temperatures)"},
    {"volume_scales", SR_KW_REALS, offsetof(explore_cfg, volume_scales), "", "1", 0.1, 100, NULL,
     "the start's volume times these factors (isotropic, positions scaled with the box): one run per "
     "temperature and factor (strained, compressed, low-density boxes: the energy-volume slope)"},
    SR_KW_END};

static const sr_keyword out_keys[] = {
    {"prefix", SR_KW_STRING, offsetof(out_cfg, prefix), "", "learn", 0, 0, NULL,
     "output prefix (relative to the input file): PREFIX.journal, .model-I.nc, .data-I.extxyz, .curve.md"},
    {"restart", SR_KW_BOOL, offsetof(out_cfg, restart), "", "yes", 0, 1, NULL,
     "resume after the last iteration in PREFIX.journal (no: start afresh)"},
    SR_KW_END};

static void usage(FILE *out)
{
    fprintf(out, "usage: seedrate learn FILE\n"
                 "       seedrate learn --label FILE IN.extxyz OUT.extxyz   (the frames of IN labelled by FILE's\n"
                 "                                 [teacher]: energy, forces and virial, written to OUT)\n\n"
                 "Active learning of a network committee against an in-process teacher potential: explore\n"
                 "(committee MD) -> select (model deviation in [sigma_lo, sigma_hi], de-duplicated) -> label\n"
                 "(teacher) -> retrain, with a journal (a rerun resumes) and a learning-curve table.\n"
                 "Sections: [run], [teacher] (a [potential] section: style = sw, file = ...), [structure] and\n"
                 "[ensemble] (as seedrate md), [data], [learn], [descriptor], [network], [training], [output].\n"
                 "Several start structures: [explore.NAME] sections instead of [structure], each a [structure]\n"
                 "section plus the keys of [explore.NAME] below; every structure is explored at each of its\n"
                 "temperatures and volume factors, and the selection takes candidates from the structures in turn.\n"
                 "Units metal. Relative paths are relative to FILE's directory. Keys:\n\n");
    sr_keywords_print(run_keys, "run", out);
    sr_keywords_print(data_keys, "data", out);
    sr_keywords_print(learn_keys, "learn", out);
    sr_keywords_print(explore_keys, "explore.NAME", out);
    cli_train_keys_print(out);
    sr_keywords_print(out_keys, "output", out);
}

static void resolve(const char *base, const char *name, char *out, size_t cap)
{
    if (name[0] == '/' || !base || !*base) snprintf(out, cap, "%s", name);
    else snprintf(out, cap, "%s/%s", base, name);
}

static int read_list(const char *base, const char *list, ml_dataset *ds)
{
    char buf[SR_KW_STRLEN], path[4096];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *tok = strtok_r(buf, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
        resolve(base, tok, path, sizeof path);
        SR_TRY(ml_dataset_read_extxyz(ds, path));
    }
    return SR_OK;
}

/* one row of the learning curve (= one journal line) */
typedef struct curve_row {
    int iter, labels, selected;
    double rmse_e, rmse_f; /* eV/atom, eV/A on [data] validation */
    long samples;
    double frac_lo, frac_win, frac_hi, dev_mean; /* dev_mean: eV/A */
} curve_row;

static int committee_rmse(const ml_committee *c, const ml_dataset *ds, double *re, double *rf)
{
    double se = 0, sf = 0;
    long nc = 0;
    for (int k = 0; k < ds->nframes; k++) {
        const ml_frame *fr = &ds->frames[k];
        double E, *F = malloc(sizeof(double) * 3 * (size_t)fr->n + 1);
        if (!F) return SR_ERROR(SR_ENOMEM, "learn: out of memory");
        int rc = ml_committee_frame(c, fr, &E, F, NULL, NULL, NULL);
        if (!rc) {
            se += (E - fr->energy) * (E - fr->energy) / ((double)fr->n * fr->n);
            for (int q = 0; fr->force && q < 3 * fr->n; q++) sf += (F[q] - fr->force[q]) * (F[q] - fr->force[q]);
            if (fr->force) nc += 3 * fr->n;
        }
        free(F);
        SR_TRY(rc);
    }
    *re = ds->nframes ? sqrt(se / ds->nframes) : NAN;
    *rf = nc ? sqrt(sf / nc) : NAN;
    return SR_OK;
}

/* an explored configuration inside the trust window */
typedef struct candidate {
    io_frame fr; /* positions, types (system order), box */
    double dev;
    int src; /* exploration source */
} candidate;

typedef struct cand_list {
    int n, cap;
    candidate *c;
} cand_list;

static void cands_free(cand_list *l)
{
    for (int k = 0; k < l->n; k++) io_frame_free(&l->c[k].fr);
    free(l->c);
    memset(l, 0, sizeof *l);
}

static int cands_push(cand_list *l, const md_system *s, double dev, int src)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 64;
        candidate *c = realloc(l->c, sizeof *c * (size_t)cap);
        if (!c) return SR_ERROR(SR_ENOMEM, "learn: out of memory");
        l->c = c;
        l->cap = cap;
    }
    candidate *c = &l->c[l->n];
    memset(c, 0, sizeof *c);
    SR_TRY(io_frame_from_system(s, 0, &c->fr, NULL));
    c->dev = dev;
    c->src = src;
    l->n++;
    return SR_OK;
}

/* the learn job, bound and checked */
typedef struct learn_job {
    char file[4096], base[2048], prefix[4096];
    run_cfg run;
    data_cfg data;
    learn_cfg lc;
    out_cfg oc;
    cli_desc_cfg de;
    cli_net_cfg nc;
    ml_train_params tp;
    seed_structure_config sc;
    seed_ensemble_config ec;
    explore_src src[LEARN_MAX_SRC]; /* [explore.NAME] sections, or [structure] alone */
    int nsrc;
    sr_section *teacher;
    int file_teacher; /* [teacher] style = file: labels by file exchange (DFT) */
    double f_limit;   /* eV/A: labels with a larger atomic force are set aside (0: none) */
} learn_job;

/* a copy of the source's start with its volume times v (positions scaled about the box origin) */
static md_system *scaled_copy(const md_system *start, double v)
{
    md_system *s = md_system_copy(start);
    if (!s || v == 1.0) return s;
    const double f = cbrt(v);
    double len[3];
    for (int d = 0; d < 3; d++) len[d] = f * start->box.len[d];
    for (int i = 0; i < s->n; i++)
        for (int d = 0; d < 3; d++) s->x[3 * i + d] = s->box.lo[d] + f * (s->x[3 * i + d] - s->box.lo[d]);
    if (md_system_set_box(s, start->box.lo, len)) {
        md_system_free(s);
        return NULL;
    }
    return s;
}

/* one exploration run: MD with the committee from src's start at T and volume factor v; its samples are
 * classified (counts added to lo/win/hi) and the candidates kept */
static int explore_run(const learn_job *J, const char *model_path, int isrc, double T, double v, uint64_t stream,
                       long *lo, long *win, long *hi, long *nd, double *dsum, cand_list *cands)
{
    const explore_src *src = &J->src[isrc];
    const long per_run = J->lc.steps / J->lc.sample_every;
    md_system *s = scaled_copy(src->start, v);
    md_potential *pot = NULL;
    md_integrator *in = NULL;
    gsl_rng *rv = sr_rng_create((uint64_t)J->run.seed, stream, SR_RNG_VELOCITIES);
    gsl_rng *rt = sr_rng_create((uint64_t)J->run.seed, stream, SR_RNG_THERMOSTAT);
    int rc = (s && rv && rt) ? SR_OK : SR_ERROR(SR_ENOMEM, "learn: out of memory");
    ml_potential_config pc = {0};
    if (!rc && strlen(model_path) >= sizeof pc.model)
        rc = SR_ERROR(SR_ERANGE, "learn: model path longer than %zu characters: %s", sizeof pc.model - 1, model_path);
    else if (!rc)
        memcpy(pc.model, model_path, strlen(model_path) + 1);
    void *state = NULL;
    if (!rc) rc = ml_potential_nn.create(&state, &pc, s, NULL);
    if (!rc && (rc = md_potential_wrap(&ml_potential_nn, state, &pot))) ml_potential_nn.destroy(state);
    md_integrator_params ip;
    seed_ensemble_config ec = J->ec;
    ec.temperature = T;
    if (!rc) rc = seed_ensemble_params(&ec, MD_UNITS_METAL, &ip);
    if (!rc) rc = md_velocity_create(s, T, rv);
    if (!rc) {
        in = md_integrator_create(&ip, s, pot, rt);
        rc = in ? md_integrator_setup(in) : SR_ERROR(SR_ENOMEM, "learn: out of memory");
    }
    for (long done = 0; !rc && done < per_run; done++) {
        if (md_integrator_run(in, J->lc.sample_every)) {
            /* the run failed (atoms overlapping, forces not finite): an unreliable region */
            printf("    %s T %g K volume x%g: MD stopped at step %ld (%s); its %ld remaining samples count above "
                   "sigma_hi\n", src->name, T, v, s->step, sr_error_message(), per_run - done);
            sr_error_clear();
            *hi += per_run - done;
            break;
        }
        md_uncertainty u;
        md_potential_uncertainty(pot, &u);
        const double d = u.members > 1 ? u.force_dev_max : 0.0;
        const double de = u.members > 1 && s->n > 0 ? u.energy_dev / s->n : 0.0;
        const int use_e = J->lc.e_sigma_hi > 0;
        *dsum += d;
        (*nd)++;
        /* unreliable when a deviation passes its upper edge; learned when every one is below its lower edge
         * (the frame classes of DP-GEN 2's selectors) */
        if (d > J->lc.sigma_hi || (use_e && de > J->lc.e_sigma_hi)) {
            (*hi)++;
        } else if (d < J->lc.sigma_lo && (!use_e || de < J->lc.e_sigma_lo)) {
            (*lo)++;
        } else {
            (*win)++;
            rc = cands_push(cands, s, d, isrc);
        }
    }
    gsl_rng_free(rv);
    gsl_rng_free(rt);
    md_integrator_free(in);
    md_potential_free(pot);
    md_system_free(s);
    return rc;
}

/* MD with the committee from every source at each of its temperatures and volume factors: classify the samples,
 * keep the candidates. Run r of iteration iter (sources, then temperatures, then volumes) draws its velocities and
 * thermostat from (seed, 1000 iter + r). */
static int explore(const learn_job *J, const char *model_path, int iter, curve_row *row, cand_list *cands)
{
    long lo = 0, win = 0, hi = 0, nd = 0;
    double dsum = 0;
    int r = 0;
    for (int k = 0; k < J->nsrc; k++) {
        const explore_src *src = &J->src[k];
        const sr_reals *Ts = src->ex.temperatures.n ? &src->ex.temperatures : &J->lc.temperatures;
        long lo0 = lo, win0 = win, hi0 = hi;
        for (int t = 0; t < Ts->n; t++)
            for (int q = 0; q < src->ex.volume_scales.n; q++, r++)
                SR_TRY(explore_run(J, model_path, k, Ts->v[t], src->ex.volume_scales.v[q],
                                   1000 * (uint64_t)iter + (uint64_t)r, &lo, &win, &hi, &nd, &dsum, cands));
        const long ns = (lo - lo0) + (win - win0) + (hi - hi0);
        if (J->nsrc > 1 && ns)
            printf("    %-20s %5ld samples: %.3f below sigma_lo, %.3f in window, %.3f above sigma_hi\n", src->name, ns,
                   (double)(lo - lo0) / ns, (double)(win - win0) / ns, (double)(hi - hi0) / ns);
    }
    row->samples = lo + win + hi;
    row->frac_lo = row->samples ? (double)lo / row->samples : NAN;
    row->frac_win = row->samples ? (double)win / row->samples : NAN;
    row->frac_hi = row->samples ? (double)hi / row->samples : NAN;
    row->dev_mean = nd ? dsum / (double)nd : NAN; /* over the samples MD reached */
    return SR_OK;
}

static double fp_distance(const double *a, const double *b, int n)
{
    double s = 0;
    for (int k = 0; k < n; k++) s += (a[k] - b[k]) * (a[k] - b[k]);
    return sqrt(s / n);
}

/* the teacher's energy, forces and virial of a candidate, as a labelled ml frame (element map by name) */
static int label(const learn_job *J, const candidate *c, const io_typemap *tm, const ml_dataset *ds, ml_frame *out)
{
    md_system *s = NULL;
    md_potential *pot = NULL;
    md_nlist *nl = NULL;
    sr_errlist el = {0};
    SR_TRY(io_frame_to_system(&c->fr, tm, MD_UNITS_METAL, &s));
    int rc = md_potential_from_section(J->teacher, s, J->base, &pot, &el);
    if (rc) {
        rc = SR_ERROR(rc, "%s: [teacher]: %s", J->file, el.n ? el.msg[0] : sr_error_message());
        sr_errlist_clear(&el);
        md_system_free(s);
        return rc;
    }
    nl = md_nlist_create(md_potential_cutoff(pot), 0.5, pot->cls->nlist_kind);
    md_result res = {0};
    rc = nl ? md_nlist_build(nl, s) : SR_ERROR(SR_ENOMEM, "learn: out of memory");
    if (!rc) rc = md_compute(pot, s, nl, MD_WANT_FORCE | MD_WANT_ENERGY | MD_WANT_VIRIAL, &res);
    if (!rc) {
        /* md_nlist_build wraps positions into the box (same configuration); keep md's local order */
        out->n = s->n;
        out->type = malloc(sizeof(int) * (size_t)s->n);
        out->x = malloc(sizeof(double) * 3 * (size_t)s->n);
        out->force = malloc(sizeof(double) * 3 * (size_t)s->n);
        memcpy(out->box, s->box.len, sizeof out->box);
        out->energy = res.energy;
        out->has_virial = 1; /* md's virial: sum r_a f_b, xx yy zz xy xz yz, as ml frames keep it */
        memcpy(out->virial, res.virial, sizeof out->virial);
        if (!out->type || !out->x || !out->force) rc = SR_ERROR(SR_ENOMEM, "learn: out of memory");
        for (int i = 0; i < s->n && !rc; i++) {
            int e = -1;
            for (int k = 0; k < ds->nelem; k++)
                if (!strcmp(ds->type_map[k], s->type_name[s->type[i]])) e = k;
            if (e < 0) rc = SR_ERROR(SR_EINVAL, "%s: [structure] element '%s' is not in the [data] initial frames",
                                     J->file, s->type_name[s->type[i]]);
            out->type[i] = e;
            for (int q = 0; q < 3; q++) {
                out->x[3 * i + q] = s->x[3 * i + q] - s->box.lo[q];
                out->force[3 * i + q] = s->f[3 * i + q];
            }
        }
    }
    md_nlist_free(nl);
    md_potential_free(pot);
    md_system_free(s);
    return rc;
}

static int ds_element(const ml_dataset *ds, const char *name)
{
    for (int k = 0; k < ds->nelem; k++)
        if (!strcmp(ds->type_map[k], name)) return k;
    return -1;
}

/* the largest atomic force of a labelled frame (eV/A; 0 without forces) */
static double frame_fmax(const ml_frame *fr)
{
    double m2 = 0;
    for (int i = 0; fr->force && i < fr->n; i++) {
        const double *f = fr->force + 3 * i;
        const double f2 = f[0] * f[0] + f[1] * f[1] + f[2] * f[2];
        if (f2 > m2) m2 = f2;
    }
    return sqrt(m2);
}

/* the largest atomic force over the frames of a data set (eV/A) */
static double dataset_fmax(const ml_dataset *ds)
{
    double m = 0;
    for (int k = 0; k < ds->nframes; k++) m = fmax(m, frame_fmax(&ds->frames[k]));
    return m;
}

/* a label beyond the limit goes to `aside` (returns 1), else 0 */
static int set_aside(const learn_job *J, const ml_frame *fr, ml_dataset *aside, int *rc)
{
    if (!(J->f_limit > 0) || !(frame_fmax(fr) > J->f_limit)) return 0;
    *rc = ml_dataset_add(aside, fr);
    return 1;
}

/* the labels set aside in iteration `it`: written to PREFIX.aside-IT.extxyz, one line in the log */
static int write_aside(const learn_job *J, int it, const ml_dataset *aside)
{
    char p[4300];
    snprintf(p, sizeof p, "%s.aside-%d.extxyz", J->prefix, it);
    if (!aside->nframes) { /* none: no file (one left by an earlier run of this iteration goes) */
        if (unlink(p) && errno != ENOENT) return SR_ERROR(SR_EIO, "%s: cannot remove: %s", p, strerror(errno));
        return SR_OK;
    }
    printf("    %d labels set aside, not trained on: atomic forces up to %.4g eV/A, above the limit %.4g eV/A "
           "(label_f_factor %g x the initial data's largest); they are in %s\n", aside->nframes, dataset_fmax(aside),
           J->f_limit, J->lc.label_f_factor, p);
    return ml_dataset_write_extxyz(aside, p);
}

/* a candidate's configuration as an unlabelled ml frame (types by name onto the data set's elements) */
static int unlabelled(const learn_job *J, const candidate *c, const io_typemap *tm, const ml_dataset *ds,
                      ml_frame *out)
{
    memset(out, 0, sizeof *out);
    out->n = c->fr.n;
    out->energy = NAN;
    out->type = malloc(sizeof(int) * (size_t)(c->fr.n + 1));
    out->x = malloc(sizeof(double) * 3 * (size_t)(c->fr.n + 1));
    if (!out->type || !out->x) return SR_ERROR(SR_ENOMEM, "learn: out of memory");
    memcpy(out->box, c->fr.len, sizeof out->box);
    for (int i = 0; i < c->fr.n; i++) {
        const int e = ds_element(ds, tm->name[c->fr.type[i]]);
        if (e < 0)
            return SR_ERROR(SR_EINVAL, "%s: [structure] element '%s' is not in the [data] initial frames", J->file,
                            tm->name[c->fr.type[i]]);
        out->type[i] = e;
        for (int q = 0; q < 3; q++) out->x[3 * i + q] = c->fr.x[3 * i + q] - c->fr.lo[q];
    }
    return SR_OK;
}

/* the shuffled order rearranged so that the sources take turns (each keeps its shuffled order; a source with no
 * candidates left drops out): every structure gets labels, as DP-GEN's per-system quota (fp_task_max). With one
 * source the order is unchanged. */
static int interleave_sources(const cand_list *cands, int *order, int nsrc)
{
    if (nsrc < 2) return SR_OK;
    int *out = malloc(sizeof(int) * (size_t)cands->n), *pos = calloc((size_t)nsrc, sizeof(int));
    if (!out || !pos) {
        free(out);
        free(pos);
        return SR_ERROR(SR_ENOMEM, "learn: out of memory");
    }
    /* pos[k]: where in `order` the scan for source k's next candidate resumes */
    int m = 0;
    while (m < cands->n)
        for (int k = 0; k < nsrc && m < cands->n; k++) {
            while (pos[k] < cands->n && cands->c[order[pos[k]]].src != k) pos[k]++;
            if (pos[k] < cands->n) out[m++] = order[pos[k]++];
        }
    memcpy(order, out, sizeof(int) * (size_t)cands->n);
    free(out);
    free(pos);
    return SR_OK;
}

/* random candidates (sources taking turns), skipping near-duplicates of chosen or labelled frames; labelled into ds
 * by the in-process teacher, or (file teacher) their configurations appended to req for labelling elsewhere */
static int select_and_label(const learn_job *J, const ml_committee *com, cand_list *cands, int iter,
                            ml_dataset *ds, ml_dataset *req, ml_dataset *aside, int *nsel)
{
    *nsel = 0;
    if (!cands->n) return SR_OK;
    const ml_model *m = com->member[0];
    const int nfp = m->nelem * m->nf;
    const int nold = ds->nframes;
    int rc = SR_OK;
    double *fp_data = malloc(sizeof(double) * (size_t)nfp * (size_t)(nold + J->lc.max_select + 1));
    double *fp = malloc(sizeof(double) * (size_t)nfp);
    int *order = malloc(sizeof(int) * (size_t)cands->n);
    gsl_rng *r = sr_rng_create((uint64_t)J->run.seed, 1000 * (uint64_t)iter + 999, SR_RNG_STRUCTURE);
    if (!fp_data || !fp || !order || !r) rc = SR_ERROR(SR_ENOMEM, "learn: out of memory");
    for (int k = 0; k < nold && !rc; k++) rc = ml_frame_fingerprint(m, &ds->frames[k], fp_data + (size_t)k * nfp);
    int nfp_rows = nold, dups = 0;
    if (!rc) {
        for (int k = 0; k < cands->n; k++) order[k] = k;
        gsl_ran_shuffle(r, order, (size_t)cands->n, sizeof(int));
        rc = interleave_sources(cands, order, J->nsrc);
    }
    for (int k = 0; k < cands->n && !rc && *nsel < J->lc.max_select; k++) {
        const candidate *c = &cands->c[order[k]];
        const io_typemap *tm = &J->src[c->src].tm;
        ml_frame fr = {0};
        if ((rc = J->file_teacher ? unlabelled(J, c, tm, ds, &fr) : label(J, c, tm, ds, &fr))) {
            free(fr.type);
            free(fr.x);
            free(fr.force);
            break;
        }
        if (!J->file_teacher && set_aside(J, &fr, aside, &rc)) {
            /* beyond the label limit: not trained on, not a de-duplication reference; the next candidate instead */
            free(fr.type);
            free(fr.x);
            free(fr.force);
            continue;
        }
        rc = ml_frame_fingerprint(m, &fr, fp);
        int dup = 0;
        for (int q = 0; q < nfp_rows && !rc && !dup; q++) dup = fp_distance(fp, fp_data + (size_t)q * nfp, nfp) < J->lc.dedup;
        if (!rc && !dup) {
            memcpy(fp_data + (size_t)nfp_rows * nfp, fp, sizeof(double) * (size_t)nfp);
            nfp_rows++;
            rc = ml_dataset_add(J->file_teacher ? req : ds, &fr);
            if (!rc) (*nsel)++;
        }
        dups += dup;
        free(fr.type);
        free(fr.x);
        free(fr.force);
    }
    if (!rc && dups) printf("    %d near-duplicate candidates skipped\n", dups);
    free(fp_data);
    free(fp);
    free(order);
    gsl_rng_free(r);
    return rc;
}

static int write_text_atomic(const char *path, const char *text)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return SR_ERROR(SR_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    fputs(text, f);
    if (fclose(f) != 0) return SR_ERROR(SR_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    if (rename(tmp, path)) return SR_ERROR(SR_EIO, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
    return SR_OK;
}

/* journal (machine-read on resume), Markdown table and .dat of the rows so far */
static int write_outputs(const learn_job *J, const curve_row *rows, int nrows, const curve_row *pending)
{
    size_t cap = 1024 + 400 * (size_t)nrows;
    char *jr = malloc(cap), *md = malloc(cap), *dat = malloc(cap);
    int rc = (jr && md && dat) ? SR_OK : SR_ERROR(SR_ENOMEM, "learn: out of memory");
    if (!rc) {
        size_t a = 0, b = 0, c = 0;
        a += snprintf(jr + a, cap - a, "# seedrate learn journal of %s: one line per finished iteration\n", J->file);
        b += snprintf(md + b, cap - b,
                      "| model | labels | held-out RMSE E (meV/atom) | held-out RMSE F (meV/A) | explored samples | "
                      "below sigma_lo | in window | above sigma_hi | mean model_dev (meV/A) | labelled next |\n"
                      "|---|---|---|---|---|---|---|---|---|---|\n");
        c += snprintf(dat + c, cap - c, "# model labels rmse_E(meV/atom) rmse_F(meV/A) samples frac_below_lo "
                      "frac_window frac_above_hi mean_model_dev(meV/A) selected\n");
        for (int k = 0; k < nrows; k++) {
            const curve_row *r = &rows[k];
            a += snprintf(jr + a, cap - a, "iteration %d labels %d rmse_e %.17g rmse_f %.17g samples %ld lo %.17g "
                          "win %.17g hi %.17g dev %.17g selected %d\n", r->iter, r->labels, r->rmse_e, r->rmse_f,
                          r->samples, r->frac_lo, r->frac_win, r->frac_hi, r->dev_mean, r->selected);
            b += snprintf(md + b, cap - b, "| %d | %d | %.3f | %.1f | %ld | %.3f | %.3f | %.3f | %.1f | %d |\n", r->iter,
                          r->labels, 1e3 * r->rmse_e, 1e3 * r->rmse_f, r->samples, r->frac_lo, r->frac_win,
                          r->frac_hi, 1e3 * r->dev_mean, r->selected);
            c += snprintf(dat + c, cap - c, "%d %d %.6f %.6f %ld %.6f %.6f %.6f %.6f %d\n", r->iter, r->labels,
                          1e3 * r->rmse_e, 1e3 * r->rmse_f, r->samples, r->frac_lo, r->frac_win, r->frac_hi,
                          1e3 * r->dev_mean, r->selected);
        }
        if (pending)
            a += snprintf(jr + a, cap - a, "pending iteration %d labels %d rmse_e %.17g rmse_f %.17g samples %ld lo "
                          "%.17g win %.17g hi %.17g dev %.17g selected %d\n", pending->iter, pending->labels,
                          pending->rmse_e, pending->rmse_f, pending->samples, pending->frac_lo, pending->frac_win,
                          pending->frac_hi, pending->dev_mean, pending->selected);
        char p[4200];
        snprintf(p, sizeof p, "%s.journal", J->prefix);
        rc = write_text_atomic(p, jr);
        snprintf(p, sizeof p, "%s.curve.md", J->prefix);
        if (!rc) rc = write_text_atomic(p, md);
        snprintf(p, sizeof p, "%s.curve.dat", J->prefix);
        if (!rc) rc = write_text_atomic(p, dat);
    }
    free(jr);
    free(md);
    free(dat);
    return rc;
}

/* rows of an existing journal; -1 rows when there is none; *pending = 1 when the last line is an iteration waiting
 * for file-exchange labels (its row is rows[*nrows]). A damaged line is an error naming file:line. */
static int read_journal(const char *path, curve_row *rows, int maxrows, int *nrows, int *pending)
{
    *nrows = -1;
    *pending = 0;
    FILE *f = fopen(path, "r");
    if (!f) return SR_OK;
    char line[1024];
    int n = 0, ln = 0, rc = SR_OK;
    while (fgets(line, sizeof line, f)) {
        ln++;
        if (line[0] == '#' || line[0] == '\n') continue;
        curve_row r;
        const int pend = !strncmp(line, "pending ", 8);
        if (*pending || n >= maxrows ||
            sscanf(line + (pend ? 8 : 0), "iteration %d labels %d rmse_e %lf rmse_f %lf samples %ld lo %lf win %lf hi %lf dev %lf "
                   "selected %d", &r.iter, &r.labels, &r.rmse_e, &r.rmse_f, &r.samples, &r.frac_lo, &r.frac_win,
                   &r.frac_hi, &r.dev_mean, &r.selected) != 10 || r.iter != n) {
            rc = SR_ERROR(SR_EPARSE, "%s:%d: not a journal line of iteration %d (delete the journal to start afresh)",
                          path, ln, n);
            break;
        }
        if (pend) {
            rows[n] = r;
            *pending = 1;
        } else {
            rows[n++] = r;
        }
    }
    fclose(f);
    if (!rc) *nrows = n;
    return rc;
}

/* PREFIX.curve.gp and, with gnuplot, PREFIX.curve.png: held-out force RMSE and the fraction of explored samples
 * above sigma_hi against the labels used (from PREFIX.curve.dat) */
static int write_plot(const learn_job *J)
{
    char gp[4200], png[4200], dat[4200];
    snprintf(gp, sizeof gp, "%s.curve.gp", J->prefix);
    snprintf(png, sizeof png, "%s.curve.png", J->prefix);
    snprintf(dat, sizeof dat, "%s.curve.dat", J->prefix);
    char *pc = strdup(png), *dc = strdup(dat);
    if (!pc || !dc) {
        free(pc);
        free(dc);
        return SR_ERROR(SR_ENOMEM, "learn: out of memory");
    }
    char text[8192];
    snprintf(text, sizeof text,
             "set terminal pngcairo size 1000,420 noenhanced\nset output '%s'\n"
             "set multiplot layout 1,2 title 'seedrate learn: learning curve'\nset xlabel 'labels used'\nset grid\n"
             "set ylabel 'held-out force RMSE (meV/A)'\nplot '%s' u 2:4 w lp pt 7 t 'committee mean'\n"
             "set ylabel 'fraction of explored samples'\nset yrange [0:1]\n"
             "plot '%s' u 2:8 w lp pt 7 t 'above sigma_hi', '' u 2:7 w lp pt 5 t 'in the trust window'\n"
             "unset multiplot\n", basename(pc), basename(dc), basename(dc));
    free(pc);
    free(dc);
    SR_TRY(write_text_atomic(gp, text));
    if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
        printf("notice: gnuplot not found; %s not drawn (script %s kept)\n", png, gp);
        return SR_OK;
    }
    char cmd[9000], *dir = strdup(gp), *gc = strdup(gp);
    if (!dir || !gc) {
        free(dir);
        free(gc);
        return SR_ERROR(SR_ENOMEM, "learn: out of memory");
    }
    snprintf(cmd, sizeof cmd, "cd '%s' && gnuplot '%s'", dirname(dir), basename(gc));
    if (system(cmd) != 0) printf("notice: gnuplot failed on %s; PNG not drawn\n", gp);
    else printf("learning curve: %s\n", png);
    free(dir);
    free(gc);
    return SR_OK;
}

static int print_table(const learn_job *J)
{
    char p[4200], line[1024];
    snprintf(p, sizeof p, "%s.curve.md", J->prefix);
    FILE *f = fopen(p, "r");
    if (!f) return SR_ERROR(SR_EIO, "%s: cannot read: %s", p, strerror(errno));
    printf("\nlearning curve (%s):\n", p);
    while (fgets(line, sizeof line, f)) fputs(line, stdout);
    fclose(f);
    return SR_OK;
}

/* line number of each frame's atom-count line in an extxyz file (blank lines between frames allowed) */
static void frame_lines(const char *path, int nframes, int *lines)
{
    for (int k = 0; k < nframes; k++) lines[k] = 0;
    FILE *f = fopen(path, "r");
    if (!f) return;
    char *buf = NULL;
    size_t cap = 0;
    int ln = 0, k = 0;
    long skip = 0;
    while (k < nframes && getline(&buf, &cap, f) >= 0) {
        ln++;
        if (skip > 0) {
            skip--;
            continue;
        }
        char *e;
        const long n = strtol(buf, &e, 10);
        if (e == buf) continue; /* blank */
        lines[k++] = ln;
        skip = n + 1;
    }
    free(buf);
    fclose(f);
}

static void labels_paths(const learn_job *J, int it, char *req, char *lab, size_t cap)
{
    snprintf(req, cap, "%s.label-%d.extxyz", J->prefix, it);
    snprintf(lab, cap, "%s.labelled-%d.extxyz", J->prefix, it);
}

/* the labelled answer to request file `it`: every frame must have the request's atoms (count, species, order,
 * positions up to a lattice translation, box), a finite energy and finite forces; all checked before any frame
 * is added to ds (a bad file changes nothing); a frame beyond the label limit goes to `aside` */
static int read_labels(const learn_job *J, int it, ml_dataset *ds, ml_dataset *aside, int *nadded)
{
    char req[4400], lab[4400];
    labels_paths(J, it, req, lab, sizeof req);
    *nadded = 0;
    io_typemap tq, tl;
    io_typemap_init(&tq);
    io_typemap_init(&tl);
    io_frame *fq = NULL, *fl = NULL;
    int nq = 0, nl = 0, rc = SR_OK, *lines = NULL;
    ml_dataset add = {0};
    add.nelem = ds->nelem;
    memcpy(add.type_map, ds->type_map, sizeof add.type_map);
    if ((rc = io_extxyz_read(req, &tq, &fq, &nq))) goto out;
    if (access(lab, R_OK) != 0) {
        rc = SR_ERROR(SR_EIO, "%s: missing: iteration %d waits for the energies and forces of the %d frames of %s",
                      lab, it, nq, req);
        goto out;
    }
    if ((rc = io_extxyz_read(lab, &tl, &fl, &nl))) goto out;
    lines = malloc(sizeof(int) * (size_t)(nl + 1));
    if (!lines) {
        rc = SR_ERROR(SR_ENOMEM, "learn: out of memory");
        goto out;
    }
    frame_lines(lab, nl, lines);
    if (nl != nq) {
        rc = SR_ERROR(SR_EPARSE, "%s: %d frames; the request %s has %d (label every frame, in order)", lab, nl, req, nq);
        goto out;
    }
    for (int k = 0; k < nl && !rc; k++) {
        const io_frame *a = &fq[k], *b = &fl[k];
        const int L = lines[k];
        if (b->n != a->n) {
            rc = SR_ERROR(SR_EPARSE, "%s:%d: frame %d has %d atoms; the request has %d", lab, L, k + 1, b->n, a->n);
            break;
        }
        if (!isfinite(b->energy)) {
            rc = SR_ERROR(SR_EPARSE, "%s:%d: frame %d has no finite energy (energy=... in the comment line, eV)", lab, L,
                          k + 1);
            break;
        }
        if (!b->f) {
            rc = SR_ERROR(SR_EPARSE, "%s:%d: frame %d has no forces (Properties=...:forces:R:3, eV/angstrom)", lab, L,
                          k + 1);
            break;
        }
        for (int d = 0; d < 3 && !rc; d++)
            if (!(fabs(b->len[d] - a->len[d]) <= 1e-6 * a->len[d]))
                rc = SR_ERROR(SR_EPARSE, "%s:%d: frame %d: box edge %d is %.10g angstrom; the request's is %.10g", lab, L,
                              k + 1, d + 1, b->len[d], a->len[d]);
        for (int i = 0; i < b->n && !rc; i++) {
            if (strcmp(tl.name[b->type[i]], tq.name[a->type[i]])) {
                rc = SR_ERROR(SR_EPARSE, "%s:%d: frame %d atom %d is '%s'; the request's is '%s' (keep the atom order)",
                              lab, L + 2 + i, k + 1, i + 1, tl.name[b->type[i]], tq.name[a->type[i]]);
                break;
            }
            for (int d = 0; d < 3 && !rc; d++) {
                double u = b->x[3 * i + d] - a->x[3 * i + d];
                u -= a->len[d] * nearbyint(u / a->len[d]); /* a labeller may wrap atoms into the box */
                if (!(fabs(u) <= 1e-4))
                    rc = SR_ERROR(SR_EPARSE, "%s:%d: frame %d atom %d is %.3g angstrom from the requested position",
                                  lab, L + 2 + i, k + 1, i + 1, fabs(u));
                if (!rc && !isfinite(b->f[3 * i + d]))
                    rc = SR_ERROR(SR_EPARSE, "%s:%d: frame %d atom %d: force component %d is %g", lab, L + 2 + i, k + 1,
                                  i + 1, d + 1, b->f[3 * i + d]);
            }
        }
        if (rc) break;
        ml_frame fr = {b->n, malloc(sizeof(int) * (size_t)(b->n + 1)), malloc(sizeof(double) * 3 * (size_t)(b->n + 1)),
                       {b->len[0], b->len[1], b->len[2]}, b->energy, b->f, b->has_virial, {0}};
        memcpy(fr.virial, b->virial, sizeof fr.virial); /* when the labeller gave one (virial= or stress=) */
        if (!fr.type || !fr.x) rc = SR_ERROR(SR_ENOMEM, "learn: out of memory");
        for (int i = 0; i < b->n && !rc; i++) {
            fr.type[i] = ds_element(ds, tl.name[b->type[i]]);
            if (fr.type[i] < 0)
                rc = SR_ERROR(SR_EPARSE, "%s:%d: element '%s' is not in the data set", lab, L + 2 + i,
                              tl.name[b->type[i]]);
            for (int d = 0; d < 3; d++) fr.x[3 * i + d] = b->x[3 * i + d] - b->lo[d];
        }
        if (!rc && !set_aside(J, &fr, aside, &rc)) rc = ml_dataset_add(&add, &fr);
        free(fr.type);
        free(fr.x);
    }
    for (int k = 0; k < add.nframes && !rc; k++) rc = ml_dataset_add(ds, &add.frames[k]);
    if (!rc) *nadded = add.nframes;
out:
    free(lines);
    io_frames_free(fq, nq);
    io_frames_free(fl, nl);
    ml_dataset_free(&add);
    return rc;
}

static int run_learn(learn_job *J, sr_input *in)
{
    (void)in;
    ml_dataset ds = {0}, val = {0};
    ml_committee *com = NULL;
    cand_list cands = {0};
    curve_row rows[1001];
    int rc = SR_OK, nrows = -1, pending = 0;
    ml_dataset req = {0}, aside = {0};
    char path[4300], jpath[4300];
    snprintf(jpath, sizeof jpath, "%s.journal", J->prefix);
    if (J->oc.restart && (rc = read_journal(jpath, rows, 1001, &nrows, &pending))) return rc;
    if (nrows > J->lc.iterations + 1) nrows = J->lc.iterations + 1;
    /* labels of the next model to train, the held-out set */
    if (nrows > 0 || pending) {
        snprintf(path, sizeof path, "%s.data-%d.extxyz", J->prefix, nrows);
        if (nrows <= J->lc.iterations) {
            if ((rc = ml_dataset_read_extxyz(&ds, path))) goto done;
        } else {
            /* finished: only the last model's data */
            snprintf(path, sizeof path, "%s.data-%d.extxyz", J->prefix, nrows - 1);
            if ((rc = ml_dataset_read_extxyz(&ds, path))) goto done;
        }
        if (pending) printf("resuming %s at iteration %d, which waited for labels\n", jpath, nrows);
        else printf("resuming %s after iteration %d (%d labels)\n", jpath, nrows - 1, ds.nframes);
    } else {
        nrows = 0;
        if ((rc = read_list(J->base, J->data.initial, &ds))) goto done;
    }
    /* the label limit, from the initial frames (read again on a resume: ds then holds the labels as well) */
    J->f_limit = 0;
    if (J->lc.label_f_factor > 0) {
        ml_dataset init = {0};
        const ml_dataset *ref = &ds;
        if (nrows > 0 || pending) {
            if ((rc = read_list(J->base, J->data.initial, &init))) {
                ml_dataset_free(&init);
                goto done;
            }
            ref = &init;
        }
        J->f_limit = J->lc.label_f_factor * dataset_fmax(ref);
        ml_dataset_free(&init);
        if (!(J->f_limit > 0))
            printf("label limit: off (the [data] initial frames carry no nonzero force)\n");
    }
    val.nelem = ds.nelem;
    memcpy(val.type_map, ds.type_map, sizeof val.type_map);
    if ((rc = read_list(J->base, J->data.validation, &val))) goto done;
    if (val.nelem != ds.nelem) {
        rc = SR_ERROR(SR_EINVAL, "%s: [data] validation has elements that the initial frames lack", J->file);
        goto done;
    }
    printf("seedrate learn %s: %d initial labels, %d held-out frames, %d iterations, T =", J->file, ds.nframes,
           val.nframes, J->lc.iterations);
    for (int t = 0; t < J->lc.temperatures.n; t++) printf(" %g", J->lc.temperatures.v[t]);
    printf(" K, %ld steps per run (sample every %ld), trust window [%g, %g] eV/A, committee of %d\n", J->lc.steps,
           J->lc.sample_every, J->lc.sigma_lo, J->lc.sigma_hi, J->tp.committee);
    if (J->f_limit > 0)
        printf("label limit: atomic forces above %.4g eV/A (%g x the initial data's largest) are set aside\n", J->f_limit,
               J->lc.label_f_factor);
    if (pending) {
        /* the labels that iteration nrows waited for: checked, added, the iteration finished */
        int nadd = 0;
        aside.nelem = ds.nelem;
        memcpy(aside.type_map, ds.type_map, sizeof aside.type_map);
        if ((rc = read_labels(J, nrows, &ds, &aside, &nadd))) goto done;
        if ((rc = write_aside(J, nrows, &aside))) goto done;
        rows[nrows].selected = nadd;
        snprintf(path, sizeof path, "%s.data-%d.extxyz", J->prefix, nrows + 1);
        if ((rc = ml_dataset_write_extxyz(&ds, path))) goto done;
        if ((rc = write_outputs(J, rows, nrows + 1, NULL))) goto done;
        printf("iteration %d: %d labelled frames read (%d labels now)\n", nrows, nadd, ds.nframes);
        nrows++;
    }
    for (int it = nrows; it <= J->lc.iterations; it++) {
        curve_row *row = &rows[it];
        memset(row, 0, sizeof *row);
        row->iter = it;
        /* train model it on ds */
        const char *tmn[ML_MAX_ELEMENTS];
        for (int e = 0; e < ds.nelem; e++) tmn[e] = ds.type_map[e];
        ml_model *tmpl = cli_train_model(&J->de, &J->nc, ds.nelem, tmn);
        ml_train_report reps[ML_MAX_MEMBERS];
        if (!tmpl) {
            rc = sr_error_status() ? sr_error_status() : SR_EINVAL;
            goto done;
        }
        ml_committee_free(com);
        com = ml_committee_create();
        ml_train_params tp = J->tp;
        tp.verbose = 0;
        rc = com ? ml_train_committee(com, tmpl, &ds, NULL, &tp, reps) : SR_ENOMEM;
        ml_model_free(tmpl);
        for (int q = 0; com && q < com->k; q++) ml_train_report_free(&reps[q]);
        if (rc) goto done;
        snprintf(path, sizeof path, "%s.data-%d.extxyz", J->prefix, it);
        if ((rc = ml_dataset_write_extxyz(&ds, path))) goto done;
        snprintf(path, sizeof path, "%s.model-%d.nc", J->prefix, it);
        snprintf(com->member[0]->provenance, sizeof com->member[0]->provenance,
                 "seedrate learn %.1500s: model %d, %d labels (%.1500s.data-%d.extxyz)", J->file, it, ds.nframes, J->prefix,
                 it);
        for (int q = 1; q < com->k; q++) memcpy(com->member[q]->provenance, com->member[0]->provenance, sizeof com->member[0]->provenance);
        if ((rc = ml_committee_write(com, path))) goto done;
        row->labels = ds.nframes;
        if ((rc = committee_rmse(com, &val, &row->rmse_e, &row->rmse_f))) goto done;
        /* explore with it */
        cands_free(&cands);
        if ((rc = explore(J, path, it, row, &cands))) goto done;
        ml_dataset_free(&req);
        ml_dataset_free(&aside);
        req.nelem = aside.nelem = ds.nelem;
        memcpy(req.type_map, ds.type_map, sizeof req.type_map);
        memcpy(aside.type_map, ds.type_map, sizeof aside.type_map);
        if (it < J->lc.iterations && (rc = select_and_label(J, com, &cands, it, &ds, &req, &aside, &row->selected)))
            goto done;
        if ((rc = write_aside(J, it, &aside))) goto done;
        if (it < J->lc.iterations && req.nframes) {
            /* file exchange: the selected configurations go out, the run stops until they come back labelled */
            char rq[4400], lb[4400];
            labels_paths(J, it, rq, lb, sizeof rq);
            if ((rc = ml_dataset_write_extxyz(&req, rq))) goto done;
            if ((rc = write_outputs(J, rows, it, row))) goto done;
            printf("model %d: %d labels, held-out RMSE E %.3f meV/atom F %.1f meV/A; explored %ld samples: %.3f below "
                   "sigma_lo, %.3f in window, %.3f above sigma_hi\n", it, row->labels, 1e3 * row->rmse_e,
                   1e3 * row->rmse_f, row->samples, row->frac_lo, row->frac_win, row->frac_hi);
            printf("iteration %d waits for labels: compute energy and forces (eV, eV/angstrom) of the %d frames of %s and "
                   "write them, same atoms in the same order, as extended XYZ (ASE conventions: energy=..., "
                   "Properties=species:S:1:pos:R:3:forces:R:3) to %s; then run seedrate learn %s again\n", it,
                   req.nframes, rq, lb, J->file);
            goto done;
        }
        if (it < J->lc.iterations) {
            snprintf(path, sizeof path, "%s.data-%d.extxyz", J->prefix, it + 1);
            if ((rc = ml_dataset_write_extxyz(&ds, path))) goto done;
        }
        printf("model %d: %d labels, held-out RMSE E %.3f meV/atom F %.1f meV/A; explored %ld samples: %.3f below "
               "sigma_lo, %.3f in window, %.3f above sigma_hi (mean model_dev %.1f meV/A); %d labelled\n", it,
               row->labels, 1e3 * row->rmse_e, 1e3 * row->rmse_f, row->samples, row->frac_lo, row->frac_win,
               row->frac_hi, 1e3 * row->dev_mean, row->selected);
        fflush(stdout);
        if ((rc = write_outputs(J, rows, it + 1, NULL))) goto done;
    }
    if (nrows > J->lc.iterations) printf("%s: all %d iterations done\n", jpath, J->lc.iterations);
    rc = print_table(J);
    if (!rc) rc = write_plot(J);
done:
    ml_dataset_free(&req);
    ml_dataset_free(&aside);
    cands_free(&cands);
    ml_committee_free(com);
    ml_dataset_free(&ds);
    ml_dataset_free(&val);
    return rc;
}

/* the job and the start structures it holds */
static void learn_job_free(learn_job *J)
{
    for (int k = 0; J && k < J->nsrc; k++) md_system_free(J->src[k].start);
    free(J);
}

/* "file:line" of a key (its section's line when the key is absent, the file alone without the section) */
static const char *where_key(const sr_input *in, const char *file, const char *section, const char *key)
{
    static char buf[4200];
    const sr_section *sec = sr_input_section((sr_input *)in, section);
    int line = sec ? sec->line : 0;
    for (int i = 0; sec && i < sec->n; i++)
        if (!strcmp(sec->entries[i].key, key)) line = sec->entries[i].line;
    if (line > 0) snprintf(buf, sizeof buf, "%s:%d", file, line);
    else snprintf(buf, sizeof buf, "%s", file);
    return buf;
}

/* [teacher]'s `style = file` entry (labels by file exchange), or NULL when the teacher is a potential */
static const sr_entry *teacher_file_entry(const sr_section *teacher)
{
    for (int i = 0; teacher && i < teacher->n; i++)
        if (!strcmp(teacher->entries[i].key, "style") && !strcmp(teacher->entries[i].value, "file"))
            return &teacher->entries[i];
    return NULL;
}

/* `seedrate learn --label FILE IN OUT`: every frame of IN labelled by FILE's [teacher] (an in-process potential),
 * as the loop labels its candidates: energy, forces and virial, written to OUT (extxyz, atomically). For data
 * sets labelled before the teacher's virial was kept, or by another teacher. Other sections of FILE are ignored. */
static int learn_label_file(const char *file, const char *inpath, const char *outpath)
{
    sr_input *in = NULL;
    if (sr_input_parse_file(file, &in)) return sr_error_status() ? sr_error_status() : SR_EPARSE;
    learn_job *J = calloc(1, sizeof *J);
    io_typemap tm;
    io_typemap_init(&tm);
    io_frame *frames = NULL;
    int nframes = 0, rc = SR_OK;
    ml_dataset out = {0};
    if (!J) {
        rc = SR_ERROR(SR_ENOMEM, "learn: out of memory");
        goto done;
    }
    snprintf(J->file, sizeof J->file, "%s", file);
    char *fcopy = strdup(file);
    snprintf(J->base, sizeof J->base, "%s", fcopy ? dirname(fcopy) : ".");
    free(fcopy);
    J->teacher = sr_input_section(in, "teacher");
    if (!J->teacher) {
        rc = SR_ERROR(SR_EINVAL, "%s: missing section [teacher] (the labelling potential, e.g. style = sw)", file);
        goto done;
    }
    const sr_entry *fe = teacher_file_entry(J->teacher);
    if (fe) {
        rc = SR_ERROR(SR_EINVAL, "%s:%d: [teacher] style = file labels by file exchange; --label needs an in-process "
                      "potential", file, fe->line);
        goto done;
    }
    if ((rc = io_extxyz_read(inpath, &tm, &frames, &nframes))) goto done;
    if (tm.ntypes > ML_MAX_ELEMENTS) {
        rc = SR_ERROR(SR_ERANGE, "%s: %d species, at most %d", inpath, tm.ntypes, ML_MAX_ELEMENTS);
        goto done;
    }
    out.nelem = tm.ntypes;
    for (int t = 0; t < tm.ntypes; t++) {
        snprintf(out.type_map[t], sizeof out.type_map[t], "%s", tm.name[t]);
        tm.mass[t] = 1.0; /* the labels do not depend on masses */
    }
    for (int k = 0; k < nframes && !rc; k++) {
        candidate c = {.fr = frames[k]};
        ml_frame fr = {0};
        rc = label(J, &c, &tm, &out, &fr);
        if (rc) rc = SR_ERROR(rc, "%s frame %d: %s", inpath, k + 1, sr_error_message());
        if (!rc) rc = ml_dataset_add(&out, &fr);
        free(fr.type);
        free(fr.x);
        free(fr.force);
    }
    if (!rc) rc = ml_dataset_write_extxyz(&out, outpath);
    if (!rc) printf("%d frames of %s labelled by [teacher] of %s (energy, forces, virial): %s\n", nframes, inpath, file,
                    outpath);
done:
    io_frames_free(frames, nframes);
    ml_dataset_free(&out);
    free(J);
    sr_input_free(in);
    return rc;
}

int cmd_learn(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "--label")) {
        if (argc != 5) {
            usage(stderr);
            return 1;
        }
        if (learn_label_file(argv[2], argv[3], argv[4])) {
            cli_report_error("learn --label");
            return 1;
        }
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-') {
        usage(stderr);
        return 1;
    }
    const char *file = argv[1];
    sr_input *in = NULL;
    if (sr_input_parse_file(file, &in)) {
        cli_report_error(file);
        return 1;
    }
    learn_job *J = calloc(1, sizeof *J);
    if (!J) {
        sr_input_free(in);
        fprintf(stderr, "seedrate: error: out of memory\n");
        return 1;
    }
    sr_errlist el = {0};
    snprintf(J->file, sizeof J->file, "%s", file);
    char *fcopy = strdup(file);
    snprintf(J->base, sizeof J->base, "%s", dirname(fcopy));
    free(fcopy);
    /* the fixed sections and every [explore.NAME] */
    const char *known[LEARN_MAX_SRC + 16] = {"run", "teacher", "structure", "ensemble", "data", "learn",
                                             "descriptor", "network", "training", "output"};
    int nknown = 10;
    for (int i = 0; i < in->n; i++) {
        sr_section *sec = in->sections[i];
        if (strncmp(sec->name, "explore.", 8)) continue;
        if (J->nsrc == LEARN_MAX_SRC) {
            sr_errlist_add(&el, "%s:%d: [%s]: at most %d [explore.NAME] sections", file, sec->line, sec->name,
                           LEARN_MAX_SRC);
            continue;
        }
        explore_src *src = &J->src[J->nsrc++];
        snprintf(src->name, sizeof src->name, "%s", sec->name);
        known[nknown++] = sec->name;
        sr_section_bind(sec, seed_structure_keywords, &src->sc, &el, sec->name);
        sr_section_bind(sec, explore_keys, &src->ex, &el, sec->name);
        if (src->ex.temperatures.n == 1 && src->ex.temperatures.v[0] == 0) src->ex.temperatures.n = 0;
        for (int t = 0; t < src->ex.temperatures.n; t++)
            if (!(src->ex.temperatures.v[t] > 0))
                sr_errlist_add(&el, "%s: [%s] temperatures: item %d is 0 K (0 alone means the [learn] temperatures)",
                               where_key(in, file, sec->name, "temperatures"), sec->name, t + 1);
    }
    known[nknown] = NULL;
    sr_input_check_sections(in, known, &el);
    sr_section_bind(sr_input_section(in, "run"), run_keys, &J->run, &el, "run");
    sr_section_bind(sr_input_section(in, "data"), data_keys, &J->data, &el, "data");
    sr_section_bind(sr_input_section(in, "learn"), learn_keys, &J->lc, &el, "learn");
    sr_section_bind(sr_input_section(in, "output"), out_keys, &J->oc, &el, "output");
    sr_section_bind(sr_input_section(in, "structure"), seed_structure_keywords, &J->sc, &el, "structure");
    sr_section_bind(sr_input_section(in, "ensemble"), seed_ensemble_keywords, &J->ec, &el, "ensemble");
    cli_train_bind(in, file, &J->de, &J->nc, &J->tp, &el);
    J->teacher = sr_input_section(in, "teacher");
    if (!J->teacher) sr_errlist_add(&el, "%s: missing section [teacher] (the labelling potential, e.g. style = sw)", file);
    if (teacher_file_entry(J->teacher)) {
        /* labels by file exchange: no potential; the section has only this key */
        char style[SR_KW_STRLEN];
        static const sr_keyword file_keys[] = {
            {"style", SR_KW_STRING, 0, "", NULL, 0, 0, NULL, "file: label by file exchange"}, SR_KW_END};
        sr_section_bind(J->teacher, file_keys, style, &el, "teacher");
        J->file_teacher = 1;
    }
    if (J->nsrc && sr_input_section(in, "structure"))
        sr_errlist_add(&el, "%s:%d: [structure] and [explore.NAME] sections: give the start structures as "
                       "[explore.NAME] sections only", file, sr_input_section(in, "structure")->line);
    if (!J->nsrc && !sr_input_section(in, "structure"))
        sr_errlist_add(&el, "%s: missing section [structure] (or [explore.NAME] sections): the structure to explore", file);
    if (!J->nsrc) {
        /* the single-structure form: [structure] at the [learn] temperatures */
        explore_src *src = &J->src[J->nsrc++];
        snprintf(src->name, sizeof src->name, "structure");
        src->sc = J->sc;
        src->ex.volume_scales.n = 1;
        src->ex.volume_scales.v[0] = 1.0;
    }
    long nruns = 0;
    for (int k = 0; k < J->nsrc; k++)
        nruns += (long)(J->src[k].ex.temperatures.n ? J->src[k].ex.temperatures.n : J->lc.temperatures.n) *
                 J->src[k].ex.volume_scales.n;
    if (nruns > LEARN_MAX_RUNS)
        sr_errlist_add(&el, "%s: %ld exploration runs per iteration (structures x temperatures x volume_scales): "
                       "at most %d", file, nruns, LEARN_MAX_RUNS);
    if (!J->data.initial[0]) sr_errlist_add(&el, "%s: [data] initial: no labelled frames to start from", where_key(in, file, "data", "initial"));
    if (!J->data.validation[0]) sr_errlist_add(&el, "%s: [data] validation: no held-out frames", where_key(in, file, "data", "validation"));
    if (J->lc.e_sigma_hi > 0 && J->lc.e_sigma_hi <= J->lc.e_sigma_lo)
        sr_errlist_add(&el, "%s: [learn] e_sigma_hi = %g eV/atom must exceed e_sigma_lo = %g eV/atom",
                       where_key(in, file, "learn", "e_sigma_hi"), J->lc.e_sigma_hi, J->lc.e_sigma_lo);
    if (J->lc.e_sigma_hi == 0 && J->lc.e_sigma_lo > 0)
        sr_errlist_add(&el, "%s: [learn] e_sigma_lo = %g eV/atom without e_sigma_hi: set both (0 and 0: forces alone)",
                       where_key(in, file, "learn", "e_sigma_lo"), J->lc.e_sigma_lo);
    if (J->lc.sigma_hi <= J->lc.sigma_lo)
        sr_errlist_add(&el, "%s: [learn] sigma_hi = %g eV/angstrom must exceed sigma_lo = %g eV/angstrom",
                       where_key(in, file, "learn", "sigma_hi"), J->lc.sigma_hi, J->lc.sigma_lo);
    if (J->lc.temperatures.n > LEARN_MAX_T)
        sr_errlist_add(&el, "%s: [learn] temperatures: at most %d", where_key(in, file, "learn", "temperatures"),
                       LEARN_MAX_T);
    if (J->lc.sample_every > J->lc.steps)
        sr_errlist_add(&el, "%s: [learn] sample_every = %ld exceeds steps = %ld",
                       where_key(in, file, "learn", "sample_every"), J->lc.sample_every, J->lc.steps);
    if (J->tp.committee < 2)
        sr_errlist_add(&el, "%s: [training] committee = %d: learning needs at least 2 networks (their disagreement "
                       "selects the frames)", where_key(in, file, "training", "committee"), J->tp.committee);
    /* the teacher's own keys are checked when it is created; here only that it is a known style */
    if (el.n == 0) {
        /* every table has bound its section: unknown keys (the teacher's are bound on first use) */
        /* the start structures, built once here and kept for the run (velocities are drawn per exploration run) */
        for (int k = 0; k < J->nsrc; k++) {
            explore_src *src = &J->src[k];
            seed_structure_config sc = src->sc;
            sc.temperature = 0;
            char where[4200];
            const sr_section *sec = sr_input_section(in, src->name);
            snprintf(where, sizeof where, "%s:%d: [%s]", file, sec ? sec->line : 0, src->name);
            if (seed_structure_build(&sc, MD_UNITS_METAL, J->base, where, NULL, &src->start)) {
                sr_errlist_add(&el, "%s", sr_error_message());
                continue;
            }
            io_typemap_init(&src->tm);
            for (int t = 0; t < src->start->ntypes; t++) {
                int idx;
                if (io_typemap_add(&src->tm, src->start->type_name[t], &idx))
                    sr_errlist_add(&el, "%s: %s", where, sr_error_message());
                else
                    src->tm.mass[idx] = src->start->mass[t];
            }
            if (!J->file_teacher && k == 0) {
                md_potential *tp = NULL;
                if (md_potential_from_section(J->teacher, src->start, J->base, &tp, &el) == 0) md_potential_free(tp);
            }
        }
    }
    if (el.n == 0)
        for (int i = 0; i < in->n; i++) sr_section_check_unused(in->sections[i], &el);
    if (el.n) {
        sr_errlist_print(&el, stderr);
        sr_errlist_clear(&el);
        sr_input_free(in);
        learn_job_free(J);
        return 1;
    }
    char pre[3800];
    resolve(J->base, J->oc.prefix, pre, sizeof pre);
    snprintf(J->prefix, sizeof J->prefix, "%s", pre);
    {
        char d[4096];
        snprintf(d, sizeof d, "%s", J->prefix);
        char *dn = dirname(d);
        if (strcmp(dn, ".") && mkdir(dn, 0755) && errno != EEXIST) {
            fprintf(stderr, "seedrate: error: cannot create output directory %s: %s\n", dn, strerror(errno));
            sr_input_free(in);
            learn_job_free(J);
            return 1;
        }
    }
    int rc = run_learn(J, in);
    if (rc) cli_report_error("learn");
    sr_input_free(in);
    learn_job_free(J);
    return rc ? 1 : 0;
}
