/*
 * Socket nodes: an AF_UNIX socket bound to a path is a node of type
 * S_IFSOCK in the file system (stat, ls and unlink see it), and connect()
 * finds the socket through it. The node holds no pointer to the socket:
 * the socket layer (libos/unix/) keys its bound sockets by the node's
 * (st_dev, st_ino), so a node whose socket closed is simply one nobody
 * listens on (ECONNREFUSED), as on Linux, and an unlinked node frees
 * itself as any other.
 *
 * Only tmpfs makes them. The read-only image answers EROFS; a volume is a
 * host directory, where the node would be a host socket the guest cannot
 * reach, so bind there answers EOPNOTSUPP, with one warning.
 */
#include "vfs.h"

#include <errno.h>

struct node_key {
	uint32_t mode;
	uint64_t dev, ino;
};

static void warn_no_sockets(void)
{
	static int warned;
	if (warned)
		return;
	warned = 1;
	hut_console_print(2, "hut: warning: bind() of an AF_UNIX socket to a path outside /tmp "
			     "(tmpfs) is not supported, returning -EOPNOTSUPP\n");
}

static long make_resolved(struct hut_path *p, void *ctx)
{
	struct node_key *k = ctx;
	struct stat st;
	struct hut_mount *m = p->mount;
	if (!*p->rel || p->must_dir)
		return -EADDRINUSE; /* a mount point or "/": it exists */
	if (!m->ops->mksock) {
		if (m->flags & HUT_MOUNT_RDONLY || !m->ops->mkdir)
			return -EROFS;
		warn_no_sockets();
		return -EOPNOTSUPP;
	}
	long r = hut_perm_create(p);
	if (r == 0)
		r = m->ops->mksock(m, p->rel, k->mode);
	if (r != 0)
		return r == -EEXIST ? -EADDRINUSE : r;
	if ((r = m->ops->lstat(m, p->rel, &st)) != 0)
		return r;
	hut_fs_note(p->canon, p->len, HUT_NOTE_CREATE);
	k->dev = st.st_dev;
	k->ino = st.st_ino;
	return 0;
}

long hut_socknode_make(const char *path, uint32_t mode, uint64_t *dev, uint64_t *ino)
{
	struct node_key k = {mode & 07777 & ~hut_umask, 0, 0};
	long r = hut_path_run(0, AT_FDCWD, path, 0, make_resolved, &k);
	*dev = k.dev;
	*ino = k.ino;
	return r;
}

static long find_resolved(struct hut_path *p, void *ctx)
{
	struct node_key *k = ctx;
	struct stat st;
	long r = p->mount->ops->lstat(p->mount, p->rel, &st);
	if (r != 0)
		return r;
	if (S_ISLNK(st.st_mode))
		return -HUT_ESYMLINK;
	if ((r = hut_perm(&st, HUT_MAY_WRITE)) != 0)
		return r; /* connecting writes to the socket, as Linux checks */
	if (!S_ISSOCK(st.st_mode))
		return -ECONNREFUSED;
	k->dev = st.st_dev;
	k->ino = st.st_ino;
	return 0;
}

long hut_socknode_find(const char *path, uint64_t *dev, uint64_t *ino)
{
	struct node_key k = {0, 0, 0};
	long r = hut_path_run(0, AT_FDCWD, path, HUT_WALK_FOLLOW, find_resolved, &k);
	*dev = k.dev;
	*ino = k.ino;
	return r;
}
