/*
 * The volume page cache (volume_cache.c): volume file data kept in guest
 * pages, so that reads of cached bytes and most writes cost no exit. One
 * node per host file (the volume and the host inode), shared by every
 * description of it; volume.c calls it from its file ops.
 */
#ifndef HUT_VOLUME_CACHE_H
#define HUT_VOLUME_CACHE_H

#include "vfs.h"

struct hut_vnode;

/* The volume's cache= mode, from its boot flags (HUT_VOLUME_CACHE_*). */
void hut_vcache_volume(uint32_t volume, uint32_t flags);

/* An open of a regular file: its node, revalidated against the host's
 * stat (cache=auto) or trusted (cache=always); NULL: not cached (cache=none,
 * O_DIRECT, no memory). Sets f->priv. */
struct hut_vnode *hut_vcache_open(struct hut_file *f, const struct hut_file_stat *host);
/* The description ends: its node's dirty pages reach the host if it is
 * the one they go back through (close-to-open), then it lets go. */
void hut_vcache_release(struct hut_file *f);

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

#endif
