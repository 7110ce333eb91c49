#include "io/output.h"

#include "io/output_network.h"

#include "io/results.h"
#include "base/rng.h"
#include "base/status.h"
#include "base/version.h"

#include <gsl/gsl_version.h>
#include <hdf5.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int output_root(results *r, const world *w, const char *config_path)
{
    char created[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    BS_TRY(results_attr_str(r, "/", "format", RESULTS_FORMAT));
    BS_TRY(results_attr_int(r, "/", "format_version", RESULTS_FORMAT_VERSION));
    BS_TRY(results_attr_str(r, "/", "tool_version", BS_VERSION));
    BS_TRY(results_attr_str(r, "/", "git_revision", BS_GIT_REVISION));
    BS_TRY(results_attr_str(r, "/", "created", created));
    BS_TRY(results_attr_str(r, "/", "scenario", w->scenario.name));
    BS_TRY(results_attr_str(r, "/", "config_file", config_path));
    BS_TRY(results_attr_int(r, "/", "seed", w->scenario.seed));
    BS_TRY(results_attr_int(r, "/", "run", w->scenario.run));
    return BS_OK;
}

static int write_provenance(results *r, const sim_out *s)
{
    char buf[256], host[128] = "unknown";
    unsigned maj, min, rel;
    H5get_libversion(&maj, &min, &rel);
    gethostname(host, sizeof host - 1);
    BS_TRY(results_attr_str(r, "/provenance", "compiler", BS_COMPILER));
    BS_TRY(results_attr_str(r, "/provenance", "flags", BS_CFLAGS));
    BS_TRY(results_attr_str(r, "/provenance", "build_type", BS_BUILD_TYPE));
    snprintf(buf, sizeof buf, "%u.%u.%u", maj, min, rel);
    BS_TRY(results_attr_str(r, "/provenance", "hdf5", buf));
    BS_TRY(results_attr_str(r, "/provenance", "gsl", gsl_version));
    snprintf(buf, sizeof buf, "%d.%d.%d", LIBCONFIG_VER_MAJOR, LIBCONFIG_VER_MINOR,
             LIBCONFIG_VER_REVISION);
    BS_TRY(results_attr_str(r, "/provenance", "libconfig", buf));
    BS_TRY(results_attr_str(r, "/provenance", "ns3",
                            "not used in a run (blockshift testbed runs the packet engine)"));
    BS_TRY(results_attr_str(r, "/provenance", "host", host));
    BS_TRY(results_attr_str(r, "/provenance", "rng", rng_generator_name()));
    BS_TRY(results_attr_str(r, "/provenance", "engines",
                            s->has_network ? "population, flow" : "population"));
    BS_TRY(
        results_attr_double(r, "/provenance", "population_seconds", s->seconds - s->net_seconds));
    if (s->has_network)
        BS_TRY(results_attr_double(r, "/provenance", "flow_seconds", s->net_seconds));
    BS_TRY(results_attr_str(r, "/provenance", "congestion_loss",
                            s->has_network
                                ? "from the flow engine: each day's box overload and link "
                                  "congestion change the next day's call success"
                                : "zero: the scenario has no network, so the flow engine is off "
                                  "and calls meet no congestion"));
    return BS_OK;
}

static int write_config(results *r, const run_meta *m)
{
    BS_TRY(results_write_text(r, "/config/text", m->config_text,
                              "The fully resolved configuration: includes expanded, overrides "
                              "applied, every default filled in; blockshift run reads it back"));
    size_t len = 1;
    for (int i = 0; i < m->n_set; i++)
        len += strlen(m->set[i]) + 1;
    char *joined = calloc(len, 1);
    if (!joined)
        return bs_nomem("the list of overrides (output)");
    for (int i = 0; i < m->n_set; i++) {
        strcat(joined, m->set[i]);
        if (i + 1 < m->n_set)
            strcat(joined, "\n");
    }
    int st = results_attr_str(r, "/config", "overrides", joined);
    free(joined);
    return st;
}

int output_app_vpn_dims(results *r, const world *w)
{
    const char *names[MAX_APPS > MAX_VPNS ? MAX_APPS : MAX_VPNS];
    for (int a = 0; a < w->n_apps; a++)
        names[a] = w->apps[a].name;
    BS_TRY(results_dim_names(r, "app", w->n_apps, names, "Apps"));
    for (int a = 0; a < w->n_apps; a++)
        names[a] = w->apps[a].label[0] ? w->apps[a].label : w->apps[a].name;
    BS_TRY(results_write_strings(r, "/app_label", "app", w->n_apps, names,
                                 "Display name of each app (apps.[].label)"));
    for (int v = 0; v < w->n_vpns; v++)
        names[v] = w->vpns[v].name;
    BS_TRY(results_dim_names(r, "vpn", w->n_vpns, names, "VPN protocols"));
    for (int v = 0; v < w->n_vpns; v++)
        names[v] = w->vpns[v].label[0] ? w->vpns[v].label : w->vpns[v].name;
    return results_write_strings(r, "/vpn_label", "vpn", w->n_vpns, names,
                                 "Display name of each VPN protocol (vpns.[].label)");
}

static int write_dims(results *r, const world *w, const sim_out *s)
{
    const char *names[MAX_REGIONS];
    char epoch[11];
    world_date_str(w->scenario.start, epoch);
    BS_TRY(results_dim_time(r, "day", s->n_days, s->day_of, "days", epoch,
                            "Day (days since the scenario's start)"));
    BS_TRY(output_app_vpn_dims(r, w));
    for (int g = 0; g < w->n_regions; g++)
        names[g] = w->regions[g].name;
    BS_TRY(results_dim_names(r, "region", w->n_regions, names, "Regions"));
    BS_TRY(results_dim_names(r, "class", N_CLASSES, world_class_names, "Traffic classes"));
    const char *isps[MAX_ALL_ISPS];
    char isp_names[MAX_ALL_ISPS][2 * W_NAME + 1];
    for (int g = 0; g < w->n_regions; g++)
        for (int k = 0; k < w->regions[g].n_isps; k++) {
            int i = w->isp_first[g] + k;
            snprintf(isp_names[i], sizeof isp_names[i], "%s/%s", w->regions[g].name,
                     w->regions[g].isps[k].name);
            isps[i] = isp_names[i];
        }
    BS_TRY(results_dim_names(r, "isp", w->n_all_isps, isps, "ISPs, as region/isp"));
    return BS_OK;
}

/* The names of a list joined with commas ("" for an empty list). */
static void join_names(const strlist *l, char *out, size_t n)
{
    out[0] = '\0';
    for (int i = 0; i < l->n; i++)
        snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? "," : "", l->v[i]);
}

