#!/usr/bin/env bash
# run.sh SECONDS [config|results|all]: fuzz the configuration loader and/or
# the results reader with libFuzzer for SECONDS each (0: only replay the
# regression inputs).
#
# Configures and builds (once; later runs only rebuild) a build of its own,
# $BLOCKSHIFT_FUZZ_BUILD or else build-fuzz/ at the top of the tree, with
# clang, ASan + UBSan and libFuzzer's coverage on all the code; replays the
# regression inputs tests/fuzz/regress/TARGET/* (crashes found and fixed)
# and regress/results-hdf5/* (crashes inside HDF5, with the reader's fork on);
# then fuzzes from the seeds:
#   config   scenarios/*.cfg and configs/**/*.cfg
#   results  tests/fuzz/corpus/results/* (gunzipped: a one-day run of
#            scenarios/no-block.cfg in results format version 1 and, with one
#            block event, in version 2) and the small files that
#            fuzz_results_seeds writes with the results writer (version 2)
# New inputs go to BUILD/corpus/TARGET (kept between runs), crashes to
# BUILD/artifacts/TARGET/.  Exit 0 when nothing crashed, 1 on a crash (the
# input's path is printed: fix it, then add it to tests/fuzz/regress/TARGET/),
# 77 when clang or libFuzzer is missing (ctest: skipped).
# Environment: FUZZ_CC (the compiler, default clang-14 or clang),
# FUZZ_JOBS (parallel fuzzing processes per target, default 1), FUZZ_ARGS
# (more libFuzzer options).
set -euo pipefail

secs=${1:-}
which=${2:-all}
if ! [[ $secs =~ ^[0-9]+$ ]] || [[ ! $which =~ ^(config|results|all)$ ]]; then
    echo "usage: run.sh SECONDS [config|results|all]" >&2
    exit 2
fi
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
BUILD=${BLOCKSHIFT_FUZZ_BUILD:-$ROOT/build-fuzz}
jobs=${FUZZ_JOBS:-1}

skip() { echo "fuzz: SKIP: $*"; exit 77; }

CC=${FUZZ_CC:-$(command -v clang-14 || command -v clang || true)}
[[ -n $CC ]] || skip "no clang (install clang-14 and libclang-rt-14-dev)"
CXX=${CC/clang/clang++}
command -v "$CXX" >/dev/null || CXX=c++
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; return (int)n * 0; }' \
    >"$probe/p.c"
"$CC" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" 2>"$probe/err" ||
    skip "$CC cannot link -fsanitize=fuzzer,address,undefined (libFuzzer's runtime, libclang-rt-14-dev, missing?): $(head -c 300 "$probe/err")"

# ---- build (one at a time: ctest may run fuzz/config and fuzz/results together)
mkdir -p "$BUILD"
(
    flock 9
    if [[ ! -f $BUILD/CMakeCache.txt ]]; then
        cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
            -DBLOCKSHIFT_WITH_NS3=OFF -DBLOCKSHIFT_WITH_MPI=OFF \
            -DBLOCKSHIFT_SANITIZE=ON -DBLOCKSHIFT_FUZZ=ON \
            -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link" >"$BUILD/configure.log" 2>&1 ||
            { cat "$BUILD/configure.log"; exit 1; }
    fi
    cmake --build "$BUILD" -j2 --target fuzz_config fuzz_results fuzz_results_seeds \
        >"$BUILD/build.log" 2>&1 || { tail -50 "$BUILD/build.log"; exit 1; }
) 9>"$BUILD/.lock"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/fuzz/lsan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export BLOCKSHIFT_SOURCE_DIR=$ROOT
failed=0

