/*
 * The guest's live TCP connections, learned from the frames the I/O thread
 * moves, and the resets that end them (net_reset.h says why).
 *
 * What is kept per connection is what a reset needs to be accepted: the
 * guest's next sequence number (a peer takes a reset only at exactly the
 * sequence number it expects next, RFC 5961), its addresses and ports, the
 * next hop's MAC, and what the guest acked last. A connection is learned
 * from a segment the guest sends with SYN, FIN or data (never a bare ACK:
 * the last ACK of a closed connection must not bring it back), and
 * forgotten on a reset either way or once both sides sent their FIN.
 */
#include "net_reset.h"

#include <string.h>

#define ETH_LEN 14
#define IP_MIN 20
#define TCP_MIN 20

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/* Copies of a frame's headers, without options. */
struct headers {
	uint8_t eth_ip[ETH_LEN + IP_MIN];
	uint8_t tcp[TCP_MIN];
};

/* One TCP segment's headers, in host byte order except the addresses and
 * ports, which stay as on the wire (so are compared and written back as is). */
struct segment {
	const uint8_t *src_mac, *dst_mac;
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
	uint32_t seq, ack;
	uint8_t flags;
	uint32_t len; /* sequence space it takes: payload, +1 for SYN, +1 for FIN */
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16)), put16(p + 2, (uint16_t)v);
}

/* a is later than b in sequence space (RFC 1982 arithmetic). */
static bool after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* The headers of the TCP segment a frame of len bytes carries, copied
 * out (the guest may be rewriting the frame while we read: each byte is
 * read once, and only the copies are used): IPv4, not a fragment, TCP, each
 * header inside what the IP header says it holds, which lies inside the
 * frame. Options are never copied: nothing here needs them. */
static bool read_segment(const uint8_t *frame, size_t len, struct headers *h, struct segment *s)
{
	if (len < ETH_LEN + IP_MIN + TCP_MIN)
		return false;
	memcpy(h->eth_ip, frame, sizeof h->eth_ip);
	const uint8_t *ip = h->eth_ip + ETH_LEN;
	size_t ihl = (size_t)(ip[0] & 0xf) * 4, total = be16(ip + 2);
	if (be16(h->eth_ip + 12) != 0x0800 || ip[0] >> 4 != 4 || ihl < IP_MIN || ip[9] != 6 ||
	    (be16(ip + 6) & 0x3fff) || total > len - ETH_LEN || total < ihl + TCP_MIN)
		return false;
	memcpy(h->tcp, frame + ETH_LEN + ihl, sizeof h->tcp);
	size_t doff = (size_t)(h->tcp[12] >> 4) * 4;
	if (doff < TCP_MIN || doff > total - ihl)
		return false;
	*s = (struct segment){
		.src_mac = h->eth_ip + 6,
		.dst_mac = h->eth_ip,
		.seq = be32(h->tcp + 4),
		.ack = be32(h->tcp + 8),
		.flags = h->tcp[13],
	};
	memcpy(&s->src_ip, ip + 12, 4), memcpy(&s->dst_ip, ip + 16, 4);
	memcpy(&s->src_port, h->tcp, 2), memcpy(&s->dst_port, h->tcp + 2, 2);
	s->len = (uint32_t)(total - ihl - doff) + !!(s->flags & TCP_SYN) + !!(s->flags & TCP_FIN);
	return true;
}

/* Whether two MACs are equal (not musl's memcmp: a byte loop behind a call,
 * on every frame). */
static bool same_mac(const uint8_t *a, const uint8_t *b)
{
	uint32_t a4, b4;
	uint16_t a2, b2;
	memcpy(&a4, a, 4), memcpy(&b4, b, 4), memcpy(&a2, a + 4, 2), memcpy(&b2, b + 4, 2);
	return a4 == b4 && a2 == b2;
}

static unsigned set_of(uint32_t guest_ip, uint32_t peer_ip, uint16_t guest_port, uint16_t peer_port)
{
	uint32_t h = guest_ip ^ (peer_ip * 0x9e3779b1u) ^ ((uint32_t)guest_port << 16 | peer_port);
	h ^= h >> 16; /* MurmurHash3's finalizer: every input bit reaches every set bit */
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h % HUT_CONN_SETS;
}

static struct hut_conn *find(struct hut_conns *t, uint32_t guest_ip, uint32_t peer_ip,
			     uint16_t guest_port, uint16_t peer_port)
{
	struct hut_conn *way = t->set[set_of(guest_ip, peer_ip, guest_port, peer_port)];
	for (int i = 0; i < HUT_CONN_WAYS; i++)
		if ((way[i].flags & HUT_CONN_LIVE) && way[i].guest_ip == guest_ip &&
		    way[i].peer_ip == peer_ip && way[i].guest_port == guest_port &&
		    way[i].peer_port == peer_port)
			return &way[i];
	return NULL;
}

/* A slot for a new connection: a free one, else the set's least recently seen. */
static struct hut_conn *make_room(struct hut_conns *t, const struct segment *s)
{
	struct hut_conn *way = t->set[set_of(s->src_ip, s->dst_ip, s->src_port, s->dst_port)];
	struct hut_conn *oldest = &way[0];
	for (int i = 0; i < HUT_CONN_WAYS; i++) {
		if (!(way[i].flags & HUT_CONN_LIVE))
			return &way[i];
		if (t->clock - way[i].used > t->clock - oldest->used)
			oldest = &way[i];
	}
	t->evicted++;
	return oldest;
}

