#include "flow/netsim.h"

#include "flow/flow.h"
#include "censor/mbox.h"
#include "flow/network.h"
#include "base/status.h"
#include "flow/traffic.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What one hour adds up to (or the day's hour at w = 1). */
typedef struct acc {
    double *off, *car;  /* [directed link] */
    double *app;        /* [app][class] */
    double *bapp;       /* [app] */
    double vpn, bvpn, btot, hair;
    int over;           /* boxes over capacity in a direction */
    mbox_tally *box;    /* [box] */
    double *insp, *cov; /* [box] inspected, covered offered */
    double *lnum, *lden; /* [box][app][class] traffic lost, traffic that passed the rules */
    double *load_e, *load_i; /* [box] covered load offered to each direction */
} acc;

struct netsim {
    const world *w;
    network *net;
    traffic *tr;
    flow_solver *solver;
    int dl, nb, na;
    double *cap;         /* [dl] */
    double box_cov[MAX_ALL_ISPS], box_cap[MAX_ALL_ISPS];
    int box_closed[MAX_ALL_ISPS];
    double weight[24];
    acc base, hour;
    /* per aggregate */
    int cap_aggs;
    double *mid, *pass, *rate;
    uint32_t *csr_off, *csr_link; /* the reduced problem's paths */
    size_t cap_csr;
    int *sub, n_sub;              /* its aggregates */
    uint32_t *la_off, *la_agg;    /* the day's aggregates by directed link (CSR) */
    size_t cap_la;
    int la_ready;
    uint32_t *stamp, stamp_id;    /* per aggregate: marked in this solve */
    double *base_pass;            /* each aggregate's rate past the boxes at w = 1 */
    double *flows, *base_flows;   /* each aggregate's flows past the boxes (hour, w = 1) */
    double *sub_demand, *sub_rate, *sub_weight;
    /* feedback */
    double *fb_insp, *fb_cov, *fb_lnum, *fb_lden;
    double *inspected;
    float *loss;
    netsim_stats st;
};

double netsim_weight(const world *w, int h)
{
    const network_cfg *n = &w->network;
    return 1.0 + n->diurnal_amplitude * cos(2.0 * M_PI * (h + 0.5 - n->diurnal_peak) / 24.0);
}

static int acc_alloc(acc *a, int dl, int nb, int na)
{
    size_t cells = (size_t)nb * na * N_CLASSES;
    a->off = calloc((size_t)dl + 1, sizeof(double));
    a->car = calloc((size_t)dl + 1, sizeof(double));
    a->app = calloc((size_t)na * N_CLASSES, sizeof(double));
    a->bapp = calloc((size_t)na, sizeof(double));
    a->box = calloc((size_t)nb, sizeof(mbox_tally));
    a->insp = calloc((size_t)nb, sizeof(double));
    a->cov = calloc((size_t)nb, sizeof(double));
    a->lnum = calloc(cells, sizeof(double));
    a->lden = calloc(cells, sizeof(double));
    a->load_e = calloc((size_t)nb, sizeof(double));
    a->load_i = calloc((size_t)nb, sizeof(double));
    return a->off && a->car && a->app && a->bapp && a->box && a->insp && a->cov && a->lnum &&
           a->lden && a->load_e && a->load_i;
}

static void acc_free(acc *a)
{
    free(a->off);
    free(a->car);
    free(a->app);
    free(a->bapp);
    free(a->box);
    free(a->insp);
    free(a->cov);
    free(a->lnum);
    free(a->lden);
    free(a->load_e);
    free(a->load_i);
}

