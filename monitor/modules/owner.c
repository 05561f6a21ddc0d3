/*
 * Owners and set-ID bits on volumes. The appliance is root in its own box:
 * its chown and chmod succeed and it sees what it set. Nothing it does may
 * become privilege on the host: no file the monitor creates or changes is
 * left set-user-ID or set-group-ID there, and none gets an owner other
 * than whoever the monitor runs as (a file the monitor creates is the
 * monitor's user's, as any file it makes).
 *
 * owner=mapped (the default) does what 9p's security_model=mapped-xattr
 * and virtiofsd's kill_priv handling do between them: the host file gets
 * only the safe bits (permissions and sticky, never S_ISUID or S_ISGID;
 * its owner never changes), and what the host file cannot carry is kept
 * in the xattr user.hut.stat, "MODE UID GID" (the set-ID bits in octal,
 * the guest's owner), which the guest's stat shows on top of the host's
 * (trusted.hut.stat where the file system has no user xattrs).
 * Why mapped and not "refuse chown": programs running as root do chown
 * (package scripts, tar, install -o) and check owners and modes (sshd's
 * StrictModes, databases' data directories); refusing would break them,
 * and pretending without keeping would make their checks fail later. The
 * xattr is written only when the guest's view differs from the host file
 * (most files carry none) and read with one getxattr per stat: by name
 * under the directory the path's stat opens anyway (getxattrat, Linux
 * 6.13), or, before that kernel, through a readable fd opened for it.
 *
 * A file the host placed in the volume set-ID loses the bits the moment
 * the guest opens it for writing (Linux's kill_priv does so at a write by
 * anyone without CAP_FSETID; here the host side always does). A symlink or a file on a
 * file system without user xattrs cannot keep a guest's owner or set-ID
 * bits (nor can an unprivileged monitor on a file system without user
 * xattrs): the change is accepted and not kept, as vfat's `quiet` does.
 *
 * owner=passthrough is the opt-in to the host file getting what the guest
 * asks as it is: chown and set-ID bits reach the host as they would for a
 * process of the monitor's user (root: anything).
 */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#define SET_ID (S_ISUID | S_ISGID)

#ifndef SYS_getxattrat
#define SYS_getxattrat 464 /* Linux 6.13 */
#endif
struct xattr_args { /* linux/xattr.h's, which older headers lack */
	uint64_t value;
	uint32_t size;
	uint32_t flags;
};

/* user.hut.stat; on a volume whose file system keeps no user xattrs (tmpfs
 * before Linux 6.6), trusted.hut.stat: a root monitor may write it there,
 * and no one but root can read or forge it. */
static const char *const xattr_name[2] = {"user.hut.stat", "trusted.hut.stat"};
static uint8_t trusted[HUT_VOLUMES_MAX]; /* 1 once the volume refused a user xattr */

static ssize_t get_once(int fd, const char *name, const char *xname, char *buf, size_t len)
{
	struct xattr_args args = {(uint64_t)(uintptr_t)buf, (uint32_t)len, 0};
	if (name)
		return syscall(SYS_getxattrat, fd, name, AT_SYMLINK_NOFOLLOW, xname, &args,
			       sizeof args);
	return fgetxattr(fd, xname, buf, len);
}

/* The view's xattr of fd's file (name NULL) or of dir fd's entry name. */
static ssize_t get(uint32_t v, int fd, const char *name, char *buf, size_t len)
{
	ssize_t n = get_once(fd, name, xattr_name[trusted[v]], buf, len);
	if (n < 0 && errno == EOPNOTSUPP && !trusted[v]) {
		trusted[v] = 1;
		n = get_once(fd, name, xattr_name[1], buf, len);
	}
	return n;
}

static int put_once(int fd, const char *xname, const char *buf, int n, bool plain)
{
	return plain ? fremovexattr(fd, xname) : fsetxattr(fd, xname, buf, (size_t)n, 0);
}

/* Sets the view's xattr, or removes it when the host file says it all. */
static int put(uint32_t v, int fd, const char *buf, int n, bool plain)
{
	int r = put_once(fd, xattr_name[trusted[v]], buf, n, plain);
	if (r != 0 && errno == EOPNOTSUPP && !trusted[v]) {
		trusted[v] = 1;
		r = put_once(fd, xattr_name[1], buf, n, plain);
	}
	return r;
}

/* The guest's view of what the host file cannot carry. */
struct view {
	uint32_t set_id, uid, gid;
};

bool hut_owner_mapped(uint32_t v)
{
	return hut_files.volumes[v].owner == HUT_OWNER_MAPPED;
}

uint32_t hut_owner_host_mode(uint32_t v, uint32_t mode)
{
	return mode & (hut_owner_mapped(v) ? 07777 & ~SET_ID : 07777);
}

