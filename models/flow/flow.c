/* flow: the weighted max-min fair solver.  The maths and the algorithm are
 * stated in flow.h; comments here say why the code does it this way.
 *
 * Memory: the state of a link (capacity left, load, unfrozen entries, stale
 * mark) is one 24-byte record, so an update touches one cache line, and the
 * records of a national network (2,000 links: 48 kB) stay in the first- and
 * second-level caches.  The weight of a link's unfrozen entries, W_l, is in
 * an array of its own (16 kB), touched only when the problem has weights:
 * without them W_l is the count of unfrozen entries, and the solver does
 * exactly what it did before weights.  Which aggregates are frozen is a bit
 * set (125 kB for 10^6 aggregates, in the second-level cache).  So a flow-link update costs
 * no trip to memory; reading the aggregate's path does, and those reads are
 * prefetched.  The aggregates on each link (the transpose of the paths, in
 * order of aggregate index) are built once per solve.
 */
#include "flow/flow.h"

#include "base/log.h"
#include "base/status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Radix sort of 64-bit keys: 6 passes of 11 bits (66 >= 64), 2048 buckets,
 * whose counters stay in the first-level cache. */
#define RADIX_BITS 11
#define RADIX (1u << RADIX_BITS)
#define RADIX_PASSES 6

/* How far ahead (in aggregates) paths are fetched, when a link saturates or
 * in order of demand: the aggregates are scattered in memory, and which come
 * next is known in advance, so their cache misses can overlap. */
#define PREFETCH_AHEAD 8

typedef struct link_state {
    double left;    /* r_l: capacity left for the unfrozen entries */
    double load;    /* load carried by the frozen aggregates */
    uint32_t open;  /* unfrozen entries (the link leaves the heap at 0) */
    uint32_t stale; /* changed since its heap key was computed */
} link_state;

struct flow_solver {
    size_t links_cap, flows_cap, entries_cap;
    /* per link */
    link_state *link;
    uint32_t *on_off;    /* [links + 1]: link l carries on_flow[on_off[l] .. on_off[l+1]) */
    uint32_t *cursor;    /* [links] filling on_flow */
    double *heap_key;    /* [links] a lower bound of the link's L_l, heap-ordered */
    double *wopen;       /* [links] W_l: weight of the unfrozen entries (weighted problems) */
    double *wref;        /* [links] W_l when last summed (weighted problems) */
    uint32_t *heap_link; /* [links] */
    /* per aggregate */
    uint64_t *frozen;            /* [flows / 64 + 1] bit set */
    uint64_t *key, *key_tmp;     /* [flows] demands as ordered integers */
    uint32_t *order, *order_tmp; /* [flows] aggregates in order of demand */
    /* per path entry */
    uint32_t *on_flow;
    uint32_t hist[RADIX_PASSES][RADIX];
};

flow_solver *flow_solver_new(void)
{
    flow_solver *s = calloc(1, sizeof *s);
    if (!s)
        bs_nomem("a solver (flow)");
    return s;
}

static void free_links(flow_solver *s)
{
    free(s->link);
    free(s->on_off);
    free(s->cursor);
    free(s->heap_key);
    free(s->heap_link);
    free(s->wref);
    free(s->wopen);
    s->wref = s->wopen = NULL;
    s->link = NULL;
    s->on_off = s->cursor = s->heap_link = NULL;
    s->heap_key = NULL;
    s->links_cap = 0;
}

static void free_flows(flow_solver *s)
{
    free(s->frozen);
    free(s->key);
    free(s->key_tmp);
    free(s->order);
    free(s->order_tmp);
    s->frozen = s->key = s->key_tmp = NULL;
    s->order = s->order_tmp = NULL;
    s->flows_cap = 0;
}

void flow_solver_free(flow_solver *s)
{
    if (!s)
        return;
    free_links(s);
    free_flows(s);
    free(s->on_flow);
    free(s);
}

/* Make room for a problem; the contents need not survive, so old arrays are
 * freed rather than reallocated (no copy).  Every array gets one element
 * more than the problem needs, so none is ever of size 0 (on_off needs it). */
