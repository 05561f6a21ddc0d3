#!/bin/bash
# hut-test: needs-kvm
# Snapshots (hut-monitor --snapshot FILE / --restore FILE): programs/ready.c
# snapshotted at hut_ready() with a thread and a child process waiting
# across it, restored: the snapshot run's and the restore's stdout together
# are the cold run's bytes, the status the same (and the cold run is the
# glibc program's and the process's). Two restores of one snapshot read
# different getrandom() bytes; a restore's CLOCK_REALTIME is now; an alarm
# armed before the ready point still ends a loop without syscalls. A
# truncated, corrupted, other-image, other-ABI or other-arguments snapshot
# is refused with 126 and one line, a missing one 127; a guest holding a
# file open on a volume is refused with 125 and one line. apps/httpd
# snapshotted at its default ready point (every thread waiting for input),
# on a tap in a namespace of the test's own (192.0.2.0/24), restored:
# it serves the same bytes as a cold one, also with a MAC of its own, and
# restored with another address (198.51.100.2, on another namespace's tap)
# at that address. --net none: a snapshot made with a device that has no
# host side, restored with a tap and an address, serves the same bytes;
# --net none without --snapshot is refused (125, one line), a snapshot
# without a device restored with --net is refused (126, one line). A
# restore's --dns is the guest's /etc/resolv.conf (new, or the
# snapshot's when not given).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=net/lib.sh
. "$(dirname "$0")/net/lib.sh"

BUILT=$ROOT/build/tests/programs # tests/integration/programs/programs.mk
PROG=$BUILT/ready.hut
HTTPD=$ROOT/build/tests/net/httpd-www.hut # tests/integration/net/net.mk
WWW=$ROOT/build/tests/net/www
SNAP=$TMP/snap

differential "snapshot: the program cold (thread and child across hut_ready())" "$PROG" \
	"$BUILT/ready-ref" 3
cp "$(out appl)" "$TMP/cold.out" 2>/dev/null

begin "snapshot: taken at hut_ready(), restored: the cold run's bytes and status"
if ready_kvm "$PROG" "$TMP/cold.out"; then
	run snap "$MONITOR" --snapshot "$SNAP.across" "$PROG"
	expect_status snap 0
	expect_grep "no snapshot line" "^hut-monitor: snapshot $SNAP.across: [1-9][0-9]* KiB of guest memory$" \
		"$(err snap)"
	lines=$(wc -l <"$(err snap)")
	[ "$lines" = 1 ] || { problem "the snapshot run printed $lines lines on stderr"; detail_file stderr "$(err snap)"; }
	printf 'before ready\n' >"$TMP/want-snap.out"
	expect_same_file "snapshot run's stdout and the line before hut_ready()" "$TMP/want-snap.out" "$(out snap)"
	# Sparse: far fewer blocks on disk than the guest's RAM.
	blocks=$(($(stat -c '%b * %B' "$SNAP.across")))
	size=$(stat -c %s "$SNAP.across")
	[ "$blocks" -lt $((size / 4)) ] || problem "snapshot not sparse ($blocks bytes on disk of $size)"
	run restore "$MONITOR" --restore "$SNAP.across" "$PROG"
	expect_status restore 3
	cat "$(out snap)" "$(out restore)" >"$TMP/both.out"
	expect_same_file "snapshot + restore stdout and the cold run's" "$TMP/cold.out" "$TMP/both.out"
	run restore2 "$MONITOR" --restore "$SNAP.across" "$PROG"
	expect_status restore2 3
	expect_same_file "a second restore's stdout and the first's" "$(out restore)" "$(out restore2)"
	finish
fi

begin "snapshot: two restores of one snapshot read different getrandom() bytes"
if ready_kvm "$PROG"; then
	run snap "$MONITOR" --snapshot "$SNAP.random" "$PROG" random
	expect_status snap 0
	run r1 "$MONITOR" --restore "$SNAP.random" "$PROG" random
	expect_status r1 0
	run r2 "$MONITOR" --restore "$SNAP.random" "$PROG" random
	expect_status r2 0
	expect_grep "first restore printed no random bytes" '^[0-9a-f]{32}$' "$(out r1)"
	expect_grep "second restore printed no random bytes" '^[0-9a-f]{32}$' "$(out r2)"
	cmp -s "$(out r1)" "$(out r2)" && problem "two restores read the same random bytes ($(cat "$(out r1)"))"
	finish
