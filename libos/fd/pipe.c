/*
 * Pipes: a 64 KiB ring in guest memory between a read end and a write end,
 * both in this one process. Reads and writes follow pipe(7): EOF once no
 * writer is left, EPIPE and SIGPIPE once no reader is, atomic writes up to
 * PIPE_BUF, EAGAIN with O_NONBLOCK. A blocking read of an empty pipe (or a
 * write to a full one) waits in hut_wait for another thread to write (or
 * read); with no other thread, as on Linux, it never returns, so only
 * --timeout ends it. A signal handler interrupts the wait (EINTR, or the
 * count done so far), and SA_RESTART restarts it (signal.c).
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>

#define PIPE_SIZE (16 * HUT_PAGE_SIZE) /* Linux's default capacity */
#define PIPE_ATOMIC 4096	       /* PIPE_BUF */
#define PIPEFS_DEV 12

struct pipe {
	uint8_t *buf;
	uint64_t head, len; /* readable bytes: len of them from head, wrapping */
	uint32_t readers, writers;
	uint64_t ino;
	struct hut_file *read_end, *write_end; /* NULL once released: news for epoll */
};

static int readable(void *arg)
{
	const struct pipe *p = arg;
	return p->len > 0 || p->writers == 0;
}

struct room_wanted {
	const struct pipe *p;
	uint64_t bytes;
};

static int writable(void *arg)
{
	const struct room_wanted *w = arg;
	return PIPE_SIZE - w->p->len >= w->bytes || w->p->readers == 0;
}

/* Copies between the ring and the iovecs, in at most two pieces. */
static void ring_read(struct pipe *p, const struct hut_iovec *iov, int iovcnt, uint64_t n)
{
	uint64_t first = PIPE_SIZE - p->head < n ? PIPE_SIZE - p->head : n;
	hut_iov_copy_out(iov, iovcnt, 0, p->buf + p->head, first);
	hut_iov_copy_out(iov, iovcnt, first, p->buf, n - first);
	p->head = (p->head + n) % PIPE_SIZE;
	p->len -= n;
}

/* Copies n bytes from offset done of the iovecs. */
static void ring_write(struct pipe *p, const struct hut_iovec *iov, int iovcnt, uint64_t done,
		       uint64_t n)
{
	uint64_t tail = (p->head + p->len) % PIPE_SIZE;
	uint64_t first = PIPE_SIZE - tail < n ? PIPE_SIZE - tail : n;
	hut_iov_copy_in(iov, iovcnt, done, p->buf + tail, first);
	hut_iov_copy_in(iov, iovcnt, done + first, p->buf, n - first);
	p->len += n;
}

static long pipe_read(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	struct pipe *p = f->priv;
	uint64_t want = hut_iov_total(iov, iovcnt);
	(void)off;
	if (want == 0)
		return 0;
	if (p->len == 0 && p->writers != 0) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		long r = hut_wait(readable, p, HUT_WAIT_FOREVER, HUT_WAIT_INTERRUPTIBLE);
		if (r < 0)
			return r;
		if (p->len == 0)
			return 0; /* the last writer left */
	}
	uint64_t n = want < p->len ? want : p->len;
	ring_read(p, iov, iovcnt, n);
	hut_file_changed(p->write_end, HUT_POLLOUT);
	return (long)n;
}

/* Writes as pipe(7) says: all of it unless O_NONBLOCK; up to PIPE_BUF
 * bytes in one piece. */
static long pipe_write(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	struct pipe *p = f->priv;
	uint64_t want = hut_iov_total(iov, iovcnt), done = 0;
	(void)off;
	while (p->readers > 0) {
		uint64_t left = want - done, room = PIPE_SIZE - p->len;
		uint64_t piece =
			left <= PIPE_ATOMIC ? left : 1; /* the least a write may wait for */
		if (left == 0 || (room < piece && (f->flags & O_NONBLOCK)))
			return done ? (long)done : (left ? -EAGAIN : 0);
		if (room < piece) {
			struct room_wanted w = {p, piece};
			long r = hut_wait(writable, &w, HUT_WAIT_FOREVER, HUT_WAIT_INTERRUPTIBLE);
			if (r < 0)
				return done ? (long)done : r;
			continue;
		}
		uint64_t n = left < room ? left : room;
		ring_write(p, iov, iovcnt, done, n);
		hut_file_changed(p->read_end, HUT_POLLIN);
		done += n;
	}
	hut_signal_raise_thread(SIGPIPE);
	return done ? (long)done : -EPIPE;
}

