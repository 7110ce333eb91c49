/* population: agents and the daily step.  The model is stated in
 * population.h; comments here say why the code does it this way.
 *
 * Speed: calls are drawn caller by caller (each agent's Poisson count in
 * turn), which reads the callers' state in order; a call changes only its
 * caller's order and frustration, and the callees' apps, ISP and VPN do not
 * change during the calls, so the order in which callers are taken does not
 * change the law of the day.  What a callee contributes to a call is packed
 * in one 32-bit word (`card`: usable apps, ISP, VPN state), one cache line
 * touched per random contact.  Counts per region are kept up to date as
 * agents change, rather than recounted every day.
 *
 * Threads: the calls, adoption and the daily pass over agents run on blocks
 * of BLOCK agents in parallel (OpenMP).  Each block has its own tallies,
 * added up in block order afterwards; a block changes only its own agents
 * and reads nothing another block changes (adoption decides on the state at
 * its start and installs afterwards, block by block); every draw of the day
 * is keyed by (agent, day, purpose) (see the streams below), so it does not
 * depend on which thread makes it or in what order.  So the results are the
 * same whatever the number of threads.
 */
#include "population/population.h"
#include "population/population_internal.h"

#include "base/bigmem.h"
#include "population/graph.h"
#include "base/log.h"
#include "base/rng.h"
#include "base/status.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static void block_range(const population *p, int k, uint32_t *lo, uint32_t *hi);

/* ---- the preference order: a permutation of the apps in 4-bit slots ---- */

static inline int order_at(uint64_t o, int pos) { return (int)(o >> (4 * pos) & 0xfu); }

static inline int order_find(uint64_t o, int app, int n_apps)
{
    for (int p = 0; p < n_apps; p++)
        if (order_at(o, p) == app)
            return p;
    return -1;
}

/* Remove the slot at `pos`, shifting later slots forward (the last slot is left
 * empty for the caller to fill). */
static inline uint64_t order_remove(uint64_t o, int pos)
{
    uint64_t low = pos ? o & ((1ull << (4 * pos)) - 1) : 0;
    uint64_t high = pos < 15 ? (o >> (4 * (pos + 1))) << (4 * pos) : 0;
    return low | high;
}

static inline uint64_t order_to_front(uint64_t o, int app, int n_apps)
{
    int p = order_find(o, app, n_apps);
    return (order_remove(o, p) << 4) | (uint64_t)app;
}

static inline uint64_t order_to_back(uint64_t o, int app, int n_apps)
{
    int p = order_find(o, app, n_apps);
    uint64_t rest = order_remove(o, p) & ((1ull << (4 * (n_apps - 1))) - 1);
    return rest | (uint64_t)app << (4 * (n_apps - 1));
}

/* Swap `app` with the next app below it that is in `mask`. */
static inline uint64_t order_down(uint64_t o, int app, uint16_t mask, int n_apps)
{
    int p = order_find(o, app, n_apps);
    for (int q = p + 1; q < n_apps; q++) {
        int b = order_at(o, q);
        if (mask >> b & 1u) {
            o &= ~(0xfull << (4 * p) | 0xfull << (4 * q));
            return o | (uint64_t)b << (4 * p) | (uint64_t)app << (4 * q);
        }
    }
    return o;
}

/* ---- small helpers ---- */

/* Index drawn from weights w[0..n-1] (sum > 0) with the uniform u. */
static int draw_weighted(double u, const double *w, int n)
{
    double total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    u *= total;
    for (int i = 0; i < n - 1; i++) {
        if (u < w[i])
            return i;
        u -= w[i];
    }
    return n - 1;
}

/* ---- an agent's state, kept consistent with its card and the counts ---- */

static inline int agent_platform(const population *p, uint32_t i)
{
    return p->flags[i] & FLAG_IOS ? PLATFORM_IOS : PLATFORM_ANDROID;
}

/* Apps agent i calls with: installed, minus those it refuses. */
static inline uint16_t usable_of(const population *p, uint32_t i)
{
    return p->flags[i] & FLAG_AVERSE ? p->installed[i] & (uint16_t)~p->averse_apps
                                     : p->installed[i];
}

/* The first app in i's order that it can call with, or NO_APP. */
static int first_usable(const population *p, uint32_t i)
{
    uint16_t use = card_usable(p->card[i]);
    for (int pos = 0; use && pos < p->w->n_apps; pos++)
        if (use >> order_at(p->order[i], pos) & 1u)
            return order_at(p->order[i], pos);
    return NO_APP;
}

/* After i's order or apps changed: its first choice, and the counts
 * `primary` ([region][app]: the population's, or a block's changes). */
static void set_first(population *p, uint32_t i, int now, double *primary)
{
    if (now == p->first[i])
        return;
    double *row = primary + (size_t)p->region[i] * p->w->n_apps;
    if (p->first[i] != NO_APP)
        row[p->first[i]] -= 1;
    if (now != NO_APP)
        row[now] += 1;
    p->first[i] = (uint8_t)now;
}

static void update_first(population *p, uint32_t i, double *primary)
{
    set_first(p, i, first_usable(p, i), primary);
}

/* Put usable app `a` first in i's order. */
static void put_first(population *p, uint32_t i, int a, double *primary)
{
    p->order[i] = order_to_front(p->order[i], a, p->w->n_apps);
    set_first(p, i, a, primary);
}

/* Move app `a` one place down among i's installed apps. */
static void move_down(population *p, uint32_t i, int a, double *primary)
{
    p->order[i] = order_down(p->order[i], a, p->installed[i], p->w->n_apps);
    if (p->first[i] == a) /* only then can the first choice change */
        update_first(p, i, primary);
}

static void install(population *p, uint32_t i, int app)
{
    p->installed[i] |= (uint16_t)(1u << app);
    p->n_installed[(size_t)p->region[i] * p->w->n_apps + app] += 1;
    p->card[i] = (p->card[i] & 0xffff0000u) | usable_of(p, i);
    /* A new app goes to the bottom of the order. */
    p->order[i] = order_to_back(p->order[i], app, p->w->n_apps);
    update_first(p, i, p->n_primary);
}

