/*
 * The network device in a snapshot (monitor/snapshot.h): the monitor's
 * own ring indices and events count, which the guest's RAM cannot give
 * back (they are never read from it), and the identity the guest was
 * given (--ip, --gw, --dns, the MAC). The tap is the one given at the
 * restore, and so may be the identity: each of --mac, --ip, --gw and --dns
 * given at the restore replaces the snapshot's in the boot info, where the
 * guest's stack takes it from when it learns it was restored
 * (libos/net/netif.c); one not given stays the snapshot's.
 */
#include "../monitor.h"
#include "../snapshot.h"
#include "net.h"

#include <string.h>
#include <time.h>

#define SEQ __ATOMIC_SEQ_CST
#define DRAIN_WAIT_MS 200

struct net_record {
	uint32_t tx_cons, rx_cons, events, rx_open;
	uint32_t have_mac, ipv4, prefix_len, gateway, dns;
	uint8_t mac[6], pad[2];
};

static void identity(struct net_record *r)
{
	const struct hut_net_config *c = &hut_net.config;
	r->have_mac = c->have_mac;
	if (c->have_mac)
		memcpy(r->mac, c->mac, sizeof r->mac);
	r->ipv4 = c->ipv4, r->prefix_len = c->prefix_len;
	r->gateway = c->gateway, r->dns = c->dns;
}

/* The frames the guest handed over go out before the indices are taken,
 * and the I/O thread is asleep (io_idle): nothing is moving then. */
static bool quiet_device(struct hut_net *n)
{
	for (int ms = 0; ms < DRAIN_WAIT_MS; ms++) {
		uint32_t prod = __atomic_load_n(&n->ring.shared->tx.prod, SEQ);
		if (__atomic_load_n(&n->ring.tx_cons, SEQ) == prod &&
		    __atomic_load_n(&n->ring.shared->io_idle, SEQ))
			return true;
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	return false;
}

const char *hut_net_snapshot(struct hut_vm *vm, struct hut_snap_buf *w)
{
	struct hut_net *n = &hut_net;
	struct net_record r = {0};
	(void)vm;
	if (!n->running)
		return NULL;
	if (!quiet_device(n))
		return "the network device is still sending the guest's frames";
	r.tx_cons = __atomic_load_n(&n->ring.tx_cons, SEQ);
	r.rx_cons = __atomic_load_n(&n->ring.rx_cons, SEQ);
	r.events = __atomic_load_n(&n->events, SEQ);
	r.rx_open = n->ring.rx_open;
	identity(&r);
	return hut_snap_put(w, &r, sizeof r) ? NULL : "net: no room";
}

/* The identity given now, over the snapshot's in the boot info (the
 * guest's RAM: the boot info page is the monitor's, read-only to the
 * guest). The guest re-applies all of it when it learns it was restored. */
static void new_identity(struct hut_boot_net *b, const struct hut_net_config *c)
{
	if (c->have_mac)
		memcpy(b->mac, c->mac, sizeof b->mac);
	if (c->have_ip)
		b->ipv4 = c->ipv4, b->prefix_len = c->prefix_len;
	if (c->have_gw)
		b->gateway = c->gateway;
	if (c->have_dns)
		b->dns = c->dns;
}

/* The receive buffers the I/O thread fills next, from the restored ring's
 * position on: backed now, in whole shadow groups, as a boot backs what
 * its guest touches first. Otherwise each is a page the host writes first
 * and the guest then faults on alone (httpd's restore: 4 before its first
 * answer). The descriptors are the guest's (hostile): only RAM is backed,
 * a buffer's length at most HUT_NET_BUF_SIZE, and nothing is read or
 * written but what populating leaves as it was. */
#define RX_AHEAD 8

static void back_next_rx(struct hut_vm *vm, const struct hut_net *n, uint32_t rx_cons)
{
	for (uint32_t i = 0; i < RX_AHEAD; i++) {
		uint64_t at = n->gpa + HUT_NET_RX_DESC_OFFSET +
			      (uint64_t)((rx_cons + i) % HUT_NET_RING_SIZE) * HUT_NET_DESC_SIZE;
		const struct hut_net_desc *d = hut_gpa(&vm->mem, at, sizeof *d);
		if (!d)
			return;
		uint64_t addr = d->addr; /* past RAM (or wrapping): clipped to nothing */
		hut_mem_back_groups(&vm->mem, addr, addr + HUT_NET_BUF_SIZE, vm->heap_start);
	}
}

/* The indices may be anything (the ring parser checks every one against
 * the guest's); the identity may be new (new_identity). */
const char *hut_net_restore(struct hut_vm *vm, struct hut_snap_buf *rec)
{
	struct hut_net *n = &hut_net;
	struct net_record r;
	if (!n->config.wanted)
		return NULL; /* the layout check refused a snapshot made with --net */
	if (!hut_snap_get(rec, &r, sizeof r))
		return "the snapshot has no network device record";
	struct hut_boot_info *bi = hut_gpa(&vm->mem, HUT_BOOTINFO_GPA, sizeof *bi);
	if (!bi->net.region)
		return "it was made without a network device (--net)";
	new_identity(&bi->net, &n->config);
	if (!n->restored) /* a pool's monitor restores it again after its request */
		back_next_rx(vm, n, r.rx_cons);
	n->restored = true;
	n->restored_tx_cons = r.tx_cons;
	n->restored_rx_cons = r.rx_cons;
	n->restored_events = r.events;
	n->restored_rx_open = r.rx_open != 0;
	return NULL;
}
