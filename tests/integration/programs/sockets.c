/*
 * The socket API over 127.0.0.1 inside one program, with poll, select,
 * epoll and eventfd over sockets, pipes and eventfds, and sendfile. It
 * prints what each call returned (errnos by name, poll bits in hex, never
 * ports or times), so the same image as a Linux process and as an
 * appliance must print the same bytes (tests/integration/sockets.sh).
 *
 * Usage: sockets FILE   (FILE: any file, sent with sendfile and hashed)
 *        sockets --accept-forever         blocks in accept (for --timeout)
 *        sockets --echo PORT              serves one TCP connection: echoes
 *                                         it, then prints what it got
 *        sockets --send ADDR PORT TEXT    sends TEXT to ADDR:PORT over TCP,
 *                                         shuts down, prints the reply
 *        sockets --cat FILE               prints FILE (/etc/resolv.conf)
 *        sockets --hold PORT HOW          takes one TCP request (a line) and,
 *                                         holding the connection, ends: HOW is
 *                                         exit, unread (exit with 7 bytes of it
 *                                         unread), thread-exit (SYS_exit of the
 *                                         last thread, status 3), abort (SIGABRT's
 *                                         default action), crash (SIGSEGV),
 *                                         wait (until a signal or --timeout), or
 *                                         pending (exit with a connection not
 *                                         yet accepted) (net-close.sh)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "res.h"

#define MIB (1024 * 1024)
#define ALL_POLL_BITS 0x3fff

static int sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ull;
	return h;
}

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int tcp_listener(struct sockaddr_in *where)
{
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loopback(0);
	socklen_t len = sizeof a;
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 16) ||
	    getsockname(l, (struct sockaddr *)where, &len)) {
		perror("listener");
		exit(1);
	}
	return l;
}

/* A connected pair: c (client), *a (accepted). */
static int tcp_pair(int l, const struct sockaddr_in *where, int *a)
{
	int c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (const struct sockaddr *)where, sizeof *where)) {
		perror("connect");
		exit(1);
	}
	*a = accept(l, NULL, NULL);
	if (*a < 0) {
		perror("accept");
		exit(1);
	}
	return c;
}

static int revents(int fd, short events)
{
	struct pollfd p = {fd, events, 0};
	int n = poll(&p, 1, 0);
	return n < 0 ? -1 : p.revents;
}

static void tcp_basics(int l, const struct sockaddr_in *where)
{
	struct sockaddr_in me, peer, name;
	socklen_t len = sizeof me;
	char buf[64];
	int a, c = tcp_pair(l, where, &a);
	printf("listener: family %d addr %s port-set %d\n", where->sin_family,
	       inet_ntoa(where->sin_addr), where->sin_port != 0);
	getsockname(c, (struct sockaddr *)&me, &len);
	len = sizeof peer;
	getpeername(a, (struct sockaddr *)&peer, &len);
	printf("accepted peer is the client: %d (len %u)\n",
	       me.sin_port == peer.sin_port && me.sin_addr.s_addr == peer.sin_addr.s_addr, len);
	len = sizeof name;
	getsockname(a, (struct sockaddr *)&name, &len);
	printf("accepted name is the listener's port: %d, addr %s\n",
	       name.sin_port == where->sin_port, inet_ntoa(name.sin_addr));
	SHOW("write client", write(c, "hello", 5));
	/* Linux delivers loopback data in a softirq, which a loaded machine
	 * defers to ksoftirqd: wait until it is there before counting it. */
	struct pollfd arrived = {.fd = a, .events = POLLIN};
	poll(&arrived, 1, 5000);
	int n = -1;
	SHOW("FIONREAD", ioctl(a, FIONREAD, &n));
	printf("FIONREAD bytes: %d\n", n);
	SHOW("MSG_PEEK", recv(a, buf, 3, MSG_PEEK));
	printf("peeked: %.3s\n", buf);
	SHOW("read server", read(a, buf, sizeof buf));
	printf("got: %.5s\n", buf);
	struct iovec iov[2] = {{"wor", 3}, {"ld!", 3}};
	SHOW("writev server", writev(a, iov, 2));
	char x[2], y[4];
	struct iovec in[2] = {{x, 2}, {y, 4}};
	SHOW("readv client", readv(c, in, 2));
	printf("got: %.2s|%.4s\n", x, y);
	SHOW("recv empty nonblocking", recv(c, buf, 1, MSG_DONTWAIT));
	printf("poll established: %#x\n", revents(c, ALL_POLL_BITS));
	/* shutdown: the peer reads EOF, and may still talk back */
	SHOW("shutdown WR", shutdown(c, SHUT_WR));
	SHOW("write after SHUT_WR (MSG_NOSIGNAL)", send(c, "x", 1, MSG_NOSIGNAL));
	printf("sigpipes: %d\n", sigpipes);
	SHOW("write after SHUT_WR", write(c, "x", 1));
	printf("sigpipes: %d\n", sigpipes);
	printf("poll peer after FIN: %#x\n", revents(a, ALL_POLL_BITS));
	SHOW("read EOF", read(a, buf, sizeof buf));
	SHOW("write back", write(a, "bye", 3));
	SHOW("read back", read(c, buf, sizeof buf));
	SHOW("shutdown WR server", shutdown(a, SHUT_WR));
	printf("poll both shut: %#x %#x\n", revents(a, ALL_POLL_BITS), revents(c, ALL_POLL_BITS));
	SHOW("read EOF client", read(c, buf, sizeof buf));
	close(a);
	close(c);
}

