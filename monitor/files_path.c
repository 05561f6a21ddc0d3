/*
 * File operations by path on a volume. A path's directory is opened with
 * openat2 under the volume (beneath it, no symlinks, no magic links), and
 * the change is made there with the *at() call on a single name, which can
 * name nothing outside that directory. On a :ro volume nothing changes:
 * ENOENT or EEXIST where Linux checks those first (mkdir, symlink, link,
 * setattr), else EROFS.
 */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 0x1
#define RENAME_EXCHANGE 0x2
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

void hut_file_stat_of(const struct stat *st, struct hut_file_stat *out)
{
	*out = (struct hut_file_stat){
		.ino = st->st_ino,
		.size = (uint64_t)st->st_size,
		.blocks = (uint64_t)st->st_blocks,
		.nlink = st->st_nlink,
		.mode = st->st_mode,
		.uid = st->st_uid,
		.gid = st->st_gid,
		.blksize = (uint32_t)st->st_blksize,
		.rdev = st->st_rdev,
		.atime_sec = st->st_atim.tv_sec,
		.mtime_sec = st->st_mtim.tv_sec,
		.ctime_sec = st->st_ctim.tv_sec,
		.atime_nsec = (uint32_t)st->st_atim.tv_nsec,
		.mtime_nsec = (uint32_t)st->st_mtim.tv_nsec,
		.ctime_nsec = (uint32_t)st->st_ctim.tv_nsec,
	};
}

/* Opens p's directory; *name is p's last component. The volume itself has
 * no directory here: EBUSY, as for a mount point. */
static int parent_of(const struct hut_vm *vm, uint32_t v, struct hut_guest_path *p,
		     const char **name)
{
	char *slash = strrchr(p->s, '/');
	if (!strcmp(p->s, "."))
		return -EBUSY;
	if (!slash) {
		*name = p->s;
		return hut_volume_open_at(vm, v, ".", O_PATH | O_DIRECTORY, 0);
	}
	*slash = 0;
	*name = slash + 1;
	return hut_volume_open_at(vm, v, p->s, O_PATH | O_DIRECTORY, 0);
}

static int exists(int dir, const char *name)
{
	struct stat st;
	return fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int read_only(const struct hut_vm *vm, uint32_t v)
{
	return vm->opt->volumes[v].ro;
}

static int64_t done(int64_t r, int fd1, int fd2)
{
	if (fd1 >= 0)
		close(fd1);
	if (fd2 >= 0)
		close(fd2);
	return r;
}

static int64_t op_lstat(const struct hut_vm *vm, struct hut_hc_file *hc, struct hut_guest_path *p)
{
	struct stat st;
	int fd = hut_volume_open_at(vm, hc->volume, p->s, O_PATH | O_NOFOLLOW, 0);
	if (fd < 0)
		return fd;
	int64_t r = fstat(fd, &st) ? -errno : 0;
	if (r == 0)
		hut_file_stat_of(&st, &hc->stat);
	return done(r, fd, -1);
}

static int64_t op_mkdir(const struct hut_vm *vm, const struct hut_hc_file *hc,
			struct hut_guest_path *p)
{
	const char *name;
	int dir = parent_of(vm, hc->volume, p, &name);
	if (dir < 0)
		return dir == -EBUSY ? -EEXIST : dir;
	if (read_only(vm, hc->volume))
		return done(exists(dir, name) ? -EEXIST : -EROFS, dir, -1);
	return done(mkdirat(dir, name, hc->mode & 07777) ? -errno : 0, dir, -1);
}

static int64_t op_unlink(const struct hut_vm *vm, const struct hut_hc_file *hc,
			 struct hut_guest_path *p)
{
	const char *name;
	int dir = parent_of(vm, hc->volume, p, &name);
	if (dir < 0)
		return dir;
	if (read_only(vm, hc->volume))
		return done(-EROFS, dir, -1); /* before looking: as Linux */
	int flags = (hc->flags & HUT_FILE_RMDIR) ? AT_REMOVEDIR : 0;
	return done(unlinkat(dir, name, flags) ? -errno : 0, dir, -1);
}

/* RENAME and LINK: from path to path2, both in this volume. */
static int64_t op_two(const struct hut_vm *vm, const struct hut_hc_file *hc,
		      struct hut_guest_path *p)
{
	static struct hut_guest_path p2;
	const char *name1, *name2;
	int64_t r = hut_guest_path(vm, hc->path2, hc->path2_len, &p2);
	unsigned flags = hc->flags;
	if (r != 0)
		return r;
	if (hc->op == HUT_FILE_RENAME && (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE)))
		return -EINVAL;
	int d1 = parent_of(vm, hc->volume, p, &name1);
	if (d1 < 0)
		return d1;
	int d2 = parent_of(vm, hc->volume, &p2, &name2);
	if (d2 < 0)
		return done(d2, d1, -1);
	if (read_only(vm, hc->volume)) /* link looks its old name up first, rename does not */
		return done(hc->op == HUT_FILE_LINK && !exists(d1, name1) ? -ENOENT : -EROFS, d1,
			    d2);
	if (hc->op == HUT_FILE_LINK)
		r = linkat(d1, name1, d2, name2, 0) ? -errno : 0;
	else
		r = syscall(SYS_renameat2, d1, name1, d2, name2, flags) ? -errno : 0;
	return done(r, d1, d2);
}

