#include "flow/traffic.h"

#include "population/population.h"
#include "base/status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Paths are kept once each, found by their waypoints (five node numbers
 * plus one, 10 bits each, in one key) in an open-addressing table. */
struct traffic {
    const world *w;
    const network *net;
    int access[MAX_ALL_ISPS]; /* access node of each global ISP */
    uint8_t *border;          /* [directed link] 1 for a border link */
    /* paths */
    uint32_t n_paths, cap_paths;
    uint32_t *path_off;  /* [n_paths + 1] */
    uint32_t *path_link; /* [path_off[n_paths]] */
    uint32_t cap_links;
    uint16_t *path_border;
    uint64_t *keys;  /* [slots]: key + 1, 0 empty */
    uint32_t *vals;  /* [slots]: path index */
    uint32_t slots;
    uint32_t *scratch; /* [MAX_NODES] one segment */
    /* aggregates */
    int n_aggs, cap_aggs;
    traffic_agg *aggs;
    censor_box *verdict; /* [isp][app + 1][class][tunnel]: the day's box verdicts */
};

static censor_box verdict_of(const traffic *t, int isp, int app, int cls, int tunnel)
{
    const world *w = t->w;
    size_t x = (((size_t)isp * (w->n_apps + 1) + app + 1) * N_CLASSES + cls) * (w->n_vpns + 1);
    return t->verdict[x + tunnel];
}

traffic *traffic_new(const world *w, const network *net)
{
    traffic *t = calloc(1, sizeof *t);
    int dl = network_directed_links(net);
    if (!t)
        goto nomem;
    t->w = w;
    t->net = net;
    for (int i = 0; i < MAX_ALL_ISPS; i++)
        t->access[i] = -1;
    for (int k = 0; k < w->network.n_nodes; k++)
        if (w->network.nodes[k].isp_index >= 0)
            t->access[w->network.nodes[k].isp_index] = k;
    t->border = calloc((size_t)dl + 1, 1);
    t->verdict = malloc(sizeof(censor_box) * (size_t)w->n_all_isps * (w->n_apps + 1) * N_CLASSES *
                        (w->n_vpns + 1));
    t->path_off = calloc(1, sizeof(uint32_t));
    t->scratch = malloc(sizeof(uint32_t) * MAX_NODES);
    t->slots = 1024;
    t->keys = calloc(t->slots, sizeof(uint64_t));
    t->vals = calloc(t->slots, sizeof(uint32_t));
    if (!t->border || !t->verdict || !t->path_off || !t->scratch || !t->keys || !t->vals)
        goto nomem;
    for (int l = 0; l < w->network.n_links; l++)
        t->border[2 * l] = t->border[2 * l + 1] = w->network.links[l].cls == LINK_BORDER;
    return t;
nomem:
    traffic_free(t);
    bs_nomem("the traffic tables");
    return NULL;
}

void traffic_free(traffic *t)
{
    if (!t)
        return;
    free(t->border);
    free(t->path_off);
    free(t->path_link);
    free(t->path_border);
    free(t->keys);
    free(t->vals);
    free(t->scratch);
    free(t->aggs);
    free(t->verdict);
    free(t);
}

int traffic_count(const traffic *t) { return t->n_aggs; }
const traffic_agg *traffic_aggs(const traffic *t) { return t->aggs; }

const uint32_t *traffic_path(const traffic *t, uint32_t p, int *len, int *n_border)
{
    *len = (int)(t->path_off[p + 1] - t->path_off[p]);
    *n_border = t->path_border[p];
    return t->path_link + t->path_off[p];
}

static uint64_t hash64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static int grow_table(traffic *t)
{
    uint32_t slots = t->slots * 2;
    uint64_t *keys = calloc(slots, sizeof(uint64_t));
    uint32_t *vals = calloc(slots, sizeof(uint32_t));
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return 0;
    }
    for (uint32_t s = 0; s < t->slots; s++) {
        if (!t->keys[s])
            continue;
        uint32_t j = (uint32_t)hash64(t->keys[s] - 1) & (slots - 1);
        while (keys[j])
            j = (j + 1) & (slots - 1);
        keys[j] = t->keys[s];
        vals[j] = t->vals[s];
    }
    free(t->keys);
    free(t->vals);
    t->keys = keys;
    t->vals = vals;
    t->slots = slots;
    return 1;
}

