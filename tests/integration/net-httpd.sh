#!/bin/bash
# hut-test: needs-kvm
# apps/httpd, one image (build/tests/net/httpd-www.hut: net/mkwww.sh's files
# packed at /) served two ways, as a Linux process behind a veth and as an
# appliance on a tap (net/apps.sh), with the same checks from the other side:
# GET and HEAD of every packed file byte-identical, 404, a directory's index
# and listing, keep-alive (100 requests on one connection, and pipelined), 50
# connections at once, hostile clients (garbage, oversized heads, clients
# gone mid-request) after which the server still answers, and a bounded wrk
# run with no error. The appliance also answers ping.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=net/lib.sh
. "$(dirname "$0")/net/lib.sh"
# shellcheck source=net/apps.sh
. "$(dirname "$0")/net/apps.sh"

IMAGE=$ROOT/build/tests/net/httpd-www.hut
WWW=$ROOT/build/tests/net/www
PORT=8080

# Before any socket: the same answers to bad options, both ways.
differential "net-httpd: --help" "$IMAGE" - 0 --help
differential "net-httpd: --root that is no directory" "$IMAGE" - 1 --root /no/such/dir
differential "net-httpd: --port 0" "$IMAGE" - 2 --port 0

begin "net-httpd setup"
ready "$IMAGE" "$WWW/index.html" || exit 0
apps_setup || { finish; exit 0; }
finish
no_kvm_skip "net-httpd"

# root_of MODE: where the files are: the host folder for the process, the
# packed files (at /) for the appliance.
root_of() {
	if [ "$1" = process ]; then echo "$WWW"; else echo /; fi
}

# wrk_run MODE: a bounded load run (keep-alive, a small file): no socket
# error, no non-2xx answer, some requests done.
wrk_run() {
	local secs=3
	[ "$SLOW" -gt 1 ] && secs=8
	in_ns "$(client_ns "$1")" timeout -s KILL $((secs + 20)) wrk -t 1 -c 8 -d ${secs}s \
		--timeout $((5 * SLOW))s "http://$SERVER_IP:$PORT/index.html" >"$TMP/wrk.out" 2>&1 ||
		problem "wrk failed"
	expect_grep "wrk did no requests" "^ +[1-9][0-9]* requests in" "$TMP/wrk.out"
	expect_no_grep "wrk saw errors" "Socket errors|Non-2xx" "$TMP/wrk.out"
}

for mode in $(modes_to_run); do
	root=$(root_of "$mode")
	begin "net-httpd ($mode): every packed file by GET and HEAD, 404, index and listing"
	serve "$mode" httpd "$IMAGE" --port $PORT --root "$root"
	if wait_up "$mode" $PORT; then
		[ "$mode" = appliance ] && ping_guest
		check "$mode" "GET/HEAD of the files" files $PORT "$WWW"
		check "$mode" "404" status $PORT /no-such-file 404
		check "$mode" "a directory without its slash" status $PORT /site 301
		check "$mode" "a directory's index.html" status $PORT /site/ 200
		in_ns "$(client_ns "$mode")" curl -sS -m $((10 * SLOW)) "http://$SERVER_IP:$PORT/listed/" \
			>"$TMP/listing.html" 2>&1
		expect_grep "no listing of listed/" 'href="b%26c.txt">b&amp;c.txt<' "$TMP/listing.html"
		in_ns "$(client_ns "$mode")" curl -sS -m $((10 * SLOW)) -o /dev/null -w '%{content_type}\n' \
			"http://$SERVER_IP:$PORT/sub/style.css" >"$TMP/type.out" 2>&1
		expect_grep "wrong content type for .css" '^text/css$' "$TMP/type.out"
	fi
	finish

	# (a server that is gone fails each test below at once: server_alive says so)
	begin "net-httpd ($mode): keep-alive (100 requests on one connection), 50 connections at once"
	if server_alive; then
		check "$mode" "keep-alive" keepalive $PORT /index.html "$WWW/index.html" 100
		check "$mode" "50 connections" concurrent $PORT /page.png "$WWW/page.png" 50
	fi
	finish

	begin "net-httpd ($mode): garbage and clients gone mid-request; the server survives"
	if server_alive; then
		check "$mode" "hostile clients" hostile $PORT
		check "$mode" "an answer after the hostile clients" status $PORT /index.html 200
		server_alive
	fi
	finish

	begin "net-httpd ($mode): wrk, keep-alive, bounded, zero errors"
	server_alive && wrk_run "$mode"
	stop_server
	no_libos_warnings "$mode"
	finish
done
