#!/bin/bash
# hut-oci under a real containerd (Debian's), started here with its own
# root, state and socket: `ctr run --runc-binary hut-oci` boots hut images
# from `hut pack --oci-archive` as appliances (output, exit status, env,
# args, signals, a bind mount as a volume, a memory limit refused), and an
# ordinary image in the same containerd still runs, through crun or runc.
# `ctr run -t` on a pty: the guest's stdin and stdout are that terminal
# (hut-oci passes --console-socket on), a typed line reaches it, Ctrl-C is
# SIGINT, a resize is SIGWINCH and the new size. Each appliance's output is compared with the image run as a process.
# hut-test: needs-kvm (oci_ready calls need_kvm)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/oci-lib.bash"

# ctr_run TAG ARGS...: ctr run --rm through hut-oci; sets ST like run.
ctr_run() {
	local tag=$1
	shift
	run "$tag" ctr -a "$SOCK" run --rm --runc-binary "$OCI" "$@"
}

begin oci/containerd-hello
oci_ready containerd ctr || exit 0
oci_fs && start_containerd && oci_images || { finish; exit 0; }
"$HUT" pack --plain --oci-archive "$TMP/plain.tar" --name localhost/plain:latest "$(reference hello)" world
for a in hello app plain; do
	ctrc image import "$TMP/$a.tar" >"$TMP/import.log" 2>&1 ||
		{ problem "ctr image import $a.tar failed"; detail_file import "$TMP/import.log"; }
done
run proc "$IMAGES/hello.hut" world
ctr_run h1 localhost/hello:latest h1
expect_status h1 0
expect_same_file "ctr run and process stdout" "$(out proc)" "$(out h1)"
finish

begin oci/containerd-exit-status
ctr_run e42 localhost/oci_app:latest e42 /oci_app.hut exit 42
expect_status e42 42
expect_grep "no 'exit 42' from the guest" '^exit 42$' "$(out e42)"
ctr_run crash localhost/oci_app:latest crash /oci_app.hut crash
expect_status crash 139
expect_grep "no crash report from hut-monitor" '^hut-monitor: .*SIGSEGV' "$(err crash)"
finish

begin oci/containerd-env-args
ctr_run env --env HUT_GREETING=hi localhost/oci_app:latest env1 /oci_app.hut env HUT_GREETING
expect_status env 0
expect_grep "process.env did not reach the guest" '^HUT_GREETING=hi$' "$(out env)"
ctr_run args localhost/oci_app:latest args1 /oci_app.hut args one "two words"
printf 'arg one\narg two words\n' >"$TMP/args.want"
expect_status args 0
expect_same_file "guest argv" "$TMP/args.want" "$(out args)"
finish

# kill_run MODE ID: ctr run in the background; sets BG (its pid) once the
# guest says it is waiting.
kill_run() {
	(ctr -a "$SOCK" run --rm --runc-binary "$OCI" localhost/oci_app:latest "$2" /oci_app.hut "$1" \
		>"$TMP/$2.out" 2>"$TMP/$2.err" </dev/null) &
	BG=$!
	wait_for_line "$TMP/$2.out" 'waiting' 30 || problem "$2: the guest never said it was waiting"
}

begin oci/containerd-signals
kill_run term k1
ctrc task kill k1 >/dev/null 2>&1 # SIGTERM: the guest's handler runs, it goes on
wait_for_line "$TMP/k1.out" '^handler: SIGTERM$' 30 || problem "SIGTERM: the guest's handler did not run"
ctrc task kill -s SIGKILL k1 >/dev/null 2>&1
wait "$BG"
ST=$? HUNG=0
expect_status k1 137
kill_run wait k2
ctrc task kill k2 >/dev/null 2>&1 # no handler: the default action
wait "$BG"
ST=$? HUNG=0
expect_status k2 143
finish

begin oci/containerd-ordinary-image
# The plain musl build of hello: not a hut image, so crun or runc runs it.
ctr_run plain localhost/plain:latest p1
expect_status plain 0
expect_same_file "plain container and process stdout" "$(out proc)" "$(out plain)"
finish

begin oci/containerd-bind-mount-volume
mkdir -p "$TMP/shared"
echo "from the host" >"$TMP/shared/msg.txt"
ctr_run vol --mount "type=bind,src=$TMP/shared,dst=/data,options=rbind:ro" \
	localhost/oci_app:latest v1 /oci_app.hut cat /data/msg.txt
expect_status vol 0
expect_same_file "the volume's file" "$TMP/shared/msg.txt" "$(out vol)"
finish

begin oci/containerd-memory-limit
# 32 MiB cannot hold the image's 64 MiB of guest RAM: refused at create.
ctr_run mem --memory-limit 33554432 localhost/oci_app:latest m1 /oci_app.hut exit 0
[ "$ST" != 0 ] || problem "a 32 MiB memory limit was accepted"
expect_grep "ctr did not pass on hut-oci's reason" 'memory limit 32 MiB is below what /oci_app.hut needs: 64 MiB' "$(err mem)"
expect_no_grep "the guest ran" '^exit 0$' "$(out mem)"
finish

begin oci/containerd-terminal
run_tty tty ctr -a "$SOCK" run -t --rm --runc-binary "$OCI" localhost/oci_app:latest t1 /oci_app.hut tty
expect_tty_session tty
run_tty tty-proc "$APP_IMAGE" tty
expect_tty_same tty-proc tty
finish

# ctr passes its terminal's resize on to the container's pty: the guest
# hears SIGWINCH and reads the new size, as the image run as a process does.
begin oci/containerd-terminal-resize
run "winch" python3 "$ROOT/tests/integration/oci_tty.py" $((RUN_LIMIT * SLOW / 3)) \
	"winch: waiting" resize:30x100 -- ctr -a "$SOCK" run -t --rm --runc-binary "$OCI" \
	localhost/oci_app:latest w1 /oci_app.hut winch 30x100
expect_status winch 10
expect_grep "the guest did not see the new size" '^winch: after SIGWINCH 30x100$' "$(out winch)"
finish
