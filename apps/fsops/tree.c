/* Changing the tree: every errno Linux gives on the way. */
#include "fsops.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/syscall.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#endif

static long renameat2_(int od, const char *o, int nd, const char *n, unsigned f)
{
	return syscall(SYS_renameat2, od, o, nd, n, f);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void listing(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[64];
	int n = 0;
	if (!d) {
		printf("  opendir %s: %s\n", dir, errno_name(errno));
		return;
	}
	while ((e = readdir(d)) && n < 64)
		names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof *names, by_name);
	printf("  %s:", dir);
	for (int i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

static void directories(const char *dir)
{
	check("mkdir a", mkdir(at(dir, "a"), 0755));
	check("mkdir a again", mkdir(at(dir, "a"), 0755));
	check("mkdir missing/b", mkdir(at(dir, "missing/b"), 0755));
	check("mkdir a/b", mkdir(at(dir, "a/b"), 0700));
	check("mkdir a/b/ (slash)", mkdir(at(dir, "a/b/c/"), 0755));
	check("rmdir a (not empty)", rmdir(at(dir, "a")));
	put_file(at(dir, "f"), "file f\n");
	check("rmdir f (a file)", rmdir(at(dir, "f")));
	check("mkdir f/x (under a file)", mkdir(at(dir, "f/x"), 0755));
	check("unlink a (a directory)", unlink(at(dir, "a")));
	check("rmdir a/b/c/.", rmdir(at(dir, "a/b/c/.")));
	check("rmdir a/b/c/..", rmdir(at(dir, "a/b/c/..")));
	check("rmdir missing", rmdir(at(dir, "missing")));
	check("unlink missing", unlink(at(dir, "missing")));
	int d = check("open a", open(at(dir, "a"), O_RDONLY | O_DIRECTORY));
	check("mkdirat a/m", mkdirat(d, "m", 0755));
	check("unlinkat a/m AT_REMOVEDIR", unlinkat(d, "m", AT_REMOVEDIR));
	check("unlinkat bad flag", unlinkat(d, "b", 0x1));
	check("openat a/new", openat(d, "new", O_CREAT | O_WRONLY, 0600) >= 0 ? 0 : -1);
	check("unlinkat a/new", unlinkat(d, "new", 0));
	close(d);
	listing(at(dir, "a"));
}

static void renames(const char *dir)
{
	put_file(at(dir, "g"), "file g\n");
	check("rename f g (replaces)", rename(at(dir, "f"), at(dir, "g")));
	printf("  g: %s", get_file(at(dir, "g")));
	check("rename missing g", rename(at(dir, "missing"), at(dir, "g")));
	check("rename g g (itself)", rename(at(dir, "g"), at(dir, "g")));
	check("rename a a/b/x (into itself)", rename(at(dir, "a"), at(dir, "a/b/x")));
	check("rename g a (file onto dir)", rename(at(dir, "g"), at(dir, "a")));
	check("mkdir e", mkdir(at(dir, "e"), 0755));
	check("rename a e (onto an empty dir)", rename(at(dir, "a"), at(dir, "e")));
	check("mkdir a2", mkdir(at(dir, "a2"), 0755));
	check("rename a2 e (onto a non-empty dir)", rename(at(dir, "a2"), at(dir, "e")));
	check("rename e g (dir onto file)", rename(at(dir, "e"), at(dir, "g")));
	put_file(at(dir, "h"), "file h\n");
	check("renameat2 NOREPLACE g h",
	      renameat2_(AT_FDCWD, at(dir, "g"), AT_FDCWD, at(dir, "h"), RENAME_NOREPLACE));
	check("renameat2 EXCHANGE g h",
	      renameat2_(AT_FDCWD, at(dir, "g"), AT_FDCWD, at(dir, "h"), RENAME_EXCHANGE));
	printf("  g: %s", get_file(at(dir, "g")));
	check("renameat2 EXCHANGE g missing",
	      renameat2_(AT_FDCWD, at(dir, "g"), AT_FDCWD, at(dir, "missing"), RENAME_EXCHANGE));
	check("renameat2 both flags", renameat2_(AT_FDCWD, at(dir, "g"), AT_FDCWD, at(dir, "h"),
						 RENAME_EXCHANGE | RENAME_NOREPLACE));
	check("rename g e/b/g (into a subdirectory)", rename(at(dir, "g"), at(dir, "e/b/g")));
	printf("  e/b/g: %s", get_file(at(dir, "e/b/g")));
	listing(dir);
	listing(at(dir, "e"));
}

static void links(const char *dir)
{
	struct stat st;
	check("link h hl", link(at(dir, "h"), at(dir, "hl")));
	check("stat h", stat(at(dir, "h"), &st));
	printf("  nlink %ld\n", (long)st.st_nlink);
	check("link h hl again", link(at(dir, "h"), at(dir, "hl")));
	check("link e (a directory)", link(at(dir, "e"), at(dir, "el")));
	check("link missing", link(at(dir, "missing"), at(dir, "ml")));
	check("symlink h sl", symlink("h", at(dir, "sl")));
	check("symlink again", symlink("h", at(dir, "sl")));
	check("symlink empty target", symlink("", at(dir, "empty")));
	char buf[64];
	long n = check("readlink sl", readlink(at(dir, "sl"), buf, sizeof buf));
	printf("  -> %.*s\n", (int)(n > 0 ? n : 0), buf);
	check("readlink sl into 1 byte", readlink(at(dir, "sl"), buf, 1));
	check("readlink h (not a link)", readlink(at(dir, "h"), buf, sizeof buf));
	check("readlink size 0", readlink(at(dir, "sl"), buf, 0));
	check("link sl sll (the link itself)", link(at(dir, "sl"), at(dir, "sll")));
	check("lstat sll", lstat(at(dir, "sll"), &st));
	printf("  a symlink: %d\n", S_ISLNK(st.st_mode));
	/* An unlinked file stays readable through an open fd. */
	int fd = check("open hl", open(at(dir, "hl"), O_RDONLY));
	check("unlink hl", unlink(at(dir, "hl")));
	check("unlink h", unlink(at(dir, "h")));
	n = check("read after unlink", read(fd, buf, sizeof buf));
	printf("  %.*s", (int)(n > 0 ? n : 0), buf);
	check("fstat after unlink", fstat(fd, &st));
	printf("  nlink %ld\n", (long)st.st_nlink);
	close(fd);
}

int scenario_tree(const char *dir)
{
	directories(dir);
	renames(dir);
	links(dir);
	const char *rm[] = {"e/b/g", "sl", "sll", "g"};
	for (size_t i = 0; i < sizeof rm / sizeof *rm; i++)
		unlink(at(dir, rm[i]));
	const char *rd[] = {"e/b", "e", "a2"};
	for (size_t i = 0; i < sizeof rd / sizeof *rd; i++)
		rmdir(at(dir, rd[i]));
	listing(dir);
	return 0;
}
