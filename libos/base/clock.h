/*
 * Reading the clocks, inline: servers read the time once or more per
 * request, so clock_gettime through musl must stay a handful of
 * instructions (rdtsc, a multiply, a shift). clock.c sets the origins once
 * at boot; included by base.h.
 */
#ifndef HUT_CLOCK_H
#define HUT_CLOCK_H

#include "arch/x86_64/cpu.h"

#include <errno.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#define HUT_NS_PER_S 1000000000ull

struct hut_clock {
	uint64_t tsc_origin;
	uint64_t ns_per_tick_fp32; /* nanoseconds per TSC tick, 32.32 fixed point */
	uint64_t wallclock_origin; /* CLOCK_REALTIME at tsc_origin */
	uint64_t idle_ns;	   /* slept in the poll hypercall (proc/wait.c adds) */
	uint64_t elsewhere_ns;	   /* busy time the running process did not get since
				    * it began: other processes ran (proc/cputime.c) */
};
extern struct hut_clock hut_clock;

static inline uint64_t hut_time_since_boot_ns(void)
{
	unsigned __int128 ticks = hut_rdtsc() - hut_clock.tsc_origin;
	return (uint64_t)((ticks * hut_clock.ns_per_tick_fp32) >> 32);
}

/* The appliance's CPU time: the time since boot less the time the vCPU
 * slept waiting (what /proc/stat and the load average count). */
static inline uint64_t hut_busy_time_ns(void)
{
	return hut_time_since_boot_ns() - hut_clock.idle_ns;
}

/* The running process's CPU time: the vCPU runs one process at a time, so
 * the appliance's less what other processes had since this one began. Its
 * threads' CPU time is not kept apart: each thread's clock reads as the
 * process's. */
static inline uint64_t hut_cpu_time_ns(void)
{
	return hut_busy_time_ns() - hut_clock.elsewhere_ns;
}

/* ns now on clock clk (a clockid_t), or -EINVAL. */
static inline int hut_clock_now(long clk, uint64_t *ns)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = hut_clock.wallclock_origin + hut_time_since_boot_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = hut_time_since_boot_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = hut_cpu_time_ns();
		return 0;
	default:
		return -EINVAL;
	}
}

static inline struct timespec hut_ns_to_timespec(uint64_t ns)
{
	return (struct timespec){(time_t)(ns / HUT_NS_PER_S), (long)(ns % HUT_NS_PER_S)};
}

static inline struct timeval hut_ns_to_timeval(uint64_t ns)
{
	return (struct timeval){(time_t)(ns / HUT_NS_PER_S), (long)(ns % HUT_NS_PER_S / 1000)};
}

#endif
