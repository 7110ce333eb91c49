#!/usr/bin/env python3
"""blockshift reproduce: the figures of a manifest, and their checksums.

  - a manifest of two figures (the default scenario at 10,000 agents, two
    replications) runs, draws, and writes checksums.txt; the second figure's
    one replication is the first's replication 0 (same scenario, set, seed):
    it is run once, so 2 runs in all, not 3; each figure's path and
    checksums.txt are printed on stdout;
  - --progress off a terminal: a line per tenth of the runs with the time
    left (2 runs: "0/2" and "1/2" lines, then "2/2 runs in"); --quiet: nothing
    on stderr;
  - run again in the same folder it resumes (nothing re-run) and reports
    every figure reproduced bit for bit;
  - "another machine": a fresh folder with only the first checksums.txt
    copied in re-runs everything and reproduces every figure bit for bit;
  - a changed checksum is reported as a difference (exit 1);
  - bad manifests: exit 2 with file:line and the setting, nothing written
    (more cases, every error at once: file_errors.py).

Run as: reproduce.py BLOCKSHIFT SOURCE_DIR (ctest does).
"""
import os
import shutil
import subprocess
import sys
import tempfile

BIN, SRC = sys.argv[1], sys.argv[2]
results = {"passed": 0, "failed": 0}


def check(ok, what):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what)


tmp = tempfile.mkdtemp(prefix="bs-reproduce-")
scen = os.path.join(SRC, "scenarios", "whatsapp-then-facetime.cfg")
man = os.path.join(tmp, "paper.cfg")
with open(man, "w") as fh:
    fh.write('paper = "test";\nfigures = (\n'
             f'  {{ name = "first"; scenario = "{scen}"; set = ["population.scale=14600.0"]; seed = 3;'
             ' replications = 2; plot = "primary"; },\n'
             f'  {{ name = "border"; scenario = "{scen}"; set = ["population.scale=14600.0"]; seed = 3;'
             ' plot = "border"; }\n);\n')


def reproduce(out, *extra):
    return subprocess.run([BIN, "reproduce", man, "-o", out, *extra], capture_output=True, text=True)


a = os.path.join(tmp, "a")
p = reproduce(a, "--progress")
check(p.returncode == 0 and "no earlier checksums" in p.stderr, "first run: exit 0, checksums written")
check(p.stderr.count("running replication") == 2 and "replication 0 is figure first's" in p.stderr,
      "the identical run of two figures runs once (2 runs, not 3)")
check("reproduce: 0/2 runs, time left unknown" in p.stderr and
      "reproduce: 1/2 runs, " in p.stderr and " left" in p.stderr and "reproduce: 2/2 runs in " in p.stderr,
      "--progress: lines with the time left, off a terminal")
check(p.stdout.split("\n")[:-1] == [os.path.join(a, "figures", "first", "primary.png"),
                                    os.path.join(a, "figures", "border", "border.png"),
                                    os.path.join(a, "checksums.txt")],
      "the figures and checksums.txt on stdout")
sums = open(os.path.join(a, "checksums.txt")).read().split("\n")
check(len([s for s in sums if s]) == 2 + 3, "checksums: 2 replications x 1 dataset + 1 x 3 datasets")
for f in ("first/primary.png", "border/border.png"):
    path = os.path.join(a, "figures", f)
    check(os.path.exists(path) and os.path.getsize(path) > 0, f"figure {f} drawn")
p = reproduce(a)
check(p.returncode == 0 and p.stderr.count("is there already") == 2 and "running" not in p.stderr
      and "runs, " not in p.stderr,
      "second run: every replication is there already, nothing re-run (no progress off a terminal)")
check("2 of 2 figures reproduced bit for bit" in p.stderr, "second run: 2 of 2 figures reproduced bit for bit")

b = os.path.join(tmp, "b")
os.makedirs(b)
shutil.copy(os.path.join(a, "checksums.previous.txt"), os.path.join(b, "checksums.txt"))
p = reproduce(b)
check(p.returncode == 0 and p.stderr.count("running replication") == 2 and "2 of 2 figures reproduced" in p.stderr,
      "another folder with only the checksums: everything re-run, 2 of 2 reproduced bit for bit")