/* VPN state: 0 none, v + 1 on protocol v; `vpn` the counts to adjust. */
static void set_vpn(population *p, uint32_t i, int vstate, double *vpn)
{
    int old = card_vpn(p->card[i]);
    if (old == vstate)
        return;
    double *row = vpn + (size_t)p->region[i] * p->w->n_vpns;
    if (old)
        row[old - 1] -= 1;
    if (vstate)
        row[vstate - 1] += 1;
    p->card[i] = (p->card[i] & 0x00ffffffu) | (uint32_t)vstate << 24;
}

/* Apps of contact k abroad of agent i: a fixed function of (seed, i, k). */
static uint16_t abroad_apps(const population *p, uint32_t i, int k)
{
    const world *w = p->w;
    uint64_t h = rng_mix64(p->abroad_seed ^ ((uint64_t)i << 8 | (uint64_t)k));
    int plat = unit_of(h) < w->population.abroad_ios_share ? PLATFORM_IOS : PLATFORM_ANDROID;
    uint16_t apps = 0;
    for (int a = 0; a < w->n_apps; a++) {
        h = rng_mix64(h);
        if ((p->runs_on[plat] >> a & 1u) && unit_of(h) < w->apps[a].abroad_installed)
            apps |= (uint16_t)(1u << a);
    }
    return apps;
}

/* For the engine's other files (population_internal.h). */
void population_put_first(population *p, uint32_t i, int a, double *primary)
{
    put_first(p, i, a, primary);
}
void population_install(population *p, uint32_t i, int app) { install(p, i, app); }
void population_set_vpn(population *p, uint32_t i, int vstate, double *vpn)
{
    set_vpn(p, i, vstate, vpn);
}

/* ---- construction ---- */

static int alloc_agents(population *p)
{
    uint32_t n = p->n;
    const world *w = p->w;
    p->region = bigmem_calloc(n, 1);
    p->flags = bigmem_calloc(n, 1);
    p->habit = bigmem_calloc(n, 1);
    p->first = bigmem_calloc(n, 1);
    p->installed = bigmem_calloc(n, sizeof(uint16_t));
    p->card = bigmem_calloc(n, sizeof(uint32_t));
    p->order = bigmem_calloc(n, sizeof(uint64_t));
    p->frust = bigmem_calloc(n, sizeof(float));
    p->first_day = bigmem_calloc(n, 1);
    p->away = bigmem_calloc(n, 1);
    p->msg = bigmem_calloc(n, sizeof(uint16_t));
    p->called = bigmem_calloc(n, sizeof(uint16_t));
    p->month_msg = bigmem_calloc(n, sizeof(uint16_t));
    p->month_call = bigmem_calloc(n, sizeof(uint16_t));
    p->msg_block = calloc((size_t)w->n_all_isps * w->n_apps + 1, sizeof(double));
    p->msg_thr = calloc((size_t)w->n_all_isps * w->n_apps + 1, sizeof(uint32_t));
    p->n_installed = calloc((size_t)w->n_regions * w->n_apps, sizeof(double));
    p->n_primary = calloc((size_t)w->n_regions * w->n_apps, sizeof(double));
    p->n_vpn = calloc((size_t)w->n_regions * w->n_vpns + 1, sizeof(double));
    p->vpn_detect = calloc((size_t)w->n_all_isps * w->n_vpns + 1, sizeof(double));
    return p->vpn_detect && p->region && p->flags && p->habit && p->first && p->installed &&
           p->card && p->order && p->frust && p->n_installed && p->n_primary && p->n_vpn &&
           p->first_day && p->away && p->msg && p->called && p->month_msg && p->month_call &&
           p->msg_block && p->msg_thr;
}

/* The random streams of a population: two named streams for what is not
 * per agent and day (the agents' initial state, the social graph), and the
 * keyed draws of each agent and day (rng_at, base/rng.h) under the key of
 * STREAM_AGENT_DAY, at coordinates (agent, day, purpose | sub << 8):
 *   PURPOSE_CALLS   word 0 the number of calls, word 1 the adoption word
 *                   (block_adopt), then each call's contact (and class);
 *   PURPOSE_CALL    sub = the call's number that day: word 0 the tunnels,
 *                   then one word per attempt that can fail;
 *   PURPOSE_ADOPT   which app has the least of the day's uniforms, then the
 *                   others (block_adopt);
 *   PURPOSE_ADOPT_CONTACT  sub = the app: the contact that estimates s_i(a);
 *   PURPOSE_DAY     word 0 the return, words 1-3 the VPN (notice or
 *                   adopt, switch, protocol).
 * So a draw is a function of (seed, run, agent, day, purpose, sub, word)
 * alone: where a block makes an agent draw more (a retry, a move), no other
 * agent, day or purpose draws differently (common random numbers between a
 * run with a block and the same run without it). */
#define STREAM_INIT "population.init"
#define STREAM_GRAPH "population.graph"
#define STREAM_AGENT_DAY "population.agent-day"
#define MAX_CALLS ((1u << 24) - 1) /* the sub-index has 24 bits */

int population_streams(uint32_t n, void (*fn)(const char *name, void *arg), void *arg)
{
    (void)n;
    if (fn) {
        fn(STREAM_INIT, arg);
        fn(STREAM_GRAPH, arg);
        fn(STREAM_AGENT_DAY, arg);
    }
    return 3;
}

/* One lane per block of agents: its tallies. */
static int alloc_lanes(population *p)
{
    const world *w = p->w;
    p->n_lanes = (int)((p->n + (uint64_t)BLOCK - 1) / BLOCK);
    p->lanes = calloc((size_t)p->n_lanes, sizeof(lane));
    if (!p->lanes)
        return 0;
    for (int k = 0; k < p->n_lanes; k++) {
        lane *l = &p->lanes[k];
        l->primary = calloc((size_t)w->n_regions * w->n_apps, sizeof(double));
        l->vpn = calloc((size_t)w->n_regions * w->n_vpns + 1, sizeof(double));
        l->installed = calloc((size_t)w->n_regions * w->n_apps, sizeof(double));
        l->use = calloc((size_t)POP_USES * w->n_regions * w->n_apps, sizeof(double));
        l->use_bytes = calloc((size_t)w->n_regions * POP_USES * 2, sizeof(uint64_t));
        l->use_n = calloc((size_t)w->n_regions, sizeof(uint32_t));
        if (!l->primary || !l->vpn || !l->installed || !l->use || !l->use_bytes || !l->use_n)
            return 0;
    }
    return 1;
}

