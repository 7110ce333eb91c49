/* graph: the synthetic social graph of the population (models/README.md, section 4).
 *
 * Degree ~ NegBin(mean, size).  Each contact is abroad with probability
 * f_abroad(region) (counted, not stored: contacts abroad are not agents),
 * else in the same region with probability h_region (of those, a share
 * `community_share` inside the agent's community: a block of about
 * `community_agents` consecutive agents of its region), else anywhere in the
 * country; a share `platform_homophily` of contacts is matched with the same
 * platform, the rest at random.  Stubs are sorted into pools by (scope:
 * community, region or country; platform match), shuffled and paired
 * (configuration model).  Self-loops
 * are dropped, and an odd stub left in a pool; multi-edges are kept (rare).
 * Built in parallel from keyed draws (models/README.md, section 4): the
 * same graph whatever the number of threads, each agent's neighbours
 * sorted, and no temporary array of more than a 16th of the stubs.
 * So an iOS user's contact is iOS with probability about
 * homophily + (1 - homophily) * ios_share, which is what makes FaceTime work
 * for some pairs and not others.
 */
#ifndef BS_GRAPH_H
#define BS_GRAPH_H

#include "world/world.h"

#include <gsl/gsl_rng.h>
#include <stdint.h>

typedef struct graph {
    uint64_t *off;   /* [n + 1] CSR offsets */
    uint32_t *adj;   /* [off[n]] neighbours, both directions stored */
    uint8_t *abroad; /* [n] contacts abroad, at most 255 */
} graph;

/* Build the graph of n agents with the given region and flags (bit 0 set:
 * the agent is on iOS) of each.  Returns BS_OK, or BS_ENOMEM with a message; *g is then empty. */
int graph_build(const world *w, uint32_t n, const uint8_t *region, const uint8_t *flags, gsl_rng *r,
                graph *g);

void graph_free(graph *g);

/* The memory graph_build takes for the agents of each region (region_n[r]
 * of them in region r), expected from the degree distribution: contacts,
 * the adjacency entries (a domestic stub is paired with another, so entries
 * are about the domestic stubs, sum over r of region_n[r] * contacts_mean *
 * (1 - abroad_share)); peak, the bytes held while pairing: the final
 * arrays with one group's stub list and two small matrices;
 * kept, the bytes the graph keeps.  Zero unless population.graph is negbin
 * (a complete or empty graph stores nothing). */
typedef struct graph_memory {
    double contacts, peak, kept;
} graph_memory;
graph_memory graph_estimate(const world *w, const uint32_t *region_n);

#endif
