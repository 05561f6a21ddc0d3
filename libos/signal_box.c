/*
 * The libos's side of the signal box (include/hut/abi.h): the page where
 * hut-monitor leaves the signals that came from outside, and where the
 * libos tells it which signals are caught, ignored or blocked, so that the
 * monitor can apply a default action by itself. signal.c decides; this
 * file only reads and writes the box. Under hut-sud (no box) and as a
 * Linux process (no libos at all) there is nothing to do.
 */
#include "libos.h"

static struct hut_signal_box *box;

void hut_signal_box_init(const struct hut_boot_info *bi)
{
	box = (struct hut_signal_box *)bi->signals;
}

/* The monitor ORs bits in while the vCPU is stopped, between any two of
 * our instructions: one exchange takes them all and loses none. */
uint64_t hut_signal_box_take(void)
{
	if (!box || !box->pending)
		return 0;
	return __atomic_exchange_n(&box->pending, 0, __ATOMIC_RELAXED);
}

void hut_signal_box_publish(uint64_t caught, uint64_t ignored, uint64_t blocked)
{
	if (!box)
		return;
	box->caught = caught;
	box->ignored = ignored;
	box->blocked = blocked;
}
