#!/bin/bash
# bench/files.sh: file figures, the same image (build/bench/fsbench.hut,
# bench/fsbench.c) as a Linux process and as an appliance, and how many
# exits each operation costs.
#
#   make bench-files      (or: MIB=64 bench/files.sh)
#
# - Sequential write then read of MIB MiB (64) on a volume, in 4 KiB and
#   1 MiB requests: MiB/s. The process writes the same host directory.
# - Reading a packed file (the image packs a MIB-MiB file) in 1 MiB
#   requests; the process reads the same file from the host's page cache.
# - Small files: open+read+close of 1 KiB files per second, packed in the
#   image (the process: the same files on the host, cached), in /tmp (the
#   process: a tmpfs) and on a volume.
# - fsync latency on a volume (the process: the same directory).
# - Volumes are cached (cache=auto, the default); the small files are also
#   read with cache=always, and SQLite's speedtest1 (SIZE=50) runs with its
#   database on a volume with both modes (the process: the same directory).
# - Requests per operation, counted by hut-sud (tests/sud, which has no
#   file ring: each request is a file hypercall there) and syscalls the app
#   trapped (0 with hut's musl, whose syscalls are calls; a trap costs
#   about an exit on kvm-pvm); and the appliance's own exits per operation
#   (--trace-exits): through the file ring a request costs an exit only
#   when the monitor's I/O thread sleeps (a kick is KVM's ioeventfd, no
#   exit) or the guest waits long enough to sleep in the poll hypercall.
#
# Appliance figures need a usable /dev/kvm: in the nested guest (tests/vm)
# every instruction is emulated and timings mean nothing, so they are not
# taken there. A benchmark, not a test: it prints what it measured.
set -eu
cd "$(dirname "$0")/.."
MIB=${MIB:-64}
BENCH=build/bench
IMAGE=$BENCH/fsbench.hut
PACKED=$BENCH/fsbench-packed.hut
MONITOR=build/bin/hut-monitor
SUD=build/tests/hut-sud
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hut-bench-files.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/vol" "$TMP/small"
head -c $((MIB << 20)) /dev/urandom >"$TMP/big"
for i in $(seq 0 99); do head -c 1024 /dev/zero >"$TMP/small/small-$i"; done
build/bin/hut build --mem 512M -o "$IMAGE" bench/fsbench.c >/dev/null
build/bin/hut build --mem 512M --file "$TMP/big:/packed/big" --files "$TMP/small:/packed/small" \
	-o "$PACKED" bench/fsbench.c >/dev/null

APPLIANCE=0
if [ -r /dev/kvm ] && [ -w /dev/kvm ] && [ -z "${HUT_NESTED:-}" ]; then APPLIANCE=1; fi

# value LINES NAME: the number on the line NAME of fsbench's output.
value() { awk -v n="$2" '$1 == n {print $2}' <<<"$1"; }

# row WHAT NAME PROCESS-OUTPUT APPLIANCE-OUTPUT UNIT
row() {
	local p a ratio="n/a"
	p=$(value "$3" "$2")
	a=$(value "$4" "$2")
	[ -n "$a" ] && [ -n "$p" ] && ratio=$(awk -v a="$a" -v p="$p" 'BEGIN {printf "%.2fx", a / p}')
	printf '| %s | %s %s | %s | %s |\n' "$1" "${p:-?}" "$5" "${a:-n/a}${a:+ $5}" "$ratio"
}

# row_time WHAT PROCESS-OUTPUT APPLIANCE-OUTPUT: seconds, lower is better;
# the ratio is still "how many times the process's speed".
row_time() {
	local p a ratio="n/a"
	p=$(value "$2" speedtest1)
	a=$(value "$3" speedtest1)
	[ -n "$a" ] && [ -n "$p" ] && ratio=$(awk -v a="$a" -v p="$p" 'BEGIN {printf "%.2fx", p / a}')
	printf '| %s | %s s | %s | %s |\n' "$1" "${p:-?}" "${a:-n/a}${a:+ s}" "$ratio"
}

