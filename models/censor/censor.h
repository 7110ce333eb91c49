/* censor: the verdicts of the censor's middleboxes (models/README.md, section 3).
 *
 * One definition of what a box does, for both engines.  One box per ISP
 * aggregation point sees the share `coverage` of the ISP's traffic (a flow is
 * seen or not; the population engine reads it as the chance that a call's
 * path crosses the box, the flow engine as the share of each aggregate's
 * bytes that does).  The unseen share passes untouched.  Every rule in force
 * at the ISP acts, independently of the others, on what the box sees:
 *
 *   pass = [(1 - cov) + cov * q'] * (1 - b_shut),   q' = 1 - (1 - circ_a)(1 - q),
 *   q = prod over rules r of (1 - c_r),
 *
 * where c_r is what rule r takes of the seen traffic of that app, class and
 * tunnel state.  Coverage enters once per box, never once per rule (two rules
 * at coverage 0.5 that each catch everything pass 0.5, not 0.25).  A
 * shutdown is not the box's: the mobile operator cuts its data service on
 * every path (evaded by nothing inside the region, VPN or not), so it acts
 * on all the traffic, seen or not, in both engines.  The terms:
 *
 *   block, throttle  c_r = s_r * detect[technique][class] * f_r for the app
 *       and class it names: f_r is the calibration table's measured share of
 *       recognised calls that fail (calibration.h), or by hand 1 for a block,
 *       and for a `throttle` 1 for the calls whose bitrate exceeds its rate, 0
 *       below it.  An `ip` rule is weakened by the app's address rotation.
 *   collateral  a block or throttle in force at the ISP also misfires on the
 *       seen traffic it does not name but looks at (its technique detects the
 *       class): c_r = s_r * collateral[technique].  keep = the product of
 *       (1 - c_r) over such rules.
 *   tunnel  a VPN tunnel (protocol v) hides the app from the box unless the
 *       box detects the protocol: d_v = 1 - prod over vpn_block rules of
 *       (1 - s_r * detectability_v * detect[vpn][class]), of the seen
 *       tunnels; a detected tunnel is dropped and the call goes direct,
 *       through the same box, meeting the app's rules.
 *   shutdown  b_shut = 1 - prod over shutdowns of (1 - s_r *
 *       detect[shutdown][class]) for every app outside the whitelist, on
 *       mobile ISPs only.
 *   circumvention  the app's built-in circumvention (circ_a =
 *       apps[].circumvention: its own proxies, a Psiphon-like tool inside it)
 *       gets the share circ_a of what the box stops of the app's seen traffic
 *       through, whatever stopped it (the app's rules, a detected tunnel,
 *       another rule's collateral), direct or tunnelled: q' above.  It does
 *       not help against a shutdown (the data service is cut: no path to a
 *       proxy), against what an overloaded box failing closed drops without
 *       inspecting it, or against the loss past the boxes (censor_feedback).
 *       The background (app -1) has none.
 *
 * So, with b_app = 1 - prod over the app's rules of (1 - c_r),
 *   q direct:  (1 - b_app) keep
 *   q tunnel:  (1 - d_v b_app) keep
 * (then q' with the app's circumvention)
 * and a VPN user, who makes the share vpn_on of calls with the tunnel on,
 * passes with the mixture of the two (censor_pass); censor_pass_tunnel gives
 * each state alone, censor_call_pass the same in double precision.  A call
 * between two people in the country passes only if both boxes pass it; an
 * endpoint abroad has no box.  The flow engine passes each aggregate through
 * mbox_covered() with the verdict of censor_box_verdict(): the shutdown takes
 * b_shut of it, the box sees cov of the rest and applies block 1 - q / keep
 * and collateral 1 - keep (each reduced by the circumvention so that the
 * seen share passes q'), the unseen share passes, so that the share of a
 * call's bytes it passes is censor_call_pass exactly (the policing of
 * throttles aside: the flow engine slows the bytes of calls that the
 * population engine counts failed).
 *
 * An `unblock` ends what came before it in its scope: a rule it names is as
 * if it had never named the cells (ISP, app, class) or protocols the unblock
 * names, and a rule left acting on nothing at an ISP is as if it had never
 * been there, collateral included.  A block ended by an unblock leaves what
 * the same block ended by its duration leaves: nothing.
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

/* The same in double precision, worked out (censor_pass_tunnel is its float
 * table): the definition above, after the feedback of censor_feedback. */
double censor_call_pass(const censor *c, int isp, int app, int cls, int tunnel);

/* Probability that the box of `isp` detects protocol v today (voice class):
 * coverage times d_v above. */
double censor_vpn_detect(const censor *c, int isp, int v);

/* What the flow engine needs of the box of `isp` for traffic of app `app`
 * (or -1: other traffic, the background), class `cls`, tunnel state `tunnel`:
 *   block       share of the seen traffic the rules catch (not counting
 *               throttles) and the app's circumvention does not rescue:
 *               b = (1 - circ_a)(1 - q / keep) above;
 *   collateral  share of the rest matched by mistake and not rescued: k with
 *               (1 - b)(1 - k) = q' (1 - keep without circumvention; for the
 *               background, app -1: every rule whose technique looks at
 *               messaging), so that the box passes what censor_call_pass
 *               says;
 *   policed     share passing the policers of throttle rules: a rule that
 *               catches a call class above its rate lets rate / bitrate of
 *               the caught share through (or the calibration's measured
 *               goodput share, at the rate it was measured at).
 *   shutdown    share of all the traffic (seen or not) a shutdown stops
 *               before the box.
 * And whether a `stun` rule touches the app there today (peer-to-peer calls
 * that still work then go relayed). */
typedef struct censor_box {
    double block, collateral, policed, shutdown;
    double thr_share, thr_rate; /* of the seen traffic, the share a throttle catches, and
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
 * Either may be NULL.  Of the seen traffic, the share s is inspected and
 * passes q; the rest passes when the box fails open and is dropped when it
 * fails closed, so pass becomes
 *   open:   (1 - cov) + cov (s q + 1 - s),   closed: (1 - cov) + cov s q,
 * times 1 - b_shut and 1 - loss: what mbox_covered() passes. */
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
