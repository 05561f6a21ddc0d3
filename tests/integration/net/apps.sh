# shellcheck shell=bash
# The network apps' tests (net-httpd.sh, net-kv.sh, net-out.sh): the same
# image serves the same checks two ways; sourced after lib.sh and net/lib.sh.
#
#   process    the image as a Linux process in namespace SRV, behind a veth
#              pair: SRV's end 192.0.2.2/24, the client namespace's 192.0.2.1/24
#   appliance  the image under the monitor in the client namespace of its
#              own, on a tap there (192.0.2.1/24); the guest is 192.0.2.2/24
#
# Either way a client in CLI_<mode> reaches the server at 192.0.2.2, and the
# server reaches the client side at 192.0.2.1.

CLIENT=$ROOT/tests/integration/net/client.py
SERVER_IP=192.0.2.2
CLIENT_IP=192.0.2.1
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3 # the system's, with nothing of a user's

# apps_setup: the namespaces of both modes; ends the test (FAIL) if it cannot.
apps_setup() {
	net_usable || { problem "needs root, ip and /dev/net/tun"; return 1; }
	net_ns cli-p && CLI_process=$NS && net_ns srv && SRV=$NS &&
		net_veth "$CLI_process" veth0 $CLIENT_IP/24 "$SRV" veth0 $SERVER_IP/24 &&
		net_ns cli-a && CLI_appliance=$NS && net_tap "$CLI_appliance" tap0 $CLIENT_IP/24 ||
		{ problem "cannot make the namespaces, veth and tap"; return 1; }
}

# serve MODE TAG IMAGE ARG...: starts IMAGE in the background as MODE says,
# output in $TMP/TAG.out and .err; MONITOR_ARGS go to the monitor.
serve() {
	local mode=$1 tag=$2
	shift 2
	if [ "$mode" = process ]; then
		(cd "$WORK" && exec timeout -s KILL "$((RUN_LIMIT * SLOW * 4))" \
			ip netns exec "$SRV" "$@") >"$TMP/$tag.out" 2>"$TMP/$tag.err" </dev/null &
	else
		# shellcheck disable=SC2086 # MONITOR_ARGS are words
		(cd "$WORK" && exec timeout -s KILL "$((RUN_LIMIT * SLOW * 4))" \
			ip netns exec "$CLI_appliance" "$MONITOR" --trace-exits ${MONITOR_ARGS:-} \
			--net tap0 --ip $SERVER_IP/24 --gw $CLIENT_IP "$@") \
			>"$TMP/$tag.out" 2>"$TMP/$tag.err" </dev/null &
	fi
	SERVER_PID=$!
	SERVER_TAG=$tag
}

# client_ns MODE: the namespace MODE's clients run in.
client_ns() {
	if [ "$1" = process ]; then echo "$CLI_process"; else echo "$CLI_appliance"; fi
}

# check MODE WHAT CHECK ARG...: client.py CHECK 192.0.2.2 ARG... from MODE's
# client namespace; a problem naming WHAT if it fails.
check() {
	local mode=$1 what=$2 name=$3
	shift 3
	in_ns "$(client_ns "$mode")" timeout -s KILL $((60 * SLOW)) \
		env CLIENT_TIMEOUT=$((10 * SLOW)) $PY "$CLIENT" "$name" $SERVER_IP "$@" \
		>"$TMP/check.out" 2>&1 && return 0
	problem "$what: $(head -c 200 "$TMP/check.out" | head -1)"
	return 1
}

# server_alive: the server is still running (not crashed by the last checks).
server_alive() {
	kill -0 "$SERVER_PID" 2>/dev/null && return 0
	problem "the server ended"
	detail_file "server stderr" "$TMP/$SERVER_TAG.err"
	return 1
}

# stop_server: ends it (SIGTERM: a process ends; the monitor ends its guest)
# and sets ST.
stop_server() {
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	# shellcheck disable=SC2034 # read by expect_status
	ST=$?
}

# no_libos_warnings MODE: the appliance's libos warned about nothing (an
# unimplemented syscall, say) while serving.
no_libos_warnings() {
	[ "$1" = appliance ] || return 0
	expect_no_grep "the libos warned" '^hut: warning|not implemented' "$TMP/$SERVER_TAG.err"
}

# wait_up MODE PORT: until the server accepts connections (a slow nested
# boot), or has ended, or 20 s (nested: 100 s) have passed.
wait_up() {
	local t
	for ((t = 0; t < 20 * SLOW; t++)); do
		kill -0 "$SERVER_PID" 2>/dev/null || break
		in_ns "$(client_ns "$1")" $PY "$CLIENT" wait $SERVER_IP "$2" 1 >/dev/null && return 0
	done
	problem "the server never accepted a connection on port $2"
	detail_file "server stderr" "$TMP/$SERVER_TAG.err"
	return 1
}

# ping_guest: the appliance answers ICMP echo.
ping_guest() {
	in_ns "$CLI_appliance" ping -c 3 -i 0.2 -W $((2 * SLOW)) $SERVER_IP >"$TMP/ping.out" 2>&1 ||
		{ problem "ping failed"; detail_file ping "$TMP/ping.out"; }
}

# modes_to_run: both, or the process alone (SKIP of the other, loudly)
# where there is no KVM.
modes_to_run() {
	echo process
	[ -e "$KVM_DEVICE" ] && echo appliance
}

# no_kvm_skip NAME: the loud SKIP for the appliance half where KVM is missing.
no_kvm_skip() {
	[ -e "$KVM_DEVICE" ] || skip "$1 (appliance)" "no /dev/kvm: KVM tests NOT run (tests/run-all.sh runs them in tests/vm)"
}
