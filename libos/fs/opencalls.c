/*
 * Opening files, and the process's place in the tree: open, openat, creat,
 * memfd_create,
 * chdir, fchdir, getcwd, umask (the cwd and umask are fs/path.c's).
 */
#include "vfs.h"

#include <errno.h>

struct open_request {
	int flags;
	uint32_t mode;
	struct hut_file *file;
};

/* What open asks of the file: read, write or both (O_ACCMODE 3 is both, as
 * Linux's ACC_MODE), and write for O_TRUNC. */
static int open_mask(int flags)
{
	static const int by_mode[4] = {HUT_MAY_READ, HUT_MAY_WRITE, HUT_MAY_READ | HUT_MAY_WRITE,
				       HUT_MAY_READ | HUT_MAY_WRITE};
	return by_mode[flags & O_ACCMODE] | ((flags & O_TRUNC) ? HUT_MAY_WRITE : 0);
}

/* A writer without CAP_FSETID takes the set-ID bits off a regular file
 * (Linux's file_remove_privs, at the first write). tmpfs does it itself;
 * a volume's bits the guest set live in the monitor's xattr, which the
 * host's own rule never sees, so the libos clears them, at the open (one
 * exit, only for a set-ID file). */
static long kill_priv_on_volume(struct hut_path *p, const struct stat *st)
{
	uint32_t mode = st->st_mode, keep = mode & 07777 & ~(uint32_t)S_ISUID;
	if (p->mount->ops != &hut_volume_ops || !S_ISREG(mode) || hut_cred_capable(HUT_CAP_FSETID))
		return 0;
	if ((mode & S_ISGID) && ((mode & S_IXGRP) || !hut_cred_in_group(st->st_gid)))
		keep &= ~(uint32_t)S_ISGID;
	if (keep == (mode & 07777))
		return 0;
	struct hut_attr a = {.valid = HUT_ATTR_MODE, .mode = keep};
	return p->mount->ops->setattr(p->mount, p->rel, &a, 1);
}

/* Linux's may_open, after the errors the file system reports first (a
 * symlink, a directory opened for writing, EEXIST, ENOTDIR, EROFS). A new
 * file needs write and search permission on its directory instead. */
static long may_open(struct hut_path *p, int flags)
{
	struct stat st;
	if ((flags & O_PATH) || hut_cred_capable(HUT_CAP_DAC_OVERRIDE))
		return 0;
	long r = p->mount->ops->lstat(p->mount, p->rel, &st);
	if (r == -ENOENT && (flags & O_CREAT))
		return hut_perm_create(p);
	if (r != 0 || ((flags & O_CREAT) && (flags & O_EXCL)) || S_ISLNK(st.st_mode))
		return 0;
	int mask = open_mask(flags);
	if ((S_ISDIR(st.st_mode) && (mask & HUT_MAY_WRITE)) ||
	    ((flags & O_DIRECTORY) && !S_ISDIR(st.st_mode)))
		return 0;
	if ((mask & HUT_MAY_WRITE) && (p->mount->flags & HUT_MOUNT_RDONLY))
		return 0;
	if ((r = hut_perm(&st, mask)) != 0)
		return r;
	if ((flags & O_NOATIME) && !hut_cred_owns(st.st_uid))
		return -EPERM;
	return (mask & HUT_MAY_WRITE) ? kill_priv_on_volume(p, &st) : 0;
}

static long open_resolved(struct hut_path *p, void *ctx)
{
	struct open_request *o = ctx;
	if (p->must_dir && (o->flags & O_CREAT))
		return -EISDIR;
	int flags = o->flags | (p->must_dir ? O_DIRECTORY : 0);
	long r = may_open(p, flags);
	if (r != 0)
		return r;
	struct stat st;
	/* Whether open makes the file, for a listener's IN_CREATE. */
	int created = (flags & O_CREAT) && hut_fs_noting() &&
		      p->mount->ops->lstat(p->mount, p->rel, &st) == -ENOENT;
	r = p->mount->ops->open(p->mount, p->rel, flags, o->mode, &o->file);
	if (r != 0)
		return r;
	/* Every file this open made keeps the path it was opened by:
	 * directories for *at() and fchdir, all for the events of reads,
	 * writes and closes and for /proc/self/fd. A description another open
	 * made (/dev/stdin's, /proc/self/fd/N's of a pipe: more than our
	 * reference) keeps what it had. */
	if (o->file->refs == 1 && !o->file->path && (r = hut_file_set_path(o->file, p)) != 0) {
		hut_file_unref(o->file);
		return r;
	}
	if (created)
		hut_fs_note(p->canon, p->len, HUT_NOTE_CREATE);
	if (!(flags & O_PATH)) {
		uint32_t dir = (o->file->kind & HUT_KIND_DIR) ? HUT_NOTE_ISDIR : 0;
		hut_fs_note(p->canon, p->len, HUT_NOTE_OPEN | dir);
		if ((flags & O_TRUNC) && !created && !dir)
			hut_fs_note(p->canon, p->len, HUT_NOTE_MODIFY);
	}
	return 0;
}

