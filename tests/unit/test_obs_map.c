/* obs_map (analysis/obs_map.h): which dataset each measure reads, and the
 * number it reduces a run's dataset to.  The run is built in memory: three
 * days from 2025-08-29, regions r1 and r2, apps a and b, each dataset
 * filled with values that say where they come from (so a reduction that
 * reads the wrong dataset, day, region or app gives another number).  The
 * expected values are worked out by hand in each test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "analysis/obs_map.h"
#include "base/status.h"

#include <math.h>
#include <string.h>

#define DAYS 3
#define REGIONS 2
#define APPS 2
#define N_DS 5

static int day[DAYS] = {0, 1, 2};
static char *app_names[APPS] = {"a", "b"}, *region_names[REGIONS] = {"r1", "r2"};
static results_labels labels[2] = {{"app", APPS, app_names}, {"region", REGIONS, region_names}};
static double values[N_DS][DAYS * REGIONS * APPS];
static results_array arrays[N_DS];
static results_run run;

/* Value of dataset k on day d, region g, app x: k * 1000 + d * 100 + g * 10
 * + x + 1 (the dataset in the thousands, the day in the hundreds, ...). */
static int setup(void **state)
{
    (void)state;
    static const char *const paths[N_DS] = {OBS_PATH_INSTALLED, OBS_PATH_PRIMARY, OBS_PATH_DAILY,
                                            OBS_PATH_MONTHLY, "/other"};
    for (int k = 0; k < N_DS; k++) {
        for (int d = 0; d < DAYS; d++)
            for (int g = 0; g < REGIONS; g++)
                for (int x = 0; x < APPS; x++)
                    values[k][(d * REGIONS + g) * APPS + x] = k * 1000 + d * 100 + g * 10 + x + 1;
        arrays[k] = (results_array){(char *)paths[k], 3, {DAYS, REGIONS, APPS, 0}, values[k]};
    }
    run = (results_run){.n_days = DAYS,
                        .day = day,
                        .epoch = "2025-08-29",
                        .n_labels = 2,
                        .labels = labels,
                        .n_arrays = N_DS,
                        .arrays = arrays};
    return 0;
}

static observation obs(int measure, const char *date, double period, const char *app,
                       const char *region)
{
    observation o;
    memset(&o, 0, sizeof o);
    o.date = (int32_t)obs_map_parse_date(date);
    o.period = period;
    o.measure = measure;
    snprintf(o.app, sizeof o.app, "%s", app);
    snprintf(o.region, sizeof o.region, "%s", region);
    o.value = 1;
    o.uncertainty = 1;
    return o;
}

static double value(int ds, const observation *o)
{
    double v = NAN;
    char why[256] = "";
    assert_int_equal(obs_map_value(&run, ds, o, &v, why, sizeof why), BS_OK);
    return v;
}

/* Daily users read the daily-users dataset (people active that day, for
 * messages or calls), monthly users the monthly reach; audience stays on
 * installs. */
static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(obs_map_default(OBS_DAILY_USERS), OBS_DAILY);
    assert_int_equal(obs_map_default(OBS_MONTHLY_USERS), OBS_MONTHLY_REACH);
    assert_int_equal(obs_map_default(OBS_AUDIENCE), OBS_INSTALLED);
    assert_string_equal(obs_map_ds_path[OBS_DAILY], "/population/daily_users/any");
    assert_string_equal(obs_map_ds_path[OBS_MONTHLY_REACH], "/population/monthly_reach/any");
    assert_string_equal(obs_map_names[OBS_DAILY], "daily_users");
    assert_string_equal(obs_map_names[OBS_MONTHLY_REACH], "monthly_reach");
    /* every dataset a reduction reads is loaded by obs_map_paths */
    for (int ds = 0; ds < N_OBS_DATASETS; ds++) {
        int found = 0;
        for (int i = 0; obs_map_paths[i]; i++)
            found |= strcmp(obs_map_paths[i], obs_map_ds_path[ds]) == 0;
        assert_true(found);
    }
}

/* Daily users of b over 2025-08-30..31 (days 1 and 2), both regions:
 * dataset 2: day 1 gives 2000 + 100 + 0 + 2 and 2000 + 100 + 10 + 2, sum
 * 4214; day 2 gives 4414; the mean 4314.  Region r2 only: (2112 + 2212) / 2
 * = 2162. */
static void test_daily_users(void **state)
{
    (void)state;
    observation o = obs(OBS_DAILY_USERS, "2025-08-31", 2, "b", "");
    assert_true(fabs(value(OBS_DAILY, &o) - 4314.0) < 1e-9);
    o = obs(OBS_DAILY_USERS, "2025-08-31", 2, "b", "r2");
    assert_true(fabs(value(OBS_DAILY, &o) - 2162.0) < 1e-9);
}

/* Monthly reach of a over 2025-08-29..31: the reach to date on the period's
 * last day (day 2), dataset 3: 3000 + 200 + 0 + 1 + 3000 + 200 + 10 + 1 =
 * 6412, not the mean over the period (6212). */
static void test_monthly_reach(void **state)
{
    (void)state;
    observation o = obs(OBS_MONTHLY_USERS, "2025-08-31", 3, "a", "");
    assert_true(fabs(value(OBS_MONTHLY_REACH, &o) - 6412.0) < 1e-9);
    /* a period reaching before the run: refused with the day it lacks */
    o = obs(OBS_MONTHLY_USERS, "2025-08-31", 4, "a", "");
    double v;
    char why[256] = "";
    assert_int_equal(obs_map_value(&run, OBS_MONTHLY_REACH, &o, &v, why, sizeof why), BS_EINPUT);
    assert_non_null(strstr(why, "2025-08-28"));
    assert_int_equal(obs_map_fits(OBS_MONTHLY_REACH, &o, obs_map_parse_date("2025-08-29"),
                                  obs_map_parse_date("2025-09-01"), why, sizeof why),
                     -1);
}

/* A run without the dataset (a results file of the first behaviour model)
 * is refused, naming it. */
static void test_missing_dataset(void **state)
{
    (void)state;
    run.n_arrays = 2; /* installed and primary only */
    observation o = obs(OBS_DAILY_USERS, "2025-08-31", 1, "a", "");
    double v;
    char why[256] = "";
    assert_int_equal(obs_map_value(&run, OBS_DAILY, &o, &v, why, sizeof why), BS_EINPUT);
    assert_non_null(strstr(why, "/population/daily_users/any"));
    run.n_arrays = N_DS;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_daily_users),
        cmocka_unit_test(test_monthly_reach),
        cmocka_unit_test(test_missing_dataset),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
