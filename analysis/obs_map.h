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
 *   daily_users    /population/daily_users/any [day][region][app]: people
 *              active on the app that day, for messages or calls (as
 *              audience panels such as Mediascope's count daily users); the
 *              mean over the observation's period (a month's mean: the
 *              month's average daily audience), summed over regions (or the
 *              named region)
 *   monthly_reach  /population/monthly_reach/any [day][region][app]: people
 *              active on the app on some day of the calendar month so far;
 *              its value on the observation's last day (on a month's last
 *              day: that month's reach).  The period's days must be in the
 *              run (obs_map_fits); a period that is not a calendar month
 *              still reads the reach of the month to that day
 *
 * Every dataset is in people (agents times population.scale, as the results
 * file holds them).  Defaults: daily_users -> daily_users; monthly_users ->
 * monthly_reach; audience -> installed (registrations, an upper bound of the
 * people who have the app); vpn_demand_ratio -> vpn_new_ratio; vpn_installs
 * -> vpn_growth.  The paths are named once, at the top of obs_map.c.
 */
#ifndef BS_OBS_MAP_H
#define BS_OBS_MAP_H

#include "config/observations.h"
#include "io/results.h"

#include <stddef.h>

/* The results datasets the reductions read: the one place that names them
 * (models/README.md, section 8; plot's figures of observations use them). */
#define OBS_PATH_INSTALLED "/population/installed"
#define OBS_PATH_PRIMARY "/population/primary"
#define OBS_PATH_VPN "/population/vpn_users"
#define OBS_PATH_DAILY "/population/daily_users/any"
#define OBS_PATH_MONTHLY "/population/monthly_reach/any"

enum obs_dataset { OBS_INSTALLED, OBS_PRIMARY, OBS_VPN, OBS_VPN_GROWTH, OBS_VPN_RATIO,
                   OBS_VPN_NEW_RATIO, OBS_DAILY, OBS_MONTHLY_REACH, N_OBS_DATASETS };
extern const char *const obs_map_names[N_OBS_DATASETS];
/* The results dataset each reads (one of the OBS_PATH_ above). */
extern const char *const obs_map_ds_path[N_OBS_DATASETS];

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