static int reserve(flow_solver *s, size_t links, size_t flows, size_t entries)
{
    if (links + 1 > s->links_cap) {
        size_t n = links + 1;
        free_links(s);
        s->link = malloc(n * sizeof *s->link);
        s->on_off = malloc(n * sizeof *s->on_off);
        s->cursor = malloc(n * sizeof *s->cursor);
        s->heap_key = malloc(n * sizeof *s->heap_key);
        s->heap_link = malloc(n * sizeof *s->heap_link);
        s->wref = malloc(n * sizeof *s->wref);
        s->wopen = malloc(n * sizeof *s->wopen);
        if (!s->link || !s->on_off || !s->cursor || !s->heap_key || !s->heap_link || !s->wref ||
            !s->wopen) {
            free_links(s);
            return bs_nomem("%zu links (flow)", links);
        }
        s->links_cap = n;
    }
    if (flows + 1 > s->flows_cap) {
        size_t n = flows + 1;
        free_flows(s);
        s->frozen = malloc((n / 64 + 1) * sizeof *s->frozen);
        s->key = malloc(n * sizeof *s->key);
        s->key_tmp = malloc(n * sizeof *s->key_tmp);
        s->order = malloc(n * sizeof *s->order);
        s->order_tmp = malloc(n * sizeof *s->order_tmp);
        if (!s->frozen || !s->key || !s->key_tmp || !s->order || !s->order_tmp) {
            free_flows(s);
            return bs_nomem("%zu aggregates (flow)", flows);
        }
        s->flows_cap = n;
    }
    if (entries + 1 > s->entries_cap) {
        free(s->on_flow);
        s->on_flow = malloc((entries + 1) * sizeof *s->on_flow);
        if (!s->on_flow) {
            s->entries_cap = 0;
            return bs_nomem("%zu path entries (flow)", entries);
        }
        s->entries_cap = entries + 1;
    }
    return BS_OK;
}

/* ---- input ---- */

static int check_links(const flow_problem *p)
{
    if (p->n_links > 0 && !p->capacity)
        return bs_fail(BS_EINPUT, "flow: %u links but no capacities", p->n_links);
    for (uint32_t l = 0; l < p->n_links; l++) {
        double c = p->capacity[l];
        if (!(c >= 0))
            return bs_fail(BS_EINPUT, "flow: link %u: capacity %g is not a number >= 0", l, c);
        if (isinf(c))
            return bs_fail(BS_EINPUT,
                           "flow: link %u: infinite capacity (leave a link without limit off "
                           "the paths)",
                           l);
    }
    return BS_OK;
}

static int check_flows(const flow_problem *p)
{
    if (p->n_flows == 0)
        return BS_OK;
    if (!p->demand || !p->path_off)
        return bs_fail(BS_EINPUT, "flow: %u aggregates but no demands or paths", p->n_flows);
    const uint32_t *off = p->path_off;
    if (off[0] != 0)
        return bs_fail(BS_EINPUT, "flow: aggregate 0: its path starts at entry %u, not 0", off[0]);
    if (off[p->n_flows] > 0 && !p->path_link)
        return bs_fail(BS_EINPUT, "flow: %u path entries but no links", off[p->n_flows]);
    for (uint32_t f = 0; f < p->n_flows; f++) {
        double d = p->demand[f];
        if (!(d >= 0))
            return bs_fail(BS_EINPUT, "flow: aggregate %u: demand %g is not a number >= 0", f, d);
        if (off[f + 1] < off[f])
            return bs_fail(BS_EINPUT,
                           "flow: aggregate %u: its path ends at entry %u, before it "
                           "starts (%u)",
                           f, off[f + 1], off[f]);
        if (off[f + 1] == off[f] && isinf(d))
            return bs_fail(BS_EINPUT, "flow: aggregate %u: infinite demand on an empty path", f);
        if (p->weight && !(p->weight[f] > 0 && isfinite(p->weight[f])))
            return bs_fail(BS_EINPUT, "flow: aggregate %u: weight %g is not a finite number > 0", f,
                           p->weight[f]);
        for (uint32_t e = off[f]; e < off[f + 1]; e++)
            if (p->path_link[e] >= p->n_links)
                return bs_fail(BS_EINPUT,
                               "flow: aggregate %u: path entry %u is link %u, but "
                               "there are %u links",
                               f, e - off[f], p->path_link[e], p->n_links);
    }
    return BS_OK;
}

/* ---- set-up ---- */

static inline double weight_of(const flow_problem *p, uint32_t f)
{
    return p->weight ? p->weight[f] : 1.0;
}

