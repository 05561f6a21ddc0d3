/*
 * AF_UNIX sockets and socketpair inside one program: stream, datagram and
 * seqpacket pairs; a threaded server on a tmpfs path and on an abstract
 * name; datagrams with their senders' names; EOF, EPIPE, SIGPIPE and
 * MSG_NOSIGNAL; non-blocking calls; poll and epoll readiness; SCM_RIGHTS
 * passing a pipe end and a tmpfs file between threads; names, SO_PEERCRED,
 * FIONREAD; the errors. It prints what each call returned (errnos by name,
 * poll bits in hex, never fds, pids or paths), so the same image as a Linux
 * process and as an appliance must print the same bytes
 * (tests/integration/unix-sockets.sh).
 *
 * Built twice: unix_sockets.hut (all of it) and, with -DPAIR_ONLY,
 * unix_pair.hut, which calls socketpair but never socket() and so must
 * link no network stack.
 *
 * Usage: unix_sockets                  the whole test
 *        unix_sockets --bench          ns per socketpair round trip
 *        unix_sockets --bind PATH      what bind() to PATH answers (EROFS on the
 *                                      image, EOPNOTSUPP on a volume)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "res.h"

static int sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static void pair(int type, int sv[2])
{
	if (socketpair(AF_UNIX, type, 0, sv) != 0) {
		printf("socketpair: %s\n", res(-1));
		exit(1);
	}
}

static long get_int(int fd, int name)
{
	int v = -1;
	socklen_t len = sizeof v;
	if (getsockopt(fd, SOL_SOCKET, name, &v, &len) != 0)
		return -1;
	return v;
}

/* --- socketpair -------------------------------------------------------------------- */

static void stream_pair(void)
{
	int sv[2], n = -1;
	char buf[32] = {0};
	pair(SOCK_STREAM, sv);
	SHOW("stream write", write(sv[0], "hello", 5));
	SHOW("stream FIONREAD", ioctl(sv[1], FIONREAD, &n) ? -1 : n);
	SHOW("stream peek", recv(sv[1], buf, sizeof buf, MSG_PEEK));
	SHOW("stream read", read(sv[1], buf, sizeof buf));
	printf("stream got: %.5s\n", buf);
	struct iovec out[2] = {{"ab", 2}, {"cde", 3}};
	SHOW("stream writev", writev(sv[1], out, 2));
	SHOW("stream send", send(sv[1], "fg", 2, 0));
	char x[3] = {0}, y[8] = {0};
	struct iovec in[2] = {{x, 3}, {y, 8}};
	SHOW("stream readv (across sends)", readv(sv[0], in, 2));
	printf("stream readv got: %.3s|%.4s\n", x, y);
	SHOW("SO_TYPE", get_int(sv[0], SO_TYPE));
	SHOW("SO_DOMAIN", get_int(sv[0], SO_DOMAIN));
	SHOW("SO_ERROR", get_int(sv[0], SO_ERROR));
	printf("SO_SNDBUF > 0: %d, SO_RCVBUF > 0: %d\n", get_int(sv[0], SO_SNDBUF) > 0,
	       get_int(sv[0], SO_RCVBUF) > 0);
	struct ucred cred;
	socklen_t len = sizeof cred;
	SHOW("SO_PEERCRED", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &len));
	printf("peercred len %u, is us: %d %d %d\n", len, cred.pid == getpid(),
	       cred.uid == getuid(), cred.gid == getgid());
	struct sockaddr_un sa;
	len = sizeof sa;
	SHOW("getsockname (unnamed)", getsockname(sv[0], (struct sockaddr *)&sa, &len));
	printf("  len %u family %d\n", len, sa.sun_family);
	len = sizeof sa;
	SHOW("getpeername (unnamed)", getpeername(sv[0], (struct sockaddr *)&sa, &len));
	printf("  len %u\n", len);
	struct stat st;
	SHOW("fstat", fstat(sv[0], &st));
	printf("  S_ISSOCK %d\n", S_ISSOCK(st.st_mode));
	close(sv[0]);
	close(sv[1]);
}

