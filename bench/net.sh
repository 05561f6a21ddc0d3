#!/bin/bash
# `make bench-net`: apps/httpd (build/apps/httpd.hut, apps/httpd/www packed at
# /) under wrk, keep-alive, a small file (index.html), one run per launcher:
#   appliance  hut-monitor on a tap in a namespace of this script's own
#   restore    hut-monitor --restore of a snapshot made at httpd's ready
#              point (bench/pool.bash), on that tap
#   pool       hut-monitor --pool-run: one of a pool of 2 monitors made ready
#              to restore that snapshot (hut-monitor --pool), on that tap
#   process    the same image as a Linux process in a namespace, behind a veth
#   crun       the same image in crun (`hut pack --bundle`), in that namespace
# For each: boot-to-first-HTTP-response (bench/first-response.py: from just
# before the launcher starts to the first 200 answer), the median and the
# least of BENCH_NET_LAUNCHES launches taken in turns (appliance, restore,
# pool, process, crun, again), since one launch on a shared host says little;
# then, on one more launch of each (restore's excepted: the pool's guest is
# a restored one too), requests/s, p50 and p99 latency, wrk's errors; for
# the appliance also exits per request (--trace-exits). Then the
# appliance's requests/s over the process's, and the median first responses
# of the appliance, a restore and the pool against the process's.
# A benchmark, not a test: it prints figures and never fails on them.
#
# Needs root, ip, /dev/net/tun, wrk, python3 and crun (make bench-net installs
# them). Without a usable /dev/kvm it runs itself in the nested guest of
# tests/vm, and says so: figures from there mean nothing.
#
# Environment: BENCH_NET_SECONDS (wrk's duration, default 10),
# BENCH_NET_CONNECTIONS (default 16), BENCH_NET_LAUNCHES (first responses
# measured per launcher, default 11).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/bin
IMAGE=$ROOT/build/apps/httpd.hut
WWW=$ROOT/apps/httpd/www
FIRST=$ROOT/bench/first-response.py
SECONDS_RUN=${BENCH_NET_SECONDS:-10}
CONNECTIONS=${BENCH_NET_CONNECTIONS:-16}
LAUNCHES=${BENCH_NET_LAUNCHES:-11}
SERVER_IP=192.0.2.2
GUEST_MAC=02:00:00:00:00:02
PORT=8080
URL=http://$SERVER_IP:$PORT/index.html

if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
	if [ -z "${HUT_NESTED:-}" ]; then
		echo "bench-net: no usable /dev/kvm here: running in the nested guest of tests/vm"
		exec "$ROOT/tests/vm/run.sh" --timeout 900 -- env HUT_NESTED=1 BENCH_NET_SECONDS="$SECONDS_RUN" \
			BENCH_NET_CONNECTIONS="$CONNECTIONS" BENCH_NET_LAUNCHES="$LAUNCHES" "$0" "$@"
	fi
	echo "bench-net: no /dev/kvm, even nested" >&2
	exit 1
fi

# shellcheck source=../scripts/kvm-kind.bash
. "$ROOT/scripts/kvm-kind.bash"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hut-bench-net.XXXXXX") || exit 1
NS_A=hut-bench-$$-a # the appliance's side of the tap
NS_C=hut-bench-$$-c # the clients of the process and crun
NS_S=hut-bench-$$-s # the process and crun
CONTAINER=hut-bench-net-$$
cleanup() {
	crun kill "$CONTAINER" KILL >/dev/null 2>&1
	crun delete -f "$CONTAINER" >/dev/null 2>&1
	local ns
	for ns in $NS_A $NS_C $NS_S; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "bench-net: $*" >&2
	exit 1
}

setup_namespaces() {
	local ns
	for ns in $NS_A $NS_C $NS_S; do
		ip netns add "$ns" && ip -n "$ns" link set lo up || die "cannot make namespace $ns"
	done
	ip -n $NS_A tuntap add dev tap0 mode tap && ip -n $NS_A addr add 192.0.2.1/24 dev tap0 &&
		ip -n $NS_A link set tap0 up || die "cannot make the tap"
	ip -n $NS_A neigh replace $SERVER_IP lladdr $GUEST_MAC dev tap0
	ip link add veth0 netns $NS_C type veth peer name veth0 netns $NS_S &&
		ip -n $NS_C addr add 192.0.2.1/24 dev veth0 &&
		ip -n $NS_S addr add $SERVER_IP/24 dev veth0 &&
		ip -n $NS_C link set veth0 up && ip -n $NS_S link set veth0 up || die "cannot make the veth"
}

# crun_bundle: the image in an OCI bundle, its www/ beside it, in $NS_S.
crun_bundle() {
	"$BIN/hut" pack --bundle "$TMP/bundle" "$IMAGE" --port $PORT --root /www >/dev/null ||
		return 1
	cp -R "$WWW" "$TMP/bundle/rootfs/www"
	python3 - "$TMP/bundle/config.json" "/run/netns/$NS_S" <<'PY'
import json, sys
path, netns = sys.argv[1], sys.argv[2]
spec = json.load(open(path))
for ns in spec["linux"]["namespaces"]:
    if ns["type"] == "network":
        ns["path"] = netns
json.dump(spec, open(path, "w"), indent=1)
PY
}

