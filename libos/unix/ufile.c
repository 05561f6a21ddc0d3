/*
 * A Unix socket as a file: read and write are recv and send with no
 * flags, poll is the socket's readiness, FIONREAD its queue, fstat an
 * S_IFSOCK inode, and the last close releases the socket (usock.c).
 * Files passed in a plain read (SCM_RIGHTS with no recvmsg) are dropped,
 * as Linux drops them.
 */
#include "unix.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>

static const struct hut_file_ops unix_ops;

struct hut_unix *hut_unix_of(struct hut_file *f)
{
	return f && f->ops == &unix_ops ? f->priv : NULL;
}

long hut_unix_install(struct hut_unix *u, int flags)
{
	struct hut_file *f =
		hut_file_new(&unix_ops, O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0), 0);
	if (!f) {
		hut_unix_release(u);
		return -ENFILE;
	}
	f->priv = u;
	u->file = f;
	return hut_fd_install(f, 0, (flags & SOCK_CLOEXEC) != 0);
}

static long unix_read(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	struct hut_unix_recv r = {0};
	(void)off;
	long n = hut_unix_recv(f->priv, iov, iovcnt, 0, &r);
	hut_unix_files_drop(r.files, r.nfiles);
	return n;
}

static long unix_write(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	struct hut_unix_send s = {iov, iovcnt, 0, NULL, 0};
	(void)off;
	return hut_unix_send(f->priv, &s, NULL);
}

static long unix_ioctl(struct hut_file *f, unsigned long request, long arg)
{
	struct hut_unix *u = f->priv;
	if (request != FIONREAD)
		return -ENOTTY;
	if (u->state == HUT_UNIX_LISTENING)
		return -EINVAL;
	return hut_sock_fionread(arg, hut_unix_readable(u));
}

static uint32_t unix_poll(struct hut_file *f)
{
	return hut_unix_poll(f->priv);
}

static void unix_release(struct hut_file *f)
{
	hut_unix_release(f->priv);
}

static const struct hut_file_ops unix_ops = {
	.read = unix_read,
	.write = unix_write,
	.stat = hut_sock_file_stat,
	.ioctl = unix_ioctl,
	.poll = unix_poll,
	.release = unix_release,
};
