/*
 * Open tmpfs files: regular files read and write their pages, directories
 * list their entries (positions: 0 ".", 1 "..", then slot + 2), and an
 * O_PATH file only answers fstat.
 */
#include "tmpfs.h"

#include <errno.h>
#include <stddef.h>

static struct tnode *node_of(struct hut_file *f)
{
	return f->priv;
}

static struct tmpfs *fs_of(struct hut_file *f)
{
	return f->mount->priv;
}

static long tfile_read(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	long r = hut_tdata_read(node_of(f), iov, iovcnt, *off);
	if (r > 0)
		*off += (uint64_t)r;
	return r;
}

static long tfile_write(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	struct tnode *n = node_of(f);
	if (*off == HUT_OFF_APPEND)
		*off = n->size;
	long r = hut_tnode_seal_write(n, *off, hut_iov_total(iov, iovcnt));
	if (r != 0)
		return r;
	if (hut_iov_total(iov, iovcnt) > 0)
		hut_tnode_kill_priv(n);
	r = hut_tdata_write(fs_of(f), n, iov, iovcnt, *off);
	if (r > 0) {
		*off += (uint64_t)r;
		n->mtime = n->ctime = hut_realtime();
	}
	return r;
}

static long tfile_stat(struct hut_file *f, struct stat *st)
{
	hut_tnode_stat(f->mount, node_of(f), st);
	return 0;
}

static long tfile_truncate(struct hut_file *f, uint64_t len)
{
	struct hut_attr a = {.valid = HUT_ATTR_SIZE, .size = len};
	return hut_tnode_setattr(fs_of(f), node_of(f), &a);
}

static long tfile_sync(struct hut_file *f, int datasync)
{
	(void)f;
	(void)datasync;
	return 0;
}

static long tfile_allocate(struct hut_file *f, uint64_t off, uint64_t len)
{
	if ((node_of(f)->seals & F_SEAL_GROW) && off + len > node_of(f)->size)
		return -EPERM;
	return hut_tdata_reserve(fs_of(f), node_of(f), off, len);
}

static long tfile_setattr(struct hut_file *f, const struct hut_attr *a)
{
	return hut_tnode_setattr(fs_of(f), node_of(f), a);
}

/* F_ADD_SEALS and F_GET_SEALS, as memfd_add_seals: a file opened for
 * writing may add seals until F_SEAL_SEAL is one of them. (Shared writable
 * mappings copy the file here, so F_SEAL_WRITE has none to wait for.) */
#define ALL_SEALS                                                                                  \
	(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | 0x20)

static long tfile_seals(struct hut_file *f, int add, uint32_t seals)
{
	struct tnode *n = node_of(f);
	if (!add)
		return n->seals;
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EPERM;
	if (seals & ~(uint32_t)ALL_SEALS)
		return -EINVAL;
	if (n->seals & F_SEAL_SEAL)
		return -EPERM;
	n->seals |= seals;
	return 0;
}

static long tfile_map_shared(struct hut_file *f, uint64_t off, uint64_t len, uint64_t at)
{
	return hut_tdata_map(fs_of(f), node_of(f), off, len, at);
}

static void tfile_unmap_shared(struct hut_file *f, uint64_t off, uint64_t len)
{
	hut_tdata_unmap(fs_of(f), node_of(f), off, len);
}

/* The mapping is the file's pages: nothing to write back, and a tmpfs has
 * no disk to sync. */
static long tfile_sync_shared(struct hut_file *f, uint64_t off, uint64_t len, int sync)
{
	(void)f, (void)off, (void)len, (void)sync;
	return 0;
}

static void tfile_release(struct hut_file *f)
{
	struct tnode *n = node_of(f);
	n->opens--;
	hut_tnode_put(fs_of(f), n);
}

static long tdir_getdents(struct hut_file *f, void *buf, size_t len)
{
	struct tnode *n = node_of(f);
	size_t used = 0;
	for (;; f->pos++) {
		const struct tdirent *e = NULL;
		const char *name = "..";
		size_t nlen = 2;
		const struct tnode *target = n->parent ? n->parent : n;
		if (f->pos == 0) {
			name = ".", nlen = 1, target = n;
		} else if (f->pos >= 2) {
			if (!(e = hut_tdir_slot(&n->dir, f->pos - 2)))
				break;
			if (!e->node)
				continue;
			name = e->name, nlen = e->len, target = e->node;
		}
		if (!hut_dirent_put(buf, len, &used, target->ino, (int64_t)f->pos + 1,
				    hut_dirent_type(target->mode), name, nlen))
			return used ? (long)used : -EINVAL;
	}
	return (long)used;
}

static const struct hut_file_ops file_ops = {
	.read = tfile_read,
	.write = tfile_write,
	.stat = tfile_stat,
	.truncate = tfile_truncate,
	.sync = tfile_sync,
	.allocate = tfile_allocate,
	.setattr = tfile_setattr,
	.seals = tfile_seals,
	.release = tfile_release,
	.map_shared = tfile_map_shared,
	.unmap_shared = tfile_unmap_shared,
	.sync_shared = tfile_sync_shared,
};

static const struct hut_file_ops dir_ops = {
	.stat = tfile_stat,
	.getdents = tdir_getdents,
	.seek_dir = hut_dir_seek_entries,
	.sync = tfile_sync,
	.setattr = tfile_setattr,
	.release = tfile_release,
};

static const struct hut_file_ops path_ops = {
	.stat = tfile_stat,
	.release = tfile_release,
};

long hut_tmpfs_file(struct hut_mount *m, struct tnode *n, int flags, struct hut_file **out)
{
	const struct hut_file_ops *ops = &file_ops;
	uint32_t kind = HUT_KIND_SEEKABLE;
	if (flags & O_PATH) {
		ops = &path_ops;
		kind = HUT_KIND_PATH | (S_ISDIR(n->mode) ? HUT_KIND_DIR : 0);
	} else if (S_ISDIR(n->mode)) {
		ops = &dir_ops;
		kind |= HUT_KIND_DIR;
	}
	struct hut_file *f = hut_file_new(ops, (uint32_t)flags & HUT_STATUS_FLAGS, kind);
	if (!f) {
		hut_tnode_put(m->priv, n);
		return -ENFILE;
	}
	f->mount = m;
	f->priv = n;
	n->opens++;
	*out = f;
	return 0;
}

/* --- FIFOs ------------------------------------------------------------------ */

static struct tnode *fifo_node(struct hut_fifo *fifo)
{
	return (struct tnode *)((char *)fifo - offsetof(struct tnode, fifo.fifo));
}

static void fifo_stat(struct hut_fifo *fifo, struct stat *st)
{
	struct tnode *n = fifo_node(fifo);
	hut_tnode_stat(n->fifo.mount, n, st);
}

static void fifo_closed(struct hut_fifo *fifo)
{
	struct tnode *n = fifo_node(fifo);
	n->opens--;
	hut_tnode_put(n->fifo.mount->priv, n);
}

long hut_tmpfs_fifo_open(struct hut_mount *m, struct tnode *n, int flags, struct hut_file **out)
{
	n->fifo.mount = m;
	n->fifo.fifo.stat = fifo_stat;
	n->fifo.fifo.closed = fifo_closed;
	n->opens++;
	long r = hut_fifo_open(&n->fifo.fifo, flags, out);
	if (r != 0) {
		n->opens--;
		hut_tnode_put(m->priv, n);
	}
	return r;
}
