/*
 * Changing the tree: mkdir, mknod, rmdir, unlink, rename, link and symlink, with
 * their *at forms. The checks that depend on mounts live here (EBUSY for
 * a mount point, EXDEV across mounts); the rest is each file system's.
 */
#include "vfs.h"

#include <errno.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

/* A change to a file system that has no op for it is a read-only one. */
#define OP_OR_EROFS(m, op, ...) ((m)->ops->op ? (m)->ops->op((m), __VA_ARGS__) : -EROFS)

static long mkdir_resolved(struct hut_path *p, void *ctx)
{
	if (!*p->rel)
		return -EEXIST; /* a mount point, or "/" */
	long r = hut_perm_create(p);
	if (r)
		return r;
	r = OP_OR_EROFS(p->mount, mkdir, p->rel, *(const uint32_t *)ctx);
	if (r == 0)
		hut_fs_note(p->canon, p->len, HUT_NOTE_CREATE | HUT_NOTE_ISDIR);
	return r;
}

static long do_mkdir(long dirfd, const char *path, long mode)
{
	uint32_t m = (uint32_t)mode & 07777 & ~hut_umask;
	return hut_path_run(0, dirfd, path, 0, mkdir_resolved, &m);
}

HUT_SYSCALL(mkdir)
{
	return do_mkdir(AT_FDCWD, (const char *)a0, a1);
}

HUT_SYSCALL(mkdirat)
{
	return do_mkdir(a0, (const char *)a1, a2);
}

static long unlink_resolved(struct hut_path *p, void *ctx)
{
	int is_rmdir = *(const int *)ctx;
	if (is_rmdir && p->last_dots)
		return p->last_dots == 1 ? -EINVAL : -ENOTEMPTY;
	if (!*p->rel)
		return is_rmdir ? -EBUSY : -EISDIR;
	long r = hut_perm_delete(p);
	if (r)
		return r;
	struct stat st;
	int noting = hut_fs_noting() && p->mount->ops->lstat(p->mount, p->rel, &st) == 0;
	r = OP_OR_EROFS(p->mount, unlink, p->rel, is_rmdir);
	if (r == 0 && noting)
		hut_fs_note_remove(p->canon, p->len, &st);
	if (r == 0)
		hut_paths_removed(p->canon, p->len);
	return r;
}

static long do_unlink(long dirfd, const char *path, int is_rmdir)
{
	return hut_path_run(0, dirfd, path, 0, unlink_resolved, &is_rmdir);
}

HUT_SYSCALL(rmdir)
{
	return do_unlink(AT_FDCWD, (const char *)a0, 1);
}

HUT_SYSCALL(unlink)
{
	return do_unlink(AT_FDCWD, (const char *)a0, 0);
}

HUT_SYSCALL(unlinkat)
{
	if (a2 & ~(long)AT_REMOVEDIR)
		return -EINVAL;
	return do_unlink(a0, (const char *)a1, (a2 & AT_REMOVEDIR) != 0);
}

/* mknod: a regular file is made by the file system's open (O_EXCL), the
 * other types by its mknod op. A file system without one refuses with
 * EPERM, as Linux does where a file system cannot hold the type: a FIFO
 * on a volume would be a host FIFO the guest could not share with
 * anything. Whether the name exists is asked first (EEXIST before EROFS). */
struct mknod_request {
	uint32_t type_mode;
	uint64_t dev;
};

static long mknod_resolved(struct hut_path *p, void *ctx)
{
	const struct mknod_request *q = ctx;
	struct hut_mount *m = p->mount;
	struct hut_file *f;
	struct stat st;
	if (!*p->rel || p->must_dir)
		return -EEXIST;
	long r = m->ops->lstat(m, p->rel, &st);
	if (r == 0)
		return -EEXIST;
	if (r != -ENOENT)
		return r;
	if (S_ISREG(q->type_mode)) {
		if (!m->ops->open)
			return -EROFS;
		r = m->ops->open(m, p->rel, O_CREAT | O_EXCL | O_WRONLY | O_LARGEFILE,
				 q->type_mode & 07777, &f);
		if (r == 0) {
			hut_file_unref(f);
			hut_fs_note(p->canon, p->len, HUT_NOTE_CREATE);
		}
		return r;
	}
	if (!m->ops->mknod)
		return m->flags & HUT_MOUNT_RDONLY || !m->ops->mkdir ? -EROFS : -EPERM;
	r = m->ops->mknod(m, p->rel, q->type_mode, q->dev);
	if (r == 0)
		hut_fs_note(p->canon, p->len, HUT_NOTE_CREATE);
	return r;
}

