/*
 * The calls that wait on many fds: poll, ppoll, select and pselect6 here,
 * over any mix of fds; epoll's (an instance: fd/epoll.c). Each kind of file
 * says what it is ready for (its poll op), and a call that must wait
 * re-asks through hut_wait, which runs the network stack between looks and
 * sleeps in the monitor when nothing changed. No lwIP here: an image with
 * only pipes and files uses these without carrying a network stack.
 */
#include "file.h"

#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>

#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull

/* What select counts as each kind of readiness (Linux's POLL*_SET). */
#define SELECT_IN (HUT_POLLIN | HUT_POLLRDNORM | 0x80 /* RDBAND */ | HUT_POLLHUP | HUT_POLLERR)
#define SELECT_OUT (HUT_POLLOUT | HUT_POLLWRNORM | HUT_POLLWRBAND | HUT_POLLERR)
#define SELECT_EX HUT_POLLPRI

/* The deadline (ns since boot) for a wait of ns, or forever. */
static uint64_t deadline_after(uint64_t ns)
{
	uint64_t now = hut_time_since_boot_ns();
	return ns > HUT_WAIT_FOREVER - now ? HUT_WAIT_FOREVER : now + ns;
}

static uint64_t time_left(uint64_t deadline)
{
	uint64_t now = hut_time_since_boot_ns();
	return deadline > now ? deadline - now : 0;
}

/* A timespec from the app: its length in ns, or -EINVAL. */
static long timespec_ns(const struct timespec *ts, uint64_t *ns)
{
	if (!hut_user_readable(ts, sizeof *ts))
		return -EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || (uint64_t)ts->tv_nsec >= NS_PER_S)
		return -EINVAL;
	if ((uint64_t)ts->tv_sec >= (HUT_WAIT_FOREVER - NS_PER_S) / NS_PER_S)
		*ns = HUT_WAIT_FOREVER;
	else
		*ns = (uint64_t)ts->tv_sec * NS_PER_S + (uint64_t)ts->tv_nsec;
	return 0;
}

/* The signal mask of ppoll/pselect6/epoll_pwait for the wait: *old gets
 * the mask to restore. sigsetsize must be the kernel's (8). */
static long mask_begin(const void *mask, long sigsetsize, uint64_t *old, int *swapped)
{
	*swapped = 0;
	if (!mask)
		return 0;
	if (sigsetsize != sizeof(uint64_t))
		return -EINVAL;
	if (!hut_user_readable(mask, sizeof(uint64_t)))
		return -EFAULT;
	*old = hut_signal_swap_mask(*(const uint64_t *)mask);
	*swapped = 1;
	return 0;
}

/* --- poll, ppoll -------------------------------------------------------- */

struct poll_job {
	struct pollfd *fds;
	unsigned long nfds;
	long ready;
};

static short poll_one(const struct pollfd *p)
{
	if (p->fd < 0)
		return 0;
	struct hut_file *f = hut_fd_file(p->fd);
	if (!f)
		return HUT_POLLNVAL;
	uint32_t mask = hut_file_poll(f);
	return (short)(mask & ((uint16_t)p->events | HUT_POLLERR | HUT_POLLHUP));
}

/* hut_wait's predicate: fills every revents, counts the ready entries. */
static int poll_scan(void *arg)
{
	struct poll_job *job = arg;
	job->ready = 0;
	for (unsigned long i = 0; i < job->nfds; i++) {
		job->fds[i].revents = poll_one(&job->fds[i]);
		job->ready += job->fds[i].revents != 0;
	}
	return job->ready > 0;
}

static long do_poll(struct pollfd *fds, unsigned long nfds, uint64_t deadline)
{
	if (nfds > HUT_FD_MAX || nfds > hut_rlimit_nofile())
		return -EINVAL;
	if (!hut_user_writable(fds, nfds * sizeof *fds))
		return -EFAULT;
	struct poll_job job = {fds, nfds, 0};
	long r = hut_wait(poll_scan, &job, deadline, HUT_WAIT_INTERRUPTIBLE);
	return r == -EINTR ? r : job.ready;
}

