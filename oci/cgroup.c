/*
 * The host's cgroup layout, read once, the way the runtimes read it: the
 * file system type of /sys/fs/cgroup (cgroup2: unified; a tmpfs of v1
 * hierarchies: v1), and under v1 whether a cgroup2 is also mounted at
 * /sys/fs/cgroup/unified (hybrid, systemd's default before v247).
 *
 * It matters because the lower runtimes differ there: runc runs all three;
 * crun runs v2 and v1, but refuses a hybrid host whose cgroup2 has any
 * controller enabled ("cgroups in hybrid mode not supported, drop all
 * controllers from cgroupv2"; seen on a host whose cgroup2 holds only
 * hugetlb). lower.c picks the runtime from this.
 */
#include "oci.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CGROUP_ROOT "/sys/fs/cgroup"
#define HYBRID_ROOT CGROUP_ROOT "/unified"

static bool is_cgroup2(const char *path)
{
	struct statfs fs;
	return statfs(path, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

/* The hybrid cgroup2's controllers (space-separated), "" for none. */
static void read_controllers(char *buf, size_t size)
{
	buf[0] = 0;
	int fd = open(HYBRID_ROOT "/cgroup.controllers", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

const struct oci_cgroup *oci_cgroup_layout(void)
{
	static struct oci_cgroup c;
	static bool read;
	if (read)
		return &c;
	read = true;
	struct statfs fs;
	if (is_cgroup2(CGROUP_ROOT)) {
		c.layout = OCI_CGROUP_V2;
	} else if (statfs(CGROUP_ROOT, &fs) != 0) {
		c.layout = OCI_CGROUP_NONE;
	} else if (is_cgroup2(HYBRID_ROOT)) {
		c.layout = OCI_CGROUP_HYBRID;
		read_controllers(c.hybrid_controllers, sizeof c.hybrid_controllers);
	} else {
		c.layout = OCI_CGROUP_V1;
	}
	return &c;
}

const char *oci_cgroup_name(const struct oci_cgroup *c)
{
	switch (c->layout) {
	case OCI_CGROUP_V2:
		return "v2";
	case OCI_CGROUP_HYBRID:
		return "hybrid";
	case OCI_CGROUP_V1:
		return "v1";
	default:
		return "none";
	}
}

bool oci_cgroup_crun_refuses(const struct oci_cgroup *c)
{
	return c->layout == OCI_CGROUP_HYBRID && c->hybrid_controllers[0];
}