/* 1 MiB each way at once, non-blocking, pumped by poll. */
static void tcp_bulk(int l, const struct sockaddr_in *where)
{
	int a, c = tcp_pair(l, where, &a);
	unsigned char *out = malloc(MIB), *in_a = malloc(MIB), *in_c = malloc(MIB);
	for (size_t i = 0; i < MIB; i++)
		out[i] = (unsigned char)((i * 2654435761u) >> 13);
	fcntl(a, F_SETFL, O_NONBLOCK);
	fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK);
	size_t sent_c = 0, sent_a = 0, got_a = 0, got_c = 0;
	while (got_a < MIB || got_c < MIB) {
		struct pollfd p[2] = {{a, POLLIN | (sent_a < MIB ? POLLOUT : 0), 0},
				      {c, POLLIN | (sent_c < MIB ? POLLOUT : 0), 0}};
		if (poll(p, 2, 5000) <= 0) {
			printf("bulk: poll stalled\n");
			break;
		}
		ssize_t n;
		if ((p[1].revents & POLLOUT) && (n = write(c, out + sent_c, MIB - sent_c)) > 0)
			sent_c += (size_t)n;
		if ((p[0].revents & POLLOUT) && (n = write(a, out + sent_a, MIB - sent_a)) > 0)
			sent_a += (size_t)n;
		if ((p[0].revents & POLLIN) && (n = read(a, in_a + got_a, MIB - got_a)) > 0)
			got_a += (size_t)n;
		if ((p[1].revents & POLLIN) && (n = read(c, in_c + got_c, MIB - got_c)) > 0)
			got_c += (size_t)n;
	}
	printf("bulk: %zu and %zu bytes, hashes %016llx %016llx, same as sent: %d %d\n", got_a,
	       got_c, (unsigned long long)fnv(0xcbf29ce484222325ull, in_a, got_a),
	       (unsigned long long)fnv(0xcbf29ce484222325ull, in_c, got_c),
	       got_a == MIB && !memcmp(in_a, out, MIB), got_c == MIB && !memcmp(in_c, out, MIB));
	free(out), free(in_a), free(in_c);
	close(a);
	close(c);
}

