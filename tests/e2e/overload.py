#!/usr/bin/env python3
"""A censor box below the load it must inspect (models/README.md, sections 2 and 5).

On the toy network (configs/networks/toy.cfg), two regions of 20,000 people
each; app "a" is blocked by ip everywhere from day 10 (strength 1, detection
1); every box can inspect 300 Mbit/s per direction, well under what its
people send and receive (about 0.5-1 Gbit/s of background alone).  The same
scenario runs with boxes that fail open and with boxes that fail closed:

  open:   the excess passes uninspected (uninspected > 0), so blocked calls
          partly succeed: "a" keeps a good share of its completed calls;
  closed: the excess is dropped (uninspected = 0): collateral is far higher,
          and no more calls on "a" complete than through a box that keeps up.
A third run with boxes of unlimited capacity is the reference.  Nobody takes
up a VPN (population.vpn_rate = 0, no initial VPN users), so what passes is
the boxes' doing alone: VPN uptake grows with every failed call (models/README.md,
section 4), and a closed box also fails calls on "b", so with VPNs on the
closed run would have more tunnelled calls on "a" for a reason that is not
the box's.

Then both runs check conservation on every link and hour.

Run as: overload.py BLOCKSHIFT SOURCE_DIR (ctest does).
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

BIN, SRC = sys.argv[1], sys.argv[2]
results = {"passed": 0, "failed": 0}


def check(ok, what):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what)


with open(os.path.join(SRC, "configs", "networks", "toy.cfg")) as fh:
    TOY = fh.read()

SCENARIO = """
scenario = {{ name = "overload-{mode}"; start = "2025-01-01"; end = "2025-01-31"; seed = 3; }};
population = {{ scale = 10.0; calls_per_day = 3.0; vpn_rate = 0.0; }};
regions = (
  {{ name = "north"; population = 20000.0; isps = (
      {{ name = "mobile"; share = 0.5; mbox_capacity = "{cap}"; mbox_failure = "{fail}"; }},
      {{ name = "fixed"; kind = "fixed"; share = 0.5; mbox_capacity = "{cap}"; mbox_failure = "{fail}"; }} ); }},
  {{ name = "south"; population = 20000.0; isps = (
      {{ name = "mobile"; share = 0.5; mbox_capacity = "{cap}"; mbox_failure = "{fail}"; }},
      {{ name = "fixed"; kind = "fixed"; share = 0.5; mbox_capacity = "{cap}"; mbox_failure = "{fail}"; }} ); }} );
apps = ( {{ name = "a"; installed = 0.9; }}, {{ name = "b"; installed = 0.5; }} );
vpns = ( {{ name = "wg"; detectability = 0.9; initial = 0.0; }} );
censor = {{ ip = {{ voice = 1.0; video = 1.0; messaging = 1.0; collateral = 0.0; }}; }};
events = ( {{ date = "2025-01-10"; action = "block"; apps = ["a"]; technique = "ip"; }} );
"""


def run(mode, tmp):
    cfg = os.path.join(tmp, f"{mode}.cfg")
    cap, fail = ("0bps", "open") if mode == "unlimited" else ("300Mbps", mode)
    with open(cfg, "w") as out:
        out.write(SCENARIO.format(mode=mode, cap=cap, fail=fail) + TOY)
    p = subprocess.run([BIN, "run", cfg, "-o", tmp, "--quiet"], capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stderr)
    check(p.returncode == 0, f"{mode}: blockshift run exits 0")
    return h5py.File(os.path.join(tmp, f"overload-{mode}-seed3-run0.h5"), "r")


tmp = tempfile.mkdtemp(prefix="bs-overload-")
f_open, f_closed, f_none = run("open", tmp), run("closed", tmp), run("unlimited", tmp)
block = 9  # 2025-01-10
after = slice(block + 3, None)
before = slice(2, block)

for name, f in (("open", f_open), ("closed", f_closed)):
    # (the unlimited run is the reference below)
    off, car = f["/network/link_offered"][:], f["/network/link_carried"][:]
    cap = f["/network/link_capacity"][:]
    check((car <= off * (1 + 1e-9) + 1e-6).all() and (car <= cap * (1 + 1e-9)).all(),
          f"{name}: carried <= offered and <= capacity on every link, every hour")
    check(f["/summary"].attrs["censor_overload_hours"] > 0 and f["/censor/overloaded"][:].max() == 4,
          f"{name}: the boxes are overloaded (all four at the peak)")
    insp = f["/censor/inspected"][:]
    check(insp.max() <= 2 * 300e6 * (1 + 1e-9), f"{name}: no box inspects more than its capacity, both directions")

unin_open, unin_closed = f_open["/censor/uninspected"][:], f_closed["/censor/uninspected"][:]
check(unin_open.sum() > 0, "open: traffic passes uninspected")
check(unin_closed.sum() == 0, "closed: nothing passes uninspected")
coll_open, coll_closed = f_open["/censor/collateral"][:].sum(), f_closed["/censor/collateral"][:].sum()
check(coll_closed > 10 * max(coll_open, 1.0), f"closed: collateral far above open ({coll_closed:.3g} vs {coll_open:.3g} bit/s-hours)")

apps = [x.decode() for x in f_open["/app"][:]]
a = apps.index("a")


def share_completed(f, app):
    """Completed / attempted calls on `app` after the block."""
    return f["/calls/completed"][after, app].sum() / f["/calls/attempted"][after, app].sum()


b = apps.index("b")
s_open, s_closed, s_none = (share_completed(f, a) for f in (f_open, f_closed, f_none))
b_closed, b_none = share_completed(f_closed, b), share_completed(f_none, b)
print(f"completed share of attempts on the blocked app: open {s_open:.3f}, closed {s_closed:.3f}, "
      f"unlimited box {s_none:.3f}; on the other app: closed {b_closed:.3f}, unlimited {b_none:.3f}")
# Through a box that inspects everything, with no VPNs, no call on "a" gets through.
check(s_open > 2 * s_none and s_open > 0.05, "open: blocked calls partly succeed, more than through a box that keeps up")
check(s_closed <= s_none + 0.005, "closed: blocked calls succeed no more than through a box that keeps up")
check(b_closed < 0.8 * b_none, "closed: the overload drops calls of the app nobody blocked (collateral)")
check((f_none["/censor/uninspected"][:] == 0).all() and f_none["/summary"].attrs["censor_overload_hours"] == 0,
      "unlimited: no overload")
carried_a_open = f_open["/network/app_carried"][:, a, :].sum(axis=1).reshape(-1, 24).mean(axis=1)
check(carried_a_open[after].mean() > 0, "open: the blocked app's traffic still flows")

for h5 in (f_open, f_closed, f_none):
    h5.close()
for name in os.listdir(tmp):
    os.unlink(os.path.join(tmp, name))
os.rmdir(tmp)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
