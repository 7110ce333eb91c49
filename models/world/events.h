/* events: what is in force on a given day of the timeline.
 *
 * An event takes effect at its date and hour (events.[].hour, the scenario's
 * clock) and lasts its duration (0: until the end, or until an `unblock`
 * clears it).  A day [t, t+1) in which an event is in force for only part of
 * the day (a block from 14:00, or lifted after 6 hours) carries the event at
 * strength * (share of the day in force): the population engine spreads a
 * day's calls evenly over its 24 hours (uniform weighting), so exactly that
 * share of them meets it, and an outage of h hours fails h/24 of the calls it
 * would fail over a whole day, in expectation.  An `unblock` clears, from the
 * start of its day, what came before it in its scope.
 *
 * `preinstall` adds strength / phone_lifetime to the app's daily adoption
 * hazard (new phones come with it).  `vpn_store_removal` multiplies VPN
 * availability A(t) by (1 - strength).  `shock` multiplies the app's appeal
 * (its Bass adoption hazard) while in force: a share `strength` of people
 * sees it at `appeal` times, so the hazard is multiplied by
 *     m(t) = prod over shocks in force of (1 + strength (appeal - 1)),
 * and a day carries the mean of m over the day (appeal[] below).
 *
 * Rotation and the censor's list (models/README.md, section 3).  While an
 * `ip` rule (a block or throttle of technique ip) acts on app a somewhere, the
 * censor keeps a list of a's addresses, created with the rule: e, the share
 * of a's flows on addresses the list lacks, starts at 0, and L, the list's
 * width in units of a's address footprint when it was made, at 1.  A
 * `rotate` of a moves at its start the share `strength` of a's listed flows
 * to new addresses (e <- e + strength (1 - e)), and while in force moves them
 * at `turnover` per day; the censor finds escaped addresses at
 * c = censor.chase per day and adds them to the list, never removing one:
 *     de/dt = r (1 - e) - c e,      dL/dt = c e,
 * solved exactly between events (r, c constant).  An ip rule then catches a
 * with its strength times (1 - e) (ip_factor), and its collateral on other
 * traffic is that of a list L times as wide: 1 - (1 - k)^L for a collateral k
 * at L = 1 (ip_list).  When no ip rule acts on a any more the list is gone: a
 * later one starts afresh, and nothing of it is left (a world that never had
 * the rule has the same state).  The state used for a day is the list's at the
 * start of that day (00:00), or a fresh list's if none was in force then.
 * The censor turns the rules into verdicts (censor.h).
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
    double appeal[MAX_APPS];      /* shocks: the day's mean multiplier of the adoption
                                     hazard (1: none); read by the population engine */
    double ip_factor[MAX_APPS];   /* rotation: 1 - e, multiplies ip rules' strength per app */
    double ip_list[MAX_APPS];     /* the censor's list's width L (1: as made, or no list) */
} day_rules;

/* Fill *out with what is in force on `day`. */
void events_day(const world *w, int day, day_rules *out);

/* Whether the rules of two days are the same (the censor need not rebuild). */
int events_same(const day_rules *a, const day_rules *b);

/* When event ev takes effect, in days since the scenario's start. */
double events_start(const world *w, const event_cfg *ev);

/* Whether unblock event u clears the cells of app a, class k (an unblock
 * that names protocols and no apps clears only those). */
int events_unblock_clears(const event_cfg *u, int a, int k);

/* Whether event ev's scope holds global ISP `isp`. */
int events_in_scope(const world *w, const event_cfg *ev, int isp);

#endif
