/*
 * The app's memory: brk and anonymous mmap over the arena (mem/memory.c),
 * each process's own (mem/mm.h). The monitor mapped all of RAM read-write
 * before boot, so protection changes are bookkeeping only (mprotect
 * succeeds; PROT_NONE is not enforced).
 */
#include "mm.h"

#include <errno.h>
#include <hut/x86.h>
#include <sys/mman.h>

#define PAGE HUT_PAGE_SIZE

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE - 1) & ~(PAGE - 1);
}

static uint64_t arena_end(void)
{
	return hut_arena_base() + hut_arena_pages() * PAGE;
}

/* Lets go of the running process's pages in [first, first + count) that it
 * maps; a page it had its own copy of, or shared read-only, maps the arena
 * again. */
static void release_range(uint64_t first, uint64_t count)
{
	struct hut_mm *mm = hut_mm_now;
	uint64_t base = hut_arena_base();
	int remapped = 0, counting = hut_frames_counting();
	hut_memory_freed(count);
	for (uint64_t p = first; p < first + count; p++) {
		if (!hut_arena_mine(mm, p))
			continue;
		uint64_t va = base + p * PAGE;
		int64_t frame = counting ? hut_aspace_frame(&mm->as, va) : (int64_t)va;
		hut_arena_release(mm, p);
		if (counting && frame >= 0) {
			hut_frame_unref((uint64_t)frame);
			/* A copy of its own, or the frame still shared read-only
			 * with another process: the address must map its own
			 * page, writable, again, for whoever is given it next
			 * (the libos writes a page it takes at its address). */
			if (!hut_aspace_identity_rw(&mm->as, va)) {
				hut_aspace_map(&mm->as, va, va, PTE_W | PTE_U | PTE_NX);
				remapped = 1;
			}
		}
	}
	if (remapped) /* no stale entry may reach the old frame */
		hut_aspace_flush();
}

/* brk(want): the new break, or the old one when want cannot be had. */
long hut_brk(uint64_t want)
{
	struct hut_mm *mm = hut_mm_now;
	hut_arena_ready();
	if (want < mm->brk_start || want > arena_end())
		return (long)mm->brk_cur;
	uint64_t old_end = page_up(mm->brk_cur), new_end = page_up(want);
	if (new_end > old_end) {
		if (!hut_arena_free_run((old_end - hut_arena_base()) / PAGE,
					(new_end - old_end) / PAGE))
			return (long)mm->brk_cur;
		hut_arena_take(old_end, new_end - old_end, 1, 0);
	} else if (new_end < old_end) {
		release_range((new_end - hut_arena_base()) / PAGE, (old_end - new_end) / PAGE);
	}
	mm->brk_cur = want;
	return (long)mm->brk_cur;
}

/* A MAP_FIXED range must lie in the arena; pages already in use are simply
 * replaced by zero pages, as Linux does. */
static long map_fixed(uint64_t addr, uint64_t len, long flags)
{
	if (addr & (PAGE - 1))
		return -EINVAL;
	if (addr < hut_mm_now->brk_start || addr > arena_end() || len > arena_end() - addr)
		return -ENOMEM;
	uint64_t first = (addr - hut_arena_base()) / PAGE;
	if ((flags & MAP_FIXED_NOREPLACE) && !hut_arena_free_run(first, len / PAGE))
		return -EEXIST;
	release_range(first, len / PAGE);
	if (hut_frames_counting() && !hut_arena_free_run(first, len / PAGE))
		return -ENOMEM; /* another process's: not yet served */
	hut_arena_take(addr, len, 1, (flags & MAP_TYPE) != MAP_PRIVATE);
	return (long)addr;
}

/* Anonymous memory for mmap: zero pages at a free place, or where
 * MAP_FIXED says. File mappings (file_mmap.c) start as such pages too. */
long hut_anon_map(uint64_t addr, uint64_t len, long flags)
{
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		hut_arena_ready();
		return map_fixed(addr, len, flags);
	}
	void *p = hut_arena_alloc(len / PAGE, 1, (flags & MAP_TYPE) != MAP_PRIVATE);
	return p ? (long)p : -ENOMEM;
}

