/* cli: the blockshift command's subcommands.  Each returns a process exit
 * code: 0 success, 1 runtime failure, 2 bad input (INTERFACES.md). */
#ifndef BS_CLI_H
#define BS_CLI_H

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_params(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_unbuilt(const char *name, const char *which_work);

/* Print "blockshift: <message>" to stderr and return the exit code for status. */
int cli_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Whether argv contains -h or --help before a "--". */
int cli_wants_help(int argc, char **argv);

#endif
