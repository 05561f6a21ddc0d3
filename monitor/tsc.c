/*
 * The vCPU's TSC, one MSR read or written through KVM: the boot info's
 * time base (bootinfo.c), --snapshot's record and --restore's (snapshot_*.c),
 * the ticks' host timer (modules/ticks.c). Its own file: hut-sud and the
 * fuzz targets link the users without the CPU's setup (cpu_x86_64.c).
 */
#include "monitor.h"

#include <sys/ioctl.h>

#define MSR_IA32_TSC 0x10u

struct tsc_msr {
	struct kvm_msrs hdr;
	struct kvm_msr_entry e;
};

bool hut_cpu_tsc(const struct hut_vm *vm, uint64_t *tsc)
{
	struct tsc_msr m = {.hdr.nmsrs = 1, .e.index = MSR_IA32_TSC};
	if (ioctl(vm->vcpu_fd, KVM_GET_MSRS, &m) != 1)
		return false;
	*tsc = m.e.data;
	return true;
}

bool hut_cpu_set_tsc(const struct hut_vm *vm, uint64_t tsc)
{
	struct tsc_msr m = {.hdr.nmsrs = 1, .e = {.index = MSR_IA32_TSC, .data = tsc}};
	return ioctl(vm->vcpu_fd, KVM_SET_MSRS, &m) == 1;
}
