#!/usr/bin/env bash
# The optional parts of a build (./waf configure --without-ns3 / --without-mpi):
# `blockshift --version` says which are built, and a command that needs a part
# this build lacks says so plainly and exits 2, making nothing.
# usage: optional_parts.sh BLOCKSHIFT_BIN SOURCE_DIR
set -uo pipefail
bin=$(readlink -f "$1") src=$(readlink -f "$2")
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
v=$("$bin" --version)
check "--version names the packet engine's state" '[[ $v == *"packet engine (ns-3, blockshift testbed): "* ]]'
check "--version names MPI's state" '[[ $v == *"MPI (blockshift sweep --mpi): "* ]]'
if [[ $v == *"packet engine (ns-3, blockshift testbed): built"* ]]; then
    "$bin" testbed --help >/dev/null 2>&1; rc=$?
    check "with ns-3: testbed --help exits 0" '[[ $rc == 0 ]]'
else
    err=$(cd "$tmp" && "$bin" testbed "$src/scenarios/no-block.cfg" -o out 2>&1); rc=$?
    check "without ns-3: testbed exits 2" '[[ $rc == 2 ]]'
    check "without ns-3: testbed says this build lacks it" '[[ $err == *"this build has no packet engine"* ]]'
    check "without ns-3: testbed makes nothing" '[[ ! -e $tmp/out ]]'
fi
if [[ $v == *"MPI (blockshift sweep --mpi): built"* ]]; then
    "$bin" sweep --help >/dev/null 2>&1; rc=$?
    check "with MPI: sweep --help exits 0" '[[ $rc == 0 ]]'
else
    err=$(cd "$tmp" && "$bin" sweep "$src/configs/sweeps/retry-bass.cfg" --mpi -o out 2>&1); rc=$?
    check "without MPI: sweep --mpi exits 2" '[[ $rc == 2 ]]'
    check "without MPI: sweep --mpi says this build lacks it" '[[ $err == *"this build has no MPI"* ]]'
    check "without MPI: sweep --mpi makes nothing" '[[ ! -e $tmp/out ]]'
fi
echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
