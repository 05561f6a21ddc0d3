/*
 * fork, vfork and the waits: wait4 (and so waitpid, wait) and waitid, with
 * the options a shell uses; a child that ended is reaped once, a stop
 * (WUNTRACED, WSTOPPED) or a continue (WCONTINUED) is reported once.
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

struct wait_for {
	long pid;
	int want; /* WEXITED, WSTOPPED, WCONTINUED */
};

/* A child matching has news asked for: the wait is over. */
static int child_has_news(void *arg)
{
	const struct wait_for *w = arg;
	int status;
	return hut_process_reap(w->pid, w->want, &status, 1) != 0;
}

/* Takes (or with keep, looks at) the news of a child matching pid, waiting
 * unless nohang: its pid, 0 (nohang, none yet) or -errno. */
static long wait_child(long pid, int want, int *status, int nohang, int keep)
{
	struct wait_for w = {pid, want};
	for (;;) {
		long found = hut_process_reap(pid, want, status, keep);
		if (found != 0 || nohang)
			return found;
		long err = hut_wait(child_has_news, &w, HUT_WAIT_FOREVER, HUT_WAIT_INTERRUPTIBLE);
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
	int status = 0, want = WEXITED | (a2 & WUNTRACED ? WSTOPPED : 0) | (int)(a2 & WCONTINUED);
	uint64_t children_before = hut_proc_now->children_cpu_ns;
	long pid = wait_child(a0, want, &status, a2 & WNOHANG, 0);
	if (pid > 0 && wstatus)
		*wstatus = status;
	if (pid >= 0 && ru) { /* the reaped child's CPU time (and its children's) */
		hut_memset(ru, 0, sizeof *ru);
		ru->ru_utime = hut_ns_to_timeval(hut_proc_now->children_cpu_ns - children_before);
	}
	return pid;
}

static void fill_siginfo(siginfo_t *si, long pid, int status)
{
	hut_memset(si, 0, sizeof *si);
	if (pid <= 0)
		return;
	si->si_signo = SIGCHLD;
	si->si_pid = (int)pid;
	if (WIFSTOPPED(status)) {
		si->si_code = CLD_STOPPED;
		si->si_status = WSTOPSIG(status);
	} else if (WIFCONTINUED(status)) {
		si->si_code = CLD_CONTINUED;
		si->si_status = SIGCONT;
	} else if (WIFSIGNALED(status)) {
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
	int status = 0;
	long found = wait_child(pid, (int)(a3 & (WEXITED | WSTOPPED | WCONTINUED)), &status,
				a3 & WNOHANG, a3 & WNOWAIT);
	if (found < 0)
		return found;
	if (si)
		fill_siginfo(si, found, status);
	return 0;
}
