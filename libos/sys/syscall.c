/*
 * The syscall table: Linux x86-64 numbers to libos handlers. A number with
 * no handler returns -ENOSYS and warns once, naming the syscall.
 *
 * The table here is the whole of what the libos serves, and it is weak:
 * `hut build` links in its place a table of only the rows an image can
 * reach (builder/syscall_table.c, from `hut inspect --syscalls`), so that
 * -Wl,--gc-sections drops the other handlers. Both come from the rows
 * below (scripts/syscall-table.sh reads them for the builder): keep each
 * row `[SYS_x] = hut_sys_y,` on its own line. A handler that accepts the
 * call and changes nothing (there is nothing to change in a one-vCPU,
 * memory-resident machine) is marked HUT_NOOP(hut_sys_y): the report says
 * "no-op" for it.
 */
#include "syscalls.h"
#include "unix/unix.h"

#include <errno.h>
#include <hut/ready.h>
#include <sys/syscall.h>

#define TABLE_SIZE 512

/* A mark for the report (see above); the handler is the handler. */
#define HUT_NOOP(handler) handler

/* The AF_INET socket syscalls live in libhut-net.a (net/sockcalls.h): weak
 * here, so they are null in an image that never calls socket(). When they
 * are linked, the socket syscalls' front door (unix/unixcalls.c), which may
 * not name the net layer, gets them as the other family's handlers. */
#define NET_SYSCALL(name) HUT_SYSCALL(inet_##name) __attribute__((weak))
NET_SYSCALL(socket);
NET_SYSCALL(bind);
NET_SYSCALL(listen);
NET_SYSCALL(accept);
NET_SYSCALL(accept4);
NET_SYSCALL(connect);
NET_SYSCALL(shutdown);
NET_SYSCALL(getsockname);
NET_SYSCALL(getpeername);
NET_SYSCALL(sendto);
NET_SYSCALL(recvfrom);
NET_SYSCALL(sendmsg);
NET_SYSCALL(recvmsg);
NET_SYSCALL(setsockopt);
NET_SYSCALL(getsockopt);

static const struct hut_sock_family inet_family = {
	hut_sys_inet_socket,   hut_sys_inet_bind,	 hut_sys_inet_listen,
	hut_sys_inet_accept,   hut_sys_inet_accept4,	 hut_sys_inet_connect,
	hut_sys_inet_shutdown, hut_sys_inet_getsockname, hut_sys_inet_getpeername,
	hut_sys_inet_sendto,   hut_sys_inet_recvfrom,	 hut_sys_inet_sendmsg,
	hut_sys_inet_recvmsg,  hut_sys_inet_setsockopt,	 hut_sys_inet_getsockopt,
};

void hut_syscall_init(void)
{
	/* Read from the table (absolute 64-bit addresses, 0 for a weak
	 * handler the image lacks), not the symbol: -fpie would test a weak
	 * symbol through a GOT entry, which the window cannot reach. */
	if (*(const volatile hut_syscall_fn *)&inet_family.socket)
		hut_sock_family_register(&inet_family);
}

