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

# A tree with a planted fault: the same script, copied beside a few small
# files whose objects call each other, must name the fault and fail; the
# same files without it pass. So the check above cannot pass by seeing
# nothing.
planted_tree() {
	local t=$TMP/planted
	rm -rf "$t" && mkdir -p "$t/scripts" "$t/libos/base" "$t/libos/proc"
	cp "$ROOT/scripts/check-deps.sh" "$t/scripts/"
	echo 'void hut_b(void); void hut_a(void) { hut_b(); }' >"$t/libos/base/a.c"
	echo 'void hut_b(void) {}' >"$t/libos/base/b.c"
	echo 'void hut_a(void); void hut_p(void) { hut_a(); }' >"$t/libos/proc/p.c"
	[ "$1" = cycle ] && echo 'void hut_a(void); void hut_b(void) { hut_a(); }' >"$t/libos/base/b.c"
	[ "$1" = upward ] && echo 'void hut_p(void); void hut_b(void) { hut_p(); }' >"$t/libos/base/b.c"
	for f in libos/base/a libos/base/b libos/proc/p; do
		mkdir -p "$t/build/obj/$(dirname $f)"
		gcc -c -o "$t/build/obj/$f.o" "$t/$f.c" || return 1
	done
	echo "$t"
}

begin "layout: check-deps passes a clean planted tree"
t=$(planted_tree clean) || problem "could not build the planted tree"
run clean "$t/scripts/check-deps.sh" "$t/build"
expect_status clean 0
expect_grep "the summary counts base's files and edge" "libos/base/ +2 files, +0 #include and +1 symbol edges inside, 0 cycles" "$(out clean)"
finish

begin "layout: check-deps fails on a cycle planted in the libos, naming its files"
t=$(planted_tree cycle) || problem "could not build the planted tree"
run cycle "$t/scripts/check-deps.sh" "$t/build"
expect_status cycle 1
expect_grep "the cycle named with both files" "a cycle in the calls, 2 files depend on each other: .*libos/base/[ab] .*libos/base/[ab]" "$(out cycle)"
finish

begin "layout: check-deps fails on a call up the libos's layers (base calling proc)"
t=$(planted_tree upward) || problem "could not build the planted tree"
run upward "$t/scripts/check-deps.sh" "$t/build"
expect_status upward 1
expect_grep "the upward call named" "libos/base/b uses libos/proc/p \\(libos/base/ may not depend on libos/proc/" "$(out upward)"
finish
