/*
 * hut-monitor --pool-run SOCKET [OPTIONS]: starts a guest from a pool
 * (pool.h). It sends the per-instance options and its stdin, stdout and
 * stderr (and --net fd=N's fd) to one of the pool's waiting monitors, then
 * waits for the guest's end and exits with the same status a monitor of
 * its own would have. Meanwhile the signals a monitor passes on to its
 * guest (SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM) are passed on
 * to the pooled monitor; if this process ends first, the pooled monitor
 * ends its guest.
 */
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int conn = -1;
static const int passed_on[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM};

static _Noreturn void run_fail(const char *fmt, const char *arg)
{
	fputs("hut-monitor: --pool-run: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(HUT_EXIT_MONITOR);
}

static void on_signal(int sig)
{
	int32_t s = sig;
	if (send(conn, &s, sizeof s, MSG_NOSIGNAL) < 0) {
		/* the pooled monitor is gone: its status (or EOF) is next */
	}
}

static void connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sa.sun_path)
		run_fail("the socket's path is too long: %s", path);
	strcpy(sa.sun_path, path);
	conn = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (conn < 0 || connect(conn, (struct sockaddr *)&sa, sizeof sa) < 0) {
		char why[PATH_MAX + 64];
		snprintf(why, sizeof why, "%s (%s)", path, strerror(errno));
		run_fail("cannot reach the pool at %s", why);
	}
}

/* --net fd=N: N, else -1. */
static int net_fd(int argc, char **argv)
{
	for (int i = 2; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--net") && !strncmp(argv[i + 1], "fd=", 3)) {
			char *end;
			long fd = strtol(argv[i + 1] + 3, &end, 10);
			if (*end || end == argv[i + 1] + 3 || fd < 0 || fd > 1 << 20)
				run_fail("--net fd=N takes a descriptor number, not '%s'",
					 argv[i + 1]);
			if (fcntl((int)fd, F_GETFD) < 0)
				run_fail("--net %s: not an open descriptor", argv[i + 1]);
			return (int)fd;
		}
	return -1;
}

static void send_request(int argc, char **argv)
{
	static char msg[HUT_POOL_MSG_MAX];
	struct hut_pool_request h = {HUT_POOL_MAGIC, HUT_POOL_VERSION, (uint32_t)(argc - 3), 3};
	if (argc - 3 > HUT_POOL_ARGS_MAX)
		run_fail("%s", "too many options");
	size_t len = sizeof h;
	for (int i = 3; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;
		if (len + n > sizeof msg)
			run_fail("%s", "the options are too long");
		memcpy(msg + len, argv[i], n);
		len += n;
	}
	int fds[4] = {0, 1, 2, net_fd(argc, argv)};
	if (fds[3] >= 0)
		h.nfds = 4;
	memcpy(msg, &h, sizeof h);
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} control;
	memset(&control, 0, sizeof control);
	struct iovec iov = {msg, len};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = control.buf,
			   .msg_controllen = CMSG_SPACE(h.nfds * sizeof(int))};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(h.nfds * sizeof(int));
	memcpy(CMSG_DATA(c), fds, h.nfds * sizeof(int));
	if (sendmsg(conn, &m, MSG_NOSIGNAL) != (ssize_t)len)
		run_fail("cannot send the request (%s)", strerror(errno));
}

_Noreturn void hut_pool_run(int argc, char **argv)
{
	if (argc < 3)
		run_fail("%s", "needs the pool's SOCKET (hut-monitor --pool-run SOCKET [OPTIONS])");
	net_fd(argc, argv); /* checked before the pool sees anything */
	connect_to(argv[2]);
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof passed_on / sizeof *passed_on; i++)
		sigaction(passed_on[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	send_request(argc, argv);
	struct hut_pool_status s;
	ssize_t n;
	do
		n = recv(conn, &s, sizeof s, 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof s || s.magic != HUT_POOL_MAGIC || s.status < 0 || s.status > 255)
		run_fail("%s", "the pooled monitor ended without saying how");
	exit(s.status);
}
