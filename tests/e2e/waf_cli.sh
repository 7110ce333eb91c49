#!/usr/bin/env bash
# End-to-end: the ./waf front-end's command line (usage, bad commands,
# dependency list, unknown scenario).  None of these checks builds anything.
#   bash tests/e2e/waf_cli.sh BLOCKSHIFT_BIN SOURCE_DIR
set -uo pipefail

src=${2:?usage: waf_cli.sh BLOCKSHIFT_BIN SOURCE_DIR}
waf="$src/waf"
pass=0
fail=0
out=""
rc=0

ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$1"; }
no() {
    fail=$((fail + 1))
    printf 'FAIL %s\n' "$1"
    printf '%s\n' "$out" | sed 's/^/     | /'
}
# run_waf ARGS...: capture stdout+stderr in $out and the status in $rc
run_waf() {
    rc=0
    out=$(cd "$src" && WAF_SKIP_DEPS=1 "$waf" "$@" 2>&1 </dev/null) || rc=$?
}
expect_rc() { # NAME WANT
    if [[ $rc -eq $2 ]]; then ok "$1: exit $2"; else no "$1: exit $rc, expected $2"; fi
}
expect_out() { # NAME TEXT
    if grep -qF -- "$2" <<<"$out"; then ok "$1: mentions '$2'"; else no "$1: does not mention '$2'"; fi
}

if [[ -x "$waf" ]]; then ok "./waf exists and is executable"; else out=""; no "./waf missing or not executable"; fi

run_waf --help
expect_rc "waf --help" 0
for c in run --run test configure build clean install deps; do expect_out "waf --help" "$c"; done

run_waf help
expect_rc "waf help" 0

run_waf
expect_rc "waf (no arguments)" 0
expect_out "waf (no arguments)" "usage"

run_waf bogus
expect_rc "waf bogus" 2
expect_out "waf bogus" "unknown command"

run_waf deps --print
expect_rc "waf deps --print" 0
expect_out "waf deps --print" "libgsl-dev"
expect_out "waf deps --print" "libcmocka-dev"

run_waf run no-such-scenario
expect_rc "waf run no-such-scenario" 2
expect_out "waf run no-such-scenario" "available scenarios"
for f in "$src"/scenarios/*.cfg; do
    [[ -e "$f" ]] || continue
    f=${f##*/}
    expect_out "waf run no-such-scenario" "${f%.cfg}"
done

run_waf --run no-such-scenario
expect_rc "waf --run no-such-scenario" 2

run_waf configure --bogus
expect_rc "waf configure --bogus" 2

printf '%d passed, %d failed\n' "$pass" "$fail"
[[ $fail -eq 0 ]]