static void acc_zero(acc *a, int dl, int nb, int na)
{
    size_t cells = (size_t)nb * na * N_CLASSES;
    memset(a->off, 0, sizeof(double) * (size_t)dl);
    memset(a->car, 0, sizeof(double) * (size_t)dl);
    memset(a->app, 0, sizeof(double) * (size_t)na * N_CLASSES);
    memset(a->bapp, 0, sizeof(double) * (size_t)na);
    memset(a->box, 0, sizeof(mbox_tally) * (size_t)nb);
    memset(a->insp, 0, sizeof(double) * (size_t)nb);
    memset(a->cov, 0, sizeof(double) * (size_t)nb);
    memset(a->lnum, 0, sizeof(double) * cells);
    memset(a->lden, 0, sizeof(double) * cells);
    memset(a->load_e, 0, sizeof(double) * (size_t)nb);
    memset(a->load_i, 0, sizeof(double) * (size_t)nb);
    a->vpn = a->bvpn = a->btot = a->hair = 0;
    a->over = 0;
}

netsim *netsim_new(const world *w)
{
    netsim *s = calloc(1, sizeof *s);
    if (!s) {
        bs_nomem("the network simulator");
        return NULL;
    }
    s->w = w;
    s->net = network_new(w);
    s->tr = s->net ? traffic_new(w, s->net) : NULL;
    s->solver = s->tr ? flow_solver_new() : NULL;
    if (!s->solver) {
        netsim_free(s);
        return NULL;
    }
    s->dl = network_directed_links(s->net);
    s->nb = w->n_all_isps;
    s->na = w->n_apps;
    size_t cells = (size_t)s->nb * s->na * N_CLASSES;
    s->cap = malloc(sizeof(double) * (size_t)s->dl);
    s->la_off = malloc(sizeof(uint32_t) * ((size_t)s->dl + 1));
    s->fb_insp = calloc((size_t)s->nb, sizeof(double));
    s->fb_cov = calloc((size_t)s->nb, sizeof(double));
    s->fb_lnum = calloc(cells, sizeof(double));
    s->fb_lden = calloc(cells, sizeof(double));
    s->inspected = malloc(sizeof(double) * (size_t)s->nb);
    s->loss = calloc(cells, sizeof(float));
    if (!s->cap || !s->la_off || !s->fb_insp || !s->fb_cov || !s->fb_lnum || !s->fb_lden || !s->inspected ||
        !s->loss || !acc_alloc(&s->base, s->dl, s->nb, s->na) ||
        !acc_alloc(&s->hour, s->dl, s->nb, s->na)) {
        netsim_free(s);
        bs_nomem("the network simulator's tables");
        return NULL;
    }
    for (int l = 0; l < w->network.n_links; l++)
        s->cap[2 * l] = s->cap[2 * l + 1] = w->network.links[l].capacity;
    for (int r = 0; r < w->n_regions; r++)
        for (int k = 0; k < w->regions[r].n_isps; k++) {
            const isp_cfg *isp = &w->regions[r].isps[k];
            int b = w->isp_first[r] + k;
            s->box_cov[b] = isp->coverage;
            s->box_cap[b] = isp->mbox_capacity;
            s->box_closed[b] = isp->mbox_failure == FAIL_CLOSED;
        }
    for (int b = 0; b < s->nb; b++)
        s->inspected[b] = 1.0;
    for (int h = 0; h < 24; h++)
        s->weight[h] = netsim_weight(w, h);
    return s;
}

/* Expected aggregates of a day: each of the day's agents * calls_per_day
 * calls lands in a cell (caller ISP, callee ISP or abroad, app, class,
 * tunnels) of the population's tally; a cell reached at least once, with
 * probability 1 - exp(-calls p), gives 2 directions times its paths (direct
 * and relayed).  p is the product of: the caller's ISP (people by region
 * and ISP share), the callee's (abroad with abroad_share, else the same
 * region with home_region, else anywhere by population), the app (initial
 * installs times preference, a proxy for first choices), the class
 * (video_share) and each in-country end's tunnel (VPN use times vpn_on).
 * Later days' shifts (blocks move calls to other apps, VPN use grows) are
 * not foreseen.  Plus messaging and background: 2 directions to 2 + n_apps
 * far ends for each ISP and tunnel state. */
