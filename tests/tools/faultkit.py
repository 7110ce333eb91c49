"""What the fault tests (tests/e2e/faults.py, tests/e2e/testbed_faults.py)
share: checks counted, a folder to mount small tmpfs disks on, a disk filled
to the last byte, a process that has exited, a results file that is
complete; and (tests/e2e/slurm.py too) the environment of MPI ranks under the
sanitizers."""
import os
import shutil
import subprocess
import sys
import tempfile

results = {"passed": 0, "failed": 0}


def check(ok, what):
    """Count and print one check."""
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what, flush=True)


def tmpfs_folder(test, prefix):
    """A fresh temporary folder and, in it, mnt/ on which tmpfs mounts (tried
    once); without root or tmpfs, say why and exit 77 (ctest: skipped)."""
    if os.geteuid() != 0:
        print(f"{test}: skipped: mounting tmpfs (a small full disk) needs root")
        sys.exit(77)
    tmp = tempfile.mkdtemp(prefix=prefix)
    mnt = os.path.join(tmp, "mnt")
    os.mkdir(mnt)
    probe = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"{test}: skipped: cannot mount tmpfs ({probe.stderr.strip()})")
        shutil.rmtree(tmp)
        sys.exit(77)
    subprocess.run(["umount", mnt], check=True)
    return tmp, mnt


def fill(folder):
    """Fill the disk of `folder` to the last byte (a file named filler)."""
    try:
        with open(os.path.join(folder, "filler"), "wb") as fh:
            while True:
                fh.write(b"x")
                fh.flush()
    except OSError:
        pass


def dead_pid():
    """The PID of a process that has exited (and been reaped)."""
    c = subprocess.Popen(["true"])
    c.wait()
    return c.pid


def h5_complete(path):
    """Whether path is a results file with the root attribute complete=1."""
    import h5py
    try:
        with h5py.File(path, "r") as f:
            return int(f.attrs.get("complete", 0)) == 1
    except Exception:
        return False


def tiny_calibration(src, folder, description):
    """A small ABC on the sweep benchmark's tiny scenario, written into folder
    (two generations of four particles: every stage of calibrate, few runs);
    the calibration file's path."""
    shutil.copy(os.path.join(src, "bench", "sweep-tiny.cfg"), folder)
    with open(os.path.join(folder, "obs.cfg"), "w") as fh:
        fh.write(f'description = "{description}";\nobservations = (\n'
                 '  { date = "2025-01-02"; period = "1d"; measure = "audience"; app = "b"; value = 500.0;\n'
                 '    uncertainty = 150.0; unit = "people"; source = "a made-up figure (a test input)"; }\n);\n')
    cal = os.path.join(folder, "cal.cfg")
    with open(cal, "w") as fh:
        fh.write('scenario = "sweep-tiny.cfg";\nobservations = ["obs.cfg"];\nseed = 5;\nreplications = 1;\n'
                 'parameters = ( { path = "apps.b.installed"; prior = "uniform"; bounds = [0.2, 0.8]; } );\n'
                 'abc = { particles = 4; generations = 2; min_tolerance = 0.2; };\n')
    return cal


def no_leak_check(env):
    """env for MPI ranks: under the sanitizer build Open MPI leaks at
    MPI_Finalize (as in tests/e2e/sweep.py), so leak detection is off for
    them only; every other sanitizer check stays."""
    if "ASAN_OPTIONS" in env:
        env["ASAN_OPTIONS"] = env["ASAN_OPTIONS"].replace("detect_leaks=1", "detect_leaks=0")
    return env
