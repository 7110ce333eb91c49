/* world: the names of the enums and the look-ups every engine uses. */
#include "world/world.h"


#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *const world_platform_names[N_PLATFORMS] = {"ios", "android"};
const char *const world_isp_kind_names[N_ISP_KINDS] = {"mobile", "fixed"};
const char *const world_location_names[N_LOCATIONS] = {"foreign", "domestic"};
const char *const world_class_names[N_CLASSES] = {"voice", "video", "messaging"};
const char *const world_technique_names[N_TECHNIQUES] = {"ip",       "sni", "stun",
                                                   "throttle", "vpn", "shutdown"};
const char *const world_action_names[N_ACTIONS] = {"block",   "throttle",          "unblock",
                                             "vpn_block", "vpn_store_removal", "preinstall",
                                             "shutdown", "rotate", "shock"};
const char *const world_graph_kind_names[N_GRAPH_KINDS] = {"negbin", "complete", "none"};
const char *const world_output_names[N_OUTPUT_LEVELS] = {"full", "daily", "summary"};
const char *const world_node_kind_names[N_NODE_KINDS] = {"access",     "metro",       "core",
                                                   "ixp",        "border",      "foreign_dc",
                                                   "domestic_dc", "vpn_exit"};
const char *const world_failure_mode_names[N_FAILURE_MODES] = {"open", "closed"};
const char *const world_wire_names[N_WIRE_KINDS] = {"tls", "rtc", "wireguard", "openvpn", "udp"};
const char *const world_link_class_names[N_LINK_CLASSES] = {"access", "metro",  "core",
                                                      "peering", "border", "foreign"};

int world_app(const world *w, const char *name)
{
    for (int a = 0; a < w->n_apps; a++)
        if (strcmp(w->apps[a].name, name) == 0)
            return a;
    return -1;
}

int world_region(const world *w, const char *name)
{
    for (int r = 0; r < w->n_regions; r++)
        if (strcmp(w->regions[r].name, name) == 0)
            return r;
    return -1;
}

int world_vpn(const world *w, const char *name)
{
    for (int v = 0; v < w->n_vpns; v++)
        if (strcmp(w->vpns[v].name, name) == 0)
            return v;
    return -1;
}

int world_node(const world *w, const char *name)
{
    for (int k = 0; k < w->network.n_nodes; k++)
        if (strcmp(w->network.nodes[k].name, name) == 0)
            return k;
    return -1;
}

int world_app_averse(const world *w, int app)
{
    return w->apps[app].servers == LOC_DOMESTIC && !w->apps[app].e2e;
}

void world_link_name(const world *w, int dl, char *buf, size_t n)
{
    const link_cfg *ln = &w->network.links[dl / 2];
    snprintf(buf, n, "%s->%s", dl % 2 ? ln->to : ln->from, dl % 2 ? ln->from : ln->to);
}

int world_name_index(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}


void world_calibration_clear(calibration_cfg *cal)
{
    for (int a = 0; a < MAX_APPS; a++)
        for (int k = 0; k < N_CLASSES; k++) {
            cal->goodput[a][k] = -1.0;
            for (int t = 0; t < N_TECHNIQUES; t++)
                cal->fail[a][k][t] = cal->detect[a][k][t] = cal->collateral[a][t] = -1.0;
        }
    for (int v = 0; v < MAX_VPNS; v++)
        for (int k = 0; k < N_CLASSES; k++)
            cal->vpn_detect[v][k] = -1.0;
}

void world_date_str(int32_t days, char out[11])
{
    time_t t = (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}