/* A random order of the apps weighted by preference (Gumbel keys). */
static uint64_t draw_order(const world *w, gsl_rng *r)
{
    double key[MAX_APPS];
    for (int a = 0; a < w->n_apps; a++) {
        double u = gsl_rng_uniform_pos(r);
        key[a] = w->apps[a].preference > 0 ? log(w->apps[a].preference) - log(-log(u))
                                           : -1e300 * (1 + u);
    }
    uint64_t o = 0;
    uint16_t used = 0;
    for (int pos = 0; pos < w->n_apps; pos++) {
        int best = -1;
        for (int a = 0; a < w->n_apps; a++)
            if (!(used >> a & 1u) && (best < 0 || key[a] > key[best]))
                best = a;
        used |= (uint16_t)(1u << best);
        o |= (uint64_t)best << (4 * pos);
    }
    return o;
}

/* Region, ISP, platform, aversion, installed apps, order and VPN of each
 * agent, from the configured shares. */
static void init_agents(population *p, gsl_rng *r, const uint32_t *region_n)
{
    const world *w = p->w;
    double vpn_w[MAX_VPNS + 1];
    double vpn_total = 0;
    for (int v = 0; v < w->n_vpns; v++) {
        vpn_w[v + 1] = w->vpns[v].initial;
        vpn_total += w->vpns[v].initial;
    }
    vpn_w[0] = 1.0 - vpn_total > 0 ? 1.0 - vpn_total : 0.0;
    uint32_t i = 0;
    for (int reg = 0; reg < w->n_regions; reg++) {
        const region_cfg *rc = &w->regions[reg];
        double isp_w[MAX_ISPS];
        for (int k = 0; k < rc->n_isps; k++)
            isp_w[k] = rc->isps[k].share;
        for (uint32_t c = 0; c < region_n[reg]; c++, i++) {
            p->region[i] = (uint8_t)reg;
            int isp = w->isp_first[reg] + draw_weighted(gsl_rng_uniform(r), isp_w, rc->n_isps);
            int ios = gsl_rng_uniform(r) < rc->ios_share;
            int averse = gsl_rng_uniform(r) < w->population.aversion;
            p->flags[i] = (uint8_t)((ios ? FLAG_IOS : 0) | (averse ? FLAG_AVERSE : 0));
            uint16_t can = p->runs_on[ios ? PLATFORM_IOS : PLATFORM_ANDROID];
            p->installed[i] = 0;
            for (int a = 0; a < w->n_apps; a++)
                if ((can >> a & 1u) && gsl_rng_uniform(r) < w->apps[a].installed) {
                    p->installed[i] |= (uint16_t)(1u << a);
                    p->n_installed[(size_t)reg * w->n_apps + a] += 1;
                }
            p->order[i] = draw_order(w, r);
            p->card[i] = usable_of(p, i) | (uint32_t)isp << 16;
            p->first[i] = NO_APP;
            update_first(p, i, p->n_primary);
            p->habit[i] = p->first[i];
            p->first_day[i] = p->first[i];
            p->msg[i] = usable_of(p, i); /* at the start, who has an app uses it */
            int vs = w->n_vpns ? draw_weighted(gsl_rng_uniform(r), vpn_w, w->n_vpns + 1) : 0;
            set_vpn(p, i, vs, p->n_vpn);
        }
    }
}

population *population_new(const world *w)
{
    population *p = calloc(1, sizeof *p);
    if (!p) {
        bs_nomem("the population");
        return NULL;
    }
    p->w = w;
    uint32_t region_n[MAX_REGIONS];
    double total = 0;
    for (int r = 0; r < w->n_regions; r++) {
        region_n[r] = (uint32_t)llround(w->regions[r].population / w->population.scale);
        total += region_n[r];
    }
    if (total < 1) {
        population_free(p);
        bs_fail(BS_EINPUT, "population.scale: %g people per agent leaves no agent",
                w->population.scale);
        return NULL;
    }
    p->n = (uint32_t)total;
    for (int a = 0; a < w->n_apps; a++) {
        if (world_app_averse(w, a))
            p->averse_apps |= (uint16_t)(1u << a);
        for (int pl = 0; pl < N_PLATFORMS; pl++)
            if (w->apps[a].platform_mask >> pl & 1u)
                p->runs_on[pl] |= (uint16_t)(1u << a);
    }
    /* P(K <= k) for K ~ Poisson(lambda): calls per agent per day. */
    double lambda = w->population.calls_per_day, term = exp(-lambda), cdf = 0;
    for (int k = 0; k < POISSON_TABLE; k++) {
        cdf += term;
        p->poisson_cdf[k] = cdf;
        term *= lambda / (k + 1);
    }
    uint64_t seed = (uint64_t)w->scenario.seed, run = (uint64_t)w->scenario.run;
    p->abroad_seed = rng_seed_of(seed, run, "population.abroad");
    p->key = rng_at_key(seed, run, STREAM_AGENT_DAY);
    gsl_rng *r_init = rng_stream(seed, run, STREAM_INIT);
    gsl_rng *r_graph = rng_stream(seed, run, STREAM_GRAPH);
    int ok = r_init && r_graph && alloc_agents(p) && alloc_lanes(p);
    if (ok) {
        init_agents(p, r_init, region_n);
        ok = w->population.graph != GRAPH_NEGBIN ||
             graph_build(w, p->n, p->region, p->flags, r_graph, &p->g) == BS_OK;
    } else {
        bs_nomem("%u agents (population)", p->n);
    }
    if (r_init)
        gsl_rng_free(r_init);
    if (r_graph)
        gsl_rng_free(r_graph);
    if (!ok) {
        population_free(p);
        return NULL;
    }
    LOG("population", LOG_INFO, "%u agents, %llu contact entries, %.1f MB", p->n,
        (unsigned long long)population_contacts(p), population_bytes(p) / 1e6);
    return p;
}

