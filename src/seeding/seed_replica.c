/* One seeding replica: fresh velocities, NPT dynamics, N_max every k steps, grow/melt decision. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "seed.h"
#include "../common/sr_rng.h"

/* seed_run_steps; v_half != NULL: the volume after the first steps / 2 (one integrator, one stream: the same run) */
static int run_steps(md_system *s, md_potential *pot, const md_integrator_params *ip, long steps, uint64_t seed,
                     uint64_t stream, const unsigned char *frozen, double *v_half)
{
    if (steps <= 0) return SR_OK;
    gsl_rng *r = sr_rng_create(seed, stream, SR_RNG_THERMOSTAT);
    md_integrator *in = r ? md_integrator_create(ip, s, pot, r) : NULL;
    int rc = in ? SR_OK : (sr_error_status() ? sr_error_status() : SR_ENOMEM);
    if (!rc && frozen) rc = md_integrator_restrain(in, frozen, -1.0);
    if (!rc) rc = md_integrator_setup(in);
    const long first = v_half ? steps / 2 : steps;
    if (!rc) rc = md_integrator_run(in, first);
    if (!rc && v_half) {
        *v_half = md_system_volume(s);
        rc = md_integrator_run(in, steps - first);
    }
    md_integrator_free(in);
    gsl_rng_free(r);
    return rc;
}

