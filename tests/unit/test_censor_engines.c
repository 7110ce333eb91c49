/* The two engines agree about the censor (censor.h: one definition of what a
 * box does), and an unblock leaves no trace.
 *
 * Property: for random worlds (a fixed seed), the share of a call's bytes
 * that the flow engine passes through the boxes at both ends equals the
 * population engine's probability that the call passes, to 1e-12.  The flow
 * side is what netsim's through() does with each aggregate: mbox_covered()
 * with the ISP's coverage, the verdict of censor_box_verdict(), the share
 * the box inspects and its failure mode; the population side is
 * censor_call_pass() (whose float is the table censor_pass_tunnel reads: also
 * checked).  Each world draws: 4 ISPs with random kinds (mobile, fixed),
 * coverages (0, 1 or uniform), failure modes; random detection per class and
 * collateral per technique; vpn_on; 1 to 6 rules among block (ip, sni, stun),
 * shutdown (random whitelist), vpn_block (random protocols), unblock
 * (random apps, classes or protocols) and rotate (random jump and turnover,
 * with a random censor.chase, so that the ip rules meet a list with escaped
 * addresses and a widened collateral on day 20), with random strengths,
 * classes and regions.  Then every pair of ends (ISP, tunnel state) x (ISP or abroad,
 * tunnel state), app and class, with a random inspected share per box (the
 * feedback of an overloaded box).  Throttles are left out: by design the
 * flow engine slows the bytes of the calls a policing throttle fails.
 *
 * Hand-worked probes (the disagreements this fixed), coverage 0.5, strength
 * and detection 1:
 *   two blocks of one app: calls pass 1 - 0.5 + 0.5 * 0 * 0 = 0.5, and so do
 *     the bytes (the seen half is caught, the other half passes);
 *   a shutdown on a mobile ISP: calls pass 0 and so do the bytes (a shutdown
 *     is the operator's, on every path).
 *
 * Unblock: a world with a block (with collateral) ended by an unblock, and
 * with a vpn_block ended by an unblock of its protocol, gives on every day
 * after the unblock exactly (==, every table entry and verdict field) the
 * censor of the same world that never had them.
 */
#include <setjmp.h> /* before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "censor/censor.h"
#include "censor/mbox.h"
#include "world/events.h"
#include "world/world.h"
#include "testutil.h"

#define N_WORLDS 2000
#define TOL 1e-12

static uint64_t rng_state = 0x243F6A8885A308D3ull;

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uniform(void) { return (double)(next_u64() >> 11) * 0x1.0p-53; }
static int pick(int n) { return (int)(next_u64() % (uint64_t)n); }

/* A share: 0, 1 or uniform, so that the ends of the range come up often. */
static double share(void)
{
    int k = pick(5);
    return k == 0 ? 0.0 : k == 1 ? 1.0 : uniform();
}

static const char *const app_names[3] = {"a", "b", "c"};
static const char *const class_names[3] = {"voice", "video", "messaging"};
static const char *const vpn_names[2] = {"ovpn", "obfs"};

/* A list like [\"a\", \"c\"] of the names whose bit is set in mask. */
static void name_list(char *out, size_t size, const char *const *names, int n, unsigned mask)
{
    size_t len = (size_t)snprintf(out, size, "[");
    int first = 1;
    for (int i = 0; i < n; i++)
        if (mask >> i & 1u) {
            len += (size_t)snprintf(out + len, size - len, "%s\"%s\"", first ? "" : ", ", names[i]);
            first = 0;
        }
    snprintf(out + len, size - len, "]");
}

static void technique_line(char *out, size_t size, const char *name)
{
    snprintf(out, size,
             "  %s = { voice = %.17g; video = %.17g; messaging = %.17g; collateral = %.17g; };\n",
             name, share(), share(), share(), uniform() < 0.5 ? 0.0 : 0.3 * uniform());
}