void population_free(population *p)
{
    if (!p)
        return;
    bigmem_free(p->region);
    bigmem_free(p->flags);
    bigmem_free(p->habit);
    bigmem_free(p->first);
    bigmem_free(p->installed);
    bigmem_free(p->card);
    bigmem_free(p->order);
    bigmem_free(p->frust);
    bigmem_free(p->first_day);
    bigmem_free(p->away);
    bigmem_free(p->msg);
    bigmem_free(p->called);
    bigmem_free(p->month_msg);
    bigmem_free(p->month_call);
    free(p->msg_block);
    free(p->msg_thr);
    free(p->n_installed);
    free(p->n_primary);
    free(p->n_vpn);
    free(p->vpn_detect);
    graph_free(&p->g);
    for (int k = 0; p->lanes && k < p->n_lanes; k++) {
        lane *l = &p->lanes[k];
        free(l->inst_agent);
        free(l->inst_app);
        free(l->primary);
        free(l->vpn);
        free(l->installed);
        free(l->use);
        free(l->use_bytes);
        free(l->use_n);
        free(l->sw_agent);
        free(l->sw_app);
    }
    free(p->lanes);
    for (int t = 0; p->tally_thr && t < p->n_thr; t++)
        free(p->tally_thr[t]);
    free(p->tally_thr);
    free(p->tally);
    free(p);
}

size_t population_tally_cells(const world *w)
{
    size_t ni = (size_t)w->n_all_isps, nv = (size_t)w->n_vpns + 1;
    return ni * (ni + 1) * (size_t)w->n_apps * 2 * nv * nv;
}

int population_tally_on(population *p)
{
    if (p->tally)
        return BS_OK;
    p->tally_cells = population_tally_cells(p->w);
    if (p->tally_cells > POP_TALLY_MAX)
        return bs_fail(BS_EINPUT,
                       "network: the flow engine would count calls in %zu cells (ISPs x "
                       "(ISPs + 1) x apps x 2 classes x (VPN protocols + 1)^2), more than its "
                       "limit of %d: use fewer ISPs, apps or VPN protocols",
                       p->tally_cells, POP_TALLY_MAX);
    p->n_thr = omp_get_max_threads();
    p->tally_thr = calloc((size_t)p->n_thr, sizeof(uint64_t *));
    p->tally = calloc(p->tally_cells, sizeof(uint64_t));
    int ok = p->tally_thr && p->tally;
    for (int t = 0; ok && t < p->n_thr; t++)
        ok = (p->tally_thr[t] = calloc(p->tally_cells, sizeof(uint64_t))) != NULL;
    if (!ok)
        return bs_nomem("the flow engine's tally (population)");
    return BS_OK;
}

const uint64_t *population_tally(const population *p) { return p->tally; }

void population_isp_counts(const population *p, double *users)
{
    const world *w = p->w;
    int na = w->n_apps, nv = w->n_vpns + 1;
    size_t cells = (size_t)w->n_all_isps * (na + 1) * nv;
    memset(users, 0, cells * sizeof(double));
    /* Whole numbers below 2^53: the sum is exact in any order. */
#pragma omp parallel for schedule(static) reduction(+ : users[:cells])
    for (int k = 0; k < p->n_lanes; k++) {
        uint32_t lo, hi;
        block_range(p, k, &lo, &hi);
        for (uint32_t i = lo; i < hi; i++) {
            uint32_t card = p->card[i];
            double *row = users + (size_t)card_isp(card) * (na + 1) * nv;
            int v = card_vpn(card);
            row[v] += 1;
            for (uint16_t u = card_usable(card); u; u &= (uint16_t)(u - 1))
                row[(1 + __builtin_ctz(u)) * nv + v] += 1;
        }
    }
}

uint32_t population_agents(const population *p) { return p->n; }

uint64_t population_contacts(const population *p) { return p->g.off ? p->g.off[p->n] : 0; }

size_t population_bytes(const population *p)
{
    size_t per_agent = 6 * sizeof(uint8_t) + 5 * sizeof(uint16_t) + sizeof(uint32_t) +
                       sizeof(uint64_t) + sizeof(float);
    if (p->g.off)
        per_agent += sizeof(uint64_t) + sizeof(uint8_t); /* offsets, contacts abroad */
    return sizeof *p + (size_t)p->n * per_agent + (size_t)population_contacts(p) * sizeof(uint32_t);
}

pop_memory population_estimate(const world *w)
{
    pop_memory m = {0, 0, 0, 0, 0, omp_get_max_threads()};
    uint32_t region_n[MAX_REGIONS];
    for (int r = 0; r < w->n_regions; r++) {
        region_n[r] = (uint32_t)llround(w->regions[r].population / w->population.scale);
        m.agents += region_n[r];
    }
    /* What alloc_agents and alloc_lanes take: the per-agent arrays (by the
     * types of their elements), the running counts, and per block of agents a
     * lane with four streams (Philox: a gsl_rng and a state of under 64
     * bytes) and its count changes. */
    const population *p = NULL;
    size_t n = (size_t)m.agents, ra = (size_t)w->n_regions * w->n_apps;
    size_t rv = (size_t)w->n_regions * w->n_vpns + 1;
    double agents = 6.0 * (double)bigmem_resident(n, sizeof *p->region) +
                    5.0 * (double)bigmem_resident(n, sizeof *p->installed) +
                    (double)bigmem_resident(n, sizeof *p->card) +
                    (double)bigmem_resident(n, sizeof *p->order) +
                    (double)bigmem_resident(n, sizeof *p->frust);
    double counts =
        sizeof(population) + sizeof(double) * (2.0 * ra + rv + (double)w->n_all_isps * w->n_vpns +
                                               1 + 1.5 * w->n_all_isps * w->n_apps + 1);
    double lanes = ceil(m.agents / BLOCK) *
                   (sizeof(lane) + 4.0 * (sizeof(gsl_rng) + 64) +
                    sizeof(double) * (double)((2 + POP_USES) * ra + rv) +
                    (2.0 * POP_USES * sizeof(uint64_t) + sizeof(uint32_t)) * w->n_regions);
    graph_memory g = graph_estimate(w, region_n);
    m.contacts = g.contacts;
    m.kept = agents + counts + lanes + g.kept;
    m.build_peak = agents + counts + lanes + g.peak;
    m.tally = sizeof(uint64_t) * (double)population_tally_cells(w) * (m.threads + 1);
    return m;
}

/* ---- contacts ---- */

static inline uint64_t n_contacts(const population *p, uint32_t i)
{
    switch (p->w->population.graph) {
    case GRAPH_COMPLETE:
        return p->n - 1;
    case GRAPH_NONE:
        return 0;
    default:
        return p->g.off[i + 1] - p->g.off[i] + p->g.abroad[i];
    }
}