/* One row of /events as text. */
typedef struct event_row {
    char date[24], apps[W_NAME * MAX_LIST], classes[W_NAME * N_CLASSES];
    char scope[3 * W_NAME * MAX_LIST + 32];
} event_row;

static int write_events(results *r, const world *w)
{
    int n = w->n_events;
    size_t rows = n ? (size_t)n : 1;
    event_row *row = calloc(rows, sizeof *row);
    const char **text = calloc(6 * rows, sizeof *text);
    double *strength = calloc(rows, sizeof *strength);
    int st = BS_OK;
    if (!row || !text || !strength) {
        st = bs_nomem("%d event rows (output)", n);
        goto done;
    }
    for (int e = 0; e < n; e++) {
        const event_cfg *ev = &w->events[e];
        char regions[W_NAME * MAX_LIST], isps[W_NAME * MAX_LIST], vpns[W_NAME * MAX_LIST];
        world_date_str(ev->date, row[e].date);
        if (ev->hour) /* ISO date and time: readers parse the date in front */
            snprintf(row[e].date + 10, sizeof row[e].date - 10, "T%02d:00", (int)ev->hour);
        join_names(&ev->apps, row[e].apps, sizeof row[e].apps);
        join_names(&ev->classes, row[e].classes, sizeof row[e].classes);
        join_names(&ev->regions, regions, sizeof regions);
        join_names(&ev->isps, isps, sizeof isps);
        join_names(&ev->vpns, vpns, sizeof vpns);
        snprintf(row[e].scope, sizeof row[e].scope, "regions=%s;isps=%s%s%s",
                 regions[0] ? regions : "all", isps[0] ? isps : "all", vpns[0] ? ";vpns=" : "",
                 vpns);
        size_t len = strlen(row[e].scope);
        if (ev->action == ACT_SHOCK)
            snprintf(row[e].scope + len, sizeof row[e].scope - len, ";appeal=%g", ev->appeal);
        else if (ev->action == ACT_ROTATE && ev->turnover > 0)
            snprintf(row[e].scope + len, sizeof row[e].scope - len, ";turnover=%g/day",
                     ev->turnover);
        /* Only rules have a technique. */
        int rule = ev->action == ACT_BLOCK || ev->action == ACT_THROTTLE ||
                   ev->action == ACT_VPN_BLOCK || ev->action == ACT_SHUTDOWN;
        const char *cells[6] = {row[e].date,
                                world_action_names[ev->action],
                                row[e].apps,
                                row[e].classes,
                                rule ? world_technique_names[ev->technique] : "",
                                row[e].scope};
        for (int k = 0; k < 6; k++)
            text[k * rows + e] = cells[k];
        strength[e] = ev->strength;
    }
    results_column cols[] = {
        {"date", RCOL_STRING, text, "ISO date, with the hour (THH:00) when not 00:00"},
        {"action", RCOL_STRING, text + rows, ""},
        {"apps", RCOL_STRING, text + 2 * rows, ""},
        {"classes", RCOL_STRING, text + 3 * rows, ""},
        {"technique", RCOL_STRING, text + 4 * rows, ""},
        {"scope", RCOL_STRING, text + 5 * rows, ""},
        {"strength", RCOL_DOUBLE, strength, "share"},
    };
    st = results_write_table(r, "/events", "event", n, 7, cols,
                             "The timeline: what the censor did when (empty apps or classes: all)");
done:
    free(row);
    free(text);
    free(strength);
    return st;
}

