/*
 * timerfd: a timer behind an fd, as timerfd_create(2) describes it. Each
 * expiration adds to a count that a read (8 bytes) takes and zeroes; a read
 * with nothing counted waits (hut_wait, interruptible) or fails with EAGAIN
 * under O_NONBLOCK; poll and epoll see it readable once anything is counted.
 * The timer is the libos's (proc/timer.c), on the wall clock: CLOCK_MONOTONIC
 * and CLOCK_BOOTTIME are the time since boot, CLOCK_REALTIME the same plus
 * the boot's wall-clock time, so an absolute CLOCK_REALTIME deadline becomes
 * one since boot when it is set.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <time.h>

struct timerfd {
	struct hut_timer timer; /* first: its fire finds the timerfd */
	struct hut_file *file;
	uint64_t count;
	int clock;
};

static void expired(struct hut_timer *t, uint64_t expirations)
{
	struct timerfd *tf = (struct timerfd *)t;
	tf->count += expirations;
	hut_file_changed(tf->file, HUT_POLLIN);
}

static int readable(void *arg)
{
	const struct timerfd *tf = arg;
	return tf->count > 0;
}

static long timerfd_read(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	struct timerfd *tf = f->priv;
	(void)off;
	if (hut_iov_total(iov, iovcnt) < sizeof tf->count)
		return -EINVAL;
	hut_timers_run(); /* an expiration due now is counted now */
	if (tf->count == 0) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		long r = hut_wait(readable, tf, HUT_WAIT_FOREVER, HUT_WAIT_INTERRUPTIBLE);
		if (r != 0)
			return r;
	}
	uint64_t count = tf->count;
	tf->count = 0;
	hut_iov_copy_out(iov, iovcnt, 0, &count, sizeof count);
	return sizeof count;
}

static uint32_t timerfd_poll(struct hut_file *f)
{
	const struct timerfd *tf = f->priv;
	return tf->count > 0 ? HUT_POLLIN | HUT_POLLRDNORM : 0;
}

static void timerfd_release(struct hut_file *f)
{
	struct timerfd *tf = f->priv;
	hut_timer_disarm(&tf->timer);
	hut_kfree(tf, sizeof *tf);
}

static const struct hut_file_ops timerfd_ops = {
	.anon_name = "[timerfd]",
	.read = timerfd_read,
	.stat = hut_anon_inode_stat,
	.poll = timerfd_poll,
	.release = timerfd_release,
};

long hut_timerfd_open(int clock, long flags)
{
	struct timerfd *tf = hut_kalloc(sizeof *tf);
	if (!tf)
		return -ENOMEM;
	struct hut_file *f = hut_anon_file(&timerfd_ops, O_RDONLY | (uint32_t)(flags & O_NONBLOCK),
					   tf, sizeof *tf);
	if (!f)
		return -ENOMEM;
	tf->timer.fire = expired;
	tf->file = f;
	tf->clock = clock;
	return hut_fd_install(f, 0, (flags & O_CLOEXEC) != 0);
}

/* The timerfd behind fd, or NULL. */
static struct timerfd *timerfd_of(long fd)
{
	struct hut_file *f = hut_fd_file(fd);
	return f && f->ops == &timerfd_ops ? f->priv : NULL;
}

long hut_timerfd_get(long fd, uint64_t *value_ns, uint64_t *interval_ns)
{
	struct timerfd *tf = timerfd_of(fd);
	if (!tf)
		return hut_fd_file(fd) ? -EINVAL : -EBADF;
	*value_ns = hut_timer_left(&tf->timer);
	*interval_ns = tf->timer.interval;
	return 0;
}

long hut_timerfd_set(long fd, int absolute, uint64_t value_ns, uint64_t interval_ns)
{
	struct timerfd *tf = timerfd_of(fd);
	if (!tf)
		return hut_fd_file(fd) ? -EINVAL : -EBADF;
	tf->count = 0; /* Linux drops what a re-armed timer had counted */
	if (!value_ns) {
		hut_timer_disarm(&tf->timer);
		return 0;
	}
	if (!absolute) {
		hut_timer_arm(&tf->timer, value_ns, interval_ns);
		return 0;
	}
	uint64_t since_boot = value_ns;
	if (tf->clock == CLOCK_REALTIME)
		since_boot = value_ns > hut_clock.wallclock_origin
				     ? value_ns - hut_clock.wallclock_origin
				     : 0;
	hut_timer_arm_at(&tf->timer, since_boot, interval_ns);
	return 0;
}
