#!/bin/bash
# Hostile guests (tests/guests/, built by tests/guests/guests.mk): images
# that attack the monitor on purpose through the hypercall page, privileged
# instructions, protected memory, resource exhaustion and time. For each
# case: the documented exit status, exactly one `hut-monitor:` line saying
# why on an abnormal end (a crash may add register-dump lines indented
# under it), the monitor itself never crashes and never hangs.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

RUN_LIMIT=20
GUESTS=$ROOT/build/guests
HOSTILE=$GUESTS/hostile.hut

# What each fatal case must end with: "STATUS REGEX" (STATUS may be a|b);
# REGEX must match the first stderr line after "hut-monitor: IMAGE: ".
# "- -" means a normal exit: no stderr at all.
declare -A WANT=(
	[arg-out-of-ram]="159 ^bad hypercall: argument at 0x[0-9a-f]+\+24 is outside guest memory$"
	[arg-straddles-end]="159 ^bad hypercall: argument at "
	[arg-wraps]="159 ^bad hypercall: argument at 0xfffffffffffffff8"
	[arg-in-gdt]="159 ^bad hypercall: argument at 0x1000\+"
	[arg-in-pagetables]="159 ^bad hypercall: argument at 0x10000\+"
	[arg-in-bootinfo]="159 ^bad hypercall: argument at 0x100000\+"
	[arg-null]="159 ^bad hypercall: argument at 0x0\+"
	[exit-arg-bad]="159 ^bad hypercall: argument at "
	[poll-arg-bad]="159 ^bad hypercall: argument at "
	[setfs-arg-bad]="159 ^bad hypercall: argument at 0x2000\+"
	[threads-arg-bad]="159 ^bad hypercall: argument at .* is outside guest memory$"
	[proc-core-arg-bad]="159 ^bad hypercall: argument at .* is outside guest memory$"
	[proc-core-pid-1]="159 ^bad hypercall: process core: pid 1, signal 11$"
	[proc-core-pieces-out-of-ram]="159 ^bad hypercall: process core: pieces at 0x[0-9a-f]+ are outside guest memory$"
	[proc-core-threads-out-of-ram]="159 ^bad hypercall: process core: threads at 0x[0-9a-f]+ are outside guest memory$"
	[proc-core-too-many-threads]="159 ^bad hypercall: process core: 65 threads \(at most 64\)$"
	[proc-core-too-many]="159 ^bad hypercall: process core: 513 pieces \(at most 512\)$"
	[proc-core-out-of-ram]="159 ^bad hypercall: process core: piece 0 \(0x400000\+0x2000 at 0x[0-9a-f]+\) is outside guest memory$"
	[proc-core-in-pagetables]="159 ^bad hypercall: process core: piece 0 \(0x400000\+0x1000 at 0x10000\) is outside guest memory$"
	[proc-core-gpa-wraps]="159 ^bad hypercall: process core: piece 0 \(0x400000\+0x2000 at 0xfffffffffffff000\) is outside guest memory$"
	[proc-core-va-wraps]="159 ^bad hypercall: process core: piece 0 \(0xfffffffffffff000\+0x2000 at 0x[0-9a-f]+\) lies past the user address space$"
	[proc-core-unaligned]="159 ^bad hypercall: process core: piece 0 \(0x400000\+0x64 at 0x[0-9a-f]+\) is not whole pages$"
	[proc-core-overlap]="159 ^bad hypercall: process core: piece 1 \(0x401000\+0x1000 at 0x[0-9a-f]+\) overlaps the one below$"
	[proc-core-more-than-ram]="159 ^bad hypercall: process core: piece 1 \(0x2000000000\+0x[0-9a-f]+ at 0x100000\) makes more than guest RAM$"
	[store1]="159 ^bad hypercall: 1-byte store to offset 0x0 "
	[store2]="159 ^bad hypercall: 2-byte store to offset 0x0 "
	[store4]="159 ^bad hypercall: 4-byte store to offset 0x8 "
	[store-unaligned]="159 ^bad hypercall: 8-byte store to offset 0xc "
	[store16]="159 ^bad hypercall: "
	[store-page-end]="139 ^guest crashed: #PF page fault .* user write to 0x800001000 "
	[load8]="159 ^bad hypercall: read from offset 0x8$"
	[unknown-nr]="159 ^bad hypercall: unknown number 16$"
	[ring-prod-far]="159 ^bad console ring: console producer count [0-9]+ is 65544 past the consumer's$"
	[ring-prod-back]="159 ^bad console ring: console producer count [0-9]+ is 4294967288 past the consumer's$"
	[ring-prod-unaligned]="159 ^bad console ring: console producer count 12 is not a multiple of 8$"
	[ring-bad-fd]="159 ^bad console ring: console record at 0 names fd 7 \(1 or 2 only\)$"
	[ring-len-past]="159 ^bad console ring: console record at 0 of 100 bytes runs past the producer's$"
	[ring-len-huge]="159 ^bad console ring: console record at 0 of 4294967295 bytes runs past the producer's$"
	[filering-prod-far]="159 ^bad file ring: prod 65 is 65 requests ahead of cons 0 \(the ring has 64 slots\)$"
	[filering-prod-back]="159 ^bad file ring: prod 4294967295 is 4294967295 requests ahead of cons 0 \(the ring has 64 slots\)$"
	[filering-kick-none]="159 ^bad hypercall: file kick without a file ring$"
	[last-slot]="159 ^bad hypercall: unknown number 511$"
	[next-page]="139 ^guest crashed: #PF page fault .* user write to 0x800001000 "
	[exec-doorbell]="139 ^guest crashed: #PF page fault .* at rip 0x800000000: user instruction fetch"
	[exit-bad-kind]="159 ^bad hypercall: exit kind 7 "
	[exit-signal-0]="159 ^bad hypercall: exit kind 1 status 0$"
	[exit-signal-65]="159 ^bad hypercall: exit kind 1 status 65$"
	[exit-signal-neg]="159 ^bad hypercall: exit kind 1 status -9$"
	[exit-signal-9]="137 ^guest killed by signal 9 \(SIGKILL\)$"
	[exit-status-big]="52 -"
	[exit-status-neg]="255 -"
	[abort-frame-out-of-ram]="159 ^bad hypercall: trap frame at "
	[abort-frame-wraps]="159 ^bad hypercall: trap frame at "
	[abort-frame-garbage]="139 ^guest crashed: reserved vector "
	[hlt]="139 ^guest crashed: #GP general protection fault .*<do_hlt\+"
	[cli]="139 ^guest crashed: #GP general protection fault .*<do_cli\+"
	[wrmsr]="139 ^guest crashed: #GP general protection fault .*<do_wrmsr\+"
	[rdmsr]="139 ^guest crashed: #GP general protection fault .*<do_rdmsr\+"
	[mov-cr3]="139 ^guest crashed: #GP general protection fault .*<do_mov_cr3\+"
	[lgdt]="139 ^guest crashed: #GP general protection fault .*<do_lgdt\+"
	[out]="139 ^guest crashed: #GP general protection fault .*<do_out\+"
	[in]="139 ^guest crashed: #GP general protection fault .*<do_in\+"
	# Real x86 raises #GP (a DPL0 gate); kvm-pvm reports #UD. Either is a crash.
	[int14]="132|139 ^guest crashed: #(GP|UD) .*<do_int14\+"
	[write-gdt]="139 ^guest crashed: #PF .* user write to 0x1008 \(protection violation\)"
	[write-idt]="139 ^guest crashed: #PF .* user write to 0x20e0 \(protection violation\)"
	[write-tss]="139 ^guest crashed: #PF .* user write to 0x3004 \(protection violation\)"
	[write-trap-stack]="139 ^guest crashed: #PF .* user write to 0x7ff8 \(protection violation\)"
	[write-pagetables]="139 ^guest crashed: #PF .* user write to 0x10000 \(protection violation\)"
	[read-idt]="139 ^guest crashed: #PF .* user read of 0x2000 \(protection violation\)"
	[write-bootinfo]="139 ^guest crashed: #PF .* user write to 0x100000 \(protection violation\)"
	[write-null]="139 ^guest crashed: #PF .* user write to 0x8 \(page not mapped\)"
	[write-text]="139 ^guest crashed: #PF .* user write to 0x[0-9a-f]+ \(protection violation\)"
	[write-rodata]="139 ^guest crashed: #PF .* user write to 0x[0-9a-f]+ \(protection violation\)"
	[exec-stack]="139 ^guest crashed: #PF .* at rip 0x[0-9a-f]+: user instruction fetch"
	[exec-heap]="139 ^guest crashed: #PF .* at rip 0x[0-9a-f]+: user instruction fetch"
	[exec-data]="139 ^guest crashed: #PF .* at rip 0x[0-9a-f]+: user instruction fetch"
	[exec-gdt]="139 ^guest crashed: #PF .* at rip 0x1000: user instruction fetch"
	[exec-bootinfo]="139 ^guest crashed: #PF .* at rip 0x100000: user instruction fetch"
	[spin]="124 ^timed out after 1 s$"
	[poll-forever]="124 ^timed out after 1 s$"
)
# Options a case runs with.
declare -A OPTS=([spin]="--timeout 1" [poll-forever]="--timeout 1" [iov-max-all-ram]="--quiet"
	[proc-core-written]="--core $TMP/hostile.core" [filering-prod-far]="--volume $TMP:/data"
	[filering-prod-back]="--volume $TMP:/data")

