/* sweep_config: the configuration of each run of a sweep.
 *
 * Before anything runs, every parameter point is loaded: the base scenario
 * with the sweep's `set` and the point's values as overrides (config.h), so
 * that a misspelt path, a value out of range or a base scenario that does
 * not load is reported at once, with the sweep file's line, and nothing is
 * written.  The same pass gives every run's configuration hash.
 *
 * The hash of a run is FNV-1a (64 bits) over its fully resolved
 * configuration (config_dump: includes expanded, overrides and the run's
 * seed applied, every default filled in), which is what the run's results
 * file holds in /config/text.  A results file whose text hashes the same was
 * made from the same configuration.
 */
#ifndef BS_SWEEP_CONFIG_H
#define BS_SWEEP_CONFIG_H

#include "sweep/sweep_spec.h"

#include <stdint.h>

/* Load every point of s.  BS_OK with hashes[k] the hash of run k (hashes
 * has s->n_runs entries), or BS_EINPUT with *errors (malloc'd, caller
 * frees) every error, one per line, as file:line: path: message; errors
 * about a point's override name the sweep file's line of that parameter.
 * Also BS_ENOMEM or BS_ERUNTIME with a message. */
int sweep_config_check(const sweep_spec *s, uint64_t *hashes, char **errors);

/* The hash of a resolved configuration text. */
uint64_t sweep_config_hash(const char *text);

#endif
