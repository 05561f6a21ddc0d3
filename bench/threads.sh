#!/bin/sh
# bench/threads.sh: what thread operations cost (bench/threads.c), the same
# image as a process and as an appliance, one run each.
#
#   make bench-threads       (or: N=20000 bench/threads.sh)
#
# In the appliance every thread shares the one vCPU and switches in the
# libos; as a process they are the kernel's threads on every CPU. Inside
# the nested test guest (no /dev/kvm on the host: tests/vm) the appliance's
# figures mean nothing, and the script says so. A benchmark, not a test.
set -eu
cd "$(dirname "$0")/.."

N=${N:-20000}
IMAGE=build/bench/threads.hut
MONITOR=build/bin/hut-monitor
case $N in '' | *[!0-9]*) echo "threads.sh: N must be a number" >&2; exit 2 ;; esac
[ -x "$IMAGE" ] || { echo "threads.sh: build first: make bench-threads" >&2; exit 2; }

echo "== as a process ($(nproc) CPUs), N=$N"
"$IMAGE" "$N"
echo
if [ -e /dev/kvm ]; then
	echo "== as an appliance (one vCPU), N=$N"
	[ "${HUT_NESTED:-0}" = 1 ] &&
		echo "   (inside a nested guest under QEMU TCG: these timings mean nothing)"
	"$MONITOR" "$IMAGE" "$N"
else
	echo "== as an appliance: n/a (no /dev/kvm; tests/vm/run.sh -- bench/threads.sh runs it nested)"
fi
