/* cmd_analyze.c - `seedrate analyze TRAJ.nc`: per-frame solid/liquid classification and clusters of
 * an AMBER NetCDF trajectory: N_max, number of clusters, solid atoms, centre and radius of gyration
 * of the largest cluster, to a netCDF file (and a text table on stdout); optionally an AMBER copy of
 * the trajectory with per-atom labels and the classifier's score (e.g. qbar6) as extra variables. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/sr_error.h"
#include "io/io.h"
#include "order/order.h"

static void usage(FILE *f)
{
    fprintf(f,
"usage: seedrate analyze TRAJ.nc [options]\n"
"  Classify atoms solid/liquid frame by frame and find clusters of crystalline atoms.\n"
"  Classifier (as the [order] section; see `seedrate order keys`):\n"
"  --input FILE          take it from the [order] section of FILE\n"
"  --style bonds|qbar    --cutoff X (required unless in --input)  --l N  --neighbors cutoff|nearest|sann\n"
"  --nearest N  --bond-threshold x  --min-bonds N  --threshold x\n"
"  Clusters and output:\n"
"  --cluster-cutoff X    crystalline atoms closer than X are connected     [classifier cutoff]\n"
"  -o, --out FILE        per-frame netCDF: n_max, n_clusters, n_solid, centre, rg   [analyze.nc]\n"
"  --labels FILE         AMBER NetCDF copy of TRAJ with per-atom `label` and the score\n"
"  --first K --last K --stride K   frames analysed (0-based, inclusive)  [0, last, 1]\n"
"  Lengths in the trajectory's units.\n");
}

typedef struct analyze_opts {
    const char *traj, *out, *labels;
    double cluster_cutoff;
    long first, last, stride;
} analyze_opts;

static int parse_num(const char *opt, const char *val, double min, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(val, &end);
    if (end == val || *end || errno || !(v >= min)) {
        fprintf(stderr, "seedrate: error: %s = '%s': expected a number >= %g\n", opt, val, min);
        return 1;
    }
    *out = v;
    return 0;
}

static int parse_options(int argc, char **argv, const unsigned char *used, analyze_opts *o)
{
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (used[i]) continue;
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-' || !a[1]) {
            o->traj = a;
            nfiles++;
            continue;
        }
        double x = 0;
        if (!v) {
            fprintf(stderr, "seedrate: error: %s: unknown option or missing value\n", a);
            return 1;
        }
        if (!strcmp(a, "-o") || !strcmp(a, "--out"))
            o->out = v;
        else if (!strcmp(a, "--labels"))
            o->labels = v;
        else if (!strcmp(a, "--cluster-cutoff")) {
            if (parse_num(a, v, 1e-9, &o->cluster_cutoff)) return 1;
        } else if (!strcmp(a, "--first") || !strcmp(a, "--last") || !strcmp(a, "--stride")) {
            const int stride = a[2] == 's';
            if (parse_num(a, v, stride ? 1 : 0, &x) || x != (long)x) {
                if (x != (long)x) fprintf(stderr, "seedrate: error: %s = '%s': expected an integer\n", a, v);
                return 1;
            }
            if (a[2] == 'f') o->first = (long)x;
            else if (a[2] == 'l') o->last = (long)x;
            else o->stride = (long)x;
        } else {
            fprintf(stderr, "seedrate: error: unknown option '%s' (seedrate analyze --help)\n", a);
            return 1;
        }
        i++;
    }
    if (nfiles != 1) {
        fprintf(stderr, "seedrate: error: analyze needs exactly one trajectory (got %d)\n", nfiles);
        return 1;
    }
    return 0;
}

/* The per-frame netCDF file. */
static int define_output(io_ncfile *f, const char *traj, const char *length, const char *time,
                         const char *description)
{
    const char *frame[1] = {"frame"}, *fs[2] = {"frame", "spatial"};
    SR_TRY(io_ncfile_def_dim(f, "frame", 0));
    SR_TRY(io_ncfile_def_dim(f, "spatial", 3));
    SR_TRY(io_ncfile_def_var(f, "time", IO_NC_DOUBLE, 1, frame, time, "time of the frame"));
    SR_TRY(io_ncfile_def_var(f, "frame_index", IO_NC_INT, 1, frame, "1", "0-based frame of the trajectory"));
    SR_TRY(io_ncfile_def_var(f, "n_max", IO_NC_INT, 1, frame, "1", "atoms in the largest crystalline cluster"));
    SR_TRY(io_ncfile_def_var(f, "n_clusters", IO_NC_INT, 1, frame, "1", "number of crystalline clusters"));
    SR_TRY(io_ncfile_def_var(f, "n_solid", IO_NC_INT, 1, frame, "1", "number of crystalline atoms"));
    SR_TRY(io_ncfile_def_var(f, "centre", IO_NC_DOUBLE, 2, fs, length,
                             "centre of the largest cluster (unwrapped along bonds, wrapped into the box)"));
    SR_TRY(io_ncfile_def_var(f, "rg", IO_NC_DOUBLE, 1, frame, length, "radius of gyration of the largest cluster"));
    SR_TRY(io_ncfile_def_var(f, "percolating", IO_NC_INT, 1, frame, "1",
                             "1 if the largest cluster connects to its own periodic image"));
    SR_TRY(io_ncfile_put_att_text(f, NULL, "title", "seedrate analyze: crystalline clusters per frame"));
    SR_TRY(io_ncfile_put_att_text(f, NULL, "source_trajectory", traj));
    SR_TRY(io_ncfile_put_att_text(f, NULL, "classifier", description));
    return io_ncfile_enddef(f);
}

