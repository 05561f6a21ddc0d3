/*
 * size=: the most a volume may hold on the host, counted as the host file
 * system counts it: the blocks really allocated (st_blocks * 512) to the
 * files, directories and symlinks beneath it, so a sparse file costs what
 * it holds and an fallocate what it reserves.
 *
 * Why a running count: asking the host file system (a walk, or st_blocks
 * of everything) at each write would cost O(files) per write; quotas need
 * privilege and a file system set up for them. So the tree is walked once,
 * when the volume is opened, and from then on the monitor counts what it
 * does itself: every operation it serves that can allocate or free blocks
 * is measured with fstat before and after (a write, fallocate, truncate,
 * O_TRUNC, a create, mkdir, symlink, link, rename over a file, unlink, the
 * last close of a removed file). That is exact for what the guest does, at
 * one or two fstat per write on a limited volume and nothing on others.
 * What the host changes in the tree meanwhile is not seen.
 *
 * The checks come before the host call, never after: a write is cut to
 * what fits (a short write, as Linux makes one at ENOSPC; none fits:
 * ENOSPC), and an fallocate or a growing truncate that cannot fit is
 * ENOSPC before the host file system allocates anything. What a write
 * may allocate is bounded by the blocks it spans that are not allocated
 * yet: a file with no holes has them all below its size, others are
 * asked with SEEK_DATA/SEEK_HOLE. A file system's own bookkeeping for a
 * write (an extent block) can pass the limit by a block now and then.
 */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ALLOCATED(st) ((uint64_t)(st)->st_blocks * 512)
#define MAX_EXTENTS 64 /* SEEK_DATA/SEEK_HOLE steps before assuming the rest is a hole */

bool hut_size_limited(uint32_t v)
{
	return hut_files.volumes[v].size != 0 && !hut_files.volumes[v].ro;
}

uint64_t hut_size_room(uint32_t v)
{
	uint64_t limit = hut_files.volumes[v].size, used = hut_files.volume_used[v];
	return used < limit ? limit - used : 0;
}

void hut_size_changed(uint32_t v, uint64_t before, uint64_t after)
{
	uint64_t *used = &hut_files.volume_used[v];
	if (after >= before)
		*used += after - before;
	else
		*used -= before - after < *used ? before - after : *used;
}

uint64_t hut_size_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? ALLOCATED(&st) : 0;
}

uint64_t hut_size_of_at(int dir, const char *name)
{
	struct stat st;
	return fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? ALLOCATED(&st) : 0;
}

/* --- measuring the tree once ---------------------------------------------- */

static uint64_t walked;

/* A file with hard links counts a share per link: whole once all of its
 * links lie in the volume, and removing one link then frees nothing. */
static int count_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path, (void)ftw;
	if (type == FTW_NS)
		return 0;
	uint64_t links = !S_ISDIR(st->st_mode) && st->st_nlink > 1 ? st->st_nlink : 1;
	walked += (ALLOCATED(st) + links - 1) / links;
	return 0;
}

/* nftw keeps at most 16 directories open and stops at PATH_MAX: a walk
 * bounded in fds and depth, once per volume, before the guest starts. */
void hut_size_measure(struct hut_vm *vm, uint32_t v)
{
	const struct hut_volume *vol = &hut_files.volumes[v];
	walked = 0;
	if (nftw(vol->host, count_one, 16, FTW_PHYS) != 0)
		hut_fail(vm, HUT_EXIT_MONITOR, "--volume %s:%s: cannot measure %s for size= (%s)",
			 vol->host, vol->guest, vol->host, strerror(errno));
	hut_files.volume_used[v] = walked;
}

/* --- what an operation may allocate ---------------------------------------- */

static uint64_t block_of(const struct stat *st)
{
	return st->st_blksize >= 512 && st->st_blksize <= (1 << 20) ? (uint64_t)st->st_blksize
								    : 4096;
}

static uint64_t round_up(uint64_t n, uint64_t b)
{
	return (n + b - 1) / b * b;
}

