#!/bin/bash
# `make bench-oci-first`: the first response of httpd started by an OCI
# runtime from a bundle, in a pod's network namespace of this script's own
# (a veth: 198.51.100.1/24 in a node namespace, 198.51.100.2/24 in the pod,
# as CNI makes it), measured by bench/first-response.py from just before
# `RUNTIME run --bundle B ID` to the first 200 answer to GET /index.html,
# from the node; the median and the least of BENCH_OCI_LAUNCHES (default
# 11) launches taken in turns:
#   hut-oci restored  build/tests/net/httpd-net.hut packed with
#                     `hut pack --bundle --snapshot` (hut-oci restores it)
#   hut-oci cold      the same image packed without --snapshot
#   runc plain        apps/httpd built as a static musl program, packed with
#   crun plain        `hut pack --plain --bundle` (its files beside it)
# The containers' network namespace is the pod's (the config's path, as an
# orchestrator writes it); the node has a static neighbour entry for the
# pod's address, so no first SYN waits for ARP. hut-oci's lower runtime is
# its own choice for this host (runc where crun refuses the cgroups); crun
# plain is left out where crun refuses them. A benchmark, not a test: it
# prints figures and never fails on them. Needs root, ip, python3, runc
# (crun), musl-gcc and /dev/kvm.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/bin
OCI=$BIN/hut-oci
IMAGE=$ROOT/build/tests/net/httpd-net.hut
WWW=$ROOT/build/tests/net/www
FIRST=$ROOT/bench/first-response.py
LAUNCHES=${BENCH_OCI_LAUNCHES:-11}
POD_IP=198.51.100.2
NODE_IP=198.51.100.1
PORT=8080

die() {
	echo "bench-oci-first: $*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || die "needs root"
[ -r /dev/kvm ] && [ -w /dev/kvm ] || die "no usable /dev/kvm"
[ -x "$OCI" ] && [ -f "$IMAGE" ] || die "no $OCI or $IMAGE (make all test-net-images)"
for p in ip python3 runc musl-gcc; do command -v $p >/dev/null || die "no $p"; done
# shellcheck source=../scripts/kvm-kind.bash
. "$ROOT/scripts/kvm-kind.bash"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hut-bench-oci-first.XXXXXX") || exit 1
NODE=hut-bocif-$$-node
POD=hut-bocif-$$-pod
R=$TMP/state
IDS=()
cleanup() {
	local id ns
	for id in "${IDS[@]}"; do
		"$OCI" --root "$R" delete --force "$id" >/dev/null 2>&1
		runc --root "$R/runc-plain" delete --force "$id" >/dev/null 2>&1
		command -v crun >/dev/null && crun --root "$R/crun-plain" delete --force "$id" >/dev/null 2>&1
	done
	for ns in $NODE $POD; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add $NODE && ip netns add $POD || die "cannot make the namespaces"
ip -n $NODE link set lo up && ip -n $POD link set lo up
ip link add veth0 netns $NODE type veth peer name eth0 netns $POD &&
	ip -n $NODE addr add $NODE_IP/24 dev veth0 && ip -n $POD addr add $POD_IP/24 dev eth0 &&
	ip -n $NODE link set veth0 up && ip -n $POD link set eth0 up &&
	ip -n $POD route add default via $NODE_IP || die "cannot make the veth"
POD_MAC=$(ip -n $POD -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
ip -n $NODE neigh replace $POD_IP lladdr "$POD_MAC" dev veth0

# in_pod DIR: the bundle's network namespace is the pod's.
in_pod() {
	sed -i "s|{ \"type\": \"network\" }|{ \"type\": \"network\", \"path\": \"/run/netns/$POD\" }|" "$1/config.json"
}
"$BIN/hut" pack --bundle "$TMP/restored" --snapshot "$IMAGE" --port $PORT --root / &&
	"$BIN/hut" pack --bundle "$TMP/cold" "$IMAGE" --port $PORT --root / || die "hut pack failed"
musl-gcc -std=gnu11 -O2 -static -o "$TMP/httpd" "$ROOT"/apps/httpd/*.c || die "musl-gcc of apps/httpd failed"
"$BIN/hut" pack --plain --bundle "$TMP/plain" "$TMP/httpd" --port $PORT --root / || die "hut pack --plain failed"
cp -r "$WWW"/. "$TMP/plain/rootfs/"
for b in restored cold plain; do in_pod "$TMP/$b"; done
mkdir -p "$R"
echo "bench-oci-first: KVM: $(bench_kvm_kind)"
echo "bench-oci-first: hut-oci's $("$OCI" --version | grep '^lower runtime')"
echo "bench-oci-first: snapshot: $(du -k "$TMP/restored/rootfs/httpd-net.hut.snapshot" | cut -f1) KiB on disk"

declare -A ALL
n=0
# first LABEL RUNTIME... -- BUNDLE: one launch; its time goes to LABEL's list.
first() {
	local label=$1 ms id=b$n
	shift
	local cmd=()
	while [ "$1" != -- ]; do cmd+=("$1") && shift; done
	n=$((n + 1))
	IDS+=("$id")
	nsenter --net="/run/netns/$NODE" python3 "$FIRST" --timeout 60 $POD_IP $PORT /index.html -- \
		"${cmd[@]}" run --bundle "$2" "$id" >"$TMP/first" 2>"$TMP/first.err" </dev/null
	ms=$(sed -n 's/^first-response-ms: //p' "$TMP/first")
	"${cmd[@]}" kill "$id" KILL >/dev/null 2>&1
	sleep 0.3
	"${cmd[@]}" delete --force "$id" >/dev/null 2>&1
	[ -n "$ms" ] || {
		echo "bench-oci-first: $label: $(cat "$TMP/first")" >&2
		head -5 "$TMP/first.err" | sed 's/^/    /' >&2
		return 1
	}
	ALL[$label]="${ALL[$label]:-} $ms"
}

CRUN_OK=
command -v crun >/dev/null && ! "$OCI" --version | grep -q 'crun refuses' && CRUN_OK=1
for _ in $(seq "$LAUNCHES"); do
	first "hut-oci restored" "$OCI" --root "$R" -- "$TMP/restored"
	first "hut-oci cold" "$OCI" --root "$R" -- "$TMP/cold"
	first "runc plain" runc --root "$R/runc-plain" -- "$TMP/plain"
	[ -n "$CRUN_OK" ] && first "crun plain" crun --root "$R/crun-plain" -- "$TMP/plain"
done

summary() {
	# shellcheck disable=SC2086 # a list of numbers, one per word
	printf '%s\n' $1 | sort -n | awk '{v[NR] = $1}
		END {printf "%.2f (min %.2f)", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1]}'
}
printf '\n%-18s %28s\n' launcher "first-response-ms median"
for l in "hut-oci restored" "hut-oci cold" "runc plain" "crun plain"; do
	[ -n "${ALL[$l]:-}" ] || continue
	printf '%-18s %28s   all:%s\n' "$l" "$(summary "${ALL[$l]}")" "${ALL[$l]}"
done
