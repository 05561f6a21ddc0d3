/*
 * The machine: KVM's VM, its memory slot and its vCPU (with its CPUID),
 * made on a thread of their own while main reads and checks the image,
 * opens the modules' host devices and loads the image into RAM. On kvm-pvm
 * those ioctls cost 0.6 to 1 ms of CPU, and the memory slot's also waits
 * for an SRCU grace period (a kernel worker's: 0.1 ms on a quiet host,
 * milliseconds on a busy one); all of it would otherwise come before the
 * guest's first instruction. KVM's fds are the process's: the vCPU thread
 * (main) runs the vCPU the other thread made.
 *
 * A second thread helps with all of it only if a core is free to run it,
 * so it is made at the start only when fewer tasks are running than this
 * process may use cores. On a busy host main makes the VM itself once the
 * RAM is there, and only then a thread for the memory slot alone: it
 * needs a core for microseconds to start the ioctl, then sleeps in the
 * grace period (0.1 to 3.6 ms there) while main loads the image, and main
 * makes the vCPU. Even so the scheduler may run the thread late: the steps
 * are shared, each taken by whichever thread gets to it first, main taking
 * what is left once it has nothing else to do, and a late thread finds
 * nothing left. The memory slot goes first when the RAM is there, since
 * the thread then sleeps in it while main may make the vCPU. Main joins
 * the thread before the sandbox, so that no thread without a seccomp
 * filter is left when the guest runs (the thread never reads guest memory).
 *
 * No step ends the monitor itself (the image's own errors come first, as
 * before): a failure leaves its message, and main fails with it.
 */
#include "monitor.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

enum { STEP_VM, STEP_MEMORY, STEP_VCPU, STEPS };
enum { TODO, TAKEN, DONE };

static const char *const step_names[STEPS] = {"create-vm", "memory", "create-vcpu"};

/* What main and the thread share, under lock. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	pthread_t thread;
	bool started;
	bool have_ram;	    /* main has allocated the RAM: ram is set */
	struct hut_mem ram; /* main's RAM, copied: main goes on filling vm->mem */
	int state[STEPS];
	bool failed[STEPS];
	char why[STEPS][192];
	uint64_t us[STEPS]; /* each step's time, for --trace-boot */
} machine = {.lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER};

static bool run_step(struct hut_vm *vm, int step, const struct hut_mem *ram, char *why)
{
	size_t size = sizeof machine.why[0];
	switch (step) {
	case STEP_VM:
		return hut_kvm_open(vm, why, size);
	case STEP_MEMORY:
		return hut_mem_give_vm(vm->vm_fd, ram, why, size);
	default:
		return hut_kvm_create_vcpu(vm, why, size) && hut_cpu_set_cpuid(vm, why, size);
	}
}

/* Under lock: a step that may start now, or -1. */
static int next_step(void)
{
	if (machine.state[STEP_VM] != DONE)
		return machine.state[STEP_VM] == TODO ? STEP_VM : -1;
	if (machine.state[STEP_MEMORY] == TODO && machine.have_ram)
		return STEP_MEMORY;
	return machine.state[STEP_VCPU] == TODO ? STEP_VCPU : -1;
}

/* Under lock: whether every step is at least in state. */
static bool all_at(int state)
{
	for (int i = 0; i < STEPS; i++)
		if (machine.state[i] < state)
			return false;
	return true;
}

/* Under lock: takes step and runs it, the lock released meanwhile. */
static void run_taken(struct hut_vm *vm, int step)
{
	machine.state[step] = TAKEN;
	struct hut_mem ram = machine.ram;
	pthread_mutex_unlock(&machine.lock);
	uint64_t t = hut_now_us();
	bool ok = run_step(vm, step, &ram, machine.why[step]);
	t = hut_now_us() - t;
	pthread_mutex_lock(&machine.lock);
	machine.us[step] = t;
	machine.failed[step] = !ok;
	machine.state[step] = DONE;
	if (step == STEP_VM && !ok) /* nothing to build on */
		machine.state[STEP_MEMORY] = machine.state[STEP_VCPU] = DONE;
	pthread_cond_broadcast(&machine.changed);
}

/* Runs steps until none is left to take (the thread) or all are done
 * (main, for which the RAM is there): under lock, released while a step runs. */
static void take_steps(struct hut_vm *vm, bool until_done)
{
	while (!all_at(until_done ? DONE : TAKEN)) {
		int step = next_step();
		if (step < 0) {
			pthread_cond_wait(&machine.changed, &machine.lock);
			continue;
		}
		run_taken(vm, step);
	}
}

static void *machine_main(void *arg)
{
	pthread_mutex_lock(&machine.lock);
	take_steps(arg, false);
	pthread_mutex_unlock(&machine.lock);
	return NULL;
}

/* Whether a core is likely free for the thread: fewer tasks running on
 * the host (/proc/loadavg's fourth field, this one included) than cores
 * this process may use. When none is, the thread would only share main's
 * core, and on a busy host every sleep of either (on mmap_lock, which
 * KVM_CREATE_VM and main's populating both take) can hand the core to
 * another program for a whole time slice: measured on httpd, main's path
 * from its start to the vCPU's registers grew from 2.16 to 2.45 ms
 * (medians of 15, load 2.5 on 2 cores). Unknown: no. */
static bool core_free(void)
{
	cpu_set_t cpus;
	if (sched_getaffinity(0, sizeof cpus, &cpus) < 0 || CPU_COUNT(&cpus) < 2)
		return false;
	char text[128];
	int fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return false;
	text[n] = 0;
	unsigned long running;
	return sscanf(text, "%*s %*s %*s %lu/", &running) == 1 &&
	       running < (unsigned long)CPU_COUNT(&cpus);
}

/* Every signal blocked on the thread: the ones the monitor handles (its
 * --timeout, signals from outside) are the vCPU thread's. */
static void start_thread(struct hut_vm *vm)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	machine.started = pthread_create(&machine.thread, NULL, machine_main, vm) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void hut_machine_begin(struct hut_vm *vm)
{
	if (core_free())
		start_thread(vm);
}

/* On a busy host (no thread yet) main makes the VM here, and a thread is
 * made for the memory slot alone: it needs a core only to start the ioctl
 * and to end it, and sleeps in between while main loads the image. */
void hut_machine_ram(struct hut_vm *vm)
{
	pthread_mutex_lock(&machine.lock);
	machine.ram = vm->mem;
	machine.have_ram = true;
	pthread_cond_broadcast(&machine.changed);
	bool busy = !machine.started;
	if (busy)
		run_taken(vm, STEP_VM);
	pthread_mutex_unlock(&machine.lock);
	if (busy && !machine.failed[STEP_VM])
		start_thread(vm);
}

void hut_machine_wait(struct hut_vm *vm)
{
	static bool waited; /* a pool's monitor waits before its request, main again after */
	if (waited)
		return;
	waited = true;
	pthread_mutex_lock(&machine.lock);
	take_steps(vm, true);
	pthread_mutex_unlock(&machine.lock);
	for (int i = 0; i < STEPS; i++)
		if (machine.failed[i])
			hut_fail(vm, HUT_EXIT_MONITOR, "%s", machine.why[i]);
	if (vm->opt->trace_boot)
		for (int i = 0; i < STEPS; i++)
			hut_trace_span(step_names[i], machine.us[i]);
}

void hut_machine_end(void)
{
	if (machine.started)
		pthread_join(machine.thread, NULL);
	machine.started = false;
}
