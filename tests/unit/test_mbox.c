/* Unit tests of the censor box for fluid traffic (models/mbox.h).  Each test
 * states the box, the aggregates and the answer worked out by hand from the
 * formulas in the header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "censor/mbox.h"
#include "base/status.h"

/* One tolerance for every comparison: rates here are O(100). */
static int near(double a, double b) { return fabs(a - b) <= 1e-9 * (1 + fabs(b)); }

/* Unlimited box, one aggregate of 100 with b = 0.9: 90 dropped, 10 passed,
 * all inspected. */
static void block_without_overload(void **state)
{
    (void)state;
    mbox_flow f = {100, 0.9, 0, 1};
    double out;
    mbox_tally t = {0};
    assert_int_equal(mbox_pass(0, 0, 1, &f, &out, &t), BS_OK);
    assert_true(near(out, 10) && near(t.dropped, 90) && near(t.inspected, 100));
    assert_true(t.uninspected == 0 && t.collateral == 0 && t.throttled == 0);
}

/* Collateral: 100 of traffic no rule targets, k = 0.05: 5 dropped by
 * mistake (counted as dropped and as collateral), 95 passed. */
static void collateral(void **state)
{
    (void)state;
    mbox_flow f = {100, 0, 0.05, 1};
    double out;
    mbox_tally t = {0};
    assert_int_equal(mbox_pass(0, 0, 1, &f, &out, &t), BS_OK);
    assert_true(near(out, 95) && near(t.dropped, 5) && near(t.collateral, 5));
}

/* Throttle: video calls of 1 Mbit/s policed at 130 kbit/s pass t = 0.13 of
 * their bytes: of 100 offered, 13 pass and 87 are throttled. */
static void throttle(void **state)
{
    (void)state;
    mbox_flow f = {100, 0, 0, 0.13};
    double out;
    mbox_tally t = {0};
    assert_int_equal(mbox_pass(0, 0, 1, &f, &out, &t), BS_OK);
    assert_true(near(out, 13) && near(t.throttled, 87) && t.dropped == 0);
}

/* Overload, failing open: capacity 50 for 60 (fully blocked) + 40 (not
 * targeted) = 100 offered, so half of each is inspected.  Blocked: 30
 * inspected and dropped, 30 uninspected and passed (blocked calls partly
 * succeed); the other: 20 + 20 passed.  Uninspected 50, dropped 30. */
static void overload_open(void **state)
{
    (void)state;
    mbox_flow f[2] = {{60, 1, 0, 1}, {40, 0, 0, 1}};
    double out[2];
    mbox_tally t = {0};
    assert_int_equal(mbox_pass(50, 0, 2, f, out, &t), BS_OK);
    assert_true(near(out[0], 30) && near(out[1], 40));
    assert_true(near(t.inspected, 50) && near(t.uninspected, 50) && near(t.dropped, 30));
    assert_true(t.collateral == 0);
}

/* The same box failing closed: the uninspected halves are dropped: blocked
 * 0 passed, the other 20.  Dropped 30 + 50 = 80; of the excess, the 20 of
 * traffic no rule targeted is collateral. */
static void overload_closed(void **state)
{
    (void)state;
    mbox_flow f[2] = {{60, 1, 0, 1}, {40, 0, 0, 1}};
    double out[2];
    mbox_tally t = {0};
    assert_int_equal(mbox_pass(50, 1, 2, f, out, &t), BS_OK);
    assert_true(near(out[0], 0) && near(out[1], 20));
    assert_true(near(t.dropped, 80) && near(t.collateral, 20) && t.uninspected == 0);
}

/* Conservation on random boxes and aggregates: offered = passed + dropped +
 * throttled, per box; each aggregate passes at most what it offers; the
 * tally's passed is the sum of the aggregates'. */
