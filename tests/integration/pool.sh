#!/bin/bash
# A pool of monitors made ready to restore one snapshot (hut-monitor --pool,
# monitor/pool*.c), each started by one `hut-monitor --pool-run SOCKET`:
# every request is a restore of its own (the cold run's bytes and status, a
# random stream of its own), its stdio, signals, status and network identity
# the client's; a client that goes ends its guest; what a request may not
# give, a hostile request, a pool that cannot start, and the pool's own end.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=net/lib.sh
. "$(dirname "$0")/net/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
PROG=$BUILT/ready.hut
HTTPD=$ROOT/build/tests/net/httpd-www.hut # tests/integration/net/net.mk
WWW=$ROOT/build/tests/net/www
SOCK=$TMP/pool.sock
POOL_PID=

# start_pool TAG POOL_ARG...: a pool in the background (in $POOL_NS if set),
# waited for until it says its monitors are ready.
start_pool() {
	local tag=$1 t
	shift
	(cd "$WORK" && exec ${POOL_NS:+ip netns exec "$POOL_NS"} "$MONITOR" --pool "$SOCK" "$@") \
		>"$TMP/$tag.out" 2>"$TMP/$tag.err" </dev/null &
	POOL_PID=$!
	for ((t = 0; t < 100 * SLOW; t++)); do
		grep -q 'monitors ready$' "$TMP/$tag.err" && return 0
		kill -0 "$POOL_PID" 2>/dev/null || break
		sleep 0.1
	done
	problem "$tag: the pool never got ready"
	detail_file stderr "$TMP/$tag.err"
	return 1
}

stop_pool() {
	kill -TERM "$POOL_PID" 2>/dev/null
	wait "$POOL_PID" 2>/dev/null
}

# waiting_monitors: the pool's children (the monitors not serving anyone).
waiting_monitors() {
	pgrep -P "$POOL_PID" -x hut-monitor | wc -l
}

begin "pool: each request a restore of its own: the cold run's bytes and status, its own random stream"
if ready_kvm "$PROG"; then
	run cold "$MONITOR" "$PROG"
	run snap "$MONITOR" --snapshot "$TMP/across.snap" "$PROG"
	expect_status snap 0
	run snapr "$MONITOR" --snapshot "$TMP/random.snap" "$PROG" random
	expect_status snapr 0
	if start_pool across --pool-size 2 --restore "$TMP/across.snap" "$PROG"; then
		[ "$(waiting_monitors)" = 2 ] || problem "not 2 monitors waiting: $(waiting_monitors)"
		for i in 1 2 3; do
			run "req$i" "$MONITOR" --pool-run "$SOCK"
			expect_status "req$i" 3
			cat "$(out snap)" "$(out "req$i")" >"$TMP/both$i.out"
			expect_same_file "request $i: snapshot + pooled restore stdout and the cold run's" \
				"$(out cold)" "$TMP/both$i.out"
		done
		sleep 0.5
		[ "$(waiting_monitors)" = 2 ] || problem "the pool did not make its monitors again: $(waiting_monitors)"
		stop_pool
	fi
	if start_pool random --pool-size 1 --restore "$TMP/random.snap" "$PROG" random; then
		for i in 1 2 3; do
			run "rnd$i" "$MONITOR" --pool-run "$SOCK"
			expect_status "rnd$i" 0
			expect_grep "request $i printed no random bytes" '^[0-9a-f]{32}$' "$(out "rnd$i")"
		done
		[ "$(sort -u "$(out rnd1)" "$(out rnd2)" "$(out rnd3)" | wc -l)" = 3 ] ||
			problem "two pooled restores read the same random bytes"
		stop_pool
		[ -e "$SOCK" ] && problem "the pool's socket is still there after SIGTERM"
		[ "$(pgrep -P "$POOL_PID" | wc -l)" = 0 ] || problem "monitors of the pool left after SIGTERM"
	fi
	finish
fi

# traced_request TAG SNAP: one request to a pool of one (--trace-boot) made
# ready to restore SNAP (of $PROG, made after `run cold` and `run snap`): the
# cold run's bytes and status; the pool stopped. False if it never got ready.
traced_request() {
	local tag=$1
	start_pool "$tag" --trace-boot --pool-size 1 --restore "$2" "$PROG" || return 1
	run "$tag" "$MONITOR" --pool-run "$SOCK"
	expect_status "$tag" 3
	cat "$(out snap)" "$(out "$tag")" >"$TMP/$tag-both.out"
	expect_same_file "$tag: snapshot + pooled restore stdout and the cold run's" "$(out cold)" "$TMP/$tag-both.out"
	stop_pool
}

