/*
 * The POSIX timer syscalls (timer_create, timer_settime, timer_gettime,
 * timer_getoverrun, timer_delete) over proc/ptimer.c: the clock, the
 * struct sigevent and the itimerspecs checked here.
 */
#include "proc.h"

#include <errno.h>
#include <signal.h>
#include <time.h>

#define SIGEV_THREAD_ID_LINUX 4

/* The kernel's struct sigevent: value, signo, notify, then the thread id. */
struct k_sigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
	int32_t pad[11];
};

/* Whether clk counts CPU time (1), the wall clock (0), or is none (-1). */
static int clock_kind(long clk)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		return 1;
	default:
		return -1;
	}
}

/* timer_create(clock, sevp or NULL, &id): NULL is SIGEV_SIGNAL, SIGALRM,
 * the id as its value. */
HUT_SYSCALL(timer_create)
{
	const struct k_sigevent *sev = (const struct k_sigevent *)a1;
	int *idp = (int *)a2, cpu = clock_kind(a0);
	struct k_sigevent dflt = {0, SIGALRM, SIGEV_SIGNAL, 0, {0}};
	if (cpu < 0)
		return -EINVAL;
	if (!hut_user_writable(idp, sizeof *idp) || (sev && !hut_user_readable(sev, 16)))
		return -EFAULT;
	if (!sev)
		sev = &dflt;
	if (sev->notify != SIGEV_SIGNAL && sev->notify != SIGEV_NONE &&
	    sev->notify != SIGEV_THREAD_ID_LINUX)
		return -EINVAL;
	if (sev->notify != SIGEV_NONE && (sev->signo < 1 || sev->signo > 64))
		return -EINVAL;
	if (sev->notify == SIGEV_THREAD_ID_LINUX && !hut_thread_by_tid(sev->tid))
		return -EINVAL;
	long id = hut_ptimer_create((int)a0, cpu, sev->notify, sev->signo, sev->tid, sev->value,
				    sev == &dflt);
	if (id < 0)
		return id;
	*idp = (int)id;
	return 0;
}

HUT_SYSCALL(timer_gettime)
{
	struct itimerspec *out = (struct itimerspec *)a1;
	uint64_t value, interval;
	if (!hut_user_writable(out, sizeof *out))
		return -EFAULT;
	long r = hut_ptimer_get(a0, &value, &interval);
	if (r == 0)
		hut_itimerspec_out(out, value, interval);
	return r;
}

HUT_SYSCALL(timer_settime)
{
	const struct itimerspec *in = (const struct itimerspec *)a2;
	struct itimerspec *old = (struct itimerspec *)a3;
	uint64_t value, interval, old_value, old_interval;
	long r;
	if (a1 & ~(long)TIMER_ABSTIME)
		return -EINVAL;
	if (old && !hut_user_writable(old, sizeof *old))
		return -EFAULT;
	if ((r = hut_itimerspec_in(in, &value, &interval)) != 0)
		return r;
	if ((r = hut_ptimer_get(a0, &old_value, &old_interval)) != 0)
		return r;
	if (old)
		hut_itimerspec_out(old, old_value, old_interval);
	return hut_ptimer_set(a0, (a1 & TIMER_ABSTIME) != 0, value, interval);
}

HUT_SYSCALL(timer_getoverrun)
{
	return hut_ptimer_overrun(a0);
}

HUT_SYSCALL(timer_delete)
{
	return hut_ptimer_delete(a0);
}
