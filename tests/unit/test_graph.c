/* Unit tests of the social graph (models/graph.h).  Each test states the
 * expected value; tolerances are a stated number of standard errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <omp.h>
#include <string.h>

#include "population/graph.h"
#include "base/rng.h"
#include "testutil.h"

/* Communities of the graphs built (population.community_share and
 * community_agents): the schema's defaults unless a test sets them. */
static double comm_share = -1; /* < 0: the defaults */
static int comm_agents = 0;

/* A world of `regions` regions of `per_region` people each, one ISP. */
static void make_world(world *w, int regions, int per_region, double abroad, double home,
                       double homophily, double mean, double size)
{
    char comm[128] = "";
    if (comm_share >= 0)
        snprintf(comm, sizeof comm, "community_share = %g; community_agents = %d;", comm_share,
                 comm_agents);
    char text[4096], list[2048] = "";
    for (int r = 0; r < regions; r++)
        snprintf(list + strlen(list), sizeof list - strlen(list),
                 "%s{ name = \"r%d\"; population = %d.0; abroad_share = %g; "
                 "isps = ( { name = \"i\"; share = 1.0; } ); }",
                 r ? ",\n" : "", r, per_region, abroad);
    snprintf(text, sizeof text,
             "scenario = { name = \"g\"; start = \"2025-01-01\"; end = \"2025-01-02\"; };\n"
             "population = { scale = 1.0; home_region = %g; platform_homophily = %g;\n"
             "  contacts_mean = %g; contacts_size = %g; %s };\n"
             "regions = ( %s );\napps = ( { name = \"x\"; } );\n",
             home, homophily, mean, size, comm, list);
    tu_load(text, w);
}

/* A graph built for the test, with the agents it was built for. */
typedef struct built {
    int n;
    uint8_t *region, *flags;
    graph g;
} built;

/* `regions` regions of `per` agents (region by blocks of agents), iOS for
 * every agent with (i % 10) < ios_tenths, contacts NegBin(mean 10, size 3). */
static void build(built *b, int regions, int per, double abroad, double home, double homophily,
                  int ios_tenths, uint64_t seed)
{
    world *w = malloc(sizeof *w);
    make_world(w, regions, per, abroad, home, homophily, 10, 3);
    b->n = regions * per;
    b->region = malloc((size_t)b->n);
    b->flags = malloc((size_t)b->n);
    for (int i = 0; i < b->n; i++) {
        b->region[i] = (uint8_t)(i / per);
        b->flags[i] = (uint8_t)(i % 10 < ios_tenths);
    }
    gsl_rng *r = rng_stream(seed, 0, "test.graph");
    assert_int_equal(graph_build(w, (uint32_t)b->n, b->region, b->flags, r, &b->g), BS_OK);
    gsl_rng_free(r);
    free(w);
}

static void unbuild(built *b)
{
    graph_free(&b->g);
    free(b->region);
    free(b->flags);
}

/* The CSR is well formed and symmetric: offsets rise, neighbours are agents,
 * no self-loops, and i lists j as often as j lists i (checked through the
 * sum over entries of i*n + j against j*n + i). */
static void csr_symmetric(void **state)
{
    (void)state;
    built b;
    build(&b, 3, 3000, 0.1, 0.8, 0.3, 3, 1);
    double forward = 0, backward = 0;
    for (int i = 0; i < b.n; i++) {
        assert_true(b.g.off[i] <= b.g.off[i + 1]);
        for (uint64_t e = b.g.off[i]; e < b.g.off[i + 1]; e++) {
            uint32_t j = b.g.adj[e];
            assert_true(j < (uint32_t)b.n && j != (uint32_t)i);
            forward += (double)i * b.n + j;
            backward += (double)j * b.n + i;
        }
    }
    assert_true(forward == backward);
    unbuild(&b);
}

/* Degrees: NegBin(mean 10, size 3), a share 0.1 of contacts abroad.  A
 * thinned negative binomial is negative binomial with the same size: contacts
 * abroad have mean 1 and variance 1 + 1/3, domestic ones mean 9 and variance
 * 9 + 81/3 = 36.  Over 9,000 agents each mean is within 4 standard errors
 * sqrt(var/n) (domestic: less the rare self-loop and odd stub dropped). */
