#include "sim/sim.h"

#include "censor/censor.h"
#include "world/events.h"
#include "base/log.h"
#include "flow/netsim.h"
#include "population/population.h"
#include "base/status.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

void sim_out_free(sim_out *out)
{
    free(out->installed);
    free(out->primary);
    free(out->vpn);
    free(out->attempted);
    free(out->completed);
    free(out->failed);
    free(out->abandoned);
    free(out->initial_primary);
    for (int k = 0; k < SIM_USES; k++)
        free(out->use[k]);
    free(out->day_of);
    double **net[] = {&out->link_offered, &out->link_carried, &out->app_carried,
                      &out->vpn_carried, &out->border_app, &out->border_vpn, &out->border_total,
                      &out->hairpin, &out->inspected, &out->dropped, &out->throttled,
                      &out->collateral, &out->uninspected, &out->overloaded};
    for (size_t k = 0; k < sizeof net / sizeof net[0]; k++)
        free(*net[k]);
    memset(out, 0, sizeof *out);
}

static int alloc_out(const world *w, sim_out *out)
{
    memset(out, 0, sizeof *out);
    out->n_days = w->n_days;
    out->n_regions = w->n_regions;
    out->n_apps = w->n_apps;
    out->n_vpns = w->n_vpns;
    size_t d = (size_t)w->n_days, ra = (size_t)w->n_regions * w->n_apps;
    out->installed = calloc(d * ra, sizeof(double));
    out->primary = calloc(d * ra, sizeof(double));
    out->vpn = calloc(d * w->n_regions * w->n_vpns + 1, sizeof(double));
    out->attempted = calloc(d * w->n_apps, sizeof(double));
    out->completed = calloc(d * w->n_apps, sizeof(double));
    out->failed = calloc(d * w->n_apps, sizeof(double));
    out->abandoned = calloc(d, sizeof(double));
    out->initial_primary = calloc(ra, sizeof(double));
    int ok = out->installed && out->primary && out->vpn && out->attempted && out->completed &&
             out->failed && out->abandoned && out->initial_primary;
    for (int k = 0; k < SIM_USES; k++)
        ok = ok && (out->use[k] = calloc(d * ra, sizeof(double))) != NULL;
    if (ok && w->network.n_nodes > 0) {
        size_t h = d * 24, l = 2 * (size_t)w->network.n_links, b = (size_t)w->n_all_isps;
        out->has_network = 1;
        out->n_hours = (int)h;
        out->n_links = (int)l;
        out->n_boxes = (int)b;
        out->link_offered = calloc(h * l, sizeof(double));
        out->link_carried = calloc(h * l, sizeof(double));
        out->app_carried = calloc(h * w->n_apps * N_CLASSES, sizeof(double));
        out->vpn_carried = calloc(h, sizeof(double));
        out->border_app = calloc(h * w->n_apps, sizeof(double));
        out->border_vpn = calloc(h, sizeof(double));
        out->border_total = calloc(h, sizeof(double));
        out->hairpin = calloc(h, sizeof(double));
        out->inspected = calloc(h * b, sizeof(double));
        out->dropped = calloc(h * b, sizeof(double));
        out->throttled = calloc(h * b, sizeof(double));
        out->collateral = calloc(h * b, sizeof(double));
        out->uninspected = calloc(h * b, sizeof(double));
        out->overloaded = calloc(h, sizeof(double));
        ok = out->link_offered && out->link_carried && out->app_carried && out->vpn_carried &&
             out->border_app && out->border_vpn && out->border_total && out->hairpin &&
             out->inspected && out->dropped && out->throttled && out->collateral &&
             out->uninspected && out->overloaded;
    }
    if (ok)
        return BS_OK;
    sim_out_free(out);
    return bs_nomem("%d days of results (sim)", w->n_days);
}

sim_memory sim_estimate(const world *w)
{
    sim_memory m = {0};
    /* The arrays of alloc_out, resident once written. */
    double d = w->n_days, ra = (double)w->n_regions * w->n_apps;
    double per_day = (2 + SIM_USES) * ra + (double)w->n_regions * w->n_vpns + 3.0 * w->n_apps + 1;
    m.results = sizeof(double) * (d * per_day + ra + 1);
    pop_memory pm = population_estimate(w);
    m.agents = pm.agents;
    m.contacts = pm.contacts;
    m.population = pm.kept;
    m.build_peak = pm.build_peak;
    m.threads = pm.threads;
    if (w->network.n_nodes > 0) {
        double h = d * 24, l = 2.0 * w->network.n_links, b = w->n_all_isps;
        m.results += sizeof(double) * h * (2 * l + w->n_apps * (N_CLASSES + 1.0) + 5 * b + 5);
        m.population += pm.tally;
        m.flow = netsim_estimate(w, pm.agents);
    }
    double last_day = m.population + m.flow + m.results;
    m.peak = m.build_peak > last_day ? m.build_peak : last_day;
    /* The flow engine's arrays grow by doubling; after the graph's build,
     * glibc serves them from its heap (the build's large frees raise its
     * mmap threshold), where the blocks they outgrow stay in the address
     * space: count it three times over. */
    double flow_space = 3 * m.flow;
    m.reserved = m.results + (m.build_peak > m.population + flow_space ? m.build_peak
                                                                       : m.population + flow_space);
    return m;
}

/* Where day d's counts go in *out. */
static pop_day day_view(const world *w, sim_out *out, int d)
{
    size_t ra = (size_t)w->n_regions * w->n_apps;
    _Static_assert(SIM_USES == POP_USES, "sim_out.use holds the population's use counts");
    pop_day v = {
        .installed = out->installed + d * ra,
        .primary = out->primary + d * ra,
        .vpn = out->vpn + (size_t)d * w->n_regions * w->n_vpns,
        .attempted = out->attempted + (size_t)d * w->n_apps,
        .completed = out->completed + (size_t)d * w->n_apps,
        .failed = out->failed + (size_t)d * w->n_apps,
    };
    for (int k = 0; k < POP_USES; k++)
        v.use[k] = out->use[k] + d * ra;
    return v;
}

