/*
 * What every socket family shares, below both of them: AF_INET sockets
 * (net/, on lwIP) and AF_UNIX sockets (unix/) are kinds of file with the
 * same deadlines and waits, the same fstat and FIONREAD answers, the same
 * option encodings (SO_RCVBUF doubled, SO_*TIMEO as a timeval) and the
 * same kernel struct msghdr to check.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/time.h>

#define SOCKFS_DEV 8
#define BUF_MAX 212992 /* net.core.rmem_max and wmem_max */
#define NS_PER_US 1000ull
#define US_PER_S 1000000ull

uint64_t hut_sock_deadline_for(const struct hut_file *f, int flags, uint64_t timeo_ns)
{
	if ((f && (f->flags & O_NONBLOCK)) || (flags & MSG_DONTWAIT))
		return 0;
	if (!timeo_ns)
		return HUT_WAIT_FOREVER;
	return hut_time_since_boot_ns() + timeo_ns;
}

long hut_sock_wait_for(int (*ready)(void *), void *arg, uint64_t deadline)
{
	if (ready(arg))
		return 0;
	if (deadline == 0)
		return -EAGAIN;
	long r = hut_wait(ready, arg, deadline, HUT_WAIT_INTERRUPTIBLE);
	return r == -ETIMEDOUT ? -EAGAIN : r;
}

long hut_sock_file_stat(struct hut_file *f, struct stat *st)
{
	hut_memset(st, 0, sizeof *st);
	st->st_dev = SOCKFS_DEV;
	st->st_ino = (uint64_t)(uintptr_t)f->priv >> 4;
	st->st_mode = S_IFSOCK | 0777;
	st->st_nlink = 1;
	st->st_blksize = HUT_PAGE_SIZE;
	return 0;
}

long hut_sock_fionread(long arg, uint64_t n)
{
	if (!hut_user_writable((void *)arg, sizeof(int)))
		return -EFAULT;
	*(int *)arg = n > INT32_MAX ? INT32_MAX : (int)n;
	return 0;
}

int hut_sockopt_buf(uint32_t v, int min)
{
	v = v > BUF_MAX ? BUF_MAX : v;
	return (int)v * 2 < min ? min : (int)v * 2;
}

long hut_sockopt_timeout_in(uint64_t *ns, const void *val, uint32_t len)
{
	const struct timeval *tv = val;
	if (len < sizeof *tv)
		return -EINVAL;
	if (tv->tv_usec < 0 || (uint64_t)tv->tv_usec >= US_PER_S)
		return -EDOM;
	if (tv->tv_sec < 0)
		*ns = 0;
	else
		*ns = ((uint64_t)tv->tv_sec * US_PER_S + (uint64_t)tv->tv_usec) * NS_PER_US;
	return 0;
}

long hut_optval_int(struct hut_optval *o, int v)
{
	o->u.i = v;
	o->size = sizeof(int);
	return 0;
}

long hut_optval_bytes(struct hut_optval *o, const void *p, uint32_t n)
{
	hut_memcpy(o->u.bytes, p, n);
	o->size = n;
	return 0;
}

long hut_optval_timeout(struct hut_optval *o, uint64_t ns)
{
	uint64_t us = ns / NS_PER_US;
	struct timeval tv = {(time_t)(us / US_PER_S), (suseconds_t)(us % US_PER_S)};
	return hut_optval_bytes(o, &tv, sizeof tv);
}

long hut_optval_len_check(uint32_t *lenp)
{
	if (!hut_user_writable(lenp, sizeof *lenp))
		return -EFAULT;
	return (int)*lenp < 0 ? -EINVAL : 0;
}

long hut_optval_out(const struct hut_optval *o, void *val, uint32_t *lenp)
{
	uint32_t n = *lenp < o->size ? *lenp : o->size;
	if (n && !hut_user_writable(val, n))
		return -EFAULT;
	hut_memcpy(val, o->u.bytes, n);
	*lenp = n;
	return 0;
}

long hut_msghdr_check(const struct hut_msghdr *m, int writable)
{
	if (!(writable ? hut_user_writable((void *)m, sizeof *m) : hut_user_readable(m, sizeof *m)))
		return -EFAULT;
	if (m->msg_iovlen > HUT_IOV_MAX)
		return -EMSGSIZE;
	if (!hut_user_readable(m->msg_iov, m->msg_iovlen * sizeof(struct hut_iovec)))
		return -EFAULT;
	return 0;
}
