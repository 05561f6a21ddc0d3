/* The vCPU loop: run until the guest exits, crashes or runs out of time. */
#include "monitor.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>

static void on_exit_reason(struct hut_vm *vm)
{
	const struct kvm_run *run = vm->run;
	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		hut_hypercall(vm);
		return;
	case KVM_EXIT_SHUTDOWN:
		hut_fail(vm, HUT_SIGNAL_EXIT(SIGSEGV),
			 "guest crashed: triple fault (CPU shutdown)");
	case KVM_EXIT_IO:
		hut_fail(vm, HUT_SIGNAL_EXIT(SIGSYS),
			 "guest did port I/O (port 0x%x): not the hut ABI", run->io.port);
	case KVM_EXIT_HLT:
		hut_fail(vm, HUT_SIGNAL_EXIT(SIGSEGV), "guest halted the CPU");
	case KVM_EXIT_INTERNAL_ERROR:
		hut_fail(
			vm, HUT_SIGNAL_EXIT(SIGSEGV),
			"guest crashed: KVM internal error %u (an instruction KVM cannot emulate?)",
			run->internal.suberror);
	case KVM_EXIT_FAIL_ENTRY:
		hut_fail(vm, HUT_EXIT_MONITOR,
			 "KVM cannot enter the guest (hardware reason 0x%llx)",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
	default:
		hut_fail(vm, HUT_EXIT_MONITOR, "unexpected KVM exit reason %u", run->exit_reason);
	}
}

/* Each module's resume hook runs before every KVM_RUN (signals from
 * outside are forwarded there), its interrupted hook after a KVM_RUN a
 * signal ended (the ticks module's timer). */
_Noreturn void hut_run(struct hut_vm *vm)
{
	for (;;) {
		vm->run->immediate_exit = 0; /* before the checks: see signals.c, time.c */
		if (hut_timeout_expired())
			hut_fail(vm, HUT_EXIT_TIMEOUT, "timed out after %u s", vm->opt->timeout_s);
		hut_call_modules(vm, resume, vm);
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) == 0) {
			hut_exits_count(vm->run);
			on_exit_reason(vm);
			continue;
		}
		if (errno != EINTR && errno != EAGAIN)
			hut_fail(vm, HUT_EXIT_MONITOR, "KVM_RUN failed (%s)", strerror(errno));
		if (hut_timeout_expired())
			hut_fail(vm, HUT_EXIT_TIMEOUT, "timed out after %u s", vm->opt->timeout_s);
		hut_call_modules(vm, interrupted, vm);
	}
}
