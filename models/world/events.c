#include "world/events.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double events_start(const world *w, const event_cfg *ev)
{
    return (double)(ev->date - w->scenario.start) + (double)ev->hour / 24.0;
}

static double end_of(const world *w, const event_cfg *ev)
{
    return ev->duration > 0 ? events_start(w, ev) + ev->duration : INFINITY;
}

/* Share of [t0, t1) during which an event starting at `start` (days since
 * the scenario start) and lasting `duration` days (0 = open) is in force. */
static double share_of(double t0, double t1, double start, double duration)
{
    double lo = start > t0 ? start : t0;
    double hi = t1;
    if (duration > 0 && start + duration < hi)
        hi = start + duration;
    return hi > lo ? (hi - lo) / (t1 - t0) : 0.0;
}

static int in_force(const world *w, const event_cfg *ev, double t)
{
    return events_start(w, ev) <= t && t < end_of(w, ev);
}

int events_unblock_clears(const event_cfg *u, int a, int k)
{
    if (u->vpn_mask && u->apps.n == 0)
        return 0;
    return (u->app_mask >> a & 1u) && (u->class_mask >> k & 1u);
}

int events_in_scope(const world *w, const event_cfg *ev, int isp)
{
    int r = 0;
    while (r + 1 < w->n_regions && isp >= w->isp_first[r + 1])
        r++;
    return ev->isp_in_region[r] >> (isp - w->isp_first[r]) & 1u;
}

static int is_ip_rule(const event_cfg *ev, int a)
{
    return (ev->action == ACT_BLOCK || ev->action == ACT_THROTTLE) && ev->technique == TECH_IP &&
           ev->strength > 0 && (ev->app_mask >> a & 1u);
}

/* Whether an ip rule acts on app a somewhere at time t: one in force that a
 * later unblock in force has not cleared on every (ISP, class) it names (the
 * censor's rule_acts, censor.c, on the day's list). */
