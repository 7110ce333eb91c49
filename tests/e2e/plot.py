#!/usr/bin/env python3
"""blockshift plot: the standard figures of a run.

  - every standard figure of the default scenario (at 10,000 agents) as a
    non-empty PNG, SVG and PDF, each next to its data file and gnuplot script;
  - the data files hold the HDF5 datasets they plot (national first choices,
    failed calls, VPN users; border load; the boxes' load), the apps' columns
    headed by their display names (/app_label, /vpn_label; the names in a
    file without them), the events' labels too;
  - re-running a script with gnuplot redraws its figure (restyling needs no
    new simulation);
  - bad input: a truncated file, a foreign HDF5 file, a missing one, an
    unknown format: exit 2 and no folder made; without gnuplot on the PATH:
    exit 1, how to install it, and no figure.

Run as: plot.py BLOCKSHIFT SOURCE_DIR (ctest does).
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


def check(ok, what, detail=""):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what + ("" if ok or not detail else "\n" + detail))


def plot(*args, env=None):
    return subprocess.run([BIN, "plot", *args], capture_output=True, text=True, env=env)


tmp = tempfile.mkdtemp(prefix="bs-plot-")
p = subprocess.run([BIN, "run", os.path.join(SRC, "scenarios", "whatsapp-then-facetime.cfg"), "-o", tmp,
                    "--scale", "14600", "--quiet"], capture_output=True, text=True)
check(p.returncode == 0, "default scenario runs")
h5 = os.path.join(tmp, "whatsapp-then-facetime-seed1-run0.h5")
figures = ["primary", "failed", "vpn", "border", "censor", "links"]
for fmt in ("png", "svg", "pdf"):
    out = os.path.join(tmp, "fig-" + fmt)
    p = plot(h5, "--format", fmt, "-o", out)
    check(p.returncode == 0 and p.stderr == "" and
          sorted(p.stdout.split("\n")[:-1]) == sorted(os.path.join(out, f"{n}.{fmt}") for n in figures),
          f"plot --format {fmt}: exit 0, each figure's path on stdout, nothing on stderr",
          p.stdout + p.stderr)
    for name in figures:
        path = os.path.join(out, f"{name}.{fmt}")
        ok = all(os.path.exists(os.path.join(out, f)) and os.path.getsize(os.path.join(out, f)) > 0
                 for f in (f"{name}.{fmt}", f"{name}.dat", f"{name}.gp"))
        check(ok and path in p.stdout, f"{name}.{fmt}: drawn, with {name}.dat and {name}.gp, path printed")
    check(not [f for f in os.listdir(out) if f.startswith(".")], f"{fmt}: no temporary file left")
check(open(os.path.join(tmp, "fig-png", "primary.png"), "rb").read(8) == b"\x89PNG\r\n\x1a\n", "PNG is a PNG")
check(open(os.path.join(tmp, "fig-pdf", "primary.pdf"), "rb").read(5) == b"%PDF-", "PDF is a PDF")
check(b"<svg" in open(os.path.join(tmp, "fig-svg", "primary.svg"), "rb").read(2000), "SVG is an SVG")

# The data files hold the datasets.
f = h5py.File(h5, "r")
apps = [a.decode() for a in f["/app"][:]]


def table(name):
    with open(os.path.join(tmp, "fig-png", name + ".dat")) as fh:
        rows = [line.split() for line in fh if not line.startswith("#")]
    fh_head = open(os.path.join(tmp, "fig-png", name + ".dat")).read().split("\n")
    # the header's names are quoted, one column each ("Other apps")
    head = [h.strip('"') for h in re.findall(r'"[^"]*"|\S+', [l for l in fh_head if not l.startswith("#")][0])]
    return head, np.array([[float(x) for x in r[1:]] for r in rows[1:]]), [r[0] for r in rows[1:]]


head, prim, dates = table("primary")
# the display names the scenario's apps have (configs/apps/russia-2025.cfg,
# apps.[].label, in the order of its apps), stored as /app_label on /app
shown = ["WhatsApp", "Telegram", "Viber", "Signal", "FaceTime", "Max", "Other apps"]
check([a.decode() for a in f["/app_label"][:]] == shown and
      [d.label for d in f["/app_label"].dims] == ["app"],
      "/app_label: the apps' labels of configs/apps/russia-2025.cfg, on the axis app")
check(head[1:] == shown and dates[0] == f["/day"].attrs["epoch"],
      "primary.dat: a column per app, headed by its display name; dates from the epoch", repr(head))
# the VPN protocols' too (configs/vpn/protocols.cfg, vpns.[].label), as /vpn_label
check([a.decode() for a in f["/vpn_label"][:]] == ["OpenVPN", "WireGuard", "Obfuscated"] and
      table("vpn")[0][1:] == ["OpenVPN", "WireGuard", "Obfuscated"],
      "/vpn_label and vpn.dat: the protocols' labels of configs/vpn/protocols.cfg")
for name in ("failed", "border"):
    check(table(name)[0][1:len(shown) + 1] == shown, f"{name}.dat: the apps' columns headed by their display names")
gp = open(os.path.join(tmp, "fig-png", "primary.gp")).read()
check("set label 'block WhatsApp' at '2025-08-13'" in gp and "set label 'block FaceTime' at '2025-12-04'" in gp,
      "primary.gp: the events' labels name the apps by their display names (the scenario's two blocks)")
check(np.allclose(prim, f["/population/primary"][:].sum(axis=1) / 1e6, rtol=1e-8), "primary.dat = /population/primary summed over regions, millions")
_, fail, _ = table("failed")
check(np.allclose(fail, f["/calls/failed"][:] / 1e6, rtol=1e-8), "failed.dat = /calls/failed, millions")
_, vpn, _ = table("vpn")
check(np.allclose(vpn, f["/population/vpn_users"][:].sum(axis=1) / 1e6, rtol=1e-8), "vpn.dat = /population/vpn_users summed, millions")
head, border, _ = table("border")
total = f["/network/border_total"][:].reshape(-1, 24).mean(axis=1) / 1e9
# each series' own values (gnuplot stacks them): the apps and the rest add up
# to /network/border_total
check(np.allclose(border[:, :len(apps) + 1].sum(axis=1), total, rtol=1e-8),
      "border.dat: the apps and the rest of the traffic add up to /network/border_total (daily mean, Gbit/s)")
vpn_b = f["/network/border_vpn"][:].reshape(-1, 24).mean(axis=1) / 1e9
check(np.allclose(border[:, len(apps) + 1], vpn_b, rtol=1e-8), "border.dat: the tunnelled load is /network/border_vpn")
wa = f["/network/border_app"][:, 0].reshape(-1, 24).mean(axis=1) / 1e9
check(np.allclose(border[:, 0], wa, rtol=1e-8), "border.dat: the first layer is WhatsApp's border load")
_, cens, _ = table("censor")
insp = f["/censor/inspected"][:].sum(axis=1).reshape(-1, 24).mean(axis=1) / 1e9
check(np.allclose(cens[:, 0], insp, rtol=1e-8), "censor.dat: inspected = /censor/inspected summed over boxes")
# the dropped load on a panel of its own, in its own unit: Gbit/s when its
# largest daily mean reaches 0.1 Gbit/s, else Mbit/s (plot.c's bit_unit)
chead, _, _ = table("censor")
drop = f["/censor/dropped"][:].sum(axis=1).reshape(-1, 24).mean(axis=1)
unit, name = (1e-9, "Gbit/s") if drop.max() >= 1e8 else (1e-6, "Mbit/s")
cgp = open(os.path.join(tmp, "fig-png", "censor.gp")).read()
check(drop.max() > 0 and np.allclose(cens[:, 2], drop * unit, rtol=1e-8) and
      chead[3] in ("dropped", f"dropped ({name})") and "set multiplot" in cgp and
      # its unit's label: on the lower panel, or in the middle of both
      # panels (at screen coordinates) when the upper one has the same unit
      (f"set label 990 '{name} (daily mean)' at screen" in cgp.split("unset title")[1] or
       re.search(rf"set label 990 '{re.escape(name)} \(daily mean\)' at screen [\d.]+, screen",
                 cgp.split("unset title")[0])),
      f"censor.dat: dropped = /censor/dropped summed, {name}, drawn on a lower panel of its own",
      repr(chead) + cgp[-800:])

# Restyle without running again.
out = os.path.join(tmp, "fig-png")
os.remove(os.path.join(out, "vpn.png"))
g = subprocess.run(["gnuplot", "vpn.gp"], cwd=out, capture_output=True, text=True)
check(g.returncode == 0 and os.path.getsize(os.path.join(out, "vpn.png")) > 0, "gnuplot vpn.gp redraws vpn.png")
# from another folder: the script finds its data and draws next to itself
os.remove(os.path.join(out, "vpn.png"))
g = subprocess.run(["gnuplot", os.path.join(out, "vpn.gp")], cwd=tmp, capture_output=True, text=True)
check(g.returncode == 0 and os.path.getsize(os.path.join(out, "vpn.png")) > 0,
      "gnuplot DIR/vpn.gp from another folder redraws DIR/vpn.png", g.stderr)
# without its data it stops, saying so, and draws nothing
lonely = os.path.join(tmp, "lonely")
os.makedirs(lonely)
shutil.copy(os.path.join(out, "vpn.gp"), lonely)
g = subprocess.run(["gnuplot", "vpn.gp"], cwd=lonely, capture_output=True, text=True)
check(g.returncode != 0 and "cannot read the data file" in g.stderr and not os.path.exists(os.path.join(lonely, "vpn.png")),
      "a script without its data file fails, saying so", g.stderr)
# the look: the palette has no pale yellow, and every line type its dash pattern
gp = open(os.path.join(out, "primary.gp")).read()
check("#F0E442" not in gp and gp.count(" lc rgb '#") == 8 and "dt (14,6)" in gp,
      "primary.gp: Okabe-Ito colours without the yellow, a dash pattern per line type")
# The legend fits right of the plot area: each line of an entry at most as
# many characters as the room holds (screen: (0.22 x 1280 px - 6.6 x 14 pt) /
# (0.78 x 14 pt) = 17, slides: (0.26 x 1600 - 4.6 x 24) / (0.78 x 24) = 16,
# from the widths measured on the links figure at 14 pt: a 19-character
# name took 206 px, the sample and padding 93), long link names shortened
# to REGION: A->B and broken into lines; joined again, each entry names its
# .dat column.
def legend(gp):
    """{k: [lines]} of the script's keytitle[k] = 'a' . "\n" . 'b'."""
    keys = {}
    for k, expr in re.findall(r"^keytitle\[(\d+)\] = (.*)$", open(gp).read(), re.M):
        keys[int(k)] = [x.replace("''", "'") for x in re.findall(r"'((?:[^']|'')*)'", expr)]
    return keys