begin "pool: a pooled monitor warms the snapshot's pages before its request; a warm-up stub that spins is cut short and the guest still serves"
if ready_kvm "$PROG"; then
	run cold "$MONITOR" "$PROG"
	run snap "$MONITOR" --snapshot "$TMP/warm.snap" "$PROG"
	expect_status snap 0
	if traced_request warm "$TMP/warm.snap"; then
		expect_grep "no warm-up timed" '^hut-monitor: trace-boot: warm-up +[0-9]+ us$' "$(err warm)"
		expect_grep "the warm-up read no page" '^hut-monitor: trace-boot: warmed pages: [1-9][0-9]*$' "$(err warm)"
	fi
	# The snapshot's RAM is the guest's, hostile: its stub's loop made
	# `jmp .` (EB FE). The monitor stops it at its CPU limit and serves.
	cp "$TMP/warm.snap" "$TMP/spin.snap"
	python3 - "$ROOT/build/bin/hut" "$PROG" "$TMP/spin.snap" <<'EOF'
import re, subprocess, sys
hut, image, snap = sys.argv[1:]
text = subprocess.run([hut, "inspect", image], capture_output=True, text=True, check=True).stdout
stub = int(re.search(r"^boot: +(0x[0-9a-f]+)", text, re.M).group(1), 16) + 16  # HUT_WARM_OFFSET
for m in re.finditer(r"^  (0x[0-9a-f]+) +(0x[0-9a-f]+) .*?(?:guest RAM (0x[0-9a-f]+)\))?$", text, re.M):
    va, size = int(m.group(1), 16), int(m.group(2), 16)
    if va <= stub < va + size:
        gpa = (int(m.group(3), 16) if m.group(3) else va) + stub - va
        with open(snap, "r+b") as f:
            f.seek(0x4000 + gpa)  # HUT_SNAP_MEM_OFFSET
            f.write(b"\xeb\xfe")
        sys.exit(0)
sys.exit("the stub is in no segment")
EOF
	traced_request spin "$TMP/spin.snap" &&
		expect_grep "a spinning stub was said to warm pages" '^hut-monitor: trace-boot: warmed pages: 0$' "$(err spin)"
	finish
fi

# device_threads_filtered PID: a waiting monitor has made its device threads
# (the console's, the network device's, its client's watcher), each under its
# own seccomp filter before any request; its main thread loads its own after.
device_threads_filtered() {
	local pid=$1 task filtered unfiltered t
	for ((t = 0; t < 50 * SLOW; t++)); do
		filtered=0 unfiltered=0
		for task in /proc/"$pid"/task/*; do
			[ "${task##*/}" = "$pid" ] && continue
			# KVM's own worker (kvm-nx-lpage-recovery, a kernel task in the
			# VM's process since Linux 6.13) runs no code of the monitor's
			case $(cat "$task/comm" 2>/dev/null) in kvm-*) continue ;; esac
			if grep -q '^Seccomp:[[:space:]]*2$' "$task/status" 2>/dev/null; then
				filtered=$((filtered + 1))
			else
				unfiltered=$((unfiltered + 1))
			fi
		done
		[ "$filtered" -ge 3 ] && [ "$unfiltered" = 0 ] && return 0
		sleep 0.1
	done
	problem "a waiting monitor has $filtered device threads under a filter and $unfiltered without, want 3 and 0"
}

