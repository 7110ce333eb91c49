#include "io/output_network.h"

#include "base/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int output_link_dim(results *r, const world *w)
{
    const network_cfg *net = &w->network;
    int n = 2 * net->n_links;
    char(*names)[2 * W_NAME + 4] = malloc(sizeof *names * (size_t)n);
    const char **labels = malloc(sizeof *labels * (size_t)n);
    size_t cl = (size_t)n * 10 + 1;
    char *classes = malloc(cl);
    if (!names || !labels || !classes) {
        free(names);
        free(labels);
        free(classes);
        return bs_nomem("the names of %d links (output)", n);
    }
    classes[0] = 0;
    for (int k = 0; k < n; k++) {
        world_link_name(w, k, names[k], sizeof names[k]);
        labels[k] = names[k];
        strcat(classes, world_link_class_names[net->links[k / 2].cls]);
        if (k + 1 < n)
            strcat(classes, ",");
    }
    int st = results_dim_names(r, "link", n, labels,
                               "Directed links, from->to: each configured link twice");
    if (st == BS_OK)
        st = results_attr_str(r, "/link", "classes", classes);
    free(names);
    free(labels);
    free(classes);
    return st;
}

static int write_dims(results *r, const world *w, const sim_out *s)
{
    char epoch[11];
    world_date_str(w->scenario.start, epoch);
    BS_TRY(results_dim_time(r, "hour", s->n_hours, NULL, "hours", epoch,
                            "Hour (hours since 00:00 of the scenario's first day)"));
    BS_TRY(output_link_dim(r, w));
    const char *isps[MAX_ALL_ISPS];
    char isp_names[MAX_ALL_ISPS][2 * W_NAME + 1];
    for (int g = 0; g < w->n_regions; g++)
        for (int k = 0; k < w->regions[g].n_isps; k++) {
            int i = w->isp_first[g] + k;
            snprintf(isp_names[i], sizeof isp_names[i], "%s/%s", w->regions[g].name,
                     w->regions[g].isps[k].name);
            isps[i] = isp_names[i];
        }
    return results_dim_names(r, "mbox", w->n_all_isps, isps,
                             "Censor boxes: one per ISP aggregation point, as region/isp");
}

static int write_series(results *r, const world *w, const sim_out *s)
{
    const char *hl[] = {"hour", "link"}, *hac[] = {"hour", "app", "class"}, *ha[] = {"hour", "app"},
               *h[] = {"hour"}, *hm[] = {"hour", "mbox"}, *l[] = {"link"};
    double *cap = malloc(sizeof(double) * (size_t)s->n_links);
    if (!cap)
        return bs_nomem("the capacities of %d links (output)", s->n_links);
    for (int k = 0; k < s->n_links; k++)
        cap[k] = w->network.links[k / 2].capacity;
    int st = results_write(r, "/network/link_capacity", 1, l, cap, "bit/s",
                           "Capacity of each directed link");
    free(cap);
    BS_TRY(st);
    BS_TRY(results_write(r, "/network/link_offered", 2, hl, s->link_offered, "bit/s",
                         "Traffic offered to each directed link: what passed the censor boxes"));
    BS_TRY(results_write(r, "/network/link_carried", 2, hl, s->link_carried, "bit/s",
                         "Traffic carried by each directed link (max-min fair share when full)"));
    BS_TRY(
        results_write(r, "/network/app_carried", 3, hac, s->app_carried, "bit/s",
                      "Traffic of each app and class delivered end to end (direct or tunnelled)"));
    BS_TRY(results_write(r, "/network/vpn_carried", 1, h, s->vpn_carried, "bit/s",
                         "Traffic delivered through VPN tunnels (calls, messaging, background)"));
    BS_TRY(
        results_write(r, "/network/border_app", 2, ha, s->border_app, "bit/s",
                      "Each app's traffic on border links (summed over them, tunnelled or not)"));
    BS_TRY(results_write(r, "/network/border_vpn", 1, h, s->border_vpn, "bit/s",
                         "Tunnelled traffic on border links"));
    BS_TRY(results_write(r, "/network/border_total", 1, h, s->border_total, "bit/s",
                         "All traffic on border links"));
    BS_TRY(results_write(r, "/network/hairpin", 1, h, s->hairpin, "bit/s",
                         "Border traffic of tunnels whose route without the tunnel stays in the "
                         "country: the extra border load from hairpinning"));
    BS_TRY(results_write(r, "/censor/inspected", 2, hm, s->inspected, "bit/s",
                         "Traffic each box inspected (up to its capacity, both directions)"));
    BS_TRY(results_write(r, "/censor/dropped", 2, hm, s->dropped, "bit/s",
                         "Traffic each box dropped: blocked, collateral, and overload when it "
                         "fails closed (for calls: the demand of the calls it stopped)"));
    BS_TRY(results_write(r, "/censor/throttled", 2, hm, s->throttled, "bit/s",
                         "Traffic each box's policers dropped"));
    BS_TRY(results_write(r, "/censor/collateral", 2, hm, s->collateral, "bit/s",
                         "Dropped traffic that was not the target"));
    BS_TRY(results_write(r, "/censor/uninspected", 2, hm, s->uninspected, "bit/s",
                         "Traffic passed without inspection because the box was over capacity "
                         "(fails open)"));
    BS_TRY(results_write(r, "/censor/overloaded", 1, h, s->overloaded, "boxes",
                         "Boxes over their inspection capacity in either direction"));
    return BS_OK;
}

