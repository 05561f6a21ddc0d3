/*
 * The signal syscalls: the arguments checked here, dispositions, masks and
 * sending in proc/signal.c; pause and rt_sigsuspend wait in proc/wait.c.
 */
#include "proc.h"

#include <errno.h>
#include <signal.h>
#include <time.h>

#define NSIG_LINUX 64
#define SIGSET_SIZE 8 /* the kernel's sigset_t: 64 bits */

HUT_SYSCALL(rt_sigaction)
{
	int sig = (int)a0;
	if (sig < 1 || sig > NSIG_LINUX || a3 != SIGSET_SIZE)
		return -EINVAL;
	if (a1 && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	hut_signal_action(sig, (const void *)a1, (void *)a2);
	return 0;
}

HUT_SYSCALL(rt_sigprocmask)
{
	if (a3 != SIGSET_SIZE)
		return -EINVAL;
	if (a1 && a0 != SIG_BLOCK && a0 != SIG_UNBLOCK && a0 != SIG_SETMASK) {
		if (a2) /* Linux stores the old mask before it looks at how */
			hut_signal_procmask(SIG_BLOCK, NULL, (uint64_t *)a2);
		return -EINVAL;
	}
	hut_signal_procmask((int)a0, (const uint64_t *)a1, (uint64_t *)a2);
	return 0;
}

HUT_SYSCALL(rt_sigsuspend)
{
	if (a1 != SIGSET_SIZE)
		return -EINVAL;
	if (!hut_user_readable((const void *)a0, sizeof(uint64_t)))
		return -EFAULT;
	hut_signal_suspend_mask(*(const uint64_t *)a0);
	hut_wait(NULL, NULL, HUT_WAIT_FOREVER, HUT_WAIT_INTERRUPTIBLE);
	return -EINTR;
}

/* The one call that only waits for a signal. */
HUT_SYSCALL(pause)
{
	return hut_wait(NULL, NULL, HUT_WAIT_FOREVER, HUT_WAIT_INTERRUPTIBLE);
}

HUT_SYSCALL(sigaltstack)
{
	return 0;
}

/* kill: a process, a group, or every process but pid 1 and the caller. */
HUT_SYSCALL(kill)
{
	if (a1 < 0 || a1 > NSIG_LINUX)
		return -EINVAL;
	if (a0 == INT32_MIN)
		return -ESRCH;
	return hut_process_kill(a0, (int)a1);
}

HUT_SYSCALL(tkill)
{
	return hut_signal_send_thread(a0, a1);
}

HUT_SYSCALL(tgkill)
{
	if (a0 <= 0 || a1 <= 0)
		return -EINVAL;
	struct hut_thread *t = hut_thread_by_tid(a1);
	return t && t->proc->pid == a0 ? hut_signal_send_thread(a1, a2) : -ESRCH;
}

/* sigpending: what is pending and blocked (what is not blocked is being
 * delivered). */
HUT_SYSCALL(rt_sigpending)
{
	uint64_t *out = (uint64_t *)a0;
	if (a1 > SIGSET_SIZE) /* Linux takes a shorter set, never a longer one */
		return -EINVAL;
	if (!hut_user_writable(out, (size_t)a1))
		return -EFAULT;
	uint64_t set = hut_signal_pending_set() & hut_thread_now->sig_blocked;
	hut_memcpy(out, &set, (size_t)a1);
	return 0;
}

struct signal_wait {
	uint64_t set;
	int sig;
	struct hut_siginfo from;
};

static int signal_came(void *arg)
{
	struct signal_wait *w = arg;
	w->sig = hut_signal_take_from(w->set, &w->from);
	return w->sig != 0;
}

/* sigwaitinfo, sigtimedwait, sigwait: waits for one of set (usually blocked)
 * and takes it instead of delivering it; EAGAIN when the timeout passes,
 * EINTR when a handler for another signal is due. */
HUT_SYSCALL(rt_sigtimedwait)
{
	const uint64_t *set = (const uint64_t *)a0;
	siginfo_t *info = (siginfo_t *)a1;
	const struct timespec *timeout = (const struct timespec *)a2;
	uint64_t ns = 0, deadline = HUT_WAIT_FOREVER;
	long r;
	if (a3 != SIGSET_SIZE)
		return -EINVAL;
	if (!hut_user_readable(set, sizeof *set) ||
	    (info && !hut_user_writable(info, sizeof *info)))
		return -EFAULT;
	if (timeout) {
		if (!hut_user_readable(timeout, sizeof *timeout))
			return -EFAULT;
		if ((r = hut_timespec_to_ns(timeout, &ns)) != 0)
			return r;
		uint64_t now = hut_time_since_boot_ns();
		deadline = ns > HUT_WAIT_FOREVER - now ? HUT_WAIT_FOREVER : now + ns;
	}
	struct signal_wait w = {
		*set & ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1))), 0, {0}};
	r = hut_wait(signal_came, &w, deadline, HUT_WAIT_INTERRUPTIBLE);
	if (r == -ETIMEDOUT)
		return -EAGAIN;
	if (r != 0)
		return r;
	if (info) {
		hut_memset(info, 0, sizeof *info);
		info->si_signo = w.sig;
		info->si_code = w.from.code ? w.from.code : SI_USER;
		if (w.from.code == SI_TIMER) {
			info->si_timerid = w.from.timerid;
			info->si_overrun = w.from.overrun;
			info->si_value.sival_ptr = (void *)w.from.value;
		} else {
			info->si_pid = w.from.pid ? w.from.pid : hut_proc_now->pid;
			info->si_status = w.from.status;
		}
	}
	return w.sig;
}
