#include "testbed/replay.h"

#include "ns3/bs_ns3.h"
#include "censor/censor.h"
#include "world/events.h"
#include "base/log.h"
#include "base/rng.h"
#include "base/status.h"
#include "testbed/testbed.h"

#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOST_RATE 1.0e8  /* a person's own link to their access node, bit/s */
#define HOST_DELAY 0.002 /* s */

/* One call attempt. */
typedef struct attempt {
    int caller, callee, app, video, relayed;
    int tun_caller, tun_callee; /* protocol + 1 when that end goes through its tunnel, else 0 */
    uint16_t tried;             /* apps the caller has tried for this call */
    double start;
} attempt;

/* What a phase needs while it simulates. */
typedef struct phase_ctx {
    const world *w;
    const testbed_boxes *boxes;
    int n_users;
    const int *user_isp, *user_region;
    int *user_vpn;                                /* protocol + 1, or 0 */
    const int *isp_node;                          /* [isp] its access node */
    const double *share;                          /* [region][app] first choices, sums to 1 */
    const double *user_q;                         /* [user][2] their fixed uniforms: the same
                                                     person keeps their app while the shares
                                                     allow, so that a change is the shares' */
    gsl_rng *g;
    replay_out *o;
    int phase;
} phase_ctx;

void replay_out_free(replay_out *o)
{
    sim_out_free(&o->pop);
    free(o->phase_start);
    free(o->link_load);
    free(o->link_capacity);
    free(o->border_app);
    free(o->border_vpn);
    free(o->border_total);
    free(o->inspected);
    free(o->dropped);
    memset(o, 0, sizeof *o);
}

/* The phases: day 0, then every day on which an event starts. */
static int phases(const world *w, int *start)
{
    int n = 0;
    start[n++] = 0;
    for (int d = 1; d < w->n_days; d++)
        for (int e = 0; e < w->n_events; e++)
            if (w->events[e].date - w->scenario.start == d) {
                start[n++] = d;
                break;
            }
    return n;
}

/* The index that uniform `q` picks from weights x[0..n) (skipping those in
 * `mask`), -1 if none. */
static int pick(double q, const double *x, int n, uint32_t mask)
{
    double t = 0;
    for (int i = 0; i < n; i++)
        t += mask >> i & 1u ? 0.0 : x[i];
    if (!(t > 0))
        return -1;
    double u = q * t;
    int last = -1;
    for (int i = 0; i < n; i++) {
        if (mask >> i & 1u || !(x[i] > 0))
            continue;
        last = i;
        if (u < x[i])
            return i;
        u -= x[i];
    }
    return last;
}

static int draw(gsl_rng *g, const double *x, int n, uint32_t mask)
{
    return pick(gsl_rng_uniform(g), x, n, mask);
}

static attempt new_attempt(const phase_ctx *x, int caller, int callee, int app, uint16_t tried)
{
    const world *w = x->w;
    const app_cfg *a = &w->apps[app];
    double on = w->population.vpn_on, span = w->testbed.phase_seconds * 86400.0 -
                                              (w->testbed.call_seconds + w->testbed.timeout) * 86400.0 - 2.0;
    attempt at = {caller, callee, app, 0, 0, 0, 0, (uint16_t)(tried | 1u << app), 1.0};
    at.video = gsl_rng_uniform(x->g) < a->video_share;
    at.relayed = gsl_rng_uniform(x->g) < a->relay_share;
    at.tun_caller = x->user_vpn[caller] && gsl_rng_uniform(x->g) < on ? x->user_vpn[caller] : 0;
    at.tun_callee = x->user_vpn[callee] && gsl_rng_uniform(x->g) < on ? x->user_vpn[callee] : 0;
    at.start = 1.0 + gsl_rng_uniform(x->g) * span;
    return at;
}

