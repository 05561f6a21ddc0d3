/*
 * The scheduler: who gets the one vCPU. Threads take turns round the ring
 * of live threads (thread.c). A thread gives the vCPU up
 *  - when it waits (hut_wait, wait.c): the next thread runs; a thread that
 *    was waiting looks at its own predicate again when its turn comes;
 *    when every live thread has looked in vain since anything progressed,
 *    the vCPU sleeps in the poll hypercall until the earliest deadline
 *    among them (or device news) and the round starts again;
 *  - when it calls sched_yield;
 *  - on the way out of any syscall, once it has held the vCPU for a time
 *    slice (HUT_SLICE_MS);
 *  - at a tick, when it spins without syscalls past the end of its slice
 *    while another thread could run (hut_sched_tick_at tells the monitor
 *    when: docs/ARCHITECTURE.md, "Ticks").
 */
#include "proc.h"

/* Waits found not over, in a row, since a thread last ran app code (any
 * syscall's entry resets it, as does a new or ended thread): when it
 * reaches the number of live threads, all of them wait. */
static unsigned vain_looks;
/* Syscalls entered: a wait that looked in vain before the last one may be
 * over now; one that looked since needs only its deadline. */
static uint64_t progress;
static int device_news; /* a device may end a wait (the network) */

void hut_sched_progress(void)
{
	vain_looks = 0;
	progress++;
}

int hut_sched_block(uint64_t deadline_ns)
{
	struct hut_thread *me = hut_thread_now;
	me->waiting = 1;
	me->wait_deadline = deadline_ns;
	me->looked = progress;
	if (hut_threads_live == 1 || ++vain_looks >= hut_threads_live) {
		vain_looks = 0;
		return 0;
	}
	hut_thread_switch_to(me->next);
	return 1;
}

uint64_t hut_sched_next_deadline(void)
{
	uint64_t first = HUT_WAIT_FOREVER;
	struct hut_thread *t = hut_thread_now;
	do {
		if (t->waiting && t->wait_deadline < first)
			first = t->wait_deadline;
		t = t->next;
	} while (t != hut_thread_now);
	return first;
}

int hut_sched_all_wait_input(void)
{
	struct hut_thread *t = hut_thread_now;
	do {
		if (t->waiting && t->timed_sleep)
			return 0;
		t = t->next;
	} while (t != hut_thread_now);
	return 1;
}

void hut_sched_wait_over(void)
{
	hut_thread_now->waiting = 0;
	vain_looks = 0;
}

/* The caller can run on, but lets the others have a turn first. */
void hut_sched_yield(void)
{
	if (hut_threads_live == 1)
		return;
	vain_looks = 0;
	hut_thread_switch_to(hut_thread_now->next);
	vain_looks = 0;
}

void hut_sched_device_news(int may)
{
	device_news = may;
}

static uint64_t ns_since_boot(uint64_t tsc)
{
	if (tsc < hut_clock.tsc_origin)
		return 0;
	return (uint64_t)(((unsigned __int128)(tsc - hut_clock.tsc_origin) *
			   hut_clock.ns_per_tick_fp32) >>
			  32);
}

/* Another thread may need the vCPU at the running one's slice end if it
 * does not wait, or its wait may be over (it looked before the last
 * syscall; or device news may end it); else at its deadline, if later. */
uint64_t hut_sched_tick_at(void)
{
	if (hut_threads_live == 1)
		return 0;
	uint64_t slice_end = ns_since_boot(hut_thread_now->slice_start) + HUT_SLICE_NS;
	uint64_t first = 0;
	for (const struct hut_thread *t = hut_thread_now->next; t != hut_thread_now; t = t->next) {
		uint64_t at = slice_end;
		if (t->waiting && t->looked == progress && !device_news) {
			if (t->wait_deadline == HUT_WAIT_FOREVER)
				continue;
			at = t->wait_deadline > slice_end ? t->wait_deadline : slice_end;
		}
		if (!first || at < first)
			first = at;
	}
	return first;
}

void hut_sched_preempt_point(void)
{
	static uint64_t slice_ticks;
	if (hut_threads_live == 1)
		return;
	if (!slice_ticks)
		slice_ticks = hut_boot_info->tsc_khz * HUT_SLICE_MS;
	if (hut_rdtsc() - hut_thread_now->slice_start >= slice_ticks)
		hut_sched_yield();
}
