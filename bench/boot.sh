#!/bin/sh
# bench/boot.sh: how long does it take to run hello as a hut, and how does
# that compare with the least a KVM launch can cost and with a plain process?
#
#   make bench-boot          (or: RUNS=100 WARMUP=10 bench/boot.sh)
#
# Four launchers, measured in one run, interleaved (A B C D A B C D ...) after
# WARMUP rounds, RUNS times each, exec-to-exit, output to /dev/null:
#   hut-monitor hello.hut   the appliance on KVM
#   hello.hut               the same image as a Linux process
#   kvm-floor               open /dev/kvm, one VM, one vCPU, one MMIO exit
#   /bin/true               the cost of fork+exec+exit itself
# Then the image size, the targets (SPEC: <= 64 KiB image, <= 1.5 ms and
# <= 1.5x the KVM floor), and the monitor's own per-phase times when
# `hut-monitor --trace-boot` is available.
#
# A benchmark, not a test: it exits 0 when targets are missed (and says
# MISSED), non-zero only when it cannot measure at all.
#
# Word splitting is used on purpose: `set -- $(stats ...)` splits four numbers
# and phase names are single words.
# shellcheck disable=SC2046,SC2013
set -eu
cd "$(dirname "$0")/.."

RUNS=${RUNS:-50}
WARMUP=${WARMUP:-5}
BENCH=build/bench
MONITOR=build/bin/hut-monitor
IMAGE=build/apps/hello.hut
FLOOR=$BENCH/kvm-floor
TARGET_IMAGE_BYTES=65536
TARGET_US=1500
TARGET_FLOOR_RATIO=1.5

case $RUNS in '' | *[!0-9]*) echo "boot.sh: RUNS must be a number" >&2; exit 2 ;; esac
case $WARMUP in '' | *[!0-9]*) echo "boot.sh: WARMUP must be a number" >&2; exit 2 ;; esac
[ "$RUNS" -ge 30 ] || echo "boot.sh: warning: RUNS=$RUNS is below 30; medians will be noisy" >&2

mkdir -p "$BENCH"
# timeit is static so that its own pages do not set a floor under the
# children's ru_maxrss (vfork+exec records the parent's RSS as the child's).
gcc -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -static -o "$BENCH/timeit" bench/timeit.c
[ -x "$FLOOR" ] || gcc -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude -o "$FLOOR" bench/kvm-floor.c

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Launchers: label and command line, in the order they are interleaved.
n=0
labels=""
args=""
add() { # add LABEL COMMAND...: keeps it if it runs and exits 0
	label=$1
	shift
	if [ ! -x "$1" ]; then
		echo "boot.sh: $label: $1 is missing (run make first); not measured" >&2
		return
	fi
	status=0
	"$@" >/dev/null 2>"$tmp/preflight" || status=$?
	if [ "$status" != 0 ]; then
		echo "boot.sh: $label: \`$*\` FAILED (exit $status); not measured:" >&2
		tail -n 3 "$tmp/preflight" | sed 's/^/    /' >&2
		return
	fi
	eval "label_$n=\$label"
	labels="$labels $n"
	[ -z "$args" ] || args="$args ::"
	args="$args $*"
	n=$((n + 1))
	eval "index_of_$(echo "$label" | tr -c 'a-z0-9\n' '_')=$((n - 1))"
}
add hut-monitor "$MONITOR" "$IMAGE"
add process "$IMAGE"
add kvm-floor "$FLOOR"
add true /bin/true
[ "$n" -gt 0 ] || { echo "boot.sh: nothing to measure" >&2; exit 1; }

# shellcheck disable=SC2086 # word splitting of $args is intended (no spaces in paths)
"$BENCH/timeit" -n "$RUNS" -w "$WARMUP" $args >"$tmp/runs"

# shellcheck source=stats.bash
. "$(dirname "$0")/stats.bash"

# Per launcher: median, min, p90 of wall µs; median of ru_maxrss; failures.
for i in $labels; do
	awk -v i="$i" '$1 == i' "$tmp/runs" >"$tmp/l$i"
	set -- $(stats "$tmp/l$i" 3)
	eval "med_$i=$1 min_$i=$2 p90_$i=$3"
	set -- $(stats "$tmp/l$i" 4)
	eval "rss_$i=$1"
	eval "fail_$i=$(awk '$5 != 0' "$tmp/l$i" | wc -l)"
done

get() { eval "echo \${$1_$2:-}"; }
hut=${index_of_hut_monitor:-}
proc=${index_of_process:-}
floor=${index_of_kvm_floor:-}
ratio() { # ratio A B: A/B as "1.23x", or "-"
	if [ -n "$2" ] && [ "$2" != 0 ]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; else echo -; fi
}

