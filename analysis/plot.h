/* plot: the standard figures of a run, drawn by gnuplot (blockshift plot).
 *
 * For a results file, each figure is three files in the output folder:
 * NAME.dat (the numbers, one row a day, a header row naming the columns),
 * NAME.gp (the gnuplot script that draws it: edit it and run `gnuplot
 * NAME.gp` to restyle the figure without running the simulation again) and
 * NAME.png (or .svg, .pdf).  Every figure has dates on its time axis and the
 * scenario's events as labelled vertical lines.  The figures:
 *   primary   people by first-choice calling app
 *   failed    failed calls ("User not available") by app
 *   vpn       VPN users by protocol
 *   border    load on border links, stacked by app and the rest, with the
 *             part through VPN tunnels (with the flow engine's datasets)
 *   censor    the censor boxes' inspected, dropped and uninspected load
 *   links     the five busiest links' utilisation (daily peak hour)
 * A figure is drawn to a temporary name and renamed when gnuplot succeeds:
 * there is never a half figure.  gnuplot must be on the PATH. */
#ifndef BS_PLOT_H
#define BS_PLOT_H

enum plot_format { PLOT_PNG, PLOT_SVG, PLOT_PDF, N_PLOT_FORMATS };
extern const char *const plot_format_names[N_PLOT_FORMATS];

/* Draw the figures of `result` into `dir` (created if missing).  Writes
 * the figures' paths to *paths (up to 8, each malloc'ed; *n of them).
 * BS_OK; BS_EINPUT (not a complete results file, with the reason);
 * BS_ERUNTIME (gnuplot missing or failing, with how to install it). */
int plot_run(const char *result, const char *dir, int format, char **paths, int *n);

/* A sweep folder's figures (analysis/plot_sweep.c): each summary number
 * against the varied parameters, from SWEEPDIR/summary.txt, into
 * SWEEPDIR/plots.  Same contract as plot_run. */
int plot_sweep(const char *sweepdir, int format, char **paths, int *n);

/* BS_OK when gnuplot is on the PATH; otherwise BS_ERUNTIME with a message
 * saying how to install it. */
int plot_need_gnuplot(void);

#endif