static int write_record(io_ncfile *f, size_t rec, long frame, double time, const order_cluster_result *r)
{
    const size_t start[2] = {rec, 0}, one[1] = {1}, three[2] = {1, 3};
    const int fi = (int)frame, pc = r->percolating;
    SR_TRY(io_ncfile_put_double(f, "time", start, one, &time));
    SR_TRY(io_ncfile_put_int(f, "frame_index", start, one, &fi));
    SR_TRY(io_ncfile_put_int(f, "n_max", start, one, &r->nmax));
    SR_TRY(io_ncfile_put_int(f, "n_clusters", start, one, &r->n_clusters));
    SR_TRY(io_ncfile_put_int(f, "n_solid", start, one, &r->n_solid));
    SR_TRY(io_ncfile_put_double(f, "centre", start, three, r->centre));
    SR_TRY(io_ncfile_put_double(f, "rg", start, one, &r->rg));
    return io_ncfile_put_int(f, "percolating", start, one, &pc);
}

typedef struct analyze_run {
    io_amber_reader *reader;
    md_system *s;
    order_analyzer *an;
    io_ncfile *out;
    io_amber_writer *copy;
    char *description;
} analyze_run;

static void run_free(analyze_run *r)
{
    io_amber_reader_free(r->reader);
    md_system_free(r->s);
    order_analyzer_free(r->an);
    io_ncfile_abort(r->out);
    io_amber_close(r->copy, 0);
    free(r->description);
}

/* "<classifier description>; cluster cutoff = X" (malloc'ed). */
static char *describe(const order_classifier *oc, double rclust)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *ds = open_memstream(&buf, &len);
    if (!ds) return NULL;
    oc->cls->describe(oc->state, ds);
    fclose(ds);
    len = strlen(buf);
    while (len > 0 && buf[len - 1] == '\n') buf[--len] = 0;
    char *d = realloc(buf, len + 64);
    if (!d) {
        free(buf);
        return NULL;
    }
    snprintf(d + len, 64, "; cluster cutoff = %g", rclust);
    return d;
}

