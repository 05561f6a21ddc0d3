/*
 * The libos's side of the signal box (include/hut/abi.h): the page where
 * hut-monitor leaves the signals that came from outside, and where the
 * libos tells it which signals are caught, ignored or blocked, so that the
 * monitor can apply a default action by itself. proc/signal.c decides; this
 * file only reads and writes the box.
 */
#include "base.h"

static struct hut_signal_box *box;
static int ticks; /* the monitor serves the tick fields */

void hut_signal_box_init(const struct hut_boot_info *bi)
{
	box = (struct hut_signal_box *)bi->signals;
	ticks = box && (bi->flags & HUT_BOOT_TICKS);
}

/* A process was made (fork): --trace-exits and --trace-boot say how many,
 * and how many lived at once (alive: made, not yet ended). */
void hut_signal_box_count_fork(uint64_t alive)
{
	if (!box)
		return;
	box->forks++;
	if (alive > box->procs_max)
		box->procs_max = alive;
}

void hut_signal_box_ticks_init(uint64_t entry, const uint64_t *running)
{
	if (!ticks)
		return;
	box->tick_entry = entry;
	box->running = (uint64_t)running;
}

/* A tick this much late is no worse than an exit to move it earlier. */
#define TICK_SLACK_NS 20000

/* One compare when nothing moved earlier; an exit when it did. */
void hut_signal_box_deadline(uint64_t deadline, uint64_t then)
{
	if (!ticks)
		return;
	box->deadline = deadline;
	box->then = then;
	uint64_t armed = __atomic_load_n(&box->armed, __ATOMIC_RELAXED);
	if (deadline && (!armed || deadline + TICK_SLACK_NS < armed))
		hut_hypercall(HUT_HC_TICK, 0);
}

int hut_signal_box_deadline_set(void)
{
	return ticks && box->deadline != 0;
}

uint64_t hut_signal_box_tick_rip(void)
{
	return box ? box->tick_rip : 0;
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
