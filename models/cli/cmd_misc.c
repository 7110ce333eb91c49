/* The small subcommands: params and info. */
#include "cli/cli.h"

#include "config/config.h"
#include "io/results.h"
#include "base/status.h"

#include <stdio.h>
#include <string.h>

int cmd_params(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        puts("usage: blockshift params [--markdown]\n\n"
             "Print every configuration parameter with its type, default, range, unit,\n"
             "meaning and source.  --markdown prints the reference committed as\n"
             "configs/PARAMETERS.md.");
        return 0;
    }
    int markdown = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--markdown") == 0)
            markdown = 1;
        else
            return cli_fail(BS_EINPUT, "params: unknown argument '%s' (try --help)", argv[i]);
    }
    int st = config_params(stdout, markdown);
    if (fflush(stdout) != 0 && st == BS_OK)
        return cli_fail(BS_ERUNTIME, "params: cannot write to standard output");
    return st == BS_OK ? 0 : cli_fail(st, "%s", bs_last_error());
}

int cmd_info(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        puts("usage: blockshift info RESULT.h5\n\n"
             "Print what is in a results file: scenario, seed and run, provenance, events,\n"
             "every dataset with its shape, axes and units, and the summary numbers.\n"
             "Exit 2 if the file is not a complete blockshift results file.");
        return 0;
    }
    if (argc != 2)
        return cli_fail(BS_EINPUT, "info: expects one results file (try --help)");
    int st = results_info(argv[1], stdout);
    return st == BS_OK ? 0 : cli_fail(st, "%s", bs_last_error());
}
