/*
 * --pool SOCKET: the supervisor. It listens on SOCKET (a SOCK_SEQPACKET
 * Unix socket, mode 0600: the pool's user's alone) and keeps --pool-size
 * monitors waiting on it, each forked before it reads the image (the
 * supervisor itself makes no VM, so each child's KVM fds are its own: a VM
 * works only in the process that made it). A child tells the supervisor on
 * a pipe when it is ready and when it took a request; the supervisor then
 * forks its replacement, and lets it go: the taken one belongs to its
 * client from then on, and ends with its guest. SIGTERM or SIGINT ends the
 * pool: the waiting monitors are killed, SOCKET removed; guests serving a
 * client go on.
 * A child that ends before it was ever ready means the pool cannot work
 * (a bad image, snapshot, option): the supervisor ends with its status.
 */
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define POOL_MAX 64

static struct {
	const char *path;
	int listen_fd, note_rd, note_wr;
	unsigned size;
	int pid[POOL_MAX]; /* children not yet taken */
	bool ready[POOL_MAX];
	unsigned waiting, ever_ready;
} pool = {.listen_fd = -1};

/* The handlers note what came on the children's pipe too (pid 0), so
 * that the loop, asleep in read(), never misses one. */
static void on_signal(int sig)
{
	struct hut_pool_note n = {0, sig == SIGCHLD ? 'c' : 's'};
	int saved = errno;
	if (write(pool.note_wr, &n, sizeof n) < 0) {
		/* the pipe is full of notes: the loop reads them soon */
	}
	errno = saved;
}

static _Noreturn void pool_fail(int status, const char *fmt, const char *arg)
{
	fprintf(stderr, "hut-monitor: pool %s: ", pool.path);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(status);
}

/* A socket file left by an earlier pool is replaced; anything else there
 * is refused. */
static void listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	if (strlen(path) >= sizeof sa.sun_path)
		pool_fail(HUT_EXIT_MONITOR, "%s", "the socket's path is too long");
	strcpy(sa.sun_path, path);
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		pool_fail(HUT_EXIT_MONITOR, "%s", "exists and is not a socket");
	unlink(path);
	pool.listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	mode_t old = umask(077); /* 0600 from the start: no window for others */
	int ok =
		pool.listen_fd >= 0 && bind(pool.listen_fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	umask(old);
	if (!ok || listen(pool.listen_fd, 64) < 0)
		pool_fail(HUT_EXIT_MONITOR, "cannot listen (%s)", strerror(errno));
}

/* In the supervisor returns; in the child, returns through main's path. */
static bool spawn(void)
{
	int pid = fork();
	if (pid < 0) {
		fprintf(stderr, "hut-monitor: pool %s: cannot fork (%s)\n", pool.path,
			strerror(errno));
		return true;
	}
	if (pid == 0) {
		hut_trace_restart(); /* its --trace-boot phases are its own */
		signal(SIGCHLD, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		close(pool.note_rd);
		hut_pool_child_init(pool.listen_fd, pool.note_wr);
		return false;
	}
	pool.pid[pool.waiting] = pid;
	pool.ready[pool.waiting++] = false;
	return true;
}

static int find(int pid)
{
	for (unsigned i = 0; i < pool.waiting; i++)
		if (pool.pid[i] == pid)
			return (int)i;
	return -1;
}

static void forget(int i)
{
	pool.pid[i] = pool.pid[pool.waiting - 1];
	pool.ready[i] = pool.ready[pool.waiting - 1];
	pool.waiting--;
}

static void end_pool(int status)
{
	for (unsigned i = 0; i < pool.waiting; i++)
		kill(pool.pid[i], SIGKILL);
	unlink(pool.path);
	exit(status);
}

/* Children that ended: one taken is its client's business; one waiting
 * before any was ever ready ends the pool with its status. */
static bool reap(void)
{
	int st, pid;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		int i = find(pid);
		if (i < 0)
			continue;
		forget(i);
		int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (!pool.ever_ready) {
			fprintf(stderr,
				"hut-monitor: pool %s: a monitor ended (%d) before it was ready\n",
				pool.path, status);
			end_pool(status ? status : HUT_EXIT_MONITOR);
		}
		if (!spawn())
			return false;
	}
	return true;
}

/* A note from a child: ready, or taken (then its replacement is forked). */
static bool note(const struct hut_pool_note *n)
{
	if (n->pid == 0 && n->what == 'c')
		return reap();
	if (n->pid == 0)
		end_pool(0);
	int i = find(n->pid);
	if (i < 0)
		return true;
	if (n->what == 't') {
		forget(i);
		return spawn();
	}
	pool.ready[i] = true;
	if (++pool.ever_ready == pool.size)
		fprintf(stderr, "hut-monitor: pool %s: %u monitors ready\n", pool.path, pool.size);
	return true;
}

void hut_pool_serve(const char *socket_path, unsigned size)
{
	int p[2];
	pool.path = socket_path;
	pool.size = size;
	listen_on(socket_path);
	if (pipe2(p, O_CLOEXEC) < 0)
		pool_fail(HUT_EXIT_MONITOR, "cannot make a pipe (%s)", strerror(errno));
	pool.note_rd = p[0];
	pool.note_wr = p[1];
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
	sigfillset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* The supervisor and the monitors it forks (which inherit it) take
	 * only what is left of the CPU: a monitor serving a request comes
	 * first, also before the fork of its replacement, which would
	 * otherwise run on its core as it starts (measured: 0.12 ms, and a
	 * replacement getting ready starved a taken one for 7.4 ms). A taken
	 * monitor leaves SCHED_IDLE (pool_child.c). */
	struct sched_param idle = {0}; /* musl's wrapper is ENOSYS: the syscall */
	syscall(SYS_sched_setscheduler, 0, SCHED_IDLE, &idle);
	for (unsigned i = 0; i < size; i++)
		if (!spawn())
			return;
	for (;;) {
		struct hut_pool_note n;
		ssize_t got = read(pool.note_rd, &n, sizeof n);
		if (got == (ssize_t)sizeof n && !note(&n))
			return;
		if (got < 0 && errno != EINTR)
			pool_fail(HUT_EXIT_MONITOR, "cannot read its children's notes (%s)",
				  strerror(errno));
	}
}
