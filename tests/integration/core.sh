#!/bin/bash
# --core FILE: a crashed guest leaves an ELF core that gdb reads with the
# image: the backtrace must name the function that crashed, and the
# registers must match the monitor's own crash report.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

NULL=$IMAGES/null.hut
HELLO=$IMAGES/hello.hut

begin "core: gdb shows where a crashed guest died"
if ready_kvm "$MONITOR" "$NULL" "$(command -v gdb || echo gdb)"; then
	run crash "$MONITOR" --core "$TMP/null.core" "$NULL"
	expect_status crash 139
	run gdb gdb -nx -batch -ex bt -ex 'p/x $rip' "$NULL" "$TMP/null.core"
	expect_grep "gdb's backtrace does not reach main" '#[0-9].* main ' "$(out gdb)"
	rip=$(sed -n 's/.* at rip \(0x[0-9a-f]*\).*/\1/p' "$(err crash)")
	expect_grep "gdb's rip is not the crash report's ($rip)" " = $rip$" "$(out gdb)"
	finish
fi

begin "core: no crash, empty core file"
if ready_kvm "$MONITOR" "$HELLO"; then
	run clean "$MONITOR" --core "$TMP/hello.core" "$HELLO"
	expect_status clean 0
	[ -e "$TMP/hello.core" ] && [ ! -s "$TMP/hello.core" ] || problem "expected an empty core file"
	finish
fi

# A process other than pid 1 crashes: with --core FILE it leaves FILE.PID,
# its own core (its registers at the fault, its copy-on-write copies of
# memory), its parent sees WCOREDUMP, and the appliance goes on; FILE
# itself stays empty (pid 1 did not crash).
PROC_CORE=$ROOT/build/tests/programs/proc_core.hut # tests/integration/programs/programs.mk
CHILD_LINE='^child ([0-9]+): signaled 1, signal 11, core dumped'
begin "core: a crashed child process leaves FILE.PID, its own core"
if ready_kvm "$MONITOR" "$PROC_CORE" "$(command -v gdb || echo gdb)"; then
	run child "$MONITOR" --core "$TMP/proc.core" "$PROC_CORE"
	expect_status child 0
	expect_grep "the parent did not see a signal with a core" "$CHILD_LINE 1$" "$(out child)"
	expect_grep "waitid did not say CLD_DUMPED" '^waitid: CLD_DUMPED, status 11$' "$(out child)"
	expect_grep "the parent's memory changed" '^parent still sees parent-global, parent-heap$' "$(out child)"
	expect_grep "the child's crash line does not say its core was dumped" \
		'^hut: process [0-9]+ killed by SIGSEGV: page fault at 0x0, rip 0x[0-9a-f]+ \(core dumped\)$' "$(err child)"
	pid=$(sed -En "s/$CHILD_LINE.*/\1/p" "$(out child)")
	[ -s "$TMP/proc.core" ] && problem "pid 1's core file is not empty"
	if [ -n "$pid" ] && [ -s "$TMP/proc.core.$pid" ]; then
		run gdb gdb -nx -batch -ex bt -ex 'p/x $rip' -ex 'x/s &global_note' \
			-ex 'x/s *(char **)&heap_note' "$PROC_CORE" "$TMP/proc.core.$pid"
		expect_grep "gdb's backtrace does not start in crash_in_child" '^#0 .* in crash_in_child' "$(out gdb)"
		expect_grep "gdb's backtrace does not reach main" '^#1 .* in main ' "$(out gdb)"
		rip=$(sed -En 's/.* rip (0x[0-9a-f]+).*/\1/p' "$(err child)")
		expect_grep "gdb's rip is not the crash line's ($rip)" " = $rip$" "$(out gdb)"
		expect_grep "the core lacks the child's global" '<global_note>:[[:space:]]+"child-global"$' "$(out gdb)"
		expect_grep "the core lacks the child's heap" ':[[:space:]]+"child-heap"$' "$(out gdb)"
	else
		problem "no core file $TMP/proc.core.${pid:-PID}"
		detail_file "ls" <(ls -la "$TMP")
	fi
	finish
