/*
 * The core of a crashed process other than pid 1: with --core FILE the
 * monitor writes FILE.pid (HUT_HC_PROC_CORE) from what this describes, the
 * process as it saw itself: the crashed thread's registers at the
 * exception, its other threads' as they were switched out, and its memory as pieces of its own
 * addresses, each one run of guest RAM. Its memory is its image's segments, its main stack and the
 * arena pages it maps for its app, each page where its tables put it (a
 * forked process's pages are frames of their own, or shared copy-on-write;
 * pages it never touched map nothing and are not there), the stack from
 * the crash's %rsp up. Neighbouring
 * pages in neighbouring frames make one piece; past HUT_CORE_PIECES_MAX
 * pieces the rest is left out and the core says how much.
 */
#include "proc.h"

#include "arch/x86_64/fault.h"
#include "mem/mm.h"

#include <elf.h>
#include <stdbool.h>

#define PAGE HUT_PAGE_SIZE

static struct hut_core_piece pieces[HUT_CORE_PIECES_MAX];
static struct hut_hc_proc_core hc;
static struct hut_thread_regs threads[HUT_THREADS_MAX];

/* One mapped page at va (frame), joined to the last piece when it follows
 * it in both address and frame. */
static void add_page(uint64_t va, uint64_t frame, uint32_t flags)
{
	struct hut_core_piece *last = hc.npieces ? &pieces[hc.npieces - 1] : NULL;
	if (last && last->va + last->len == va && last->gpa + last->len == frame &&
	    last->flags == flags) {
		last->len += PAGE;
		return;
	}
	if (hc.npieces == HUT_CORE_PIECES_MAX) {
		hc.left_out++;
		return;
	}
	pieces[hc.npieces++] = (struct hut_core_piece){va, frame, PAGE, flags, 0};
}

/* The pages of [start, end) the process maps. */
static void add_range(const struct hut_mm *mm, uint64_t start, uint64_t end, uint32_t flags)
{
	for (uint64_t va = start & ~(PAGE - 1); va < end; va += PAGE) {
		int64_t frame = hut_aspace_frame(&mm->as, va);
		if (frame >= 0)
			add_page(va, (uint64_t)frame, flags);
	}
}

/* The main stack from the page below the crash's %rsp up (below it is
 * only what calls left behind), all of it if %rsp is elsewhere (a thread's
 * stack, in the arena). */
static void add_stack(const struct hut_mm *mm, uint64_t rsp)
{
	const struct hut_boot_info *bi = hut_boot_info;
	uint64_t bottom = bi->stack_top - bi->stack_size, from = bottom;
	if (rsp > bottom + PAGE && rsp <= bi->stack_top)
		from = (rsp & ~(PAGE - 1)) - PAGE;
	add_range(mm, from, bi->stack_top, PF_R | PF_W);
}

static void add_memory(const struct hut_mm *mm, uint64_t rsp)
{
	for (int i = 0; i < mm->nseg; i++)
		add_range(mm, mm->seg[i].start, mm->seg[i].end, mm->seg[i].flags);
	add_stack(mm, rsp);
	uint64_t base = hut_arena_base(), n = hut_arena_pages();
	for (uint64_t page = hut_arena_next_mine(mm, 0); page < n;
	     page = hut_arena_next_mine(mm, page + 1))
		add_range(mm, base + page * PAGE, base + (page + 1) * PAGE, PF_R | PF_W);
}

static void put_registers(struct hut_thread_regs *r, const struct hut_fault_state *s)
{
	const uint64_t *g = s->gpr;
	*r = (struct hut_thread_regs){
		.tid = (uint64_t)hut_thread_now->tid,
		.rax = g[HUT_GPR_RAX],
		.rbx = g[HUT_GPR_RBX],
		.rcx = g[HUT_GPR_RCX],
		.rdx = g[HUT_GPR_RDX],
		.rsi = g[HUT_GPR_RSI],
		.rdi = g[HUT_GPR_RDI],
		.rbp = g[HUT_GPR_RBP],
		.rsp = s->rsp,
		.r8 = g[HUT_GPR_R8],
		.r9 = g[HUT_GPR_R9],
		.r10 = g[HUT_GPR_R10],
		.r11 = g[HUT_GPR_R11],
		.r12 = g[HUT_GPR_R12],
		.r13 = g[HUT_GPR_R13],
		.r14 = g[HUT_GPR_R14],
		.r15 = g[HUT_GPR_R15],
		.rip = s->rip,
		.rflags = s->rflags,
		.fs_base = hut_thread_now->fs_base,
	};
}

/* The process's other threads, each as it was switched out (in a syscall;
 * one that never ran has no registers yet and is left out). */
static void add_threads(void)
{
	const struct hut_thread *me = hut_thread_now;
	for (const struct hut_thread *t = me->next; t != me; t = t->next) {
		const struct hut_thread_regs *r = hut_thread_published(t);
		if (t->proc == me->proc && r && r->rip && hc.nthreads < HUT_THREADS_MAX)
			threads[hc.nthreads++] = *r;
	}
	hc.threads = (uint64_t)threads;
}

/* The core, once hc.regs holds the crashed thread's registers. */
static int write_core(void)
{
	add_memory(hut_mm_now, hc.regs.rsp);
	add_threads();
	hc.pieces = (uint64_t)pieces;
	hut_hypercall(HUT_HC_PROC_CORE, &hc);
	return hc.result == 0;
}

static bool can_write_core(void)
{
	return hut_boot_info && hut_mm_now && hut_proc_now->pid != 1;
}

int hut_process_core(const struct hut_fault_state *s, int sig)
{
	if (!can_write_core())
		return 0;
	hc = (struct hut_hc_proc_core){.pid = (uint32_t)hut_proc_now->pid, .sig = (uint32_t)sig};
	put_registers(&hc.regs, s);
	return write_core();
}

int hut_process_core_in_syscall(int sig)
{
	const struct hut_thread *me = hut_thread_now;
	if (!can_write_core() || !me->frame)
		return 0;
	hc = (struct hut_hc_proc_core){.pid = (uint32_t)hut_proc_now->pid, .sig = (uint32_t)sig};
	hc.regs = hut_thread_regs_at(me, me->frame, hut_user_rsp);
	return write_core();
}
