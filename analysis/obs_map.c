/* obs_map: observations against a run's datasets (see obs_map.h). */
#define _GNU_SOURCE
#include "analysis/obs_map.h"

#include "base/status.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *const obs_map_names[N_OBS_DATASETS] = {"installed", "primary", "vpn", "vpn_growth",
                                                   "vpn_ratio", "vpn_new_ratio"};
const char *const obs_map_paths[] = {"/population/installed", "/population/primary",
                                     "/population/vpn_users", NULL};

/* The dataset each reduction reads and the dim of its last axis. */
static const char *const ds_path[N_OBS_DATASETS] = {
    "/population/installed", "/population/primary",   "/population/vpn_users",
    "/population/vpn_users", "/population/vpn_users", "/population/vpn_users"};

/* Days of the baseline of vpn_new_ratio, before the first event. */
#define OBS_BASELINE_DAYS 28

int obs_map_default(int measure)
{
    switch (measure) {
    case OBS_DAILY_USERS:
        return OBS_PRIMARY;
    case OBS_MONTHLY_USERS:
    case OBS_AUDIENCE:
        return OBS_INSTALLED;
    case OBS_VPN_DEMAND_RATIO:
        return OBS_VPN_NEW_RATIO;
    case OBS_VPN_INSTALLS:
        return OBS_VPN_GROWTH;
    default:
        return -1;
    }
}

