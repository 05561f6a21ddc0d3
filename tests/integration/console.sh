#!/bin/bash
# shellcheck disable=SC2016,SC2015 # quoted scripts for an inner bash; A && B || problem
# The console ring (programs/console.c): what a program writes to stdout
# and stderr reaches the reader, in the order written, with nothing lost,
# however it goes on or ends: a crash, an exit, --timeout, SIGTERM or
# SIGKILL of the monitor from outside, a reader that is slow or gone, a
# prompt before a read of stdin, a long computation after a line. Where
# the three can be compared (a glibc program, the image as a process, the
# image as an appliance), the same bytes and the same status.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
IMAGE=$BUILT/console.hut
REF=$BUILT/console-ref

differential "console: a partial line, then a crash" "$IMAGE" "$REF" crash:139 crash
differential "console: stdout and stderr, 3000 lines alternating" "$IMAGE" "$REF" 0 interleave

# joined TAG CMD...: CMD with stdout and stderr one pipe (2>&1 | cat), as
# run does otherwise; the status is CMD's.
joined() {
	local tag=$1
	shift
	run "$tag" bash -c '"$@" 2>&1 | cat; exit "${PIPESTATUS[0]}"' joined "$@"
}

begin "console: stdout and stderr into one pipe keep the order written"
if ready "$IMAGE" "$REF"; then
	joined ref "$REF" interleave 3000
	expect_status ref 0
	joined proc "$IMAGE" interleave 3000
	expect_status proc 0
	expect_same_file "process and reference output" "$(out ref)" "$(out proc)"
	if need_kvm; then
		joined appl "$MONITOR" "$IMAGE" interleave 3000
		expect_status appl 0
		expect_same_file "appliance and process output" "$(out proc)" "$(out appl)"
		finish
	fi
fi

# A terminal (hut-oci's tty mode, an interactive shell): script(1) (util-linux,
# Essential in Debian) gives the program a pty for stdin, stdout and stderr.
begin "console: stdout and stderr a terminal keep the order written"
if ready "$IMAGE"; then
	run proc script -qec "$(printf '%q ' "$IMAGE") interleave 300" /dev/null
	expect_status proc 0
	expect_grep "no terminal line endings from the process" $'^out line 0\r$' "$(out proc)"
	if need_kvm; then
		run appl script -qec "$(printf '%q ' "$MONITOR" "$IMAGE") interleave 300" /dev/null
		expect_status appl 0
		expect_same_file "appliance and process output" "$(out proc)" "$(out appl)"
		finish
	fi
fi

begin "console: the guest's bytes come before the monitor's crash line"
if ready_kvm "$IMAGE"; then
	joined appl "$MONITOR" "$IMAGE" crash
	expect_status appl 139
	first=$(head -1 "$(out appl)")
	[ "$first" = "stdout before the crash, no newlinestderr before the crash" ] ||
		{ problem "the guest's bytes are not first, whole"; detail_file output "$(out appl)"; }
	[[ $(sed -n 2p "$(out appl)") == "hut-monitor: "*"guest crashed: #PF"* ]] ||
		{ problem "the crash line does not follow them"; detail_file output "$(out appl)"; }
	finish
fi

# A line, then a spin of 3 s: the line must be readable while the guest
# still computes, not at its end; then SIGKILL of the monitor (nothing can
# run after it) leaves that line, and only it, with the reader.
begin "console: a line is out while the guest computes, and survives SIGKILL"
if ready_kvm "$IMAGE"; then
	(cd "$WORK" && exec "$MONITOR" "$IMAGE" spin 3) >"$TMP/spin.out" 2>"$TMP/spin.err" &
	pid=$!
	t0=$(date +%s%N)
	seen=
	for ((i = 0; i < 150 * SLOW; i++)); do
		grep -q "^first line" "$TMP/spin.out" && { seen=$((($(date +%s%N) - t0) / 1000000)); break; }
		sleep 0.01
	done
	kill -0 "$pid" 2>/dev/null || problem "the guest ended before its 3 s spin did"
	kill -KILL "$pid" 2>/dev/null
	{ wait "$pid"; } 2>/dev/null
	[ -n "$seen" ] || problem "the line did not appear within $((1500 * SLOW)) ms"
	printf 'first line, then a spin\n' >"$TMP/spin.want"
	expect_same_file "output after SIGKILL" "$TMP/spin.want" "$TMP/spin.out"
	[ -n "$seen" ] && TEST_DETAILS+=("the line appeared ${seen} ms after the start")
	finish
fi

