/* events: what is in force on a given day of the timeline.
 *
 * An event takes effect at the start of its date and lasts its duration (0:
 * until the end, or until an `unblock` clears it).  A day [t, t+1) in which an
 * event is in force for only part of the day (a block lifted after 6 hours)
 * carries the event at strength * (share of the day in force): calls are spread
 * evenly over the day in the population engine, so that share of them meet it.
 *
 * `rotate` weakens the `ip` rules on the apps it names by its strength from
 * its date on (the app moves its servers to new addresses).  `preinstall`
 * adds strength / phone_lifetime to the app's daily adoption hazard (new phones
 * come with it).  `vpn_store_removal` multiplies VPN availability A(t) by
 * (1 - strength).  The censor turns the rules into verdicts (censor.h).
 */
#ifndef BS_EVENTS_H
#define BS_EVENTS_H

#include "world/world.h"

typedef struct rule {
    const event_cfg *ev; /* scope (apps, classes, regions, ISPs, VPNs) and rate */
    int action;          /* ACT_BLOCK, ACT_THROTTLE, ACT_SHUTDOWN, ACT_VPN_BLOCK, ACT_UNBLOCK */
    double strength;     /* in force today: strength * share of the day */
} rule;

typedef struct day_rules {
    int day;                      /* 0-based from scenario.start */
    int n;                        /* rules in date order */
    rule rules[MAX_EVENTS];
    double vpn_availability;      /* A(t), 1 = no restriction */
    double preinstall[MAX_APPS];  /* extra adoption hazard, per day */
    double ip_factor[MAX_APPS];   /* rotation: multiplies ip rules' strength per app */
} day_rules;

/* Fill *out with what is in force on `day`. */
void events_day(const world *w, int day, day_rules *out);

/* Whether the rules of two days are the same (the censor need not rebuild). */
int events_same(const day_rules *a, const day_rules *b);

#endif
