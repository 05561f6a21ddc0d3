/*
 * flood: writes argv[1] MiB (default 100) to stdout in 64 KiB writes.
 * `flood N ignore-sigpipe` ignores SIGPIPE and exits 0 when a write fails
 * with EPIPE (the reader went away), as a Linux process would see it.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buf[64 << 10];

static int write_all(const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(1, p, len);
		if (w < 0)
			return errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 100;
	int ignore = argc > 2 && !strcmp(argv[2], "ignore-sigpipe");
	if (ignore)
		signal(SIGPIPE, SIG_IGN);
	memset(buf, 'x', sizeof buf);
	for (long i = 0; i < mib * 16; i++) {
		int e = write_all(buf, sizeof buf);
		if (e)
			return ignore && e == EPIPE ? 0 : 1;
	}
	return 0;
}
