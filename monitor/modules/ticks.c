/*
 * The ticks module: a guest that spins without syscalls still gets its
 * timers' signals (alarm, setitimer, POSIX timers). The libos fires timers
 * only when it runs (a syscall's way out, a wait), so the monitor lends it
 * a clock: the guest publishes its earliest deadline in the signal box
 * (include/hut/abi.h), this module arms one host timer (timer_create on
 * CLOCK_MONOTONIC, a signal to the vCPU thread) for it, and when it fires
 * the signal takes the vCPU out of KVM_RUN (EINTR). Then, if the app's own
 * code was running (the libos's flag says so), the vCPU is sent to the
 * libos's tick entry with the interrupted rip in the box: one exit, no
 * CPL0 code, no interrupt controller (docs/ARCHITECTURE.md, "Ticks", says
 * why and what it costs). If the libos was running, nothing is done: it
 * runs its timers on its way back to the app anyway.
 * A signal from outside that the guest catches (the signals module leaves
 * it in the box) enters the same way, so that its handler runs at once
 * even in a guest that spins.
 *
 * Nothing is paid while no timer is armed: no host timer, no register
 * copies (kvm_run's sync_regs are asked for only while one is).
 * The guest is hostile: the box's words only steer the guest's own rip
 * and the host timer's expiry; every guest address goes through hut_gpa.
 */
#include "ticks.h"
#include "../monitor.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_S 1000000000ull

/* How soon to look again when what the box says comes next has passed
 * and it gives no period to guess the next from. */
#define RETRY_NS 1000000ull

static struct {
	bool on;	    /* KVM can hand us the registers: the boot info says so */
	int timer;	    /* the kernel's timer id */
	int signo;	    /* its signal, to the vCPU thread */
	uint64_t boot_mono; /* CLOCK_MONOTONIC ns at the guest's ns 0 */
	uint64_t armed;	    /* guest ns the host timer is set for; 0: none */
	uint64_t redirected, deferred;
} ticks;

static volatile sig_atomic_t fired;
static bool rearm;   /* --restore: the box's deadline is armed again at prepare */
static bool stopped; /* the last KVM_RUN returned EINTR: no exit is half served */

/* No syscall here: the vCPU loop sees fired after KVM_RUN returns. */
static void on_tick(int sig)
{
	(void)sig;
	fired = 1;
	hut_vcpu_nudge();
}

static void ticks_boot_info(struct hut_vm *vm, struct hut_boot_info *bi, uint64_t *cursor)
{
	(void)cursor;
	int caps = vm->kvm_fd >= 0 && vm->vcpu_fd >= 0
			   ? ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS)
			   : 0;
	ticks.on = caps > 0 && (caps & KVM_SYNC_X86_REGS);
	if (ticks.on)
		bi->flags |= HUT_BOOT_TICKS;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* The host's monotonic time at the guest's ns 0 (its TSC at boot): the
 * guest's TSC read again next to the host clock. */
static void find_boot_time(struct hut_vm *vm)
{
	uint64_t tsc;
	if (!hut_cpu_tsc(vm, &tsc))
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot read the guest TSC");
	uint64_t now = mono_ns();
	uint64_t since =
		(uint64_t)((unsigned __int128)(tsc - vm->guest_tsc_start) * 1000000u / vm->tsc_khz);
	ticks.boot_mono = now - since;
}

/* The kernel's struct sigevent for SIGEV_THREAD_ID (libcs name the thread
 * id field differently). */
struct k_sigevent {
	uint64_t value;
	int signo, notify, tid;
	int pad[11];
};

static struct hut_signal_box *box_of(struct hut_vm *vm);
static void arm(struct hut_vm *vm, struct hut_signal_box *box, uint64_t at);

static void ticks_prepare(struct hut_vm *vm)
{
	if (!ticks.on)
		return;
	find_boot_time(vm);
	ticks.signo = SIGRTMIN + 1;
	struct sigaction sa = {.sa_handler = on_tick}; /* no SA_RESTART: sleeps end early */
	sigfillset(&sa.sa_mask);
	if (sigaction(ticks.signo, &sa, NULL) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot catch the tick signal (%s)",
			 strerror(errno));
	struct k_sigevent ev = {
		.signo = ticks.signo, .notify = SIGEV_THREAD_ID, .tid = (int)syscall(SYS_gettid)};
	if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &ticks.timer) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot create the tick timer (%s)",
			 strerror(errno));
	if (rearm) /* the snapshot's timer: the deadline the guest published */
		arm(vm, box_of(vm), box_of(vm)->deadline);
}

