/* plot_obs: observations on the standard figures (see plot_obs.h). */
#include "analysis/plot_obs.h"

#include "analysis/obs_map.h"
#include "base/fsutil.h"
#include "base/status.h"
#include "io/results.h"

#include <libconfig.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int plot_obs_load(const char *result, observation_set *set)
{
    set->n = 0;
    results_numbers *nums = NULL;
    int st = results_read_numbers(result, &nums);
    if (st != BS_OK || !nums->config_text) {
        results_numbers_free(nums);
        return st;
    }
    config_t c;
    config_init(&c);
    const char *name = NULL;
    char file[PATH_MAX] = "";
    if (config_read_string(&c, nums->config_text) == CONFIG_TRUE &&
        config_lookup_string(&c, "observations", &name) == CONFIG_TRUE && name && name[0])
        snprintf(file, sizeof file, "%s", name);
    config_destroy(&c);
    results_numbers_free(nums);
    if (!file[0])
        return BS_OK;
    char path[PATH_MAX], dir[PATH_MAX];
    snprintf(path, sizeof path, "%s", file);
    const char *cursor = NULL;
    while (access(path, R_OK) != 0 && file[0] != '/' &&
           fsutil_search_path(&cursor, dir, sizeof dir))
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, file) >= sizeof path)
            path[0] = '\0';
    if (access(path, R_OK) != 0) {
        fprintf(stderr,
                "blockshift: plot: the scenario's observation file %s is not in the current "
                "folder or on BLOCKSHIFT_PATH (%s): the figures are drawn without it\n",
                file, fsutil_search_path_text());
        return BS_OK;
    }
    char *errors = NULL;
    if ((st = observations_load(path, set, &errors)) == BS_ENOMEM) {
        free(errors);
        set->n = 0;
        return st;
    }
    if (st != BS_OK) {
        fprintf(stderr, "blockshift: plot: the observation file %s has errors; the figures are "
                        "drawn without it:\n%s",
                path, errors ? errors : bs_last_error());
        set->n = 0;
    }
    free(errors);
    return BS_OK;
}

void plot_obs_points(const observation_set *set, int ds, char *const *cols, int n_cols,
                     double unit, long epoch, int n_days, plot_obs *out)
{
    out->n = 0;
    for (int i = 0; set && i < set->n; i++) {
        const observation *o = &set->rows[i];
        if (obs_map_default(o->measure) != ds || o->region[0])
            continue;
        long day = (long)o->date - epoch;
        if (day < 0 || day >= n_days)
            continue;
        for (int c = 0; c < n_cols; c++)
            if (strcmp(cols[c], o->app) == 0) {
                out->day[out->n] = day;
                out->value[out->n] = o->value * unit;
                out->sd[out->n] = o->uncertainty * unit;
                out->col[out->n] = c + 1;
                out->n++;
                break;
            }
    }
}
