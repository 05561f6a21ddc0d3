#!/bin/bash
# bench/oci.sh: what does it cost to start hello as an appliance from
# containerd and podman, against the same program as an ordinary container?
#
#   make bench-oci          (or: RUNS=50 bench/oci.sh)
#
# A private containerd and podman store (scripts/oci-private.bash, as the
# hut-oci tests use), two images: hello as `hut pack --oci-archive` makes
# it (localhost/hello) and the plain static musl build of apps/hello as an
# ordinary image (localhost/plain). Rows, interleaved (bench/timeit.c), one
# warm-up round, RUNS (default 20) each, invocation to exit:
#   ctr appliance      ctr run --rm --runc-binary hut-oci  localhost/hello
#   ctr runc           ctr run --rm --runc-binary runc     localhost/plain
#   ctr crun           ctr run --rm --runc-binary crun     localhost/plain
#   ctr plain/hut-oci  ctr run --rm --runc-binary hut-oci  localhost/plain
#                      (hut-oci hands it to its lower runtime, crun or runc:
#                      hut-oci's own overhead)
#   podman appliance   podman --runtime hut-oci run --rm   localhost/hello
#   podman crun        podman --runtime crun run --rm      localhost/plain
# Then "where the time goes" in the appliance's ctr run: a few more runs
# with hut-oci and its lower runtime behind wrappers that log each call's
# command and duration (their own start measured apart and taken out),
# and hut-monitor's --trace-boot total
# (HUT_OCI_TRACE_BOOT=1); the run of median length is split into the
# runtime calls, the monitor and the rest (ctr, containerd, the shim).
#
# Without a usable /dev/kvm the container-only rows run here, on the host,
# and then every row runs again in the nested guest of tests/vm (its figures
# mean nothing): each table says where it ran. A benchmark, not a test: it
# exits non-zero only when it cannot measure at all. Needs root.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/bin
OCI=$BIN/hut-oci
HUT=$BIN/hut
HELLO=$ROOT/build/apps/hello.hut
BENCH=$ROOT/build/bench
RUNS=${RUNS:-20}
TRACE_RUNS=${TRACE_RUNS:-5}
# shellcheck disable=SC2034 # SLOW and OCI_FS are read by oci-private.bash
SLOW=1
[ -n "${HUT_NESTED:-}" ] && SLOW=5

die() {
	echo "bench-oci: $*" >&2
	exit 1
}
case $RUNS in '' | *[!0-9]* | 0) die "RUNS must be a positive number" ;; esac
case $TRACE_RUNS in '' | *[!0-9]* | 0) die "TRACE_RUNS must be a positive number" ;; esac
[ "$(id -u)" = 0 ] || die "needs root (containerd, podman, a tmpfs)"
for p in containerd ctr podman crun runc musl-gcc; do
	command -v $p >/dev/null || die "no $p (scripts/deps.sh oci installs it)"
done
[ -x "$OCI" ] && [ -x "$HUT" ] && [ -f "$HELLO" ] || die "no $OCI, $HUT or $HELLO (run make first)"

kvm_usable() { [ -r /dev/kvm ] && [ -w /dev/kvm ]; }
# shellcheck source=../scripts/kvm-kind.bash
. "$ROOT/scripts/kvm-kind.bash"

# Which rows: all with KVM; the container-only ones on a host without it
# (then the nested guest runs all of them).
if kvm_usable; then
	ROWS=all
	WHERE="$(bench_kvm_kind)"
elif [ -z "${HUT_NESTED:-}" ]; then
	ROWS=containers
	WHERE="this host, natively (no /dev/kvm here: the appliance rows run in the nested guest below)"
else
	die "no /dev/kvm, even nested"
fi

mkdir -p "$BENCH"
gcc -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -static -o "$BENCH/timeit" "$ROOT/bench/timeit.c" ||
	die "cannot build bench/timeit.c"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hut-bench-oci.XXXXXX") || exit 1
OCI_FS=$TMP/ocifs
# shellcheck source=SCRIPTDIR/../scripts/oci-private.bash
. "$ROOT/scripts/oci-private.bash"
cleanup() {
	oci_private_stop
	rm -rf "$TMP"
}
trap cleanup EXIT

# --- images and daemons ------------------------------------------------------------

