/* Unit tests of the flow engine's day (netsim.h, traffic.h) on the toy
 * network of configs/networks/toy.cfg: every load below is worked out by
 * hand in the comment of that file ("Hand-worked loads"), and the tally and
 * users are written here directly, so no random number is involved.
 *
 * Global ISPs: 0 north/mobile, 1 north/fixed, 2 south/mobile, 3 south/fixed.
 * App "a" has its relay at foreign-dc; call_minutes = 14.4 (864 s, 1% of a
 * day) and voice_rate = 1 Mbit/s, so 1,000 attempts a day make 10 Mbit/s in
 * each direction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <math.h>

#include "censor/censor.h"
#include "world/events.h"
#include "flow/netsim.h"
#include "population/population.h"
#include "testutil.h"

#define M 1e6

static const char base_cfg[] =
    "scenario = { name = \"toy\"; start = \"2025-01-01\"; end = \"2025-02-01\"; };\n"
    "population = { scale = 1.0; vpn_on = 1.0; };\n"
    "regions = (\n"
    "  { name = \"north\"; population = 1000.0; isps = (\n"
    "      { name = \"mobile\"; share = 0.5; mbox_capacity = \"%s\"; mbox_failure = \"%s\"; },\n"
    "      { name = \"fixed\"; kind = \"fixed\"; share = 0.5; } ); },\n"
    "  { name = \"south\"; population = 1000.0; isps = ( { name = \"mobile\"; share = 0.5; },\n"
    "      { name = \"fixed\"; kind = \"fixed\"; share = 0.5; } ); } );\n"
    "apps = ( { name = \"a\"; relay_share = %g; voice_rate = \"1Mbps\"; video_rate = \"4Mbps\";\n"
    "           call_minutes = 14.4; messaging_bytes = \"10.8MB\"; },\n"
    "         { name = \"d\"; servers = \"domestic\"; relay_share = 0.0; voice_rate = \"1Mbps\";\n"
    "           call_minutes = 14.4; messaging_bytes = \"0B\"; } );\n"
    "vpns = ( { name = \"wg\"; detectability = 0.9; overhead = 0.1; } );\n"
    "censor = { stun = { voice = 1.0; video = 1.0; messaging = 0.0; collateral = 0.0; };\n"
    "           ip = { voice = 1.0; video = 1.0; messaging = 1.0; collateral = 0.0; }; };\n"
    "events = ( %s );\n";

typedef struct fixture {
    world w;
    censor *c;
    netsim *ns;
    uint64_t *tally;
    double *users;
    /* one day of results */
    double link_off[24 * 24], link_car[24 * 24], app[24 * 2 * N_CLASSES], vpn[24], bapp[24 * 2],
        bvpn[24], btot[24], hair[24], over[24];
    double insp[24 * 4], drop[24 * 4], thr[24 * 4], coll[24 * 4], unin[24 * 4];
} fixture;

/* Build the toy world; `net_extra` is appended inside network = { ... }. */
static void build(fixture *f, double relay_share, const char *cap, const char *failure,
                  const char *events, const char *net_extra)
{
    static char net[65536];
    const char *file = tu_source_file("configs/networks/toy.cfg");
    assert_non_null(file);
    strcpy(net, file);
    /* Put the extra settings before the closing brace of the network group. */
    char *end = strrchr(net, '}');
    assert_non_null(end);
    *end = '\0';
    static char text[32768];
    int k = snprintf(text, sizeof text, base_cfg, cap, failure, relay_share, events);
    snprintf(text + k, sizeof text - (size_t)k, "%s\n  %s %s %s\n  %s\n};\n", net,
             strstr(net_extra, "diurnal_amplitude") ? "" : "diurnal_amplitude = 0.0;",
             strstr(net_extra, "background_down") ? "" : "background_down = \"0bps\";",
             strstr(net_extra, "background_up") ? "" : "background_up = \"0bps\";", net_extra);
    tu_load(text, &f->w);
    f->c = censor_new(&f->w);
    assert_non_null(f->c);
    day_rules d;
    events_day(&f->w, 0, &d);
    censor_apply(f->c, &d);
    f->ns = netsim_new(&f->w);
    assert_non_null(f->ns);
    f->tally = calloc(population_tally_cells(&f->w), sizeof(uint64_t));
    f->users = calloc((size_t)f->w.n_all_isps * (f->w.n_apps + 1) * (f->w.n_vpns + 1),
                      sizeof(double));
    assert_non_null(f->tally);
    assert_non_null(f->users);
}

static void done(fixture *f)
{
    netsim_free(f->ns);
    censor_free(f->c);
    free(f->tally);
    free(f->users);
}

