#!/bin/bash
# Stripped images boot. A Makefile project written as upstream ones are
# (programs/upstream: its own archive, -lm, -lcrypt, -pthread), built on the
# host by programs/programs.mk with `make CC=hut-cc LDFLAGS=-s`, with a
# distribution's flags, and with -g and then stripped by strip, strip
# --strip-debug, strip --strip-all and objcopy --strip-debug: each image
# must be valid and print what the project built with gcc and glibc prints,
# as a process and as an appliance. A stripped image with one changed loaded
# byte is still refused. (hut-cc.sh checks the same make on the host.)
# hut-test: needs-kvm (differential boots the images)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

PROGS=$ROOT/build/tests/programs # built by programs/programs.mk
ARGS=(a bb cccc) # the program exits 3: one per argument

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

REF=$PROGS/upstream-ref/upstream
begin "the reference: the project built with gcc and glibc"
ready "$REF" && finish
[ -x "$REF" ] || REF=-

# stripped_image NAME IMAGE SYMBOLS: a stripped image (no debug information;
# a symbol table only if SYMBOLS is "kept"), valid, that prints what the
# glibc build prints, as a process and as an appliance.
stripped_image() {
	begin "$1: stripped and valid"
	if ready "$2"; then
		has_section "$2" '\.debug_.*' && problem "debug information left"
		if [ "$3" = kept ]; then
			has_section "$2" '\.symtab' || problem "the symbol table went too"
		else
			has_section "$2" '\.symtab' && problem "the symbol table is left"
		fi
		image_valid "$2"
		if [ "$3" = kept ]; then
			expect_grep "inspect does not see the symbols" '^symbols: *yes$' "$(out inspect)"
		else
			expect_grep "inspect does not say it is stripped" '^symbols: *none \(stripped' "$(out inspect)"
		fi
		finish
	fi
	differential "$1" "$2" "$REF" 3 "${ARGS[@]}"
}

stripped_image "upstream: make CC=hut-cc LDFLAGS=-s" "$PROGS/upstream-s/upstream" gone
differential "upstream: make CC=hut-cc LDFLAGS=-s, no arguments" "$PROGS/upstream-s/upstream" "$REF" 0
# The flags Debian's packages build with, section garbage collection (which
# must not collect the libos's entry points) and -s.
stripped_image "upstream: make CC=hut-cc with a distribution's flags" \
	"$PROGS/upstream-distro/upstream" gone

# Built with -g, then stripped afterwards.
stripped_image "upstream: strip" "$PROGS/upstream-strip.hut" gone
stripped_image "upstream: strip --strip-debug" "$PROGS/upstream-strip-debug.hut" kept
stripped_image "upstream: strip --strip-all" "$PROGS/upstream-strip-all.hut" gone
stripped_image "upstream: objcopy --strip-debug" "$PROGS/upstream-objcopy.hut" kept

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
if [ -f "$PROGS/upstream-s/upstream" ]; then
	cp "$PROGS/upstream-s/upstream" "$TMP/code.hut"
	flip_byte "$TMP/code.hut" "$(text_offset "$TMP/code.hut")"
	cp "$PROGS/upstream-s/upstream" "$TMP/entry.hut"
	flip_byte "$TMP/entry.hut" 24 # e_entry's low byte: the header is covered, but for the section table
fi
refused_image "a stripped image with a changed byte of code is refused" "$TMP/code.hut"
refused_image "a stripped image with a changed e_entry is refused" "$TMP/entry.hut"

exit 0
