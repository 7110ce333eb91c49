/* config_resolve: the cross-field rules of a configuration, and the derived
 * fields of the world they fill (indices, bit masks, day numbers). */
#include "config/config.h"

#include "config/calibration.h"
#include "world/world.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Agents are indexed by uint32_t. */
#define MAX_AGENTS 4000000000.0

/* Names must be unique within one list. */
static void check_unique(check_ctx *c, const char *list, const char *name_of_i,
                         const char *name_of_j, int i, int j)
{
    if (strcmp(name_of_i, name_of_j) == 0)
        config_check_error(c, list, "element %d has the same name '%s' as element %d", j, name_of_j,
                    i);
}

static void resolve_regions(world *w, check_ctx *c)
{
    char path[96];
    double people = 0;
    w->n_all_isps = 0;
    for (int r = 0; r < w->n_regions; r++) {
        region_cfg *reg = &w->regions[r];
        for (int s = 0; s < r; s++)
            check_unique(c, "regions", w->regions[s].name, reg->name, s, r);
        w->isp_first[r] = w->n_all_isps;
        w->n_all_isps += reg->n_isps;
        double share = 0;
        for (int k = 0; k < reg->n_isps; k++) {
            share += reg->isps[k].share;
            for (int s = 0; s < k; s++) {
                snprintf(path, sizeof path, "regions.[%d].isps", r);
                check_unique(c, path, reg->isps[s].name, reg->isps[k].name, s, k);
            }
        }
        if (reg->n_isps > 0 && fabs(share - 1.0) > 1e-6) {
            snprintf(path, sizeof path, "regions.[%d].isps", r);
            config_check_error(c, path, "ISP shares of region '%s' sum to %g, not 1", reg->name, share);
        }
        people += reg->population;
    }
    if (w->population.scale > 0 && people / w->population.scale > MAX_AGENTS)
        config_check_error(c, "population.scale",
                    "%.4g people at %g people per agent is more than %.0f agents", people,
                    w->population.scale, MAX_AGENTS);
}

static void resolve_apps(world *w, check_ctx *c)
{
    char path[96];
    for (int a = 0; a < w->n_apps; a++) {
        app_cfg *app = &w->apps[a];
        for (int s = 0; s < a; s++)
            check_unique(c, "apps", w->apps[s].name, app->name, s, a);
        if (app->msg_daily < 0 && app->msg_daily != -1.0) {
            snprintf(path, sizeof path, "apps.[%d].msg_daily", a);
            config_check_error(c, path, "%g is neither -1 (population.msg_daily) nor in 0..1",
                               app->msg_daily);
        }
        app->platform_mask = 0;
        for (int i = 0; i < app->platforms.n; i++) {
            int p = world_name_index(world_platform_names, N_PLATFORMS, app->platforms.v[i]);
            snprintf(path, sizeof path, "apps.[%d].platforms", a);
            if (p < 0)
                config_check_error(c, path, "unknown platform '%s' (use ios or android)",
                            app->platforms.v[i]);
            else
                app->platform_mask |= (uint8_t)(1u << p);
        }
    }
}

static void resolve_vpns(world *w, check_ctx *c)
{
    double initial = 0;
    for (int v = 0; v < w->n_vpns; v++) {
        for (int s = 0; s < v; s++)
            check_unique(c, "vpns", w->vpns[s].name, w->vpns[v].name, s, v);
        initial += w->vpns[v].initial;
    }
    if (initial > 1.0 + 1e-9)
        config_check_error(c, "vpns", "initial VPN shares sum to %g, more than 1", initial);
}

/* Fill an event's scope masks from its lists of names; each unknown name is an
 * error at the list's path. */
