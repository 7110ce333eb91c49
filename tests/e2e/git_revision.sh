#!/usr/bin/env bash
# End-to-end: the git revision recorded in results (BS_GIT_REVISION, root
# attribute git_revision, `blockshift --version`) says which tree was built.
#   bash tests/e2e/git_revision.sh BLOCKSHIFT_BIN SOURCE_DIR
#
# 1. models/base/git_revision.cmake on a scratch repository: a clean tree
#    gives the 12-digit HEAD; a changed tracked file "-dirty"; a new file
#    git does not ignore "-dirty"; an ignored one not; a commit the new HEAD;
#    run twice on the same tree it does not rewrite the header (its time
#    stays), so an unchanged tree recompiles nothing; outside a repository
#    "unknown".
# 2. The binary: `blockshift --version` names the source tree's HEAD, with
#    "-dirty" exactly when `git status --porcelain` lists something.  The
#    build refreshes it (target bs_git_revision), so this holds after any
#    build, not only after cmake's configure step.
# Exit 77 (skipped) without git or outside a checkout.
set -uo pipefail
bin=${1:?usage: git_revision.sh BLOCKSHIFT_BIN SOURCE_DIR}
src=${2:?usage: git_revision.sh BLOCKSHIFT_BIN SOURCE_DIR}
src=$(cd "$src" && pwd) || exit 1
command -v git >/dev/null || { echo "skip: no git"; exit 77; }
command -v cmake >/dev/null || { echo "skip: no cmake"; exit 77; }
git -C "$src" rev-parse HEAD >/dev/null 2>&1 || { echo "skip: $src is not a git checkout"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bs-git-rev.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # OK-STATUS WHAT
    if [[ $1 == 0 ]]; then pass=$((pass + 1)); echo "ok   $2"; else fail=$((fail + 1)); echo "FAIL $2"; fi
}
script=$src/models/base/git_revision.cmake
out=$tmp/git_revision.h
rev_of() { # the revision the script writes for the repository $1
    cmake -DSOURCE_DIR="$1" -DOUT="$out" -P "$script" >/dev/null 2>&1
    sed -n 's/^#define BS_GIT_REVISION "\(.*\)"$/\1/p' "$out"
}

repo=$tmp/repo
mkdir -p "$repo"
git -C "$repo" init -q
git -C "$repo" config user.email t@example.org
git -C "$repo" config user.name test
echo one >"$repo/a.c"
echo '/build/' >"$repo/.gitignore"
git -C "$repo" add a.c .gitignore
git -C "$repo" commit -qm one
head1=$(git -C "$repo" rev-parse --short=12 HEAD)
r=$(rev_of "$repo")
[[ $r == "$head1" ]]; check $? "clean tree: '$r' is HEAD $head1"
t1=$(stat -c %Y.%s "$out")
sleep 1.1
r=$(rev_of "$repo")
t2=$(stat -c %Y.%s "$out")
[[ $r == "$head1" && $t1 == "$t2" ]]; check $? "same tree again: header not rewritten ($t1 / $t2)"
echo two >"$repo/a.c"
r=$(rev_of "$repo")
[[ $r == "$head1-dirty" ]]; check $? "changed tracked file: '$r' is $head1-dirty"
git -C "$repo" checkout -q a.c
mkdir -p "$repo/build"
echo x >"$repo/build/obj.o"
r=$(rev_of "$repo")
[[ $r == "$head1" ]]; check $? "an ignored file only: '$r' is $head1"
echo new >"$repo/b.c"
r=$(rev_of "$repo")
[[ $r == "$head1-dirty" ]]; check $? "a new file not ignored: '$r' is $head1-dirty"
git -C "$repo" add b.c
git -C "$repo" commit -qm two
head2=$(git -C "$repo" rev-parse --short=12 HEAD)
r=$(rev_of "$repo")
[[ $r == "$head2" && $head2 != "$head1" ]]; check $? "after a commit: '$r' is the new HEAD $head2"
mkdir -p "$tmp/plain"
r=$(rev_of "$tmp/plain")
[[ $r == unknown ]]; check $? "outside a repository: '$r' is unknown"

want=$(git -C "$src" rev-parse --short=12 HEAD)
[[ -n $(git -C "$src" status --porcelain) ]] && want=$want-dirty
got=$("$bin" --version | sed -n 's/.*(git \([^,]*\),.*/\1/p')
[[ $got == "$want" ]]
check $? "blockshift --version says git $got; the source tree is $want (rebuild if it changed since)"

printf '%d passed, %d failed\n' "$pass" "$fail"
((fail == 0))
