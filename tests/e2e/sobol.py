#!/usr/bin/env python3
"""End to end: Sobol indices of a sweep (blockshift sweep --sobol N) and
their figure (blockshift plot SWEEPDIR), on the simulator at small scale.

A tiny scenario (bench/sweep-tiny.cfg) with 2 parameters on bounds (one on a
log scale), --sobol 4 and 2 replications: 4 x (2 + 2) = 16 points, 32 runs.

- /runs holds Saltelli's blocks A, B, A_B^(1), A_B^(2) of 4 rows each: A_B^(i)
  is A with parameter i from B (sweep_sample.h);
- /sobol holds S1, S1_low, S1_high, ST, ST_low, ST_high of shape
  [collected numbers][parameters], labelled by the dimensions sobol_number and
  sobol_parameter; S1 and ST equal the estimators recomputed here with
  numpy from the /points means (Saltelli et al. 2010, Table 2 (b), first
  order with f_B centred at the mean of the f_A and f_B values, and (f), Jansen's
  total: models/README.md); ST >= 0 (a mean of squares over a positive
  variance); each interval holds its index or at least is ordered low <= high;
- summary.txt has a block per number that gnuplot reads (index 1, 2);
- --summarise gives the same indices again (the bootstrap's stream is named
  and seeded from the sweep's seed);
- blockshift plot draws sobol-NUMBER.png (a PNG) with its script;
- bad input exits 2 naming the option or the file's line, and makes nothing:
  --sobol 1, a parameter with a list of values, 21 parameters; --slurm
  passes --sobol on to the batch script.

usage: sobol.py BLOCKSHIFT_BIN SOURCE_DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.join(sys.argv[2], "tests", "tools"))
import bsfile  # noqa: E402

BIN, SRC = sys.argv[1], sys.argv[2]
results = {"passed": 0, "failed": 0}


def check(ok, what):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what, flush=True)


tmp = tempfile.mkdtemp(prefix="bs-sobol-")
tiny = os.path.join(SRC, "bench", "sweep-tiny.cfg")
COLLECT = ["final_primary_share_a", "final_vpn_share"]
ENV = dict(os.environ, OMP_NUM_THREADS="1")


def sweep_file(name, params, extra=""):
    path = os.path.join(tmp, name + ".cfg")
    with open(path, "w") as fh:
        fh.write(f'scenario = "{tiny}";\nseed = 3;\nreplications = 2;\n'
                 f'collect = [{", ".join(chr(34) + c + chr(34) for c in COLLECT)}];\n'
                 f'parameters = (\n{params}\n);\n{extra}')
    return path


def run(*args):
    return subprocess.run([BIN, *args], cwd=tmp, capture_output=True, text=True, env=ENV,
                          stdin=subprocess.DEVNULL)


N, K = 4, 2
cfg = sweep_file("two", '  { path = "population.retry"; bounds = [0.2, 0.8]; },\n'
                 '  { path = "apps.a.bass_q"; bounds = [0.1, 1.0]; scale = "log"; }')
out = os.path.join(tmp, "out")
p = run("sweep", cfg, "--sobol", str(N), "-o", out, "-j", "2", "--quiet")
if p.returncode:
    print(p.stderr)
check(p.returncode == 0, "sweep --sobol 4 with 2 parameters and 2 replications: exit 0")

with h5py.File(os.path.join(out, "index.h5"), "r") as f:
    runs, points = bsfile.table(f, "/runs"), bsfile.table(f, "/points")
    sob = {n: f["sobol"][n][()] for n in ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high")}
    used = f["sobol/base_samples_used"][()]
    nums = [x.decode() for x in bsfile.dim(f, "sobol_number")[()]]
    pars = [x.decode() for x in bsfile.dim(f, "sobol_parameter")[()]]
    attrs = dict(f["sobol"].attrs)
    summ = dict(f["summary"].attrs)
check(len(runs) == N * (K + 2) * 2 and len(points) == N * (K + 2),
      f"{N} x ({K} + 2) = {N * (K + 2)} points, {N * (K + 2) * 2} runs")
x = np.stack([points["population.retry"], points["apps.a.bass_q"]], axis=1).reshape(K + 2, N, K)
A, B = x[0], x[1]
check(all(np.array_equal(x[2 + i][:, i], B[:, i]) and
          np.array_equal(np.delete(x[2 + i], i, axis=1), np.delete(A, i, axis=1)) for i in range(K)),
      "blocks A, B, A_B^(1), A_B^(2): A_B^(i) is A with parameter i from B")
check(((A[:, 0] >= 0.2) & (A[:, 0] <= 0.8)).all() and ((B[:, 1] >= 0.1) & (B[:, 1] <= 1.0)).all(),
      "points within their bounds")
check(nums == COLLECT and pars == ["population.retry", "apps.a.bass_q"],
      "dimensions sobol_number and sobol_parameter label the axes")
check(all(v.shape == (len(COLLECT), K) for v in sob.values()) and list(used) == [N, N],
      "/sobol datasets of shape [numbers][parameters]; every base sample used")
check(attrs.get("base_samples") == N and attrs.get("bootstrap_resamples") == 1000 and
      abs(attrs.get("confidence_level", 0) - 0.95) < 1e-12 and
      summ.get("sobol_base_samples") == N and summ.get("sobol_seed") == 3,
      "/sobol and /summary attributes: base samples, resamples, level, seed")
ok_est = True
for v, name in enumerate(COLLECT):
    y = points[name + "_mean"].reshape(K + 2, N)
    fa, fb = y[0], y[1]
    var = np.var(np.r_[fa, fb], ddof=1)
    f0 = np.mean(np.r_[fa, fb])
    for i in range(K):
        s1 = np.mean((fb - f0) * (y[2 + i] - fa)) / var
        st = np.mean((fa - y[2 + i]) ** 2) / 2 / var
        ok_est &= abs(sob["S1"][v, i] - s1) < 1e-9 * max(1, abs(s1))
        ok_est &= abs(sob["ST"][v, i] - st) < 1e-9 * max(1, abs(st))
check(ok_est, "S1 and ST equal the estimators recomputed with numpy from the /points means")
check(bool((sob["ST"] >= 0).all() and (sob["ST_low"] >= 0).all()), "total indices >= 0")
check(bool((sob["S1_low"] <= sob["S1_high"]).all() and (sob["ST_low"] <= sob["ST_high"]).all()
           and np.isfinite(np.stack(list(sob.values()))).all()),
      "intervals finite and ordered low <= high")

with open(os.path.join(out, "summary.txt")) as fh:
    text = fh.read()
check(all(f"# Sobol indices of {n}:" in text for n in COLLECT) and
      text.count("# parameter S1 S1_low S1_high ST ST_low ST_high") == 2,
      "summary.txt: a block per number")
g = subprocess.run(["gnuplot", "-e", "set terminal dumb; plot 'summary.txt' index 2 using 0:5 "
                    "notitle"], cwd=out, capture_output=True, text=True)
check(g.returncode == 0 and not g.stderr.strip(), "gnuplot reads the Sobol block of summary.txt")
block = [ln.split() for ln in text.split("# Sobol indices of final_vpn_share")[1].splitlines()[2:]
         if ln.strip()]
check(len(block) == K and abs(float(block[1][4]) - sob["ST"][1, 1]) < 1e-5 * max(1, sob["ST"][1, 1]),
      "summary.txt's indices are the index's")

p = run("sweep", "--summarise", out)
with h5py.File(os.path.join(out, "index.h5"), "r") as f:
    again = {n: f["sobol"][n][()] for n in sob}
check(p.returncode == 0 and all(np.array_equal(sob[n], again[n]) for n in sob),
      "--summarise: the same indices and intervals")

p = run("plot", out)
pngs = [os.path.join(out, "plots", f"sobol-{n}.png") for n in COLLECT]
check(p.returncode == 0 and all(os.path.exists(png) and png in p.stdout.split("\n") for png in pngs),
      "plot draws sobol-NUMBER.png for each number")
check(all(open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n" for png in pngs if os.path.exists(png)),
      "they are PNG images")
gp = os.path.join(out, "plots", "sobol-final_vpn_share.gp")
script = open(gp).read() if os.path.exists(gp) else ""
check("index 2 using 2:3:4:xtic(1)" in script and "histogram errorbars" in script,
      "its script: the number's block, bars with their intervals")

# ---- bad input: exit 2, named, nothing made -----------------------------------
bad_out = os.path.join(tmp, "bad")
p = run("sweep", cfg, "--sobol", "1", "-o", bad_out)
check(p.returncode == 2 and "--sobol '1'" in p.stderr and not os.path.exists(bad_out),
      "--sobol 1: exit 2, the option named")
listed = sweep_file("listed", '  { path = "population.retry"; values = [0.2, 0.8]; },\n'
                    '  { path = "apps.a.bass_q"; bounds = [0.1, 1.0]; }')
p = run("sweep", listed, "--sobol", "4", "-o", bad_out)
check(p.returncode == 2 and f"{listed}:6: parameters.[0]: --sobol: Sobol indices need bounds" in p.stderr
      and not os.path.exists(bad_out), "a parameter without bounds: exit 2 with file:line")
many = sweep_file("many", ",\n".join(f'  {{ path = "apps.a.bass_q{j}"; bounds = [0.1, 1.0]; }}'
                                     for j in range(21)),
                  extra='sample = { method = "saltelli"; points = 4; };\n')
p = run("sweep", many, "-o", bad_out)
check(p.returncode == 2 and f"{many}:5: parameters: sample.method = \"saltelli\": a Saltelli design "
      "takes at most 20 parameters" in p.stderr and not os.path.exists(bad_out),
      "21 parameters: exit 2 with file:line")
p = run("sweep", cfg, "--sobol", "4", "--slurm", "-o", os.path.join(tmp, "slurm"))
sb = os.path.join(tmp, "slurm", "sweep.sbatch")
check(p.returncode == 0 and os.path.exists(sb) and " --sobol 4 --mpi --resume" in open(sb).read(),
      "--slurm passes --sobol on to the batch script")

shutil.rmtree(tmp)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