static void tcp_errors(int l, const struct sockaddr_in *where)
{
	struct sockaddr_in gone;
	socklen_t len = sizeof gone;
	int t = socket(AF_INET, SOCK_STREAM, 0), u, fds[2];
	char buf[8];
	SHOW("send unconnected", send(t, "x", 1, MSG_NOSIGNAL));
	SHOW("recv unconnected", recv(t, buf, 1, 0));
	SHOW("shutdown unconnected", shutdown(t, SHUT_WR));
	SHOW("getpeername unconnected", getpeername(t, (struct sockaddr *)&gone, &len));
	SHOW("accept unlistened", accept(t, NULL, NULL));
	printf("poll fresh: %#x\n", revents(t, ALL_POLL_BITS));
	struct sockaddr_in a = *where;
	SHOW("bind in use", bind(t, (struct sockaddr *)&a, sizeof a));
	a.sin_addr.s_addr = inet_addr("192.0.2.99");
	SHOW("bind not local", bind(t, (struct sockaddr *)&a, sizeof a));
	a = loopback(0);
	SHOW("bind short", bind(t, (struct sockaddr *)&a, 8));
	SHOW("bind", bind(t, (struct sockaddr *)&a, sizeof a));
	SHOW("bind twice", bind(t, (struct sockaddr *)&a, sizeof a));
	SHOW("connect listening", connect(l, (const struct sockaddr *)where, sizeof *where));
	SHOW("send listening", send(l, "x", 1, MSG_NOSIGNAL));
	len = sizeof gone;
	getsockname(t, (struct sockaddr *)&gone, &len);
	close(t);
	/* nobody listens on gone's port now */
	u = socket(AF_INET, SOCK_STREAM, 0);
	SHOW("connect refused", connect(u, (struct sockaddr *)&gone, sizeof gone));
	close(u);
	u = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	SHOW("connect refused, non-blocking", connect(u, (struct sockaddr *)&gone, sizeof gone));
	struct pollfd p = {u, POLLOUT, 0};
	SHOW("poll", poll(&p, 1, 5000));
	printf("revents has POLLERR: %d, POLLOUT: %d, POLLHUP: %d\n", !!(p.revents & POLLERR),
	       !!(p.revents & POLLOUT), !!(p.revents & POLLHUP));
	int err = -1;
	len = sizeof err;
	SHOW("SO_ERROR", getsockopt(u, SOL_SOCKET, SO_ERROR, &err, &len));
	printf("SO_ERROR is ECONNREFUSED: %d\n", err == ECONNREFUSED);
	close(u);
	/* a non-blocking connect that works */
	u = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	SHOW("connect non-blocking", connect(u, (const struct sockaddr *)where, sizeof *where));
	p = (struct pollfd){u, POLLOUT, 0};
	SHOW("poll", poll(&p, 1, 5000));
	printf("revents: %#x\n", p.revents);
	err = -1;
	getsockopt(u, SOL_SOCKET, SO_ERROR, &err, &len);
	printf("SO_ERROR: %d\n", err);
	SHOW("connect again", connect(u, (const struct sockaddr *)where, sizeof *where));
	SHOW("connect once more", connect(u, (const struct sockaddr *)where, sizeof *where));
	int v = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	printf("accept4: %d, O_NONBLOCK %d, FD_CLOEXEC %d\n", v >= 0,
	       !!(fcntl(v, F_GETFL) & O_NONBLOCK), !!(fcntl(v, F_GETFD) & FD_CLOEXEC));
	fcntl(l, F_SETFL, O_NONBLOCK);
	SHOW("accept nothing pending", accept(l, NULL, NULL));
	fcntl(l, F_SETFL, 0);
	/* closing with unread data resets the connection */
	SHOW("write", write(u, "unread", 6));
	SHOW("read one byte", read(v, buf, 1));
	close(v);
	SHOW("recv after reset", recv(u, buf, sizeof buf, 0));
	SHOW("recv after that", recv(u, buf, sizeof buf, 0));
	SHOW("send after reset", send(u, "x", 1, MSG_NOSIGNAL));
	close(u);
	pipe(fds);
	SHOW("bind a pipe", bind(fds[0], (struct sockaddr *)&a, sizeof a));
	SHOW("listen bad fd", listen(999, 1));
	close(fds[0]);
	close(fds[1]);
}

static void show_int_opt(const char *name, int fd, int level, int opt)
{
	int v = -1;
	socklen_t len = sizeof v;
	long r = getsockopt(fd, level, opt, &v, &len);
	printf("%s: %s value %d len %u\n", name, res(r), v, len);
}

