#!/bin/bash
# Processes (programs/fork.c): fork, copied memory, shared open files, the
# waits and their statuses, SIGCHLD, kill between processes, many forks;
# a forked child saving a snapshot of memory (programs/snapshot.c).
# The same bytes and status as a glibc program, as a process and as an
# appliance.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
differential "fork: memory copied, files shared, waits, SIGCHLD, kill" "$BUILT/fork.hut" \
	"$BUILT/fork-ref" 0
differential "processes share: MAP_SHARED counters, an fd passed, a pre-forking server" \
	"$BUILT/procshare.hut" "$BUILT/procshare-ref" 0
# A child saves 8 MiB of memory as of the fork while the parent rewrites it
# (in /tmp: the host's for the processes, the guest's own for the appliance).
SNAP=/tmp/hut-snapshot.$$
differential "fork and snapshot: the child's file is the memory at the fork" \
	"$BUILT/snapshot.hut" "$BUILT/snapshot-ref" 0 "$SNAP"
rm -f "$SNAP"

begin "fork: a child's crash ends it alone, in one line for each"
if ready_kvm "$BUILT/fork.hut"; then
	run appl "$MONITOR" "$BUILT/fork.hut"
	expect_status appl 0
	expect_grep "the page fault is reported" '^hut: process [0-9]+ killed by SIGSEGV: page fault at 0x0, rip 0x[0-9a-f]+$' "$(err appl)"
	expect_grep "the invalid opcode is reported" '^hut: process [0-9]+ killed by SIGILL: invalid opcode, rip 0x[0-9a-f]+$' "$(err appl)"
	expect_grep "the division by zero is reported" '^hut: process [0-9]+ killed by SIGFPE: divide error, rip 0x[0-9a-f]+$' "$(err appl)"
	finish
fi

begin "fork: 1,000 children forked, ended and reaped leave no page behind, and are counted"
if ready_kvm "$BUILT/fork.hut"; then
	run appl "$MONITOR" --trace-exits "$BUILT/fork.hut" leak
	expect_status appl 0
	expect_grep "every page came back" '^pages lost to 1000 forks: 0$' "$(out appl)"
	expect_grep "--trace-exits counts the processes" \
		'^hut-monitor: trace-exits: the guest made 1200 processes besides pid 1$' "$(err appl)"
	finish
fi

begin "fork: --pids 4 allows pid 1 and 3 children, then EAGAIN"
if ready_kvm "$BUILT/fork.hut"; then
	run appl "$MONITOR" --pids 4 "$BUILT/fork.hut" pids
	expect_status appl 0
	expect_grep "three children, then EAGAIN" '^children before fork failed: 3 \(EAGAIN\)$' "$(out appl)"
	expect_grep "fork works again" '^after they ended, fork works again: yes$' "$(out appl)"
	finish
fi

begin "hut-monitor --pids refuses what is not a count"
if need_kvm; then
	run bad "$MONITOR" --pids 0 "$BUILT/fork.hut"
	expect_status bad 125
	expect_grep "says what it takes" 'pids takes a number from 1 to 4194304' "$(err bad)"
	finish
fi
