/*
 * Every syscall handler, by the file that holds it: each layer's *calls.c
 * files check the arguments and call that layer's services. Only the table
 * (syscall.c) includes this; a handler is HUT_SYSCALL(name) in its file.
 */
#ifndef HUT_SYSCALLS_H
#define HUT_SYSCALLS_H

#include "base/base.h"

/* proc/accountcalls.c */
HUT_SYSCALL(getrusage);
HUT_SYSCALL(times);
HUT_SYSCALL(getpriority);
HUT_SYSCALL(setpriority);
HUT_SYSCALL(sched_getscheduler);
HUT_SYSCALL(sched_setscheduler);
HUT_SYSCALL(sched_getparam);
HUT_SYSCALL(sched_setparam);
HUT_SYSCALL(sched_get_priority_max);
HUT_SYSCALL(sched_get_priority_min);
HUT_SYSCALL(prctl);

/* sys/execcalls.c */
HUT_SYSCALL(execve);
HUT_SYSCALL(execveat);

/* proc/forkcalls.c */
HUT_SYSCALL(fork);
HUT_SYSCALL(vfork);
HUT_SYSCALL(getpid);
HUT_SYSCALL(getppid);
HUT_SYSCALL(wait4);
HUT_SYSCALL(waitid);

/* proc/groupcalls.c */
HUT_SYSCALL(getpgrp);
HUT_SYSCALL(getpgid);
HUT_SYSCALL(getsid);
HUT_SYSCALL(setpgid);
HUT_SYSCALL(setsid);

/* proc/credcalls.c */
HUT_SYSCALL(getuid);
HUT_SYSCALL(geteuid);
HUT_SYSCALL(getgid);
HUT_SYSCALL(getegid);
HUT_SYSCALL(getresuid);
HUT_SYSCALL(getresgid);
HUT_SYSCALL(setuid);
HUT_SYSCALL(setreuid);
HUT_SYSCALL(setresuid);
HUT_SYSCALL(setfsuid);
HUT_SYSCALL(setgid);
HUT_SYSCALL(setregid);
HUT_SYSCALL(setresgid);
HUT_SYSCALL(setfsgid);
HUT_SYSCALL(getgroups);
HUT_SYSCALL(setgroups);
HUT_SYSCALL(capget);
HUT_SYSCALL(capset);

/* proc/itimercalls.c */
HUT_SYSCALL(getitimer);
HUT_SYSCALL(setitimer);
HUT_SYSCALL(alarm);

/* proc/processcalls.c */
HUT_SYSCALL(exit_group);
HUT_SYSCALL(sysinfo);
HUT_SYSCALL(arch_prctl);
HUT_SYSCALL(getrandom);

/* proc/ptimercalls.c */
HUT_SYSCALL(timer_create);
HUT_SYSCALL(timer_gettime);
HUT_SYSCALL(timer_settime);
HUT_SYSCALL(timer_getoverrun);
HUT_SYSCALL(timer_delete);

/* proc/rlimitcalls.c */
HUT_SYSCALL(getrlimit);
HUT_SYSCALL(setrlimit);
HUT_SYSCALL(prlimit64);

/* proc/signalcalls.c */
HUT_SYSCALL(rt_sigaction);
HUT_SYSCALL(rt_sigprocmask);
HUT_SYSCALL(rt_sigsuspend);
HUT_SYSCALL(pause);
HUT_SYSCALL(sigaltstack);
HUT_SYSCALL(kill);
HUT_SYSCALL(tkill);
HUT_SYSCALL(tgkill);
HUT_SYSCALL(rt_sigpending);
HUT_SYSCALL(rt_sigtimedwait);

/* proc/threadcalls.c */
HUT_SYSCALL(clone);
HUT_SYSCALL(exit);
HUT_SYSCALL(set_tid_address);
HUT_SYSCALL(set_robust_list);
HUT_SYSCALL(gettid);
HUT_SYSCALL(futex);
HUT_SYSCALL(sched_yield);
HUT_SYSCALL(sched_getaffinity);
HUT_SYSCALL(sched_setaffinity);

/* proc/timecalls.c */
HUT_SYSCALL(clock_gettime);
HUT_SYSCALL(clock_getres);
HUT_SYSCALL(gettimeofday);
HUT_SYSCALL(time);
HUT_SYSCALL(nanosleep);
HUT_SYSCALL(clock_nanosleep);

