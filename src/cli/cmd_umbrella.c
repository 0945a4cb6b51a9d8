/* seedrate umbrella FILE: free energy of the largest crystalline cluster by umbrella sampling with hybrid Monte Carlo
 * over MPI ranks (mpirun -np N seedrate umbrella FILE). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../ml/ml.h"
#include "../seeding/seed_comm.h"
#include "../seeding/seed_umbrella.h"

int cmd_umbrella(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        FILE *o = argc < 2 ? stderr : stdout;
        fprintf(o,
                "usage: [mpirun -np N] seedrate umbrella FILE.ini   umbrella sampling of N_max -> dG(n), n*, dG*\n"
                "       seedrate umbrella --keys                    every input key with unit and default\n\n"
                "Windows with the bias (kappa/2)(N_max - c_i)^2 kT (plus an unbiased one) sample a supercooled liquid\n"
                "by hybrid Monte Carlo: short MD segments with fresh velocities as trial moves, accepted with\n"
                "min(1, exp(-beta dH_eff - beta dw)) (dH_eff: the integrator's effective-energy error). WHAM over the\n"
                "windows' N_max histograms gives dG(n) with block-bootstrap errors, n* and dG*; with dmu, rho_s, gamma\n"
                "the CNT curve alongside. Writes PREFIX.umbrella.nc; resumable (PREFIX.umbrella.cnt.journal); numbers\n"
                "do not depend on the number of ranks. Example: data/lj-umbrella.ini\n");
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--keys")) {
        seed_umbrella_print_keys(stdout);
        return 0;
    }
    ml_register();
    if (seed_comm_init(&argc, &argv)) {
        cli_report_error("MPI");
        return 1;
    }
    int rc = seed_umbrella_run(argv[1]);
    seed_comm_finalize();
    return rc;
}
