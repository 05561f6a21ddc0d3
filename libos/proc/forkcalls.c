/*
 * fork, vfork and the waits: wait4 (and so waitpid, wait) and waitid, with
 * the options a shell uses; a child that ended is reaped once. Stop and
 * continue are not served (no job control signals): WUNTRACED and
 * WCONTINUED are accepted and never report.
 */
#define _GNU_SOURCE
#include "proc.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define WAIT4_OPTIONS (WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)
#define WAITID_OPTIONS                                                                             \
	(WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT | __WNOTHREAD | __WCLONE | __WALL)
#define P_PIDFD 3

HUT_SYSCALL(fork)
{
	return hut_process_fork(SIGCHLD, 0, 0, 0);
}

HUT_SYSCALL(vfork)
{
	return hut_process_fork(CLONE_VFORK | SIGCHLD, 0, 0, 0);
}

HUT_SYSCALL(getpid)
{
	return hut_proc_now->pid;
}

HUT_SYSCALL(getppid)
{
	const struct hut_process *parent = hut_proc_now->parent;
	return parent ? parent->pid : 0;
}

/* A child matching pid has ended: the wait is over. */
static int child_ended(void *arg)
{
	int status;
	return hut_process_reap(*(long *)arg, &status, 1) != 0;
}

/* Reaps (or with keep, looks at) a child matching pid, waiting unless
 * nohang: its pid, 0 (nohang, none yet) or -errno. */
static long wait_child(long pid, int *status, int nohang, int keep)
{
	for (;;) {
		long found = hut_process_reap(pid, status, keep);
		if (found != 0 || nohang)
			return found;
		long err = hut_wait(child_ended, &pid, HUT_WAIT_FOREVER, HUT_WAIT_INTERRUPTIBLE);
		if (err)
			return err;
	}
}

HUT_SYSCALL(wait4)
{
	int *wstatus = (int *)a1;
	struct rusage *ru = (struct rusage *)a3;
	if (a2 & ~(long)WAIT4_OPTIONS)
		return -EINVAL;
	if (a0 == INT32_MIN) /* -INT_MIN has no group */
		return -ESRCH;
	if ((wstatus && !hut_user_writable(wstatus, sizeof *wstatus)) ||
	    (ru && !hut_user_writable(ru, sizeof *ru)))
		return -EFAULT;
	int status = 0;
	long pid = wait_child(a0, &status, a2 & WNOHANG, 0);
	if (pid > 0 && wstatus)
		*wstatus = status;
	if (pid >= 0 && ru)
		hut_memset(ru, 0, sizeof *ru);
	return pid;
}

static void fill_siginfo(siginfo_t *si, long pid, int status)
{
	hut_memset(si, 0, sizeof *si);
	if (pid <= 0)
		return;
	si->si_signo = SIGCHLD;
	si->si_pid = (int)pid;
	if (WIFSIGNALED(status)) {
		si->si_code = WCOREDUMP(status) ? CLD_DUMPED : CLD_KILLED;
		si->si_status = WTERMSIG(status);
	} else {
		si->si_code = CLD_EXITED;
		si->si_status = WEXITSTATUS(status);
	}
}

HUT_SYSCALL(waitid)
{
	siginfo_t *si = (siginfo_t *)a2;
	long pid;
	if ((a3 & ~(long)WAITID_OPTIONS) || !(a3 & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	if (a0 == P_ALL)
		pid = -1;
	else if (a0 == P_PID && a1 > 0)
		pid = a1;
	else if (a0 == P_PGID && a1 >= 0)
		pid = a1 ? -a1 : 0;
	else
		return -EINVAL;
	if (si && !hut_user_writable(si, sizeof *si))
		return -EFAULT;
	if (!(a3 & WEXITED)) { /* stops and continues are never reported */
		long any = hut_process_reap(pid, &(int){0}, 1);
		if (any < 0 || !(a3 & WNOHANG))
			return any < 0 ? any
				       : hut_wait(NULL, NULL, HUT_WAIT_FOREVER,
						  HUT_WAIT_INTERRUPTIBLE);
		if (si)
			fill_siginfo(si, 0, 0);
		return 0;
	}
	int status = 0;
	long found = wait_child(pid, &status, a3 & WNOHANG, a3 & WNOWAIT);
	if (found < 0)
		return found;
	if (si)
		fill_siginfo(si, found, status);
	return 0;
}
