/*
 * sendfile: a file's bytes to any fd (a socket, a pipe, another file), as
 * Linux allows since 2.6.33. The bytes go through one libos buffer, read
 * with the source's read op and written with the destination's write op,
 * so a socket's write applies its own blocking and O_NONBLOCK rules.
 */
#include "file.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>

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
	if (put > 0) {
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
