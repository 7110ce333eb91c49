/* blockshift compare: two runs of the same scenario (analysis/compare.h). */
#include "cli/cli.h"

#include "analysis/compare.h"
#include "analysis/plot.h"
#include "base/atomic.h"
#include "base/status.h"
#include "io/results.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h> /* optind */

static const char usage[] =
    "usage: blockshift compare A.h5 B.h5 [-o DIR] [--format png|svg|pdf] [--style S] [--size WxH]\n"
    "                          [--quiet]\n"
    "\n"
    "Compare two runs of the same world (a scenario and its counterfactual):\n"
    "DIR/differences.txt (per app and per link class, A, B and B - A; the largest\n"
    "difference of every dataset) and figures of both on shared axes (A solid, B\n"
    "dashed).  Default DIR: compare/ next to A.  Files whose apps, regions, days or\n"
    "network differ are refused.  The path of each file written (the table, the\n"
    "figures) goes to stdout, one a line; --quiet: no messages (errors still go to\n"
    "stderr).  --style and --size: as for blockshift plot.\n";

int cmd_compare(int argc, char **argv)
{
    atomic_signals(); /* an interrupt removes our temporaries and kills gnuplot */
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    const char *dir_arg = NULL;
    int format = PLOT_PNG, quiet = 0;
    int rc = cli_plot_options("compare", argc, argv, &dir_arg, &format, &quiet);
    if (rc)
        return rc;
    if (optind != argc - 2)
        return cli_fail(BS_EINPUT, "compare: give two results files, A.h5 and B.h5 (try --help)");
    char dir[4096];
    if (dir_arg) {
        snprintf(dir, sizeof dir, "%s", dir_arg);
    } else {
        const char *a = argv[optind], *slash = strrchr(a, '/');
        snprintf(dir, sizeof dir, "%.*scompare", slash ? (int)(slash - a + 1) : 0, a);
    }
    for (int k = 0; k < 2; k++) {
        int st = results_check(argv[optind + k]);
        if (st != BS_OK)
            return cli_fail(st, "%s", bs_last_error());
        if ((rc = cli_drawable("compare", argv[optind + k], quiet)) != 0)
            return rc;
    }
    int identical = 0;
    int st = compare_run(argv[optind], argv[optind + 1], dir, format, &identical);
    if (st != BS_OK)
        return cli_fail(st, "%s", bs_last_error());
    if (!quiet)
        fprintf(stderr, "blockshift: %s; the table is in %s/differences.txt\n",
                identical ? "no differences" : "the runs differ", dir);
    printf("%s/differences.txt\n", dir);
    return 0;
}