static void sockopts(void)
{
	int t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0), one = 1;
	int big = 32768;
	show_int_opt("SO_TYPE tcp", t, SOL_SOCKET, SO_TYPE);
	show_int_opt("SO_TYPE udp", u, SOL_SOCKET, SO_TYPE);
	show_int_opt("SO_REUSEADDR", t, SOL_SOCKET, SO_REUSEADDR);
	SHOW("set SO_REUSEADDR", setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	show_int_opt("SO_REUSEADDR", t, SOL_SOCKET, SO_REUSEADDR);
	SHOW("set SO_REUSEPORT", setsockopt(t, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one));
	SHOW("set SO_KEEPALIVE", setsockopt(t, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one));
	show_int_opt("SO_KEEPALIVE", t, SOL_SOCKET, SO_KEEPALIVE);
	SHOW("set TCP_NODELAY", setsockopt(t, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
	show_int_opt("TCP_NODELAY", t, IPPROTO_TCP, TCP_NODELAY);
	SHOW("set SO_RCVBUF", setsockopt(t, SOL_SOCKET, SO_RCVBUF, &big, sizeof big));
	show_int_opt("SO_RCVBUF (Linux doubles it)", t, SOL_SOCKET, SO_RCVBUF);
	SHOW("set SO_SNDBUF", setsockopt(t, SOL_SOCKET, SO_SNDBUF, &big, sizeof big));
	show_int_opt("SO_SNDBUF", t, SOL_SOCKET, SO_SNDBUF);
	struct linger lg = {1, 5}, got = {0, 0};
	socklen_t len = sizeof got;
	SHOW("set SO_LINGER", setsockopt(t, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
	SHOW("get SO_LINGER", getsockopt(t, SOL_SOCKET, SO_LINGER, &got, &len));
	printf("linger %d %d len %u\n", got.l_onoff, got.l_linger, len);
	show_int_opt("SO_ERROR", t, SOL_SOCKET, SO_ERROR);
	show_int_opt("SO_ACCEPTCONN", t, SOL_SOCKET, SO_ACCEPTCONN);
	char small = 0;
	len = 1;
	SHOW("get SO_TYPE into 1 byte", getsockopt(t, SOL_SOCKET, SO_TYPE, &small, &len));
	printf("byte %d len %u\n", small, len);
	SHOW("unknown option", setsockopt(t, SOL_SOCKET, 9999, &one, sizeof one));
	SHOW("unknown level", setsockopt(t, 255, 1, &one, sizeof one));
	SHOW("short optlen", setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, 2));
	SHOW("TCP option on UDP", setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
	SHOW("getsockopt on a pipe", getsockopt(0, SOL_SOCKET, SO_TYPE, &one, &len));
	close(t);
	close(u);
}

static void udp(void)
{
	int r = socket(AF_INET, SOCK_DGRAM, 0), s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = loopback(0), from, sname;
	socklen_t len = sizeof a;
	char buf[64];
	bind(r, (struct sockaddr *)&a, sizeof a);
	getsockname(r, (struct sockaddr *)&a, &len);
	SHOW("udp send no address", send(s, "x", 1, 0));
	SHOW("udp listen", listen(r, 1));
	SHOW("udp getpeername", getpeername(s, (struct sockaddr *)&from, &len));
	printf("udp poll idle: %#x\n", revents(r, ALL_POLL_BITS));
	SHOW("sendto", sendto(s, "datagram-one", 12, 0, (struct sockaddr *)&a, sizeof a));
	SHOW("sendto", sendto(s, "two", 3, 0, (struct sockaddr *)&a, sizeof a));
	struct pollfd arrived = {.fd = r, .events = POLLIN};
	poll(&arrived, 1, 5000); /* as above: a loaded Linux may deliver later */
	printf("udp poll ready: %#x\n", revents(r, ALL_POLL_BITS));
	int n = -1;
	ioctl(r, FIONREAD, &n);
	printf("FIONREAD (the next datagram): %d\n", n);
	SHOW("MSG_PEEK", recv(r, buf, sizeof buf, MSG_PEEK));
	len = sizeof from;
	SHOW("recvfrom", recvfrom(r, buf, sizeof buf, 0, (struct sockaddr *)&from, &len));
	len = sizeof sname;
	getsockname(s, (struct sockaddr *)&sname, &len);
	printf("from the sender: %d, %s, len %u: %.12s\n", from.sin_port == sname.sin_port,
	       inet_ntoa(from.sin_addr), len, buf);
	struct iovec iov = {buf, 2};
	struct msghdr m = {
		.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1};
	SHOW("recvmsg into 2 bytes", recvmsg(r, &m, 0));
	printf("msg_flags MSG_TRUNC: %d, namelen %u, data %.2s\n", !!(m.msg_flags & MSG_TRUNC),
	       m.msg_namelen, buf);
	SHOW("recv empty", recv(r, buf, sizeof buf, MSG_DONTWAIT));
	SHOW("connect", connect(s, (struct sockaddr *)&a, sizeof a));
	struct iovec parts[2] = {{"con", 3}, {"nected", 6}};
	struct msghdr sm = {.msg_iov = parts, .msg_iovlen = 2};
	SHOW("sendmsg connected", sendmsg(s, &sm, 0));
	SHOW("recv with MSG_TRUNC", recv(r, buf, 4, MSG_TRUNC));
	SHOW("getpeername connected", getpeername(s, (struct sockaddr *)&from, &len));
	printf("peer is the receiver: %d\n", from.sin_port == a.sin_port);
	close(r);
	close(s);
}

static void eventfds(void)
{
	uint64_t v = 0;
	int e = eventfd(3, EFD_NONBLOCK);
	printf("eventfd poll: %#x\n", revents(e, ALL_POLL_BITS));
	SHOW("read", read(e, &v, sizeof v));
	printf("value %llu\n", (unsigned long long)v);
	SHOW("read empty", read(e, &v, sizeof v));
	printf("eventfd poll empty: %#x\n", revents(e, ALL_POLL_BITS));
	SHOW("read short buffer", read(e, &v, 4));
	v = UINT64_MAX;
	SHOW("write 2^64-1", write(e, &v, sizeof v));
	v = UINT64_MAX - 1;
	SHOW("write 2^64-2", write(e, &v, sizeof v));
	v = 1;
	SHOW("write over the top", write(e, &v, sizeof v));
	printf("eventfd poll full: %#x\n", revents(e, ALL_POLL_BITS));
	close(e);
	e = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
	printf("semaphore: %s", res(read(e, &v, sizeof v)));
	printf(" %llu", (unsigned long long)v);
	printf(" %s", res(read(e, &v, sizeof v)));
	printf(" %llu", (unsigned long long)v);
	printf(" %s\n", res(read(e, &v, sizeof v)));
	printf("FD_CLOEXEC %d\n", !!(fcntl(e, F_GETFD) & FD_CLOEXEC));
	close(e);
	SHOW("eventfd bad flags", eventfd(0, 0x10));
}

/* epoll over a pipe, an eventfd and a socket pair. */
static void epolls(int l, const struct sockaddr_in *where)
{
	int fds[2], a, c = tcp_pair(l, where, &a), e = eventfd(0, EFD_NONBLOCK);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev, got[8];
	char buf[16];
	uint64_t one = 1;
	pipe(fds);
	ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = 1};
	SHOW("ctl add pipe (LT)", epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev));
	SHOW("ctl add again", epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev));
	ev = (struct epoll_event){.events = EPOLLIN | EPOLLET, .data.u64 = 2};
	SHOW("ctl add eventfd (ET)", epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev));
	ev = (struct epoll_event){.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.u64 = 3};
	SHOW("ctl add socket (ONESHOT)", epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev));
	SHOW("ctl add itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
	SHOW("ctl del missing", epoll_ctl(ep, EPOLL_CTL_DEL, fds[1], &ev));
	SHOW("ctl mod missing", epoll_ctl(ep, EPOLL_CTL_MOD, fds[1], &ev));
	SHOW("ctl bad op", epoll_ctl(ep, 99, fds[1], &ev));
	int f = open("/", O_RDONLY | O_DIRECTORY);
	SHOW("ctl add a directory", epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev));
	close(f);
	SHOW("wait, nothing", epoll_wait(ep, got, 8, 0));
	write(fds[1], "p", 1);
	write(e, &one, sizeof one);
	write(c, "s", 1);
	for (int round = 0; round < 2; round++) {
		int n = epoll_wait(ep, got, 8, 1000);
		printf("wait %d: %d:", round, n);
		for (int i = 0; i < n; i++)
			printf(" [%llu %#x]", (unsigned long long)got[i].data.u64, got[i].events);
		printf("\n");
	}
	/* ET: new data is a new edge even if the old was not read */
	write(e, &one, sizeof one);
	int n = epoll_wait(ep, got, 8, 0);
	printf("eventfd written again: %d [%llu]\n", n,
	       n > 0 ? (unsigned long long)got[0].data.u64 : 0);
	read(fds[0], buf, 1);
	SHOW("wait, pipe drained", epoll_wait(ep, got, 8, 0));
	ev = (struct epoll_event){.events = EPOLLIN | EPOLLRDHUP, .data.u64 = 3};
	SHOW("ctl mod socket (rearm)", epoll_ctl(ep, EPOLL_CTL_MOD, a, &ev));
	n = epoll_wait(ep, got, 8, 0);
	printf("rearmed: %d [%llu %#x]\n", n, n > 0 ? (unsigned long long)got[0].data.u64 : 0,
	       n > 0 ? got[0].events : 0);
	read(a, buf, sizeof buf);
	shutdown(c, SHUT_WR);
	n = epoll_wait(ep, got, 8, 1000);
	printf("after FIN: %d [%llu %#x]\n", n, n > 0 ? (unsigned long long)got[0].data.u64 : 0,
	       n > 0 ? got[0].events : 0);
	SHOW("ctl del socket", epoll_ctl(ep, EPOLL_CTL_DEL, a, NULL));
	/* an epoll inside an epoll, and a watch that goes with its file */
	int outer = epoll_create(1);
	ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = 9};
	SHOW("ctl add epoll in epoll", epoll_ctl(outer, EPOLL_CTL_ADD, ep, &ev));
	SHOW("ctl add the loop", epoll_ctl(ep, EPOLL_CTL_ADD, outer, &ev));
	write(fds[1], "q", 1);
	n = epoll_wait(outer, got, 8, 0);
	printf("outer: %d [%llu %#x]\n", n, n > 0 ? (unsigned long long)got[0].data.u64 : 0,
	       n > 0 ? got[0].events : 0);
	close(fds[0]);
	SHOW("inner after its pipe closed", epoll_wait(ep, got, 8, 0));
	SHOW("wait on a non-epoll", epoll_wait(fds[1], got, 8, 0));
	SHOW("wait maxevents 0", epoll_wait(ep, got, 0, 0));
	close(outer);
	close(ep);
	close(fds[1]);
	close(e);
	close(a);
	close(c);
}

