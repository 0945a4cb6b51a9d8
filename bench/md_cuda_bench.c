/* md_cuda_bench - atom-steps/s of the replica-batched GPU path (md_cuda.h) against one CPU core running the CPU
 * engine (md_integrator, LJ force loop picked at run time) on the same system, same neighbour policy (Verlet
 * list with skin 0.3, rebuilt when an atom moved more than skin/2).
 *
 * usage: md_cuda_bench SYSTEM REPLICAS STEPS CPU_STEPS [cuda|host]
 *   SYSTEM  lj32k   32,000 atoms: fcc 20^3 cells at rho 0.8442, velocities at T* 3.0, lj/cut 2.5 unshifted, NVE
 *                   (bench/lj-32k.ini with the safe neighbour policy)
 *           seeded  6,912 atoms: fcc 12^3 cells at rho 0.96 (the default job's seeded-system size and about its
 *                   density), velocities at T* 0.8, Bussi NVT T* 0.8 tau 0.1, lj/cut 2.5
 *   REPLICAS replicas in the batch (each its own velocities and random stream); the CPU runs one
 *   CPU_STEPS steps of the CPU reference (0: skip it)
 * Prints one `RESULT` line: system, atoms per replica, replicas, GPU and CPU atom-steps/s, their ratio.
 * Exit 77 when the GPU back end is asked for and there is none (the reason is printed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/sr_rng.h"
#include "md/md.h"
#include "md/md_cuda.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int fail(const char *what)
{
    fprintf(stderr, "md_cuda_bench: %s: %s\n", what, sr_error_message());
    return 1;
}

typedef struct bench_system {
    int cells;
    double density, temperature;
    int thermostat;
} bench_system;

static md_system *make(const bench_system *bs, unsigned long seed)
{
    md_system *s = NULL;
    if (md_lattice_build(MD_LATTICE_FCC, md_lattice_nn_for_density(MD_LATTICE_FCC, bs->density), bs->cells, bs->cells,
                         bs->cells, MD_UNITS_LJ, &s))
        return NULL;
    gsl_rng *r = sr_rng_create(87287, seed, SR_RNG_VELOCITIES);
    int rc = md_velocity_create(s, bs->temperature, r);
    gsl_rng_free(r);
    if (rc) {
        md_system_free(s);
        return NULL;
    }
    return s;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: md_cuda_bench lj32k|seeded REPLICAS STEPS CPU_STEPS [cuda|host]\n");
        return 2;
    }
    bench_system bs;
    if (!strcmp(argv[1], "lj32k"))
        bs = (bench_system){20, 0.8442, 3.0, MD_THERMO_NONE};
    else if (!strcmp(argv[1], "seeded"))
        bs = (bench_system){12, 0.96, 0.8, MD_THERMO_BUSSI};
    else {
        fprintf(stderr, "md_cuda_bench: unknown system '%s' (lj32k or seeded)\n", argv[1]);
        return 2;
    }
    const int nrep = atoi(argv[2]);
    const long steps = atol(argv[3]), cpu_steps = atol(argv[4]);
    const int backend = argc > 5 && !strcmp(argv[5], "host") ? MD_CUDA_HOST : MD_CUDA_DEVICE;
    if (nrep < 1 || steps < 1 || cpu_steps < 0) {
        fprintf(stderr, "md_cuda_bench: REPLICAS and STEPS must be >= 1, CPU_STEPS >= 0\n");
        return 2;
    }
    char why[256];
    const int have_gpu = md_cuda_available(why, sizeof why);
    printf("device: %s\n", why);
    if (backend == MD_CUDA_DEVICE && !have_gpu) {
        printf("SKIP md_cuda_bench: no GPU\n");
        return 77;
    }
    md_lj_params lj = {.ntypes = 1, .epsilon = {1.0}, .sigma = {1.0}, .cutoff = 2.5, .shift = 0};
    const double dt = 0.005, tau_t = 0.1, skin = 0.3;

    /* CPU reference: one replica, one core */
    double cpu_rate = 0.0;
    int natoms = 0;
    if (cpu_steps > 0) {
        md_system *s = make(&bs, 0);
        md_potential *pot;
        if (!s || md_lj_create(&lj, &pot)) return fail("cpu set-up");
        gsl_rng *rng = sr_rng_create(87287, 0, SR_RNG_THERMOSTAT);
        md_integrator_params ip = {.dt = dt, .thermostat = bs.thermostat, .temperature = bs.temperature,
                                   .tau_t = tau_t, .skin = skin};
        md_integrator *in = md_integrator_create(&ip, s, pot, rng);
        if (!in || md_integrator_setup(in)) return fail("cpu integrator");
        const double t0 = now();
        if (md_integrator_run(in, cpu_steps)) return fail("cpu run");
        const double t1 = now();
        md_thermo th;
        md_integrator_thermo(in, &th);
        natoms = s->n;
        cpu_rate = (double)s->n * cpu_steps / (t1 - t0);
        printf("cpu: 1 core, %d atoms, %ld steps in %.3f s: %.4g atom-steps/s (T %.4f, %ld list builds)\n", s->n,
               cpu_steps, t1 - t0, cpu_rate, th.temperature, md_integrator_nlist(in)->nbuilds);
        fflush(stdout);
        md_integrator_free(in);
        md_potential_free(pot);
        gsl_rng_free(rng);
        md_system_free(s);
    }

    /* the batch */
    md_system **sys = calloc((size_t)nrep, sizeof *sys);
    md_cuda_replica *reps = calloc((size_t)nrep, sizeof *reps);
    if (!sys || !reps) return fail("out of memory");
    for (int r = 0; r < nrep; r++) {
        if (!(sys[r] = make(&bs, (unsigned long)r))) return fail("system");
        reps[r] = (md_cuda_replica){.system = sys[r], .temperature = bs.temperature, .stream = (uint64_t)r};
    }
    natoms = sys[0]->n;
    md_cuda_params p = {.lj = lj, .dt = dt, .thermostat = bs.thermostat, .tau_t = tau_t, .skin = skin, .seed = 87287};
    md_cuda_batch *b;
    const double t0 = now();
    if (md_cuda_batch_create(backend, &p, nrep, reps, &b)) return fail("batch create");
    const double t1 = now();
    if (md_cuda_batch_run(b, 20)) return fail("warm-up"); /* first launches, caches */
    const double t2 = now();
    if (md_cuda_batch_run(b, steps)) return fail("batch run");
    const double t3 = now();
    md_cuda_stats st;
    md_cuda_batch_stats(b, &st);
    md_cuda_thermo th;
    if (md_cuda_batch_thermo(b, 0, &th)) return fail("thermo");
    const double rate = (double)natoms * nrep * steps / (t3 - t2);
    printf("%s: %d replicas x %d atoms, %ld steps in %.3f s (create %.3f s, 20-step warm-up %.3f s): %.4g atom-steps/s"
           " (replica 0: T %.4f, conserved %.8g; %ld list builds, %ld regrowths, capacities %d/%d, %.1f MiB)\n",
           md_cuda_backend_name(backend), nrep, natoms, steps, t3 - t2, t1 - t0, t2 - t1, rate, th.temperature,
           th.conserved, st.list_builds, st.regrowths, st.cell_capacity, st.list_capacity, st.bytes / 1048576.0);
    printf("RESULT system=%s atoms=%d replicas=%d steps=%ld backend=%s atom_steps_per_s=%.4g cpu_1core=%.4g "
           "ratio=%.3g\n",
           argv[1], natoms, nrep, steps, md_cuda_backend_name(backend), rate, cpu_rate,
           cpu_rate > 0 ? rate / cpu_rate : 0.0);
    md_cuda_batch_free(b);
    for (int r = 0; r < nrep; r++) md_system_free(sys[r]);
    free(sys);
    free(reps);
    return 0;
}
