/*
 * Starting and timing one launch.
 *
 * Wall time runs from just before clone (vfork-like) to just after wait4
 * returns, on CLOCK_MONOTONIC: exec to exit, as a user typing the command
 * would see it. Every launcher is started the same way, so the cost of
 * starting (clone, exec, the pidfd) is in every row alike.
 *
 * Peak RSS is wait4's ru_maxrss for the direct child. The kernel folds a
 * process's reaped descendants into it as a maximum, not a sum, so it is
 * the largest peak of any single process in the launcher's tree (crun and
 * its container init, QEMU, ...), not their total. Its floor is our own
 * RSS: exec records the high-water mark of the mm it replaces, which after
 * vfork is ours; the report prints that floor, and hut-bench is a static
 * musl program to keep it low (~0.2 MiB; hut itself is ~1.7 MiB).
 *
 * Container launchers on hybrid cgroup hosts (v1 controllers plus a cgroup2
 * mount at /sys/fs/cgroup/unified, as Debian's systemd sets up) need one
 * change: crun refuses to start there ("cgroups in hybrid mode not
 * supported"). The child therefore moves to a private mount namespace (made
 * private first, so nothing propagates back to the host) and lazily
 * unmounts the cgroup2 mount before exec. That is two syscalls in the child
 * instead of an `unshare -m sh -c 'umount ...'` wrapper (two more execs,
 * ~3 ms here), and runc gets the same treatment, so the two compare fairly.
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CGROUP2_MAGIC 0x63677270
#define UNIFIED "/sys/fs/cgroup/unified"

long long bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

int bench_hybrid_cgroups(void)
{
	struct statfs top, unified;
	return statfs("/sys/fs/cgroup", &top) == 0 && top.f_type != CGROUP2_MAGIC &&
	       statfs(UNIFIED, &unified) == 0 && unified.f_type == CGROUP2_MAGIC;
}

long bench_self_rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f && fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = 0;
	if (f)
		fclose(f);
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

struct start {
	const struct bench_launcher *l;
	int out_fd, err_fd;
};

/* The child, on its own stack but in our memory until it execs: only raw
 * system calls, then exec or _exit. */
static int child(void *arg)
{
	const struct start *st = arg;
	const struct bench_launcher *l = st->l;
	int out_fd = st->out_fd, err_fd = st->err_fd;
	/* Its own process group: a timeout kills QEMU and whatever it started. */
	setpgid(0, 0);
	if (l->private_cgroup) {
		if (unshare(CLONE_NEWNS) != 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
		    umount2(UNIFIED, MNT_DETACH) != 0)
			_exit(BENCH_STATUS_NOSTART);
	}
	int null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out_fd < 0 ? null : out_fd, 1) < 0 ||
	    dup2(err_fd < 0 ? null : err_fd, 2) < 0)
		_exit(BENCH_STATUS_NOSTART);
	execv(l->argv.v[0], (char *const *)l->argv.v);
	_exit(BENCH_STATUS_NOSTART);
}

/* The child's stack; it is only used until exec, one child at a time
 * (CLONE_VFORK: we resume once it has exec'd). */
static char child_stack[64 * 1024] __attribute__((aligned(16)));

int bench_start(const struct bench_launcher *l, int out_fd, int err_fd, pid_t *pid, int *pidfd)
{
	struct start st = {l, out_fd, err_fd};
	/* vfork semantics (no copy of our pages, as posix_spawn) plus a pidfd,
	 * which lets poll() wait with a timeout without SIGCHLD handling. */
	*pidfd = -1;
	pid_t p = clone(child, child_stack + sizeof child_stack,
			CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &st, pidfd);
	if (p < 0)
		return -1;
	*pid = p;
	return 0;
}

static int shell_status(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void bench_reap(pid_t pid, int timed_out, long long t0_ns, struct bench_sample *s)
{
	int status = 0;
	struct rusage ru = {0};
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	s->wall_us = (bench_now_ns() - t0_ns + 500) / 1000;
	s->maxrss_kib = ru.ru_maxrss;
	s->status = timed_out ? BENCH_STATUS_TIMEOUT : shell_status(status);
}

void bench_finish(pid_t pid, int pidfd, unsigned timeout_ms, long long t0_ns,
		  struct bench_sample *s)
{
	int timed_out = 0;
	if (pidfd >= 0) {
		struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
		int n;
		while ((n = poll(&pfd, 1, (int)timeout_ms)) < 0 && errno == EINTR)
			;
		if (n == 0) {
			kill(-pid, SIGKILL);
			timed_out = 1;
		}
		close(pidfd);
	}
	bench_reap(pid, timed_out, t0_ns, s);
}

void bench_run_once(const struct bench_launcher *l, int out_fd, int err_fd, unsigned timeout_ms,
		    struct bench_sample *s)
{
	pid_t pid;
	int pidfd;
	long long t0 = bench_now_ns();
	if (bench_start(l, out_fd, err_fd, &pid, &pidfd) != 0) {
		*s = (struct bench_sample){.status = BENCH_STATUS_NOSTART};
		return;
	}
	bench_finish(pid, pidfd, timeout_ms, t0, s);
}