# expect_monitor_alive TAG: the monitor did not crash or hang itself. A
# status that looks like a crash must come with the monitor's report of a
# *guest* crash or signal.
expect_monitor_alive() {
	[ "$HUNG" = 1 ] && { problem "$1 hung (killed after ${RUN_LIMIT}s)"; return; }
	case $ST in
	132 | 134 | 135 | 136 | 139)
		grep -Eq '^hut-monitor: .*: guest (crashed|killed)' "$(err "$1")" ||
			{ problem "$1: the monitor itself died (status $ST)"; detail_file stderr "$(err "$1")"; } ;;
	esac
}

# expect_one_reason TAG REGEX: stderr is one `hut-monitor: IMAGE: ` line
# whose rest matches REGEX, then only indented `hut-monitor:   ` lines.
expect_one_reason() {
	local e first
	e=$(err "$1")
	first=$(head -n 1 "$e")
	[[ "$first" == "hut-monitor: $HOSTILE: "* ]] || { problem "$1: first stderr line is not the monitor's"; detail_file stderr "$e"; return; }
	grep -Eq -- "$2" <<<"${first#"hut-monitor: $HOSTILE: "}" || { problem "$1: unexpected reason"; detail_file stderr "$e"; }
	if tail -n +2 "$e" | grep -qv '^hut-monitor:   '; then
		problem "$1: more than one reason line on stderr"
		detail_file stderr "$e"
	fi
}