static double expected_aggregates(const world *w, double agents)
{
    int ni = w->n_all_isps, na = w->n_apps, nv = w->n_vpns + 1;
    double people = 0, isp_p[MAX_ALL_ISPS], region_p[MAX_REGIONS], tun_p[MAX_VPNS + 1];
    for (int r = 0; r < w->n_regions; r++)
        people += w->regions[r].population;
    for (int r = 0; r < w->n_regions; r++) {
        region_p[r] = w->regions[r].population / people;
        for (int k = 0; k < w->regions[r].n_isps; k++)
            isp_p[w->isp_first[r] + k] = region_p[r] * w->regions[r].isps[k].share;
    }
    tun_p[0] = 1;
    for (int v = 0; v < w->n_vpns; v++) {
        tun_p[v + 1] = w->vpns[v].initial * w->population.vpn_on;
        tun_p[0] -= tun_p[v + 1];
    }
    double app_p[MAX_APPS], app_sum = 0;
    for (int a = 0; a < na; a++)
        app_sum += app_p[a] = w->apps[a].installed * w->apps[a].preference;
    double calls = agents * w->population.calls_per_day, aggs = 0;
    for (int r = 0; r < w->n_regions; r++)
        for (int i = w->isp_first[r]; i < w->isp_first[r] + w->regions[r].n_isps; i++)
            for (int j = 0; j <= ni; j++) {
                double pj = w->regions[r].abroad_share;
                if (j < ni) {
                    int rj = 0;
                    while (rj + 1 < w->n_regions && w->isp_first[rj + 1] <= j)
                        rj++;
                    double share = isp_p[j] / region_p[rj];
                    pj = (1 - w->regions[r].abroad_share) *
                         ((rj == r) * w->population.home_region * share +
                          (1 - w->population.home_region) * isp_p[j]);
                }
                for (int a = 0; a < na && app_sum > 0; a++) {
                    const app_cfg *ac = &w->apps[a];
                    int paths = ac->relay_share > 0 && ac->relay_share < 1 ? 2 : 1;
                    for (int k = 0; k < 2; k++)
                        for (int tin = 0; tin < nv; tin++)
                            for (int tout = 0; tout < (j < ni ? nv : 1); tout++) {
                                double p = isp_p[i] * pj * app_p[a] / app_sum *
                                           (k ? ac->video_share : 1 - ac->video_share) *
                                           tun_p[tin] * (j < ni ? tun_p[tout] : 1);
                                aggs += 2.0 * paths * -expm1(-calls * p);
                            }
                }
            }
    return aggs + 2.0 * ni * (2 * nv - 1) * (2 + na);
}

double netsim_estimate(const world *w, double agents)
{
    double nodes = w->network.n_nodes, dl = 2.0 * w->network.n_links, nb = w->n_all_isps;
    double cells = nb * w->n_apps * N_CLASSES;
    /* network_new: three [node][node] tables; traffic_new: border flags and
     * the verdicts; netsim_new: capacities, two accumulators (per link,
     * app, box, and box x app x class), the feedback. */
    double fixed = sizeof(netsim) + nodes * nodes * (2 * sizeof(int32_t) + sizeof(double)) +
                   dl + sizeof(censor_box) * nb * (w->n_apps + 1.0) * N_CLASSES * (w->n_vpns + 1) +
                   dl * (sizeof(double) + sizeof(uint32_t)) +
                   2 * (sizeof(double) * (2 * dl + w->n_apps * (N_CLASSES + 1.0) + 5 * nb +
                                          2 * cells) + sizeof(mbox_tally) * nb) +
                   sizeof(double) * (2 * nb + 2 * cells) + sizeof(float) * cells;
    /* Per aggregate: traffic's record; its path, with its links (assumption:
     * 8, from an access node through metro, core and border to a node
     * abroad), in the path table (key, index, offset, border count) and in
     * netsim's entries by link; netsim's six numbers and its stamp (grown by
     * half again).  Not counted: the solver's workspace, used only by hours
     * whose links are full (about 160 bytes an aggregate: the Moscow-cut run
     * of bench/RESULTS.md took 81 MB against 73, with 49,300 aggregates). */
    double links = 8;
    double per_agg = sizeof(traffic_agg) + sizeof(uint64_t) + 2 * sizeof(uint32_t) +
                     sizeof(uint16_t) + 2 * links * sizeof(uint32_t) + 6 * sizeof(double) +
                     1.5 * sizeof(uint32_t);
    return fixed + per_agg * expected_aggregates(w, agents);
}

