#!/bin/bash
# `make bench-snapshot`: what a snapshot buys apps/httpd (build/apps/httpd.hut,
# apps/httpd/www packed at /):
#   1. first response (bench/first-response.py: from just before the launch
#      to the first 200 answer to GET /index.html), the median and the least
#      of BENCH_SNAPSHOT_LAUNCHES launches taken in turns, for
#        pool       hut-monitor --pool-run: one of a pool of monitors made
#                   ready to restore that snapshot (hut-monitor --pool)
#        restore    hut-monitor --restore of a snapshot made at httpd's ready
#                   point, on a tap in a namespace of this script's own
#        appliance  the same image booted cold the same way
#        process    the same image as a Linux process in a namespace
#   2. memory: BENCH_SNAPSHOT_COUNT (default 100) appliances restored from one
#      snapshot (httpd on loopback only: no tap each), then as many booted
#      cold, all alive at once: the sum of their monitors' PSS
#      (/proc/PID/smaps_rollup: RAM shared between processes counted once,
#      split among them), per appliance, and the snapshot's pages.
# A benchmark, not a test: it prints figures and never fails on them.
# Needs root, ip, /dev/net/tun, python3 and /dev/kvm.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/bin
IMAGE=$ROOT/build/apps/httpd.hut
WWW=$ROOT/apps/httpd/www
FIRST=$ROOT/bench/first-response.py
LAUNCHES=${BENCH_SNAPSHOT_LAUNCHES:-11}
COUNT=${BENCH_SNAPSHOT_COUNT:-100}
SERVER_IP=192.0.2.2
GUEST_MAC=02:00:00:00:00:02
PORT=8080

[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "bench-snapshot: no usable /dev/kvm" >&2; exit 1; }
[ -x "$IMAGE" ] || { echo "bench-snapshot: no $IMAGE (run make first)" >&2; exit 1; }
# shellcheck source=../scripts/kvm-kind.bash
. "$ROOT/scripts/kvm-kind.bash"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hut-bench-snapshot.XXXXXX") || exit 1
NS_A=hut-bsnap-$$-a # the appliances' side of the tap
NS_C=hut-bsnap-$$-c # the process's client
NS_S=hut-bsnap-$$-s # the process
PIDS=()
cleanup() {
	local ns
	[ ${#PIDS[@]} -gt 0 ] && kill -9 "${PIDS[@]}" 2>/dev/null
	for ns in $NS_A $NS_C $NS_S; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "bench-snapshot: $*" >&2
	exit 1
}

for ns in $NS_A $NS_C $NS_S; do
	ip netns add "$ns" && ip -n "$ns" link set lo up || die "cannot make namespace $ns"
done
ip -n $NS_A tuntap add dev tap0 mode tap && ip -n $NS_A addr add 192.0.2.1/24 dev tap0 &&
	ip -n $NS_A link set tap0 up || die "cannot make the tap"
ip -n $NS_A neigh replace $SERVER_IP lladdr $GUEST_MAC dev tap0
ip link add veth0 netns $NS_C type veth peer name veth0 netns $NS_S &&
	ip -n $NS_C addr add 192.0.2.1/24 dev veth0 && ip -n $NS_S addr add $SERVER_IP/24 dev veth0 &&
	ip -n $NS_C link set veth0 up && ip -n $NS_S link set veth0 up || die "cannot make the veth"

NET=(--net tap0 --mac "$GUEST_MAC" --ip "$SERVER_IP/24" --gw 192.0.2.1)
ARGS=("$IMAGE" --port "$PORT" --root /)
# shellcheck source=pool.bash
. "$ROOT/bench/pool.bash"
echo "bench-snapshot: KVM: $(bench_kvm_kind)"
snapshot_make bench-snapshot

declare -A FIRST_ALL
# first_response LAUNCHER NS CMD...: starts the server; its first-response
# time goes to the launcher's list; the server is stopped.
first_response() {
	local launcher=$1 ns=$2 ms pid
	shift 2
	nsenter --net="/run/netns/$ns" python3 "$FIRST" --pidfile "$TMP/$launcher.pid" --timeout 60 \
		$SERVER_IP $PORT /index.html -- "$@" >"$TMP/$launcher.first" 2>"$TMP/$launcher.err" </dev/null
	ms=$(sed -n 's/^first-response-ms: //p' "$TMP/$launcher.first")
	pid=$(cat "$TMP/$launcher.pid" 2>/dev/null) && kill "$pid" 2>/dev/null
	sleep 0.2
	[ -n "$ms" ] || {
		echo "bench-snapshot: $launcher: $(cat "$TMP/$launcher.first")" >&2
		sed 's/^/    /' "$TMP/$launcher.err" | head -5 >&2
		return 1
	}
	FIRST_ALL[$launcher]="${FIRST_ALL[$launcher]:-} $ms"
}

summary() {
	# shellcheck disable=SC2086 # a list of numbers, one per word
	printf '%s\n' $1 | sort -n | awk '{v[NR] = $1}
		END {printf "%.2f (min %.2f)", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1]}'
}

# The pool (hut-monitor --pool): monitors made ready to restore the snapshot
# before any request; each launch is a `--pool-run` client.
pool_start

for _ in $(seq "$LAUNCHES"); do
	first_response pool $NS_A "$BIN/hut-monitor" --pool-run "$TMP/pool.sock" "${NET[@]}"
	first_response restore $NS_A "$BIN/hut-monitor" --restore "$TMP/httpd.snap" "${NET[@]}" "${ARGS[@]}"
	first_response appliance $NS_A "$BIN/hut-monitor" "${NET[@]}" "${ARGS[@]}"
	first_response process $NS_C nsenter --net="/run/netns/$NS_S" "$IMAGE" --port "$PORT" --root "$WWW"
done
printf '\n%-10s %28s\n' launcher "first-response-ms median"
kill $POOL
wait $POOL 2>/dev/null
for l in pool restore appliance process; do
	printf '%-10s %28s   all:%s\n' $l "$(summary "${FIRST_ALL[$l]:-0}")" "${FIRST_ALL[$l]:-}"
done

# pss_of PID...: the sum of their PSS, in KiB.
pss_of() {
	local pid sum=0 kb
	for pid in "$@"; do
		kb=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null)
		sum=$((sum + ${kb:-0}))
	done
	echo $sum
}

