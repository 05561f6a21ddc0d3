#!/bin/bash
# `hut pack --snapshot` and hut-oci restoring from it. The httpd appliance
# (built with --net, files packed) is packed as a bundle twice, with and
# without --snapshot; each bundle's network namespace is set to a pod's of
# the test's own (a veth: 198.51.100.1/24 outside in a node namespace,
# 198.51.100.2/24 inside), as an orchestrator sets it, and run by hut-oci
# (create, start) with the lower runtime the host's cgroups allow. From the
# node: the restored one serves the same bytes as the cold one (and as the
# packed files), and `state` and hut-oci's log say which started how (org.hut.start:
# "restored from /httpd-net.hut.snapshot", "cold: no snapshot beside the
# image"). A bundle whose config gives the guest another host name than
# the one packed boots cold, says why, and serves the same bytes; so do a
# truncated snapshot and a broken packed one (a run past its end). The
# snapshot lies beside the image in rootfs/, sparse. The same image packed
# as an OCI archive with --snapshot carries it packed (`hut inspect` shows
# it); imported into a containerd of the test's own and run by `ctr run
# --with-ns network:POD --runc-binary hut-oci`, the monitor restores the
# snapshot hut-oci expanded (its command line says --restore) and serves
# the same bytes. hut pack --snapshot refuses, with one `hut:` line, status
# 125 and no output left behind, a guest that exits before its ready point
# and one that is not ready within --ready-timeout; --snapshot with --plain
# is a usage error (2).
# hut-test: needs-kvm (oci_ready calls need_kvm)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=oci-lib.bash
. "$(dirname "$0")/oci-lib.bash"
# shellcheck source=net/lib.sh
. "$(dirname "$0")/net/lib.sh"

IMAGE=$ROOT/build/tests/net/httpd-net.hut
WWW=$ROOT/build/tests/net/www
POD_IP=198.51.100.2
NODE_IP=198.51.100.1
R=$TMP/state # hut-oci --root
IDS=()
oci() { "$OCI" --root "$R" --log "$TMP/hut-oci.log" "$@"; }

oci_snapshot_cleanup() {
	local id
	for id in "${IDS[@]}"; do oci delete --force "$id" >/dev/null 2>&1; done
	ctrc task kill -s SIGKILL ctr-snap >/dev/null 2>&1
	ctrc task delete -f ctr-snap >/dev/null 2>&1
	ctrc container delete ctr-snap >/dev/null 2>&1
	net_cleanup
	oci_cleanup
}
trap oci_snapshot_cleanup EXIT

# pack_bundle NAME PACK-OPTION...: $TMP/NAME, httpd on port 8080 serving /,
# its network namespace the pod's.
pack_bundle() {
	local dir=$TMP/$1
	shift
	"$HUT" pack --bundle "$dir" "$@" "$IMAGE" --port 8080 --root / >"$TMP/pack.log" 2>&1 ||
		{ problem "hut pack --bundle $* failed"; detail_file pack "$TMP/pack.log"; return 1; }
	sed -i "s|{ \"type\": \"network\" }|{ \"type\": \"network\", \"path\": \"/run/netns/$POD\" }|" \
		"$dir/config.json"
	grep -q "/run/netns/$POD" "$dir/config.json" || problem "the pod namespace is not in $dir/config.json"
}

# start_in_pod ID BUNDLE: hut-oci create and start.
start_in_pod() {
	IDS+=("$1")
	oci create --bundle "$TMP/$2" "$1" >"$TMP/$1.out" 2>"$TMP/$1.err" </dev/null &&
		oci start "$1" 2>>"$TMP/$1.err" ||
		{ problem "create/start $1 failed"; detail_file "$1 stderr" "$TMP/$1.err"; return 1; }
}

