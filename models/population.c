/* population: agents, their social graph and the daily step.  The model is
 * stated in population.h; comments here say why the code does it this way. */
#include "population.h"

#include "log.h"
#include "rng.h"
#include "status.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FLAG_IOS 1u
#define FLAG_AVERSE 2u
#define MAX_ABROAD 255
#define NO_HABIT 0xffu

/* Hot per-agent state, stored by field (struct of arrays). */
struct population {
    const world *w;
    uint32_t n;
    uint8_t *region, *isp, *flags, *vpn, *abroad;
    uint8_t *habit; /* habitual first choice, NO_HABIT if none */
    uint16_t *installed;
    uint64_t *order; /* 4-bit slots: slot 0 is the first choice */
    float *frust;
    uint64_t *off; /* [n + 1] CSR offsets into adj */
    uint32_t *adj;
    uint16_t averse_apps; /* apps averse agents refuse */
    uint16_t runs_on[N_PLATFORMS];
    uint64_t abroad_seed;
    float frust_max;
    gsl_rng *r_calls, *r_adopt, *r_day;
};

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

static inline uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static inline double unit_of(uint64_t h) { return (double)(h >> 11) * 0x1.0p-53; }

/* Index drawn from weights w[0..n-1] (sum > 0). */
static int draw_weighted(gsl_rng *r, const double *w, int n)
{
    double total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    double u = gsl_rng_uniform(r) * total;
    for (int i = 0; i < n - 1; i++) {
        if (u < w[i])
            return i;
        u -= w[i];
    }
    return n - 1;
}

/* Apps usable for calls by agent i: installed, minus those it refuses. */
static inline uint16_t usable(const population *p, uint32_t i)
{
    return p->flags[i] & FLAG_AVERSE ? p->installed[i] & (uint16_t)~p->averse_apps
                                     : p->installed[i];
}

/* The first app in i's order that it can call with, or NO_HABIT. */
static int first_usable(const population *p, uint32_t i)
{
    uint16_t use = usable(p, i);
    for (int pos = 0; use && pos < p->w->n_apps; pos++)
        if (use >> order_at(p->order[i], pos) & 1u)
            return order_at(p->order[i], pos);
    return NO_HABIT;
}

/* Apps of contact k abroad of agent i: a fixed function of (seed, i, k). */
static uint16_t abroad_apps(const population *p, uint32_t i, int k)
{
    const world *w = p->w;
    uint64_t h = mix64(p->abroad_seed ^ ((uint64_t)i << 8 | (uint64_t)k));
    int plat = unit_of(h) < w->population.abroad_ios_share ? PLATFORM_IOS : PLATFORM_ANDROID;
    uint16_t apps = 0;
    for (int a = 0; a < w->n_apps; a++) {
        h = mix64(h);
        if ((p->runs_on[plat] >> a & 1u) && unit_of(h) < w->apps[a].abroad_installed)
            apps |= (uint16_t)(1u << a);
    }
    return apps;
}

static inline int agent_platform(const population *p, uint32_t i)
{
    return p->flags[i] & FLAG_IOS ? PLATFORM_IOS : PLATFORM_ANDROID;
}

/* ---- construction ---- */

static int alloc_agents(population *p)
{
    uint32_t n = p->n;
    p->region = malloc(n);
    p->isp = malloc(n);
    p->flags = malloc(n);
    p->vpn = malloc(n);
    p->abroad = calloc(n, 1);
    p->habit = malloc(n);
    p->installed = malloc(sizeof(uint16_t) * n);
    p->order = malloc(sizeof(uint64_t) * n);
    p->frust = calloc(n, sizeof(float));
    p->off = calloc((size_t)n + 1, sizeof(uint64_t));
    return p->region && p->isp && p->flags && p->vpn && p->abroad && p->habit && p->installed &&
           p->order && p->frust && p->off;
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
            p->isp[i] = (uint8_t)(w->isp_first[reg] + draw_weighted(r, isp_w, rc->n_isps));
            int ios = gsl_rng_uniform(r) < rc->ios_share;
            p->flags[i] = (uint8_t)((ios ? FLAG_IOS : 0) |
                                    (gsl_rng_uniform(r) < w->population.aversion ? FLAG_AVERSE : 0));
            uint16_t inst = 0;
            uint16_t can = p->runs_on[ios ? PLATFORM_IOS : PLATFORM_ANDROID];
            /* Gumbel keys give a random order weighted by preference. */
            double key[MAX_APPS];
            for (int a = 0; a < w->n_apps; a++) {
                if ((can >> a & 1u) && gsl_rng_uniform(r) < w->apps[a].installed)
                    inst |= (uint16_t)(1u << a);
                double u = gsl_rng_uniform_pos(r);
                key[a] = w->apps[a].preference > 0
                             ? log(w->apps[a].preference) - log(-log(u))
                             : -1e300 + u;
            }
            uint64_t o = 0;
            int used[MAX_APPS] = {0};
            for (int pos = 0; pos < w->n_apps; pos++) {
                int best = -1;
                for (int a = 0; a < w->n_apps; a++)
                    if (!used[a] && (best < 0 || key[a] > key[best]))
                        best = a;
                used[best] = 1;
                o |= (uint64_t)best << (4 * pos);
            }
            p->installed[i] = inst;
            p->order[i] = o;
            p->habit[i] = (uint8_t)first_usable(p, i);
            p->vpn[i] = w->n_vpns ? (uint8_t)draw_weighted(r, vpn_w, w->n_vpns + 1) : 0;
        }
    }
}

