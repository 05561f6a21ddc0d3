#!/bin/bash
# Stop and continue (programs/jobctl.c): SIGSTOP, SIGTSTP, SIGCONT between
# processes, wait4's WUNTRACED and WCONTINUED, waitid's WSTOPPED and
# WCONTINUED, SIGCHLD's CLD_STOPPED and CLD_CONTINUED, SA_NOCLDSTOP, SIGKILL
# of a stopped child. The same bytes and status as a glibc program, as a
# process and as an appliance.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
differential "stop and continue: SIGSTOP, SIGTSTP, SIGCONT, the waits and SIGCHLD" \
	"$BUILT/jobctl.hut" "$BUILT/jobctl-ref" 0
