#include "population/graph.h"

#include "base/bigmem.h"
#include "base/rng.h"
#include "base/status.h"

#include <gsl/gsl_randist.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ABROAD 255
#define STUB_ABROAD 0xffu

void graph_free(graph *g)
{
    bigmem_free(g->off);
    bigmem_free(g->adj);
    bigmem_free(g->abroad);
    memset(g, 0, sizeof *g);
}

graph_memory graph_estimate(const world *w, const uint32_t *region_n)
{
    graph_memory m = {0, 0, 0};
    if (w->population.graph != GRAPH_NEGBIN)
        return m;
    double n = 0, stubs = 0, domestic = 0;
    for (int r = 0; r < w->n_regions; r++) {
        n += region_n[r];
        stubs += region_n[r] * w->population.contacts_mean;
        domestic += region_n[r] * w->population.contacts_mean * (1 - w->regions[r].abroad_share);
    }
    /* As graph_build allocates them: off, abroad and deg throughout; pool
     * (a byte per stub) and stub (an agent per domestic stub) together, then
     * stub and adj. */
    double off = (double)bigmem_resident((size_t)n + 1, sizeof(uint64_t));
    double abroad = (double)bigmem_resident((size_t)n, sizeof(uint8_t));
    double deg = n * sizeof(uint32_t), pool = stubs * sizeof(uint8_t);
    double stub = domestic * sizeof(uint32_t);
    double adj = (double)bigmem_resident((size_t)domestic, sizeof(uint32_t));
    m.contacts = domestic;
    m.kept = off + abroad + adj;
    m.peak = off + abroad + deg + stub + (pool > adj ? pool : adj);
    return m;
}

/* Pool of a stub: 3 per scope (each region, then the whole country): iOS
 * homophilous, Android homophilous, mixed. */
static uint8_t draw_pool(const world *w, gsl_rng *r, int region, int ios)
{
    const population_cfg *pc = &w->population;
    int scope = gsl_rng_uniform(r) < pc->home_region ? region : w->n_regions;
    int kind = gsl_rng_uniform(r) < pc->platform_homophily ? (ios ? 0 : 1) : 2;
    return (uint8_t)(3 * scope + kind);
}

/* Fisher-Yates shuffle of a[0..m-1]. */
static void shuffle(uint32_t *a, uint64_t m, gsl_rng *r)
{
    for (uint64_t j = m; j > 1; j--) {
        uint64_t t = rng_below(r, j); /* exact: j may exceed 2^32 */
        uint32_t tmp = a[j - 1];
        a[j - 1] = a[t];
        a[t] = tmp;
    }
}

int graph_build(const world *w, uint32_t n, const uint8_t *region, const uint8_t *flags,
                gsl_rng *r, graph *g)
{
    const population_cfg *pc = &w->population;
    int n_pools = 3 * (w->n_regions + 1);
    memset(g, 0, sizeof *g);
    uint32_t *deg = malloc(sizeof(uint32_t) * (n ? n : 1));
    uint64_t *pool_at = calloc((size_t)n_pools + 1, sizeof(uint64_t));
    uint64_t *fill = malloc(sizeof(uint64_t) * (size_t)n_pools);
    uint8_t *pool = NULL;
    uint32_t *stub = NULL;
    g->off = bigmem_calloc((size_t)n + 1, sizeof(uint64_t));
    g->abroad = bigmem_calloc(n, 1);
    if (!deg || !pool_at || !fill || !g->off || !g->abroad)
        goto nomem;

    /* Degrees, then each stub's pool, drawn in agent order. */
    double prob = pc->contacts_size / (pc->contacts_size + pc->contacts_mean);
    uint64_t stubs = 0;
    for (uint32_t i = 0; i < n; i++) {
        deg[i] = pc->contacts_mean > 0 ? gsl_ran_negative_binomial(r, prob, pc->contacts_size)
                                       : 0;
        stubs += deg[i];
    }
    pool = malloc(stubs ? stubs : 1);
    if (!pool)
        goto nomem;
    uint64_t s = 0;
    for (uint32_t i = 0; i < n; i++) {
        double abroad = w->regions[region[i]].abroad_share;
        for (uint32_t k = 0; k < deg[i]; k++, s++) {
            if (gsl_rng_uniform(r) < abroad) {
                if (g->abroad[i] < MAX_ABROAD)
                    g->abroad[i]++;
                pool[s] = STUB_ABROAD;
            } else {
                pool[s] = draw_pool(w, r, region[i], flags[i] & 1u);
                pool_at[pool[s] + 1]++;
            }
        }
    }
    for (int k = 0; k < n_pools; k++)
        pool_at[k + 1] += pool_at[k];

    /* Counting sort of the domestic stubs by pool. */
    stub = malloc(sizeof(uint32_t) * (pool_at[n_pools] ? pool_at[n_pools] : 1));
    if (!stub)
        goto nomem;
    memcpy(fill, pool_at, sizeof(uint64_t) * (size_t)n_pools);
    s = 0;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < deg[i]; k++, s++)
            if (pool[s] != STUB_ABROAD)
                stub[fill[pool[s]]++] = i;
    free(pool);
    pool = NULL;

    /* Shuffle each pool and pair neighbours: count, then fill the CSR. */
    memset(deg, 0, sizeof(uint32_t) * n);
    for (int k = 0; k < n_pools; k++) {
        uint64_t lo = pool_at[k], m = pool_at[k + 1] - lo;
        shuffle(stub + lo, m, r);
        for (uint64_t j = 0; j + 1 < m; j += 2)
            if (stub[lo + j] != stub[lo + j + 1]) {
                deg[stub[lo + j]]++;
                deg[stub[lo + j + 1]]++;
            }
    }
    for (uint32_t i = 0; i < n; i++)
        g->off[i + 1] = g->off[i] + deg[i];
    g->adj = bigmem_calloc(g->off[n], sizeof(uint32_t));
    if (!g->adj)
        goto nomem;
    memset(deg, 0, sizeof(uint32_t) * n);
    for (int k = 0; k < n_pools; k++) {
        uint64_t lo = pool_at[k], m = pool_at[k + 1] - lo;
        for (uint64_t j = 0; j + 1 < m; j += 2) {
            uint32_t a = stub[lo + j], b = stub[lo + j + 1];
            if (a != b) {
                g->adj[g->off[a] + deg[a]++] = b;
                g->adj[g->off[b] + deg[b]++] = a;
            }
        }
    }
    free(stub);
    free(deg);
    free(pool_at);
    free(fill);
    return BS_OK;
nomem:
    free(pool);
    free(stub);
    free(deg);
    free(pool_at);
    free(fill);
    graph_free(g);
    return bs_nomem("the social graph of %u agents (graph)", n);
}
