/*
 * signalfd (fdkinds.sh): blocked signals read as signalfd_siginfo records
 * (one or several a read), the mask changed on an existing fd, readiness
 * in poll and epoll (a signal that becomes pending, a mask that grows),
 * SFD_NONBLOCK (EAGAIN), SFD_CLOEXEC, a blocking read ended by a thread's
 * kill, and the errnos of bad arguments. Only what glibc on Linux and the
 * appliance share is printed (no pids).
 */
#define _GNU_SOURCE
#include "res.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

static void read_show(const char *what, int fd, size_t room)
{
	struct signalfd_siginfo si[3];
	memset(si, 0, sizeof si);
	long n = read(fd, si, room);
	printf("%s: %s", what, res(n));
	for (long i = 0; n > 0 && i < n / (long)sizeof si[0]; i++)
		printf(" [signo %u code %d]", si[i].ssi_signo, si[i].ssi_code);
	printf("\n");
}

static void *killer(void *arg)
{
	(void)arg;
	usleep(20000);
	kill(getpid(), SIGUSR1);
	return NULL;
}

int main(void)
{
	sigset_t mask, usr1;
	struct epoll_event ev = {.events = EPOLLIN}, out;
	setvbuf(stdout, NULL, _IONBF, 0);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);

	int fd = signalfd(-1, &usr1, SFD_NONBLOCK | SFD_CLOEXEC);
	printf("signalfd: %s\n", fd >= 0 ? "fd" : res(fd));
	printf("cloexec: %d nonblock: %d\n", fcntl(fd, F_GETFD) & FD_CLOEXEC,
	       (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
	read_show("read, nothing pending", fd, sizeof(struct signalfd_siginfo));
	struct pollfd p = {fd, POLLIN, 0};
	SHOW("poll, nothing pending", poll(&p, 1, 0));
	kill(getpid(), SIGUSR1);
	SHOW("poll, SIGUSR1 pending", poll(&p, 1, 0));
	printf("revents: %#x\n", p.revents);
	read_show("read, too small", fd, 100);
	read_show("read", fd, sizeof(struct signalfd_siginfo));
	read_show("read again", fd, sizeof(struct signalfd_siginfo));

	int ep = epoll_create1(0);
	SHOW("epoll_ctl", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	kill(getpid(), SIGUSR2);
	SHOW("epoll_wait, SIGUSR2 not in the mask", epoll_wait(ep, &out, 1, 0));
	SHOW("signalfd: new mask on the fd", signalfd(fd, &mask, 0) == fd);
	SHOW("epoll_wait, mask now has SIGUSR2", epoll_wait(ep, &out, 1, 0));
	kill(getpid(), SIGTERM);
	read_show("read two", fd, 3 * sizeof(struct signalfd_siginfo));
	SHOW("epoll_wait, nothing pending", epoll_wait(ep, &out, 1, 0));
	kill(getpid(), SIGUSR1);
	SHOW("epoll_wait, SIGUSR1 comes", epoll_wait(ep, &out, 1, 100));
	sigset_t pending;
	sigpending(&pending);
	printf("still pending before read: %d\n", sigismember(&pending, SIGUSR1));
	read_show("read", fd, sizeof(struct signalfd_siginfo));
	sigpending(&pending);
	printf("pending after read: %d\n", sigismember(&pending, SIGUSR1));

	int bfd = signalfd(-1, &usr1, 0);
	pthread_t t;
	pthread_create(&t, NULL, killer, NULL);
	read_show("blocking read, a thread kills", bfd, sizeof(struct signalfd_siginfo));
	pthread_join(t, NULL);

	int pipefd[2];
	pipe(pipefd);
	SHOW("signalfd on a pipe", signalfd(pipefd[0], &usr1, 0));
	SHOW("signalfd on a closed fd", signalfd(999, &usr1, 0));
	SHOW("bad flags", signalfd(-1, &usr1, 0x10));
	SHOW("bad mask size", syscall(SYS_signalfd4, -1, &usr1, 4, 0));
	SHOW("bad mask pointer", syscall(SYS_signalfd4, -1, (void *)8, 8, 0));
	SHOW("write", write(fd, "x", 1));
	return 0;
}
