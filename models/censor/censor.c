#include "censor/censor.h"

#include "world/world.h"
#include "base/status.h"

#include <math.h>
#include <stdint.h>
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
    double *pass_thr;  /* [isp][app][class]: the throttle rules' share of pass_app */
    double *pass_blk;  /* [isp][app][class]: the other rules' share */
    double *thr_ratio; /* [isp][app][class]: least rate / bitrate of the throttles */
    double *keep;      /* [isp][app + 1][class]: chance no other rule's collateral hits
                          (app 0 here is the background) */
    uint16_t *stun_on; /* [isp]: apps a stun rule touches */
    double *vpn_pass; /* [isp][vpn][class]: chance a tunnel is not detected */
    float *pass;      /* [isp][app][class][vstate] */
    float *pure;      /* [isp][app][class][tunnel] */
    float *pass_raw, *pure_raw; /* the same before censor_feedback */
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
    c->pass_thr = malloc(sizeof(double) * cells);
    c->pass_blk = malloc(sizeof(double) * cells);
    c->thr_ratio = malloc(sizeof(double) * cells);
    c->keep = malloc(sizeof(double) * (size_t)c->n_isps * (w->n_apps + 1) * N_CLASSES);
    c->stun_on = malloc(sizeof(uint16_t) * (size_t)c->n_isps);
    c->pass = malloc(sizeof(float) * cells * n_vstates);
    c->pure = malloc(sizeof(float) * cells * n_vstates);
    c->pass_raw = malloc(sizeof(float) * cells * n_vstates);
    c->pure_raw = malloc(sizeof(float) * cells * n_vstates);
    if (!c->isp_region || !c->isp_local || !c->pass_app || !c->pass_shut || !c->vpn_pass ||
        !c->pass || !c->pass_thr || !c->pass_blk || !c->thr_ratio || !c->keep || !c->stun_on || !c->pure ||
        !c->pass_raw || !c->pure_raw)
        goto nomem;
    for (int r = 0; r < w->n_regions; r++)
        for (int k = 0; k < w->regions[r].n_isps; k++) {
            c->isp_region[w->isp_first[r] + k] = r;
            c->isp_local[w->isp_first[r] + k] = k;
        }
    c->table = (struct censor_table){w->n_apps, n_vstates, c->pass, c->pure};
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
    free(c->pass_thr);
    free(c->pass_blk);
    free(c->thr_ratio);
    free(c->keep);
    free(c->stun_on);
    free(c->pure);
    free(c->pass_raw);
    free(c->pure_raw);
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

/* Chance that rule r recognises app a, class k on a covered path. */
static double catch_chance(const censor *c, const rule *r, const day_rules *d, int a, int k)
{
    const world *w = c->w;
    const event_cfg *ev = r->ev;
    double s = r->strength * w->censor.tech[ev->technique].detect[k];
    if (ev->technique == TECH_IP)
        s *= d->ip_factor[a];
    return s;
}

/* What rule r does to a call of app a, class k it recognises: the share that
 * fails, and (a throttle) the share of its rate it lets through, *ratio
 * (1: not policed).  From the calibration table where it has the row (for a
 * throttle, measured at the rule's rate); otherwise the analytic rule: a block
 * fails every call, a throttle fails the calls that need more than its rate
 * and polices them to rate / bitrate (messaging is slowed, not failed: the
 * flow engine's concern, below the calibration's reach). */
static double consequence(const censor *c, const rule *r, int a, int k, double *ratio)
{
    const world *w = c->w;
    const event_cfg *ev = r->ev;
    *ratio = 1.0;
    if (ev->action != ACT_THROTTLE)
        return world_calibration_fail(w, a, k, ev->technique, 1.0);
    double rate = ev->rate > 0 ? ev->rate : w->censor.throttle_rate;
    const calibration_cfg *cal = &w->calibration;
    if (cal->goodput[a][k] >= 0 && fabs(rate - cal->throttle_rate) <= 1e-9 * rate) {
        *ratio = cal->goodput[a][k]; /* a throttle row sets goodput and fail together */
        return cal->fail[a][k][TECH_THROTTLE];
    }
    if (k == CLASS_MESSAGING || class_rate(&w->apps[a], k) <= rate)
        return 0.0;
    *ratio = rate / class_rate(&w->apps[a], k);
    return 1.0;
}

/* Rule r is in force at ISP i: every app and class it does not name meets
 * its technique's collateral (a shutdown's is in its block of the rest). */
