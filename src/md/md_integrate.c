/* Velocity Verlet with stochastic thermostats and the stochastic cell-rescaling barostat.
 *
 * One step (thermostat half steps around a velocity-Verlet step, as in Bussi & Parrinello, PRE 75,
 * 056707, 2007):
 *   T(dt/2) · B(dt/2) · [barostat + drift] · forces · B(dt/2) · T(dt/2)
 * Thermostats: Bussi–Donadio–Parrinello stochastic velocity rescaling (JCP 126, 014101, 2007) and
 * Langevin (exact Ornstein–Uhlenbeck velocity update). Both book the energy they exchange in `heat`, so
 * `conserved` = E_total (+ P0 V) - heat - barostat work stays constant up to integration error.
 * Barostat: stochastic cell rescaling (Bernetti & Bussi, JCP 153, 114107, 2020). Isotropic: the
 * time-reversible scheme in the variable lambda = sqrt(V) with its effective-energy bookkeeping; velocities
 * are scaled with the cell and the kinetic energy enters the internal pressure. Per-axis and z-only
 * variants use the first-order (Euler) form of the same equation for each box length, as needed for
 * coexistence slabs (NpzAT); their effective energy is not tracked.
 *
 * A potential that integrates itself (md_potential_class.integrate: LAMMPS with integrate = lammps) is handed whole
 * segments instead (md_integrator_run -> one engine call per run), when it accepts this integrator's parameters and
 * restraints; otherwise, and for styles without the hook, the steps below run as always. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "md.h"

struct md_integrator {
    md_integrator_params p;
    md_system *s;
    md_potential *pot;
    md_nlist *nl;
    gsl_rng *rng;
    md_result res;
    int have_energy;     /* res.energy matches the current positions */
    double heat;         /* energy removed by thermostat and barostat noise (effective energy integral) */
    double lambda_save;  /* barostat increment of the current step */
    /* restraints */
    unsigned char *restrained; /* by local index */
    double *x0;                /* reference unwrapped positions [3n] */
    double k_restraint;
    double e_restraint;
    int nrestrained;
    long nsorts_seen;
    double volume0; /* at set-up, for the box-collapse check */
    unsigned long serial; /* identity for a force engine that integrates (md_engine_segment.owner) */
    int engine_ran;       /* the last segment ran in the engine: seedrate's list and forces are stale */
};

static unsigned long integrator_serial; /* integrators created so far (identities; one thread per rank) */

static void kick(md_system *s, double dt, const unsigned char *frozen)
{
    const double ftm2v = md_units_get(s->units)->ftm2v;
    for (int i = 0; i < s->n; i++) {
        if (frozen && frozen[i]) continue;
        const double c = 0.5 * dt * ftm2v / s->mass[s->type[i]];
        s->v[3 * i] += c * s->f[3 * i];
        s->v[3 * i + 1] += c * s->f[3 * i + 1];
        s->v[3 * i + 2] += c * s->f[3 * i + 2];
    }
}

/* Bussi resampling of the kinetic energy K for `ndeg` degrees of freedom, target Kt, relaxation time
 * tau in units of the interval between calls (Bussi, Donadio, Parrinello 2007, appendix). */
static double resample_kinetic(gsl_rng *rng, double K, double Kt, int ndeg, double tau)
{
    const double c = tau > 0.1 ? exp(-1.0 / tau) : 0.0;
    const double r1 = gsl_ran_gaussian_ziggurat(rng, 1.0);
    const double sum = ndeg > 1 ? gsl_ran_chisq(rng, ndeg - 1) : 0.0;
    return K + (1.0 - c) * (Kt * (sum + r1 * r1) / ndeg - K) + 2.0 * r1 * sqrt(K * Kt / ndeg * (1.0 - c) * c);
}

/* The degrees of freedom the thermostat and the reported temperature count. With frozen atoms (restrain with k < 0)
 * only the mobile ones: the frozen carry no kinetic energy, and counting them (3N - 3) made the Bussi target heat the
 * mobile atoms to T N / N_mobile - twice T in the coexistence stage's melt and cool steps, with half the slab frozen. */
static int integrator_dof(const md_integrator *in)
{
    if (in->restrained && in->k_restraint < 0 && in->nrestrained > 0 && in->nrestrained < in->s->n)
        return 3 * (in->s->n - in->nrestrained);
    return in->p.dof > 0 ? in->p.dof : md_default_dof(in->s);
}