/* One random world's configuration text. */
static void random_world(char *text, size_t size)
{
    size_t n = 0;
    n += (size_t)snprintf(
        text + n, size - n,
        "scenario = { name = \"pr\"; start = \"2025-01-01\"; end = \"2025-03-01\"; };\n"
        "population = { vpn_on = %.17g; };\nregions = (\n",
        share());
    for (int r = 0; r < 2; r++) {
        n += (size_t)snprintf(text + n, size - n,
                              "  { name = \"%s\"; population = 1000.0; isps = (\n",
                              r ? "south" : "north");
        for (int k = 0; k < 2; k++)
            n += (size_t)snprintf(
                text + n, size - n,
                "    { name = \"i%d\"; kind = \"%s\"; share = 0.5; coverage = %.17g;"
                " mbox_failure = \"%s\"; }%s\n",
                k, pick(2) ? "mobile" : "fixed", share(), pick(2) ? "closed" : "open",
                k ? "" : ",");
        n += (size_t)snprintf(text + n, size - n, "  ) }%s\n", r ? "" : ",");
    }
    n += (size_t)snprintf(text + n, size - n, ");\ncensor = {\n  chase = %.17g;\n",
                          pick(3) ? 2.0 * uniform() : 0.0);
    const char *techs[] = {"ip", "sni", "stun", "vpn", "shutdown"};
    for (int t = 0; t < 5; t++) {
        char line[256];
        technique_line(line, sizeof line, techs[t]);
        n += (size_t)snprintf(text + n, size - n, "%s", line);
    }
    n +=
        (size_t)snprintf(text + n, size - n,
                         "};\napps = ( { name = \"a\"; }, { name = \"b\"; }, { name = \"c\"; } );\n"
                         "vpns = ( { name = \"ovpn\"; detectability = %.17g; },\n"
                         "         { name = \"obfs\"; detectability = %.17g; } );\nevents = (\n",
                         share(), share());
    int n_rules = 1 + pick(6);
    for (int e = 0; e < n_rules; e++) {
        char apps[64], classes[64], vpns[64], scope[64] = "", body[256];
        name_list(apps, sizeof apps, app_names, 3, (unsigned)(1 + pick(7)));
        name_list(classes, sizeof classes, class_names, 3, (unsigned)(1 + pick(7)));
        name_list(vpns, sizeof vpns, vpn_names, 2, (unsigned)(1 + pick(3)));
        if (pick(3) == 0)
            snprintf(scope, sizeof scope, " regions = [\"%s\"];", pick(2) ? "south" : "north");
        int kind = pick(7), what = pick(4);
        if (kind <= 2) /* a block, on some classes or all */
            snprintf(body, sizeof body, "action = \"block\"; technique = \"%s\"; apps = %s;%s%s",
                     techs[pick(3)], apps, what < 2 ? " classes = " : "", what < 2 ? classes : "");
        else if (kind == 3) /* a shutdown, with a whitelist or none */
            snprintf(body, sizeof body, "action = \"shutdown\";%s%s", what < 2 ? " apps = " : "",
                     what < 2 ? apps : "");
        else if (kind == 4)
            snprintf(body, sizeof body, "action = \"vpn_block\"; vpns = %s;", vpns);
        else if (kind == 6) /* a rotation: a jump and a turnover */
            snprintf(body, sizeof body, "action = \"rotate\"; apps = %s; turnover = %.17g;", apps,
                     uniform());
        else /* an unblock of protocols, of apps' classes, of apps, or of all */
            snprintf(body, sizeof body, "action = \"unblock\";%s%s%s%s%s%s",
                     what == 0 ? " vpns = " : "", what == 0 ? vpns : "",
                     what == 1 || what == 2 ? " apps = " : "", what == 1 || what == 2 ? apps : "",
                     what == 1 ? "; classes = " : "", what == 1 ? classes : "");
        size_t len = strlen(body);
        if (body[len - 1] != ';')
            snprintf(body + len, sizeof body - len, ";");
        n += (size_t)snprintf(
            text + n, size - n, "  { date = \"2025-01-%02d\";%s strength = %.17g; %s }%s\n", 2 + e,
            scope, uniform() < 0.2 ? 1.0 : uniform(), body, e + 1 < n_rules ? "," : "");
    }
    snprintf(text + n, size - n, ");\n");
}