fi

differential "snapshot: an alarm ends a spin (cold)" "$PROG" "$BUILT/ready-ref" 4 spin
begin "snapshot: an alarm armed before the ready point ends a spin after the restore (the tick)"
if ready_kvm "$PROG"; then
	run snap "$MONITOR" --snapshot "$SNAP.spin" "$PROG" spin
	expect_status snap 0
	run restore "$MONITOR" --timeout 10 --restore "$SNAP.spin" "$PROG" spin
	expect_status restore 4
	printf 'alarm fired in the spin\n' >"$TMP/want-spin.out"
	expect_same_file "restored spin's stdout" "$TMP/want-spin.out" "$(out restore)"
	finish
fi

begin "snapshot: a restore's CLOCK_REALTIME is now, not the snapshot's time"
if ready_kvm "$PROG"; then
	run snap "$MONITOR" --snapshot "$SNAP.clock" "$PROG" clock
	expect_status snap 0
	taken=$(date +%s)
	sleep 2
	run restore "$MONITOR" --restore "$SNAP.clock" "$PROG" clock
	now=$(date +%s)
	expect_status restore 0
	got=$(cat "$(out restore)")
	if ! [[ $got =~ ^[0-9]+$ ]] || [ "$got" -lt $((taken + 2)) ] || [ "$got" -gt "$now" ]; then
		problem "restored guest's time $got is not in [$((taken + 2)), $now]"
	fi
	finish
fi

# header_size: sizeof(struct hut_snap_header), as the monitor has it.
header_size() {
	printf '#include "snapshot.h"\n#include <stdio.h>\nint main(void) { printf("%%zu\\n", sizeof(struct hut_snap_header)); }\n' |
		gcc -x c -I "$ROOT/monitor" -I "$ROOT/include" -o "$TMP/header_size" - && "$TMP/header_size"
}

# set_u32 FILE OFFSET VALUE: a little-endian 32-bit field; then the header's
# CRC (offset 20) made right again, so that only that field is wrong.
set_u32() {
	python3 - "$1" "$2" "$3" "$HEADER_SIZE" <<'EOF'
import struct, sys, zlib
path, off, value, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with open(path, 'r+b') as f:
    h = bytearray(f.read(size))
    h[off:off + 4] = struct.pack('<I', value)
    h[20:24] = b'\0\0\0\0'
    h[20:24] = struct.pack('<I', zlib.crc32(bytes(h)) & 0xffffffff)
    f.seek(0)
    f.write(h)
EOF
}

begin "snapshot: truncated, corrupted, other image, other ABI, other arguments: 126, one line"
if ready_kvm "$PROG" "$SNAP.random" "$ROOT/build/apps/hello.hut"; then
	HEADER_SIZE=$(header_size)
	[ -n "$HEADER_SIZE" ] || problem "cannot build the header size helper"
	head -c $((HEADER_SIZE + 8192)) "$SNAP.random" >"$SNAP.truncated"
	run trunc "$MONITOR" --restore "$SNAP.truncated" "$PROG" random
	expect_monitor_error trunc 126
	expect_grep "truncation not named" 'truncated' "$(err trunc)"
	head -c 100 "$SNAP.random" >"$SNAP.short"
	run short "$MONITOR" --restore "$SNAP.short" "$PROG" random
	expect_monitor_error short 126
	cp "$SNAP.random" "$SNAP.flipped"
	flip_byte "$SNAP.flipped" 200 # in the saved registers
	run flipped "$MONITOR" --restore "$SNAP.flipped" "$PROG" random
	expect_monitor_error flipped 126
	expect_grep "corruption not named" 'corrupt' "$(err flipped)"
	cp "$SNAP.random" "$SNAP.abi"
	set_u32 "$SNAP.abi" 12 9 # abi_version
	run abi "$MONITOR" --restore "$SNAP.abi" "$PROG" random
	expect_monitor_error abi 126
	expect_grep "ABI not named" 'ABI' "$(err abi)"
	# Another image of this ABI: apps/hello.
	run other "$MONITOR" --restore "$SNAP.random" "$ROOT/build/apps/hello.hut" random
	expect_monitor_error other 126
	expect_grep "other image not named" 'another image' "$(err other)"
	run args "$MONITOR" --restore "$SNAP.random" "$PROG" clock
	expect_monitor_error args 126
	expect_grep "other arguments not named" 'other guest arguments' "$(err args)"
	run mem "$MONITOR" --restore "$SNAP.random" --mem 128M "$PROG" random
	expect_monitor_error mem 126
	run missing "$MONITOR" --restore "$SNAP.none" "$PROG" random
	expect_monitor_error missing 127
	printf 'not a snapshot' >"$SNAP.text"
	run text "$MONITOR" --restore "$SNAP.text" "$PROG" random
	expect_monitor_error text 126
	finish
