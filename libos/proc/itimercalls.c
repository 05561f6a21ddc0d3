/*
 * alarm and the interval timers (setitimer, getitimer): ITIMER_REAL on the
 * wall clock, SIGALRM; ITIMER_VIRTUAL and ITIMER_PROF on the process's CPU
 * time (the libos runs at the app's level, so user and system time are one),
 * SIGVTALRM and SIGPROF. alarm shares ITIMER_REAL, as on Linux.
 */
#include "proc.h"

#include <errno.h>
#include <signal.h>
#include <sys/time.h>

#define US_PER_S 1000000ull

struct itimer {
	struct hut_timer timer;
	int sig;
};

static void raise_signal(struct hut_timer *t, uint64_t expirations)
{
	(void)expirations; /* a standard signal pending once is pending */
	hut_signal_raise(((struct itimer *)t)->sig);
}

static struct itimer itimers[3] = {
	[ITIMER_REAL] = {{.fire = raise_signal, .interrupts = 1}, SIGALRM},
	[ITIMER_VIRTUAL] = {{.fire = raise_signal, .cpu = 1, .interrupts = 1}, SIGVTALRM},
	[ITIMER_PROF] = {{.fire = raise_signal, .cpu = 1, .interrupts = 1}, SIGPROF},
};

static int timeval_ns(const struct timeval *tv, uint64_t *ns)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || (uint64_t)tv->tv_usec >= US_PER_S)
		return -EINVAL;
	*ns = (uint64_t)tv->tv_sec * HUT_NS_PER_S + (uint64_t)tv->tv_usec * 1000;
	return 0;
}

static struct timeval ns_timeval(uint64_t ns)
{
	/* Rounded up, so that an armed timer never reads as disarmed. */
	uint64_t us = (ns + 999) / 1000;
	return (struct timeval){(time_t)(us / US_PER_S), (suseconds_t)(us % US_PER_S)};
}

static void current(int which, struct itimerval *out)
{
	const struct hut_timer *t = &itimers[which].timer;
	out->it_value = ns_timeval(hut_timer_left(t));
	out->it_interval = ns_timeval(t->interval);
}

HUT_SYSCALL(getitimer)
{
	struct itimerval *out = (struct itimerval *)a1;
	if (a0 < 0 || a0 > ITIMER_PROF)
		return -EINVAL;
	if (!hut_user_writable(out, sizeof *out))
		return -EFAULT;
	current((int)a0, out);
	return 0;
}

HUT_SYSCALL(setitimer)
{
	const struct itimerval *in = (const struct itimerval *)a1;
	struct itimerval *old = (struct itimerval *)a2;
	uint64_t value, interval;
	long r;
	if (a0 < 0 || a0 > ITIMER_PROF)
		return -EINVAL;
	if (in && !hut_user_readable(in, sizeof *in))
		return -EFAULT;
	if (old && !hut_user_writable(old, sizeof *old))
		return -EFAULT;
	if (in && ((r = timeval_ns(&in->it_value, &value)) ||
		   (r = timeval_ns(&in->it_interval, &interval))))
		return r;
	if (old)
		current((int)a0, old);
	if (in)
		hut_timer_arm(&itimers[a0].timer, value, value ? interval : 0);
	return 0;
}

/* The seconds left of the previous alarm, rounded as Linux rounds them. */
HUT_SYSCALL(alarm)
{
	struct hut_timer *t = &itimers[ITIMER_REAL].timer;
	uint64_t left = hut_timer_left(t);
	uint64_t secs = left / HUT_NS_PER_S, usecs = left % HUT_NS_PER_S / 1000;
	if ((!secs && usecs) || usecs >= 500000)
		secs++;
	hut_timer_arm(t, (uint64_t)(unsigned)a0 * HUT_NS_PER_S, 0);
	return (long)secs;
}