def unwrap(lines):
    """The name an entry's lines show: lines broken after '-', '>', '_', '/'
    join as they are, those broken at a space (dropped) with one; REGION:
    A->B is REGION-A->REGION-B."""
    s = lines[0]
    for line in lines[1:]:
        s += ("" if s[-1] in "->_/" else " ") + line
    m = re.fullmatch(r"(.+): (.+)->(.+)", s)
    return f"{m.group(1)}-{m.group(2)}->{m.group(1)}-{m.group(3)}" if m else s


for style, width in (("screen", 17), ("slides", 16)):
    out = os.path.join(tmp, "fig-key-" + style)
    p = plot(h5, "-o", out, "--style", style)
    longest, same = 0, True
    for name in figures:
        keys = legend(os.path.join(out, name + ".gp"))
        with open(os.path.join(out, name + ".dat")) as fh:
            head = [l for l in fh if not l.startswith("#")][0]
        cols = [c.replace('\\"', '"') for c in re.findall(r'"((?:[^"\\]|\\.)*)"', head)][1:]
        longest = max([longest] + [len(l) for v in keys.values() for l in v])
        same = same and len(keys) >= 1 and all(unwrap(keys[k]) == cols[k - 1] for k in keys)
    check(p.returncode == 0 and longest <= width and same,
          f"--style {style}: legend lines at most {width} characters (longest {longest}), "
          f"each entry its .dat column's name")
