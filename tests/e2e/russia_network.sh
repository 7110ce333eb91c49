#!/usr/bin/env bash
# End-to-end: the Russian national network (configs/networks/russia.cfg) with
# the Russian population, apps, VPNs and censor.  A scenario in a temporary
# folder (s/) @includes them through a symlink configs -> SOURCE_DIR/configs:
#   - `blockshift check` accepts it (exit 0, nothing on stdout or stderr
#     that says "error");
#   - the network has the expected nodes (one access node per region and
#     ISP of the population) and links;
#   - a run at --scale 146000 succeeds and writes its results;
#   - cutting the only link of one access node (by --set, and by editing a
#     copy of the network) is reported: "node '...' cannot be reached".
#   bash tests/e2e/russia_network.sh BLOCKSHIFT_BIN SOURCE_DIR
set -uo pipefail

bin=${1:?usage: russia_network.sh BLOCKSHIFT_BIN SOURCE_DIR}
src=${2:?usage: russia_network.sh BLOCKSHIFT_BIN SOURCE_DIR}
[[ $bin = /* ]] || bin=$PWD/$bin
src=$(cd "$src" && pwd) || exit 1
net=$src/configs/networks/russia.cfg

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bs-russia-net.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
ln -s "$src/configs" "$tmp/configs"
mkdir -p "$tmp/s"

pass=0
fail=0
ok() { pass=$((pass + 1)); printf 'ok   %s\n' "$1"; }
ko() { # NAME PROBLEM [FILE...]: the files are shown (stderr, stdout)
    local name=$1 problem=$2 f
    shift 2
    fail=$((fail + 1))
    printf 'FAIL %s\n     - %s\n' "$name" "$problem"
    for f in "$@"; do
        [[ -s $f ]] && head -c 3000 "$f" | sed 's/^/     | /'
    done
}

# scenario FILE NETWORK_INCLUDE: the standard includes, then the network,
# then the scenario group and events of scenarios/no-block.cfg
scenario() {
    {
        printf '@include "../configs/%s"\n' populations/russia.cfg apps/russia-2025.cfg \
            vpn/protocols.cfg censor/tspu.cfg
        printf '@include "%s"\n' "$2"
        # everything of no-block.cfg but its own @includes
        grep -v '^@include' "$src/scenarios/no-block.cfg"
    } >"$1"
}
scen=$tmp/s/russia-net.cfg
scenario "$scen" ../configs/networks/russia.cfg

# --- 1. check accepts it -----------------------------------------------------
(cd "$tmp/s" && "$bin" check "$scen") >"$tmp/out" 2>"$tmp/err"
rc=$?
if [[ $rc -ne 0 ]]; then
    ko "check accepts the scenario" "exit $rc, expected 0" "$tmp/err" "$tmp/out"
elif grep -qi 'error' "$tmp/err" "$tmp/out"; then
    ko "check accepts the scenario" "exit 0 but an error is reported" "$tmp/err" "$tmp/out"
else
    ok "check accepts the scenario"
fi

# --- 2. the network's shape ----------------------------------------------------
# Count nodes by kind and links by class in the file (one per line).
count() { grep -cE "$1" "$net"; }
n_nodes=$(count '^\s*\{ name = "[^"]+"; +kind = ')
n_links=$(count '^\s*\{ from = ')
n_access=$(count 'kind = "access"')
n_metro=$(count 'kind = "metro"')
n_core=$(count 'kind = "core"')
n_ixp=$(count 'kind = "ixp"')
n_border=$(count 'kind = "border"')
n_fdc=$(count 'kind = "foreign_dc"')
n_ddc=$(count 'kind = "domestic_dc"')
n_vpn=$(count 'kind = "vpn_exit"')
shape="nodes $n_nodes (access $n_access, metro $n_metro, core $n_core, ixp $n_ixp,"
shape+=" border $n_border, foreign_dc $n_fdc, domestic_dc $n_ddc, vpn_exit $n_vpn), links $n_links"
sum=$((n_access + n_metro + n_core + n_ixp + n_border + n_fdc + n_ddc + n_vpn))
if [[ $n_access -eq 20 && $n_metro -eq 10 && $n_core -ge 3 && $n_ixp -ge 2 && $n_border -ge 2 &&
    $n_fdc -ge 1 && $n_ddc -ge 1 && $n_vpn -ge 1 && $sum -eq $n_nodes && $n_links -ge $((n_nodes - 1)) ]]; then
    ok "network shape: $shape"
else
    ko "network shape" "unexpected counts: $shape"
fi
# Every (region, ISP) of the population has its access node; the check
# (part 1) verifies the converse and the names.
missing=""
while read -r region; do
    for isp in mobile fixed; do
        grep -qE "region = \"$region\"; +isp = \"$isp\"" "$net" || missing+=" $region/$isp"
    done
done < <(sed -nE 's/^\s*\{ name = "([^"]+)";\s+population = .*/\1/p' "$src/configs/populations/russia.cfg")
if [[ -z $missing ]]; then
    ok "an access node for every region and ISP"
else
    ko "an access node for every region and ISP" "missing:$missing"
fi

# --- 3. a run succeeds ---------------------------------------------------------
(cd "$tmp/s" && "$bin" run "$scen" --scale 146000 -o "$tmp/out-run" --quiet) >"$tmp/out" 2>"$tmp/err"
rc=$?
if [[ $rc -ne 0 ]]; then
    ko "run --scale 146000" "exit $rc, expected 0" "$tmp/err" "$tmp/out"
elif [[ -z $(find "$tmp/out-run" -type f -name '*.h5' 2>/dev/null) ]]; then
    ko "run --scale 146000" "no results file (*.h5) in the -o folder" "$tmp/err"
else
    ok "run --scale 146000 writes its results"
fi

# --- 4. a node cut off is reported ---------------------------------------------
# The victim: the access node moscow-fixed, whose only link is to moscow-metro.
victim=moscow-fixed
# (a) by --set: point that link's "from" at the other Moscow access node, so
# the link now joins moscow-mobile and moscow-metro and moscow-fixed has none.
k=$(awk '/^[ \t]*links = \(/ { on = 1; n = 0; next }
         on && /^[ \t]*\{ from = / { if ($0 ~ "from = \"'$victim'\";") { print n; exit } n++ }' "$net")
if [[ -z $k ]]; then
    ko "cut link by --set" "no link from $victim in $net"
else
    (cd "$tmp/s" && "$bin" check "$scen" --set "network.links.[$k].from=moscow-mobile") \
        >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [[ $rc -ne 2 ]]; then
        ko "cut link by --set (links.[$k])" "exit $rc, expected 2" "$tmp/err" "$tmp/out"
    elif ! grep -q "node '$victim' cannot be reached" "$tmp/err"; then
        ko "cut link by --set (links.[$k])" "no \"node '$victim' cannot be reached\"" "$tmp/err"
    elif [[ $(grep -c 'cannot be reached' "$tmp/err") -ne 1 ]]; then
        ko "cut link by --set (links.[$k])" "other nodes reported unreachable too" "$tmp/err"
    else
        ok "cut link by --set (links.[$k]) is reported"
    fi
fi
# (b) by editing a copy of the network: delete that link's line.
mkdir -p "$tmp/s/cut"
grep -v "from = \"$victim\";" "$net" >"$tmp/s/cut/russia-cut.cfg"
scenario "$tmp/s/cut.cfg" cut/russia-cut.cfg
(cd "$tmp/s" && "$bin" check "$tmp/s/cut.cfg") >"$tmp/out" 2>"$tmp/err"
rc=$?
if [[ $rc -ne 2 ]]; then
    ko "cut link in a copy" "exit $rc, expected 2" "$tmp/err" "$tmp/out"
elif ! grep -q "node '$victim' cannot be reached" "$tmp/err"; then
    ko "cut link in a copy" "no \"node '$victim' cannot be reached\"" "$tmp/err"
else
    ok "cut link in a copy is reported"
fi
# (c) and a run refuses it too (bad input: exit 2, no results).
(cd "$tmp/s" && "$bin" run "$tmp/s/cut.cfg" --scale 146000 -o "$tmp/out-cut" --quiet) \
    >"$tmp/out" 2>"$tmp/err"
rc=$?
if [[ $rc -ne 2 ]]; then
    ko "run refuses the cut network" "exit $rc, expected 2" "$tmp/err" "$tmp/out"
elif [[ -n $(find "$tmp/out-cut" -type f 2>/dev/null) ]]; then
    ko "run refuses the cut network" "files written in the -o folder" "$tmp/err"
else
    ok "run refuses the cut network"
fi

printf '%d passed, %d failed\n' "$pass" "$fail"
[[ $fail -eq 0 ]]
