/* output_network: the flow engine's part of a results file (models/README.md, section 8):
 * /hour, /link, /mbox, the /network and /censor datasets and the /summary
 * numbers.  Called by output.c when the run had a network. */
#ifndef BS_OUTPUT_NETWORK_H
#define BS_OUTPUT_NETWORK_H

#include "io/results.h"
#include "sim/sim.h"
#include "world/world.h"

int output_network(results *r, const world *w, const sim_out *s);
/* Only its /summary numbers (scenario.output daily or summary): the same
 * numbers, computed from the hourly data in *s, which is not written. */
int output_network_summary(results *r, const world *w, const sim_out *s);

/* /link: the directed links' names (world_link_name) and, as the
 * attribute `classes`, their link classes joined with commas. */
int output_link_dim(results *r, const world *w);

#endif
