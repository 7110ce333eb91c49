/* abc: ABC-SMC (see abc.h for the algorithm and its sources). */
#include "sweep/abc.h"

#include "base/rng.h"
#include "base/status.h"

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const abc_prior_names[N_ABC_PRIORS] = {"uniform", "log-uniform"};

/* Tries at drawing a proposal inside the support before giving up on the
 * kernel and keeping the ancestor (only reached when nearly all the kernel's
 * mass is outside [0, 1]^k, which a covariance from particles inside it
 * does not give). */
#define ABC_MAX_TRIES 100000

static double to_u(const abc_prior *p, double x)
{
    return p->kind == ABC_LOG_UNIFORM ? (log(x) - log(p->lo)) / (log(p->hi) - log(p->lo))
                                      : (x - p->lo) / (p->hi - p->lo);
}

static double from_u(const abc_prior *p, double u)
{
    return p->kind == ABC_LOG_UNIFORM ? exp(log(p->lo) + u * (log(p->hi) - log(p->lo)))
                                      : p->lo + u * (p->hi - p->lo);
}

int abc_gen_alloc(const abc_opts *o, int n, abc_gen *g)
{
    memset(g, 0, sizeof *g);
    g->n = n;
    g->theta = calloc((size_t)n * (size_t)o->k, sizeof *g->theta);
    g->w = calloc((size_t)n, sizeof *g->w);
    g->d = calloc((size_t)n, sizeof *g->d);
    g->sim = calloc((size_t)n * (size_t)(o->m > 0 ? o->m : 1), sizeof *g->sim);
    g->index = calloc((size_t)n, sizeof *g->index);
    if (!g->theta || !g->w || !g->d || !g->sim || !g->index) {
        abc_gen_free(g);
        return bs_nomem("%d particles", n);
    }
    return BS_OK;
}

void abc_gen_free(abc_gen *g)
{
    if (!g)
        return;
    free(g->theta);
    free(g->w);
    free(g->d);
    free(g->sim);
    free(g->index);
    memset(g, 0, sizeof *g);
}

double abc_tolerance(const abc_opts *o, const abc_gen *prev)
{
    double *d = malloc((size_t)prev->n * sizeof *d);
    if (!d)
        return NAN;
    memcpy(d, prev->d, (size_t)prev->n * sizeof *d);
    gsl_sort(d, 1, (size_t)prev->n);
    double q = gsl_stats_quantile_from_sorted_data(d, 1, (size_t)prev->n, o->quantile);
    free(d);
    return q > o->min_tolerance ? q : o->min_tolerance;
}

/* The perturbation kernel of a generation: the Cholesky factor of twice
 * the weighted covariance of its particles in u, and their u. */
typedef struct kernel {
    int k, n;
    double *u;       /* [n * k] */
    double *cdf;     /* [n] cumulated weights */
    gsl_matrix *L;   /* k x k */
    gsl_vector *work;
} kernel;

static void kernel_free(kernel *K)
{
    free(K->u);
    free(K->cdf);
    if (K->L)
        gsl_matrix_free(K->L);
    if (K->work)
        gsl_vector_free(K->work);
}