static uint64_t *cell(fixture *f, int from, int to, int app, int video, int tin, int tout)
{
    int ni = f->w.n_all_isps, na = f->w.n_apps, nv = f->w.n_vpns + 1;
    size_t x = ((((size_t)from * (ni + 1) + to) * na + app) * 2 + video) * nv;
    return &f->tally[(x + tin) * nv + tout];
}

static void run_day(fixture *f)
{
    netsim_hours o = {f->link_off, f->link_car, f->app, f->vpn, f->bapp, f->bvpn, f->btot,
                      f->hair, f->insp, f->drop, f->thr, f->coll, f->unin, f->over};
    assert_int_equal(netsim_links(f->ns), 24);
    assert_int_equal(netsim_day(f->ns, f->c, f->tally, f->users, &o), BS_OK);
}

/* Directed link index of from->to. */
static int dl(const fixture *f, const char *from, const char *to)
{
    for (int l = 0; l < f->w.network.n_links; l++) {
        const link_cfg *ln = &f->w.network.links[l];
        if (!strcmp(ln->from, from) && !strcmp(ln->to, to))
            return 2 * l;
        if (!strcmp(ln->to, from) && !strcmp(ln->from, to))
            return 2 * l + 1;
    }
    fail_msg("no link %s-%s", from, to);
    return -1;
}

static void near(double got, double want)
{
    if (fabs(got - want) > 1e-6 * (fabs(want) + 1.0))
        fail_msg("got %.9g, want %.9g", got, want);
}

/* Carried <= offered <= ... and carried <= capacity on every link and hour. */
static void check_links(const fixture *f)
{
    for (int h = 0; h < 24; h++)
        for (int l = 0; l < 24; l++) {
            double off = f->link_off[h * 24 + l], car = f->link_car[h * 24 + l];
            double cap = f->w.network.links[l / 2].capacity;
            assert_true(car <= off * (1 + 1e-12) + 1e-9);
            assert_true(car <= cap * (1 + 1e-12));
            assert_true(car >= 0);
        }
}

/* The load of hour h on the route a>b>c..., in both arrays. */
static void route_load(const fixture *f, int h, const char *const *nodes, int n, double want)
{
    for (int k = 0; k + 1 < n; k++) {
        int l = dl(f, nodes[k], nodes[k + 1]);
        near(f->link_off[h * 24 + l], want);
        near(f->link_car[h * 24 + l], want);
    }
}

static double total(const double *x, int n)
{
    double t = 0;
    for (int i = 0; i < n; i++)
        t += x[i];
    return t;
}

/* Case 1: 1,000 voice attempts a day north/mobile -> south/fixed on "a",
 * peer to peer: 10 Mbit/s each way on the route through the core, every hour
 * (amplitude 0), nothing else anywhere. */
static void p2p_call(void **state)
{
    (void)state;
    fixture f;
    build(&f, 0.0, "0bps", "open", "", "");
    *cell(&f, 0, 3, 0, 0, 0, 0) = 1000;
    run_day(&f);
    const char *fwd[] = {"n-mobile", "n-metro", "core", "s-metro", "s-fixed"};
    const char *back[] = {"s-fixed", "s-metro", "core", "n-metro", "n-mobile"};
    for (int h = 0; h < 24; h++) {
        route_load(&f, h, fwd, 5, 10 * M);
        route_load(&f, h, back, 5, 10 * M);
        near(total(f.link_off + h * 24, 24), 8 * 10 * M);
        near(f.app[h * 2 * N_CLASSES + CLASS_VOICE], 20 * M);
        near(f.btot[h], 0);
        near(f.vpn[h], 0);
        near(total(f.insp + h * 4, 4), 40 * M); /* each direction meets two boxes */
        near(total(f.drop + h * 4, 4), 0);
    }
    check_links(&f);
    done(&f);
}

/* Case 2: relay_share 0.5: half of each direction goes through foreign-dc,
 * out and back over core->border and border->core (class border), 5 Mbit/s
 * each way per direction: 10 Mbit/s on each directed border link; border
 * load (summed over border links) 20 Mbit/s. */
