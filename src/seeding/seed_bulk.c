/* Bulk NPT runs of the liquid and the crystal: enthalpy per particle h = H/N and number density, with
 * block-average errors. Dh(T) = h_liq - h_sol feeds the Gibbs-Helmholtz integration of dmu(T)
 * (cnt_dh_fit, cnt_dmu_gibbs_helmholtz); rho_s and rho_l enter gamma and J (cnt_compute). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "seed_cnt.h"
#include "../common/sr_rng.h"

int seed_bulk_run(const md_system *start, md_potential *pot, order_analyzer *an, const seed_bulk_params *p,
                  seed_bulk_result *r)
{
    if (!start || !pot || !p || !r || p->sample_every < 1 || p->prod_steps < p->sample_every * p->nblocks ||
        p->nblocks < 2 || !(p->ip.temperature > 0))
        return SR_ERROR(SR_EINVAL, "bulk run: need T > 0, blocks >= 2 and prod_steps >= blocks x sample_every");
    memset(r, 0, sizeof *r);
    const uint64_t stream = 3000000000ull + 16ull * (uint64_t)p->task;
    md_system *s = md_system_copy(start);
    gsl_rng *rv = sr_rng_create(p->seed, stream, SR_RNG_VELOCITIES);
    gsl_rng *rt = sr_rng_create(p->seed, stream + 1, SR_RNG_THERMOSTAT);
    const long ns = p->prod_steps / p->sample_every;
    double *h = malloc((size_t)ns * sizeof *h), *rho = malloc((size_t)ns * sizeof *rho);
    int rc = (!s || !rv || !rt || !h || !rho) ? SR_ERROR(SR_ENOMEM, "out of memory") : SR_OK;
    md_integrator_params ip = p->ip;
    if (ip.thermostat == MD_THERMO_NONE) ip.thermostat = MD_THERMO_BUSSI;
    if (!rc && p->T_melt > 0) { /* liquid: melt at constant volume first */
        md_integrator_params mp = ip;
        mp.barostat = MD_BARO_NONE;
        mp.temperature = p->T_melt;
        rc = md_velocity_create(s, p->T_melt, rv);
        if (!rc) rc = seed_run_steps(s, pot, &mp, p->melt_steps, p->seed, stream + 2, NULL);
    }
    ip.barostat = MD_BARO_ISO;
    if (!rc) rc = md_velocity_create(s, ip.temperature, rv);
    md_integrator *in = NULL;
    if (!rc) {
        in = md_integrator_create(&ip, s, pot, rt);
        if (!in) rc = sr_error_status() ? sr_error_status() : SR_EINVAL;
    }
    if (!rc) rc = md_integrator_setup(in);
    if (!rc && p->equil_steps > 0) rc = md_integrator_run(in, p->equil_steps);
    long k = 0;
    while (!rc && k < ns) {
        rc = md_integrator_run(in, p->sample_every);
        md_thermo th;
        if (!rc) rc = md_integrator_thermo(in, &th);
        if (rc) break;
        h[k] = th.enthalpy / s->n;
        rho[k] = s->n / th.volume;
        k++;
    }
    if (!rc) rc = seed_block_average(h, (size_t)ns, (size_t)p->nblocks, &r->h, &r->h_se);
    if (!rc) rc = seed_block_average(rho, (size_t)ns, (size_t)p->nblocks, &r->rho, &r->rho_se);
    r->nsamples = ns;
    order_cluster_result cr;
    if (!rc && an) {
        rc = order_analyze_frame(an, s, &cr);
        if (!rc) r->solid_fraction = (double)cr.n_solid / s->n;
    }
    md_integrator_free(in);
    md_system_free(s);
    gsl_rng_free(rv);
    gsl_rng_free(rt);
    free(h);
    free(rho);
    return rc;
}
