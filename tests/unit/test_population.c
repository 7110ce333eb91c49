/* Unit tests of the population engine's bookkeeping.  The engine keeps its
 * counts per region up to date as agents change (population.c); a full
 * recount (population_count) must agree with them exactly after any days,
 * blocks, adoption and VPN moves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "censor/censor.h"
#include "world/events.h"
#include "population/population.h"
#include "testutil.h"

static const char cfg[] =
    "scenario = { name = \"t\"; start = \"2025-01-01\"; end = \"2025-04-01\"; seed = 2; };\n"
    "population = { scale = 1.0; calls_per_day = 2.0; adoption_kappa = 5.0; vpn_rate = 0.2;\n"
    "               aversion = 0.3; };\n"
    "regions = ( { name = \"a\"; population = 1500.0; ios_share = 0.4;\n"
    "              isps = ( { name = \"m\"; share = 0.6; }, { name = \"f\"; kind = \"fixed\";\n"
    "                         share = 0.4; coverage = 0.5; } ); },\n"
    "            { name = \"b\"; population = 1000.0;\n"
    "              isps = ( { name = \"m\"; share = 1.0; } ); } );\n"
    "apps = ( { name = \"x\"; installed = 0.7; bass_q = 5.0; },\n"
    "         { name = \"ios\"; platforms = [\"ios\"]; installed = 0.9; },\n"
    "         { name = \"dom\"; servers = \"domestic\"; e2e = false; installed = 0.1;\n"
    "           bass_p = 2.0; },\n"
    "         { name = \"y\"; installed = 0.2; bass_q = 5.0; } );\n"
    "vpns = ( { name = \"plain\"; detectability = 0.9; initial = 0.1; },\n"
    "         { name = \"obf\"; detectability = 0.1; initial = 0.05; } );\n"
    "events = (\n"
    "  { date = \"2025-01-10\"; action = \"block\"; apps = [\"x\"]; technique = \"stun\"; },\n"
    "  { date = \"2025-01-20\"; action = \"vpn_block\"; vpns = [\"plain\"]; },\n"
    "  { date = \"2025-02-01\"; action = \"preinstall\"; apps = [\"dom\"]; },\n"
    "  { date = \"2025-02-10\"; action = \"block\"; apps = [\"ios\"]; technique = \"ip\"; } );\n";

/* Every day of a 90-day run with blocks, adoption, VPN blocking and
 * pre-installation: the running counts equal a recount, exactly. */
static void running_counts_equal_recount(void **state)
{
    (void)state;
    world *w = malloc(sizeof *w);
    tu_load(cfg, w);
    population *p = population_new(w);
    censor *c = censor_new(w);
    assert_non_null(p);
    assert_non_null(c);
    size_t ra = (size_t)w->n_regions * w->n_apps, rv = (size_t)w->n_regions * w->n_vpns;
    double inst[2][8], prim[2][8], vpn[2][8], att[4], comp[4], fail[4];
    pop_day step = {inst[0], prim[0], vpn[0], att, comp, fail, 0, {0}};
    pop_day count = {inst[1], prim[1], vpn[1], att, comp, fail, 0, {0}};
    day_rules *d = malloc(sizeof *d);
    double moved_vpn = 0, installed_first = 0, installed_last = 0;
    for (int day = 0; day < w->n_days; day++) {
        events_day(w, day, d);
        censor_apply(c, d);
        assert_int_equal(population_step(p, c, d, &step), BS_OK);
        population_count(p, &count);
        assert_memory_equal(inst[0], inst[1], ra * sizeof(double));
        assert_memory_equal(prim[0], prim[1], ra * sizeof(double));
        assert_memory_equal(vpn[0], vpn[1], rv * sizeof(double));
        if (day == 0)
            installed_first = inst[0][0] + inst[0][4];
        installed_last = inst[0][0] + inst[0][4];
        moved_vpn += vpn[0][1] + vpn[0][3];
    }
    /* The run did move things: adoption of x and the obfuscated protocol. */
    assert_true(installed_last > installed_first);
    assert_true(moved_vpn > 0);
    free(d);
    censor_free(c);
    population_free(p);
    free(w);
}

/* Agents: population / scale, rounded per region (1500 + 1000); the iOS-only
 * app is installed only on iOS agents, so never more than the iOS agents. */
static void agents_and_platforms(void **state)
{
    (void)state;
    world *w = malloc(sizeof *w);
    tu_load(cfg, w);
    population *p = population_new(w);
    assert_int_equal(population_agents(p), 2500);
    double inst[16], prim[16], vpn[16], att[4], comp[4], fail[4];
    pop_day count = {inst, prim, vpn, att, comp, fail, 0, {0}};
    population_count(p, &count);
    /* region a: 1500 agents, each iOS with 0.4 and then with the app with
     * 0.9: Binomial(1500, 0.36), mean 540, sd 18.6; within 4 sd. */
    assert_true(inst[1] > 540 - 4 * 18.6 && inst[1] < 540 + 4 * 18.6);
    /* region b: default iOS share 0.26: Binomial(1000, 0.234), mean 234,
     * sd 13.4. */
    assert_true(inst[w->n_apps + 1] > 234 - 4 * 13.4 && inst[w->n_apps + 1] < 234 + 4 * 13.4);
    population_free(p);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(running_counts_equal_recount),
        cmocka_unit_test(agents_and_platforms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
