/*
 * The hypercall doorbell: an 8-byte store of an argument struct's address to
 * HUT_HYPERCALL_GPA + 8 * nr exits with KVM_EXIT_MMIO. Anything else on that
 * page, and any argument that is not in the guest's own memory, is a broken
 * guest: it ends with SIGSYS's status, as a bad system call would.
 */
#include "monitor.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#define HUT_EXIT_BAD_HYPERCALL HUT_SIGNAL_EXIT(SIGSYS)

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

static void console_write(struct hut_vm *vm, uint64_t gpa)
{
	struct hut_hc_console *hc = arg_struct(vm, gpa, sizeof *hc);
	hc->result = hut_console_write(vm, hc->fd, hc->iov, hc->iovcnt);
}

static void console_read(struct hut_vm *vm, uint64_t gpa)
{
	struct hut_hc_console *hc = arg_struct(vm, gpa, sizeof *hc);
	hc->result = hut_console_read(vm, hc->fd, hc->iov, hc->iovcnt);
}

static void file_op(struct hut_vm *vm, uint64_t gpa)
{
	hut_file_hypercall(vm, arg_struct(vm, gpa, sizeof(struct hut_hc_file)));
}

/* With a net device the sleep ends early when it has news (net_io.c); a
 * signal from outside ends it too (no SA_RESTART). */
static void poll_sleep(struct hut_vm *vm, uint64_t gpa)
{
	struct hut_hc_poll *hc = arg_struct(vm, gpa, sizeof *hc);
	uint64_t ns = hc->timeout_ns;
	if (hut_signals_arrived(vm)) /* the guest must see it first (signals.c) */
		ns = 0;
	if (vm->net) {
		uint32_t seen = hc->net_events;
		hc->ready = hut_net_wait(vm, seen, ns);
		return;
	}
	struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
	if (ts.tv_sec < 0) /* more than 292 years: sleep "forever" */
		ts.tv_sec = INT64_MAX;
	nanosleep(&ts, NULL); /* an interrupted sleep just returns early */
	hc->ready = 0;
}

static void set_fs(struct hut_vm *vm, uint64_t gpa)
{
	const struct hut_hc_set_fs *hc = arg_struct(vm, gpa, sizeof *hc);
	struct kvm_sregs s;
	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "KVM_GET_SREGS failed (%s)", strerror(errno));
	s.fs.base = hc->base;
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &s) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "KVM_SET_SREGS failed (%s)", strerror(errno));
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
	hut_exits_hypercall(off / 8);
	switch (off / 8) {
	case HUT_HC_CONSOLE_WRITE:
		return console_write(vm, arg);
	case HUT_HC_EXIT:
		hut_exit_guest(vm, arg_struct(vm, arg, sizeof(struct hut_hc_exit)));
	case HUT_HC_ABORT:
		hut_crash(vm, arg);
	case HUT_HC_POLL:
		return poll_sleep(vm, arg);
	case HUT_HC_SET_FS:
		return set_fs(vm, arg);
	case HUT_HC_CONSOLE_READ:
		return console_read(vm, arg);
	case HUT_HC_FILE:
		return file_op(vm, arg);
	case HUT_HC_THREADS:
		arg_struct(vm, arg, sizeof(struct hut_threads_table)); /* fails if out of RAM */
		vm->threads_gpa = arg;
		return;
	case HUT_HC_NET_KICK:
		if (!vm->net)
			hut_fail(vm, HUT_EXIT_BAD_HYPERCALL,
				 "bad hypercall: net kick without a network device");
		return hut_net_kick(vm);
	default:
		hut_fail(vm, HUT_EXIT_BAD_HYPERCALL, "bad hypercall: unknown number %lu", off / 8);
	}
}
