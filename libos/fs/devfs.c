/*
 * /dev: the devices a program expects to find. null, zero, full, random
 * and urandom are character devices with Linux's numbers; random and
 * urandom read the libos's ChaCha20 stream (random.c), no exit. stdin,
 * stdout and stderr stand for fds 0-2, as Linux's /dev/std* symlinks to
 * /proc/self/fd do: opening one opens what that fd holds, stat shows it.
 * Nothing can be created or removed here (EROFS).
 */
#include "vfs.h"

#include <dirent.h>
#include <errno.h>

#define DEV_DIR_INO 1

enum dev_kind { DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM, DEV_FD };

struct dev {
	const char *name;
	enum dev_kind kind;
	uint32_t minor; /* major 1 (mem); for DEV_FD, the fd */
};

static const struct dev devs[] = {
	{"full", DEV_FULL, 7},	    {"null", DEV_NULL, 3}, {"random", DEV_RANDOM, 8},
	{"stderr", DEV_FD, 2},	    {"stdin", DEV_FD, 0},  {"stdout", DEV_FD, 1},
	{"urandom", DEV_RANDOM, 9}, {"zero", DEV_ZERO, 5},
};
#define NDEVS (sizeof devs / sizeof devs[0])

/* -1: the directory itself; -2: no such device; else an index in devs. */
static int find(const char *rel)
{
	if (!*rel)
		return -1;
	for (size_t i = 0; i < NDEVS; i++)
		if (hut_streq(rel, devs[i].name))
			return (int)i;
	return -2;
}

static void dev_stat(const struct hut_mount *m, int i, struct stat *st)
{
	if (i < 0) {
		hut_stat_fill(st, m, DEV_DIR_INO, S_IFDIR | 0755, 0);
		st->st_nlink = 2;
		return;
	}
	hut_stat_fill(st, m, (uint64_t)i + 2, S_IFCHR | 0666, 0);
	st->st_rdev = (1 << 8) | devs[i].minor;
	st->st_blocks = 0;
}

/* For /dev/std*: the file fd holds now. */
static struct hut_file *fd_target(int i)
{
	return hut_fd_file(devs[i].minor);
}

static long devfs_lstat(struct hut_mount *m, const char *rel, struct stat *st)
{
	int i = find(rel);
	if (i == -2)
		return -ENOENT;
	if (i >= 0 && devs[i].kind == DEV_FD) {
		struct hut_file *f = fd_target(i);
		if (!f)
			return -ENOENT;
		return f->ops->stat ? f->ops->stat(f, st) : -EINVAL;
	}
	dev_stat(m, i, st);
	return 0;
}

static long dev_read(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	uint64_t n = hut_iov_total(iov, iovcnt);
	(void)off;
	if (devs[f->priv2].kind == DEV_NULL)
		return 0;
	if (devs[f->priv2].kind != DEV_RANDOM) {
		hut_iov_copy_out(iov, iovcnt, 0, NULL, n);
		return (long)n;
	}
	for (int k = 0; k < iovcnt; k++)
		hut_random_fill((void *)iov[k].base, iov[k].len);
	return (long)n;
}

static long dev_write(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	(void)off;
	if (devs[f->priv2].kind == DEV_FULL)
		return -ENOSPC;
	return (long)hut_iov_total(iov, iovcnt);
}

static long dev_file_stat(struct hut_file *f, struct stat *st)
{
	dev_stat(f->mount, (int)f->priv2, st);
	return 0;
}

static uint32_t dev_poll(struct hut_file *f)
{
	(void)f;
	return HUT_POLLIN | HUT_POLLOUT | HUT_POLLRDNORM | HUT_POLLWRNORM;
}

static long dir_getdents(struct hut_file *f, void *buf, size_t len)
{
	size_t used = 0;
	for (; f->pos < NDEVS + 2; f->pos++) {
		const char *name = f->pos == 0 ? "." : "..";
		size_t n = f->pos + 1;
		uint64_t ino = DEV_DIR_INO;
		uint8_t type = DT_DIR;
		if (f->pos >= 2) {
			name = devs[f->pos - 2].name;
			n = hut_strlen(name);
			ino = f->pos;
			type = DT_CHR;
		}
		if (!hut_dirent_put(buf, len, &used, ino, (int64_t)f->pos + 1, type, name, n))
			return used ? (long)used : -EINVAL;
	}
	return (long)used;
}

