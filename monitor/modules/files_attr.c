/*
 * Attributes by path (HUT_FILE_SETATTR): size, mode, owner and times, in
 * that order, each on the file the path names (an O_PATH fd never
 * following the last component; a symlink only where Linux changes one).
 * What owner= lets the host file have is owner.c's; size='s checks and
 * counting are volume_size.c's, and FSETATTR's truncate (files.c) shares
 * them through hut_file_truncate. A :ro volume: EROFS, after ELOOP.
 */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static int64_t done(int64_t r, int fd)
{
	close(fd);
	return r;
}

static int64_t set_mode(uint32_t v, const char *path, int fd, uint32_t mode)
{
	if (syscall(SYS_fchmodat2, fd, "", mode & 07777, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
		return -errno;
	int rfd = hut_volume_reopen(v, path);
	if (rfd < 0)
		return rfd;
	return done(fchmod(rfd, mode & 07777) ? -errno : 0, rfd);
}

static int64_t set_times(uint32_t v, const char *path, int fd, const struct timespec ts[2])
{
	if (utimensat(fd, "", ts, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOENT && errno != EBADF)
		return -errno;
	int rfd = hut_volume_reopen(v, path);
	if (rfd < 0)
		return rfd;
	return done(futimens(rfd, ts) ? -errno : 0, rfd);
}

/* A truncate on a writable fd, where size= checks growth first and
 * counts what it freed or took (files.c's FSETATTR too). */
int64_t hut_file_truncate(uint32_t v, int fd, uint64_t size)
{
	struct stat st;
	int64_t r;
	if (size > INT64_MAX)
		return -EINVAL;
	if (!hut_size_limited(v))
		return ftruncate(fd, (off_t)size) ? -errno : 0;
	if (fstat(fd, &st) != 0)
		return -errno;
	if ((r = hut_size_grow_fits(v, &st, size)) != 0)
		return r;
	r = ftruncate(fd, (off_t)size) ? -errno : 0;
	hut_size_changed(v, (uint64_t)st.st_blocks * 512, hut_size_of(fd));
	return r;
}

/* Truncating by path writes the file: no set-ID bits stay (owner.c). */
static int64_t set_size(uint32_t v, const char *path, const struct stat *st, uint64_t size)
{
	if (size > INT64_MAX)
		return -EINVAL;
	int wfd = hut_volume_open_at(v, path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK, 0);
	if (wfd < 0)
		return wfd;
	int64_t r = hut_owner_strip(v, wfd, st->st_mode);
	return done(r ? r : hut_file_truncate(v, wfd, size), wfd);
}

/* owner=mapped: what the host file cannot carry of a chmod or chown goes
 * to its xattr, through a readable fd. A file an unprivileged monitor
 * cannot read (mode 0) does not keep it. */
static int64_t keep_owner(const struct hut_hc_file *hc, const char *path, const struct stat *st)
{
	if (!hut_owner_mapped(hc->volume) ||
	    !(hc->flags & (HUT_FILE_ATTR_MODE | HUT_FILE_ATTR_OWNER)) ||
	    !(S_ISREG(st->st_mode) || S_ISDIR(st->st_mode)))
		return 0;
	int rfd = hut_volume_reopen(hc->volume, path);
	if (rfd < 0)
		return rfd == -EACCES ? 0 : rfd;
	return done(hut_owner_set(hc->volume, rfd, hc), rfd);
}

/* Only owner=passthrough changes the host file's owner. */
static int64_t set_owner(const struct hut_hc_file *hc, int fd)
{
	if (hut_owner_mapped(hc->volume))
		return 0;
	return fchownat(fd, "", hc->uid, hc->gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) ? -errno : 0;
}

static int64_t apply_attr(const struct hut_hc_file *hc, const char *path, int fd,
			  const struct stat *st)
{
	int64_t r = 0;
	uint32_t v = hc->volume;
	struct timespec ts[2] = {{hc->atime_sec, hc->atime_nsec}, {hc->mtime_sec, hc->mtime_nsec}};
	if (hc->flags & HUT_FILE_ATTR_SIZE)
		r = S_ISDIR(st->st_mode)    ? -EISDIR
		    : !S_ISREG(st->st_mode) ? -EINVAL
					    : set_size(v, path, st, hc->offset);
	if (r == 0 && (hc->flags & HUT_FILE_ATTR_MODE))
		r = S_ISLNK(st->st_mode) ? -EOPNOTSUPP
					 : set_mode(v, path, fd, hut_owner_host_mode(v, hc->mode));
	if (r == 0 && (hc->flags & HUT_FILE_ATTR_OWNER))
		r = set_owner(hc, fd);
	if (r == 0)
		r = keep_owner(hc, path, st);
	if (r == 0 && (hc->flags & HUT_FILE_ATTR_TIMES))
		r = set_times(v, path, fd, ts);
	return r;
}

int64_t hut_file_setattr(const struct hut_hc_file *hc, struct hut_guest_path *p)
{
	struct stat st;
	int fd = hut_volume_open_at(hc->volume, p->s, O_PATH | O_NOFOLLOW, 0);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) != 0)
		return done(-errno, fd);
	if ((hc->flags & HUT_FILE_ATTR_NOLINK) && S_ISLNK(st.st_mode))
		return done(-ELOOP, fd);
	if (hut_files.volumes[hc->volume].ro)
		return done(-EROFS, fd);
	return done(apply_attr(hc, p->s, fd, &st), fd);
}
