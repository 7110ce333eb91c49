/* Unit tests of the social graph (models/graph.h).  Each test states the
 * expected value; tolerances are a stated number of standard errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <math.h>

#include "graph.h"
#include "rng.h"
#include "testutil.h"

/* A world of `regions` regions of `per_region` people each, one ISP. */
static void make_world(world *w, int regions, int per_region, double abroad, double home,
                       double homophily, double mean, double size)
{
    char text[4096], list[2048] = "";
    for (int r = 0; r < regions; r++)
        snprintf(list + strlen(list), sizeof list - strlen(list),
                 "%s{ name = \"r%d\"; population = %d.0; abroad_share = %g; "
                 "isps = ( { name = \"i\"; share = 1.0; } ); }",
                 r ? ",\n" : "", r, per_region, abroad);
    snprintf(text, sizeof text,
             "scenario = { name = \"g\"; start = \"2025-01-01\"; end = \"2025-01-02\"; };\n"
             "population = { scale = 1.0; home_region = %g; platform_homophily = %g;\n"
             "  contacts_mean = %g; contacts_size = %g; };\n"
             "regions = ( %s );\napps = ( { name = \"x\"; } );\n",
             home, homophily, mean, size, list);
    tu_load(text, w);
}

/* Region by blocks of agents; iOS (flag bit 0) for every agent with
 * (i % 10) < ios_tenths. */
static void make_agents(int n, int per_region, int ios_tenths, uint8_t *region, uint8_t *flags)
{
    for (int i = 0; i < n; i++) {
        region[i] = (uint8_t)(i / per_region);
        flags[i] = (uint8_t)(i % 10 < ios_tenths);
    }
}

/* The CSR is well formed and symmetric: offsets rise, neighbours are agents,
 * no self-loops, and i lists j as often as j lists i (checked through the
 * sum over edges of i*n + j against j*n + i, and degree sums). */
static void csr_symmetric(void **state)
{
    (void)state;
    world *w = malloc(sizeof *w);
    const int per = 3000, regions = 3, n = per * regions;
    make_world(w, regions, per, 0.1, 0.8, 0.3, 10, 3);
    uint8_t region[n], flags[n];
    make_agents(n, per, 3, region, flags);
    gsl_rng *r = rng_stream(1, 0, "test.graph");
    graph g;
    assert_int_equal(graph_build(w, n, region, flags, r, &g), BS_OK);
    double forward = 0, backward = 0;
    for (int i = 0; i < n; i++) {
        assert_true(g.off[i] <= g.off[i + 1]);
        for (uint64_t e = g.off[i]; e < g.off[i + 1]; e++) {
            uint32_t j = g.adj[e];
            assert_true(j < (uint32_t)n && j != (uint32_t)i);
            forward += (double)i * n + j;
            backward += (double)j * n + i;
        }
    }
    assert_true(forward == backward);
    graph_free(&g);
    gsl_rng_free(r);
    free(w);
}

/* Degrees: NegBin(mean 10, size 3), a share 0.1 of contacts abroad.  A
 * thinned negative binomial is negative binomial with the same size: contacts
 * abroad have mean 1 and variance 1 + 1/3, domestic ones mean 9 and variance
 * 9 + 81/3 = 36.  Over 9,000 agents each mean is within 4 standard errors
 * sqrt(var/n) (domestic: less the rare self-loop and odd stub dropped). */
static void degrees_and_abroad(void **state)
{
    (void)state;
    world *w = malloc(sizeof *w);
    const int per = 3000, regions = 3, n = per * regions;
    make_world(w, regions, per, 0.1, 0.8, 0.3, 10, 3);
    uint8_t region[n], flags[n];
    make_agents(n, per, 3, region, flags);
    gsl_rng *r = rng_stream(2, 0, "test.graph");
    graph g;
    assert_int_equal(graph_build(w, n, region, flags, r, &g), BS_OK);
    double abroad = 0, domestic = (double)g.off[n];
    for (int i = 0; i < n; i++)
        abroad += g.abroad[i];
    double se_abroad = sqrt((1 + 1.0 / 3) / n), se_domestic = sqrt(36.0 / n);
    print_message("mean abroad %.3f (se %.3f), domestic %.3f (se %.3f)\n", abroad / n,
                  se_abroad, domestic / n, se_domestic);
    assert_true(fabs(abroad / n - 1.0) < 4 * se_abroad);
    assert_true(fabs(domestic / n - 9.0) < 4 * se_domestic);
    graph_free(&g);
    gsl_rng_free(r);
    free(w);
}

/* Regional clustering: with h = 0.8 and three equal regions, a domestic
 * contact is in the same region with probability 0.8 + 0.2/3 = 0.8667.
 * Over about 80,000 contact entries the share is within 4 standard errors
 * sqrt(p(1-p)/entries), doubled for the pairing of entries. */
static void regional_clustering(void **state)
{
    (void)state;
    world *w = malloc(sizeof *w);
    const int per = 3000, regions = 3, n = per * regions;
    make_world(w, regions, per, 0.1, 0.8, 0.0, 10, 3);
    uint8_t region[n], flags[n];
    make_agents(n, per, 3, region, flags);
    gsl_rng *r = rng_stream(3, 0, "test.graph");
    graph g;
    assert_int_equal(graph_build(w, n, region, flags, r, &g), BS_OK);
    double same = 0;
    for (int i = 0; i < n; i++)
        for (uint64_t e = g.off[i]; e < g.off[i + 1]; e++)
            same += region[g.adj[e]] == region[i];
    double p = 0.8 + 0.2 / 3, share = same / (double)g.off[n];
    double se = 2 * sqrt(p * (1 - p) / (double)g.off[n]);
    print_message("same region %.4f, expected %.4f (se %.4f)\n", share, p, se);
    assert_true(fabs(share - p) < 4 * se);
    graph_free(&g);
    gsl_rng_free(r);
    free(w);
}

/* Platform homophily: one region, 30% iOS, homophily 0.5: an iOS agent's
 * contact is iOS with probability 0.5 + 0.5 * 0.3 = 0.65, and with no
 * homophily 0.3. */
static void platform_homophily(void **state)
{
    (void)state;
    world *w = malloc(sizeof *w);
    const int n = 20000;
    double expect[2] = {0.3, 0.65}, eta[2] = {0.0, 0.5};
    for (int k = 0; k < 2; k++) {
        make_world(w, 1, n, 0.0, 0.8, eta[k], 10, 3);
        uint8_t *region = calloc(n, 1), *flags = malloc(n);
        make_agents(n, n, 3, region, flags);
        gsl_rng *r = rng_stream(4, 0, "test.graph");
        graph g;
        assert_int_equal(graph_build(w, n, region, flags, r, &g), BS_OK);
        double ios_entries = 0, ios_ios = 0;
        for (int i = 0; i < n; i++)
            if (flags[i] & 1u)
                for (uint64_t e = g.off[i]; e < g.off[i + 1]; e++) {
                    ios_entries++;
                    ios_ios += flags[g.adj[e]] & 1u;
                }
        double share = ios_ios / ios_entries;
        double se = 2 * sqrt(expect[k] * (1 - expect[k]) / ios_entries);
        print_message("homophily %.1f: iOS-iOS %.4f, expected %.4f (se %.4f)\n", eta[k], share,
                      expect[k], se);
        assert_true(fabs(share - expect[k]) < 4 * se);
        graph_free(&g);
        gsl_rng_free(r);
        free(region);
        free(flags);
    }
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csr_symmetric),
        cmocka_unit_test(degrees_and_abroad),
        cmocka_unit_test(regional_clustering),
        cmocka_unit_test(platform_homophily),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
