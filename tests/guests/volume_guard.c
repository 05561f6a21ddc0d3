/*
 * volume_guard: a guest that is root in its own box trying to turn that
 * into something on the host through a volume, for
 * tests/integration/volume-guard.sh. `volume_guard.hut CASE DIR`, DIR the
 * first volume's guest path:
 *   privs      every way to leave a set-ID file or a foreign owner in DIR:
 *              libc calls and raw file hypercalls (which skip the libos's
 *              umask and checks; not as a Linux process). Prints each
 *              result that is an error and what the guest then sees of each
 *              file, "NAME mode=%o uid=%u gid=%u"; the test compares that with
 *              Linux's and checks what the host has.
 *   write, pwrite, writev  write 64 KiB at a time until an error (pwrite
 *              leaves a hole between chunks); prints "CASE: N bytes, then
 *              ERRNO" and the volume's statfs size
 *   fallocate  64 MiB (ENOSPC unless it fits), 256 KiB, then SIZE (ARG 3,
 *              e.g. 1T) in one call
 *   truncate   ftruncate and truncate, growing past the limit and within it
 *   reuse      fill a file, overwrite it in place, free space four ways
 *              (O_TRUNC, rename over a file, unlink, the last close of an
 *              unlinked file) and fill again each time: prints the bytes of
 *              each fill
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <hut/abi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <unistd.h>

#include "raw_file.h"

extern const struct hut_boot_info *hut_boot_info; /* NULL in a Linux process */

static const char *dir;
static char chunk[65536];

static const char *at(const char *name)
{
	static char buf[2][512];
	static int turn;
	turn ^= 1;
	snprintf(buf[turn], sizeof buf[turn], "%s/%s", dir, name);
	return buf[turn];
}

static const char *errname(int e)
{
	switch (e) {
	case ENOSPC:
		return "ENOSPC";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case EFBIG:
		return "EFBIG";
	case EPERM:
		return "EPERM";
	case EINVAL:
		return "EINVAL";
	case EISDIR:
		return "EISDIR";
	default:
		return strerror(e);
	}
}

/* Prints "what: -1 ERRNO" when r failed; returns r. */
static long check(const char *what, long r)
{
	if (r < 0)
		printf("%s: -1 %s\n", what, errname(errno));
	return r;
}

static void show(const char *name)
{
	struct stat st;
	if (lstat(at(name), &st) != 0)
		printf("%s: %s\n", name, errname(errno));
	else
		printf("%s mode=%o uid=%u gid=%u\n", name, (unsigned)st.st_mode,
		       (unsigned)st.st_uid, (unsigned)st.st_gid);
}

static int make(const char *name, mode_t mode)
{
	int fd = (int)check(name, open(at(name), O_CREAT | O_WRONLY | O_TRUNC, 0644));
	if (fd >= 0 && mode != 0644)
		check("chmod", chmod(at(name), mode));
	return fd;
}

/* --- raw file hypercalls (on the first volume), as a guest without a libos --- */
static void raw(const char *what, int64_t r)
{
	if (r < 0)
		printf("%s: %s\n", what, errname((int)-r));
}

static void raw_cases(void)
{
	struct hut_hc_file f = on(HUT_FILE_OPEN, "raw-open");
	f.flags = O_CREAT | O_WRONLY;
	f.mode = 07777;
	raw("raw-open", file_call(f));
	raw("raw-open close",
	    file_call((struct hut_hc_file){.op = HUT_FILE_CLOSE, .handle = fh.handle}));
	f = on(HUT_FILE_OPEN, "raw-fsetattr");
	f.flags = O_CREAT | O_RDWR;
	f.mode = 0600;
	raw("raw-fsetattr open", file_call(f));
	uint32_t h = fh.handle;
	raw("raw-fsetattr",
	    file_call((struct hut_hc_file){.op = HUT_FILE_FSETATTR,
					   .handle = h,
					   .flags = HUT_FILE_ATTR_MODE | HUT_FILE_ATTR_OWNER,
					   .mode = 07777,
					   .uid = 0,
					   .gid = 0}));
	raw("raw-fsetattr close",
	    file_call((struct hut_hc_file){.op = HUT_FILE_CLOSE, .handle = h}));
	f = on(HUT_FILE_SETATTR, "raw-open");
	f.flags = HUT_FILE_ATTR_MODE;
	f.mode = 06777;
	raw("raw-setattr", file_call(f));
	f = on(HUT_FILE_MKDIR, "raw-mkdir");
	f.mode = 07777;
	raw("raw-mkdir", file_call(f));
	f = on(HUT_FILE_SETATTR, "raw-mkdir");
	f.flags = HUT_FILE_ATTR_OWNER | HUT_FILE_ATTR_MODE;
	f.mode = 07777;
	f.uid = 1;
	f.gid = 1;
	raw("raw-setattr dir", file_call(f));
}

