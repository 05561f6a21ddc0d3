/*
 * The syscalls that act on an fd, whatever kind of file it is: the read and
 * write family (and sendfile), lseek, fstat, ioctl, fsync, ftruncate and
 * fallocate (getdents64 is fs/dircalls.c). Here are the checks Linux makes before it reaches a file
 * system (access mode, O_PATH, directories, seekability, the app's
 * buffers), and the file offset; the ops do the rest.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>

#ifndef SEEK_DATA
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif

static int can_read(const struct hut_file *f)
{
	return !(f->kind & HUT_KIND_PATH) && (f->flags & O_ACCMODE) != O_WRONLY;
}

static int can_write(const struct hut_file *f)
{
	return !(f->kind & HUT_KIND_PATH) && (f->flags & O_ACCMODE) != O_RDONLY;
}

/* at: the offset of a pread/preadv, or NULL to use and move the file's. */
static long do_read(long fd, const struct hut_iovec *iov, long iovcnt, const int64_t *at)
{
	struct hut_file *f = hut_fd_file(fd);
	uint64_t total, off;
	long r;
	if (!f || !can_read(f))
		return -EBADF;
	if (f->kind & HUT_KIND_DIR)
		return -EISDIR;
	if (at && !(f->kind & HUT_KIND_SEEKABLE))
		return -ESPIPE;
	if (at && *at < 0)
		return -EINVAL;
	if ((r = hut_iov_check(iov, iovcnt, 1, &total)) != 0)
		return r;
	if (!f->ops->read)
		return -EINVAL;
	off = at ? (uint64_t)*at : f->pos;
	r = f->ops->read(f, iov, (int)iovcnt, &off);
	if (r > 0 && !at && (f->kind & HUT_KIND_SEEKABLE))
		f->pos = off;
	if (r > 0)
		hut_file_note(f, HUT_NOTE_ACCESS);
	return r;
}

/* As Linux, a file opened O_APPEND is written at its end even by pwrite. */
static long do_write(long fd, const struct hut_iovec *iov, long iovcnt, const int64_t *at)
{
	struct hut_file *f = hut_fd_file(fd);
	uint64_t total, off;
	long r;
	if (!f || !can_write(f))
		return -EBADF;
	if (at && !(f->kind & HUT_KIND_SEEKABLE))
		return -ESPIPE;
	if (at && *at < 0)
		return -EINVAL;
	if ((r = hut_iov_check(iov, iovcnt, 0, &total)) != 0)
		return r;
	if (!f->ops->write)
		return -EINVAL;
	off = (f->flags & O_APPEND) ? HUT_OFF_APPEND : at ? (uint64_t)*at : f->pos;
	r = f->ops->write(f, iov, (int)iovcnt, &off);
	if (r >= 0 && !at && (f->kind & HUT_KIND_SEEKABLE))
		f->pos = off;
	if (r > 0)
		hut_file_note(f, HUT_NOTE_MODIFY);
	return r;
}

static int iov_array_ok(long iov, long iovcnt)
{
	return iovcnt < 0 || iovcnt > HUT_IOV_MAX ||
	       hut_user_readable((const void *)iov, (size_t)iovcnt * sizeof(struct hut_iovec));
}

HUT_SYSCALL(read)
{
	struct hut_iovec iov = {(uint64_t)a1, (uint64_t)a2};
	return do_read(a0, &iov, 1, NULL);
}

HUT_SYSCALL(write)
{
	struct hut_iovec iov = {(uint64_t)a1, (uint64_t)a2};
	return do_write(a0, &iov, 1, NULL);
}

HUT_SYSCALL(readv)
{
	return iov_array_ok(a1, a2) ? do_read(a0, (const void *)a1, a2, NULL) : -EFAULT;
}

HUT_SYSCALL(writev)
{
	return iov_array_ok(a1, a2) ? do_write(a0, (const void *)a1, a2, NULL) : -EFAULT;
}

HUT_SYSCALL(pread64)
{
	struct hut_iovec iov = {(uint64_t)a1, (uint64_t)a2};
	int64_t at = a3;
	return do_read(a0, &iov, 1, &at);
}

HUT_SYSCALL(pwrite64)
{
	struct hut_iovec iov = {(uint64_t)a1, (uint64_t)a2};
	int64_t at = a3;
	return do_write(a0, &iov, 1, &at);
}

/* preadv and pwritev take the offset split in two longs; on x86-64 the
 * first holds all of it. */
