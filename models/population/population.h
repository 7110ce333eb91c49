/* population: stochastic agents on a synthetic social graph (models/README.md, section 4).
 *
 * Each agent stands for population.scale people and holds: region, ISP,
 * platform, installed apps (a bit set), a preference order over apps (a
 * permutation packed in 4-bit slots), its habitual app, VPN state, frustration F (failed calls,
 * decaying with a half-life), aversion to domestic non-end-to-end apps, and its
 * contacts (CSR adjacency of agent indices, plus a count of contacts abroad,
 * whose apps are a fixed hash of (seed, agent, contact) so they cost no memory).
 *
 * The social graph is built by graph.h (population.graph = negbin), or is
 * complete (everyone knows everyone: tests of the Bass limit) or empty.
 *
 * A day:
 *  1. Calls.  Each person starts Poisson(lambda) calls a day, each to a
 *     contact drawn at random.  The caller tries the first app in its order
 *     that the contact also has (FaceTime only
 *     iOS-iOS, since only iOS agents can have it); each VPN user at either
 *     end has the tunnel on for the call with probability vpn_on; the
 *     attempt passes with the product over in-country endpoints of the
 *     censor's pass probability for that tunnel state (which carries the
 *     flow engine's overload and congestion loss of the day before).  On failure F grows by
 *     one, the failure counts for the app, the app moves one place down, and
 *     the caller tries the next common app with probability rho_retry, else
 *     abandons.  An app that works after a failure moves to the front.
 *  2. Adoption (Bass with network effects): an agent lacking app a that it can
 *     run installs it with probability 1 - exp(-h dt), with
 *     h = preinstall_a(t) + m_a(t) (p_a + q_a s_i(a) (1 + kappa F_i)),
 *     m_a(t) the shocks' multiplier of the day (world/events.h: promotion,
 *     campaign, scandal; 1 without one).  s_i(a), the share
 *     of i's contacts who have a and for whom a works, is estimated without
 *     bias from one contact drawn at random (its indicator times the pass
 *     probability of a call on a between the two).  Each agent has one
 *     uniform per app and day, drawn from their least, which turns away
 *     most agents on one word (population.c, block_adopt; debug builds check
 *     that no agent's hazard exceeds the bound its screen used).  Everyone
 *     decides on the state at the start of adoption (a contact's install of
 *     the same day counts from the next day).  A new app goes to the bottom
 *     of the order.  Averse agents adopt domestic
 *     non-end-to-end apps only by pre-installation and never call with them.
 *     After a failed attempt, before the retry, caller and contact may agree
 *     on another app that works for both (switch.c: pairwise switching).
 *  3. VPN (vpn_spread.c): a user whose protocol is detected today notices
 *     with that probability, and moves to a less detectable protocol with
 *     probability vpn_switch, else gives the VPN up; one who took it up in
 *     the run gives it up at vpn_drop + vpn_unneeded (1 - N) a day; a person
 *     without one adopts with hazard v0 A(t) N (1 + k_social s), N = F / (F +
 *     F_half), s the share of contacts on a VPN, picking a protocol by
 *     popularity times the chance it is not detected at its ISP.
 *  4. Return (use.c): a person whose habitual app is no longer first, and
 *     whose frustration has fallen below return_frustration, puts it first
 *     again with probability return_rate exp(-days away / habit_time) a day;
 *     after 3 habit_time days away the current app becomes the habit.
 *  5. Frustration decays: F *= 2^(-1 / half-life).
 *  6. Use (use.c): messaging activity, quitting a blocked messenger, starting
 *     with an unused app, uninstalling unused apps; daily users and monthly
 *     reach counted (models/README.md, section 4, step 6).
 *
 * Random numbers: the agents' initial state and the graph come from named
 * streams; every draw of the day is keyed by (seed, run, agent, day,
 * purpose) (rng_at, base/rng.h), so a run with a block and the same run
 * without it draw the same numbers wherever the block does not act.
 */
