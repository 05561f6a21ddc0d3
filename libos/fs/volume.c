/*
 * Volumes: host directories the monitor shares (hut-monitor --volume). Each
 * operation is one file hypercall carrying a volume-relative path or a
 * handle; data moves between the host file and the app's own iovecs, with
 * no copy here. The monitor resolves paths without following any symlink
 * (a symlink on the way is ELOOP there), which this file reports as
 * -HUT_ESYMLINK: the VFS then follows it itself, in the app's namespace,
 * as a process with the same directory bind-mounted would.
 *
 * Exits per operation: open, close, stat, a read or write of any number of
 * iovecs, getdents of a buffer, fsync: one each. Shared mappings are
 * windows (volume_map.c) that read, write and truncate here keep coherent.
 */
#include "volume_cache.h"

#include <errno.h>

static long call(struct hut_hc_file *hc)
{
	long r = hut_vfile_call(hc);
	return r == -ELOOP ? -HUT_ESYMLINK : r;
}

static struct hut_hc_file on_path(const struct hut_mount *m, uint32_t op, const char *rel)
{
	return (struct hut_hc_file){
		.op = op,
		.volume = (uint32_t)m->priv2,
		.path = (uint64_t)rel,
		.path_len = hut_strlen(rel),
	};
}

static struct hut_hc_file on_handle(const struct hut_file *f, uint32_t op)
{
	return (struct hut_hc_file){.op = op, .handle = (uint32_t)f->priv2};
}

static void to_stat(const struct hut_mount *m, const struct hut_file_stat *s, struct stat *st)
{
	hut_stat_fill(st, m, s->ino, s->mode, s->size);
	st->st_nlink = s->nlink;
	st->st_uid = s->uid;
	st->st_gid = s->gid;
	st->st_rdev = s->rdev;
	st->st_blksize = s->blksize;
	st->st_blocks = (blkcnt_t)s->blocks;
	st->st_atim = (struct timespec){s->atime_sec, s->atime_nsec};
	st->st_mtim = (struct timespec){s->mtime_sec, s->mtime_nsec};
	st->st_ctim = (struct timespec){s->ctime_sec, s->ctime_nsec};
}

static long volume_lstat(struct hut_mount *m, const char *rel, struct stat *st)
{
	struct hut_file_stat cached;
	int known = hut_vname_lstat(m, rel, &cached);
	if (known == 0)
		to_stat(m, &cached, st);
	if (known != -1)
		return known;
	struct hut_hc_file hc = on_path(m, HUT_FILE_LSTAT, rel);
	long r = call(&hc);
	if (r == 0) {
		to_stat(m, &hc.stat, st);
		hut_vname_saw_lstat(m, rel, &hc.stat);
	} else if (r == -ENOENT) {
		hut_vname_missing(m, rel);
	}
	return r;
}

/* An operation whose buffer the monitor fills: straight into buf with one
 * process; through libos memory once processes may have copies of their
 * own (base/phys.c), at most BOUNCE_MAX bytes at a time. */
#define BOUNCE_MAX 65536

static long into_buffer(struct hut_hc_file *hc, void *buf, size_t len)
{
	if (!hut_phys_of) {
		hc->buf = (uint64_t)buf;
		hc->len = len;
		return call(hc);
	}
	len = len < BOUNCE_MAX ? len : BOUNCE_MAX;
	void *bounce = hut_kalloc(len ? len : 1);
	if (!bounce)
		return -ENOMEM;
	hc->buf = (uint64_t)bounce;
	hc->len = len;
	long r = call(hc);
	if (r > 0)
		hut_memcpy(buf, bounce, (size_t)r);
	hut_kfree(bounce, len ? len : 1);
	return r;
}

static long volume_readlink(struct hut_mount *m, const char *rel, char *buf, size_t len)
{
	struct hut_hc_file hc = on_path(m, HUT_FILE_READLINK, rel);
	return into_buffer(&hc, buf, len);
}

