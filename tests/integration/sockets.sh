#!/bin/bash
# The socket layer over 127.0.0.1 (no device needed): one program
# (tests/integration/programs/sockets.c) exercises TCP, UDP, sockopts,
# poll/select/epoll/eventfd over sockets, pipes and eventfds, and sendfile
# of a packed file, printing what every call returned. The same image as a
# Linux process and as an appliance must print the same bytes and exit 0.
# Then: --timeout ends an appliance blocked in accept (124), and an image
# that never calls socket() carries no lwIP.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

IMAGE=$ROOT/build/tests/programs/sockets.hut
SENT=$ROOT/tests/integration/programs/sockets.c # packed at /data/sent

begin "sockets: the socket API over loopback, process and appliance"
if ready "$IMAGE"; then
	run proc "$IMAGE" "$SENT"
	expect_status proc 0
	expect_grep "the process did not run to the end" '^== done$' "$(out proc)"
	if need_kvm; then
		run appl "$MONITOR" "$IMAGE" /data/sent
		expect_status appl 0
		expect_same_file "appliance and process stdout" "$(out proc)" "$(out appl)"
		expect_no_grep "the libos warned about a syscall" 'not implemented' "$(err appl)"
		finish
	fi
fi

begin "sockets: --timeout ends an appliance blocked in accept (124)"
if ready_kvm "$IMAGE"; then
	run appl "$MONITOR" --timeout 2 "$IMAGE" --accept-forever
	expect_status appl 124
	expect_grep "it never listened" '^listening$' "$(out appl)"
	finish
fi

# nm lists a symbol of lwIP's TCP input in the image that calls socket()
# and none in one that does not (hello): the socket layer is linked only
# through socket() (--wrap=socket, libos/net/link.c).
begin "sockets: only images that call socket() carry lwIP"
if ready "$IMAGE" "$IMAGES/hello.hut"; then
	nm "$IMAGE" >"$TMP/sockets.nm" 2>&1
	nm "$IMAGES/hello.hut" >"$TMP/hello.nm" 2>&1
	expect_grep "no lwIP in the sockets image" ' tcp_input$' "$TMP/sockets.nm"
	expect_no_grep "lwIP in hello.hut" ' tcp_input$| lwip_init$' "$TMP/hello.nm"
	finish
fi
