/* testbed: packet-level experiments on ns-3 (models/README.md, section 6), the work of
 * `blockshift testbed`.
 *
 * The world's network becomes an ns-3 topology (every link point-to-point at
 * its capacity and delay, a queue of 1,000 packets), with a censor box on
 * every access node.  Each case of the matrix (app, technique or none, VPN
 * protocol or none) runs as its own simulation, under one rule at strength 1
 * made for it: `block` with the technique on the app (for `throttle`, a
 * throttle at censor.throttle_rate; for `vpn`, a vpn_block on the case's
 * protocol).  Every box covers every flow.  A throttle case (and a case
 * with no rule) measures what a rule does to the calls a box recognises: the
 * technique recognises every call it targets (detection 1, detectability 1,
 * no address rotation, no collateral), and how often a real box recognises a
 * throttled flow is the configuration's assumption (censor.throttle.*,
 * coverage).  Its boxes ask the censor's own verdicts (censor.h, the code the
 * population and flow engines use) about each packet: a covered flow is
 * blocked with the verdict's block share, or policed to the rule's rate with
 * its throttle share (one draw per flow, question and box); a tunnel packet is
 * dropped when the box detects its protocol.  (The replay's boxes, replay.h,
 * are the same verdict boxes, with the configuration's detection.)
 *
 * The classifying techniques (ip, sni, stun, vpn) are not told the answer:
 * in their cases the boxes are classifiers (censor/classify.h) that read only
 * each flow's wire features, never its app, and the case's calls cross them
 * with the traffic mix (testbed.mix: services unrelated to the app, some in
 * ranges shared with it).  A flow's features: its remote address, drawn from
 * the app's ranges (its own range, 100+a.0.0.0/16; the shared cloud range
 * 151.101.0.0/16 for the share apps.[].shared; its new range 100+a.1.0.0/16,
 * which the censor's list lacks, for the share apps.[].rotated), a TLS
 * ClientHello with the server name <app>.net for the share
 * apps.[].sni_share of its set-ups, and a STUN set-up with the magic cookie;
 * a tunnel shows its protocol's handshake (vpns.[].handshake) to its exit in
 * the hosting range 185.0.0.0/16.  The shares are laid out evenly, not drawn:
 * flow j of n (of a class, or of a mix service) takes a share x when
 * (j + 1/2) / n < x (the ranges in the order rotated, shared, own; the mix's
 * in the order shared, hosting, its own 93.e.0.0/16).  The rule's lists: ip
 * and stun (STUN set-ups to them), the app's own range and, if
 * apps.[].shared > 0, the cloud range; sni,
 * <app>.net; vpn, the fingerprints of the protocols it names (an obfuscated
 * protocol has none; testbed.vpn_aggressive adds TLS to the hosting range).
 * Measured: detect, the share of the app's calls the boxes caught, and
 * collateral, the share of the mix's flows that failed to set up.  The other
 * techniques' cases (throttle, none) keep boxes that recognise what the rule
 * targets, their consequence being what they measure.
 *
 * testbed.calls calls per case go from each access node in turn to the next
 * ones, starting 50 ms apart, voice and video alternately (voice in packets
 * of testbed.packet_bytes, video in packets of 1,200 bytes), relayed by the
 * app's relay share; in a case with a VPN protocol both ends tunnel to its
 * exit (one end alone would still meet the other end's box).  Each class is
 * measured apart: a call is usable when it is set up and loses at most
 * testbed.usable_loss of its media packets.
 */
#ifndef BS_TESTBED_H
#define BS_TESTBED_H

#include "ns3/bs_ns3.h"
#include "censor/censor.h"
#include "censor/classify.h"
#include "world/world.h"

#include <stdint.h>

#define TB_NAME 96

#define TB_CLASSES 2 /* voice, video: the call classes, CLASS_VOICE and CLASS_VIDEO */
typedef struct testbed_case {
    char name[TB_NAME]; /* "app/technique/vpn" */
    int app, technique, vpn; /* technique, vpn: -1 for none */
    int calls[TB_CLASSES];   /* per class, as every array below */
    double setup_success[TB_CLASSES]; /* share of calls whose set-up was answered */
    double usable[TB_CLASSES];        /* share set up and losing at most usable_loss */
    double media_loss[TB_CLASSES];    /* share of media packets of connected calls lost */
    double delay[TB_CLASSES];         /* mean one-way delay of media packets, s */
    double goodput[TB_CLASSES];       /* mean media payload rate per connected call and
                                         direction, bit/s, over the media time */
    double goodput_share[TB_CLASSES]; /* payload delivered over payload sent, connected calls */
    double call_rate[TB_CLASSES];     /* the calls' media rate, bit/s */
    double detect[TB_CLASSES];        /* classifying techniques: share of the calls the
                                         boxes caught; -1 otherwise */
    double collateral;                /* share of the mix's flows that failed; -1: no mix */
    int mix_flows;                    /* flows of the mix in the case */
    uint64_t box_passed, box_dropped, box_policed; /* packets, every box */
    double *link_load;       /* [directed link] bit/s over the case's run */
} testbed_case;

