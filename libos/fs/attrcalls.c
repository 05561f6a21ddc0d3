/*
 * Changing a file's attributes: chmod, chown, utimensat and truncate, by
 * path or by fd, and sync. The image's files are read-only (EROFS); on a
 * volume the change reaches the host file.
 */
#include "vfs.h"

#include <errno.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

struct attr_request {
	struct hut_attr a;
	int follow;
	int touch; /* utimensat to now (times NULL or both UTIME_NOW) */
};

/* Linux's rules for chown (chown_ok, chgrp_ok): the owner may give a file
 * to a group it is in and keep it its own; CAP_CHOWN may do anything. */
static int may_chown(const struct stat *st, const struct hut_attr *a)
{
	int owner = hut_cred_current()->fsuid == st->st_uid;
	if (hut_cred_capable(HUT_CAP_CHOWN))
		return 1;
	if ((a->valid & HUT_ATTR_UID) && !(owner && a->uid == st->st_uid))
		return 0;
	if ((a->valid & HUT_ATTR_GID) &&
	    !(owner && (a->gid == st->st_gid || hut_cred_in_group(a->gid))))
		return 0;
	return 1;
}

/* The checks Linux makes before a change of attributes (setattr_prepare,
 * may_setattr, and truncate's write permission), against the file's stat.
 * A mode's set-group-ID bit goes when the caller is not in the file's
 * group and lacks CAP_FSETID, as Linux drops it. */
static long may_setattr(const struct stat *st, struct attr_request *q, int rdonly)
{
	struct hut_attr *a = &q->a;
	if (rdonly) /* the file system says EROFS */
		return 0;
	if ((a->valid & HUT_ATTR_SIZE) && hut_perm(st, HUT_MAY_WRITE) != 0)
		return -EACCES;
	if ((a->valid & (HUT_ATTR_UID | HUT_ATTR_GID)) && !may_chown(st, a))
		return -EPERM;
	if (a->valid & HUT_ATTR_MODE) {
		if (!hut_cred_owns(st->st_uid))
			return -EPERM;
		uint32_t gid = (a->valid & HUT_ATTR_GID) ? a->gid : st->st_gid;
		if (!hut_cred_in_group(gid) && !hut_cred_capable(HUT_CAP_FSETID))
			a->mode &= ~(uint32_t)S_ISGID;
	}
	if ((a->valid & (HUT_ATTR_ATIME | HUT_ATTR_MTIME)) && !hut_cred_owns(st->st_uid)) {
		if (!q->touch)
			return -EPERM;
		if (hut_perm(st, HUT_MAY_WRITE) != 0)
			return -EACCES;
	}
	return 0;
}

/* Whether the caller's capabilities pass every check above. */
static int setattr_unchecked(const struct attr_request *q)
{
	return hut_cred_capable(HUT_CAP_DAC_OVERRIDE) && hut_cred_capable(HUT_CAP_FOWNER) &&
	       hut_cred_capable(HUT_CAP_CHOWN) &&
	       (hut_cred_capable(HUT_CAP_FSETID) || !(q->a.valid & HUT_ATTR_MODE));
}

static long attr_resolved(struct hut_path *p, void *ctx)
{
	struct attr_request *q = ctx;
	struct hut_mount *m = p->mount;
	int unchecked = setattr_unchecked(q);
	if ((q->a.valid & HUT_ATTR_SIZE) || !unchecked) {
		struct stat st;
		long r = m->ops->lstat(m, p->rel, &st);
		if (r != 0)
			return r;
		if (S_ISLNK(st.st_mode) && ((q->a.valid & HUT_ATTR_SIZE) || q->follow))
			return -HUT_ESYMLINK;
		if ((q->a.valid & HUT_ATTR_SIZE) && S_ISDIR(st.st_mode))
			return -EISDIR; /* truncate: a regular file only */
		if ((q->a.valid & HUT_ATTR_SIZE) && !S_ISREG(st.st_mode))
			return -EINVAL;
		if (!unchecked &&
		    (r = may_setattr(&st, q, (m->flags & HUT_MOUNT_RDONLY) != 0)) != 0)
			return r;
	}
	long r = m->ops->setattr ? m->ops->setattr(m, p->rel, &q->a, q->follow) : -EROFS;
	if (r == 0)
		hut_fs_note_name(p, q->a.valid & HUT_ATTR_SIZE ? HUT_NOTE_MODIFY : HUT_NOTE_ATTRIB);
	return r;
}

static long set_by_path(long dirfd, const char *path, struct attr_request *q)
{
	return hut_path_run(0, dirfd, path, q->follow ? HUT_WALK_FOLLOW : 0, attr_resolved, q);
}

/* By fd: O_PATH files refuse (EBADF, as Linux); pipes and the console
 * accept and keep nothing. */
