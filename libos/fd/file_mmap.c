/*
 * mmap of a file.
 *
 * A private mapping (and a shared one of a file that cannot share its
 * pages: the image's files) is anonymous pages filled with the file's bytes
 * from off, zeros past the end; a shared writable mapping of such a file is
 * refused with ENODEV and one warning. /dev/zero maps anonymous memory;
 * what Linux cannot map (pipes, sockets, other devices) is ENODEV.
 *
 * A shared mapping of a file whose kind has map_shared (tmpfs, volumes) is
 * the file's own pages: the libos's page tables are the monitor's identity
 * map, so an address IS a frame, and every shared mapping of the same bytes
 * of a file gets the same address; that is what makes two mappings, and the
 * mapping and read/write of the file, see each other at once. The kind says
 * where those pages are (tmpfs_data.c: the file's pages themselves; volume.c:
 * a window of the host file, written back). Each mapping is one entry here,
 * holding a reference to the description, so that close of the fd keeps the
 * mapping valid; munmap ends entries (the pages stay the file's), msync and
 * the process's end write them back.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#define PAGE HUT_PAGE_SIZE

struct shared_map {
	uint64_t addr, len, off; /* [addr, addr + len) holds the file's [off, off + len) */
	struct hut_file *file;	 /* one reference */
	struct shared_map *next;
};

static struct shared_map *maps;

static void warn_once(int *warned, const char *what)
{
	if (!*warned) {
		*warned = 1;
		hut_console_print(2, what);
	}
}

/* Copies the file's bytes at off into the fresh mapping, as read would. */
static long fill(struct hut_file *f, uint64_t addr, uint64_t len, uint64_t off)
{
	while (len > 0) {
		struct hut_iovec iov = {addr, len};
		uint64_t at = off;
		long r = f->ops->read(f, &iov, 1, &at);
		if (r < 0)
			return r;
		if (r == 0)
			break; /* past the end: the pages are zero already */
		addr += (uint64_t)r, len -= (uint64_t)r, off += (uint64_t)r;
	}
	return 0;
}

static long map_copy(struct hut_file *f, uint64_t addr, uint64_t len, long flags, long off)
{
	long map = hut_anon_map(addr, len, flags);
	if (map < 0)
		return map;
	long r = fill(f, (uint64_t)map, len, (uint64_t)off);
	if (r < 0) {
		hut_pages_free((void *)map, len / PAGE);
		return r;
	}
	return map;
}

/* At the process's end every shared mapping's stores reach the file, as
 * Linux's page cache would write them later. */
static void write_back_all(void *unused)
{
	(void)unused;
	for (struct shared_map *m = maps; m; m = m->next)
		m->file->ops->sync_shared(m->file, m->off, m->len, 0);
}

static struct shared_map *entry_new(struct hut_file *f, uint64_t addr, uint64_t len, uint64_t off)
{
	static int hooked;
	struct shared_map *m = hut_kalloc(sizeof *m);
	if (!m)
		return NULL;
	if (!hooked) {
		hooked = 1;
		hut_at_process_exit(write_back_all);
	}
	*m = (struct shared_map){addr, len, off, f, maps};
	hut_file_ref(f);
	maps = m;
	return m;
}

static void entry_free(struct shared_map *m)
{
	struct shared_map **p = &maps;
	while (*p != m)
		p = &(*p)->next;
	*p = m->next;
	hut_file_unref(m->file);
	hut_kfree(m, sizeof *m);
}

/* Every shared mapping of a file's bytes is at one address (the file
 * header's rule); one the file cannot place there fails with ENOMEM, or,
 * read-only, becomes a copy (what every shared mapping was before). */
