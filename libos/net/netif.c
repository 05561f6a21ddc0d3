/*
 * The guest side of the network device: an lwIP netif on the rings the
 * monitor set up (include/hut/abi.h, "Network device"). No interrupts: the
 * stack runs when the libos runs it (hut_net_poll, from blocking calls and
 * sleeps), so a busy guest moves frames without any exit, and the kick to
 * the monitor's I/O thread is made once per batch, only if it sleeps.
 *
 * Buffers are fixed: RX slot i uses pool buffer i, TX slot i buffer N + i.
 */
#include "net.h"

#include <lwip/etharp.h>
#include <lwip/init.h>
#include <lwip/ip4_addr.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/priv/tcp_priv.h>
#include <lwip/timeouts.h>
#include <netif/ethernet.h>

#define N HUT_NET_RING_SIZE

static struct netif eth;
static struct hut_net_shared *shared;
static struct hut_net_desc *tx_desc, *rx_desc;
static uint64_t pool;
static uint32_t tx_prod, rx_prod, rx_seen, events_seen;
static int kick_pending, started, ready; /* ready: a device (else loopback only) */

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
	hut_poll_hypercall(&hc);
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

#define LOOPBACK_ROUNDS 64

/* Frames sent to ourselves and not yet taken in: no time to sleep. */
static int loopback_pending(void)
{
	struct netif *n;
	NETIF_FOREACH(n)
	{
		if (n->loop_first)
			return 1;
	}
	return 0;
}

int hut_net_poll(void)
{
	int moved = 0;
	if (!started)
		return 0;
	if (ready) {
		events_seen = load(&shared->events);
		for (uint32_t cons = load(&shared->rx.cons); rx_seen != cons; rx_seen++, moved++)
			receive(&rx_desc[rx_seen % N]);
	}
	/* Loopback (127.0.0.1, and frames to our own address), until what it
	 * carries stops making more: one conversation with ourselves is
	 * over within the call, as on Linux. Bounded, in case it never stops. */
	for (int round = 0; round < LOOPBACK_ROUNDS && loopback_pending(); round++)
		netif_poll_all();
	sys_check_timeouts();
	if (ready)
		hut_net_flush();
	return moved;
}

void hut_net_idle(uint64_t max_ns)
{
	uint64_t ns = (uint64_t)sys_timeouts_sleeptime() * 1000000ull;
	if (started && loopback_pending())
		return;
	if (started)
		max_ns = ns < max_ns ? ns : max_ns;
	if (!ready) {
		struct hut_hc_poll hc = {.timeout_ns = max_ns, .net_events = hut_net_events_now()};
		hut_poll_hypercall(&hc);
		return;
	}
	hut_net_flush();
	wait_device(max_ns);
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

/* The gateway's address asked for at once: the first peer usually is it,
 * or is reached through it, and its SYN would otherwise wait for the ARP
 * round trip the reply needs (the request also tells it our address). */
static void ask_gateway(const ip4_addr_t *gw)
{
	if (!ip4_addr_isany(gw) &&
	    ip4_addr_netcmp(gw, netif_ip4_addr(&eth), netif_ip4_netmask(&eth)))
		etharp_request(&eth, gw);
}

/* The boot info's address, mask and gateway, as lwIP takes them. */
static void boot_addresses(ip4_addr_t *addr, ip4_addr_t *mask, ip4_addr_t *gw)
{
	const struct hut_boot_net *b = &hut_boot_info->net;
	addr->addr = b->ipv4;
	gw->addr = b->gateway;
	mask->addr = b->prefix_len ? lwip_htonl(~0u << (32 - b->prefix_len)) : 0;
}

/* Restored from a snapshot: the hosts around may have changed (another
 * tap, another bridge, a neighbour's new MAC), and so may this guest's
 * identity (the monitor's --ip, --gw and --mac at the restore, written into
 * the boot info). So what ARP learnt is forgotten, the MAC and the
 * addresses are the boot info's again (lwIP moves sockets bound to the old
 * address to the new one; those on INADDR_ANY keep listening), and the
 * guest says where it is (a gratuitous ARP, as a migrated VM does) and asks
 * for its gateway again. */
static void reannounce(void *arg)
{
	ip4_addr_t addr, mask, gw;
	(void)arg;
	if (!ready)
		return;
	etharp_cleanup_netif(&eth);
	hut_memcpy(eth.hwaddr, hut_boot_info->net.mac, 6);
	boot_addresses(&addr, &mask, &gw);
	netif_set_addr(&eth, &addr, &mask, &gw);
	etharp_gratuitous(&eth);
	ask_gateway(netif_ip4_gw(&eth));
	kick_pending = 1;
	hut_net_flush();
}

/* Once, at the first socket (or by a test guest): lwIP, its loopback
 * interface, and the device if the monitor gave one. */
void hut_net_boot(void)
{
	if (started || !hut_boot_info)
		return;
	const struct hut_boot_net *b = &hut_boot_info->net;
	started = 1;
	lwip_init();
	if (!b->region)
		return; /* loopback only */
	shared = (struct hut_net_shared *)b->region;
	tx_desc = (struct hut_net_desc *)(b->region + HUT_NET_TX_DESC_OFFSET);
	rx_desc = (struct hut_net_desc *)(b->region + HUT_NET_RX_DESC_OFFSET);
	pool = b->region + HUT_NET_POOL_OFFSET;
	post_rx_buffers();
	ip4_addr_t addr, mask, gw;
	boot_addresses(&addr, &mask, &gw);
	netif_add(&eth, &addr, &mask, &gw, NULL, eth_init, ethernet_input);
	netif_set_default(&eth);
	netif_set_link_up(&eth);
	netif_set_up(&eth);
	ready = 1;
	hut_restored_hook_add(reannounce);
	ask_gateway(&gw);
	/* The RX buffers are posted (and the announcements queued): the I/O
	 * thread starts reading the tap now, where frames sent while we booted
	 * (a client's first SYN) waited. */
	kick_pending = 1;
	hut_net_flush();
}

/* A connection through the device still has data or a FIN to deliver. */
static int tcp_owes_device(void)
{
	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next) {
		const ip4_addr_t *to = ip_2_ip4(&pcb->remote_ip);
		if (ip4_addr_isloopback(to) || ip4_addr_cmp(to, netif_ip4_addr(&eth)))
			continue;
		if (pcb->unsent || pcb->unacked || pcb->state == FIN_WAIT_1 ||
		    pcb->state == LAST_ACK || pcb->state == CLOSING)
			return 1;
	}
	return 0;
}

static int tx_drained(void)
{
	return load(&shared->tx.cons) == tx_prod;
}

/* The app exits, its sockets closed: Linux would still deliver what they
 * hold, but the guest ends with the monitor. So run the stack a little
 * longer, until TCP owes the device nothing and the I/O thread has taken
 * every TX frame, for at most EXIT_LINGER_NS (a peer that stopped
 * answering costs that; the monitor resets what is still open then). */
#define EXIT_LINGER_NS 500000000ull

void hut_net_linger(void)
{
	if (!ready)
		return;
	uint64_t end = hut_time_since_boot_ns() + EXIT_LINGER_NS;
	__atomic_store_n(&shared->tx_wanted, 1, __ATOMIC_SEQ_CST);
	for (uint64_t now; (now = hut_time_since_boot_ns()) < end;) {
		hut_net_poll();
		if (!tcp_owes_device() && tx_drained())
			break;
		hut_net_idle(end - now);
	}
	__atomic_store_n(&shared->tx_wanted, 0, __ATOMIC_RELAXED);
}