p = reproduce(b, "--quiet")
check(p.returncode == 0 and p.stderr == "" and p.stdout.endswith("checksums.txt\n"),
      "--quiet: nothing on stderr, the paths on stdout")

lines = open(os.path.join(b, "checksums.txt")).read().replace("first 1 /population/primary ", "first 1 /population/primary 0")
with open(os.path.join(b, "checksums.txt"), "w") as fh:
    fh.write(lines)
p = reproduce(b)
check(p.returncode == 1 and "first: DIFFERS" in p.stderr and "1 of 2" in p.stderr, "a changed checksum: that figure differs, exit 1")

# --- a figure with 32 set entries, the most a manifest may give (analysis/
# reproduce.c, MAX_FSET): the replication runs with all 32 and its seed and
# run (its /config overrides: the 32 in order, then scenario.seed=3 and
# scenario.run=0; blockshift run gets 6 + 2 x 32 + 4 arguments, the most
# reproduce passes; under the sanitizers the argument vector's end is
# checked).  33 entries: exit 2 naming the limit, nothing written.
sets32 = ["population.scale=14600.0"] + [f"population.calls_per_day={1.5 + k / 100:g}" for k in range(31)]
def manifest_with(sets):
    quoted = ", ".join(f'"{x}"' for x in sets)
    return (f'figures = ( {{ name = "many"; scenario = "{scen}"; set = [{quoted}]; seed = 3; '
            'plot = "primary"; } );\n')
man = os.path.join(tmp, "many.cfg")
with open(man, "w") as fh:
    fh.write(manifest_with(sets32))
c = os.path.join(tmp, "c")
p = reproduce(c)
if p.returncode:
    print(p.stderr)
h5s = [os.path.join(dp, n) for dp, _, ns in os.walk(os.path.join(c, "runs")) for n in ns if n.endswith(".h5")]
check(p.returncode == 0 and len(h5s) == 1, "a figure with 32 set entries: exit 0, its one replication run")
if h5s:
    import h5py
    with h5py.File(h5s[0], "r") as f:
        over = f["/config"].attrs["overrides"]
    over = over.decode() if isinstance(over, bytes) else over
    check(over.split("\n") == sets32 + ["scenario.seed=3", "scenario.run=0"],
          "its run has the 32 overrides in order, then the seed and run")
with open(man, "w") as fh:
    fh.write(manifest_with(sets32 + ["population.scale=14600.0"]))
out = os.path.join(tmp, "d")
p = reproduce(out)
check(p.returncode == 2 and "at most 32 are allowed" in p.stderr and not os.path.exists(out),
      "a figure with 33 set entries: exit 2, 'at most 32 are allowed', nothing written")

bad = {
    "syntax": ('figures = ( { name = "x" ) );\n', "bad.cfg:1"),
    "unknown key": (f'figures = ( {{ name = "x"; scenario = "{scen}"; plot = "primary"; colour = "red"; }} );\n', "figures.[0].colour: unknown key 'colour'"),
    "plot": (f'figures = ( {{ name = "x"; scenario = "{scen}"; plot = "pie"; }} );\n', "figures.[0].plot: \"pie\" is not one of"),
    "duplicate": (f'figures = ( {{ name = "x"; scenario = "{scen}"; plot = "vpn"; }}, '
                  f'{{ name = "x"; scenario = "{scen}"; plot = "vpn"; }} );\n', "two figures"),
    "top": ('figure = ();\n', "figure: unknown key 'figure' (did you mean 'figures'?)"),
}
for what, (text, needle) in bad.items():
    path = os.path.join(tmp, "bad.cfg")
    with open(path, "w") as fh:
        fh.write(text)
    out = os.path.join(tmp, "bad-out")
    p = subprocess.run([BIN, "reproduce", path, "-o", out], capture_output=True, text=True)
    check(p.returncode == 2 and needle in p.stderr and not os.path.exists(out),
          f"bad manifest ({what}): exit 2, '{needle}', nothing written")

shutil.rmtree(tmp)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
