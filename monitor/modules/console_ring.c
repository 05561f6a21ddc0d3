/*
 * The console ring parser: turns the records the guest put in its ring into
 * batches of iovecs for one host writev each. The guest writes the ring
 * while we read it, from the vCPU: prod and every record header are read
 * exactly once into a local, checked, and only the local is used. Our own
 * position (cons) lives in monitor memory and is only ever written out, so
 * nothing the guest writes can move it. The data bytes themselves are the
 * guest's output: if it changes them before they are written, it changes
 * only what it said.
 */
#include "console.h"

#include <stdio.h>
#include <string.h>

#define RING HUT_CONSOLE_RING_SIZE
#define HEADER sizeof(struct hut_console_record)

static int bad(struct hut_console_ring *r, const char *what, unsigned long a, unsigned long b)
{
	snprintf(r->why, sizeof r->why, what, a, b);
	return HUT_CONSOLE_BAD;
}

int hut_console_ring_init(struct hut_console_ring *r, const struct hut_mem *mem, uint64_t gpa)
{
	uint8_t *base = hut_gpa(mem, gpa, HUT_CONSOLE_REGION_SIZE);
	if (!base || gpa % HUT_PAGE_SIZE)
		return bad(r, "console region at 0x%lx+%lu is not in guest memory", gpa,
			   HUT_CONSOLE_REGION_SIZE);
	*r = (struct hut_console_ring){
		.shared = (struct hut_console_shared *)base,
		.data = base + HUT_CONSOLE_DATA_OFFSET,
	};
	return 0;
}

static uint32_t our_cons(const struct hut_console_ring *r)
{
	return __atomic_load_n(&r->cons, __ATOMIC_RELAXED);
}

bool hut_console_ring_pending(struct hut_console_ring *r)
{
	return __atomic_load_n(&r->shared->prod, __ATOMIC_ACQUIRE) != our_cons(r);
}

/* One header, read once (8-byte aligned: every record starts so). */
static struct hut_console_record read_header(const struct hut_console_ring *r, uint32_t pos)
{
	const struct hut_console_record *h =
		(const struct hut_console_record *)(r->data + pos % RING);
	return (struct hut_console_record){
		.len = __atomic_load_n(&h->len, __ATOMIC_RELAXED),
		.fd = __atomic_load_n(&h->fd, __ATOMIC_RELAXED),
	};
}

/* The data at byte count pos, len bytes, as one or two iovecs (it may wrap
 * from the ring's end to its start). */
static void add_data(const struct hut_console_ring *r, struct hut_console_batch *b, uint32_t pos,
		     uint32_t len)
{
	uint32_t at = pos % RING;
	uint32_t first = len < RING - at ? len : (uint32_t)(RING - at);
	if (first)
		b->iov[b->niov++] = (struct iovec){r->data + at, first};
	if (len > first)
		b->iov[b->niov++] = (struct iovec){r->data, len - first};
}

/* Records from cons up to the guest's prod while they go to the same fd and
 * the iovecs last. A record's length is checked against prod: it can never
 * make the monitor read past what the guest published. */
int hut_console_ring_next(struct hut_console_ring *r, struct hut_console_batch *b)
{
	uint32_t cons = our_cons(r);
	uint32_t prod = __atomic_load_n(&r->shared->prod, __ATOMIC_ACQUIRE);
	if (prod - cons > RING)
		return bad(r, "console producer count %lu is %lu past the consumer's", prod,
			   prod - cons);
	if (prod % HUT_CONSOLE_ALIGN)
		return bad(r, "console producer count %lu is not a multiple of %lu", prod,
			   HUT_CONSOLE_ALIGN);
	*b = (struct hut_console_batch){.fd = 0};
	uint32_t pos = cons;
	while (pos != prod && b->niov + 2 <= HUT_CONSOLE_BATCH_IOV) {
		struct hut_console_record h = read_header(r, pos);
		uint64_t padded =
			((uint64_t)h.len + HUT_CONSOLE_ALIGN - 1) & ~(HUT_CONSOLE_ALIGN - 1);
		if (h.fd != 1 && h.fd != 2)
			return bad(r, "console record at %lu names fd %lu (1 or 2 only)", pos,
				   h.fd);
		if (HEADER + padded > (uint64_t)(prod - pos))
			return bad(r, "console record at %lu of %lu bytes runs past the producer's",
				   pos, h.len);
		if (b->fd && (int)h.fd != b->fd)
			break;
		b->fd = (int)h.fd;
		add_data(r, b, pos + (uint32_t)HEADER, h.len);
		pos += (uint32_t)(HEADER + padded);
		b->records++;
		b->bytes += h.len;
	}
	b->end = pos;
	return pos != cons;
}

void hut_console_ring_done(struct hut_console_ring *r, const struct hut_console_batch *b)
{
	__atomic_store_n(&r->cons, b->end, __ATOMIC_RELEASE);
	__atomic_store_n(&r->shared->cons, b->end, __ATOMIC_RELEASE);
}
