/*
 * The files module: `--volume HOST:GUEST[:OPTIONS]` (volume.c), the guest's
 * view of the volumes in the boot info, the file hypercall (files.c), and
 * what the sandbox lets the monitor do with them: the host-fd range kept
 * and every fd below it taken, the file syscalls on that range alone
 * (seccomp), and the volume trees alone (Landlock).
 */
#include "files.h"
#include "files_ring.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>

/* A message for bad_usage: "--volume SPEC: why". */
static const char *volume_option(const char *spec)
{
	static char msg[256];
	const char *why = hut_volume_parse(spec);
	if (!why)
		return NULL;
	snprintf(msg, sizeof msg, "--volume %s: %s", spec, why);
	return msg;
}

/* The volumes' guest paths, then their struct hut_boot_volume array. */
/* What the libos must know of a volume: whether it may change it, how it
 * caches it, and whether size= counts every write (a write the libos held
 * back would pass the count unseen). */
static uint32_t volume_flags(const struct hut_volume *v)
{
	return (v->ro ? HUT_VOLUME_RDONLY : 0) | v->cache | (v->size ? HUT_VOLUME_SIZED : 0);
}

static uint64_t ring_gpa; /* the file ring's region; 0: none */

static void files_boot_info(struct hut_vm *vm, struct hut_boot_info *bi, uint64_t *cursor)
{
	unsigned n = hut_files.nvolumes;
	char *paths[HUT_VOLUMES_MAX] = {0};
	struct hut_boot_volume *v;
	for (unsigned i = 0; i < n; i++)
		paths[i] = (char *)hut_files.volumes[i].guest;
	uint64_t ptrs = hut_bootinfo_strings(vm, cursor, n, paths, "volume paths");
	uint64_t end = HUT_BOOTINFO_GPA + HUT_BOOTINFO_SIZE, size = n * sizeof *v;
	if (size > end - *cursor || !(v = hut_gpa(&vm->mem, *cursor, size)))
		hut_fail(vm, HUT_EXIT_MONITOR, "guest arguments and volumes exceed %llu KiB",
			 HUT_BOOTINFO_SIZE >> 10);
	const uint64_t *path = hut_gpa(&vm->mem, ptrs, n * 8ul);
	for (unsigned i = 0; i < n; i++)
		v[i] = (struct hut_boot_volume){path[i], volume_flags(&hut_files.volumes[i]), 0};
	bi->volumes = *cursor;
	bi->volume_count = n;
	bi->file_ring = ring_gpa;
	*cursor += size;
}

/* The file ring, at the top of the heap, when there are volumes. */
static uint64_t files_ram_size(void)
{
	return hut_files.nvolumes ? HUT_FILE_REGION_SIZE : 0;
}

static void files_ram_at(uint64_t gpa)
{
	ring_gpa = gpa;
}

/* The host directories, then the ring's thread: it serves from them,
 * with the same file syscalls as the vCPU thread. */
static void files_prepare(struct hut_vm *vm)
{
	struct hut_seccomp_rule rules[64];
	hut_volumes_open(vm);
	if (ring_gpa)
		hut_file_io_start(vm, ring_gpa, rules,
				  hut_files_volume_rules(rules, sizeof rules / sizeof rules[0]));
}

static void serve_file(struct hut_vm *vm, uint64_t gpa, void *arg)
{
	(void)gpa;
	hut_file_io_hypercall(vm, arg);
}

static void serve_kick(struct hut_vm *vm, uint64_t gpa, void *arg)
{
	(void)gpa, (void)arg;
	hut_file_io_kick(vm);
}

/* The poll hypercall of a guest waiting for a file request. */
static bool files_sleep(struct hut_vm *vm, struct hut_hc_poll *hc, uint64_t timeout_ns,
			uint32_t wake_seq)
{
	(void)vm;
	if (!(hc->wait & HUT_POLL_FILE) || !hut_file_io_running())
		return false;
	hc->ready = hut_file_io_wait(hc->file_events, timeout_ns, wake_seq);
	return true;
}

static void files_trace_exits(const struct hut_vm *vm)
{
	(void)vm;
	hut_file_io_trace();
}

static void files_end(const struct hut_vm *vm, bool libos_closed)
{
	(void)vm, (void)libos_closed;
	hut_file_io_end();
}

/* Kept with or without volumes, as it always was: nothing else lives
 * there before the sandbox. */
static void files_keep(const struct hut_vm *vm, struct hut_kept_fds *k)
{
	(void)vm;
	hut_keep_fds(k, HUT_HOST_FD_BASE, HUT_HOST_FD_END - 1);
}

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef SYS_getxattrat
#define SYS_getxattrat 464
#endif