/* Contact number c of i: returns 1 and sets *who to a domestic agent, or
 * returns 0 and sets *who to the number of a contact abroad. */
static inline int resolve_contact(const population *p, uint32_t i, uint64_t c, uint32_t *who)
{
    if (p->w->population.graph == GRAPH_COMPLETE) {
        *who = (uint32_t)(c >= i ? c + 1 : c);
        return 1;
    }
    uint64_t dom = p->g.off[i + 1] - p->g.off[i];
    if (c < dom) {
        *who = p->g.adj[p->g.off[i] + c];
        return 1;
    }
    *who = (uint32_t)(c - dom);
    return 0;
}

uint64_t population_n_contacts(const population *p, uint32_t i) { return n_contacts(p, i); }
int population_resolve_contact(const population *p, uint32_t i, uint64_t c, uint32_t *who)
{
    return resolve_contact(p, i, c, who);
}

/* What a call reads of contact `who` of agent i: a domestic agent's card, or
 * for a contact abroad its apps with no ISP box. */
static inline uint32_t contact_of(const population *p, uint32_t i, uint32_t who, int domestic)
{
    return domestic ? p->card[who] : abroad_apps(p, i, (int)who);
}

/* Chance that a call on app a, class cls between i and a contact passes the
 * censor boxes, each endpoint with its own tunnel state (0: direct). */
static inline double call_pass_tunnel(const population *p, const censor *c, uint32_t mine,
                                      uint32_t theirs, int domestic, int a, int cls, int tin,
                                      int tout)
{
    double circ = p->w->apps[a].circumvention;
    double pass = end_pass(c, card_isp(mine), a, cls, tin, circ);
    if (domestic)
        pass *= end_pass(c, card_isp(theirs), a, cls, tout, circ);
    return pass;
}

/* The same, averaged over the tunnel states of the two (adoption's view). */
static inline double call_pass(const censor *c, uint32_t mine, uint32_t theirs, int domestic, int a,
                               int cls)
{
    double pass = censor_pass(c, card_isp(mine), a, cls, card_vpn(mine));
    if (domestic)
        pass *= censor_pass(c, card_isp(theirs), a, cls, card_vpn(theirs));
    return pass;
}

/* ---- the day ---- */

/* A call waiting in the pipeline: its caller, its number among the
 * caller's calls of the day, its contact (an agent, or the number of a
 * contact abroad), and a uniform number for the call's class. */
typedef struct pending_call {
    uint32_t caller, n, who;
    int domestic;
    double u_class;
} pending_call;

/* Draw the contact of one call from i and prefetch what the call will read
 * of it, so that the memory latency overlaps the calls before it.  One draw
 * gives both the contact, exactly uniform (rng_below_frac), and the class:
 * the draw's fractional part is uniform and independent of the contact (to
 * the 32 - log2(nc) bits a 32-bit draw leaves). */
static inline pending_call pick_contact(const population *p, rng_at *s, uint32_t i, uint32_t n,
                                        uint64_t nc)
{
    double frac;
    uint64_t c = rng_at_below_frac(s, nc, &frac);
    pending_call pc = {i, n, 0, 1, frac};
    pc.domestic = resolve_contact(p, i, c, &pc.who);
    if (pc.domestic) {
        __builtin_prefetch(&p->card[pc.who]);
        __builtin_prefetch(&p->called[pc.who], 1); /* a call that connects marks it */
    }
    return pc;
}

/* One call: the caller tries the apps in its order that the contact has.
 * Each attempt that can fail draws u: it passes if u < P; after a failure,
 * (u - P)/(1 - P) is a fresh uniform, which decides the retry.  The draws
 * are the call's own (PURPOSE_CALL, its number): word 0 the tunnels, words
 * 1, 2, ... the attempts that can fail, in order. */
static void one_call(population *p, const censor *c, pending_call call, lane *l, uint64_t *tally)
{
    rng_at r;
    agent_day(p, &r, call.caller, PURPOSE_CALL, call.n);
    uint32_t i = call.caller;
    uint32_t mine = p->card[i];
    uint32_t theirs = contact_of(p, i, call.who, call.domestic);
    uint16_t common = card_usable(mine) & card_usable(theirs);
    if (!common)
        return; /* no app in common: they use the phone network */
    const world *w = p->w;
    int n_apps = w->n_apps;
    /* Each VPN user has the tunnel on for this call with probability vpn_on:
     * one uniform decides both ends (its rescaled part is a fresh uniform). */
    int tin = 0, tout = 0;
    int vin = card_vpn(mine), vout = call.domestic ? card_vpn(theirs) : 0;
    if (vin || vout) {
        double on = w->population.vpn_on, u = rng_at_uniform(&r);
        if (vin && u < on)
            tin = vin;
        u = u < on ? u / on : (u - on) / (1.0 - on);
        if (vout && u < on)
            tout = vout;
    }
    size_t cell = 0;
    if (tally) {
        int nv = w->n_vpns + 1, ni = w->n_all_isps;
        int dst = call.domestic ? card_isp(theirs) : ni;
        cell = ((size_t)card_isp(mine) * (ni + 1) + dst) * n_apps;
        cell = cell * 2 * nv * nv + (size_t)tin * nv + tout;
    }
    rng_at_seek(&r, 1);
    uint64_t order = p->order[i];
    int failed_before = 0;
    for (int pos = 0; pos < n_apps; pos++) {
        int a = order_at(order, pos);
        if (!(common >> a & 1u))
            continue;
        int cls = call.u_class < w->apps[a].video_share ? CLASS_VIDEO : CLASS_VOICE;
        l->attempted[a] += 1;
        if (tally) {
            int nv = w->n_vpns + 1;
            tally[cell + ((size_t)a * 2 + cls) * nv * nv] += 1;
        }
        double pass = call_pass_tunnel(p, c, mine, theirs, call.domestic, a, cls, tin, tout);
        /* A call that nothing can stop needs no draw (most calls, most days). */
        double u = pass >= 1.0 ? 0.0 : rng_at_uniform(&r);
        if (u < pass) {
            l->completed[a] += 1;
            if (failed_before)
                put_first(p, i, a, l->primary);
            /* Used for calls today, by both (the contact's bits only OR'ed:
             * the result does not depend on the order). */
            mark_called(p, i, (uint16_t)(1u << a));
            if (call.domestic)
                mark_called(p, call.who, (uint16_t)(1u << a));
            return;
        }
        l->failed[a] += 1;
        failed_before = 1;
        p->frust[i] += 1.0f;
        if (p->frust[i] > l->frust_max)
            l->frust_max = p->frust[i];
        move_down(p, i, a, l->primary);
        if (w->population.switch_rate > 0) {
            pair_call pc = {i,    call.n, call.who, call.domestic, tin,
                            tout, mine,   theirs,   call.u_class,  cell};
            if (switch_after_failure(p, c, &pc, a, l, tally))
                return;
        }
        if ((u - pass) / (1.0 - pass) >= w->population.retry)
            break;
    }
    l->abandoned += 1;
}

