/*
 * The core-dump module: --core FILE, created at start (an existing FIFO
 * must not hang the monitor, and only a regular file will do), kept past
 * the sandbox with pwrite64 its only syscall on it, and written when the
 * guest crashes (core.c). The libos registers where it keeps its threads
 * (HUT_HC_THREADS) so that the core holds them all.
 *
 * A crashed process other than pid 1 gets FILE.pid (HUT_HC_PROC_CORE,
 * core_process.c), made after the sandbox beneath FILE's directory
 * (core_file.c): the rules here allow that directory and that file's fd
 * slot only.
 */
#include "core.h"
#include "../snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static struct {
	const char *path;     /* --core's FILE, or NULL */
	int fd;		      /* its fd, or -1 */
	uint64_t threads_gpa; /* the libos's struct hut_threads_table, or 0 */
} core = {NULL, -1, 0};

static const char *core_option(const char *value)
{
	core.path = value;
	return hut_core_file_option(value);
}

static void core_open(struct hut_vm *vm)
{
	struct stat st;
	if (!core.path)
		return;
	core.fd = open(core.path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0600);
	if (core.fd < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot create core file %s (%s)", core.path,
			 strerror(errno));
	if (fstat(core.fd, &st) != 0 || !S_ISREG(st.st_mode))
		hut_fail(vm, HUT_EXIT_MONITOR, "core file %s is not a regular file", core.path);
	hut_core_file_open_dir(vm);
}

/* The sandbox closed every other fd. */
static void core_reserve_slot(struct hut_vm *vm)
{
	if (core.fd >= 0)
		hut_core_file_reserve(vm, core.fd);
}

/* The argument struct was checked (in RAM, aligned); its entries are
 * checked when a crash reads them. */
static void threads_registered(struct hut_vm *vm, uint64_t gpa, void *arg)
{
	(void)vm, (void)arg;
	core.threads_gpa = gpa;
}

uint64_t hut_core_threads(void)
{
	return core.threads_gpa;
}

/* A snapshot keeps where the libos's threads table is: a restored guest
 * registered it long ago, and its crash report and core need it. */
static const char *core_snapshot(struct hut_vm *vm, struct hut_snap_buf *w)
{
	(void)vm;
	return hut_snap_put(w, &core.threads_gpa, sizeof core.threads_gpa) ? NULL : "core: no room";
}

/* Any value: a crash checks each entry it reads. */
static const char *core_restore(struct hut_vm *vm, struct hut_snap_buf *r)
{
	(void)vm;
	if (!hut_snap_get(r, &core.threads_gpa, sizeof core.threads_gpa))
		return "the snapshot has no threads table record";
	return NULL;
}

static void core_keep(const struct hut_vm *vm, struct hut_kept_fds *k)
{
	(void)vm;
	hut_keep_fds(k, core.fd, core.fd);
	hut_keep_fds(k, hut_core_file_dir(), hut_core_file_dir());
}

static void core_seccomp(const struct hut_vm *vm, struct hut_seccomp *s)
{
	const struct hut_seccomp_rule rules[] = {
		HUT_ALLOW_ARG(SYS_pwrite64, 0, core.fd), /* the crash's core file */
		/* a process's core, FILE.pid (core_file.c) */
		HUT_ALLOW_ARG(SYS_close, 0, hut_core_file_slot()),    /* the slot freed */
		HUT_ALLOW_ARG(SYS_openat2, 0, hut_core_file_dir()),   /* beneath FILE's directory */
		HUT_ALLOW_ARG(SYS_fstat, 0, hut_core_file_slot()),    /* a regular file */
		HUT_ALLOW_ARG(SYS_pwrite64, 0, hut_core_file_slot()), /* its bytes */
	};
	(void)vm;
	if (core.fd >= 0)
		hut_seccomp_allow(s, rules, sizeof rules / sizeof rules[0]);
}

/* FILE's directory: FILE.pid is made there after the sandbox. */
static const char *core_landlock(const struct hut_vm *vm, struct hut_landlock *l)
{
	(void)vm;
	if (hut_core_file_dir() < 0)
		return NULL;
	hut_landlock_allow(l, hut_core_file_dir(), true, "core file's directory", core.path);
	return "processes' core files are confined by openat2 and seccomp only";
}

static void core_crash(struct hut_vm *vm, const struct kvm_regs *regs,
		       const struct kvm_sregs *sregs, const struct hut_trap_frame *f, int sig)
{
	if (core.fd >= 0 && hut_core_write(vm, core.fd, core.threads_gpa, regs, sregs, f, sig) != 0)
		fprintf(stderr, "hut-monitor: %s: could not write the core file\n", vm->opt->image);
}

static const struct hut_option options[] = {
	{"--core", NULL, true, core_option},
};

static const struct hut_hypercall hypercalls[] = {
	{HUT_HC_THREADS, "threads", sizeof(struct hut_threads_table), threads_registered},
	{HUT_HC_PROC_CORE, "proc-core", sizeof(struct hut_hc_proc_core), hut_core_process},
};

/* Its lines of --help. */
static const char usage[] =
	"  --core FILE     if the guest crashes, write an ELF core to FILE for\n"
	"                  `gdb IMAGE FILE` (FILE is created at start, empty if no crash);\n"
	"                  a crashed process other than pid 1 gets its own, FILE.PID\n";

const struct hut_module hut_module_core = {
	.name = "core",
	.usage = usage,
	HUT_MODULE_OPTIONS(options),
	.prepare = core_open,
	HUT_MODULE_HYPERCALLS(hypercalls),
	.keep_fds = core_keep,
	.fds_closed = core_reserve_slot,
	.seccomp = core_seccomp,
	.landlock = core_landlock,
	.crash = core_crash,
	.snapshot = core_snapshot,
	.restore = core_restore,
};
