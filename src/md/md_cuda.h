/* md_cuda.h - replica-batched molecular dynamics on a GPU (issue #21; Lennard-Jones for now).
 *
 * Seeding runs many replicas of a few thousand atoms; one of them cannot fill a GPU. A batch holds R replicas
 * on the device at once - each with its own box, positions, velocities, forces, image counters, thermostat
 * state and random stream, all replicas sharing one model (LJ parameters, masses, timestep) - and every
 * kernel runs over the atoms (or replicas) of the whole batch in one launch. State stays on the device;
 * host <-> device copies happen only when the caller asks for a replica (an analysis frame) or replaces one.
 *
 * Per step, for every replica (the CPU integrator's order, md_integrate.c):
 *   T(dt/2) . kick(dt/2) . drift(dt) . [list rebuild if an atom moved > skin/2] . forces . kick(dt/2) . T(dt/2)
 * with the Bussi-Donadio-Parrinello thermostat (or none: NVE). Cells and Verlet lists (full lists, each pair
 * from both sides: no atomics in the force loop, so forces are deterministic) are built on the device, per
 * replica, only for replicas that need it; cell contents are sorted by atom index, so a replica's lists,
 * forces and trajectory do not depend on which other replicas share its batch (a batch of 8 gives each
 * replica's forces bit for bit as a batch of 1). Random numbers: Philox-4x32-10 keyed by (seed, the
 * replica's stream), counted by step, so a replica's noise does not depend on its batch either.
 * Not yet: the barostat (stochastic cell rescaling; the box is fixed), SW and the network potential,
 * restraints, spatial sorting of the atoms, mixed precision. Boxes must hold 3 list cells per axis
 * (edge >= 3 (cutoff + skin)); the CPU path has no such limit.
 *
 * Two back ends run the same per-atom and per-replica functions (md_cuda_kernel.h, MD_HOSTDEVICE):
 *   MD_CUDA_HOST    a host loop over them (every build; the reference of the device kernels in the tests, and
 *                   what checks the batch logic on machines without a GPU - not meant to be fast);
 *   MD_CUDA_DEVICE  CUDA kernels (md_cuda_kernels.cu; builds with SEEDRATE_CUDA and a usable GPU only).
 * The CPU engine (md_integrator + md_potential_lj) stays the reference and the fallback. */
#ifndef MD_CUDA_H
#define MD_CUDA_H

#include <stddef.h>
#include <stdint.h>

#include "md.h"

enum md_cuda_backend { MD_CUDA_HOST = 0, MD_CUDA_DEVICE = 1 };

/* 1 if this build has CUDA kernels and a GPU that runs them; 0 otherwise, with the reason (no CUDA build, no
 * driver, no device, no kernel image for this GPU's architecture) in why[len] (may be NULL). On success why
 * names the device. Never fails otherwise; a build without CUDA answers without touching any CUDA library. */
int md_cuda_available(char *why, size_t len);

typedef struct md_cuda_params {
    md_lj_params lj;        /* the model (as md_lj_create) */
    double dt;              /* timestep (time units) */
    int thermostat;         /* MD_THERMO_NONE (NVE) or MD_THERMO_BUSSI */
    double tau_t;           /* thermostat time (time units) */
    double skin;            /* Verlet skin (0: 0.3 in lj, 1.0 angstrom in metal) */
    uint64_t seed;          /* random seed of the batch; each replica draws from its own stream under it */
    int check_every;        /* steps between the host's overflow / blow-up checks (0: 50); a chunk that overflowed
                             * a cell or list is redone from its start with larger capacities */
    int cell_capacity;      /* atoms per cell (0: automatic); tests set it small to exercise the regrowth */
    int list_capacity;      /* neighbours per atom (0: automatic) */
} md_cuda_params;

typedef struct md_cuda_replica {
    const md_system *system; /* positions, velocities, types, box, units, masses (copied at create) */
    double temperature;      /* thermostat target (ignored without a thermostat) */
    int dof;                 /* degrees of freedom (0: 3N - 3) */
    uint64_t stream;         /* random stream of this replica under the batch seed */
} md_cuda_replica;

typedef struct md_cuda_thermo {
    long step;
    double time;
    double pe, ke, etotal; /* energy units */
    double temperature;
    double virial[6];      /* W_ab = sum over pairs r_a f_b: xx yy zz xy xz yz (energy units) */
    double pressure;       /* (2 KE/3 + W_trace/3) / V, pressure units */
    double heat;           /* energy taken out by the thermostat */
    double conserved;      /* etotal + heat: constant up to integration error */
} md_cuda_thermo;

typedef struct md_cuda_stats {
    long steps;
    long list_builds;      /* replica list builds, summed over replicas */
    long regrowths;        /* chunks redone after a cell or list overflow */
    int cell_capacity, list_capacity;
    size_t bytes;          /* memory held on the back end */
} md_cuda_stats;

typedef struct md_cuda_batch md_cuda_batch;

/* A batch of nrep replicas on `backend`. All replicas share units and type count (masses from replica 0);
 * each must have atoms and a box of >= 3 list cells per axis. Builds the lists and computes the forces
 * (md_cuda_batch_thermo then has energies). Errors: SR_EINVAL (inputs, with the replica named),
 * SR_EUNSUPPORTED (MD_CUDA_DEVICE without a usable GPU: the reason of md_cuda_available), SR_ENOMEM. */
int md_cuda_batch_create(int backend, const md_cuda_params *p, int nrep, const md_cuda_replica *reps,
                         md_cuda_batch **out);
void md_cuda_batch_free(md_cuda_batch *b);
int md_cuda_batch_nreplicas(const md_cuda_batch *b);
/* Advance every replica nsteps steps. Energies and virials are computed at the last step. SR_ENUMERIC when a
 * replica's temperature becomes non-finite or explodes (the replica is named). */
int md_cuda_batch_run(md_cuda_batch *b, long nsteps);
/* Forces, energies and virials of the current positions (lists rebuilt for every replica). */
int md_cuda_batch_compute(md_cuda_batch *b);
/* Copy replica r's state into s (which must have its atom count): positions (wrapped into the box), velocities,
 * forces, image counters, box, step and time. Types, ids and masses of s are left as they are. */
int md_cuda_batch_get(const md_cuda_batch *b, int r, md_system *s);
/* Replace replica r's positions, velocities and box by those of s (same atom count and types, e.g. a new seed
 * inserted on the host); its lists are rebuilt and forces recomputed at once. */
int md_cuda_batch_set(md_cuda_batch *b, int r, const md_system *s);
int md_cuda_batch_thermo(md_cuda_batch *b, int r, md_cuda_thermo *t);
void md_cuda_batch_stats(const md_cuda_batch *b, md_cuda_stats *st);
const char *md_cuda_backend_name(int backend);

#endif
