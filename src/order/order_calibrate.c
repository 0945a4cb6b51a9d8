/* order_calibrate.c - classifier thresholds from bulk liquid and bulk crystal frames by the
 * mislabeling criterion (Espinosa, Vega, Valeriani, Sanz, JCP 144, 034501, 2016).
 *   QBAR:  scores qbar_l(i) of every atom of every frame; continuous crossing.
 *   BONDS: for each d_c of a grid, the number of solid bonds of every atom; integer crossing xi_c;
 *          the (d_c, xi_c) pair with the smallest mislabeled fraction is chosen. */
#include "order.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct calib_ws {
    order_nbuilder *builder;
    order_neighbors *nb;
    int cap;
    int *nsel;
    double *qlm, *qbar;
} calib_ws;

static void calib_ws_release(calib_ws *w)
{
    order_nbuilder_free(w->builder);
    order_neighbors_free(w->nb);
    free(w->nsel);
    free(w->qlm);
    free(w->qbar);
}

/* q_lm (and qbar_lm) of one frame into the workspace. */
static int frame_qlm(calib_ws *w, const order_steinhardt_config *cfg, const md_system *s)
{
    SR_TRY(order_nbuilder_build(w->builder, s, w->nb));
    const int n = s->n;
    if (n > w->cap) {
        const size_t stride = 2 * (size_t)(cfg->l + 1);
        free(w->nsel);
        free(w->qlm);
        free(w->qbar);
        w->nsel = malloc((size_t)n * sizeof *w->nsel);
        w->qlm = malloc((size_t)n * stride * sizeof *w->qlm);
        w->qbar = malloc((size_t)n * stride * sizeof *w->qbar);
        w->cap = n;
        if (!w->nsel || !w->qlm || !w->qbar) {
            w->cap = 0;
            return SR_ERROR(SR_ENOMEM, "order_calibrate: out of memory for %d atoms", n);
        }
    }
    SR_TRY(order_neighbors_select(w->nb, cfg->neighbors, cfg->cutoff, cfg->nnearest, w->nsel));
    SR_TRY(order_qlm_atoms(w->nb, w->nsel, cfg->l, w->qlm));
    return SR_OK;
}

static long count_atoms(md_system *const *frames, int nframes)
{
    long n = 0;
    for (int f = 0; f < nframes; f++) n += frames[f]->n;
    return n;
}

/* QBAR scores of all frames of one phase, appended at out. */
static int qbar_scores(calib_ws *w, const order_steinhardt_config *cfg, md_system *const *frames,
                       int nframes, double *out)
{
    long k = 0;
    for (int f = 0; f < nframes; f++) {
        SR_TRY(frame_qlm(w, cfg, frames[f]));
        SR_TRY(order_qlm_average(w->nb, w->nsel, cfg->l, w->qlm, w->qbar));
        order_ql_atoms(frames[f]->n, cfg->l, w->qbar, out + k);
        k += frames[f]->n;
    }
    return SR_OK;
}

/* Solid-bond counts for each d_c of the grid: counts[g * natoms_total + atom]. */
static int bond_counts(calib_ws *w, const order_steinhardt_config *cfg, md_system *const *frames,
                       int nframes, const double *grid, int ngrid, long ntotal, int *counts)
{
    const size_t stride = 2 * (size_t)(cfg->l + 1);
    long k = 0;
    for (int f = 0; f < nframes; f++) {
        SR_TRY(frame_qlm(w, cfg, frames[f]));
        for (int i = 0; i < frames[f]->n; i++, k++) {
            for (int g = 0; g < ngrid; g++) counts[(size_t)g * ntotal + k] = 0;
            const int k0 = w->nb->first[i];
            for (int m = k0; m < k0 + w->nsel[i]; m++) {
                const double d = order_bond_correlation(cfg->l, w->qlm + stride * i,
                                                        w->qlm + stride * w->nb->j[m]);
                for (int g = 0; g < ngrid; g++)
                    if (d > grid[g]) counts[(size_t)g * ntotal + k]++;
            }
        }
    }
    return SR_OK;
}