int seed_run_steps(md_system *s, md_potential *pot, const md_integrator_params *ip, long steps, uint64_t seed,
                   uint64_t stream, const unsigned char *frozen)
{
    return run_steps(s, pot, ip, steps, seed, stream, frozen, NULL);
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
    if (ip->barostat == MD_BARO_NONE || !(ip->compressibility > 0) || equil_steps < 2)
        return seed_run_steps(liq, pot, ip, equil_steps, seed, stream + 2000, NULL);
    /* NPT: the volume halfway through the same run, to see whether the density still moves. The
     * liquid is melted at a guessed density and the barostat takes several tau_p to bring it to p; a liquid that is
     * still compressing when the seeds go in shifts N_c (LJ default job: rho 0.971 after 5 tau_p vs 0.980). Warn when
     * the second half changed rho by more than 4 sqrt(2) volume-fluctuation widths, sqrt(k_B T beta_T / V) (beta_T
     * the barostat's compressibility; two snapshots). */
    double v1 = 0;
    const int rc = run_steps(liq, pot, ip, equil_steps, seed, stream + 2000, NULL, &v1);
    if (!rc) {
        const md_units *u = md_units_get(liq->units);
        const double v2 = md_system_volume(liq);
        const double width = sqrt(u->boltz * ip->temperature * ip->compressibility * u->nktv2p / v2);
        const double change = v1 / v2 - 1; /* relative change of rho over the second half */
        if (fabs(change) > 5.656854249492381 * width)
            printf("[prep] WARNING: the liquid's density still changed by %+.2f %% over the second half of its %ld "
                   "equilibration steps (volume fluctuations ~%.2f %%): it is not at (T, p) yet; raise equil_steps\n",
                   100 * change, equil_steps, 100 * width);
    }
    return rc;
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

int seed_track_init(seed_track *t, int on, const int64_t *id, int n)
{
    memset(t, 0, sizeof *t);
    t->on = on;
    if (!on) return SR_OK;
    int64_t m = 0;
    for (int i = 0; i < n; i++)
        if (id[i] > m) m = id[i];
    t->nid = (int)m;
    t->in = calloc((size_t)(m > 0 ? m : 1), 1);
    return t->in ? SR_OK : SR_ERROR(SR_ENOMEM, "out of memory");
}

void seed_track_free(seed_track *t)
{
    free(t->in);
    free(t->overlap);
    memset(t, 0, sizeof *t);
}

int seed_track_frame(seed_track *t, const int64_t *id, const int *ci, int n, const int *sizes, int nclusters,
                     int largest, int first, int *size)
{
    int best = -1;
    if (first) {
        best = nclusters > 0 ? largest : -1;
    } else if (nclusters > 0) {
        if (nclusters > t->cap) {
            int *o = realloc(t->overlap, (size_t)nclusters * sizeof *o);
            if (!o) return SR_ERROR(SR_ENOMEM, "out of memory");
            t->overlap = o;
            t->cap = nclusters;
        }
        memset(t->overlap, 0, (size_t)nclusters * sizeof *t->overlap);
        for (int i = 0; i < n; i++)
            if (ci[i] >= 0 && id[i] >= 1 && id[i] <= t->nid && t->in[id[i] - 1]) t->overlap[ci[i]]++;
        for (int c = 0; c < nclusters; c++)
            if (t->overlap[c] > 0 && (best < 0 || t->overlap[c] > t->overlap[best] ||
                                      (t->overlap[c] == t->overlap[best] && sizes[c] > sizes[best])))
                best = c;
    }
    memset(t->in, 0, (size_t)t->nid);
    if (best >= 0)
        for (int i = 0; i < n; i++)
            if (ci[i] == best && id[i] >= 1 && id[i] <= t->nid) t->in[id[i] - 1] = 1;
    *size = best >= 0 ? sizes[best] : 0;
    return SR_OK;
}

/* the size followed in the frame order_analyze_frame(an, s, cr) has just analysed: N_max, or the seed's cluster */
static int track_size(seed_track *t, const order_analyzer *an, const md_system *s, const order_cluster_result *cr,
                      int first, int *size)
{
    if (!t->on) {
        *size = cr->nmax;
        return SR_OK;
    }
    return seed_track_frame(t, s->id, order_analyzer_cluster_index(an), s->n, order_analyzer_cluster_sizes(an),
                            cr->n_clusters, cr->largest, first, size);
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
    r->model_dev_max = 0;
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
    md_uncertainty mu;
    if (!rc && md_potential_uncertainty(pot, &mu) && mu.force_dev_max > r->model_dev_max)
        r->model_dev_max = mu.force_dev_max;
    /* trackers: [0] the classifier, [1] the alternative one, [2..3] the neighbouring settings */
    seed_track tk[4];
    memset(tk, 0, sizeof tk);
    for (int k = 0; k < 4 && !rc && s; k++) rc = seed_track_init(&tk[k], p->track_seed, s->id, s->n);
    order_cluster_result cr;
    int size = 0, sa = 0;
    if (!rc) rc = order_analyze_frame(an, s, &cr);
    if (!rc) rc = track_size(&tk[0], an, s, &cr, 1, &size);
    order_cluster_result ca;
    if (!rc && p->an_alt) {
        rc = order_analyze_frame(p->an_alt, s, &ca);
        if (!rc) rc = track_size(&tk[1], p->an_alt, s, &ca, 1, &sa);
        if (!rc) r->n0_alt = sa;
        if (!rc && r->nmax_alt) r->nmax_alt[0] = sa;
    }
    for (int k = 0; k < 2 && !rc; k++)
        if (p->an_nb[k] && r->nmax_nb[k] && p->nb_frames > 0) {
            rc = order_analyze_frame(p->an_nb[k], s, &ca);
            if (!rc) rc = track_size(&tk[2 + k], p->an_nb[k], s, &ca, 1, &sa);
            if (!rc) r->nmax_nb[k][0] = sa;
        }
    if (!rc) {
        r->n0 = size;
        r->nmax[r->nframes++] = size;
        /* decisions relative to the settled size: N at frame settle_frames (the seed's interface has
         * relabelled); settle_frames = 0: relative to N(0) */
        double grow_at = p->grow_factor * (r->n0 > 0 ? r->n0 : 1);
        double melt_at = p->melt_fraction * r->n0;
        int settled = p->settle_frames <= 0;
        while (s->step < p->max_steps && r->nframes < p->max_frames) {
            rc = md_integrator_run(in, p->analyze_every);
            if (rc) break;
            /* the committee's model deviation of this frame's force evaluation */
            if (md_potential_uncertainty(pot, &mu) && mu.force_dev_max > r->model_dev_max)
                r->model_dev_max = mu.force_dev_max;
            rc = order_analyze_frame(an, s, &cr);
            if (!rc) rc = track_size(&tk[0], an, s, &cr, 0, &size);
            if (!rc && p->an_alt && r->nmax_alt) {
                rc = order_analyze_frame(p->an_alt, s, &ca);
                if (!rc) rc = track_size(&tk[1], p->an_alt, s, &ca, 0, &sa);
                if (!rc) r->nmax_alt[r->nframes] = sa;
            }
            for (int k = 0; k < 2 && !rc; k++)
                if (p->an_nb[k] && r->nmax_nb[k] && r->nframes < p->nb_frames) {
                    rc = order_analyze_frame(p->an_nb[k], s, &ca);
                    if (!rc) rc = track_size(&tk[2 + k], p->an_nb[k], s, &ca, 0, &sa);
                    if (!rc) r->nmax_nb[k][r->nframes] = sa;
                }
            if (rc) break;
            r->nmax[r->nframes++] = size;
            r->t_end = s->time;
            if (!settled && r->nframes - 1 >= p->settle_frames) {
                settled = 1;
                /* a seed that is no larger than the liquid's own background clusters has melted: the background
                 * must not become the reference (it would 'grow' by fluctuation) */
                if (size <= p->min_ref) {
                    r->outcome = SEED_MELTED;
                    break;
                }
                grow_at = p->grow_factor * (size > 0 ? size : 1);
                melt_at = p->melt_fraction * size;
                continue;
            }
            if (!settled) continue;
            if (size >= grow_at) {
                r->outcome = SEED_GROWN;
                break;
            }
            if (size <= melt_at) {
                r->outcome = SEED_MELTED;
                break;
            }
        }
    }
    for (int k = 0; k < 4; k++) seed_track_free(&tk[k]);
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
