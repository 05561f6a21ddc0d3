/*
 * What a directory fd and the cwd hold, and how deep a path may go
 * (paths.sh): Linux's dirfd and cwd hold the directory, not its name, so
 * they follow it through a rename, and a removed one finds nothing even
 * when a new directory takes its name; only one path argument is limited
 * to PATH_MAX, not how deep relative paths take the cwd, and getcwd says
 * ENAMETOOLONG when the cwd is longer than PATH_MAX, ERANGE when it is
 * longer than the buffer. Run as: paths DIR DEPTH (DIR on /tmp or a
 * volume; DEPTH directories of 50-byte names, in DIR/run.PID). Prints the same lines as a
 * glibc process, as the hut image run as a process and as an appliance;
 * exits 1 if a check fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int failures;
static char base[256];

static void check(const char *what, int ok)
{
	printf("%s: %s\n", what, ok ? "ok" : "BAD");
	if (!ok)
		failures++;
}

static const char *in(const char *name)
{
	static char path[2][512];
	static int which;
	which ^= 1;
	snprintf(path[which], sizeof path[which], "%s/%s", base, name);
	return path[which];
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* The raw getcwd: its length, or -errno (libc's may work around errors). */
static long raw_getcwd(char *buf, size_t size)
{
	long r = syscall(SYS_getcwd, buf, size);
	return r < 0 ? -errno : r;
}

static const char *errno_name(long e)
{
	switch (e) {
	case 0:
		return "0";
	case ENOENT:
		return "ENOENT";
	case ENAMETOOLONG:
		return "ENAMETOOLONG";
	case ERANGE:
		return "ERANGE";
	case ENOTDIR:
		return "ENOTDIR";
	case EINVAL:
		return "EINVAL";
	default:
		return "another errno";
	}
}

static void dirfd_follows_rename(void)
{
	char link[64], target[512];
	mkdir(in("a"), 0755);
	int fd = open(in("a"), O_RDONLY | O_DIRECTORY);
	check("rename a to b", rename(in("a"), in("b")) == 0);
	check("a new a", mkdir(in("a"), 0755) == 0);
	int f = openat(fd, "f", O_WRONLY | O_CREAT | O_EXCL, 0644);
	check("openat(dirfd of the old a, f, O_CREAT)", f >= 0);
	close(f);
	check("it made b/f", exists(in("b/f")));
	check("not a/f", !exists(in("a/f")) && errno == ENOENT);
	struct stat st;
	check("fstatat(dirfd, f) finds it", fstatat(fd, "f", &st, 0) == 0);
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof target - 1);
	target[n > 0 ? n : 0] = 0;
	check("/proc/self/fd of the dirfd names b", n > 0 && !strcmp(target, in("b")));
	close(fd);
}

static void cwd_follows_rename(void)
{
	char cwd[512];
	mkdir(in("c"), 0755);
	check("chdir c", chdir(in("c")) == 0);
	check("rename c to d", rename(in("c"), in("d")) == 0);
	check("a new c", mkdir(in("c"), 0755) == 0);
	int f = open("g", O_WRONLY | O_CREAT | O_EXCL, 0644);
	check("create g relative to the cwd", f >= 0);
	close(f);
	check("it made d/g", exists(in("d/g")));
	check("not c/g", !exists(in("c/g")));
	check("getcwd says d", getcwd(cwd, sizeof cwd) && !strcmp(cwd, in("d")));
	chdir("/");
}

static void removed_dirfd(void)
{
	char cwd[512];
	mkdir(in("e"), 0755);
	int fd = open(in("e"), O_RDONLY | O_DIRECTORY);
	check("rmdir e", rmdir(in("e")) == 0);
	check("a new e", mkdir(in("e"), 0755) == 0);
	errno = 0;
	check("openat(dirfd of the removed e, O_CREAT) is ENOENT",
	      openat(fd, "h", O_WRONLY | O_CREAT, 0644) == -1 && errno == ENOENT);
	check("nothing made in the new e", !exists(in("e/h")));
	close(fd);

	/* A file's fd after rename and unlink, as /proc/self/fd names it. */
	char link[64], target[600], want[600];
	int k = open(in("k"), O_WRONLY | O_CREAT, 0644);
	snprintf(link, sizeof link, "/proc/self/fd/%d", k);
	check("rename k to l", rename(in("k"), in("l")) == 0);
	ssize_t n = readlink(link, target, sizeof target - 1);
	target[n > 0 ? n : 0] = 0;
	check("/proc/self/fd of a renamed file names l", !strcmp(target, in("l")));
	check("unlink l", unlink(in("l")) == 0);
	n = readlink(link, target, sizeof target - 1);
	target[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof want, "%s (deleted)", in("l"));
	check("... and after unlink, \"l (deleted)\"", !strcmp(target, want));
	close(k);

	mkdir(in("r"), 0755);
	check("chdir r", chdir(in("r")) == 0);
	check("rmdir r (the cwd)", rmdir(in("r")) == 0);
	printf("getcwd in a removed cwd: %s\n", errno_name(-raw_getcwd(cwd, sizeof cwd)));
	errno = 0;
	check("create in a removed cwd is ENOENT",
	      open("x", O_WRONLY | O_CREAT, 0644) == -1 && errno == ENOENT);
	chdir("/");
}

