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
    /* Per [isp][app][class]: chance of passing the app's rules (of the
     * traffic the box sees) and the shutdown (of all of it), as products over
     * rules; keep and vpn_pass are of the seen traffic too (censor.h). */
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
    double *inspected; /* [isp] the feedback: share of the seen traffic inspected */
    float *loss;       /* [isp][app][class] the feedback: share lost past the boxes */
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
    c->inspected = malloc(sizeof(double) * (size_t)c->n_isps);
    c->loss = calloc(cells, sizeof(float));
    if (!c->isp_region || !c->isp_local || !c->pass_app || !c->pass_shut || !c->vpn_pass ||
        !c->pass || !c->pass_thr || !c->pass_blk || !c->thr_ratio || !c->keep || !c->stun_on ||
        !c->pure || !c->inspected || !c->loss)
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
    bs_nomem("the censor's tables");
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
    free(c->inspected);
    free(c->loss);
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
    double s = r->strength * world_calibration_detect(w, a, k, ev->technique,
                                                      w->censor.tech[ev->technique].detect[k]);
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

/* Rule number r of the day acts at ISP i: on which cells (acts[a][k]) and,
 * for a vpn_block, on which protocols (*vpns).  An `unblock` later in the day's
 * list ends the rule on the cells (or protocols) it names in its scope: the
 * rule then acts as if it had never named them.  Returns whether the rule
 * still acts on anything there (if not, it is as if it had never been, with
 * no collateral either). */
static int rule_acts(const censor *c, const day_rules *d, int r, int i,
                     uint8_t acts[MAX_APPS][N_CLASSES], unsigned *vpns)
{
    const world *w = c->w;
    const rule *ru = &d->rules[r];
    const event_cfg *ev = ru->ev;
    int any = 0;
    *vpns = 0;
    memset(acts, 0, sizeof(uint8_t) * MAX_APPS * N_CLASSES);
    if (ru->action == ACT_UNBLOCK || !in_scope(c, ev, i))
        return 0;
    if (ru->action == ACT_SHUTDOWN && isp_of(c, i)->kind != ISP_MOBILE)
        return 0;
    if (ru->action == ACT_VPN_BLOCK)
        *vpns = ev->vpn_mask;
    else
        for (int a = 0; a < w->n_apps; a++)
            for (int k = 0; k < N_CLASSES; k++)
                acts[a][k] = ru->action == ACT_SHUTDOWN
                                 ? !(ev->app_mask >> a & 1u) /* the whitelist passes */
                                 : (ev->app_mask >> a & 1u) && (ev->class_mask >> k & 1u);
    for (int u = r + 1; u < d->n; u++) {
        const rule *un = &d->rules[u];
        if (un->action != ACT_UNBLOCK || !in_scope(c, un->ev, i))
            continue;
        *vpns &= ~(unsigned)un->ev->vpn_mask;
        for (int a = 0; a < w->n_apps; a++)
            for (int k = 0; k < N_CLASSES; k++)
                if (events_unblock_clears(un->ev, a, k))
                    acts[a][k] = 0;
    }
    any = *vpns != 0;
    for (int a = 0; a < w->n_apps; a++)
        for (int k = 0; k < N_CLASSES; k++)
            any |= acts[a][k];
    return any;
}

/* The share of other traffic rule r misfires on (at strength 1): the
 * calibration table's measured collateral of a rule of its technique on the
 * apps it acts on there (on the testbed's mix: 1 - prod (1 - col_a) over
 * them), or censor.<technique>.collateral (an assumption) if one of them has
 * no measured row. */
static double rule_collateral(const censor *c, const rule *r, const day_rules *d,
                              uint8_t acts[MAX_APPS][N_CLASSES])
{
    const world *w = c->w;
    int t = r->ev->technique;
    double keep = 1.0, width = 0;
    int named = 0, measured = 1;
    for (int a = 0; a < w->n_apps; a++) {
        int on = 0;
        for (int k = 0; k < N_CLASSES; k++)
            on |= acts[a][k];
        if (!on)
            continue;
        /* An ip rule's list widens as the censor chases the app's new
         * addresses (events.h): L times the addresses, 1 - (1 - col)^L. */
        double L = t == TECH_IP ? d->ip_list[a] : 1.0;
        double col = w->calibration.collateral[a][t];
        measured &= col >= 0;
        if (col >= 0)
            keep *= pow(1.0 - col, L);
        width += L;
        named++;
    }
    if (!named)
        return w->censor.tech[t].collateral;
    if (!measured) { /* one assumed collateral for the rule, over its apps' mean width */
        double col = w->censor.tech[t].collateral, mean = width / named;
        return mean == 1.0 ? col : 1.0 - pow(1.0 - col, mean);
    }
    return 1.0 - keep;
}

