/* cmd_order.c - `seedrate order calibrate LIQ.nc XTAL.nc [options]`: classifier thresholds by the
 * mislabeling criterion (Espinosa, Vega, Valeriani, Sanz, JCP 144, 034501, 2016) from a bulk-liquid
 * and a bulk-crystal AMBER NetCDF trajectory at the same (T, p). */
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
"usage: seedrate order calibrate LIQ.nc XTAL.nc [options]\n"
"  Choose the solid/liquid threshold where the fraction of liquid atoms labelled solid equals the\n"
"  fraction of crystal atoms labelled liquid (mislabeling criterion, Espinosa et al. JCP 144, 034501,\n"
"  2016). LIQ.nc and XTAL.nc: AMBER NetCDF trajectories of bulk liquid and bulk crystal at the same\n"
"  temperature and pressure. Lengths in the trajectory's units.\n"
"  --input FILE         take the classifier from the [order] section of FILE\n"
"  --style bonds|qbar   bonds: choose d_c (grid) and xi_c; qbar: choose the qbar_l threshold  [bonds]\n"
"  --cutoff X           neighbor cutoff / search radius (required unless in --input)\n"
"  --l N  --neighbors cutoff|nearest|sann  --nearest N      as the [order] keys\n"
"  --dc-grid a,b,...    d_c values tried by style bonds                [0.30,0.35,...,0.80]\n"
"  --first K --last K --stride K   frames used (0-based, inclusive)   [0, last, 1]\n"
"  `seedrate order keys` lists every [order] key with unit, default and range.\n");
}

static int parse_long(const char *opt, const char *val, long min, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(val, &end, 10);
    if (end == val || *end || errno || v < min) {
        fprintf(stderr, "seedrate: error: %s = '%s': expected an integer >= %ld\n", opt, val, min);
        return 1;
    }
    *out = v;
    return 0;
}

/* Frames first..last (stride) of an AMBER file, as new systems. */
static int load_frames(const char *path, long first, long last, long stride, md_system ***out, int *nout)
{
    *out = NULL;
    *nout = 0;
    io_amber_reader *r = NULL;
    SR_TRY(io_amber_open(path, &r));
    const long nf = io_amber_nframes(r);
    const int natoms = io_amber_natoms(r);
    const long hi = (last < 0 || last >= nf) ? nf - 1 : last;
    int rc = SR_OK;
    if (nf < 1 || first > hi) rc = SR_ERROR(SR_EINVAL, "%s: no frames in %ld..%ld (file has %ld)", path, first, hi, nf);
    int ntypes = 1;
    if (!rc && io_amber_has_var(r, "atom_types")) {
        double *t = malloc((size_t)natoms * sizeof *t);
        if (!t) rc = SR_ERROR(SR_ENOMEM, "out of memory");
        if (!rc) rc = io_amber_read_extra(r, "atom_types", first, t);
        for (int i = 0; !rc && i < natoms; i++)
            if (t[i] + 1 > ntypes) ntypes = (int)t[i] + 1;
        free(t);
    }
    const char *lu = rc ? "" : io_amber_units(r, "coordinates");
    const int units = lu && strstr(lu, "angstrom") ? MD_UNITS_METAL : MD_UNITS_LJ;
    const long n = rc ? 0 : (hi - first) / stride + 1;
    md_system **frames = rc ? NULL : calloc((size_t)n, sizeof *frames);
    if (!rc && !frames) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    int k = 0;
    for (long f = first; !rc && f <= hi; f += stride, k++) {
        frames[k] = md_system_create(natoms, ntypes, units);
        if (!frames[k]) rc = SR_ERROR(SR_ENOMEM, "out of memory for %d atoms", natoms);
        if (!rc) rc = io_amber_read_frame(r, f, frames[k], NULL);
    }
    io_amber_reader_free(r);
    if (rc) {
        for (int i = 0; i < k; i++) md_system_free(frames[i]);
        free(frames);
        return rc;
    }
    *out = frames;
    *nout = k;
    return SR_OK;
}

static void free_frames(md_system **f, int n)
{
    for (int i = 0; f && i < n; i++) md_system_free(f[i]);
    free(f);
}

