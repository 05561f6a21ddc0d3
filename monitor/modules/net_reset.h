/*
 * The guest's TCP connections as the monitor sees them go by on the tap,
 * so that a guest that ends without closing them (a crash, --timeout, a
 * signal's default action, the monitor told to stop) leaves no peer
 * waiting forever: the monitor writes one reset per live connection, as
 * the guest's kernel would have closed them (net_reset.c).
 *
 * The table is small and bounded: HUT_CONN_SETS sets of HUT_CONN_WAYS
 * connections, a 4-tuple's hash picks the set, and a full set forgets the
 * connection seen least recently. Frames are hostile (the guest writes
 * them, and may rewrite them while we read): each is read once, its
 * headers copied out, every length checked; the worst a lying guest gets
 * is a reset it could have sent itself.
 */
#ifndef HUT_NET_RESET_H
#define HUT_NET_RESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HUT_CONN_SETS 256
#define HUT_CONN_WAYS 4
#define HUT_CONN_RST_LEN 54 /* Ethernet, IPv4 and TCP headers, no options, no payload */

#define HUT_CONN_LIVE 0x1	/* the slot holds a connection */
#define HUT_CONN_GUEST_FIN 0x2	/* the guest sent its FIN */
#define HUT_CONN_PEER_FIN 0x4	/* the peer sent its FIN */
#define HUT_CONN_PEER_KNOWN 0x8 /* peer_next is known (the guest acked something) */

struct hut_conn {
	uint32_t guest_ip, peer_ip;	/* network byte order */
	uint16_t guest_port, peer_port; /* network byte order */
	uint32_t guest_next;		/* the guest's next sequence number */
	uint32_t peer_next;		/* the peer's, as far as the guest acked it */
	uint32_t used;			/* the table's clock when last seen */
	uint8_t peer_mac[6];		/* where the guest's frames went: peer or gateway */
	uint8_t flags;			/* HUT_CONN_* */
};

struct hut_conns {
	uint8_t guest_mac[6]; /* only frames from (and to) it are the guest's */
	uint32_t clock;
	uint64_t evicted; /* connections forgotten to make room */
	struct hut_conn set[HUT_CONN_SETS][HUT_CONN_WAYS];
};

void hut_conns_init(struct hut_conns *t, const uint8_t guest_mac[6]);
/* A frame the guest sent (it went to the tap) and one it was given. */
void hut_conns_sent(struct hut_conns *t, const void *frame, size_t len);
void hut_conns_delivered(struct hut_conns *t, const void *frame, size_t len);
/* Hands send one reset frame (HUT_CONN_RST_LEN bytes) per live connection:
 * every one, or (all false) only those the guest has sent no FIN on.
 * Returns how many it handed over. */
unsigned hut_conns_reset(const struct hut_conns *t, bool all,
			 int (*send)(void *ctx, const void *frame, size_t len), void *ctx);

#endif
