/* Unit tests for the cross-field rules of a configuration (config_resolve in
 * models/world.c), through config_load() on a file.
 *
 * Each bad configuration differs from a valid one (base_cfg with the
 * defaults below) in one place.  Expected: config_load returns BS_EINPUT,
 * and the errors text has exactly one line, which names the path and says
 * the message of world.c.  The valid configuration loads and its derived
 * masks are checked by hand.
 *
 * The valid world: scenario 2025-01-01 .. 2025-03-01 (end exclusive);
 * regions r0 with ISPs x, y and r1 with ISPs y, z; apps a, b, c; VPN
 * protocols p, q.
 */
#include <setjmp.h> /* before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "base/status.h"
#include "testutil.h"
#include "world/world.h"

static const char base_cfg[] =
    "scenario = { name = \"w\"; start = \"2025-01-01\"; end = \"%s\"; };\n"
    "regions = (\n"
    "  { name = \"r0\"; population = 1000.0; isps = (\n"
    "      { name = \"x\"; share = %s; }, { name = \"y\"; share = 0.4; } ); },\n"
    "  { name = \"r1\"; population = 1000.0; isps = (\n"
    "      { name = \"y\"; share = 0.5; }, { name = \"z\"; share = 0.5; } ); } );\n"
    "apps = ( { name = \"a\"; }, { name = \"b\"; }, { name = \"%s\"; } );\n"
    "vpns = ( %s );\n"
    "events = (\n%s);\n";

static const char good_end[] = "2025-03-01";
static const char good_share[] = "0.6";
static const char good_app[] = "c";
static const char good_vpns[] = "{ name = \"p\"; detectability = 0.9; },"
                                " { name = \"q\"; detectability = 0.1; }";

typedef struct outcome {
    int status;
    char *errors;
    world *w;
    char file[64]; /* the temporary file loaded */
} outcome;

static outcome load_parts(const char *end, const char *share, const char *app3, const char *vpns,
                          const char *events)
{
    char text[8192];
    snprintf(text, sizeof text, base_cfg, end, share, app3, vpns, events);
    const char *path = tu_write_cfg(text);
    assert_non_null(path);
    outcome o = {0, NULL, malloc(sizeof(world)), ""};
    assert_non_null(o.w);
    snprintf(o.file, sizeof o.file, "%s", path);
    o.status = config_load(path, 0, NULL, o.w, &o.errors);
    unlink(path);
    return o;
}

