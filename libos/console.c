/*
 * The console: fds 0, 1 and 2, the monitor's own. One hypercall per write,
 * writev, read or readv.
 */
#include "libos.h"
#include "syscalls.h"

#include <errno.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

static int is_console(long fd)
{
	return fd >= 0 && fd <= 2;
}

/* An iovec is the same 16 bytes as struct hut_iovec: the app's array goes
 * to the monitor as it is, one hypercall per call. */
static long console_call(unsigned nr, long fd, const void *iov, long iovcnt)
{
	if (iovcnt < 0 || iovcnt > HUT_IOV_MAX)
		return -EINVAL;
	struct hut_hc_console hc = {(uint64_t)iov, (uint32_t)iovcnt, (uint32_t)fd, 0};
	hut_hypercall(nr, &hc);
	return hc.result;
}

static long console_writev(long fd, const void *iov, long iovcnt)
{
	if (fd != 1 && fd != 2)
		return -EBADF;
	long result = console_call(HUT_HC_CONSOLE_WRITE, fd, iov, iovcnt);
	if (result == -EPIPE)
		hut_signal_raise(SIGPIPE); /* as Linux: the writer dies unless it ignores it */
	return result;
}

void hut_console_print(int fd, const char *s)
{
	struct hut_iovec iov = {(uint64_t)s, hut_strlen(s)};
	console_writev(fd, &iov, 1);
}

HUT_SYSCALL(write)
{
	struct hut_iovec iov = {(uint64_t)a1, (uint64_t)a2};
	return console_writev(a0, &iov, 1);
}

HUT_SYSCALL(writev)
{
	return console_writev(a0, (const void *)a1, a2);
}

/* stdin: one read of the monitor's stdin, as a read(2) of a pipe. */
static long console_readv(long fd, const void *iov, long iovcnt)
{
	return fd == 0 ? console_call(HUT_HC_CONSOLE_READ, fd, iov, iovcnt) : -EBADF;
}

HUT_SYSCALL(read)
{
	struct hut_iovec iov = {(uint64_t)a1, (uint64_t)a2};
	return console_readv(a0, &iov, 1);
}

HUT_SYSCALL(readv)
{
	return console_readv(a0, (const void *)a1, a2);
}

HUT_SYSCALL(close)
{
	return is_console(a0) ? 0 : -EBADF;
}

HUT_SYSCALL(lseek)
{
	return is_console(a0) ? -ESPIPE : -EBADF;
}

HUT_SYSCALL(fstat)
{
	if (!is_console(a0))
		return -EBADF;
	struct stat *st = (struct stat *)a1;
	hut_memset(st, 0, sizeof *st);
	st->st_mode = (hut_boot_info->tty_rows ? S_IFCHR : S_IFIFO) | 0600;
	st->st_blksize = 4096;
	return 0;
}

/* Only the window size: musl asks it to decide whether stdout is a terminal
 * (line buffered) or not. The monitor tells us what its stdout is. */
HUT_SYSCALL(ioctl)
{
	if (!is_console(a0))
		return -EBADF;
	if (a1 != TIOCGWINSZ || !hut_boot_info->tty_rows)
		return -ENOTTY;
	struct winsize *ws = (struct winsize *)a2;
	*ws = (struct winsize){hut_boot_info->tty_rows, hut_boot_info->tty_cols, 0, 0};
	return 0;
}
