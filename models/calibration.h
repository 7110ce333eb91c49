/* calibration: the packet-level testbed's table (world.h, calibration_cfg)
 * made ready for the engines.
 *
 * calibration_resolve() checks the rows against the world (class, technique
 * and VPN names; a row for an app the world lacks is kept but not used) and
 * fills the look-ups the censor reads:
 *   fail[app][class][technique]  share of direct calls that fail once a box
 *                                recognises them under a rule of that
 *                                technique: 1 - usable of the row with no VPN;
 *   goodput[app][class]          of a recognised call throttled at
 *                                calibration.throttle_rate, the share of its
 *                                media that gets through.
 * Rows of calls through a VPN tunnel are reported by the testbed but not read:
 * the engines keep their rule that an undetected tunnel hides the app and a
 * detected one is dropped (the table agrees: see configs/calibration/). */
#ifndef BS_CALIBRATION_H
#define BS_CALIBRATION_H

#include "config.h"
#include "world.h"

void calibration_resolve(world *w, check_ctx *c);

/* Empty the look-ups: the engines then use the rules' own consequences (the
 * rows stay, unread). */
void calibration_clear(calibration_cfg *cal);

/* Share of app `a`'s class-`k` direct calls that fail once a rule of
 * technique `t` recognises them: the measured share, or `dflt` where the table
 * has no row. */
static inline double calibration_fail(const world *w, int a, int k, int t, double dflt)
{
    double f = w->calibration.fail[a][k][t];
    return f >= 0 ? f : dflt;
}

#endif
