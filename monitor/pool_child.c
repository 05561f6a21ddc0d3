/*
 * A pooled monitor's side of a request (pool.h). Made ready (the machine,
 * the snapshot's memory), it says so to the supervisor and waits in
 * accept() on the pool's socket; the kernel gives each connection to one
 * waiting monitor. The request is hostile input, though from the pool's
 * own user: its size, fds and strings are checked before use, and its
 * options go through the usual parser, where only per-instance ones are
 * allowed (main.c). The connection is kept: the guest's end is reported on
 * it, and a thread of its own (under its own filter) passes the client's
 * signals on to the monitor, as if they had been sent to it, and ends the
 * guest when the client goes. That thread is made before the request (the
 * module's ready hook), its filter on the fd number the connection then
 * takes, and waits until main lets it read, where a monitor's own signal
 * handlers are set (hut_pool_watch_client).
 */
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static struct {
	int listen_fd, note_fd, conn;
	int watched; /* the fd number the watcher reads: the connection's; held
		      * from before the request once the watcher is made (ready) */
	int go;	     /* the watcher may read (a futex word) */
	pid_t pid;   /* this monitor's: its filter allows no getpid */
	char msg[HUT_POOL_MSG_MAX + 1];
	char *argv[HUT_POOL_ARGS_MAX + 2];
	char net_fd_arg[32];
	pthread_t watcher;
} child = {.listen_fd = -1, .note_fd = -1, .conn = -1, .watched = -1};

void hut_pool_child_init(int listen_fd, int note_fd)
{
	child.listen_fd = listen_fd;
	child.note_fd = note_fd;
}

static void tell(char what)
{
	struct hut_pool_note n = {(int)getpid(), what};
	if (write(child.note_fd, &n, sizeof n) != (ssize_t)sizeof n)
		_exit(HUT_EXIT_MONITOR); /* the supervisor is gone: so is the pool */
}

/* The fds SCM_RIGHTS brought (at most 4), or -1 if the message had others. */
static int fds_of(struct msghdr *m, int *fds)
{
	int n = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			return -1;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t j = 0; j < k; j++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + j * sizeof fd, sizeof fd);
			if (n < 4)
				fds[n++] = fd;
			else
				close(fd);
		}
	}
	return n;
}

static _Noreturn void refuse(struct hut_vm *vm, const char *why)
{
	hut_fail(vm, HUT_EXIT_MONITOR, "pool: a bad request: %s", why);
}

/* The options, each NUL-terminated, within the message; --net fd=N names
 * the fourth fd passed. */
static int split_options(struct hut_vm *vm, const struct hut_pool_request *h, size_t len,
			 int net_fd)
{
	char *p = child.msg + sizeof *h, *end = child.msg + len;
	child.argv[0] = "pool-request";
	for (uint32_t i = 0; i < h->argc; i++) {
		char *nul = memchr(p, 0, (size_t)(end - p));
		if (!nul)
			refuse(vm, "an option is not terminated");
		child.argv[i + 1] = p;
		if (!strncmp(p, "fd=", 3) && i > 0 && !strcmp(child.argv[i], "--net")) {
			if (net_fd < 0)
				refuse(vm, "--net fd=N without the fd");
			snprintf(child.net_fd_arg, sizeof child.net_fd_arg, "fd=%d", net_fd);
			child.argv[i + 1] = child.net_fd_arg;
		}
		p = nul + 1;
	}
	child.argv[h->argc + 1] = NULL;
	return (int)h->argc + 1;
}

/* stdio is the client's from here on: messages go to its stderr. */
static void take_stdio(struct hut_vm *vm, const int *fds)
{
	for (int i = 0; i < 3; i++) {
		if (dup2(fds[i], i) < 0)
			refuse(vm, "its stdio cannot be used");
		close(fds[i]);
	}
}

