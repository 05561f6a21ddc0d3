/*
 * The mount table: the image's packed files at "/", a tmpfs at /tmp, the
 * devices at /dev, the process and machine described at /proc, each volume at its guest path, and
 * /etc/resolv.conf when the monitor names a DNS server. A canonical path lies in the mount whose
 * path is its longest prefix (by whole components); a mount point need not exist in the file system
 * below it, and a directory lists the mount points right below it among its entries.
 *
 * Set up at the first path lookup, not at boot: a boot that never opens a
 * file touches none of it (each first touch of a page costs an exit).
 */
#include "vfs.h"

#include <dirent.h>
#include <errno.h>

static void setup(void)
{
	const struct hut_boot_info *bi = hut_boot_info;
	const struct hut_boot_volume *v = (const struct hut_boot_volume *)bi->volumes;
	hut_nmounts = 0;
	hut_imagefs_mount(hut_mount_add("/"), bi);
	hut_tmpfs_mount(hut_mount_add("/tmp"));
	hut_devfs_mount(hut_mount_add("/dev"));
	hut_procfs_mount(hut_mount_add("/proc"));
	for (uint32_t i = 0; i < bi->volume_count && i < HUT_VOLUMES_MAX; i++)
		hut_volume_mount(hut_mount_add((const char *)v[i].path), i, v[i].flags);
	if (bi->net.dns)
		hut_resolv_mount(hut_mount_add("/etc/resolv.conf"), bi->net.dns);
	hut_mount_order();
	hut_restored_hook_add(hut_resolv_restored); /* a restore's --dns */
}

struct hut_mount *hut_mount_of(const char *canon, size_t len, const char **rel)
{
	if (hut_nmounts < 0)
		setup();
	return hut_mount_find(canon, len, rel);
}

int hut_is_mount_point(const char *canon, size_t len)
{
	const char *rel;
	struct hut_mount *m = hut_mount_of(canon, len, &rel);
	return m->path_len > 1 && *rel == 0;
}

long hut_vfs_lstat(const char *canon, size_t len, struct stat *st)
{
	const char *rel;
	struct hut_mount *m = hut_mount_of(canon, len, &rel);
	return m->ops->lstat(m, rel, st);
}

/* m's path is dir + "/" + a name: returns the name, or NULL. */
static const char *child_name(const struct hut_mount *m, const char *dir, size_t dir_len)
{
	size_t base = dir_len == 1 ? 0 : dir_len;
	if (m->path_len <= base + 1 || hut_memcmp(m->path, dir, base) || m->path[base] != '/')
		return NULL;
	for (size_t k = base + 1; k < m->path_len; k++)
		if (m->path[k] == '/')
			return NULL;
	return m->path + base + 1;
}

/* Whether the file system holding directory f has name itself. */
static int fs_has(struct hut_file *f, const struct hut_mount *child)
{
	struct hut_mount *m = f->mount;
	struct stat st;
	const char *rel = child->path + (m->path_len == 1 ? 1 : m->path_len + 1);
	return m->ops->lstat(m, rel, &st) == 0;
}

long hut_vfs_getdents(struct hut_file *f, void *buf, size_t len)
{
	long r = f->ops->getdents ? f->ops->getdents(f, buf, len) : -ENOTDIR;
	size_t used = 0;
	if (r != 0 || !f->path)
		return r;
	for (; f->mount_pos < (uint64_t)hut_nmounts; f->mount_pos++) {
		const struct hut_mount *m = &hut_mounts[f->mount_pos];
		const char *name = child_name(m, f->path, f->path_len);
		const char *rel;
		if (!name || hut_mount_of(m->path, m->path_len, &rel) != m || fs_has(f, m))
			continue; /* not right below, hidden by a later mount, or listed already */
		size_t n = m->path_len - (size_t)(name - m->path);
		uint8_t type = (m->flags & HUT_MOUNT_FILE) ? DT_REG : DT_DIR;
		if (!hut_dirent_put(buf, len, &used, 1, (int64_t)(f->mount_pos + 1) << 32, type,
				    name, n))
			return used ? (long)used : -EINVAL;
	}
	return (long)used;
}

void hut_vfs_sync(void)
{
	for (int i = 0; i < hut_nmounts; i++)
		if (hut_mounts[i].ops->sync)
			hut_mounts[i].ops->sync(&hut_mounts[i]);
}
