#include "population/graph.h"

#include "base/bigmem.h"
#include "base/rng.h"
#include "base/status.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ABROAD 255
/* Domestic stub categories: 0 community homophilous, 1 community mixed,
 * 2 regional homophilous, 3 regional mixed, 4 country homophilous, 5 country
 * mixed (scope cat / 2: community, region, country). */
#define N_CAT 6
#define CAT_BITS 10 /* a category's count in the packed word (6 x 10 bits) */
/* Before pairing, a slot of the CSR holds the tag of its stub's bucket,
 * TAG(bucket); a slot still tagged after pairing (a self-loop, the odd stub
 * of a pool) is dropped.  Agents are numbered below every tag. */
#define TAG(b) (UINT32_MAX - (uint32_t)(b))
#define AGENT_CHUNK 65536u /* agents per chunk of the per-agent passes */
#define SCAN_CHUNK 262144u /* agents per chunk of a scope's scans */
#define BUCKET 65536.0     /* expected stubs per bucket (fits the L2 cache) */
#define LIST_SHARE 16      /* a group's stub list: at most 1/16 of the stubs */
#define PACKED_ESCAPE UINT64_MAX
#define DRAW_AGENT 0u  /* keyed stream (x = agent, y = DRAW_AGENT) */
#define DRAW_BUCKET 1u /* keyed stream (x = bucket, y = DRAW_BUCKET) */

/* The communities: each region's agents [lo, lo + span) split into m of
 * them, community j of the region holding the agents at offsets o with
 * floor(o m / span) = j; numbered region after region from first. */
typedef struct communities {
    uint32_t lo[MAX_REGIONS], span[MAX_REGIONS], m[MAX_REGIONS], first[MAX_REGIONS + 1];
} communities;

/* Communities of about `size` agents in each region (none when share or size is 0). */
static void communities_of(const population_cfg *pc, const uint8_t *region, uint32_t n,
                           int n_regions, communities *cm)
{
    uint32_t hi[MAX_REGIONS];
    for (int k = 0; k < n_regions; k++) {
        cm->lo[k] = n;
        hi[k] = 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (i < cm->lo[region[i]])
            cm->lo[region[i]] = i;
        hi[region[i]] = i + 1;
    }
    cm->first[0] = 0;
    for (int k = 0; k < n_regions; k++) {
        cm->span[k] = hi[k] > cm->lo[k] ? hi[k] - cm->lo[k] : 0;
        double size = (double)pc->community_agents, want = floor(cm->span[k] / size + 0.5);
        cm->m[k] = pc->community_share > 0 && size > 0 && cm->span[k] ? (want > 1 ? (uint32_t)want : 1) : 0;
        cm->first[k + 1] = cm->first[k] + cm->m[k];
    }
}

static inline uint32_t community_of(const communities *cm, uint32_t i, int region)
{
    return cm->first[region] +
           (uint32_t)((uint64_t)(i - cm->lo[region]) * cm->m[region] / cm->span[region]);
}

/* The first agent of community j of region k (j = m: the end of the region). */
static inline uint32_t community_start(const communities *cm, int k, uint32_t j)
{
    return cm->lo[k] + (uint32_t)(((uint64_t)j * cm->span[k] + cm->m[k] - 1) / cm->m[k]);
}

void graph_free(graph *g)
{
    bigmem_free(g->off);
    bigmem_free(g->adj);
    bigmem_free(g->abroad);
    memset(g, 0, sizeof *g);
}

static double list_cap(double stubs)
{
    return stubs / LIST_SHARE > 1 << 18 ? stubs / LIST_SHARE : 1 << 18;
}

