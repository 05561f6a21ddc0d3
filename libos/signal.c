/*
 * Signals: one process, so the only signals are those it sends itself
 * (raise, abort, a failed write to a closed pipe). Dispositions and the mask
 * are kept as Linux keeps them; a pending signal is acted on when it is not
 * blocked. Handlers are recorded but not run (that needs signal frames):
 * a signal with a handler is ignored, with one warning.
 */
#include "libos.h"
#include "syscalls.h"

#include <errno.h>
#include <signal.h>

#define NSIG_LINUX 64

/* The kernel's struct sigaction, not libc's. */
struct k_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

static struct k_sigaction actions[NSIG_LINUX + 1];
static uint64_t blocked, pending;

static uint64_t bit(int sig)
{
	return 1ull << (sig - 1);
}

/* Signals whose default action is to do nothing. */
static int ignored_by_default(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

static void act(int sig)
{
	uint64_t h = actions[sig].handler;
	if (h == (uint64_t)SIG_IGN || (h == (uint64_t)SIG_DFL && ignored_by_default(sig)))
		return;
	if (h == (uint64_t)SIG_DFL)
		hut_exit(HUT_EXIT_SIGNAL, sig);
	static int warned;
	if (!warned++)
		hut_console_print(2, "hut: warning: signal handlers are not run; signal ignored\n");
}

static void deliver_pending(void)
{
	for (int sig = 1; sig <= NSIG_LINUX; sig++) {
		if ((pending & bit(sig)) && !(blocked & bit(sig))) {
			pending &= ~bit(sig);
			act(sig);
		}
	}
}

void hut_signal_raise(int sig)
{
	pending |= bit(sig);
	deliver_pending();
}

HUT_SYSCALL(rt_sigaction)
{
	int sig = (int)a0;
	if (sig < 1 || sig > NSIG_LINUX || a3 != 8)
		return -EINVAL;
	if (a1 && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (a2)
		hut_memcpy((void *)a2, &actions[sig], sizeof actions[sig]);
	if (a1)
		hut_memcpy(&actions[sig], (const void *)a1, sizeof actions[sig]);
	return 0;
}

HUT_SYSCALL(rt_sigprocmask)
{
	if (a3 != 8)
		return -EINVAL;
	if (a2)
		*(uint64_t *)a2 = blocked;
	if (a1) {
		uint64_t set = *(const uint64_t *)a1 & ~(bit(SIGKILL) | bit(SIGSTOP));
		if (a0 == SIG_BLOCK)
			blocked |= set;
		else if (a0 == SIG_UNBLOCK)
			blocked &= ~set;
		else if (a0 == SIG_SETMASK)
			blocked = set;
		else
			return -EINVAL;
		deliver_pending();
	}
	return 0;
}

HUT_SYSCALL(sigaltstack)
{
	return 0;
}

static long send_to_self(long target, long sig)
{
	if (target != 1 && target != 0 && target != -1)
		return -ESRCH;
	if (sig < 0 || sig > NSIG_LINUX)
		return -EINVAL;
	if (sig != 0)
		hut_signal_raise((int)sig);
	return 0;
}

HUT_SYSCALL(kill)
{
	return send_to_self(a0, a1);
}

HUT_SYSCALL(tkill)
{
	return send_to_self(a0, a1);
}

HUT_SYSCALL(tgkill)
{
	return a0 == 1 ? send_to_self(a1, a2) : -ESRCH;
}
