/* Statistical tests of the population engine's core mechanisms (models/README.md,
 * section 4; population.h): retries, the learning of the order, the VPN
 * hazard, returns, and adoption (the thinning of block_adopt, and the Bass
 * daily step).
 *
 * Each test builds a tiny world (one region, one ISP, a complete graph, a
 * few apps, chosen parameters) where the expected value has a closed form,
 * derived in the test's comment, runs the engine, and compares the observed
 * statistic with it within TOL standard errors.  TOL = 5: a normal variable
 * leaves +-5 SE with probability 5.7e-7, so the 27 checks below fail by
 * chance with probability about 1.5e-5.  Nothing depends on particular
 * random draws: any correct stream of uniforms passes.
 *
 * Common premises of the worlds:
 *  - `complete` graph: every agent has n - 1 contacts, all in the country
 *    and on the same ISP, so a call passes with the product of the box's pass
 *    probability at both ends: P = pass^2.
 *  - the censor's `ip` technique detects every class (1.0) with no
 *    collateral, the ISP's coverage is 1 and no calibration table: a block of
 *    strength s passes 1 - s of an app's calls at a box (models/README.md,
 *    section 3).  Strengths are chosen so that 1 - s is exact in the float
 *    the censor's table holds (0.5, 0.75, 0).
 *  - a preference of 1 against 1e-40: the Gumbel keys of the initial order
 *    differ by log(1e40) = 92, more than the spread of a Gumbel key drawn
 *    from a double uniform (about -3.6 to 37), so every agent starts with the
 *    same order.
 *  - no adoption (bass_p = bass_q = 0) and no VPN unless a test wants them,
 *    return_rate 0 unless the test is about returns, aversion 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <math.h>

#include "censor/censor.h"
#include "population/population.h"
#include "world/events.h"
#include "testutil.h"

#define TOL 5.0

/* The second version's behaviour off (models/README.md, section 4): no
 * pairwise switching, a habit that never fades, no uninstalls, messaging use
 * that never stops, VPNs kept unless detected, no word of mouth.  These tests
 * check the first version's laws, which hold exactly then. */
#define V2_OFF                                                                                   \
    "switch_rate = 0.0; habit_time = \"0d\"; uninstall_rate = 0.0; msg_quit = 0.0; msg_start = 0.0; " \
    "vpn_drop = 0.0; vpn_unneeded = 0.0; vpn_social = 0.0;"

static const char cfg_fmt[] =
    "scenario = { name = \"t\"; start = \"2025-01-01\"; end = \"%s\"; seed = %d; };\n"
    "population = { scale = 1.0; graph = \"complete\"; aversion = 0.0; " V2_OFF " %s };\n"
    "regions = ( { name = \"r\"; population = %d.0;\n"
    "              isps = ( { name = \"i\"; share = 1.0; } ); } );\n"
    "censor = { ip = { voice = 1.0; video = 1.0; messaging = 1.0; collateral = 0.0; }; };\n"
    "apps = (\n%s);\n"
    "vpns = (%s);\n"
    "events = (%s);\n";

/* A world, its population and censor, and the counts of the last day (one
 * region, so [region][app] is [app]). */
typedef struct rig {
    world *w;
    population *p;
    censor *c;
    day_rules *d;
    double inst[MAX_APPS], prim[MAX_APPS], vpn[MAX_VPNS], att[MAX_APPS], comp[MAX_APPS],
        fail[MAX_APPS];
    double start_inst[MAX_APPS], start_prim[MAX_APPS];
    pop_day out;
    int day;
} rig;

static void rig_open(rig *r, const char *end, int seed, const char *pop, int agents,
                     const char *apps, const char *vpns, const char *events)
{
    char text[4096];
    snprintf(text, sizeof text, cfg_fmt, end, seed, pop, agents, apps, vpns, events);
    memset(r, 0, sizeof *r);
    r->w = malloc(sizeof *r->w);
    r->d = malloc(sizeof *r->d);
    assert_non_null(r->w);
    assert_non_null(r->d);
    tu_load(text, r->w);
    assert_int_equal(r->w->n_regions, 1);
    r->p = population_new(r->w);
    r->c = censor_new(r->w);
    assert_non_null(r->p);
    assert_non_null(r->c);
    r->out = (pop_day){r->inst, r->prim, r->vpn, r->att, r->comp, r->fail, 0, {0}};
    population_count(r->p, &r->out);
    memcpy(r->start_inst, r->inst, sizeof r->inst);
    memcpy(r->start_prim, r->prim, sizeof r->prim);
}

