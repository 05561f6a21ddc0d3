/*
 * The sandbox: once the machine is built, the monitor only runs the vCPU and
 * serves hypercalls. A guest that found a bug in that code should gain no
 * more than that code needs, so before the first KVM_RUN we drop every fd
 * but stdio and the vCPU, forbid new privileges, and load a seccomp filter
 * that kills the whole process on any syscall outside a short allow-list
 * (Firecracker's jailer and Solo5's tender do the same).
 */
#include "monitor.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The fds the monitor keeps past the sandbox: stdio, the vCPU, --core's
 * file, and the net device's tap and kick eventfd. The kvm and VM fds are
 * not needed once the vCPU exists (the run loop, hypercalls and crash
 * reports only use the vCPU fd); the image file is mmap'd and its fd closed. */
#define MAX_KEPT 4

static int kept_fds(const struct hut_vm *vm, int keep[MAX_KEPT])
{
	int n = 0;
	int all[MAX_KEPT] = {vm->vcpu_fd, vm->core_fd, vm->net ? vm->net->tap_fd : -1,
			     vm->net ? vm->net->kick_fd : -1};
	for (int i = 0; i < MAX_KEPT; i++) {
		int j = n++;
		for (; j > 0 && keep[j - 1] > all[i]; j--) /* insertion: ascending */
			keep[j] = keep[j - 1];
		keep[j] = all[i];
	}
	return n;
}

/* Old kernels (before 5.9) lack close_range: walk /proc/self/fd instead. */
static void close_listed_fds(struct hut_vm *vm, const int keep[MAX_KEPT])
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		hut_fail(vm, HUT_EXIT_MONITOR, "sandbox: cannot list /proc/self/fd (%s)",
			 strerror(errno));
	int dfd = dirfd(d);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		int kept = fd <= 2 || fd == dfd;
		for (int i = 0; i < MAX_KEPT; i++)
			kept |= fd == keep[i];
		if (*end || end == e->d_name || kept)
			continue;
		close((int)fd);
	}
	closedir(d);
}

/* Closes every fd above 2 but the kept ones: the gaps between them, with
 * one close_range each. */
static void close_other_fds(struct hut_vm *vm)
{
	int keep[MAX_KEPT];
	int n = kept_fds(vm, keep);
	unsigned from = 3;
	int ok = 1;
	for (int i = 0; i < n; i++) {
		if (keep[i] < 0)
			continue;
		if ((unsigned)keep[i] > from)
			ok &= syscall(SYS_close_range, from, (unsigned)keep[i] - 1, 0) == 0;
		if ((unsigned)keep[i] + 1 > from)
			from = (unsigned)keep[i] + 1;
	}
	ok &= syscall(SYS_close_range, from, ~0u, 0) == 0;
	if (!ok)
		close_listed_fds(vm, keep);
	vm->kvm_fd = vm->vm_fd = -1;
}

/*
 * The filter is classic BPF, written out here rather than through libseccomp
 * (hut-monitor is a static musl program; Debian's libseccomp is glibc's).
 * It is a list of rules, each "syscall nr, with these argument values":
 *
 *   load arch; if not x86-64: kill
 *   for each rule: load nr; if != rule.nr goto next
 *                  for each checked argument: load its low 32 bits;
 *                                             if != value goto next
 *                  return allow
 *             next:
 *   return kill
 *
 * The kernel takes fds and ioctl requests as 32-bit ints, so comparing the
 * low 32 bits of an argument is comparing what the kernel will use.
 */
#define MAX_RULE_ARGS 2
#define MAX_FILTER 128

/* The sanitized build (tests/integration/asan.sh) lets through what the list
 * does not name: the sanitizers' runtime makes syscalls of its own
 * (sigaltstack, mmap, ...). That build hunts memory errors; the filter
 * itself is tested on the normal build. */
#ifdef HUT_SANITIZED
#define RET_UNLISTED SECCOMP_RET_ALLOW
#else
#define RET_UNLISTED SECCOMP_RET_KILL_PROCESS
#endif

struct rule {
	int nr;
	int nargs;
	struct {
		int index;
		uint32_t value;
	} arg[MAX_RULE_ARGS];
};

struct filter {
	struct sock_filter insn[MAX_FILTER];
	unsigned short len;
};

static void emit(struct hut_vm *vm, struct filter *f, struct sock_filter insn)
{
	if (f->len == MAX_FILTER)
		hut_fail(vm, HUT_EXIT_MONITOR, "sandbox: seccomp filter too long");
	f->insn[f->len++] = insn;
}

#define LOAD(off) ((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off)))
#define RET(v) ((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, (v)))
#define JEQ(k, jt, jf) ((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (jt), (jf)))
#define ARG_LOW(i) (offsetof(struct seccomp_data, args) + 8 * (i))

/* One rule: 2 instructions for the number, 2 per argument, 1 to allow. On a
 * mismatch each test jumps past the rest of the rule. */
static void emit_rule(struct hut_vm *vm, struct filter *f, const struct rule *r)
{
	uint8_t left = (uint8_t)(2 * r->nargs + 1);
	emit(vm, f, LOAD(offsetof(struct seccomp_data, nr)));
	emit(vm, f, JEQ((uint32_t)r->nr, 0, left));
	for (int i = 0; i < r->nargs; i++) {
		left -= 2;
		emit(vm, f, LOAD(ARG_LOW(r->arg[i].index)));
		emit(vm, f, JEQ(r->arg[i].value, 0, left));
	}
	emit(vm, f, RET(SECCOMP_RET_ALLOW));
}

