/* memcheck: a run's memory, estimated before allocating, against the
 * memory available to the process (models/README.md, section 10). */
#ifndef BS_MEMCHECK_H
#define BS_MEMCHECK_H

#include "world/world.h"

/* Estimate what a run of *w needs at its peak; with verbose, print the
 * estimate and the memory available to stderr.  When enforce is set and
 * w->population.memory_check is on, refuse a run that does not fit: 2 after
 * a message with the estimate, the memory available (and which limit sets
 * it) and the smallest --scale that fits.  Else 0.  (*w is changed while
 * looking for that scale, and restored.) */
int memcheck(world *w, int enforce, int verbose);

#endif
