#!/usr/bin/env python3
"""End to end: blockshift sweep --slurm and --slurm-array (issue 16).

A tiny sweep (the toy network, 2,000 agents: 3 points x 2 replications = 6
runs, a fraction of a second each):

- the batch scripts parse (bash -n), and their #SBATCH lines, read the way
  sbatch reads them (tests/tools/sbatch.py), are what the options asked for;
  the defaults are the ones worked out by hand below from the sweep's size;
- bad values (0 nodes, a time that is neither MINUTES nor HH:MM:SS, a
  partition with a blank or a newline, more nodes than tasks, Slurm options
  without --slurm) exit 2 and make no folder;
- the array script, run by hand once per array task (SLURM_ARRAY_TASK_ID
  as Slurm sets it), then `sweep --resume`, gives the same index and run
  datasets as `sweep -j 2`, and the gathering runs nothing again;
- the MPI script, run by hand as Slurm would with SLURM_NTASKS=2 (mpirun
  with 3 ranks: the coordinator beside 2 workers; as root, the script adds
  --allow-run-as-root itself), gives the same folder too;
- with Slurm and munge installed (slurm-wlm) and as root, both scripts are
  submitted (sbatch --wait) to a private single-node cluster started for
  the test, and give the same folder; otherwise that part is skipped with
  the reason.

usage: slurm.py BLOCKSHIFT_BIN SOURCE_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

BIN, SRC = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
from e2e_kit import check, finish  # noqa: E402
from faultkit import no_leak_check  # noqa: E402
HAVE_MPI = os.environ.get("BLOCKSHIFT_WITH_MPI", "1") != "0"
import sbatch  # noqa: E402
import slurm_cluster  # noqa: E402
from sweep_compare import same_runs, same_tables  # noqa: E402


tmp = tempfile.mkdtemp(prefix="bs-slurm-")
for f in (os.path.join(SRC, "configs", "networks", "toy.cfg"), os.path.join(SRC, "tests", "data", "mini.cfg")):
    shutil.copy(f, tmp)
SWEEP = os.path.join(tmp, "s.cfg")
with open(SWEEP, "w") as fh:
    fh.write('scenario = "mini.cfg";\nseed = 5;\nreplications = 2;\n'
             'collect = ["final_primary_share_a", "final_vpn_share"];\n'
             'parameters = ({ path = "population.retry"; values = [0.2, 0.5, 0.8]; });\n')
ENV = dict(os.environ, OMP_NUM_THREADS="1")
for k in list(ENV):
    if k.startswith("SLURM_"):
        del ENV[k]  # a test run inside a Slurm job must not lend its own


def bs(*args, env=None):
    return subprocess.run([BIN, *args], cwd=tmp, capture_output=True, text=True,
                          env=env or ENV, stdin=subprocess.DEVNULL)


def script_of(out):
    path = os.path.join(out, "sweep.sbatch")
    return open(path).read() if os.path.exists(path) else ""


def words(text):
    """The #SBATCH options as a dict (the first word of each line)."""
    out = {}
    for d in sbatch.directives(text):
        if len(d) == 1 and "=" in d[0]:
            k, v = d[0][2:].split("=", 1)
            out[k] = v
    return out


def parses(out):
    return subprocess.run(["bash", "-n", os.path.join(out, "sweep.sbatch")]).returncode == 0


# --- the defaults: 6 runs -> 6 tasks (min(6, 64)); one run a task; no index
# yet, so 30 minutes a run (the stated assumption) x 1.5 = 45 minutes ---
out = os.path.join(tmp, "default")
p = bs("sweep", SWEEP, "--slurm", "-o", out)
text = script_of(out)
w = words(text)
check(p.returncode == 0 and p.stdout.strip() == os.path.join(os.path.realpath(out), "sweep.sbatch"),
      "--slurm: exit 0, the script's path on stdout", p.stdout + p.stderr)
check(parses(out), "--slurm: bash -n accepts the script")
check(w.get("ntasks") == "6" and w.get("time") == "00:45:00" and "nodes" not in w
      and "partition" not in w and "account" not in w,
      "defaults: --ntasks=6 (min(runs, 64)), --time=00:45:00 (1 run x 30 min x 1.5), no nodes, "
      "partition or account", repr(w))
