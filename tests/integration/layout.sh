#!/bin/bash
# The layout the README and docs/ARCHITECTURE.md describe is the tree's:
# each folder depends only on the folders it may (scripts/check-deps.sh, by
# #include lines and by symbols), nothing depends in a circle, and the
# README's Layout block names every top-level folder that exists, and only
# those. Needs the objects `make` and the unit tests build.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

begin "layout: folders depend one way, no cycles (scripts/check-deps.sh)"
run deps "$ROOT/scripts/check-deps.sh" "$ROOT/build"
expect_status deps 0
detail_file "check-deps" "$(out deps)"
finish

# The first word of each line of the fenced block under "## Layout" that
# names a folder (ends in /).
layout_folders() {
	awk '/^## Layout/ {on = 1; next} on && /^```/ {n++; if (n == 2) exit; next}
		on && n == 1 && $1 ~ /\/$/ {print $1}' "$1" | sort -u
}

begin "layout: README's Layout block names exactly the tree's folders"
layout_folders "$ROOT/README.md" >"$TMP/listed"
(cd "$ROOT" && git ls-files 2>/dev/null | awk -F/ 'NF > 1 && $1 !~ /^\./ {print $1 "/"}' |
	sort -u) >"$TMP/tree"
if [ ! -s "$TMP/tree" ]; then
	skip "$TEST_NAME" "not a git checkout"
else
	while read -r d; do
		[ -d "$ROOT/$d" ] || problem "README lists $d, which does not exist"
	done <"$TMP/listed"
	while read -r d; do
		grep -qxF "$d" "$TMP/listed" || problem "$d is not in README's Layout block"
	done <"$TMP/tree"
	finish
fi
