/*
 * The VFS: mounts, path resolution, and what a file system provides.
 *
 * A path is resolved to a canonical absolute path (no ".", "..", "//" or
 * symlinks) and then split at the mount it lies in: the mount whose path is
 * its longest prefix, by whole components. A file system is asked about a
 * path relative to its mount ("" is its root), never about a path object:
 * in-memory file systems walk their tree, volumes hand the path to the
 * monitor in one exit.
 *
 * Symlinks are resolved here, not by the file systems, so that a symlink
 * means the same in every file system (an absolute target starts at the
 * app's "/", as for a process). For speed the resolver first tries the path
 * as written (the common case has no symlink); a file system that meets a
 * symlink where it may not follow one answers -HUT_ESYMLINK, and the
 * resolver then walks the path component by component and tries again.
 */
#ifndef HUT_VFS_H
#define HUT_VFS_H

#include "fd/file.h"

#include <fcntl.h>
#include <sys/statfs.h>
#include <time.h>

#define HUT_PATH_MAX 4096 /* PATH_MAX: with the terminating NUL */
/* A canonical path may be longer than one path argument: Linux limits what
 * the app passes (PATH_MAX), not how deep a relative path takes it. */
#define HUT_CANON_MAX 65536
#define HUT_FNAME_MAX 255 /* NAME_MAX */
#define HUT_SYMLOOP_MAX 40
#define HUT_MOUNTS_MAX (5 + HUT_VOLUMES_MAX) /* /, /tmp, /dev, /proc, /etc/resolv.conf */

#ifndef RENAME_NOREPLACE /* Linux's, not in musl's headers */
#define RENAME_NOREPLACE 0x1
#define RENAME_EXCHANGE 0x2
#define RENAME_WHITEOUT 0x4
#endif

/* The open(2) flags an open file description keeps (F_GETFL shows them). */
#define HUT_STATUS_FLAGS                                                                           \
	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_SYNC | O_DSYNC | O_DIRECT | O_NOATIME |             \
	 O_LARGEFILE | O_PATH)

#ifndef F_ADD_SEALS /* Linux's; musl's headers show them to _GNU_SOURCE only */
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

/* Internal, never returned to the app: "a symlink is in the way". */
#define HUT_ESYMLINK 1000

#define HUT_MOUNT_RDONLY 0x1
#define HUT_MOUNT_FILE 0x2 /* a file, not a directory, is mounted (resolv.c) */

struct hut_mount;

/* What a file system provides. rel is canonical and relative to the mount
 * ("" is its root). Every op answers -HUT_ESYMLINK if a component before
 * the last is a symlink; a last component that is a symlink is the object
 * itself (lstat, readlink, unlink, rename, link, mkdir's EEXIST), except
 * for open without O_NOFOLLOW and setattr with follow, which answer
 * -HUT_ESYMLINK too. NULL ops get EROFS (changes) or EINVAL. */
struct hut_fs_ops {
	long (*lstat)(struct hut_mount *m, const char *rel, struct stat *st);
	/* flags are open(2)'s; mode has the umask applied. */
	long (*open)(struct hut_mount *m, const char *rel, int flags, uint32_t mode,
		     struct hut_file **out);
	long (*readlink)(struct hut_mount *m, const char *rel, char *buf, size_t len);
	long (*mkdir)(struct hut_mount *m, const char *rel, uint32_t mode);
	long (*unlink)(struct hut_mount *m, const char *rel, int is_rmdir);
	long (*rename)(struct hut_mount *m, const char *from, const char *to, unsigned flags);
	long (*link)(struct hut_mount *m, const char *from, const char *to);
	long (*symlink)(struct hut_mount *m, const char *target, const char *rel);
	/* A socket node (S_IFSOCK) for bind(); NULL: EROFS on a read-only
	 * mount, EOPNOTSUPP elsewhere (fs/socknode.c). */
	long (*mksock)(struct hut_mount *m, const char *rel, uint32_t mode);
	/* mknod of a FIFO, a device or a socket (S_IFREG is made by open);
	 * NULL: EROFS on a read-only mount, EPERM elsewhere. */
	long (*mknod)(struct hut_mount *m, const char *rel, uint32_t type_mode, uint64_t dev);
	long (*setattr)(struct hut_mount *m, const char *rel, const struct hut_attr *a, int follow);
	long (*statfs)(struct hut_mount *m, struct statfs *sf);
	long (*sync)(struct hut_mount *m);
	const char *type; /* its name in /proc/mounts and /proc/filesystems */
	/* A "magic" link that stands for an open file without a path
	 * (/proc/self/fd/N of a pipe, a socket): that file, which following
	 * the link reaches; NULL for any other path. NULL op: none. */
	struct hut_file *(*fd_link)(struct hut_mount *m, const char *rel);
};