static void dgram_pair(int type, const char *name)
{
	int sv[2], n = -1;
	char buf[16] = {0};
	pair(type, sv);
	printf("-- %s pair\n", name);
	SHOW("send a", send(sv[0], "a", 1, 0));
	SHOW("send bcd", send(sv[0], "bcd", 3, 0));
	SHOW("send empty", send(sv[0], "", 0, 0));
	SHOW("FIONREAD (next message)", ioctl(sv[1], FIONREAD, &n) ? -1 : n);
	SHOW("recv", recv(sv[1], buf, sizeof buf, 0));
	SHOW("read", read(sv[1], buf, sizeof buf));
	SHOW("recv empty", recv(sv[1], buf, sizeof buf, 0));
	SHOW("send 123456", send(sv[1], "123456", 6, 0));
	struct iovec iov = {buf, 3};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	SHOW("recvmsg 3 of 6", recvmsg(sv[0], &m, 0));
	printf("  MSG_TRUNC %d\n", (m.msg_flags & MSG_TRUNC) != 0);
	SHOW("send again", send(sv[1], "123456", 6, 0));
	SHOW("recv MSG_TRUNC", recv(sv[0], buf, 2, MSG_TRUNC));
	SHOW("SO_TYPE", get_int(sv[0], SO_TYPE));
	SHOW("shutdown WR", shutdown(sv[1], SHUT_WR));
	SHOW("send after shutdown", send(sv[1], "x", 1, MSG_NOSIGNAL));
	if (type == SOCK_SEQPACKET) /* a datagram peer is not told, as on Linux */
		SHOW("recv after peer shutdown", recv(sv[0], buf, sizeof buf, 0));
	close(sv[0]);
	close(sv[1]);
}

/* --- EOF, EPIPE, SIGPIPE ------------------------------------------------------------- */

static void eof_and_epipe(void)
{
	int sv[2];
	char buf[8];
	signal(SIGPIPE, on_sigpipe);
	pair(SOCK_STREAM, sv);
	SHOW("write before close", write(sv[1], "bye", 3));
	close(sv[1]);
	SHOW("read data after peer close", read(sv[0], buf, sizeof buf));
	SHOW("read EOF", read(sv[0], buf, sizeof buf));
	SHOW("write to closed peer", write(sv[0], "x", 1));
	printf("sigpipes: %d\n", sigpipes);
	SHOW("send MSG_NOSIGNAL", send(sv[0], "x", 1, MSG_NOSIGNAL));
	printf("sigpipes: %d\n", sigpipes);
	close(sv[0]);

	pair(SOCK_STREAM, sv);
	SHOW("shutdown SHUT_WR", shutdown(sv[0], SHUT_WR));
	SHOW("peer reads EOF", read(sv[1], buf, sizeof buf));
	SHOW("write after SHUT_WR", send(sv[0], "x", 1, MSG_NOSIGNAL));
	SHOW("peer still writes", write(sv[1], "ok", 2));
	SHOW("and it is read", read(sv[0], buf, sizeof buf));
	close(sv[0]);
	close(sv[1]);

	pair(SOCK_STREAM, sv);
	SHOW("write, then close unread", write(sv[0], "lost", 4));
	close(sv[1]);
	SHOW("read after peer closed unread", read(sv[0], buf, sizeof buf));
	struct sockaddr_un sa;
	socklen_t len = sizeof sa;
	SHOW("getpeername after the peer closed", getpeername(sv[0], (struct sockaddr *)&sa, &len));
	close(sv[0]);
	signal(SIGPIPE, SIG_DFL);
}

/* --- non-blocking, poll, epoll ------------------------------------------------------ */