echo
echo "hut boot benchmark: $RUNS runs each, interleaved, after $WARMUP warm-up rounds"
echo "(exec-to-exit wall time in µs; peak RSS = median of each run's ru_maxrss)"
echo
printf '%-26s %8s %8s %8s %14s %9s %10s\n' launcher median min p90 "peak RSS KiB" "vs floor" "vs process"
for i in $labels; do
	label=$(get label "$i")
	case $label in
	hut-monitor) what="hut-monitor hello.hut" ;;
	process) what="hello.hut (process)" ;;
	kvm-floor) what="kvm-floor" ;;
	*) what="/bin/true" ;;
	esac
	med=$(get med "$i")
	vs_floor=$(ratio "$med" "$([ -n "$floor" ] && get med "$floor")")
	vs_proc=$(ratio "$med" "$([ -n "$proc" ] && get med "$proc")")
	printf '%-26s %8s %8s %8s %14s %9s %10s\n' "$what" "$med" "$(get min "$i")" "$(get p90 "$i")" \
		"$(get rss "$i")" "$vs_floor" "$vs_proc"
	fails=$(get fail "$i")
	[ "$fails" = 0 ] || echo "    ($what: $fails of $RUNS runs exited non-zero)"
done

echo
verdict() { if [ "$1" = 1 ]; then echo ok; else echo MISSED; fi; }
if [ -f "$IMAGE" ]; then
	size=$(stat -c %s "$IMAGE")
	printf 'hello image size      %8d bytes   target <= %d: %s\n' "$size" "$TARGET_IMAGE_BYTES" \
		"$(verdict "$([ "$size" -le "$TARGET_IMAGE_BYTES" ] && echo 1)")"
else
	echo "hello image size      (no $IMAGE): MISSED"
fi
if [ -n "$hut" ]; then
	hmed=$(get med "$hut")
	printf 'hut median            %8d µs      target <= %d µs: %s\n' "$hmed" "$TARGET_US" \
		"$(verdict "$([ "$hmed" -le "$TARGET_US" ] && echo 1)")"
	if [ -n "$floor" ]; then
		fmed=$(get med "$floor")
		ok=$(awk -v h="$hmed" -v f="$fmed" -v r="$TARGET_FLOOR_RATIO" 'BEGIN { print (h <= r * f) ? 1 : 0 }')
		printf 'hut / kvm-floor       %8s         target <= %sx: %s\n' "$(ratio "$hmed" "$fmed")" \
			"$TARGET_FLOOR_RATIO" "$(verdict "$ok")"
	else
		echo "hut / kvm-floor       (kvm-floor not measured): MISSED"
	fi
else
	echo "hut median            (hut-monitor not measured): MISSED"
fi

# The monitor's own account of where the time goes: one line per phase,
#   hut-monitor: trace-boot: <phase> <N> us
if [ -n "$hut" ]; then
	: >"$tmp/trace"
	: >"$tmp/faults"
	r=0
	trace_status=0
	while [ "$r" -lt "$RUNS" ]; do
		"$MONITOR" --trace-boot "$IMAGE" >/dev/null 2>"$tmp/stderr" || trace_status=$?
		if [ "$trace_status" != 0 ]; then
			: >"$tmp/trace"
			break
		fi
		sed -n 's/^hut-monitor: trace-boot: *\([^ ][^ ]*\)  *\([0-9][0-9]*\) *us$/\1 \2/p' \
			"$tmp/stderr" >>"$tmp/trace"
		sed -n 's/^hut-monitor: trace-boot: KVM: \([0-9]*\) guest page faults.*/\1/p' \
			"$tmp/stderr" >>"$tmp/faults"
		r=$((r + 1))
	done
	echo
	if [ -s "$tmp/trace" ]; then
		echo "hut-monitor --trace-boot, median per phase over $RUNS runs (µs):"
		sum=0
		# A phase called "total" is the monitor's own sum: shown last, not added.
		for phase in $(awk '!seen[$1]++ && $1 != "total" { print $1 }' "$tmp/trace"); do
			awk -v p="$phase" '$1 == p' "$tmp/trace" >"$tmp/phase"
			set -- $(stats "$tmp/phase" 2)
			printf '  %-24s %8s   (min %s, p90 %s)\n' "$phase" "$1" "$2" "$3"
			sum=$((sum + $1))
		done
		printf '  %-24s %8s\n' "(sum of the medians)" "$sum"
		awk '$1 == "total"' "$tmp/trace" >"$tmp/phase"
		if [ -s "$tmp/phase" ]; then
			set -- $(stats "$tmp/phase" 2)
			printf '  %-24s %8s   (min %s, p90 %s)\n' total "$1" "$2" "$3"
		fi
		# KVM's own count (Linux 5.14 on): each costs tens of µs where KVM
		# shadows the guest's page tables (kvm-pvm).
		if [ -s "$tmp/faults" ]; then
			set -- $(stats "$tmp/faults" 1)
			printf '  %-24s %8s   (min %s, p90 %s)\n' "guest page faults" "$1" "$2" "$3"
		fi
	elif [ "$trace_status" != 0 ]; then
		echo "hut-monitor --trace-boot: FAILED (exit $trace_status):"
		tail -n 3 "$tmp/stderr" | sed 's/^/    /'
	else
		echo "hut-monitor --trace-boot: not available (no trace-boot lines on stderr)"
	fi
fi
exit 0
