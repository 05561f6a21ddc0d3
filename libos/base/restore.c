/*
 * A guest restored from a snapshot (docs/ARCHITECTURE.md, "Snapshots"):
 * the monitor ends the poll or ready hypercall the snapshot was taken in
 * with HUT_POLL_RESTORED, having written a new random seed and a new wall
 * clock into the boot info. What must differ per instance is fixed here,
 * before anything else runs: the random stream (two restores must never
 * share ChaCha20 output), CLOCK_REALTIME, and, through hooks, what the
 * layers above hold (the network stack re-announces itself). Before a
 * ready point that will be a snapshot (--snapshot: the boot info says
 * so), the layers above let go, through hooks, of what a restore could
 * not give back (the volume cache's kept host handles).
 */
#include "base.h"

uint32_t hut_poll_flags, hut_poll_wait;
static struct hut_hooks restored_hooks, snapshot_hooks;

void hut_snapshot_hook_add(hut_hook_fn fn)
{
	hut_hooks_add(&snapshot_hooks, fn);
}

void hut_ready_point(void)
{
	if (hut_boot_info && (hut_boot_info->flags & HUT_BOOT_SNAPSHOT))
		hut_hooks_run(&snapshot_hooks, 0);
}

void hut_restored_hook_add(hut_hook_fn fn)
{
	hut_hooks_add(&restored_hooks, fn);
}

void hut_restored(void)
{
	hut_random_init(hut_boot_info);
	hut_time_restored(hut_boot_info);
	hut_hooks_run(&restored_hooks, 0);
}

void hut_poll_hypercall(struct hut_hc_poll *hc)
{
	hc->flags |= hut_poll_flags;
	if (hc->timeout_ns) { /* a sleep: what the looks before it asked for */
		hc->wait |= hut_poll_wait;
		hut_poll_wait = 0;
	}
	if (hc->flags & HUT_POLL_WAIT_INPUT)
		hut_ready_point();
	hut_hypercall(HUT_HC_POLL, hc);
	if (hc->ready & HUT_POLL_RESTORED)
		hut_restored();
}
