"""Two sweep folders compared: their index tables (every column but
wall_seconds and host) and the datasets of every run's results file.
Either results format version (tables read through bsfile)."""
import os

import h5py
import numpy as np

import bsfile


def runs_table(d):
    with h5py.File(os.path.join(d, "index.h5"), "r") as f:
        return bsfile.table(f, "/runs"), bsfile.table(f, "/points")


def same_tables(a, b):
    (ra, pa), (rb, pb) = runs_table(a), runs_table(b)
    if ra.dtype.names != rb.dtype.names or len(ra) != len(rb):
        return False
    cols = [n for n in ra.dtype.names if n not in ("wall_seconds", "host")]
    eq = lambda x, y: np.array_equal(x, y, equal_nan=x.dtype.kind == "f")
    return all(eq(ra[n], rb[n]) for n in cols) and all(eq(pa[n], pb[n]) for n in pa.dtype.names)


def datasets(path, groups=("population", "calls", "dims", "events", "config", "network",
                           "censor")):
    """Every dataset of these groups, and (format 2) the dimension scales at
    the root."""
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()])
                     if isinstance(o, h5py.Dataset)
                     and ("/" not in n or n.split("/")[0] in groups) else None)
    return out


def same_runs(a, b):
    fa, fb = sorted(os.listdir(os.path.join(a, "runs"))), sorted(os.listdir(os.path.join(b, "runs")))
    if fa != fb:
        return False
    for name in fa:
        da, db = datasets(os.path.join(a, "runs", name)), datasets(os.path.join(b, "runs", name))
        if da.keys() != db.keys() or not all(np.array_equal(da[k], db[k]) for k in da):
            return False
    return True
