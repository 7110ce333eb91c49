#include "testbed/testbed.h"

#include "ns3/bs_ns3.h"
#include "censor/censor.h"
#include "world/events.h"
#include "base/log.h"
#include "base/rng.h"
#include "base/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define START_S 1.0
#define GAP_S 0.05

/* One uniform per (flow, question, box): the same for every packet of a flow
 * at a box, independent between boxes (as the population engine's verdicts
 * are: a call passes each end's box independently). */
static double flow_uniform(uint64_t seed, uint32_t flow, int question, int box)
{
    uint64_t h = rng_mix64(seed ^ rng_mix64(((uint64_t)flow * 8 + (uint64_t)question) * 1024 +
                                            (uint64_t)(box + 1)));
    return (double)(h >> 11) * 0x1.0p-53;
}

void testbed_boxes_init(testbed_boxes *b, const world *w, const censor *c, uint64_t seed)
{
    b->c = c;
    b->seed = seed;
    for (int r = 0; r < w->n_regions; r++)
        for (int k = 0; k < w->regions[r].n_isps; k++)
            b->coverage[w->isp_first[r] + k] = w->regions[r].isps[k].coverage;
}

int testbed_verdict(void *arg, int box, int dev, const bs_pkt_tag *t, double *rate)
{
    (void)dev;
    const testbed_boxes *x = arg;
    int isp = box;
    if (t->vpn > 0) /* a tunnel: dropped when the box detects its protocol */
        return flow_uniform(x->seed, t->flow, 0, isp) < censor_vpn_detect(x->c, isp, t->vpn - 1)
                   ? BS_DROP
                   : BS_PASS;
    if (t->app < 0)
        return BS_PASS;
    censor_box v = censor_box_verdict(x->c, isp, t->app, t->cls, 0);
    if (v.shutdown > 0 && flow_uniform(x->seed, t->flow, 4, isp) < v.shutdown)
        return BS_DROP; /* a shutdown stops it on every path (censor.h) */
    if (flow_uniform(x->seed, t->flow, 1, isp) >= x->coverage[isp])
        return BS_PASS; /* this flow's path misses the box */
    if (flow_uniform(x->seed, t->flow, 2, isp) < v.block)
        return BS_DROP;
    if (flow_uniform(x->seed, t->flow, 3, isp) < v.thr_share) {
        *rate = v.thr_rate;
        return BS_POLICE;
    }
    return BS_PASS;
}

/* The address plan of the wire features (testbed.h). */
#define IP4(a, b) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16)
#define CLOUD IP4(151, 101)
#define HOSTING IP4(185, 0)
#define STUN_REQUEST_TYPE 0x00 /* a STUN binding request starts 0x0001 */
#define STUN_REQUEST_LEN 100
#define TLS_HELLO_LEN 517      /* a browser's ClientHello, padded */
#define OPENVPN_RESET_LEN 54
#define RTP_FIRST 0x80         /* RTP version 2 */
#define RTP_LEN 172

int testbed_classifying(int t)
{
    return t == TECH_IP || t == TECH_SNI || t == TECH_STUN || t == TECH_VPN;
}

/* Flow j of n takes the share x: (j + 1/2) / n < x. */
static double slot(int j, int n) { return (j + 0.5) / n; }

/* The first packet of a handshake of kind `kind` (enum wire_kind). */
static void handshake(classify_flow *f, int kind, const char *sni)
{
    static const uint8_t type[N_WIRE_KINDS] = {CLASSIFY_TLS_RECORD, STUN_REQUEST_TYPE,
                                               CLASSIFY_WG_INITIATION, CLASSIFY_OPENVPN_RESET,
                                               RTP_FIRST};
    static const uint16_t len[N_WIRE_KINDS] = {TLS_HELLO_LEN, STUN_REQUEST_LEN,
                                               CLASSIFY_WG_INITIATION_LEN, OPENVPN_RESET_LEN,
                                               RTP_LEN};
    f->first_type = type[kind];
    f->first_len = len[kind];
    if (kind == WIRE_TLS)
        snprintf(f->sni, sizeof f->sni, "%s", sni);
    if (kind == WIRE_RTC)
        f->stun_cookie = CLASSIFY_STUN_COOKIE;
}

