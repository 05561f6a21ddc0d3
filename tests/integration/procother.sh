#!/bin/bash
# /proc/<pid> of another process (programs/procother.c): listed in /proc,
# its stat, status, cmdline, comm, exe, fd/ and task/ as it sees them
# itself; gone once reaped. The same bytes and status as a glibc program,
# as a process and as an appliance. Then busybox's ps, built from
# Debian's source, lists a shell's background job in an appliance.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
differential "another process's /proc/<pid>: stat, status, cmdline, comm, exe, fd, task" \
	"$BUILT/procother.hut" "$BUILT/procother-ref" 0
