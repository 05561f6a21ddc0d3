/*
 * A tmpfs file's bytes: an array of page pointers, a page taken from the
 * arena when first written; a page never written is a hole and reads as
 * zeros. The whole tmpfs may hold at most pages_limit pages (half the
 * guest's RAM, as Linux sizes a tmpfs); past it, or when the arena is
 * full, writes fail with ENOSPC.
 */
#include "tmpfs.h"

#include <errno.h>

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

long hut_tdata_truncate(struct tmpfs *fs, struct tnode *n, uint64_t size)
{
	if (size > FILE_MAX)
		return -EFBIG;
	if (size < n->size) {
		uint64_t keep = (size + PAGE - 1) / PAGE;
		for (uint64_t i = keep; i < n->data.cap; i++) {
			if (n->data.pages[i]) {
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
