/* Unit tests of the ns-3 shim (models/ns3/bs_ns3.h) on a small testbed:
 *
 *   caller(0) --- box(1) --- core(2) --- callee(3)
 *                             |   \
 *                        relay(4)  exit(5)
 *
 * Every link 100 Mbit/s, 1 ms.  A censor box on node 1 sees what the caller
 * sends (its device towards the core) and what it receives (its device
 * towards the caller).  The verdict callback below is a rule table written
 * for each test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "ns3/bs_ns3.h"
#include "base/status.h"

typedef struct rules {
    int drop_app;      /* drop untunnelled packets of this app (STUN and media), -1: none */
    int drop_vpn;      /* drop tunnel packets of this protocol + 1, 0: none */
    int police_app;    /* police this app's media to police_rate, -1: none */
    double police_rate;
    int seen;          /* packets the box was asked about */
} rules;

static int verdict(void *arg, int box, int dev, const bs_pkt_tag *t, double *rate)
{
    (void)box;
    (void)dev;
    rules *r = arg;
    r->seen++;
    if (t->vpn == 0 && t->app == r->drop_app)
        return BS_DROP;
    if (t->vpn != 0 && t->vpn == r->drop_vpn)
        return BS_DROP;
    if (t->vpn == 0 && t->app == r->police_app && t->kind == BS_PKT_MEDIA) {
        *rate = r->police_rate;
        return BS_POLICE;
    }
    return BS_PASS;
}

typedef struct bed {
    bs_ns3 *s;
    rules r;
} bed;

static void build(bed *b, uint32_t seed)
{
    b->s = bs_ns3_new(seed, 1);
    assert_non_null(b->s);
    for (int k = 0; k < 6; k++)
        assert_int_equal(bs_ns3_add_node(b->s), k);
    int ends[5][2] = {{0, 1}, {1, 2}, {2, 3}, {2, 4}, {2, 5}};
    for (int l = 0; l < 5; l++)
        assert_int_equal(bs_ns3_add_link(b->s, ends[l][0], ends[l][1], 100e6, 0.001, 100), l);
    assert_int_equal(bs_ns3_install(b->s), BS_OK);
    assert_int_equal(bs_ns3_add_box(b->s, 1, 0, verdict, &b->r), BS_OK);
}

static bs_ns3_call_cfg call(void)
{
    bs_ns3_call_cfg c = {.caller = 0, .callee = 3, .relay = -1, .exit = -1, .vpn = 0,
                         .callee_exit = -1,
                         .overhead = 0.1, .app = 0, .cls = 0, .rate_bps = 128e3,
                         .packet_bytes = 160, .start_s = 1.0, .duration_s = 10.0,
                         .timeout_s = 3.0};
    return c;
}

static bs_ns3_call_stats run_call(bed *b, bs_ns3_call_cfg c)
{
    int k = bs_ns3_add_call(b->s, &c);
    assert_int_equal(k, 0);
    assert_int_equal(bs_ns3_run(b->s, 20.0), BS_OK);
    bs_ns3_call_stats st;
    assert_int_equal(bs_ns3_get_call(b->s, k, &st), BS_OK);
    return st;
}

static const rules none = {-1, 0, -1, 0, 0};

/* No rule: the call connects at once (one round trip, 6 ms plus
 * serialisation) and every media packet arrives, both ways, 1,000 of them
 * (10 s at 128 kbit/s in 160-byte packets), 3 ms one way. */
static void call_passes(void **state)
{
    (void)state;
    bed b = {.r = none};
    build(&b, 1);
    bs_ns3_call_stats st = run_call(&b, call());
    assert_true(st.setup_ok);
    assert_true(st.setup_s > 0.006 && st.setup_s < 0.01);
    for (int d = 0; d < 2; d++) {
        assert_int_equal(st.tx[d], 1000);
        assert_int_equal(st.rx[d], 1000);
        double delay = st.delay_sum[d] / st.rx[d];
        assert_true(delay > 0.003 && delay < 0.004);
    }
    assert_true(b.r.seen > 2000);
    bs_ns3_box_stats bx;
    assert_int_equal(bs_ns3_get_box(b.s, 0, &bx), BS_OK);
    assert_int_equal(bx.dropped, 0);
    /* Bytes on the caller's link towards the box: 1,000 media packets of 160
     * bytes + 28 of UDP/IP + 2 of PPP, and the request (100 + 30). */
    assert_int_equal(bs_ns3_link_bytes(b.s, 0), 1000 * 190 + 130);
    bs_ns3_free(b.s);
}

/* A box that drops the app's call set-up and media: no answer within the
 * timeout, "User not available"; the caller retried every 0.5 s (6 requests
 * in 3 s, all dropped). */
