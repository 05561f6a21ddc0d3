/*
 * ls: lists directories with getdents64 itself (not readdir), sorted by
 * name, each entry as lstat sees it: type, permission bits, the size of a
 * regular file, the target of a symlink. With -R it descends. Nothing
 * that differs between file systems for the same tree (inode numbers,
 * directory sizes, link counts, times) is printed, so a tree must list
 * the same everywhere: packed in an image, in a tmpfs, on a volume.
 *
 * usage: ls [-R] DIR...
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

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every name in dir but . and .., read with getdents64 in small buffers
 * (so a big directory takes many calls). */
static char **names_of(int fd, size_t *count)
{
	char buf[1024];
	char **names = NULL;
	size_t n = 0, cap = 0;
	long got;
	while ((got = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < got;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			if (n == cap &&
			    !(names = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *names)))
				exit(3);
			names[n++] = strdup(d->d_name);
		}
	}
	if (got < 0)
		printf("ls: getdents64: %s\n", strerror(errno));
	qsort(names, n, sizeof *names, by_name);
	*count = n;
	return names;
}

static char type_of(mode_t m)
{
	return S_ISDIR(m)    ? 'd'
	       : S_ISLNK(m)  ? 'l'
	       : S_ISREG(m)  ? '-'
	       : S_ISCHR(m)  ? 'c'
	       : S_ISFIFO(m) ? 'p'
			     : '?';
}

static void entry(const char *dir, const char *name, int recurse);

static void list(const char *dir, int recurse)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	size_t n;
	if (fd < 0) {
		printf("ls: %s: %s\n", dir, strerror(errno));
		return;
	}
	char **names = names_of(fd, &n);
	close(fd);
	printf("%s: %zu entries\n", dir, n);
	for (size_t i = 0; i < n; i++)
		entry(dir, names[i], 0);
	for (size_t i = 0; recurse && i < n; i++)
		entry(dir, names[i], 1);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void entry(const char *dir, const char *name, int recurse)
{
	char path[4096], target[4096];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") ? dir : "", name);
	if (lstat(path, &st) != 0) {
		if (!recurse)
			printf("  %s: %s\n", name, strerror(errno));
		return;
	}
	if (recurse) {
		if (S_ISDIR(st.st_mode))
			list(path, 1);
		return;
	}
	printf("  %c%04o", type_of(st.st_mode), (unsigned)(st.st_mode & 07777));
	if (S_ISREG(st.st_mode))
		printf(" %8lld", (long long)st.st_size);
	else
		printf(" %8s", "");
	printf(" %s", name);
	ssize_t len = S_ISLNK(st.st_mode) ? readlink(path, target, sizeof target - 1) : -1;
	if (len >= 0)
		printf(" -> %.*s", (int)len, target);
	printf("\n");
}

int main(int argc, char **argv)
{
	int recurse = argc > 1 && !strcmp(argv[1], "-R");
	for (int i = 1 + recurse; i < argc; i++)
		list(argv[i], recurse);
	return 0;
}
