#include "censor.h"

#include "status.h"

#include <stdlib.h>
#include <string.h>

struct censor {
    struct censor_table table; /* first: censor_pass() reads it inline */
    const world *w;
    int n_isps;
    int *isp_region; /* [isp] region of a global ISP */
    int *isp_local;  /* [isp] index within its region */
    /* Per [isp][app][class]: chance of passing the app's rules and the
     * shutdown, as products over rules. */
    double *pass_app, *pass_shut;
    double *vpn_pass; /* [isp][vpn][class]: chance a tunnel is not detected */
    float *pass;      /* [isp][app][class][vstate] */
};

censor *censor_new(const world *w)
{
    censor *c = calloc(1, sizeof *c);
    if (!c)
        goto nomem;
    c->w = w;
    c->n_isps = w->n_all_isps;
    size_t cells = (size_t)c->n_isps * w->n_apps * N_CLASSES;
    int n_vstates = w->n_vpns + 1;
    c->isp_region = malloc(sizeof(int) * (size_t)c->n_isps);
    c->isp_local = malloc(sizeof(int) * (size_t)c->n_isps);
    c->pass_app = malloc(sizeof(double) * cells);
    c->pass_shut = malloc(sizeof(double) * cells);
    c->vpn_pass = malloc(sizeof(double) * (size_t)c->n_isps * (w->n_vpns + 1) * N_CLASSES);
    c->pass = malloc(sizeof(float) * cells * n_vstates);
    if (!c->isp_region || !c->isp_local || !c->pass_app || !c->pass_shut || !c->vpn_pass ||
        !c->pass)
        goto nomem;
    for (int r = 0; r < w->n_regions; r++)
        for (int k = 0; k < w->regions[r].n_isps; k++) {
            c->isp_region[w->isp_first[r] + k] = r;
            c->isp_local[w->isp_first[r] + k] = k;
        }
    c->table = (struct censor_table){w->n_apps, n_vstates, c->pass};
    day_rules none = {.vpn_availability = 1.0};
    censor_apply(c, &none);
    return c;
nomem:
    censor_free(c);
    bs_fail(BS_ENOMEM, "censor: out of memory");
    return NULL;
}

void censor_free(censor *c)
{
    if (!c)
        return;
    free(c->isp_region);
    free(c->isp_local);
    free(c->pass_app);
    free(c->pass_shut);
    free(c->vpn_pass);
    free(c->pass);
    free(c);
}

static int in_scope(const censor *c, const event_cfg *ev, int isp)
{
    return ev->isp_in_region[c->isp_region[isp]] >> c->isp_local[isp] & 1u;
}

static const isp_cfg *isp_of(const censor *c, int isp)
{
    return &c->w->regions[c->isp_region[isp]].isps[c->isp_local[isp]];
}

/* Bitrate of a call class, to compare with a throttle's rate. */
static double class_rate(const app_cfg *app, int cls)
{
    return cls == CLASS_VOICE ? app->voice_rate : cls == CLASS_VIDEO ? app->video_rate : 0.0;
}

/* Chance that rule r catches app a, class k on a covered path. */
static double catch_chance(const censor *c, const rule *r, const day_rules *d, int a, int k)
{
    const world *w = c->w;
    const event_cfg *ev = r->ev;
    double s = r->strength * w->censor.tech[ev->technique].detect[k];
    if (ev->technique == TECH_IP)
        s *= d->ip_factor[a];
    if (ev->action == ACT_THROTTLE) {
        /* A throttle fails only the calls that need more than its rate;
         * messaging is slowed, not blocked (the flow engine's concern). */
        double rate = ev->rate > 0 ? ev->rate : w->censor.throttle_rate;
        if (k == CLASS_MESSAGING || class_rate(&w->apps[a], k) <= rate)
            return 0.0;
    }
    return s;
}

