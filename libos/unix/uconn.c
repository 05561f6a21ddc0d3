/*
 * Connections of stream and seqpacket Unix sockets. connect() is complete
 * at once, as on Linux: it makes the server's end itself, pairs it with the
 * client and queues it on the listener, where accept() takes it. A full
 * backlog makes connect wait (or EAGAIN). A wait never holds a pointer to
 * the listener, which another thread may close meanwhile: it looks the
 * name up again.
 */
#include "unix.h"

#include <errno.h>

#define BACKLOG_MAX HUT_SOMAXCONN

long hut_unix_listen(struct hut_unix *u, int backlog)
{
	if (u->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (!u->owns_name || u->state == HUT_UNIX_CONNECTED)
		return -EINVAL;
	u->backlog = backlog < 0 ? 0 : backlog > BACKLOG_MAX ? BACKLOG_MAX : backlog;
	u->state = HUT_UNIX_LISTENING;
	return 0;
}

/* The listener a name reaches: 0, or the errno connect() gives. */
static long find_listener(const struct hut_unix_name *to, int type, struct hut_unix **out)
{
	long r = hut_unix_lookup(to, out);
	if (r != 0)
		return r;
	if ((*out)->type != type)
		return -EPROTOTYPE;
	return (*out)->state == HUT_UNIX_LISTENING ? 0 : -ECONNREFUSED;
}

struct backlog_wait {
	const struct hut_unix_name *to;
	int type;
};

/* Room in the backlog, or the listener is gone (connect then says why). */
static int backlog_room(void *arg)
{
	const struct backlog_wait *w = arg;
	struct hut_unix *l;
	return find_listener(w->to, w->type, &l) != 0 || l->acc_count <= l->backlog;
}

static void queue_child(struct hut_unix *l, struct hut_unix *child)
{
	if (l->acc_tail)
		l->acc_tail->acc_next = child;
	else
		l->acc_head = child;
	l->acc_tail = child;
	l->acc_count++;
	hut_unix_news(l, HUT_POLLIN);
}

long hut_unix_connect(struct hut_unix *u, const struct hut_unix_name *to, uint64_t deadline)
{
	struct backlog_wait w = {to, u->type};
	struct hut_unix *l;
	long r;
	if (u->state == HUT_UNIX_CONNECTED)
		return -EISCONN;
	if (u->state == HUT_UNIX_LISTENING)
		return -EINVAL;
	if ((r = hut_sock_wait_for(backlog_room, &w, deadline)) != 0)
		return r;
	if ((r = find_listener(to, u->type, &l)) != 0)
		return r;
	struct hut_unix *child = hut_unix_new(u->type);
	if (!child)
		return -ENOMEM;
	child->name = l->name; /* getsockname of the accepted socket: the listener's */
	hut_unix_pair(u, child);
	queue_child(l, child);
	return 0;
}

static int has_pending(void *arg)
{
	const struct hut_unix *l = arg;
	return l->acc_head != NULL || l->state != HUT_UNIX_LISTENING;
}

long hut_unix_accept(struct hut_unix *u, struct hut_unix **child, uint64_t deadline)
{
	if (u->state != HUT_UNIX_LISTENING)
		return -EINVAL;
	long r = hut_sock_wait_for(has_pending, u, deadline);
	if (r != 0)
		return r;
	if (!u->acc_head)
		return -EINVAL;
	*child = u->acc_head;
	u->acc_head = (*child)->acc_next;
	if (!u->acc_head)
		u->acc_tail = NULL;
	(*child)->acc_next = NULL;
	u->acc_count--;
	return 0;
}

/* connect() of a datagram socket: the default peer, which sends go to and
 * which alone may send to it. to NULL (AF_UNSPEC) dissolves it. */
long hut_unix_connect_dgram(struct hut_unix *u, const struct hut_unix_name *to)
{
	struct hut_unix *d;
	if (!to) {
		u->peer = NULL;
		u->state = HUT_UNIX_NEW;
		return 0;
	}
	long r = hut_unix_lookup(to, &d);
	if (r != 0)
		return r;
	if (d->type != SOCK_DGRAM)
		return -EPROTOTYPE;
	if (d->peer && d->peer != u)
		return -EPERM;
	u->peer = d;
	u->peer_name = d->name;
	u->refused = 0;
	u->state = HUT_UNIX_CONNECTED;
	return 0;
}
