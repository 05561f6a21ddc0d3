/*
 * Names of Unix sockets: struct sockaddr_un in and out, with Linux's
 * checks, bind() to a path (a socket node in the file system: fs/socknode.c)
 * or to an abstract name (a leading NUL: only this table knows it), and
 * finding the socket a name reaches.
 */
#include "unix.h"

#include <errno.h>
#include <stddef.h>

#define FAMILY_LEN offsetof(struct sockaddr_un, sun_path)

long hut_unix_name_in(const void *addr, long len, struct hut_unix_name *out)
{
	if (len < (long)FAMILY_LEN || len > (long)sizeof out->addr)
		return -EINVAL;
	if (!hut_user_readable(addr, (size_t)len))
		return -EFAULT;
	hut_memset(out, 0, sizeof *out);
	hut_memcpy(&out->addr, addr, (size_t)len);
	if (out->addr.sun_family != AF_UNIX)
		return -EINVAL;
	if (len == FAMILY_LEN || out->addr.sun_path[0] == 0) {
		out->len = (uint32_t)len; /* abstract (or autobind): every byte counts */
		return 0;
	}
	/* A path ends at its first NUL; Linux reports it with one. */
	out->len = (uint32_t)(FAMILY_LEN + hut_strlen(out->addr.sun_path) + 1);
	return 0;
}

long hut_unix_name_out(const struct hut_unix_name *n, void *addr, uint32_t *len)
{
	uint32_t size = n->len ? n->len : FAMILY_LEN;
	struct sockaddr_un unnamed = {.sun_family = AF_UNIX};
	const void *src = n->len ? (const void *)&n->addr : &unnamed;
	if (!hut_user_writable(len, sizeof *len))
		return -EFAULT;
	if ((int32_t)*len < 0)
		return -EINVAL;
	uint32_t copy = *len < size ? *len : size;
	if (copy && !hut_user_writable(addr, copy))
		return -EFAULT;
	hut_memcpy(addr, src, copy);
	*len = size;
	return 0;
}

static int is_abstract(const struct hut_unix_name *n)
{
	return n->addr.sun_path[0] == 0;
}

/* bind with only the family: a free abstract name of five hex digits, as
 * Linux's autobind picks. */
static long autobind(struct hut_unix_name *n)
{
	static uint32_t next;
	static const char hex[] = "0123456789abcdef";
	for (uint32_t tries = 0; tries < 0x100000; tries++) {
		uint32_t v = next++ & 0xfffff;
		n->addr.sun_path[0] = 0;
		for (int i = 0; i < 5; i++)
			n->addr.sun_path[1 + i] = hex[(v >> (16 - 4 * i)) & 0xf];
		n->len = FAMILY_LEN + 6;
		if (!hut_unix_find(n, 0, 0))
			return 0;
	}
	return -ENOSPC;
}

long hut_unix_bind(struct hut_unix *u, const struct hut_unix_name *n)
{
	struct hut_unix_name name = *n;
	long r;
	if (u->name.len)
		return -EINVAL;
	if (name.len == FAMILY_LEN)
		r = autobind(&name);
	else if (is_abstract(&name))
		r = hut_unix_find(&name, 0, 0) ? -EADDRINUSE : 0;
	else
		r = hut_socknode_make(name.addr.sun_path, 0777, &u->node_dev, &u->node_ino);
	if (r != 0)
		return r;
	u->name = name;
	u->owns_name = 1;
	return 0;
}

long hut_unix_lookup(const struct hut_unix_name *n, struct hut_unix **out)
{
	uint64_t dev, ino;
	if (n->len <= FAMILY_LEN)
		return -EINVAL;
	if (is_abstract(n)) {
		*out = hut_unix_find(n, 0, 0);
		return *out ? 0 : -ECONNREFUSED;
	}
	long r = hut_socknode_find(n->addr.sun_path, &dev, &ino);
	if (r != 0)
		return r;
	*out = hut_unix_find(NULL, dev, ino);
	return *out ? 0 : -ECONNREFUSED;
}
