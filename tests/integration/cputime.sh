#!/bin/bash
# Each process has its own CPU clock (programs/cputime.c): a spinning
# child's time is not its waiting parent's, wait4's rusage, RUSAGE_CHILDREN
# and times()'s cutime hold it once reaped, a child's clock starts at 0,
# and ITIMER_VIRTUAL counts its own process's time. The same bytes and
# status as a glibc program, as a process and as an appliance.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
differential "CPU time is each process's own: clocks, rusage, times, ITIMER_VIRTUAL" \
	"$BUILT/cputime.hut" "$BUILT/cputime-ref" 0
