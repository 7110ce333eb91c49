#!/usr/bin/env bash
# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer,
# in its own build folder (usage: sanitize.sh SOURCE_DIR BUILD_DIR [CMAKE-OPTIONS]:
# the options of the main build, -DBLOCKSHIFT_WITH_NS3=... and _MPI=...).  Run by
# ctest as one test, so that `./waf test` (and so CI) covers the sanitizers.
set -euo pipefail
src=$1 dir=$2
cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DBLOCKSHIFT_SANITIZE=ON "${@:3}" >/dev/null
cmake --build "$dir" -j"$(nproc)" >/dev/null
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$src/tests/lsan.supp  # a leak of libconfig's (the file says which)
# ns-3 allocates for every packet, and under ASan runs about 17 times slower:
# the packet-level tests (testbed.py, replay.py) then run smaller matrices and
# replays, the same code on fewer packets.
export BLOCKSHIFT_SANITIZED=1
# Left out under the sanitizers: e2e/run_default (the default scenario at
# 10^5 agents, 243 s under ASan: the code of every scenario run the other
# tests make at small scale) and e2e/output (what goes to stdout and stderr,
# 181 s: the same commands the other tests run); both run in the normal suite.
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)" -E '^e2e/(run_default|output)$'