# fatal_case NAME: a case that must end the guest as WANT[NAME] says.
fatal_case() {
	local name=$1 status regex
	read -r status regex <<<"${WANT[$name]}"
	begin "hostile $name"
	# shellcheck disable=SC2086 # OPTS are words
	run "$name" "$MONITOR" ${OPTS[$name]} "$HOSTILE" "$name"
	expect_monitor_alive "$name"
	[[ "$ST" =~ ^($status)$ ]] || { problem "$name exited $ST, expected $status"; detail_file stderr "$(err "$name")"; }
	[ -s "$(out "$name")" ] && { problem "$name: the guest survived or printed"; detail_file stdout "$(out "$name")"; }
	if [ "$regex" = - ]; then
		[ -s "$(err "$name")" ] && { problem "$name: stderr not empty"; detail_file stderr "$(err "$name")"; }
	else
		expect_one_reason "$name" "$regex"
	fi
	finish
}

# checked_case NAME: the monitor answers with a result; the guest checks it
# (prints "ok NAME RESULT" and exits 0 when it is the documented one).
checked_case() {
	local name=$1
	begin "hostile $name"
	# shellcheck disable=SC2086
	run "$name" "$MONITOR" ${OPTS[$name]} "$HOSTILE" "$name"
	expect_monitor_alive "$name"
	expect_status "$name" 0
	# Under --quiet only the status tells (the guest's "ok" line is discarded).
	[[ "${OPTS[$name]}" == *--quiet* ]] ||
		expect_grep "the guest saw the wrong result" "^ok $name " "$(out "$name")"
	[ -s "$(err "$name")" ] && { problem "$name: stderr not empty"; detail_file stderr "$(err "$name")"; }
	finish
}