static int ip_acts(const world *w, int a, double t)
{
    for (int e = 0; e < w->n_events; e++) {
        const event_cfg *ev = &w->events[e];
        if (!is_ip_rule(ev, a) || !in_force(w, ev, t))
            continue;
        for (int i = 0; i < w->n_all_isps; i++) {
            if (!events_in_scope(w, ev, i))
                continue;
            for (int k = 0; k < N_CLASSES; k++) {
                if (!(ev->class_mask >> k & 1u))
                    continue;
                int cleared = 0;
                for (int u = e + 1; u < w->n_events && !cleared; u++) {
                    const event_cfg *un = &w->events[u];
                    cleared = un->action == ACT_UNBLOCK && events_start(w, un) <= t &&
                              events_in_scope(w, un, i) && events_unblock_clears(un, a, k);
                }
                if (!cleared)
                    return 1;
            }
        }
    }
    return 0;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* The list of app a at time tau (events.h): *e the escaped share, *L its
 * width; a fresh list (0, 1) if none is in force at tau. */
static void list_state(const world *w, int a, double tau, double *e_out, double *l_out)
{
    double bp[2 * MAX_EVENTS + 1];
    int n = 0;
    for (int k = 0; k < w->n_events; k++) {
        const event_cfg *ev = &w->events[k];
        int rot = ev->action == ACT_ROTATE && (ev->app_mask >> a & 1u);
        if (!rot && !is_ip_rule(ev, a) && ev->action != ACT_UNBLOCK)
            continue;
        double s = events_start(w, ev), t = end_of(w, ev);
        if (s < tau)
            bp[n++] = s;
        if (t < tau && ev->action != ACT_UNBLOCK)
            bp[n++] = t;
    }
    bp[n++] = tau;
    qsort(bp, (size_t)n, sizeof bp[0], cmp_double);
    double e = 0, L = 1, c = w->censor.chase;
    int have = 0;
    for (int k = 0; k < n; k++) {
        if (k > 0 && bp[k] == bp[k - 1])
            continue;
        double t = bp[k];
        if (!ip_acts(w, a, t)) {
            have = 0;
            continue;
        }
        if (!have) {
            e = 0;
            L = 1;
            have = 1;
        }
        double r = 0;
        for (int j = 0; j < w->n_events; j++) {
            const event_cfg *ev = &w->events[j];
            if (ev->action != ACT_ROTATE || !(ev->app_mask >> a & 1u) || !in_force(w, ev, t))
                continue;
            if (events_start(w, ev) == t)
                e += ev->strength * (1.0 - e);
            r += ev->turnover;
        }
        int next = k + 1;
        while (next < n && bp[next] == t)
            next++;
        if (next >= n)
            break;
        double dt = bp[next] - t, kr = r + c;
        if (kr > 0) {
            double star = r / kr, decay = exp(-kr * dt);
            L += c * (star * dt + (e - star) * (-expm1(-kr * dt)) / kr);
            e = star + (e - star) * decay;
        }
    }
    *e_out = have ? e : 0.0;
    *l_out = have ? L : 1.0;
}

/* Mean over [t0, t1) of the product of the shocks on app a in force. */
static double mean_appeal(const world *w, int a, double t0, double t1)
{
    double bp[2 * MAX_EVENTS + 2];
    int n = 0;
    bp[n++] = t0;
    bp[n++] = t1;
    for (int k = 0; k < w->n_events; k++) {
        const event_cfg *ev = &w->events[k];
        if (ev->action != ACT_SHOCK || !(ev->app_mask >> a & 1u))
            continue;
        double s = events_start(w, ev), t = end_of(w, ev);
        if (s > t0 && s < t1)
            bp[n++] = s;
        if (t > t0 && t < t1)
            bp[n++] = t;
    }
    qsort(bp, (size_t)n, sizeof bp[0], cmp_double);
    double sum = 0;
    for (int k = 0; k + 1 < n; k++) {
        double lo = bp[k], hi = bp[k + 1];
        if (hi <= lo)
            continue;
        double mid = 0.5 * (lo + hi), m = 1.0;
        for (int j = 0; j < w->n_events; j++) {
            const event_cfg *ev = &w->events[j];
            if (ev->action == ACT_SHOCK && (ev->app_mask >> a & 1u) && in_force(w, ev, mid))
                m *= 1.0 + ev->strength * (ev->appeal - 1.0);
        }
        sum += m * (hi - lo);
    }
    return sum / (t1 - t0);
}

void events_day(const world *w, int day, day_rules *out)
{
    memset(out, 0, sizeof *out);
    out->day = day;
    out->vpn_availability = 1.0;
    double t0 = day, t1 = day + 1.0;
    for (int a = 0; a < MAX_APPS; a++)
        out->appeal[a] = out->ip_factor[a] = out->ip_list[a] = 1.0;
    int any_shock = 0, any_ip = 0;
    for (int e = 0; e < w->n_events; e++) {
        const event_cfg *ev = &w->events[e];
        double start = events_start(w, ev);
        if (start >= t1)
            break; /* events are in date order */
        double share = share_of(t0, t1, start, ev->duration);
        switch (ev->action) {
        case ACT_VPN_STORE_REMOVAL:
            out->vpn_availability *= 1.0 - ev->strength * share;
            break;
        case ACT_PREINSTALL:
            for (int a = 0; a < w->n_apps; a++)
                if (ev->app_mask >> a & 1u)
                    out->preinstall[a] += ev->strength * share / w->population.phone_lifetime;
            break;
        case ACT_SHOCK:
            any_shock |= share > 0;
            break;
        case ACT_ROTATE:
            break; /* the list's state, below */
        case ACT_UNBLOCK:
            /* An unblock clears, from the start of its day, what came before it. */
            out->rules[out->n++] = (rule){ev, ACT_UNBLOCK, 1.0};
            break;
        default:
            if (ev->strength * share > 0)
                out->rules[out->n++] = (rule){ev, ev->action, ev->strength * share};
            any_ip |= ev->technique == TECH_IP;
        }
    }
    for (int a = 0; a < w->n_apps; a++) {
        if (any_shock)
            out->appeal[a] = mean_appeal(w, a, t0, t1);
        if (any_ip) {
            double e, L;
            list_state(w, a, t0, &e, &L);
            out->ip_factor[a] = 1.0 - e;
            out->ip_list[a] = L;
        }
    }
}

int events_same(const day_rules *a, const day_rules *b)
{
    if (a->n != b->n || a->vpn_availability != b->vpn_availability)
        return 0;
    for (int i = 0; i < a->n; i++)
        if (a->rules[i].ev != b->rules[i].ev || a->rules[i].strength != b->rules[i].strength)
            return 0;
    return memcmp(a->preinstall, b->preinstall, sizeof a->preinstall) == 0 &&
           memcmp(a->appeal, b->appeal, sizeof a->appeal) == 0 &&
           memcmp(a->ip_factor, b->ip_factor, sizeof a->ip_factor) == 0 &&
           memcmp(a->ip_list, b->ip_list, sizeof a->ip_list) == 0;
}
