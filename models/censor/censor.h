/* censor: the verdicts of the censor's middleboxes (models/README.md, section 3).
 *
 * One box per ISP aggregation point sees the share `coverage` of the ISP's
 * traffic.  A rule (technique, apps, classes, scope, strength s) catches
 * traffic of an app and class on a covered path with probability
 * s * detect[technique][class] and fails it with f_r; several rules combine as
 * independent chances, 1 - prod(1 - s_r * d_r * f_r).  f_r is the
 * calibration table's measured share of recognised calls that fail
 * (calibration.h), or by hand: 1 for a block, and for a `throttle` 1 for the
 * calls whose bitrate exceeds its rate, 0 below it.  An `ip` rule is weakened
 * by the app's address rotation; `shutdown` blocks
 * every app outside its whitelist on mobile ISPs, VPN or not.  An `unblock`
 * clears what came before it in its scope.
 *
 * A VPN tunnel (protocol v) hides the app from the box unless the box detects
 * the protocol (probability d_v = s * detectability_v * detect[vpn][class] *
 * coverage, combined over vpn_block rules); a detected tunnel is dropped and
 * the user's traffic goes direct, meeting the app's rules.
 *
 * A rule in force at an ISP also misfires on the traffic it does not target
 * but looks at (its technique detects the class): each such rule passes it
 * with 1 - strength * collateral of its technique, keep = the product.
 *
 * So the probability that a box passes a call of app a, class k at ISP i is
 *   direct:  (1 - b_app) (1 - b_shut) keep
 *   tunnel:  (1 - d_v b_app) (1 - b_shut) keep
 * and a VPN user, who makes the share vpn_on of calls with the tunnel on,
 * passes with the mixture of the two (censor_pass); censor_pass_tunnel gives
 * each state alone.  A call between two people in the
 * country passes only if both boxes pass it; an endpoint abroad has no box.
 */
#ifndef BS_CENSOR_H
#define BS_CENSOR_H

#include "world/events.h"
#include "world/world.h"

typedef struct censor censor;

/* A censor for world *w (which must outlive it); all boxes pass until
 * censor_apply().  NULL with a message on failure. */
censor *censor_new(const world *w);
void censor_free(censor *c);

/* Rebuild the verdicts from the rules in force on a day. */
void censor_apply(censor *c, const day_rules *d);

/* Probability that the box of global ISP `isp` passes traffic of app `app`,
 * class `cls` from a user in VPN state `vstate` (0: none; v + 1: a user of
 * protocol v, tunnel on for the share vpn_on of calls).  Hot path: a table. */
static inline float censor_pass(const censor *c, int isp, int app, int cls, int vstate);

/* Probability that the box of global ISP `isp` passes one call attempt of
 * app `app`, class `cls` made with tunnel state `tunnel` (0: direct; v + 1:
 * through a tunnel of protocol v).  The population engine draws each
 * endpoint's tunnel state per call (on with probability vpn_on for a VPN
 * user), so that the flow engine knows which path the call takes. */
static inline float censor_pass_tunnel(const censor *c, int isp, int app, int cls, int tunnel);

/* Probability that the box of `isp` detects protocol v today (voice class). */
double censor_vpn_detect(const censor *c, int isp, int v);

/* What the flow engine needs of the box of `isp` for traffic of app `app`
 * (or -1: other traffic, the background), class `cls`, tunnel state `tunnel`:
 *   block       share of the covered traffic the rules catch (not counting
 *               throttles): (1 - pass) / coverage, so that the box, which
 *               sees the covered share, passes what censor_pass_tunnel says;
 *   collateral  share of the rest matched by mistake: 1 - keep above (for the
 *               background, app -1: every rule whose technique looks at
 *               messaging);
 *   policed     share passing the policers of throttle rules: a rule that
 *               catches a call class above its rate lets rate / bitrate of
 *               the caught share through (or the calibration's measured
 *               goodput share, at the rate it was measured at).
 * And whether a `stun` rule touches the app there today (peer-to-peer calls
 * that still work then go relayed). */
typedef struct censor_box {
    double block, collateral, policed;
    double thr_share, thr_rate; /* of the covered traffic, the share a throttle catches, and
                                   the rate (bit/s) it polices each such flow to */
} censor_box;
censor_box censor_box_verdict(const censor *c, int isp, int app, int cls, int tunnel);
int censor_p2p_blocked(const censor *c, int isp, int app);

/* Feed the flow engine's day back into the verdicts of the next day (until
 * the next censor_apply, which starts from the rules again):
 *   inspected[isp]  share of the box's covered traffic it inspected (1: not
 *                   overloaded); the rest passes when the box fails open and
 *                   is dropped when it fails closed;
 *   loss[(isp * n_apps + app) * N_CLASSES + cls]  share of the traffic of
 *                   attempts that passed the boxes and was then lost
 *                   (collateral, congestion): such a call fails.
 * Either may be NULL.  Every pass probability p of the ISP becomes
 *   open:   1 - s (1 - p),   closed: p (1 - coverage (1 - s)),
 * times 1 - loss. */
void censor_feedback(censor *c, const double *inspected, const float *loss);

/* The table behind censor_pass, first in struct censor so that the inline
 * look-up needs no call. */
struct censor_table {
    int n_apps, n_vstates;
    const float *pass; /* [isp][app][class][vstate]: a user, tunnel on for vpn_on of calls */
    const float *pure; /* [isp][app][class][tunnel]: one tunnel state */
};

static inline float censor_pass(const censor *c, int isp, int app, int cls, int vstate)
{
    const struct censor_table *t = (const struct censor_table *)c;
    return t->pass[((isp * t->n_apps + app) * N_CLASSES + cls) * t->n_vstates + vstate];
}

static inline float censor_pass_tunnel(const censor *c, int isp, int app, int cls, int tunnel)
{
    const struct censor_table *t = (const struct censor_table *)c;
    return t->pure[((isp * t->n_apps + app) * N_CLASSES + cls) * t->n_vstates + tunnel];
}

#endif