static long map_shared(struct hut_file *f, uint64_t addr, uint64_t len, long prot, long flags,
		       long off)
{
	static int warned, warned_copy;
	uint64_t at = 0;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr & (PAGE - 1))
			return -EINVAL;
		long r = (flags & MAP_FIXED) ? hut_file_munmap(addr, len)
					     : hut_anon_map(addr, len, MAP_FIXED_NOREPLACE);
		if (r < 0)
			return r;
		at = addr;
	}
	long r = f->ops->map_shared(f, (uint64_t)off, len, at);
	if (r == -ENOMEM && !(prot & PROT_WRITE)) {
		warn_once(&warned_copy,
			  "hut: warning: a read-only shared file mapping overlaps another "
			  "of the same file with another extent: it is a copy, which later "
			  "changes to the file do not reach\n");
		return map_copy(f, addr, len, flags, off);
	}
	if (r == -ENOMEM)
		warn_once(&warned,
			  "hut: warning: a shared file mapping cannot be placed (its pages "
			  "are mapped elsewhere with another extent, or memory is short), "
			  "returning -ENOMEM\n");
	if (r < 0)
		return r;
	if (!entry_new(f, (uint64_t)r, len, (uint64_t)off)) {
		f->ops->unmap_shared(f, (uint64_t)off, len);
		return -ENOMEM;
	}
	return r;
}

/* /dev/zero, the one device Linux maps: char 1:5, found by what it is. */
static int is_dev_zero(struct hut_file *f)
{
	struct stat st;
	return f->ops->stat && f->ops->stat(f, &st) == 0 && S_ISCHR(st.st_mode) &&
	       st.st_rdev == ((1 << 8) | 5);
}

long hut_file_mmap(uint64_t addr, uint64_t len, long prot, long flags, long fd, long off)
{
	static int warned;
	struct hut_file *f = hut_fd_file(fd);
	int type = (int)(flags & MAP_TYPE);
	if (!f || (f->kind & HUT_KIND_PATH))
		return -EBADF;
	if (off < 0 || (off & (long)(PAGE - 1)))
		return -EINVAL;
	if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (type != MAP_PRIVATE && (prot & PROT_WRITE) && (f->flags & O_ACCMODE) != O_RDWR)
		return -EACCES;
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EACCES;
	if ((f->kind & HUT_KIND_DIR) || !f->ops->read)
		return -ENODEV;
	/* Pipes, sockets, eventfds, the console and devices have no mmap in
	 * Linux, but /dev/zero, whose mappings are anonymous memory (shared or
	 * not: an appliance is one process). */
	if (!(f->kind & HUT_KIND_SEEKABLE) && !f->ops->map_shared)
		return is_dev_zero(f) ? hut_anon_map(addr, len, flags) : -ENODEV;
	if (type != MAP_PRIVATE && f->ops->map_shared)
		return map_shared(f, addr, len, prot, flags, off);
	if (type != MAP_PRIVATE && (prot & PROT_WRITE)) {
		warn_once(&warned, "hut: warning: mmap of this file with MAP_SHARED and PROT_WRITE "
				   "is not supported, returning -ENODEV\n");
		return -ENODEV;
	}
	return map_copy(f, addr, len, flags, off);
}

static uint64_t map_end(const struct shared_map *m)
{
	return m->addr + m->len;
}

/* The lowest address >= pos below end that some shared mapping covers, or
 * end; and where the covered stretch starting there ends. */
static uint64_t next_covered(uint64_t pos, uint64_t end, uint64_t *covered_end)
{
	uint64_t first = end;
	for (struct shared_map *m = maps; m; m = m->next)
		if (map_end(m) > pos && m->addr < end && (m->addr > pos ? m->addr : pos) < first)
			first = m->addr > pos ? m->addr : pos;
	uint64_t stop = first;
	for (int grew = 1; grew;) {
		grew = 0;
		for (struct shared_map *m = maps; m; m = m->next)
			if (m->addr <= stop && map_end(m) > stop)
				stop = map_end(m), grew = 1;
	}
	*covered_end = stop < end ? stop : end;
	return first;
}

/* Calls op on each stretch of [addr, end) no shared mapping covers. */
static long for_gaps(uint64_t addr, uint64_t end, long (*op)(uint64_t, uint64_t, long), long arg)
{
	for (uint64_t pos = addr; pos < end;) {
		uint64_t stop, first = next_covered(pos, end, &stop);
		if (first > pos) {
			long r = op(pos, first - pos, arg);
			if (r < 0)
				return r;
		}
		pos = first < end ? stop : end;
	}
	return 0;
}

/* A piece of m that stays mapped: one more map_shared of the file's bytes
 * there (they are at that address already, so the kind finds them). */
static int keep_piece(struct shared_map *m, uint64_t addr, uint64_t len)
{
	struct hut_file *f = m->file;
	uint64_t off = m->off + (addr - m->addr);
	if (f->ops->map_shared(f, off, len, 0) != (long)addr)
		return -1;
	if (!entry_new(f, addr, len, off)) {
		f->ops->unmap_shared(f, off, len);
		return -1;
	}
	return 0;
}

