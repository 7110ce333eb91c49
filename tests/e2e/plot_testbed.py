#!/usr/bin/env python3
"""blockshift plot of a testbed matrix and of folders it cannot plot.

  - a small matrix of configs/testbeds/tspu.cfg (WhatsApp; stun, vpn rules;
    no VPN, OpenVPN; one call a class) is plotted: exit 0, seven figures
    (usable, detect, collateral, media_loss, goodput_share, delay,
    validation), each a complete PNG with its
    .dat and .gp, their paths on stdout;
  - every cell of usable.dat and detect.dat (a block per call class) is the
    file's /testbed/usable and /testbed/detect for that case as h5py reads
    it, the row and column named by the script's tics (APP, no VPN / APP via
    VPN, by the display names the file holds, /app_label and /vpn_label; the
    technique, "no rule" for none); detect's -1 (not a classifying
    technique) is n/a; collateral.dat is /testbed/collateral; media_loss,
    goodput_share and delay (in ms) the file's, n/a where no call of the
    case's class was set up (/testbed/setup_success 0); a file
    without display names (written before them) gets the ids;
  - validation.dat holds each link that carries load: the flow engine's
    prediction and ns-3's measure in Mbit/s, as h5py reads them;
  - validation.gp run from another folder draws the figure;
  - a folder of figures a command drew (validate's CASE.gp, calibrate's
    fit.gp next to a summary.txt that is not a sweep's) is refused: exit 2,
    the message names the script to redraw it with.

Run as: plot_testbed.py BLOCKSHIFT SOURCE_DIR (ctest does).
"""
import os
import re
import shutil
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


tmp = tempfile.mkdtemp(prefix="bs-plot-testbed-")
out = os.path.join(tmp, "tb")
p = subprocess.run([BIN, "testbed", os.path.join(SRC, "configs", "testbeds", "tspu.cfg"), "-o", out,
                    "--set", 'testbed.apps=["whatsapp"]', "--set", 'testbed.techniques=["stun", "vpn"]',
                    "--set", 'testbed.vpns=["openvpn"]', "--set", "testbed.calls=2", "--quiet"],
                   capture_output=True, text=True, cwd=SRC)
check(p.returncode == 0, "the small matrix: exit 0 " + p.stderr[-300:])
h5 = os.path.join(out, "tspu-testbed-testbed-seed1.h5")
fig = os.path.join(tmp, "fig")
p = subprocess.run([BIN, "plot", h5, "-o", fig], capture_output=True, text=True, cwd=SRC)
check(p.returncode == 0, "plot of a testbed matrix: exit 0 " + p.stderr[-300:])
names = ["usable", "detect", "collateral", "media_loss", "goodput_share", "delay", "validation"]
check(p.stdout.split() == [os.path.join(fig, n + ".png") for n in names],
      f"the seven figures' paths on stdout: {p.stdout.split()}")
for n in names:
    png = os.path.join(fig, n + ".png")
    ok = os.path.exists(png) and open(png, "rb").read()[-8:-4] == b"IEND"
    ok = ok and all(os.path.exists(os.path.join(fig, n + e)) for e in (".dat", ".gp"))
    check(ok, f"{n}: a complete PNG with its .dat and .gp")


def tics(gp, axis):
    """The names of the script's `set Xtics ('name' k, ...)`, by k."""
    m = re.search(r"^set %stics \((.*)\)$" % axis, gp, re.M)
    return {int(k): s.replace("''", "'") for s, k in re.findall(r"'((?:[^']|'')*)' (\d+)", m.group(1))} if m else {}


def cells(name):
    """{(block, column name, row name): (value, label)} of NAME.dat."""
    gp = open(os.path.join(fig, name + ".gp")).read()
    xs, ys = tics(gp, "x"), tics(gp, "y")
    got, block = {}, 0
    text = open(os.path.join(fig, name + ".dat")).read()
    for b, chunk in enumerate(text.split("\n\n\n")):
        for line in chunk.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            t, r, v, lab = line.split(" ", 3)
            got[(b, xs.get(int(t)), ys.get(int(r)))] = (float(v), lab.strip('"'))
    return got


with h5py.File(h5, "r") as f:
    # the display names of the scenario's apps and VPN protocols (apps.[].label
    # of configs/apps/russia-2025.cfg, vpns.[].label of configs/vpn), as a
    # run's file has them: /app_label on /app, /vpn_label on /vpn
    shown = {a.decode(): l.decode() for a, l in zip(f["app"][()], f["app_label"][()])} if "app_label" in f else {}
    shown.update({v.decode(): l.decode() for v, l in zip(f["vpn"][()], f["vpn_label"][()])} if "vpn_label" in f else {})
    cases = [c.decode() for c in f["case"][()]]
    usable, detect = f["testbed/usable"][()], f["testbed/detect"][()]
    coll = f["testbed/collateral"][()]
    up, loss = f["testbed/setup_success"][()], f["testbed/media_loss"][()]
    good, delay = f["testbed/goodput_share"][()], f["testbed/delay"][()]
    pred, meas = f["testbed/validation/predicted"][()], f["testbed/validation/measured"][()]


check(shown.get("whatsapp") == "WhatsApp" and shown.get("openvpn") == "OpenVPN" and shown.get("max") == "Max",
      f"the testbed file names the apps and VPNs for display: /app_label, /vpn_label ({shown})")


def where(case, names=shown):
    app, tech, vpn = case.split("/")
    app, vpn = names.get(app, app), names.get(vpn, vpn)
    return ("no rule" if tech == "none" else tech), (f"{app}, no VPN" if vpn == "none" else f"{app} via {vpn}")