# fetch TAG: index.html and page.png from the pod's address (waiting for
# the first answer).
fetch() {
	local i
	for ((i = 0; i < 100 * SLOW; i++)); do
		in_ns "$NODE" curl -s -m 1 -o /dev/null "http://$POD_IP:8080/" && break
		sleep 0.1
	done
	in_ns "$NODE" curl -sS -m $((10 * SLOW)) -o "$TMP/$1-index" "http://$POD_IP:8080/index.html" \
		2>>"$TMP/$1-curl.err" &&
		in_ns "$NODE" curl -sS -m $((10 * SLOW)) -o "$TMP/$1-png" "http://$POD_IP:8080/page.png" \
			2>>"$TMP/$1-curl.err" || problem "$1: curl failed: $(head -1 "$TMP/$1-curl.err")"
}

# start_note ID: the state's org.hut.start annotation.
start_note() {
	oci state "$1" 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["annotations"]["org.hut.start"])' 2>/dev/null
}

# stop ID: kill, wait until stopped, delete.
stop() {
	local i
	oci kill "$1" KILL >/dev/null 2>&1
	for ((i = 0; i < 50 * SLOW; i++)); do
		oci state "$1" 2>/dev/null | grep -q '"status":"stopped"' && break
		sleep 0.1
	done
	oci delete "$1" >/dev/null 2>&1 || oci delete --force "$1" >/dev/null 2>&1
}

begin "oci/snapshot-setup: the pod's namespace, the bundles"
oci_ready curl ip || exit 0
ready "$IMAGE" "$WWW/index.html" "$WWW/page.png" || exit 0
net_ns node && NODE=$NS && net_ns pod && POD=$NS &&
	net_veth "$NODE" veth0 $NODE_IP/24 "$POD" eth0 $POD_IP/24 &&
	ip -n "$POD" route add default via $NODE_IP ||
	problem "cannot make the pod's namespace and veth"
mkdir -p "$R"
pack_bundle restored --snapshot
pack_bundle cold
pack_bundle other --snapshot
sed -i 's|"hostname": "hut"|"hostname": "another"|' "$TMP/other/config.json"
finish
[ ${#TEST_WHY[@]} -eq 0 ] || exit 0

begin "oci/snapshot-pack: the snapshot lies beside the image in the bundle's rootfs, sparse"
snap=$TMP/restored/rootfs/httpd-net.hut.snapshot
if [ -f "$snap" ]; then
	blocks=$(($(stat -c '%b * %B' "$snap")))
	size=$(stat -c %s "$snap")
	[ "$blocks" -lt $((size / 4)) ] || problem "snapshot not sparse ($blocks bytes on disk of $size)"
else
	problem "no rootfs/httpd-net.hut.snapshot in the bundle"
fi
[ -e "$TMP/cold/rootfs/httpd-net.hut.snapshot" ] && problem "a snapshot in a bundle packed without --snapshot"
finish

begin "oci/snapshot-restore: restored and cold appliances serve the same bytes; state says which"
if start_in_pod cold1 cold; then
	fetch cold
	note=$(start_note cold1)
	[ "$note" = "cold: no snapshot beside the image" ] || problem "cold's org.hut.start is '$note'"
	stop cold1
fi
if start_in_pod restored1 restored; then
	fetch restored
	note=$(start_note restored1)
	[ "$note" = "restored from /httpd-net.hut.snapshot" ] || problem "restored's org.hut.start is '$note'"
	expect_grep "hut-oci's log does not say which started how" \
		'level=info msg="cold1: /httpd-net.hut: cold: no snapshot beside the image"' "$TMP/hut-oci.log"
	expect_grep "hut-oci's log does not say it restored" \
		'level=info msg="restored1: /httpd-net.hut: restored from /httpd-net.hut.snapshot"' "$TMP/hut-oci.log"
	expect_same_file "restored and cold index.html" "$TMP/cold-index" "$TMP/restored-index"
	expect_same_file "restored and cold page.png" "$TMP/cold-png" "$TMP/restored-png"
	expect_same_file "restored page.png and the packed one" "$WWW/page.png" "$TMP/restored-png"
	args=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["process"]["args"]))' \
		"$R/hut/restored1/config.json")
	[[ $args == *"--restore /httpd-net.hut.snapshot -- /httpd-net.hut"* ]] ||
		problem "the monitor's command does not restore: $args"
	[[ $args == *"--ip $POD_IP/24"* ]] || problem "the monitor's command lacks the pod's address: $args"
	stop restored1
