/*
 * Signals: one process, so signals are those it sends itself (raise, abort,
 * kill(getpid()), tgkill to one of its threads, a write to a closed pipe)
 * and those hut-monitor receives from outside, which come through the
 * signal box (base/signal_box.c): the monitor applies a default action itself,
 * and leaves a caught or blocked signal pending for us to take at the next
 * syscall return or sleep, where it joins the process's pending set.
 * Dispositions are the process's; each thread has its own mask and pending
 * set, beside the process's pending set (kill, signals from outside), which
 * any thread not blocking a signal takes, as Linux keeps them. A pending,
 * unblocked signal is acted on at once when its action is to ignore or to
 * terminate; a handler runs when the syscall returns, on a signal frame
 * built on the app's stack, as the kernel does, and rt_sigreturn undoes the
 * frame. A read, write, futex wait... that a handler interrupted is
 * restarted when the handler has SA_RESTART, as Linux restarts it
 * (pthread_cancel depends on it). Not supported: signals from CPU
 * exceptions (a fault ends the appliance), sigaltstack (handlers run on the
 * current stack).
 *
 * Stop signals (SIGSTOP, and SIGTSTP, SIGTTIN, SIGTTOU with no handler)
 * stop a process at once when sent: it is marked stopped, its parent told
 * (SIGCHLD with CLD_STOPPED unless SA_NOCLDSTOP, a report for WUNTRACED),
 * and each of its threads stays in the libos on its next way back to the
 * app (a syscall's return, a tick) until a SIGCONT, or a SIGKILL, which
 * ends it there. Other signals wait, pending, for the SIGCONT. pid 1 is
 * never stopped from inside, as Linux's init ignores them: nothing above it
 * in the appliance could continue it (a SIGSTOP from outside stops the
 * monitor itself: the host's).
 */
#define _GNU_SOURCE /* REG_* names for ucontext gregs */
#include "proc.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>

#define NSIG_LINUX 64
#define RED_ZONE 128
#define FXSAVE_SIZE 512

/* The kernel's struct sigaction, not libc's. */
struct k_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* What a handler finds on its stack: the return address (musl's
 * __restore_rt, which calls rt_sigreturn), then the context it may inspect.
 * The FPU/SSE state is saved 16-byte aligned below, where uc points to it. */
struct sigframe {
	uint64_t restorer;
	ucontext_t uc;
	siginfo_t info;
};

/* A process's signals (proc/process.h): each has its own. */
struct hut_sigstate {
	struct k_sigaction actions[NSIG_LINUX + 1];
	/* The origin of each pending signal a timer or a child sent, for the
	 * handler's siginfo and sigwaitinfo; one per signal, as a standard
	 * signal is pending once. */
	struct hut_siginfo origins[NSIG_LINUX + 1];
	uint64_t pending; /* sent to the process; threads' own are in hut_thread */
};

static struct hut_sigstate first_sigstate; /* pid 1's */
#define sigs (hut_proc_now->sig ? hut_proc_now->sig : &first_sigstate)
static hut_fatal_fn *fatal;
static struct hut_hooks pending_hooks; /* told when a signal becomes pending */

void hut_signal_on_fatal(hut_fatal_fn *end)
{
	fatal = end;
}

void hut_signal_on_pending(hut_hook_fn hook)
{
	hut_hooks_add(&pending_hooks, hook);
}

/* The libos's restorer: rt_sigreturn as a call, not a trap (sys/entry.S). */
static uint64_t restorer;

void hut_signal_set_restorer(uint64_t r)
{
	restorer = r;
}

static uint64_t bit(int sig)
{
	return 1ull << (sig - 1);
}