/* A file the guest makes on the host is the monitor's user's; one made by
 * a caller whose fsuid or fsgid is not 0 is then given to those, as a
 * process's would be on a bind mount (the monitor keeps that owner for the
 * guest: monitor/modules/owner.c). One more exit, only after a drop. */
static int owner_is_not_root(void)
{
	const struct hut_cred *c = hut_cred_current();
	return c->fsuid != 0 || c->fsgid != 0;
}

static struct hut_attr owner_attr(void)
{
	const struct hut_cred *c = hut_cred_current();
	return (struct hut_attr){
		.valid = HUT_ATTR_UID | HUT_ATTR_GID, .uid = c->fsuid, .gid = c->fsgid};
}

static long volume_setattr(struct hut_mount *m, const char *rel, const struct hut_attr *a,
			   int follow);

static long made(struct hut_mount *m, const char *rel, long r)
{
	struct hut_attr a = owner_attr();
	if (r != 0 || !owner_is_not_root())
		return r;
	volume_setattr(m, rel, &a, 0);
	return 0;
}

static long volume_mkdir(struct hut_mount *m, const char *rel, uint32_t mode)
{
	hut_vname_forget(m, rel, 0);
	struct hut_hc_file hc = on_path(m, HUT_FILE_MKDIR, rel);
	hc.mode = mode;
	return made(m, rel, call(&hc));
}

static long volume_unlink(struct hut_mount *m, const char *rel, int is_rmdir)
{
	hut_vname_forget(m, rel, 1);
	struct hut_hc_file hc = on_path(m, HUT_FILE_UNLINK, rel);
	hc.flags = is_rmdir ? HUT_FILE_RMDIR : 0;
	return call(&hc);
}

/* Both paths' names go (RENAME, LINK; SYMLINK's second is its target,
 * which names nothing here and is harmless to forget). */
static long two_paths(struct hut_mount *m, uint32_t op, const char *a, const char *b,
		      uint32_t flags)
{
	hut_vname_forget(m, a, 1);
	hut_vname_forget(m, b, 1);
	struct hut_hc_file hc = on_path(m, op, a);
	hc.path2 = (uint64_t)b;
	hc.path2_len = hut_strlen(b);
	hc.flags = flags;
	return call(&hc);
}

static long volume_rename(struct hut_mount *m, const char *from, const char *to, unsigned flags)
{
	return two_paths(m, HUT_FILE_RENAME, from, to, flags);
}

static long volume_link(struct hut_mount *m, const char *from, const char *to)
{
	return two_paths(m, HUT_FILE_LINK, from, to, 0);
}

/* The target is any bytes: the monitor stores it, never follows it. */
static long volume_symlink(struct hut_mount *m, const char *target, const char *rel)
{
	return made(m, rel, two_paths(m, HUT_FILE_SYMLINK, rel, target, 0));
}

static void put_attr(struct hut_hc_file *hc, const struct hut_attr *a)
{
	if (a->valid & HUT_ATTR_MODE)
		hc->flags |= HUT_FILE_ATTR_MODE;
	if (a->valid & (HUT_ATTR_UID | HUT_ATTR_GID))
		hc->flags |= HUT_FILE_ATTR_OWNER;
	if (a->valid & (HUT_ATTR_ATIME | HUT_ATTR_MTIME))
		hc->flags |= HUT_FILE_ATTR_TIMES;
	if (a->valid & HUT_ATTR_SIZE)
		hc->flags |= HUT_FILE_ATTR_SIZE;
	hc->mode = a->mode;
	hc->uid = (a->valid & HUT_ATTR_UID) ? a->uid : UINT32_MAX;
	hc->gid = (a->valid & HUT_ATTR_GID) ? a->gid : UINT32_MAX;
	hc->atime_sec = a->atime.tv_sec;
	hc->atime_nsec = (a->valid & HUT_ATTR_ATIME) ? (uint32_t)a->atime.tv_nsec : UTIME_OMIT;
	hc->mtime_sec = a->mtime.tv_sec;
	hc->mtime_nsec = (a->valid & HUT_ATTR_MTIME) ? (uint32_t)a->mtime.tv_nsec : UTIME_OMIT;
	hc->offset = a->size;
}

