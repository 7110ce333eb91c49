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
 * - Saltelli's design for Sobol indices (Saltelli 2002; Saltelli et al.
 *   2010, section 3): the first N points of a Sobol sequence of 2k
 *   dimensions; the first k coordinates of point j are row j of the matrix
 *   A, the last k row j of B; A_B^(i) is A with its column i taken from B.
 *   The design is the N (k + 2) rows A, B, A_B^(1), ..., A_B^(k), block
 *   after block: row b N + j is base sample j of block b (0: A, 1: B,
 *   2 + i: A_B^(i)).  GSL's sequence starts at (1/2, ..., 1/2), not at 0.
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

/* Most parameters of a Saltelli design (2k Sobol dimensions). */
#define SWEEP_SALTELLI_MAX_PARAMS (SWEEP_SOBOL_MAX_DIM / 2)

/* Saltelli's design of n base samples for k parameters: n (k + 2) rows of k
 * coordinates in (0,1), row-major into out[n * (k + 2) * k].  BS_OK, or
 * BS_EINPUT (k beyond SWEEP_SALTELLI_MAX_PARAMS), BS_ENOMEM. */
int sweep_sample_saltelli(int n, int k, double *out);

#endif