typedef struct testbed_out {
    int n_cases, n_links;
    testbed_case *cases;
    double wall_seconds;     /* real time of all cases */
    uint64_t media_packets;  /* sent, over all cases */
} testbed_out;

/* Validation: the same topology and demand through the flow engine and
 * through ns-3.  The i-th ordered pair of access nodes has 1 + i mod
 * VAL_CALLS_MAX calls of VAL_RATE bit/s of payload each way in 1,200-byte
 * packets, all for testbed.call_seconds, with no censor rule.  The flow
 * engine's load of each directed link (weighted max-min fair rates of each
 * pair's calls as one aggregate per direction, weighted by its calls as the
 * flow engine weights its aggregates, on the same routes,
 * at the wire rate: payload plus 30 bytes of UDP, IP and PPP headers a
 * packet) is compared with ns-3's, measured from a quarter of the calls' time
 * (every call started, queues filled) to its end.  Two
 * runs: the links as configured ("uncongested"), then every link at
 * VAL_TIGHT times one call's wire rate ("congested", so that the access
 * links are full).  Also each aggregate's rate: what its calls' callees
 * receive in ns-3 (at the wire) against the flow engine's rate, and, for the
 * congested run, the rates of a solver giving each aggregate one share
 * whatever its calls (agg_unweighted): what the weights change. */
#define VAL_CALLS_MAX 4
#define VAL_RATE 1.0e6
#define VAL_TIGHT 2.5
#define VAL_RUNS 2
typedef struct testbed_validation {
    int n_links, n_aggregates;    /* aggregates: 2 per pair, [2 pair + direction] */
    double *measured, *predicted; /* [run][directed link] bit/s over the calls' time */
    double *agg_measured, *agg_predicted; /* [run][aggregate] bit/s at the wire */
    double *agg_unweighted;       /* [aggregate] congested, one share per aggregate */
    int *agg_src, *agg_dst;       /* [aggregate] its calls' sending and receiving nodes */
    double max_error[VAL_RUNS];   /* largest |measured - predicted| / predicted over links
                                     with a predicted load */
    double agg_error[VAL_RUNS];   /* the same over aggregates */
    double agg_error_unweighted;  /* congested, against agg_unweighted */
    double seconds;               /* the calls' media time */
} testbed_validation;
int testbed_validate(const world *w, testbed_validation *out);
void testbed_validation_free(testbed_validation *v);

/* The world's network in ns-3 (every link at `capacity` bit/s if > 0):
 * nodes, links with TB_QUEUE packets of queue, routes. */
#define TB_QUEUE 1000
int testbed_topology(struct bs_ns3 *s, const world *w, double capacity);

/* The censor boxes' question (a bs_ns3_verdict) for censor *c of world *w:
 * a flow is covered with its ISP's coverage and, covered, blocked with the
 * verdict's block share or policed with its throttle share; a tunnel is
 * dropped when the box detects its protocol.  One uniform per (flow,
 * question, box), a hash of `seed`. */
typedef struct testbed_boxes {
    const censor *c;
    uint64_t seed;
    double coverage[MAX_ALL_ISPS];
} testbed_boxes;
void testbed_boxes_init(testbed_boxes *b, const world *w, const censor *c, uint64_t seed);
int testbed_verdict(void *arg, int box, int dev, const bs_pkt_tag *t, double *rate);

/* The feature box of a classifying case: one rule's classifier and the wire
 * features of every flow (by call number) and of a tunnel of each protocol,
 * which is all testbed_wire_verdict reads of a packet (its flow number and
 * whether it is a tunnel packet select the features; its app is never
 * read).  It drops every packet of a flow its rule matches and marks the
 * flow in caught[] (bookkeeping for the measurement). */
typedef struct testbed_wirebox {
    classify_rule rule;
    int n_flows;
    const classify_flow *flows;
    classify_flow tunnel[MAX_VPNS];
    uint8_t *caught;
} testbed_wirebox;
int testbed_wire_verdict(void *arg, int box, int dev, const bs_pkt_tag *t, double *rate);

/* Whether technique t is one the boxes classify from wire features. */
int testbed_classifying(int t);

/* Bytes of video payload per packet (a full packet; voice uses
 * testbed.packet_bytes). */
#define TB_VIDEO_PACKET 1200

/* A new ns-3 simulation seeded from w's scenario.seed and `run`. */
bs_ns3 *testbed_sim(const world *w, uint64_t run);

/* Whether a call counts as completed: set up, and losing at most
 * testbed.usable_loss of its media packets. */
int testbed_call_usable(const world *w, const bs_ns3_call_stats *cs);

/* A copy of *w (malloc'ed) without its calibration table, so that its censor
 * applies the rules' own consequences, which the packets then play out. */
world *testbed_plain_world(const world *w);

/* Run the matrix of world *w (which must have a network).  BS_OK, or a
 * status with a message; free with testbed_out_free. */
int testbed_run(const world *w, testbed_out *out);
/* The same, calling step(cases done, cases, arg) before the first case and
 * after each one (base/progress.h's progress_step fits); step may be NULL. */
int testbed_run_steps(const world *w, testbed_out *out, void (*step)(int, int, void *), void *arg);
void testbed_out_free(testbed_out *out);

#endif