begin "pool: httpd from a pool serves the same bytes at the address the request gives; its device threads filtered before; SIGTERM and a vanished client end it"
if ready_kvm "$HTTPD" "$WWW/index.html"; then
	if ! net_usable || ! net_ns pool || ! net_tap "$NS" tap0 198.51.100.1/24; then
		problem "cannot make the namespace and tap (needs root, ip, /dev/net/tun)"
	else
		POOL_NS=$NS
		run snap ip netns exec "$POOL_NS" "$MONITOR" --snapshot "$TMP/httpd.snap" --net none \
			"$HTTPD" --port 8080 --root /
		expect_status snap 0
		if start_pool httpd --pool-size 1 --restore "$TMP/httpd.snap" --net none "$HTTPD" --port 8080 --root /; then
			device_threads_filtered "$(pgrep -P "$POOL_PID" -x hut-monitor)"
			for signal in TERM KILL; do
				served=$(pgrep -P "$POOL_PID" -x hut-monitor) # the one waiting takes it
				(exec ip netns exec "$POOL_NS" "$MONITOR" --pool-run "$SOCK" --net tap0 \
					--ip 198.51.100.2/24 --gw 198.51.100.1) >"$TMP/$signal.out" \
					2>"$TMP/$signal.err" </dev/null &
				client=$!
				for ((t = 0; t < 100 * SLOW; t++)); do
					in_ns "$POOL_NS" curl -s -m 1 -o "$TMP/$signal-index" \
						"http://198.51.100.2:8080/index.html" && break
					sleep 0.1
				done
				expect_same_file "index.html from a pooled httpd ($signal case)" \
					"$WWW/index.html" "$TMP/$signal-index"
				kill -"$signal" "$client"
				wait "$client"
				st=$?
				if [ "$signal" = TERM ]; then
					[ "$st" = 143 ] || { problem "the client ended $st at SIGTERM, want 143 (the guest's)"; detail_file stderr "$TMP/$signal.err"; }
				fi
				# The guest goes with its client: the tap is free again and
				# no pooled monitor is left serving it.
				for ((t = 0; t < 50 * SLOW; t++)); do
					in_ns "$POOL_NS" curl -s -m 1 -o /dev/null "http://198.51.100.2:8080/" || break
					sleep 0.1
				done
				in_ns "$POOL_NS" curl -s -m 1 -o /dev/null "http://198.51.100.2:8080/" &&
					problem "httpd still answers after its client got SIG$signal"
				[ -n "$served" ] && kill -0 "$served" 2>/dev/null &&
					[ "$(awk '/^State:/ {print $2}' "/proc/$served/status" 2>/dev/null)" != Z ] &&
					problem "the pooled monitor $served still runs after its client got SIG$signal"
			done
			stop_pool
		fi
		POOL_NS=
	fi
	finish
fi

begin "pool: refusals: a request's other options or a device, no pool, --pool without --restore, a bad snapshot, a hostile request"
if ready_kvm "$PROG"; then
	run nopool "$MONITOR" --pool-run "$TMP/nothing.sock"
	expect_status nopool 125
	expect_grep "no line for a missing pool" "^hut-monitor: --pool-run: cannot reach the pool at $TMP/nothing.sock \(No such file or directory\)$" "$(err nopool)"
	run norestore "$MONITOR" --pool "$SOCK" "$PROG"
	expect_status norestore 125
	expect_grep "no line for --pool without --restore" '^hut-monitor: --pool SOCKET \[--pool-size N\] needs --restore FILE' "$(err norestore)"
	head -c 4096 /dev/urandom >"$TMP/bad.snap"
	run badpool timeout $((RUN_LIMIT * SLOW)) "$MONITOR" --pool "$SOCK" --restore "$TMP/bad.snap" "$PROG"
	expect_status badpool 126
	expect_grep "no line for a pool that cannot start" "^hut-monitor: pool $SOCK: a monitor ended \(126\) before it was ready$" "$(err badpool)"
	[ -e "$SOCK" ] && problem "a pool that could not start left its socket"
	run snap "$MONITOR" --snapshot "$TMP/r.snap" "$PROG" random
	if start_pool refusals --pool-size 1 --restore "$TMP/r.snap" "$PROG" random; then
		run other "$MONITOR" --pool-run "$SOCK" --mem 1G
		expect_status other 125
		expect_grep "no line for a request's --mem" "^hut-monitor: a pool request may give --net, --mac, --ip, --gw, --dns and --timeout, not '--mem'" "$(err other)"
		run addnet "$MONITOR" --pool-run "$SOCK" --net tap0
		expect_status addnet 125
		expect_grep "no line for a request adding a device" "^hut-monitor: a pool request cannot add a device its pool was not started with" "$(err addnet)"
		run badfd "$MONITOR" --pool-run "$SOCK" --net fd=99
		expect_status badfd 125
		expect_grep "no line for --net fd=99" '^hut-monitor: --pool-run: --net fd=99: not an open descriptor$' "$(err badfd)"
		# A hostile request: another magic, its stdio ours; the pooled
		# monitor refuses it (its status and one line) and the pool goes on.
		cat >"$TMP/hostile.py" <<'EOF'
import array, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
fds = array.array("i", [0, 1, 2])
s.sendmsg([struct.pack("<IIII", 0x12345678, 1, 0, 3)],
          [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
magic, status = struct.unpack("<Ii", s.recv(8))
print("status", status)
EOF
		run hostile python3 "$TMP/hostile.py" "$SOCK"
		expect_status hostile 0
		expect_grep "no status for a hostile request" '^status 125$' "$(out hostile)"
		expect_grep "no line for a hostile request" 'pool: a bad request: not a request of this hut-monitor' "$(err hostile)"
		run after "$MONITOR" --pool-run "$SOCK"
		expect_status after 0
		expect_grep "the pool did not go on after a hostile request" '^[0-9a-f]{32}$' "$(out after)"
		stop_pool
	fi
	finish
fi
