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

static long open_resolved(struct hut_path *p, void *ctx)
{
	struct open_request *o = ctx;
	if (p->must_dir && (o->flags & O_CREAT))
		return -EISDIR;
	int flags = o->flags | (p->must_dir ? O_DIRECTORY : 0);
	struct stat st;
	/* Whether open makes the file, for a listener's IN_CREATE. */
	int created = (flags & O_CREAT) && hut_fs_noting() &&
		      p->mount->ops->lstat(p->mount, p->rel, &st) == -ENOENT;
	long r = p->mount->ops->open(p->mount, p->rel, flags, o->mode, &o->file);
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
	hut_cwd_set(p->canon, p->len);
	return 0;
}

HUT_SYSCALL(chdir)
{
	return hut_path_run(0, AT_FDCWD, (const char *)a0, HUT_WALK_FOLLOW, chdir_resolved, NULL);
}

HUT_SYSCALL(fchdir)
{
	const struct hut_file *f = hut_fd_file(a0);
	if (!f)
		return -EBADF;
	if (!(f->kind & HUT_KIND_DIR) || !f->path)
		return -ENOTDIR;
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