/* One aggregate of 1 bit/s through the box of `isp` as netsim's through()
 * sends it: returns what passes. */
static double flow_box(const world *w, const censor *c, int isp, int app, int cls, int tunnel,
                       double inspected)
{
    int r = 0;
    while (isp >= w->isp_first[r] + w->regions[r].n_isps)
        r++;
    const isp_cfg *ic = &w->regions[r].isps[isp - w->isp_first[r]];
    censor_box v = censor_box_verdict(c, isp, app, cls, tunnel);
    mbox_flow f = {1.0, v.block, v.collateral, v.policed};
    mbox_tally t = {0};
    return mbox_covered(ic->coverage, v.shutdown, inspected, ic->mbox_failure == FAIL_CLOSED, &f,
                        &t);
}

static void bytes_equal_calls(void **state)
{
    (void)state;
    world *w = malloc(sizeof *w);
    day_rules *d = malloc(sizeof *d);
    char *text = malloc(16384);
    assert_true(w && d && text);
    long checked = 0;
    for (int n = 0; n < N_WORLDS; n++) {
        random_world(text, 16384);
        tu_load(text, w);
        censor *c = censor_new(w);
        assert_non_null(c);
        events_day(w, 20, d);
        censor_apply(c, d);
        double insp[MAX_ALL_ISPS];
        for (int i = 0; i < w->n_all_isps; i++)
            insp[i] = pick(2) ? 1.0 : uniform();
        if (n % 2)
            censor_feedback(c, insp, NULL);
        else
            for (int i = 0; i < w->n_all_isps; i++)
                insp[i] = 1.0;
        int ni = w->n_all_isps, nv = w->n_vpns + 1;
        for (int i = 0; i < ni; i++)
            for (int j = 0; j <= ni; j++) /* j = ni: abroad, no box */
                for (int a = 0; a < w->n_apps; a++)
                    for (int k = 0; k < N_CLASSES; k++)
                        for (int ti = 0; ti < nv; ti++)
                            for (int tj = 0; tj < (j < ni ? nv : 1); tj++) {
                                double bytes = flow_box(w, c, i, a, k, ti, insp[i]);
                                double call = censor_call_pass(c, i, a, k, ti);
                                if (j < ni) {
                                    bytes *= flow_box(w, c, j, a, k, tj, insp[j]);
                                    call *= censor_call_pass(c, j, a, k, tj);
                                }
                                if (fabs(bytes - call) > TOL) {
                                    print_error("world %d, isp %d -> %d, app %d, class %d, tunnels "
                                                "%d %d: bytes %.17g, calls %.17g\n%s",
                                                n, i, j, a, k, ti, tj, bytes, call, text);
                                    fail();
                                }
                                if (j == ni)
                                    assert_true(censor_pass_tunnel(c, i, a, k, ti) == (float)call);
                                checked++;
                            }
        censor_free(c);
    }
    print_message("%ld calls checked in %d worlds\n", checked, N_WORLDS);
    free(text);
    free(d);
    free(w);
}

/* The probes of the header, in one world: coverage 0.5 at every ISP (north
 * i0 mobile), detection and strength 1. */
static const char probe_cfg[] =
    "scenario = { name = \"pb\"; start = \"2025-01-01\"; end = \"2025-03-01\"; };\n"
    "regions = ( { name = \"north\"; population = 1000.0; isps = (\n"
    "      { name = \"m\"; kind = \"mobile\"; share = 1.0; coverage = 0.5; } ); } );\n"
    "censor = {\n"
    "  ip = { voice = 1.0; video = 1.0; messaging = 1.0; collateral = 0.0; };\n"
    "  stun = { voice = 1.0; video = 1.0; messaging = 1.0; collateral = 0.0; };\n"
    "  shutdown = { voice = 1.0; video = 1.0; messaging = 1.0; };\n"
    "};\n"
    "apps = ( { name = \"a\"; }, { name = \"b\"; } );\n"
    "events = (\n%s);\n";

