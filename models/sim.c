#include "sim.h"

#include "censor.h"
#include "events.h"
#include "log.h"
#include "population.h"
#include "status.h"

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
    if (out->installed && out->primary && out->vpn && out->attempted && out->completed &&
        out->failed && out->abandoned && out->initial_primary)
        return BS_OK;
    sim_out_free(out);
    return bs_fail(BS_ENOMEM, "sim: out of memory for %d days of results", w->n_days);
}

/* Where day d's counts go in *out. */
static pop_day day_view(const world *w, sim_out *out, int d)
{
    size_t ra = (size_t)w->n_regions * w->n_apps;
    return (pop_day){
        .installed = out->installed + d * ra,
        .primary = out->primary + d * ra,
        .vpn = out->vpn + (size_t)d * w->n_regions * w->n_vpns,
        .attempted = out->attempted + (size_t)d * w->n_apps,
        .completed = out->completed + (size_t)d * w->n_apps,
        .failed = out->failed + (size_t)d * w->n_apps,
    };
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
    censor *cen = pop ? censor_new(w) : NULL;
    day_rules *today = malloc(sizeof *today), *prev = calloc(1, sizeof *prev);
    double *scratch = malloc(sizeof(double) * ((size_t)w->n_regions * (w->n_apps + w->n_vpns) + 1));
    if (!pop || !cen || !today || !prev || !scratch) {
        st = pop && cen ? bs_fail(BS_ENOMEM, "sim: out of memory") : bs_last_status();
        goto done;
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
        pop_day view = day_view(w, out, d);
        if ((st = population_step(pop, cen, prev, &view)) != BS_OK)
            goto done;
        out->abandoned[d] = view.abandoned;
        if (progress)
            progress(d + 1, w->n_days, arg);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
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
done:
    free(scratch);
    free(today);
    free(prev);
    censor_free(cen);
    population_free(pop);
    if (st != BS_OK)
        sim_out_free(out);
    return st;
}