static struct hut_signal_box *box_of(struct hut_vm *vm)
{
	return hut_gpa(&vm->mem, vm->signals_gpa, sizeof(struct hut_signal_box));
}

/* Sets the host timer for guest time at (0: off), and tells the guest. */
static void arm(struct hut_vm *vm, struct hut_signal_box *box, uint64_t at)
{
	uint64_t host = at > UINT64_MAX - ticks.boot_mono ? UINT64_MAX : ticks.boot_mono + at;
	struct itimerspec its = {.it_value = {(time_t)(host / NS_PER_S), (long)(host % NS_PER_S)}};
	if (its.it_value.tv_sec < 0) /* centuries away: never, but armed for the guest */
		its.it_value = (struct timespec){0, 0};
	if (syscall(SYS_timer_settime, ticks.timer, TIMER_ABSTIME, &its, NULL) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot arm the tick timer (%s)", strerror(errno));
	ticks.armed = at;
	box->armed = at;
	/* The registers are wanted at the exit a tick causes, only then. */
	vm->run->kvm_valid_regs = at ? KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS : 0;
}

/* The vCPU stopped at CPL3. At CPL0 it is in one of the libos's exception
 * gates (a copy-on-write fault of the app's, a CR3 load), whose iret the
 * tick must not be given the rip of, whatever the libos's flag says. */
static bool at_cpl3(const struct kvm_run *run)
{
	return (run->s.regs.sregs.cs.selector & 3) == 3;
}

/* The app's own code was running: send it to the libos's tick entry. The
 * libos's flag is cleared here, so that a second tick before the entry has
 * run cannot take the first one's rip away. */
static bool enter_libos(struct hut_vm *vm, struct hut_signal_box *box)
{
	uint64_t *running = box->running % 8 ? NULL : hut_gpa(&vm->mem, box->running, 8);
	if (!running || !__atomic_load_n(running, __ATOMIC_RELAXED) || !box->tick_entry)
		return false;
	struct kvm_regs *regs = &vm->run->s.regs.regs;
	*running = 0;
	box->tick_rip = regs->rip;
	regs->rip = box->tick_entry;
	vm->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	return true;
}

static uint64_t guest_now(void)
{
	return mono_ns() - ticks.boot_mono;
}

/* What comes after a tick: the box's then (0: nothing). If it has passed
 * too (the tick came late, the host being busy), the libos will have moved
 * a periodic timer past now: the next multiple of then - deadline, a
 * guess the libos corrects (HUT_HC_TICK) when it is wrong. Never sooner
 * than HUT_TICK_GAP_NS after now: the vCPU must get to run between two
 * ticks, and entering it costs tens of µs on a nested KVM. A tick due
 * before the guest is back in finds KVM_RUN with the signal pending, which
 * returns at once, again and again: the guest never runs again (seen: two
 * unrelated deadlines 29 µs apart taken for a period hung a spinning
 * process for good, ARCHITECTURE.md "Ticks"). */
uint64_t hut_tick_after(uint64_t deadline, uint64_t then, uint64_t now)
{
	uint64_t next = then;
	if (then && then <= now) {
		uint64_t period = then > deadline ? then - deadline : 0;
		next = period ? then + ((now - then) / period + 1) * period : now + RETRY_NS;
	}
	return next && next < now + HUT_TICK_GAP_NS ? now + HUT_TICK_GAP_NS : next;
}

static uint64_t after(uint64_t deadline, uint64_t then)
{
	return hut_tick_after(deadline, then, guest_now());
}

/* KVM_RUN came back with EINTR: if the tick fired, the registers are those
 * of the guest where it stopped (no MMIO is left to complete). */
static void ticks_interrupted(struct hut_vm *vm)
{
	stopped = true;
	if (!fired)
		return;
	fired = 0;
	if (!ticks.armed)
		return;
	struct hut_signal_box *box = box_of(vm);
	uint64_t deadline = box->deadline;
	if (!deadline || deadline > guest_now()) {
		arm(vm, box, deadline); /* moved later or dropped without a word */
	} else if (!at_cpl3(vm->run)) {
		ticks.deferred++; /* in a gate, which goes back to the app: soon again */
		arm(vm, box, guest_now() + RETRY_NS);
	} else if (enter_libos(vm, box)) {
		ticks.redirected++;
		/* The libos fires the due timer; then comes what it said
		 * comes next, and it asks (HUT_HC_TICK) if that changed. */
		arm(vm, box, after(deadline, box->then));
	} else {
		/* The libos runs: it fires the timer on its way back to the
		 * app (or in its wait), publishes what comes next and asks
		 * if that is earlier than what is armed here. */
		ticks.deferred++;
		arm(vm, box, after(deadline, box->then));
	}
}

/* A signal from outside, caught and not blocked, that the signals module
 * has just left in the box while the app's code ran: the app enters the
 * libos now (whose tick delivers it) rather than at its next syscall. The
 * registers come with one ioctl: only a timer armed asks KVM for them. */
static void enter_for_signal(struct hut_vm *vm)
{
	struct hut_signal_box *box = box_of(vm);
	if (!(__atomic_load_n(&box->pending, __ATOMIC_RELAXED) & box->caught & ~box->blocked))
		return;
	if (!(vm->run->kvm_valid_regs & KVM_SYNC_X86_REGS) &&
	    (ioctl(vm->vcpu_fd, KVM_GET_REGS, &vm->run->s.regs.regs) < 0 ||
	     ioctl(vm->vcpu_fd, KVM_GET_SREGS, &vm->run->s.regs.sregs) < 0))
		return;
	if (!at_cpl3(vm->run))
		return; /* the next syscall or wait takes the signal */
	if (enter_libos(vm, box))
		ticks.redirected++;
}

/* Before every KVM_RUN: a tick that came while the monitor was busy (an
 * exit being served) is taken at the next EINTR: KVM_RUN completes the
 * exit and comes straight back. */
static void ticks_resume(struct hut_vm *vm)
{
	if (fired)
		vm->run->immediate_exit = 1;
	if (ticks.on && stopped)
		enter_for_signal(vm);
	stopped = false;
}

/* HUT_HC_TICK: the guest's deadline is earlier than the armed one. */
static void tick_hypercall(struct hut_vm *vm, uint64_t gpa, void *arg)
{
	(void)gpa;
	(void)arg;
	if (ticks.on)
		arm(vm, box_of(vm), box_of(vm)->deadline);
}

/* The guest is about to sleep: the host timer follows the box, where the
 * libos has left out the timers on CPU time (they stand still while it
 * sleeps; it asks again when it runs). */
static bool ticks_before_sleep(struct hut_vm *vm, const struct hut_hc_poll *hc)
{
	(void)hc;
	if (ticks.on && ticks.armed != box_of(vm)->deadline)
		arm(vm, box_of(vm), box_of(vm)->deadline);
	return false;
}

static void ticks_seccomp(const struct hut_vm *vm, struct hut_seccomp *s)
{
	(void)vm;
	if (!ticks.on)
		return;
	const struct hut_seccomp_rule rules[] = {
		/* the host timer follows the guest's deadline */
		HUT_ALLOW_ARGS2(SYS_timer_settime, 0, ticks.timer, 1, TIMER_ABSTIME),
	};
	hut_seccomp_allow(s, rules, sizeof rules / sizeof rules[0]);
}

static void ticks_trace(const struct hut_vm *vm)
{
	(void)vm;
	if (ticks.redirected || ticks.deferred)
		fprintf(stderr,
			"hut-monitor: trace-exits: ticks: %lu entered the app's code, %lu found "
			"the libos running\n",
			ticks.redirected, ticks.deferred);
}

/* --restore: the guest's boot info (the snapshot's) says whether it
 * publishes deadlines for ticks; this host's KVM must serve them then.
 * The host timer is armed again at prepare from the box: the deadline is
 * in guest memory, and guest time goes on from the snapshot's. */
static const char *ticks_restore(struct hut_vm *vm, struct hut_snap_buf *r)
{
	const struct hut_boot_info *bi = hut_gpa(&vm->mem, HUT_BOOTINFO_GPA, sizeof *bi);
	struct hut_boot_info probe = {0};
	uint64_t cursor = 0;
	(void)r;
	ticks_boot_info(vm, &probe, &cursor);
	if ((bi->flags & HUT_BOOT_TICKS) && !ticks.on)
		return "its guest uses ticks, which this host's KVM cannot serve";
	ticks.on = (bi->flags & HUT_BOOT_TICKS) != 0;
	rearm = ticks.on;
	return NULL;
}

static const struct hut_hypercall hypercalls[] = {
	{HUT_HC_TICK, "tick", 0, tick_hypercall},
};

const struct hut_module hut_module_ticks = {
	.name = "ticks",
	.boot_info = ticks_boot_info,
	.prepare = ticks_prepare,
	HUT_MODULE_HYPERCALLS(hypercalls),
	.seccomp = ticks_seccomp,
	.resume = ticks_resume,
	.interrupted = ticks_interrupted,
	.wake_now = ticks_before_sleep,
	.trace_exits = ticks_trace,
	.restore = ticks_restore,
};
