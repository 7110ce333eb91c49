/* sweep_stats: summaries of a sweep across replications.
 *
 * For each parameter point and each collected number, over the n runs of
 * the point that are ok (and whose value is finite):
 *
 *   mean  x̄ = (1/n) Σ x_i                         (gsl_stats_mean)
 *   sd    s = sqrt(Σ (x_i - x̄)² / (n - 1))        (gsl_stats_sd)
 *   95% confidence interval of the mean, Student t with n - 1 degrees of
 *   freedom:  x̄ ± t_{0.975, n-1} s / √n         (gsl_cdf_tdist_Pinv)
 *
 * The interval assumes the replications are independent draws of a
 * normally distributed number (or n large enough for the mean to be): true
 * of independent seeds; with common random numbers the replications of one
 * point are still independent of each other.  With n = 1 the standard
 * deviation and interval are NaN; with n = 0 the mean is NaN too.
 */
#ifndef BS_SWEEP_STATS_H
#define BS_SWEEP_STATS_H

#include "io/results.h"
#include "sweep/sweep_index.h"

typedef struct sweep_ci {
    int n;
    double mean, sd, low, high;
} sweep_ci;

/* The summary of x[0..n-1] (non-finite values left out). */
sweep_ci sweep_stats_ci(const double *x, int n);

/* The /points table of a /runs table (layout l): one row per point, from 0
 * to the largest point in the runs.  BS_OK or BS_ENOMEM; free *out with
 * results_table_free. */
int sweep_stats_points(const results_table *runs, const sweep_layout *l, results_table **out);

#endif
