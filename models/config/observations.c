/* observations: reading and checking an observation file (observations.h). */
#include "config/observations.h"

#include "config/config.h"
#include "config/schema.h"
#include "base/name.h"
#include "base/status.h"

#include <libconfig.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

const char *const observations_measure_names[N_OBS_MEASURES] = {
    "daily_users", "monthly_users", "audience", "vpn_demand_ratio", "vpn_installs"};

/* The unit each measure's value and uncertainty are written in. */
static const char *const measure_units[N_OBS_MEASURES] = {"people", "people", "people", "ratio",
                                                          "installs"};

#define F(m) offsetof(observation_set, m)
#define FO(m) offsetof(observation, m)
#define SIZE(t, m) sizeof(((t *)0)->m)

static const schema_entry obs_table[] = {
    {"description", PT_STRING, F(description), SIZE(observation_set, description), 0, "\"\"", 0, 0,
     "", NULL, 0, "What the file holds, in one line", ""},
    {"observations", PT_LIST, F(rows), sizeof(observation), F(n), NULL, 1, OBS_MAX, "", NULL, 0,
     "The observations, one group each", ""},
    {"observations.[].date", PT_DATE, FO(date), 0, 0, NULL, 0, 0, "", NULL, 0,
     "The measurement's last day", ""},
    {"observations.[].period", PT_DURATION, FO(period), 0, 0, "\"1d\"", 1, 3660, "days", NULL, 0,
     "The days it spans, ending on its date", ""},
    {"observations.[].measure", PT_ENUM, FO(measure), 0, 0, NULL, 0, 0, "",
     observations_measure_names, N_OBS_MEASURES,
     "What was measured: daily_users, monthly_users, audience, vpn_demand_ratio, vpn_installs",
     ""},
    {"observations.[].app", PT_STRING, FO(app), SIZE(observation, app), 0, "\"\"", 0, 0, "", NULL,
     0, "The app, by the scenario's name for it; \"\" for none", ""},
    {"observations.[].region", PT_STRING, FO(region), SIZE(observation, region), 0, "\"\"", 0, 0,
     "", NULL, 0, "The region; \"\" for the whole country", ""},
    {"observations.[].value", PT_REAL, FO(value), 0, 0, NULL, 0, 1e12, "", NULL, 0,
     "The measured value, in `unit`", ""},
    {"observations.[].uncertainty", PT_REAL, FO(uncertainty), 0, 0, NULL, 0, 0, "", NULL, 0,
     "One standard deviation of the value, in `unit`; above zero", ""},
    {"observations.[].unit", PT_STRING, FO(unit), SIZE(observation, unit), 0, NULL, 0, 0, "", NULL,
     0, "The measure's unit: people (users, audience), ratio, installs", ""},
    {"observations.[].source", PT_STRING, FO(source), SIZE(observation, source), 0, NULL, 0, 0, "",
     NULL, 0, "Who measured it, where it was published; why the uncertainty is what it is", ""},
};

static const schema obs_schema = {obs_table, (int)(sizeof obs_table / sizeof obs_table[0]),
                                  sizeof(observation_set)};

/* What spans settings: names, the unit of the measure, an uncertainty above
 * zero, a source that says something. */
static int obs_rules(void *dst, check_ctx *c, void *arg)
{
    (void)arg;
    observation_set *s = dst;
    for (int i = 0; i < s->n; i++) {
        observation *o = &s->rows[i];
        char path[64], why[96];
        snprintf(path, sizeof path, "observations.[%d]", i);
        const config_setting_t *g = config_check_setting(c, path);
        o->line = g ? (int)config_setting_source_line(g) : 0;
        if (o->app[0] && name_check(o->app, W_NAME - 1, 0, why, sizeof why) != 0) {
            snprintf(path, sizeof path, "observations.[%d].app", i);
            config_check_error(c, path, "not a name: %s", why);
        }
        if (o->region[0] && name_check(o->region, W_NAME - 1, 0, why, sizeof why) != 0) {
            snprintf(path, sizeof path, "observations.[%d].region", i);
            config_check_error(c, path, "not a name: %s", why);
        }
        if (o->measure >= 0 && o->measure < N_OBS_MEASURES &&
            strcmp(o->unit, measure_units[o->measure]) != 0) {
            snprintf(path, sizeof path, "observations.[%d].unit", i);
            config_check_error(c, path, "%s is measured in %s, not \"%s\"",
                               observations_measure_names[o->measure], measure_units[o->measure],
                               o->unit);
        }
        if (!(o->uncertainty > 0 && o->uncertainty <= 1e12)) {
            snprintf(path, sizeof path, "observations.[%d].uncertainty", i);
            config_check_error(c, path, "must be above zero (a distance divides by it) and at most 1e12, not %g",
                               o->uncertainty);
        }
        if (strlen(o->source) < 8) {
            snprintf(path, sizeof path, "observations.[%d].source", i);
            config_check_error(c, path, "say who measured it and where it was published");
        }
    }
    return BS_OK;
}

int observations_load(const char *path, observation_set *out, char **errors)
{
    return config_load_file(&obs_schema, path, out, obs_rules, NULL, errors);
}