/* The target is stored as given: any bytes but NUL, never followed here. */
static int64_t op_symlink(const struct hut_vm *vm, const struct hut_hc_file *hc,
			  struct hut_guest_path *p)
{
	static char target[PATH_MAX];
	const char *name, *t = hut_guest_readable(vm, hc->path2, hc->path2_len);
	if (hc->path2_len == 0 || hc->path2_len >= PATH_MAX)
		return hc->path2_len ? -ENAMETOOLONG : -ENOENT;
	if (!t)
		return -EFAULT;
	memcpy(target, t, hc->path2_len);
	target[hc->path2_len] = 0;
	if (memchr(target, 0, hc->path2_len))
		return -EINVAL;
	int dir = parent_of(vm, hc->volume, p, &name);
	if (dir < 0)
		return dir == -EBUSY ? -EEXIST : dir;
	if (read_only(vm, hc->volume))
		return done(exists(dir, name) ? -EEXIST : -EROFS, dir, -1);
	return done(symlinkat(target, dir, name) ? -errno : 0, dir, -1);
}

static int64_t op_readlink(const struct hut_vm *vm, const struct hut_hc_file *hc,
			   struct hut_guest_path *p)
{
	const char *name;
	char *buf = hut_guest_writable(vm, hc->buf, hc->len);
	if (!buf)
		return -EFAULT;
	int dir = parent_of(vm, hc->volume, p, &name);
	if (dir < 0)
		return dir == -EBUSY ? -EINVAL : dir;
	ssize_t n = readlinkat(dir, name, buf, hc->len > PATH_MAX ? PATH_MAX : hc->len);
	return done(n < 0 ? -errno : n, dir, -1);
}

/* chmod and utimensat want a file, not an O_PATH fd, on kernels before
 * fchmodat2 (6.6) and utimensat's AT_EMPTY_PATH: open it for reading. */