static void thermostat_half(md_integrator *in)
{
    md_system *s = in->s;
    const double dt2 = 0.5 * in->p.dt;
    const md_units *u = md_units_get(s->units);
    const double kT = u->boltz * in->p.temperature;
    if (in->p.thermostat == MD_THERMO_BUSSI) {
        const int ndeg = integrator_dof(in);
        const double K = md_kinetic_energy(s);
        if (!(K > 0.0)) return;
        const double Kn = resample_kinetic(in->rng, K, 0.5 * ndeg * kT, ndeg, in->p.tau_t / dt2);
        const double a = sqrt(Kn / K);
        for (int i = 0; i < 3 * s->n; i++) s->v[i] *= a;
        in->heat += K - Kn;
    } else if (in->p.thermostat == MD_THERMO_LANGEVIN) {
        const double c1 = exp(-dt2 / in->p.tau_t);
        const double K = md_kinetic_energy(s);
        for (int i = 0; i < s->n; i++) {
            if (in->restrained && in->k_restraint < 0 && in->restrained[i]) continue;
            const double sd = sqrt((1.0 - c1 * c1) * kT / (s->mass[s->type[i]] * u->mvv2e));
            for (int k = 0; k < 3; k++)
                s->v[3 * i + k] = c1 * s->v[3 * i + k] + gsl_ran_gaussian_ziggurat(in->rng, sd);
        }
        in->heat += K - md_kinetic_energy(s);
    }
}

md_integrator *md_integrator_create(const md_integrator_params *p, md_system *s, md_potential *pot,
                                    gsl_rng *rng)
{
    if (!(p->dt > 0) || !isfinite(p->dt)) {
        SR_ERROR(SR_EINVAL, "timestep must be positive (got %g)", p->dt);
        return NULL;
    }
    if (p->thermostat != MD_THERMO_NONE && (!(p->temperature > 0) || !(p->tau_t > 0))) {
        SR_ERROR(SR_EINVAL, "thermostat needs temperature > 0 and tau_t > 0 (got %g, %g)", p->temperature,
                 p->tau_t);
        return NULL;
    }
    if (p->barostat != MD_BARO_NONE &&
        (!(p->tau_p > 0) || !(p->compressibility > 0) || !(p->temperature > 0) || !isfinite(p->pressure))) {
        SR_ERROR(SR_EINVAL, "barostat needs tau_p > 0, compressibility > 0, temperature > 0 and a finite pressure");
        return NULL;
    }
    if ((p->thermostat != MD_THERMO_NONE || p->barostat != MD_BARO_NONE) && !rng) {
        SR_ERROR(SR_EINVAL, "stochastic thermostat/barostat needs a random stream");
        return NULL;
    }
    md_integrator *in = calloc(1, sizeof *in);
    if (!in) return NULL;
    in->p = *p;
    in->s = s;
    in->pot = pot;
    in->rng = rng;
    in->serial = ++integrator_serial;
    if (in->p.dof == 0 && in->p.thermostat == MD_THERMO_LANGEVIN) in->p.dof = 3 * s->n;
    double skin = p->skin > 0 ? p->skin : (s->units == MD_UNITS_LJ ? 0.3 : 1.0);
    in->nl = md_nlist_create(md_potential_cutoff(pot), skin, pot->cls->nlist_kind);
    if (!in->nl) {
        free(in);
        return NULL;
    }
    in->nl->sort_every = 20; /* builds between spatial sorts of the atoms */
    in->nl->threads = pot->threads; /* the force loop's threads build the lists too (same lists) */
    in->nl->every = p->neigh_every > 1 ? p->neigh_every : 1;
    in->nl->check = !p->neigh_nocheck;
    return in;
}

void md_integrator_free(md_integrator *in)
{
    if (!in) return;
    md_nlist_free(in->nl);
    free(in->res.eatom);
    free(in->restrained);
    free(in->x0);
    free(in);
}

md_nlist *md_integrator_nlist(md_integrator *in) { return in->nl; }
const md_integrator_params *md_integrator_get_params(const md_integrator *in) { return &in->p; }

/* Harmonic tethers (or frozen atoms) added after the potential. */
static void apply_restraints(md_integrator *in)
{
    in->e_restraint = 0.0;
    if (!in->restrained) return;
    md_system *s = in->s;
    for (int i = 0; i < s->n; i++) {
        if (!in->restrained[i]) continue;
        if (in->k_restraint < 0) {
            s->f[3 * i] = s->f[3 * i + 1] = s->f[3 * i + 2] = 0.0;
            continue;
        }
        for (int k = 0; k < 3; k++) {
            double xu = s->x[3 * i + k] + s->image[3 * i + k] * s->box.len[k];
            double d = xu - in->x0[3 * i + k];
            s->f[3 * i + k] -= in->k_restraint * d;
            in->e_restraint += 0.5 * in->k_restraint * d * d;
        }
    }
}