proc() { "$@" 2>/dev/null; }
appl() { [ $APPLIANCE = 1 ] && "$MONITOR" --mem 512M "$@" 2>/dev/null || true; }
# The process's /tmp: a tmpfs of its own, as the appliance's is.
proc_tmpfs() { unshare -m -r sh -c 'mount -t tmpfs -o size=256m tmpfs /tmp && exec "$@"' sh "$@"; }

p4=$(proc "$IMAGE" seq "$TMP/vol" "$MIB" 4096)
a4=$(appl --volume "$TMP/vol:/vol" "$IMAGE" seq /vol "$MIB" 4096)
p1=$(proc "$IMAGE" seq "$TMP/vol" "$MIB" 1048576)
a1=$(appl --volume "$TMP/vol:/vol" "$IMAGE" seq /vol "$MIB" 1048576)
cat "$TMP/big" >/dev/null # the process reads it from the page cache
pr=$(proc "$IMAGE" read "$TMP/big" 1048576 4)
ar=$(appl "$PACKED" read /packed/big 1048576 4)
ps=$(proc "$IMAGE" small-read "$TMP/small" 100 100)
as=$(appl "$PACKED" small-read /packed/small 100 100)
pt=$(proc_tmpfs "$IMAGE" small /tmp 100 100)
at=$(appl "$IMAGE" small /tmp 100 100)
pv=$(proc "$IMAGE" small "$TMP/vol" 100 100)
av=$(appl --volume "$TMP/vol:/vol" "$IMAGE" small /vol 100 100)
ax=$(appl --volume "$TMP/vol:/vol:cache=always" "$IMAGE" small /vol 100 100)
pf=$(proc "$IMAGE" fsync "$TMP/vol" 200)
af=$(appl --volume "$TMP/vol:/vol" "$IMAGE" fsync /vol 200)
# speedtest1 prints "TOTAL....  N.NNNs" last; its figure is seconds.
SPEEDTEST=$BENCH/speedtest1.hut SIZE=${SIZE:-50}
speedtest() { "$@" | awk '/TOTAL/ {sub("s$", "", $NF); print "speedtest1", $NF}'; }
if [ -x "$SPEEDTEST" ]; then
	rm -f "$TMP/vol"/speedtest*
	pq=$(speedtest proc "$SPEEDTEST" --size "$SIZE" "$TMP/vol/speedtest.db")
	rm -f "$TMP/vol"/speedtest*
	aq=$(speedtest appl --volume "$TMP/vol:/vol" "$SPEEDTEST" --size "$SIZE" /vol/speedtest.db)
	rm -f "$TMP/vol"/speedtest*
	aqx=$(speedtest appl --volume "$TMP/vol:/vol:cache=always" "$SPEEDTEST" --size "$SIZE" \
		/vol/speedtest.db)
	rm -f "$TMP/vol"/speedtest*
fi

echo "fsbench, $MIB MiB, $(date -u +%Y-%m-%d), $(uname -r)"
[ $APPLIANCE = 1 ] || echo "appliance: n/a (no usable /dev/kvm here; the nested guest's timings mean nothing)"
echo
echo "| operation | process | appliance | appliance/process |"
echo "|---|---|---|---|"
row "volume: write, 4 KiB requests" seq-write-4096 "$p4" "$a4" MiB/s
row "volume: read, 4 KiB requests" seq-read-4096 "$p4" "$a4" MiB/s
row "volume: write, 1 MiB requests" seq-write-1048576 "$p1" "$a1" MiB/s
row "volume: read, 1 MiB requests" seq-read-1048576 "$p1" "$a1" MiB/s
row "packed file: read, 1 MiB requests (process: page cache)" read-1048576 "$pr" "$ar" MiB/s
row "small files packed: open+read+close" small-open-read-close "$ps" "$as" ops/s
row "small files in /tmp: open+read+close" small-open-read-close "$pt" "$at" ops/s
row "small files on a volume: open+read+close" small-open-read-close "$pv" "$av" ops/s
row "small files on a volume, cache=always: open+read+close" small-open-read-close "$pv" "$ax" ops/s
row "volume: fsync of a 4 KiB append, median" fsync-median "$pf" "$af" us
if [ -x "$SPEEDTEST" ]; then
	row_time "SQLite speedtest1 --size $SIZE, database on a volume" "$pq" "$aq"
	row_time "SQLite speedtest1 --size $SIZE, on a volume, cache=always" "$pq" "$aqx"
