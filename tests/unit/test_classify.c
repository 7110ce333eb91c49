/* Unit tests of the censor box's classifier (models/censor/classify.h), no
 * ns-3.  Each case is a flow's wire features and a rule's lists, with the
 * answer worked out by hand from the definitions in the header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <string.h>

#include "censor/classify.h"
#include "world/world.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* A flow to 151.101.7.9 (inside the shared 151.101.0.0/16) with no handshake. */
static classify_flow flow_to(uint32_t addr)
{
    classify_flow f;
    memset(&f, 0, sizeof f);
    f.addr = addr;
    return f;
}

/* An ip rule listing an app's own 100.0.0.0/16 and the CDN range
 * 151.101.0.0/16 it shares: an unrelated service at 151.101.7.9 is caught
 * (collateral), the app at 100.0.3.4 is caught, the app's rotated address
 * 100.1.0.5 (outside the /16) is not, nor 151.102.0.1 (outside the CDN /16:
 * the 16th bit differs). */
static void ip_shared_range(void **state)
{
    (void)state;
    classify_rule r = {.technique = TECH_IP, .n_ranges = 2,
                       .ranges = {{IP4(100, 0, 0, 0), 16}, {IP4(151, 101, 0, 0), 16}}};
    classify_flow f = flow_to(IP4(151, 101, 7, 9));
    assert_int_equal(classify_match(&r, &f), 1);
    f = flow_to(IP4(100, 0, 3, 4));
    assert_int_equal(classify_match(&r, &f), 1);
    f = flow_to(IP4(100, 1, 0, 5));
    assert_int_equal(classify_match(&r, &f), 0);
    f = flow_to(IP4(151, 102, 0, 1));
    assert_int_equal(classify_match(&r, &f), 0);
    /* A /32 is one address; a /0 every address. */
    classify_range one = {IP4(1, 2, 3, 4), 32}, all = {0, 0};
    assert_true(classify_in_range(&one, IP4(1, 2, 3, 4)) && !classify_in_range(&one, IP4(1, 2, 3, 5)));
    assert_true(classify_in_range(&all, IP4(9, 9, 9, 9)));
}

/* An sni rule on "whatsapp.net": a ClientHello for "g.whatsapp.net" matches
 * (a subdomain), "whatsapp.net" itself matches, "notwhatsapp.net" does not (no
 * dot before the suffix), nor "whatsapp.net.example" (not a suffix); a flow
 * with the name but no TLS record (first byte 0x17) is not a ClientHello. */
static void sni_match_and_mismatch(void **state)
{
    (void)state;
    classify_rule r = {.technique = TECH_SNI, .n_names = 1, .names = {"whatsapp.net"}};
    const char *names[] = {"g.whatsapp.net", "whatsapp.net", "notwhatsapp.net", "whatsapp.net.example", ""};
    int want[] = {1, 1, 0, 0, 0};
    for (int k = 0; k < 5; k++) {
        classify_flow f = flow_to(IP4(100, 0, 0, 1));
        f.first_type = CLASSIFY_TLS_RECORD;
        f.first_len = 517;
        strcpy(f.sni, names[k]);
        assert_int_equal(classify_match(&r, &f), want[k]);
    }
    classify_flow f = flow_to(IP4(100, 0, 0, 1));
    f.first_type = 0x17;
    strcpy(f.sni, "g.whatsapp.net");
    assert_int_equal(classify_match(&r, &f), 0);
    /* The same flow under an ip rule with no ranges: nothing listed, no match. */
    classify_rule ip = {.technique = TECH_IP};
    assert_int_equal(classify_match(&ip, &f), 0);
}

/* A stun rule with no ranges: a set-up with the magic cookie 0x2112A442
 * matches, whoever sends it; a set-up with another cookie (classic STUN of
 * RFC 3489 had none) does not. */
