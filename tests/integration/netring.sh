#!/bin/bash
# The network device's rings without a TCP/IP stack (tests/guests/netring.c
# drives them by hand) against a tap in a namespace of the test's own:
# frames both ways with the addresses swapped, frames sent before the guest
# posts RX buffers (kept in the tap, none lost), a TX burst larger than the
# ring, a guest that never drains RX under a flood, every broken index,
# length and address (status 159, one line), and --net's own errors.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=net/lib.sh
. "$(dirname "$0")/net/lib.sh"

GUEST=$ROOT/build/guests/netring.hut
FRAMES=$ROOT/tests/integration/net/frames.py

begin "netring setup"
ready_kvm "$MONITOR" "$GUEST" || exit 0
net_usable || { problem "needs root, ip and /dev/net/tun"; finish; exit 0; }
net_ns ring && H=$NS && net_tap "$H" tap0 || { problem "cannot make a namespace and tap"; finish; exit 0; }
finish

# guest_bg TAG ARGS...: the monitor in the namespace, in the background.
guest_bg() {
	local tag=$1
	shift
	(cd "$WORK" && exec timeout -s KILL "$((RUN_LIMIT * SLOW))" ip netns exec "$H" \
		"$MONITOR" "$@") >"$TMP/$tag.out" 2>"$TMP/$tag.err" </dev/null &
	GUEST_PID=$!
}

guest_wait() {
	wait "$GUEST_PID"
	ST=$?
	HUNG=0
	[ $ST = 137 ] && HUNG=1
}

begin "netring frames both ways (reflect 50)"
guest_bg reflect --trace-exits --net tap0 --mac 02:00:00:00:00:02 "$GUEST" reflect 50
in_ns "$H" timeout $((20 * SLOW)) python3 "$FRAMES" reflect tap0 50 >"$TMP/py.out" 2>&1 ||
	{ problem "frames did not come back"; detail_file frames.py "$TMP/py.out"; }
guest_wait
expect_status reflect 0
expect_grep "the guest did not reflect 50" "^reflected 50$" "$(out reflect)"
expect_grep "no exit count" "^hut-monitor: trace-exits: [0-9]+ exits to the monitor" "$(err reflect)"
expect_grep "no frame count" "net: tx 50 frames .* rx [0-9]+ frames" "$(err reflect)"
finish

# Frames the host sends once the monitor holds the tap but before the guest
# posts RX buffers (a client's SYN while the appliance boots) wait in the
# tap's queue and reach the guest once it posts: none is dropped.
begin "netring frames sent before the guest posts RX buffers wait in the tap (late-reflect 20)"
guest_bg late --trace-exits --net tap0 --mac 02:00:00:00:00:02 "$GUEST" late-reflect 20 $((2000 * SLOW))
in_ns "$H" timeout $((30 * SLOW)) python3 "$FRAMES" early tap0 20 >"$TMP/early.out" 2>&1 ||
	{ problem "the early frames did not all come back"; detail_file frames.py "$TMP/early.out"; }
guest_wait
expect_status late 0
expect_grep "the guest did not reflect 20" "^reflected 20$" "$(out late)"
expect_grep "frames were dropped" "net: tx 20 frames .* rx [0-9]+ frames \(0 dropped\)" "$(err late)"
finish

begin "netring TX burst of 3000 (more than the ring holds)"
in_ns "$H" timeout $((30 * SLOW)) python3 "$FRAMES" count tap0 3000 $((20 * SLOW)) "$TMP/listening" \
	>"$TMP/count.out" 2>&1 &
counter=$!
for _ in $(seq 100); do [ -e "$TMP/listening" ] && break; sleep 0.2; done
guest_bg burst --trace-exits --net tap0 "$GUEST" tx-burst 3000
guest_wait
expect_status burst 0
expect_grep "the guest did not finish" "^sent 3000$" "$(out burst)"
wait $counter || { problem "the host did not see 3000 distinct frames"; detail_file count "$TMP/count.out"; }
finish

begin "netring a guest that never drains RX, flooded: frames dropped, monitor bounded"
guest_bg drain --trace-exits --net tap0 "$GUEST" never-drain 1000
in_ns "$H" python3 "$FRAMES" flood tap0 20000 >"$TMP/flood.out" 2>&1
guest_wait
expect_status drain 0
expect_grep "the guest did not see 1000 drops" "^dropped [0-9]+, at least 1000$" "$(out drain)"
expect_grep "not one ring delivered, the rest dropped" "rx 256 frames \([1-9][0-9]{3,} dropped\)" "$(err drain)"
finish