void netsim_free(netsim *s)
{
    if (!s)
        return;
    flow_solver_free(s->solver);
    traffic_free(s->tr);
    network_free(s->net);
    free(s->cap);
    acc_free(&s->base);
    acc_free(&s->hour);
    free(s->mid);
    free(s->pass);
    free(s->rate);
    free(s->csr_off);
    free(s->csr_link);
    free(s->sub);
    free(s->sub_demand);
    free(s->sub_rate);
    free(s->sub_weight);
    free(s->flows);
    free(s->base_flows);
    free(s->base_pass);
    free(s->la_off);
    free(s->la_agg);
    free(s->stamp);
    free(s->fb_insp);
    free(s->fb_cov);
    free(s->fb_lnum);
    free(s->fb_lden);
    free(s->inspected);
    free(s->loss);
    free(s);
}

int netsim_links(const netsim *s) { return s->dl; }
const double *netsim_inspected(const netsim *s) { return s->inspected; }
const float *netsim_loss(const netsim *s) { return s->loss; }
netsim_stats netsim_get_stats(const netsim *s) { return s->st; }

/* Rate x of an aggregate through box b (verdict v) inspecting the share sh;
 * adds to the box's counters.  *alive gets the share of its flows that are
 * still going past the box: those that passed, and those policed (slowed,
 * not stopped); a flow the box drops fails at set-up and loads no link. */
static double through(netsim *s, acc *a, int b, const censor_box *v, double x, double sh,
                      double *alive)
{
    *alive = 1.0;
    if (b < 0)
        return x;
    double cx = s->box_cov[b] * (x - x * v->shutdown);
    mbox_flow f = {x, v->block, v->collateral, v->policed};
    a->insp[b] += sh * cx;
    a->cov[b] += cx;
    double policed = a->box[b].throttled;
    double passed = mbox_covered(s->box_cov[b], v->shutdown, sh, s->box_closed[b], &f, &a->box[b]);
    policed = a->box[b].throttled - policed;
    if (x > 0)
        *alive = (passed + policed) / x;
    return passed;
}

static int grow_aggs(netsim *s, int n)
{
    if (n <= s->cap_aggs)
        return BS_OK;
    int cap = n + n / 2 + 1024;
    double *p[9];
    double **dst[9] = {&s->mid,       &s->pass,       &s->rate,  &s->sub_demand, &s->sub_rate,
                       &s->base_pass, &s->sub_weight, &s->flows, &s->base_flows};
    for (int k = 0; k < 9; k++) {
        p[k] = realloc(*dst[k], sizeof(double) * (size_t)cap);
        if (p[k])
            *dst[k] = p[k];
        else
            return bs_nomem("%d aggregates (netsim)", n);
    }
    uint32_t *off = realloc(s->csr_off, sizeof(uint32_t) * ((size_t)cap + 1));
    if (off)
        s->csr_off = off;
    int *sub = realloc(s->sub, sizeof(int) * (size_t)cap);
    if (sub)
        s->sub = sub;
    uint32_t *stamp = realloc(s->stamp, sizeof(uint32_t) * (size_t)cap);
    if (stamp) {
        memset(stamp + s->cap_aggs, 0, sizeof(uint32_t) * (size_t)(cap - s->cap_aggs));
        s->stamp = stamp;
    }
    if (!off || !sub || !stamp)
        return bs_nomem("%d aggregates (netsim)", n);
    s->cap_aggs = cap;
    return BS_OK;
}