/* Call j of n of its class, of app a. */
static classify_flow app_flow(const world *w, int a, int j, int n)
{
    const app_cfg *app = &w->apps[a];
    classify_flow f;
    memset(&f, 0, sizeof f);
    double u = slot(j, n);
    uint32_t host = (uint32_t)(j + 1) & 0xffffu;
    f.addr = (u < app->rotated ? IP4(100 + a, 1)
              : u < app->rotated + app->shared ? CLOUD | (uint32_t)(a + 1) << 8
                                              : IP4(100 + a, 0)) | host;
    if (u < app->sni_share) {
        char name[CLASSIFY_SNI];
        snprintf(name, sizeof name, "%s.net", app->name);
        handshake(&f, WIRE_TLS, name);
    } else {
        handshake(&f, WIRE_RTC, "");
    }
    f.stun_cookie = CLASSIFY_STUN_COOKIE; /* the media's set-up, either way */
    return f;
}

/* Flow j of n of the mix's service e. */
static classify_flow mix_flow(const mix_cfg *m, int e, int j, int n)
{
    classify_flow f;
    memset(&f, 0, sizeof f);
    double u = slot(j, n);
    uint32_t host = (uint32_t)(j + 1) & 0xffu;
    f.addr = u < m->shared                ? CLOUD | (uint32_t)(128 + e) << 8 | host
             : u < m->shared + m->hosting ? HOSTING | (uint32_t)(128 + e) << 8 | host
                                          : IP4(93, e + 1) | host;
    char name[CLASSIFY_SNI];
    snprintf(name, sizeof name, "%s.example", m->name);
    handshake(&f, m->kind, name);
    return f;
}

/* The rule of a classifying case: technique t on app a (vpn: on protocol
 * `vpn`, or all when -1). */
static void wire_rule(const world *w, int a, int t, int vpn, classify_rule *r)
{
    memset(r, 0, sizeof *r);
    r->technique = t;
    if (t == TECH_IP || t == TECH_STUN) { /* stun: STUN set-ups to the app's ranges */
        r->ranges[r->n_ranges++] = (classify_range){IP4(100 + a, 0), 16};
        if (w->apps[a].shared > 0)
            r->ranges[r->n_ranges++] = (classify_range){CLOUD, 16};
    } else if (t == TECH_SNI) {
        snprintf(r->names[r->n_names++], CLASSIFY_SNI, "%s.net", w->apps[a].name);
    } else if (t == TECH_VPN) {
        for (int v = 0; v < w->n_vpns; v++) {
            int hs = w->vpns[v].handshake;
            if ((vpn >= 0 && v != vpn) || hs == WIRE_TLS || r->n_prints == CLASSIFY_MAX_PRINTS)
                continue; /* an obfuscated protocol leaves no print */
            classify_flow f;
            memset(&f, 0, sizeof f);
            handshake(&f, hs, "");
            r->prints[r->n_prints++] =
                (classify_print){f.first_type, hs == WIRE_WIREGUARD ? f.first_len : 0};
        }
        if (w->testbed.vpn_aggressive) {
            r->tls_in_ranges = 1;
            r->ranges[r->n_ranges++] = (classify_range){HOSTING, 16};
        }
    }
}

int testbed_wire_verdict(void *arg, int box, int dev, const bs_pkt_tag *t, double *rate)
{
    (void)box;
    (void)dev;
    (void)rate;
    testbed_wirebox *x = arg;
    if (t->vpn <= 0 && (t->flow >= (uint32_t)x->n_flows))
        return BS_PASS; /* not a flow of the case */
    const classify_flow *f = t->vpn > 0 ? &x->tunnel[t->vpn - 1] : &x->flows[t->flow];
    if (!classify_match(&x->rule, f))
        return BS_PASS;
    if (t->flow < (uint32_t)x->n_flows)
        x->caught[t->flow] = 1;
    return BS_DROP;
}

