#!/usr/bin/env python3
"""The memory estimate before allocating (models/README.md, section 10).

The scenario: scenarios/no-block.cfg (the Russian population, apps, VPNs and
network of 50 nodes: the flow engine is on) cut to 11 days (2025-08-25 to
2025-09-05, so that its one event stays inside), at --scale 1460 (100,205
agents) and 146 (1,002,055 agents).

1. The estimate `check` prints ("about X MB at the peak") is within 15% of
   the peak resident size of the run, measured by the kernel (ru_maxrss of
   the child, wait4), at both scales; `run` prints the same estimate (within
   1%: each adds what its own process holds at the time).
2. Under an address-space limit (RLIMIT_AS, as `ulimit -v` sets it) equal to
   the resident estimate at 10^6 agents, below what the run reserves (its
   arrays, the program's libraries and the threads' stacks), `run` exits 2
   before allocating: at once (under 5 s; the run itself takes 20 s and
   more), with no results file, with a message giving the estimate, the limit
   and the largest scale that fits; a run at that scale under the same limit
   is not refused.  The same under RLIMIT_DATA (`ulimit -d`) set to half the
   estimate.
3. --set population.memory_check=false under the same address-space limit
   runs anyway: it then fails as any allocation failure does (exit 1, "out of
   memory") or completes (exit 0), never refused (2) nor crashed.
4. Bad values of population.memory_check: in a configuration file, exit 2
   with file:line; on the command line, exit 2 naming the parameter.

Run as: memory.py BLOCKSHIFT SOURCE_DIR (ctest does).
"""
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

BIN, SRC = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SCENARIO = os.path.join(SRC, "scenarios", "no-block.cfg")
DAYS = ["--set", 'scenario.start="2025-08-25"', "--set", 'scenario.end="2025-09-05"']
results = {"passed": 0, "failed": 0}


SANITIZED = os.environ.get("BLOCKSHIFT_SANITIZED") == "1"


def check(ok, what):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what)