/* Link records, and the aggregates on each link in order of index. */
static void build_links(flow_solver *s, const flow_problem *p)
{
    for (uint32_t l = 0; l < p->n_links; l++)
        s->link[l] = (link_state){.left = p->capacity[l] + 0.0}; /* + 0.0: no -0 */
    size_t entries = p->n_flows ? p->path_off[p->n_flows] : 0;
    for (size_t e = 0; e < entries; e++)
        s->link[p->path_link[e]].open++;
    if (p->weight) {
        for (uint32_t l = 0; l < p->n_links; l++)
            s->wopen[l] = 0;
        for (uint32_t f = 0; f < p->n_flows; f++)
            for (uint32_t e = p->path_off[f]; e < p->path_off[f + 1]; e++)
                s->wopen[p->path_link[e]] += p->weight[f];
        for (uint32_t l = 0; l < p->n_links; l++)
            s->wref[l] = s->wopen[l];
    }
    s->on_off[0] = 0;
    for (uint32_t l = 0; l < p->n_links; l++) {
        s->cursor[l] = s->on_off[l];
        s->on_off[l + 1] = s->on_off[l] + s->link[l].open;
    }
    for (uint32_t f = 0; f < p->n_flows; f++)
        for (uint32_t e = p->path_off[f]; e < p->path_off[f + 1]; e++)
            s->on_flow[s->cursor[p->path_link[e]]++] = f;
}

/* A demand as an integer of the same order: the bits of a double >= 0 (with
 * +0, not -0) are ordered as the double is, INFINITY last. */
static uint64_t demand_key(double d)
{
    d += 0.0;
    uint64_t k;
    memcpy(&k, &d, sizeof k);
    return k;
}

/* The demand back from its key. */
static double key_demand(uint64_t k)
{
    double d;
    memcpy(&d, &k, sizeof d);
    return d;
}

/* Least-significant-digit radix sort of s->key[0..n) with s->order alongside;
 * stable, so equal demands stay in order of index.  A pass whose digit is
 * the same for every key is skipped (the top bits of demands of similar
 * size). */
static void radix_sort(flow_solver *s, size_t n)
{
    memset(s->hist, 0, sizeof s->hist);
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < RADIX_PASSES; d++)
            s->hist[d][s->key[i] >> (d * RADIX_BITS) & (RADIX - 1)]++;
    for (int d = 0; d < RADIX_PASSES; d++) {
        uint32_t *h = s->hist[d];
        int shift = d * RADIX_BITS;
        if (h[s->key[0] >> shift & (RADIX - 1)] == n)
            continue;
        uint32_t sum = 0;
        for (uint32_t b = 0; b < RADIX; b++) {
            uint32_t c = h[b];
            h[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            uint32_t at = h[s->key[i] >> shift & (RADIX - 1)]++;
            s->key_tmp[at] = s->key[i];
            s->order_tmp[at] = s->order[i];
        }
        uint64_t *k = s->key;
        s->key = s->key_tmp;
        s->key_tmp = k;
        uint32_t *o = s->order;
        s->order = s->order_tmp;
        s->order_tmp = o;
    }
}

static inline int is_frozen(const uint64_t *frozen, uint32_t f)
{
    return frozen[f >> 6] >> (f & 63) & 1u;
}

/* Aggregates with an empty path get their demand now; the others go into
 * s->order, sorted by the level at which they reach their demand, d_f / w_f:
 * returns how many those are. */
static size_t sort_by_demand(flow_solver *s, const flow_problem *p, double *rate, flow_stats *st)
{
    memset(s->frozen, 0, (p->n_flows / 64 + 1) * sizeof *s->frozen);
    size_t n = 0;
    for (uint32_t f = 0; f < p->n_flows; f++) {
        if (p->path_off[f] == p->path_off[f + 1]) {
            rate[f] = p->demand[f];
            s->frozen[f >> 6] |= 1ull << (f & 63);
            st->at_demand++;
        } else {
            s->order[n] = f;
            s->key[n++] = demand_key(p->weight ? p->demand[f] / p->weight[f] : p->demand[f]);
        }
    }
    if (n > 0)
        radix_sort(s, n);
    return n;
}

/* ---- the heap of links ---- */

static void sift_down(double *key, uint32_t *link, size_t n, size_t i)
{
    double k = key[i];
    uint32_t l = link[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && key[c + 1] < key[c])
            c++;
        if (!(key[c] < k))
            break;
        key[i] = key[c];
        link[i] = link[c];
        i = c;
    }
    key[i] = k;
    link[i] = l;
}

