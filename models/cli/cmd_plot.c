/* blockshift plot: the standard figures of a run (analysis/plot.h). */
#include "cli/cli.h"

#include "analysis/plot.h"
#include "io/results.h"
#include "base/fsutil.h"
#include "base/atomic.h"
#include "base/status.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "usage: blockshift plot RESULT.h5 [--format png|svg|pdf] [--style S] [--size WxH] [-o DIR]\n"
    "                       [--quiet]\n"
    "       blockshift plot SWEEPDIR [--format png|svg|pdf] [--style S] [--size WxH] [--quiet]\n"
    "\n"
    "Draw the standard figures of a run with gnuplot: people by first-choice app,\n"
    "failed calls, VPN users, and with the flow engine's results the border load,\n"
    "the censor's boxes and the busiest links.  Next to each figure: its data file\n"
    "(NAME.dat) and its gnuplot script (NAME.gp), to restyle it without running\n"
    "again.  Default DIR: RESULT without .h5, plus -plots.  For a sweep folder: each\n"
    "summary number against the varied parameter with its 95% confidence band (a heat\n"
    "map over a two-parameter grid), and for a sweep --sobol the Sobol indices of\n"
    "each number with their intervals (sobol-NAME), in SWEEPDIR/plots.\n"
    "\n"
    "  --style S   screen (the default: 1280x720 pixels, 7x4 inches for pdf), paper\n"
    "              (1200x750, 6.5x3.6 in, smaller type, thinner lines) or slides\n"
    "              (1600x900, 10x5.6 in, large type, thick lines)\n"
    "  --size WxH  the figure's size: pixels for png and svg, inches for pdf\n"
    "  --quiet     no messages (errors still go to stderr)\n"
    "The path of each figure drawn goes to stdout, one a line.\n"
    "Colours are Okabe and Ito's, safe for colour-blind readers, and every line has\n"
    "its own dash pattern; the scenario's events are labelled above the plot area.\n";

int cli_plot_options(const char *cmd, int argc, char **argv, const char **dir, int *format,
                     int *quiet)
{
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"style", required_argument, NULL, 's'},
                                         {"size", required_argument, NULL, 'z'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {NULL, 0, NULL, 0}};
    int style = PLOT_SCREEN;
    double w = 0, h = 0;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:q", opts, NULL)) != -1) {
        if (c == 'o') {
            *dir = optarg;
        } else if (c == 'q') {
            *quiet = 1;
        } else if (c == 'f') {
            int f = 0;
            while (f < N_PLOT_FORMATS && strcmp(optarg, plot_format_names[f]) != 0)
                f++;
            if (f == N_PLOT_FORMATS)
                return cli_fail(BS_EINPUT, "%s: --format '%s': use png, svg or pdf", cmd, optarg);
            *format = f;
        } else if (c == 's') {
            style = 0;
            while (style < N_PLOT_STYLES && strcmp(optarg, plot_style_names[style]) != 0)
                style++;
            if (style == N_PLOT_STYLES)
                return cli_fail(BS_EINPUT, "%s: --style '%s': use screen, paper or slides", cmd,
                                optarg);
        } else if (c == 'z') {
            char *end = NULL, *x = NULL;
            w = strtod(optarg, &x);
            h = x && (*x == 'x' || *x == 'X') ? strtod(x + 1, &end) : 0;
            if (!end || *end || !(w >= 1 && w <= 20000) || !(h >= 1 && h <= 20000))
                return cli_fail(BS_EINPUT,
                                "%s: --size '%s': give WxH (pixels for png and svg, inches for "
                                "pdf), each from 1 to 20000",
                                cmd, optarg);
        } else {
            return cli_fail(BS_EINPUT, "%s: unknown option or missing value in '%s' (try --help)",
                            cmd, argv[optind - 1]);
        }
    }
    plot_set_look(style, w, h);
    return 0;
}

int cli_drawable(const char *cmd, const char *result, int quiet)
{
    char level[16];
    int st = results_output_level(result, level, sizeof level);
    if (st != BS_OK)
        return cli_fail(st, "%s", bs_last_error());
    if (strcmp(level, "summary") == 0)
        return cli_fail(BS_EINPUT,
                        "%s: %s was written with --output summary (scenario.output): it holds "
                        "only the summary numbers (blockshift info shows them), no series to "
                        "draw; run again with --output daily or full",
                        cmd, result);
    if (strcmp(level, "daily") == 0 && !quiet)
        fprintf(stderr,
                "blockshift: %s: %s was written with --output daily: no hourly network and "
                "censor data, so no border, censor or links figure (--output full keeps them)\n",
                cmd, result);
    return 0;
}

/* The figures drawn, on stdout (for scripts); frees the paths. */
static void print_paths(int st, char **paths, int n)
{
    for (int i = 0; i < n; i++) {
        if (st == BS_OK)
            printf("%s\n", paths[i]);
        free(paths[i]);
    }
    fflush(stdout);
}

int cmd_plot(int argc, char **argv)
{
    atomic_signals(); /* an interrupt removes our temporaries and kills gnuplot */
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    const char *dir_arg = NULL;
    int format = PLOT_PNG, quiet = 0;
    int rc = cli_plot_options("plot", argc, argv, &dir_arg, &format, &quiet);
    if (rc)
        return rc;
    if (optind != argc - 1)
        return cli_fail(BS_EINPUT, "plot: give exactly one RESULT.h5 (try --help)");
    const char *result = argv[optind];
    struct stat sb;
    if (stat(result, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        char *paths[PLOT_MAX_FIGURES] = {0};
        int n = 0;
        int st = plot_need_gnuplot();
        if (st == BS_OK)
            st = plot_sweep(result, format, paths, &n);
        print_paths(st, paths, n);
        return st == BS_OK ? 0 : cli_fail(st, "%s", bs_last_error());
    }
    char dir[4096];
    size_t len = strlen(result);
    if (dir_arg)
        snprintf(dir, sizeof dir, "%s", dir_arg);
    else
        snprintf(dir, sizeof dir, "%.*s-plots", (int)(len > 3 && !strcmp(result + len - 3, ".h5") ? len - 3 : len),
                 result);
    char *paths[PLOT_MAX_FIGURES] = {0};
    int n = 0;
    /* Bad input first, then gnuplot: nothing is made before both are fine. */
    int st = results_check(result);
    if (st == BS_OK && (rc = cli_drawable("plot", result, quiet)) != 0)
        return rc;
    if (st == BS_OK)
        st = plot_need_gnuplot();
    if (st == BS_OK) /* it makes DIR once the file has been read and found drawable */
        st = plot_run(result, dir, format, paths, &n);
    print_paths(st, paths, n);
    return st == BS_OK ? 0 : cli_fail(st, "%s", bs_last_error());
}