static void apply_rule(censor *c, const rule *r, const day_rules *d)
{
    const world *w = c->w;
    const event_cfg *ev = r->ev;
    for (int i = 0; i < c->n_isps; i++) {
        if (!in_scope(c, ev, i))
            continue;
        double cov = isp_of(c, i)->coverage;
        /* An unblock naming protocols and no apps clears only those. */
        int vpn_only = r->action == ACT_VPN_BLOCK ||
                       (r->action == ACT_UNBLOCK && ev->vpn_mask && ev->apps.n == 0);
        if (r->action == ACT_VPN_BLOCK || (r->action == ACT_UNBLOCK && ev->vpn_mask)) {
            for (int v = 0; v < w->n_vpns; v++) {
                if (!(ev->vpn_mask >> v & 1u))
                    continue;
                for (int k = 0; k < N_CLASSES; k++) {
                    double *p = &c->vpn_pass[(i * (w->n_vpns + 1) + v) * N_CLASSES + k];
                    if (r->action == ACT_UNBLOCK)
                        *p = 1.0;
                    else
                        *p *= 1.0 - r->strength * w->vpns[v].detectability *
                                        w->censor.tech[TECH_VPN].detect[k] * cov;
                }
            }
            if (vpn_only)
                continue;
        }
        if (r->action == ACT_SHUTDOWN && isp_of(c, i)->kind != ISP_MOBILE)
            continue;
        for (int a = 0; a < w->n_apps; a++) {
            int named = ev->app_mask >> a & 1u;
            for (int k = 0; k < N_CLASSES; k++) {
                size_t cell = ((size_t)i * w->n_apps + a) * N_CLASSES + k;
                if (r->action == ACT_SHUTDOWN) {
                    if (!named) /* the whitelist passes */
                        c->pass_shut[cell] *= 1.0 - r->strength *
                                                        w->censor.tech[TECH_SHUTDOWN].detect[k];
                    continue;
                }
                if (!named || !(ev->class_mask >> k & 1u))
                    continue;
                if (r->action == ACT_UNBLOCK) {
                    c->pass_app[cell] = 1.0;
                    c->pass_shut[cell] = 1.0;
                } else {
                    c->pass_app[cell] *= 1.0 - cov * catch_chance(c, r, d, a, k);
                }
            }
        }
    }
}

void censor_apply(censor *c, const day_rules *d)
{
    const world *w = c->w;
    size_t cells = (size_t)c->n_isps * w->n_apps * N_CLASSES;
    for (size_t i = 0; i < cells; i++)
        c->pass_app[i] = c->pass_shut[i] = 1.0;
    for (size_t i = 0; i < (size_t)c->n_isps * (w->n_vpns + 1) * N_CLASSES; i++)
        c->vpn_pass[i] = 1.0;
    for (int r = 0; r < d->n; r++)
        apply_rule(c, &d->rules[r], d);

    int nv = w->n_vpns + 1;
    double on = w->population.vpn_on;
    for (int i = 0; i < c->n_isps; i++)
        for (int a = 0; a < w->n_apps; a++)
            for (int k = 0; k < N_CLASSES; k++) {
                size_t cell = ((size_t)i * w->n_apps + a) * N_CLASSES + k;
                double b_app = 1.0 - c->pass_app[cell];
                double direct = (1.0 - b_app) * c->pass_shut[cell];
                c->pass[cell * nv] = (float)direct;
                for (int v = 0; v < w->n_vpns; v++) {
                    double det = 1.0 - c->vpn_pass[(i * nv + v) * N_CLASSES + k];
                    double tunnel = (1.0 - det * b_app) * c->pass_shut[cell];
                    c->pass[cell * nv + v + 1] = (float)(on * tunnel + (1.0 - on) * direct);
                }
            }
}

double censor_vpn_detect(const censor *c, int isp, int v)
{
    return 1.0 - c->vpn_pass[(isp * (c->w->n_vpns + 1) + v) * N_CLASSES + CLASS_VOICE];
}