static int kernel_make(const abc_opts *o, const abc_gen *prev, kernel *K)
{
    int k = o->k, n = prev->n;
    memset(K, 0, sizeof *K);
    K->k = k;
    K->n = n;
    K->u = malloc((size_t)n * (size_t)k * sizeof *K->u);
    K->cdf = malloc((size_t)n * sizeof *K->cdf);
    K->L = gsl_matrix_calloc((size_t)k, (size_t)k);
    K->work = gsl_vector_alloc((size_t)k);
    if (!K->u || !K->cdf || !K->L || !K->work) {
        kernel_free(K);
        return bs_nomem("the kernel");
    }
    double sw = 0, mean[64] = {0};
    for (int i = 0; i < n; i++) {
        sw += prev->w[i];
        K->cdf[i] = sw;
        for (int a = 0; a < k; a++) {
            K->u[i * k + a] = to_u(&o->prior[a], prev->theta[i * k + a]);
            mean[a] += prev->w[i] * K->u[i * k + a];
        }
    }
    for (int a = 0; a < k; a++)
        mean[a] /= sw;
    /* Weighted covariance (normalised weights, no bias correction), times 2. */
    for (int a = 0; a < k; a++)
        for (int b = 0; b <= a; b++) {
            double c = 0;
            for (int i = 0; i < n; i++)
                c += prev->w[i] * (K->u[i * k + a] - mean[a]) * (K->u[i * k + b] - mean[b]);
            c = 2.0 * c / sw;
            gsl_matrix_set(K->L, (size_t)a, (size_t)b, c);
            gsl_matrix_set(K->L, (size_t)b, (size_t)a, c);
        }
    /* A particle cloud collapsed on a line (or a point) has a singular
     * covariance: a small ridge (1e-10 of the unit range, squared) keeps
     * the factorisation possible without moving a kernel of any width. */
    for (int a = 0; a < k; a++)
        *gsl_matrix_ptr(K->L, (size_t)a, (size_t)a) += 1e-10;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int st = gsl_linalg_cholesky_decomp1(K->L);
    gsl_set_error_handler(old);
    if (st) {
        kernel_free(K);
        return bs_fail(BS_ERUNTIME, "the particles' covariance is not positive definite");
    }
    return BS_OK;
}

/* A proposal from kernel K (or the prior when K is NULL) into u[k]. */
static void draw(const kernel *K, int k, gsl_rng *r, double *u)
{
    if (!K) {
        for (int a = 0; a < k; a++)
            u[a] = gsl_rng_uniform(r);
        return;
    }
    for (int t = 0; t < ABC_MAX_TRIES; t++) {
        double c = gsl_rng_uniform(r) * K->cdf[K->n - 1];
        int j = 0;
        while (j < K->n - 1 && K->cdf[j] <= c)
            j++;
        gsl_vector_const_view mu = gsl_vector_const_view_array(K->u + (size_t)j * (size_t)k,
                                                               (size_t)k);
        gsl_vector_view out = gsl_vector_view_array(u, (size_t)k);
        gsl_ran_multivariate_gaussian(r, &mu.vector, K->L, &out.vector);
        int inside = 1;
        for (int a = 0; a < k; a++)
            inside &= u[a] >= 0 && u[a] <= 1;
        if (inside)
            return;
        if (t == ABC_MAX_TRIES - 1)
            memcpy(u, K->u + (size_t)j * (size_t)k, (size_t)k * sizeof *u);
    }
}

static int propose_with(const abc_opts *o, const kernel *K, int g, int j, double *theta)
{
    gsl_rng *r = rng_stream(o->seed, (uint64_t)g << 32 | (uint64_t)(uint32_t)j, "abc-proposal");
    if (!r)
        return bs_last_status();
    double u[64];
    draw(K, o->k, r, u);
    gsl_rng_free(r);
    for (int a = 0; a < o->k; a++)
        theta[a] = from_u(&o->prior[a], u[a]);
    return BS_OK;
}

/* Weights of the kept particles of out after prev (abc.h). */
static void reweigh(const abc_opts *o, const kernel *K, abc_gen *out)
{
    int k = o->k;
    double sum = 0, u[64];
    for (int i = 0; i < out->n; i++) {
        for (int a = 0; a < k; a++)
            u[a] = to_u(&o->prior[a], out->theta[i * k + a]);
        gsl_vector_view x = gsl_vector_view_array(u, (size_t)k);
        double den = 0;
        for (int j = 0; j < K->n; j++) {
            gsl_vector_const_view mu =
                gsl_vector_const_view_array(K->u + (size_t)j * (size_t)k, (size_t)k);
            double p;
            gsl_ran_multivariate_gaussian_pdf(&x.vector, &mu.vector, K->L, &p, K->work);
            den += (K->cdf[j] - (j ? K->cdf[j - 1] : 0)) * p;
        }
        out->w[i] = den > 0 ? 1.0 / den : 0;
        sum += out->w[i];
    }
    for (int i = 0; i < out->n; i++)
        out->w[i] = sum > 0 ? out->w[i] / sum : 1.0 / out->n;
}