static void resolve_event_scope(world *w, check_ctx *c, int e)
{
    event_cfg *ev = &w->events[e];
    char path[96];
    ev->app_mask = 0;
    for (int i = 0; i < ev->apps.n; i++) {
        int a = world_app(w, ev->apps.v[i]);
        snprintf(path, sizeof path, "events.[%d].apps", e);
        if (a < 0)
            config_check_error(c, path, "unknown app '%s'", ev->apps.v[i]);
        else
            ev->app_mask |= (uint16_t)(1u << a);
    }
    /* No apps: every app, except for a shutdown, whose apps are its whitelist. */
    if (ev->apps.n == 0 && ev->action != ACT_SHUTDOWN)
        ev->app_mask = (uint16_t)((1u << w->n_apps) - 1);
    ev->class_mask = 0;
    for (int i = 0; i < ev->classes.n; i++) {
        int k = world_name_index(world_class_names, N_CLASSES, ev->classes.v[i]);
        snprintf(path, sizeof path, "events.[%d].classes", e);
        if (k < 0)
            config_check_error(c, path, "unknown traffic class '%s' (use voice, video or messaging)",
                        ev->classes.v[i]);
        else
            ev->class_mask |= (uint8_t)(1u << k);
    }
    if (ev->classes.n == 0)
        ev->class_mask = (1u << N_CLASSES) - 1;
    ev->region_mask = 0;
    for (int i = 0; i < ev->regions.n; i++) {
        int r = world_region(w, ev->regions.v[i]);
        snprintf(path, sizeof path, "events.[%d].regions", e);
        if (r < 0)
            config_check_error(c, path, "unknown region '%s'", ev->regions.v[i]);
        else
            ev->region_mask |= 1u << r;
    }
    if (ev->regions.n == 0)
        ev->region_mask = w->n_regions >= 32 ? 0xffffffffu : (1u << w->n_regions) - 1;
    /* ISPs are named without their region: a name selects that ISP in every
     * region in scope (operators span regions). */
    for (int r = 0; r < w->n_regions; r++) {
        ev->isp_in_region[r] = 0;
        for (int k = 0; k < w->regions[r].n_isps; k++) {
            int in = ev->isps.n == 0;
            for (int i = 0; i < ev->isps.n && !in; i++)
                in = strcmp(ev->isps.v[i], w->regions[r].isps[k].name) == 0;
            if (in && (ev->region_mask >> r & 1u))
                ev->isp_in_region[r] |= (uint8_t)(1u << k);
        }
    }
    for (int i = 0; i < ev->isps.n; i++) {
        int found = 0;
        for (int r = 0; r < w->n_regions && !found; r++)
            for (int k = 0; k < w->regions[r].n_isps && !found; k++)
                found = strcmp(ev->isps.v[i], w->regions[r].isps[k].name) == 0;
        snprintf(path, sizeof path, "events.[%d].isps", e);
        if (!found)
            config_check_error(c, path, "unknown ISP '%s'", ev->isps.v[i]);
    }
    ev->vpn_mask = 0;
    for (int i = 0; i < ev->vpns.n; i++) {
        int v = world_vpn(w, ev->vpns.v[i]);
        snprintf(path, sizeof path, "events.[%d].vpns", e);
        if (v < 0)
            config_check_error(c, path, "unknown VPN protocol '%s'", ev->vpns.v[i]);
        else
            ev->vpn_mask |= (uint8_t)(1u << v);
    }
}

/* Rules that depend on the action. */
static void check_event_action(world *w, check_ctx *c, int e)
{
    event_cfg *ev = &w->events[e];
    char path[96];
    snprintf(path, sizeof path, "events.[%d]", e);
    if (ev->action == ACT_BLOCK &&
        (ev->technique == TECH_THROTTLE || ev->technique == TECH_VPN ||
         ev->technique == TECH_SHUTDOWN))
        config_check_error(c, path, "a block cannot use technique '%s' (use action '%s')",
                    world_technique_names[ev->technique],
                    ev->technique == TECH_THROTTLE ? "throttle"
                    : ev->technique == TECH_VPN    ? "vpn_block"
                                                   : "shutdown");
    if ((ev->action == ACT_BLOCK || ev->action == ACT_PREINSTALL || ev->action == ACT_ROTATE ||
         ev->action == ACT_SHOCK) &&
        ev->apps.n == 0)
        config_check_error(c, path, "%s needs a list of apps", world_action_names[ev->action]);
    char field[112];
    snprintf(field, sizeof field, "events.[%d].appeal", e);
    if (ev->action != ACT_SHOCK && ev->appeal != 1.0)
        config_check_error(c, field, "appeal belongs to a shock, not to a %s",
                           world_action_names[ev->action]);
    snprintf(field, sizeof field, "events.[%d].turnover", e);
    if (ev->action != ACT_ROTATE && ev->turnover != 0.0)
        config_check_error(c, field, "turnover belongs to a rotate, not to a %s",
                           world_action_names[ev->action]);
    if (ev->action == ACT_VPN_BLOCK && ev->vpns.n == 0)
        config_check_error(c, path, "vpn_block needs a list of VPN protocols (vpns)");
    if (ev->action == ACT_THROTTLE)
        ev->technique = TECH_THROTTLE;
    else if (ev->action == ACT_VPN_BLOCK)
        ev->technique = TECH_VPN;
    else if (ev->action == ACT_SHUTDOWN)
        ev->technique = TECH_SHUTDOWN;
}

