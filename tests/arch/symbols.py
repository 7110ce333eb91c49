#!/usr/bin/python3
"""Every symbol the project's libraries export carries its module's prefix.

    symbols.py BUILD_DIR

Lists the global symbols defined in each room's static library (nm) and fails
on any whose name does not begin with one of:
  - its concept: the name of the file that defines it up to the first "_"
    (results_get.c may export results_*, sweep_job.c sweep_*),
  - its file's whole name (output_network.c: output_network_*),
  - its room ("bs_analysis": analysis_*), or "bs_" (the ns-3 shim's C API).
C++ symbols of the ns-3 shim (mangled, "_Z...") and the compiler's own
("DW.ref.*") are not ours to name.  Functions used only inside one file must
be static; those shared inside a room are declared in the room's internal
header and prefixed all the same.
Exit 1 and a line per offending symbol, else 0.
"""
import glob
import os
import subprocess
import sys


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    libs = sorted(glob.glob(os.path.join(argv[1], "**", "libbs_*.a"), recursive=True))
    if not libs:
        print(f"symbols: no libbs_*.a under {argv[1]}", file=sys.stderr)
        return 2
    bad, n = [], 0
    for lib in libs:
        room = os.path.basename(lib)[len("libbs_"):-len(".a")]
        out = subprocess.run(["nm", "-A", "-g", "--defined-only", lib], capture_output=True,
                             text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) < 3 or parts[-2] not in "TDBRCG":  # defined here, not weak
                continue
            obj = parts[0].split(":")[1]  # "lib.a:obj.c.o:ADDRESS"
            stem = obj.split(".")[0]
            sym = parts[-1]
            if sym.startswith(("_Z", "DW.ref.", "__")):
                continue
            n += 1
            prefixes = {stem.split("_")[0] + "_", stem + "_", room + "_", "bs_"}
            if not any(sym.startswith(p) for p in prefixes):
                bad.append(f"{os.path.basename(lib)}: {obj}: {sym}: no module prefix "
                           f"(expected one of {', '.join(sorted(prefixes))})")
    for b in bad:
        print(b)
    print(f"symbols: {len(libs)} libraries, {n} exported symbols, {len(bad)} without a prefix")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