bs_ns3 *testbed_sim(const world *w, uint64_t run)
{
    return bs_ns3_new((uint32_t)(w->scenario.seed % 4294967295u) + 1, run);
}

int testbed_call_usable(const world *w, const bs_ns3_call_stats *cs)
{
    double sent = (double)(cs->tx[0] + cs->tx[1]), got = (double)(cs->rx[0] + cs->rx[1]);
    return cs->setup_ok && sent > 0 && 1.0 - got / sent <= w->testbed.usable_loss;
}

world *testbed_plain_world(const world *w)
{
    world *cw = malloc(sizeof *cw);
    if (!cw)
        return NULL;
    memcpy(cw, w, sizeof *cw);
    world_calibration_clear(&cw->calibration);
    return cw;
}

int testbed_topology(bs_ns3 *s, const world *w, double capacity)
{
    const network_cfg *net = &w->network;
    for (int k = 0; k < net->n_nodes; k++)
        if (bs_ns3_add_node(s) < 0)
            return bs_last_status();
    for (int l = 0; l < net->n_links; l++) {
        double c = capacity > 0 ? capacity : net->links[l].capacity;
        if (bs_ns3_add_link(s, net->links[l].a, net->links[l].b, c, net->links[l].delay_ms / 1000.0,
                            TB_QUEUE) < 0)
            return bs_last_status();
    }
    return bs_ns3_install(s);
}

/* A copy of w whose only event is the case's rule, from the first day, and
 * whose boxes recognise every flow the rule targets. */
static world *case_world(const world *w, int app, int tech, int vpn)
{
    world *cw = testbed_plain_world(w);
    if (!cw)
        return NULL;
    cw->n_events = 0;
    for (int r = 0; r < cw->n_regions; r++)
        for (int k = 0; k < cw->regions[r].n_isps; k++)
            cw->regions[r].isps[k].coverage = 1.0;
    for (int t = 0; t < N_TECHNIQUES; t++) {
        cw->censor.tech[t].collateral = 0.0;
        for (int k = 0; k < N_CLASSES && t == tech; k++)
            cw->censor.tech[t].detect[k] = 1.0;
    }
    for (int v = 0; v < cw->n_vpns; v++)
        cw->vpns[v].detectability = 1.0;
    if (tech < 0)
        return cw;
    event_cfg *ev = &cw->events[0];
    memset(ev, 0, sizeof *ev);
    cw->n_events = 1;
    ev->date = w->scenario.start;
    ev->technique = tech;
    ev->action = tech == TECH_VPN ? ACT_VPN_BLOCK : tech == TECH_THROTTLE ? ACT_THROTTLE : ACT_BLOCK;
    ev->strength = 1.0;
    ev->app_mask = (uint16_t)(1u << app);
    ev->class_mask = (1u << N_CLASSES) - 1;
    ev->region_mask = 0xffffffffu;
    for (int r = 0; r < MAX_REGIONS; r++)
        ev->isp_in_region[r] = 0xff;
    if (tech == TECH_VPN)
        ev->vpn_mask = (uint8_t)(vpn >= 0 ? 1u << vpn : (1u << w->n_vpns) - 1);
    snprintf(ev->note, sizeof ev->note, "testbed case");
    return cw;
}

