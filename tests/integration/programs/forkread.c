/*
 * Reads the monitor writes straight into the app's buffer, by a forked
 * child whose buffer is still shared copy-on-write with its parent
 * (tests/integration/forkread.sh): the console's (stdin) here; volumes'
 * are in volfast.c. The child prints what it read; the parent, after it,
 * how many bytes of its own buffer changed (Linux: none).
 *
 *   forkread N   the child reads up to N bytes of stdin in one read
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define FILL 'A'

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)atol(argv[1]) : 8192;
	/* Pages of their own (not the libos's heap runs), all touched. */
	char *buf =
		mmap(NULL, n + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	memset(buf, FILL, n + 4096);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		/* Nothing written here before the read: every page is shared. */
		ssize_t got = read(0, buf + 100, n);
		printf("child read %zd bytes: '%.*s'\n", got,
		       got > 0 ? (int)(got < 40 ? got : 40) : 0, buf + 100);
		fflush(stdout);
		_exit(0);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	size_t changed = 0;
	for (size_t i = 0; i < n + 4096; i++)
		changed += buf[i] != FILL;
	printf("child status %d; parent: %zu bytes of its buffer changed\n", status, changed);
	return 0;
}
