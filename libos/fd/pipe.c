/*
 * Pipes: a 64 KiB ring in guest memory between a read end and a write end,
 * both in this one process. Reads and writes follow pipe(7): EOF once no
 * writer is left, EPIPE and SIGPIPE once no reader is, atomic writes up to
 * PIPE_BUF, EAGAIN with O_NONBLOCK. A blocking read of an empty pipe (or a
 * write to a full one) waits in hut_wait for another thread to write (or
 * read); with no other thread, as on Linux, it never returns, so only
 * --timeout ends it. A signal handler interrupts the wait (EINTR, or the
 * count done so far), and SA_RESTART restarts it (signal.c).
 *
 * A FIFO is the same pipe reached through a node of a file system (struct
 * hut_fifo): any number of opens of either kind (O_RDWR is both), whose
 * opens wait for the other side as fifo(7) says. Every end is on the
 * pipe's list, so that epoll hears of news on each.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>

#define PIPE_SIZE (16 * HUT_PAGE_SIZE) /* Linux's default capacity */
#define PIPE_ATOMIC 4096	       /* PIPE_BUF */
#define PIPEFS_DEV 12

struct pipe_end {
	struct hut_file *f;
	struct pipe_end *next;
	/* A FIFO's reader opened O_NONBLOCK with no writer is not hung up
	 * (poll) until a writer has opened since (writer_opens moved past
	 * what it was then), as on Linux. */
	int hup_suppressed;
	uint32_t writer_opens_seen;
};

struct pipe {
	uint8_t *buf;
	uint64_t head, len; /* readable bytes: len of them from head, wrapping */
	uint32_t readers, writers;
	/* Opens ever made of each side: a FIFO's open waits for the other's
	 * to change, as Linux's r_counter and w_counter. */
	uint32_t reader_opens, writer_opens;
	uint64_t ino;
	struct pipe_end *ends; /* every open end: news for epoll */
	struct hut_fifo *fifo; /* NULL: an anonymous pipe */
};

static int end_reads(const struct hut_file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

static int end_writes(const struct hut_file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

/* News for epoll: data (HUT_POLLIN) to the ends that read, room
 * (HUT_POLLOUT) to those that write; a hang-up to all. */
static void news(struct pipe *p, uint32_t what)
{
	for (struct pipe_end *e = p->ends; e; e = e->next) {
		uint32_t w = what;
		if (what != (HUT_POLLIN | HUT_POLLOUT))
			w &= (end_reads(e->f) ? HUT_POLLIN : 0) |
			     (end_writes(e->f) ? HUT_POLLOUT : 0);
		if (w)
			hut_file_changed(e->f, w);
	}
}

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
	news(p, HUT_POLLOUT);
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
		news(p, HUT_POLLIN);
		done += n;
	}
	hut_signal_raise_thread(SIGPIPE);
	return done ? (long)done : -EPIPE;
}

static long pipe_stat(struct hut_file *f, struct stat *st)
{
	const struct pipe *p = f->priv;
	if (p->fifo) {
		p->fifo->stat(p->fifo, st);
		return 0;
	}
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
	const struct pipe_end *e = (const struct pipe_end *)(uintptr_t)f->priv2;
	uint32_t mask = 0;
	int hung_up =
		p->writers == 0 && !(e->hup_suppressed && p->writer_opens == e->writer_opens_seen);
	if (end_reads(f))
		mask |= (p->len ? HUT_POLLIN | HUT_POLLRDNORM : 0) | (hung_up ? HUT_POLLHUP : 0);
	if (end_writes(f))
		mask |= (p->len < PIPE_SIZE ? HUT_POLLOUT | HUT_POLLWRNORM : 0) |
			(p->readers ? 0 : HUT_POLLERR);
	return mask;
}

static void pipe_free(struct pipe *p)
{
	if (p->fifo)
		p->fifo->pipe = NULL;
	hut_pages_free(p->buf, PIPE_SIZE / HUT_PAGE_SIZE);
	hut_kfree(p, sizeof *p);
}

static void end_add(struct pipe *p, struct pipe_end *e, struct hut_file *f)
{
	e->f = f;
	e->next = p->ends;
	p->ends = e;
	f->priv = p;
	f->priv2 = (uint64_t)(uintptr_t)e;
	p->readers += end_reads(f);
	p->writers += end_writes(f);
}

static void end_remove(struct pipe *p, struct hut_file *f)
{
	struct pipe_end **pp = &p->ends;
	while (*pp && (*pp)->f != f)
		pp = &(*pp)->next;
	if (*pp) {
		struct pipe_end *e = *pp;
		*pp = e->next;
		hut_kfree(e, sizeof *e);
	}
	p->readers -= end_reads(f);
	p->writers -= end_writes(f);
}