/* A truncate by path of a file shared mappings hold: one more exit, for
 * its inode. */
static void path_truncated(struct hut_mount *m, const char *rel, uint64_t size)
{
	struct hut_hc_file hc = on_path(m, HUT_FILE_LSTAT, rel);
	if (call(&hc) == 0) {
		hut_vmap_truncated(m, hc.stat.ino, size);
		hut_vcache_truncated(m, hc.stat.ino, size);
	}
}

static long volume_setattr(struct hut_mount *m, const char *rel, const struct hut_attr *a,
			   int follow)
{
	hut_vname_forget(m, rel, 1);
	struct hut_hc_file hc = on_path(m, HUT_FILE_SETATTR, rel);
	put_attr(&hc, a);
	if (follow)
		hc.flags |= HUT_FILE_ATTR_NOLINK;
	long r = call(&hc);
	if (r == 0 && (a->valid & HUT_ATTR_SIZE) && (hut_vmap_any() || hut_vcache_any(m)))
		path_truncated(m, rel, a->size);
	return r;
}

static long volume_statfs(struct hut_mount *m, struct statfs *sf)
{
	struct hut_file_statfs s;
	struct hut_hc_file hc = on_path(m, HUT_FILE_STATFS, "");
	hc.buf = (uint64_t)&s;
	hc.len = sizeof s;
	long r = call(&hc);
	if (r != 0)
		return r;
	hut_memset(sf, 0, sizeof *sf);
	sf->f_type = (long)s.type;
	sf->f_bsize = (long)s.bsize;
	sf->f_blocks = s.blocks;
	sf->f_bfree = s.bfree;
	sf->f_bavail = s.bavail;
	sf->f_files = s.files;
	sf->f_ffree = s.ffree;
	sf->f_namelen = (long)s.namelen;
	sf->f_frsize = (long)s.frsize;
	sf->f_flags = (long)s.flags;
	return 0;
}

/* --- open files ------------------------------------------------------------ */

/* A file shared mappings hold goes around the cache: the window is the
 * one copy of its bytes in the guest (volume_map.c). */
static int mapped(const struct hut_file *f)
{
	return hut_vmap_any() && hut_vmap_of(f->mount, f->ino);
}

/* The app's iovecs as the monitor takes them: themselves with one
 * process, else their guest-physical pieces (base/phys.c), made the
 * process's own first when the monitor writes them (a read). Up to
 * HUT_IOV_MAX pieces, the most one request carries: a read or write into
 * pages scattered in guest RAM (a forked child's copy-on-write copies
 * every other page) is whole up to 4 MiB, where HUT_PHYS_IOV_MAX (64)
 * pieces on the stack cut it at 256 KiB; past that it is short, which
 * Linux allows and callers loop over. One buffer: the libos makes one
 * such request at a time and waits for it. */
static const struct hut_iovec *for_monitor(const struct hut_iovec *iov, int *n, int monitor_writes)
{
	static struct hut_iovec pieces[HUT_IOV_MAX];
	if (!hut_phys_of)
		return iov;
	*n = monitor_writes ? hut_iov_phys_writable(iov, *n, pieces, HUT_IOV_MAX)
			    : hut_iov_phys(iov, *n, pieces, HUT_IOV_MAX);
	return pieces;
}

static long host_read(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	struct hut_hc_file hc = on_handle(f, HUT_FILE_READ);
	/* The monitor gets guest-physical pieces; the windows (volume_map.c)
	 * are overlaid through the app's own addresses. */
	int pieces = iovcnt;
	hc.buf = (uint64_t)for_monitor(iov, &pieces, 1);
	hc.len = (uint64_t)pieces;
	hc.offset = *off;
	long r = call(&hc);
	if (r > 0) {
		hut_vmap_after_read(f, iov, iovcnt, *off, (uint64_t)r);
		*off += (uint64_t)r;
	}
	return r;
}

