#!/usr/bin/env python3
"""blockshift plot SWEEPDIR: a sweep's summary numbers against its parameters.

  - a one-parameter sweep: each collected number against the parameter with
    its 95% band, a PNG and its gnuplot script per number;
  - a two-parameter grid: a heat map per number;
  - a folder that is not a sweep: exit 2, no plots folder.

Run as: plot_sweep.py BLOCKSHIFT SOURCE_DIR (ctest does).
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
    print(("ok   " if ok else "FAIL ") + what)


tmp = tempfile.mkdtemp(prefix="bs-plotsweep-")
tiny = os.path.join(SRC, "bench", "sweep-tiny.cfg")
sweeps = {
    "one": '{ path = "population.retry"; values = [0.2, 0.5, 0.8]; }',
    "two": '{ path = "population.retry"; values = [0.2, 0.8]; }, { path = "apps.a.bass_q"; values = [0.1, 0.5]; }',
}
for name, params in sweeps.items():
    cfg = os.path.join(tmp, name + ".cfg")
    with open(cfg, "w") as fh:
        fh.write(f'scenario = "{tiny}";\nseed = 1;\nreplications = 2;\n'
                 'collect = ["final_primary_share_a", "final_vpn_share"];\n'
                 f'parameters = ( {params} );\n')
    out = os.path.join(tmp, "sweep-" + name)
    p = subprocess.run([BIN, "sweep", cfg, "-o", out, "-j", "2", "--quiet"], capture_output=True, text=True)
    if p.returncode:
        print(p.stderr)
    check(p.returncode == 0, f"{name}-parameter sweep runs")
    p = subprocess.run([BIN, "plot", out], capture_output=True, text=True)
    check(p.returncode == 0, f"plot of the {name}-parameter sweep: exit 0")
    for number in ("final_primary_share_a", "final_vpn_share"):
        png = os.path.join(out, "plots", number + ".png")
        gp = os.path.join(out, "plots", number + ".gp")
        check(os.path.exists(png) and os.path.getsize(png) > 0 and os.path.exists(gp) and png in p.stdout.split("\n"),
              f"{name}: {number}.png and its script")
    script = open(os.path.join(out, "plots", "final_vpn_share.gp")).read()
    check(("filledcurves" in script) if name == "one" else ("palette" in script),
          f"{name}: {'a confidence band' if name == 'one' else 'a heat map'}")
not_sweep = os.path.join(tmp, "empty")
os.makedirs(not_sweep)
p = subprocess.run([BIN, "plot", not_sweep], capture_output=True, text=True)
check(p.returncode == 2 and "summary.txt" in p.stderr and not os.path.exists(os.path.join(not_sweep, "plots")),
      "a folder that is not a sweep: exit 2, named, nothing made")
shutil.rmtree(tmp)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