/* proc/utscalls.c */
HUT_SYSCALL(uname);
HUT_SYSCALL(sethostname);
HUT_SYSCALL(setdomainname);

/* sys/readycalls.c: HUT_SYS_READY (include/hut/ready.h), outside the table */
HUT_SYSCALL(hut_ready);

/* sys/memcalls.c */
HUT_SYSCALL(brk);
HUT_SYSCALL(mmap);
HUT_SYSCALL(munmap);
HUT_SYSCALL(msync);
HUT_SYSCALL(mremap);
HUT_SYSCALL(mprotect);
HUT_SYSCALL(madvise);
HUT_SYSCALL(mlock);
HUT_SYSCALL(munlock);
HUT_SYSCALL(mlock2);
HUT_SYSCALL(mlockall);
HUT_SYSCALL(munlockall);
HUT_SYSCALL(mincore);

/* fd/fdcalls.c */
HUT_SYSCALL(close);
HUT_SYSCALL(dup);
HUT_SYSCALL(dup2);
HUT_SYSCALL(dup3);
HUT_SYSCALL(fcntl);
HUT_SYSCALL(flock);
HUT_SYSCALL(fadvise64);
HUT_SYSCALL(pipe2);
HUT_SYSCALL(pipe);
HUT_SYSCALL(eventfd2);
HUT_SYSCALL(eventfd);
HUT_SYSCALL(timerfd_create);
HUT_SYSCALL(timerfd_gettime);
HUT_SYSCALL(timerfd_settime);
HUT_SYSCALL(signalfd4);
HUT_SYSCALL(signalfd);

/* fd/iocalls.c */
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
HUT_SYSCALL(sendfile);

/* fd/splicecalls.c */
HUT_SYSCALL(splice);
HUT_SYSCALL(tee);
HUT_SYSCALL(vmsplice);
HUT_SYSCALL(copy_file_range);

/* fd/pollcalls.c */
HUT_SYSCALL(poll);
HUT_SYSCALL(ppoll);
HUT_SYSCALL(select);
HUT_SYSCALL(pselect6);
HUT_SYSCALL(epoll_create1);
HUT_SYSCALL(epoll_create);
HUT_SYSCALL(epoll_ctl);
HUT_SYSCALL(epoll_wait);
HUT_SYSCALL(epoll_pwait);

/* fs/attrcalls.c */
HUT_SYSCALL(chmod);
HUT_SYSCALL(fchmodat);
HUT_SYSCALL(fchmod);
HUT_SYSCALL(chown);
HUT_SYSCALL(lchown);
HUT_SYSCALL(fchown);
HUT_SYSCALL(fchownat);
HUT_SYSCALL(utimensat);
HUT_SYSCALL(truncate);
HUT_SYSCALL(sync);

/* fs/inotifycalls.c */
HUT_SYSCALL(inotify_init);
HUT_SYSCALL(inotify_init1);
HUT_SYSCALL(inotify_add_watch);
HUT_SYSCALL(inotify_rm_watch);

/* fs/modifycalls.c */
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
HUT_SYSCALL(mknod);
HUT_SYSCALL(mknodat);

/* fs/opencalls.c */
HUT_SYSCALL(open);
HUT_SYSCALL(openat);
HUT_SYSCALL(creat);
HUT_SYSCALL(memfd_create);
HUT_SYSCALL(chdir);
HUT_SYSCALL(fchdir);
HUT_SYSCALL(getcwd);
HUT_SYSCALL(umask);

/* fs/statcalls.c */
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
HUT_SYSCALL(getdents64);

/* unix/unixcalls.c: the socket syscalls, AF_UNIX and the front door to
 * the other families (net/, libhut-net.a: declared weak in syscall.c) */
HUT_SYSCALL(socket);
HUT_SYSCALL(socketpair);
HUT_SYSCALL(bind);
HUT_SYSCALL(listen);
HUT_SYSCALL(accept);
HUT_SYSCALL(accept4);
HUT_SYSCALL(connect);
HUT_SYSCALL(shutdown);
HUT_SYSCALL(getsockname);
HUT_SYSCALL(getpeername);
HUT_SYSCALL(sendto);
HUT_SYSCALL(recvfrom);
HUT_SYSCALL(sendmsg);
HUT_SYSCALL(recvmsg);
HUT_SYSCALL(setsockopt);
HUT_SYSCALL(getsockopt);

/* syscall.c: registers the families linked in the image (at boot). */
void hut_syscall_init(void);

#endif
