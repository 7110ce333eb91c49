#!/usr/bin/env bash
# End-to-end: the parameter reference.  `blockshift params --markdown` must
# match the committed configs/PARAMETERS.md (models/README.md, section 9),
# and `blockshift params` must list every parameter.
#   bash tests/e2e/params_doc.sh BLOCKSHIFT_BIN SOURCE_DIR
# After changing the schema, regenerate the reference with
#   build/blockshift params --markdown > configs/PARAMETERS.md
set -uo pipefail

bin=${1:?usage: params_doc.sh BLOCKSHIFT_BIN SOURCE_DIR}
src=${2:?usage: params_doc.sh BLOCKSHIFT_BIN SOURCE_DIR}
doc=$src/configs/PARAMETERS.md
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bs-params-doc.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$1"; }
no() {
    fail=$((fail + 1))
    printf 'FAIL %s\n' "$1"
    [[ $# -gt 1 ]] && printf '%s\n' "$2" | head -100 | sed 's/^/     | /'
}
# run NAME ARGS...: stdout to $tmp/NAME.out, stderr to $tmp/NAME.err, status in $rc
run() {
    local name=$1
    shift
    rc=0
    "$bin" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null || rc=$?
}

# --- plain listing
run plain params
if ((rc == 0)); then ok "params exits 0"; else no "params exits $rc, expected 0" "$(cat "$tmp/plain.err")"; fi
if grep -qF 'population.scale' "$tmp/plain.out"; then
    ok "params mentions population.scale"
else
    no "params does not mention population.scale" "$(head -20 "$tmp/plain.out")"
fi
if [[ ! -s $tmp/plain.err ]]; then ok "params writes nothing to stderr"; else no "params writes to stderr" "$(cat "$tmp/plain.err")"; fi

# --- markdown reference
run md params --markdown
if ((rc == 0)); then ok "params --markdown exits 0"; else no "params --markdown exits $rc, expected 0" "$(cat "$tmp/md.err")"; fi
if [[ -s $tmp/md.out ]] && grep -qF 'population.scale' "$tmp/md.out"; then
    ok "params --markdown lists population.scale"
else
    no "params --markdown output is empty or lacks population.scale"
fi
run md2 params --markdown
if cmp -s "$tmp/md.out" "$tmp/md2.out"; then
    ok "params --markdown is the same on every call"
else
    no "params --markdown differs between two calls" "$(diff "$tmp/md.out" "$tmp/md2.out")"
fi

if [[ ! -f $doc ]]; then
    no "configs/PARAMETERS.md is missing (generate it: build/blockshift params --markdown > configs/PARAMETERS.md)"
elif d=$(diff -u --label configs/PARAMETERS.md --label 'blockshift params --markdown' "$doc" "$tmp/md.out"); then
    ok "configs/PARAMETERS.md matches blockshift params --markdown"
else
    no "configs/PARAMETERS.md differs from blockshift params --markdown (regenerate it: build/blockshift params --markdown > configs/PARAMETERS.md)" "$d"
fi

# --- every parameter of the plain listing is in the reference, as a table
# row or (for a top-level group) a heading
missing=$(awk '/^[a-z]/ && $1 != "parameter" { print $1 }' "$tmp/plain.out" | while read -r p; do
    grep -qF -- "| \`$p\` |" "$tmp/md.out" || grep -qx -- "## $p" "$tmp/md.out" || echo "$p"
done)
count=$(grep -cE '^[a-z]' "$tmp/plain.out")
if [[ -z $missing && $count -gt 50 ]]; then
    ok "every parameter of params ($((count - 1))) is in params --markdown"
else
    no "params --markdown lacks parameters that params lists ($count lines)" "$missing"
fi

printf '%d passed, %d failed\n' "$pass" "$fail"
[[ $fail -eq 0 ]]
