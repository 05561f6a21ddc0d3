#!/bin/bash
# The libos's TCP/IP stack (lwIP, libos/net) on the rings, before sockets:
# tests/guests/netping.c boots it; from the other side of the tap, in a
# namespace of the test's own, the guest answers ARP and ICMP echo.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=net/lib.sh
. "$(dirname "$0")/net/lib.sh"

GUEST=$ROOT/build/guests/netping.hut

begin "netping: the guest answers ping (lwIP on the rings)"
ready_kvm "$MONITOR" "$GUEST" || exit 0
net_usable || { problem "needs root, ip and /dev/net/tun"; finish; exit 0; }
net_ns ping && H=$NS && net_tap "$H" tap0 192.0.2.1/24 ||
	{ problem "cannot make a namespace and tap"; finish; exit 0; }
(cd "$WORK" && exec timeout -s KILL "$((RUN_LIMIT * SLOW))" ip netns exec "$H" "$MONITOR" \
	--trace-exits --net tap0 --ip 192.0.2.2/24 --gw 192.0.2.1 "$GUEST" $((10 * SLOW))) \
	>"$TMP/guest.out" 2>"$TMP/guest.err" </dev/null &
pid=$!
for _ in $(seq 100); do grep -q '^up$' "$TMP/guest.out" && break; sleep 0.2; done
in_ns "$H" ping -c 5 -i 0.2 -W $((2 * SLOW)) 192.0.2.2 >"$TMP/ping.out" 2>&1 ||
	{ problem "ping failed"; detail_file ping "$TMP/ping.out"; }
expect_grep "not 5 replies" "^5 packets transmitted, 5 received" "$TMP/ping.out"
wait $pid
ST=$?
HUNG=0
expect_status guest 0
expect_grep "the guest saw no frames" "^frames in: [1-9]" "$TMP/guest.out"
finish
