/* One seeding replica: fresh velocities, NPT dynamics, N_max every k steps, grow/melt decision. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "seed.h"
#include "../common/sr_rng.h"

int seed_run_steps(md_system *s, md_potential *pot, const md_integrator_params *ip, long steps, uint64_t seed,
                   uint64_t stream, const unsigned char *frozen)
{
    if (steps <= 0) return SR_OK;
    gsl_rng *r = sr_rng_create(seed, stream, SR_RNG_THERMOSTAT);
    md_integrator *in = r ? md_integrator_create(ip, s, pot, r) : NULL;
    int rc = in ? SR_OK : (sr_error_status() ? sr_error_status() : SR_ENOMEM);
    if (!rc && frozen) rc = md_integrator_restrain(in, frozen, -1.0);
    if (!rc) rc = md_integrator_setup(in);
    if (!rc) rc = md_integrator_run(in, steps);
    md_integrator_free(in);
    gsl_rng_free(r);
    return rc;
}

seed_structure_config seed_liquid_lattice(const seed_structure_config *sc, const sr_reals *cells, double liquid_density,
                                          double T_melt)
{
    seed_structure_config lc = *sc;
    lc.file[0] = '\0';
    lc.cells = *cells;
    lc.temperature = T_melt;
    const double rho_x = sc->density > 0 ? sc->density
                         : sc->nn > 0    ? 1.0 / pow(sc->nn / md_lattice_nn_for_density(sc->lattice, 1.0), 3)
                                         : 0;
    lc.density = liquid_density > 0 ? liquid_density : 0.85 * rho_x;
    lc.nn = 0;
    return lc;
}

int seed_liquid_melt(md_system *liq, md_potential *pot, const md_integrator_params *ip, double T_melt, long melt_steps,
                     long equil_steps, uint64_t seed, uint64_t stream)
{
    md_integrator_params mp = *ip;
    mp.barostat = MD_BARO_NONE;
    mp.temperature = T_melt;
    mp.thermostat = MD_THERMO_BUSSI;
    SR_TRY(seed_run_steps(liq, pot, &mp, melt_steps, seed, stream + 1000, NULL));
    return seed_run_steps(liq, pot, ip, equil_steps, seed, stream + 2000, NULL);
}

double seed_median_finite(const double *v, size_t n)
{
    double *w = malloc((n ? n : 1) * sizeof *w);
    if (!w) return NAN;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) w[m++] = v[i];
    double med = NAN;
    if (m) {
        gsl_sort(w, 1, m);
        med = gsl_stats_median_from_sorted_data(w, 1, m);
    }
    free(w);
    return med;
}

double seed_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int seed_replica_run(const md_system *start, md_potential *pot, order_analyzer *an, const seed_replica_params *p,
                     seed_replica_result *r)
{
    memset(r->message, 0, sizeof r->message);
    r->outcome = SEED_UNDECIDED;
    r->nframes = 0;
    r->n0 = 0;
    r->n0_alt = -1;
    r->t_end = 0;
    md_system *s = md_system_copy(start);
    gsl_rng *rv = sr_rng_create(p->seed, (uint64_t)p->replica, SR_RNG_VELOCITIES);
    gsl_rng *rt = sr_rng_create(p->seed, (uint64_t)p->replica, SR_RNG_THERMOSTAT);
    md_integrator *in = NULL;
    int rc = (!s || !rv || !rt) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    if (!rc) {
        s->step = 0;
        s->time = 0;
        rc = md_velocity_create(s, p->ip.temperature, rv);
    }
    if (!rc) {
        in = md_integrator_create(&p->ip, s, pot, rt);
        if (!in) rc = sr_error_status() ? sr_error_status() : SR_EINVAL;
    }
    if (!rc) rc = md_integrator_setup(in);
    order_cluster_result cr;
    if (!rc) rc = order_analyze_frame(an, s, &cr);
    order_cluster_result ca;
    if (!rc && p->an_alt) {
        rc = order_analyze_frame(p->an_alt, s, &ca);
        if (!rc) r->n0_alt = ca.nmax;
        if (!rc && r->nmax_alt) r->nmax_alt[0] = ca.nmax;
    }
    for (int k = 0; k < 2 && !rc; k++)
        if (p->an_nb[k] && r->nmax_nb[k] && p->nb_frames > 0) {
            rc = order_analyze_frame(p->an_nb[k], s, &ca);
            if (!rc) r->nmax_nb[k][0] = ca.nmax;
        }
    if (!rc) {
        r->n0 = cr.nmax;
        r->nmax[r->nframes++] = cr.nmax;
        /* decisions relative to the settled size: N_max at frame settle_frames (the seed's interface has
         * relabelled); settle_frames = 0: relative to N_max(0) */
        double grow_at = p->grow_factor * (r->n0 > 0 ? r->n0 : 1);
        double melt_at = p->melt_fraction * r->n0;
        int settled = p->settle_frames <= 0;
        while (s->step < p->max_steps && r->nframes < p->max_frames) {
            rc = md_integrator_run(in, p->analyze_every);
            if (rc) break;
            rc = order_analyze_frame(an, s, &cr);
            if (!rc && p->an_alt && r->nmax_alt) {
                rc = order_analyze_frame(p->an_alt, s, &ca);
                if (!rc) r->nmax_alt[r->nframes] = ca.nmax;
            }
            for (int k = 0; k < 2 && !rc; k++)
                if (p->an_nb[k] && r->nmax_nb[k] && r->nframes < p->nb_frames) {
                    rc = order_analyze_frame(p->an_nb[k], s, &ca);
                    if (!rc) r->nmax_nb[k][r->nframes] = ca.nmax;
                }
            if (rc) break;
            r->nmax[r->nframes++] = cr.nmax;
            r->t_end = s->time;
            if (!settled && r->nframes - 1 >= p->settle_frames) {
                settled = 1;
                /* a seed that is no larger than the liquid's own background clusters has melted: the background
                 * must not become the reference (it would 'grow' by fluctuation) */
                if (cr.nmax <= p->min_ref) {
                    r->outcome = SEED_MELTED;
                    break;
                }
                grow_at = p->grow_factor * (cr.nmax > 0 ? cr.nmax : 1);
                melt_at = p->melt_fraction * cr.nmax;
                continue;
            }
            if (!settled) continue;
            if (cr.nmax >= grow_at) {
                r->outcome = SEED_GROWN;
                break;
            }
            if (cr.nmax <= melt_at) {
                r->outcome = SEED_MELTED;
                break;
            }
        }
    }
    if (rc) {
        r->outcome = SEED_FAILED;
        snprintf(r->message, sizeof r->message, "replica %ld: %s", p->replica, sr_error_message());
        sr_error_clear();
    }
    md_integrator_free(in);
    md_system_free(s);
    gsl_rng_free(rv);
    gsl_rng_free(rt);
    return SR_OK; /* a failed replica is an outcome, not a campaign error */
}
