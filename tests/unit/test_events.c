/* Unit tests for events (models/events.h): what is in force on a day.
 *
 * Every world starts on 2025-01-01, so an event dated 2025-01-0N starts on
 * day N - 1.  Each test states the timeline and the answer worked out by hand
 * from the rules of events.h: an event is in force from the start of its date
 * for its duration (0: open), and a day in which it is in force for part of
 * the day carries strength * (share of the day).
 */
#include <setjmp.h> /* before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "world/events.h"
#include "testutil.h"

/* Three apps a, b, c (indices 0, 1, 2); one region with one ISP; phone
 * lifetime 100 days, so that a preinstall of strength s adds s / 100 a day. */
static const char base_cfg[] =
    "scenario = { name = \"ev\"; start = \"2025-01-01\"; end = \"2025-03-01\"; };\n"
    "population = { phone_lifetime = \"100d\"; };\n"
    "censor = { chase = 0.0; };\n" /* a rotated share stays off the list */
    "regions = ( { name = \"r\"; population = 1000.0;\n"
    "              isps = ( { name = \"i\"; share = 1.0; } ); } );\n"
    "apps = ( { name = \"a\"; }, { name = \"b\"; }, { name = \"c\"; } );\n"
    "vpns = ( { name = \"v\"; detectability = 0.5; } );\n"
    "events = (\n%s);\n";

static world *load(const char *events)
{
    char text[8192];
    snprintf(text, sizeof text, base_cfg, events);
    world *w = malloc(sizeof *w);
    assert_non_null(w);
    tu_load(text, w);
    return w;
}

#define EPS 1e-12

/* A stun block of strength 0.8 on 2025-01-03 (day 2) for "6h":
 * day 1: not yet (no rule); day 2: one rule, strength 0.8 * 6/24 = 0.2;
 * day 3: over (no rule). */
static void partial_day_event(void **state)
{
    (void)state;
    world *w = load("{ date = \"2025-01-03\"; action = \"block\"; apps = [\"a\"];"
                    "  technique = \"stun\"; strength = 0.8; duration = \"6h\"; }");
    day_rules d;
    events_day(w, 1, &d);
    assert_int_equal(d.day, 1);
    assert_int_equal(d.n, 0);
    events_day(w, 2, &d);
    assert_int_equal(d.day, 2);
    assert_int_equal(d.n, 1);
    assert_ptr_equal(d.rules[0].ev, &w->events[0]);
    assert_int_equal(d.rules[0].action, ACT_BLOCK);
    assert_true(fabs(d.rules[0].strength - 0.2) < EPS);
    events_day(w, 3, &d);
    assert_int_equal(d.n, 0);
    free(w);
}

/* A block lasting "36h" from 2025-01-03: day 2 whole (0.6 * 1 = 0.6), day 3
 * half (0.6 * 12/24 = 0.3), day 4 nothing. */
static void event_over_two_days(void **state)
{
    (void)state;
    world *w = load("{ date = \"2025-01-03\"; action = \"block\"; apps = [\"a\"];"
                    "  strength = 0.6; duration = \"36h\"; }");
    day_rules d;
    events_day(w, 2, &d);
    assert_int_equal(d.n, 1);
    assert_true(fabs(d.rules[0].strength - 0.6) < EPS);
    events_day(w, 3, &d);
    assert_int_equal(d.n, 1);
    assert_true(fabs(d.rules[0].strength - 0.3) < EPS);
    events_day(w, 4, &d);
    assert_int_equal(d.n, 0);
    free(w);
}

/* An open-ended block (no duration) of strength 0.6 on 2025-01-05 (day 4):
 * day 3: nothing; day 4, day 40 and the last day (58): strength 0.6 whole. */
static void open_ended_event(void **state)
{
    (void)state;
    world *w = load("{ date = \"2025-01-05\"; action = \"block\"; apps = [\"b\"];"
                    "  technique = \"sni\"; strength = 0.6; }");
    assert_int_equal(w->n_days, 59);
    day_rules d;
    events_day(w, 3, &d);
    assert_int_equal(d.n, 0);
    int days[] = {4, 40, 58};
    for (int k = 0; k < 3; k++) {
        events_day(w, days[k], &d);
        assert_int_equal(d.n, 1);
        assert_ptr_equal(d.rules[0].ev, &w->events[0]);
        assert_true(fabs(d.rules[0].strength - 0.6) < EPS);
    }
    free(w);
}

/* Blocks on days 1 and 9 and a throttle on day 20: on day 5 only the first
 * is in force; on day 9 the first two; on day 20 all three, in date order. */