struct hut_mount {
	const struct hut_fs_ops *ops;
	const char *path; /* canonical guest path: "/" or "/a/b" */
	size_t path_len;
	uint64_t dev; /* st_dev of everything in it */
	uint32_t flags;
	void *priv; /* the file system's own */
	uint64_t priv2;
};

/* Attribute changes: chmod, chown, utimensat, truncate. */
#define HUT_ATTR_MODE 0x1
#define HUT_ATTR_UID 0x2
#define HUT_ATTR_GID 0x4
#define HUT_ATTR_ATIME 0x8
#define HUT_ATTR_MTIME 0x10
#define HUT_ATTR_SIZE 0x20

struct hut_attr {
	uint32_t valid; /* HUT_ATTR_* */
	uint32_t mode;	/* permission bits only */
	uint32_t uid, gid;
	struct timespec atime, mtime; /* UTIME_NOW already replaced by the time */
	uint64_t size;
};

/* A resolved path. */
/* The small fields first: a path's canon uses its first bytes, and the
 * fields after 64 KiB of it would be another group of pages for KVM's
 * shadow MMU to fault in at every boot (fs/path.c's walks). */
struct hut_path {
	size_t len;
	struct hut_mount *mount;
	const char *rel; /* inside canon */
	int must_dir;	 /* written with a trailing slash */
	int last_dots;	 /* the written path ends in "." (1) or ".." (2) */
	int exact;	 /* resolved component by component (symlinks followed) */
	char canon[HUT_CANON_MAX];
};

/* path.c */
#define HUT_WALK_FOLLOW 0x1 /* follow a last component that is a symlink */
typedef long (*hut_path_fn)(struct hut_path *p, void *ctx);
/* Copies the app's path, resolves it against dirfd (AT_FDCWD: the current
 * directory) and runs fn on it; again after an exact walk if fn meets a
 * symlink. Returns fn's result, or the errno of a path that cannot be
 * resolved. slot (0 or 1) picks one of two path buffers (rename has two). */
long hut_path_run(int slot, long dirfd, const char *upath, int walk, hut_path_fn fn, void *ctx);
/* The start directory for a relative path: the cwd or dirfd's directory. */
long hut_path_start(long dirfd, const char **dir, size_t *len);
/* Sets p's mount and rel from p->canon. */
void hut_path_split(struct hut_path *p);
/* The file p's magic link stands for (struct hut_fs_ops's fd_link), or NULL. */
struct hut_file *hut_path_fd_link(struct hut_path *p);

/* perm.c: permission checks with the caller's credentials (proc/cred.h).
 * Each returns 0 or the errno Linux gives (EACCES, EPERM). */
long hut_perm(const struct stat *st, int mask); /* mask: HUT_MAY_* */
long hut_perm_parent_stat(struct hut_path *p, struct stat *st);
/* A new name at p (open O_CREAT, mkdir, symlink, link, bind, rename):
 * write and search permission on its directory, unless the name exists
 * (the op says EEXIST) or the mount is read-only (EROFS). */