/* One epoll_wait with timeout 0: what it reported, in its order. */
static void show_wait(const char *what, int ep, int max)
{
	struct epoll_event got[8];
	int n = epoll_wait(ep, got, max, 0);
	printf("%s: %d:", what, n);
	for (int i = 0; i < n; i++)
		printf(" [%llu %#x]", (unsigned long long)got[i].data.u64, got[i].events);
	printf("\n");
}

/* Serves one event at a time (maxevents 1) until nothing is ready: a
 * request is read, an EOF closes the connection. */
static void serve_in_order(int ep, const int *a)
{
	struct epoll_event ev;
	char buf[16];
	while (epoll_wait(ep, &ev, 1, 0) == 1) {
		int i = (int)ev.data.u64 - 1;
		ssize_t n = read(a[i], buf, sizeof buf);
		printf("  served %d: %s\n", i + 1, n > 0 ? "a request" : n == 0 ? "EOF" : res(n));
		if (n == 0)
			epoll_ctl(ep, EPOLL_CTL_DEL, a[i], NULL);
	}
}

/* epoll reports in the order things happened, as Linux's ready list does,
 * not in the order the watches were added: requests on connections 3, 1, 2
 * come out 3, 1, 2; a level-triggered watch still ready goes to the back
 * (maxevents 1 takes turns); a peer's FIN is in line with the requests, so
 * a server sees a connection closed before it serves a later request. */
