/*
 * The Unix socket object: made, paired, found by its bound name, and
 * unhooked when it goes (uclose.c). Every socket is on one list, which
 * hut_unix_find searches for a name and which a closing socket walks to
 * unhook datagram sockets that named it as their peer (a few sockets per
 * appliance; a table comes when that is measured to matter).
 */
#include "unix.h"

#include <errno.h>
#include <fcntl.h>

static struct hut_unix *all;

struct hut_unix *hut_unix_new(int type)
{
	struct hut_unix *u = hut_kalloc(sizeof *u);
	if (!u)
		return NULL;
	u->type = type;
	u->rcvbuf = u->sndbuf = HUT_UNIX_BUF;
	u->all_next = all;
	all = u;
	return u;
}

void hut_unix_pair(struct hut_unix *a, struct hut_unix *b)
{
	a->peer = b;
	b->peer = a;
	a->peer_name = b->name;
	b->peer_name = a->name;
	a->state = b->state = HUT_UNIX_CONNECTED;
}

static int same_name(const struct hut_unix_name *a, const struct hut_unix_name *b)
{
	return a->len == b->len && hut_memcmp(&a->addr, &b->addr, a->len) == 0;
}

struct hut_unix *hut_unix_find(const struct hut_unix_name *name, uint64_t dev, uint64_t ino)
{
	for (struct hut_unix *u = all; u; u = u->all_next) {
		if (!u->owns_name)
			continue;
		if (name && u->name.addr.sun_path[0] == 0 && same_name(&u->name, name))
			return u;
		if (!name && u->node_ino && u->node_dev == dev && u->node_ino == ino)
			return u;
	}
	return NULL;
}

void hut_unix_forget(struct hut_unix *u)
{
	for (struct hut_unix **p = &all; *p; p = &(*p)->all_next)
		if (*p == u) {
			*p = u->all_next;
			return;
		}
}

/* A stream peer sees EOF (ECONNRESET if it left data unread, as Linux
 * does); datagram sockets that sent to u by default lose their peer, and
 * their next send says ECONNREFUSED. */
void hut_unix_detach_peers(struct hut_unix *u, int unread)
{
	for (struct hut_unix *o = all; o; o = o->all_next) {
		if (o->peer != u)
			continue;
		o->peer = NULL;
		if (o->type != SOCK_DGRAM) {
			o->shut = HUT_UNIX_SHUT_RD | HUT_UNIX_SHUT_WR;
			if (unread)
				o->error = ECONNRESET;
		} else {
			o->refused = 1;
		}
		hut_unix_news(o, HUT_POLLIN | HUT_POLLOUT);
	}
}

void hut_unix_news(struct hut_unix *u, uint32_t what)
{
	if (u)
		hut_file_changed(u->file, what);
}
