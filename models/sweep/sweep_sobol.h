/* sweep_sobol: first-order and total Sobol sensitivity indices of a sweep's
 * summary numbers, from Saltelli's design (sweep_sample.h,
 * sweep_sample_saltelli; sample.method = "saltelli" or --sobol N).
 *
 * With f_A(j), f_B(j) and f_ABi(j) a number's value at base sample j of
 * the blocks A, B and A_B^(i) (j = 1..N), and V the variance of the 2N
 * values f_A and f_B (denominator 2N - 1), the estimators of Saltelli et
 * al. 2010 ("Variance based sensitivity analysis of model output",
 * Computer Physics Communications 181, Table 2) are:
 *
 *   first order (Saltelli 2010, b):  S_i  = (1/N) Σ_j f_B(j) (f_ABi(j) - f_A(j)) / V
 *   total (Jansen 1999, f):          S_Ti = (1/2N) Σ_j (f_A(j) - f_ABi(j))² / V
 *
 * with f_B(j) taken less the mean f0 of the 2N values: E[f_ABi - f_A] = 0,
 * so the expectation is the same, but a number whose mean is large against
 * its spread (a share of 0.5 that moves by 0.01) no longer swamps the
 * estimate with f0 (f_ABi - f_A) noise.
 *
 * Confidence intervals: bootstrap percentile intervals (Efron and
 * Tibshirani 1993): SWEEP_SOBOL_RESAMPLES times, N base samples are drawn
 * with replacement (each with its k + 2 values) and both indices (with V)
 * are computed again; the interval holds the central SWEEP_SOBOL_LEVEL of
 * those resampled indices.  The draws come from the named stream
 * "sweep-sobol-bootstrap" (rng.h) seeded from the sweep's seed, one stream
 * per collected number (run = the number's column), so the intervals are a
 * function of the sweep file and the results.
 *
 * Replications: a point's value is the mean over its replications that are
 * ok (the X_mean of /points, sweep_stats.h).  A base sample any of whose
 * k + 2 points has no value (failed or pending runs) is left out; the
 * indices are NaN with fewer than 2 base samples left, or V = 0.
 */
#ifndef BS_SWEEP_SOBOL_H
#define BS_SWEEP_SOBOL_H

#include "io/results.h"
#include "sweep/sweep_index.h"

#include <stdint.h>
#include <stdio.h>

#define SWEEP_SOBOL_RESAMPLES 1000
#define SWEEP_SOBOL_LEVEL 0.95

/* The indices of one parameter for one number, with their intervals. */
typedef struct sweep_sobol_index {
    double s1, s1_low, s1_high, st, st_low, st_high;
} sweep_sobol_index;

/* The indices of k parameters from the values y[b * n + j] of base sample
 * j in block b (0: A, 1: B, 2 + i: A_B^(i)) into out[k], resampling with
 * resamples draws from the stream (seed, run, "sweep-sobol-bootstrap").
 * *used: base samples with every value finite.  BS_OK or BS_ENOMEM. */
int sweep_sobol_estimate(const double *y, int n, int k, int resamples, double level,
                         uint64_t seed, uint64_t run, sweep_sobol_index *out, int *used);

/* Every collected number's indices for a sweep. */
typedef struct sweep_sobol {
    int n_base, k, n_numbers, resamples;
    double level;
    uint64_t seed;
    char **params;          /* [k] parameter paths */
    char **numbers;         /* [n_numbers] collected numbers */
    int *used;              /* [n_numbers] base samples used */
    sweep_sobol_index *ix;  /* [number * k + parameter] */
} sweep_sobol;

/* From a /runs table (layout l) and its /points table (sweep_stats_points)
 * of a Saltelli design of n_base base samples.  BS_OK with *out (free with
 * sweep_sobol_free), BS_EINPUT if the tables do not hold such a design, or
 * BS_ENOMEM. */
int sweep_sobol_compute(const results_table *runs, const sweep_layout *l,
                        const results_table *points, int n_base, uint64_t seed,
                        sweep_sobol **out);
void sweep_sobol_free(sweep_sobol *s);

/* The group /sobol of an index being written: datasets S1, S1_low,
 * S1_high, ST, ST_low, ST_high [sobol_number][sobol_parameter] (labelled
 * by /sobol_number and /sobol_parameter), base_samples_used
 * [sobol_number], attributes on /sobol; and /summary attributes
 * sobol_base_samples and sobol_seed (what --summarise reads back). */
int sweep_sobol_write(results *r, const sweep_sobol *s);

/* The indices as plain text blocks for summary.txt (after the /points
 * table): per number, two blank lines (a gnuplot data block of its own:
 * index 1 + number), a line "# Sobol indices of NAME ...", a line
 * "# parameter S1 S1_low S1_high ST ST_low ST_high", a line per parameter. */
void sweep_sobol_text(FILE *f, const sweep_sobol *s);

/* Whether the index at `path` holds a Saltelli design: 1 with *n_base and
 * *seed, 0 if not, or a negative status with a message. */
int sweep_sobol_design_of(const char *path, int *n_base, uint64_t *seed);

#endif
