/*
 * The volume page cache (tests/integration/volume-cache.sh).
 *
 *   volcache io DIR        reads and writes that go through a cache (unaligned,
 *                          across pages, holes, truncates both ways, O_WRONLY,
 *                          O_APPEND beside cached writes, O_SYNC, a shared
 *                          mapping over cached writes, sequential MiBs): what it
 *                          read, as checksums; glibc on the host is the truth
 *   volcache big DIR MIB   MIB MiB in 4 KiB writes, no fsync, read back: more
 *                          than the cache may hold in a small guest
 *   volcache pressure FILE FILE read, then 1 MiB mallocs until one fails: how
 *                          many MiB the app got
 *   volcache twice A B     A and B name one directory (two volumes in the
 *                          appliance): what an open of A/t shows after B/t
 *                          changed, in the same open and after a reopen; what
 *                          stat shows of A/u after B/u is made; what a
 *                          listing of A/d shows after B/d/y is made, after
 *                          A/d/z is made, and after a rewind
 *   volcache durable DIR N N records written and fsynced, each said on stdout,
 *                          then 8 MiB more without fsync, then a wait to be killed
 *   volcache check DIR N   the file durable left: the N synced records whole,
 *                          after them only whole records, zeros or a record's
 *                          beginning (what Linux promises after a crash)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096
#define RECORD 64

static int fail(const char *what)
{
	perror(what);
	return 1;
}

static uint32_t fnv(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;
	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* The whole file through fd from 0, in reads of req bytes: size and sum. */
static void sum_file(const char *what, int fd, size_t req)
{
	static unsigned char buf[4 << 20];
	size_t total = 0;
	ssize_t n;
	lseek(fd, 0, SEEK_SET);
	while (total < sizeof buf && (n = read(fd, buf + total, req)) > 0)
		total += (size_t)n;
	printf("%s: %zu bytes, sum %08x\n", what, total, fnv(buf, total));
}

static void put(int fd, char c, size_t len, off_t at)
{
	char buf[PAGE * 4];
	memset(buf, c, len);
	if (pwrite(fd, buf, len, at) != (ssize_t)len)
		perror("pwrite");
}

static void show_size(const char *what, int fd)
{
	struct stat st;
	fstat(fd, &st);
	printf("%s: size %lld\n", what, (long long)st.st_size);
}

static int holes_and_truncates(const char *path)
{
	unsigned char pattern[3 * PAGE + 123];
	for (size_t i = 0; i < sizeof pattern; i++)
		pattern[i] = (unsigned char)(i * 7 + 3);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail(path);
	if (write(fd, pattern, sizeof pattern) != (ssize_t)sizeof pattern)
		return fail("write");
	put(fd, 'A', 300, 5000);
	put(fd, 'B', 10, 20000);
	show_size("after a write past a hole", fd);
	sum_file("with a hole", fd, 1000);
	ftruncate(fd, 7000);
	show_size("truncated to 7000", fd);
	sum_file("truncated down", fd, PAGE);
	ftruncate(fd, 9000);
	sum_file("grown to 9000 (zeros)", fd, 333);
	close(fd);
	fd = open(path, O_RDONLY);
	sum_file("reopened", fd, 65536);
	close(fd);
	return 0;
}

static int writers(const char *path)
{
	int wo = open(path, O_WRONLY);
	if (wo < 0)
		return fail(path);
	put(wo, 'W', 100, PAGE - 10); /* a partial page through a write-only fd */
	close(wo);
	int rw = open(path, O_RDWR), ap = open(path, O_WRONLY | O_APPEND);
	if (rw < 0 || ap < 0)
		return fail(path);
	put(rw, 'D', 10, 0);
	put(rw, 'X', 200, 8990); /* grows the file in the cache */
	if (write(ap, "CCCCC", 5) != 5)
		return fail("append");
	show_size("after an append beside cached writes", rw);
	close(ap);
	int sync = open(path, O_RDWR | O_SYNC);
	put(sync, 'S', 20, 3);
	if (fsync(rw) != 0 || fdatasync(rw) != 0)
		return fail("fsync");
	close(sync);
	close(rw);
	rw = open(path, O_RDONLY);
	sum_file("after O_WRONLY, O_APPEND and O_SYNC writes", rw, 4000);
	close(rw);
	return 0;
}

static int mapped(const char *path)
{
	int fd = open(path, O_RDWR);
	char got[4] = {0};
	if (fd < 0)
		return fail(path);
	put(fd, 'F', PAGE, 0);
	char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return fail("mmap");
	printf("the mapping shows cached writes: %c%c\n", p[0], p[PAGE - 1]);
	p[1] = 'G';
	put(fd, 'H', 1, 2);
	pread(fd, got, 3, 0);
	printf("a store and a write, read: %.3s, mapped: %.3s\n", got, p);
	munmap(p, 2 * PAGE);
	memset(got, 0, sizeof got);
	pread(fd, got, 3, 0);
	printf("after munmap: %.3s\n", got);
	sum_file("after the mapping", fd, PAGE);
	close(fd);
	return 0;
}