static void probes(void **state)
{
    (void)state;
    const char *evs[2] = {
        "{ date = \"2025-01-05\"; action = \"block\"; technique = \"ip\"; apps = [\"a\"]; },\n"
        "{ date = \"2025-01-06\"; action = \"block\"; technique = \"stun\"; apps = [\"a\"]; }",
        "{ date = \"2025-01-05\"; action = \"shutdown\"; apps = [\"b\"]; }",
    };
    const double want[2] = {0.5, 0.0};
    world *w = malloc(sizeof *w);
    day_rules *d = malloc(sizeof *d);
    assert_true(w && d);
    for (int e = 0; e < 2; e++) {
        char text[4096];
        snprintf(text, sizeof text, probe_cfg, evs[e]);
        tu_load(text, w);
        censor *c = censor_new(w);
        assert_non_null(c);
        events_day(w, 20, d);
        censor_apply(c, d);
        for (int k = 0; k < N_CLASSES; k++) {
            assert_true(fabs(censor_call_pass(c, 0, 0, k, 0) - want[e]) < TOL);
            assert_true(fabs(flow_box(w, c, 0, 0, k, 0, 1.0) - want[e]) < TOL);
            assert_true(censor_call_pass(c, 0, 1, k, 0) == 1.0); /* b: untouched */
        }
        censor_free(c);
    }
    free(d);
    free(w);
}

/* The unblock worlds: `kept` is in both; `ended` only in the first, with the
 * unblock that ends it on day 10 (2025-01-11).  The apps' collateral is 0.2
 * for stun, 0.1 for ip, so that a rule left in force would show. */
static const char unblock_cfg[] =
    "scenario = { name = \"ub\"; start = \"2025-01-01\"; end = \"2025-03-01\"; };\n"
    "population = { vpn_on = 0.4; };\n"
    "regions = (\n"
    "  { name = \"north\"; population = 1000.0; isps = (\n"
    "      { name = \"m\"; kind = \"mobile\"; share = 0.5; coverage = 0.8; },\n"
    "      { name = \"f\"; kind = \"fixed\"; share = 0.5; coverage = 0.6; } ); },\n"
    "  { name = \"south\"; population = 1000.0; isps = (\n"
    "      { name = \"m\"; kind = \"mobile\"; share = 0.7; coverage = 0.5; },\n"
    "      { name = \"g\"; kind = \"fixed\"; share = 0.3; coverage = 1.0; } ); } );\n"
    "censor = {\n"
    "  ip = { voice = 0.9; video = 0.8; messaging = 0.7; collateral = 0.1; };\n"
    "  stun = { voice = 0.9; video = 0.7; messaging = 0.0; collateral = 0.2; };\n"
    "  vpn = { voice = 0.8; video = 0.6; messaging = 0.5; collateral = 0.0; };\n"
    "};\n"
    "apps = ( { name = \"a\"; }, { name = \"b\"; }, { name = \"c\"; } );\n"
    "vpns = ( { name = \"ovpn\"; detectability = 0.9; },\n"
    "         { name = \"obfs\"; detectability = 0.2; } );\n"
    "events = (\n%s);\n";

