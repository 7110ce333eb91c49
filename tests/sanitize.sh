#!/usr/bin/env bash
# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer,
# in its own build folder (usage: sanitize.sh SOURCE_DIR BUILD_DIR).  Run by
# ctest as one test, so that `./waf test` (and so CI) covers the sanitizers.
set -euo pipefail
src=$1 dir=$2
cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DBLOCKSHIFT_SANITIZE=ON >/dev/null
cmake --build "$dir" -j"$(nproc)" >/dev/null
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)"
