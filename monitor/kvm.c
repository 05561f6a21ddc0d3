/* The KVM file descriptors: the system, the VM, and its one vCPU. */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define KVM_API_EXPECTED 12

void hut_kvm_open(struct hut_vm *vm)
{
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot open /dev/kvm (%s)", hut_limit_text(errno));
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_EXPECTED)
		hut_fail(vm, HUT_EXIT_MONITOR, "unsupported KVM API version");
	do
		vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	while (vm->vm_fd < 0 && errno == EINTR);
	if (vm->vm_fd < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot create a VM (%s)", hut_limit_text(errno));
}

void hut_kvm_create_vcpu(struct hut_vm *vm)
{
	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot create a vCPU (%s)", hut_limit_text(errno));
	int size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		hut_fail(vm, HUT_EXIT_MONITOR, "bad KVM_GET_VCPU_MMAP_SIZE (%s)", strerror(errno));
	vm->run_size = (size_t)size;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot map the vCPU (%s)", hut_limit_text(errno));
}
