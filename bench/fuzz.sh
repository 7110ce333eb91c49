#!/usr/bin/env bash
# A longer fuzzing campaign (tests/fuzz/): HOURS of the configuration loader
# and HOURS of the results reader, one after the other, each on JOBS
# processes (default 1; the machine has 2 cores shared with others), at
# nice 10.  Prints the rows of bench/RESULTS.md, "Fuzzing": executions,
# time, corpus size and crashes (for the results reader: inside HDF5, i.e.
# answered "damaged file" with the reader's fork on, and in blockshift's own
# code).
#
# usage: bench/fuzz.sh HOURS [JOBS]      (HOURS may be a fraction: 0.25)
# The corpus grows in build-fuzz/corpus/ from one campaign to the next;
# crashes are left in build-fuzz/artifacts/ (see tests/fuzz/run.sh).
set -euo pipefail
cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.."
hours=${1:?usage: bench/fuzz.sh HOURS [JOBS]}
secs=$(awk -v h="$hours" 'BEGIN { printf "%d", h * 3600 }')
[[ $secs -gt 0 ]] || { echo "fuzz.sh: HOURS must be more than 0" >&2; exit 2; }
export FUZZ_JOBS=${2:-1}
build=${BLOCKSHIFT_FUZZ_BUILD:-build-fuzz}
rc=0
for t in config results; do
    out=$(nice -n 10 bash tests/fuzz/run.sh "$secs" "$t" 2>&1) || rc=1
    printf '%s\n' "$out"
    execs=$(sed -nE "s/^fuzz\\/$t: ([0-9]+) executions.*/\\1/p" <<<"$out")
    corpus=$(sed -nE "s/^fuzz\\/$t: .* corpus ([0-9]+) inputs/\\1/p" <<<"$out")
    crashes=$(sed -nE 's/^fuzz\/results: ([0-9]+ crash\(es\) inside HDF5).*; ([0-9]+) in.*/\1, \2 in ours/p' <<<"$out")
    [[ $t == config ]] && crashes=$(grep -q FAIL <<<"$out" && echo "see $build/artifacts/config" || echo 0)
    echo "| $t | $(date -u +%F) | ${hours} h x $FUZZ_JOBS | ${execs:-?} | $((${execs:-0} / secs))/s | ${corpus:-?} | ${crashes:-?} |"
done
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)," \
    "load $(cut -d' ' -f1-3 /proc/loadavg), $(clang-14 --version | head -1)"
exit $rc