begin "hostile cases"
if ready_kvm "$MONITOR" "$HOSTILE"; then
	cases=$("$HOSTILE" --list)
	[ -n "$cases" ] || { problem "hostile.hut --list printed nothing"; finish; }
	while read -r kind name; do
		case $kind in
		checked) checked_case "$name" ;;
		fatal)
			if [ -n "${WANT[$name]}" ]; then fatal_case "$name"; else
				begin "hostile $name"; problem "no expected outcome in hostile.sh"; finish
			fi ;;
		esac
	done <<<"$cases"
fi

# proc-core-written's good piece, msg's page, is in FILE.2 where it said;
# pid 1's FILE stays empty.
begin "hostile proc-core-written: FILE.2 holds the piece"
if ready_kvm "$MONITOR" "$HOSTILE" "$(command -v readelf || echo readelf)"; then
	[ -s "$TMP/hostile.core" ] && problem "FILE is not empty"
	if [ -s "$TMP/hostile.core.2" ]; then
		loads=$(readelf -lW "$TMP/hostile.core.2" | grep -c '^  LOAD ')
		[ "$loads" = 1 ] || problem "$loads PT_LOADs in FILE.2, expected 1"
		grep -q 0123456789abcdef "$TMP/hostile.core.2" || problem "msg's page is not in FILE.2"
	else
		problem "no FILE.2"
	fi
	finish
fi

# --- the file hypercall and the libos's paths, on a volume ------------------------
# Each case checks its own result (an errno); the monitor must go on, and
# nothing outside the volume may change.
HFILES=$GUESTS/hostile_files.hut
begin "hostile file cases can run"
if ready_kvm "$MONITOR" "$HFILES"; then
	finish
	mkdir -p "$TMP/hvol" "$TMP/beside"
	echo untouched >"$TMP/beside/file"
	mkfifo "$TMP/hvol/fifo"
	# Each case through the file hypercall, then through the file ring.
	while read -r name; do
		for how in "" --ring; do
			tag=$name${how:+-ring}
			begin "hostile file $name${how:+ (through the file ring)}"
			run "$tag" "$MONITOR" --volume "$TMP/hvol:/data" "$HFILES" $how "$name"
			expect_monitor_alive "$tag"
			expect_status "$tag" 0
			expect_grep "the guest saw the wrong result" "^ok $name " "$(out "$tag")"
			[ -s "$(err "$tag")" ] && { problem "$tag: stderr not empty"; detail_file stderr "$(err "$tag")"; }
			# A write posted and not waited for, then the guest's exit.
			if [ "$name" = ring-exit-queued ]; then
				grep -qx 'queued before exit' "$TMP/hvol/queued" ||
					problem "$tag: the write posted before exit is not in the host file"
				rm -f "$TMP/hvol/queued"
			fi
			finish
		done
	done < <("$HFILES" --list)
	begin "hostile file cases left the host alone"
	[ "$(cat "$TMP/beside/file")" = untouched ] && [ "$(ls "$TMP/beside")" = file ] ||
		problem "a file beside the volume changed"
	finish
fi

