#!/bin/bash
# Regenerate tests/data/v1-run.h5 and tests/data/v1-sweep/ (index.h5 and
# summary.txt of the sweep v1-sweep/sweep.cfg): results of format version 1 (the
# layout before netCDF-4/CF: axes under /dims, /events a compound table,
# /population/vpn), which info, plot, compare and reproduce must keep reading
# (tests/e2e/results_v1.py).  It must be written by a binary of format
# version 1: the last one is main at eafaf7f (behaviour model 2, output levels;
# the fixtures were first made by bb991e1 and regenerated at eafaf7f when the
# netcdf branch was merged with main, whose model gives other numbers), e.g.
#   git worktree add /tmp/bs-v1 eafaf7f && (cd /tmp/bs-v1 && ./waf configure --release && cmake --build build -j2)
#   tests/data/make_v1_fixture.sh /tmp/bs-v1/build/blockshift
# The run: tests/data/mini.cfg (toy network, 2 apps, 2 regions, a block of
# app a on 2025-01-10) cut to 12 days, seed 3, run 0 (about 200 KB); the
# sweep: 2 x 2 points of mini.cfg, 2 replications (an index of about 20 KB).
set -euo pipefail
BIN=$(realpath -- "${1:?usage: make_v1_fixture.sh BLOCKSHIFT_BIN_OF_FORMAT_VERSION_1}")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$SRC/configs/networks/toy.cfg" "$SRC/tests/data/mini.cfg" "$tmp"
(cd "$tmp" && "$BIN" run mini.cfg -o . --set 'scenario.end="2025-01-13"' \
    --set 'scenario.name="v1fixture"' --quiet)
/usr/bin/python3 - "$tmp/v1fixture-seed3-run0.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1]) as f:
    v = int(f.attrs["format_version"])
    if v != 1:
        sys.exit(f"make_v1_fixture: {sys.argv[1]} has format_version {v}, not 1: use a binary of version 1")
PY
cp "$tmp/v1fixture-seed3-run0.h5" "$SRC/tests/data/v1-run.h5"
echo "wrote $SRC/tests/data/v1-run.h5"
cp "$SRC/tests/data/v1-sweep/sweep.cfg" "$tmp/v1sweep.cfg"
(cd "$tmp" && "$BIN" sweep v1sweep.cfg -o sw -j 2 --quiet)
cp "$tmp/sw/index.h5" "$tmp/sw/summary.txt" "$SRC/tests/data/v1-sweep/"
echo "wrote $SRC/tests/data/v1-sweep/index.h5 and summary.txt"
