/*
 * console: what a program writes to stdout and stderr, and how it must
 * reach the reader however the program goes on or ends (console.sh). In an
 * appliance these writes go through the console ring; as a process or a
 * glibc program, straight to Linux. Each mode prints the same bytes all
 * three ways, with raw write(2) calls (no stdio buffer in between):
 *
 *   crash       a partial line on stdout, a line on stderr, then a NULL
 *               dereference (SIGSEGV)
 *   interleave  N (default 3000) lines alternating stdout and stderr, every
 *               third one a writev of three pieces
 *   spin        a line, then computes for SECONDS (default 2) without a
 *               syscall, then a second line
 *   many        N (default 2000) lines on stdout, then spins for good (a
 *               --timeout or a signal from outside ends it)
 *   prompt      "name? " on stdout, a line read from stdin, "hello NAME"
 *   volume      MIB (default 8) MiB of a pattern, in writes of 1 to 4000
 *               bytes, then the pattern's sum on stderr
 *   pipe        writes to stdout until it fails: dies of SIGPIPE, or (with
 *               SIGPIPE ignored, "pipe ignore") says the write's errno
 *   tiny        N (default 100000) one-byte writes
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static void put(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			dprintf(2, "write: %s\n", strerror(errno));
			exit(3);
		}
		s += w;
		n -= (size_t)w;
	}
}

static void say(int fd, const char *s)
{
	put(fd, s, strlen(s));
}

static long arg(int argc, char **argv, long dflt)
{
	return argc > 2 ? atol(argv[2]) : dflt;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Computes without a syscall for s seconds (the TSC-based clock of the
 * libos and the vDSO's are calls, not exits, each few thousand rounds). */
static void spin(double s)
{
	volatile uint64_t x = 0;
	double end = now() + s;
	while (now() < end)
		for (int i = 0; i < 100000; i++)
			x += (uint64_t)i;
}

/* NULL, as far as the compiler can tell at build time. */
static int *volatile nowhere;

static int crash(void)
{
	say(1, "stdout before the crash, no newline");
	say(2, "stderr before the crash\n");
	return *nowhere; /* SIGSEGV */
}

/* Every third line is a writev of three pieces, which must stay one write. */
static void put3(int fd, const char *who, long i)
{
	char num[32];
	int len = snprintf(num, sizeof num, "%ld\n", i);
	struct iovec iov[3] = {{(void *)who, 3}, {(void *)" line ", 6}, {num, (size_t)len}};
	if (writev(fd, iov, 3) != 9 + len) {
		dprintf(2, "writev: short or failed\n");
		exit(3);
	}
}

static int interleave(long n)
{
	char line[64];
	for (long i = 0; i < n; i++) {
		const char *who = i % 2 ? "err" : "out";
		int len = snprintf(line, sizeof line, "%s line %ld\n", who, i);
		if (i % 3 == 0)
			put3(i % 2 ? 2 : 1, who, i);
		else
			put(i % 2 ? 2 : 1, line, (size_t)len);
	}
	return 0;
}

static int spin_between(double seconds)
{
	say(1, "first line, then a spin\n");
	spin(seconds);
	say(1, "second line\n");
	return 0;
}

static _Noreturn void many(long n)
{
	char line[64];
	for (long i = 0; i < n; i++) {
		int len = snprintf(line, sizeof line, "line %ld of %ld\n", i + 1, n);
		put(1, line, (size_t)len);
	}
	say(2, "all written\n");
	for (;;)
		spin(1);
}

static int prompt(void)
{
	char name[128];
	say(1, "name? ");
	ssize_t r = read(0, name, sizeof name - 1);
	if (r <= 0)
		return 4;
	name[r] = 0;
	name[strcspn(name, "\n")] = 0;
	char line[192];
	snprintf(line, sizeof line, "hello %s\n", name);
	say(1, line);
	return 0;
}

/* Byte i of the stream is (i * 7 + i / 251) & 0xff: no period a lost or
 * repeated chunk could hide in. */
static int volume(long mib)
{
	static char buf[4096];
	uint64_t total = (uint64_t)mib << 20, at = 0, sum = 0, size = 1;
	while (at < total) {
		uint64_t n = size < total - at ? size : total - at;
		for (uint64_t i = 0; i < n; i++) {
			buf[i] = (char)(((at + i) * 7 + (at + i) / 251) & 0xff);
			sum += (uint8_t)buf[i] * ((at + i) % 65521 + 1);
		}
		put(1, buf, n);
		at += n;
		size = size * 37 % 4001 + 1; /* 1..4001 bytes, varying */
	}
	dprintf(2, "%llu bytes, sum %llu\n", (unsigned long long)total, (unsigned long long)sum);
	return 0;
}

static int pipe_until_broken(int ignore)
{
	static char buf[1000];
	memset(buf, 'p', sizeof buf);
	buf[sizeof buf - 1] = '\n';
	if (ignore)
		signal(SIGPIPE, SIG_IGN);
	for (long i = 0; i < 1000000; i++) { /* 1 GB at most: never forever */
		if (write(1, buf, sizeof buf) < 0) {
			dprintf(2, "write failed: %s\n",
				errno == EPIPE ? "EPIPE" : strerror(errno));
			return 5;
		}
	}
	return 6;
}

static int tiny(long n)
{
	for (long i = 0; i < n; i++)
		put(1, i % 64 == 63 ? "\n" : "x", 1);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "crash"))
		return crash();
	if (!strcmp(mode, "interleave"))
		return interleave(arg(argc, argv, 3000));
	if (!strcmp(mode, "spin"))
		return spin_between((double)arg(argc, argv, 2));
	if (!strcmp(mode, "many"))
		many(arg(argc, argv, 2000));
	if (!strcmp(mode, "prompt"))
		return prompt();
	if (!strcmp(mode, "volume"))
		return volume(arg(argc, argv, 8));
	if (!strcmp(mode, "pipe"))
		return pipe_until_broken(argc > 2 && !strcmp(argv[2], "ignore"));
	if (!strcmp(mode, "tiny"))
		return tiny(arg(argc, argv, 100000));
	fprintf(stderr, "usage: console crash|interleave|spin|many|prompt|volume|pipe|tiny [N]\n");
	return 2;
}
