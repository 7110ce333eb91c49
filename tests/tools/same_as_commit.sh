#!/usr/bin/env bash
# same_as_commit.sh REV [SCENARIO...]: whether this tree gives the same results
# as commit REV, bit for bit, on the shipped scenarios (or those named).
#
# Builds REV in a temporary worktree (Release, its own build folder) and this
# tree with ./waf build, runs each scenario with both binaries (seed 1, run 0)
# and compares every dataset and attribute with same_results.py.  Exit 0 when
# all are identical, 1 when any differs, 2 on bad input.
set -euo pipefail
root=$(cd -- "$(dirname -- "$(readlink -f -- "$0")")/../.." && pwd -P)
rev=${1:?usage: same_as_commit.sh REV [SCENARIO...]}
shift
git -C "$root" rev-parse --verify -q "$rev^{commit}" >/dev/null || { echo "same_as_commit: no commit $rev" >&2; exit 2; }
scenarios=("$@")
[[ ${#scenarios[@]} -gt 0 ]] || for f in "$root"/scenarios/*.cfg; do scenarios+=("$(basename "$f" .cfg)"); done
tmp=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$tmp/old" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git -C "$root" worktree add -q --detach "$tmp/old" "$rev"
cmake -S "$tmp/old" -B "$tmp/old-build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$tmp/old-build" -j"$(nproc)" --target blockshift >/dev/null
old=$(find "$tmp/old-build" -name blockshift -type f -perm -u+x | head -1)
WAF_SKIP_DEPS=${WAF_SKIP_DEPS:-1} "$root/waf" build >/dev/null
new="$root/build/blockshift"
rc=0
for s in "${scenarios[@]}"; do
    cfg="$root/scenarios/$s.cfg"
    (cd "$tmp/old" && "$old" run "scenarios/$s.cfg" -o "$tmp/a/$s" --quiet)
    (cd "$root" && "$new" run "$cfg" -o "$tmp/b/$s" --quiet)
    echo "== $s"
    /usr/bin/python3 "$root/tests/tools/same_results.py" "$tmp/a/$s"/*.h5 "$tmp/b/$s"/*.h5 | tail -5 || rc=1
done
exit $rc