/* Rule r acts at ISP i: every cell it does not act on, and the background,
 * meets its technique's collateral (a shutdown's is in its block of the
 * rest; a vpn_block has none). */
static void add_collateral(censor *c, const rule *r, const day_rules *d, int i,
                           uint8_t acts[MAX_APPS][N_CLASSES])
{
    const world *w = c->w;
    const event_cfg *ev = r->ev;
    if (r->action == ACT_SHUTDOWN || r->action == ACT_VPN_BLOCK)
        return;
    double k = r->strength * rule_collateral(c, r, d, acts);
    if (k <= 0)
        return;
    for (int a = -1; a < w->n_apps; a++)
        for (int cls = 0; cls < N_CLASSES; cls++) {
            int named = a >= 0 && acts[a][cls];
            /* A technique misfires only on the kind of traffic it looks at. */
            if (!named && w->censor.tech[ev->technique].detect[cls] > 0)
                c->keep[((size_t)i * (w->n_apps + 1) + a + 1) * N_CLASSES + cls] *= 1.0 - k;
        }
}

/* Chance that a vpn_block at strength 1 recognises a tunnel of protocol v
 * carrying class k: measured by the testbed's classifier (the calibration
 * table's vpn rows), or detectability_v * censor.vpn.<class> (assumptions). */
static double vpn_detect(const world *w, int v, int k)
{
    double d = w->calibration.vpn_detect[v][k];
    return d >= 0 ? d : w->vpns[v].detectability * w->censor.tech[TECH_VPN].detect[k];
}

/* Rule number r of the day, on the traffic each box sees (no coverage here:
 * censor.h). */
