/*
 * The guest side of the network device: an lwIP netif on the rings the
 * monitor set up (include/hut/abi.h, "Network device"). No interrupts: the
 * stack runs when the libos runs it (hut_net_poll, from blocking calls and
 * sleeps), so a busy guest moves frames without any exit, and the kick to
 * the monitor's I/O thread is made once per batch, only if it sleeps.
 *
 * Buffers are fixed: RX slot i uses pool buffer i, TX slot i buffer N + i.
 */
#include "../libos.h"
#include "net.h"

#include <lwip/etharp.h>
#include <lwip/init.h>
#include <lwip/ip4_addr.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/timeouts.h>
#include <netif/ethernet.h>

#define N HUT_NET_RING_SIZE

static struct netif eth;
static struct hut_net_shared *shared;
static struct hut_net_desc *tx_desc, *rx_desc;
static uint64_t pool;
static uint32_t tx_prod, rx_prod, rx_seen, events_seen;
static int kick_pending, ready;

static uint64_t buffer(unsigned i)
{
	return pool + (uint64_t)i * HUT_NET_BUF_SIZE;
}

static uint32_t load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void publish(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Sleeps in the poll hypercall until the device has news or ns pass. */
static void wait_device(uint64_t ns)
{
	struct hut_hc_poll hc = {.timeout_ns = ns, .net_events = events_seen};
	hut_hypercall(HUT_HC_POLL, &hc);
}

/* The TX ring is full: ask for a wake-up when the I/O thread frees room. */
static void wait_tx_room(void)
{
	hut_net_flush();
	events_seen = load(&shared->events);
	__atomic_store_n(&shared->tx_wanted, 1, __ATOMIC_SEQ_CST);
	if (tx_prod - __atomic_load_n(&shared->tx.cons, __ATOMIC_SEQ_CST) == N)
		wait_device(1000000000ull);
	__atomic_store_n(&shared->tx_wanted, 0, __ATOMIC_RELAXED);
}

static err_t link_output(struct netif *n, struct pbuf *p)
{
	(void)n;
	if (p->tot_len > HUT_NET_FRAME_MAX || p->tot_len < HUT_NET_FRAME_MIN)
		return ERR_IF;
	while (tx_prod - load(&shared->tx.cons) == N)
		wait_tx_room();
	unsigned slot = tx_prod % N;
	uint64_t buf = buffer(N + slot);
	pbuf_copy_partial(p, (void *)buf, p->tot_len, 0);
	tx_desc[slot] = (struct hut_net_desc){buf, p->tot_len, 0};
	publish(&shared->tx.prod, ++tx_prod);
	kick_pending = 1;
	return ERR_OK;
}

void hut_net_flush(void)
{
	if (!kick_pending)
		return;
	kick_pending = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&shared->io_idle, __ATOMIC_RELAXED))
		hut_hypercall(HUT_HC_NET_KICK, 0);
}

/* Hands one received frame to lwIP and gives its buffer back. */
static void receive(struct hut_net_desc *d)
{
	uint32_t len = d->len;
	if (len >= HUT_NET_FRAME_MIN && len <= HUT_NET_FRAME_MAX) {
		struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
		if (p) {
			pbuf_take(p, (const void *)d->addr, (u16_t)len);
			if (eth.input(p, &eth) != ERR_OK)
				pbuf_free(p);
		}
	}
	*d = (struct hut_net_desc){d->addr, HUT_NET_BUF_SIZE, 0};
	publish(&shared->rx.prod, ++rx_prod);
}

int hut_net_poll(void)
{
	int moved = 0;
	if (!ready)
		return 0;
	events_seen = load(&shared->events);
	for (uint32_t cons = load(&shared->rx.cons); rx_seen != cons; rx_seen++, moved++)
		receive(&rx_desc[rx_seen % N]);
	netif_poll_all(); /* loopback */
	sys_check_timeouts();
	hut_net_flush();
	return moved;
}

void hut_net_idle(uint64_t max_ns)
{
	uint64_t ns = (uint64_t)sys_timeouts_sleeptime() * 1000000ull;
	if (!ready) {
		struct hut_hc_poll hc = {.timeout_ns = max_ns};
		hut_hypercall(HUT_HC_POLL, &hc);
		return;
	}
	hut_net_flush();
	wait_device(ns < max_ns ? ns : max_ns);
}

static err_t eth_init(struct netif *n)
{
	const struct hut_boot_net *b = &hut_boot_info->net;
	n->name[0] = 'e';
	n->name[1] = 'n';
	n->mtu = b->mtu;
	n->hwaddr_len = 6;
	hut_memcpy(n->hwaddr, b->mac, 6);
	n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	n->output = etharp_output;
	n->linkoutput = link_output;
	return ERR_OK;
}

static void post_rx_buffers(void)
{
	for (unsigned i = 0; i < N; i++)
		rx_desc[i] = (struct hut_net_desc){buffer(i), HUT_NET_BUF_SIZE, 0};
	publish(&shared->rx.prod, rx_prod = N);
}

void hut_net_boot(void)
{
	const struct hut_boot_net *b = &hut_boot_info->net;
	lwip_init();
	if (!b->region)
		return; /* loopback only */
	shared = (struct hut_net_shared *)b->region;
	tx_desc = (struct hut_net_desc *)(b->region + HUT_NET_TX_DESC_OFFSET);
	rx_desc = (struct hut_net_desc *)(b->region + HUT_NET_RX_DESC_OFFSET);
	pool = b->region + HUT_NET_POOL_OFFSET;
	post_rx_buffers();
	ip4_addr_t addr = {b->ipv4}, mask = {0}, gw = {b->gateway};
	if (b->prefix_len)
		mask.addr = lwip_htonl(~0u << (32 - b->prefix_len));
	netif_add(&eth, &addr, &mask, &gw, NULL, eth_init, ethernet_input);
	netif_set_default(&eth);
	netif_set_link_up(&eth);
	netif_set_up(&eth);
	ready = 1;
}
