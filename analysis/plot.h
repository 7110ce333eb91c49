/* plot: the standard figures of a run, drawn by gnuplot (blockshift plot).
 *
 * For a results file, each figure is three files in the output folder:
 * NAME.dat (the numbers, one row a day, a header row naming the columns),
 * NAME.gp (the gnuplot script that draws it: edit it and run `gnuplot
 * NAME.gp` to restyle the figure without running the simulation again) and
 * NAME.png (or .svg, .pdf).  Every figure has dates on its time axis, the
 * scenario's events as dashed lines labelled in a strip above the plot
 * area, Okabe and Ito's colour-blind-safe colours (without their yellow)
 * with a dash pattern per line, and the same margins (plot_script.c), so
 * that figures line up.  NAME.dat holds each series' own values (stacking
 * is done by the script), and NAME.gp reads it from its own folder wherever
 * it is run from, stopping with a message if it is missing.  The figures:
 *   primary   people by first-choice calling app
 *   failed    failed calls ("User not available") by app
 *   calls     (a testbed replay's) call attempts by outcome: completed,
 *             failed, abandoned, per phase
 *   vpn       VPN users by protocol
 *   border    load on border links in two panels: the apps, stacked, on
 *             their own scale; below, the rest of the traffic with the part
 *             of all of it through VPN tunnels (with the flow engine's data)
 *   censor    the censor boxes' inspected, dropped and uninspected load
 *   links     the five busiest links' utilisation (daily peak hour)
 * A figure is drawn to a temporary name and renamed when gnuplot succeeds:
 * there is never a half figure.  gnuplot must be on the PATH. */
#ifndef BS_PLOT_H
#define BS_PLOT_H

enum plot_format { PLOT_PNG, PLOT_SVG, PLOT_PDF, N_PLOT_FORMATS };
extern const char *const plot_format_names[N_PLOT_FORMATS];

/* The look of every figure this process draws: screen (1280x720 pixels or
 * 7x4 inches, 14 or 10 point), paper (1200x750 or 6.5x3.6, 15 or 9 point,
 * thinner lines), slides (1600x900 or 10x5.6, 24 or 16 point, thick lines);
 * w, h > 0 replace the size (pixels for png and svg, inches for pdf). */
enum plot_style { PLOT_SCREEN, PLOT_PAPER, PLOT_SLIDES, N_PLOT_STYLES };
extern const char *const plot_style_names[N_PLOT_STYLES];
void plot_set_look(int style, double w, double h);

/* Draw the figures of `result` into `dir` (created if missing).  Writes
 * the figures' paths to *paths (up to PLOT_MAX_FIGURES, each malloc'ed; *n of
 * them; more is BS_ERUNTIME, never a write past the array).
 * BS_OK; BS_EINPUT (not a complete results file, with the reason);
 * BS_ERUNTIME (gnuplot missing or failing, with how to install it). */
#define PLOT_MAX_FIGURES 32 /* a run with observations has 9, a testbed matrix 7 */
int plot_run(const char *result, const char *dir, int format, char **paths, int *n);

/* The figures of `reps` replications of one configuration (results[0..
 * reps-1], the same days and series): each value the mean over the
 * replications, lines with a band of the 95% confidence interval of the
 * mean (Student t, base/mean_ci.h), the title saying so; NAME.dat holds the
 * means, then the low and then the high ends.  A figure whose series differ
 * between replications (the five busiest links may) is replication 0's, and
 * says so.  The events and observations are replication 0's.  reps = 1:
 * plot_run.  Same contract as plot_run. */
int plot_runs(const char *const *results, int reps, const char *dir, int format, char **paths,
              int *n);

/* A sweep folder's figures (analysis/plot_sweep.c): each summary number
 * against the varied parameters, from SWEEPDIR/summary.txt, into
 * SWEEPDIR/plots.  Same contract as plot_run. */
int plot_sweep(const char *sweepdir, int format, char **paths, int *n);

/* BS_OK when gnuplot is on the PATH; otherwise BS_ERUNTIME with a message
 * saying how to install it. */
int plot_need_gnuplot(void);

#endif
