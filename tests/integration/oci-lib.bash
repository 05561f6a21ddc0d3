# shellcheck shell=bash
# Helpers of the hut-oci tests (oci-runtime.sh, oci-containerd.sh,
# oci-podman.sh); sourced after lib.sh, never run. Not named *.sh, so
# tests/run-all.sh does not take it for a test file.
#
# Every daemon and store is the test's own: containerd with its own root,
# state, socket and config; podman with --root, --runroot and --tmpdir in a
# tmpfs the test mounts (an overlayfs cannot use the nested guest's own
# overlay root as its upper layer), --cgroup-manager cgroupfs and
# --network none. Nothing is left running: the EXIT trap stops containerd
# and unmounts the tmpfs.

OCI=$BIN/hut-oci
SPECS=/usr/share/gocode/src/github.com/opencontainers
RUNTIME_SCHEMAS=$SPECS/runtime-spec/schema
IMAGE_SCHEMAS=$SPECS/image-spec/schema
VALIDATE=$ROOT/tests/integration/oci_schema.py
OCI_FS=$TMP/ocifs
CTD_PID=

oci_cleanup() {
	if [ -n "$CTD_PID" ]; then
		kill "$CTD_PID" 2>/dev/null
		wait "$CTD_PID" 2>/dev/null
	fi
	# A shim whose task was left behind (a failed check): by the pid it
	# wrote in its bundle.
	local pidfile
	for pidfile in "$CTD"/state/io.containerd.runtime.v2.task/*/*/shim.pid; do
		[ -f "$pidfile" ] && kill -KILL "$(cat "$pidfile")" 2>/dev/null
	done
	umount -l "$OCI_FS" 2>/dev/null
	rm -rf "$TMP"
}
trap oci_cleanup EXIT

# oci_ready: the programs and packages the tests need; else FAIL, naming them.
oci_ready() {
	ready "$OCI" "$BIN/hut-monitor" "$IMAGES/hello.hut" "$APP_IMAGE" || return 1
	local p missing=()
	for p in "$@"; do command -v "$p" >/dev/null || missing+=("$p"); done
	if [ ${#missing[@]} -gt 0 ]; then
		problem "missing ${missing[*]} (scripts/deps.sh oci installs them)"
		finish
		return 1
	fi
	need_kvm
}

# oci_fs: a tmpfs at $OCI_FS for the stores.
oci_fs() {
	mkdir -p "$OCI_FS"
	mount -t tmpfs -o size=1g tmpfs "$OCI_FS" || { problem "cannot mount a tmpfs at $OCI_FS (run as root)"; return 1; }
}

# oci_images: OCI archives of oci_app.hut (built on the host by
# programs/programs.mk: the nested guest compiles slowly) and of hello:
# $TMP/app.tar (localhost/oci_app:latest) and $TMP/hello.tar.
APP_IMAGE=$ROOT/build/tests/programs/oci_app.hut
oci_images() {
	"$HUT" pack --oci-archive "$TMP/app.tar" "$APP_IMAGE" &&
		"$HUT" pack --oci-archive "$TMP/hello.tar" "$IMAGES/hello.hut" world ||
		{ problem "hut pack --oci-archive failed"; return 1; }
}

# wait_for_line FILE ERE SECONDS: true once FILE has a matching line.
wait_for_line() {
	local i
	for ((i = 0; i < $3 * 10 * SLOW; i++)); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# --- containerd ------------------------------------------------------------------

CTD=$OCI_FS/containerd
SOCK=$CTD/sock

# start_containerd: our own containerd (config: only what ctr needs; the
# CRI plugin off); FAIL with its log when it does not come up.
start_containerd() {
	mkdir -p "$CTD"
	cat >"$CTD/config.toml" <<-TOML
		version = 2
		root = "$CTD/root"
		state = "$CTD/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
		[grpc]
		  address = "$SOCK"
		[ttrpc]
		  address = "$SOCK.ttrpc"
	TOML
	containerd --config "$CTD/config.toml" >"$TMP/containerd.log" 2>&1 &
	CTD_PID=$!
	local i
	for ((i = 0; i < 300 * SLOW; i++)); do
		ctr -a "$SOCK" version >/dev/null 2>&1 && return 0
		kill -0 "$CTD_PID" 2>/dev/null || break
		sleep 0.1
	done
	problem "containerd did not start (ran: containerd --config $CTD/config.toml)"
	detail_file containerd.log "$TMP/containerd.log"
	return 1
}

ctrc() { ctr -a "$SOCK" "$@"; }

# --- podman ------------------------------------------------------------------------

PODMAN_DIR=$OCI_FS/podman
# The podman command line (an array, so that run can time it).
PODMAN=(podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/runroot" --tmpdir "$PODMAN_DIR/tmp"
	--cgroup-manager cgroupfs --events-backend file --runtime "$OCI")
