#!/bin/bash
# Every byte the monitor trusts is checked: each single-byte change of the
# manifest note (its header, owner and every field: entry points, memory
# size, name, devices, packed files, the CRC itself) and of the program
# headers makes hut-monitor refuse the image as invalid (126) before it
# opens /dev/kvm, and `hut inspect` call it not valid. The count of accepted
# changes must be 0. Runs without KVM: the image is refused before it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

HELLO=$IMAGES/hello.hut

# flips WHAT OFFSET LENGTH: hut-monitor's status for each byte of
# [OFFSET, OFFSET+LENGTH) of hello.hut XORed with 0xff, as "STATUS COUNT"
# lines; the images go to $TMP/flip.hut one at a time.
flips() {
	python3 - "$HELLO" "$TMP/flip.hut" "$MONITOR" "$2" "$3" <<-'PY'
		import collections, subprocess, sys
		src, dst, monitor, off, length = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
		data = bytearray(open(src, "rb").read())
		seen = collections.Counter()
		for at in range(off, off + length):
		    data[at] ^= 0xFF
		    open(dst, "wb").write(data)
		    data[at] ^= 0xFF
		    r = subprocess.run([monitor, dst], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
		                       stderr=subprocess.PIPE, timeout=10)
		    seen[r.returncode] += 1
		    if r.returncode != 126:
		        print("accepted: byte %d (0x%x) -> status %d" % (at, at, r.returncode), file=sys.stderr)
		for status, count in sorted(seen.items()):
		    print(status, count)
	PY
}

# section_of NAME: "OFFSET SIZE" of a section of hello.hut, in decimal.
section_of() {
	local off size
	read -r off size < <(readelf -S -W "$HELLO" |
		awk -v n="$1" '{ for (i = 1; i < NF; i++) if ($i == n) print $(i + 3), $(i + 4) }')
	[ -n "$size" ] && echo $((16#$off)) $((16#$size))
}

# expect_all_refused WHAT OFFSET SIZE: every one of SIZE flips at OFFSET gave 126.
expect_all_refused() {
	[ "${3:-0}" -gt 0 ] || { problem "no $1 found in hello.hut"; return; }
	flips "$1" "$2" "$3" >"$TMP/${1// /-}.st" 2>"$TMP/${1// /-}.err"
	[ "$(cat "$TMP/${1// /-}.st")" = "126 $3" ] ||
		{ problem "of $3 changed bytes of the $1, some were not refused as invalid"
		  detail_file statuses "$TMP/${1// /-}.st"; detail_file accepted "$TMP/${1// /-}.err"; }
}

begin "image: every changed byte of the manifest note is refused (126)"
if ready "$MONITOR" "$HELLO" "$HUT"; then
	read -r off size < <(section_of .note.hut)
	expect_all_refused note "$off" "$size"
	finish
fi

begin "image: every changed byte of the program headers is refused (126)"
if ready "$MONITOR" "$HELLO"; then
	phoff=$(readelf -h -W "$HELLO" | awk '/Start of program headers/ { print $5 }')
	phnum=$(readelf -h -W "$HELLO" | awk '/Number of program headers/ { print $5 }')
	expect_all_refused "program headers" "$phoff" $((phnum * 56))
	finish
fi

begin "image: hut inspect calls an image with a changed entry point not valid"
if ready "$HUT" "$HELLO"; then
	read -r off size < <(section_of .note.hut)
	# The manifest follows the note's 12-byte header and 4-byte owner; the
	# boot entry is its third 8-byte word (abi.h, struct hut_manifest).
	python3 -c 'import sys
d = bytearray(open(sys.argv[1], "rb").read()); d[int(sys.argv[3]) + 16 + 8] ^= 0x10
open(sys.argv[2], "wb").write(d)' "$HELLO" "$TMP/entry.hut" "$off"
	run inspect "$HUT" inspect "$TMP/entry.hut"
	[ "$ST" != 0 ] || problem "hut inspect accepted a changed boot entry"
	expect_grep "inspect does not say why" '^valid: +no' "$(out inspect)"
	finish
fi