fi

begin "snapshot: a guest that exits before its ready point: no snapshot, 125, one line"
if ready_kvm "$ROOT/build/apps/hello.hut"; then
	run early "$MONITOR" --snapshot "$SNAP.early" "$ROOT/build/apps/hello.hut"
	expect_status early 125
	expect_grep "no line saying why" '^hut-monitor: .*: no snapshot: the guest exited \(status 0\) before its ready point$' \
		"$(err early)"
	lines=$(grep -c '^hut-monitor: ' "$(err early)")
	[ "$lines" = 1 ] || problem "$lines 'hut-monitor:' lines, expected 1"
	finish
fi

begin "snapshot: a file open on a volume is refused (125, one line), and nothing restorable written"
if ready_kvm "$PROG"; then
	mkdir -p "$TMP/vol"
	echo data >"$TMP/vol/f"
	run volsnap "$MONITOR" --snapshot "$SNAP.vol" --volume "$TMP/vol:/data" "$PROG" open /data/f
	expect_monitor_error volsnap 125
	expect_grep "refusal does not say why" 'file open on volumes' "$(err volsnap)"
	run volrestore "$MONITOR" --restore "$SNAP.vol" --volume "$TMP/vol:/data" "$PROG" open /data/f
	expect_monitor_error volrestore 126
	finish
fi

# A volume without a file open across the ready point: the file ring's
# requests before it (a close not waited for, the write-back) are served
# into the snapshot's run, and a restore's ring goes on where it was.
begin "snapshot: a volume's file written before the ready point, read back and another written after the restore"
if ready_kvm "$PROG"; then
	mkdir -p "$TMP/vol2"
	run volcold "$MONITOR" --volume "$TMP/vol2:/data" "$PROG" volume
	expect_status volcold 0
	rm -f "$TMP/vol2/before" "$TMP/vol2/after"
	run volsnap2 "$MONITOR" --snapshot "$SNAP.vol2" --volume "$TMP/vol2:/data" "$PROG" volume
	expect_status volsnap2 0
	[ "$(cat "$TMP/vol2/before" 2>/dev/null)" = "written before the ready point" ] ||
		problem "the snapshot's run did not leave /data/before on the host"
	[ -e "$TMP/vol2/after" ] && problem "the snapshot's run went past its ready point"
	run volrest2 "$MONITOR" --restore "$SNAP.vol2" --volume "$TMP/vol2:/data" "$PROG" volume
	expect_status volrest2 0
	expect_same_file "the restore's output and the cold run's" "$(out volcold)" "$(out volrest2)"
	[ "$(cat "$TMP/vol2/after" 2>/dev/null)" = "written after it" ] ||
		problem "the restore did not write /data/after on the host"
	run volrest3 "$MONITOR" --restore "$SNAP.vol2" --volume "$TMP/vol2:/data" "$PROG" volume
	expect_status volrest3 0
	expect_same_file "a second restore's output" "$(out volcold)" "$(out volrest3)"
	finish
fi

# --- httpd at its default ready point -------------------------------------------

# fetch TAG: index.html and a packed binary file from the guest.
fetch() {
	in_ns "$NS_HTTP" curl -sS -m $((10 * SLOW)) -o "$TMP/$1-index" "http://$HTTP_IP:8080/index.html" \
		2>>"$TMP/$1-curl.err" &&
		in_ns "$NS_HTTP" curl -sS -m $((10 * SLOW)) -o "$TMP/$1-png" "http://$HTTP_IP:8080/page.png" \
			2>>"$TMP/$1-curl.err" || problem "$1: curl failed: $(head -1 "$TMP/$1-curl.err")"
}

