#!/usr/bin/env python3
"""End to end: slim results files, run --output full|daily|summary and a
sweep file's output (issue 16).

The default scenario (with the flow engine, 1,000 agents) run three times
with the same seed and run:
- full has the hourly network and censor datasets (so the checks below can
  fail); daily has none of them (no dataset under /network or /censor, no
  hour, link or mbox scale at the root or in any group) but the daily
  /population and /calls; summary has only
  /config/text as a dataset;
- the /summary numbers are identical (every attribute, bit for bit) in the
  three files: they are computed from the same in-memory run before writing;
- info says what a slim file is; plot of a daily file draws the three
  population figures and says why the others are not there; plot and
  compare of a summary file exit 2 saying there is nothing to draw;
  --output with another word exits 2;
- a sweep whose file says output = "summary" collects the same numbers as
  the same sweep with full files, and its run files hold no series.

usage: slim_output.py BLOCKSHIFT_BIN SOURCE_DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

BIN, SRC = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
from e2e_kit import check, finish  # noqa: E402
from sweep_compare import runs_table  # noqa: E402


tmp = tempfile.mkdtemp(prefix="bs-slim-")
ENV = dict(os.environ, OMP_NUM_THREADS="1")


def bs(*args):
    return subprocess.run([BIN, *args], cwd=tmp, capture_output=True, text=True, env=ENV,
                          stdin=subprocess.DEVNULL)


def datasets(path):
    out = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.append(n) if isinstance(o, h5py.Dataset) else None)
    return out


def summary(path):
    with h5py.File(path, "r") as f:
        return {k: f["summary"].attrs[k] for k in f["summary"].attrs}


scen = os.path.join(SRC, "scenarios", "whatsapp-then-facetime.cfg")
files = {}
for level in ("full", "daily", "summary"):
    out = os.path.join(tmp, level)
    p = bs("run", scen, "-o", out, "--scale", "146000", "--output", level, "--quiet")
    files[level] = p.stdout.strip()
    check(p.returncode == 0 and os.path.exists(files[level]), f"run --output {level}: exit 0",
          p.stderr)
full, daily, summ = (datasets(files[k]) for k in ("full", "daily", "summary"))
# the hour, link and mbox scales: at the root and (format 2) copied into each
# group whose datasets use them
NET_SCALES = ("hour", "link", "mbox")
hourly = [d for d in full if d.startswith(("network/", "censor/")) or d.split("/")[-1] in NET_SCALES]
check(len(hourly) >= 15 and "population/primary" in full and "hour" in full
      and "network/hour" in full, f"full: {len(hourly)} network, censor "
      "and hour datasets (/hour and its copy /network/hour among them), and the population's")
check(not [d for d in daily if d.startswith(("network/", "censor/")) or d.split("/")[-1] in NET_SCALES]
      and "population/primary" in daily and "calls/failed" in daily and "day" in daily
      and "population/day" in daily and "population/daily_users/day" in daily,
      "daily: no hourly dataset and no hour, link or mbox scale at the root or in a group; the "
      "daily /population and /calls kept with their day scale", repr(daily))
check(summ == ["config/text"], "summary: only /config/text as a dataset", repr(summ))
sf, sd, ss = (summary(files[k]) for k in ("full", "daily", "summary"))
same = sf.keys() == sd.keys() == ss.keys() and all(
    np.array_equal(sf[k], sd[k]) and np.array_equal(sf[k], ss[k]) for k in sf)
check(same and "border_vpn_share" in sf and "final_vpn_share" in sf,
      f"the {len(sf)} /summary numbers are identical in the three files (network ones too)")
sizes = {k: os.path.getsize(v) for k, v in files.items()}
check(sizes["summary"] < sizes["daily"] < sizes["full"], f"sizes: {sizes}")

p = bs("info", files["daily"])
check(p.returncode == 0 and "output        daily" in p.stdout, "info says a file is daily")
p = bs("plot", files["daily"], "-o", os.path.join(tmp, "pd"))
check(p.returncode == 0 and sorted(os.path.basename(x) for x in p.stdout.split()) ==
      ["failed.png", "primary.png", "vpn.png"] and "--output daily" in p.stderr,
      "plot of a daily file: the population figures, and why not the others", p.stdout + p.stderr)
p = bs("plot", files["summary"], "-o", os.path.join(tmp, "ps"))
check(p.returncode == 2 and "--output summary" in p.stderr and not os.path.exists(os.path.join(tmp, "ps")),
      "plot of a summary file: exit 2, says why, makes nothing", p.stderr)
p = bs("compare", files["full"], files["summary"], "-o", os.path.join(tmp, "cs"))
check(p.returncode == 2 and "--output summary" in p.stderr, "compare with a summary file: exit 2",
      p.stderr)
p = bs("run", scen, "-o", os.path.join(tmp, "x"), "--output", "hourly")
check(p.returncode == 2 and "full, daily or summary" in p.stderr and not os.path.exists(os.path.join(tmp, "x")),
      "run --output hourly: exit 2, nothing made", p.stderr)

# --- a sweep with output = "summary" ---
for f in (os.path.join(SRC, "configs", "networks", "toy.cfg"), os.path.join(SRC, "tests", "data", "mini.cfg")):
    shutil.copy(f, tmp)
idx = {}
for level in ("full", "summary"):
    sw = os.path.join(tmp, f"s-{level}.cfg")
    with open(sw, "w") as fh:
        fh.write('scenario = "mini.cfg";\nseed = 5;\nreplications = 2;\n'
                 'collect = ["final_primary_share_a", "final_vpn_share"];\n'
                 f'output = "{level}";\n'
                 'parameters = ({ path = "population.retry"; values = [0.2, 0.8]; });\n')
    out = os.path.join(tmp, f"sweep-{level}")
    p = bs("sweep", sw, "-o", out, "-j", "2", "--quiet")
    check(p.returncode == 0, f"sweep with output = \"{level}\": exit 0", p.stderr)
    idx[level] = out
rf, _ = runs_table(idx["full"])
rs, _ = runs_table(idx["summary"])
check(all(np.array_equal(rf[c], rs[c]) for c in ("final_primary_share_a", "final_vpn_share")),
      "the sweep collects the same numbers from summary files as from full ones")
run0 = datasets(os.path.join(idx["summary"], "runs", "run-00000.h5"))
check(run0 == ["config/text"], "the summary sweep's run files hold no series", repr(run0))

finish(tmp)
