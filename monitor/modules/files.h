/*
 * The files module: volumes and the file hypercall. files_module.c is the
 * module (its option, boot info, sandbox rules); the rest share its state
 * (struct hut_files) and each uses only those before it: volume_size.c
 * (size=: what a volume holds, what fits), owner.c (owners and set-ID
 * bits), volume.c (the --volume option, the host directories, paths checked
 * and opened under them), files_attr.c (attributes by path), files_path.c
 * (the other operations by path) and files.c (handles, operations on open
 * files, the dispatcher). Every host fd they hold lives at HUT_HOST_FD_BASE
 * or above, and only there: the seccomp filter lets the file syscalls act
 * on that range alone (files_module.c).
 */
#ifndef HUT_FILES_H
#define HUT_FILES_H

#include "../monitor.h"

#include <linux/limits.h>
#include <sys/stat.h>

/* How a volume keeps what the guest sets of owners and set-ID bits (owner.c). */
enum hut_owner_mode {
	HUT_OWNER_MAPPED,      /* the default: the host file never gets them; an xattr keeps them */
	HUT_OWNER_PASSTHROUGH, /* owner=passthrough: the host file gets them as they are */
};

/* --volume HOST:GUEST[:OPTIONS] (volume.c, volume_options.c) */
struct hut_volume {
	const char *host;
	const char *guest; /* canonical absolute path, not "/" */
	bool ro;
	enum hut_owner_mode owner;
	uint64_t size;	/* size=: bytes the volume may hold on the host; 0: no limit */
	uint32_t cache; /* cache=: 0 (auto), HUT_VOLUME_CACHE_NONE or _ALWAYS */
};

/* A guest's open file on a volume: the guest knows only its index. */
struct hut_handle {
	int fd; /* host fd, >= HUT_HOST_FD_BASE */
	uint32_t volume;
	bool used;
	bool path_only;	   /* opened O_PATH */
	uint64_t dev, ino; /* the host file's, for size=: is a removed file still open? */
};

/* The module's state: the volumes the options gave, their host
 * directories, and the guest's open files. */
struct hut_files {
	struct hut_volume volumes[HUT_VOLUMES_MAX];
	unsigned nvolumes;
	int volume_fd[HUT_VOLUMES_MAX]; /* each volume's host directory (O_PATH) */
	/* volume_size.c: the bytes each volume with size= holds on the host */
	uint64_t volume_used[HUT_VOLUMES_MAX];
	struct hut_handle handles[HUT_FILE_HANDLES_MAX]; /* files.c: open files on volumes */
};
extern struct hut_files hut_files; /* files_state.c */

/* files_snapshot.c: the module's snapshot and restore hooks. */
struct hut_vm;
struct hut_snap_buf;
const char *hut_files_snapshot(struct hut_vm *vm, struct hut_snap_buf *w);
const char *hut_files_restore(struct hut_vm *vm, struct hut_snap_buf *r);

#define HUT_HOST_FD_BASE 256
#define HUT_HOST_FD_END (HUT_HOST_FD_BASE + HUT_VOLUMES_MAX + HUT_FILE_HANDLES_MAX + 16)

/* Moves fd to the lowest free number >= HUT_HOST_FD_BASE (close-on-exec).
 * Returns it, or -errno (and fd is closed either way). */
int hut_host_fd_place(int fd);

/* volume_size.c: size=. A volume is limited when it has a size and is not
 * :ro. Sizes are bytes allocated on the host (st_blocks * 512). */
bool hut_size_limited(uint32_t v);
uint64_t hut_size_room(uint32_t v); /* 0 when full */
void hut_size_changed(uint32_t v, uint64_t before, uint64_t after);
uint64_t hut_size_of(int fd);			    /* 0 if it cannot be stat'ed */
uint64_t hut_size_of_at(int dir, const char *name); /* the same, not following a symlink */
/* Walks the host tree once (before the sandbox): the volume's start. */
void hut_size_measure(struct hut_vm *vm, uint32_t v);
/* Of n bytes written at `at` into fd's file (st: its fstat now), how many
 * fit: n, fewer, or 0 (ENOSPC). */
uint64_t hut_size_write_fits(uint32_t v, int fd, const struct stat *st, uint64_t at, uint64_t n);
/* 0, or -ENOSPC for an fallocate (or a truncate growing to size) that
 * cannot fit: checked before the host allocates anything. */
int64_t hut_size_allocate_fits(uint32_t v, int fd, const struct stat *st, uint64_t off,
			       uint64_t len);
int64_t hut_size_grow_fits(uint32_t v, const struct stat *st, uint64_t size);
/* What removing dir/name frees now (0: another link or an open handle
 * keeps it); a removed file's last handle closing frees the rest. */
