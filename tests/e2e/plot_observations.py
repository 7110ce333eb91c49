#!/usr/bin/env python3
"""End to end: blockshift plot draws a scenario's observation file (the
scenario key `observations`) on its figures.

bench/sweep-tiny.cfg (1,000 agents, one week, apps a and b) with
`observations` naming a file of three rows: a's daily users on 2025-01-04
(drawn on the figure of first choices), b's audience on 2025-01-05 (on the
figure of people with each app, drawn only because of it), a VPN demand
ratio (no figure in its unit: left out).  Checked: primary.dat and
installed.dat end with a second block holding exactly the rows expected
(date, value and sd in millions, the app's 1-based column: by hand from the
file above), their scripts plot `data index 1` with error bars; without the
key there is no installed figure and no second block; a key naming a file
that is not there draws the figures without it, says so, exit 0.

usage: plot_observations.py BLOCKSHIFT_BIN SOURCE_DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile

BIN, SRC = sys.argv[1], sys.argv[2]
results = {"passed": 0, "failed": 0}


def check(ok, what):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what, flush=True)


tmp = tempfile.mkdtemp(prefix="bs-plotobs-")
ENV = dict(os.environ, OMP_NUM_THREADS="1")
with open(os.path.join(SRC, "bench", "sweep-tiny.cfg")) as fh:
    tiny = fh.read()
S = "tests/e2e/plot_observations.py, values chosen to test the figure"
with open(os.path.join(tmp, "obs.cfg"), "w") as fh:
    fh.write(f"""observations = (
  {{ date = "2025-01-04"; period = "1d"; measure = "daily_users"; app = "a";
    value = 4500.0; uncertainty = 300.0; unit = "people"; source = "{S}"; }},
  {{ date = "2025-01-05"; period = "1d"; measure = "audience"; app = "b";
    value = 5000.0; uncertainty = 200.0; unit = "people"; source = "{S}"; }},
  {{ date = "2025-01-06"; period = "1d"; measure = "vpn_demand_ratio";
    value = 20.0; uncertainty = 5.0; unit = "ratio"; source = "{S}"; }}
);
""")


def plot(name, key):
    cfg = os.path.join(tmp, name + ".cfg")
    with open(cfg, "w") as fh:
        fh.write(tiny + (f'observations = "{key}";\n' if key else ""))
    out = os.path.join(tmp, name)
    r = subprocess.run([BIN, "run", cfg, "-o", out, "--quiet"], cwd=tmp, env=ENV,
                       capture_output=True, text=True)
    h5 = [f for f in os.listdir(out) if f.endswith(".h5")][0]
    p = subprocess.run([BIN, "plot", os.path.join(out, h5), "-o", os.path.join(out, "fig")],
                       cwd=tmp, env=ENV, capture_output=True, text=True)
    return r.returncode, p, os.path.join(out, "fig")


def block2(path):
    with open(path) as fh:
        parts = fh.read().split("\n\n\n")
    return [l.split() for l in parts[1].splitlines() if l and not l.startswith("#")] \
        if len(parts) > 1 else None


rc, p, fig = plot("with", "obs.cfg")
check(rc == 0 and p.returncode == 0, "run and plot with observations: exit 0")
check(block2(os.path.join(fig, "primary.dat")) == [["2025-01-04", "0.0045", "0.0003", "1"]],
      "primary.dat: a's daily users, in millions, column 1")
check(os.path.exists(os.path.join(fig, "installed.png")), "installed.png drawn for the audience")
check(block2(os.path.join(fig, "installed.dat")) == [["2025-01-05", "0.005", "0.0002", "2"]],
      "installed.dat: b's audience, in millions, column 2")
with open(os.path.join(fig, "primary.gp")) as fh:
    gp = fh.read()
check("data index 1 using 1:2:3:4 with yerrorbars" in gp and "data index 0" in gp,
      "primary.gp draws the observations with error bars")
check(block2(os.path.join(fig, "vpn.dat")) is None, "the ratio is on no figure")

rc, p, fig = plot("without", None)
check(p.returncode == 0 and not os.path.exists(os.path.join(fig, "installed.png"))
      and block2(os.path.join(fig, "primary.dat")) is None,
      "without the key: no installed figure, no observations block")

rc, p, fig = plot("missing", "nowhere/obs.cfg")
check(p.returncode == 0 and "nowhere/obs.cfg" in p.stderr
      and block2(os.path.join(fig, "primary.dat")) is None,
      "a file that is not there: said, figures drawn without it, exit 0")

shutil.rmtree(tmp)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