static long set_by_fd(long fd, struct attr_request *q)
{
	struct hut_file *f = hut_fd_file(fd);
	struct stat st;
	long r;
	if (!f || (f->kind & HUT_KIND_PATH))
		return -EBADF;
	if (!f->mount)
		return 0;
	if (!setattr_unchecked(q) && f->ops->stat &&
	    ((r = f->ops->stat(f, &st)) != 0 ||
	     (r = may_setattr(&st, q, (f->mount->flags & HUT_MOUNT_RDONLY) != 0)) != 0))
		return r;
	r = f->ops->setattr ? f->ops->setattr(f, &q->a) : -EROFS;
	if (r == 0)
		hut_file_note(f, q->a.valid & HUT_ATTR_SIZE ? HUT_NOTE_MODIFY : HUT_NOTE_ATTRIB);
	return r;
}

static struct attr_request mode_request(long mode, int follow)
{
	return (struct attr_request){
		{.valid = HUT_ATTR_MODE, .mode = (uint32_t)mode & 07777}, follow, 0};
}

HUT_SYSCALL(chmod)
{
	struct attr_request q = mode_request(a1, 1);
	return set_by_path(AT_FDCWD, (const char *)a0, &q);
}

HUT_SYSCALL(fchmodat)
{
	struct attr_request q = mode_request(a2, 1);
	return set_by_path(a0, (const char *)a1, &q);
}

HUT_SYSCALL(fchmod)
{
	struct attr_request q = mode_request(a1, 1);
	return set_by_fd(a0, &q);
}

static struct attr_request owner_request(long uid, long gid, int follow)
{
	struct attr_request q = {{0}, follow, 0};
	if ((uint32_t)uid != UINT32_MAX) {
		q.a.valid |= HUT_ATTR_UID;
		q.a.uid = (uint32_t)uid;
	}
	if ((uint32_t)gid != UINT32_MAX) {
		q.a.valid |= HUT_ATTR_GID;
		q.a.gid = (uint32_t)gid;
	}
	return q;
}

HUT_SYSCALL(chown)
{
	struct attr_request q = owner_request(a1, a2, 1);
	return set_by_path(AT_FDCWD, (const char *)a0, &q);
}

HUT_SYSCALL(lchown)
{
	struct attr_request q = owner_request(a1, a2, 0);
	return set_by_path(AT_FDCWD, (const char *)a0, &q);
}

HUT_SYSCALL(fchown)
{
	struct attr_request q = owner_request(a1, a2, 1);
	return set_by_fd(a0, &q);
}

HUT_SYSCALL(fchownat)
{
	struct attr_request q = owner_request(a2, a3, !(a4 & AT_SYMLINK_NOFOLLOW));
	if (a4 & ~(long)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((a4 & AT_EMPTY_PATH) && hut_user_readable((const char *)a1, 1) && !*(const char *)a1)
		return set_by_fd(a0, &q);
	return set_by_path(a0, (const char *)a1, &q);
}

/* One of utimensat's two times: UTIME_NOW, UTIME_OMIT or a valid time. */
static long time_arg(const struct timespec *t, uint32_t bit, struct hut_attr *a,
		     struct timespec *out)
{
	if (t && t->tv_nsec == UTIME_OMIT)
		return 0;
	if (t && t->tv_nsec != UTIME_NOW && (t->tv_nsec < 0 || t->tv_nsec > 999999999))
		return -EINVAL;
	*out = !t || t->tv_nsec == UTIME_NOW ? hut_realtime() : *t;
	a->valid |= bit;
	return 0;
}

HUT_SYSCALL(utimensat)
{
	const struct timespec *ts = (const struct timespec *)a2;
	struct attr_request q = {{0}, !(a3 & AT_SYMLINK_NOFOLLOW), 0};
	long r;
	if (a3 & ~(long)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (ts && !hut_user_readable(ts, 2 * sizeof *ts))
		return -EFAULT;
	/* To now (no times, or both UTIME_NOW): write permission is enough. */
	q.touch = !ts || (ts[0].tv_nsec == UTIME_NOW && ts[1].tv_nsec == UTIME_NOW);
	if ((r = time_arg(ts, HUT_ATTR_ATIME, &q.a, &q.a.atime)) != 0 ||
	    (r = time_arg(ts ? ts + 1 : NULL, HUT_ATTR_MTIME, &q.a, &q.a.mtime)) != 0)
		return r;
	if (!a1) /* futimens: the fd itself */
		return set_by_fd(a0, &q);
	if (!q.a.valid)
		return 0;
	return set_by_path(a0, (const char *)a1, &q);
}

HUT_SYSCALL(truncate)
{
	struct attr_request q = {{.valid = HUT_ATTR_SIZE, .size = (uint64_t)a1}, 1, 0};
	if (a1 < 0)
		return -EINVAL;
	return set_by_path(AT_FDCWD, (const char *)a0, &q);
}

HUT_SYSCALL(sync)
{
	hut_vfs_sync();
	return 0;
}
