#!/usr/bin/env bash
# CPU seconds of a scenario's daily steps, side by side for several builds of
# bench_population: for each binary, the process CPU of a DAYS-day run minus that
# of a 1-day run (setup excluded), REPS rounds with the binaries alternating.
# CPU time, not wall clock: on a shared machine it is the steadier of the two.
# usage: bench/cpu_per_day.sh SCENARIO AGENTS DAYS THREADS REPS BENCH_POPULATION...
set -euo pipefail
if [ $# -lt 6 ]; then
    echo "usage: bench/cpu_per_day.sh SCENARIO AGENTS DAYS THREADS REPS BENCH_POPULATION..." >&2
    exit 2
fi
s=$1 agents=$2 days=$3 threads=$4 reps=$5
shift 5
cpu() { OMP_NUM_THREADS=$threads "$1" "$s" "$agents" "$2" | awk -F'|' '{print $8}'; }
echo "| binary | threads | days | CPU s, 1 day | CPU s, $days days | loop CPU s | load average |"
echo "|---|---|---|---|---|---|---|"
for _ in $(seq "$reps"); do
    for b in "$@"; do
        one=$(cpu "$b" 1)
        all=$(cpu "$b" "$days")
        loop=$(awk -v a="$all" -v o="$one" 'BEGIN { printf "%.2f", a - o }')
        echo "| $b | $threads | $days | $one | $all | $loop | $(cut -d' ' -f1 /proc/loadavg) |"
    done
done