static long do_mknod(long dirfd, const char *path, long mode, long dev)
{
	uint32_t type = (uint32_t)mode & S_IFMT;
	if (type == 0)
		type = S_IFREG;
	if (type == S_IFDIR)
		return -EPERM;
	if (type != S_IFREG && type != S_IFCHR && type != S_IFBLK && type != S_IFIFO &&
	    type != S_IFSOCK)
		return -EINVAL;
	struct mknod_request q = {type | ((uint32_t)mode & 07777 & ~hut_umask), (uint64_t)dev};
	return hut_path_run(0, dirfd, path, 0, mknod_resolved, &q);
}

HUT_SYSCALL(mknod)
{
	return do_mknod(AT_FDCWD, (const char *)a0, a1, a2);
}

HUT_SYSCALL(mknodat)
{
	return do_mknod(a0, (const char *)a1, a2, a3);
}

/* rename and link resolve the old path (which must exist) in slot 0, then
 * the new one in slot 1. */
struct two_paths {
	long newdirfd;
	const char *newpath;
	unsigned flags;
	struct hut_path *old;
};

static long existing(struct hut_path *p, int follow)
{
	struct stat st;
	long r = p->mount->ops->lstat(p->mount, p->rel, &st);
	if (r == 0 && follow && S_ISLNK(st.st_mode))
		return -HUT_ESYMLINK;
	if (r == 0 && p->must_dir && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return r;
}

/* Linux's checks in vfs_rename: the old name removed from its directory,
 * the new one made or replaced in its own, and a directory that changes
 * parents writable itself (its ".." changes). Errors the rename itself
 * finds first (EEXIST for RENAME_NOREPLACE) are left to it. */
static long may_rename(struct hut_path *old, struct hut_path *new, unsigned flags)
{
	struct stat from, to;
	long r;
	if (hut_cred_capable(HUT_CAP_DAC_OVERRIDE) && hut_cred_capable(HUT_CAP_FOWNER))
		return 0;
	int exists = new->mount->ops->lstat(new->mount, new->rel, &to) == 0;
	if (exists && (flags & RENAME_NOREPLACE))
		return 0;
	if ((r = hut_perm_delete(old)) != 0)
		return r;
	if ((r = exists ? hut_perm_delete(new) : hut_perm_create(new)) != 0)
		return r;
	if (old->mount->ops->lstat(old->mount, old->rel, &from) != 0 || !S_ISDIR(from.st_mode) ||
	    (old->mount->flags & HUT_MOUNT_RDONLY))
		return 0;
	struct stat old_dir, new_dir;
	if (hut_perm_parent_stat(old, &old_dir) == 0 && hut_perm_parent_stat(new, &new_dir) == 0 &&
	    old_dir.st_ino != new_dir.st_ino)
		return hut_perm(&from, HUT_MAY_WRITE);
	return 0;
}

static long rename_new(struct hut_path *p, void *ctx)
{
	const struct two_paths *t = ctx;
	if (p->mount != t->old->mount)
		return -EXDEV;
	if (!*p->rel || !*t->old->rel || p->last_dots || t->old->last_dots)
		return -EBUSY;
	long r = may_rename(t->old, p, t->flags);
	if (r)
		return r;
	struct stat moved, victim;
	int noting = hut_fs_noting() && p->mount->ops->lstat(p->mount, t->old->rel, &moved) == 0;
	int replaced = noting && !(t->flags & RENAME_EXCHANGE) &&
		       p->mount->ops->lstat(p->mount, p->rel, &victim) == 0;
	r = OP_OR_EROFS(p->mount, rename, t->old->rel, p->rel, t->flags);
	/* Two names of one file: rename does nothing, and tells nothing. */
	int same = replaced && victim.st_ino == moved.st_ino && victim.st_dev == moved.st_dev;
	if (r == 0 && noting && !same)
		hut_fs_note_rename(t->old, p, &moved, replaced, &victim);
	if (r == 0) /* open directories and files follow (fs/pathkeep.c) */
		hut_paths_renamed(t->old->canon, t->old->len, p->canon, p->len,
				  (t->flags & RENAME_EXCHANGE) != 0);
	return r;
}

/* Whether p's directory exists ("/a/b": "/a"; "/a": "/"). */
static int parent_exists(struct hut_path *p)
{
	size_t len = p->len;
	struct stat st;
	while (len > 1 && p->canon[len - 1] != '/')
		len--;
	size_t parent_len = len > 1 ? len - 1 : 1;
	char saved = p->canon[parent_len];
	p->canon[parent_len] = 0;
	int r = hut_vfs_lstat(p->canon, parent_len, &st) == 0;
	p->canon[parent_len] = saved;
	return r;
}

static long rename_old(struct hut_path *p, void *ctx)
{
	struct two_paths *t = ctx;
	long r = existing(p, 0);
	/* On a read-only file system Linux says EROFS before it looks. */
	if (r == -ENOENT && (p->mount->flags & HUT_MOUNT_RDONLY) && parent_exists(p))
		return -EROFS;
	if (r != 0)
		return r;
	t->old = p;
	return hut_path_run(1, t->newdirfd, t->newpath, 0, rename_new, t);
}

static long do_rename(long olddirfd, const char *oldpath, long newdirfd, const char *newpath,
		      unsigned long flags)
{
	struct two_paths t = {newdirfd, newpath, (unsigned)flags, NULL};
	if (flags & ~(unsigned long)(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_EXCHANGE) && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))
		return -EINVAL;
	if (flags & RENAME_WHITEOUT)
		return -EINVAL; /* for overlay file systems; none here */
	return hut_path_run(0, olddirfd, oldpath, 0, rename_old, &t);
}

