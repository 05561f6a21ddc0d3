/*
 * Threads: clone with the flags musl's pthread_create uses, a thread's exit
 * (and the CHILD_CLEARTID wake pthread_join waits for), the switch from one
 * thread to another, and the small per-thread syscalls.
 *
 * A thread's state while it is switched out lies on its own libos stack:
 * at the top the frame of the syscall it is in (entry.S), below that what
 * hut_context_switch pushed. A clone's child gets a copy of its parent's
 * frame and a switch frame that "returns" to hut_thread_first_run, which
 * leaves the syscall with 0 on the new app stack. A thread cannot free the
 * stack it runs on: the one that ended last is freed by the next thread
 * that switches or clones.
 *
 * For --core, each switched-out thread's registers are also copied into a
 * table the monitor knows of (abi.h, HUT_HC_THREADS), registered when the
 * second thread starts: a crash then dumps every thread.
 */
#define _GNU_SOURCE /* CLONE_* */
#include "thread.h"
#include "syscalls.h"

#include <errno.h>
#include <sched.h>

#define RED_ZONE 128

#define THREAD_FLAGS                                                                               \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)
#define OPTIONAL_FLAGS                                                                             \
	(CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID |          \
	 CLONE_DETACHED)
#define EXIT_SIGNAL_MASK 0xff

extern uint64_t hut_kstack_now, hut_user_rsp; /* entry.S */
void hut_context_switch(uint64_t *save_sp, uint64_t new_sp);
void hut_thread_first_run(void);

static struct hut_thread first = {.next = &first, .tid = 1, .slot = 0};
static struct hut_threads_table table = {.running_tid = 1, .thread[0].tid = 1};
struct hut_thread *hut_thread_now = &first;
unsigned hut_threads_live = 1;
static struct hut_thread *ended; /* its stack is still to be freed */
static int next_tid = 2;

static void free_ended(void)
{
	if (!ended || ended == hut_thread_now)
		return;
	if (ended->kstack) { /* the first thread's stack and struct are static */
		hut_pages_free(ended->kstack, HUT_KSTACK_SIZE / HUT_PAGE_SIZE);
		hut_kfree(ended, sizeof *ended);
	}
	ended = NULL;
}

static void load_fs(uint64_t base)
{
	if (hut_boot_info->flags & HUT_BOOT_FSGSBASE) {
		__asm__ volatile("wrfsbase %0" : : "r"(base) : "memory");
	} else {
		struct hut_hc_set_fs hc = {base};
		hut_hypercall(HUT_HC_SET_FS, &hc);
	}
}

void hut_thread_set_fs(uint64_t base)
{
	hut_thread_now->fs_base = base;
	load_fs(base);
}

/* Copies a switched-out thread's app registers where the monitor looks. */
static void publish(const struct hut_thread *t)
{
	if (t->slot < 0)
		return;
	const struct hut_syscall_frame *f = t->frame;
	struct hut_thread_regs *r = &table.thread[t->slot];
	*r = (struct hut_thread_regs){
		.tid = (uint64_t)t->tid,
		.rax = f->nr,
		.rbx = f->rbx,
		.rcx = f->rip,
		.rdx = f->a2,
		.rsi = f->a1,
		.rdi = f->a0,
		.rbp = f->rbp,
		.rsp = t->user_rsp,
		.r8 = f->a4,
		.r9 = f->a5,
		.r10 = f->a3,
		.r11 = f->rflags,
		.r12 = f->r12,
		.r13 = f->r13,
		.r14 = f->r14,
		.r15 = f->r15,
		.rip = f->rip,
		.rflags = f->rflags,
		.fs_base = t->fs_base,
	};
}

static int free_slot(void)
{
	for (int i = 0; i < HUT_THREADS_MAX; i++)
		if (table.thread[i].tid == 0)
			return i;
	return -1;
}

void hut_thread_switch_to(struct hut_thread *next)
{
	struct hut_thread *prev = hut_thread_now;
	prev->user_rsp = hut_user_rsp;
	prev->kstack_top = hut_kstack_now;
	hut_user_rsp = next->user_rsp;
	hut_kstack_now = next->kstack_top;
	if (next->fs_base != prev->fs_base)
		load_fs(next->fs_base);
	hut_thread_now = next;
	if (!prev->exited)
		publish(prev);
	table.running_tid = (uint64_t)next->tid;
	next->slice_start = hut_rdtsc();
	hut_context_switch(&prev->ksp, next->ksp);
	free_ended(); /* prev runs again here */
}

struct hut_thread *hut_thread_by_tid(long tid)
{
	struct hut_thread *t = hut_thread_now;
	do {
		if (t->tid == tid)
			return t;
		t = t->next;
	} while (t != hut_thread_now);
	return NULL;
}

