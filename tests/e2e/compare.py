#!/usr/bin/env python3
"""blockshift compare: a run against itself and against its counterfactual.

  - the default scenario against itself: "no differences", every dataset's
    largest difference 0;
  - the default scenario (A) against no-block (B): WhatsApp's failed calls
    are A's alone, more people keep WhatsApp first in B, the table has a row
    per app (by its display name) and per link class, and the figures of both are drawn, their
    legends with the apps' display names and the runs' names;
  - runs of different worlds (other apps and regions) or a foreign file are
    refused: exit 2, a message saying what differs, nothing written.

Run as: compare.py BLOCKSHIFT SOURCE_DIR (ctest does).
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import h5py

BIN, SRC = sys.argv[1], sys.argv[2]
results = {"passed": 0, "failed": 0}


def check(ok, what):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what)


tmp = tempfile.mkdtemp(prefix="bs-compare-")


def run(cfg):
    p = subprocess.run([BIN, "run", cfg, "-o", tmp, "--scale", "14600", "--quiet"], capture_output=True, text=True)
    check(p.returncode == 0, f"run {os.path.basename(cfg)}")


run(os.path.join(SRC, "scenarios", "whatsapp-then-facetime.cfg"))
run(os.path.join(SRC, "scenarios", "no-block.cfg"))
a = os.path.join(tmp, "whatsapp-then-facetime-seed1-run0.h5")
b = os.path.join(tmp, "no-block-seed1-run0.h5")


def compare(x, y, out):
    return subprocess.run([BIN, "compare", x, y, "-o", out], capture_output=True, text=True)


p = compare(a, a, os.path.join(tmp, "self"))
text = open(os.path.join(tmp, "self", "differences.txt")).read() if p.returncode == 0 else ""
check(p.returncode == 0 and "no differences" in p.stderr and text.rstrip().endswith("no differences"),
      "a run against itself: no differences")
worst = [line.split()[-1] for line in text.splitlines() if line.startswith("/")]
check(worst and all(float(w) == 0 for w in worst), f"every shared dataset's largest difference is 0 ({len(worst)} datasets)")

p = compare(a, b, os.path.join(tmp, "cf"))
text = open(os.path.join(tmp, "cf", "differences.txt")).read() if p.returncode == 0 else ""
check(p.returncode == 0 and "the runs differ" in p.stderr, "default against no-block: the runs differ")
# The per-app rows name the apps by A's display names (/app_label, as h5py
# reads it), a name with a space in double quotes: still five fields a row.
rows = {tuple(shlex.split(line)[:2]): [float(v) for v in shlex.split(line)[2:]] for line in text.splitlines()
        if len(shlex.split(line)) == 5 and not line.startswith(("#", "app"))}
with h5py.File(a, "r") as f:
    labels = [x.decode() for x in f["app_label"][()]]
shown = list(dict.fromkeys(k[0] for k in rows if k[1] == "primary"))
check(shown == labels and "Other apps" in labels and '"Other apps" ' in text,
      f"differences.txt: the apps by their display names, one with a space quoted: {shown}")
fa, fb, _ = rows[("WhatsApp", "failed")]
check(fa > 0 and fb == 0, "WhatsApp's failed calls are the blocked run's alone")
pa, pb, d = rows[("WhatsApp", "primary")]
check(pb > pa and abs(d - (pb - pa)) <= 1e-6 * pb, "more people keep WhatsApp first without the block; B - A")
classes = [line.split()[0] for line in text.splitlines() if len(line.split()) == 4 and not line.startswith(("#", "class"))]
check(classes == ["access", "metro", "core", "peering", "border", "foreign"], "a row per link class")
for name in ("primary", "border"):
    path = os.path.join(tmp, "cf", name + ".png")
    check(os.path.exists(path) and os.path.getsize(path) > 0 and path in p.stdout.split("\n"), f"{name}.png: A and B on shared axes")

# The legend: the apps by their display names (A's /app_label: the labels of
# configs/apps/russia-2025.cfg), each twice (B's marked), and the runs named
# by their files' scenario, seed and run.
dat = open(os.path.join(tmp, "cf", "primary.dat")).read().split("\n")
head = re.findall(r'"[^"]*"', [l for l in dat if not l.startswith("#")][0])
shown = ["WhatsApp", "Telegram", "Viber", "Signal", "FaceTime", "Max", "Other apps"]
check(head == ['"date"'] + [f'"{x}"' for x in shown] + [f'"{x} (B)"' for x in shown],
      "primary.dat: the apps' display names, A's then B's")
gp = open(os.path.join(tmp, "cf", "primary.gp")).read()
check("runA = 'A (solid): whatsapp-then-facetime-seed1-run0'" in gp and
      "runB = 'B (dashed): no-block-seed1-run0'" in gp, "primary.gp: the runs named in the title")

# Different worlds are refused.
with open(os.path.join(SRC, "configs", "networks", "toy.cfg")) as fh:
    toy = fh.read()
other = os.path.join(tmp, "other.cfg")
with open(other, "w") as fh:
    fh.write('scenario = { name = "other"; start = "2025-07-01"; end = "2026-03-01"; };\n'
             'regions = ( { name = "north"; population = 1000.0; isps = ( { name = "mobile"; share = 0.5; },'
             ' { name = "fixed"; kind = "fixed"; share = 0.5; } ); },'
             ' { name = "south"; population = 1000.0; isps = ( { name = "mobile"; share = 0.5; },'
             ' { name = "fixed"; kind = "fixed"; share = 0.5; } ); } );\n'
             'apps = ( { name = "whatsapp"; } );\n' + toy)
p = subprocess.run([BIN, "run", other, "-o", tmp, "--scale", "1", "--quiet"], capture_output=True, text=True)
check(p.returncode == 0, "a run of another world")
out = os.path.join(tmp, "refused")
p = compare(a, os.path.join(tmp, "other-seed1-run0.h5"), out)
check(p.returncode == 2 and "do not compare" in p.stderr and not os.path.exists(out),
      "another world: exit 2, what differs, nothing written")
foreign = os.path.join(tmp, "foreign.h5")
with open(foreign, "wb") as fh:
    fh.write(b"not hdf5")
p = compare(a, foreign, out)
check(p.returncode == 2 and p.stderr and not os.path.exists(out), "a foreign file: exit 2, nothing written")

shutil.rmtree(tmp)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