/* Step one day; the day's counts are in r->out. */
static void rig_day(rig *r)
{
    events_day(r->w, r->day, r->d);
    censor_apply(r->c, r->d);
    int st = population_step(r->p, r->c, r->d, &r->out);
    if (st != BS_OK)
        fail_msg("population_step: %s", bs_last_error());
    r->day++;
}

static void rig_close(rig *r)
{
    censor_free(r->c);
    population_free(r->p);
    free(r->d);
    free(r->w);
}

/* The box's pass probability for a direct voice call on app a (the premise
 * every derivation starts from). */
static double box_pass(const rig *r, int a)
{
    return censor_pass_tunnel(r->c, 0, a, CLASS_VOICE, 0);
}

static double poisson_pmf(double lambda, int k)
{
    return exp(-lambda + k * log(lambda) - lgamma(k + 1.0));
}

/* |observed - expected| <= TOL * se, with the numbers printed. */
static void check(const char *what, double observed, double expected, double se)
{
    print_message("%-44s observed %.6g expected %.6g se %.3g z %+.2f\n", what, observed,
                  expected, se, se > 0 ? (observed - expected) / se : 0.0);
    assert_true(se > 0);
    assert_true(fabs(observed - expected) <= TOL * se);
}

static double sum(const double *x, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += x[i];
    return s;
}

/* ---- retries ---- */

/* Three apps, all installed by everyone, all blocked with strength 0.5: each
 * attempt passes with P = 0.5^2 = 0.25 whatever the app, so the order (and
 * its learning) does not matter and the calls are independent given their
 * number.  An attempt that fails is followed by the next app with
 * probability rho, so with q = (1 - P) rho:
 *   P(attempt k happens) = q^(k-1), k = 1..3,
 *   P(complete on attempt k) = P q^(k-1),
 *   P(fail entirely) = 1 - P (1 + q + q^2),
 *   E[attempts] m1 = 1 + q + q^2,  E[attempts^2] m2 = sum (2k - 1) q^(k-1)
 *                                                = 1 + 3q + 5q^2.
 * Every call either completes or is abandoned, so the calls C = completed +
 * abandoned; given C, the abandoned count is Binomial(C, 1 - P m1) and the
 * attempts a sum of C independent copies (variance C (m2 - m1^2)); and every
 * attempt that did not complete failed: failed = attempts - completed,
 * exactly.  rho = 0.6, P = 0.25: q = 0.45, abandoned share 0.5819. */
static void retries_follow_the_product_formula(void **state)
{
    (void)state;
    const double rho = 0.6;
    rig r;
    rig_open(&r, "2025-01-04", 21,
             "calls_per_day = 2.0; retry = 0.6; return_rate = 0.0; vpn_rate = 0.0;", 20000,
             "{ name = \"x\"; installed = 1.0; bass_p = 0.0; bass_q = 0.0; },\n"
             "{ name = \"y\"; installed = 1.0; bass_p = 0.0; bass_q = 0.0; },\n"
             "{ name = \"z\"; installed = 1.0; bass_p = 0.0; bass_q = 0.0; }\n",
             "",
             "{ date = \"2025-01-01\"; action = \"block\"; apps = [\"x\", \"y\", \"z\"];"
             " technique = \"ip\"; strength = 0.5; }");
    double calls = 0, abandoned = 0, attempts = 0, completed = 0, failed = 0;
    for (int day = 0; day < r.w->n_days; day++) {
        rig_day(&r);
        for (int a = 0; a < 3; a++)
            assert_true(box_pass(&r, a) == 0.5);
        calls += sum(r.comp, 3) + r.out.abandoned;
        abandoned += r.out.abandoned;
        attempts += sum(r.att, 3);
        completed += sum(r.comp, 3);
        failed += sum(r.fail, 3);
    }
    const double pass = 0.25, q = (1 - pass) * rho;
    double m1 = 1 + q + q * q, m2 = 1 + 3 * q + 5 * q * q, p_ab = 1 - pass * m1;
    check("calls abandoned / calls", abandoned / calls, p_ab, sqrt(p_ab * (1 - p_ab) / calls));
    check("attempts / calls", attempts / calls, m1, sqrt((m2 - m1 * m1) / calls));
    assert_true(failed == attempts - completed);
    rig_close(&r);
}

