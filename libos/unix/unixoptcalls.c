/*
 * getsockopt and setsockopt of Unix sockets: the SOL_SOCKET options with
 * Linux's answers (SO_PEERCRED names this appliance's one process: pid 1,
 * uid and gid 0; buffer sizes doubled as Linux reports them). Other levels
 * are EOPNOTSUPP, as af_unix has no protocol options.
 */
#include "unix.h"

#include <errno.h>
#include <sys/time.h>

#define RCVBUF_MIN 2304 /* SOCK_MIN_RCVBUF */
#define SNDBUF_MIN 4608 /* SOCK_MIN_SNDBUF */

struct k_ucred {
	int32_t pid;
	uint32_t uid, gid;
};

static long set_option(struct hut_unix *u, int name, const void *val, uint32_t len)
{
	int v = *(const int *)val;
	switch (name) {
	case SO_RCVBUF:
		u->rcvbuf = hut_sockopt_buf((uint32_t)v, RCVBUF_MIN);
		return 0;
	case SO_SNDBUF:
		u->sndbuf = hut_sockopt_buf((uint32_t)v, SNDBUF_MIN);
		return 0;
	case SO_PASSCRED:
		u->passcred = v != 0;
		return 0;
	case SO_RCVTIMEO:
		return hut_sockopt_timeout_in(&u->rcvtimeo_ns, val, len);
	case SO_SNDTIMEO:
		return hut_sockopt_timeout_in(&u->sndtimeo_ns, val, len);
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

/* The one process's credentials while there is one (issue 23 brings more):
 * a peer, a listener, or a socketpair end all report them. */
static long put_cred(struct hut_optval *o, const struct hut_unix *u)
{
	int known = u->peer || u->state == HUT_UNIX_LISTENING;
	struct k_ucred cred = known ? (struct k_ucred){1, 0, 0} : (struct k_ucred){0, 65534, 65534};
	return hut_optval_bytes(o, &cred, sizeof cred);
}

static long get_option(struct hut_unix *u, int name, struct hut_optval *o)
{
	switch (name) {
	case SO_TYPE:
		return hut_optval_int(o, u->type);
	case SO_ERROR: {
		int e = u->error;
		u->error = 0;
		return hut_optval_int(o, e);
	}
	case SO_ACCEPTCONN:
		return hut_optval_int(o, u->state == HUT_UNIX_LISTENING);
	case SO_DOMAIN:
		return hut_optval_int(o, AF_UNIX);
	case SO_PROTOCOL:
		return hut_optval_int(o, 0);
	case SO_RCVBUF:
		return hut_optval_int(o, u->rcvbuf);
	case SO_SNDBUF:
		return hut_optval_int(o, u->sndbuf);
	case SO_PASSCRED:
		return hut_optval_int(o, u->passcred);
	case SO_PEERCRED:
		return put_cred(o, u);
	case SO_RCVTIMEO:
		return hut_optval_timeout(o, u->rcvtimeo_ns);
	case SO_SNDTIMEO:
		return hut_optval_timeout(o, u->sndtimeo_ns);
	default:
		return -ENOPROTOOPT;
	}
}

long hut_unix_getsockopt(struct hut_unix *u, long a1, long a2, long a3, long a4)
{
	struct hut_optval o = {0};
	void *val = (void *)a3;
	uint32_t *lenp = (uint32_t *)a4;
	long r = hut_optval_len_check(lenp);
	if (r != 0)
		return r;
	if ((int)a1 != SOL_SOCKET)
		return -EOPNOTSUPP;
	r = get_option(u, (int)a2, &o);
	return r != 0 ? r : hut_optval_out(&o, val, lenp);
}