# crun_script: a script that runs the container, in a private mount
# namespace without the cgroup2 mount on hybrid hosts (crun refuses those;
# bench/harness does the same).
crun_script() {
	local run="exec crun run -b '$TMP/bundle' $CONTAINER"
	if [ -d /sys/fs/cgroup/unified ] && [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
		run="exec unshare -m sh -c \"umount /sys/fs/cgroup/unified; $run\""
	fi
	printf '#!/bin/sh\n%s\n' "$run" >"$TMP/crun.sh"
	chmod +x "$TMP/crun.sh"
}

# first_response LAUNCHER NS CMD...: starts the server; its first-response
# time is added to the launcher's list (FIRST_ALL).
first_response() {
	local launcher=$1 ns=$2 ms
	shift 2
	# nsenter, not ip netns exec: that remounts /sys, where crun looks for cgroups
	nsenter --net="/run/netns/$ns" python3 "$FIRST" --pidfile "$TMP/$launcher.pid" --timeout 60 \
		$SERVER_IP $PORT /index.html -- "$@" >"$TMP/$launcher.first" 2>"$TMP/$launcher.err" </dev/null
	ms=$(sed -n 's/^first-response-ms: //p' "$TMP/$launcher.first")
	[ -n "$ms" ] || {
		echo "bench-net: $launcher: $(cat "$TMP/$launcher.first")" >&2
		sed 's/^/    /' "$TMP/$launcher.err" | head -5 >&2
		return 1
	}
	FIRST_ALL[$launcher]="${FIRST_ALL[$launcher]:-} $ms"
}

# first_summary LAUNCHER: the median and the least of its first responses.
first_summary() {
	local values=${FIRST_ALL[$1]:-}
	[ -n "$values" ] || return
	# shellcheck disable=SC2086 # a list of numbers, one per word
	FIRST_MS[$1]=$(printf '%s\n' $values | sort -n | awk '{v[NR] = $1}
		END {printf "%.1f (min %.1f)", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1]}')
	FIRST_MEDIAN[$1]=${FIRST_MS[$1]%% *}
}

# load LAUNCHER NS: the wrk run; its figures in RPS, P50, P99, ERRORS.
load() {
	local launcher=$1 ns=$2 out=$TMP/$1.wrk
	ip netns exec "$ns" wrk -t 1 -c "$CONNECTIONS" -d "${SECONDS_RUN}s" --latency "$URL" >"$out" 2>&1
	RPS[$launcher]=$(awk '/^Requests\/sec:/ {print $2}' "$out")
	P50[$launcher]=$(awk '$1 == "50%" {print $2}' "$out")
	P99[$launcher]=$(awk '$1 == "99%" {print $2}' "$out")
	REQUESTS[$launcher]=$(awk '/ requests in / {print $1}' "$out")
	ERRORS[$launcher]=$(awk '/Socket errors|Non-2xx/ {printf "%s ", $0}' "$out")
	[ -n "${ERRORS[$launcher]}" ] || ERRORS[$launcher]=0
}

stop() {
	local pid
	pid=$(cat "$TMP/$1.pid" 2>/dev/null) && kill "$pid" 2>/dev/null
	sleep 0.2
}

declare -A FIRST_ALL FIRST_MS FIRST_MEDIAN RPS P50 P99 REQUESTS ERRORS
EXITS_PER_REQUEST="n/a"
KICKS_PER_REQUEST="n/a"
[ -x "$IMAGE" ] || die "no $IMAGE (run make first)"
setup_namespaces

echo "bench-net: httpd, wrk -t 1 -c $CONNECTIONS -d ${SECONDS_RUN}s --latency $URL"
echo "bench-net: KVM: $(bench_kvm_kind)"

NET=(--net tap0 --mac "$GUEST_MAC" --ip "$SERVER_IP/24" --gw 192.0.2.1)
ARGS=("$IMAGE" --port "$PORT" --root /)
APPLIANCE=("$BIN/hut-monitor" --trace-exits "${NET[@]}" "${ARGS[@]}")
RESTORE=("$BIN/hut-monitor" --restore "$TMP/httpd.snap" "${NET[@]}" "${ARGS[@]}")
POOLED=("$BIN/hut-monitor" --pool-run "$TMP/pool.sock" "${NET[@]}")
# shellcheck source=pool.bash
. "$ROOT/bench/pool.bash"
snapshot_make bench-net
pool_start
# (the process's time includes nsenter's exec, ~1 ms: the way into its namespace)
PROCESS=(nsenter --net="/run/netns/$NS_S" "$IMAGE" --port "$PORT" --root "$WWW")
CRUN=no
command -v crun >/dev/null && crun_bundle && crun_script && CRUN=yes

stop_crun() {
	crun kill "$CONTAINER" KILL >/dev/null 2>&1
	sleep 0.3
	crun delete -f "$CONTAINER" >/dev/null 2>&1
}

# The first responses, launchers in turns so that a busy spell of the host
# falls on all of them; each server is stopped after its answer.
for _ in $(seq $((LAUNCHES - 1))); do
	first_response appliance $NS_A "${APPLIANCE[@]}" && stop appliance
	first_response restore $NS_A "${RESTORE[@]}" && stop restore
	first_response pool $NS_A "${POOLED[@]}" && stop pool
	first_response process $NS_C "${PROCESS[@]}" && stop process
	if [ $CRUN = yes ]; then
		first_response crun $NS_C "$TMP/crun.sh"
		stop_crun
	fi
done

# One more launch each, kept for the load. SIGTERM ends the appliance
# (httpd has no handler): the monitor prints --trace-exits' counts on that
# ending too.
if first_response appliance $NS_A "${APPLIANCE[@]}"; then
	load appliance $NS_A
	kill -TERM "$(cat "$TMP/appliance.pid")"
	for _ in $(seq 50); do grep -q 'trace-exits: [0-9]* exits' "$TMP/appliance.err" && break; sleep 0.1; done
	exits=$(sed -n 's/.*trace-exits: \([0-9]*\) exits.*/\1/p' "$TMP/appliance.err")
	kicks=$(sed -n 's/.* \([0-9]*\) kicks .*/\1/p' "$TMP/appliance.err")
	[ -n "$exits" ] && [ "${REQUESTS[appliance]:-0}" -gt 0 ] &&
		EXITS_PER_REQUEST=$(awk -v e="$exits" -v r="${REQUESTS[appliance]}" 'BEGIN {printf "%.3f", e / r}')
	[ -n "$kicks" ] && [ "${REQUESTS[appliance]:-0}" -gt 0 ] &&
		KICKS_PER_REQUEST=$(awk -v k="$kicks" -v r="${REQUESTS[appliance]}" 'BEGIN {printf "%.3f", k / r}')
	grep 'trace-exits' "$TMP/appliance.err" | sed 's/^/    /'
	stop appliance
fi

first_response restore $NS_A "${RESTORE[@]}" && stop restore
if first_response pool $NS_A "${POOLED[@]}"; then
	load pool $NS_A
	stop pool
fi
kill "$POOL"
wait "$POOL" 2>/dev/null

if first_response process $NS_C "${PROCESS[@]}"; then
	load process $NS_C
	stop process
fi

if ! command -v crun >/dev/null; then
	echo "bench-net: crun: not installed (scripts/deps.sh bench)"
elif [ $CRUN = yes ]; then
	if first_response crun $NS_C "$TMP/crun.sh"; then
		load crun $NS_C
	fi
	stop_crun
fi

for l in appliance restore pool process crun; do
	first_summary $l
	[ -n "${FIRST_ALL[$l]:-}" ] && echo "bench-net: $l first responses (ms):${FIRST_ALL[$l]}"
done
printf '\n%-10s %22s %12s %10s %10s %s\n' launcher "first-resp-ms median" requests/s p50 p99 errors
for l in appliance restore pool process crun; do
	printf '%-10s %22s %12s %10s %10s %s\n' $l "${FIRST_MS[$l]:-n/a}" "${RPS[$l]:-n/a}" \
		"${P50[$l]:-n/a}" "${P99[$l]:-n/a}" "${ERRORS[$l]:-n/a}"
done
echo "appliance exits to the monitor per request: $EXITS_PER_REQUEST (over the whole run, boot included)"
echo "appliance TX kicks per request: $KICKS_PER_REQUEST (each a VM exit KVM ends in the kernel" \
	"(ioeventfd), not counted above)"
if [ -n "${RPS[appliance]:-}" ] && [ -n "${RPS[process]:-}" ]; then
	awk -v a="${RPS[appliance]}" -v p="${RPS[process]}" \
		'BEGIN {printf "appliance / process requests/s: %.2fx (goal: at least 0.5x)\n", a / p}'
fi
# over_process LAUNCHER GOAL: its median first response against the process's.
over_process() {
	[ -n "${FIRST_MEDIAN[$1]:-}" ] && [ -n "${FIRST_MEDIAN[process]:-}" ] || return
	awk -v l="$1" -v a="${FIRST_MEDIAN[$1]}" -v p="${FIRST_MEDIAN[process]}" -v n="$LAUNCHES" \
		-v g="$2" 'BEGIN {printf "%s - process first response: %+.1f ms (medians of %d launches;" \
			" goal: %s)\n", l, a - p, n, g}'
}
over_process appliance "at most +1 ms"
over_process restore "below the process"
over_process pool "below the process"
echo "KVM: $(bench_kvm_kind)"
