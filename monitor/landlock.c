/*
 * Landlock: when a module asks for trees (the volumes do), the monitor
 * gives up every file-system access but those (read-only ones for reading
 * only) before the guest starts. openat2 already keeps each path beneath
 * its volume; this is the kernel saying the same, should a bug ever let a
 * path out. Files the monitor holds open (the image, /dev/kvm's fds,
 * stdio) are unaffected.
 * A kernel without Landlock (before 5.13, or disabled) gets one warning and
 * the seccomp filter alone.
 */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#endif

#define READ_ACCESS (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
/* What no volume ever allows: running, device and special files. */
#define NEVER                                                                                      \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_MAKE_CHAR |                               \
	 LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SOCK |                            \
	 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_IOCTL_DEV)

/* Every access right the kernel's Landlock ABI knows: all are handled, so
 * all are denied outside the rules. */
static uint64_t handled_for(int abi)
{
	uint64_t all = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1: bits 0-12 */
	if (abi >= 2)
		all |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		all |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		all |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return all;
}

#define MAX_TREES (HUT_VOLUMES_MAX + 4)

/* The trees the modules asked for (their landlock hooks). */
struct hut_landlock {
	const struct hut_vm *vm;
	unsigned n;
	struct {
		int dir;
		bool writable;
		const char *kind, *what;
	} tree[MAX_TREES];
};

void hut_landlock_allow(struct hut_landlock *l, int dir, bool writable, const char *kind,
			const char *what)
{
	if (l->n == MAX_TREES)
		hut_fail(l->vm, HUT_EXIT_MONITOR, "landlock: too many trees");
	l->tree[l->n++] = (typeof(l->tree[0])){dir, writable, kind, what};
}

static void add_tree(struct hut_landlock *l, unsigned i, int ruleset, uint64_t handled)
{
	struct landlock_path_beneath_attr rule = {
		.allowed_access = l->tree[i].writable ? handled & ~NEVER : READ_ACCESS,
		.parent_fd = l->tree[i].dir,
	};
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0)
		hut_fail(l->vm, HUT_EXIT_MONITOR, "landlock: cannot add the %s %s (%s)",
			 l->tree[i].kind, l->tree[i].what, strerror(errno));
}

/* HUT_SANDBOX_SELFTEST=landlock: a file outside the volumes must now be
 * refused; the monitor says so and goes on (tests/integration/sandbox.sh). */
static void selftest(const struct hut_vm *vm)
{
	const char *s = getenv("HUT_SANDBOX_SELFTEST");
	if (!s || strcmp(s, "landlock") != 0)
		return;
	int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		hut_fail(vm, HUT_EXIT_MONITOR,
			 "landlock self-test: /etc/passwd could be opened outside the volumes");
	fprintf(stderr, "hut-monitor: %s: landlock self-test: /etc/passwd refused (%s)\n",
		vm->opt->image, strerror(errno));
}

/* unconfined: what still confines the trees on a kernel without Landlock
 * (a module's landlock hook says); NULL: say nothing, test nothing (a
 * module's thread: the vCPU thread says it and runs the self-test). */
static void restrict_to(const struct hut_vm *vm, struct hut_landlock *l, const char *unconfined)
{
	int abi =
		(int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0 && unconfined)
		fprintf(stderr, "hut-monitor: %s: warning: no Landlock in this kernel (%s): %s\n",
			vm->opt->image, strerror(errno), unconfined);
	if (abi < 0)
		return;
	struct landlock_ruleset_attr attr = {.handled_access_fs = handled_for(abi)};
	int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
	if (ruleset < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "landlock: cannot create a ruleset (%s)",
			 strerror(errno));
	for (unsigned i = 0; i < l->n; i++)
		add_tree(l, i, ruleset, attr.handled_access_fs);
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "landlock: cannot restrict the monitor (%s)",
			 strerror(errno));
	close(ruleset);
	if (unconfined)
		selftest(vm);
}

/* The modules' trees into l; what confines them without Landlock. */
static const char *gather(struct hut_vm *vm, struct hut_landlock *l)
{
	const struct hut_module *m;
	const char *unconfined = NULL;
	l->vm = vm;
	hut_each_module(vm, m)
		if (m->landlock) {
			const char *why = m->landlock(vm, l);
			unconfined = unconfined ? unconfined : why;
		}
	return unconfined ? unconfined : "seccomp alone confines them";
}

/* Nothing asked for: no Landlock at all (the monitor opens no file then).
 * On the caller's stack: a module's thread may gather at the same time. */
void hut_landlock_enter(struct hut_vm *vm)
{
	struct hut_landlock l = {0};
	const char *unconfined = gather(vm, &l);
	if (l.n)
		restrict_to(vm, &l, unconfined);
}

void hut_landlock_thread(struct hut_vm *vm)
{
	struct hut_landlock l = {0};
	/* An unprivileged thread restricts itself only with no_new_privs,
	 * which is the thread's own too. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "landlock: PR_SET_NO_NEW_PRIVS failed (%s)",
			 strerror(errno));
	gather(vm, &l);
	if (l.n)
		restrict_to(vm, &l, NULL);
}