fi
finish

begin "oci/snapshot-other-args: another host name than the packed one boots cold, says why, serves"
if start_in_pod other1 other; then
	fetch other
	note=$(start_note other1)
	[[ $note == "cold: the snapshot was made with other guest arguments"* ]] ||
		problem "other's org.hut.start is '$note'"
	expect_same_file "index.html of the cold boot beside a snapshot" "$TMP/cold-index" "$TMP/other-index"
	stop other1
fi
finish

begin "oci/snapshot-hostile: a truncated snapshot and a broken packed one boot cold, say why, serve"
cp -a "$TMP/restored" "$TMP/truncated" && cp -a "$TMP/cold" "$TMP/badpack" ||
	problem "cannot copy the bundles"
truncate -s 100000 "$TMP/truncated/rootfs/httpd-net.hut.snapshot"
# A packed header whose one run lies past the sparse file's end.
python3 -c 'import struct, sys
sys.stdout.buffer.write(b"HUTSNPK\0" + struct.pack("<IIQQQ", 1, 1, 4096, 8192, 16) + bytes(16))' \
	>"$TMP/badpack/rootfs/httpd-net.hut.snapshot"
for b in truncated badpack; do
	if start_in_pod "$b-1" "$b"; then
		fetch "$b"
		note=$(start_note "$b-1")
		[[ $note == "cold: /httpd-net.hut.snapshot: "* ]] || problem "$b's org.hut.start is '$note'"
		expect_same_file "$b: index.html" "$TMP/cold-index" "$TMP/$b-index"
		stop "$b-1"
	fi
done
[ -z "$(ls "$R/hut-snapshots" 2>/dev/null)" ] || problem "an expansion left behind: $(ls "$R/hut-snapshots")"
finish

# pack_refused TAG STATUS ARG...: hut pack fails with STATUS and one `hut:` line, no output left.
pack_refused() {
	local tag=$1 want=$2
	shift 2
	run "$tag" "$HUT" pack "$@"
	expect_status "$tag" "$want"
	lines=$(grep -c '^hut: ' "$(err "$tag")")
	[ "$lines" = 1 ] || { problem "$tag: $lines 'hut:' lines"; detail_file stderr "$(err "$tag")"; }
	compgen -G "$TMP/out-$tag*" >/dev/null && problem "$tag: output left behind: $(ls -d "$TMP/out-$tag"*)"
	return 0
}

begin "oci/snapshot-pack-refused: no ready point, not ready in time, with --plain"
pack_refused early 125 --bundle "$TMP/out-early" --snapshot "$IMAGES/hello.hut"
expect_grep "no reason from the monitor" 'before its ready point' "$(err early)"
pack_refused slow 125 --bundle "$TMP/out-slow" --snapshot --ready-timeout 1 "$IMAGES/spin.hut"
expect_grep "the timeout not named" 'not reach its ready point within 1 s' "$(err slow)"
pack_refused plain 2 --bundle "$TMP/out-plain" --snapshot --plain /bin/true
finish

begin "oci/snapshot-containerd: an OCI image carries the snapshot packed; ctr run restores it, same bytes"
"$HUT" pack --oci-archive "$TMP/httpd.tar" --name localhost/httpd-snap:latest --snapshot "$IMAGE" \
	--port 8080 --root / >"$TMP/pack-oci.log" 2>&1 ||
	{ problem "hut pack --oci-archive --snapshot failed"; detail_file pack "$TMP/pack-oci.log"; }
