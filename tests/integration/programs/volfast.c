/*
 * A volume's fast paths (tests/integration/volume-fast.sh), each against
 * glibc on Linux:
 *
 *   volfast reopen A B     A and B name one directory (two volumes in the
 *                          appliance: A with the cache mode under test, B
 *                          with cache=none as the host's writer): A/r opened
 *                          again and again, as cache=auto revalidates it (its
 *                          LSTAT without the owner view while the ctime stays),
 *                          with changes through B between the opens: its mode
 *                          (the ctime moves, nothing else), its bytes
 *   volfast scattered DIR  reads of 1 MiB and more straight into an app's
 *                          buffer whose pages are not contiguous in guest RAM
 *                          (a forked child's copy-on-write copies of every
 *                          other page), read and readv, at unaligned offsets:
 *                          what they read, and that nothing else changed (the
 *                          parent's pages, the bytes around the buffer)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define MIB (1 << 20)

static void replace(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		perror(path);
	close(fd);
}

/* An open of path as a program's own: its bytes and fstat's mode and size. */
static void show_open(const char *what, const char *path)
{
	char buf[64] = {0};
	struct stat st;
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		return;
	}
	ssize_t n = read(fd, buf, sizeof buf - 1);
	if (fstat(fd, &st) != 0)
		perror("fstat");
	printf("%s: %zd '%s' mode %o size %lld\n", what, n, n > 0 ? buf : "", (unsigned)st.st_mode,
	       (long long)st.st_size);
	close(fd);
}

static int reopen(const char *a, const char *b)
{
	char pa[4096], pb[4096];
	snprintf(pa, sizeof pa, "%s/r", a);
	snprintf(pb, sizeof pb, "%s/r", b);
	replace(pb, "one");
	/* A set-user-ID bit set through A: on an owner=mapped volume only the
	 * guest's view holds it (the host file never has it), so an open that
	 * revalidates without the view must keep the one it knows. */
	if (chmod(pa, 04755) != 0)
		perror("chmod A");
	for (int i = 1; i <= 3; i++) {
		char what[32];
		snprintf(what, sizeof what, "open %d", i);
		show_open(what, pa);
	}
	/* The mode changed on the host (through B): only the ctime moves. */
	if (chmod(pb, 0750) != 0)
		perror("chmod B");
	show_open("after a chmod on the host", pa);
	show_open("again", pa);
	/* The bytes changed on the host: size, mtime and ctime move. */
	replace(pb, "two, longer");
	show_open("after a write on the host", pa);
	show_open("again", pa);
	replace(pb, "three, longer still");
	show_open("after another write on the host", pa);
	return 0;
}

/* The byte the file holds at offset at. */
static uint8_t pattern(uint64_t at)
{
	return (uint8_t)((at * 2654435761u) >> 13);
}

static int make_file(const char *path, size_t size)
{
	static uint8_t chunk[MIB];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(path);
		return -1;
	}
	for (size_t off = 0; off < size; off += sizeof chunk) {
		for (size_t i = 0; i < sizeof chunk; i++)
			chunk[i] = pattern(off + i);
		if (write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk) {
			perror("write");
			return -1;
		}
	}
	return close(fd);
}

/* How many of buf's n bytes differ from the file's at offset at. */
static size_t wrong(const uint8_t *buf, size_t n, uint64_t at)
{
	size_t bad = 0;
	for (size_t i = 0; i < n; i++)
		bad += buf[i] != pattern(at + i);
	return bad;
}

/* How many of buf's n bytes are not c. */
static size_t not_byte(const uint8_t *buf, size_t n, uint8_t c)
{
	size_t bad = 0;
	for (size_t i = 0; i < n; i++)
		bad += buf[i] != c;
	return bad;
}

#define BUF (4 * MIB)
#define FILL 0xee
#define TOUCHED 0x11

/* What the child's buf[i] held before its reads: it copied the even pages. */
static uint8_t before(size_t i)
{
	return (i / PAGE) % 2 ? FILL : TOUCHED;
}

/* The child: every other page of buf copied (its own frame now), then
 * reads across them. Each read's bytes checked against the file, and the
 * bytes around each left as they were. */
static void child_reads(uint8_t *buf, int fd)
{
	for (size_t p = 0; p < BUF / PAGE; p += 2)
		memset(buf + p * PAGE, TOUCHED, PAGE);
	size_t len = MIB + 5, at = 3 * PAGE + 77, skip = 123;
	ssize_t n = pread(fd, buf + skip, len, (off_t)at);
	printf("child pread of %zu at %zu into scattered pages: %zd bytes, %zu wrong\n", len, at, n,
	       n > 0 ? wrong(buf + skip, (size_t)n, at) : 0);
	printf("child: the bytes before it %s, after it %s\n",
	       not_byte(buf, skip, before(0)) ? "changed" : "kept",
	       buf[skip + len] == before(skip + len) ? "kept" : "changed");

	/* readv: three pieces, each over many pages, 2.5 MiB in all. */
	struct iovec iov[3] = {{buf + 1, MIB - 1},
			       {buf + MIB + PAGE + 9, MIB + 7},
			       {buf + 2 * MIB + 3 * PAGE, MIB / 2}};
	size_t total = iov[0].iov_len + iov[1].iov_len + iov[2].iov_len, bad = 0, done = 0;
	lseek(fd, 5, SEEK_SET);
	n = readv(fd, iov, 3);
	for (int i = 0; i < 3 && n > 0 && done < (size_t)n; i++) {
		size_t in = iov[i].iov_len < (size_t)n - done ? iov[i].iov_len : (size_t)n - done;
		bad += wrong(iov[i].iov_base, in, 5 + done);
		done += in;
	}
	printf("child readv of %zu in 3 pieces into scattered pages: %zd bytes, %zu wrong\n", total,
	       n, bad);
	printf("child: the byte between pieces %s\n",
	       buf[MIB + PAGE + 8] == before(MIB + PAGE + 8) ? "kept" : "changed");
}

static int scattered(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/big", dir);
	if (make_file(path, 4 * MIB) != 0)
		return 1;
	uint8_t *buf = mmap(NULL, BUF, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	memset(buf, FILL, BUF);
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		child_reads(buf, fd);
		fflush(stdout);
		_exit(0);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	printf("child status %d\n", status);
	/* The child's reads went to its own copies, never to these frames. */
	printf("parent: %zu bytes of its buffer changed\n", not_byte(buf, BUF, FILL));
	ssize_t n = pread(fd, buf + 1, 2 * MIB, 1);
	printf("parent pread of 2 MiB at 1: %zd bytes, %zu wrong\n", n,
	       n > 0 ? wrong(buf + 1, (size_t)n, 1) : 0);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "reopen"))
		return reopen(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "scattered"))
		return scattered(argv[2]);
	fprintf(stderr, "usage: volfast reopen A B | scattered DIR\n");
	return 2;
}