static int write_series(results *r, const sim_out *s)
{
    const char *dra[] = {"day", "region", "app"}, *drv[] = {"day", "region", "vpn"},
               *da[] = {"day", "app"}, *d[] = {"day"};
    if (s->installed)
        BS_TRY(results_write(r, "/population/installed", 3, dra, s->installed, "people",
                             "People with the app installed, at the end of each day"));
    BS_TRY(results_write(r, "/population/primary", 3, dra, s->primary, "people",
                         "People whose first choice for calls is the app, at the end of each day"));
    BS_TRY(results_write(r, "/population/vpn_users", 3, drv, s->vpn, "people",
                         "People on each VPN protocol, at the end of each day"));
    static const char *const use_path[SIM_USES] = {
        "/population/messaging",        "/population/daily_users/messages",
        "/population/daily_users/calls", "/population/daily_users/any",
        "/population/monthly_reach/messages", "/population/monthly_reach/calls",
        "/population/monthly_reach/any"};
    static const char *const use_desc[SIM_USES] = {
        "People who use the app for messages, at the end of each day",
        "People active on the app for messages that day (daily users, messages)",
        "People who made or received a call on the app that connected that day (daily users, "
        "calls)",
        "People active on the app that day for messages or calls (daily users, as audience "
        "measurements such as Mediascope's count them)",
        "People active on the app for messages on some day of the calendar month so far "
        "(monthly reach to date: the month's reach on its last day)",
        "People with a call on the app that connected on some day of the calendar month so far",
        "People active on the app for messages or calls on some day of the calendar month so "
        "far (monthly reach, as audience measurements count it, on the month's last day)"};
    for (int k = 0; k < SIM_USES; k++)
        if (s->use[k])
            BS_TRY(results_write(r, use_path[k], 3, dra, s->use[k], "people", use_desc[k]));
    BS_TRY(results_write(r, "/calls/attempted", 2, da, s->attempted, "calls/day",
                         "Call attempts on the app (a call retried on another app counts once per "
                         "app tried)"));
    BS_TRY(results_write(r, "/calls/completed", 2, da, s->completed, "calls/day",
                         "Attempts that connected"));
    BS_TRY(results_write(r, "/calls/failed", 2, da, s->failed, "calls/day",
                         "Attempts that failed (\"User not available\")"));
    BS_TRY(results_write(r, "/calls/abandoned", 1, d, s->abandoned, "calls/day",
                         "Calls given up after every retry failed"));
    return BS_OK;
}

/* National total of a [day][region][x] series on day d, item x. */
static double national(const double *series, const sim_out *s, int n_x, int d, int x)
{
    double t = 0;
    for (int g = 0; g < s->n_regions; g++)
        t += series[((size_t)d * s->n_regions + g) * n_x + x];
    return t;
}