fi

# Exits per operation: the difference between 2N and N operations, so
# that start-up and setup cancel out.
count() { HUT_SUD_COUNT=1 "$SUD" "$@" 2>&1 >/dev/null | tail -n 1; }
hc_file() { sed -n 's/.* hc6 \([0-9]*\).*/\1/p' <<<"$1"; }
sys() { sed -n 's/^hut-sud: \([0-9]*\) syscalls.*/\1/p' <<<"$1"; }
# The appliance's own exits (--trace-exits): with the file ring, a volume
# request is no exit while the monitor's I/O thread is awake.
exits() { [ $APPLIANCE = 1 ] && "$MONITOR" --mem 512M --trace-exits "$@" 2>&1 >/dev/null |
	sed -n 's/.*trace-exits: \([0-9]*\) exits to the monitor.*/\1/p'; }
per_op() { # WHAT N ARGS-FOR-N ARGS-FOR-2N
	local what=$1 n=$2 one two e2 ex="n/a"
	one=$(count $3)
	two=$(count $4)
	e2=$(exits $4 || true)
	# All of the 2N run's exits over its 2N operations (its start-up
	# included): a difference of two runs is noise, exits being timing's.
	[ -n "$e2" ] && ex=$(awk -v b="$e2" -v n="$n" 'BEGIN {printf "%.2f", b / (2 * n)}')
	printf '| %s | %s | %s | %s |\n' "$what" \
		"$(awk -v a="$(hc_file "$one")" -v b="$(hc_file "$two")" -v n="$n" 'BEGIN {printf "%.2f", (b - a) / n}')" \
		"$(awk -v a="$(sys "$one")" -v b="$(sys "$two")" -v n="$n" 'BEGIN {printf "%.2f", (b - a) / n}')" \
		"$ex"
}
echo
echo "| operation | file requests each (hut-sud, no ring: each a hypercall) | syscalls trapped each | appliance exits each (--trace-exits, start-up included) |"
echo "|---|---|---|---|"
V="--volume $TMP/vol:/vol"
per_op "open+read+close, volume" 10000 "$V $IMAGE small /vol 100 100" "$V $IMAGE small /vol 100 200"
VA="--volume $TMP/vol:/vol:cache=always"
per_op "open+read+close, volume cache=always" 10000 "$VA $IMAGE small /vol 100 100" \
	"$VA $IMAGE small /vol 100 200"
per_op "open+read+close, /tmp" 10000 "$IMAGE small /tmp 100 100" "$IMAGE small /tmp 100 200"
per_op "open+read+close, packed" 10000 "$PACKED small-read /packed/small 100 100" \
	"$PACKED small-read /packed/small 100 200"
per_op "4 KiB write and its read back, volume" 256 "$V $IMAGE seq /vol 1 4096" "$V $IMAGE seq /vol 2 4096"
V0="--volume $TMP/vol:/vol:cache=none"
per_op "4 KiB write and its read back, volume cache=none" 256 "$V0 $IMAGE seq /vol 1 4096" \
	"$V0 $IMAGE seq /vol 2 4096"
per_op "4 KiB append + fsync (+ 2 clock reads), volume" 100 "$V $IMAGE fsync /vol 100" "$V $IMAGE fsync /vol 200"
