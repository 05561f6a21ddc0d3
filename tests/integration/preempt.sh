#!/bin/bash
# Preemption (programs/preempt.c): a program that spins without any syscall
# still gets its timers' signals: alarm, ITIMER_PROF, ITIMER_VIRTUAL,
# ITIMER_REAL, POSIX timers on CLOCK_MONOTONIC and CLOCK_PROCESS_CPUTIME_ID,
# each caught while the loop only reads a flag; SSE registers, flags and a
# red zone in use come back intact after many handlers; an alarm with no
# handler ends a spinning program (142). The same bytes and status as a
# glibc program, as a process and as an appliance.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
differential "preempt: timers interrupt a program that spins" "$BUILT/preempt.hut" \
	"$BUILT/preempt-ref" 0
differential "preempt: an alarm with no handler ends a spinning program (142)" \
	"$BUILT/preempt.hut" "$BUILT/preempt-ref" 142 die
