/*
 * The socket syscalls: the checks Linux makes before it reaches TCP or UDP
 * are here; the socket itself is net/sock.c, the rest is the protocol's
 * (net/tcp.c, net/udp.c). The first socket() starts the network
 * (net/start.c).
 */
#include "sockcalls.h"
#include "net.h"
#include "socket.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define TYPE_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)

/* --- socket, bind, listen, accept, connect, shutdown ---------------------------- */

static long check_protocol(int type, long protocol)
{
	if (protocol == 0)
		return 0;
	if (type == SOCK_STREAM && protocol == IPPROTO_TCP)
		return 0;
	if (type == SOCK_DGRAM && protocol == IPPROTO_UDP)
		return 0;
	return -EPROTONOSUPPORT;
}

HUT_SYSCALL(inet_socket)
{
	int type = (int)(a1 & ~TYPE_FLAGS);
	long r;
	if (a1 & ~(long)(TYPE_FLAGS | 0xf))
		return -EINVAL;
	if (a0 != AF_INET)
		return -EAFNOSUPPORT;
	if (type != SOCK_STREAM && type != SOCK_DGRAM)
		return type == SOCK_RAW ? -EPERM : -ESOCKTNOSUPPORT;
	if ((r = check_protocol(type, a2)) != 0)
		return r;
	hut_net_start();
	struct hut_sock *s = hut_sock_new(type);
	if (!s)
		return -ENOMEM;
	if ((r = s->proto->open(s)) != 0) {
		hut_kfree(s, sizeof *s);
		return r;
	}
	return hut_sock_install(s, (int)a1);
}

HUT_SYSCALL(inet_bind)
{
	struct hut_sock *s;
	struct hut_sock_addr a;
	long r = hut_sock_fd(a0, &s);
	if (r == 0)
		r = hut_sockaddr_in((const void *)a1, a2, &a);
	if (r != 0)
		return r;
	if (s->bound)
		return -EINVAL;
	return s->proto->bind(s, &a);
}