/* Pages of [addr, addr + len) inside the arena and above brk, as a page range. */
static int arena_pages(uint64_t addr, uint64_t len, uint64_t *first, uint64_t *count)
{
	uint64_t end = addr + page_up(len);
	uint64_t lo = page_up(hut_mm_now->brk_cur), hi = arena_end();
	if (end < addr)
		return -1;
	if (addr < lo)
		addr = lo;
	if (end > hi)
		end = hi;
	*first = (addr - hut_arena_base()) / PAGE;
	*count = end > addr ? (end - addr) / PAGE : 0;
	return 0;
}

/* munmap: the pages of [addr, addr + len) in the arena are free again. */
long hut_unmap(uint64_t addr, uint64_t len)
{
	hut_arena_ready();
	uint64_t first, count;
	if ((addr & (PAGE - 1)) || len == 0 || arena_pages(addr, len, &first, &count))
		return -EINVAL;
	release_range(first, count);
	return 0;
}

/* madvise: MADV_DONTNEED zeroes what it covers; other advice is accepted. */
long hut_advise(uint64_t addr, uint64_t len, long advice)
{
	hut_arena_ready();
	uint64_t first, count;
	if ((addr & (PAGE - 1)) || arena_pages(addr, len, &first, &count))
		return -EINVAL;
	if (advice == MADV_DONTNEED) /* the next touch must see zeroes */
		for (uint64_t p = first; p < first + count; p++)
			if (hut_arena_mine(hut_mm_now, p))
				hut_memset((void *)(hut_arena_base() + p * PAGE), 0, PAGE);
	return 0;
}

void hut_memory_brk(uint64_t *start, uint64_t *cur)
{
	*start = hut_mm_now->brk_start;
	*cur = hut_mm_now->brk_cur;
}

/* Whether arena page p is the running process's and not brk's. */
static int mapped_outside_brk(uint64_t p, uint64_t heap_lo, uint64_t heap_hi)
{
	return hut_arena_mine(hut_mm_now, p) && !(p >= heap_lo && p < heap_hi);
}

int hut_memory_next_run(uint64_t from, uint64_t *start, uint64_t *end)
{
	const struct hut_mm *mm = hut_mm_now;
	uint64_t base = hut_arena_base(), npages = hut_arena_pages();
	uint64_t heap_lo = (mm->brk_start - base) / PAGE,
		 heap_hi = (page_up(mm->brk_cur) - base) / PAGE;
	uint64_t p = from > base ? (from - base + PAGE - 1) / PAGE : 0;
	hut_arena_ready();
	if (!mm->mine)
		return 0;
	while (p < npages && !mapped_outside_brk(p, heap_lo, heap_hi)) /* a free word at once */
		p += p % 64 == 0 && p + 64 <= npages && mm->mine[p / 64] == 0 ? 64 : 1;
	if (p >= npages)
		return 0;
	uint64_t q = p;
	while (q < npages && mapped_outside_brk(q, heap_lo, heap_hi)) /* a full word at once */
		q += q % 64 == 0 && q + 64 <= npages && mm->mine[q / 64] == ~0ull &&
				     (q + 64 <= heap_lo || q >= heap_hi)
			     ? 64
			     : 1;
	*start = base + p * PAGE;
	*end = base + q * PAGE;
	return 1;
}

uint64_t hut_memory_app_pages(void)
{
	const struct hut_mm *mm = hut_mm_now;
	uint64_t n = 0, npages = hut_arena_pages();
	hut_arena_ready();
	if (!mm->mine)
		return 0;
	for (uint64_t w = 0; w < npages / 64; w++) /* whole words: bits past the end never set */
		n += hut_bits_in(mm->mine[w]);
	for (uint64_t p = npages / 64 * 64; p < npages; p++)
		n += (uint64_t)hut_arena_mine(mm, p);
	return n;
}
