/* Attachment rate f+ at the critical size (Auer & Frenkel, Nature 409, 1020 (2001); Espinosa et al.,
 * JCP 144, 034501 (2016) eq. 7): replicas start from a seed of ~N_c atoms with fresh velocities, N_max(t)
 * performs a random walk at the top of the barrier and f+ = var(N(t) - N(0)) / (2 t) in the diffusive window:
 * the variance about the replicas' mean displacement, so the drift of a seed that is not exactly critical
 * does not count as diffusion (cnt_attach_fit_drift; window by cnt_attach_window_rule), with a bootstrap over
 * replicas (cnt_attach_bootstrap_drift). The replicas are
 * seed_replica_run with decision thresholds that are never reached, i.e. fixed-length runs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "seed_cnt.h"
#include "../common/sr_rng.h"

/* The seed of p->n_seed atoms cut from xtal, inserted at the centre of liq (0.85 x the crystal's nearest-neighbour
 * distance clears the overlapping liquid atoms) and relaxed with the seed frozen (stream st + 4). */
static int seeded_insert(md_potential *pot, const seed_seeded_params *p, uint64_t st, const md_system *xtal,
                         md_system *liq, int *nremoved)
{
    md_system *seedsys = NULL;
    unsigned char *is_seed = NULL;
    double radius = 0;
    int removed = 0;
    int rc = seed_cut_sphere(xtal, p->n_seed, &seedsys, &radius);
    if (!rc) {
        const double nn = md_lattice_nn_for_density(p->sc.lattice, xtal->n / md_system_volume(xtal));
        double centre[3];
        for (int k = 0; k < 3; k++) centre[k] = liq->box.lo[k] + 0.5 * liq->box.len[k];
        rc = seed_insert(liq, seedsys, centre, 0.85 * nn, &is_seed, &removed);
    }
    md_integrator_params rp = p->ip;
    rp.barostat = MD_BARO_NONE;
    if (!rc) rc = seed_run_steps(liq, pot, &rp, p->relax_steps, p->seed, st + 4, is_seed);
    free(is_seed);
    md_system_free(seedsys);
    if (!rc) {
        liq->step = 0;
        liq->time = 0;
        if (nremoved) *nremoved = removed;
    }
    return rc;
}

static uint64_t seeded_stream(const seed_seeded_params *p)
{
    return 4000000000ull + 16ull * (uint64_t)p->stream;
}

int seed_seeded_build(md_potential *pot, const seed_seeded_params *p, md_system **out, int *nremoved)
{
    if (!pot || !p || !out || p->n_seed < 1 || !(p->ip.temperature > 0) || p->liquid_cells.n != 3)
        return SR_ERROR(SR_EINVAL, "seeded configuration: need n_seed >= 1, T > 0 and 3 liquid cells");
    *out = NULL;
    const uint64_t st = seeded_stream(p);
    gsl_rng *rv = sr_rng_create(p->seed, st, SR_RNG_VELOCITIES);
    md_system *xtal = NULL, *liq = NULL;
    seed_structure_config sc = p->sc;
    sc.temperature = p->ip.temperature;
    int rc = rv ? SR_OK : SR_ERROR(SR_ENOMEM, "out of memory");
    if (!rc) rc = seed_structure_build(&sc, p->units, ".", "[structure]", rv, &xtal);
    md_integrator_params ip = p->ip;
    ip.barostat = MD_BARO_ISO;
    if (!rc) rc = seed_run_steps(xtal, pot, &ip, p->equil_steps, p->seed, st + 1, NULL);
    seed_structure_config lc = p->sc;
    lc.cells = p->liquid_cells;
    if (p->liquid_density > 0) {
        lc.density = p->liquid_density;
        lc.nn = 0;
    }
    lc.temperature = p->T_melt;
    if (!rc) rc = seed_structure_build(&lc, p->units, ".", "[structure]", rv, &liq);
    md_integrator_params mp = ip;
    mp.barostat = MD_BARO_NONE;
    mp.temperature = p->T_melt;
    if (!rc) rc = seed_run_steps(liq, pot, &mp, p->melt_steps, p->seed, st + 2, NULL);
    if (!rc) rc = md_velocity_create(liq, ip.temperature, rv);
    if (!rc) rc = seed_run_steps(liq, pot, &ip, p->equil_steps, p->seed, st + 3, NULL);
    if (!rc) rc = seeded_insert(pot, p, st, xtal, liq, nremoved);
    md_system_free(xtal);
    gsl_rng_free(rv);
    if (rc) {
        md_system_free(liq);
        return rc;
    }
    *out = liq;
    return SR_OK;
}

