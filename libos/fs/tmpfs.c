/*
 * tmpfs: a file system in guest memory, mounted at /tmp. Nodes (files,
 * directories, symlinks) with hard links; a node lives while a directory
 * entry or an open file refers to it. Everything here is what Linux's
 * tmpfs answers, errno for errno. A new node belongs to the caller's
 * fsuid and fsgid (or the directory's group, if it is set-group-ID); the
 * permission checks are the VFS's (fs/perm.c).
 */
#include "tmpfs.h"

#include <errno.h>
#include <fcntl.h>

#define TMPFS_MAGIC 0x01021994

static struct tmpfs the_tmpfs;
static struct tnode root_node;	    /* static: mounting allocates nothing */
static struct hut_mount *the_mount; /* memfds are its files without a name */

/* --- walking a relative path ---------------------------------------------- */

struct found {
	struct tnode *dir;  /* the last component's directory (NULL for the root) */
	struct tnode *node; /* NULL: the last component does not exist */
	const char *name;   /* the last component */
	size_t len;
	int64_t slot;
};

/* Walks rel from the root. Components before the last must be real
 * directories: a symlink there is -HUT_ESYMLINK, anything else ENOTDIR. */
static long walk(struct tmpfs *fs, const char *rel, struct found *f)
{
	struct tnode *cur = fs->root;
	*f = (struct found){NULL, cur, "", 0, -1};
	while (*rel) {
		const char *end = rel;
		while (*end && *end != '/')
			end++;
		if (!f->node)
			return -ENOENT;
		if (S_ISLNK(f->node->mode))
			return -HUT_ESYMLINK;
		if (!S_ISDIR(f->node->mode))
			return -ENOTDIR;
		cur = f->node;
		f->dir = cur;
		f->name = rel;
		f->len = (size_t)(end - rel);
		f->slot = hut_tdir_find(&cur->dir, rel, f->len);
		f->node = f->slot >= 0 ? cur->dir.slots[f->slot].node : NULL;
		rel = *end ? end + 1 : end;
	}
	return 0;
}

static struct tmpfs *fs_of(struct hut_mount *m)
{
	return m->priv;
}

static long tmpfs_lstat(struct hut_mount *m, const char *rel, struct stat *st)
{
	struct found f;
	long r = walk(fs_of(m), rel, &f);
	if (r != 0)
		return r;
	if (!f.node)
		return -ENOENT;
	hut_tnode_stat(m, f.node, st);
	return 0;
}

/* Links node into dir under f's last name. */
static long add_entry(struct found *f, struct tnode *node)
{
	long r = hut_tdir_add(&f->dir->dir, f->name, f->len, node, f->dir->opens == 0);
	if (r != 0)
		return r;
	node->nlink += S_ISDIR(node->mode) ? 2 : 1;
	if (S_ISDIR(node->mode)) {
		node->parent = f->dir;
		f->dir->nlink++;
	}
	hut_tnode_touch(f->dir);
	return 0;
}

/* A new node at f's last name (which does not exist). */
static long create(struct tmpfs *fs, struct found *f, uint32_t mode, struct tnode **out)
{
	if (!f->dir)
		return -EEXIST; /* the root */
	const struct hut_cred *c = hut_cred_current();
	struct tnode *n = hut_tnode_new(fs, mode);
	if (!n)
		return -ENOSPC;
	n->uid = c->fsuid;
	n->gid = c->fsgid;
	if (f->dir->mode & S_ISGID) { /* the group is the directory's, as Linux */
		n->gid = f->dir->gid;
		if (S_ISDIR(mode))
			n->mode |= S_ISGID;
	}
	long r = add_entry(f, n);
	if (r != 0) {
		hut_tnode_free(fs, n);
		return r;
	}
	*out = n;
	return 0;
}

