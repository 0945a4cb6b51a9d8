/* cnt_errors.c - Monte-Carlo propagation of uncertainties into gamma, dG*, log10 J, and models of
 * the rate across temperatures. Draws are independent (correlations between inputs neglected);
 * intervals are percentiles of the propagated sample (cnt_percentile_interval). */
#include "cnt/cnt.h"
#include "common/sr_error.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_math.h>

static int same_sign(double a, double ref) { return (a > 0 && ref > 0) || (a < 0 && ref < 0); }

int cnt_propagate(const cnt_dist *n_c, const cnt_dist *dmu, const cnt_dist *rho_s,
                  const cnt_dist *rho_l, const cnt_dist *f_plus, double kT, size_t n_draw,
                  gsl_rng *rng, cnt_propagated *out)
{
    if (!n_c || !dmu || !rho_s || !rho_l || !f_plus || !rng || !out)
        return SR_ERROR(SR_EINVAL, "cnt_propagate: NULL argument");
    if (n_draw < 2) return SR_ERROR(SR_EINVAL, "cnt_propagate: n_draw=%zu, need >= 2", n_draw);
    if (!isfinite(kT) || !(kT > 0)) return SR_ERROR(SR_EINVAL, "cnt_propagate: kT=%g, expected > 0", kT);
    const cnt_dist *all[5] = {n_c, dmu, rho_s, rho_l, f_plus};
    const char *names[5] = {"N_c", "dmu", "rho_s", "rho_l", "f+"};
    for (int q = 0; q < 5; q++) {
        const cnt_dist *d = all[q];
        if (d->samples) {
            if (d->n_samples == 0) return SR_ERROR(SR_EINVAL, "cnt_propagate: %s has an empty sample", names[q]);
            for (size_t i = 0; i < d->n_samples; i++)
                if (!isfinite(d->samples[i]))
                    return SR_ERROR(SR_EINVAL, "cnt_propagate: %s sample %zu is not finite", names[q], i);
        } else if (!isfinite(d->value) || !isfinite(d->sd) || d->sd < 0) {
            return SR_ERROR(SR_EINVAL, "cnt_propagate: %s = %g +- %g is not a finite value with sd >= 0", names[q],
                            d->value, d->sd);
        }
    }
    double dmu_ref = dmu->samples ? dmu->samples[0] : dmu->value;
    if (dmu_ref == 0) return SR_ERROR(SR_EINVAL, "cnt_propagate: dmu = 0 (at T_m there is no nucleation)");
    double *g = malloc(n_draw * sizeof *g), *dg = malloc(n_draw * sizeof *dg), *lj = malloc(n_draw * sizeof *lj);
    if (!g || !dg || !lj) {
        free(g), free(dg), free(lj);
        return SR_ERROR(SR_ENOMEM, "cnt_propagate: out of memory");
    }
    size_t good = 0, rejected = 0;
    for (size_t i = 0; i < n_draw; i++) {
        cnt_inputs in = {cnt_dist_draw(n_c, rng), cnt_dist_draw(dmu, rng), cnt_dist_draw(rho_s, rng),
                         cnt_dist_draw(rho_l, rng), cnt_dist_draw(f_plus, rng), kT};
        if (!(in.n_c > 0 && in.rho_s > 0 && in.rho_l > 0 && in.f_plus > 0 && same_sign(in.dmu, dmu_ref))) {
            rejected++;
            continue;
        }
        cnt_result r;
        if (cnt_compute(&in, &r)) { /* cannot happen after the checks above; keep the count honest */
            rejected++;
            continue;
        }
        g[good] = r.gamma;
        dg[good] = r.dG_star;
        lj[good] = r.log10_J;
        good++;
    }
    int rc = SR_OK;
    out->n_rejected = rejected;
    if (rejected * 2 > n_draw || good < 2)
        rc = SR_ERROR(SR_ENUMERIC, "cnt_propagate: %zu of %zu draws were non-physical (N_c, rho, f+ <= 0 or dmu "
                      "changed sign); the uncertainties are too large for CNT", rejected, n_draw);
    if (!rc) rc = cnt_percentile_interval(g, good, &out->gamma);
    if (!rc) rc = cnt_percentile_interval(dg, good, &out->dG_star);
    if (!rc) rc = cnt_percentile_interval(lj, good, &out->log10_J);
    free(g), free(dg), free(lj);
    return rc;
}

/* ---- models of T -------------------------------------------------------------------------------- */