long hut_perm_create(struct hut_path *p);
/* p's name removed (unlink, rmdir, rename): write and search permission on
 * its directory and the sticky bit's rule, unless it does not exist. */
long hut_perm_delete(struct hut_path *p);

/* mount.c */
void hut_vfs_init(const struct hut_boot_info *bi);
struct hut_mount *hut_mount_of(const char *canon, size_t len, const char **rel);
/* lstat of a canonical path, whatever mount it lies in. */
long hut_vfs_lstat(const char *canon, size_t len, struct stat *st);
/* getdents64 for any directory: the file system's entries, then the mount
 * points right below it that the file system does not have itself. */
long hut_vfs_getdents(struct hut_file *f, void *buf, size_t len);
/* 1 if canon is a mount point (not "/"). */
int hut_is_mount_point(const char *canon, size_t len);
/* sync(2): each mount's sync op. */
void hut_vfs_sync(void);
/* mounttab.c: the table; hut_nmounts is -1 until mount.c sets it up. The
 * mount canon lies in (as hut_mount_of, without setting up); the i-th
 * mount in the order they were made (/proc/mounts), or NULL. */
extern struct hut_mount hut_mounts[HUT_MOUNTS_MAX];
extern int hut_nmounts;
struct hut_mount *hut_mount_add(const char *path);
void hut_mount_order(void);
struct hut_mount *hut_mount_find(const char *canon, size_t len, const char **rel);
const struct hut_mount *hut_mount_nth(int i);

/* cwd.c: the process's cwd (set by chdir and fchdir) and umask; gone:
 * the cwd was removed (getcwd and relative lookups are ENOENT). */
extern char *hut_cwd; /* HUT_CANON_MAX bytes */
extern size_t hut_cwd_len;
extern int hut_cwd_gone;
extern uint32_t hut_umask;
void hut_cwd_set(const char *path, size_t len);
void hut_path_init(void); /* each process gets its own cwd and umask (cwd.c) */
/* path.c: keeps a copy of p's canonical path in f (*at, fchdir, /proc/self/fd). */
long hut_file_set_path(struct hut_file *f, const struct hut_path *p);

/* pathkeep.c: open files' paths and the cwd kept true after a rename (or
 * an exchange) and a removal in the guest. */
void hut_paths_renamed(const char *from, size_t from_len, const char *to, size_t to_len,
		       int exchange);
void hut_paths_removed(const char *path, size_t len);
/* f has just been given its path: it is followed from now on. */
void hut_paths_hold(struct hut_file *f);

/* dirent.c: one linux_dirent64 record into buf at *used; 0 when it does
 * not fit. */
int hut_dirent_put(void *buf, size_t len, size_t *used, uint64_t ino, int64_t next_off,
		   uint8_t type, const char *name, size_t namelen);
uint8_t hut_dirent_type(uint32_t mode);
/* lseek on a directory whose positions are entry numbers (the in-memory
 * file systems): SEEK_SET and SEEK_CUR only, as Linux's tmpfs allows. */
long hut_dir_seek_entries(struct hut_file *f, int64_t off, int whence);

/* socknode.c: the nodes AF_UNIX sockets bind to. hut_socknode_make
 * creates one at the app's path (a copy in libos memory, NUL-terminated)
 * and returns its st_dev and st_ino, the key the socket is found by;
 * -EADDRINUSE if the path exists. hut_socknode_find follows symlinks and
 * returns the node's stat, -ECONNREFUSED if it is no socket. */
long hut_socknode_make(const char *path, uint32_t mode, uint64_t *dev, uint64_t *ino);
long hut_socknode_find(const char *path, uint64_t *dev, uint64_t *ino);

/* notify.c: file-system events for a listener (inotify) that registers
 * with hut_fs_on_note; the tree's changes are noted by canonical path.
 * HUT_NOTE_* are inotify's IN_* values; moves carry a cookie
 * (hut_fs_note_cookie) on their MOVED_FROM and MOVED_TO halves. */
