/*
 * Permission checks, where Linux makes them, against the caller's
 * credentials (proc/cred.h): the mode and owner every file system's stat
 * shows (a volume's are the host file's, with the owner and set-ID bits the
 * guest gave it laid over them, as a container sees a bind mount). The
 * path walk checks search permission itself (path.c); here are the checks
 * an operation makes on its file and on the directory it changes.
 *
 * A caller with the capabilities that override them (root, as the
 * appliance starts) skips the lookups these checks need, so they cost
 * nothing until a program drops its privileges.
 */
#include "vfs.h"

#include <errno.h>

long hut_perm(const struct stat *st, int mask)
{
	return hut_cred_permission(st->st_mode, st->st_uid, st->st_gid, mask);
}

long hut_perm_parent_stat(struct hut_path *p, struct stat *st)
{
	size_t len = p->len;
	while (len > 1 && p->canon[len - 1] != '/')
		len--;
	size_t parent_len = len > 1 ? len - 1 : 1;
	char saved = p->canon[parent_len];
	p->canon[parent_len] = 0;
	long r = hut_vfs_lstat(p->canon, parent_len, st);
	p->canon[parent_len] = saved;
	return r;
}

/* Write and search permission on p's directory. */
static long may_change_dir(struct hut_path *p, struct stat *dir)
{
	long r = hut_perm_parent_stat(p, dir);
	return r ? r : hut_perm(dir, HUT_MAY_WRITE | HUT_MAY_EXEC);
}

long hut_perm_create(struct hut_path *p)
{
	struct stat st, dir;
	if (hut_cred_capable(HUT_CAP_DAC_OVERRIDE) || (p->mount->flags & HUT_MOUNT_RDONLY) ||
	    !*p->rel)
		return 0;
	long r = p->mount->ops->lstat(p->mount, p->rel, &st);
	if (r != -ENOENT)
		return 0; /* it exists (the op says EEXIST), or the op reports the error */
	return may_change_dir(p, &dir);
}

long hut_perm_delete(struct hut_path *p)
{
	struct stat victim, dir;
	if ((hut_cred_capable(HUT_CAP_DAC_OVERRIDE) && hut_cred_capable(HUT_CAP_FOWNER)) ||
	    (p->mount->flags & HUT_MOUNT_RDONLY) || !*p->rel)
		return 0;
	if (p->mount->ops->lstat(p->mount, p->rel, &victim) != 0)
		return 0; /* the op says ENOENT */
	long r = may_change_dir(p, &dir);
	if (r != 0)
		return r;
	/* In a sticky directory only the file's owner, the directory's, or
	 * CAP_FOWNER may remove a name. */
	if ((dir.st_mode & S_ISVTX) && !hut_cred_owns(victim.st_uid) &&
	    hut_cred_current()->fsuid != dir.st_uid)
		return -EPERM;
	return 0;
}
