/* getdents64's records, as every file system writes them. */
#include "vfs.h"

#include <dirent.h>
#include <errno.h>
#include <stddef.h>

/* struct linux_dirent64, the kernel's; musl's struct dirent matches it. */
struct dirent64_record {
	uint64_t d_ino;
	int64_t d_off; /* where the next record starts, for lseek */
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

int hut_dirent_put(void *buf, size_t len, size_t *used, uint64_t ino, int64_t next_off,
		   uint8_t type, const char *name, size_t namelen)
{
	size_t reclen = (offsetof(struct dirent64_record, d_name) + namelen + 1 + 7) & ~(size_t)7;
	if (reclen > len - *used)
		return 0;
	struct dirent64_record *d = (struct dirent64_record *)((char *)buf + *used);
	d->d_ino = ino;
	d->d_off = next_off;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = type;
	hut_memcpy(d->d_name, name, namelen);
	hut_memset(d->d_name + namelen, 0,
		   reclen - offsetof(struct dirent64_record, d_name) - namelen);
	*used += reclen;
	return 1;
}

long hut_dir_seek_entries(struct hut_file *f, int64_t off, int whence)
{
	int64_t to = whence == SEEK_SET ? off : whence == SEEK_CUR ? (int64_t)f->pos + off : -1;
	if (to < 0)
		return -EINVAL;
	f->pos = (uint64_t)to;
	f->mount_pos = 0;
	return to;
}

uint8_t hut_dirent_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return DT_REG;
	case S_IFDIR:
		return DT_DIR;
	case S_IFLNK:
		return DT_LNK;
	case S_IFCHR:
		return DT_CHR;
	case S_IFBLK:
		return DT_BLK;
	case S_IFIFO:
		return DT_FIFO;
	case S_IFSOCK:
		return DT_SOCK;
	default:
		return DT_UNKNOWN;
	}
}

void hut_stat_fill(struct stat *st, const struct hut_mount *m, uint64_t ino, uint32_t mode,
		   uint64_t size)
{
	hut_memset(st, 0, sizeof *st);
	st->st_dev = m ? m->dev : 0;
	st->st_ino = ino;
	st->st_mode = mode;
	st->st_nlink = 1;
	st->st_size = (off_t)size;
	st->st_blksize = HUT_PAGE_SIZE;
	st->st_blocks = (blkcnt_t)((size + 511) / 512);
}