# --- every exit status goes through ----------------------------------------------
begin "hostile exit statuses 0-255"
if ready_kvm "$MONITOR" "$GUESTS/exitstatus.hut"; then
	bad=()
	for i in $(seq 0 255); do
		timeout -s KILL "$RUN_LIMIT" "$MONITOR" "$GUESTS/exitstatus.hut" "$i" \
			>/dev/null 2>"$TMP/status.err" </dev/null
		st=$?
		{ [ $st = "$i" ] && [ ! -s "$TMP/status.err" ]; } || bad+=("$i->$st")
	done
	[ ${#bad[@]} = 0 ] || problem "wrong status or stderr for: ${bad[*]:0:10}"
	finish
fi

# --- memory exhaustion: ENOMEM for the guest, bounded RSS for the monitor ----------
begin "hostile mmap until ENOMEM (--mem 32M)"
if ready_kvm "$MONITOR" "$GUESTS/mmapall.hut"; then
	run mmapall /usr/bin/time -f %M -o "$TMP/rss" "$MONITOR" --mem 32M "$GUESTS/mmapall.hut"
	expect_monitor_alive mmapall
	expect_status mmapall 0
	expect_grep "the guest did not see ENOMEM" '^mmapall: [0-9]+ MiB, then ' "$(out mmapall)"
	rss_kib=$(tail -n 1 "$TMP/rss")
	# 32 MiB of guest RAM plus the monitor's own few MiB.
	[ "${rss_kib:-999999}" -le $((48 * 1024)) ] 2>/dev/null ||
		problem "monitor max RSS ${rss_kib} KiB, more than 48 MiB for --mem 32M"
	finish
fi

# --- output floods ------------------------------------------------------------------
begin "hostile 100 MiB of console output"
if ready_kvm "$MONITOR" "$GUESTS/flood.hut"; then
	t0=$(date +%s)
	timeout -s KILL "$RUN_LIMIT" "$MONITOR" "$GUESTS/flood.hut" 100 >/dev/null 2>"$TMP/flood.err" </dev/null
	st=$?
	[ $st = 0 ] || { problem "exited $st, expected 0"; detail_file stderr "$TMP/flood.err"; }
	[ -s "$TMP/flood.err" ] && { problem "stderr not empty"; detail_file stderr "$TMP/flood.err"; }
	TEST_DETAILS+=("took $(($(date +%s) - t0)) s")
	finish
fi

# A reader that goes away: EPIPE reaches the guest, which ignores SIGPIPE and
# exits 0 as a Linux process does (the monitor must not die of SIGPIPE).
begin "hostile reader gone, guest ignores SIGPIPE"
if ready_kvm "$MONITOR" "$GUESTS/flood.hut"; then
	pipe_status() {
		(cd "$WORK" && timeout -s KILL "$RUN_LIMIT" "$@" 2>"$TMP/pipe.err" </dev/null | head -c 10 >/dev/null
			echo "${PIPESTATUS[0]}")
	}
	proc=$(pipe_status "$GUESTS/flood.hut" 100 ignore-sigpipe)
	appl=$(pipe_status "$MONITOR" "$GUESTS/flood.hut" 100 ignore-sigpipe)
	[ "$proc" = 0 ] || problem "as a process: status $proc, expected 0"
	[ "$appl" = 0 ] || { problem "appliance: status $appl, expected 0"; detail_file stderr "$TMP/pipe.err"; }
	appl=$(pipe_status "$MONITOR" "$GUESTS/flood.hut" 100)
	[ "$appl" = 141 ] || problem "appliance without SIG_IGN: status $appl, expected 141"
	grep -q '^hut-monitor: .*: guest killed by signal 13 (SIGPIPE)$' "$TMP/pipe.err" ||
		{ problem "no 'killed by signal 13' line"; detail_file stderr "$TMP/pipe.err"; }
	finish
fi

# A reader that never reads: the pipe fills and the console write blocks.
# --timeout must still end the appliance (124), not leave it stuck.
begin "hostile stuck reader, --timeout still ends it"
if ready_kvm "$MONITOR" "$GUESTS/flood.hut"; then
	mkfifo "$TMP/stuck"
	exec 7<>"$TMP/stuck" # held open, never read
	timeout -s KILL "$RUN_LIMIT" "$MONITOR" --timeout 1 "$GUESTS/flood.hut" 100 >&7 \
		2>"$TMP/stuck.err" </dev/null
	st=$?
	exec 7>&-
	[ $st = 124 ] || { problem "exited $st, expected 124"; detail_file stderr "$TMP/stuck.err"; }
	finish
fi
