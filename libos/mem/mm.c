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
 *
 * Of the main stack only the live part is shared: from the forking
 * thread's %rsp (less the red zone) up. Below it lie dead frames, which
 * the x86-64 ABI lets anything (a signal handler) overwrite at any time;
 * the child gets zeroed pages of its own there at its first touch, and the
 * parent keeps its pages writable. Sharing the whole 8 MiB cost about 2,000
 * page-table changes at each fork and as many at the child's end.
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

static int in_main_stack(uint64_t va)
{
	const struct hut_boot_info *bi = hut_boot_info;
	return va >= bi->stack_top - bi->stack_size && va < bi->stack_top;
}

/* Where the forking thread's live stack starts: the page under its %rsp's
 * red zone, or the whole main stack's bottom when %rsp is not in it (a
 * thread's stack, or one the program switched to). */
static uint64_t live_stack_start(void)
{
	const struct hut_boot_info *bi = hut_boot_info;
	uint64_t bottom = bi->stack_top - bi->stack_size, rsp = hut_user_rsp;
	if (rsp < bottom + PAGE + 128 || rsp > bi->stack_top)
		return bottom;
	return (rsp - 128) & ~(PAGE - 1);
}

/* The first touch of a page of the main stack a fork did not share: a
 * zeroed page of its own. */