/* The day's aggregates by directed link, made when an hour first needs the solver. */
static int build_link_index(netsim *s)
{
    int n = traffic_count(s->tr);
    const traffic_agg *g = traffic_aggs(s->tr);
    memset(s->la_off, 0, sizeof(uint32_t) * ((size_t)s->dl + 1));
    size_t total = 0;
    for (int f = 0; f < n; f++) {
        int len, nbord;
        const uint32_t *p = traffic_path(s->tr, g[f].path, &len, &nbord);
        for (int k = 0; k < len; k++)
            s->la_off[p[k] + 1]++;
        total += (size_t)len;
    }
    if (total > s->cap_la) {
        uint32_t *x = realloc(s->la_agg, sizeof(uint32_t) * total);
        if (!x)
            return bs_nomem("%zu path entries (netsim)", total);
        s->la_agg = x;
        s->cap_la = total;
    }
    for (int l = 0; l < s->dl; l++)
        s->la_off[l + 1] += s->la_off[l];
    uint32_t fill[2 * MAX_LINKS];
    memcpy(fill, s->la_off, sizeof(uint32_t) * (size_t)s->dl);
    for (int f = 0; f < n; f++) {
        int len, nbord;
        const uint32_t *p = traffic_path(s->tr, g[f].path, &len, &nbord);
        for (int k = 0; k < len; k++)
            s->la_agg[fill[p[k]]++] = (uint32_t)f;
    }
    s->la_ready = 1;
    return BS_OK;
}

/* Solve the hour's link sharing.  Exact reduction: an aggregate that
 * crosses no link offered more than its capacity gets its demand (progressive
 * filling cannot saturate such a link before every aggregate on it is at its
 * demand), and such links never bind.  So the solver sees only the aggregates
 * that cross an over-full link (found through the day's index of aggregates
 * by link), with paths cut down to those links; the others are carried
 * whole.  Demands are s->pass, weights s->flows (each aggregate's concurrent
 * flows alive past the boxes); s->sub[0..n_sub) get the aggregates solved and
 * s->sub_rate their rates, s->rate[f] too; a->car the links' carried loads. */
static int solve_hour(netsim *s, acc *a)
{
    const traffic_agg *g = traffic_aggs(s->tr);
    if (!s->la_ready) {
        int st = build_link_index(s);
        if (st != BS_OK)
            return st;
    }
    uint8_t over[2 * MAX_LINKS];
    uint32_t id = ++s->stamp_id;
    for (int l = 0; l < s->dl; l++) {
        over[l] = a->off[l] > s->cap[l];
        for (uint32_t x = s->la_off[l]; over[l] && x < s->la_off[l + 1]; x++)
            s->stamp[s->la_agg[x]] = id;
    }
    int m = 0, n = traffic_count(s->tr);
    for (int f = 0; f < n; f++) /* in the order of the input */
        if (s->stamp[f] == id)
            s->sub[m++] = f;
    size_t e = 0;
    s->csr_off[0] = 0;
    for (int j = 0; j < m; j++) {
        int f = s->sub[j];
        int len, nbord;
        const uint32_t *p = traffic_path(s->tr, g[f].path, &len, &nbord);
        for (int k = 0; k < len; k++) {
            if (!over[p[k]])
                continue;
            if (e == s->cap_csr) {
                size_t cap = s->cap_csr ? 2 * s->cap_csr : 65536;
                uint32_t *x = realloc(s->csr_link, sizeof(uint32_t) * cap);
                if (!x)
                    return bs_nomem("%zu path entries (netsim)", cap);
                s->csr_link = x;
                s->cap_csr = cap;
            }
            s->csr_link[e++] = p[k];
        }
        s->sub_demand[j] = s->pass[f];
        /* An aggregate whose flows all failed has demand 0: any weight does. */
        s->sub_weight[j] = s->flows[f] > 0 ? s->flows[f] : 1.0;
        s->csr_off[j + 1] = (uint32_t)e;
    }
    s->n_sub = m;
    flow_problem pr = {.n_links = (uint32_t)s->dl,
                       .capacity = s->cap,
                       .n_flows = (uint32_t)m,
                       .demand = s->sub_demand,
                       .path_off = s->csr_off,
                       .path_link = s->csr_link,
                       .weight = s->sub_weight};
    flow_stats fs;
    int st = flow_solve(s->solver, &pr, s->sub_rate, NULL, &fs);
    if (st != BS_OK)
        return st;
    s->st.updates += fs.updates;
    memcpy(a->car, a->off, sizeof(double) * (size_t)s->dl);
    for (int j = 0; j < m; j++) {
        int f = s->sub[j];
        double cut = s->pass[f] - s->sub_rate[j];
        s->rate[f] = s->sub_rate[j];
        int len, nbord;
        const uint32_t *p = traffic_path(s->tr, g[f].path, &len, &nbord);
        for (int k = 0; k < len; k++)
            a->car[p[k]] -= cut;
    }
    /* Rounding must not leave a full link a hair above its capacity. */
    for (int l = 0; l < s->dl; l++)
        if (a->car[l] > s->cap[l])
            a->car[l] = s->cap[l];
        else if (a->car[l] < 0)
            a->car[l] = 0;
    return BS_OK;
}