static void stun_cookie(void **state)
{
    (void)state;
    classify_rule r = {.technique = TECH_STUN};
    classify_flow f = flow_to(IP4(100, 0, 0, 1));
    f.stun_cookie = 0x2112A442u;
    assert_int_equal(classify_match(&r, &f), 1);
    f.stun_cookie = 0x2112A443u;
    assert_int_equal(classify_match(&r, &f), 0);
    f.stun_cookie = 0;
    assert_int_equal(classify_match(&r, &f), 0);
    /* A rule on one app's calls lists its range 100.0.0.0/16: STUN to
     * 100.0.0.1 matches, STUN to 93.1.0.1 (another service) does not. */
    r.n_ranges = 1;
    r.ranges[0] = (classify_range){IP4(100, 0, 0, 0), 16};
    f.stun_cookie = CLASSIFY_STUN_COOKIE;
    assert_int_equal(classify_match(&r, &f), 1);
    f.addr = IP4(93, 1, 0, 1);
    assert_int_equal(classify_match(&r, &f), 0);
}

/* A vpn rule with the WireGuard print (type 1, 148 bytes) and the OpenVPN
 * print (0x38, any length): WireGuard's initiation matches; a type-1 packet
 * of 92 bytes (a WireGuard response's length) does not; OpenVPN's reset
 * matches at any length; an obfuscated protocol's TLS ClientHello with a
 * plausible name ("www.microsoft.com") is missed.  The aggressive rule (TLS
 * to its hosting range 185.0.0.0/16) catches it, and an ordinary HTTPS flow to
 * the same range (a false positive), and not HTTPS to 93.184.216.34. */
static void wireguard_vs_obfuscated_tls(void **state)
{
    (void)state;
    classify_rule r = {.technique = TECH_VPN, .n_prints = 2,
                       .prints = {{CLASSIFY_WG_INITIATION, CLASSIFY_WG_INITIATION_LEN},
                                  {CLASSIFY_OPENVPN_RESET, 0}}};
    classify_flow wg = flow_to(IP4(185, 0, 1, 1));
    wg.first_type = CLASSIFY_WG_INITIATION;
    wg.first_len = 148;
    assert_int_equal(classify_match(&r, &wg), 1);
    wg.first_len = 92;
    assert_int_equal(classify_match(&r, &wg), 0);
    classify_flow ovpn = flow_to(IP4(185, 0, 1, 2));
    ovpn.first_type = CLASSIFY_OPENVPN_RESET;
    ovpn.first_len = 54;
    assert_int_equal(classify_match(&r, &ovpn), 1);
    classify_flow obf = flow_to(IP4(185, 0, 1, 3));
    obf.first_type = CLASSIFY_TLS_RECORD;
    obf.first_len = 517;
    strcpy(obf.sni, "www.microsoft.com");
    assert_int_equal(classify_match(&r, &obf), 0);
    classify_flow https = obf;
    https.addr = IP4(185, 0, 9, 9);
    classify_flow far = obf;
    far.addr = IP4(93, 184, 216, 34);
    r.tls_in_ranges = 1;
    r.n_ranges = 1;
    r.ranges[0] = (classify_range){IP4(185, 0, 0, 0), 16};
    assert_int_equal(classify_match(&r, &obf), 1);
    assert_int_equal(classify_match(&r, &https), 1);
    assert_int_equal(classify_match(&r, &far), 0);
}

/* Techniques that do not classify flows match nothing, even a flow that
 * shows everything. */
static void other_techniques_match_nothing(void **state)
{
    (void)state;
    classify_flow f = flow_to(IP4(100, 0, 0, 1));
    f.stun_cookie = CLASSIFY_STUN_COOKIE;
    f.first_type = CLASSIFY_WG_INITIATION;
    f.first_len = 148;
    classify_rule thr = {.technique = TECH_THROTTLE, .n_ranges = 1, .ranges = {{0, 0}}};
    classify_rule shut = {.technique = TECH_SHUTDOWN};
    assert_int_equal(classify_match(&thr, &f), 0);
    assert_int_equal(classify_match(&shut, &f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ip_shared_range),
        cmocka_unit_test(sni_match_and_mismatch),
        cmocka_unit_test(stun_cookie),
        cmocka_unit_test(wireguard_vs_obfuscated_tls),
        cmocka_unit_test(other_techniques_match_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