/* Calls per agent today: Poisson(lambda) by inversion, of a table and then
 * of the recursion of its terms (at most MAX_CALLS). */
static uint32_t draw_calls(const population *p, rng_at *s)
{
    double u = rng_at_uniform(s);
    for (int k = 0; k < POISSON_TABLE; k++)
        if (u < p->poisson_cdf[k])
            return (uint32_t)k;
    double lambda = p->w->population.calls_per_day, cdf = p->poisson_cdf[POISSON_TABLE - 1];
    double term = gsl_ran_poisson_pdf(POISSON_TABLE - 1, lambda);
    uint32_t k = POISSON_TABLE;
    for (; k < MAX_CALLS; k++) {
        term *= lambda / k;
        cdf += term;
        if (u < cdf || term == 0)
            break;
    }
    return k;
}

/* The calls of one block of agents, caller by caller, through a short
 * pipeline: who calls whom is drawn (each caller's PURPOSE_CALLS draws) PIPE
 * calls ahead of the calls themselves (each call's PURPOSE_CALL draws),
 * taken in the same order. */
#define PIPE 16
static void block_calls(population *p, const censor *c, lane *l, uint32_t lo, uint32_t hi,
                        uint64_t *tally)
{
    pending_call q[PIPE];
    unsigned head = 0, tail = 0;
    for (uint32_t i = lo; i < hi; i++) {
        rng_at s;
        agent_day(p, &s, i, PURPOSE_CALLS, 0);
        uint32_t k = draw_calls(p, &s);
        uint32_t v = rng_at_u32(&s); /* adoption's word: its top bits for block_adopt */
        /* Stored atomically: a call may read this agent's platform bits. */
        uint8_t f =
            (uint8_t)((p->flags[i] & (FLAG_IOS | FLAG_AVERSE | FLAG_VPN_CALLS)) |
                      (card_vpn(p->card[i]) ? FLAG_VPN : 0u) | (v >> 28) << FLAG_SCREEN_SHIFT);
        __atomic_store_n(&p->flags[i], f, __ATOMIC_RELAXED);
        uint64_t nc = k ? n_contacts(p, i) : 0;
        for (uint32_t n = 0; n < k && nc; n++) {
            if (head - tail == PIPE)
                one_call(p, c, q[tail++ % PIPE], l, tally);
            q[head++ % PIPE] = pick_contact(p, &s, i, n, nc);
        }
    }
    while (tail != head)
        one_call(p, c, q[tail++ % PIPE], l, tally);
}

/* Shocks (world/events.h): the day's multiplier of app a's Bass hazard
 * (promotion, campaign above 1; scandal below), 1 when none is in force.
 * Pre-installation is not multiplied: it is its own event. */
static inline double appeal_of(const day_rules *d, int a) { return d->appeal[a]; }

/* Adoption of app a by agent i, with its uniform u of the day for a: it
 * adopts if u < 1 - exp(-h_i), h_i = preinstall_a + m_a (p_a + q_a s_i(a) (1 +
 * kappa F_i)), m_a the day's shock multiplier (appeal_of).  The contact that estimates s_i(a)
 * (drawn from the agent's PURPOSE_ADOPT_CONTACT draws for a) is drawn only when u would accept at
 * the agent's largest possible hazard (a contact who has a and for whom it works), which gives the
 * same decision without touching the contact in most cases.  Returns whether i adopts a. */
static int consider(const population *p, const censor *c, const day_rules *d, uint32_t i, int a,
                    double u, double h)
{
    (void)h; /* read by the debug check only */
    const world *w = p->w;
    double base = d->preinstall[a];
    double social = 0;
    if (!((p->flags[i] & FLAG_AVERSE) && (p->averse_apps >> a & 1u))) {
        double m = appeal_of(d, a);
        base += m * w->apps[a].bass_p / 365.0;
        social = m * w->apps[a].bass_q / 365.0 * (1.0 + w->population.adoption_kappa * p->frust[i]);
    }
#ifndef NDEBUG
    /* i's largest hazard (a contact for whom a works) within the bound h its
     * screen used: otherwise agents were turned away wrongly (a bug). */
    if (base + social > h * (1.0 + 1e-9))
        return -1;
#endif
    /* 1 - exp(-h) <= h: a uniform above h rejects without computing it. */
    if (u >= base + social)
        return 0;
    uint64_t nc = n_contacts(p, i);
    if (social == 0 || nc == 0 || u >= -expm1(-(base + social)))
        return u < -expm1(-base);
    rng_at s;
    agent_day(p, &s, i, PURPOSE_ADOPT_CONTACT, (uint32_t)a);
    uint32_t who;
    int domestic = resolve_contact(p, i, rng_at_below(&s, nc), &who);
    uint32_t theirs = contact_of(p, i, who, domestic);
    double works = card_usable(theirs) >> a & 1u
                       ? call_pass(c, p->card[i], theirs, domestic, a, CLASS_VOICE)
                       : 0.0;
#ifndef NDEBUG
    if (!(works >= 0.0 && works <= 1.0))
        return -1;
#endif
    return u < -expm1(-(base + social * works));
}

static int note_install(lane *l, uint32_t i, int a)
{
    if (l->n_inst == l->cap_inst) {
        size_t cap = l->cap_inst ? 2 * l->cap_inst : 1024;
        uint32_t *ag = realloc(l->inst_agent, cap * sizeof *ag);
        if (ag)
            l->inst_agent = ag;
        uint8_t *ap = realloc(l->inst_app, cap);
        if (ap)
            l->inst_app = ap;
        if (!ag || !ap)
            return 0;
        l->cap_inst = cap;
    }
    l->inst_agent[l->n_inst] = i;
    l->inst_app[l->n_inst++] = (uint8_t)a;
    return 1;
}

