#!/usr/bin/env python3
"""blockshift plot SWEEPDIR: a sweep's summary numbers against its parameters.

  - a one-parameter sweep: each collected number against the parameter with
    its 95% band, a PNG and its gnuplot script per number;
  - a two-parameter grid: a heat map per number, in viridis, with a log axis
    for a log-spaced parameter (tics at 1, 2 and 5 times the powers of ten
    when it spans under two decades) and a note when the means differ by less
    than their 95% intervals, the axes reaching beyond the grid's edge
    points (a hand-written grid);
  - summary.txt lists the apps' display names (/app_label of a run's file:
    "a = App A" from the scenario's label, "b = b" without one) and a
    number of an app's (final_primary_share_a) has it in its figure's title;
  - a folder that is not a sweep: exit 2, no plots folder.

Run as: plot_sweep.py BLOCKSHIFT SOURCE_DIR (ctest does).
"""
import math
import os
import re
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
# The tiny scenario with a display name for app a (b has none: its id)
tiny = os.path.join(tmp, "tiny-labelled.cfg")
with open(os.path.join(SRC, "bench", "sweep-tiny.cfg")) as fh:
    text = fh.read()
with open(tiny, "w") as fh:
    fh.write(text.replace('{ name = "a"; installed', '{ name = "a"; label = "App A"; installed'))
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
    # summary.txt lists the apps' display names; a number of an app's has it in its title
    summary = open(os.path.join(out, "summary.txt")).read()
    title = open(os.path.join(out, "plots", "final_primary_share_a.gp")).read()
    check("\n# apps (id = display name): a = App A, b = b\n" in summary
          and "set title 'final_primary_share_a (App A):" in title,
          f"{name}: summary.txt names the apps' display names, the figure of a's share by it")
    script = open(os.path.join(out, "plots", "final_vpn_share.gp")).read()
    check(("filledcurves" in script) if name == "one" else ("palette" in script),
          f"{name}: {'a confidence band' if name == 'one' else 'a heat map'}")
# Heat maps of a hand-written 3 x 3 grid: population.retry linear (0.2, 0.5,
# 0.8: equal steps), apps.a.bass_q log-spaced (0.1, 0.3, 0.9: ratio 3);
# means 0.3 + 0.2 retry + 0.05 log10(bass_q), from 0.276 to 0.458 (by hand).
# With intervals 0.02 wide the means differ by more than any interval: no
# note; with intervals 1.0 wide by less: the note saying the colours show noise.
for width, noted in ((0.02, False), (1.0, True)):
    grid = os.path.join(tmp, f"grid-{width}")
    os.makedirs(grid)
    with open(os.path.join(grid, "summary.txt"), "w") as fh:
        fh.write("# point population.retry apps.a.bass_q n x_mean x_sd x_ci95_low x_ci95_high\n")
        k = 0
        for r in (0.2, 0.5, 0.8):
            for q in (0.1, 0.3, 0.9):
                m = 0.3 + 0.2 * r + 0.05 * math.log10(q)
                fh.write(f"{k} {r} {q} 4 {m} 0.01 {m - width / 2} {m + width / 2}\n")
                k += 1
    p = subprocess.run([BIN, "plot", grid], capture_output=True, text=True)
    script = open(os.path.join(grid, "plots", "x.gp")).read() if p.returncode == 0 else ""
    check("set logscale y" in script and "set logscale x" not in script and "#440154" in script
          and "#fde725" in script and "rgb 33,13,10" not in script,
          f"grid ({width}): viridis, a log axis for the log-spaced bass_q only")
    # bass_q spans 0.1 to 0.9, under two decades: tics at 1, 2 and 5 times
    # the powers of ten inside it (0.1, 0.2, 0.5, by hand), none added on x
    tics = re.findall(r"^set ytics add \((.*)\)$", script, re.M)
    shown = [float(v) for v in re.findall(r"' ([0-9.e+-]+)", tics[0])] if tics else []
    check(shown == [0.1, 0.2, 0.5] and "set xtics add" not in script,
          f"grid ({width}): the log axis has tics at 0.1, 0.2 and 0.5: {shown}")
    # the note as gnuplot computes it from the data: the script up to its
    # note, then print it
    head = script.split("set title")[0] + "print 'NOTE:' . note\n"
    with open(os.path.join(grid, "plots", "note.gp"), "w") as fh:
        fh.write(head.replace("set output outfile", "set output '/dev/null'"))
    g = subprocess.run(["gnuplot", "note.gp"], cwd=os.path.join(grid, "plots"), capture_output=True, text=True)
    said = "within the 95% confidence intervals" in g.stderr
    check(g.returncode == 0 and "NOTE:" in g.stderr and said == noted,
          f"grid ({width}): {'a note that the differences are noise' if noted else 'no note'}")
    # the axes reach beyond the grid (the script's ranges: 8% of the span
    # each side, a factor of 0.9 ** 0.08 on the log axis), so that the
    # points at the edges (0.2 and 0.8, 0.1 and 0.9) are drawn whole: the
    # script run to the end, then gnuplot's own axis ends printed
    with open(os.path.join(grid, "plots", "ends.gp"), "w") as fh:
        fh.write(script.replace("set output outfile", "set output '/dev/null'") +
                 "print sprintf('ENDS %g %g %g %g', GPVAL_X_MIN, GPVAL_X_MAX, GPVAL_Y_MIN, GPVAL_Y_MAX)\n")
    g = subprocess.run(["gnuplot", "ends.gp"], cwd=os.path.join(grid, "plots"), capture_output=True, text=True)
    ends = [float(v) for v in re.findall(r"ENDS (\S+) (\S+) (\S+) (\S+)", g.stderr)[0]] if "ENDS" in g.stderr else []
    check(len(ends) == 4 and ends[0] < 0.2 and ends[1] > 0.8 and ends[2] < 0.1 and ends[3] > 0.9,
          f"grid ({width}): the axes reach beyond the grid's edge points: {ends} {g.stderr[-200:] if not ends else ''}")
not_sweep = os.path.join(tmp, "empty")
os.makedirs(not_sweep)
p = subprocess.run([BIN, "plot", not_sweep], capture_output=True, text=True)
check(p.returncode == 2 and "summary.txt" in p.stderr and not os.path.exists(os.path.join(not_sweep, "plots")),
      "a folder that is not a sweep: exit 2, named, nothing made")
shutil.rmtree(tmp)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
