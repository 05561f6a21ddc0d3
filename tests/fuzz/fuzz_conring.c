/*
 * libFuzzer target: the console ring parser (monitor/modules/console_ring.c)
 * against a hostile guest that rewrites its ring, prod and record headers
 * included, between every pass of the console thread. No host fd: each
 * batch is read byte by byte, as writev(2) would.
 *
 * The oracles besides ASan/UBSan: guest RAM sits between PROT_NONE guard
 * pages; every iovec of a batch lies inside the ring's data; a batch names
 * fd 1 or 2 and at least one record; the monitor's own cons moves only
 * forward, by at most the ring, never past what the guest published, and
 * stays 8-byte aligned; a HUT_CONSOLE_BAD comes with a reason.
 *
 * Input: records, each an opcode byte:
 *   op % 4 == 0: patch the region: u16 offset (mod the region), u8 len, bytes
 *   op % 4 == 1: set prod: u32
 *   op % 4 == 2: write a well-formed record at prod: u8 fd, u16 len (the
 *                guest's own writer, so that deep paths are reached)
 *   op % 4 == 3: a pass: batches until the ring is empty or bad
 */
#include "console.h"
#include "guest_ram.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RAM_SIZE (HUT_U64(4) << 20)
#define REGION_GPA (HUT_U64(2) << 20)
#define RING HUT_CONSOLE_RING_SIZE
static struct hut_mem mem;
static struct hut_console_ring ring;
static struct hut_console_batch batch;

static void setup(void)
{
	fuzz_guest_ram(&mem, RAM_SIZE);
}

/* Reads every byte of the batch, checking each piece lies in the data. */
static void consume(const struct hut_console_batch *b)
{
	const uint8_t *data = mem.host + REGION_GPA + HUT_CONSOLE_DATA_OFFSET;
	uint8_t sum = 0;
	CHECK(b->fd == 1 || b->fd == 2);
	CHECK(b->records > 0 && b->niov <= HUT_CONSOLE_BATCH_IOV);
	for (int i = 0; i < b->niov; i++) {
		const uint8_t *p = b->iov[i].iov_base;
		CHECK(p >= data && p + b->iov[i].iov_len <= data + RING);
		for (size_t j = 0; j < b->iov[i].iov_len; j++)
			sum = (uint8_t)(sum + p[j]);
	}
	__asm__ volatile("" ::"r"(sum));
}

/* The guest's writer (libos/base/conring.c), without its checks of room. */
static void guest_record(uint8_t fd, uint16_t len)
{
	struct hut_console_shared *s = ring.shared;
	uint32_t prod = s->prod & ~(uint32_t)(HUT_CONSOLE_ALIGN - 1);
	struct hut_console_record *h = (struct hut_console_record *)(ring.data + prod % RING);
	*h = (struct hut_console_record){len, fd};
	for (uint32_t i = 0; i < len; i++)
		ring.data[(prod + 8 + i) % RING] = (uint8_t)i;
	s->prod = prod + 8 + ((len + 7u) & ~7u);
}

static int pass(void)
{
	int r;
	while ((r = hut_console_ring_next(&ring, &batch)) > 0) {
		uint32_t before = ring.cons;
		consume(&batch);
		CHECK(batch.end - before <= RING && batch.end != before);
		CHECK(batch.end % HUT_CONSOLE_ALIGN == 0);
		hut_console_ring_done(&ring, &batch);
		CHECK(ring.shared->cons == ring.cons);
	}
	if (r == HUT_CONSOLE_BAD)
		CHECK(ring.why[0] != 0);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	memset(mem.host + REGION_GPA, 0, HUT_CONSOLE_REGION_SIZE);
	CHECK(hut_console_ring_init(&ring, &mem, REGION_GPA) == 0);
	uint8_t op;
	while (fuzz_take(&data, &size, &op, 1) == 0) {
		if (op % 4 == 0) {
			uint16_t off;
			uint8_t len;
			if (fuzz_take(&data, &size, &off, 2) || fuzz_take(&data, &size, &len, 1))
				break;
			uint64_t at = off % HUT_CONSOLE_REGION_SIZE;
			if (len > HUT_CONSOLE_REGION_SIZE - at)
				len = (uint8_t)(HUT_CONSOLE_REGION_SIZE - at);
			if (fuzz_take(&data, &size, mem.host + REGION_GPA + at, len))
				break;
		} else if (op % 4 == 1) {
			uint32_t v;
			if (fuzz_take(&data, &size, &v, 4))
				break;
			ring.shared->prod = v;
		} else if (op % 4 == 2) {
			uint8_t fd;
			uint16_t len;
			if (fuzz_take(&data, &size, &fd, 1) || fuzz_take(&data, &size, &len, 2))
				break;
			guest_record(fd % 4, len);
		} else if (pass() == HUT_CONSOLE_BAD) {
			break;
		}
	}
	return 0;
}
