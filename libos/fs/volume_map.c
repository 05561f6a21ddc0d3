/*
 * Shared mappings of volume files: windows. A volume file's bytes live on
 * the host, so a shared mapping is a window, a run of guest pages holding a
 * copy of the file's [off, off + len), filled by one read when it is made.
 * Every shared mapping of those bytes, through any description of the same
 * host file (found by the volume and the host inode OPEN returned), gets
 * the same window, so mappings see each other at once. read and write of
 * the file in the guest stay coherent with it with no exit of their own: a
 * read from the host is overlaid with the window's bytes (the window holds
 * the newest stores), a write goes to the host and into the window, a
 * truncate zeroes what falls past the new end.
 *
 * The window reaches the host file (one exit for its size, one to write the
 * bytes below the end, never past it) on msync, on fsync or fdatasync of
 * the file, when its last mapping ends, and at the process's end; MS_SYNC
 * adds the host's fdatasync. Not on close: the mapping outlives the fd.
 * What a monitor killed before then loses is what Linux loses on a power
 * cut before writeback: stores not yet synced; what msync(MS_SYNC) or
 * fsync acknowledged is in the host file. A host process changing the file
 * meanwhile is not seen, and is overwritten by the next write-back.
 */
#include "vfs.h"
#include "volume_ring.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#define PAGE HUT_PAGE_SIZE

struct window {
	const struct hut_mount *mount;
	uint64_t ino;
	uint64_t off, len; /* the file's [off, off + len) */
	uint8_t *addr;
	uint32_t refs;	     /* mappings in it */
	struct hut_file *io; /* the description it is read and written back through */
	int writable;	     /* io can write: write-back happens */
	struct window *next;
};

static struct window *windows;

static int of_file(const struct window *w, const struct hut_mount *m, uint64_t ino)
{
	return w->mount == m && w->ino == ino;
}

static long host_io(struct hut_file *f, uint32_t op, void *buf, uint64_t len, uint64_t off)
{
	struct hut_iovec iov = {(uint64_t)buf, len};
	struct hut_hc_file hc = {.op = op,
				 .handle = (uint32_t)f->priv2,
				 .buf = (uint64_t)&iov,
				 .len = 1,
				 .offset = off};
	return hut_vfile_call(&hc);
}

static long host_size(struct hut_file *f, uint64_t *size)
{
	struct hut_hc_file hc = {.op = HUT_FILE_STAT, .handle = (uint32_t)f->priv2};
	long r = hut_vfile_call(&hc);
	*size = hc.stat.size;
	return r;
}

/* A write-back must not append (a host fd with O_APPEND writes at the end
 * whatever the offset), nor go through a description that cannot write. */
static int can_write_back(const struct hut_file *f)
{
	return (f->flags & O_ACCMODE) == O_RDWR && !(f->flags & O_APPEND);
}

/* The window's bytes [lo, hi) of the file, cut at its end, to the host. */
static long write_back(struct window *w, uint64_t lo, uint64_t hi)
{
	uint64_t size;
	if (!w->writable)
		return 0;
	long r = host_size(w->io, &size);
	if (r < 0)
		return r;
	for (hi = hi < size ? hi : size; lo < hi; lo += (uint64_t)r) {
		r = host_io(w->io, HUT_FILE_WRITE, w->addr + (lo - w->off), hi - lo, lo);
		if (r <= 0)
			return r < 0 ? r : -EIO;
	}
	return 0;
}

static long fill(struct window *w)
{
	for (uint64_t done = 0; done < w->len;) {
		long r =
			host_io(w->io, HUT_FILE_READ, w->addr + done, w->len - done, w->off + done);
		if (r < 0)
			return r;
		if (r == 0)
			break; /* past the end: zeros */
		done += (uint64_t)r;
	}
	return 0;
}

static void adopt_io(struct window *w, struct hut_file *f)
{
	if (w->writable || !can_write_back(f))
		return;
	hut_file_ref(f);
	hut_file_unref(w->io);
	w->io = f;
	w->writable = 1;
}

static long window_new(struct hut_file *f, uint64_t off, uint64_t len, uint64_t at)
{
	struct window *w = hut_kalloc(sizeof *w);
	if (!w)
		return -ENOMEM;
	uint8_t *addr = at ? (uint8_t *)at : hut_pages_alloc(len / PAGE);
	long r = at ? hut_anon_map(at, len, MAP_FIXED) : addr ? 0 : -ENOMEM;
	if (r < 0) {
		hut_kfree(w, sizeof *w);
		return r;
	}
	*w = (struct window){f->mount, f->ino, off, len, addr, 1, f, can_write_back(f), windows};
	if ((r = fill(w)) < 0) {
		hut_pages_free(addr, len / PAGE);
		hut_kfree(w, sizeof *w);
		return r;
	}
	hut_file_ref(f);
	windows = w;
	return (long)addr;
}

