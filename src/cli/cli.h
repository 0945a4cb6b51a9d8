/* cli.h - seedrate subcommands. Each lives in src/cli/cmd_<name>.c as
 *     int cmd_<name>(int argc, char **argv);
 * argv[0] is the subcommand name; `--help` prints usage and returns 0. Returns 0 on success, non-zero
 * on failure after printing one clear message (main() only turns it into the exit status). */
#ifndef SR_CLI_H
#define SR_CLI_H

int cmd_md(int argc, char **argv);
int cmd_analyze(int argc, char **argv);   /* order parameters / clusters of a trajectory */
int cmd_order(int argc, char **argv);     /* `seedrate order calibrate ...` */
int cmd_campaign(int argc, char **argv);
int cmd_cnt(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_kmc(int argc, char **argv);
int cmd_ising(int argc, char **argv);
int cmd_brute(int argc, char **argv);     /* brute-force MD rate from first-passage times */
int cmd_ffs(int argc, char **argv);       /* forward flux sampling rate on N_max */
int cmd_umbrella(int argc, char **argv);  /* umbrella sampling of N_max: dG(n), n*, dG* */

int cmd_learn(int argc, char **argv);     /* active learning of a network committee against a teacher */

/* Print "seedrate: error: <message>" for the last recorded error (sr_error_message()). */
void cli_report_error(const char *context);

/* The [descriptor], [network] and [training] sections of `seedrate train` (cmd_train.c), shared with
 * `seedrate learn`: bind them (problems go to el), print their keys, build a fresh template model. */
#include "../ml/ml.h"
typedef struct cli_desc_cfg {
    double rc, rc_angular, r_min;
    int n_radial, angular;
    sr_reals eta_angular, zeta;
} cli_desc_cfg;
typedef struct cli_net_cfg {
    sr_reals hidden;
    int activation;
} cli_net_cfg;
void cli_train_bind(sr_input *in, const char *file, cli_desc_cfg *de, cli_net_cfg *nc, ml_train_params *tp,
                    sr_errlist *el);
void cli_train_keys_print(FILE *out);
ml_model *cli_train_model(const cli_desc_cfg *de, const cli_net_cfg *nc, int nelem, const char *const *type_map);

#endif
