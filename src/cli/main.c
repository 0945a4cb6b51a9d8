/* seedrate: nucleation rates by seeding. Subcommand dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../common/sr_error.h"

typedef struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} subcommand;

static const subcommand commands[] = {
    {"md", cmd_md, "run molecular dynamics from an input file"},
    {"campaign", cmd_campaign, "seeding campaign over MPI replicas: grow/melt statistics -> N_c +- error"},
    {"brute", cmd_brute, "brute-force MD over MPI replicas: first-passage times -> J (MLE and MFPT fit), n*, Z"},
    {"ffs", cmd_ffs, "forward flux sampling over MPI: flux through lambda_0, interface probabilities -> J +- errors"},
    {"umbrella", cmd_umbrella, "umbrella sampling of N_max over MPI (hybrid MC, WHAM): dG(n) +- errors, n*, dG*"},
    {"cnt", cmd_cnt, "nucleation rate from the model: T_m, dmu(T), N_c, f+ -> gamma, dG*, J +- errors"},
    {"report", cmd_report, "Markdown + PNG report of PREFIX.nc and PREFIX.rates.nc"},
    {"kmc", cmd_kmc, "cluster-size kinetic Monte Carlo: Becker-Doring flux vs CNT/Zeldovich vs MFPT rate"},
    {"analyze", cmd_analyze, "order parameters and largest crystalline cluster of a trajectory"},
    {"order", cmd_order, "order-parameter tools: calibrate thresholds by the mislabeling criterion"},
    {"train", cmd_train, "train a neural-network potential on energies and forces"},
    {"learn", cmd_learn, "active learning of a network committee against a teacher: explore, select, label, retrain"},
    {"ising", cmd_ising, "Ising-lattice nucleation testbed (n-fold-way kinetic Monte Carlo)"},
};

static void usage(FILE *out)
{
    fprintf(out, "seedrate %s - crystal nucleation rates by the seeding method\n\n", SEEDRATE_VERSION);
    fprintf(out, "usage: seedrate COMMAND [ARGS]   (seedrate COMMAND --help for details)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
}

void cli_report_error(const char *context)
{
    const char *msg = sr_error_message();
    if (context && *context)
        fprintf(stderr, "seedrate: error: %s: %s\n", context, *msg ? msg : sr_strerror(sr_error_status()));
    else
        fprintf(stderr, "seedrate: error: %s\n", *msg ? msg : sr_strerror(sr_error_status()));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("seedrate %s\n", SEEDRATE_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name)) {
            int rc = commands[i].run(argc - 1, argv + 1);
            return rc == 0 ? 0 : 1;
        }
    fprintf(stderr, "seedrate: error: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