/* Configuration-model graph: stubs sorted into pools by (scope, platform
 * match), shuffled, paired.  Pools: for each region and for the whole
 * country, one per platform (homophilous stubs) and one mixed. */
static int build_graph(population *p, gsl_rng *r)
{
    const world *w = p->w;
    const population_cfg *pc = &w->population;
    uint32_t n = p->n;
    int n_pools = 3 * (w->n_regions + 1);
    uint32_t *deg = malloc(sizeof(uint32_t) * n);
    uint64_t *pool_n = calloc((size_t)n_pools + 1, sizeof(uint64_t));
    if (!deg || !pool_n)
        goto nomem;
    double prob = pc->contacts_size / (pc->contacts_size + pc->contacts_mean);
    uint64_t stubs = 0;
    for (uint32_t i = 0; i < n; i++) {
        deg[i] = pc->contacts_mean > 0
                     ? gsl_ran_negative_binomial(r, prob, pc->contacts_size)
                     : 0;
        stubs += deg[i];
    }
    /* Pool of each stub, in agent order, drawn once and kept. */
    uint8_t *pool = malloc(stubs ? stubs : 1);
    if (!pool)
        goto nomem;
    uint64_t s = 0;
    for (uint32_t i = 0; i < n; i++) {
        double abroad = w->regions[p->region[i]].abroad_share;
        for (uint32_t k = 0; k < deg[i]; k++) {
            if (gsl_rng_uniform(r) < abroad) {
                if (p->abroad[i] < MAX_ABROAD)
                    p->abroad[i]++;
                pool[s++] = 0xff;
                continue;
            }
            int scope = gsl_rng_uniform(r) < pc->home_region ? p->region[i] : w->n_regions;
            int kind = gsl_rng_uniform(r) < pc->platform_homophily ? agent_platform(p, i) : 2;
            pool[s] = (uint8_t)(3 * scope + kind);
            pool_n[pool[s] + 1]++;
            s++;
        }
    }
    for (int k = 0; k < n_pools; k++)
        pool_n[k + 1] += pool_n[k];
    uint64_t domestic = pool_n[n_pools];
    uint32_t *sorted = malloc(sizeof(uint32_t) * (domestic ? domestic : 1));
    if (!sorted) {
        free(pool);
        goto nomem;
    }
    uint64_t *fill = malloc(sizeof(uint64_t) * (size_t)n_pools);
    if (!fill) {
        free(pool);
        free(sorted);
        goto nomem;
    }
    memcpy(fill, pool_n, sizeof(uint64_t) * (size_t)n_pools);
    s = 0;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < deg[i]; k++, s++)
            if (pool[s] != 0xff)
                sorted[fill[pool[s]]++] = i;
    free(pool);
    free(fill);
    /* Shuffle each pool, then pair neighbours; an odd stub is dropped. */
    memset(deg, 0, sizeof(uint32_t) * n);
    for (int k = 0; k < n_pools; k++) {
        uint64_t lo = pool_n[k], m = pool_n[k + 1] - lo;
        for (uint64_t j = m; j > 1; j--) {
            uint64_t t = (uint64_t)(gsl_rng_uniform(r) * (double)j);
            uint32_t tmp = sorted[lo + j - 1];
            sorted[lo + j - 1] = sorted[lo + t];
            sorted[lo + t] = tmp;
        }
        for (uint64_t j = 0; j + 1 < m; j += 2) {
            uint32_t a = sorted[lo + j], b = sorted[lo + j + 1];
            if (a != b) {
                deg[a]++;
                deg[b]++;
            }
        }
    }
    for (uint32_t i = 0; i < n; i++)
        p->off[i + 1] = p->off[i] + deg[i];
    p->adj = malloc(sizeof(uint32_t) * (p->off[n] ? p->off[n] : 1));
    if (!p->adj) {
        free(sorted);
        goto nomem;
    }
    for (uint32_t i = 0; i < n; i++)
        deg[i] = 0;
    for (int k = 0; k < n_pools; k++) {
        uint64_t lo = pool_n[k], m = pool_n[k + 1] - lo;
        for (uint64_t j = 0; j + 1 < m; j += 2) {
            uint32_t a = sorted[lo + j], b = sorted[lo + j + 1];
            if (a != b) {
                p->adj[p->off[a] + deg[a]++] = b;
                p->adj[p->off[b] + deg[b]++] = a;
            }
        }
    }
    free(sorted);
    free(deg);
    free(pool_n);
    return BS_OK;
