/*
 * The hypercall doorbell: an 8-byte store of an argument struct's address to
 * HUT_HYPERCALL_GPA + 8 * nr exits with KVM_EXIT_MMIO. Anything else on that
 * page, and any argument that is not in the guest's own memory, is a broken
 * guest: it ends with SIGSYS's status, as a bad system call would. Number nr
 * is served by the core's table below (exit, abort, poll, set-fs) or by the
 * module whose table has it (module.h); none: a bad hypercall.
 */
#include "monitor.h"
#include "snapshot.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>

_Static_assert(HUT_EXIT_BAD_HYPERCALL == HUT_SIGNAL_EXIT(SIGSYS), "monitor.h");

/* An argument struct the monitor may read and write: 8-byte aligned (every
 * field is naturally aligned), in guest RAM, and never in the monitor-owned
 * pages below the boot info (the guest must not steer the monitor into
 * writing its page tables or descriptor tables). */
static void *arg_struct(struct hut_vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa % 8)
		hut_fail(vm, HUT_EXIT_BAD_HYPERCALL,
			 "bad hypercall: argument at 0x%lx is not 8-byte aligned", gpa);
	void *p = gpa >= HUT_BOOTINFO_GPA + HUT_BOOTINFO_SIZE ? hut_gpa(&vm->mem, gpa, len) : NULL;
	if (!p)
		hut_fail(vm, HUT_EXIT_BAD_HYPERCALL,
			 "bad hypercall: argument at 0x%lx+%lu is outside guest memory", gpa, len);
	return p;
}

/* A module's news the guest has not seen (a signal from outside) ends the
 * sleep at once; a module with a device sleeps itself, ending early when
 * the device has news (the net device); else a plain sleep. Either way
 * the sleep is on the vCPU's wake word, read before the modules look, so
 * that news after their look (a signal) ends it too (vcpu_wake.c). */
static void poll_sleep(struct hut_vm *vm, uint64_t gpa, void *arg)
{
	struct hut_hc_poll *hc = arg;
	const struct hut_module *m;
	uint64_t ns = hc->timeout_ns;
	(void)gpa;
	if ((hc->flags & HUT_POLL_WAIT_INPUT) && hut_snapshot_wanted())
		hut_snapshot_take(vm, &hc->ready); /* --snapshot's default ready point */
	uint32_t seq = hut_vcpu_wake_seq();
	hut_each_module(vm, m)
		if (m->wake_now && m->wake_now(vm, hc))
			ns = 0;
	hut_each_module(vm, m)
		if (m->sleep && m->sleep(vm, hc, ns, seq))
			return;
	if (ns)
		hut_vcpu_sleep(seq, ns);
	hc->ready = 0;
}

bool hut_wait_interrupted(struct hut_vm *vm)
{
	const struct hut_module *m;
	bool interrupted = hut_timeout_expired();
	hut_each_module(vm, m)
		if (m->wait_interrupted && m->wait_interrupted(vm))
			interrupted = true;
	return interrupted;
}

static void set_fs(struct hut_vm *vm, uint64_t gpa, void *arg)
{
	const struct hut_hc_set_fs *hc = arg;
	struct kvm_sregs s;
	(void)gpa;
	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "KVM_GET_SREGS failed (%s)", strerror(errno));
	s.fs.base = hc->base;
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &s) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "KVM_SET_SREGS failed (%s)", strerror(errno));
}

/* hut_ready(): the app's own ready point; nothing without --snapshot. */
static void guest_ready(struct hut_vm *vm, uint64_t gpa, void *arg)
{
	struct hut_hc_ready *hc = arg;
	(void)gpa;
	hc->ready = 0;
	if (hut_snapshot_wanted())
		hut_snapshot_take(vm, &hc->ready);
}

static void guest_exit(struct hut_vm *vm, uint64_t gpa, void *arg)
{
	(void)gpa;
	hut_exit_guest(vm, arg);
}

/* The trap frame is read by hut_crash, which checks it (it may be
 * misaligned: a CPL0 stub stored it). */
static void guest_abort(struct hut_vm *vm, uint64_t gpa, void *arg)
{
	(void)arg;
	hut_crash(vm, gpa);
}

/* The core's own hypercalls; the modules' are in their tables. */
static const struct hut_hypercall core_hypercalls[] = {
	{HUT_HC_EXIT, "exit", sizeof(struct hut_hc_exit), guest_exit},
	{HUT_HC_ABORT, "abort", 0, guest_abort},
	{HUT_HC_POLL, "poll", sizeof(struct hut_hc_poll), poll_sleep},
	{HUT_HC_SET_FS, "set-fs", sizeof(struct hut_hc_set_fs), set_fs},
	{HUT_HC_READY, "ready", sizeof(struct hut_hc_ready), guest_ready},
};

static const struct hut_hypercall *in(const struct hut_hypercall *t, size_t n, uint64_t nr)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].nr == nr)
			return &t[i];
	return NULL;
}

/* A linear look through a dozen entries: nothing next to an exit's cost. */
static const struct hut_hypercall *find(const struct hut_vm *vm, uint64_t nr)
{
	const struct hut_hypercall *h =
		in(core_hypercalls, sizeof core_hypercalls / sizeof core_hypercalls[0], nr);
	const struct hut_module *m;
	hut_each_module(vm, m)
		if (!h)
			h = in(m->hypercalls, m->nhypercalls, nr);
	return h;
}

void hut_hypercall(struct hut_vm *vm)
{
	const struct kvm_run *run = vm->run;
	uint64_t addr = run->mmio.phys_addr, arg;
	if (addr - HUT_HYPERCALL_GPA >= HUT_PAGE_SIZE)
		hut_fail(vm, HUT_EXIT_BAD_HYPERCALL,
			 "guest touched unmapped guest-physical address 0x%lx", addr);
	uint64_t off = addr - HUT_HYPERCALL_GPA;
	if (!run->mmio.is_write)
		hut_fail(vm, HUT_EXIT_BAD_HYPERCALL, "bad hypercall: read from offset 0x%lx", off);
	if (run->mmio.len != 8 || off % 8)
		hut_fail(vm, HUT_EXIT_BAD_HYPERCALL,
			 "bad hypercall: %u-byte store to offset 0x%lx (8-byte stores only)",
			 run->mmio.len, off);
	memcpy(&arg, run->mmio.data, 8);
	const struct hut_hypercall *h = find(vm, off / 8);
	hut_exits_hypercall(off / 8, h ? h->name : NULL);
	if (!h)
		hut_fail(vm, HUT_EXIT_BAD_HYPERCALL, "bad hypercall: unknown number %lu", off / 8);
	h->serve(vm, arg, h->arg_size ? arg_struct(vm, arg, h->arg_size) : NULL);
}