run inspect "$HUT" inspect "$TMP/httpd.tar"
expect_status inspect 0
expect_grep "hut inspect does not show the snapshot" \
	'^snapshot: +/httpd-net\.hut\.snapshot, [0-9]+ KiB packed: [0-9]+ KiB of data in [0-9]+ runs of a [0-9]+ KiB sparse file$' \
	"$(out inspect)"
size=$(stat -c %s "$TMP/httpd.tar" 2>/dev/null || echo 0)
[ "$size" -lt $((16 << 20)) ] || problem "the archive is $size bytes: the snapshot is not packed"
if oci_ready ctr containerd && oci_fs && start_containerd; then
	ctrc image import "$TMP/httpd.tar" >"$TMP/import.log" 2>&1 ||
		{ problem "ctr image import failed"; detail_file import "$TMP/import.log"; }
	# hut-oci's root under the shim; the expansions there before the run.
	SHIM_ROOT=/run/containerd/runc/default
	before=$(ls "$SHIM_ROOT/hut-snapshots" 2>/dev/null)
	ctrc run -d --with-ns "network:/run/netns/$POD" --runc-binary "$OCI" localhost/httpd-snap:latest \
		ctr-snap >"$TMP/ctr-snap.log" 2>&1 ||
		{ problem "ctr run -d failed"; detail_file "ctr run" "$TMP/ctr-snap.log"; }
	fetch ctr
	expect_same_file "index.html restored under containerd and cold" "$TMP/cold-index" "$TMP/ctr-index"
	expect_same_file "page.png restored under containerd and cold" "$TMP/cold-png" "$TMP/ctr-png"
	pid=$(ctrc task ls 2>/dev/null | awk '$1 == "ctr-snap" { print $2 }')
	cmdline=$(tr '\0' ' ' <"/proc/${pid:-0}/cmdline" 2>/dev/null)
	[[ $cmdline == *"--restore /dev/hut-snapshot"* ]] ||
		problem "the monitor under containerd did not restore: '$cmdline'"
	ctrc task kill -s SIGKILL ctr-snap >/dev/null 2>&1
	sleep 0.5
	ctrc task delete -f ctr-snap >/dev/null 2>&1
	ctrc container delete ctr-snap >/dev/null 2>&1
	after=$(ls "$SHIM_ROOT/hut-snapshots" 2>/dev/null)
	[ "$after" = "$before" ] || problem "the expanded snapshot outlived its last container: $after"
	[ -e "$SHIM_ROOT/hut/ctr-snap" ] && problem "hut-oci's record of ctr-snap outlived delete"
	# More environment than packed: a cold boot, and nothing expanded.
	ctrc run -d --env EXTRA=1 --with-ns "network:/run/netns/$POD" --runc-binary "$OCI" \
		localhost/httpd-snap:latest ctr-snap >"$TMP/ctr-cold.log" 2>&1 ||
		{ problem "ctr run -d --env failed"; detail_file "ctr run" "$TMP/ctr-cold.log"; }
	fetch ctrcold
	expect_same_file "index.html booted cold under containerd" "$TMP/cold-index" "$TMP/ctrcold-index"
	pid=$(ctrc task ls 2>/dev/null | awk '$1 == "ctr-snap" { print $2 }')
	cmdline=$(tr '\0' ' ' <"/proc/${pid:-0}/cmdline" 2>/dev/null)
	[[ $cmdline == *"--env EXTRA=1"* ]] || problem "no monitor with the extra environment: '$cmdline'"
	[[ $cmdline == *"--restore"* ]] && problem "restored with other environment than packed: '$cmdline'"
	during=$(ls "$SHIM_ROOT/hut-snapshots" 2>/dev/null)
	[ "$during" = "$before" ] || problem "a snapshot expanded for a cold boot: $during"
	ctrc task kill -s SIGKILL ctr-snap >/dev/null 2>&1
	sleep 0.5
	ctrc task delete -f ctr-snap >/dev/null 2>&1
	ctrc container delete ctr-snap >/dev/null 2>&1
fi
finish
