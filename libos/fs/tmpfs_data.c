/*
 * A tmpfs file's bytes: an array of page pointers, a page taken from the
 * arena when first written; a page never written is a hole and reads as
 * zeros. The whole tmpfs may hold at most pages_limit pages (half the
 * guest's RAM, as Linux sizes a tmpfs); past it, or when the arena is
 * full, writes fail with ENOSPC.
 *
 * A shared mapping of the file IS its pages: the app's addresses are
 * frames (the identity map), so the pages a mapping covers are first made
 * one run, in order, moved once if they were scattered (a copy of what
 * they hold), then pinned: while a mapping holds them they never move and
 * are never freed, not even by a truncate, which only zeroes them. read,
 * write and every other mapping of the same bytes use the same frames, so
 * they see each other with no copy and no write-back.
 */
#include "tmpfs.h"

#include <errno.h>
#include <sys/mman.h>

struct tpin {
	uint64_t first, count; /* pages [first, first + count) */
	uint32_t refs;	       /* mappings of exactly that run */
	struct tpin *next;
};

#define PAGE HUT_PAGE_SIZE
#define FILE_MAX ((uint64_t)INT64_MAX)

static uint8_t *page_at(const struct tnode *n, uint64_t i)
{
	return i < n->data.cap ? n->data.pages[i] : NULL;
}

/* Room for at least want page pointers. */
static long reserve_slots(struct tnode *n, uint64_t want)
{
	uint64_t cap = n->data.cap ? n->data.cap : 8;
	if (want <= n->data.cap)
		return 0;
	while (cap < want)
		cap *= 2;
	uint8_t **pages = cap <= SIZE_MAX / sizeof *pages ? hut_kalloc(cap * sizeof *pages) : NULL;
	if (!pages)
		return -ENOSPC;
	hut_memcpy(pages, n->data.pages, n->data.cap * sizeof *pages);
	hut_kfree(n->data.pages, n->data.cap * sizeof *pages);
	n->data.pages = pages;
	n->data.cap = cap;
	return 0;
}

static uint8_t *page_for_write(struct tmpfs *fs, struct tnode *n, uint64_t i)
{
	uint8_t *p = n->data.pages[i];
	if (p)
		return p;
	if (fs->pages_used >= fs->pages_limit || !(p = hut_pages_alloc(1)))
		return NULL;
	fs->pages_used++;
	n->data.pages[i] = p;
	return p;
}

long hut_tdata_read(struct tnode *n, const struct hut_iovec *iov, int iovcnt, uint64_t off)
{
	uint64_t want = hut_iov_total(iov, iovcnt), done = 0;
	if (off >= n->size)
		return 0;
	if (want > n->size - off)
		want = n->size - off;
	while (done < want) {
		uint64_t at = off + done, in = at % PAGE;
		uint64_t chunk = PAGE - in < want - done ? PAGE - in : want - done;
		const uint8_t *p = page_at(n, at / PAGE);
		hut_iov_copy_out(iov, iovcnt, done, p ? p + in : NULL, chunk);
		done += chunk;
	}
	return (long)done;
}

long hut_tdata_write(struct tmpfs *fs, struct tnode *n, const struct hut_iovec *iov, int iovcnt,
		     uint64_t off)
{
	uint64_t want = hut_iov_total(iov, iovcnt), done = 0;
	if (want == 0)
		return 0;
	if (off > FILE_MAX || want > FILE_MAX - off)
		return -EFBIG;
	if (reserve_slots(n, (off + want + PAGE - 1) / PAGE) != 0)
		return -ENOSPC;
	while (done < want) {
		uint64_t at = off + done, in = at % PAGE;
		uint64_t chunk = PAGE - in < want - done ? PAGE - in : want - done;
		uint8_t *p = page_for_write(fs, n, at / PAGE);
		if (!p)
			break;
		hut_iov_copy_in(iov, iovcnt, done, p + in, chunk);
		done += chunk;
	}
	if (done == 0)
		return -ENOSPC;
	if (off + done > n->size)
		n->size = off + done;
	return (long)done;
}

static int pinned(const struct tnode *n, uint64_t first, uint64_t count)
{
	for (const struct tpin *p = n->data.pins; p; p = p->next)
		if (p->first < first + count && first < p->first + p->count)
			return 1;
	return 0;
}

long hut_tdata_truncate(struct tmpfs *fs, struct tnode *n, uint64_t size)
{
	if (size > FILE_MAX)
		return -EFBIG;
	if (size < n->size) {
		uint64_t keep = (size + PAGE - 1) / PAGE;
		for (uint64_t i = keep; i < n->data.cap; i++) {
			if (n->data.pages[i] && pinned(n, i, 1)) {
				/* mapped past the end: Linux's SIGBUS cannot be had
				 * here; zeros are what a regrown file reads */
				hut_memset(n->data.pages[i], 0, PAGE);
			} else if (n->data.pages[i]) {
				hut_pages_free(n->data.pages[i], 1);
				n->data.pages[i] = NULL;
				fs->pages_used--;
			}
		}
		uint8_t *last = size % PAGE ? page_at(n, size / PAGE) : NULL;
		if (last) /* a later extension must read zeros there */
			hut_memset(last + size % PAGE, 0, PAGE - size % PAGE);
	}
	n->size = size;
	return 0;
}

