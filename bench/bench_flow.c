/* bench_flow: speed of the weighted max-min fair solver (models/flow.h).
 *
 * usage: bench_flow [AGGREGATES ...]   (default: 1e4 1e5 1e6)
 * For each size, builds a random national-like problem and prints two
 * Markdown table rows, without weights and with them: aggregates, links,
 * path entries, rounds, bottleneck links, seconds of flow_solve (best of 3
 * after one warm-up), flow-link updates per second, and the weights.  The
 * solver is single-threaded: the rate is per core.
 *
 * The network: 2,000 links, of which 1,200 access links (an ISP in a
 * region), 600 metro and core links and 200 border gateways and exchange
 * points.  A path has 3 to 8 distinct links: an access link at each end and,
 * between them, core links (70%) or border links (30%), so the border links
 * are the busiest.  Demands are log-uniform over 10^5..10^9 bit/s, 5% of the
 * aggregates elastic (INFINITY).  A link's capacity is its offered load (the
 * finite demands that cross it) times a factor log-uniform over 10^-1..10^0.5,
 * so that about two thirds of the links are offered more than they carry.
 * Weights, as the flow engine gives them (its aggregates' concurrent
 * flows): a finite demand over a per-flow rate log-uniform over
 * 10^4.5..10^6 bit/s (voice to video calls, messaging), an elastic
 * aggregate log-uniform over 1..10^5 flows.
 * Streams: rng "bench.flow.N" of seed 1, run 1 (Philox4x32-10); the weights from
 * "bench.flow.N.weights", so that the problem is the same with and without.
 */
#include "flow/flow.h"
#include "base/rng.h"
#include "base/status.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define N_LINKS 2000
#define N_ACCESS 1200
#define N_CORE 600 /* then N_LINKS - N_ACCESS - N_CORE border links */
#define MIN_PATH 3
#define MAX_PATH 8

typedef struct problem {
    flow_problem p;
    double *cap, *dem, *wt;
    uint32_t *off, *link;
} problem;

static int on_path(const uint32_t *path, int n, uint32_t l)
{
    for (int i = 0; i < n; i++)
        if (path[i] == l)
            return 1;
    return 0;
}

/* A link of the tier: access, or between the ends core (70%) or border. */
static uint32_t draw_link(gsl_rng *r, int end)
{
    if (end)
        return (uint32_t)gsl_rng_uniform_int(r, N_ACCESS);
    if (gsl_rng_uniform(r) < 0.7)
        return N_ACCESS + (uint32_t)gsl_rng_uniform_int(r, N_CORE);
    return N_ACCESS + N_CORE + (uint32_t)gsl_rng_uniform_int(r, N_LINKS - N_ACCESS - N_CORE);
}

static int build(problem *q, uint32_t n_flows)
{
    char name[64];
    snprintf(name, sizeof name, "bench.flow.%u", n_flows);
    gsl_rng *r = rng_stream(1, 1, name);
    q->cap = calloc(N_LINKS, sizeof *q->cap);
    q->dem = malloc(n_flows * sizeof *q->dem);
    q->off = malloc((n_flows + 1) * sizeof *q->off);
    q->link = malloc((size_t)n_flows * MAX_PATH * sizeof *q->link);
    if (!r || !q->cap || !q->dem || !q->off || !q->link)
        return 0;
    q->off[0] = 0;
    for (uint32_t f = 0; f < n_flows; f++) {
        q->dem[f] = gsl_rng_uniform(r) < 0.05 ? INFINITY : pow(10, 5 + 4 * gsl_rng_uniform(r));
        int n = MIN_PATH + (int)gsl_rng_uniform_int(r, MAX_PATH - MIN_PATH + 1);
        uint32_t *path = q->link + q->off[f];
        for (int i = 0; i < n; i++) {
            uint32_t l;
            do
                l = draw_link(r, i == 0 || i == n - 1);
            while (on_path(path, i, l));
            path[i] = l;
            if (isfinite(q->dem[f]))
                q->cap[l] += q->dem[f];
        }
        q->off[f + 1] = q->off[f] + (uint32_t)n;
    }
    for (int l = 0; l < N_LINKS; l++)
        q->cap[l] = q->cap[l] > 0 ? q->cap[l] * pow(10, -1 + 1.5 * gsl_rng_uniform(r)) : 1e9;
    gsl_rng_free(r);
    snprintf(name, sizeof name, "bench.flow.%u.weights", n_flows);
    r = rng_stream(1, 1, name);
    q->wt = malloc(n_flows * sizeof *q->wt);
    if (!r || !q->wt)
        return 0;
    for (uint32_t f = 0; f < n_flows; f++)
        q->wt[f] = isfinite(q->dem[f]) ? q->dem[f] / pow(10, 4.5 + 1.5 * gsl_rng_uniform(r))
                                       : pow(10, 5 * gsl_rng_uniform(r));
    gsl_rng_free(r);
    q->p = (flow_problem){.n_links = N_LINKS,
                          .capacity = q->cap,
                          .n_flows = n_flows,
                          .demand = q->dem,
                          .path_off = q->off,
                          .path_link = q->link};
    return 1;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Time one size, without weights and with; 0 on failure. */
static int run(flow_solver *s, uint32_t n_flows)
{
    problem q;
    if (!build(&q, n_flows)) {
        fprintf(stderr, "out of memory building %u aggregates\n", n_flows);
        return 0;
    }
    double *rate = malloc(n_flows * sizeof *rate), *load = malloc(N_LINKS * sizeof *load);
    if (!rate || !load) {
        fprintf(stderr, "out of memory\n");
        return 0;
    }
    for (int weighted = 0; weighted < 2; weighted++) {
        q.p.weight = weighted ? q.wt : NULL;
        flow_stats st;
        double best = INFINITY;
        for (int k = 0; k < 4; k++) { /* one warm-up, then the best of 3 */
            double t0 = now();
            if (flow_solve(s, &q.p, rate, load, &st) != BS_OK) {
                fprintf(stderr, "%s\n", bs_last_error());
                return 0;
            }
            double t = now() - t0;
            if (k > 0 && t < best)
                best = t;
        }
        /* A check that the answer is sane: no link over its capacity. */
        for (int l = 0; l < N_LINKS; l++) {
            if (load[l] > q.cap[l] * (1 + 1e-9)) {
                fprintf(stderr, "link %d carries %g over its capacity %g\n", l, load[l], q.cap[l]);
                return 0;
            }
        }
        printf("| %u | %u | %u | %llu | %llu | %.4f | %.3g | %s |\n", n_flows, N_LINKS,
               q.off[n_flows], (unsigned long long)st.rounds, (unsigned long long)st.bottlenecks,
               best, (double)st.updates / best, weighted ? "flows" : "none");
        fflush(stdout);
    }
    free(rate);
    free(load);
    free(q.cap);
    free(q.dem);
    free(q.wt);
    free(q.off);
    free(q.link);
    return 1;
}

int main(int argc, char **argv)
{
    flow_solver *s = flow_solver_new();
    if (!s) {
        fprintf(stderr, "%s\n", bs_last_error());
        return 1;
    }
    printf("| aggregates | links | entries | rounds | bottleneck links | seconds | "
           "flow-link updates/s | weights |\n|---|---|---|---|---|---|---|---|\n");
    int ok = 1;
    if (argc > 1)
        for (int i = 1; i < argc && ok; i++)
            ok = run(s, (uint32_t)atof(argv[i]));
    else
        for (uint32_t n = 10000; n <= 1000000 && ok; n *= 10)
            ok = run(s, n);
    flow_solver_free(s);
    return ok ? 0 : 1;
}