static void degrees_and_abroad(void **state)
{
    (void)state;
    built b;
    build(&b, 3, 3000, 0.1, 0.8, 0.3, 3, 2);
    double abroad = 0, domestic = (double)b.g.off[b.n];
    for (int i = 0; i < b.n; i++)
        abroad += b.g.abroad[i];
    double se_abroad = sqrt((1 + 1.0 / 3) / b.n), se_domestic = sqrt(36.0 / b.n);
    print_message("mean abroad %.3f (se %.3f), domestic %.3f (se %.3f)\n", abroad / b.n, se_abroad,
                  domestic / b.n, se_domestic);
    assert_true(fabs(abroad / b.n - 1.0) < 4 * se_abroad);
    assert_true(fabs(domestic / b.n - 9.0) < 4 * se_domestic);
    unbuild(&b);
}

/* Regional clustering: with h = 0.8 and three equal regions, a domestic
 * contact is in the same region with probability 0.8 + 0.2/3 = 0.8667.
 * Over about 80,000 contact entries the share is within 4 standard errors
 * sqrt(p(1-p)/entries), doubled for the pairing of entries. */
static void regional_clustering(void **state)
{
    (void)state;
    built b;
    build(&b, 3, 3000, 0.1, 0.8, 0.0, 3, 3);
    double same = 0;
    for (int i = 0; i < b.n; i++)
        for (uint64_t e = b.g.off[i]; e < b.g.off[i + 1]; e++)
            same += b.region[b.g.adj[e]] == b.region[i];
    double p = 0.8 + 0.2 / 3, share = same / (double)b.g.off[b.n];
    double se = 2 * sqrt(p * (1 - p) / (double)b.g.off[b.n]);
    print_message("same region %.4f, expected %.4f (se %.4f)\n", share, p, se);
    assert_true(fabs(share - p) < 4 * se);
    unbuild(&b);
}

/* Platform homophily: one region, 30% iOS, homophily 0.5: an iOS agent's
 * contact is iOS with probability 0.5 + 0.5 * 0.3 = 0.65, and with no
 * homophily 0.3. */
static void platform_homophily(void **state)
{
    (void)state;
    double expect[2] = {0.3, 0.65}, eta[2] = {0.0, 0.5};
    for (int k = 0; k < 2; k++) {
        built b;
        build(&b, 1, 20000, 0.0, 0.8, eta[k], 3, 4);
        double ios_entries = 0, ios_ios = 0;
        for (int i = 0; i < b.n; i++)
            if (b.flags[i] & 1u)
                for (uint64_t e = b.g.off[i]; e < b.g.off[i + 1]; e++) {
                    ios_entries++;
                    ios_ios += b.flags[b.g.adj[e]] & 1u;
                }
        double share = ios_ios / ios_entries;
        double se = 2 * sqrt(expect[k] * (1 - expect[k]) / ios_entries);
        print_message("homophily %.1f: iOS-iOS %.4f, expected %.4f (se %.4f)\n", eta[k], share,
                      expect[k], se);
        assert_true(fabs(share - expect[k]) < 4 * se);
        unbuild(&b);
    }
}

/* The graph does not depend on the number of threads: 300,000 agents (more
 * than one chunk of each pass; with no communities, regional pools of about
 * 8e5 stubs, over the 2^18 of a group, so buckets are taken in several
 * groups; with the default communities, 12 of them in each region, paired
 * on several threads at once) built with 1, 2 and 3 threads give the same
 * offsets, neighbours and contacts abroad, byte for byte. */
static void same_whatever_threads(void **state)
{
    (void)state;
    int saved = omp_get_max_threads();
    built b[3];
    for (int t = 0; t < 3; t++) {
        omp_set_num_threads(t + 1);
        build(&b[t], 3, 100000, 0.05, 0.8, 0.3, 3, 5);
    }
    omp_set_num_threads(saved);
    for (int t = 1; t < 3; t++) {
        size_t n = (size_t)b[0].n;
        assert_int_equal(b[t].g.off[n], b[0].g.off[n]);
        assert_memory_equal(b[t].g.off, b[0].g.off, (n + 1) * sizeof(uint64_t));
        assert_memory_equal(b[t].g.adj, b[0].g.adj, b[0].g.off[n] * sizeof(uint32_t));
        assert_memory_equal(b[t].g.abroad, b[0].g.abroad, n);
    }
    for (int t = 0; t < 3; t++)
        unbuild(&b[t]);
}

/* The whole degree distribution (domestic entries plus contacts abroad) is
 * the model's NegBin(mean 10, size 3): P(K = k) = C(k + 2, k) p^3 (1-p)^k,
 * p = 3/13 (closed form, through lgamma).  Pearson's chi-square
 * over bins of expected count >= 5 (the tail pooled) against the 0.001
 * quantile of chi-square with bins - 1 degrees of freedom.  Self-loops and
 * odd stubs dropped lower a degree for about 1 agent in 1000 here (3 regions
 * of 20,000: an agent's stubs meet one another with probability about
 * (k - 1) / pool size), far below what the test detects. */