extern const unsigned hut_syscall_table_size;
__attribute__((weak)) const unsigned hut_syscall_table_size = TABLE_SIZE;
extern const hut_syscall_fn hut_syscall_table[TABLE_SIZE];
__attribute__((weak)) const hut_syscall_fn hut_syscall_table[TABLE_SIZE] = {
	/* files and fds */
	[SYS_read] = hut_sys_read,
	[SYS_write] = hut_sys_write,
	[SYS_open] = hut_sys_open,
	[SYS_close] = hut_sys_close,
	[SYS_stat] = hut_sys_stat,
	[SYS_fstat] = hut_sys_fstat,
	[SYS_lstat] = hut_sys_lstat,
	[SYS_lseek] = hut_sys_lseek,
	[SYS_ioctl] = hut_sys_ioctl,
	[SYS_pread64] = hut_sys_pread64,
	[SYS_pwrite64] = hut_sys_pwrite64,
	[SYS_readv] = hut_sys_readv,
	[SYS_writev] = hut_sys_writev,
	[SYS_access] = hut_sys_access,
	[SYS_pipe] = hut_sys_pipe,
	[SYS_dup] = hut_sys_dup,
	[SYS_dup2] = hut_sys_dup2,
	[SYS_fcntl] = hut_sys_fcntl,
	[SYS_flock] = hut_sys_flock,
	[SYS_fadvise64] = HUT_NOOP(hut_sys_fadvise64),
	[SYS_fsync] = hut_sys_fsync,
	[SYS_fdatasync] = hut_sys_fdatasync,
	[SYS_truncate] = hut_sys_truncate,
	[SYS_ftruncate] = hut_sys_ftruncate,
	[SYS_getcwd] = hut_sys_getcwd,
	[SYS_chdir] = hut_sys_chdir,
	[SYS_fchdir] = hut_sys_fchdir,
	[SYS_rename] = hut_sys_rename,
	[SYS_mkdir] = hut_sys_mkdir,
	[SYS_rmdir] = hut_sys_rmdir,
	[SYS_creat] = hut_sys_creat,
	[SYS_link] = hut_sys_link,
	[SYS_unlink] = hut_sys_unlink,
	[SYS_symlink] = hut_sys_symlink,
	[SYS_readlink] = hut_sys_readlink,
	[SYS_chmod] = hut_sys_chmod,
	[SYS_fchmod] = hut_sys_fchmod,
	[SYS_chown] = hut_sys_chown,
	[SYS_fchown] = hut_sys_fchown,
	[SYS_lchown] = hut_sys_lchown,
	[SYS_umask] = hut_sys_umask,
	[SYS_statfs] = hut_sys_statfs,
	[SYS_fstatfs] = hut_sys_fstatfs,
	[SYS_sync] = hut_sys_sync,
	[SYS_getdents64] = hut_sys_getdents64,
	[SYS_openat] = hut_sys_openat,
	[SYS_mkdirat] = hut_sys_mkdirat,
	[SYS_fchownat] = hut_sys_fchownat,
	[SYS_newfstatat] = hut_sys_newfstatat,
	[SYS_unlinkat] = hut_sys_unlinkat,
	[SYS_renameat] = hut_sys_renameat,
	[SYS_linkat] = hut_sys_linkat,
	[SYS_symlinkat] = hut_sys_symlinkat,
	[SYS_readlinkat] = hut_sys_readlinkat,
	[SYS_fchmodat] = hut_sys_fchmodat,
	[SYS_faccessat] = hut_sys_faccessat,
	[SYS_utimensat] = hut_sys_utimensat,
	[SYS_fallocate] = hut_sys_fallocate,
	[SYS_dup3] = hut_sys_dup3,
	[SYS_pipe2] = hut_sys_pipe2,
	[SYS_preadv] = hut_sys_preadv,
	[SYS_pwritev] = hut_sys_pwritev,
	[SYS_renameat2] = hut_sys_renameat2,
	[SYS_statx] = hut_sys_statx,
	[SYS_faccessat2] = hut_sys_faccessat2,
	[SYS_sendfile] = hut_sys_sendfile,
	[SYS_splice] = hut_sys_splice,
	[SYS_tee] = hut_sys_tee,
	[SYS_vmsplice] = hut_sys_vmsplice,
	[SYS_copy_file_range] = hut_sys_copy_file_range,
	[SYS_signalfd] = hut_sys_signalfd,
	[SYS_signalfd4] = hut_sys_signalfd4,
	[SYS_mknod] = hut_sys_mknod,
	[SYS_mknodat] = hut_sys_mknodat,
	[SYS_memfd_create] = hut_sys_memfd_create,
	[SYS_inotify_init] = hut_sys_inotify_init,
	[SYS_inotify_init1] = hut_sys_inotify_init1,
	[SYS_inotify_add_watch] = hut_sys_inotify_add_watch,
	[SYS_inotify_rm_watch] = hut_sys_inotify_rm_watch,
	/* waiting on many fds, eventfd */
	[SYS_poll] = hut_sys_poll,
	[SYS_ppoll] = hut_sys_ppoll,
	[SYS_select] = hut_sys_select,
	[SYS_pselect6] = hut_sys_pselect6,
	[SYS_epoll_create] = hut_sys_epoll_create,
	[SYS_epoll_create1] = hut_sys_epoll_create1,
	[SYS_epoll_ctl] = hut_sys_epoll_ctl,
	[SYS_epoll_wait] = hut_sys_epoll_wait,
	[SYS_epoll_pwait] = hut_sys_epoll_pwait,
	[SYS_eventfd] = hut_sys_eventfd,
	[SYS_eventfd2] = hut_sys_eventfd2,
	/* sockets: unix/unixcalls.c, AF_INET through it (see above) */
	[SYS_socket] = hut_sys_socket,
	[SYS_socketpair] = hut_sys_socketpair,
	[SYS_bind] = hut_sys_bind,
	[SYS_listen] = hut_sys_listen,
	[SYS_accept] = hut_sys_accept,
	[SYS_accept4] = hut_sys_accept4,
	[SYS_connect] = hut_sys_connect,
	[SYS_shutdown] = hut_sys_shutdown,
	[SYS_getsockname] = hut_sys_getsockname,
	[SYS_getpeername] = hut_sys_getpeername,
	[SYS_sendto] = hut_sys_sendto,
	[SYS_recvfrom] = hut_sys_recvfrom,
	[SYS_sendmsg] = hut_sys_sendmsg,
	[SYS_recvmsg] = hut_sys_recvmsg,
	[SYS_setsockopt] = hut_sys_setsockopt,
	[SYS_getsockopt] = hut_sys_getsockopt,
	/* memory */
	[SYS_mmap] = hut_sys_mmap,
	[SYS_mprotect] = hut_sys_mprotect,
	[SYS_munmap] = hut_sys_munmap,
	[SYS_msync] = hut_sys_msync,
	[SYS_brk] = hut_sys_brk,
	[SYS_mremap] = hut_sys_mremap,
	[SYS_madvise] = hut_sys_madvise,
	/* signals */
	[SYS_rt_sigaction] = hut_sys_rt_sigaction,
	[SYS_rt_sigprocmask] = hut_sys_rt_sigprocmask,
	[SYS_sigaltstack] = hut_sys_sigaltstack,
	[SYS_kill] = hut_sys_kill,
	[SYS_tkill] = hut_sys_tkill,
	[SYS_tgkill] = hut_sys_tgkill,
	[SYS_pause] = hut_sys_pause,
	[SYS_rt_sigsuspend] = hut_sys_rt_sigsuspend,
	[SYS_rt_sigpending] = hut_sys_rt_sigpending,
	[SYS_rt_sigtimedwait] = hut_sys_rt_sigtimedwait,
	/* time */
	[SYS_nanosleep] = hut_sys_nanosleep,
	[SYS_gettimeofday] = hut_sys_gettimeofday,
	[SYS_time] = hut_sys_time,
	[SYS_clock_gettime] = hut_sys_clock_gettime,
	[SYS_clock_getres] = hut_sys_clock_getres,
	[SYS_clock_nanosleep] = hut_sys_clock_nanosleep,
	/* the process */
	[SYS_getpid] = hut_sys_getpid,
	[SYS_uname] = hut_sys_uname,
	[SYS_sethostname] = hut_sys_sethostname,
	[SYS_setdomainname] = hut_sys_setdomainname,
	[SYS_sysinfo] = hut_sys_sysinfo,
	[SYS_getppid] = hut_sys_getppid,
	[SYS_arch_prctl] = hut_sys_arch_prctl,
	[SYS_exit_group] = hut_sys_exit_group,
	[SYS_getrandom] = hut_sys_getrandom,
	/* identity: ids, groups, capabilities; resource limits */
	[SYS_getuid] = hut_sys_getuid,
	[SYS_getgid] = hut_sys_getgid,
	[SYS_geteuid] = hut_sys_geteuid,
	[SYS_getegid] = hut_sys_getegid,
	[SYS_getresuid] = hut_sys_getresuid,
	[SYS_getresgid] = hut_sys_getresgid,
	[SYS_setuid] = hut_sys_setuid,
	[SYS_setreuid] = hut_sys_setreuid,
	[SYS_setresuid] = hut_sys_setresuid,
	[SYS_setfsuid] = hut_sys_setfsuid,
	[SYS_setgid] = hut_sys_setgid,
	[SYS_setregid] = hut_sys_setregid,
	[SYS_setresgid] = hut_sys_setresgid,
	[SYS_setfsgid] = hut_sys_setfsgid,
	[SYS_getgroups] = hut_sys_getgroups,
	[SYS_setgroups] = hut_sys_setgroups,
	[SYS_capget] = hut_sys_capget,
	[SYS_capset] = hut_sys_capset,
	[SYS_getrlimit] = hut_sys_getrlimit,
	[SYS_setrlimit] = hut_sys_setrlimit,
	[SYS_prlimit64] = hut_sys_prlimit64,
	/* threads */
	[SYS_clone] = hut_sys_clone,
	[SYS_fork] = hut_sys_fork,
	[SYS_execve] = hut_sys_execve,
	[SYS_execveat] = hut_sys_execveat,
	[SYS_vfork] = hut_sys_vfork,
	[SYS_wait4] = hut_sys_wait4,
	[SYS_waitid] = hut_sys_waitid,
	[SYS_exit] = hut_sys_exit,
	[SYS_gettid] = hut_sys_gettid,
	[SYS_set_tid_address] = hut_sys_set_tid_address,
	[SYS_set_robust_list] = HUT_NOOP(hut_sys_set_robust_list),
	[SYS_futex] = hut_sys_futex,
	[SYS_sched_yield] = hut_sys_sched_yield,
	[SYS_sched_getaffinity] = hut_sys_sched_getaffinity,
	[SYS_sched_setaffinity] = HUT_NOOP(hut_sys_sched_setaffinity),
	/* accounting, policy, prctl, groups and sessions */
	[SYS_getrusage] = hut_sys_getrusage,
	[SYS_times] = hut_sys_times,
	[SYS_getpriority] = hut_sys_getpriority,
	[SYS_setpriority] = hut_sys_setpriority,
	[SYS_sched_getscheduler] = hut_sys_sched_getscheduler,
	[SYS_sched_setscheduler] = hut_sys_sched_setscheduler,
	[SYS_sched_getparam] = hut_sys_sched_getparam,
	[SYS_sched_setparam] = hut_sys_sched_setparam,
	[SYS_sched_get_priority_max] = hut_sys_sched_get_priority_max,
	[SYS_sched_get_priority_min] = hut_sys_sched_get_priority_min,
	[SYS_prctl] = hut_sys_prctl,
	[SYS_getpgrp] = hut_sys_getpgrp,
	[SYS_getpgid] = hut_sys_getpgid,
	[SYS_getsid] = hut_sys_getsid,
	[SYS_setpgid] = hut_sys_setpgid,
	[SYS_setsid] = hut_sys_setsid,
	[SYS_mlock] = HUT_NOOP(hut_sys_mlock),
	[SYS_munlock] = HUT_NOOP(hut_sys_munlock),
	[SYS_mlock2] = HUT_NOOP(hut_sys_mlock2),
	[SYS_mlockall] = HUT_NOOP(hut_sys_mlockall),
	[SYS_munlockall] = HUT_NOOP(hut_sys_munlockall),
	[SYS_mincore] = hut_sys_mincore,
	/* timers */
	[SYS_alarm] = hut_sys_alarm,
	[SYS_setitimer] = hut_sys_setitimer,
	[SYS_getitimer] = hut_sys_getitimer,
	[SYS_timerfd_create] = hut_sys_timerfd_create,
	[SYS_timerfd_settime] = hut_sys_timerfd_settime,
	[SYS_timerfd_gettime] = hut_sys_timerfd_gettime,
	[SYS_timer_create] = hut_sys_timer_create,
	[SYS_timer_settime] = hut_sys_timer_settime,
	[SYS_timer_gettime] = hut_sys_timer_gettime,
	[SYS_timer_getoverrun] = hut_sys_timer_getoverrun,
	[SYS_timer_delete] = hut_sys_timer_delete,
};