int order_calibrate(const order_steinhardt_config *cfg, int kind, md_system *const *liq, int nliq,
                    md_system *const *xtal, int nxtal, const double *dc_grid, int ngrid,
                    order_calibration *out)
{
    if (!cfg || !liq || !xtal || !out || nliq < 1 || nxtal < 1)
        return SR_ERROR(SR_EINVAL, "order_calibrate: needs at least one liquid and one crystal frame");
    if (kind != ORDER_CALIB_QBAR && kind != ORDER_CALIB_BONDS)
        return SR_ERROR(SR_EINVAL, "order_calibrate: unknown calibration kind %d", kind);
    if (cfg->l < 1 || cfg->l > ORDER_LMAX || !(cfg->cutoff > 0))
        return SR_ERROR(SR_ERANGE, "order_calibrate: l = %d or cutoff = %g out of range", cfg->l,
                        cfg->cutoff);
    double default_grid[11];
    if (!dc_grid || ngrid < 1) {
        ngrid = 11;
        for (int g = 0; g < ngrid; g++) default_grid[g] = 0.30 + 0.05 * g;
        dc_grid = default_grid;
    }
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->n_liquid = count_atoms(liq, nliq);
    out->n_crystal = count_atoms(xtal, nxtal);
    if (out->n_liquid < 1 || out->n_crystal < 1)
        return SR_ERROR(SR_EINVAL, "order_calibrate: empty frames");

    calib_ws w = {0};
    w.builder = order_nbuilder_create(cfg->cutoff);
    w.nb = order_neighbors_create();
    int rc = (!w.builder || !w.nb) ? SR_ENOMEM : SR_OK;
    if (rc) SR_ERROR(rc, "order_calibrate: out of memory");

    if (!rc && kind == ORDER_CALIB_QBAR) {
        double *sl = malloc((size_t)out->n_liquid * sizeof *sl);
        double *sx = malloc((size_t)out->n_crystal * sizeof *sx);
        if (!sl || !sx) rc = SR_ERROR(SR_ENOMEM, "order_calibrate: out of memory");
        if (!rc) rc = qbar_scores(&w, cfg, liq, nliq, sl);
        if (!rc) rc = qbar_scores(&w, cfg, xtal, nxtal, sx);
        if (!rc)
            rc = order_mislabel_crossing(sl, (size_t)out->n_liquid, sx, (size_t)out->n_crystal, 1e-10,
                                         &out->result);
        if (!rc) out->qbar_threshold = out->result.threshold;
        free(sl);
        free(sx);
    } else if (!rc) {
        int *cl = malloc((size_t)ngrid * out->n_liquid * sizeof *cl);
        int *cx = malloc((size_t)ngrid * out->n_crystal * sizeof *cx);
        if (!cl || !cx) rc = SR_ERROR(SR_ENOMEM, "order_calibrate: out of memory");
        if (!rc) rc = bond_counts(&w, cfg, liq, nliq, dc_grid, ngrid, out->n_liquid, cl);
        if (!rc) rc = bond_counts(&w, cfg, xtal, nxtal, dc_grid, ngrid, out->n_crystal, cx);
        double best = INFINITY;
        for (int g = 0; !rc && g < ngrid; g++) {
            order_mislabel m;
            rc = order_mislabel_integer(cl + (size_t)g * out->n_liquid, (size_t)out->n_liquid,
                                        cx + (size_t)g * out->n_crystal, (size_t)out->n_crystal, &m);
            const double worst = fmax(m.liquid_as_solid, m.solid_as_liquid);
            if (!rc && worst < best) {
                best = worst;
                out->result = m;
                out->bond_threshold = dc_grid[g];
                out->min_bonds = (int)m.threshold;
            }
        }
        free(cl);
        free(cx);
    }
    calib_ws_release(&w);
    return rc;
}
