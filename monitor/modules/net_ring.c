/*
 * The ring parser: moves frames between the guest's descriptor rings and a
 * send/receive pair of callbacks (the tap, or the fuzzer's fakes). The guest
 * writes the rings while we read them, from another CPU: every index and
 * descriptor is read exactly once into a local, checked, and only the local
 * is used. Our own positions (tx_cons, rx_cons) live in monitor memory and
 * are only ever written out, so nothing the guest writes can move them.
 */
#include "net.h"

#include <errno.h>
#include <stdio.h>

static uint32_t load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static int bad(struct hut_net_ring *r, const char *what, unsigned long a, unsigned long b)
{
	snprintf(r->why, sizeof r->why, what, a, b);
	return HUT_NET_BAD;
}

int hut_net_ring_init(struct hut_net_ring *r, const struct hut_mem *mem, uint64_t region_gpa)
{
	uint8_t *base = hut_gpa(mem, region_gpa, HUT_NET_REGION_SIZE);
	if (!base || region_gpa % HUT_PAGE_SIZE)
		return bad(r, "net region at 0x%lx+%lu is not in guest memory", region_gpa,
			   HUT_NET_REGION_SIZE);
	*r = (struct hut_net_ring){
		.mem = mem,
		.region_gpa = region_gpa,
		.shared = (struct hut_net_shared *)base,
		.tx_desc = (struct hut_net_desc *)(base + HUT_NET_TX_DESC_OFFSET),
		.rx_desc = (struct hut_net_desc *)(base + HUT_NET_RX_DESC_OFFSET),
		.pool_gpa = region_gpa + HUT_NET_POOL_OFFSET,
		.pool_size = HUT_NET_POOL_BUFS * HUT_NET_BUF_SIZE,
	};
	return 0;
}

/* One descriptor, read once. */
static struct hut_net_desc read_desc(const struct hut_net_desc *d)
{
	return (struct hut_net_desc){
		.addr = __atomic_load_n(&d->addr, __ATOMIC_RELAXED),
		.len = __atomic_load_n(&d->len, __ATOMIC_RELAXED),
	};
}

/* The host pointer for a buffer [addr, addr + len) that lies inside the
 * pool, or NULL. Overflow-safe: the subtraction comes first. */
static uint8_t *pool_buffer(const struct hut_net_ring *r, uint64_t addr, uint64_t len)
{
	if (addr < r->pool_gpa || addr - r->pool_gpa > r->pool_size ||
	    len > r->pool_size - (addr - r->pool_gpa))
		return NULL;
	return hut_gpa(r->mem, addr, len);
}

/* How many descriptors the guest has posted past ours: at most a ring's worth. */
static int posted(struct hut_net_ring *r, const uint32_t *prod_p, uint32_t cons, const char *ring,
		  uint32_t *count)
{
	uint32_t prod = load_acquire(prod_p);
	*count = prod - cons;
	if (*count > HUT_NET_RING_SIZE) {
		char what[96];
		snprintf(what, sizeof what, "%s producer index %%lu is %%lu past the consumer's",
			 ring);
		return bad(r, what, prod, *count);
	}
	return 0;
}

int hut_net_tx_pending(struct hut_net_ring *r)
{
	uint32_t n;
	if (posted(r, &r->shared->tx.prod, r->tx_cons, "TX", &n) < 0)
		return HUT_NET_BAD;
	return n > 0;
}

int hut_net_tx_drain(struct hut_net_ring *r, hut_net_send_fn send, void *ctx, bool *blocked)
{
	uint32_t n;
	int moved = 0;
	*blocked = false;
	if (posted(r, &r->shared->tx.prod, r->tx_cons, "TX", &n) < 0)
		return HUT_NET_BAD;
	for (; n > 0; n--) {
		struct hut_net_desc d = read_desc(&r->tx_desc[r->tx_cons % HUT_NET_RING_SIZE]);
		if (d.len < HUT_NET_FRAME_MIN || d.len > HUT_NET_FRAME_MAX)
			return bad(r,
				   "TX frame of %lu bytes (descriptor %lu): frames are 14 to 1514",
				   d.len, r->tx_cons);
		const uint8_t *frame = pool_buffer(r, d.addr, d.len);
		if (!frame)
			return bad(r, "TX buffer at 0x%lx+%lu is outside the net pool", d.addr,
				   d.len);
		int e = send(ctx, frame, d.len);
		if (e == -EAGAIN) {
			*blocked = true;
			break;
		}
		if (e < 0)
			r->stats.tx_errors++;
		else
			r->stats.tx_frames++;
		r->tx_cons++;
		moved++;
	}
	if (moved)
		store_release(&r->shared->tx.cons, r->tx_cons);
	return moved;
}

/* One frame into the next posted buffer, or dropped if none is posted or it
 * is too big. Returns 1 (a frame moved), 0 (none waiting), or HUT_NET_BAD. */
static int rx_one(struct hut_net_ring *r, hut_net_recv_fn recv, void *ctx, uint32_t *avail)
{
	uint8_t *buf = NULL;
	struct hut_net_desc *slot = &r->rx_desc[r->rx_cons % HUT_NET_RING_SIZE];
	if (*avail > 0) {
		struct hut_net_desc d = read_desc(slot);
		if (d.len < HUT_NET_FRAME_MAX)
			return bad(r,
				   "RX buffer of %lu bytes (descriptor %lu): at least 1514 needed",
				   d.len, r->rx_cons);
		buf = pool_buffer(r, d.addr, HUT_NET_FRAME_MAX);
		if (!buf)
			return bad(r, "RX buffer at 0x%lx+%lu is outside the net pool", d.addr,
				   HUT_NET_FRAME_MAX);
	}
	ssize_t len = recv(ctx, buf, buf ? HUT_NET_FRAME_MAX : 0);
	if (len < 0)
		return 0;
	if (!buf || len > HUT_NET_FRAME_MAX) {
		r->stats.rx_dropped++;
		return 1;
	}
	__atomic_store_n(&slot->len, (uint32_t)len, __ATOMIC_RELAXED);
	r->rx_cons++;
	(*avail)--;
	r->stats.rx_frames++;
	return 1;
}

int hut_net_rx_open(struct hut_net_ring *r)
{
	uint32_t n;
	if (r->rx_open)
		return 1;
	if (posted(r, &r->shared->rx.prod, r->rx_cons, "RX", &n) < 0)
		return HUT_NET_BAD;
	r->rx_open = n > 0;
	return r->rx_open;
}

/* At most two rings' worth per call, so TX gets its turn under a flood.
 * Nothing is read before the guest first posts buffers: until then frames
 * wait in the tap (a client's first SYN, sent while the guest boots, is
 * answered as soon as the stack is up instead of being lost). */
int hut_net_rx_fill(struct hut_net_ring *r, hut_net_recv_fn recv, void *ctx)
{
	uint32_t avail;
	uint32_t before = r->rx_cons;
	int moved = 0;
	int open = hut_net_rx_open(r);
	if (open <= 0)
		return open;
	if (posted(r, &r->shared->rx.prod, r->rx_cons, "RX", &avail) < 0)
		return HUT_NET_BAD;
	while (moved < 2 * HUT_NET_RING_SIZE) {
		int e = rx_one(r, recv, ctx, &avail);
		if (e < 0)
			return e;
		if (e == 0)
			break;
		moved++;
	}
	if (r->rx_cons != before)
		store_release(&r->shared->rx.cons, r->rx_cons);
	return moved;
}