uint64_t hut_threads_blocked_by_all(void)
{
	uint64_t all = ~0ull;
	struct hut_thread *start = hut_thread_now->next, *t = start; /* the ring, even */
	do {							     /* when now has left it */
		all &= t->sig_blocked;
		t = t->next;
	} while (t != start);
	return all;
}

/* Warns once: a clone that would make a new process rather than a thread. */
static long refuse_process_clone(unsigned long flags)
{
	static int warned;
	if (!warned) {
		warned = 1;
		char line[200], *p = line, *end = line + sizeof line - 1;
		p = hut_append(p, end, "hut: warning: clone without CLONE_VM|CLONE_THREAD (flags ");
		p = hut_append_u64(p, end, flags);
		p = hut_append(p, end,
			       ": fork, vfork or posix_spawn) makes a new process, which an "
			       "appliance cannot: returning -ENOSYS\n");
		*p = 0;
		hut_console_print(2, line);
	}
	return -ENOSYS;
}

/* The child's libos stack: the parent's syscall frame, then a switch frame
 * (six callee-saved registers, zero) returning to hut_thread_first_run. */
static void build_child_stack(struct hut_thread *t, const struct hut_syscall_frame *parent)
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

static struct hut_thread *new_thread(void)
{
	struct hut_thread *t = hut_kalloc(sizeof *t);
	void *stack = hut_pages_alloc(HUT_KSTACK_SIZE / HUT_PAGE_SIZE);
	if (!t || !stack) {
		if (t)
			hut_kfree(t, sizeof *t);
		if (stack)
			hut_pages_free(stack, HUT_KSTACK_SIZE / HUT_PAGE_SIZE);
		return NULL;
	}
	static int table_registered;
	if (!table_registered) {
		table_registered = 1;
		hut_hypercall(HUT_HC_THREADS, &table);
	}
	t->kstack = stack;
	t->kstack_top = (uint64_t)stack + HUT_KSTACK_SIZE;
	t->tid = next_tid++;
	t->slot = free_slot();
	if (t->slot >= 0)
		table.thread[t->slot].tid = (uint64_t)t->tid;
	return t;
}

/* clone(flags, stack, parent_tid, child_tid, tls): threads only. */
HUT_SYSCALL(clone)
{
	unsigned long flags = (unsigned long)a0;
	int *parent_tid = (int *)a2, *child_tid = (int *)a3;
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
	free_ended();
	struct hut_thread *parent = hut_thread_now, *t = new_thread();
	if (!t)
		return -EAGAIN;
	build_child_stack(t, parent->frame);
	/* Through the dispatcher the app steps %rsp back over its red zone
	 * after the call (musl/syscall_arch.h): the child must land on a0's. */
	if (a1)
		t->user_rsp = (uint64_t)a1 - (parent->frame->via ? 0 : RED_ZONE);
	else
		t->user_rsp = hut_user_rsp;
	t->fs_base = (flags & CLONE_SETTLS) ? (uint64_t)a4 : parent->fs_base;
	t->sig_blocked = parent->sig_blocked;
	t->clear_child_tid = (flags & CLONE_CHILD_CLEARTID) ? child_tid : NULL;
	if (flags & CLONE_PARENT_SETTID)
		*parent_tid = t->tid;
	if (flags & CLONE_CHILD_SETTID)
		*child_tid = t->tid;
	t->next = parent->next; /* runs after the parent's turn */
	parent->next = t;
	hut_threads_live++;
	publish(t);
	hut_sched_progress();
	return t->tid;
}

/* The calling thread ends; the last one's exit ends the process. */
static _Noreturn void end_thread(int status)
{
	struct hut_thread *t = hut_thread_now;
	if (hut_threads_live == 1)
		hut_exit_process(HUT_EXIT_STATUS, status & 0xff);
	if (t->clear_child_tid && hut_user_writable(t->clear_child_tid, sizeof(int))) {
		__atomic_store_n(t->clear_child_tid, 0, __ATOMIC_SEQ_CST);
		hut_futex_wake(t->clear_child_tid, 1);
	}
	free_ended();
	struct hut_thread *before = t;
	while (before->next != t)
		before = before->next;
	before->next = t->next;
	hut_threads_live--;
	t->exited = 1;
	if (t->slot >= 0)
		table.thread[t->slot].tid = 0;
	ended = t;
	hut_signal_threads_changed();
	hut_sched_progress();
	hut_thread_switch_to(t->next);
	__builtin_unreachable();
}

HUT_SYSCALL(exit)
{
	end_thread((int)a0);
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
