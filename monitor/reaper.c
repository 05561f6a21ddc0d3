/*
 * The VM's teardown, off the monitor's exit. KVM destroys a VM when the last
 * reference to its fd goes, in the context of whoever drops it; on this
 * host's kvm-pvm that waits for SRCU grace periods (kvm_destroy_vm ->
 * srcu_barrier, seen in /proc/PID/stack): hello's monitor spent ~16 ms in
 * its exit after a 3 ms run, and whoever waited for it (a shell, `hut
 * bench`, a container runtime) with it.
 *
 * So, once the VM and vCPU exist, the monitor starts a reaper: a child
 * that shares its memory (CLONE_VM: nothing is copied, and guest RAM's
 * unmapping moves to the reaper too) and holds a copy of the VM and vCPU
 * fds, and nothing else: it closes every other fd (stdio too, so that a
 * reader of the monitor's output sees EOF when the monitor ends). It waits
 * for EOF on a pipe whose write end only the monitor holds: the monitor's
 * end, however it comes (exit, a crash, SIGKILL). Then it exits, and the
 * VM's teardown runs there, after the monitor's exit status has been
 * reported. In a container the monitor is the pid namespace's init, whose
 * exit waits for every process in it: nothing is gained there, nothing lost.
 *
 * The reaper shares memory with the sandboxed monitor, so it must be no
 * way out of the sandbox: it blocks every signal (the monitor's handlers
 * are not its business) and loads its own seccomp filter, stricter than
 * the monitor's: read, close_range and exit only. It allocates nothing
 * (the heap is the monitor's) and calls no stdio.
 * Best effort: without it, the monitor's exit destroys the VM as before.
 */
#include "monitor.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define REAPER_STACK (16u << 10)

static struct {
	int fds[3]; /* kept: the VM's, the vCPU's, the pipe's read end; ascending */
	int wait_fd;
	int monitor_end; /* the pipe's write end, the monitor's */
	uint8_t stack[REAPER_STACK] __attribute__((aligned(16)));
} reaper = {.monitor_end = -1};

int hut_reaper_fd(void)
{
	return reaper.monitor_end;
}

/* Every fd but the three kept (close_range on each gap). */
static void close_others(void)
{
	unsigned from = 0;
	for (int i = 0; i < 3; i++) {
		unsigned fd = (unsigned)reaper.fds[i];
		if (fd > from)
			syscall(SYS_close_range, from, fd - 1, 0);
		from = fd + 1;
	}
	syscall(SYS_close_range, from, ~0u, 0);
}

#define LOAD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define ALLOW_IF(nr)                                                                               \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),                                           \
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

static int sandbox(void)
{
	static const struct sock_filter insn[] = {
		LOAD(offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		LOAD(offsetof(struct seccomp_data, nr)),
		ALLOW_IF(SYS_read),
		ALLOW_IF(SYS_exit),
		ALLOW_IF(SYS_exit_group),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog prog = {sizeof insn / sizeof insn[0], (struct sock_filter *)insn};
	if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

static int reaper_main(void *arg)
{
	(void)arg;
	syscall(SYS_prctl, PR_SET_NAME, "hut-reaper", 0, 0, 0);
	close_others();
	if (sandbox() < 0)
		return 0; /* the VM goes with the monitor, as without a reaper */
	char c;
	while (syscall(SYS_read, reaper.wait_fd, &c, 1) > 0)
		;
	return 0; /* the exit closes the VM's fds: its teardown runs here */
}

static void sort3(int *v)
{
	for (int i = 1; i < 3; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

void hut_reaper_start(const struct hut_vm *vm)
{
	int p[2];
	if (reaper.monitor_end >= 0) /* a pool's monitor started it before its request */
		return;
	if (vm->vm_fd < 0 || vm->vcpu_fd < 0 || pipe2(p, O_CLOEXEC) < 0)
		return;
	reaper.wait_fd = p[0];
	reaper.fds[0] = vm->vm_fd;
	reaper.fds[1] = vm->vcpu_fd;
	reaper.fds[2] = p[0];
	sort3(reaper.fds);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old); /* the reaper starts with every signal blocked */
	int pid = clone(reaper_main, reaper.stack + REAPER_STACK, CLONE_VM, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return;
	}
	reaper.monitor_end = p[1];
}
