/*
 * /etc/resolv.conf as hut-monitor --dns says: one read-only file mounted
 * on that path (over any the image packs) when the monitor gave a DNS
 * server, so musl's resolver asks it. Without --dns nothing is mounted,
 * and the image's own file (or musl's default, 127.0.0.1) stands. A
 * restore may give another --dns (docs/ARCHITECTURE.md, "Snapshots"): the
 * file then says the new one, mounted then if the snapshot had none (musl
 * reads the file at each lookup, so the next one asks the new server).
 */
#include "vfs.h"

#include <errno.h>
#include <fcntl.h>

#define RESOLV_INO 1

static char text[40]; /* "nameserver 255.255.255.255\n" */
static size_t text_len;

static long resolv_read(struct hut_file *f, const struct hut_iovec *iov, int iovcnt, uint64_t *off)
{
	(void)f;
	if (*off >= text_len)
		return 0;
	uint64_t n = hut_iov_copy_out(iov, iovcnt, 0, text + *off, text_len - *off);
	*off += n;
	return (long)n;
}

static long resolv_file_stat(struct hut_file *f, struct stat *st)
{
	hut_stat_fill(st, f->mount, RESOLV_INO, S_IFREG | 0644, text_len);
	return 0;
}

static const struct hut_file_ops resolv_file_ops = {
	.read = resolv_read,
	.stat = resolv_file_stat,
};

/* rel is "" for the file itself; anything below it is not a directory. */
static long resolv_lstat(struct hut_mount *m, const char *rel, struct stat *st)
{
	if (*rel)
		return -ENOTDIR;
	hut_stat_fill(st, m, RESOLV_INO, S_IFREG | 0644, text_len);
	return 0;
}

static long resolv_open(struct hut_mount *m, const char *rel, int flags, uint32_t mode,
			struct hut_file **out)
{
	(void)mode;
	if (*rel || (flags & O_DIRECTORY))
		return -ENOTDIR;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		return -EROFS;
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	uint32_t kind = (flags & O_PATH) ? HUT_KIND_PATH : HUT_KIND_SEEKABLE;
	struct hut_file *f =
		hut_file_new(&resolv_file_ops, (uint32_t)flags & HUT_STATUS_FLAGS, kind);
	if (!f)
		return -ENFILE;
	f->mount = m;
	*out = f;
	return 0;
}

static long resolv_readlink(struct hut_mount *m, const char *rel, char *buf, size_t len)
{
	(void)m, (void)buf, (void)len;
	return *rel ? -ENOTDIR : -EINVAL;
}

static long resolv_statfs(struct hut_mount *m, struct statfs *sf)
{
	(void)m;
	hut_memset(sf, 0, sizeof *sf);
	sf->f_type = 0x01021994; /* as tmpfs */
	sf->f_bsize = sf->f_frsize = HUT_PAGE_SIZE;
	sf->f_namelen = HUT_FNAME_MAX;
	sf->f_flags = ST_RDONLY;
	return 0;
}

static const struct hut_fs_ops resolv_ops = {
	.type = "hutimage",
	.lstat = resolv_lstat,
	.open = resolv_open,
	.readlink = resolv_readlink,
	.statfs = resolv_statfs,
};

static struct hut_mount *mounted;

static void write_text(uint32_t dns)
{
	const uint8_t *b = (const uint8_t *)&dns; /* network order */
	char *p = text, *end = text + sizeof text - 1;
	p = hut_append(p, end, "nameserver ");
	for (int i = 0; i < 4; i++) {
		p = hut_append_u64(p, end, b[i]);
		p = hut_append(p, end, i < 3 ? "." : "\n");
	}
	*p = 0;
	text_len = (size_t)(p - text);
}

void hut_resolv_mount(struct hut_mount *m, uint32_t dns)
{
	write_text(dns);
	mounted = m;
	m->ops = &resolv_ops;
	m->flags = HUT_MOUNT_RDONLY | HUT_MOUNT_FILE;
}

/* The mount table was set up before the snapshot (mount.c registers this
 * then); a restore's boot info may name another server, or one where the
 * snapshot had none. A server never vanishes: the monitor keeps the
 * snapshot's unless --dns gives another. */
void hut_resolv_restored(void *unused)
{
	uint32_t dns = hut_boot_info->net.dns;
	(void)unused;
	if (!dns)
		return;
	if (mounted) {
		write_text(dns);
		return;
	}
	hut_resolv_mount(hut_mount_add("/etc/resolv.conf"), dns);
	hut_mount_order();
}