/* Every link with unfrozen entries, keyed by L_l = r_l / W_l. */
static size_t build_heap(flow_solver *s, uint32_t n_links, int weighted)
{
    size_t n = 0;
    for (uint32_t l = 0; l < n_links; l++) {
        if (s->link[l].open > 0) {
            s->heap_key[n] = s->link[l].left / (weighted ? s->wopen[l] : s->link[l].open);
            s->heap_link[n++] = l;
        }
    }
    for (size_t i = n / 2; i-- > 0;)
        sift_down(s->heap_key, s->heap_link, n, i);
    return n;
}

/* W_l of link l again, summed over its unfrozen entries.  W_l is kept by
 * subtraction, each with an error of up to 2^-53 of the W_l of the moment:
 * once the weight left is much less than what was there (WREF_DROP), those
 * errors would be large beside it, so it is summed afresh.  A link is summed
 * at most log_256 of the ratio of its weights times; never without weights
 * (W_l then counts entries, exactly). */
#define WREF_DROP (1.0 / 256)
static void recount(flow_solver *s, const flow_problem *p, uint32_t l)
{
    double w = 0;
    for (uint32_t x = s->on_off[l]; x < s->on_off[l + 1]; x++)
        if (!is_frozen(s->frozen, s->on_flow[x]))
            w += weight_of(p, s->on_flow[x]);
    s->wopen[l] = w;
    s->wref[l] = w;
}

/* The least saturation level of a link that still has unfrozen entries
 * (INFINITY if none), its link in *top.  Links left with no unfrozen entry
 * leave the heap here; a stale top gets its key recomputed, never lowered
 * (flow.h: L_l only rises, so a lower value is rounding). */
static double next_saturation(flow_solver *s, const flow_problem *p, size_t *heap_n, uint32_t *top,
                              flow_stats *st)
{
    while (*heap_n > 0) {
        link_state *ls = &s->link[s->heap_link[0]];
        if (ls->open == 0) {
            --*heap_n;
            s->heap_key[0] = s->heap_key[*heap_n];
            s->heap_link[0] = s->heap_link[*heap_n];
            sift_down(s->heap_key, s->heap_link, *heap_n, 0);
        } else if (ls->stale) {
            ls->stale = 0;
            uint32_t l = s->heap_link[0];
            double w = ls->open;
            if (p->weight) {
                if (!(s->wopen[l] > WREF_DROP * s->wref[l]))
                    recount(s, p, l);
                w = s->wopen[l];
            }
            double k = ls->left / w;
            if (k > s->heap_key[0]) {
                s->heap_key[0] = k;
                sift_down(s->heap_key, s->heap_link, *heap_n, 0);
            }
            st->resifts++;
        } else {
            *top = s->heap_link[0];
            return s->heap_key[0];
        }
    }
    return INFINITY;
}

/* ---- progressive filling ---- */

/* Freeze aggregate f at rate r: one update per entry of its path, which it
 * returns.  Its weight w leaves W_l of every link it crosses. */
static inline uint32_t freeze(flow_solver *s, const flow_problem *p, double *rate, uint32_t f,
                              double r)
{
    link_state *link = s->link;
    const uint32_t *path = p->path_link;
    uint32_t start = p->path_off[f], end = p->path_off[f + 1];
    s->frozen[f >> 6] |= 1ull << (f & 63);
    rate[f] = r;
    if (p->weight) {
        double w = p->weight[f];
        for (uint32_t e = start; e < end; e++) {
            link_state *k = &link[path[e]];
            k->left -= r;
            k->load += r;
            k->open--;
            k->stale = 1;
            s->wopen[path[e]] -= w;
        }
    } else {
        for (uint32_t e = start; e < end; e++) {
            link_state *k = &link[path[e]];
            k->left -= r;
            k->load += r;
            k->open--;
            k->stale = 1;
        }
    }
    return end - start;
}

/* Link l saturates at level L: its unfrozen aggregates freeze at w_f L (never
 * above the demand: d_f / w_f >= L but for rounding).  Returns how many. */