/* Add what aggregate x delivers at rate r to the hour's outputs, and to the
 * loss feedback `lost` of `seen`. */
static void credit(netsim *s, acc *a, const traffic_agg *x, double r, double lost, double seen)
{
    int len, nbord;
    traffic_path(s->tr, x->path, &len, &nbord);
    a->btot += r * nbord;
    if (x->tunnel) {
        a->vpn += r;
        a->bvpn += r * nbord;
        if (x->hairpin)
            a->hair += r * nbord;
    }
    if (x->app < 0)
        return;
    a->app[x->app * N_CLASSES + x->cls] += r;
    a->bapp[x->app] += r * nbord;
    for (int e = 0; e < 2; e++)
        if (x->box[e] >= 0) {
            size_t cell = ((size_t)x->box[e] * s->na + x->app) * N_CLASSES + x->cls;
            a->lnum[cell] += lost;
            a->lden[cell] += seen;
        }
}

/* *a = k times *b. */
static void acc_scaled(acc *a, const acc *b, double k, int dl, int nb, int na)
{
    for (int l = 0; l < dl; l++) {
        a->off[l] = k * b->off[l];
        a->car[l] = k * b->car[l];
    }
    for (int x = 0; x < na * N_CLASSES; x++)
        a->app[x] = k * b->app[x];
    for (int x = 0; x < na; x++)
        a->bapp[x] = k * b->bapp[x];
    a->vpn = k * b->vpn;
    a->bvpn = k * b->bvpn;
    a->btot = k * b->btot;
    a->hair = k * b->hair;
    a->over = b->over;
    for (int x = 0; x < nb; x++) {
        const mbox_tally *t = &b->box[x];
        a->box[x] = (mbox_tally){k * t->inspected, k * t->dropped,     k * t->throttled,
                                 k * t->collateral, k * t->uninspected, k * t->passed};
        a->insp[x] = k * b->insp[x];
        a->cov[x] = k * b->cov[x];
        a->load_e[x] = k * b->load_e[x];
        a->load_i[x] = k * b->load_i[x];
    }
    for (size_t x = 0; x < (size_t)nb * na * N_CLASSES; x++) {
        a->lnum[x] = k * b->lnum[x];
        a->lden[x] = k * b->lden[x];
    }
}

/* An hour whose boxes keep up but some link is over-full: the day's base
 * scaled by wt, then the aggregates on full links cut to their fair rates. */
static int scaled_hour(netsim *s, double wt, acc *a)
{
    int n = traffic_count(s->tr);
    const traffic_agg *g = traffic_aggs(s->tr);
    acc_scaled(a, &s->base, wt, s->dl, s->nb, s->na);
    for (int f = 0; f < n; f++)
        s->pass[f] = wt * s->base_pass[f];
    memcpy(s->flows, s->base_flows, sizeof(double) * (size_t)n);
    int st = solve_hour(s, a);
    if (st != BS_OK)
        return st;
    for (int j = 0; j < s->n_sub; j++) {
        int f = s->sub[j];
        double cut = s->pass[f] - s->sub_rate[j];
        credit(s, a, &g[f], -cut, cut, 0.0);
    }
    return BS_OK;
}

