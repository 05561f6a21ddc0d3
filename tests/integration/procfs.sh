#!/bin/bash
# /proc as programs read it (programs/procfs.c): the links, the process's
# and the threads' files, the machine's, and how they read. The program
# prints structure and invariants checked against its own calls, so a
# glibc process (the host's /proc), the hut image run as a process and the
# appliance (the libos's /proc) print the same lines and exit 0.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
differential "procfs: /proc/self, its fds, tasks and the machine's files" \
	"$BUILT/procfs.hut" "$BUILT/procfs-ref" 0 first "second arg" ""