static int poll1(int fd, short events)
{
	struct pollfd p = {fd, events, 0};
	int r = poll(&p, 1, 0);
	return r < 0 ? -1 : p.revents;
}

static void nonblocking(void)
{
	int sv[2];
	char buf[4096];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
		return;
	SHOW("nonblocking read", read(sv[0], buf, sizeof buf));
	printf("O_NONBLOCK %d FD_CLOEXEC %d\n", (fcntl(sv[0], F_GETFL) & O_NONBLOCK) != 0,
	       fcntl(sv[0], F_GETFD) & FD_CLOEXEC);
	memset(buf, 'z', sizeof buf);
	long total = 0, r;
	while ((r = write(sv[0], buf, sizeof buf)) > 0)
		total += r;
	printf("filled: %s, something written %d\n", res(r), total > 0);
	printf("poll when full: %#x\n", poll1(sv[0], POLLOUT));
	while (read(sv[1], buf, sizeof buf) > 0)
		;
	printf("poll when drained: %#x\n", poll1(sv[0], POLLOUT));
	close(sv[0]);
	close(sv[1]);

	pair(SOCK_STREAM, sv);
	SHOW("recv MSG_DONTWAIT", recv(sv[0], buf, 1, MSG_DONTWAIT));
	close(sv[0]);
	close(sv[1]);
}

static void readiness(void)
{
	int sv[2];
	char buf[8];
	struct epoll_event ev, got[4];
	pair(SOCK_STREAM, sv);
	printf("poll empty: %#x\n", poll1(sv[0], POLLIN | POLLOUT));
	write(sv[1], "a", 1);
	printf("poll with data: %#x\n", poll1(sv[0], POLLIN | POLLOUT));

	int lt = epoll_create1(0), et = epoll_create1(0);
	ev = (struct epoll_event){.events = EPOLLIN};
	epoll_ctl(lt, EPOLL_CTL_ADD, sv[0], &ev);
	ev = (struct epoll_event){.events = EPOLLIN | EPOLLET};
	epoll_ctl(et, EPOLL_CTL_ADD, sv[0], &ev);
	SHOW("epoll LT", epoll_wait(lt, got, 4, 0));
	SHOW("epoll LT again", epoll_wait(lt, got, 4, 0));
	SHOW("epoll ET", epoll_wait(et, got, 4, 0));
	printf("  events %#x\n", got[0].events);
	SHOW("epoll ET again", epoll_wait(et, got, 4, 0));
	write(sv[1], "b", 1);
	SHOW("epoll ET after more data", epoll_wait(et, got, 4, 0));
	read(sv[0], buf, sizeof buf);
	SHOW("epoll LT drained", epoll_wait(lt, got, 4, 0));
	close(sv[1]);
	SHOW("epoll ET after peer close", epoll_wait(et, got, 4, 0));
	printf("  events %#x\n", got[0].events);
	printf("poll after peer close: %#x\n", poll1(sv[0], POLLIN | POLLOUT | POLLRDHUP));
	close(lt);
	close(et);
	close(sv[0]);
}

/* --- SCM_RIGHTS ---------------------------------------------------------------------- */

static long send_fds(int sock, const int *fds, int n, const char *data)
{
	char control[CMSG_SPACE(4 * sizeof(int))] = {0};
	struct iovec iov = {(void *)data, strlen(data)};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = control,
			   .msg_controllen = CMSG_SPACE(n * sizeof(int))};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(sock, &m, 0);
}

/* Receives into fds (up to room of them); prints what came. */
static int recv_fds(int sock, int *fds, int room, int flags)
{
	char data[16] = {0};
	char control[CMSG_SPACE(4 * sizeof(int))];
	struct iovec iov = {data, sizeof data - 1};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = control,
			   .msg_controllen = room ? CMSG_LEN(room * sizeof(int)) : 0};
	long r = recvmsg(sock, &m, flags);
	int n = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); r >= 0 && c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++)
				fds[n++] = ((int *)CMSG_DATA(c))[i];
	printf("recvmsg: %s data '%s' fds %d ctrunc %d controllen %zu\n", res(r), data, n,
	       (m.msg_flags & MSG_CTRUNC) != 0, (size_t)m.msg_controllen);
	return n;
}

