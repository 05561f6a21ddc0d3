/*
 * Threads: the ring of live threads, the switch from one to another, a new
 * thread's stack and its end's bookkeeping (proc/clone.c decides when).
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
#include "proc.h"

/* pid 1, and the running thread's process (proc/process.h): here, below
 * everything that reads them. */
struct hut_process hut_first_process = {.pid = 1, .pgid = 1, .sid = 1, .threads = 1};
struct hut_process *hut_proc_now = &hut_first_process;

static struct hut_thread first = {.next = &first, .proc = &hut_first_process, .tid = 1, .slot = 0};
static void (*process_switch)(struct hut_process *next);
static void (*process_gone)(struct hut_process *p);

void hut_thread_process_hooks(void (*switch_to)(struct hut_process *next),
			      void (*gone)(struct hut_process *p))
{
	process_switch = switch_to;
	process_gone = gone;
}
static struct hut_threads_table table = {.running_tid = 1, .thread[0].tid = 1};
struct hut_thread *hut_thread_now = &first;
unsigned hut_threads_live = 1;
static struct hut_thread *ended; /* its stack is still to be freed */
static int next_tid = 2;

void hut_thread_free_ended(void)
{
	if (!ended || ended == hut_thread_now)
		return;
	if (ended->proc->zombie && !ended->proc->threads && process_gone)
		process_gone(ended->proc);
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

void hut_thread_name_from_path(struct hut_thread *t, const char *path)
{
	const char *base = path;
	for (const char *p = path; *p; p++)
		if (*p == '/')
			base = p + 1;
	size_t n = hut_strlen(base);
	n = n < sizeof t->name - 1 ? n : sizeof t->name - 1;
	hut_memcpy(t->name, base, n);
	t->name[n] = 0;
}

/* A thread's app registers from the frame of the syscall (or tick) it is
 * in, with its app %rsp: what --core's files show for it. */
struct hut_thread_regs hut_thread_regs_at(const struct hut_thread *t,
					  const struct hut_syscall_frame *f, uint64_t rsp)
{
	return (struct hut_thread_regs){
		.tid = (uint64_t)t->tid,
		.rax = f->nr,
		.rbx = f->rbx,
		.rcx = f->rcx,
		.rdx = f->a2,
		.rsi = f->a1,
		.rdi = f->a0,
		.rbp = f->rbp,
		.rsp = rsp,
		.r8 = f->a4,
		.r9 = f->a5,
		.r10 = f->a3,
		.r11 = f->r11,
		.r12 = f->r12,
		.r13 = f->r13,
		.r14 = f->r14,
		.r15 = f->r15,
		.rip = f->rip,
		.rflags = f->rflags,
		.fs_base = t->fs_base,
	};
}

/* Copies a switched-out thread's app registers where the monitor looks. */
void hut_thread_publish(const struct hut_thread *t)
{
	if (t->slot >= 0)
		table.thread[t->slot] = hut_thread_regs_at(t, t->frame, t->user_rsp);
}

const struct hut_thread_regs *hut_thread_published(const struct hut_thread *t)
{
	return t->slot >= 0 && table.thread[t->slot].tid == (uint64_t)t->tid
		       ? &table.thread[t->slot]
		       : NULL;
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
	if (next->proc != prev->proc && process_switch)
		process_switch(next->proc);
	if (next->fs_base != prev->fs_base)
		load_fs(next->fs_base);
	hut_thread_now = next;
	if (!prev->exited)
		hut_thread_publish(prev);
	table.running_tid = (uint64_t)next->tid;
	next->slice_start = hut_rdtsc();
	hut_context_switch(&prev->ksp, next->ksp);
	hut_thread_free_ended(); /* prev runs again here */
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
		if (t->proc == hut_proc_now)
			all &= t->sig_blocked;
		t = t->next;
	} while (t != start);
	return all;
}

/* A new thread with its libos stack and a tid, not yet in the ring; NULL
 * without memory. */
struct hut_thread *hut_thread_new(void)
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
	t->proc = hut_proc_now;
	t->kstack_top = (uint64_t)stack + HUT_KSTACK_SIZE;
	t->tid = next_tid++;
	t->slot = free_slot();
	if (t->slot >= 0)
		table.thread[t->slot].tid = (uint64_t)t->tid;
	return t;
}

void hut_thread_link(struct hut_thread *parent, struct hut_thread *t)
{
	t->next = parent->next; /* runs after the parent's turn */
	parent->next = t;
	hut_threads_live++;
	hut_thread_publish(t);
}

void hut_thread_unlink(struct hut_thread *t)
{
	hut_thread_free_ended();
	struct hut_thread *before = t;
	while (before->next != t)
		before = before->next;
	before->next = t->next;
	hut_threads_live--;
	t->exited = 1;
	if (t->slot >= 0)
		table.thread[t->slot].tid = 0;
	ended = t;
}