/* Where day d's hours go in *out. */
static netsim_hours hours_view(const world *w, sim_out *out, int d)
{
    size_t h = (size_t)d * 24, l = (size_t)out->n_links, b = (size_t)out->n_boxes;
    return (netsim_hours){
        .link_offered = out->link_offered + h * l,
        .link_carried = out->link_carried + h * l,
        .app_carried = out->app_carried + h * w->n_apps * N_CLASSES,
        .vpn_carried = out->vpn_carried + h,
        .border_app = out->border_app + h * w->n_apps,
        .border_vpn = out->border_vpn + h,
        .border_total = out->border_total + h,
        .hairpin = out->hairpin + h,
        .inspected = out->inspected + h * b,
        .dropped = out->dropped + h * b,
        .throttled = out->throttled + h * b,
        .collateral = out->collateral + h * b,
        .uninspected = out->uninspected + h * b,
        .overloaded = out->overloaded + h,
    };
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void scale_all(double *x, size_t n, double s)
{
    for (size_t i = 0; i < n; i++)
        x[i] *= s;
}

int sim_run(const world *w, sim_progress progress, void *arg, sim_out *out)
{
    int st = alloc_out(w, out);
    if (st != BS_OK)
        return st;
    population *pop = population_new(w);
    netsim *ns = NULL;
    double *users = NULL;
    censor *cen = pop ? censor_new(w) : NULL;
    day_rules *today = malloc(sizeof *today), *prev = calloc(1, sizeof *prev);
    double *scratch = malloc(sizeof(double) * ((size_t)w->n_regions * (w->n_apps + w->n_vpns) + 1));
    if (!pop || !cen || !today || !prev || !scratch) {
        st = pop && cen ? bs_nomem("the day's rules and sums (sim)") : bs_last_status();
        goto done;
    }
    if (out->has_network) {
        size_t cells = (size_t)w->n_all_isps * (w->n_apps + 1) * (w->n_vpns + 1);
        if ((st = population_tally_on(pop)) != BS_OK || !(ns = netsim_new(w)) ||
            !(users = malloc(sizeof(double) * cells))) {
            st = st != BS_OK ? st : users || !ns ? bs_last_status()
                                                 : bs_nomem("the users of %zu cells (sim)", cells);
            goto done;
        }
    }
    out->agents = population_agents(pop);
    out->contacts = population_contacts(pop);
    out->bytes = population_bytes(pop);

    /* First choices before the first day, for "before the block" comparisons
     * (population_count fills only the state counts). */
    size_t ra = (size_t)w->n_regions * w->n_apps;
    pop_day before = {.installed = scratch, .primary = out->initial_primary, .vpn = scratch + ra};
    population_count(pop, &before);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    prev->n = -1; /* forces the first rebuild */
    for (int d = 0; d < w->n_days; d++) {
        events_day(w, d, today);
        if (!events_same(today, prev)) {
            censor_apply(cen, today);
            LOG("sim", LOG_DEBUG, "day %d: %d rules in force, VPN availability %.3g: censor rebuilt",
                d, today->n, today->vpn_availability);
        }
        day_rules *t = prev;
        prev = today;
        today = t;
        if (ns && d > 0)
            censor_feedback(cen, netsim_inspected(ns), netsim_loss(ns));
        pop_day view = day_view(w, out, d);
        if ((st = population_step(pop, cen, prev, &view)) != BS_OK)
            goto done;
        if (ns) {
            double n0 = now_seconds();
            population_isp_counts(pop, users);
            netsim_hours hv = hours_view(w, out, d);
            if ((st = netsim_day(ns, cen, population_tally(pop), users, &hv)) != BS_OK)
                goto done;
            out->net_seconds += now_seconds() - n0;
        }
        out->abandoned[d] = view.abandoned;
        if (progress)
            progress(d + 1, w->n_days, arg);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (ns) {
        netsim_stats nst = netsim_get_stats(ns);
        out->hours_solved = nst.hours_solved;
        out->aggregates = nst.aggregates;
        LOG("sim", LOG_INFO, "flow engine: %.2f s, %lld aggregates over the days, %lld of %lld "
            "hours needed the solver", out->net_seconds, (long long)nst.aggregates,
            (long long)nst.hours_solved, (long long)nst.hours);
    }
    LOG("sim", LOG_INFO, "%d days of %u agents in %.2f s (%.3g agent-days/s)", w->n_days,
        out->agents, out->seconds, out->agents * (double)w->n_days / out->seconds);

    double s = w->population.scale;
    size_t days = (size_t)w->n_days;
    scale_all(out->installed, days * ra, s);
    scale_all(out->primary, days * ra, s);
    scale_all(out->vpn, days * w->n_regions * w->n_vpns, s);
    scale_all(out->attempted, days * w->n_apps, s);
    scale_all(out->completed, days * w->n_apps, s);
    scale_all(out->failed, days * w->n_apps, s);
    scale_all(out->abandoned, days, s);
    scale_all(out->initial_primary, ra, s);
    for (int k = 0; k < SIM_USES; k++)
        scale_all(out->use[k], days * ra, s);
done:
    netsim_free(ns);
    free(users);
    free(scratch);
    free(today);
    free(prev);
    censor_free(cen);
    population_free(pop);
    if (st != BS_OK)
        sim_out_free(out);
    return st;
}
