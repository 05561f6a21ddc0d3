#!/bin/bash
# Signals from outside (`kill`, a runtime's stop, Ctrl-C): the same image
# as a Linux process and as an appliance is sent the same signals by this
# test, and must print the same bytes and end with the same status. A
# handler runs and a sleep, pause() or read of stdin it interrupts returns
# EINTR (or the read goes on, SA_RESTART); without a handler the default
# action ends it with 128+N, also while it spins without a syscall or waits
# for stdin; an ignored SIGTERM changes nothing; SIGKILL ends it at once; a
# resized terminal's SIGWINCH comes with the new size; and no signal is lost
# when it comes just as the guest goes to sleep.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

APP=$ROOT/build/tests/programs/oci_app.hut # built by programs/programs.mk

# signalled TAG MODE SIGNAL...: starts oci_app MODE (the command in RUNNER
# before it: nothing for the process, the monitor for the appliance), waits
# until it says it is waiting, then sends each SIGNAL in turn; a SIGNAL
# written "SIG@ERE" is sent once stdout has a line matching ERE; "feed"
# writes the line "fed" to its stdin instead. Its stdin is a FIFO this
# shell holds open, so that a read of it waits. Sets ST and HUNG as run
# does. An async command of a script starts with SIGINT and SIGQUIT
# ignored; env gives them back their default, as a terminal would.
signalled() {
	local tag=$1 mode=$2 pid s i feed
	shift 2
	rm -f "$TMP/in.fifo" && mkfifo "$TMP/in.fifo"
	exec {feed}<>"$TMP/in.fifo"
	(cd "$WORK" && exec env --default-signal=INT,QUIT "${RUNNER[@]}" "$APP" "$mode") \
		>"$TMP/$tag.out" 2>"$TMP/$tag.err" <"$TMP/in.fifo" &
	pid=$!
	HUNG=0
	wait_line "$TMP/$tag.out" "^$mode: waiting$" || HUNG=1
	for s in "$@"; do
		[[ $s == *@* ]] && { wait_line "$TMP/$tag.out" "${s#*@}" || HUNG=1; }
		[ "$HUNG" = 1 ] && break
		if [ "${s%%@*}" = feed ]; then
			echo fed >&"$feed"
		else
			kill -s "${s%%@*}" "$pid" 2>/dev/null
		fi
	done
	for ((i = 0; i < RUN_LIMIT * SLOW * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && { HUNG=1; kill -KILL "$pid"; }
	{ wait "$pid"; } 2>/dev/null # the shell's "Killed" remarks
	ST=$?
	exec {feed}>&-
}

# wait_line FILE ERE: true once FILE has a matching line (RUN_LIMIT at most).
wait_line() {
	local i
	for ((i = 0; i < RUN_LIMIT * SLOW * 10; i++)); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# both NAME WANT MODE SIGNAL...: the differential check.
both() {
	local name=$1 want=$2 mode=$3
	shift 3
	begin "signals from outside: $name"
	ready "$APP" || return
	RUNNER=()
	signalled proc "$mode" "$@"
	expect_status proc "$want"
	if need_kvm; then
		RUNNER=("$MONITOR")
		signalled appl "$mode" "$@"
		expect_status appl "$want"
		expect_same_file "appliance and process stdout" "$(out proc)" "$(out appl)"
		expect_no_grep "the monitor said something" . "$(err appl)"
		finish
	fi
}

# A handler runs; the wait goes on until SIGKILL.
both "TERM (handler), then KILL" 137 term TERM 'KILL@^handler: SIGTERM$'
# A handler runs and the sleep it interrupted returns -1 EINTR, time left.
both "TERM interrupts nanosleep" 3 sleep TERM
both "TERM interrupts pause" 4 pause TERM
# No handler: the default action, 128+N.
both "TERM, no handler" 143 wait TERM
both "INT (Ctrl-C), no handler" 130 wait INT
both "HUP, no handler" 129 wait HUP
both "USR1, no handler" 138 wait USR1
# A guest that never makes a syscall is reached too.
both "TERM while spinning" 143 spin TERM
both "TERM caught while spinning: the handler runs at once" 6 spincatch TERM
# A read of stdin (the monitor's own read, on the guest's behalf) waits no
# longer than a process's would: ended, interrupted or restarted.
both "TERM while reading stdin, no handler" 143 read TERM
both "TERM interrupts a read: EINTR" 8 readint TERM
both "TERM's SA_RESTART handler: the read goes on" 9 readrestart TERM 'feed@^handler: SIGTERM$'
both "USR2 ignored while reading stdin: the read goes on" 0 read USR2 'feed@^read: waiting$'
# Ignored: nothing happens (a later SIGUSR1's handler still runs).
both "TERM ignored, USR1 caught, then KILL" 137 ignore TERM USR1 'KILL@^handler: SIGUSR1$'

# A terminal resized under the program: SIGWINCH reaches its handler, and
# TIOCGWINSZ then says the new size (the monitor reads it for the guest
# before it forwards the signal).
begin "signals from outside: SIGWINCH from a resized terminal, and the new size"
if ready "$APP" && need_kvm; then
	for way in proc appl; do
		[ $way = proc ] && cmd=("$APP") || cmd=("$MONITOR" "$APP")
		run $way python3 "$ROOT/tests/integration/oci_tty.py" $((RUN_LIMIT * SLOW)) \
			"winch: waiting" resize:30x100 -- "${cmd[@]}" winch 30x100
		expect_status $way 10
	done
	expect_grep "the appliance did not see the new size" '^winch: after SIGWINCH 30x100$' "$(out appl)"
	expect_same_file "appliance and process terminal" "$(out proc)" "$(out appl)"
	finish
fi

# The monitor's traces are printed on this ending too (bench/net.sh stops
# its appliance so).
begin "signals from outside: --trace-exits and --trace-boot print on TERM"
if ready "$APP" && need_kvm; then
	RUNNER=("$MONITOR" --trace-exits --trace-boot)
	signalled traced wait TERM
	expect_status traced 143
	expect_grep "no trace-exits line after SIGTERM" '^hut-monitor: trace-exits: [0-9]+ exits' "$(err traced)"
	expect_grep "no trace-boot total after SIGTERM" '^hut-monitor: trace-boot: total +[0-9]+ us$' "$(err traced)"
	finish
fi

# relayed TAG ROUNDS: oci_app relay ROUNDS, sent SIGUSR1 as soon as each
# round's line is out (bash reads the pipe and kills at once), so that
# signals come while the guest is on its way to sleep. Sets ST and HUNG.
relayed() {
	local tag=$1 line
	: >"$TMP/$tag.out"
	coproc RELAY { cd "$WORK" && exec "${RUNNER[@]}" "$APP" relay "$2" 2>"$TMP/$tag.err"; }
	local pid=$RELAY_PID out
	exec {out}<&"${RELAY[0]}" # bash closes RELAY's own fds once it ends
	HUNG=0
	while :; do
		if ! read -r -t $((RUN_LIMIT * SLOW)) line <&"$out"; then
			# end of output, or a round whose signal never arrived
			kill -0 "$pid" 2>/dev/null && { HUNG=1; kill -KILL "$pid"; }
			break
		fi
		printf '%s\n' "$line" >>"$TMP/$tag.out"
		[[ $line == *" waiting" ]] && kill -USR1 "$pid"
	done
	exec {out}<&-
	{ wait "$pid"; } 2>/dev/null
	ST=$?
}

# A signal that comes just as the guest goes to sleep wakes it: the monitor
# must not lose it between its last look and its sleep's syscall.
begin "signals from outside: $((2000 / SLOW)) signals, each as the guest goes to sleep"
if ready "$APP" && need_kvm; then
	RUNNER=()
	relayed proc $((2000 / SLOW))
	expect_status proc 7
	RUNNER=("$MONITOR")
	relayed appl $((2000 / SLOW))
	expect_status appl 7
	expect_same_file "appliance and process stdout" "$(out proc)" "$(out appl)"
	expect_no_grep "the monitor said something" . "$(err appl)"
	finish
fi