links_keys = legend(os.path.join(tmp, "fig-key-screen", "links.gp"))
check(any(len(v) > 1 for v in links_keys.values()), f"links: long link names broken into lines: {links_keys}")

# --style and --size
p = plot(h5, "-o", os.path.join(tmp, "fig-paper"), "--style", "paper", "--size", "900x500")
sig = open(os.path.join(tmp, "fig-paper", "primary.png"), "rb").read(24)
w, hgt = int.from_bytes(sig[16:20], "big"), int.from_bytes(sig[20:24], "big")
check(p.returncode == 0 and (w, hgt) == (900, 500), f"--style paper --size 900x500: a 900x500 PNG ({w}x{hgt})")
# The y axis's label whole inside the figure, clear of the tic labels, at
# every style.  The label's pixels are those that change when the script is
# drawn again with the label's text emptied (gnuplot -e "outfile=..." on a
# copy of the .gp next to its .dat): they must not touch the left edge, and
# the figure without the label must be blank where the label is (a margin
# of 3 pixels right of it): no tic label under it; and its pixels must reach
# beside each panel.  The border and censor
# figures have tic labels up to 10000, which pushed gnuplot's own ylabel off
# the left edge at slides and paper (the upper panel's label gone, the
# lower's cut).
from PIL import Image, ImageChops


