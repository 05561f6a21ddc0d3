/*
 * The `syscall` instruction, made by hand, for the benchmarks and tests
 * that need the instruction itself: code built against another libc makes
 * its syscalls so (in a hut image they trap through MSR_LSTAR instead of
 * calling the libos: tests/integration/programs/raw_syscalls.c), the
 * benchmark measures it against musl's path (bench/syscalls.c), and hut-sud
 * makes syscalls where libc must not run (tests/sud/sud.c: errno is TLS,
 * and TLS is the app's there). Returns what the kernel returns (-errno on
 * failure). Not for hut's own programs: they use libc.
 */
#ifndef HUT_RAW_SYSCALL_H
#define HUT_RAW_SYSCALL_H

static inline long hut_raw_syscall3(long nr, long a0, long a1, long a2)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
			 : "rcx", "r11", "memory");
	return ret;
}

#endif
