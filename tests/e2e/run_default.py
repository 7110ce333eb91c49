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

sys.path.insert(0, os.path.join(sys.argv[2], "tests", "tools"))
import bsfile  # noqa: E402

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
    epoch = datetime.date.fromisoformat(f["/day"].attrs["epoch"])
    return (datetime.date.fromisoformat(iso) - epoch).days


def all_datasets(f):
    out = {}
    f.visititems(lambda n, o: out.__setitem__(n, o) if isinstance(o, h5py.Dataset) else None)
    return out


def datasets_equal(a, b, groups=("population", "calls", "events", "config", "network", "censor")):
    """The datasets of those groups and the root's (the dimensions) equal."""
    da, db = all_datasets(a), all_datasets(b)
    keep = lambda k: k.split("/")[0] in groups or "/" not in k
    keys = [k for k in da if keep(k)]
    if sorted(keys) != sorted(k for k in db if keep(k)):
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
check("flow engine" in f["/provenance"].attrs["congestion_loss"], "provenance: congestion loss comes from the flow engine")
check(f["/provenance"].attrs["engines"] == "population, flow", "provenance: both engines ran")
expect_dims = {
    "population/installed": ["day", "region", "app"],
    "population/primary": ["day", "region", "app"],
    "population/vpn_users": ["day", "region", "vpn"],
    "calls/attempted": ["day", "app"],
    "calls/completed": ["day", "app"],
    "calls/failed": ["day", "app"],
    "calls/abandoned": ["day"],
}
for name, dims in expect_dims.items():
    ds = f[name]
    check([d.label for d in ds.dims] == dims, f"{name} axes labelled {dims}")
    group = "/" + name.split("/")[0]
    check(all(len(ds.dims[k]) == 1 and ds.dims[k][0].name == group + "/" + dims[k] for k in range(len(dims))),
          f"{name} axes are the dimension scales of its group, {group}/DIM")
    check(ds.chunks is not None and ds.compression == "gzip" and ds.shuffle, f"{name} chunked, shuffled, deflated")
for name, ds in all_datasets(f).items():
    check("units" in ds.attrs and "description" in ds.attrs, f"{name} has units and description")
apps = names(f["/app"])
check(apps == ["whatsapp", "telegram", "viber", "signal", "facetime", "max", "other"], "app names")
check(len(names(f["/region"])) == 10, "ten regions")
ev = bsfile.table(f, "/events")
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
# Before its block FaceTime fails only by the collateral of the stun rule on
# WhatsApp: the calibration's measured collateral (configs/calibration/tspu.cfg),
# 0 on the testbed's mix since WhatsApp's range is its own.
check(fail[:b1, ft].sum() == 0 and fail[b2 - 14:b2, ft].mean() < 0.1 * fail[b2:b2 + 7, ft].mean(),
      "FaceTime's failures before its block are collateral only, a tenth of those after")
check(fail[b2:b2 + 3, ft].max() > 1.5 * fail[b2 + 30:, ft].mean(), "FaceTime's failures spike at its block")
check(total[b2:b2 + 3].max() > 1.2 * total[b2 - 7:b2].mean(), "total failed calls jump at FaceTime's block")
summ = f["/summary"].attrs
check(summ["days_to_half_whatsapp_2025-08-13"] >= 1, "summary: days until half of WhatsApp's callers moved")

# --- the flow engine: load on the network, hour by hour ---
hours = f["/hour"].shape[0]
check(hours == 24 * f["/day"].shape[0], "/hour: 24 hours a day")
links = names(f["/link"])
check(len(links) == 2 * 55 and links[0].count("->") == 1, "/link: each of the 55 links both ways, from->to")
check(names(f["/mbox"]) == names(f["/isp"]), "/mbox: one censor box per ISP")
for ds, shape in (("/network/link_offered", (hours, len(links))), ("/network/link_carried", (hours, len(links))),
                  ("/network/app_carried", (hours, len(apps), 3)), ("/network/vpn_carried", (hours,)),
                  ("/censor/inspected", (hours, 20)), ("/censor/dropped", (hours, 20)),
                  ("/censor/throttled", (hours, 20)), ("/censor/collateral", (hours, 20)),
                  ("/censor/uninspected", (hours, 20))):
    check(ds in f and f[ds].shape == shape and f[ds].attrs["units"] == "bit/s", f"{ds}: shape {shape}, bit/s")
