/*
 * The socket syscalls' front door, in the core libos: socketpair and every
 * AF_UNIX socket are served here; a socket() of another family, and every
 * call on an fd that is no Unix socket, goes to that family's handlers
 * (AF_INET, in libhut-net.a), which sys/ registers when the image links
 * them. So an image that never calls socket() links no network stack, and
 * socketpair and Unix sockets still work in it.
 */
#include "unix.h"

#include <errno.h>

#define TYPE_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)
#define FAMILY_LEN sizeof(sa_family_t)

static const struct hut_sock_family *inet;

void hut_sock_family_register(const struct hut_sock_family *f)
{
	inet = f;
}

/* 0 and the Unix socket behind fd; 1: another family's fd; or -errno. */
static long unix_fd(long fd, struct hut_unix **u)
{
	struct hut_file *f = hut_fd_file(fd);
	if (!f)
		return -EBADF;
	*u = hut_unix_of(f);
	if (*u)
		return 0;
	return inet ? 1 : -ENOTSOCK;
}

/* Opens a handler on a socket fd: the Unix socket in u, or the whole call
 * handed to the other family. */
#define UNIX_OR_OTHER(call, u)                                                                     \
	do {                                                                                       \
		long r_ = unix_fd(a0, &(u));                                                       \
		if (r_ == 1)                                                                       \
			return inet->call(a0, a1, a2, a3, a4, a5);                                 \
		if (r_ != 0)                                                                       \
			return r_;                                                                 \
	} while (0)

