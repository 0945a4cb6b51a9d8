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

/* Print "seedrate: error: <message>" for the last recorded error (sr_error_message()). */
void cli_report_error(const char *context);

#endif
