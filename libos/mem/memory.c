/*
 * Memory: brk and anonymous mmap over one arena, [heap_start, heap_end) from
 * the boot info, tracked a bit per page (1 = in use). brk grows up from the
 * bottom, mmap takes the highest free run, so the two meet only when RAM is
 * full. The monitor mapped all of RAM read-write before boot, so protection
 * changes are bookkeeping only (mprotect succeeds; PROT_NONE is not enforced).
 *
 * Linux hands out zeroed pages. RAM is zero at boot, so a page needs zeroing
 * only if it was handed out before: pages in [fresh_low, fresh_high) never were.
 *
 * The libos takes pages from the same arena for its own use (kalloc.c, tmpfs
 * data, pipe buffers), as a kernel takes them from the memory it manages:
 * hut_pages_alloc and hut_pages_free.
 */
#include "mem.h"

#include <errno.h>
#include <sys/mman.h>

#define PAGE HUT_PAGE_SIZE

static uint64_t *used; /* the bitmap, at the bottom of the arena */
static uint64_t base;  /* address of page 0 of the arena */
static uint64_t npages;
static uint64_t brk_start, brk_cur; /* brk_cur is byte exact, as Linux's */
static uint64_t fresh_low, fresh_high;

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE - 1) & ~(PAGE - 1);
}

static int is_used(uint64_t page)
{
	return (used[page / 64] >> (page % 64)) & 1;
}

static void set_pages(uint64_t first, uint64_t count, int in_use)
{
	for (uint64_t p = first; p < first + count; p++) {
		if (in_use)
			used[p / 64] |= 1ull << (p % 64);
		else
			used[p / 64] &= ~(1ull << (p % 64));
	}
}

static int range_free(uint64_t first, uint64_t count)
{
	for (uint64_t p = first; p < first + count; p++)
		if (is_used(p))
			return 0;
	return 1;
}

/* Zeroes the pages of [addr, end) that may hold old data, then shrinks the
 * fresh interval so that it no longer holds any of them (keeping the larger
 * of the parts left below and above the range). */
static void zero_stale(uint64_t addr, uint64_t end)
{
	if (addr < fresh_low)
		hut_memset((void *)addr, 0, (end < fresh_low ? end : fresh_low) - addr);
	if (end > fresh_high) {
		uint64_t from = addr > fresh_high ? addr : fresh_high;
		hut_memset((void *)from, 0, end - from);
	}
	if (end <= fresh_low || addr >= fresh_high)
		return;
	uint64_t below = addr > fresh_low ? addr - fresh_low : 0;
	uint64_t above = end < fresh_high ? fresh_high - end : 0;
	if (below >= above)
		fresh_high = addr > fresh_low ? addr : fresh_low;
	else
		fresh_low = end;
}

static void take(uint64_t addr, uint64_t len)
{
	set_pages((addr - base) / PAGE, len / PAGE, 1);
	zero_stale(addr, addr + len);
}

static uint64_t bitmap_bytes;

void hut_memory_init(const struct hut_boot_info *bi)
{
	base = bi->heap_start;
	npages = (bi->heap_end - base) / PAGE;
	used = (uint64_t *)base;
	bitmap_bytes = page_up((npages + 63) / 64 * 8);
	fresh_low = base;
	fresh_high = bi->heap_end;
	brk_start = brk_cur = base + bitmap_bytes;
}

/* The bitmap is first touched when the app first allocates: a page touched
 * at boot costs a fault (~35 us on kvm-pvm), and many programs never do. */
static void bitmap_ready(void)
{
	static int ready;
	if (!ready) {
		ready = 1;
		take(base, bitmap_bytes);
	}
}

/* Highest run of count free pages, or -1. Skips whole used words. */
static int64_t find_free_run(uint64_t count)
{
	uint64_t run = 0;
	for (uint64_t p = npages; p-- > 0;) {
		if (p % 64 == 63 && used[p / 64] == ~0ull) {
			run = 0;
			p -= 63;
			continue;
		}
		run = is_used(p) ? 0 : run + 1;
		if (run == count)
			return (int64_t)p;
	}
	return -1;
}

/* brk(want): the new break, or the old one when want cannot be had. */
long hut_brk(uint64_t want)
{
	bitmap_ready();
	if (want < brk_start || want > base + npages * PAGE)
		return (long)brk_cur;
	uint64_t old_end = page_up(brk_cur), new_end = page_up(want);
	if (new_end > old_end) {
		if (!range_free((old_end - base) / PAGE, (new_end - old_end) / PAGE))
			return (long)brk_cur;
		take(old_end, new_end - old_end);
	} else if (new_end < old_end) {
		set_pages((new_end - base) / PAGE, (old_end - new_end) / PAGE, 0);
	}
	brk_cur = want;
	return (long)brk_cur;
}