/* Where a file with no holes ends its allocation; 0 for one with holes. */
static uint64_t dense_end(const struct stat *st, uint64_t bs)
{
	uint64_t end = round_up((uint64_t)st->st_size, bs);
	return ALLOCATED(st) >= end ? end : 0;
}

/* Bytes of [from, to) that are holes in fd's file. An unwritten extent
 * may show as a hole: counted as new, which errs towards the limit. */
static uint64_t hole_bytes(int fd, uint64_t from, uint64_t to)
{
	uint64_t holes = 0, at = from;
	for (int i = 0; i < MAX_EXTENTS && at < to; i++) {
		off_t data = lseek(fd, (off_t)at, SEEK_DATA);
		if (data < 0 || (uint64_t)data >= to)
			return holes + (to - at); /* ENXIO: no data past at */
		holes += (uint64_t)data - at;
		off_t hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0)
			return holes + (to - (uint64_t)data);
		at = (uint64_t)hole;
	}
	return at < to ? holes + (to - at) : holes;
}

/* At most how many bytes writing the blocks [start, end) allocates. */
static uint64_t new_bytes(int fd, const struct stat *st, uint64_t start, uint64_t end)
{
	uint64_t dense = dense_end(st, block_of(st));
	if (dense || st->st_size == 0)
		return end > (start > dense ? start : dense) ? end - (start > dense ? start : dense)
							     : 0;
	return hole_bytes(fd, start, end);
}

uint64_t hut_size_write_fits(uint32_t v, int fd, const struct stat *st, uint64_t at, uint64_t n)
{
	uint64_t room = hut_size_room(v), bs = block_of(st);
	uint64_t start = at / bs * bs, end = round_up(at + n, bs);
	if (n == 0 || end - start <= room || new_bytes(fd, st, start, end) <= room)
		return n;
	/* Part of it: from where allocation starts (past a dense file's end),
	 * as many whole blocks as there is room for. */
	uint64_t dense = dense_end(st, bs), base = start > dense ? start : dense;
	uint64_t fit_end = base + room / bs * bs;
	return fit_end > at ? (fit_end - at < n ? fit_end - at : n) : 0;
}

int64_t hut_size_allocate_fits(uint32_t v, int fd, const struct stat *st, uint64_t off,
			       uint64_t len)
{
	uint64_t room = hut_size_room(v), bs = block_of(st);
	uint64_t start = off / bs * bs, end = round_up(off + len, bs);
	return end - start <= room || new_bytes(fd, st, start, end) <= room ? 0 : -ENOSPC;
}

/* A file grown by truncate takes no blocks, but it may not grow past what
 * the volume could then hold: as on a file system without holes. */
int64_t hut_size_grow_fits(uint32_t v, const struct stat *st, uint64_t size)
{
	uint64_t bs = block_of(st), old = round_up((uint64_t)st->st_size, bs);
	if (size <= (uint64_t)st->st_size || round_up(size, bs) - old <= hut_size_room(v))
		return 0;
	return -ENOSPC;
}

/* --- removing --------------------------------------------------------------- */

static bool open_by_guest(const struct stat *st, int except)
{
	for (int h = 0; h < HUT_FILE_HANDLES_MAX; h++)
		if (hut_files.handles[h].used && h != except &&
		    hut_files.handles[h].ino == st->st_ino &&
		    hut_files.handles[h].dev == st->st_dev)
			return true;
	return false;
}

/* A name about to go: its blocks are freed if it is the last link (a
 * directory: empty) and no handle holds it, else at the last close. */
uint64_t hut_size_freed(int dir, const char *name)
{
	struct stat st;
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return 0;
	if ((!S_ISDIR(st.st_mode) && st.st_nlink > 1) || open_by_guest(&st, -1))
		return 0;
	return ALLOCATED(&st);
}

/* Handle h is closing: a removed file it was the last to hold frees now. */
void hut_size_closing(uint32_t h)
{
	struct stat st;
	uint32_t v = hut_files.handles[h].volume;
	if (!hut_size_limited(v) || fstat(hut_files.handles[h].fd, &st) != 0)
		return;
	if (st.st_nlink == 0 && !open_by_guest(&st, (int)h))
		hut_size_changed(v, ALLOCATED(&st), 0);
}
