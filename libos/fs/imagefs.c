/*
 * The files packed into the image (`hut build --files`), mounted at "/".
 * They are a blob in a read-only loaded segment (the format is in abi.h),
 * so everything here is memory reads: a lookup is a binary search in a
 * directory's sorted entries, a read is a copy out of the image. No exit.
 * Read-only: a change is EROFS, after the checks Linux makes first (a
 * missing file is ENOENT, an existing one EEXIST).
 *
 * The monitor checked the blob when it loaded the image (offsets, names,
 * order, a tree), and the segment is read-only: the libos trusts it.
 */
#include "vfs.h"

#include <errno.h>

#define IMAGEFS_MAGIC 0x68757466 /* "hutf" */
#define NONE UINT32_MAX

struct imagefs {
	const uint8_t *base;
	const struct hut_files_node *nodes;
	uint32_t count;
	uint64_t size;
};

static struct imagefs the_imagefs;
/* The root of an image without packed files: an empty directory. */
static const struct hut_files_node empty_root = {S_IFDIR | 0755, 0, 0, 0, 0, 0, 0};

static const struct imagefs *fs_of(const struct hut_mount *m)
{
	return m->priv;
}

static const struct hut_files_entry *entries(const struct imagefs *fs,
					     const struct hut_files_node *dir)
{
	return (const struct hut_files_entry *)(fs->base + dir->offset);
}

/* Bytewise, then the shorter first: the order the builder sorted in. */
static int compare(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = hut_memcmp(a, b, alen < blen ? alen : blen);
	return c ? c : (alen > blen) - (alen < blen);
}

static uint32_t find(const struct imagefs *fs, uint32_t dir, const char *name, size_t len)
{
	const struct hut_files_node *d = &fs->nodes[dir];
	const struct hut_files_entry *e = entries(fs, d);
	uint64_t lo = 0, hi = d->size;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		int c = compare(name, len, (const char *)fs->base + e[mid].name, e[mid].name_len);
		if (c == 0)
			return e[mid].node;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NONE;
}

/* Walks rel: *node is the last component's index, or NONE if it does not
 * exist (its directory does). */
static long walk(const struct imagefs *fs, const char *rel, uint32_t *node)
{
	uint32_t cur = 0;
	while (*rel) {
		const char *end = rel;
		while (*end && *end != '/')
			end++;
		if (cur == NONE)
			return -ENOENT;
		if (S_ISLNK(fs->nodes[cur].mode))
			return -HUT_ESYMLINK;
		if (!S_ISDIR(fs->nodes[cur].mode))
			return -ENOTDIR;
		cur = find(fs, cur, rel, (size_t)(end - rel));
		rel = *end ? end + 1 : end;
	}
	*node = cur;
	return 0;
}

static void node_stat(const struct hut_mount *m, uint32_t i, struct stat *st)
{
	const struct imagefs *fs = fs_of(m);
	const struct hut_files_node *n = &fs->nodes[i];
	hut_stat_fill(st, m, (uint64_t)i + 1, n->mode, S_ISDIR(n->mode) ? HUT_PAGE_SIZE : n->size);
	if (S_ISDIR(n->mode)) {
		const struct hut_files_entry *e = entries(fs, n);
		st->st_nlink = 2;
		for (uint64_t k = 0; k < n->size; k++)
			st->st_nlink += S_ISDIR(fs->nodes[e[k].node].mode);
	}
	st->st_mtim.tv_sec = st->st_atim.tv_sec = st->st_ctim.tv_sec = n->mtime_sec;
	st->st_mtim.tv_nsec = st->st_atim.tv_nsec = st->st_ctim.tv_nsec = n->mtime_nsec;
}

static long imagefs_lstat(struct hut_mount *m, const char *rel, struct stat *st)
{
	uint32_t i;
	long r = walk(fs_of(m), rel, &i);
	if (r != 0)
		return r;
	if (i == NONE)
		return -ENOENT;
	node_stat(m, i, st);
	return 0;
}

static long imagefs_readlink(struct hut_mount *m, const char *rel, char *buf, size_t len)
{
	const struct imagefs *fs = fs_of(m);
	uint32_t i;
	long r = walk(fs, rel, &i);
	if (r != 0)
		return r;
	if (i == NONE)
		return -ENOENT;
	if (!S_ISLNK(fs->nodes[i].mode))
		return -EINVAL;
	size_t n = fs->nodes[i].size < len ? fs->nodes[i].size : len;
	hut_memcpy(buf, fs->base + fs->nodes[i].offset, n);
	return (long)n;
}