/* The network, a host per person on their ISP's access node, and the boxes. */
static int build(const phase_ctx *x, bs_ns3 *s)
{
    const world *w = x->w;
    const network_cfg *net = &w->network;
    for (int k = 0; k < net->n_nodes + x->n_users; k++)
        if (bs_ns3_add_node(s) < 0)
            return bs_last_status();
    for (int l = 0; l < net->n_links; l++)
        if (bs_ns3_add_link(s, net->links[l].a, net->links[l].b, net->links[l].capacity,
                            net->links[l].delay_ms / 1000.0, TB_QUEUE) < 0)
            return bs_last_status();
    for (int u = 0; u < x->n_users; u++)
        if (bs_ns3_add_link(s, x->isp_node[x->user_isp[u]], net->n_nodes + u, HOST_RATE, HOST_DELAY,
                            TB_QUEUE) < 0)
            return bs_last_status();
    int st = bs_ns3_install(s);
    for (int dl = 0; dl < 2 * net->n_links && st == BS_OK; dl++)
        if (net->links[dl / 2].cls == LINK_BORDER)
            st = bs_ns3_count_by_app(s, dl);
    for (int k = 0; k < net->n_nodes && st == BS_OK; k++)
        if (net->nodes[k].isp_index >= 0)
            st = bs_ns3_add_box(s, k, net->nodes[k].isp_index, testbed_verdict, (void *)x->boxes);
    return st;
}

/* Simulate attempts at[0..n) over the phase's time; ok[i]: completed. */
static int simulate(const phase_ctx *x, const attempt *at, int n, int round, int *ok)
{
    const world *w = x->w;
    replay_out *o = x->o;
    double T = w->testbed.phase_seconds * 86400.0;
    bs_ns3 *s = testbed_sim(w, (uint64_t)w->scenario.run * 1000003u +
                                   (uint64_t)(x->phase * REPLAY_ROUNDS + round));
    if (!s)
        return bs_last_status();
    int st = build(x, s);
    for (int i = 0; i < n && st == BS_OK; i++) {
        const attempt *a = &at[i];
        const app_cfg *app = &w->apps[a->app];
        int vc = a->tun_caller - 1, ve = a->tun_callee - 1;
        bs_ns3_call_cfg cc = {
            .caller = w->network.n_nodes + a->caller, .callee = w->network.n_nodes + a->callee,
            .relay = a->relayed ? app->relay_node : -1,
            .exit = vc >= 0 ? w->vpns[vc].exit_node : -1, .vpn = vc >= 0 ? vc + 1 : 0,
            .overhead = vc >= 0 ? w->vpns[vc].overhead : 0.0,
            .callee_exit = ve >= 0 ? w->vpns[ve].exit_node : -1, .callee_vpn = ve >= 0 ? ve + 1 : 0,
            .callee_overhead = ve >= 0 ? w->vpns[ve].overhead : 0.0,
            .app = a->app, .cls = a->video ? CLASS_VIDEO : CLASS_VOICE,
            .rate_bps = a->video ? app->video_rate : app->voice_rate,
            .packet_bytes = a->video ? TB_VIDEO_PACKET : (int)w->testbed.packet_bytes,
            .start_s = a->start, .duration_s = w->testbed.call_seconds * 86400.0,
            .timeout_s = w->testbed.timeout * 86400.0};
        if (bs_ns3_add_call(s, &cc) < 0)
            st = bs_last_status();
    }
    if (st == BS_OK)
        st = bs_ns3_run(s, T);
    o->simulations++;
    for (int i = 0; i < n && st == BS_OK; i++) {
        bs_ns3_call_stats cs;
        bs_ns3_get_call(s, i, &cs);
        ok[i] = testbed_call_usable(w, &cs);
        o->media_packets += cs.tx[0] + cs.tx[1];
    }
    const network_cfg *net = &w->network;
    int p = x->phase;
    for (int dl = 0; dl < 2 * net->n_links && st == BS_OK; dl++) {
        double bits = 8.0 / T;
        o->link_load[(size_t)p * o->n_links + dl] += (double)bs_ns3_link_bytes(s, dl) * bits;
        if (net->links[dl / 2].cls != LINK_BORDER)
            continue;
        o->border_total[p] += (double)bs_ns3_link_bytes(s, dl) * bits;
        o->border_vpn[p] += (double)bs_ns3_link_app_bytes(s, dl, BS_NS3_TUNNEL) * bits;
        for (int a = 0; a < w->n_apps; a++)
            o->border_app[(size_t)p * w->n_apps + a] += (double)bs_ns3_link_app_bytes(s, dl, a) * bits;
    }
    for (int b = 0; b < w->n_all_isps && st == BS_OK; b++) {
        bs_ns3_box_stats bx;
        if (bs_ns3_get_box(s, b, &bx) != BS_OK)
            continue;
        o->inspected[(size_t)p * o->n_boxes + b] +=
            (double)(bx.passed_b + bx.dropped_b + bx.policed_b) * 8.0 / T;
        o->dropped[(size_t)p * o->n_boxes + b] += (double)(bx.dropped_b + bx.policed_b) * 8.0 / T;
    }
    bs_ns3_free(s);
    return st;
}

