/* classify: a censor box's classifier (models/README.md, sections 3 and 6).
 *
 * The box decides about a flow from what the flow shows on the wire, and from
 * nothing else: classify_match() receives the flow's features (classify_flow)
 * and the rule's lists, never the app behind the flow.  The features are what
 * a DPI box on the path reads from a flow's first packets:
 *
 *   addr         the remote address (the server, relay or VPN exit), IPv4;
 *   sni          the server name of a TLS ClientHello, "" for none;
 *   stun_cookie  the magic cookie of a STUN message in the call set-up
 *                (0x2112A442, RFC 5389), 0 for none;
 *   first_type, first_len  the first byte and UDP/TCP payload length of the
 *                flow's first packet: a handshake's fingerprint (WireGuard's
 *                handshake initiation is message type 1 and 148 bytes;
 *                OpenVPN's first packet is P_CONTROL_HARD_RESET_CLIENT_V2,
 *                opcode 7 in the top five bits: 0x38; a TLS record starts
 *                with 0x16, so an obfuscated protocol that wraps itself in TLS
 *                looks like any HTTPS client).
 *
 * A rule matches by its technique:
 *   ip    the address is in one of the rule's ranges (the censor's list for
 *         an app: it lags an app that rotates its addresses, and a range
 *         shared with other services catches them too);
 *   sni   the server name equals one of the rule's names or ends in "." and
 *         one of them (a rule on "whatsapp.net" matches "g.whatsapp.net");
 *   stun  the set-up carried a STUN message with the magic cookie, to an
 *         address in the rule's ranges (a rule on one app's calls lists the
 *         app's ranges: other STUN users in a shared range are caught too,
 *         and a rule with no ranges catches every STUN user);
 *   vpn   the first packet matches one of the rule's fingerprints (type, and
 *         length unless the print's length is 0); an aggressive rule
 *         (tls_in_ranges) also takes any TLS ClientHello to an address in its
 *         ranges (hosting providers' ranges, where obfuscated VPN servers
 *         sit, and ordinary HTTPS services too).
 * Other techniques (throttle, shutdown) do not classify flows: no match.
 */
#ifndef BS_CLASSIFY_H
#define BS_CLASSIFY_H

#include <stdint.h>

#define CLASSIFY_STUN_COOKIE 0x2112A442u
#define CLASSIFY_SNI 48
#define CLASSIFY_MAX_RANGES 8
#define CLASSIFY_MAX_NAMES 8
#define CLASSIFY_MAX_PRINTS 8

/* The first byte of each handshake this project models. */
#define CLASSIFY_TLS_RECORD 0x16      /* TLS handshake record (ClientHello) */
#define CLASSIFY_WG_INITIATION 0x01   /* WireGuard handshake initiation */
#define CLASSIFY_WG_INITIATION_LEN 148
#define CLASSIFY_OPENVPN_RESET 0x38   /* P_CONTROL_HARD_RESET_CLIENT_V2 << 3, key 0 */

typedef struct classify_flow {
    uint32_t addr;
    char sni[CLASSIFY_SNI];
    uint32_t stun_cookie;
    uint8_t first_type;
    uint16_t first_len;
} classify_flow;

typedef struct classify_range {
    uint32_t base; /* host order; the bits below the prefix are ignored */
    int prefix;    /* 0..32 */
} classify_range;

typedef struct classify_print {
    uint8_t type;
    uint16_t len; /* 0: any length */
} classify_print;

typedef struct classify_rule {
    int technique; /* enum technique (world.h) */
    int n_ranges, n_names, n_prints;
    classify_range ranges[CLASSIFY_MAX_RANGES];
    char names[CLASSIFY_MAX_NAMES][CLASSIFY_SNI];
    classify_print prints[CLASSIFY_MAX_PRINTS];
    int tls_in_ranges; /* vpn: an aggressive rule (above) */
} classify_rule;

/* Whether addr is in the range. */
int classify_in_range(const classify_range *r, uint32_t addr);

/* Whether rule r matches a flow showing f (1) or not (0). */
int classify_match(const classify_rule *r, const classify_flow *f);

#endif
