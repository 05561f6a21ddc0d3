/*
 * mmap of a file: anonymous pages filled with the file's bytes (from off,
 * zeros past the end). A private mapping is exactly that; a shared
 * read-only one too, except that later changes to the file do not show
 * through (nothing else can change the file while the app reads it, bar a
 * host process writing a volume). A shared writable mapping would need its
 * stores carried back to the file: refused with ENODEV and one warning.
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

static void warn_shared_write(void)
{
	static int warned;
	if (!warned) {
		warned = 1;
		hut_console_print(2,
				  "hut: warning: mmap of a file with MAP_SHARED and PROT_WRITE is "
				  "not supported, returning -ENODEV\n");
	}
}

/* Copies the file's bytes at off into the fresh mapping, as read would. */
static long fill(struct hut_file *f, uint64_t addr, uint64_t len, uint64_t off)
{
	while (len > 0) {
		struct hut_iovec iov = {addr, len};
		uint64_t at = off;
		long r = f->ops->read(f, &iov, 1, &at);
		if (r < 0)
			return r;
		if (r == 0)
			break; /* past the end: the pages are zero already */
		addr += (uint64_t)r, len -= (uint64_t)r, off += (uint64_t)r;
	}
	return 0;
}

long hut_file_mmap(uint64_t addr, uint64_t len, long prot, long flags, long fd, long off)
{
	struct hut_file *f = hut_fd_file(fd);
	int type = (int)(flags & MAP_TYPE);
	if (!f || (f->kind & HUT_KIND_PATH))
		return -EBADF;
	if (off < 0 || (off & (long)(HUT_PAGE_SIZE - 1)))
		return -EINVAL;
	if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		return -EACCES;
	if ((f->kind & HUT_KIND_DIR) || !f->ops->read)
		return -ENODEV;
	if (type != MAP_PRIVATE && (prot & PROT_WRITE)) {
		if ((f->flags & O_ACCMODE) != O_RDWR)
			return -EACCES;
		warn_shared_write();
		return -ENODEV;
	}
	long map = hut_anon_map(addr, len, flags);
	if (map < 0)
		return map;
	long r = fill(f, (uint64_t)map, len, (uint64_t)off);
	if (r < 0) {
		hut_pages_free((void *)map, len / HUT_PAGE_SIZE);
		return r;
	}
	return map;
}