/* What a change to path rel gets, in Linux's order: the path's directories
 * must resolve; then ENOENT for a file that must exist (ANY: not checked)
 * or EEXIST for one that must not; then EROFS. */
#define MISSING 0
#define EXISTING 1
#define ANY 2

static long refuse(struct hut_mount *m, const char *rel, int want)
{
	uint32_t i;
	long r = walk(fs_of(m), rel, &i);
	if (r != 0)
		return r;
	if (i == NONE && want == EXISTING)
		return -ENOENT;
	if (i != NONE && want == MISSING)
		return -EEXIST;
	return -EROFS;
}

static long imagefs_mkdir(struct hut_mount *m, const char *rel, uint32_t mode)
{
	(void)mode;
	return refuse(m, rel, MISSING);
}

static long imagefs_unlink(struct hut_mount *m, const char *rel, int is_rmdir)
{
	(void)is_rmdir;
	return refuse(m, rel, ANY);
}

static long imagefs_rename(struct hut_mount *m, const char *from, const char *to, unsigned flags)
{
	(void)to;
	(void)flags;
	return refuse(m, from, ANY);
}

static long imagefs_link(struct hut_mount *m, const char *from, const char *to)
{
	long r = refuse(m, from, EXISTING);
	return r == -EROFS ? refuse(m, to, MISSING) : r;
}

static long imagefs_symlink(struct hut_mount *m, const char *target, const char *rel)
{
	(void)target;
	return refuse(m, rel, MISSING);
}

static long imagefs_setattr(struct hut_mount *m, const char *rel, const struct hut_attr *a,
			    int follow)
{
	const struct imagefs *fs = fs_of(m);
	uint32_t i;
	long r = walk(fs, rel, &i);
	(void)a;
	if (r != 0)
		return r;
	if (i == NONE)
		return -ENOENT;
	if (follow && S_ISLNK(fs->nodes[i].mode))
		return -HUT_ESYMLINK;
	return -EROFS;
}

static long imagefs_statfs(struct hut_mount *m, struct statfs *sf)
{
	const struct imagefs *fs = fs_of(m);
	hut_memset(sf, 0, sizeof *sf);
	sf->f_type = IMAGEFS_MAGIC;
	sf->f_bsize = sf->f_frsize = HUT_PAGE_SIZE;
	sf->f_blocks = (fs->size + HUT_PAGE_SIZE - 1) / HUT_PAGE_SIZE;
	sf->f_files = fs->count;
	sf->f_namelen = HUT_FNAME_MAX;
	sf->f_flags = ST_RDONLY;
	return 0;
}

/* --- open files ------------------------------------------------------------ */

static const struct hut_files_node *file_node(struct hut_file *f)
{
	return &fs_of(f->mount)->nodes[f->priv2];
}

static long ifile_read(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	const struct hut_files_node *n = file_node(f);
	uint64_t want = hut_iov_total(iov, iovcnt);
	if (*off >= n->size)
		return 0;
	if (want > n->size - *off)
		want = n->size - *off;
	hut_iov_copy_out(iov, iovcnt, 0, fs_of(f->mount)->base + n->offset + *off, want);
	*off += want;
	return (long)want;
}

static long ifile_stat(struct hut_file *f, struct stat *st)
{
	node_stat(f->mount, (uint32_t)f->priv2, st);
	return 0;
}

static long ifile_sync(struct hut_file *f, int datasync)
{
	(void)f;
	(void)datasync;
	return 0;
}

static long ifile_setattr(struct hut_file *f, const struct hut_attr *a)
{
	(void)f;
	(void)a;
	return -EROFS;
}

/* Positions: 0 ".", 1 "..", then entry + 2. */
static long idir_getdents(struct hut_file *f, void *buf, size_t len)
{
	const struct imagefs *fs = fs_of(f->mount);
	const struct hut_files_node *d = file_node(f);
	const struct hut_files_entry *e = entries(fs, d);
	size_t used = 0;
	for (; f->pos < d->size + 2; f->pos++) {
		uint32_t target = f->pos == 0 ? (uint32_t)f->priv2 : d->parent;
		const char *name = f->pos == 0 ? "." : "..";
		size_t n = f->pos + 1;
		if (f->pos >= 2) {
			target = e[f->pos - 2].node;
			name = (const char *)fs->base + e[f->pos - 2].name;
			n = e[f->pos - 2].name_len;
		}
		if (!hut_dirent_put(buf, len, &used, (uint64_t)target + 1, (int64_t)f->pos + 1,
				    hut_dirent_type(fs->nodes[target].mode), name, n))
			return used ? (long)used : -EINVAL;
	}
	return (long)used;
}

