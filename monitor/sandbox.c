/*
 * The sandbox: once the machine is built, the monitor only runs the vCPU and
 * serves hypercalls. A guest that found a bug in that code should gain no
 * more than that code needs, so before the first KVM_RUN we drop every fd
 * but stdio and the vCPU, forbid new privileges, and load a seccomp filter
 * that kills the whole process on any syscall outside a short allow-list
 * (Firecracker's jailer and Solo5's tender do the same).
 */
#include "monitor.h"
#include "seccomp_build.h"
#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The fds the monitor keeps past the sandbox, as ranges [lo, hi] in
 * ascending order: stdio is never closed; the vCPU's, and what each module
 * keeps (its keep_fds hook: a core file, a tap, the volumes' host-fd
 * range). The kvm and VM fds are not needed once the vCPU exists (the run
 * loop, hypercalls and crash reports only use the vCPU fd); the image file
 * is mmap'd and its fd closed. */
#define MAX_KEPT 8

struct hut_kept_fds {
	const struct hut_vm *vm;
	unsigned keep[MAX_KEPT][2];
	int n;
};

/* Inserted in order of lo; a negative lo (no such fd) keeps nothing. */
void hut_keep_fds(struct hut_kept_fds *k, int lo, int hi)
{
	if (lo < 0)
		return;
	if (k->n == MAX_KEPT)
		hut_fail(k->vm, HUT_EXIT_MONITOR, "sandbox: too many kept fd ranges");
	int j = k->n++;
	for (; j > 0 && k->keep[j - 1][0] > (unsigned)lo; j--)
		k->keep[j][0] = k->keep[j - 1][0], k->keep[j][1] = k->keep[j - 1][1];
	k->keep[j][0] = (unsigned)lo, k->keep[j][1] = (unsigned)hi;
}

static void kept_ranges(struct hut_vm *vm, struct hut_kept_fds *k)
{
	k->vm = vm;
	hut_keep_fds(k, vm->vcpu_fd, vm->vcpu_fd);
	hut_keep_fds(k, hut_snapshot_fd(), hut_snapshot_fd());
	hut_keep_fds(k, hut_reaper_fd(), hut_reaper_fd());
	hut_keep_fds(k, hut_kvm_stats_fd(), hut_kvm_stats_fd());
	hut_call_modules(vm, keep_fds, vm, k);
}

/* Old kernels (before 5.9) lack close_range: walk /proc/self/fd instead. */
static void close_listed_fds(struct hut_vm *vm, const struct hut_kept_fds *k)
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
		for (int i = 0; i < k->n; i++)
			kept |= fd >= k->keep[i][0] && fd <= k->keep[i][1];
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
	struct hut_kept_fds k = {0};
	kept_ranges(vm, &k);
	unsigned from = 3;
	int ok = 1;
	for (int i = 0; i < k.n; i++) {
		if (k.keep[i][0] > from)
			ok &= syscall(SYS_close_range, from, k.keep[i][0] - 1, 0) == 0;
		if (k.keep[i][1] + 1 > from)
			from = k.keep[i][1] + 1;
	}
	ok &= syscall(SYS_close_range, from, ~0u, 0) == 0;
	if (!ok)
		close_listed_fds(vm, &k);
	vm->kvm_fd = vm->vm_fd = -1;
}

/*
 * The filter is classic BPF, written out by seccomp_build.c rather than
 * through libseccomp (hut-monitor is a static musl program; Debian's
 * libseccomp is glibc's). It is built from tables of rules (struct
 * hut_seccomp_rule, module.h): the core's own below, each module's from its
 * seccomp hook, every rule with a comment saying why it is there (as
 * Firecracker keeps its filters). Anything no rule allows kills the
 * process.
 */

/* The sanitized build (tests/integration/asan.sh) lets through what the list
 * does not name: the sanitizers' runtime makes syscalls of its own
 * (sigaltstack, mmap, ...). That build hunts memory errors; the filter
 * itself is tested on the normal build. */
#ifdef HUT_SANITIZED
#define RET_UNLISTED SECCOMP_RET_ALLOW
#else
#define RET_UNLISTED SECCOMP_RET_KILL_PROCESS
#endif

/* The vCPU thread's rules, gathered from the core and the modules. */
struct hut_seccomp {
	const struct hut_vm *vm;
	struct hut_seccomp_rule rule[HUT_SECCOMP_MAX_RULES];
	size_t n;
};

void hut_seccomp_allow(struct hut_seccomp *f, const struct hut_seccomp_rule *rules, size_t n)
{
	if (n > HUT_SECCOMP_MAX_RULES - f->n)
		hut_fail(f->vm, HUT_EXIT_MONITOR, "sandbox: too many seccomp rules");
	memcpy(&f->rule[f->n], rules, n * sizeof *rules);
	f->n += n;
}

/* An ioctl on the vCPU fd, of this request only. */
#define VCPU_IOCTL(vm, request) HUT_ALLOW_ARGS2(SYS_ioctl, 0, (vm)->vcpu_fd, 1, (request))

/* --snapshot's, at the ready point (snapshot_take.c): the vCPU read, guest
 * RAM's resident pages found, the file written; the net device's drain
 * waits a millisecond at a time (net_snapshot.c). */