/* Two apps with different pass probabilities, x first for everyone:
 * P_x = 0.5^2 = 0.25, P_y = 0.75^2 = 0.5625, retry rho = 0.7, no returns.
 * The order is A = (x, y) or B = (y, x).  From A a call tries x: it
 * completes (P_x, order kept); or fails, x moves down (now B) and with
 * probability rho y is tried: it completes (y, already first, stays first)
 * or fails and moves down (back to A); the call is then abandoned.  So per
 * call from A (the outcome table below):
 *   attempts on x 1, completed on x P_x, attempts on y (1 - P_x) rho,
 *   completed on y (1 - P_x) rho P_y, abandoned (1 - P_x)(1 - rho P_y),
 * and A -> B with probability alpha = (1 - P_x)(1 - rho + rho P_y); from B
 * the same with x and y exchanged, B -> A with beta = (1 - P_y)(1 - rho +
 * rho P_x).  Day boundaries change nothing here (no returns, adoption or
 * VPN), so over D days an agent makes K ~ Poisson(L = lambda D) calls in a
 * two-state chain started in A: P(state A before call j+1) = pi_A + pi_B
 * r^j, pi_A = beta / (alpha + beta), r = 1 - alpha - beta, and the expected
 * number of calls made in A is
 *   m_A = sum_j P(K > j) (pi_A + pi_B r^j) = pi_A L + pi_B E[(1 - r^K)/(1 - r)]
 *       = pi_A L + pi_B (1 - exp(-L (alpha + beta))) / (alpha + beta),
 * m_B = L - m_A.  Each expected count is N (m_A f_A + m_B f_B), f_S the
 * per-call values above.  The first choice at the end: P(B) = pi_B (1 -
 * E[r^K]) = pi_B (1 - exp(-L (alpha + beta))), binomial over the agents.
 * Standard errors: agents are independent, so the SE of a total is
 * sqrt(N Var X), X one agent's count; Var X comes from the exact law of
 * (state, X) after k calls, carried call by call through the outcome table
 * (first and second moments per state, then mixed over K ~ Poisson(L)),
 * whose mean must equal the closed form above (checked to 1e-9). */
enum { C_ATT_X, C_COMP_X, C_ATT_Y, C_COMP_Y, C_ABANDONED, N_COUNTS };
typedef struct outcome {
    int from, to; /* 0: A = (x, y), 1: B = (y, x) */
    double prob;
    double add[N_COUNTS];
} outcome;

/* E[X] and E[X^2] of count `cnt` of one agent making K ~ Poisson(L) calls
 * from state A, by the outcome table. */
static void count_moments(const outcome *o, int n_o, int cnt, double L, double *mean,
                          double *second)
{
    double m0[2] = {1, 0}, m1[2] = {0, 0}, m2[2] = {0, 0};
    *mean = *second = 0;
    for (int k = 0; k < 100; k++) {
        double pk = poisson_pmf(L, k);
        *mean += pk * (m1[0] + m1[1]);
        *second += pk * (m2[0] + m2[1]);
        double n0[2] = {0, 0}, n1[2] = {0, 0}, n2[2] = {0, 0};
        for (int j = 0; j < n_o; j++) {
            double a = o[j].add[cnt], w = o[j].prob;
            int f = o[j].from, t = o[j].to;
            n0[t] += w * m0[f];
            n1[t] += w * (m1[f] + a * m0[f]);
            n2[t] += w * (m2[f] + 2 * a * m1[f] + a * a * m0[f]);
        }
        memcpy(m0, n0, sizeof m0);
        memcpy(m1, n1, sizeof m1);
        memcpy(m2, n2, sizeof m2);
    }
}