static int calibrate(int argc, char **argv)
{
    unsigned char *used = calloc((size_t)argc + 1, 1);
    if (!used) return 1;
    sr_errlist el = {0};
    order_classifier *oc = NULL;
    const char *files[2] = {NULL, NULL};
    int nfiles = 0, bad = 0;
    long first = 0, last = -1, stride = 1;
    double grid[SR_KW_MAXLIST];
    int ngrid = 0;
    int rc = order_classifier_from_args(argc - 1, argv + 1, used + 1, &oc, &el);
    if (rc) {
        sr_errlist_print(&el, stderr);
        sr_errlist_clear(&el);
        free(used);
        return 1;
    }
    for (int i = 1; i < argc && !bad; i++) {
        if (used[i]) continue;
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-' || !a[1]) {
            if (nfiles < 2) files[nfiles] = a;
            nfiles++;
            continue;
        }
        if (!v && (!strcmp(a, "--first") || !strcmp(a, "--last") || !strcmp(a, "--stride") ||
                   !strcmp(a, "--dc-grid"))) {
            fprintf(stderr, "seedrate: error: %s needs a value\n", a);
            bad = 1;
        } else if (!strcmp(a, "--first")) {
            bad = parse_long(a, v, 0, &first), i++;
        } else if (!strcmp(a, "--last")) {
            bad = parse_long(a, v, 0, &last), i++;
        } else if (!strcmp(a, "--stride")) {
            bad = parse_long(a, v, 1, &stride), i++;
        } else if (!strcmp(a, "--dc-grid")) {
            ngrid = sr_parse_reals(v, grid, SR_KW_MAXLIST);
            if (ngrid < 1) {
                fprintf(stderr, "seedrate: error: --dc-grid '%s': expected numbers in [-1, 1]\n", v);
                bad = 1;
            }
            for (int g = 0; g < ngrid && !bad; g++)
                if (grid[g] < -1 || grid[g] > 1) {
                    fprintf(stderr, "seedrate: error: --dc-grid value %g outside [-1, 1]\n", grid[g]);
                    bad = 1;
                }
            i++;
        } else {
            fprintf(stderr, "seedrate: error: unknown option '%s' (seedrate order calibrate --help)\n", a);
            bad = 1;
        }
    }
    free(used);
    if (!bad && nfiles != 2) {
        fprintf(stderr, "seedrate: error: order calibrate needs LIQ.nc and XTAL.nc (got %d files)\n", nfiles);
        bad = 1;
    }
    const order_steinhardt_config *cfg = order_steinhardt_get_config(oc);
    if (!bad && !cfg) {
        fprintf(stderr, "seedrate: error: calibration is implemented for styles bonds and qbar, not '%s'\n",
                oc->cls->name);
        bad = 1;
    }
    if (bad) {
        order_classifier_free(oc);
        return 1;
    }
    md_system **liq = NULL, **xtal = NULL;
    int nliq = 0, nxtal = 0;
    rc = load_frames(files[0], first, last, stride, &liq, &nliq);
    if (!rc) rc = load_frames(files[1], first, last, stride, &xtal, &nxtal);
    const int kind = oc->cls == &order_classifier_qbar ? ORDER_CALIB_QBAR : ORDER_CALIB_BONDS;
    order_calibration cal;
    if (!rc) rc = order_calibrate(cfg, kind, liq, nliq, xtal, nxtal, ngrid ? grid : NULL, ngrid, &cal);
    if (rc) {
        cli_report_error("order calibrate");
    } else {
        static const char *modes[] = {"cutoff", "nearest", "sann"};
        printf("# seedrate order calibrate: mislabeling criterion (Espinosa et al. JCP 144, 034501, 2016)\n");
        printf("# liquid:  %s (%d frames, %ld atoms sampled)\n", files[0], nliq, cal.n_liquid);
        printf("# crystal: %s (%d frames, %ld atoms sampled)\n", files[1], nxtal, cal.n_crystal);
        printf("# thresholds as given (replaced below): ");
        oc->cls->describe(oc->state, stdout);
        printf("liquid labelled solid:   %.5f\n", cal.result.liquid_as_solid);
        printf("crystal labelled liquid: %.5f\n", cal.result.solid_as_liquid);
        printf("mislabeled fraction:     %.5f\n", cal.result.fraction);
        printf("\n# paste into the input file:\n[order]\nstyle = %s\nl = %d\nneighbors = %s\ncutoff = %g\n",
               oc->cls->name, cfg->l, modes[cfg->neighbors], cfg->cutoff);
        if (cfg->neighbors == ORDER_NEIGH_NEAREST) printf("nearest = %d\n", cfg->nnearest);
        if (kind == ORDER_CALIB_QBAR)
            printf("threshold = %.5f\n", cal.qbar_threshold);
        else
            printf("bond_threshold = %g\nmin_bonds = %d\n", cal.bond_threshold, cal.min_bonds);
    }
    free_frames(liq, nliq);
    free_frames(xtal, nxtal);
    order_classifier_free(oc);
    return rc ? 1 : 0;
}

int cmd_order(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    if (!strcmp(argv[1], "calibrate")) {
        for (int i = 2; i < argc; i++)
            if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
                usage(stdout);
                return 0;
            }
        return calibrate(argc - 1, argv + 1);
    }
    if (!strcmp(argv[1], "keys")) {
        sr_keywords_print(order_style_keywords, "order", stdout);
        const char *names[] = {"bonds", "qbar"};
        for (int c = 0; c < 2; c++) {
            const order_classifier_class *cls = order_classifier_find(names[c]);
            printf("\nstyle = %s: %s\n", cls->name, cls->doc);
            sr_keywords_print(cls->keywords, "order", stdout);
        }
        return 0;
    }
    fprintf(stderr, "seedrate: error: unknown order subcommand '%s' (expected calibrate or keys)\n", argv[1]);
    usage(stderr);
    return 1;
}
