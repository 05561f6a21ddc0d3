/*
 * The signals module: signals from outside. hut-monitor is the container's
 * process (pid 1 in its pid namespace, where the kernel drops any signal
 * without a handler) or a shell's job: SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2
 * and a terminal's SIGWINCH must reach the guest as they would reach the
 * program run as a process (SIGWINCH after the console module read the
 * terminal's new size: outside_signal, module.h).
 *
 * The handler only records the signal and nudges the vCPU thread
 * (vcpu_wake.c: a KVM_RUN about to start returns at once, one running or a
 * poll hypercall's sleep is interrupted by the signal itself, a sleep about
 * to start does not begin). The vCPU loop then forwards it,
 * before the guest runs again, by what the guest's signal box says
 * (include/hut/abi.h): caught or blocked, it is put in the box's pending
 * word for the libos; ignored, it is dropped; else the default action is
 * the monitor's to apply: the guest ends with 128+N, at once, even if it is
 * spinning without syscalls (after --trace-exits' and --trace-boot's lines,
 * when asked for). SIGKILL needs nothing: it ends the monitor.
 * The seccomp filter stays as it is: the handler makes no syscall.
 */
#include "../monitor.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static const int forwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM, SIGWINCH};

static volatile uint64_t arrived; /* bit N-1: signal N, not yet forwarded */

static void on_signal(int sig)
{
	__atomic_or_fetch(&arrived, 1ull << (sig - 1), __ATOMIC_SEQ_CST);
	hut_vcpu_nudge();
}

static void signals_setup(struct hut_vm *vm)
{
	struct hut_signal_box *box = hut_gpa(&vm->mem, vm->signals_gpa, sizeof *box);
	if (!box)
		hut_fail(vm, HUT_EXIT_MONITOR, "the signal box is outside guest memory");
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: sleeps end early */
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++) {
		struct sigaction old;
		/* Ignored when we started (nohup, a shell's background job): a
		 * process would have it ignored too, so it stays so. */
		if (sigaction(forwarded[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(forwarded[i], &sa, NULL);
	}
}

/* Forwards what arrived since the last call; returns only if the guest
 * goes on. The caller has cleared immediate_exit first, so a signal that
 * comes after the exchange below sets it again and is seen next time. The box is guest memory: its
 * words are only bit masks, and the worst a lying guest can do is catch a signal it did not ask
 * for. */
static void signals_forward(struct hut_vm *vm)
{
	uint64_t got = __atomic_exchange_n(&arrived, 0, __ATOMIC_SEQ_CST);
	if (!got)
		return;
	struct hut_signal_box *box = hut_gpa(&vm->mem, vm->signals_gpa, sizeof *box);
	for (int sig = 1; sig <= 64; sig++) {
		uint64_t bit = 1ull << (sig - 1);
		if (!(got & bit))
			continue;
		hut_call_modules(vm, outside_signal, vm, sig);
		if ((box->caught | box->blocked) & bit)
			box->pending |= bit;
		else if (!(box->ignored & bit)) {
			/* Quietly, as a process killed by it; its connections
			 * reset and the traces printed, as on any ending. */
			hut_end(vm, HUT_SIGNAL_EXIT(sig), false);
		}
	}
}

/* The poll hypercall looks here just before it sleeps: a signal the guest
 * has not taken yet (it was about to sleep when the loop forwarded it), or
 * one that came after the loop's last look, must end the sleep at once.
 * One that comes after this look changed the word the sleep waits on
 * (the sleeper read it before looking), so the sleep returns at once. */
static bool signals_arrived(struct hut_vm *vm, const struct hut_hc_poll *hc)
{
	(void)hc;
	const struct hut_signal_box *box = vm->signals_gpa
						   ? hut_gpa(&vm->mem, vm->signals_gpa, sizeof *box)
						   : NULL; /* hut-sud: none */
	return __atomic_load_n(&arrived, __ATOMIC_SEQ_CST) != 0 ||
	       (box && __atomic_load_n(&box->pending, __ATOMIC_SEQ_CST) != 0);
}

/* A wait of the monitor's for the guest (its stdin read) was interrupted:
 * what arrived is forwarded now, not after the wait, so that a default
 * action ends the guest at once and a handler runs, as a process's read
 * ends for them. The wait ends with EINTR only for a signal the guest
 * catches and does not block (the libos then runs the handler, and
 * restarts the call for SA_RESTART); an ignored or blocked one leaves it
 * waiting, as Linux does. */
static bool signals_wait_interrupted(struct hut_vm *vm)
{
	if (!vm->signals_gpa) /* hut-sud: no box */
		return false;
	signals_forward(vm);
	const struct hut_signal_box *box = hut_gpa(&vm->mem, vm->signals_gpa, sizeof *box);
	uint64_t pending = __atomic_load_n(&box->pending, __ATOMIC_SEQ_CST);
	return (pending & box->caught & ~box->blocked) != 0;
}

/* No option and no syscall of its own: it is always there. */
const struct hut_module hut_module_signals = {
	.name = "signals",
	.prepare = signals_setup,
	.resume = signals_forward,
	.wake_now = signals_arrived,
	.wait_interrupted = signals_wait_interrupted,
};
