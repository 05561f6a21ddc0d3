#!/bin/bash
# Pod networking through hut-oci: the test makes a pod's network namespace
# as CNI would (a veth: 192.0.2.1/24 outside, in a namespace of the test's
# own standing for the node; 192.0.2.2/24 inside, with a default route),
# and runs the httpd appliance (built with --net, files packed) with
# `ctr run --with-ns network:/run/netns/POD --runc-binary hut-oci`, under
# crun and under runc (create, then start: the tap's fd must live from one
# to the other). From the outside: ping answers, curl returns a packed
# file's exact bytes, the neighbour table holds the pod interface's MAC;
# after kill and delete the pod namespace has no tap and no ingress qdisc.
# The same with `podman --network ns:/run/netns/POD` for one request. A
# second networked appliance in the same pod is refused while the first
# keeps answering; the pod's resolv.conf (a bind mount, as CRI and podman
# make) gives the guest its name server. An image that needs its network in
# a container without a pod namespace is refused with hut-oci's message.
# hut-test: needs-kvm (oci_ready calls need_kvm)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=oci-lib.bash
. "$(dirname "$0")/oci-lib.bash"
# shellcheck source=net/lib.sh
. "$(dirname "$0")/net/lib.sh"

IMAGE=$ROOT/build/tests/net/httpd-net.hut
APP_NET=$ROOT/build/tests/programs/oci_app-net.hut
WWW=$ROOT/build/tests/net/www
FILE=page.png
PORT=8080
POD_IP=192.0.2.2
NODE_IP=192.0.2.1
CONTAINERS=()

# The containers first (their monitors hold the taps), then the namespaces,
# then containerd and the stores.
oci_net_cleanup() {
	local c
	for c in "${CONTAINERS[@]}"; do
		ctrc task kill -s SIGKILL "$c" >/dev/null 2>&1
		ctrc task delete -f "$c" >/dev/null 2>&1
		ctrc container delete "$c" >/dev/null 2>&1
	done
	[ -d "$PODMAN_DIR" ] && "${PODMAN[@]}" rm -f -a >/dev/null 2>&1
	net_cleanup
	oci_cleanup
}
trap oci_net_cleanup EXIT

begin oci/net-setup
oci_ready containerd ctr podman curl ping tc ip crun runc || exit 0
ready "$IMAGE" "$WWW/$FILE" "$APP_NET" || exit 0
oci_fs && start_containerd || { finish; exit 0; }
net_ns node && NODE=$NS && net_ns pod && POD=$NS &&
	net_veth "$NODE" veth0 $NODE_IP/24 "$POD" eth0 $POD_IP/24 &&
	ip -n "$POD" route add default via $NODE_IP ||
	problem "cannot make the pod's namespace and veth"
