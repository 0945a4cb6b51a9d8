/* seed_umbrella.h - umbrella sampling of the largest-cluster size n = N_max (seedrate umbrella).
 *
 * Windows i carry the bias w_i(n) = (kappa/2) (n - c_i)^2 kT (centres c_i given, or every round(2/sqrt(kappa)) atoms
 * up to n_last), plus an unbiased window 0 (the liquid's own N_max histogram, `unbiased = yes`). Each window samples
 * exp(-beta (U + pV) - w(N_max)) by hybrid Monte Carlo (Duane et al. 1987; for N_max, which has no smooth
 * derivative, the route of ten Wolde, Ruiz-Montero & Frenkel, JCP 104, 9932 (1996) with MC, and of Auer & Frenkel,
 * Nature 409, 1020 (2001) and Filion et al., JCP 133, 244115 (2010) with short MD trajectories as trial moves):
 * one trial = fresh Maxwell-Boltzmann velocities from the window's stream, md_steps of the [ensemble] dynamics
 * (NVT: Bussi thermostat; NPT: plus stochastic cell rescaling), N_max of the end configuration, accepted with
 *     min(1, exp(-beta dH~ - beta dw)),
 * dw = w(n_new) - w(n_old), dH~ = change of the integrator's effective energy (`conserved`: kinetic + potential
 * (+ P V) minus the heat and work exchanged with the thermostat/barostat, Bussi, Donadio & Parrinello, JCP 126,
 * 014101 (2007); Bernetti & Bussi, JCP 153, 114107 (2020)). The thermostatted/barostatted dynamics samples the
 * unbiased ensemble and is reversible with respect to it up to the time-step error; dH~ is exactly that error (it is
 * zero for exact dynamics and the physical heat exchanged with the bath does not enter), so the Metropolis test on
 * dH~ + dw makes the window sample the biased distribution without time-step bias (as generalised HMC with Langevin
 * segments, Bussi & Parrinello, PRE 75, 056707 (2007)). Rejected trials keep the old configuration (and box) and
 * count it again. Accepting on dw alone - the common practice - is the dt -> 0 limit of this rule.
 *
 * Start of a window (`start`): a ladder on rank 0 passes one configuration from window to window in order of
 * centre, grow_sweeps trials of each window's bias, so that every window starts from its neighbour's configuration
 * (Auer & Frenkel, JCP 120, 3015 (2004)): `shrunk` (default) descends from one crystal seed of round(seed_factor
 * c_max) atoms at the largest centre, `grown` climbs from the liquid (only where the classifier sees clusters in the
 * liquid: under a strict one the liquid's N_max is 0 and HMC can only accept what the dynamics proposes). `seeded`:
 * every window with c_i >= 5 gets its own seed of round(seed_factor c_i) atoms. A seed replaces as many liquid
 * atoms, those closest to it (the number of atoms stays that of the liquid, so that all windows sample one system),
 * its interface relaxed with the seed frozen (relax_steps, NVT); seed_factor > 1 because the classifier does not
 * count the seed's surface atoms. Fresh seeds have strained surfaces and melt back during a chain: at the LJ state
 * point of data/lj-umbrella.ini seeded windows sat 6-7 atoms below their centres (validation/lj-umbrella).
 * equil_sweeps trials are then discarded; `sweeps` trials follow, N_max after each
 * is the window's sample. Windows are tasks on the MPI work queue; the random streams depend only on the window
 * index (-np 1 = -np N bit for bit); finished windows are journaled (PREFIX.umbrella.cnt.journal): a killed run
 * resumes with the windows it has (the ladder, deterministic, is run again unless every window is journaled).
 *
 * Free energy: WHAM over the windows' N_max histograms (cnt_wham_solve; one bin per atom, = MBAR), errors by a block
 * bootstrap (cnt_wham_bootstrap). F(n) = -ln P(N_max = n); beta dG(n) = -ln(P(N_max = n)/N) (N atoms) is the
 * formation free energy of an n-cluster where one cluster of that size dominates (n well above the liquid's typical
 * N_max): <N_n> = N exp(-beta dG(n)). n* = its maximum above the basin, dG* = dG(n*). With dmu, rho_s and gamma the
 * CNT curve -n|dmu| + (36 pi)^(1/3) rho_s^(-2/3) gamma n^(2/3) is written alongside. A parabola fitted to dG(n)
 * within top_half_width of the highest bin (cnt_umbrella_top_fit) gives a smoothed n*, dG* and the curvature, hence
 * the Zeldovich factor Z = sqrt(|beta dG''(n*)| / 2 pi); with attachment_rate f+ (measured at the top, e.g. seeding's
 * f+ from `seedrate cnt`, whose rates file and log give it per temperature) the rate J = rho_l Z f+ exp(-beta dG*)
 * (Auer & Frenkel, Nature 409, 1020 (2001)), rho_l the prepared liquid's number density. PREFIX.umbrella.nc.
 *
 * f+ on the same order parameter (attach_runs > 0): each biased window writes attach_runs configurations evenly over
 * its production (PREFIX.umbrella.wW.sK.ckpt, before its journal entry); after WHAM, attach_runs unbiased MD runs of
 * attach_steps start from the configurations of the window nearest the fitted n* (or attach_centre), with fresh
 * Maxwell-Boltzmann velocities, N_max every attach_every steps (seed_replica_run without decisions, streams from the
 * run seed and 5e9 + run index: -np 1 = -np N); f+ = var(N(t) - N(0))/(2t) about the runs' mean drift from
 * attach_skip_steps to where var has grown by 1/(pi Z^2), bootstrap over runs (seed_attach_analyse, as seeding's f+).
 * attachment_rate, if given, overrides it in J. log10 J's interval: the WHAM bootstrap's and the f+ bootstrap's 68%
 * half-widths in quadrature (cnt_umbrella_rate_interval). */