HUT_SYSCALL(preadv)
{
	int64_t at = a3;
	return iov_array_ok(a1, a2) ? do_read(a0, (const void *)a1, a2, &at) : -EFAULT;
}

HUT_SYSCALL(pwritev)
{
	int64_t at = a3;
	return iov_array_ok(a1, a2) ? do_write(a0, (const void *)a1, a2, &at) : -EFAULT;
}

static long file_size(struct hut_file *f, int64_t *size)
{
	struct stat st;
	long r = f->ops->stat ? f->ops->stat(f, &st) : -EINVAL;
	*size = st.st_size;
	return r;
}

static long seek_target(struct hut_file *f, int64_t off, int whence, int64_t *to)
{
	int64_t base, size;
	long r;
	if (whence == SEEK_SET)
		base = 0;
	else if (whence == SEEK_CUR)
		base = (int64_t)f->pos;
	else if (whence == SEEK_END || whence == SEEK_DATA || whence == SEEK_HOLE) {
		if ((r = file_size(f, &size)) != 0)
			return r;
		if (whence != SEEK_END) { /* no holes here: data up to the end */
			if (off < 0 || off >= size)
				return -ENXIO;
			*to = whence == SEEK_DATA ? off : size;
			return 0;
		}
		base = size;
	} else
		return -EINVAL;
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	*to = base + off;
	return 0;
}

HUT_SYSCALL(lseek)
{
	struct hut_file *f = hut_fd_file(a0);
	int64_t to;
	long r;
	if (!f || (f->kind & HUT_KIND_PATH))
		return -EBADF;
	if (!(f->kind & HUT_KIND_SEEKABLE))
		return -ESPIPE;
	if ((f->kind & HUT_KIND_DIR) && f->ops->seek_dir)
		return f->ops->seek_dir(f, a1, (int)a2);
	if ((r = seek_target(f, a1, (int)a2, &to)) != 0)
		return r;
	f->pos = (uint64_t)to;
	return to;
}

HUT_SYSCALL(fstat)
{
	struct hut_file *f = hut_fd_file(a0);
	struct stat *st = (struct stat *)a1;
	if (!f)
		return -EBADF;
	if (!hut_user_writable(st, sizeof *st))
		return -EFAULT;
	return f->ops->stat ? f->ops->stat(f, st) : -EINVAL;
}

/* FIONREAD of a regular file is what lies between the offset and the end. */
static long bytes_ahead(struct hut_file *f, int *out)
{
	int64_t size;
	long r = file_size(f, &size);
	if (r != 0)
		return r;
	if (!hut_user_writable(out, sizeof *out))
		return -EFAULT;
	*out = size > (int64_t)f->pos ? (int)(size - (int64_t)f->pos) : 0;
	return 0;
}

HUT_SYSCALL(ioctl)
{
	struct hut_file *f = hut_fd_file(a0);
	if (!f || (f->kind & HUT_KIND_PATH))
		return -EBADF;
	if (a1 == FIOCLEX || a1 == FIONCLEX) {
		hut_fd_set_cloexec(a0, a1 == FIOCLEX);
		return 0;
	}
	if (a1 == FIONBIO) {
		if (!hut_user_readable((const void *)a2, sizeof(int)))
			return -EFAULT;
		f->flags = *(const int *)a2 ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		return 0;
	}
	if (f->ops->ioctl)
		return f->ops->ioctl(f, (unsigned long)a1, a2);
	if (a1 == FIONREAD && (f->kind & HUT_KIND_SEEKABLE) && !(f->kind & HUT_KIND_DIR))
		return bytes_ahead(f, (int *)a2);
	return -ENOTTY;
}

static long do_sync(long fd, int datasync)
{
	struct hut_file *f = hut_fd_file(fd);
	if (!f || (f->kind & HUT_KIND_PATH))
		return -EBADF;
	return f->ops->sync ? f->ops->sync(f, datasync) : -EINVAL;
}

HUT_SYSCALL(fsync)
{
	return do_sync(a0, 0);
}

HUT_SYSCALL(fdatasync)
{
	return do_sync(a0, 1);
}

HUT_SYSCALL(ftruncate)
{
	struct hut_file *f = hut_fd_file(a0);
	if (a1 < 0)
		return -EINVAL;
	if (!f || (f->kind & HUT_KIND_PATH))
		return -EBADF;
	if (!can_write(f) || !f->ops->truncate)
		return -EINVAL;
	long r = f->ops->truncate(f, (uint64_t)a1);
	if (r == 0)
		hut_file_note(f, HUT_NOTE_MODIFY);
	return r;
}

