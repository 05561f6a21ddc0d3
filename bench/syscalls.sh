#!/bin/sh
# bench/syscalls.sh: what a syscall costs, made by hut's musl (in an
# appliance: a call into the libos) and by the `syscall` instruction (in an
# appliance: a trap through MSR_LSTAR), as a process and as an appliance.
#
#   make bench-syscalls      (or: CALLS=20000 ROUNDS=11 PAIRS=5 bench/syscalls.sh)
#
# bench/syscalls.c is built twice: as a hut image and as a plain static
# musl program (Debian's musl-dev, whose header executes `syscall` inline).
# As processes the two run PAIRS times, alternately; each run prints, per
# syscall, the median over its rounds of (through musl - with the
# instruction), paired round by round. The image's figure minus the plain
# program's is what hut's musl adds to a syscall in a process (goal: <= 2 ns).
# Then the image runs once as an appliance (when /dev/kvm exists), with
# APPLIANCE_CALLS calls: its "musl" rows are syscalls as calls into the
# libos, its "syscall" rows the trapped path.
#
# Writes go to /dev/null; reads come from a 4 MiB file on stdin. A benchmark,
# not a test: it never fails because a figure misses its goal.
set -eu
cd "$(dirname "$0")/.."

CALLS=${CALLS:-20000}
ROUNDS=${ROUNDS:-11}
PAIRS=${PAIRS:-5}
APPLIANCE_CALLS=${APPLIANCE_CALLS:-$CALLS}
BENCH=build/bench
IMAGE=$BENCH/syscalls.hut
PLAIN=$BENCH/syscalls-plain
MONITOR=build/bin/hut-monitor

for v in "$CALLS" "$ROUNDS" "$PAIRS" "$APPLIANCE_CALLS"; do
	case $v in '' | *[!0-9]*) echo "syscalls.sh: CALLS, ROUNDS, PAIRS must be numbers" >&2; exit 2 ;; esac
done
if [ ! -x "$IMAGE" ] || [ ! -x "$PLAIN" ]; then
	echo "syscalls.sh: build first: make bench-syscalls" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 4194304 /dev/zero >"$tmp/input"

# run OUT CALLS CMD...: one run of CMD CALLS ROUNDS, its figures in $tmp/OUT.
run() {
	out=$tmp/$1 calls=$2
	shift 2
	"$@" "$calls" "$ROUNDS" <"$tmp/input" >/dev/null 2>"$out" ||
		{ echo "syscalls.sh: $* failed:" >&2; cat "$out" >&2; exit 1; }
}

# diffs NAME: "op ns" per line, every run of NAME, from the difference lines.
diffs() {
	for f in "$tmp/$1".*; do
		sed -n '/^through musl minus/,$s/^  \(.*[A-Za-z]\) *\([-+][0-9.]*\) ns$/\1|\2/p' "$f"
	done
}

echo "== as processes: $PAIRS runs each, alternately, $CALLS calls x $ROUNDS rounds"
i=0
while [ $i -lt "$PAIRS" ]; do
	run plain.$i "$CALLS" "$PLAIN"
	run image.$i "$CALLS" "$IMAGE"
	i=$((i + 1))
done
echo "-- the last run of each:"
cat "$tmp/plain.$((PAIRS - 1))" "$tmp/image.$((PAIRS - 1))"
echo
echo "-- through musl minus with the instruction, median of the $PAIRS runs (ns):"
diffs plain >"$tmp/plain.diffs"
diffs image >"$tmp/image.diffs"
awk -F'|' '
	function median(a, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	FNR == 1 { file++ }
	{ if (!($1 in seen)) { seen[$1] = 1; order[++ops] = $1 }
	  k = $1 SUBSEP file; cnt[k]++; v[k, cnt[k]] = $2 + 0 }
	END {
		printf "%-15s %12s %12s %14s\n", "op", "plain musl", "hut image", "hut adds"
		for (o = 1; o <= ops; o++) {
			op = order[o]
			for (f = 1; f <= 2; f++) {
				k = op SUBSEP f; n = cnt[k]
				for (i = 1; i <= n; i++) a[i] = v[k, i]
				m[f] = median(a, n)
			}
			printf "%-15s %+12.1f %+12.1f %+14.1f\n", op, m[1], m[2], m[2] - m[1]
		}
	}' "$tmp/plain.diffs" "$tmp/image.diffs"

echo
if [ -e /dev/kvm ]; then
	echo "== as an appliance: $APPLIANCE_CALLS calls x $ROUNDS rounds"
	[ "${HUT_NESTED:-0}" = 1 ] &&
		echo "   (inside a nested guest under QEMU TCG: these timings mean nothing)"
	run appliance "$APPLIANCE_CALLS" "$MONITOR" --trace-boot "$IMAGE"
	grep -v ' us$' "$tmp/appliance" | sed 's/^hut-monitor: trace-boot: //'
else
	echo "== as an appliance: n/a (no /dev/kvm)"
fi
