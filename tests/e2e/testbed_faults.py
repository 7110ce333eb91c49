#!/usr/bin/python3
"""Faults of blockshift testbed (the packet engine; faults.py does the other
commands): a full disk, two at once, what a killed one left.

The matrix is WhatsApp under a STUN rule through OpenVPN (--set
testbed.apps/techniques/vpns), one call a class (testbed.calls=2), so that a
testbed takes a second or two (20 s under ASan, where 8 calls took 85 s): its
results file is about 66K and its calibration file 2.6K (measured on a roomy
disk, printed below).

  - A full disk: tmpfs of 32K (smaller than the results file: exit 1 saying
    "No space left on device") and 1M (room: exit 0); either way every .h5
    under a final name has complete=1 and no temporary
    (NAME.partial-PID, .NAME.tmp-PID-RANDOM) is left.  --calibration-out
    into a tmpfs filled to the last byte, the results on a roomy disk:
    exit 1 saying so, no calibration file and no temporary in its folder,
    the results file complete.
  - --calibration-out into a folder that does not exist: exit 2 before ns-3
    runs, nothing written (not even the output folder).
  - Two testbeds into one folder at once, with the same --calibration-out:
    both exit 0 (each writes its own temporaries, the last rename wins), the
    results file complete, the calibration file byte for byte the one of a
    testbed alone (the testbed is deterministic), no temporary.
  - The temporaries a killed testbed leaves (names with the PID of a process
    that has exited), in its output folder and in the calibration file's:
    the next testbed removes them, and keeps those of a live process (this
    test's own PID).
  - kill -9 as soon as a file appears in its folder (the results file is
    written after ns-3 ran, under a temporary name): no file under a final
    name that is not complete, and the next testbed there exits 0 and
    removes what the killed one left.

Mounting tmpfs needs root (CI runs the suite as root): otherwise the test
says why and exits 77, which ctest reports as skipped; so does a build
without the packet engine (tests/CMakeLists.txt registers it skipped).

usage: testbed_faults.py BLOCKSHIFT_BIN SOURCE_DIR
"""
import os
import shutil
import signal
import subprocess
import sys
import time

BIN, SRC = sys.argv[1], sys.argv[2]
CFG = os.path.join(SRC, "configs", "testbeds", "tspu.cfg")
SMALL = ["--set", 'testbed.apps=["whatsapp"]', "--set", 'testbed.techniques=["stun"]',
         "--set", 'testbed.vpns=["openvpn"]', "--set", "testbed.calls=2", "--quiet"]
RESULT = "tspu-testbed-testbed-seed1.h5"
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
from faultkit import check, dead_pid, fill, h5_complete, results, tmpfs_folder  # noqa: E402

tmp, MNT = tmpfs_folder("testbed_faults", "bs-tbfaults-")
ENV = dict(os.environ, OMP_NUM_THREADS="1")


def testbed(out, *extra):
    return subprocess.run([BIN, "testbed", CFG, "-o", out, *SMALL, *extra], capture_output=True,
                          text=True, env=ENV, cwd=tmp)


def temporaries(top):
    return [os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs
            if ".tmp-" in f or ".partial-" in f]


def incomplete(top):
    """.h5 files under final names without complete=1."""
    return [os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs
            if f.endswith(".h5") and not h5_complete(os.path.join(d, f))]


# --- the reference: a testbed alone on a roomy disk ---
REF = os.path.join(tmp, "ref")
os.mkdir(REF)
p = testbed(REF, "--calibration-out", os.path.join(REF, "calib.cfg"))
check(p.returncode == 0 and h5_complete(os.path.join(REF, RESULT)),
      f"reference testbed: exit 0, a complete results file {p.stderr.strip()[-300:]!r}")
with open(os.path.join(REF, "calib.cfg"), "rb") as fh:
    CALIB = fh.read()
print(f"     (results file {os.path.getsize(os.path.join(REF, RESULT))} bytes, calibration "
      f"{len(CALIB)} bytes)")