static void relayed_call(void **state)
{
    (void)state;
    fixture f;
    build(&f, 0.5, "0bps", "open", "", "");
    *cell(&f, 0, 3, 0, 0, 0, 0) = 1000;
    run_day(&f);
    for (int h = 0; h < 24; h++) {
        near(f.link_off[h * 24 + dl(&f, "n-mobile", "n-metro")], 10 * M);
        near(f.link_off[h * 24 + dl(&f, "core", "border")], 10 * M);
        near(f.link_off[h * 24 + dl(&f, "border", "core")], 10 * M);
        near(f.link_off[h * 24 + dl(&f, "border", "foreign-dc")], 10 * M);
        near(f.link_off[h * 24 + dl(&f, "core", "s-metro")], 10 * M);
        near(f.btot[h], 20 * M);
        near(f.bapp[h * 2 + 0], 20 * M);
        near(f.hair[h], 0); /* not tunnelled */
    }
    check_links(&f);
    done(&f);
}

/* Case 3: a stun block on "a" in the north (strength 1, detect 1, coverage 1):
 * every attempt of the north/mobile caller is stopped at its box, both
 * directions (egress 10, ingress 10): 20 Mbit/s dropped at box 0 and no load
 * on any link.  South's box inspects the reverse direction and passes it. */
static void blocked_call(void **state)
{
    (void)state;
    fixture f;
    build(&f, 0.0, "0bps", "open",
          "{ date = \"2025-01-01\"; action = \"block\"; apps = [\"a\"]; technique = \"stun\"; "
          "regions = [\"north\"]; }",
          "");
    *cell(&f, 0, 3, 0, 0, 0, 0) = 1000;
    run_day(&f);
    for (int h = 0; h < 24; h++) {
        near(total(f.link_off + h * 24, 24), 0);
        near(f.drop[h * 4 + 0], 20 * M);
        near(f.insp[h * 4 + 0], 20 * M);
        near(f.insp[h * 4 + 3], 10 * M);
        near(f.drop[h * 4 + 3], 0);
        near(f.app[h * 2 * N_CLASSES + CLASS_VOICE], 0);
    }
    done(&f);
}

/* Case 4: the caller tunnels through wg (exit vpn-exit, overhead 0.1): each
 * direction is 11 Mbit/s on n-mobile > n-metro > core > border > vpn-exit >
 * border > core > s-metro > s-fixed (and back, also through the exit): 22
 * Mbit/s on each directed core-border and border-vpn-exit link, a hairpin: 44 Mbit/s of border load, all of it VPN and
 * hairpin, none of which the direct route would have. */
static void tunnelled_call(void **state)
{
    (void)state;
    fixture f;
    build(&f, 0.0, "0bps", "open", "", "");
    *cell(&f, 0, 3, 0, 0, 1, 0) = 1000;
    run_day(&f);
    for (int h = 0; h < 24; h++) {
        near(f.link_off[h * 24 + dl(&f, "core", "border")], 22 * M);
        near(f.link_off[h * 24 + dl(&f, "border", "core")], 22 * M);
        near(f.link_off[h * 24 + dl(&f, "border", "vpn-exit")], 22 * M);
        near(f.link_off[h * 24 + dl(&f, "vpn-exit", "border")], 22 * M);
        near(f.link_off[h * 24 + dl(&f, "n-mobile", "n-metro")], 11 * M);
        near(f.btot[h], 44 * M);
        near(f.bvpn[h], 44 * M);
        near(f.hair[h], 44 * M);
        near(f.vpn[h], 22 * M);
    }
    check_links(&f);
    done(&f);
}

/* Case 5: north/mobile's box inspects at most 5 Mbit/s per direction; "a" is
 * blocked there by ip (detect 1) and "d" is not; 10 Mbit/s of each leave
 * north/mobile (and 10 of each arrive).  Load 20 > 5: the box inspects the
 * share s = 0.25 of each.
 *   open:   inspected 5, dropped 2.5 (a's inspected share), uninspected 15:
 *           a passes 7.5, d 10, per direction;
 *   closed: inspected 5, dropped 2.5 + 15 = 17.5, collateral 7.5 (d's
 *           excess): a passes 0, d 2.5, per direction.
 * Both directions: twice these at box 0.  The feedback says 0.25 inspected. */