static void later_events_excluded(void **state)
{
    (void)state;
    world *w = load("{ date = \"2025-01-02\"; action = \"block\"; apps = [\"a\"]; },\n"
                    "{ date = \"2025-01-10\"; action = \"block\"; apps = [\"b\"]; },\n"
                    "{ date = \"2025-01-21\"; action = \"throttle\"; apps = [\"c\"]; }");
    day_rules d;
    events_day(w, 0, &d);
    assert_int_equal(d.n, 0);
    events_day(w, 5, &d);
    assert_int_equal(d.n, 1);
    assert_ptr_equal(d.rules[0].ev, &w->events[0]);
    events_day(w, 8, &d);
    assert_int_equal(d.n, 1);
    events_day(w, 9, &d);
    assert_int_equal(d.n, 2);
    assert_ptr_equal(d.rules[1].ev, &w->events[1]);
    events_day(w, 20, &d);
    assert_int_equal(d.n, 3);
    for (int i = 0; i < 3; i++)
        assert_ptr_equal(d.rules[i].ev, &w->events[i]);
    assert_int_equal(d.rules[2].action, ACT_THROTTLE);
    free(w);
}

/* block a (day 1), unblock a (day 4), block a again (day 7): the unblock is a
 * rule of its own, with strength 1, placed between the two blocks; before
 * its date it is not there. */
static void unblock_in_date_order(void **state)
{
    (void)state;
    world *w =
        load("{ date = \"2025-01-02\"; action = \"block\"; apps = [\"a\"]; strength = 0.5; },\n"
             "{ date = \"2025-01-05\"; action = \"unblock\"; apps = [\"a\"]; },\n"
             "{ date = \"2025-01-08\"; action = \"block\"; apps = [\"a\"]; strength = 0.7; }");
    day_rules d;
    events_day(w, 3, &d);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.rules[0].action, ACT_BLOCK);
    events_day(w, 4, &d);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.rules[1].action, ACT_UNBLOCK);
    assert_ptr_equal(d.rules[1].ev, &w->events[1]);
    assert_true(d.rules[1].strength == 1.0);
    events_day(w, 10, &d);
    assert_int_equal(d.n, 3);
    int want[] = {ACT_BLOCK, ACT_UNBLOCK, ACT_BLOCK};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(d.rules[i].action, want[i]);
        assert_ptr_equal(d.rules[i].ev, &w->events[i]);
    }
    assert_true(fabs(d.rules[0].strength - 0.5) < EPS);
    assert_true(fabs(d.rules[2].strength - 0.7) < EPS);
    free(w);
}

/* The censor's list (events.h), chase c = 0.5 a day (censor.chase).
 * App a: ip block from day 2, rotate 0.4 at day 5, unblock at day 10.
 *   day 2: a fresh list: ip_factor 1, ip_list 1; day 4: still (no rotation);
 *   day 5: the jump at 00:00: e = 0.4, ip_factor 0.6, L 1;
 *   day 7: e = 0.4 e^{-c 2} = 0.4 / e, L = 1 + c int e = 1 + 0.4 (1 - 1/e);
 *   day 10: unblocked, no list: 1 and 1.
 * App b: ip block and rotate with turnover r = 1 a day (strength 0) from
 * day 3: day 3 fresh (e = 0 at 00:00); day 4: k = r + c = 1.5, e* = r / k =
 * 2/3, e = e* (1 - e^{-1.5}), L = 1 + c (e* - e* (1 - e^{-1.5}) / 1.5).
 * App c, rotated with no ip rule on it: 1 and 1 (rotation is relative to a
 * list).  Rotation adds no rule. */
