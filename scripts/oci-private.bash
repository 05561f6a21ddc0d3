# shellcheck shell=bash
# A private containerd and a private podman store, for the hut-oci tests
# (tests/integration/oci-lib.bash) and `make bench-oci` (bench/oci.sh).
# Sourced, never run. Nothing here touches the host's own containerd or
# podman storage: every root, state directory and socket lives under
# $OCI_FS, a tmpfs this file mounts (an overlayfs cannot use the nested
# guest's overlay root as its upper layer) and oci_private_stop unmounts.
#
# The sourcing script sets, before calling anything:
#   OCI_FS    the directory to mount the tmpfs on (created here)
#   OCI       hut-oci, the runtime podman is given
#   SLOW      a factor for the waits (1 native, more in the nested guest)
# Functions return non-zero with a one-line reason on stderr; the caller
# decides whether that is a FAIL (tests) or an abort (bench).

CTD=$OCI_FS/containerd
SOCK=$CTD/sock
CTD_PID=
PODMAN_DIR=$OCI_FS/podman
# The podman command line (arrays, so that callers can time or extend them):
# PODMAN_STORE without a runtime, PODMAN through hut-oci.
PODMAN_STORE=(podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/runroot" --tmpdir "$PODMAN_DIR/tmp"
	--cgroup-manager cgroupfs --events-backend file)
PODMAN=("${PODMAN_STORE[@]}" --runtime "$OCI")

# oci_private_fs: a tmpfs at $OCI_FS for the stores.
oci_private_fs() {
	mkdir -p "$OCI_FS"
	mount -t tmpfs -o size=1g tmpfs "$OCI_FS" || {
		echo "cannot mount a tmpfs at $OCI_FS (run as root)" >&2
		return 1
	}
}

# oci_private_containerd LOG: our own containerd (config: only what ctr
# needs; the CRI plugin off), its output in LOG; true once ctr reaches it.
oci_private_containerd() {
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
	containerd --config "$CTD/config.toml" >"$1" 2>&1 &
	CTD_PID=$!
	local i
	for ((i = 0; i < 300 * ${SLOW:-1}; i++)); do
		ctr -a "$SOCK" version >/dev/null 2>&1 && return 0
		kill -0 "$CTD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "containerd did not start (ran: containerd --config $CTD/config.toml)" >&2
	return 1
}

ctrc() { ctr -a "$SOCK" "$@"; }

# oci_private_stop: containerd, any shim left behind, the tmpfs.
oci_private_stop() {
	if [ -n "$CTD_PID" ]; then
		kill "$CTD_PID" 2>/dev/null
		wait "$CTD_PID" 2>/dev/null
		CTD_PID=
	fi
	# A shim whose task was left behind (a failed check): by the pid it
	# wrote in its bundle.
	local pidfile
	for pidfile in "$CTD"/state/io.containerd.runtime.v2.task/*/*/shim.pid; do
		[ -f "$pidfile" ] && kill -KILL "$(cat "$pidfile")" 2>/dev/null
	done
	umount -l "$OCI_FS" 2>/dev/null
	return 0
}