void hut_pool_take_request(struct hut_vm *vm, int *argc, char ***argv)
{
	tell('r');
	do
		child.conn = accept4(child.listen_fd, NULL, NULL, SOCK_CLOEXEC);
	while (child.conn < 0 && errno == EINTR);
	if (child.conn < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "pool: accept failed (%s)", strerror(errno));
	if (child.watched >= 0) { /* onto the number the watcher's filter names */
		if (dup3(child.conn, child.watched, O_CLOEXEC) < 0)
			hut_fail(vm, HUT_EXIT_MONITOR, "pool: cannot move the connection's fd (%s)",
				 strerror(errno));
		close(child.conn);
		child.conn = child.watched;
	}
	/* Ready at SCHED_IDLE (pool_serve.c); serving, as any process, and
	 * before the supervisor hears of it: its fork of a replacement would
	 * otherwise starve this one (measured: 7.4 ms before its next syscall). */
	struct sched_param normal = {0};
	if (syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &normal) < 0)
		fprintf(stderr, "hut-monitor: pool: cannot leave SCHED_IDLE (%s)\n",
			strerror(errno));
	tell('t');
	hut_end_report_set(hut_pool_report);
	close(child.listen_fd);
	close(child.note_fd);
	int fds[4] = {-1, -1, -1, -1};
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {child.msg, HUT_POOL_MSG_MAX};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = control.buf,
			   .msg_controllen = sizeof control.buf};
	ssize_t len = recvmsg(child.conn, &m, MSG_CMSG_CLOEXEC);
	int nfds = len < 0 ? -1 : fds_of(&m, fds);
	if (nfds >= 3)
		take_stdio(vm, fds);
	struct hut_pool_request h;
	if (len < (ssize_t)sizeof h || (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		refuse(vm, "not one whole message");
	memcpy(&h, child.msg, sizeof h);
	if (h.magic != HUT_POOL_MAGIC || h.version != HUT_POOL_VERSION)
		refuse(vm, "not a request of this hut-monitor's");
	if (nfds < 3 || (uint32_t)nfds != h.nfds || h.argc > HUT_POOL_ARGS_MAX)
		refuse(vm, "its fds or option count");
	*argc = split_options(vm, &h, (size_t)len, nfds == 4 ? fds[3] : -1);
	*argv = child.argv;
}

/* The client's signals, as if sent to this monitor; its end, SIGKILL. */
static void *watch(void *arg)
{
	struct hut_vm *vm = arg;
	const struct hut_seccomp_rule rules[] = {
		HUT_ALLOW_ARG(SYS_read, 0, child.watched),	 /* the client's notes */
		HUT_ALLOW_ARG(SYS_kill, 0, (uint64_t)child.pid), /* to this monitor only */
		HUT_ALLOW(SYS_futex),				 /* waiting for its go */
	};
	if (!vm->opt->no_sandbox)
		hut_sandbox_thread(vm, rules, sizeof rules / sizeof rules[0]);
	while (!__atomic_load_n(&child.go, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &child.go, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	for (;;) {
		int32_t sig;
		ssize_t n = read(child.watched, &sig, sizeof sig);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof sig) /* gone, or nonsense: the guest goes too */
			kill(child.pid, SIGKILL);
		else if (sig == SIGHUP || sig == SIGINT || sig == SIGQUIT || sig == SIGUSR1 ||
			 sig == SIGUSR2 || sig == SIGTERM)
			kill(child.pid, sig);
	}
	return NULL;
}

void hut_pool_watch_client(struct hut_vm *vm)
{
	if (child.conn < 0)
		return;
	__atomic_store_n(&child.go, 1, __ATOMIC_SEQ_CST);
	if (child.watched >= 0) { /* made before the request */
		syscall(SYS_futex, &child.go, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		return;
	}
	child.pid = getpid();
	child.watched = child.conn;
	hut_device_thread(vm, &child.watcher, 64 << 10, watch, "pool");
}

/* Before the request: the watcher made, on a placeholder's fd number. */
static void pool_ready(struct hut_vm *vm)
{
	child.pid = getpid();
	child.watched = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (child.watched < 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "pool: cannot hold an fd for the connection (%s)",
			 hut_limit_text(errno));
	hut_device_thread(vm, &child.watcher, 64 << 10, watch, "pool");
}

void hut_pool_report(int status)
{
	if (child.conn < 0)
		return;
	struct hut_pool_status s = {HUT_POOL_MAGIC, status};
	if (write(child.conn, &s, sizeof s) < 0) {
		/* the client is gone: nobody to tell */
	}
}

/* The connection kept past the sandbox, and written to at the end. */
static void pool_keep(const struct hut_vm *vm, struct hut_kept_fds *k)
{
	(void)vm;
	hut_keep_fds(k, child.conn, child.conn);
}

static void pool_seccomp(const struct hut_vm *vm, struct hut_seccomp *f)
{
	(void)vm;
	if (child.conn < 0)
		return;
	const struct hut_seccomp_rule rules[] = {
		HUT_ALLOW_ARG(SYS_write, 0, child.conn), /* the guest's end, to the client */
	};
	hut_seccomp_allow(f, rules, sizeof rules / sizeof rules[0]);
}

/* A module for the sandbox's hooks only: nothing of it exists outside a
 * pool's monitor serving a request. */
const struct hut_module hut_module_pool = {
	.name = "pool",
	.keep_fds = pool_keep,
	.seccomp = pool_seccomp,
	.ready = pool_ready,
};