/* "MODE UID GID" exactly (the xattr is the host's, so it is checked too). */
static bool parse_view(const char *s, struct view *out)
{
	char *end;
	unsigned long n[3];
	for (int i = 0; i < 3; i++) {
		if (*s < '0' || *s > '9')
			return false;
		n[i] = strtoul(s, &end, i ? 10 : 8);
		if (n[i] > UINT32_MAX || *end != (i < 2 ? ' ' : 0))
			return false;
		s = end + (i < 2);
	}
	*out = (struct view){(uint32_t)n[0] & SET_ID, (uint32_t)n[1], (uint32_t)n[2]};
	return true;
}

/* The view fd's file carries (name NULL), or dir fd's name (one component,
 * not followed), or the host's own. -ENOSYS: no getxattrat here. */
static int view_of(uint32_t v, int fd, const char *name, const struct stat *st, struct view *out)
{
	char buf[48];
	ssize_t n = get(v, fd, name, buf, sizeof buf - 1);
	*out = (struct view){0, st->st_uid, st->st_gid};
	if (n < 0 && errno == ENOSYS)
		return -ENOSYS;
	if (n > 0) {
		buf[n] = 0;
		parse_view(buf, out);
	}
	return 0;
}

static int view_over(uint32_t v, int fd, const char *name, struct hut_file_stat *out)
{
	struct stat st = {.st_uid = out->uid, .st_gid = out->gid};
	struct view view;
	if (!hut_owner_mapped(v) || !(S_ISREG(out->mode) || S_ISDIR(out->mode)))
		return 0;
	if (view_of(v, fd, name, &st, &view) != 0)
		return -ENOSYS;
	out->mode |= view.set_id;
	out->uid = view.uid;
	out->gid = view.gid;
	return 0;
}

void hut_owner_view(uint32_t v, int fd, struct hut_file_stat *out)
{
	view_over(v, fd, NULL, out);
}

/* Once getxattrat is known to be missing, it is not asked again. */
int hut_owner_view_at(uint32_t v, int dir, const char *name, struct hut_file_stat *out)
{
	static bool missing;
	if (!missing && view_over(v, dir, name, out) == -ENOSYS)
		missing = true;
	return missing ? -ENOSYS : 0;
}

/* Writes (or, when the host file says it all, removes) the view. An
 * unprivileged monitor needs write permission on its own file to set a
 * user xattr: lent for the moment, then taken back. */
static int64_t store(uint32_t vol, int fd, const struct stat *st, const struct view *v)
{
	char buf[48];
	int n = snprintf(buf, sizeof buf, "%o %u %u", v->set_id, v->uid, v->gid);
	bool plain = !v->set_id && v->uid == st->st_uid && v->gid == st->st_gid;
	int r = put(vol, fd, buf, n, plain);
	if (r != 0 && errno == EACCES && !(st->st_mode & S_IWUSR) &&
	    fchmod(fd, (st->st_mode & 07777 & ~SET_ID) | S_IWUSR) == 0) {
		r = put(vol, fd, buf, n, plain);
		int e = errno;
		fchmod(fd, st->st_mode & 07777 & ~SET_ID);
		errno = e;
	}
	if (r == 0 || errno == ENODATA || errno == EOPNOTSUPP || errno == EPERM)
		return 0; /* nothing to remove; cannot be kept here: accepted, not kept */
	return -errno;
}

/* Linux's chown drops S_ISUID of a non-directory, and S_ISGID with
 * group execute (a set-group-ID file without it marks mandatory locking). */
static void chown_drops(struct view *v, const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return;
	v->set_id &= ~(uint32_t)S_ISUID;
	if (st->st_mode & S_IXGRP)
		v->set_id &= ~(uint32_t)S_ISGID;
}

int64_t hut_owner_set(uint32_t v, int fd, const struct hut_hc_file *hc)
{
	struct stat st;
	if (!hut_owner_mapped(v) || !(hc->flags & (HUT_FILE_ATTR_MODE | HUT_FILE_ATTR_OWNER)))
		return 0;
	if (fstat(fd, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return 0;
	struct view view;
	view_of(v, fd, NULL, &st, &view);
	if (hc->flags & HUT_FILE_ATTR_MODE)
		view.set_id = hc->mode & SET_ID;
	if (hc->flags & HUT_FILE_ATTR_OWNER) {
		view.uid = hc->uid != UINT32_MAX ? hc->uid : view.uid;
		view.gid = hc->gid != UINT32_MAX ? hc->gid : view.gid;
		chown_drops(&view, &st);
	}
	return store(v, fd, &st, &view);
}

int64_t hut_owner_created(uint32_t v, int fd, uint32_t mode)
{
	struct stat st;
	if (!hut_owner_mapped(v) || !(mode & SET_ID))
		return 0;
	if (fstat(fd, &st) != 0)
		return -errno;
	struct view view = {mode & SET_ID, st.st_uid, st.st_gid};
	return store(v, fd, &st, &view);
}

int64_t hut_owner_strip(uint32_t v, int fd, uint32_t host_mode)
{
	if (!hut_owner_mapped(v) || !(host_mode & SET_ID))
		return 0;
	return fchmod(fd, host_mode & 07777 & ~SET_ID) == 0 ? 0 : -errno;
}
