/*
 * Unit tests for the monitor's table of the guest's TCP connections and the
 * resets it writes when the guest ends (monitor/modules/net_reset.c): what it
 * learns and forgets, the reset's sequence number, addresses and
 * checksums, and the frames it must ignore (hostile or not TCP).
 */
#include "net_reset.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define ACK 0x10

static const uint8_t guest_mac[6] = {2, 0, 0, 0, 0, 2}, peer_mac[6] = {2, 0, 0, 0, 0, 1};
static struct hut_conns table;

/* A TCP segment between the guest (192.0.2.2:gport) and the peer
 * (192.0.2.1:7000), from the guest if out, with len payload bytes. */
struct seg {
	bool out;
	uint16_t gport;
	uint32_t seq, ack;
	uint8_t flags;
	size_t len;
};

static size_t frame_of(const struct seg *s, uint8_t *f)
{
	uint8_t *ip = f + 14, *tcp = ip + 20;
	uint32_t guest = htonl(0xc0000202), peer = htonl(0xc0000201);
	uint16_t gport = htons(s->gport), pport = htons(7000),
		 total = htons((uint16_t)(40 + s->len));
	uint32_t seq = htonl(s->seq), ack = htonl(s->ack);
	memset(f, 0, 54 + s->len);
	memcpy(f, s->out ? peer_mac : guest_mac, 6);
	memcpy(f + 6, s->out ? guest_mac : peer_mac, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	memcpy(ip + 2, &total, 2);
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, s->out ? &guest : &peer, 4);
	memcpy(ip + 16, s->out ? &peer : &guest, 4);
	memcpy(tcp, s->out ? &gport : &pport, 2);
	memcpy(tcp + 2, s->out ? &pport : &gport, 2);
	memcpy(tcp + 4, &seq, 4);
	memcpy(tcp + 8, &ack, 4);
	tcp[12] = 0x50;
	tcp[13] = s->flags;
	return 54 + s->len;
}

static void go(const struct seg *s)
{
	uint8_t f[1514];
	size_t n = frame_of(s, f);
	if (s->out)
		hut_conns_sent(&table, f, n);
	else
		hut_conns_delivered(&table, f, n);
}

/* The guest accepts a connection on port gport: the peer's ISN 1000, the
 * guest's 5000; then the peer sends 8 bytes and the guest acks them. */
static void handshake(uint16_t gport)
{
	go(&(struct seg){false, gport, 1000, 0, SYN, 0});
	go(&(struct seg){true, gport, 5000, 1001, SYN | ACK, 0});
	go(&(struct seg){false, gport, 1001, 5001, ACK, 8});
	go(&(struct seg){true, gport, 5001, 1009, ACK, 0});
}

static uint8_t resets[HUT_CONN_SETS * HUT_CONN_WAYS][HUT_CONN_RST_LEN];
static unsigned nresets;

static int keep(void *ctx, const void *frame, size_t len)
{
	(void)ctx;
	cr_assert_eq(len, HUT_CONN_RST_LEN);
	memcpy(resets[nresets++], frame, len);
	return 0;
}

static unsigned reset(bool all)
{
	nresets = 0;
	unsigned n = hut_conns_reset(&table, all, keep, NULL);
	cr_assert_eq(n, nresets);
	return n;
}

static uint32_t be32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return ntohl(v);
}

/* One's-complement sum over n bytes, with a starting value. */
static uint32_t sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

static void setup(void)
{
	hut_conns_init(&table, guest_mac);
}

TestSuite(net_reset, .init = setup);

Test(net_reset, a_live_connection_gets_one_reset_the_peer_accepts)
{
	handshake(40000);
	go(&(struct seg){true, 40000, 5001, 1009, ACK, 100}); /* a reply, half of it */
	cr_assert_eq(reset(true), 1);
	const uint8_t *f = resets[0], *ip = f + 14, *tcp = ip + 20;
	cr_assert(!memcmp(f, peer_mac, 6) && !memcmp(f + 6, guest_mac, 6), "MACs");
	cr_assert_eq(f[12], 0x08);
	cr_assert_eq(f[13], 0x00);
	cr_assert_eq(ip[0], 0x45);
	cr_assert_eq(ip[9], 6);
	cr_assert_eq(be32(ip + 12), 0xc0000202u, "from the guest");
	cr_assert_eq(be32(ip + 16), 0xc0000201u, "to the peer");
	cr_assert_eq(tcp[0] << 8 | tcp[1], 40000);
	cr_assert_eq(tcp[2] << 8 | tcp[3], 7000);
	cr_assert_eq(be32(tcp + 4), 5101u, "the guest's next sequence number");
	cr_assert_eq(be32(tcp + 8), 1009u, "what the guest acked");
	cr_assert_eq(tcp[13], RST | ACK);
	cr_assert_eq(sum(ip, 20, 0), 0xffff, "IPv4 header checksum");
	uint32_t pseudo = sum(ip + 12, 8, 6 + 20);
	cr_assert_eq(sum(tcp, 20, pseudo), 0xffff, "TCP checksum");
}

Test(net_reset, a_retransmission_does_not_move_the_sequence_back)
{
	handshake(40000);
	go(&(struct seg){true, 40000, 5001, 1009, ACK, 100});
	go(&(struct seg){true, 40000, 5001, 1009, ACK, 50});
	cr_assert_eq(reset(true), 1);
	cr_assert_eq(be32(resets[0] + 14 + 20 + 4), 5101u);
}

