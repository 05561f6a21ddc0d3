/*
 * Moving bytes between fds without the app's buffers: splice, tee,
 * vmsplice and copy_file_range, with Linux's rules and errnos. Linux moves
 * page references; here the bytes go through one libos buffer, but a pipe's
 * bytes are only taken once the other side has accepted them (pipe.c's
 * peek and take), so nothing is lost when a write falls short. The
 * non-blocking rule is Linux's: SPLICE_F_NONBLOCK, or O_NONBLOCK on the
 * pipe end, makes a pipe that would block answer EAGAIN.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>

#define SPLICE_F_MOVE 1
#define SPLICE_F_NONBLOCK 2
#define SPLICE_F_MORE 4
#define SPLICE_F_GIFT 8
#define SPLICE_F_ALL (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)
#define CHUNK_PAGES 16
#define CHUNK (CHUNK_PAGES * HUT_PAGE_SIZE)
#define COUNT_MAX 0x7ffff000L

static int readable_file(const struct hut_file *f)
{
	return !(f->kind & HUT_KIND_PATH) && (f->flags & O_ACCMODE) != O_WRONLY;
}

static int writable_file(const struct hut_file *f)
{
	return !(f->kind & HUT_KIND_PATH) && (f->flags & O_ACCMODE) != O_RDONLY;
}

static int nonblock(const struct hut_file *pipe_end, long flags)
{
	return (flags & SPLICE_F_NONBLOCK) || (pipe_end->flags & O_NONBLOCK);
}

/* Reads or writes f at *off (a seekable file's own offset when at is
 * NULL) with a libos buffer. */
static long file_io(struct hut_file *f, void *buf, uint64_t len, uint64_t *off, int write)
{
	struct hut_iovec iov = {(uint64_t)(uintptr_t)buf, len};
	if (write && (f->flags & O_APPEND))
		*off = HUT_OFF_APPEND;
	long r = write ? f->ops->write(f, &iov, 1, off) : f->ops->read(f, &iov, 1, off);
	if (r > 0)
		hut_file_note(f, write ? HUT_NOTE_MODIFY : HUT_NOTE_ACCESS);
	return r;
}

/* The app's offset (checked; negative: EINVAL unless may_be_negative),
 * or the file's own: NULL offp uses f->pos. */
static long offset_in(struct hut_file *f, int64_t *offp, uint64_t *off, int may_be_negative)
{
	if (!offp) {
		*off = f->pos;
		return 0;
	}
	if (!hut_user_writable(offp, sizeof *offp))
		return -EFAULT;
	if (*offp < 0 && !may_be_negative)
		return -EINVAL;
	*off = (uint64_t)*offp;
	return 0;
}

static void offset_out(struct hut_file *f, int64_t *offp, uint64_t off)
{
	if (offp)
		*offp = (int64_t)off;
	else if (f->kind & HUT_KIND_SEEKABLE)
		f->pos = off;
}

/* A pipe's bytes into a file: at most what the pipe holds now. */
static long from_pipe(struct hut_file *in, struct hut_file *out, int64_t *offp, uint64_t len,
		      long flags)
{
	uint64_t off;
	long r = offset_in(out, offp, &off, 0);
	if (r != 0)
		return r;
	if ((r = hut_pipe_wait_data(in, nonblock(in, flags))) <= 0)
		return r;
	uint8_t *buf = hut_pages_alloc(CHUNK_PAGES);
	if (!buf)
		return -ENOMEM;
	uint64_t n = hut_pipe_peek(in, buf, len < CHUNK ? len : CHUNK);
	r = file_io(out, buf, n, &off, 1);
	if (r > 0) {
		hut_pipe_take(in, (uint64_t)r);
		offset_out(out, offp, off);
	}
	hut_pages_free(buf, CHUNK_PAGES);
	return r;
}