# the measures of connected calls: n/a where none of a case's class was set
# up (-1 here); the delay in ms, a whole number in its cell
def connected(x):
    return np.where(up > 0, x, -1)


for name, x, scale in (("usable", usable, 0), ("detect", detect, 0), ("collateral", coll[:, None], 0),
                       ("media_loss", connected(loss), 0), ("goodput_share", connected(good), 0),
                       ("delay", connected(delay), 1e3)):
    got = cells(name)
    want = {}
    for c, case in enumerate(cases):
        col, row = where(case)
        for k in range(x.shape[1]):
            v = x[c, k]
            want[(k, col, row)] = ((v * scale, "%.0f" % (v * scale)) if v >= 0 and scale else
                                   (v, "%.0f%%" % (100 * v)) if v >= 0 else (float("nan"), "n/a"))
    same = set(got) == set(want) and all(
        (np.isnan(got[k][0]) and np.isnan(want[k][0]) or abs(got[k][0] - want[k][0]) < 1e-8 * max(1, abs(want[k][0])))
        and got[k][1] == want[k][1] for k in want)
    check(same, f"{name}.dat: each case's value where its app, VPN and technique are "
                f"({len(want)} cells{', some n/a' if any(np.isnan(w[0]) for w in want.values()) else ''})")
check(any(v[1] == "n/a" for v in cells("detect").values()), "detect: the no-rule cases are n/a")
check(any(v[1] == "n/a" for v in cells("delay").values()) and (up == 0).any() and (up > 0).any(),
      "delay: n/a for a case whose calls were not set up (the stun rule blocks WhatsApp)")

# A testbed file written before the display names (no /app, /app_label, /vpn,
# /vpn_label): the rows name the apps and VPNs by their ids.
old = os.path.join(tmp, "old.h5")
shutil.copy(h5, old)
with h5py.File(old, "r+") as f:
    for d in ("app_label", "vpn_label", "app", "vpn"):
        del f[d]
fig_new, fig = fig, os.path.join(tmp, "fig-old")
p = subprocess.run([BIN, "plot", old, "-o", fig], capture_output=True, text=True, cwd=SRC)
rows = set(r for _, _, r in cells("usable"))
check(p.returncode == 0 and rows == {"whatsapp, no VPN", "whatsapp via openvpn"},
      f"a testbed file without display names: rows by the ids ({sorted(rows)}) {p.stderr[-200:]}")
fig = fig_new

blocks = [b for b in open(os.path.join(fig, "validation.dat")).read().split("\n\n\n")]
ok = len(blocks) == pred.shape[0]
for k in range(min(len(blocks), pred.shape[0])):
    rows = np.array([[float(v) for v in l.split()] for l in blocks[k].splitlines()
                     if l.strip() and not l.startswith("#")])
    keep = (pred[k] > 0) | (meas[k] > 0)
    want = np.column_stack([pred[k][keep], meas[k][keep]]) * 1e-6
    ok = ok and rows.shape == want.shape and np.allclose(rows, want, rtol=1e-8)
check(ok, "validation.dat: the loaded links' predicted and measured loads, in Mbit/s")

# A figure too small for its text (--size 200x100): the layout stays a
# layout (margins inside the figure and in order, fonts of 4 points or more)
tiny = os.path.join(tmp, "tiny")
p = subprocess.run([BIN, "plot", h5, "-o", tiny, "--size", "200x100"], capture_output=True, text=True, cwd=SRC)
gp = open(os.path.join(tiny, "usable.gp")).read() if p.returncode == 0 else ""
m = {k: [float(v) for v in re.findall(rf"set {k} at screen ([-\d.]+)", gp)] for k in ("tmargin", "bmargin", "lmargin", "rmargin")}
fonts = [float(v) for v in re.findall(r"font ',([-\d.e]+)'", gp)]
check(p.returncode == 0 and m["tmargin"] and all(0 <= b < t <= 1 for t, b in zip(m["tmargin"], m["bmargin"]))
      and all(0 <= l < r <= 1 for l, r in zip(m["lmargin"], m["rmargin"])) and fonts and min(fonts) >= 4,
      f"--size 200x100: margins inside the figure and in order, fonts >= 4 pt ({m}, {fonts})")

elsewhere = os.path.join(tmp, "elsewhere")
os.mkdir(elsewhere)
os.remove(os.path.join(fig, "validation.png"))
p = subprocess.run(["gnuplot", os.path.join(fig, "validation.gp")], capture_output=True, text=True, cwd=elsewhere)
check(p.returncode == 0 and os.path.getsize(os.path.join(fig, "validation.png")) > 1000,
      "validation.gp run from another folder draws the figure next to it")

# Folders of figures their command drew: not sweeps, said so.
val = os.path.join(tmp, "validate-out")
os.mkdir(val)
shutil.copy(os.path.join(fig, "validation.gp"), os.path.join(val, "case.gp"))
cal = os.path.join(tmp, "calibrate-out")
os.mkdir(cal)
shutil.copy(os.path.join(fig, "validation.gp"), os.path.join(cal, "fit.gp"))
with open(os.path.join(cal, "summary.txt"), "w") as fh:
    fh.write("# posterior of the calibration\napps.b.installed median 0.5\n")
for d, gp in ((val, "case.gp"), (cal, "fit.gp")):
    p = subprocess.run([BIN, "plot", d], capture_output=True, text=True, cwd=SRC)
    check(p.returncode == 2 and "not a sweep folder" in p.stderr and os.path.join(d, gp) in p.stderr
          and not os.path.exists(os.path.join(d, "plots")),
          f"plot of a folder of drawn figures ({gp}): exit 2, the script named: {p.stderr.strip()[:160]}")

shutil.rmtree(tmp)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
