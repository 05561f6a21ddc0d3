/*
 * tmpfs's nodes (tmpfs.h): made, freed when no entry and no open file is
 * left, stat'ed, their attributes set and times touched. tmpfs.c (the tree)
 * and tmpfs_file.c (open files) both stand on this.
 */
#include "tmpfs.h"

#include <errno.h>

struct tnode *hut_tnode_new(struct tmpfs *fs, uint32_t mode)
{
	struct tnode *n = hut_kalloc(sizeof *n);
	if (!n)
		return NULL;
	n->mode = mode;
	n->seals = F_SEAL_SEAL; /* as Linux's tmpfs: only a memfd may be sealed */
	n->ino = fs->next_ino++;
	n->atime = n->mtime = n->ctime = hut_realtime();
	return n;
}

void hut_tnode_free(struct tmpfs *fs, struct tnode *n)
{
	if (S_ISDIR(n->mode)) {
		hut_tdir_free(&n->dir);
	} else if (S_ISLNK(n->mode)) {
		hut_kfree(n->target, n->size + 1);
	} else if (S_ISREG(n->mode)) {
		hut_tdata_truncate(fs, n, 0);
		hut_kfree(n->data.pages, n->data.cap * sizeof *n->data.pages);
	}
	hut_kfree(n, sizeof *n);
}

void hut_tnode_put(struct tmpfs *fs, struct tnode *n)
{
	if (n->nlink == 0 && n->opens == 0)
		hut_tnode_free(fs, n);
}

void hut_tnode_touch(struct tnode *n)
{
	n->mtime = n->ctime = hut_realtime();
}

void hut_tnode_stat(const struct hut_mount *m, const struct tnode *n, struct stat *st)
{
	uint64_t pages = S_ISREG(n->mode) ? 0 : 1;
	for (uint64_t i = 0; S_ISREG(n->mode) && i < n->data.cap; i++)
		pages += n->data.pages[i] != NULL;
	hut_stat_fill(st, m, n->ino, n->mode, S_ISDIR(n->mode) ? 40 + 20 * n->dir.live : n->size);
	st->st_nlink = n->nlink;
	st->st_rdev = n->rdev;
	st->st_uid = n->uid;
	st->st_gid = n->gid;
	st->st_blocks = (blkcnt_t)(pages * (HUT_PAGE_SIZE / 512));
	st->st_atim = n->atime;
	st->st_mtim = n->mtime;
	st->st_ctim = n->ctime;
}

/* Whether the set-group-ID bit goes (Linux's setattr_should_drop_sgid):
 * with group execute always, else for a caller outside the file's group
 * without CAP_FSETID. */
static int drops_sgid(const struct tnode *n)
{
	return (n->mode & S_ISGID) && ((n->mode & S_IXGRP) || (!hut_cred_in_group(n->gid) &&
							       !hut_cred_capable(HUT_CAP_FSETID)));
}

/* A regular file written or truncated by a caller without CAP_FSETID
 * loses its set-ID bits (Linux's file_remove_privs): a writer cannot leave
 * a program that runs as someone else. */
void hut_tnode_kill_priv(struct tnode *n)
{
	if (!S_ISREG(n->mode) || hut_cred_capable(HUT_CAP_FSETID))
		return;
	if (drops_sgid(n))
		n->mode &= ~(uint32_t)S_ISGID;
	n->mode &= ~(uint32_t)S_ISUID;
}

long hut_tnode_setattr(struct tmpfs *fs, struct tnode *n, const struct hut_attr *a)
{
	long r;
	if (a->valid & HUT_ATTR_SIZE) {
		if (S_ISDIR(n->mode))
			return -EISDIR;
		if (!S_ISREG(n->mode))
			return -EINVAL;
		if ((r = hut_tnode_seal_size(n, a->size)) != 0)
			return r;
		if ((r = hut_tdata_truncate(fs, n, a->size)) != 0)
			return r;
		n->mtime = hut_realtime();
		hut_tnode_kill_priv(n);
	}
	if (a->valid & HUT_ATTR_MODE)
		n->mode = (n->mode & S_IFMT) | (a->mode & 07777);
	/* A new owner or group takes the set-ID bits off a non-directory,
	 * whoever asks (Linux's chown_common). */
	if ((a->valid & (HUT_ATTR_UID | HUT_ATTR_GID)) && !S_ISDIR(n->mode)) {
		if (drops_sgid(n))
			n->mode &= ~(uint32_t)S_ISGID;
		n->mode &= ~(uint32_t)S_ISUID;
	}
	if (a->valid & HUT_ATTR_UID)
		n->uid = a->uid;
	if (a->valid & HUT_ATTR_GID)
		n->gid = a->gid;
	if (a->valid & HUT_ATTR_ATIME)
		n->atime = a->atime;
	if (a->valid & HUT_ATTR_MTIME)
		n->mtime = a->mtime;
	n->ctime = hut_realtime();
	return 0;
}

long hut_tnode_seal_write(const struct tnode *n, uint64_t off, uint64_t len)
{
	if (n->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return -EPERM;
	if ((n->seals & F_SEAL_GROW) && len > 0 && off + len > n->size)
		return -EPERM;
	return 0;
}

long hut_tnode_seal_size(const struct tnode *n, uint64_t size)
{
	if ((n->seals & F_SEAL_SHRINK) && size < n->size)
		return -EPERM;
	if ((n->seals & F_SEAL_GROW) && size > n->size)
		return -EPERM;
	return 0;
}