static double sum(const double *x, size_t n)
{
    double t = 0;
    for (size_t i = 0; i < n; i++)
        t += x[i];
    return t;
}

static int write_summary(results *r, const world *w, const sim_out *s)
{
    size_t H = (size_t)s->n_hours, L = (size_t)s->n_links, B = (size_t)s->n_boxes;
    double peak_util = 0, peak_insp = 0;
    long long overload_hours = 0;
    int peak_link = -1;
    for (size_t h = 0; h < H; h++) {
        for (size_t k = 0; k < L; k++) {
            double u = s->link_carried[h * L + k] / w->network.links[k / 2].capacity;
            if (w->network.links[k / 2].cls == LINK_BORDER && u > peak_util) {
                peak_util = u;
                peak_link = (int)k;
            }
        }
        double insp = sum(s->inspected + h * B, B);
        if (insp > peak_insp)
            peak_insp = insp;
        overload_hours += s->overloaded[h] > 0;
    }
    double border = sum(s->border_total, H), vpn = sum(s->border_vpn, H), hair = sum(s->hairpin, H);
    BS_TRY(results_attr_double(r, "/summary", "peak_border_utilisation", peak_util));
    if (peak_link >= 0) {
        char name[2 * W_NAME + 4];
        world_link_name(w, peak_link, name, sizeof name);
        BS_TRY(results_attr_str(r, "/summary", "peak_border_link", name));
    }
    BS_TRY(results_attr_double(r, "/summary", "border_vpn_share", border > 0 ? vpn / border : 0));
    BS_TRY(
        results_attr_double(r, "/summary", "hairpin_border_share", border > 0 ? hair / border : 0));
    BS_TRY(results_attr_double(r, "/summary", "mean_hairpin_border_load", H ? hair / H : 0));
    BS_TRY(results_attr_double(r, "/summary", "censor_peak_inspected", peak_insp));
    BS_TRY(results_attr_int(r, "/summary", "censor_overload_hours", overload_hours));
    BS_TRY(results_attr_int(r, "/summary", "flow_hours_solved", s->hours_solved));
    return BS_OK;
}

int output_network_summary(results *r, const world *w, const sim_out *s)
{
    return write_summary(r, w, s);
}

int output_network(results *r, const world *w, const sim_out *s)
{
    BS_TRY(write_dims(r, w, s));
    BS_TRY(write_series(r, w, s));
    return write_summary(r, w, s);
}
