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
# The private containerd and podman store (shared with bench/oci.sh).
# shellcheck source=SCRIPTDIR/../../scripts/oci-private.bash
. "$ROOT/scripts/oci-private.bash"

oci_cleanup() {
	oci_private_stop
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
	need_kvm || return 1
	# For run-all.sh's summary (once a file): the host's cgroups and the
	# runtime chosen.
	[ -n "${OCI_NOTED:-}" ] || echo "NOTE oci: $("$OCI" --version | grep '^lower runtime')"
	OCI_NOTED=1
}

# oci_fs: a tmpfs at $OCI_FS for the stores; else FAIL.
oci_fs() {
	oci_private_fs 2>"$TMP/why" || { problem "$(cat "$TMP/why")"; return 1; }
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

# start_containerd: our own containerd; FAIL with its log when it does not
# come up.
start_containerd() {
	# Not in $(...): containerd must stay this shell's child (CTD_PID).
	oci_private_containerd "$TMP/containerd.log" 2>"$TMP/why" && return 0
	problem "$(cat "$TMP/why")"
	detail_file containerd.log "$TMP/containerd.log"
	return 1
}

# --- a terminal (podman run -it, ctr run -t) ---------------------------------------

TTY_LINE="typed at the terminal"
# run_tty TAG COMMAND...: COMMAND on a pty of its own (oci_tty.py): it types
# TTY_LINE and Enter when oci_app's tty mode waits for a line, then Ctrl-C.
run_tty() {
	local tag=$1
	shift
	run "$tag" python3 "$ROOT/tests/integration/oci_tty.py" $((RUN_LIMIT * SLOW / 3)) \
		"tty-line: waiting" "type:$TTY_LINE" "tty-ctrl-c: waiting" ctrl-c -- "$@"
}

# expect_tty_session TAG: what oci_app's tty mode shows on a terminal: it is
# one, the typed line came back, Ctrl-C ran its SIGINT handler (exit 5).
expect_tty_session() {
	expect_status "$1" 5
	expect_grep "the guest's stdin and stdout are not a terminal" \
		'^tty: stdin a terminal, stdout a terminal$' "$(out "$1")"
	expect_grep "the typed line did not reach the guest" "^echo: $TTY_LINE\$" "$(out "$1")"
	expect_grep "Ctrl-C did not reach the guest as SIGINT" 'handler: SIGINT$' "$(out "$1")"
}

# expect_tty_same TAG-A TAG-B: the same lines of oci_app's own on both
# terminals. The terminal's echo of the keys is left out: where it lands
# among the program's output depends on timing (and on how many ptys lie
# between the keys and the program).
expect_tty_same() {
	local t
	for t in "$1" "$2"; do
		grep -oE 'tty: .*|echo: .*|handler: SIGINT' "$(out "$t")" >"$TMP/$t.lines"
	done
	expect_same_file "the program's lines on the terminal, $2 against $1" "$TMP/$1.lines" "$TMP/$2.lines"
}
