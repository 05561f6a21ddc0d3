/*
 * Asking about files by path: stat, lstat, newfstatat, statx, access and
 * its *at forms, readlink(at), statfs and fstatfs; getdents64 (a
 * directory's entries).
 */
#include "vfs.h"

#include <errno.h>
#include <unistd.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#define AT_NO_AUTOMOUNT_ 0x800
#define AT_STATX_SYNC_TYPE_ 0x6000

/* The kernel's struct statx (musl's headers have none). */
struct statx_ts {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct k_statx {
	uint32_t stx_mask, stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink, stx_uid, stx_gid;
	uint16_t stx_mode, pad1;
	uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
	uint64_t spare[14];
};
#define STATX_BASIC_STATS_ 0x7ffu

struct stat_request {
	int follow;
	struct stat st;
};

static long stat_resolved(struct hut_path *p, void *ctx)
{
	struct stat_request *s = ctx;
	long r = p->mount->ops->lstat(p->mount, p->rel, &s->st);
	if (r != 0)
		return r;
	if (s->follow && S_ISLNK(s->st.st_mode)) {
		struct hut_file *f = hut_path_fd_link(p);
		if (!f)
			return -HUT_ESYMLINK;
		return f->ops->stat ? f->ops->stat(f, &s->st) : -EINVAL;
	}
	if (p->must_dir && !S_ISDIR(s->st.st_mode))
		return -ENOTDIR;
	return 0;
}

/* The app's path is "" (AT_EMPTY_PATH names dirfd itself). */
static long empty_path(const char *path)
{
	if (!hut_user_readable(path, 1))
		return -EFAULT;
	return *path == 0;
}

/* fstat of dirfd; AT_FDCWD is the current directory. */
static long stat_fd(long fd, struct stat_request *s)
{
	struct hut_file *f;
	if (fd == AT_FDCWD) {
		s->follow = 1;
		return hut_path_run(0, AT_FDCWD, ".", HUT_WALK_FOLLOW, stat_resolved, s);
	}
	if (!(f = hut_fd_file(fd)))
		return -EBADF;
	return f->ops->stat ? f->ops->stat(f, &s->st) : -EINVAL;
}

/* stat of (dirfd, path) under fstatat's flags, into the libos's own st. */
static long stat_at(long dirfd, const char *path, long flags, struct stat_request *s)
{
	long e;
	if (flags &
	    ~(long)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT_ | AT_STATX_SYNC_TYPE_))
		return -EINVAL;
	if ((flags & AT_EMPTY_PATH) && (e = empty_path(path)) != 0)
		return e < 0 ? e : stat_fd(dirfd, s);
	s->follow = !(flags & AT_SYMLINK_NOFOLLOW);
	return hut_path_run(0, dirfd, path, s->follow ? HUT_WALK_FOLLOW : 0, stat_resolved, s);
}

static long stat_out(long dirfd, const char *path, long flags, struct stat *out)
{
	struct stat_request s;
	if (!hut_user_writable(out, sizeof *out))
		return -EFAULT;
	long r = stat_at(dirfd, path, flags, &s);
	if (r == 0)
		*out = s.st;
	return r;
}

HUT_SYSCALL(stat)
{
	return stat_out(AT_FDCWD, (const char *)a0, 0, (struct stat *)a1);
}

HUT_SYSCALL(lstat)
{
	return stat_out(AT_FDCWD, (const char *)a0, AT_SYMLINK_NOFOLLOW, (struct stat *)a1);
}

HUT_SYSCALL(newfstatat)
{
	return stat_out(a0, (const char *)a1, a3, (struct stat *)a2);
}

static struct statx_ts to_statx_ts(struct timespec t)
{
	return (struct statx_ts){t.tv_sec, (uint32_t)t.tv_nsec, 0};
}

HUT_SYSCALL(statx)
{
	struct stat_request s;
	struct k_statx *x = (struct k_statx *)a4;
	if (!hut_user_writable(x, sizeof *x))
		return -EFAULT;
	if ((uint32_t)a3 & 0x80000000u) /* STATX__RESERVED */
		return -EINVAL;
	long r = stat_at(a0, (const char *)a1, a2, &s);
	if (r != 0)
		return r;
	hut_memset(x, 0, sizeof *x);
	x->stx_mask = STATX_BASIC_STATS_;
	x->stx_blksize = (uint32_t)s.st.st_blksize;
	x->stx_nlink = (uint32_t)s.st.st_nlink;
	x->stx_uid = s.st.st_uid;
	x->stx_gid = s.st.st_gid;
	x->stx_mode = (uint16_t)s.st.st_mode;
	x->stx_ino = s.st.st_ino;
	x->stx_size = (uint64_t)s.st.st_size;
	x->stx_blocks = (uint64_t)s.st.st_blocks;
	x->stx_atime = to_statx_ts(s.st.st_atim);
	x->stx_mtime = to_statx_ts(s.st.st_mtim);
	x->stx_ctime = to_statx_ts(s.st.st_ctim);
	x->stx_rdev_major = (uint32_t)(s.st.st_rdev >> 8) & 0xfff;
	x->stx_rdev_minor = (uint32_t)(s.st.st_rdev & 0xff);
	x->stx_dev_minor = (uint32_t)s.st.st_dev;
	return 0;
}

