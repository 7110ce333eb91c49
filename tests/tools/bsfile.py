"""Reading blockshift results files of either format version in the tests.

    sys.path.insert(0, os.path.join(SRC, "tests", "tools")); import bsfile

- dim(f, "app"): the dimension scale (format 2: /app at the root; format 1:
  /dims/app);
- table(f, "/events"): a table as a numpy structured array, one field per
  column in order (format 2: the group's column datasets in the order of its
  `columns` attribute; format 1: the compound dataset as it is).
"""
import numpy as np


def dim(f, name):
    return f[("/dims/" if "dims" in f else "/") + name]


def table(f, path):
    obj = f[path]
    if not hasattr(obj, "keys"):  # format 1: a compound dataset
        return obj[...]
    cols = [c.decode() if isinstance(c, bytes) else str(c) for c in obj.attrs["columns"]]
    data = [obj[c][...] for c in cols]
    n = len(data[0]) if data else 0
    out = np.empty(n, dtype=[(c, d.dtype) for c, d in zip(cols, data)])
    for c, d in zip(cols, data):
        out[c] = d
    return out
