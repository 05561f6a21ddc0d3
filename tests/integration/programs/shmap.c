/*
 * Shared file mappings (tests/integration/shmap.sh): what an embedded
 * database's shared-memory index needs of mmap(MAP_SHARED) on a file, in
 * the directory argv[1]. A write() shows through every mapping at once, a
 * store through a mapping shows to read() at once, two mappings of one
 * file (and of one file opened twice) see each other, a mapping outlives
 * munmap of another, close of its fd and the file's unlink, truncate
 * zeroes what falls past the end, msync's flags and every error as Linux.
 * "DIR leave" stores through a mapping and exits without msync or munmap;
 * "DIR synced" stores, syncs and waits to be killed: the script then reads
 * the file. Prints one line per check; no addresses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define PAGE 4096

static char path[512];

static const char *err_name(int e)
{
	switch (e) {
	case EACCES:
		return "EACCES";
	case ENODEV:
		return "ENODEV";
	case EINVAL:
		return "EINVAL";
	case ENOMEM:
		return "ENOMEM";
	case EBADF:
		return "EBADF";
	case EEXIST:
		return "EEXIST";
	default:
		return "other";
	}
}

static void show(const char *what, long r)
{
	if (r < 0)
		printf("%s: -1 %s\n", what, err_name(errno));
	else
		printf("%s: %ld\n", what, r);
}

static void show_map(const char *what, void *p)
{
	if (p == MAP_FAILED)
		printf("%s: MAP_FAILED %s\n", what, err_name(errno));
	else
		printf("%s: mapped\n", what);
}

static char *map(size_t len, int prot, int fd, off_t off)
{
	char *p = mmap(NULL, len, prot, MAP_SHARED, fd, off);
	if (p == MAP_FAILED) {
		printf("mmap failed: %s\n", err_name(errno));
		exit(1);
	}
	return p;
}

static char byte_at(int fd, off_t off)
{
	char c = '?';
	if (pread(fd, &c, 1, off) != 1)
		return '-';
	return c ? c : '0';
}

static int open_file(int flags)
{
	int fd = open(path, flags, 0644);
	if (fd < 0) {
		printf("open %s: %s\n", path, err_name(errno));
		exit(1);
	}
	return fd;
}

static unsigned sum(const char *p, size_t n)
{
	unsigned s = 0;
	for (size_t i = 0; i < n; i++)
		s = s * 31 + (unsigned char)p[i];
	return s;
}

static void coherence(void)
{
	char page[2 * PAGE];
	for (int i = 0; i < 2 * PAGE; i++)
		page[i] = (char)('a' + i % 26);
	int fd = open_file(O_RDWR | O_CREAT | O_TRUNC);
	show("write 8192", write(fd, page, sizeof page));
	char *a = map(2 * PAGE, PROT_READ | PROT_WRITE, fd, 0);
	printf("mapping shows the file: %.5s %.5s\n", a, a + PAGE);

	show("pwrite hello at 100", pwrite(fd, "hello", 5, 100));
	printf("mapping sees the write: %.5s\n", a + 100);
	memcpy(a + 200, "world", 5);
	char buf[6] = {0};
	show("pread at 200", pread(fd, buf, 5, 200));
	printf("read sees the store: %s\n", buf);

	char *b = map(2 * PAGE, PROT_READ | PROT_WRITE, fd, 0);
	b[300] = 'Q';
	printf("a second mapping's store shows in the first: %c\n", a[300]);

	int fd2 = open_file(O_RDWR);
	char *c = map(PAGE, PROT_READ | PROT_WRITE, fd2, PAGE);
	printf("a mapping of the second page through a second open: %.5s\n", c);
	c[10] = 'Z';
	printf("its store shows in the first mapping: %c\n", a[PAGE + 10]);
	show("pwrite X at 4200 through the first fd", pwrite(fd, "X", 1, PAGE + 104));
	printf("and the write in the second mapping: %c\n", c[104]);

	show("munmap the second mapping", munmap(b, 2 * PAGE));
	printf("the first still shows the store: %c\n", a[300]);
	show("close both fds", close(fd) | close(fd2));
	a[400] = 'C';
	int fd3 = open_file(O_RDWR);
	printf("after close, a store reaches a new open: %c\n", byte_at(fd3, 400));

	show("unlink", unlink(path));
	a[500] = 'U';
	printf("after unlink, a store reaches the open file: %c\n", byte_at(fd3, 500));
	show("pwrite V at 600 after unlink", pwrite(fd3, "V", 1, 600));
	printf("and the mapping sees the write: %c\n", a[600]);

	show("msync MS_SYNC", msync(a, 2 * PAGE, MS_SYNC));
	show("msync MS_ASYNC", msync(a, 2 * PAGE, MS_ASYNC));
	show("msync MS_INVALIDATE", msync(a, 2 * PAGE, MS_INVALIDATE));
	show("msync 0", msync(a, PAGE, 0));
	show("msync MS_SYNC|MS_ASYNC", msync(a, PAGE, MS_SYNC | MS_ASYNC));
	show("msync a bad flag", msync(a, PAGE, 8));
	show("msync unaligned", msync(a + 1, PAGE, MS_SYNC));

	show("ftruncate to 4096", ftruncate(fd3, PAGE));
	printf("the first page is kept: %.5s %c\n", a + 100, a[300]);
	printf("read past the end: %c\n", byte_at(fd3, PAGE + 10));
	show("ftruncate to 8192", ftruncate(fd3, 2 * PAGE));
	printf("the regrown page reads zeros: %c, mapped %d\n", byte_at(fd3, PAGE + 10),
	       a[PAGE + 10]);
	show("pwrite W at 6000", pwrite(fd3, "W", 1, 6000));
	printf("the mapping sees it: %c\n", a[6000]);
	a[7000] = 'S';
	printf("a store on the regrown page reads back: %c\n", byte_at(fd3, 7000));
	show("munmap the rest", munmap(c, PAGE) | munmap(a, 2 * PAGE));
	show("close", close(fd3));
}

static void persistence(void)
{
	int fd = open_file(O_RDWR | O_CREAT | O_TRUNC);
	show("ftruncate to 12288", ftruncate(fd, 3 * PAGE));
	char *p = map(3 * PAGE, PROT_READ | PROT_WRITE, fd, 0);
	for (int i = 0; i < 3 * PAGE; i++)
		p[i] = (char)(i * 7);
	show("msync", msync(p, 3 * PAGE, MS_SYNC));
	show("munmap", munmap(p, 3 * PAGE));
	char back[3 * PAGE];
	show("pread 12288", pread(fd, back, sizeof back, 0));
	printf("the stores are the file's: %08x\n", sum(back, sizeof back));
	struct stat st;
	fstat(fd, &st);
	printf("size unchanged: %lld\n", (long long)st.st_size);
	close(fd);

	/* Partial munmap: the rest of the mapping stays the file's. */
	fd = open_file(O_RDWR);
	p = map(3 * PAGE, PROT_READ | PROT_WRITE, fd, 0);
	show("munmap the middle page", munmap(p + PAGE, PAGE));
	p[0] = 'L', p[2 * PAGE] = 'R';
	printf("both ends still reach the file: %c %c\n", byte_at(fd, 0), byte_at(fd, 2 * PAGE));
	show("munmap both ends", munmap(p, PAGE) | munmap(p + 2 * PAGE, PAGE));

	/* MAP_FIXED onto memory of the app's own. */
	char *hole = mmap(NULL, 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *f = mmap(hole, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, PAGE);
	printf("MAP_FIXED: %s, shows %c\n", f == hole ? "there" : "elsewhere",
	       f == MAP_FAILED ? '!'
	       : f[0]	       ? f[0]
			       : '0');
	if (f != MAP_FAILED) {
		f[1] = 'F';
		printf("its store reaches the file: %c\n", byte_at(fd, PAGE + 1));
	}
	munmap(hole, 2 * PAGE);
	close(fd);

	/* A read-only shared mapping of a read-only fd sees the writes of others. */
	int ro = open_file(O_RDONLY), rw = open_file(O_RDWR);
	char *r = map(PAGE, PROT_READ, ro, 0);
	show("pwrite through another fd", pwrite(rw, "RO", 2, 10));
	printf("a read-only mapping sees it: %.2s\n", r + 10);
	munmap(r, PAGE);
	close(ro);
	close(rw);
	show("unlink", unlink(path));
}