#ifndef BS_POPULATION_H
#define BS_POPULATION_H

#include "censor/censor.h"
#include "world/events.h"
#include "world/world.h"

#include <stddef.h>
#include <stdint.h>

typedef struct population population;

/* What people use the apps for, counted at the end of each day
 * (models/README.md, section 4, step 6): people who use the app for
 * messages; active today for messages, for calls, for either; active this
 * calendar month (to date) for messages, for calls, for either. */
enum {
    USE_MESSAGING,
    USE_DAY_MSG,
    USE_DAY_CALL,
    USE_DAY_ANY,
    USE_MONTH_MSG,
    USE_MONTH_CALL,
    USE_MONTH_ANY,
    POP_USES
};

/* Counts of one day, in agents (multiply by scale for people).  Arrays are
 * owned by the caller: [region][app], [region][app], [region][vpn], [app];
 * use[k], [region][app], may be NULL (not counted). */
typedef struct pop_day {
    double *installed, *primary, *vpn;
    double *attempted, *completed, *failed;
    double abandoned;
    double *use[POP_USES];
} pop_day;

/* Build the agents and their social graph for *w (which must outlive it).
 * NULL with a message on failure (BS_ENOMEM, or BS_EINPUT for a population
 * that rounds to no agent). */
population *population_new(const world *w);

/* The random streams a population of n agents draws from (rng_stream names
 * under the run's seed and run): fn(name, arg) for each, in order (none if
 * fn is NULL); returns their number.  The same names population_new opens,
 * for tests of the streams' keys. */
int population_streams(uint32_t n, void (*fn)(const char *name, void *arg), void *arg);

void population_free(population *p);

/* Advance one day under censor *c and the day's rules *d, and count.
 * BS_OK, or BS_ENOMEM with a message (in debug builds also BS_ERUNTIME if an
 * adoption hazard exceeded the bound its screen used: a bug). */
int population_step(population *p, const censor *c, const day_rules *d, pop_day *out);

/* Count the current state without stepping (the state before day 0): fills
 * out's installed, primary and vpn only. */
void population_count(const population *p, pop_day *out);

/* The flow engine's view of the calls (models/README.md, section 5).  After
 * population_tally_on(), every population_step() also counts each call
 * attempt, in agents, by
 *   [caller ISP][callee ISP, or n_all_isps for a contact abroad][app]
 *   [class: 0 voice, 1 video][caller tunnel][callee tunnel]
 * (tunnel 0: direct; v + 1: through protocol v), read with
 * population_tally() until the next step.  BS_EINPUT with a message when
 * the table would exceed POP_TALLY_MAX cells; BS_ENOMEM. */
#define POP_TALLY_MAX (1 << 24)
size_t population_tally_cells(const world *w);
int population_tally_on(population *p);
const uint64_t *population_tally(const population *p);

/* Agents by ISP: users[(isp * (n_apps + 1) + 0) * (n_vpns + 1) + v] are the
 * agents of the ISP in VPN state v (0: none), and [(isp * (n_apps + 1) + 1 + a)
 * * (n_vpns + 1) + v] those of them who can use app a. */
void population_isp_counts(const population *p, double *users);

uint32_t population_agents(const population *p);
uint64_t population_contacts(const population *p); /* domestic adjacency entries */
size_t population_bytes(const population *p);      /* memory held */

/* The memory population_new(w) will take, estimated before allocating
 * (models/README.md, section 10): agents, expected domestic contact entries
 * (graph.h), build_peak, the bytes held while the graph is built (its
 * temporaries included), kept, what the population holds afterwards, and
 * tally, what population_tally_on adds (with this process's OpenMP thread
 * count, threads).  Bytes, as doubles: a misconfigured scale can ask for more than
 * size_t holds. */
typedef struct pop_memory {
    double agents, contacts, build_peak, kept, tally;
    int threads;
} pop_memory;
pop_memory population_estimate(const world *w);

#endif
