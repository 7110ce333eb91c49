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
 *                                media that gets through;
 *   detect[app][class][technique], collateral[app][technique]  from the rows
 *                                of classifying techniques (ip, sni, stun),
 *                                measured on the testbed's traffic mix
 *                                (calibration.mix): the share of the app's
 *                                direct calls the box's classifier recognised
 *                                and the share of the mix's other flows it
 *                                caught; fail is then (1 - usable) / detect;
 *   vpn_detect[protocol][class]  from the vpn rows of tunnelled calls: the
 *                                share of the protocol's tunnels a vpn rule
 *                                recognised.
 * Where a row is missing the engines keep the schema's assumptions
 * (censor.<technique>.<class>, collateral, detectability).
 * Other rows of calls through a VPN tunnel are reported by the testbed but not
 * read: the engines keep their rule that an undetected tunnel hides the app
 * and a detected one is dropped (the table agrees: see configs/calibration/). */
#ifndef BS_CALIBRATION_H
#define BS_CALIBRATION_H

#include "config/config.h"
#include "world/world.h"

void calibration_resolve(world *w, check_ctx *c);

#endif