/* The simulation of one case. */
static int run_case(const world *w, const int *access, int n_access, const int *node_isp,
                    testbed_case *tc, uint64_t *media_packets)
{
    const testbed_cfg *tb = &w->testbed;
    world *cw = case_world(w, tc->app, tc->technique, tc->vpn);
    censor *c = cw ? censor_new(cw) : NULL;
    if (!c) {
        free(cw);
        return bs_last_status() ? bs_last_status() : bs_nomem("a case's world (testbed)");
    }
    day_rules *d = malloc(sizeof *d);
    if (!d) {
        censor_free(c);
        free(cw);
        return bs_nomem("a case's rules (testbed)");
    }
    events_day(cw, 0, d);
    censor_apply(c, d);
    free(d);
    uint64_t seed = rng_seed_of((uint64_t)w->scenario.seed, (uint64_t)w->scenario.run, tc->name);
    testbed_boxes ctx;
    testbed_boxes_init(&ctx, cw, c, seed);

    /* A classifying technique: the boxes are classifiers, and the mix's flows
     * follow the case's calls. */
    int wired = tc->technique >= 0 && testbed_classifying(tc->technique);
    int n_calls = tc->calls[0] + tc->calls[1], n_mix = 0;
    for (int e = 0; wired && e < tb->n_mix; e++)
        n_mix += (int)tb->mix[e].flows;
    tc->mix_flows = n_mix;
    testbed_wirebox wb;
    memset(&wb, 0, sizeof wb);
    classify_flow *flows = calloc((size_t)(n_calls + n_mix) + 1, sizeof *flows);
    uint8_t *caught = calloc((size_t)(n_calls + n_mix) + 1, 1);
    int st = flows && caught ? BS_OK : bs_nomem("%d flows (testbed)", n_calls + n_mix);
    if (wired && st == BS_OK) {
        wire_rule(w, tc->app, tc->technique, tc->vpn, &wb.rule);
        for (int i = 0; i < n_calls; i++)
            flows[i] = app_flow(w, tc->app, i / 2, tc->calls[i % 2]);
        for (int e = 0, i = n_calls; e < tb->n_mix; e++)
            for (int j = 0; j < (int)tb->mix[e].flows; j++)
                flows[i++] = mix_flow(&tb->mix[e], e, j, (int)tb->mix[e].flows);
        for (int v = 0; v < w->n_vpns; v++) {
            wb.tunnel[v].addr = HOSTING | (uint32_t)(v + 1) << 8 | 1u;
            handshake(&wb.tunnel[v], w->vpns[v].handshake, "www.microsoft.com");
        }
        wb.n_flows = n_calls + n_mix;
        wb.flows = flows;
        wb.caught = caught;
    }
    bs_ns3 *s = st == BS_OK ? testbed_sim(w, (uint64_t)w->scenario.run) : NULL;
    if (!s) {
        st = st == BS_OK ? bs_last_status() : st;
        goto done;
    }
    const network_cfg *net = &w->network;
    st = testbed_topology(s, w, 0);
    for (int i = 0; i < n_access && st == BS_OK; i++)
        st = wired ? bs_ns3_add_box(s, access[i], node_isp[access[i]], testbed_wire_verdict, &wb)
                   : bs_ns3_add_box(s, access[i], node_isp[access[i]], testbed_verdict, &ctx);
    const app_cfg *app = &w->apps[tc->app];
    double seconds = tb->call_seconds * 86400.0;
    int payload[2] = {(int)tb->packet_bytes, TB_VIDEO_PACKET};
    double rate[2] = {app->voice_rate, app->video_rate};
    for (int i = 0; i < tc->calls[0] + tc->calls[1] && st == BS_OK; i++) {
        int from = i % n_access, step = 1 + (i / n_access) % (n_access - 1);
        int video = i % 2;
        int relayed = flow_uniform(seed, (uint32_t)i, 5, -1) < app->relay_share;
        bs_ns3_call_cfg cc = {
            .caller = access[from], .callee = access[(from + step) % n_access],
            .relay = relayed ? app->relay_node : -1,
            .exit = tc->vpn >= 0 ? w->vpns[tc->vpn].exit_node : -1,
            .callee_exit = tc->vpn >= 0 ? w->vpns[tc->vpn].exit_node : -1,
            .vpn = tc->vpn >= 0 ? tc->vpn + 1 : 0,
            .overhead = tc->vpn >= 0 ? w->vpns[tc->vpn].overhead : 0.0,
            .app = tc->app, .cls = video ? CLASS_VIDEO : CLASS_VOICE,
            .rate_bps = rate[video], .packet_bytes = payload[video],
            .start_s = START_S + GAP_S * i,
            .duration_s = seconds, .timeout_s = tb->timeout * 86400.0};
        if (bs_ns3_add_call(s, &cc) < 0)
            st = bs_last_status();
    }
    /* The mix: voice-like flows of 1 s between the access nodes, after the calls
     * (flow numbers n_calls on). */
    for (int i = 0; i < n_mix && st == BS_OK; i++) {
        int from = i % n_access, step = 1 + (i / n_access) % (n_access - 1);
        bs_ns3_call_cfg cc = {
            .caller = access[from], .callee = access[(from + step) % n_access], .relay = -1,
            .exit = -1, .callee_exit = -1, .app = -1, .cls = CLASS_VOICE,
            .rate_bps = 64e3, .packet_bytes = (int)tb->packet_bytes,
            .start_s = START_S + GAP_S * (n_calls + i), .duration_s = 1.0,
            .timeout_s = tb->timeout * 86400.0};
        if (bs_ns3_add_call(s, &cc) < 0)
            st = bs_last_status();
    }
    double end = START_S + GAP_S * (n_calls + n_mix) + tb->timeout * 86400.0 + seconds + 1.0;
    if (st == BS_OK)
        st = bs_ns3_run(s, end);
    if (st != BS_OK)
        goto done;
    double ok[2] = {0}, usable[2] = {0}, tx[2] = {0}, rx[2] = {0}, delay[2] = {0};
    double goodput[2] = {0}, rx_bytes[2] = {0};
    for (int i = 0; i < n_calls; i++) {
        bs_ns3_call_stats cs;
        bs_ns3_get_call(s, i, &cs);
        int k = i % 2;
        *media_packets += cs.tx[0] + cs.tx[1];
        if (!cs.setup_ok)
            continue;
        ok[k]++;
        double sent = (double)(cs.tx[0] + cs.tx[1]), got = (double)(cs.rx[0] + cs.rx[1]);
        usable[k] += testbed_call_usable(w, &cs);
        tx[k] += sent;
        rx[k] += got;
        for (int dir = 0; dir < 2; dir++) {
            delay[k] += cs.delay_sum[dir];
            rx_bytes[k] += (double)cs.rx_bytes[dir];
            goodput[k] += cs.media_s[dir] > 0 ? (double)cs.rx_bytes[dir] * 8.0 / cs.media_s[dir] : 0.0;
        }
    }
    double caught_k[2] = {0}, mix_failed = 0;
    for (int i = 0; i < n_calls; i++)
        caught_k[i % 2] += caught[i];
    for (int i = 0; i < n_mix; i++) {
        bs_ns3_call_stats cs;
        bs_ns3_get_call(s, n_calls + i, &cs);
        mix_failed += !cs.setup_ok;
    }
    tc->collateral = wired && n_mix > 0 ? mix_failed / n_mix : -1.0;
    for (int k = 0; k < TB_CLASSES; k++) {
        int n = tc->calls[k];
        tc->detect[k] = wired && n ? caught_k[k] / n : -1.0;
        tc->setup_success[k] = n ? ok[k] / n : 0.0;
        tc->usable[k] = n ? usable[k] / n : 0.0;
        tc->media_loss[k] = tx[k] > 0 ? 1.0 - rx[k] / tx[k] : 0.0;
        tc->delay[k] = rx[k] > 0 ? delay[k] / rx[k] : 0.0;
        tc->goodput[k] = ok[k] > 0 ? goodput[k] / (2 * ok[k]) : 0.0;
        tc->goodput_share[k] = tx[k] > 0 ? rx_bytes[k] / (tx[k] * payload[k]) : 0.0;
        tc->call_rate[k] = rate[k];
    }
    for (int b = 0; b < w->n_all_isps; b++) {
        bs_ns3_box_stats bx;
        if (bs_ns3_get_box(s, b, &bx) == BS_OK) {
            tc->box_passed += bx.passed;
            tc->box_dropped += bx.dropped;
            tc->box_policed += bx.policed;
        }
    }
    for (int l = 0; l < 2 * net->n_links; l++)
        tc->link_load[l] = (double)bs_ns3_link_bytes(s, l) * 8.0 / end;
done:
    bs_ns3_free(s);
    free(flows);
    free(caught);
    censor_free(c);
    free(cw);
    return st;
}

