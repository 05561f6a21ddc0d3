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

/* A handle's stat: the host's, with the guest's owner view on top (an O_PATH
 * handle cannot read xattrs: it shows the host's). */
static int64_t stat_handle(uint32_t h, struct hut_file_stat *out)
{
	struct stat st;
	const struct hut_handle *hd = &hut_files.handles[h];
	if (fstat(hd->fd, &st) != 0)
		return -errno;
	hut_file_stat_of(&st, out);
	if (!hd->path_only)
		hut_owner_view(hd->volume, hd->fd, out);
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
static int64_t open_read_only(uint32_t v, const char *path, int flags)
{
	int fd;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		return -EROFS;
	fd = hut_volume_open_at(v, path, flags & ~(O_CREAT | O_EXCL), 0);
	if (fd == -ENOENT && (flags & O_CREAT))
		return -EROFS;
	if (fd >= 0 && (flags & O_CREAT) && (flags & O_EXCL)) {
		close(fd);
		return -EEXIST;
	}
	return fd;
}

static int free_handle(void)
{
	for (int h = 0; h < HUT_FILE_HANDLES_MAX; h++)
		if (!hut_files.handles[h].used)
			return h;
	return -1;
}

/* Opening with O_CREAT or O_TRUNC where size= counts, or creating with
 * set-ID bits where owner=mapped keeps them: the name is looked at first
 * (did it exist, what did it hold) and its directory measured around. */
static bool open_needs_care(uint32_t v, int flags, uint32_t mode)
{
	if (flags & O_PATH)
		return false;
	return (hut_size_limited(v) && (flags & (O_CREAT | O_TRUNC))) ||
	       (hut_owner_mapped(v) && (flags & O_CREAT) && (mode & (S_ISUID | S_ISGID)));
}

static int open_with_care(const struct hut_hc_file *hc, struct hut_guest_path *p, int flags)
{
	const char *name;
	struct stat old;
	uint32_t v = hc->volume, mode = hut_owner_host_mode(v, hc->mode);
	int dir = hut_file_parent(v, p, &name);
	if (dir == -EBUSY) /* the volume itself: nothing to create or truncate */
		return hut_volume_open_at(v, p->s, flags, mode);
	if (dir < 0)
		return dir;
	bool existed = fstatat(dir, name, &old, AT_SYMLINK_NOFOLLOW) == 0;
	bool limited = hut_size_limited(v);
	uint64_t dir_before = limited ? hut_size_of(dir) : 0;
	int fd = !existed && (flags & O_CREAT) && limited && !hut_size_room(v)
			 ? -ENOSPC
			 : hut_volume_open_at(v, p->s, flags, mode);
	if (fd >= 0 && limited) {
		uint64_t was = existed && S_ISREG(old.st_mode) ? (uint64_t)old.st_blocks * 512 : 0;
		if (!existed || (flags & O_TRUNC))
			hut_size_changed(v, was, hut_size_of(fd));
		hut_size_changed(v, dir_before, hut_size_of(dir));
	}
	int64_t kept = fd >= 0 && !existed ? hut_owner_created(v, fd, hc->mode) : 0;
	if (kept != 0) {
		close(fd);
		fd = (int)kept;
	}
	close(dir);
	return fd;
}

static bool writable(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
}

/* The open file's checks (a regular file or a directory, unless O_PATH;
 * no set-ID bits left on what the guest may write), its stat and handle. */
static int64_t opened(struct hut_hc_file *hc, int fd, int flags, int h)
{
	struct stat st;
	int64_t r = fstat(fd, &st) ? -errno : 0;
	if (r == 0 && !(flags & O_PATH) && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		r = -EACCES; /* devices, FIFOs, sockets: as on a nodev mount */
	if (r == 0 && S_ISREG(st.st_mode) && writable(flags) &&
	    (r = hut_owner_strip(hc->volume, fd, st.st_mode)) == 0 && hut_owner_mapped(hc->volume))
		st.st_mode &= ~(mode_t)(S_ISUID | S_ISGID);
	if (r != 0) {
		close(fd);
		return r;
	}
	hut_file_stat_of(&st, &hc->stat); /* the host's: the owner view costs a syscall */
	hut_files.handles[h] = (struct hut_handle){
		fd, hc->volume, true, (flags & O_PATH) != 0, st.st_dev, st.st_ino};
	hc->handle = (uint32_t)h;
	return 0;
}

static int64_t op_open(struct hut_hc_file *hc, struct hut_guest_path *p)
{
	int flags = (int)hc->flags & OPEN_FLAGS, fd, h = free_handle();
	uint32_t v = hc->volume;
	if (h < 0)
		return -ENFILE;
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW;
	else
		flags |= O_NONBLOCK;
	if (hut_files.volumes[v].ro)
		fd = (int)open_read_only(v, p->s, flags);
	else if (open_needs_care(v, flags, hc->mode))
		fd = open_with_care(hc, p, flags);
	else
		fd = hut_volume_open_at(v, p->s, flags, hut_owner_host_mode(v, hc->mode));
	return fd < 0 ? fd : opened(hc, fd, flags, h);
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

/* Cuts iov[0..n) to its first `bytes` bytes (fewer than it holds);
 * returns how many iovecs are left. */
static int cut_iovecs(struct iovec *iov, int n, uint64_t bytes)
{
	for (int i = 0; i < n; i++) {
		if (iov[i].iov_len >= bytes) {
			iov[i].iov_len = bytes;
			return i + 1;
		}
		bytes -= iov[i].iov_len;
	}
	return n;
}

/* An append writes at the end as it is now (the libos keeps O_APPEND); the
 * new offset goes back either way. On a volume with size=, the write is
 * cut to what fits first, and what it allocated is counted after. */
static int64_t op_write(struct hut_vm *vm, struct hut_hc_file *hc, int fd)
{
	static struct iovec iov[HUT_IOV_MAX];
	uint64_t at = hc->offset;
	uint32_t v = hut_files.handles[hc->handle].volume;
	bool limited = hut_size_limited(v);
	int count = (int)hc->len;
	struct stat st = {0};
	if (hut_files.volumes[v].ro)
		return -EBADF; /* it cannot have been opened for writing */
	if (hc->len > HUT_IOV_MAX)
		return -EINVAL;
	if ((at == HUT_FILE_APPEND || limited) && fstat(fd, &st) != 0)
		return -errno;
	if (at == HUT_FILE_APPEND)
		at = (uint64_t)st.st_size;
	if (at > INT64_MAX)
		return -EINVAL;
	int64_t total = hut_guest_iovecs(vm, hc->buf, (uint32_t)hc->len, iov, false);
	if (total < 0)
		return total;
	if (limited) {
		uint64_t fits = hut_size_write_fits(v, fd, &st, at, (uint64_t)total);
		if (fits == 0 && total > 0)
			return -ENOSPC;
		if (fits < (uint64_t)total)
			count = cut_iovecs(iov, count, fits);
	}
	ssize_t n = pwritev(fd, iov, count, (off_t)at);
	int e = errno;
	if (limited)
		hut_size_changed(v, (uint64_t)st.st_blocks * 512, hut_size_of(fd));
	if (n < 0)
		return -e;
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

static int64_t op_allocate(const struct hut_hc_file *hc, int fd)
{
	uint32_t v = hut_files.handles[hc->handle].volume;
	bool limited = hut_size_limited(v);
	struct stat st = {0};
	int64_t r;
	if (hut_files.volumes[v].ro)
		return -EBADF;
	if (hc->offset > INT64_MAX || hc->len > INT64_MAX)
		return -EINVAL;
	if (limited && fstat(fd, &st) != 0)
		return -errno;
	if (limited && (r = hut_size_allocate_fits(v, fd, &st, hc->offset, hc->len)) != 0)
		return r;
	r = fallocate(fd, 0, (off_t)hc->offset, (off_t)hc->len) ? -errno : 0;
	if (limited)
		hut_size_changed(v, (uint64_t)st.st_blocks * 512, hut_size_of(fd));
	return r;
}

/* --- attributes of an open file ------------------------------------------- */

/* Mode and owner: the host gets what owner= lets it have (owner.c), the
 * guest's view keeps the rest. */
static int64_t set_owner(uint32_t v, const struct hut_hc_file *hc, int fd)
{
	if ((hc->flags & HUT_FILE_ATTR_MODE) && fchmod(fd, hut_owner_host_mode(v, hc->mode)))
		return -errno;
	if ((hc->flags & HUT_FILE_ATTR_OWNER) && !hut_owner_mapped(v) &&
	    fchown(fd, hc->uid, hc->gid) != 0)
		return -errno;
	return hut_owner_set(v, fd, hc);
}

static int64_t op_fsetattr(const struct hut_hc_file *hc, int fd)
{
	uint32_t v = hut_files.handles[hc->handle].volume;
	int64_t r;
	if (hut_files.volumes[v].ro)
		return -EROFS;
	if ((hc->flags & HUT_FILE_ATTR_SIZE) && (r = hut_file_truncate(v, fd, hc->offset)) != 0)
		return r;
	if ((r = set_owner(v, hc, fd)) != 0)
		return r;
	if (hc->flags & HUT_FILE_ATTR_TIMES) {
		struct timespec ts[2] = {{hc->atime_sec, hc->atime_nsec},
					 {hc->mtime_sec, hc->mtime_nsec}};
		if (futimens(fd, ts) != 0)
			return -errno;
	}
	return 0;
}

static int64_t op_close(uint32_t h)
{
	hut_size_closing(h);
	close(hut_files.handles[h].fd);
	hut_files.handles[h] = (struct hut_handle){-1, 0, false, false, 0, 0};
	return 0;
}

static int64_t handle_op(struct hut_vm *vm, struct hut_hc_file *hc)
{
	if (hc->handle >= HUT_FILE_HANDLES_MAX || !hut_files.handles[hc->handle].used)
		return -EBADF;
	int fd = hut_files.handles[hc->handle].fd;
	if (hut_files.handles[hc->handle].path_only && hc->op != HUT_FILE_CLOSE &&
	    hc->op != HUT_FILE_STAT)
		return -EBADF;
	switch (hc->op) {
	case HUT_FILE_CLOSE:
		return op_close(hc->handle);
	case HUT_FILE_READ:
		return op_read(vm, hc, fd);
	case HUT_FILE_WRITE:
		return op_write(vm, hc, fd);
	case HUT_FILE_STAT:
		return stat_handle(hc->handle, &hc->stat);
	case HUT_FILE_GETDENTS:
		return op_getdents(vm, hc, fd);
	case HUT_FILE_SEEK:
		return op_seek(hc, fd);
	case HUT_FILE_SYNC:
		return (hc->flags & 1 ? fdatasync(fd) : fsync(fd)) ? -errno : 0;
	case HUT_FILE_ALLOCATE:
		return op_allocate(hc, fd);
	case HUT_FILE_FSETATTR:
		return op_fsetattr(hc, fd);
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
	static struct hut_guest_path path; /* 64 KiB: not on the stack */
	int64_t r;
	if (takes_handle(hc->op))
		r = handle_op(vm, hc);
	else if (hc->volume >= hut_files.nvolumes)
		r = -ENODEV;
	else if (hc->op == HUT_FILE_OPEN)
		r = (r = hut_guest_path(vm, hc->path, hc->path_len, &path)) ? r
									    : op_open(hc, &path);
	else
		r = hut_file_path_op(vm, hc);
	hc->result = r;
}