oci_private_fs || exit 1
oci_private_containerd "$TMP/containerd.log" || {
	tail -n 5 "$TMP/containerd.log" >&2
	exit 1
}
musl-gcc -std=gnu11 -O2 -static -o "$TMP/hello-plain" "$ROOT"/apps/hello/*.c || die "musl-gcc of apps/hello failed"
"$HUT" pack --oci-archive "$TMP/hello.tar" "$HELLO" world &&
	"$HUT" pack --plain --oci-archive "$TMP/plain.tar" --name localhost/plain:latest "$TMP/hello-plain" world ||
	die "hut pack --oci-archive failed"
for a in hello plain; do
	ctrc image import "$TMP/$a.tar" >"$TMP/import.log" 2>&1 || die "ctr image import $a.tar failed: $(tail -n 1 "$TMP/import.log")"
	"${PODMAN_STORE[@]}" load -i "$TMP/$a.tar" >"$TMP/load.log" 2>&1 || die "podman load $a.tar failed: $(tail -n 1 "$TMP/load.log")"
done
CRUN=$(command -v crun)
RUNC=$(command -v runc)
# The runtime hut-oci hands containers to on this host (crun, or runc where
# the host's cgroups are ones crun refuses): its pass-through row and the
# traced split measure that one.
LOWER=$("$OCI" --version | sed -n 's/^lower runtime: \([^ ]*\) .*/\1/p')
[ -x "$LOWER" ] || die "hut-oci names no lower runtime: $("$OCI" --version | tail -n 1)"
LN=$(basename "$LOWER")

# --- the rows ------------------------------------------------------------------------

# Each row: a label and a command line; a row is kept when one run of it
# exits 0 and prints what the process prints.
"$TMP/hello-plain" >"$TMP/want" 2>&1
n=0
ARGS=()
LABELS=()
add() { # add LABEL COMMAND...
	local label=$1
	shift
	if ! "$@" >"$TMP/pre.out" 2>"$TMP/pre.err" </dev/null; then
		echo "bench-oci: $label: \`$*\` FAILED; not measured:" >&2
		tail -n 3 "$TMP/pre.err" | sed 's/^/    /' >&2
		return
	fi
	if ! cmp -s "$TMP/want" "$TMP/pre.out"; then
		echo "bench-oci: $label: printed something else than hello as a process; not measured" >&2
		return
	fi
	LABELS[n]=$label
	[ $n = 0 ] || ARGS+=(::)
	ARGS+=("$@")
	n=$((n + 1))
}
ctr_row() { # ctr_row LABEL RUNTIME IMAGE
	add "$1" ctr -a "$SOCK" run --rm --runc-binary "$2" "localhost/$3:latest" "bench-$n"
}
[ $ROWS = all ] && ctr_row "ctr appliance (hut-oci)" "$OCI" hello
ctr_row "ctr plain (runc)" "$RUNC" plain
ctr_row "ctr plain (crun)" "$CRUN" plain
ctr_row "ctr plain (hut-oci->$LN)" "$OCI" plain
[ $ROWS = all ] && add "podman appliance (hut-oci)" "${PODMAN[@]}" run --rm --network none localhost/hello:latest
add "podman plain (crun)" "${PODMAN_STORE[@]}" --runtime "$CRUN" run --rm --network none localhost/plain:latest
[ $n -gt 0 ] || die "nothing to measure"

"$BENCH/timeit" -n "$RUNS" -w 1 "${ARGS[@]}" >"$TMP/runs" || die "timeit failed"

# shellcheck source=stats.bash
. "$ROOT/bench/stats.bash"
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }

declare -A MED
echo
echo "bench-oci: ran on: $WHERE"
echo "bench-oci: $RUNS runs each, interleaved, after 1 warm-up round (invocation to exit, ms)"
printf '%-30s %9s %9s %9s %9s %8s\n' row median min p90 max failed
for ((i = 0; i < n; i++)); do
	awk -v i=$i '$1 == i' "$TMP/runs" >"$TMP/row"
	read -r med min p90 max < <(stats "$TMP/row" 3)
	MED[${LABELS[i]}]=$med
	printf '%-30s %9s %9s %9s %9s %8s\n' "${LABELS[i]}" "$(ms "$med")" "$(ms "$min")" "$(ms "$p90")" \
		"$(ms "$max")" "$(awk '$5 != 0' "$TMP/row" | wc -l)"
done
ratio() { # ratio LABEL-A LABEL-B
	local a=${MED[$1]:-} b=${MED[$2]:-}
	[ -n "$a" ] && [ -n "$b" ] && [ "$b" != 0 ] &&
		awk -v a="$a" -v b="$b" -v la="$1" -v lb="$2" 'BEGIN { printf "%s / %s: %.2fx\n", la, lb, a / b }'
}
echo
ratio "ctr appliance (hut-oci)" "ctr plain (runc)" && echo "  (goal: at most 1.00x)"
ratio "ctr appliance (hut-oci)" "ctr plain (crun)"
ratio "ctr plain (hut-oci->$LN)" "ctr plain ($LN)"
ratio "podman appliance (hut-oci)" "podman plain (crun)"

# --- where the time goes ---------------------------------------------------------------