# many: 2000 lines on stdout, "all written" on stderr, then a spin for good.
begin "console: --timeout: every line, then the monitor's line"
if ready "$IMAGE" "$REF"; then
	joined ref timeout 1 "$REF" many 2000
	expect_status ref 124
	if need_kvm; then
		joined appl "$MONITOR" --timeout 1 "$IMAGE" many 2000
		expect_status appl 124
		head -n 2001 "$(out appl)" >"$TMP/timeout.guest"
		expect_same_file "the guest's output" "$(out ref)" "$TMP/timeout.guest"
		[ "$(wc -l <"$(out appl)")" = 2002 ] || problem "not exactly one line after the guest's"
		expect_grep "no timeout line last" "^hut-monitor: .*timed out after 1 s$" \
			<(tail -1 "$(out appl)")
		finish
	fi
fi

# killed_after TAG SIGNAL CMD...: CMD, sent SIGNAL once its stderr says it
# wrote everything (the ring keeps the order across stdout and stderr, so
# every stdout line is out by then). Sets ST.
killed_after() {
	local tag=$1 sig=$2 pid i
	shift 2
	rm -f "$TMP/$tag.out" "$TMP/$tag.err"
	(cd "$WORK" && exec "$@") >"$TMP/$tag.out" 2>"$TMP/$tag.err" </dev/null &
	pid=$!
	for ((i = 0; i < RUN_LIMIT * SLOW * 100; i++)); do
		grep -q "^all written" "$TMP/$tag.err" && break
		sleep 0.01
	done
	kill -s "$sig" "$pid"
	{ wait "$pid"; } 2>/dev/null
	ST=$?
	HUNG=0
}

for sig in TERM KILL; do
	begin "console: SIG$sig of the monitor from outside: every line was out"
	if ready "$IMAGE" "$REF"; then
		killed_after "ref-$sig" "$sig" "$REF" many 20000
		want=$ST
		if need_kvm; then
			killed_after "appl-$sig" "$sig" "$MONITOR" "$IMAGE" many 20000
			expect_status "appl-$sig" "$want"
			expect_same_file "the guest's stdout" "$(out "ref-$sig")" "$(out "appl-$sig")"
			finish
		fi
	fi
done

# prompt: "name? " then a read of stdin: the prompt must be on the screen
# while the program waits, before anyone types.
prompted() {
	local tag=$1 pid i
	shift
	rm -f "$TMP/fifo" && mkfifo "$TMP/fifo"
	exec 7<>"$TMP/fifo" # held open: the program's read waits, never sees EOF
	(cd "$WORK" && exec "$@") <"$TMP/fifo" >"$TMP/$tag.out" 2>"$TMP/$tag.err" &
	pid=$!
	PROMPTED=0
	for ((i = 0; i < 300 * SLOW; i++)); do
		[ "$(cat "$TMP/$tag.out")" = "name? " ] && { PROMPTED=1; break; }
		sleep 0.01
	done
	echo bob >&7
	exec 7>&-
	for ((i = 0; i < RUN_LIMIT * SLOW * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	{ wait "$pid"; } 2>/dev/null
	ST=$?
	HUNG=0
}

begin "console: a prompt shows before the read of stdin"
if ready "$IMAGE" "$REF"; then
	printf 'name? hello bob\n' >"$TMP/prompt.want"
	for way in ref proc appl; do
		case $way in
		ref) prompted ref "$REF" prompt ;;
		proc) prompted proc "$IMAGE" prompt ;;
		appl) need_kvm || continue 2; prompted appl "$MONITOR" "$IMAGE" prompt ;;
		esac
		[ "$PROMPTED" = 1 ] || problem "$way: no prompt while it waited"
		expect_status "$way" 0
		expect_same_file "$way output" "$TMP/prompt.want" "$(out $way)"
	done
	finish
fi

# volume: 8 MiB in writes of 1 to 4001 bytes, into a pipe whose reader
# sleeps 1 s first: the writer must wait, not drop, and the bytes that are
# still in the ring when it exits must follow.
begin "console: a full pipe, a slow reader: every byte, in order"
if ready "$IMAGE" "$REF"; then
	run ref bash -c '"$1" volume 8 | { sleep 1; cat; }; exit "${PIPESTATUS[0]}"' slow "$REF"
	expect_status ref 0
	cp "$(out ref)" "$TMP/volume.want"
	cp "$(err ref)" "$TMP/volume.want-err"
	if need_kvm; then
		run appl bash -c '"$1" "$2" volume 8 | { sleep 1; cat; }; exit "${PIPESTATUS[0]}"' slow \
			"$MONITOR" "$IMAGE"
		expect_status appl 0
		[ "$(wc -c <"$(out appl)")" = 8388608 ] || problem "not 8 MiB: $(wc -c <"$(out appl)") bytes"
		expect_same_file "the bytes" "$TMP/volume.want" "$(out appl)"
		expect_same_file "the sum on stderr" "$TMP/volume.want-err" "$(err appl)"
		finish
	fi
fi

