/* sweep_sample: Latin hypercube and Sobol designs (see sweep_sample.h). */
#include "sweep/sweep_sample.h"

#include "base/rng.h"
#include "base/status.h"

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <stdlib.h>

static int latin_hypercube(int n, int d, uint64_t seed, double *out)
{
    gsl_rng *r = rng_stream(seed, 0, "sweep-lhs");
    size_t *perm = malloc((size_t)n * sizeof *perm);
    if (!r || !perm) {
        if (r)
            gsl_rng_free(r);
        free(perm);
        return bs_nomem("a Latin hypercube of %d points (sweep)", n);
    }
    for (int j = 0; j < d; j++) {
        for (int i = 0; i < n; i++)
            perm[i] = (size_t)i;
        gsl_ran_shuffle(r, perm, (size_t)n, sizeof *perm);
        for (int i = 0; i < n; i++)
            out[(size_t)i * (size_t)d + (size_t)j] = ((double)perm[i] + gsl_rng_uniform(r)) / n;
    }
    gsl_rng_free(r);
    free(perm);
    return BS_OK;
}

static int sobol(int n, int d, double *out)
{
    if (d > SWEEP_SOBOL_MAX_DIM)
        return bs_fail(BS_EINPUT, "a Sobol sequence has at most %d dimensions, not %d",
                       SWEEP_SOBOL_MAX_DIM, d);
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)d);
    if (!q)
        return bs_nomem("a Sobol sequence of %d dimensions (sweep)", d);
    int rc = BS_OK;
    for (int i = 0; i < n && rc == BS_OK; i++)
        if (gsl_qrng_get(q, out + (size_t)i * (size_t)d) != 0)
            rc = bs_fail(BS_ERUNTIME, "sweep: the Sobol sequence failed at point %d", i);
    gsl_qrng_free(q);
    return rc;
}

int sweep_sample_saltelli(int n, int k, double *out)
{
    if (n < 1 || k < 1)
        return BS_OK;
    if (k > SWEEP_SALTELLI_MAX_PARAMS)
        return bs_fail(BS_EINPUT, "a Saltelli design takes at most %d parameters, not %d",
                       SWEEP_SALTELLI_MAX_PARAMS, k);
    double *ab = malloc((size_t)n * 2 * (size_t)k * sizeof *ab);
    if (!ab)
        return bs_nomem("a Saltelli design of %d samples (sweep)", n);
    int st = sobol(n, 2 * k, ab);
    for (int j = 0; j < n && st == BS_OK; j++) {
        const double *a = ab + (size_t)j * 2 * (size_t)k, *b = a + k;
        for (int blk = 0; blk < k + 2; blk++) {
            double *row = out + ((size_t)blk * (size_t)n + (size_t)j) * (size_t)k;
            for (int c = 0; c < k; c++)
                row[c] = blk == 1 || (blk >= 2 && c == blk - 2) ? b[c] : a[c];
        }
    }
    free(ab);
    return st;
}

int sweep_sample(enum sweep_method m, int n, int d, uint64_t seed, double *out)
{
    if (n < 1 || d < 1)
        return BS_OK;
    return m == SWEEP_SOBOL ? sobol(n, d, out) : latin_hypercube(n, d, seed, out);
}
