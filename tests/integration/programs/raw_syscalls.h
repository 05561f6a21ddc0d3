/* raw_syscalls.c: syscalls made with the `syscall` instruction itself. */
#ifndef RAW_SYSCALLS_H
#define RAW_SYSCALLS_H

long raw_write(int fd, const void *buf, unsigned long len);
long raw_getpid(void);
long raw_clock_ns(void);
_Noreturn void raw_exit(int status);

#endif