static void overload(void **state, const char *mode)
{
    (void)state;
    fixture f;
    build(&f, 0.0, "5Mbps", mode,
          "{ date = \"2025-01-01\"; action = \"block\"; apps = [\"a\"]; technique = \"ip\"; "
          "regions = [\"north\"]; isps = [\"mobile\"]; }",
          "");
    *cell(&f, 0, 3, 0, 0, 0, 0) = 1000;
    *cell(&f, 0, 3, 1, 0, 0, 0) = 1000;
    run_day(&f);
    int closed = !strcmp(mode, "closed");
    for (int h = 0; h < 24; h++) {
        near(f.insp[h * 4 + 0], 10 * M);
        near(f.drop[h * 4 + 0], closed ? 35 * M : 5 * M);
        near(f.coll[h * 4 + 0], closed ? 15 * M : 0);
        near(f.unin[h * 4 + 0], closed ? 0 : 30 * M);
        near(f.app[h * 2 * N_CLASSES + 0 * N_CLASSES + CLASS_VOICE], closed ? 0 : 15 * M);
        near(f.app[h * 2 * N_CLASSES + 1 * N_CLASSES + CLASS_VOICE], closed ? 5 * M : 20 * M);
        near(f.over[h], 1);
        /* Conservation at the box: what came in (40) = passed + dropped. */
        double passed = f.link_off[h * 24 + dl(&f, "n-mobile", "n-metro")] +
                        f.link_off[h * 24 + dl(&f, "n-metro", "n-mobile")];
        near(passed + f.drop[h * 4 + 0] + f.thr[h * 4 + 0], 40 * M);
    }
    near(netsim_inspected(f.ns)[0], 0.25);
    near(netsim_inspected(f.ns)[3], 1.0);
    check_links(&f);
    done(&f);
}
static void overload_open(void **state) { overload(state, "open"); }
static void overload_closed(void **state) { overload(state, "closed"); }

/* Case 6: a diurnal profile (amplitude 0.5, peak at 12:00) and a full link.
 * 1,000,000 attempts north/mobile -> south/fixed on "a" make 10 Gbit/s a day
 * on average each way, w(h) = 1 + 0.5 cos(2 pi (h + 0.5 - 12) / 24) times
 * that in hour h; the 10 Gbit/s access link n-mobile - n-metro carries
 * min(10 w(h), 10) Gbit/s, and the hours with w(h) > 1 need the solver.  The
 * loss fed back for (north/mobile, a, voice) is the day's lost share. */
static void diurnal_congestion(void **state)
{
    (void)state;
    fixture f;
    build(&f, 0.0, "0bps", "open", "", "diurnal_amplitude = 0.5; diurnal_peak = 12.0;");
    *cell(&f, 0, 3, 0, 0, 0, 0) = 1000000;
    run_day(&f);
    int l = dl(&f, "n-mobile", "n-metro");
    double lost = 0, offered = 0;
    int full_hours = 0;
    for (int h = 0; h < 24; h++) {
        double wt = 1 + 0.5 * cos(2 * M_PI * (h + 0.5 - 12) / 24);
        near(netsim_weight(&f.w, h), wt);
        near(f.link_off[h * 24 + l], 10e9 * wt);
        near(f.link_car[h * 24 + l], fmin(10e9 * wt, 10e9));
        lost += 10e9 * wt - fmin(10e9 * wt, 10e9);
        offered += 10e9 * wt;
        full_hours += wt > 1;
        /* The reverse direction's access link at the far end is full too. */
        near(f.link_car[h * 24 + dl(&f, "s-metro", "s-fixed")], fmin(10e9 * wt, 10e9));
    }
    assert_int_equal(netsim_get_stats(f.ns).hours_solved, full_hours);
    near(netsim_loss(f.ns)[(0 * 2 + 0) * N_CLASSES + CLASS_VOICE], lost / offered);
    check_links(&f);
    done(&f);
}

/* Case 7: users.  North/mobile has 1,000 people, 500 of whom can use "a":
 * messaging 10.8 MB a day each, half each way to foreign-dc: 0.25 Mbit/s
 * each way.  Background 100 kbit/s down and 10 kbit/s up per person, 30%
 * abroad: 30 Mbit/s down from foreign-dc and 70 from domestic-dc (through the
 * IXP), 3 and 7 up. */
static void users_traffic(void **state)
{
    (void)state;
    fixture f;
    build(&f, 0.0, "0bps", "open", "",
          "background_down = \"100kbps\"; background_up = \"10kbps\"; background_foreign = 0.3;");
    int na = f.w.n_apps, nv = f.w.n_vpns + 1;
    f.users[(0 * (na + 1) + 0) * nv + 0] = 1000;
    f.users[(0 * (na + 1) + 1 + 0) * nv + 0] = 500;
    run_day(&f);
    for (int h = 0; h < 24; h++) {
        near(f.link_off[h * 24 + dl(&f, "border", "core")], 30 * M + 0.25 * M);
        near(f.link_off[h * 24 + dl(&f, "core", "border")], 3 * M + 0.25 * M);
        near(f.link_off[h * 24 + dl(&f, "ixp", "core")], 70 * M);
        near(f.link_off[h * 24 + dl(&f, "core", "ixp")], 7 * M);
        near(f.link_off[h * 24 + dl(&f, "n-metro", "n-mobile")], 100.25 * M);
        near(f.link_off[h * 24 + dl(&f, "n-mobile", "n-metro")], 10.25 * M);
        near(f.app[h * 2 * N_CLASSES + CLASS_MESSAGING], 0.5 * M);
        near(f.btot[h], 33.5 * M);
    }
    check_links(&f);
    done(&f);
}

