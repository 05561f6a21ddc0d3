/*
 * Landlock: with volumes, the monitor gives up every file-system access
 * but the volume trees (read-only ones for reading only) before the guest
 * starts. openat2 already keeps each path beneath its volume; this is the
 * kernel saying the same, should a bug ever let a path out. Files the
 * monitor holds open (the image, /dev/kvm's fds, stdio) are unaffected.
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

static void add_volume(struct hut_vm *vm, int ruleset, unsigned i, uint64_t handled)
{
	struct landlock_path_beneath_attr rule = {
		.allowed_access = vm->opt->volumes[i].ro ? READ_ACCESS : handled & ~NEVER,
		.parent_fd = vm->volume_fd[i],
	};
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "landlock: cannot add the volume %s (%s)",
			 vm->opt->volumes[i].host, strerror(errno));
}

/* HUT_SANDBOX_SELFTEST=landlock: a file outside the volumes must now be
 * refused; the monitor says so and goes on (tests/integration/sandbox.sh). */
static void selftest(struct hut_vm *vm)
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

void hut_landlock_enter(struct hut_vm *vm)
{
	if (vm->opt->nvolumes == 0)
		return;
	int abi =
		(int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0) {
		fprintf(stderr,
			"hut-monitor: %s: warning: no Landlock in this kernel (%s): volumes are "
			"confined by openat2 and seccomp only\n",
			vm->opt->image, strerror(errno));
		return;
	}
	struct landlock_ruleset_attr attr = {.handled_access_fs = handled_for(abi)};
	int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
	if (ruleset < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "landlock: cannot create a ruleset (%s)",
			 strerror(errno));
	for (unsigned i = 0; i < vm->opt->nvolumes; i++)
		add_volume(vm, ruleset, i, attr.handled_access_fs);
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "landlock: cannot restrict the monitor (%s)",
			 strerror(errno));
	close(ruleset);
	selftest(vm);
}