static void add_collateral(censor *c, const rule *r, int i)
{
    const world *w = c->w;
    const event_cfg *ev = r->ev;
    double k = r->strength * w->censor.tech[ev->technique].collateral;
    if (k <= 0 || r->action == ACT_SHUTDOWN)
        return;
    for (int a = -1; a < w->n_apps; a++)
        for (int cls = 0; cls < N_CLASSES; cls++) {
            int named = a >= 0 && (ev->app_mask >> a & 1u) && (ev->class_mask >> cls & 1u);
            if (r->action == ACT_VPN_BLOCK)
                named = 0; /* business VPNs: the tunnels of other protocols */
            /* A technique misfires only on the kind of traffic it looks at. */
            if (!named && w->censor.tech[ev->technique].detect[cls] > 0)
                c->keep[((size_t)i * (w->n_apps + 1) + a + 1) * N_CLASSES + cls] *= 1.0 - k;
        }
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
        if (r->action != ACT_UNBLOCK)
            add_collateral(c, r, i);
        if (r->action == ACT_BLOCK && ev->technique == TECH_STUN)
            c->stun_on[i] |= ev->app_mask;
        else if (r->action == ACT_UNBLOCK)
            c->stun_on[i] &= (uint16_t)~ev->app_mask;
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
                    c->pass_thr[cell] = c->pass_blk[cell] = 1.0;
                    c->thr_ratio[cell] = 1.0;
                } else {
                    double ratio, seen = cov * catch_chance(c, r, d, a, k);
                    double caught = seen * consequence(c, r, a, k, &ratio);
                    c->pass_app[cell] *= 1.0 - caught;
                    if (r->action == ACT_THROTTLE && ratio < 1.0) {
                        /* every recognised flow is policed, failed or not */
                        c->pass_thr[cell] *= 1.0 - seen;
                        if (ratio < c->thr_ratio[cell])
                            c->thr_ratio[cell] = ratio;
                    } else {
                        c->pass_blk[cell] *= 1.0 - caught;
                    }
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
        c->pass_app[i] = c->pass_shut[i] = c->pass_thr[i] = c->pass_blk[i] = c->thr_ratio[i] = 1.0;
    for (size_t i = 0; i < (size_t)c->n_isps * (w->n_apps + 1) * N_CLASSES; i++)
        c->keep[i] = 1.0;
    memset(c->stun_on, 0, sizeof(uint16_t) * (size_t)c->n_isps);
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
                /* Collateral of the rules that do not target the app. */
                double keep = c->keep[((size_t)i * (w->n_apps + 1) + a + 1) * N_CLASSES + k];
                double direct = (1.0 - b_app) * c->pass_shut[cell] * keep;
                c->pass[cell * nv] = c->pure[cell * nv] = (float)direct;
                for (int v = 0; v < w->n_vpns; v++) {
                    double det = 1.0 - c->vpn_pass[(i * nv + v) * N_CLASSES + k];
                    double tunnel = (1.0 - det * b_app) * c->pass_shut[cell] * keep;
                    c->pass[cell * nv + v + 1] = (float)(on * tunnel + (1.0 - on) * direct);
                    c->pure[cell * nv + v + 1] = (float)tunnel;
                }
            }
    memcpy(c->pass_raw, c->pass, sizeof(float) * cells * nv);
    memcpy(c->pure_raw, c->pure, sizeof(float) * cells * nv);
}

void censor_feedback(censor *c, const double *inspected, const float *loss)
{
    const world *w = c->w;
    int nv = w->n_vpns + 1;
    for (int i = 0; i < c->n_isps; i++) {
        const isp_cfg *isp = isp_of(c, i);
        double s = inspected ? inspected[i] : 1.0;
        for (int a = 0; a < w->n_apps; a++)
            for (int k = 0; k < N_CLASSES; k++) {
                size_t cell = ((size_t)i * w->n_apps + a) * N_CLASSES + k;
                double keep = loss ? 1.0 - (double)loss[cell] : 1.0;
                for (int v = 0; v < nv; v++) {
                    size_t x = cell * nv + v;
                    double p[2] = {c->pass_raw[x], c->pure_raw[x]};
                    for (int j = 0; j < 2; j++) {
                        if (isp->mbox_failure == FAIL_CLOSED)
                            p[j] *= 1.0 - isp->coverage * (1.0 - s);
                        else
                            p[j] = 1.0 - s * (1.0 - p[j]);
                        p[j] *= keep;
                    }
                    c->pass[x] = (float)p[0];
                    c->pure[x] = (float)p[1];
                }
            }
    }
}

censor_box censor_box_verdict(const censor *c, int isp, int app, int cls, int tunnel)
{
    const world *w = c->w;
    double cov = isp_of(c, isp)->coverage;
    censor_box b = {0.0, 0.0, 1.0, 0.0, 0.0};
    b.collateral = 1.0 - c->keep[((size_t)isp * (w->n_apps + 1) + app + 1) * N_CLASSES + cls];
    if (app < 0 || cov <= 0)
        return b;
    size_t cell = ((size_t)isp * w->n_apps + app) * N_CLASSES + cls;
    int nv = w->n_vpns + 1;
    /* The throttles' share is policed, not dropped: take it out of the block. */
    double thr_caught = 1.0 - c->pass_thr[cell];
    double b_blk = 1.0 - c->pass_blk[cell];
    double det = tunnel ? 1.0 - c->vpn_pass[(isp * nv + tunnel - 1) * N_CLASSES + cls] : 1.0;
    double pass = (1.0 - det * b_blk) * c->pass_shut[cell];
    b.block = (1.0 - pass) / cov;
    if (b.block > 1.0)
        b.block = 1.0;
    /* Of the covered traffic, the share det * thr_caught / cov is policed to
     * thr_ratio of its rate. */
    double policed_share = det * thr_caught / cov;
    if (policed_share > 1.0)
        policed_share = 1.0;
    b.policed = 1.0 - policed_share * (1.0 - c->thr_ratio[cell]);
    b.thr_share = policed_share;
    b.thr_rate = c->thr_ratio[cell] * class_rate(&w->apps[app], cls);
    return b;
}

int censor_p2p_blocked(const censor *c, int isp, int app)
{
    return c->stun_on[isp] >> app & 1u;
}

double censor_vpn_detect(const censor *c, int isp, int v)
{
    return 1.0 - c->vpn_pass[(isp * (c->w->n_vpns + 1) + v) * N_CLASSES + CLASS_VOICE];
}
