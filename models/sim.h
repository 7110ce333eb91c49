/* sim: one run of a scenario, day by day, kept in memory for output.
 *
 * The loop is: for each day, what is in force (events), the censor's verdicts
 * (rebuilt only when the rules change), the population's day, its counts.
 * Counts are in people (agents times population.scale).  Until the flow
 * engine lands, congestion loss is zero.
 */
#ifndef BS_SIM_H
#define BS_SIM_H

#include "world.h"

#include <stddef.h>
#include <stdint.h>

typedef struct sim_out {
    int n_days, n_regions, n_apps, n_vpns;
    double *installed; /* [day][region][app] people */
    double *primary;   /* [day][region][app] people */
    double *vpn;       /* [day][region][vpn] people */
    double *attempted, *completed, *failed; /* [day][app] calls */
    double *abandoned; /* [day] calls */
    double *initial_primary; /* [region][app] before day 0 */
    uint32_t agents;
    uint64_t contacts;
    size_t bytes;       /* memory held by the population */
    double seconds;     /* wall time of the daily loop */
} sim_out;

/* Progress callback: called after each day with (day + 1, n_days). */
typedef void (*sim_progress)(int done, int total, void *arg);

/* Run *w.  Returns BS_OK and fills *out (free with sim_out_free), or a status
 * with a message. */
int sim_run(const world *w, sim_progress progress, void *arg, sim_out *out);
void sim_out_free(sim_out *out);

#endif
