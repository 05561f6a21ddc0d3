/*
 * File hypercalls made by hand, as a guest without a libos would (the
 * hostile guests and volume_guard): fh is the argument block the monitor
 * reads and answers in; its result starts as a value no call returns, so a
 * monitor that never wrote it shows. With file_ring_mode set, each goes
 * through the file ring instead (include/hut/abi.h, "File ring"), posted
 * and waited for by hand: the monitor must check it the same way.
 */
#ifndef RAW_FILE_H
#define RAW_FILE_H

#include <hut/abi.h>
#include <stdint.h>
#include <string.h>

#include "raw_hypercall.h"

extern const struct hut_boot_info *hut_boot_info;

static struct hut_hc_file fh;
static int file_ring_mode;

static struct hut_file_shared *file_ring(void)
{
	return (struct hut_file_shared *)hut_boot_info->file_ring;
}

static struct hut_hc_file *file_slot(uint32_t i)
{
	return (struct hut_hc_file *)((uint8_t *)file_ring() + HUT_FILE_SLOTS_OFFSET +
				      (i % HUT_FILE_RING_SLOTS) * HUT_FILE_SLOT_SIZE);
}

static int file_done(uint32_t t)
{
	return (int32_t)(__atomic_load_n(&file_ring()->cons, __ATOMIC_SEQ_CST) - t) > 0;
}

/* Posts fh at the ring's prod and kicks (a kick too many does no harm). */
static uint32_t file_post(void)
{
	uint32_t t = __atomic_load_n(&file_ring()->prod, __ATOMIC_SEQ_CST);
	*file_slot(t) = fh;
	__atomic_store_n(&file_ring()->prod, t + 1, __ATOMIC_SEQ_CST);
	raw_hypercall(HUT_HC_FILE_KICK, 0);
	return t;
}

/* Sleeps in the poll hypercall until request t is done. */
static void file_wait(uint32_t t)
{
	while (!file_done(t)) {
		static struct hut_hc_poll p;
		p = (struct hut_hc_poll){.timeout_ns = 1000000,
					 .wait = HUT_POLL_FILE,
					 .file_events = file_ring()->events};
		if (!file_done(t))
			raw_hypercall(HUT_HC_POLL, (uint64_t)&p);
	}
}

static int64_t file_call(struct hut_hc_file f)
{
	fh = f;
	fh.result = 12345;
	if (!file_ring_mode) {
		raw_hypercall(HUT_HC_FILE, (uint64_t)&fh);
		return fh.result;
	}
	uint32_t t = file_post();
	file_wait(t);
	fh = *file_slot(t);
	return fh.result;
}

static struct hut_hc_file on(uint32_t op, const char *path)
{
	return (struct hut_hc_file){.op = op, .path = (uint64_t)path, .path_len = strlen(path)};
}

#endif
