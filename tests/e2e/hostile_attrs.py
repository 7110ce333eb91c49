#!/usr/bin/env python3
"""Every string attribute hostile: a results file whose string attributes
(the root's scenario, tool_version, git_revision, created, config_file,
output; /provenance's; every dataset's units, description and long_name; the
dims' and groups' too) and /config/text hold control characters, gnuplot
and shell metacharacters, newlines followed by "!cmd", bytes that are not
UTF-8, or a million characters.

Three copies of a run of tests/data/mini.cfg are made with h5py (copy k
gives string attribute i of the file's about 300 the value HOSTILE[(i + k) %
7]; the first two leave alone the attributes the readers check the file by
(STRUCTURE below: a hostile value there is a damaged file), the third spoils
them too); each is given to `info`, `plot`, `compare
COPY GOOD` and `reproduce` (a manifest whose replication is the copy, put
where reproduce looks for it).  For each:
  - no signal; exit 0 (the third copy: exit 0 or 2, a file refused with a
    message), never a crash;
  - no canary: each hostile value creates a file CANARY in gnuplot's or the
    shell's folder if it is ever executed; every .gp written is also run by
    hand with gnuplot from its folder;
  - stdout, stderr and every .gp, .dat and .txt written hold no control
    character but newline and tab, and no line of theirs begins with
    "!touch" (a name printed raw would);
  - stdout is under 100,000 characters (a million-character value is cut).
Two more copies (d0, d3) leave the attributes alone and make every string
DATASET hostile instead, in place (h5py): the names of apps, VPNs, regions,
ISPs, links, middleboxes and classes, their labels, the events' dates,
apps, actions, techniques, scopes and classes, /config/text (28 in a run of
mini.cfg, listed when the test runs); element j of the i-th dataset gets
HOSTILE[(i + j + K) % 7].  Same checks, but a name may be refused: exit 0,
or 2 with a message (stderr begins "blockshift"); compare refuses them
(the apps differ from the good file's), plot and reproduce draw them (seen
failing with quote_gp's doubling of ' removed: plot of d0 and d3 made a
canary).
Expected values: by definition (issue 12: names are data, never code; the
canary appears only if a hostile string runs).

Run as: hostile_attrs.py BLOCKSHIFT SOURCE_DIR (ctest does).
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

BIN, SRC = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(SRC, "tests", "tools"))
from e2e_kit import check, finish  # noqa: E402

HOSTILE = [
    b"\x1b[31mred\x07\r\x08\x7f",
    b'";system("touch CANARY")#',
    b"'.system('touch CANARY').'",
    b"`touch CANARY` $(touch CANARY)",
    b"x\n!touch CANARY\n",
    b"not \xff\xfe UTF-8 \xc3\x28",
    b"A" * 1000000 + b"\n!touch CANARY",
]
tmp = tempfile.mkdtemp(prefix="bs-hostile-attrs-")
for f in ("configs/networks/toy.cfg", "tests/data/mini.cfg"):
    shutil.copy(os.path.join(SRC, f), tmp)
MINI = os.path.join(tmp, "mini.cfg")
ENV = dict(os.environ, OMP_NUM_THREADS="1")


def run(args):
    return subprocess.run([BIN] + args, capture_output=True, cwd=tmp, env=ENV, timeout=300)


p = run(["run", MINI, "-o", os.path.join(tmp, "good"), "--seed", "3", "--quiet"])
good = os.path.join(tmp, "good", "mini-seed3-run0.h5")
check(p.returncode == 0 and os.path.exists(good), "run mini.cfg: a good results file", p.stderr)
if p.returncode:
    finish(tmp)


# What the readers check the file by (its identity, dims, the table layout,
# the time axis, the output level, units): a hostile value there is refused,
# exit 2 (the last copy makes those hostile too)
STRUCTURE = {"format", "Conventions", "CLASS", "NAME", "DIMENSION_LABELS", "DIMENSION_LIST", "epoch",
             "columns", "output", "classes", "units", "calendar", "axis", "standard_name"}


def spoil(path, k, structure):
    """Every string attribute of path (but the structure's, unless
    `structure`) and /config/text made hostile."""
    with h5py.File(path, "r+") as f:
        objs = [f]
        f.visititems(lambda _n, o: objs.append(o))
        i = 0
        for o in objs:
            for name in list(o.attrs):
                a = o.attrs.get_id(name)
                if a.dtype.kind not in "OS" or a.shape not in ((), None) or \
                        (name in STRUCTURE and not structure):
                    continue
                del o.attrs[name]
                o.attrs.create(name, HOSTILE[(i + k) % len(HOSTILE)], dtype=h5py.string_dtype("utf-8"))
                i += 1
        del f["config/text"]
        f.create_dataset("config/text", data=b"\n".join(HOSTILE), dtype=h5py.string_dtype("utf-8"))
    return i


def spoil_datasets(path, k):
    """Every string dataset of path (the names of apps, VPNs, regions, ISPs,
    links, middleboxes, classes, their labels, the events' dates, apps,
    actions, techniques, scopes and classes; /config/text) written hostile
    in place, element j of the i-th one HOSTILE[(i + j + k) % 7]; attributes
    untouched.  The names of the datasets changed."""
    names = []
    with h5py.File(path, "r+") as f:
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset)
                     and o.dtype.kind in "OS" and o.dtype.names is None else None)
        for i, n in enumerate(names):
            d = f[n]
            vals = np.empty(d.shape, dtype=object)
            for j in range(vals.size):
                vals.flat[j] = HOSTILE[(i + j + k) % len(HOSTILE)]
            d[...] = vals
    return names


def canaries():
    return [os.path.join(r, n) for r, _d, fs in os.walk(tmp) for n in fs if n.startswith("CANARY")]


def raw(data):
    """Control characters (but newline and tab) and '!touch' lines in bytes."""
    ctrl = sorted({hex(c) for c in data if (c < 32 and c not in (9, 10)) or c == 127})
    bang = [l[:40] for l in data.split(b"\n") if l.startswith(b"!touch")]
    return ctrl + bang


def written(folder):
    """Problems in what a command wrote: raw control characters in .gp,
    .dat, .txt; .gp scripts failing or making a canary when run by hand."""
    bad = []
    for path in glob.glob(os.path.join(glob.escape(folder), "**", "*"), recursive=True):
        if path.endswith((".gp", ".dat", ".txt")):
            with open(path, "rb") as fh:
                r = raw(fh.read())
            if r:
                bad.append(f"{os.path.relpath(path, folder)}: {r[:4]}")
        if path.endswith(".gp"):
            g = subprocess.run(["gnuplot", os.path.basename(path)], cwd=os.path.dirname(path),
                               capture_output=True, text=True, errors="replace")
            if g.returncode:
                bad.append(f"{os.path.relpath(path, folder)} by hand: {g.stderr.strip()[:200]}")
    return bad


# k: the attribute copies; "dK": every string dataset hostile from HOSTILE[K] on
for k in (0, 4, len(HOSTILE), "d0", "d3"):
    d = os.path.join(tmp, f"copy{k}")
    os.makedirs(os.path.join(d, "repro", "runs", "fig"))
    copy = os.path.join(d, "mini-seed3-run0.h5")
    shutil.copy(good, copy)
    if isinstance(k, str):  # a hostile name may be refused (exit 2 with a message)
        structure = True
        spoiled = spoil_datasets(copy, int(k[1:]))
        n = f"{len(spoiled)} string datasets"
        if k == "d0":
            print("     (string datasets made hostile: " + ", ".join(spoiled) + ")")
    else:
        structure = k == len(HOSTILE)
        n = f"{spoil(copy, k, structure)} string attributes"
    shutil.copy(copy, os.path.join(d, "repro", "runs", "fig"))
    with open(os.path.join(d, "paper.cfg"), "w") as fh:
        fh.write(f'figures = ( {{ name = "fig"; scenario = "{MINI}"; seed = 3; plot = "primary"; }} );\n')
    for cmd, args, out in (("info", ["info", copy], None),
                           ("plot", ["plot", copy, "-o", os.path.join(d, "plot")], "plot"),
                           ("compare", ["compare", copy, good, "-o", os.path.join(d, "cmp")], "cmp"),
                           ("reproduce", ["reproduce", os.path.join(d, "paper.cfg"), "-o",
                                          os.path.join(d, "repro"), "--quiet"], "repro")):
        p = run(args)
        what = f"copy {k} ({n} hostile): {cmd}"
        check(p.returncode == 0 or (structure and p.returncode == 2 and p.stderr.startswith(b"blockshift")),
              f"{what}: exit 0{' or 2' if structure else ''}, no signal (exit {p.returncode})",
              p.stderr.decode(errors="replace")[-1000:])
        bad = raw(p.stdout) + raw(p.stderr) + (written(os.path.join(d, out)) if out else [])
        check(not bad and len(p.stdout) < 100000,
              f"{what}: no control character or '!' line raw, in its output or files; "
              f"stdout {len(p.stdout)} bytes", "\n".join(map(str, bad[:8])))
        c = canaries()
        check(not c, f"{what}: no canary", repr(c))
        for f in c:
            os.unlink(f)

finish(tmp)