static void epoll_order(int l, const struct sockaddr_in *where)
{
	int c[3], a[3], ep = epoll_create1(0);
	const int order[3] = {2, 0, 1};
	struct epoll_event ev;
	char buf[16];
	for (int i = 0; i < 3; i++) {
		c[i] = tcp_pair(l, where, &a[i]);
		/* A second small write waits for the first one's ack under
		 * Nagle, and lwIP delays that ack where Linux's loopback acks
		 * at once: without NODELAY it would come 250 ms late. */
		setsockopt(c[i], IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
		ev = (struct epoll_event){.events = EPOLLIN | EPOLLRDHUP,
					  .data.u64 = (uint64_t)i + 1};
		epoll_ctl(ep, EPOLL_CTL_ADD, a[i], &ev);
	}
	for (int i = 0; i < 3; i++)
		write(c[order[i]], "r", 1);
	show_wait("requests on 3, 1, 2", ep, 8);
	for (int i = 0; i < 4; i++)
		show_wait("unread, one at a time", ep, 1);
	for (int i = 0; i < 3; i++)
		read(a[i], buf, sizeof buf);
	show_wait("all read", ep, 8);
	close(c[1]);
	write(c[0], "r", 1);
	show_wait("FIN on 2, then a request on 1", ep, 8);
	write(c[2], "r", 1);
	printf("then a request on 3, served one at a time:\n");
	serve_in_order(ep, a);
	close(ep);
	for (int i = 0; i < 3; i++) {
		close(a[i]);
		if (i != 1)
			close(c[i]);
	}
}

/* poll and select over a pipe, an eventfd and a socket. */
static void polls(int l, const struct sockaddr_in *where)
{
	int fds[2], a, c = tcp_pair(l, where, &a), e = eventfd(0, 0);
	pipe(fds);
	write(fds[1], "x", 1);
	struct pollfd p[5] = {{fds[0], POLLIN, 0},
			      {fds[1], POLLOUT, 0},
			      {e, POLLIN, 0},
			      {a, POLLIN | POLLOUT, 0},
			      {-1, POLLIN, 0}};
	SHOW("poll", poll(p, 5, 0));
	for (int i = 0; i < 5; i++)
		printf(" %#x", p[i].revents);
	printf("\n");
	struct pollfd bad = {999, POLLIN, 0};
	SHOW("poll bad fd", poll(&bad, 1, 0));
	printf(" revents %#x\n", bad.revents);
	SHOW("poll timeout", poll(p + 2, 1, 20));
	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(fds[0], &r);
	FD_SET(e, &r);
	FD_SET(c, &r);
	FD_SET(c, &w);
	int maxfd = fds[0] > e ? fds[0] : e;
	maxfd = maxfd > c ? maxfd : c;
	struct timeval tv = {0, 0};
	SHOW("select", select(maxfd + 1, &r, &w, NULL, &tv));
	printf("read set: pipe %d eventfd %d socket %d; write set: socket %d\n",
	       FD_ISSET(fds[0], &r), FD_ISSET(e, &r), FD_ISSET(c, &r), FD_ISSET(c, &w));
	FD_ZERO(&r);
	FD_SET(e, &r);
	struct timespec ts = {0, 10000000};
	sigset_t none;
	sigemptyset(&none);
	SHOW("pselect timeout", pselect(e + 1, &r, NULL, NULL, &ts, &none));
	FD_ZERO(&r);
	FD_SET(50, &r); /* inside Linux's smallest fd table, so it is checked */
	SHOW("select bad fd", select(51, &r, NULL, NULL, &tv));
	struct timespec zero = {0, 0};
	SHOW("ppoll", ppoll(p, 1, &zero, &none));
	close(fds[0]);
	printf("poll write end, reader gone: %#x\n", revents(fds[1], ALL_POLL_BITS));
	close(fds[1]);
	close(e);
	close(a);
	close(c);
}

static void sendfiles(int l, const struct sockaddr_in *where, const char *path)
{
	int a, c = tcp_pair(l, where, &a), f = open(path, O_RDONLY);
	struct stat st;
	if (f < 0 || fstat(f, &st)) {
		perror(path);
		exit(1);
	}
	fcntl(a, F_SETFL, O_NONBLOCK);
	/* the file's bytes to the socket, read on the other side as they come */
	off_t sent = 0, got = 0;
	uint64_t h = 0xcbf29ce484222325ull;
	char buf[4096];
	int calls = 0;
	while (got < st.st_size && calls < 100000) {
		calls++;
		if (sent < st.st_size) {
			fcntl(c, F_SETFL, O_NONBLOCK);
			ssize_t n = sendfile(c, f, NULL, (size_t)(st.st_size - sent));
			if (n > 0)
				sent += n;
		}
		ssize_t n = read(a, buf, sizeof buf);
		if (n > 0) {
			h = fnv(h, buf, (size_t)n);
			got += n;
		} else {
			struct pollfd p = {a, POLLIN, 0};
			poll(&p, 1, 1000);
		}
	}
	printf("sendfile: %lld bytes, hash %016llx, file position %lld\n", (long long)got,
	       (unsigned long long)h, (long long)lseek(f, 0, SEEK_CUR));
	/* with an offset: the file position stays */
	off_t off = 10;
	lseek(f, 0, SEEK_SET);
	fcntl(c, F_SETFL, 0);
	SHOW("sendfile at offset 10", sendfile(c, f, &off, 5));
	printf("offset now %lld, position %lld\n", (long long)off,
	       (long long)lseek(f, 0, SEEK_CUR));
	/* file to file, in /tmp */
	char tmp[] = "/tmp/hut-sockets-XXXXXX";
	int t = mkstemp(tmp);
	off = 0;
	SHOW("sendfile file to file", sendfile(t, f, &off, 1000));
	printf("copy size %lld\n", (long long)lseek(t, 0, SEEK_END));
	SHOW("sendfile from a socket", sendfile(t, a, NULL, 10));
	unlink(tmp);
	close(t);
	close(f);
	close(a);
	close(c);
}

static int accept_forever(void)
{
	struct sockaddr_in where;
	int l = tcp_listener(&where);
	printf("listening\n");
	return accept(l, NULL, NULL) < 0;
}

static int echo_once(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	char buf[4096];
	size_t total = 0;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1)) {
		perror("echo: bind/listen");
		return 1;
	}
	printf("listening\n");
	int c = accept(l, NULL, NULL);
	for (ssize_t n; c >= 0 && (n = read(c, buf, sizeof buf)) > 0; total += (size_t)n)
		if (write(c, buf, (size_t)n) != n)
			return 1;
	printf("echoed %zu bytes\n", total);
	close(c);
	return 0;
}

