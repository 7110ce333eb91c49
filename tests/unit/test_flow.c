/* Unit tests for the weighted max-min fair solver (models/flow.h).
 *
 * Each hand-made system states its links (capacity), its aggregates (demand,
 * path, and weight where it has one) and the (weighted) max-min fair answer
 * worked out by (weighted) progressive filling.  Then random problems (fixed
 * seed), without and with weights, are checked two ways: against the
 * definition (conservation, feasibility, and every aggregate at its demand or
 * on a saturated link where no one has a larger rate per weight), and
 * against a slow reference written here, which recomputes every link from
 * scratch at every round.
 *
 * Tolerance: the solver keeps each link's capacity left by subtraction, so a
 * rate or load is off by a few units in the last place of the capacities,
 * times the number of entries on a link (at most a few hundred here): far
 * below 1e-9 of the problem's scale (its largest capacity or finite demand,
 * at least 1).  Every comparison goes through near(), with that tolerance.
 */
#include <setjmp.h> /* before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "flow/flow.h"
#include "base/rng.h"
#include "base/status.h"

#define TOL 1e-9
#define INF INFINITY
#define N_RANDOM 300

/* ---- comparisons ---- */

/* Whether got is want to within TOL times the problem's scale (INFINITY
 * equals only itself). */
static int near(double got, double want, double scale)
{
    return got == want || fabs(got - want) <= TOL * scale;
}

static void expect_near_at(double got, double want, double scale, const char *what, int i,
                           const char *file, int line)
{
    if (!near(got, want, scale)) {
        print_error("%s[%d] = %.17g, expected %.17g (tolerance %g)\n", what, i, got, want,
                    TOL * scale);
        _fail(file, line);
    }
}

#define expect_near(got, want, scale, what, i)                                                     \
    expect_near_at(got, want, scale, what, i, __FILE__, __LINE__)

/* ---- problems ---- */

/* A problem with room for its arrays and answers. */
#define MAX_LINKS 400
#define MAX_FLOWS 4000
#define MAX_PATH 8
typedef struct sys {
    flow_problem p;
    double cap[MAX_LINKS], dem[MAX_FLOWS];
    uint32_t off[MAX_FLOWS + 1], link[MAX_FLOWS * MAX_PATH];
    double wt[MAX_FLOWS];
    double rate[MAX_FLOWS], load[MAX_LINKS];
    flow_stats st;
} sys;

static sys *sys_new(void)
{
    sys *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->p = (flow_problem){
        .capacity = s->cap, .demand = s->dem, .path_off = s->off, .path_link = s->link};
    return s;
}

static void add_link(sys *s, double capacity) { s->cap[s->p.n_links++] = capacity; }

/* Add an aggregate of this demand on links path[0 .. n). */
static void add_flow(sys *s, double demand, int n, const uint32_t *path)
{
    uint32_t f = s->p.n_flows++;
    s->dem[f] = demand;
    s->wt[f] = 1;
    s->off[f + 1] = s->off[f];
    for (int i = 0; i < n; i++)
        s->link[s->off[f + 1]++] = path[i];
}

/* The same with a weight (the problem then has weights). */
static void add_wflow(sys *s, double weight, double demand, int n, const uint32_t *path)
{
    add_flow(s, demand, n, path);
    s->wt[s->p.n_flows - 1] = weight;
    s->p.weight = s->wt;
}