/* One phase: the people's choices on its sampled day, the calls, the retries. */
static int run_phase(phase_ctx *x, const sim_out *nat, int day)
{
    const world *w = x->w;
    replay_out *o = x->o;
    int na = w->n_apps, nv = w->n_vpns, p = x->phase, n = x->n_users;
    sim_out *pop = &o->pop;
    int *first = malloc(sizeof(int) * (size_t)n);
    int *vpn = x->user_vpn;
    size_t cap = (size_t)n * (size_t)w->testbed.replay_calls;
    attempt *at = malloc(sizeof *at * cap), *next = malloc(sizeof *next * cap);
    int *ok = malloc(sizeof(int) * cap);
    if (!first || !at || !next || !ok) {
        free(first);
        free(at);
        free(next);
        free(ok);
        return bs_nomem("the call schedule (replay)");
    }
    for (int u = 0; u < n; u++) {
        int r = x->user_region[u];
        first[u] = pick(x->user_q[2 * u], x->share + (size_t)r * na, na, 0);
        double v_share[MAX_VPNS + 1], users = 0;
        for (int v = 0; v < nv; v++) {
            v_share[v + 1] = nat->vpn[((size_t)day * nat->n_regions + r) * nv + v] /
                             w->regions[r].population;
            users += v_share[v + 1];
        }
        v_share[0] = users < 1 ? 1 - users : 0;
        vpn[u] = pick(x->user_q[2 * u + 1], v_share, nv + 1, 0);
        if (vpn[u] > 0)
            pop->vpn[((size_t)p * w->n_regions + r) * nv + vpn[u] - 1] += 1;
        if (first[u] >= 0)
            pop->primary[((size_t)p * w->n_regions + r) * na + first[u]] += 1;
    }
    int m = 0;
    for (int u = 0; u < n; u++)
        for (int k = 0; k < w->testbed.replay_calls && first[u] >= 0; k++) {
            int callee = (int)gsl_rng_uniform_int(x->g, (unsigned long)(n - 1));
            callee += callee >= u;
            at[m++] = new_attempt(x, u, callee, first[u], 0);
        }
    int st = BS_OK;
    for (int round = 0; round < REPLAY_ROUNDS && m > 0 && st == BS_OK; round++) {
        st = simulate(x, at, m, round, ok);
        int m2 = 0;
        for (int i = 0; i < m && st == BS_OK; i++) {
            const attempt *a = &at[i];
            pop->attempted[(size_t)p * na + a->app] += 1;
            if (ok[i]) {
                pop->completed[(size_t)p * na + a->app] += 1;
                continue;
            }
            pop->failed[(size_t)p * na + a->app] += 1;
            int again = -1;
            if (round + 1 < REPLAY_ROUNDS && gsl_rng_uniform(x->g) < w->population.retry)
                again = draw(x->g, x->share + (size_t)x->user_region[a->caller] * na, na, a->tried);
            if (again < 0)
                pop->abandoned[p] += 1;
            else
                next[m2++] = new_attempt(x, a->caller, a->callee, again, a->tried);
        }
        attempt *t = at;
        at = next;
        next = t;
        m = m2;
    }
    free(first);
    free(at);
    free(next);
    free(ok);
    return st;
}

