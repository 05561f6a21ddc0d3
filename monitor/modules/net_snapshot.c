/*
 * The network device in a snapshot (monitor/snapshot.h): the monitor's
 * own ring indices and events count, which the guest's RAM cannot give
 * back (they are never read from it), and the identity the guest was
 * given (--ip, --gw, --dns), which a restore must give again: the guest's
 * stack holds them. The tap is the one given at the restore, and so may be
 * the MAC (--mac).
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

/* The indices may be anything (the ring parser checks every one against
 * the guest's); the addresses must be the original's. The MAC may be new:
 * a --mac given now goes into the boot info, where the guest's stack takes
 * it from when it learns it was restored (libos/net/netif.c). */
const char *hut_net_restore(struct hut_vm *vm, struct hut_snap_buf *rec)
{
	struct hut_net *n = &hut_net;
	struct net_record r, now = {0};
	if (!n->config.wanted)
		return NULL; /* the layout check refused a snapshot made with --net */
	if (!hut_snap_get(rec, &r, sizeof r))
		return "the snapshot has no network device record";
	identity(&now);
	if (now.ipv4 != r.ipv4 || now.prefix_len != r.prefix_len || now.gateway != r.gateway ||
	    now.dns != r.dns)
		return "it was made with other network addresses (--ip, --gw, --dns)";
	struct hut_boot_info *bi = hut_gpa(&vm->mem, HUT_BOOTINFO_GPA, sizeof *bi);
	if (n->config.have_mac)
		memcpy(bi->net.mac, n->config.mac, sizeof bi->net.mac);
	n->restored = true;
	n->restored_tx_cons = r.tx_cons;
	n->restored_rx_cons = r.rx_cons;
	n->restored_events = r.events;
	n->restored_rx_open = r.rx_open != 0;
	return NULL;
}
