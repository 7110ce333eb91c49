/* sim: one run of a scenario, day by day, kept in memory for output.
 *
 * The loop is: for each day, what is in force (events), the censor's verdicts
 * (rebuilt only when the rules change), the population's day, its counts.
 * Counts are in people (agents times population.scale).  With a network,
 * each day then goes through the flow engine (netsim.h), hour by hour, and
 * its box overload and loss feed the next day's verdicts (censor_feedback).
 */
#ifndef BS_SIM_H
#define BS_SIM_H

#include "world/world.h"

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
    /* What people use the apps for (population.h, POP_USES: messaging users;
     * daily active for messages, calls, either; active this calendar month to
     * date for messages, calls, either): [k][day][region][app] people, NULL
     * when not counted (the testbed's replay). */
#define SIM_USES 7
    double *use[SIM_USES];
    int *day_of;       /* [day] the day each row is, since the start (NULL: row d is day d;
                          the testbed's replay keeps one row per phase) */
    /* The flow engine (when the world has a network; else has_network = 0
     * and these are NULL). */
    int has_network, n_hours, n_links, n_boxes; /* directed links; boxes = ISPs */
    double *link_offered, *link_carried; /* [hour][link] bit/s */
    double *app_carried;                 /* [hour][app][class] bit/s */
    double *vpn_carried;                 /* [hour] bit/s */
    double *border_app;                  /* [hour][app] bit/s on border links */
    double *border_vpn, *border_total, *hairpin; /* [hour] bit/s on border links */
    double *inspected, *dropped, *throttled, *collateral, *uninspected; /* [hour][box] */
    double *overloaded;                  /* [hour] boxes over their capacity */
    int64_t hours_solved, aggregates;    /* hours that needed the solver; aggregates */
    double net_seconds;                  /* wall time in the flow engine */
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

/* The memory sim_run(w) will take, estimated before allocating
 * (models/README.md, section 10), in bytes: the population (what it keeps
 * after building its graph, with the flow engine's tally when there is a
 * network), the flow engine, the results arrays (sim_out); peak, the most
 * resident at once: the graph's build, or the population, flow engine and
 * results together at the last day (the results arrays are written day by
 * day, so they are not resident during the build); reserved, the address
 * space at the last day, which counts the results arrays throughout. */
typedef struct sim_memory {
    double agents, contacts;
    double population, build_peak, flow, results;
    double peak, reserved;
    int threads; /* OpenMP threads the run will use */
} sim_memory;
sim_memory sim_estimate(const world *w);

#endif
