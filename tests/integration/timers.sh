#!/bin/bash
# Timers (programs/timers.c): alarm, setitimer/getitimer (REAL and the CPU
# clock's VIRTUAL), their signals interrupting pause and nanosleep, periodic
# timers, timerfds read, polled and watched by epoll, and SIGALRM's default
# action. The same bytes and status as a glibc program, as a process and as
# an appliance.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
differential "timers: alarm, interval timers, timerfds" "$BUILT/timers.hut" "$BUILT/timers-ref" 0
differential "timers: an alarm with no handler ends the program (142)" "$BUILT/timers.hut" \
	"$BUILT/timers-ref" 142 die
