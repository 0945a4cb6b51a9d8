/* seedrate campaign FILE: a seeding campaign over MPI replicas (mpirun -np N seedrate campaign FILE). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../ml/ml.h"
#include "../seeding/seed.h"
#include "../seeding/seed_comm.h"

int cmd_campaign(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        FILE *o = argc < 2 ? stderr : stdout;
        fprintf(o, "usage: [mpirun -np N] seedrate campaign FILE.ini   seeding campaign -> N_c (or T_c) +- error\n"
                   "       seedrate campaign --keys                    every input key with unit and default\n\n"
                   "Replicas are spread over the MPI ranks; a campaign killed at any point resumes from its journal\n"
                   "when started again with the same input. Example: data/lj-campaign.ini\n");
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--keys")) {
        seed_campaign_print_keys(stdout);
        return 0;
    }
    ml_register();
    if (seed_comm_init(&argc, &argv)) {
        cli_report_error("MPI");
        return 1;
    }
    int rc = seed_campaign_run(argv[1], NULL);
    seed_comm_finalize();
    return rc;
}