#define PATH(...)                                                                                  \
    (int)(sizeof((uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t)), (uint32_t[]) { __VA_ARGS__ }

static int solve(sys *s)
{
    flow_solver *fs = flow_solver_new();
    assert_non_null(fs);
    int st = flow_solve(fs, &s->p, s->rate, s->load, &s->st);
    flow_solver_free(fs);
    return st;
}

static void expect_rates(const sys *s, const double *want, double scale)
{
    for (uint32_t f = 0; f < s->p.n_flows; f++)
        expect_near(s->rate[f], want[f], scale, "rate", (int)f);
}

static void expect_loads(const sys *s, const double *want, double scale)
{
    for (uint32_t l = 0; l < s->p.n_links; l++)
        expect_near(s->load[l], want[l], scale, "load", (int)l);
}

/* ---- hand-made systems ---- */

/* One link of capacity 9, three elastic aggregates on it.
 * The level rises to 9 / 3 = 3, where the link saturates: each gets 3, the
 * link carries 9.  One round, one bottleneck, three updates. */
static void single_bottleneck(void **state)
{
    (void)state;
    sys *s = sys_new();
    add_link(s, 9);
    for (int i = 0; i < 3; i++)
        add_flow(s, INF, PATH(0));
    assert_int_equal(solve(s), BS_OK);
    expect_rates(s, (double[]){3, 3, 3}, 1);
    expect_loads(s, (double[]){9}, 1);
    assert_int_equal(s->st.rounds, 1);
    assert_int_equal(s->st.bottlenecks, 1);
    assert_int_equal(s->st.updates, 3);
    assert_int_equal(s->st.at_demand, 0);
    free(s);
}

/* Links A = 0 (capacity 10) and B = 1 (capacity 4) in series.
 * Aggregates, all elastic: f0 on A then B, f1 on B, f2 and f3 on A.
 * B has 2 aggregates (saturates at 4/2 = 2), A has 3 (at 10/3 = 3.33):
 * B saturates first, f0 and f1 freeze at 2.  A has 10 - 2 = 8 left for f2
 * and f3: 4 each.  Rates 2, 2, 4, 4; loads A 10, B 4; both bottlenecks. */
static void two_bottlenecks_in_series(void **state)
{
    (void)state;
    sys *s = sys_new();
    add_link(s, 10);
    add_link(s, 4);
    add_flow(s, INF, PATH(0, 1));
    add_flow(s, INF, PATH(1));
    add_flow(s, INF, PATH(0));
    add_flow(s, INF, PATH(0));
    assert_int_equal(solve(s), BS_OK);
    expect_rates(s, (double[]){2, 2, 4, 4}, 10);
    expect_loads(s, (double[]){10, 4}, 10);
    assert_int_equal(s->st.bottlenecks, 2);
    free(s);
}

/* The parking lot: n links of capacity 1 in a row, one long elastic aggregate
 * through all of them and one elastic aggregate on each link alone.  Every
 * link has 2 aggregates and saturates at 1/2, all at the same level:
 * everyone gets 1/2 and every link carries 1.  (n = 1, 5, 200) */
static void parking_lot(void **state)
{
    (void)state;
    const int sizes[] = {1, 5, 200};
    for (int k = 0; k < 3; k++) {
        int n = sizes[k];
        sys *s = sys_new();
        uint32_t all[MAX_PATH * 40];
        for (int l = 0; l < n; l++) {
            add_link(s, 1);
            all[l] = (uint32_t)l;
        }
        add_flow(s, INF, n, all);
        for (int l = 0; l < n; l++)
            add_flow(s, INF, PATH((uint32_t)l));
        assert_int_equal(solve(s), BS_OK);
        for (int f = 0; f <= n; f++)
            expect_near(s->rate[f], 0.5, 1, "rate", f);
        for (int l = 0; l < n; l++)
            expect_near(s->load[l], 1, 1, "load", l);
        assert_int_equal(s->st.updates, 2 * n);
        free(s);
    }
}

/* One link of capacity 10; f0 wants 1, f1 and f2 are elastic.
 * The level reaches f0's demand 1 first (the link would saturate at 10/3):
 * f0 freezes at 1, the link has 9 left for two: 4.5 each.  Rates 1, 4.5,
 * 4.5; load 10; f0 is at its demand. */
static void demand_below_fair_share(void **state)
{
    (void)state;
    sys *s = sys_new();
    add_link(s, 10);
    add_flow(s, 1, PATH(0));
    add_flow(s, INF, PATH(0));
    add_flow(s, INF, PATH(0));
    assert_int_equal(solve(s), BS_OK);
    expect_rates(s, (double[]){1, 4.5, 4.5}, 10);
    expect_loads(s, (double[]){10}, 10);
    assert_int_equal(s->st.at_demand, 1);
    assert_int_equal(s->st.bottlenecks, 1);
    free(s);
}

/* A demand equal to the fair share: one link of capacity 9, f0 wants 3, f1
 * and f2 are elastic.  Demand and saturation come at the same level 3:
 * everyone gets 3, the link carries 9, and nothing goes above. */
static void demand_equal_to_fair_share(void **state)
{
    (void)state;
    sys *s = sys_new();
    add_link(s, 9);
    add_flow(s, 3, PATH(0));
    add_flow(s, INF, PATH(0));
    add_flow(s, INF, PATH(0));
    assert_int_equal(solve(s), BS_OK);
    expect_rates(s, (double[]){3, 3, 3}, 9);
    expect_loads(s, (double[]){9}, 9);
    free(s);
}

/* Link 0 has capacity 0, link 1 capacity 6.  f0 crosses both, f1 and f2
 * only link 1, all elastic.  Link 0 saturates at level 0: f0 gets 0.  Link 1
 * then has 6 for two: 3 each.  Rates 0, 3, 3; loads 0, 6.  A zero demand
 * gets 0 too (f3, on link 1, wants 0: the others are unchanged). */
static void zero_capacity_link(void **state)
{
    (void)state;
    sys *s = sys_new();
    add_link(s, 0);
    add_link(s, 6);
    add_flow(s, INF, PATH(0, 1));
    add_flow(s, INF, PATH(1));
    add_flow(s, INF, PATH(1));
    add_flow(s, 0, PATH(1));
    assert_int_equal(solve(s), BS_OK);
    expect_rates(s, (double[]){0, 3, 3, 0}, 6);
    expect_loads(s, (double[]){0, 6}, 6);
    free(s);
}

/* f0 has an empty path and wants 7; f1 an empty path and wants 0; f2 is
 * elastic on the one link of capacity 5.  f0 gets 7 and f1 0 (their demands:
 * nothing limits them), f2 gets 5; the link carries only f2's 5. */
static void empty_path(void **state)
{
    (void)state;
    sys *s = sys_new();
    add_link(s, 5);
    add_flow(s, 7, 0, NULL);
    add_flow(s, 0, 0, NULL);
    add_flow(s, INF, PATH(0));
    assert_int_equal(solve(s), BS_OK);
    expect_rates(s, (double[]){7, 0, 5}, 7);
    expect_loads(s, (double[]){5}, 7);
    assert_int_equal(s->st.at_demand, 2);
    assert_int_equal(s->st.updates, 1);
    free(s);
}

/* Elastic aggregates (demand INFINITY).  Link 0 has capacity 10, link 1 3.
 * f0 (elastic) on link 0; f1 (wants 2) on links 0 and 1; f2 (elastic) on
 * link 1.  Link 1 saturates at 3/2 = 1.5 (before f1's demand 2 and link 0's
 * 10/2 = 5): f1 and f2 freeze at 1.5.  Link 0 then has 10 - 1.5 = 8.5 for f0
 * alone.  Rates 8.5, 1.5, 1.5; loads 10, 3.  And an elastic aggregate alone
 * on a link gets the whole link (link 2, capacity 2.5: f3 gets 2.5). */
static void infinite_demand(void **state)
{
    (void)state;
    sys *s = sys_new();
    add_link(s, 10);
    add_link(s, 3);
    add_link(s, 2.5);
    add_flow(s, INF, PATH(0));
    add_flow(s, 2, PATH(0, 1));
    add_flow(s, INF, PATH(1));
    add_flow(s, INF, PATH(2));
    assert_int_equal(solve(s), BS_OK);
    expect_rates(s, (double[]){8.5, 1.5, 1.5, 2.5}, 10);
    expect_loads(s, (double[]){10, 3, 2.5}, 10);
    assert_int_equal(s->st.at_demand, 0);
    free(s);
}

/* An aggregate that lists a link twice loads it twice.  One link of
 * capacity 6: f0 crosses it twice, f1 once, both elastic.  At level x the
 * link carries 2x + x = 3x: it saturates at 2.  Rates 2, 2; load 6. */
static void repeated_link(void **state)
{
    (void)state;
    sys *s = sys_new();
    add_link(s, 6);
    add_flow(s, INF, PATH(0, 0));
    add_flow(s, INF, PATH(0));
    assert_int_equal(solve(s), BS_OK);
    expect_rates(s, (double[]){2, 2}, 6);
    expect_loads(s, (double[]){6}, 6);
    assert_int_equal(s->st.updates, 3);
    free(s);
}

/* No aggregates (any links): nothing to do, every link carries 0.  No links
 * and aggregates with empty paths: each gets its demand (4, 0). */
static void nothing_to_share(void **state)
{
    (void)state;
    sys *s = sys_new();
    add_link(s, 3);
    s->load[0] = -1;
    assert_int_equal(solve(s), BS_OK);
    expect_loads(s, (double[]){0}, 1);
    assert_int_equal(s->st.rounds, 0);
    free(s);

    s = sys_new();
    add_flow(s, 4, 0, NULL);
    add_flow(s, 0, 0, NULL);
    assert_int_equal(solve(s), BS_OK);
    expect_rates(s, (double[]){4, 0}, 4);
    free(s);
}

/* ---- hand-made weighted systems ---- */

/* One link of capacity 100,001: an aggregate of 100,000 calls (weight
 * 100,000) and one of a single call (weight 1), both elastic.  The link
 * saturates at level 100,001 / 100,001 = 1: the big aggregate gets
 * 100,000 x 1, the single call 1 (each call the same), not half each. */
static void weighted_many_against_one(void **state)
{
    (void)state;
    sys *s = sys_new();
    add_link(s, 100001);
    add_wflow(s, 100000, INF, PATH(0));
    add_wflow(s, 1, INF, PATH(0));
    assert_int_equal(solve(s), BS_OK);
    expect_rates(s, (double[]){100000, 1}, 100001);
    expect_loads(s, (double[]){100001}, 100001);
    assert_int_equal(s->st.bottlenecks, 1);
    free(s);
}

/* One link of capacity 10; f0 (weight 2) wants 2, f1 (weight 1) and f2
 * (weight 2) are elastic.  W = 5: the link would saturate at 10 / 5 = 2, but
 * f0 reaches its demand at level 2 / 2 = 1 first and freezes at 2.  The link
 * has 8 left for W = 3: level 8/3, f1 gets 8/3, f2 2 x 8/3 = 16/3.  Load
 * 2 + 8/3 + 16/3 = 10. */
static void weighted_demand_first(void **state)
{
    (void)state;
    sys *s = sys_new();
    add_link(s, 10);
    add_wflow(s, 2, 2, PATH(0));
    add_wflow(s, 1, INF, PATH(0));
    add_wflow(s, 2, INF, PATH(0));
    assert_int_equal(solve(s), BS_OK);
    expect_rates(s, (double[]){2, 8.0 / 3, 16.0 / 3}, 10);
    expect_loads(s, (double[]){10}, 10);
    assert_int_equal(s->st.at_demand, 1);
    free(s);
}

/* Links A = 0 (capacity 10) and B = 1 (capacity 4) in series, all elastic:
 * f0 (weight 3) on A and B, f1 (weight 1) on B, f2 (weight 1) on A.  B has
 * W = 4 (saturates at 1), A W = 4 (at 2.5): B first, f0 freezes at 3 x 1 =
 * 3 and f1 at 1.  A has 10 - 3 = 7 left for f2 alone: 7.  Rates 3, 1, 7;
 * loads 10, 4.  Unweighted, f0 would get 2 (two_bottlenecks_in_series). */
static void weighted_two_bottlenecks(void **state)
{
    (void)state;
    sys *s = sys_new();
    add_link(s, 10);
    add_link(s, 4);
    add_wflow(s, 3, INF, PATH(0, 1));
    add_wflow(s, 1, INF, PATH(1));
    add_wflow(s, 1, INF, PATH(0));
    assert_int_equal(solve(s), BS_OK);
    expect_rates(s, (double[]){3, 1, 7}, 10);
    expect_loads(s, (double[]){10, 4}, 10);
    assert_int_equal(s->st.bottlenecks, 2);
    free(s);
}

/* A weighted aggregate that crosses its link twice: capacity 10, f0 (weight
 * 2) twice, f1 (weight 1) once, both elastic.  W = 2 x 2 + 1 = 5: level 2,
 * f0 gets 2 x 2 = 4 (loading the link 8), f1 2.  Load 10. */
static void weighted_repeated_link(void **state)
{
    (void)state;
    sys *s = sys_new();
    add_link(s, 10);
    add_wflow(s, 2, INF, PATH(0, 0));
    add_wflow(s, 1, INF, PATH(0));
    assert_int_equal(solve(s), BS_OK);
    expect_rates(s, (double[]){4, 2}, 10);
    expect_loads(s, (double[]){10}, 10);
    free(s);
}

/* Weights in a ratio of 10^8 (0.001 and 10^5 flows, both elastic, on one link
 * of capacity 1): the level is 1 / (10^5 + 0.001); the small one gets
 * 0.001 times it, the big one the rest. */
static void weighted_far_apart(void **state)
{
    (void)state;
    sys *s = sys_new();
    add_link(s, 1);
    add_wflow(s, 0.001, INF, PATH(0));
    add_wflow(s, 1e5, INF, PATH(0));
    assert_int_equal(solve(s), BS_OK);
    double level = 1 / (1e5 + 0.001);
    expect_rates(s, (double[]){0.001 * level, 1e5 * level}, 1);
    expect_loads(s, (double[]){1}, 1);
    free(s);
}

/* ---- random problems ---- */

/* A random problem: 1-12 links, 1-40 aggregates, paths of 0-5 links (a link
 * may repeat).  With `ties`, capacities and demands are small integers
 * (including 0), so that many events fall on the same level; otherwise
 * capacities are log-uniform over 10^-1..10^3 (5% zero) and demands
 * log-uniform over 10^-2..10^3, with 30% elastic and 5% zero. */
static void random_problem(gsl_rng *r, sys *s, int ties, int max_links, int max_flows)
{
    static const double small_cap[] = {0, 1, 2, 3, 4, 6, 12};
    static const double small_dem[] = {0, 1, 2, 3, INF, INF};
    memset(&s->p, 0, sizeof s->p);
    s->p = (flow_problem){
        .capacity = s->cap, .demand = s->dem, .path_off = s->off, .path_link = s->link};
    int n_links = 1 + (int)gsl_rng_uniform_int(r, (unsigned long)max_links);
    int n_flows = 1 + (int)gsl_rng_uniform_int(r, (unsigned long)max_flows);
    for (int l = 0; l < n_links; l++) {
        double c =
            ties ? small_cap[gsl_rng_uniform_int(r, 7)] : pow(10, -1 + 4 * gsl_rng_uniform(r));
        if (!ties && gsl_rng_uniform(r) < 0.05)
            c = 0;
        add_link(s, c);
    }
    for (int f = 0; f < n_flows; f++) {
        double u = gsl_rng_uniform(r);
        double d = ties       ? small_dem[gsl_rng_uniform_int(r, 6)]
                   : u < 0.3  ? INF
                   : u < 0.35 ? 0
                              : pow(10, -2 + 5 * gsl_rng_uniform(r));
        uint32_t path[5];
        int n = (int)gsl_rng_uniform_int(r, 6);
        for (int i = 0; i < n; i++)
            path[i] = (uint32_t)gsl_rng_uniform_int(r, (unsigned long)n_links);
        if (n == 0 && isinf(d))
            d = 1;
        add_flow(s, d, n, path);
    }
}

/* Give the aggregates of s random weights: with `ties` small integers (1, 2,
 * 3 or 6), otherwise log-uniform over 10^-3..10^5. */
static void random_weights(gsl_rng *r, sys *s, int ties)
{
    static const double small[] = {1, 2, 3, 6};
    for (uint32_t f = 0; f < s->p.n_flows; f++)
        s->wt[f] = ties ? small[gsl_rng_uniform_int(r, 4)] : pow(10, -3 + 8 * gsl_rng_uniform(r));
    s->p.weight = s->wt;
}

static double weight_of(const flow_problem *p, uint32_t f)
{
    return p->weight ? p->weight[f] : 1.0;
}

/* The largest capacity or finite demand, at least 1. */
static double scale_of(const flow_problem *p)
{
    double m = 1;
    for (uint32_t l = 0; l < p->n_links; l++)
        m = fmax(m, p->capacity[l]);
    for (uint32_t f = 0; f < p->n_flows; f++)
        if (isfinite(p->demand[f]))
            m = fmax(m, p->demand[f]);
    return m;
}

/* Check rates and loads against the definition of (weighted) max-min
 * fairness, the optimality conditions of flow.h:
 *  - a link's load is the sum of the rates through it (with multiplicity)
 *    and at most its capacity;
 *  - 0 <= rate <= demand; an empty path gets its demand;
 *  - every other aggregate is at its demand, or crosses a saturated link on
 *    which no aggregate has a larger rate per weight (its bottleneck).
 * Rates per weight are compared with the tolerance scaled by the weight. */
static void expect_max_min_fair(const flow_problem *p, const double *rate, const double *load)
{
    double scale = scale_of(p);
    double sum[MAX_LINKS] = {0}, top[MAX_LINKS] = {0};
    for (uint32_t f = 0; f < p->n_flows; f++) {
        for (uint32_t e = p->path_off[f]; e < p->path_off[f + 1]; e++) {
            sum[p->path_link[e]] += rate[f];
            top[p->path_link[e]] = fmax(top[p->path_link[e]], rate[f] / weight_of(p, f));
        }
    }
    for (uint32_t l = 0; l < p->n_links; l++) {
        expect_near(load[l], sum[l], scale, "load", (int)l);
        if (load[l] > p->capacity[l])
            expect_near(load[l], p->capacity[l], scale, "load over capacity", (int)l);
    }
    for (uint32_t f = 0; f < p->n_flows; f++) {
        assert_true(rate[f] >= 0);
        if (rate[f] > p->demand[f])
            expect_near(rate[f], p->demand[f], scale, "rate over demand", (int)f);
        if (near(rate[f], p->demand[f], scale))
            continue;
        assert_true(p->path_off[f + 1] > p->path_off[f]); /* an empty path is at its demand */
        int bottleneck = 0;
        for (uint32_t e = p->path_off[f]; e < p->path_off[f + 1]; e++) {
            uint32_t l = p->path_link[e];
            bottleneck |= near(load[l], p->capacity[l], scale) &&
                          rate[f] / weight_of(p, f) >= top[l] - TOL * scale / weight_of(p, f);
        }
        if (!bottleneck) {
            print_error("aggregate %u: rate %.17g below its demand %g with no bottleneck\n", f,
                        rate[f], p->demand[f]);
            fail();
        }
    }
}

/* Weighted progressive filling the slow, obvious way: each round recomputes,
 * for every link, the load of its frozen aggregates and the weight of its
 * unfrozen entries; the level goes to the least of the unfrozen demands per
 * weight and the links' fair shares per weight (capacity left / unfrozen
 * weight); everything that reaches its demand or sits on a link whose share
 * is the level freezes there, at weight x level (its demand if that is
 * less).  Without weights, every weight is 1. */
static void reference(const flow_problem *p, double *rate)
{
    static int frozen[MAX_FLOWS], freeze_now[MAX_FLOWS];
    double used[MAX_LINKS], share[MAX_LINKS], open[MAX_LINKS];
    int left = 0;
    for (uint32_t f = 0; f < p->n_flows; f++) {
        frozen[f] = p->path_off[f] == p->path_off[f + 1];
        rate[f] = frozen[f] ? p->demand[f] : 0;
        left += !frozen[f];
    }
    while (left > 0) {
        for (uint32_t l = 0; l < p->n_links; l++)
            used[l] = 0, open[l] = 0;
        for (uint32_t f = 0; f < p->n_flows; f++)
            for (uint32_t e = p->path_off[f]; e < p->path_off[f + 1]; e++) {
                if (frozen[f])
                    used[p->path_link[e]] += rate[f];
                else
                    open[p->path_link[e]] += weight_of(p, f);
            }
        double level = INF;
        for (uint32_t f = 0; f < p->n_flows; f++)
            if (!frozen[f])
                level = fmin(level, p->demand[f] / weight_of(p, f));
        for (uint32_t l = 0; l < p->n_links; l++) {
            share[l] = open[l] > 0 ? (p->capacity[l] - used[l]) / open[l] : INF;
            level = fmin(level, share[l]);
        }
        assert_true(isfinite(level));
        for (uint32_t f = 0; f < p->n_flows; f++) {
            freeze_now[f] = !frozen[f] && p->demand[f] / weight_of(p, f) <= level;
            for (uint32_t e = p->path_off[f]; e < p->path_off[f + 1] && !frozen[f]; e++)
                freeze_now[f] |= share[p->path_link[e]] <= level;
        }
        for (uint32_t f = 0; f < p->n_flows; f++) {
            if (freeze_now[f]) {
                rate[f] = fmin(p->demand[f], weight_of(p, f) * level);
                frozen[f] = 1;
                left--;
            }
        }
    }
}

/* N_RANDOM random problems (seed 2024, run 1), half with small-integer
 * capacities and demands: every answer is max-min fair by the definition. */
static void random_conservation_and_optimality(void **state)
{
    (void)state;
    gsl_rng *r = rng_stream(2024, 1, "test.flow.definition");
    assert_non_null(r);
    flow_solver *fs = flow_solver_new();
    assert_non_null(fs);
    sys *s = sys_new();
    for (int k = 0; k < N_RANDOM; k++) {
        random_problem(r, s, k % 2, 12, 40);
        assert_int_equal(flow_solve(fs, &s->p, s->rate, s->load, &s->st), BS_OK);
        expect_max_min_fair(&s->p, s->rate, s->load);
        assert_int_equal(s->st.updates, s->off[s->p.n_flows]);
    }
    free(s);
    flow_solver_free(fs);
    gsl_rng_free(r);
}

/* N_RANDOM random problems (seed 2024, run 2), half with ties: the same rates
 * as the slow reference.  Then 6 larger ones (up to 400 links and 4000
 * aggregates), where the heap is deep and many keys go stale. */
static void random_agree_with_reference(void **state)
{
    (void)state;
    gsl_rng *r = rng_stream(2024, 2, "test.flow.reference");
    assert_non_null(r);
    flow_solver *fs = flow_solver_new();
    assert_non_null(fs);
    sys *s = sys_new();
    static double want[MAX_FLOWS];
    for (int k = 0; k < N_RANDOM + 6; k++) {
        int big = k >= N_RANDOM;
        random_problem(r, s, k % 2, big ? MAX_LINKS : 12, big ? MAX_FLOWS : 40);
        assert_int_equal(flow_solve(fs, &s->p, s->rate, s->load, NULL), BS_OK);
        reference(&s->p, want);
        expect_rates(s, want, scale_of(&s->p));
        if (big)
            expect_max_min_fair(&s->p, s->rate, s->load);
    }
    free(s);
    flow_solver_free(fs);
    gsl_rng_free(r);
}

/* N_RANDOM random weighted problems (seed 2024, run 4), half with small
 * integer capacities, demands and weights: every answer meets the weighted
 * optimality conditions, and agrees with the weighted reference.  And
 * weights all 1 give bit for bit the answer without weights. */
static void random_weighted(void **state)
{
    (void)state;
    gsl_rng *r = rng_stream(2024, 4, "test.flow.weighted");
    assert_non_null(r);
    flow_solver *fs = flow_solver_new();
    assert_non_null(fs);
    sys *s = sys_new();
    static double want[MAX_FLOWS], plain[MAX_FLOWS];
    for (int k = 0; k < N_RANDOM + 6; k++) {
        int big = k >= N_RANDOM;
        random_problem(r, s, k % 2, big ? MAX_LINKS : 12, big ? MAX_FLOWS : 40);
        assert_int_equal(flow_solve(fs, &s->p, plain, NULL, NULL), BS_OK);
        for (uint32_t f = 0; f < s->p.n_flows; f++)
            s->wt[f] = 1;
        s->p.weight = s->wt;
        assert_int_equal(flow_solve(fs, &s->p, s->rate, NULL, NULL), BS_OK);
        assert_memory_equal(plain, s->rate, s->p.n_flows * sizeof *plain);
        random_weights(r, s, k % 2);
        assert_int_equal(flow_solve(fs, &s->p, s->rate, s->load, &s->st), BS_OK);
        expect_max_min_fair(&s->p, s->rate, s->load);
        assert_int_equal(s->st.updates, s->off[s->p.n_flows]);
        reference(&s->p, want);
        expect_rates(s, want, scale_of(&s->p));
    }
    free(s);
    flow_solver_free(fs);
    gsl_rng_free(r);
}

/* A solver reused across problems of different sizes (large, small, large)
 * gives bit for bit what a fresh solver gives. */
static void reuse_gives_the_same_answer(void **state)
{
    (void)state;
    gsl_rng *r = rng_stream(2024, 3, "test.flow.reuse");
    assert_non_null(r);
    flow_solver *kept = flow_solver_new();
    assert_non_null(kept);
    sys *s = sys_new();
    static double again[MAX_FLOWS], load_again[MAX_LINKS];
    for (int k = 0; k < 20; k++) {
        int big = k % 3 != 1;
        random_problem(r, s, k % 2, big ? MAX_LINKS : 5, big ? MAX_FLOWS : 10);
        assert_int_equal(flow_solve(kept, &s->p, again, load_again, NULL), BS_OK);
        assert_int_equal(solve(s), BS_OK);
        assert_memory_equal(again, s->rate, s->p.n_flows * sizeof *again);
        assert_memory_equal(load_again, s->load, s->p.n_links * sizeof *load_again);
    }
    free(s);
    flow_solver_free(kept);
    gsl_rng_free(r);
}

/* ---- bad input ---- */

/* Solve a broken problem: BS_EINPUT, a message containing `names`, and the
 * outputs left untouched. */
static void expect_rejected(sys *s, const char *names)
{
    for (uint32_t f = 0; f < s->p.n_flows; f++)
        s->rate[f] = -7;
    bs_clear_error();
    flow_solver *fs = flow_solver_new();
    assert_non_null(fs);
    int st = flow_solve(fs, &s->p, s->rate, s->load, NULL);
    flow_solver_free(fs);
    if (st != BS_EINPUT || !strstr(bs_last_error(), names)) {
        print_error("status %d, message \"%s\": expected BS_EINPUT naming \"%s\"\n", st,
                    bs_last_error(), names);
        fail();
    }
    for (uint32_t f = 0; f < s->p.n_flows; f++)
        assert_true(s->rate[f] == -7);
}

/* A good problem (two links of capacity 4 and 6; f0 elastic on both, f1
 * wants 1 on link 1, f2 wants 2 on no link), then one fault at a time. */
static sys *good(void)
{
    sys *s = sys_new();
    add_link(s, 4);
    add_link(s, 6);
    add_flow(s, INF, PATH(0, 1));
    add_flow(s, 1, PATH(1));
    add_flow(s, 2, 0, NULL);
    assert_int_equal(solve(s), BS_OK);
    expect_rates(s, (double[]){4, 1, 2}, 6);
    return s;
}

static void bad_input(void **state)
{
    (void)state;
    sys *s;
#define CASE(fault, names)                                                                         \
    do {                                                                                           \
        s = good();                                                                                \
        fault;                                                                                     \
        expect_rejected(s, names);                                                                 \
        free(s);                                                                                   \
    } while (0)
    CASE(s->dem[1] = NAN, "aggregate 1: demand nan");
    CASE(s->dem[1] = -1, "aggregate 1: demand -1");
    CASE(s->dem[0] = -INF, "aggregate 0: demand -inf");
    CASE(s->dem[2] = INF, "aggregate 2: infinite demand on an empty path");
    CASE(s->cap[1] = NAN, "link 1: capacity nan");
    CASE(s->cap[0] = -0.5, "link 0: capacity -0.5");
    CASE(s->cap[1] = INF, "link 1: infinite capacity");
    CASE(s->link[1] = 2, "aggregate 0: path entry 1 is link 2, but there are 2 links");
    CASE(s->link[2] = UINT32_MAX, "aggregate 1: path entry 0 is link 4294967295");
    CASE(s->off[2] = 1, "aggregate 1: its path ends at entry 1, before it starts (2)");
    CASE(s->off[0] = 1, "aggregate 0: its path starts at entry 1");
    CASE(s->p.capacity = NULL, "2 links but no capacities");
    CASE(s->p.demand = NULL, "3 aggregates but no demands");
    CASE(s->p.path_off = NULL, "3 aggregates but no demands or paths");
    CASE(s->p.path_link = NULL, "3 path entries but no links");
    CASE((s->p.weight = s->wt, s->wt[1] = 0), "aggregate 1: weight 0 is not a finite number > 0");
    CASE((s->p.weight = s->wt, s->wt[2] = -1), "aggregate 2: weight -1");
    CASE((s->p.weight = s->wt, s->wt[0] = NAN), "aggregate 0: weight nan");
    CASE((s->p.weight = s->wt, s->wt[0] = INF), "aggregate 0: weight inf");
#undef CASE
    /* No place for the rates. */
    s = good();
    flow_solver *fs = flow_solver_new();
    assert_int_equal(flow_solve(fs, &s->p, NULL, NULL, NULL), BS_EINPUT);
    assert_non_null(strstr(bs_last_error(), "nowhere to put their rates"));
    flow_solver_free(fs);
    free(s);
    flow_solver_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_bottleneck),
        cmocka_unit_test(two_bottlenecks_in_series),
        cmocka_unit_test(parking_lot),
        cmocka_unit_test(demand_below_fair_share),
        cmocka_unit_test(demand_equal_to_fair_share),
        cmocka_unit_test(zero_capacity_link),
        cmocka_unit_test(empty_path),
        cmocka_unit_test(infinite_demand),
        cmocka_unit_test(repeated_link),
        cmocka_unit_test(nothing_to_share),
        cmocka_unit_test(weighted_many_against_one),
        cmocka_unit_test(weighted_demand_first),
        cmocka_unit_test(weighted_two_bottlenecks),
        cmocka_unit_test(weighted_repeated_link),
        cmocka_unit_test(weighted_far_apart),
        cmocka_unit_test(random_conservation_and_optimality),
        cmocka_unit_test(random_agree_with_reference),
        cmocka_unit_test(random_weighted),
        cmocka_unit_test(reuse_gives_the_same_answer),
        cmocka_unit_test(bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
