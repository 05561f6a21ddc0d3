/*
 * Uses raw_syscalls.c (built against Debian's musl, `syscall` instructions)
 * beside its own libc. Makes exactly five raw syscalls: one write, one
 * getpid, two clock_gettime and the exit_group that ends it with status 7.
 */
#include "raw_syscalls.h"

#include <stdio.h>
#include <unistd.h>

int main(void)
{
	static const char line[] = "written by a raw syscall\n";
	long written = raw_write(1, line, sizeof line - 1);
	long pid = raw_getpid();
	long t0 = raw_clock_ns(), t1 = raw_clock_ns();
	printf("raw write returned %ld\n", written);
	printf("raw getpid is getpid(): %s\n", pid == getpid() ? "yes" : "no");
	printf("raw clock advances: %s\n", t0 > 0 && t1 >= t0 ? "yes" : "no");
	fflush(stdout);
	raw_exit(7);
}