/* Decide the adoptions of one block of agents, at the state of the start of
 * adoption (installs are applied after every block has decided, so that no
 * block reads a contact another block is changing).
 *
 * Each agent has, each day, one uniform u_a per app a (all m = n_apps of
 * them, whether it lacks the app or not), a function of (agent, day) alone,
 * so that the same agent on the same day draws the same numbers with or
 * without a block.  They are drawn from their least, S = min u_a = 1 - (1 -
 * V)^(1/m) (P(S < x) = 1 - (1 - x)^m) with V word 1 of the agent's
 * PURPOSE_CALLS draws; then which app has it (uniform) and the others in app
 * order, each S + (1 - S) U (iid uniform on [S, 1) given S), from its
 * PURPOSE_ADOPT draws: jointly m iid uniforms.  An agent adopts nothing when
 * S is at least its largest daily hazard h over the apps it lacks (1 - e^-h
 * <= h), which holds when V >= m h (S >= V / m by Bernoulli's inequality):
 * the calls kept V's top 4 bits q in the agent's flags, so most agents are
 * turned away on them without a draw (first on the block's largest h, from
 * its largest F, then on their own), and only those below m h go on. */
static int block_adopt(const population *p, const censor *c, const day_rules *d, lane *l,
                       uint32_t lo, uint32_t hi, int screen)
{
    const world *w = p->w;
    int m = w->n_apps;
    double h0[MAX_APPS], h1[MAX_APPS]; /* h_a <= h0[a] + h1[a] F */
    for (int a = 0; a < m; a++) {
        h0[a] =
            d->preinstall[a] + appeal_of(d, a) * (w->apps[a].bass_p + w->apps[a].bass_q) / 365.0;
        h1[a] = appeal_of(d, a) * w->apps[a].bass_q / 365.0 * w->population.adoption_kappa;
    }
    /* Agents with q >= q_min: V >= q / 16 >= m h for every agent of the block. */
    double h_block = 0;
    for (int a = 0; a < m; a++)
        if (h0[a] + h1[a] * l->frust_max > h_block)
            h_block = h0[a] + h1[a] * l->frust_max;
    double q_min = screen ? ceil(16.0 * m * h_block * (1.0 + 1e-9)) : 16.0;
    for (uint32_t i = lo; i < hi; i++) {
#ifndef NDEBUG
        if (p->frust[i] > l->frust_max) /* the block's screen would be wrong: a bug */
            return BS_ERUNTIME;
#endif
        if ((double)(p->flags[i] >> FLAG_SCREEN_SHIFT) >= q_min)
            continue;
        uint16_t lack = (uint16_t)(p->runs_on[agent_platform(p, i)] & ~p->installed[i]);
        if (!lack)
            continue;
        double h = 0;
        for (uint16_t x = lack; x; x &= (uint16_t)(x - 1)) {
            int a = __builtin_ctz(x);
            double ha = h0[a] + h1[a] * p->frust[i];
            if (ha > h)
                h = ha;
        }
        /* A relative margin of 1e-9 against rounding. */
        double bound = m * h * (1.0 + 1e-9);
        if (bound <= 0 ||
            (screen && (double)(p->flags[i] >> FLAG_SCREEN_SHIFT) * (1.0 / 16) >= bound))
            continue;
        rng_at s;
        agent_day(p, &s, i, PURPOSE_CALLS, 0);
        rng_at_seek(&s, 1);
        double v = rng_at_uniform(&s);
        if (v >= bound)
            continue;
        double u[MAX_APPS];
        double least = -expm1(log1p(-v) / m);
        agent_day(p, &s, i, PURPOSE_ADOPT, 0);
        int j = (int)rng_at_below(&s, (uint64_t)m);
        for (int a = 0; a < m; a++)
            u[a] = a == j ? least : least + (1.0 - least) * rng_at_uniform(&s);
        for (int a = 0; a < m; a++) {
            if (!(lack >> a & 1u))
                continue;
            int yes = consider(p, c, d, i, a, u[a], h);
            if (yes < 0)
                return BS_ERUNTIME;
            int pre = yes && u[a] < -expm1(-d->preinstall[a]);
            if (yes && !note_install(l, i, a | (pre ? (int)INST_PRE : 0)))
                return BS_ENOMEM;
        }
    }
    return BS_OK;
}

/* Protocol for a new or moving VPN user at ISP isp: popularity times the
 * chance it passes, among protocols detected less than `below`. */
int population_pick_vpn(population *p, double u, int isp, double below)
{
    const world *w = p->w;
    double wt[MAX_VPNS];
    double total = 0;
    for (int v = 0; v < w->n_vpns; v++) {
        double det = p->vpn_detect[isp * w->n_vpns + v];
        wt[v] = det < below ? w->vpns[v].popularity * (1.0 - det) : 0.0;
        total += wt[v];
    }
    return total > 0 ? draw_weighted(u, wt, w->n_vpns) : -1;
}

static void copy_counts(const population *p, pop_day *out)
{
    const world *w = p->w;
    size_t ra = (size_t)w->n_regions * w->n_apps;
    memcpy(out->installed, p->n_installed, ra * sizeof(double));
    memcpy(out->primary, p->n_primary, ra * sizeof(double));
    memcpy(out->vpn, p->n_vpn, (size_t)w->n_regions * w->n_vpns * sizeof(double));
}

void population_count(const population *p, pop_day *out)
{
    const world *w = p->w;
    size_t ra = (size_t)w->n_regions * w->n_apps;
    memset(out->installed, 0, ra * sizeof(double));
    memset(out->primary, 0, ra * sizeof(double));
    memset(out->vpn, 0, (size_t)w->n_regions * w->n_vpns * sizeof(double));
    for (uint32_t i = 0; i < p->n; i++) {
        size_t row = (size_t)p->region[i];
        for (uint16_t m = p->installed[i]; m; m &= (uint16_t)(m - 1))
            out->installed[row * w->n_apps + __builtin_ctz(m)] += 1;
        int first = first_usable(p, i);
        if (first != NO_APP)
            out->primary[row * w->n_apps + first] += 1;
        if (card_vpn(p->card[i]))
            out->vpn[row * w->n_vpns + card_vpn(p->card[i]) - 1] += 1;
    }
}