/* One rule a line, as written (clang-format would break them apart). */
/* clang-format off */
#define HOST_FD(i) {(i), HUT_HOST_FD_BASE, HUT_HOST_FD_END}
#define ON_HOST_FD(nr, i) {(nr), 1, {HOST_FD(i)}}
#define MODE_BELOW(nr, i, hi) {(nr), 2, {HOST_FD(0), {(i), 0, (hi)}}}

/* Each on the host-fd range, where every new fd lands (hut_volumes_fill_low
 * took the ones below): never stdio, the vCPU or anything else. The xattrs
 * are owner=mapped's view (owner.c); Landlock has no right for them, so
 * this range is their only bound. */
static const struct hut_seccomp_rule volume_rules[] = {
	ON_HOST_FD(SYS_openat2, 0),	/* open beneath a volume's directory (volume.c) */
	ON_HOST_FD(SYS_close, 0),	/* a handle's close; a placed fd's old number */
	ON_HOST_FD(SYS_fstat, 0),	/* stat of a handle; size= and open's checks */
	ON_HOST_FD(SYS_newfstatat, 0),	/* stat of a name in its directory, not followed */
	ON_HOST_FD(SYS_preadv, 0),	/* read */
	ON_HOST_FD(SYS_pwritev, 0),	/* write */
	ON_HOST_FD(SYS_getdents64, 0),	/* a directory's entries; size= measuring a tree */
	ON_HOST_FD(SYS_lseek, 0),	/* seek on a handle */
	ON_HOST_FD(SYS_fsync, 0),	/* fsync */
	ON_HOST_FD(SYS_fdatasync, 0),	/* fdatasync */
	ON_HOST_FD(SYS_fallocate, 0),	/* fallocate */
	ON_HOST_FD(SYS_ftruncate, 0),	/* truncate, open with O_TRUNC */
	ON_HOST_FD(SYS_utimensat, 0),	/* times (futimens too is utimensat) */
	ON_HOST_FD(SYS_unlinkat, 0),	/* unlink, rmdir */
	ON_HOST_FD(SYS_readlinkat, 0),	/* readlink */
	ON_HOST_FD(SYS_fstatfs, 0),	/* statfs */
	ON_HOST_FD(SYS_fgetxattr, 0),	/* owner=mapped: the guest's owner and set-ID bits */
	ON_HOST_FD(SYS_fsetxattr, 0),	/* owner=mapped: keeping them */
	ON_HOST_FD(SYS_fremovexattr, 0), /* owner=mapped: dropping them */
	{SYS_renameat2, 2, {HOST_FD(0), HOST_FD(2)}}, /* rename: both directories */
	{SYS_linkat, 2, {HOST_FD(0), HOST_FD(2)}},    /* link: both directories */
	ON_HOST_FD(SYS_symlinkat, 1),	/* symlink: its directory is argument 1 */
	/* owner=mapped's view of a name, without opening it: one name,
	 * never followed */
	{SYS_getxattrat, 2, {HOST_FD(0), HUT_ARG_IS(2, AT_SYMLINK_NOFOLLOW)}},
};

/* Modes without a set-ID bit ([0, 02000)): owner.c keeps the guest's set-ID
 * bits off the host files, and the kernel kills a monitor that would make
 * one anyway. */
static const struct hut_seccomp_rule mapped_rules[] = {
	MODE_BELOW(SYS_fchmod, 1, S_ISGID),	/* chmod */
	MODE_BELOW(SYS_fchmodat2, 2, S_ISGID), /* chmod by path (Linux 6.6) */
	MODE_BELOW(SYS_mkdirat, 2, S_ISGID),	/* mkdir */
};

/* owner=passthrough: any mode, and the owners the guest sets. Without such
 * a volume the kernel kills a monitor that would chown a host file. */
static const struct hut_seccomp_rule passthrough_rules[] = {
	MODE_BELOW(SYS_fchmod, 1, 010000),	/* chmod */
	MODE_BELOW(SYS_fchmodat2, 2, 010000),	/* chmod by path (Linux 6.6) */
	MODE_BELOW(SYS_mkdirat, 2, 010000),	/* mkdir */
	ON_HOST_FD(SYS_fchown, 0),		/* chown of a handle */
	ON_HOST_FD(SYS_fchownat, 0),		/* chown by path */
};
/* clang-format on */

static bool any_passthrough(void)
{
	for (unsigned i = 0; i < hut_files.nvolumes; i++)
		if (hut_files.volumes[i].owner == HUT_OWNER_PASSTHROUGH)
			return true;
	return false;
}