void obs_map_date(long days, char *buf, size_t size)
{
    time_t t = (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, size, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

long obs_map_parse_date(const char *iso)
{
    int y, m, d;
    char tail = '\0';
    /* a day, or a day and an hour ("2025-09-01T14:00", as /events writes
     * an event that starts within a day) */
    if (!iso || sscanf(iso, "%4d-%2d-%2d%c", &y, &m, &d, &tail) < 3 || (tail && tail != 'T'))
        return -1;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    time_t t = timegm(&tm);
    return t == (time_t)-1 ? -1 : (long)(t / 86400);
}

/* The first day an observation's reduction reads: the period's first day,
 * or the day before it for a reduction that compares with before. */
static long first_day(int ds, const observation *o)
{
    long first = (long)o->date - (long)lround(o->period) + 1;
    return ds == OBS_VPN_GROWTH || ds == OBS_VPN_RATIO || ds == OBS_VPN_NEW_RATIO ? first - 1
                                                                                  : first;
}

int obs_map_fits(int ds, const observation *o, long start, long end, char *why, size_t size)
{
    long first = first_day(ds, o);
    if (first >= start && (long)o->date < end)
        return 0;
    char a[32], b[32], s[32], e[32];
    obs_map_date(first, a, sizeof a);
    obs_map_date(o->date, b, sizeof b);
    obs_map_date(start, s, sizeof s);
    obs_map_date(end - 1, e, sizeof e);
    snprintf(why, size,
             "the observation needs the days %s to %s (%s reads %s), outside the scenario's "
             "%s to %s",
             a, b, obs_map_names[ds],
             ds == OBS_VPN_GROWTH || ds == OBS_VPN_RATIO || ds == OBS_VPN_NEW_RATIO
                 ? "the day before its period too"
                                                         : "its period",
             s, e);
    return -1;
}

/* Sum over regions (or region `reg`) and over the last axis (or its
 * element `col`) of a [day][region][x] array on row `row`. */
static double cell(const results_array *a, size_t row, int reg, int col)
{
    double s = 0;
    for (size_t r = 0; r < a->shape[1]; r++) {
        if (reg >= 0 && (int)r != reg)
            continue;
        for (size_t x = 0; x < a->shape[2]; x++)
            if (col < 0 || (int)x == col)
                s += a->v[(row * a->shape[1] + r) * a->shape[2] + x];
    }
    return s;
}

static int label_of(const results_run *r, const char *dim, const char *name)
{
    const results_labels *l = results_run_labels(r, dim);
    for (int i = 0; l && i < l->n; i++)
        if (strcmp(l->v[i], name) == 0)
            return i;
    return -1;
}

/* The row of day `date` (days since 1970), or -1. */
static long row_of(const results_run *r, long epoch, long date)
{
    for (int i = 0; i < r->n_days; i++)
        if (epoch + r->day[i] == date)
            return i;
    return -1;
}

int obs_map_value(const results_run *r, int ds, const observation *o, double *out, char *why,
                  size_t size)
{
    *out = NAN;
    if (ds < 0 || ds >= N_OBS_DATASETS) {
        snprintf(why, size, "no such dataset");
        return BS_EINPUT;
    }
    const results_array *a = results_run_array(r, ds_path[ds]);
    if (!a || a->rank != 3) {
        snprintf(why, size, "the results have no %s", ds_path[ds]);
        return BS_EINPUT;
    }
    long epoch = obs_map_parse_date(r->epoch);
    if (epoch < 0) {
        snprintf(why, size, "the results' day axis (/day) has no epoch date");
        return BS_EINPUT;
    }
    int vpn = ds == OBS_VPN || ds == OBS_VPN_GROWTH || ds == OBS_VPN_RATIO || ds == OBS_VPN_NEW_RATIO;
    int col = -1, reg = -1;
    if (o->app[0]) {
        col = label_of(r, vpn ? "vpn" : "app", o->app);
        if (col < 0) {
            snprintf(why, size, "the run has no %s '%s'", vpn ? "VPN protocol" : "app", o->app);
            return BS_EINPUT;
        }
    } else if (!vpn) {
        snprintf(why, size, "%s needs the observation's app", obs_map_names[ds]);
        return BS_EINPUT;
    }
    if (o->region[0] && (reg = label_of(r, "region", o->region)) < 0) {
        snprintf(why, size, "the run has no region '%s'", o->region);
        return BS_EINPUT;
    }
    long first = (long)o->date - (long)lround(o->period) + 1;
    double sum = 0;
    int n = 0;
    for (long day = first; day <= (long)o->date; day++) {
        long row = row_of(r, epoch, day);
        if (row < 0) {
            char d[32];
            obs_map_date(day, d, sizeof d);
            snprintf(why, size, "the run has no day %s", d);
            return BS_EINPUT;
        }
        sum += cell(a, (size_t)row, reg, col);
        n++;
    }
    double mean = sum / n, before = 0;
    if (ds == OBS_VPN_NEW_RATIO) {
        /* The baseline: the OBS_BASELINE_DAYS before the first event. */
        long ev = -1;
        for (int e = 0; e < r->n_events; e++) {
            long d = obs_map_parse_date(r->events[e].date);
            if (d >= 0 && (ev < 0 || d < ev))
                ev = d;
        }
        long b1 = (ev >= 0 ? ev : first) - 1, b0 = b1 - OBS_BASELINE_DAYS;
        if (b0 < epoch)
            b0 = epoch;
        long r0 = row_of(r, epoch, b0), r1 = row_of(r, epoch, b1);
        long p0 = row_of(r, epoch, first - 1), p1 = row_of(r, epoch, o->date);
        if (r0 < 0 || r1 < 0 || r1 <= r0 || p0 < 0 || p1 < 0) {
            snprintf(why, size, "no baseline before the first event (it is on the first day)");
            return BS_EINPUT;
        }
        double base = (cell(a, (size_t)r1, reg, col) - cell(a, (size_t)r0, reg, col)) / (double)(r1 - r0);
        double now = (cell(a, (size_t)p1, reg, col) - cell(a, (size_t)p0, reg, col)) / (double)(p1 - p0);
        *out = base > 0 ? now / base : INFINITY;
        return BS_OK;
    }
    if (ds == OBS_VPN_GROWTH || ds == OBS_VPN_RATIO) {
        long row = row_of(r, epoch, first - 1), last = row_of(r, epoch, o->date);
        if (row < 0) {
            snprintf(why, size, "the run has no day before the period");
            return BS_EINPUT;
        }
        before = cell(a, (size_t)row, reg, col);
        if (ds == OBS_VPN_GROWTH) {
            *out = cell(a, (size_t)last, reg, col) - before;
            return BS_OK;
        }
        /* No VPN user before: the ratio is infinite; a distance then
         * refuses the point, as it should (the model says "from nothing"). */
        *out = before > 0 ? mean / before : INFINITY;
        return BS_OK;
    }
    *out = mean;
    return BS_OK;
}
