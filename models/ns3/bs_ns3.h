/* bs_ns3: the packet engine's C interface to ns-3 (models/README.md, section 6).
 *
 * A thin shim (the .cc files of models/ns3, the only C++ in the project) over Debian's
 * libns3 3.37.  This header exposes no ns-3 type: a simulation is an opaque
 * handle, nodes and links are numbers, results are plain structs, and every
 * error comes back as a status (status.h) with a message; no C++ exception
 * crosses into C.
 *
 * ns-3's simulator is a process-wide singleton: one bs_ns3 may exist at a
 * time (bs_ns3_new fails with BS_ERUNTIME while another is alive).
 *
 * Packets carry a tag of what a DPI box could see (bs_pkt_tag).  A censor box
 * on a node is a queue discipline on each of its devices, so it sees every
 * packet the node sends (each device is one direction); it asks a C callback
 * for a verdict per packet: pass, drop, or police to a rate (a token bucket
 * per device and flow, holding 50 ms at the rate).
 *
 * Applications:
 *  - a call: the caller sends a STUN-like binding request (UDP, 100 bytes,
 *    again every 0.5 s) to the callee, which answers; on the answer, media
 *    flows both ways at the call's rate in packets of packet_bytes for the
 *    call's duration.  No answer within the timeout: the call failed ("User
 *    not available").  The call may go through a relay node, and each end
 *    through a VPN exit node: the packets between an end and its exit are
 *    tunnel packets (tagged with the protocol, the app hidden), larger by the
 *    tunnel's overhead;
 *  - a transfer: `bytes` over TCP from one node to another (messaging).
 */
#ifndef BS_NS3_H
#define BS_NS3_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bs_ns3 bs_ns3;

enum bs_pkt_kind { BS_PKT_STUN, BS_PKT_MEDIA, BS_PKT_DATA };

/* What a box can see of a packet. */
typedef struct bs_pkt_tag {
    int16_t app;    /* app index as in the world, -1 for none (hidden in a tunnel) */
    int8_t cls;     /* enum traffic_class */
    int8_t kind;    /* enum bs_pkt_kind */
    int8_t vpn;     /* 0: not tunnelled; v + 1: a tunnel packet of protocol v */
    uint32_t flow;  /* the call's or transfer's number */
} bs_pkt_tag;

enum bs_verdict { BS_PASS, BS_DROP, BS_POLICE };

/* A box's question: the packet `tag` leaves box `box`'s node through its
 * device `dev`.  Returns a bs_verdict; for BS_POLICE, sets *rate (bit/s). */
typedef int (*bs_ns3_verdict)(void *arg, int box, int dev, const bs_pkt_tag *tag, double *rate);

/* A new simulation; ns-3's seed and run are set from (seed, run). */
bs_ns3 *bs_ns3_new(uint32_t seed, uint64_t run);
void bs_ns3_free(bs_ns3 *s);

/* Build: nodes, then links, then bs_ns3_install() (internet stack, one /30
 * per link, global routes shortest by delay: each interface's metric is its
 * link's delay in 0.1 ms), then boxes and applications. */
int bs_ns3_add_node(bs_ns3 *s);
/* A point-to-point link; returns its number l (directed 2l: a -> b, 2l + 1:
 * b -> a), or -1 with a message. */
int bs_ns3_add_link(bs_ns3 *s, int a, int b, double rate_bps, double delay_s, int queue_packets);
int bs_ns3_install(bs_ns3 *s);
/* A censor box on every device of `node`; returns BS_OK. */
int bs_ns3_add_box(bs_ns3 *s, int node, int box, bs_ns3_verdict fn, void *arg);

typedef struct bs_ns3_call_cfg {
    int caller, callee;   /* nodes */
    int relay;            /* node, -1 for peer to peer */
    int exit;             /* the caller's VPN exit node, -1 for none */
    int vpn;              /* protocol + 1 when exit >= 0 */
    int callee_exit;      /* the callee's VPN exit node, -1 for none */
    double overhead;      /* tunnel bytes per payload byte, minus one */
    int callee_vpn;       /* the callee's protocol + 1 (0: the caller's, `vpn`) */
    double callee_overhead; /* its overhead (used when callee_vpn > 0) */
    int app, cls;
    double rate_bps;      /* media, each direction */
    int packet_bytes;     /* media payload per packet */
    double start_s, duration_s, timeout_s;
} bs_ns3_call_cfg;
/* Returns the call's number, or -1 with a message. */
int bs_ns3_add_call(bs_ns3 *s, const bs_ns3_call_cfg *c);

/* `bytes` over TCP from src to dst from start_s; returns its number or -1. */
int bs_ns3_add_transfer(bs_ns3 *s, int src, int dst, int app, uint64_t bytes, double start_s);

/* Run until until_s (simulated seconds).  BS_OK, or BS_ERUNTIME. */
int bs_ns3_run(bs_ns3 *s, double until_s);

typedef struct bs_ns3_call_stats {
    int setup_ok;           /* the answer came back in time */
    double setup_s;         /* time from the first request to the answer */
    uint64_t tx[2], rx[2];  /* media packets sent, received: [0] caller -> callee, [1] back */
    uint64_t rx_bytes[2];   /* media payload bytes received */
    double delay_sum[2];    /* one-way delay, summed over received media packets, s */
    double media_s[2];      /* from the first to the last media packet received, s */
} bs_ns3_call_stats;
int bs_ns3_get_call(const bs_ns3 *s, int call, bs_ns3_call_stats *out);

typedef struct bs_ns3_transfer_stats {
    uint64_t rx_bytes;
    double done_s; /* time the last byte arrived, -1 if not all did */
} bs_ns3_transfer_stats;
int bs_ns3_get_transfer(const bs_ns3 *s, int t, bs_ns3_transfer_stats *out);

/* Bytes (IP packets, with headers) sent on directed link dl, and a box's
 * counters in packets and bytes. */
uint64_t bs_ns3_link_bytes(const bs_ns3 *s, int dl);
/* Split directed link dl's bytes by what its packets carry (which costs a
 * look at each packet's tag, so only on the links asked for, before running):
 * then bs_ns3_link_app_bytes gives the part by packets of app `app`
 * (0..BS_NS3_MAX_APPS - 1) outside a tunnel, of VPN tunnels (BS_NS3_TUNNEL),
 * or without a tag (BS_NS3_UNTAGGED); 0 on a link not split. */
#define BS_NS3_MAX_APPS 16
#define BS_NS3_TUNNEL (-1)
#define BS_NS3_UNTAGGED (-2)
int bs_ns3_count_by_app(bs_ns3 *s, int dl);
uint64_t bs_ns3_link_app_bytes(const bs_ns3 *s, int dl, int app);
typedef struct bs_ns3_box_stats {
    uint64_t passed, dropped, policed;            /* packets */
    uint64_t passed_b, dropped_b, policed_b;      /* bytes */
} bs_ns3_box_stats;
int bs_ns3_get_box(const bs_ns3 *s, int box, bs_ns3_box_stats *out);

/* The version of the ns-3 library linked, as ns-3 reports it at run time
 * (ns3::Version: "3.37", "3.37.1" with a patch level). */
const char *bs_ns3_version(void);

#ifdef __cplusplus
}
#endif

#endif
