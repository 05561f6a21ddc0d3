#!/bin/bash
# The hostile guests, every app, stdin, --env, volumes, volume-guard and
# snapshots again, against hut-monitor built with AddressSanitizer and
# UndefinedBehaviorSanitizer (build/asan/hut-monitor, whose seccomp filter
# lets the sanitizers' own syscalls through): any memory error or UB in the
# monitor ends it with a report, its status no longer matches, and the case
# fails. Leak checking is off: the monitor frees nothing on purpose, it
# exits.
# hut-test: needs-kvm (it runs the suites above, which boot appliances)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

ASAN=$ROOT/build/asan/hut-monitor
begin "asan: sanitized monitor built"
if ready "$ASAN"; then
	finish
	for suite in hostile differential stdin env volumes volume-guard snapshot; do
		HUT_TEST_MONITOR=$ASAN ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1 \
			bash "$(dirname "$0")/$suite.sh" | sed -E 's/^(PASS|FAIL|SKIP) /\1 asan: /'
	done
fi
