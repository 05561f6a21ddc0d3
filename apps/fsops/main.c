/*
 * usage: fsops SCENARIO DIR [ARG]
 *   io      read, write, seek, pread/pwrite, append, truncate, fallocate, sync
 *   tree    mkdir, rmdir, unlink, rename(at2), link, symlink, readlink
 *   paths   . and .., symlinks (loops, dangling, O_NOFOLLOW), long names, cwd, *at
 *   fds     dup*, fcntl flags, shared offsets, pipes, EPIPE, ESPIPE
 *   locks   fcntl record locks, OFD locks, flock
 *   mmap    mapping files privately and shared read-only
 *   attrs   chmod, utimensat, truncate, access, statx
 *   ro      every change to DIR's existing file "hello" must fail (read-only DIR)
 *   dev     /dev/null, zero, full, urandom
 *   fill    write until ENOSPC, then free space and write again
 *   many    100,000 files in one directory (ARG: another number)
 *   emfile  open until EMFILE
 *   identity  users, groups, localtime and localhost from /etc
 *   escape  ways out of a volume DIR (symlinks the test made), into $OTHER
 */
#include "fsops.h"

#include <stdarg.h>

static const struct {
	const char *name;
	int (*run)(const char *dir);
} scenarios[] = {
	{"io", scenario_io},
	{"tree", scenario_tree},
	{"paths", scenario_paths},
	{"fds", scenario_fds},
	{"locks", scenario_locks},
	{"mmap", scenario_mmap},
	{"attrs", scenario_attrs},
	{"ro", scenario_ro},
	{"dev", scenario_dev},
	{"fill", scenario_fill},
	{"many", scenario_many},
	{"emfile", scenario_emfile},
	{"identity", scenario_identity},
	{"escape", scenario_escape},
};

const char *errno_name(int e)
{
	static const char *const names[] = {
		[EPERM] = "EPERM",	   [ENOENT] = "ENOENT",	  [EIO] = "EIO",
		[EBADF] = "EBADF",	   [EAGAIN] = "EAGAIN",	  [ENOMEM] = "ENOMEM",
		[EACCES] = "EACCES",	   [EFAULT] = "EFAULT",	  [EBUSY] = "EBUSY",
		[EEXIST] = "EEXIST",	   [EXDEV] = "EXDEV",	  [ENODEV] = "ENODEV",
		[ENOTDIR] = "ENOTDIR",	   [EISDIR] = "EISDIR",	  [EINVAL] = "EINVAL",
		[ENFILE] = "ENFILE",	   [EMFILE] = "EMFILE",	  [ENOTTY] = "ENOTTY",
		[EFBIG] = "EFBIG",	   [ENOSPC] = "ENOSPC",	  [ESPIPE] = "ESPIPE",
		[EROFS] = "EROFS",	   [EMLINK] = "EMLINK",	  [EPIPE] = "EPIPE",
		[ERANGE] = "ERANGE",	   [EDEADLK] = "EDEADLK", [ENAMETOOLONG] = "ENAMETOOLONG",
		[ENOLCK] = "ENOLCK",	   [ENOSYS] = "ENOSYS",	  [ENOTEMPTY] = "ENOTEMPTY",
		[ELOOP] = "ELOOP",	   [ENXIO] = "ENXIO",	  [EOPNOTSUPP] = "EOPNOTSUPP",
		[EOVERFLOW] = "EOVERFLOW",
	};
	if (e > 0 && e < (int)(sizeof names / sizeof names[0]) && names[e])
		return names[e];
	static char other[32];
	snprintf(other, sizeof other, "errno %d", e);
	return other;
}

long check(const char *what, long value)
{
	if (value < 0)
		printf("%s = -1 %s\n", what, errno_name(errno));
	else
		printf("%s = %ld\n", what, value);
	return value;
}

long checkf(long value, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	int e = errno;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	errno = e;
	return check(what, value);
}

const char *at(const char *dir, const char *name)
{
	static char buf[2][4096];
	static int turn;
	turn ^= 1;
	snprintf(buf[turn], sizeof buf[turn], "%s/%s", dir, name);
	return buf[turn];
}

void put_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) != 0)
		printf("put_file %s: %s\n", path, errno_name(errno));
}

const char *get_file(const char *path)
{
	static char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (n < 0) {
		snprintf(buf, sizeof buf, "(%s)", errno_name(errno));
		n = (ssize_t)strlen(buf);
	}
	buf[n] = 0;
	if (fd >= 0)
		close(fd);
	return buf;
}

const char *scenario_arg;

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: fsops SCENARIO DIR [ARG]\n");
		return 2;
	}
	scenario_arg = argv[3];
	setvbuf(stdout, NULL, _IOLBF, 0);
	mkdir(argv[2], 0755); /* the scenario's place; it may exist (a volume, read-only) */
	for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
		if (!strcmp(argv[1], scenarios[i].name))
			return scenarios[i].run(argv[2]);
	fprintf(stderr, "fsops: no scenario %s\n", argv[1]);
	return 2;
}
