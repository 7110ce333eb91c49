#!/usr/bin/env python3
"""End to end: blockshift sweep, the way a user runs it (issue 5).

A tiny scenario (the toy network, 2,000 agents, 20 days; a fraction of a
second a run) is swept over a list, a log range and Latin-hypercube bounds,
replicated, and:

- -j 1, -j 2 and mpirun -np 3 give identical index tables (every column
  but wall_seconds and host) and identical datasets in every run's file;
- any run re-run alone with `blockshift run` and the run's overrides gives
  the same datasets as the sweep's file;
- /points and summary.txt hold, per point, the mean, standard deviation and
  Student t 95% interval of the replications (checked against numpy, with
  t(0.975, 1) = 12.7062047361747 from tables), and gnuplot reads summary.txt;
- interrupted (SIGINT to the process group, as Ctrl-C does; SIGKILL of the
  sweep process; SIGKILL of one worker; SIGKILL of an MPI worker rank), it
  leaves no file that looks complete but is not, and --resume completes it
  with the same index and files as an uninterrupted sweep;
- a run that fails is recorded with its error and the others complete;
- a misspelt parameter is rejected, with the sweep file's line, before
  anything runs or any folder is made; --summarise recomputes the summaries;
  --slurm writes a batch script.

usage: sweep.py BLOCKSHIFT_BIN SOURCE_DIR
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

BIN, SRC = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
import bsfile  # noqa: E402
from sweep_compare import datasets, runs_table, same_runs, same_tables  # noqa: E402
results = {"passed": 0, "failed": 0}
T_975_1 = 12.7062047361747  # Student t, 97.5% quantile, 1 degree of freedom


def check(ok, what):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what, flush=True)


tmp = tempfile.mkdtemp(prefix="bs-sweep-")
for f in (os.path.join(SRC, "configs", "networks", "toy.cfg"), os.path.join(SRC, "tests", "data", "mini.cfg")):
    shutil.copy(f, tmp)

COLLECT = ["final_primary_share_a", "final_vpn_share", "peak_failed_calls_per_day"]


def sweep_file(name, params, reps=2, extra=""):
    path = os.path.join(tmp, name + ".cfg")
    with open(path, "w") as fh:
        fh.write(f'scenario = "mini.cfg";\nseed = 5;\nreplications = {reps};\n'
                 f'collect = [{", ".join(chr(34) + c + chr(34) for c in COLLECT)}];\n'
                 f'parameters = (\n{params}\n);\n{extra}')
    return path


# 2 x 3 points (a list, then Latin-hypercube bounds on a log scale), 2 replications
SMALL = sweep_file("small", '  { path = "population.retry"; values = [0.3, 0.8]; },\n'
                   '  { path = "apps.a.bass_q"; bounds = [0.1, 1.0]; scale = "log"; }',
                   extra='sample = { method = "lhs"; points = 3; };\n')
# 5 points (a linear range) x 4 replications: long enough to interrupt
BIG = sweep_file("big", '  { path = "population.retry"; from = 0.1; to = 0.9; steps = 5; }', reps=4)

# One thread per run: the tests are about the sweep, and 2-core CI machines
# are faster with process parallelism alone.  Open MPI as root needs these.
ENV = dict(os.environ, OMP_NUM_THREADS="1", OMPI_ALLOW_RUN_AS_ROOT="1",
           OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
MPIRUN = ["mpirun", "--oversubscribe", "--allow-run-as-root"]
# A build configured --without-mpi: the MPI checks become one check that
# --mpi is refused plainly; ctest reports the rest as skipped (e2e/sweep_mpi).
HAVE_MPI = os.environ.get("BLOCKSHIFT_WITH_MPI", "1") != "0"
# Under the sanitizer build (tests/sanitize.sh), Open MPI leaks at
# MPI_Finalize from components it has already unloaded, which LeakSanitizer
# can neither name nor suppress: MPI runs keep every other check but not the
# leak check (the same sweep code runs leak-checked without MPI above).
ENV_MPI = dict(ENV)
if "ASAN_OPTIONS" in ENV_MPI:
    ENV_MPI["ASAN_OPTIONS"] = ENV_MPI["ASAN_OPTIONS"].replace("detect_leaks=1", "detect_leaks=0")


def sweep(path, out, *extra, mpi=None):
    cmd = [BIN, "sweep", path, "-o", out, *extra]
    if mpi:
        cmd = MPIRUN + ["-np", str(mpi)] + cmd + ["--mpi"]
    return subprocess.run(cmd, cwd=tmp, capture_output=True, text=True,
                          env=ENV_MPI if mpi else ENV, stdin=subprocess.DEVNULL)


def leftovers(d):
    """Files that are neither index, summary, lock nor a complete run."""
    bad = []
    for root, _, files in os.walk(d):
        for name in files:
            p = os.path.join(root, name)
            if name.endswith(".h5"):
                try:
                    with h5py.File(p, "r") as f:
                        if f.attrs.get("complete") != 1:
                            bad.append(p)
                except OSError:
                    bad.append(p)
            elif ".partial-" in name:
                pass  # a temporary name never looks complete; --resume deletes them
            elif name not in ("summary.txt", ".lock", "sweep.sbatch"):
                bad.append(p)
    return bad


def wait_files(d, n, proc, limit=120):
    """Wait until n run files are complete (or the process ended)."""
    t0 = time.time()
    while time.time() - t0 < limit and proc.poll() is None:
        runs = os.path.join(d, "runs")
        if os.path.isdir(runs) and sum(f.endswith(".h5") for f in os.listdir(runs)) >= n:
            return True
        time.sleep(0.02)
    return False


def children(pid):
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(p))
            except (OSError, IndexError, ValueError):
                pass
    return out


# --- the same sweep on 1 and 2 local workers and 3 MPI ranks ---
j1, j2, m3 = (os.path.join(tmp, d) for d in ("j1", "j2", "m3"))
for out, extra, mpi in ((j1, ["-j", "1"], None), (j2, ["-j", "2"], None), (m3, [], 3)):
    if mpi and not HAVE_MPI:
        p = subprocess.run([BIN, "sweep", SMALL, "-o", out, "--mpi"], cwd=tmp, capture_output=True,
                           text=True, env=ENV, stdin=subprocess.DEVNULL)
        check(p.returncode == 2 and "this build has no MPI" in p.stderr and not os.path.exists(out),
              "without MPI: sweep --mpi is refused (exit 2, says so, makes nothing)")
        continue
    p = sweep(SMALL, out, *extra, mpi=mpi)
    if p.returncode != 0:
        print(p.stdout, p.stderr)
    check(p.returncode == 0, f"exit 0: sweep {'-np %d --mpi' % mpi if mpi else ' '.join(extra)}")
runs, points = runs_table(j1)
check(len(runs) == 12 and len(points) == 6 and all(runs["status"] == b"ok"),
      "12 runs (6 points x 2 replications), all ok")
check(len(set(runs["seed"])) == 12 and list(runs["run"]) == [0, 1] * 6,
      "every run its own seed; run number = replication")
check(same_tables(j1, j2) and same_runs(j1, j2), "-j 1 and -j 2: identical index and run datasets")
if HAVE_MPI:
    check(same_tables(j1, m3) and same_runs(j1, m3),
          "-j 1 and mpirun -np 3: identical index and run datasets")
check(not leftovers(j1) and (not HAVE_MPI or not leftovers(m3)),
      "nothing in the folders but complete files")

# --- a run alone gives the same file ---
k = 7
with h5py.File(os.path.join(j1, "runs", f"run-{k:05d}.h5"), "r") as f:
    overrides = f["/config"].attrs["overrides"].split("\n")
alone = os.path.join(tmp, "alone")
cmd = [BIN, "run", "mini.cfg", "-o", alone, "--quiet"] + [a for o in overrides for a in ("--set", o)]
p = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, env=ENV)
check(p.returncode == 0 and f"scenario.seed={runs['seed'][k]}" in overrides,
      "run 7 re-run alone with its overrides (seed and run included)")
files = os.listdir(alone) if os.path.isdir(alone) else []
da = datasets(os.path.join(alone, files[0])) if files else {}
db = datasets(os.path.join(j1, "runs", f"run-{k:05d}.h5"))
check(bool(da) and da.keys() == db.keys() and all(np.array_equal(da[x], db[x]) for x in da),
      "... gives the same datasets as the sweep's file")

# --- summaries ---
ok = True
for p_ in range(6):
    rows = runs[runs["point"] == p_]
    for c in COLLECT:
        x = rows[c]
        m, s = x.mean(), x.std(ddof=1)
        half = T_975_1 * s / np.sqrt(2)
        got = points[p_]
        ok &= np.isclose(got[c + "_mean"], m, rtol=1e-12, atol=1e-12)
        ok &= np.isclose(got[c + "_sd"], s, rtol=1e-9, atol=1e-12)
        ok &= np.isclose(got[c + "_ci95_low"], m - half, rtol=1e-9, atol=1e-9)
        ok &= np.isclose(got[c + "_ci95_high"], m + half, rtol=1e-9, atol=1e-9)
    ok &= points[p_]["n"] == 2 and points[p_]["population.retry"] == rows["population.retry"][0]
check(bool(ok), "/points: mean, sd and Student t interval of each number per point (numpy)")
with open(os.path.join(j1, "summary.txt")) as fh:
    header = [l for l in fh if l.startswith("#")][-1].split()[1:]
text = np.loadtxt(os.path.join(j1, "summary.txt"), comments="#")
check(header == list(points.dtype.names) and text.shape == (6, len(header)) and
      all(np.allclose(text[:, i], points[n].astype(float), rtol=1e-9, equal_nan=True)
          for i, n in enumerate(header)),
      "summary.txt: a '#' header and the /points numbers, whitespace-separated")
if shutil.which("gnuplot"):
    g = subprocess.run(["gnuplot", "-e", "set terminal dumb; plot 'summary.txt' using 2:5 "
                        "with points"], cwd=j1, capture_output=True, text=True)
    check(g.returncode == 0 and not g.stderr.strip(), "gnuplot plots summary.txt")
os.remove(os.path.join(j1, "summary.txt"))
p = subprocess.run([BIN, "sweep", "--summarise", j1], capture_output=True, text=True, env=ENV)
check(p.returncode == 0 and os.path.exists(os.path.join(j1, "summary.txt")) and
      same_tables(j1, j2), "--summarise DIR rewrites the same /points and summary.txt")

# --- interruptions, then --resume ---
full = os.path.join(tmp, "full")
p = sweep(BIG, full, "-j", "2")
check(p.returncode == 0, "the 20-run sweep uninterrupted")


def started(out, *extra):
    return subprocess.Popen([BIN, "sweep", BIG, "-o", out, "-j", "2", *extra], cwd=tmp,
                            env=ENV, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def resumed_same(out, what):
    p = sweep(BIG, out, "-j", "2", "--resume")
    if p.returncode != 0:
        print(p.stderr)
    check(p.returncode == 0 and same_tables(full, out) and same_runs(full, out) and
          not any(".partial-" in f for f in os.listdir(os.path.join(out, "runs"))),
          f"{what}, then --resume: the same index and runs as uninterrupted")
    return p


# Ctrl-C: SIGINT to the whole process group
out = os.path.join(tmp, "int")
proc = started(out)
waited = wait_files(out, 3, proc)
os.killpg(proc.pid, signal.SIGINT)
_, err = proc.communicate(timeout=120)
runs_i, _ = runs_table(out)
done = {i for i, s in enumerate(runs_i["status"]) if s == b"ok"}
files = {int(f[4:9]) for f in os.listdir(os.path.join(out, "runs")) if f.endswith(".h5")}
check(waited and proc.returncode == 1 and "interrupted" in err and "--resume" in err,
      "Ctrl-C: exit 1, says how to continue")
check(not leftovers(out) and done <= files and 0 < len(done) < 20 and
      not any(".partial-" in f for f in os.listdir(os.path.join(out, "runs"))),
      "... index and files consistent, no temporary file left, every .h5 complete")
resumed_same(out, "Ctrl-C")

# the sweep process killed outright (its workers die with it)
out = os.path.join(tmp, "kill")
proc = started(out)
waited = wait_files(out, 3, proc)
os.kill(proc.pid, signal.SIGKILL)
proc.communicate(timeout=120)
time.sleep(0.3)  # the workers' death signal
check(waited and not leftovers(out), "SIGKILL of the sweep: no file that looks complete but is not")
p = resumed_same(out, "SIGKILL of the sweep")
check("from before" in p.stderr, "... the finished runs were kept")

# one worker killed: its run is recorded as failed, the others complete
out = os.path.join(tmp, "worker")
proc = started(out)
kids, t0 = [], time.time()
while not kids and proc.poll() is None and time.time() - t0 < 60:
    kids = children(proc.pid)
    time.sleep(0.01)
if kids:
    os.kill(kids[0], signal.SIGKILL)
_, err = proc.communicate(timeout=120)
runs_w, _ = runs_table(out)
failed = [i for i, s in enumerate(runs_w["status"]) if s == b"failed"]
check(kids and proc.returncode == 1 and len(failed) == 1 and
      b"killed by signal 9" in runs_w["error"][failed[0]] and
      sum(runs_w["status"] == b"ok") == 19, "a killed worker: its run failed (signal 9), 19 ok")
resumed_same(out, "a killed worker")

# a run that cannot be written: recorded with its error, the others complete
out = os.path.join(tmp, "failing")
os.makedirs(os.path.join(out, "runs", "run-00003.h5"))
p = sweep(BIG, out, "-j", "2")
runs_f, points_f = runs_table(out)
check(p.returncode == 1 and runs_f["status"][3] == b"failed" and
      b"run-00003.h5" in runs_f["error"][3] and sum(runs_f["status"] == b"ok") == 19 and
      "1 of 20 runs failed" in p.stderr, "a failing run is recorded with its error; 19 ok")
check(points_f["n"][0] == 3 and not np.isnan(points_f["final_vpn_share_mean"][0]),
      "... and its point is summarised over the 3 that ran")

if HAVE_MPI:
    # an MPI worker rank killed: Open MPI ends the job, rank 0 records what it had
    out = os.path.join(tmp, "mpikill")
    proc = subprocess.Popen(MPIRUN + ["-np", "3", BIN, "sweep", BIG, "-o", out, "--mpi"], cwd=tmp,
                            env=ENV_MPI, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    waited = wait_files(out, 3, proc)
    victim = None
    for c in children(proc.pid):
        try:
            with open(f"/proc/{c}/environ", "rb") as fh:
                if b"OMPI_COMM_WORLD_RANK=2\0" in fh.read():
                    victim = c
        except OSError:
            pass
    if victim:
        os.kill(victim, signal.SIGKILL)
    proc.communicate(timeout=120)
    check(waited and victim and proc.returncode != 0 and not leftovers(out),
          "an MPI worker rank killed: the job ends, no file looks complete but is not")
    resumed_same(out, "an MPI rank killed")

# --- bad input: nothing runs, nothing is made ---
bad = sweep_file("bad", '  { path = "population.retri"; values = [0.3, 0.8]; }')
out = os.path.join(tmp, "bad")
p = sweep(bad, out)
check(p.returncode == 2 and f"{bad}:6: parameters.[0] (population.retri=0.3): unknown parameter "
      "(did you mean population.retry?)" in p.stderr and not os.path.exists(out),
      "a misspelt parameter: exit 2, file:line and a suggestion, no folder made")
p = sweep(SMALL, j1)
check(p.returncode == 2 and "--resume" in p.stderr, "a folder that holds a sweep needs --resume")
p = sweep(SMALL, os.path.join(tmp, "slurm"), "--slurm")
script = os.path.join(tmp, "slurm", "sweep.sbatch")
text = open(script).read() if os.path.exists(script) else ""
check(p.returncode == 0 and "#SBATCH --ntasks=" in text and "#SBATCH --time=" in text and
      "--mpi --resume" in text and "mpirun" in text and
      subprocess.run(["bash", "-n", script]).returncode == 0,
      "--slurm writes a batch script (resource lines, mpirun ... --mpi --resume)")

# --- no input crashes it: mangled sweep files, index files that are not ---
# (libconfig 1.5 leaks a 64-byte buffer on some syntax errors, such as
# collect = "a", "b"]; `blockshift check` does the same: leaks are not what
# this looks for, so the sanitizer build checks everything else here.)
ENV_NOLEAK = dict(ENV)
if "ASAN_OPTIONS" in ENV_NOLEAK:
    ENV_NOLEAK["ASAN_OPTIONS"] = ENV_NOLEAK["ASAN_OPTIONS"].replace("detect_leaks=1",
                                                                    "detect_leaks=0")
rng = np.random.default_rng(7)
source = open(SMALL).read()
codes = set()
for i in range(40):
    chars = list(source)
    for _ in range(int(rng.integers(1, 6))):
        at = int(rng.integers(0, len(chars)))
        op = rng.integers(0, 3)
        if op == 0:
            del chars[at]
        elif op == 1:
            chars.insert(at, chr(int(rng.choice([34, 59, 61, 91, 93, 40, 41, 123, 125, 48, 10]))))
        else:
            chars[at] = chr(int(rng.integers(32, 127)))
    path = os.path.join(tmp, f"mangled{i}.cfg")
    with open(path, "w") as fh:
        fh.write("".join(chars))
    p = subprocess.run([BIN, "sweep", path, "-o", os.path.join(tmp, "mangled"), "--slurm"],
                       cwd=tmp, capture_output=True, text=True, env=ENV_NOLEAK)
    codes.add(p.returncode)
check(codes <= {0, 2} and 2 in codes, f"40 mangled sweep files: exit 0 or 2, never a crash ({sorted(codes)})")
fake = os.path.join(tmp, "fake")
os.makedirs(fake)
shutil.copy(os.path.join(j1, "runs", "run-00000.h5"), os.path.join(fake, "index.h5"))
p = subprocess.run([BIN, "sweep", "--summarise", fake], capture_output=True, text=True, env=ENV)
check(p.returncode == 2 and "index.h5" in p.stderr, "--summarise on a run's file as index.h5: exit 2")
with open(os.path.join(fake, "index.h5"), "r+b") as fh:
    fh.truncate(3000)
p = subprocess.run([BIN, "sweep", "--summarise", fake], capture_output=True, text=True, env=ENV)
check(p.returncode == 2, "--summarise on a truncated index.h5: exit 2")

shutil.rmtree(tmp)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
