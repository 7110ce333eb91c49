/* observations: public measurements a scenario's outputs are compared with.
 *
 * An observation file (configs/observations/, the configuration language of
 * every other file, read by the same schema engine) lists what was measured
 * in the world, one row per figure:
 *
 *   observations = (
 *     { date = "2025-08-31"; period = "31d"; measure = "daily_users"; app = "max";
 *       value = 7.0e6; uncertainty = 0.7e6; unit = "people";
 *       source = "Mediascope, ..."; },
 *   );
 *
 * date: the last day of the measurement; period: the days it spans ending
 * on that date (1d for one day; an audience panel's month is that month);
 * measure: what was measured (observations_measure_names); app: the app it
 * concerns, by the scenario's app name ("" for a measure of VPNs or of the
 * whole country); region: "" for the country; value and uncertainty (one
 * standard deviation, > 0: a distance divides by it) in the measure's unit;
 * source: who measured it, where it was published, and, when the
 * uncertainty is not the source's own, why it is what it is.
 *
 * The measures a model's results can be compared with are named here so
 * that a file is checked once, on reading, whatever later uses it.
 */
#ifndef BS_OBSERVATIONS_H
#define BS_OBSERVATIONS_H

#include "world/world.h"

#include <stdint.h>

enum obs_measure {
    OBS_DAILY_USERS,       /* people who used the app on a day, mean over the period */
    OBS_MONTHLY_USERS,     /* people who used it at least once in the period (reach) */
    OBS_AUDIENCE,          /* people who had it at the date (installed, registered) */
    OBS_VPN_DEMAND_RATIO,  /* VPN demand over the period against its level before, ratio */
    OBS_VPN_INSTALLS,      /* VPN apps installed over the period */
    N_OBS_MEASURES
};
extern const char *const observations_measure_names[N_OBS_MEASURES];

#define OBS_MAX 128
#define OBS_SOURCE 320

typedef struct observation {
    int32_t date;        /* days since 1970-01-01: the measurement's last day */
    double period;       /* days it spans, ending on `date` */
    int measure;         /* enum obs_measure */
    char app[W_NAME];    /* "" for none */
    char region[W_NAME]; /* "" for the country */
    double value, uncertainty;
    char unit[16];
    char source[OBS_SOURCE];
    int line; /* of its group in the file (0: unknown) */
} observation;

typedef struct observation_set {
    char description[256];
    int n;
    observation rows[OBS_MAX];
} observation_set;

/* Read and check an observation file into *out.  BS_OK; BS_EINPUT with
 * every error in *errors ("file:line: path: message", one per line,
 * malloc'd, the caller frees); BS_ENOMEM. */
int observations_load(const char *path, observation_set *out, char **errors);

#endif
