/*
 * The arena: [heap_start, heap_end) from the boot info, tracked a bit per
 * page (1 = in use), from which the app's memory (mem/appmem.c: brk grows up
 * from the bottom, mmap takes the highest free run, so the two meet only
 * when RAM is full) and the libos's pages come.
 *
 * Linux hands out zeroed pages. RAM is zero at boot, so a page needs zeroing
 * only if it was handed out before: pages in [fresh_low, fresh_high) never were.
 *
 * The libos takes pages from the same arena for its own use (kalloc.c, tmpfs
 * data, pipe buffers), as a kernel takes them from the memory it manages:
 * hut_pages_alloc and hut_pages_free.
 *
 * Processes (mm.h): each maps the arena at the same addresses, its app's
 * pages marked in its `mine` bitmap. Until the first fork a page's bit in
 * `used` is the whole story. From then on (counting), `users` counts the
 * processes or libos users of each frame of RAM and `holders` the processes
 * that map each arena address, and a page is in use while either is
 * nonzero: a process that lets go of an address another still maps, or of
 * a frame a copy-on-write sharer still reads, frees nothing.
 */
#include "mm.h"

#include <errno.h>
#include <sys/mman.h>

#define PAGE HUT_PAGE_SIZE

static uint64_t *used;	      /* the bitmap, at the bottom of the arena */
static uint64_t *shared_bits; /* MAP_SHARED pages: fork leaves them shared */
static uint64_t base;	      /* address of page 0 of the arena */
static uint64_t npages;
static uint64_t fresh_low, fresh_high;
static uint16_t *users;	 /* per frame of RAM, counting only */
static uint8_t *holders; /* per arena page, counting only */

static struct hut_mm boot_mm = {.as = {.cr3 = HUT_PAGETABLE_GPA}}; /* the monitor's tables */
struct hut_mm *hut_mm_now = &boot_mm;

static uint64_t page_up(uint64_t v)
{
	return (v + PAGE - 1) & ~(PAGE - 1);
}

static int bit(const uint64_t *map, uint64_t page)
{
	return (map[page / 64] >> (page % 64)) & 1;
}

static void set_bit(uint64_t *map, uint64_t page, int on)
{
	if (on)
		map[page / 64] |= 1ull << (page % 64);
	else
		map[page / 64] &= ~(1ull << (page % 64));
}

static int is_used(uint64_t page)
{
	return bit(used, page);
}

int hut_arena_free_run(uint64_t first, uint64_t count)
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

/* ---- counting (after the first fork) ----------------------------------- */

static uint64_t frame_index(uint64_t frame)
{
	return frame / PAGE;
}

/* An arena page is in use while a frame user or an address holder has it. */
static void refresh(uint64_t page)
{
	set_bit(used, page, users[frame_index(base + page * PAGE)] || holders[page]);
}

static int in_arena(uint64_t frame)
{
	return frame >= base && frame < base + npages * PAGE;
}

int hut_frames_count(void)
{
	if (users)
		return 0;
	uint64_t ram_pages = hut_boot_info->stack_top / PAGE;
	uint64_t *u = hut_pages_alloc(page_up(ram_pages * sizeof *users) / PAGE);
	uint64_t *h = hut_pages_alloc(page_up(npages * sizeof *holders) / PAGE);
	if (!u || !h) {
		if (u)
			hut_pages_free(u, page_up(ram_pages * sizeof *users) / PAGE);
		return -ENOMEM;
	}
	users = (uint16_t *)u;
	holders = (uint8_t *)h;
	for (uint64_t f = 0; f < ram_pages; f++) /* the image, the stack: one user */
		users[f] = !in_arena(f * PAGE);
	for (uint64_t p = 0; p < npages; p++) {
		users[frame_index(base + p * PAGE)] = (uint16_t)is_used(p);
		holders[p] = (uint8_t)bit(boot_mm.mine, p);
	}
	return 0;
}

void hut_frame_ref(uint64_t frame)
{
	users[frame_index(frame)]++;
}

void hut_frame_unref(uint64_t frame)
{
	users[frame_index(frame)]--;
	if (in_arena(frame))
		refresh((frame - base) / PAGE);
}

uint32_t hut_frame_users(uint64_t frame)
{
	return users ? users[frame_index(frame)] : 1;
}

void hut_arena_hold(struct hut_mm *mm, uint64_t page)
{
	set_bit(mm->mine, page, 1);
	if (holders) {
		holders[page]++;
		refresh(page);
	}
}

void hut_arena_release(struct hut_mm *mm, uint64_t page)
{
	set_bit(mm->mine, page, 0);
	if (holders) {
		holders[page]--;
		refresh(page);
	} else {
		set_bit(used, page, 0);
	}
}

/* An exec'd image's pages at arena addresses (mem/image.c): held, so that
 * nothing else is given the address, but not the process's mapping of the
 * arena (not `mine`): its frames are the image's. Counting only. */
void hut_arena_reserve(uint64_t page)
{
	holders[page]++;
	refresh(page);
}

void hut_arena_unreserve(uint64_t page)
{
	holders[page]--;
	refresh(page);
}