nomem:
    free(deg);
    free(pool_n);
    return bs_fail(BS_ENOMEM, "population: out of memory building the social graph");
}

population *population_new(const world *w)
{
    population *p = calloc(1, sizeof *p);
    if (!p) {
        bs_fail(BS_ENOMEM, "population: out of memory");
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
    uint64_t seed = (uint64_t)w->scenario.seed, run = (uint64_t)w->scenario.run;
    p->abroad_seed = rng_seed_of(seed, run, "population.abroad");
    gsl_rng *r_init = rng_stream(seed, run, "population.init");
    gsl_rng *r_graph = rng_stream(seed, run, "population.graph");
    p->r_calls = rng_stream(seed, run, "population.calls");
    p->r_adopt = rng_stream(seed, run, "population.adoption");
    p->r_day = rng_stream(seed, run, "population.day");
    int ok = r_init && r_graph && p->r_calls && p->r_adopt && p->r_day && alloc_agents(p);
    if (ok) {
        init_agents(p, r_init, region_n);
        ok = w->population.graph != GRAPH_NEGBIN || build_graph(p, r_graph) == BS_OK;
    } else {
        bs_fail(BS_ENOMEM, "population: out of memory for %u agents", p->n);
    }
    gsl_rng_free(r_init);
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
    free(p->region);
    free(p->isp);
    free(p->flags);
    free(p->vpn);
    free(p->abroad);
    free(p->habit);
    free(p->installed);
    free(p->order);
    free(p->frust);
    free(p->off);
    free(p->adj);
    if (p->r_calls)
        gsl_rng_free(p->r_calls);
    if (p->r_adopt)
        gsl_rng_free(p->r_adopt);
    if (p->r_day)
        gsl_rng_free(p->r_day);
    free(p);
}

uint32_t population_agents(const population *p) { return p->n; }

uint64_t population_contacts(const population *p) { return p->adj ? p->off[p->n] : 0; }

size_t population_bytes(const population *p)
{
    size_t per_agent = 6 * sizeof(uint8_t) + sizeof(uint16_t) + sizeof(uint64_t) +
                       sizeof(float) + sizeof(uint64_t);
    return sizeof *p + (size_t)p->n * per_agent + sizeof(uint64_t) +
           (size_t)population_contacts(p) * sizeof(uint32_t);
}

/* ---- contacts ---- */

/* Number of contacts of i (domestic and abroad). */
static inline uint64_t n_contacts(const population *p, uint32_t i)
{
    switch (p->w->population.graph) {
    case GRAPH_COMPLETE:
        return p->n - 1;
    case GRAPH_NONE:
        return 0;
    default:
        return p->off[i + 1] - p->off[i] + p->abroad[i];
    }
}

/* Contact number c of i: sets *j to a domestic agent and returns 1, or
 * returns 0 and sets *apps to the apps of a contact abroad. */
static inline int contact(const population *p, uint32_t i, uint64_t c, uint32_t *j,
                          uint16_t *apps)
{
    if (p->w->population.graph == GRAPH_COMPLETE) {
        *j = (uint32_t)(c >= i ? c + 1 : c);
        return 1;
    }
    uint64_t dom = p->off[i + 1] - p->off[i];
    if (c < dom) {
        *j = p->adj[p->off[i] + c];
        return 1;
    }
    *apps = abroad_apps(p, i, (int)(c - dom));
    return 0;
}

static inline int vstate(const population *p, uint32_t i) { return p->vpn[i]; }

/* ---- the day ---- */

/* One call from agent i: try apps in i's order that the contact also has. */
static void one_call(population *p, const censor *c, uint32_t i, pop_day *out)
{
    gsl_rng *r = p->r_calls;
    uint64_t nc = n_contacts(p, i);
    if (nc == 0)
        return;
    uint32_t j = 0;
    uint16_t their = 0;
    int domestic = contact(p, i, (uint64_t)(gsl_rng_uniform(r) * (double)nc), &j, &their);
    if (domestic)
        their = usable(p, j);
    uint16_t common = usable(p, i) & their;
    if (!common)
        return; /* no app in common: they use the phone network */
    double u_video = gsl_rng_uniform(r);
    const world *w = p->w;
    int n_apps = w->n_apps;
    uint64_t order = p->order[i];
    int failed_before = 0;
    for (int pos = 0; pos < n_apps; pos++) {
        int a = order_at(order, pos);
        if (!(common >> a & 1u))
            continue;
        int cls = u_video < w->apps[a].video_share ? CLASS_VIDEO : CLASS_VOICE;
        double pass = censor_pass(c, p->isp[i], a, cls, vstate(p, i));
        if (domestic)
            pass *= censor_pass(c, p->isp[j], a, cls, vstate(p, j));
        out->attempted[a] += 1;
        if (gsl_rng_uniform(r) < pass) {
            out->completed[a] += 1;
            if (failed_before)
                p->order[i] = order_to_front(p->order[i], a, n_apps);
            return;
        }
        out->failed[a] += 1;
        failed_before = 1;
        p->frust[i] += 1.0f;
        if (p->frust[i] > p->frust_max)
            p->frust_max = p->frust[i];
        p->order[i] = order_down(p->order[i], a, p->installed[i], n_apps);
        if (gsl_rng_uniform(r) >= w->population.retry)
            break;
    }
    out->abandoned += 1;
}

/* Today's adoption hazard of app a for agent i (per day). */
static double adoption_hazard(population *p, const censor *c, const day_rules *d, uint32_t i,
                              int a)
{
    const world *w = p->w;
    double h = d->preinstall[a];
    if ((p->flags[i] & FLAG_AVERSE) && (p->averse_apps >> a & 1u))
        return h;
    h += w->apps[a].bass_p / 365.0;
    uint64_t nc = n_contacts(p, i);
    if (nc == 0 || w->apps[a].bass_q == 0)
        return h;
    uint32_t j = 0;
    uint16_t their = 0;
    int domestic =
        contact(p, i, (uint64_t)(gsl_rng_uniform(p->r_adopt) * (double)nc), &j, &their);
    if (domestic)
        their = usable(p, j);
    if (!(their >> a & 1u))
        return h;
    double works = censor_pass(c, p->isp[i], a, CLASS_VOICE, vstate(p, i));
    if (domestic)
        works *= censor_pass(c, p->isp[j], a, CLASS_VOICE, vstate(p, j));
    return h + w->apps[a].bass_q / 365.0 * works *
                   (1.0 + w->population.adoption_kappa * p->frust[i]);
}

static void adopt(population *p, const censor *c, const day_rules *d)
{
    const world *w = p->w;
    gsl_rng *r = p->r_adopt;
    for (int a = 0; a < w->n_apps; a++) {
        double h_max = d->preinstall[a] + w->apps[a].bass_p / 365.0 +
                       w->apps[a].bass_q / 365.0 *
                           (1.0 + w->population.adoption_kappa * p->frust_max);
        double pi = 1.0 - exp(-h_max);
        if (pi <= 0)
            continue;
        double log_q = log1p(-pi);
        uint16_t bit = (uint16_t)(1u << a);
        for (uint64_t i = 0;; i++) {
            if (pi < 1.0) {
                double skip = floor(log(gsl_rng_uniform_pos(r)) / log_q);
                if (skip >= (double)(p->n - i))
                    break;
                i += (uint64_t)skip;
            } else if (i >= p->n) {
                break;
            }
            uint32_t ag = (uint32_t)i;
            if ((p->installed[ag] & bit) || !(p->runs_on[agent_platform(p, ag)] & bit))
                continue;
            double h = adoption_hazard(p, c, d, ag, a);
            if (gsl_rng_uniform(r) * pi < 1.0 - exp(-h)) {
                p->installed[ag] |= bit;
                p->order[ag] = order_to_back(p->order[ag], a, w->n_apps);
            }
        }
    }
}

/* Protocol for a new or moving VPN user at ISP isp: popularity times the
 * chance it passes, among protocols detected less than `below`. */
static int pick_vpn(population *p, const censor *c, int isp, double below)
{
    const world *w = p->w;
    double wt[MAX_VPNS];
    double total = 0;
    for (int v = 0; v < w->n_vpns; v++) {
        double det = censor_vpn_detect(c, isp, v);
        wt[v] = det < below ? w->vpns[v].popularity * (1.0 - det) : 0.0;
        total += wt[v];
    }
    return total > 0 ? draw_weighted(p->r_day, wt, w->n_vpns) : -1;
}

static void vpn_step(population *p, const censor *c, const day_rules *d, uint32_t i)
{
    const population_cfg *pc = &p->w->population;
    gsl_rng *r = p->r_day;
    if (p->vpn[i]) {
        double det = censor_vpn_detect(c, p->isp[i], p->vpn[i] - 1);
        if (det <= 0 || gsl_rng_uniform(r) >= det)
            return;
        int v = gsl_rng_uniform(r) < pc->vpn_switch ? pick_vpn(p, c, p->isp[i], det) : -1;
        p->vpn[i] = (uint8_t)(v + 1);
        return;
    }
    float f = p->frust[i];
    if (f <= 0 || d->vpn_availability <= 0 || pc->vpn_rate <= 0)
        return;
    double h = pc->vpn_rate * d->vpn_availability * f / (f + pc->vpn_half);
    if (gsl_rng_uniform(r) < -expm1(-h)) {
        int v = pick_vpn(p, c, p->isp[i], 2.0);
        p->vpn[i] = (uint8_t)(v + 1);
    }
}

static void return_step(population *p, uint32_t i)
{
    const population_cfg *pc = &p->w->population;
    int h = p->habit[i];
    if (h == NO_HABIT || p->frust[i] >= pc->return_frustration || pc->return_rate <= 0 ||
        !(usable(p, i) >> h & 1u) || first_usable(p, i) == h)
        return;
    if (gsl_rng_uniform(p->r_day) < pc->return_rate)
        p->order[i] = order_to_front(p->order[i], h, p->w->n_apps);
}

static void count_agent(const population *p, uint32_t i, pop_day *out)
{
    const world *w = p->w;
    int na = w->n_apps;
    double *inst = out->installed + p->region[i] * na;
    for (uint16_t m = p->installed[i]; m; m &= (uint16_t)(m - 1))
        inst[__builtin_ctz(m)] += 1;
    int first = first_usable(p, i);
    if (first != NO_HABIT)
        out->primary[p->region[i] * na + first] += 1;
    if (p->vpn[i])
        out->vpn[p->region[i] * w->n_vpns + p->vpn[i] - 1] += 1;
}

static void clear_day(const world *w, pop_day *out)
{
    size_t ra = (size_t)w->n_regions * w->n_apps;
    memset(out->installed, 0, ra * sizeof(double));
    memset(out->primary, 0, ra * sizeof(double));
    memset(out->vpn, 0, (size_t)w->n_regions * w->n_vpns * sizeof(double));
    memset(out->attempted, 0, (size_t)w->n_apps * sizeof(double));
    memset(out->completed, 0, (size_t)w->n_apps * sizeof(double));
    memset(out->failed, 0, (size_t)w->n_apps * sizeof(double));
    out->abandoned = 0;
}

void population_count(const population *p, pop_day *out)
{
    clear_day(p->w, out);
    for (uint32_t i = 0; i < p->n; i++)
        count_agent(p, i, out);
}

void population_step(population *p, const censor *c, const day_rules *d, pop_day *out)
{
    const world *w = p->w;
    clear_day(w, out);
    unsigned long calls = w->population.calls_per_day > 0
                              ? gsl_ran_poisson(p->r_calls, w->population.calls_per_day * p->n)
                              : 0;
    for (unsigned long k = 0; k < calls; k++)
        one_call(p, c, (uint32_t)gsl_rng_uniform_int(p->r_calls, p->n), out);
    adopt(p, c, d);
    float decay = (float)exp2(-1.0 / w->population.frustration_half_life);
    float fmax = 0;
    for (uint32_t i = 0; i < p->n; i++) {
        vpn_step(p, c, d, i);
        return_step(p, i);
        p->frust[i] *= decay;
        if (p->frust[i] > fmax)
            fmax = p->frust[i];
        count_agent(p, i, out);
    }
    p->frust_max = fmax;
}