static int send_text(const char *addr, int port, const char *text)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int s = socket(AF_INET, SOCK_STREAM, 0);
	char buf[4096];
	a.sin_addr.s_addr = inet_addr(addr);
	if (connect(s, (struct sockaddr *)&a, sizeof a)) {
		printf("connect: %s\n", res(-1));
		return 1;
	}
	size_t len = strlen(text), got = 0;
	if (write(s, text, len) != (ssize_t)len || shutdown(s, SHUT_WR))
		return 1;
	for (ssize_t n; got < sizeof buf && (n = read(s, buf + got, sizeof buf - got)) > 0;)
		got += (size_t)n;
	printf("reply: %.*s\n", (int)got, buf);
	return 0;
}

/* Ends as HOW says, holding connection c (whose request, 8 bytes, is read
 * or not), as net-close.sh's client waits on it for a reply. */
static int end_holding(int c, const char *how)
{
	char buf[16];
	int n = 0;
	if (!strcmp(how, "unread")) {
		while (ioctl(c, FIONREAD, &n) == 0 && n < 8)
			usleep(10000);
		read(c, buf, 1);
	} else {
		for (size_t got = 0; got < 8 && (n = (int)read(c, buf + got, 8 - got)) > 0;)
			got += (size_t)n;
	}
	printf("got the request\n");
	if (!strcmp(how, "thread-exit"))
		syscall(SYS_exit, 3);
	if (!strcmp(how, "abort"))
		abort();
	if (!strcmp(how, "crash")) {
		int *volatile nowhere = NULL; /* a fault, not a raise(): the CPU's */
		*nowhere = 1;
	}
	if (!strcmp(how, "wait"))
		for (;;)
			pause();
	return 0;
}