HUT_SYSCALL(rename)
{
	return do_rename(AT_FDCWD, (const char *)a0, AT_FDCWD, (const char *)a1, 0);
}

HUT_SYSCALL(renameat)
{
	return do_rename(a0, (const char *)a1, a2, (const char *)a3, 0);
}

HUT_SYSCALL(renameat2)
{
	return do_rename(a0, (const char *)a1, a2, (const char *)a3, (unsigned long)a4);
}

static long link_new(struct hut_path *p, void *ctx)
{
	const struct two_paths *t = ctx;
	if (p->mount != t->old->mount)
		return -EXDEV;
	if (!*p->rel)
		return -EEXIST;
	long r = hut_perm_create(p);
	if (r)
		return r;
	r = OP_OR_EROFS(p->mount, link, t->old->rel, p->rel);
	if (r == 0) {
		hut_fs_note(t->old->canon, t->old->len, HUT_NOTE_ATTRIB | HUT_NOTE_SELF_ONLY);
		hut_fs_note(p->canon, p->len, HUT_NOTE_CREATE);
	}
	return r;
}

static long link_old(struct hut_path *p, void *ctx)
{
	struct two_paths *t = ctx;
	long r = existing(p, (int)t->flags);
	if (r != 0)
		return r;
	t->old = p;
	return hut_path_run(1, t->newdirfd, t->newpath, 0, link_new, t);
}

static long do_link(long olddirfd, const char *oldpath, long newdirfd, const char *newpath,
		    long flags)
{
	int follow = (flags & AT_SYMLINK_FOLLOW) != 0;
	struct two_paths t = {newdirfd, newpath, (unsigned)follow, NULL};
	if (flags & ~(long)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return hut_path_run(0, olddirfd, oldpath, follow ? HUT_WALK_FOLLOW : 0, link_old, &t);
}

HUT_SYSCALL(link)
{
	return do_link(AT_FDCWD, (const char *)a0, AT_FDCWD, (const char *)a1, 0);
}

HUT_SYSCALL(linkat)
{
	return do_link(a0, (const char *)a1, a2, (const char *)a3, a4);
}

static long symlink_resolved(struct hut_path *p, void *ctx)
{
	if (!*p->rel)
		return -EEXIST;
	long r = hut_perm_create(p);
	if (r)
		return r;
	r = OP_OR_EROFS(p->mount, symlink, (const char *)ctx, p->rel);
	if (r == 0)
		hut_fs_note(p->canon, p->len, HUT_NOTE_CREATE);
	return r;
}

static long do_symlink(const char *target, long dirfd, const char *path)
{
	static char copy[HUT_PATH_MAX];
	long r = hut_user_string(target, copy, sizeof copy);
	if (r <= 0)
		return r == 0 ? -ENOENT : r;
	return hut_path_run(0, dirfd, path, 0, symlink_resolved, copy);
}

HUT_SYSCALL(symlink)
{
	return do_symlink((const char *)a0, AT_FDCWD, (const char *)a1);
}

HUT_SYSCALL(symlinkat)
{
	return do_symlink((const char *)a0, a1, (const char *)a2);
}
