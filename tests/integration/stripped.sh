#!/bin/bash
# Stripped images boot. A Makefile project written as upstream ones are
# (programs/upstream: its own archive, -lm, -lcrypt, -pthread) is built with
# `make CC=hut-cc LDFLAGS=-s`, with a distribution's link flags, and plainly
# and then stripped by strip, strip --strip-debug, strip --strip-all and
# objcopy --strip-debug. Each image must print what the same project built
# with gcc and glibc prints, as a process and as an appliance. A stripped
# image with one changed loaded byte is still refused.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

HUT_CC=$BIN/hut-cc
UPSTREAM=$ROOT/tests/integration/programs/upstream
ARGS=(a bb cccc) # the program exits 3: one per argument

# build_upstream DIR MAKE-ARGS...: a fresh copy of the project built in DIR.
build_upstream() {
	local dir=$1
	shift
	rm -rf "$dir"
	cp -r "$UPSTREAM" "$dir"
	make -C "$dir" "$@" >"$dir.log" 2>&1
}

# has_section IMAGE ERE: a section whose name matches.
has_section() {
	readelf -SW "$1" 2>/dev/null | grep -Eq "\] ($2) "
}

# image_valid IMAGE: hut inspect accepts it, checksum and all.
image_valid() {
	run inspect "$HUT" inspect "$1"
	expect_status inspect 0
	expect_grep "hut inspect does not call it valid" '^valid: *yes' "$(out inspect)"
	expect_grep "the CRC does not match" '^crc32: .*: ok$' "$(out inspect)"
}

build_upstream "$TMP/ref" CC=gcc || echo "reference build failed: see $TMP/ref.log" >&2
REF=$TMP/ref/upstream
[ -x "$REF" ] || REF=-

# --- make CC=hut-cc LDFLAGS=-s --------------------------------------------------
begin "make CC=hut-cc LDFLAGS=-s builds a stripped, valid image"
if ready "$HUT_CC"; then
	build_upstream "$TMP/s" CC="$HUT_CC" LDFLAGS=-s ||
		{ problem "make failed"; detail_file make "$TMP/s.log"; }
	if need_file "$TMP/s/upstream"; then
		image_valid "$TMP/s/upstream"
		has_section "$TMP/s/upstream" '\.symtab|\.debug_.*' && problem "not stripped"
	fi
	finish
fi
differential "upstream, LDFLAGS=-s" "$TMP/s/upstream" "$REF" 3 "${ARGS[@]}"
differential "upstream, LDFLAGS=-s, no arguments" "$TMP/s/upstream" "$REF" 0

# The flags Debian's packages link with, and section garbage collection,
# which must not collect the libos's entry points.
DISTRO_LDFLAGS="-Wl,-z,relro -Wl,-z,now -Wl,--as-needed -Wl,-O1 -Wl,--gc-sections -s"
begin "make CC=hut-cc with a distribution's CFLAGS and LDFLAGS"
if ready "$HUT_CC"; then
	build_upstream "$TMP/d" CC="$HUT_CC" \
		CFLAGS="-O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2 -ffunction-sections -fdata-sections" \
		LDFLAGS="$DISTRO_LDFLAGS" || { problem "make failed"; detail_file make "$TMP/d.log"; }
	need_file "$TMP/d/upstream" && image_valid "$TMP/d/upstream"
	finish
fi
differential "upstream, distribution flags" "$TMP/d/upstream" "$REF" 3 "${ARGS[@]}"

# --- strip after the build ----------------------------------------------------------
begin "make CC=hut-cc (with -g), to be stripped afterwards"
if ready "$HUT_CC"; then
	build_upstream "$TMP/g" CC="$HUT_CC" || { problem "make failed"; detail_file make "$TMP/g.log"; }
	if need_file "$TMP/g/upstream"; then
		has_section "$TMP/g/upstream" '\.symtab' || problem "no symbol table"
		has_section "$TMP/g/upstream" '\.debug_info' || problem "no debug information"
	fi
	finish
fi
n=0
for how in "strip" "strip --strip-debug" "strip --strip-all" "objcopy --strip-debug"; do
	n=$((n + 1))
	image=$TMP/stripped-$n.hut
	begin "$how: the image stays valid"
	if ready "$TMP/g/upstream"; then
		cp "$TMP/g/upstream" "$image"
		# shellcheck disable=SC2086 # the command and its option
		$how "$image" 2>"$TMP/strip.err" || { problem "$how failed"; detail_file "$how" "$TMP/strip.err"; }
		cmp -s "$TMP/g/upstream" "$image" && problem "$how changed nothing"
		has_section "$image" '\.debug_info' && problem "debug information left"
		image_valid "$image"
		finish
	fi
	differential "upstream after $how" "$image" "$REF" 3 "${ARGS[@]}"
done

# --- a stripped image is still checked ----------------------------------------------
# refused_image NAME IMAGE: the monitor refuses it as corrupt (126, one line)
# and hut inspect says the CRC is BAD.
refused_image() {
	begin "$1"
	if ready "$2"; then
		run appl "$MONITOR" "$2" "${ARGS[@]}"
		expect_monitor_error appl 126
		expect_grep "the monitor does not say checksum" 'checksum mismatch' "$(err appl)"
		run inspect "$HUT" inspect "$2"
		expect_status inspect 126
		expect_grep "hut inspect does not say BAD" '^crc32: .*: BAD$' "$(out inspect)"
		finish
	fi
}
if [ -f "$TMP/s/upstream" ]; then
	cp "$TMP/s/upstream" "$TMP/code.hut"
	flip_byte "$TMP/code.hut" "$(text_offset "$TMP/code.hut")"
	cp "$TMP/s/upstream" "$TMP/entry.hut"
	flip_byte "$TMP/entry.hut" 24 # e_entry's low byte: the header is covered, but for the section table
fi
refused_image "a stripped image with a changed byte of code is refused" "$TMP/code.hut"
refused_image "a stripped image with a changed e_entry is refused" "$TMP/entry.hut"

exit 0