/* --- privs: set-ID bits and owners ------------------------------------------ */
static void chmod_cases(void)
{
	int fd = (int)check("creat6777", open(at("creat6777"), O_CREAT | O_WRONLY | O_EXCL, 06777));
	close(fd);
	close(make("chmod", 04755));
	fd = make("fchmod", 0644);
	check("fchmod", fchmod(fd, 06755));
	close(fd);
	close(make("fchmodat", 0644));
	check("fchmodat", fchmodat(AT_FDCWD, at("fchmodat"), 02755, 0));
	check("mkdir", mkdir(at("dir"), 07777));
	check("mkdir sgid", mkdir(at("dir-sgid"), 0755));
	check("chmod dir", chmod(at("dir-sgid"), 02775));
	check("tmpfile", open(dir, O_TMPFILE | O_RDWR, 04755));
}

static void chown_cases(void)
{
	close(make("chown-root", 06755));
	check("chown-root", chown(at("chown-root"), 0, 0));
	close(make("chown-other", 0644));
	check("chown-other", chown(at("chown-other"), 1234, 5678));
	int fd = make("fchown", 0644);
	check("fchown", fchown(fd, 4321, (gid_t)-1));
	close(fd);
	close(make("fchownat", 04755));
	check("fchownat", fchownat(AT_FDCWD, at("fchownat"), 99, 98, AT_SYMLINK_NOFOLLOW));
	check("symlink", symlink("chown-other", at("lnk")));
	check("lchown", lchown(at("lnk"), 777, 777));
	close(make("chown-through", 0644));
	check("symlink 2", symlink("chown-through", at("lnk2")));
	check("chown through a symlink", chown(at("lnk2"), 0, 4242));
}

static void data_cases(void)
{
	int fd = make("write-suid", 04755);
	check("write", write(fd, "data", 4));
	close(fd);
	close(make("src", 06755));
	close(make("dst", 0644));
	check("rename", rename(at("src"), at("dst")));
	close(make("lsrc", 04755));
	check("link", link(at("lsrc"), at("linked")));
	close(make("truncate-suid", 04755));
	check("truncate", truncate(at("truncate-suid"), 1));
	fd = (int)check("hostsuid", open(at("hostsuid"), O_WRONLY | O_APPEND));
	check("write hostsuid", write(fd, "x", 1));
	close(fd);
}

static int privs(void)
{
	static const char *const names[] = {
		"creat6777", "chmod",	      "fchmod",	     "fchmodat", "dir",
		"dir-sgid",  "chown-root",    "chown-other", "fchown",	 "fchownat",
		"lnk",	     "chown-through", "write-suid",  "dst",	 "lsrc",
		"linked",    "truncate-suid", "hostsuid",    "raw-open", "raw-fsetattr",
		"raw-mkdir",
	};
	chmod_cases();
	chown_cases();
	data_cases();
	if (hut_boot_info)
		raw_cases();
	for (size_t i = 0; i < sizeof names / sizeof names[0] - (hut_boot_info ? 0 : 3); i++)
		show(names[i]);
	return 0;
}

/* --- size=: writing past the limit ------------------------------------------ */
static long write_chunk(int fd, int how, uint64_t i)
{
	struct iovec iov[2] = {{chunk, sizeof chunk / 2}, {chunk, sizeof chunk / 2}};
	if (how == 'p')
		return pwrite(fd, chunk, sizeof chunk, (off_t)(2 * i * sizeof chunk));
	if (how == 'v')
		return writev(fd, iov, 2);
	return write(fd, chunk, sizeof chunk);
}

/* Writes into fd until an error (at most 64 MiB); returns the bytes. */
static uint64_t fill_fd(int fd, int how, int *err)
{
	uint64_t total = 0;
	long r = 0;
	for (uint64_t i = 0; i < 1024; i++) {
		if ((r = write_chunk(fd, how, i)) <= 0)
			break;
		total += (uint64_t)r;
	}
	*err = r < 0 ? errno : 0;
	return total;
}

static uint64_t fill(const char *name, int how, int *err)
{
	int fd = open(at(name), O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0) {
		*err = errno;
		return 0;
	}
	uint64_t n = fill_fd(fd, how, err);
	close(fd);
	return n;
}