static const struct hut_file_ops file_ops = {
	.read = ifile_read,
	.stat = ifile_stat,
	.sync = ifile_sync,
	.setattr = ifile_setattr,
};

static const struct hut_file_ops dir_ops = {
	.stat = ifile_stat,
	.getdents = idir_getdents,
	.seek_dir = hut_dir_seek_entries,
	.sync = ifile_sync,
	.setattr = ifile_setattr,
};

static const struct hut_file_ops path_ops = {
	.stat = ifile_stat,
};

/* What Linux checks, in its order: existence, symlinks, O_DIRECTORY,
 * directories opened for writing, then the read-only file system. */
static long check_open(const struct hut_files_node *n, int flags)
{
	int acc = flags & O_ACCMODE;
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (S_ISLNK(n->mode)) {
		if (!(flags & O_NOFOLLOW))
			return -HUT_ESYMLINK;
		if (!(flags & O_PATH))
			return -ELOOP;
	}
	if (flags & O_PATH)
		return 0;
	if ((flags & O_DIRECTORY) && !S_ISDIR(n->mode))
		return -ENOTDIR;
	if (S_ISDIR(n->mode) && (acc != O_RDONLY || (flags & O_CREAT)))
		return -EISDIR;
	if (acc != O_RDONLY || (flags & O_TRUNC))
		return -EROFS;
	return 0;
}

static long imagefs_open(struct hut_mount *m, const char *rel, int flags, uint32_t mode,
			 struct hut_file **out)
{
	const struct imagefs *fs = fs_of(m);
	uint32_t i;
	long r = walk(fs, rel, &i);
	(void)mode;
	if (r != 0)
		return r;
	if (i == NONE)
		return (flags & O_CREAT) ? -EROFS : -ENOENT;
	const struct hut_files_node *n = &fs->nodes[i];
	if ((r = check_open(n, flags)) != 0)
		return r;
	const struct hut_file_ops *ops = S_ISDIR(n->mode) ? &dir_ops : &file_ops;
	uint32_t kind = HUT_KIND_SEEKABLE | (S_ISDIR(n->mode) ? HUT_KIND_DIR : 0);
	if (flags & O_PATH) {
		ops = &path_ops;
		kind = HUT_KIND_PATH | (S_ISDIR(n->mode) ? HUT_KIND_DIR : 0);
	}
	struct hut_file *f = hut_file_new(ops, (uint32_t)flags & HUT_STATUS_FLAGS, kind);
	if (!f)
		return -ENFILE;
	f->mount = m;
	f->priv2 = i;
	*out = f;
	return 0;
}

const struct hut_fs_ops hut_imagefs_ops = {
	.type = "hutimage",
	.lstat = imagefs_lstat,
	.open = imagefs_open,
	.readlink = imagefs_readlink,
	.mkdir = imagefs_mkdir,
	.unlink = imagefs_unlink,
	.rename = imagefs_rename,
	.link = imagefs_link,
	.symlink = imagefs_symlink,
	.setattr = imagefs_setattr,
	.statfs = imagefs_statfs,
	.sync = NULL,
};

void hut_imagefs_mount(struct hut_mount *m, const struct hut_boot_info *bi)
{
	struct imagefs *fs = &the_imagefs;
	const struct hut_files_header *h = (const struct hut_files_header *)bi->files_gpa;
	m->ops = &hut_imagefs_ops;
	m->flags = HUT_MOUNT_RDONLY;
	m->priv = fs;
	if (!h || bi->files_size == 0) {
		fs->nodes = &empty_root;
		fs->base = (const uint8_t *)&empty_root;
		fs->count = 1;
		return;
	}
	fs->base = (const uint8_t *)h;
	fs->nodes = (const struct hut_files_node *)(fs->base + h->nodes);
	fs->count = h->node_count;
	fs->size = h->size;
}
