/* The syscall handlers, by module. Each is HUT_SYSCALL(name) in its file. */
#ifndef HUT_SYSCALLS_H
#define HUT_SYSCALLS_H

#include "libos.h"

/* uts.c */
HUT_SYSCALL(uname);
HUT_SYSCALL(sethostname);
HUT_SYSCALL(setdomainname);
/* fd.c */
HUT_SYSCALL(close);
HUT_SYSCALL(dup);
HUT_SYSCALL(dup2);
HUT_SYSCALL(dup3);
/* fd_io.c */
HUT_SYSCALL(read);
HUT_SYSCALL(write);
HUT_SYSCALL(readv);
HUT_SYSCALL(writev);
HUT_SYSCALL(pread64);
HUT_SYSCALL(pwrite64);
HUT_SYSCALL(preadv);
HUT_SYSCALL(pwritev);
HUT_SYSCALL(lseek);
HUT_SYSCALL(fstat);
HUT_SYSCALL(ioctl);
HUT_SYSCALL(fsync);
HUT_SYSCALL(fdatasync);
HUT_SYSCALL(ftruncate);
HUT_SYSCALL(fallocate);
HUT_SYSCALL(getdents64);
/* fcntl.c */
HUT_SYSCALL(fcntl);
HUT_SYSCALL(flock);
HUT_SYSCALL(fadvise64);
/* pipe.c */
HUT_SYSCALL(pipe);
HUT_SYSCALL(pipe2);
/* fs/open.c */
HUT_SYSCALL(open);
HUT_SYSCALL(openat);
HUT_SYSCALL(creat);
HUT_SYSCALL(chdir);
HUT_SYSCALL(fchdir);
HUT_SYSCALL(getcwd);
HUT_SYSCALL(umask);
/* fs/stat.c */
HUT_SYSCALL(stat);
HUT_SYSCALL(lstat);
HUT_SYSCALL(newfstatat);
HUT_SYSCALL(statx);
HUT_SYSCALL(access);
HUT_SYSCALL(faccessat);
HUT_SYSCALL(faccessat2);
HUT_SYSCALL(readlink);
HUT_SYSCALL(readlinkat);
HUT_SYSCALL(statfs);
HUT_SYSCALL(fstatfs);
/* fs/modify.c */
HUT_SYSCALL(mkdir);
HUT_SYSCALL(mkdirat);
HUT_SYSCALL(rmdir);
HUT_SYSCALL(unlink);
HUT_SYSCALL(unlinkat);
HUT_SYSCALL(rename);
HUT_SYSCALL(renameat);
HUT_SYSCALL(renameat2);
HUT_SYSCALL(link);
HUT_SYSCALL(linkat);
HUT_SYSCALL(symlink);
HUT_SYSCALL(symlinkat);
/* fs/attr.c */
HUT_SYSCALL(chmod);
HUT_SYSCALL(fchmod);
HUT_SYSCALL(fchmodat);
HUT_SYSCALL(chown);
HUT_SYSCALL(fchown);
HUT_SYSCALL(lchown);
HUT_SYSCALL(fchownat);
HUT_SYSCALL(utimensat);
HUT_SYSCALL(truncate);
HUT_SYSCALL(sync);
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
HUT_SYSCALL(exit_group);
HUT_SYSCALL(getpid);
HUT_SYSCALL(getppid);
HUT_SYSCALL(getuid);
HUT_SYSCALL(sysinfo);
HUT_SYSCALL(getrlimit);
HUT_SYSCALL(prlimit64);
HUT_SYSCALL(arch_prctl);
/* signal.c */
HUT_SYSCALL(rt_sigaction);
HUT_SYSCALL(rt_sigprocmask);
HUT_SYSCALL(sigaltstack);
HUT_SYSCALL(kill);
HUT_SYSCALL(tkill);
HUT_SYSCALL(tgkill);
/* poll.c */
HUT_SYSCALL(poll);
HUT_SYSCALL(ppoll);
HUT_SYSCALL(select);
HUT_SYSCALL(pselect6);
/* epoll.c */
HUT_SYSCALL(epoll_create);
HUT_SYSCALL(epoll_create1);
HUT_SYSCALL(epoll_ctl);
HUT_SYSCALL(epoll_wait);
HUT_SYSCALL(epoll_pwait);
/* eventfd.c */
HUT_SYSCALL(eventfd);
HUT_SYSCALL(eventfd2);
/* sendfile.c */
HUT_SYSCALL(sendfile);
/* signal_box.c */
HUT_SYSCALL(pause);
HUT_SYSCALL(rt_sigsuspend);
/* thread.c */
HUT_SYSCALL(clone);
HUT_SYSCALL(exit);
HUT_SYSCALL(gettid);
HUT_SYSCALL(set_tid_address);
HUT_SYSCALL(set_robust_list);
/* futex.c */
HUT_SYSCALL(futex);
/* sched.c */
HUT_SYSCALL(sched_yield);
HUT_SYSCALL(sched_getaffinity);
HUT_SYSCALL(sched_setaffinity);
/* random.c */
HUT_SYSCALL(getrandom);

#endif
