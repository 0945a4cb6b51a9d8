/* seedrate brute FILE: nucleation rate from brute-force MD first-passage times over MPI replicas
 * (mpirun -np N seedrate brute FILE). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../ml/ml.h"
#include "../seeding/seed_brute.h"
#include "../seeding/seed_comm.h"

int cmd_brute(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        FILE *o = argc < 2 ? stderr : stdout;
        fprintf(o,
                "usage: [mpirun -np N] seedrate brute FILE.ini   brute-force MD nucleation rate (no CNT)\n"
                "       seedrate brute --keys                    every input key with unit and default\n\n"
                "One supercooled liquid is prepared (melted, NPT-equilibrated at T), then [brute] replicas with fresh\n"
                "velocities run until the largest crystalline cluster reaches n_stop (well above N_c) or max_steps.\n"
                "Prints J from the censored-exponential MLE (k = n_reached / sum t, J = k/<V>) with errors and a\n"
                "bootstrap, and J, n*, Z from the Wedekind-Strey-Reguera fit of the mean first-passage time tau(n).\n"
                "Writes PREFIX.brute.nc and PREFIX.liquid.ckpt; numbers do not depend on the number of ranks.\n"
                "Example: data/lj-brute.ini\n");
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--keys")) {
        seed_brute_print_keys(stdout);
        return 0;
    }
    ml_register();
    if (seed_comm_init(&argc, &argv)) {
        cli_report_error("MPI");
        return 1;
    }
    int rc = seed_brute_run(argv[1]);
    seed_comm_finalize();
    return rc;
}
