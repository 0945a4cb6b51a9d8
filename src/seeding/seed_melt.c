/* Melting point by direct coexistence (Ladd & Woodcock, Chem. Phys. Lett. 51, 155 (1977); Espinosa, Sanz,
 * Valeriani & Vega, JCP 139, 144502 (2013) for LJ and water): a crystal slab in contact with its liquid,
 * NpzAT (only L_z fluctuates, so the crystal keeps its lateral lattice constant). Below T_m the crystal
 * grows, above it melts; the crystalline fraction f(t) changes at rate
 *     df/dt = 2 A rho_s v / n          (two interfaces of area A = L_x L_y, n atoms),
 * so v = n (df/dt) / (2 A rho_s). T_m follows from the bracket of grow/melt outcomes and from the root of
 * a straight line v(T) (cnt_tm_bracket, cnt_tm_velocity). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "seed_cnt.h"
#include "../common/sr_rng.h"

int seed_block_average(const double *x, size_t n, size_t nblocks, double *mean, double *se)
{
    if (nblocks < 2 || nblocks > n) return SR_ERROR(SR_EINVAL, "block average: need 2 <= blocks (%zu) <= samples (%zu)",
                                                    nblocks, n);
    const size_t m = n / nblocks;
    double sum = 0, sum2 = 0;
    for (size_t b = 0; b < nblocks; b++) {
        double bm = 0;
        for (size_t k = 0; k < m; k++) bm += x[b * m + k];
        bm /= (double)m;
        sum += bm;
        sum2 += bm * bm;
    }
    const double mu = sum / (double)nblocks;
    double var = (sum2 - (double)nblocks * mu * mu) / (double)(nblocks - 1);
    if (var < 0) var = 0;
    *mean = mu;
    *se = sqrt(var / (double)nblocks);
    return SR_OK;
}

typedef struct zi {
    double z;
    int i;
} zi;

static int cmp_zi(const void *a, const void *b)
{
    const zi *p = a, *q = b;
    if (p->z < q->z) return -1;
    if (p->z > q->z) return 1;
    return p->i - q->i;
}

int seed_slab_mark(const md_system *s, unsigned char *lower, int *nlower)
{
    if (!s || s->n < 2 || !lower) return SR_ERROR(SR_EINVAL, "slab: need a system of at least 2 atoms");
    zi *a = malloc((size_t)s->n * sizeof *a);
    if (!a) return SR_ERROR(SR_ENOMEM, "out of memory");
    for (int i = 0; i < s->n; i++) {
        /* z relative to the box, wrapped: the lattice starts at box.lo */
        double z = s->x[3 * i + 2] - s->box.lo[2];
        z -= s->box.len[2] * floor(z / s->box.len[2]);
        a[i].z = z;
        a[i].i = i;
    }
    qsort(a, (size_t)s->n, sizeof *a, cmp_zi);
    memset(lower, 0, (size_t)s->n);
    const int h = s->n / 2;
    for (int k = 0; k < h; k++) lower[a[k].i] = 1;
    free(a);
    *nlower = h;
    return SR_OK;
}

/* mask[i] = by_id[id of local atom i] */
static void slab_mask(const md_system *s, const unsigned char *by_id, unsigned char *mask)
{
    for (int i = 0; i < s->n; i++) mask[i] = by_id[s->id[i]];
}

double seed_coex_velocity(int n, double slope, double area, double rho_s)
{
    return (double)n * slope / (2.0 * area * rho_s);
}

