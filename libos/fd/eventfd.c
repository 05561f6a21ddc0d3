/*
 * eventfd: a 64-bit counter behind an fd, as eventfd(2) describes it. A
 * write adds to the counter (blocking while the sum would reach 2^64-1),
 * a read takes it all, or one with EFD_SEMAPHORE (blocking while it is 0).
 * Both block through hut_wait, so another thread's write ends a read's wait.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>

#define COUNT_MAX (UINT64_MAX - 1)

struct eventfd {
	uint64_t count;
	int semaphore;
};

static int readable(void *arg)
{
	const struct eventfd *e = arg;
	return e->count > 0;
}

static int room_for(const struct eventfd *e, uint64_t add)
{
	return add <= COUNT_MAX - e->count;
}

struct pending_add {
	const struct eventfd *e;
	uint64_t add;
};

static int writable(void *arg)
{
	const struct pending_add *w = arg;
	return room_for(w->e, w->add);
}

static long eventfd_read(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	struct eventfd *e = f->priv;
	(void)off;
	if (hut_iov_total(iov, iovcnt) < sizeof(uint64_t))
		return -EINVAL;
	if (e->count == 0) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		long r = hut_wait(readable, e, HUT_WAIT_FOREVER, HUT_WAIT_INTERRUPTIBLE);
		if (r != 0)
			return r;
	}
	uint64_t value = e->semaphore ? 1 : e->count;
	e->count -= value;
	hut_iov_copy_out(iov, iovcnt, 0, &value, sizeof value);
	hut_file_changed(f, HUT_POLLOUT);
	return sizeof value;
}

static long eventfd_write(struct hut_file *f, const struct hut_iovec *iov, int iovcnt,
			  uint64_t *off)
{
	struct eventfd *e = f->priv;
	uint64_t add;
	(void)off;
	if (hut_iov_total(iov, iovcnt) < sizeof add)
		return -EINVAL;
	hut_iov_copy_in(iov, iovcnt, 0, &add, sizeof add);
	if (add == UINT64_MAX)
		return -EINVAL;
	if (!room_for(e, add)) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		struct pending_add w = {e, add};
		long r = hut_wait(writable, &w, HUT_WAIT_FOREVER, HUT_WAIT_INTERRUPTIBLE);
		if (r != 0)
			return r;
	}
	e->count += add;
	hut_file_changed(f, HUT_POLLIN);
	return sizeof add;
}

/* As Linux's eventfd_poll: no RDNORM/WRNORM bits. */
static uint32_t eventfd_poll(struct hut_file *f)
{
	const struct eventfd *e = f->priv;
	uint32_t mask = 0;
	if (e->count > 0)
		mask |= HUT_POLLIN;
	if (e->count == UINT64_MAX)
		mask |= HUT_POLLERR;
	if (e->count < COUNT_MAX)
		mask |= HUT_POLLOUT;
	return mask;
}

static void eventfd_release(struct hut_file *f)
{
	hut_kfree(f->priv, sizeof(struct eventfd));
}

static const struct hut_file_ops eventfd_ops = {
	.anon_name = "[eventfd]",
	.read = eventfd_read,
	.write = eventfd_write,
	.stat = hut_anon_inode_stat,
	.poll = eventfd_poll,
	.release = eventfd_release,
};

/* eventfd2(initval, flags): flags already checked (HUT_EFD_*). */
long hut_eventfd_open(uint32_t initval, long flags)
{
	struct eventfd *e = hut_kalloc(sizeof *e);
	if (!e)
		return -ENOMEM;
	e->count = initval;
	e->semaphore = (flags & HUT_EFD_SEMAPHORE) != 0;
	struct hut_file *f =
		hut_anon_file(&eventfd_ops, O_RDWR | (uint32_t)(flags & O_NONBLOCK), e, sizeof *e);
	if (!f)
		return -ENOMEM;
	return hut_fd_install(f, 0, (flags & O_CLOEXEC) != 0);
}
