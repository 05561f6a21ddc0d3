#!/bin/bash
# bench/procs.sh: what processes cost (bench/procs.c), the same image as a
# process and as an appliance (256 MiB of guest RAM, for the 64 MiB heap),
# one run each, with the exits each appliance run made (--trace-exits).
#
#   make bench-procs
#
# Inside the nested test guest (no /dev/kvm on the host: tests/vm) the
# appliance's figures mean nothing, and the script says so. A benchmark,
# not a test.
set -eu
cd "$(dirname "$0")/.."

IMAGE=build/bench/procs.hut
MONITOR=build/bin/hut-monitor
[ -x "$IMAGE" ] || { echo "procs.sh: build first: make bench-procs" >&2; exit 2; }
# shellcheck source=../scripts/kvm-kind.bash
. scripts/kvm-kind.bash

# exec's program: on a volume for the appliance, the same file for the process.
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
cp build/bench/true.hut "$DIR/true"

echo "== where: $(nproc) CPUs; appliance on: $(bench_kvm_kind)"
for run in "fork 500" "fork64m 20" "cow 50" "pingpong 5000" "exec 200"; do
	set -- $run
	proc_path=() appl_path=()
	[ "$1" = exec ] && proc_path=("$DIR/true") appl_path=(/x/true)
	printf '%-10s process:   ' "$1"
	"$IMAGE" "$1" "$2" "${proc_path[@]}"
	if [ -e /dev/kvm ]; then
		printf '%-10s appliance: ' "$1"
		"$MONITOR" --mem 256M --trace-exits --volume "$DIR:/x" "$IMAGE" "$1" "$2" "${appl_path[@]}" \
			2>"${TMPDIR:-/tmp}/procs.$$" || true
		sed -n 's/^hut-monitor: trace-exits: \([0-9]*\) exits.*/           exits in the whole run: \1/p' \
			"${TMPDIR:-/tmp}/procs.$$"
		rm -f "${TMPDIR:-/tmp}/procs.$$"
	fi
done