/* Case 8: a throttle on "a" at 1 Mbit/s everywhere (detection 1): its video
 * calls (4 Mbit/s) are policed to a quarter.  1,000 video attempts make 40
 * Mbit/s each way; the box each direction leaves polices 30 of it and the
 * box it arrives at nothing more (the flows already keep to the rate): 10
 * Mbit/s on the links each way, 30 Mbit/s throttled at each box. */
static void throttled_video(void **state)
{
    (void)state;
    fixture f;
    build(&f, 0.0, "0bps", "open",
          "{ date = \"2025-01-01\"; action = \"throttle\"; apps = [\"a\"]; technique = \"throttle\"; "
          "rate = \"1Mbps\"; }",
          "");
    *cell(&f, 0, 3, 0, 1, 0, 0) = 1000;
    run_day(&f);
    for (int h = 0; h < 24; h++) {
        near(f.link_off[h * 24 + dl(&f, "n-mobile", "n-metro")], 10 * M);
        near(f.link_off[h * 24 + dl(&f, "n-metro", "n-mobile")], 10 * M);
        near(f.thr[h * 4 + 0], 30 * M);
        near(f.thr[h * 4 + 3], 30 * M);
        near(f.drop[h * 4 + 0] + f.drop[h * 4 + 3], 0);
        near(f.app[h * 2 * N_CLASSES + CLASS_VIDEO], 20 * M);
    }
    check_links(&f);
    done(&f);
}

/* Case 8: a full link is shared among calls, not among aggregates (flow.h,
 * traffic.h: an aggregate weighs its concurrent calls, calls per hour x
 * minutes / 60).  From north/mobile to south/fixed, peer to peer, a flat
 * day: 1,500,000 voice attempts on "a" (15 Gbit/s each way, 1.5e6 / 24 x
 * 14.4 / 60 = 15,000 concurrent calls) and 500,000 on "d" (5 Gbit/s, 5,000
 * calls).  The 10 Gbit/s access links at both ends are offered 20: the level
 * is 10e9 / 20,000 = 0.5 Mbit/s a call, so "a" gets 7.5 and "d" 2.5 Gbit/s
 * each way (15 and 5 in all), where sharing by aggregate would give 5 and 5.
 * Then an ip block of "a" at strength 0.5 at north/mobile: half of a's calls
 * fail at set-up in each direction, leaving 7.5 Gbit/s and 7,500 calls
 * against d's 5 and 5,000: level 10e9 / 12,500 = 0.8 Mbit/s, "a" gets 6 and
 * "d" 4 each way (12 and 8); weighting by the attempts instead would give
 * "a" 7.5 (its demand) and "d" 2.5. */
static void shared_per_call(void **state)
{
    (void)state;
    const char *evs[2] = {"", "{ date = \"2025-01-01\"; action = \"block\"; technique = \"ip\"; "
                              "apps = [\"a\"]; regions = [\"north\"]; isps = [\"mobile\"]; "
                              "strength = 0.5; }"};
    const double want_a[2] = {15e9, 12e9}, want_d[2] = {5e9, 8e9};
    for (int e = 0; e < 2; e++) {
        fixture f;
        build(&f, 0.0, "0bps", "open", evs[e], "");
        *cell(&f, 0, 3, 0, 0, 0, 0) = 1500000;
        *cell(&f, 0, 3, 1, 0, 0, 0) = 500000;
        run_day(&f);
        for (int h = 0; h < 24; h++) {
            near(f.app[(h * 2 + 0) * N_CLASSES + CLASS_VOICE], want_a[e]);
            near(f.app[(h * 2 + 1) * N_CLASSES + CLASS_VOICE], want_d[e]);
            near(f.link_car[h * 24 + dl(&f, "n-mobile", "n-metro")], 10e9);
        }
        check_links(&f);
        done(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(p2p_call),           cmocka_unit_test(relayed_call),
        cmocka_unit_test(blocked_call),       cmocka_unit_test(tunnelled_call),
        cmocka_unit_test(overload_open),      cmocka_unit_test(overload_closed),
        cmocka_unit_test(diurnal_congestion), cmocka_unit_test(users_traffic),
        cmocka_unit_test(throttled_video),    cmocka_unit_test(shared_per_call),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
