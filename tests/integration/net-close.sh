#!/bin/bash
# hut-test: needs-kvm
# When a server ends while a client waits on its reply, the client sees EOF
# or a reset within a second, however the server ended. One image
# (tests/integration/programs/sockets.c --hold) takes one request and ends
# holding the connection, two ways (net/apps.sh): as a Linux process behind a
# veth and as an appliance on a tap. Linux closes a dying process's sockets:
# a FIN, or a reset when unread data is left or a connection was never
# accepted. The appliance must do the same when it exits or takes a
# signal's default action itself (the libos closes its sockets), and when
# it cannot (a crash, --timeout, SIGTERM's default action applied by the
# monitor) the monitor resets what is still open. The client (python3, in
# the namespace) prints what it saw and when; the test compares that with
# when the server's end was seen.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=net/lib.sh
. "$(dirname "$0")/net/lib.sh"
# shellcheck source=net/apps.sh
. "$(dirname "$0")/net/apps.sh"

IMAGE=$ROOT/build/tests/programs/sockets.hut
PORT=7100
MONITOR_ARGS="--mac 02:00:00:00:00:02" # one MAC for every boot: the client's ARP cache holds

cat >"$TMP/client.py" <<'PY'
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3]))
s.sendall(b"request\n")
try:
    outcome = "EOF" if not s.recv(4096) else "DATA"
except ConnectionResetError:
    outcome = "RESET"
except socket.timeout:
    outcome = "TIMEOUT"
print(outcome, "%.3f" % time.time(), flush=True)
PY

begin "net-close setup"
ready "$IMAGE" || exit 0
apps_setup || { finish; exit 0; }
finish
no_kvm_skip "net-close"

# wait_line PATTERN: until the server printed a line matching PATTERN, or ended.
wait_line() {
	local t
	for ((t = 0; t < 100 * SLOW; t++)); do
		grep -qs "$1" "$TMP/hold.out" && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.2
	done
	problem "the server never printed '$1'"
	detail_file "server stderr" "$TMP/hold.err"
	return 1
}

# start MODE HOW ENDING: the server, as MODE says; ENDING timeout gives it
# 3 seconds (--timeout for the monitor, timeout(1) for the process).
start() {
	local mode=$1 how=$2 ending=$3
	if [ "$ending" = timeout ] && [ "$mode" = process ]; then
		serve process hold timeout -s TERM 3 "$IMAGE" --hold $PORT "$how"
	elif [ "$ending" = timeout ]; then
		MONITOR_ARGS="$MONITOR_ARGS --timeout $((3 * SLOW))" serve appliance hold "$IMAGE" \
			--hold $PORT "$how"
	else
		serve "$mode" hold "$IMAGE" --hold $PORT "$how"
	fi
}

# hold_case MODE WHAT HOW ENDING STATUS OUTCOME RESETS: the server ends as
# HOW and ENDING (-, timeout, or term: SIGTERM from outside once it has the
# request) say, with STATUS; the client saw OUTCOME (EOF or RESET) at most a
# second after the server's end was seen; an appliance's monitor reset
# RESETS connections itself.
hold_case() {
	local mode=$1 what=$2 how=$3 ending=$4 status=$5 outcome=$6 resets=$7 client got at end
	begin "net-close ($mode): $what: the client sees $outcome within a second"
	rm -f "$TMP/hold.out" "$TMP/hold.err"
	start "$mode" "$how" "$ending"
	if wait_line '^listening$'; then
		in_ns "$(client_ns "$mode")" $PY "$TMP/client.py" $SERVER_IP $PORT $((10 * SLOW)) \
			>"$TMP/client.out" 2>&1 &
		client=$!
		[ "$ending" = term ] && wait_line '^got the request$' && kill -TERM "$SERVER_PID"
		wait "$SERVER_PID"
		ST=$? HUNG=0
		end=$(date +%s.%N)
		wait "$client"
		expect_status hold "$status"
		read -r got at <"$TMP/client.out"
		if [ "$got" != "$outcome" ]; then
			problem "the client saw ${got:-nothing}, not $outcome"
			detail_file client "$TMP/client.out"
		elif ! awk -v at="$at" -v end="$end" 'BEGIN { exit !(at - end < 1.0) }'; then
			problem "the client saw $got $(awk -v at="$at" -v end="$end" \
				'BEGIN { printf "%.2f", at - end }') s after the server's end"
		fi
		if [ "$mode" = appliance ]; then
			expect_grep "the monitor did not reset $resets connection(s)" \
				"; $resets TCP connections reset at the end" "$TMP/hold.err"
		fi
	fi
	finish
}

for mode in $(modes_to_run); do
	appl_reset=RESET resets=1
	[ "$mode" = process ] && appl_reset=EOF # Linux closes a killed process's sockets: a FIN
	hold_case "$mode" "exit() holding it" exit - 0 EOF 0
	hold_case "$mode" "exit() with 7 bytes of the request unread" unread - 0 RESET 0
	hold_case "$mode" "the last thread's SYS_exit" thread-exit - 3 EOF 0
	hold_case "$mode" "exit() with a connection not accepted" pending - 0 RESET 0
	hold_case "$mode" "abort(), SIGABRT's default action in the guest" abort - 134 EOF 0
	hold_case "$mode" "a crash (SIGSEGV)" crash - 139 $appl_reset $resets
	hold_case "$mode" "ended by timeout" wait timeout 124 $appl_reset $resets
	hold_case "$mode" "SIGTERM from outside, its default action" wait term 143 $appl_reset $resets
done