struct sender {
	int sock, fds[2], n;
};

static void *send_thread(void *arg)
{
	struct sender *s = arg;
	if (send_fds(s->sock, s->fds, s->n, "fds") < 0)
		printf("send_fds: %s\n", res(-1));
	return NULL;
}

static void rights(const char *dir)
{
	int sv[2], p[2], got[4];
	char buf[16] = {0}, path[128];
	pair(SOCK_STREAM, sv);
	pipe(p);
	snprintf(path, sizeof path, "%s/file", dir);
	int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	write(f, "abc", 3);
	lseek(f, 0, SEEK_SET);
	read(f, buf, 1);

	/* A thread sends the pipe's read end and the file; main uses them. */
	struct sender s = {sv[0], {p[0], f}, 2};
	pthread_t t;
	pthread_create(&t, NULL, send_thread, &s);
	int n = recv_fds(sv[1], got, 2, MSG_CMSG_CLOEXEC);
	pthread_join(t, NULL);
	if (n == 2) {
		struct stat st;
		fstat(got[0], &st);
		printf("received a pipe: %d, cloexec %d\n", S_ISFIFO(st.st_mode),
		       fcntl(got[0], F_GETFD) & FD_CLOEXEC);
		write(p[1], "via pipe", 8);
		memset(buf, 0, sizeof buf);
		SHOW("read the passed pipe", read(got[0], buf, sizeof buf));
		printf("  '%s'\n", buf);
		memset(buf, 0, sizeof buf);
		SHOW("read the passed file (shared offset)", read(got[1], buf, sizeof buf));
		printf("  '%s'\n", buf);
		close(got[0]);
		close(got[1]);
	}

	/* MSG_CTRUNC: two sent, room for one. */
	send_fds(sv[0], (int[]){p[0], f}, 2, "two");
	n = recv_fds(sv[1], got, 1, 0);
	if (n == 1)
		close(got[0]);
	send_fds(sv[0], (int[]){f}, 1, "none");
	recv_fds(sv[1], got, 0, 0);
	/* MSG_PEEK keeps them queued. */
	send_fds(sv[0], (int[]){f}, 1, "peek");
	n = recv_fds(sv[1], got, 1, MSG_PEEK);
	if (n == 1)
		close(got[0]);
	n = recv_fds(sv[1], got, 1, 0);
	if (n == 1)
		close(got[0]);
	SHOW("SCM_RIGHTS with a bad fd", send_fds(sv[0], (int[]){9999}, 1, "bad"));

	/* Files in flight go with the socket: the pipe's last writer. */
	send_fds(sv[0], (int[]){p[1]}, 1, "w");
	close(p[1]);
	close(sv[1]);
	SHOW("pipe EOF once the write end in flight was dropped", read(p[0], buf, sizeof buf));
	close(sv[0]);
	close(p[0]);
	close(f);
	unlink(path);
}

#ifndef PAIR_ONLY
/* --- a server on a path and on an abstract name ---------------------------------- */