static int alloc_out(const world *w, int n_phases, replay_out *o)
{
    int nr = w->n_regions, na = w->n_apps, nv = w->n_vpns, L = 2 * w->network.n_links;
    size_t P = (size_t)n_phases;
    o->n_phases = n_phases;
    o->n_links = L;
    o->n_boxes = w->n_all_isps;
    sim_out *s = &o->pop;
    s->n_days = n_phases;
    s->n_regions = nr;
    s->n_apps = na;
    s->n_vpns = nv;
    s->primary = calloc(P * nr * na, sizeof(double));
    s->vpn = calloc(P * nr * (nv ? nv : 1), sizeof(double));
    s->attempted = calloc(P * na, sizeof(double));
    s->completed = calloc(P * na, sizeof(double));
    s->failed = calloc(P * na, sizeof(double));
    s->abandoned = calloc(P, sizeof(double));
    s->day_of = calloc(P, sizeof(int));
    o->phase_start = calloc(P, sizeof(int));
    o->link_load = calloc(P * L, sizeof(double));
    o->link_capacity = calloc((size_t)L, sizeof(double));
    o->border_app = calloc(P * na, sizeof(double));
    o->border_vpn = calloc(P, sizeof(double));
    o->border_total = calloc(P, sizeof(double));
    o->inspected = calloc(P * o->n_boxes, sizeof(double));
    o->dropped = calloc(P * o->n_boxes, sizeof(double));
    if (!s->primary || !s->vpn || !s->attempted || !s->completed || !s->failed || !s->abandoned ||
        !s->day_of || !o->phase_start || !o->link_load || !o->link_capacity || !o->border_app ||
        !o->border_vpn || !o->border_total || !o->inspected || !o->dropped)
        return bs_nomem("the series of %zu phases (replay)", P);
    for (int dl = 0; dl < L; dl++)
        o->link_capacity[dl] = w->network.links[dl / 2].capacity;
    return BS_OK;
}

/* Place the people: quantiles of the population over the ISPs that have an
 * access node. */
static int place(const world *w, int n, int *isp_node, int *user_isp, int *user_region)
{
    double weight[MAX_ALL_ISPS] = {0}, total = 0;
    int region_of[MAX_ALL_ISPS];
    for (int i = 0; i < w->n_all_isps; i++)
        isp_node[i] = -1;
    for (int k = 0; k < w->network.n_nodes; k++)
        if (w->network.nodes[k].isp_index >= 0)
            isp_node[w->network.nodes[k].isp_index] = k;
    for (int r = 0; r < w->n_regions; r++)
        for (int k = 0; k < w->regions[r].n_isps; k++) {
            int i = w->isp_first[r] + k;
            region_of[i] = r;
            if (isp_node[i] >= 0)
                total += weight[i] = w->regions[r].population * w->regions[r].isps[k].share;
        }
    if (!(total > 0))
        return bs_fail(BS_EINPUT, "network: --replay needs people on ISPs with an access node");
    for (int u = 0, i = 0; u < n; u++) {
        double q = (u + 0.5) / n * total, cum = 0;
        for (i = 0; i < w->n_all_isps; i++) {
            cum += weight[i];
            if (weight[i] > 0 && q < cum)
                break;
        }
        while (i >= w->n_all_isps || !(weight[i] > 0))
            i--;
        user_isp[u] = i;
        user_region[u] = region_of[i];
    }
    return BS_OK;
}