/* A file's bytes into a pipe: at most the room the pipe has now. */
static long to_pipe(struct hut_file *in, int64_t *offp, struct hut_file *out, uint64_t len,
		    long flags)
{
	uint64_t off;
	long r = offset_in(in, offp, &off, 0);
	if (r != 0)
		return r;
	if ((r = hut_pipe_wait_room(out, nonblock(out, flags))) <= 0)
		return r;
	uint64_t n = len < (uint64_t)r ? len : (uint64_t)r;
	if (n > CHUNK)
		n = CHUNK;
	uint8_t *buf = hut_pages_alloc(CHUNK_PAGES);
	if (!buf)
		return -ENOMEM;
	r = file_io(in, buf, n, &off, 0);
	if (r > 0) {
		hut_pipe_put(out, buf, (uint64_t)r);
		offset_out(in, offp, off);
	}
	hut_pages_free(buf, CHUNK_PAGES);
	return r;
}

/* Pipe to pipe: tee copies (take 0), splice moves. */
static long pipe_to_pipe(struct hut_file *in, struct hut_file *out, uint64_t len, long flags,
			 int take)
{
	int nb = (flags & SPLICE_F_NONBLOCK) || ((in->flags | out->flags) & O_NONBLOCK);
	long have = hut_pipe_wait_data(in, nb);
	if (have <= 0)
		return have;
	long room = hut_pipe_wait_room(out, nb);
	if (room < 0)
		return room;
	uint64_t n = len < (uint64_t)room ? len : (uint64_t)room;
	uint8_t *buf = hut_pages_alloc(CHUNK_PAGES);
	if (!buf)
		return -ENOMEM;
	n = hut_pipe_peek(in, buf, n < CHUNK ? n : CHUNK);
	hut_pipe_put(out, buf, n);
	if (take)
		hut_pipe_take(in, n);
	hut_pages_free(buf, CHUNK_PAGES);
	return (long)n;
}

HUT_SYSCALL(splice)
{
	struct hut_file *in, *out;
	int64_t *off_in = (int64_t *)a1, *off_out = (int64_t *)a3;
	uint64_t len = (uint64_t)a4 > COUNT_MAX ? COUNT_MAX : (uint64_t)a4;
	if (a4 == 0)
		return 0;
	if (a5 & ~(long)SPLICE_F_ALL)
		return -EINVAL;
	if (!(in = hut_fd_file(a0)) || !(out = hut_fd_file(a2)))
		return -EBADF;
	int in_pipe = hut_file_is_pipe(in), out_pipe = hut_file_is_pipe(out);
	if ((in_pipe && off_in) || (out_pipe && off_out))
		return -ESPIPE;
	if (!readable_file(in) || !writable_file(out))
		return -EBADF;
	if (in_pipe && out_pipe) {
		if (in->priv == out->priv)
			return -EINVAL;
		return pipe_to_pipe(in, out, len, a5, 1);
	}
	if (in_pipe) {
		if ((off_out && !(out->kind & HUT_KIND_SEEKABLE)) || !out->ops->write ||
		    (out->kind & HUT_KIND_DIR))
			return -EINVAL;
		if (out->flags & O_APPEND)
			return -EINVAL;
		return from_pipe(in, out, off_out, len, a5);
	}
	if (out_pipe) {
		if ((off_in && !(in->kind & HUT_KIND_SEEKABLE)) || !in->ops->read ||
		    (in->kind & HUT_KIND_DIR))
			return -EINVAL;
		return to_pipe(in, off_in, out, len, a5);
	}
	return -EINVAL;
}

HUT_SYSCALL(tee)
{
	struct hut_file *in, *out;
	uint64_t len = (uint64_t)a2 > COUNT_MAX ? COUNT_MAX : (uint64_t)a2;
	if (a3 & ~(long)SPLICE_F_ALL)
		return -EINVAL;
	if (a2 == 0)
		return 0;
	if (!(in = hut_fd_file(a0)) || !(out = hut_fd_file(a1)))
		return -EBADF;
	if (!hut_file_is_pipe(in) || !hut_file_is_pipe(out) || in->priv == out->priv)
		return -EINVAL;
	if (!readable_file(in) || !writable_file(out))
		return -EBADF;
	return pipe_to_pipe(in, out, len, a3, 0);
}

/* vmsplice: the app's iovecs into a pipe's write end, or out of a read
 * end (as readv would); SPLICE_F_NONBLOCK as O_NONBLOCK for this call. */
