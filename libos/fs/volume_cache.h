/*
 * The volume page cache (volume_cache.c): volume file data kept in guest
 * pages, so that reads of cached bytes and most writes cost no exit. One
 * node per host file (the volume and the host inode), shared by every
 * description of it; volume.c calls it from its file ops.
 */
#ifndef HUT_VOLUME_CACHE_H
#define HUT_VOLUME_CACHE_H

#include "vfs.h"
#include "volume_ring.h"

/* A host file the cache knows (the volume and the host inode). */
struct hut_vnode {
	const struct hut_mount *mount;
	uint64_t ino;
	uint64_t size;		/* the guest's view of it */
	int64_t host_mtime_sec; /* the host's, when the node last saw it */
	uint32_t host_mtime_nsec;
	uint64_t host_size;
	struct timespec mtime; /* the guest's last cached write */
	uint32_t opens;	       /* descriptions */
	uint64_t pages, dirty;
	uint64_t dirty_lo, dirty_hi; /* every dirty page's index is in [lo, hi) */
	uint64_t ra_next, ra_pages;  /* a sequential read's next page; how far ahead */
	struct hut_file *writer;     /* dirty pages go back through it */
	struct cpage *first;
	struct hut_vnode *hnext;
	/* A host handle the node keeps for reads (a closed description's),
	 * lent to the opens its names answer (volume_names.c). */
	uint32_t rhandle, has_rhandle, borrowers, names;
	/* The host's stat (STAT, LSTAT: the owner= view), valid while the
	 * mount's generation has not moved (a change by path moves it). */
	struct hut_file_stat st;
	uint64_t st_gen;
	int st_valid;
};

/* f->priv2 of a description that reads through its node's handle. */
#define HUT_VCACHE_BORROWED (1ull << 32)

/* The volume's cache= mode, from its boot flags (HUT_VOLUME_CACHE_*). */
void hut_vcache_volume(uint32_t volume, uint32_t flags);

/* An open of a regular file: its node, revalidated against the host's
 * stat (cache=auto) or trusted (cache=always); NULL: not cached (cache=none,
 * O_DIRECT, no memory). Sets f->priv. */
struct hut_vnode *hut_vcache_open(struct hut_file *f, const struct hut_file_stat *host);
/* The description ends: its node's dirty pages reach the host
 * (close-to-open), then it lets go. 1: its host handle stays (lent by the
 * node, or given to it): the caller must not close it. */
int hut_vcache_release(struct hut_file *f);
/* The node found for a name (volume_names.c): lent its read handle to f. */
void hut_vcache_attach(struct hut_file *f, struct hut_vnode *n);
/* Closes the node's read handle once no name and no description wants it. */
void hut_vcache_put_handle(struct hut_vnode *n);
/* Frees the node if nothing holds it any more. */
void hut_vcache_unhold(struct hut_vnode *n);
/* The host's stat of the node's file, as STAT or LSTAT said it. */
void hut_vcache_saw_stat(struct hut_vnode *n, const struct hut_file_stat *s);
/* cache=auto: a node seen anew on the host (another size or mtime): its
 * pages are dropped, unless it holds dirty ones (newer than the host). */
void hut_vcache_revalidate(struct hut_vnode *n, const struct hut_file_stat *s);
uint32_t hut_vcache_mode(const struct hut_mount *m);
/* The mount's stat generation: a change by path moves it. */
uint64_t hut_vcache_generation(const struct hut_mount *m);
void hut_vcache_changed(const struct hut_mount *m);
/* fstat from the node when its stat is valid: 0, else -1 (ask the host). */
int hut_vcache_fstat(struct hut_file *f, struct hut_file_stat *s);

/* Through the cache; -HUT_EUNCACHED when this operation must go to the
 * host as before (then hut_vcache_wrote keeps the pages true). */
#define HUT_EUNCACHED 1001
long hut_vcache_read(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t off);
long hut_vcache_write(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t off);
/* Before a write that goes to the host itself: what the cache holds back
 * reaches the host first (an append lands after it). */
long hut_vcache_before_host_write(struct hut_file *f);
/* After a write that went to the host: the cached pages take its bytes. */
void hut_vcache_wrote(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t off,
		      uint64_t n);

/* The node's dirty pages to the host (fsync, fdatasync, before a shared
 * mapping or an allocation): 0 or -errno. */
long hut_vcache_flush(struct hut_file *f);
/* Flushed and emptied: a shared mapping's window becomes the one copy. */
long hut_vcache_drop(struct hut_file *f);
/* The file is now size bytes long (a truncate the host has done). */
void hut_vcache_truncated(const struct hut_mount *m, uint64_t ino, uint64_t size);
/* Whether the mount's cache holds any node (a truncate by path then asks
 * the host for the inode). */
int hut_vcache_any(const struct hut_mount *m);
/* fstat: the guest's size and times over the host's while writes are
 * held back. */
void hut_vcache_stat(struct hut_file *f, struct stat *st);

/* volume_names.c: the paths opens found nodes by. */
void hut_vname_remember(const struct hut_mount *m, const char *rel, struct hut_vnode *n);
/* A change by path at rel (and under it): its names go, and with
 * stats_too every stat the volume's nodes keep is old. */
void hut_vname_forget(const struct hut_mount *m, const char *rel, int stats_too);
/* The node a read-only open of rel may read through, checked as the mode
 * says (cache=auto: one LSTAT); NULL: open on the host. */
struct hut_vnode *hut_vname_open(const struct hut_mount *m, const char *rel);
/* cache=always: lstat of a named path from its node: 0, -ENOENT for a
 * name known missing, else -1 (ask the host). */
int hut_vname_lstat(const struct hut_mount *m, const char *rel, struct hut_file_stat *s);
void hut_vname_missing(const struct hut_mount *m, const char *rel);
void hut_vname_saw_lstat(const struct hut_mount *m, const char *rel, const struct hut_file_stat *s);

/* volume_dirs.c: directory listings kept in the guest. f->priv2 of a
 * directory description that reads from the host itself. */
#define HUT_VDIR_HOST (1ull << 33)
/* A names change on the volume by the guest: listings are old. */
void hut_vdir_changed(const struct hut_mount *m);
/* An opened directory (host: OPEN's stat): its listing if still true. */
void hut_vdir_open(struct hut_file *f, const struct hut_file_stat *host);
/* From the listing; -HUT_EUNCACHED: ask the host as before. */
long hut_vdir_getdents(struct hut_file *f, void *buf, size_t len);
long hut_vdir_seek(struct hut_file *f, int64_t off, int whence);
void hut_vdir_release(struct hut_file *f);

#endif