# ---- one target
fuzz() {
    local t=$1 bin=$BUILD/tests/fuzz/fuzz_$1
    local corpus=$BUILD/corpus/$t seeds=$BUILD/seeds/$t art=$BUILD/artifacts/$t/
    mkdir -p "$corpus" "$seeds" "$art"
    # regress/TARGET: crashes of ours, fixed; regress/results-hdf5: crashes
    # inside HDF5, which the reader's fork must turn into an answer
    local dir iso
    for dir in "$t" "$t-hdf5"; do
        local regress=("$ROOT"/tests/fuzz/regress/"$dir"/*)
        [[ -e ${regress[0]} ]] || continue
        # inputs may be gzipped (NAME.gz): replayed from BUILD/regress/DIR/NAME
        local r plain=()
        rm -rf "$BUILD/regress/$dir" && mkdir -p "$BUILD/regress/$dir"
        for r in "${regress[@]}"; do
            if [[ $r == *.gz ]]; then
                gunzip -c "$r" >"$BUILD/regress/$dir/$(basename "$r" .gz)"
                plain+=("$BUILD/regress/$dir/$(basename "$r" .gz)")
            else
                plain+=("$r")
            fi
        done
        regress=("${plain[@]}")
        iso=0
        [[ $dir == *-hdf5 ]] && iso=1
        echo "fuzz/$t: replaying ${#regress[@]} regression input(s) of regress/$dir"
        # (-timeout: a generous bound in wall time, for a loaded machine; the
        # reader's own limit is 1 s of CPU time in the harness)
        if ! FUZZ_RESULTS_ISOLATED=$iso "$bin" -runs=1 -timeout=300 "${regress[@]}" >"$BUILD/regress-$dir.log" 2>&1; then
            tail -40 "$BUILD/regress-$dir.log"
            echo "fuzz/$t: FAIL: a regression input of regress/$dir crashes (log: $BUILD/regress-$dir.log)"
            failed=1
            return
        fi
    done
    if [[ $secs -eq 0 ]]; then
        echo "fuzz/$t: regression inputs only (SECONDS = 0)"
        return
    fi
    rm -rf "$seeds" && mkdir -p "$seeds"
    if [[ $t == config ]]; then
        find "$ROOT/scenarios" "$ROOT/configs" -name '*.cfg' -exec cp --backup=numbered -t "$seeds" {} +
    else
        "$BUILD/tests/fuzz/fuzz_results_seeds" "$seeds"
        for z in "$ROOT"/tests/fuzz/corpus/results/*.h5.gz; do
            [[ -e $z ]] && gunzip -c "$z" >"$seeds/$(basename "$z" .gz)"
        done
    fi
    local log=$BUILD/fuzz-$t.log opts=()
    # the shipped calibration table is 60 KB; scenarios are about 2 KB
    [[ $t == config ]] && opts+=(-max_len=16384)
    # results: HDF5 itself crashes on some damaged files, so the fuzzing goes
    # on after a crash (-fork, -ignore_crashes) and the crashes are sorted
    # afterwards (triage); config: the first crash stops it and fails.
    # (an input takes well under a second; HDF5's endless loops on some
    # damaged files would each take the whole time-out of the results run)
    local timeout=20
    [[ $t == results ]] && timeout=5 &&
        opts+=(-fork="$jobs" -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1)
    [[ $t == config && $jobs -gt 1 ]] && opts+=(-jobs="$jobs" -workers="$jobs")
    echo "fuzz/$t: fuzzing for ${secs}s ($jobs process(es)), log $log"
    local rc=0 work=$BUILD/work/$t
    mkdir -p "$work" && rm -f "$work"/fuzz-*.log
    # shellcheck disable=SC2086
    (cd "$work" && "$bin" -max_total_time="$secs" -timeout="$timeout" -rss_limit_mb=2560 \
        -print_final_stats=1 -artifact_prefix="$art" "${opts[@]}" ${FUZZ_ARGS:-} \
        "$corpus" "$seeds") >"$log" 2>&1 || rc=$?
    cat "$work"/fuzz-*.log >>"$log" 2>/dev/null || true # -jobs: one log per job
    local execs
    if [[ $t == results ]]; then # fork mode: "#EXECS: cov: ... time: Ns job: ..."
        execs=$(grep -E '^#[0-9]+: cov' "$log" | tail -1 | sed -E 's/^#([0-9]+):.*/\1/')
    else
        execs=$(grep -h 'stat::number_of_executed_units' "$log" | awk '{s += $2} END {print s + 0}')
    fi
    echo "fuzz/$t: ${execs:-0} executions in ${secs}s, corpus $(ls "$corpus" | wc -l) inputs"
    if [[ $t == results ]]; then
        triage "$bin" "$art" || { failed=1; return; }
    elif [[ $rc -ne 0 ]]; then
        grep -E -A30 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' "$log" | head -60
        echo "fuzz/$t: FAIL (exit $rc): crash input(s): $(ls "$art" | tr '\n' ' ')"
        failed=1
    fi
}

# triage BIN ARTIFACTS/: sort the results fuzzer's findings.  A crash or a
# time-out whose first frame in known code is inside libhdf5 is HDF5's own
# (results_read.c: it crashes, or loops, on some damaged files);
# it is replayed with the reader's fork on (FUZZ_RESULTS_ISOLATED=1), where
# it must become an answer, and moved to ARTIFACTS/hdf5/.  Out-of-memory
# inputs (HDF5 allocates what a damaged size field says) are replayed the
# same way.  Any other crash, leak or time-out is ours: fail.
triage() {
    local bin=$1 art=$2 a rep where kind n_hdf5=0 n_ours=0 n_slow=0
    mkdir -p "$art/hdf5"
    for a in "$art"crash-* "$art"oom-* "$art"leak-* "$art"timeout-* "$art"slow-unit-*; do
        [[ -e $a ]] || continue
        rep=$("$bin" -runs=1 -timeout=20 -rss_limit_mb=2560 "$a" 2>&1 || true)
        where=$(grep -m1 -E '^ +#[0-9]+ 0x[0-9a-f]+ in .*(libhdf5|/models/[^ ]+\.c:|/tests/fuzz/[^ ]+\.c:)' <<<"$rep" || true)
        kind=$(basename "$a" | cut -d- -f1)
        # a time-out whose replay ends (within -timeout=20) and reports
        # nothing was slow, not stuck: a damaged length of a variable-length
        # value makes HDF5 allocate and clear up to 4 GiB (results_read.c)
        if [[ $kind == timeout && -z $where ]] && ! grep -q 'ERROR:' <<<"$rep"; then
            n_slow=$((n_slow + 1))
            mkdir -p "$art/slow" && mv "$a" "$art/slow/"
            continue
        fi
        if [[ $kind == oom || ($kind =~ ^(crash|timeout)$ && $where == *libhdf5*) ]] &&
            FUZZ_RESULTS_ISOLATED=1 "$bin" -runs=1 -timeout=300 "$a" >"$a.isolated.log" 2>&1; then
            n_hdf5=$((n_hdf5 + 1))
            mv "$a" "$a.isolated.log" "$art/hdf5/"
        else
            n_ours=$((n_ours + 1))
            echo "fuzz/results: $a:"
            grep -E -A25 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' <<<"$rep" | head -40
        fi
    done
    echo "fuzz/results: $n_hdf5 crash(es) inside HDF5, answered \"damaged\" with the fork on" \
        "(inputs in $art""hdf5/); $n_slow slow input(s) that end when replayed ($art""slow/);" \
        "$n_ours in blockshift's code"
    if [[ $n_ours -gt 0 ]]; then
        echo "fuzz/results: FAIL: $n_ours crash(es) in our code (inputs above)"
        return 1
    fi
}

case $which in
all) fuzz config; fuzz results ;;
*) fuzz "$which" ;;
esac
exit $failed
