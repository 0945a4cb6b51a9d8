/* order_statepoint.c - the classifier threshold chosen at the campaign's state point by the mislabelling
 * criterion (Espinosa, Vega, Valeriani & Sanz, JCP 144, 034501 (2016)): from the campaign's own bulk
 * liquid and bulk crystal at (T, p), the threshold where the fraction of liquid atoms labelled solid equals
 * the fraction of crystal atoms labelled liquid. The definition of the order parameter (l, neighbours,
 * d_c) stays the user's; only its threshold is chosen here. */
#include "order.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

static double median_of(const double *v, size_t n)
{
    double *s = malloc(n * sizeof *s);
    if (!s) return NAN;
    memcpy(s, v, n * sizeof *s);
    gsl_sort(s, 1, n);
    const double m = gsl_stats_median_from_sorted_data(s, 1, n);
    free(s);
    return m;
}

int order_statepoint_choose(int kind, const double *liq, size_t nliq, const double *xtal, size_t nxtal,
                            double max_mislabel, order_statepoint *out)
{
    if (!liq || !xtal || !out || nliq == 0 || nxtal == 0)
        return SR_ERROR(SR_EINVAL, "state-point calibration: no liquid or no crystal scores");
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->n_liquid = (long)nliq;
    out->n_crystal = (long)nxtal;
    order_mislabel m;
    if (kind == ORDER_CALIB_BONDS) {
        int *il = malloc(nliq * sizeof *il), *ix = malloc(nxtal * sizeof *ix);
        if (!il || !ix) {
            free(il), free(ix);
            return SR_ERROR(SR_ENOMEM, "state-point calibration: out of memory");
        }
        for (size_t i = 0; i < nliq; i++) il[i] = (int)lround(liq[i]);
        for (size_t i = 0; i < nxtal; i++) ix[i] = (int)lround(xtal[i]);
        int rc = order_mislabel_integer(il, nliq, ix, nxtal, &m);
        free(il), free(ix);
        SR_TRY(rc);
        out->neighbour[0] = m.threshold - 1;
        out->neighbour[1] = m.threshold + 1;
    } else if (kind == ORDER_CALIB_QBAR) {
        SR_TRY(order_mislabel_crossing(liq, nliq, xtal, nxtal, 1e-10, &m));
        const double gap = median_of(xtal, nxtal) - median_of(liq, nliq);
        if (!isfinite(gap)) return SR_ERROR(SR_ENOMEM, "state-point calibration: out of memory");
        const double d = 0.1 * fabs(gap);
        out->neighbour[0] = m.threshold - d;
        out->neighbour[1] = m.threshold + d;
    } else {
        return SR_ERROR(SR_EINVAL, "state-point calibration: unknown kind %d", kind);
    }
    out->threshold = m.threshold;
    out->extrapolated = kind == ORDER_CALIB_QBAR && m.extrapolated;
    out->liquid_as_solid = m.liquid_as_solid;
    out->solid_as_liquid = m.solid_as_liquid;
    const double worst = fmax(m.liquid_as_solid, m.solid_as_liquid);
    if (worst > max_mislabel)
        return SR_ERROR(SR_EFAILED,
                        "the bulk liquid and the bulk crystal cannot be told apart at this state point: at the best "
                        "threshold (%g) %.3g%% of the liquid atoms are labelled solid and %.3g%% of the crystal atoms "
                        "liquid (%zu and %zu atoms sampled; the protocol needs both <= %.3g%%). Use a more specific "
                        "order parameter (other l, cutoff or d_c), or a state point further from the spinodal",
                        m.threshold, 100 * m.liquid_as_solid, 100 * m.solid_as_liquid, nliq, nxtal,
                        100 * max_mislabel);
    return SR_OK;
}

/* scores of all frames, appended */
static int frame_scores(order_analyzer *an, md_system *const *fr, int n, double **out, size_t *nout)
{
    size_t tot = 0;
    for (int f = 0; f < n; f++) tot += (size_t)fr[f]->n;
    double *v = malloc((tot ? tot : 1) * sizeof *v);
    if (!v) return SR_ERROR(SR_ENOMEM, "state-point calibration: out of memory");
    size_t k = 0;
    for (int f = 0; f < n; f++) {
        order_cluster_result cr;
        int rc = order_analyze_frame(an, fr[f], &cr);
        const char *name = NULL;
        const double *sc = rc ? NULL : order_analyzer_score(an, &name);
        if (!rc && !sc) rc = SR_ERROR(SR_EINVAL, "state-point calibration: the classifier has no per-atom score");
        if (rc) {
            free(v);
            return rc;
        }
        memcpy(v + k, sc, (size_t)fr[f]->n * sizeof *v);
        k += (size_t)fr[f]->n;
    }
    *out = v;
    *nout = tot;
    return SR_OK;
}

int order_statepoint_calibrate(const order_classifier *base, md_system *const *liq, int nliq,
                               md_system *const *xtal, int nxtal, double max_mislabel, order_statepoint *out)
{
    if (!base || !liq || !xtal || nliq < 1 || nxtal < 1 || !out)
        return SR_ERROR(SR_EINVAL, "state-point calibration: needs liquid and crystal frames");
    const order_steinhardt_config *cfg = order_steinhardt_get_config(base);
    if (!cfg)
        return SR_ERROR(SR_EINVAL, "state-point calibration works for [order] style = bonds or qbar, not %s",
                        base->cls->name);
    const int kind = base->cls == &order_classifier_qbar ? ORDER_CALIB_QBAR : ORDER_CALIB_BONDS;
    order_analyzer *an = NULL;
    SR_TRY(order_analyzer_create((order_classifier *)base, 0, &an));
    double *sl = NULL, *sx = NULL;
    size_t nl = 0, nx = 0;
    int rc = frame_scores(an, liq, nliq, &sl, &nl);
    if (!rc) rc = frame_scores(an, xtal, nxtal, &sx, &nx);
    if (!rc) rc = order_statepoint_choose(kind, sl, nl, sx, nx, max_mislabel, out);
    out->bond_threshold = cfg->bond_threshold;
    free(sl), free(sx);
    order_analyzer_free(an);
    return rc;
}

int order_classifier_with_threshold(const order_classifier *base, double t, order_classifier **out)
{
    const order_steinhardt_config *cfg = base ? order_steinhardt_get_config(base) : NULL;
    if (!cfg || !out) return SR_ERROR(SR_EINVAL, "order_classifier_with_threshold: needs a bonds or qbar classifier");
    order_steinhardt_config c = *cfg;
    if (base->cls == &order_classifier_qbar)
        c.qbar_threshold = t;
    else
        c.min_bonds = (int)lround(t);
    return order_classifier_create(base->cls, &c, out);
}
