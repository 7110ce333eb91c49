/* Common random numbers (models/README.md, section 4, "Random numbers and
 * threads"): the population engine keys every draw of an agent on a day by
 * (seed, run, agent, day, purpose), so a run with a block and the same run
 * without it draw the same numbers wherever the block does not act.
 *
 * Two checks:
 *  - agents the block cannot reach follow exactly the same path in both
 *    arms (bit for bit);
 *  - the difference a block makes to a summary number varies much less
 *    between replications when the two arms share seed and run (common
 *    random numbers) than when they do not (independent streams).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "testutil.h"

/* Two regions of %d agents each; contacts only within the home region
 * (home_region = 1, no contacts abroad), so nobody in region b ever calls
 * anybody in region a.  Apps: x (preferred), y, and z that people adopt
 * (Bass p and q), so calls, moves, adoption and returns all happen.  No
 * pairwise switching (switch_rate 0): it installs z for pairs whose call on x
 * failed, a large effect of the block decided by the failures' own draws,
 * which the variance test below would measure instead of the keying. */
static const char two_regions[] =
    "scenario = { name = \"crn\"; start = \"2025-01-01\"; end = \"2025-02-15\"; seed = 7; "
    "run = %d; };\n"
    "population = { scale = 1.0; graph = \"negbin\"; contacts_mean = 8.0; home_region = 1.0;\n"
    "               calls_per_day = 1.5; aversion = 0.0; vpn_rate = 0.0; switch_rate = 0.0; };\n"
    "regions = ( { name = \"a\"; population = %d.0; ios_share = 0.3; abroad_share = 0.0;\n"
    "              isps = ( { name = \"ia\"; share = 1.0; coverage = %g; } ); },\n"
    "            { name = \"b\"; population = %d.0; ios_share = 0.3; abroad_share = 0.0;\n"
    "              isps = ( { name = \"ib\"; share = 1.0; } ); } );\n"
    "censor = { ip = { voice = 1.0; video = 1.0; messaging = 1.0; }; };\n"
    "apps = ( { name = \"x\"; installed = 0.9; preference = 4.0; bass_p = 0.0; bass_q = 0.0; },\n"
    "         { name = \"y\"; installed = 0.6; preference = 2.0; bass_p = 0.2; bass_q = 1.0; },\n"
    "         { name = \"z\"; installed = 0.1; preference = 1.0; bass_p = 0.5; bass_q = 2.0; } );\n"
    "events = (%s);\n";

static const char block_x_in_a[] =
    "{ date = \"2025-01-15\"; action = \"block\"; apps = [\"x\"]; technique = \"ip\"; "
    "regions = [\"a\"]; }";

static void run_two_regions(world *w, sim_out *out, int run, int agents, double coverage,
                            const char *events)
{
    char text[4096];
    snprintf(text, sizeof text, two_regions, run, agents, coverage, agents, events);
    tu_load(text, w);
    assert_int_equal(sim_run(w, NULL, NULL, out), BS_OK);
}

/* Region b cannot be reached by a block in region a (no contact crosses),
 * so with common random numbers its counts (installed, first choices and
 * VPN, every day) are the same numbers in a run with the block and the same
 * run without it, while region a's first choices differ (the block acts).
 * With per-block sequential streams (before the keyed draws) region b's
 * agents share streams with region a's, whose extra draws after failures
 * shift theirs: this check failed on that code (see the commit message). */
static void unreachable_agents_identical(void **state)
{
    (void)state;
    world *w = malloc(sizeof *w);
    assert_non_null(w);
    sim_out with, without;
    const int n = 3000;
    run_two_regions(w, &with, 1, n, 1.0, block_x_in_a);
    run_two_regions(w, &without, 1, n, 1.0, "");
    int na = with.n_apps, nv = with.n_vpns;
    int b_same = 1, a_differs = 0;
    double moved = 0;
    for (int d = 0; d < with.n_days; d++) {
        size_t rb = ((size_t)d * 2 + 1) * na, ra = (size_t)d * 2 * na;
        b_same &= memcmp(with.installed + rb, without.installed + rb, na * sizeof(double)) == 0;
        b_same &= memcmp(with.primary + rb, without.primary + rb, na * sizeof(double)) == 0;
        if (nv)
            b_same &= memcmp(with.vpn + ((size_t)d * 2 + 1) * nv,
                             without.vpn + ((size_t)d * 2 + 1) * nv, nv * sizeof(double)) == 0;
        a_differs |= memcmp(with.primary + ra, without.primary + ra, na * sizeof(double)) != 0;
        double m = without.primary[ra] - with.primary[ra];
        if (m > moved)
            moved = m;
    }
    print_message("region b the same every day: %d; region a differs: %d (up to %.0f fewer "
                  "first choices of x)\n",
                  b_same, a_differs, moved);
    assert_true(a_differs);
    assert_true(moved > 0.1 * n);
    assert_true(b_same);
    sim_out_free(&with);
    sim_out_free(&without);
    free(w);
}