long hut_tdata_reserve(struct tmpfs *fs, struct tnode *n, uint64_t off, uint64_t len)
{
	if (off > FILE_MAX || len > FILE_MAX - off)
		return -EFBIG;
	uint64_t end = off + len;
	if (reserve_slots(n, (end + PAGE - 1) / PAGE) != 0)
		return -ENOSPC;
	for (uint64_t i = off / PAGE; i < (end + PAGE - 1) / PAGE; i++)
		if (!page_for_write(fs, n, i))
			return -ENOSPC;
	if (end > n->size)
		n->size = end;
	return 0;
}

/* Whether pages [first, first + count) are all there, in order from start. */
static int run_at(const struct tnode *n, uint64_t first, uint64_t count, const uint8_t *start)
{
	for (uint64_t k = 0; k < count; k++)
		if (n->data.pages[first + k] != start + k * PAGE)
			return 0;
	return 1;
}

/* Makes pages [first, first + count) one run (at at, if not 0): the pages
 * there are copied in and freed, the holes become zero pages of the file. */
static long make_run(struct tmpfs *fs, struct tnode *n, uint64_t first, uint64_t count, uint64_t at)
{
	uint64_t holes = 0;
	for (uint64_t k = 0; k < count; k++) {
		const uint8_t *p = n->data.pages[first + k];
		holes += !p;
		if (at && p && (uint64_t)p >= at && (uint64_t)p < at + count * PAGE)
			return -ENOMEM; /* it would be overwritten before it is copied */
	}
	if (fs->pages_used + holes > fs->pages_limit)
		return -ENOMEM;
	uint8_t *run;
	if (at) {
		long r = hut_anon_map(at, count * PAGE, MAP_FIXED);
		if (r < 0)
			return r;
		run = (uint8_t *)at;
	} else if (!(run = hut_pages_alloc(count))) {
		return -ENOMEM;
	}
	for (uint64_t k = 0; k < count; k++) {
		uint8_t *p = n->data.pages[first + k];
		if (p) {
			hut_memcpy(run + k * PAGE, p, PAGE);
			hut_pages_free(p, 1);
		}
		n->data.pages[first + k] = run + k * PAGE;
	}
	fs->pages_used += holes;
	return 0;
}

static long pin(struct tnode *n, uint64_t first, uint64_t count)
{
	for (struct tpin *p = n->data.pins; p; p = p->next)
		if (p->first == first && p->count == count) {
			p->refs++;
			return 0;
		}
	struct tpin *p = hut_kalloc(sizeof *p);
	if (!p)
		return -ENOMEM;
	*p = (struct tpin){first, count, 1, n->data.pins};
	n->data.pins = p;
	return 0;
}

long hut_tdata_map(struct tmpfs *fs, struct tnode *n, uint64_t off, uint64_t len, uint64_t at)
{
	uint64_t first = off / PAGE, count = len / PAGE;
	if (off > FILE_MAX || len > FILE_MAX - off)
		return -EOVERFLOW;
	if (reserve_slots(n, first + count) != 0)
		return -ENOMEM;
	const uint8_t *start = at ? (const uint8_t *)at : n->data.pages[first];
	if (!start || !run_at(n, first, count, start)) {
		if (pinned(n, first, count))
			return -ENOMEM; /* mapped elsewhere already: those pages cannot move */
		long r = make_run(fs, n, first, count, at);
		if (r < 0)
			return r;
	}
	long r = pin(n, first, count);
	return r < 0 ? r : (long)n->data.pages[first];
}

/* Pages a mapping took past the file's end that nothing holds any more:
 * freed, as a file never written there has none. */
static void drop_past_end(struct tmpfs *fs, struct tnode *n, uint64_t first, uint64_t count)
{
	uint64_t end_page = (n->size + PAGE - 1) / PAGE;
	for (uint64_t i = first > end_page ? first : end_page; i < first + count; i++) {
		if (n->data.pages[i] && !pinned(n, i, 1)) {
			hut_pages_free(n->data.pages[i], 1);
			n->data.pages[i] = NULL;
			fs->pages_used--;
		}
	}
}

void hut_tdata_unmap(struct tmpfs *fs, struct tnode *n, uint64_t off, uint64_t len)
{
	uint64_t first = off / PAGE, count = len / PAGE;
	for (struct tpin **pp = &n->data.pins; *pp; pp = &(*pp)->next) {
		struct tpin *p = *pp;
		if (p->first == first && p->count == count) {
			if (--p->refs == 0) {
				*pp = p->next;
				hut_kfree(p, sizeof *p);
				drop_past_end(fs, n, first, count);
			}
			return;
		}
	}
}
