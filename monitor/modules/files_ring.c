/*
 * The file ring reader. The guest writes the ring while the I/O thread
 * reads it, from another CPU: prod is read once into a local and checked,
 * our position (cons) lives in monitor memory and is only ever written
 * out, and each request is copied whole out of its slot before any of its
 * fields is used, so that a guest changing a slot mid-way changes nothing
 * the monitor acts on (files.c checks the copy as it checks a hypercall's
 * argument: paths, iovecs and buffers through hut_gpa).
 */
#include "files_ring.h"

#include <stdio.h>
#include <string.h>

int hut_file_ring_init(struct hut_file_ring *r, const struct hut_mem *mem, uint64_t gpa)
{
	uint8_t *base = hut_gpa(mem, gpa, HUT_FILE_REGION_SIZE);
	if (!base || gpa % HUT_PAGE_SIZE) {
		snprintf(r->why, sizeof r->why, "file ring at 0x%lx+%llu is not in guest memory",
			 (unsigned long)gpa, (unsigned long long)HUT_FILE_REGION_SIZE);
		return HUT_FILE_RING_BAD;
	}
	r->shared = (struct hut_file_shared *)base;
	r->slots = base + HUT_FILE_SLOTS_OFFSET;
	r->cons = 0;
	r->events = 0;
	r->why[0] = 0;
	return 0;
}

static uint8_t *slot(const struct hut_file_ring *r, uint32_t i)
{
	return r->slots + (uint64_t)(i % HUT_FILE_RING_SLOTS) * HUT_FILE_SLOT_SIZE;
}

bool hut_file_ring_pending(const struct hut_file_ring *r)
{
	return __atomic_load_n(&r->shared->prod, __ATOMIC_ACQUIRE) != r->cons;
}

int hut_file_ring_next(struct hut_file_ring *r, struct hut_hc_file *out)
{
	uint32_t prod = __atomic_load_n(&r->shared->prod, __ATOMIC_ACQUIRE);
	uint32_t ahead = prod - r->cons;
	if (ahead == 0)
		return 0;
	if (ahead > HUT_FILE_RING_SLOTS) {
		snprintf(r->why, sizeof r->why,
			 "prod %u is %u requests ahead of cons %u (the ring has %u slots)", prod,
			 ahead, r->cons, (unsigned)HUT_FILE_RING_SLOTS);
		return HUT_FILE_RING_BAD;
	}
	/* One copy, then only the copy: the guest may write the slot now. */
	memcpy(out, slot(r, r->cons), sizeof *out);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return 1;
}

void hut_file_ring_done(struct hut_file_ring *r, const struct hut_hc_file *served)
{
	memcpy(slot(r, r->cons), served, sizeof *served);
	r->cons++;
	r->events++;
	__atomic_store_n(&r->shared->cons, r->cons, __ATOMIC_RELEASE);
	__atomic_store_n(&r->shared->events, r->events, __ATOMIC_RELEASE);
}
