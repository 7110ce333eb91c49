#!/usr/bin/python3
"""An allocation failure anywhere: exit 1, a message naming what was being
allocated, never a crash, nothing half-written (issue 12, "Memory").

For each command (run, check, params, info, plot, compare, sweep, plot of a
sweep folder, reproduce, sweep --slurm (the batch script), on
tests/data/mini.cfg and files made from it; calibrate, two generations of four
particles on bench/sweep-tiny.cfg; validate, a one-observation case on it;
in a build with the packet engine, testbed on a 4-case matrix of
configs/testbeds/tspu.cfg and testbed --replay of the default scenario in
miniature; in a build with MPI, sweep --mpi on two ranks, the shim preloaded
into the ranks only)
the test first counts the allocations blockshift's own code makes (tests/tools/failmalloc.c,
preloaded: malloc, calloc, realloc, the aligned ones, strdup, strndup,
realpath, open_memstream and operator new, when called from the blockshift
executable after main() has begun; allocations inside HDF5, GSL, libconfig,
libstdc++, ns-3 and glibc are let through, as are gnuplot's).  Then it runs
the command again once for each of a sample of call numbers N spread over the
whole count (the first three, the last three, and evenly spaced ones between;
ALLOC_SAMPLES=K in the environment takes K of them instead of 12, 0 every
one; fewer for validate, testbed --replay and sweep --mpi, FEWER) with the
Nth allocation failing, and requires:
  - no signal (no crash, no abort) and no hang (60 s);
  - exit 1, and on stderr "out of memory: " followed by what was being
    allocated (bs_nomem's wording, models/base/status.c);
  - in the output folder, no temporary (.tmp-, .partial-) and every file under
    a final name complete: a .h5 has complete=1 and every other file is byte
    for byte the one the same command writes without a failure (the commands
    are deterministic), but for a sweep's .lock (a PID) and summary.txt
    (which lists the failed run: the sweep's documented way to fail).
A trial in which the Nth allocation is never reached (the count of a
command can vary by a few: sweep's workers, /proc reads) checks only that
nothing crashed.
The expected values are by definition (models/README.md: exit codes; issue
12); the counts are measured, printed, and only bound the sample.

In a build with AddressSanitizer the test is registered as skipped
(tests/CMakeLists.txt): ASan's runtime must come first among the libraries
and replaces malloc itself, so the preloaded one cannot stand before it.

usage: alloc_failure.py BLOCKSHIFT_BIN SOURCE_DIR   (BS_FAILMALLOC: the library)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

BIN, SRC = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
from faultkit import check, h5_complete, results, tiny_calibration  # noqa: E402

LIB = os.environ.get("BS_FAILMALLOC", "")
if not os.path.exists(LIB):
    print(f"alloc_failure: BS_FAILMALLOC ({LIB!r}) is not the built failmalloc library")
    sys.exit(1)
SAMPLES = int(os.environ.get("ALLOC_SAMPLES", "12"))
NAMED = re.compile(r"out of memory: \S")

tmp = tempfile.mkdtemp(prefix="bs-alloc-")
for f in (os.path.join(SRC, "configs", "networks", "toy.cfg"), os.path.join(SRC, "tests", "data", "mini.cfg")):
    shutil.copy(f, tmp)
MINI = os.path.join(tmp, "mini.cfg")
with open(os.path.join(tmp, "sweep.cfg"), "w") as fh:
    fh.write('scenario = "mini.cfg";\nseed = 5;\nreplications = 1;\n'
             'collect = ["final_vpn_share"];\n'
             'parameters = ( { path = "population.retry"; values = [0.3, 0.8]; } );\n')
with open(os.path.join(tmp, "paper.cfg"), "w") as fh:
    fh.write('paper = "alloc";\nfigures = (\n'
             f'  {{ name = "first"; scenario = "{MINI}"; seed = 3; plot = "primary"; }}\n);\n')

# The inputs of info, plot and compare: two runs of mini, made without a fault.
inputs = os.path.join(tmp, "in")
for seed in ("3", "4"):
    p = subprocess.run([BIN, "run", MINI, "-o", inputs, "--seed", seed, "--quiet"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        print(f"alloc_failure: cannot make the inputs: {p.stderr}")
        sys.exit(1)
A = os.path.join(inputs, "mini-seed3-run0.h5")
B = os.path.join(inputs, "mini-seed4-run0.h5")
# and of plot SWEEPDIR (which draws into SWEEPDIR/plots): a sweep, copied
# into each trial's folder
SWEPT = os.path.join(tmp, "swept")
p = subprocess.run([BIN, "sweep", os.path.join(tmp, "sweep.cfg"), "-o", SWEPT, "-j", "1", "--quiet"],
                   capture_output=True, text=True)
if p.returncode != 0:
    print(f"alloc_failure: cannot make the sweep: {p.stderr}")
    sys.exit(1)

# calibrate: a small ABC on the tiny scenario of the sweep benchmark (two
# generations of four particles: every stage of calibrate, few runs)
CAL = tiny_calibration(SRC, tmp, "alloc_failure")
with open(os.path.join(tmp, "case.cfg"), "w") as fh:
    fh.write('description = "alloc_failure";\nscenario = "sweep-tiny.cfg";\nobservations = ["obs.cfg"];\n'
             'seed = 3;\nreplications = 1;\n')
VERSION = subprocess.run([BIN, "--version"], capture_output=True, text=True).stdout
HAVE_NS3 = "packet engine (ns-3, blockshift testbed): built" in VERSION
HAVE_MPI = "MPI (blockshift sweep --mpi): built" in VERSION and shutil.which("mpirun")
# the replay of the default scenario in miniature (tests/e2e/replay.py's
# sanitizer sizes: 8 users, a call each, 1.4 s)
REPLAY = [BIN, "testbed", os.path.join(SRC, "scenarios", "whatsapp-then-facetime.cfg"), "--replay", "-o",
          "OUT", "--set", "population.scale=14600.0", "--set", "testbed.replay_users=8", "--set",
          "testbed.replay_calls=1", "--set", 'testbed.call_seconds="1s"', "--set",
          'testbed.phase_seconds="10s"', "--quiet"]
# testbed: WhatsApp under a STUN rule through OpenVPN, a call a class (4 cases)
TESTBED = [BIN, "testbed", os.path.join(SRC, "configs", "testbeds", "tspu.cfg"), "-o", "OUT", "--set",
           'testbed.apps=["whatsapp"]', "--set", 'testbed.techniques=["stun"]', "--set",
           'testbed.vpns=["openvpn"]', "--set", "testbed.calls=2", "--quiet"]

# name -> argv, with OUT standing for a fresh output folder of each trial
commands = {
    "run": [BIN, "run", MINI, "-o", "OUT", "--quiet"],
    "check": [BIN, "check", MINI],
    "params": [BIN, "params"],
    "info": [BIN, "info", A],
    "plot": [BIN, "plot", A, "-o", "OUT"],
    "compare": [BIN, "compare", A, B, "-o", "OUT"],
    "plot-sweep": [BIN, "plot", "OUT"],
    "sweep": [BIN, "sweep", os.path.join(tmp, "sweep.cfg"), "-o", "OUT", "-j", "1", "--quiet"],
    "reproduce": [BIN, "reproduce", os.path.join(tmp, "paper.cfg"), "-o", "OUT"],
    "sweep-slurm": [BIN, "sweep", os.path.join(tmp, "sweep.cfg"), "--slurm", "-o", "OUT"],
    "calibrate": [BIN, "calibrate", CAL, "-o", "OUT", "-j", "1", "--quiet"],
}
commands["validate"] = [BIN, "validate", os.path.join(tmp, "case.cfg"), "-o", "OUT", "-j", "1", "--quiet"]
if HAVE_NS3:
    commands["testbed"] = TESTBED
    commands["testbed-replay"] = REPLAY
if HAVE_MPI:  # rank 0 and one worker; the Nth allocation of each fails (the
    # shim is preloaded into the ranks only: mpirun is not ours)
    commands["sweep-mpi"] = ["mpirun", "--oversubscribe", "--allow-run-as-root", "-np", "2", "env",
                             "LD_PRELOAD=PRELOAD", BIN, "sweep",
                             os.path.join(tmp, "sweep.cfg"), "-o", "OUT", "--mpi", "--quiet"]
# fewer trials for the slower additions (about a second each)
FEWER = {"validate": 8, "testbed-replay": 6, "sweep-mpi": 6}
only = os.environ.get("ALLOC_COMMANDS")
if only:
    commands = {k: v for k, v in commands.items() if k in only.split(",")}


def execute(name, argv, out, fail_at):
    """Run argv into folder out with allocation fail_at failing (0: none);
    (process, count of allocations, whether the fault was injected)."""
    report = out + ".report"
    if name == "plot-sweep":
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(SWEPT, out)
    env = dict(os.environ, LD_PRELOAD=LIB, BS_FAIL_REPORT=report, BS_FAIL_AT=str(fail_at))
    if "LD_PRELOAD=PRELOAD" in argv:
        del env["LD_PRELOAD"]
    argv = [out if a == "OUT" else f"LD_PRELOAD={LIB}" if a == "LD_PRELOAD=PRELOAD" else a for a in argv]
    try:
        p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, cwd=tmp)
    except subprocess.TimeoutExpired:
        return None, 0, False
    count, injected = 0, False
    if os.path.exists(report):
        with open(report) as fh:
            m = re.match(r"count=(\d+) failed=(\d)", fh.read())
        count, injected = int(m.group(1)), m.group(2) == "1"
        os.unlink(report)
    return p, count, injected


def files(folder):
    """Relative path -> bytes of every file under folder."""
    got = {}
    for root, _, names in os.walk(folder):
        for n in names:
            path = os.path.join(root, n)
            with open(path, "rb") as fh:
                got[os.path.relpath(path, folder)] = fh.read()
    return got


def sample(count, samples=SAMPLES):
    """The call numbers to fail: first three, last three, evenly between."""
    if samples == 0 or count <= samples:
        return list(range(1, count + 1))
    picks = {1, 2, 3, count - 2, count - 1, count}
    inner = samples - len(picks)
    for i in range(1, inner + 1):
        picks.add(1 + round(i * (count - 1) / (inner + 1)))
    return sorted(picks)


for name, argv in commands.items():
    # one folder for the reference and every trial: the scripts name it
    out = os.path.join(tmp, name + "-out")
    p, count, _ = execute(name, argv, out, 0)
    ok = p is not None and p.returncode == 0 and count > 0
    check(ok, f"{name}: without a fault exit 0, {count} allocations of our code counted"
              + ("" if ok else f" (exit {p.returncode if p else 'timeout'}: {p.stderr[-500:] if p else ''})"))
    if not ok:
        continue
    reference = files(out) if os.path.isdir(out) else {}
    shutil.rmtree(out, ignore_errors=True)
    bad = []
    injected_trials = 0
    picks = sample(count, min(SAMPLES, FEWER.get(name, SAMPLES)) if SAMPLES else 0)
    for n in picks:
        p, _, injected = execute(name, argv, out, n)
        if p is None:
            bad.append(f"allocation {n}: still running after 60 s")
            continue
        err = p.stderr.strip().replace("\n", " | ")[-400:]
        if p.returncode < 0:
            bad.append(f"allocation {n}: killed by signal {-p.returncode}: {err}")
            continue
        if not injected:  # a run whose path changed made fewer allocations
            continue
        injected_trials += 1
        if p.returncode != 1 or not NAMED.search(p.stderr):
            bad.append(f"allocation {n}: exit {p.returncode}, stderr: {err}")
        got = files(out) if os.path.isdir(out) else {}
        for rel, data in got.items():
            base = os.path.basename(rel)
            if ".tmp" in base or ".partial-" in base:
                bad.append(f"allocation {n}: temporary {rel} left behind")
            elif base == ".lock" or (name in ("sweep", "sweep-mpi") and base == "summary.txt"):
                continue  # a lock holds a PID; a sweep's summary lists the failed run
            elif rel.endswith(".h5"):
                if not h5_complete(os.path.join(out, rel)):
                    bad.append(f"allocation {n}: {rel} is not complete")
            elif reference.get(rel) != data:
                bad.append(f"allocation {n}: {rel} differs from the one written without a fault")
        shutil.rmtree(out, ignore_errors=True)
    for b in bad:
        print(f"     {name}: {b}")
    # (a shim that never fails anything would pass every check below)
    check(injected_trials > 0, f"{name}: {injected_trials} of the trials had an allocation failed")
    check(not bad, f"{name}: each of {len(picks)} allocations failing: exit 1, "
                   "'out of memory: <what>', no crash, nothing half-written")

shutil.rmtree(tmp, ignore_errors=True)
print(f"alloc_failure: {results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
