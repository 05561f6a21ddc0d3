#!/bin/sh
# bench/preempt.sh: what a tick costs a program that spins (bench/preempt.c),
# the same image as a process and as an appliance, at a 1 ms ITIMER_PROF
# and a 10 ms one, one run each; the appliance's exits with --trace-exits.
#
#   make bench-preempt       (or: bench/preempt.sh)
#
# Inside the nested test guest (no /dev/kvm on the host: tests/vm) the
# appliance's figures mean nothing, and the script says so. A benchmark,
# not a test.
set -eu
cd "$(dirname "$0")/.."

IMAGE=build/bench/preempt.hut
MONITOR=build/bin/hut-monitor
[ -x "$IMAGE" ] || { echo "preempt.sh: build first: make bench-preempt" >&2; exit 2; }

for period in 1000 10000; do
	echo "== as a process, ITIMER_PROF every $period us"
	"$IMAGE" "$period"
	echo
	if [ -e /dev/kvm ]; then
		echo "== as an appliance, ITIMER_PROF every $period us"
		[ "${HUT_NESTED:-0}" = 1 ] &&
			echo "   (inside a nested guest under QEMU TCG: these timings mean nothing)"
		"$MONITOR" --trace-exits "$IMAGE" "$period"
	else
		echo "== as an appliance: n/a (no /dev/kvm; tests/vm/run.sh -- bench/preempt.sh runs it nested)"
	fi
	echo
done