static void errors(const char *dir)
{
	int fd = open_file(O_RDWR | O_CREAT | O_TRUNC);
	show("write", write(fd, "data", 4));
	close(fd);
	int ro = open_file(O_RDONLY), wo = open_file(O_WRONLY), ap = open_file(O_RDWR | O_APPEND);
	show_map("PROT_WRITE MAP_SHARED of O_RDONLY",
		 mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
	show_map("PROT_READ MAP_SHARED of O_RDONLY",
		 mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0));
	show_map("PROT_WRITE MAP_PRIVATE of O_RDONLY",
		 mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0));
	show_map("PROT_READ MAP_SHARED of O_WRONLY",
		 mmap(NULL, PAGE, PROT_READ, MAP_SHARED, wo, 0));
	show_map("PROT_WRITE MAP_SHARED of O_WRONLY",
		 mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, wo, 0));
	show_map("PROT_WRITE MAP_SHARED of O_RDWR|O_APPEND",
		 mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ap, 0));
	show_map("MAP_SHARED at an unaligned offset",
		 mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ap, 100));
	show_map("MAP_SHARED of a closed fd",
		 mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 99, 0));
	show_map("MAP_SHARED of length 0", mmap(NULL, 0, PROT_READ, MAP_SHARED, ro, 0));
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	show_map("MAP_SHARED of a directory", mmap(NULL, PAGE, PROT_READ, MAP_SHARED, d, 0));
	int pfd = open(path, O_PATH);
	show_map("MAP_SHARED of an O_PATH fd", mmap(NULL, PAGE, PROT_READ, MAP_SHARED, pfd, 0));
	int pipes[2];
	if (pipe(pipes) != 0)
		exit(1);
	show_map("MAP_PRIVATE of a pipe", mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, pipes[0], 0));
	show_map("MAP_SHARED of a pipe's write end",
		 mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, pipes[1], 0));
	close(pipes[0]), close(pipes[1]);
	int null = open("/dev/null", O_RDWR), zero = open("/dev/zero", O_RDWR);
	show_map("MAP_PRIVATE of /dev/null", mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, null, 0));
	char *z = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, zero, 0);
	show_map("MAP_SHARED of /dev/zero", z);
	if (z != MAP_FAILED) {
		z[PAGE] = 'z';
		printf("it is zeros and memory: %d %c\n", z[0], z[PAGE]);
		munmap(z, 2 * PAGE);
	}
	close(null), close(zero);
	char *gone = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gone, PAGE);
	show("msync of unmapped memory", msync(gone, PAGE, MS_SYNC));
	close(d), close(pfd), close(ro), close(wo), close(ap);
	show("unlink", unlink(path));
}

