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
        puts("usage: blockshift params [--markdown] [--quiet]\n\n"
             "Print every configuration parameter with its type, default, range, unit,\n"
             "meaning and source.  --markdown prints the reference committed as\n"
             "configs/PARAMETERS.md.  --quiet is accepted as by every command (the\n"
             "reference on stdout is what params writes; it has no other messages).");
        return 0;
    }
    int markdown = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--markdown") == 0)
            markdown = 1;
        else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
            continue;
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
        puts("usage: blockshift info RESULT.h5 [--quiet]\n\n"
             "Print what is in a results file: scenario, seed and run, provenance, events,\n"
             "every dataset with its shape, axes and units, and the summary numbers.\n"
             "Exit 2 if the file is not a complete blockshift results file.  --quiet is\n"
             "accepted as by every command (the description on stdout is what info\n"
             "writes; it has no other messages).");
        return 0;
    }
    const char *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
            continue;
        if (file)
            return cli_fail(BS_EINPUT, "info: expects one results file (try --help)");
        file = argv[i];
    }
    if (!file)
        return cli_fail(BS_EINPUT, "info: expects one results file (try --help)");
    int st = results_info(file, stdout);
    return st == BS_OK ? 0 : cli_fail(st, "%s", bs_last_error());
}
