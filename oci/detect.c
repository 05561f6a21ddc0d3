/*
 * Is the container's program a hut image? process.args[0] is found the way
 * the runtime will find it: as written when it holds a '/', else in each
 * directory of the process's PATH (runc's default PATH when it has none),
 * the first executable regular file winning. Every lookup stays inside the
 * rootfs (openat2 RESOLVE_IN_ROOT: a symlink to "/bin" means the rootfs's
 * /bin, ".." stops at its root), since the rootfs is the image author's.
 * A file is a hut image when it is an ELF with hut's manifest note; one
 * that has the note but fails the monitor's checks is refused here, with
 * the monitor's reason, rather than run as a process.
 */
#include "oci.h"

#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int oci_open_in_root(int rootfd, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	/* EAGAIN: a rename or mount anywhere on the host raced a ".." step,
	 * and openat2(2) says to try again; taken for "not there", it made a
	 * hut image run as a plain process. */
	int fd, tries = 0;
	do
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
	while (fd < 0 && errno == EAGAIN && ++tries < 100);
	return fd;
}

/* An executable regular file at path in the rootfs: its fd, or -1. The fd
 * is O_PATH: opening a FIFO to read waits for a writer (hut-oci would
 * hang), opening a device can act; is_hut_image reopens a regular file. */
static int executable(int rootfd, const char *path)
{
	int fd = oci_open_in_root(rootfd, path);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

static const char *process_path(const struct oci_spec *s)
{
	for (size_t i = 0; i < json_array_size(s->env); i++) {
		const char *e = json_string_value(json_array_get(s->env, i));
		if (e && !strncmp(e, "PATH=", 5))
			return e + 5;
	}
	return DEFAULT_PATH;
}

/* Finds name in PATH; fills found (absolute in the rootfs). */
static int look_up(int rootfd, const struct oci_spec *s, const char *name, char *found)
{
	const char *dirs = process_path(s);
	while (*dirs) {
		size_t n = strcspn(dirs, ":");
		if (n > 0 && dirs[0] == '/' &&
		    snprintf(found, PATH_MAX, "%.*s/%s", (int)n, dirs, name) < PATH_MAX) {
			int fd = executable(rootfd, found);
			if (fd >= 0)
				return fd;
		}
		dirs += n + (dirs[n] == ':');
	}
	return -1;
}

static bool all_strings(const json_t *a)
{
	if (json_array_size(a) == 0)
		return false;
	for (size_t i = 0; i < json_array_size(a); i++)
		if (!json_is_string(json_array_get(a, i)))
			return false;
	return true;
}

static bool is_hut_image(int fd, struct oci_image *img, const char *id)
{
	char proc[64];
	struct hut_image h;
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	if (hut_image_open(&h, proc, HUT_IMAGE_NO_MANIFEST) != HUT_IMAGE_OK) {
		hut_image_close(&h);
		return false; /* no manifest note: an ordinary program */
	}
	hut_image_close(&h);
	if (hut_image_open(&h, proc, 0) != HUT_IMAGE_OK)
		oci_die(id, "%s is a hut image that cannot run: %s", img->path, h.err);
	img->mem_default = h.manifest.mem_default;
	img->crc32 = h.manifest.crc32;
	const struct hut_manifest *m = &h.manifest;
	for (uint32_t i = 0; i < m->device_count && i < HUT_DEVICES_MAX; i++)
		if (m->devices[i].type == HUT_DEVICE_NET && !img->net_device) {
			img->net_device = strdup(m->devices[i].name);
			img->net_required = !(m->devices[i].flags & HUT_DEVICE_OPTIONAL);
		}
	hut_image_close(&h);
	return true;
}

bool oci_detect(const struct oci_spec *s, struct oci_image *img, const char *id)
{
	memset(img, 0, sizeof *img);
	if (!all_strings(s->args))
		return false; /* the lower runtime says what is wrong */
	const char *arg0 = json_string_value(json_array_get(s->args, 0));
	int rootfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		oci_die(id, "cannot open the rootfs %s (%s)", s->rootfs, strerror(errno));
	char found[PATH_MAX];
	int fd = -1;
	if (strchr(arg0, '/')) {
		const char *cwd = json_string_value(
			json_object_get(json_object_get(s->config, "process"), "cwd"));
		if (arg0[0] == '/' || !cwd)
			snprintf(found, sizeof found, "%s", arg0);
		else
			snprintf(found, sizeof found, "%s/%s", cwd, arg0);
		fd = executable(rootfd, found);
	} else {
		fd = look_up(rootfd, s, arg0, found);
	}
	close(rootfd);
	if (fd < 0)
		return false;
	img->path = strdup(found);
	if (!img->path)
		oci_die(id, "out of memory");
	bool hut = is_hut_image(fd, img, id);
	close(fd);
	return hut;
}