/* Whether two censors give exactly the same verdicts. */
static int same_censor(const world *w, const censor *x, const censor *y)
{
    for (int i = 0; i < w->n_all_isps; i++) {
        if (censor_p2p_blocked(x, i, 0) != censor_p2p_blocked(y, i, 0))
            return 0;
        for (int v = 0; v < w->n_vpns; v++)
            if (censor_vpn_detect(x, i, v) != censor_vpn_detect(y, i, v))
                return 0;
        for (int a = -1; a < w->n_apps; a++)
            for (int k = 0; k < N_CLASSES; k++)
                for (int t = 0; t <= w->n_vpns; t++) {
                    censor_box bx = censor_box_verdict(x, i, a, k, t);
                    censor_box by = censor_box_verdict(y, i, a, k, t);
                    if (memcmp(&bx, &by, sizeof bx) != 0)
                        return 0;
                    if (a < 0)
                        continue;
                    if (censor_pass(x, i, a, k, t) != censor_pass(y, i, a, k, t) ||
                        censor_pass_tunnel(x, i, a, k, t) != censor_pass_tunnel(y, i, a, k, t) ||
                        censor_call_pass(x, i, a, k, t) != censor_call_pass(y, i, a, k, t))
                        return 0;
                }
    }
    return 1;
}

static void check_unblock(const char *kept, const char *ended, const char *unblock,
                          int want_same_before)
{
    char ta[8192], tb[8192], ev[4096];
    snprintf(ev, sizeof ev, "%s,\n%s,\n%s", kept, ended, unblock);
    snprintf(ta, sizeof ta, unblock_cfg, ev);
    snprintf(tb, sizeof tb, unblock_cfg, kept);
    world *wa = malloc(sizeof *wa), *wb = malloc(sizeof *wb);
    day_rules *d = malloc(sizeof *d);
    assert_true(wa && wb && d);
    tu_load(ta, wa);
    tu_load(tb, wb);
    censor *ca = censor_new(wa), *cb = censor_new(wb);
    assert_true(ca && cb);
    for (int day = 5; day < 40; day++) {
        events_day(wa, day, d);
        censor_apply(ca, d);
        events_day(wb, day, d);
        censor_apply(cb, d);
        int same = same_censor(wa, ca, cb);
        if (day >= 10 && !same) {
            print_error("day %d after the unblock: verdicts differ from the world without the "
                        "rule\n",
                        day);
            fail();
        }
        if (day < 10 && same != want_same_before) {
            print_error("day %d before the unblock: same %d\n", day, same);
            fail();
        }
    }
    censor_free(ca);
    censor_free(cb);
    free(d);
    free(wa);
    free(wb);
}

static void unblock_leaves_no_trace(void **state)
{
    (void)state;
    const char *kept =
        "{ date = \"2025-01-03\"; action = \"block\"; technique = \"ip\"; apps = [\"b\"]; "
        "strength = 0.6; },\n"
        "{ date = \"2025-01-04\"; action = \"vpn_block\"; vpns = [\"obfs\"]; strength = 0.5; }";
    /* A stun block of a (collateral on b's and c's calls), ended by an unblock of a. */
    check_unblock(
        kept,
        "{ date = \"2025-01-05\"; action = \"block\"; technique = \"stun\"; apps = [\"a\"]; "
        "strength = 0.7; }",
        "{ date = \"2025-01-11\"; action = \"unblock\"; apps = [\"a\"]; }", 0);
    /* The same ended in the north and the south by two unblocks. */
    check_unblock(
        kept,
        "{ date = \"2025-01-05\"; action = \"block\"; technique = \"stun\"; apps = [\"a\"]; "
        "strength = 0.7; }",
        "{ date = \"2025-01-11\"; action = \"unblock\"; apps = [\"a\"]; regions = [\"north\"]; },\n"
        "{ date = \"2025-01-11\"; action = \"unblock\"; apps = [\"a\"]; regions = [\"south\"]; }",
        0);
    /* A vpn_block of ovpn ended by an unblock of the protocol. */
    check_unblock(kept, "{ date = \"2025-01-05\"; action = \"vpn_block\"; vpns = [\"ovpn\"]; }",
                  "{ date = \"2025-01-11\"; action = \"unblock\"; vpns = [\"ovpn\"]; }", 0);
}