static void stun_drop_fails(void **state)
{
    (void)state;
    bed b = {.r = none};
    b.r.drop_app = 0;
    build(&b, 1);
    bs_ns3_call_stats st = run_call(&b, call());
    assert_false(st.setup_ok);
    assert_int_equal(st.rx[0] + st.rx[1], 0);
    bs_ns3_box_stats bx;
    assert_int_equal(bs_ns3_get_box(b.s, 0, &bx), BS_OK);
    assert_int_equal(bx.dropped, 6);
    bs_ns3_free(b.s);
}

/* Through a VPN exit the box sees tunnel packets of protocol 1, not the app:
 * the same rule passes the call; a rule on the protocol fails it. */
static void vpn_passes_app_rule_fails_vpn_rule(void **state)
{
    (void)state;
    for (int vpn_rule = 0; vpn_rule < 2; vpn_rule++) {
        bed b = {.r = none};
        b.r.drop_app = 0;
        b.r.drop_vpn = vpn_rule ? 1 : 0;
        build(&b, 1);
        bs_ns3_call_cfg c = call();
        c.exit = 5;
        c.vpn = 1;
        bs_ns3_call_stats st = run_call(&b, c);
        if (vpn_rule) {
            assert_false(st.setup_ok);
        } else {
            assert_true(st.setup_ok);
            assert_int_equal(st.rx[0], 1000);
            assert_int_equal(st.rx[1], 1000);
            /* The tunnel carries the overhead: 176-byte payloads on the
             * caller's link (+ 30 of headers). */
            assert_int_equal(bs_ns3_link_bytes(b.s, 0), 1000 * 206 + 140);
        }
        bs_ns3_free(b.s);
    }
}

/* Only the callee tunnels, with a protocol of its own (2, 20% overhead):
 * caller 3, callee 0 behind the box.  The box sees the callee's packets as
 * tunnel packets of protocol 2: an app rule passes the call, a rule on
 * protocol 1 passes it, a rule on protocol 2 fails it.  On the callee's link
 * every byte is the tunnel's (1,000 media packets of 192 + 30 bytes and the
 * answer); between core and caller every byte is the app's. */
static void callee_tunnel_of_its_own(void **state)
{
    (void)state;
    for (int rule = 0; rule < 3; rule++) {
        bed b = {.r = none};
        b.r.drop_app = 0;
        b.r.drop_vpn = rule;
        build(&b, 1);
        bs_ns3_call_cfg c = call();
        c.caller = 3;
        c.callee = 0;
        c.callee_exit = 5;
        c.callee_vpn = 2;
        c.callee_overhead = 0.2;
        assert_int_equal(bs_ns3_count_by_app(b.s, 0), BS_OK);
        assert_int_equal(bs_ns3_count_by_app(b.s, 4), BS_OK);
        bs_ns3_call_stats st = run_call(&b, c);
        if (rule == 2) {
            assert_false(st.setup_ok);
        } else {
            assert_true(st.setup_ok);
            assert_int_equal(st.rx[0], 1000);
            assert_int_equal(st.rx[1], 1000);
            uint64_t link0 = bs_ns3_link_bytes(b.s, 0); /* 0 -> 1: the callee's sending */
            assert_int_equal(bs_ns3_link_app_bytes(b.s, 0, BS_NS3_TUNNEL), link0);
            assert_int_equal(bs_ns3_link_app_bytes(b.s, 0, 0), 0);
            assert_true(link0 >= 1000 * 222 && link0 < 1000 * 222 + 400);
            uint64_t core_caller = bs_ns3_link_bytes(b.s, 4); /* 2 -> 3 */
            assert_true(core_caller > 0);
            assert_int_equal(bs_ns3_link_app_bytes(b.s, 4, 0), core_caller);
        }
        bs_ns3_free(b.s);
    }
}

/* Policing the media at 64 kbit/s (half its 128 kbit/s plus headers): the
 * throughput that gets through, counted as the box counts it (IP packets),
 * is within 5% of the rate, in each direction. */
static void police_to_rate(void **state)
{
    (void)state;
    bed b = {.r = none};
    b.r.police_app = 0;
    b.r.police_rate = 64e3;
    build(&b, 1);
    bs_ns3_call_stats st = run_call(&b, call());
    assert_true(st.setup_ok);
    for (int d = 0; d < 2; d++) {
        double ip_rate = st.rx[d] * (160.0 + 28.0) * 8.0 / st.media_s[d];
        print_message("direction %d: %llu of %llu packets, %.0f bit/s of IP packets\n", d,
                      (unsigned long long)st.rx[d], (unsigned long long)st.tx[d], ip_rate);
        assert_true(fabs(ip_rate - 64e3) < 0.05 * 64e3);
    }
    bs_ns3_free(b.s);
}

