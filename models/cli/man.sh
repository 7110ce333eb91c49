#!/usr/bin/env bash
# The man page, generated from the command's own help text (help2man):
# `blockshift --help` and `--version` make the page; every command's
# `blockshift COMMAND --help` becomes a section of it.
# usage: man.sh BLOCKSHIFT OUT.1
set -euo pipefail
bin=$1 out=$2
inc=$(mktemp)
trap 'rm -f "$inc"' EXIT
{
    printf '[COMMANDS]\n'
    for cmd in run check params info plot compare reproduce sweep testbed; do
        printf '.SS %s\n.nf\n' "$cmd"
        # troff: a leading . or ' starts a request, a backslash an escape.
        "$bin" "$cmd" --help 2>&1 | sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"
        printf '.fi\n'
    done
    printf '[ENVIRONMENT]\n'
    printf '.TP\n.B BLOCKSHIFT_PATH\nFolders (colon-separated) searched for a scenario given by name (NAME.cfg or scenarios/NAME.cfg), before the installed share folder.\n'
    printf '.TP\n.B BLOCKSHIFT_LOG\nLog levels per part, e.g. population=info,config=debug.\n'
    printf '[FILES]\n'
    printf '.TP\n.I PREFIX/share/blockshift/\nThe shipped scenarios (scenarios/), configurations (configs/) and the calibration table (configs/calibration/).\n'
} >"$inc"
help2man --no-info --no-discard-stderr --section=1 \
    --name="a simulator of messaging apps under state censorship" \
    --include="$inc" --output="$out.tmp" "$bin"
mv -f "$out.tmp" "$out"