/* Whether a process may map a page of its own at this arena address: no
 * one uses it, or only processes' apps do (each maps its own frame there);
 * never an address the libos's own memory is at, which every process
 * reaches at that address. Counting only. */
int hut_arena_app_address(uint64_t page)
{
	return !is_used(page) || holders[page];
}

int hut_arena_mine(const struct hut_mm *mm, uint64_t page)
{
	return mm->mine && bit(mm->mine, page);
}

uint64_t hut_arena_next_mine(const struct hut_mm *mm, uint64_t page)
{
	while (mm->mine && page < npages) {
		uint64_t word = mm->mine[page / 64] >> (page % 64);
		if (word)
			return page + (uint64_t)__builtin_ctzll(word) < npages
				       ? page + (uint64_t)__builtin_ctzll(word)
				       : npages;
		page = (page / 64 + 1) * 64;
	}
	return npages;
}

int hut_arena_shared(uint64_t page)
{
	return bit(shared_bits, page);
}

uint64_t hut_arena_base(void)
{
	return base;
}

uint64_t hut_arena_pages(void)
{
	return npages;
}

/* ---- the arena --------------------------------------------------------- */

/* Pages [addr, addr + len) become used: the libos's (one frame user), or the
 * running process's app's (also held, and marked mine). */
void hut_arena_take(uint64_t addr, uint64_t len, int app, int shared)
{
	uint64_t first = (addr - base) / PAGE, count = len / PAGE;
	for (uint64_t p = first; p < first + count; p++) {
		set_bit(used, p, 1);
		if (users)
			users[frame_index(base + p * PAGE)] = 1;
		set_bit(shared_bits, p, shared);
		if (app)
			hut_arena_hold(hut_mm_now, p);
	}
	zero_stale(addr, addr + len);
}

static uint64_t bitmap_bytes; /* each of the three bitmaps */

/* The bitmaps sit at the top of the arena, with the libos's other pages;
 * the bottom is the first process's brk, and the addresses an image larger
 * than the boot's, exec'd in a process, may need (sys/execcalls.c). */
static uint64_t bitmaps_at(void)
{
	return base + npages * PAGE - page_up(3 * bitmap_bytes);
}

void hut_memory_init(const struct hut_boot_info *bi)
{
	base = bi->heap_start;
	npages = (bi->heap_end - base) / PAGE;
	bitmap_bytes = (npages + 63) / 64 * 8;
	used = (uint64_t *)bitmaps_at();
	shared_bits = (uint64_t *)(bitmaps_at() + bitmap_bytes);
	boot_mm.mine = (uint64_t *)(bitmaps_at() + 2 * bitmap_bytes);
	fresh_low = base;
	fresh_high = bi->heap_end;
	boot_mm.brk_start = boot_mm.brk_cur = base;
}

/* The bitmaps are first touched when the app first allocates: a page touched
 * at boot costs a fault (~35 us on kvm-pvm), and many programs never do. */
void hut_arena_ready(void)
{
	static int ready;
	if (!ready) {
		ready = 1;
		hut_arena_take(bitmaps_at(), page_up(3 * bitmap_bytes), 0, 0);
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

/* Told when no run is free, before the search is tried once more: the
 * volume cache gives back its clean pages (fs/volume_cache.c). */
static struct hut_hooks pressure;

void hut_mem_on_pressure(hut_hook_fn hook)
{
	hut_hooks_add(&pressure, hook);
}

void *hut_arena_alloc(uint64_t count, int app, int shared)
{
	hut_arena_ready();
	int64_t first = count ? find_free_run(count) : -1;
	if (first < 0 && count && pressure.count) {
		hut_hooks_run(&pressure, NULL);
		first = find_free_run(count);
	}
	if (first < 0)
		return NULL;
	uint64_t addr = base + (uint64_t)first * PAGE;
	hut_arena_take(addr, count * PAGE, app, shared);
	return (void *)addr;
}

/* Zeroed pages from the top of the arena, or NULL when no run is free. */
void *hut_pages_alloc(uint64_t count)
{
	return hut_arena_alloc(count, 0, 0);
}

void hut_pages_free(void *p, uint64_t count)
{
	uint64_t first = ((uint64_t)p - base) / PAGE;
	for (uint64_t i = first; i < first + count; i++) {
		if (users) {
			users[frame_index(base + i * PAGE)] = 0;
			refresh(i);
		} else {
			set_bit(used, i, 0);
		}
	}
}

uint64_t hut_frame_new(void)
{
	return (uint64_t)hut_arena_alloc(1, 0, 0);
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
	hut_arena_ready();
	for (uint64_t w = 0; w < (npages + 63) / 64; w++)
		n += hut_bits_in(~used[w]);
	return n - ((npages + 63) / 64 * 64 - npages); /* bits past the last page */
}

int hut_frames_counting(void)
{
	return users != 0;
}

int hut_mem_in_use(uint64_t addr, uint64_t len)
{
	uint64_t end = base + npages * PAGE;
	hut_arena_ready();
	for (uint64_t a = addr & ~(PAGE - 1); a < addr + len; a += PAGE) {
		if (a >= base && a < end ? !is_used((a - base) / PAGE)
					 : !hut_user_readable((const void *)a, 1))
			return 0;
	}
	return 1;
}