static long vfile_read(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	long r = mapped(f) ? -HUT_EUNCACHED : hut_vcache_read(f, iov, iovcnt, *off);
	if (r == -HUT_EUNCACHED)
		return host_read(f, iov, iovcnt, off);
	if (r > 0)
		*off += (uint64_t)r;
	return r;
}

static long host_write(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	long flushed = hut_vcache_before_host_write(f);
	if (flushed < 0)
		return flushed;
	struct hut_hc_file hc = on_handle(f, HUT_FILE_WRITE);
	/* The monitor gets guest-physical pieces; the windows (volume_map.c)
	 * are overlaid through the app's own addresses. */
	int pieces = iovcnt;
	hc.buf = (uint64_t)for_monitor(iov, &pieces, 0);
	hc.len = (uint64_t)pieces;
	hc.offset = *off == HUT_OFF_APPEND ? HUT_FILE_APPEND : *off;
	long r = call(&hc);
	if (r >= 0)
		*off = hc.offset;
	if (r > 0) {
		hut_vmap_after_write(f, iov, iovcnt, hc.offset - (uint64_t)r, (uint64_t)r);
		hut_vcache_wrote(f, iov, iovcnt, hc.offset - (uint64_t)r, (uint64_t)r);
	}
	return r;
}

static long vfile_write(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	long r = mapped(f) || *off == HUT_OFF_APPEND ? -HUT_EUNCACHED
						     : hut_vcache_write(f, iov, iovcnt, *off);
	if (r == -HUT_EUNCACHED)
		return host_write(f, iov, iovcnt, off);
	if (r > 0)
		*off += (uint64_t)r;
	return r;
}

/* fstat: from the node while its stat is valid (what the guest changed
 * laid over it), else STAT, which the node then keeps. */
static long vfile_stat(struct hut_file *f, struct stat *st)
{
	struct hut_file_stat cached;
	if (hut_vcache_fstat(f, &cached) == 0) {
		to_stat(f->mount, &cached, st);
		hut_vcache_stat(f, st);
		return 0;
	}
	struct hut_hc_file hc = on_handle(f, HUT_FILE_STAT);
	long r = call(&hc);
	if (r == 0) {
		to_stat(f->mount, &hc.stat, st);
		if (f->priv)
			hut_vcache_saw_stat(f->priv, &hc.stat);
		hut_vcache_stat(f, st);
	}
	return r;
}

/* From the directory's listing in the guest (volume_dirs.c) while it is
 * true, else from the host. */
static long vfile_getdents(struct hut_file *f, void *buf, size_t len)
{
	long r = hut_vdir_getdents(f, buf, len);
	if (r != -HUT_EUNCACHED)
		return r;
	struct hut_hc_file hc = on_handle(f, HUT_FILE_GETDENTS);
	return into_buffer(&hc, buf, len);
}

static long vfile_seek_dir(struct hut_file *f, int64_t off, int whence)
{
	long cached = hut_vdir_seek(f, off, whence);
	if (cached != -HUT_EUNCACHED) {
		if (cached >= 0 && whence == SEEK_SET && off == 0)
			f->mount_pos = 0;
		return cached;
	}
	struct hut_hc_file hc = on_handle(f, HUT_FILE_SEEK);
	hc.offset = (uint64_t)off;
	hc.flags = (uint32_t)whence;
	long r = call(&hc);
	if (r >= 0 && whence == SEEK_SET && off == 0)
		f->mount_pos = 0; /* a rewind lists the mount points below again */
	return r;
}

static long vfile_setattr(struct hut_file *f, const struct hut_attr *a)
{
	struct hut_hc_file hc = on_handle(f, HUT_FILE_FSETATTR);
	put_attr(&hc, a);
	long r = call(&hc);
	hut_vcache_changed(f->mount);
	if (r == 0 && (a->valid & HUT_ATTR_SIZE)) {
		hut_vmap_truncated(f->mount, f->ino, a->size);
		hut_vcache_truncated(f->mount, f->ino, a->size);
	}
	return r;
}

