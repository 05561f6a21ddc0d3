/*
 * lwIP's heap (lwipopts.h: MEM_LIBC_MALLOC), served by the libos's own
 * allocator. lwIP used to carve its heap out of a static 4 MiB array in
 * .bss, and the monitor backs an image's .bss with host memory at boot
 * (monitor/load.c, prefault): every appliance that linked sockets paid
 * 4 MiB of host memory before its first packet. From the arena, a page costs
 * the host only once lwIP touches it, so an idle server holds what its
 * pcbs and pbufs use. MEM_SIZE stays the bound lwIP's heap had: past it
 * lwIP gets NULL, as it did when its array was full.
 */
#include "net.h"

#include "mem/mem.h"

#include <lwip/opt.h>

#include <stddef.h>

/* Each block starts with its size: hut_kfree needs it back, lwIP's free
 * does not pass it. 16 bytes keep the block 16-aligned, as lwIP's pbufs
 * and the libos's size classes are. */
struct heap_head {
	size_t size;
	size_t pad;
};

static size_t heap_in_use;

void *hut_net_malloc(size_t n)
{
	if (n > MEM_SIZE - sizeof(struct heap_head) ||
	    heap_in_use + n + sizeof(struct heap_head) > MEM_SIZE)
		return NULL;
	size_t total = n + sizeof(struct heap_head);
	struct heap_head *h = hut_kalloc(total);
	if (!h)
		return NULL;
	h->size = total;
	heap_in_use += total;
	return h + 1;
}

void *hut_net_calloc(size_t count, size_t size)
{
	if (size && count > MEM_SIZE / size)
		return NULL;
	return hut_net_malloc(count * size); /* hut_kalloc's memory is zeroed */
}

void hut_net_free(void *p)
{
	if (!p)
		return;
	struct heap_head *h = (struct heap_head *)p - 1;
	heap_in_use -= h->size;
	hut_kfree(h, h->size);
}
