/*
 * libFuzzer target: the network ring parser (monitor/modules/net_ring.c) against a
 * hostile guest that rewrites its rings between (and, in effect, during)
 * every pass of the I/O thread. No tap: a fake send and receive.
 *
 * The oracles besides ASan/UBSan: guest RAM sits between PROT_NONE guard
 * pages; every frame the parser hands to send, and every buffer it hands to
 * receive, lies inside the region's pool with a length in range; the
 * monitor's own indices never move by more than the frames it reports; a
 * HUT_NET_BAD comes with a reason.
 *
 * Input: records, each an opcode byte:
 *   op % 4 == 0: patch the region: u16 offset (mod the descriptors' end), u8 len, bytes
 *   op % 4 == 1: set tx.prod or rx.prod (op bit 2): u32
 *   op % 4 == 2: TX pass; send answers -EAGAIN after (op >> 2) % 8 frames when op bit 7
 *   op % 4 == 3: RX pass: u8 frames waiting, u16 each one's length
 */
#include "guest_ram.h"
#include "net.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RAM_SIZE (HUT_U64(4) << 20)
#define REGION_GPA (HUT_U64(2) << 20)
static struct hut_mem mem;
static struct hut_net_ring ring;
static int send_budget;
static int recv_left, recv_len;

static void in_pool(const void *p, size_t len)
{
	const uint8_t *pool = mem.host + REGION_GPA + HUT_NET_POOL_OFFSET;
	CHECK((const uint8_t *)p >= pool);
	CHECK((const uint8_t *)p + len <= pool + HUT_NET_POOL_BUFS * HUT_NET_BUF_SIZE);
}

static int fake_send(void *ctx, const void *frame, size_t len)
{
	(void)ctx;
	CHECK(len >= HUT_NET_FRAME_MIN && len <= HUT_NET_FRAME_MAX);
	in_pool(frame, len);
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++) /* read every byte, as write(2) would */
		sum = (uint8_t)(sum + ((const uint8_t *)frame)[i]);
	__asm__ volatile("" ::"r"(sum));
	if (send_budget == 0)
		return -EAGAIN;
	if (send_budget > 0)
		send_budget--;
	return 0;
}

static ssize_t fake_recv(void *ctx, void *buf, size_t cap)
{
	(void)ctx;
	if (recv_left == 0)
		return -EAGAIN;
	recv_left--;
	if (buf) {
		CHECK(cap == HUT_NET_FRAME_MAX);
		in_pool(buf, cap);
		memset(buf, 0xa5, (size_t)recv_len < cap ? (size_t)recv_len : cap);
	}
	return recv_len;
}

static void setup(void)
{
	fuzz_guest_ram(&mem, RAM_SIZE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	memset(mem.host + REGION_GPA, 0, HUT_NET_POOL_OFFSET);
	CHECK(hut_net_ring_init(&ring, &mem, REGION_GPA) == 0);
	uint8_t op;
	while (fuzz_take(&data, &size, &op, 1) == 0) {
		uint32_t before_tx = ring.tx_cons, before_rx = ring.rx_cons;
		int r = 0;
		if (op % 4 == 0) {
			uint16_t off;
			uint8_t len;
			if (fuzz_take(&data, &size, &off, 2) || fuzz_take(&data, &size, &len, 1))
				break;
			off %= HUT_NET_POOL_OFFSET;
			if (len > HUT_NET_POOL_OFFSET - off)
				len = (uint8_t)(HUT_NET_POOL_OFFSET - off);
			if (fuzz_take(&data, &size, mem.host + REGION_GPA + off, len))
				break;
		} else if (op % 4 == 1) {
			uint32_t v;
			if (fuzz_take(&data, &size, &v, 4))
				break;
			*((op & 4) ? &ring.shared->rx.prod : &ring.shared->tx.prod) = v;
		} else if (op % 4 == 2) {
			bool blocked;
			send_budget = (op & 0x80) ? (op >> 2) % 8 : -1;
			r = hut_net_tx_drain(&ring, fake_send, NULL, &blocked);
			CHECK(r == HUT_NET_BAD || ring.tx_cons - before_tx == (uint32_t)r);
			CHECK(r == HUT_NET_BAD || ring.shared->tx.cons == ring.tx_cons || r == 0);
		} else {
			uint8_t frames;
			uint16_t len;
			if (fuzz_take(&data, &size, &frames, 1) || fuzz_take(&data, &size, &len, 2))
				break;
			recv_left = frames;
			recv_len = len;
			r = hut_net_rx_fill(&ring, fake_recv, NULL);
			CHECK(r == HUT_NET_BAD || ring.rx_cons - before_rx <= (uint32_t)r);
		}
		if (r == HUT_NET_BAD) {
			CHECK(ring.why[0] != 0);
			break;
		}
		CHECK(ring.tx_cons - before_tx <= HUT_NET_RING_SIZE);
	}
	return 0;
}
