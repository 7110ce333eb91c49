/* Unit tests for loading, checking, overriding and dumping configurations
 * (models/config.c).
 *
 * Each test writes small configuration files into a fresh temporary folder
 * (mkdtemp) laid out like the repository: DIR/scenarios/ for scenario files,
 * DIR/configs/ for the parts they @include.  The expected answer of each test
 * is stated above it; error texts are compared in full, file:line included.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw, open_memstream */

#include <setjmp.h> /* before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "base/status.h"
#include "world/world.h"

/* ------------------------------------------------------------- fixture */

typedef struct fixture {
    char dir[64];
    world *a, *b;
    char *errors;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/bs-config-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    char sub[128];
    snprintf(sub, sizeof sub, "%s/scenarios", f->dir);
    mkdir(sub, 0700);
    snprintf(sub, sizeof sub, "%s/configs", f->dir);
    mkdir(sub, 0700);
    f->a = malloc(sizeof(world));
    f->b = malloc(sizeof(world));
    if (!f->a || !f->b)
        return -1;
    *state = f;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    fixture *f = *state;
    nftw(f->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(f->a);
    free(f->b);
    free(f->errors);
    free(f);
    return 0;
}

/* DIR/rel, in a static buffer (one at a time). */
static const char *at(const fixture *f, const char *rel)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", f->dir, rel);
    return path;
}

