/*
 * The libos's own allocator, for open files, tmpfs nodes, names and
 * directory tables. Small sizes come from per-size free lists carved out of
 * whole pages; anything over half a page is a run of pages from the arena
 * (mem/memory.c). The caller gives the size back when it frees, as the libos
 * always knows it: no headers, no searching.
 */
#include "mem.h"

#define PAGE HUT_PAGE_SIZE
#define MIN_SHIFT 4  /* 16 bytes */
#define MAX_SHIFT 11 /* 2048 bytes: larger requests get whole pages */
#define CLASSES (MAX_SHIFT - MIN_SHIFT + 1)

struct free_chunk {
	struct free_chunk *next;
};

static struct free_chunk *free_lists[CLASSES];

static int size_class(size_t n)
{
	int c = 0;
	while (((size_t)1 << (c + MIN_SHIFT)) < n)
		c++;
	return c;
}

/* Cuts a fresh page into chunks of class c. */
static int refill(int c)
{
	size_t chunk = (size_t)1 << (c + MIN_SHIFT);
	uint8_t *page = hut_pages_alloc(1);
	if (!page)
		return -1;
	for (size_t off = 0; off + chunk <= PAGE; off += chunk) {
		struct free_chunk *f = (struct free_chunk *)(page + off);
		f->next = free_lists[c];
		free_lists[c] = f;
	}
	return 0;
}

void *hut_kalloc(size_t n)
{
	if (n == 0)
		n = 1;
	if (n > ((size_t)1 << MAX_SHIFT))
		return n > UINT64_MAX - PAGE ? NULL : hut_pages_alloc((n + PAGE - 1) / PAGE);
	int c = size_class(n);
	if (!free_lists[c] && refill(c) != 0)
		return NULL;
	struct free_chunk *f = free_lists[c];
	free_lists[c] = f->next;
	hut_memset(f, 0, (size_t)1 << (c + MIN_SHIFT));
	return f;
}

void hut_kfree(void *p, size_t n)
{
	if (!p)
		return;
	if (n == 0)
		n = 1;
	if (n > ((size_t)1 << MAX_SHIFT)) {
		hut_pages_free(p, (n + PAGE - 1) / PAGE);
		return;
	}
	int c = size_class(n);
	struct free_chunk *f = p;
	f->next = free_lists[c];
	free_lists[c] = f;
}

char *hut_kstrndup(const char *s, size_t n)
{
	char *d = hut_kalloc(n + 1);
	if (d)
		hut_memcpy(d, s, n); /* kalloc zeroed the terminator */
	return d;
}