static void show_statfs(void)
{
	struct statfs sf;
	if (check("statfs", statfs(dir, &sf)) == 0)
		printf("statfs size %llu\n",
		       (unsigned long long)sf.f_blocks * (unsigned long long)sf.f_frsize);
}

static int writes(const char *name, int how)
{
	int err;
	uint64_t n = fill("fill", how, &err);
	printf("%s: %llu bytes, then %s\n", name, (unsigned long long)n, err ? errname(err) : "0");
	show_statfs();
	return 0;
}

static int falloc(const char *big)
{
	uint64_t huge = strtoull(big, NULL, 10);
	int fd = (int)check("open", open(at("fill"), O_CREAT | O_RDWR | O_TRUNC, 0644));
	struct stat st;
	printf("fallocate 64M: %s\n", fallocate(fd, 0, 0, 64 << 20) ? errname(errno) : "0");
	printf("fallocate 256K: %s\n", fallocate(fd, 0, 0, 256 << 10) ? errname(errno) : "0");
	printf("fallocate %s: %s\n", big, fallocate(fd, 0, 0, (off_t)huge) ? errname(errno) : "0");
	printf("fallocate at %s: %s\n", big,
	       fallocate(fd, 0, (off_t)huge, 1 << 20) ? errname(errno) : "0");
	if (check("fstat", fstat(fd, &st)) == 0)
		printf("size %lld, %lld bytes allocated\n", (long long)st.st_size,
		       (long long)st.st_blocks * 512);
	return 0;
}

static int truncates(void)
{
	int fd = (int)check("open", open(at("fill"), O_CREAT | O_RDWR | O_TRUNC, 0644));
	printf("ftruncate 1T: %s\n", ftruncate(fd, 1LL << 40) ? errname(errno) : "0");
	printf("ftruncate 512K: %s\n", ftruncate(fd, 512 << 10) ? errname(errno) : "0");
	printf("ftruncate 64M: %s\n", ftruncate(fd, 64 << 20) ? errname(errno) : "0");
	printf("truncate 1T: %s\n", truncate(at("fill"), 1LL << 40) ? errname(errno) : "0");
	printf("ftruncate 0: %s\n", ftruncate(fd, 0) ? errname(errno) : "0");
	return 0;
}

/* Fills NAME (or fd, when >= 0) and says how much went in. */
static void refill(const char *what, const char *name, int fd)
{
	int err;
	uint64_t n = fd >= 0 ? fill_fd(fd, 'w', &err) : fill(name, 'w', &err);
	printf("%s: %llu bytes, then %s\n", what, (unsigned long long)n, err ? errname(err) : "0");
}

/* Every name is made before the volume is full: a full volume refuses new
 * names (ENOSPC), as a full file system does. */
static int reuse(void)
{
	close((int)check("create c", open(at("c"), O_CREAT | O_WRONLY, 0644)));
	int d = (int)check("create d", open(at("d"), O_CREAT | O_WRONLY, 0644));
	refill("fill a", "a", -1);
	printf("create when full: %s\n",
	       open(at("new"), O_CREAT | O_WRONLY, 0644) < 0 ? errname(errno) : "made");
	printf("mkdir when full: %s\n", mkdir(at("newdir"), 0755) ? errname(errno) : "made");
	int fd = (int)check("open a", open(at("a"), O_WRONLY));
	printf("overwrite in place: %s\n",
	       pwrite(fd, chunk, sizeof chunk, 0) == sizeof chunk ? "ok" : errname(errno));
	close(fd);
	refill("refill a (O_TRUNC)", "a", -1);
	check("rename c over a", rename(at("c"), at("a")));
	refill("fill b after rename over a", "b", -1);
	check("unlink b", unlink(at("b")));
	check("unlink d (still open)", unlink(at("d")));
	refill("fill d after unlink b", NULL, d);
	close(d);
	refill("fill e after the last close of d", "e", -1);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: volume_guard CASE DIR [ARG]\n");
		return 2;
	}
	dir = argv[2];
	memset(chunk, 'x', sizeof chunk);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "privs"))
		return privs();
	if (!strcmp(argv[1], "write") || !strcmp(argv[1], "pwrite") || !strcmp(argv[1], "writev"))
		return writes(argv[1], argv[1][0] == 'p' ? 'p' : argv[1][5] == 'v' ? 'v' : 'w');
	if (!strcmp(argv[1], "fallocate"))
		return falloc(argc > 3 ? argv[3] : "1099511627776");
	if (!strcmp(argv[1], "truncate"))
		return truncates();
	if (!strcmp(argv[1], "reuse"))
		return reuse();
	fprintf(stderr, "volume_guard: no case %s\n", argv[1]);
	return 2;
}
