/*
 * netring: a guest that drives the network rings by hand (no TCP/IP stack),
 * for tests/integration/netring.sh. `netring.hut CASE [ARG]`:
 *
 *   reflect N     sends every frame it receives back with the Ethernet
 *                 addresses swapped, until it has reflected N; then prints
 *                 "reflected N" and exits 0. Checks RX, TX, the kick and the
 *                 wake-up of a guest sleeping in the poll hypercall.
 *   late-reflect N MS  as reflect, but posts its RX buffers only after MS
 *                 milliseconds: frames the host sent before must wait in
 *                 the tap and come back, none lost
 *   never-drain N posts its RX buffers once, never takes a frame out, and
 *                 naps until the monitor has dropped N frames (the test
 *                 floods it: the monitor must drop, never block or grow)
 *   tx-burst N    sends N broadcast frames as fast as the TX ring allows
 *                 (waiting for room with tx_wanted), then exits 0
 *   the hostile cases below each break the protocol once; the monitor must
 *   end the guest with status 159 and one line naming the fault.
 */
#include <hut/abi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "raw_hypercall.h"

extern const struct hut_boot_info *hut_boot_info;

static struct hut_net_shared *sh;
static struct hut_net_desc *txd, *rxd;
static uint64_t pool;
static uint32_t tx_prod, rx_prod, rx_seen, events_seen;

static uint64_t buffer(unsigned i)
{
	return pool + (uint64_t)i * HUT_NET_BUF_SIZE;
}

static void kick_if_idle(void);

/* Posting RX buffers the first time is news for the I/O thread: it reads
 * the tap only from then on (abi.h), so the guest kicks as after TX. */
static void setup(int post_rx)
{
	const struct hut_boot_net *n = &hut_boot_info->net;
	if (!n->region) {
		fprintf(stderr, "netring: no network device (run with --net)\n");
		exit(2);
	}
	sh = (struct hut_net_shared *)n->region;
	txd = (struct hut_net_desc *)(n->region + HUT_NET_TX_DESC_OFFSET);
	rxd = (struct hut_net_desc *)(n->region + HUT_NET_RX_DESC_OFFSET);
	pool = n->region + HUT_NET_POOL_OFFSET;
	for (unsigned i = 0; post_rx && i < HUT_NET_RING_SIZE; i++)
		rxd[i] = (struct hut_net_desc){buffer(i), HUT_NET_BUF_SIZE, 0};
	__atomic_store_n(&sh->rx.prod, rx_prod = post_rx ? HUT_NET_RING_SIZE : 0,
			 __ATOMIC_RELEASE);
	if (post_rx)
		kick_if_idle();
}

static void wait_news(uint64_t ns)
{
	struct hut_hc_poll p = {.timeout_ns = ns, .net_events = events_seen};
	raw_hypercall(HUT_HC_POLL, (uint64_t)&p);
}

static void kick_if_idle(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&sh->io_idle, __ATOMIC_RELAXED))
		raw_hypercall(HUT_HC_NET_KICK, 0);
}

/* Posts one frame, waiting (tx_wanted) while the ring is full. */
static void send_frame(const void *frame, uint32_t len)
{
	while (tx_prod - __atomic_load_n(&sh->tx.cons, __ATOMIC_ACQUIRE) == HUT_NET_RING_SIZE) {
		events_seen = __atomic_load_n(&sh->events, __ATOMIC_ACQUIRE);
		__atomic_store_n(&sh->tx_wanted, 1, __ATOMIC_SEQ_CST);
		if (tx_prod - __atomic_load_n(&sh->tx.cons, __ATOMIC_SEQ_CST) == HUT_NET_RING_SIZE)
			wait_news(1000000000);
		__atomic_store_n(&sh->tx_wanted, 0, __ATOMIC_RELAXED);
	}
	unsigned slot = tx_prod % HUT_NET_RING_SIZE;
	uint64_t buf = buffer(HUT_NET_RING_SIZE + slot);
	memcpy((void *)buf, frame, len);
	txd[slot] = (struct hut_net_desc){buf, len, 0};
	__atomic_store_n(&sh->tx.prod, ++tx_prod, __ATOMIC_RELEASE);
}

