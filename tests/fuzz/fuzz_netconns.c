/*
 * libFuzzer target: the monitor's table of the guest's TCP connections
 * (monitor/modules/net_reset.c) fed hostile frames both ways, then asked for the
 * resets a guest's end writes.
 *
 * The oracles besides ASan/UBSan: each frame lies in a heap buffer of
 * exactly its length (a read past it faults); every reset is 54 bytes from
 * the guest's MAC with a valid IPv4 header checksum and TCP checksum; there
 * are never more than the table holds, and those after a clean exit (only
 * connections without the guest's FIN) are never more than after a crash.
 *
 * Input: records, each an opcode byte (bit 0: the guest sent it, else it
 * was delivered to the guest), a u16 length (mod 1515) and that many bytes
 * (fewer if the input ends first).
 */
#include "net_reset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

static const uint8_t guest_mac[6] = {2, 0, 0, 0, 0, 2};
static struct hut_conns table;

static uint32_t sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

static int check_rst(void *ctx, const void *frame, size_t len)
{
	const uint8_t *f = frame, *ip = f + 14, *tcp = ip + 20;
	(void)ctx;
	CHECK(len == HUT_CONN_RST_LEN);
	CHECK(!memcmp(f + 6, guest_mac, 6));
	CHECK(f[12] == 0x08 && f[13] == 0 && ip[0] == 0x45 && ip[9] == 6);
	CHECK(sum(ip, 20, 0) == 0xffff);
	CHECK(sum(tcp, 20, sum(ip + 12, 8, 6 + 20)) == 0xffff);
	CHECK(tcp[13] & 0x04);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hut_conns_init(&table, guest_mac);
	while (size >= 3) {
		uint8_t op = data[0];
		size_t len = (size_t)(data[1] | data[2] << 8) % 1515;
		data += 3, size -= 3;
		len = len < size ? len : size;
		uint8_t *frame = malloc(len ? len : 1);
		memcpy(frame, data, len);
		if (op & 1)
			hut_conns_sent(&table, frame, len);
		else
			hut_conns_delivered(&table, frame, len);
		free(frame);
		data += len, size -= len;
	}
	unsigned all = hut_conns_reset(&table, true, check_rst, NULL);
	unsigned open = hut_conns_reset(&table, false, check_rst, NULL);
	CHECK(all <= HUT_CONN_SETS * HUT_CONN_WAYS && open <= all);
	return 0;
}