static int hold(int port, const char *how)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 4)) {
		perror("hold: bind/listen");
		return 1;
	}
	printf("listening\n");
	if (!strcmp(how, "pending")) {
		struct pollfd p = {l, POLLIN, 0};
		poll(&p, 1, -1);
		usleep(200000); /* the client's request is in */
		printf("a connection waits\n");
		return 0;
	}
	return end_holding(accept(l, NULL, NULL), how);
}

static int cat(const char *path)
{
	char buf[4096];
	int f = open(path, O_RDONLY);
	if (f < 0) {
		perror(path);
		return 1;
	}
	for (ssize_t n; (n = read(f, buf, sizeof buf)) > 0;)
		fwrite(buf, 1, (size_t)n, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in where;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 2 && !strcmp(argv[1], "--accept-forever"))
		return accept_forever();
	if (argc == 3 && !strcmp(argv[1], "--echo"))
		return echo_once(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "--send"))
		return send_text(argv[2], atoi(argv[3]), argv[4]);
	if (argc == 3 && !strcmp(argv[1], "--cat"))
		return cat(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "--hold"))
		return hold(atoi(argv[2]), argv[3]);
	if (argc != 2) {
		fprintf(stderr, "usage: sockets FILE\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, on_sigpipe);
	int l = tcp_listener(&where);
	printf("== tcp\n");
	tcp_basics(l, &where);
	printf("== bulk\n");
	tcp_bulk(l, &where);
	printf("== errors\n");
	tcp_errors(l, &where);
	printf("== sockopts\n");
	sockopts();
	printf("== udp\n");
	udp();
	printf("== eventfd\n");
	eventfds();
	printf("== epoll\n");
	epolls(l, &where);
	printf("== epoll order\n");
	epoll_order(l, &where);
	printf("== poll, select\n");
	polls(l, &where);
	printf("== sendfile\n");
	sendfiles(l, &where, argv[1]);
	close(l);
	printf("== done\n");
	return 0;
}
