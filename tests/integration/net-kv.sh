#!/bin/bash
# hut-test: needs-kvm
# apps/kv and apps/udpecho, each one image served two ways, as a Linux
# process behind a veth and as an appliance on a tap (net/apps.sh), with the
# same checks from the other side: kv sets 10,000 keys (pipelined) and reads
# them back, answers memcached's protocol errors, keeps its log (--data, on
# a volume for the appliance) and, restarted, replays it: every key back, a
# deleted one still gone; garbage, overlong lines, values too large or cut
# short and resets leave it answering; udpecho echoes datagrams of 1 to
# 9000 bytes.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=net/lib.sh
. "$(dirname "$0")/net/lib.sh"
# shellcheck source=net/apps.sh
. "$(dirname "$0")/net/apps.sh"

KV=$IMAGES/kv.hut
UDPECHO=$IMAGES/udpecho.hut
PORT=11211
KEYS=10000

begin "net-kv setup"
ready "$KV" "$UDPECHO" || exit 0
apps_setup || { finish; exit 0; }
finish
no_kvm_skip "net-kv"

# serve_kv MODE TAG: kv with its log in a folder of the mode's own: a plain
# path for the process, a volume at /data for the appliance.
serve_kv() {
	mkdir -p "$TMP/data-$1"
	if [ "$1" = process ]; then
		serve "$1" "$2" "$KV" --port $PORT --data "$TMP/data-$1/kv.log"
	else
		MONITOR_ARGS="--volume $TMP/data-$1:/data" serve "$1" "$2" "$KV" --port $PORT \
			--data /data/kv.log
	fi
}

for mode in $(modes_to_run); do
	begin "net-kv ($mode): $KEYS keys set and read back, the protocol's replies"
	serve_kv "$mode" kv
	if wait_up "$mode" $PORT; then
		check "$mode" "kv" kv $PORT $KEYS
		stop_server
		no_libos_warnings "$mode"
	fi
	finish

	begin "net-kv ($mode): restarted, the log replays; hostile clients after"
	serve_kv "$mode" kv2
	if wait_up "$mode" $PORT; then
		# the keys, then client.py's own: victim set and deleted, empty, gone (expired)
		expect_grep "no replay line" "^kv: .*kv.log: $((KEYS + 4)) records, $((KEYS + 2)) keys$" \
			"$TMP/kv2.out"
		check "$mode" "kv after a restart" kvcheck $PORT $KEYS
		check "$mode" "hostile clients" kvhostile $PORT
		server_alive
		stop_server
		no_libos_warnings "$mode"
	fi
	finish

	begin "net-udpecho ($mode): datagrams of 1 to 9000 bytes echoed"
	serve "$mode" udpecho "$UDPECHO" --port 7007
	for _ in $(seq 50); do grep -q '^udpecho: on port' "$TMP/udpecho.out" && break; sleep 0.2; done
	check "$mode" "udp echo" udp 7007 30
	stop_server
	no_libos_warnings "$mode"
	finish
done
