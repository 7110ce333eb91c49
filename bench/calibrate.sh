#!/usr/bin/env bash
# Calibration benchmark (issue 15): blockshift calibrate on the shipped
# calibration file, configs/calibrate/russia-2025.cfg (6 parameters, 14
# observations, 10^4 agents, up to 5 generations of 64 particles), timed.
# Prints the row of bench/RESULTS.md, "Calibration (issue 15)".
#
# usage: bench/calibrate.sh [BLOCKSHIFT_BIN] [JOBS]   (default build/blockshift, 2)
# Took 37 minutes on 2 shared cores (2026-12-06; 1279 CPU s, so about 11 on idle ones); OMP_NUM_THREADS=1 (one core per
# worker process).
set -euo pipefail
cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.."
bin=$(readlink -f "${1:-build/blockshift}")
jobs=${2:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s.%N)
OMP_NUM_THREADS=1 "$bin" calibrate configs/calibrate/russia-2025.cfg -o "$work/out" -j "$jobs" \
    > "$work/paths" 2> "$work/log"
end=$(date +%s.%N)
gens=$(grep -c "kept:" "$work/log" || true)
runs=$(awk '/proposals .* run \(/{n=$0} END{print n}' "$work/log" | sed 's/.*(\([0-9]*\) runs.*/\1/')
load=$(cut -d' ' -f1-3 /proc/loadavg)
printf '| %s | %d | %s | %s | %.0f | %s |\n' "$(date -u +%F)" "$jobs" "$gens" "$runs" \
    "$(echo "$end - $start" | bc)" "$load"
cat "$work/out/summary.txt"
