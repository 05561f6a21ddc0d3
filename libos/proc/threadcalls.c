/*
 * The thread syscalls: clone and exit (proc/clone.c), the per-thread calls,
 * futex (proc/futex.c) and the scheduler's (proc/sched.c).
 */
#include "proc.h"

#define _GNU_SOURCE /* CLONE_* */
#include <errno.h>
#include <sched.h>

/* A clone with memory of its own makes a process (vfork's shares none
 * here either: proc/fork.c); with CLONE_VM, a thread. */
HUT_SYSCALL(clone)
{
	unsigned long flags = (unsigned long)a0;
	if (!(flags & CLONE_VM) || (flags & (CLONE_VFORK | CLONE_THREAD)) == CLONE_VFORK)
		return hut_process_fork(flags, (uint64_t)a1, (int *)a2, (uint64_t)a4);
	return hut_thread_clone(flags, (uint64_t)a1, (int *)a2, (int *)a3, (uint64_t)a4);
}

HUT_SYSCALL(exit)
{
	hut_thread_end((int)a0);
}

HUT_SYSCALL(set_tid_address)
{
	hut_thread_now->clear_child_tid = (int *)a0;
	return hut_thread_now->tid;
}

/* Robust futexes matter when a thread dies holding a lock shared with
 * another process; with one process there is none to tell. Accepted. */
HUT_SYSCALL(set_robust_list)
{
	return a1 == 3 * sizeof(long) ? 0 : -EINVAL;
}

HUT_SYSCALL(gettid)
{
	return hut_thread_now->tid;
}

HUT_SYSCALL(futex)
{
	return hut_futex((const int *)a0, (int)a1, (int)a2, a3, (const int *)a4, (uint32_t)a5);
}

HUT_SYSCALL(sched_yield)
{
	hut_sched_yield();
	return 0;
}

/* One vCPU: CPU 0. The size returned is the kernel's mask size, a long. */
HUT_SYSCALL(sched_getaffinity)
{
	if (a0 != 0 && !hut_thread_by_tid(a0))
		return -ESRCH;
	if (a1 < (long)sizeof(uint64_t) || (a1 & (sizeof(uint64_t) - 1)))
		return -EINVAL;
	if (!hut_user_writable((void *)a2, sizeof(uint64_t)))
		return -EFAULT;
	*(uint64_t *)a2 = 1;
	return sizeof(uint64_t);
}

HUT_SYSCALL(sched_setaffinity)
{
	if (a0 != 0 && !hut_thread_by_tid(a0))
		return -ESRCH;
	if (a1 < 1 || !hut_user_readable((const void *)a2, 1))
		return a1 < 1 ? -EINVAL : -EFAULT;
	return (*(const uint8_t *)a2 & 1) ? 0 : -EINVAL;
}