def label_box(out, name, label):
    """The label's pixels' box (left, top, right, bottom) and whether the
    figure without it is blank there; (None, False, why) if not drawn."""
    gp = open(os.path.join(out, name + ".gp")).read()
    q = "'" + label.replace("'", "''") + "'"
    bare = os.path.join(out, name + "-bare.gp")
    with open(bare, "w") as fh:
        fh.write(gp.replace(q, "''"))
    png = os.path.join(out, name + "-bare.png")
    g = subprocess.run(["gnuplot", "-e", f"outfile='{png}'", bare], capture_output=True, text=True)
    if g.returncode != 0 or q not in gp:
        return None, False, g.stderr
    full = Image.open(os.path.join(out, name + ".png")).convert("L")
    without = Image.open(png).convert("L")
    box = ImageChops.difference(full, without).point(lambda v: 255 if v > 40 else 0).getbbox()
    if not box:
        return None, False, "the label draws nothing"
    under = without.crop((0, box[1], box[2] + 3, box[3]))
    # beside each panel (its rows: tmargin, bmargin at screen, from the
    # bottom): a label there, or one across both panels
    tops = [float(x) for x in re.findall(r"set tmargin at screen ([\d.]+)", gp)]
    bottoms = [float(x) for x in re.findall(r"set bmargin at screen ([\d.]+)", gp)]
    beside = all(box[1] < (1 - b) * full.height and box[3] > (1 - t) * full.height
                 for t, b in zip(tops, bottoms))
    return box, min(under.getdata()) > 215 and beside, ""


for style in ("screen", "paper", "slides"):
    out = os.path.join(tmp, "fig-ylabel-" + style)
    p = plot(h5, "-o", out, "--style", style)
    for name, label in (("censor", "Gbit/s (daily mean)"), ("border", "Gbit/s (daily mean)"),
                        ("primary", "million people")):
        box, clear, err = label_box(out, name, label)
        check(p.returncode == 0 and box is not None and box[0] > 0 and clear,
              f"--style {style} {name}: the y axis's label inside the figure, clear of the tic labels",
              f"label's pixels {box}, nothing else there and beside each panel: {clear} {err}")

for bad in (["--style", "poster"], ["--size", "12"], ["--size", "0x100"]):
    p = plot(h5, "-o", os.path.join(tmp, "fig-bad"), *bad)
    check(p.returncode == 2 and bad[0] in p.stderr and not os.path.exists(os.path.join(tmp, "fig-bad")),
          f"{' '.join(bad)}: exit 2 naming the option, nothing written")

# A file of format version 2 written before labels (no /app_label): the ids.
nolab = os.path.join(tmp, "nolabel.h5")
shutil.copy(h5, nolab)
with h5py.File(nolab, "r+") as x:
    del x["/app_label"]
    del x["/vpn_label"]
p = plot(nolab, "-o", os.path.join(tmp, "fig-nolabel"))
with open(os.path.join(tmp, "fig-nolabel", "primary.dat")) as fh:
    head = [h.strip('"') for h in re.findall(r'"[^"]*"|\S+', [l for l in fh if not l.startswith("#")][0])]
check(p.returncode == 0 and head[1:] == apps, "a file without /app_label: the apps' names head the columns",
      p.stderr + repr(head))
with open(os.path.join(tmp, "fig-nolabel", "vpn.dat")) as fh:
    head = [h.strip('"') for h in re.findall(r'"[^"]*"|\S+', [l for l in fh if not l.startswith("#")][0])]
check(head[1:] == [v.decode() for v in f["/vpn"][:]], "and without /vpn_label the protocols' names", repr(head))

# Bad input.
trunc = os.path.join(tmp, "trunc.h5")
with open(h5, "rb") as src, open(trunc, "wb") as dst:
    dst.write(src.read(4096))
foreign = os.path.join(tmp, "foreign.h5")
with h5py.File(foreign, "w") as x:
    x["a"] = np.arange(3)
