/* output: write a run's results in the layout of models/README.md, section 8.
 *
 * This is the only place that knows the dataset paths of the contract; the
 * results module below it knows HDF5.  Writes to a temporary name and renames
 * when complete (results_commit).
 */
#ifndef BS_OUTPUT_H
#define BS_OUTPUT_H

#include "sim/sim.h"
#include "world/world.h"

typedef struct run_meta {
    const char *config_path;   /* the scenario file as given */
    const char *config_text;   /* fully resolved configuration (config_dump) */
    int n_set;                 /* overrides, as given on the command line */
    char *const *set;
} run_meta;

/* Write `path` (its folder must exist).  BS_OK or BS_ERUNTIME with a message;
 * nothing is left at `path` on failure. */
int output_write(const char *path, const world *w, const sim_out *s, const run_meta *m);

/* The memory output_write takes beside the results arrays of *s, estimated
 * before a run (models/README.md, section 10), in bytes: HDF5's buffers for
 * one dataset at a time (its 1 MiB chunk cache, and a 512 KiB chunk in, out
 * of the shuffle and out of deflate: results.c) and its metadata cache
 * (2 MiB at most, HDF5's default), and the events table's rows. */
double output_estimate(const world *w);

/* The root's attributes of every results file: format, versions, creation
 * time, scenario, configuration file, seed and run. */
struct results;
int output_root(struct results *r, const world *w, const char *config_path);

/* The axes /app and /vpn with the display names /app_label and /vpn_label
 * (each app's and VPN protocol's label, else its name): a run's file and a
 * testbed matrix's, whose cases name apps and VPNs by their names. */
int output_app_vpn_dims(struct results *r, const world *w);

/* The part of a run's file that other kinds of results share (the testbed's
 * replay): the root's attributes, /config, the dims (/day from s->day_of), /events,
 * /population and /calls from *s (no /population/installed when s->installed
 * is NULL). */
int output_begin(struct results *r, const world *w, const sim_out *s, const run_meta *m);

#endif
