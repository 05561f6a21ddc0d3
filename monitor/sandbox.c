/*
 * The sandbox: once the machine is built, the monitor only runs the vCPU and
 * serves hypercalls. A guest that found a bug in that code should gain no
 * more than that code needs, so before the first KVM_RUN we drop every fd
 * but stdio and the vCPU, forbid new privileges, and load a seccomp filter
 * that kills the whole process on any syscall outside a short allow-list
 * (Firecracker's jailer and Solo5's tender do the same).
 */
#include "files.h"

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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The fds the monitor keeps past the sandbox, as ranges [lo, hi]: stdio
 * is never closed; the vCPU, --core's file, the net device's tap and kick
 * eventfd, and the volumes' host-fd range (HUT_HOST_FD_BASE and up). The
 * kvm and VM fds are not needed once the vCPU exists (the run loop,
 * hypercalls and crash reports only use the vCPU fd); the image file is
 * mmap'd and its fd closed. */
#define MAX_KEPT 5

/* Fills keep with the kept ranges in ascending order; returns how many. */
static int kept_ranges(const struct hut_vm *vm, unsigned keep[MAX_KEPT][2])
{
	int fds[4] = {vm->vcpu_fd, vm->core_fd, vm->net ? vm->net->tap_fd : -1,
		      vm->net ? vm->net->kick_fd : -1};
	unsigned all[MAX_KEPT][2] = {{HUT_HOST_FD_BASE, HUT_HOST_FD_END - 1}};
	int n = 1;
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0)
			all[n][0] = all[n][1] = (unsigned)fds[i], n++;
	for (int i = 0; i < n; i++) { /* insertion sort by lo */
		int j = i;
		for (; j > 0 && keep[j - 1][0] > all[i][0]; j--)
			keep[j][0] = keep[j - 1][0], keep[j][1] = keep[j - 1][1];
		keep[j][0] = all[i][0], keep[j][1] = all[i][1];
	}
	return n;
}

/* Old kernels (before 5.9) lack close_range: walk /proc/self/fd instead. */
static void close_listed_fds(struct hut_vm *vm, unsigned keep[MAX_KEPT][2], int n)
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
		for (int i = 0; i < n; i++)
			kept |= fd >= keep[i][0] && fd <= keep[i][1];
		if (*end || end == e->d_name || kept)
			continue;
		close((int)fd);
	}
	closedir(d);
}

/* Closes every fd above 2 but the kept ranges: the gaps between them, with
 * one close_range each. */
static void close_other_fds(struct hut_vm *vm)
{
	unsigned keep[MAX_KEPT][2];
	int n = kept_ranges(vm, keep);
	unsigned from = 3;
	int ok = 1;
	for (int i = 0; i < n; i++) {
		if (keep[i][0] > from)
			ok &= syscall(SYS_close_range, from, keep[i][0] - 1, 0) == 0;
		if (keep[i][1] + 1 > from)
			from = keep[i][1] + 1;
	}
	ok &= syscall(SYS_close_range, from, ~0u, 0) == 0;
	if (!ok)
		close_listed_fds(vm, keep, n);
	vm->kvm_fd = vm->vm_fd = -1;
}

/*
 * The filter is classic BPF, written out here rather than through libseccomp
 * (hut-monitor is a static musl program; Debian's libseccomp is glibc's).
 * It is a list of rules, each "syscall nr, with these arguments in these
 * ranges":
 *
 *   load arch; if not x86-64: kill
 *   for each rule: load nr; if != rule.nr goto next
 *                  for each checked argument: load its low 32 bits;
 *                                             if < lo or >= hi goto next
 *                  return allow
 *             next:
 *   return kill
 *
 * The kernel takes fds, ioctl requests and fcntl commands as 32-bit ints,
 * so comparing the low 32 bits of an argument is comparing what the kernel
 * will use. An exact value v is the range [v, v + 1).
 */
#define MAX_RULE_ARGS 3
#define MAX_FILTER 512

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
		uint32_t lo, hi; /* allowed: lo <= value < hi */
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
#define JGE(k, jt, jf) ((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (k), (jt), (jf)))
#define ARG_LOW(i) (offsetof(struct seccomp_data, args) + 8 * (i))

/* One rule: 2 instructions for the number, 3 per argument, 1 to allow. On a
 * mismatch each test jumps past the rest of the rule. */
