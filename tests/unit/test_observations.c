/* Observation files (config/observations.h): the shipped files load with the
 * rows written in them; bad files are refused with file:line and the
 * setting's path.  Expected values are read off the files by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "config/observations.h"
#include "base/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static observation_set obs;

static int load(const char *path, char **errors)
{
    *errors = NULL;
    memset(&obs, 0, sizeof obs);
    return observations_load(path, &obs, errors);
}

/* A bad file's text in a temporary file; its path in path[64]. */
static void write_tmp(char path[64], const char *text)
{
    snprintf(path, 64, "/tmp/bs-obs-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* configs/observations/russia-2025.cfg: 14 rows; the first is Max's daily
 * users of August 2025, 7.0e6 +- 0.7e6 over the 31 days ending 2025-08-31
 * (day 20331 since 1970-01-01: 55 years of 365 days plus 14 leap days is
 * 20089 to 2025-01-01; 31 August is 242 days after 1 January). */
static void test_shipped_2025(void **state)
{
    (void)state;
    char *errors;
    int st = load(BS_SOURCE_DIR "/configs/observations/russia-2025.cfg", &errors);
    if (st != BS_OK)
        fprintf(stderr, "%s\n", errors ? errors : bs_last_error());
    assert_int_equal(st, BS_OK);
    assert_int_equal(obs.n, 14);
    const observation *o = &obs.rows[0];
    assert_int_equal(o->measure, OBS_DAILY_USERS);
    assert_string_equal(o->app, "max");
    assert_int_equal(o->date, 20331);
    assert_true(o->period == 31.0);
    assert_true(o->value == 7.0e6 && o->uncertainty == 0.7e6);
    assert_string_equal(o->unit, "people");
    assert_int_equal(obs.rows[5].measure, OBS_AUDIENCE);
    assert_true(obs.rows[5].period == 1.0 && obs.rows[5].value == 18.0e6);
    free(errors);
}

static void test_shipped_2022(void **state)
{
    (void)state;
    char *errors;
    assert_int_equal(load(BS_SOURCE_DIR "/configs/observations/russia-2022-instagram.cfg", &errors),
                     BS_OK);
    assert_int_equal(obs.n, 2);
    assert_int_equal(obs.rows[0].measure, OBS_VPN_DEMAND_RATIO);
    assert_string_equal(obs.rows[0].app, "");
    assert_int_equal(obs.rows[1].measure, OBS_VPN_INSTALLS);
    assert_true(obs.rows[1].period == 13.0);
    free(errors);
}

/* One bad setting each; the error names the line and the path. */
static void refused(const char *row, const char *expect_path, const char *expect_text)
{
    char text[1024], path[64], *errors;
    snprintf(text, sizeof text,
             "observations = (\n"
             "  { date = \"2025-08-31\"; measure = \"daily_users\"; app = \"max\";\n"
             "    value = 1.0; uncertainty = 0.1; unit = \"people\"; source = \"a panel, 2025\"; },\n"
             "%s\n);\n",
             row);
    write_tmp(path, text);
    int st = load(path, &errors);
    unlink(path);
    assert_int_equal(st, BS_EINPUT);
    assert_non_null(errors);
    char where[96];
    snprintf(where, sizeof where, "%s:4: %s", path, expect_path);
    if (!strstr(errors, where) || !strstr(errors, expect_text))
        fprintf(stderr, "expected '%s' ... '%s' in:\n%s", where, expect_text, errors);
    assert_non_null(strstr(errors, where));
    assert_non_null(strstr(errors, expect_text));
    free(errors);
}

static void test_bad_rows(void **state)
{
    (void)state;
    const char *ok = "date = \"2025-09-30\"; value = 2.0; source = \"a panel, 2025\";";
    char row[512];
    snprintf(row, sizeof row, "  { %s measure = \"daily_users\"; uncertainty = -1.0; unit = \"people\"; }", ok);
    refused(row, "observations.[1].uncertainty", "above zero");
    snprintf(row, sizeof row, "  { %s measure = \"daily_users\"; uncertainty = 0.0; unit = \"people\"; }", ok);
    refused(row, "observations.[1].uncertainty", "above zero");
    snprintf(row, sizeof row, "  { %s measure = \"daily_users\"; uncertainty = 1.0; unit = \"millions\"; }", ok);
    refused(row, "observations.[1].unit", "daily_users is measured in people");
    snprintf(row, sizeof row, "  { %s measure = \"dau\"; uncertainty = 1.0; unit = \"people\"; }", ok);
    refused(row, "observations.[1].measure", "dau");
    snprintf(row, sizeof row,
             "  { %s measure = \"daily_users\"; uncertainty = 1.0; unit = \"people\"; app = \"a\\nb\"; }", ok);
    refused(row, "observations.[1].app", "control character");
    snprintf(row, sizeof row,
             "  { date = \"2025-09-30\"; value = 2.0; measure = \"daily_users\"; uncertainty = 1.0; "
             "unit = \"people\"; source = \"x\"; }");
    refused(row, "observations.[1].source", "who measured it");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_2025),
        cmocka_unit_test(test_shipped_2022),
        cmocka_unit_test(test_bad_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