/* A relayed call goes caller > box > core > relay > core > callee: the
 * media crosses core-relay both ways. */
static void relayed_call(void **state)
{
    (void)state;
    bed b = {.r = none};
    build(&b, 1);
    bs_ns3_call_cfg c = call();
    c.relay = 4;
    bs_ns3_call_stats st = run_call(&b, c);
    assert_true(st.setup_ok);
    assert_int_equal(st.rx[0], 1000);
    assert_true(bs_ns3_link_bytes(b.s, 2 * 3) >= 1000 * 190);     /* core -> relay */
    assert_true(bs_ns3_link_bytes(b.s, 2 * 3 + 1) >= 1000 * 190); /* relay -> core */
    bs_ns3_free(b.s);
}

/* A TCP transfer (messaging) of 100 kB arrives whole; the same transfer of
 * an app the box drops never completes (its segments carry the app's tag). */
static void tcp_transfer(void **state)
{
    (void)state;
    for (int blocked = 0; blocked < 2; blocked++) {
        bed b = {.r = none};
        b.r.drop_app = blocked ? 2 : -1;
        build(&b, 1);
        int t = bs_ns3_add_transfer(b.s, 0, 3, 2, 100000, 1.0);
        assert_int_equal(t, 0);
        assert_int_equal(bs_ns3_run(b.s, 20.0), BS_OK);
        bs_ns3_transfer_stats st;
        assert_int_equal(bs_ns3_get_transfer(b.s, t, &st), BS_OK);
        if (blocked) {
            assert_true(st.rx_bytes == 0 && st.done_s < 0);
        } else {
            assert_int_equal(st.rx_bytes, 100000);
            assert_true(st.done_s > 1.0 && st.done_s < 2.0);
        }
        bs_ns3_free(b.s);
    }
}

/* The same seed gives the same packet counts; bad input is refused. */
static void same_seed_same_counts_and_errors(void **state)
{
    (void)state;
    bs_ns3_call_stats a[2];
    for (int i = 0; i < 2; i++) {
        bed b = {.r = none};
        b.r.police_app = 0;
        b.r.police_rate = 64e3;
        build(&b, 7);
        a[i] = run_call(&b, call());
        bs_ns3_free(b.s);
    }
    /* Field by field: the struct's padding is not part of the result. */
    assert_int_equal(a[0].setup_ok, a[1].setup_ok);
    assert_true(a[0].setup_s == a[1].setup_s);
    for (int d = 0; d < 2; d++) {
        assert_int_equal(a[0].tx[d], a[1].tx[d]);
        assert_int_equal(a[0].rx[d], a[1].rx[d]);
        assert_int_equal(a[0].rx_bytes[d], a[1].rx_bytes[d]);
        assert_true(a[0].delay_sum[d] == a[1].delay_sum[d]);
        assert_true(a[0].media_s[d] == a[1].media_s[d]);
    }
    assert_true(a[0].rx[0] > 0 && a[0].rx[0] < a[0].tx[0]); /* policed: some, not all */
    bs_ns3 *s = bs_ns3_new(1, 1);
    assert_non_null(s);
    assert_null(bs_ns3_new(1, 1)); /* one at a time */
    assert_int_equal(bs_ns3_add_node(s), 0);
    assert_int_equal(bs_ns3_add_link(s, 0, 3, 1e6, 0.001, 10), -1);
    assert_non_null(strstr(bs_last_error(), "nodes 0 and 3"));
    assert_int_equal(bs_ns3_install(s), BS_EINPUT); /* node 0 has no link */
    bs_ns3_free(s);
    assert_null(bs_ns3_new(0, 1));
}

/* bs_ns3_version() is the version of the library linked, as ns-3 reports
 * it: the same as pkg-config's modversion of ns3-core, read when the build
 * was configured (BS_NS3_MODVERSION, tests/CMakeLists.txt), "3.37" here.
 * Not a constant: if either came from elsewhere they would differ on any
 * other ns-3. */
static void version_of_linked_library(void **state)
{
    (void)state;
    assert_string_equal(bs_ns3_version(), BS_NS3_MODVERSION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(call_passes),
        cmocka_unit_test(version_of_linked_library),
        cmocka_unit_test(stun_drop_fails),
        cmocka_unit_test(vpn_passes_app_rule_fails_vpn_rule),
        cmocka_unit_test(callee_tunnel_of_its_own),
        cmocka_unit_test(police_to_rate),
        cmocka_unit_test(relayed_call),
        cmocka_unit_test(tcp_transfer),
        cmocka_unit_test(same_seed_same_counts_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
