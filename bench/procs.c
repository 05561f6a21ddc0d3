/*
 * What processes cost (bench/procs.sh): fork+exit+wait of a small process
 * and of one with 64 MiB of touched heap, a copy-on-write page written by
 * the child, a pipe round trip between two processes (two switches),
 * fork+exec+wait of another small program, the same image as a process and
 * as an appliance.
 *
 *   procs.hut OP N [PATH]  one operation N times: fork, fork64m, cow,
 *                          pingpong, exec (of PATH)
 *
 * Prints "OP: X us each (N times)". A benchmark, not a test.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define COW_PAGES 256

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void fork_exit_wait(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		waitpid(pid, 0, 0);
	}
}

/* The child writes COW_PAGES pages of the parent's heap: n children. */
static void cow(long n, char *heap)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			for (int p = 0; p < COW_PAGES; p++)
				heap[(size_t)p * PAGE] = 1;
			_exit(0);
		}
		waitpid(pid, 0, 0);
	}
}

static void fork_exec_wait(long n, const char *path)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			char *args[] = {"true", NULL};
			execv(path, args);
			_exit(99);
		}
		int status;
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "procs: exec of %s failed\n", path);
			exit(1);
		}
	}
}

static void pingpong(long n)
{
	int down[2], up[2];
	char c = 0;
	pipe(down), pipe(up);
	pid_t pid = fork();
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		while (read(down[0], &c, 1) == 1)
			write(up[1], &c, 1);
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	for (long i = 0; i < n; i++) {
		write(down[1], &c, 1);
		read(up[0], &c, 1);
	}
	close(down[1]);
	waitpid(pid, 0, 0);
}

int main(int argc, char **argv)
{
	if (argc != 3 && !(argc == 4 && !strcmp(argv[1], "exec"))) {
		fprintf(stderr, "usage: procs fork|fork64m|cow|pingpong N | exec N PATH\n");
		return 2;
	}
	const char *op = argv[1];
	long n = strtol(argv[2], 0, 10);
	char *heap = 0;
	if (!strcmp(op, "fork64m") || !strcmp(op, "cow")) {
		size_t size = !strcmp(op, "cow") ? COW_PAGES * PAGE : (size_t)64 << 20;
		heap = malloc(size);
		memset(heap, 7, size);
	}
	fork_exit_wait(1); /* the libos's first fork sets things up */
	double t0 = now_us();
	if (!strcmp(op, "fork") || !strcmp(op, "fork64m"))
		fork_exit_wait(n);
	else if (!strcmp(op, "cow"))
		cow(n, heap);
	else if (!strcmp(op, "pingpong"))
		pingpong(n);
	else if (!strcmp(op, "exec"))
		fork_exec_wait(n, argv[3]);
	else
		return 2;
	double each = (now_us() - t0) / (double)n;
	if (!strcmp(op, "cow"))
		printf("cow: %.1f us a page written by a child (%d pages, %ld children)\n",
		       each / COW_PAGES, COW_PAGES, n);
	else
		printf("%s: %.1f us each (%ld times)\n", op, each, n);
	return 0;
}