static long open_existing(struct hut_mount *m, struct found *f, int flags)
{
	struct tnode *n = f->node;
	int acc = flags & O_ACCMODE;
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (S_ISLNK(n->mode)) {
		if (!(flags & O_NOFOLLOW))
			return -HUT_ESYMLINK;
		if (!(flags & O_PATH))
			return -ELOOP;
	}
	if ((flags & O_DIRECTORY) && !S_ISDIR(n->mode))
		return -ENOTDIR;
	if ((S_ISSOCK(n->mode) || S_ISCHR(n->mode) || S_ISBLK(n->mode)) && !(flags & O_PATH))
		return -ENXIO; /* a socket is reached by connect(); no driver is behind a device */
	if (S_ISDIR(n->mode) && !(flags & O_PATH) && (acc != O_RDONLY || (flags & O_CREAT)))
		return -EISDIR;
	if ((flags & O_TRUNC) && S_ISREG(n->mode) && !(flags & O_PATH))
		return hut_tdata_truncate(fs_of(m), n, 0);
	return 0;
}

static long tmpfs_open(struct hut_mount *m, const char *rel, int flags, uint32_t mode,
		       struct hut_file **out)
{
	struct tmpfs *fs = fs_of(m);
	struct found f;
	long r = walk(fs, rel, &f);
	if (r != 0)
		return r;
	if (!f.node) {
		if (!(flags & O_CREAT))
			return -ENOENT;
		if (flags & O_DIRECTORY)
			return -EISDIR;
		if ((r = create(fs, &f, S_IFREG | (mode & 07777), &f.node)) != 0)
			return r;
	} else if ((r = open_existing(m, &f, flags)) != 0) {
		return r;
	} else if (S_ISFIFO(f.node->mode) && !(flags & O_PATH)) {
		return hut_tmpfs_fifo_open(m, f.node, flags, out);
	}
	return hut_tmpfs_file(m, f.node, flags, out);
}

static long tmpfs_readlink(struct hut_mount *m, const char *rel, char *buf, size_t len)
{
	struct found f;
	long r = walk(fs_of(m), rel, &f);
	if (r != 0)
		return r;
	if (!f.node)
		return -ENOENT;
	if (!S_ISLNK(f.node->mode))
		return -EINVAL;
	size_t n = f.node->size < len ? f.node->size : len;
	hut_memcpy(buf, f.node->target, n);
	return (long)n;
}

/* A new node of type and mode at rel, which must not exist (mkdir, bind). */
static long create_at(struct hut_mount *m, const char *rel, uint32_t type_mode)
{
	struct tmpfs *fs = fs_of(m);
	struct found f;
	struct tnode *n;
	long r = walk(fs, rel, &f);
	if (r != 0)
		return r;
	if (f.node)
		return -EEXIST;
	return create(fs, &f, type_mode, &n);
}

static long tmpfs_mkdir(struct hut_mount *m, const char *rel, uint32_t mode)
{
	return create_at(m, rel, S_IFDIR | (mode & 07777));
}

/* bind() of an AF_UNIX socket to a path: a socket node (fs/socknode.c). */
static long tmpfs_mksock(struct hut_mount *m, const char *rel, uint32_t mode)
{
	return create_at(m, rel, S_IFSOCK | (mode & 07777));
}

/* mknod: a FIFO, a device node (which opens as ENXIO: no driver), a
 * regular file or a socket node (type_mode's type is one of those). */
static long tmpfs_mknod(struct hut_mount *m, const char *rel, uint32_t type_mode, uint64_t dev)
{
	struct tmpfs *fs = fs_of(m);
	struct found f;
	struct tnode *n;
	long r = walk(fs, rel, &f);
	if (r != 0)
		return r;
	if (f.node)
		return -EEXIST;
	if ((r = create(fs, &f, type_mode, &n)) != 0)
		return r;
	if (S_ISCHR(type_mode) || S_ISBLK(type_mode))
		n->rdev = dev;
	if (S_ISFIFO(type_mode))
		n->fifo.mount = m;
	return 0;
}

/* Drops the entry f found; the node goes when nothing else holds it. */
static void remove_entry(struct tmpfs *fs, struct found *f)
{
	struct tnode *n = f->node;
	hut_tdir_remove(&f->dir->dir, (uint32_t)f->slot);
	hut_tnode_touch(f->dir);
	n->ctime = f->dir->mtime;
	if (S_ISDIR(n->mode)) {
		f->dir->nlink--;
		n->nlink = 0;
	} else {
		n->nlink--;
	}
	hut_tnode_put(fs, n);
}

