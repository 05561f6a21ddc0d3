/*
 * getsockopt and setsockopt of Unix sockets: the SOL_SOCKET options with
 * Linux's answers (SO_PEERCRED names this appliance's one process: pid 1,
 * uid and gid 0; buffer sizes doubled as Linux reports them). Other levels
 * are EOPNOTSUPP, as af_unix has no protocol options.
 */
#include "unix.h"

#include <errno.h>
#include <sys/time.h>

#define BUF_MAX 212992	/* net.core.rmem_max and wmem_max */
#define RCVBUF_MIN 2304 /* SOCK_MIN_RCVBUF */
#define SNDBUF_MIN 4608 /* SOCK_MIN_SNDBUF */
#define NS_PER_US 1000ull
#define US_PER_S 1000000ull

struct k_ucred {
	int32_t pid;
	uint32_t uid, gid;
};

static int buf_size(uint32_t v, int min)
{
	v = v > BUF_MAX ? BUF_MAX : v;
	return (int)v * 2 < min ? min : (int)v * 2;
}

static long set_timeout(uint64_t *ns, const void *val, uint32_t len)
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

static long set_option(struct hut_unix *u, int name, const void *val, uint32_t len)
{
	int v = *(const int *)val;
	switch (name) {
	case SO_RCVBUF:
		u->rcvbuf = buf_size((uint32_t)v, RCVBUF_MIN);
		return 0;
	case SO_SNDBUF:
		u->sndbuf = buf_size((uint32_t)v, SNDBUF_MIN);
		return 0;
	case SO_PASSCRED:
		u->passcred = v != 0;
		return 0;
	case SO_RCVTIMEO:
		return set_timeout(&u->rcvtimeo_ns, val, len);
	case SO_SNDTIMEO:
		return set_timeout(&u->sndtimeo_ns, val, len);
	case SO_REUSEADDR:
	case SO_KEEPALIVE:
		return 0; /* accepted, meaningless for Unix sockets, as on Linux */
	default:
		return -ENOPROTOOPT;
	}
}

long hut_unix_setsockopt(struct hut_unix *u, long a1, long a2, long a3, long a4)
{
	uint32_t len = (uint32_t)a4;
	const void *val = (const void *)a3;
	if ((int)a1 != SOL_SOCKET)
		return -EOPNOTSUPP;
	if ((int)len < (int)sizeof(int))
		return -EINVAL;
	if (!hut_user_readable(val, len))
		return -EFAULT;
	return set_option(u, (int)a2, val, len);
}

/* An option's value and size, before it is cut to what the app gave. */
struct optval {
	union {
		int i;
		struct timeval tv;
		struct k_ucred cred;
	} u;
	uint32_t size;
};

static long put_int(struct optval *o, int v)
{
	o->u.i = v;
	o->size = sizeof(int);
	return 0;
}

static long put_timeout(struct optval *o, uint64_t ns)
{
	uint64_t us = ns / NS_PER_US;
	o->u.tv = (struct timeval){(time_t)(us / US_PER_S), (suseconds_t)(us % US_PER_S)};
	o->size = sizeof o->u.tv;
	return 0;
}

/* The one process's credentials while there is one (issue 23 brings more):
 * a peer, a listener, or a socketpair end all report them. */
static long put_cred(struct optval *o, const struct hut_unix *u)
{
	int known = u->peer || u->state == HUT_UNIX_LISTENING;
	o->u.cred = known ? (struct k_ucred){1, 0, 0} : (struct k_ucred){0, 65534, 65534};
	o->size = sizeof o->u.cred;
	return 0;
}

static long get_option(struct hut_unix *u, int name, struct optval *o)
{
	switch (name) {
	case SO_TYPE:
		return put_int(o, u->type);
	case SO_ERROR: {
		int e = u->error;
		u->error = 0;
		return put_int(o, e);
	}
	case SO_ACCEPTCONN:
		return put_int(o, u->state == HUT_UNIX_LISTENING);
	case SO_DOMAIN:
		return put_int(o, AF_UNIX);
	case SO_PROTOCOL:
		return put_int(o, 0);
	case SO_RCVBUF:
		return put_int(o, u->rcvbuf);
	case SO_SNDBUF:
		return put_int(o, u->sndbuf);
	case SO_PASSCRED:
		return put_int(o, u->passcred);
	case SO_PEERCRED:
		return put_cred(o, u);
	case SO_RCVTIMEO:
		return put_timeout(o, u->rcvtimeo_ns);
	case SO_SNDTIMEO:
		return put_timeout(o, u->sndtimeo_ns);
	default:
		return -ENOPROTOOPT;
	}
}

long hut_unix_getsockopt(struct hut_unix *u, long a1, long a2, long a3, long a4)
{
	struct optval o = {0};
	void *val = (void *)a3;
	uint32_t *lenp = (uint32_t *)a4;
	if (!hut_user_writable(lenp, sizeof *lenp))
		return -EFAULT;
	if ((int)*lenp < 0)
		return -EINVAL;
	if ((int)a1 != SOL_SOCKET)
		return -EOPNOTSUPP;
	long r = get_option(u, (int)a2, &o);
	if (r != 0)
		return r;
	uint32_t n = *lenp < o.size ? *lenp : o.size;
	if (n && !hut_user_writable(val, n))
		return -EFAULT;
	hut_memcpy(val, &o.u, n);
	*lenp = n;
	return 0;
}