static int reopen(const struct hut_vm *vm, uint32_t v, const char *path)
{
	return hut_volume_open_at(vm, v, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
}

static int64_t set_mode(const struct hut_vm *vm, uint32_t v, const char *path, int fd,
			uint32_t mode)
{
	if (syscall(SYS_fchmodat2, fd, "", mode & 07777, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
		return -errno;
	int rfd = reopen(vm, v, path);
	if (rfd < 0)
		return rfd;
	return done(fchmod(rfd, mode & 07777) ? -errno : 0, rfd, -1);
}

static int64_t set_times(const struct hut_vm *vm, uint32_t v, const char *path, int fd,
			 const struct timespec ts[2])
{
	if (utimensat(fd, "", ts, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOENT && errno != EBADF)
		return -errno;
	int rfd = reopen(vm, v, path);
	if (rfd < 0)
		return rfd;
	return done(futimens(rfd, ts) ? -errno : 0, rfd, -1);
}

static int64_t set_size(const struct hut_vm *vm, uint32_t v, const char *path, uint64_t size)
{
	if (size > INT64_MAX)
		return -EINVAL;
	int wfd = hut_volume_open_at(vm, v, path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK, 0);
	if (wfd < 0)
		return wfd;
	return done(ftruncate(wfd, (off_t)size) ? -errno : 0, wfd, -1);
}

static int64_t apply_attr(const struct hut_vm *vm, const struct hut_hc_file *hc, const char *path,
			  int fd, const struct stat *st)
{
	int64_t r = 0;
	struct timespec ts[2] = {{hc->atime_sec, hc->atime_nsec}, {hc->mtime_sec, hc->mtime_nsec}};
	if (hc->flags & HUT_FILE_ATTR_SIZE)
		r = S_ISDIR(st->st_mode)    ? -EISDIR
		    : !S_ISREG(st->st_mode) ? -EINVAL
					    : set_size(vm, hc->volume, path, hc->offset);
	if (r == 0 && (hc->flags & HUT_FILE_ATTR_MODE))
		r = S_ISLNK(st->st_mode) ? -EOPNOTSUPP
					 : set_mode(vm, hc->volume, path, fd, hc->mode);
	if (r == 0 && (hc->flags & HUT_FILE_ATTR_OWNER) &&
	    fchownat(fd, "", hc->uid, hc->gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0)
		r = -errno;
	if (r == 0 && (hc->flags & HUT_FILE_ATTR_TIMES))
		r = set_times(vm, hc->volume, path, fd, ts);
	return r;
}

static int64_t op_setattr(const struct hut_vm *vm, const struct hut_hc_file *hc,
			  struct hut_guest_path *p)
{
	struct stat st;
	int fd = hut_volume_open_at(vm, hc->volume, p->s, O_PATH | O_NOFOLLOW, 0);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) != 0)
		return done(-errno, fd, -1);
	if ((hc->flags & HUT_FILE_ATTR_NOLINK) && S_ISLNK(st.st_mode))
		return done(-ELOOP, fd, -1);
	if (read_only(vm, hc->volume))
		return done(-EROFS, fd, -1);
	return done(apply_attr(vm, hc, p->s, fd, &st), fd, -1);
}

static int64_t op_statfs(const struct hut_vm *vm, const struct hut_hc_file *hc)
{
	struct statfs sf;
	struct hut_file_statfs *out =
		hc->len == sizeof *out ? hut_guest_writable(vm, hc->buf, sizeof *out) : NULL;
	if (!out)
		return -EFAULT;
	if (fstatfs(vm->volume_fd[hc->volume], &sf) != 0)
		return -errno;
	*out = (struct hut_file_statfs){
		(uint64_t)sf.f_type,
		(uint64_t)sf.f_bsize,
		sf.f_blocks,
		sf.f_bfree,
		sf.f_bavail,
		sf.f_files,
		sf.f_ffree,
		(uint64_t)sf.f_namelen,
		(uint64_t)sf.f_frsize,
		(uint64_t)sf.f_flags | (read_only(vm, hc->volume) ? ST_RDONLY : 0),
	};
	return 0;
}

int64_t hut_file_path_op(struct hut_vm *vm, struct hut_hc_file *hc)
{
	static struct hut_guest_path p;
	int64_t r;
	if (hc->op == HUT_FILE_STATFS)
		return op_statfs(vm, hc);
	if ((r = hut_guest_path(vm, hc->path, hc->path_len, &p)) != 0)
		return r;
	switch (hc->op) {
	case HUT_FILE_LSTAT:
		return op_lstat(vm, hc, &p);
	case HUT_FILE_MKDIR:
		return op_mkdir(vm, hc, &p);
	case HUT_FILE_UNLINK:
		return op_unlink(vm, hc, &p);
	case HUT_FILE_RENAME:
	case HUT_FILE_LINK:
		return op_two(vm, hc, &p);
	case HUT_FILE_SYMLINK:
		return op_symlink(vm, hc, &p);
	case HUT_FILE_READLINK:
		return op_readlink(vm, hc, &p);
	case HUT_FILE_SETATTR:
		return op_setattr(vm, hc, &p);
	default:
		return -EINVAL;
	}
}