static void retries_in_order_and_learning(void **state)
{
    (void)state;
    const double rho = 0.7, lambda = 1.0;
    const int n = 60000;
    rig r;
    rig_open(&r, "2025-01-03", 22,
             "calls_per_day = 1.0; retry = 0.7; return_rate = 0.0; vpn_rate = 0.0;", n,
             "{ name = \"x\"; installed = 1.0; preference = 1.0; bass_p = 0.0; bass_q = 0.0; },\n"
             "{ name = \"y\"; installed = 1.0; preference = 1e-40; bass_p = 0.0; bass_q = 0.0; }\n",
             "",
             "{ date = \"2025-01-01\"; action = \"block\"; apps = [\"x\"]; technique = \"ip\";"
             " strength = 0.5; },\n"
             "{ date = \"2025-01-01\"; action = \"block\"; apps = [\"y\"]; technique = \"ip\";"
             " strength = 0.25; }");
    assert_true(r.start_prim[0] == n); /* everyone starts with x first */
    double seen[N_COUNTS] = {0};
    for (int day = 0; day < r.w->n_days; day++) {
        rig_day(&r);
        assert_true(box_pass(&r, 0) == 0.5 && box_pass(&r, 1) == 0.75);
        seen[C_ATT_X] += r.att[0];
        seen[C_COMP_X] += r.comp[0];
        seen[C_ATT_Y] += r.att[1];
        seen[C_COMP_Y] += r.comp[1];
        seen[C_ABANDONED] += r.out.abandoned;
    }
    const double px = 0.25, py = 0.5625, L = lambda * r.w->n_days;
    const outcome table[] = {
        {0, 0, px, {1, 1, 0, 0, 0}},
        {0, 1, (1 - px) * (1 - rho), {1, 0, 0, 0, 1}},
        {0, 1, (1 - px) * rho * py, {1, 0, 1, 1, 0}},
        {0, 0, (1 - px) * rho * (1 - py), {1, 0, 1, 0, 1}},
        {1, 1, py, {0, 0, 1, 1, 0}},
        {1, 0, (1 - py) * (1 - rho), {0, 0, 1, 0, 1}},
        {1, 0, (1 - py) * rho * px, {1, 1, 1, 0, 0}},
        {1, 1, (1 - py) * rho * (1 - px), {1, 0, 1, 0, 1}},
    };
    double alpha = (1 - px) * (1 - rho + rho * py), beta = (1 - py) * (1 - rho + rho * px);
    double pi_a = beta / (alpha + beta), pi_b = 1 - pi_a;
    double mix = (1 - exp(-L * (alpha + beta))) / (alpha + beta);
    double m_a = pi_a * L + pi_b * mix, m_b = L - m_a;
    double expect[N_COUNTS] = {
        m_a + m_b * (1 - py) * rho,
        m_a * px + m_b * (1 - py) * rho * px,
        m_b + m_a * (1 - px) * rho,
        m_b * py + m_a * (1 - px) * rho * py,
        m_a * (1 - px) * (1 - rho * py) + m_b * (1 - py) * (1 - rho * px),
    };
    const char *what[N_COUNTS] = {"attempts on x / agents", "completed on x / agents",
                                  "attempts on y / agents", "completed on y / agents",
                                  "abandoned / agents"};
    for (int k = 0; k < N_COUNTS; k++) {
        double mean, second;
        count_moments(table, 8, k, L, &mean, &second);
        assert_true(fabs(mean - expect[k]) < 1e-9);
        check(what[k], seen[k] / n, expect[k], sqrt((second - mean * mean) / n));
    }
    double p_b = pi_b * (1 - exp(-L * (alpha + beta)));
    check("share with y first at the end", r.prim[1] / n, p_b, sqrt(p_b * (1 - p_b) / n));
    assert_true(r.prim[0] + r.prim[1] == n);
    rig_close(&r);
}