void testbed_out_free(testbed_out *out)
{
    for (int k = 0; out->cases && k < out->n_cases; k++)
        free(out->cases[k].link_load);
    free(out->cases);
    memset(out, 0, sizeof *out);
}

int testbed_run(const world *w, testbed_out *out) { return testbed_run_steps(w, out, NULL, NULL); }

int testbed_run_steps(const world *w, testbed_out *out, void (*step)(int, int, void *), void *arg)
{
    memset(out, 0, sizeof *out);
    const network_cfg *net = &w->network;
    if (net->n_nodes == 0)
        return bs_fail(BS_EINPUT, "network: the testbed needs a network (network.nodes is empty)");
    int access[MAX_NODES], n_access = 0, node_isp[MAX_NODES];
    for (int k = 0; k < net->n_nodes; k++) {
        node_isp[k] = net->nodes[k].isp_index;
        if (node_isp[k] >= 0)
            access[n_access++] = k;
    }
    if (n_access < 2)
        return bs_fail(BS_EINPUT, "network: the testbed needs two access nodes to call between");
    const testbed_cfg *tb = &w->testbed;
    int n = 0;
    for (int a = 0; a < w->n_apps; a++)
        for (int t = -1; t < N_TECHNIQUES; t++)
            for (int v = -1; v < w->n_vpns; v++)
                n += (tb->app_mask >> a & 1u) && (t < 0 || tb->tech_mask >> t & 1u) &&
                     (v < 0 || tb->vpn_mask >> v & 1u);
    out->cases = calloc((size_t)n, sizeof *out->cases);
    if (!out->cases)
        return bs_nomem("%d cases (testbed)", n);
    out->n_links = 2 * net->n_links;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (step)
        step(0, n, arg);
    for (int a = 0; a < w->n_apps; a++)
        for (int t = -1; t < N_TECHNIQUES; t++)
            for (int v = -1; v < w->n_vpns; v++) {
                if (!(tb->app_mask >> a & 1u) || (t >= 0 && !(tb->tech_mask >> t & 1u)) ||
                    (v >= 0 && !(tb->vpn_mask >> v & 1u)))
                    continue;
                testbed_case *tc = &out->cases[out->n_cases++];
                snprintf(tc->name, sizeof tc->name, "%s/%s/%s", w->apps[a].name,
                         t < 0 ? "none" : world_technique_names[t], v < 0 ? "none" : w->vpns[v].name);
                tc->app = a;
                tc->technique = t;
                tc->vpn = v;
                tc->calls[0] = (int)(tb->calls + 1) / 2; /* voice: the even calls */
                tc->calls[1] = (int)tb->calls / 2;
                tc->link_load = calloc((size_t)out->n_links, sizeof(double));
                if (!tc->link_load) {
                    testbed_out_free(out);
                    return bs_nomem("the link loads of a case (testbed)");
                }
                int st = run_case(w, access, n_access, node_isp, tc, &out->media_packets);
                if (st != BS_OK) {
                    testbed_out_free(out);
                    return st;
                }
                LOG("testbed", LOG_INFO,
                    "%s: voice set-up %.2f, usable %.2f, loss %.3f; video set-up %.2f, "
                    "usable %.2f, loss %.3f", tc->name, tc->setup_success[0], tc->usable[0],
                    tc->media_loss[0], tc->setup_success[1], tc->usable[1], tc->media_loss[1]);
                if (step)
                    step(out->n_cases, n, arg);
            }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->wall_seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    return BS_OK;
}