int seed_coex_run(const md_system *xtal, md_potential *pot, order_analyzer *an, const seed_coex_params *p,
                  int max_frames, seed_coex_result *r)
{
    if (!xtal || !pot || !an || !p || !r || !r->t || !r->frac || max_frames < 3 || p->analyze_every < 1 ||
        !(p->T > 0) || !(p->T_melt > 0))
        return SR_ERROR(SR_EINVAL, "coexistence run: bad arguments (T %g, T_melt %g, %d frames)", p ? p->T : 0,
                        p ? p->T_melt : 0, max_frames);
    memset(r->message, 0, sizeof r->message);
    r->nframes = 0;
    r->grew = 0;
    r->melt_rounds = 0;
    r->upper_solid = NAN;
    r->slope = r->slope_se = r->velocity = r->velocity_se = NAN;
    const uint64_t stream = 2000000000ull + 16ull * (uint64_t)p->task;
    md_system *s = md_system_copy(xtal);
    unsigned char *lower = s ? malloc((size_t)s->n) : NULL;
    gsl_rng *rv = sr_rng_create(p->seed, stream, SR_RNG_VELOCITIES);
    gsl_rng *rt = sr_rng_create(p->seed, stream + 1, SR_RNG_THERMOSTAT);
    md_integrator *in = NULL;
    int rc = (!s || !lower || !rv || !rt) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    int nlower = 0;
    if (!rc) rc = seed_slab_mark(s, lower, &nlower);
    /* the integrator's neighbour list sorts the atoms in s: the half is kept by atom id and `lower` (by local index,
     * what seed_run_steps and the analysis take) is rebuilt from it after every run */
    int64_t maxid = 0;
    for (int i = 0; !rc && i < s->n; i++)
        if (s->id[i] > maxid) maxid = s->id[i];
    unsigned char *lower_id = rc ? NULL : calloc((size_t)maxid + 1, 1);
    if (!rc && !lower_id) rc = SR_ERROR(SR_ENOMEM, "out of memory");
    for (int i = 0; !rc && i < s->n; i++) lower_id[s->id[i]] = lower[i];
    if (!rc) {
        r->area = s->box.len[0] * s->box.len[1];
        r->rho_s = s->n / md_system_volume(s);
    }
    /* 0. the crystal at (T, p): NpzAT keeps L_x, L_y, so they must be those of the crystal at T */
    md_integrator_params iso = p->ip;
    iso.temperature = p->T;
    iso.barostat = MD_BARO_ISO;
    if (iso.thermostat == MD_THERMO_NONE) iso.thermostat = MD_THERMO_BUSSI;
    if (!rc) rc = md_velocity_create(s, p->T, rv);
    if (!rc) rc = seed_run_steps(s, pot, &iso, p->xtal_steps, p->seed, stream + 4, NULL);
    if (!rc) {
        r->area = s->box.len[0] * s->box.len[1];
        r->rho_s = s->n / md_system_volume(s);
    }
    /* 1. melt the upper half, then bring it to T, lower half frozen (NVT, no barostat) */
    md_integrator_params nvt = p->ip;
    nvt.barostat = MD_BARO_NONE;
    if (nvt.thermostat == MD_THERMO_NONE) nvt.thermostat = MD_THERMO_BUSSI;
    if (!rc) rc = md_velocity_create(s, p->T_melt, rv);
    nvt.temperature = p->T_melt;
    /* With the thermostat on the mobile atoms only they are exactly at T_melt, and the frozen half templates them: melt
     * in rounds of melt_steps (own streams) until at most 10 % of the atoms in the middle half of the upper slab are
     * crystalline, at most SEED_COEX_MELT_ROUNDS times; the slab is never released half-melted. The middle
     * half, because the liquid layer next to each frozen face is ordered by it and some of its atoms are labelled
     * crystalline however long the melt runs (a fifth of the upper half in a 4x4x8 fcc test slab). */
    /* centre of the frozen half on the periodic z axis (circular mean): the upper half's middle is the slice of
     * width L_z / 4 centred L_z / 2 away from it */
    double sc = 0, cc = 0;
    if (!rc) slab_mask(s, lower_id, lower);
    for (int i = 0; !rc && i < s->n; i++)
        if (lower[i]) {
            const double ph = 6.283185307179586 * (s->x[3 * i + 2] - s->box.lo[2]) / s->box.len[2];
            sc += sin(ph);
            cc += cos(ph);
        }
    const double zmid = s->box.len[2] * (atan2(sc, cc) / 6.283185307179586 + 0.5);
    int rounds = 0;
    double upper_solid = 1;
    for (; !rc; rounds++) { /* streams: stream + 2 for the first round, stream + 5 ... + 14 for the others */
        rc = seed_run_steps(s, pot, &nvt, p->melt_steps, p->seed, stream + (rounds ? 4 + (uint64_t)rounds : 2), lower);
        slab_mask(s, lower_id, lower);
        order_cluster_result c0;
        if (!rc) rc = order_analyze_frame(an, s, &c0);
        if (rc) break;
        const int *ci = order_analyzer_cluster_index(an);
        int ns = 0, nm = 0;
        for (int i = 0; i < s->n; i++) {
            if (lower[i]) continue;
            double dz = s->x[3 * i + 2] - s->box.lo[2] - zmid;
            dz -= s->box.len[2] * round(dz / s->box.len[2]);
            if (fabs(dz) > 0.125 * s->box.len[2]) continue;
            nm++;
            ns += ci[i] >= 0;
        }
        upper_solid = nm ? (double)ns / nm : 1.0;
        if (nm && upper_solid <= 0.1) break;
        if (rounds == SEED_COEX_MELT_ROUNDS) {
            rc = SR_ERROR(SR_EFAILED, "the middle of the slab's upper half is still %.0f %% crystalline after %ld steps at "
                          "T_melt = %g (raise tm_melt_temperature or tm_melt_steps)", 100 * upper_solid,
                          (long)(rounds + 1) * p->melt_steps, p->T_melt);
            break;
        }
    }
    r->melt_rounds = rounds + 1;
    r->upper_solid = upper_solid;
    nvt.temperature = p->T;
    if (!rc) rc = md_velocity_create(s, p->T, rv);
    if (!rc) slab_mask(s, lower_id, lower);
    if (!rc) rc = seed_run_steps(s, pot, &nvt, p->cool_steps, p->seed, stream + 3, lower);
    /* 2. release: NpzAT at T, fresh velocities for everybody (the frozen half had none) */
    md_integrator_params npz = p->ip;
    npz.temperature = p->T;
    npz.barostat = MD_BARO_Z;
    if (npz.thermostat == MD_THERMO_NONE) npz.thermostat = MD_THERMO_BUSSI;
    if (!rc) {
        rc = md_velocity_create(s, p->T, rv);
        s->step = 0;
        s->time = 0;
    }
    if (!rc) {
        in = md_integrator_create(&npz, s, pot, rt);
        if (!in) rc = sr_error_status() ? sr_error_status() : SR_EINVAL;
    }
    if (!rc) rc = md_integrator_setup(in);
    order_cluster_result cr;
    while (!rc && r->nframes < max_frames) {
        if (r->nframes > 0) rc = md_integrator_run(in, p->analyze_every);
        if (!rc) rc = order_analyze_frame(an, s, &cr);
        if (rc) break;
        const double f = (double)cr.n_solid / s->n;
        r->t[r->nframes] = s->time;
        r->frac[r->nframes] = f;
        r->nframes++;
        if (s->step >= p->steps) break;
        if (r->nframes >= 4 && (f < 0.05 || f > 0.95)) break; /* the slab has melted or crystallised */
    }
    /* 3. slope of f(t) while both phases are present (at least the first 3 frames) */
    if (!rc) {
        int m = 0;
        while (m < r->nframes && r->frac[m] > 0.05 && r->frac[m] < 0.95) m++;
        if (m < 3) m = r->nframes < 3 ? r->nframes : 3;
        cnt_linfit lf;
        if (m < 3) rc = SR_ERROR(SR_EFAILED, "coexistence at T = %g: fewer than 3 frames", p->T);
        if (!rc) rc = cnt_linear_fit((size_t)m, r->t, r->frac, NULL, &lf);
        if (!rc) {
            r->slope = lf.b;
            r->slope_se = sqrt(lf.cov[1][1]);
            if (!(r->slope_se > 0)) r->slope_se = fabs(lf.b) * 1e-3 + 1e-12;
            r->velocity = seed_coex_velocity(s->n, r->slope, r->area, r->rho_s);
            r->velocity_se = seed_coex_velocity(s->n, r->slope_se, r->area, r->rho_s);
            r->grew = r->slope > 0;
        }
    }
    if (rc) snprintf(r->message, sizeof r->message, "coexistence at T = %g: %s", p->T, sr_error_message());
    md_integrator_free(in);
    md_system_free(s);
    free(lower);
    free(lower_id);
    gsl_rng_free(rv);
    gsl_rng_free(rt);
    return rc;
}
