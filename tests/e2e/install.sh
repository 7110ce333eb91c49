#!/usr/bin/env bash
# An install into an empty prefix, used from another folder (issue 16):
#   - `cmake --install BUILD --prefix P` (what `./waf install --prefix P` runs)
#     puts the command in P/bin, the shipped scenarios and configurations in
#     P/share/blockshift/, and the man page in P/share/man/man1;
#   - from an unrelated folder, `blockshift run NAME` runs a shipped scenario
#     by its name and writes its results there;
#   - BLOCKSHIFT_PATH is searched first (a scenario of the same name there
#     wins), NAME.cfg and scenarios/NAME.cfg in each of its folders;
#   - an unknown name exits 2 saying where it looked, and writes nothing;
#   - the man page holds every command's help.
# usage: install.sh BLOCKSHIFT_BIN SOURCE_DIR
set -uo pipefail
bin=$(readlink -f "$1") src=$(readlink -f "$2")
build=$(dirname "$bin")
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
p=$tmp/prefix
out=$(cmake --install "$build" --prefix "$p" 2>&1); rc=$?
[[ $rc == 0 ]] || echo "$out"
check "cmake --install into an empty prefix: exit 0" '[[ $rc == 0 ]]'
check "P/bin/blockshift" '[[ -x $p/bin/blockshift ]]'
check "P/share/blockshift/scenarios: the shipped scenarios" \
    '[[ -f $p/share/blockshift/scenarios/whatsapp-then-facetime.cfg && -f $p/share/blockshift/scenarios/no-block.cfg ]]'
check "P/share/blockshift/configs: their configurations and the calibration table" \
    '[[ -f $p/share/blockshift/configs/calibration/tspu.cfg && -f $p/share/blockshift/configs/populations/russia.cfg ]]'
check "P/share/man/man1/blockshift.1" '[[ -f $p/share/man/man1/blockshift.1 ]]'

mkdir -p "$tmp/work"
log=$(cd "$tmp/work" && env -u BLOCKSHIFT_PATH "$p/bin/blockshift" run whatsapp-then-facetime --scale 20000 --quiet 2>&1); rc=$?
[[ $rc == 0 ]] || echo "$log"
check "run by name from another folder: exit 0" '[[ $rc == 0 ]]'
check "its results in that folder's results/whatsapp-then-facetime/" \
    'compgen -G "$tmp/work/results/whatsapp-then-facetime/whatsapp-then-facetime-seed1-run*.h5" >/dev/null'
(cd "$tmp/work" && env -u BLOCKSHIFT_PATH "$p/bin/blockshift" check no-block.cfg >/dev/null 2>&1); rc=$?
check "check NAME.cfg by name: exit 0" '[[ $rc == 0 ]]'

# BLOCKSHIFT_PATH first: a broken no-block.cfg of the user's shadows the
# shipped one; a scenario of the user's in DIR/scenarios/ is found by name,
# and its @include lines name the shipped configurations as "configs/..."
# (found in the share folder, after BLOCKSHIFT_PATH) or by absolute path.
mkdir -p "$tmp/mine/scenarios"
printf 'scenario = { name = "no-block"; start = "2025-01-01"; end = "not a date"; };\n' >"$tmp/mine/no-block.cfg"
sed -e "s|\"\\.\\./configs/populations/|\"$p/share/blockshift/configs/populations/|" \
    -e 's|"\.\./configs/|"configs/|' -e 's/name = "no-block"/name = "mine"/' \
    "$p/share/blockshift/scenarios/no-block.cfg" >"$tmp/mine/scenarios/mine.cfg"
check "the user's scenario includes by absolute path and by the search path" \
    'grep -q "@include \"$p/share/blockshift/configs/populations/" "$tmp/mine/scenarios/mine.cfg" &&
     grep -q "@include \"configs/apps/" "$tmp/mine/scenarios/mine.cfg"'
err=$(cd "$tmp/work" && BLOCKSHIFT_PATH="$tmp/nothing:$tmp/mine" "$p/bin/blockshift" check no-block 2>&1); rc=$?
check "BLOCKSHIFT_PATH before the share folder: the user's broken no-block.cfg is the one read (exit 2)" \
    '[[ $rc == 2 && $err == *"$tmp/mine/no-block.cfg"* ]]'
err=$(cd "$tmp/work" && BLOCKSHIFT_PATH="$tmp/mine" "$p/bin/blockshift" check mine 2>&1); rc=$?
[[ $rc == 0 ]] || echo "$err"
check "BLOCKSHIFT_PATH: DIR/scenarios/NAME.cfg found by name, its @include files found (exit 0)" '[[ $rc == 0 ]]'

err=$(cd "$tmp/work" && BLOCKSHIFT_PATH="$tmp/mine" "$p/bin/blockshift" run no-such-scenario -o nothing 2>&1); rc=$?
check "an unknown name: exit 2" '[[ $rc == 2 ]]'
check "... saying where it looked" \
    '[[ $err == *"no-such-scenario"* && $err == *"$tmp/mine"* && $err == *"$p/share/blockshift/scenarios"* ]]'
check "... and writing nothing" '[[ ! -e $tmp/work/nothing ]]'

man1=$p/share/man/man1/blockshift.1
for cmd in run check params info plot compare reproduce sweep testbed; do
    check "man page: a section for $cmd" 'grep -qx ".SS $cmd" "$man1"'
done
check "man page: BLOCKSHIFT_PATH described" 'grep -q "BLOCKSHIFT_PATH" "$man1"'
if command -v man >/dev/null && command -v groff >/dev/null; then
    page=$(man -l "$man1" 2>/dev/null)
    check "man -l renders the page with the run command's options" '[[ $page == *"--scale X"* ]]'
fi
echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
