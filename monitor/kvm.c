/*
 * The KVM file descriptors: the system, the VM, and its one vCPU. These run
 * on the machine thread (machine.c), which must not end the monitor itself
 * (the image's own errors come first): each returns false with what failed
 * in why, and main ends the monitor with it (125).
 */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#define KVM_API_EXPECTED 12

bool hut_kvm_open(struct hut_vm *vm, char *why, size_t size)
{
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		snprintf(why, size, "cannot open /dev/kvm (%s)", hut_limit_text(errno));
		return false;
	}
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_EXPECTED) {
		snprintf(why, size, "unsupported KVM API version");
		return false;
	}
	do
		vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	while (vm->vm_fd < 0 && errno == EINTR);
	if (vm->vm_fd < 0) {
		snprintf(why, size, "cannot create a VM (%s)", hut_limit_text(errno));
		return false;
	}
	return true;
}

bool hut_kvm_create_vcpu(struct hut_vm *vm, char *why, size_t size)
{
	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0) {
		snprintf(why, size, "cannot create a vCPU (%s)", hut_limit_text(errno));
		return false;
	}
	int run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (int)sizeof(struct kvm_run)) {
		snprintf(why, size, "bad KVM_GET_VCPU_MMAP_SIZE (%s)", strerror(errno));
		return false;
	}
	vm->run_size = (size_t)run_size;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		snprintf(why, size, "cannot map the vCPU (%s)", hut_limit_text(errno));
		return false;
	}
	return true;
}