fi

begin "core: without --core, no file and no WCOREDUMP"
if ready_kvm "$MONITOR" "$PROC_CORE"; then
	mkdir -p "$WORK"
	run nocore "$MONITOR" "$PROC_CORE"
	expect_status nocore 0
	expect_grep "the parent did not see the signal alone" "$CHILD_LINE 0$" "$(out nocore)"
	expect_grep "waitid did not say CLD_KILLED" '^waitid: CLD_KILLED, status 11$' "$(out nocore)"
	expect_no_grep "the crash line says a core was dumped" 'core dumped' "$(err nocore)"
	left=$(find "$WORK" -name 'core*' | head -1)
	[ -z "$left" ] || problem "a core file appeared without --core: $left"
	finish
fi

# FILE.PID is made beneath FILE's directory and never through a symlink:
# one planted there makes the core fail (said in one line), leaves its
# target alone, and the parent sees no WCOREDUMP.
begin "core: FILE.PID is not written through a symlink"
if ready_kvm "$MONITOR" "$PROC_CORE"; then
	mkdir -p "$TMP/planted"
	run first "$MONITOR" --core "$TMP/planted/core" "$PROC_CORE"
	pid=$(sed -En "s/$CHILD_LINE.*/\1/p" "$(out first)")
	echo precious >"$TMP/target"
	rm -f "$TMP/planted/core.$pid"
	ln -s "$TMP/target" "$TMP/planted/core.$pid"
	run planted "$MONITOR" --core "$TMP/planted/core" "$PROC_CORE"
	expect_status planted 0
	expect_grep "the parent saw a core through the symlink" "$CHILD_LINE 0$" "$(out planted)"
	expect_grep "no line says the core could not be made" \
		"^hut-monitor: .*: cannot create core file $TMP/planted/core.$pid \(" "$(err planted)"
	[ "$(cat "$TMP/target")" = precious ] || problem "the symlink's target was written"
	finish
fi

# More pieces than a core holds (the child's every other page a frame of its
# own): the first HUT_CORE_PIECES_MAX are there, gdb still reads the crash,
# and a note says how many pages were left out.
begin "core: a process's core says what did not fit"
if ready_kvm "$MONITOR" "$PROC_CORE" "$(command -v gdb || echo gdb)"; then
	run scatter "$MONITOR" --core "$TMP/scatter.core" "$PROC_CORE" scatter
	expect_status scatter 0
	expect_grep "the parent did not see a signal with a core" "$CHILD_LINE 1$" "$(out scatter)"
	pid=$(sed -En "s/$CHILD_LINE.*/\1/p" "$(out scatter)")
	file=$TMP/scatter.core.${pid:-PID}
	if [ -s "$file" ]; then
		loads=$(readelf -lW "$file" | grep -c '^  LOAD ')
		max=$(abi_constant HUT_CORE_PIECES_MAX)
		[ "$loads" = "$max" ] || problem "$loads PT_LOADs, expected $max"
		grep -aEq "[1-9][0-9]* pages of the process's memory left out" "$file" || problem "no note of what was left out"
		run gdb gdb -nx -batch -ex bt "$PROC_CORE" "$file"
		expect_grep "gdb's backtrace does not start in crash_in_child" '^#0 .* in crash_in_child' "$(out gdb)"
	else
		problem "no core file $file"
	fi
	finish
fi

