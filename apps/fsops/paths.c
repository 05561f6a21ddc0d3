/* Resolving paths: dots, symlinks (chains, loops, dangling), long names,
 * the current directory and dirfds. */
#include "fsops.h"

#include <sys/syscall.h>

static void symlinks(const char *dir)
{
	char buf[64];
	struct stat st;
	check("mkdir d", mkdir(at(dir, "d"), 0755));
	put_file(at(dir, "d/file"), "the file\n");
	check("symlink rel", symlink("d/file", at(dir, "rel")));
	check("symlink chain", symlink("rel", at(dir, "chain")));
	check("symlink to dir", symlink("d", at(dir, "dl")));
	check("symlink dotdot", symlink("../d", at(dir, "d/up")));
	check("symlink loop a", symlink("loop-b", at(dir, "loop-a")));
	check("symlink loop b", symlink("loop-a", at(dir, "loop-b")));
	check("symlink self", symlink("self", at(dir, "self")));
	check("symlink dangling", symlink("nowhere", at(dir, "dangling")));
	printf("  chain: %s", get_file(at(dir, "chain")));
	printf("  dl/file: %s", get_file(at(dir, "dl/file")));
	printf("  d/up/file: %s", get_file(at(dir, "d/up/file")));
	printf("  dl/up/up/up/file: %s", get_file(at(dir, "dl/up/up/up/file")));
	printf("  dl/../d/file: %s", get_file(at(dir, "dl/../d/file")));
	printf("  loop-a: %s\n", get_file(at(dir, "loop-a")));
	printf("  self: %s\n", get_file(at(dir, "self")));
	printf("  dangling: %s\n", get_file(at(dir, "dangling")));
	check("open O_NOFOLLOW rel", open(at(dir, "rel"), O_RDONLY | O_NOFOLLOW));
	check("open O_NOFOLLOW on dl/file",
	      open(at(dir, "dl/file"), O_RDONLY | O_NOFOLLOW) >= 0 ? 0 : -1);
	check("open O_CREAT|O_EXCL on rel",
	      open(at(dir, "rel"), O_CREAT | O_EXCL | O_WRONLY, 0644));
	check("open O_CREAT through dangling",
	      open(at(dir, "dangling"), O_CREAT | O_WRONLY, 0644) >= 0 ? 0 : -1);
	printf("  nowhere made: %d\n", access(at(dir, "nowhere"), F_OK) == 0);
	check("stat chain", stat(at(dir, "chain"), &st));
	printf("  regular %d size %lld\n", S_ISREG(st.st_mode), (long long)st.st_size);
	check("lstat chain", lstat(at(dir, "chain"), &st));
	printf("  symlink %d size %lld\n", S_ISLNK(st.st_mode), (long long)st.st_size);
	check("stat loop-a", stat(at(dir, "loop-a"), &st));
	check("lstat loop-a", lstat(at(dir, "loop-a"), &st));
	check("readlink dl/../rel", readlink(at(dir, "dl/../rel"), buf, sizeof buf));
	check("mkdir through loop", mkdir(at(dir, "loop-a/x"), 0755));
	check("chdir dl", chdir(at(dir, "dl")));
	check("opendir via path with trailing slash on file", open(at(dir, "rel/"), O_RDONLY));
	check("stat file/ (trailing slash)", stat(at(dir, "d/file/"), &st));
	check("stat file/. ", stat(at(dir, "d/file/."), &st));
	check("stat d/file/x", stat(at(dir, "d/file/x"), &st));
	check("stat dl/ (symlink to dir, slash)", stat(at(dir, "dl/"), &st));
	check("lstat dl/ (follows: a slash)", lstat(at(dir, "dl/"), &st));
	printf("  a directory: %d\n", S_ISDIR(st.st_mode));
}

static void long_names(const char *dir)
{
	char name[300], path[5000];
	memset(name, 'n', 255);
	name[255] = 0;
	check("create a 255-byte name",
	      open(at(dir, name), O_CREAT | O_WRONLY, 0644) >= 0 ? 0 : -1);
	check("unlink it", unlink(at(dir, name)));
	memset(name, 'n', 256);
	name[256] = 0;
	check("create a 256-byte name", open(at(dir, name), O_CREAT | O_WRONLY, 0644));
	/* 4095 bytes fit PATH_MAX with the NUL; 4096 do not. */
	memset(path, 0, sizeof path);
	strcpy(path, dir);
	size_t n = strlen(path);
	while (n + 2 < 4095) {
		path[n++] = '/';
		path[n++] = '.';
	}
	while (n < 4095)
		path[n++] = '/';
	printf("  path of %zu bytes\n", strlen(path));
	check("stat a 4095-byte path", stat(path, &(struct stat){0}));
	path[n++] = '/';
	check("stat a 4096-byte path", stat(path, &(struct stat){0}));
	check("stat an empty path", stat("", &(struct stat){0}));
	check("stat NULL", stat(NULL, &(struct stat){0}));
	check("open NULL", open(NULL, O_RDONLY));
	check("stat into NULL", syscall(SYS_stat, dir, NULL)); /* libc's stat would crash first */
}

static void cwd_and_dirfds(const char *dir)
{
	char buf[4096];
	check("chdir d", chdir(at(dir, "d")));
	printf("  cwd ends with /d: %d\n",
	       getcwd(buf, sizeof buf) && !strcmp(buf + strlen(buf) - 2, "/d"));
	printf("  ./file: %s", get_file("./file"));
	printf("  ../d/file: %s", get_file("../d/file"));
	check("getcwd too small", getcwd(buf, 2) ? 0 : -1);
	check("chdir file", chdir("file"));
	check("chdir missing", chdir("missing"));
	int d = check("open .. O_DIRECTORY", open("..", O_RDONLY | O_DIRECTORY));
	check("fchdir", fchdir(d));
	printf("  rel: %s", get_file("rel"));
	int f = check("open rel", open("rel", O_RDONLY));
	check("openat file dirfd", openat(f, "x", O_RDONLY));
	check("fchdir file", fchdir(f));
	check("openat bad dirfd", openat(77, "x", O_RDONLY));
	check("openat bad dirfd, absolute path", openat(77, "/", O_RDONLY) >= 0 ? 0 : -1);
	check("fstatat dirfd d/file", fstatat(d, "d/file", &(struct stat){0}, 0));
	check("fstatat AT_EMPTY_PATH", fstatat(f, "", &(struct stat){0}, AT_EMPTY_PATH));
	check("fstatat bad flag", fstatat(d, "d", &(struct stat){0}, 0x4));
	int p = check("open O_PATH", open("d", O_PATH));
	check("read O_PATH", read(p, buf, 1));
	check("fstat O_PATH", fstat(p, &(struct stat){0}));
	check("openat O_PATH dirfd", openat(p, "file", O_RDONLY) >= 0 ? 0 : -1);
	check("open O_DIRECTORY on a file", open("rel", O_RDONLY | O_DIRECTORY));
	close(p);
	close(f);
	close(d);
	check("chdir back", chdir(dir));
}

int scenario_paths(const char *dir)
{
	symlinks(dir);
	check("chdir back", chdir(dir));
	long_names(dir);
	cwd_and_dirfds(dir);
	const char *rm[] = {"rel",    "chain", "dl",	   "d/up",    "loop-a",
			    "loop-b", "self",  "dangling", "nowhere", "d/file"};
	for (size_t i = 0; i < sizeof rm / sizeof *rm; i++)
		unlink(at(dir, rm[i]));
	check("rmdir d", rmdir(at(dir, "d")));
	return 0;
}