long hut_vmap_map(struct hut_file *f, uint64_t off, uint64_t len, uint64_t at)
{
	if (off + len < off)
		return -EOVERFLOW;
	for (struct window *w = windows; w; w = w->next) {
		if (!of_file(w, f->mount, f->ino) || off >= w->off + w->len || w->off >= off + len)
			continue;
		uint8_t *addr = w->addr + (off - w->off);
		if (off < w->off || off + len > w->off + w->len || (at && at != (uint64_t)addr))
			return -ENOMEM; /* those bytes are mapped elsewhere, another extent */
		w->refs++;
		adopt_io(w, f);
		return (long)addr;
	}
	return window_new(f, off, len, at);
}

void hut_vmap_unmap(struct hut_file *f, uint64_t off, uint64_t len)
{
	for (struct window **pw = &windows; *pw; pw = &(*pw)->next) {
		struct window *w = *pw;
		if (!of_file(w, f->mount, f->ino) || off < w->off || off + len > w->off + w->len)
			continue;
		if (--w->refs > 0)
			return;
		write_back(w, w->off,
			   w->off +
				   w->len); /* an error has no one to go to, as Linux's writeback */
		*pw = w->next;
		hut_pages_free(w->addr, w->len / PAGE);
		hut_file_unref(w->io);
		hut_kfree(w, sizeof *w);
		return;
	}
}

long hut_vmap_sync(struct hut_file *f, uint64_t off, uint64_t len, int sync)
{
	uint64_t end = off + len < off ? UINT64_MAX : off + len;
	for (struct window *w = windows; w; w = w->next) {
		uint64_t lo = off > w->off ? off : w->off;
		uint64_t hi = end < w->off + w->len ? end : w->off + w->len;
		if (!of_file(w, f->mount, f->ino) || lo >= hi)
			continue;
		long r = write_back(w, lo, hi);
		if (r == 0 && sync && w->writable) {
			struct hut_hc_file hc = {
				.op = HUT_FILE_SYNC, .handle = (uint32_t)w->io->priv2, .flags = 1};
			r = hut_vfile_call(&hc);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* Moves the window's part of the file's [off, off + n) between it and the
 * app's iovecs: out after a read (the window is newer than the host), in
 * after a write. */
static void overlay(const struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t off,
		    uint64_t n, int out)
{
	for (struct window *w = windows; w; w = w->next) {
		uint64_t lo = off > w->off ? off : w->off;
		uint64_t hi = off + n < w->off + w->len ? off + n : w->off + w->len;
		if (!of_file(w, f->mount, f->ino) || lo >= hi)
			continue;
		if (out)
			hut_iov_copy_out(iov, iovcnt, lo - off, w->addr + (lo - w->off), hi - lo);
		else
			hut_iov_copy_in(iov, iovcnt, lo - off, w->addr + (lo - w->off), hi - lo);
	}
}

void hut_vmap_after_read(const struct hut_file *f, const struct hut_iovec *iov, int iovcnt,
			 uint64_t off, uint64_t n)
{
	if (windows)
		overlay(f, iov, iovcnt, off, n, 1);
}

void hut_vmap_after_write(const struct hut_file *f, const struct hut_iovec *iov, int iovcnt,
			  uint64_t off, uint64_t n)
{
	if (windows)
		overlay(f, iov, iovcnt, off, n, 0);
}

int hut_vmap_any(void)
{
	return windows != NULL;
}

int hut_vmap_of(const struct hut_mount *m, uint64_t ino)
{
	for (const struct window *w = windows; w; w = w->next)
		if (of_file(w, m, ino))
			return 1;
	return 0;
}

/* The file is now size bytes long: what the windows hold past it is gone,
 * and reads as zeros if the file grows again (Linux would raise SIGBUS on
 * a touch past the end; that cannot be had here). */
void hut_vmap_truncated(const struct hut_mount *m, uint64_t ino, uint64_t size)
{
	for (struct window *w = windows; w; w = w->next) {
		if (!of_file(w, m, ino) || size >= w->off + w->len)
			continue;
		uint64_t from = size > w->off ? size : w->off;
		hut_memset(w->addr + (from - w->off), 0, w->off + w->len - from);
	}
}
