/*
 * File operations by path on a volume. A path's directory is opened with
 * openat2 under the volume (beneath it, no symlinks, no magic links), and
 * the change is made there with the *at() call on a single name, which can
 * name nothing outside that directory. On a :ro volume nothing changes:
 * ENOENT or EEXIST where Linux checks those first (mkdir, symlink, link),
 * else EROFS. Attributes by path are files_attr.c's.
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
int hut_file_parent(uint32_t v, struct hut_guest_path *p, const char **name)
{
	char *slash = strrchr(p->s, '/');
	if (!strcmp(p->s, "."))
		return -EBUSY;
	if (!slash) {
		*name = p->s;
		return hut_volume_open_at(v, ".", O_PATH | O_DIRECTORY, 0);
	}
	*slash = 0;
	int fd = hut_volume_open_at(v, p->s, O_PATH | O_DIRECTORY, 0);
	*slash = '/';
	*name = slash + 1;
	return fd;
}

static int exists(int dir, const char *name)
{
	struct stat st;
	return fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int read_only(uint32_t v)
{
	return hut_files.volumes[v].ro;
}

static int64_t done(int64_t r, int fd1, int fd2)
{
	if (fd1 >= 0)
		close(fd1);
	if (fd2 >= 0)
		close(fd2);
	return r;
}

/* The guest's owner view of a path's file (owner.c), where there can be
 * one, on kernels without getxattrat: through a readable fd. */
static void show_owner(uint32_t v, const char *path, struct hut_file_stat *out)
{
	if (!hut_owner_mapped(v) || !(S_ISREG(out->mode) || S_ISDIR(out->mode)))
		return;
	int rfd = hut_volume_reopen(v, path);
	if (rfd >= 0) {
		hut_owner_view(v, rfd, out);
		close(rfd);
	}
}

/* The entry in its directory (fstatat, never following the last
 * component), so that the owner view can be read by name beside it. A
 * name right in the volume (one canonical component: no '/', not "." or
 * "..") is looked at beside the volume's own directory fd: nothing to
 * resolve, and four host syscalls fewer (open, place, close) on the path
 * every cache=auto open of a cached file takes. HUT_FILE_LSTAT_HOST (that
 * open's revalidation, when the guest knows the view) leaves out the owner
 * view's xattr read: one host syscall of the two. */
static int64_t op_lstat(struct hut_hc_file *hc, struct hut_guest_path *p)
{
	struct stat st;
	const char *name = ".";
	uint32_t v = hc->volume;
	bool top = !strchr(p->s, '/') && strcmp(p->s, ".") != 0;
	int dir = top ? -1 : hut_file_parent(v, p, &name);
	if (!top && dir < 0 && dir != -EBUSY)
		return dir;
	int at = dir >= 0 ? dir : hut_files.volume_fd[v]; /* EBUSY: the volume itself */
	if (top)
		name = p->s;
	else if (dir < 0)
		name = ".";
	int64_t r = fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
	if (r == 0) {
		hut_file_stat_of(&st, &hc->stat);
		if (!(hc->flags & HUT_FILE_LSTAT_HOST) &&
		    hut_owner_view_at(v, at, name, &hc->stat) == -ENOSYS)
			show_owner(v, p->s, &hc->stat);
	}
	return done(r, dir, -1);
}

/* --- size= around changes of names ------------------------------------------ */

/* No new name in a full volume, as a full file system refuses one. */
static bool full(uint32_t v)
{
	return hut_size_limited(v) && hut_size_room(v) == 0;
}

/* A directory's blocks before a change, where size= counts them. */
static uint64_t dir_before(uint32_t v, int dir)
{
	return hut_size_limited(v) ? hut_size_of(dir) : 0;
}

/* dir/name was just made: its blocks and its directory's growth count; a
 * set-group-ID bit a new directory inherits from its parent is taken off
 * the host's (owner.c). */