/* renameat2(RENAME_EXCHANGE): each dirfd follows its own directory. */
static void exchange(void)
{
	mkdir(in("x"), 0755);
	mkdir(in("y"), 0755);
	int fx = open(in("x"), O_RDONLY | O_DIRECTORY), fy = open(in("y"), O_RDONLY | O_DIRECTORY);
	long r = syscall(SYS_renameat2, AT_FDCWD, in("x"), AT_FDCWD, in("y"), 2 /* EXCHANGE */);
	printf("RENAME_EXCHANGE: %s\n", errno_name(r < 0 ? errno : 0));
	if (r == 0) {
		close(openat(fx, "from-x", O_WRONLY | O_CREAT, 0644));
		close(openat(fy, "from-y", O_WRONLY | O_CREAT, 0644));
		check("the dirfd of x now names y", exists(in("y/from-x")));
		check("the dirfd of y now names x", exists(in("x/from-y")));
	}
	close(fx);
	close(fy);
}

/* DEPTH directories of 50-byte names, entered one by one. */
static void depth(int want)
{
	char name[51], cwd[8192];
	memset(name, 'n', 50);
	name[50] = 0;
	check("chdir to the base", chdir(base) == 0);
	int reached = 0;
	long err = 0;
	for (; reached < want; reached++) {
		if (reached == 10) { /* within PATH_MAX: the path, or ERANGE for a short buffer */
			long whole = raw_getcwd(cwd, sizeof cwd), shortr = raw_getcwd(cwd, 16);
			check("getcwd at depth 10: the path; ERANGE in 16 bytes",
			      whole == (long)(strlen(base) + 10 * 51 + 1) && shortr == -ERANGE);
		}
		if (mkdir(name, 0755) != 0 || chdir(name) != 0) {
			err = errno;
			break;
		}
	}
	printf("mkdir+chdir reached depth %d of %d (%s)\n", reached, want, errno_name(err));
	size_t len = strlen(base) + (size_t)reached * 51 + 1;
	long r = raw_getcwd(cwd, sizeof cwd);
	printf("getcwd with %zu bytes: %s\n", sizeof cwd,
	       r > 0 ? (r == (long)len ? "the whole path" : "a wrong length") : errno_name(-r));
	r = raw_getcwd(cwd, 16);
	printf("getcwd with 16 bytes: %s\n", r > 0 ? "a path" : errno_name(-r));
	int f = open("leaf", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	check("create a file at the bottom", f >= 0 && write(f, "deep", 4) == 4);
	close(f);
	struct stat st;
	check("stat it", stat("leaf", &st) == 0 && st.st_size == 4);
	char up[4096] = "";
	for (int i = 0; i < 3 && i < reached; i++)
		strcat(up, "../");
	strcat(up, name);
	check("stat ../../../name", reached < 3 || stat(up, &st) == 0);
	char *longer = malloc(4200);
	memset(longer, 'a', 4199);
	for (int i = 100; i < 4199; i += 101)
		longer[i] = '/';
	longer[4199] = 0;
	errno = 0;
	check("one path argument over PATH_MAX is ENAMETOOLONG",
	      mkdir(longer, 0755) == -1 && errno == ENAMETOOLONG);
	free(longer);
	unlink("leaf");
	int removed = 0;
	for (int i = 0; i < reached; i++)
		removed += chdir("..") == 0 && rmdir(name) == 0;
	check("back up, removing each", removed == reached);
	chdir("/");
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	/* A directory of its own under DIR: the runs compared may share DIR. */
	mkdir(argv[1], 0755);
	snprintf(base, sizeof base, "%s/run.%d", argv[1], (int)getpid());
	check("a directory of its own", mkdir(base, 0755) == 0);
	dirfd_follows_rename();
	cwd_follows_rename();
	removed_dirfd();
	exchange();
	depth(atoi(argv[2]));
	printf("%s\n", failures ? "FAILED" : "done");
	return failures ? 1 : 0;
}