/* A MAP_FIXED range must lie in the arena; pages already in use are simply
 * replaced by zero pages, as Linux does. */
static long map_fixed(uint64_t addr, uint64_t len, long flags)
{
	if (addr & (PAGE - 1))
		return -EINVAL;
	if (addr < brk_start || addr > base + npages * PAGE || len > base + npages * PAGE - addr)
		return -ENOMEM;
	uint64_t first = (addr - base) / PAGE;
	if ((flags & MAP_FIXED_NOREPLACE) && !range_free(first, len / PAGE))
		return -EEXIST;
	take(addr, len);
	return (long)addr;
}

/* Zeroed pages from the top of the arena, or NULL when no run is free. */
void *hut_pages_alloc(uint64_t count)
{
	bitmap_ready();
	int64_t first = count ? find_free_run(count) : -1;
	if (first < 0)
		return NULL;
	uint64_t addr = base + (uint64_t)first * PAGE;
	take(addr, count * PAGE);
	return (void *)addr;
}

void hut_pages_free(void *p, uint64_t count)
{
	set_pages(((uint64_t)p - base) / PAGE, count, 0);
}

uint64_t hut_pages_total(void)
{
	return npages;
}

/* Pages of the arena nobody holds: sysinfo's freeram, which shows whether
 * the libos's own memory stays bounded (tests/integration/threads.sh). */
uint64_t hut_pages_free_count(void)
{
	uint64_t n = 0;
	bitmap_ready();
	for (uint64_t w = 0; w < (npages + 63) / 64; w++) {
		uint64_t x = ~used[w]; /* bits set in a word, SWAR: no libgcc call */
		x = x - ((x >> 1) & 0x5555555555555555ull);
		x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
		x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
		n += (x * 0x0101010101010101ull) >> 56;
	}
	return n - ((npages + 63) / 64 * 64 - npages); /* bits past the last page */
}

/* Anonymous memory for mmap: zero pages at a free place, or where
 * MAP_FIXED says. File mappings (file_mmap.c) start as such pages too. */
long hut_anon_map(uint64_t addr, uint64_t len, long flags)
{
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		bitmap_ready();
		return map_fixed(addr, len, flags);
	}
	void *p = hut_pages_alloc(len / PAGE);
	return p ? (long)p : -ENOMEM;
}

/* Pages of [addr, addr + len) inside the arena and above brk, as a page range. */
static int arena_pages(uint64_t addr, uint64_t len, uint64_t *first, uint64_t *count)
{
	uint64_t end = addr + page_up(len);
	uint64_t lo = page_up(brk_cur), hi = base + npages * PAGE;
	if (end < addr)
		return -1;
	if (addr < lo)
		addr = lo;
	if (end > hi)
		end = hi;
	*first = (addr - base) / PAGE;
	*count = end > addr ? (end - addr) / PAGE : 0;
	return 0;
}

/* munmap: the pages of [addr, addr + len) in the arena are free again. */
long hut_unmap(uint64_t addr, uint64_t len)
{
	bitmap_ready();
	uint64_t first, count;
	if ((addr & (PAGE - 1)) || len == 0 || arena_pages(addr, len, &first, &count))
		return -EINVAL;
	set_pages(first, count, 0);
	return 0;
}

/* madvise: MADV_DONTNEED zeroes what it covers; other advice is accepted. */
long hut_advise(uint64_t addr, uint64_t len, long advice)
{
	bitmap_ready();
	uint64_t first, count;
	if ((addr & (PAGE - 1)) || arena_pages(addr, len, &first, &count))
		return -EINVAL;
	if (advice == MADV_DONTNEED) /* the next touch must see zeroes */
		for (uint64_t p = first; p < first + count; p++)
			if (is_used(p))
				hut_memset((void *)(base + p * PAGE), 0, PAGE);
	return 0;
}

int hut_mem_in_use(uint64_t addr, uint64_t len)
{
	uint64_t end = base + npages * PAGE;
	bitmap_ready();
	for (uint64_t a = addr & ~(PAGE - 1); a < addr + len; a += PAGE) {
		if (a >= base && a < end ? !is_used((a - base) / PAGE)
					 : !hut_user_readable((const void *)a, 1))
			return 0;
	}
	return 1;
}
