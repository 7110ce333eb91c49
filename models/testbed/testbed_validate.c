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

/* The flow engine's prediction: both directions of every call as aggregates
 * on their routes, max-min fair on links of `capacity` (0: as configured). */
static int predict(const world *w, const int *from, const int *to, int n, double capacity,
                   double *load)
{
    network *net = network_new(w);
    flow_solver *fs = net ? flow_solver_new() : NULL;
    int dl = 2 * w->network.n_links, nf = 2 * n;
    double *cap = malloc(sizeof(double) * (size_t)dl), *dem = malloc(sizeof(double) * (size_t)nf);
    double *rate = malloc(sizeof(double) * (size_t)nf);
    uint32_t *off = malloc(sizeof(uint32_t) * (size_t)(nf + 1));
    uint32_t *links = malloc(sizeof(uint32_t) * (size_t)nf * MAX_NODES);
    int st = net && fs ? BS_OK : bs_last_status();
    if (st == BS_OK && (!cap || !dem || !rate || !off || !links))
        st = bs_fail(BS_ENOMEM, "testbed: out of memory");
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
            dem[f] = VAL_RATE * (VAL_PACKET + VAL_HEADERS) / VAL_PACKET;
        }
    }
    if (st == BS_OK) {
        flow_problem p = {(uint32_t)dl, cap, (uint32_t)nf, dem, off, links, NULL}; /* a call each */
        st = flow_solve(fs, &p, rate, load, NULL);
    }
    free(cap);
    free(dem);
    free(rate);
    free(off);
    free(links);
    flow_solver_free(fs);
    network_free(net);
    return st;
}

/* ns-3's measurement of the same calls: bit/s on each directed link over
 * the media time. */
static int measure(const world *w, const int *from, const int *to, int n, double capacity,
                   double seconds, double *load)
{
    bs_ns3 *s = testbed_sim(w, (uint64_t)w->scenario.run);
    if (!s)
        return bs_last_status();
    int st = testbed_topology(s, w, capacity);
    double gap = VAL_PACKET * 8.0 / VAL_RATE;
    for (int i = 0; i < n && st == BS_OK; i++) {
        bs_ns3_call_cfg c = {.caller = from[i], .callee = to[i], .relay = -1, .exit = -1,
                             .callee_exit = -1, .app = 0, .cls = CLASS_VIDEO, .rate_bps = VAL_RATE,
                             .packet_bytes = VAL_PACKET,
                             /* spread over one packet gap: no two calls in phase */
                             .start_s = VAL_START + gap * i / n, .duration_s = seconds,
                             .timeout_s = 1.0};
        if (bs_ns3_add_call(s, &c) < 0)
            st = bs_last_status();
    }
    /* Measure in the steady state: from a quarter of the calls' time (every
     * call started, full queues filled) to their end. */
    double t1 = VAL_START + gap + seconds / 4, t2 = VAL_START + seconds;
    int dl = 2 * w->network.n_links;
    if (st == BS_OK)
        st = bs_ns3_run(s, t1);
    for (int l = 0; st == BS_OK && l < dl; l++)
        load[l] = -(double)bs_ns3_link_bytes(s, l);
    if (st == BS_OK)
        st = bs_ns3_run(s, t2);
    for (int l = 0; st == BS_OK && l < dl; l++)
        load[l] = (load[l] + (double)bs_ns3_link_bytes(s, l)) * 8.0 / (t2 - t1);
    bs_ns3_free(s);
    return st;
}

int testbed_validate(const world *w, testbed_validation *out)
{
    memset(out, 0, sizeof *out);
    int dl = 2 * w->network.n_links;
    int *from = malloc(sizeof(int) * MAX_NODES * MAX_NODES / 4);
    int *to = malloc(sizeof(int) * MAX_NODES * MAX_NODES / 4);
    out->measured = calloc((size_t)dl * VAL_RUNS, sizeof(double));
    out->predicted = calloc((size_t)dl * VAL_RUNS, sizeof(double));
    int st = from && to && out->measured && out->predicted ? BS_OK
                                                          : bs_fail(BS_ENOMEM, "testbed: out of memory");
    int n = st == BS_OK ? pairs(w, from, to) : 0;
    if (st == BS_OK && (n < 1 || n > 2000))
        st = bs_fail(BS_EINPUT, "network: validation needs 2 to 45 access nodes, not %d calls' worth", n);
    out->n_links = dl;
    out->seconds = w->testbed.call_seconds * 86400.0;
    double wire = VAL_RATE * (VAL_PACKET + VAL_HEADERS) / VAL_PACKET;
    for (int r = 0; r < VAL_RUNS && st == BS_OK; r++) {
        double cap = r == 0 ? 0.0 : VAL_TIGHT * wire;
        double *m = out->measured + (size_t)r * dl, *p = out->predicted + (size_t)r * dl;
        st = predict(w, from, to, n, cap, p);
        if (st == BS_OK)
            st = measure(w, from, to, n, cap, out->seconds, m);
        for (int l = 0; st == BS_OK && l < dl; l++)
            if (p[l] > 0 && fabs(m[l] - p[l]) / p[l] > out->max_error[r])
                out->max_error[r] = fabs(m[l] - p[l]) / p[l];
    }
    free(from);
    free(to);
    if (st != BS_OK)
        testbed_validation_free(out);
    return st;
}