int abc_generation(const abc_opts *o, const abc_gen *prev, int g, int batch, abc_eval eval,
                   void *ctx, abc_gen *out)
{
    int k = o->k, m = o->m, N = o->particles;
    if (k < 1 || k > 64)
        return bs_fail(BS_EINPUT, "ABC-SMC takes 1 to 64 parameters, not %d", k);
    if (batch < 1)
        batch = 1;
    kernel K, *kp = NULL;
    int st;
    if (g > 0) {
        if ((st = kernel_make(o, prev, &K)) != BS_OK)
            return st;
        kp = &K;
    }
    double eps = g > 0 ? abc_tolerance(o, prev) : INFINITY;
    double *th = malloc((size_t)batch * (size_t)k * sizeof *th);
    double *d = malloc((size_t)batch * sizeof *d);
    double *sim = malloc((size_t)batch * (size_t)(m > 0 ? m : 1) * sizeof *sim);
    if ((st = abc_gen_alloc(o, N, out)) != BS_OK || !th || !d || !sim) {
        st = st != BS_OK ? st : bs_nomem("a batch of proposals");
        goto done;
    }
    out->eps = eps;
    int kept = 0, next = 0;
    while (kept < N) {
        if (next >= o->max_proposals) {
            abc_gen_free(out);
            st = bs_fail(ABC_EXHAUSTED,
                         "generation %d: %d proposals gave %d of %d particles within tolerance %g",
                         g, next, kept, N, eps);
            goto done;
        }
        /* At most the particles still missing, so that generation 0 runs
         * exactly N proposals when none fails; at least a batch's worth
         * later, when most proposals are refused. */
        int n = g == 0 ? N - kept : batch;
        if (n > batch)
            n = batch;
        if (n > o->max_proposals - next)
            n = o->max_proposals - next;
        for (int i = 0; i < n; i++)
            if ((st = propose_with(o, kp, g, next + i, th + (size_t)i * (size_t)k)) != BS_OK)
                goto fail;
        if ((st = eval(ctx, g, next, n, th, d, sim)) != BS_OK)
            goto fail;
        for (int i = 0; i < n && kept < N; i++) {
            if (!(isfinite(d[i]) && d[i] <= eps))
                continue;
            memcpy(out->theta + (size_t)kept * (size_t)k, th + (size_t)i * (size_t)k,
                   (size_t)k * sizeof *th);
            if (m > 0)
                memcpy(out->sim + (size_t)kept * (size_t)m, sim + (size_t)i * (size_t)m,
                       (size_t)m * sizeof *sim);
            out->d[kept] = d[i];
            out->index[kept] = next + i;
            out->proposals = next + i + 1;
            kept++;
        }
        next += n;
    }
    if (kp)
        reweigh(o, kp, out);
    else
        for (int i = 0; i < N; i++)
            out->w[i] = 1.0 / N;
    st = BS_OK;
    goto done;
fail:
    abc_gen_free(out);
done:
    if (kp)
        kernel_free(kp);
    free(th);
    free(d);
    free(sim);
    return st;
}

double abc_wquantile(const double *x, const double *w, int n, double q)
{
    if (n < 1)
        return NAN;
    size_t *p = malloc((size_t)n * sizeof *p);
    if (!p)
        return NAN;
    gsl_sort_index(p, x, 1, (size_t)n);
    double total = 0, c = 0, r = x[p[n - 1]];
    for (int i = 0; i < n; i++)
        total += w[i];
    for (int i = 0; i < n; i++) {
        c += w[p[i]] / total;
        if (c >= q - 1e-12) {
            r = x[p[i]];
            break;
        }
    }
    free(p);
    return r;
}

double abc_ess(const double *w, int n)
{
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        s += w[i];
        s2 += w[i] * w[i];
    }
    return s2 > 0 ? s * s / s2 : 0;
}

double abc_distance(const double *y, const double *obs, const double *sd, int m)
{
    double s = 0;
    for (int i = 0; i < m; i++) {
        if (!isfinite(y[i]))
            return INFINITY;
        double z = (y[i] - obs[i]) / sd[i];
        s += z * z;
    }
    return m > 0 ? sqrt(s / m) : 0;
}
