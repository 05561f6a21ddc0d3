/*
 * A thread's birth: clone with the flags musl's pthread_create uses
 * (proc/exit.c has its end). proc/threadcalls.c has the syscalls.
 */
#define _GNU_SOURCE /* CLONE_* */
#include "proc.h"

#include <errno.h>
#include <sched.h>

#define RED_ZONE 128

#define THREAD_FLAGS                                                                               \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)
#define OPTIONAL_FLAGS                                                                             \
	(CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID |          \
	 CLONE_DETACHED)
#define EXIT_SIGNAL_MASK 0xff

/* Warns once: a clone sharing memory that is neither a thread (as
 * pthread_create makes it) nor vfork's (threadcalls.c sends those and every
 * clone with memory of its own to fork.c). */
static long refuse_process_clone(unsigned long flags)
{
	static int warned;
	if (!warned) {
		warned = 1;
		char line[200], *p = line, *end = line + sizeof line - 1;
		p = hut_append(p, end, "hut: warning: clone with CLONE_VM (flags ");
		p = hut_append_u64(p, end, flags);
		p = hut_append(p, end,
			       ") is neither a thread nor vfork's child: a process sharing its "
			       "parent's memory is not served: returning -ENOSYS\n");
		*p = 0;
		hut_console_print(2, line);
	}
	return -ENOSYS;
}

/* The child's libos stack: the parent's syscall frame, then a switch frame
 * (six callee-saved registers, zero) returning to hut_thread_first_run. */
void hut_thread_build_child_stack(struct hut_thread *t, const struct hut_syscall_frame *parent)
{
	struct hut_syscall_frame *f = (struct hut_syscall_frame *)(t->kstack_top - sizeof *f);
	*f = *parent;
	uint64_t *sp = (uint64_t *)f;
	*--sp = (uint64_t)hut_thread_first_run;
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	t->ksp = (uint64_t)sp;
	t->frame = f;
}

struct hut_thread *hut_thread_copy(uint64_t stack, int settls, uint64_t tls)
{
	hut_thread_free_ended();
	if (hut_pids_full())
		return NULL;
	struct hut_thread *parent = hut_thread_now, *t = hut_thread_new();
	if (!t)
		return NULL;
	hut_thread_build_child_stack(t, parent->frame);
	/* Through the dispatcher the app steps %rsp back over its red zone
	 * after the call (musl/syscall_arch.h): the child must land on the stack
	 * it asked for. */
	if (stack)
		t->user_rsp = stack - (parent->frame->via ? 0 : RED_ZONE);
	else
		t->user_rsp = hut_user_rsp;
	t->fs_base = settls ? tls : parent->fs_base;
	t->sig_blocked = parent->sig_blocked;
	hut_memcpy(t->name, parent->name, sizeof t->name);
	return t;
}

/* clone(flags, stack, parent_tid, child_tid, tls): threads only. */
long hut_thread_clone(unsigned long flags, uint64_t stack, int *parent_tid, int *child_tid,
		      uint64_t tls)
{
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & THREAD_FLAGS) != THREAD_FLAGS ||
	    (flags & ~(THREAD_FLAGS | OPTIONAL_FLAGS | EXIT_SIGNAL_MASK)))
		return refuse_process_clone(flags);
	if ((flags & CLONE_PARENT_SETTID) && !hut_user_writable(parent_tid, sizeof *parent_tid))
		return -EFAULT;
	if ((flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) &&
	    !hut_user_writable(child_tid, sizeof *child_tid))
		return -EFAULT;
	struct hut_thread *parent = hut_thread_now,
			  *t = hut_thread_copy(stack, (flags & CLONE_SETTLS) != 0, tls);
	if (!t)
		return -EAGAIN;
	t->clear_child_tid = (flags & CLONE_CHILD_CLEARTID) ? child_tid : NULL;
	if (flags & CLONE_PARENT_SETTID)
		*parent_tid = t->tid;
	if (flags & CLONE_CHILD_SETTID)
		*child_tid = t->tid;
	hut_thread_link(parent, t);
	hut_proc_now->threads++;
	hut_sched_progress();
	return t->tid;
}
