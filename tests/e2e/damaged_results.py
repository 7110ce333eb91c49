#!/usr/bin/env python3
"""Damaged results files: plot, compare, info and reproduce refuse them with
exit 2 and a message naming the dataset, and never crash.

A good file comes from `blockshift run scenarios/no-block.cfg --quiet`.
Copies of it are damaged with h5py, each in one way the reader must notice
before it reads (results_load.c checks every dataset it uses against the
file's dimensions, at the root):
  - /events with a column of 2 and of 4 axes (the layout: a table of 1-D
    columns);
  - /population/primary with one day fewer than /day;
  - /calls/failed with one app column fewer than /app;
  - /population/primary holding strings instead of numbers;
  - /app holding numbers instead of names;
  - /network/link_carried with one link fewer than /link;
  - /events without its `apps` column.
Each copy is given to `info`, `plot`, `compare COPY GOOD` and `reproduce` (a
manifest whose figure's replication is the copy, put where reproduce looks
for it, with the configuration it expects, so reproduce reads it rather
than run again): each must exit 2 with the damaged dataset's name in its
message (the expected name is the dataset the copy damaged).

A copy in the layout of a testbed replay (series a row per day, no
/hour) is not damage: info, plot and compare read it, exit 0.

Then bytes are flipped at deterministic offsets: in each of the file's
global heap collections (signature GCOL: the variable-length strings of
/events, the dims and /config/text; a damaged object size there made HDF5
1.10 read past its buffer), in the collection's first object's size field
and index, and at offsets spread evenly over the file.  For those the
reader may or may not notice (a flipped bit in a number is still a number):
the requirement is exit 0, or exit 2 with a message; never a signal, an
exit above 2, or AddressSanitizer/UBSan output.

Run as: damaged_results.py BLOCKSHIFT SOURCE_DIR (ctest does).
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

BIN, SRC = sys.argv[1], os.path.abspath(sys.argv[2])
results = {"passed": 0, "failed": 0}


def check(ok, what):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what)
    sys.stdout.flush()


def sh(*args, timeout=300):
    """Run blockshift; the result has returncode, stderr and pid."""
    with subprocess.Popen([BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
            rc = proc.returncode
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            err, rc = err + "\ntimed out", 124
        p = subprocess.CompletedProcess(args, rc, out, err)
        p.pid = proc.pid
        return p


def clean(p):
    """No signal, and no sanitizer report from the command's own process.

    Under -DBLOCKSHIFT_SANITIZE=ON, HDF5 reading a damaged global heap in
    the isolated child (results_isolated) trips AddressSanitizer there: the
    report (==CHILDPID==) is the child's, which dies, and the command says
    "damaged HDF5 file", exit 2: that is the isolation working.  A report
    with the command's own pid means the caller itself read out of bounds.
    UBSan's "runtime error:" carries no pid: it always counts (HDF5 is not
    built with it, so it is blockshift's own code)."""
    if p.returncode < 0 or "runtime error:" in p.stderr or "LeakSanitizer" in p.stderr:
        return False
    return f"=={p.pid}==" not in p.stderr

tmp = tempfile.mkdtemp(prefix="bs-damaged-")
scenario = os.path.join(SRC, "scenarios", "no-block.cfg")
p = sh("run", scenario, "-o", os.path.join(tmp, "good"), "--quiet")
good = glob.glob(os.path.join(tmp, "good", "*.h5"))
check(p.returncode == 0 and len(good) == 1, "run no-block: one good results file")
if not good:
    print(p.stderr)
    sys.exit(1)
good = good[0]
base = os.path.basename(good)  # no-block-seed1-run0.h5: what reproduce looks for

# The good file itself: every command reads it (so that a failure below is
# the damage's doing).
for cmd in (["info", good], ["plot", good, "-o", os.path.join(tmp, "plot-good")],
            ["compare", good, good, "-o", os.path.join(tmp, "cmp-good")]):
    p = sh(*cmd)
    check(p.returncode == 0, f"{cmd[0]} of the good file: exit 0 ({p.stderr.strip()[:200]})")


