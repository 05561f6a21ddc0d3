/*
 * idle: what a density run keeps many of (bench/density.py,
 * tests/integration/density.sh). It says "ready" once it is up, then waits
 * in read(2) on stdin and answers each line it gets with the same line, so
 * a caller can check that every one of hundreds still answers; at the end
 * of its stdin it exits 0. With `hello` as its argument it first prints
 * one line and exits at once (the differential check of the same bytes).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int echo_lines(void)
{
	char buf[512];
	for (;;) {
		ssize_t n = read(0, buf, sizeof buf);
		if (n == 0)
			return 0;
		if (n < 0) {
			perror("idle: read");
			return 1;
		}
		if (write(1, buf, (size_t)n) != n) {
			perror("idle: write");
			return 1;
		}
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "hello")) {
		printf("idle: hello\n");
		return 0;
	}
	/* One write, unbuffered: the caller times its start until this line. */
	static const char ready[] = "ready\n";
	if (write(1, ready, sizeof ready - 1) != (ssize_t)(sizeof ready - 1))
		return 1;
	return echo_lines();
}
