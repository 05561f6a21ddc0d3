/*
 * The console: what fds 0, 1 and 2 hold at boot, the monitor's own stdin,
 * stdout and stderr. A stream (no offset). A write or writev goes into the
 * console ring (base/conring.c: no exit); one too big for it, or made while
 * it is full, is one hypercall, which carries the app's iovecs as they are;
 * so is each read or readv. Whether stdin has input is the monitor's to
 * say (a hypercall: poll, select and epoll ask it at each look); a look
 * that finds none has the next sleep end when input comes (HUT_POLL_STDIN),
 * and a non-blocking read finds EAGAIN.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>

static long console_write(struct hut_file *f, const struct hut_iovec *iov, int iovcnt,
			  uint64_t *off)
{
	(void)off;
	uint32_t fd = (uint32_t)f->priv2;
	long result = hut_conring_write(fd, iov, iovcnt, hut_iov_total(iov, iovcnt));
	if (result == HUT_CONRING_BYPASS)
		result = hut_console_hypercall(HUT_HC_CONSOLE_WRITE, fd, iov, iovcnt);
	if (result == -EPIPE)
		hut_signal_raise_thread(
			SIGPIPE); /* as Linux: the writer dies unless it ignores it */
	return result;
}

/* What poll(2) of the monitor's stdin says now, as HUT_POLL* bits. */
static uint32_t stdin_events(void)
{
	struct hut_hc_console_poll hc = {0, 0};
	hut_hypercall(HUT_HC_CONSOLE_POLL, &hc);
	uint32_t events = 0;
	if (hc.revents & POLLIN)
		events |= HUT_POLLIN | HUT_POLLRDNORM;
	if (hc.revents & POLLHUP)
		events |= HUT_POLLHUP;
	if (hc.revents & POLLERR)
		events |= HUT_POLLERR;
	return events;
}

/* stdin: one read of the monitor's stdin, as a read(2) of a pipe. */
static long console_read(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	(void)off;
	if ((f->flags & O_NONBLOCK) && !stdin_events())
		return -EAGAIN;
	hut_memory_give_back(); /* the read may wait: an idle moment, as in hut_wait */
	return hut_console_hypercall(HUT_HC_CONSOLE_READ, (uint32_t)f->priv2, iov, iovcnt);
}

/* A terminal if the monitor's stdout is one, else a pipe. */
static long console_stat(struct hut_file *f, struct stat *st)
{
	hut_memset(st, 0, sizeof *st);
	st->st_mode = (hut_boot_info->tty_rows ? S_IFCHR : S_IFIFO) | 0600;
	st->st_ino = f->priv2 + 1;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	return 0;
}

/* Only the window size: musl asks it to decide whether stdout is a terminal
 * (line buffered) or not. The monitor tells us what its stdout is. */
static long console_ioctl(struct hut_file *f, unsigned long request, long arg)
{
	(void)f;
	if (request != TIOCGWINSZ || !hut_boot_info->tty_rows)
		return -ENOTTY;
	struct winsize *ws = (struct winsize *)arg;
	if (!hut_user_writable(ws, sizeof *ws))
		return -EFAULT;
	*ws = (struct winsize){hut_boot_info->tty_rows, hut_boot_info->tty_cols, 0, 0};
	return 0;
}

/* Output never blocks for long (the monitor writes it all); input is the
 * monitor's to say. */
static uint32_t console_poll(struct hut_file *f)
{
	if (f->priv2 != 0)
		return HUT_POLLOUT | HUT_POLLWRNORM;
	uint32_t events = stdin_events();
	if (!events) /* a poll's look: the sleep after it ends on input */
		hut_poll_wait |= HUT_POLL_STDIN;
	return events;
}

static const struct hut_file_ops console_ops = {
	.read = console_read,
	.write = console_write,
	.stat = console_stat,
	.ioctl = console_ioctl,
	.poll = console_poll,
};

/* The three descriptions are static, not allocated: the boot then touches
 * no allocator page (a first touch costs an exit on kvm-pvm). Each holds a
 * reference of its own, so closing every fd to it never frees it. */
static struct hut_file consoles[3];

struct hut_file *hut_console_open(int fd)
{
	struct hut_file *f = &consoles[fd];
	*f = (struct hut_file){.ops = &console_ops, .refs = 2, .priv2 = (uint64_t)fd};
	f->flags = fd == 0 ? O_RDONLY : O_WRONLY;
	return f;
}
