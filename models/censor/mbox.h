/* mbox: a censor middlebox for one hour of fluid traffic (models/README.md,
 * sections 2, 3 and 5) -- the box on an ISP's aggregation point, as the flow
 * engine sees it.
 *
 * Aggregates i cross the box with offered rates x_i (bit/s).  For each, the
 * rules in force give (censor.h):
 *   b_i  the share the rules catch when the box inspects it (block),
 *   k_i  the share of the rest matched by mistake (collateral),
 *   t_i  the share that passes the policer of a throttle rule (1: none;
 *        min(1, rate / per-flow bitrate) for calls policed below their rate).
 * The box inspects at most its capacity C: with X = sum x_i, the share
 * s = min(1, C / X) of every aggregate is inspected (the box cannot choose
 * what to look at), and the rest, (1 - s) x_i, is uninspected: it passes when
 * the box fails open, and is dropped when it fails closed.
 *
 * So, for each aggregate:
 *   inspected   s x
 *   dropped     s x (b + (1 - b) k)          [+ (1 - s) x when closed]
 *   collateral  s x (1 - b) k                [+ (1 - s) x (1 - b) when closed:
 *                                             the excess is mostly not a target]
 *   throttled   s x (1 - b)(1 - k)(1 - t)    (dropped by the policer)
 *   passed      s x (1 - b)(1 - k) t         [+ (1 - s) x when open]
 *   uninspected (1 - s) x when open, 0 when closed
 * and offered = passed + dropped + throttled exactly (conservation).
 * C = 0 means a box without a capacity limit (s = 1).
 */
#ifndef BS_MBOX_H
#define BS_MBOX_H

typedef struct mbox_flow {
    double offered;    /* bit/s */
    double block;      /* b */
    double collateral; /* k */
    double policed;    /* t: share passing the policer */
} mbox_flow;

typedef struct mbox_tally {
    double inspected, dropped, throttled, collateral, uninspected, passed; /* bit/s */
} mbox_tally;

/* Pass `n` aggregates through a box of inspection capacity `capacity`
 * (bit/s, 0: unlimited) that fails closed when `fail_closed`.  Writes each
 * aggregate's passed rate to passed[i] and adds the box's totals to *tally.
 * Returns BS_OK, or BS_EINPUT (message names the aggregate) for a negative
 * or non-finite rate or a share outside [0, 1]; nothing is written then. */
int mbox_pass(double capacity, int fail_closed, int n, const mbox_flow *in, double *passed,
              mbox_tally *tally);

/* The parts of mbox_pass, for an engine that holds its aggregates its own
 * way: the inspected share s of a box of `capacity` offered `total`, and one
 * aggregate through a box inspecting the share s (adds to *t, except
 * t->passed; returns the passed rate).  No checks. */
double mbox_share(double capacity, double total);
double mbox_one(double s, int fail_closed, const mbox_flow *f, mbox_tally *t);

/* An aggregate of f->offered bit/s at the box of an ISP (censor.h): the share
 * `shutdown` is stopped first (added to t->dropped), the box sees the share
 * `coverage` of the rest, which goes through mbox_one (its passed rate added
 * to t->passed), and the unseen share passes by.  Returns the whole passed
 * rate.  The flow engine's box; censor_call_pass is the same for one call. */
double mbox_covered(double coverage, double shutdown, double s, int fail_closed, const mbox_flow *f,
                    mbox_tally *t);

#endif
