#!/bin/bash
# The monitor's seccomp sandbox (monitor/sandbox.c): on by default, it kills
# the monitor (SIGSYS, status 159) on a syscall outside its allow-list;
# --no-sandbox turns it off with a warning. Every app running under the
# sandbox is covered by differential.sh and hostile.sh.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

HELLO=$IMAGES/hello.hut
SPIN=$ROOT/build/guests/hostile.hut

begin "sandbox --help mentions --no-sandbox"
if ready "$MONITOR"; then
	run help "$MONITOR" --help
	expect_status help 0
	expect_grep "--help does not mention --no-sandbox" '--no-sandbox' "$(out help)"
	finish
fi

# HUT_SANDBOX_SELFTEST=1 makes the monitor call a forbidden syscall right
# after entering the sandbox: the kernel must kill it before the guest runs.
begin "sandbox kills a forbidden syscall (SIGSYS)"
if ready_kvm "$MONITOR" "$HELLO"; then
	run selftest env HUT_SANDBOX_SELFTEST=1 "$MONITOR" "$HELLO"
	expect_status selftest 159
	[ -s "$(out selftest)" ] && problem "the guest ran after the forbidden syscall"
	finish
fi

begin "sandbox --no-sandbox skips the filter, with a warning"
if ready_kvm "$MONITOR" "$HELLO"; then
	run nosandbox env HUT_SANDBOX_SELFTEST=1 "$MONITOR" --no-sandbox "$HELLO" world
	expect_status nosandbox 0
	expect_grep "the guest did not run" '^hello, world' "$(out nosandbox)"
	expect_grep "no warning" "^hut-monitor: $HELLO: warning: running without the seccomp sandbox$" \
		"$(err nosandbox)"
	[ "$(grep -c . "$(err nosandbox)")" = 1 ] || { problem "more than the warning on stderr"; detail_file stderr "$(err nosandbox)"; }
	finish
fi

