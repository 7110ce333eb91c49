#include "world/events.h"

#include <string.h>

/* Share of day [day, day+1) during which an event starting at `start` (days
 * since the scenario start) and lasting `duration` days (0 = open) is in force. */
static double share_of_day(int day, double start, double duration)
{
    double lo = start > day ? start : day;
    double hi = day + 1.0;
    if (duration > 0 && start + duration < hi)
        hi = start + duration;
    return hi > lo ? hi - lo : 0.0;
}

void events_day(const world *w, int day, day_rules *out)
{
    memset(out, 0, sizeof *out);
    out->day = day;
    out->vpn_availability = 1.0;
    for (int a = 0; a < MAX_APPS; a++)
        out->ip_factor[a] = 1.0;
    for (int e = 0; e < w->n_events; e++) {
        const event_cfg *ev = &w->events[e];
        double start = ev->date - w->scenario.start;
        if (start >= day + 1)
            break; /* events are in date order */
        double share = share_of_day(day, start, ev->duration);
        switch (ev->action) {
        case ACT_VPN_STORE_REMOVAL:
            out->vpn_availability *= 1.0 - ev->strength * share;
            break;
        case ACT_PREINSTALL:
            for (int a = 0; a < w->n_apps; a++)
                if (ev->app_mask >> a & 1u)
                    out->preinstall[a] += ev->strength * share / w->population.phone_lifetime;
            break;
        case ACT_ROTATE:
            for (int a = 0; a < w->n_apps; a++)
                if (ev->app_mask >> a & 1u)
                    out->ip_factor[a] *= 1.0 - ev->strength * share;
            break;
        case ACT_UNBLOCK:
            /* An unblock clears, from its date on, what came before it. */
            out->rules[out->n++] = (rule){ev, ACT_UNBLOCK, 1.0};
            break;
        default:
            if (ev->strength * share > 0)
                out->rules[out->n++] = (rule){ev, ev->action, ev->strength * share};
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
           memcmp(a->ip_factor, b->ip_factor, sizeof a->ip_factor) == 0;
}
