/*
 * tmpfs internals, shared by its files: nodes (tmpfs.c), directory tables
 * (tmpfs_dir.c), file pages (tmpfs_data.c) and open files (tmpfs_file.c).
 */
#ifndef HUT_TMPFS_H
#define HUT_TMPFS_H

#include "vfs.h"

struct tnode;
struct tpin;

struct tdirent {
	struct tnode *node; /* NULL: removed (the slot keeps getdents positions stable) */
	char *name;
	uint32_t len;
};

/* A directory: entries in creation order, found through a hash index. */
struct tdir {
	struct tdirent *slots;
	uint32_t used, cap; /* slots in use (removed ones too) and allocated */
	uint32_t live;	    /* entries not removed */
	uint32_t *index;    /* open addressing: slot + 1, 0 free, TOMB removed */
	uint32_t index_cap; /* a power of two, or 0 */
	uint32_t index_used;
};

struct tnode {
	uint32_t mode;
	uint32_t nlink;
	uint32_t uid, gid;
	uint32_t opens; /* open files: an unlinked node lives until the last is closed */
	uint32_t seals; /* F_SEAL_*: regular files (memfd) */
	uint64_t ino;
	uint64_t rdev; /* device nodes */
	uint64_t size;
	struct timespec atime, mtime, ctime;
	struct tnode *parent; /* directories */
	union {
		struct tdir dir;
		struct {
			uint8_t **pages;   /* page i of the data, or NULL: a hole (zeros) */
			uint64_t cap;	   /* entries in pages */
			struct tpin *pins; /* runs of pages shared mappings hold in place */
		} data;
		char *target; /* symlinks: size bytes */
		struct {
			struct hut_fifo fifo; /* its pipe while open (fd/pipe.c) */
			struct hut_mount *mount;
		} fifo; /* FIFOs */
	};
};

struct tmpfs {
	struct tnode *root;
	uint64_t pages_used, pages_limit;
	uint64_t next_ino;
};

/* tmpfs_dir.c: -1 when absent. */
int64_t hut_tdir_find(const struct tdir *d, const char *name, size_t len);
/* may_pack: nobody has the directory open, its slots may move. */
long hut_tdir_add(struct tdir *d, const char *name, size_t len, struct tnode *node, int may_pack);
void hut_tdir_remove(struct tdir *d, uint32_t slot);
void hut_tdir_free(struct tdir *d);
/* The tdirent at slot, or NULL past the end; removed ones have node NULL. */
const struct tdirent *hut_tdir_slot(const struct tdir *d, uint64_t slot);

/* tmpfs_data.c */
long hut_tdata_read(struct tnode *n, const struct hut_iovec *iov, int iovcnt, uint64_t off);
long hut_tdata_write(struct tmpfs *fs, struct tnode *n, const struct hut_iovec *iov, int iovcnt,
		     uint64_t off);
long hut_tdata_truncate(struct tmpfs *fs, struct tnode *n, uint64_t size);
long hut_tdata_reserve(struct tmpfs *fs, struct tnode *n, uint64_t off, uint64_t len);
/* Shared mappings: the file's pages [off, off + len) made one run (at at,
 * if not 0) and held there; its address, or -errno. Unmap lets one go. */
long hut_tdata_map(struct tmpfs *fs, struct tnode *n, uint64_t off, uint64_t len, uint64_t at);
void hut_tdata_unmap(struct tmpfs *fs, struct tnode *n, uint64_t off, uint64_t len);

/* tmpfs_node.c */
struct tnode *hut_tnode_new(struct tmpfs *fs, uint32_t mode);
void hut_tnode_free(struct tmpfs *fs, struct tnode *n);
void hut_tnode_touch(struct tnode *n); /* mtime and ctime: now */
void hut_tnode_stat(const struct hut_mount *m, const struct tnode *n, struct stat *st);
void hut_tnode_put(struct tmpfs *fs, struct tnode *n); /* frees it if unlinked and closed */
long hut_tnode_setattr(struct tmpfs *fs, struct tnode *n, const struct hut_attr *a);
void hut_tnode_kill_priv(struct tnode *n); /* a write by a caller without CAP_FSETID */

/* tmpfs_file.c */
long hut_tmpfs_file(struct hut_mount *m, struct tnode *n, int flags, struct hut_file **out);
/* A FIFO's open: the node's pipe (fd/pipe.c), counted in n->opens. */
long hut_tmpfs_fifo_open(struct hut_mount *m, struct tnode *n, int flags, struct hut_file **out);
/* The seals a write of len bytes at off, or a change of size to size,
 * breaks: -EPERM, else 0. */
long hut_tnode_seal_write(const struct tnode *n, uint64_t off, uint64_t len);
long hut_tnode_seal_size(const struct tnode *n, uint64_t size);

#endif