/* One hour at diurnal weight wt into *a (zeroed first); with_capacity = 0
 * ignores the boxes' and links' capacities (the day's linear base). */
static int run_hour(netsim *s, double wt, int with_capacity, acc *a, int *solved)
{
    int n = traffic_count(s->tr);
    const traffic_agg *g = traffic_aggs(s->tr);
    acc_zero(a, s->dl, s->nb, s->na);
    *solved = 0;
    for (int f = 0; f < n; f++)
        if (g[f].box[0] >= 0)
            a->load_e[g[f].box[0]] +=
                s->box_cov[g[f].box[0]] * wt * g[f].demand * (1.0 - g[f].v[0].shutdown);
    double sh[MAX_ALL_ISPS], alive;
    uint8_t over[MAX_ALL_ISPS] = {0};
    for (int b = 0; b < s->nb; b++) {
        sh[b] = with_capacity ? mbox_share(s->box_cap[b], a->load_e[b]) : 1.0;
        over[b] = sh[b] < 1.0;
    }
    for (int f = 0; f < n; f++) {
        s->mid[f] = through(s, a, g[f].box[0], &g[f].v[0], wt * g[f].demand,
                            g[f].box[0] >= 0 ? sh[g[f].box[0]] : 1.0, &alive);
        s->flows[f] = g[f].weight * alive;
        if (g[f].box[1] >= 0)
            a->load_i[g[f].box[1]] +=
                s->box_cov[g[f].box[1]] * s->mid[f] * (1.0 - g[f].v[1].shutdown);
    }
    for (int b = 0; b < s->nb; b++) {
        sh[b] = with_capacity ? mbox_share(s->box_cap[b], a->load_i[b]) : 1.0;
        a->over += over[b] || sh[b] < 1.0;
    }
    for (int f = 0; f < n; f++) {
        s->pass[f] = through(s, a, g[f].box[1], &g[f].v[1], s->mid[f],
                             g[f].box[1] >= 0 ? sh[g[f].box[1]] : 1.0, &alive);
        s->flows[f] *= alive;
        int len, nbord;
        const uint32_t *p = traffic_path(s->tr, g[f].path, &len, &nbord);
        for (int k = 0; k < len; k++)
            a->off[p[k]] += s->pass[f];
    }
    int full = 0;
    for (int l = 0; with_capacity && l < s->dl; l++)
        full |= a->off[l] > s->cap[l];
    const double *rate = s->pass;
    if (full) {
        memcpy(s->rate, s->pass, sizeof(double) * (size_t)n);
        int st = solve_hour(s, a);
        if (st != BS_OK)
            return st;
        rate = s->rate;
        *solved = 1;
    } else {
        memcpy(a->car, a->off, sizeof(double) * (size_t)s->dl);
    }
    for (int f = 0; f < n; f++)
        credit(s, a, &g[f], rate[f], s->pass[f] - rate[f], s->pass[f]);
    return BS_OK;
}

/* Whether hour weight wt keeps every box of the base within its capacity
 * (what passes the boxes is then the base scaled), and also every link (the
 * whole hour is). */
static int boxes_keep_up(const netsim *s, double wt)
{
    for (int b = 0; b < s->nb; b++) {
        double c = s->box_cap[b];
        if (c > 0 && (wt * s->base.load_e[b] > c || wt * s->base.load_i[b] > c))
            return 0;
    }
    return 1;
}

static int links_keep_up(const netsim *s, double wt)
{
    for (int l = 0; l < s->dl; l++)
        if (wt * s->base.off[l] > s->cap[l])
            return 0;
    return 1;
}