/* Agents [*lo, *hi) of block k. */
static void block_range(const population *p, int k, uint32_t *lo, uint32_t *hi)
{
    *lo = (uint32_t)k * BLOCK;
    *hi = *lo + BLOCK < p->n ? *lo + BLOCK : p->n;
}

/* The end of one block's day: VPN moves, returns, use, frustration decay. */
static void block_day(population *p, const censor *c, lane *l, const day_rules *d, uint32_t lo,
                      uint32_t hi)
{
    float decay = (float)exp2(-1.0 / p->w->population.frustration_half_life);
    float fmax = 0;
    for (uint32_t i = lo; i < hi; i++) {
        rng_at r;
        agent_day(p, &r, i, PURPOSE_DAY, 0);
        vpn_spread_step(p, l, d, i, &r);
        use_agent_day(p, c, l, i, &r);
        p->frust[i] *= decay;
        if (p->frust[i] > fmax)
            fmax = p->frust[i];
    }
    l->frust_max = fmax;
}

/* The day's tally: the threads' counts added up (and cleared). */
static void sum_tally(population *p)
{
    memset(p->tally, 0, p->tally_cells * sizeof(uint64_t));
    for (int t = 0; t < p->n_thr; t++) {
        uint64_t *x = p->tally_thr[t];
        for (size_t j = 0; j < p->tally_cells; j++)
            p->tally[j] += x[j];
        memset(x, 0, p->tally_cells * sizeof(uint64_t));
    }
}

/* Add the blocks' changes to the counts, in block order, and clear them. */
static void gather(population *p, pop_day *out)
{
    const world *w = p->w;
    size_t ra = (size_t)w->n_regions * w->n_apps, rv = (size_t)w->n_regions * w->n_vpns;
    for (int k = 0; k < p->n_lanes; k++) {
        lane *l = &p->lanes[k];
        for (size_t x = 0; x < ra; x++)
            p->n_primary[x] += l->primary[x];
        for (size_t x = 0; x < rv; x++)
            p->n_vpn[x] += l->vpn[x];
        for (size_t x = 0; x < ra; x++)
            p->n_installed[x] += l->installed[x];
        memset(l->installed, 0, ra * sizeof(double));
        memset(l->primary, 0, ra * sizeof(double));
        memset(l->vpn, 0, rv * sizeof(double));
        if (!out)
            continue;
        for (int a = 0; a < w->n_apps; a++) {
            out->attempted[a] += l->attempted[a];
            out->completed[a] += l->completed[a];
            out->failed[a] += l->failed[a];
            l->attempted[a] = l->completed[a] = l->failed[a] = 0;
        }
        out->abandoned += l->abandoned;
        l->abandoned = 0;
    }
}

int population_step(population *p, const censor *c, const day_rules *d, pop_day *out)
{
    const world *w = p->w;
    memset(out->attempted, 0, (size_t)w->n_apps * sizeof(double));
    memset(out->completed, 0, (size_t)w->n_apps * sizeof(double));
    memset(out->failed, 0, (size_t)w->n_apps * sizeof(double));
    out->abandoned = 0;
    p->any_detect = 0;
    for (int isp = 0; isp < w->n_all_isps; isp++)
        for (int v = 0; v < w->n_vpns; v++) {
            double det = censor_vpn_detect(c, isp, v);
            p->vpn_detect[isp * w->n_vpns + v] = det;
            p->any_detect |= det > 0;
        }
    int n_lanes = p->n_lanes;
    use_start_day(p, c);
    int call_threads = p->tally ? p->n_thr : omp_get_max_threads();
    p->atomic_marks = call_threads > 1 && n_lanes > 1;
    /* Even with no calls: the pass marks who has a VPN (word of mouth reads it). */
#pragma omp parallel for schedule(dynamic) num_threads(call_threads)
    for (int k = 0; k < n_lanes; k++) {
        uint32_t lo, hi;
        block_range(p, k, &lo, &hi);
        block_calls(p, c, &p->lanes[k], lo, hi,
                    p->tally ? p->tally_thr[omp_get_thread_num()] : NULL);
    }
    if (p->tally)
        sum_tally(p);
    gather(p, out);
    int oom = 0;
    for (int k = 0; k < n_lanes; k++)
        oom |= p->lanes[k].oom;
    if (oom)
        return bs_nomem("the day's switches of the population");
    switch_apply(p);
    int st = BS_OK; /* the codes are negative: the smallest is out of memory */
#pragma omp parallel for schedule(dynamic) reduction(min : st)
    for (int k = 0; k < n_lanes; k++) {
        uint32_t lo, hi;
        block_range(p, k, &lo, &hi);
        int st_k = block_adopt(p, c, d, &p->lanes[k], lo, hi, w->population.calls_per_day > 0);
        st = st_k < st ? st_k : st;
    }
    for (int k = 0; k < n_lanes; k++) {
        lane *l = &p->lanes[k];
        for (size_t x = 0; x < l->n_inst; x++) {
            uint32_t i = l->inst_agent[x];
            int a = l->inst_app[x] & ~INST_PRE;
            if (p->installed[i] >> a & 1u)
                continue;
            install(p, i, a);
            /* Adopted to use it; pre-installed, unused until it starts (use.c). */
            if (!(l->inst_app[x] & INST_PRE))
                p->msg[i] |= (uint16_t)(card_usable(p->card[i]) & (1u << a));
        }
        l->n_inst = 0;
    }
    if (st == BS_ENOMEM)
        return bs_nomem("the day's adoptions (population)");
    if (st != BS_OK)
        return bs_fail(BS_ERUNTIME,
                       "population: day %d: an agent's adoption hazard exceeded the bound its "
                       "screen used (block_adopt): a bug",
                       d->day);
#pragma omp parallel for schedule(dynamic)
    for (int k = 0; k < n_lanes; k++) {
        uint32_t lo, hi;
        block_range(p, k, &lo, &hi);
        block_day(p, c, &p->lanes[k], d, lo, hi);
    }
    gather(p, NULL);
    use_gather(p, out);
    copy_counts(p, out);
    p->day++;
    return BS_OK;
}