graph_memory graph_estimate(const world *w, const uint32_t *region_n)
{
    graph_memory m = {0, 0, 0};
    if (w->population.graph != GRAPH_NEGBIN)
        return m;
    double n = 0, domestic = 0, biggest = 0;
    for (int r = 0; r < w->n_regions; r++) {
        double d = region_n[r] * w->population.contacts_mean * (1 - w->regions[r].abroad_share);
        /* a region's pools: its contacts not made in its communities */
        double c = w->population.community_share > 0 ? w->population.community_share : 0;
        double regional = d * w->population.home_region * (1 - c);
        n += region_n[r];
        domestic += d;
        biggest = regional > biggest ? regional : biggest;
    }
    double country = domestic * (1 - w->population.home_region);
    biggest = country > biggest ? country : biggest;
    /* As graph_build allocates them: off, abroad and adj (a slot per
     * domestic stub) throughout; at the peak, beside them, the stub list of
     * one group of buckets and a scope's two matrices (count and position) of
     * a uint64 per chunk of agents and bucket. */
    double off = (double)bigmem_resident((size_t)n + 1, sizeof(uint64_t));
    double abroad = (double)bigmem_resident((size_t)n, sizeof(uint8_t));
    double adj = (double)bigmem_resident((size_t)domestic, sizeof(uint32_t));
    double list = sizeof(uint32_t) * (biggest < list_cap(domestic) ? biggest : list_cap(domestic));
    double matrices = 2.0 * sizeof(uint64_t) * ceil(n / SCAN_CHUNK + 1) * (biggest / BUCKET + 3);
    m.contacts = domestic;
    m.kept = off + abroad + adj;
    m.peak = m.kept + list + matrices;
    return m;
}

/* ---- per agent: degree and the category of each stub ---- */

typedef struct agent_draw {
    double prob, size;
    double cum[MAX_REGIONS][N_CAT + 1]; /* abroad, then the categories, cumulated */
    uint64_t key;
} agent_draw;

/* The degree of agent i and its stubs' categories: cnt[0] abroad, cnt[1 + c]
 * of category c.  A stub's category is one draw over the product of the
 * three choices of models/README.md section 4 (abroad, scope, platform). */
static void draw_agent(const agent_draw *x, gsl_rng *r, uint32_t i, int region, uint64_t cnt[])
{
    rng_stream_seek(r, x->key, (uint64_t)DRAW_AGENT << 32 | i);
    unsigned d = x->size > 0 && x->prob < 1 ? gsl_ran_negative_binomial(r, x->prob, x->size) : 0;
    memset(cnt, 0, sizeof(uint64_t) * (N_CAT + 1));
    const double *cum = x->cum[region];
    for (unsigned k = 0; k < d; k++) {
        double u = gsl_rng_uniform(r);
        int c = 0;
        while (c < N_CAT && u >= cum[c])
            c++;
        cnt[c]++;
    }
}

static uint64_t pack(const uint64_t cnt[])
{
    uint64_t p = 0;
    for (int c = 0; c < N_CAT; c++) {
        if (cnt[1 + c] >= (1u << CAT_BITS) - 1)
            return PACKED_ESCAPE;
        p |= cnt[1 + c] << (CAT_BITS * c);
    }
    return p;
}

/* The pool of a category for an agent: 3 per scope (each region, then the
 * whole country, then each community): iOS homophilous, Android
 * homophilous, mixed. */
static int pool_of(int cat, int region, uint32_t community, int ios, int n_regions)
{
    int scope = cat < 2 ? n_regions + 1 + (int)community : cat < 4 ? region : n_regions;
    return 3 * scope + (cat % 2 ? 2 : ios ? 0 : 1);
}

/* ---- pairing, scope by scope ---- */

typedef struct scope_ctx {
    uint32_t lo, hi;            /* the scope's agents are among [lo, hi) */
    uint32_t b_lo, b_hi;        /* its buckets: its three pools' */
    const uint32_t *pool_first; /* [pool]: the pool's first bucket */
    int pool0;                  /* its first pool */
    const uint64_t *off;
    uint32_t *adj;
} scope_ctx;

