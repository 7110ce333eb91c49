/* sweep_sample: space-filling designs in the unit cube, for the parameters
 * of a sweep that are given bounds (sweep_spec.h).
 *
 * - Latin hypercube (McKay, Beckman and Conover 1979): each axis is cut into
 *   n equal strata and each stratum holds exactly one point; the strata are
 *   paired by an independent random permutation per axis (gsl_ran_shuffle)
 *   and each point is uniform within its cell.  The stream is named
 *   "sweep-lhs" and seeded from the sweep's seed (rng.h), so the design is a
 *   function of the seed.
 * - Sobol (Sobol' 1967; Bratley and Fox 1988, GSL's gsl_qrng_sobol): the
 *   first n points of the low-discrepancy sequence, at most 40 dimensions.
 *   It does not depend on the seed.
 */
#ifndef BS_SWEEP_SAMPLE_H
#define BS_SWEEP_SAMPLE_H

#include "sweep/sweep_spec.h"

#include <stdint.h>

/* Most dimensions GSL's Sobol generator takes. */
#define SWEEP_SOBOL_MAX_DIM 40

/* n points of d coordinates in [0,1), row-major into out[n * d].  BS_OK, or
 * BS_EINPUT (Sobol beyond SWEEP_SOBOL_MAX_DIM) or BS_ENOMEM with a message. */
int sweep_sample(enum sweep_method m, int n, int d, uint64_t seed, double *out);

#endif