static int64_t made(uint32_t v, int dir, const char *name, uint64_t before)
{
	struct stat st;
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return 0;
	if (hut_size_limited(v)) {
		hut_size_changed(v, 0, (uint64_t)st.st_blocks * 512);
		hut_size_changed(v, before, hut_size_of(dir));
	}
	if (!S_ISDIR(st.st_mode) || !(st.st_mode & (S_ISUID | S_ISGID)) || !hut_owner_mapped(v))
		return 0;
	int fd = hut_open_beneath(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (fd < 0)
		return fd;
	return done(hut_owner_strip(v, fd, st.st_mode), fd, -1);
}

static int64_t op_mkdir(const struct hut_hc_file *hc, struct hut_guest_path *p)
{
	const char *name;
	uint32_t v = hc->volume;
	int dir = hut_file_parent(v, p, &name);
	if (dir < 0)
		return dir == -EBUSY ? -EEXIST : dir;
	if (read_only(v) || full(v))
		return done(exists(dir, name) ? -EEXIST : read_only(v) ? -EROFS : -ENOSPC, dir, -1);
	uint64_t before = dir_before(v, dir);
	if (mkdirat(dir, name, hut_owner_host_mode(v, hc->mode)) != 0)
		return done(-errno, dir, -1);
	return done(made(v, dir, name, before), dir, -1);
}

static int64_t op_unlink(const struct hut_hc_file *hc, struct hut_guest_path *p)
{
	const char *name;
	uint32_t v = hc->volume;
	int dir = hut_file_parent(v, p, &name);
	if (dir < 0)
		return dir;
	if (read_only(v))
		return done(-EROFS, dir, -1); /* before looking: as Linux */
	int flags = (hc->flags & HUT_FILE_RMDIR) ? AT_REMOVEDIR : 0;
	bool limited = hut_size_limited(v);
	uint64_t before = dir_before(v, dir), freed = limited ? hut_size_freed(dir, name) : 0;
	if (unlinkat(dir, name, flags) != 0)
		return done(-errno, dir, -1);
	if (limited) {
		hut_size_changed(v, freed, 0);
		hut_size_changed(v, before, hut_size_of(dir));
	}
	return done(0, dir, -1);
}

/* size= around a rename or a link: both directories' growth (once when
 * they are one), and the file a rename replaces, unless it is the same. */
struct two_sizes {
	uint64_t dir1, dir2, freed;
	bool one_dir;
};

static bool same_file(int d1, const char *n1, int d2, const char *n2)
{
	struct stat a, b;
	int flags = AT_SYMLINK_NOFOLLOW | (*n1 ? 0 : AT_EMPTY_PATH);
	return fstatat(d1, n1, &a, flags) == 0 && fstatat(d2, n2, &b, flags) == 0 &&
	       a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static struct two_sizes two_before(const struct hut_hc_file *hc, int d1, const char *n1, int d2,
				   const char *n2)
{
	struct two_sizes t = {0};
	if (!hut_size_limited(hc->volume))
		return t;
	t.one_dir = same_file(d1, "", d2, "");
	t.dir1 = hut_size_of(d1);
	t.dir2 = hut_size_of(d2);
	if (hc->op == HUT_FILE_RENAME && !(hc->flags & RENAME_EXCHANGE) &&
	    !same_file(d1, n1, d2, n2))
		t.freed = hut_size_freed(d2, n2);
	return t;
}

static void two_after(uint32_t v, const struct two_sizes *t, int d1, int d2)
{
	if (!hut_size_limited(v))
		return;
	hut_size_changed(v, t->freed, 0);
	hut_size_changed(v, t->dir1, hut_size_of(d1));
	if (!t->one_dir)
		hut_size_changed(v, t->dir2, hut_size_of(d2));
}

/* RENAME and LINK: from path to path2, both in this volume. */
static int64_t op_two(struct hut_vm *vm, const struct hut_hc_file *hc, struct hut_guest_path *p)
{
	static struct hut_guest_path p2;
	const char *name1, *name2;
	int64_t r = hut_guest_path(vm, hc->path2, hc->path2_len, &p2);
	unsigned flags = hc->flags;
	if (r != 0)
		return r;
	if (hc->op == HUT_FILE_RENAME && (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE)))
		return -EINVAL;
	int d1 = hut_file_parent(hc->volume, p, &name1);
	if (d1 < 0)
		return d1;
	int d2 = hut_file_parent(hc->volume, &p2, &name2);
	if (d2 < 0)
		return done(d2, d1, -1);
	if (read_only(hc->volume)) /* link looks its old name up first, rename does not */
		return done(hc->op == HUT_FILE_LINK && !exists(d1, name1) ? -ENOENT : -EROFS, d1,
			    d2);
	if (hc->op == HUT_FILE_LINK && full(hc->volume))
		return done(!exists(d1, name1)	? -ENOENT
			    : exists(d2, name2) ? -EEXIST
						: -ENOSPC,
			    d1, d2);
	struct two_sizes t = two_before(hc, d1, name1, d2, name2);
	if (hc->op == HUT_FILE_LINK)
		r = linkat(d1, name1, d2, name2, 0) ? -errno : 0;
	else
		r = syscall(SYS_renameat2, d1, name1, d2, name2, flags) ? -errno : 0;
	if (r == 0)
		two_after(hc->volume, &t, d1, d2);
	return done(r, d1, d2);
}

/* The target is stored as given: any bytes but NUL, never followed here. */
static int64_t op_symlink(struct hut_vm *vm, const struct hut_hc_file *hc, struct hut_guest_path *p)
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
	int dir = hut_file_parent(hc->volume, p, &name);
	if (dir < 0)
		return dir == -EBUSY ? -EEXIST : dir;
	if (read_only(hc->volume) || full(hc->volume))
		return done(exists(dir, name)	    ? -EEXIST
			    : read_only(hc->volume) ? -EROFS
						    : -ENOSPC,
			    dir, -1);
	uint64_t before = dir_before(hc->volume, dir);
	if (symlinkat(target, dir, name) != 0)
		return done(-errno, dir, -1);
	return done(made(hc->volume, dir, name, before), dir, -1);
}

