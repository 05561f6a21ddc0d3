/*
 * fork: a new process with a copy-on-write copy of the caller's memory
 * (mem/mm.c), a copy of its signal dispositions and of the state the
 * layers above keep per process (the fd table: the same open files), and
 * one thread, the caller's copy, which leaves the syscall with 0.
 *
 * vfork and clone(CLONE_VM|CLONE_VFORK), as musl's posix_spawn, system and
 * popen make them, get the same copy: POSIX allows it, and the child only
 * execs or exits (musl's posix_spawn child runs on a stack of its own in
 * the parent's frame, which the copy has too, and reports a failed exec on
 * a pipe, not in shared memory). Sharing the memory would save the copy of
 * the page tables, but would need a second process on one address space.
 * What the caller sees of vfork is kept: its thread sleeps until the child
 * execs or ends (hut_process_vfork_release), so the child runs first, as
 * on Linux; the parent's other threads run on.
 */
#define _GNU_SOURCE /* CLONE_* */
#include "proc.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>

#define EXIT_SIGNAL_MASK 0xff
#define FORK_FLAGS                                                                                 \
	(CLONE_VM | CLONE_VFORK | CLONE_PARENT_SETTID | CLONE_SETTLS | CLONE_CHILD_SETTID |        \
	 CLONE_CHILD_CLEARTID | EXIT_SIGNAL_MASK)

/* Whether the vfork child (by pid: it may be reaped and freed by then, by
 * an autoreap) has exec'd or ended, or the parent is being killed. */
static int child_let_go(void *arg)
{
	const struct hut_process *c = hut_process_by_pid(*(long *)arg);
	return !c || !c->vfork_parent_waits || (hut_signal_pending_set() & (1ull << (SIGKILL - 1)));
}

/* As Linux's, the wait is not interrupted by signals but SIGKILL: they are
 * taken once the child let go. */
static void wait_for_exec_or_end(struct hut_process *child)
{
	long pid = child->pid;
	child->vfork_parent_waits = 1;
	hut_wait(child_let_go, &pid, HUT_WAIT_FOREVER, 0);
}

long hut_process_fork(unsigned long flags, uint64_t stack, int *parent_tid, uint64_t tls)
{
	/* A child with its own memory shares nothing else it could name:
	 * CLONE_THREAD, SIGHAND, FILES, FS... would need CLONE_VM. */
	if (flags & ~(unsigned long)FORK_FLAGS)
		return -EINVAL;
	if ((flags & CLONE_PARENT_SETTID) && !hut_user_writable(parent_tid, sizeof *parent_tid))
		return -EFAULT;
	struct hut_thread *parent = hut_thread_now,
			  *t = hut_thread_copy(stack, (flags & CLONE_SETTLS) != 0, tls);
	if (!t)
		return -EAGAIN;
	struct hut_mm *mm = hut_mm_fork(parent->fs_base);
	struct hut_process *p =
		mm ? hut_process_new(mm, t->tid, (int)(flags & EXIT_SIGNAL_MASK)) : 0;
	if (!p) {
		if (mm)
			hut_mm_free(mm);
		hut_thread_link(parent, t); /* the simplest way to free it: as ended */
		hut_thread_unlink(t);
		return -ENOMEM;
	}
	t->proc = p;
	p->threads = 1;
	if (flags & CLONE_PARENT_SETTID)
		*parent_tid = t->tid;
	hut_thread_link(parent, t);
	hut_sched_progress();
	if (flags & CLONE_VFORK)
		wait_for_exec_or_end(p);
	return p->pid;
}