static long tmpfs_unlink(struct hut_mount *m, const char *rel, int is_rmdir)
{
	struct tmpfs *fs = fs_of(m);
	struct found f;
	long r = walk(fs, rel, &f);
	if (r != 0)
		return r;
	if (!f.node)
		return -ENOENT;
	if (!f.dir)
		return -EBUSY;
	if (is_rmdir && !S_ISDIR(f.node->mode))
		return -ENOTDIR;
	if (!is_rmdir && S_ISDIR(f.node->mode))
		return -EISDIR;
	if (is_rmdir && f.node->dir.live > 0)
		return -ENOTEMPTY;
	remove_entry(fs, &f);
	return 0;
}

static long tmpfs_symlink(struct hut_mount *m, const char *target, const char *rel)
{
	struct tmpfs *fs = fs_of(m);
	struct found f;
	struct tnode *n;
	size_t len = hut_strlen(target);
	long r = walk(fs, rel, &f);
	if (r != 0)
		return r;
	if (f.node)
		return -EEXIST;
	char *copy = hut_kstrndup(target, len);
	if (!copy)
		return -ENOSPC;
	if ((r = create(fs, &f, S_IFLNK | 0777, &n)) != 0) {
		hut_kfree(copy, len + 1);
		return r;
	}
	n->target = copy;
	n->size = len;
	return 0;
}

static long tmpfs_link(struct hut_mount *m, const char *from, const char *to)
{
	struct tmpfs *fs = fs_of(m);
	struct found old, new;
	long r = walk(fs, from, &old);
	if (r != 0)
		return r;
	if (!old.node)
		return -ENOENT;
	if (S_ISDIR(old.node->mode))
		return -EPERM;
	if ((r = walk(fs, to, &new)) != 0)
		return r;
	if (new.node)
		return -EEXIST;
	if ((r = add_entry(&new, old.node)) == 0)
		old.node->ctime = new.dir->mtime;
	return r;
}

static int is_ancestor(const struct tnode *a, const struct tnode *n)
{
	for (; n; n = n->parent)
		if (n == a)
			return 1;
	return 0;
}

/* What Linux checks before a rename touches anything. */
static long rename_check(const struct found *old, const struct found *new, unsigned flags)
{
	if (!old->node)
		return -ENOENT;
	if (!old->dir || !new->dir)
		return -EBUSY;
	if ((flags & RENAME_NOREPLACE) && new->node)
		return -EEXIST;
	if ((flags & RENAME_EXCHANGE) && !new->node)
		return -ENOENT;
	if (S_ISDIR(old->node->mode) && is_ancestor(old->node, new->dir))
		return -EINVAL;
	if ((flags & RENAME_EXCHANGE) && new->node && S_ISDIR(new->node->mode) &&
	    is_ancestor(new->node, old->dir))
		return -EINVAL;
	if (!new->node || (flags & RENAME_EXCHANGE))
		return 0;
	if (S_ISDIR(old->node->mode) && !S_ISDIR(new->node->mode))
		return -ENOTDIR;
	if (!S_ISDIR(old->node->mode) && S_ISDIR(new->node->mode))
		return -EISDIR;
	if (S_ISDIR(new->node->mode) && new->node->dir.live > 0)
		return -ENOTEMPTY;
	return 0;
}

/* Points the entry at slot of dir to node (a directory moves under dir). */
static void repoint(struct tnode *dir, int64_t slot, struct tnode *node)
{
	dir->dir.slots[slot].node = node;
	if (S_ISDIR(node->mode) && node->parent != dir) {
		node->parent->nlink--;
		node->parent = dir;
		dir->nlink++;
	}
	hut_tnode_touch(dir);
}