static void emit_rule(struct hut_vm *vm, struct filter *f, const struct rule *r)
{
	uint8_t left = (uint8_t)(3 * r->nargs + 1);
	emit(vm, f, LOAD(offsetof(struct seccomp_data, nr)));
	emit(vm, f, JEQ((uint32_t)r->nr, 0, left));
	for (int i = 0; i < r->nargs; i++) {
		left -= 3;
		emit(vm, f, LOAD(ARG_LOW(r->arg[i].index)));
		emit(vm, f, JGE(r->arg[i].lo, 0, (uint8_t)(left + 1)));
		emit(vm, f, JGE(r->arg[i].hi, left, 0));
	}
	emit(vm, f, RET(SECCOMP_RET_ALLOW));
}

static struct rule vcpu_ioctl(const struct hut_vm *vm, unsigned long request)
{
	return (struct rule){SYS_ioctl,
			     2,
			     {{0, (uint32_t)vm->vcpu_fd, (uint32_t)vm->vcpu_fd + 1},
			      {1, (uint32_t)request, (uint32_t)request + 1}}};
}

static struct rule on_fd(int nr, int fd)
{
	return (struct rule){nr, 1, {{0, (uint32_t)fd, (uint32_t)fd + 1}}};
}

/* A file syscall on a host fd of the volumes' range (files.h), in argument
 * index (and index2, when >= 0): never stdio, the vCPU or anything else. */
static struct rule on_host_fds(int nr, int index, int index2)
{
	struct rule r = {nr, 1, {{index, HUT_HOST_FD_BASE, HUT_HOST_FD_END}}};
	if (index2 >= 0)
		r.arg[r.nargs++] = (typeof(r.arg[0])){index2, HUT_HOST_FD_BASE, HUT_HOST_FD_END};
	return r;
}

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef SYS_getxattrat
#define SYS_getxattrat 464
#endif

/* fchown and fchownat, and set-ID bits in a mode, are owner=passthrough's
 * alone: without such a volume the kernel kills a monitor that would
 * chown a host file or make one set-ID (owner.c). */
static bool any_passthrough(const struct hut_vm *vm)
{
	for (unsigned i = 0; i < vm->opt->nvolumes; i++)
		if (vm->opt->volumes[i].owner == HUT_OWNER_PASSTHROUGH)
			return true;
	return false;
}

/* A mode-setting syscall on a host fd, its mode argument below hi. */
static struct rule mode_below(int nr, int mode_index, uint32_t hi)
{
	struct rule r = on_host_fds(nr, 0, -1);
	r.arg[r.nargs++] = (typeof(r.arg[0])){mode_index, 0, hi};
	return r;
}

static void add_owner_rules(struct hut_vm *vm, struct filter *f)
{
	bool passthrough = any_passthrough(vm);
	uint32_t modes = passthrough ? 010000 : S_ISGID; /* [0, 02000): no set-ID bit */
	struct rule rules[] = {
		mode_below(SYS_fchmod, 1, modes),  mode_below(SYS_fchmodat2, 2, modes),
		mode_below(SYS_mkdirat, 2, modes), on_host_fds(SYS_fchown, 0, -1),
		on_host_fds(SYS_fchownat, 0, -1),
	};
	for (size_t i = 0; i < sizeof rules / sizeof rules[0] - (passthrough ? 0 : 2); i++)
		emit_rule(vm, f, &rules[i]);
}

/* What volumes add, only when there are some (files.c, files_path.c,
 * volume.c, owner.c, volume_size.c): each on the host-fd range, where
 * every new fd lands (hut_volumes_fill_low took the ones below). The
 * xattrs are owner=mapped's view (owner.c); Landlock has no right for
 * them, so this range is their only bound. */