def copy(name):
    path = os.path.join(tmp, name + ".h5")
    shutil.copyfile(good, path)
    return path


def replace(f, dset, data=None, dtype=None, shape=None):
    """Replace dataset `dset` by `data` (or an empty one of shape, dtype)."""
    attrs = dict(f[dset].attrs) if dset in f else {}
    attrs.pop("DIMENSION_LIST", None)
    del f[dset]
    if data is not None:
        d = f.create_dataset(dset, data=data)
    else:
        d = f.create_dataset(dset, shape=shape, dtype=dtype)
    for k, v in attrs.items():
        if k in ("units", "description") or k.startswith("units_"):
            d.attrs[k] = v


def events_rank(rank):
    """/events/date as [1]...[1][2 x the rows]: the first axis (what a
    reader that assumes a 1-D column takes for the rows) is shorter than the
    data."""
    def damage(f):
        ev = f["/events/date"][...]
        both = np.concatenate([ev, ev])
        replace(f, "/events/date", data=both.reshape((1,) * (rank - 1) + both.shape))
    return damage


def primary_short(f):
    x = f["/population/primary"][...]
    replace(f, "/population/primary", data=x[:-1])


def failed_narrow(f):
    x = f["/calls/failed"][...]
    replace(f, "/calls/failed", data=x[:, :-1])


def primary_strings(f):
    shape = f["/population/primary"].shape
    replace(f, "/population/primary", data=np.full(shape, b"x", dtype="S8"))


def app_numbers(f):
    n = f["/app"].shape[0]
    del f["/app"]
    f.create_dataset("/app", data=np.arange(n, dtype="i4"))


def links_narrow(f):
    x = f["/network/link_carried"][...]
    replace(f, "/network/link_carried", data=x[:, :-1])


def events_no_apps(f):
    cols = [c for c in f["/events"].attrs["columns"] if c not in ("apps", b"apps")]
    del f["/events/apps"]
    f["/events"].attrs["columns"] = cols


# (name, damage, the dataset the message must name, the reproduce figure
# whose reading meets it, whether info must refuse it: info prints /events
# whatever its columns, so a table without `apps` is only refused by the
# commands that draw the events)
cases = [
    ("events-2d", events_rank(2), "/events", "primary", True),
    ("events-4d", events_rank(4), "/events", "primary", True),
    ("primary-short", primary_short, "/population/primary", "primary", True),
    ("failed-narrow", failed_narrow, "/calls/failed", "failed", True),
    ("primary-strings", primary_strings, "/population/primary", "primary", True),
    ("app-numbers", app_numbers, "/app:", "primary", True),
    ("links-narrow", links_narrow, "/network/link_carried", "links", True),
    ("events-no-apps", events_no_apps, "/events", "primary", False),
]


def reproduce_with(path, plot):
    """reproduce a manifest of one figure whose replication 0 is `path`."""
    d = tempfile.mkdtemp(dir=tmp, prefix="repro-")
    runs = os.path.join(d, "out", "runs", "fig")
    os.makedirs(runs)
    shutil.copyfile(path, os.path.join(runs, base))
    man = os.path.join(d, "paper.cfg")
    with open(man, "w") as fh:
        fh.write('figures = ( { name = "fig"; scenario = "%s"; plot = "%s"; } );\n' % (scenario, plot))
    p = sh("reproduce", man, "-o", os.path.join(d, "out"), "--quiet")
    ran_again = "running replication" in p.stderr
    return p, ran_again


# reproduce of the good file in place: it takes the file as it is (same
# configuration) rather than run again, so the cases below exercise the
# reading of the copies.
p, _ = reproduce_with(good, "primary")
check(p.returncode == 0, f"reproduce of the good file: exit 0 ({p.stderr.strip()[:200]})")

