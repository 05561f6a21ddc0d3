#!/bin/bash
# hut-oci under Debian's podman, with the test's own storage (--root,
# --runroot, --tmpdir in a tmpfs), --cgroup-manager cgroupfs and
# --network none: `podman --runtime hut-oci run oci-archive:FILE` boots the
# image as an appliance; its output (compared with the image run as a
# process) and exit status reach podman; `podman stop` delivers SIGTERM to
# the guest's handler, then SIGKILL; `podman logs` shows the output.
# Words after the image replace its Cmd (the ARGs), not its Entrypoint.
# `podman run -it` on a pty: the guest's stdin and stdout are that terminal
# (through --console-socket), a typed line reaches it, Ctrl-C is SIGINT.
# hut-test: needs-kvm (oci_ready calls need_kvm)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=oci-lib.bash
. "$(dirname "$0")/oci-lib.bash"

begin oci/podman-hello
oci_ready podman || exit 0
oci_fs && oci_images || { finish; exit 0; }
run proc "$IMAGES/hello.hut" world
run p1 "${PODMAN[@]}" run --rm --network none "oci-archive:$TMP/hello.tar"
expect_status p1 0
expect_same_file "podman run and process stdout" "$(out proc)" "$(out p1)"
finish

begin oci/podman-exit-status-env-args
run load "${PODMAN[@]}" load -i "$TMP/app.tar"
expect_status load 0
run e42 "${PODMAN[@]}" run --rm --network none localhost/oci_app:latest exit 42
expect_status e42 42
expect_grep "no 'exit 42' from the guest" '^exit 42$' "$(out e42)"
run env "${PODMAN[@]}" run --rm --network none --env HUT_GREETING=hi localhost/oci_app:latest env HUT_GREETING
expect_status env 0
expect_grep "process.env did not reach the guest" '^HUT_GREETING=hi$' "$(out env)"
run crash "${PODMAN[@]}" run --rm --network none localhost/oci_app:latest crash
expect_status crash 139
finish

begin oci/podman-stop-and-logs
run start "${PODMAN[@]}" run -d --name s1 --network none localhost/oci_app:latest term
expect_status start 0
for ((i = 0; i < 30 * SLOW; i++)); do
	"${PODMAN[@]}" logs s1 2>/dev/null | grep -q '^term: waiting$' && break
	sleep 1
done
# The handler runs and the guest goes on, so stop's SIGKILL ends it.
run stop "${PODMAN[@]}" stop -t 3 s1
expect_status stop 0
"${PODMAN[@]}" logs s1 >"$TMP/s1.log" 2>&1
expect_grep "podman logs lacks the guest's first line" '^term: waiting$' "$TMP/s1.log"
expect_grep "SIGTERM: the guest's handler did not run" '^handler: SIGTERM$' "$TMP/s1.log"
run inspect "${PODMAN[@]}" inspect -f '{{.State.ExitCode}}' s1
expect_grep "exit code after stop is not 137" '^137$' "$(out inspect)"
"${PODMAN[@]}" rm -f s1 >/dev/null 2>&1
finish

begin oci/podman-terminal
run_tty tty "${PODMAN[@]}" run -it --rm --network none localhost/oci_app:latest tty
expect_tty_session tty
# The same keys typed at the image run as a process show the same screen.
run_tty tty-proc "$APP_IMAGE" tty
expect_tty_same tty-proc tty
finish