static void snapshot_rules(const struct hut_vm *vm, struct hut_seccomp *f)
{
	const struct hut_seccomp_rule rules[] = {
		VCPU_IOCTL(vm, KVM_GET_FPU),
		VCPU_IOCTL(vm, KVM_GET_MSRS),
		HUT_ALLOW(SYS_mincore),
		HUT_ALLOW_ARG(SYS_pwrite64, 0, hut_snapshot_fd()),
		HUT_ALLOW_ARG(SYS_ftruncate, 0, hut_snapshot_fd()),
		HUT_ALLOW(SYS_nanosleep),
		HUT_ALLOW(SYS_clock_nanosleep),
	};
	hut_seccomp_allow(f, rules, sizeof rules / sizeof rules[0]);
}

/* The core's allow-list, measured with strace over every app in apps/, the
 * hostile guests, --timeout, --trace-boot and --quiet. No brk or mmap:
 * stderr is unbuffered, the console goes out with writev, crash reports
 * allocate nothing. */
static void core_rules(const struct hut_vm *vm, struct hut_seccomp *f)
{
	const struct hut_seccomp_rule rules[] = {
		VCPU_IOCTL(vm, KVM_RUN),	 /* the run loop */
		VCPU_IOCTL(vm, KVM_GET_REGS),	 /* crash report: register dump */
		VCPU_IOCTL(vm, KVM_GET_SREGS),	 /* crash report: cr2; set-fs hypercall */
		VCPU_IOCTL(vm, KVM_SET_SREGS),	 /* set-fs hypercall */
		HUT_ALLOW_ARG(SYS_write, 0, 1),	 /* stdio: messages */
		HUT_ALLOW_ARG(SYS_write, 0, 2),	 /* stdio: messages */
		HUT_ALLOW_ARG(SYS_writev, 0, 1), /* musl's stdio; the console hypercall */
		HUT_ALLOW_ARG(SYS_writev, 0, 2), /* musl's stdio; the console hypercall */
		HUT_ALLOW(SYS_futex),		 /* poll hypercall: its sleep (vcpu_wake.c) */
		HUT_ALLOW(SYS_clock_gettime),	 /* --trace-boot when there is no vDSO */
		HUT_ALLOW(SYS_rt_sigreturn),	 /* return from the --timeout SIGALRM handler */
		HUT_ALLOW(SYS_exit_group),	 /* exit() */
		HUT_ALLOW(SYS_exit),		 /* musl's _Exit, should exit_group return */
	};
	hut_seccomp_allow(f, rules, sizeof rules / sizeof rules[0]);
	if (hut_kvm_stats_fd() >= 0) { /* --trace-boot's counts of KVM's */
		const struct hut_seccomp_rule stats_rule =
			HUT_ALLOW_ARG(SYS_pread64, 0, hut_kvm_stats_fd());
		hut_seccomp_allow(f, &stats_rule, 1);
	}
	if (hut_snapshot_wanted())
		snapshot_rules(vm, f);
}

/* The core's list, then each module's. */
static void add_rules(struct hut_vm *vm, struct hut_seccomp *f)
{
	f->vm = vm;
	core_rules(vm, f);
	hut_call_modules(vm, seccomp, vm, f);
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

/* Each thread's program (the vCPU thread's, the console's, the network
 * device's, the volumes', a pool client's watcher), built by the thread
 * itself (two may build at once): a slot each, taken atomically, never
 * given back (a program must outlive its loading: a free may unmap, which
 * the filter forbids). Static, not malloc'd: a monitor that boots without
 * a malloc skips the allocator's first one, ~0.1 ms of a process on a host
 * whose page tables are shadowed (kvm-pvm's); a slot's pages are touched
 * only as far as its program goes. More threads than slots: malloc. */
#define PROG_SLOTS 6

static struct hut_seccomp_prog *take_prog_slot(void)
{
	static struct hut_seccomp_prog slots[PROG_SLOTS];
	static atomic_uint taken;
	unsigned i = atomic_fetch_add(&taken, 1);
	return i < PROG_SLOTS ? &slots[i] : malloc(sizeof(struct hut_seccomp_prog));
}

/* Loads the filter of rules for the calling thread only: the vCPU thread
 * and each device thread get their own list. */
static void load_filter(struct hut_vm *vm, const struct hut_seccomp_rule *rules, size_t n)
{
	struct hut_seccomp_prog *p = take_prog_slot();
	if (!p)
		hut_fail(vm, HUT_EXIT_MONITOR, "sandbox: %s", "out of memory");
	const char *why = hut_seccomp_build(rules, n, RET_UNLISTED, p);
	if (why)
		hut_fail(vm, HUT_EXIT_MONITOR, "sandbox: %s", why);
	struct sock_fprog prog = {p->len, p->insn};
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "sandbox: cannot load the seccomp filter (%s)",
			 strerror(errno));
}

/* Each module's fds_closed hook runs once the others are closed (the
 * volumes take every fd below their range). */
void hut_sandbox_enter(struct hut_vm *vm)
{
	close_other_fds(vm);
	hut_call_modules(vm, fds_closed, vm);
	no_new_privs(vm);
	hut_landlock_enter(vm);
	static struct hut_seccomp f;
	add_rules(vm, &f);
	load_filter(vm, f.rule, f.n);
	selftest();
}

/* A module's thread (the net I/O thread, the console thread) loads its own
 * list, first thing. */
void hut_sandbox_thread(struct hut_vm *vm, const struct hut_seccomp_rule *rules, size_t n)
{
	no_new_privs(vm);
	load_filter(vm, rules, n);
}
