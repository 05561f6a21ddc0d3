/*
 * Time from the TSC: the monitor tells us its frequency and the wall-clock
 * time at a known TSC value, so reading a clock never leaves the guest.
 * Sleeping waits in hut_wait (other threads run meanwhile); a signal
 * handler due for the thread ends it early with EINTR, as on Linux.
 */
#include "libos.h"
#include "syscalls.h"
#include "wait.h"

#include <errno.h>
#include <sys/time.h>
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

static int clock_now(long clk, uint64_t *ns)
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

static struct timespec to_timespec(uint64_t ns)
{
	return (struct timespec){(time_t)(ns / NS_PER_S), (long)(ns % NS_PER_S)};
}

/* CLOCK_REALTIME, for file timestamps. */
struct timespec hut_realtime(void)
{
	return to_timespec(wallclock_origin + hut_time_since_boot_ns());
}

static int from_timespec(const struct timespec *ts, uint64_t *ns)
{
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || (uint64_t)ts->tv_nsec >= NS_PER_S)
		return -EINVAL;
	if ((uint64_t)ts->tv_sec > UINT64_MAX / NS_PER_S - 1)
		*ns = UINT64_MAX;
	else
		*ns = (uint64_t)ts->tv_sec * NS_PER_S + (uint64_t)ts->tv_nsec;
	return 0;
}

HUT_SYSCALL(clock_gettime)
{
	uint64_t ns;
	int r = clock_now(a0, &ns);
	if (r == 0)
		*(struct timespec *)a1 = to_timespec(ns);
	return r;
}

HUT_SYSCALL(clock_getres)
{
	uint64_t ns;
	int r = clock_now(a0, &ns);
	if (r == 0 && a1)
		*(struct timespec *)a1 = to_timespec(1);
	return r;
}

HUT_SYSCALL(gettimeofday)
{
	uint64_t ns = wallclock_origin + hut_time_since_boot_ns();
	if (a0)
		*(struct timeval *)a0 = (struct timeval){(time_t)(ns / NS_PER_S),
							 (suseconds_t)(ns % NS_PER_S / 1000)};
	return 0;
}

HUT_SYSCALL(time)
{
	time_t t = (time_t)((wallclock_origin + hut_time_since_boot_ns()) / NS_PER_S);
	if (a0)
		*(time_t *)a0 = t;
	return t;
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

/* Blocks until clock clk reaches deadline (ns). A signal from outside whose
 * handler is due ends the sleep early with -EINTR (the handler runs as the
 * syscall returns), *left then says how much of it was left. */
static long sleep_until(long clk, uint64_t deadline, uint64_t *left)
{
	uint64_t now;
	if (clock_now(clk, &now) != 0 || now >= deadline)
		return 0;
	uint64_t boot = hut_time_since_boot_ns(), span = deadline - now;
	long r = hut_wait(NULL, NULL, span > UINT64_MAX - boot ? HUT_WAIT_FOREVER : boot + span,
			  HUT_WAIT_INTERRUPTIBLE);
	if (r != -EINTR)
		return 0;
	*left = clock_now(clk, &now) == 0 && now < deadline ? deadline - now : 0;
	return -EINTR;
}

static long sleep_for(long clk, const struct timespec *req, int absolute, struct timespec *rem)
{
	uint64_t ns, now, left = 0;
	int r = from_timespec(req, &ns);
	if (r == 0)
		r = clock_now(clk, &now);
	if (r != 0)
		return r;
	if (!absolute)
		ns = ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
	r = sleep_until(clk, ns, &left);
	if (r == -EINTR && rem && !absolute)
		*rem = (struct timespec){(time_t)(left / NS_PER_S), (long)(left % NS_PER_S)};
	return r;
}

HUT_SYSCALL(nanosleep)
{
	return sleep_for(CLOCK_MONOTONIC, (const struct timespec *)a0, 0, (struct timespec *)a1);
}

HUT_SYSCALL(clock_nanosleep)
{
	if (a0 == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	return sleep_for(a0, (const struct timespec *)a2, (a1 & TIMER_ABSTIME) != 0,
			 (struct timespec *)a3);
}
