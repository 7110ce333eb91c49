/* The flow engine against ns-3 on the same topology and demand (testbed.h). */
#include "testbed/testbed.h"

#include "ns3/bs_ns3.h"
#include "flow/flow.h"
#include "flow/network.h"
#include "base/status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define VAL_PACKET 1200
#define VAL_HEADERS 30 /* UDP 8 + IP 20 + PPP 2 */
#define VAL_START 1.0

void testbed_validation_free(testbed_validation *v)
{
    free(v->measured);
    free(v->predicted);
    free(v->agg_measured);
    free(v->agg_predicted);
    free(v->agg_unweighted);
    free(v->agg_src);
    free(v->agg_dst);
    memset(v, 0, sizeof *v);
}

/* The calls: every ordered pair of access nodes. */
static int pairs(const world *w, int *from, int *to)
{
    int access[MAX_NODES], na = 0, n = 0;
    for (int k = 0; k < w->network.n_nodes; k++)
        if (w->network.nodes[k].isp_index >= 0)
            access[na++] = k;
    for (int i = 0; i < na; i++)
        for (int j = 0; j < na; j++)
            if (i != j) {
                from[n] = access[i];
                to[n++] = access[j];
            }
    return n;
}

/* The calls of pair i: 1 to VAL_CALLS_MAX, in turn (testbed.h). */
static int calls_of(int i) { return 1 + i % VAL_CALLS_MAX; }

/* The flow engine's prediction: both directions of every pair's calls as one
 * aggregate each on their routes, max-min fair on links of `capacity` (0: as
 * configured), weighted by the calls in the aggregate as the flow engine
 * weights them (weighted != 0) or one share per aggregate (weighted == 0). */
static int predict(const world *w, const int *from, const int *to, int n, double capacity,
                   int weighted, double *load, double *agg)
{
    network *net = network_new(w);
    flow_solver *fs = net ? flow_solver_new() : NULL;
    int dl = 2 * w->network.n_links, nf = 2 * n;
    double *cap = malloc(sizeof(double) * (size_t)dl), *dem = malloc(sizeof(double) * (size_t)nf);
    double *rate = malloc(sizeof(double) * (size_t)nf), *wt = malloc(sizeof(double) * (size_t)nf);
    uint32_t *off = malloc(sizeof(uint32_t) * (size_t)(nf + 1));
    uint32_t *links = malloc(sizeof(uint32_t) * (size_t)nf * MAX_NODES);
    int st = net && fs ? BS_OK : bs_last_status();
    if (st == BS_OK && (!cap || !dem || !rate || !wt || !off || !links))
        st = bs_nomem("the validation's prediction (testbed)");
    if (st == BS_OK) {
        for (int l = 0; l < dl; l++)
            cap[l] = capacity > 0 ? capacity : w->network.links[l / 2].capacity;
        off[0] = 0;
        for (int f = 0; f < nf && st == BS_OK; f++) {
            int a = f % 2 ? to[f / 2] : from[f / 2], b = f % 2 ? from[f / 2] : to[f / 2];
            int m = network_path(net, a, b, links + off[f], MAX_NODES);
            if (m < 0)
                st = bs_fail(BS_ERUNTIME, "testbed: no route for validation call %d", f / 2);
            off[f + 1] = off[f] + (uint32_t)(m > 0 ? m : 0);
            wt[f] = calls_of(f / 2);
            dem[f] = wt[f] * VAL_RATE * (VAL_PACKET + VAL_HEADERS) / VAL_PACKET;
        }
    }
    if (st == BS_OK) {
        flow_problem p = {(uint32_t)dl, cap, (uint32_t)nf, dem, off, links, weighted ? wt : NULL};
        st = flow_solve(fs, &p, rate, load, NULL);
    }
    for (int f = 0; st == BS_OK && f < nf; f++)
        agg[f] = rate[f];
    free(cap);
    free(dem);
    free(rate);
    free(wt);
    free(off);
    free(links);
    flow_solver_free(fs);
    network_free(net);
    return st;
}

/* The wire bit/s of the calls' media received in [t1, t2] by each
 * aggregate (pair, direction): agg[2 i + d] += (rx at t2 - rx at t1) ... */
static int add_received(const bs_ns3 *s, int n, double sign, double *agg)
{
    for (int i = 0, k = 0; i < n; i++)
        for (int j = 0; j < calls_of(i); j++, k++) {
            bs_ns3_call_stats cs;
            if (bs_ns3_get_call(s, k, &cs) != BS_OK)
                return bs_last_status();
            for (int d = 0; d < 2; d++)
                agg[2 * i + d] += sign * (double)cs.rx_bytes[d];
        }
    return BS_OK;
}

/* ns-3's measurement of the same calls: bit/s on each directed link and
 * received by each aggregate (at the wire: payload plus headers) over the
 * media time. */
