/*
 * FILE.pid, a crashed process's core file (--core FILE; core_process.c
 * writes it), made after the sandbox: FILE's directory is opened at start
 * and kept, and FILE.pid is created beneath it with openat2 (no symlink, no
 * way out), Landlock granting that directory alone (core_module.c). Its fd
 * lands in a slot reserved once the sandbox closed the other fds: the
 * lowest free fd then, so the lowest free again whenever the slot is
 * closed, as nothing below it is closed later (a volume's fds lie above,
 * in their own range). Each syscall on it is allowed on that number only.
 */
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PID_DIGITS 11 /* ".2147483647" */

static struct {
	const char *path;		  /* --core's FILE */
	const char *base;		  /* its last component */
	char dir[PATH_MAX];		  /* its directory */
	int dir_fd;			  /* it, O_PATH, or -1 */
	int slot;			  /* where FILE.pid's fd lands, or -1 */
	char name[PATH_MAX + PID_DIGITS]; /* the last FILE.pid, for messages */
} file = {.dir_fd = -1, .slot = -1};

/* FILE must name a file: its last component is what FILE.pid extends. */
const char *hut_core_file_option(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dir_len = slash ? (size_t)(slash - path) : 1;
	file.path = path;
	file.base = slash ? slash + 1 : path;
	if (!*file.base || !strcmp(file.base, ".") || !strcmp(file.base, "..") ||
	    strlen(file.base) + PID_DIGITS > NAME_MAX || dir_len >= sizeof file.dir)
		return "--core FILE: FILE must name a file (FILE.PID must be a name too)";
	if (!slash)
		memcpy(file.dir, ".", 2);
	else if (dir_len == 0)
		memcpy(file.dir, "/", 2);
	else
		memcpy(file.dir, path, dir_len), file.dir[dir_len] = 0;
	return NULL;
}

void hut_core_file_open_dir(struct hut_vm *vm)
{
	file.dir_fd = open(file.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (file.dir_fd < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot open the core file's directory %s (%s)",
			 file.dir, hut_limit_text(errno));
}

void hut_core_file_reserve(struct hut_vm *vm, int like)
{
	file.slot = fcntl(like, F_DUPFD_CLOEXEC, 0);
	if (file.slot < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "cannot reserve an fd for processes' cores (%s)",
			 hut_limit_text(errno));
}

int hut_core_file_dir(void)
{
	return file.dir_fd;
}

int hut_core_file_slot(void)
{
	return file.slot;
}

/* Only a regular file will do (O_NONBLOCK: a FIFO there must not hang the
 * monitor). */
int hut_core_process_file(uint32_t pid, const char **name)
{
	struct open_how how = {
		.flags = O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
		.mode = 0600,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	char leaf[NAME_MAX + 1];
	struct stat st;
	if (file.slot < 0)
		return -ENOENT;
	snprintf(leaf, sizeof leaf, "%s.%u", file.base, pid);
	snprintf(file.name, sizeof file.name, "%s.%u", file.path, pid);
	*name = file.name;
	close(file.slot);
	long fd = syscall(SYS_openat2, file.dir_fd, leaf, &how, sizeof how);
	if (fd < 0)
		return -errno;
	if (fd != file.slot)
		return -EMFILE; /* not the slot: no syscall may touch it */
	if (fstat(file.slot, &st) != 0 || !S_ISREG(st.st_mode))
		return -EINVAL;
	return file.slot;
}