/* ---- learning of the order ---- */

/* Three apps, everyone starts with the order (x, y, z); x and y are blocked
 * outright (P = 0), z is not; retry rho = 0.5; one day of K ~ Poisson(L)
 * calls.  A failed app moves one place down; an app that works after a
 * failure moves to the front; the attempts of a call follow the order the
 * call started with.  From A = (x, y, z): x fails -> (y, x, z); abandoned
 * (1 - rho): B = (y, x, z).  Else y fails -> moves one place down -> (x, y,
 * z); abandoned (rho (1 - rho)): A.  Else z completes and goes first
 * (rho^2): Z = (z, ...), where every later call completes on z at once.
 * From B the same with x and y exchanged: B -> A (1 - rho), B -> B (rho (1 -
 * rho)), B -> Z (rho^2).  So after k calls S_k = P(A) + P(B) = (1 - rho^2)^k
 * and D_k = P(A) - P(B) = (rho (1 - rho) - (1 - rho))^k = (-(1 - rho)^2)^k,
 * and with E[c^K] = exp(-L (1 - c)):
 *   P(z first) = 1 - exp(-L rho^2),
 *   P(x first) = (exp(-L rho^2) + exp(-L (1 + (1 - rho)^2))) / 2,
 *   P(y first) = (exp(-L rho^2) - exp(-L (1 + (1 - rho)^2))) / 2.
 * (Were a failed app sent to the bottom instead, or the attempts to follow
 * the order as it changes during the call, these would differ.)  Agents are
 * independent: the counts are multinomial, SE sqrt(p (1 - p) / N). */
static void failed_app_moves_one_place_down(void **state)
{
    (void)state;
    const double rho = 0.5, lambda = 1.5;
    const int n = 20000;
    rig r;
    rig_open(&r, "2025-01-02", 23,
             "calls_per_day = 1.5; retry = 0.5; return_rate = 0.0; vpn_rate = 0.0;", n,
             "{ name = \"x\"; installed = 1.0; preference = 1.0; bass_p = 0.0; bass_q = 0.0; },\n"
             "{ name = \"y\"; installed = 1.0; preference = 1e-40; bass_p = 0.0; bass_q = 0.0; },\n"
             "{ name = \"z\"; installed = 1.0; preference = 1e-80; bass_p = 0.0; bass_q = 0.0; }\n",
             "",
             "{ date = \"2025-01-01\"; action = \"block\"; apps = [\"x\", \"y\"]; "
             "technique = \"ip\"; }");
    assert_true(r.start_prim[0] == n);
    rig_day(&r);
    assert_true(box_pass(&r, 0) == 0 && box_pass(&r, 1) == 0 && box_pass(&r, 2) == 1);
    double e_z = exp(-lambda * rho * rho), e_ab = exp(-lambda * (1 + (1 - rho) * (1 - rho)));
    double expect[3] = {(e_z + e_ab) / 2, (e_z - e_ab) / 2, 1 - e_z};
    const char *what[3] = {"share with x first", "share with y first", "share with z first"};
    for (int a = 0; a < 3; a++)
        check(what[a], r.prim[a] / n, expect[a], sqrt(expect[a] * (1 - expect[a]) / n));
    rig_close(&r);
}

/* ---- the VPN hazard ---- */

/* One app, blocked outright, everyone has it; one VPN protocol, nobody on it
 * at the start, detected nowhere.  On day 0 an agent makes K ~ Poisson(lambda)
 * calls, each failing once (there is no other app to retry on), so its
 * frustration at the VPN step is F = K exactly (it decays only after).  It
 * then adopts the VPN with probability 1 - exp(-h), h = v0 A F / (F + F_half)
 * (population.h, step 3; v0 = vpn_rate, A the availability), so the share of
 * VPN users after day 0 is
 *   sum_k Poisson(k; lambda) (1 - exp(-v0 A k / (k + F_half))),
 * and the count is binomial over the independent agents.  Two regimes: a
 * moderate hazard with the availability halved by a store removal (v0 = 0.4,
 * A = 0.5, F_half = 2, lambda = 3), and the ceiling: the largest v0 the schema
 * allows, 10 a day, with F_half = 20, where the hazard, not the probability,
 * is v0 F / (F + F_half) (a probability capped at 1 would give 0.476 at F =
 * 1, not 1 - exp(-0.476) = 0.379). */