int cnt_table_model_eval(void *ctx, double T, double *value, double *sd)
{
    const cnt_table_model *t = ctx;
    if (!t || !t->T || !t->value || t->n < 2)
        return SR_ERROR(SR_EINVAL, "cnt_table_model_eval: table needs >= 2 rows");
    if (!isfinite(T)) return SR_ERROR(SR_EINVAL, "cnt_table_model_eval: T is not finite");
    size_t i = 0; /* segment [i, i+1]; end segments extrapolate */
    while (i + 2 < t->n && T > t->T[i + 1]) i++;
    double dT = t->T[i + 1] - t->T[i];
    if (!(dT > 0))
        return SR_ERROR(SR_EINVAL, "cnt_table_model_eval: temperatures must increase (row %zu: %g, %g)", i,
                        t->T[i], t->T[i + 1]);
    double s = (T - t->T[i]) / dT;
    *value = t->value[i] + s * (t->value[i + 1] - t->value[i]);
    if (sd) *sd = t->sd ? fabs(t->sd[i] + s * (t->sd[i + 1] - t->sd[i])) : 0.0;
    return SR_OK;
}

int cnt_linfit_model_eval(void *ctx, double T, double *value, double *sd)
{
    cnt_linfit_eval((const cnt_linfit *)ctx, T, value, sd);
    return SR_OK;
}

/* log10 J from the five ingredients; 1 if non-physical. */
static int rate_from(double gamma, double dmu, double dmu_ref, double rho_s, double rho_l, double fp, double kT,
                     double *log10_J)
{
    if (!(gamma > 0 && rho_s > 0 && rho_l > 0 && fp > 0 && same_sign(dmu, dmu_ref))) return 1;
    double n_c;
    if (cnt_critical_size(gamma, dmu, rho_s, &n_c, NULL)) return 1;
    cnt_inputs in = {n_c, dmu, rho_s, rho_l, fp, kT};
    cnt_result r;
    if (cnt_compute(&in, &r)) return 1;
    *log10_J = r.log10_J;
    return 0;
}

int cnt_rate_at(const cnt_rate_model *m, double T, size_t n_draw, gsl_rng *rng,
                double *log10_J, cnt_interval *band, size_t *n_rejected)
{
    if (!m || !log10_J) return SR_ERROR(SR_EINVAL, "cnt_rate_at: NULL argument");
    if (!isfinite(T) || !(T > 0) || !(m->k_B > 0))
        return SR_ERROR(SR_EINVAL, "cnt_rate_at: T=%g and k_B=%g must be > 0", T, m->k_B);
    const cnt_model *mod[5] = {&m->gamma, &m->dmu, &m->rho_s, &m->rho_l, &m->f_plus};
    const char *names[5] = {"gamma", "dmu", "rho_s", "rho_l", "f+"};
    double val[5], sd[5];
    for (int q = 0; q < 5; q++) {
        if (!mod[q]->eval) return SR_ERROR(SR_EINVAL, "cnt_rate_at: model for %s has no eval function", names[q]);
        SR_TRY(mod[q]->eval(mod[q]->ctx, T, &val[q], &sd[q]));
        if (!isfinite(val[q]) || !isfinite(sd[q]))
            return SR_ERROR(SR_EINVAL, "cnt_rate_at: model %s at T=%g gave %g +- %g", names[q], T, val[q], sd[q]);
    }
    double kT = m->k_B * T;
    if (rate_from(val[0], val[1], val[1], val[2], val[3], val[4], kT, log10_J))
        return SR_ERROR(SR_EINVAL, "cnt_rate_at: at T=%g the models give a non-physical point (gamma=%g, dmu=%g, "
                        "rho_s=%g, rho_l=%g, f+=%g); is T below T_m?", T, val[0], val[1], val[2], val[3], val[4]);
    if (!band) return SR_OK;
    if (!rng || n_draw < 2) return SR_ERROR(SR_EINVAL, "cnt_rate_at: a band needs an rng and n_draw >= 2");
    double *lj = malloc(n_draw * sizeof *lj);
    if (!lj) return SR_ERROR(SR_ENOMEM, "cnt_rate_at: out of memory");
    size_t good = 0, rejected = 0;
    for (size_t i = 0; i < n_draw; i++) {
        double d[5];
        for (int q = 0; q < 5; q++) d[q] = cnt_dist_draw(&(cnt_dist){val[q], sd[q], NULL, 0}, rng);
        if (rate_from(d[0], d[1], val[1], d[2], d[3], d[4], kT, &lj[good])) rejected++;
        else good++;
    }
    int rc = SR_OK;
    if (n_rejected) *n_rejected = rejected;
    if (rejected * 2 > n_draw || good < 2)
        rc = SR_ERROR(SR_ENUMERIC, "cnt_rate_at: %zu of %zu draws at T=%g were non-physical", rejected, n_draw, T);
    if (!rc) rc = cnt_percentile_interval(lj, good, band);
    free(lj);
    return rc;
}
