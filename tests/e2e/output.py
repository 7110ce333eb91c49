#!/usr/bin/env python3
"""End to end: progress, --quiet and the paths on stdout (issue 16).

- testbed (a reduced matrix: 12 cases) and testbed --replay (4 phases):
  with --progress and stderr a file, a plain line per tenth of the work with
  the time left ("N/12 cases, Xs left"), at most 10 of them plus the final
  "12/12 cases in"; without --progress and stderr not a terminal, no
  progress lines; with stderr a terminal (a pseudo-terminal), the line is
  redrawn in place ("\\r") without being asked; --quiet: nothing on stderr;
  in every case the file written, and only it, on stdout;
- every command accepts --quiet: run, check, params, info, plot, compare,
  sweep (plain, --summarise, --slurm and --slurm-array), plot SWEEPDIR,
  calibrate
  (exit 0 and nothing on stderr), and run prints its results file on stdout.

usage: output.py BLOCKSHIFT_BIN SOURCE_DIR
"""
import os
import pty
import re
import shutil
import subprocess
import sys
import tempfile

BIN, SRC = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
from e2e_kit import check, finish  # noqa: E402

tmp = tempfile.mkdtemp(prefix="bs-output-")
ENV = dict(os.environ, OMP_NUM_THREADS="1")


def bs(*args):
    return subprocess.run([BIN, *args], cwd=tmp, capture_output=True, text=True, env=ENV,
                          stdin=subprocess.DEVNULL)


def on_tty(*args):
    """Run with stderr on a pseudo-terminal; (exit code, stdout, what the terminal got)."""
    master, slave = pty.openpty()
    p = subprocess.Popen([BIN, *args], cwd=tmp, stdout=subprocess.PIPE, stderr=slave, env=ENV,
                         stdin=subprocess.DEVNULL)
    os.close(slave)
    got = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        got += chunk
    out = p.stdout.read().decode()
    p.wait()
    os.close(master)
    return p.returncode, out, got.decode(errors="replace")


# --- run, and --quiet everywhere ---
scen = os.path.join(SRC, "scenarios", "whatsapp-then-facetime.cfg")
h5 = os.path.join(tmp, "a", "whatsapp-then-facetime-seed1-run0.h5")
p = bs("run", scen, "-o", os.path.join(tmp, "a"), "--scale", "146000", "--quiet")
check(p.returncode == 0 and p.stdout == h5 + "\n" and p.stderr == "",
      "run --quiet: the results file on stdout, nothing on stderr", p.stdout + p.stderr)
p = bs("run", scen, "-o", os.path.join(tmp, "b"), "--scale", "146000", "--seed", "2")
h5b = os.path.join(tmp, "b", "whatsapp-then-facetime-seed2-run0.h5")
check(p.returncode == 0 and p.stdout == h5b + "\n" and "results in" in p.stderr,
      "run: the results file on stdout, messages on stderr", p.stdout + p.stderr)
for args in (["check", scen], ["params"], ["info", h5], ["plot", h5, "-o", os.path.join(tmp, "fig")],
             ["compare", h5, h5b, "-o", os.path.join(tmp, "cmp")]):
    p = bs(*args, "--quiet")
    check(p.returncode == 0 and p.stderr == "", f"{args[0]} --quiet: exit 0, nothing on stderr",
          p.stderr)
# sweep (4 runs of bench's tiny scenario, milliseconds each), its --slurm
# scripts (both forms: the array form also said how to gather the runs),
# --summarise, plot SWEEPDIR, and a tiny calibration (faultkit's, 3 s)
shutil.copy(os.path.join(SRC, "bench", "sweep-tiny.cfg"), tmp)
with open(os.path.join(tmp, "sw.cfg"), "w") as fh:
    fh.write('scenario = "sweep-tiny.cfg";\nseed = 1;\nreplications = 2;\n'
             'collect = ["final_primary_share_a"];\n'
             'parameters = ( { path = "apps.b.installed"; values = [0.3, 0.6]; } );\n')
sw = os.path.join(tmp, "sw")
for args in (["sweep", "sw.cfg", "-o", sw, "-j", "1"], ["sweep", "--summarise", sw], ["plot", sw],
             ["sweep", "sw.cfg", "--slurm", "-o", os.path.join(tmp, "sl1")],
             ["sweep", "sw.cfg", "--slurm", "--slurm-array", "-o", os.path.join(tmp, "sl2")]):
    p = bs(*args, "--quiet")
    check(p.returncode == 0 and p.stderr == "" and p.stdout.strip(),
          f"{' '.join(a for a in args[:3] if not a.startswith(tmp))} --quiet: exit 0, nothing on stderr, "
          f"the paths on stdout", p.stderr)