uint64_t hut_size_freed(int dir, const char *name);
void hut_size_closing(uint32_t h);

/* owner.c: owner=mapped (the default) or passthrough. */
bool hut_owner_mapped(uint32_t v);
/* The mode a guest's mode becomes on the host: no set-ID bits if mapped. */
uint32_t hut_owner_host_mode(uint32_t v, uint32_t mode);
/* Shows the guest's set-ID bits and owner (fd: a readable fd on the file). */
void hut_owner_view(uint32_t v, int fd, struct hut_file_stat *out);
/* The same for dir's entry name (one component, not followed), without
 * opening it; -ENOSYS on kernels without getxattrat (before 6.13). */
int hut_owner_view_at(uint32_t v, int dir, const char *name, struct hut_file_stat *out);
/* After the host part of a SETATTR (hc: its MODE and OWNER), keeps what the
 * host file cannot carry; fd as above. */
int64_t hut_owner_set(uint32_t v, int fd, const struct hut_hc_file *hc);
/* fd's file was just created with the guest's mode: keeps its set-ID bits. */
int64_t hut_owner_created(uint32_t v, int fd, uint32_t mode);
/* Takes set-ID bits off a host file (host_mode: its st_mode) on a mapped
 * volume: before it is written, after it is made. */
int64_t hut_owner_strip(uint32_t v, int fd, uint32_t host_mode);

/* A guest path, checked and NUL-terminated: "." for the volume itself. */
/* A guest's path may be longer than the host's PATH_MAX: the guest's cwd
 * goes as deep as relative paths take it (Linux limits one path argument,
 * not depth), and its canonical paths go up to 64 KiB (libos/fs/vfs.h).
 * hut_volume_open_at opens such a path a piece at a time. */
#define HUT_GUEST_PATH_MAX 65536
struct hut_guest_path {
	char s[HUT_GUEST_PATH_MAX];
	size_t len;
};

/* volume.c: --volume's value (NULL, or why it is refused); the host
 * directories, opened before the sandbox (and measured, with size=); every
 * fd below the host-fd range taken, once the sandbox closed the others. */
const char *hut_volume_parse(const char *spec);
void hut_volumes_open(struct hut_vm *vm);
void hut_volumes_fill_low(struct hut_vm *vm);
/* volume_options.c: the OPTIONS list into v (NULL, or why it is refused);
 * list is cut up in place. */
const char *hut_volume_options(struct hut_volume *v, char *list);
/* files_module.c: the file syscalls' seccomp rules (at most max), for the
 * ring's thread too. */
size_t hut_files_volume_rules(struct hut_seccomp_rule *out, size_t max);
/* files.c: one file hypercall. */
void hut_file_hypercall(struct hut_vm *vm, struct hut_hc_file *hc);

/* volume.c. Copies and checks a volume-relative path: canonical (no leading '/',
 * no empty, "." or ".." component), no NUL, under PATH_MAX. -EFAULT or
 * -EINVAL for a guest that breaks the rules. */
int64_t hut_guest_path(const struct hut_vm *vm, uint64_t gpa, uint64_t len,
		       struct hut_guest_path *out);
/* openat2 under volume v with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
 * RESOLVE_NO_SYMLINKS: returns a placed fd or -errno. */
int hut_volume_open_at(uint32_t v, const char *path, int flags, uint32_t mode);
/* The same under any directory fd of a volume. */
int hut_open_beneath(int dir, const char *path, int flags, uint32_t mode);
/* path opened for reading, not following a last symlink: what chmod and
 * utimensat want on kernels before fchmodat2 (6.6) and utimensat's
 * AT_EMPTY_PATH, and xattrs on all kernels (an O_PATH fd will not do). */
int hut_volume_reopen(uint32_t v, const char *path);

/* files_attr.c: SETATTR (size, mode, owner, times by path); an ftruncate
 * of a writable fd on volume v, with size= checked and counted. */
int64_t hut_file_setattr(const struct hut_hc_file *hc, struct hut_guest_path *p);
int64_t hut_file_truncate(uint32_t v, int fd, uint64_t size);

/* files_path.c: the operations that take a path; a host stat as the ABI's;
 * p's directory (an O_PATH fd, -EBUSY for the volume itself) and, in
 * *name, its last component (p stays whole). */
int64_t hut_file_path_op(struct hut_vm *vm, struct hut_hc_file *hc);
void hut_file_stat_of(const struct stat *st, struct hut_file_stat *out);
int hut_file_parent(uint32_t v, struct hut_guest_path *p, const char **name);

#endif