# timed NAME REAL: a runtime that runs REAL and appends
# "NAME COMMAND START END" (seconds) to $TMP/calls.
timed() {
	cat >"$TMP/$1-timed" <<-EOF
		#!/bin/bash
		t0=\$EPOCHREALTIME
		export HUT_OCI_TRACE_BOOT=1 HUT_OCI_RUNTIME=$TMP/lower-timed
		"$2" "\$@"
		st=\$?
		t1=\$EPOCHREALTIME
		cmd=
		while [ \$# -gt 0 ]; do
			case \$1 in
			--root | --log | --log-format) shift ;;
			-*) ;;
			*) cmd=\$1; break ;;
			esac
			shift
		done
		echo "$1 \${cmd:--} \$t0 \$t1" >>"$TMP/calls"
		exit \$st
	EOF
	chmod +x "$TMP/$1-timed"
}
if [ $ROWS = all ] && [ -n "${MED["ctr appliance (hut-oci)"]:-}" ]; then
	timed hut-oci "$OCI"
	timed lower "$LOWER"
	timed true /bin/true
	# What a wrapper adds to a call: its bash's start and end, outside the
	# span it logs (the median of 5 runs of a wrapped /bin/true).
	for ((r = 0; r < 5; r++)); do
		: >"$TMP/calls"
		t0=$EPOCHREALTIME
		"$TMP/true-timed"
		t1=$EPOCHREALTIME
		awk -v t0="$t0" -v t1="$t1" '{ printf "%d\n", ((t1 - t0) - ($4 - $3)) * 1e6 }' "$TMP/calls"
	done | sort -n | sed -n 3p >"$TMP/wrapper"
	wrap=$(cat "$TMP/wrapper")
	: >"$TMP/split"
	for ((r = 0; r < TRACE_RUNS; r++)); do
		: >"$TMP/calls"
		t0=$EPOCHREALTIME
		ctr -a "$SOCK" run --rm --runc-binary "$TMP/hut-oci-timed" localhost/hello:latest trace \
			>/dev/null 2>"$TMP/trace.err" </dev/null || continue
		t1=$EPOCHREALTIME
		# total, hut-oci's calls, crun's calls inside them, the monitor (µs),
		# how many calls of each, hut-oci's commands
		mon=$(sed -n 's/^hut-monitor: trace-boot: total *\([0-9]*\) us$/\1/p' "$TMP/trace.err")
		awk -v t0="$t0" -v t1="$t1" -v mon="${mon:-0}" '
			{ sum[$1] += ($4 - $3) * 1e6; n[$1]++; if ($1 == "hut-oci") cmds = cmds " " $2 }
			END { printf "%d %d %d %d %d %d%s\n", (t1 - t0) * 1e6, sum["hut-oci"], sum["lower"], mon,
				n["hut-oci"], n["lower"], cmds }
		' "$TMP/calls" >>"$TMP/split"
	done
	echo
	if [ -s "$TMP/split" ]; then
		read -r total oci lower mon noci ncrun cmds < <(sort -n "$TMP/split" | awk -v n="$(wc -l <"$TMP/split")" 'NR == int((n + 1) / 2)')
		echo "where the time goes: the run of median length of $(wc -l <"$TMP/split") traced ctr runs of the appliance (ms)"
		echo "  (hut-oci and $LN behind bash wrappers that log each call's span; a wrapper's own"
		echo "  start costs $(ms "$wrap") ms a call, taken out of the shares below and shown apart)"
		printf '  %-46s %8s\n' "ctr run, in all" "$(ms "$total")"
		printf '  %-46s %8s\n' "hut-oci: $noci calls (${cmds# })" "$(ms $((oci - ncrun * wrap)))"
		printf '  %-46s %8s\n' "  of which $LN, $ncrun calls by hut-oci" "$(ms "$lower")"
		printf '  %-46s %8s\n' "  of which hut-oci itself" "$(ms $((oci - lower - ncrun * wrap)))"
		printf '  %-46s %8s\n' "hut-monitor (--trace-boot total)" "$(ms "$mon")"
		printf '  %-46s %8s\n' "ctr + containerd + shim (the rest)" "$(ms $((total - oci - mon - noci * wrap)))"
		printf '  %-46s %8s\n' "the wrappers' own starts (tracing's cost)" "$(ms $(((noci + ncrun) * wrap)))"
	else
		echo "where the time goes: no traced run succeeded:"
		tail -n 3 "$TMP/trace.err" | sed 's/^/    /'
	fi
fi
echo
echo "bench-oci: ran on: $WHERE"

# A host without KVM: now every row, in the nested guest.
if [ $ROWS = containers ]; then
	echo
	echo "bench-oci: no usable /dev/kvm here: every row again in the nested guest of tests/vm"
	cleanup
	trap - EXIT
	exec "$ROOT/tests/vm/run.sh" --timeout 3000 -- env HUT_NESTED=1 RUNS="$RUNS" TRACE_RUNS="$TRACE_RUNS" "$0"
fi
exit 0
