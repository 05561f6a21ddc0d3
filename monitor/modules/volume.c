/*
 * Volumes: `--volume HOST:GUEST[:OPTIONS]` makes the host directory HOST
 * the guest's GUEST. The monitor opens HOST once, before the sandbox; every
 * later access is relative to that directory fd (files_path.c), and the
 * sandbox (Landlock, seccomp) confines the monitor to these trees.
 */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RESOLVE_VOLUME (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS)

/* Under the sandbox every fd below the range is taken (hut_volumes_fill_low),
 * so new fds land in it already and this costs nothing. */
int hut_host_fd_place(int fd)
{
	if (fd >= HUT_HOST_FD_BASE && fd < HUT_HOST_FD_END)
		return fd;
	if (fd >= HUT_HOST_FD_END) {
		close(fd);
		return -ENFILE;
	}
	int placed = fcntl(fd, F_DUPFD_CLOEXEC, HUT_HOST_FD_BASE);
	int err = errno;
	close(fd);
	if (placed >= HUT_HOST_FD_END) {
		close(placed);
		return -ENFILE;
	}
	return placed < 0 ? -err : placed;
}

/* A guest path a volume may take: absolute, canonical, not "/". */
static const char *check_guest_path(const char *g)
{
	size_t n = strlen(g);
	if (g[0] != '/')
		return "GUEST must be an absolute path";
	if (n == 1)
		return "GUEST cannot be / (the image's files are there)";
	if (n >= 1024)
		return "GUEST is longer than 1023 bytes";
	if (g[n - 1] == '/' || strstr(g, "//"))
		return "GUEST must not end in / or hold //";
	for (const char *c = g; c; c = strchr(c + 1, '/'))
		if (!strncmp(c, "/./", 3) || !strcmp(c, "/.") || !strncmp(c, "/../", 4) ||
		    !strcmp(c, "/.."))
			return "GUEST must not hold . or .. components";
	return NULL;
}

/* Cuts s at its first ':' that is not escaped, turning "\:" into ':' and
 * "\\" into '\' in the part before it (in place). Returns the part after
 * the ':' (NULL if there is none); sets *bad on a '\' before anything else. */
static char *cut_field(char *s, bool *bad)
{
	char *out = s;
	for (char *in = s; *in; in++) {
		if (*in == ':') {
			*out = 0;
			return in + 1;
		}
		if (*in == '\\' && (in[1] == ':' || in[1] == '\\'))
			in++;
		else if (*in == '\\')
			*bad = true;
		*out++ = *in;
	}
	*out = 0;
	return NULL;
}

/* HOST:GUEST[:OPTIONS], where a ':' or '\' inside HOST or GUEST is written
 * "\:" or "\\" (hut-oci escapes bind-mount paths so) and OPTIONS is a
 * comma-separated list (volume_options.c). Returns NULL, or why it is
 * refused. */
const char *hut_volume_parse(const char *spec)
{
	struct hut_volume *v = &hut_files.volumes[hut_files.nvolumes];
	char *s, *guest, *options;
	bool bad = false;
	if (hut_files.nvolumes >= HUT_VOLUMES_MAX)
		return "too many volumes (at most 16)";
	if (!(s = strdup(spec)))
		return "out of memory";
	if (!(guest = cut_field(s, &bad)) || !*s)
		return "expected HOST:GUEST or HOST:GUEST:OPTIONS";
	*v = (struct hut_volume){0};
	if ((options = cut_field(guest, &bad)) != NULL) {
		const char *why = hut_volume_options(v, options);
		if (why)
			return why;
	}
	if (bad)
		return "a '\\' in HOST or GUEST must be written '\\\\' (and a ':' '\\:')";
	const char *why = check_guest_path(guest);
	if (why)
		return why;
	for (unsigned i = 0; i < hut_files.nvolumes; i++)
		if (!strcmp(hut_files.volumes[i].guest, guest))
			return "another volume has the same GUEST path";
	v->host = s;
	v->guest = guest;
	hut_files.nvolumes++;
	return NULL;
}

/* Room for every handle next to the volumes, if the hard limit allows. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < HUT_HOST_FD_END) {
		rl.rlim_cur = rl.rlim_max < HUT_HOST_FD_END ? rl.rlim_max : HUT_HOST_FD_END;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Takes every free fd below HUT_HOST_FD_BASE (with copies of a volume's
 * O_PATH fd, which are never used): the kernel gives the lowest free fd,
 * so each fd opened for the guest from now on lands in the host-fd range
 * by itself, and the seccomp filter need not allow fcntl or a close
 * outside that range. Called by the sandbox, after it closed the rest. */