static void put_box(const netsim_hours *o, int h, int nb, int b, const mbox_tally *t, double k)
{
    size_t x = (size_t)h * nb + b;
    o->inspected[x] = k * t->inspected;
    o->dropped[x] = k * t->dropped;
    o->throttled[x] = k * t->throttled;
    o->collateral[x] = k * t->collateral;
    o->uninspected[x] = k * t->uninspected;
}

/* Write hour h of *o from *a scaled by k, and add a's feedback sums. */
static void emit(netsim *s, const netsim_hours *o, int h, const acc *a, double k)
{
    int dl = s->dl, na = s->na, nb = s->nb;
    for (int l = 0; l < dl; l++) {
        o->link_offered[(size_t)h * dl + l] = k * a->off[l];
        o->link_carried[(size_t)h * dl + l] = k * a->car[l];
    }
    for (int x = 0; x < na * N_CLASSES; x++)
        o->app_carried[(size_t)h * na * N_CLASSES + x] = k * a->app[x];
    for (int x = 0; x < na; x++)
        o->border_app[(size_t)h * na + x] = k * a->bapp[x];
    o->vpn_carried[h] = k * a->vpn;
    o->border_vpn[h] = k * a->bvpn;
    o->border_total[h] = k * a->btot;
    o->hairpin[h] = k * a->hair;
    o->overloaded[h] = a->over;
    for (int b = 0; b < nb; b++) {
        put_box(o, h, nb, b, &a->box[b], k);
        s->fb_insp[b] += k * a->insp[b];
        s->fb_cov[b] += k * a->cov[b];
    }
    for (size_t x = 0; x < (size_t)nb * na * N_CLASSES; x++) {
        s->fb_lnum[x] += k * a->lnum[x];
        s->fb_lden[x] += k * a->lden[x];
    }
}

int netsim_day(netsim *s, const censor *c, const uint64_t *tally, const double *users,
               const netsim_hours *out)
{
    int st = traffic_day(s->tr, c, tally, users);
    if (st == BS_OK)
        st = grow_aggs(s, traffic_count(s->tr));
    if (st != BS_OK)
        return st;
    s->st.aggregates += traffic_count(s->tr);
    size_t cells = (size_t)s->nb * s->na * N_CLASSES;
    memset(s->fb_insp, 0, sizeof(double) * (size_t)s->nb);
    memset(s->fb_cov, 0, sizeof(double) * (size_t)s->nb);
    memset(s->fb_lnum, 0, sizeof(double) * cells);
    memset(s->fb_lden, 0, sizeof(double) * cells);
    int solved;
    if ((st = run_hour(s, 1.0, 0, &s->base, &solved)) != BS_OK)
        return st;
    memcpy(s->base_pass, s->pass, sizeof(double) * (size_t)traffic_count(s->tr));
    memcpy(s->base_flows, s->flows, sizeof(double) * (size_t)traffic_count(s->tr));
    s->la_ready = 0;
    for (int h = 0; h < 24; h++) {
        double wt = s->weight[h];
        s->st.hours++;
        int boxes = boxes_keep_up(s, wt);
        if (boxes && links_keep_up(s, wt)) {
            emit(s, out, h, &s->base, wt);
            continue;
        }
        if (boxes) {
            st = scaled_hour(s, wt, &s->hour);
            solved = 1;
        } else {
            st = run_hour(s, wt, 1, &s->hour, &solved);
        }
        if (st != BS_OK)
            return st;
        s->st.hours_solved += solved;
        emit(s, out, h, &s->hour, 1.0);
    }
    for (int b = 0; b < s->nb; b++)
        s->inspected[b] = s->fb_cov[b] > 0 ? s->fb_insp[b] / s->fb_cov[b] : 1.0;
    for (size_t x = 0; x < cells; x++) {
        double l = s->fb_lden[x] > 0 ? s->fb_lnum[x] / s->fb_lden[x] : 0.0;
        s->loss[x] = (float)(l < 0 ? 0 : l > 1 ? 1 : l);
    }
    return BS_OK;
}
