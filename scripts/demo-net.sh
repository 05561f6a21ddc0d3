#!/bin/bash
# `make demo`'s network part: boots the httpd appliance (build/apps/httpd.hut,
# apps/httpd/www packed at /) on a tap in a network namespace of its own,
# fetches its page from the namespace's side with curl, prints the time from
# the monitor's start to the first successful response, and removes the
# namespace (with the tap, and the monitor in it) whatever happens. Needs
# root, ip, curl and /dev/net/tun; with no usable /dev/kvm, make demo runs it
# in the nested guest of tests/vm (then the time means nothing).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MONITOR=$ROOT/build/bin/hut-monitor
IMAGE=$ROOT/build/apps/httpd.hut
NS=hut-demo-$$
GUEST_IP=192.0.2.2
GUEST_MAC=02:00:00:00:00:02
LOG=$(mktemp -d "${TMPDIR:-/tmp}/hut-demo.XXXXXX") || exit 1

cleanup() {
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "demo: $*" >&2
	[ -s "$LOG/monitor.err" ] && sed 's/^/    /' "$LOG/monitor.err" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || fail "the network demo needs root (a namespace and a tap)"
for tool in ip curl python3; do
	command -v $tool >/dev/null || fail "needs $tool (scripts/deps.sh test installs it)"
done
[ -c /dev/net/tun ] || fail "needs /dev/net/tun"

ip netns add "$NS" || fail "cannot make a network namespace"
ip -n "$NS" link set lo up
ip -n "$NS" tuntap add dev tap0 mode tap && ip -n "$NS" addr add 192.0.2.1/24 dev tap0 &&
	ip -n "$NS" link set tap0 up || fail "cannot make a tap in $NS"
# A static neighbour entry: the first SYN goes out at once instead of after ARP.
ip -n "$NS" neigh replace $GUEST_IP lladdr $GUEST_MAC dev tap0

echo "== hut-monitor --net tap0 --ip $GUEST_IP/24 --gw 192.0.2.1 build/apps/httpd.hut --port 8080 --root /"
ip netns exec "$NS" python3 "$ROOT/bench/first-response.py" --timeout 120 \
	$GUEST_IP 8080 /index.html -- "$MONITOR" --net tap0 --mac $GUEST_MAC --ip $GUEST_IP/24 \
	--gw 192.0.2.1 "$IMAGE" --port 8080 --root / >"$LOG/first.out" 2>"$LOG/monitor.err" ||
	fail "no answer from the appliance: $(cat "$LOG/first.out")"
echo "== curl http://$GUEST_IP:8080/index.html   (from the namespace's side of the tap)"
ip netns exec "$NS" curl -sS -m 20 "http://$GUEST_IP:8080/index.html" || fail "curl failed"
echo "== boot to first HTTP response: $(sed -n 's/^first-response-ms: //p' "$LOG/first.out") ms" \
	"(from the monitor's start; $(sed -n 's/^tries before it: //p' "$LOG/first.out") tries before it)"