# serve_bg TAG MONITOR_ARG...: httpd in the background on the test's tap
# (at $HTTP_IP, default 192.0.2.2, with $HTTP_NET's options).
HTTP_IP=192.0.2.2
HTTP_NET=(--ip 192.0.2.2/24 --gw 192.0.2.1)
serve_bg() {
	local tag=$1
	shift
	(cd "$WORK" && exec timeout -s KILL "$((RUN_LIMIT * SLOW))" ip netns exec "$NS_HTTP" \
		"$MONITOR" "$@" --net tap0 "${HTTP_NET[@]}" "$HTTPD" --port 8080 --root /) \
		>"$TMP/$tag.out" 2>"$TMP/$tag.err" </dev/null &
	HTTP_PID=$!
}

wait_http() {
	local t
	for ((t = 0; t < 100 * SLOW; t++)); do
		in_ns "$NS_HTTP" curl -s -m 1 -o /dev/null "http://$HTTP_IP:8080/" && return 0
		kill -0 "$HTTP_PID" 2>/dev/null || break
		sleep 0.1
	done
	problem "$1: httpd never answered"
	detail_file stderr "$TMP/$1.err"
	return 1
}

stop_http() {
	kill "$HTTP_PID" 2>/dev/null
	wait "$HTTP_PID" 2>/dev/null
}

begin "snapshot: httpd at its ready point, restored, serves the same bytes as a cold one"
if ready_kvm "$HTTPD" "$WWW/index.html" "$WWW/page.png"; then
	if ! net_usable || ! net_ns snap || ! net_tap "$NS" tap0 192.0.2.1/24; then
		problem "cannot make the namespace and tap (needs root, ip, /dev/net/tun)"
	else
		NS_HTTP=$NS
		serve_bg cold
		wait_http cold && fetch cold
		stop_http
		run snap timeout -s KILL "$((RUN_LIMIT * SLOW))" ip netns exec "$NS_HTTP" "$MONITOR" \
			--snapshot "$SNAP.httpd" --net tap0 --ip 192.0.2.2/24 --gw 192.0.2.1 "$HTTPD" \
			--port 8080 --root /
		expect_status snap 0
		expect_grep "no snapshot line" "^hut-monitor: snapshot $SNAP.httpd: " "$(err snap)"
		# The neighbour's cache holds the snapshot run's MAC: the restore
		# must say where it is now (its MAC is the snapshot's).
		serve_bg restored --restore "$SNAP.httpd"
		wait_http restored && fetch restored
		expect_same_file "restored and cold index.html" "$TMP/cold-index" "$TMP/restored-index"
		expect_same_file "restored and cold page.png" "$TMP/cold-png" "$TMP/restored-png"
		expect_same_file "cold page.png and the packed file" "$WWW/page.png" "$TMP/cold-png"
		stop_http
		# Another MAC for this instance (--mac): its stack takes it, and
		# the neighbour learns it.
		serve_bg newmac --restore "$SNAP.httpd" --mac 02:00:00:00:00:42
		wait_http newmac && fetch newmac
		expect_same_file "index.html from a restore with a new MAC" "$TMP/cold-index" \
			"$TMP/newmac-index"
		ip -n "$NS_HTTP" neigh show 192.0.2.2 >"$TMP/neigh.out"
		expect_grep "the neighbour does not have the new MAC" '02:00:00:00:00:42' "$TMP/neigh.out"
		stop_http
		expect_no_grep "the restored guest's monitor complained" '^hut-monitor: .*(bad|cannot|failed)' \
			"$TMP/restored.err"
	fi
	finish
fi

# --- a restore with another network identity; --net none ------------------------

# other_net: a second namespace of the test's own with a tap at
# 198.51.100.1/24; httpd's address there is 198.51.100.2.
other_net() {
	net_ns other && net_tap "$NS" tap0 198.51.100.1/24 || return 1
	NS_HTTP=$NS
	HTTP_IP=198.51.100.2
	HTTP_NET=(--ip 198.51.100.2/24 --gw 198.51.100.1)
}

begin "snapshot: httpd snapshotted at 192.0.2.2, restored at 198.51.100.2: the same bytes there"
if ready_kvm "$HTTPD" "$SNAP.httpd" "$TMP/cold-index" "$TMP/cold-png"; then
	if ! other_net; then
		problem "cannot make the namespace and tap (needs root, ip, /dev/net/tun)"
	else
		serve_bg newip --restore "$SNAP.httpd"
		wait_http newip && fetch newip
		expect_same_file "index.html at the new address and cold" "$TMP/cold-index" "$TMP/newip-index"
		expect_same_file "page.png at the new address and cold" "$TMP/cold-png" "$TMP/newip-png"
		ip -n "$NS_HTTP" neigh show 198.51.100.2 >"$TMP/neigh-newip.out"
		expect_grep "the neighbour never learnt the new address" 'lladdr' "$TMP/neigh-newip.out"
		stop_http
		expect_no_grep "the restored guest's monitor complained" '^hut-monitor: ' "$TMP/newip.err"
	fi
	finish
