/* plot_obs: the observations a scenario names (its key `observations`, an
 * observation file, config/observations.h) drawn on the standard figures of
 * blockshift plot, as points with error bars (one standard deviation) at
 * their dates, in the colour of their app's line.
 *
 * Which figure an observation goes on follows the dataset its measure reads
 * (analysis/obs_map.h): `primary` (daily_users) on the figure of first
 * choices, `installed` (monthly_users, audience) on the figure of people
 * with each app, drawn only when there are such observations.  Ratios and
 * installs have no figure in their unit and are left out; so are
 * observations of an app the figure lacks, and dates outside the run.
 *
 * The file is found as written (from the current folder, or absolute), then
 * in each folder of BLOCKSHIFT_PATH.  A file that cannot be found or read is
 * said on stderr and the figures are drawn without it. */
#ifndef BS_PLOT_OBS_H
#define BS_PLOT_OBS_H

#include "config/observations.h"

/* The points of one figure: day since the run's epoch, value and sd in the
 * figure's unit, and the 1-based column of its app. */
typedef struct plot_obs {
    int n;
    long day[OBS_MAX];
    double value[OBS_MAX], sd[OBS_MAX];
    int col[OBS_MAX];
} plot_obs;

/* The observation file named by the scenario of `result` into *set (n = 0
 * when it names none, or when that file is missing or has errors: a warning
 * then).  BS_OK, or the status of a failure to read `result` or to allocate. */
int plot_obs_load(const char *result, observation_set *set);

/* The points of `set` for a figure of dataset `ds` (obs_map.h) whose
 * columns are cols[n_cols], in units of `unit` people, for a run of days
 * [0, n_days) from day `epoch` (days since 1970). */
void plot_obs_points(const observation_set *set, int ds, char *const *cols, int n_cols,
                     double unit, long epoch, int n_days, plot_obs *out);

#endif
