#!/bin/bash
# What a daemon asks about its own running (programs/accounting.c): CPU
# time (getrusage, times, CLOCK_PROCESS_CPUTIME_ID) grows while it computes
# and not while it sleeps; niceness, scheduling policy, prctl's name and
# flags, process group and session, mlock and mincore. The same bytes and
# status as a glibc program, as a process and as an appliance.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
differential "accounting: CPU time, policy, prctl, groups, memory locking" \
	"$BUILT/accounting.hut" "$BUILT/accounting-ref" 0
