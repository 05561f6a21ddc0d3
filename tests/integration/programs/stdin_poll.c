/*
 * stdin_poll: whether stdin has input, asked the ways a program asks
 * (stdin.sh): poll, select and epoll with a timeout while nothing came, a
 * non-blocking read then, a poll without a timeout until a line comes, and
 * the end of input once the writer is gone. stdin is a FIFO the test
 * writes a line to when this says "waiting", and closes when it says
 * "close now". Prints what each call said; the same bytes as a process, as
 * an appliance and as a glibc program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

static void say(const char *line)
{
	printf("%s\n", line);
	fflush(stdout);
}

static void show_poll(const char *what, int n, short revents)
{
	printf("%s: %d%s%s%s\n", what, n, revents & POLLIN ? " POLLIN" : "",
	       revents & POLLHUP ? " POLLHUP" : "", revents & POLLERR ? " POLLERR" : "");
}

static void poll_for(const char *what, int ms)
{
	struct pollfd p = {0, POLLIN, 0};
	int n = poll(&p, 1, ms);
	show_poll(what, n, n > 0 ? p.revents : 0);
}

static void select_for(int ms)
{
	fd_set in;
	struct timeval tv = {0, ms * 1000};
	FD_ZERO(&in);
	FD_SET(0, &in);
	int n = select(1, &in, NULL, NULL, &tv);
	printf("select: %d%s\n", n, n > 0 && FD_ISSET(0, &in) ? " readable" : "");
}

static void epoll_for(int ms)
{
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN}, got;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev) < 0) {
		printf("epoll: %s\n", strerror(errno));
		return;
	}
	int n = epoll_wait(ep, &got, 1, ms);
	printf("epoll: %d%s\n", n, n > 0 && (got.events & EPOLLIN) ? " EPOLLIN" : "");
	close(ep);
}

static void read_nonblocking(void)
{
	char buf[64];
	int flags = fcntl(0, F_GETFL);
	fcntl(0, F_SETFL, flags | O_NONBLOCK);
	ssize_t r = read(0, buf, sizeof buf);
	printf("nonblocking read: %zd %s\n", r, r < 0 ? strerror(errno) : "");
	fcntl(0, F_SETFL, flags);
}

static void read_line(void)
{
	char buf[64];
	ssize_t r = read(0, buf, sizeof buf - 1);
	buf[r > 0 ? r : 0] = 0;
	printf("read: %zd %s", r, r > 0 ? buf : "\n");
}

int main(void)
{
	poll_for("poll, nothing yet", 200);
	select_for(200);
	epoll_for(200);
	read_nonblocking();
	say("waiting");
	poll_for("poll until input", -1);
	read_line();
	say("close now");
	poll_for("poll until the writer is gone", -1);
	read_line();
	return 0;
}