static void rotation_list_state(void **state)
{
    (void)state;
    char text[8192];
    snprintf(text, sizeof text,
             "scenario = { name = \"ev\"; start = \"2025-01-01\"; end = \"2025-03-01\"; };\n"
             "censor = { chase = 0.5; };\n"
             "regions = ( { name = \"r\"; population = 1000.0;\n"
             "              isps = ( { name = \"i\"; share = 1.0; } ); } );\n"
             "apps = ( { name = \"a\"; }, { name = \"b\"; }, { name = \"c\"; } );\n"
             "events = (\n"
             "{ date = \"2025-01-02\"; action = \"rotate\"; apps = [\"c\"]; strength = 0.5; },\n"
             "{ date = \"2025-01-03\"; action = \"block\"; technique = \"ip\"; apps = [\"a\"]; },\n"
             "{ date = \"2025-01-04\"; action = \"block\"; technique = \"ip\"; apps = [\"b\"]; },\n"
             "{ date = \"2025-01-04\"; action = \"rotate\"; apps = [\"b\"]; strength = 0.0;"
             "  turnover = 1.0; },\n"
             "{ date = \"2025-01-06\"; action = \"rotate\"; apps = [\"a\"]; strength = 0.4; },\n"
             "{ date = \"2025-01-11\"; action = \"unblock\"; apps = [\"a\"]; } );\n");
    world *w = malloc(sizeof *w);
    assert_non_null(w);
    tu_load(text, w);
    day_rules d;
    events_day(w, 2, &d);
    assert_true(d.ip_factor[0] == 1.0 && d.ip_list[0] == 1.0);
    events_day(w, 4, &d);
    assert_true(d.ip_factor[0] == 1.0 && d.ip_list[0] == 1.0);
    events_day(w, 5, &d);
    assert_true(fabs(d.ip_factor[0] - 0.6) < EPS);
    assert_true(d.ip_list[0] == 1.0);
    events_day(w, 7, &d);
    assert_true(fabs(d.ip_factor[0] - (1.0 - 0.4 * exp(-1.0))) < EPS);
    assert_true(fabs(d.ip_list[0] - (1.0 + 0.4 * (1.0 - exp(-1.0)))) < EPS);
    events_day(w, 10, &d);
    assert_true(d.ip_factor[0] == 1.0 && d.ip_list[0] == 1.0);
    events_day(w, 3, &d);
    assert_true(d.ip_factor[1] == 1.0 && d.ip_list[1] == 1.0);
    events_day(w, 4, &d);
    double star = 2.0 / 3.0, e = star * (1.0 - exp(-1.5));
    assert_true(fabs(d.ip_factor[1] - (1.0 - e)) < EPS);
    assert_true(fabs(d.ip_list[1] - (1.0 + 0.5 * (star - star * (1.0 - exp(-1.5)) / 1.5))) < EPS);
    for (int day = 1; day < 20; day++) {
        events_day(w, day, &d);
        assert_true(d.ip_factor[2] == 1.0 && d.ip_list[2] == 1.0);
    }
    free(w);
}

/* A shock on c (appeal 3, strength 0.5: multiplier 1 + 0.5 * 2 = 2) from
 * 2025-01-05 12:00 for 2 days, and a scandal on c (appeal 0.5, strength 1)
 * on day 5 only: day 3 nothing (1); day 4: half a day at 2: 1.5; day 5: at
 * 2 * 0.5 = 1 all day; day 6: half at 2, half at 1 = 1.5; a and b stay 1. */
static void shock_multiplies_appeal(void **state)
{
    (void)state;
    world *w = load(
        "{ date = \"2025-01-05\"; hour = 12; action = \"shock\"; apps = [\"c\"]; appeal = 3.0;"
        "  strength = 0.5; duration = \"2d\"; },\n"
        "{ date = \"2025-01-06\"; action = \"shock\"; apps = [\"c\"]; appeal = 0.5;"
        "  duration = \"1d\"; }");
    day_rules d;
    double want[4] = {1.0, 1.5, 1.0, 1.5};
    for (int k = 0; k < 4; k++) {
        events_day(w, 3 + k, &d);
        assert_int_equal(d.n, 0);
        assert_true(fabs(d.appeal[2] - want[k]) < EPS);
        assert_true(d.appeal[0] == 1.0 && d.appeal[1] == 1.0);
    }
    free(w);
}

/* preinstall c with strength 0.5 on day 9, phone lifetime 100 days: from
 * day 9 on, c's extra hazard is 0.5 / 100 = 0.005 per day; a and b get 0;
 * on day 8 all are 0.  A second preinstall of c (0.3, day 20) adds 0.003. */
static void preinstall_adds_hazard(void **state)
{
    (void)state;
    world *w = load(
        "{ date = \"2025-01-10\"; action = \"preinstall\"; apps = [\"c\"]; strength = 0.5; },\n"
        "{ date = \"2025-01-21\"; action = \"preinstall\"; apps = [\"c\"]; strength = 0.3; }");
    assert_true(w->population.phone_lifetime == 100.0);
    day_rules d;
    events_day(w, 8, &d);
    for (int a = 0; a < MAX_APPS; a++)
        assert_true(d.preinstall[a] == 0.0);
    events_day(w, 9, &d);
    assert_int_equal(d.n, 0);
    assert_true(d.preinstall[0] == 0.0);
    assert_true(d.preinstall[1] == 0.0);
    assert_true(fabs(d.preinstall[2] - 0.005) < EPS);
    events_day(w, 30, &d);
    assert_true(fabs(d.preinstall[2] - 0.008) < EPS);
    assert_true(d.preinstall[0] == 0.0);
    free(w);
}

/* The phone lifetime is read in days: "2y" is 730 days, so a preinstall of
 * strength 1 adds 1/730 per day. */