static void vpn_hazard_case(double v0, double avail, double fhalf, double lambda, int seed)
{
    char pop[256], events[512];
    snprintf(pop, sizeof pop,
             "calls_per_day = %g; retry = 1.0; return_rate = 0.0; vpn_rate = %g; "
             "vpn_half = %g;",
             lambda, v0, fhalf);
    snprintf(events, sizeof events,
             "{ date = \"2025-01-01\"; action = \"block\"; apps = [\"x\"]; technique = \"ip\"; }"
             "%s",
             avail < 1 ? ",\n{ date = \"2025-01-01\"; action = \"vpn_store_removal\"; "
                         "strength = 0.5; }"
                       : "");
    const int n = 20000;
    rig r;
    rig_open(&r, "2025-01-02", seed, pop, n,
             "{ name = \"x\"; installed = 1.0; bass_p = 0.0; bass_q = 0.0; }\n",
             "{ name = \"v\"; detectability = 0.5; }", events);
    assert_true(r.start_prim[0] == n && r.vpn[0] == 0);
    rig_day(&r);
    assert_true(r.d->vpn_availability == avail);
    assert_true(box_pass(&r, 0) == 0);
    double expect = 0;
    for (int k = 1; k < 200; k++)
        expect += poisson_pmf(lambda, k) * -expm1(-v0 * avail * k / (k + fhalf));
    char what[96];
    snprintf(what, sizeof what, "VPN users after a day, v0 %g A %g F_half %g", v0, avail, fhalf);
    check(what, r.vpn[0] / n, expect, sqrt(expect * (1 - expect) / n));
    rig_close(&r);
}

static void vpn_adoption_hazard(void **state)
{
    (void)state;
    vpn_hazard_case(0.4, 0.5, 2.0, 3.0, 31);
    vpn_hazard_case(10.0, 1.0, 20.0, 3.0, 32);
}

/* ---- returns ---- */

/* Two apps, x first for everyone (its habitual app), y second.  x is blocked
 * outright on day 0 only (duration 1d).  An agent who calls on day 0 fails
 * once on x, which moves down (y first), and every later call goes on y and
 * works: its F is exactly 1 after the calls.  Frustration halves every day
 * (half-life 1d) after the day's return step, so the return step of day d
 * sees F = 2^-d: 1, 0.5, then 0.25 on day 2, the first below
 * return_frustration = 0.3.  From then on each day it puts x first again with
 * probability r = return_rate = 0.2 (no failure sends it down again: the
 * block is over).  So, with D the agents with y first after day 1 (which
 * must equal those after day 0: nobody may return before day 2):
 *   - after day d >= 2, Binomial(D, (1 - r)^(d-1)) still have y first;
 *   - the waiting time T (eligible days up to and including the return) is
 *     geometric with mean 1/r = 5: sum_{d=1..H} Y_d / D estimates
 *     E[min(T, H)] = (1 - (1 - r)^H) / r, with variance
 *     E[min(T,H)^2] - E[min(T,H)]^2, E[min(T,H)^2] = sum_{j=1..H} (2j - 1)
 *     (1 - r)^(j-1), over D independent agents. */