static long do_open(long dirfd, const char *path, long flags, long mode)
{
	/* With O_CREAT|O_EXCL a symlink in the last place is not followed: it
	 * exists, so EEXIST. */
	int walk = (flags & O_NOFOLLOW) || ((flags & O_CREAT) && (flags & O_EXCL))
			   ? 0
			   : HUT_WALK_FOLLOW;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP;
	if (flags & O_PATH) /* O_PATH ignores everything but these */
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	struct open_request o = {(int)flags | O_LARGEFILE, (uint32_t)mode & 07777 & ~hut_umask,
				 NULL};
	long r = hut_path_run(0, dirfd, (const char *)path, walk, open_resolved, &o);
	if (r != 0)
		return r;
	return hut_fd_install(o.file, 0, (flags & O_CLOEXEC) != 0);
}

HUT_SYSCALL(open)
{
	return do_open(AT_FDCWD, (const char *)a0, a1, a2);
}

HUT_SYSCALL(openat)
{
	return do_open(a0, (const char *)a1, a2, a3);
}

HUT_SYSCALL(creat)
{
	return do_open(AT_FDCWD, (const char *)a0, O_CREAT | O_WRONLY | O_TRUNC, a1);
}

/* memfd_create: a file of /tmp's tmpfs that no directory holds. Its name
 * ("memfd:NAME", which Linux shows in /proc/self/fd) is checked as Linux
 * checks it (EFAULT, at most 249 bytes) and not kept: /proc shows
 * "/memfd: (deleted)". */
#define MFD_CLOEXEC 0x1
#define MFD_ALLOW_SEALING 0x2
#define MFD_HUGETLB 0x4
#define MFD_NOEXEC_SEAL 0x8
#define MFD_EXEC 0x10
#define MFD_NAME_MAX 249 /* NAME_MAX less "memfd:" */
#define F_SEAL_EXEC 0x20

HUT_SYSCALL(memfd_create)
{
	char name[MFD_NAME_MAX + 1];
	struct hut_file *f;
	long flags = a1;
	if (flags & ~(long)(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL | MFD_EXEC))
		return -EINVAL; /* MFD_HUGETLB too: no huge pages here */
	if ((flags & MFD_NOEXEC_SEAL) && (flags & MFD_EXEC))
		return -EINVAL;
	long r = hut_user_string((const char *)a0, name, sizeof name);
	if (r < 0)
		return r == -ENAMETOOLONG ? -EINVAL : r;
	const char *rel;
	hut_mount_of("/tmp", 4, &rel); /* the mounts are set up at their first use */
	uint32_t seals = F_SEAL_SEAL;
	if (flags & MFD_NOEXEC_SEAL)
		seals = F_SEAL_EXEC;
	else if (flags & MFD_ALLOW_SEALING)
		seals = 0;
	if ((r = hut_tmpfs_anon_file(seals, O_RDWR | O_LARGEFILE, &f)) != 0)
		return r;
	if (flags & MFD_NOEXEC_SEAL) {
		struct hut_attr a = {.valid = HUT_ATTR_MODE, .mode = 0666};
		f->ops->setattr(f, &a);
	}
	return hut_fd_install(f, 0, (flags & MFD_CLOEXEC) != 0);
}

static long chdir_resolved(struct hut_path *p, void *ctx)
{
	struct stat st;
	long r = p->mount->ops->lstat(p->mount, p->rel, &st);
	(void)ctx;
	if (r != 0)
		return r;
	if (S_ISLNK(st.st_mode))
		return -HUT_ESYMLINK;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if ((r = hut_perm(&st, HUT_MAY_EXEC)) != 0)
		return r;
	hut_cwd_set(p->canon, p->len);
	return 0;
}

HUT_SYSCALL(chdir)
{
	return hut_path_run(0, AT_FDCWD, (const char *)a0, HUT_WALK_FOLLOW, chdir_resolved, NULL);
}

HUT_SYSCALL(fchdir)
{
	struct hut_file *f = hut_fd_file(a0);
	struct stat st;
	long r;
	if (!f)
		return -EBADF;
	if (!(f->kind & HUT_KIND_DIR) || !f->path)
		return -ENOTDIR;
	if (!hut_cred_searches_all() && f->ops->stat &&
	    ((r = f->ops->stat(f, &st)) != 0 || (r = hut_perm(&st, HUT_MAY_EXEC)) != 0))
		return r;
	hut_cwd_set(f->path, f->path_len);
	hut_cwd_gone = f->path_gone; /* Linux lets one into a removed directory */
	return 0;
}

/* The syscall returns the length with the NUL, not the pointer libc does. */
HUT_SYSCALL(getcwd)
{
	char *buf = (char *)a0;
	size_t size = (size_t)a1;
	if (hut_cwd_gone)
		return -ENOENT;
	if (hut_cwd_len + 1 > HUT_PATH_MAX) /* Linux builds the path in one page */
		return -ENAMETOOLONG;
	if (size < hut_cwd_len + 1)
		return -ERANGE;
	if (!hut_user_writable(buf, hut_cwd_len + 1))
		return -EFAULT;
	hut_memcpy(buf, hut_cwd, hut_cwd_len + 1);
	return (long)hut_cwd_len + 1;
}

HUT_SYSCALL(umask)
{
	uint32_t old = hut_umask;
	hut_umask = (uint32_t)a0 & 0777;
	return old;
}