/* Ends m over [lo, hi) (inside it): the pieces left become entries of their
 * own, then m's own hold on the file's pages goes. */
static void cut(struct shared_map *m, uint64_t lo, uint64_t hi)
{
	if ((lo > m->addr && keep_piece(m, m->addr, lo - m->addr)) ||
	    (hi < map_end(m) && keep_piece(m, hi, map_end(m) - hi)))
		return; /* no memory for the piece's entry: m stays whole */
	m->file->ops->unmap_shared(m->file, m->off, m->len);
	entry_free(m);
}

static long unmap_gap(uint64_t addr, uint64_t len, long unused)
{
	(void)unused;
	return hut_unmap(addr, len);
}

/* munmap: anonymous pages in the range are freed; each stretch of shared
 * mappings loses one mapping (two mappings of the same bytes share one
 * address, and one munmap ends one of them). */
long hut_file_munmap(uint64_t addr, uint64_t len)
{
	uint64_t end = addr + ((len + PAGE - 1) & ~(PAGE - 1));
	if ((addr & (PAGE - 1)) || len == 0 || end < addr)
		return -EINVAL;
	long r = for_gaps(addr, end, unmap_gap, 0);
	if (r < 0)
		return r;
	enum { CUTS = 16 };
	uint64_t done_lo[CUTS], done_hi[CUTS];
	int done = 0;
	for (struct shared_map *m = maps, *next; m && done < CUTS; m = next) {
		next = m->next;
		uint64_t lo = m->addr > addr ? m->addr : addr;
		uint64_t hi = map_end(m) < end ? map_end(m) : end;
		int overlaps = lo >= hi;
		for (int i = 0; i < done && !overlaps; i++)
			overlaps = lo < done_hi[i] && done_lo[i] < hi;
		if (overlaps)
			continue;
		done_lo[done] = lo, done_hi[done] = hi, done++;
		cut(m, lo, hi);
		next = maps; /* cut may have added entries: start over, skipping what is done */
	}
	return 0;
}

static long advise_gap(uint64_t addr, uint64_t len, long advice)
{
	return hut_advise(addr, len, advice);
}

/* MADV_DONTNEED on a shared file mapping drops nothing: Linux reads the
 * file's bytes back, which are the very pages. */
long hut_file_madvise(uint64_t addr, uint64_t len, long advice)
{
	uint64_t end = addr + ((len + PAGE - 1) & ~(PAGE - 1));
	if ((addr & (PAGE - 1)) || end < addr)
		return -EINVAL;
	if (advice != MADV_DONTNEED || !maps)
		return hut_advise(addr, len, advice);
	return for_gaps(addr, end, advise_gap, advice);
}

static long mapped_gap(uint64_t addr, uint64_t len, long unused)
{
	(void)unused;
	return hut_mem_in_use(addr, len) ? 0 : -ENOMEM;
}

/* msync: MS_SYNC and MS_ASYNC write the shared mappings' stores back to
 * their files (MS_SYNC durably, as Linux's fsync of the range; MS_ASYNC
 * without waiting for the disk, so that the host sees them); MS_INVALIDATE
 * has nothing to do: every mapping of a file is coherent already. */
long hut_file_msync(uint64_t addr, uint64_t len, long flags)
{
	uint64_t end = addr + ((len + PAGE - 1) & ~(PAGE - 1));
	if ((flags & ~(long)(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)) || (addr & (PAGE - 1)))
		return -EINVAL;
	if (end < addr || for_gaps(addr, end, mapped_gap, 0) < 0)
		return -ENOMEM;
	if (!(flags & (MS_ASYNC | MS_SYNC)))
		return 0;
	for (struct shared_map *m = maps; m; m = m->next) {
		uint64_t lo = m->addr > addr ? m->addr : addr;
		uint64_t hi = map_end(m) < end ? map_end(m) : end;
		if (lo >= hi)
			continue;
		long r = m->file->ops->sync_shared(m->file, m->off + (lo - m->addr), hi - lo,
						   (flags & MS_SYNC) != 0);
		if (r < 0)
			return r;
	}
	return 0;
}