for name, damage, dset, plot, info in cases:
    path = copy(name)
    with h5py.File(path, "r+") as f:
        damage(f)
    p = sh("info", path)
    runs = [("info", p)] if info else []
    if not info:
        check(p.returncode == 0 and clean(p), f"{name}: info: exit 0 (it shows any table)")
    runs += [
        ("plot", sh("plot", path, "-o", os.path.join(tmp, "plot-" + name))),
        ("compare", sh("compare", path, good, "-o", os.path.join(tmp, "cmp-" + name))),
    ]
    p, _ = reproduce_with(path, plot)
    runs.append(("reproduce", p))
    for cmd, p in runs:
        msg = p.stderr.strip()
        # reproduce reads its own copy, runs/fig/BASE
        named = os.path.join("runs", "fig", base) if cmd == "reproduce" else path
        check(p.returncode == 2 and dset in msg and named in msg and clean(p),
              f"{name}: {cmd}: exit 2 naming {dset} (exit {p.returncode}: {msg[-300:]})")

# Not damage: the layout of a testbed replay (blockshift testbed --replay,
# which needs ns-3): no /hour, the network and censor series a row per
# /day row, and /testbed/replay.  Made from the good file by taking
# each day's mean of the hourly rows.  plot and compare (against itself)
# read it: exit 0 (compare used to index it by hours and overran it).
replay = copy("replay-layout")
with h5py.File(replay, "r+") as f:
    days = f["/day"].shape[0]
    for name in ("network/link_offered", "network/link_carried", "network/app_carried",
                 "network/vpn_carried", "network/border_app", "network/border_vpn",
                 "network/border_total", "network/hairpin", "censor/inspected", "censor/dropped",
                 "censor/throttled", "censor/collateral", "censor/uninspected",
                 "censor/overloaded"):
        x = f[name][...]
        replace(f, name, data=x.reshape((days, 24) + x.shape[1:]).mean(axis=1))
    del f["/hour"]
    f.create_group("/testbed/replay")
for cmd in (["info", replay], ["plot", replay, "-o", os.path.join(tmp, "plot-replay")],
            ["compare", replay, replay, "-o", os.path.join(tmp, "cmp-replay")]):
    p = sh(*cmd)
    check(p.returncode == 0 and clean(p),
          f"replay layout: {cmd[0]}: exit 0 (exit {p.returncode}: {p.stderr.strip()[-300:]})")

# Flipped bytes.
data = open(good, "rb").read()
heaps = []
at = data.find(b"GCOL")
while at >= 0:
    heaps.append(at)
    at = data.find(b"GCOL", at + 4)
check(len(heaps) >= 1, f"the file has global heap collections ({len(heaps)})")
flips = []
for h in heaps:
    # collection header: GCOL, version, 3 reserved, 8-byte size; then the
    # first object: 2-byte index, 2-byte refcount, 4 reserved, 8-byte size
    flips.append((f"heap@{h}-object-size", [(h + 16 + 8 + 2, 0x80)]))
    flips.append((f"heap@{h}-object-size-low", [(h + 16 + 8, 0xff)]))
flips.append((f"heap@{heaps[0]}-object-index", [(heaps[0] + 16, 0x07)]))
flips.append((f"heap@{heaps[-1]}-collection-size", [(heaps[-1] + 8 + 1, 0x40)]))
for k in range(1, 5):
    off = k * len(data) // 5
    flips.append((f"even@{off}", [(off + i * 61, 0xff) for i in range(4)]))

for name, spots in flips:
    b = bytearray(data)
    for off, mask in spots:
        b[off] ^= mask
    path = os.path.join(tmp, "flip-" + name + ".h5")
    with open(path, "wb") as fh:
        fh.write(b)
    for cmd in (["info", path], ["plot", path, "-o", os.path.join(tmp, "fplot-" + name)],
                ["compare", path, good, "-o", os.path.join(tmp, "fcmp-" + name)]):
        p = sh(*cmd)
        ok = clean(p) and (p.returncode == 0 or (p.returncode == 2 and p.stderr.strip() != ""))
        check(ok, f"flip {name}: {cmd[0]}: exit {p.returncode}" +
              ("" if ok else f": {p.stderr.strip()[-400:]}"))

shutil.rmtree(tmp, ignore_errors=True)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
