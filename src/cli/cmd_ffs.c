/* seedrate ffs FILE: nucleation rate by direct forward flux sampling on the largest crystalline cluster over MPI
 * ranks (mpirun -np N seedrate ffs FILE). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../ml/ml.h"
#include "../seeding/seed_comm.h"
#include "../seeding/seed_ffs.h"

int cmd_ffs(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        FILE *o = argc < 2 ? stderr : stdout;
        fprintf(o,
                "usage: [mpirun -np N] seedrate ffs FILE.ini   forward flux sampling nucleation rate (no CNT)\n"
                "       seedrate ffs --keys                    every input key with unit and default\n\n"
                "Direct forward flux sampling (Allen, Frenkel & ten Wolde 2006) on lambda = N_max, the largest\n"
                "crystalline cluster of the [order] classifier. A supercooled liquid is prepared (melted, NPT at T) and\n"
                "checked: lambda_0 must lie above its own N_max fluctuations. Basin runs give the flux Phi_0 through\n"
                "lambda_0 (first crossings after a visit to A = {N_max < lambda_A}); trials from the configurations stored\n"
                "at each interface give P(lambda_i+1 | lambda_i). J = Phi_0 prod P_i / <V>, with the analytic variance\n"
                "(Allen, Valeriani & ten Wolde 2009) and a bootstrap over basin runs and first-interface trees.\n"
                "Writes PREFIX.ffs.nc; resumable (PREFIX.ffs.cnt.journal); numbers do not depend on the number of ranks.\n"
                "Example: data/lj-ffs.ini\n");
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--keys")) {
        seed_ffs_print_keys(stdout);
        return 0;
    }
    ml_register();
    if (seed_comm_init(&argc, &argv)) {
        cli_report_error("MPI");
        return 1;
    }
    int rc = seed_ffs_run(argv[1]);
    seed_comm_finalize();
    return rc;
}