# Another exception, through the other gate (an invalid opcode: SIGILL):
# the same core, with that signal and the registers at the ud2.
begin "core: a process's SIGILL leaves its core too"
if ready_kvm "$MONITOR" "$PROC_CORE" "$(command -v gdb || echo gdb)"; then
	run ill "$MONITOR" --core "$TMP/ill.core" "$PROC_CORE" ill
	expect_status ill 0
	expect_grep "the parent did not see SIGILL with a core" '^child [0-9]+: signaled 1, signal 4, core dumped 1$' "$(out ill)"
	pid=$(sed -En 's/^child ([0-9]+):.*/\1/p' "$(out ill)")
	file=$TMP/ill.core.${pid:-PID}
	if [ -s "$file" ]; then
		run gdb gdb -nx -batch -ex bt -ex 'x/i $pc' "$PROC_CORE" "$file"
		expect_grep "gdb does not see SIGILL" 'terminated with signal SIGILL' "$(out gdb)"
		expect_grep "gdb's backtrace does not start in crash_in_child" '^#0 .* in crash_in_child' "$(out gdb)"
		expect_grep "gdb's backtrace does not reach main" '^#1 .* in main ' "$(out gdb)"
		expect_grep "the core's rip is not at the ud2" '=> 0x[0-9a-f]+ <crash_in_child[^>]*>:[[:space:]]+ud2' "$(out gdb)"
	else
		problem "no core file $file"
	fi
	finish
fi

# A child with a second thread, blocked in read when the first crashes:
# both are in its core, the crashed one current (musl has no unwind
# tables: the other's backtrace stops in libc, as in threads.sh).
begin "core: a process's core holds its other threads"
if ready_kvm "$MONITOR" "$PROC_CORE" "$(command -v gdb || echo gdb)"; then
	run threaded "$MONITOR" --core "$TMP/threaded.core" "$PROC_CORE" threads
	expect_status threaded 0
	expect_grep "the parent did not see a signal with a core" "$CHILD_LINE 1$" "$(out threaded)"
	pid=$(sed -En "s/$CHILD_LINE.*/\1/p" "$(out threaded)")
	file=$TMP/threaded.core.${pid:-PID}
	if [ -s "$file" ]; then
		run gdb gdb -nx -batch -ex 'info threads' "$PROC_CORE" "$file"
		n=$(grep -c '^[* ] *[0-9]\+ *LWP [0-9]\+' "$(out gdb)")
		[ "$n" = 2 ] || { problem "gdb's info threads lists ${n:-no} threads, not 2"; detail_file gdb "$(out gdb)"; }
		expect_grep "the current thread is not the crashed one" "^\* +1 +LWP $pid .* in crash_in_child" "$(out gdb)"
		expect_grep "the other thread is not another LWP" "^  +2 +LWP [0-9]+ " "$(out gdb)"
		expect_no_grep "the other thread is the crashed one" "^  +2 +LWP $pid " "$(out gdb)"
	else
		problem "no core file $file"
	fi
	finish
fi

# A signal whose default action dumps core, taken in a syscall (abort()'s
# SIGABRT): the child leaves its core as for an exception, with the
# registers of the syscall it was in (its rip right after musl's call to
# the libos: the `lea` that steps back over the red zone).
begin "core: a process killed by abort() leaves its core"
if ready_kvm "$MONITOR" "$PROC_CORE" "$(command -v gdb || echo gdb)"; then
	run aborted "$MONITOR" --core "$TMP/abort.core" "$PROC_CORE" abort
	expect_status aborted 0
	expect_grep "the parent did not see SIGABRT with a core" '^child [0-9]+: signaled 1, signal 6, core dumped 1$' "$(out aborted)"
	expect_grep "waitid did not say CLD_DUMPED" '^waitid: CLD_DUMPED, status 6$' "$(out aborted)"
	pid=$(sed -En 's/^child ([0-9]+):.*/\1/p' "$(out aborted)")
	file=$TMP/abort.core.${pid:-PID}
	if [ -s "$file" ]; then
		run gdb gdb -nx -batch -ex 'x/i $pc' "$PROC_CORE" "$file"
		expect_grep "gdb does not see SIGABRT" 'terminated with signal SIGABRT' "$(out gdb)"
		expect_grep "the core's rip is not after the syscall's call" '=> 0x[0-9a-f]+ <[^>]*>:[[:space:]]+lea +0x80\(%rsp\),%rsp' "$(out gdb)"
	else
		problem "no core file $file"
	fi
	finish
fi
