/* network: the national network's routes (models/README.md, sections 2 and 5).
 *
 * Links are full duplex: link l carries two directed resources, 2l (from ->
 * to) and 2l + 1 (to -> from), each with the link's capacity.  Routes are
 * shortest by delay, computed once per topology (Dijkstra from every node);
 * ties go to the path with fewer hops, then to the lower-numbered previous
 * node, so routes do not depend on anything but the configuration.
 * config_resolve() has already checked that every node can be reached.
 */
#ifndef BS_NETWORK_H
#define BS_NETWORK_H

#include "world/world.h"

#include <stdint.h>

typedef struct network network;

/* Routes of w->network (which must outlive it).  NULL with a message on
 * failure (out of memory, or a world without a network: BS_EINPUT). */
network *network_new(const world *w);
void network_free(network *n);

/* The directed links of the route from node u to node v, written to out
 * (at most max); returns their number (0 when u == v), or -1 when there is no
 * route or out is too small. */
int network_path(const network *n, int u, int v, uint32_t *out, int max);

/* One-way delay of the route from u to v, in milliseconds (INFINITY if none). */
double network_delay(const network *n, int u, int v);

/* Number of directed links (twice the configured links). */
int network_directed_links(const network *n);

#endif