/* The kernel's names, one string in number order (scripts/syscall-names.sh). */
extern const char hut_syscall_names[];
extern const unsigned hut_syscall_names_count;

static const char *syscall_name(uint64_t nr)
{
	const char *p = hut_syscall_names;
	if (nr >= hut_syscall_names_count)
		return 0;
	for (; nr; nr--)
		p += hut_strlen(p) + 1;
	return *p ? p : 0;
}

static void warn_unimplemented(uint64_t nr)
{
	static uint64_t warned[TABLE_SIZE / 64];
	if (nr < TABLE_SIZE) {
		if (warned[nr / 64] & (1ull << (nr % 64)))
			return;
		warned[nr / 64] |= 1ull << (nr % 64);
	}
	const char *name = syscall_name(nr);
	char line[128], *p = line, *end = line + sizeof line - 1;
	p = hut_append(p, end, "hut: warning: syscall ");
	p = hut_append(p, end, name ? name : "unknown");
	p = hut_append(p, end, " (");
	p = hut_append_u64(p, end, nr);
	p = hut_append(p, end, ") not implemented, returning -ENOSYS\n");
	*p = 0;
	hut_console_print(2, line);
}

long hut_syscall(struct hut_syscall_frame *f);
long hut_syscall(struct hut_syscall_frame *f)
{
	/* Read from memory: gcc folds a weak const's initializer, but the
	 * linker may have put an image's shorter table in its place. */
	unsigned size = *(const volatile unsigned *)&hut_syscall_table_size;
	hut_syscall_fn fn = f->nr < size ? hut_syscall_table[f->nr] : 0;
	long result;
	hut_thread_now->frame = f; /* clone copies it; a switch leaves it here */
	hut_sched_progress();	   /* this thread ran app code: it may have woken others */
	if (f->nr == SYS_rt_sigreturn) {
		result = hut_signal_return(f);
	} else if (fn) {
		result = fn(f->a0, f->a1, f->a2, f->a3, f->a4, f->a5);
	} else if (f->nr == HUT_SYS_READY) { /* past the table: no compare on the hot path */
		result = hut_sys_hut_ready(0, 0, 0, 0, 0, 0);
	} else {
		warn_unimplemented(f->nr);
		result = -ENOSYS;
	}
	if (hut_timers_armed())
		hut_timers_run(); /* a SIGALRM due is delivered on this way out */
	hut_sched_preempt_point();
	if (hut_ticks_wanted())
		hut_timers_publish(1); /* when a spinning app must be interrupted */
	return hut_signal_deliver(f, result);
}