from faultkit import tiny_calibration  # noqa: E402
os.mkdir(os.path.join(tmp, "cal"))
cal = tiny_calibration(SRC, os.path.join(tmp, "cal"), "--quiet")
p = bs("calibrate", cal, "-o", os.path.join(tmp, "cal", "out"), "--quiet")
check(p.returncode == 0 and p.stderr == "" and os.path.join(tmp, "cal", "out", "posterior.h5") in p.stdout,
      "calibrate --quiet: exit 0, nothing on stderr, posterior.h5 on stdout", p.stderr)
p = bs("compare", h5, h5b, "-o", os.path.join(tmp, "cmp2"))
lines = p.stdout.split("\n")[:-1]
check(p.returncode == 0 and os.path.join(tmp, "cmp2", "differences.txt") in lines
      and os.path.join(tmp, "cmp2", "primary.png") in lines,
      "compare: the table and the figures on stdout", p.stdout)

# --- testbed and --replay ---
have_ns3 = "packet engine (ns-3, blockshift testbed): built" in bs("--version").stdout
if not have_ns3:
    print("skip the testbed checks: this build has no packet engine")
else:
    tb = os.path.join(SRC, "configs", "testbeds", "tspu.cfg")
    # 12 cases (the progress counts them), each of 2 calls of 2 s: what is
    # checked here is the output, not the cases, and ns-3's work grows with
    # the calls (6.1 s of CPU at 8 calls of 4 s, 1.5 s at 2 of 2 s, Release)
    REDUCED = ["--set", 'testbed.apps=["whatsapp"]', "--set",
               'testbed.techniques=["stun", "throttle", "vpn"]', "--set",
               'testbed.vpns=["openvpn", "obfuscated"]', "--set", "testbed.calls=2",
               "--set", 'testbed.call_seconds="2s"']
    out = os.path.join(tmp, "tb")
    path = os.path.join(out, "tspu-testbed-testbed-seed1.h5")
    p = bs("testbed", tb, "-o", out, *REDUCED, "--progress")
    steps = re.findall(r"^blockshift: testbed: (\d+)/12 cases, (.*)$", p.stderr, re.M)
    check(p.returncode == 0 and p.stdout == path + "\n", "testbed: its file on stdout", p.stdout)
    check(1 <= len(steps) <= 10 and all(t.endswith(" left") or t == "time left unknown" for _, t in steps)
          and any(t.endswith("s left") for _, t in steps)
          and re.search(r"^blockshift: testbed: 12/12 cases in \d+s$", p.stderr, re.M),
          f"testbed --progress off a terminal: {len(steps)} lines (a tenth each) with the time "
          "left, then the total", p.stderr)
    p = bs("testbed", tb, "-o", out, *REDUCED)
    check(p.returncode == 0 and not re.search(r"\d+/12 cases", p.stderr)
          and "blockshift: testbed tspu" in p.stderr,
          "testbed off a terminal without --progress: messages, no progress lines", p.stderr)
    p = bs("testbed", tb, "-o", out, *REDUCED, "--quiet")
    check(p.returncode == 0 and p.stderr == "" and p.stdout == path + "\n",
          "testbed --quiet: nothing on stderr, the file on stdout", p.stderr)
    rc, so, term = on_tty("testbed", tb, "-o", out, *REDUCED)
    check(rc == 0 and so == path + "\n" and "\rtestbed: " in term and "12/12 cases in" in term,
          "testbed with stderr a terminal: the progress line redrawn in place", repr(term[-800:]))
    p = bs("testbed", tb, "-o", out, "--progress", "--quiet")
    check(p.returncode == 2, "testbed --progress --quiet: exit 2")

    rout = os.path.join(tmp, "replay")
    SMALL = ["--set", "population.scale=146000.0", "--set", "testbed.replay_users=8", "--set",
             "testbed.replay_calls=1", "--set", 'testbed.call_seconds="1s"', "--set",
             'testbed.phase_seconds="10s"']
    p = bs("testbed", scen, "--replay", "-o", rout, *SMALL, "--progress")
    nat = re.findall(r"^blockshift: replay: the national run: \d+/243 days, .* left$", p.stderr, re.M)
    ph = re.findall(r"^blockshift: replay in ns-3: \d+/4 phases, .*$", p.stderr, re.M)
    check(p.returncode == 0 and p.stdout == os.path.join(rout, "whatsapp-then-facetime-replay-seed1.h5") + "\n",
          "testbed --replay: its file on stdout", p.stdout + p.stderr)
    check(1 <= len(nat) <= 10 and 1 <= len(ph) <= 4 and "4/4 phases in" in p.stderr
          and "243/243 days in" in p.stderr,
          "testbed --replay --progress: the national run's days and the phases, with the time left",
          p.stderr)
    p = bs("testbed", scen, "--replay", "-o", rout, *SMALL, "--quiet")
    check(p.returncode == 0 and p.stderr == "", "testbed --replay --quiet: nothing on stderr", p.stderr)

finish(tmp)
