/*
 * The libos's side of the signal box (include/hut/abi.h): the page where
 * hut-monitor leaves the signals that came from outside, and where the
 * libos tells it which signals are caught, ignored or blocked, so that the
 * monitor can apply a default action by itself. proc/signal.c decides; this
 * file only reads and writes the box.
 */
#include "base.h"

static struct hut_signal_box *box;

void hut_signal_box_init(const struct hut_boot_info *bi)
{
	box = (struct hut_signal_box *)bi->signals;
}

/* Two loads when nothing came: every syscall's way out passes here. */
uint64_t hut_signal_box_take(void)
{
	if (!box || !__atomic_load_n(&box->pending, __ATOMIC_RELAXED))
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
