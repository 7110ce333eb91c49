#!/usr/bin/python3
"""Whether two blockshift results files hold the same results, bit for bit.

    same_results.py A.h5 B.h5

Compares every dataset (shape, type and bytes) and every attribute of both
files, except what says when, where and by which build a file was made: the
root attributes created, tool_version, git_revision, config_file and the
/provenance group.  Prints each difference; exit 0 when there is none, 1 when
there are, 2 on bad input.  Used by tests/tools/same_as_commit.sh to show that
a change of the code's layout changes no result.
"""
import sys

import h5py
import numpy as np

SKIP_ROOT_ATTRS = {"created", "tool_version", "git_revision", "config_file"}
SKIP_GROUPS = ("/provenance",)


def items(f):
    out = {}

    def visit(name, obj):
        out["/" + name] = obj

    f.visititems(visit)
    out["/"] = f
    return out


def attrs(obj, path):
    skip = SKIP_ROOT_ATTRS if path == "/" else set()
    return {k: obj.attrs[k] for k in obj.attrs if k not in skip}


def plain(f, v):
    """A value with object references replaced by the names they point to and
    variable-length strings by their bytes, so that two files compare."""
    if isinstance(v, h5py.Reference):
        return f[v].name if v else ""
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode()
    if isinstance(v, np.ndarray) and v.dtype == object:
        return [plain(f, x) for x in v.ravel()], v.shape
    if isinstance(v, np.ndarray) and v.dtype.fields is None:
        return v.dtype.str, v.shape, v.tobytes()
    if isinstance(v, np.ndarray):  # compound: field by field
        return [(k, plain(f, v[k])) for k in v.dtype.names]
    return plain(f, np.asarray(v)) if isinstance(v, np.generic) else v


def same_value(fa, a, fb, b):
    return plain(fa, a) == plain(fb, b)


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        fa, fb = h5py.File(argv[1], "r"), h5py.File(argv[2], "r")
    except OSError as e:
        print(f"same_results: {e}", file=sys.stderr)
        return 2
    ia, ib = items(fa), items(fb)
    diffs = []
    for p in sorted(set(ia) | set(ib)):
        if p.startswith(SKIP_GROUPS):
            continue
        if p not in ia or p not in ib:
            diffs.append(f"{p}: only in {'B' if p in ib else 'A'}")
            continue
        a, b = ia[p], ib[p]
        if isinstance(a, h5py.Dataset) != isinstance(b, h5py.Dataset):
            diffs.append(f"{p}: a dataset in one file, a group in the other")
            continue
        if isinstance(a, h5py.Dataset) and not same_value(fa, a[()], fb, b[()]):
            diffs.append(f"{p}: the values differ")
        aa, ab = attrs(a, p), attrs(b, p)
        for k in sorted(set(aa) | set(ab)):
            if k not in aa or k not in ab or not same_value(fa, aa[k], fb, ab[k]):
                diffs.append(f"{p}@{k}: the attribute differs")
    for d in diffs:
        print(d)
    n = sum(isinstance(o, h5py.Dataset) for p, o in ia.items() if not p.startswith(SKIP_GROUPS))
    print(f"same_results: {n} datasets compared, {len(diffs)} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