static void add_volume_rules(struct hut_vm *vm, struct filter *f)
{
	static const int on_arg0[] = {
		SYS_openat2,   SYS_close,      SYS_fstat,     SYS_newfstatat,	SYS_preadv,
		SYS_pwritev,   SYS_getdents64, SYS_lseek,     SYS_fsync,	SYS_fdatasync,
		SYS_fallocate, SYS_ftruncate,  SYS_utimensat, SYS_unlinkat,	SYS_readlinkat,
		SYS_fstatfs,   SYS_fgetxattr,  SYS_fsetxattr, SYS_fremovexattr,
	};
	for (size_t i = 0; i < sizeof on_arg0 / sizeof on_arg0[0]; i++) {
		struct rule r = on_host_fds(on_arg0[i], 0, -1);
		emit_rule(vm, f, &r);
	}
	struct rule getxattrat = on_host_fds(SYS_getxattrat, 0, -1);
	getxattrat.arg[getxattrat.nargs++] = (typeof(getxattrat.arg[0])){
		2, AT_SYMLINK_NOFOLLOW, AT_SYMLINK_NOFOLLOW + 1}; /* one name, never followed */
	const struct rule more[] = {
		on_host_fds(SYS_renameat2, 0, 2),
		on_host_fds(SYS_linkat, 0, 2),
		on_host_fds(SYS_symlinkat, 1, -1),
		getxattrat,
	};
	for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
		emit_rule(vm, f, &more[i]);
	add_owner_rules(vm, f);
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

static struct rule any(int nr)
{
	return (struct rule){nr, 0, {{0, 0, 0}}};
}

/* musl's locks (two threads now share stdio) and the poll hypercall's
 * futex wait (net_io.c); the kick when KVM has no ioeventfd for it. */
#define NET_VCPU_RULES 2
static const struct rule *net_vcpu_rules(const struct hut_vm *vm)
{
	static struct rule r[NET_VCPU_RULES];
	r[0] = any(SYS_futex);
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
		on_fd(SYS_readv, 0),		       /* console read hypercall: stdin */
		{SYS_nanosleep, 0, {{0, 0, 0}}},       /* poll hypercall */
		{SYS_clock_nanosleep, 0, {{0, 0, 0}}}, /* poll hypercall, other libcs */
		{SYS_clock_gettime, 0, {{0, 0, 0}}},   /* --trace-boot when there is no vDSO */
		{SYS_rt_sigreturn, 0, {{0, 0, 0}}}, /* return from the --timeout SIGALRM handler */
		{SYS_exit_group, 0, {{0, 0, 0}}},   /* exit() */
		{SYS_exit, 0, {{0, 0, 0}}},	    /* musl's _Exit, should exit_group return */
		on_fd(SYS_pwrite64, vm->core_fd),   /* --core: the crash's core file */
	};
	emit_rules(vm, f, rules, sizeof rules / sizeof rules[0]);
	if (vm->opt->nvolumes)
		add_volume_rules(vm, f);
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

static void no_new_privs(struct hut_vm *vm)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "sandbox: PR_SET_NO_NEW_PRIVS failed (%s)",
			 strerror(errno));
}

/* Loads f for the calling thread only: the vCPU thread and the net I/O
 * thread each get their own list. */
static void load_filter(struct hut_vm *vm, struct filter *f)
{
	struct sock_fprog prog = {f->len, f->insn};
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "sandbox: cannot load the seccomp filter (%s)",
			 strerror(errno));
}

void hut_sandbox_enter(struct hut_vm *vm)
{
	close_other_fds(vm);
	hut_volumes_fill_low(vm);
	no_new_privs(vm);
	hut_landlock_enter(vm);
	static struct filter f;
	add_rules(vm, &f);
	load_filter(vm, &f);
	selftest();
}

/* The net I/O thread: frames to and from the tap, the kick eventfd, its
 * sleep and the vCPU's wake-up; and, to end the guest over a bad ring, a
 * message and exit (clock_gettime: hut_fail prints the --trace-boot times).
 * It starts before the vCPU thread's sandbox (hut_net_start) and loads this
 * first thing. */
void hut_sandbox_enter_net_io(struct hut_vm *vm)
{
	int tap = vm->net->tap_fd, kick = vm->net->kick_fd;
	const struct rule rules[] = {
		on_fd(SYS_read, tap),  on_fd(SYS_readv, tap),  on_fd(SYS_write, tap),
		on_fd(SYS_read, kick), any(SYS_poll),	       any(SYS_futex),
		on_fd(SYS_write, 1),   on_fd(SYS_write, 2),    on_fd(SYS_writev, 1),
		on_fd(SYS_writev, 2),  any(SYS_clock_gettime), any(SYS_exit_group),
		any(SYS_exit),
	};
	static struct filter f;
	no_new_privs(vm);
	emit_rules(vm, &f, rules, sizeof rules / sizeof rules[0]);
	emit(vm, &f, RET(RET_UNLISTED));
	load_filter(vm, &f);
}
