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
    /* The mean of `reps` replications (reps > 1, plot_runs): v holds the
     * means, lo and hi ([day][col]) the 95% interval of each mean, drawn as
     * a band around the lines (not around stacked areas).  NULL, 0: one run. */
    const double *lo, *hi;
    int reps;
    const char *note; /* a line under the title (NULL: none) */
} figure;

struct plot_band; /* plot_band.c: the figures of every replication, gathered */

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
    struct plot_band *band; /* non-NULL: figures go through plot_band_figure */
} run;

/* ---- the mean of replications with its band (plot_band.c) ----
 *
 * plot_runs draws each figure of replication 0's file with every value the
 * mean over the replications, in two passes over the same figure code: a
 * gathering pass per replication, where plot_draw hands each figure to
 * plot_band_figure (kept, not drawn), then a drawing pass over replication
 * 0, where plot_draw draws the mean and its band in place of the run's own
 * values. */
struct plot_band *plot_band_new(int reps);
void plot_band_free(struct plot_band *b);
/* Start gathering replication k (0 <= k < reps), or (k = -1) drawing. */
void plot_band_pass(struct plot_band *b, int k);
/* For plot_draw: while gathering, keep g's values and set *drawn = 0;
 * while drawing, set *out to g with the mean and band of its gathered
 * values (*drawn = 1), or to g itself with a note saying why there is no
 * mean (a figure whose columns differ between replications, as the busiest
 * links may).  BS_OK or BS_ENOMEM. */
int plot_band_figure(struct plot_band *b, const run *r, const figure *g, figure *out,
                     int *drawn);

/* Draw g into r->dir: NAME.dat, NAME.gp, then gnuplot, all in a temporary
 * folder, each renamed into place once the image is complete; adds the
 * figure's path to r->paths. */
int plot_draw(run *r, const figure *g);

/* gnuplot's terminal for the format, with the look's size and font
 * (plot_set_look), into out[size]. */
void plot_terminal(int format, char *out, size_t size);

/* The look's (plot_set_look) size for the format, in its units (pixels
 * for png and svg, points for pdf), its font size in points, and the
 * font's height in the same units as the size (4/3 pixel a point). */
void plot_look(int format, double *w, double *h, double *pt, double *em);

/* Write g's gnuplot script to path (plot_script.c): the shared look, the
 * events above the plot area, and the figure's areas and lines read from
 * NAME.dat next to the script, wherever it is run from. */
int plot_write_script(const run *r, const figure *g, const char *path);

/* Run gnuplot on dir/script, which draws to the file named by its variable
 * `outfile`, here a unique temporary dir/.OUT.tmp-PID-RANDOM, renamed to
 * dir/out when gnuplot succeeded and the image is complete (PNG: IEND, PDF:
 * %%EOF, SVG: </svg>).  BS_OK, or BS_ERUNTIME with gnuplot's message. */
int plot_gnuplot(const char *dir, const char *script, const char *out);

/* Commit the script `a` (dir/script), draw it with plot_gnuplot into
 * dir/out, and add the figure's path to paths[*n] (plot_sweep.c). */
struct atomic_file;
int plot_commit_draw(const char *dir, struct atomic_file *a, const char *script,
                     const char *out, char **paths, int *n);

/* The figures of a testbed matrix (blockshift testbed without --replay:
 * /testbed/... by case and call class, no days), plot_testbed.c: usable,
 * detect, collateral (heat maps of app and VPN by technique) and
 * validation (ns-3's link loads against the flow engine's). */
int plot_testbed(run *r);

/* Days since 1970 of an ISO date, -1 if it is not one. */
long plot_parse_date(const char *iso);

#endif
