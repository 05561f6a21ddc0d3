#!/bin/bash
# Syscalls as calls (musl/), in the appliance: musl's syscalls must not
# trap, while `syscall` instructions from code built against another libc
# still do, and work. `hut-monitor --trace-boot` prints the number of
# trapped syscalls. tests/integration/syscalls-process.sh checks the rest.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
HELLO=$IMAGES/hello.hut

# trapped TAG: the trapped-syscall count in run TAG's --trace-boot lines.
trapped() {
	sed -n 's/^hut-monitor: trace-boot: trapped syscalls: \([0-9]\+\)$/\1/p' "$(err "$1")"
}

# expect_trapped TAG N: run TAG reported exactly N trapped syscalls.
expect_trapped() {
	local n
	n=$(trapped "$1")
	[ "$n" = "$2" ] && return 0
	problem "$1: ${n:-no} trapped syscalls reported, expected $2"
	detail_file "$1 stderr" "$(err "$1")"
}

begin "hello makes no trapped syscalls"
if ready_kvm "$HELLO"; then
	run appl "$MONITOR" --trace-boot "$HELLO" world
	expect_status appl 0
	expect_grep "hello did not greet" '^hello, world$' "$(out appl)"
	expect_trapped appl 0
	finish
fi

# Code built against Debian's musl with `syscall` instructions, linked as an
# object and as an archive: the same output and status three ways, and in
# the appliance exactly its five raw syscalls trap.
for kind in object archive; do
	image=$BUILT/raw-$kind.hut
	differential "raw syscalls from a Debian-musl $kind" "$image" "$BUILT/raw-ref" 7
	begin "raw syscalls from a Debian-musl $kind trap, and only they"
	if ready_kvm "$image"; then
		run appl "$MONITOR" --trace-boot "$image"
		expect_status appl 7
		expect_grep "the raw write did not arrive" '^written by a raw syscall$' "$(out appl)"
		expect_trapped appl 5
		finish
	fi
done

# crypt(), which hut's musl keeps: the same hashes both ways.
differential "crypt() both ways" "$BUILT/crypt.hut" - 0

exit 0
