/*
 * The clock syscalls over base/clock.c, and the sleeps: a sleep waits in
 * hut_wait (other threads run meanwhile); a signal handler due for the
 * thread ends it early with EINTR, as on Linux.
 */
#include "proc.h"

#include <errno.h>
#include <sys/time.h>
#include <time.h>

#define NS_PER_S 1000000000ull

HUT_SYSCALL(clock_gettime)
{
	uint64_t ns;
	int r = hut_clock_now(a0, &ns);
	if (r == 0)
		*(struct timespec *)a1 = hut_ns_to_timespec(ns);
	return r;
}

HUT_SYSCALL(clock_getres)
{
	uint64_t ns;
	int r = hut_clock_now(a0, &ns);
	if (r == 0 && a1)
		*(struct timespec *)a1 = hut_ns_to_timespec(1);
	return r;
}

HUT_SYSCALL(gettimeofday)
{
	uint64_t ns;
	hut_clock_now(CLOCK_REALTIME, &ns);
	if (a0)
		*(struct timeval *)a0 = (struct timeval){(time_t)(ns / NS_PER_S),
							 (suseconds_t)(ns % NS_PER_S / 1000)};
	return 0;
}

HUT_SYSCALL(time)
{
	uint64_t ns;
	hut_clock_now(CLOCK_REALTIME, &ns);
	time_t t = (time_t)(ns / NS_PER_S);
	if (a0)
		*(time_t *)a0 = t;
	return t;
}

/* Blocks until clock clk reaches deadline (ns). A signal from outside whose
 * handler is due ends the sleep early with -EINTR (the handler runs as the
 * syscall returns), *left then says how much of it was left. */
static long sleep_until(long clk, uint64_t deadline, uint64_t *left)
{
	uint64_t now;
	if (hut_clock_now(clk, &now) != 0 || now >= deadline)
		return 0;
	uint64_t boot = hut_time_since_boot_ns(), span = deadline - now;
	long r = hut_wait(NULL, NULL, span > UINT64_MAX - boot ? HUT_WAIT_FOREVER : boot + span,
			  HUT_WAIT_INTERRUPTIBLE);
	if (r != -EINTR)
		return 0;
	*left = hut_clock_now(clk, &now) == 0 && now < deadline ? deadline - now : 0;
	return -EINTR;
}

static long sleep_for(long clk, const struct timespec *req, int absolute, struct timespec *rem)
{
	uint64_t ns, now, left = 0;
	int r = hut_timespec_to_ns(req, &ns);
	if (r == 0)
		r = hut_clock_now(clk, &now);
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