void hut_conns_init(struct hut_conns *t, const uint8_t guest_mac[6])
{
	memset(t, 0, sizeof *t);
	memcpy(t->guest_mac, guest_mac, 6);
}

/* A new connection, or a new one on the same 4-tuple (a SYN starts over). */
static struct hut_conn *learn(struct hut_conns *t, struct hut_conn *c, const struct segment *s)
{
	if (!c)
		c = make_room(t, s);
	*c = (struct hut_conn){
		.guest_ip = s->src_ip,
		.peer_ip = s->dst_ip,
		.guest_port = s->src_port,
		.peer_port = s->dst_port,
		.guest_next = s->seq + s->len,
		.flags = HUT_CONN_LIVE,
	};
	return c;
}

/* Both FINs seen: nobody waits on this connection any more. */
static void forget_if_closed(struct hut_conn *c)
{
	const uint8_t both = HUT_CONN_GUEST_FIN | HUT_CONN_PEER_FIN;
	if ((c->flags & both) == both)
		c->flags = 0;
}

void hut_conns_sent(struct hut_conns *t, const void *frame, size_t len)
{
	struct headers h;
	struct segment s;
	if (!read_segment(frame, len, &h, &s) || !same_mac(s.src_mac, t->guest_mac))
		return;
	struct hut_conn *c = find(t, s.src_ip, s.dst_ip, s.src_port, s.dst_port);
	if (s.flags & TCP_RST) {
		if (c)
			c->flags = 0;
		return;
	}
	if (!c && !s.len)
		return; /* a bare ACK: maybe the last of a closed connection */
	if (!c || (s.flags & TCP_SYN))
		c = learn(t, c, &s);
	if (after(s.seq + s.len, c->guest_next))
		c->guest_next = s.seq + s.len;
	if ((s.flags & TCP_ACK) &&
	    (!(c->flags & HUT_CONN_PEER_KNOWN) || after(s.ack, c->peer_next))) {
		c->peer_next = s.ack;
		c->flags |= HUT_CONN_PEER_KNOWN;
	}
	if (s.flags & TCP_FIN)
		c->flags |= HUT_CONN_GUEST_FIN;
	memcpy(c->peer_mac, s.dst_mac, 6);
	c->used = ++t->clock;
	forget_if_closed(c);
}

void hut_conns_delivered(struct hut_conns *t, const void *frame, size_t len)
{
	struct headers h;
	struct segment s;
	if (!read_segment(frame, len, &h, &s))
		return;
	struct hut_conn *c = find(t, s.dst_ip, s.src_ip, s.dst_port, s.src_port);
	if (!c)
		return;
	if (s.flags & TCP_RST) {
		c->flags = 0;
		return;
	}
	if (s.flags & TCP_FIN)
		c->flags |= HUT_CONN_PEER_FIN;
	c->used = ++t->clock;
	forget_if_closed(c);
}

/* The Internet checksum's sum of n bytes (n even), folded later. */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i < n; i += 2)
		sum += be16(p + i);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The reset for c, from the guest to the peer, at the guest's next
 * sequence number; with ACK of what the guest acked, if it acked anything. */
static void make_rst(const struct hut_conns *t, const struct hut_conn *c, uint8_t *f)
{
	uint8_t *ip = f + ETH_LEN, *tcp = ip + IP_MIN;
	bool ack = c->flags & HUT_CONN_PEER_KNOWN;
	memset(f, 0, HUT_CONN_RST_LEN);
	memcpy(f, c->peer_mac, 6);
	memcpy(f + 6, t->guest_mac, 6);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, IP_MIN + TCP_MIN);
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, &c->guest_ip, 4), memcpy(ip + 16, &c->peer_ip, 4);
	put16(ip + 10, fold(sum16(ip, IP_MIN, 0)));
	memcpy(tcp, &c->guest_port, 2), memcpy(tcp + 2, &c->peer_port, 2);
	put32(tcp + 4, c->guest_next);
	put32(tcp + 8, ack ? c->peer_next : 0);
	tcp[12] = (TCP_MIN / 4) << 4;
	tcp[13] = TCP_RST | (ack ? TCP_ACK : 0);
	/* The pseudo-header: both addresses, the protocol, the TCP length. */
	uint32_t sum = sum16(ip + 12, 8, 6 + TCP_MIN);
	put16(tcp + 16, fold(sum16(tcp, TCP_MIN, sum)));
}

unsigned hut_conns_reset(const struct hut_conns *t, bool all,
			 int (*send)(void *ctx, const void *frame, size_t len), void *ctx)
{
	unsigned sent = 0;
	uint8_t frame[HUT_CONN_RST_LEN];
	for (unsigned i = 0; i < HUT_CONN_SETS; i++) {
		for (unsigned w = 0; w < HUT_CONN_WAYS; w++) {
			const struct hut_conn *c = &t->set[i][w];
			if (!(c->flags & HUT_CONN_LIVE) ||
			    (!all && (c->flags & HUT_CONN_GUEST_FIN)))
				continue;
			make_rst(t, c, frame);
			if (send(ctx, frame, sizeof frame) == 0)
				sent++;
		}
	}
	return sent;
}
