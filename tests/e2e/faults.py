#!/usr/bin/python3
"""Faults: a full disk, a kill, two commands at once.  Nothing is half-written
under a final name, nothing crashes, and what a killed command left is cleaned
up by the next one into its folder.

  - A full disk: tmpfs of 64K, 128K, 256K, 512K and 2M; run, sweep, plot,
    compare, reproduce and calibrate (two generations of four particles on
    bench/sweep-tiny.cfg) into each (on a roomy disk they write 100K-530K).  Each exits 0 or 1 (never 139, never 2), exit 1 says
    "No space left on device" (or "disk full"), and every file under a final
    name is complete: every .h5 opens with h5py and has complete=1; every
    other file is byte for byte the one the same command writes on a roomy
    disk (the commands are deterministic; gnuplot's PNGs too); no temporary
    (.NAME.tmp-PID-RANDOM, NAME.partial-PID) is left behind.  At 64K every
    command fails: a results file of the mini scenario is about 250K and its
    figures about 300K (measured, see below), so none fits.  validate (a
    one-observation case on the same tiny scenario) and, with MPI built
    and mpirun present, sweep --mpi on two ranks, likewise.  validate's
    table and figure: its runs' folder (DIR/.runs-CASE) a symbolic link to
    a roomy disk, tmpfs of 4K filled to the last byte, 4K, 8K, 12K, 16K
    (the table, .dat, .gp take a 4K page each, the PNG 28K) and 64K: the
    same checks.  With the packet engine built, testbed --replay of the
    default scenario in miniature (a 295K results file) on 256K: exit 1
    saying so, no incomplete .h5, no temporary.
  - kill -9 of plot once its folder holds 1, a third and two thirds of the
    entries of a whole plot (points in its own progress, whatever the
    machine's speed; gnuplot draws six figures): what has a final name is the reference file; no gnuplot is
    left running in the folder; the next plot there exits 0 and leaves no
    temporary.  kill -9 of run likewise, after the folder was given the
    temporaries a killed run and a killed plot leave (names with the PID of
    a process that has exited): the next run removes them, and keeps a
    temporary whose process is alive (this test's own PID).
  - kill -9 of compare, reproduce, calibrate, validate and (MPI) calibrate
    --mpi (the whole job: mpirun and its ranks, which Open MPI puts in
    process groups of their own, as a batch system kills it) at three points of their
    own wall time (fractions from a seeded generator, FAULTS_SEED; sooner if
    the command ended first): no gnuplot or worker left; what has a final
    name is complete (the reference file, or a complete posterior.h5); the
    next run into the folder (calibrate: --resume once posterior.h5 is
    there) exits 0, its files are the reference ones, no temporary is left,
    and calibrate's posterior is the uninterrupted run's, bit for bit.  Before validate's next run, temporaries a kill at another moment
    leaves (.case.png.tmp-PID-RANDOM, .runs-case/RUN.h5.partial-PID, the PID
    of a process that has exited) are put in its folder: it removes them.
  - kill -9 of reproduce while the replication it runs (a child blockshift
    run of the year-long scenario) works: no run left (parent-death signal).
  - SIGTERM of plot half way: it dies of the signal, with no temporary and
    no gnuplot left.
  - Three plots at once into one folder: all exit 0, every file is the
    reference one, no temporary is left (README: last rename wins).
  - Two compares and two reproduces into one folder at once: all exit 0,
    every file the reference one, no temporary.  Two calibrates: both exit
    0, or one is refused saying why (exit 1 naming the other's PID, the
    folder's lock; exit 2 once the other's posterior.h5 is there); the
    folder holds exactly the files of a calibrate alone.  Two validates
    likewise (both exit 0, or one exits 1 naming the other's PID).  While a
    validate of a year-long case works (its DIR/.runs-CASE there), a second
    validate and a calibrate into its folder each exit 1 naming the folder
    and its PID and write nothing; it ends with exit 0, every file complete.
  - A plot whose data are all NaN (gnuplot refuses it): exit 1 and none of
    that figure's files (.dat, .gp) in the folder.
  - One sweep at a time in a folder (DIR/.lock, fsutil_lock): while a sweep
    of three runs of long.cfg works (10 s of CPU with -j 1, measured; 34 s
    wall on a loaded machine), a second sweep, a --resume and a --summarise into its folder
    each exit 1 naming its PID ("(pid N) is working in this folder") and
    write nothing (no summary.txt before the first's end); the first ends
    with exit 0, every file complete.  A
    sweep killed with -9 holds nothing: a --resume at once exits 0 (the lock
    went with the process) and removes the dead processes' temporaries.
  - sweep --slurm: on a full disk (a tmpfs filled up to the last byte
    first), exit 1 saying so, no sweep.sbatch and no temporary; with room
    again, a script bash -n accepts.  The temporaries of a dead --slurm
    (.sweep.sbatch.tmp-PID-RANDOM) are removed by the next one, a live
    process's kept (so two --slurm at once do not take each other's).

Mounting tmpfs needs root (CI runs the suite as root): otherwise the test
says why and exits 77, which ctest reports as skipped.

usage: faults.py BLOCKSHIFT_BIN SOURCE_DIR
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

BIN, SRC = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
from faultkit import check, dead_pid, fill, h5_complete, no_leak_check, results, tiny_calibration, \
    tmpfs_folder  # noqa: E402

tmp, MNT = tmpfs_folder("faults", "bs-faults-")
import h5py  # noqa: E402  (after the skip: its message must not depend on it)
import numpy as np  # noqa: E402

for f in (os.path.join(SRC, "configs", "networks", "toy.cfg"), os.path.join(SRC, "tests", "data", "mini.cfg")):
    shutil.copy(f, tmp)
MINI = os.path.join(tmp, "mini.cfg")
# The same over a year with ten times the agents, for killing a run mid-way:
# about 2.5 s of CPU (measured), so the kills at 0.2, 0.5 and 1 s find it running.
# AddressSanitizer makes it 3 times longer (28 s of CPU against 9.5 s in the
# normal build, measured on a loaded machine), so under the sanitizers
# (tests/sanitize.sh) four months of it are as long as the year is here.
SANITIZED = os.environ.get("BLOCKSHIFT_SANITIZED") == "1"
LONG = os.path.join(tmp, "long.cfg")
with open(MINI) as fh, open(LONG, "w") as out:
    out.write(fh.read().replace('end = "2025-01-21"', 'end = "%s"' % ("2025-04-30" if SANITIZED else "2025-12-31"))
              .replace("scale = 20.0", "scale = 2.0"))
SWEEP = os.path.join(tmp, "sweep.cfg")
with open(SWEEP, "w") as fh:
    fh.write('scenario = "mini.cfg";\nseed = 5;\nreplications = 1;\n'
             'collect = ["final_vpn_share"];\n'
             'parameters = ( { path = "population.retry"; values = [0.3, 0.8]; } );\n')
# Three runs of long.cfg (10 s of CPU in all, measured): a sweep that works
# long enough for other commands to find it in its folder.
SWEEP_LONG = os.path.join(tmp, "sweep-long.cfg")
with open(SWEEP_LONG, "w") as fh:
    fh.write('scenario = "long.cfg";\nseed = 5;\nreplications = 1;\n'
             'collect = ["final_vpn_share"];\n'
             'parameters = ( { path = "population.retry"; values = [0.3, 0.5, 0.8]; } );\n')
MANIFEST = os.path.join(tmp, "paper.cfg")
with open(MANIFEST, "w") as fh:
    fh.write(f'paper = "faults";\nfigures = ( {{ name = "one"; scenario = "{MINI}"; seed = 3;'
             ' plot = "primary"; } );\n')
# calibrate: two generations of four particles on the sweep benchmark's tiny
# scenario (every output of calibrate, few runs)
CAL = tiny_calibration(SRC, tmp, "faults")
# validate: a one-observation case on that scenario (its runs, table, figure)
CASE = os.path.join(tmp, "case.cfg")
with open(CASE, "w") as fh:
    fh.write('description = "faults";\nscenario = "sweep-tiny.cfg";\nobservations = ["obs.cfg"];\n'
             'seed = 3;\nreplications = 1;\n')
# The same case on long.cfg (a year, about 2 s of CPU: printed below): a validate
# that works long enough for a second one to find it in its folder.
CASE_LONG = os.path.join(tmp, "case-long.cfg")
with open(CASE_LONG, "w") as fh:
    fh.write('description = "faults, long";\nscenario = "long.cfg";\nobservations = ["obs.cfg"];\n'
             'seed = 3;\nreplications = 1;\n')
VERSION = subprocess.run([BIN, "--version"], capture_output=True, text=True).stdout
HAVE_NS3 = "packet engine (ns-3, blockshift testbed): built" in VERSION
HAVE_MPI = "MPI (blockshift sweep --mpi): built" in VERSION and shutil.which("mpirun")
MPIRUN = ["mpirun", "--oversubscribe", "--allow-run-as-root", "-np", "2", BIN]
print(f"     (ns-3: {HAVE_NS3}, MPI and mpirun: {bool(HAVE_MPI)})")
ENV = dict(os.environ, OMP_NUM_THREADS="1")
# an MPI job's: under the sanitizers without the leak check (Open MPI leaks)
ENV_MPI = no_leak_check(dict(ENV))
# FAULTS_ONLY=disk,kill,orphan,kill-more,term,together,nan,lock,slurm runs only those parts (to break the
# code and see one part fail without waiting for the others).
ONLY = os.environ.get("FAULTS_ONLY", "disk,kill,orphan,kill-more,term,together,nan,lock,slurm").split(",")


def argv(args):
    """The command line of blockshift ARGS (ARGS already one if it starts
    with mpirun)."""
    return list(args) if args[0] == "mpirun" else [BIN, *args]


def env_of(args):
    return ENV_MPI if args[0] == "mpirun" else ENV


def bs(*args, **kw):
    return subprocess.run(argv(args), capture_output=True, text=True, env=env_of(args), cwd=tmp, **kw)


RESULT = os.path.join(tmp, "mini-seed3-run0.h5")
p = bs("run", MINI, "-o", tmp, "--quiet")
check(p.returncode == 0 and os.path.exists(RESULT), "the mini scenario runs on a roomy disk")
print(f"     (results file: {os.path.getsize(RESULT)} bytes)")


def commands(out):
    """Each command under test, writing into `out`."""
    return {
        "run": ["run", MINI, "-o", out, "--quiet"],
        "sweep": ["sweep", SWEEP, "-o", out, "--quiet", "-j", "1"],
        "plot": ["plot", RESULT, "-o", out],
        "compare": ["compare", RESULT, RESULT, "-o", out],
        "reproduce": ["reproduce", MANIFEST, "-o", out, "--quiet"],
        "calibrate": ["calibrate", CAL, "-o", out, "--quiet", "-j", "1"],
        "validate": ["validate", CASE, "-o", out, "--quiet", "-j", "1"],
        **({"sweep-mpi": MPIRUN + ["sweep", SWEEP, "-o", out, "--mpi", "--quiet"],
            "calibrate-mpi": MPIRUN + ["calibrate", CAL, "-o", out, "--mpi", "--quiet"]}
           if HAVE_MPI else {}),
    }


def is_temp(name):
    return ".tmp-" in name or ".partial-" in name or name.endswith(".tmp")


def files(top):
    """Every file under top, as paths relative to it (folders walked)."""
    out = []
    for d, _, fs in os.walk(top):
        out += [os.path.relpath(os.path.join(d, f), top) for f in fs]
    return sorted(out)


def png_complete(path):
    with open(path, "rb") as f:
        b = f.read()
    return b[:8] == b"\x89PNG\r\n\x1a\n" and b[-12:] == b"\0\0\0\0IEND\xaeB`\x82"


def bad_files(top, ref, exact=True):
    """Files under final names in `top` that are not complete: .h5 without
    complete=1, anything else not identical to the reference folder's file
    (the folder's own path, which .dat and .gp headers name, read as the
    reference's; or, with no reference file, an empty .dat or a PNG without
    IEND), and temporaries.  The lock file is not output.  exact=False (a
    sweep some of whose runs failed: its summary.txt rightly differs): text
    files need only be non-empty and end with a newline."""
    bad = []
    for rel in files(top):
        path = os.path.join(top, rel)
        name = os.path.basename(rel)
        if any(is_temp(part) for part in rel.split(os.sep)):
            bad.append(rel + " (a temporary left behind)")
        elif name.endswith(".h5"):
            if not h5_complete(path):
                bad.append(rel + " (not a complete results file)")
        elif name == ".lock":
            continue
        elif not exact and name.endswith(".txt"):
            with open(path, "rb") as a:
                text = a.read()
            if not text.endswith(b"\n"):
                bad.append(rel + " (not ended by a newline)")
        elif ref and os.path.exists(os.path.join(ref, rel)):
            with open(path, "rb") as a, open(os.path.join(ref, rel), "rb") as b:
                if a.read().replace(top.encode(), ref.encode()) != b.read():
                    bad.append(rel + " (differs from the complete file)")
        elif name.endswith(".png") and not png_complete(path):
            bad.append(rel + " (PNG without IEND)")
        elif os.path.getsize(path) == 0:
            bad.append(rel + " (empty)")
    return bad


def wait_for(cond, limit=60.0):
    """Poll cond() every 2 ms until it holds or `limit` seconds pass."""
    t0 = time.time()
    while not cond() and time.time() - t0 < limit:
        time.sleep(0.002)
    return cond()


# --- references: each command on a roomy disk ---
REF = os.path.join(tmp, "ref")
os.mkdir(REF)
for name, args in commands("").items():
    out = os.path.join(REF, name)
    p = bs(*commands(out)[name])
    check(p.returncode == 0, f"reference {name}: exit 0 on a roomy disk"
                             + (f" ({p.stderr.strip()[-200:]})" if p.returncode else ""))
ref_sizes = {n: sum(os.path.getsize(os.path.join(REF, n, f)) for f in files(os.path.join(REF, n)))
             for n in commands("")}
print(f"     (bytes written on a roomy disk: {ref_sizes})")


def gnuplots_in(top):
    """PIDs of processes whose working folder is under top (gnuplot's)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if cwd == top or cwd.startswith(top + "/"):
            found.append(int(pid))
    return found


def workers_of(top, under=False):
    """PIDs of blockshift processes (forked workers: the parent's command
    line) whose arguments name top (`under`: or a path under it)."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                argv = fh.read().split(b"\0")
        except OSError:
            continue
        if top.encode() in argv or (under and any(a.startswith(top.encode() + b"/") for a in argv)):
            found.append(int(pid))
    return found


def interrupted(args, after, sig, folder=None, entries=0):
    """Run blockshift ARGS and send SIG `after` seconds after start or, with
    `folder`, as soon as the folder holds `entries` entries (figures in
    progress or done: a point in the command's own progress, whatever the
    machine's speed); the exit status."""
    c = subprocess.Popen(argv(args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env=env_of(args), cwd=tmp)
    if folder:
        while c.poll() is None:
            try:
                if len(os.listdir(folder)) >= entries:
                    break
            except OSError:
                pass
            time.sleep(0.002)
    else:
        time.sleep(after)
    if args[0] == "mpirun":  # the whole job, mpirun and its ranks (which Open MPI puts in
        # process groups of their own), as a batch system kills it
        for pid in [c.pid] + workers_of(args[args.index("-o") + 1]):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
    else:
        c.send_signal(sig)
    return c.wait()


# --- a full disk ---
if "disk" in ONLY:
    def mount(size):
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", MNT], check=True)


    try:
        for size in ("64k", "128k", "256k", "512k", "2m"):
            for name in [n for n in commands("") if n != "calibrate-mpi"]:  # (killed below)
                mount(size)
                try:
                    out = os.path.join(MNT, name)
                    p = bs(*commands(out)[name])
                    said = "No space left on device" in p.stderr or "disk full" in p.stderr
                    if size == "64k":
                        check(p.returncode == 1 and said,
                              f"{name} on {size}: exit 1 saying the disk is full "
                              f"(exit {p.returncode}: {p.stderr.strip()[-300:]!r})")
                    else:
                        check(p.returncode == 0 or (p.returncode == 1 and said),
                              f"{name} on {size}: exit 0, or 1 saying the disk is full "
                              f"(exit {p.returncode}: {p.stderr.strip()[-300:]!r})")
                    bad = bad_files(out, os.path.join(REF, name),
                                    not name.startswith("sweep") or p.returncode == 0) \
                        if os.path.isdir(out) else []
                    check(not bad, f"{name} on {size}: every file under a final name complete, "
                                   f"no temporary {bad[:4]}")
                finally:
                    subprocess.run(["umount", MNT], check=True)
        # validate's table and figure: its runs (about 170K, in DIR/.runs-CASE,
        # removed before the table is written) go to a roomy disk through a
        # symbolic link, so that the disk is full while the table (one 4K
        # page of tmpfs), .dat, .gp (a page each) and PNG (28K) are written;
        # "full": 4K filled to the last byte first (no room for the table)
        for size in ("full", "4k", "8k", "12k", "16k", "64k"):
            mount("4k" if size == "full" else size)
            try:
                if size == "full":
                    fill(MNT)
                out = os.path.join(MNT, "validate")
                os.mkdir(out)
                runs = os.path.join(tmp, f"validate-runs-{size}")
                os.mkdir(runs)
                os.symlink(runs, os.path.join(out, ".runs-case"))
                p = bs(*commands(out)["validate"])
                said = "No space left on device" in p.stderr or "disk full" in p.stderr
                check(p.returncode == 0 or (p.returncode == 1 and said) and size != "64k",
                      f"validate's table and figure on {size}: exit 0, or 1 saying the disk is full "
                      f"(exit {p.returncode}: {p.stderr.strip()[-300:]!r})")
                bad = bad_files(out, os.path.join(REF, "validate"))
                check(not bad, f"validate's table and figure on {size}: every file under a final name "
                               f"complete, no temporary {bad[:4]}")
            finally:
                subprocess.run(["umount", MNT], check=True)
        # testbed --replay (the packet engine): its results file (295K) on 256K
        if HAVE_NS3:
            mount("256k")
            try:
                out = os.path.join(MNT, "replay")
                p = bs("testbed", os.path.join(SRC, "scenarios", "whatsapp-then-facetime.cfg"), "--replay",
                       "-o", out, "--set", "population.scale=14600.0", "--set", "testbed.replay_users=8",
                       "--set", "testbed.replay_calls=1", "--set", 'testbed.call_seconds="1s"', "--set",
                       'testbed.phase_seconds="10s"', "--quiet")
                check(p.returncode == 1 and "No space left on device" in p.stderr,
                      f"testbed --replay on 256k: exit 1 saying the disk is full "
                      f"(exit {p.returncode}: {p.stderr.strip()[-300:]!r})")
                bad = bad_files(out, None) if os.path.isdir(out) else []
                check(not bad, f"testbed --replay on 256k: no incomplete results file, no temporary {bad[:4]}")
            finally:
                subprocess.run(["umount", MNT], check=True)
    finally:
        subprocess.run(["umount", MNT], capture_output=True)


# --- kill -9 ---
if "kill" in ONLY:
    n_ref = len(os.listdir(os.path.join(REF, "plot")))
    for k in (1, n_ref // 3, 2 * n_ref // 3):
        after = f"{k} of {n_ref} entries"
        out = os.path.join(tmp, f"kill-plot-{k}")
        rc = interrupted(["plot", RESULT, "-o", out], 0, signal.SIGKILL, out, k)
        time.sleep(0.05)  # the kernel's parent-death signal is at once; a figure takes gnuplot 0.3 s+
        left = gnuplots_in(out)
        check(rc == -signal.SIGKILL, f"plot killed at {after}")
        check(not left, f"plot killed at {after}: no gnuplot left running there {left}")
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        bad = [b for b in bad_files(out, os.path.join(REF, "plot")) if "temporary" not in b] \
            if os.path.isdir(out) else []
        check(not bad, f"plot killed at {after}: every file under a final name complete {bad[:4]}")
        p = bs(*commands(out)["plot"])
        bad = bad_files(out, os.path.join(REF, "plot"))
        check(p.returncode == 0 and not bad,
              f"plot killed at {after}: the next plot there exits 0, all complete, "
              f"the stale temporaries gone {bad[:4]}")

    for after in (0.2, 0.5, 1.0):
        out = os.path.join(tmp, f"kill-run-{after}")
        os.mkdir(out)
        gone = dead_pid()
        stale = [f"mini-seed3-run0.h5.partial-{gone}", f"other.h5.partial-{gone}", f".primary.png.tmp-{gone}-0123abcd",
                 f".checksums.txt.tmp-{gone}-89abcdef"]
        for s in stale:
            with open(os.path.join(out, s), "w") as fh:
                fh.write("half")
        os.mkdir(os.path.join(out, f".vpn.tmp-{gone}-00ff00ff"))
        with open(os.path.join(out, f".vpn.tmp-{gone}-00ff00ff", "vpn.dat"), "w") as fh:
            fh.write("half")
        alive = f"other.h5.partial-{os.getpid()}"
        open(os.path.join(out, alive), "w").close()
        rc = interrupted(["run", LONG, "-o", out, "--quiet"], after, signal.SIGKILL)
        check(rc == -signal.SIGKILL, f"run killed after {after} s")
        h5s = [f for f in files(out) if f.endswith(".h5")]
        check(all(h5_complete(os.path.join(out, f)) for f in h5s),
              f"run killed after {after} s: no incomplete file under a final name {h5s}")
        t0 = time.time()
        p = bs("run", LONG, "-o", out, "--quiet")
        print(f"     (a whole run of long.cfg: {time.time() - t0:.1f} s)")
        left = [f for f in os.listdir(out) if is_temp(f)]
        check(p.returncode == 0 and h5_complete(os.path.join(out, "mini-seed3-run0.h5")),
              f"run killed after {after} s: the next run exits 0 with a complete file")
        check(left == [alive], f"run killed after {after} s: the next run removed the dead "
                               f"processes' temporaries, kept the live one's {left}")


def plant(folder, names):
    """Files (with their folders) standing for what a killed process left."""
    for n in names:
        os.makedirs(os.path.dirname(os.path.join(folder, n)), exist_ok=True)
        with open(os.path.join(folder, n), "w") as fh:
            fh.write("half")


# --- kill -9 of reproduce: its replication run dies with it ---
if "orphan" in ONLY:
    # reproduce killed while the replication it runs (a child blockshift run
    # of the year-long scenario, about 2 s of CPU) works: the run goes with
    # it (the kernel's parent-death signal), it does not go on writing into
    # the folder (seen failing without: the run lived on)
    paper_long = os.path.join(tmp, "paper-long.cfg")
    with open(paper_long, "w") as fh:
        fh.write(f'paper = "faults";\nfigures = ( {{ name = "one"; scenario = "{LONG}"; seed = 3;'
                 ' plot = "primary"; } );\n')
    out = os.path.join(tmp, "kill-reproduce-run")
    c = subprocess.Popen([BIN, "reproduce", paper_long, "-o", out, "--quiet"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, env=ENV, cwd=tmp)
    # the run's own command line names its folder, out/runs/one (reproduce's: out)
    run_of = lambda: workers_of(os.path.join(out, "runs"), under=True)  # noqa: E731
    running = []
    wait_for(lambda: running.extend(run_of()) or running or c.poll() is not None)
    c.send_signal(signal.SIGKILL)
    rc = c.wait()
    time.sleep(0.05)  # the kernel's parent-death signal
    left = run_of()
    check(running and not left, f"reproduce killed -9 while its replication runs {sorted(set(running))}: "
                                f"no run left writing into its folder {left} (reproduce: exit {rc}, "
                                f"{c.stderr.read().strip()[-300:]!r})")
    for pid in left:
        os.kill(pid, signal.SIGKILL)

# --- kill -9 of compare, reproduce and calibrate ---
if "kill-more" in ONLY:
    def datasets(path):
        """Every dataset under /generations, /posterior and /tolerances of
        posterior.h5: numbers as their bytes, strings as a list."""
        got = {}
        with h5py.File(path, "r") as f:
            for g in ("generations", "posterior", "tolerances"):
                f[g].visititems(lambda n, o: got.__setitem__(
                    f"{g}/{n}", o[()].tolist() if o.dtype.kind in "OSU" else o[()].tobytes())
                    if isinstance(o, h5py.Dataset) else None)
        return got

    # compare, reproduce and calibrate, killed at three points of their own
    # wall time (measured here on an uninterrupted run: 0.4, 1.1 and 1.4 s on
    # an idle machine), fractions drawn from a seeded generator (printed)
    rng = np.random.default_rng(int(os.environ.get("FAULTS_SEED", "12")))
    for name in ["compare", "reproduce", "calibrate", "validate"] + (["calibrate-mpi"] if HAVE_MPI else []):
        t0 = time.time()
        scratch = os.path.join(tmp, f"time-{name}")
        p = bs(*commands(scratch)[name])
        whole = time.time() - t0
        check(p.returncode == 0, f"{name} uninterrupted: exit 0 ({whole:.2f} s)")
        for frac in sorted(rng.uniform(0.1, 0.9, 3)):
            after = f"{frac * whole:.2f} s ({frac:.2f} of its time)"
            out = os.path.join(tmp, f"kill-{name}-{frac:.2f}")
            delay = frac * whole
            for _ in range(4):  # ended before the kill (a loaded machine's times vary): sooner
                rc = interrupted(commands(out)[name], delay, signal.SIGKILL)
                if rc == -signal.SIGKILL:
                    break
                shutil.rmtree(out, ignore_errors=True)
                delay /= 2
            # the kernel's parent-death signal to gnuplot and the workers: a killed
            # process is gone once its memory is torn down, which under the
            # sanitizers (terabytes of shadow mappings) on a loaded machine takes
            # longer than the 50 ms that suffice otherwise; one that lives on stays
            after = f"{delay:.2f} s ({delay / whole:.2f} of its time)"
            check(rc == -signal.SIGKILL, f"{name} killed after {after}")
            for _ in range(100):
                time.sleep(0.05)
                left = gnuplots_in(out) + workers_of(out)
                if not left:
                    break
            check(not left, f"{name} killed after {after}: no gnuplot or worker left running there {left}")
            for pid in left:
                os.kill(pid, signal.SIGKILL)
            ref = os.path.join(REF, name)
            # posterior.h5 is rewritten after each generation: complete, not the final one
            bad = [b for b in bad_files(out, ref) if "temporary" not in b] if os.path.isdir(out) else []
            check(not bad, f"{name} killed after {after}: every file under a final name complete {bad[:4]}")
            again = commands(out)[name]
            if name == "validate":  # what a kill at other moments leaves, for the next one to remove
                gone = dead_pid()
                plant(out, [f".case.png.tmp-{gone}-0123abcd", f".runs-case/g000-run-000000.h5.partial-{gone}"])
            if name.startswith("calibrate") and os.path.exists(os.path.join(out, "posterior.h5")):
                again = again + ["--resume"]
            p = bs(*again)
            bad = bad_files(out, ref)
            got = [f for f in files(out) if f not in (".lock", "checksums.previous.txt")]
            want = [f for f in files(ref) if f != ".lock"]
            check(p.returncode == 0 and not bad and got == want,
                  f"{name} killed after {after}: the next {' '.join(again[:1] + again[-1:])} exits 0, "
                  f"every file complete, the stale temporaries gone "
                  f"(exit {p.returncode}: {p.stderr.strip()[-200:]!r}; {bad[:4]}; "
                  f"extra {sorted(set(got) - set(want))[:4]}, missing {sorted(set(want) - set(got))[:4]})")
            if name.startswith("calibrate") and os.path.exists(os.path.join(out, "posterior.h5")):
                check(datasets(os.path.join(out, "posterior.h5")) == datasets(os.path.join(ref, "posterior.h5")),
                      f"calibrate killed after {after}: the posterior, bit for bit, of the run never stopped")

# --- SIGTERM: the handlers clean up ---
if "term" in ONLY:
    out = os.path.join(tmp, "term-plot")
    n_ref = len(os.listdir(os.path.join(REF, "plot")))
    rc = interrupted(["plot", RESULT, "-o", out], 0, signal.SIGTERM, out, n_ref // 2)
    time.sleep(0.05)
    left = gnuplots_in(out)
    temps = [f for f in files(out) if is_temp(os.path.basename(f)) or "/" in f] if os.path.isdir(out) else []
    check(rc == -signal.SIGTERM, f"plot stopped by SIGTERM half way dies of it (status {rc})")
    check(not left and not temps, f"plot stopped by SIGTERM: no gnuplot {left}, no temporary {temps}")
    for pid in left:
        os.kill(pid, signal.SIGKILL)

# --- three plots into one folder at once ---
if "together" in ONLY:
    out = os.path.join(tmp, "together")
    cs = [subprocess.Popen([BIN, "plot", RESULT, "-o", out], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, env=ENV, cwd=tmp) for _ in range(3)]
    rcs = [c.wait() for c in cs]
    errs = [c.stderr.read().strip()[-200:] for c in cs if c.returncode]
    bad = bad_files(out, os.path.join(REF, "plot"))
    check(rcs == [0, 0, 0], f"three plots into one folder at once all exit 0 {rcs} {errs}")
    check(not bad and files(out) == files(os.path.join(REF, "plot")),
          f"three plots at once: every figure, .dat and .gp complete, no temporary {bad[:4]}")

    for name in ("compare", "reproduce"):
        out = os.path.join(tmp, f"together-{name}")
        cs = [subprocess.Popen([BIN, *commands(out)[name]], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env=ENV, cwd=tmp) for _ in range(2)]
        rcs = [c.wait() for c in cs]
        errs = [c.stderr.read().strip()[-200:] for c in cs if c.returncode]
        # the reproduce that ends second finds the first's checksums.txt and
        # keeps it as checksums.previous.txt: the same checksums
        prev = os.path.join(out, "checksums.previous.txt")
        same_prev = not os.path.exists(prev) or \
            open(prev, "rb").read() == open(os.path.join(out, "checksums.txt"), "rb").read()
        bad = bad_files(out, os.path.join(REF, name))
        check(rcs == [0, 0], f"two {name}s into one folder at once both exit 0 {rcs} {errs}")
        check(not bad and same_prev and
              [f for f in files(out) if f != "checksums.previous.txt"] == files(os.path.join(REF, name)),
              f"two {name}s at once: every file complete, no temporary {bad[:4]}")

    def two_locked(name, also_refused=lambda rc, e: False):
        """Two NAMEs into one folder at once: the one that comes second is
        refused (exit 1 naming the other's PID while it works, by the
        folder's lock; or as also_refused says) and writes nothing, or both
        finish; what is there is the output of a NAME alone."""
        out = os.path.join(tmp, f"together-{name}")
        cs = [subprocess.Popen([BIN, *commands(out)[name]], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env=ENV, cwd=tmp) for _ in range(2)]
        rcs = [c.wait() for c in cs]
        errs = [c.stderr.read().strip() for c in cs]
        refused = [e for rc, e in zip(rcs, errs)
                   if (rc == 1 and re.search(rf"another blockshift {name} \(pid \d+\) is working in this folder", e))
                   or also_refused(rc, e)]
        bad = bad_files(out, os.path.join(REF, name))
        check(rcs == [0, 0] or (sorted(rcs)[0] == 0 and len(refused) == 1),
              f"two {name}s into one folder at once: both exit 0, or one is refused saying why {rcs} "
              f"{[e[-200:] for e in errs]}")
        check(not bad and files(out) == files(os.path.join(REF, name)),
              f"two {name}s at once: every file the one of a {name} alone, no temporary {bad[:4]}")

    # calibrate: also exit 2 once the other's posterior.h5 is there
    two_locked("calibrate", lambda rc, e: rc == 2 and "already holds a calibration" in e)
    # validate: two would share DIR/.runs-CASE (each reading and removing the
    # other's runs)
    two_locked("validate")
    # and for certain: while a validate of the year-long case works in its
    # folder (its runs' folder .runs-case-long is there), a second validate
    # and a calibrate into it are each refused naming its PID, writing nothing
    out = os.path.join(tmp, "lock-validate")
    t0 = os.times()
    first = subprocess.Popen([BIN, "validate", CASE_LONG, "-o", out, "--quiet", "-j", "1"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV,
                             cwd=tmp)
    wait_for(lambda: os.path.exists(os.path.join(out, ".runs-case-long")) or first.poll() is not None)
    for what, args in (("a second validate", ["validate", CASE_LONG, "-o", out, "--quiet", "-j", "1"]),
                       ("a calibrate", ["calibrate", CAL, "-o", out, "--quiet", "-j", "1"])):
        before = files(out)
        p = bs(*args)
        working = first.poll() is None
        check(working and p.returncode == 1 and f"{out}: another blockshift validate (pid {first.pid}) is "
              "working in this folder" in p.stderr and files(out) == before,
              f"{what} while a validate works in its folder: exit 1 naming the folder and its PID "
              f"{first.pid}, nothing written (first still working: {working}; exit {p.returncode}: "
              f"{p.stderr.strip()[-200:]!r}; files {before} -> {files(out)})")
    rc = first.wait()
    t1 = os.times()
    bad = bad_files(out, None)
    check(rc == 0 and not bad and sorted(files(out)) == [".lock", "case-long.dat", "case-long.gp",
                                                         "case-long.png", "case-long.txt"],
          f"the first validate ends with exit 0, its table and figure complete, no temporary "
          f"(exit {rc}: {first.stderr.read().strip()[-200:]!r}; {files(out)}; {bad[:4]})")
    print(f"     (validate of the year-long case: {t1.children_user - t0.children_user:.1f} s of CPU)")

# --- all-NaN data: gnuplot refuses, nothing of the figure stays ---
if "nan" in ONLY:
    nan = os.path.join(tmp, "nan.h5")
    shutil.copy(RESULT, nan)
    with h5py.File(nan, "r+") as f:
        f["/population/primary"][...] = np.nan
    out = os.path.join(tmp, "nan-plots")
    p = bs("plot", nan, "-o", out)
    check(p.returncode == 1 and "all points y value undefined" in p.stderr,
          f"all-NaN data: exit 1 with gnuplot's reason (exit {p.returncode})")
    check(not [f for f in files(out) if f.startswith("primary") or is_temp(f)],
          f"all-NaN data: no primary.dat, primary.gp or temporary left {files(out)}")


# --- one sweep at a time in a folder ---
if "lock" in ONLY:
    out = os.path.join(tmp, "lock-sweep")
    first = subprocess.Popen([BIN, "sweep", SWEEP_LONG, "-o", out, "--quiet", "-j", "1"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV,
                             cwd=tmp)
    # index.h5 is written under the lock before the first run starts
    wait_for(lambda: os.path.exists(os.path.join(out, "index.h5")) or first.poll() is not None)
    for what, args in (("a --summarise", ["sweep", "--summarise", out]),
                       ("a second sweep", ["sweep", SWEEP_LONG, "-o", out, "--quiet", "-j", "1"]),
                       ("a --resume", ["sweep", SWEEP_LONG, "-o", out, "--resume", "--quiet", "-j", "1"])):
        p = bs(*args)
        working = first.poll() is None
        if what == "a --summarise":  # the first sweep writes summary.txt at its end, a --summarise at once
            check(not (working and os.path.exists(os.path.join(out, "summary.txt"))),
                  "the refused --summarise wrote no summary.txt while the first sweep works")
        check(working and p.returncode == 1 and f"another blockshift sweep (pid {first.pid}) is "
              "working in this folder" in p.stderr,
              f"{what} while a sweep works in its folder: exit 1 naming its PID {first.pid} "
              f"(first still working: {working}; exit {p.returncode}: {p.stderr.strip()[-200:]!r})")
    rc = first.wait()
    bad = bad_files(out, None)
    runs = [f for f in files(out) if f.startswith("runs/")]
    check(rc == 0 and not bad and len(runs) == 3 and all(h5_complete(os.path.join(out, f)) for f in runs),
          f"the first sweep ends with exit 0, three complete runs, no temporary "
          f"(exit {rc}: {first.stderr.read().strip()[-200:]!r}; {bad[:4]})")

    out = os.path.join(tmp, "lock-killed")
    killed = subprocess.Popen([BIN, "sweep", SWEEP_LONG, "-o", out, "--quiet", "-j", "1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, cwd=tmp)
    wait_for(lambda: os.path.exists(os.path.join(out, "index.h5")) or killed.poll() is not None)
    killed.send_signal(signal.SIGKILL)
    check(killed.wait() == -signal.SIGKILL, "a sweep killed with -9 once it works in its folder")
    gone = dead_pid()
    plant(out, [f".index.h5.tmp-{gone}-0123abcd", f"runs/run-00002.h5.partial-{gone}",
                f".sweep.sbatch.tmp-{gone}-89abcdef"])
    p = bs("sweep", SWEEP_LONG, "-o", out, "--resume", "--quiet", "-j", "1")
    bad = bad_files(out, None)
    check(p.returncode == 0 and not bad and len([f for f in files(out) if f.startswith("runs/")]) == 3,
          f"--resume at once after the kill: exit 0 (the dead sweep's lock does not hold), three "
          f"complete runs, the dead processes' temporaries gone "
          f"(exit {p.returncode}: {p.stderr.strip()[-200:]!r}; {bad[:4]})")

# --- sweep --slurm: a full disk, stale temporaries, four at once ---
if "slurm" in ONLY:
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", MNT], check=True)
    try:
        out = os.path.join(MNT, "slurm")
        os.mkdir(out)
        fill(MNT)
        p = bs("sweep", SWEEP, "--slurm", "-o", out)
        check(p.returncode == 1 and "No space left on device" in p.stderr,
              f"sweep --slurm on a full disk: exit 1 saying so "
              f"(exit {p.returncode}: {p.stderr.strip()[-200:]!r})")
        check(os.listdir(out) == [], f"sweep --slurm on a full disk: no script, no temporary "
                                     f"{os.listdir(out)}")
        os.unlink(os.path.join(MNT, "filler"))
        p = bs("sweep", SWEEP, "--slurm", "-o", out)
        script = os.path.join(out, "sweep.sbatch")
        check(p.returncode == 0 and os.listdir(out) == ["sweep.sbatch"]
              and subprocess.run(["bash", "-n", script]).returncode == 0,
              f"sweep --slurm with room again: exit 0, a script bash -n accepts {os.listdir(out)}")
    finally:
        subprocess.run(["umount", MNT], check=True)

    out = os.path.join(tmp, "slurm-stale")
    gone = dead_pid()
    live = f".sweep.sbatch.tmp-{os.getpid()}-00c0ffee"
    plant(out, [f".sweep.sbatch.tmp-{gone}-0123abcd", live])
    p = bs("sweep", SWEEP, "--slurm", "-o", out)
    check(p.returncode == 0 and sorted(os.listdir(out)) == sorted(["sweep.sbatch", live]),
          f"sweep --slurm removes a dead --slurm's temporary, keeps a live one's {os.listdir(out)}")

print(f"{results['passed']} passed, {results['failed']} failed")
if results["failed"] == 0:
    shutil.rmtree(tmp)
sys.exit(1 if results["failed"] else 0)