# --- a full disk ---
try:
    for size, fits in (("32k", False), ("1m", True)):
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", MNT], check=True)
        try:
            out = os.path.join(MNT, "out")
            p = testbed(out)
            said = "No space left on device" in p.stderr
            check(p.returncode == 0 if fits else p.returncode == 1 and said,
                  f"testbed on {size}: " + ("exit 0" if fits else "exit 1 saying the disk is full")
                  + f" (exit {p.returncode}: {p.stderr.strip()[-300:]!r})")
            bad = incomplete(MNT) + temporaries(MNT)
            check(not bad, f"testbed on {size}: every .h5 complete, no temporary {bad[:4]}")
        finally:
            subprocess.run(["umount", MNT], check=True)

    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", MNT], check=True)
    try:
        fill(MNT)
        out = os.path.join(tmp, "calib-full")
        p = testbed(out, "--calibration-out", os.path.join(MNT, "calib.cfg"))
        check(p.returncode == 1 and "No space left on device" in p.stderr,
              f"--calibration-out on a full disk: exit 1 saying so "
              f"(exit {p.returncode}: {p.stderr.strip()[-300:]!r})")
        check(os.listdir(MNT) == ["filler"] and h5_complete(os.path.join(out, RESULT)),
              f"--calibration-out on a full disk: no calibration file, no temporary "
              f"{os.listdir(MNT)}; the results file complete")
    finally:
        subprocess.run(["umount", MNT], check=True)
finally:
    subprocess.run(["umount", MNT], capture_output=True)

# --- a calibration folder that does not exist ---
out = os.path.join(tmp, "no-calib-folder")
p = testbed(out, "--calibration-out", os.path.join(tmp, "missing", "calib.cfg"))
check(p.returncode == 2 and "does not exist" in p.stderr and not os.path.exists(out),
      f"--calibration-out into a missing folder: exit 2 before anything runs, nothing written "
      f"(exit {p.returncode}: {p.stderr.strip()[-200:]!r})")

# --- two at once into one folder ---
out = os.path.join(tmp, "together")
calib = os.path.join(out, "calib.cfg")
os.makedirs(out)  # the calibration's folder must be there
cs = [subprocess.Popen([BIN, "testbed", CFG, "-o", out, *SMALL, "--calibration-out", calib],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV, cwd=tmp)
      for _ in range(2)]
rcs = [c.wait() for c in cs]
errs = [c.stderr.read().strip()[-200:] for c in cs if c.returncode]
same = os.path.exists(calib) and open(calib, "rb").read() == CALIB
check(rcs == [0, 0], f"two testbeds into one folder at once both exit 0 {rcs} {errs}")
check(h5_complete(os.path.join(out, RESULT)) and same and not temporaries(out),
      f"two testbeds at once: a complete results file, the calibration of a testbed alone, "
      f"no temporary {temporaries(out)[:4]}")

# --- what a killed testbed left ---
out = os.path.join(tmp, "stale")
cal_dir = os.path.join(tmp, "stale-calib")
os.makedirs(out)
os.makedirs(cal_dir)
gone = dead_pid()
dead = [os.path.join(out, f"{RESULT}.partial-{gone}"), os.path.join(out, f".other.h5.tmp-{gone}-0123abcd"),
        os.path.join(cal_dir, f".calib.cfg.tmp-{gone}-89abcdef")]
live = [os.path.join(out, f"{RESULT}.partial-{os.getpid()}"),
        os.path.join(cal_dir, f".calib.cfg.tmp-{os.getpid()}-00c0ffee")]
for f in dead + live:
    with open(f, "w") as fh:
        fh.write("half")
p = testbed(out, "--calibration-out", os.path.join(cal_dir, "calib.cfg"))
check(p.returncode == 0 and sorted(temporaries(out) + temporaries(cal_dir)) == sorted(live),
      f"the next testbed removes the dead processes' temporaries, keeps a live one's "
      f"{temporaries(out) + temporaries(cal_dir)}")

# --- kill -9 while it writes ---
out = os.path.join(tmp, "killed")
c = subprocess.Popen([BIN, "testbed", CFG, "-o", out, *SMALL], stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, env=ENV, cwd=tmp)
# the results file is written after ns-3 ran: kill as soon as a file appears
while c.poll() is None and not (os.path.isdir(out) and os.listdir(out)):
    time.sleep(0.0005)
c.send_signal(signal.SIGKILL)
rc = c.wait()
if rc == -signal.SIGKILL:
    left = temporaries(out)
    check(not incomplete(out), f"testbed killed while writing {os.listdir(out)}: no incomplete "
                               "file under a final name")
    p = testbed(out)
    check(p.returncode == 0 and not temporaries(out) and h5_complete(os.path.join(out, RESULT)),
          f"the next testbed there: exit 0, a complete file, the killed one's temporaries "
          f"{left} gone {temporaries(out)}")
else:
    print(f"     (the testbed ended (status {rc}) before the kill: nothing to check)")

print(f"{results['passed']} passed, {results['failed']} failed")
if results["failed"] == 0:
    shutil.rmtree(tmp)
else:
    print("kept " + tmp)
sys.exit(1 if results["failed"] else 0)
