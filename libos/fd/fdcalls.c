/*
 * The fd table's syscalls: close, dup, dup2, dup3 (fd/fd.c); fcntl, flock
 * and fadvise: fd flags, status flags, duplication, locks (fd/lock.c) and
 * advice.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <time.h>

#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#endif

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif

/* The status flags F_SETFL may change; the rest of the argument is ignored. */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

HUT_SYSCALL(close)
{
	return hut_fd_close(a0);
}

HUT_SYSCALL(dup)
{
	struct hut_file *f = hut_fd_file(a0);
	if (!f)
		return -EBADF;
	hut_file_ref(f);
	return hut_fd_install(f, 0, 0);
}

HUT_SYSCALL(dup2)
{
	if (a0 == a1)
		return hut_fd_file(a0) ? a1 : -EBADF;
	return hut_fd_dup_to(a0, a1, 0);
}

HUT_SYSCALL(dup3)
{
	if (a2 & ~O_CLOEXEC)
		return -EINVAL;
	if (a0 == a1)
		return -EINVAL;
	return hut_fd_dup_to(a0, a1, (a2 & O_CLOEXEC) != 0);
}

static long dupfd(struct hut_file *f, long min, int cloexec)
{
	if (min < 0 || (uint64_t)min >= hut_rlimit_nofile())
		return -EINVAL;
	hut_file_ref(f);
	return hut_fd_install(f, min, cloexec);
}

HUT_SYSCALL(fcntl)
{
	struct hut_file *f = hut_fd_file(a0);
	if (!f)
		return -EBADF;
	switch (a1) {
	case F_DUPFD:
		return dupfd(f, a2, 0);
	case F_DUPFD_CLOEXEC:
		return dupfd(f, a2, 1);
	case F_GETFD:
		return hut_fd_cloexec(a0) ? FD_CLOEXEC : 0;
	case F_SETFD:
		hut_fd_set_cloexec(a0, (a2 & FD_CLOEXEC) != 0);
		return 0;
	case F_GETFL:
		return (long)f->flags;
	case F_SETFL:
		if (f->kind & HUT_KIND_PATH)
			return -EBADF;
		f->flags = (f->flags & ~(uint32_t)SETFL_MASK) | ((uint32_t)a2 & SETFL_MASK);
		return 0;
	case F_ADD_SEALS:
		if (!f->ops->seals || (f->kind & HUT_KIND_PATH))
			return -EINVAL;
		return f->ops->seals(f, 1, (uint32_t)a2);
	case F_GET_SEALS:
		if (!f->ops->seals || (f->kind & HUT_KIND_PATH))
			return -EINVAL;
		return f->ops->seals(f, 0, 0);
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return hut_lock_fcntl(f, (int)a1, (void *)a2);
	default:
		return -EINVAL;
	}
}

HUT_SYSCALL(flock)
{
	struct hut_file *f = hut_fd_file(a0);
	if (!f || (f->kind & HUT_KIND_PATH))
		return -EBADF;
	return hut_lock_flock(f, (int)a1);
}

/* posix_fadvise: advice, which the libos takes and ignores (it keeps no
 * page cache to read ahead or drop); the errors are Linux's. */
HUT_SYSCALL(fadvise64)
{
	struct hut_file *f = hut_fd_file(a0);
	if (!f || (f->kind & HUT_KIND_PATH))
		return -EBADF;
	if (!(f->kind & HUT_KIND_SEEKABLE))
		return -ESPIPE;
	if (a3 < POSIX_FADV_NORMAL || a3 > POSIX_FADV_NOREUSE || a2 < 0)
		return -EINVAL;
	return 0;
}

/* --- pipes and eventfds (fd/pipe.c, fd/eventfd.c) ---------------------------- */

HUT_SYSCALL(pipe2)
{
	if (a1 & ~(long)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	if (!hut_user_writable((int *)a0, 2 * sizeof(int)))
		return -EFAULT;
	return hut_pipe_open((int *)a0, a1);
}

HUT_SYSCALL(pipe)
{
	return hut_sys_pipe2(a0, 0, 0, 0, 0, 0);
}

HUT_SYSCALL(eventfd2)
{
	if (a1 & ~(long)HUT_EFD_FLAGS)
		return -EINVAL;
	return hut_eventfd_open((uint32_t)a0, a1);
}

HUT_SYSCALL(eventfd)
{
	return hut_sys_eventfd2(a0, 0, 0, 0, 0, 0);
}

/* --- timerfds (fd/timerfd.c) ------------------------------------------------------ */

#define TFD_TIMER_ABSTIME 1
#define TFD_TIMER_CANCEL_ON_SET 2
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9

/* The *_ALARM clocks would wake a suspended machine: here they are their
 * plain clocks (the appliance is root, which may use them). */
HUT_SYSCALL(timerfd_create)
{
	long clock = a0 == CLOCK_REALTIME_ALARM	  ? CLOCK_REALTIME
		     : a0 == CLOCK_BOOTTIME_ALARM ? CLOCK_BOOTTIME
						  : a0;
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME)
		return -EINVAL;
	if (a1 & ~(long)(O_NONBLOCK | O_CLOEXEC))
		return -EINVAL;
	return hut_timerfd_open((int)clock, a1);
}

HUT_SYSCALL(timerfd_gettime)
{
	struct itimerspec *out = (struct itimerspec *)a1;
	uint64_t value, interval;
	if (!hut_user_writable(out, sizeof *out))
		return -EFAULT;
	long r = hut_timerfd_get(a0, &value, &interval);
	if (r == 0)
		hut_itimerspec_out(out, value, interval);
	return r;
}

HUT_SYSCALL(timerfd_settime)
{
	const struct itimerspec *in = (const struct itimerspec *)a2;
	struct itimerspec *old = (struct itimerspec *)a3;
	uint64_t value, interval, old_value, old_interval;
	long r;
	if (a1 & ~(long)(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	if (old && !hut_user_writable(old, sizeof *old))
		return -EFAULT;
	if ((r = hut_itimerspec_in(in, &value, &interval)) != 0)
		return r;
	if ((r = hut_timerfd_get(a0, &old_value, &old_interval)) != 0)
		return r;
	if (old)
		hut_itimerspec_out(old, old_value, old_interval);
	return hut_timerfd_set(a0, (a1 & TFD_TIMER_ABSTIME) != 0, value, interval);
}

/* --- signalfds (fd/signalfd.c) ------------------------------------------------------ */

HUT_SYSCALL(signalfd4)
{
	const uint64_t *mask = (const uint64_t *)a1;
	if (a2 != sizeof *mask)
		return -EINVAL;
	if (!hut_user_readable(mask, sizeof *mask))
		return -EFAULT;
	if (a3 & ~(long)(O_NONBLOCK | O_CLOEXEC))
		return -EINVAL;
	return hut_signalfd_open(a0, *mask, a3);
}

HUT_SYSCALL(signalfd)
{
	return hut_sys_signalfd4(a0, a1, a2, 0, 0, 0);
}