static int64_t op_readlink(const struct hut_vm *vm, const struct hut_hc_file *hc,
			   struct hut_guest_path *p)
{
	const char *name;
	char *buf = hut_guest_writable(vm, hc->buf, hc->len);
	if (!buf)
		return -EFAULT;
	int dir = hut_file_parent(hc->volume, p, &name);
	if (dir < 0)
		return dir == -EBUSY ? -EINVAL : dir;
	ssize_t n = readlinkat(dir, name, buf, hc->len > PATH_MAX ? PATH_MAX : hc->len);
	return done(n < 0 ? -errno : n, dir, -1);
}

/* size=: the guest's df shows the limit, and what is left of it. */
static void limit_statfs(uint32_t v, struct hut_file_statfs *out)
{
	uint64_t unit = out->frsize ? out->frsize : out->bsize;
	if (!hut_size_limited(v) || unit == 0)
		return;
	uint64_t room = hut_size_room(v) / unit;
	out->blocks = hut_files.volumes[v].size / unit;
	out->bfree = out->bfree < room ? out->bfree : room;
	out->bavail = out->bavail < room ? out->bavail : room;
}

static int64_t op_statfs(const struct hut_vm *vm, const struct hut_hc_file *hc)
{
	struct statfs sf;
	struct hut_file_statfs *out =
		hc->len == sizeof *out ? hut_guest_writable(vm, hc->buf, sizeof *out) : NULL;
	if (!out)
		return -EFAULT;
	if (fstatfs(hut_files.volume_fd[hc->volume], &sf) != 0)
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
		(uint64_t)sf.f_flags | (read_only(hc->volume) ? ST_RDONLY : 0),
	};
	limit_statfs(hc->volume, out);
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
		return op_lstat(hc, &p);
	case HUT_FILE_MKDIR:
		return op_mkdir(hc, &p);
	case HUT_FILE_UNLINK:
		return op_unlink(hc, &p);
	case HUT_FILE_RENAME:
	case HUT_FILE_LINK:
		return op_two(vm, hc, &p);
	case HUT_FILE_SYMLINK:
		return op_symlink(vm, hc, &p);
	case HUT_FILE_READLINK:
		return op_readlink(vm, hc, &p);
	case HUT_FILE_SETATTR:
		return hut_file_setattr(hc, &p);
	default:
		return -EINVAL;
	}
}
