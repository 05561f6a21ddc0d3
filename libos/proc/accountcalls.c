/*
 * What a process asks about its own running: CPU time (getrusage, times),
 * its niceness and scheduling policy, its name and the prctl settings
 * daemons make, and its process group and session. One process, alone on
 * its vCPU, root in its own box: the answers are true for that (CPU time
 * is the time the vCPU did not sleep, base/clock.h), and settings that
 * change nothing here are kept and reported back, as Linux would.
 */
#include "proc.h"

#include <errno.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/times.h>

#define TICKS_PER_S 100 /* AT_CLKTCK, sys/boot.c */
#define NICE_MIN (-20)
#define NICE_MAX 19

static int nice_value;
static int dumpable = 1, no_new_privs;

/* RUSAGE_SELF and RUSAGE_THREAD: the CPU time, all of it user time (the
 * libos's own work runs at the app's privilege level, and Linux would count
 * much of it as system time: the split is not known). RUSAGE_CHILDREN: the
 * CPU time of the children it reaped (and of theirs). */
HUT_SYSCALL(getrusage)
{
	struct rusage *ru = (struct rusage *)a1;
	if (a0 != RUSAGE_SELF && a0 != RUSAGE_THREAD && a0 != RUSAGE_CHILDREN)
		return -EINVAL;
	if (!hut_user_writable(ru, sizeof *ru))
		return -EFAULT;
	hut_memset(ru, 0, sizeof *ru);
	if (a0 == RUSAGE_CHILDREN) {
		ru->ru_utime = hut_ns_to_timeval(hut_proc_now->children_cpu_ns);
	} else {
		ru->ru_utime = hut_ns_to_timeval(hut_cpu_time_ns());
		ru->ru_maxrss =
			(long)((hut_pages_total() - hut_pages_free_count()) * HUT_PAGE_SIZE / 1024);
	}
	return 0;
}

/* times(): CPU time in clock ticks, and the ticks since boot (Linux counts
 * from an arbitrary point; the boot is one). */
HUT_SYSCALL(times)
{
	struct tms *t = (struct tms *)a0;
	if (t) {
		if (!hut_user_writable(t, sizeof *t))
			return -EFAULT;
		*t = (struct tms){
			.tms_utime = (clock_t)(hut_cpu_time_ns() / (HUT_NS_PER_S / TICKS_PER_S)),
			.tms_cutime = (clock_t)(hut_proc_now->children_cpu_ns /
						(HUT_NS_PER_S / TICKS_PER_S))};
	}
	return (long)(hut_time_since_boot_ns() / (HUT_NS_PER_S / TICKS_PER_S));
}

int hut_nice_value(void)
{
	return nice_value;
}

/* The one process: who 0 or 1 for PRIO_PROCESS and PRIO_PGRP; for PRIO_USER,
 * 0 or the real uid it runs as. */
static long check_who(long which, long who)
{
	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
		return -EINVAL;
	if (which == PRIO_USER ? who != 0 && who != hut_cred_current()->uid
			       : (who != 0 && who != 1))
		return -ESRCH;
	return 0;
}

/* The raw syscall returns 20 - nice (1..40), which libc turns back. */
HUT_SYSCALL(getpriority)
{
	long r = check_who(a0, a1);
	return r ? r : 20 - nice_value;
}

HUT_SYSCALL(setpriority)
{
	long r = check_who(a0, a1);
	if (r)
		return r;
	int nice = a2 < NICE_MIN ? NICE_MIN : a2 > NICE_MAX ? NICE_MAX : (int)a2;
	/* Lowering the niceness needs CAP_SYS_NICE or RLIMIT_NICE (as 20 -
	 * nice), as Linux's can_nice. */
	if (nice < nice_value && !hut_cred_capable(HUT_CAP_SYS_NICE) &&
	    (uint64_t)(20 - nice) > hut_rlimit_get(RLIMIT_NICE).cur)
		return -EACCES;
	nice_value = nice;
	return 0;
}

/* Scheduling policy: SCHED_OTHER, priority 0, is all there is; asking for
 * another is refused as an unprivileged Linux process would be refused. */
static long check_pid(long pid)
{
	if (pid < 0)
		return -EINVAL;
	return pid == 0 || hut_thread_by_tid(pid) ? 0 : -ESRCH;
}

HUT_SYSCALL(sched_getscheduler)
{
	long r = check_pid(a0);
	return r ? r : SCHED_OTHER;
}