# any_alive PID...: whether one of them still runs.
any_alive() {
	local p
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}

# many WHAT CMD...: COUNT of CMD alive at once (loopback httpd waits for
# ever), their PSS summed once every one is up (its stderr says so, or the
# snapshot run ended), then ended.
many() {
	local what=$1 kb
	shift
	PIDS=()
	for _ in $(seq "$COUNT"); do
		"$@" >/dev/null 2>&1 </dev/null &
		PIDS+=($!)
		disown $! # no "Killed" line from bash for each when they are ended
	done
	sleep $((2 + COUNT / 25))
	kb=$(pss_of "${PIDS[@]}")
	alive=$(for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && echo; done | wc -l)
	kill -9 "${PIDS[@]}" 2>/dev/null
	for _ in $(seq 100); do # gone before the next batch is measured
		any_alive "${PIDS[@]}" || break
		sleep 0.05
	done
	PIDS=()
	printf '%-34s %5s alive, PSS %8s KiB in all, %6s KiB each\n' "$what" "$alive" "$kb" \
		$((kb / (alive > 0 ? alive : 1)))
}

"$BIN/hut-monitor" --snapshot "$TMP/lo.snap" "${ARGS[@]}" >/dev/null 2>"$TMP/lo.err" ||
	die "cannot snapshot httpd on loopback: $(cat "$TMP/lo.err")"
echo
echo "bench-snapshot: memory, $COUNT httpd appliances alive at once (loopback only)"
echo "bench-snapshot: $(grep '^hut-monitor: snapshot' "$TMP/lo.err")"
many "restored from one snapshot" "$BIN/hut-monitor" --restore "$TMP/lo.snap" "${ARGS[@]}"
many "booted cold" "$BIN/hut-monitor" "${ARGS[@]}"