static void write_bytes(const fixture *f, const char *rel, const char *text, size_t len)
{
    FILE *out = fopen(at(f, rel), "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(text, 1, len, out), len);
    assert_int_equal(fclose(out), 0);
}

static void write_file(const fixture *f, const char *rel, const char *text)
{
    write_bytes(f, rel, text, strlen(text));
}

/* Load DIR/rel into f->a; keeps the errors text in f->errors. */
static int load(fixture *f, const char *rel, int n_set, char *const *set)
{
    free(f->errors);
    f->errors = NULL;
    char path[256];
    snprintf(path, sizeof path, "%s/%s", f->dir, rel);
    return config_load(path, n_set, set, f->a, &f->errors);
}

/* The expected errors text with every "~" replaced by DIR. */
static void assert_errors(const fixture *f, const char *expected)
{
    char want[4096];
    size_t n = 0;
    for (const char *p = expected; *p && n + 64 < sizeof want; p++) {
        if (*p == '~')
            n += (size_t)snprintf(want + n, sizeof want - n, "%s", f->dir);
        else
            want[n++] = *p;
    }
    want[n] = '\0';
    assert_non_null(f->errors);
    assert_string_equal(f->errors, want);
}

/* A valid scenario with only the required settings, on known lines. */
static const char minimal[] = "scenario = {\n"                                        /* 1 */
                              "  name = \"t\";\n"                                     /* 2 */
                              "  start = \"2025-01-01\";\n"                           /* 3 */
                              "  end = \"2025-03-01\";\n"                             /* 4 */
                              "};\n"                                                  /* 5 */
                              "regions = ( { name = \"r\"; population = 1000000.0;\n" /* 6 */
                              "  isps = ( { name = \"i\"; share = 1.0; } ); } );\n"   /* 7 */
                              "apps = ( { name = \"a\"; } );\n";                      /* 8 */

/* ------------------------------------------------------------- defaults */

/* The minimal scenario loads; what it leaves out takes the schema's default
 * (schema.c): population.scale 1460, frustration_half_life "7d" = 7 days,
 * phone_lifetime "3y" = 1095 days, an app's voice_rate "60kbps" = 60000
 * bit/s, messaging_bytes "2MB" = 2e6 bytes, platforms ["ios", "android"],
 * e2e true; an ISP is "mobile" with coverage 1; sni detects messaging with
 * 0.95; no VPN protocols, no events.  Derived: 59 days. */
static void test_defaults_applied(void **state)
{
    fixture *f = *state;
    write_file(f, "scenarios/min.cfg", minimal);
    assert_int_equal(load(f, "scenarios/min.cfg", 0, NULL), BS_OK);
    assert_null(f->errors);
    world *w = f->a;
    assert_string_equal(w->scenario.name, "t");
    assert_string_equal(w->scenario.description, "");
    assert_int_equal(w->scenario.seed, 1);
    assert_true(w->population.scale == 1460.0);
    assert_int_equal(w->population.graph, GRAPH_NEGBIN);
    assert_true(w->population.frustration_half_life == 7.0);
    assert_true(w->population.phone_lifetime == 1095.0);
    assert_int_equal(w->n_apps, 1);
    assert_true(w->apps[0].voice_rate == 60000.0);
    assert_true(w->apps[0].messaging_bytes == 2e6);
    assert_int_equal(w->apps[0].platforms.n, 2);
    assert_string_equal(w->apps[0].platforms.v[0], "ios");
    assert_string_equal(w->apps[0].platforms.v[1], "android");
    assert_int_equal(w->apps[0].e2e, 1);
    assert_int_equal(w->regions[0].isps[0].kind, ISP_MOBILE);
    assert_true(w->regions[0].isps[0].coverage == 1.0);
    assert_true(w->censor.tech[TECH_SNI].detect[CLASS_MESSAGING] == 0.95);
    assert_int_equal(w->n_vpns, 0);
    assert_int_equal(w->n_events, 0);
    assert_int_equal(w->n_days, 59);
}

/* Every default of the schema is valid: a scenario that also has one VPN
 * protocol and one event with only their required settings loads without
 * an error (a bad default would be reported as "schema default: ..."). */
static void test_every_default_is_valid(void **state)
{
    fixture *f = *state;
    char text[2048];
    snprintf(text, sizeof text,
             "%s"
             "vpns = ( { name = \"wg\"; detectability = 0.5; } );\n"
             "events = ( { date = \"2025-02-01\"; action = \"unblock\"; } );\n",
             minimal);
    write_file(f, "scenarios/all.cfg", text);
    assert_int_equal(load(f, "scenarios/all.cfg", 0, NULL), BS_OK);
    assert_int_equal(f->a->n_vpns, 1);
    assert_int_equal(f->a->n_events, 1);
    assert_true(f->a->events[0].duration == 0.0); /* "0d" */
}

/* ---------------------------------------------------------------- units */

enum target { T_DURATION, T_HALF_LIFE, T_LIFETIME, T_VOICE, T_THROTTLE, T_BYTES, T_START };

typedef struct unit_case {
    enum target target;
    const char *text; /* as written in the file */
    double expected;  /* in the stored unit */
} unit_case;

/* Each unit converts to the stored unit: durations to days (y = 365 d),
 * rates to bit/s and sizes to bytes with powers of 1000, ISO dates to days
 * since 1970-01-01 (2025-08-13 is day 20313; 2024-02-29, a leap day, is
 * 19782; 2000-03-01 is 11017).  The expected values are computed the way
 * the loader does (number * factor), so they compare exactly. */
static const unit_case unit_cases[] = {
    {T_DURATION, "\"90s\"", 90.0 / 86400},
    {T_DURATION, "\"30min\"", 30.0 / 1440},
    {T_DURATION, "\"6h\"", 0.25},
    {T_DURATION, "\"0d\"", 0},
    {T_HALF_LIFE, "\"7d\"", 7},
    {T_HALF_LIFE, "\"2w\"", 14},
    {T_HALF_LIFE, "\"0.5d\"", 0.5},
    {T_HALF_LIFE, "\"1.5e1d\"", 15},
    {T_LIFETIME, "\"3y\"", 1095},
    {T_VOICE, "\"64bps\"", 64},
    {T_VOICE, "\"130kbps\"", 130000},
    {T_VOICE, "\"1.5Mbps\"", 1.5e6},
    {T_VOICE, "\"10Gbps\"", 1e10},
    {T_THROTTLE, "\"128kbps\"", 128000},
    {T_BYTES, "\"500B\"", 500},
    {T_BYTES, "\"2kB\"", 2000},
    {T_BYTES, "\"1.5MB\"", 1.5e6},
    {T_BYTES, "\"1GB\"", 1e9},
    {T_START, "\"2025-08-13\"", 20313},
    {T_START, "\"2024-02-29\"", 19782},
    {T_START, "\"1970-01-01\"", 0},
    {T_START, "\"2000-03-01\"", 11017},
};

static void test_units(void **state)
{
    fixture *f = *state;
    for (size_t i = 0; i < sizeof unit_cases / sizeof unit_cases[0]; i++) {
        const unit_case *u = &unit_cases[i];
        char pop[96] = "", cen[96] = "", app[96] = "", start[32] = "\"1970-01-01\"";
        char dur[32] = "\"1d\"";
        switch (u->target) {
        case T_DURATION:
            snprintf(dur, sizeof dur, "%s", u->text);
            break;
        case T_HALF_LIFE:
            snprintf(pop, sizeof pop, "frustration_half_life = %s;", u->text);
            break;
        case T_LIFETIME:
            snprintf(pop, sizeof pop, "phone_lifetime = %s;", u->text);
            break;
        case T_VOICE:
            snprintf(app, sizeof app, "voice_rate = %s;", u->text);
            break;
        case T_THROTTLE:
            snprintf(cen, sizeof cen, "throttle_rate = %s;", u->text);
            break;
        case T_BYTES:
            snprintf(app, sizeof app, "messaging_bytes = %s;", u->text);
            break;
        case T_START:
            snprintf(start, sizeof start, "%s", u->text);
            break;
        }
        char text[1024];
        snprintf(text, sizeof text,
                 "scenario = { name = \"u\"; start = %s; end = \"2030-01-01\"; };\n"
                 "population = { %s };\ncensor = { %s };\n"
                 "regions = ( { name = \"r\"; population = 1000.0;\n"
                 "  isps = ( { name = \"i\"; share = 1.0; } ); } );\n"
                 "apps = ( { name = \"a\"; %s } );\n"
                 "events = ( { date = \"2029-01-01\"; action = \"unblock\"; duration = %s; } );\n",
                 start, pop, cen, app, dur);
        write_file(f, "scenarios/unit.cfg", text);
        int st = load(f, "scenarios/unit.cfg", 0, NULL);
        if (st != BS_OK)
            fail_msg("%s: %s", u->text, f->errors ? f->errors : bs_last_error());
        const world *w = f->a;
        double got = u->target == T_DURATION    ? w->events[0].duration
                     : u->target == T_HALF_LIFE ? w->population.frustration_half_life
                     : u->target == T_LIFETIME  ? w->population.phone_lifetime
                     : u->target == T_VOICE     ? w->apps[0].voice_rate
                     : u->target == T_THROTTLE  ? w->censor.throttle_rate
                     : u->target == T_BYTES     ? w->apps[0].messaging_bytes
                                                : (double)w->scenario.start;
        if (got != u->expected)
            fail_msg("%s: got %.17g, expected %.17g", u->text, got, u->expected);
    }
}

/* A bare number or a wrong unit is an error that shows the form to use. */
static void test_unit_errors(void **state)
{
    fixture *f = *state;
    char text[1024];
    snprintf(text, sizeof text,
             "%s"
             "population = { frustration_half_life = 7;\n"  /* 9 */
             "  phone_lifetime = \"3 years\"; };\n"         /* 10 */
             "censor = { throttle_rate = \"10kbit\"; };\n", /* 11 */
             minimal);
    write_file(f, "scenarios/u.cfg", text);
    assert_int_equal(load(f, "scenarios/u.cfg", 0, NULL), BS_EINPUT);
    assert_errors(f, "~/scenarios/u.cfg:9: population.frustration_half_life: a bare number needs "
                     "a unit, like \"7d\" (s, min, h, d, w or y)\n"
                     "~/scenarios/u.cfg:10: population.phone_lifetime: unknown unit \"years\" in "
                     "\"3 years\" (use s, min, h, d, w or y)\n"
                     "~/scenarios/u.cfg:11: censor.throttle_rate: unknown unit \"kbit\" in "
                     "\"10kbit\" (use bps, kbps, Mbps or Gbps)\n");
}

/* ---------------------------------------------------------------- dates */

/* Dates must be real calendar days in ISO form: 2025-02-30 does not exist,
 * 2100 is not a leap year, "2025-1-01" is not ISO, and a number is not a
 * date.  One error each, on the line of the setting. */
static void test_bad_dates(void **state)
{
    fixture *f = *state;
    write_file(f, "scenarios/d.cfg",
               "scenario = { name = \"d\";\n"                                   /* 1 */
               "  start = \"2025-02-30\";\n"                                    /* 2 */
               "  end = 20250301; };\n"                                         /* 3 */
               "regions = ( { name = \"r\"; population = 1000.0;\n"             /* 4 */
               "  isps = ( { name = \"i\"; share = 1.0; } ); } );\n"            /* 5 */
               "apps = ( { name = \"a\"; } );\n"                                /* 6 */
               "events = ( { date = \"2100-02-29\"; action = \"unblock\"; },\n" /* 7 */
               "  { date = \"2025-1-01\"; action = \"unblock\"; } );\n");       /* 8 */
    assert_int_equal(load(f, "scenarios/d.cfg", 0, NULL), BS_EINPUT);
    assert_errors(f, "~/scenarios/d.cfg:2: scenario.start: \"2025-02-30\" is not a date: that "
                     "month has fewer days\n"
                     "~/scenarios/d.cfg:3: scenario.end: expected an ISO date in quotes, like "
                     "\"2025-08-13\", got the integer 20250301\n"
                     "~/scenarios/d.cfg:7: events.[0].date: \"2100-02-29\" is not a date: that "
                     "month has fewer days\n"
                     "~/scenarios/d.cfg:8: events.[1].date: \"2025-1-01\" is not an ISO date; "
                     "write it like \"2025-08-13\"\n");
}

/* --------------------------------------------------------- unknown keys */

/* A misspelt key is an error with the nearest key the schema allows in
 * that place; a key like nothing allowed gets no suggestion. */
static void test_unknown_key_did_you_mean(void **state)
{
    fixture *f = *state;
    char text[1024];
    snprintf(text, sizeof text,
             "%s"
             "population = { scal = 5.0;\n" /* 9 */
             "  xyzzy = 1; };\n",           /* 10 */
             minimal);
    write_file(f, "scenarios/k.cfg", text);
    assert_int_equal(load(f, "scenarios/k.cfg", 0, NULL), BS_EINPUT);
    assert_errors(f, "~/scenarios/k.cfg:9: population.scal: unknown key 'scal' (did you mean "
                     "'scale'?)\n"
                     "~/scenarios/k.cfg:10: population.xyzzy: unknown key 'xyzzy'\n");
    char want[320];
    snprintf(want, sizeof want, "2 errors in %s", at(f, "scenarios/k.cfg"));
    assert_string_equal(bs_last_error(), want);
}

/* --------------------------------------------- several errors, @include */

/* Errors are all reported at once, in the order found, each with the file
 * and line it is on, including inside an @included file (named by its path
 * from the scenario's folder, tidied).  A missing required setting is
 * reported on the line of its enclosing group or list element.  The summary
 * counts them: "5 errors in FILE". */
static void test_many_errors_with_include(void **state)
{
    fixture *f = *state;
    write_file(f, "scenarios/many.cfg",
               "scenario = {\n"                                        /* 1 */
               "  start = \"2025-01-01\";\n"                           /* 2 */
               "  end = \"2025-03-01\";\n"                             /* 3 */
               "  seeed = 3;\n"                                        /* 4 */
               "};\n"                                                  /* 5 */
               "population = { retry = 1.5; };\n"                      /* 6 */
               "@include \"../configs/many_apps.cfg\"\n"               /* 7 */
               "regions = ( { name = \"r\"; population = 1000000.0;\n" /* 8 */
               "  isps = ( { name = \"i\"; share = 1.0; } ); } );\n"); /* 9 */
    write_file(f, "configs/many_apps.cfg",
               "apps = (\n"                        /* 1 */
               "  { name = \"a\"; },\n"            /* 2 */
               "  { name = \"b\";\n"               /* 3 */
               "    voice_rate = \"80kbit\"; },\n" /* 4 */
               "  { installed = 0.5; }\n"          /* 5 */
               ");\n");                            /* 6 */
    assert_int_equal(load(f, "scenarios/many.cfg", 0, NULL), BS_EINPUT);
    assert_errors(f, "~/scenarios/many.cfg:4: scenario.seeed: unknown key 'seeed' (did you mean "
                     "'seed'?)\n"
                     "~/scenarios/many.cfg:1: scenario.name: missing required setting\n"
                     "~/scenarios/many.cfg:6: population.retry: 1.5 is out of range 0..1 "
                     "probability\n"
                     "~/configs/many_apps.cfg:4: apps.[1].voice_rate: unknown unit \"kbit\" in "
                     "\"80kbit\" (use bps, kbps, Mbps or Gbps)\n"
                     "~/configs/many_apps.cfg:5: apps.[2].name: missing required setting\n");
    char want[320];
    snprintf(want, sizeof want, "5 errors in %s", at(f, "scenarios/many.cfg"));
    assert_string_equal(bs_last_error(), want);
}

/* Load a one-region world with the apps list `apps` (from line 4). */
static int load_apps(fixture *f, const char *apps)
{
    char text[1024];
    snprintf(text, sizeof text,
             "scenario = { name = \"t\"; start = \"2025-01-01\"; end = \"2025-03-01\"; };\n"
             "regions = ( { name = \"r\"; population = 1000000.0;\n"
             "  isps = ( { name = \"i\"; share = 1.0; } ); } );\n"
             "apps = ( %s );\n",
             apps);
    write_file(f, "scenarios/md.cfg", text);
    return load(f, "scenarios/md.cfg", 0, NULL);
}

/* An app's own msg_daily (schema.c: -1..1, -1 meaning population.msg_daily):
 * above 1 is out of the schema range; between -1 and 0 is in that range but
 * means nothing, and the resolve step refuses it at its file and line; -1
 * and 0..1 load. */
static void test_app_msg_daily(void **state)
{
    fixture *f = *state;
    assert_int_equal(load_apps(f, "{ name = \"a\"; msg_daily = 1.5; }"), BS_EINPUT);
    assert_errors(f, "~/scenarios/md.cfg:4: apps.[0].msg_daily: 1.5 is out of range -1..1 "
                     "probability\n");
    assert_int_equal(
        load_apps(f, "{ name = \"a\"; msg_daily = -1.0; },\n  { name = \"b\"; msg_daily = -0.5; }"),
        BS_EINPUT);
    assert_errors(f, "~/scenarios/md.cfg:5: apps.[1].msg_daily: -0.5 is neither -1 "
                     "(population.msg_daily) nor in 0..1\n");
    assert_int_equal(load_apps(f, "{ name = \"a\"; msg_daily = -1.0; }, { name = \"b\"; "
                                  "msg_daily = 0.0; }, { name = \"c\"; msg_daily = 1.0; }"),
                     BS_OK);
    assert_null(f->errors);
    world *w = f->a;
    assert_true(w->apps[0].msg_daily == -1.0 && w->apps[1].msg_daily == 0.0 &&
                w->apps[2].msg_daily == 1.0);
}

/* Every parameter of the second behaviour model (models/README.md, section
 * 4) out of its schema range (schema.c), one a line: each is reported at its
 * file and line, with the range and unit the schema declares, and nothing
 * loads (BS_EINPUT). */
static void test_behaviour_params_out_of_range(void **state)
{
    fixture *f = *state;
    write_file(f, "scenarios/beh.cfg",
               "scenario = { name = \"t\"; start = \"2025-01-01\"; end = \"2025-03-01\"; };\n" /* 1 */
               "regions = ( { name = \"r\"; population = 1000000.0;\n"                   /* 2 */
               "  isps = ( { name = \"i\"; share = 1.0; } ); } );\n"                     /* 3 */
               "apps = ( { name = \"a\"; circumvention = 1.5; } );\n"                    /* 4 */
               "population = {\n"                                                       /* 5 */
               "  switch_rate = 101.0;\n"                                               /* 6 */
               "  switch_use = -1.0;\n"                                                 /* 7 */
               "  switch_install = 2.0;\n"                                              /* 8 */
               "  switch_new = -0.5;\n"                                                 /* 9 */
               "  habit_time = \"90d\";\n"                                              /* 10 */
               "  msg_daily = 1.1;\n"                                                   /* 11 */
               "  msg_start = -0.1;\n"                                                  /* 12 */
               "  msg_quit = 3.0;\n"                                                    /* 13 */
               "  uninstall_rate = 1.5;\n"                                              /* 14 */
               "  vpn_social = -2.0;\n"                                                 /* 15 */
               "  vpn_drop = 2.0;\n"                                                    /* 16 */
               "  vpn_unneeded = -1.0;\n"                                               /* 17 */
               "  msg_start_calls = 1.5;\n"                                             /* 18 */
               "};\n");                                                                 /* 19 */
    assert_int_equal(load(f, "scenarios/beh.cfg", 0, NULL), BS_EINPUT);
    assert_errors(f, "~/scenarios/beh.cfg:6: population.switch_rate: 101 is out of range 0..100 "
                     "1/failure\n"
                     "~/scenarios/beh.cfg:7: population.switch_use: -1 is out of range 0..1000\n"
                     "~/scenarios/beh.cfg:8: population.switch_install: 2 is out of range 0..1\n"
                     "~/scenarios/beh.cfg:9: population.switch_new: -0.5 is out of range 0..1000\n"
                     "~/scenarios/beh.cfg:10: population.habit_time: \"90d\" (90 days) is out of range 0..80 "
                     "days\n"
                     "~/scenarios/beh.cfg:11: population.msg_daily: 1.1 is out of range 0..1 "
                     "probability\n"
                     "~/scenarios/beh.cfg:12: population.msg_start: -0.1 is out of range 0..1 "
                     "1/day\n"
                     "~/scenarios/beh.cfg:18: population.msg_start_calls: 1.5 is out of range 0..1 "
                     "1/day\n"
                     "~/scenarios/beh.cfg:13: population.msg_quit: 3 is out of range 0..1 1/day\n"
                     "~/scenarios/beh.cfg:14: population.uninstall_rate: 1.5 is out of range 0..1 "
                     "1/day\n"
                     "~/scenarios/beh.cfg:15: population.vpn_social: -2 is out of range 0..1000\n"
                     "~/scenarios/beh.cfg:16: population.vpn_drop: 2 is out of range 0..1 1/day\n"
                     "~/scenarios/beh.cfg:17: population.vpn_unneeded: -1 is out of range 0..1 "
                     "1/day\n"
                     "~/scenarios/beh.cfg:4: apps.[0].circumvention: 1.5 is out of range 0..1 "
                     "share\n");
}

/* A syntax error is one error at libconfig's line; a missing file says so. */
static void test_syntax_error_and_missing_file(void **state)
{
    fixture *f = *state;
    write_file(f, "scenarios/s.cfg",
               "scenario = {\n  name = \"x\";\n  start = = \"2025-01-01\";\n};\n");
    assert_int_equal(load(f, "scenarios/s.cfg", 0, NULL), BS_EINPUT);
    assert_errors(f, "~/scenarios/s.cfg:3: syntax error\n");

    assert_int_equal(load(f, "scenarios/none.cfg", 0, NULL), BS_EINPUT);
    assert_errors(f, "~/scenarios/none.cfg: cannot open: No such file or directory\n");

    /* an @include of a missing file names the file and where it was looked for */
    unsetenv("BLOCKSHIFT_PATH");
    write_file(f, "scenarios/i.cfg", "@include \"../configs/gone.cfg\"\n");
    assert_int_equal(load(f, "scenarios/i.cfg", 0, NULL), BS_EINPUT);
    assert_errors(f, "~/scenarios/i.cfg:1: cannot open @include file \"../configs/gone.cfg\" "
                     "(~/configs/gone.cfg): No such file or directory; nor is it in "
                     "BLOCKSHIFT_PATH (not set) or a share folder (none)\n");
}

/* The cross-field rules of config_resolve() report through config_check_error(),
 * which finds the file:line of the path they name: here the `apps` setting
 * of event 0, on line 10. */
static void test_resolve_errors_have_lines(void **state)
{
    fixture *f = *state;
    char text[1024];
    snprintf(text, sizeof text,
             "%s"
             "events = ( { date = \"2025-02-01\"; action = \"block\";\n" /* 9 */
             "  apps = [\"nope\"]; } );\n",                              /* 10 */
             minimal);
    write_file(f, "scenarios/r.cfg", text);
    assert_int_equal(load(f, "scenarios/r.cfg", 0, NULL), BS_EINPUT);
    assert_errors(f, "~/scenarios/r.cfg:10: events.[0].apps: unknown app 'nope'\n");
}

#if LIBCONFIG_VER_MAJOR == 1 && LIBCONFIG_VER_MINOR < 7
/* libconfig 1.5 stores 99999999999 (no L suffix) as 1215752191 without a
 * word; the loader finds such literals in the source and says so. */
/* @include on the search path (config.h, config_search_share): a name not
 * in the top file's folder is looked for in each folder of BLOCKSHIFT_PATH,
 * then the share folder; errors keep their file:line, in the file found (the
 * top file is then read from its text: its own lines, and the integers
 * libconfig would wrap, are still reported at their lines). */
static void test_include_search_path(void **state)
{
    fixture *f = *state;
    char lib[160], share[160];
    snprintf(lib, sizeof lib, "%s/lib", f->dir);
    snprintf(share, sizeof share, "%s/share", f->dir);
    mkdir(lib, 0700);
    mkdir(share, 0700);
    write_file(f, "share/apps.cfg", "apps = ( { name = \"a\"; } );\n");
    write_file(f, "lib/regions.cfg", "regions = ( { name = \"r\"; population = 1000.0;\n"
                                     "  isps = ( { name = \"i\"; share = 1.0; } ); } );\n");
    write_file(f, "scenarios/p.cfg",
               "scenario = { name = \"t\"; start = \"2025-01-01\"; end = \"2025-03-01\"; };\n"
               "@include \"regions.cfg\"\n"
               "@include \"apps.cfg\"\n");
    setenv("BLOCKSHIFT_PATH", lib, 1);
    config_search_share(share);
    assert_int_equal(load(f, "scenarios/p.cfg", 0, NULL), BS_OK);
    assert_int_equal(f->a->n_regions, 1);
    assert_string_equal(f->a->apps[0].name, "a");
    /* BLOCKSHIFT_PATH comes first: a lib/apps.cfg with an error is the one
     * read (bass_q's range 0..1000 per year: config/schema.c) */
    write_file(f, "lib/apps.cfg", "apps = ( { name = \"a\"; bass_q = -1.0; } );\n");
    assert_int_equal(load(f, "scenarios/p.cfg", 0, NULL), BS_EINPUT);
    assert_errors(f, "~/lib/apps.cfg:1: apps.[0].bass_q: -1 is out of range 0..1000 1/year\n");
    remove(at(f, "lib/apps.cfg"));
    /* the top file read from its text: a wrapped integer at its own line */
    write_file(f, "scenarios/p.cfg",
               "scenario = { name = \"t\"; start = \"2025-01-01\"; end = \"2025-03-01\";\n"
               "  seed = 99999999999; };\n"
               "@include \"regions.cfg\"\n"
               "@include \"apps.cfg\"\n");
    assert_int_equal(load(f, "scenarios/p.cfg", 0, NULL), BS_EINPUT);
    assert_errors(f, "~/scenarios/p.cfg:2: scenario.seed: integer 99999999999 does not fit in 32 "
                     "bits, and libconfig would silently read it as 1215752191; write "
                     "99999999999L\n");
    /* nowhere: where it was looked for */
    write_file(f, "scenarios/p.cfg", "@include \"nowhere.cfg\"\n");
    assert_int_equal(load(f, "scenarios/p.cfg", 0, NULL), BS_EINPUT);
    char want[1024];
    snprintf(want, sizeof want,
             "~/scenarios/p.cfg:1: cannot open @include file \"nowhere.cfg\" "
             "(~/scenarios/nowhere.cfg): No such file or directory; nor is it in "
             "BLOCKSHIFT_PATH (%s) or %s\n", lib, share);
    assert_errors(f, want);
    unsetenv("BLOCKSHIFT_PATH");
    config_search_share(NULL);
}

static void test_wrapped_integer(void **state)
{
    fixture *f = *state;
    write_file(f, "scenarios/w.cfg",
               "scenario = { name = \"t\"; start = \"2025-01-01\"; end = \"2025-03-01\";\n"
               "  seed = 99999999999; };\n"
               "regions = ( { name = \"r\"; population = 1000.0;\n"
               "  isps = ( { name = \"i\"; share = 1.0; } ); } );\n"
               "apps = ( { name = \"a\"; } );\n");
    assert_int_equal(load(f, "scenarios/w.cfg", 0, NULL), BS_EINPUT);
    assert_errors(f, "~/scenarios/w.cfg:2: scenario.seed: integer 99999999999 does not fit in 32 "
                     "bits, and libconfig would silently read it as 1215752191; write "
                     "99999999999L\n");
    /* With the suffix, or as an override (which adds it), it is fine. */
    char *set[] = {"scenario.seed=4294967295"};
    write_file(f, "scenarios/w.cfg",
               "scenario = { name = \"t\"; start = \"2025-01-01\"; end = \"2025-03-01\";\n"
               "  seed = 99999999999L; };\n"
               "regions = ( { name = \"r\"; population = 1000.0;\n"
               "  isps = ( { name = \"i\"; share = 1.0; } ); } );\n"
               "apps = ( { name = \"a\"; } );\n");
    assert_int_equal(load(f, "scenarios/w.cfg", 0, NULL), BS_EINPUT); /* > 4294967295 */
    assert_errors(f, "~/scenarios/w.cfg:2: scenario.seed: 99999999999 is out of range "
                     "0..4294967295\n");
    assert_int_equal(load(f, "scenarios/w.cfg", 1, set), BS_OK);
    assert_int_equal(f->a->scenario.seed, 4294967295LL);
}
#endif

/* ------------------------------------------------------------ overrides */

static const char two_apps[] =
    "scenario = { name = \"o\"; start = \"2025-01-01\"; end = \"2025-03-01\"; };\n"
    "regions = ( { name = \"r\"; population = 1000.0;\n"
    "  isps = ( { name = \"i\"; share = 1.0; } ); } );\n"
    "apps = ( { name = \"whatsapp\"; installed = 0.9; bass_q = 0.4; },\n"
    "         { name = \"telegram\"; installed = 0.6; bass_q = 0.3; } );\n";

/* Overrides address list elements by index or by name, may set what the
 * file leaves out (there is no population group: scale 500 must still
 * apply), and take values in libconfig syntax or, failing that, as a string
 * (the date needs no quotes).  Expected: telegram's bass_q 0.5, whatsapp's
 * installed 0.25, scale 500, start 2025-01-02 = day 20090, platforms of
 * telegram just ios, the rest as in the file. */
static void test_overrides(void **state)
{
    fixture *f = *state;
    write_file(f, "scenarios/o.cfg", two_apps);
    char *set[] = {"apps.[1].bass_q=0.5", "apps.whatsapp.installed=0.25", "population.scale=500",
                   "scenario.start=2025-01-02", "apps.telegram.platforms=[\"ios\"]"};
    assert_int_equal(load(f, "scenarios/o.cfg", 5, set), BS_OK);
    const world *w = f->a;
    assert_true(w->apps[1].bass_q == 0.5);
    assert_true(w->apps[0].bass_q == 0.4);
    assert_true(w->apps[0].installed == 0.25);
    assert_true(w->apps[1].installed == 0.6);
    assert_true(w->population.scale == 500.0);
    assert_int_equal(w->scenario.start, 20090);
    assert_int_equal(w->apps[1].platforms.n, 1);
    assert_string_equal(w->apps[1].platforms.v[0], "ios");
}

/* An override path the schema does not know is an error naming the
 * argument, with the nearest path when there is one; so is an element that
 * does not exist; and a wrong value is located at its --set argument. */
static void test_override_errors(void **state)
{
    fixture *f = *state;
    write_file(f, "scenarios/o.cfg", two_apps);
    char *set[] = {"population.scal=5", "nothing.at.all=1", "apps.whatsap.bass_q=1",
                   "apps.[0].bass_q=5000", "population.scale=nan"};
    assert_int_equal(load(f, "scenarios/o.cfg", 5, set), BS_EINPUT);
    assert_errors(f, "--set population.scal=5: unknown parameter (did you mean "
                     "population.scale?)\n"
                     "--set nothing.at.all=1: unknown parameter (blockshift params lists them)\n"
                     "--set apps.whatsap.bass_q=1: apps has no element 'whatsap' (did you mean "
                     "'whatsapp'?)\n"
                     "--set population.scale=nan: population.scale: expected a number, got the "
                     "string \"nan\"\n"
                     "--set apps.[0].bass_q=5000: apps.[0].bass_q: 5000 is out of range 0..1000 "
                     "1/year\n");
}

/* ----------------------------------------------------------- round trip */

/* A configuration with a bit of everything: escapes and UTF-8 in strings,
 * a 64-bit seed, fractions that are not exact in binary (1/3, 100 min and
 * 7 h in days),
 * units, enums, lists of names, nested lists, several events. */
static const char rich[] =
    "scenario = { name = \"round-trip\"; description = \"\\\"quoted\\\"\\ttab, UTF-8: "
    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, back\\\\slash\\x01\";\n"
    "  start = \"2024-02-29\"; end = \"2025-02-28\"; seed = 4294967295L; run = 7; };\n"
    "population = { scale = 333.3333333333333; frustration_half_life = \"100min\";\n"
    "  phone_lifetime = \"2.5y\"; vpn_rate = 0.1; graph = \"complete\"; };\n"
    "regions = ( { name = \"r1\"; population = 1234567.0; ios_share = 0.3;\n"
    "    isps = ( { name = \"i1\"; share = 0.3; kind = \"fixed\"; },\n"
    "             { name = \"i2\"; share = 0.7; } ); },\n"
    "  { name = \"r2\"; population = 7654321.0; isps = ( { name = \"j\"; share = 1.0; } ); } );\n"
    "apps = ( { name = \"whatsapp\"; label = \"What's \\\"App\\\" 2\"; voice_rate = \"1.5Mbps\"; messaging_bytes = \"1.5MB\";\n"
    "           bass_q = 0.1; },\n"
    "  { name = \"facetime\"; platforms = [\"ios\"]; e2e = false; servers = \"domestic\"; } );\n"
    "vpns = ( { name = \"wg\"; detectability = 0.3; } );\n"
    "censor = { throttle_rate = \"128kbps\"; sni = { voice = 0.123456789; }; };\n"
    "events = ( { date = \"2024-03-01\"; action = \"block\"; apps = [\"whatsapp\"];\n"
    "             technique = \"sni\"; duration = \"7h\"; },\n"
    "  { date = \"2024-04-01\"; action = \"throttle\"; rate = \"64kbps\"; regions = [\"r1\"];\n"
    "    classes = [\"video\"]; note = \"a note\\nover two lines\"; },\n"
    "  { date = \"2024-05-01\"; action = \"vpn_block\"; vpns = [\"wg\"]; } );\n";

/* Loading the dump of a world gives the same world, byte for byte (the
 * world is zeroed before loading, so padding compares too), and dumping
 * that again gives the same text. */
static void test_dump_round_trip(void **state)
{
    fixture *f = *state;
    write_file(f, "scenarios/rich.cfg", rich);
    assert_int_equal(load(f, "scenarios/rich.cfg", 0, NULL), BS_OK);
    assert_true(f->a->population.frustration_half_life == 100.0 / 1440);
    char *text = config_dump(f->a);
    assert_non_null(text);
    write_file(f, "scenarios/dumped.cfg", text);
    world *first = f->a;
    f->a = f->b; /* load the dump into the second world */
    f->b = first;
    assert_int_equal(load(f, "scenarios/dumped.cfg", 0, NULL), BS_OK);
    assert_int_equal(memcmp(f->a, f->b, sizeof(world)), 0);
    char *again = config_dump(f->a);
    assert_non_null(again);
    assert_string_equal(again, text);
    /* a few spellings the reader should recognise */
    assert_non_null(strstr(text, "  seed = 4294967295L;\n"));
    assert_non_null(strstr(text, "  scale = 333.3333333333333;\n"));
    assert_non_null(strstr(text, "  graph = \"complete\";\n"));
    assert_non_null(strstr(text, "    voice_rate = \"1500000bps\";\n"));
    assert_non_null(strstr(text, "    platforms = [\"ios\"];\n"));
    assert_non_null(strstr(text, "  start = \"2024-02-29\";\n"));
    /* whatsapp's label, quotes escaped; facetime has none: no label line
     * (an empty label is left out, config_dump.c's late_keys) */
    const char *label = strstr(text, "    label = \"What's \\\"App\\\" 2\";\n");
    assert_non_null(label);
    assert_null(strstr(label + 12, "label ="));
    assert_string_equal(f->a->apps[0].label, "What's \"App\" 2");
    assert_string_equal(f->a->apps[1].label, "");
    free(text);
    free(again);
}

/* ------------------------------------------------------- hostile input */

typedef struct hostile {
    const char *what;
    const char *text;
    size_t len; /* 0: strlen */
} hostile;

/* None of these may crash or be accepted: each gives BS_EINPUT with at
 * least one error line. */
static void test_hostile_input(void **state)
{
    fixture *f = *state;
    static const char nul[] = "scenario = { name = \"a\0b\"; };\n";
    static const char junk[] = "\x7f\x45\x4c\x46\x02\x01\x01\x00\xff\xfe{{((\"\"\n;;==";
    char *deep = malloc(60000);
    assert_non_null(deep);
    size_t n = (size_t)sprintf(deep, "population = ");
    for (int i = 0; i < 5000; i++)
        n += (size_t)sprintf(deep + n, "{a=");
    n += (size_t)sprintf(deep + n, "1;");
    for (int i = 0; i < 5000; i++)
        n += (size_t)sprintf(deep + n, "};");
    const hostile cases[] = {
        {"empty file", "", 0},
        {"NUL byte in a string", nul, sizeof nul - 1},
        {"binary junk", junk, sizeof junk - 1},
        {"include of a directory", "@include \".\"\n", 0},
        {"include of itself", "@include \"h.cfg\"\n", 0},
        {"deep nesting", deep, 0},
        {"list where a group goes", "scenario = ( 1, 2 );\npopulation = [1];\n", 0},
        {"group where a list goes", "apps = { name = \"a\"; };\nregions = ( ( 1 ) );\n", 0},
        {"huge numbers", "scenario = { seed = 999999999999999999999999L; run = 1e999; };\n", 0},
        {"too many elements",
         "vpns = ( {name=\"a\";},{name=\"b\";},{name=\"c\";},{name=\"d\";},{name=\"e\";},"
         "{name=\"f\";},{name=\"g\";},{name=\"h\";},{name=\"i\";} );\n",
         0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const hostile *h = &cases[i];
        write_bytes(f, "scenarios/h.cfg", h->text, h->len ? h->len : strlen(h->text));
        int st = load(f, "scenarios/h.cfg", 0, NULL);
        if (st != BS_EINPUT || !f->errors || !strchr(f->errors, '\n'))
            fail_msg("%s: status %d, errors %s", h->what, st, f->errors ? f->errors : "(none)");
    }
    free(deep);
    /* and hostile overrides on a valid file */
    write_file(f, "scenarios/o.cfg", two_apps);
    char *set[] = {"population.scale=1e999",
                   "population=5",
                   "apps.[0]=5",
                   "=",
                   "apps.[-1].x=1",
                   "apps.[99999999999999999999].x=1",
                   "scenario.seed=99999999999999999999",
                   "a..b=1",
                   "apps.[0].name=\"" /* unterminated: a string */};
    assert_int_equal(load(f, "scenarios/o.cfg", 9, set), BS_EINPUT);
    assert_non_null(f->errors);
}

/* ----------------------------------------------------------- reference */

/* The Markdown reference has the title, says it is generated, has one
 * table per top-level section in schema order, every row with exactly the
 * 8 unescaped | of 7 cells, and is the same text every time. */
static void test_params_markdown(void **state)
{
    (void)state;
    char *one = NULL, *two = NULL;
    size_t len1 = 0, len2 = 0;
    FILE *out = open_memstream(&one, &len1);
    assert_int_equal(config_params(out, 1), BS_OK);
    fclose(out);
    out = open_memstream(&two, &len2);
    assert_int_equal(config_params(out, 1), BS_OK);
    fclose(out);
    assert_string_equal(one, two);
    assert_true(strncmp(one, "# blockshift parameters\n", 24) == 0);
    assert_non_null(strstr(one, "blockshift params --markdown"));
    assert_non_null(strstr(one, "do not edit by hand"));
    const char *sections[] = {"\n## scenario\n", "\n## population\n", "\n## regions\n",
                              "\n## apps\n",     "\n## vpns\n",       "\n## censor\n",
                              "\n## events\n"};
    const char *prev = one;
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        const char *s = strstr(one, sections[i]);
        if (!s || s < prev)
            fail_msg("section %s missing or out of order", sections[i] + 1);
        prev = s;
    }
    assert_non_null(strstr(one, "| `population.scale` | real | `1460.0` | 1..1000000000 | "));
    for (const char *line = one; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (n && line[0] == '|') {
            int pipes = 0;
            for (size_t k = 0; k < n; k++)
                pipes += line[k] == '|' && (k == 0 || line[k - 1] != '\\');
            if (pipes != 8)
                fail_msg("row with %d cells: %.*s", pipes - 1, (int)n, line);
        }
        line += n + (end != NULL);
    }
    free(one);
    free(two);
}

/* The plain listing names every parameter with its type and unit. */
static void test_params_plain(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_int_equal(config_params(out, 0), BS_OK);
    fclose(out);
    assert_non_null(strstr(text, "population.frustration_half_life"));
    assert_non_null(strstr(text, "events.[].date"));
    assert_non_null(strstr(text, "    source: "));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults_applied, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_default_is_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_units, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unit_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_dates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_key_did_you_mean, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_errors_with_include, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syntax_error_and_missing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_behaviour_params_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_app_msg_daily, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve_errors_have_lines, setup, teardown),
#if LIBCONFIG_VER_MAJOR == 1 && LIBCONFIG_VER_MINOR < 7
        cmocka_unit_test_setup_teardown(test_wrapped_integer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_include_search_path, setup, teardown),
#endif
        cmocka_unit_test_setup_teardown(test_overrides, setup, teardown),
        cmocka_unit_test_setup_teardown(test_override_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dump_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_input, setup, teardown),
        cmocka_unit_test(test_params_markdown),
        cmocka_unit_test(test_params_plain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
