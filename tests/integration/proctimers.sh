#!/bin/bash
# Timers belong to their process (programs/proctimers.c): a child's
# ITIMER_REAL, ITIMER_VIRTUAL and POSIX timer signal it, not the process
# that runs or waits meanwhile; fork's child starts with none; exec keeps
# alarm and the interval timers. The same bytes and status as a glibc
# program, as a process and as an appliance.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
differential "timers belong to their process: alarm, setitimer, POSIX timers, fork" \
	"$BUILT/proctimers.hut" "$BUILT/proctimers-ref" 0

begin "timers: exec keeps alarm and the interval timers (on a volume for the appliance)"
if ready_kvm "$BUILT/proctimers.hut" "$BUILT/proctimers-ref"; then
	BIN=$TMP/bin
	mkdir -p "$BIN"
	cp "$BUILT/proctimers.hut" "$BUILT/proctimers-ref" "$BIN/"
	run ref "$BIN/proctimers-ref" exec "$BIN/proctimers-ref"
	expect_status ref 0
	expect_grep "the alarm is kept" '^after exec: alarm\(0\) = 40$' "$(out ref)"
	run proc "$BIN/proctimers.hut" exec "$BIN/proctimers.hut"
	expect_status proc 0
	expect_same_file "process and reference stdout" "$(out ref)" "$(out proc)"
	run appl "$MONITOR" --volume "$BIN:/bin" "$BUILT/proctimers.hut" exec /bin/proctimers.hut
	expect_status appl 0
	expect_same_file "appliance and reference stdout" "$(out ref)" "$(out appl)"
	finish
fi
