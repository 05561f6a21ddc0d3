#!/bin/bash
# The socket layer through the device: TCP both ways across a tap in a
# namespace of the test's own (192.0.2.0/24 only). A client in the
# namespace sends 200 KB to the appliance's echo server and must get the
# same bytes back; the appliance connects out to an echo server in the
# namespace; /etc/resolv.conf in the guest says what --dns gave.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=net/lib.sh
. "$(dirname "$0")/net/lib.sh"

IMAGE=$ROOT/build/tests/programs/sockets.hut
NET=(--net tap0 --ip 192.0.2.2/24 --gw 192.0.2.1)

# boot_guest TAG ARG...: the appliance on the tap, in the background (PID).
boot_guest() {
	local tag=$1
	shift
	(cd "$WORK" && exec timeout -s KILL "$((RUN_LIMIT * SLOW))" ip netns exec "$H" \
		"$MONITOR" "${NET[@]}" "$@") >"$TMP/$tag.out" 2>"$TMP/$tag.err" </dev/null &
	PID=$!
}

# wait_guest TAG: its status in ST.
wait_guest() {
	wait "$PID"
	ST=$?
	HUNG=0
}

begin "net-sockets: a client in the namespace, the appliance echoes 200 KB"
ready_kvm "$MONITOR" "$IMAGE" || exit 0
net_usable || { problem "needs root, ip and /dev/net/tun"; finish; exit 0; }
net_ns sock && H=$NS && net_tap "$H" tap0 192.0.2.1/24 ||
	{ problem "cannot make a namespace and tap"; finish; exit 0; }
boot_guest echo "$IMAGE" --echo 7000
for _ in $(seq 150); do grep -q '^listening$' "$TMP/echo.out" && break; sleep 0.2; done
in_ns "$H" python3 - 192.0.2.2 7000 $((20 * SLOW)) >"$TMP/client.out" 2>&1 <<'PY' ||
import hashlib, socket, sys
data = bytes((i * 131 + (i >> 9)) & 0xff for i in range(200 * 1024))
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3]))
s.sendall(data)
s.shutdown(socket.SHUT_WR)
got = bytearray()
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    got += chunk
print("sent", len(data), hashlib.sha256(data).hexdigest())
print("got", len(got), hashlib.sha256(got).hexdigest())
sys.exit(0 if bytes(got) == data else 1)
PY
	{ problem "the echo came back wrong"; detail_file client "$TMP/client.out"; }
wait_guest echo
expect_status echo 0
expect_grep "the appliance did not count 204800 bytes" '^echoed 204800 bytes$' "$TMP/echo.out"
finish

begin "net-sockets: the appliance connects out to a server in the namespace"
in_ns "$H" python3 - 192.0.2.1 7001 >"$TMP/server.out" 2>&1 <<'PY' &
import socket, sys
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind((sys.argv[1], int(sys.argv[2])))
l.listen(1)
print("listening", flush=True)
l.settimeout(120)
c, _ = l.accept()
while True:
    chunk = c.recv(4096)
    if not chunk:
        break
    c.sendall(chunk[::-1])
c.close()
PY
server=$!
for _ in $(seq 50); do grep -q '^listening$' "$TMP/server.out" && break; sleep 0.1; done
boot_guest send "$IMAGE" --send 192.0.2.1 7001 hello-from-the-appliance
wait_guest send
expect_status send 0
expect_grep "no reversed reply" '^reply: ecnailppa-eht-morf-olleh$' "$TMP/send.out"
wait "$server" || problem "the server in the namespace failed"
finish

begin "net-sockets: /etc/resolv.conf follows --dns"
NET+=(--dns 192.0.2.53)
boot_guest resolv "$IMAGE" --cat /etc/resolv.conf
wait_guest resolv
expect_status resolv 0
echo "nameserver 192.0.2.53" >"$TMP/resolv.want"
expect_same_file "resolv.conf" "$TMP/resolv.want" "$TMP/resolv.out"
finish