HUT_SYSCALL(inet_listen)
{
	struct hut_sock *s;
	long r = hut_sock_fd(a0, &s);
	if (r != 0)
		return r;
	if (s->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	int backlog = (int)a1 < 0 ? 0 : (int)a1 > HUT_SOMAXCONN ? HUT_SOMAXCONN : (int)a1;
	return s->proto->listen(s, backlog);
}

/* accept, accept4: the peer's address as getpeername gives it. */
static long do_accept(long fd, void *addr, uint32_t *addrlen, long flags)
{
	struct hut_sock *s, *child;
	long r = hut_sock_fd(fd, &s);
	if (r != 0)
		return r;
	if (flags & ~(long)TYPE_FLAGS)
		return -EINVAL;
	if (s->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	if (addr && !hut_user_writable(addrlen, sizeof *addrlen))
		return -EFAULT;
	if ((r = s->proto->accept(s, &child, hut_sock_deadline(s, 0, s->rcvtimeo_ns))) != 0)
		return r;
	child->proto->names(child);
	struct hut_sock_addr peer = child->remote;
	long newfd = hut_sock_install(child, (int)flags);
	if (newfd >= 0 && addr && (r = hut_sockaddr_out(&peer, addr, addrlen)) != 0)
		return r; /* Linux too returns EFAULT here, with the connection taken */
	return newfd;
}

HUT_SYSCALL(inet_accept)
{
	return do_accept(a0, (void *)a1, (uint32_t *)a2, 0);
}

HUT_SYSCALL(inet_accept4)
{
	return do_accept(a0, (void *)a1, (uint32_t *)a2, a3);
}

HUT_SYSCALL(inet_connect)
{
	struct hut_sock *s;
	struct hut_sock_addr a;
	long r = hut_sock_fd(a0, &s);
	if (r != 0)
		return r;
	if (s->type == SOCK_DGRAM && a2 >= (long)sizeof(sa_family_t) &&
	    hut_user_readable((const void *)a1, sizeof(sa_family_t)) &&
	    *(const sa_family_t *)a1 == AF_UNSPEC)
		return s->proto->connect(s, NULL, 0); /* dissolve the association */
	if ((r = hut_sockaddr_in((const void *)a1, a2, &a)) != 0)
		return r;
	return s->proto->connect(s, &a, hut_sock_deadline(s, 0, s->sndtimeo_ns));
}

HUT_SYSCALL(inet_shutdown)
{
	struct hut_sock *s;
	long r = hut_sock_fd(a0, &s);
	if (r != 0)
		return r;
	if (a1 != SHUT_RD && a1 != SHUT_WR && a1 != SHUT_RDWR)
		return -EINVAL;
	return s->proto->shutdown(s, (int)a1);
}

/* --- names ------------------------------------------------------------------------ */

HUT_SYSCALL(inet_getsockname)
{
	struct hut_sock *s;
	long r = hut_sock_fd(a0, &s);
	if (r != 0)
		return r;
	s->proto->names(s);
	return hut_sockaddr_out(&s->local, (void *)a1, (uint32_t *)a2);
}

HUT_SYSCALL(inet_getpeername)
{
	struct hut_sock *s;
	long r = hut_sock_fd(a0, &s);
	if (r != 0)
		return r;
	if (s->state != HUT_SOCK_CONNECTED &&
	    !(s->type == SOCK_STREAM && s->remote.port && s->state == HUT_SOCK_CLOSED && !s->error))
		return -ENOTCONN;
	s->proto->names(s);
	return hut_sockaddr_out(&s->remote, (void *)a1, (uint32_t *)a2);
}

/* --- data ---------------------------------------------------------------------------- */

static long do_send(long fd, const struct hut_iovec *iov, long iovcnt, int flags, const void *to,
		    long tolen)
{
	struct hut_sock *s;
	struct hut_sock_addr a, *dest = NULL;
	uint64_t total;
	long r = hut_sock_fd(fd, &s);
	if (r != 0)
		return r;
	if ((r = hut_iov_check(iov, iovcnt, 0, &total)) != 0)
		return r;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (to && s->type == SOCK_DGRAM) {
		if ((r = hut_sockaddr_in(to, tolen, &a)) != 0)
			return r;
		dest = &a;
	}
	return s->proto->send(s, iov, (int)iovcnt, flags, dest,
			      hut_sock_deadline(s, flags, s->sndtimeo_ns));
}

static long do_recv(long fd, const struct hut_iovec *iov, long iovcnt, int flags, void *from,
		    uint32_t *fromlen, int *msg_flags)
{
	struct hut_sock *s;
	struct hut_sock_addr a = {0};
	uint64_t total;
	int got_flags = 0;
	long r = hut_sock_fd(fd, &s);
	if (r != 0)
		return r;
	if ((r = hut_iov_check(iov, iovcnt, 1, &total)) != 0)
		return r;
	if (flags & MSG_OOB)
		return -EINVAL;
	if (from && !hut_user_writable(fromlen, sizeof *fromlen))
		return -EFAULT;
	r = s->proto->recv(s, iov, (int)iovcnt, flags, &a, &got_flags,
			   hut_sock_deadline(s, flags, s->rcvtimeo_ns));
	if (r < 0)
		return r;
	if (msg_flags)
		*msg_flags = got_flags;
	if (from && s->type == SOCK_DGRAM) {
		long e = hut_sockaddr_out(&a, from, fromlen);
		if (e != 0)
			return e;
	} else if (from) {
		*fromlen = 0; /* TCP names no sender, as Linux */
	}
	return r;
}

HUT_SYSCALL(inet_sendto)
{
	struct hut_iovec iov = {(uint64_t)a1, (uint64_t)a2};
	return do_send(a0, &iov, 1, (int)a3, (const void *)a4, a5);
}

HUT_SYSCALL(inet_recvfrom)
{
	struct hut_iovec iov = {(uint64_t)a1, (uint64_t)a2};
	return do_recv(a0, &iov, 1, (int)a3, (void *)a4, (uint32_t *)a5, NULL);
}

/* sendmsg and recvmsg: data only, no control messages. */

HUT_SYSCALL(inet_sendmsg)
{
	const struct hut_msghdr *m = (const void *)a1;
	long r = hut_msghdr_check(m, 0);
	if (r != 0)
		return r;
	return do_send(a0, m->msg_iov, (long)m->msg_iovlen, (int)a2, m->msg_name,
		       m->msg_name ? (long)m->msg_namelen : 0);
}

HUT_SYSCALL(inet_recvmsg)
{
	struct hut_msghdr *m = (struct hut_msghdr *)a1;
	int msg_flags = 0;
	long r = hut_msghdr_check(m, 1);
	if (r != 0)
		return r;
	r = do_recv(a0, m->msg_iov, (long)m->msg_iovlen, (int)a2, m->msg_name,
		    m->msg_name ? &m->msg_namelen : NULL, &msg_flags);
	if (r >= 0) {
		m->msg_controllen = 0;
		m->msg_flags = msg_flags;
	}
	return r;
}
