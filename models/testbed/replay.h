/* replay: a scenario's timeline in miniature on the packet level
 * (`blockshift testbed SCENARIO --replay`, models/README.md, section 6).
 *
 * The scenario's events cut its days into phases: before the first event,
 * then from each event date to the next.  For each phase the national run's
 * last day of the phase says who calls with what: testbed.replay_users
 * people, each placed on an ISP by the population of the regions and ISPs
 * (the same people in every phase), take their first-choice app from their
 * region's first choices that day and their VPN protocol (or none) from its
 * VPN users, each by a uniform of their own drawn once (so that a person
 * changes app between phases only as far as the shares do).  In ns-3 every person is a host on the access node of their ISP;
 * the network is the scenario's; a censor box on every access node applies
 * that day's rules (censor.h, with the configuration's detection, coverage
 * and collateral, and no calibration table: the packets play the consequences
 * out).  Each person makes testbed.replay_calls calls to others chosen at
 * random, on their first choice, starting at random within the phase's
 * testbed.phase_seconds (voice or video by the app's video share, relayed by
 * its relay share, through the tunnel with population.vpn_on for a VPN user
 * at either end).  A call is completed when it is set up and loses at most
 * testbed.usable_loss of its media.  A failed call is retried with
 * population.retry on the caller's next app (drawn from the region's first
 * choices without the apps tried), at most twice; the retries are a further
 * simulation of the same minutes, whose loads add to the first one's.  Not
 * modelled: whether the callee has the app, platforms (FaceTime is taken as
 * the caller's choice when the region's first choices say so), messaging.
 */
#ifndef BS_REPLAY_H
#define BS_REPLAY_H

#include "sim/sim.h"
#include "world/world.h"

#include <stdint.h>

#define REPLAY_ROUNDS 3 /* the first attempts and two rounds of retries */

typedef struct replay_out {
    sim_out pop;            /* a row per phase (pop.day_of: the day sampled): people by first
                               choice and VPN, calls attempted, completed, failed, abandoned */
    int n_phases, n_links, n_boxes; /* n_links: directed links of the network */
    int *phase_start;       /* [phase] first day */
    double *link_load;      /* [phase][link] bit/s over the phase */
    double *link_capacity;  /* [link] bit/s */
    double *border_app;     /* [phase][app] bit/s on border links, outside tunnels */
    double *border_vpn, *border_total; /* [phase] bit/s on border links */
    double *inspected;      /* [phase][box] bit/s the box looked at */
    double *dropped;        /* [phase][box] bit/s it dropped or its policers did */
    double seconds;         /* simulated time of a phase */
    int users, simulations;
    uint64_t media_packets;
    double wall_seconds;
} replay_out;

/* Replay world *w (with a network) after its national run *nat.  BS_OK or a
 * status with a message; free with replay_out_free. */
int replay_run(const world *w, const sim_out *nat, replay_out *out);
/* The same, calling step(phases done, phases, arg) before the first phase
 * and after each one; step may be NULL. */
int replay_run_steps(const world *w, const sim_out *nat, replay_out *out,
                     void (*step)(int, int, void *), void *arg);
void replay_out_free(replay_out *o);

#endif
