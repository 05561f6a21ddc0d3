/*
 * The console: the guest's writev to fd 1 or 2, checked piece by piece and
 * written to the monitor's own stdout or stderr until every byte is out, and
 * its readv of fd 0, one read of the monitor's stdin.
 */
#include "monitor.h"

#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

/* Guest memory the console reads on the guest's behalf: only what the guest
 * could read itself at CPL3, i.e. RAM from the user-readable boot info up.
 * Below it lie page 0 and the supervisor-only pages (GDT, IDT, TSS, trap
 * stacks, page tables): the monitor must not be a way around their
 * protection. An empty piece reads nothing and is fine anywhere, as for
 * writev (musl's fflush passes one with a NULL base). */
static const void *readable(const struct hut_vm *vm, uint64_t gpa, uint64_t len)
{
	if (len == 0)
		return vm->mem.host;
	return gpa >= HUT_BOOTINFO_GPA ? hut_gpa(&vm->mem, gpa, len) : NULL;
}

/* Guest memory the console may fill on the guest's behalf: only what the
 * guest could write itself, its writable segments, heap and stack (a read
 * into its own code would otherwise get around W^X). */
static const void *writable(const struct hut_vm *vm, uint64_t gpa, uint64_t len)
{
	const struct hut_segment *s = hut_image_segment_at(&vm->img, gpa, len);
	uint64_t stack = vm->stack_top - vm->stack_size;
	if (len == 0)
		return vm->mem.host;
	if ((s && (s->flags & PF_W)) ||
	    (gpa >= vm->heap_start && gpa <= vm->heap_end && len <= vm->heap_end - gpa) ||
	    (gpa >= stack && gpa <= vm->stack_top && len <= vm->stack_top - gpa))
		return hut_gpa(&vm->mem, gpa, len);
	return NULL;
}

typedef const void *(*access_fn)(const struct hut_vm *vm, uint64_t gpa, uint64_t len);

/* Builds host iovecs for the guest's; -EFAULT if any piece is out of reach. */
static int64_t gather(struct hut_vm *vm, uint64_t iov_gpa, uint32_t n, struct iovec *out,
		      access_fn access)
{
	const uint8_t *giov = readable(vm, iov_gpa, (uint64_t)n * sizeof(struct hut_iovec));
	uint64_t total = 0;
	if (!giov)
		return -EFAULT;
	for (uint32_t i = 0; i < n; i++) {
		struct hut_iovec v; /* copied out: the array may be misaligned */
		memcpy(&v, giov + i * sizeof v, sizeof v);
		out[i].iov_base = (void *)access(vm, v.base, v.len);
		out[i].iov_len = v.len;
		if (!out[i].iov_base)
			return -EFAULT;
		total += v.len; /* each len <= RAM size: no overflow in 1024 of them */
	}
	return (int64_t)total;
}

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
	int64_t total = gather(vm, iov_gpa, iovcnt, iov, readable);
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
	int64_t total = gather(vm, iov_gpa, iovcnt, iov, writable);
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