/* The rules of the file syscalls, for the vCPU thread and the ring's
 * thread alike: the volume rules and the owner= ones. */
size_t hut_files_volume_rules(struct hut_seccomp_rule *out, size_t max)
{
	const struct hut_seccomp_rule *owner = any_passthrough() ? passthrough_rules : mapped_rules;
	size_t nowner = any_passthrough() ? sizeof passthrough_rules / sizeof passthrough_rules[0]
					  : sizeof mapped_rules / sizeof mapped_rules[0];
	size_t n = 0;
	for (size_t i = 0; i < sizeof volume_rules / sizeof volume_rules[0] && n < max; i++)
		out[n++] = volume_rules[i];
	for (size_t i = 0; i < nowner && n < max; i++)
		out[n++] = owner[i];
	return n;
}

/* Only when there are volumes; with the ring, the lock it shares with the
 * thread, the poll hypercall's wait, and the kick when KVM has no
 * ioeventfd for it. */
static void files_seccomp(const struct hut_vm *vm, struct hut_seccomp *s)
{
	struct hut_seccomp_rule rules[64];
	(void)vm;
	if (hut_files.nvolumes == 0)
		return;
	hut_seccomp_allow(s, rules, hut_files_volume_rules(rules, sizeof rules / sizeof rules[0]));
	if (!hut_file_io_running())
		return;
	const struct hut_seccomp_rule ring_rules[] = {
		HUT_ALLOW(SYS_futex), HUT_ALLOW_ARG(SYS_write, 0, hut_file_io_kick_fd()),
		HUT_ALLOW(SYS_getcpu), /* where a file hypercall runs, without a vDSO */
	};
	hut_seccomp_allow(s, ring_rules, sizeof ring_rules / sizeof ring_rules[0]);
}

/* Each volume's tree: read-only ones for reading only. */
static const char *files_landlock(const struct hut_vm *vm, struct hut_landlock *l)
{
	(void)vm;
	for (unsigned i = 0; i < hut_files.nvolumes; i++)
		hut_landlock_allow(l, hut_files.volume_fd[i], !hut_files.volumes[i].ro, "volume",
				   hut_files.volumes[i].host);
	return "volumes are confined by openat2 and seccomp only";
}

static const struct hut_option options[] = {
	{"--volume", "-v", true, volume_option},
};

static const struct hut_hypercall hypercalls[] = {
	{HUT_HC_FILE, "file", sizeof(struct hut_hc_file), serve_file},
	{HUT_HC_FILE_KICK, "file-kick", 0, serve_kick},
};

/* Its lines of --help. */
static const char usage[] =
	"  -v, --volume HOST:GUEST[:OPTIONS]  the host directory HOST is the guest's\n"
	"                  directory GUEST (repeatable, at most 16); write a ':' or\n"
	"                  '\\' in a path as '\\:' or '\\\\'. OPTIONS, comma-separated:\n"
	"                    ro | rw     read-only, or read-write (the default)\n"
	"                    size=SIZE   the most the volume may hold on the host\n"
	"                                (blocks allocated, e.g. 64M or 1G): past it\n"
	"                                the guest's writes get ENOSPC\n"
	"                    owner=mapped  (the default) the guest's chown and set-ID\n"
	"                                bits stay in its view (xattr user.hut.stat);\n"
	"                                host files never get them\n"
	"                    owner=passthrough  they reach the host files as asked\n"
	"                                (a root monitor: any owner, setuid root)\n"
	"                    cache=auto  (the default) the guest caches file data;\n"
	"                                each open sees the host's changes\n"
	"                    cache=always  only this appliance changes HOST: an\n"
	"                                open trusts what the cache holds\n"
	"                    cache=none  every read and write reaches the host\n"
	"                  e.g. --volume /srv/data:/data:size=1G or /srv/www:/www:ro\n";

const struct hut_module hut_module_files = {
	.name = "files",
	.usage = usage,
	HUT_MODULE_OPTIONS(options),
	.ram_size = files_ram_size,
	.ram_at = files_ram_at,
	.boot_info = files_boot_info,
	.prepare = files_prepare,
	HUT_MODULE_HYPERCALLS(hypercalls),
	.keep_fds = files_keep,
	.fds_closed = hut_volumes_fill_low,
	.seccomp = files_seccomp,
	.landlock = files_landlock,
	.sleep = files_sleep,
	.trace_exits = files_trace_exits,
	.end = files_end,
	.snapshot = hut_files_snapshot,
	.restore = hut_files_restore,
};
