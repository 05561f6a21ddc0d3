/*
 * The libos's side of the signal box (include/hut/abi.h): the page where
 * hut-monitor leaves the signals that came from outside, and where the
 * libos tells it which signals are caught, ignored or blocked, so that the
 * monitor can apply a default action by itself. signal.c decides; this
 * file reads and writes the box, and holds pause(), the one call that only
 * waits for a signal.
 */
#include "libos.h"
#include "syscalls.h"
#include "wait.h"

#include <errno.h>

static struct hut_signal_box *box;

void hut_signal_box_init(const struct hut_boot_info *bi)
{
	box = (struct hut_signal_box *)bi->signals;
}

/* The monitor ORs bits in while the vCPU is stopped, between any two of
 * our instructions: one exchange takes them all and loses none. Each is
 * then raised as if we had sent it ourselves. */
void hut_signal_box_take(void)
{
	if (!box || !__atomic_load_n(&box->pending, __ATOMIC_RELAXED))
		return;
	uint64_t got = __atomic_exchange_n(&box->pending, 0, __ATOMIC_RELAXED);
	for (int sig = 1; sig <= 64; sig++)
		if (got & (1ull << (sig - 1)))
			hut_signal_raise(sig);
}

void hut_signal_box_publish(uint64_t caught, uint64_t ignored, uint64_t blocked)
{
	if (!box)
		return;
	box->caught = caught;
	box->ignored = ignored;
	box->blocked = blocked;
}

/* Only a signal whose handler runs ends it (a fatal one never returns). */
HUT_SYSCALL(pause)
{
	return hut_wait(NULL, NULL, HUT_WAIT_FOREVER, HUT_WAIT_INTERRUPTIBLE);
}