/* Rotation and the chase (world/events.h): an ip block of a (strength 0.8,
 * collateral 0.1 by assumption, no calibration row) from day 2; a rotates at
 * turnover 1 a day from day 4; the censor chases at 0.5 a day; an unblock of
 * a on day 20.  The collateral on b's calls at a box that sees all (the
 * fixed ISP g of the south, coverage 1) is 1 - keep = 0.8 (1 - 0.9^L) with
 * L the list's width (censor.h), checked to 1e-12 against events_day's L;
 * it grows strictly every day from day 5 to day 19 (L grows by c e > 0), and
 * from the unblock on the censor is exactly (==) that of the world that
 * never had the block or the rotation. */
static void rotation_collateral_grows_then_vanishes(void **state)
{
    (void)state;
    char ta[8192], tb[8192];
    const char *kept = "{ date = \"2025-01-04\"; action = \"vpn_block\"; vpns = [\"obfs\"]; "
                       "strength = 0.5; }";
    char ev[2048];
    snprintf(ev, sizeof ev,
             "{ date = \"2025-01-03\"; action = \"block\"; technique = \"ip\"; apps = [\"a\"];"
             "  classes = [\"voice\", \"video\"]; strength = 0.8; },\n"
             "%s,\n"
             "{ date = \"2025-01-05\"; action = \"rotate\"; apps = [\"a\"]; strength = 0.0;"
             "  turnover = 1.0; },\n"
             "{ date = \"2025-01-21\"; action = \"unblock\"; apps = [\"a\"]; }",
             kept);
    snprintf(ta, sizeof ta, unblock_cfg, ev);
    snprintf(tb, sizeof tb, unblock_cfg, kept);
    /* censor.chase 0.5, the ip collateral 0.1 already in unblock_cfg */
    char *at = strstr(ta, "censor = {\n"), *bt = strstr(tb, "censor = {\n");
    assert_true(at && bt);
    memmove(at + 11 + 15, at + 11, strlen(at + 11) + 1);
    memcpy(at + 11, "  chase = 0.5;\n", 15);
    memmove(bt + 11 + 15, bt + 11, strlen(bt + 11) + 1);
    memcpy(bt + 11, "  chase = 0.5;\n", 15);
    world *wa = malloc(sizeof *wa), *wb = malloc(sizeof *wb);
    day_rules *d = malloc(sizeof *d);
    assert_true(wa && wb && d);
    tu_load(ta, wa);
    tu_load(tb, wb);
    assert_true(wa->censor.chase == 0.5);
    censor *ca = censor_new(wa), *cb = censor_new(wb);
    assert_true(ca && cb);
    int g = 3; /* south g: fixed, coverage 1 */
    double prev = -1;
    for (int day = 2; day < 40; day++) {
        events_day(wa, day, d);
        censor_apply(ca, d);
        double L = d->ip_list[0];
        events_day(wb, day, d);
        censor_apply(cb, d);
        double col = censor_box_verdict(ca, g, 1, CLASS_VOICE, 0).collateral;
        if (day < 20) {
            double want = 0.8 * (1.0 - pow(0.9, L));
            if (fabs(col - want) > TOL) {
                print_error("day %d: collateral %.17g, want %.17g (L %.17g)\n", day, col, want, L);
                fail();
            }
            if (day >= 5 && !(col > prev)) {
                print_error("day %d: collateral %.17g did not grow from %.17g\n", day, col, prev);
                fail();
            }
            prev = col;
        } else if (!same_censor(wa, ca, cb)) {
            print_error("day %d after the unblock: verdicts differ from the world without it\n",
                        day);
            fail();
        }
    }
    assert_true(prev > 0.8 * 0.1 * 1.5); /* the list more than 1.5 times as wide by day 19 */
    censor_free(ca);
    censor_free(cb);
    free(d);
    free(wa);
    free(wb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(probes),
        cmocka_unit_test(unblock_leaves_no_trace),
        cmocka_unit_test(rotation_collateral_grows_then_vanishes),
        cmocka_unit_test(bytes_equal_calls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