# While a guest runs: seccomp filter mode, no new privileges, and no fds but
# stdio, the vCPU, the console thread's kick eventfd and the write end of
# the reaper's pipe (the kvm and VM fds are closed). The reaper
# (monitor/reaper.c), the monitor's child that shares its memory and ends
# the VM after it: its own filter, every signal blocked, no fd but the VM's,
# the vCPU's and its pipe's; it ends when the monitor does, even killed.
begin "sandbox state of a running monitor"
if ready_kvm "$MONITOR" "$SPIN"; then
	(cd "$WORK" && exec "$MONITOR" --timeout $((3 * SLOW)) "$SPIN" spin </dev/null >/dev/null 2>"$TMP/spin.err") &
	pid=$!
	fd_links() { # the targets of the monitor's open fds, one per line
		local f
		for f in "/proc/$pid/fd"/*; do readlink "$f"; done 2>/dev/null
	}
	for _ in $(seq $((50 * SLOW))); do # until it is past set-up (its fd count drops to 6)
		sleep 0.05
		[ "$(fd_links | wc -l)" = 6 ] && break
	done
	grep -q '^Seccomp:[[:space:]]*2$' "/proc/$pid/status" || problem "not in seccomp filter mode"
	grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$pid/status" || problem "no_new_privs not set"
	links=$(fd_links | tr '\n' ' ')
	[ "$(fd_links | wc -l)" = 6 ] || problem "open fds: $links(want stdio, the vCPU, the console's eventfd, the reaper's pipe)"
	[[ "$links" == *kvm-vcpu* ]] || problem "no vCPU fd among: $links"
	[[ "$links" == *"anon_inode:[eventfd]"* ]] || problem "no console eventfd among: $links"
	[[ "$links" == *pipe:* ]] || problem "no reaper pipe among: $links"
	[[ "$links" == *"/dev/kvm"* || "$links" == *"anon_inode:kvm-vm"* ]] && problem "kvm or VM fd still open: $links"
	reaper=$(pgrep -P "$pid" -x hut-reaper)
	if [ -z "$reaper" ]; then
		problem "no hut-reaper child of the monitor"
	else
		grep -q '^Seccomp:[[:space:]]*2$' "/proc/$reaper/status" || problem "the reaper has no seccomp filter"
		grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$reaper/status" || problem "the reaper's no_new_privs not set"
		# SIGINT (bit 1), SIGTERM (14), SIGALRM (13), SIGRTMIN+1 (34): blocked
		blk=$(awk '/^SigBlk:/ {print $2}' "/proc/$reaper/status")
		(((0x$blk & 0x400006002) == 0x400006002)) || problem "the reaper's signals not blocked: SigBlk $blk"
		rlinks=$(for f in "/proc/$reaper/fd"/*; do readlink "$f"; done 2>/dev/null | sort | tr '\n' ' ')
		[[ "$rlinks" =~ ^anon_inode:kvm-vcpu:0\ anon_inode:kvm-vm\ pipe:\[[0-9]+\]\ $ ]] ||
			problem "the reaper's fds: $rlinks(want the VM's, the vCPU's and its pipe)"
	fi
	wait "$pid"
	st=$?
	[ $st = 124 ] || { problem "spin exited $st, expected 124 (timeout under the sandbox)"; detail_file stderr "$TMP/spin.err"; }
	if [ -n "$reaper" ]; then # its parent gone, it ends (a zombie until reaped, or gone)
		for _ in $(seq $((100 * SLOW))); do
			state=$(awk '/^State:/ {print $2}' "/proc/$reaper/status" 2>/dev/null)
			[ -z "$state" ] || [ "$state" = Z ] && break
			sleep 0.05
		done
		[ -z "$state" ] || [ "$state" = Z ] || problem "the reaper is still running after the monitor ended (state $state)"
	fi
	finish
fi

# With a volume: Landlock confines the monitor to it before the guest runs
# (a file outside is refused), and every fd below 256 is stdio, the vCPU
# or the volume's directory (the fds the filter allows file syscalls on
# start at 256).
begin "sandbox with a volume: Landlock refuses a file outside it"
if ready_kvm "$MONITOR" "$HELLO"; then
	mkdir -p "$TMP/vol"
	run landlock env HUT_SANDBOX_SELFTEST=landlock "$MONITOR" --volume "$TMP/vol:/data" "$HELLO"
	expect_status landlock 0
	expect_grep "no Landlock refusal" "^hut-monitor: $HELLO: landlock self-test: /etc/passwd refused \(Permission denied\)$" \
		"$(err landlock)"
	finish
fi

begin "sandbox with a volume: the fds a running monitor holds"
if ready_kvm "$MONITOR" "$SPIN"; then
	mkdir -p "$TMP/vol"
	(cd "$WORK" && exec "$MONITOR" --timeout $((30 * SLOW)) --volume "$TMP/vol:/data" "$SPIN" spin \
		</dev/null >/dev/null 2>"$TMP/spinv.err") &
	pid=$!
	for _ in $(seq $((50 * SLOW))); do # until the sandbox took the low fds
		sleep 0.05
		grep -q '^Seccomp:[[:space:]]*2$' "/proc/$pid/status" 2>/dev/null && break
	done
	grep -q '^Seccomp:[[:space:]]*2$' "/proc/$pid/status" || problem "not in seccomp filter mode"
	# One ls, not a readlink per fd: forks are slow in the nested guest.
	others=$(ls -l "/proc/$pid/fd" 2>/dev/null | awk -v vol="$TMP/vol" \
		'$9 ~ /^[0-9]+$/ && $9 > 2 && $11 != vol && $11 !~ /kvm-vcpu/ && $11 != "anon_inode:[eventfd]" && $11 !~ /^pipe:/ {print $9 ":" $11}' | head -3)
	[ -z "$others" ] || { problem "fds other than stdio, the vCPU, the volume, the console's eventfd and the reaper's pipe: $others"; detail_file stderr "$TMP/spinv.err"; }
	[ -e "/proc/$pid/fd/255" ] || problem "fd 255 is free: a volume's fd could land below 256"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	finish
fi

begin "sandbox --trace-boot and a crash report work inside the filter"
if ready_kvm "$MONITOR" "$HELLO" "$IMAGES/null.hut"; then
	run trace "$MONITOR" --trace-boot "$HELLO"
	expect_status trace 0
	expect_grep "no trace-boot total" '^hut-monitor: trace-boot: total' "$(err trace)"
	run crash "$MONITOR" "$IMAGES/null.hut"
	expect_status crash 139
	expect_grep "no register dump" '^hut-monitor:   rip ' "$(err crash)"
	finish
fi