static long vfile_truncate(struct hut_file *f, uint64_t len)
{
	struct hut_attr a = {.valid = HUT_ATTR_SIZE, .size = len};
	return vfile_setattr(f, &a);
}

/* fsync and fdatasync also write back what shared mappings of the file
 * hold, as Linux's write the page cache's dirty pages. */
static long vfile_sync(struct hut_file *f, int datasync)
{
	long r = hut_vmap_sync(f, 0, UINT64_MAX, 0);
	if (r >= 0)
		r = hut_vcache_flush(f);
	if (r < 0)
		return r;
	struct hut_hc_file hc = on_handle(f, HUT_FILE_SYNC);
	hc.flags = datasync ? 1 : 0;
	return call(&hc);
}

/* The host allocates after what the cache holds back is there, and says
 * the size it made (fallocate may grow the file). */
static long vfile_allocate(struct hut_file *f, uint64_t off, uint64_t len)
{
	long r = hut_vcache_flush(f);
	if (r < 0)
		return r;
	struct hut_hc_file hc = on_handle(f, HUT_FILE_ALLOCATE);
	hc.offset = off;
	hc.len = len;
	r = call(&hc);
	struct hut_hc_file st = on_handle(f, HUT_FILE_STAT);
	if (r == 0 && f->priv && call(&st) == 0)
		hut_vcache_truncated(f->mount, f->ino, st.stat.size);
	return r;
}

/* A shared mapping's window becomes the one copy of the file's bytes in
 * the guest: what the cache holds goes to the host first, and it lets go. */
static long vfile_map_shared(struct hut_file *f, uint64_t off, uint64_t len, uint64_t at)
{
	long r = hut_vcache_drop(f);
	return r < 0 ? r : hut_vmap_map(f, off, len, at);
}

static void vfile_release(struct hut_file *f)
{
	if (hut_vcache_release(f))
		return; /* the node keeps the host handle */
	struct hut_hc_file hc = on_handle(f, HUT_FILE_CLOSE);
	hut_vfile_post(&hc); /* not waited for: a close of a host fd cannot fail usefully */
}

static const struct hut_file_ops file_ops = {
	.read = vfile_read,
	.write = vfile_write,
	.stat = vfile_stat,
	.truncate = vfile_truncate,
	.sync = vfile_sync,
	.allocate = vfile_allocate,
	.setattr = vfile_setattr,
	.release = vfile_release,
	.map_shared = vfile_map_shared,
	.unmap_shared = hut_vmap_unmap,
	.sync_shared = hut_vmap_sync,
};

static void dir_release(struct hut_file *f)
{
	hut_vdir_release(f);
	vfile_release(f);
}

static const struct hut_file_ops dir_ops = {
	.stat = vfile_stat,
	.getdents = vfile_getdents,
	.seek_dir = vfile_seek_dir,
	.sync = vfile_sync,
	.setattr = vfile_setattr,
	.release = dir_release,
};

static const struct hut_file_ops path_ops = {
	.stat = vfile_stat,
	.release = vfile_release,
};

/* Opens rel; *created says whether this open made it. With an owner to
 * set afterwards, O_CREAT is first tried with O_EXCL to know. */
static long open_on_host(struct hut_mount *m, const char *rel, int flags, uint32_t mode,
			 struct hut_hc_file *hc, int *created)
{
	int probe = (flags & O_CREAT) && !(flags & O_EXCL) && owner_is_not_root();
	*hc = on_path(m, HUT_FILE_OPEN, rel);
	hc->flags = (uint32_t)(probe ? flags | O_EXCL : flags);
	hc->mode = mode;
	long r = call(hc);
	*created = r == 0 && (flags & O_CREAT);
	if (r != -EEXIST || !probe)
		return r;
	*hc = on_path(m, HUT_FILE_OPEN, rel);
	hc->flags = (uint32_t)(flags & ~O_CREAT);
	hc->mode = mode;
	*created = 0;
	return call(hc);
}