static struct rule vcpu_ioctl(const struct hut_vm *vm, unsigned long request)
{
	return (struct rule){SYS_ioctl, 2, {{0, (uint32_t)vm->vcpu_fd}, {1, (uint32_t)request}}};
}

static struct rule on_fd(int nr, int fd)
{
	return (struct rule){nr, 1, {{0, (uint32_t)fd}}};
}

static void emit_rules(struct hut_vm *vm, struct filter *f, const struct rule *rules, size_t n)
{
	if (f->len == 0) {
		emit(vm, f, LOAD(offsetof(struct seccomp_data, arch)));
		emit(vm, f, JEQ(AUDIT_ARCH_X86_64, 1, 0));
		emit(vm, f, RET(SECCOMP_RET_KILL_PROCESS));
	}
	for (size_t i = 0; i < n; i++)
		emit_rule(vm, f, &rules[i]);
}

/* musl's locks (two threads now share stdio) and the poll hypercall's
 * futex wait (net_io.c); the kick when KVM has no ioeventfd for it. */
#define NET_VCPU_RULES 2
static const struct rule *net_vcpu_rules(const struct hut_vm *vm)
{
	static struct rule r[NET_VCPU_RULES];
	r[0] = (struct rule){SYS_futex, 0, {{0}}};
	r[1] = on_fd(SYS_write, vm->net->kick_fd);
	return r;
}

/* The allow-list, measured with strace over every app in apps/, the hostile
 * guests, --timeout, --trace-boot and --quiet. No brk or mmap: stderr is
 * unbuffered, the console goes out with writev, crash reports allocate
 * nothing. */
static void add_rules(struct hut_vm *vm, struct filter *f)
{
	const struct rule rules[] = {
		vcpu_ioctl(vm, KVM_RUN),       /* the run loop */
		vcpu_ioctl(vm, KVM_GET_REGS),  /* crash report: register dump */
		vcpu_ioctl(vm, KVM_GET_SREGS), /* crash report: cr2; set-fs hypercall */
		vcpu_ioctl(vm, KVM_SET_SREGS), /* set-fs hypercall */
		on_fd(SYS_write, 1),	       /* stdio: messages */
		on_fd(SYS_write, 2),
		on_fd(SYS_writev, 1), /* console hypercall, musl's stdio */
		on_fd(SYS_writev, 2),
		on_fd(SYS_readv, 0),           /* console read hypercall: stdin */
		{SYS_nanosleep, 0, {{0}}},	  /* poll hypercall */
		{SYS_clock_nanosleep, 0, {{0}}},  /* poll hypercall, other libcs */
		{SYS_clock_gettime, 0, {{0}}},	  /* --trace-boot when there is no vDSO */
		{SYS_rt_sigreturn, 0, {{0}}},	  /* return from the --timeout SIGALRM handler */
		{SYS_exit_group, 0, {{0}}},	  /* exit() */
		{SYS_exit, 0, {{0}}},		  /* musl's _Exit, should exit_group return */
		on_fd(SYS_pwrite64, vm->core_fd), /* --core: the crash's core file */
	};
	emit_rules(vm, f, rules, sizeof rules / sizeof rules[0]);
	if (vm->net)
		emit_rules(vm, f, net_vcpu_rules(vm), NET_VCPU_RULES);
	emit(vm, f, RET(RET_UNLISTED));
}

/* HUT_SANDBOX_SELFTEST=1: a syscall the filter forbids, to prove it kills. */
static void selftest(void)
{
	const char *s = getenv("HUT_SANDBOX_SELFTEST");
	if (s && !strcmp(s, "1"))
		syscall(SYS_getppid);
}

/* Loads f for the calling thread only: the vCPU thread and the net I/O
 * thread each get their own list. */
static void load_filter(struct hut_vm *vm, const struct filter *f)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "sandbox: PR_SET_NO_NEW_PRIVS failed (%s)",
			 strerror(errno));
	struct sock_fprog prog = {f->len, (struct sock_filter *)f->insn};
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "sandbox: cannot load the seccomp filter (%s)",
			 strerror(errno));
}

void hut_sandbox_enter(struct hut_vm *vm)
{
	close_other_fds(vm);
	static struct filter f;
	add_rules(vm, &f);
	load_filter(vm, &f);
	selftest();
}

/* The net I/O thread: frames to and from the tap, the kick eventfd, its
 * sleep and the vCPU's wake-up; and, to end the guest over a bad ring, a
 * message and exit (clock_gettime: hut_fail prints the --trace-boot times). */
void hut_sandbox_enter_net_io(struct hut_vm *vm)
{
	int tap = vm->net->tap_fd, kick = vm->net->kick_fd;
	const struct rule rules[] = {
		on_fd(SYS_read, tap),	  on_fd(SYS_readv, tap),
		on_fd(SYS_write, tap),	  on_fd(SYS_read, kick),
		{SYS_poll, 0, {{0}}},	  {SYS_futex, 0, {{0}}},
		on_fd(SYS_write, 1),	  on_fd(SYS_write, 2),
		on_fd(SYS_writev, 1),	  on_fd(SYS_writev, 2),
		{SYS_clock_gettime, 0, {{0}}}, {SYS_exit_group, 0, {{0}}},
		{SYS_exit, 0, {{0}}},
	};
	static struct filter f;
	emit_rules(vm, &f, rules, sizeof rules / sizeof rules[0]);
	emit(vm, &f, RET(RET_UNLISTED));
	load_filter(vm, &f);
}