static int reflect(long want, long delay_ms)
{
	struct timespec delay = {delay_ms / 1000, delay_ms % 1000 * 1000000};
	nanosleep(&delay, NULL);
	setup(1);
	long done = 0;
	while (done < want) {
		events_seen = __atomic_load_n(&sh->events, __ATOMIC_ACQUIRE);
		uint32_t cons = __atomic_load_n(&sh->rx.cons, __ATOMIC_ACQUIRE);
		if (cons == rx_seen) {
			wait_news(5000000000ull);
			continue;
		}
		for (; rx_seen != cons; rx_seen++) {
			struct hut_net_desc *d = &rxd[rx_seen % HUT_NET_RING_SIZE];
			uint8_t frame[HUT_NET_FRAME_MAX], mac[6];
			uint32_t len = d->len;
			memcpy(frame, (void *)d->addr, len);
			/* Only the test's frames (ethertype 0x88b5): the host's
			 * own chatter (IPv6 neighbour discovery...) is ignored. */
			if (frame[12] == 0x88 && frame[13] == 0xb5) {
				memcpy(mac, frame, 6);
				memcpy(frame, frame + 6, 6);
				memcpy(frame + 6, mac, 6);
				send_frame(frame, len);
				done++;
			}
			*d = (struct hut_net_desc){d->addr, HUT_NET_BUF_SIZE, 0};
			__atomic_store_n(&sh->rx.prod, ++rx_prod, __ATOMIC_RELEASE);
		}
		kick_if_idle();
	}
	/* Frames still in the ring die with the guest: wait until they are out. */
	while (__atomic_load_n(&sh->tx.cons, __ATOMIC_ACQUIRE) != tx_prod)
		wait_news(1000000);
	printf("reflected %ld\n", done);
	return 0;
}

/* Posts one ring of buffers, never takes a frame out, and naps until the
 * monitor's counters (mirrored in the shared page) say it dropped at least
 * want frames, or 10 minutes pass. */
static int never_drain(long want)
{
	setup(1);
	uint64_t dropped = 0;
	for (int i = 0; i < 6000 && dropped < (uint64_t)want; i++) {
		struct timespec ts = {0, 100000000};
		nanosleep(&ts, NULL);
		dropped = __atomic_load_n(&sh->stats.rx_dropped, __ATOMIC_RELAXED);
	}
	printf("dropped %lu, at least %ld\n", (unsigned long)dropped, want);
	return dropped >= (uint64_t)want ? 0 : 1;
}

static int tx_burst(long n)
{
	uint8_t frame[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 9, 0x88, 0xb5};
	setup(0);
	for (long i = 0; i < n; i++) {
		memcpy(frame + 14, &i, sizeof i);
		send_frame(frame, sizeof frame);
		if (i % 64 == 63)
			kick_if_idle();
	}
	kick_if_idle();
	while (__atomic_load_n(&sh->tx.cons, __ATOMIC_ACQUIRE) != tx_prod)
		wait_news(1000000);
	printf("sent %ld\n", n);
	return 0;
}

/* ---- hostile: each breaks the protocol once, then kicks ------------------ */

static void post_tx(uint64_t addr, uint32_t len, uint32_t prod)
{
	txd[0] = (struct hut_net_desc){addr, len, 0};
	__atomic_store_n(&sh->tx.prod, prod, __ATOMIC_SEQ_CST);
	raw_hypercall(HUT_HC_NET_KICK, 0);
}

static void post_rx(uint64_t addr, uint32_t len, uint32_t prod)
{
	rxd[0] = (struct hut_net_desc){addr, len, 0};
	__atomic_store_n(&sh->rx.prod, prod, __ATOMIC_SEQ_CST);
	raw_hypercall(HUT_HC_NET_KICK, 0);
}