HUT_SYSCALL(vmsplice)
{
	struct hut_file *f = hut_fd_file(a0);
	const struct hut_iovec *iov = (const struct hut_iovec *)a1;
	uint64_t total, off = 0;
	long r;
	if (a3 & ~(long)SPLICE_F_ALL)
		return -EINVAL;
	if (!f)
		return -EBADF;
	if (!hut_file_is_pipe(f))
		return -EBADF;
	if (a2 < 0 || a2 > HUT_IOV_MAX)
		return -EINVAL;
	if (!hut_user_readable(iov, (size_t)a2 * sizeof *iov))
		return -EFAULT;
	int write = writable_file(f);
	if ((r = hut_iov_check(iov, a2, !write, &total)) != 0)
		return r;
	if (total == 0)
		return 0;
	uint32_t flags = f->flags;
	if (a3 & SPLICE_F_NONBLOCK)
		f->flags |= O_NONBLOCK; /* no wait follows, so no other thread sees it */
	r = write ? f->ops->write(f, iov, (int)a2, &off) : f->ops->read(f, iov, (int)a2, &off);
	f->flags = flags;
	return r;
}

/* --- copy_file_range ------------------------------------------------------- */

/* Linux's checks (generic_file_rw_checks, generic_copy_file_checks), and
 * since 5.19: files of two different file systems are EXDEV. */
static long copy_check(struct hut_file *in, struct hut_file *out, uint64_t in_off, uint64_t out_off,
		       uint64_t len)
{
	struct stat si, so;
	if ((in->kind & HUT_KIND_DIR) || (out->kind & HUT_KIND_DIR))
		return -EISDIR;
	if (!in->ops->stat || !out->ops->stat || in->ops->stat(in, &si) != 0 ||
	    out->ops->stat(out, &so) != 0 || !S_ISREG(si.st_mode) || !S_ISREG(so.st_mode))
		return -EINVAL;
	if (!readable_file(in) || !writable_file(out) || (out->flags & O_APPEND))
		return -EBADF;
	/* A negative offset is one past INT64_MAX here, as Linux sees it. */
	if (in_off > (uint64_t)INT64_MAX - len || out_off > (uint64_t)INT64_MAX - len)
		return -EOVERFLOW;
	if (si.st_dev == so.st_dev && si.st_ino == so.st_ino && in_off + len > out_off &&
	    out_off + len > in_off)
		return -EINVAL;
	if (in->mount != out->mount || si.st_dev != so.st_dev)
		return -EXDEV;
	return 0;
}

static long copy_bytes(struct hut_file *in, struct hut_file *out, uint64_t *in_off,
		       uint64_t *out_off, uint64_t len)
{
	uint8_t *buf = hut_pages_alloc(CHUNK_PAGES);
	long done = 0, r = 0;
	if (!buf)
		return -ENOMEM;
	while ((uint64_t)done < len) {
		uint64_t want = len - (uint64_t)done < CHUNK ? len - (uint64_t)done : CHUNK;
		uint64_t off = *in_off;
		if ((r = file_io(in, buf, want, &off, 0)) <= 0)
			break;
		uint64_t got = (uint64_t)r;
		if ((r = file_io(out, buf, got, out_off, 1)) <= 0)
			break;
		*in_off += (uint64_t)r;
		done += r;
		if ((uint64_t)r < want)
			break;
	}
	hut_pages_free(buf, CHUNK_PAGES);
	return done > 0 ? done : r;
}

HUT_SYSCALL(copy_file_range)
{
	struct hut_file *in = hut_fd_file(a0), *out = hut_fd_file(a2);
	int64_t *off_in = (int64_t *)a1, *off_out = (int64_t *)a3;
	uint64_t len = (uint64_t)a4 > COUNT_MAX ? COUNT_MAX : (uint64_t)a4, in_off, out_off;
	long r;
	if (!in || !out)
		return -EBADF;
	if (a5 != 0)
		return -EINVAL;
	if ((r = offset_in(in, off_in, &in_off, 1)) != 0 ||
	    (r = offset_in(out, off_out, &out_off, 1)) != 0)
		return r;
	if ((r = copy_check(in, out, in_off, out_off, len)) != 0)
		return r;
	if (len == 0)
		return 0;
	r = copy_bytes(in, out, &in_off, &out_off, len);
	if (r > 0) {
		offset_out(in, off_in, in_off);
		offset_out(out, off_out, out_off);
	}
	return r;
}