static outcome load_events(const char *events)
{
    return load_parts(good_end, good_share, good_app, good_vpns, events);
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

/* The load failed with BS_EINPUT and one error line, of the form
 * "FILE:LINE: PATH: MESSAGE" (config.h), with the file loaded and this path
 * and message. */
static void expect_error(outcome *o, const char *path, const char *message)
{
    const char *e = o->errors ? o->errors : "";
    print_message("errors:\n%s", e);
    assert_int_equal(o->status, BS_EINPUT);
    assert_non_null(o->errors);
    assert_int_equal(count_lines(e), 1);
    char want[512];
    snprintf(want, sizeof want, ": %s: %s\n", path, message);
    if (!strstr(e, want))
        fail_msg("no '%s' in: %s", want, e);
    /* located in the file loaded: "FILE:LINE: " */
    size_t n = strlen(o->file);
    if (strncmp(e, o->file, n) != 0 || e[n] != ':')
        fail_msg("the error does not start with '%s:': %s", o->file, e);
    free(o->errors);
    free(o->w);
}

/* The valid world loads (so that every bad case below differs only by its
 * one fault). */
static void base_is_valid(void **state)
{
    (void)state;
    outcome o = load_events("");
    if (o.status != BS_OK)
        fail_msg("base config does not load: %s", o.errors ? o.errors : "");
    assert_int_equal(o.w->n_days, 59);
    assert_int_equal(o.w->n_all_isps, 4);
    assert_int_equal(o.w->isp_first[1], 2);
    free(o.errors);
    free(o.w);
}

/* r0's ISP shares 0.5 + 0.4 = 0.9: "ISP shares of region 'r0' sum to 0.9,
 * not 1" at regions.[0].isps. */
static void isp_shares_not_one(void **state)
{
    (void)state;
    outcome o = load_parts(good_end, "0.5", good_app, good_vpns, "");
    expect_error(&o, "regions.[0].isps", "ISP shares of region 'r0' sum to 0.9, not 1");
}

/* Apps a, b, a: "element 2 has the same name 'a' as element 0" at apps. */
static void duplicate_app_names(void **state)
{
    (void)state;
    outcome o = load_parts(good_end, good_share, "a", good_vpns, "");
    expect_error(&o, "apps", "element 2 has the same name 'a' as element 0");
}

/* A block of app "d" (no such app): "unknown app 'd'" at events.[0].apps. */
static void event_unknown_app(void **state)
{
    (void)state;
    outcome o =
        load_events("{ date = \"2025-01-10\"; action = \"block\"; apps = [\"a\", \"d\"]; }");
    expect_error(&o, "events.[0].apps", "unknown app 'd'");
}

/* Region "r9": "unknown region 'r9'" at events.[1].regions (second event). */
static void event_unknown_region(void **state)
{
    (void)state;
    outcome o = load_events(
        "{ date = \"2025-01-10\"; action = \"block\"; apps = [\"a\"]; },\n"
        "{ date = \"2025-01-11\"; action = \"block\"; apps = [\"b\"]; regions = [\"r9\"]; }");
    expect_error(&o, "events.[1].regions", "unknown region 'r9'");
}

/* ISP "w" (in no region): "unknown ISP 'w'" at events.[0].isps. */
static void event_unknown_isp(void **state)
{
    (void)state;
    outcome o = load_events(
        "{ date = \"2025-01-10\"; action = \"block\"; apps = [\"a\"]; isps = [\"y\", \"w\"]; }");
    expect_error(&o, "events.[0].isps", "unknown ISP 'w'");
}

/* vpn_block of "wireguard" (protocols are p and q): "unknown VPN protocol
 * 'wireguard'" at events.[0].vpns. */
static void event_unknown_vpn(void **state)
{
    (void)state;
    outcome o =
        load_events("{ date = \"2025-01-10\"; action = \"vpn_block\"; vpns = [\"wireguard\"]; }");
    expect_error(&o, "events.[0].vpns", "unknown VPN protocol 'wireguard'");
}

/* Dates outside [2025-01-01, 2025-03-01): 2024-12-31 (before the start) and
 * 2025-03-01 (the end is exclusive) are both "outside the scenario", at
 * events.[0].date.  The last day, 2025-02-28, is inside (loads). */
static void event_date_outside(void **state)
{
    (void)state;
    outcome o = load_events("{ date = \"2024-12-31\"; action = \"block\"; apps = [\"a\"]; }");
    expect_error(&o, "events.[0].date", "the event's date is outside the scenario");
    o = load_events("{ date = \"2025-03-01\"; action = \"block\"; apps = [\"a\"]; }");
    expect_error(&o, "events.[0].date", "the event's date is outside the scenario");
    o = load_events("{ date = \"2025-02-28\"; action = \"block\"; apps = [\"a\"]; }");
    if (o.status != BS_OK)
        fail_msg("last day rejected: %s", o.errors ? o.errors : "");
    free(o.errors);
    free(o.w);
}

/* Events on 2025-01-20 then 2025-01-10: "events must be in date order" at
 * events.[1].date.  Two events on the same date are in order (loads). */
static void events_out_of_order(void **state)
{
    (void)state;
    outcome o = load_events("{ date = \"2025-01-20\"; action = \"block\"; apps = [\"a\"]; },\n"
                            "{ date = \"2025-01-10\"; action = \"block\"; apps = [\"b\"]; }");
    expect_error(&o, "events.[1].date", "events must be in date order");
    o = load_events("{ date = \"2025-01-10\"; action = \"block\"; apps = [\"a\"]; },\n"
                    "{ date = \"2025-01-10\"; action = \"block\"; apps = [\"b\"]; }");
    if (o.status != BS_OK)
        fail_msg("same-date events rejected: %s", o.errors ? o.errors : "");
    free(o.errors);
    free(o.w);
}

/* A block with technique throttle: "a block cannot use technique 'throttle'
 * (use action 'throttle')" at events.[0]. */
static void block_with_throttle(void **state)
{
    (void)state;
    outcome o = load_events(
        "{ date = \"2025-01-10\"; action = \"block\"; apps = [\"a\"]; technique = \"throttle\"; }");
    expect_error(&o, "events.[0]",
                 "a block cannot use technique 'throttle' (use action 'throttle')");
}

/* A vpn_block with no vpns: "vpn_block needs a list of VPN protocols (vpns)"
 * at events.[0]. */
static void vpn_block_without_vpns(void **state)
{
    (void)state;
    outcome o = load_events("{ date = \"2025-01-10\"; action = \"vpn_block\"; }");
    expect_error(&o, "events.[0]", "vpn_block needs a list of VPN protocols (vpns)");
}

/* End 2024-12-01 before start 2025-01-01, and end == start (no day): "the
 * scenario ends before it starts" at scenario.end. */
static void end_before_start(void **state)
{
    (void)state;
    outcome o = load_parts("2024-12-01", good_share, good_app, good_vpns, "");
    expect_error(&o, "scenario.end", "the scenario has no day: its end must come after its start");
    o = load_parts("2025-01-01", good_share, good_app, good_vpns, "");
    expect_error(&o, "scenario.end", "the scenario has no day: its end must come after its start");
}

/* A valid config's masks:
 * events[0]: block apps [b], no classes, no regions, isps [y]:
 *   app_mask 0b010; class_mask 0b111 (voice, video, messaging);
 *   region_mask 0b11; isp_in_region: r0 {x, y} -> y is bit 1 (0b10),
 *   r1 {y, z} -> y is bit 0 (0b01).
 * events[1]: throttle apps [a, c], classes [video, messaging], regions [r1]:
 *   app_mask 0b101; class_mask 0b110; region_mask 0b10;
 *   isp_in_region r0 0, r1 0b11 (every ISP of r1); technique throttle.
 * events[2]: vpn_block vpns [q], isps [y], regions [r1]: vpn_mask 0b10;
 *   isp_in_region r0 0, r1 0b01; technique vpn.
 * events[3]: shutdown with whitelist [c]: app_mask 0b100 (the whitelist, not
 *   every app).
 * events[4]: unblock with no apps: app_mask 0b111 (every app).
 * events[5]: shutdown of r0 with no whitelist: app_mask 0 (nothing spared);
 *   region_mask 0b01; isp_in_region r0 0b11, r1 0. */
static void valid_masks(void **state)
{
    (void)state;
    outcome o = load_events(
        "{ date = \"2025-01-10\"; action = \"block\"; apps = [\"b\"]; isps = [\"y\"]; },\n"
        "{ date = \"2025-01-11\"; action = \"throttle\"; apps = [\"a\", \"c\"];"
        "  classes = [\"video\", \"messaging\"]; regions = [\"r1\"]; },\n"
        "{ date = \"2025-01-12\"; action = \"vpn_block\"; vpns = [\"q\"]; isps = [\"y\"];"
        "  regions = [\"r1\"]; },\n"
        "{ date = \"2025-01-13\"; action = \"shutdown\"; apps = [\"c\"]; },\n"
        "{ date = \"2025-01-14\"; action = \"unblock\"; },\n"
        "{ date = \"2025-01-15\"; action = \"shutdown\"; regions = [\"r0\"]; }");
    if (o.status != BS_OK)
        fail_msg("valid config rejected: %s", o.errors ? o.errors : "");
    const world *w = o.w;
    assert_int_equal(w->n_events, 6);
    const event_cfg *e = w->events;

    assert_int_equal(e[0].app_mask, 0x2);
    assert_int_equal(e[0].class_mask, 0x7);
    assert_int_equal(e[0].region_mask, 0x3);
    assert_int_equal(e[0].isp_in_region[0], 0x2);
    assert_int_equal(e[0].isp_in_region[1], 0x1);
    assert_int_equal(e[0].date - w->scenario.start, 9);

    assert_int_equal(e[1].app_mask, 0x5);
    assert_int_equal(e[1].class_mask, 0x6);
    assert_int_equal(e[1].region_mask, 0x2);
    assert_int_equal(e[1].isp_in_region[0], 0x0);
    assert_int_equal(e[1].isp_in_region[1], 0x3);
    assert_int_equal(e[1].technique, TECH_THROTTLE);

    assert_int_equal(e[2].vpn_mask, 0x2);
    assert_int_equal(e[2].isp_in_region[0], 0x0);
    assert_int_equal(e[2].isp_in_region[1], 0x1);
    assert_int_equal(e[2].technique, TECH_VPN);

    assert_int_equal(e[3].app_mask, 0x4);
    assert_int_equal(e[3].technique, TECH_SHUTDOWN);
    assert_int_equal(e[3].isp_in_region[0], 0x3);
    assert_int_equal(e[3].isp_in_region[1], 0x3);

    assert_int_equal(e[4].app_mask, 0x7);

    assert_int_equal(e[5].app_mask, 0x0);
    assert_int_equal(e[5].region_mask, 0x1);
    assert_int_equal(e[5].isp_in_region[0], 0x3);
    assert_int_equal(e[5].isp_in_region[1], 0x0);
    free(o.errors);
    free(o.w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(base_is_valid),
        cmocka_unit_test(isp_shares_not_one),
        cmocka_unit_test(duplicate_app_names),
        cmocka_unit_test(event_unknown_app),
        cmocka_unit_test(event_unknown_region),
        cmocka_unit_test(event_unknown_isp),
        cmocka_unit_test(event_unknown_vpn),
        cmocka_unit_test(event_date_outside),
        cmocka_unit_test(events_out_of_order),
        cmocka_unit_test(block_with_throttle),
        cmocka_unit_test(vpn_block_without_vpns),
        cmocka_unit_test(end_before_start),
        cmocka_unit_test(valid_masks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
