#!/bin/bash
# hut-test: needs-kvm
# An appliance that connects out: apps/fetch (an HTTP/1.0 client) fetches
# files from a server on the other side (Python's http.server, in the test's
# client namespace at 192.0.2.1), as a Linux process behind a veth and as an
# appliance on a tap (net/apps.sh). Both must print the file's bytes and
# exit 0; a 404 must exit 1 and a port nobody listens on 3, both ways.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=net/lib.sh
. "$(dirname "$0")/net/lib.sh"
# shellcheck source=net/apps.sh
. "$(dirname "$0")/net/apps.sh"

FETCH=$IMAGES/fetch.hut
WWW=$ROOT/build/tests/net/www
PORT=8081

begin "net-out setup"
ready "$FETCH" "$WWW/large.bin" || exit 0
apps_setup || { finish; exit 0; }
# The server on the client side, in both modes' client namespaces.
for ns in "$CLI_process" "$CLI_appliance"; do
	in_ns "$ns" timeout -s KILL $((RUN_LIMIT * SLOW * 4)) $PY -m http.server -b $CLIENT_IP \
		-d "$WWW" $PORT >/dev/null 2>&1 </dev/null &
done
for _ in $(seq 50); do
	in_ns "$CLI_process" $PY "$CLIENT" wait $CLIENT_IP $PORT 0.2 >/dev/null &&
		in_ns "$CLI_appliance" $PY "$CLIENT" wait $CLIENT_IP $PORT 0.2 >/dev/null && break
done
finish
no_kvm_skip "net-out"

# fetch_run MODE TAG PATH [PORT]: fetch.hut as MODE says; sets ST.
fetch_run() {
	local mode=$1 tag=$2 path=$3 port=${4:-$PORT}
	if [ "$mode" = process ]; then
		run "$tag" ip netns exec "$SRV" "$FETCH" $CLIENT_IP "$port" "$path"
	else
		run "$tag" ip netns exec "$CLI_appliance" "$MONITOR" --net tap0 --ip $SERVER_IP/24 \
			--gw $CLIENT_IP "$FETCH" $CLIENT_IP "$port" "$path"
	fi
}

for mode in $(modes_to_run); do
	begin "net-out ($mode): fetch connects out and gets 1 MiB, a 404, a refusal"
	fetch_run "$mode" large /large.bin
	expect_status large 0
	expect_same_file "the fetched file and the original" "$WWW/large.bin" "$(out large)"
	fetch_run "$mode" missing /no-such-file
	expect_status missing 1
	fetch_run "$mode" refused /large.bin 9
	expect_status refused 3
	expect_grep "no reason for the refusal" "^fetch: connect to $CLIENT_IP:9: Connection refused" \
		"$(err refused)"
	for tag in large missing refused; do
		expect_no_grep "the libos warned ($tag)" '^hut: warning|not implemented' "$(err $tag)"
	done
	finish
done