off, car = f["/network/link_offered"][:], f["/network/link_carried"][:]
cap = f["/network/link_capacity"][:]
check((car <= off * (1 + 1e-9) + 1e-6).all(), "every link, every hour: carried <= offered")
check((car <= cap * (1 + 1e-9)).all(), "every link, every hour: carried <= capacity")
check((off >= 0).all() and off.sum() > 0, "link loads are non-negative, and there are some")
hour_of_day = off.sum(axis=1).reshape(-1, 24).mean(axis=0)
check(hour_of_day.argmax() in (20, 21, 22) and hour_of_day.min() < 0.5 * hour_of_day.max(),
      "diurnal profile: load peaks in the evening, the night is under half the peak")
def daily(ds, col=None):
    x = f[ds][:] if col is None else f[ds][:, col]
    return x.reshape(-1, 24).mean(axis=1)
bwa, bft, bvpn = daily("/network/border_app", wa), daily("/network/border_app", ft), daily("/network/border_vpn")
bothers = sum(daily("/network/border_app", a) for a in others)
check(bwa[after1].mean() < 0.5 * bwa[before1].mean(), "WhatsApp's traffic at the border falls by half after its block")
check(bothers[after1].mean() > 1.05 * bothers[before1].mean(), "other apps' border traffic rises after WhatsApp's block")
check(bvpn[after1].mean() > bvpn[before1].mean(), "VPN traffic at the border rises after WhatsApp's block")
check(bft[after2].mean() < 0.5 * bft[before2].mean(), "FaceTime's traffic at the border falls by half after its block")
check(bvpn[after2].mean() > bvpn[before2].mean(), "VPN traffic at the border rises after FaceTime's block")
drop = f["/censor/dropped"][:].sum(axis=1)
check(drop[:24 * b1].sum() == 0 and drop[24 * b1:24 * (b1 + 1)].min() > 0, "the boxes drop nothing before the first block, and do from its first hour")
check((f["/censor/uninspected"][:] == 0).all(), "no box is overloaded (the Russian boxes have no capacity limit)")
check(0 < summ["peak_border_utilisation"] <= 1, "summary: peak border utilisation in (0, 1]")
check(0 < summ["border_vpn_share"] < 1 and 0 < summ["hairpin_border_share"] < summ["border_vpn_share"],
      "summary: VPN share of border traffic, and the hairpin part of it")
check(summ["censor_peak_inspected"] > 0 and summ["censor_overload_hours"] == 0,
      "summary: the censor's peak inspected load, and no overload hour")

# --- no-block: nothing of the kind ---
nb = h5py.File(run(os.path.join(SRC, "scenarios", "no-block.cfg"), os.path.join(tmp, "nb")), "r")
ncomp, nfail = nb["/calls/completed"][:], nb["/calls/failed"][:]
check(nfail.sum() == 0, "no-block: no failed calls at all")
check(ncomp[after1, wa].mean() > 0.9 * ncomp[before1, wa].mean(), "no-block: WhatsApp's calls do not fall in August")
check(ncomp[after2, ft].mean() > 0.9 * ncomp[before2, ft].mean(), "no-block: FaceTime's calls do not fall in December")
check((nb["/censor/dropped"][:] == 0).all(), "no-block: the boxes drop nothing")
nbwa = nb["/network/border_app"][:, wa].reshape(-1, 24).mean(axis=1)
nbvpn = nb["/network/border_vpn"][:].reshape(-1, 24).mean(axis=1)
check(nbwa[after1].mean() > 0.9 * nbwa[before1].mean(), "no-block: WhatsApp's border traffic does not fall in August")
check(abs(nbvpn[after2].mean() / nbvpn[before1].mean() - 1) < 0.1, "no-block: VPN border traffic stays within 10%")

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
# The overrides as given on the command line (models/cli/cmd_run.c turns
# --scale X into population.scale=X, %.17g, and --run K into scenario.run=K),
# one a line, in the order given.
check(f["/config"].attrs["overrides"] == "population.scale=" + SCALE, "the --scale override is recorded")
check(h["/config"].attrs["overrides"] == "population.scale=" + SCALE + "\nscenario.run=1",
      "the --scale and --run overrides are recorded, in order")

for h5 in (f, nb, g, h, r, t1, t2):
    h5.close()
shutil.rmtree(tmp)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