# Hostile rings: "CASE REGEX" (the reason after "hut-monitor: IMAGE: ").
declare -A BAD=(
	[tx-index-ahead]="^bad net ring: TX producer index 257 is 257 past the consumer's$"
	[tx-index-back]="^bad net ring: TX producer index 4294967295 is 4294967295 past"
	[tx-len-big]="^bad net ring: TX frame of 9000 bytes \(descriptor 0\): frames are 14 to 1514$"
	[tx-len-mtu+1]="^bad net ring: TX frame of 1515 bytes"
	[tx-len-small]="^bad net ring: TX frame of 13 bytes"
	[tx-addr-code]="^bad net ring: TX buffer at 0x4[0-9a-f]+\+60 is outside the net pool$"
	[tx-addr-ram-end]="^bad net ring: TX buffer at 0x[0-9a-f]+\+60 is outside the net pool$"
	[tx-addr-wraps]="^bad net ring: TX buffer at 0xffffffffffffffeb\+60 is outside the net pool$"
	[tx-addr-pool-end]="^bad net ring: TX buffer at 0x[0-9a-f]+\+60 is outside the net pool$"
	[tx-addr-pagetables]="^bad net ring: TX buffer at 0x10000\+60 is outside the net pool$"
	[kick-store4]="^bad hypercall: 4-byte store to offset 0x38 "
	[rx-index-ahead]="^bad net ring: RX producer index 1000 is 1000 past the consumer's$"
	[rx-buf-small]="^bad net ring: RX buffer of 100 bytes \(descriptor 0\): at least 1514 needed$"
	[rx-addr-code]="^bad net ring: RX buffer at 0x4[0-9a-f]+\+1514 is outside the net pool$"
	[rx-addr-pool-end]="^bad net ring: RX buffer at 0x[0-9a-f]+\+1514 is outside the net pool$"
)
for c in "${!BAD[@]}"; do
	begin "netring hostile $c"
	guest_bg "$c" --net tap0 "$GUEST" "$c"
	# RX faults show only when a frame arrives.
	[[ $c == rx-* ]] && { sleep "$SLOW"; in_ns "$H" python3 "$FRAMES" flood tap0 20 >/dev/null 2>&1; }
	guest_wait
	expect_status "$c" 159
	first=$(head -n 1 "$(err "$c")")
	grep -Eq -- "${BAD[$c]}" <<<"${first#"hut-monitor: $GUEST: "}" ||
		{ problem "unexpected reason"; detail_file stderr "$(err "$c")"; }
	[ "$(wc -l <"$(err "$c")")" = 1 ] || { problem "not one line on stderr"; detail_file stderr "$(err "$c")"; }
	finish
done

begin "netring kick without a network device"
run nokick "$MONITOR" "$GUEST" kick-no-net
expect_status nokick 159
expect_grep "wrong reason" "bad hypercall: net kick without a network device$" "$(err nokick)"
finish

begin "netring --net errors (125, one line)"
run notap ip netns exec "$H" "$MONITOR" --net nosuch0 "$GUEST" reflect 1
expect_monitor_error notap 125
expect_grep "no hint" "--net nosuch0: no such network device here .*ip tuntap add dev nosuch0" "$(err notap)"
in_ns "$H" ip link show nosuch0 >/dev/null 2>&1 && problem "the monitor created a device nosuch0"
run notatap ip netns exec "$H" "$MONITOR" --net lo "$GUEST" reflect 1
expect_monitor_error notatap 125
expect_grep "wrong reason" "--net lo: cannot attach to it as a tap" "$(err notatap)"
run notfd "$MONITOR" --net fd=0 "$GUEST" reflect 1
expect_monitor_error notfd 125
expect_grep "wrong reason" "--net fd=0: not a tun/tap device" "$(err notfd)"
run closedfd "$MONITOR" --net fd=77 "$GUEST" reflect 1
expect_monitor_error closedfd 125
for bad in "--ip 192.0.2.2" "--ip 192.0.2.300/24" "--ip 192.0.2.2/33" "--mac 01:00:00:00:00:01" \
	"--mac 02:00:00:00:00" "--gw nowhere" "--net a/b"; do
	# shellcheck disable=SC2086 # the option and its value are two words
	run badopt "$MONITOR" --net tap0 $bad "$GUEST" reflect 1
	expect_monitor_error badopt 125
done
run nonet "$MONITOR" --ip 192.0.2.2/24 "$GUEST" reflect 1
expect_monitor_error nonet 125
expect_grep "wrong reason" "need --net" "$(err nonet)"
finish

begin "netring --net fd=N: a tap the caller opened"
# python opens the tap (IFF_TAP | IFF_NO_PI) and execs the monitor with it as fd 3.
(cd "$WORK" && exec timeout -s KILL "$((RUN_LIMIT * SLOW))" ip netns exec "$H" python3 -c '
import fcntl, os, struct, sys
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"tap0", 0x0002 | 0x1000))
if fd != 3:
    os.dup2(fd, 3)
os.set_inheritable(3, True)
os.execv(sys.argv[1], sys.argv[1:])' "$MONITOR" --trace-exits --net fd=3 "$GUEST" tx-burst 10) \
	>"$TMP/fdtap.out" 2>"$TMP/fdtap.err" </dev/null
ST=$?
HUNG=0
expect_status fdtap 0
expect_grep "the guest did not send" "^sent 10$" "$(out fdtap)"
expect_grep "frames not counted" "net: tx 10 frames" "$(err fdtap)"
finish