/* One scan of the agents [a, b): count each stub of a bucket in
 * [x->b_lo, x->b_hi) (list NULL), or write those of [g_lo, g_hi) at
 * row[bucket - b_lo]++ in list. */
static void scan(const scope_ctx *x, uint32_t a, uint32_t b, uint64_t *row, uint32_t *list,
                 uint32_t g_lo, uint32_t g_hi)
{
    uint32_t lo = list ? g_lo : x->b_lo, hi = list ? g_hi : x->b_hi;
    for (uint32_t i = a; i < b; i++)
        for (uint64_t t = x->off[i]; t < x->off[i + 1]; t++) {
            uint32_t k = UINT32_MAX - x->adj[t];
            if (k >= lo && k < hi) {
                if (list)
                    list[row[k - x->b_lo]++] = i;
                else
                    row[k - x->b_lo]++;
            }
        }
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

/* Put b in a slot of a tagged `tag` (threads pair stubs of one pool at
 * once: the slot is claimed by compare-and-swap; which of a's slots gets b
 * is sorted out at the end). */
static void attach(const scope_ctx *x, uint32_t a, uint32_t tag, uint32_t b)
{
    for (uint64_t t = x->off[a]; t < x->off[a + 1]; t++) {
        uint32_t v = __atomic_load_n(&x->adj[t], __ATOMIC_RELAXED);
        if (v == tag &&
            __atomic_compare_exchange_n(&x->adj[t], &v, b, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            return;
    }
}

/* A stub: its agent and its bucket. */
typedef struct stub {
    uint32_t agent, bucket;
} stub;

static void pair(const scope_ctx *x, stub a, stub b)
{
    if (a.agent == b.agent)
        return; /* a self-loop: both slots stay tagged and are dropped */
    attach(x, a.agent, TAG(a.bucket), b.agent);
    attach(x, b.agent, TAG(b.bucket), a.agent);
}

/* The stub at j of a group's list (buckets [g_lo, g_hi) from start[]). */
static stub stub_at(const uint32_t *list, const uint64_t *start, uint32_t g_lo, uint32_t g_hi,
                    uint64_t j)
{
    uint32_t lo = 0, hi = g_hi - g_lo; /* start[lo] <= j < start[hi] */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (start[mid] <= j)
            lo = mid;
        else
            hi = mid;
    }
    return (stub){list[j], g_lo + lo};
}

/* Lay the stubs of buckets [g_lo, g_hi) in list, bucket after bucket, each
 * bucket's by chunk of agents (pos: the matrix of chunk rows), and shuffle
 * each bucket (its own keyed stream).  0 if out of memory. */
static int fill_group(const scope_ctx *x, uint64_t key, uint32_t c0, uint32_t nc, uint64_t *pos,
                      const uint64_t *cnt, uint32_t g_lo, uint32_t g_hi, uint32_t *list,
                      uint64_t *start)
{
    uint32_t nb = x->b_hi - x->b_lo;
    start[0] = 0;
    for (uint32_t k = g_lo; k < g_hi; k++) {
        uint64_t at = start[k - g_lo];
        for (uint32_t c = 0; c < nc; c++) {
            pos[(size_t)c * nb + k - x->b_lo] = at;
            at += cnt[(size_t)c * nb + k - x->b_lo];
        }
        start[k - g_lo + 1] = at;
    }
#pragma omp parallel for schedule(dynamic)
    for (uint32_t c = 0; c < nc; c++) {
        uint32_t a = (c0 + c) * SCAN_CHUNK, b = x->hi - a > SCAN_CHUNK ? a + SCAN_CHUNK : x->hi;
        scan(x, a > x->lo ? a : x->lo, b, pos + (size_t)c * nb, list, g_lo, g_hi);
    }
    int ok = 1;
#pragma omp parallel
    {
        gsl_rng *r = gsl_rng_alloc(rng_philox4x32);
        if (!r) {
#pragma omp atomic write
            ok = 0;
        }
#pragma omp for schedule(dynamic)
        for (uint32_t k = g_lo; k < g_hi; k++)
            if (r) {
                rng_stream_seek(r, key, (uint64_t)DRAW_BUCKET << 32 | k);
                shuffle(list + start[k - g_lo], start[k - g_lo + 1] - start[k - g_lo], r);
            }
        gsl_rng_free(r);
    }
    return ok;
}

/* Pair the stubs of the scope's three pools.  Each stub is in a bucket of
 * its pool (by a hash of its slot, drawn when tagged); buckets are shuffled
 * and laid end to end, and neighbours paired: the concatenation of
 * independently shuffled buckets of an exchangeable split is a uniform
 * permutation, so the matching is the configuration model's.  Buckets are
 * taken in groups that fit `cap` stubs, so that no list of a whole pool is
 * held; chunks of agents and buckets are fixed by the graph alone, so the
 * result does not depend on the number of threads.  0 if out of memory. */
static int pair_scope(const scope_ctx *x, uint64_t cap, uint64_t key)
{
    uint32_t nb = x->b_hi - x->b_lo;
    if (nb == 0 || x->lo >= x->hi)
        return 1;
    uint32_t c0 = x->lo / SCAN_CHUNK, nc = (x->hi - 1) / SCAN_CHUNK + 1 - c0;
    uint64_t *cnt = calloc((size_t)nc * nb, sizeof(uint64_t));
    uint64_t *pos = malloc((size_t)nc * nb * sizeof(uint64_t));
    uint64_t *tot = calloc((size_t)nb, sizeof(uint64_t));
    uint64_t *start = malloc(sizeof(uint64_t) * ((size_t)nb + 1));
    int ok = cnt && pos && tot && start;
    if (ok) {
#pragma omp parallel for schedule(dynamic)
        for (uint32_t c = 0; c < nc; c++) {
            uint32_t a = (c0 + c) * SCAN_CHUNK;
            uint32_t b = x->hi - a > SCAN_CHUNK ? a + SCAN_CHUNK : x->hi;
            scan(x, a > x->lo ? a : x->lo, b, cnt + (size_t)c * nb, NULL, 0, 0);
        }
        for (uint32_t k = 0; k < nb; k++)
            for (uint32_t c = 0; c < nc; c++)
                tot[k] += cnt[(size_t)c * nb + k];
    }
    stub carry[3];
    int carried[3] = {0, 0, 0};
    for (uint32_t g_lo = x->b_lo, g_hi; g_lo < x->b_hi && ok; g_lo = g_hi) {
        uint64_t m = tot[g_lo - x->b_lo];
        for (g_hi = g_lo + 1; g_hi < x->b_hi && m + tot[g_hi - x->b_lo] <= cap; g_hi++)
            m += tot[g_hi - x->b_lo];
        uint32_t *list = malloc(sizeof(uint32_t) * (m ? m : 1));
        ok = list && fill_group(x, key, c0, nc, pos, cnt, g_lo, g_hi, list, start);
        for (int p = 0; p < 3 && ok; p++) {
            uint32_t k_lo = x->pool_first[x->pool0 + p], k_hi = x->pool_first[x->pool0 + p + 1];
            k_lo = k_lo > g_lo ? k_lo : g_lo;
            k_hi = k_hi < g_hi ? k_hi : g_hi;
            if (k_lo >= k_hi)
                continue;
            uint64_t lo = start[k_lo - g_lo], hi = start[k_hi - g_lo];
            if (carried[p] && lo < hi) {
                pair(x, carry[p], stub_at(list, start, g_lo, g_hi, lo++));
                carried[p] = 0;
            }
            uint64_t pairs = (hi - lo) / 2;
#pragma omp parallel for schedule(static)
            for (uint64_t j = 0; j < pairs; j++) {
                /* The reads are at random: ask for them ahead, the offsets
                 * 16 pairs ahead, the slots (through offsets by then read) 8. */
                const uint32_t *ahead = list + lo + 2 * j;
                if (j + 16 < pairs) {
                    __builtin_prefetch(&x->off[ahead[32]]);
                    __builtin_prefetch(&x->off[ahead[33]]);
                }
                if (j + 8 < pairs) {
                    __builtin_prefetch(&x->adj[x->off[ahead[16]]], 1);
                    __builtin_prefetch(&x->adj[x->off[ahead[17]]], 1);
                }
                pair(x, stub_at(list, start, g_lo, g_hi, lo + 2 * j),
                     stub_at(list, start, g_lo, g_hi, lo + 2 * j + 1));
            }
            if ((hi - lo) % 2) {
                carry[p] = stub_at(list, start, g_lo, g_hi, hi - 1);
                carried[p] = 1;
            }
        }
        free(list);
    }
    free(cnt);
    free(pos);
    free(tot);
    free(start);
    return ok;
}

/* Pair the stubs of each community's three pools (one bucket each), a
 * community on one thread: its stubs listed in the order of its agents'
 * slots, shuffled with the bucket's keyed stream, and neighbours paired
 * (the configuration model within the pool, as pair_scope's).  The agents
 * of a community are consecutive, so this reads and writes a small part of
 * the arrays; the result does not depend on the number of threads.  0 if
 * out of memory. */
static int pair_communities(const world *w, const communities *cm, const uint32_t *pool_first,
                            const uint64_t *off, uint32_t *adj, uint64_t key)
{
    uint32_t n_comm = cm->first[w->n_regions];
    scope_ctx x = {0, 0, 0, 0, pool_first, 0, off, adj};
    int ok = 1;
#pragma omp parallel
    {
        gsl_rng *r = gsl_rng_alloc(rng_philox4x32);
        uint32_t *list = NULL;
        uint64_t cap = 0;
        if (!r) {
#pragma omp atomic write
            ok = 0;
        }
#pragma omp for schedule(dynamic)
        for (uint32_t q = 0; q < n_comm; q++) {
            int k = 0;
            while (cm->first[k + 1] <= q)
                k++;
            uint32_t a = community_start(cm, k, q - cm->first[k]);
            uint32_t b = community_start(cm, k, q - cm->first[k] + 1);
            uint32_t b0 = pool_first[3 * (w->n_regions + 1 + (int)q)];
            uint64_t m[3] = {0, 0, 0};
            for (uint64_t t = off[a]; t < off[b]; t++) {
                uint32_t kb = UINT32_MAX - adj[t] - b0;
                if (kb < 3)
                    m[kb]++;
            }
            if (m[0] + m[1] + m[2] > cap) {
                cap = 2 * (m[0] + m[1] + m[2]);
                free(list);
                list = malloc(sizeof(uint32_t) * cap);
                if (!list) {
                    cap = 0;
#pragma omp atomic write
                    ok = 0;
                }
            }
            if (!r || !list)
                continue;
            uint64_t at[3] = {0, m[0], m[0] + m[1]};
            for (uint32_t i = a; i < b; i++)
                for (uint64_t t = off[i]; t < off[i + 1]; t++) {
                    uint32_t kb = UINT32_MAX - adj[t] - b0;
                    if (kb < 3)
                        list[at[kb]++] = i;
                }
            uint32_t *l = list;
            for (uint32_t p = 0; p < 3; l += m[p], p++) {
                rng_stream_seek(r, key, (uint64_t)DRAW_BUCKET << 32 | (b0 + p));
                shuffle(l, m[p], r);
                for (uint64_t j = 0; j + 1 < m[p]; j += 2)
                    pair(&x, (stub){l[j], b0 + p}, (stub){l[j + 1], b0 + p});
            }
        }
        free(list);
        gsl_rng_free(r);
    }
    return ok;
}

/* ---- the build ---- */

static int by_value(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void sort_slots(uint32_t *a, uint64_t m)
{
    if (m > 32) {
        qsort(a, m, sizeof *a, by_value);
        return;
    }
    for (uint64_t j = 1; j < m; j++) {
        uint32_t v = a[j];
        uint64_t k = j;
        for (; k > 0 && a[k - 1] > v; k--)
            a[k] = a[k - 1];
        a[k] = v;
    }
}

/* Sort each agent's neighbours (the order the pairing's threads left them in
 * is not reproducible; the sorted list is), drop the slots left tagged, and
 * close the gaps: each chunk within itself in parallel, then the chunks
 * left, in order.  old_at and valid: n_chunks + 1 each. */
static void compact(graph *g, uint32_t n, uint32_t first_tag, uint64_t *old_at, uint64_t *valid)
{
    uint32_t n_chunks = (n + AGENT_CHUNK - 1) / AGENT_CHUNK;
    for (uint32_t c = 0; c <= n_chunks; c++)
        old_at[c] = g->off[(uint64_t)c * AGENT_CHUNK < n ? c * AGENT_CHUNK : n];
#pragma omp parallel for schedule(dynamic)
    for (uint32_t c = 0; c < n_chunks; c++) {
        uint32_t lo = c * AGENT_CHUNK, hi = n - lo > AGENT_CHUNK ? lo + AGENT_CHUNK : n;
        uint64_t at = old_at[c];
        for (uint32_t i = lo; i < hi; i++) {
            uint64_t a = g->off[i], b = i + 1 < hi ? g->off[i + 1] : old_at[c + 1];
            sort_slots(g->adj + a, b - a);
            uint64_t k = 0;
            while (k < b - a && g->adj[a + k] < first_tag)
                k++;
            if (at != a)
                memmove(g->adj + at, g->adj + a, k * sizeof(uint32_t));
            g->off[i] = at;
            at += k;
        }
        valid[c] = at - old_at[c];
    }
    uint64_t total = 0;
    for (uint32_t c = 0; c < n_chunks; c++) {
        uint64_t from = old_at[c];
        if (from != total)
            memmove(g->adj + total, g->adj + from, valid[c] * sizeof(uint32_t));
        old_at[c] = from - total; /* now the chunk's shift */
        total += valid[c];
    }
#pragma omp parallel for schedule(static)
    for (uint32_t c = 0; c < n_chunks; c++) {
        uint32_t lo = c * AGENT_CHUNK, hi = n - lo > AGENT_CHUNK ? lo + AGENT_CHUNK : n;
        for (uint32_t i = lo; i < hi; i++)
            g->off[i] -= old_at[c];
    }
    g->off[n] = total;
}

/* Pass 1: each agent's draws, its contacts abroad, and its domestic
 * categories packed into off[i]; the domestic stubs of each chunk and of
 * each pool. */
static int draw_all(const world *w, const agent_draw *x, uint32_t n, const uint8_t *region,
                    const uint8_t *flags, const communities *cm, graph *g, uint64_t *chunk_n,
                    uint64_t *pool_n)
{
    uint32_t n_chunks = (n + AGENT_CHUNK - 1) / AGENT_CHUNK;
    int n_pools = 3 * (w->n_regions + 1 + (int)cm->first[w->n_regions]), ok = 1;
#pragma omp parallel
    {
        gsl_rng *r = gsl_rng_alloc(rng_philox4x32);
        uint64_t *mine = calloc((size_t)n_pools, sizeof(uint64_t));
        if (!r || !mine) {
#pragma omp atomic write
            ok = 0;
        }
#pragma omp for schedule(dynamic)
        for (uint32_t c = 0; c < n_chunks; c++) {
            uint32_t lo = c * AGENT_CHUNK, hi = n - lo > AGENT_CHUNK ? lo + AGENT_CHUNK : n;
            uint64_t sum = 0, cnt[N_CAT + 1];
            for (uint32_t i = lo; i < hi && r && mine; i++) {
                draw_agent(x, r, i, region[i], cnt);
                g->abroad[i] = (uint8_t)(cnt[0] < MAX_ABROAD ? cnt[0] : MAX_ABROAD);
                g->off[i] = pack(cnt);
                for (int k = 0; k < N_CAT; k++)
                    if (cnt[1 + k]) {
                        sum += cnt[1 + k];
                        uint32_t cy = k < 2 ? community_of(cm, i, region[i]) : 0;
                        mine[pool_of(k, region[i], cy, flags[i] & 1u, w->n_regions)] += cnt[1 + k];
                    }
            }
            chunk_n[c] = sum;
        }
        if (mine)
            for (int k = 0; k < n_pools; k++)
#pragma omp atomic
                pool_n[k] += mine[k];
        free(mine);
        gsl_rng_free(r);
    }
    return ok;
}

/* Pass 2: offsets from the packed counts, and in each slot the tag of its
 * stub's bucket: one of its pool's n_b buckets, by a hash of the slot. */
static int tag_all(const world *w, const agent_draw *x, uint32_t n, const uint8_t *region,
                   const uint8_t *flags, const communities *cm, graph *g,
                   const uint64_t *chunk_at, const uint32_t *pool_first, uint64_t hkey)
{
    uint32_t n_chunks = (n + AGENT_CHUNK - 1) / AGENT_CHUNK;
    int ok = 1;
#pragma omp parallel
    {
        gsl_rng *r = gsl_rng_alloc(rng_philox4x32);
        if (!r) {
#pragma omp atomic write
            ok = 0;
        }
#pragma omp for schedule(dynamic)
        for (uint32_t c = 0; c < n_chunks; c++) {
            uint32_t lo = c * AGENT_CHUNK, hi = n - lo > AGENT_CHUNK ? lo + AGENT_CHUNK : n;
            uint64_t at = chunk_at[c], cnt[N_CAT + 1];
            for (uint32_t i = lo; i < hi && r; i++) {
                uint64_t packed = g->off[i];
                if (packed == PACKED_ESCAPE)
                    draw_agent(x, r, i, region[i], cnt);
                else
                    for (int k = 0; k < N_CAT; k++)
                        cnt[1 + k] = packed >> (CAT_BITS * k) & ((1u << CAT_BITS) - 1);
                g->off[i] = at;
                for (int k = 0; k < N_CAT; k++) {
                    if (!cnt[1 + k])
                        continue;
                    uint32_t cy = k < 2 ? community_of(cm, i, region[i]) : 0;
                    int p = pool_of(k, region[i], cy, flags[i] & 1u, w->n_regions);
                    uint64_t nb = pool_first[p + 1] - pool_first[p];
                    for (uint64_t j = 0; j < cnt[1 + k]; j++, at++) {
                        uint64_t h = rng_mix64(hkey ^ at) >> 32;
                        g->adj[at] = TAG(pool_first[p] + (uint32_t)((h * nb) >> 32));
                    }
                }
            }
        }
        gsl_rng_free(r);
    }
    g->off[n] = chunk_at[n_chunks];
    return ok;
}

int graph_build(const world *w, uint32_t n, const uint8_t *region, const uint8_t *flags, gsl_rng *r,
                graph *g)
{
    const population_cfg *pc = &w->population;
    memset(g, 0, sizeof *g);
    agent_draw *x = malloc(sizeof *x);
    uint32_t n_chunks = (n + AGENT_CHUNK - 1) / AGENT_CHUNK;
    communities cm;
    communities_of(pc, region, n, w->n_regions, &cm);
    int n_pools = 3 * (w->n_regions + 1 + (int)cm.first[w->n_regions]);
    uint64_t *chunk_at = calloc((size_t)n_chunks + 1, sizeof(uint64_t));
    uint64_t *valid = calloc((size_t)n_chunks + 1, sizeof(uint64_t));
    uint64_t *pool_n = calloc((size_t)n_pools, sizeof(uint64_t));
    uint32_t *pool_first = malloc(sizeof(uint32_t) * ((size_t)n_pools + 1));
    g->off = bigmem_calloc((size_t)n + 1, sizeof(uint64_t));
    g->abroad = bigmem_calloc(n, 1);
    if (!x || !chunk_at || !valid || !pool_n || !pool_first || !g->off || !g->abroad)
        goto nomem;
    uint64_t id[2];
    rng_identity(r, id);
    x->key = id[0];
    x->size = pc->contacts_mean > 0 ? pc->contacts_size : 0;
    x->prob = pc->contacts_size / (pc->contacts_size + pc->contacts_mean);
    for (int k = 0; k < w->n_regions; k++) {
        double f = w->regions[k].abroad_share, h = pc->home_region, e = pc->platform_homophily;
        double c = cm.m[k] ? pc->community_share : 0; /* of the regional contacts */
        double share[N_CAT + 1] = {f,
                                   (1 - f) * h * c * e,
                                   (1 - f) * h * c * (1 - e),
                                   (1 - f) * h * (1 - c) * e,
                                   (1 - f) * h * (1 - c) * (1 - e),
                                   (1 - f) * (1 - h) * e,
                                   (1 - f) * (1 - h) * (1 - e)};
        double cum = 0;
        for (int c = 0; c <= N_CAT; c++)
            x->cum[k][c] = cum += share[c];
    }
    if (!draw_all(w, x, n, region, flags, &cm, g, valid, pool_n))
        goto nomem;
    for (uint32_t c = 0; c < n_chunks; c++)
        chunk_at[c + 1] = chunk_at[c] + valid[c];
    /* Buckets of about BUCKET stubs in each pool of a region or the country,
     * one in a community's, numbered pool after pool; agents must number
     * below the tags. */
    pool_first[0] = 0;
    for (int p = 0; p < n_pools; p++) {
        double m = p < 3 * (w->n_regions + 1) ? (double)pool_n[p] : 0;
        pool_first[p + 1] = pool_first[p] + (m > BUCKET ? (uint32_t)ceil(m / BUCKET) : 1);
    }
    uint32_t first_tag = TAG(pool_first[n_pools] - 1);
    if (n >= first_tag) {
        free(x);
        free(chunk_at);
        free(valid);
        free(pool_n);
        free(pool_first);
        graph_free(g);
        return bs_fail(BS_EINPUT, "graph: %u agents; the social graph takes at most %u", n,
                       first_tag - 1);
    }
    uint64_t hkey = rng_mix64(id[0] ^ rng_mix64(id[1]));
    g->adj = bigmem_calloc(chunk_at[n_chunks], sizeof(uint32_t));
    if (!g->adj || !tag_all(w, x, n, region, flags, &cm, g, chunk_at, pool_first, hkey))
        goto nomem;

    /* Pair each community's pools, then each region's, then the country's. */
    if (!pair_communities(w, &cm, pool_first, g->off, g->adj, x->key))
        goto nomem;
    uint64_t cap = (uint64_t)list_cap((double)g->off[n]);
    for (int k = 0; k <= w->n_regions; k++) {
        scope_ctx s = {k < w->n_regions ? cm.lo[k] : 0,
                       k < w->n_regions ? cm.lo[k] + cm.span[k] : n,
                       pool_first[3 * k],
                       pool_first[3 * k + 3],
                       pool_first,
                       3 * k,
                       g->off,
                       g->adj};
        if (!pair_scope(&s, cap, x->key))
            goto nomem;
    }
    compact(g, n, first_tag, chunk_at, valid);
    free(x);
    free(chunk_at);
    free(valid);
    free(pool_n);
    free(pool_first);
    return BS_OK;
nomem:
    free(x);
    free(chunk_at);
    free(valid);
    free(pool_n);
    free(pool_first);
    graph_free(g);
    return bs_nomem("the social graph of %u agents (graph)", n);
}
