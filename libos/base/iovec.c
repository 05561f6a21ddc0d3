/*
 * The app's iovecs: checked once by the generic read/write layer (count,
 * lengths, every buffer in the app's memory), then copied from and to by
 * the file systems that keep data in memory. (Kinds that hand the iovecs to
 * the monitor, the console and volumes, have them checked there again.)
 */
#include "base.h"

#include <errno.h>

#define SSIZE_MAX_ ((uint64_t)INT64_MAX)

/* Linux's rules: 0..1024 pieces (EINVAL), a total that fits in ssize_t
 * (EINVAL), every buffer where the app may read it, or write it for a read
 * (EFAULT). The array itself must already be known readable. */
long hut_iov_check(const struct hut_iovec *iov, long iovcnt, int writable, uint64_t *total)
{
	uint64_t sum = 0;
	if (iovcnt < 0 || iovcnt > HUT_IOV_MAX)
		return -EINVAL;
	for (long i = 0; i < iovcnt; i++) {
		if (iov[i].len > SSIZE_MAX_ - sum)
			return -EINVAL;
		sum += iov[i].len;
	}
	for (long i = 0; i < iovcnt; i++) {
		void *base = (void *)iov[i].base;
		if (!(writable ? hut_user_writable(base, iov[i].len)
			       : hut_user_readable(base, iov[i].len)))
			return -EFAULT;
	}
	*total = sum;
	return 0;
}

uint64_t hut_iov_total(const struct hut_iovec *iov, int iovcnt)
{
	uint64_t sum = 0;
	for (int i = 0; i < iovcnt; i++)
		sum += iov[i].len;
	return sum;
}

/* Walks the iovecs from byte skip on, moving up to len bytes between them
 * and buf in the direction given (into the iovecs, a NULL buf is zeros). */
static uint64_t iov_copy(const struct hut_iovec *iov, int iovcnt, uint64_t skip, uint8_t *buf,
			 uint64_t len, int to_iov)
{
	uint64_t done = 0;
	for (int i = 0; i < iovcnt && done < len; i++) {
		if (skip >= iov[i].len) {
			skip -= iov[i].len;
			continue;
		}
		uint8_t *p = (uint8_t *)iov[i].base + skip;
		uint64_t n = iov[i].len - skip;
		skip = 0;
		if (n > len - done)
			n = len - done;
		if (to_iov && !buf)
			hut_memset(p, 0, n);
		else if (to_iov)
			hut_memcpy(p, buf + done, n);
		else
			hut_memcpy(buf + done, p, n);
		done += n;
	}
	return done;
}

uint64_t hut_iov_copy_out(const struct hut_iovec *iov, int iovcnt, uint64_t skip, const void *src,
			  uint64_t len)
{
	return iov_copy(iov, iovcnt, skip, (uint8_t *)src, len, 1);
}

uint64_t hut_iov_copy_in(const struct hut_iovec *iov, int iovcnt, uint64_t skip, void *dst,
			 uint64_t len)
{
	return iov_copy(iov, iovcnt, skip, dst, len, 0);
}
