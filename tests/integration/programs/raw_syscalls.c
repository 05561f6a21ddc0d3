/*
 * Syscalls made with the `syscall` instruction itself, as code built
 * against another libc makes them: tests/integration/syscalls.sh compiles
 * this with musl-gcc (Debian's musl-dev) into an object and an archive and
 * links them into hut images, where these syscalls trap (MSR_LSTAR) while
 * the image's own musl calls the libos.
 */
#include "raw_syscalls.h"

#include <hut/raw_syscall.h>
#include <sys/syscall.h>
#include <time.h>

long raw_write(int fd, const void *buf, unsigned long len)
{
	return hut_raw_syscall3(SYS_write, fd, (long)buf, (long)len);
}

long raw_getpid(void)
{
	return hut_raw_syscall3(SYS_getpid, 0, 0, 0);
}

/* CLOCK_MONOTONIC in ns, or -1. */
long raw_clock_ns(void)
{
	struct timespec ts;
	if (hut_raw_syscall3(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&ts, 0) != 0)
		return -1;
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

_Noreturn void raw_exit(int status)
{
	for (;;)
		hut_raw_syscall3(SYS_exit_group, status, 0, 0);
}
