#!/usr/bin/env bash
# Run the population and flow-engine benchmarks and print the rows of bench/RESULTS.md.
# usage: bench/run.sh   (from the repository root; builds build-release/)
# Takes about 4 minutes and 4 GB of memory on a 2-core machine.
set -euo pipefail
cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.."
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j"$(nproc)" >/dev/null
b=build-release/bench/bench_population
s=scenarios/russia-2024-2026.cfg
echo "| agents | contact entries | days | threads | daily-loop s | agent-days/s | process CPU s | peak RSS MiB | peak RSS bytes/agent |"
echo "|---|---|---|---|---|---|---|---|---|"
for t in 1 "$(nproc)"; do
    export OMP_NUM_THREADS=$t
    $b $s 1e6 30
    $b $s 1e6 608
    $b $s 1e7 60
    $b $s 3e7 30
done
unset OMP_NUM_THREADS
echo
echo "failure-heavy (bench/blocked-from-day-one.cfg, one thread):"
OMP_NUM_THREADS=1 $b bench/blocked-from-day-one.cfg 1e6 100
echo
echo "max-min solver (bench_flow, one thread):"
OMP_NUM_THREADS=1 build-release/bench/bench_flow
echo
echo "default scenario (whatsapp-then-facetime, 10^5 agents, 243 days), 3 runs:"
for i in 1 2 3; do
    /usr/bin/time -f "  wall %e s, peak RSS %M kB" build-release/blockshift run \
        scenarios/whatsapp-then-facetime.cfg -o /tmp/bench-default --quiet
done
rm -rf /tmp/bench-default
echo
echo "flow engine's share of a whole run (russia-2024-2026, 608 days, hourly), 2 runs each:"
for scale in 1460 146; do
    for i in 1 2; do
        BLOCKSHIFT_LOG=sim=info /usr/bin/time -f "  wall %e s, peak RSS %M kB" \
            build-release/blockshift run $s -o /tmp/bench-flow --quiet --scale $scale 2>&1 |
            sed -n 's/^\[sim\] info: /  /p; /wall/p'
    done
done
rm -rf /tmp/bench-flow
echo
echo "flow engine with full links (russia-2024-2026, 10^5 agents; Moscow's gateway link cut to 5 Tbit/s):"
for i in 1 2; do
    BLOCKSHIFT_LOG=sim=info /usr/bin/time -f "  wall %e s, peak RSS %M kB" \
        build-release/blockshift run $s -o /tmp/bench-flow --quiet \
        --set "network.links.[42].capacity=5000Gbps" 2>&1 | sed -n 's/^\[sim\] info: /  /p; /wall/p'
done
rm -rf /tmp/bench-flow
echo
echo "ns-3: the shim against a native C++ program (100 calls of 30 s on a dumbbell), 2 runs:"
echo "| program | calls | media packets received | wall s | packets/s |"
echo "|---|---|---|---|---|"
for i in 1 2; do
    build-release/bench/bench_ns3_native 100 30
    build-release/bench/bench_ns3_wrapper 100 30
done
echo
echo "testbed (configs/testbeds/tspu.cfg, 168 cases and the validation):"
/usr/bin/time -f "  wall %e s, peak RSS %M kB" build-release/blockshift testbed \
    configs/testbeds/tspu.cfg -o /tmp/bench-testbed 2>&1 | sed 's/^/  /'
rm -rf /tmp/bench-testbed
echo
echo "replay of the default scenario (national run, then 40 people for 2 minutes a phase):"
/usr/bin/time -f "  wall %e s, peak RSS %M kB" build-release/blockshift testbed \
    scenarios/whatsapp-then-facetime.cfg --replay -o /tmp/bench-replay 2>&1 | sed 's/^/  /'
rm -rf /tmp/bench-replay