void hut_volumes_fill_low(struct hut_vm *vm)
{
	int fd;
	if (hut_files.nvolumes == 0)
		return;
	while ((fd = dup(hut_files.volume_fd[0])) >= 0 && fd < HUT_HOST_FD_BASE)
		;
	if (fd < 0)
		hut_fail(vm, HUT_EXIT_MONITOR,
			 "volumes need an fd limit of at least %d (ulimit -n) (%s)",
			 HUT_HOST_FD_END, strerror(errno));
	close(fd);
}

void hut_volumes_open(struct hut_vm *vm)
{
	if (hut_files.nvolumes)
		raise_fd_limit();
	for (unsigned i = 0; i < hut_files.nvolumes; i++) {
		const struct hut_volume *v = &hut_files.volumes[i];
		int fd = open(v->host, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			hut_fail(vm, HUT_EXIT_MONITOR, "--volume %s:%s: cannot open %s (%s)",
				 v->host, v->guest, v->host, strerror(errno));
		if ((hut_files.volume_fd[i] = hut_host_fd_place(fd)) < 0)
			hut_fail(vm, HUT_EXIT_MONITOR, "--volume %s:%s: out of fds (%s)", v->host,
				 v->guest, strerror(-hut_files.volume_fd[i]));
		if (hut_size_limited(i))
			hut_size_measure(vm, i);
	}
}

int64_t hut_guest_path(const struct hut_vm *vm, uint64_t gpa, uint64_t len,
		       struct hut_guest_path *out)
{
	const char *p = len < HUT_GUEST_PATH_MAX ? hut_guest_readable(vm, gpa, len) : NULL;
	if (len >= HUT_GUEST_PATH_MAX)
		return -ENAMETOOLONG;
	if (!p)
		return -EFAULT;
	if (len == 0) {
		memcpy(out->s, ".", 2);
		out->len = 1;
		return 0;
	}
	memcpy(out->s, p, len); /* copied once: the guest cannot change it under us */
	out->s[len] = 0;
	out->len = len;
	if (memchr(out->s, 0, len) || out->s[0] == '/' || out->s[len - 1] == '/')
		return -EINVAL;
	for (char *c = out->s; c; c = strchr(c, '/')) {
		c += *c == '/';
		if (*c == '/' || !strcmp(c, ".") || !strncmp(c, "./", 2) || !strcmp(c, "..") ||
		    !strncmp(c, "../", 3))
			return -EINVAL;
	}
	return 0;
}

int hut_open_beneath(int dir, const char *path, int flags, uint32_t mode)
{
	/* openat2 refuses O_PATH with anything but these. */
	int always = (flags & O_PATH) ? O_CLOEXEC : O_CLOEXEC | O_NOCTTY;
	struct open_how how = {
		.flags = (uint64_t)(flags | always),
		.mode = (flags & O_CREAT) ? mode & 07777 : 0,
		.resolve = RESOLVE_VOLUME,
	};
	long fd = syscall(SYS_openat2, dir, path, &how, sizeof how);
	/* The monitor's own fd limit is the machine's, not the guest's: ENFILE. */
	if (fd < 0)
		return errno == EMFILE ? -ENFILE : -errno;
	fd = hut_host_fd_place((int)fd);
	return fd == -EMFILE ? -ENFILE : (int)fd;
}

/* The longest piece of a path opened at once: under the host's PATH_MAX. */
#define PIECE_MAX (PATH_MAX - 256)

/* A path (checked: relative, canonical, components of at most NAME_MAX)
 * longer than the host takes in one call is opened a piece at a time: each
 * piece a directory opened under the last with the same RESOLVE rules, so
 * no piece leads out of the one before, nor so out of the volume. */
int hut_volume_open_at(uint32_t v, const char *path, int flags, uint32_t mode)
{
	int dir = hut_files.volume_fd[v], piece_fd = -1, r;
	size_t len = strlen(path);
	static char piece[PIECE_MAX + 1];
	while (len >= PIECE_MAX) {
		size_t cut = PIECE_MAX;
		while (cut > 0 && path[cut] != '/')
			cut--;
		if (cut == 0)
			r = -ENAMETOOLONG;
		else {
			memcpy(piece, path, cut);
			piece[cut] = 0;
			r = hut_open_beneath(dir, piece, O_PATH | O_DIRECTORY, 0);
		}
		if (piece_fd >= 0)
			close(piece_fd);
		if (r < 0)
			return r;
		dir = piece_fd = r;
		path += cut + 1;
		len -= cut + 1;
	}
	r = hut_open_beneath(dir, path, flags, mode);
	if (piece_fd >= 0)
		close(piece_fd);
	return r;
}

int hut_volume_reopen(uint32_t v, const char *path)
{
	return hut_volume_open_at(v, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 0);
}
