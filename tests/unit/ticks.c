/*
 * Unit tests for when the ticks module (monitor/modules/ticks.c) sets its
 * host timer after a tick: what the guest said comes next, a period
 * guessed when that has passed too, and never so soon after now that the
 * vCPU cannot run in between (a guest that hung for good when a 29 µs
 * "period" was guessed from two unrelated deadlines).
 */
#include "ticks.h"

#include <criterion/criterion.h>

#define US 1000ull
#define MS 1000000ull

Test(ticks, nothing_after_is_no_timer)
{
	cr_assert_eq(hut_tick_after(5 * MS, 0, 6 * MS), 0);
}

Test(ticks, a_later_then_is_kept)
{
	cr_assert_eq(hut_tick_after(5 * MS, 9 * MS, 6 * MS), 9 * MS);
}

Test(ticks, a_passed_then_moves_on_by_its_period)
{
	/* deadline 10 ms, then 14 ms (a 4 ms period); the tick came at 19 ms:
	 * the next multiple is 22 ms */
	cr_assert_eq(hut_tick_after(10 * MS, 14 * MS, 19 * MS), 22 * MS);
}

Test(ticks, a_passed_then_without_period_retries)
{
	uint64_t next = hut_tick_after(10 * MS, 10 * MS, 19 * MS);
	cr_assert_gt(next, 19 * MS);
}

Test(ticks, never_sooner_than_the_gap)
{
	/* the hang: deadline and then 28.8 µs apart, both passed long ago */
	uint64_t deadline = 207524670, then = 207553458, now = 418419115;
	uint64_t next = hut_tick_after(deadline, then, now);
	cr_assert_geq(next, now + HUT_TICK_GAP_NS);
	/* a real then just ahead is put off to the gap as well */
	cr_assert_eq(hut_tick_after(now - US, now + 5 * US, now), now + HUT_TICK_GAP_NS);
}