static long pipe_stat(struct hut_file *f, struct stat *st)
{
	const struct pipe *p = f->priv;
	hut_memset(st, 0, sizeof *st);
	st->st_dev = PIPEFS_DEV;
	st->st_ino = p->ino;
	st->st_mode = S_IFIFO | 0600;
	st->st_nlink = 1;
	st->st_blksize = HUT_PAGE_SIZE;
	return 0;
}

static long pipe_ioctl(struct hut_file *f, unsigned long request, long arg)
{
	const struct pipe *p = f->priv;
	if (request != FIONREAD)
		return -ENOTTY;
	if (!hut_user_writable((void *)arg, sizeof(int)))
		return -EFAULT;
	*(int *)arg = (int)p->len;
	return 0;
}

static uint32_t pipe_poll(struct hut_file *f)
{
	const struct pipe *p = f->priv;
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return (p->len ? HUT_POLLIN | HUT_POLLRDNORM : 0) | (p->writers ? 0 : HUT_POLLHUP);
	return (p->len < PIPE_SIZE ? HUT_POLLOUT | HUT_POLLWRNORM : 0) |
	       (p->readers ? 0 : HUT_POLLERR);
}

static void pipe_release(struct hut_file *f)
{
	struct pipe *p = f->priv;
	if ((f->flags & O_ACCMODE) == O_RDONLY) {
		p->readers--;
		p->read_end = NULL;
	} else {
		p->writers--;
		p->write_end = NULL;
	}
	hut_file_changed(p->read_end, HUT_POLLIN | HUT_POLLOUT);
	hut_file_changed(p->write_end, HUT_POLLIN | HUT_POLLOUT);
	if (p->readers == 0 && p->writers == 0) {
		hut_pages_free(p->buf, PIPE_SIZE / HUT_PAGE_SIZE);
		hut_kfree(p, sizeof *p);
	}
}

static const struct hut_file_ops pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.stat = pipe_stat,
	.ioctl = pipe_ioctl,
	.poll = pipe_poll,
	.release = pipe_release,
};

static struct pipe *pipe_new(void)
{
	static uint64_t next_ino = 1;
	struct pipe *p = hut_kalloc(sizeof *p);
	if (!p)
		return NULL;
	if (!(p->buf = hut_pages_alloc(PIPE_SIZE / HUT_PAGE_SIZE))) {
		hut_kfree(p, sizeof *p);
		return NULL;
	}
	p->ino = next_ino++;
	return p;
}

/* Both ends, each holding its side of the pipe. */
static long make_ends(struct pipe *p, uint32_t status, struct hut_file **r, struct hut_file **w)
{
	*r = hut_file_new(&pipe_ops, O_RDONLY | status, 0);
	*w = hut_file_new(&pipe_ops, O_WRONLY | status, 0);
	if (!*r || !*w) {
		hut_kfree(*r, sizeof **r);
		hut_kfree(*w, sizeof **w);
		return -ENFILE;
	}
	(*r)->priv = (*w)->priv = p;
	p->read_end = *r;
	p->write_end = *w;
	p->readers = p->writers = 1;
	return 0;
}

/* pipe2(fds, flags): fds checked writable, flags checked by the caller. */
long hut_pipe_open(int *fds, long flags)
{
	struct hut_file *r, *w;
	struct pipe *p = pipe_new();
	if (!p)
		return -ENFILE;
	if (make_ends(p, (uint32_t)(flags & O_NONBLOCK), &r, &w) != 0) {
		hut_pages_free(p->buf, PIPE_SIZE / HUT_PAGE_SIZE);
		hut_kfree(p, sizeof *p);
		return -ENFILE;
	}
	long rfd = hut_fd_install(r, 0, (flags & O_CLOEXEC) != 0);
	if (rfd < 0) {
		hut_file_unref(w);
		return rfd;
	}
	long wfd = hut_fd_install(w, 0, (flags & O_CLOEXEC) != 0);
	if (wfd < 0) {
		hut_fd_close(rfd);
		return wfd;
	}
	fds[0] = (int)rfd;
	fds[1] = (int)wfd;
	return 0;
}
