/* obs_map: what a run's results say about an observation (observations.h):
 * the one place that maps each measure to a results dataset and reduces it
 * to one number comparable with the observed value.  `blockshift
 * calibrate`, `blockshift validate` and `blockshift plot` read through it.
 *
 * The datasets (a calibration file may name any for a measure; the
 * default per measure is obs_map_default):
 *
 *   installed  /population/installed [day][region][app]: people with the
 *              app; the mean over the observation's period of the sum over
 *              regions (or the named region)
 *   primary    /population/primary [day][region][app]: people whose first
 *              choice for calls is the app; the same reduction
 *   vpn        /population/vpn_users [day][region][vpn]: people on a VPN, summed
 *              over protocols (an observation's app, when given, names the
 *              protocol); the same reduction
 *   vpn_growth /population/vpn_users: the people on a VPN on the period's last
 *              day less those on the day before it began (new VPN users
 *              over the period, a proxy of VPN installs)
 *   vpn_ratio  /population/vpn_users: the mean over the period against the day
 *              before it began
 *   vpn_new_ratio  /population/vpn_users: new VPN users a day over the period
 *              (the rise from the day before it to its last day, over its
 *              days) against new VPN users a day over the baseline, the 28
 *              days before the run's first event (cut at the scenario's
 *              start); infinite when nobody took a VPN in the baseline.  The
 *              model's side of a demand index such as Top10VPN's, which
 *              compares searches and downloads a day with their average over
 *              the weeks before (a demand ratio)
 *
 * Defaults, until the results hold daily-active and monthly-reach datasets
 * of their own: daily_users -> primary (people calling first with the app:
 * a daily user of a messenger is likelier to call with it than not);
 * monthly_users and audience -> installed; vpn_demand_ratio -> vpn_new_ratio;
 * vpn_installs -> vpn_growth.  Re-point obs_map_default when better
 * datasets come.
 */
#ifndef BS_OBS_MAP_H
#define BS_OBS_MAP_H

#include "config/observations.h"
#include "io/results.h"

#include <stddef.h>

enum obs_dataset { OBS_INSTALLED, OBS_PRIMARY, OBS_VPN, OBS_VPN_GROWTH, OBS_VPN_RATIO,
                   OBS_VPN_NEW_RATIO, N_OBS_DATASETS };
extern const char *const obs_map_names[N_OBS_DATASETS];

/* The dataset a measure reads unless told otherwise. */
int obs_map_default(int measure);
/* The results datasets a reduction reads (NULL-terminated list for
 * results_load). */
extern const char *const obs_map_paths[];

/* Whether dataset `ds` can be compared with an observation of `measure`
 * over the scenario's days [start, end) (days since 1970): the days it
 * needs lie inside.  0, or -1 with why. */
int obs_map_fits(int ds, const observation *o, long start, long end, char *why, size_t size);

/* The value of dataset `ds` for observation o in a loaded run (results_load
 * with obs_map_paths).  BS_OK with *out, or BS_EINPUT with why (a day, app,
 * region or dataset the file lacks). */
int obs_map_value(const results_run *r, int ds, const observation *o, double *out, char *why,
                  size_t size);

/* "YYYY-MM-DD" of days since 1970, and back ("YYYY-MM-DD" or
 * "YYYY-MM-DDTHH:MM", the hour ignored; -1 when not a date). */
void obs_map_date(long days, char *buf, size_t size);
long obs_map_parse_date(const char *iso);

#endif