/* Signals whose action, here, is to do nothing by default. */
static int ignored_by_default(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH ||
	       sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static int has_handler(int sig)
{
	uint64_t h = sigs->actions[sig].handler;
	return h != (uint64_t)SIG_IGN && h != (uint64_t)SIG_DFL;
}

/* The running thread's pending, unblocked signals. */
static uint64_t due(void)
{
	const struct hut_thread *t = hut_thread_now;
	return (t->sig_pending | sigs->pending) & ~t->sig_blocked;
}

static void take(int sig)
{
	if (hut_thread_now->sig_pending & bit(sig))
		hut_thread_now->sig_pending &= ~bit(sig);
	else
		sigs->pending &= ~bit(sig);
}

static int is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static struct hut_sigstate *sigstate_of(const struct hut_process *p)
{
	return p->sig ? p->sig : &first_sigstate;
}

/* A stop or a continue of p, to its parent: SIGCHLD unless it set
 * SA_NOCLDSTOP or ignores it, and news for its wait. */
static void tell_parent_job(struct hut_process *p, int report, int code, int status)
{
	struct hut_process *parent = p->parent;
	p->wait_report = report;
	hut_sched_progress(); /* the parent's wait may be over */
	if (!parent)
		return;
	const struct k_sigaction *a = &sigstate_of(parent)->actions[SIGCHLD];
	if (a->handler == (uint64_t)SIG_IGN || (a->flags & SA_NOCLDSTOP))
		return;
	struct hut_siginfo si = {.code = code, .pid = p->pid, .status = status};
	hut_signal_send_to(parent, SIGCHLD, &si);
}

static void stop_process(struct hut_process *p, int sig)
{
	if (p->pid == 1 || p->zombie || p->stopped)
		return;
	p->stopped = 1;
	p->stop_signal = sig;
	tell_parent_job(p, WSTOPPED, CLD_STOPPED, sig);
}

/* The signals pending for p or any of its threads lose those of set. */
static void discard(struct hut_process *p, uint64_t set)
{
	sigstate_of(p)->pending &= ~set;
	struct hut_thread *t = hut_thread_now;
	do {
		if (t->proc == p)
			t->sig_pending &= ~set;
		t = t->next;
	} while (t != hut_thread_now);
}

static void continue_process(struct hut_process *p)
{
	discard(p, bit(SIGSTOP) | bit(SIGTSTP) | bit(SIGTTIN) | bit(SIGTTOU));
	if (!p->stopped)
		return;
	p->stopped = 0;
	tell_parent_job(p, WCONTINUED, CLD_CONTINUED, SIGCONT);
}

/* Whether a stop signal sent to p stops it now: SIGSTOP always, the others
 * when they have their default action and some thread of p takes them. */
static int stops_now(const struct hut_process *p, int sig)
{
	if (sig == SIGSTOP)
		return 1;
	if (sigstate_of(p)->actions[sig].handler != (uint64_t)SIG_DFL)
		return 0;
	const struct hut_thread *t = hut_thread_now;
	do {
		if (t->proc == p && !(t->sig_blocked & bit(sig)))
			return 1;
		t = t->next;
	} while (t != hut_thread_now);
	return 0;
}

/* jobctl.c's wait while stopped (a hook: it waits, wait.c asks here). */
static void (*stay_stopped)(void);

void hut_signal_on_stopped(void (*wait_while_stopped)(void))
{
	stay_stopped = wait_while_stopped;
}

/* What a signal with no handler does: nothing, stop the process, or end
 * it. */
static void act_without_handler(int sig)
{
	if (sigs->actions[sig].handler == (uint64_t)SIG_DFL && is_stop_signal(sig)) {
		stop_process(hut_proc_now, sig);
		return;
	}
	if (sigs->actions[sig].handler == (uint64_t)SIG_DFL && !ignored_by_default(sig)) {
		if (fatal)
			fatal(HUT_EXIT_SIGNAL, sig);
		hut_exit(HUT_EXIT_SIGNAL, sig); /* before boot wired the process's end */
	}
}

/* Tells the monitor what it needs to decide for a signal from outside. */
static void publish(void) /* called whenever dispositions or the mask change */
{
	uint64_t caught = 0, ignored = 0;
	if (hut_proc_now->pid != 1) /* signals from outside go to pid 1 */
		return;
	for (int sig = 1; sig <= NSIG_LINUX; sig++) {
		uint64_t h = sigs->actions[sig].handler;
		if (has_handler(sig))
			caught |= bit(sig);
		else if (h == (uint64_t)SIG_IGN || ignored_by_default(sig))
			ignored |= bit(sig);
	}
	hut_signal_box_publish(caught, ignored, hut_threads_blocked_by_all());
}

void hut_signal_threads_changed(void)
{
	publish();
}

/* Acts on pending, unblocked signals without handlers; those with one stay
 * pending until the syscall returns. */
static void act_on_pending(void)
{
	for (int sig = 1; sig <= NSIG_LINUX; sig++) {
		if (!(due() & bit(sig)) || has_handler(sig))
			continue;
		take(sig);
		act_without_handler(sig);
	}
}

/* Raises the signals the monitor left in the box (signals from outside). */
static void take_from_outside(void)
{
	uint64_t got = hut_signal_box_take();
	for (int sig = 1; got && sig <= NSIG_LINUX; sig++)
		if (got & bit(sig))
			hut_signal_send_to(&hut_first_process, sig, NULL);
}

int hut_signal_due(void)
{
	take_from_outside(); /* a default action or ignore is acted on now */
	if (due())
		act_on_pending(); /* another process's kill */
	return due() != 0;
}

/* A signal for process p, from the running one (kill, a child's end) or
 * from outside; si says where from (NULL: a kill by the running process).
 * p acts on it now if it runs, else when it next does. */
void hut_signal_send_to(struct hut_process *p, int sig, const struct hut_siginfo *si)
{
	struct hut_siginfo from = {0};
	from.pid = hut_proc_now->pid;
	struct hut_sigstate *to = sigstate_of(p);
	if (sig == SIGCONT)
		continue_process(p); /* even when caught or ignored, as Linux */
	if (is_stop_signal(sig)) {
		discard(p, bit(SIGCONT));
		if (stops_now(p, sig)) {
			stop_process(p, sig);
			return;
		}
	}
	to->origins[sig] = si ? *si : from;
	to->pending |= bit(sig);
	hut_hooks_run(&pending_hooks, NULL);
	if (p == hut_proc_now)
		act_on_pending();
	hut_sched_progress(); /* its waits may end */
}

static const struct k_sigaction *action_of(const struct hut_process *p, int sig)
{
	return &(p->sig ? p->sig : &first_sigstate)->actions[sig];
}

int hut_signal_ignored(const struct hut_process *p, int sig)
{
	const struct k_sigaction *a = action_of(p, sig);
	return a->handler == (uint64_t)SIG_IGN;
}

int hut_signal_child_autoreap(const struct hut_process *parent)
{
	const struct k_sigaction *a = action_of(parent, SIGCHLD);
	return a->handler == (uint64_t)SIG_IGN || (a->flags & SA_NOCLDWAIT);
}

/* exec: handlers cannot survive the program they were in; ignored signals
 * stay ignored, pending ones pending, the mask as it was (as Linux). */
void hut_signal_exec_reset(void)
{
	for (int sig = 1; sig <= NSIG_LINUX; sig++)
		if (sigs->actions[sig].handler != (uint64_t)SIG_IGN)
			sigs->actions[sig] = (struct k_sigaction){0};
	publish();
}

struct hut_sigstate *hut_sigstate_fork(void)
{
	struct hut_sigstate *s = hut_kalloc(sizeof *s);
	if (s)
		hut_memcpy(s->actions, sigs->actions, sizeof s->actions);
	return s;
}

void hut_sigstate_free(struct hut_sigstate *s)
{
	if (s && s != &first_sigstate)
		hut_kfree(s, sizeof *s);
}

/* A signal for the process (one from outside, through the box). */
void hut_signal_raise(int sig)
{
	sigs->pending |= bit(sig);
	hut_hooks_run(&pending_hooks, NULL);
	act_on_pending();
}

/* A signal for the running thread (a write to a closed pipe). */
void hut_signal_raise_thread(int sig)
{
	hut_thread_now->sig_pending |= bit(sig);
	hut_hooks_run(&pending_hooks, NULL);
	act_on_pending();
}

/* The origin of sig as it is taken: once read, it is gone. */
static struct hut_siginfo take_origin(int sig)
{
	struct hut_siginfo from = sigs->origins[sig];
	sigs->origins[sig] = (struct hut_siginfo){0};
	return from;
}

static void save_context(struct sigframe *fr, const struct hut_syscall_frame *f, long result,
			 void *fpu)
{
	greg_t *g = fr->uc.uc_mcontext.gregs;
	g[REG_RDI] = (greg_t)f->a0;
	g[REG_RSI] = (greg_t)f->a1;
	g[REG_RDX] = (greg_t)f->a2;
	g[REG_R10] = (greg_t)f->a3;
	g[REG_R8] = (greg_t)f->a4;
	g[REG_R9] = (greg_t)f->a5;
	g[REG_RAX] = result;
	g[REG_RBX] = (greg_t)f->rbx;
	g[REG_RBP] = (greg_t)f->rbp;
	g[REG_R12] = (greg_t)f->r12;
	g[REG_R13] = (greg_t)f->r13;
	g[REG_R14] = (greg_t)f->r14;
	g[REG_R15] = (greg_t)f->r15;
	g[REG_RCX] = (greg_t)f->rcx;
	g[REG_R11] = (greg_t)f->r11;
	g[REG_RIP] = (greg_t)f->rip;
	g[REG_EFL] = (greg_t)f->rflags;
	g[REG_RSP] = (greg_t)hut_user_rsp;
	fr->uc.uc_mcontext.fpregs = fpu;
	struct hut_thread *t = hut_thread_now;
	const uint64_t *saved = t->sig_has_restore ? &t->sig_restore : &t->sig_blocked;
	hut_memcpy(&fr->uc.uc_sigmask, saved, sizeof(uint64_t));
}

/* Builds sig's frame below the app's red zone and points the syscall's
 * return at the handler: %rdi = sig, %rsi = &info, %rdx = &uc. */
static void enter_handler(struct hut_syscall_frame *f, int sig, long result)
{
	const struct k_sigaction a = sigs->actions[sig]; /* a copy: SA_RESETHAND changes it */
	uint64_t sp = (hut_user_rsp - RED_ZONE - FXSAVE_SIZE) & ~63ull;
	void *fpu = (void *)sp;
	__asm__ volatile("fxsave64 %0" : "=m"(*(char(*)[FXSAVE_SIZE])fpu));
	sp = ((sp - sizeof(struct sigframe)) & ~15ull) - 8; /* as if called */
	struct sigframe *fr = (struct sigframe *)sp;
	hut_memset(fr, 0, sizeof *fr);
	fr->restorer = restorer && (a.flags & SA_RESTORER) ? restorer : a.restorer;
	struct hut_siginfo from = take_origin(sig);
	fr->info.si_signo = sig;
	fr->info.si_code = from.code ? from.code : SI_TKILL;
	if (from.code == SI_TIMER) {
		fr->info.si_timerid = from.timerid;
		fr->info.si_overrun = from.overrun;
		fr->info.si_value.sival_ptr = (void *)from.value;
	} else if (from.code >= CLD_EXITED && from.code <= CLD_CONTINUED && sig == SIGCHLD) {
		fr->info.si_code = from.code;
		fr->info.si_pid = from.pid;
		fr->info.si_status = from.status;
	} else {
		fr->info.si_code = from.pid == hut_proc_now->pid ? SI_TKILL : SI_USER;
		fr->info.si_pid = from.pid ? from.pid : hut_proc_now->pid;
	}
	save_context(fr, f, result, fpu);
	hut_thread_now->sig_blocked |= a.mask | ((a.flags & SA_NODEFER) ? 0 : bit(sig));
	if (a.flags & SA_RESETHAND)
		sigs->actions[sig].handler = (uint64_t)SIG_DFL;
	publish();
	f->rip = a.handler;
	f->rflags &= ~0x500ull; /* DF and TF clear, as the kernel leaves them */
	f->a0 = (uint64_t)sig;
	f->a1 = (uint64_t)&fr->info;
	f->a2 = (uint64_t)&fr->uc;
	hut_user_rsp = sp;
}

/* Whether Linux restarts syscall f, interrupted, after an SA_RESTART
 * handler: the blocking calls that return -ERESTARTSYS (a futex wait only
 * without a timeout; poll, select, epoll and sleeps return EINTR). */
static int restartable(const struct hut_syscall_frame *f)
{
	switch (f->nr) {
	case SYS_read:
	case SYS_readv:
	case SYS_write:
	case SYS_writev:
	case SYS_accept:
	case SYS_accept4:
	case SYS_recvfrom:
	case SYS_recvmsg:
	case SYS_sendto:
	case SYS_sendmsg:
	case SYS_flock:
	case SYS_fcntl: /* F_SETLKW, F_OFD_SETLKW: the only ones that wait */
	case SYS_wait4:
		return 1;
	case SYS_futex:
		return f->a3 == 0;
	default:
		return 0;
	}
}

/* Makes the interrupted syscall start again once the handler returns: the
 * app resumes at its `syscall` instruction or at the load and call of the
 * dispatcher (arch/x86_64/return.h), with %rax the number again. */
static long restart(struct hut_syscall_frame *f)
{
	f->rip -= f->via == HUT_VIA_SYSCALL ? HUT_RESTART_SYSCALL_LEN : HUT_RESTART_DISPATCH_LEN;
	return (long)f->nr;
}

/* The end of a call that waited under a mask of its own (rt_sigsuspend):
 * with a handler entered, its frame holds the caller's mask for sigreturn;
 * without one, the caller's mask comes back now. */
static void end_call_mask(int handler_entered)
{
	struct hut_thread *t = hut_thread_now;
	if (!t->sig_has_restore)
		return;
	t->sig_has_restore = 0;
	if (!handler_entered) {
		t->sig_blocked = t->sig_restore;
		publish();
	}
}

long hut_signal_deliver(struct hut_syscall_frame *f, long result)
{
	if (hut_proc_now->stopped && stay_stopped)
		stay_stopped(); /* the thread goes back to the app once continued */
	take_from_outside();	/* signals from outside: two loads when none came */
	if (!due()) {		/* every syscall passes here: the usual case first */
		end_call_mask(0);
		return result;
	}
	act_on_pending(); /* another process's kill with a default action */
	for (int sig = 1; sig <= NSIG_LINUX; sig++) {
		if ((due() & bit(sig)) && has_handler(sig)) {
			take(sig);
			if (f->via != HUT_VIA_TICK && result == -EINTR &&
			    (sigs->actions[sig].flags & SA_RESTART) && restartable(f))
				result = restart(f);
			enter_handler(f, sig, result);
			end_call_mask(1);
			return 0;
		}
	}
	end_call_mask(0);
	return result;
}

/* rt_sigreturn: the handler returned into musl's restorer, so %rsp is just
 * past the return address, at uc. Everything comes back from the frame,
 * every register: the handler may have interrupted the app anywhere (a
 * tick), so the way back is the one that gives %rcx and %r11 back too. */
long hut_signal_return(struct hut_syscall_frame *f)
{
	struct sigframe *fr = (struct sigframe *)(hut_user_rsp - offsetof(struct sigframe, uc));
	const greg_t *g = fr->uc.uc_mcontext.gregs;
	f->a0 = (uint64_t)g[REG_RDI];
	f->a1 = (uint64_t)g[REG_RSI];
	f->a2 = (uint64_t)g[REG_RDX];
	f->a3 = (uint64_t)g[REG_R10];
	f->a4 = (uint64_t)g[REG_R8];
	f->a5 = (uint64_t)g[REG_R9];
	f->rbx = (uint64_t)g[REG_RBX];
	f->rbp = (uint64_t)g[REG_RBP];
	f->r12 = (uint64_t)g[REG_R12];
	f->r13 = (uint64_t)g[REG_R13];
	f->r14 = (uint64_t)g[REG_R14];
	f->r15 = (uint64_t)g[REG_R15];
	f->rcx = (uint64_t)g[REG_RCX];
	f->r11 = (uint64_t)g[REG_R11];
	f->via = HUT_VIA_TICK;
	f->rip = (uint64_t)g[REG_RIP];
	f->rflags = ((uint64_t)g[REG_EFL] & 0xcd5ull) | 0x202ull; /* arithmetic flags and DF */
	hut_user_rsp = (uint64_t)g[REG_RSP];
	if (fr->uc.uc_mcontext.fpregs)
		__asm__ volatile("fxrstor64 %0"
				 :
				 : "m"(*(char(*)[FXSAVE_SIZE])fr->uc.uc_mcontext.fpregs));
	uint64_t *blocked = &hut_thread_now->sig_blocked;
	hut_memcpy(blocked, &fr->uc.uc_sigmask, sizeof *blocked);
	*blocked &= ~(bit(SIGKILL) | bit(SIGSTOP));
	publish();
	act_on_pending();
	return g[REG_RAX];
}

/* rt_sigaction: sig is 1..64, not SIGKILL or SIGSTOP if act is set. */
void hut_signal_action(int sig, const void *act, void *oldact)
{
	if (oldact)
		hut_memcpy(oldact, &sigs->actions[sig], sizeof sigs->actions[sig]);
	if (act) {
		hut_memcpy(&sigs->actions[sig], act, sizeof sigs->actions[sig]);
		publish();
		act_on_pending(); /* a pending signal now ignored, or now fatal */
	}
}

/* rt_sigprocmask: how is SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK. */
void hut_signal_procmask(int how, const uint64_t *set, uint64_t *old)
{
	uint64_t *blocked = &hut_thread_now->sig_blocked;
	if (old)
		*old = *blocked;
	if (set) {
		uint64_t want = *set & ~(bit(SIGKILL) | bit(SIGSTOP));
		if (how == SIG_BLOCK)
			*blocked |= want;
		else if (how == SIG_UNBLOCK)
			*blocked &= ~want;
		else
			*blocked = want;
		publish();
		act_on_pending();
	}
}

/* rt_sigsuspend's mask, until the call returns (the caller then waits). */
void hut_signal_suspend_mask(uint64_t mask)
{
	struct hut_thread *t = hut_thread_now;
	t->sig_restore = t->sig_blocked;
	t->sig_has_restore = 1;
	t->sig_blocked = mask & ~(bit(SIGKILL) | bit(SIGSTOP));
	publish();
	act_on_pending();
}

uint64_t hut_signal_swap_mask(uint64_t mask)
{
	uint64_t *blocked = &hut_thread_now->sig_blocked, old = *blocked;
	*blocked = mask & ~(bit(SIGKILL) | bit(SIGSTOP));
	publish();
	act_on_pending();
	return old;
}

/* tkill/tgkill: 0 or -errno. */
long hut_signal_send_thread(long tid, long sig)
{
	struct hut_thread *t = hut_thread_by_tid(tid);
	if (sig < 0 || sig > NSIG_LINUX)
		return -EINVAL;
	if (tid <= 0)
		return -EINVAL;
	if (!t)
		return -ESRCH;
	if (sig == 0)
		return 0;
	t->sig_pending |= bit((int)sig);
	hut_hooks_run(&pending_hooks, NULL);
	hut_sched_progress(); /* its wait may end */
	if (t == hut_thread_now) {
		act_on_pending();
	} else if (t->proc == hut_proc_now && !has_handler((int)sig) &&
		   !(t->sig_blocked & bit((int)sig))) {
		t->sig_pending &= ~bit((int)sig);
		act_without_handler((int)sig);
	}
	return 0;
}

void hut_signal_dispositions(uint64_t *caught, uint64_t *ignored, uint64_t *process_pending)
{
	*caught = *ignored = 0;
	for (int sig = 1; sig <= NSIG_LINUX; sig++) {
		if (has_handler(sig))
			*caught |= bit(sig);
		else if (sigs->actions[sig].handler == (uint64_t)SIG_IGN)
			*ignored |= bit(sig);
	}
	*process_pending = sigs->pending;
}

/* The signals pending for the calling thread (its own and the process's). */
uint64_t hut_signal_pending_set(void)
{
	take_from_outside();
	return hut_thread_now->sig_pending | sigs->pending;
}

/* rt_sigtimedwait's take: the lowest signal of set pending for the thread
 * or the process, no longer pending; 0 if none is. */
int hut_signal_take_from(uint64_t set, struct hut_siginfo *si)
{
	uint64_t found = hut_signal_pending_set() & set;
	if (!found)
		return 0;
	int sig = __builtin_ctzll(found) + 1;
	take(sig);
	*si = take_origin(sig);
	return sig;
}

long hut_signal_raise_info(struct hut_process *p, int sig, long tid, const struct hut_siginfo *si)
{
	struct hut_thread *t = tid ? hut_thread_by_tid(tid) : NULL;
	if (tid && (!t || t->proc != p))
		return -ESRCH;
	if (!tid) {
		hut_signal_send_to(p, sig, si);
		return 0;
	}
	sigstate_of(p)->origins[sig] = *si;
	return hut_signal_send_thread(tid, sig);
}

uint64_t hut_signal_pending_of(const struct hut_process *p, long tid)
{
	const struct hut_thread *t = tid ? hut_thread_by_tid(tid) : NULL;
	return sigstate_of(p)->pending | (t ? t->sig_pending : 0);
}
