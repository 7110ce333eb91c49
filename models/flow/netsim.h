/* netsim: the flow engine's day, hour by hour (models/README.md, section 5).
 *
 * Each hour h of the day, every aggregate of traffic.h offers its mean rate
 * times the diurnal weight
 *     w(h) = 1 + A cos(2 pi (h + 0.5 - peak) / 24)   (mean 1 over the day).
 * It then meets, in order:
 *  1. the box of the ISP it leaves (egress).  A box has two directions (from
 *     its subscribers and towards them), each inspecting up to the ISP's
 *     mbox_capacity; it sees the covered share of each aggregate (coverage)
 *     and treats it as mbox.h says: inspected, dropped (blocked, collateral,
 *     and the overload when it fails closed), throttled (policed), and
 *     uninspected (the overload when it fails open).  The uncovered share
 *     passes by;
 *  2. the box of the ISP it arrives at (ingress), with what passed the first;
 *  3. the links of its path, shared max-min fairly among flows (flow.h, each
 *     aggregate weighted by its concurrent flows still going past the boxes:
 *     traffic.h's weight times the share of its flows that passed or were
 *     policed) when some link is offered more than its capacity; otherwise
 *     every aggregate is carried whole.
 * Offered link load is what passed the boxes; carried is what the links
 * carry.  Both boxes act before the links: a call or a connection that a box
 * stops carries no media or data anywhere (it fails at set-up), so its
 * demand loads no link; `dropped` counts it.
 *
 * Everything is linear in w(h) while no box is overloaded and no link is
 * full, so the day is worked out once at w = 1 and scaled; an hour where a
 * box or a link would be over its capacity is worked out on its own.
 *
 * What the day feeds back into the next (censor_feedback): for each ISP, the
 * share of its boxes' covered traffic they inspected over the day, and for
 * each (ISP, app, class) the share of the traffic that passed the boxes and
 * was lost to congestion on the links, counted at both ends.  (Collateral is
 * in the censor's verdicts already, the same day, for both engines.)
 */
#ifndef BS_NETSIM_H
#define BS_NETSIM_H

#include "censor/censor.h"
#include "world/world.h"

#include <stdint.h>

/* Where one day's 24 hours go: each array starts at the day's first hour. */
typedef struct netsim_hours {
    double *link_offered, *link_carried; /* [24][directed link] bit/s */
    double *app_carried;                 /* [24][app][class] bit/s */
    double *vpn_carried;                 /* [24] bit/s through tunnels */
    double *border_app;                  /* [24][app] bit/s of each app on border links */
    double *border_vpn;                  /* [24] tunnelled bit/s on border links */
    double *border_total;                /* [24] bit/s on border links */
    double *hairpin;                     /* [24] border bit/s of hairpinned tunnels */
    double *inspected, *dropped, *throttled, *collateral, *uninspected; /* [24][box] */
    double *overloaded;                  /* [24] boxes over capacity (either direction) */
} netsim_hours;

typedef struct netsim_stats {
    int64_t hours, hours_solved; /* hours worked out; those that needed the solver */
    int64_t aggregates;          /* summed over days */
    uint64_t updates;            /* the solver's flow-link updates */
} netsim_stats;

typedef struct netsim netsim;

/* For world *w, which must have a network.  NULL with a message on failure. */
netsim *netsim_new(const world *w);
void netsim_free(netsim *s);

/* The memory the flow engine of w (with a network) will take for a
 * population of `agents`, estimated before allocating (models/README.md,
 * section 10), in bytes: routes, per-link and per-box accumulators, and the
 * day's aggregates, whose number is expected from the first day's calls
 * (traffic.h: up to 4 aggregates per cell of the population's tally that a
 * call reaches). */
double netsim_estimate(const world *w, double agents);

/* Number of directed links (2 per configured link: 2l from -> to, 2l + 1 back)
 * and of boxes (one per global ISP). */
int netsim_links(const netsim *s);

/* One day: the population's tally and users by ISP (population.h), the
 * censor of the day.  Fills *out, and the feedback for tomorrow.  BS_OK or a
 * status with a message. */
int netsim_day(netsim *s, const censor *c, const uint64_t *tally, const double *users,
               const netsim_hours *out);

/* The feedback of the last day, for censor_feedback: [isp] and
 * [isp][app][class]. */
const double *netsim_inspected(const netsim *s);
const float *netsim_loss(const netsim *s);

netsim_stats netsim_get_stats(const netsim *s);

/* The diurnal weight of hour h (0..23) of a day. */
double netsim_weight(const world *w, int h);

#endif
