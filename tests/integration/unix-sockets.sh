#!/bin/bash
# AF_UNIX sockets and socketpair in the libos (libos/unix/): one program
# (tests/integration/programs/unix_sockets.c) exercises stream, datagram
# and seqpacket sockets, servers on a tmpfs path and an abstract name,
# SCM_RIGHTS, readiness and the errors, printing what every call returned.
# The same image as a Linux process and as an appliance must print the same
# bytes and exit 0; so must unix_pair.hut (the same without socket()),
# which must carry no lwIP. Then what bind() answers where the libos makes
# no socket nodes: EROFS on the read-only image, EOPNOTSUPP (and one
# warning) on a volume.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

IMAGE=$ROOT/build/tests/programs/unix_sockets.hut
PAIR=$ROOT/build/tests/programs/unix_pair.hut

differential "unix-sockets: AF_UNIX sockets, process and appliance" "$IMAGE" - 0
differential "unix-sockets: socketpair alone, process and appliance" "$PAIR" - 0

begin "unix-sockets: the tests ran to the end"
if ready "$IMAGE"; then
	run proc "$IMAGE"
	expect_grep "the process did not run to the end" '^== done$' "$(out proc)"
	expect_grep "no server on a tmpfs path" '^-- server on a tmpfs path$' "$(out proc)"
	finish
fi

# nm lists lwIP's TCP input in the image that calls socket() (AF_UNIX
# only: --wrap=socket still links libhut-net.a) and nothing of lwIP in the
# one that calls only socketpair: AF_UNIX is core libos.
begin "unix-sockets: socketpair alone links no lwIP"
if ready "$IMAGE" "$PAIR"; then
	nm "$IMAGE" >"$TMP/unix.nm" 2>&1
	nm "$PAIR" >"$TMP/pair.nm" 2>&1
	expect_grep "the socket() image has no lwIP" ' tcp_input$' "$TMP/unix.nm"
	expect_no_grep "lwIP in unix_pair.hut" ' tcp_[a-z_]*$| lwip_init$' "$TMP/pair.nm"
	expect_grep "no AF_UNIX in unix_pair.hut" ' hut_sys_socketpair$' "$TMP/pair.nm"
	finish
fi

begin "unix-sockets: bind on the image is EROFS, on a volume EOPNOTSUPP"
if ready_kvm "$IMAGE"; then
	run image "$MONITOR" "$IMAGE" --bind /sock
	expect_status image 0
	expect_grep "bind on the image" '^bind: EROFS$' "$(out image)"
	mkdir -p "$TMP/vol"
	run vol "$MONITOR" --volume "$TMP/vol:/data" "$IMAGE" --bind /data/sock
	expect_status vol 0
	expect_grep "bind on a volume" '^bind: EOPNOTSUPP$' "$(out vol)"
	expect_grep "no warning for the volume" 'AF_UNIX socket to a path outside /tmp' "$(err vol)"
	[ -e "$TMP/vol/sock" ] && problem "a node was made in the volume's host folder"
	finish
fi
