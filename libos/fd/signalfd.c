/*
 * signalfd: pending signals of a mask read as struct signalfd_siginfo
 * records, as signalfd(2) says. The caller blocks the signals (as on
 * Linux; otherwise they are delivered before anyone reads them); a read
 * takes them from the calling thread's and the process's pending sets
 * through signal.c's service, the same sigwaitinfo uses, so each signal is
 * seen once. Readiness for poll and epoll is "one of the mask is pending";
 * signal.c tells every signalfd when a signal becomes pending (a hook:
 * proc/ is below fd/).
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>

#define SIGNALFD_INFO_SIZE 128 /* struct signalfd_siginfo */

struct signalfd_info {
	uint32_t signo;
	int32_t err, code;
	uint32_t pid, uid;
	int32_t fd;
	uint32_t tid, band, overrun, trapno;
	int32_t status, int_;
	uint64_t ptr, utime, stime, addr;
	uint16_t addr_lsb;
	uint8_t pad[SIGNALFD_INFO_SIZE - 82];
};
_Static_assert(sizeof(struct signalfd_info) == SIGNALFD_INFO_SIZE, "signalfd_siginfo");

struct sigfd {
	uint64_t mask;
	struct hut_file *f;
	struct sigfd *next;
};

static struct sigfd *all; /* every open signalfd: news when a signal comes */

static const struct hut_file_ops signalfd_ops;

static uint64_t mask_of(const struct hut_file *f)
{
	return ((const struct sigfd *)f->priv)->mask;
}

static int some_pending(void *arg)
{
	const uint64_t *mask = arg;
	return (hut_signal_pending_set() & *mask) != 0;
}

static void signal_news(void *unused)
{
	(void)unused;
	uint64_t set = hut_signal_pending_set();
	for (struct sigfd *s = all; s; s = s->next)
		if (set & s->mask)
			hut_file_changed(s->f, HUT_POLLIN);
}

static void fill(struct signalfd_info *out, int sig, const struct hut_siginfo *si)
{
	hut_memset(out, 0, sizeof *out);
	out->signo = (uint32_t)sig;
	out->code = si->code ? si->code : SI_USER;
	if (si->code == SI_TIMER) {
		out->tid = (uint32_t)si->timerid;
		out->overrun = (uint32_t)si->overrun;
		out->ptr = si->value;
	} else {
		out->pid = 1; /* the process itself: the only sender */
	}
}

/* Takes as many signals of the mask as fit, waiting for the first. */
static long signalfd_read(struct hut_file *f, const struct hut_iovec *iov, int iovcnt,
			  uint64_t *off)
{
	uint64_t mask = mask_of(f), room = hut_iov_total(iov, iovcnt), done = 0;
	(void)off;
	if (room < SIGNALFD_INFO_SIZE)
		return -EINVAL;
	if (!some_pending(&mask)) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		long r = hut_wait(some_pending, &mask, HUT_WAIT_FOREVER, HUT_WAIT_INTERRUPTIBLE);
		if (r != 0)
			return r;
	}
	while (room - done >= SIGNALFD_INFO_SIZE) {
		struct hut_siginfo si;
		struct signalfd_info info;
		int sig = hut_signal_take_from(mask, &si);
		if (!sig)
			break;
		fill(&info, sig, &si);
		hut_iov_copy_out(iov, iovcnt, done, &info, sizeof info);
		done += sizeof info;
	}
	return (long)done;
}

static uint32_t signalfd_poll(struct hut_file *f)
{
	uint64_t mask = mask_of(f);
	return some_pending(&mask) ? HUT_POLLIN : 0;
}

static void signalfd_release(struct hut_file *f)
{
	struct sigfd **pp = &all;
	while (*pp && (*pp)->f != f)
		pp = &(*pp)->next;
	if (*pp)
		*pp = (*pp)->next;
	hut_kfree(f->priv, sizeof(struct sigfd));
}

static const struct hut_file_ops signalfd_ops = {
	.anon_name = "[signalfd]",
	.read = signalfd_read,
	.stat = hut_anon_inode_stat,
	.poll = signalfd_poll,
	.release = signalfd_release,
};

/* signalfd4: a new signalfd (fd -1) or a new mask for fd's; flags checked
 * by the caller (O_NONBLOCK, O_CLOEXEC). SIGKILL and SIGSTOP never count. */
long hut_signalfd_open(long fd, uint64_t mask, long flags)
{
	mask &= ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)));
	if (fd != -1) {
		struct hut_file *f = hut_fd_file(fd);
		if (!f)
			return -EBADF;
		if (f->ops != &signalfd_ops)
			return -EINVAL;
		((struct sigfd *)f->priv)->mask = mask;
		signal_news(NULL);
		return fd;
	}
	struct sigfd *s = hut_kalloc(sizeof *s);
	if (!s)
		return -ENOMEM;
	s->mask = mask;
	struct hut_file *f =
		hut_anon_file(&signalfd_ops, O_RDWR | (uint32_t)(flags & O_NONBLOCK), s, sizeof *s);
	if (!f)
		return -ENOMEM;
	hut_signal_on_pending(signal_news);
	s->f = f;
	s->next = all;
	all = s;
	return hut_fd_install(f, 0, (flags & O_CLOEXEC) != 0);
}