Test(net_reset, sequence_numbers_wrap)
{
	go(&(struct seg){true, 40000, 0xfffffff0u, 0, SYN, 0});
	go(&(struct seg){true, 40000, 0xfffffff1u, 7, ACK, 0x20});
	cr_assert_eq(reset(true), 1);
	cr_assert_eq(be32(resets[0] + 14 + 20 + 4), 0x11u);
}

Test(net_reset, both_fins_or_a_reset_forget_it)
{
	handshake(40000);
	handshake(40001);
	handshake(40002);
	go(&(struct seg){true, 40000, 5001, 1009, ACK | FIN, 0});
	go(&(struct seg){false, 40000, 1009, 5002, ACK | FIN, 0});
	go(&(struct seg){true, 40000, 5002, 1010, ACK, 0}); /* the last ACK: not learned again */
	go(&(struct seg){false, 40001, 1009, 0, RST, 0});
	go(&(struct seg){true, 40002, 5001, 0, RST, 0});
	cr_assert_eq(reset(true), 0);
}

Test(net_reset, after_a_clean_exit_only_connections_without_the_guests_fin)
{
	handshake(40000);
	handshake(40001);
	go(&(struct seg){true, 40000, 5001, 1009, ACK | FIN, 0});
	cr_assert_eq(reset(false), 1, "the one the guest sent no FIN on");
	cr_assert_eq(resets[0][14 + 20 + 1], 40001 & 0xff);
	cr_assert_eq(reset(true), 2, "a crash: both");
}

Test(net_reset, a_reset_after_the_guests_fin_follows_it)
{
	handshake(40000);
	go(&(struct seg){true, 40000, 5001, 1009, ACK | FIN, 0});
	cr_assert_eq(reset(true), 1);
	cr_assert_eq(be32(resets[0] + 14 + 20 + 4), 5002u, "past the FIN");
}

Test(net_reset, a_bare_ack_or_another_macs_frame_teaches_nothing)
{
	go(&(struct seg){true, 40000, 5001, 1009, ACK, 0});
	uint8_t f[1514];
	size_t n = frame_of(&(struct seg){true, 40001, 5000, 0, SYN, 0}, f);
	f[6] ^= 1; /* not the guest's MAC */
	hut_conns_sent(&table, f, n);
	cr_assert_eq(reset(true), 0);
}

/* Each mangled copy of a good SYN must be ignored. */
Test(net_reset, hostile_frames_are_ignored)
{
	uint8_t good[1514], f[1514];
	size_t n = frame_of(&(struct seg){true, 40000, 5000, 0, SYN, 0}, good);
	struct {
		size_t off;
		uint8_t value;
		size_t len;
	} bad[] = {
		{12, 0x86, n},	    /* not IPv4 */
		{14, 0x46, n},	    /* IHL 24: TCP header past the frame */
		{14, 0x44, n},	    /* IHL below 20 */
		{14, 0x4f, n},	    /* IHL 60 */
		{14, 0x65, n},	    /* IPv6's version */
		{14 + 9, 17, n},    /* UDP */
		{14 + 6, 0x20, n},  /* more fragments */
		{14 + 7, 0x01, n},  /* a fragment's offset */
		{14 + 2, 0xff, n},  /* total length past the frame */
		{14 + 3, 39, n},    /* total length below the headers */
		{34 + 12, 0x60, n}, /* data offset past the segment */
		{34 + 12, 0x40, n}, /* data offset below 20 */
		{0, 0, 53},	    /* one byte short */
		{0, 0, 14},	    /* just Ethernet */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memcpy(f, good, n);
		if (bad[i].value)
			f[bad[i].off] = bad[i].value;
		if (bad[i].off == 14 + 3)
			f[14 + 2] = 0;
		hut_conns_sent(&table, f, bad[i].len);
		cr_assert_eq(reset(true), 0, "mangled frame %zu was learned", i);
	}
	hut_conns_sent(&table, good, n);
	cr_assert_eq(reset(true), 1, "the good one is");
}

Test(net_reset, the_table_is_bounded)
{
	for (unsigned i = 0; i < 4 * HUT_CONN_SETS * HUT_CONN_WAYS; i++)
		go(&(struct seg){true, (uint16_t)(1024 + i), 5000, 0, SYN, 0});
	unsigned n = reset(true);
	cr_assert_leq(n, HUT_CONN_SETS * HUT_CONN_WAYS);
	cr_assert_geq(n, HUT_CONN_SETS * HUT_CONN_WAYS * 9 / 10, "the sets are used (%u)", n);
	cr_assert_eq(table.evicted, 4u * HUT_CONN_SETS * HUT_CONN_WAYS - n);
}

Test(net_reset, a_full_set_forgets_the_one_seen_least_recently)
{
	/* Fill the table many times over with ports; the last ones sent stay. */
	for (unsigned i = 0; i < 4 * HUT_CONN_SETS * HUT_CONN_WAYS; i++)
		go(&(struct seg){true, (uint16_t)(1024 + i), 5000, 0, SYN, 0});
	go(&(struct seg){true, 40000, 5000, 0, SYN, 0});
	reset(true);
	bool found = false;
	for (unsigned i = 0; i < nresets; i++)
		found |= resets[i][14 + 20] == (40000 >> 8) && resets[i][14 + 21] == (40000 & 0xff);
	cr_assert(found, "the newest connection was kept");
}