static int write_summary(results *r, const world *w, const sim_out *s)
{
    char name[128], date[11];
    double people = 0;
    for (int g = 0; g < w->n_regions; g++)
        people += w->regions[g].population;
    int last = s->n_days - 1;
    BS_TRY(results_attr_int(r, "/summary", "agents", s->agents));
    BS_TRY(results_attr_double(r, "/summary", "people_per_agent", w->population.scale));
    BS_TRY(results_attr_int(r, "/summary", "contact_entries", (long long)s->contacts));
    for (int a = 0; a < w->n_apps; a++) {
        snprintf(name, sizeof name, "final_installed_share_%s", w->apps[a].name);
        BS_TRY(results_attr_double(r, "/summary", name,
                                   national(s->installed, s, w->n_apps, last, a) / people));
        snprintf(name, sizeof name, "final_primary_share_%s", w->apps[a].name);
        BS_TRY(results_attr_double(r, "/summary", name,
                                   national(s->primary, s, w->n_apps, last, a) / people));
    }
    double vpn = 0;
    for (int v = 0; v < w->n_vpns; v++)
        vpn += national(s->vpn, s, w->n_vpns, last, v);
    BS_TRY(results_attr_double(r, "/summary", "final_vpn_share", vpn / people));
    double peak = -1, total_abandoned = 0;
    int peak_day = 0;
    for (int d = 0; d <= last; d++) {
        double f = 0;
        for (int a = 0; a < w->n_apps; a++)
            f += s->failed[(size_t)d * w->n_apps + a];
        if (f > peak) {
            peak = f;
            peak_day = d;
        }
        total_abandoned += s->abandoned[d];
    }
    BS_TRY(results_attr_double(r, "/summary", "peak_failed_calls_per_day", peak));
    BS_TRY(results_attr_int(r, "/summary", "peak_failed_day", peak_day));
    BS_TRY(results_attr_double(r, "/summary", "abandoned_calls", total_abandoned));
    /* Days until half of an app's callers had moved after each block: the
     * first day on which the people whose first choice is the app fell to half
     * of what they were the day before the block (-1: never in the run). */
    for (int e = 0; e < w->n_events; e++) {
        const event_cfg *ev = &w->events[e];
        if (ev->action != ACT_BLOCK && ev->action != ACT_THROTTLE)
            continue;
        int d0 = ev->date - w->scenario.start;
        world_date_str(ev->date, date);
        for (int a = 0; a < w->n_apps; a++) {
            if (!(ev->app_mask >> a & 1u))
                continue;
            double before = 0;
            for (int g = 0; g < s->n_regions; g++)
                before += d0 > 0 ? s->primary[((size_t)(d0 - 1) * s->n_regions + g) * w->n_apps + a]
                                 : s->initial_primary[g * w->n_apps + a];
            int days = -1;
            for (int d = d0; d <= last && days < 0 && before > 0; d++)
                if (national(s->primary, s, w->n_apps, d, a) <= before / 2)
                    days = d - d0 + 1;
            snprintf(name, sizeof name, "days_to_half_%s_%s", w->apps[a].name, date);
            BS_TRY(results_attr_int(r, "/summary", name, days));
        }
    }
    return BS_OK;
}

int output_begin(results *r, const world *w, const sim_out *s, const run_meta *m)
{
    BS_TRY(output_root(r, w, m->config_path));
    BS_TRY(write_config(r, m));
    BS_TRY(write_dims(r, w, s));
    BS_TRY(write_events(r, w));
    return write_series(r, s);
}

double output_estimate(const world *w)
{
    double chunk = 512 * 1024.0, hdf5 = (1 << 20) + 3 * chunk + (2 << 20);
    return hdf5 + (double)w->n_events * (sizeof(event_row) + 6 * sizeof(char *) + sizeof(double));
}

int output_write(const char *path, const world *w, const sim_out *s, const run_meta *m)
{
    results *r = results_create(path);
    if (!r)
        return bs_last_status() ? bs_last_status() : BS_ERUNTIME;
    int level = w->scenario.output, st;
    if (level == OUTPUT_SUMMARY) { /* the numbers and where they come from, nothing else */
        st = output_root(r, w, m->config_path);
        if (st == BS_OK)
            st = write_config(r, m);
    } else {
        st = output_begin(r, w, s, m);
    }
    if (st == BS_OK)
        st = results_attr_str(r, "/", "output", world_output_names[level]);
    if (st == BS_OK)
        st = write_provenance(r, s);
    if (st == BS_OK)
        st = write_summary(r, w, s);
    if (st == BS_OK && s->has_network)
        st = level == OUTPUT_FULL ? output_network(r, w, s) : output_network_summary(r, w, s);
    if (st != BS_OK) {
        results_abort(r);
        return st;
    }
    return results_commit(r);
}