/* Mode 0 only: reserve the range, extending the file if it ends before. */
HUT_SYSCALL(fallocate)
{
	struct hut_file *f = hut_fd_file(a0);
	if (!f || !can_write(f))
		return -EBADF;
	if (a1 != 0)
		return -EOPNOTSUPP;
	if (a2 < 0 || a3 <= 0 || a2 > INT64_MAX - a3)
		return a2 > INT64_MAX - a3 && a2 >= 0 && a3 > 0 ? -EFBIG : -EINVAL;
	if (f->kind & HUT_KIND_DIR)
		return -EISDIR;
	if (!(f->kind & HUT_KIND_SEEKABLE))
		return -ESPIPE;
	if (!f->ops->allocate)
		return -ENODEV;
	long r = f->ops->allocate(f, (uint64_t)a2, (uint64_t)a3);
	if (r == 0)
		hut_file_note(f, HUT_NOTE_MODIFY);
	return r;
}

/* --- sendfile ------------------------------------------------------------------ */

/*
 * sendfile: a file's bytes to any fd (a socket, a pipe, another file), as
 * Linux allows since 2.6.33. The bytes go through one libos buffer, read
 * with the source's read op and written with the destination's write op,
 * so a socket's write applies its own blocking and O_NONBLOCK rules.
 */
#define CHUNK_PAGES 16
#define COUNT_MAX 0x7ffff000L /* what Linux moves at most in one call */

static long move_chunk(struct hut_file *in, struct hut_file *out, uint8_t *buf, uint64_t len,
		       uint64_t *in_off)
{
	struct hut_iovec iov = {(uint64_t)buf, len};
	uint64_t off = *in_off, out_off = out->pos;
	long got = in->ops->read(in, &iov, 1, &off);
	if (got <= 0)
		return got;
	iov.len = (uint64_t)got;
	long put = out->ops->write(out, &iov, 1, &out_off);
	if (got > 0)
		hut_file_note(in, HUT_NOTE_ACCESS);
	if (put > 0) {
		hut_file_note(out, HUT_NOTE_MODIFY);
		*in_off += (uint64_t)put;
		if (out->kind & HUT_KIND_SEEKABLE)
			out->pos = out_off;
	}
	return put;
}

static long transfer(struct hut_file *in, struct hut_file *out, uint64_t *in_off, long count)
{
	uint8_t *buf = hut_pages_alloc(CHUNK_PAGES);
	long done = 0, r = 0;
	if (!buf)
		return -ENOMEM;
	while (done < count) {
		uint64_t want = (uint64_t)(count - done);
		if (want > CHUNK_PAGES * HUT_PAGE_SIZE)
			want = CHUNK_PAGES * HUT_PAGE_SIZE;
		r = move_chunk(in, out, buf, want, in_off);
		if (r <= 0)
			break;
		done += r;
		if ((uint64_t)r < want)
			break; /* EOF, or a non-blocking destination is full */
	}
	hut_pages_free(buf, CHUNK_PAGES);
	return done > 0 ? done : r;
}

HUT_SYSCALL(sendfile)
{
	struct hut_file *out = hut_fd_file(a0), *in = hut_fd_file(a1);
	int64_t *offp = (int64_t *)a2;
	long count = a3 > COUNT_MAX ? COUNT_MAX : a3;
	if (!in || !out || (in->kind & HUT_KIND_PATH) || (out->kind & HUT_KIND_PATH) ||
	    (in->flags & O_ACCMODE) == O_WRONLY || (out->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (!(in->kind & HUT_KIND_SEEKABLE) || (in->kind & HUT_KIND_DIR) || !in->ops->read ||
	    !out->ops->write || (out->flags & O_APPEND))
		return -EINVAL;
	if (count < 0)
		return -EINVAL;
	uint64_t off = in->pos;
	if (offp) {
		if (!hut_user_writable(offp, sizeof *offp))
			return -EFAULT;
		if (*offp < 0)
			return -EINVAL;
		off = (uint64_t)*offp;
	}
	long r = count ? transfer(in, out, &off, count) : 0;
	if (offp)
		*offp = (int64_t)off;
	else
		in->pos = off;
	return r;
}
