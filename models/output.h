/* output: write a run's results in the layout of INTERFACES.md.
 *
 * This is the only place that knows the dataset paths of the contract; the
 * results module below it knows HDF5.  Writes to a temporary name and renames
 * when complete (results_commit).
 */
#ifndef BS_OUTPUT_H
#define BS_OUTPUT_H

#include "sim.h"
#include "world.h"

typedef struct run_meta {
    const char *config_path;   /* the scenario file as given */
    const char *config_text;   /* fully resolved configuration (config_dump) */
    int n_set;                 /* overrides, as given on the command line */
    char *const *set;
} run_meta;

/* Write `path` (its folder must exist).  BS_OK or BS_ERUNTIME with a message;
 * nothing is left at `path` on failure. */
int output_write(const char *path, const world *w, const sim_out *s, const run_meta *m);

#endif
