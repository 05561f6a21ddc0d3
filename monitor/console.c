/*
 * The console: the guest's writev to fd 1 or 2, checked piece by piece
 * (guest.c) and written to the monitor's own stdout or stderr until every
 * byte is out, and its readv of fd 0, one read of the monitor's stdin.
 */
#include "monitor.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>

/* Writes everything, resuming after partial writes. */
static int64_t write_all(int fd, struct iovec *iov, int n)
{
	int64_t done = 0;
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);
		if (w < 0 && errno == EINTR && !hut_timeout_expired())
			continue; /* a stuck reader cannot outlast --timeout */
		if (w < 0)
			return done > 0 ? done : -errno;
		done += w;
		for (; n > 0 && (size_t)w >= iov->iov_len; iov++, n--)
			w -= (ssize_t)iov->iov_len;
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return done;
}

int64_t hut_console_write(struct hut_vm *vm, uint32_t fd, uint64_t iov_gpa, uint32_t iovcnt)
{
	static struct iovec iov[HUT_IOV_MAX];
	if (fd != 1 && fd != 2)
		return -EBADF;
	if (iovcnt > HUT_IOV_MAX)
		return -EINVAL;
	int64_t total = hut_guest_iovecs(vm, iov_gpa, iovcnt, iov, false);
	if (total < 0 || vm->opt->quiet)
		return total;
	return write_all((int)fd, iov, (int)iovcnt);
}

int64_t hut_console_read(struct hut_vm *vm, uint32_t fd, uint64_t iov_gpa, uint32_t iovcnt)
{
	static struct iovec iov[HUT_IOV_MAX];
	if (fd != 0)
		return -EBADF;
	if (iovcnt > HUT_IOV_MAX)
		return -EINVAL;
	int64_t total = hut_guest_iovecs(vm, iov_gpa, iovcnt, iov, true);
	if (total <= 0)
		return total;
	for (;;) {
		ssize_t r = readv(0, iov, (int)iovcnt);
		if (r >= 0)
			return r;
		if (errno != EINTR || hut_timeout_expired())
			return -errno; /* a silent writer cannot outlast --timeout */
	}
}