static void return_is_geometric(void **state)
{
    (void)state;
    const double rate = 0.2;
    const int n = 20000, H = 40;
    rig r;
    rig_open(&r, "2025-02-11", 41,
             "calls_per_day = 2.0; retry = 1.0; vpn_rate = 0.0; return_rate = 0.2; "
             "return_frustration = 0.3; frustration_half_life = \"1d\";",
             n,
             "{ name = \"x\"; installed = 1.0; preference = 1.0; bass_p = 0.0; bass_q = 0.0; },\n"
             "{ name = \"y\"; installed = 1.0; preference = 1e-40; bass_p = 0.0; bass_q = 0.0; }\n",
             "",
             "{ date = \"2025-01-01\"; action = \"block\"; apps = [\"x\"]; technique = \"ip\";"
             " duration = \"1d\"; }");
    assert_true(r.start_prim[0] == n);
    assert_true(r.w->n_days == H + 1);
    double y_first[64];
    for (int d = 0; d < r.w->n_days; d++) {
        rig_day(&r);
        assert_true(box_pass(&r, 0) == (d == 0 ? 0.0 : 1.0));
        y_first[d] = r.prim[1];
    }
    double dev = y_first[1];
    /* Agents with no call on day 0 (Poisson(2) = 0, share e^-2) keep x. */
    double p0 = exp(-2.0);
    check("share sent to y by day 0's block", y_first[0] / n, 1 - p0, sqrt(p0 * (1 - p0) / n));
    assert_true(y_first[1] == y_first[0]); /* F = 1 and 0.5: nobody returns yet */
    int days[] = {2, 3, 5, 8, 12};
    for (size_t k = 0; k < sizeof days / sizeof days[0]; k++) {
        int d = days[k];
        double s = pow(1 - rate, d - 1);
        char what[64];
        snprintf(what, sizeof what, "still on y after day %d", d);
        check(what, y_first[d] / dev, s, sqrt(s * (1 - s) / dev));
    }
    double waited = 0, m1 = 0, m2 = 0;
    for (int d = 1; d <= H; d++)
        waited += y_first[d];
    for (int j = 1; j <= H; j++) {
        m1 += pow(1 - rate, j - 1);
        m2 += (2 * j - 1) * pow(1 - rate, j - 1);
    }
    assert_true(fabs(m1 - (1 - pow(1 - rate, H)) / rate) < 1e-12);
    check("mean eligible days to return (1/r = 5)", waited / dev, m1, sqrt((m2 - m1 * m1) / dev));
    rig_close(&r);
}

/* ---- adoption ---- */

/* Adoption of app a on day 0 by the agents lacking it.  Everyone has x,
 * blocked outright, and calls K ~ Poisson(lambda) times on day 0; an agent
 * lacking a has only x in common with anyone, so each call fails once and
 * its F = K at adoption (which comes after the calls).  Its hazard is
 * h = b + sigma s (1 + kappa K), b = p/365, sigma = q/365, with s estimated
 * from one contact drawn at random among the n - 1 others: it has a with
 * probability s = n_a / (n - 1) (n_a the agents with a at the start; a is
 * not blocked, so it works), so the agent adopts with probability
 *   s (1 - exp(-(b + sigma (1 + kappa K)))) + (1 - s) (1 - exp(-b)),
 * averaged over K ~ Poisson(lambda): the adopters are binomial over the
 * independent agents lacking a.  The engine finds candidates by geometric
 * skips at each block's largest hazard (its largest F) and thins them to
 * each agent's own: exact only if no agent's probability exceeds the bound,
 * which debug builds check (population_step fails with BS_ERUNTIME
 * otherwise).  Extreme parameters spread the hazards over orders of
 * magnitude across agents of the same block (three blocks of agents):
 * kappa = 50, q = 3/year gives h from 0.008 (K = 0) to about 4 (K = 9), the
 * skips at up to 98%; kappa = 1000 (the schema's largest) makes the bound's
 * probability 1 (every agent a candidate). */
