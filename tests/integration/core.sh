#!/bin/bash
# --core FILE: a crashed guest leaves an ELF core that gdb reads with the
# image: the backtrace must name the function that crashed, and the
# registers must match the monitor's own crash report.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

NULL=$IMAGES/null.hut
HELLO=$IMAGES/hello.hut

begin "core: gdb shows where a crashed guest died"
if ready_kvm "$MONITOR" "$NULL" "$(command -v gdb || echo gdb)"; then
	run crash "$MONITOR" --core "$TMP/null.core" "$NULL"
	expect_status crash 139
	run gdb gdb -nx -batch -ex bt -ex 'p/x $rip' "$NULL" "$TMP/null.core"
	expect_grep "gdb's backtrace does not reach main" '#[0-9].* main ' "$(out gdb)"
	rip=$(sed -n 's/.* at rip \(0x[0-9a-f]*\).*/\1/p' "$(err crash)")
	expect_grep "gdb's rip is not the crash report's ($rip)" " = $rip$" "$(out gdb)"
	finish
fi

begin "core: no crash, empty core file"
if ready_kvm "$MONITOR" "$HELLO"; then
	run clean "$MONITOR" --core "$TMP/hello.core" "$HELLO"
	expect_status clean 0
	[ -e "$TMP/hello.core" ] && [ ! -s "$TMP/hello.core" ] || problem "expected an empty core file"
	finish
fi