check("an assumption" in text and "min(runs, 64)" in text,
      "the script's comments say where the task count and the time come from")
check(re.search(r'^mpirun "\$\{as_root\[@\]\}" --oversubscribe .*-np "\$\(\(\$\{SLURM_NTASKS:-6\} \+ 1\)\)" ',
                text, re.M) is not None and "--mpi --resume" in text,
      "the coordinator is one rank beyond the tasks (SLURM_NTASKS + 1, --oversubscribe)")

# --- every option, as asked ---
out = os.path.join(tmp, "options")
p = bs("sweep", SWEEP, "--slurm", "-o", out, "--nodes", "2", "--ntasks", "4", "--time", "90",
       "--partition", "debug,long", "--account", "proj_1")
w = words(script_of(out))
check(p.returncode == 0 and parses(out) and w.get("nodes") == "2" and w.get("ntasks") == "4"
      and w.get("time") == "90" and w.get("partition") == "debug,long"
      and w.get("account") == "proj_1",
      "--nodes 2 --ntasks 4 --time 90 --partition debug,long --account proj_1: those directives",
      repr(w) + p.stderr)
out = os.path.join(tmp, "hms")
p = bs("sweep", SWEEP, "--slurm", "-o", out, "--time", "1-02:03:04", "--ntasks", "100")
w = words(script_of(out))
check(p.returncode == 0 and w.get("time") == "1-02:03:04" and w.get("ntasks") == "6",
      "--time D-HH:MM:SS taken as it is; --ntasks above the runs cut to the runs (6)", repr(w))

# --- bad values: exit 2, no folder ---
bad = [("--nodes", "0"), ("--ntasks", "-1"), ("--ntasks", "x"), ("--time", "1:60:00"),
       ("--time", "12:00"), ("--time", "abc"), ("--time", "0"), ("--time", "00:00:00"),
       ("--partition", "a b"), ("--partition", "a\nb"), ("--partition", ""), ("--account", "x;y"),
       ("--account", "a,b")]
for opt, val in bad:
    out = os.path.join(tmp, "bad")
    p = bs("sweep", SWEEP, "--slurm", "-o", out, opt, val)
    check(p.returncode == 2 and opt in p.stderr and not os.path.exists(out),
          f"{opt} {val!r}: exit 2 naming the option, no folder", p.stderr)
for args, what in ((["--slurm", "--nodes", "3", "--ntasks", "2"], "more nodes than tasks"),
                   (["--slurm-array", "--nodes", "2"], "--nodes with --slurm-array"),
                   (["--partition", "debug"], "--partition without --slurm"),
                   (["--runs", "0-1", "--slurm"], "--runs with --slurm"),
                   (["--runs", "4-9"], "--runs beyond the last run"),
                   (["--runs", "3-1"], "--runs backwards")):
    out = os.path.join(tmp, "bad")
    p = bs("sweep", SWEEP, "-o", out, *args)
    check(p.returncode == 2 and not os.path.exists(out), f"{what}: exit 2, no folder", p.stderr)

# --- the reference: the whole sweep on 2 local workers ---
ref = os.path.join(tmp, "ref")
p = bs("sweep", SWEEP, "-o", ref, "-j", "2")
check(p.returncode == 0 and p.stdout.split() == [f"{ref}/index.h5", f"{ref}/summary.txt"],
      "sweep -j 2: exit 0, the index and summary paths on stdout", p.stdout + p.stderr)

# the time from measured runs: index.h5 now holds run times of well under a
# second: 1 run x t x 1.5 is below the 10-minute floor
p = bs("sweep", SWEEP, "--slurm", "-o", ref)
text = script_of(ref)
check(p.returncode == 0 and words(text).get("time") == "00:10:00" and "longest run in index.h5" in text,
      "with an index in the folder: the time from its longest run (here the 10-minute floor)",
      text)