static const struct hut_file_ops dev_ops = {
	.read = dev_read,
	.write = dev_write,
	.stat = dev_file_stat,
	.poll = dev_poll,
};

static const struct hut_file_ops dir_ops = {
	.stat = dev_file_stat,
	.getdents = dir_getdents,
	.seek_dir = hut_dir_seek_entries,
};

static long devfs_open(struct hut_mount *m, const char *rel, int flags, uint32_t mode,
		       struct hut_file **out)
{
	int i = find(rel);
	(void)mode;
	if (i == -2)
		return (flags & O_CREAT) ? -EROFS : -ENOENT;
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (i >= 0 && devs[i].kind == DEV_FD) { /* the same description, as a reopen */
		struct hut_file *f = fd_target(i);
		if (!f)
			return -ENOENT;
		hut_file_ref(f);
		*out = f;
		return 0;
	}
	if (i < 0 && (flags & O_ACCMODE) != O_RDONLY)
		return -EISDIR;
	if (i >= 0 && (flags & O_DIRECTORY))
		return -ENOTDIR;
	uint32_t kind = i < 0 ? HUT_KIND_DIR | HUT_KIND_SEEKABLE : 0;
	if (flags & O_PATH)
		kind = HUT_KIND_PATH | (i < 0 ? HUT_KIND_DIR : 0);
	struct hut_file *f =
		hut_file_new(i < 0 ? &dir_ops : &dev_ops, (uint32_t)flags & HUT_STATUS_FLAGS, kind);
	if (!f)
		return -ENFILE;
	f->mount = m;
	f->priv2 = (uint64_t)(i < 0 ? 0 : i);
	*out = f;
	return 0;
}

static long devfs_readlink(struct hut_mount *m, const char *rel, char *buf, size_t len)
{
	(void)m;
	(void)buf;
	(void)len;
	return find(rel) == -2 ? -ENOENT : -EINVAL;
}

/* As imagefs.c's: ENOENT or EEXIST where Linux checks them first. */
#define MISSING 0
#define EXISTING 1
#define ANY 2

static long refuse(const char *rel, int want)
{
	int exists = find(rel) != -2;
	if (want == EXISTING && !exists)
		return -ENOENT;
	if (want == MISSING && exists)
		return -EEXIST;
	return -EROFS;
}

static long devfs_mkdir(struct hut_mount *m, const char *rel, uint32_t mode)
{
	(void)m;
	(void)mode;
	return refuse(rel, MISSING);
}

static long devfs_unlink(struct hut_mount *m, const char *rel, int is_rmdir)
{
	(void)m;
	(void)is_rmdir;
	return refuse(rel, ANY);
}

static long devfs_rename(struct hut_mount *m, const char *from, const char *to, unsigned flags)
{
	(void)m;
	(void)to;
	(void)flags;
	return refuse(from, ANY);
}

static long devfs_link(struct hut_mount *m, const char *from, const char *to)
{
	(void)m;
	long r = refuse(from, EXISTING);
	return r == -EROFS ? refuse(to, MISSING) : r;
}

static long devfs_symlink(struct hut_mount *m, const char *target, const char *rel)
{
	(void)m;
	(void)target;
	return refuse(rel, MISSING);
}

static long devfs_setattr(struct hut_mount *m, const char *rel, const struct hut_attr *a,
			  int follow)
{
	(void)m;
	(void)a;
	(void)follow;
	return refuse(rel, EXISTING);
}

static long devfs_statfs(struct hut_mount *m, struct statfs *sf)
{
	(void)m;
	hut_memset(sf, 0, sizeof *sf);
	sf->f_type = 0x01021994; /* devtmpfs reports tmpfs's magic */
	sf->f_bsize = sf->f_frsize = HUT_PAGE_SIZE;
	sf->f_namelen = HUT_FNAME_MAX;
	sf->f_flags = ST_RDONLY;
	return 0;
}

const struct hut_fs_ops hut_devfs_ops = {
	.type = "devtmpfs",
	.lstat = devfs_lstat,
	.open = devfs_open,
	.readlink = devfs_readlink,
	.mkdir = devfs_mkdir,
	.unlink = devfs_unlink,
	.rename = devfs_rename,
	.link = devfs_link,
	.symlink = devfs_symlink,
	.setattr = devfs_setattr,
	.statfs = devfs_statfs,
};

void hut_devfs_mount(struct hut_mount *m)
{
	m->ops = &hut_devfs_ops;
	m->flags = HUT_MOUNT_RDONLY;
}