static void degree_distribution(void **state)
{
    (void)state;
    built b;
    build(&b, 3, 20000, 0.1, 0.8, 0.3, 3, 6);
    enum { KMAX = 200 };
    double seen[KMAX + 1] = {0};
    for (int i = 0; i < b.n; i++) {
        uint64_t k = b.g.off[i + 1] - b.g.off[i] + b.g.abroad[i];
        seen[k < KMAX ? k : KMAX] += 1;
    }
    double p = 3.0 / 13, chi2 = 0, obs = 0, expect = 0, below = 0;
    int bins = 0;
    for (int k = 0; k < KMAX; k++) {
        double e =
            b.n * exp(lgamma(k + 3.0) - lgamma(k + 1.0) - lgamma(3.0) + 3 * log(p) + k * log1p(-p));
        obs += seen[k];
        expect += e;
        below += e / b.n;
        /* close a bin once it expects 5, unless what is left expects less */
        if (expect >= 5 && b.n * (1 - below) >= 5) {
            chi2 += (obs - expect) * (obs - expect) / expect;
            bins++;
            obs = expect = 0;
        }
    }
    obs += seen[KMAX];
    expect += b.n * (1 - below);
    chi2 += (obs - expect) * (obs - expect) / expect;
    bins++;
    double crit = gsl_cdf_chisq_Qinv(0.001, bins - 1);
    print_message("degree chi-square %.1f over %d bins (0.001 critical %.1f)\n", chi2, bins, crit);
    assert_true(chi2 < crit);
    unbuild(&b);
}

/* Communities: with n_r agents a region, N in all, communities of C
 * consecutive agents of a region (C divides n_r here, so agent i's is
 * (i mod n_r) / C), a domestic contact is in the agent's community with
 * probability h s (made there) + h (1 - s) C / n_r (a regional contact
 * anywhere in the region) + (1 - h) C / N (a contact anywhere in the
 * country): 3 regions of 20,000, C = 2000, h = 0.8 give 0.6 + 0.02 + 0.00667
 * = 0.62667 with s = 0.75, and 0.08 + 0.00667 = 0.08667 with s = 0.  Within
 * 4 standard errors sqrt(p(1-p)/entries), doubled for the pairing. */
static void community_share(void **state)
{
    (void)state;
    double s[2] = {0.75, 0.0};
    for (int k = 0; k < 2; k++) {
        comm_share = s[k];
        comm_agents = 2000;
        built b;
        build(&b, 3, 20000, 0.1, 0.8, 0.3, 3, 7);
        double same = 0;
        for (int i = 0; i < b.n; i++)
            for (uint64_t e = b.g.off[i]; e < b.g.off[i + 1]; e++)
                same += b.g.adj[e] / 2000 == (uint32_t)i / 2000;
        double p = 0.8 * s[k] + 0.8 * (1 - s[k]) * 0.1 + 0.2 / 30;
        double share = same / (double)b.g.off[b.n];
        double se = 2 * sqrt(p * (1 - p) / (double)b.g.off[b.n]);
        print_message("community share %.2f: same community %.4f, expected %.4f (se %.4f)\n",
                      s[k], share, p, se);
        assert_true(fabs(share - p) < 4 * se);
        unbuild(&b);
    }
}

/* The settings of the communities under which the statistical tests run:
 * none (the graph of earlier versions, bit for bit), and communities of 2000
 * agents holding the default 75% of the regional contacts (several in each
 * region of every test, so the communities' pools are small and the degree,
 * mixing and homophily tests see them). */
static int no_communities(void **state)
{
    (void)state;
    comm_share = 0;
    comm_agents = 8192;
    return 0;
}

static int communities_2000(void **state)
{
    (void)state;
    comm_share = 0.75;
    comm_agents = 2000;
    return 0;
}

static int schema_defaults(void **state)
{
    (void)state;
    comm_share = -1;
    return 0;
}

#define BOTH(f) cmocka_unit_test_setup(f, no_communities), cmocka_unit_test_setup(f, communities_2000)

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(csr_symmetric),
        BOTH(degrees_and_abroad),
        BOTH(regional_clustering),
        BOTH(platform_homophily),
        BOTH(degree_distribution),
        cmocka_unit_test_setup(same_whatever_threads, no_communities),
        cmocka_unit_test_setup(same_whatever_threads, schema_defaults),
        cmocka_unit_test(community_share),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