static void apply_rule(censor *c, const day_rules *d, int ri)
{
    const world *w = c->w;
    const rule *r = &d->rules[ri];
    const event_cfg *ev = r->ev;
    uint8_t acts[MAX_APPS][N_CLASSES];
    unsigned vpns;
    for (int i = 0; i < c->n_isps; i++) {
        if (!rule_acts(c, d, ri, i, acts, &vpns))
            continue;
        add_collateral(c, r, d, i, acts);
        for (int v = 0; v < w->n_vpns; v++) {
            if (!(vpns >> v & 1u))
                continue;
            for (int k = 0; k < N_CLASSES; k++)
                c->vpn_pass[(i * (w->n_vpns + 1) + v) * N_CLASSES + k] *=
                    1.0 - r->strength * vpn_detect(w, v, k);
        }
        for (int a = 0; a < w->n_apps; a++) {
            int any = 0;
            for (int k = 0; k < N_CLASSES; k++) {
                if (!acts[a][k])
                    continue;
                any = 1;
                size_t cell = ((size_t)i * w->n_apps + a) * N_CLASSES + k;
                if (r->action == ACT_SHUTDOWN) {
                    c->pass_shut[cell] *=
                        1.0 - r->strength * w->censor.tech[TECH_SHUTDOWN].detect[k];
                    continue;
                }
                double ratio, seen = catch_chance(c, r, d, a, k);
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
            if (any && r->action == ACT_BLOCK && ev->technique == TECH_STUN)
                c->stun_on[i] |= (uint16_t)(1u << a);
        }
    }
}

/* Of the traffic of cell `cell` (ISP i, app, class k) that the box sees, the
 * share the rules let through, for tunnel state `tunnel`: a tunnel the box
 * does not detect hides the app; a detected one is dropped and the call goes
 * direct, meeting the app's rules (pass_app, or pass_blk when `blk`: without
 * the policing throttles, which the flow engine polices instead).  The other
 * rules' collateral (keep) acts on it either way; the shutdown is not the
 * box's (censor.h). */
static double seen_pass(const censor *c, size_t cell, int i, int k, int tunnel, int blk)
{
    int nv = c->w->n_vpns + 1;
    double b_app = 1.0 - (blk ? c->pass_blk[cell] : c->pass_app[cell]);
    double det = tunnel ? 1.0 - c->vpn_pass[(i * nv + tunnel - 1) * N_CLASSES + k] : 1.0;
    return 1.0 - det * b_app;
}

double censor_call_pass(const censor *c, int isp, int app, int cls, int tunnel)
{
    const world *w = c->w;
    const isp_cfg *ic = isp_of(c, isp);
    double cov = ic->coverage, s = c->inspected[isp];
    size_t cell = ((size_t)isp * w->n_apps + app) * N_CLASSES + cls;
    double keep = c->keep[((size_t)isp * (w->n_apps + 1) + app + 1) * N_CLASSES + cls];
    double q = seen_pass(c, cell, isp, cls, tunnel, 0) * keep;
    /* Of the seen share, s is inspected (passes q); the rest passes when the
     * box fails open and is dropped when it fails closed. */
    double seen = ic->mbox_failure == FAIL_CLOSED ? s * q : s * q + (1.0 - s);
    return ((1.0 - cov) + cov * seen) * c->pass_shut[cell] * (1.0 - (double)c->loss[cell]);
}

/* The tables behind censor_pass and censor_pass_tunnel, from censor_call_pass. */
static void fill_tables(censor *c)
{
    const world *w = c->w;
    int nv = w->n_vpns + 1;
    double on = w->population.vpn_on;
    for (int i = 0; i < c->n_isps; i++)
        for (int a = 0; a < w->n_apps; a++)
            for (int k = 0; k < N_CLASSES; k++) {
                size_t cell = ((size_t)i * w->n_apps + a) * N_CLASSES + k;
                double direct = censor_call_pass(c, i, a, k, 0);
                c->pass[cell * nv] = c->pure[cell * nv] = (float)direct;
                for (int v = 1; v < nv; v++) {
                    double tunnel = censor_call_pass(c, i, a, k, v);
                    c->pass[cell * nv + v] = (float)(on * tunnel + (1.0 - on) * direct);
                    c->pure[cell * nv + v] = (float)tunnel;
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
        apply_rule(c, d, r);
    for (int i = 0; i < c->n_isps; i++)
        c->inspected[i] = 1.0;
    memset(c->loss, 0, sizeof(float) * cells);
    fill_tables(c);
}

void censor_feedback(censor *c, const double *inspected, const float *loss)
{
    size_t cells = (size_t)c->n_isps * c->w->n_apps * N_CLASSES;
    for (int i = 0; i < c->n_isps; i++)
        c->inspected[i] = inspected ? inspected[i] : 1.0;
    if (loss)
        memcpy(c->loss, loss, sizeof(float) * cells);
    else
        memset(c->loss, 0, sizeof(float) * cells);
    fill_tables(c);
}

censor_box censor_box_verdict(const censor *c, int isp, int app, int cls, int tunnel)
{
    const world *w = c->w;
    censor_box b = {.policed = 1.0};
    b.collateral = 1.0 - c->keep[((size_t)isp * (w->n_apps + 1) + app + 1) * N_CLASSES + cls];
    if (app < 0)
        return b;
    size_t cell = ((size_t)isp * w->n_apps + app) * N_CLASSES + cls;
    int nv = w->n_vpns + 1;
    /* The throttles' share is policed, not dropped: it is not in the block. */
    b.block = 1.0 - seen_pass(c, cell, isp, cls, tunnel, 1);
    b.shutdown = 1.0 - c->pass_shut[cell];
    double det = tunnel ? 1.0 - c->vpn_pass[(isp * nv + tunnel - 1) * N_CLASSES + cls] : 1.0;
    /* Of the seen traffic, the share det * thr_caught is policed to thr_ratio
     * of its rate. */
    double policed_share = det * (1.0 - c->pass_thr[cell]);
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
    double seen = 1.0 - c->vpn_pass[(isp * (c->w->n_vpns + 1) + v) * N_CLASSES + CLASS_VOICE];
    return isp_of(c, isp)->coverage * seen;
}