/* A read-only open of a file the cache's names know: no OPEN (cache=auto
 * checks it with one LSTAT), and its close no CLOSE. */
static int by_name(const struct hut_mount *m, int flags)
{
	return !(hut_vcache_mode(m) & HUT_VOLUME_CACHE_NONE) && (flags & O_ACCMODE) == O_RDONLY &&
	       !(flags & (O_CREAT | O_TRUNC | O_PATH | O_DIRECT | O_DIRECTORY));
}

static long open_by_name(struct hut_mount *m, const char *rel, int flags, struct hut_file **out)
{
	struct hut_vnode *n = hut_vname_open(m, rel);
	if (!n)
		return -ENOENT;
	struct hut_file *f =
		hut_file_new(&file_ops, (uint32_t)flags & HUT_STATUS_FLAGS, HUT_KIND_SEEKABLE);
	if (!f)
		return -ENFILE;
	f->mount = m;
	hut_vcache_attach(f, n);
	*out = f;
	return 0;
}

static long volume_open(struct hut_mount *m, const char *rel, int flags, uint32_t mode,
			struct hut_file **out)
{
	struct hut_hc_file hc;
	int created;
	if (by_name(m, flags) && open_by_name(m, rel, flags, out) == 0)
		return 0;
	if (flags & O_CREAT)
		hut_vname_forget(m, rel, 0); /* no longer missing */
	long r = open_on_host(m, rel, flags, mode, &hc, &created);
	if (r != 0)
		return r;
	if (created && owner_is_not_root()) {
		struct hut_attr a = owner_attr();
		struct hut_hc_file set = {.op = HUT_FILE_FSETATTR, .handle = hc.handle};
		put_attr(&set, &a);
		call(&set);
	}
	int dir = S_ISDIR(hc.stat.mode);
	const struct hut_file_ops *ops = dir ? &dir_ops : &file_ops;
	uint32_t kind = HUT_KIND_SEEKABLE | (dir ? HUT_KIND_DIR : 0);
	if (flags & O_PATH) {
		ops = &path_ops;
		kind = HUT_KIND_PATH | (dir ? HUT_KIND_DIR : 0);
	}
	struct hut_file *f = hut_file_new(ops, (uint32_t)flags & HUT_STATUS_FLAGS, kind);
	if (!f) {
		hc.op = HUT_FILE_CLOSE;
		call(&hc);
		return -ENFILE;
	}
	f->mount = m;
	f->priv2 = hc.handle;
	f->ino = hc.stat.ino;
	if (S_ISREG(hc.stat.mode) && !(flags & O_PATH) && hut_vcache_open(f, &hc.stat))
		hut_vname_remember(m, rel, f->priv);
	if (dir && !(flags & O_PATH))
		hut_vdir_open(f, &hc.stat);
	if ((flags & O_TRUNC) && !dir) {
		hut_vmap_truncated(m, f->ino, 0);
		hut_vcache_truncated(m, f->ino, 0);
	}
	*out = f;
	return 0;
}

const struct hut_fs_ops hut_volume_ops = {
	.type = "hutvolume",
	.lstat = volume_lstat,
	.open = volume_open,
	.readlink = volume_readlink,
	.mkdir = volume_mkdir,
	.unlink = volume_unlink,
	.rename = volume_rename,
	.link = volume_link,
	.symlink = volume_symlink,
	.setattr = volume_setattr,
	.statfs = volume_statfs,
};

void hut_volume_mount(struct hut_mount *m, uint32_t id, uint32_t flags)
{
	m->ops = &hut_volume_ops;
	m->priv2 = id;
	m->flags = (flags & HUT_VOLUME_RDONLY) ? HUT_MOUNT_RDONLY : 0;
	hut_vcache_volume(id, flags);
}
