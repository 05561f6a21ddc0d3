#!/bin/bash
# vfork (programs/vfork.c): the parent sleeps until its child ends or execs
# (the child's output first), posix_spawn's clone(CLONE_VM|CLONE_VFORK) on a
# stack of its own, its errors, and a spawn of the program itself. The same
# bytes and status as a glibc program, as a process and as an appliance.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
differential "vfork: the parent waits for the child's end, posix_spawn's errors" \
	"$BUILT/vfork.hut" "$BUILT/vfork-ref" 0

begin "vfork: posix_spawn of the program itself (on a volume for the appliance)"
if ready_kvm "$BUILT/vfork.hut" "$BUILT/vfork-ref"; then
	BIN=$TMP/bin
	mkdir -p "$BIN"
	cp "$BUILT/vfork.hut" "$BUILT/vfork-ref" "$BIN/"
	run ref "$BIN/vfork-ref" spawn "$BIN/vfork-ref"
	expect_status ref 0
	expect_grep "the spawned child ran" '^spawned child: exited 5$' "$(out ref)"
	run proc "$BIN/vfork.hut" spawn "$BIN/vfork.hut"
	expect_status proc 0
	expect_same_file "process and reference stdout" "$(out ref)" "$(out proc)"
	run appl "$MONITOR" --volume "$BIN:/bin" "$BUILT/vfork.hut" spawn /bin/vfork.hut
	expect_status appl 0
	expect_same_file "appliance and reference stdout" "$(out ref)" "$(out appl)"
	finish
fi

begin "--trace-boot counts the processes: made besides pid 1, and the most at once"
if ready_kvm "$BUILT/vfork.hut"; then
	run appl "$MONITOR" --trace-boot "$BUILT/vfork.hut"
	expect_status appl 0
	# vfork.c makes four children, one at a time.
	expect_grep "four made, two at once" \
		'^hut-monitor: trace-boot: processes: 4 made besides pid 1, 2 at most at once$' "$(err appl)"
	finish
fi
