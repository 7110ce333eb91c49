/* blockshift reproduce: every figure of a paper (analysis/reproduce.h). */
#include "cli/cli.h"

#include "analysis/reproduce.h"
#include "base/atomic.h"
#include "base/progress.h"
#include "base/status.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: blockshift reproduce MANIFEST [-o DIR] [--progress] [--quiet]\n"
    "\n"
    "Run what is missing of every figure of MANIFEST (resuming what is there), draw the\n"
    "figures, and write DIR/checksums.txt of the datasets behind them.  A checksums.txt\n"
    "from an earlier run (copy it from another machine) is compared: each figure is\n"
    "reported as reproduced bit for bit or not.  Default DIR: results/reproduce/<MANIFEST\n"
    "name>.  Example: analysis/papers/example.cfg.  Figures with the same scenario,\n"
    "overrides and seed share their runs: each distinct run is run once.  The path\n"
    "of each figure goes to stdout, one a line; messages to stderr.\n"
    "\n"
    "  --progress  progress lines with the time left on stderr even when it is not a\n"
    "              terminal (a tenth of the runs a line); on a terminal the progress\n"
    "              line is always shown\n"
    "  --quiet     no progress and no messages but the verdict of a comparison that\n"
    "              differs (errors still go to stderr)\n";

int cmd_reproduce(int argc, char **argv)
{
    atomic_signals(); /* an interrupt removes our temporaries and kills gnuplot */
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"progress", no_argument, NULL, 'P'},
                                         {NULL, 0, NULL, 0}};
    const char *dir_arg = NULL;
    int quiet = 0, lines = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:q", opts, NULL)) != -1) {
        if (c == 'o')
            dir_arg = optarg;
        else if (c == 'q')
            quiet = 1;
        else if (c == 'P')
            lines = 1;
        else
            return cli_fail(BS_EINPUT, "reproduce: unknown option or missing value in '%s' (try --help)",
                            argv[optind - 1]);
    }
    if (optind != argc - 1)
        return cli_fail(BS_EINPUT, "reproduce: give exactly one MANIFEST (try --help)");
    if (quiet && lines)
        return cli_fail(BS_EINPUT, "reproduce: --quiet and --progress contradict each other");
    const char *manifest = argv[optind];
    char dir[4096], self[PATH_MAX];
    if (dir_arg) {
        snprintf(dir, sizeof dir, "%s", dir_arg);
    } else {
        const char *base = strrchr(manifest, '/');
        base = base ? base + 1 : manifest;
        size_t len = strlen(base);
        snprintf(dir, sizeof dir, "results/reproduce/%.*s", (int)(len > 4 && !strcmp(base + len - 4, ".cfg") ? len - 4 : len), base);
    }
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return cli_fail(BS_ERUNTIME, "reproduce: cannot find the blockshift executable");
    self[n] = '\0';
    char *errors = NULL;
    int st = reproduce_check(manifest, &errors);
    if (st != BS_OK)
        return errors ? cli_report_errors(st, errors) : cli_fail(st, "%s", bs_last_error());
    int same = 0, compared = 0;
    st = reproduce_run(manifest, dir, self,
                       quiet ? PROGRESS_OFF : lines ? PROGRESS_LINES : PROGRESS_AUTO, &same,
                       &compared);
    if (st != BS_OK)
        return cli_fail(st, "%s", bs_last_error());
    if (compared && (!quiet || same != compared))
        fprintf(stderr, "blockshift: %d of %d figures reproduced bit for bit; checksums in %s/checksums.txt\n",
                same, compared, dir);
    else if (!compared && !quiet)
        fprintf(stderr, "blockshift: figures and checksums in %s (no earlier checksums.txt to compare)\n", dir);
    printf("%s/checksums.txt\n", dir);
    return compared && same != compared ? 1 : 0;
}