/* Append the route through waypoints wp[0..n) as a new path. */
static int add_path(traffic *t, const int *wp, int n)
{
    if (t->n_paths + 1 >= t->cap_paths) {
        uint32_t cap = t->cap_paths ? 2 * t->cap_paths : 256;
        uint32_t *off = realloc(t->path_off, sizeof(uint32_t) * (cap + 1));
        if (off)
            t->path_off = off;
        uint16_t *nb = realloc(t->path_border, sizeof(uint16_t) * cap);
        if (nb)
            t->path_border = nb;
        if (!off || !nb)
            return bs_nomem("paths (traffic)");
        t->cap_paths = cap;
    }
    uint32_t start = t->path_off[t->n_paths], len = start;
    for (int k = 0; k + 1 < n; k++) {
        int m = network_path(t->net, wp[k], wp[k + 1], t->scratch, MAX_NODES);
        if (m < 0)
            return bs_fail(BS_ERUNTIME, "traffic: no route from node '%s' to '%s'",
                           t->w->network.nodes[wp[k]].name, t->w->network.nodes[wp[k + 1]].name);
        if (len + (uint32_t)m > t->cap_links) {
            uint32_t cap = t->cap_links ? 2 * t->cap_links : 4096;
            while (cap < len + (uint32_t)m)
                cap *= 2;
            uint32_t *pl = realloc(t->path_link, sizeof(uint32_t) * cap);
            if (!pl)
                return bs_nomem("paths (traffic)");
            t->path_link = pl;
            t->cap_links = cap;
        }
        memcpy(t->path_link + len, t->scratch, sizeof(uint32_t) * (size_t)m);
        len += (uint32_t)m;
    }
    uint16_t nb = 0;
    for (uint32_t e = start; e < len; e++)
        nb = (uint16_t)(nb + t->border[t->path_link[e]]);
    t->path_border[t->n_paths] = nb;
    t->path_off[++t->n_paths] = len;
    return BS_OK;
}

/* The path through waypoints a, b, c, d, e (-1: none), made once. */
static int path_of(traffic *t, int a, int b, int c, int d, int e, uint32_t *out)
{
    int in[5] = {a, b, c, d, e}, wp[5], n = 0;
    uint64_t key = 0;
    for (int k = 0; k < 5; k++) {
        key = key << 10 | (uint64_t)(in[k] + 1);
        if (in[k] >= 0 && (n == 0 || wp[n - 1] != in[k]))
            wp[n++] = in[k];
    }
    uint32_t j = (uint32_t)hash64(key) & (t->slots - 1);
    while (t->keys[j]) {
        if (t->keys[j] == key + 1) {
            *out = t->vals[j];
            return BS_OK;
        }
        j = (j + 1) & (t->slots - 1);
    }
    int st = add_path(t, wp, n);
    if (st != BS_OK)
        return st;
    t->keys[j] = key + 1;
    t->vals[j] = *out = t->n_paths - 1;
    if (2 * t->n_paths > t->slots && !grow_table(t))
        return bs_nomem("paths (traffic)");
    return BS_OK;
}

static int push(traffic *t, const traffic_agg *a)
{
    if (t->n_aggs == t->cap_aggs) {
        int cap = t->cap_aggs ? 2 * t->cap_aggs : 4096;
        traffic_agg *x = realloc(t->aggs, sizeof(traffic_agg) * (size_t)cap);
        if (!x)
            return bs_nomem("%d aggregates (traffic)", cap);
        t->aggs = x;
        t->cap_aggs = cap;
    }
    t->aggs[t->n_aggs++] = *a;
    return BS_OK;
}

/* One end of an aggregate: where it is, its box and tunnel. */
typedef struct end {
    int node;   /* access node, or a node abroad / a service */
    int isp;    /* global ISP, -1 for none (no box) */
    int tunnel; /* 0 direct, v + 1 */
} end;

static int exit_of(const world *w, int tunnel)
{
    return tunnel ? w->vpns[tunnel - 1].exit_node : -1;
}

/* Add the aggregates from x to y (rate fwd) and back (rate back), through
 * `relay` (-1 for none), each of `flows` concurrent flows; a zero rate adds
 * nothing. */
static int add_pair(traffic *t, end x, end y, int relay, int app, int cls, double fwd, double back,
                    double flows)
{
    const world *w = t->w;
    int tunnel = x.tunnel || y.tunnel;
    double over = 1.0;
    if (x.tunnel)
        over = 1.0 + w->vpns[x.tunnel - 1].overhead;
    if (y.tunnel && 1.0 + w->vpns[y.tunnel - 1].overhead > over)
        over = 1.0 + w->vpns[y.tunnel - 1].overhead;
    /* A hairpin: tunnelled traffic whose route without the tunnel would stay
     * in the country; all its border load is the tunnel's doing. */
    int home = 0;
    if (tunnel) {
        uint32_t direct;
        int st = path_of(t, x.node, -1, relay, -1, y.node, &direct);
        if (st != BS_OK)
            return st;
        home = t->path_border[direct] == 0;
    }
    for (int dir = 0; dir < 2; dir++) {
        double d = dir ? back : fwd;
        if (d <= 0)
            continue;
        end a = dir ? y : x, b = dir ? x : y;
        traffic_agg g = {.demand = d * over,
                         .weight = flows,
                         .app = (int16_t)app,
                         .cls = (int8_t)cls,
                         .tunnel = (int8_t)tunnel,
                         .hairpin = (int8_t)home,
                         .box = {(int16_t)a.isp, (int16_t)b.isp}};
        int st = path_of(t, a.node, exit_of(w, a.tunnel), relay, exit_of(w, b.tunnel), b.node,
                         &g.path);
        if (st != BS_OK)
            return st;
        if (a.isp >= 0)
            g.v[0] = verdict_of(t, a.isp, app, cls, a.tunnel);
        if (b.isp >= 0)
            g.v[1] = verdict_of(t, b.isp, app, cls, b.tunnel);
        /* Flows policed at the first box arrive at their rate: the second
         * polices only what its own rules allow less of. */
        if (a.isp >= 0 && b.isp >= 0 && g.v[0].policed > 0)
            g.v[1].policed = fmin(1.0, g.v[1].policed / g.v[0].policed);
        if ((st = push(t, &g)) != BS_OK)
            return st;
    }
    return BS_OK;
}