static void preinstall_lifetime_in_days(void **state)
{
    (void)state;
    char text[8192];
    snprintf(text, sizeof text,
             "scenario = { name = \"ev\"; start = \"2025-01-01\"; end = \"2025-03-01\"; };\n"
             "population = { phone_lifetime = \"2y\"; };\n"
             "regions = ( { name = \"r\"; population = 1000.0;\n"
             "              isps = ( { name = \"i\"; share = 1.0; } ); } );\n"
             "apps = ( { name = \"a\"; } );\n"
             "events = ( { date = \"2025-01-01\"; action = \"preinstall\"; apps = [\"a\"]; } );\n");
    world *w = malloc(sizeof *w);
    tu_load(text, w);
    day_rules d;
    events_day(w, 0, &d);
    assert_true(fabs(d.preinstall[0] - 1.0 / 730) < EPS);
    free(w);
}

/* vpn_store_removal 0.3 on day 2, 0.5 on day 6: A(t) is 1 on day 1, 0.7 from
 * day 2, 0.7 * 0.5 = 0.35 from day 6. */
static void vpn_store_removal_availability(void **state)
{
    (void)state;
    world *w = load("{ date = \"2025-01-03\"; action = \"vpn_store_removal\"; strength = 0.3; },\n"
                    "{ date = \"2025-01-07\"; action = \"vpn_store_removal\"; strength = 0.5; }");
    day_rules d;
    events_day(w, 1, &d);
    assert_true(d.vpn_availability == 1.0);
    events_day(w, 2, &d);
    assert_int_equal(d.n, 0);
    assert_true(fabs(d.vpn_availability - 0.7) < EPS);
    events_day(w, 6, &d);
    assert_true(fabs(d.vpn_availability - 0.35) < EPS);
    events_day(w, 50, &d);
    assert_true(fabs(d.vpn_availability - 0.35) < EPS);
    free(w);
}

/* events_same: two days with nothing changing between them are the same;
 * each kind of change makes them differ: a new rule (day 2), a change of a
 * rule's strength only (a "36h" block: day 4 whole, day 5 half), a new
 * vpn availability only (day 10), preinstall only (day 15), ip_factor only
 * (day 20: a rotation of a, under the ip block of a; chase 0).  A day is also the same as itself. */
static void events_same_detects_change(void **state)
{
    (void)state;
    world *w = load(
        "{ date = \"2025-01-03\"; action = \"block\"; apps = [\"a\"]; },\n"
        "{ date = \"2025-01-05\"; action = \"block\"; apps = [\"b\"]; duration = \"36h\"; },\n"
        "{ date = \"2025-01-11\"; action = \"vpn_store_removal\"; strength = 0.2; },\n"
        "{ date = \"2025-01-16\"; action = \"preinstall\"; apps = [\"c\"]; strength = 0.2; },\n"
        "{ date = \"2025-01-21\"; action = \"rotate\"; apps = [\"a\"]; strength = 0.2; }");
    day_rules *x = malloc(sizeof *x), *y = malloc(sizeof *y);
    assert_non_null(x);
    assert_non_null(y);

    events_day(w, 0, x);
    events_day(w, 1, y);
    assert_true(events_same(x, y)); /* nothing between day 0 and day 1 */
    assert_true(events_same(x, x));

    events_day(w, 2, y); /* block a added */
    assert_false(events_same(x, y));

    events_day(w, 4, x); /* b whole day */
    events_day(w, 5, y); /* b half a day */
    assert_int_equal(x->n, y->n);
    assert_false(events_same(x, y));

    events_day(w, 6, x); /* b over */
    events_day(w, 9, y);
    assert_true(events_same(x, y));
    events_day(w, 10, y); /* vpn availability 0.8 */
    assert_int_equal(x->n, y->n);
    assert_false(events_same(x, y));

    events_day(w, 14, x);
    events_day(w, 15, y); /* preinstall only */
    assert_int_equal(x->n, y->n);
    assert_true(x->vpn_availability == y->vpn_availability);
    assert_false(events_same(x, y));

    events_day(w, 19, x);
    events_day(w, 20, y); /* ip_factor only */
    assert_int_equal(x->n, y->n);
    assert_false(events_same(x, y));

    events_day(w, 21, x);
    events_day(w, 58, y);
    assert_true(events_same(x, y));
    free(x);
    free(y);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(partial_day_event),
        cmocka_unit_test(event_over_two_days),
        cmocka_unit_test(open_ended_event),
        cmocka_unit_test(later_events_excluded),
        cmocka_unit_test(unblock_in_date_order),
        cmocka_unit_test(rotation_list_state),
        cmocka_unit_test(shock_multiplies_appeal),
        cmocka_unit_test(preinstall_adds_hazard),
        cmocka_unit_test(preinstall_lifetime_in_days),
        cmocka_unit_test(vpn_store_removal_availability),
        cmocka_unit_test(events_same_detects_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
