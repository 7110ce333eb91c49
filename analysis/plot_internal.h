/* plot_internal: what plot.c shares with compare.c: a figure as a table of
 * days by columns, and drawing it with gnuplot. */
#ifndef BS_PLOT_INTERNAL_H
#define BS_PLOT_INTERNAL_H

#include "analysis/plot.h"
#include "io/results.h"

#include <stddef.h>

/* What one figure shows: a table of days by columns, and how to draw it. */
typedef struct figure {
    const char *name, *title, *ylabel;
    int n_cols;
    char **cols;        /* column names */
    double *v;          /* [day][col] */
    int n_stack;        /* columns 0..n_stack-1 are stacked areas, the rest lines */
    int pair;           /* > 0: columns [0, pair) are run A, [pair, 2 pair) run B */
    int lower;          /* > 0: columns [lower - 1, n_cols) go to a lower panel, the
                           first as an area, the others as lines */
    const char *lower_ylabel; /* its axis label (NULL: ylabel) */
    const char *pair_name[2]; /* pair > 0: the runs' names, for the legend */
    const struct plot_obs *obs; /* observations drawn as points (plot_obs.h); NULL: none */
} figure;

typedef struct run {
    const results_run *f; /* what was read (results_load), validated */
    const char *result, *dir;
    int format, n_days;
    long epoch;         /* days since 1970 of day 0 */
    int replay;         /* a testbed replay (/testbed/replay): counts of people and calls */
    int *day_of;        /* [row] the day of each row since day 0 (/dims/day's values: a
                           run has every day, a replay one row per phase) */
    const results_event *ev;
    int n_ev;
    char **paths;
    int n_paths;
    const struct observation_set *obs; /* the scenario's observations (plot_obs.h); may be NULL */
} run;

/* Draw g into r->dir: NAME.dat, NAME.gp, then gnuplot, all in a temporary
 * folder, each renamed into place once the image is complete; adds the
 * figure's path to r->paths. */
int plot_draw(run *r, const figure *g);

/* gnuplot's terminal for the format, with the look's size and font
 * (plot_set_look), into out[size]. */
void plot_terminal(int format, char *out, size_t size);

/* Write g's gnuplot script to path (plot_script.c): the shared look, the
 * events above the plot area, and the figure's areas and lines read from
 * NAME.dat next to the script, wherever it is run from. */
int plot_write_script(const run *r, const figure *g, const char *path);

/* Run gnuplot on dir/script, which draws to the file named by its variable
 * `outfile`, here a unique temporary dir/.OUT.tmp-PID-RANDOM, renamed to
 * dir/out when gnuplot succeeded and the image is complete (PNG: IEND, PDF:
 * %%EOF, SVG: </svg>).  BS_OK, or BS_ERUNTIME with gnuplot's message. */
int plot_gnuplot(const char *dir, const char *script, const char *out);

/* Days since 1970 of an ISO date, -1 if it is not one. */
long plot_parse_date(const char *iso);

#endif