#ifndef SEED_UMBRELLA_H
#define SEED_UMBRELLA_H

#include <stdio.h>

#include "../common/sr_input.h"

typedef struct seed_umbrella_config {
    sr_reals centres;  /* window centres (atoms); empty: default spacing up to n_last */
    double kappa;      /* kT per atom^2 */
    sr_reals kappas;   /* per-window spring constants (empty: kappa for every window) */
    int start;         /* 0: grown by the bias from the liquid (ladder), 1: a seed inserted per window */
    int grow_sweeps;   /* ladder trials per window (start = grown) */
    double n_last;     /* last centre of the default spacing */
    int unbiased;      /* 1: window 0 without bias */
    long md_steps;     /* MD steps per HMC trial */
    int sweeps, equil_sweeps;
    int blocks, nboot;
    double wham_tol;
    sr_reals liquid_cells;
    double liquid_density, melt_temperature, cluster_cutoff;
    long melt_steps, equil_steps, relax_steps;
    double seed_factor; /* seed atoms per atom of the window centre */
    double dmu, rho_s, gamma; /* optional CNT curve */
    double f_plus;            /* optional attachment rate at the top (1/time): J = rho_l Z f+ exp(-beta dG*) */
    int top_half_width;       /* atoms each side of the highest bin in the parabola fit of the top */
    int attach_runs;          /* unbiased MD runs from the window nearest n* for f+ (0: none) */
    long attach_steps, attach_every; /* length of each run and steps between its N_max frames */
    long attach_skip_steps;   /* the f+ fit starts here (0: the first frame after the start) */
    double attach_centre;     /* > 0: the f+ runs start in the window of this centre (0: nearest the fitted n*) */
} seed_umbrella_config;

extern const sr_keyword seed_umbrella_keywords[];
void seed_umbrella_print_keys(FILE *out);

/* Run (or resume) the umbrella job of `file` on all MPI ranks (call seed_comm_init first); rank 0 prints progress and
 * results and writes PREFIX.umbrella.nc. Returns 0 on success (every rank). */
int seed_umbrella_run(const char *file);

#endif