static long tmpfs_rename(struct hut_mount *m, const char *from, const char *to, unsigned flags)
{
	struct tmpfs *fs = fs_of(m);
	struct found old, new;
	long r;
	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if ((r = walk(fs, from, &old)) != 0 || (r = walk(fs, to, &new)) != 0)
		return r;
	if ((r = rename_check(&old, &new, flags)) != 0)
		return r;
	if (old.node == new.node)
		return 0; /* the same file under two names: nothing to do */
	if (flags & RENAME_EXCHANGE) {
		struct tnode *a = old.node, *b = new.node;
		repoint(old.dir, old.slot, b);
		repoint(new.dir, new.slot, a);
		return 0;
	}
	if (new.node) {
		struct tnode *victim = new.node;
		repoint(new.dir, new.slot, old.node);
		victim->nlink = S_ISDIR(victim->mode) ? 0 : victim->nlink - 1;
		if (S_ISDIR(victim->mode))
			new.dir->nlink--; /* its ".." went with it */
		hut_tnode_put(fs, victim);
	} else if ((r = hut_tdir_add(&new.dir->dir, new.name, new.len, old.node,
				     new.dir->opens == 0)) != 0) {
		return r;
	} else if (S_ISDIR(old.node->mode)) {
		old.node->parent->nlink--;
		old.node->parent = new.dir;
		new.dir->nlink++;
	}
	/* The old slot: look it up again, the add may have packed the table. */
	int64_t slot = hut_tdir_find(&old.dir->dir, old.name, old.len);
	hut_tdir_remove(&old.dir->dir, (uint32_t)slot);
	hut_tnode_touch(old.dir);
	hut_tnode_touch(new.dir);
	old.node->ctime = new.dir->mtime;
	return 0;
}

static long tmpfs_setattr(struct hut_mount *m, const char *rel, const struct hut_attr *a,
			  int follow)
{
	struct found f;
	long r = walk(fs_of(m), rel, &f);
	if (r != 0)
		return r;
	if (!f.node)
		return -ENOENT;
	if (follow && S_ISLNK(f.node->mode))
		return -HUT_ESYMLINK;
	if (S_ISLNK(f.node->mode) && (a->valid & HUT_ATTR_MODE))
		return -EOPNOTSUPP;
	return hut_tnode_setattr(fs_of(m), f.node, a);
}

static long tmpfs_statfs(struct hut_mount *m, struct statfs *sf)
{
	const struct tmpfs *fs = fs_of(m);
	hut_memset(sf, 0, sizeof *sf);
	sf->f_type = TMPFS_MAGIC;
	sf->f_bsize = sf->f_frsize = HUT_PAGE_SIZE;
	sf->f_blocks = fs->pages_limit;
	sf->f_bfree = sf->f_bavail = fs->pages_limit - fs->pages_used;
	sf->f_files = fs->pages_limit;
	sf->f_ffree = fs->pages_limit;
	sf->f_namelen = HUT_FNAME_MAX;
	return 0;
}

static long tmpfs_sync(struct hut_mount *m)
{
	(void)m;
	return 0;
}

const struct hut_fs_ops hut_tmpfs_ops = {
	.type = "tmpfs",
	.lstat = tmpfs_lstat,
	.open = tmpfs_open,
	.readlink = tmpfs_readlink,
	.mkdir = tmpfs_mkdir,
	.unlink = tmpfs_unlink,
	.rename = tmpfs_rename,
	.link = tmpfs_link,
	.symlink = tmpfs_symlink,
	.mksock = tmpfs_mksock,
	.mknod = tmpfs_mknod,
	.setattr = tmpfs_setattr,
	.statfs = tmpfs_statfs,
	.sync = tmpfs_sync,
};

/* /tmp: root-owned, world-writable with the sticky bit, as on Linux. */
void hut_tmpfs_mount(struct hut_mount *m)
{
	struct tmpfs *fs = &the_tmpfs;
	fs->next_ino = 1;
	fs->pages_limit = hut_pages_total() / 2;
	m->ops = &hut_tmpfs_ops;
	m->priv = fs;
	the_mount = m;
	fs->root = &root_node;
	root_node.mode = S_IFDIR | 01777;
	root_node.nlink = 2;
	root_node.ino = fs->next_ino++;
	root_node.atime = root_node.mtime = root_node.ctime = hut_realtime();
}

/* memfd_create: a regular file of /tmp's tmpfs in no directory (nlink 0,
 * as Linux shows a memfd),
 * gone with its last open, sealable as seals says (F_SEAL_SEAL: not). */
long hut_tmpfs_anon_file(uint32_t seals, int flags, struct hut_file **out)
{
	if (!the_mount)
		return -ENOSYS;
	struct tnode *n = hut_tnode_new(fs_of(the_mount), S_IFREG | 0777);
	if (!n)
		return -ENOMEM;
	n->seals = seals;
	return hut_tmpfs_file(the_mount, n, flags, out);
}