int seed_seeded_from_state(md_potential *pot, const seed_seeded_params *p, const md_system *xtal, const md_system *liq,
                           md_system **out, int *nremoved)
{
    if (!pot || !p || !out || !xtal || !liq || p->n_seed < 1 || !(p->ip.temperature > 0))
        return SR_ERROR(SR_EINVAL, "seeded configuration: need a prepared crystal and liquid, n_seed >= 1 and T > 0");
    *out = NULL;
    md_system *s = md_system_copy(liq);
    if (!s) return SR_ERROR(SR_ENOMEM, "out of memory");
    int rc = seeded_insert(pot, p, seeded_stream(p), xtal, s, nremoved);
    if (rc) {
        md_system_free(s);
        return rc;
    }
    *out = s;
    return SR_OK;
}

int seed_attach_start_run(md_system *s, md_potential *pot, order_analyzer *an, const seed_attach_start_params *p,
                          seed_attach_start_result *r)
{
    if (!s || !pot || !an || !p || !r || p->analyze_every < 1)
        return SR_ERROR(SR_EINVAL, "f+ start: NULL argument or analyze_every < 1");
    memset(r, 0, sizeof *r);
    gsl_rng *rv = sr_rng_create(p->seed, p->stream, SR_RNG_VELOCITIES);
    gsl_rng *rt = sr_rng_create(p->seed, p->stream, SR_RNG_THERMOSTAT);
    md_integrator *in = NULL;
    int rc = (!rv || !rt) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    if (!rc) rc = md_velocity_create(s, p->ip.temperature, rv);
    if (!rc && !(in = md_integrator_create(&p->ip, s, pot, rt))) rc = sr_error_status() ? sr_error_status() : SR_EINVAL;
    if (!rc) rc = md_integrator_setup(in);
    for (long step = 0; !rc && step < p->max_steps;) {
        rc = md_integrator_run(in, p->analyze_every);
        if (rc) break;
        step += p->analyze_every;
        order_cluster_result cr;
        rc = order_analyze_frame(an, s, &cr);
        if (rc) break;
        r->nmax = cr.nmax;
        r->steps = step;
        if (step < p->min_steps) continue;
        if (cr.nmax >= p->lo && cr.nmax <= p->hi) {
            r->found = 1;
            break;
        }
        if (cr.nmax < p->abort_lo || cr.nmax > p->abort_hi) break;
    }
    md_integrator_free(in);
    gsl_rng_free(rv);
    gsl_rng_free(rt);
    if (!rc) {
        s->step = 0;
        s->time = 0;
    }
    return rc;
}

int seed_attach_analyse(size_t n_rep, size_t n_t, const double *t, const double *N, double t0, double t1,
                        double var_top, size_t n_boot, uint64_t seed, seed_attach_out *out)
{
    if (n_rep < 2 || n_t < 4 || !t || !N || !out)
        return SR_ERROR(SR_EINVAL, "f+: need >= 2 replicas and >= 4 frames (got %zu, %zu)", n_rep, n_t);
    memset(out, 0, sizeof *out);
    /* window: from t0 (default t[1]: the first frame after the start) to t1, or by the barrier-top rule
     * (cnt_attach_window_rule) when t1 <= 0 */
    const double t_skip = t0 > 0 ? t0 : t[1];
    if (t1 > 0) {
        t0 = t_skip;
    } else {
        double *var = malloc(n_t * sizeof *var);
        if (!var) return SR_ERROR(SR_ENOMEM, "out of memory");
        int rc = cnt_attach_var(n_rep, n_t, N, var);
        if (!rc) rc = cnt_attach_window_rule(n_t, t, var, t_skip, var_top, 5, &t0, &t1);
        free(var);
        SR_TRY(rc);
    }
    SR_TRY(cnt_attach_fit_barrier(n_rep, n_t, t, N, t0, t1, var_top, &out->fit));
    if (n_boot > 0) {
        gsl_rng *rb = sr_rng_create(seed, 7, SR_RNG_BOOTSTRAP);
        if (!rb) return SR_ERROR(SR_ENOMEM, "out of memory");
        int rc = cnt_attach_bootstrap_barrier(n_rep, n_t, t, N, t0, t1, var_top, n_boot, rb, &out->boot, &out->n_skipped);
        gsl_rng_free(rb);
        if (rc) return rc;
        out->boot_ok = 1;
    }
    return SR_OK;
}
