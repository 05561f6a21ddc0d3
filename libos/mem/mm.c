/*
 * Processes' memory (mm.h): fork shares a process's private pages
 * copy-on-write, the fault handler copies a page when one side writes it,
 * and a process's end lets go of what it mapped.
 *
 * What is private to a process: its app's arena pages (anonymous mappings
 * other than MAP_SHARED, brk), its image's writable segments and the main
 * stack. Everything else (the image's code and read-only data, the libos's
 * window and memory, MAP_SHARED pages, the devices' rings) is one for all.
 *
 * Copy-on-write rather than copying at fork: the main stack alone spans up
 * to 8 MiB, most of it never touched, and a child that execs or exits
 * soon writes a few pages. Each write fault costs a trap to CPL0 and back
 * through the upcall (docs/ARCHITECTURE.md, "Processes").
 */
#include "mm.h"

#include "arch/x86_64/fault.h"

#include <elf.h>
#include <hut/x86.h>

#define PAGE HUT_PAGE_SIZE
#define PRIVATE_FLAGS (PTE_U | PTE_NX) /* app data is never executable here */

enum { RANGES = HUT_MM_SEGS + 1 };

struct range {
	uint64_t start, end;
};

/* The private pages outside the arena: the image's writable segments and
 * the main stack. Returns how many ranges. */
static int private_ranges(const struct hut_mm *mm, struct range r[RANGES])
{
	const struct hut_boot_info *bi = hut_boot_info;
	int n = 0;
	for (int i = 0; i < mm->nseg; i++)
		if (mm->seg[i].flags & PF_W)
			r[n++] = (struct range){mm->seg[i].start, mm->seg[i].end};
	r[n++] = (struct range){bi->stack_top - bi->stack_size, bi->stack_top};
	return n;
}

static int in_private_range(const struct hut_mm *mm, uint64_t va)
{
	struct range r[RANGES];
	int n = private_ranges(mm, r);
	for (int i = 0; i < n; i++)
		if (va >= r[i].start && va < r[i].end)
			return 1;
	return 0;
}

static int is_private(const struct hut_mm *mm, uint64_t va)
{
	uint64_t base = hut_arena_base();
	if (in_private_range(mm, va)) /* an exec'd image may reach into the arena */
		return 1;
	if (va >= base && va < base + hut_arena_pages() * PAGE) {
		uint64_t p = (va - base) / PAGE;
		return hut_arena_mine(mm, p) && !hut_arena_shared(p);
	}
	return 0;
}

/* A write to a page shared copy-on-write: the last sharer gets W back, the
 * others a copy of their own. Anything else is declined (a crash). */
static int cow_fault(uint64_t addr, uint64_t error, uint64_t rip)
{
	(void)rip;
	struct hut_mm *mm = hut_mm_now;
	uint64_t va = addr & ~(PAGE - 1);
	if ((error & (HUT_PF_PRESENT | HUT_PF_WRITE)) != (HUT_PF_PRESENT | HUT_PF_WRITE) ||
	    !is_private(mm, va))
		return 1;
	int64_t frame = hut_aspace_frame(&mm->as, va);
	if (frame < 0)
		return 1;
	if (hut_frame_users((uint64_t)frame) == 1)
		return hut_aspace_map(&mm->as, va, (uint64_t)frame, PRIVATE_FLAGS | PTE_W) ? 1 : 0;
	uint64_t copy = hut_frame_new();
	if (!copy)
		return 1;
	/* Both frames are at their own addresses here: a frame in use is never
	 * an address any process holds (memory.c). */
	hut_memcpy((void *)copy, (const void *)frame, PAGE);
	if (hut_aspace_map(&mm->as, va, copy, PRIVATE_FLAGS | PTE_W)) {
		hut_frame_unref(copy);
		return 1;
	}
	hut_frame_unref((uint64_t)frame);
	return 0;
}

/* va (a private page of the running process) becomes shared with child,
 * read-only on both sides. */
static int share(struct hut_mm *child, uint64_t va)
{
	struct hut_mm *parent = hut_mm_now;
	int64_t frame = hut_aspace_frame(&parent->as, va);
	if (frame < 0)
		return 0; /* not mapped (a guard page): nothing to share */
	hut_frame_ref((uint64_t)frame);
	if (hut_aspace_map(&parent->as, va, (uint64_t)frame, PRIVATE_FLAGS) ||
	    hut_aspace_map(&child->as, va, (uint64_t)frame, PRIVATE_FLAGS)) {
		hut_frame_unref((uint64_t)frame);
		return -1;
	}
	return 0;
}

static uint64_t bitmap_bytes(void)
{
	return (hut_arena_pages() + 63) / 64 * 8;
}

/* The first process runs on the monitor's tables, which the libos may not
 * change: before its first fork it moves to a copy of its own. */
