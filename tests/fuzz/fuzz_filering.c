/*
 * libFuzzer target: the file ring reader (monitor/modules/files_ring.c)
 * against a hostile guest that rewrites its region, prod and slots
 * included, between every pass of the I/O thread, and rewrites a slot
 * right after the reader copied it (as a guest on another CPU may).
 * Requests are "served" by a fake that only writes a result: what a
 * request does is files.c's, fuzzed through the hypercall (fuzz_hypercall).
 *
 * The oracles besides ASan/UBSan: guest RAM sits between PROT_NONE guard
 * pages; a request handed out is the slot's bytes at the moment of the
 * copy, and stays so when the guest rewrites the slot; the monitor's own
 * cons moves only forward, by one a request, never past what the guest
 * published, and the region's cons and events follow it; a
 * HUT_FILE_RING_BAD comes with a reason.
 *
 * Input: records, each an opcode byte:
 *   op % 4 == 0: patch the region: u16 offset (mod the region), u8 len, bytes
 *   op % 4 == 1: set prod: u32
 *   op % 4 == 2: post a request at prod: u8 op, u32 handle (the libos's
 *                own writer, so that deep paths are reached)
 *   op % 4 == 3: a pass: requests until the ring is empty or bad
 */
#include "files_ring.h"
#include "guest_ram.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RAM_SIZE (HUT_U64(4) << 20)
#define REGION_GPA (HUT_U64(2) << 20)
static struct hut_mem mem;
static struct hut_file_ring ring;

static struct hut_hc_file *slot_of(uint32_t i)
{
	return (struct hut_hc_file *)(mem.host + REGION_GPA + HUT_FILE_SLOTS_OFFSET +
				      (uint64_t)(i % HUT_FILE_RING_SLOTS) * HUT_FILE_SLOT_SIZE);
}

static void guest_post(uint8_t op, uint32_t handle)
{
	uint32_t prod = ring.shared->prod;
	*slot_of(prod) = (struct hut_hc_file){.op = op, .handle = handle, .result = 777};
	ring.shared->prod = prod + 1;
}

static int pass(void)
{
	static struct hut_hc_file req, seen;
	int r;
	while ((r = hut_file_ring_next(&ring, &req)) > 0) {
		uint32_t before = ring.cons;
		CHECK(ring.shared->prod - before <= HUT_FILE_RING_SLOTS);
		CHECK(ring.shared->prod != before);
		CHECK(memcmp(&req, slot_of(before), sizeof req) == 0);
		seen = req;
		memset(slot_of(before), 0xa5, sizeof req); /* the guest, meanwhile */
		CHECK(memcmp(&req, &seen, sizeof req) == 0);
		req.result = -(int64_t)req.op;
		hut_file_ring_done(&ring, &req);
		CHECK(ring.cons == before + 1);
		CHECK(ring.shared->cons == ring.cons && ring.shared->events == ring.events);
		CHECK(slot_of(before)->result == -(int64_t)seen.op);
	}
	if (r == HUT_FILE_RING_BAD)
		CHECK(ring.why[0] != 0);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_guest_ram(&mem, RAM_SIZE);
	memset(mem.host + REGION_GPA, 0, HUT_FILE_REGION_SIZE);
	CHECK(hut_file_ring_init(&ring, &mem, REGION_GPA) == 0);
	CHECK(hut_file_ring_init(&ring, &mem, RAM_SIZE - HUT_PAGE_SIZE) == HUT_FILE_RING_BAD);
	CHECK(hut_file_ring_init(&ring, &mem, REGION_GPA) == 0);
	uint8_t op;
	while (fuzz_take(&data, &size, &op, 1) == 0) {
		if (op % 4 == 0) {
			uint16_t off;
			uint8_t len;
			if (fuzz_take(&data, &size, &off, 2) || fuzz_take(&data, &size, &len, 1))
				break;
			uint64_t at = off % HUT_FILE_REGION_SIZE;
			if (len > HUT_FILE_REGION_SIZE - at)
				len = (uint8_t)(HUT_FILE_REGION_SIZE - at);
			if (fuzz_take(&data, &size, mem.host + REGION_GPA + at, len))
				break;
		} else if (op % 4 == 1) {
			uint32_t v;
			if (fuzz_take(&data, &size, &v, 4))
				break;
			ring.shared->prod = v;
		} else if (op % 4 == 2) {
			uint8_t fop;
			uint32_t handle;
			if (fuzz_take(&data, &size, &fop, 1) || fuzz_take(&data, &size, &handle, 4))
				break;
			guest_post(fop, handle);
		} else if (pass() == HUT_FILE_RING_BAD) {
			break;
		}
	}
	return 0;
}