POD_NS=/run/netns/$POD
POD_MAC=$(ip -n "$POD" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
"$HUT" pack --oci-archive "$TMP/httpd.tar" --name localhost/httpd-net:latest "$IMAGE" \
	--port $PORT --root / >"$TMP/pack.log" 2>&1 || problem "hut pack --oci-archive failed"
"$HUT" pack --oci-archive "$TMP/app-net.tar" "$APP_NET" >>"$TMP/pack.log" 2>&1 ||
	problem "hut pack --oci-archive $APP_NET failed"
for tar in httpd app-net; do
	ctrc image import "$TMP/$tar.tar" >"$TMP/import.log" 2>&1 ||
		{ problem "ctr image import $tar.tar failed"; detail_file import "$TMP/import.log"; }
done
# hut-oci under the shim, with a chosen lower runtime. Where crun refuses
# this host's cgroups (hybrid, with controllers on cgroup2: hut-oci's own
# choice is then runc), crun still gets its test: in a private mount
# namespace without the cgroup2 mount, where the host looks v1 to it.
for lower in crun runc; do
	hide=
	[ $lower = crun ] && "$OCI" --version | grep -q 'crun refuses' &&
		hide='unshare -m --propagation private sh -c "umount -l /sys/fs/cgroup/unified && exec \"\$0\" \"\$@\""'
	printf '#!/bin/sh\nexport HUT_OCI_RUNTIME=%s\nexec %s %s "$@"\n' $lower "$hide" "$OCI" >"$TMP/hut-oci-$lower"
	chmod +x "$TMP/hut-oci-$lower"
done
finish
[ ${#TEST_WHY[@]} -eq 0 ] || exit 0

# wait_http ALIVE...: true once the pod's address serves the file; false
# at once when the command ALIVE fails (the appliance is gone).
wait_http() {
	local i
	for ((i = 0; i < 40 * SLOW; i++)); do
		in_ns "$NODE" curl -sf -m 2 -o /dev/null "http://$POD_IP:$PORT/$FILE" && return 0
		"$@" || return 1
		sleep 0.5
	done
	return 1
}

running() { ctrc task ls 2>/dev/null | grep -Eq "^$1 .*RUNNING"; }

# pod_state: what the pod's namespace holds, as details of a failure.
pod_state() {
	{
		ip -n "$POD" -d link show
		tc -n "$POD" qdisc show
		tc -n "$POD" filter show dev eth0 ingress
		tc -n "$POD" -s filter show dev hut0 ingress
		ctrc task ls
	} >"$TMP/pod.state" 2>&1
	detail_file "pod namespace" "$TMP/pod.state"
}

# pod_is_clean WHEN: no tap and no ingress qdisc left in the pod namespace.
pod_is_clean() {
	ip -n "$POD" link show hut0 >/dev/null 2>&1 && problem "$1: the tap hut0 is still there"
	tc -n "$POD" qdisc show dev eth0 | grep -q ingress &&
		problem "$1: eth0 still has an ingress qdisc"
	return 0
}

# wait_stopped ID: true once the task is no longer running.
wait_stopped() {
	local i
	for ((i = 0; i < 30 * SLOW; i++)); do
		ctrc task ls 2>/dev/null | grep -Eq "^$1 .*RUNNING" || return 0
		sleep 0.5
	done
	return 1
}

for lower in crun runc; do
	begin "oci/net-containerd-$lower: ping, a file's bytes and the pod's MAC from the node side"
	c=net-$lower
	CONTAINERS+=("$c")
	ctrc run -d --with-ns "network:$POD_NS" --runc-binary "$TMP/hut-oci-$lower" \
		localhost/httpd-net:latest "$c" >"$TMP/$c.log" 2>&1 ||
		{ problem "ctr run -d failed"; detail_file "ctr run" "$TMP/$c.log"; }
	if wait_http running "$c"; then
		in_ns "$NODE" ping -c 2 -W $((2 * SLOW)) $POD_IP >"$TMP/ping.out" 2>&1 ||
			{ problem "ping $POD_IP got no answer"; detail_file ping "$TMP/ping.out"; }
		in_ns "$NODE" curl -sS -m $((10 * SLOW)) -o "$TMP/got" "http://$POD_IP:$PORT/$FILE" \
			2>"$TMP/curl.err" || problem "curl failed"
		expect_same_file "the served and the packed $FILE" "$WWW/$FILE" "$TMP/got"
		seen=$(ip -n "$NODE" neigh show $POD_IP dev veth0 | grep -o 'lladdr [0-9a-f:]*' | cut -d' ' -f2)
		[ -n "$POD_MAC" ] && [ "$seen" = "$POD_MAC" ] ||
			problem "the node sees MAC '$seen' for $POD_IP, the pod's eth0 has '$POD_MAC'"
	else
		problem "nothing answered on http://$POD_IP:$PORT/$FILE"
		detail_file "ctr run" "$TMP/$c.log"
		pod_state
	fi
	ctrc task kill "$c" >/dev/null 2>&1
	wait_stopped "$c" || { ctrc task kill -s SIGKILL "$c" >/dev/null 2>&1; wait_stopped "$c"; } ||
		problem "ctr task kill did not stop it"
	ctrc task delete "$c" >"$TMP/delete.log" 2>&1 ||
		{ problem "ctr task delete failed"; detail_file delete "$TMP/delete.log"; }
	ctrc container delete "$c" >/dev/null 2>&1
	pod_is_clean "after delete"
	finish
done

# ctr_pod TAG ID [CTR-OPTION...] -- ARGS...: ctr run --rm of oci_app-net in
# the pod's namespace, with ARGS as oci_app's.
ctr_pod() {
	local tag=$1 c=$2 opts=()
	shift 2
	while [ "$1" != -- ]; do opts+=("$1") && shift; done
	shift
	CONTAINERS+=("$c")
	run "$tag" ctr -a "$SOCK" run --rm --with-ns "network:$POD_NS" --runc-binary "$OCI" \
		"${opts[@]}" localhost/oci_app-net:latest "$c" /oci_app-net.hut "$@"
}

begin "oci/net-one-per-pod: a second networked appliance is refused, the first keeps answering"
c=net-first
CONTAINERS+=("$c")
ctrc run -d --with-ns "network:$POD_NS" --runc-binary "$OCI" localhost/httpd-net:latest "$c" \
	>"$TMP/$c.log" 2>&1 || { problem "ctr run -d failed"; detail_file "ctr run" "$TMP/$c.log"; }
if wait_http running "$c"; then
	ctr_pod second net-second -- exit 0
	[ "$ST" = 0 ] && problem "a second appliance with a network started in the same pod"
	expect_grep "no hut-oci message naming the tap in use" 'already has a tap hut0' "$(err second)"
	in_ns "$NODE" curl -sS -m $((10 * SLOW)) -o "$TMP/got1" "http://$POD_IP:$PORT/$FILE" \
		2>"$TMP/curl.err" || problem "the first appliance stopped answering"
	expect_same_file "the first appliance's $FILE" "$WWW/$FILE" "$TMP/got1"
else
	problem "nothing answered on http://$POD_IP:$PORT/$FILE"
	pod_state
fi
ctrc task kill -s SIGKILL "$c" >/dev/null 2>&1
wait_stopped "$c" || problem "ctr task kill -s SIGKILL did not stop it"
ctrc task delete "$c" >/dev/null 2>&1
ctrc container delete "$c" >/dev/null 2>&1
pod_is_clean "after delete"
finish

begin "oci/net-dns: the pod's resolv.conf names the guest's name server"
printf '# written by the test\nsearch example.test\nnameserver 198.51.100.53\nnameserver 198.51.100.54\n' \
	>"$TMP/resolv.conf"
ctr_pod dns net-dns --mount "type=bind,src=$TMP/resolv.conf,dst=/etc/resolv.conf,options=rbind:ro" \
	-- cat /etc/resolv.conf
expect_status dns 0
expect_grep "the guest's resolv.conf does not name the pod's first server" \
	'^nameserver 198\.51\.100\.53$' "$(out dns)"
pod_is_clean "after run --rm"
finish

begin "oci/net-podman: one request on the pod's IP through --network ns:"
mkdir -p "$PODMAN_DIR"
("${PODMAN[@]}" run --rm --name pn1 --network "ns:$POD_NS" "oci-archive:$TMP/httpd.tar" \
	>"$TMP/pn1.out" 2>"$TMP/pn1.err" </dev/null) &
PODMAN_PID=$!
if wait_http kill -0 "$PODMAN_PID"; then
	in_ns "$NODE" curl -sS -m $((10 * SLOW)) -o "$TMP/got2" "http://$POD_IP:$PORT/$FILE" \
		2>"$TMP/curl.err" || problem "curl failed"
	expect_same_file "the served (podman) and the packed $FILE" "$WWW/$FILE" "$TMP/got2"
else
	problem "nothing answered on http://$POD_IP:$PORT/$FILE under podman"
	detail_file "podman stderr" "$TMP/pn1.err"
	pod_state
fi
"${PODMAN[@]}" stop -t 2 pn1 >/dev/null 2>&1
wait "$PODMAN_PID"
pod_is_clean "after podman run --rm"
finish

begin "oci/net-no-pod-namespace: an image that needs its network, refused with why"
run nons timeout -s KILL $((30 * SLOW)) ctr -a "$SOCK" run --rm --runc-binary "$OCI" \
	localhost/httpd-net:latest nons
expect_grep "no hut-oci message naming the missing pod network" \
	'needs its network device net0, but the container has no pod network' "$(err nons)"
[ "$ST" = 0 ] && problem "ctr run succeeded"
[ "$ST" = 137 ] && problem "ctr run hung (killed)"
finish