static int sequential(const char *path)
{
	static char chunk[PAGE];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail(path);
	for (int i = 0; i < 768; i++) { /* 3 MiB */
		memset(chunk, 'a' + i % 26, sizeof chunk);
		snprintf(chunk, 16, "chunk %d", i);
		if (write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk)
			return fail("write");
	}
	sum_file("3 MiB in 1 MiB reads", fd, 1 << 20);
	sum_file("3 MiB in 1000-byte reads", fd, 1000);
	fsync(fd);
	close(fd);
	fd = open(path, O_RDONLY);
	sum_file("3 MiB reopened", fd, 65536);
	close(fd);
	return unlink(path);
}

/* The sum of the whole file through fd, in reads of req bytes, streamed. */
static void stream_sum(const char *what, int fd, size_t req)
{
	static unsigned char buf[65536];
	uint32_t h = 2166136261u;
	size_t total = 0;
	ssize_t n;
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, req)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 16777619u;
		total += (size_t)n;
	}
	printf("%s: %zu bytes, sum %08x\n", what, total, h);
}

/* More than the cache may hold (a quarter of guest memory): written in
 * 4 KiB pieces with no fsync, so that dirty pages must go back under
 * pressure; read back whole and piecewise. */
static int big(const char *dir, long mib)
{
	char path[4096], chunk[PAGE];
	long chunks = mib * 256, good = 0;
	snprintf(path, sizeof path, "%s/big", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail(path);
	for (long i = 0; i < chunks; i++) {
		memset(chunk, (int)(i * 31 & 0xff), sizeof chunk);
		snprintf(chunk, 32, "chunk %ld", i);
		if (write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk)
			return fail("write");
	}
	show_size("written", fd);
	stream_sum("read in 4 KiB pieces", fd, PAGE);
	for (long i = 0; i < chunks; i += 37) {
		char want[32];
		snprintf(want, sizeof want, "chunk %ld", i);
		if (pread(fd, chunk, sizeof chunk, (off_t)i * PAGE) == (ssize_t)sizeof chunk &&
		    !strcmp(chunk, want) && chunk[PAGE - 1] == (char)(i * 31 & 0xff))
			good++;
	}
	printf("pieces read back whole: %ld of %ld\n", good, (chunks + 36) / 37);
	if (fsync(fd) != 0)
		return fail("fsync");
	close(fd);
	fd = open(path, O_RDONLY);
	stream_sum("reopened, 64 KiB reads", fd, 65536);
	close(fd);
	return unlink(path);
}

/* The file read through the cache, then 1 MiB mallocs until one fails:
 * how many MiB the app got (the cache must give its pages back). */
static int pressure(const char *path)
{
	static char buf[PAGE];
	int fd = open(path, O_RDONLY), mib = 0;
	if (fd < 0)
		return fail(path);
	while (read(fd, buf, sizeof buf) > 0)
		;
	for (char *p; (p = malloc(1 << 20)); mib++)
		memset(p, 1, 1 << 20);
	stream_sum("the file read again", fd, PAGE);
	printf("the app got %d MiB\n", mib);
	close(fd);
	return 0;
}

/* Writes 1 GiB apart (a sparse file): written back and read back. */
static int far(const char *path)
{
	char got[8] = {0};
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail(path);
	put(fd, 'N', 4, 0);
	put(fd, 'F', 3, (1l << 30) + 100);
	if (fsync(fd) != 0)
		return fail("fsync");
	show_size("1 GiB apart", fd);
	close(fd);
	fd = open(path, O_RDONLY);
	pread(fd, got, 4, 0);
	pread(fd, got + 4, 3, (1l << 30) + 100);
	printf("read back: %s\n", got);
	close(fd);
	return unlink(path);
}

static int io(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/io-file", dir);
	if (holes_and_truncates(path) || writers(path) || mapped(path) || far(path))
		return 1;
	unlink(path);
	snprintf(path, sizeof path, "%s/io-seq", dir);
	return sequential(path);
}

static void replace(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		perror(path);
	close(fd);
}

static void show(const char *what, int fd)
{
	char buf[64] = {0};
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	printf("%s: %zd '%s'\n", what, n, n > 0 ? buf : "");
}

static void show_stat(const char *what, const char *path)
{
	struct stat st;
	printf("%s: %s\n", what, stat(path, &st) ? "ENOENT" : "there");
}

/* A name stat found missing, then made through B: stat at once, after
 * more than a second, and open. */
static int missing(const char *a, const char *b)
{
	char pa[4096], pb[4096];
	snprintf(pa, sizeof pa, "%s/u", a);
	snprintf(pb, sizeof pb, "%s/u", b);
	show_stat("a missing name", pa);
	replace(pb, "made");
	show_stat("made on the host, at once", pa);
	usleep(1200000);
	show_stat("1.2 s later", pa);
	int fd = open(pa, O_RDONLY);
	if (fd < 0)
		return fail(pa);
	show("opened", fd);
	close(fd);
	show_stat("after the open", pa);
	return 0;
}

static int by_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The names in the directory d has open, sorted (the host's order is its own). */
static void list_names(const char *what, DIR *d)
{
	char *names[64];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 64)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			names[n++] = strdup(e->d_name);
	qsort(names, n, sizeof names[0], by_name);
	printf("%s:", what);
	for (size_t i = 0; i < n; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

static int list_dir(const char *what, const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return fail(path);
	list_names(what, d);
	closedir(d);
	return 0;
}

/* A directory listed, changed through the other volume (the host, as far
 * as A's cache knows), changed through A, and rewound. */
static int dirs(const char *a, const char *b)
{
	char pa[4096], pb[4096], p[4200];
	snprintf(pa, sizeof pa, "%s/d", a);
	snprintf(pb, sizeof pb, "%s/d", b);
	if (mkdir(pb, 0755) != 0)
		return fail(pb);
	snprintf(p, sizeof p, "%s/x", pb);
	replace(p, "x");
	list_dir("listed", pa);
	list_dir("listed again", pa);
	snprintf(p, sizeof p, "%s/y", pb);
	replace(p, "y");
	list_dir("after a change on the host", pa);
	DIR *d = opendir(pa);
	if (!d)
		return fail(pa);
	snprintf(p, sizeof p, "%s/z", pa);
	replace(p, "z");
	list_dir("after a change of its own", pa);
	rewinddir(d);
	list_names("an older stream rewound", d);
	closedir(d);
	return 0;
}

static int twice(const char *a, const char *b)
{
	char pa[4096], pb[4096];
	snprintf(pa, sizeof pa, "%s/t", a);
	snprintf(pb, sizeof pb, "%s/t", b);
	replace(pb, "first");
	int fd = open(pa, O_RDONLY);
	if (fd < 0)
		return fail(pa);
	show("opened", fd);
	replace(pb, "second, longer");
	show("the same open", fd);
	close(fd);
	fd = open(pa, O_RDONLY);
	show("reopened", fd);
	close(fd);
	return missing(a, b) || dirs(a, b);
}

static void record(char *r, int i)
{
	memset(r, '.', RECORD);
	int n = snprintf(r, RECORD, "record %06d", i);
	r[n] = '.';
	r[RECORD - 1] = '\n';
}

static int durable(const char *dir, int n)
{
	char path[4096], r[RECORD];
	snprintf(path, sizeof path, "%s/durable", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail(path);
	for (int i = 0; i < n; i++) {
		record(r, i);
		if (write(fd, r, RECORD) != RECORD || fsync(fd) != 0)
			return fail("write+fsync");
		printf("synced %d\n", i);
		fflush(stdout);
	}
	printf("writing without fsync\n");
	fflush(stdout);
	for (int i = n; i < n + (8 << 20) / RECORD; i++) { /* 8 MiB, then a wait */
		record(r, i);
		if (write(fd, r, RECORD) != RECORD)
			return fail("write");
		if (i % 256 == 0)
			usleep(1000);
	}
	for (;;)
		pause();
}

static int check(const char *dir, int n)
{
	static char file[16 << 20];
	char path[4096], r[RECORD];
	snprintf(path, sizeof path, "%s/durable", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return fail(path);
	size_t len = fread(file, 1, sizeof file, f), i;
	fclose(f);
	for (i = 0; (i + 1) * RECORD <= len; i++) {
		record(r, (int)i);
		const char *at = file + i * RECORD;
		int zero = at[0] == 0 && !memcmp(at, at + 1, RECORD - 1);
		if (memcmp(at, r, RECORD) && (i < (size_t)n || !zero)) {
			printf("record %zu is neither itself%s\n", i,
			       i < (size_t)n ? "" : " nor zeros");
			return 1;
		}
	}
	record(r, (int)i);
	if (i < (size_t)n) {
		printf("only %zu of %d synced records\n", i, n);
		return 1;
	}
	const char *tail = file + i * RECORD;
	size_t left = len % RECORD;
	int zeros = left == 0 || (tail[0] == 0 && !memcmp(tail, tail + 1, left - 1));
	if (memcmp(tail, r, left) && !zeros) {
		printf("the last %zu bytes are neither a record's beginning nor zeros\n", left);
		return 1;
	}
	printf("the %d synced records are whole, and nothing after them is garbage\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "io"))
		return io(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "pressure"))
		return pressure(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "big"))
		return big(argv[2], atol(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "twice"))
		return twice(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "durable"))
		return durable(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "check"))
		return check(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: volcache io DIR | big DIR MIB | pressure FILE | twice A B | "
			"durable DIR N | check DIR N\n");
	return 2;
}
