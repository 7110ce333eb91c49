/* testbed_replay: `blockshift testbed SCENARIO --replay` (testbed_replay.c). */
#ifndef BS_TESTBED_REPLAY_H
#define BS_TESTBED_REPLAY_H

#include "world/world.h"

/* Run *w nationally, replay its timeline in ns-3 and write
 * DIR/<scenario>-replay-seed<N>.h5, its path on stdout.  `progress` is a
 * base/progress.h mode (PROGRESS_OFF: --quiet, no messages either).  BS_OK
 * or a status with a message. */
int testbed_replay(const world *w, const char *config, int n_set, char *const *set,
                   const char *dir, int progress);

#endif