# stdout a pipe someone set O_NONBLOCK on (the description is shared): the
# guest's fd 1 is not non-blocking, so the monitor waits for room with poll
# rather than hand it an EAGAIN; the reader starts after 1 s, then drains.
NONBLOCK_READER='
import fcntl, os, subprocess, sys, time
r, w = os.pipe()
fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)
p = subprocess.Popen(sys.argv[2:], stdout=w)
os.close(w)
time.sleep(1)
with open(sys.argv[1], "wb") as out:
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        out.write(b)
sys.exit(p.wait())'
begin "console: stdout a non-blocking pipe: the guest waits, nothing is lost"
if ready "$IMAGE" "$REF"; then
	run ref "$REF" volume 4
	expect_status ref 0
	cp "$(out ref)" "$TMP/nonblock.want"
	if need_kvm; then
		run appl python3 -c "$NONBLOCK_READER" "$TMP/nonblock.got" "$MONITOR" "$IMAGE" volume 4
		expect_status appl 0
		expect_same_file "the bytes" "$TMP/nonblock.want" "$TMP/nonblock.got"
		finish
	fi
fi

# A reader that holds the pipe and never reads: the guest fills the pipe
# and the ring, then waits in a write; --timeout must still end it, after
# at most a second more of waiting for the reader.
begin "console: a stuck reader: --timeout still ends it"
if ready_kvm "$IMAGE"; then
	run appl bash -c '"$1" --timeout 2 "$2" volume 64 > >(sleep 20); exit $?' stuck \
		"$MONITOR" "$IMAGE"
	expect_status appl 124
	[ "$MS" -lt $((6000 * SLOW)) ] || problem "it took $MS ms to end (--timeout 2)"
	expect_grep "no timeout line" "^hut-monitor: .*timed out after 2 s$" "$(err appl)"
	finish
fi

# The same stuck reader, and a SIGTERM from outside after 2 s: it ends the
# guest with 143 as it ends the process blocked in its write, however full
# the ring and whichever way the guest waits.
begin "console: a stuck reader: a SIGTERM ends the writer, 143"
STUCK_TERM='"$@" volume 64 > >(sleep 20) & sleep 2; kill -TERM $!; wait $!'
if ready "$IMAGE" "$REF"; then
	run proc bash -c "$STUCK_TERM" stuck "$IMAGE"
	expect_status proc 143
	if need_kvm; then
		run appl bash -c "$STUCK_TERM" stuck "$MONITOR" "$IMAGE"
		expect_status appl 143
		[ "$MS" -lt $((6000 * SLOW)) ] || problem "it took $MS ms to end (SIGTERM after 2 s)"
		finish
	fi
fi

# pipe: writes until a write fails; the reader reads 1000 bytes and goes.
for how in default ignore; do
	begin "console: the reader goes away: SIGPIPE ($how)"
	if ready "$IMAGE" "$REF"; then
		[ $how = default ] && want=141 || want=5
		for way in ref proc appl; do
			case $way in
			ref) cmd=("$REF") ;;
			proc) cmd=("$IMAGE") ;;
			appl) need_kvm || continue 2; cmd=("$MONITOR" "$IMAGE") ;;
			esac
			run "$way" bash -c '"$@" | head -c 1000 >/dev/null; exit "${PIPESTATUS[0]}"' \
				pipe "${cmd[@]}" pipe "$how"
			expect_status "$way" "$want"
			if [ $how = ignore ]; then
				expect_grep "$way: no EPIPE" "^write failed: EPIPE$" "$(err "$way")"
			fi
		done
		finish
	fi
done

# The point of the ring: 100000 one-byte writes, and no exit for them.
begin "console: 100000 one-byte writes make almost no exits (--trace-exits)"
if ready_kvm "$IMAGE"; then
	run appl "$MONITOR" --trace-exits "$IMAGE" tiny 100000
	expect_status appl 0
	[ "$(wc -c <"$(out appl)")" = 100000 ] || problem "not 100000 bytes out"
	exits=$(sed -n 's/^hut-monitor: trace-exits: \([0-9]*\) exits to the monitor.*/\1/p' "$(err appl)")
	[ -n "$exits" ] && [ "$exits" -lt 100 ] ||
		{ problem "${exits:-no} exits for 100000 writes (expected fewer than 100)"; detail_file stderr "$(err appl)"; }
	# Each write went one way: the ring, or (the ring full) the hypercall.
	ring=$(sed -n 's/^hut-monitor: trace-exits: console: ring \([0-9]*\) writes.*/\1/p' "$(err appl)")
	direct=$(sed -n 's/^hut-monitor: trace-exits: console: .*, \([0-9]*\) writes through the hypercall.*/\1/p' "$(err appl)")
	[ -n "$ring" ] && [ -n "$direct" ] && [ $((ring + direct)) = 100000 ] && [ "$ring" -ge 99000 ] ||
		{ problem "the ring did not carry them (ring ${ring:-?}, hypercall ${direct:-?})"; detail_file stderr "$(err appl)"; }
	finish
fi
