"""End to end: run the scenarios with the blockshift command the way a user
does, and read the results back with h5py.

usage: run_default.py BLOCKSHIFT_BIN SOURCE_DIR

Checks, each stated where it is made:
- the results file is where it should be, complete, with labelled axes,
  units and descriptions on every dataset, chunked and compressed;
- after WhatsApp's block its completed calls fall and other apps' rise, after
  FaceTime's block FaceTime's fall, and failed calls spike at each block;
- with no-block nothing of the kind happens;
- the same seed and run give bit-identical datasets, another run number
  different ones, and the resolved configuration in /config/text runs again
  to the same datasets.
"""
import datetime
import os
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

BIN, SRC = sys.argv[1], sys.argv[2]
SCALE = "14600"  # about 10,000 agents: seconds, and enough for the effects
results = {"passed": 0, "failed": 0}


def check(ok, what):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what)


def run(cfg, out, *extra, scale=SCALE, threads=None):
    cmd = [BIN, "run", cfg, "-o", out, "--scale", scale, "--quiet", *extra]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads)) if threads else None
    p = subprocess.run(cmd, cwd=SRC, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        print(p.stderr)
    check(p.returncode == 0, "exit 0: " + " ".join(cmd[1:]))
    files = [f for f in os.listdir(out) if f.endswith(".h5")]
    leftovers = [f for f in os.listdir(out) if not f.endswith(".h5")]
    check(len(files) == 1 and not leftovers, f"one results file and nothing else in {out}")
    return os.path.join(out, files[0])


def names(ds):
    return [x.decode() if isinstance(x, bytes) else x for x in ds[:]]


def day_of(f, iso):
    epoch = datetime.date.fromisoformat(f["/dims/day"].attrs["epoch"])
    return (datetime.date.fromisoformat(iso) - epoch).days


def all_datasets(f):
    out = {}
    f.visititems(lambda n, o: out.__setitem__(n, o) if isinstance(o, h5py.Dataset) else None)
    return out


def datasets_equal(a, b, groups=("population", "calls", "dims", "events", "config")):
    da, db = all_datasets(a), all_datasets(b)
    keys = [k for k in da if k.split("/")[0] in groups]
    if sorted(keys) != sorted(k for k in db if k.split("/")[0] in groups):
        return False
    return all(np.array_equal(da[k][()], db[k][()]) for k in keys)


tmp = tempfile.mkdtemp(prefix="bs-e2e-")
default = os.path.join(SRC, "scenarios", "whatsapp-then-facetime.cfg")

# --- the default scenario: layout ---
path = run(default, os.path.join(tmp, "a"))
check(path.endswith("whatsapp-then-facetime-seed1-run0.h5"), "file named scenario-seed-run")
f = h5py.File(path, "r")
check(f.attrs["format"] == "blockshift-results" and f.attrs["complete"] == 1, "root: format, complete")
for key in ("format_version", "tool_version", "git_revision", "created", "scenario", "seed", "run"):
    check(key in f.attrs, f"root attribute {key}")
for key in ("compiler", "flags", "hdf5", "gsl", "libconfig", "ns3", "host", "congestion_loss"):
    check(key in f["/provenance"].attrs, f"provenance attribute {key}")
check("zero" in f["/provenance"].attrs["congestion_loss"], "provenance says congestion loss is zero")
expect_dims = {
    "population/installed": ["day", "region", "app"],
    "population/primary": ["day", "region", "app"],
    "population/vpn": ["day", "region", "vpn"],
    "calls/attempted": ["day", "app"],
    "calls/completed": ["day", "app"],
    "calls/failed": ["day", "app"],
    "calls/abandoned": ["day"],
}
for name, dims in expect_dims.items():
    ds = f[name]
    check([d.label for d in ds.dims] == dims, f"{name} axes labelled {dims}")
    check(all(len(ds.dims[k]) == 1 and ds.dims[k][0].name == "/dims/" + dims[k] for k in range(len(dims))),
          f"{name} axes are dimension scales /dims/...")
    check(ds.chunks is not None and ds.compression == "gzip" and ds.shuffle, f"{name} chunked, shuffled, deflated")
for name, ds in all_datasets(f).items():
    check("units" in ds.attrs and "description" in ds.attrs, f"{name} has units and description")
apps = names(f["/dims/app"])
check(apps == ["whatsapp", "telegram", "viber", "signal", "facetime", "max", "other"], "app names")
check(len(names(f["/dims/region"])) == 10, "ten regions")
ev = f["/events"][:]
check(len(ev) == 3 and ev["action"][0].decode() == "block", "events table")

# --- the default scenario: what it shows ---
comp, fail = f["/calls/completed"][:], f["/calls/failed"][:]
wa, tg, ft = apps.index("whatsapp"), apps.index("telegram"), apps.index("facetime")
b1, b2 = day_of(f, "2025-08-13"), day_of(f, "2025-12-04")
before1, after1 = slice(b1 - 14, b1), slice(b1 + 7, b1 + 21)
check(comp[after1, wa].mean() < 0.5 * comp[before1, wa].mean(),
      "WhatsApp's completed calls fall by more than half after its block")
others = [a for a in range(len(apps)) if a != wa]
check(comp[after1][:, others].sum(axis=1).mean() > 1.1 * comp[before1][:, others].sum(axis=1).mean(),
      "other apps' completed calls rise by more than 10% after WhatsApp's block")
check(comp[after1, tg].mean() > comp[before1, tg].mean(), "Telegram's completed calls rise")
check(fail[:b1, wa].sum() == 0 and fail[b1, wa] > 0, "no WhatsApp failures before its block, some on the day")
# A spike: failures jump at the block and are highest in its first days; they
# stay above zero after it (pairs whose only common app is blocked keep
# failing until one of them adopts another app: "User not available").
total = fail.sum(axis=1)
check(total[b1:b1 + 3].max() == total[b1:b2].max() and total[b1:b1 + 3].max() > 1.5 * total[b1 + 30:b1 + 60].mean(),
      "failed calls spike at WhatsApp's block and fall back after it")
before2, after2 = slice(b2 - 14, b2), slice(b2 + 7, b2 + 21)
check(comp[after2, ft].mean() < 0.5 * comp[before2, ft].mean(), "FaceTime's completed calls fall after its block")
check(fail[:b2, ft].sum() == 0 and fail[b2, ft] > 0, "FaceTime failures start at its block")
check(fail[b2:b2 + 3, ft].max() > 2 * fail[b2 + 30:, ft].mean(), "FaceTime's failures spike at its block")
check(total[b2:b2 + 3].max() > 1.2 * total[b2 - 7:b2].mean(), "total failed calls jump at FaceTime's block")
summ = f["/summary"].attrs
check(summ["days_to_half_whatsapp_2025-08-13"] >= 1, "summary: days until half of WhatsApp's callers moved")

# --- no-block: nothing of the kind ---
nb = h5py.File(run(os.path.join(SRC, "scenarios", "no-block.cfg"), os.path.join(tmp, "nb")), "r")
ncomp, nfail = nb["/calls/completed"][:], nb["/calls/failed"][:]
check(nfail.sum() == 0, "no-block: no failed calls at all")
check(ncomp[after1, wa].mean() > 0.9 * ncomp[before1, wa].mean(), "no-block: WhatsApp's calls do not fall in August")
check(ncomp[after2, ft].mean() > 0.9 * ncomp[before2, ft].mean(), "no-block: FaceTime's calls do not fall in December")

# --- determinism ---
g = h5py.File(run(default, os.path.join(tmp, "b")), "r")
check(datasets_equal(f, g), "same seed and run: bit-identical datasets")
h = h5py.File(run(default, os.path.join(tmp, "c"), "--run", "1"), "r")
check(not np.array_equal(f["/calls/failed"][()], h["/calls/failed"][()]), "another run number: different calls")
check(h.attrs["run"] == 1, "run number recorded")

# --- the number of threads changes nothing (10^5 agents: two blocks of agents) ---
t1 = h5py.File(run(default, os.path.join(tmp, "t1"), scale="1460", threads=1), "r")
t2 = h5py.File(run(default, os.path.join(tmp, "t2"), scale="1460", threads=2), "r")
check(datasets_equal(t1, t2), "one thread or two: bit-identical datasets")

# --- the resolved configuration reproduces the run ---
text = f["/config/text"][()]
resolved = os.path.join(tmp, "resolved.cfg")
with open(resolved, "wb") as out:
    out.write(text if isinstance(text, bytes) else text.encode())
p = subprocess.run([BIN, "check", resolved], capture_output=True, text=True)
check(p.returncode == 0, "/config/text passes blockshift check")
r = h5py.File(run(resolved, os.path.join(tmp, "r")), "r")
check(datasets_equal(f, r, groups=("population", "calls")), "/config/text runs again to the same datasets")
check(f["/config"].attrs["overrides"] == "population.scale=" + SCALE or "scale" in f["/config"].attrs["overrides"],
      "the --scale override is recorded")

for h5 in (f, nb, g, h, r, t1, t2):
    h5.close()
shutil.rmtree(tmp)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
