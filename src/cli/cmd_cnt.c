/* seedrate cnt FILE: the nucleation rate from the model itself (T_m, dmu(T), N_c, f+ -> J with errors). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../ml/ml.h"
#include "../seeding/seed_cnt.h"
#include "../seeding/seed_comm.h"

int cmd_cnt(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        FILE *o = argc < 2 ? stderr : stdout;
        fprintf(o, "usage: [mpirun -np N] seedrate cnt FILE.ini   T_m (direct coexistence), dmu(T) (bulk enthalpies),\n"
                   "                                               N_c (seeding campaign), f+ -> gamma, dG*, J +- errors\n"
                   "       seedrate cnt --keys                     every input key with unit and default\n\n"
                   "FILE has the sections of a campaign plus [cnt]. Writes PREFIX.nc (campaign) and PREFIX.rates.nc;\n"
                   "then `seedrate report PREFIX`. Example: data/lj-rate.ini\n");
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--keys")) {
        seed_rate_print_keys(stdout);
        return 0;
    }
    ml_register();
    if (seed_comm_init(&argc, &argv)) {
        cli_report_error("MPI");
        return 1;
    }
    int rc = seed_rate_run(argv[1]);
    seed_comm_finalize();
    return rc;
}