/* After the neighbor list sorted the atoms, carry per-atom restraint data along. */
static int follow_sort(md_integrator *in)
{
    if (in->nl->nsorts == in->nsorts_seen) return SR_OK;
    in->nsorts_seen = in->nl->nsorts;
    if (!in->restrained) return SR_OK;
    const int n = in->s->n;
    const int *perm = in->nl->perm;
    unsigned char *r = malloc((size_t)n + 1);
    double *x0 = malloc(3 * (size_t)n * sizeof(double) + 1);
    if (!r || !x0) {
        free(r);
        free(x0);
        return SR_ERROR(SR_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        r[i] = in->restrained[perm[i]];
        for (int k = 0; k < 3; k++) x0[3 * i + k] = in->x0[3 * perm[i] + k];
    }
    free(in->restrained);
    free(in->x0);
    in->restrained = r;
    in->x0 = x0;
    return SR_OK;
}

static int compute_forces(md_integrator *in, unsigned want)
{
    SR_TRY(md_nlist_update(in->nl, in->s, NULL));
    SR_TRY(follow_sort(in));
    int rc = md_compute(in->pot, in->s, in->nl, want | MD_WANT_FORCE | MD_WANT_VIRIAL, &in->res);
    if (rc) return rc;
    apply_restraints(in);
    in->have_energy = (want & MD_WANT_ENERGY) != 0;
    return SR_OK;
}

int md_integrator_setup(md_integrator *in)
{
    in->volume0 = md_system_volume(in->s);
    SR_TRY(md_nlist_build(in->nl, in->s));
    SR_TRY(follow_sort(in));
    return compute_forces(in, MD_WANT_ENERGY);
}

int md_integrator_restrain(md_integrator *in, const unsigned char *mask, double k)
{
    md_system *s = in->s;
    free(in->restrained);
    free(in->x0);
    in->restrained = NULL;
    in->x0 = NULL;
    in->nrestrained = 0;
    if (!mask) return SR_OK;
    in->restrained = malloc((size_t)s->n);
    in->x0 = malloc(3 * (size_t)s->n * sizeof(double));
    if (!in->restrained || !in->x0) return SR_ERROR(SR_ENOMEM, "out of memory");
    for (int i = 0; i < s->n; i++) {
        in->restrained[i] = mask[i] != 0;
        in->nrestrained += in->restrained[i];
        for (int q = 0; q < 3; q++) in->x0[3 * i + q] = s->x[3 * i + q] + s->image[3 * i + q] * s->box.len[q];
    }
    in->k_restraint = k;
    if (k < 0)
        for (int i = 0; i < s->n; i++)
            if (in->restrained[i]) s->v[3 * i] = s->v[3 * i + 1] = s->v[3 * i + 2] = 0.0;
    return SR_OK;
}

/* Internal pressure tensor diagonal and scalar in energy/volume units (kinetic + virial). */
static void pressure_tensor_e(const md_integrator *in, double pt[6])
{
    const md_system *s = in->s;
    const double mvv2e = md_units_get(s->units)->mvv2e, V = md_system_volume(s);
    double kin[6] = {0, 0, 0, 0, 0, 0};
    for (int i = 0; i < s->n; i++) {
        const double m = s->mass[s->type[i]] * mvv2e;
        const double *v = &s->v[3 * i];
        kin[0] += m * v[0] * v[0];
        kin[1] += m * v[1] * v[1];
        kin[2] += m * v[2] * v[2];
        kin[3] += m * v[0] * v[1];
        kin[4] += m * v[0] * v[2];
        kin[5] += m * v[1] * v[2];
    }
    for (int k = 0; k < 6; k++) pt[k] = (kin[k] + in->res.virial[k]) / V;
}

/* lambda = sqrt(V) force of the isotropic scheme, energy units: F = -2 lambda (P0 - Pint - kT/(2V)). */
static double lambda_force(const md_integrator *in)
{
    const md_units *u = md_units_get(in->s->units);
    double pt[6];
    pressure_tensor_e(in, pt);
    const double V = md_system_volume(in->s), kT = u->boltz * in->p.temperature;
    const double pint = (pt[0] + pt[1] + pt[2]) / 3.0, p0 = in->p.pressure / u->nktv2p;
    return -2.0 * sqrt(V) * (p0 - pint - 0.5 * kT / V);
}

static void scale_box(md_integrator *in, const double sc[3])
{
    md_system *s = in->s;
    for (int k = 0; k < 3; k++) {
        s->box.lo[k] *= sc[k];
        s->box.len[k] *= sc[k];
    }
    if (in->x0 && in->k_restraint > 0)
        for (int i = 0; i < s->n; i++)
            for (int k = 0; k < 3; k++) in->x0[3 * i + k] *= sc[k];
}

static int one_step(md_integrator *in, unsigned want)
{
    md_system *s = in->s;
    const double dt = in->p.dt;
    /* frozen atoms; re-read after compute_forces, which may reorder atoms (and the mask) */
    const unsigned char *frozen = (in->restrained && in->k_restraint < 0) ? in->restrained : NULL;
    const md_units *u = md_units_get(s->units);
    const double kT = u->boltz * in->p.temperature;
    const double betaT_e = in->p.compressibility * u->nktv2p; /* volume/energy */

    thermostat_half(in);
    kick(s, dt, frozen);

    double r1[3] = {1, 1, 1}, r2[3] = {1, 1, 1}, vf[3] = {1, 1, 1};
    double lam_D = 0.0, F0 = 0.0;
    if (in->p.barostat == MD_BARO_ISO) {
        const double V = md_system_volume(s), lam = sqrt(V);
        lam_D = 0.25 * kT * betaT_e / in->p.tau_p;
        F0 = lambda_force(in);
        const double dlam = lam_D / kT * F0 * dt + sqrt(2.0 * lam_D * dt) * gsl_ran_gaussian_ziggurat(in->rng, 1.0);
        const double deps = 2.0 * log1p(dlam / lam);
        const double sc = exp(deps / 3.0);
        in->lambda_save = dlam;
        in->heat += 0.5 * dlam * F0 - 0.25 * lam_D / kT * dt * F0 * F0 + 0.5 * kT * log(V);
        for (int k = 0; k < 3; k++) {
            r1[k] = sc;
            vf[k] = 1.0 / sc;
            r2[k] = 0.5 * (r1[k] + vf[k]);
        }
    } else if (in->p.barostat == MD_BARO_ANISO || in->p.barostat == MD_BARO_Z) {
        double pt[6];
        pressure_tensor_e(in, pt);
        const double V = md_system_volume(s), p0 = in->p.pressure / u->nktv2p;
        for (int k = (in->p.barostat == MD_BARO_Z ? 2 : 0); k < 3; k++) {
            const double deps = -betaT_e / in->p.tau_p * dt * (p0 - pt[k] - kT / V) +
                                sqrt(2.0 * kT * betaT_e * dt / (V * in->p.tau_p)) *
                                    gsl_ran_gaussian_ziggurat(in->rng, 1.0);
            r1[k] = exp(deps);
            vf[k] = 1.0 / r1[k];
            r2[k] = 0.5 * (r1[k] + vf[k]);
        }
    }

    if (in->p.barostat == MD_BARO_NONE) {
        for (int i = 0; i < s->n; i++) {
            if (frozen && frozen[i]) continue;
            s->x[3 * i] += dt * s->v[3 * i];
            s->x[3 * i + 1] += dt * s->v[3 * i + 1];
            s->x[3 * i + 2] += dt * s->v[3 * i + 2];
        }
    } else {
        for (int i = 0; i < s->n; i++)
            for (int k = 0; k < 3; k++) {
                const int fz = frozen && frozen[i];
                s->x[3 * i + k] = r1[k] * s->x[3 * i + k] + (fz ? 0.0 : r2[k] * dt * s->v[3 * i + k]);
                s->v[3 * i + k] *= vf[k];
            }
        scale_box(in, r1);
    }
    s->step++;
    s->time += dt;

    SR_TRY(compute_forces(in, want));

    if (in->p.barostat == MD_BARO_ISO) {
        const double V = md_system_volume(s);
        const double F1 = lambda_force(in);
        in->heat += 0.5 * in->lambda_save * F1 + 0.25 * lam_D / kT * dt * F1 * F1 - 0.5 * kT * log(V);
    }
    frozen = (in->restrained && in->k_restraint < 0) ? in->restrained : NULL;
    kick(s, dt, frozen);
    thermostat_half(in);
    return SR_OK;
}

/* The segment goes to the force engine: it accepts these parameters and restraints. */
static int engine_integrates(const md_integrator *in)
{
    const md_potential_class *c = in->pot->cls;
    return c->integrate && c->integrates && c->integrates(in->pot->state, &in->p, in->restrained && in->k_restraint > 0);
}

static int sanity_check(md_integrator *in)
{
    double T = md_temperature(in->s, integrator_dof(in));
    double Tref = in->p.temperature > 0 ? in->p.temperature : 1.0;
    if (!isfinite(T) || T > 1e3 * Tref + 1e4)
        return SR_ERROR(SR_ENUMERIC, "temperature exploded to %g at step %ld", T, in->s->step);
    const double V = md_system_volume(in->s);
    if (in->p.barostat != MD_BARO_NONE && (!isfinite(V) || V < 0.05 * in->volume0 || V > 20.0 * in->volume0))
        return SR_ERROR(SR_ENUMERIC,
                        "box collapsed or exploded at step %ld: volume %g, %g at the start (pressure or "
                        "compressibility far off for this system?)",
                        in->s->step, V, in->volume0);
    return SR_OK;
}

static int engine_segment(md_integrator *in, long nsteps)
{
    md_engine_segment seg = {.p = &in->p,
                             .frozen = (in->restrained && in->k_restraint < 0) ? in->restrained : NULL,
                             .rng = in->rng,
                             .owner = in->serial,
                             .nsteps = nsteps};
    SR_TRY(in->pot->cls->integrate(in->pot->state, in->s, &seg, &in->res));
    in->heat += seg.heat;
    in->e_restraint = 0.0;
    in->have_energy = 1;
    in->engine_ran = 1;
    return sanity_check(in);
}

int md_integrator_run(md_integrator *in, long nsteps)
{
    if (nsteps > 0 && engine_integrates(in)) return engine_segment(in, nsteps);
    if (nsteps > 0 && in->engine_ran) { /* back from the engine: seedrate's list and forces afresh */
        in->engine_ran = 0;
        SR_TRY(md_nlist_build(in->nl, in->s));
        SR_TRY(follow_sort(in));
        SR_TRY(compute_forces(in, MD_WANT_ENERGY));
    }
    for (long k = 0; k < nsteps; k++) {
        unsigned want = (k == nsteps - 1) ? MD_WANT_ENERGY : 0;
        int rc = one_step(in, want);
        if (rc) return rc;
        /* temperature runaway (exploding system) */
        if ((in->s->step & 63) == 0) SR_TRY(sanity_check(in));
    }
    return SR_OK;
}

int md_integrator_thermo(md_integrator *in, md_thermo *t)
{
    md_system *s = in->s;
    if (!in->have_energy) SR_TRY(compute_forces(in, MD_WANT_ENERGY));
    const md_units *u = md_units_get(s->units);
    double pt[6];
    pressure_tensor_e(in, pt);
    memset(t, 0, sizeof *t);
    t->step = s->step;
    t->time = s->time;
    t->temperature = md_temperature(s, integrator_dof(in));
    for (int k = 0; k < 6; k++) t->ptensor[k] = pt[k] * u->nktv2p;
    t->pressure = (t->ptensor[0] + t->ptensor[1] + t->ptensor[2]) / 3.0;
    t->pe = in->res.energy + in->e_restraint;
    t->ke = md_kinetic_energy(s);
    t->etotal = t->pe + t->ke;
    t->volume = md_system_volume(s);
    const double pv = (in->p.barostat != MD_BARO_NONE ? in->p.pressure : t->pressure) * t->volume / u->nktv2p;
    t->enthalpy = t->etotal + pv;
    t->conserved = t->etotal + (in->p.barostat != MD_BARO_NONE ? pv : 0.0) + in->heat;
    md_uncertainty unc;
    t->has_model_dev = md_potential_uncertainty(in->pot, &unc); /* NAN for potentials without one */
    t->model_dev = unc.force_dev_max;
    return SR_OK;
}

/* ---- checkpoint state access (md_checkpoint.c) ---- */
void md_integrator_state_get(const md_integrator *in, double *heat, gsl_rng **rng);
void md_integrator_state_set(md_integrator *in, double heat);
void md_integrator_state_get(const md_integrator *in, double *heat, gsl_rng **rng)
{
    *heat = in->heat;
    *rng = in->rng;
}
void md_integrator_state_set(md_integrator *in, double heat)
{
    in->heat = heat;
    in->have_energy = 0;
}