HUT_SYSCALL(poll)
{
	int ms = (int)a2;
	uint64_t deadline = ms < 0 ? HUT_WAIT_FOREVER : deadline_after((uint64_t)ms * NS_PER_MS);
	return do_poll((struct pollfd *)a0, (unsigned long)a1, deadline);
}

/* Linux writes the time left back into the app's timespec. */
static void put_time_left(struct timespec *ts, uint64_t deadline)
{
	if (!ts || deadline == HUT_WAIT_FOREVER || !hut_user_writable(ts, sizeof *ts))
		return;
	uint64_t left = time_left(deadline);
	*ts = (struct timespec){(time_t)(left / NS_PER_S), (long)(left % NS_PER_S)};
}

HUT_SYSCALL(ppoll)
{
	struct timespec *ts = (struct timespec *)a2;
	uint64_t ns = HUT_WAIT_FOREVER, old;
	int swapped;
	long r;
	if (ts && (r = timespec_ns(ts, &ns)) != 0)
		return r;
	uint64_t deadline = ts ? deadline_after(ns) : HUT_WAIT_FOREVER;
	if ((r = mask_begin((const void *)a3, a4, &old, &swapped)) != 0)
		return r;
	r = do_poll((struct pollfd *)a0, (unsigned long)a1, deadline);
	if (swapped)
		hut_signal_swap_mask(old);
	put_time_left(ts, deadline);
	return r;
}

/* --- select, pselect6 ----------------------------------------------------- */

#define WORD_BITS 64

struct select_job {
	int nfds;
	uint64_t *sets[3]; /* the app's read, write, except sets (or NULL) */
	uint64_t want[3][HUT_FD_MAX / WORD_BITS];
	uint64_t got[3][HUT_FD_MAX / WORD_BITS];
	long ready;
};

static const uint32_t select_bits[3] = {SELECT_IN, SELECT_OUT, SELECT_EX};

static int wanted(const struct select_job *job, int k, int fd)
{
	return (job->want[k][fd / WORD_BITS] >> (fd % WORD_BITS)) & 1;
}

static int select_scan(void *arg)
{
	struct select_job *job = arg;
	hut_memset(job->got, 0, sizeof job->got);
	job->ready = 0;
	for (int fd = 0; fd < job->nfds; fd++) {
		if (!wanted(job, 0, fd) && !wanted(job, 1, fd) && !wanted(job, 2, fd))
			continue;
		uint32_t mask = hut_file_poll(hut_fd_file(fd));
		for (int k = 0; k < 3; k++) {
			if (wanted(job, k, fd) && (mask & select_bits[k])) {
				job->got[k][fd / WORD_BITS] |= 1ull << (fd % WORD_BITS);
				job->ready++;
			}
		}
	}
	return job->ready > 0;
}

/* Copies the app's sets in; every fd named must be open (EBADF). */
static long select_load(struct select_job *job)
{
	size_t bytes = ((size_t)job->nfds + WORD_BITS - 1) / WORD_BITS * 8;
	for (int k = 0; k < 3; k++) {
		if (!job->sets[k])
			continue;
		if (!hut_user_writable(job->sets[k], bytes))
			return -EFAULT;
		hut_memcpy(job->want[k], job->sets[k], bytes);
	}
	for (int fd = 0; fd < job->nfds; fd++)
		if ((wanted(job, 0, fd) || wanted(job, 1, fd) || wanted(job, 2, fd)) &&
		    !hut_fd_file(fd))
			return -EBADF;
	return 0;
}

static long do_select(struct select_job *job, uint64_t deadline)
{
	if (job->nfds < 0)
		return -EINVAL;
	long r = select_load(job);
	if (r != 0)
		return r;
	r = hut_wait(select_scan, job, deadline, HUT_WAIT_INTERRUPTIBLE);
	if (r == -EINTR)
		return r;
	size_t bytes = ((size_t)job->nfds + WORD_BITS - 1) / WORD_BITS * 8;
	for (int k = 0; k < 3; k++)
		if (job->sets[k])
			hut_memcpy(job->sets[k], job->got[k], bytes);
	return job->ready;
}

