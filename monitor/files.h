/*
 * Volumes and the file hypercall, shared by volume_size.c (size=: what a
 * volume holds, what fits), owner.c (owners and set-ID bits), volume.c
 * (the --volume option, the host directories, paths checked and opened
 * under them), files_attr.c (attributes by path), files_path.c (the other
 * operations by path) and files.c (handles, operations on open files, the
 * dispatcher), each using only those before it. Every host fd they hold lives at HUT_HOST_FD_BASE
 * or above, and only there: the seccomp filter lets the file syscalls act on that range alone
 * (sandbox.c).
 */
#ifndef HUT_FILES_H
#define HUT_FILES_H

#include "monitor.h"

#include <linux/limits.h>
#include <sys/stat.h>

#define HUT_HOST_FD_BASE 256
#define HUT_HOST_FD_END (HUT_HOST_FD_BASE + HUT_VOLUMES_MAX + HUT_FILE_HANDLES_MAX + 16)

/* Moves fd to the lowest free number >= HUT_HOST_FD_BASE (close-on-exec).
 * Returns it, or -errno (and fd is closed either way). */
int hut_host_fd_place(int fd);

/* volume_size.c: size=. A volume is limited when it has a size and is not
 * :ro. Sizes are bytes allocated on the host (st_blocks * 512). */
bool hut_size_limited(const struct hut_vm *vm, uint32_t v);
uint64_t hut_size_room(const struct hut_vm *vm, uint32_t v); /* 0 when full */
void hut_size_changed(struct hut_vm *vm, uint32_t v, uint64_t before, uint64_t after);
uint64_t hut_size_of(int fd);			    /* 0 if it cannot be stat'ed */
uint64_t hut_size_of_at(int dir, const char *name); /* the same, not following a symlink */
/* Walks the host tree once (before the sandbox): the volume's start. */
void hut_size_measure(struct hut_vm *vm, uint32_t v);
/* Of n bytes written at `at` into fd's file (st: its fstat now), how many
 * fit: n, fewer, or 0 (ENOSPC). */
uint64_t hut_size_write_fits(const struct hut_vm *vm, uint32_t v, int fd, const struct stat *st,
			     uint64_t at, uint64_t n);
/* 0, or -ENOSPC for an fallocate (or a truncate growing to size) that
 * cannot fit: checked before the host allocates anything. */
int64_t hut_size_allocate_fits(const struct hut_vm *vm, uint32_t v, int fd, const struct stat *st,
			       uint64_t off, uint64_t len);
int64_t hut_size_grow_fits(const struct hut_vm *vm, uint32_t v, const struct stat *st,
			   uint64_t size);
/* What removing dir/name frees now (0: another link or an open handle
 * keeps it); a removed file's last handle closing frees the rest. */
uint64_t hut_size_freed(const struct hut_vm *vm, int dir, const char *name);
void hut_size_closing(struct hut_vm *vm, uint32_t h);

/* owner.c: owner=mapped (the default) or passthrough. */
bool hut_owner_mapped(const struct hut_vm *vm, uint32_t v);
/* The mode a guest's mode becomes on the host: no set-ID bits if mapped. */
uint32_t hut_owner_host_mode(const struct hut_vm *vm, uint32_t v, uint32_t mode);
/* Shows the guest's set-ID bits and owner (fd: a readable fd on the file). */
void hut_owner_view(const struct hut_vm *vm, uint32_t v, int fd, struct hut_file_stat *out);
/* The same for dir's entry name (one component, not followed), without
 * opening it; -ENOSYS on kernels without getxattrat (before 6.13). */
int hut_owner_view_at(const struct hut_vm *vm, uint32_t v, int dir, const char *name,
		      struct hut_file_stat *out);
/* After the host part of a SETATTR (hc: its MODE and OWNER), keeps what the
 * host file cannot carry; fd as above. */
int64_t hut_owner_set(const struct hut_vm *vm, uint32_t v, int fd, const struct hut_hc_file *hc);
/* fd's file was just created with the guest's mode: keeps its set-ID bits. */
int64_t hut_owner_created(const struct hut_vm *vm, uint32_t v, int fd, uint32_t mode);
/* Takes set-ID bits off a host file (host_mode: its st_mode) on a mapped
 * volume: before it is written, after it is made. */
int64_t hut_owner_strip(const struct hut_vm *vm, uint32_t v, int fd, uint32_t host_mode);

/* A guest path, checked and NUL-terminated: "." for the volume itself. */
struct hut_guest_path {
	char s[PATH_MAX];
	size_t len;
};

/* volume.c. Copies and checks a volume-relative path: canonical (no leading '/',
 * no empty, "." or ".." component), no NUL, under PATH_MAX. -EFAULT or
 * -EINVAL for a guest that breaks the rules. */
int64_t hut_guest_path(const struct hut_vm *vm, uint64_t gpa, uint64_t len,
		       struct hut_guest_path *out);
/* openat2 under volume v with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
 * RESOLVE_NO_SYMLINKS: returns a placed fd or -errno. */
int hut_volume_open_at(const struct hut_vm *vm, uint32_t v, const char *path, int flags,
		       uint32_t mode);
/* The same under any directory fd of a volume. */
int hut_open_beneath(int dir, const char *path, int flags, uint32_t mode);
/* path opened for reading, not following a last symlink: what chmod and
 * utimensat want on kernels before fchmodat2 (6.6) and utimensat's
 * AT_EMPTY_PATH, and xattrs on all kernels (an O_PATH fd will not do). */
int hut_volume_reopen(const struct hut_vm *vm, uint32_t v, const char *path);

/* files_attr.c: SETATTR (size, mode, owner, times by path); an ftruncate
 * of a writable fd on volume v, with size= checked and counted. */
int64_t hut_file_setattr(struct hut_vm *vm, const struct hut_hc_file *hc, struct hut_guest_path *p);
int64_t hut_file_truncate(struct hut_vm *vm, uint32_t v, int fd, uint64_t size);

/* files_path.c: the operations that take a path; a host stat as the ABI's;
 * p's directory (an O_PATH fd, -EBUSY for the volume itself) and, in
 * *name, its last component (p stays whole). */
int64_t hut_file_path_op(struct hut_vm *vm, struct hut_hc_file *hc);
void hut_file_stat_of(const struct stat *st, struct hut_file_stat *out);
int hut_file_parent(const struct hut_vm *vm, uint32_t v, struct hut_guest_path *p,
		    const char **name);

#endif