static int day_calls(traffic *t, const censor *c, const uint64_t *tally)
{
    const world *w = t->w;
    int ni = w->n_all_isps, na = w->n_apps, nv = w->n_vpns + 1;
    double scale = w->population.scale;
    size_t cell = 0;
    for (int i = 0; i < ni; i++)
        for (int j = 0; j <= ni; j++)
            for (int a = 0; a < na; a++)
                for (int k = 0; k < 2; k++)
                    for (int tin = 0; tin < nv; tin++)
                        for (int tout = 0; tout < nv; tout++, cell++) {
                            if (!tally[cell])
                                continue;
                            const app_cfg *app = &w->apps[a];
                            int cls = k ? CLASS_VIDEO : CLASS_VOICE;
                            double rate = k ? app->video_rate : app->voice_rate;
                            double vol = (double)tally[cell] * scale * app->call_minutes * 60.0 *
                                         rate / 86400.0;
                            /* concurrent calls: calls per hour x minutes / 60 */
                            double calls =
                                (double)tally[cell] * scale / 24.0 * app->call_minutes / 60.0;
                            end x = {t->access[i], i, tin};
                            end y = {j < ni ? t->access[j] : w->network.abroad_node,
                                     j < ni ? j : -1, j < ni ? tout : 0};
                            int blocked = (!tin && censor_p2p_blocked(c, i, a)) ||
                                          (j < ni && !tout && censor_p2p_blocked(c, j, a));
                            double relayed = blocked ? 1.0 : app->relay_share;
                            int st = add_pair(t, x, y, -1, a, cls, vol * (1 - relayed),
                                              vol * (1 - relayed), calls * (1 - relayed));
                            if (st == BS_OK)
                                st = add_pair(t, x, y, app->relay_node, a, cls, vol * relayed,
                                              vol * relayed, calls * relayed);
                            if (st != BS_OK)
                                return st;
                        }
    return BS_OK;
}

/* Messaging and background of the people of each ISP, by VPN state. */
static int day_users(traffic *t, const double *users)
{
    const world *w = t->w;
    const network_cfg *net = &w->network;
    int na = w->n_apps, nv = w->n_vpns + 1;
    double scale = w->population.scale, on = w->population.vpn_on;
    for (int i = 0; i < w->n_all_isps; i++)
        for (int v = 0; v < nv; v++)
            for (int tun = 0; tun < 2; tun++) {
                if (tun && !v)
                    continue;
                double share = !v ? 1.0 : tun ? on : 1.0 - on;
                end x = {t->access[i], i, tun ? v : 0};
                const double *row = users + (size_t)i * (na + 1) * nv;
                double people = row[v] * scale * share;
                int st = BS_OK;
                if (tun && !w->vpns[v - 1].full_tunnel) /* split: only the apps' traffic */
                    people = 0;
                else if (!tun && v && !w->vpns[v - 1].full_tunnel)
                    people = row[v] * scale;
                if (people > 0) {
                    end far = {net->abroad_node, -1, 0}, home = {net->domestic_node, -1, 0};
                    double fx = net->background_foreign;
                    st = add_pair(t, x, far, -1, -1, CLASS_MESSAGING,
                                  people * fx * net->background_up,
                                  people * fx * net->background_down, people * fx);
                    if (st == BS_OK)
                        st = add_pair(t, x, home, -1, -1, CLASS_MESSAGING,
                                      people * (1 - fx) * net->background_up,
                                      people * (1 - fx) * net->background_down, people * (1 - fx));
                }
                for (int a = 0; a < na && st == BS_OK; a++) {
                    double m = row[(1 + a) * nv + v] * scale * share;
                    double half = m * w->apps[a].messaging_bytes * 8.0 / 86400.0 / 2.0;
                    if (half <= 0)
                        continue;
                    end srv = {w->apps[a].relay_node, -1, 0};
                    st = add_pair(t, x, srv, -1, a, CLASS_MESSAGING, half, half, m);
                }
                if (st != BS_OK)
                    return st;
            }
    return BS_OK;
}

int traffic_day(traffic *t, const censor *c, const uint64_t *tally, const double *users)
{
    const world *w = t->w;
    censor_box *v = t->verdict;
    for (int i = 0; i < w->n_all_isps; i++)
        for (int a = -1; a < w->n_apps; a++)
            for (int k = 0; k < N_CLASSES; k++)
                for (int tun = 0; tun <= w->n_vpns; tun++)
                    *v++ = censor_box_verdict(c, i, a, k, tun);
    t->n_aggs = 0;
    int st = day_calls(t, c, tally);
    if (st == BS_OK)
        st = day_users(t, users);
    return st;
}