static int fresh_stack_page(struct hut_mm *mm, uint64_t va)
{
	if (!in_main_stack(va) || hut_aspace_frame(&mm->as, va) >= 0)
		return 1;
	uint64_t frame = hut_frame_new();
	if (!frame)
		return 1;
	if (hut_aspace_map_new(&mm->as, va, frame, PRIVATE_FLAGS | PTE_W)) {
		hut_frame_unref(frame);
		return 1;
	}
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

/* The process's own copy of the frame at va, shared with another: mapped
 * writable at va. 0, or 1 (no memory: the frame stays). */
static int own_copy(struct hut_mm *mm, uint64_t va, uint64_t frame)
{
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
	hut_frame_unref(frame);
	return 0;
}

/* A write to a page shared copy-on-write: the last sharer gets W back, the
 * others a copy of their own. The first touch of a stack page a fork left
 * out: a fresh page. Anything else is declined (a crash). */
static int cow_fault(uint64_t addr, uint64_t error, uint64_t rip)
{
	(void)rip;
	struct hut_mm *mm = hut_mm_now;
	uint64_t va = addr & ~(PAGE - 1);
	if (!(error & HUT_PF_PRESENT))
		return fresh_stack_page(mm, va);
	if ((error & (HUT_PF_PRESENT | HUT_PF_WRITE)) != (HUT_PF_PRESENT | HUT_PF_WRITE) ||
	    !is_private(mm, va))
		return 1;
	int64_t frame = hut_aspace_frame(&mm->as, va);
	if (frame < 0)
		return 1;
	if (hut_frame_users((uint64_t)frame) == 1)
		return hut_aspace_map(&mm->as, va, (uint64_t)frame, PRIVATE_FLAGS | PTE_W) ? 1 : 0;
	return own_copy(mm, va, (uint64_t)frame);
}

/* Every page of iov the monitor will write (a volume read straight into
 * the app's buffer) made the running process's own first, as its write
 * faults would make them: the monitor's writes take no fault, and a frame
 * still shared copy-on-write would change under the other process too (a
 * forked child's read into its buffer changed its parent's). A frame this
 * process alone holds is written as it is (its PTE may stay read-only:
 * the app's next write takes the fault that gives W back). The TLB may
 * still hold a copied page's old frame (no fault flushed it, as the CPU
 * does for the page of a fault): one flush after all of them. */
static void own_pages(const struct hut_iovec *iov, int n)
{
	struct hut_mm *mm = hut_mm_now;
	int moved = 0;
	for (int i = 0; i < n; i++) {
		if (!iov[i].len)
			continue;
		uint64_t va = iov[i].base & ~(PAGE - 1), end = iov[i].base + iov[i].len;
		for (; va < end; va += PAGE) {
			int64_t frame = hut_aspace_frame(&mm->as, va);
			if (frame < 0)
				fresh_stack_page(mm, va); /* a new PTE: nothing to flush */
			else if (hut_frame_users((uint64_t)frame) > 1 && is_private(mm, va))
				moved |= own_copy(mm, va, (uint64_t)frame) == 0;
		}
	}
	if (moved)
		hut_aspace_flush();
}

/* Pages both sides write at once after a fork: the forking thread's stack
 * top (where the fork returns, and its red zone) and its thread block
 * (musl's, at the FS base: the child's new tid, errno). */
enum { HOT_PAGES = 3 };

struct hot {
	uint64_t page[HOT_PAGES];
};

static struct hot hot_pages(uint64_t tls)
{
	uint64_t rsp = hut_user_rsp, mask = ~(PAGE - 1);
	return (struct hot){{rsp & mask, (rsp - 128) & mask, tls & mask}};
}

static int is_hot(const struct hot *h, uint64_t va)
{
	for (int i = 0; i < HOT_PAGES; i++)
		if (h->page[i] == va)
			return 1;
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

/* A hot page is copied for the child at once: the copy into a warm frame
 * costs a few µs, and sharing it cost a copy-on-write fault in the child
 * (~0.1 ms here) and one in the parent to take its page back. */
static int copy_for_child(struct hut_mm *child, uint64_t va)
{
	int64_t frame = hut_aspace_frame(&hut_mm_now->as, va);
	if (frame < 0)
		return 0;
	uint64_t copy = hut_frame_new();
	if (!copy)
		return share(child, va);
	hut_memcpy((void *)copy, (const void *)frame, PAGE);
	if (hut_aspace_map(&child->as, va, copy, PRIVATE_FLAGS | PTE_W)) {
		hut_frame_unref(copy);
		return -1;
	}
	return 0;
}

static int share_or_copy(struct hut_mm *child, uint64_t va, const struct hot *hot)
{
	return is_hot(hot, va) ? copy_for_child(child, va) : share(child, va);
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

static int share_all(struct hut_mm *child, const struct hot *hot)
{
	struct hut_mm *parent = hut_mm_now;
	uint64_t base = hut_arena_base();
	uint64_t n_pages = hut_arena_pages();
	for (uint64_t p = hut_arena_next_mine(parent, 0); p < n_pages;
	     p = hut_arena_next_mine(parent, p + 1)) {
		uint64_t va = base + p * PAGE;
		hut_arena_hold(child, p);
		if (hut_arena_shared(p)) /* MAP_SHARED: the same frame, writable */
			hut_frame_ref((uint64_t)hut_aspace_frame(&parent->as, va));
		else if (share_or_copy(child, va, hot))
			return -1;
	}
	struct range r[RANGES];
	int n = private_ranges(parent, r);
	uint64_t live = live_stack_start(), bottom = r[n - 1].start; /* the stack is last */
	if (hut_aspace_unmap_range(&child->as, bottom, live))
		return -1;
	r[n - 1].start = live;
	for (int i = 0; i < n; i++)
		for (uint64_t va = r[i].start; va < r[i].end; va += PAGE)
			if (share_or_copy(child, va, hot))
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
	hut_phys_own = own_pages;
	return 0;
}

struct hut_mm *hut_mm_fork(uint64_t tls)
{
	struct hot hot = hot_pages(tls);
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
	int err = share_all(child, &hot);
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

/* mm, ending, no longer maps frame at va: one user less, and when the
 * running process is the last, shares it copy-on-write at va and may
 * write it there, it gets W back at once rather than at its next write's
 * fault (~0.1 ms here; a looser PTE needs no flush). */
static void let_go(const struct hut_mm *mm, uint64_t va, uint64_t frame)
{
	struct hut_mm *now = hut_mm_now;
	hut_frame_unref(frame);
	if (now == mm || hut_frame_users(frame) != 1 || !is_private(now, va) ||
	    hut_aspace_frame(&now->as, va) != (int64_t)frame)
		return;
	hut_aspace_map(&now->as, va, frame, PRIVATE_FLAGS | PTE_W);
}

static void unref_range(struct hut_mm *mm, uint64_t start, uint64_t end)
{
	for (uint64_t va = start; va < end; va += PAGE) {
		int64_t frame = hut_aspace_frame(&mm->as, va);
		if (frame >= 0)
			let_go(mm, va, (uint64_t)frame);
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
	uint64_t n = hut_arena_pages();
	for (uint64_t p = hut_arena_next_mine(mm, 0); p < n; p = hut_arena_next_mine(mm, p + 1)) {
		int64_t frame = hut_aspace_frame(&mm->as, base + p * PAGE);
		hut_arena_release(mm, p);
		if (frame >= 0)
			let_go(mm, base + p * PAGE, (uint64_t)frame);
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
	uint64_t n = hut_arena_pages();
	for (uint64_t p = hut_arena_next_mine(mm, 0); p < n; p = hut_arena_next_mine(mm, p + 1))
		hut_unmap(base + p * PAGE, PAGE);
	hut_brk(mm->brk_start);
	mm->brk_start = mm->brk_cur = brk_start;
}