static int own_tables(struct hut_mm *mm)
{
	if (mm->as.owns_top)
		return 0;
	struct hut_aspace own;
	if (hut_aspace_clone(&own, &mm->as))
		return -1;
	mm->as = own;
	hut_aspace_switch(&mm->as);
	return 0;
}

static int share_all(struct hut_mm *child)
{
	struct hut_mm *parent = hut_mm_now;
	uint64_t base = hut_arena_base();
	for (uint64_t p = 0; p < hut_arena_pages(); p++) {
		if (!hut_arena_mine(parent, p))
			continue;
		uint64_t va = base + p * PAGE;
		hut_arena_hold(child, p);
		if (hut_arena_shared(p)) /* MAP_SHARED: the same frame, writable */
			hut_frame_ref((uint64_t)hut_aspace_frame(&parent->as, va));
		else if (share(child, va))
			return -1;
	}
	struct range r[RANGES];
	int n = private_ranges(parent, r);
	for (int i = 0; i < n; i++)
		for (uint64_t va = r[i].start; va < r[i].end; va += PAGE)
			if (share(child, va))
				return -1;
	return 0;
}

/* Where the running process's page is in guest-physical memory, for what
 * the monitor is handed (base/phys.c). */
static uint64_t phys_of(uint64_t page)
{
	int64_t frame = hut_aspace_frame(&hut_mm_now->as, page);
	return frame < 0 ? page : (uint64_t)frame;
}

/* From the first fork or exec on, processes map frames at addresses not
 * their own: frames are counted, copy-on-write faults taken, and what the
 * monitor is handed translated. 0 or -ENOMEM. */
static int counting_begins(void)
{
	if (hut_frames_count())
		return -ENOMEM;
	hut_fault_take(cow_fault);
	hut_phys_of = phys_of;
	return 0;
}

struct hut_mm *hut_mm_fork(void)
{
	struct hut_mm *parent = hut_mm_now;
	if (counting_begins() || own_tables(parent))
		return NULL;
	struct hut_mm *child = hut_kalloc(sizeof *child);
	if (!child)
		return NULL;
	child->mine = hut_kalloc(bitmap_bytes());
	if (!child->mine || hut_aspace_clone(&child->as, &parent->as)) {
		if (child->mine)
			hut_kfree(child->mine, bitmap_bytes());
		hut_kfree(child, sizeof *child);
		return NULL;
	}
	child->brk_start = parent->brk_start;
	child->brk_cur = parent->brk_cur;
	hut_image_fork(parent, child);
	int err = share_all(child);
	hut_aspace_flush(); /* the parent's pages are read-only from here */
	if (err) {
		hut_mm_free(child);
		return NULL;
	}
	return child;
}

void hut_mm_switch(struct hut_mm *mm)
{
	hut_mm_now = mm;
	hut_user_image(mm->seg, mm->nseg);
	hut_aspace_switch(&mm->as);
}

static void unref_range(struct hut_mm *mm, uint64_t start, uint64_t end)
{
	for (uint64_t va = start; va < end; va += PAGE) {
		int64_t frame = hut_aspace_frame(&mm->as, va);
		if (frame >= 0)
			hut_frame_unref((uint64_t)frame);
	}
}

/* Every page of the image (shared or not) and of the stack: one user less. */
static void unref_image_and_stack(struct hut_mm *mm)
{
	const struct hut_boot_info *bi = hut_boot_info;
	hut_image_drop(mm, 0);
	unref_range(mm, bi->stack_top - bi->stack_size, bi->stack_top);
}

void hut_mm_free(struct hut_mm *mm)
{
	uint64_t base = hut_arena_base();
	for (uint64_t p = 0; p < hut_arena_pages(); p++) {
		if (!hut_arena_mine(mm, p))
			continue;
		int64_t frame = hut_aspace_frame(&mm->as, base + p * PAGE);
		hut_arena_release(mm, p);
		if (frame >= 0)
			hut_frame_unref((uint64_t)frame);
	}
	unref_image_and_stack(mm);
	hut_image_name_drop(mm);
	hut_aspace_free(&mm->as);
	hut_kfree(mm->mine, bitmap_bytes());
	hut_kfree(mm, sizeof *mm);
}

int hut_mm_exec_prepare(void)
{
	return counting_begins() || own_tables(hut_mm_now) ? -ENOMEM : 0;
}

void hut_mm_exec_release(uint64_t brk_start)
{
	struct hut_mm *mm = hut_mm_now;
	uint64_t base = hut_arena_base();
	for (uint64_t p = 0; p < hut_arena_pages(); p++)
		if (hut_arena_mine(mm, p))
			hut_unmap(base + p * PAGE, PAGE);
	hut_brk(mm->brk_start);
	mm->brk_start = mm->brk_cur = brk_start;
}