static long check_type(long type, long protocol)
{
	int t = (int)(type & ~TYPE_FLAGS);
	if (type & ~(long)(TYPE_FLAGS | 0xf))
		return -EINVAL;
	if (t != SOCK_STREAM && t != SOCK_DGRAM && t != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	if (protocol != 0 && protocol != PF_UNIX)
		return -EPROTONOSUPPORT;
	return 0;
}

HUT_SYSCALL(socket)
{
	if (a0 != AF_UNIX)
		return inet ? inet->socket(a0, a1, a2, a3, a4, a5) : -EAFNOSUPPORT;
	long r = check_type(a1, a2);
	if (r != 0)
		return r;
	struct hut_unix *u = hut_unix_new((int)(a1 & ~TYPE_FLAGS));
	return u ? hut_unix_install(u, (int)a1) : -ENOMEM;
}

HUT_SYSCALL(socketpair)
{
	int *sv = (int *)a3;
	long r;
	if (a0 != AF_UNIX)
		return a0 == AF_INET || a0 == AF_INET6 ? -EOPNOTSUPP : -EAFNOSUPPORT;
	if ((r = check_type(a1, a2)) != 0)
		return r;
	if (!hut_user_writable(sv, 2 * sizeof *sv))
		return -EFAULT;
	int type = (int)(a1 & ~TYPE_FLAGS);
	struct hut_unix *a = hut_unix_new(type), *b = hut_unix_new(type);
	if (!a || !b) {
		if (a)
			hut_unix_release(a);
		if (b)
			hut_unix_release(b);
		return -ENOMEM;
	}
	hut_unix_pair(a, b);
	long fa = hut_unix_install(a, (int)a1);
	if (fa < 0) {
		hut_unix_release(b);
		return fa;
	}
	long fb = hut_unix_install(b, (int)a1);
	if (fb < 0) {
		hut_fd_close(fa);
		return fb;
	}
	sv[0] = (int)fa;
	sv[1] = (int)fb;
	return 0;
}

HUT_SYSCALL(bind)
{
	struct hut_unix *u;
	struct hut_unix_name n;
	UNIX_OR_OTHER(bind, u);
	long r = hut_unix_name_in((const void *)a1, a2, &n);
	return r ? r : hut_unix_bind(u, &n);
}

HUT_SYSCALL(listen)
{
	struct hut_unix *u;
	UNIX_OR_OTHER(listen, u);
	return hut_unix_listen(u, (int)a1);
}

static long do_accept(struct hut_unix *u, void *addr, uint32_t *addrlen, long flags)
{
	struct hut_unix *child;
	if (flags & ~(long)TYPE_FLAGS)
		return -EINVAL;
	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (addr && !hut_user_writable(addrlen, sizeof *addrlen))
		return -EFAULT;
	long r = hut_unix_accept(u, &child, hut_unix_deadline(u, 0, u->rcvtimeo_ns));
	if (r != 0)
		return r;
	struct hut_unix_name peer = child->peer ? child->peer->name : (struct hut_unix_name){0};
	long fd = hut_unix_install(child, (int)flags);
	if (fd >= 0 && addr && (r = hut_unix_name_out(&peer, addr, addrlen)) != 0)
		return r; /* as Linux: EFAULT, the connection taken */
	return fd;
}

HUT_SYSCALL(accept)
{
	struct hut_unix *u;
	UNIX_OR_OTHER(accept, u);
	return do_accept(u, (void *)a1, (uint32_t *)a2, 0);
}

HUT_SYSCALL(accept4)
{
	struct hut_unix *u;
	UNIX_OR_OTHER(accept4, u);
	return do_accept(u, (void *)a1, (uint32_t *)a2, a3);
}

/* A datagram socket's connect to AF_UNSPEC dissolves its association. */
static int is_unspec(const void *addr, long len)
{
	return len >= (long)FAMILY_LEN && hut_user_readable(addr, FAMILY_LEN) &&
	       *(const sa_family_t *)addr == AF_UNSPEC;
}

HUT_SYSCALL(connect)
{
	struct hut_unix *u;
	struct hut_unix_name n;
	UNIX_OR_OTHER(connect, u);
	if (u->type == SOCK_DGRAM && is_unspec((const void *)a1, a2))
		return hut_unix_connect_dgram(u, NULL);
	long r = hut_unix_name_in((const void *)a1, a2, &n);
	if (r == 0 && n.len <= FAMILY_LEN)
		r = -EINVAL;
	if (r != 0)
		return r;
	if (u->type == SOCK_DGRAM)
		return hut_unix_connect_dgram(u, &n);
	return hut_unix_connect(u, &n, hut_unix_deadline(u, 0, u->sndtimeo_ns));
}

HUT_SYSCALL(shutdown)
{
	struct hut_unix *u;
	UNIX_OR_OTHER(shutdown, u);
	if (a1 != SHUT_RD && a1 != SHUT_WR && a1 != SHUT_RDWR)
		return -EINVAL;
	return hut_unix_shutdown(u, (int)a1);
}

HUT_SYSCALL(getsockname)
{
	struct hut_unix *u;
	UNIX_OR_OTHER(getsockname, u);
	return hut_unix_name_out(&u->name, (void *)a1, (uint32_t *)a2);
}

HUT_SYSCALL(getpeername)
{
	struct hut_unix *u;
	UNIX_OR_OTHER(getpeername, u);
	if (u->state != HUT_UNIX_CONNECTED)
		return -ENOTCONN;
	return hut_unix_name_out(&u->peer_name, (void *)a1, (uint32_t *)a2);
}

/* --- data ---------------------------------------------------------------------------- */

/* One send: data, an optional name, optional control messages. */
static long do_send(struct hut_unix *u, const struct hut_iovec *iov, long iovcnt, int flags,
		    const void *to, long tolen, const void *control, uint64_t controllen)
{
	struct hut_unix_name n;
	struct hut_unix_send s = {iov, (int)iovcnt, flags, NULL, 0};
	uint64_t total;
	long r = hut_iov_check(iov, iovcnt, 0, &total);
	if (r != 0)
		return r;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (to && tolen && (r = hut_unix_name_in(to, tolen, &n)) != 0)
		return r;
	if (control && controllen &&
	    (r = hut_unix_scm_in(control, controllen, &s.files, &s.nfiles)) != 0)
		return r;
	r = hut_unix_send(u, &s, to && tolen ? &n : NULL);
	hut_unix_files_drop(s.files, s.nfiles); /* those not sent */
	return r;
}

/* One receive: data, the sender's name (0 bytes if it has none, as Linux),
 * files passed. */
static long do_recv(struct hut_unix *u, const struct hut_iovec *iov, long iovcnt, int flags,
		    void *from, uint32_t *fromlen, struct hut_msghdr *m)
{
	struct hut_unix_recv rcv = {0};
	uint64_t total;
	long r = hut_iov_check(iov, iovcnt, 1, &total);
	if (r != 0)
		return r;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (from && !hut_user_writable(fromlen, sizeof *fromlen))
		return -EFAULT;
	if (m && m->msg_controllen && !hut_user_writable(m->msg_control, m->msg_controllen))
		return -EFAULT;
	if ((r = hut_unix_recv(u, iov, (int)iovcnt, flags, &rcv)) < 0)
		return r;
	if (from && rcv.from.len) {
		long e = hut_unix_name_out(&rcv.from, from, fromlen);
		if (e != 0)
			r = e;
	} else if (from) {
		*fromlen = 0;
	}
	if (m) {
		hut_unix_scm_out(&rcv, m->msg_control, &m->msg_controllen,
				 (flags & MSG_CMSG_CLOEXEC) != 0);
		m->msg_flags = rcv.msg_flags;
	}
	hut_unix_files_drop(rcv.files, rcv.nfiles); /* recvfrom: not delivered */
	return r;
}

HUT_SYSCALL(sendto)
{
	struct hut_unix *u;
	UNIX_OR_OTHER(sendto, u);
	struct hut_iovec iov = {(uint64_t)a1, (uint64_t)a2};
	return do_send(u, &iov, 1, (int)a3, (const void *)a4, a5, NULL, 0);
}

HUT_SYSCALL(recvfrom)
{
	struct hut_unix *u;
	UNIX_OR_OTHER(recvfrom, u);
	struct hut_iovec iov = {(uint64_t)a1, (uint64_t)a2};
	return do_recv(u, &iov, 1, (int)a3, (void *)a4, (uint32_t *)a5, NULL);
}

HUT_SYSCALL(sendmsg)
{
	struct hut_unix *u;
	UNIX_OR_OTHER(sendmsg, u);
	const struct hut_msghdr *m = (const void *)a1;
	long r = hut_msghdr_check(m, 0);
	if (r != 0)
		return r;
	return do_send(u, m->msg_iov, (long)m->msg_iovlen, (int)a2, m->msg_name,
		       m->msg_name ? (long)m->msg_namelen : 0, m->msg_control, m->msg_controllen);
}

HUT_SYSCALL(recvmsg)
{
	struct hut_unix *u;
	UNIX_OR_OTHER(recvmsg, u);
	struct hut_msghdr *m = (struct hut_msghdr *)a1;
	long r = hut_msghdr_check(m, 1);
	if (r != 0)
		return r;
	return do_recv(u, m->msg_iov, (long)m->msg_iovlen, (int)a2, m->msg_name,
		       m->msg_name ? &m->msg_namelen : NULL, m);
}

HUT_SYSCALL(setsockopt)
{
	struct hut_unix *u;
	UNIX_OR_OTHER(setsockopt, u);
	return hut_unix_setsockopt(u, a1, a2, a3, a4);
}

HUT_SYSCALL(getsockopt)
{
	struct hut_unix *u;
	UNIX_OR_OTHER(getsockopt, u);
	return hut_unix_getsockopt(u, a1, a2, a3, a4);
}