# --- the array: 4 tasks asked, 6 runs -> chunks of 2 -> 3 array tasks ---
arr = os.path.join(tmp, "array")
p = bs("sweep", SWEEP, "--slurm-array", "-o", arr, "--ntasks", "4", "--partition", "debug")
text = script_of(arr)
w = words(text)
check(p.returncode == 0 and parses(arr) and w.get("array") == "0-2" and w.get("ntasks") == "1"
      and w.get("partition") == "debug" and w.get("output", "").endswith("/slurm-%A_%a.out"),
      "--slurm-array --ntasks 4: --array=0-2 (chunks of 2 runs), one task each", repr(w))
for task in range(3):
    q = subprocess.run(["bash", os.path.join(arr, "sweep.sbatch")], cwd=tmp, capture_output=True,
                       text=True, env=dict(ENV, SLURM_ARRAY_TASK_ID=str(task)))
    check(q.returncode == 0 and f"runs {2 * task}-{2 * task + 1} done" in q.stderr,
          f"array task {task} run by hand: runs {2 * task}-{2 * task + 1}", q.stderr)
runs = sorted(os.listdir(os.path.join(arr, "runs")))
check(runs == [f"run-{k:05d}.h5" for k in range(6)] and not os.path.exists(os.path.join(arr, "index.h5")),
      "after the array: the 6 run files, no index yet", repr(runs))
p = bs("sweep", SWEEP, "-o", arr, "--resume")
check(p.returncode == 0 and "6 runs ok (6 from before)" in p.stderr,
      "--resume gathers them without running any again", p.stderr)
check(same_tables(ref, arr) and same_runs(ref, arr),
      "array chunks + --resume: the same index and run datasets as sweep -j 2")

# a chunk run again keeps its finished runs
p = bs("sweep", SWEEP, "-o", arr, "--runs", "2-3")
check(p.returncode == 0 and "(2 from before)" in p.stderr, "a chunk run again reuses its runs",
      p.stderr)



# --- the MPI script run as Slurm would run it, with 2 worker tasks ---
if HAVE_MPI and shutil.which("mpirun"):
    mpi = os.path.join(tmp, "mpi")
    p = bs("sweep", SWEEP, "--slurm", "-o", mpi, "--ntasks", "2")
    q = subprocess.run(["bash", os.path.join(mpi, "sweep.sbatch")], cwd=tmp, capture_output=True,
                       text=True, env=no_leak_check(dict(ENV, SLURM_NTASKS="2")), timeout=300)
    check(q.returncode == 0 and "on 2 MPI worker ranks" in q.stderr,
          "the MPI script: 3 ranks, 2 of them workers" +
          (" (as root: --allow-run-as-root from the script)" if os.geteuid() == 0 else ""),
          q.stdout + q.stderr)
    check(q.returncode == 0 and same_tables(ref, mpi) and same_runs(ref, mpi),
          "the MPI script: the same index and run datasets as sweep -j 2")
else:
    print("skip the MPI script run: this build has no MPI")

# --- optional: a real Slurm, a private single-node cluster (tests/tools/slurm_cluster.py) ---
senv, stop = slurm_cluster.start(os.path.join(tmp, "cluster"))
if senv is None:
    print(f"skip submitting to Slurm: {stop}")
else:
    try:
        for form, args in (("MPI", ["--slurm", "--ntasks", "2"]),
                           ("array", ["--slurm-array", "--ntasks", "3"])):
            real = os.path.join(tmp, "real-" + form)
            p = bs("sweep", SWEEP, *args, "-o", real, "--time", "5")
            q = subprocess.run(["sbatch", "--wait", os.path.join(real, "sweep.sbatch")],
                               capture_output=True, text=True, env=no_leak_check(dict(senv, **{
                                   k: v for k, v in ENV.items() if k == "OMP_NUM_THREADS"})),
                               timeout=300)
            logs = "".join(open(os.path.join(real, n)).read() for n in sorted(os.listdir(real))
                           if n.startswith("slurm-"))
            r = bs("sweep", SWEEP, "-o", real, "--resume")
            check(q.returncode == 0 and r.returncode == 0 and "(6 from before)" in r.stderr
                  and same_tables(ref, real) and same_runs(ref, real),
                  f"sbatch --wait of the {form} script on a real Slurm, then --resume: the same "
                  "folder as sweep -j 2", q.stdout + q.stderr + logs + r.stderr)
    finally:
        stop()

finish(tmp)
