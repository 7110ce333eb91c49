#include "flow/network.h"

#include "base/status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct network {
    const world *w;
    int n;          /* nodes */
    int32_t *enter; /* [src][v]: directed link entering v on the route from src; -1 none */
    double *delay;  /* [src][v] */
    int32_t *hops;  /* [src][v] */
};

void network_free(network *n)
{
    if (!n)
        return;
    free(n->enter);
    free(n->delay);
    free(n->hops);
    free(n);
}

int network_directed_links(const network *n) { return 2 * n->w->network.n_links; }

/* Whether reaching v through u (previous node) with (d, h) beats its best
 * so far, with the deterministic tie-breaks of the header. */
static int better(double d, int h, int u, double best_d, int best_h, int best_u)
{
    if (d != best_d)
        return d < best_d;
    if (h != best_h)
        return h < best_h;
    return u < best_u;
}

/* Dijkstra from src over the directed links, O(nodes^2 + links): nodes are
 * few (hundreds), so a scan beats a heap's bookkeeping.  done and prev:
 * scratch of n->n each, the caller's. */
static void from_source(network *n, int src, char *done, int *prev)
{
    const network_cfg *net = &n->w->network;
    int32_t *enter = n->enter + (size_t)src * n->n;
    double *dist = n->delay + (size_t)src * n->n;
    int32_t *hops = n->hops + (size_t)src * n->n;
    memset(done, 0, (size_t)n->n);
    for (int v = 0; v < n->n; v++) {
        enter[v] = -1;
        dist[v] = INFINITY;
        hops[v] = 0;
        prev[v] = -1;
    }
    dist[src] = 0;
    for (int round = 0; round < n->n; round++) {
        int u = -1;
        for (int v = 0; v < n->n; v++)
            if (!done[v] && dist[v] < INFINITY &&
                (u < 0 || better(dist[v], hops[v], v, dist[u], hops[u], u)))
                u = v;
        if (u < 0)
            break;
        done[u] = 1;
        for (int l = 0; l < net->n_links; l++) {
            const link_cfg *ln = &net->links[l];
            int v = ln->a == u ? ln->b : ln->b == u ? ln->a : -1;
            if (v < 0 || done[v])
                continue;
            double d = dist[u] + ln->delay_ms;
            if (dist[v] == INFINITY || better(d, hops[u] + 1, u, dist[v], hops[v], prev[v])) {
                dist[v] = d;
                hops[v] = hops[u] + 1;
                prev[v] = u;
                enter[v] = 2 * l + (ln->a == u ? 0 : 1);
            }
        }
    }
}

network *network_new(const world *w)
{
    if (w->network.n_nodes == 0) {
        bs_fail(BS_EINPUT, "network: the configuration has no network.nodes");
        return NULL;
    }
    network *n = calloc(1, sizeof *n);
    size_t cells = (size_t)w->network.n_nodes * w->network.n_nodes;
    char *done = malloc((size_t)w->network.n_nodes);
    int *prev = malloc(sizeof(int) * (size_t)w->network.n_nodes);
    if (n) {
        n->w = w;
        n->n = w->network.n_nodes;
        n->enter = malloc(sizeof(int32_t) * cells);
        n->delay = malloc(sizeof(double) * cells);
        n->hops = malloc(sizeof(int32_t) * cells);
    }
    if (!n || !n->enter || !n->delay || !n->hops || !done || !prev) {
        network_free(n);
        free(done);
        free(prev);
        bs_nomem("the routes of %d nodes (network)",
                w->network.n_nodes);
        return NULL;
    }
    for (int s = 0; s < n->n; s++)
        from_source(n, s, done, prev);
    free(done);
    free(prev);
    return n;
}

int network_path(const network *n, int u, int v, uint32_t *out, int max)
{
    if (u < 0 || v < 0 || u >= n->n || v >= n->n)
        return -1;
    const int32_t *enter = n->enter + (size_t)u * n->n;
    int len = n->hops[(size_t)u * n->n + v];
    if (v != u && enter[v] < 0)
        return -1;
    if (len > max)
        return -1;
    /* Walk back from v, filling out from its end. */
    for (int k = len - 1, x = v; k >= 0; k--) {
        int32_t d = enter[x];
        out[k] = (uint32_t)d;
        const link_cfg *ln = &n->w->network.links[d / 2];
        x = d % 2 == 0 ? ln->a : ln->b;
    }
    return len;
}

double network_delay(const network *n, int u, int v)
{
    return n->delay[(size_t)u * n->n + v];
}
