/* Unit tests of the population's memory estimate (models/README.md, section
 * 10) against the population it estimates: the same number of agents, the
 * contact entries expected from the degree distribution, and the bytes the
 * built population reports holding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <math.h>

#include "population/population.h"
#include "sim/sim.h"
#include "testutil.h"

/* 600,000 + 400,001 people at one per agent; 10 contacts on average, 5% and
 * 20% of them abroad: expected domestic entries 600,000 * 10 * 0.95 +
 * 400,001 * 10 * 0.8 = 8,900,008. */
static const char cfg[] =
    "scenario = { name = \"t\"; start = \"2025-01-01\"; end = \"2025-01-03\"; seed = 5; };\n"
    "population = { scale = 1.0; contacts_mean = 10.0; };\n"
    "regions = ( { name = \"a\"; population = 600000.0; abroad_share = 0.05;\n"
    "              isps = ( { name = \"m\"; share = 1.0; } ); },\n"
    "            { name = \"b\"; population = 400001.0; abroad_share = 0.2;\n"
    "              isps = ( { name = \"m\"; share = 1.0; } ); } );\n"
    "apps = ( { name = \"x\"; installed = 0.7; } );\n"
    "vpns = ( { name = \"v\"; detectability = 0.5; initial = 0.1; } );\n"
    "events = ();\n";

static void estimate_matches_population(void **state)
{
    (void)state;
    world *w = malloc(sizeof *w);
    tu_load(cfg, w);
    pop_memory m = population_estimate(w);
    assert_true(m.contacts > 8900007 && m.contacts < 8900009);
    population *p = population_new(w);
    assert_non_null(p);
    /* Agents: the same rounding of each region's people as population_new. */
    assert_int_equal((uint32_t)m.agents, population_agents(p));
    /* Entries: every domestic stub but self-pairs and a pool's odd stub
     * (a few per million), and the sum of 10^6 negative binomials has a
     * relative spread of sqrt(4 * 10 / 10^6) / 10 = 0.06%: within 1%. */
    double got = (double)population_contacts(p);
    assert_true(got > 0.99 * m.contacts && got < 1.01 * m.contacts);
    /* Bytes kept: population_bytes counts the arrays at their size; the
     * estimate also rounds those of 2 MiB or more up to whole huge pages (7
     * of them here: installed, card, order, frust, offsets, adjacency, and
     * nothing else reaches 2 MiB at 10^6 agents) and counts lanes and
     * counts. */
    double bytes = (double)population_bytes(p);
    assert_true(m.kept > 0.99 * bytes);
    assert_true(m.kept < 1.01 * bytes + 7 * 2097152.0 + 65536);
    /* Building holds, besides what it keeps, one group's list of stubs (4
     * bytes each; a group is at most a 16th of the domestic stubs, or 2^18
     * stubs when that is more, and no more than the largest scope: here the
     * country's 0.2 of them, over the 16th) and two matrices of a uint64 per
     * chunk of 2^18 agents (counted as ceil(n / 2^18 + 1) = 5 here) and
     * bucket of 2^16 stubs in the largest scope (region a's 0.8 of 5.7e6
     * stubs: 70, plus 3): 2 * 8 * 5 * 73 = 5.8 KB. */
    double list = 4.0 * m.contacts / 16;
    assert_true(m.build_peak >= m.kept + list && m.build_peak < m.kept + list + 6000);
    population_free(p);
    /* No network: the flow engine and its tally cost nothing. */
    sim_memory s = sim_estimate(w);
    assert_true(s.flow == 0 && s.population == m.kept && s.peak >= s.build_peak);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(estimate_matches_population)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
