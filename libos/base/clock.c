/*
 * Time from the TSC: the monitor tells us its frequency and the wall-clock
 * time at a known TSC value, so reading a clock never leaves the guest
 * (clock.h reads them, inline).
 * The clock syscalls and sleeps are proc/timecalls.c.
 */
#include "base.h"

#include <errno.h>
#include <time.h>

#define NS_PER_S HUT_NS_PER_S

struct hut_clock hut_clock;

void hut_time_init(const struct hut_boot_info *bi)
{
	hut_clock.tsc_origin = bi->tsc_at_boot;
	hut_clock.ns_per_tick_fp32 = (1000000ull << 32) / bi->tsc_khz;
	hut_clock.wallclock_origin = bi->wallclock_ns;
}

void hut_time_restored(const struct hut_boot_info *bi)
{
	hut_clock.tsc_origin = bi->tsc_at_boot;
	hut_clock.wallclock_origin = bi->wallclock_ns;
}

/* CLOCK_REALTIME, for file timestamps. */
struct timespec hut_realtime(void)
{
	return hut_ns_to_timespec(hut_clock.wallclock_origin + hut_time_since_boot_ns());
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

long hut_itimerspec_in(const struct itimerspec *in, uint64_t *value_ns, uint64_t *interval_ns)
{
	if (!hut_user_readable(in, sizeof *in))
		return -EFAULT;
	long r = hut_timespec_to_ns(&in->it_value, value_ns);
	return r ? r : hut_timespec_to_ns(&in->it_interval, interval_ns);
}

void hut_itimerspec_out(struct itimerspec *out, uint64_t value_ns, uint64_t interval_ns)
{
	out->it_value = hut_ns_to_timespec(value_ns);
	out->it_interval = hut_ns_to_timespec(interval_ns);
}
