/* sweep_stats: summaries of a sweep across replications.
 *
 * For each parameter point and each collected number, over the n runs of
 * the point that are ok: the mean, standard deviation and 95% confidence
 * interval of the mean of base/mean_ci.h (Student t with n - 1 degrees of
 * freedom; NaN where n is too small).
 */
#ifndef BS_SWEEP_STATS_H
#define BS_SWEEP_STATS_H

#include "io/results.h"
#include "sweep/sweep_index.h"

/* The /points table of a /runs table (layout l): one row per point, from 0
 * to the largest point in the runs.  BS_OK or BS_ENOMEM; free *out with
 * results_table_free. */
int sweep_stats_points(const results_table *runs, const sweep_layout *l, results_table **out);

#endif