static size_t saturate(flow_solver *s, const flow_problem *p, double *rate, uint32_t l,
                       double level, flow_stats *st)
{
    const uint32_t *on = s->on_flow + s->on_off[l];
    size_t n = s->on_off[l + 1] - s->on_off[l], done = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + PREFETCH_AHEAD < n) {
            uint32_t g = on[i + PREFETCH_AHEAD];
            __builtin_prefetch(&p->path_off[g]);
            __builtin_prefetch(&p->path_link[p->path_off[on[i + PREFETCH_AHEAD / 2]]]);
            if (p->weight) {
                __builtin_prefetch(&p->weight[g]);
                __builtin_prefetch(&p->demand[g]);
            }
        }
        uint32_t f = on[i];
        if (!is_frozen(s->frozen, f)) {
            double r = p->weight ? fmin(p->weight[f] * level, p->demand[f]) : level;
            st->updates += freeze(s, p, rate, f, r);
            done++;
        }
    }
    return done;
}

/* Take the events in order of level until every aggregate is frozen. */
static int fill(flow_solver *s, const flow_problem *p, double *rate, size_t n_open, flow_stats *st)
{
    size_t heap_n = build_heap(s, p->n_links, p->weight != NULL), next = 0, n_sorted = n_open;
    while (n_open > 0) {
        uint32_t top = 0;
        double sat = next_saturation(s, p, &heap_n, &top, st);
        while (next < n_sorted && is_frozen(s->frozen, s->order[next]))
            next++;
        double dem = next < n_sorted ? key_demand(s->key[next]) : INFINITY;
        if (dem == INFINITY && sat == INFINITY)
            return bs_fail(BS_ERUNTIME, "flow: %zu aggregates left with no event (a bug)", n_open);
        if (dem <= sat) {
            /* The aggregates of this demand, unfrozen, are next in order. */
            uint64_t k = s->key[next];
            for (; next < n_sorted && s->key[next] == k; next++) {
                /* Fetch the paths of the aggregates next in order: the order
                 * is known, the paths are scattered.  (Not in a function of
                 * its own: GCC finds a void function of prefetches free of
                 * effects and drops the call.) */
                if (next + PREFETCH_AHEAD < n_sorted) {
                    const uint32_t *o = s->order + next;
                    __builtin_prefetch(&p->path_off[o[PREFETCH_AHEAD]]);
                    __builtin_prefetch(&p->path_link[p->path_off[o[PREFETCH_AHEAD / 2]]]);
                    if (p->weight) {
                        __builtin_prefetch(&p->weight[o[PREFETCH_AHEAD]]);
                        __builtin_prefetch(&p->demand[o[PREFETCH_AHEAD]]);
                    }
                }
                if (!is_frozen(s->frozen, s->order[next])) {
                    /* At its demand: dem itself without weights (no trip
                     * to memory), d_f with them (dem is d_f / w_f). */
                    uint32_t f = s->order[next];
                    st->updates += freeze(s, p, rate, f, p->weight ? p->demand[f] : dem);
                    n_open--;
                    st->at_demand++;
                }
            }
        } else {
            n_open -= saturate(s, p, rate, top, sat, st);
            st->bottlenecks++;
        }
        st->rounds++;
    }
    return BS_OK;
}

int flow_solve(flow_solver *s, const flow_problem *p, double *rate, double *link_load,
               flow_stats *stats)
{
    int st = check_links(p);
    if (st == BS_OK)
        st = check_flows(p);
    if (st == BS_OK && p->n_flows > 0 && !rate)
        st = bs_fail(BS_EINPUT, "flow: %u aggregates but nowhere to put their rates", p->n_flows);
    size_t entries = st == BS_OK && p->n_flows ? p->path_off[p->n_flows] : 0;
    if (st == BS_OK)
        st = reserve(s, p->n_links, p->n_flows, entries);
    if (st != BS_OK)
        return st;

    flow_stats local = {0};
    build_links(s, p);
    size_t n_open = sort_by_demand(s, p, rate, &local);
    st = fill(s, p, rate, n_open, &local);
    if (link_load)
        for (uint32_t l = 0; l < p->n_links; l++)
            link_load[l] = s->link[l].load;
    if (stats)
        *stats = local;
    LOG("flow", LOG_DEBUG,
        "%u aggregates, %u links, %zu entries: %llu rounds, %llu bottlenecks, %llu at demand",
        p->n_flows, p->n_links, entries, (unsigned long long)local.rounds,
        (unsigned long long)local.bottlenecks, (unsigned long long)local.at_demand);
    return st;
}
