/*
 * Volumes and the file hypercall, shared by volume.c (the --volume option,
 * the host directories, paths checked and opened under them), files_path.c
 * (operations by path) and files.c (handles, operations on open files, the
 * dispatcher), each using only those before it. Every host fd they hold
 * lives at HUT_HOST_FD_BASE or above, and only there: the seccomp filter
 * lets the file syscalls act on that range alone (sandbox.c).
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

/* files_path.c: the operations that take a path; a host stat as the ABI's. */
int64_t hut_file_path_op(struct hut_vm *vm, struct hut_hc_file *hc);
void hut_file_stat_of(const struct stat *st, struct hut_file_stat *out);

#endif