/* The scenario's name names its results folder and files: letters, digits,
 * '.', '_' and '-', not starting with '.'. */
static void check_scenario_name(const char *name, check_ctx *c)
{
    int ok = name[0] != '\0' && name[0] != '.';
    for (const char *p = name; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
             *p == '.' || *p == '_' || *p == '-';
    if (!ok)
        config_check_error(c, "scenario.name",
                    "'%s' cannot name results files: use letters, digits, '.', '_' and '-', "
                    "not starting with '.'",
                    name);
}

/* The first node of a kind, or -1. */
static int first_node(const world *w, int kind)
{
    for (int k = 0; k < w->network.n_nodes; k++)
        if (w->network.nodes[k].kind == kind)
            return k;
    return -1;
}

/* A named node of one of two kinds, or the first of `dflt` when the name is
 * empty; -1 with an error at `path` when there is none. */
static int endpoint_node(world *w, check_ctx *c, const char *path, const char *name, int kind,
                         int kind2, int dflt, const char *what)
{
    if (!name[0]) {
        int k = first_node(w, dflt);
        if (k < 0)
            config_check_error(c, path, "no %s node in network.nodes for %s", world_node_kind_names[dflt], what);
        return k;
    }
    int k = world_node(w, name);
    if (k < 0)
        config_check_error(c, path, "unknown node '%s'", name);
    else if (w->network.nodes[k].kind != kind && w->network.nodes[k].kind != kind2)
        config_check_error(c, path, "node '%s' is a %s, not a %s", name,
                    world_node_kind_names[w->network.nodes[k].kind], world_node_kind_names[kind]);
    return k >= 0 && (w->network.nodes[k].kind == kind || w->network.nodes[k].kind == kind2) ? k
                                                                                           : -1;
}

/* Access nodes name their region and ISP; each ISP of each region has
 * exactly one. */
static void resolve_access(world *w, check_ctx *c)
{
    network_cfg *net = &w->network;
    char path[96];
    int owner[MAX_ALL_ISPS];
    for (int i = 0; i < MAX_ALL_ISPS; i++)
        owner[i] = -1;
    for (int k = 0; k < net->n_nodes; k++) {
        node_cfg *nd = &net->nodes[k];
        nd->isp_index = -1;
        snprintf(path, sizeof path, "network.nodes.[%d]", k);
        for (int j = 0; j < k; j++)
            check_unique(c, "network.nodes", net->nodes[j].name, nd->name, j, k);
        if (nd->kind != NODE_ACCESS) {
            if (nd->isp[0])
                config_check_error(c, path, "only access nodes have an ISP");
            continue;
        }
        int r = world_region(w, nd->region);
        if (r < 0) {
            config_check_error(c, path, "access node '%s': unknown region '%s'", nd->name, nd->region);
            continue;
        }
        for (int i = 0; i < w->regions[r].n_isps; i++)
            if (strcmp(w->regions[r].isps[i].name, nd->isp) == 0)
                nd->isp_index = w->isp_first[r] + i;
        if (nd->isp_index < 0)
            config_check_error(c, path, "access node '%s': region '%s' has no ISP '%s'", nd->name,
                        nd->region, nd->isp);
        else if (owner[nd->isp_index] >= 0)
            config_check_error(c, path, "access node '%s': ISP '%s' of region '%s' already has node '%s'",
                        nd->name, nd->isp, nd->region, net->nodes[owner[nd->isp_index]].name);
        else
            owner[nd->isp_index] = k;
    }
    for (int r = 0; r < w->n_regions; r++)
        for (int i = 0; i < w->regions[r].n_isps; i++)
            if (owner[w->isp_first[r] + i] < 0) {
                snprintf(path, sizeof path, "regions.[%d].isps.[%d]", r, i);
                config_check_error(c, path, "ISP '%s' of region '%s' has no access node in network.nodes",
                            w->regions[r].isps[i].name, w->regions[r].name);
            }
}

/* Links name existing nodes; every node can be reached from the first. */
static void resolve_links(world *w, check_ctx *c)
{
    network_cfg *net = &w->network;
    char path[96];
    int ok = 1;
    for (int l = 0; l < net->n_links; l++) {
        link_cfg *ln = &net->links[l];
        ln->a = world_node(w, ln->from);
        ln->b = world_node(w, ln->to);
        snprintf(path, sizeof path, "network.links.[%d]", l);
        if (ln->a < 0)
            config_check_error(c, path, "link from an unknown node '%s'", ln->from);
        if (ln->b < 0)
            config_check_error(c, path, "link to an unknown node '%s'", ln->to);
        if (ln->a >= 0 && ln->a == ln->b)
            config_check_error(c, path, "link from node '%s' to itself", ln->from);
        ok &= ln->a >= 0 && ln->b >= 0;
    }
    if (!ok || net->n_nodes == 0)
        return;
    /* Breadth-first over the links, both ways. */
    int seen[MAX_NODES] = {0}, queue[MAX_NODES], head = 0, tail = 0;
    seen[0] = 1;
    queue[tail++] = 0;
    while (head < tail) {
        int u = queue[head++];
        for (int l = 0; l < net->n_links; l++) {
            int v = net->links[l].a == u ? net->links[l].b : net->links[l].b == u ? net->links[l].a : -1;
            if (v >= 0 && !seen[v]) {
                seen[v] = 1;
                queue[tail++] = v;
            }
        }
    }
    for (int k = 0; k < net->n_nodes; k++)
        if (!seen[k]) {
            snprintf(path, sizeof path, "network.nodes.[%d]", k);
            config_check_error(c, path, "node '%s' cannot be reached from '%s'", net->nodes[k].name,
                        net->nodes[0].name);
        }
}

/* The network, if there is one: nodes, links, and where each app's servers
 * and each VPN's exit are. */
static void resolve_network(world *w, check_ctx *c)
{
    char path[96];
    network_cfg *net = &w->network;
    if (net->n_nodes == 0) {
        net->abroad_node = net->domestic_node = -1;
        if (net->n_links)
            config_check_error(c, "network.links", "links without nodes (network.nodes is empty)");
        for (int a = 0; a < w->n_apps; a++) {
            w->apps[a].relay_node = -1;
            snprintf(path, sizeof path, "apps.[%d].relay", a);
            if (w->apps[a].relay[0])
                config_check_error(c, path, "a relay node needs network.nodes");
        }
        for (int v = 0; v < w->n_vpns; v++) {
            w->vpns[v].exit_node = -1;
            snprintf(path, sizeof path, "vpns.[%d].exit", v);
            if (w->vpns[v].exit[0])
                config_check_error(c, path, "an exit node needs network.nodes");
        }
        return;
    }
    resolve_access(w, c);
    resolve_links(w, c);
    for (int a = 0; a < w->n_apps; a++) {
        app_cfg *app = &w->apps[a];
        snprintf(path, sizeof path, "apps.[%d].relay", a);
        int dc = app->servers == LOC_FOREIGN ? NODE_FOREIGN_DC : NODE_DOMESTIC_DC;
        app->relay_node = endpoint_node(w, c, path, app->relay, NODE_FOREIGN_DC, NODE_DOMESTIC_DC,
                                        dc, app->name);
    }
    for (int v = 0; v < w->n_vpns; v++) {
        snprintf(path, sizeof path, "vpns.[%d].exit", v);
        w->vpns[v].exit_node = endpoint_node(w, c, path, w->vpns[v].exit, NODE_VPN_EXIT,
                                             NODE_VPN_EXIT, NODE_VPN_EXIT, w->vpns[v].name);
    }
    net->abroad_node = endpoint_node(w, c, "network.abroad", net->abroad, NODE_FOREIGN_DC,
                                     NODE_VPN_EXIT, NODE_FOREIGN_DC, "contacts abroad");
    net->domestic_node = endpoint_node(w, c, "network.domestic", net->domestic, NODE_DOMESTIC_DC,
                                       NODE_DOMESTIC_DC, NODE_DOMESTIC_DC, "domestic services");
}

/* The testbed's lists: names of apps, techniques and protocols. */
static void resolve_testbed(world *w, check_ctx *c)
{
    testbed_cfg *t = &w->testbed;
    char path[96];
    t->app_mask = t->apps.n ? 0 : (uint16_t)((1u << w->n_apps) - 1);
    for (int i = 0; i < t->apps.n; i++) {
        int a = world_app(w, t->apps.v[i]);
        snprintf(path, sizeof path, "testbed.apps.[%d]", i);
        if (a < 0)
            config_check_error(c, path, "unknown app '%s'", t->apps.v[i]);
        else
            t->app_mask |= (uint16_t)(1u << a);
    }
    t->tech_mask = 0;
    for (int i = 0; i < t->techniques.n; i++) {
        int k = world_name_index(world_technique_names, N_TECHNIQUES, t->techniques.v[i]);
        snprintf(path, sizeof path, "testbed.techniques.[%d]", i);
        if (k < 0 || k == TECH_SHUTDOWN)
            config_check_error(c, path, "unknown technique '%s' (use ip, sni, stun, throttle or vpn)",
                        t->techniques.v[i]);
        else
            t->tech_mask |= (uint8_t)(1u << k);
    }
    if (t->phase_seconds < t->call_seconds + t->timeout + 2.0 / 86400)
        config_check_error(c, "testbed.phase_seconds",
                    "a phase (%g s) must hold a call's set-up and media (testbed.timeout + "
                    "testbed.call_seconds = %g s) and 2 s more",
                    t->phase_seconds * 86400, (t->timeout + t->call_seconds) * 86400);
    if (t->replay_users * t->replay_calls > 10000)
        config_check_error(c, "testbed.replay_calls",
                    "%lld people x %lld calls is over the 10,000 calls a simulation can hold",
                    (long long)t->replay_users, (long long)t->replay_calls);
    t->vpn_mask = t->vpns.n ? 0 : (uint8_t)((1u << w->n_vpns) - 1);
    for (int i = 0; i < t->vpns.n; i++) {
        int v = world_vpn(w, t->vpns.v[i]);
        snprintf(path, sizeof path, "testbed.vpns.[%d]", i);
        if (v < 0)
            config_check_error(c, path, "unknown VPN protocol '%s'", t->vpns.v[i]);
        else
            t->vpn_mask |= (uint8_t)(1u << v);
    }
}

void config_resolve(world *w, check_ctx *c)
{
    check_scenario_name(w->scenario.name, c);
    w->n_days = w->scenario.end - w->scenario.start;
    if (w->n_days <= 0)
        config_check_error(c, "scenario.end", "the scenario has no day: its end must come after its start");
    else if (w->n_days > 36600)
        config_check_error(c, "scenario.end", "the scenario is longer than 100 years");
    resolve_regions(w, c);
    resolve_apps(w, c);
    resolve_vpns(w, c);
    resolve_network(w, c);
    resolve_testbed(w, c);
    calibration_resolve(w, c);
    for (int e = 0; e < w->n_events; e++) {
        event_cfg *ev = &w->events[e];
        char path[96];
        snprintf(path, sizeof path, "events.[%d].date", e);
        if (w->n_days > 0 && (ev->date < w->scenario.start || ev->date >= w->scenario.end))
            config_check_error(c, path, "the event's date is outside the scenario");
        else if (e > 0 && ev->date < w->events[e - 1].date)
            config_check_error(c, path, "events must be in date order");
        else if (e > 0 && ev->date == w->events[e - 1].date && ev->hour < w->events[e - 1].hour)
            config_check_error(c, path, "events must be in date order: on one date, by hour");
        resolve_event_scope(w, c, e);
        check_event_action(w, c, e);
    }
}