HUT_SYSCALL(sched_setscheduler)
{
	long r = check_pid(a0);
	if (r)
		return r;
	const struct sched_param *p = (const struct sched_param *)a2;
	if (!hut_user_readable(p, sizeof *p))
		return -EFAULT;
	long policy = a1 & ~SCHED_RESET_ON_FORK;
	if (policy != SCHED_OTHER && policy != SCHED_BATCH && policy != SCHED_IDLE)
		return policy <= SCHED_RR ? -EPERM : -EINVAL;
	return p->sched_priority == 0 ? 0 : -EINVAL;
}

HUT_SYSCALL(sched_getparam)
{
	long r = check_pid(a0);
	struct sched_param *p = (struct sched_param *)a1;
	if (r)
		return r;
	if (!hut_user_writable(p, sizeof *p))
		return -EFAULT;
	p->sched_priority = 0;
	return 0;
}

HUT_SYSCALL(sched_setparam)
{
	long r = check_pid(a0);
	const struct sched_param *p = (const struct sched_param *)a1;
	if (r)
		return r;
	if (!hut_user_readable(p, sizeof *p))
		return -EFAULT;
	return p->sched_priority == 0 ? 0 : -EINVAL;
}

/* SCHED_FIFO and SCHED_RR: 1..99, as Linux; the others 0. */
HUT_SYSCALL(sched_get_priority_max)
{
	return a0 == SCHED_FIFO || a0 == SCHED_RR			    ? 99
	       : a0 == SCHED_OTHER || a0 == SCHED_BATCH || a0 == SCHED_IDLE ? 0
									    : -EINVAL;
}

HUT_SYSCALL(sched_get_priority_min)
{
	return a0 == SCHED_FIFO || a0 == SCHED_RR			    ? 1
	       : a0 == SCHED_OTHER || a0 == SCHED_BATCH || a0 == SCHED_IDLE ? 0
									    : -EINVAL;
}

/* --- prctl ------------------------------------------------------------------- */

static long set_name(const char *user)
{
	char name[16];
	long n = hut_user_string(user, name, sizeof name);
	if (n == -EFAULT)
		return n;
	if (n < 0) { /* longer than 15 bytes: Linux keeps the first 15 */
		if (!hut_user_readable(user, sizeof name - 1))
			return -EFAULT;
		hut_memcpy(name, user, sizeof name - 1);
		name[sizeof name - 1] = 0;
	}
	hut_memcpy(hut_thread_now->name, name, sizeof name);
	return 0;
}

static long get_name(char *user)
{
	if (!hut_user_writable(user, sizeof hut_thread_now->name))
		return -EFAULT;
	hut_memcpy(user, hut_thread_now->name, sizeof hut_thread_now->name);
	return 0;
}

static long get_int(long where, int value)
{
	if (!hut_user_writable((int *)where, sizeof(int)))
		return -EFAULT;
	*(int *)where = value;
	return 0;
}

HUT_SYSCALL(prctl)
{
	switch (a0) {
	case PR_SET_NAME:
		return set_name((const char *)a1);
	case PR_GET_NAME:
		return get_name((char *)a1);
	case PR_SET_PDEATHSIG: /* sent when the parent ends (proc/process.c) */
		if (a1 < 0 || a1 > 64)
			return -EINVAL;
		hut_proc_now->pdeath_signal = (int)a1;
		return 0;
	case PR_GET_PDEATHSIG:
		return get_int(a1, hut_proc_now->pdeath_signal);
	case PR_SET_CHILD_SUBREAPER: /* orphans below it come to it, not pid 1 */
		hut_proc_now->subreaper = a1 != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER:
		return get_int(a1, hut_proc_now->subreaper);
	case PR_SET_DUMPABLE:
		if (a1 != 0 && a1 != 1)
			return -EINVAL;
		dumpable = (int)a1;
		return 0;
	case PR_GET_DUMPABLE:
		return dumpable;
	case PR_SET_NO_NEW_PRIVS:
		if (a1 != 1 || a2 || a3 || a4)
			return -EINVAL;
		no_new_privs = 1;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		return a1 || a2 || a3 || a4 ? -EINVAL : no_new_privs;
	default: /* the capability options: keepcaps, the bounding and ambient sets */
		return hut_cred_prctl(a0, (unsigned long)a1, (unsigned long)a2, (unsigned long)a3,
				      (unsigned long)a4);
	}
}
