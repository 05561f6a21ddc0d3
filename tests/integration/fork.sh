#!/bin/bash
# Processes (programs/fork.c): fork, copied memory, shared open files, the
# waits and their statuses, SIGCHLD, kill between processes, many forks.
# The same bytes and status as a glibc program, as a process and as an
# appliance.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
differential "fork: memory copied, files shared, waits, SIGCHLD, kill" "$BUILT/fork.hut" \
	"$BUILT/fork-ref" 0
