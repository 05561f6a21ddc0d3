/*
 * What the devices' monitor threads share (the console's, the file
 * ring's, the network's): a thread started with every signal blocked
 * (--timeout's SIGALRM and the signals from outside must reach the vCPU
 * thread, to end a KVM_RUN or a sleep in the poll hypercall), and the
 * guest's kick bound to the thread's eventfd by KVM's ioeventfd on the
 * kick hypercall's slot (the guest's store then signals the eventfd in
 * the host kernel and never reaches the monitor).
 */
#include "monitor.h"

#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>

void hut_device_thread(struct hut_vm *vm, pthread_t *t, size_t stack, void *(*fn)(void *),
		       const char *what)
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	if (stack)
		pthread_attr_setstacksize(&attr, stack);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = pthread_create(t, &attr, fn, vm);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (e)
		hut_fail(vm, HUT_EXIT_MONITOR, "%s: cannot start its thread (%s)", what,
			 hut_limit_text(e));
}

bool hut_device_kick_ioeventfd(const struct hut_vm *vm, uint32_t kick_hypercall, int fd)
{
	struct kvm_ioeventfd ioe = {
		.addr = HUT_HYPERCALL_GPA + 8 * (uint64_t)kick_hypercall,
		.len = 8,
		.fd = fd,
	};
	return ioctl(vm->vm_fd, KVM_IOEVENTFD, &ioe) == 0;
}
