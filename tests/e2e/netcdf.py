#!/usr/bin/env python3
"""End to end: results files as the netCDF-4 / CF tools of the field see
them (issue 16, format version 2).

A run of tests/data/mini.cfg (toy network, 20 days from 2025-01-01, app a
blocked on 2025-01-10), a sweep over a list and a log range of it (1
replication), and a testbed file of one case (ns-3; skipped without it):

- `ncdump -h` (netcdf-bin, the netCDF-C library) reads each: exit 0;
- xarray.open_dataset(f, group=G) with the h5netcdf and netcdf4 engines
  opens every group of each file, and every dimension of every variable is
  a labelled coordinate of that group; day and hour coordinates decode as
  dates (datetime64), from CF units "days since 2025-01-01 00:00:00";
- no variable has the name of a dimension unless it is that dimension's
  1-D coordinate; the root says Conventions = CF-1.8;
- /population/daily_users and /population/monthly_reach (behaviour model 2)
  hold messages, calls and any, each with units "people" and a long_name;
  ds.sel(day="2025-01-10") of /population/daily_users gives day 9's row;
- ds.sel(day="2025-01-10") of /population gives the row of day 9 as h5py
  reads it (epoch 2025-01-01 + 9 days, by hand), and a daily resample of
  /network/border_total (hourly) equals numpy's mean of each 24 rows;
- the sweep's index through analysis/sweep_xarray.py: each number an array
  over the two parameters; the log range from 0.3 to 30 in 3 steps holds
  0.3, 3 and 30 exactly (the literals), .sel() with them finds the points,
  and the values equal /points' rows read with h5py.

usage: netcdf.py BLOCKSHIFT_BIN SOURCE_DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

import h5py
import numpy as np
import xarray as xr

BIN, SRC = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(SRC, "analysis"))
from sweep_xarray import open_sweep  # noqa: E402

warnings.simplefilter("ignore")  # xarray's warnings on casts of unstacked ints
results = {"passed": 0, "failed": 0}
ENGINES = ("h5netcdf", "netcdf4")


def check(ok, what):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what, flush=True)


def run(*args, cwd):
    p = subprocess.run([BIN, *args], cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if p.returncode:
        print(p.stderr)
    return p


def groups(path):
    out = [None]
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.append(n) if isinstance(o, h5py.Group) else None)
    return out


def netcdf_checks(path, what):
    p = subprocess.run(["ncdump", "-h", path], capture_output=True, text=True)
    check(p.returncode == 0 and "dimensions:" in p.stdout,
          f"{what}: ncdump -h exit 0 ({p.stderr.strip()[:200]})")
    for eng in ENGINES:
        bad = []
        for g in groups(path):
            try:
                with xr.open_dataset(path, group=g, engine=eng) as ds:
                    for name, v in ds.variables.items():
                        bad += [f"{g}/{name}: axis {d} unlabelled" for d in v.dims if d not in ds.coords]
                        if name in ds.dims and v.dims != (name,):
                            bad.append(f"{g}/{name}: named like an axis but not its coordinate")
                    for t in ("day", "hour"):
                        if t in ds.coords and not np.issubdtype(ds[t].dtype, np.datetime64):
                            bad.append(f"{g}/{t}: not dates ({ds[t].dtype})")
            except Exception as e:  # noqa: BLE001 (any failure to open is the finding)
                bad.append(f"{g}: {type(e).__name__}: {e}")
        check(not bad, f"{what}: {eng}: every group opens, every axis labelled, times as dates {bad[:3]}")


tmp = tempfile.mkdtemp(prefix="bs-netcdf-")
for f in (os.path.join(SRC, "configs", "networks", "toy.cfg"), os.path.join(SRC, "tests", "data", "mini.cfg")):
    shutil.copy(f, tmp)

# --- a run ---
p = run("run", "mini.cfg", "-o", "r", "--quiet", cwd=tmp)
check(p.returncode == 0, "run mini.cfg: exit 0")
h5 = os.path.join(tmp, "r", "mini-seed3-run0.h5")
netcdf_checks(h5, "run")
with h5py.File(h5, "r") as f:
    check(f.attrs["Conventions"] == "CF-1.8", "root: Conventions = CF-1.8")
    day = f["/day"]
    check(day.attrs["units"] == "days since 2025-01-01 00:00:00" and day.attrs["calendar"] == "standard"
          and day.attrs["standard_name"] == "time", "/day: CF units, calendar, standard_name")
    check(f["/hour"].attrs["units"] == "hours since 2025-01-01 00:00:00", "/hour: hours since the first day")
    prim9 = f["/population/primary"][9]
    border = f["/network/border_total"][:]
for eng in ENGINES:
    with xr.open_dataset(h5, group="population", engine=eng) as ds:
        sel = ds["primary"].sel(day="2025-01-10")
        check(sel.dims == ("region", "app") and np.array_equal(sel.values, prim9)
              and list(sel["app"].values) == ["a", "b"],
              f"{eng}: /population primary.sel(day='2025-01-10') is day 9's row, apps labelled")
    # mini.cfg gives its apps a and b no label: their names are shown
    with xr.open_dataset(h5, engine=eng) as ds:
        check(ds["app_label"].dims == ("app",) and list(ds["app_label"].values) == ["a", "b"]
              and ds["app_label"].attrs["long_name"].startswith("Display name"),
              f"{eng}: the root's app_label: a string variable on app, the names when no label is set")
    with xr.open_dataset(h5, group="network", engine=eng) as ds:
        daily = ds["border_total"].resample(hour="1D").mean()
        check(daily.sizes["hour"] == 20 and np.allclose(daily.values, border.reshape(20, 24).mean(axis=1), rtol=1e-12)
              and str(daily["hour"].values[9])[:10] == "2025-01-10",
              f"{eng}: a daily resample of /network/border_total is the mean of each 24 hours")
    with xr.open_dataset(h5, group="events", engine=eng) as ds:
        check(ds.sizes.get("event") == 1 and str(ds["date"].values[0]) == "2025-01-10"
              and str(ds["action"].values[0]) == "block", f"{eng}: /events: columns on the dimension event")

# the datasets of behaviour model 2 in groups of their own (models/README.md,
# section 8): every one with units "people" and a long_name, its group
# labelled on dates by xarray, values as h5py reads them
with h5py.File(h5, "r") as f:
    use = {g: {k: f[g][k] for k in ("messages", "calls", "any")}
           for g in ("/population/daily_users", "/population/monthly_reach") if g in f}
    check(len(use) == 2 and all(v.attrs["units"] == "people" and v.attrs["long_name"]
                                for d in use.values() for v in d.values()),
          "/population/daily_users and monthly_reach: messages, calls, any; units people, long_name")
    any9 = f["/population/daily_users/any"][9] if use else None
for eng in ENGINES:
    with xr.open_dataset(h5, group="population/daily_users", engine=eng) as ds:
        sel = ds["any"].sel(day="2025-01-10")
        check(ds["any"].dims == ("day", "region", "app") and np.array_equal(sel.values, any9)
              and list(ds["region"].values) == ["north", "south"]
              and np.issubdtype(ds["day"].dtype, np.datetime64),
              f"{eng}: /population/daily_users any.sel(day='2025-01-10') is day 9's row, "
              "regions labelled, days as dates")

# --- a sweep ---
with open(os.path.join(tmp, "sw.cfg"), "w") as fh:
    fh.write('scenario = "mini.cfg";\nseed = 5;\nreplications = 1;\n'
             'collect = ["final_primary_share_a", "final_vpn_share"];\n'
             'parameters = (\n  { path = "population.retry"; values = [0.3, 0.7]; },\n'
             '  { path = "population.calls_per_day"; from = 0.3; to = 30.0; steps = 3; scale = "log"; }\n);\n')
p = run("sweep", "sw.cfg", "-o", "sw", "-j", "2", "--quiet", cwd=tmp)
check(p.returncode == 0, "sweep of 2 x 3 points: exit 0")
index = os.path.join(tmp, "sw", "index.h5")
netcdf_checks(index, "sweep index")
with h5py.File(index, "r") as f:
    cols = [c.decode() if isinstance(c, bytes) else c for c in f["/points"].attrs["columns"]]
    pts = {c: f["/points"][c][:] for c in cols}
for eng in ENGINES:
    ds = open_sweep(index, engine=eng)
    m = ds["final_vpn_share_mean"]
    check(m.dims == ("population.retry", "population.calls_per_day"),
          f"{eng}: open_sweep: final_vpn_share_mean over [population.retry][population.calls_per_day]")
    check(list(ds["population.calls_per_day"].values) == [0.3, 3.0, 30.0],
          f"{eng}: the log range is 0.3, 3, 30 exactly: {list(ds['population.calls_per_day'].values)}")
    ok = True
    for k in range(len(pts["point"])):
        r, c = float(pts["population.retry"][k]), float(pts["population.calls_per_day"][k])
        for name in ("final_vpn_share_mean", "final_primary_share_a_mean"):
            ok &= float(ds[name].sel({"population.retry": r, "population.calls_per_day": c})) == pts[name][k]
    check(ok and len(pts["point"]) == 6, f"{eng}: .sel() by the written values gives /points' numbers")

# --- a testbed file ---
if os.environ.get("BLOCKSHIFT_WITH_NS3") == "0":
    print("skipped: the testbed file (built without ns-3)")
else:
    p = run("testbed", os.path.join(SRC, "configs", "testbeds", "tspu.cfg"), "-o", "tb", "--quiet",
            "--set", 'testbed.apps=["whatsapp"]', "--set", 'testbed.techniques=["stun"]',
            "--set", 'testbed.vpns=["openvpn"]', cwd=tmp)
    check(p.returncode == 0, "testbed, one app, one technique: exit 0")
    netcdf_checks(os.path.join(tmp, "tb", "tspu-testbed-testbed-seed1.h5"), "testbed")

shutil.rmtree(tmp, ignore_errors=True)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
