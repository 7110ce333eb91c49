#!/usr/bin/env python3
"""Sweep files and paper manifests report their errors like scenarios do.

Both are read by the configuration's schema engine (config_load_file), so a
bad file gives, for every error at once, "file:line: path: message" on
stderr, an unknown key gets "did you mean" the nearest key of its group, and
the exit status is 2 with nothing written.  For each kind of file:

  - an unknown key one letter off a real one: "did you mean" that key, at
    its line;
  - a wrong type: "expected an integer, got the string ..." at its line;
  - a value out of range: "... is out of range LOW..HIGH UNIT" at its line,
    the range and unit being those of the file's schema table
    (sweep_spec.c: replications 1..1000000 runs; reproduce.c: replications
    1..100 runs);
  - all three in one file: every one reported, and the summary "3 errors".

The expected texts are the engine's messages (models/config/config.c) with
the line numbers of the files written below.  No simulation runs.

Run as: file_errors.py BLOCKSHIFT SOURCE_DIR (ctest does).
"""
import os
import shutil
import subprocess
import sys
import tempfile

BIN, SRC = sys.argv[1], sys.argv[2]
results = {"passed": 0, "failed": 0}


def check(ok, what, detail=""):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what)
    if not ok and detail:
        print("     stderr was:\n" + detail)


tmp = tempfile.mkdtemp(prefix="bs-file-errors-")
scen = os.path.join(SRC, "scenarios", "whatsapp-then-facetime.cfg")


def write(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as fh:
        fh.write(text)
    return path


def run(kind, path):
    out = os.path.join(tmp, "out-" + os.path.basename(path))
    p = subprocess.run([BIN, kind, path, "-o", out], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, timeout=120)
    return p, os.path.exists(out)


def expect(kind, path, needles, n_errors, what):
    p, made = run(kind, path)
    missing = [n for n in needles if n not in p.stderr]
    lines = [l for l in p.stderr.splitlines() if l.startswith(path + ":")]
    summary = n_errors == 1 or f"{n_errors} errors in {path}" in p.stderr
    check(p.returncode == 2 and not missing and len(lines) == n_errors and summary and not made,
          f"{kind}: {what}: exit 2, {n_errors} error line(s) with file:line, nothing written"
          + (f" (missing: {missing})" if missing else ""), p.stderr)


# --- sweep files -------------------------------------------------------------
# line 1 scenario, 2 collect, 3 the key under test, 4 parameters
SWEEP_HEAD = f'scenario = "{scen}";\ncollect = ["final_vpn_share"];\n'
SWEEP_PARAMS = 'parameters = ( { path = "population.retry"; values = [0.3, 0.8]; } );\n'

s = write("unknown.cfg", SWEEP_HEAD + "replicatons = 2;\n" + SWEEP_PARAMS)
expect("sweep", s, [f"{s}:3: replicatons: unknown key 'replicatons' (did you mean 'replications'?)"],
       1, "unknown key")
s = write("type.cfg", SWEEP_HEAD + 'seed = "7";\n' + SWEEP_PARAMS)
expect("sweep", s, [f'{s}:3: seed: expected an integer, got the string "7"'], 1, "wrong type")
s = write("range.cfg", SWEEP_HEAD + "replications = 0;\n" + SWEEP_PARAMS)
expect("sweep", s, [f"{s}:3: replications: 0 is out of range 1..1000000 runs"], 1, "out of range")
s = write("three.cfg", SWEEP_HEAD + "replicatons = 2;\n" + 'seed = "7";\n' +
          'parameters = ( { path = "population.retry"; from = 0.1; to = 0.9; steps = 0; } );\n')
expect("sweep", s, [f"{s}:3: replicatons: unknown key 'replicatons' (did you mean 'replications'?)",
                    f'{s}:4: seed: expected an integer, got the string "7"',
                    f"{s}:5: parameters.[0].steps: 0 is out of range 1..1000000 values"],
       3, "three errors at once")

# --- paper manifests ---------------------------------------------------------
# line 1 paper, 2 "figures = (", 3 the figure under test, 4 ");"


def manifest(name, fig):
    return write(name, f'paper = "test";\nfigures = (\n  {{ name = "a"; scenario = "{scen}"; {fig} }}\n);\n')


m = manifest("m-unknown.cfg", 'plot = "vpn"; replicatons = 2;')
expect("reproduce", m, [f"{m}:3: figures.[0].replicatons: unknown key 'replicatons' "
                        "(did you mean 'replications'?)"], 1, "unknown key")
m = manifest("m-type.cfg", 'plot = "vpn"; seed = "7";')
expect("reproduce", m, [f'{m}:3: figures.[0].seed: expected an integer, got the string "7"'], 1,
       "wrong type")
m = manifest("m-range.cfg", 'plot = "vpn"; replications = 101;')
expect("reproduce", m, [f"{m}:3: figures.[0].replications: 101 is out of range 1..100 runs"], 1,
       "out of range")
m = write("m-three.cfg", 'paper = "test";\nfigure = ();\nfigures = (\n'
          f'  {{ name = "a"; scenario = "{scen}"; plot = "vpn"; seed = "7"; }},\n'
          f'  {{ name = "b"; scenario = "{scen}"; plot = "vpm"; replications = 0; }}\n);\n')
expect("reproduce", m, [f"{m}:2: figure: unknown key 'figure' (did you mean 'figures'?)",
                        f'{m}:4: figures.[0].seed: expected an integer, got the string "7"',
                        f'{m}:5: figures.[1].plot: "vpm" is not one of "primary", "failed", "vpn", '
                        '"border", "censor", "links" (did you mean "vpn"?)',
                        f"{m}:5: figures.[1].replications: 0 is out of range 1..100 runs"],
       4, "four errors at once")

shutil.rmtree(tmp)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
