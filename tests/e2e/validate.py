#!/usr/bin/env python3
"""End to end: blockshift validate on the simulator at small scale.

A case on bench/sweep-tiny.cfg (1,000 agents, one week) with four
replications and three observations:

  - b's audience on 2025-01-02 set to what a run says (about 5,000 people);
  - a's daily users over 2025-01-05..07 set far off (100 people);
  - new VPN users a day against the baseline (vpn_demand_ratio): nobody
    takes a VPN before the block of 2025-01-03, so the model's ratio is
    infinite, and is reported as such.

Checked: exit 0 whatever the verdict; per observation a row of the table on
stdout with observed, sd, model mean, band 5%, band 95%, error, error/sd,
inside; the band ordered (5% <= 95%), the mean between the band's ends (four
replications: the mean lies between the smallest and the largest, and the
5%/95% quantiles interpolate close to those); error = (mean - observed) /
observed and error/sd = (mean - observed) / sd recomputed from the printed
numbers (to their printed precision); inside = yes exactly when the observed
value lies in the band; the far-off row says no; the same table in
DIR/CASE.txt; DIR/CASE.png a PNG. The numbers are the same on a second run
with -j 1 (the runs' seeds depend on the case, not on the workers).
Bad input exits 2: a case with parameters (file:line), a case whose
observation is outside the scenario's dates (file:line), a missing file, -j 0.

usage: validate.py BLOCKSHIFT_BIN SOURCE_DIR
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
    print(("ok   " if ok else "FAIL ") + what, flush=True)


tmp = tempfile.mkdtemp(prefix="bs-validate-")
tiny = os.path.join(SRC, "bench", "sweep-tiny.cfg")
ENV = dict(os.environ, OMP_NUM_THREADS="1")


def run(*args):
    return subprocess.run([BIN, *args], cwd=tmp, capture_output=True, text=True, env=ENV,
                          stdin=subprocess.DEVNULL)


def write(name, text):
    with open(os.path.join(tmp, name), "w") as fh:
        fh.write(text)
    return os.path.join(tmp, name)


SRC_TEXT = "tests/e2e/validate.py, values chosen to test the report"
write("obs.cfg", f"""observations = (
  {{ date = "2025-01-02"; period = "1d"; measure = "audience"; app = "b";
    value = 5000.0; uncertainty = 150.0; unit = "people"; source = "{SRC_TEXT}"; }},
  {{ date = "2025-01-07"; period = "3d"; measure = "daily_users"; app = "a";
    value = 100.0; uncertainty = 50.0; unit = "people"; source = "{SRC_TEXT}"; }},
  {{ date = "2025-01-06"; period = "1d"; measure = "vpn_demand_ratio";
    value = 20.0; uncertainty = 5.0; unit = "ratio"; source = "{SRC_TEXT}"; }}
);
""")
CASE = f"""description = "a tiny case";
scenario = "{tiny}";
observations = ["obs.cfg"];
seed = 3;
replications = 4;
"""
case = write("tiny-case.cfg", CASE)

out = os.path.join(tmp, "out")
p = run("validate", case, "-o", out, "-j", "2", "--quiet")
if p.returncode:
    print(p.stderr)
check(p.returncode == 0, "validate: exit 0 (whatever the verdict)")
rows = [l.split() for l in p.stdout.splitlines() if re.match(r"^(b|a|vpn-ratio) ", l)]
check(len(rows) == 3, f"a row per observation ({len(rows)})")


def num(s):
    return float(s.rstrip("%"))


for r in rows:
    # label is two words ("b audience 2025-01-02" is three): the numbers are the last 8
    obs, sd, mean, lo, hi, err, z, inside = r[-8:]
    obs, sd, mean, lo, hi, err, z = map(num, (obs, sd, mean, lo, hi, err, z))
    name = " ".join(r[:-8])
    if math.isinf(mean):
        check(inside == "no" and math.isinf(lo) and math.isinf(hi),
              f"{name}: an infinite model ratio is reported as inf, not inside")
        continue
    check(lo <= hi, f"{name}: band ordered {lo} <= {hi}")
    check(lo * 0.98 <= mean <= hi * 1.02, f"{name}: the mean {mean} lies about the band")
    check(abs(err - 100 * (mean - obs) / obs) <= 0.06 + 1e-3 * abs(err),
          f"{name}: error {err}% = (mean - observed) / observed")
    check(abs(z - (mean - obs) / sd) <= 0.006 + 1e-3 * abs(z) + abs(mean) * 1e-4 / sd,
          f"{name}: error/sd {z} = (mean - observed) / sd")
    check(inside == ("yes" if lo <= obs <= hi else "no"), f"{name}: inside = {inside}")
check(rows[1][-1] == "no", "the far-off observation is not inside the band")
with open(os.path.join(out, "tiny-case.txt")) as fh:
    check(fh.read().strip() == p.stdout.strip(), "DIR/CASE.txt holds the table printed")
with open(os.path.join(out, "tiny-case.png"), "rb") as fh:
    check(fh.read(8) == b"\x89PNG\r\n\x1a\n", "DIR/CASE.png is a PNG")
p1 = run("validate", case, "-o", os.path.join(tmp, "out1"), "-j", "1", "--quiet")
check(p1.returncode == 0 and p1.stdout == p.stdout, "-j 1 prints the same table")


def bad(what, text, pattern, extra=()):
    path = write("bad.cfg", text) if text is not None else os.path.join(tmp, "missing.cfg")
    p = run("validate", path, "-o", os.path.join(tmp, "bad-out"), "--quiet", *extra)
    ok = p.returncode == 2 and re.search(pattern, p.stderr)
    if not ok:
        print(p.stderr)
    check(bool(ok), f"{what}: exit 2 naming {pattern}")


bad("a case with parameters", CASE + 'parameters = ( { path = "population.retry"; bounds = [0.1, 0.9]; } );\n',
    r"bad\.cfg:6: parameters: a validation case fits nothing")
write("obs-late.cfg", f"""observations = (
  {{ date = "2025-03-02"; period = "1d"; measure = "audience"; app = "b";
    value = 5000.0; uncertainty = 150.0; unit = "people"; source = "{SRC_TEXT}"; }}
);
""")
bad("an observation after the scenario's end", CASE.replace("obs.cfg", "obs-late.cfg"),
    r"obs-late\.cfg:2: .*outside the scenario's 2025-01-01 to 2025-01-07")
bad("a missing case file", None, r"missing\.cfg")
bad("-j 0", CASE, r"-j '0'", ("-j", "0"))

shutil.rmtree(tmp)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
