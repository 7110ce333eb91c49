/* cli: the blockshift command's subcommands.  Each returns a process exit
 * code: 0 success, 1 runtime failure, 2 bad input (models/README.md, section 9). */
#ifndef BS_CLI_H
#define BS_CLI_H

#include <stddef.h>

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_params(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_testbed(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_reproduce(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_validate(int argc, char **argv);

/* Load a configuration with overrides, printing every error; 0 or an exit
 * code.  (cmd_run.c) */
#include "world/world.h"
int cli_load(const char *config, int n_set, char *const *set, world *w);
/* Print `errors` (one per line; freed here) and, when there are several, the
 * summary message of status st; the exit code.  (cmd_run.c) */
int cli_report_errors(int st, char *errors);

/* Print "blockshift: <message>" to stderr and return the exit code for status. */
int cli_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The options of plot and compare, -o DIR, --format png|svg|pdf and
 * --quiet, into *dir, *format and *quiet (left as they are when not given);
 * --style and --size set the look.  0, or the exit code after a message
 * naming `cmd`.  optind is then at the first operand.  (cmd_plot.c) */
int cli_plot_options(const char *cmd, int argc, char **argv, const char **dir, int *format,
                     int *quiet);

/* What figures `result` (checked) can give, by its output level (run
 * --output): 0 for full; for daily, a note on stderr (unless quiet) that
 * the figures of hourly network data are left out, and 0; for summary,
 * exit code 2 after a message saying there is nothing to draw and how to
 * get it.  `cmd` names the command.  (cmd_plot.c) */
int cli_drawable(const char *cmd, const char *result, int quiet);

/* CONFIG as given on a command line: a file (kept as it is), or a shipped
 * scenario's name, NAME or NAME.cfg, looked up as NAME.cfg and
 * scenarios/NAME.cfg in each folder of BLOCKSHIFT_PATH (colon-separated),
 * then in the share folder's scenarios/ (installed: PREFIX/share/blockshift;
 * run from the build folder: the source tree).  *config then points to
 * the path found (static storage).  0, or exit code 2 after a message
 * saying where it looked.  (scenario_path.c) */
int cli_find_scenario(const char **config);
/* The share folder: PREFIX/share/blockshift for an installed
 * PREFIX/bin/blockshift (from /proc/self/exe), the source tree for the
 * command in the build folder it was built in.  0, or -1. */
int cli_share_dir(char *out, size_t size);

/* The cores this process may run on (its affinity mask).  (cmd_sweep.c) */
int cli_cores(void);

/* Whether argv contains -h or --help before a "--". */
int cli_wants_help(int argc, char **argv);

#endif
