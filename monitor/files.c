/*
 * The file hypercall: a guest's operation on a volume. Paths are checked
 * and resolved under the volume's directory fd with openat2 (never
 * following a symlink: the guest's libos follows them itself), host fds
 * stay in the monitor's handle table (the guest sees indexes into it), and
 * data moves with preadv/pwritev straight between the host file and the
 * guest's checked iovecs. Every result is what Linux gave, -errno included;
 * a hostile argument is an errno too (EFAULT, EINVAL, EBADF), never a
 * monitor crash.
 */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static int64_t stat_fd(int fd, struct hut_file_stat *out)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -errno;
	hut_file_stat_of(&st, out);
	return 0;
}

/* --- open ----------------------------------------------------------------- */

/* The open(2) flags a guest may ask for; O_APPEND is the libos's business
 * (it writes at HUT_FILE_APPEND), and every open is non-blocking so that a
 * FIFO someone left in the volume cannot stall the monitor. */
#define OPEN_FLAGS                                                                                 \
	(O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_DIRECTORY | O_NOFOLLOW | O_SYNC | O_DSYNC |    \
	 O_PATH)

/* A :ro volume: only reads, and an O_CREAT of a file that exists. */
static int64_t open_read_only(const struct hut_vm *vm, uint32_t v, const char *path, int flags)
{
	int fd;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		return -EROFS;
	fd = hut_volume_open_at(vm, v, path, flags & ~(O_CREAT | O_EXCL), 0);
	if (fd == -ENOENT && (flags & O_CREAT))
		return -EROFS;
	if (fd >= 0 && (flags & O_CREAT) && (flags & O_EXCL)) {
		close(fd);
		return -EEXIST;
	}
	return fd;
}

static int free_handle(const struct hut_vm *vm)
{
	for (int h = 0; h < HUT_FILE_HANDLES_MAX; h++)
		if (!vm->handles[h].used)
			return h;
	return -1;
}

static int64_t op_open(struct hut_vm *vm, struct hut_hc_file *hc, const char *path)
{
	int flags = (int)hc->flags & OPEN_FLAGS, fd, h = free_handle(vm);
	int64_t r;
	if (h < 0)
		return -ENFILE;
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW;
	else
		flags |= O_NONBLOCK;
	fd = vm->opt->volumes[hc->volume].ro
		     ? (int)open_read_only(vm, hc->volume, path, flags)
		     : hut_volume_open_at(vm, hc->volume, path, flags, hc->mode);
	if (fd < 0)
		return fd;
	if ((r = stat_fd(fd, &hc->stat)) == 0 && !(flags & O_PATH) && !S_ISREG(hc->stat.mode) &&
	    !S_ISDIR(hc->stat.mode))
		r = -EACCES; /* devices, FIFOs, sockets: as on a nodev mount */
	if (r != 0) {
		close(fd);
		return r;
	}
	vm->handles[h] = (struct hut_handle){fd, hc->volume, true, (flags & O_PATH) != 0};
	hc->handle = (uint32_t)h;
	return 0;
}

/* --- data ----------------------------------------------------------------- */

static int64_t op_read(struct hut_vm *vm, const struct hut_hc_file *hc, int fd)
{
	static struct iovec iov[HUT_IOV_MAX];
	if (hc->len > HUT_IOV_MAX)
		return -EINVAL;
	if (hc->offset > INT64_MAX)
		return -EINVAL;
	int64_t total = hut_guest_iovecs(vm, hc->buf, (uint32_t)hc->len, iov, true);
	if (total < 0)
		return total;
	ssize_t n = preadv(fd, iov, (int)hc->len, (off_t)hc->offset);
	return n < 0 ? -errno : n;
}

/* An append writes at the end as it is now (the libos keeps O_APPEND); the
 * new offset goes back either way. */
static int64_t op_write(struct hut_vm *vm, struct hut_hc_file *hc, int fd)
{
	static struct iovec iov[HUT_IOV_MAX];
	uint64_t at = hc->offset;
	struct stat st;
	if (vm->opt->volumes[vm->handles[hc->handle].volume].ro)
		return -EBADF; /* it cannot have been opened for writing */
	if (hc->len > HUT_IOV_MAX)
		return -EINVAL;
	if (at == HUT_FILE_APPEND) {
		if (fstat(fd, &st) != 0)
			return -errno;
		at = (uint64_t)st.st_size;
	}
	if (at > INT64_MAX)
		return -EINVAL;
	int64_t total = hut_guest_iovecs(vm, hc->buf, (uint32_t)hc->len, iov, false);
	if (total < 0)
		return total;
	ssize_t n = pwritev(fd, iov, (int)hc->len, (off_t)at);
	if (n < 0)
		return -errno;
	hc->offset = at + (uint64_t)n;
	return n;
}

