#!/bin/bash
# Threads (libos/proc/thread.c, clone.c, sched.c, futex.c): apps/threads as a plain musl
# program, as a hut image run as a Linux process and as an appliance; the
# same bytes and the same status each way. Every check prints a line that
# does not depend on timing or thread ids: N workers with a mutex and a
# barrier, join results and TLS; a producer/consumer queue on condition
# variables; pthread_cancel in pthread_cond_wait and in a read of an empty
# pipe; detached threads, pthread_once, a semaphore and sem_timedwait; a
# pipe between threads (back-pressure both ways); a thread that spins
# (reading the clock) while another sleeps 20 times; pthread_kill to one
# thread and per-thread masks; futex's answers (EAGAIN, EFAULT, EINVAL,
# ETIMEDOUT, CMP_REQUEUE); 1,000 short-lived threads with the memory in use
# (the process's RSS; the appliance's arena pages) bounded.
# hut-test: needs-kvm
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

IMAGE=$IMAGES/threads.hut
ref=$(reference threads) || ref=-

differential "threads: pthreads stress" "$IMAGE" "$ref" 0
# A fault in any thread ends the whole program as a process would end.
differential "threads: a thread crashes (SIGSEGV)" "$IMAGE" "$ref" crash:139 crash
differential "threads: a thread calls exit(7)" "$IMAGE" "$ref" 7 exit 7
differential "threads: 3000 short-lived threads" "$IMAGE" "$ref" 0 many 3000

# --core after a crash in a thread: gdb sees both threads, the crashed one
# (current, in crasher) and main, switched out in pthread_join's futex wait
# (its frame 0 right after musl's cancellable `syscall`). musl is built
# without unwind tables, as upstream builds it, so backtraces stop at libc
# frames, as in a Linux process's core.
begin "threads: --core holds every thread (gdb info threads, thread apply all bt)"
if ready_kvm "$IMAGE" "$(command -v gdb || echo gdb)"; then
	run crash "$MONITOR" --core "$TMP/threads.core" "$IMAGE" crash
	expect_status crash 139
	run gdb gdb -nx -batch -ex 'info threads' -ex 'thread apply all bt' "$IMAGE" "$TMP/threads.core"
	n=$(grep -c '^[* ] *[0-9]\+ *LWP [0-9]\+' "$(out gdb)")
	[ "$n" = 2 ] || { problem "gdb's info threads lists ${n:-no} threads, not 2"; detail_file gdb "$(out gdb)"; }
	expect_grep "the current thread is not in crasher" '^\* .* in crasher ' "$(out gdb)"
	expect_grep "the crashed thread's backtrace does not reach musl's thread start" \
		'^#1 .* in start ' "$(out gdb)"
	expect_grep "the other thread is not in musl's cancellable syscall" \
		'^  *2 *LWP 1 .* in __cp_end ' "$(out gdb)"
	finish
fi