static void tx_index_ahead(void) { post_tx(buffer(0), 60, HUT_NET_RING_SIZE + 1); }
static void tx_index_back(void) { post_tx(buffer(0), 60, UINT32_MAX); }
static void tx_len_big(void) { post_tx(buffer(0), 9000, 1); }
static void tx_len_mtu1(void) { post_tx(buffer(0), HUT_NET_FRAME_MAX + 1, 1); }
static void tx_len_small(void) { post_tx(buffer(0), 13, 1); }
static void tx_addr_code(void) { post_tx((uint64_t)(uintptr_t)&setup, 60, 1); }
static void tx_addr_ram_end(void) { post_tx(hut_boot_info->mem_size - 30, 60, 1); }
static void tx_addr_wraps(void) { post_tx(UINT64_MAX - 20, 60, 1); }
static void tx_addr_pool_end(void) { post_tx(buffer(HUT_NET_POOL_BUFS) - 59, 60, 1); }
static void tx_addr_pagetables(void) { post_tx(HUT_PAGETABLE_GPA, 60, 1); }
static void rx_index_ahead(void) { post_rx(buffer(0), HUT_NET_BUF_SIZE, 1000); }
static void rx_buf_small(void) { post_rx(buffer(0), 100, 1); }
static void rx_addr_code(void) { post_rx((uint64_t)(uintptr_t)&setup, HUT_NET_BUF_SIZE, 1); }
static void rx_addr_pool_end(void) { post_rx(buffer(HUT_NET_POOL_BUFS) - 1000, 2048, 1); }
static void kick_store4(void)
{
	*(volatile uint32_t *)(HUT_HYPERCALL_GPA + 8 * HUT_HC_NET_KICK) = 1;
}

static const struct {
	const char *name;
	void (*fn)(void);
	int rx; /* the case needs a frame to arrive (the test sends some) */
} hostile[] = {
	{"tx-index-ahead", tx_index_ahead, 0},	 {"tx-index-back", tx_index_back, 0},
	{"tx-len-big", tx_len_big, 0},		 {"tx-len-mtu+1", tx_len_mtu1, 0},
	{"tx-len-small", tx_len_small, 0},	 {"tx-addr-code", tx_addr_code, 0},
	{"tx-addr-ram-end", tx_addr_ram_end, 0}, {"tx-addr-wraps", tx_addr_wraps, 0},
	{"tx-addr-pool-end", tx_addr_pool_end, 0}, {"tx-addr-pagetables", tx_addr_pagetables, 0},
	{"rx-index-ahead", rx_index_ahead, 1},	 {"rx-buf-small", rx_buf_small, 1},
	{"rx-addr-code", rx_addr_code, 1},	 {"rx-addr-pool-end", rx_addr_pool_end, 1},
	{"kick-store4", kick_store4, 0},
};

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	long arg = argc > 2 ? atol(argv[2]) : 1;
	if (!strcmp(argv[1], "reflect"))
		return reflect(arg, 0);
	if (!strcmp(argv[1], "late-reflect"))
		return reflect(arg, argc > 3 ? atol(argv[3]) : 1000);
	if (!strcmp(argv[1], "never-drain"))
		return never_drain(arg);
	if (!strcmp(argv[1], "tx-burst"))
		return tx_burst(arg);
	if (!strcmp(argv[1], "kick-no-net")) {
		raw_hypercall(HUT_HC_NET_KICK, 0);
		return 1;
	}
	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		if (strcmp(argv[1], hostile[i].name))
			continue;
		setup(0);
		hostile[i].fn();
		/* RX faults show when a frame arrives: wait for the monitor's
		 * verdict (the test sends frames, and its time limit ends us). */
		for (int s = 0; s < 600; s++)
			wait_news(1000000000);
		printf("survived %s\n", argv[1]);
		return 1;
	}
	fprintf(stderr, "netring: unknown case %s\n", argv[1]);
	return 2;
}