static int64_t op_getdents(struct hut_vm *vm, const struct hut_hc_file *hc, int fd)
{
	uint64_t len = hc->len > (1u << 30) ? (1u << 30) : hc->len;
	void *buf = hut_guest_writable(vm, hc->buf, len);
	if (!buf)
		return -EFAULT;
	long n = syscall(SYS_getdents64, fd, buf, (size_t)len);
	return n < 0 ? -errno : n;
}

static int64_t op_seek(const struct hut_hc_file *hc, int fd)
{
	if (hc->flags != SEEK_SET && hc->flags != SEEK_CUR && hc->flags != SEEK_END)
		return -EINVAL;
	off_t r = lseek(fd, (off_t)hc->offset, (int)hc->flags);
	return r < 0 ? -errno : r;
}

static int64_t op_allocate(const struct hut_vm *vm, const struct hut_hc_file *hc, int fd)
{
	if (vm->opt->volumes[vm->handles[hc->handle].volume].ro)
		return -EBADF;
	if (hc->offset > INT64_MAX || hc->len > INT64_MAX)
		return -EINVAL;
	return fallocate(fd, 0, (off_t)hc->offset, (off_t)hc->len) ? -errno : 0;
}

/* --- attributes of an open file ------------------------------------------- */

static int64_t op_fsetattr(const struct hut_vm *vm, const struct hut_hc_file *hc, int fd)
{
	if (vm->opt->volumes[vm->handles[hc->handle].volume].ro)
		return -EROFS;
	if ((hc->flags & HUT_FILE_ATTR_SIZE) &&
	    (hc->offset > INT64_MAX || ftruncate(fd, (off_t)hc->offset) != 0))
		return hc->offset > INT64_MAX ? -EINVAL : -errno;
	if ((hc->flags & HUT_FILE_ATTR_MODE) && fchmod(fd, hc->mode & 07777) != 0)
		return -errno;
	if ((hc->flags & HUT_FILE_ATTR_OWNER) && fchown(fd, hc->uid, hc->gid) != 0)
		return -errno;
	if (hc->flags & HUT_FILE_ATTR_TIMES) {
		struct timespec ts[2] = {{hc->atime_sec, hc->atime_nsec},
					 {hc->mtime_sec, hc->mtime_nsec}};
		if (futimens(fd, ts) != 0)
			return -errno;
	}
	return 0;
}

static int64_t op_close(struct hut_vm *vm, uint32_t h)
{
	close(vm->handles[h].fd);
	vm->handles[h] = (struct hut_handle){-1, 0, false, false};
	return 0;
}

static int64_t handle_op(struct hut_vm *vm, struct hut_hc_file *hc)
{
	if (hc->handle >= HUT_FILE_HANDLES_MAX || !vm->handles[hc->handle].used)
		return -EBADF;
	int fd = vm->handles[hc->handle].fd;
	if (vm->handles[hc->handle].path_only && hc->op != HUT_FILE_CLOSE &&
	    hc->op != HUT_FILE_STAT)
		return -EBADF;
	switch (hc->op) {
	case HUT_FILE_CLOSE:
		return op_close(vm, hc->handle);
	case HUT_FILE_READ:
		return op_read(vm, hc, fd);
	case HUT_FILE_WRITE:
		return op_write(vm, hc, fd);
	case HUT_FILE_STAT:
		return stat_fd(fd, &hc->stat);
	case HUT_FILE_GETDENTS:
		return op_getdents(vm, hc, fd);
	case HUT_FILE_SEEK:
		return op_seek(hc, fd);
	case HUT_FILE_SYNC:
		return (hc->flags & 1 ? fdatasync(fd) : fsync(fd)) ? -errno : 0;
	case HUT_FILE_ALLOCATE:
		return op_allocate(vm, hc, fd);
	case HUT_FILE_FSETATTR:
		return op_fsetattr(vm, hc, fd);
	default:
		return -EINVAL;
	}
}

static int takes_handle(uint32_t op)
{
	return op == HUT_FILE_CLOSE || op == HUT_FILE_READ || op == HUT_FILE_WRITE ||
	       op == HUT_FILE_STAT || op == HUT_FILE_GETDENTS || op == HUT_FILE_SEEK ||
	       op == HUT_FILE_SYNC || op == HUT_FILE_ALLOCATE || op == HUT_FILE_FSETATTR;
}

void hut_file_hypercall(struct hut_vm *vm, struct hut_hc_file *hc)
{
	struct hut_guest_path path;
	int64_t r;
	if (takes_handle(hc->op))
		r = handle_op(vm, hc);
	else if (hc->volume >= vm->opt->nvolumes)
		r = -ENODEV;
	else if (hc->op == HUT_FILE_OPEN)
		r = (r = hut_guest_path(vm, hc->path, hc->path_len, &path))
			    ? r
			    : op_open(vm, hc, path.s);
	else
		r = hut_file_path_op(vm, hc);
	hc->result = r;
}
