"""A sweep's summary numbers as one labelled xarray array (read-only).

    import sys; sys.path.insert(0, "analysis")
    from sweep_xarray import open_sweep
    ds = open_sweep("out/index.h5")          # an xarray.Dataset
    ds["final_vpn_share_mean"].sel({"population.retry": 0.3})

open_sweep reads the group /points of a sweep's index.h5 (format version 2,
netCDF-4: xarray.open_dataset(index, group="points")), whose variables are
one per column on the dimension `point`: n, each varied parameter (the
columns of /runs between `replication` and `seed`), and for each collected
number X: X_mean, X_sd, X_ci95_low, X_ci95_high.  The parameters become dimensions:
each number is then an array over them (like SEM's get_results_as_xarray).

A design that is not a grid (Latin hypercube, Sobol' points: every point
has its own values) would make a mostly empty array; then the parameters
stay coordinates along `point` (set grid=True to force the array, grid=False
to keep `point`).  Parameter values are the values written in the sweep
file (ranges as decimals: 0.3, not 0.30000000000000004), so .sel() with
those values finds them.
"""
import xarray as xr


def _names(attr):
    return [c.decode() if isinstance(c, bytes) else str(c) for c in attr]


def sweep_parameters(index, engine=None):
    """The varied parameters' paths, in the sweep file's order."""
    with xr.open_dataset(index, group="runs", engine=engine) as runs:
        cols = _names(runs.attrs["columns"])
    return cols[cols.index("replication") + 1:cols.index("seed")]


def open_sweep(index, engine=None, grid=None):
    """/points of `index` with the varied parameters as dimensions."""
    params = sweep_parameters(index, engine)
    ds = xr.open_dataset(index, group="points", engine=engine).load()
    ds = ds.set_coords(params)
    cells = 1
    for p in params:
        cells *= len(set(ds[p].values.tolist()))
    if grid is None:
        grid = cells <= ds.sizes["point"]
    if not grid or not params:
        return ds
    if len(params) == 1:
        return ds.swap_dims(point=params[0]).drop_vars("point")
    return ds.drop_vars("point").set_index(point=params).unstack("point")
