#!/usr/bin/env bash
# The memory estimate against the measured peak (models/README.md, section 10).
# usage: bench/memory_estimate.sh [SCALE...]   (from anywhere; default scales 1460 146 14.6:
#        10^5, 10^6 and 10^7 agents).  Builds build-release/ unless BLOCKSHIFT names a binary.
# Runs scenarios/no-block.cfg cut to 11 days (the flow engine on) at each scale, prints
# the estimate `check` gives and the peak resident size /usr/bin/time -v measures of the
# run, and exits 1 if they differ by more than 15%.  10^7 agents need about 1.2 GB of
# memory and a few minutes on 2 cores; the script says so and stops if less is available.
set -euo pipefail
cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.."
if [ -z "${BLOCKSHIFT:-}" ]; then
    cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build build-release -j"$(nproc)" --target blockshift >/dev/null
    BLOCKSHIFT=build-release/blockshift
fi
scales=("$@")
[ ${#scales[@]} -gt 0 ] || scales=(1460 146 14.6)
s=scenarios/no-block.cfg
days=(--set 'scenario.start="2025-08-25"' --set 'scenario.end="2025-09-05"')
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
echo "| scale | agents | contact entries | estimate MB | measured peak MB | estimate/measured | run s |"
echo "|---|---|---|---|---|---|---|"
for x in "${scales[@]}"; do
    line=$("$BLOCKSHIFT" check "$s" --set "population.scale=$x" "${days[@]}" 2>&1 | grep 'blockshift: memory:')
    est=$(sed -E 's/.*about ([0-9.]+) (MB|GB) at the peak.*/\1 \2/' <<<"$line" |
          awk '{print $2 == "GB" ? $1 * 1000 : $1}')
    agents=$(sed -E 's/.* for ([0-9]+) agents.*/\1/' <<<"$line")
    contacts=$(sed -E 's/.* and ([0-9]+) contact entries.*/\1/' <<<"$line")
    avail_kb=$(awk '/MemAvailable/ {print $2}' /proc/meminfo)
    if awk -v e="$est" -v a="$avail_kb" 'BEGIN {exit !(e * 1.3 > a * 1.024 / 1000)}'; then
        echo "scale $x: the run needs about $est MB, more than the $((avail_kb / 1024)) MiB available: skipped" >&2
        fail=1
        continue
    fi
    /usr/bin/time -v -o "$out/time" "$BLOCKSHIFT" run "$s" --scale "$x" "${days[@]}" -o "$out" --quiet
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/time")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$out/time")
    awk -v x="$x" -v n="$agents" -v c="$contacts" -v e="$est" -v kb="$kb" -v wall="$wall" 'BEGIN {
        m = kb * 1024 / 1e6
        printf "| %s | %s | %s | %.1f | %.1f | %.3f | %s |\n", x, n, c, e, m, e / m, wall
        exit !(e / m >= 0.85 && e / m <= 1.15) }' || fail=1
done
exit $fail