static void adoption_case(double kappa, double q, double p, double lambda, int seed)
{
    const int n = 2 * 65536 + 10000;
    char pop[256], apps[512];
    snprintf(pop, sizeof pop,
             "calls_per_day = %g; retry = 1.0; return_rate = 0.0; vpn_rate = 0.0; "
             "adoption_kappa = %g;",
             lambda, kappa);
    snprintf(apps, sizeof apps,
             "{ name = \"x\"; installed = 1.0; preference = 1.0; bass_p = 0.0; bass_q = 0.0; },\n"
             "{ name = \"a\"; installed = 0.3; preference = 1e-40; bass_p = %g; bass_q = %g; }\n",
             p, q);
    rig r;
    rig_open(&r, "2025-01-02", seed, pop, n, apps, "",
             "{ date = \"2025-01-01\"; action = \"block\"; apps = [\"x\"]; technique = \"ip\"; }");
    double n_a = r.start_inst[1];
    rig_day(&r);
    assert_true(box_pass(&r, 0) == 0 && box_pass(&r, 1) == 1);
    double s = n_a / (n - 1), b = p / 365, sigma = q / 365, expect = 0;
    for (int k = 0; k < 200; k++)
        expect += poisson_pmf(lambda, k) *
                  (s * -expm1(-(b + sigma * (1 + kappa * k))) + (1 - s) * -expm1(-b));
    double lacking = n - n_a;
    char what[96];
    snprintf(what, sizeof what, "adopters of a on day 0 / lacking, kappa %g", kappa);
    check(what, (r.inst[1] - n_a) / lacking, expect, sqrt(expect * (1 - expect) / lacking));
    rig_close(&r);
}

static void adoption_thinning_extremes(void **state)
{
    (void)state;
    adoption_case(50.0, 3.0, 0.5, 1.5, 51);
    adoption_case(1000.0, 3.0, 0.5, 1.5, 52);
}

/* Bass adoption of one app, no block, no calls, on a complete graph: on day
 * d, each of the n - I_d agents lacking the app (I_d those with it at the
 * start of the day's adoption) adopts independently with probability
 *   pi_d = s_d (1 - exp(-(b + sigma))) + (1 - s_d) (1 - exp(-b)),
 * s_d = I_d / (n - 1), b = p/365, sigma = q/365: the discrete daily step of
 * the model with s estimated from one random contact (the social hazard
 * counts when that contact has the app).  So, given I_d, the adopters
 * X_d = I_{d+1} - I_d are Binomial(n - I_d, pi_d): the sum over days of
 * X_d - E[X_d | I_d] is a martingale whose normalised sum, divided by the
 * root of the summed conditional variances, is about N(0, 1).  Checked over
 * the whole run and over each quarter of it. */
static void bass_daily_step(void **state)
{
    (void)state;
    const int n = 5000;
    const double p = 0.5, q = 6.0;
    rig r;
    rig_open(&r, "2025-09-08", 61, "calls_per_day = 0.0; return_rate = 0.0; vpn_rate = 0.0;", n,
             "{ name = \"a\"; installed = 0.02; bass_p = 0.5; bass_q = 6.0; }\n", "", "");
    double b = p / 365, sigma = q / 365;
    double dev[4] = {0, 0, 0, 0}, var[4] = {0, 0, 0, 0};
    double before = r.start_inst[0];
    int days = r.w->n_days;
    for (int d = 0; d < days; d++) {
        rig_day(&r);
        double s = before / (n - 1);
        double pi = s * -expm1(-(b + sigma)) + (1 - s) * -expm1(-b);
        double lacking = n - before;
        dev[4 * d / days] += (r.inst[0] - before) - lacking * pi;
        var[4 * d / days] += lacking * pi * (1 - pi);
        before = r.inst[0];
    }
    print_message("installed share at the end %.4f\n", before / n);
    assert_true(before / n > 0.8); /* the run covers most of the curve */
    for (int k = 0; k < 4; k++) {
        char what[64];
        snprintf(what, sizeof what, "adopters - expected, quarter %d", k + 1);
        check(what, dev[k], 0.0, sqrt(var[k]));
    }
    check("adopters - expected, whole run", dev[0] + dev[1] + dev[2] + dev[3], 0.0,
          sqrt(var[0] + var[1] + var[2] + var[3]));
    rig_close(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(retries_follow_the_product_formula),
        cmocka_unit_test(retries_in_order_and_learning),
        cmocka_unit_test(failed_app_moves_one_place_down),
        cmocka_unit_test(vpn_adoption_hazard),
        cmocka_unit_test(return_is_geometric),
        cmocka_unit_test(adoption_thinning_extremes),
        cmocka_unit_test(bass_daily_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