for args, what in (([trunc], "truncated"), ([foreign], "not ours"), ([os.path.join(tmp, "none.h5")], "missing"),
                   ([h5, "--format", "gif"], "gif")):
    d = os.path.join(tmp, "bad-" + what.replace(" ", "-"))
    p = plot(*args, "-o", d)
    check(p.returncode == 2 and p.stderr and not os.path.exists(d), f"plot of a {what} input: exit 2, a message, no folder")
# The event strip: russia-2024-2026's nine events, in three clusters of
# two or three within weeks (August-September 2025, December 2025, February
# 2026; 10^3 agents, 10 s of CPU): no two labels in
# one row run into each other, in the SVG's own positions (gnuplot's
# translate(x,y) of each label, left-aligned; a label's width at most 0.64
# of its font size a character: DejaVu Sans, by its glyph widths).  With
# three rows, "block FaceTime" ran into "block FaceTime" and "block
# WhatsApp" in the top row.
p1 = subprocess.run([BIN, "run", os.path.join(SRC, "scenarios", "russia-2024-2026.cfg"), "-o", tmp,
                     "--scale", "146000", "--quiet"], capture_output=True, text=True)
ru = p1.stdout.strip()
p = plot(ru, "-o", os.path.join(tmp, "fig-ru"), "--format", "svg")
svg = open(os.path.join(tmp, "fig-ru", "failed.svg")).read() if p.returncode == 0 else ""
labels = [(float(x), float(y), float(fs), t) for x, y, fs, t in re.findall(
    r'translate\(([\d.]+),([\d.]+)\)" stroke="none" fill="rgb\(51,51,51\)"[^>]*font-size="([\d.]+)"'
    r'\s+text-anchor="start">\s*<text>([^<]*)</text>', svg)]
clash = [(a[3], b[3]) for a in labels for b in labels
         if a is not b and a[1] == b[1] and a[0] <= b[0] < a[0] + 0.64 * a[2] * len(a[3])]
check(p1.returncode == 0 and p.returncode == 0 and len(labels) == 9 and not clash,
      f"russia-2024-2026: its 9 event labels, none running into another in its row "
      f"({len(set(l[1] for l in labels))} rows)", f"{clash} {len(labels)} {p1.stderr[-300:]}")

# A calibration's posterior.h5 (a tiny calibration, faultkit's: 3 s) and a
# file as a sweep's index.h5 says it is (kind "sweep-index"): exit 2, the
# message says what the file is and what to do instead (calibrate's
# figure and its script, the sweep's folder), no folder made even with -o.
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
from faultkit import tiny_calibration  # noqa: E402
cal_dir = os.path.join(tmp, "cal")
os.mkdir(cal_dir)
cal = tiny_calibration(SRC, cal_dir, "plot of a posterior")
c = subprocess.run([os.path.abspath(BIN), "calibrate", cal, "-o", os.path.join(cal_dir, "out"), "--quiet"],
                   capture_output=True, text=True, cwd=cal_dir)
post = os.path.join(cal_dir, "out", "posterior.h5")
d = os.path.join(tmp, "fig-posterior", "deeper")
p = plot(post, "-o", d)
check(c.returncode == 0 and p.returncode == 2 and "a calibration's posterior" in p.stderr and
      os.path.join(cal_dir, "out", "fit.gp") in p.stderr and not os.path.exists(os.path.dirname(d)),
      "plot of a calibration's posterior.h5: exit 2 naming calibrate's figure and its script, no folder",
      c.stderr + p.stderr)
index = os.path.join(tmp, "sweepish", "index.h5")
os.mkdir(os.path.dirname(index))
with h5py.File(index, "w") as x:
    x.attrs["kind"] = "sweep-index"
    x.attrs["format"] = "blockshift-results"
    x.attrs["format_version"] = 2
    x.attrs["complete"] = 1
p = plot(index, "-o", d)
check(p.returncode == 2 and "a sweep's index" in p.stderr and f"blockshift plot {os.path.dirname(index)}" in p.stderr
      and not os.path.exists(os.path.dirname(d)),
      "plot of a sweep's index.h5: exit 2 saying to plot the sweep's folder, no folder", p.stderr)
nognu = os.path.join(tmp, "nognu")
p = plot(h5, "-o", nognu, env=dict(os.environ, PATH="/nonexistent"))
check(p.returncode == 1 and "gnuplot-nox" in p.stderr and not os.path.exists(nognu),
      "without gnuplot: exit 1, how to install it, nothing drawn")

f.close()
shutil.rmtree(tmp)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