static void conservation(void **state)
{
    (void)state;
    srand(7);
    for (int round = 0; round < 500; round++) {
        int n = 1 + rand() % 20;
        mbox_flow f[20];
        double out[20], offered = 0, sum = 0;
        for (int i = 0; i < n; i++) {
            f[i] = (mbox_flow){1000.0 * rand() / RAND_MAX, (double)rand() / RAND_MAX,
                               0.1 * rand() / RAND_MAX, (double)rand() / RAND_MAX};
            offered += f[i].offered;
        }
        double cap = round % 3 == 0 ? 0 : offered * (0.2 + 1.5 * rand() / RAND_MAX);
        mbox_tally t = {0};
        assert_int_equal(mbox_pass(cap, round % 2, n, f, out, &t), BS_OK);
        for (int i = 0; i < n; i++) {
            assert_true(out[i] >= 0 && out[i] <= f[i].offered * (1 + 1e-12));
            sum += out[i];
        }
        assert_true(near(t.passed + t.dropped + t.throttled, offered));
        assert_true(near(t.passed, sum));
        assert_true(t.inspected <= offered * (1 + 1e-12));
        if (cap > 0)
            assert_true(t.inspected <= cap * (1 + 1e-12));
    }
}

/* Bad input: a negative or NaN rate, a share outside [0, 1], an infinite
 * capacity: BS_EINPUT, and nothing written. */
static void bad_input(void **state)
{
    (void)state;
    mbox_flow bad[] = {{-1, 0, 0, 1}, {NAN, 0, 0, 1}, {1, 1.5, 0, 1}, {1, 0, -0.1, 1},
                       {1, 0, 0, NAN}, {INFINITY, 0, 0, 1}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        double out = 42;
        mbox_tally t = {0};
        assert_int_equal(mbox_pass(0, 0, 1, &bad[k], &out, &t), BS_EINPUT);
        assert_true(out == 42 && t.passed == 0);
    }
    mbox_flow ok = {1, 0, 0, 1};
    double out = 42;
    mbox_tally t = {0};
    assert_int_equal(mbox_pass(INFINITY, 0, 1, &ok, &out, &t), BS_EINPUT);
    assert_int_equal(mbox_pass(-5, 0, 1, &ok, &out, &t), BS_EINPUT);
    assert_true(out == 42);
}

/* mbox_covered: 100 offered at a box of coverage 0.5 under a shutdown of
 * 0.2, block 0.5, collateral 0.1, the box inspecting s = 0.5 of what it
 * sees.  The shutdown stops 20 (dropped); the box sees 0.5 of the other 80
 * = 40 and inspects 20 of it: 10 caught, 1 of the other 10 by mistake, 9
 * pass; the 20 uninspected pass (open), or are dropped (closed); the 40
 * unseen pass.  Open: passed 9 + 20 + 40 = 69, dropped 20 + 11 = 31.
 * Closed: passed 9 + 40 = 49, dropped 20 + 11 + 20 = 51.  passed + dropped
 * = 100 both ways, and t->passed counts only what the box passed (29, 9). */
static void covered_and_shutdown(void **state)
{
    (void)state;
    mbox_flow f = {100, 0.5, 0.1, 1};
    for (int closed = 0; closed < 2; closed++) {
        mbox_tally t = {0};
        double out = mbox_covered(0.5, 0.2, 0.5, closed, &f, &t);
        assert_true(near(out, closed ? 49 : 69));
        assert_true(near(t.dropped, closed ? 51 : 31));
        assert_true(near(t.passed, closed ? 9 : 29));
        assert_true(near(t.inspected, 20) && near(t.collateral, closed ? 1 + 20 * 0.5 : 1));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(covered_and_shutdown), cmocka_unit_test(block_without_overload),
        cmocka_unit_test(collateral),           cmocka_unit_test(throttle),
        cmocka_unit_test(overload_open),        cmocka_unit_test(overload_closed),
        cmocka_unit_test(conservation),         cmocka_unit_test(bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
