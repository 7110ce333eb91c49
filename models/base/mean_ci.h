/* mean_ci: the mean of replications and its confidence interval.
 *
 * Over the finite values of x[0..n-1] (non-finite ones are left out):
 *
 *   mean  x̄ = (1/n) Σ x_i                         (gsl_stats_mean)
 *   sd    s = sqrt(Σ (x_i - x̄)² / (n - 1))        (gsl_stats_sd_m)
 *   95% confidence interval of the mean, Student t with n - 1 degrees of
 *   freedom:  x̄ ± t_{0.975, n-1} s / √n         (gsl_cdf_tdist_Pinv)
 *
 * The interval assumes the replications are independent draws of a
 * normally distributed number (or n large enough for the mean to be): true
 * of independent seeds, and of the runs of one configuration with common
 * random numbers (run numbers 0, 1, ... are independent of each other).
 * With n = 1 the standard deviation and interval are NaN; with n = 0 the
 * mean is NaN too.  Used by sweep summaries (models/sweep/sweep_stats.c)
 * and by the bands of reproduce's figures (analysis/plot.c). */
#ifndef BS_MEAN_CI_H
#define BS_MEAN_CI_H

typedef struct mean_ci {
    int n;
    double mean, sd, low, high;
} mean_ci;

/* The summary of x[0..n-1]; NaN fields (and n = 0) when memory for more
 * than 256 values cannot be had (never for n <= 256). */
mean_ci mean_ci_of(const double *x, int n);

#endif
