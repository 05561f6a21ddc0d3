/*
 * What a socket is, for every protocol: the object, its wait and its news,
 * and the socket as a file (read, write, poll, ioctl, fstat, close).
 * Protocols register their ops by socket type (hut_sock_register: net/start.c
 * registers TCP and UDP), so this file names none of them. The syscalls are
 * net/sockcalls.c. See socket.h for the design.
 */
#include "net.h"
#include "socket.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static const struct hut_file_ops sock_ops;

static struct hut_sock *sock_of(struct hut_file *f)
{
	return f && f->ops == &sock_ops ? f->priv : NULL;
}

long hut_sock_fd(long fd, struct hut_sock **s)
{
	struct hut_file *f = hut_fd_file(fd);
	if (!f)
		return -EBADF;
	*s = sock_of(f);
	return *s ? 0 : -ENOTSOCK;
}

/* 0 (do not wait), the SO_*TIMEO deadline, or forever. */
uint64_t hut_sock_deadline(const struct hut_sock *s, int flags, uint64_t timeo_ns)
{
	return hut_sock_deadline_for(s->file, flags, timeo_ns);
}

long hut_sock_wait(struct hut_sock *s, int (*ready)(void *), uint64_t deadline)
{
	return hut_sock_wait_for(ready, s, deadline);
}

void hut_sock_run(void)
{
	hut_net_poll();
}

void hut_sock_news(struct hut_sock *s, uint32_t what)
{
	hut_file_changed(s->file, what);
}

int hut_sock_take_error(struct hut_sock *s)
{
	int e = s->error;
	s->error = 0;
	return e;
}

long hut_sock_epipe(int flags)
{
	if (!(flags & MSG_NOSIGNAL))
		hut_signal_raise(SIGPIPE);
	return -EPIPE;
}

#define TYPES_MAX 2 /* SOCK_STREAM (1), SOCK_DGRAM (2) */

static const struct hut_sock_proto *protos[TYPES_MAX + 1];

void hut_sock_register(int type, const struct hut_sock_proto *proto)
{
	if (type > 0 && type <= TYPES_MAX)
		protos[type] = proto;
}

struct hut_sock *hut_sock_new(int type)
{
	const struct hut_sock_proto *proto = type > 0 && type <= TYPES_MAX ? protos[type] : NULL;
	if (!proto)
		return NULL;
	struct hut_sock *s = hut_kalloc(sizeof *s);
	if (!s)
		return NULL;
	s->type = type;
	s->proto = proto;
	/* Linux's defaults (net.ipv4.tcp_rmem/wmem, net.core.*mem_default). */
	s->rcvbuf = type == SOCK_STREAM ? 131072 : 212992;
	s->sndbuf = type == SOCK_STREAM ? 16384 : 212992;
	s->keep_idle = 7200, s->keep_intvl = 75, s->keep_cnt = 9;
	s->ttl = 64;
	return s;
}

long hut_sock_install(struct hut_sock *s, int flags)
{
	struct hut_file *f =
		hut_file_new(&sock_ops, O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0), 0);
	if (!f) {
		s->proto->close(s);
		hut_kfree(s, sizeof *s);
		return -ENFILE;
	}
	f->priv = s;
	s->file = f;
	return hut_fd_install(f, 0, (flags & SOCK_CLOEXEC) != 0);
}

/* --- the file ops ------------------------------------------------------------ */

static long sock_read(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	struct hut_sock *s = f->priv;
	(void)off;
	return s->proto->recv(s, iov, iovcnt, 0, NULL, NULL,
			      hut_sock_deadline(s, 0, s->rcvtimeo_ns));
}

static long sock_write(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	struct hut_sock *s = f->priv;
	(void)off;
	return s->proto->send(s, iov, iovcnt, 0, NULL, hut_sock_deadline(s, 0, s->sndtimeo_ns));
}

static long sock_ioctl(struct hut_file *f, unsigned long request, long arg)
{
	struct hut_sock *s = f->priv;
	if (request != FIONREAD)
		return -ENOTTY;
	if (s->state == HUT_SOCK_LISTENING)
		return -EINVAL;
	return hut_sock_fionread(arg, s->proto->readable_bytes(s));
}

static uint32_t sock_poll(struct hut_file *f)
{
	struct hut_sock *s = f->priv;
	return s->proto->poll(s);
}

static void sock_release(struct hut_file *f)
{
	struct hut_sock *s = f->priv;
	s->file = NULL;
	s->proto->close(s);
	hut_kfree(s, sizeof *s);
}

static const struct hut_file_ops sock_ops = {
	.read = sock_read,
	.write = sock_write,
	.stat = hut_sock_file_stat,
	.ioctl = sock_ioctl,
	.poll = sock_poll,
	.release = sock_release,
};