static int analyze(const analyze_opts *o, order_classifier *oc)
{
    analyze_run R = {0};
    SR_TRY(io_amber_open(o->traj, &R.reader));
    int rc = SR_OK;
    const long nf = io_amber_nframes(R.reader);
    const int natoms = io_amber_natoms(R.reader);
    const long last = (o->last < 0 || o->last >= nf) ? nf - 1 : o->last;
    if (nf < 1 || o->first > last)
        rc = SR_ERROR(SR_EINVAL, "%s: no frames in %ld..%ld (file has %ld)", o->traj, o->first, last, nf);
    char lu[64] = "", tu[64] = ""; /* io_amber_units' buffer is reused by the next call */
    if (!rc) snprintf(lu, sizeof lu, "%s", io_amber_units(R.reader, "coordinates"));
    if (!rc) snprintf(tu, sizeof tu, "%s", io_amber_units(R.reader, "time"));
    const int units = strstr(lu, "angstrom") ? MD_UNITS_METAL : MD_UNITS_LJ;
    int ntypes = 1;
    if (!rc && io_amber_has_var(R.reader, "atom_types")) {
        double *t = malloc((size_t)natoms * sizeof *t);
        rc = t ? io_amber_read_extra(R.reader, "atom_types", o->first, t) : SR_ERROR(SR_ENOMEM, "out of memory");
        for (int i = 0; !rc && i < natoms; i++)
            if (t[i] + 1 > ntypes) ntypes = (int)t[i] + 1;
        free(t);
    }
    if (!rc) {
        R.s = md_system_create(natoms, ntypes, units);
        if (!R.s) rc = SR_ERROR(SR_ENOMEM, "out of memory for %d atoms", natoms);
    }
    if (!rc) rc = order_analyzer_create(oc, o->cluster_cutoff, &R.an);
    if (!rc) {
        R.description = describe(oc, order_analyzer_cluster_cutoff(R.an));
        if (!R.description) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    }
    if (!rc) rc = io_ncfile_create(o->out, &R.out);
    if (!rc) rc = define_output(R.out, o->traj, *lu ? lu : "unknown", *tu ? tu : "unknown", R.description);
    const char *score_name = "score";
    const int has_score = oc->cls->score != NULL;
    if (has_score) oc->cls->score(oc->state, &score_name);
    if (!rc && o->labels) {
        const io_amber_extra ex[2] = {{"label", 1, "1", "classifier label: 0 liquid, > 0 a solid kind"},
                                      {score_name, 0, "1", "classifier score"}};
        rc = io_amber_create(o->labels, natoms, units, io_amber_has_var(R.reader, "velocities"), ex,
                             has_score ? 2 : 1, &R.copy);
    }
    if (!rc) {
        printf("# %s\n", R.description);
        printf("# frame time n_max n_clusters n_solid rg percolating\n");
    }
    size_t rec = 0;
    for (long f = o->first; !rc && f <= last; f += o->stride, rec++) {
        double time = 0;
        order_cluster_result res;
        rc = io_amber_read_frame(R.reader, f, R.s, &time);
        if (!rc) rc = order_analyze_frame(R.an, R.s, &res);
        if (!rc) rc = write_record(R.out, rec, f, time, &res);
        if (!rc && R.copy) {
            const void *extra[2] = {order_analyzer_labels(R.an), order_analyzer_score(R.an, NULL)};
            rc = io_amber_write_frame(R.copy, R.s, time, extra);
        }
        if (!rc)
            printf("%ld %g %d %d %d %.4f %d\n", f, time, res.nmax, res.n_clusters, res.n_solid, res.rg,
                   res.percolating);
    }
    if (!rc) {
        rc = io_ncfile_commit(R.out);
        R.out = NULL;
    }
    if (!rc && R.copy) {
        rc = io_amber_close(R.copy, 1);
        R.copy = NULL;
    }
    run_free(&R);
    return rc;
}

int cmd_analyze(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    unsigned char *used = calloc((size_t)argc, 1);
    if (!used) return 1;
    sr_errlist el = {0};
    order_classifier *oc = NULL;
    int rc = order_classifier_from_args(argc - 1, argv + 1, used + 1, &oc, &el);
    if (rc) {
        sr_errlist_print(&el, stderr);
        sr_errlist_clear(&el);
        free(used);
        return 1;
    }
    analyze_opts o = {.out = "analyze.nc", .first = 0, .last = -1, .stride = 1};
    int bad = parse_options(argc, argv, used, &o);
    free(used);
    if (!bad) {
        rc = analyze(&o, oc);
        if (rc) cli_report_error("analyze");
    }
    order_classifier_free(oc);
    return (bad || rc) ? 1 : 0;
}
