/* traffic: one day's demand aggregates for the flow engine (models/README.md,
 * section 5), from the population's calls and users.
 *
 * Calls.  Each cell of the population's tally (caller ISP i, callee ISP j or
 * abroad, app a, class, caller tunnel, callee tunnel) with n attempts makes,
 * in each direction, the mean rate
 *     n * scale * call_minutes * 60 * bitrate / 86400   bit/s
 * (the bitrate is the app's voice or video rate per direction).  The share
 * relay_share goes through the app's relay node, the rest peer to peer; when
 * a `stun` rule is in force on the app at an endpoint's box and that
 * endpoint is not tunnelled, every call goes relayed (the calls that still
 * work after peer-to-peer is blocked).  A path is the shortest route through
 * its waypoints:
 *     caller access, [caller's VPN exit], [relay], [callee's VPN exit],
 *     callee access (or network.abroad for a contact abroad),
 * and backwards for the other direction.  A tunnelled aggregate carries its
 * protocol's overhead (times 1 + overhead, the larger of its two ends).  Attempts are offered, not only
 * completed calls: the boxes drop the blocked share, so what passes is what
 * completed calls carry, on average, and `dropped` is the demand of the calls
 * the censor stopped.
 *
 * Messaging.  Each user who can use app a sends and receives its
 * messaging_bytes a day, half each way, to and from the app's relay node.
 * Background.  Each person has background_down and background_up of other
 * traffic, the share background_foreign to and from network.abroad and the
 * rest network.domestic.  A VPN user's messaging and background go through
 * the tunnel with probability vpn_on, as its calls do (the background only
 * for a full-tunnel protocol; a split tunnel carries just the apps).  A
 * tunnelled aggregate carries the overhead over its whole path, not only to
 * the exit: a simplification that overstates tunnelled load beyond the exit
 * by the overhead (6-15%).
 *
 * Weights.  The links are shared fairly among flows, not aggregates (flow.h),
 * so each aggregate carries the mean number of concurrent flows it stands
 * for: for calls, n * scale / 24 calls per hour times call_minutes / 60
 * (the concurrent calls, each one flow per direction; split between the
 * relayed and the peer-to-peer aggregate as the calls are); for messaging,
 * the users m (each keeps one connection to the app's service, in each
 * direction); for the background, the people times the share of their
 * background going that way (a person is one flow of background in all).
 * The diurnal weight scales every weight alike, which leaves the sharing as
 * it is, so the weights are the day's means.
 *
 * Boxes.  An aggregate crosses the box of the ISP it leaves from (egress)
 * and the box of the ISP it arrives at (ingress); an endpoint abroad, a relay
 * or a service has none.  Each box verdict comes from censor_box_verdict()
 * for the aggregate's app, class and tunnel state at that ISP.
 */
#ifndef BS_TRAFFIC_H
#define BS_TRAFFIC_H

#include "censor/censor.h"
#include "flow/network.h"
#include "world/world.h"

#include <stdint.h>

typedef struct traffic_agg {
    double demand;     /* bit/s, the day's mean */
    double weight;     /* concurrent flows it stands for, the day's mean (> 0) */
    uint32_t path;     /* index of its path (traffic_path) */
    int16_t app;       /* -1: background */
    int8_t cls;        /* enum traffic_class (background: messaging) */
    int8_t tunnel;     /* 1 if through a VPN tunnel */
    int8_t hairpin;    /* tunnelled, and its route without the tunnel crosses no border */
    int16_t box[2];    /* egress and ingress box (global ISP), -1 for none */
    censor_box v[2];   /* their verdicts */
} traffic_agg;

typedef struct traffic traffic;

/* For world *w with routes *net (both must outlive it).  NULL with a message
 * on failure. */
traffic *traffic_new(const world *w, const network *net);
void traffic_free(traffic *t);

/* Build the day's aggregates from the population's tally (population.h) and
 * users by ISP (population_isp_counts), under the censor's verdicts of the
 * day.  BS_OK, or BS_ENOMEM / BS_ERUNTIME (no route) with a message. */
int traffic_day(traffic *t, const censor *c, const uint64_t *tally, const double *users);

int traffic_count(const traffic *t);
const traffic_agg *traffic_aggs(const traffic *t);

/* The directed links of path p (network.h numbering), and how many of them
 * are of class `border`. */
const uint32_t *traffic_path(const traffic *t, uint32_t p, int *len, int *n_border);

#endif