/* access: a read-only file system says EROFS to W_OK on a file, directory
 * or symlink; then the permission bits decide, for the real ids unless
 * AT_EACCESS asks for the effective ones (proc/cred.c swaps them in). */
struct access_request {
	struct stat_request s;
	int mode;
};

static long access_resolved(struct hut_path *p, void *ctx)
{
	struct access_request *a = ctx;
	long r = stat_resolved(p, &a->s);
	uint32_t m = a->s.st.st_mode;
	if (r != 0)
		return r;
	if ((a->mode & W_OK) && (p->mount->flags & HUT_MOUNT_RDONLY) &&
	    (S_ISREG(m) || S_ISDIR(m) || S_ISLNK(m)))
		return -EROFS;
	/* R_OK, W_OK and X_OK are HUT_MAY_READ, _WRITE and _EXEC. */
	return a->mode ? hut_perm(&a->s.st, a->mode) : 0;
}

static long do_access(long dirfd, const char *path, long mode, long flags)
{
	struct access_request a = {{!(flags & AT_SYMLINK_NOFOLLOW), {0}}, (int)mode};
	struct hut_cred saved;
	if (mode & ~(long)(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(long)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (!(flags & AT_EACCESS))
		hut_cred_use_real(&saved);
	long r =
		hut_path_run(0, dirfd, path, a.s.follow ? HUT_WALK_FOLLOW : 0, access_resolved, &a);
	if (!(flags & AT_EACCESS))
		hut_cred_restore(&saved);
	return r;
}

HUT_SYSCALL(access)
{
	return do_access(AT_FDCWD, (const char *)a0, a1, 0);
}

HUT_SYSCALL(faccessat)
{
	return do_access(a0, (const char *)a1, a2, 0);
}

HUT_SYSCALL(faccessat2)
{
	return do_access(a0, (const char *)a1, a2, a3);
}

struct readlink_request {
	char *buf;
	size_t len;
};

static long readlink_resolved(struct hut_path *p, void *ctx)
{
	const struct readlink_request *q = ctx;
	static char target[HUT_PATH_MAX];
	struct hut_mount *m = p->mount;
	long n = m->ops->readlink ? m->ops->readlink(m, p->rel, target, sizeof target) : -EINVAL;
	if (n < 0)
		return n;
	if ((size_t)n > q->len)
		n = (long)q->len;
	hut_memcpy(q->buf, target, (size_t)n);
	return n;
}

static long do_readlink(long dirfd, const char *path, char *buf, long len)
{
	struct readlink_request q = {buf, (size_t)len};
	if (len <= 0)
		return -EINVAL;
	if (!hut_user_writable(buf, (size_t)len))
		return -EFAULT;
	return hut_path_run(0, dirfd, path, 0, readlink_resolved, &q);
}

HUT_SYSCALL(readlink)
{
	return do_readlink(AT_FDCWD, (const char *)a0, (char *)a1, a2);
}

HUT_SYSCALL(readlinkat)
{
	return do_readlink(a0, (const char *)a1, (char *)a2, a3);
}

static long statfs_resolved(struct hut_path *p, void *ctx)
{
	struct stat_request s = {1, {0}};
	long r = stat_resolved(p, &s);
	if (r != 0)
		return r;
	return p->mount->ops->statfs ? p->mount->ops->statfs(p->mount, ctx) : -ENOSYS;
}

HUT_SYSCALL(statfs)
{
	struct statfs sf, *out = (struct statfs *)a1;
	if (!hut_user_writable(out, sizeof *out))
		return -EFAULT;
	long r = hut_path_run(0, AT_FDCWD, (const char *)a0, HUT_WALK_FOLLOW, statfs_resolved, &sf);
	if (r == 0)
		*out = sf;
	return r;
}

#define PIPEFS_MAGIC 0x50495045

HUT_SYSCALL(fstatfs)
{
	struct hut_file *f = hut_fd_file(a0);
	struct statfs *out = (struct statfs *)a1;
	if (!f)
		return -EBADF;
	if (!hut_user_writable(out, sizeof *out))
		return -EFAULT;
	if (!f->mount) { /* the console and pipes */
		hut_memset(out, 0, sizeof *out);
		out->f_type = PIPEFS_MAGIC;
		out->f_bsize = HUT_PAGE_SIZE;
		out->f_namelen = HUT_FNAME_MAX;
		return 0;
	}
	return f->mount->ops->statfs ? f->mount->ops->statfs(f->mount, out) : -ENOSYS;
}

HUT_SYSCALL(getdents64)
{
	struct hut_file *f = hut_fd_file(a0);
	if (!f || (f->kind & HUT_KIND_PATH))
		return -EBADF;
	if (!(f->kind & HUT_KIND_DIR))
		return -ENOTDIR;
	if (!hut_user_writable((void *)a1, (size_t)a2))
		return -EFAULT;
	long r = hut_vfs_getdents(f, (void *)a1, (size_t)a2);
	if (r >= 0)
		hut_file_note(f, HUT_NOTE_ACCESS); /* as Linux's iterate_dir */
	return r;
}