static int measure(const world *w, const int *from, const int *to, int n, double capacity,
                   double seconds, double *load, double *agg)
{
    bs_ns3 *s = testbed_sim(w, (uint64_t)w->scenario.run);
    if (!s)
        return bs_last_status();
    int st = testbed_topology(s, w, capacity);
    double gap = VAL_PACKET * 8.0 / VAL_RATE;
    int total = 0, k = 0;
    for (int i = 0; i < n; i++)
        total += calls_of(i);
    for (int i = 0; i < n && st == BS_OK; i++)
        for (int j = 0; j < calls_of(i) && st == BS_OK; j++, k++) {
            bs_ns3_call_cfg c = {.caller = from[i], .callee = to[i], .relay = -1, .exit = -1,
                                 .callee_exit = -1, .app = 0, .cls = CLASS_VIDEO,
                                 .rate_bps = VAL_RATE, .packet_bytes = VAL_PACKET,
                                 /* spread over one packet gap: no two calls in phase */
                                 .start_s = VAL_START + gap * k / total, .duration_s = seconds,
                                 .timeout_s = 1.0};
            if (bs_ns3_add_call(s, &c) < 0)
                st = bs_last_status();
        }
    /* Measure in the steady state: from a quarter of the calls' time (every
     * call started, full queues filled) to their end. */
    double t1 = VAL_START + gap + seconds / 4, t2 = VAL_START + seconds;
    int dl = 2 * w->network.n_links;
    for (int f = 0; f < 2 * n; f++)
        agg[f] = 0;
    if (st == BS_OK)
        st = bs_ns3_run(s, t1);
    for (int l = 0; st == BS_OK && l < dl; l++)
        load[l] = -(double)bs_ns3_link_bytes(s, l);
    if (st == BS_OK)
        st = add_received(s, n, -1.0, agg);
    if (st == BS_OK)
        st = bs_ns3_run(s, t2);
    for (int l = 0; st == BS_OK && l < dl; l++)
        load[l] = (load[l] + (double)bs_ns3_link_bytes(s, l)) * 8.0 / (t2 - t1);
    if (st == BS_OK)
        st = add_received(s, n, 1.0, agg);
    for (int f = 0; st == BS_OK && f < 2 * n; f++)
        agg[f] *= 8.0 / (t2 - t1) * (VAL_PACKET + VAL_HEADERS) / VAL_PACKET;
    bs_ns3_free(s);
    return st;
}

/* The largest |measured - predicted| / predicted over the links (or
 * aggregates) with a prediction. */
static double max_error(const double *m, const double *p, int dl)
{
    double e = 0;
    for (int l = 0; l < dl; l++)
        if (p[l] > 0 && fabs(m[l] - p[l]) / p[l] > e)
            e = fabs(m[l] - p[l]) / p[l];
    return e;
}

int testbed_validate(const world *w, testbed_validation *out)
{
    memset(out, 0, sizeof *out);
    int dl = 2 * w->network.n_links;
    int *from = malloc(sizeof(int) * MAX_NODES * MAX_NODES / 4);
    int *to = malloc(sizeof(int) * MAX_NODES * MAX_NODES / 4);
    int st = from && to ? BS_OK : bs_nomem("the validation's calls (testbed)");
    int n = st == BS_OK ? pairs(w, from, to) : 0;
    if (st == BS_OK && (n < 1 || n > 2000))
        st = bs_fail(BS_EINPUT, "network: validation needs 2 to 45 access nodes, not %d calls' worth", n);
    int na = 2 * n;
    out->n_links = dl;
    out->n_aggregates = na;
    if (st == BS_OK) {
        out->measured = calloc((size_t)dl * VAL_RUNS, sizeof(double));
        out->predicted = calloc((size_t)dl * VAL_RUNS, sizeof(double));
        out->agg_measured = calloc((size_t)na * VAL_RUNS, sizeof(double));
        out->agg_predicted = calloc((size_t)na * VAL_RUNS, sizeof(double));
        out->agg_unweighted = calloc((size_t)na, sizeof(double));
        if (!out->measured || !out->predicted || !out->agg_measured || !out->agg_predicted ||
            !out->agg_unweighted)
            st = bs_nomem("the validation's results (testbed)");
    }
    out->seconds = w->testbed.call_seconds * 86400.0;
    double wire = VAL_RATE * (VAL_PACKET + VAL_HEADERS) / VAL_PACKET;
    double *scratch = st == BS_OK ? malloc(sizeof(double) * (size_t)dl) : NULL;
    if (st == BS_OK && !scratch)
        st = bs_nomem("the validation's links (testbed)");
    for (int r = 0; r < VAL_RUNS && st == BS_OK; r++) {
        double cap = r == 0 ? 0.0 : VAL_TIGHT * wire;
        double *m = out->measured + (size_t)r * dl, *p = out->predicted + (size_t)r * dl;
        double *am = out->agg_measured + (size_t)r * na, *ap = out->agg_predicted + (size_t)r * na;
        st = predict(w, from, to, n, cap, 1, p, ap);
        if (st == BS_OK)
            st = measure(w, from, to, n, cap, out->seconds, m, am);
        out->max_error[r] = max_error(m, p, dl);
        out->agg_error[r] = max_error(am, ap, na);
    }
    /* The congested measurement against a solver sharing per aggregate (the
     * flow engine before issue 13): what the weights change. */
    if (st == BS_OK)
        st = predict(w, from, to, n, VAL_TIGHT * wire, 0, scratch, out->agg_unweighted);
    if (st == BS_OK)
        out->agg_error_unweighted = max_error(out->agg_measured + na, out->agg_unweighted, na);
    free(scratch);
    out->agg_src = malloc(sizeof(int) * (size_t)(na > 0 ? na : 1));
    out->agg_dst = malloc(sizeof(int) * (size_t)(na > 0 ? na : 1));
    if (st == BS_OK && (!out->agg_src || !out->agg_dst))
        st = bs_nomem("the validation's aggregates (testbed)");
    for (int f = 0; st == BS_OK && f < na; f++) {
        out->agg_src[f] = f % 2 ? to[f / 2] : from[f / 2];
        out->agg_dst[f] = f % 2 ? from[f / 2] : to[f / 2];
    }
    free(from);
    free(to);
    if (st != BS_OK)
        testbed_validation_free(out);
    return st;
}
