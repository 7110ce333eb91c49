/* sweep_pool: the local workers of a sweep (blockshift sweep -j N).
 *
 * Each run is done in a child process forked for it (fork, no exec: the
 * child has the job in memory), which sends its report (sweep_job.h) back
 * through a pipe and exits.  A process per run keeps runs apart: a run that
 * crashes, runs out of memory or is killed takes only itself down, and is
 * reported as failed with the signal that ended it; a run's memory is given
 * back whole when it ends.  A fork costs well under a millisecond here (the
 * parent holds only the sweep), against runs of a second or more.
 *
 * Children die with the parent (PR_SET_PDEATHSIG on Linux), take the
 * default action on SIGINT and SIGTERM, and a child that dies in the middle
 * of writing leaves only its temporary file, which the pool deletes.
 */
#ifndef BS_SWEEP_POOL_H
#define BS_SWEEP_POOL_H

#include "sweep/sweep_farm.h"

typedef struct sweep_pool sweep_pool;

/* A pool of `slots` workers; NULL (with a message) if out of memory. */
sweep_pool *sweep_pool_new(int slots);
/* Cancels what is in flight.  NULL is a no-op. */
void sweep_pool_free(sweep_pool *p);

/* The pool as the farm's workers (valid while p is). */
sweep_workers sweep_pool_workers(sweep_pool *p);

#endif