struct hut_fs_event {
	const char *path; /* the object's canonical path */
	size_t len;
	uint32_t mask; /* one HUT_NOTE_*, and HUT_NOTE_ISDIR for a directory */
	uint32_t cookie;
	const char *to; /* HUT_NOTE_MOVE_SELF: the new path */
	size_t to_len;
	/* The object's identity, when the event is about the object itself
	 * and known (the link count, its end): watches on another of its
	 * names hear it too. 0: by path only. */
	uint64_t dev, ino;
};
/* Internal: an event for the object's own watchers only (the link count
 * that unlink and link change), not its directory's. */
#define HUT_NOTE_SELF_ONLY 0x10000000
int hut_fs_noting(void);		   /* a listener is there: worth gathering events */
void hut_fs_on_note(hut_hook_fn listener); /* called with a struct hut_fs_event * */
void hut_fs_note(const char *path, size_t len, uint32_t mask);
void hut_fs_note_name(const struct hut_path *p, uint32_t mask); /* ISDIR from an lstat */
void hut_fs_note_event(const struct hut_fs_event *e);
/* The events of a name going: unlink and rmdir (st: the object before),
 * rename (moved: the object; replaced: 1 if new's object went). */
void hut_fs_note_remove(const char *path, size_t len, const struct stat *st);
void hut_fs_note_rename(const struct hut_path *old, const struct hut_path *new,
			const struct stat *moved, int replaced, const struct stat *victim);

/* inotify.c: inotify_init1's instance (flags O_NONBLOCK, O_CLOEXEC,
 * checked by the caller), inotify_add_watch and inotify_rm_watch. */
long hut_inotify_open(long flags);
long hut_inotify_add_watch(long fd, const char *path, uint32_t mask);
long hut_inotify_rm_watch(long fd, int32_t wd);

/* The file systems. */
extern const struct hut_fs_ops hut_imagefs_ops, hut_tmpfs_ops, hut_devfs_ops, hut_volume_ops,
	hut_procfs_ops;
void hut_imagefs_mount(struct hut_mount *m, const struct hut_boot_info *bi);
void hut_tmpfs_mount(struct hut_mount *m);
/* memfd_create's file: a tmpfs file in no directory, with seals. */
long hut_tmpfs_anon_file(uint32_t seals, int flags, struct hut_file **out);
void hut_devfs_mount(struct hut_mount *m);
void hut_procfs_mount(struct hut_mount *m);
void hut_volume_mount(struct hut_mount *m, uint32_t id, uint32_t flags);
/* volume_map.c: the windows shared mappings of volume files share (the
 * struct hut_file_ops map_shared, unmap_shared and sync_shared of a volume
 * file), kept coherent by volume.c's read, write and truncate. */
long hut_vmap_map(struct hut_file *f, uint64_t off, uint64_t len, uint64_t at);
void hut_vmap_unmap(struct hut_file *f, uint64_t off, uint64_t len);
long hut_vmap_sync(struct hut_file *f, uint64_t off, uint64_t len, int sync);
void hut_vmap_after_read(const struct hut_file *f, const struct hut_iovec *iov, int iovcnt,
			 uint64_t off, uint64_t n);
void hut_vmap_after_write(const struct hut_file *f, const struct hut_iovec *iov, int iovcnt,
			  uint64_t off, uint64_t n);
int hut_vmap_any(void);
int hut_vmap_of(const struct hut_mount *m, uint64_t ino); /* a window of that file exists */
void hut_vmap_truncated(const struct hut_mount *m, uint64_t ino, uint64_t size);
void hut_resolv_mount(struct hut_mount *m, uint32_t dns);
/* A restore's --dns (a restored hook, registered by mount.c). */
void hut_resolv_restored(void *unused);

/* The stat every file system fills the same way. */
void hut_stat_fill(struct stat *st, const struct hut_mount *m, uint64_t ino, uint32_t mode,
		   uint64_t size);

#endif