def run(args, limit=None, cwd=None):
    """Run blockshift; (exit code, stderr, peak RSS in bytes, wall seconds)."""
    def pre():
        if limit:
            resource.setrlimit(limit[0], (limit[1], limit[1]))
    t0 = time.monotonic()
    p = subprocess.Popen([BIN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         preexec_fn=pre, cwd=cwd, text=True)
    err = p.stderr.read()
    p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, err, ru.ru_maxrss * 1024, time.monotonic() - t0


def estimate_of(text):
    m = re.search(r"about ([0-9.]+) (MB|GB) at the peak", text)
    return float(m.group(1)) * (1e6 if m.group(2) == "MB" else 1e9) if m else None


with tempfile.TemporaryDirectory() as tmp:
    est = {}
    for scale in ("1460", "146"):
        rc, err, _, _ = run(["check", SCENARIO, "--set", f"population.scale={scale}"] + DAYS)
        est[scale] = estimate_of(err)
        check(rc == 0 and est[scale] is not None, f"check prints an estimate at --scale {scale}: "
              f"{err.strip().splitlines()[-1] if err.strip() else '(nothing)'}")
        out = os.path.join(tmp, "out" + scale)
        rc, err, rss, secs = run(["run", SCENARIO, "--scale", scale, "-o", out] + DAYS)
        check(rc == 0, f"the run at --scale {scale} succeeds ({secs:.1f} s): {err[-300:]}")
        # The same but for what the process holds when it estimates (within 1%).
        check(est[scale] and abs((estimate_of(err) or 0) / est[scale] - 1) < 0.01,
              f"run prints the estimate check printed: {estimate_of(err)} against {est[scale]}")
        if est[scale] and not SANITIZED:
            ratio = est[scale] / rss
            check(0.85 <= ratio <= 1.15, f"--scale {scale}: estimate {est[scale] / 1e6:.1f} MB, "
                  f"measured peak {rss / 1e6:.1f} MB: ratio {ratio:.3f} within 15%")
    full_secs = secs

    # Under AddressSanitizer (BLOCKSHIFT_SANITIZED=1, tests/sanitize.sh) the
    # process reserves terabytes of shadow memory and its peak is not the
    # program's: the ratio and the limits are checked in the normal build only.
    if SANITIZED:
        print("not run under the sanitizers: the 15% ratio, RLIMIT_AS, RLIMIT_DATA, the override")
    else:
        # 2. Refused under an address-space limit at the resident estimate.
        limit = int(est["146"] or 1e8)
        out = os.path.join(tmp, "limited")
        rc, err, _, secs = run(["run", SCENARIO, "--scale", "146", "-o", out] + DAYS,
                               (resource.RLIMIT_AS, limit))
        check(rc == 2, f"RLIMIT_AS {limit / 1e6:.1f} MB: exit 2 (got {rc}): {err.strip()}")
        check(secs < 5 and secs < full_secs / 2, f"refused at once: {secs:.2f} s (the run: {full_secs:.1f} s)")
        check(not os.path.exists(out) or not os.listdir(out), "no results file, nothing written")
        check(re.search(r"needs about [0-9.]+ MB of address space, more than its limit of "
                        r"[0-9.]+ MB \(RLIMIT_AS", err) is not None,
              "the message gives the estimate and the limit")
        m = re.search(r"the largest run that fits is --scale ([0-9.e+]+) \(([0-9]+) agents\)", err)
        check(m is not None and 146 < float(m.group(1)) < 1460,
              "the message gives the largest scale that fits, between 146 and 1460")
        if m:
            rc, err2, _, _ = run(["run", SCENARIO, "--scale", m.group(1), "-o", out] + DAYS,
                                 (resource.RLIMIT_AS, limit))
            check(rc == 0, f"a run at --scale {m.group(1)} under the same limit is not refused "
                  f"(exit {rc}): {err2[-300:]}")

        rc, err, _, secs = run(["run", SCENARIO, "--scale", "146", "-o", out + "d"] + DAYS,
                               (resource.RLIMIT_DATA, limit // 2))
        check(rc == 2 and "RLIMIT_DATA" in err and secs < 5 and not os.path.exists(out + "d"),
              f"RLIMIT_DATA {limit / 2e6:.1f} MB: exit 2 at once ({secs:.2f} s): {err.strip()}")

        # 3. The override.
        rc, err, _, _ = run(["run", SCENARIO, "--scale", "146", "--set", "population.memory_check=false",
                             "-o", out + "f", "--quiet"] + DAYS, (resource.RLIMIT_AS, limit))
        check(rc == 0 or (rc == 1 and "out of memory" in err),
              f"memory_check=false runs anyway: exit {rc} (0, or 1 with 'out of memory'): {err.strip()}")

    # 4. Bad values.
    os.symlink(os.path.join(SRC, "configs"), os.path.join(tmp, "configs"))
    os.mkdir(os.path.join(tmp, "scenarios"))
    bad = os.path.join(tmp, "scenarios", "bad.cfg")
    with open(SCENARIO) as fh, open(bad, "w") as out_fh:
        text = fh.read()
        out_fh.write(text + "population = { memory_check = 3; };\n")
    line = text.count("\n") + 1
    rc, err, _, _ = run(["run", bad, "-o", os.path.join(tmp, "bad")])
    check(rc == 2 and f"bad.cfg:{line}:" in err and "memory_check" in err,
          f"memory_check = 3 in a file: exit 2 with file:line ({rc}): {err.strip()}")
    for value in ("maybe", "1", ""):
        rc, err, _, _ = run(["run", SCENARIO, "--set", f"population.memory_check={value}", "-o",
                             os.path.join(tmp, "bad")])
        check(rc == 2 and "population.memory_check" in err,
              f"--set population.memory_check={value}: exit 2 ({rc}): {err.strip()}")

print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