static socklen_t name_of(struct sockaddr_un *sa, const char *name, int abstract)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (!abstract) {
		strcpy(sa->sun_path, name);
		return sizeof *sa;
	}
	strcpy(sa->sun_path + 1, name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

#define CLIENTS 3

struct server {
	int fd;
	struct sockaddr_un sa;
	socklen_t len;
};

static void *serve(void *arg)
{
	struct server *s = arg;
	for (int i = 0; i < CLIENTS; i++) {
		struct sockaddr_un peer, me;
		socklen_t plen = sizeof peer, mlen = sizeof me;
		char req[32] = {0}, reply[48];
		int c = accept4(s->fd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
		if (c < 0) {
			printf("accept: %s\n", res(-1));
			return NULL;
		}
		getsockname(c, (struct sockaddr *)&me, &mlen);
		long n = read(c, req, sizeof req - 1);
		printf("server: request '%s' (%ld), peer len %u, my name is the listener's: %d\n",
		       req, n, plen, mlen == s->len && memcmp(&me, &s->sa, mlen) == 0);
		snprintf(reply, sizeof reply, "echo:%s", req);
		write(c, reply, strlen(reply));
		close(c);
	}
	return NULL;
}

static void server(const char *name, int abstract)
{
	struct server s;
	socklen_t len = name_of(&s.sa, name, abstract);
	printf("-- server on %s\n", abstract ? "an abstract name" : "a tmpfs path");
	s.fd = socket(AF_UNIX, SOCK_STREAM, 0);
	SHOW("bind", bind(s.fd, (struct sockaddr *)&s.sa, len));
	s.len = sizeof s.sa;
	getsockname(s.fd, (struct sockaddr *)&s.sa, &s.len);
	printf("getsockname len: %s\n",
	       s.len == (abstract ? len : offsetof(struct sockaddr_un, sun_path) + strlen(name) + 1)
		       ? "as Linux"
		       : "wrong");
	int other = socket(AF_UNIX, SOCK_STREAM, 0);
	SHOW("bind the same name again", bind(other, (struct sockaddr *)&s.sa, len));
	SHOW("connect before listen", connect(other, (struct sockaddr *)&s.sa, len));
	close(other);
	if (!abstract) {
		struct stat st;
		SHOW("stat", stat(name, &st));
		printf("  S_ISSOCK %d\n", S_ISSOCK(st.st_mode));
		SHOW("open the socket node", open(name, O_RDONLY));
	}
	SHOW("listen", listen(s.fd, 8));
	pthread_t t;
	pthread_create(&t, NULL, serve, &s);
	for (int i = 0; i < CLIENTS; i++) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		char req[8], reply[48] = {0};
		snprintf(req, sizeof req, "c%d", i);
		long r = connect(c, (struct sockaddr *)&s.sa, len);
		struct sockaddr_un peer;
		socklen_t plen = sizeof peer;
		getpeername(c, (struct sockaddr *)&peer, &plen);
		printf("client %d: connect %s, peer is the server: %d\n", i, res(r),
		       plen == s.len && memcmp(&peer, &s.sa, plen) == 0);
		write(c, req, strlen(req));
		read(c, reply, sizeof reply - 1);
		printf("client %d: reply '%s'\n", i, reply);
		SHOW("  then EOF", read(c, reply, sizeof reply));
		close(c);
	}
	pthread_join(t, NULL);
	close(s.fd);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	SHOW("connect after the server closed", connect(c, (struct sockaddr *)&s.sa, len));
	close(c);
	if (!abstract) {
		SHOW("unlink the socket", unlink(name));
		c = socket(AF_UNIX, SOCK_STREAM, 0);
		SHOW("connect after unlink", connect(c, (struct sockaddr *)&s.sa, len));
		close(c);
	}
}

/* --- datagrams with names --------------------------------------------------------------- */

static void datagrams(const char *path, const char *abstract)
{
	struct sockaddr_un a, b, from;
	socklen_t alen = name_of(&a, path, 0), blen = name_of(&b, abstract, 1), flen;
	char buf[16] = {0};
	printf("-- datagrams\n");
	int da = socket(AF_UNIX, SOCK_DGRAM, 0), db = socket(AF_UNIX, SOCK_DGRAM, 0);
	int anon = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	SHOW("bind path", bind(da, (struct sockaddr *)&a, alen));
	SHOW("bind abstract", bind(db, (struct sockaddr *)&b, blen));
	SHOW("sendto path from abstract", sendto(db, "hi", 2, 0, (struct sockaddr *)&a, alen));
	flen = sizeof from;
	SHOW("recvfrom", recvfrom(da, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen));
	printf("  sender is the abstract name: %d\n", flen == blen && memcmp(&from, &b, flen) == 0);
	SHOW("sendto abstract from path", sendto(da, "yo", 2, 0, (struct sockaddr *)&b, blen));
	flen = sizeof from;
	SHOW("recvfrom", recvfrom(db, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen));
	printf("  sender is the path: %d\n",
	       flen == offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1 &&
		       strcmp(from.sun_path, path) == 0);
	SHOW("sendto from an unnamed socket", sendto(anon, "x", 1, 0, (struct sockaddr *)&a, alen));
	flen = sizeof from;
	SHOW("recvfrom", recvfrom(da, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen));
	printf("  sender name length %u\n", flen);
	SHOW("send unconnected", send(anon, "x", 1, 0));
	SHOW("connect to path", connect(anon, (struct sockaddr *)&a, alen));
	SHOW("send connected", send(anon, "conn", 4, 0));
	SHOW("recv", recv(da, buf, sizeof buf, 0));
	SHOW("connect path to abstract", connect(da, (struct sockaddr *)&b, blen));
	SHOW("sendto a socket connected elsewhere", send(anon, "x", 1, 0));
	SHOW("recv nothing (nonblocking)", recv(anon, buf, sizeof buf, 0));
	int st = socket(AF_UNIX, SOCK_STREAM, 0);
	SHOW("stream connect to a datagram socket", connect(st, (struct sockaddr *)&a, alen));
	close(st);
	close(da);
	flen = sizeof from;
	SHOW("getpeername, the peer closed", getpeername(anon, (struct sockaddr *)&from, &flen));
	SHOW("send to the closed peer", send(anon, "x", 1, 0));
	SHOW("send again", send(anon, "x", 1, 0));
	close(db);
	close(anon);
	unlink(path);
}

/* --- errors ---------------------------------------------------------------------------- */

static void errors(const char *dir)
{
	struct sockaddr_un sa;
	char path[128];
	printf("-- errors\n");
	int s = socket(AF_UNIX, SOCK_STREAM, 0), p[2];
	pipe(p);
	snprintf(path, sizeof path, "%s/nothing", dir);
	socklen_t len = name_of(&sa, path, 0);
	SHOW("connect to a missing path", connect(s, (struct sockaddr *)&sa, len));
	snprintf(path, sizeof path, "%s/plain", dir);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	len = name_of(&sa, path, 0);
	SHOW("connect to a regular file", connect(s, (struct sockaddr *)&sa, len));
	SHOW("bind over a regular file", bind(s, (struct sockaddr *)&sa, len));
	unlink(path);
	len = name_of(&sa, "hut-unix-nobody-listens-here", 1);
	SHOW("connect to an unbound abstract name", connect(s, (struct sockaddr *)&sa, len));
	SHOW("bind with a short length", bind(s, (struct sockaddr *)&sa, 1));
	sa.sun_family = AF_INET;
	SHOW("bind with another family", bind(s, (struct sockaddr *)&sa, len));
	SHOW("listen unbound", listen(s, 1));
	SHOW("accept unbound", accept(s, NULL, NULL));
	SHOW("read unconnected", read(s, path, 1));
	SHOW("send unconnected", send(s, "x", 1, MSG_NOSIGNAL));
	SHOW("getpeername unconnected", getpeername(s, (struct sockaddr *)&sa, &len));
	SHOW("bind a pipe", bind(p[0], (struct sockaddr *)&sa, len));
	SHOW("getsockname of a pipe", getsockname(p[0], (struct sockaddr *)&sa, &len));
	SHOW("listen on a bad fd", listen(9999, 1));
	SHOW("socket type 99", socket(AF_UNIX, 99, 0));
	SHOW("socket protocol 7", socket(AF_UNIX, SOCK_STREAM, 7));
	int sv[2];
	SHOW("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, sv));
	int *volatile bad = (int *)8;
	SHOW("socketpair into a bad pointer", socketpair(AF_UNIX, SOCK_STREAM, 0, bad));
	SHOW("setsockopt at IPPROTO_TCP level", setsockopt(s, 6, 1, &(int){1}, sizeof(int)));
	SHOW("listen on a datagram socket", listen(socket(AF_UNIX, SOCK_DGRAM, 0), 1));
	close(s);
	close(p[0]);
	close(p[1]);
}
#endif

static void seqpacket_server(const char *dir)
{
#ifndef PAIR_ONLY
	struct sockaddr_un sa;
	char path[128], buf[16] = {0};
	snprintf(path, sizeof path, "%s/seq", dir);
	socklen_t len = name_of(&sa, path, 0);
	int l = socket(AF_UNIX, SOCK_SEQPACKET, 0), c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	printf("-- seqpacket server\n");
	SHOW("bind", bind(l, (struct sockaddr *)&sa, len));
	SHOW("listen", listen(l, 1));
	SHOW("connect (completes before accept)", connect(c, (struct sockaddr *)&sa, len));
	printf("poll listener: %#x\n", poll1(l, POLLIN));
	int a = accept(l, NULL, NULL);
	SHOW("send 1", send(c, "one", 3, 0));
	SHOW("send 2", send(c, "two!", 4, 0));
	SHOW("recv", recv(a, buf, sizeof buf, 0));
	SHOW("recv", recv(a, buf, sizeof buf, 0));
	close(c);
	SHOW("recv EOF", recv(a, buf, sizeof buf, 0));
	close(a);
	close(l);
	unlink(path);
#else
	(void)dir;
#endif
}

static long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* ns per round trip of one byte over a socketpair, one thread (the write
 * and the read of each direction are in the same thread). */
static void bench(void)
{
	int sv[2];
	char c = 'x';
	pair(SOCK_STREAM, sv);
	const int rounds = 100000;
	long t0 = now_ns();
	for (int i = 0; i < rounds; i++) {
		write(sv[0], &c, 1);
		read(sv[1], &c, 1);
		write(sv[1], &c, 1);
		read(sv[0], &c, 1);
	}
	printf("socketpair round trip: %ld ns\n", (now_ns() - t0) / rounds);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/hut-unix-XXXXXX";
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && strcmp(argv[1], "--bench") == 0) {
		bench();
		return 0;
	}
#ifndef PAIR_ONLY
	if (argc > 2 && strcmp(argv[1], "--bind") == 0) {
		struct sockaddr_un sa;
		socklen_t len = name_of(&sa, argv[2], 0);
		SHOW("bind", bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&sa, len));
		return 0;
	}
#endif
	if (!mkdtemp(dir)) {
		printf("mkdtemp: %s\n", res(-1));
		return 1;
	}
	stream_pair();
	dgram_pair(SOCK_DGRAM, "datagram");
	dgram_pair(SOCK_SEQPACKET, "seqpacket");
	eof_and_epipe();
	nonblocking();
	readiness();
	rights(dir);
	seqpacket_server(dir);
#ifndef PAIR_ONLY
	char path[128], abstract[64];
	snprintf(path, sizeof path, "%s/server", dir);
	snprintf(abstract, sizeof abstract, "hut-unix-test-%d-%ld", (int)getpid(), now_ns());
	server(path, 0);
	server(abstract, 1);
	snprintf(path, sizeof path, "%s/dgram", dir);
	snprintf(abstract, sizeof abstract, "hut-unix-dgram-%d-%ld", (int)getpid(), now_ns());
	datagrams(path, abstract);
	errors(dir);
#endif
	SHOW("rmdir the test folder", rmdir(dir));
	printf("== done\n");
	return 0;
}
