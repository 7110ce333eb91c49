/* abc: approximate Bayesian computation by sequential Monte Carlo (ABC-SMC),
 * the method of `blockshift calibrate` (models/README.md, "Calibration").
 *
 * The algorithm (Toni, Welch, Strelkowa, Ipsen and Stumpf 2009, "Approximate
 * Bayesian computation scheme for parameter inference and model selection
 * in dynamical systems", J. R. Soc. Interface 6:187; Beaumont, Cornuet,
 * Marin and Robert 2009, "Adaptive approximate Bayesian computation",
 * Biometrika 96:983):
 *
 *   generation 0: N particles drawn from the prior, all kept (tolerance
 *     infinite), weights 1/N;
 *   generation t > 0: the tolerance eps_t is the `quantile` of the distances
 *     of generation t - 1 (never below min_tolerance); a proposal picks an
 *     ancestor j of generation t - 1 with probability w_j, moves it by a
 *     Gaussian kernel K of covariance twice the weighted covariance of
 *     generation t - 1 (Beaumont et al. 2009), and starts again (ancestor
 *     and move) if the result falls outside the prior's support; the model
 *     is run at the proposal and the proposal is kept if its distance is at
 *     most eps_t, until N are kept; particle i's weight is
 *     prior(theta_i) / sum_j w_j K(theta_i | theta_j), normalised.
 *   The run stops after `generations`, after a generation whose tolerance
 *   is min_tolerance, or when a generation uses up max_proposals without N
 *   particles (that generation is then not kept).
 *
 * Parameters live on their prior's scale: u = (x - lo) / (hi - lo) for a
 * uniform prior, (ln x - ln lo) / (ln hi - ln lo) for a log-uniform one.
 * Both priors are uniform on [0, 1] in u, so prior(theta_i) is a constant
 * inside the support and the kernel works in u, where a log-uniform
 * parameter moves by factors.
 *
 * Determinism: proposal j of generation t draws from its own stream
 * (rng_stream(seed, t << 32 | j, "abc-proposal")), and the kept particles
 * are the first N proposals in index order whose distance passes.  However
 * proposals are batched and spread over workers, the generations are the
 * same: the caller evaluates proposals in any batches; only the index
 * matters.
 */
#ifndef BS_ABC_H
#define BS_ABC_H

#include <stdint.h>

enum abc_prior_kind { ABC_UNIFORM, ABC_LOG_UNIFORM, N_ABC_PRIORS };
extern const char *const abc_prior_names[N_ABC_PRIORS]; /* "uniform", "log-uniform" */

typedef struct abc_prior {
    int kind; /* enum abc_prior_kind */
    double lo, hi;
} abc_prior;

typedef struct abc_opts {
    int k;                 /* parameters */
    int m;                 /* model values kept per particle (for figures) */
    const abc_prior *prior; /* [k] */
    int particles;          /* N */
    int generations;        /* most generations, generation 0 included */
    int max_proposals;      /* most proposals in one generation */
    double quantile;        /* of the previous distances: the next tolerance */
    double min_tolerance;
    uint64_t seed;
} abc_opts;

/* One generation: its N particles. */
typedef struct abc_gen {
    int n;
    double eps;     /* its tolerance (INFINITY for generation 0) */
    int proposals;  /* proposals used to keep n */
    double *theta;  /* [n * k] the parameters, in their own units */
    double *w;      /* [n] normalised weights */
    double *d;      /* [n] distances */
    double *sim;    /* [n * m] the model values (mean over replications) */
    int *index;     /* [n] the proposal each particle was */
} abc_gen;

/* Evaluate proposals first .. first + n - 1 of generation g at theta[n * k]:
 * fill d[n] (distance; INFINITY when a run failed) and sim[n * m].  BS_OK,
 * or a status (an interruption, an error) that abc_generation passes on. */
typedef int (*abc_eval)(void *ctx, int g, int first, int n, const double *theta, double *d,
                        double *sim);

/* Allocate *g for n particles of o (zeroed).  BS_OK or BS_ENOMEM. */
int abc_gen_alloc(const abc_opts *o, int n, abc_gen *g);
void abc_gen_free(abc_gen *g);

/* The tolerance of generation g after prev (g >= 1): max(quantile of prev's
 * distances (gsl_stats_quantile_from_sorted_data), min_tolerance). */
double abc_tolerance(const abc_opts *o, const abc_gen *prev);

/* Generation g (0, or after prev) into *out (allocated here), evaluating
 * proposals in batches of `batch`.  BS_OK; ABC_EXHAUSTED when max_proposals
 * did not give N particles (*out is freed); BS_ENOMEM; or eval's status. */
#define ABC_EXHAUSTED 100
int abc_generation(const abc_opts *o, const abc_gen *prev, int g, int batch, abc_eval eval,
                   void *ctx, abc_gen *out);

/* The weighted quantile q of x[n] (weights w[n] >= 0, any sum): the
 * smallest x whose cumulated normalised weight, in increasing x, reaches q. */
double abc_wquantile(const double *x, const double *w, int n, double q);

/* Kish's effective sample size of weights w[n]: (sum w)^2 / sum w^2. */
double abc_ess(const double *w, int n);

/* The distance of model values y[m] from observed values obs[m] with
 * standard deviations sd[m]: sqrt(mean(((y - obs) / sd)^2)); INFINITY if a
 * y is not finite. */
double abc_distance(const double *y, const double *obs, const double *sd, int m);

#endif