/* The effect of a block of x at half coverage in region a on summary
 * numbers of the last day, D_r = S(blocked, run r) - S(open, run s), r =
 * 1..R, with s = r (common random numbers) or s = r + R (independent
 * streams).  The key number: the installs of z, the app people adopt, in the
 * whole country (the block raises them through frustration, kappa).  Var(D)
 * with common random numbers must be below the independent one by a factor
 * of at least MIN_FACTOR.
 *
 * The threshold: measured factor 20.3 with R = 30 (this test's print; 11.0
 * for region a alone, where the block acts; 0.5 for x's first choices in
 * region a, whose spread is the block's own randomness, which common random
 * numbers cannot remove).  A ratio of two sample variances of R = 30
 * near-normal values varies as F(29, 29), whose 0.5% point is 0.38: a true
 * factor of 20 gives measured factors above 7.6 in 99.5% of seeds.
 * MIN_FACTOR = 4 allows for that and fails short of a clear reduction: with
 * independent draws in the two arms the factor is F(29, 29) around 1, above
 * 4 with probability below 1e-4; with the former per-block sequential
 * streams (which share only the initial state and the graph) it measured
 * 2.4. */
#define R 30
#define MIN_FACTOR 4.0

/* Summary numbers of one run, on the last day: [0] x's first choices in
 * region a, [1] y's, [2] z's installs there, [3] failed calls, [4] z's
 * installs over both regions. */
#define N_SUMMARY 5
static void summary(world *w, int run, const char *events, double *s)
{
    sim_out out;
    run_two_regions(w, &out, run, 1500, 0.5, events);
    size_t last = (size_t)(out.n_days - 1) * 2 * out.n_apps;
    s[0] = out.primary[last];
    s[1] = out.primary[last + 1];
    s[2] = out.installed[last + 2];
    s[3] = 0;
    for (int d = 0; d < out.n_days; d++)
        for (int a = 0; a < out.n_apps; a++)
            s[3] += out.failed[(size_t)d * out.n_apps + a];
    s[4] = out.installed[last + 2] + out.installed[last + out.n_apps + 2];
    sim_out_free(&out);
}

static double variance(const double *x, int n)
{
    double m = 0, v = 0;
    for (int i = 0; i < n; i++)
        m += x[i] / n;
    for (int i = 0; i < n; i++)
        v += (x[i] - m) * (x[i] - m) / (n - 1);
    return v;
}

static void crn_reduces_variance(void **state)
{
    (void)state;
    world *w = malloc(sizeof *w);
    assert_non_null(w);
    static double blocked[R][N_SUMMARY], open[2 * R][N_SUMMARY];
    for (int r = 0; r < R; r++)
        summary(w, r + 1, block_x_in_a, blocked[r]);
    for (int r = 0; r < 2 * R; r++)
        summary(w, r + 1, "", open[r]);
    double factor[N_SUMMARY], effect[N_SUMMARY];
    for (int k = 0; k < N_SUMMARY; k++) {
        double crn[R], indep[R], mean = 0;
        for (int r = 0; r < R; r++) {
            crn[r] = blocked[r][k] - open[r][k];
            indep[r] = blocked[r][k] - open[r + R][k];
            mean += crn[r] / R;
        }
        double vc = variance(crn, R), vi = variance(indep, R);
        print_message("summary %d: effect mean %.1f; sd %.2f with common random numbers, %.2f "
                      "with independent streams: factor %.1f\n",
                      k, mean, sqrt(vc), sqrt(vi), vi / vc);
        factor[k] = vi / vc;
        effect[k] = mean;
    }
    assert_true(effect[0] < 0); /* the block moves people off x in region a */
    assert_true(effect[4] > 0); /* and makes them adopt z */
    assert_true(factor[4] > MIN_FACTOR);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unreachable_agents_identical),
        cmocka_unit_test(crn_reduces_variance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