int replay_run(const world *w, const sim_out *nat, replay_out *out)
{
    return replay_run_steps(w, nat, out, NULL, NULL);
}

int replay_run_steps(const world *w, const sim_out *nat, replay_out *out,
                     void (*step)(int, int, void *), void *arg)
{
    memset(out, 0, sizeof *out);
    if (w->network.n_nodes == 0)
        return bs_fail(BS_EINPUT, "network: --replay needs a network (network.nodes is empty)");
    int n = (int)w->testbed.replay_users, start[MAX_EVENTS + 1], n_phases = phases(w, start);
    int isp_node[MAX_ALL_ISPS];
    int *user_isp = malloc(sizeof(int) * (size_t)n), *user_region = malloc(sizeof(int) * (size_t)n);
    int *user_vpn = calloc((size_t)n, sizeof(int));
    double *share = calloc((size_t)w->n_regions * w->n_apps, sizeof(double));
    double *user_q = malloc(sizeof(double) * 2 * (size_t)n);
    world *pw = testbed_plain_world(w);
    censor *c = pw ? censor_new(pw) : NULL;
    day_rules *rules = malloc(sizeof *rules);
    gsl_rng *g = rng_stream((uint64_t)w->scenario.seed, (uint64_t)w->scenario.run, "replay");
    int st = user_isp && user_region && user_vpn && share && user_q && pw && c && rules && g
                 ? alloc_out(w, n_phases, out)
                 : bs_nomem("the users and rules (replay)");
    if (st == BS_OK)
        st = place(w, n, isp_node, user_isp, user_region);
    for (int u = 0; u < 2 * n && st == BS_OK; u++)
        user_q[u] = gsl_rng_uniform(g);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    out->users = n;
    out->seconds = w->testbed.phase_seconds * 86400.0;
    if (step && st == BS_OK)
        step(0, n_phases, arg);
    for (int p = 0; p < n_phases && st == BS_OK; p++) {
        int day = p + 1 < n_phases ? start[p + 1] - 1 : w->n_days - 1;
        out->phase_start[p] = start[p];
        out->pop.day_of[p] = day;
        events_day(pw, day, rules);
        censor_apply(c, rules);
        for (int r = 0; r < w->n_regions; r++) {
            double t = 0;
            for (int a = 0; a < w->n_apps; a++)
                t += nat->primary[((size_t)day * w->n_regions + r) * w->n_apps + a];
            for (int a = 0; a < w->n_apps; a++)
                share[r * w->n_apps + a] =
                    t > 0 ? nat->primary[((size_t)day * w->n_regions + r) * w->n_apps + a] / t : 0;
        }
        char name[64];
        snprintf(name, sizeof name, "replay/phase %d", p);
        testbed_boxes boxes;
        testbed_boxes_init(&boxes, pw, c,
                           rng_seed_of((uint64_t)w->scenario.seed, (uint64_t)w->scenario.run, name));
        phase_ctx x = {w, &boxes, n, user_isp, user_region, user_vpn, isp_node, share, user_q, g, out, p};
        st = run_phase(&x, nat, day);
        double tried = 0, failed = 0;
        for (int a = 0; a < w->n_apps; a++) {
            tried += out->pop.attempted[(size_t)p * w->n_apps + a];
            failed += out->pop.failed[(size_t)p * w->n_apps + a];
        }
        if (st == BS_OK)
            LOG("testbed", LOG_INFO, "replay phase %d (day %d): %.0f call attempts, %.0f failed", p,
                day, tried, failed);
        if (step && st == BS_OK)
            step(p + 1, n_phases, arg);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->wall_seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (g)
        gsl_rng_free(g);
    free(rules);
    censor_free(c);
    free(pw);
    free(share);
    free(user_q);
    free(user_isp);
    free(user_region);
    free(user_vpn);
    if (st != BS_OK)
        replay_out_free(out);
    return st;
}