fi

begin "snapshot: --net none (no host side), restored with a tap and an address: the same bytes"
if ready_kvm "$HTTPD" "$TMP/cold-index" "$TMP/cold-png"; then
	run nonesnap "$MONITOR" --snapshot "$SNAP.none" --net none "$HTTPD" --port 8080 --root /
	expect_status nonesnap 0
	expect_grep "no snapshot line" "^hut-monitor: snapshot $SNAP.none: " "$(err nonesnap)"
	if [ -z "${NS_HTTP:-}" ] || [ "$HTTP_IP" != 198.51.100.2 ]; then
		problem "no namespace of the test's own at 198.51.100.1"
	else
		serve_bg none --restore "$SNAP.none"
		wait_http none && fetch none
		expect_same_file "index.html from a --net none snapshot" "$TMP/cold-index" "$TMP/none-index"
		expect_same_file "page.png from a --net none snapshot" "$TMP/cold-png" "$TMP/none-png"
		stop_http
	fi
	run noneboot "$MONITOR" --net none "$HTTPD" --port 8080
	expect_monitor_error noneboot 125
	expect_grep "refusal does not name --net none" '--net none .* is for --snapshot only' "$(err noneboot)"
	run nonerestore "$MONITOR" --restore "$SNAP.none" --net none "$HTTPD" --port 8080 --root /
	expect_monitor_error nonerestore 125
	run nonet "$MONITOR" --restore "$SNAP.none" "$HTTPD" --port 8080 --root /
	expect_monitor_error nonet 126
	expect_grep "a restore without --net not refused for the device" '--net' "$(err nonet)"
	finish
fi

begin "snapshot: made without a network device, restored with --net: 126, one line"
if ready_kvm "$PROG" "$SNAP.random"; then
	if [ -z "${NS_HTTP:-}" ]; then
		problem "no namespace of the test's own"
	else
		run netrestore ip netns exec "$NS_HTTP" "$MONITOR" --restore "$SNAP.random" --net tap0 "$PROG" random
		expect_monitor_error netrestore 126
		expect_grep "refusal does not name --net" '--net' "$(err netrestore)"
	fi
	finish
fi

begin "snapshot: a restore's --dns is the guest's /etc/resolv.conf; without one the snapshot's stays"
if ready_kvm "$PROG"; then
	if [ -z "${NS_HTTP:-}" ]; then
		problem "no namespace of the test's own"
	else
		run dnsnone "$MONITOR" --snapshot "$SNAP.nodns" --net none "$PROG" resolv
		expect_status dnsnone 0
		run dnsnew ip netns exec "$NS_HTTP" "$MONITOR" --restore "$SNAP.nodns" --net tap0 \
			--dns 198.51.100.53 "$PROG" resolv
		expect_status dnsnew 0
		printf 'nameserver 198.51.100.53\n' >"$TMP/want-dns1"
		expect_same_file "resolv.conf given at the restore (none at the snapshot)" "$TMP/want-dns1" "$(out dnsnew)"
		run dnsold "$MONITOR" --snapshot "$SNAP.dns" --net none --dns 192.0.2.53 "$PROG" resolv
		expect_status dnsold 0
		run dnskept ip netns exec "$NS_HTTP" "$MONITOR" --restore "$SNAP.dns" --net tap0 "$PROG" resolv
		expect_status dnskept 0
		printf 'nameserver 192.0.2.53\n' >"$TMP/want-dns2"
		expect_same_file "resolv.conf without --dns at the restore" "$TMP/want-dns2" "$(out dnskept)"
		run dnschanged ip netns exec "$NS_HTTP" "$MONITOR" --restore "$SNAP.dns" --net tap0 \
			--dns 198.51.100.53 "$PROG" resolv
		expect_status dnschanged 0
		expect_same_file "resolv.conf changed at the restore" "$TMP/want-dns1" "$(out dnschanged)"
	fi
	finish
fi
