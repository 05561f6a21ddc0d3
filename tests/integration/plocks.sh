#!/bin/bash
# File locks between processes (programs/plocks.c): POSIX record locks
# (conflicts, F_GETLK's l_pid, F_SETLKW's wait, release at any close and at
# the end, EDEADLK), OFD locks and flock() per open file description. The
# same bytes and status as a glibc program, as a process and as an
# appliance.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
differential "locks between processes: POSIX, OFD, flock; waits, releases, EDEADLK" \
	"$BUILT/plocks.hut" "$BUILT/plocks-ref" 0
