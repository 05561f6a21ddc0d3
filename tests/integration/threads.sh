#!/bin/bash
# Threads (libos/thread.c, sched.c, futex.c): apps/threads as a plain musl
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
