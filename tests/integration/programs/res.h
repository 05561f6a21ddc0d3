/*
 * What the test programs (sockets.c, unix_sockets.c, fifo.c, ...) print for a
 * call's result: "0", a count, or the errno's name, never a number that
 * could differ between a process and an appliance. One header, included
 * by each program.
 */
#ifndef TESTS_RES_H
#define TESTS_RES_H

#include <errno.h>
#include <stdio.h>

/* "0", a count, or the errno's name */
static const char *res(long r)
{
	static char buf[8][32];
	static int next;
	char *b = buf[next++ % 8];
	if (r >= 0) {
		snprintf(b, 32, "%ld", r);
		return b;
	}
	switch (errno) {
#define E(x)                                                                                       \
	case x:                                                                                    \
		return #x;
		E(EAGAIN)
		E(EBADF)
		E(EINVAL)
		E(EPIPE)
		E(ENOTCONN)
		E(EISCONN)
		E(EALREADY)
		E(EINPROGRESS)
		E(ECONNREFUSED)
		E(ECONNRESET)
		E(ECONNABORTED)
		E(EADDRINUSE)
		E(EADDRNOTAVAIL)
		E(ENOTSOCK)
		E(EOPNOTSUPP)
		E(EDESTADDRREQ)
		E(ENOPROTOOPT)
		E(EEXIST)
		E(ENOENT)
		E(EPERM)
		E(EFAULT)
		E(EAFNOSUPPORT)
		E(ELOOP)
		E(EPROTOTYPE)
		E(EMSGSIZE)
		E(ENXIO)
		E(EROFS)
		E(ESPIPE)
		E(EXDEV)
		E(EISDIR)
		E(EOVERFLOW)
		E(EINTR)
		E(ENOTDIR)
#undef E
	default:
		snprintf(b, 32, "errno %d", errno);
		return b;
	}
}

#define SHOW(what, call) printf("%s: %s\n", what, res((long)(call)))

#endif
