/*
 * alarm and the interval timers (setitimer, getitimer): ITIMER_REAL on the
 * wall clock, SIGALRM; ITIMER_VIRTUAL and ITIMER_PROF on CPU time (the
 * libos runs at the app's level, so user and system time are one),
 * SIGVTALRM and SIGPROF. alarm shares ITIMER_REAL, as on Linux. Each
 * process has its own three, which signal it whichever process runs when
 * they fire; a fork's child starts with none armed, exec keeps them, the
 * process's end disarms them (hut_itimers_end), as on Linux. The two
 * CPU-time ones count their process's CPU time alone (proc/cputime.c).
 */
#include "proc.h"

#include <errno.h>
#include <signal.h>
#include <sys/time.h>

#define US_PER_S 1000000ull

struct itimer {
	struct hut_timer timer; /* first: its fire finds the itimer */
	int sig;
	struct hut_process *owner;
};

/* A process's three, made at its first alarm or setitimer. */
struct hut_itimers {
	struct itimer t[3];
};

static void raise_signal(struct hut_timer *t, uint64_t expirations)
{
	(void)expirations; /* a standard signal pending once is pending */
	const struct itimer *it = (const struct itimer *)t;
	struct hut_siginfo si = {.pid = it->owner->pid};
	hut_signal_send_to(it->owner, it->sig, &si);
}

static const struct itimer unarmed[3] = {
	[ITIMER_REAL] = {{.fire = raise_signal, .interrupts = 1}, SIGALRM, NULL},
	[ITIMER_VIRTUAL] = {{.fire = raise_signal, .cpu = 1, .interrupts = 1}, SIGVTALRM, NULL},
	[ITIMER_PROF] = {{.fire = raise_signal, .cpu = 1, .interrupts = 1}, SIGPROF, NULL},
};

static struct hut_itimers first_itimers; /* pid 1's: never freed */

/* What a process that never armed one reads. */
static const struct hut_itimers *unarmed_set(void)
{
	static struct hut_itimers none;
	return &none;
}

/* The running process's timers (made at the first use; NULL without
 * memory). */
static struct hut_itimers *mine(void)
{
	struct hut_process *p = hut_proc_now;
	if (p->itimers)
		return p->itimers;
	struct hut_itimers *its = p->pid == 1 ? &first_itimers : hut_kalloc(sizeof *its);
	if (!its)
		return NULL;
	for (int i = 0; i < 3; i++) {
		its->t[i] = unarmed[i];
		its->t[i].owner = p;
	}
	return p->itimers = its;
}

void hut_itimers_end(struct hut_process *p)
{
	struct hut_itimers *its = p->itimers;
	if (!its)
		return;
	for (int i = 0; i < 3; i++)
		hut_timer_disarm(&its->t[i].timer);
	p->itimers = NULL;
	if (its != &first_itimers)
		hut_kfree(its, sizeof *its);
}

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

static void current(const struct hut_itimers *its, int which, struct itimerval *out)
{
	const struct hut_timer *t = &its->t[which].timer;
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
	const struct hut_itimers *its = hut_proc_now->itimers;
	current(its ? its : unarmed_set(), (int)a0, out);
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
	struct hut_itimers *its = mine();
	if (!its)
		return -ENOMEM;
	if (old)
		current(its, (int)a0, old);
	if (in)
		hut_timer_arm(&its->t[a0].timer, value, value ? interval : 0);
	return 0;
}

/* The seconds left of the previous alarm, rounded as Linux rounds them. */
HUT_SYSCALL(alarm)
{
	struct hut_itimers *its = mine();
	if (!its)
		return -ENOMEM;
	struct hut_timer *t = &its->t[ITIMER_REAL].timer;
	uint64_t left = hut_timer_left(t);
	uint64_t secs = left / HUT_NS_PER_S, usecs = left % HUT_NS_PER_S / 1000;
	if ((!secs && usecs) || usecs >= 500000)
		secs++;
	hut_timer_arm(t, (uint64_t)(unsigned)a0 * HUT_NS_PER_S, 0);
	return (long)secs;
}
