/* mean_ci: mean, standard deviation and Student t interval (mean_ci.h). */
#include "base/mean_ci.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

mean_ci mean_ci_of(const double *x, int n)
{
    mean_ci ci = {0, NAN, NAN, NAN, NAN};
    double small[256], *v = n <= 256 ? small : malloc((size_t)n * sizeof *v);
    if (!v)
        return ci;
    for (int i = 0; i < n; i++)
        if (isfinite(x[i]))
            v[ci.n++] = x[i];
    if (ci.n >= 1)
        ci.mean = gsl_stats_mean(v, 1, (size_t)ci.n);
    if (ci.n >= 2) {
        ci.sd = gsl_stats_sd_m(v, 1, (size_t)ci.n, ci.mean);
        double half = gsl_cdf_tdist_Pinv(0.975, ci.n - 1) * ci.sd / sqrt(ci.n);
        ci.low = ci.mean - half;
        ci.high = ci.mean + half;
    }
    if (v != small)
        free(v);
    return ci;
}
