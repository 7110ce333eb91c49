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

#include "config/config.h"
#include "world/world.h"

void calibration_resolve(world *w, check_ctx *c);

#endif