static void pipe_release(struct hut_file *f)
{
	struct pipe *p = f->priv;
	struct hut_fifo *fifo = p->fifo;
	end_remove(p, f);
	news(p, HUT_POLLIN | HUT_POLLOUT);
	if (p->readers == 0 && p->writers == 0)
		pipe_free(p);
	if (fifo)
		fifo->closed(fifo);
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

/* An end of p opened with flags (O_ACCMODE and status), or NULL. */
static struct hut_file *end_new(struct pipe *p, uint32_t flags)
{
	struct hut_file *f = hut_file_new(&pipe_ops, flags, 0);
	struct pipe_end *e = hut_kalloc(sizeof *e);
	if (!f || !e) {
		hut_kfree(f, sizeof *f);
		hut_kfree(e, sizeof *e);
		return NULL;
	}
	end_add(p, e, f);
	p->reader_opens += end_reads(f);
	p->writer_opens += end_writes(f);
	return f;
}

/* Both ends, each holding its side of the pipe. */
static long make_ends(struct pipe *p, uint32_t status, struct hut_file **r, struct hut_file **w)
{
	*r = end_new(p, O_RDONLY | status);
	*w = *r ? end_new(p, O_WRONLY | status) : NULL;
	if (!*w) {
		if (*r)
			end_remove(p, *r);
		hut_kfree(*r, sizeof **r);
		return -ENFILE;
	}
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
		pipe_free(p);
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

/* --- FIFOs --------------------------------------------------------------------- */

/* What F_GETFL shows of a FIFO's open. */
#define FIFO_STATUS_FLAGS                                                                          \
	(O_ACCMODE | O_NONBLOCK | O_APPEND | O_LARGEFILE | O_SYNC | O_DSYNC | O_NOATIME | O_DIRECT)

struct opens_seen {
	const uint32_t *counter;
	uint32_t was;
};

static int other_side_opened(void *arg)
{
	const struct opens_seen *o = arg;
	return *o->counter != o->was;
}

/* fifo(7): a reader waits for a writer to open and a writer for a reader,
 * unless one is there; an interrupted wait undoes the open. */
static long wait_other_side(struct hut_file *f, struct pipe *p)
{
	int acc = f->flags & O_ACCMODE;
	if (acc == O_RDWR)
		return 0;
	if (acc == O_WRONLY && p->readers == 0 && (f->flags & O_NONBLOCK))
		return -ENXIO;
	if ((acc == O_RDONLY ? p->writers : p->readers) > 0 || (f->flags & O_NONBLOCK))
		return 0;
	struct opens_seen o = {acc == O_RDONLY ? &p->writer_opens : &p->reader_opens, 0};
	o.was = *o.counter;
	return hut_wait(other_side_opened, &o, HUT_WAIT_FOREVER, HUT_WAIT_INTERRUPTIBLE);
}

long hut_fifo_open(struct hut_fifo *fifo, int flags, struct hut_file **out)
{
	struct pipe *p = fifo->pipe;
	if (!p) {
		if (!(p = pipe_new()))
			return -ENFILE;
		p->fifo = fifo;
		fifo->pipe = p;
	}
	struct hut_file *f = end_new(p, (uint32_t)flags & FIFO_STATUS_FLAGS);
	if (!f) {
		if (!p->ends)
			pipe_free(p);
		return -ENFILE;
	}
	if ((f->flags & O_ACCMODE) == O_RDONLY && p->writers == 0 && (f->flags & O_NONBLOCK)) {
		struct pipe_end *e = (struct pipe_end *)(uintptr_t)f->priv2;
		e->hup_suppressed = 1;
		e->writer_opens_seen = p->writer_opens;
	}
	news(p, HUT_POLLIN | HUT_POLLOUT);
	long r = wait_other_side(f, p);
	if (r != 0) {
		p->fifo = NULL; /* the node is told of no close: this open never was */
		end_remove(p, f);
		hut_kfree(f, sizeof *f);
		news(p, HUT_POLLIN | HUT_POLLOUT);
		if (!p->ends) {
			fifo->pipe = NULL;
			pipe_free(p);
		} else {
			p->fifo = fifo;
		}
		return r;
	}
	*out = f;
	return 0;
}

/* --- what splice and tee use ------------------------------------------------------ */

int hut_file_is_pipe(const struct hut_file *f)
{
	return f->ops == &pipe_ops;
}

long hut_pipe_wait_data(struct hut_file *r, int nonblock)
{
	struct pipe *p = r->priv;
	if (p->len == 0 && p->writers != 0) {
		if (nonblock)
			return -EAGAIN;
		long w = hut_wait(readable, p, HUT_WAIT_FOREVER, HUT_WAIT_INTERRUPTIBLE);
		if (w < 0)
			return w;
	}
	return (long)p->len;
}

long hut_pipe_wait_room(struct hut_file *w, int nonblock)
{
	struct pipe *p = w->priv;
	struct room_wanted want = {p, 1};
	if (p->readers > 0 && p->len == PIPE_SIZE) {
		if (nonblock)
			return -EAGAIN;
		long r = hut_wait(writable, &want, HUT_WAIT_FOREVER, HUT_WAIT_INTERRUPTIBLE);
		if (r < 0)
			return r;
	}
	if (p->readers == 0) {
		hut_signal_raise_thread(SIGPIPE);
		return -EPIPE;
	}
	return (long)(PIPE_SIZE - p->len);
}

uint64_t hut_pipe_peek(struct hut_file *r, void *buf, uint64_t len)
{
	const struct pipe *p = r->priv;
	uint64_t n = len < p->len ? len : p->len;
	uint64_t first = PIPE_SIZE - p->head < n ? PIPE_SIZE - p->head : n;
	hut_memcpy(buf, p->buf + p->head, first);
	hut_memcpy((uint8_t *)buf + first, p->buf, n - first);
	return n;
}

void hut_pipe_take(struct hut_file *r, uint64_t n)
{
	struct pipe *p = r->priv;
	p->head = (p->head + n) % PIPE_SIZE;
	p->len -= n;
	news(p, HUT_POLLOUT);
}

void hut_pipe_put(struct hut_file *w, const void *buf, uint64_t n)
{
	struct pipe *p = w->priv;
	uint64_t tail = (p->head + p->len) % PIPE_SIZE;
	uint64_t first = PIPE_SIZE - tail < n ? PIPE_SIZE - tail : n;
	hut_memcpy(p->buf + tail, buf, first);
	hut_memcpy(p->buf, (const uint8_t *)buf + first, n - first);
	p->len += n;
	news(p, HUT_POLLIN);
}
