/* The syscall handlers, by module. Each is HUT_SYSCALL(name) in its file. */
#ifndef HUT_SYSCALLS_H
#define HUT_SYSCALLS_H

#include "libos.h"

/* console.c */
HUT_SYSCALL(read);
HUT_SYSCALL(write);
HUT_SYSCALL(readv);
HUT_SYSCALL(writev);
HUT_SYSCALL(close);
HUT_SYSCALL(fstat);
HUT_SYSCALL(lseek);
HUT_SYSCALL(ioctl);
/* memory.c */
HUT_SYSCALL(brk);
HUT_SYSCALL(mmap);
HUT_SYSCALL(munmap);
HUT_SYSCALL(mremap);
HUT_SYSCALL(mprotect);
HUT_SYSCALL(madvise);
/* time.c */
HUT_SYSCALL(clock_gettime);
HUT_SYSCALL(clock_getres);
HUT_SYSCALL(gettimeofday);
HUT_SYSCALL(time);
HUT_SYSCALL(nanosleep);
HUT_SYSCALL(clock_nanosleep);
/* process.c */
HUT_SYSCALL(exit);
HUT_SYSCALL(getpid);
HUT_SYSCALL(getppid);
HUT_SYSCALL(getuid);
HUT_SYSCALL(uname);
HUT_SYSCALL(sysinfo);
HUT_SYSCALL(getrlimit);
HUT_SYSCALL(prlimit64);
HUT_SYSCALL(sched_yield);
HUT_SYSCALL(arch_prctl);
/* signal.c */
HUT_SYSCALL(rt_sigaction);
HUT_SYSCALL(rt_sigprocmask);
HUT_SYSCALL(sigaltstack);
HUT_SYSCALL(kill);
HUT_SYSCALL(tkill);
HUT_SYSCALL(tgkill);
/* random.c */
HUT_SYSCALL(getrandom);

#endif
