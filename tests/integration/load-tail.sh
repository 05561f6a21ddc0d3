#!/bin/bash
# The monitor maps an image's segments into guest RAM from the file (load.c)
# rather than copying them: the rest of a segment's last page then holds the
# file's next bytes, which the CRC does not cover and which are not the
# guest's. An image whose bytes there were changed (the padding after the
# app's data segment: its bss and the rest of the page) must boot with them
# zero, as Linux's loader gives them to the same file run as a process.
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