static void select_job_init(struct select_job *job, long nfds, long r, long w, long e)
{
	hut_memset(job, 0, sizeof *job);
	job->nfds = nfds < 0 ? -1 : nfds > HUT_FD_MAX ? HUT_FD_MAX : (int)nfds;
	job->sets[0] = (uint64_t *)r, job->sets[1] = (uint64_t *)w, job->sets[2] = (uint64_t *)e;
}

HUT_SYSCALL(select)
{
	struct timeval *tv = (struct timeval *)a4;
	uint64_t deadline = HUT_WAIT_FOREVER;
	if (tv) {
		if (!hut_user_writable(tv, sizeof *tv))
			return -EFAULT;
		if (tv->tv_sec < 0 || tv->tv_usec < 0)
			return -EINVAL;
		uint64_t sec = (uint64_t)tv->tv_sec + (uint64_t)tv->tv_usec / 1000000;
		uint64_t ns = sec >= HUT_WAIT_FOREVER / NS_PER_S - 1
				      ? HUT_WAIT_FOREVER
				      : sec * NS_PER_S + (uint64_t)tv->tv_usec % 1000000 * 1000;
		deadline = deadline_after(ns);
	}
	struct select_job job;
	select_job_init(&job, a0, a1, a2, a3);
	long r = do_select(&job, deadline);
	if (tv && deadline != HUT_WAIT_FOREVER) {
		uint64_t left = time_left(deadline);
		*tv = (struct timeval){(time_t)(left / NS_PER_S), (long)(left % NS_PER_S / 1000)};
	}
	return r;
}

/* pselect6's sixth argument: the mask and its size, in one struct. */
struct pselect_sigdata {
	const void *mask;
	long size;
};

HUT_SYSCALL(pselect6)
{
	struct timespec *ts = (struct timespec *)a4;
	const struct pselect_sigdata *sd = (const void *)a5;
	uint64_t ns = HUT_WAIT_FOREVER, old;
	int swapped = 0;
	long r;
	if (ts && (r = timespec_ns(ts, &ns)) != 0)
		return r;
	uint64_t deadline = ts ? deadline_after(ns) : HUT_WAIT_FOREVER;
	if (sd) {
		if (!hut_user_readable(sd, sizeof *sd))
			return -EFAULT;
		if ((r = mask_begin(sd->mask, sd->size, &old, &swapped)) != 0)
			return r;
	}
	struct select_job job;
	select_job_init(&job, a0, a1, a2, a3);
	r = do_select(&job, deadline);
	if (swapped)
		hut_signal_swap_mask(old);
	put_time_left(ts, deadline);
	return r;
}

/* --- epoll ---------------------------------------------------------------- */

HUT_SYSCALL(epoll_create1)
{
	if (a0 & ~(long)EPOLL_CLOEXEC)
		return -EINVAL;
	return hut_epoll_create((a0 & EPOLL_CLOEXEC) != 0);
}

HUT_SYSCALL(epoll_create)
{
	return a0 <= 0 ? -EINVAL : hut_epoll_create(0);
}

HUT_SYSCALL(epoll_ctl)
{
	const struct epoll_event *user_ev = (const void *)a3;
	struct epoll_event ev = {0};
	if ((int)a1 != EPOLL_CTL_DEL) {
		if (!hut_user_readable(user_ev, sizeof ev))
			return -EFAULT;
		hut_memcpy(&ev, user_ev, sizeof ev);
	}
	return hut_epoll_ctl(a0, (int)a1, (int)a2, &ev);
}

HUT_SYSCALL(epoll_wait)
{
	return hut_epoll_wait(a0, (struct epoll_event *)a1, a2, (int)a3);
}

HUT_SYSCALL(epoll_pwait)
{
	uint64_t old;
	int swapped;
	long r = mask_begin((const void *)a4, a5, &old, &swapped);
	if (r != 0)
		return r;
	r = hut_epoll_wait(a0, (struct epoll_event *)a1, a2, (int)a3);
	if (swapped)
		hut_signal_swap_mask(old);
	return r;
}
