/* Checks of the batched MD path (md_cuda.h) shared by tests/test_md_cuda.c (host back end: every build, every
 * machine) and tests/test_md_cuda_device.c (CUDA back end: skipped without a GPU). Each check takes the back
 * end; the CPU engine (md_compute / md_integrator with the LJ reference loop) is the reference. */
#ifndef MD_CUDA_TESTUTIL_H
#define MD_CUDA_TESTUTIL_H

#include <math.h>
#include <string.h>

#include "md/md_cuda.h"
#include "md_testutil.h"

static int tc_backend = MD_CUDA_HOST; /* set by each test program's main() */

#define TC_OK(expr)                                                                    \
    do {                                                                               \
        int tc_rc_ = (expr);                                                           \
        if (tc_rc_) print_message("%s -> %d: %s\n", #expr, tc_rc_, sr_error_message()); \
        assert_int_equal(tc_rc_, 0);                                                   \
    } while (0)

static md_lj_params tc_lj_single(void)
{
    md_lj_params p = {.ntypes = 1, .epsilon = {1.0}, .sigma = {1.0}, .cutoff = 2.5, .shift = 0};
    return p;
}
/* two types, unlike sizes and depths, arithmetic mixing, shifted: every path of the pair table */
static md_lj_params tc_lj_binary(void)
{
    md_lj_params p = {.ntypes = 2, .epsilon = {1.0, 0.731}, .sigma = {1.0, 0.883}, .cutoff = 2.385, .shift = 1,
                      .mixing = 1};
    return p;
}

/* jittered fcc (nc^3 cells) at density rho, Maxwell-Boltzmann velocities at T; ntypes > 1 assigns types pseudo-
 * randomly with masses 1 and 1.37 */
static md_system *tc_system(int nc, double rho, double jitter, double T, int ntypes, unsigned long seed)
{
    md_system *s = tu_jittered_fcc(nc, rho, jitter, seed);
    assert_non_null(s);
    if (ntypes > 1) {
        const double mass[2] = {1.0, 1.37};
        assert_int_equal(md_system_set_types(s, 2, mass, NULL), 0);
        for (int i = 0; i < s->n; i++) s->type[i] = (int)((i * 2654435761u + seed) >> 7) % 2;
    }
    gsl_rng *r = sr_rng_create(seed, 1, SR_RNG_VELOCITIES);
    assert_int_equal(md_velocity_create(s, T, r), 0);
    gsl_rng_free(r);
    return s;
}

static md_cuda_params tc_params(md_lj_params lj, int thermostat)
{
    md_cuda_params p = {.lj = lj, .dt = 0.005, .thermostat = thermostat, .tau_t = 0.1, .skin = 0.3, .seed = 8021};
    return p;
}

/* max |a - b| over max |b| */
static double tc_rel(const double *a, const double *b, int n)
{
    double d = 0.0, m = 0.0;
    for (int i = 0; i < n; i++) {
        d = fmax(d, fabs(a[i] - b[i]));
        m = fmax(m, fabs(b[i]));
    }
    return d / (m > 0 ? m : 1.0);
}

/* Forces, energy and virial of one batch replica against md_compute with the scalar reference LJ loop. */
static void tc_check_forces_vs_cpu(md_system *s, md_lj_params lj, double tol)
{
    md_system *ref = md_system_copy(s);
    md_potential *pot;
    TC_OK(md_lj_create(&lj, &pot));
    TC_OK(md_potential_set_kernel(pot, MD_KERNEL_REFERENCE));
    md_nlist *nl = md_nlist_create(lj.cutoff, 0.3, MD_NLIST_HALF);
    md_result res = {0};
    TC_OK(md_nlist_build(nl, ref));
    TC_OK(md_compute(pot, ref, nl, MD_WANT_FORCE | MD_WANT_ENERGY | MD_WANT_VIRIAL, &res));

    md_cuda_params p = tc_params(lj, MD_THERMO_NONE);
    md_cuda_replica rep = {.system = s, .stream = 1};
    md_cuda_batch *b;
    TC_OK(md_cuda_batch_create(tc_backend, &p, 1, &rep, &b));
    md_system *got = md_system_copy(s);
    TC_OK(md_cuda_batch_get(b, 0, got));
    md_cuda_thermo t;
    TC_OK(md_cuda_batch_thermo(b, 0, &t));
    const double ef = tc_rel(got->f, ref->f, 3 * s->n);
    const double ee = fabs(t.pe - res.energy) / fabs(res.energy);
    const double ev = tc_rel(t.virial, res.virial, 6);
    print_message("%s vs md_lj (%d types, %d atoms): forces %.3g, energy %.3g, virial %.3g (max |d| / max |ref|)\n",
                  md_cuda_backend_name(tc_backend), lj.ntypes, s->n, ef, ee, ev);
    assert_true(ef <= tol);
    assert_true(ee <= tol);
    assert_true(ev <= tol);
    md_cuda_batch_free(b);
    md_system_free(got);
    md_system_free(ref);
    md_nlist_free(nl);
    md_potential_free(pot);
}

static void tc_forces_match_cpu(double tol)
{
    md_system *s = tc_system(6, 0.95, 0.09, 1.1, 1, 31);
    tc_check_forces_vs_cpu(s, tc_lj_single(), tol);
    md_system_free(s);
    s = tc_system(7, 1.02, 0.07, 0.8, 2, 57);
    tc_check_forces_vs_cpu(s, tc_lj_binary(), tol);
    md_system_free(s);
}

/* A batch of 8 different replicas (densities, jitter, seeds, temperatures) gives each replica's forces and its
 * whole NVT trajectory bit for bit as a batch of 1 with the same random stream. */
static void tc_batch_equals_single(long nsteps)
{
    enum { R = 8 };
    md_system *sys[R];
    md_cuda_replica reps[R];
    for (int r = 0; r < R; r++) {
        sys[r] = tc_system(6, 0.90 + 0.01 * r, 0.05 + 0.01 * r, 0.8 + 0.05 * r, 2, 100 + r);
        reps[r] = (md_cuda_replica){.system = sys[r], .temperature = 0.75 + 0.02 * r, .stream = 7000 + 13 * r};
    }
    md_cuda_params p = tc_params(tc_lj_binary(), MD_THERMO_BUSSI);
    md_cuda_batch *all;
    TC_OK(md_cuda_batch_create(tc_backend, &p, R, reps, &all));
    md_system *a = md_system_copy(sys[0]), *c = md_system_copy(sys[0]);
    int nsame_f0 = 0;
    for (int r = 0; r < R; r++) {
        md_cuda_batch *one;
        TC_OK(md_cuda_batch_create(tc_backend, &p, 1, &reps[r], &one));
        TC_OK(md_cuda_batch_get(all, r, a));
        TC_OK(md_cuda_batch_get(one, 0, c));
        nsame_f0 += !memcmp(a->f, c->f, 3 * (size_t)a->n * sizeof(double));
        md_cuda_batch_free(one);
    }
    assert_int_equal(nsame_f0, R);
    TC_OK(md_cuda_batch_run(all, nsteps));
    for (int r = 0; r < R; r++) {
        md_cuda_batch *one;
        TC_OK(md_cuda_batch_create(tc_backend, &p, 1, &reps[r], &one));
        TC_OK(md_cuda_batch_run(one, nsteps));
        TC_OK(md_cuda_batch_get(all, r, a));
        TC_OK(md_cuda_batch_get(one, 0, c));
        const size_t bytes = 3 * (size_t)a->n * sizeof(double);
        const int same = !memcmp(a->x, c->x, bytes) && !memcmp(a->v, c->v, bytes) && !memcmp(a->f, c->f, bytes) &&
                         !memcmp(a->image, c->image, 3 * (size_t)a->n * sizeof(int));
        md_cuda_thermo ta, tb;
        TC_OK(md_cuda_batch_thermo(all, r, &ta));
        TC_OK(md_cuda_batch_thermo(one, 0, &tb));
        if (!same || ta.heat != tb.heat)
            print_message("replica %d: batch of %d and batch of 1 differ after %ld steps\n", r, R, nsteps);
        assert_true(same);
        assert_true(ta.heat == tb.heat && ta.pe == tb.pe);
        /* the thermostat acted and the replicas differ from each other */
        assert_true(ta.heat != 0.0);
        md_cuda_batch_free(one);
    }
    TC_OK(md_cuda_batch_get(all, 0, a));
    TC_OK(md_cuda_batch_get(all, 1, c));
    assert_true(memcmp(a->x, c->x, 3 * (size_t)a->n * sizeof(double)) != 0);
    md_cuda_stats st;
    md_cuda_batch_stats(all, &st);
    print_message("%s: batch of %d = batches of 1, bit for bit, forces and %ld NVT steps (%ld list builds)\n",
                  md_cuda_backend_name(tc_backend), R, nsteps, st.list_builds);
    assert_true(st.list_builds > R); /* lists were rebuilt during the run, not only at set-up */
    md_system_free(a);
    md_system_free(c);
    md_cuda_batch_free(all);
    for (int r = 0; r < R; r++) md_system_free(sys[r]);
}

/* The CPU integrator's largest excursion of the conserved quantity per atom (E, or E + heat with a thermostat),
 * sampled every 20 steps over nsteps after `relax` steps: the yardstick of the batch's energy conservation. */
static double tc_cpu_excursion(const md_system *s0, md_lj_params lj, int thermostat, double T, long relax, long nsteps)
{
    md_system *s = md_system_copy(s0);
    md_potential *pot;
    TC_OK(md_lj_create(&lj, &pot));
    gsl_rng *rng = sr_rng_create(5, 5, SR_RNG_THERMOSTAT);
    md_integrator_params ip = {.dt = 0.005, .skin = 0.3, .thermostat = thermostat, .temperature = T, .tau_t = 0.1};
    md_integrator *in = md_integrator_create(&ip, s, pot, rng);
    assert_non_null(in);
    TC_OK(md_integrator_setup(in));
    TC_OK(md_integrator_run(in, relax));
    md_thermo t0, t;
    TC_OK(md_integrator_thermo(in, &t0));
    double worst = 0.0;
    for (long k = 0; k < nsteps / 20; k++) {
        TC_OK(md_integrator_run(in, 20));
        TC_OK(md_integrator_thermo(in, &t));
        worst = fmax(worst, fabs(t.conserved - t0.conserved) / s->n);
    }
    md_integrator_free(in);
    gsl_rng_free(rng);
    md_potential_free(pot);
    md_system_free(s);
    return worst;
}

/* Unwrapped position of local atom i. */
static double tc_unwrapped(const md_system *s, int i, int d)
{
    return s->x[3 * i + d] + s->image[3 * i + d] * s->box.len[d];
}

/* NVE: the batch follows the CPU integrator (same step, same lists up to rounding) for nshort steps, then
 * conserves energy over nlong steps within the CPU test's bounds (tests/test_md_dynamics.c). */
static void tc_nve_vs_cpu(long nshort, long nlong, double tol_x)
{
    md_lj_params lj = tc_lj_single();
    lj.shift = 1;
    md_system *s = tc_system(6, 0.8442, 0.0, 1.6, 1, 4242);
    md_system *cpu = md_system_copy(s);
    md_potential *pot;
    TC_OK(md_lj_create(&lj, &pot));
    TC_OK(md_potential_set_kernel(pot, MD_KERNEL_REFERENCE));
    md_integrator_params ip = {.dt = 0.005, .skin = 0.3};
    md_integrator *in = md_integrator_create(&ip, cpu, pot, NULL);
    assert_non_null(in);
    TC_OK(md_integrator_setup(in));
    TC_OK(md_integrator_run(in, nshort));
    md_thermo tcpu;
    TC_OK(md_integrator_thermo(in, &tcpu));

    md_cuda_params p = tc_params(lj, MD_THERMO_NONE);
    p.check_every = 37; /* chunks that do not divide the run */
    md_cuda_replica rep = {.system = s, .stream = 3};
    md_cuda_batch *b;
    TC_OK(md_cuda_batch_create(tc_backend, &p, 1, &rep, &b));
    md_cuda_thermo t0, t;
    TC_OK(md_cuda_batch_thermo(b, 0, &t0));
    TC_OK(md_cuda_batch_run(b, nshort));
    TC_OK(md_cuda_batch_thermo(b, 0, &t));
    md_system *got = md_system_copy(s);
    TC_OK(md_cuda_batch_get(b, 0, got));
    /* the CPU list may have sorted its atoms: match by id */
    int *where = malloc(sizeof(int) * (size_t)(s->n + 1));
    for (int i = 0; i < cpu->n; i++) where[cpu->id[i] - 1] = i;
    double dx = 0, dv = 0;
    for (int i = 0; i < s->n; i++) {
        const int j = where[got->id[i] - 1];
        for (int d = 0; d < 3; d++) {
            dx = fmax(dx, fabs(tc_unwrapped(got, i, d) - tc_unwrapped(cpu, j, d)));
            dv = fmax(dv, fabs(got->v[3 * i + d] - cpu->v[3 * j + d]));
        }
    }
    print_message("%s NVE %ld steps vs md_integrator: max |dx| %.3g, |dv| %.3g, pe %.12g vs %.12g, ke %.12g vs %.12g\n",
                  md_cuda_backend_name(tc_backend), nshort, dx, dv, t.pe, tcpu.pe, t.ke, tcpu.ke);
    assert_true(dx < tol_x && dv < 10 * tol_x);
    assert_true(fabs(t.pe - tcpu.pe) < 1e3 * tol_x * fabs(tcpu.pe));
    /* energy conservation: the largest excursion of E/N sampled every 20 steps */
    double worst = 0.0;
    for (long k = 0; k < nlong / 20; k++) {
        TC_OK(md_cuda_batch_run(b, 20));
        TC_OK(md_cuda_batch_thermo(b, 0, &t));
        worst = fmax(worst, fabs(t.etotal - t0.etotal) / s->n);
    }
    const double cpu_worst = tc_cpu_excursion(s, lj, MD_THERMO_NONE, 0.0, nshort, nlong);
    print_message("%s NVE %ld more steps: T %.3f, max |E(t) - E(0)|/N %.3g (CPU integrator %.3g)\n",
                  md_cuda_backend_name(tc_backend), nlong, t.temperature, worst, cpu_worst);
    /* as the CPU integrator's (a chaotic trajectory: the same statistics, not the same numbers) */
    assert_true(worst < 2.0 * cpu_worst + 2e-5);
    assert_true(worst < 1e-3);
    assert_true(t.temperature > 0.5); /* it moved */
    free(where);
    md_system_free(got);
    md_system_free(cpu);
    md_system_free(s);
    md_integrator_free(in);
    md_potential_free(pot);
    md_cuda_batch_free(b);
}

/* Bussi NVT: mean temperature at the target and the conserved quantity E + heat nearly constant. */
static void tc_nvt_bussi(long nsteps)
{
    md_lj_params lj = tc_lj_single();
    lj.shift = 1;
    md_system *s = tc_system(6, 0.8442, 0.0, 2.0, 1, 99);
    const double T0 = 0.71;
    md_cuda_params p = tc_params(lj, MD_THERMO_BUSSI);
    md_cuda_replica rep = {.system = s, .temperature = T0, .stream = 12};
    md_cuda_batch *b;
    TC_OK(md_cuda_batch_create(tc_backend, &p, 1, &rep, &b));
    TC_OK(md_cuda_batch_run(b, 200)); /* relax */
    md_cuda_thermo t0, t;
    TC_OK(md_cuda_batch_thermo(b, 0, &t0));
    double sum = 0, worst = 0;
    const int nsamp = (int)(nsteps / 10);
    for (int k = 0; k < nsamp; k++) {
        TC_OK(md_cuda_batch_run(b, 10));
        TC_OK(md_cuda_batch_thermo(b, 0, &t));
        sum += t.temperature;
        worst = fmax(worst, fabs(t.conserved - t0.conserved) / s->n);
    }
    const double mean = sum / nsamp;
    const double cpu_worst = tc_cpu_excursion(s, lj, MD_THERMO_BUSSI, T0, 200, nsteps);
    print_message("%s Bussi NVT %ld steps: <T> %.4f (target %.2f), heat %.4g, max |conserved drift|/N %.3g (CPU "
                  "integrator %.3g)\n",
                  md_cuda_backend_name(tc_backend), nsteps, mean, T0, t.heat, worst, cpu_worst);
    /* std of T of 864 atoms ~ T sqrt(2/3N) = 0.02; the mean over ~nsteps*dt/tau_corr samples is far tighter */
    assert_true(fabs(mean - T0) < 0.02);
    assert_true(worst < 2.0 * cpu_worst + 2e-5);
    assert_true(worst < 1e-3);
    assert_true(fabs(t.heat) > 1e-3); /* the thermostat took out the excess kinetic energy */
    md_cuda_batch_free(b);
    md_system_free(s);
}

/* Cells and lists far too small at create: they grow until everything fits, and the forces and trajectory
 * are those of a batch created with room to spare (the lists do not depend on the capacities). A run whose
 * atoms pile up grows them again mid-run (a chunk redone) and stays on the roomy batch's trajectory. */
static void tc_capacity_regrowth(void)
{
    md_system *s = tc_system(6, 0.92, 0.05, 1.0, 1, 5);
    md_cuda_params p = tc_params(tc_lj_single(), MD_THERMO_NONE);
    md_cuda_replica rep = {.system = s, .stream = 1};
    md_cuda_batch *small, *roomy;
    p.cell_capacity = 2;
    p.list_capacity = 3;
    TC_OK(md_cuda_batch_create(tc_backend, &p, 1, &rep, &small));
    p.cell_capacity = 400;
    p.list_capacity = 900;
    TC_OK(md_cuda_batch_create(tc_backend, &p, 1, &rep, &roomy));
    md_cuda_stats st;
    md_cuda_batch_stats(small, &st);
    print_message("capacities grown to %d per cell, %d per list (%ld regrowths)\n", st.cell_capacity,
                  st.list_capacity, st.regrowths);
    assert_true(st.regrowths >= 1 && st.cell_capacity > 2 && st.list_capacity > 3);
    md_system *a = md_system_copy(s), *c = md_system_copy(s);
    TC_OK(md_cuda_batch_get(small, 0, a));
    TC_OK(md_cuda_batch_get(roomy, 0, c));
    assert_memory_equal(a->f, c->f, 3 * (size_t)s->n * sizeof(double));
    TC_OK(md_cuda_batch_run(small, 60));
    TC_OK(md_cuda_batch_run(roomy, 60));
    TC_OK(md_cuda_batch_get(small, 0, a));
    TC_OK(md_cuda_batch_get(roomy, 0, c));
    assert_memory_equal(a->x, c->x, 3 * (size_t)s->n * sizeof(double));
    md_cuda_batch_stats(small, &st);
    md_cuda_batch_free(small);
    md_cuda_batch_free(roomy);

    /* mid-run: two halves of the box driven into each other pile atoms up at the interfaces */
    for (int i = 0; i < s->n; i++) s->v[3 * i] += s->x[3 * i] < s->box.lo[0] + 0.5 * s->box.len[0] ? 2.5 : -2.5;
    p.cell_capacity = st.cell_capacity; /* what this system needed at rest */
    p.list_capacity = st.list_capacity;
    p.check_every = 10;
    TC_OK(md_cuda_batch_create(tc_backend, &p, 1, &rep, &small));
    md_cuda_batch_stats(small, &st);
    const long before = st.regrowths;
    p.cell_capacity = 400;
    p.list_capacity = 900;
    TC_OK(md_cuda_batch_create(tc_backend, &p, 1, &rep, &roomy));
    TC_OK(md_cuda_batch_run(small, 150));
    TC_OK(md_cuda_batch_run(roomy, 150));
    md_cuda_batch_stats(small, &st);
    TC_OK(md_cuda_batch_get(small, 0, a));
    TC_OK(md_cuda_batch_get(roomy, 0, c));
    double dx = 0;
    for (int i = 0; i < s->n; i++)
        for (int d = 0; d < 3; d++) dx = fmax(dx, fabs(tc_unwrapped(a, i, d) - tc_unwrapped(c, i, d)));
    print_message("colliding halves: %ld regrowths during the run (capacities %d, %d), max |dx| vs roomy %.3g\n",
                  st.regrowths - before, st.cell_capacity, st.list_capacity, dx);
    assert_true(st.regrowths > before);
    assert_true(dx < 1e-6);
    md_cuda_batch_free(small);
    md_cuda_batch_free(roomy);
    md_system_free(a);
    md_system_free(c);
    md_system_free(s);
}

/* Inputs the batch refuses, each with its reason. */
static void tc_errors(void)
{
    md_system *s = tc_system(3, 0.95, 0.0, 1.0, 1, 1); /* edge 4.8: fewer than 3 cells of 2.8 */
    md_cuda_params p = tc_params(tc_lj_single(), MD_THERMO_NONE);
    md_cuda_replica rep = {.system = s};
    md_cuda_batch *b = (md_cuda_batch *)&p;
    assert_int_equal(md_cuda_batch_create(tc_backend, &p, 1, &rep, &b), SR_EINVAL);
    assert_null(b);
    assert_non_null(strstr(sr_error_message(), "3 list cells"));
    md_system_free(s);
    s = tc_system(6, 0.95, 0.0, 1.0, 1, 1);
    rep.system = s;
    assert_int_equal(md_cuda_batch_create(tc_backend, &p, 0, &rep, &b), SR_EINVAL);
    p.thermostat = MD_THERMO_LANGEVIN;
    assert_int_equal(md_cuda_batch_create(tc_backend, &p, 1, &rep, &b), SR_EUNSUPPORTED);
    p.thermostat = MD_THERMO_BUSSI; /* replica temperature 0 */
    assert_int_equal(md_cuda_batch_create(tc_backend, &p, 1, &rep, &b), SR_EINVAL);
    assert_non_null(strstr(sr_error_message(), "replica 0"));
    p = tc_params(tc_lj_single(), MD_THERMO_NONE);
    TC_OK(md_cuda_batch_create(tc_backend, &p, 1, &rep, &b));
    md_system *other = tc_system(7, 0.95, 0.0, 1.0, 1, 1);
    assert_int_equal(md_cuda_batch_set(b, 0, other), SR_EINVAL); /* atom count */
    assert_int_equal(md_cuda_batch_get(b, 1, s), SR_EINVAL);     /* no replica 1 */
    assert_int_equal(md_cuda_batch_run(b, -1), SR_EINVAL);
    md_system_free(other);
    md_cuda_batch_free(b);
    md_system_free(s);
}

#endif
