/* calib_out: what `blockshift calibrate` writes into its folder DIR:
 *
 *   DIR/posterior.h5  every generation kept so far (written again, whole,
 *                     after each: the checkpoint --resume reads):
 *                     /generations/gNNN  a table per generation: proposal
 *                       (its index in the generation), weight, distance,
 *                       one column per parameter (its path), one per
 *                       observation (model_NNN: the model's value, mean over
 *                       the replications);
 *                     /tolerances  generation, epsilon, proposals, ess;
 *                     /observations  file, line, date, measure, app,
 *                       dataset, value, uncertainty;
 *                     /posterior  per parameter: prior, low, high, median,
 *                       q05, q95 (of the last generation, weighted);
 *                     /config/text  the calibration file (--resume compares it);
 *                     root attribute calibration_hash (FNV-1a of that text).
 *   DIR/summary.txt   the posterior median and 90% credible interval of each
 *                     parameter, and each observation against the model.
 *   DIR/fitted.cfg    the medians as a configuration fragment a scenario can
 *                     @include (libconfig's dotted paths written as groups).
 *   DIR/fit.png       the model's 90% band and median over the last
 *                     generation's particles, against each observation with
 *                     its error bar (one standard deviation), each divided by
 *                     the observed value; fit.dat and fit.gp beside it.
 */
#ifndef BS_CALIB_OUT_H
#define BS_CALIB_OUT_H

#include "sweep/abc.h"
#include "cli/calib_spec.h"

/* Write DIR/posterior.h5 from generations gens[0..n-1].  BS_OK or a status
 * with a message. */
int calib_out_posterior(const char *dir, const calib_spec *s, const abc_gen *gens, int n);

/* Read the generations of DIR/posterior.h5 back (for --resume) into *gens
 * (malloc'd array, *n of them).  BS_OK; BS_EINPUT if the file belongs to
 * another calibration file or is damaged. */
int calib_out_read(const char *dir, const calib_spec *s, abc_gen **gens, int *n);

/* summary.txt, fitted.cfg, fit.png of the last generation `g`. */
int calib_out_final(const char *dir, const calib_spec *s, const abc_gen *g, const char *why_stopped);

/* Per observation, quantiles q05, q50, q95 over a sample x[n] weighted by
 * w[n] (NULL: equal), and a gnuplot figure of bands against observations
 * (shared with validate): rows of label, observed, sd, q05, q50, q95. */
int calib_out_figure(const char *dir, const char *name, const char *title, const calib_spec *s,
                     const double *q05, const double *q50, const double *q95);

/* A short label of observation o: "max daily_users 2025-08-31". */
void calib_out_label(const calib_spec *s, int o, char *buf, size_t size);

#endif
