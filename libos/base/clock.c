/*
 * Time from the TSC: the monitor tells us its frequency and the wall-clock
 * time at a known TSC value, so reading a clock never leaves the guest.
 * The clock syscalls and sleeps are proc/timecalls.c.
 */
#include "base.h"

#include <errno.h>
#include <time.h>

#define NS_PER_S 1000000000ull

static uint64_t tsc_origin;
static uint64_t ns_per_tick_fp32; /* nanoseconds per TSC tick, 32.32 fixed point */
static uint64_t wallclock_origin;

void hut_time_init(const struct hut_boot_info *bi)
{
	tsc_origin = bi->tsc_at_boot;
	ns_per_tick_fp32 = (1000000ull << 32) / bi->tsc_khz;
	wallclock_origin = bi->wallclock_ns;
}

uint64_t hut_time_since_boot_ns(void)
{
	unsigned __int128 ticks = hut_rdtsc() - tsc_origin;
	return (uint64_t)((ticks * ns_per_tick_fp32) >> 32);
}

int hut_clock_now(long clk, uint64_t *ns)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = wallclock_origin + hut_time_since_boot_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case CLOCK_PROCESS_CPUTIME_ID: /* one process, alone on its CPU; a thread's CPU time */
				       /* is not kept apart: it reads as the process's */
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = hut_time_since_boot_ns();
		return 0;
	default:
		return -EINVAL;
	}
}

struct timespec hut_ns_to_timespec(uint64_t ns)
{
	return (struct timespec){(time_t)(ns / NS_PER_S), (long)(ns % NS_PER_S)};
}

/* CLOCK_REALTIME, for file timestamps. */
struct timespec hut_realtime(void)
{
	return hut_ns_to_timespec(wallclock_origin + hut_time_since_boot_ns());
}

int hut_timespec_to_ns(const struct timespec *ts, uint64_t *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || (uint64_t)ts->tv_nsec >= NS_PER_S)
		return -EINVAL;
	if ((uint64_t)ts->tv_sec > UINT64_MAX / NS_PER_S - 1)
		*ns = UINT64_MAX;
	else
		*ns = (uint64_t)ts->tv_sec * NS_PER_S + (uint64_t)ts->tv_nsec;
	return 0;
}

/* The network device's events counter now: a sleep that does not wait for
 * the network asks to be woken only for what comes after. */
uint32_t hut_net_events_now(void)
{
	const struct hut_boot_net *n = &hut_boot_info->net;
	if (!n->region)
		return 0;
	return __atomic_load_n(&((const struct hut_net_shared *)n->region)->events,
			       __ATOMIC_ACQUIRE);
}
