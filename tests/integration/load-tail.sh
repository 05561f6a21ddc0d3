#!/bin/bash
# How the monitor puts an image's segments into guest RAM (load.c): only a
# segment's file bytes are the guest's. The rest of its last page in the
# file (not covered by the CRC) must read zero, as Linux's loader gives it to
# the same file run as a process, whatever the file holds there; and the
# guest's pages must be its own, so that the file truncated in place (a
# rebuild) under a running appliance changes nothing for it (a private file
# mapping would lose even its copied pages then).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
PROGRAM=$BUILT/bss_tail.hut

# taint SRC DST: DST is SRC with every zero byte after the app's data
# segment's file bytes, to the end of that page, set to 0xa5 (none of them
# inside a section the file keeps there); prints how many were changed.
taint() {
	python3 - "$1" "$2" <<-'PY'
		import struct, sys
		data = bytearray(open(sys.argv[1], "rb").read())
		phoff, shoff = struct.unpack_from("<Q", data, 32)[0], struct.unpack_from("<Q", data, 40)[0]
		phnum, shnum = struct.unpack_from("<H", data, 56)[0], struct.unpack_from("<H", data, 60)[0]
		sections = []
		for i in range(shnum):
		    _, typ, _, _, off, size = struct.unpack_from("<IIQQQQ", data, shoff + 64 * i)
		    if typ != 8 and size:  # not NOBITS: bytes in the file
		        sections.append((off, off + size))
		changed = 0
		for i in range(phnum):
		    typ, flags, off, vaddr, _, filesz, _ = struct.unpack_from("<IIQQQQQ", data, phoff + 56 * i)
		    if typ != 1 or not flags & 2 or vaddr >= 0x1000000000 or filesz % 4096 == 0:
		        continue  # the app's writable PT_LOAD only, ending inside a page
		    start, end = off + filesz, (off + filesz + 4095) & ~4095
		    for at in range(start, min(end, len(data))):
		        if data[at] == 0 and not any(lo <= at < hi for lo, hi in sections):
		            data[at] = 0xA5
		            changed += 1
		open(sys.argv[2], "wb").write(data)
		print(changed)
	PY
}

begin "load: the file's bytes after a segment's, in its last page, are zero in the guest"
if ready_kvm "$MONITOR" "$PROGRAM"; then
	changed=$(taint "$PROGRAM" "$TMP/tainted.hut")
	chmod +x "$TMP/tainted.hut"
	[ "${changed:-0}" -gt 1000 ] || problem "only ${changed:-no} bytes changed after the data segment"
	run proc "$TMP/tainted.hut"
	expect_status proc 0
	run appliance "$MONITOR" "$TMP/tainted.hut"
	expect_status appliance 0
	expect_same_file "appliance and process stdout" "$(out proc)" "$(out appliance)"
	run untouched "$MONITOR" "$PROGRAM"
	expect_status untouched 0
	expect_same_file "tainted and untouched image's stdout" "$(out appliance)" "$(out untouched)"
	finish
fi

# Every page of the image is the guest's own copy once it runs (the monitor
# backs the mapped segments for writing): the image file truncated under a
# running appliance (a rebuild in place) changes nothing for it, even for
# code it first runs afterwards (its way out).
begin "load: an image file truncated while its appliance runs: the guest goes on"
if ready_kvm "$MONITOR" "$BUILT/idle.hut"; then
	cp "$BUILT/idle.hut" "$TMP/idle.hut"
	mkfifo "$TMP/in"
	"$MONITOR" "$TMP/idle.hut" <"$TMP/in" >"$TMP/idle.out" 2>"$TMP/idle.err" &
	pid=$!
	exec 3>"$TMP/in"
	for _ in $(seq $((300 * SLOW))); do
		grep -q '^ready$' "$TMP/idle.out" && break
		sleep 0.1
	done
	grep -q '^ready$' "$TMP/idle.out" || problem "the appliance did not say ready"
	: >"$TMP/idle.hut"
	echo "after the truncation" >&3
	exec 3>&-
	wait "$pid"
	st=$?
	[ "$st" = 0 ] || problem "the appliance exited $st"
	printf 'ready\nafter the truncation\n' | cmp -s - "$TMP/idle.out" ||
		{ problem "its output differs"; detail_file stdout "$TMP/idle.out"; }
	[ ${#TEST_WHY[@]} -gt 0 ] && detail_file stderr "$TMP/idle.err"
	finish
fi