/* Two mappings of one file apart (as SQLite maps its -shm in regions), and
 * reads and writes of several iovecs across both; then O_TRUNC. */
static void regions(void)
{
	int fd = open_file(O_RDWR | O_CREAT | O_TRUNC);
	show("ftruncate to 12288", ftruncate(fd, 3 * PAGE));
	char *r0 = map(PAGE, PROT_READ | PROT_WRITE, fd, 0);
	char *r2 = map(PAGE, PROT_READ | PROT_WRITE, fd, 2 * PAGE);
	static char big[3 * PAGE];
	memset(big, 'b', sizeof big);
	show("pwrite 12288 across both", pwrite(fd, big, sizeof big, 0));
	printf("both mappings see it: %c %c\n", r0[PAGE - 1], r2[0]);
	memcpy(r0 + PAGE - 3, "END", 3);
	memcpy(r2, "START", 5);
	char a[4] = {0}, b[PAGE] = {0}, c[6] = {0};
	struct iovec in[3] = {{a, 3}, {b, PAGE}, {c, 5}};
	show("preadv 3 + 4096 + 5 from 4093", preadv(fd, in, 3, PAGE - 3));
	printf("it reads both mappings' stores: %s %c %s\n", a, b[100], c);
	struct iovec out[2] = {{"xy", 2}, {"zw", 2}};
	show("pwritev 2 + 2 at 8190", pwritev(fd, out, 2, 2 * PAGE - 2));
	printf("the second mapping sees its part: %.2s\n", r2);
	int again = open_file(O_RDWR | O_TRUNC);
	show("pwrite at 8191 after O_TRUNC", pwrite(again, "e", 1, 2 * PAGE - 1));
	show("pwrite new at 0", pwrite(again, "new", 3, 0));
	printf("the first mapping shows the new bytes and zeros: %.3s %d\n", r0, r0[PAGE - 1]);
	munmap(r0, PAGE), munmap(r2, PAGE);
	close(fd), close(again);
	show("unlink", unlink(path));
}

/* Stores acknowledged by msync(MS_SYNC) and by fsync, then a store never
 * synced, then a wait to be killed: the script checks the host file. */
static void synced(void)
{
	int fd = open_file(O_RDWR | O_CREAT | O_TRUNC);
	if (ftruncate(fd, 2 * PAGE) != 0)
		exit(1);
	char *p = map(2 * PAGE, PROT_READ | PROT_WRITE, fd, 0);
	memcpy(p, "msynced", 7);
	show("msync MS_SYNC", msync(p, PAGE, MS_SYNC));
	memcpy(p + PAGE, "fsynced", 7);
	show("fsync", fsync(fd));
	memcpy(p + 100, "unsynced", 8);
	for (;;)
		pause();
}

/* Stores through a mapping, then exit: no msync, no munmap, no close. */
static void leave(void)
{
	int fd = open_file(O_RDWR | O_CREAT | O_TRUNC);
	if (ftruncate(fd, PAGE) != 0)
		exit(1);
	char *p = map(PAGE, PROT_READ | PROT_WRITE, fd, 0);
	memcpy(p, "left by the mapping\n", 20);
	show("ftruncate to 20", ftruncate(fd, 20));
	exit(0);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	snprintf(path, sizeof path, "%s/shmap-file", argv[1]);
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 2 && strcmp(argv[2], "leave") == 0)
		leave();
	if (argc > 2 && strcmp(argv[2], "synced") == 0)
		synced();
	coherence();
	persistence();
	regions();
	errors(argv[1]);
	return 0;
}
