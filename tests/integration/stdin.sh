#!/bin/bash
# stdin: the console's read path. apps/cat copies stdin to stdout; as a
# process and as an appliance it must give the same bytes, the same stderr
# summary and the same status, for binary input, lines, and no input at all.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

CAT=$IMAGES/cat.hut

# same_both NAME INPUT: runs cat.hut both ways on INPUT and compares.
same_both() {
	local name=$1 input=$2
	(cd "$WORK" && "$CAT" <"$input" >"$TMP/$name.p.out" 2>"$TMP/$name.p.err")
	local ps=$?
	(cd "$WORK" && timeout -s KILL "$RUN_LIMIT" "$MONITOR" "$CAT" <"$input" \
		>"$TMP/$name.a.out" 2>"$TMP/$name.a.err")
	local as=$?
	[ $ps = 0 ] || problem "process exited $ps"
	[ $as = $ps ] || { problem "appliance exited $as, process $ps"; detail_file stderr "$TMP/$name.a.err"; }
	cmp -s "$input" "$TMP/$name.a.out" || problem "appliance stdout differs from the input"
	cmp -s "$TMP/$name.p.out" "$TMP/$name.a.out" || problem "stdout differs from the process's"
	cmp -s "$TMP/$name.p.err" "$TMP/$name.a.err" ||
		{ problem "stderr differs"; detail_file process "$TMP/$name.p.err"; detail_file appliance "$TMP/$name.a.err"; }
}

begin "stdin 1 MiB of random bytes"
if ready_kvm "$MONITOR" "$CAT"; then
	head -c 1048576 /dev/urandom >"$TMP/random.in"
	same_both random "$TMP/random.in"
	finish
fi

begin "stdin text lines"
if ready_kvm "$MONITOR" "$CAT"; then
	seq 1 20000 >"$TMP/lines.in"
	same_both lines "$TMP/lines.in"
	expect_grep "no line count" '^cat: [0-9]* bytes, 20000 lines$' "$TMP/lines.a.err"
	finish
fi

begin "stdin empty"
if ready_kvm "$MONITOR" "$CAT"; then
	same_both empty /dev/null
	expect_grep "no summary" '^cat: 0 bytes, 0 lines$' "$TMP/empty.a.err"
	finish
fi

# A pipe hands over what is there: reads come back short, the guest must go on.
begin "stdin from a slow pipe"
if ready_kvm "$MONITOR" "$CAT"; then
	(for i in 1 2 3 4 5; do seq 1 1000; sleep 0.05; done) >"$TMP/slow.want"
	(for i in 1 2 3 4 5; do seq 1 1000; sleep 0.05; done) |
		timeout -s KILL "$RUN_LIMIT" "$MONITOR" "$CAT" >"$TMP/slow.out" 2>"$TMP/slow.err"
	st=${PIPESTATUS[1]}
	[ "$st" = 0 ] || { problem "exited $st"; detail_file stderr "$TMP/slow.err"; }
	cmp -s "$TMP/slow.want" "$TMP/slow.out" || problem "output differs from what went in"
	finish
fi

# Whether stdin has input: poll, select and epoll time out while nothing
# came and a non-blocking read says EAGAIN (the appliance answered "ready"
# before, and its read then waited), a poll without a timeout ends when a
# line comes, and with POLLHUP when the writer goes. stdin_poll.c as a glibc
# program, as a process and as an appliance: the same lines.
POLLER=$ROOT/build/tests/programs/stdin_poll
# fed TAG COMMAND...: COMMAND with a FIFO as stdin: a line written when it
# says "waiting", the writer gone when it says "close now".
fed() {
	local tag=$1 feed pid i
	shift
	rm -f "$TMP/feed.fifo" && mkfifo "$TMP/feed.fifo"
	exec {feed}<>"$TMP/feed.fifo"
	# the command holds no writer itself: closing ours is the end of input
	(cd "$WORK" && exec "$@" {feed}>&-) <"$TMP/feed.fifo" >"$TMP/$tag.out" 2>"$TMP/$tag.err" &
	pid=$!
	for i in $(seq $((RUN_LIMIT * SLOW * 10))); do grep -q '^waiting$' "$TMP/$tag.out" && break; sleep 0.1; done
	echo fed >&"$feed"
	for i in $(seq $((RUN_LIMIT * SLOW * 10))); do grep -q '^close now$' "$TMP/$tag.out" && break; sleep 0.1; done
	exec {feed}>&-
	for i in $(seq $((RUN_LIMIT * SLOW * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid"
	ST=$?
}
begin "stdin: poll, select, epoll and a non-blocking read see whether input came"
if ready "$POLLER.hut" "$POLLER-ref"; then
	fed ref "$POLLER-ref"
	[ "$ST" = 0 ] || problem "the glibc program exited $ST"
	fed proc "$POLLER.hut"
	[ "$ST" = 0 ] || problem "the process exited $ST"
	expect_same_file "process and glibc program stdout" "$TMP/ref.out" "$TMP/proc.out"
	if need_kvm; then
		fed appl "$MONITOR" "$POLLER.hut"
		[ "$ST" = 0 ] || { problem "the appliance exited $ST"; detail_file stderr "$TMP/appl.err"; }
		expect_same_file "appliance and process stdout" "$TMP/proc.out" "$TMP/appl.out"
		finish
	fi
fi

# The same through a real program: busybox (Debian's source, built with
# hut-cc) whose shell's `read -t` waits on stdin with a timeout.
BB=$ROOT/build/debian/busybox.hut
BB_SCRIPT='read -t 1 x; echo "read -t: $?"; echo waiting; read y; echo "read: $y"
echo "close now"; read z; echo "at the end: $?"'
begin "stdin: busybox sh's read -t times out while nothing comes, then reads"
if ready "$BB"; then
	fed bbproc "$BB" sh -c "$BB_SCRIPT"
	[ "$ST" = 0 ] || problem "the process exited $ST"
	expect_grep "the process's read -t did not time out" '^read -t: [1-9][0-9]*$' "$TMP/bbproc.out"
	if need_kvm; then
		fed bbappl "$MONITOR" "$BB" sh -c "$BB_SCRIPT"
		[ "$ST" = 0 ] || { problem "the appliance exited $ST"; detail_file stderr "$TMP/bbappl.err"; }
		expect_same_file "appliance and process stdout" "$TMP/bbproc.out" "$TMP/bbappl.out"
		finish
	fi
fi
