#include "censor/mbox.h"

#include "base/status.h"

#include <math.h>

static int share_ok(double x) { return x >= 0 && x <= 1; }

int mbox_pass(double capacity, int fail_closed, int n, const mbox_flow *in, double *passed,
              mbox_tally *tally)
{
    if (!(capacity >= 0) || isinf(capacity))
        return bs_fail(BS_EINPUT, "mbox: inspection capacity %g is not a finite rate >= 0",
                       capacity);
    double total = 0;
    for (int i = 0; i < n; i++) {
        const mbox_flow *f = &in[i];
        if (!(f->offered >= 0) || isinf(f->offered))
            return bs_fail(BS_EINPUT, "mbox: aggregate %d: offered rate %g is not finite >= 0",
                           i, f->offered);
        if (!share_ok(f->block) || !share_ok(f->collateral) || !share_ok(f->policed))
            return bs_fail(BS_EINPUT, "mbox: aggregate %d: block %g, collateral %g, policed %g: "
                                      "each must be in [0, 1]",
                           i, f->block, f->collateral, f->policed);
        total += f->offered;
    }
    double s = mbox_share(capacity, total);
    mbox_tally t = {0};
    for (int i = 0; i < n; i++) {
        passed[i] = mbox_one(s, fail_closed, &in[i], &t);
        t.passed += passed[i];
    }
    tally->inspected += t.inspected;
    tally->dropped += t.dropped;
    tally->throttled += t.throttled;
    tally->collateral += t.collateral;
    tally->uninspected += t.uninspected;
    tally->passed += t.passed;
    return BS_OK;
}

double mbox_share(double capacity, double total)
{
    return capacity > 0 && total > capacity ? capacity / total : 1.0;
}

double mbox_one(double s, int fail_closed, const mbox_flow *f, mbox_tally *t)
{
    double seen = s * f->offered, excess = f->offered - seen;
    double caught = seen * f->block;
    double mistaken = (seen - caught) * f->collateral;
    double through = seen - caught - mistaken;
    double policed = through * (1 - f->policed);
    double passed = through - policed;
    t->inspected += seen;
    t->dropped += caught + mistaken;
    t->collateral += mistaken;
    t->throttled += policed;
    if (fail_closed) {
        t->dropped += excess;
        t->collateral += excess * (1 - f->block);
    } else {
        passed += excess;
        t->uninspected += excess;
    }
    return passed;
}

double mbox_covered(double coverage, double shutdown, double s, int fail_closed, const mbox_flow *f,
                    mbox_tally *t)
{
    mbox_flow seen = *f;
    double stopped = f->offered * shutdown, left = f->offered - stopped;
    t->dropped += stopped;
    seen.offered = coverage * left;
    double passed = mbox_one(s, fail_closed, &seen, t);
    t->passed += passed;
    return passed + (left - seen.offered);
}
